/*
 * test_pg_copy.c - unit tests of the COPY TEXT encoder of
 * src/engines/pg/pg_copy.c (pg_copy_encode_value), without a server: every
 * source type as mysql_fetch_row() delivers it, with the mapping of
 * schema_map_column(), including NULL vs empty, escapes, every byte value
 * in blobs, emoji, BIT widths, TIME extremes, zero dates both ways and the
 * error paths. The writer itself is tested in
 * tests/integration/test_pg_copy.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/pg/pg_copy.h"
#include "schema/schema.h"
#include "schema/typemap.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* ---- helpers ------------------------------------------------------------- */

static struct schema_column col_of(const char *column_type, bool nullable)
{
	struct schema_column c = { 0 };

	c.name = xstrdup("c");
	c.column_type = xstrdup(column_type);
	if (schema_column_type_parse(column_type, &c) < 0)
		fail_msg("cannot parse \"%s\"", column_type);
	c.nullable = nullable;
	c.charset = xstrdup("");
	c.collation = xstrdup("");
	c.default_value = xstrdup("");
	c.on_update = xstrdup("");
	c.generation_expr = xstrdup("");
	c.comment = xstrdup("");
	return c;
}

static struct buf out;
static struct err e;
static int rc;

/* Encodes val[0..len) (or NULL) of a column of that type; the field is in
 * out, the return code in rc, the error in e. */
static const char *enc_n(const char *column_type, bool nullable, const char *val, size_t len,
			 bool is_null)
{
	struct schema_column c = col_of(column_type, nullable);
	struct schema_mapping m;

	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	buf_release(&out);
	buf_init(&out, 1 << 20);
	err_clear(&e);
	rc = pg_copy_encode_value(&c, &m, val, len, is_null, &out, &e);
	schema_column_release(&c);
	return buf_cstr(&out);
}

static const char *enc(const char *column_type, bool nullable, const char *val)
{
	return enc_n(column_type, nullable, val, strlen(val), false);
}

static void ok(const char *got, const char *want)
{
	if (rc != 0)
		fail_msg("unexpected error: %s", e.msg);
	assert_string_equal(got, want);
}

static void refused(enum err_code code, const char *needle)
{
	assert_int_equal(rc, -1);
	assert_int_equal(e.code, code);
	if (!strstr(e.msg, needle))
		fail_msg("\"%s\" not in \"%s\"", needle, e.msg);
}

static int teardown(void **state)
{
	(void)state;
	buf_release(&out);
	return 0;
}

/* ---- tests --------------------------------------------------------------- */

static void test_null_vs_empty(void **state)
{
	(void)state;
	ok(enc_n("varchar(10)", true, NULL, 0, true), "\\N");
	ok(enc_n("varchar(10)", true, "", 0, false), "");
	ok(enc("varchar(10)", true, "\\N"), "\\\\N");         /* the text \N is not NULL */
	ok(enc_n("blob", true, NULL, 0, true), "\\N");
	ok(enc_n("blob", true, "", 0, false), "\\\\x");
	ok(enc_n("int", true, NULL, 0, true), "\\N");
	ok(enc_n("date", false, NULL, 0, true), "\\N");         /* NULL is the caller's concern */
}

static void test_text_escapes(void **state)
{
	(void)state;
	ok(enc("text", true, "a\\b\tc\nd\re"), "a\\\\b\\tc\\nd\\re");
	ok(enc("varchar(20)", true, "\\\\\t\t\n"), "\\\\\\\\\\t\\t\\n");
	ok(enc("char(10)", true, "plain 'q' \"dq\""), "plain 'q' \"dq\"");
	ok(enc("longtext", true, "😀 émoji ☃"), "😀 émoji ☃");
	ok(enc("tinytext", true, "\x7f\x01"), "\x7f\x01");
	/* NUL cannot be stored in PostgreSQL text */
	enc_n("varchar(5)", true, "a\0b", 3, false);
	refused(ERR_INVALID, "column \"c\"");
	refused(ERR_INVALID, "NUL");
	enc("text", true, "\xff\xfe");
	refused(ERR_INVALID, "UTF-8");
	enc("text", true, "\xed\xa0\x80");                      /* a surrogate */
	refused(ERR_INVALID, "UTF-8");
}

static void test_bytes(void **state)
{
	char all[256], want[3 + 512 + 1], *w = want;

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	w += sprintf(w, "\\\\x");
	for (int i = 0; i < 256; i++)
		w += sprintf(w, "%02x", i);
	ok(enc_n("longblob", true, all, 256, false), want);
	ok(enc_n("varbinary(300)", true, all, 256, false), want);
	ok(enc_n("binary(4)", true, "ab\0\0", 4, false), "\\\\x61620000");
	ok(enc_n("tinyblob", true, "\t\n\\", 3, false), "\\\\x090a5c");
	/* spatial: the WKB the reader selects, as bytea */
	ok(enc_n("point", false, "\x01\x01\x00\x00\x00", 5, false), "\\\\x0101000000");
	ok(enc_n("geometry", true, "\x00", 1, false), "\\\\x00");
}

