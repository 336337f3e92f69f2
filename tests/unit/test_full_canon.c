/*
 * test_full_canon.c - unit tests of src/steps/full_canon.c
 * (full__canon_value), without a server: for every mapping family, a value
 * as the source's text protocol gives it and the same value as PostgreSQL
 * prints it (the strings were taken from MariaDB 10.11 and PostgreSQL 15
 * with the worker's session settings) must give the same bytes; values
 * that differ must give different bytes. Also: the framing (NULL vs empty,
 * concatenations of several values), a MySQL destination (bytes as read)
 * and the buffer cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steps/full_internal.h"
#include "util/xalloc.h"

/* ---- helpers ------------------------------------------------------------- */

static struct full_col col_new(const char *column_type, bool nullable, bool pg)
{
	struct schema_column *c = xcalloc(1, sizeof(*c));
	struct full_col fc = { 0 };

	c->name = xstrdup("c");
	c->column_type = xstrdup(column_type);
	if (schema_column_type_parse(column_type, c) < 0)
		fail_msg("cannot parse \"%s\"", column_type);
	c->nullable = nullable;
	c->charset = xstrdup("");
	c->collation = xstrdup("");
	c->default_value = xstrdup("");
	c->on_update = xstrdup("");
	c->generation_expr = xstrdup("");
	c->comment = xstrdup("");
	fc.src = c;
	fc.dst = xstrdup("c");
	schema_map_column(c, pg ? SCHEMA_DIALECT_PG : SCHEMA_DIALECT_MYSQL, &fc.map);
	return fc;
}

static void col_free(struct full_col *fc)
{
	schema_column_release((struct schema_column *)fc->src);
	free((void *)fc->src);
	free(fc->dst);
}

/* The canonical bytes of one value (val NULL = SQL NULL) in *out. */
static void canon_n(const char *type, bool nullable, bool pg, enum full_side side,
		    const char *val, size_t len, struct buf *out)
{
	struct full_col c = col_new(type, nullable, pg);

	buf_init(out, 1 << 20);
	assert_int_equal(full__canon_value(&c, pg, side, val, len, val == NULL, out), 0);
	col_free(&c);
}

static void canon(const char *type, bool nullable, enum full_side side, const char *val,
		  struct buf *out)
{
	canon_n(type, nullable, true, side, val, val ? strlen(val) : 0, out);
}

