/*
 * test_full_pg.c - step 03 (full data) end to end, MariaDB to PostgreSQL 15:
 * a real dtsd copies the database itfp_src of the harness MariaDB into the
 * schema itfp_dst of the harness PostgreSQL (the schema step creates the
 * tables), then the tests read PostgreSQL's text output through libpq
 * (TimeZone UTC, IntervalStyle postgres, extra_float_digits 1) and compare
 * every value with what docs/type-mapping.md says it must be: integers
 * widened, unsigned BIGINT max as numeric, DECIMAL(65,30) with its scale,
 * FLOAT/DOUBLE as the same IEEE values (not their MySQL display text), BIT
 * as bit strings of the width, CHAR padded, binary as bytea (BINARY's zero
 * padding kept), DATETIME as the same digits, TIMESTAMP as the instant in
 * UTC, TIME as interval up to +-838:59:59, zero dates as NULL in nullable
 * columns, YEAR as smallint, JSON as an equal jsonb, ENUM/SET as text,
 * spatial values as their WKB, emoji and the COPY specials (\N, tab,
 * newline, backslash) unchanged. Strings and blobs are compared by MD5 with
 * the source, the 16 MB LONGBLOB included.
 *
 * Then keys: a composite (int, varchar) key under a case-insensitive
 * collation (MariaDB orders it unlike PostgreSQL), BIGINT UNSIGNED keys
 * above 2^63, VARBINARY keys, BIT(64) keys, a table without key with
 * duplicate rows, a table of 20 chunks (chunkRows 1000, 4 workers): every
 * row exactly once.
 * Generated columns (computed by PostgreSQL, not copied), an INVISIBLE
 * column, AUTO_INCREMENT 0, quoted names, latin1/utf8mb3/gbk text.
 * Verification across dialects against a destination whose trigger changes
 * rows as COPY loads them (DiffRow and keys; a REAL beyond 6 digits).
 * Last, rows PostgreSQL cannot take (a zero date in a NOT NULL column, a NUL
 * character in text) fail their tables' items with the row's key while the
 * other table is copied.
 *
 *     scripts/harness.sh run build/tests/integration/test_full_pg
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

#include "engines/mysql/my.h"
#include "engines/pg/pg.h"
#include "lib/itest.h"
#include "lib/itest_job.h"
#include "util/buf.h"

#define SRC "itfp_src"
#define DST "itfp_dst"
#define BSRC "itfp_bad"
#define BDST "itfp_bad_dst"

static const char *const TABLES[] = {
	"types", "comp", "ubig", "binkey", "bitkey", "nokey", "big", "gen", "autoinc", "odd name",
	"charsets", NULL
};
#define N_TABLES 11

static struct itest_dtsd D;
static struct itest_db MY, PG;
static struct my_conn *MYC;
static struct pg_conn *PGC;
static char JOB[64];
static bool JOB_FINISHED;

/* ---- SQL on both servers ------------------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* First column of the first row (caller frees); "" for no row, "NULL" for NULL. */
static char *my_text(const char *sql)
{
	struct err e = { 0 };
	struct my_rows *r = my_query_rows(MYC, sql, &e);
	char *v;

	if (!r)
		fail_msg("%.300s: %s", sql, e.msg);
	v = strdup(!my_rows_next(r) ? "" : my_rows_get(r, 0) ? my_rows_get(r, 0) : "NULL");
	my_rows_free(r);
	return v;
}

static long long my_num(const char *sql)
{
	char *v = my_text(sql);
	long long n = atoll(v);

	free(v);
	return n;
}

static struct pg_rows *pg_rows(const char *sql, int n, const char *const *params)
{
	struct err e = { 0 };
	struct pg_rows *r = pg_query_rows(PGC, sql, n, params, &e);

	if (!r)
		fail_msg("%.300s: %s", sql, e.msg);
	return r;
}

