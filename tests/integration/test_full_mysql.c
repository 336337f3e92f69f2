/*
 * test_full_mysql.c - step 03 (full data) end to end, MariaDB to MariaDB: a
 * real dtsd copies the database itfm_src of the harness MariaDB into
 * itfm_dst on the same server (DbList rename; the schema step creates the
 * tables), then the tests compare both sides from the test's own connection:
 * every column of every row by a digest of its exact bytes (ORDER BY the
 * key), the multiset of whole rows, CHECKSUM TABLE, and the step's items
 * (DescribePreCheckStatus JobCode 03) and module status
 * (DescribeDtsJobDetail).
 *
 * The corpus: one table with every MariaDB type at its limits (signed and
 * unsigned integer minima and maxima, DECIMAL(65,30), FLOAT/DOUBLE extremes
 * and values whose display text is not their value, BIT(64), utf8mb4 with
 * emoji, every byte 0x00..0xFF, the LOAD DATA specials \N, tab, newline,
 * backslash, quotes and NUL, a 16 MB LONGBLOB, zero dates, TIME +-838:59:59,
 * JSON, ENUM/SET, spatial values, NULL in every nullable column, empty
 * strings); keys of every shape (composite int+varchar, a UNIQUE NOT NULL
 * key only, a nullable UNIQUE key = no usable key, no key with duplicate
 * rows, BIGINT UNSIGNED above 2^63, VARBINARY with NUL/0xFF bytes, DATETIME
 * with a zero date, BIT(64)); generated and INVISIBLE columns, an
 * AUTO_INCREMENT 0, names that need quoting, latin1/utf8mb3/gbk columns; an
 * empty table; tables of many chunks (chunkRows 1000, 4 workers). The
 * comparison itself is checked on server-made copies (equal, then changed).
 *
 * Then jobs of their own: DbList renames of database, table and columns;
 * verification against a destination whose trigger changes rows as they
 * are loaded (DiffRow, the keys in the Logs, the job failing; changes a
 * joined-text checksum cannot see; a FLOAT beyond its 6-digit display) and
 * repair; last, a row the destination refuses (a narrower column in a
 * pre-created destination table) fails its table's item with the row's key
 * while the other table is copied.
 *
 *     scripts/harness.sh run build/tests/integration/test_full_mysql
 *
 * Single-threaded; the job ids of the first test are shared with the next
 * ones through statics (cmocka runs the tests in order).
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
#include "lib/itest.h"
#include "lib/itest_job.h"
#include "util/buf.h"

#define SRC "itfm_src"
#define DST "itfm_dst"
#define RSRC "itfm_rsrc"
#define RDST "itfm_rdst"

/* The tables of SRC, in the order of the checks. */
static const char *const TABLES[] = {
	"types", "comp", "uniq", "uniqnull", "nokey", "empty", "big", "ubig", "binkey",
	"dtkey", "bitkey", "gen", "autoinc", "odd name", "charsets", NULL
};
#define N_TABLES 15

static struct itest_dtsd D;
static struct itest_db MY;
static struct my_conn *MYC;
static char JOB[64];          /* the main job (all of SRC into DST) */
static bool JOB_FINISHED;

/* ---- SQL on the harness MariaDB ----------------------------------------------- */

