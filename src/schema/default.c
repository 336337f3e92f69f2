/*
 * default.c - the DEFAULT a column gets in the destination dialect
 * (typemap.h, schema_map_default): source literals re-quoted for the target
 * type, the CURRENT_TIMESTAMP family, and expressions through
 * schema_expr_convert(). Pure and thread-safe.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/typemap.h"
#include "util/str.h"

static bool is_date_type(enum schema_type t)
{
	return t == SCHEMA_T_DATE || t == SCHEMA_T_DATETIME || t == SCHEMA_T_TIMESTAMP;
}

static bool is_numeric_type(enum schema_type t)
{
	return (t >= SCHEMA_T_TINYINT && t <= SCHEMA_T_DOUBLE) || t == SCHEMA_T_YEAR;
}

static bool is_binary_type(enum schema_type t)
{
	return t == SCHEMA_T_BINARY || t == SCHEMA_T_VARBINARY || t == SCHEMA_T_TINYBLOB ||
	       t == SCHEMA_T_BLOB || t == SCHEMA_T_MEDIUMBLOB || t == SCHEMA_T_LONGBLOB;
}

static int why_set(char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (why && n) {
		va_start(ap, fmt);
		vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* -?digits[.digits][e[+-]digits] */
static bool looks_numeric(const char *v)
{
	const char *p = v;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == 0;
}

static bool zero_date(const char *v)
{
	int y, mo, d;

	return sscanf(v, "%4d-%2d-%2d", &y, &mo, &d) == 3 && (y == 0 || mo == 0 || d == 0);
}

/* current_timestamp[(n)], now([n]), localtimestamp[(n)], localtime[(n)]:
 * true with *fsp = n or -1. */
static bool clock_value(const char *v, int *fsp)
{
	static const char *const names[] = { "current_timestamp", "now", "localtimestamp",
					     "localtime" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		const char *p = v + n;
		if (strncasecmp(v, names[i], n) != 0)
			continue;
		*fsp = -1;
		if (*p == 0)
			return true;
		if (*p++ != '(')
			return false;
		if (isdigit((unsigned char)*p))
			*fsp = *p++ - '0';
		return p[0] == ')' && p[1] == 0;
	}
	return false;
}

/* Decodes a MySQL quoted literal ('..' with '' and backslash escapes) into
 * bytes (NULs kept). -1 when v is not one whole literal. */
int schema_unquote_literal(const char *v, struct buf *out)
{
	static const char from[] = "0bnrtZ", to[] = "\0\b\n\r\t\032";
	const char *s = v + 1;

	if (v[0] != '\'')
		return -1;
	for (;;) {
		if (!*s)
			return -1;
		if (*s == '\'' && s[1] == '\'') {
			buf_putc(out, '\'');
			s += 2;
		} else if (*s == '\'') {
			return s[1] == 0 ? 0 : -1;
		} else if (*s == '\\' && s[1]) {
			const char *e = strchr(from, s[1]);
			buf_putc(out, e ? to[e - from] : s[1]);
			s += 2;
		} else {
			buf_putc(out, *s++);
		}
	}
}

static void put_pg_string(struct buf *b, const char *s, const char *suffix)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_putc(b, '\'');
		buf_putc(b, *s);
	}
	buf_puts(b, suffix);
	buf_putc(b, '\'');
}