static bool buf_eq(const struct buf *a, const struct buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* src as the source gives it and dst as PostgreSQL prints it: same bytes
 * (want true) or different bytes (want false). */
static void check_pair(const char *type, bool nullable, const char *src, size_t src_len,
		       const char *dst, bool want)
{
	struct buf a, b;

	canon_n(type, nullable, true, FULL_SIDE_SRC, src, src_len, &a);
	canon(type, nullable, FULL_SIDE_DST, dst, &b);
	if (buf_eq(&a, &b) != want)
		fail_msg("%s: source \"%.*s\" and destination \"%s\" should %s", type,
			 (int)src_len, src ? src : "(null)", dst ? dst : "(null)",
			 want ? "be equal" : "differ");
	buf_release(&a);
	buf_release(&b);
}

static void same(const char *type, const char *src, const char *dst)
{
	check_pair(type, true, src, src ? strlen(src) : 0, dst, true);
}

static void differ(const char *type, const char *src, const char *dst)
{
	check_pair(type, true, src, src ? strlen(src) : 0, dst, false);
}

/* The canonical body (after tag and length) of a parsed value. */
static void body_is(const char *type, enum full_side side, const char *val, const char *want)
{
	struct buf b;
	size_t n = 0;

	canon(type, true, side, val, &b);
	assert_true(b.len >= 9);
	assert_int_equal((unsigned char)b.data[0], 0x00);
	for (int i = 1; i <= 8; i++)
		n = n << 8 | (unsigned char)b.data[i];
	assert_int_equal(n, b.len - 9);
	if (strlen(want) != n || memcmp(b.data + 9, want, n) != 0)
		fail_msg("%s \"%s\": canonical \"%.*s\", want \"%s\"", type, val, (int)n,
			 b.data + 9, want);
	buf_release(&b);
}

/* ---- framing ------------------------------------------------------------- */

static void test_null_and_empty(void **state)
{
	struct buf n, e;

	(void)state;
	canon("varchar(10)", true, FULL_SIDE_SRC, NULL, &n);
	canon("varchar(10)", true, FULL_SIDE_SRC, "", &e);
	assert_int_equal(n.len, 1);
	assert_int_equal((unsigned char)n.data[0], 0xFF);
	assert_int_equal(e.len, 9);
	assert_memory_equal(e.data, "\0\0\0\0\0\0\0\0\0", 9);
	assert_false(buf_eq(&n, &e));
	buf_release(&n);
	buf_release(&e);
	/* the text "\N" and the text "NULL" are not NULL either */
	differ("varchar(10)", NULL, "NULL");
	differ("varchar(10)", "\\N", NULL);
	same("varchar(10)", NULL, NULL);
	same("int", NULL, NULL);
	differ("int", NULL, "0");
	differ("blob", "", NULL);
	same("blob", "", "\\x");
}

/* Canonical bytes of a whole row of text columns (pg = false). */
static void row_canon(const char *const *vals, size_t n, struct buf *out)
{
	struct full_col c = col_new("varchar(10)", true, false);

	buf_init(out, 1 << 20);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(full__canon_value(&c, false, FULL_SIDE_SRC, vals[i],
						   vals[i] ? strlen(vals[i]) : 0, !vals[i], out), 0);
	col_free(&c);
}

static void test_concatenation(void **state)
{
	static const char *const rows[][2] = {
		{ "ab", "c" }, { "a", "bc" }, { "abc", "" }, { "", "abc" }, { "abc", NULL },
		{ NULL, "abc" }, { "\xff", "" }, { "\xff", NULL }, { NULL, "" }, { "", NULL },
		{ "\x01", NULL }, { "", "\x01" },
	};
	size_t n = sizeof(rows) / sizeof(rows[0]);
	struct buf *b = xcalloc(n, sizeof(*b));

	(void)state;
	for (size_t i = 0; i < n; i++)
		row_canon(rows[i], 2, &b[i]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (buf_eq(&b[i], &b[j]))
				fail_msg("rows %zu and %zu give the same bytes", i, j);
	for (size_t i = 0; i < n; i++)
		buf_release(&b[i]);
	free(b);
}

static void test_mysql_destination(void **state)
{
	static const char *const types[] = {
		"int", "decimal(10,2)", "double", "char(5)", "varchar(10)", "blob",
		"datetime(6)", "timestamp(3)", "time", "json", "bit(10)", "year",
	};
	static const char *const vals[][2] = {
		{ "1.50", "1.5" }, { "a ", "a" }, { "00042", "42" }, { "{\"a\":1}", "{\"a\": 1}" },
		{ "2020-01-01 10:00:00.500000", "2020-01-01 10:00:00.5" }, { "\x02\xaa", "\x02\xab" },
	};

	(void)state;
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			struct buf a, b, c;

			canon_n(types[t], true, false, FULL_SIDE_SRC, vals[v][0],
				strlen(vals[v][0]), &a);
			canon_n(types[t], true, false, FULL_SIDE_DST, vals[v][0],
				strlen(vals[v][0]), &b);
			canon_n(types[t], true, false, FULL_SIDE_DST, vals[v][1],
				strlen(vals[v][1]), &c);
			assert_true(buf_eq(&a, &b));       /* bytes as read */
			assert_false(buf_eq(&a, &c));      /* nothing normalised */
			assert_int_equal(a.len, 9 + strlen(vals[v][0]));
			assert_memory_equal(a.data + 9, vals[v][0], strlen(vals[v][0]));
			buf_release(&a);
			buf_release(&b);
			buf_release(&c);
		}
	}
	/* FLOAT: the float itself, however it is printed; MySQL's 6-digit
	 * display of it is another float */
	{
		struct buf a, b, c;

		canon_n("float", true, false, FULL_SIDE_SRC, "1.2345677614212036", 18, &a);
		canon_n("float", true, false, FULL_SIDE_DST, "1.2345678", 9, &b);
		canon_n("float", true, false, FULL_SIDE_DST, "1.23457", 7, &c);
		assert_true(buf_eq(&a, &b));
		assert_false(buf_eq(&a, &c));
		buf_release(&a);
		buf_release(&b);
		buf_release(&c);
	}
	/* NUL bytes are kept */
	{
		struct buf a, b;

		canon_n("varbinary(4)", true, false, FULL_SIDE_SRC, "a\0b", 3, &a);
		canon_n("varbinary(4)", true, false, FULL_SIDE_DST, "a\0c", 3, &b);
		assert_false(buf_eq(&a, &b));
		buf_release(&a);
		buf_release(&b);
	}
}