static void my_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void my_exec(const char *fmt, ...)
{
	struct err e = { 0 };
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (my_query(MYC, sql, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
}

/* A formatted string on the heap (caller frees). */
static char *fmt_alloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *fmt_alloc(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* First column of the first row (caller frees); "" for no row, "NULL" for NULL. */
static char *my_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *my_text(const char *fmt, ...)
{
	struct err e = { 0 };
	struct my_rows *r;
	char *sql = NULL, *v;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sql = malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(sql, (size_t)n + 1, fmt, ap);
	va_end(ap);
	r = my_query_rows(MYC, sql, &e);
	if (!r)
		fail_msg("%.300s: %s", sql, e.msg);
	free(sql);
	v = strdup(!my_rows_next(r) ? "" : my_rows_get(r, 0) ? my_rows_get(r, 0) : "NULL");
	my_rows_free(r);
	return v;
}

static long long my_num(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long my_num(const char *fmt, ...)
{
	char sql[2048], *v;
	long long n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	v = my_text("%s", sql);
	n = atoll(v);
	free(v);
	return n;
}

/* A script of several statements through the mariadb client. */
static void script(const char *sql)
{
	if (itest_mysql_exec(sql) < 0)
		fail_msg("script failed: %.300s", sql);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- comparing two tables -------------------------------------------------------- */

struct col {
	char name[64];
	char type[32];
};

static size_t columns_of(const char *schema, const char *table, struct col *cols, size_t max)
{
	struct err e = { 0 };
	struct my_rows *r;
	char sql[512];
	size_t n = 0;

	snprintf(sql, sizeof(sql), "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
		 "WHERE TABLE_SCHEMA='%s' AND TABLE_NAME='%s' ORDER BY ORDINAL_POSITION",
		 schema, table);
	r = my_query_rows(MYC, sql, &e);
	if (!r)
		fail_msg("%s: %s", sql, e.msg);
	while (my_rows_next(r) && n < max) {
		snprintf(cols[n].name, sizeof(cols[n].name), "%s", my_rows_get(r, 0));
		snprintf(cols[n].type, sizeof(cols[n].type), "%s", my_rows_get(r, 1));
		n++;
	}
	my_rows_free(r);
	return n;
}

static bool type_in(const char *type, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(type, *list) == 0)
			return true;
	return false;
}

/* An expression whose text is the exact value of column c: numbers and
 * dates as text (FLOAT/DOUBLE through a double, whose text round-trips,
 * unlike FLOAT's 6-digit display), BIT as hex, everything else (strings,
 * binary, JSON, ENUM/SET, spatial) as its length and the MD5 of its bytes. */
static void col_expr(struct buf *b, const struct col *c)
{
	static const char *const as_text[] = {
		"tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "year", "date",
		"datetime", "timestamp", "time", NULL
	};
	struct buf q;

	buf_init(&q, BUF_UNLIMITED);
	my_quote_ident(&q, c->name);
	const char *n = buf_cstr(&q);
	if (strcmp(c->type, "float") == 0 || strcmp(c->type, "double") == 0)
		buf_printf(b, "IFNULL(CAST(%s*1e0 AS CHAR),'-')", n);
	else if (type_in(c->type, as_text))
		buf_printf(b, "IFNULL(CAST(%s AS CHAR),'-')", n);
	else if (strcmp(c->type, "bit") == 0)
		buf_printf(b, "IFNULL(HEX(%s+0),'-')", n);
	else
		buf_printf(b, "IFNULL(CONCAT(LENGTH(%s),':',MD5(%s)),'-')", n, n);
	buf_release(&q);
}

/* MD5 of the column's values in key order. Caller frees. */
static char *column_digest(const char *schema, const char *table, const struct col *c,
			   const char *order_by)
{
	struct buf q;
	char *v;

	buf_init(&q, BUF_UNLIMITED);
	buf_puts(&q, "SELECT MD5(GROUP_CONCAT(");
	col_expr(&q, c);
	buf_printf(&q, " ORDER BY %s SEPARATOR ',')) FROM `%s`.`%s`", order_by, schema, table);
	v = my_text("%s", buf_cstr(&q));
	buf_release(&q);
	return v;
}

/* "<rows>/<MD5 of the sorted row digests>": equal for equal multisets of
 * rows, whatever the order or the key. Caller frees. */
static char *rows_digest(const char *schema, const char *table, const struct col *cols,
			 size_t n)
{
	struct buf q;
	char *v;

	buf_init(&q, BUF_UNLIMITED);
	buf_puts(&q, "SELECT CONCAT(COUNT(*),'/',IFNULL(MD5(GROUP_CONCAT(r ORDER BY r SEPARATOR ',')),"
		 "'')) FROM (SELECT MD5(CONCAT_WS('|'");
	for (size_t i = 0; i < n; i++) {
		buf_putc(&q, ',');
		col_expr(&q, &cols[i]);
	}
	buf_printf(&q, ")) AS r FROM `%s`.`%s`) AS x", schema, table);
	v = my_text("%s", buf_cstr(&q));
	buf_release(&q);
	return v;
}

/* How DST's (or dst_schema's) copy of table differs from src_schema's,
 * or NULL when both hold the same rows with the same bytes. order_by: the
 * key, for a column-by-column comparison (NULL: rows as a multiset only).
 * Caller frees. */
static char *table_diff(const char *src_schema, const char *dst_schema, const char *table,
			const char *order_by)
{
	struct col cols[64], dcols[64];
	size_t n = columns_of(src_schema, table, cols, 64);
	size_t dn = columns_of(dst_schema, table, dcols, 64);
	char *a, *b, *msg = NULL;

	if (n == 0 || dn != n)
		return strdup(dn == 0 ? "the destination table does not exist"
			      : "the column lists differ");
	a = rows_digest(src_schema, table, cols, n);
	b = rows_digest(dst_schema, table, cols, n);
	if (strcmp(a, b) != 0)
		msg = fmt_alloc("rows differ: source %s, destination %s", a, b);
	free(a);
	free(b);
	for (size_t i = 0; order_by && i < n; i++) {
		a = column_digest(src_schema, table, &cols[i], order_by);
		b = column_digest(dst_schema, table, &cols[i], order_by);
		if (strcmp(a, b) != 0) {
			char *more = fmt_alloc("%s; column %s (%s) differs", msg ? msg : "",
					       cols[i].name, cols[i].type);
			free(msg);
			msg = more;
		}
		free(a);
		free(b);
	}
	return msg;
}

static void assert_same_table(const char *table, const char *order_by)
{
	char *d = table_diff(SRC, DST, table, order_by);

	if (d)
		fail_msg("%s." "%s: %s", DST, table, d);
}

static void assert_same_checksum(const char *src_schema, const char *dst_schema,
				 const char *table)
{
	struct err e = { 0 };
	struct my_rows *r;
	char sql[256], a[64] = "", b[64] = "";

	snprintf(sql, sizeof(sql), "CHECKSUM TABLE `%s`.`%s`, `%s`.`%s` EXTENDED", src_schema,
		 table, dst_schema, table);
	r = my_query_rows(MYC, sql, &e);
	if (!r)
		fail_msg("%s: %s", sql, e.msg);
	if (my_rows_next(r) && my_rows_get(r, 1))
		snprintf(a, sizeof(a), "%s", my_rows_get(r, 1));
	if (my_rows_next(r) && my_rows_get(r, 1))
		snprintf(b, sizeof(b), "%s", my_rows_get(r, 1));
	my_rows_free(r);
	if (!*a || strcmp(a, b) != 0)
		fail_msg("CHECKSUM TABLE %s: source %s, destination %s", table, a, b);
}

/* ---- jobs through dtsd -------------------------------------------------------------- */

/* A MariaDB -> MariaDB job of full data, and of the schema when structure. */
static void configure(char *id, const char *dblist, const char *reserve, bool structure)
{
	itest_job_configure(&D, id, &(struct itest_job_spec){
		.name = "full mysql test", .dblist = dblist, .reserve = reserve,
		.structure = structure, .src = &MY, .dst = &MY, .dst_engine = "MySQL" });
}


/* State Success, Total and Current = rows, DiffRow 0, the names. */
static void assert_item_copied(const cJSON *reply, const char *table, long long rows)
{
	const cJSON *it = itest_item_find(reply, SRC, table);
	const cJSON *cur = cJSON_GetObjectItem(it, "Current");

	if (strcmp(itest_str(it, "State"), "Success") != 0)
		fail_msg("item %s is %s: %s", table, itest_str(it, "State"), itest_item_logs(it));
	assert_string_equal(itest_str(it, "Item"), table);
	assert_string_equal(itest_str(it, "TargetNames"), table);
	assert_string_equal(itest_str(it, "SourceSchema"), SRC);
	assert_string_equal(itest_str(it, "DestSchema"), DST);
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(it, "Total")));
	assert_int_equal((long long)itest_num(it, "Total"), rows);
	assert_true(cJSON_IsString(cur));
	assert_int_equal(atoll(cur->valuestring), rows);
	assert_int_equal((long long)itest_num(it, "DiffRow"), 0);
}

/* ---- the corpus ---------------------------------------------------------------------------- */

/* X'000102...FF' */
static void all_bytes(struct buf *b)
{
	buf_puts(b, "X'");
	for (int i = 0; i < 256; i++)
		buf_printf(b, "%02X", i);
	buf_putc(b, '\'');
}

/* The table with every type, and its rows (see the file comment). ENUM
 * members are ASCII or BMP: MariaDB keeps table metadata in utf8mb3, so a
 * 4-byte member would read back as '?' from any catalog (SHOW CREATE TABLE
 * too), and no tool could re-create the column. */
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
	/* 1: minima, empty strings */
	buf_puts(b,
		"INSERT INTO types VALUES (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, 0, "
		"-9223372036854775808, 0, "
		"-99999999999999999999999999999999999.999999999999999999999999999999, 0, "
		"-3.402823466e+38, -1.7976931348623157e308, b'0', b'0', "
		"'', '', '', '', '', '', '', '', '', '', '', '', "
		"'1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00', "
		"'1970-01-01 00:00:01', '-838:59:59.999999', '-838:59:59', 1901, "
		"'[]', 'a', '', ST_GeomFromText('POINT(0 0)'), POINT(-180,-90)); ");
	/* 2: maxima, long values, every byte */
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
	/* 3: NULL in every nullable column */
	buf_puts(b, "INSERT INTO types (id) VALUES (3); ");
	/* 4: zeros, zero dates, a lone space */
	buf_puts(b,
		"INSERT INTO types VALUES (4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b'0', 0, "
		"'a', ' ', '', '', '', '', 'ab', '', '', '', '', '', "
		"'0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00', "
		"'0000-00-00 00:00:00', '00:00:00', '00:00:00', 0, '{}', 'd\\\\e', '', "
		"ST_GeomFromText('LINESTRING(0 0,1 1,2 0)'), POINT(0,0)); ");
	/* 5: the bytes LOAD DATA and COPY treat specially */
	buf_puts(b,
		"INSERT INTO types VALUES (5, 1, 2, 3, 4, 5, 6, 7, 8, 42, -1, 9223372036854775808, "
		"0.000000000000000000000000000001, 12345678.90, 0.1, 0.30000000000000004, "
		"b'1', b'101', '\xC3\xA9\xF0\x9F\x98\x80\\t', "
		"'tab\\tnl\\ncr\\rbs\\\\sq\\'dq\"nul\\0end', '\\\\N', 'NULL', 'x\\\\Ny', "
		"REPEAT('\xF0\x9F\x98\x80\xC3\xA9\\n', 1000), X'00', ");
	all_bytes(b);
	buf_puts(b,
		", X'5C4E', X'0A090D5C272200FF', REPEAT(X'5C', 1000), X'00', "
		"'2020-00-15', '2020-02-00 12:00:00.5', '2000-02-29 23:59:59', "
		"'2000-02-29 12:34:56.123456', '-00:00:01.5', '12:00:00', 2000, "
		"'{\"k\":\"v\\\\n\",\"a\":[true,false,null],\"z\":\"\\\\u0000\"}', 'b''c', 'w', "
		"ST_GeomFromText('MULTIPOINT(1 1,2 2)', 4326), POINT(1.5,-2.25)); ");
	/* 6: 16 MB; 7..10: floating values whose short text is not their value */
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
		"CREATE TABLE comp (a INT NOT NULL, b VARCHAR(20) NOT NULL, v VARCHAR(32), "
		"  PRIMARY KEY (a, b)); "
		"INSERT INTO comp SELECT seq % 4, CONCAT('k', LPAD(seq, 6, '0')), MD5(seq) "
		"  FROM seq_1_to_6000; "
		"INSERT INTO comp VALUES (0,'Zeta','z'),(0,'alpha','a'),(1,'\xC3\xA9','e'),"
		"  (1,'\xF0\x9F\x98\x80','emoji'),(2,'',NULL),(3,'x y',' '); "
		"CREATE TABLE uniq (code VARCHAR(20) NOT NULL, v INT, UNIQUE KEY uk_code (code)); "
		"INSERT INTO uniq SELECT CONCAT('c', seq), seq FROM seq_1_to_3000; "
		"CREATE TABLE uniqnull (u INT NULL, v INT, UNIQUE KEY uk_u (u)); "
		"INSERT INTO uniqnull SELECT seq, seq FROM seq_1_to_1500; "
		"INSERT INTO uniqnull VALUES (NULL, 1), (NULL, 1), (NULL, 2); "
		"CREATE TABLE nokey (a INT, b VARCHAR(10)); "
		"INSERT INTO nokey SELECT seq % 100, IF(seq % 3 = 0, NULL, CONCAT('x', seq % 5)) "
		"  FROM seq_1_to_2500; "
		"INSERT INTO nokey VALUES (NULL, NULL), (NULL, NULL), (7, 'x\\tq'), (7, 'x\\tq'); "
		"CREATE TABLE empty (id INT PRIMARY KEY, v INT); "
		"CREATE TABLE big (id BIGINT NOT NULL PRIMARY KEY, v VARCHAR(40), n DECIMAL(12,3), "
		"  d DATETIME(6)); "
		"INSERT INTO big SELECT CAST(seq AS SIGNED) * 3 - 30000, MD5(seq), seq / 7, "
		"  '2020-01-01 00:00:00' + INTERVAL (seq * 1001) MICROSECOND FROM seq_1_to_20000; "
		"CREATE TABLE ubig (id BIGINT UNSIGNED NOT NULL PRIMARY KEY, v INT); "
		"INSERT INTO ubig SELECT seq * 6148914691236517, seq FROM seq_1_to_2999; "
		"INSERT IGNORE INTO ubig VALUES (0, 0), (9223372036854775807, -1), "
		"  (9223372036854775808, -2), (18446744073709551615, -3); "
		"CREATE TABLE binkey (k VARBINARY(16) NOT NULL PRIMARY KEY, v INT); "
		"INSERT INTO binkey SELECT UNHEX(MD5(seq)), seq FROM seq_1_to_2500; "
		"INSERT IGNORE INTO binkey VALUES (X'', 0), (X'00', -1), (X'0000', -2), (X'FF', -3), "
		"  (X'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', -4), (X'5C', -5), (X'27', -6), (X'0A', -7); "
		"CREATE TABLE dtkey (k DATETIME(6) NOT NULL PRIMARY KEY, v INT); "
		"INSERT INTO dtkey SELECT '2000-01-01' + INTERVAL (seq * 37) SECOND "
		"  + INTERVAL seq MICROSECOND, seq FROM seq_1_to_2500; "
		"INSERT INTO dtkey VALUES ('0000-00-00 00:00:00', -1), ('1000-01-01 00:00:00', -2), "
		"  ('9999-12-31 23:59:59.999999', -3); "
		"CREATE TABLE bitkey (k BIT(64) NOT NULL PRIMARY KEY, v INT); "
		"INSERT INTO bitkey SELECT seq * 6148914691236517, seq FROM seq_1_to_2999; "
		"INSERT IGNORE INTO bitkey VALUES (0, 0), (1, -1), (0x8000000000000000, -2), "
		"  (0xFFFFFFFFFFFFFFFF, -3), (0x5C, -4); ");
}

