/*
 * test_my_load.c - the MySQL/MariaDB bulk writer (engines/mysql/my_load.c)
 * against the real MariaDB of scripts/harness.sh:
 *
 *     scripts/harness.sh run build/tests/integration/test_my_load
 *
 * An "awkward" source table (NULL vs empty, every byte value, emoji,
 * unsigned extremes, DECIMAL(65,30), DOUBLE, BIT(64), TIME extremes, zero
 * dates, JSON, a 16 MiB LONGBLOB) is read with the text protocol on a second
 * connection and written through the writer into a copy; the copy must be
 * byte-identical. Then refused values must fail naming the row, and 200,000
 * rows are timed. Without the harness variables every test is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/mysql/my_load.h"
#include "util/buf.h"
#include "util/timefmt.h"

#define DB "opendts_load"
#define BIG (16u << 20)

static struct my_conn *conn;   /* the writer's; NULL without the harness */
static struct my_conn *rd;     /* the reader's */
static char *old_packet;       /* max_allowed_packet to restore */

static const char *const cols[] = { "id", "vc", "bl", "tu", "bu", "bs", "de", "db",
				    "b64", "tm", "dz", "dtz", "js" };
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static const char *const corpus[] = {
	"DROP DATABASE IF EXISTS " DB,
	"CREATE DATABASE " DB " CHARACTER SET utf8mb4",
	"SET SESSION sql_mode = ''",
	"CREATE TABLE " DB ".src (id INT PRIMARY KEY, vc VARCHAR(100), bl LONGBLOB,"
	" tu TINYINT UNSIGNED, bu BIGINT UNSIGNED, bs BIGINT, de DECIMAL(65,30),"
	" db DOUBLE, b64 BIT(64), tm TIME, dz DATE, dtz DATETIME(6), js JSON)",
	"CREATE TABLE " DB ".dst LIKE " DB ".src",
	"INSERT INTO " DB ".src (id) VALUES (1)",
	"INSERT INTO " DB ".src VALUES (2, '', '', 0, 0, 0, 0, 0, 0, '00:00:00',"
	" '0000-00-00', '0000-00-00 00:00:00', '[]')",
	"INSERT INTO " DB ".src VALUES (3, 'NULL \xf0\x9f\x98\x80 caf\xc3\xa9', '\\\\N',"
	" 255, 18446744073709551615, -9223372036854775808,"
	" -99999999999999999999999999999999999.999999999999999999999999999999,"
	" 2.2250738585072014e-308, b'1111111111111111111111111111111111111111111111111111111111111111',"
	" '-838:59:59', '2024-00-00', '0000-00-00 00:00:00.000001',"
	" '{\"a\": \"x\\\\u0000\\\\n\\\\t\", \"b\": [1, 2.5e300, null]}')",
	"INSERT INTO " DB ".src VALUES (4, 'a\\tb\\nc\\\\d''e\"f\\rg', 'x\\0\\n\\t\\\\',"
	" 1, 9223372036854775808, 9223372036854775807,"
	" 99999999999999999999999999999999999.999999999999999999999999999999,"
	" 1.7976931348623157e308, b'1', '838:59:59', '9999-12-31',"
	" '9999-12-31 23:59:59.999999', '\"N\"')",
	"INSERT INTO " DB ".src (id, vc, db, b64) VALUES (5, 'N', 0.1, 256), (6, '\\\\N', -1e-300, 0)",
	NULL,
};

/* ---- fixture ------------------------------------------------------------- */

static struct my_conn *connect_env(bool infile, struct err *e)
{
	struct my_conn_opts o = { 0 };

	o.host = getenv("MY_HOST");
	o.port = atoi(getenv("MY_PORT"));
	o.user = getenv("MY_USER");
	o.password = getenv("MY_PASSWORD");
	o.local_infile = infile;
	o.read_timeout_s = 120;
	o.write_timeout_s = 120;
	return my_connect(&o, e);
}

/* Row 7: every byte value; row 8: the 16 MiB LONGBLOB of them. */
static int insert_binary_rows(struct err *e)
{
	struct buf sql;
	int rc;

	buf_init(&sql, BUF_UNLIMITED);
	buf_puts(&sql, "INSERT INTO " DB ".src (id, bl, vc) VALUES (7, UNHEX('");
	for (int i = 0; i < 256; i++)
		buf_printf(&sql, "%02X", i);
	buf_printf(&sql, "'), NULL), (8, REPEAT(UNHEX('");
	for (int i = 255; i >= 0; i--)
		buf_printf(&sql, "%02X", i);
	buf_printf(&sql, "'), %u), 'big')", BIG / 256);
	rc = my_query(conn, sql.data, e);
	buf_release(&sql);
	return rc;
}