static void test_buffer_cap(void **state)
{
	struct full_col c = col_new("json", true, true);
	struct buf b;

	(void)state;
	buf_init(&b, 12);
	assert_int_equal(buf_append(&b, "xy", 2), 0);
	assert_int_equal(full__canon_value(&c, true, FULL_SIDE_SRC, "{\"a\":1,\"b\":2}", 13,
					   false, &b), -1);
	assert_int_equal(b.len, 2);                  /* unchanged */
	assert_int_equal(full__canon_value(&c, true, FULL_SIDE_SRC, "1", 1, false, &b), -1);
	assert_int_equal(b.len, 2);
	assert_int_equal(full__canon_value(&c, true, FULL_SIDE_SRC, NULL, 0, true, &b), 0);
	assert_int_equal(b.len, 3);
	buf_release(&b);
	buf_init(&b, 0);
	assert_int_equal(full__canon_value(&c, true, FULL_SIDE_SRC, NULL, 0, true, &b), -1);
	buf_release(&b);
	col_free(&c);
}

/* ---- numbers ------------------------------------------------------------- */

static void test_integers(void **state)
{
	(void)state;
	same("int", "42", "42");
	same("int", "-2147483648", "-2147483648");
	same("int(5) unsigned zerofill", "00042", "42");
	same("int(5) unsigned zerofill", "00000", "0");
	same("tinyint", "-128", "-128");
	same("smallint unsigned", "65535", "65535");
	same("mediumint", "-8388608", "-8388608");
	same("int unsigned", "4294967295", "4294967295");
	same("bigint", "-9223372036854775808", "-9223372036854775808");
	same("bigint unsigned", "18446744073709551615", "18446744073709551615");
	same("year", "0000", "0");
	same("year", "2155", "2155");
	differ("int", "42", "43");
	differ("int", "1", "-1");
	differ("int", "42", "420");
	differ("bigint unsigned", "18446744073709551615", "18446744073709551614");
	differ("year", "2020", "2021");
	differ("int", "42", "42.0");              /* not an integer text: kept raw */
	differ("int", "", "0");
	body_is("int(5) unsigned zerofill", FULL_SIDE_SRC, "00042", "42");
	body_is("int", FULL_SIDE_DST, "-0", "0");
}

static void test_decimal(void **state)
{
	(void)state;
	same("decimal(10,2)", "1.50", "1.50");
	same("decimal(10,2) unsigned zerofill", "00000001.50", "1.50");
	same("decimal(10,2)", "-0.00", "0.00");
	same("decimal(10,2)", "0.10", "0.1");        /* equal as numbers */
	same("decimal(10,0)", "5", "5");
	same("decimal(65,30)", "-12345678901234567890123456789012345.123456789012345678901234567890",
	     "-12345678901234567890123456789012345.123456789012345678901234567890");
	differ("decimal(10,2)", "1.50", "1.05");
	differ("decimal(10,2)", "1.50", "15.00");
	differ("decimal(10,2)", "-1.50", "1.50");
	differ("decimal(10,2)", "10.00", "1.00");
	differ("decimal(10,2)", "1.50", "NaN");
	body_is("decimal(10,2)", FULL_SIDE_SRC, "-0001.20", "-1.2");
	body_is("decimal(10,2)", FULL_SIDE_SRC, "0.00", "0");
}