/* Columns the copy must treat specially, names that need quoting, other
 * character sets. */
static void create_columns(struct buf *b)
{
	buf_puts(b,
		/* generated columns are computed by the destination, an
		 * INVISIBLE one is left out of SELECT * */
		"CREATE TABLE gen (id INT PRIMARY KEY, a INT, g INT AS (a + 1) VIRTUAL, "
		"  s INT AS (a * 2) STORED, inv INT INVISIBLE DEFAULT 5); "
		"INSERT INTO gen (id, a, inv) SELECT seq, seq, seq * 10 FROM seq_1_to_1500; "
		"INSERT INTO gen (id, a) VALUES (0, NULL); "
		/* 0 in an AUTO_INCREMENT column means \"next value\" unless
		 * NO_AUTO_VALUE_ON_ZERO */
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

/* The key of each table, for ORDER BY (NULL: no usable key). */
static const char *order_of(const char *table)
{
	static const char *const keys[][2] = {
		{ "types", "id" }, { "comp", "a, b" }, { "uniq", "code" }, { "uniqnull", NULL },
		{ "nokey", NULL }, { "empty", "id" }, { "big", "id" }, { "ubig", "id" },
		{ "binkey", "k" }, { "dtkey", "k" }, { "bitkey", "k" }, { "gen", "id" },
		{ "autoinc", "id" }, { "odd name", "`select`" }, { "charsets", "id" },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i][0], table) == 0)
			return keys[i][1];
	return NULL;
}