static int group_setup(void **state)
{
	struct err e = { 0 };
	struct my_conn *admin;

	(void)state;
	if (!getenv("MY_HOST") || !getenv("MY_PORT"))
		return 0;
	admin = connect_env(false, &e);
	if (!admin || my_query_value(admin, "SELECT @@GLOBAL.max_allowed_packet",
				     &old_packet, &e) < 0 ||
	    my_query(admin, "SET GLOBAL max_allowed_packet = 67108864", &e) < 0) {
		fprintf(stderr, "harness MariaDB: %s\n", e.msg);
		my_close(admin);
		return -1;
	}
	my_close(admin);
	conn = connect_env(true, &e);
	rd = conn ? connect_env(false, &e) : NULL;
	if (!rd) {
		fprintf(stderr, "cannot connect to the harness MariaDB: %s\n", e.msg);
		return -1;
	}
	for (size_t i = 0; corpus[i]; i++)
		if (my_query(conn, corpus[i], &e) < 0) {
			fprintf(stderr, "corpus statement %zu failed: %s\n", i, e.msg);
			return -1;
		}
	if (insert_binary_rows(&e) < 0) {
		fprintf(stderr, "binary rows: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	struct err e = { 0 };
	char sql[100];

	(void)state;
	if (!conn)
		return 0;
	my_query(conn, "DROP DATABASE IF EXISTS " DB, &e);
	if (old_packet) {
		snprintf(sql, sizeof(sql), "SET GLOBAL max_allowed_packet = %s", old_packet);
		my_query(conn, sql, &e);
	}
	free(old_packet);
	my_close(rd);
	my_close(conn);
	return 0;
}

static bool need_server(void)
{
	if (!conn)
		print_message("skipping: MY_HOST/MY_PORT not set; run this test under "
			      "scripts/harness.sh run\n");
	return conn != NULL;
}

/* ---- helpers ------------------------------------------------------------- */

/* Streams `select` (text protocol) on the reader into the writer. */
static int copy_rows(const char *select, const char *table, const char *const *names,
		     size_t n, size_t chunk, int64_t *rows, struct err *e)
{
	MYSQL *m = my_raw(rd);
	MYSQL_RES *res;
	MYSQL_ROW row;
	struct my_load *l = my_load_begin(conn, DB, table, names, n, e);
	int rc = 0;

	assert_non_null(l);
	if (chunk)
		my_load_set_chunk(l, chunk);
	assert_int_equal(mysql_real_query(m, select, strlen(select)), 0);
	res = mysql_use_result(m);
	assert_non_null(res);
	while ((row = mysql_fetch_row(res))) {
		unsigned long *ul = mysql_fetch_lengths(res);
		size_t lens[NCOLS];

		for (size_t i = 0; i < n; i++)
			lens[i] = ul[i];
		if (rc == 0)
			rc = my_load_row(l, (const char *const *)row, lens, e);
	}
	assert_int_equal(mysql_errno(m), 0);
	mysql_free_result(res);
	if (rc < 0) {
		struct err ignored = { 0 };

		my_load_end(l, rows, NULL, &ignored);
		return -1;
	}
	return my_load_end(l, rows, NULL, e);
}

static long long count(const char *sql)
{
	struct err e = { 0 };
	char *v = NULL;
	long long n;

	if (my_query_value(conn, sql, &v, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	n = v ? atoll(v) : -1;
	free(v);
	return n;
}

/* ---- tests --------------------------------------------------------------- */

/* Rows of src missing from dst or different in any column (value or bytes). */
static long long mismatches(void)
{
	struct buf q;
	long long n;

	buf_init(&q, BUF_UNLIMITED);
	buf_puts(&q, "SELECT COUNT(*) FROM " DB ".src s LEFT JOIN " DB ".dst d USING (id) WHERE d.id IS NULL");
	for (size_t i = 1; i < NCOLS; i++)
		buf_printf(&q, " OR NOT (s.%s <=> d.%s) OR NOT (CAST(s.%s AS BINARY) <=> "
			   "CAST(d.%s AS BINARY))", cols[i], cols[i], cols[i], cols[i]);
	n = count(q.data);
	buf_release(&q);
	return n;
}

static void check_identical(void)
{
	assert_int_equal(mismatches(), 0);
	assert_int_equal(count("SELECT COUNT(*) FROM " DB ".dst"),
			 count("SELECT COUNT(*) FROM " DB ".src"));
}

static void test_awkward_values_byte_exact(void **state)
{
	struct err e = { 0 };
	int64_t rows = 0;

	(void)state;
	if (!need_server())
		return;
	assert_int_equal(my_query(conn, "TRUNCATE " DB ".dst", &e), 0);
	if (copy_rows("SELECT * FROM " DB ".src ORDER BY id", "dst", cols, NCOLS, 0,
		      &rows, &e) < 0)
		fail_msg("load failed: %s", e.msg);
	assert_int_equal(rows, 8);
	check_identical();
	/* NULL stays NULL and '' stays '' (not confused with \N or 'NULL'). */
	assert_int_equal(count("SELECT COUNT(*) FROM " DB ".dst WHERE vc IS NULL"), 2);
	assert_int_equal(count("SELECT COUNT(*) FROM " DB ".dst WHERE vc = ''"), 1);
	assert_int_equal(count("SELECT LENGTH(bl) FROM " DB ".dst WHERE id = 8"), BIG);
	assert_int_equal(count("SELECT LENGTH(bl) FROM " DB ".dst WHERE id = 7"), 256);
	/* The comparison itself sees a one-bit and a one-byte difference. */
	assert_int_equal(my_query(conn, "UPDATE " DB ".dst SET b64 = b64 ^ 1 WHERE id = 3", &e), 0);
	assert_int_equal(my_query(conn, "UPDATE " DB ".dst SET bl = INSERT(bl, 9000000, 1, 'x')"
				  " WHERE id = 8", &e), 0);
	assert_int_equal(mismatches(), 2);
}

static void test_small_chunks_byte_exact(void **state)
{
	struct err e = { 0 };
	int64_t rows = 0;

	(void)state;
	if (!need_server())
		return;
	assert_int_equal(my_query(conn, "TRUNCATE " DB ".dst", &e), 0);
	/* One statement per row or two: the row numbering and the handler
	 * reinstalled for every statement. */
	if (copy_rows("SELECT * FROM " DB ".src ORDER BY id", "dst", cols, NCOLS, 100,
		      &rows, &e) < 0)
		fail_msg("load failed: %s", e.msg);
	assert_int_equal(rows, 8);
	check_identical();
}

/* Loads n rows (id, v, n) where row `bad` carries the given v and t. */
static int load_with_bad_row(int bad, const char *v, const char *t, size_t chunk,
			     int64_t *rows, struct err *e)
{
	static const char *const names[] = { "id", "v", "t" };
	struct my_load *l = my_load_begin(conn, DB, "narrow", names, 3, e);
	int rc = 0;

	assert_non_null(l);
	my_load_set_chunk(l, chunk);
	for (int i = 1; i <= 10 && rc == 0; i++) {
		char id[16];
		const char *vals[3] = { id, i == bad ? v : "abc", i == bad ? t : "7" };
		size_t lens[3];

		snprintf(id, sizeof(id), "%d", i);
		for (int k = 0; k < 3; k++)
			lens[k] = strlen(vals[k]);
		rc = my_load_row(l, vals, lens, e);
	}
	if (rc < 0) {
		struct err again = { 0 };

		assert_int_equal(my_load_end(l, rows, NULL, &again), -1);
		assert_string_equal(again.msg, e->msg);
		return -1;
	}
	return my_load_end(l, rows, NULL, e);
}

static void test_refused_values_name_the_row(void **state)
{
	struct err e = { 0 };
	int64_t rows = -1;

	(void)state;
	if (!need_server())
		return;
	assert_int_equal(my_query(conn, "CREATE TABLE " DB ".narrow (id INT PRIMARY KEY,"
				  " v VARCHAR(3), t TINYINT) ENGINE=InnoDB", &e), 0);
	/* Too long, in the second chunk (rows 5-8: 4 rows of 8 bytes each). */
	assert_int_equal(load_with_bad_row(7, "abcd", "1", 30, &rows, &e), -1);
	print_message("refused: %s\n", e.msg);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "row 7 refused"));
	assert_non_null(strstr(e.msg, "for column 'v'"));
	assert_non_null(strstr(e.msg, "`" DB "`.`narrow`"));
	assert_int_equal(rows, 4);   /* the first chunk (rows of 8 bytes) only */
	assert_int_equal(count("SELECT COUNT(*) FROM " DB ".narrow"), 4);
	assert_int_equal(count("SELECT COUNT(*) FROM " DB ".narrow WHERE v <> 'abc'"), 0);

	/* Out of range, in the last (partial) chunk, found by my_load_end. */
	assert_int_equal(my_query(conn, "TRUNCATE " DB ".narrow", &e), 0);
	assert_int_equal(load_with_bad_row(10, "ab", "300", 1 << 20, &rows, &e), -1);
	print_message("refused: %s\n", e.msg);
	assert_non_null(strstr(e.msg, "row 10 refused"));
	assert_non_null(strstr(e.msg, "Out of range value for column 't'"));
	assert_int_equal(count("SELECT COUNT(*) FROM " DB ".narrow"), 0);

	/* Not a number at all, and a duplicate key (LOCAL would skip it). */
	assert_int_equal(load_with_bad_row(2, "ab", "x", 1 << 20, &rows, &e), -1);
	assert_non_null(strstr(e.msg, "row 2 refused"));
	assert_int_equal(my_query(conn, "INSERT INTO " DB ".narrow VALUES (5, 'z', 1)", &e), 0);
	assert_int_equal(load_with_bad_row(0, "", "", 1 << 20, &rows, &e), -1);
	print_message("duplicate: %s\n", e.msg);
	assert_non_null(strstr(e.msg, "Duplicate entry '5'"));
	assert_int_equal(count("SELECT COUNT(*) FROM " DB ".narrow"), 1);
}

static void test_statement_error_and_quoting(void **state)
{
	static const char *const bad[] = { "id", "no`such" };
	const char *vals[2] = { "1", "x" };
	size_t lens[2] = { 1, 1 };
	struct err e = { 0 };
	struct my_load *l;

	(void)state;
	if (!need_server())
		return;
	assert_null(my_load_begin(conn, DB, "narrow", bad, 0, &e));
	assert_int_equal(e.code, ERR_INVALID);
	l = my_load_begin(conn, DB, "narrow", bad, 2, &e);
	assert_non_null(l);
	assert_int_equal(my_load_row(l, vals, lens, &e), 0);
	assert_int_equal(my_load_end(l, NULL, NULL, &e), -1);
	print_message("unknown column: %s\n", e.msg);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "Unknown column 'no`such'"));
	assert_non_null(strstr(e.msg, "rows 1-1"));
	/* The connection is still usable. */
	assert_int_equal(count("SELECT 41 + 1"), 42);
}