static void put_my_string(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			buf_putc(b, *s);
		buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

/* BIT: b'101' or a decimal number, as B'...' padded to the column width. */
static int pg_bits(const struct schema_column *c, const char *v, struct buf *out,
		   char *why, size_t why_n)
{
	int width = c->precision > 0 ? c->precision : 1;
	char bits[65];
	size_t n = 0;

	if ((v[0] == 'b' || v[0] == 'B') && v[1] == '\'') {
		for (const char *p = v + 2; *p != '\''; p++) {
			if ((*p != '0' && *p != '1') || n == 64)
				return why_set(why, why_n, "BIT default %s is not a bit literal", v);
			if (n || *p == '1')
				bits[n++] = *p;
		}
	} else if (looks_numeric(v) && v[0] != '-') {
		unsigned long long x = strtoull(v, NULL, 10);
		for (int i = 63; i >= 0; i--)
			if (n || (x >> i) & 1)
				bits[n++] = (char)('0' + ((x >> i) & 1));
	} else {
		return why_set(why, why_n, "BIT default %s is not a bit literal", v);
	}
	if ((int)n > width)
		return why_set(why, why_n, "BIT default %s is wider than the column", v);
	buf_puts(out, "B'");
	for (int i = (int)n; i < width; i++)
		buf_putc(out, '0');
	buf_append(out, bits, n);
	return buf_putc(out, '\'');
}

/* Binary strings as a bytea hex literal; BINARY(n) padded with zero bytes
 * the way MySQL pads what it stores. */
static void pg_bytea(const struct schema_column *c, const char *bytes, size_t n,
		     struct buf *out)
{
	size_t pad = c->type == SCHEMA_T_BINARY && c->char_length > (int64_t)n
		     ? (size_t)c->char_length - n : 0;

	buf_puts(out, "'\\x");
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%02x", (unsigned char)bytes[i]);
	for (size_t i = 0; i < pad; i++)
		buf_puts(out, "00");
	buf_putc(out, '\'');
}

static int pg_clock(const struct schema_column *c, int fsp, struct buf *out)
{
	if (c->type == SCHEMA_T_DATE)
		return buf_puts(out, "CURRENT_DATE");
	buf_puts(out, c->type == SCHEMA_T_DATETIME ? "LOCALTIMESTAMP" : "CURRENT_TIMESTAMP");
	if (fsp >= 0)
		buf_printf(out, "(%d)", fsp);
	return 0;
}

static int pg_expr(const struct schema_column *c, const char *v, struct buf *out,
		   char *why, size_t why_n)
{
	int fsp;

	if (str_ieq(v, "NULL"))
		return buf_puts(out, "NULL");
	if (c->type == SCHEMA_T_BIT)
		return pg_bits(c, v, out, why, why_n);
	if (clock_value(v, &fsp) && (is_date_type(c->type)))
		return pg_clock(c, fsp, out);
	if (v[0] == '\'' && is_binary_type(c->type)) {
		struct buf bytes;
		int rc;
		buf_init(&bytes, BUF_UNLIMITED);
		rc = schema_unquote_literal(v, &bytes);
		if (rc == 0)
			pg_bytea(c, bytes.data ? bytes.data : "", bytes.len, out);
		buf_release(&bytes);
		if (rc < 0)
			return why_set(why, why_n, "default %s is not a string literal", v);
		return 0;
	}
	if (schema_expr_convert(SCHEMA_DIALECT_PG, v, out, why, why_n) < 0)
		return -1;
	return 0;
}

static int pg_literal(const struct schema_column *c, const char *v, struct buf *out,
		      char *why, size_t why_n)
{
	enum schema_type t = c->type;

	if (is_date_type(t) && zero_date(v))
		return why_set(why, why_n, "zero date %s has no PostgreSQL value", v);
	if (t == SCHEMA_T_BIT)
		return pg_bits(c, v, out, why, why_n);
	if (is_numeric_type(t) && looks_numeric(v))
		return buf_puts(out, v);
	if (is_binary_type(t)) {
		pg_bytea(c, v, strlen(v), out);
		return 0;
	}
	if (t >= SCHEMA_T_GEOMETRY && t <= SCHEMA_T_GEOMETRYCOLLECTION)
		return why_set(why, why_n, "spatial default %s is not converted", v);
	/* TIMESTAMP literals were read in UTC (my_schema_read). */
	put_pg_string(out, v, t == SCHEMA_T_TIMESTAMP ? "+00" : "");
	return 0;
}

int schema_map_default(const struct schema_column *c, enum schema_dialect d,
		       struct buf *out, char *why, size_t why_n)
{
	const char *v = c->default_value ? c->default_value : "";
	struct buf b;
	int rc;

	if (why && why_n)
		why[0] = 0;
	if (!c->has_default || c->auto_increment || (c->generation_expr && *c->generation_expr))
		return 0;
	if (d == SCHEMA_DIALECT_MYSQL) {
		if (c->default_is_expr)
			return buf_puts(out, v);
		put_my_string(out, v);
		return 0;
	}
	buf_init(&b, BUF_UNLIMITED);
	rc = c->default_is_expr ? pg_expr(c, v, &b, why, why_n)
				: pg_literal(c, v, &b, why, why_n);
	if (rc == 0 && b.len)
		rc = buf_append(out, b.data, b.len);
	buf_release(&b);
	return rc < 0 ? -1 : 0;
}