static int setup(void **state)
{
	struct err e = { 0 };
	struct buf b;
	int rc;

	(void)state;
	if (!itest_mysql(&MY)) {
		fprintf(stderr, "test_full_mysql: MY_* not set; run under scripts/harness.sh\n");
		return -1;
	}
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "SET NAMES utf8mb4; SET time_zone = '+00:00'; SET sql_mode = 'STRICT_TRANS_TABLES'; "
		 "DROP DATABASE IF EXISTS " SRC "; DROP DATABASE IF EXISTS " DST "; "
		 "CREATE DATABASE " SRC " CHARACTER SET utf8mb4; USE " SRC "; ");
	create_types(&b);
	create_keys(&b);
	create_columns(&b);
	rc = itest_mysql_exec(buf_cstr(&b));
	buf_release(&b);
	if (rc < 0) {
		fprintf(stderr, "test_full_mysql: cannot create the source corpus\n");
		return -1;
	}
	MYC = my_connect(&(struct my_conn_opts){ .host = MY.host, .port = MY.port,
						 .user = MY.user, .password = MY.password,
						 .read_timeout_s = 120 }, &e);
	if (!MYC || my_query(MYC, "SET SESSION group_concat_max_len = 1073741824", &e) < 0 ||
	    my_query(MYC, "SET time_zone = '+00:00'", &e) < 0) {
		fprintf(stderr, "test_full_mysql: %s\n", e.msg);
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
	return 0;
}

/* ---- the main job ------------------------------------------------------------------------ */

static void test_job_finishes(void **state)
{
	double t0 = now_s();

	(void)state;
	/* The corpus really holds what the tests rely on. */
	assert_int_equal(my_num("SELECT LENGTH(lb) FROM " SRC ".types WHERE id = 6"), 16000000);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " SRC ".types WHERE dt = '0000-00-00'"), 1);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " SRC ".nokey"), 2504);
	configure(JOB, "{\"" SRC "\":{\"name\":\"" DST "\",\"all\":true}}",
		  "{\"targetTableMode\":\"0\",\"autoStartModulesAfterConfig\":\"none\","
		  "\"opendts.full.chunkRows\":\"1000\",\"opendts.full.workers\":\"4\"}", true);
	itest_job_start(&D, JOB);
	itest_job_expect_status(&D, JOB, "Finished", 50000);
	JOB_FINISHED = true;
	print_message("job %s finished in %.1f s\n", JOB, now_s() - t0);
}

/* (a) FLOAT and DOUBLE as the same IEEE values: MariaDB displays a FLOAT
 * with 6 significant digits (3.40282e38), which is not the stored value
 * (3.4028234663852886e38); a copy through that text changes it. */
static void test_float_double_exact(void **state)
{
	struct err e = { 0 };
	struct my_rows *r;
	struct buf bad;

	(void)state;
	assert_true(JOB_FINISHED);
	r = my_query_rows(MYC, "SELECT id, s.f*1e0, d.f*1e0, s.d, d.d FROM " SRC ".types s JOIN "
			  DST ".types d USING (id) WHERE NOT (s.f <=> d.f AND s.d <=> d.d) "
			  "ORDER BY id", &e);
	if (!r)
		fail_msg("%s", e.msg);
	buf_init(&bad, BUF_UNLIMITED);
	while (my_rows_next(r))
		buf_printf(&bad, "\n  id %s: FLOAT %s -> %s, DOUBLE %s -> %s", my_rows_get(r, 0),
			   my_rows_get(r, 1) ? my_rows_get(r, 1) : "NULL",
			   my_rows_get(r, 2) ? my_rows_get(r, 2) : "NULL",
			   my_rows_get(r, 3) ? my_rows_get(r, 3) : "NULL",
			   my_rows_get(r, 4) ? my_rows_get(r, 4) : "NULL");
	my_rows_free(r);
	if (bad.len)
		fail_msg("floating values changed by the copy:%s", buf_cstr(&bad));
	buf_release(&bad);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".types WHERE f IS NOT NULL"), 8);
}

/* (a) every value of every type, byte for byte. */
static void test_types_exact(void **state)
{
	(void)state;
	assert_true(JOB_FINISHED);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".types"), 10);
	/* A few values read back directly, so the digests are not the only proof. */
	char *v = my_text("SELECT HEX(vb) FROM " DST ".types WHERE id = 5");
	assert_int_equal(strlen(v), 512);
	assert_true(strncmp(v, "000102", 6) == 0 && strcmp(v + 506, "FDFEFF") == 0);
	free(v);
	v = my_text("SELECT CONCAT(d, ' ', biu, ' ', HEX(b64), ' ', tm, ' ', dt, ' ', "
		    "dtm) FROM " DST ".types WHERE id = 2");
	assert_string_equal(v, "1.7976931348623157e308 18446744073709551615 "
			    "FFFFFFFFFFFFFFFF 838:59:59.999999 9999-12-31 9999-12-31 23:59:59.999999");
	free(v);
	v = my_text("SELECT CONCAT(dt, ' ', dtm, ' ', ts, ' ', yr) FROM " DST ".types WHERE id = 4");
	assert_string_equal(v, "0000-00-00 0000-00-00 00:00:00.000000 0000-00-00 00:00:00.000000 0000");
	free(v);
	v = my_text("SELECT HEX(vc) FROM " DST ".types WHERE id = 5");
	/* tab\tnl\ncr\rbs\sq'dq"nul<NUL>end */
	assert_string_equal(v, "746162096E6C0A63720D62735C7371276471226E756C00656E64");
	free(v);
	v = my_text("SELECT CONCAT(tt, '|', tx, '|', mt) FROM " DST ".types WHERE id = 5");
	assert_string_equal(v, "\\N|NULL|x\\Ny");
	free(v);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".types WHERE id = 3 AND "
				"COALESCE(ti,tiu,si,siu,mi,miu,i,iu,izf,bi,biu,dm,du,f,d,b1,b64,c,vc,"
				"tt,tx,mt,lt,bn,vb,tb,bl,mb,lb,dt,dtm,dt0,ts,tm,tm0,yr,js,en,st) IS NULL "
				"AND g IS NULL AND pt IS NULL"), 1);
	assert_int_equal(my_num("SELECT LENGTH(lb) = 16000000 AND lb = REPEAT(X'00FF5C0A0927220D', "
				"2000000) FROM " DST ".types WHERE id = 6"), 1);
	/* Then every column of every row (FLOAT included), and the server's checksum. */
	assert_same_table("types", "id");
	assert_same_checksum(SRC, DST, "types");
}

/* (b) composite key across chunk bounds; a UNIQUE NOT NULL key only; keys
 * of BIGINT UNSIGNED above 2^63, of bytes, of DATETIME with a zero date,
 * of BIT(64). */
