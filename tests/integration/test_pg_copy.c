/*
 * test_pg_copy.c - the PostgreSQL bulk writer (src/engines/pg/pg_copy.c)
 * on the real PostgreSQL of scripts/harness.sh:
 *
 *     scripts/harness.sh run build/tests/integration/test_pg_copy
 *
 * Creates a table with one column per source type, typed and checked by
 * schema_map_column()/schema_map_check_sql() exactly as the schema step
 * does, encodes 100,000 rows of edge values (as mysql_fetch_row() would
 * deliver them) with pg_copy_encode_value(), streams them with pg_copy_*,
 * reads everything back and compares each value with the text PostgreSQL
 * must print for it; prints rows/s. Then the error paths: a row that
 * violates a CHECK (constraint name and line number in the error, nothing
 * kept, connection still usable), a missing table, a row without its
 * newline, abort, and a row larger than the flush size. Without PG_* every
 * test is skipped (and says why).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engines/pg/pg.h"
#include "engines/pg/pg_copy.h"
#include "lib/itest.h"
#include "schema/schema.h"
#include "schema/typemap.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define SCH "PgCopy_IT"
#define N_ROWS 100000

static struct pg_conn *pgc;

/* One sample: the value as MySQL delivers it (len -1 = strlen; NULL val =
 * SQL NULL) and the text PostgreSQL prints for it (NULL = SQL NULL). */
struct sample {
	const char *val;
	int len;
	const char *want;
};

struct tcol {
	const char *name;
	const char *column_type;
	bool nullable;
	struct sample s[5];       /* up to 5, ended by an all-zero entry */
};

#define POINT_WKB "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f" \
		  "\x00\x00\x00\x00\x00\x00\x00\x40"
#define BIT64_A "\x80\x00\x00\x00\x00\x00\x00\x01"
#define BIT64_B "\xff\xff\xff\xff\xff\xff\xff\xff"

static char all_bytes[256];
static char all_bytes_hex[3 + 512];

static const struct tcol cols[] = {
	{ "ti", "tinyint", true, { { "-128", -1, "-128" }, { "127", -1, "127" },
				  { NULL, 0, NULL } , { 0 } } },
	{ "iz", "int(10) unsigned zerofill", true, { { "0000000042", -1, "42" },
						    { "4294967295", -1, "4294967295" } } },
	{ "biu", "bigint unsigned", false, { { "18446744073709551615", -1,
					       "18446744073709551615" }, { "0", -1, "0" } } },
	{ "d", "decimal(65,30)", true, {
		{ "-99999999999999999999999999999999999.999999999999999999999999999999", -1,
		  "-99999999999999999999999999999999999.999999999999999999999999999999" },
		{ "0.000000000000000000000000000001", -1, "0.000000000000000000000000000001" },
		{ "1.500000000000000000000000000000", -1, "1.500000000000000000000000000000" } } },
	{ "f", "float", true, { { "3.40282e38", -1, "3.40282e+38" }, { "-1.5", -1, "-1.5" },
				{ "0.1", -1, "0.1" } } },
	{ "db", "double", true, { { "1.7976931348623157e308", -1, "1.7976931348623157e+308" },
				  { "2.2250738585072014e-308", -1, "2.2250738585072014e-308" },
				  { "0.1", -1, "0.1" } } },
	{ "b1", "bit(1)", true, { { "\x01", 1, "1" }, { "\x00", 1, "0" } } },
	{ "b64", "bit(64)", true, {
		{ BIT64_A, 8, "1000000000000000000000000000000000000000000000000000000000000001" },
		{ BIT64_B, 8, "1111111111111111111111111111111111111111111111111111111111111111" } } },
	{ "vc", "varchar(255)", true, { { "", -1, "" }, { NULL, 0, NULL },
					{ "a\\b\tc\nd\re", -1, "a\\b\tc\nd\re" },
					{ "😀 émoji ☃", -1, "😀 émoji ☃" }, { "\\N", -1, "\\N" } } },
	{ "c10", "char(10)", true, { { "ab", -1, "ab        " }, { "", -1, "          " } } },
	{ "bl", "blob", true, { { all_bytes, 256, all_bytes_hex }, { "", 0, "\\x" },
				{ NULL, 0, NULL }, { "\0", 1, "\\x00" } } },
	{ "bn", "binary(4)", true, { { "ab\0\0", 4, "\\x61620000" } } },
	{ "e", "enum('a','b''c','d\\\\e')", true, { { "b'c", -1, "b'c" },
						      { "d\\e", -1, "d\\e" } } },
	{ "st", "set('r','w')", true, { { "r,w", -1, "r,w" }, { "", -1, "" } } },
	{ "dt", "date", true, { { "2024-02-29", -1, "2024-02-29" },
				{ "0000-00-00", -1, NULL }, { "1000-01-01", -1, "1000-01-01" } } },
	{ "dtn", "date", false, { { "9999-12-31", -1, "9999-12-31" },
				  { "2000-01-01", -1, "2000-01-01" } } },
	{ "dtm", "datetime(6)", true, {
		{ "9999-12-31 23:59:59.999999", -1, "9999-12-31 23:59:59.999999" },
		{ "1000-01-01 00:00:00.000000", -1, "1000-01-01 00:00:00" },
		{ "2020-00-01 00:00:00.000000", -1, NULL } } },
	{ "ts", "timestamp(3)", true, {
		{ "2038-01-19 03:14:07.999", -1, "2038-01-19 03:14:07.999+00" },
		{ "1970-01-01 00:00:01.000", -1, "1970-01-01 00:00:01+00" } } },
	{ "tm", "time(6)", true, { { "-838:59:59.000000", -1, "-838:59:59" },
				   { "838:59:59.999999", -1, "838:59:59.999999" },
				   { "00:00:00.000000", -1, "00:00:00" },
				   { "-00:00:01.500000", -1, "-00:00:01.5" } } },
	{ "yr", "year", true, { { "2155", -1, "2155" }, { "0000", -1, "0" },
				{ "1901", -1, "1901" } } },
	{ "js", "json", true, { { "{\"a\": \"x\\ny\", \"b\": [1, 2.5]}", -1,
				  "{\"a\": \"x\\ny\", \"b\": [1, 2.5]}" },
				{ "[]", -1, "[]" } } },
	{ "pt", "point", true, { { POINT_WKB, 21,
				   "\\x0101000000000000000000f03f0000000000000040" } } },
	{ "u", "uuid", true, { { "123e4567-e89b-12d3-a456-426614174000", -1,
				 "123e4567-e89b-12d3-a456-426614174000" } } },
	{ "i4", "inet4", true, { { "192.168.0.1", -1, "192.168.0.1" } } },
	{ "i6", "inet6", true, { { "::ffff:1.2.3.4", -1, "::ffff:1.2.3.4" },
				 { "2001:db8::1", -1, "2001:db8::1" } } },
};
#define N_COLS (sizeof(cols) / sizeof(cols[0]))