static void test_large_blob(void **state)
{
	size_t n = 100000;
	char *v = xmalloc(n);

	(void)state;
	memset(v, 0xab, n);
	enc_n("mediumblob", true, v, n, false);
	assert_int_equal(rc, 0);
	assert_int_equal(out.len, 3 + 2 * n);
	assert_memory_equal(out.data + 3 + 2 * (n - 1), "ab", 2);
	free(v);
}

static void test_bit(void **state)
{
	(void)state;
	ok(enc_n("bit(1)", true, "\x01", 1, false), "1");
	ok(enc_n("bit(1)", true, "\x00", 1, false), "0");
	ok(enc_n("bit(8)", true, "\x05", 1, false), "00000101");
	ok(enc_n("bit(10)", true, "\x02\x01", 2, false), "1000000001");
	ok(enc_n("bit(64)", true, "\x80\x00\x00\x00\x00\x00\x00\x01", 8, false),
	   "1000000000000000000000000000000000000000000000000000000000000001");
	ok(enc_n("bit(64)", true, "\xff\xff\xff\xff\xff\xff\xff\xff", 8, false),
	   "1111111111111111111111111111111111111111111111111111111111111111");
	ok(enc_n("bit(16)", true, "\x01", 1, false), "0000000000000001");  /* short input */
	ok(enc_n("bit(3)", true, "", 0, false), "000");
	/* a bit above the width */
	enc_n("bit(1)", true, "\x02", 1, false);
	refused(ERR_INVALID, "more than 1 bits");
	enc_n("bit(10)", true, "\x04\x00", 2, false);
	refused(ERR_INVALID, "column \"c\"");
}

static void test_numbers(void **state)
{
	(void)state;
	ok(enc("tinyint", true, "-128"), "-128");
	ok(enc("tinyint unsigned", true, "255"), "255");
	ok(enc("int(10) unsigned zerofill", true, "0000000042"), "0000000042");
	ok(enc("bigint", true, "-9223372036854775808"), "-9223372036854775808");
	ok(enc("bigint unsigned", true, "18446744073709551615"), "18446744073709551615");
	ok(enc("decimal(65,30)", true,
	       "-99999999999999999999999999999999999.999999999999999999999999999999"),
	   "-99999999999999999999999999999999999.999999999999999999999999999999");
	ok(enc("float", true, "3.40282e38"), "3.40282e38");
	ok(enc("float", true, "-1.17549e-38"), "-1.17549e-38");
	ok(enc("double", true, "1.7976931348623157e308"), "1.7976931348623157e308");
	ok(enc("double", true, "0.1"), "0.1");
	ok(enc("year", true, "2155"), "2155");
	ok(enc("year", true, "0000"), "0000");
	enc("int", true, "1;drop");
	refused(ERR_INVALID, "not a valid int value");
	enc("double", true, "nan");
	refused(ERR_INVALID, "column \"c\"");
	enc("int", true, "");
	refused(ERR_INVALID, "column \"c\"");
	/* a value that is not NUL-terminated: only len bytes count */
	ok(enc_n("int", true, "12x", 2, false), "12");
}

static void test_time(void **state)
{
	(void)state;
	ok(enc("time(6)", true, "-838:59:59.000000"), "-838:59:59.000000");
	ok(enc("time", true, "838:59:59"), "838:59:59");
	ok(enc("time", true, "00:00:00"), "00:00:00");
	ok(enc("time(2)", true, "-00:00:01.50"), "-00:00:01.50");
	enc("time", true, "10:00 AM");
	refused(ERR_INVALID, "not a valid time value");
}