static void test_keyed_tables_exact(void **state)
{
	static const char *const keyed[] = {
		"comp", "uniq", "ubig", "binkey", "dtkey", "bitkey", NULL
	};

	(void)state;
	assert_true(JOB_FINISHED);
	for (const char *const *t = keyed; *t; t++) {
		assert_same_table(*t, order_of(*t));
		assert_same_checksum(SRC, DST, *t);
	}
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".comp"), 6006);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".ubig WHERE id >= 9223372036854775808"),
			 my_num("SELECT COUNT(*) FROM " SRC ".ubig WHERE id >= 9223372036854775808"));
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".binkey WHERE k IN (X'', X'00', "
				"X'0000', X'FF', X'5C', X'27', X'0A')"), 7);
	assert_int_equal(my_num("SELECT v FROM " DST ".dtkey WHERE k = '0000-00-00 00:00:00'"), -1);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".bitkey"), 3004);
	assert_int_equal(my_num("SELECT v FROM " DST ".bitkey WHERE k = 0xFFFFFFFFFFFFFFFF"), -3);
}

/* (c) no usable key: every row exactly as many times as in the source, and
 * the item says the table was read in one pass. */
static void test_keyless_tables_exact(void **state)
{
	cJSON *r;

	(void)state;
	assert_true(JOB_FINISHED);
	assert_same_table("nokey", NULL);
	assert_same_table("uniqnull", NULL);
	assert_same_checksum(SRC, DST, "nokey");
	assert_same_checksum(SRC, DST, "uniqnull");
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".nokey"), 2504);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".nokey WHERE a <=> NULL AND b <=> NULL"),
			 2);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".nokey WHERE a = 7 AND b = 'x\\tq'"), 2);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".uniqnull WHERE u IS NULL"), 3);
	r = itest_job_items(&D, JOB, "03");
	for (const char *const *t = (const char *const[]){ "nokey", "uniqnull", NULL }; *t; t++) {
		const cJSON *it = itest_item_find(r, SRC, *t);
		if (!itest_item_logs_mention(it, "INFO", " pass"))
			fail_msg("item %s: no INFO log about the single pass: %s", *t,
				 itest_item_logs(it));
	}
	/* A table with a key is chunked, not read in one pass. */
	assert_false(itest_item_logs_mention(itest_item_find(r, SRC, "big"), NULL, " pass"));
	cJSON_Delete(r);
}

/* (e) many chunks on 4 workers: no row lost or doubled at a chunk bound. */
static void test_multichunk_exact(void **state)
{
	(void)state;
	assert_true(JOB_FINISHED);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".big"), 20000);
	assert_int_equal(my_num("SELECT COUNT(DISTINCT id) FROM " DST ".big"), 20000);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " SRC ".big s LEFT JOIN " DST ".big d "
				"USING (id) WHERE d.id IS NULL"), 0);
	assert_same_table("big", "id");
	assert_same_checksum(SRC, DST, "big");
}

/* (d) + (f): the items and the module status. */
static void test_items_and_progress(void **state)
{
	long long sum = 0;
	cJSON *r;

	(void)state;
	assert_true(JOB_FINISHED);
	r = itest_job_items(&D, JOB, "03");
	assert_string_equal(itest_str(r, "State"), "Finished");
	assert_string_equal(itest_str(r, "Code"), "03");
	assert_string_equal(itest_str(r, "JobName"), "dts.step.full.load");
	assert_int_equal((int)itest_num(r, "ErrorItem"), 0);
	assert_int_equal((int)itest_num(r, "Total"), N_TABLES);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "JobProgress")), N_TABLES);
	for (const char *const *t = TABLES; *t; t++) {
		long long n = my_num("SELECT COUNT(*) FROM " SRC ".`%s`", *t);
		assert_item_copied(r, *t, n);
		sum += n;
	}
	assert_int_equal((long long)itest_num(itest_item_find(r, SRC, "empty"), "Total"), 0);
	assert_string_equal(itest_str(itest_item_find(r, SRC, "empty"), "Current"), "0");
	cJSON_Delete(r);

	r = itest_job_detail(&D, JOB);
	const cJSON *s = cJSON_GetObjectItem(r, "DataInitializationStatus");
	assert_string_equal(itest_str(s, "Status"), "Finished");
	assert_string_equal(itest_str(s, "Percent"), "100");
	assert_int_equal(atoll(itest_str(s, "Progress")), sum);
	assert_string_equal(itest_str(r, "Status"), "Finished");
	cJSON_Delete(r);
}

/* The comparison itself, on copies the server made (not the step): an
 * exact copy compares equal; a float stored as its 6-digit display text,
 * one byte of a binary value, one missing duplicate row are all found. */
static void test_comparison_detects_differences(void **state)
{
	char *d;

	(void)state;
	script("DROP DATABASE IF EXISTS itfm_cmp; CREATE DATABASE itfm_cmp; "
	       "CREATE TABLE itfm_cmp.types LIKE " SRC ".types; "
	       "INSERT INTO itfm_cmp.types SELECT * FROM " SRC ".types; "
	       "CREATE TABLE itfm_cmp.nokey LIKE " SRC ".nokey; "
	       "INSERT INTO itfm_cmp.nokey SELECT * FROM " SRC ".nokey");
	d = table_diff(SRC, "itfm_cmp", "types", "id");
	if (d)
		fail_msg("an exact copy compares different: %s", d);
	assert_null(table_diff(SRC, "itfm_cmp", "nokey", NULL));
	assert_same_checksum(SRC, "itfm_cmp", "types");

	my_exec("UPDATE itfm_cmp.types SET f = 3.40282e38 WHERE id = 2");
	d = table_diff(SRC, "itfm_cmp", "types", "id");
	assert_non_null(d);
	assert_non_null(strstr(d, "column f (float)"));
	free(d);
	my_exec("UPDATE itfm_cmp.types SET f = 3.402823466e+38, vb = CONCAT(LEFT(vb, 255), X'FE') "
		"WHERE id = 2");
	d = table_diff(SRC, "itfm_cmp", "types", "id");
	assert_non_null(d);
	assert_non_null(strstr(d, "column vb"));
	assert_null(strstr(d, "column f "));
	free(d);
	my_exec("DELETE FROM itfm_cmp.nokey WHERE a = 7 AND b = 'x\\tq' LIMIT 1");
	d = table_diff(SRC, "itfm_cmp", "nokey", NULL);
	assert_non_null(d);
	free(d);
	my_exec("DROP DATABASE itfm_cmp");
}

/* Generated and INVISIBLE columns, AUTO_INCREMENT 0, names that need
 * quoting, latin1/utf8mb3/gbk/ascii columns. */