static void pg_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void pg_exec(const char *fmt, ...)
{
	struct err e = { 0 };
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (pg_query_value(PGC, sql, NULL, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
}

static char *pg_text(const char *sql)
{
	struct pg_rows *r = pg_rows(sql, 0, NULL);
	const char *v = pg_rows_count(r) ? pg_rows_get(r, 0, 0) : "";
	char *s = strdup(v ? v : "NULL");

	pg_rows_free(r);
	return s;
}

static long long pg_num(const char *sql)
{
	char *v = pg_text(sql);
	long long n = atoll(v);

	free(v);
	return n;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct strs {
	char **v;
	size_t n;
};

static void strs_free(struct strs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* The first column of every row, sorted: a multiset of row texts. */
static struct strs my_sorted(const char *sql)
{
	struct err e = { 0 };
	struct my_rows *r = my_query_rows(MYC, sql, &e);
	struct strs s = { 0 };

	if (!r)
		fail_msg("%.300s: %s", sql, e.msg);
	s.v = calloc(my_rows_count(r) + 1, sizeof(char *));
	while (my_rows_next(r))
		s.v[s.n++] = strdup(my_rows_get(r, 0) ? my_rows_get(r, 0) : "NULL");
	my_rows_free(r);
	qsort(s.v, s.n, sizeof(char *), cmp_str);
	return s;
}

static struct strs pg_sorted(const char *sql)
{
	struct pg_rows *r = pg_rows(sql, 0, NULL);
	struct strs s = { 0 };

	s.v = calloc(pg_rows_count(r) + 1, sizeof(char *));
	for (size_t i = 0; i < pg_rows_count(r); i++)
		s.v[s.n++] = strdup(pg_rows_get(r, i, 0) ? pg_rows_get(r, i, 0) : "NULL");
	pg_rows_free(r);
	qsort(s.v, s.n, sizeof(char *), cmp_str);
	return s;
}

/* The same rows on both sides, as a multiset of texts built by each query. */
static void assert_same_rows(const char *what, const char *my_sql, const char *pg_sql)
{
	struct strs a = my_sorted(my_sql), b = pg_sorted(pg_sql);

	for (size_t i = 0; i < a.n && i < b.n; i++)
		if (strcmp(a.v[i], b.v[i]) != 0)
			fail_msg("%s: first difference at sorted row %zu: source \"%.200s\", "
				 "destination \"%.200s\" (%zu vs %zu rows)", what, i, a.v[i], b.v[i],
				 a.n, b.n);
	if (a.n != b.n)
		fail_msg("%s: %zu rows in the source, %zu in the destination", what, a.n, b.n);
	assert_true(a.n > 0);
	strs_free(&a);
	strs_free(&b);
}

/* ---- jobs through dtsd ------------------------------------------------------------------------- */

/* A MariaDB -> PostgreSQL job of full data, and of the schema when structure. */
static void configure(char *id, const char *dblist, const char *reserve, bool structure)
{
	itest_job_configure(&D, id, &(struct itest_job_spec){
		.name = "full pg test", .dblist = dblist, .reserve = reserve,
		.structure = structure, .src = &MY, .dst = &PG, .dst_engine = "PostgreSQL" });
}


/* ---- the corpus ------------------------------------------------------------------------------------ */

static void all_bytes(struct buf *b)
{
	buf_puts(b, "X'");
	for (int i = 0; i < 256; i++)
		buf_printf(b, "%02X", i);
	buf_putc(b, '\'');
}

/* Like test_full_mysql.c's corpus, without what PostgreSQL refuses by
 * design (NUL in text, \u0000 in JSON: the last test covers those). */
static void create_types(struct buf *b)
{
	buf_puts(b,
		"CREATE TABLE types (id INT NOT NULL PRIMARY KEY, "
		"ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, "
		"mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, "
		"izf INT(10) UNSIGNED ZEROFILL, bi BIGINT, biu BIGINT UNSIGNED, "
		"dm DECIMAL(65,30), du DECIMAL(10,2) UNSIGNED, f FLOAT, d DOUBLE, "
		"b1 BIT(1), b64 BIT(64), "
		"c CHAR(10), vc VARCHAR(100), tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT, "
		"bn BINARY(16), vb VARBINARY(300), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, "
		"dt DATE, dtm DATETIME(6), dt0 DATETIME, ts TIMESTAMP(6) NULL, tm TIME(6), tm0 TIME, "
		"yr YEAR, js JSON, en ENUM('a','b''c','d\\\\e','\xC3\xA9'), "
		"st SET('r','w','x'), g GEOMETRY, pt POINT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4; ");
	buf_puts(b,
		"INSERT INTO types VALUES (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, 0, "
		"-9223372036854775808, 0, "
		"-99999999999999999999999999999999999.999999999999999999999999999999, 0, "
		"-3.402823466e+38, -1.7976931348623157e308, b'0', b'0', "
		"'', '', '', '', '', '', '', '', '', '', '', '', "
		"'1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00', "
		"'1970-01-01 00:00:01', '-838:59:59.999999', '-838:59:59', 1901, "
		"'[]', 'a', '', ST_GeomFromText('POINT(0 0)'), POINT(-180,-90)); ");
	buf_puts(b,
		"INSERT INTO types VALUES (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, "
		"4294967295, 4294967295, 9223372036854775807, 18446744073709551615, "
		"99999999999999999999999999999999999.999999999999999999999999999999, 99999999.99, "
		"3.402823466e+38, 1.7976931348623157e308, b'1', 0xFFFFFFFFFFFFFFFF, "
		"'abcdefghij', REPEAT('\xC3\xA9\xF0\x9F\x98\x80" "ab', 25), REPEAT('x', 255), "
		"REPEAT('t', 65535), REPEAT('m', 70000), REPEAT('l\xF0\x9F\x98\x80', 50000), "
		"X'000102030405060708090A0B0C0D0E0F', ");
	all_bytes(b);
	buf_puts(b,
		", REPEAT(X'FF', 255), REPEAT(X'00FF', 32767), REPEAT(X'5C00', 50000), "
		"REPEAT(X'0D0A', 100000), '9999-12-31', '9999-12-31 23:59:59.999999', "
		"'9999-12-31 23:59:59', '2038-01-19 03:14:07.999999', '838:59:59.999999', "
		"'838:59:59', 2155, '{\"b\":[1,2,{\"c\":null}],\"a\":\"\xC3\xA9\xF0\x9F\x98\x80\",\"n\":1.5}', "
		"'\xC3\xA9', 'r,w,x', "
		"ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0),(1 1,2 1,2 2,1 1))'), "
		"POINT(180,90)); ");
	buf_puts(b, "INSERT INTO types (id) VALUES (3); ");
	buf_puts(b,
		"INSERT INTO types VALUES (4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b'0', 0, "
		"'a', ' ', '', '', '', '', 'ab', '', '', '', '', '', "
		"'0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', "
		"'0000-00-00 00:00:00', '00:00:00', '00:00:00', 0, '{}', 'd\\\\e', '', "
		"ST_GeomFromText('LINESTRING(0 0,1 1,2 0)'), POINT(0,0)); ");
	buf_puts(b,
		"INSERT INTO types VALUES (5, 1, 2, 3, 4, 5, 6, 7, 8, 42, -1, 9223372036854775808, "
		"0.000000000000000000000000000001, 12345678.90, 0.1, 0.30000000000000004, "
		"b'1', b'101', '\xC3\xA9\xF0\x9F\x98\x80\\t', "
		"'tab\\tnl\\ncr\\rbs\\\\sq\\'dq\"end\\\\.', '\\\\N', 'NULL', 'x\\\\Ny', "
		"REPEAT('\xF0\x9F\x98\x80\xC3\xA9\\n', 1000), X'00', ");
	all_bytes(b);
	buf_puts(b,
		", X'5C4E', X'0A090D5C272200FF', REPEAT(X'5C', 1000), X'00', "
		"'2020-00-15', '2020-02-00 12:00:00.5', '2000-02-29 23:59:59', "
		"'2000-02-29 12:34:56.123456', '-00:00:01.5', '12:00:00', 2000, "
		"'{\"k\":\"v\\\\n\\\\t\\\\\\\\\",\"a\":[true,false,null]}', 'b''c', 'w', "
		"ST_GeomFromText('MULTIPOINT(1 1,2 2)', 4326), POINT(1.5,-2.25)); ");
	buf_puts(b,
		"INSERT INTO types (id, lb) VALUES (6, REPEAT(X'00FF5C0A0927220D', 2000000)); "
		"INSERT INTO types (id, f, d, lt) VALUES "
		"(7, 1.17549435e-38, 2.2250738585072014e-308, REPEAT('\xF0\x9F\x98\x80', 1000000)), "
		"(8, 1.4e-45, 5e-324, NULL), (9, 123.456, 1e0/3, NULL), "
		"(10, 16777217, -2.5e-300, NULL); ");
}

static void create_keys(struct buf *b)
{
	buf_puts(b,
		/* K/k alternate: MariaDB's _ci order is by the digits, PostgreSQL's
		 * (C) puts every 'K' before every 'k'. */
		"CREATE TABLE comp (a INT NOT NULL, b VARCHAR(20) COLLATE utf8mb4_general_ci "
		"  NOT NULL, v VARCHAR(32), PRIMARY KEY (a, b)); "
		"INSERT INTO comp SELECT seq % 4, CONCAT(IF(seq % 2, 'K', 'k'), LPAD(seq, 6, '0')), "
		"  MD5(seq) FROM seq_1_to_6000; "
		"INSERT INTO comp VALUES (0,'Zeta','z'),(0,'alpha','a'),(1,'\xC3\xA9','e'),"
		"  (1,'\xF0\x9F\x98\x80','emoji'),(2,'',NULL),(3,'x y',' '),(3,'b\\\\N','\\\\N'); "
		"CREATE TABLE ubig (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, v INT); "
		"INSERT INTO ubig SELECT seq * 6148914691236517, seq FROM seq_1_to_2999; "
		"INSERT IGNORE INTO ubig VALUES (0, 0), (9223372036854775807, -1), "
		"  (9223372036854775808, -2), (18446744073709551615, -3); "
		"CREATE TABLE binkey (k VARBINARY(16) NOT NULL PRIMARY KEY, v INT); "
		"INSERT INTO binkey SELECT UNHEX(MD5(seq)), seq FROM seq_1_to_2500; "
		"INSERT IGNORE INTO binkey VALUES (X'', 0), (X'00', -1), (X'0000', -2), (X'FF', -3), "
		"  (X'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', -4), (X'5C', -5), (X'27', -6), (X'0A', -7); "
		"CREATE TABLE bitkey (k BIT(64) NOT NULL PRIMARY KEY, v INT); "
		"INSERT INTO bitkey SELECT seq * 6148914691236517, seq FROM seq_1_to_2999; "
		"INSERT IGNORE INTO bitkey VALUES (0, 0), (1, -1), (0x8000000000000000, -2), "
		"  (0xFFFFFFFFFFFFFFFF, -3), (0x5C, -4); "
		"CREATE TABLE nokey (a INT, b VARCHAR(10)); "
		"INSERT INTO nokey SELECT seq % 100, IF(seq % 3 = 0, NULL, CONCAT('x', seq % 5)) "
		"  FROM seq_1_to_2500; "
		"INSERT INTO nokey VALUES (NULL, NULL), (NULL, NULL), (7, 'x\\tq'), (7, 'x\\tq'), "
		"  (8, '\\\\N'), (8, ''); "
		"CREATE TABLE big (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(40), n DECIMAL(12,3), "
		"  d DATETIME(6)); "
		"INSERT INTO big SELECT CAST(seq AS SIGNED) * 3 - 30000, MD5(seq), seq / 7, "
		"  '2020-01-01 00:00:00' + INTERVAL (seq * 1001) MICROSECOND FROM seq_1_to_20000; ");
}

/* Generated and INVISIBLE columns, AUTO_INCREMENT 0, names that need
 * quoting, other character sets. */
static void create_columns(struct buf *b)
{
	buf_puts(b,
		"CREATE TABLE gen (id INT PRIMARY KEY, a INT, g INT AS (a + 1) VIRTUAL, "
		"  s INT AS (a * 2) STORED, inv INT INVISIBLE DEFAULT 5); "
		"INSERT INTO gen (id, a, inv) SELECT seq, seq, seq * 10 FROM seq_1_to_1500; "
		"INSERT INTO gen (id, a) VALUES (0, NULL); "
		"CREATE TABLE autoinc (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT); "
		"SET sql_mode = 'NO_AUTO_VALUE_ON_ZERO,STRICT_TRANS_TABLES'; "
		"INSERT INTO autoinc VALUES (0, 100), (1, 101), (5, 105), (-3, 97); "
		"SET sql_mode = 'STRICT_TRANS_TABLES'; "
		"CREATE TABLE `odd name` (`select` INT NOT NULL PRIMARY KEY, `a b` VARCHAR(10), "
		"  `x``y` INT, `\xC3\xA9` VARCHAR(10), `\"q\"` INT); "
		"INSERT INTO `odd name` SELECT seq, CONCAT('v', seq), seq, '\xC3\xA9', -seq "
		"  FROM seq_1_to_1200; "
		"CREATE TABLE charsets (id INT PRIMARY KEY, l1 VARCHAR(20) CHARACTER SET latin1, "
		"  u3 VARCHAR(20) CHARACTER SET utf8mb3, gb VARCHAR(20) CHARACTER SET gbk, "
		"  asc7 VARCHAR(20) CHARACTER SET ascii); "
		"INSERT INTO charsets VALUES "
		"  (1, 'caf\xC3\xA9 \xC3\xBF \xE2\x82\xAC', '\xC3\xBC\xE4\xB8\xAD', "
		"   '\xE4\xB8\xAD\xE6\x96\x87', 'plain'), (2, '', '', '', ''), "
		"  (3, NULL, NULL, NULL, NULL); ");
}

static int setup(void **state)
{
	struct err e = { 0 };
	struct buf b;
	int rc;

	(void)state;
	if (!itest_mysql(&MY) || !itest_pg(&PG)) {
		fprintf(stderr, "test_full_pg: MY_* / PG_* not set; run under scripts/harness.sh\n");
		return -1;
	}
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "SET NAMES utf8mb4; SET time_zone = '+00:00'; "
		 "SET sql_mode = 'STRICT_TRANS_TABLES'; DROP DATABASE IF EXISTS " SRC "; "
		 "CREATE DATABASE " SRC " CHARACTER SET utf8mb4; USE " SRC "; ");
	create_types(&b);
	create_keys(&b);
	create_columns(&b);
	rc = itest_mysql_exec(buf_cstr(&b));
	buf_release(&b);
	if (rc < 0) {
		fprintf(stderr, "test_full_pg: cannot create the source corpus\n");
		return -1;
	}
	MYC = my_connect(&(struct my_conn_opts){ .host = MY.host, .port = MY.port,
						 .user = MY.user, .password = MY.password,
						 .read_timeout_s = 120 }, &e);
	PGC = pg_connect(&(struct pg_conn_opts){ .host = PG.host, .port = PG.port,
						 .user = PG.user, .password = PG.password,
						 .database = PG.database, .read_timeout_s = 120 }, &e);
	if (!MYC || !PGC || my_query(MYC, "SET time_zone = '+00:00'", &e) < 0 ||
	    my_query(MYC, "SET SESSION group_concat_max_len = 1073741824", &e) < 0 ||
	    pg_query_value(PGC, "SET client_min_messages = warning", NULL, &e) < 0 ||
	    pg_query_value(PGC, "SET TimeZone = 'UTC'", NULL, &e) < 0 ||
	    pg_query_value(PGC, "SET IntervalStyle = 'postgres'", NULL, &e) < 0 ||
	    pg_query_value(PGC, "SET DateStyle = 'ISO, MDY'", NULL, &e) < 0 ||
	    pg_query_value(PGC, "SET extra_float_digits = 1", NULL, &e) < 0 ||
	    pg_query_value(PGC, "SET bytea_output = 'hex'", NULL, &e) < 0 ||
	    pg_query_value(PGC, "DROP SCHEMA IF EXISTS " DST " CASCADE", NULL, &e) < 0 ||
	    pg_query_value(PGC, "DROP SCHEMA IF EXISTS " BDST " CASCADE", NULL, &e) < 0) {
		fprintf(stderr, "test_full_pg: %s\n", e.msg);
		return -1;
	}
	memset(&D, 0, sizeof(D));
	return itest_dtsd_start(&D, NULL, NULL);
}

static int teardown(void **state)
{
	(void)state;
	itest_dtsd_destroy(&D);
	my_close(MYC);
	pg_close(PGC);
	return 0;
}

/* ---- the main job ------------------------------------------------------------------------------- */

static void test_job_finishes(void **state)
{
	double t0 = now_s();

	(void)state;
	assert_int_equal(my_num("SELECT LENGTH(lb) FROM " SRC ".types WHERE id = 6"), 16000000);
	configure(JOB, "{\"" SRC "\":{\"name\":\"" DST "\",\"all\":true}}",
		  "{\"targetTableMode\":\"0\",\"autoStartModulesAfterConfig\":\"none\","
		  "\"opendts.full.chunkRows\":\"1000\",\"opendts.full.workers\":\"4\"}", true);
	itest_job_start(&D, JOB);
	itest_job_expect_status(&D, JOB, "Finished", 50000);
	JOB_FINISHED = true;
	print_message("job %s finished in %.1f s\n", JOB, now_s() - t0);
}

/* The columns whose PostgreSQL text is written out below, per row. */
static const char *const HAND[] = {
	"ti", "tiu", "si", "siu", "mi", "miu", "i", "iu", "izf", "bi", "biu", "dm", "du", "f", "d",
	"b1", "b64", "c", "dt", "dtm", "dt0", "ts", "tm", "tm0", "yr", "en", "st", NULL
};
#define N_HAND 27

#define DM_MAX "99999999999999999999999999999999999.999999999999999999999999999999"
#define DM_ZERO "0.000000000000000000000000000000"
#define B64_0 "0000000000000000000000000000000000000000000000000000000000000000"
#define B64_1 "1111111111111111111111111111111111111111111111111111111111111111"
#define B64_5 "0000000000000000000000000000000000000000000000000000000000000101"

struct expect_row {
	int id;
	const char *v[N_HAND];    /* NULL = SQL NULL */
};

static const struct expect_row EXPECT[] = {
	{ 1, { "-128", "0", "-32768", "0", "-8388608", "0", "-2147483648", "0", "0",
	       "-9223372036854775808", "0", "-" DM_MAX, "0.00", "-3.4028235e+38",
	       "-1.7976931348623157e+308", "0", B64_0, "          ", "1000-01-01",
	       "1000-01-01 00:00:00", "1000-01-01 00:00:00", "1970-01-01 00:00:01+00",
	       "-838:59:59.999999", "-838:59:59", "1901", "a", "" } },
	{ 2, { "127", "255", "32767", "65535", "8388607", "16777215", "2147483647",
	       "4294967295", "4294967295", "9223372036854775807", "18446744073709551615", DM_MAX,
	       "99999999.99", "3.4028235e+38", "1.7976931348623157e+308", "1", B64_1,
	       "abcdefghij", "9999-12-31", "9999-12-31 23:59:59.999999", "9999-12-31 23:59:59",
	       "2038-01-19 03:14:07.999999+00", "838:59:59.999999", "838:59:59", "2155",
	       "\xC3\xA9", "r,w,x" } },
	{ 3, { NULL } },
	/* zero dates arrive as NULL in nullable columns */
	{ 4, { "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", DM_ZERO, "0.00", "0", "0",
	       "0", B64_0, "a         ", NULL, NULL, NULL, NULL, "00:00:00", "00:00:00", "0",
	       "d\\e", "" } },
	{ 5, { "1", "2", "3", "4", "5", "6", "7", "8", "42", "-1", "9223372036854775808",
	       "0.000000000000000000000000000001", "12345678.90", "0.1", "0.30000000000000004",
	       "1", B64_5, "\xC3\xA9\xF0\x9F\x98\x80\t       ", NULL, NULL,
	       "2000-02-29 23:59:59", "2000-02-29 12:34:56.123456+00", "-00:00:01.5", "12:00:00",
	       "2000", "b'c", "w" } },
	{ 6, { NULL } },
	{ 7, { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	       "1.1754944e-38", "2.2250738585072014e-308" } },
	{ 8, { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	       "1e-45", "5e-324" } },
	{ 9, { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	       "123.456", "0.3333333333333333" } },
	{ 10, { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		"1.6777216e+07", "-2.5e-300" } },
};

/* Numbers, bits, CHAR, dates, times, YEAR, ENUM/SET: PostgreSQL's text for
 * every value of every row, as docs/type-mapping.md says. */
static void test_values_per_mapping(void **state)
{
	struct buf q, bad;

	(void)state;
	assert_true(JOB_FINISHED);
	assert_int_equal(pg_num("SELECT count(*) FROM " DST ".types"), 10);
	buf_init(&q, BUF_UNLIMITED);
	buf_init(&bad, BUF_UNLIMITED);
	for (size_t r = 0; r < sizeof(EXPECT) / sizeof(EXPECT[0]); r++) {
		struct pg_rows *rows;
		buf_reset(&q);
		buf_puts(&q, "SELECT ");
		for (int c = 0; c < N_HAND; c++)
			buf_printf(&q, "%s\"%s\"", c ? ", " : "", HAND[c]);
		buf_printf(&q, " FROM " DST ".types WHERE id = %d", EXPECT[r].id);
		rows = pg_rows(buf_cstr(&q), 0, NULL);
		if (pg_rows_count(rows) != 1)
			fail_msg("row id %d is missing in the destination", EXPECT[r].id);
		for (int c = 0; c < N_HAND; c++) {
			const char *got = pg_rows_get(rows, 0, c), *want = EXPECT[r].v[c];
			if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
				buf_printf(&bad, "\n  id %d %s: got %s%s%s, want %s%s%s", EXPECT[r].id,
					   HAND[c], got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
					   want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
		}
		pg_rows_free(rows);
	}
	buf_release(&q);
	/* Every column of the all-NULL row is NULL (all 42 but the key). */
	assert_int_equal(pg_num("SELECT count(*) FROM " DST ".types t, json_each_text(to_json(t)) j "
				"WHERE t.id = 3 AND j.value IS NULL"), 41);
	/* The types themselves, as the mapping says. */
	char *t = pg_text("SELECT string_agg(format_type(atttypid, atttypmod), ',' ORDER BY attnum) "
			  "FROM pg_attribute WHERE attrelid = '" DST ".types'::regclass AND "
			  "attnum > 0 AND NOT attisdropped AND attname IN ('biu', 'dm', 'b64', 'ts', "
			  "'tm', 'js', 'lb', 'yr')");
	assert_string_equal(t, "numeric(20,0),numeric(65,30),bit(64),bytea,"
			    "timestamp(6) with time zone,interval(6),smallint,jsonb");
	free(t);
	if (bad.len)
		fail_msg("values differ from docs/type-mapping.md:%s", buf_cstr(&bad));
	buf_release(&bad);
}

/* Strings and binary values by MD5 (the 16 MB value too), BINARY's
 * padding, every byte, spatial values as WKB, JSON as an equal jsonb. */
static void test_strings_binary_json_spatial(void **state)
{
	static const char *const cols[] = {
		"vc", "tt", "tx", "mt", "lt", "bn", "vb", "tb", "bl", "mb", "lb", NULL
	};
	struct buf my, pg;

	(void)state;
	assert_true(JOB_FINISHED);
	buf_init(&my, BUF_UNLIMITED);
	buf_init(&pg, BUF_UNLIMITED);
	buf_puts(&my, "SELECT CONCAT_WS('|', id");
	buf_puts(&pg, "SELECT concat_ws('|', id");
	for (const char *const *c = cols; *c; c++) {
		buf_printf(&my, ", IFNULL(MD5(%s), 'null')", *c);
		buf_printf(&pg, ", coalesce(md5(%s), 'null')", *c);
	}
	buf_puts(&my, ", IFNULL(LOWER(HEX(ST_AsWKB(g))), 'null'), "
		 "IFNULL(LOWER(HEX(ST_AsWKB(pt))), 'null')) FROM " SRC ".types");
	buf_puts(&pg, ", coalesce(encode(g, 'hex'), 'null'), coalesce(encode(pt, 'hex'), 'null')) "
		 "FROM " DST ".types");
	assert_same_rows("types: strings, binary, spatial", buf_cstr(&my), buf_cstr(&pg));
	buf_release(&my);
	buf_release(&pg);

	char *v = pg_text("SELECT encode(bn, 'hex') || ' ' || encode(tb, 'hex') || ' ' || "
			  "encode(bl, 'hex') FROM " DST ".types WHERE id = 5");
	assert_string_equal(v, "00000000000000000000000000000000 5c4e 0a090d5c272200ff");
	free(v);
	v = pg_text("SELECT encode(bn, 'hex') FROM " DST ".types WHERE id = 4");
	assert_string_equal(v, "61620000000000000000000000000000");
	free(v);
	v = pg_text("SELECT vb FROM " DST ".types WHERE id = 2");
	assert_int_equal(strlen(v), 2 + 512);
	assert_true(strncmp(v, "\\x000102", 8) == 0 && strcmp(v + 508, "fdfeff") == 0);
	free(v);
	v = pg_text("SELECT vc || '|' || tt || '|' || tx || '|' || mt FROM " DST ".types WHERE id = 5");
	assert_string_equal(v, "tab\tnl\ncr\rbs\\sq'dq\"end\\.|\\N|NULL|x\\Ny");
	free(v);
	assert_int_equal(pg_num("SELECT octet_length(lb) FROM " DST ".types WHERE id = 6"),
			 16000000);
	v = pg_text("SELECT vc FROM " DST ".types WHERE id = 4");
	assert_string_equal(v, " ");
	free(v);
	v = pg_text("SELECT pt FROM " DST ".types WHERE id = 5");
	assert_string_equal(v, "\\x0101000000000000000000f83f00000000000002c0");
	free(v);

	/* JSON: equal as jsonb to the source text, row by row. */
	for (int id = 1; id <= 5; id++) {
		char my_sql[128], *src;
		snprintf(my_sql, sizeof(my_sql), "SELECT js FROM " SRC ".types WHERE id = %d", id);
		src = my_text(my_sql);
		char idtxt[16];
		snprintf(idtxt, sizeof(idtxt), "%d", id);
		const char *params[] = { strcmp(src, "NULL") == 0 ? NULL : src, idtxt };
		struct pg_rows *r = pg_rows("SELECT js IS NOT DISTINCT FROM $1::jsonb FROM " DST
					    ".types WHERE id = $2::int", 2, params);
		if (pg_rows_count(r) != 1 || strcmp(pg_rows_get(r, 0, 0), "t") != 0)
			fail_msg("id %d: jsonb differs from the source %s", id, src);
		pg_rows_free(r);
		free(src);
	}
	v = pg_text("SELECT js FROM " DST ".types WHERE id = 2");
	assert_string_equal(v, "{\"a\": \"\xC3\xA9\xF0\x9F\x98\x80\", \"b\": [1, 2, {\"c\": null}], "
			    "\"n\": 1.5}");
	free(v);
}

/* Composite key under a _ci collation, unsigned and binary keys, no key,
 * many chunks: every row exactly once. */
static void test_keys_and_chunks_exact(void **state)
{
	(void)state;
	assert_true(JOB_FINISHED);
	assert_same_rows("comp",
		"SELECT CONCAT_WS('|', a, HEX(b), IFNULL(v, 'null')) FROM " SRC ".comp",
		"SELECT concat_ws('|', a, upper(encode(convert_to(b, 'UTF8'), 'hex')), "
		"coalesce(v, 'null')) FROM " DST ".comp");
	assert_int_equal(pg_num("SELECT count(*) FROM " DST ".comp"), 6007);
	assert_same_rows("ubig", "SELECT CONCAT(id, '|', v) FROM " SRC ".ubig",
			 "SELECT id || '|' || v FROM " DST ".ubig");
	assert_int_equal(pg_num("SELECT count(*) FROM " DST ".ubig WHERE id = 18446744073709551615"),
			 1);
	assert_same_rows("binkey", "SELECT CONCAT(LOWER(HEX(k)), '|', v) FROM " SRC ".binkey",
			 "SELECT encode(k, 'hex') || '|' || v FROM " DST ".binkey");
	assert_same_rows("bitkey", "SELECT CONCAT(LPAD(BIN(k + 0), 64, '0'), '|', v) FROM " SRC
			 ".bitkey", "SELECT k::text || '|' || v FROM " DST ".bitkey");
	assert_int_equal(pg_num("SELECT count(*) FROM " DST ".bitkey"), 3004);
	assert_same_rows("nokey",
		"SELECT CONCAT_WS('|', IFNULL(a, 'null'), IFNULL(HEX(b), 'null')) FROM " SRC ".nokey",
		"SELECT concat_ws('|', coalesce(a::text, 'null'), "
		"coalesce(upper(encode(convert_to(b, 'UTF8'), 'hex')), 'null')) FROM " DST ".nokey");
	assert_int_equal(pg_num("SELECT count(*) FROM " DST ".nokey WHERE a IS NULL AND b IS NULL"),
			 2);
	assert_int_equal(pg_num("SELECT count(*) FROM " DST ".nokey WHERE a = 8 AND b = '\\N'"), 1);
	assert_same_rows("big",
		"SELECT CONCAT_WS('|', id, v, n, DATE_FORMAT(d, '%Y-%m-%d %H:%i:%s.%f')) FROM "
		SRC ".big",
		"SELECT concat_ws('|', id, v, n, to_char(d, 'YYYY-MM-DD HH24:MI:SS.US')) FROM "
		DST ".big");
	assert_int_equal(pg_num("SELECT count(DISTINCT id) FROM " DST ".big"), 20000);
}

/* Generated columns computed by PostgreSQL (not copied), the INVISIBLE
 * column copied, AUTO_INCREMENT 0 kept, quoted names, charsets as UTF-8. */
static void test_special_columns_exact(void **state)
{
	(void)state;
	assert_true(JOB_FINISHED);
	assert_same_rows("gen",
		"SELECT CONCAT_WS('|', id, IFNULL(a, 'null'), IFNULL(g, 'null'), IFNULL(s, 'null'), "
		"inv) FROM " SRC ".gen",
		"SELECT concat_ws('|', id, coalesce(a::text, 'null'), coalesce(g::text, 'null'), "
		"coalesce(s::text, 'null'), inv) FROM " DST ".gen");
	assert_same_rows("autoinc", "SELECT CONCAT(id, '|', v) FROM " SRC ".autoinc",
			 "SELECT id || '|' || v FROM " DST ".autoinc");
	assert_same_rows("odd name",
		"SELECT CONCAT_WS('|', `select`, `a b`, `x``y`, HEX(`\xC3\xA9`), `\"q\"`) FROM "
		SRC ".`odd name`",
		"SELECT concat_ws('|', \"select\", \"a b\", \"x`y\", "
		"upper(encode(convert_to(\"\xC3\xA9\", 'UTF8'), 'hex')), \"\"\"q\"\"\") FROM "
		DST ".\"odd name\"");
	assert_same_rows("charsets",
		"SELECT CONCAT_WS('|', id, IFNULL(HEX(CONVERT(l1 USING utf8mb4)), 'null'), "
		"IFNULL(HEX(CONVERT(u3 USING utf8mb4)), 'null'), "
		"IFNULL(HEX(CONVERT(gb USING utf8mb4)), 'null'), IFNULL(HEX(asc7), 'null')) FROM "
		SRC ".charsets",
		"SELECT concat_ws('|', id, coalesce(upper(encode(convert_to(l1, 'UTF8'), 'hex')), "
		"'null'), coalesce(upper(encode(convert_to(u3, 'UTF8'), 'hex')), 'null'), "
		"coalesce(upper(encode(convert_to(gb, 'UTF8'), 'hex')), 'null'), "
		"coalesce(upper(encode(convert_to(asc7, 'UTF8'), 'hex')), 'null')) FROM "
		DST ".charsets");
	char *v = pg_text("SELECT l1 || '|' || u3 || '|' || gb FROM " DST ".charsets WHERE id = 1");
	assert_string_equal(v, "caf\xC3\xA9 \xC3\xBF \xE2\x82\xAC|\xC3\xBC\xE4\xB8\xAD|"
			    "\xE4\xB8\xAD\xE6\x96\x87");
	free(v);
	assert_int_equal(pg_num("SELECT count(*) FROM " DST ".gen WHERE g = a + 1 AND s = a * 2"),
			 1500);
	assert_int_equal(pg_num("SELECT v FROM " DST ".autoinc WHERE id = 0"), 100);
}

static void test_items_and_progress(void **state)
{
	long long sum = 0;
	cJSON *r;

	(void)state;
	assert_true(JOB_FINISHED);
	r = itest_job_items(&D, JOB, "03");
	assert_string_equal(itest_str(r, "State"), "Finished");
	assert_int_equal((int)itest_num(r, "ErrorItem"), 0);
	assert_int_equal((int)itest_num(r, "Total"), N_TABLES);
	for (const char *const *t = TABLES; *t; t++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM " SRC ".`%s`", *t);
		long long n = my_num(sql);
		const cJSON *it = itest_item_find(r, SRC, *t);
		if (strcmp(itest_str(it, "State"), "Success") != 0)
			fail_msg("item %s is %s: %s", *t, itest_str(it, "State"),
				 itest_item_logs(it));
		assert_string_equal(itest_str(it, "SourceSchema"), SRC);
		assert_string_equal(itest_str(it, "DestSchema"), DST);
		assert_string_equal(itest_str(it, "TargetNames"), *t);
		assert_int_equal((long long)itest_num(it, "Total"), n);
		assert_int_equal(atoll(itest_str(it, "Current")), n);
		assert_int_equal((long long)itest_num(it, "DiffRow"), 0);
		sum += n;
	}
	if (!itest_item_logs_mention(itest_item_find(r, SRC, "nokey"), "INFO", " pass"))
		fail_msg("item nokey: no INFO log about the single pass: %s",
			 itest_item_logs(itest_item_find(r, SRC, "nokey")));
	cJSON_Delete(r);
	r = itest_job_detail(&D, JOB);
	const cJSON *s = cJSON_GetObjectItem(r, "DataInitializationStatus");
	assert_string_equal(itest_str(s, "Status"), "Finished");
	assert_string_equal(itest_str(s, "Percent"), "100");
	assert_int_equal(atoll(itest_str(s, "Progress")), sum);
	cJSON_Delete(r);
}

/* A PostgreSQL destination schema whose trigger changes the rows of t
 * listed in `ids` as COPY loads them: 7 a number, 8 the case of a string,
 * 9 a trailing space, 150 x/y 'ab#','c' -> 'ab','#c' and 350 -> 'a','b#c'
 * (equal once joined with '#' or concatenated), 250 a REAL 16777216 ->
 * 16777218 (equal in 6 digits). Chunks of 100 rows: 150, 250 and 350 are
 * alone in theirs. Runs a data-only job from itfp_vsrc.t into it and
 * returns the item of t (in *reply, which the caller frees) and the job's
 * final status in st. */
static const cJSON *run_tampered_job(const char *schema, const char *ids, cJSON **reply,
				     char *st)
{
	struct err e = { 0 };
	char id[64], sql[1024], dblist[128], *got;

	if (itest_mysql_exec("DROP DATABASE IF EXISTS itfp_vsrc; CREATE DATABASE itfp_vsrc; "
			     "USE itfp_vsrc; CREATE TABLE t (id INT PRIMARY KEY, v INT, "
			     "s VARCHAR(20), x VARCHAR(10), y VARCHAR(10), f FLOAT); "
			     "INSERT INTO t SELECT seq, seq, 'abc', 'ab#', 'c', 16777216 "
			     "FROM seq_1_to_1000") < 0)
		fail_msg("cannot create itfp_vsrc");
	pg_exec("DROP SCHEMA IF EXISTS %s CASCADE", schema);
	pg_exec("CREATE SCHEMA %s", schema);
	pg_exec("CREATE TABLE %s.t (id integer PRIMARY KEY, v integer, s character varying(20), "
		"x character varying(10), y character varying(10), f real)", schema);
	pg_exec("CREATE FUNCTION %s.tamper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
		"IF NOT NEW.id = ANY (string_to_array(TG_ARGV[0], ',')::int[]) THEN RETURN NEW; "
		"END IF; IF NEW.id = 7 THEN NEW.v := NEW.v + 1; "
		"ELSIF NEW.id = 8 THEN NEW.s := upper(NEW.s); ELSIF NEW.id = 9 THEN "
		"NEW.s := NEW.s || ' '; ELSIF NEW.id = 150 THEN NEW.x := 'ab'; NEW.y := '#c'; "
		"ELSIF NEW.id = 250 THEN NEW.f := 16777218; ELSIF NEW.id = 350 THEN "
		"NEW.x := 'a'; NEW.y := 'b#c'; END IF; RETURN NEW; END $$", schema);
	snprintf(sql, sizeof(sql), "CREATE TRIGGER tamper BEFORE INSERT ON %s.t FOR EACH ROW "
		 "EXECUTE FUNCTION %s.tamper('%s')", schema, schema, ids);
	if (pg_query_value(PGC, sql, NULL, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	snprintf(dblist, sizeof(dblist), "{\"itfp_vsrc\":{\"name\":\"%s\",\"all\":true}}", schema);
	configure(id, dblist, "{\"autoStartModulesAfterConfig\":\"none\","
		  "\"opendts.full.chunkRows\":\"100\"}", false);
	itest_job_start(&D, id);
	got = itest_wait_status(&D, id, 40000, "Finished", "MigrationFailed", "PrecheckFailed",
				NULL);
	snprintf(st, 32, "%s", got ? got : "");
	free(got);
	*reply = itest_job_items(&D, id, "03");
	return itest_item_find(*reply, "itfp_vsrc", "t");
}

/* Verification across dialects counts exactly the rows changed and names
 * their keys; without repair nor an incremental step the job fails. */
static void test_verification_counts_differences(void **state)
{
	char st[32];
	cJSON *r;

	(void)state;
	const cJSON *it = run_tampered_job("itfp_vdst", "7,8,9,150,350", &r, st);
	if (itest_num(it, "DiffRow") != 5 || !itest_item_logs_mention(it, NULL, "(id)=(7)") ||
	    !itest_item_logs_mention(it, NULL, "(id)=(8)") ||
	    !itest_item_logs_mention(it, NULL, "(id)=(9)") ||
	    !itest_item_logs_mention(it, NULL, "(id)=(150)") ||
	    !itest_item_logs_mention(it, NULL, "(id)=(350)"))
		itest_fail_free(r, "job %s, item t: %s DiffRow %g (expected 5) %s", st,
				itest_str(it, "State"), itest_num(it, "DiffRow"),
				itest_item_logs(it));
	assert_string_equal(itest_str(it, "Current"), "1000");
	assert_string_equal(st, "MigrationFailed");
	cJSON_Delete(r);
	assert_int_equal(pg_num("SELECT v FROM itfp_vdst.t WHERE id = 7"), 8);
	assert_int_equal(pg_num("SELECT count(*) FROM itfp_vdst.t WHERE (id = 150 AND y = '#c') OR "
				"(id = 350 AND y = 'b#c')"), 2);
}

/* A REAL that differs from the source's FLOAT beyond 6 significant digits
 * is a different value (the copy keeps all of them): DiffRow 1. */
static void test_verification_sees_float_change(void **state)
{
	char st[32];
	cJSON *r;

	(void)state;
	const cJSON *it = run_tampered_job("itfp_vflt", "250", &r, st);
	assert_int_equal(pg_num("SELECT count(*) FROM itfp_vflt.t WHERE id = 250 AND "
				"f = 16777218"), 1);
	if (itest_num(it, "DiffRow") != 1 || !itest_item_logs_mention(it, NULL, "(id)=(250)"))
		itest_fail_free(r, "job %s, item t: %s DiffRow %g (expected 1: id 250, "
				"16777216 -> 16777218) %s", st, itest_str(it, "State"),
				itest_num(it, "DiffRow"), itest_item_logs(it));
	cJSON_Delete(r);
}

/* ---- rows PostgreSQL cannot take ------------------------------------------------------------------- */

static void test_unconvertible_rows_fail_items(void **state)
{
	char id[64];
	cJSON *r;
	double t0 = now_s();

	(void)state;
	if (itest_mysql_exec("DROP DATABASE IF EXISTS " BSRC "; CREATE DATABASE " BSRC "; "
			     "USE " BSRC "; SET sql_mode = 'STRICT_TRANS_TABLES'; "
			     "CREATE TABLE " BSRC ".zd_nn (a INT NOT NULL, b VARCHAR(10) NOT NULL, "
			     "  d DATE NOT NULL, PRIMARY KEY (a, b)); "
			     "INSERT INTO " BSRC ".zd_nn VALUES (1, 'b1', '2020-01-01'), "
			     "  (2, 'b2', '0000-00-00'), (3, 'b3', '2021-01-01'); "
			     "CREATE TABLE " BSRC ".nul_txt (id INT PRIMARY KEY, s VARCHAR(10)); "
			     "INSERT INTO " BSRC ".nul_txt VALUES (1, 'a'), (2, 'b'), (3, 'c'), "
			     "  (4, 'a\\0b'), (5, 'e'); "
			     "CREATE TABLE " BSRC ".okt (id INT PRIMARY KEY, v INT); "
			     "INSERT INTO " BSRC ".okt SELECT seq, seq FROM seq_1_to_50") < 0)
		fail_msg("cannot create " BSRC);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " BSRC ".nul_txt WHERE s = 'a\\0b'"), 1);
	configure(id, "{\"" BSRC "\":{\"name\":\"" BDST "\",\"all\":true}}",
		  "{\"targetTableMode\":\"0\",\"autoStartModulesAfterConfig\":\"none\"}", true);
	itest_job_start(&D, id);
	itest_job_expect_status(&D, id, "MigrationFailed", 40000);
	print_message("job %s failed as expected in %.1f s\n", id, now_s() - t0);

	r = itest_job_items(&D, id, "03");
	const cJSON *zd = itest_item_find(r, BSRC, "zd_nn");
	if (strcmp(itest_str(zd, "State"), "Failed") != 0 ||
	    !itest_item_logs_mention(zd, "ERROR", "(a,b)=(2,'b2')"))
		fail_msg("item zd_nn: %s %s", itest_str(zd, "State"), itest_item_logs(zd));
	const cJSON *nul = itest_item_find(r, BSRC, "nul_txt");
	if (strcmp(itest_str(nul, "State"), "Failed") != 0 ||
	    !itest_item_logs_mention(nul, "ERROR", "(id)=(4)"))
		fail_msg("item nul_txt: %s %s", itest_str(nul, "State"), itest_item_logs(nul));
	const cJSON *ok = itest_item_find(r, BSRC, "okt");
	if (strcmp(itest_str(ok, "State"), "Success") != 0)
		fail_msg("item okt: %s %s", itest_str(ok, "State"), itest_item_logs(ok));
	assert_int_equal((int)itest_num(r, "ErrorItem"), 2);
	cJSON_Delete(r);
	assert_int_equal(pg_num("SELECT count(*) FROM " BDST ".okt"), 50);
	/* Nothing was invented for the zero date. */
	assert_int_equal(pg_num("SELECT count(*) FROM " BDST ".zd_nn WHERE a = 2"), 0);
	r = itest_job_detail(&D, id);
	assert_string_equal(itest_str(cJSON_GetObjectItem(r, "DataInitializationStatus"), "Status"),
			    "Failed");
	cJSON_Delete(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_finishes),
		cmocka_unit_test(test_values_per_mapping),
		cmocka_unit_test(test_strings_binary_json_spatial),
		cmocka_unit_test(test_keys_and_chunks_exact),
		cmocka_unit_test(test_special_columns_exact),
		cmocka_unit_test(test_items_and_progress),
		cmocka_unit_test(test_verification_counts_differences),
		cmocka_unit_test(test_verification_sees_float_change),
		cmocka_unit_test(test_unconvertible_rows_fail_items),
	};

	return cmocka_run_group_tests_name("full_pg", tests, setup, teardown);
}