static void test_float(void **state)
{
	(void)state;
	same("float", "1.23457", "1.23457");
	same("float", "3.4e38", "3.4e+38");
	same("float", "3.40282e38", "3.40282e+38");
	differ("float", "3.4e38", "3.40282e+38");
	same("float", "0.00001", "1e-05");
	same("float", "123457000", "1.23457e+08");
	same("float", "-0.00000015", "-1.5e-07");
	same("float", "0.000123456", "0.000123456");
	same("float(10,4)", "12345.6787", "12345.679");
	same("float", "0", "0");
	same("float", "-0", "-0");
	/* exact: the readers select MySQL FLOAT as a double; MySQL's
	 * 6-digit display would be another float */
	differ("float", "1.23457", "1.2345678");
	differ("float", "123457000", "123456792");
	same("float", "123456792", "1.2345679e+08");
	same("float", "1.2345677614212036", "1.2345678");   /* an exact read of the source */
	differ("float", "16777216", "16777218");
	differ("float", "1.23457", "1.23458");
	differ("float", "1", "-1");
	differ("float", "1", "NaN");
	differ("float", "1", "Infinity");
	differ("float", "0", "-0");
	differ("float", "1e-05", "1.1e-05");
	same("double", "1.7976931348623157e308", "1.7976931348623157e+308");
	same("double", "1e-300", "1e-300");
	same("double", "5e-324", "5e-324");
	same("double", "1.2345678901234568e18", "1.2345678901234568e+18");
	same("double", "0.1", "0.1");
	same("double(10,2)", "1.50", "1.5");
	same("double(10,2)", "10000000.00", "10000000");
	differ("double", "0.1", "0.10000000000000002");
	differ("double", "1e18", "1.0000000000000001e+18");     /* next double */
	same("double", "1.2345678901234568e18", "1.2345678901234567e+18");   /* same double */
	differ("double", "1", " 1");
	differ("double", "1", "1x");
	body_is("double", FULL_SIDE_DST, "1e+20", "1e+20");
	body_is("float", FULL_SIDE_SRC, "123457000", "123457000");
}

/* ---- bit strings, strings, binary ------------------------------------------ */

static void test_bit(void **state)
{
	(void)state;
	check_pair("bit(10)", true, "\x02\xaa", 2, "1010101010", true);
	check_pair("bit(1)", true, "\x01", 1, "1", true);
	check_pair("bit(1)", true, "\x00", 1, "0", true);
	check_pair("bit(8)", true, "\x05", 1, "00000101", true);
	check_pair("bit(64)", true, "\xff\xff\xff\xff\xff\xff\xff\xff", 8,
		   "1111111111111111111111111111111111111111111111111111111111111111", true);
	check_pair("bit(10)", true, "\x02\xaa", 2, "1010101011", false);
	check_pair("bit(10)", true, "\x02\xaa", 2, "010101010", false);
	check_pair("bit(1)", true, "\x01", 1, "0", false);
	/* more bits than the width: no destination value equals it */
	check_pair("bit(10)", true, "\x04\x00", 2, "0000000000", false);
	check_pair("bit(10)", true, "\x02\xaa", 2, "10101010x0", false);
}

static void test_strings(void **state)
{
	(void)state;
	same("char(5)", "ab", "ab   ");              /* character(n) pads */
	same("char(5)", "ab", "ab");
	same("char(1)", "", " ");
	differ("char(5)", "ab", "ab c ");
	differ("char(5)", "ab", " ab  ");
	same("varchar(10)", "a ", "a ");
	differ("varchar(10)", "a ", "a");
	differ("varchar(10)", "A", "a");
	same("text", "😀 émoji\ttab\nnl\\", "😀 émoji\ttab\nnl\\");
	same("longtext", "", "");
	same("enum('a','b')", "b", "b");
	differ("enum('a','b')", "a", "b");
	same("set('r','w')", "r,w", "r,w");
	differ("set('r','w')", "r,w", "w,r");
	same("uuid", "123e4567-e89b-12d3-a456-426614174000",
	     "123e4567-e89b-12d3-a456-426614174000");
	same("uuid", "123E4567-E89B-12D3-A456-426614174000",
	     "123e4567-e89b-12d3-a456-426614174000");
	differ("uuid", "123e4567-e89b-12d3-a456-426614174000",
	       "123e4567-e89b-12d3-a456-426614174001");
	same("inet6", "::ffff:1.2.3.4", "::ffff:1.2.3.4");
	same("inet6", "2001:db8:0:0:0:0:0:1", "2001:db8::1");
	same("inet6", "::1", "::1");
	same("inet4", "1.2.3.4", "1.2.3.4");
	differ("inet6", "::1", "::2");
	differ("inet6", "::ffff:1.2.3.4", "1.2.3.4");
	differ("inet4", "1.2.3.4", "1.2.3.4/24");
}