static void test_special_columns_exact(void **state)
{
	static const char *const tables[] = { "gen", "autoinc", "odd name", "charsets", NULL };

	(void)state;
	assert_true(JOB_FINISHED);
	for (const char *const *t = tables; *t; t++) {
		assert_same_table(*t, order_of(*t));
		/* MariaDB 10.11's CHECKSUM TABLE is not stable for a table with a
		 * VIRTUAL column (two server-side copies differ): digests only. */
		if (strcmp(*t, "gen") != 0)
			assert_same_checksum(SRC, DST, *t);
	}
	assert_int_equal(my_num("SELECT SUM(inv) FROM " DST ".gen"), 10 * 1500 * 1501 / 2 + 5);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".gen WHERE g = a + 1 AND s = a * 2"),
			 1500);
	assert_int_equal(my_num("SELECT v FROM " DST ".autoinc WHERE id = 0"), 100);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".autoinc"), 4);
	assert_int_equal(my_num("SELECT COUNT(*) FROM " DST ".`odd name` WHERE `x``y` = -`\"q\"` "
				"AND `a b` = CONCAT('v', `select`)"), 1200);
	char *v = my_text("SELECT CONCAT_WS('|', HEX(l1), HEX(u3), HEX(gb)) FROM " DST ".charsets "
			  "WHERE id = 1");
	/* latin1 caf\xE9 \xFF \x80(euro), utf8mb3, gbk */
	assert_string_equal(v, "636166E920FF2080|C3BCE4B8AD|D6D0CEC4");
	free(v);
}

/* A destination whose BEFORE INSERT trigger changes the rows of t listed in
 * `ids` the first time they are loaded (so a repair's copy goes through):
 *   7   a number;
 *   8   the case of a string, 9 a trailing space (both equal under the _ci
 *       PAD SPACE collation, different bytes);
 *   150 x 'ab#', y 'c' become 'ab', '#c' (the same text once joined with
 *       '#' as separator);
 *   250 a FLOAT 16777216 becomes 16777218 (both display as 1.67772e7);
 *   350 x 'ab#', y 'c' become 'a', 'b#c' (the same bytes once concatenated).
 * With chunks of 100 rows, 150, 250 and 350 are alone in their chunks.
 * The copy succeeds; only verification can notice. */
static void create_tampering_destination(const char *db, const char *ids)
{
	script("DROP DATABASE IF EXISTS itfm_vsrc; CREATE DATABASE itfm_vsrc; USE itfm_vsrc; "
	       "CREATE TABLE t (id INT PRIMARY KEY, v INT, s VARCHAR(20), x VARCHAR(10), "
	       "  y VARCHAR(10), f FLOAT); "
	       "INSERT INTO t SELECT seq, seq, 'abc', 'ab#', 'c', 16777216 FROM seq_1_to_1000");
	my_exec("DROP DATABASE IF EXISTS %s", db);
	my_exec("CREATE DATABASE %s", db);
	my_exec("CREATE TABLE %s.t (id INT PRIMARY KEY, v INT, s VARCHAR(20), x VARCHAR(10), "
		"y VARCHAR(10), f FLOAT)", db);
	my_exec("CREATE TABLE %s.ctl (id INT PRIMARY KEY)", db);
	my_exec("INSERT INTO %s.ctl SELECT seq FROM %s.seq_1_to_400 WHERE FIND_IN_SET(seq, '%s')",
		db, db, ids);
	my_exec("CREATE TRIGGER %s.t_bi BEFORE INSERT ON %s.t FOR EACH ROW BEGIN "
		"IF EXISTS (SELECT 1 FROM %s.ctl WHERE id = NEW.id) THEN "
		"IF NEW.id = 7 THEN SET NEW.v = NEW.v + 1; "
		"ELSEIF NEW.id = 8 THEN SET NEW.s = UPPER(NEW.s); "
		"ELSEIF NEW.id = 9 THEN SET NEW.s = CONCAT(NEW.s, ' '); "
		"ELSEIF NEW.id = 150 THEN SET NEW.x = 'ab', NEW.y = '#c'; "
		"ELSEIF NEW.id = 250 THEN SET NEW.f = 16777218; "
		"ELSEIF NEW.id = 350 THEN SET NEW.x = 'a', NEW.y = 'b#c'; END IF; "
		"DELETE FROM %s.ctl WHERE id = NEW.id; END IF; END", db, db, db, db);
}

/* Runs a data-only job from itfm_vsrc.t into db.t; returns the item of t
 * (in *reply, which the caller frees) and the job's final status in st. */
static const cJSON *run_verify_job(const char *db, bool repair, cJSON **reply, char *st,
				   char *id)
{
	char dblist[128], reserve[256], *got;

	snprintf(dblist, sizeof(dblist), "{\"itfm_vsrc\":{\"name\":\"%s\",\"all\":false,"
		 "\"Table\":{\"t\":{\"all\":true}}}}", db);
	snprintf(reserve, sizeof(reserve), "{\"autoStartModulesAfterConfig\":\"none\","
		 "\"opendts.full.chunkRows\":\"100\",\"opendts.full.repair\":\"%s\"}",
		 repair ? "true" : "false");
	configure(id, dblist, reserve, false);
	itest_job_start(&D, id);
	got = itest_wait_status(&D, id, 40000, "Finished", "MigrationFailed", "PrecheckFailed",
				NULL);
	snprintf(st, 32, "%s", got ? got : "");
	free(got);
	*reply = itest_job_items(&D, id, "03");
	return itest_item_find(*reply, "itfm_vsrc", "t");
}

/* Without repair: DiffRow 3, the keys in the item's logs; the rows differ
 * after the copy, so the table and the job fail (no incremental step). */
static void test_verification_counts_differences(void **state)
{
	char st[32], id[64];
	cJSON *r;

	(void)state;
	create_tampering_destination("itfm_vdst", "7,8,9");
	const cJSON *it = run_verify_job("itfm_vdst", false, &r, st, id);
	/* the trigger did change them */
	assert_int_equal(my_num("SELECT COUNT(*) FROM itfm_vdst.t WHERE id = 7 AND v = 8"), 1);
	assert_int_equal((long long)itest_num(it, "DiffRow"), 3);
	assert_string_equal(itest_str(it, "Current"), "1000");
	for (const char *const *k = (const char *const[]){ "(id)=(7)", "(id)=(8)", "(id)=(9)",
							   NULL }; *k; k++)
		if (!itest_item_logs_mention(it, NULL, *k))
			itest_fail_free(r, "item t: the logs do not name %s: %s", *k,
					itest_item_logs(it));
	assert_string_equal(st, "MigrationFailed");
	cJSON *det = itest_job_detail(&D, id);
	assert_non_null(strstr(itest_str(det, "ErrorMessage"), "differ"));
	cJSON_Delete(det);
	/* The table that made the job fail is the failed item. */
	if (strcmp(itest_str(it, "State"), "Failed") != 0 || itest_num(r, "ErrorItem") != 1)
		itest_fail_free(r, "the job failed on table t's differences but its item is %s "
				"(ErrorItem %g): %s", itest_str(it, "State"),
				itest_num(r, "ErrorItem"), itest_item_logs(it));
	cJSON_Delete(r);
}

/* Values shifted across the '#' that a checksum joins columns with (150),
 * or across a column boundary (350), each alone in its chunk: DiffRow 2. */