static void test_throughput_200k(void **state)
{
	static const char *const names[] = { "id", "name", "amount", "score", "at" };
	struct err e = { 0 };
	struct my_load *l;
	int64_t rows = 0, t0, ms;
	size_t bytes = 0;

	(void)state;
	if (!need_server())
		return;
	assert_int_equal(my_query(conn, "CREATE TABLE " DB ".bulk (id INT PRIMARY KEY,"
				  " name VARCHAR(64), amount DECIMAL(12,2), score DOUBLE,"
				  " at DATETIME)", &e), 0);
	t0 = time_mono_ms();
	l = my_load_begin(conn, DB, "bulk", names, 5, &e);
	assert_non_null(l);
	for (int i = 1; i <= 200000; i++) {
		char id[16], name[64], amt[32], sc[32], at[32];
		const char *v[5] = { id, name, amt, sc, at };
		size_t lens[5];

		lens[0] = (size_t)snprintf(id, sizeof(id), "%d", i);
		lens[1] = (size_t)snprintf(name, sizeof(name), "customer\t%08d\\%s", i,
					   i % 3 ? "caf\xc3\xa9" : "x");
		lens[2] = (size_t)snprintf(amt, sizeof(amt), "%d.%02d", i * 7, i % 100);
		lens[3] = (size_t)snprintf(sc, sizeof(sc), "%.17g", i / 3.0);
		lens[4] = (size_t)snprintf(at, sizeof(at), "2024-01-%02d 12:%02d:%02d",
					   i % 28 + 1, i % 60, i % 59);
		for (int k = 0; k < 5; k++)
			bytes += lens[k] + 1;
		if (my_load_row(l, v, lens, &e) < 0)
			fail_msg("row %d: %s", i, e.msg);
	}
	if (my_load_end(l, &rows, NULL, &e) < 0)
		fail_msg("load failed: %s", e.msg);
	ms = time_mono_ms() - t0;
	if (ms < 1)
		ms = 1;
	assert_int_equal(rows, 200000);
	assert_int_equal(count("SELECT COUNT(*) FROM " DB ".bulk"), 200000);
	assert_int_equal(count("SELECT COUNT(*) FROM " DB ".bulk WHERE name LIKE 'customer\t%'"),
			 200000);
	print_message("200,000 rows in %lld ms: %.0f rows/s, %.1f MB/s\n", (long long)ms,
		      200000.0 * 1000 / ms, bytes / 1e6 * 1000 / ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_awkward_values_byte_exact),
		cmocka_unit_test(test_small_chunks_byte_exact),
		cmocka_unit_test(test_refused_values_name_the_row),
		cmocka_unit_test(test_statement_error_and_quoting),
		cmocka_unit_test(test_throughput_200k),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