static void test_dates(void **state)
{
	(void)state;
	ok(enc("date", true, "2024-02-29"), "2024-02-29");
	ok(enc("date", false, "1000-01-01"), "1000-01-01");
	ok(enc("datetime(6)", true, "9999-12-31 23:59:59.999999"), "9999-12-31 23:59:59.999999");
	ok(enc("datetime", false, "2000-01-01 00:00:00"), "2000-01-01 00:00:00");
	ok(enc("timestamp(3)", true, "2038-01-19 03:14:07.999"), "2038-01-19 03:14:07.999+00");
	ok(enc("timestamp", false, "1970-01-01 00:00:01"), "1970-01-01 00:00:01+00");
	/* zero dates: nullable -> NULL */
	ok(enc("date", true, "0000-00-00"), "\\N");
	ok(enc("date", true, "2020-00-15"), "\\N");
	ok(enc("date", true, "2020-05-00"), "\\N");
	ok(enc("datetime(6)", true, "0000-00-00 00:00:00.000000"), "\\N");
	ok(enc("timestamp", true, "0000-00-00 00:00:00"), "\\N");
	/* zero dates: NOT NULL -> the row is refused, naming the column */
	enc("date", false, "0000-00-00");
	refused(ERR_INVALID, "column \"c\": zero date \"0000-00-00\"");
	assert_non_null(strstr(e.detail, "type-mapping"));
	enc("datetime", false, "2020-00-00 10:00:00");
	refused(ERR_INVALID, "zero date");
	enc("timestamp", false, "0000-00-00 00:00:00");
	refused(ERR_INVALID, "NOT NULL");
	/* year 0 with a real month and day: no PostgreSQL value at all */
	enc("date", true, "0000-01-01");
	refused(ERR_INVALID, "year 0");
	/* malformed */
	enc("date", true, "2020-1-1");
	refused(ERR_INVALID, "not a valid date value");
	enc("datetime", true, "2020-01-01");
	refused(ERR_INVALID, "not a valid datetime value");
	enc("datetime", true, "2020-01-01 10:00:00\tx");
	refused(ERR_INVALID, "column \"c\"");
}

static void test_strings_of_other_types(void **state)
{
	(void)state;
	ok(enc("enum('a','b''c','d\\\\e')", true, "d\\e"), "d\\\\e");
	ok(enc("enum('a','b''c')", false, "b'c"), "b'c");
	ok(enc("enum('a','')", true, ""), "");
	ok(enc("set('r','w','x''q')", true, "r,w"), "r,w");
	ok(enc("json", true, "{\"a\": \"x\\ny\", \"b\": [1, 2.5]}"),
	   "{\"a\": \"x\\\\ny\", \"b\": [1, 2.5]}");
	ok(enc("uuid", true, "123e4567-e89b-12d3-a456-426614174000"),
	   "123e4567-e89b-12d3-a456-426614174000");
	ok(enc("inet4", true, "192.168.0.1"), "192.168.0.1");
	ok(enc("inet6", true, "::ffff:1.2.3.4"), "::ffff:1.2.3.4");
	ok(enc("char(0)", true, ""), "");
}

static void test_unsupported_and_full(void **state)
{
	struct schema_column c = col_of("int", true);
	struct schema_mapping m;
	struct buf small;

	(void)state;
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	m.risk = SCHEMA_RISK_UNSUPPORTED;
	buf_init(&small, 8);
	err_clear(&e);
	rc = pg_copy_encode_value(&c, &m, "1", 1, false, &small, &e);
	refused(ERR_UNSUPPORTED, "column \"c\"");
	/* the row buffer's cap */
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	rc = pg_copy_encode_value(&c, &m, "123456789", 9, false, &small, &e);
	refused(ERR_TOO_LARGE, "column \"c\"");
	buf_release(&small);
	schema_column_release(&c);
	c = col_of("blob", true);
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	buf_init(&small, 8);
	rc = pg_copy_encode_value(&c, &m, "abcd", 4, false, &small, &e);
	refused(ERR_TOO_LARGE, "column \"c\"");
	buf_release(&small);
	schema_column_release(&c);
}

/* Fields appended one after the other form a row. */
static void test_row_assembly(void **state)
{
	struct schema_column a = col_of("int", false), b = col_of("varchar(10)", true);
	struct schema_mapping ma, mb;
	struct buf row;

	(void)state;
	schema_map_column(&a, SCHEMA_DIALECT_PG, &ma);
	schema_map_column(&b, SCHEMA_DIALECT_PG, &mb);
	buf_init(&row, 1024);
	assert_int_equal(pg_copy_encode_value(&a, &ma, "7", 1, false, &row, &e), 0);
	buf_putc(&row, '\t');
	assert_int_equal(pg_copy_encode_value(&b, &mb, "x\ty", 3, false, &row, &e), 0);
	buf_putc(&row, '\t');
	assert_int_equal(pg_copy_encode_value(&b, &mb, NULL, 0, true, &row, &e), 0);
	buf_putc(&row, '\n');
	assert_string_equal(buf_cstr(&row), "7\tx\\ty\t\\N\n");
	buf_release(&row);
	schema_column_release(&a);
	schema_column_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_null_vs_empty, teardown),
		cmocka_unit_test_teardown(test_text_escapes, teardown),
		cmocka_unit_test_teardown(test_bytes, teardown),
		cmocka_unit_test_teardown(test_large_blob, teardown),
		cmocka_unit_test_teardown(test_bit, teardown),
		cmocka_unit_test_teardown(test_numbers, teardown),
		cmocka_unit_test_teardown(test_time, teardown),
		cmocka_unit_test_teardown(test_dates, teardown),
		cmocka_unit_test_teardown(test_strings_of_other_types, teardown),
		cmocka_unit_test_teardown(test_unsupported_and_full, teardown),
		cmocka_unit_test_teardown(test_row_assembly, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