static void test_bytea(void **state)
{
	char all[256], hex[3 + 512 + 1], *h = hex;

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	h += sprintf(h, "\\x");
	for (int i = 0; i < 256; i++)
		h += sprintf(h, "%02x", i);
	check_pair("longblob", true, all, 256, hex, true);
	check_pair("varbinary(300)", true, all, 255, hex, false);
	check_pair("binary(4)", true, "ab\0\0", 4, "\\x61620000", true);
	check_pair("binary(4)", true, "ab\0\0", 4, "\\x6162", false);
	check_pair("blob", true, "\xff", 1, "\\xFF", true);       /* hex case */
	check_pair("blob", true, "\\x00", 4, "\\x00", false);      /* raw text is not hex */
	check_pair("blob", true, "\x00", 1, "\\x0", false);        /* malformed */
	check_pair("blob", true, "\x00", 1, "\\x0g", false);
	check_pair("point", true, "\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f"
		   "\x00\x00\x00\x00\x00\x00\x00\x40", 21,
		   "\\x0101000000000000000000f03f0000000000000040", true);
	same("blob", "", "\\x");
	differ("blob", "", "");
}

/* ---- dates and times ------------------------------------------------------- */

static void test_dates(void **state)
{
	struct buf a, b;

	(void)state;
	same("date", "2020-01-01", "2020-01-01");
	same("date", "0999-12-31", "0999-12-31");
	same("datetime", "2020-01-01 10:00:00", "2020-01-01 10:00:00");
	same("datetime(6)", "2020-01-01 10:00:00.500000", "2020-01-01 10:00:00.5");
	same("datetime(6)", "2020-01-01 10:00:00.000000", "2020-01-01 10:00:00");
	same("datetime(6)", "9999-12-31 23:59:59.999999", "9999-12-31 23:59:59.999999");
	same("datetime(3)", "2020-01-01 10:00:00.120", "2020-01-01 10:00:00.12");
	same("timestamp(3)", "2020-01-01 10:00:00.500", "2020-01-01 10:00:00.5+00");
	same("timestamp", "2038-01-19 03:14:07", "2038-01-19 03:14:07+00");
	differ("datetime(6)", "2020-01-01 10:00:00.500000", "2020-01-01 10:00:00.05");
	differ("datetime(6)", "2020-01-01 10:00:00.500000", "2020-01-01 10:00:00");
	differ("date", "2020-01-01", "2020-01-02");
	differ("timestamp", "2020-01-01 10:00:00", "2020-01-01 10:00:00");   /* no +00 */
	differ("timestamp", "2020-01-01 10:00:00", "2020-01-01 10:00:00+01");
	differ("timestamp", "2020-01-01 10:00:00", "2020-01-01 11:00:00+00");
	differ("date", "2020-01-01", "2020-01-01 BC");
	/* zero dates arrive as NULL in a nullable column */
	same("date", "0000-00-00", NULL);
	same("date", "2020-00-15", NULL);
	same("datetime(6)", "0000-00-00 00:00:00.000000", NULL);
	same("timestamp(3)", "0000-00-00 00:00:00.000", NULL);
	differ("date", "0000-00-00", "");
	/* ... and are refused in a NOT NULL one: nothing equals them */
	check_pair("date", false, "0000-00-00", 10, NULL, false);
	canon("date", false, FULL_SIDE_SRC, "0000-00-00", &a);
	canon("date", false, FULL_SIDE_DST, "0000-00-00", &b);
	assert_int_equal((unsigned char)a.data[0], 0x01);           /* raw */
	buf_release(&a);
	buf_release(&b);
}