static void test_verification_sees_shifted_values(void **state)
{
	char st[32], id[64];
	cJSON *r;

	(void)state;
	create_tampering_destination("itfm_vdst2", "150,350");
	const cJSON *it = run_verify_job("itfm_vdst2", false, &r, st, id);
	assert_int_equal(my_num("SELECT COUNT(*) FROM itfm_vdst2.t WHERE (id = 150 AND y = '#c') OR "
				"(id = 350 AND y = 'b#c')"), 2);
	char *d = table_diff("itfm_vsrc", "itfm_vdst2", "t", "id");
	assert_non_null(d);   /* the test's own comparison sees them */
	free(d);
	if (itest_num(it, "DiffRow") != 2 || !itest_item_logs_mention(it, NULL, "(id)=(150)") ||
	    !itest_item_logs_mention(it, NULL, "(id)=(350)"))
		itest_fail_free(r, "job %s; item t: %s DiffRow %g, expected 2 (ids 150, 350): %s",
				st, itest_str(it, "State"), itest_num(it, "DiffRow"),
				itest_item_logs(it));
	cJSON_Delete(r);
}

/* A FLOAT that differs beyond its 6-digit display (16777216 -> 16777218)
 * is a different value, which the copy now keeps exactly: DiffRow 1. */
static void test_verification_sees_float_change(void **state)
{
	char st[32], id[64];
	cJSON *r;

	(void)state;
	create_tampering_destination("itfm_vdst3", "250");
	const cJSON *it = run_verify_job("itfm_vdst3", false, &r, st, id);
	assert_int_equal(my_num("SELECT COUNT(*) FROM itfm_vdst3.t WHERE id = 250 AND "
				"f = 16777218"), 1);
	if (itest_num(it, "DiffRow") != 1 || !itest_item_logs_mention(it, NULL, "(id)=(250)"))
		itest_fail_free(r, "job %s; item t: %s DiffRow %g, expected 1 (id 250): %s", st,
				itest_str(it, "State"), itest_num(it, "DiffRow"),
				itest_item_logs(it));
	cJSON_Delete(r);
}

/* With repair: the changed rows are copied again and the table matches
 * (the test's own comparison decides, not the step's). */
static void test_repair_fixes_differences(void **state)
{
	char st[32], id[64];
	cJSON *r;

	(void)state;
	create_tampering_destination("itfm_vrep", "7,8,9,150,250,350");
	const cJSON *it = run_verify_job("itfm_vrep", true, &r, st, id);
	assert_string_equal(st, "Finished");
	char *d = table_diff("itfm_vsrc", "itfm_vrep", "t", "id");
	if (d) {
		static char what[1024];
		snprintf(what, sizeof(what), "%s", d);
		free(d);
		itest_fail_free(r, "after repair the table still differs (%s); item t: %s "
				"DiffRow %g %s", what, itest_str(it, "State"),
				itest_num(it, "DiffRow"), itest_item_logs(it));
	}
	if (strcmp(itest_str(it, "State"), "Success") != 0 || itest_num(it, "DiffRow") != 0 ||
	    !itest_item_logs_mention(it, "INFO", "6 rows"))
		itest_fail_free(r, "item t: %s DiffRow %g %s", itest_str(it, "State"),
				itest_num(it, "DiffRow"), itest_item_logs(it));
	cJSON_Delete(r);
	assert_int_equal(my_num("SELECT COUNT(*) FROM itfm_vrep.ctl"), 0);
}

/* DbList renames: another database, table and column names, a column
 * left out; the rows go where the schema step created them. */
static void test_renamed_table_and_columns(void **state)
{
	char id[64];
	cJSON *r;

	(void)state;
	my_exec("DROP DATABASE IF EXISTS itfm_ren");
	configure(id, "{\"" SRC "\":{\"name\":\"itfm_ren\",\"all\":false,\"Table\":{"
		  "\"comp\":{\"name\":\"comp2\",\"all\":false,\"column\":{"
		  "\"a\":{\"name\":\"aa\"},\"b\":{\"name\":\"bb\"}}}}}}",
		  "{\"targetTableMode\":\"0\",\"autoStartModulesAfterConfig\":\"none\","
		  "\"opendts.full.chunkRows\":\"1000\"}", true);
	itest_job_start(&D, id);
	itest_job_expect_status(&D, id, "Finished", 40000);
	r = itest_job_items(&D, id, "03");
	assert_int_equal((int)itest_num(r, "Total"), 1);
	const cJSON *it = itest_item_find(r, SRC, "comp");
	assert_string_equal(itest_str(it, "State"), "Success");
	assert_string_equal(itest_str(it, "TargetNames"), "comp2");
	assert_string_equal(itest_str(it, "DestSchema"), "itfm_ren");
	assert_string_equal(itest_str(it, "Current"), "6006");
	cJSON_Delete(r);
	char *a = my_text("SELECT CONCAT(COUNT(*), '/', MD5(GROUP_CONCAT(a, ':', HEX(b) ORDER BY a, b "
			  "SEPARATOR ','))) FROM " SRC ".comp");
	char *b = my_text("SELECT CONCAT(COUNT(*), '/', MD5(GROUP_CONCAT(aa, ':', HEX(bb) ORDER BY "
			  "aa, bb SEPARATOR ','))) FROM itfm_ren.comp2");
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE "
				"TABLE_SCHEMA = 'itfm_ren' AND TABLE_NAME = 'comp2'"), 2);
}

/* ---- names with dots ------------------------------------------------------------------------------ */

/* `itfm_dot`.`x.t` and `itfm_dot.x`.`t` both read "itfm_dot.x.t" when
 * joined with a dot: their checkpoints and items must stay apart. */
static void test_dotted_names_kept_apart(void **state)
{
	char id[64];
	cJSON *r;
	const cJSON *it;
	int items = 0;

	(void)state;
	assert_int_equal(itest_mysql_exec(
		"DROP DATABASE IF EXISTS itfm_dot; DROP DATABASE IF EXISTS `itfm_dot.x`; "
		"DROP DATABASE IF EXISTS itfm_dotc; DROP DATABASE IF EXISTS `itfm_dotc.x`; "
		"CREATE DATABASE itfm_dot; CREATE DATABASE `itfm_dot.x`; "
		"CREATE TABLE itfm_dot.`x.t` (id INT PRIMARY KEY, v INT); "
		"CREATE TABLE `itfm_dot.x`.t (id INT PRIMARY KEY, v INT); "
		"INSERT INTO itfm_dot.`x.t` SELECT seq, 1 FROM itfm_dot.seq_1_to_3000; "
		"INSERT INTO `itfm_dot.x`.t SELECT seq, 2 FROM itfm_dot.seq_1_to_1000"), 0);
	configure(id, "{\"itfm_dot\":{\"name\":\"itfm_dotc\",\"all\":true},"
		  "\"itfm_dot.x\":{\"name\":\"itfm_dotc.x\",\"all\":true}}",
		  "{\"targetTableMode\":\"0\",\"opendts.full.chunkRows\":\"500\"}", true);
	itest_job_start(&D, id);
	itest_job_expect_status(&D, id, "Finished", 60000);
	assert_int_equal(my_num("SELECT COUNT(*) FROM itfm_dotc.`x.t` WHERE v = 1"), 3000);
	assert_int_equal(my_num("SELECT COUNT(*) FROM `itfm_dotc.x`.t WHERE v = 2"), 1000);
	r = itest_job_items(&D, id, "03");
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "JobProgress")) {
		items++;
		assert_string_equal(itest_str(it, "State"), "Success");
	}
	cJSON_Delete(r);
	assert_int_equal(items, 2);
}