static size_t n_samples(const struct tcol *t)
{
	size_t n = 0;

	while (n < 5 && (t->s[n].val || t->s[n].want || t->s[n].len))
		n++;
	/* an explicit NULL sample is { NULL, 0, NULL }: count it when not last */
	return n;
}

/* cols[] entries whose NULL sample is in the middle need explicit counts */
static size_t count_of(size_t c)
{
	if (strcmp(cols[c].name, "ti") == 0)
		return 3;
	if (strcmp(cols[c].name, "vc") == 0)
		return 5;
	if (strcmp(cols[c].name, "bl") == 0)
		return 4;
	return n_samples(&cols[c]);
}

static struct schema_column col_of(const struct tcol *t)
{
	struct schema_column c = { 0 };

	c.name = xstrdup(t->name);
	c.column_type = xstrdup(t->column_type);
	if (schema_column_type_parse(t->column_type, &c) < 0)
		fail_msg("cannot parse \"%s\"", t->column_type);
	c.nullable = t->nullable;
	c.charset = xstrdup("");
	c.collation = xstrdup("");
	c.default_value = xstrdup("");
	c.on_update = xstrdup("");
	c.generation_expr = xstrdup("");
	c.comment = xstrdup("");
	return c;
}

static void exec_ok(const char *sql)
{
	struct err e = { 0 };

	if (pg_query_value(pgc, sql, NULL, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
}

static int setup(void **state)
{
	struct itest_db db;
	struct pg_conn_opts o = { 0 };
	struct err e = { 0 };

	(void)state;
	for (int i = 0; i < 256; i++) {
		all_bytes[i] = (char)i;
		sprintf(all_bytes_hex + (i == 0 ? 0 : 2 + 2 * i), i == 0 ? "\\x%02x" : "%02x", i);
	}
	if (!itest_pg(&db))
		return 0;
	o.host = db.host;
	o.port = db.port;
	o.user = db.user;
	o.password = db.password;
	o.database = db.database;
	pgc = pg_connect(&o, &e);
	if (!pgc) {
		fprintf(stderr, "cannot connect: %s\n", e.msg);
		return -1;
	}
	exec_ok("SET TimeZone = 'UTC'");
	exec_ok("SET IntervalStyle = 'postgres'");
	exec_ok("DROP SCHEMA IF EXISTS \"" SCH "\" CASCADE");
	exec_ok("CREATE SCHEMA \"" SCH "\"");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (pgc) {
		exec_ok("DROP SCHEMA IF EXISTS \"" SCH "\" CASCADE");
		pg_close(pgc);
	}
	return 0;
}

static void need_server(void)
{
	if (!pgc) {
		print_message("skipping: PG_* is not set; run this test under "
			      "scripts/harness.sh run\n");
		skip();
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CREATE TABLE with the mapping's types, CHECKs and NOT NULL. */
static void create_types_table(struct schema_column *sc, struct schema_mapping *maps)
{
	struct buf sql;

	buf_init(&sql, BUF_UNLIMITED);
	buf_puts(&sql, "CREATE TABLE \"" SCH "\".types (id bigint PRIMARY KEY");
	for (size_t c = 0; c < N_COLS; c++) {
		struct buf q;

		sc[c] = col_of(&cols[c]);
		schema_map_column(&sc[c], SCHEMA_DIALECT_PG, &maps[c]);
		buf_init(&q, 256);
		pg_quote_ident(&q, cols[c].name);
		buf_printf(&sql, ", %s %s%s", buf_cstr(&q), maps[c].dst_type,
			   sc[c].nullable ? "" : " NOT NULL");
		if (maps[c].check_expr[0]) {
			buf_puts(&sql, " CHECK (");
			schema_map_check_sql(&sc[c], SCHEMA_DIALECT_PG, buf_cstr(&q), &sql);
			buf_puts(&sql, ")");
		}
		buf_release(&q);
	}
	buf_puts(&sql, ")");
	exec_ok(buf_cstr(&sql));
	buf_release(&sql);
}

/* Sample index of column c in row i: coprime-ish strides mix combinations. */
static size_t pick(size_t c, int64_t i)
{
	return (size_t)((i + (int64_t)c * (i / 7)) % (int64_t)count_of(c));
}

static void encode_row(int64_t i, const struct schema_column *sc,
		       const struct schema_mapping *maps, struct buf *row)
{
	struct err e = { 0 };
	char id[32];
	int n = snprintf(id, sizeof(id), "%lld", (long long)i);

	buf_reset(row);
	buf_append(row, id, (size_t)n);
	for (size_t c = 0; c < N_COLS; c++) {
		const struct sample *s = &cols[c].s[pick(c, i)];
		size_t len = s->val ? (s->len < 0 ? strlen(s->val) : (size_t)s->len) : 0;

		buf_putc(row, '\t');
		if (pg_copy_encode_value(&sc[c], &maps[c], s->val, len, s->val == NULL, row,
					 &e) < 0)
			fail_msg("row %lld column %s: %s", (long long)i, cols[c].name, e.msg);
	}
	buf_putc(row, '\n');
}

static void verify_rows(void)
{
	struct err e = { 0 };
	struct buf sql;
	struct pg_rows *r;
	size_t bad = 0;

	buf_init(&sql, BUF_UNLIMITED);
	buf_puts(&sql, "SELECT id");
	for (size_t c = 0; c < N_COLS; c++)
		buf_printf(&sql, ", \"%s\"", cols[c].name);
	buf_puts(&sql, " FROM \"" SCH "\".types ORDER BY id");
	r = pg_query_rows(pgc, buf_cstr(&sql), 0, NULL, &e);
	if (!r)
		fail_msg("read back: %s", e.msg);
	assert_int_equal(pg_rows_count(r), N_ROWS);
	for (size_t i = 0; i < N_ROWS; i++) {
		char id[32];

		snprintf(id, sizeof(id), "%zu", i);
		assert_string_equal(pg_rows_get(r, i, 0), id);
		for (size_t c = 0; c < N_COLS; c++) {
			const char *want = cols[c].s[pick(c, (int64_t)i)].want;
			const char *got = pg_rows_get(r, i, (int)c + 1);

			if ((want == NULL) != (got == NULL) || (want && strcmp(want, got) != 0)) {
				if (bad++ < 10)
					print_message("row %zu column %s: want [%s] got [%s]\n", i,
						      cols[c].name, want ? want : "NULL",
						      got ? got : "NULL");
			}
		}
	}
	pg_rows_free(r);
	buf_release(&sql);
	assert_int_equal(bad, 0);
}

static void test_copy_all_types(void **state)
{
	struct schema_column sc[N_COLS];
	struct schema_mapping maps[N_COLS];
	const char *names[N_COLS + 1];
	struct err e = { 0 };
	struct buf row;
	struct pg_copy *cp;
	int64_t rows = -1, bytes;
	double t0, t1;

	(void)state;
	need_server();
	create_types_table(sc, maps);
	names[0] = "id";
	for (size_t c = 0; c < N_COLS; c++)
		names[c + 1] = cols[c].name;
	buf_init(&row, 1 << 20);
	t0 = now_s();
	cp = pg_copy_begin(pgc, SCH, "types", names, N_COLS + 1, &e);
	if (!cp)
		fail_msg("begin: %s", e.msg);
	for (int64_t i = 0; i < N_ROWS; i++) {
		encode_row(i, sc, maps, &row);
		if (pg_copy_row(cp, &row, &e) < 0)
			fail_msg("row %lld: %s", (long long)i, e.msg);
	}
	assert_int_equal(pg_copy_rows_queued(cp), N_ROWS);
	bytes = pg_copy_bytes_queued(cp);
	if (pg_copy_end(cp, &rows, &e) < 0)
		fail_msg("end: %s (%s)", e.msg, e.detail);
	t1 = now_s();
	assert_int_equal(rows, N_ROWS);
	print_message("pg_copy: %d rows x %zu columns, %.1f MB of COPY text in %.3f s: "
		      "%.0f rows/s, %.1f MB/s (encode + COPY, %s columns incl. blobs)\n",
		      N_ROWS, N_COLS + 1, (double)bytes / 1e6, t1 - t0,
		      N_ROWS / (t1 - t0), (double)bytes / 1e6 / (t1 - t0), "26 typed");
	verify_rows();
	buf_release(&row);
	for (size_t c = 0; c < N_COLS; c++)
		schema_column_release(&sc[c]);
}

/* Copies "id\tv\n" rows into table t; returns pg_copy_end's result. */
static int copy_lines(const char *table, const char *const *lines, size_t n, int64_t *rows,
		      struct err *e)
{
	const char *names[] = { "id", "v" };
	struct pg_copy *cp = pg_copy_begin(pgc, SCH, table, names, 2, e);
	struct buf row;

	if (!cp)
		fail_msg("begin: %s", e->msg);
	buf_init(&row, 1024);
	for (size_t i = 0; i < n; i++) {
		buf_reset(&row);
		buf_puts(&row, lines[i]);
		if (pg_copy_row(cp, &row, e) < 0)
			fail_msg("row %zu: %s", i, e->msg);
	}
	buf_release(&row);
	return pg_copy_end(cp, rows, e);
}

static void expect_count(const char *table, const char *want)
{
	char sql[200], *v = NULL;
	struct err e = { 0 };

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"" SCH "\".\"%s\"", table);
	if (pg_query_value(pgc, sql, &v, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	assert_string_equal(v, want);
	free(v);
}

static void test_rejected_row(void **state)
{
	static const char *const lines[] = { "1\t1\n", "2\t5\n", "3\t42\n", "4\t2\n" };
	struct err e = { 0 };
	int64_t rows = -1;

	(void)state;
	need_server();
	exec_ok("CREATE TABLE \"" SCH "\".chk (id int PRIMARY KEY, "
		"v int CONSTRAINT v_below_10 CHECK (v < 10))");
	assert_int_equal(copy_lines("chk", lines, 4, &rows, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	print_message("error: %s | detail: %s\n", e.msg, e.detail);
	assert_non_null(strstr(e.msg, "v_below_10"));
	assert_non_null(strstr(e.msg, "line 3"));
	assert_non_null(strstr(e.msg, "23514"));
	assert_non_null(strstr(e.msg, "\"" SCH "\".\"chk\""));
	assert_non_null(strstr(e.detail, "Failing row contains (3, 42)"));
	assert_int_equal(rows, 3);
	expect_count("chk", "0");             /* nothing of the failed COPY kept */
	/* the connection is usable afterwards, and a good COPY works */
	assert_int_equal(copy_lines("chk", lines, 2, &rows, &e), 0);
	assert_int_equal(rows, 2);
	expect_count("chk", "2");
	/* a duplicate key names the unique constraint */
	assert_int_equal(copy_lines("chk", lines + 3, 1, &rows, &e), 0);
	assert_int_equal(copy_lines("chk", lines, 1, &rows, &e), -1);
	assert_non_null(strstr(e.msg, "chk_pkey"));
	assert_non_null(strstr(e.msg, "23505"));
	assert_non_null(strstr(e.msg, "line 1"));
	assert_int_equal(rows, 1);
	/* a malformed field: PostgreSQL's message names the column and line */
	{
		static const char *const bad[] = { "7\t1\n", "8\tx\n" };

		assert_int_equal(copy_lines("chk", bad, 2, &rows, &e), -1);
		assert_non_null(strstr(e.msg, "22P02"));
		assert_non_null(strstr(e.msg, "line 2"));
		assert_int_equal(rows, 2);
	}
	/* the mapping's CHECK on a TINYINT column refuses -129 */
	exec_ok("CREATE TABLE \"" SCH "\".tiny (id int, v smallint CHECK (v >= -128 AND v <= 127))");
	{
		static const char *const tl[] = { "1\t-128\n", "2\t-129\n" };

		assert_int_equal(copy_lines("tiny", tl, 2, &rows, &e), -1);
		assert_non_null(strstr(e.msg, "tiny_v_check"));
		assert_int_equal(rows, 2);
	}
}

static void test_errors_and_abort(void **state)
{
	const char *names[] = { "id", "v" };
	struct err e = { 0 };
	struct pg_copy *cp;
	struct buf row;
	int64_t rows = -1;

	(void)state;
	need_server();
	exec_ok("CREATE TABLE \"" SCH "\".plain (id int, v bytea)");
	/* missing table / column */
	assert_null(pg_copy_begin(pgc, SCH, "no_such", names, 2, &e));
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "42P01"));
	{
		const char *wrong[] = { "id", "nope" };

		assert_null(pg_copy_begin(pgc, SCH, "plain", wrong, 2, &e));
		assert_non_null(strstr(e.msg, "42703"));
	}
	assert_null(pg_copy_begin(pgc, SCH, "plain", names, 0, &e));
	assert_int_equal(e.code, ERR_INVALID);
	/* a row without its newline is refused before it is sent */
	buf_init(&row, 8 << 20);
	cp = pg_copy_begin(pgc, SCH, "plain", names, 2, &e);
	assert_non_null(cp);
	buf_puts(&row, "1\t\\N");
	assert_int_equal(pg_copy_row(cp, &row, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	/* abort: nothing kept, connection usable */
	buf_putc(&row, '\n');
	assert_int_equal(pg_copy_row(cp, &row, &e), 0);
	pg_copy_abort(cp);
	pg_copy_abort(NULL);
	expect_count("plain", "0");
	/* a row larger than the flush size, between small ones */
	{
		struct schema_column c = { 0 };
		struct schema_mapping m;
		size_t big = 3 << 20;
		char *v = xmalloc(big);
		char *got = NULL;

		c.name = (char *)"v";
		c.type = SCHEMA_T_LONGBLOB;
		c.nullable = true;
		snprintf(m.dst_type, sizeof(m.dst_type), "bytea");
		m.risk = SCHEMA_RISK_TYPE;
		for (size_t i = 0; i < big; i++)
			v[i] = (char)(i * 7);
		cp = pg_copy_begin(pgc, SCH, "plain", names, 2, &e);
		assert_non_null(cp);
		for (int i = 0; i < 3; i++) {
			buf_reset(&row);
			buf_printf(&row, "%d\t", i);
			assert_int_equal(pg_copy_encode_value(&c, &m, v, i == 1 ? big : 10, false,
							      &row, &e), 0);
			buf_putc(&row, '\n');
			assert_int_equal(pg_copy_row(cp, &row, &e), 0);
		}
		assert_int_equal(pg_copy_end(cp, &rows, &e), 0);
		assert_int_equal(rows, 3);
		assert_int_equal(pg_query_value(pgc, "SELECT octet_length(v)::text || ' ' || "
						"md5(v) FROM \"" SCH "\".plain WHERE id = 1", &got,
						&e), 0);
		{
			char *want = NULL;

			/* md5 of the same bytes computed by the server from a generator */
			assert_int_equal(pg_query_value(pgc, "SELECT '3145728 ' || md5(string_agg("
							"set_byte('\\x00'::bytea, 0, (i * 7) % 256), "
							"''::bytea ORDER BY i)) FROM "
							"generate_series(0, 3145727) i", &want, &e), 0);
			assert_string_equal(got, want);
			free(want);
		}
		free(got);
		free(v);
	}
	buf_release(&row);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_all_types),
		cmocka_unit_test(test_rejected_row),
		cmocka_unit_test(test_errors_and_abort),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