static void test_time(void **state)
{
	(void)state;
	same("time", "-838:59:59", "-838:59:59");
	same("time", "838:59:59", "838:59:59");
	same("time(6)", "838:59:59.000000", "838:59:59");
	same("time(6)", "838:59:59.999999", "838:59:59.999999");
	same("time(6)", "-00:00:01.500000", "-00:00:01.5");
	same("time(6)", "00:00:00.500000", "00:00:00.5");
	same("time(2)", "12:34:56.12", "12:34:56.12");
	same("time", "34:00:00", "34:00:00");
	same("time", "00:00:00", "00:00:00");
	same("time(6)", "-00:00:00.000000", "00:00:00");
	/* PostgreSQL may print days for an interval set by hand */
	same("time", "26:00:00", "1 day 02:00:00");
	same("time", "-22:00:00", "-1 days +02:00:00");
	same("time", "48:00:00", "2 days");
	same("time", "22:00:00", "1 day -02:00:00");
	differ("time(6)", "00:00:00.500000", "00:00:00.05");
	differ("time", "01:00:00", "-01:00:00");
	differ("time", "01:00:00", "01:00:01");
	differ("time", "24:00:00", "1 mon");
	differ("time", "01:00:00", "01:00");
	body_is("time(6)", FULL_SIDE_SRC, "-838:59:59.000001", "-3020399000001");
	body_is("time", FULL_SIDE_DST, "-1 days +02:00:00", "-79200000000");
}

/* ---- JSON ----------------------------------------------------------------- */

static void test_json(void **state)
{
	char big[420];

	(void)state;
	/* jsonb prints 1e400 with all its digits */
	memset(big, '0', sizeof(big));
	memcpy(big, "[1", 2);
	memcpy(big + 402, "]", 2);
	same("json", "[1e400]", big);
	big[3] = '1';
	differ("json", "[1e400]", big);
	same("json", "{\"b\":1, \"a\":[1.0,2e2], \"a\":3}", "{\"a\": 3, \"b\": 1}");
	same("json", "{\"a\":1,\"b\":{\"y\":true,\"z\":null}}",
	     "{\"b\": {\"y\": true, \"z\": null}, \"a\": 1}");
	same("json", "[1.0, -0, 1E+2, 0.000, -0.0]", "[1.0, 0, 100, 0.000, 0.0]");
	same("json", "[0.00001, 1.5e1, 100e-2]", "[0.00001, 15, 1.00]");
	same("json", "{\"\\u00e9\":\"\\u00e9\", \"k\":\"\\ud83d\\ude00\"}",
	     "{\"k\": \"😀\", \"é\": \"é\"}");
	same("json", "{\"a\\\"b\": \"\\n\\/\"}", "{\"a\\\"b\": \"\\n/\"}");
	same("json", " [ ] ", "[]");
	same("json", "\"x\"", "\"x\"");
	same("json", "true", "true");
	same("json", "-12.5e-1", "-1.25");
	differ("json", "{\"a\":1}", "{\"a\": 2}");
	differ("json", "[1,2]", "[2,1]");
	differ("json", "\"1\"", "1");
	differ("json", "{\"k\":\"n12\"}", "{\"k\": 12}");     /* the marker trick */
	differ("json", "{\"k\":\"s\"}", "{\"k\": \"\"}");
	differ("json", "{\"a\":1,\"a\":2}", "{\"a\": 1}");
	differ("json", "{\"s\":\"x\"}", "{\"s\": \"x \"}");
	differ("json", "{\"a\":1} x", "{\"a\": 1}");          /* not JSON: raw */
	differ("json", "[01]", "[1]");
	differ("json", "[1.]", "[1]");
	differ("json", "\"a\\u0000b\"", "\"a\"");
	differ("json", "{\"a\":[1,2]}", "{\"a\": [1, 2, 3]}");
	differ("json", "[1e2]", "[1e3]");
	differ("json", "[0.1]", "[1]");
	body_is("json", FULL_SIDE_SRC, "{\"b\":[1.50,\"x\\ty\"], \"a\":{}, \"a\":null}",
		"{\"a\":null,\"b\":[15e-1,\"x\\u0009y\"]}");
	body_is("json", FULL_SIDE_DST, "[100, -0.0, 120e-1]", "[1e2,0,12e0]");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_concatenation),
		cmocka_unit_test(test_mysql_destination),
		cmocka_unit_test(test_buffer_cap),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_float),
		cmocka_unit_test(test_bit),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_bytea),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