/* ---- (g) a row the destination refuses ---------------------------------------------------------- */

static void test_refused_row_fails_item(void **state)
{
	char id[64];
	cJSON *r;
	double t0 = now_s();

	(void)state;
	script("DROP DATABASE IF EXISTS " RSRC "; DROP DATABASE IF EXISTS " RDST "; "
	       "CREATE DATABASE " RSRC "; CREATE DATABASE " RDST "; USE " RSRC "; "
	       "CREATE TABLE " RSRC ".narrow (id INT PRIMARY KEY, s VARCHAR(20)); "
	       "INSERT INTO " RSRC ".narrow SELECT seq, 'abc' FROM seq_1_to_1000; "
	       "UPDATE " RSRC ".narrow SET s = 'too long' WHERE id = 555; "
	       "CREATE TABLE " RSRC ".okay (id INT PRIMARY KEY, v INT); "
	       "INSERT INTO " RSRC ".okay SELECT seq, seq * 2 FROM seq_1_to_300; "
	       "CREATE TABLE " RDST ".narrow (id INT PRIMARY KEY, s VARCHAR(3)); "
	       "CREATE TABLE " RDST ".okay (id INT PRIMARY KEY, v INT); "
	       /* one chunk of 100 rows of 50 kB: the refused row (95) comes after
		* more than 4 MiB of rows of the same chunk */
	       "CREATE TABLE " RSRC ".wide (id INT PRIMARY KEY, pad MEDIUMTEXT, s VARCHAR(20)); "
	       "INSERT INTO " RSRC ".wide SELECT seq, REPEAT('p', 50000), 'abc' "
	       "FROM seq_1_to_100; "
	       "UPDATE " RSRC ".wide SET s = 'too long' WHERE id = 95; "
	       "CREATE TABLE " RDST ".wide (id INT PRIMARY KEY, pad MEDIUMTEXT, s VARCHAR(3))");
	configure(id, "{\"" RSRC "\":{\"name\":\"" RDST "\",\"all\":true}}",
		  "{\"autoStartModulesAfterConfig\":\"none\",\"opendts.full.chunkRows\":\"100\"}",
		  false);
	itest_job_start(&D, id);
	itest_job_expect_status(&D, id, "MigrationFailed", 40000);
	print_message("job %s failed as expected in %.1f s\n", id, now_s() - t0);

	r = itest_job_items(&D, id, "03");
	const cJSON *bad = itest_item_find(r, RSRC, "narrow");
	if (strcmp(itest_str(bad, "State"), "Failed") != 0)
		fail_msg("item narrow is %s: %s", itest_str(bad, "State"), itest_item_logs(bad));
	if (!itest_item_logs_mention(bad, "ERROR", "(id)=(555)"))
		fail_msg("item narrow: no ERROR log naming (id)=(555): %s", itest_item_logs(bad));
	/* The reason: the server's own words name the column. */
	const cJSON *l, *err_log = NULL;
	cJSON_ArrayForEach(l, cJSON_GetObjectItem(bad, "Logs"))
		if (strcmp(itest_str(l, "LogLevel"), "ERROR") == 0 && !err_log)
			err_log = l;
	assert_non_null(err_log);
	assert_string_equal(itest_str(err_log, "ErrType"), "Data");
	if (!strstr(itest_item_logs(bad), "too long") &&
	    !strstr(itest_item_logs(bad), "truncated"))
		fail_msg("item narrow: the reason is missing: %s", itest_item_logs(bad));
	assert_true(strlen(itest_str(bad, "ErrMsg")) > 0);
	assert_int_equal((int)itest_num(r, "ErrorItem"), 2);   /* narrow, wide */
	assert_string_equal(itest_str(r, "State"), "Failed");

	const cJSON *ok = itest_item_find(r, RSRC, "okay");
	if (strcmp(itest_str(ok, "State"), "Success") != 0)
		fail_msg("item okay is %s: %s", itest_str(ok, "State"), itest_item_logs(ok));
	assert_string_equal(itest_str(ok, "Current"), "300");
	cJSON_Delete(r);
	char *d = table_diff(RSRC, RDST, "okay", "id");
	if (d)
		fail_msg("okay: %s", d);
	/* No row with a cut value reached the destination. */
	assert_int_equal(my_num("SELECT COUNT(*) FROM " RDST ".narrow WHERE id = 555"), 0);

	r = itest_job_detail(&D, id);
	const cJSON *s = cJSON_GetObjectItem(r, "DataInitializationStatus");
	assert_string_equal(itest_str(s, "Status"), "Failed");
	assert_non_null(strstr(itest_str(r, "ErrorMessage"), "narrow"));
	cJSON_Delete(r);

	/* A chunk larger than one load transaction: what the item says was
	 * kept of the chunk is what the destination holds. */
	r = itest_job_items(&D, id, "03");
	const cJSON *wide = itest_item_find(r, RSRC, "wide");
	long long kept = my_num("SELECT COUNT(*) FROM " RDST ".wide");
	if (strcmp(itest_str(wide, "State"), "Failed") != 0 ||
	    !itest_item_logs_mention(wide, "ERROR", "(id)=(95)"))
		itest_fail_free(r, "item wide: %s %s", itest_str(wide, "State"),
				itest_item_logs(wide));
	if (kept > 0 && strstr(itest_item_logs(wide), "nothing of this chunk was kept"))
		itest_fail_free(r, "item wide says \"nothing of this chunk was kept\" but the "
				"destination holds %lld of the chunk's rows: %s", kept,
				itest_item_logs(wide));
	cJSON_Delete(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_finishes),
		cmocka_unit_test(test_float_double_exact),
		cmocka_unit_test(test_types_exact),
		cmocka_unit_test(test_keyed_tables_exact),
		cmocka_unit_test(test_keyless_tables_exact),
		cmocka_unit_test(test_multichunk_exact),
		cmocka_unit_test(test_special_columns_exact),
		cmocka_unit_test(test_items_and_progress),
		cmocka_unit_test(test_comparison_detects_differences),
		cmocka_unit_test(test_renamed_table_and_columns),
		cmocka_unit_test(test_verification_counts_differences),
		cmocka_unit_test(test_verification_sees_shifted_values),
		cmocka_unit_test(test_verification_sees_float_change),
		cmocka_unit_test(test_repair_fixes_differences),
		cmocka_unit_test(test_refused_row_fails_item),
		cmocka_unit_test(test_dotted_names_kept_apart),
	};

	return cmocka_run_group_tests_name("full_mysql", tests, setup, teardown);
}
