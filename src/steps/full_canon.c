/*
 * full_canon.c - the canonical form of one column value, so that a row read
 * on the source (MySQL text protocol) and the same row read on the
 * destination (MySQL text protocol, or PostgreSQL text output) give the
 * same bytes, and rows that differ give different bytes (full_internal.h,
 * full__canon_value). Verification hashes a row's canonical values; keys
 * are matched by their canonical bytes.
 *
 * Framing, so that a row's concatenation of values is unambiguous:
 *     NULL       one byte 0xFF
 *     a value    a tag byte, its length as 8 bytes big-endian, its bytes
 *                tag 0x00: the canonical form of a value that parsed as
 *                      its type on this side
 *                tag 0x01: the raw bytes of a value that did not parse
 *                      (never equal to a parsed value of the other side)
 * The code is prefix-free: a reader always knows where a value ends.
 *
 * Per mapping for a PostgreSQL destination (docs/type-mapping.md; the
 * destination side is read with the session of full_worker.c: DateStyle
 * ISO, IntervalStyle postgres, TimeZone UTC, extra_float_digits 1,
 * bytea_output hex):
 *     integers, YEAR      sign and digits without leading zeros
 *                         (ZEROFILL "00042" and numeric(20,0) alike)
 *     DECIMAL             the same, fractional zeros trimmed ("1.50" = "1.5")
 *     FLOAT               the float the text denotes, printed "%.9g" (the
 *                         readers select a MySQL FLOAT as `c` + 0e0, whose
 *                         text is exact; MySQL's plain text has 6 digits)
 *     DOUBLE              the double, printed "%.17g" (both sides print the
 *                         shortest exact form)
 *     BIT(n)              n characters 0/1 (source: the big-endian bytes)
 *     CHAR                trailing spaces dropped (PostgreSQL character(n)
 *                         pads, MySQL strips)
 *     other text, ENUM, SET
 *                         the bytes
 *     bytea mappings      the bytes (source: raw; destination: "\x" hex
 *                         decoded)
 *     DATE, DATETIME, TIMESTAMP
 *                         the text with trailing fractional zeros (and a
 *                         bare '.') removed, "+00" dropped from timestamptz;
 *                         a zero date (month or day 00) in a nullable column
 *                         is NULL, as the copy writes it
 *     TIME -> interval    the signed number of microseconds ("838:59:59",
 *                         "1 day 02:00:00", "-1 days +02:00:00" all parse)
 *     JSON -> jsonb       compact JSON with object keys sorted by bytes,
 *                         duplicate keys reduced to the last one (jsonb
 *                         keeps the last), strings re-escaped minimally,
 *                         numbers as exact decimals "[-]<digits>e<exp>"
 *                         (digits without leading or trailing zeros), so
 *                         1, 1.0, 1e0 and 10e-1 are equal as jsonb says
 *     UUID                lower case
 *     INET4, INET6        the address bytes (inet_pton)
 * A MySQL destination compares the bytes as read (same types both sides),
 * except FLOAT, compared as above (one float may be printed several ways).
 *
 * Threads: pure functions, no state; cJSON allocates with malloc.
 */
#include "steps/full_internal.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/xalloc.h"

#define CANON_NULL  0xFF
#define TAG_VALUE   0x00
#define TAG_RAW     0x01
#define HEADER_LEN  9

/* Result of a per-type canonicaliser. */
enum canon_rc {
	C_FULL = -1,     /* out's cap reached */
	C_OK = 0,        /* canonical form appended */
	C_RAW = 1,       /* the value does not parse: keep its raw bytes */
	C_NULL = 2,      /* the value means NULL (zero date in a nullable column) */
};

static int put(struct buf *out, const void *p, size_t n)
{
	return buf_append(out, p, n) < 0 ? C_FULL : C_OK;
}

static void cut(struct buf *out, size_t len)
{
	out->len = len;
	if (out->data)
		out->data[len] = '\0';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Copies v[0..n) into tmp as a C string; false when it does not fit or
 * holds a NUL byte. */
static bool to_cstr(const char *v, size_t n, char *tmp, size_t size)
{
	if (n >= size || memchr(v, '\0', n))
		return false;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	return true;
}

/* ---- numbers -------------------------------------------------------------- */

/* "[-+]digits[.digits]": sign dropped for zero, leading zeros of the
 * integer part and trailing zeros of the fraction removed. */
static int canon_decimal(const char *v, size_t n, bool allow_frac, struct buf *out)
{
	size_t i = 0, int_start, int_end, frac_start, frac_end;
	bool neg = false, zero = true;

	if (i < n && (v[i] == '-' || v[i] == '+'))
		neg = v[i++] == '-';
	int_start = i;
	while (i < n && is_digit(v[i]))
		i++;
	int_end = frac_start = frac_end = i;
	if (allow_frac && i < n && v[i] == '.') {
		frac_start = ++i;
		while (i < n && is_digit(v[i]))
			i++;
		frac_end = i;
	}
	if (i != n || (int_end == int_start && frac_end == frac_start))
		return C_RAW;
	while (int_start < int_end && v[int_start] == '0')
		int_start++;
	while (frac_end > frac_start && v[frac_end - 1] == '0')
		frac_end--;
	zero = int_start == int_end && frac_start == frac_end;
	if (neg && !zero && put(out, "-", 1) < 0)
		return C_FULL;
	if (int_start == int_end ? put(out, "0", 1) < 0
				 : put(out, v + int_start, int_end - int_start) < 0)
		return C_FULL;
	if (frac_end > frac_start &&
	    (put(out, ".", 1) < 0 || put(out, v + frac_start, frac_end - frac_start) < 0))
		return C_FULL;
	return C_OK;
}

/* FLOAT: compared as the float the text denotes (exact when both sides
 * are read exactly, see above). DOUBLE: both sides print the shortest
 * exact form; compared exactly. */
static int canon_float(const char *v, size_t n, bool single, struct buf *out)
{
	char tmp[128], *end;
	int rc;

	if (n == 0 || !to_cstr(v, n, tmp, sizeof(tmp)) || isspace((unsigned char)tmp[0]))
		return C_RAW;
	if (single) {
		float f = strtof(tmp, &end);

		if (end != tmp + n)
			return C_RAW;
		rc = buf_printf(out, "%.9g", (double)f);
	} else {
		double d = strtod(tmp, &end);

		if (end != tmp + n)
			return C_RAW;
		rc = buf_printf(out, "%.17g", d);
	}
	return rc < 0 ? C_FULL : C_OK;
}

/* ---- bit strings and binary ---------------------------------------------- */

/* BIT(n) from the source's big-endian bytes: n characters 0/1 (as
 * pg_copy_encode_value writes them); a value with more bits stays raw. */
static int canon_bit_src(const struct schema_column *col, const unsigned char *p, size_t n,
			 struct buf *out)
{
	int width = col->precision > 0 ? col->precision : 1;
	char bits[64];

	if (width > 64)
		return C_RAW;
	for (size_t bit = (size_t)width; bit < n * 8; bit++)
		if (p[n - 1 - bit / 8] >> (bit % 8) & 1)
			return C_RAW;
	for (int b = 0; b < width; b++) {
		size_t bit = (size_t)(width - 1 - b), byte = bit / 8;

		bits[b] = byte < n && (p[n - 1 - byte] >> (bit % 8) & 1) ? '1' : '0';
	}
	return put(out, bits, (size_t)width);
}

static int canon_bit_dst(const char *v, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != '0' && v[i] != '1')
			return C_RAW;
	return put(out, v, n);
}


/* PostgreSQL bytea in hex output: "\x0aff" -> the bytes. */
static int canon_bytea_dst(const char *v, size_t n, struct buf *out)
{
	unsigned char chunk[2048];
	size_t k = 0;

	if (n < 2 || v[0] != '\\' || v[1] != 'x' || n % 2)
		return C_RAW;
	for (size_t i = 2; i < n; i += 2) {
		int hi = str_hex_digit(v[i]), lo = str_hex_digit(v[i + 1]);

		if (hi < 0 || lo < 0)
			return C_RAW;
		chunk[k++] = (unsigned char)(hi << 4 | lo);
		if (k == sizeof(chunk)) {
			if (put(out, chunk, k) < 0)
				return C_FULL;
			k = 0;
		}
	}
	return put(out, chunk, k);
}

/* ---- strings -------------------------------------------------------------- */

static int canon_char(const char *v, size_t n, struct buf *out)
{
	while (n > 0 && v[n - 1] == ' ')
		n--;
	return put(out, v, n);
}

static int canon_uuid(const char *v, size_t n, struct buf *out)
{
	char tmp[64];

	if (!to_cstr(v, n, tmp, sizeof(tmp)))
		return C_RAW;
	for (size_t i = 0; i < n; i++)
		tmp[i] = (char)tolower((unsigned char)tmp[i]);
	return put(out, tmp, n);
}

/* INET4/INET6 (MariaDB) and inet (PostgreSQL): family byte and address. */
static int canon_inet(const char *v, size_t n, struct buf *out)
{
	char tmp[80];
	unsigned char a[17];

	if (!to_cstr(v, n, tmp, sizeof(tmp)))
		return C_RAW;
	if (inet_pton(AF_INET6, tmp, a + 1) == 1) {
		a[0] = 6;
		return put(out, a, 17);
	}
	if (inet_pton(AF_INET, tmp, a + 1) == 1) {
		a[0] = 4;
		return put(out, a, 5);
	}
	return C_RAW;
}

/* ---- dates and times ------------------------------------------------------ */

/* DATE, DATETIME, TIMESTAMP: zero dates as the copy writes them, then the
 * fraction without trailing zeros, and timestamptz's "+00" dropped. */
static int canon_date(const struct schema_column *col, enum full_side side, const char *v,
		      size_t n, struct buf *out)
{
	if (n >= 10 && v[4] == '-' && v[7] == '-' &&
	    (memcmp(v + 5, "00", 2) == 0 || memcmp(v + 8, "00", 2) == 0))
		return col->nullable ? C_NULL : C_RAW;
	if (col->type == SCHEMA_T_TIMESTAMP && side == FULL_SIDE_DST) {
		if (n < 3 || memcmp(v + n - 3, "+00", 3) != 0)
			return C_RAW;
		n -= 3;
	}
	if (n > 19 && v[19] == '.') {
		while (n > 20 && v[n - 1] == '0')
			n--;
		if (n == 20)
			n = 19;
	}
	return put(out, v, n);
}

/* Up to max_digits decimal digits at v[*i]; false when there are none. */
static bool take_num(const char *v, size_t n, size_t *i, int max_digits, int64_t *x)
{
	int k = 0;

	*x = 0;
	while (*i < n && is_digit(v[*i])) {
		if (++k > max_digits)
			return false;
		*x = *x * 10 + (v[(*i)++] - '0');
	}
	return k > 0;
}

/* "[+-]H:MM:SS[.ffffff]" at v[*i] -> signed microseconds. */
static bool take_hms(const char *v, size_t n, size_t *i, int64_t *us)
{
	int64_t h, m, s, frac = 0;
	bool neg = false;

	if (*i < n && (v[*i] == '-' || v[*i] == '+'))
		neg = v[(*i)++] == '-';
	if (!take_num(v, n, i, 9, &h) || *i >= n || v[(*i)++] != ':' ||
	    !take_num(v, n, i, 2, &m) || *i >= n || v[(*i)++] != ':' || !take_num(v, n, i, 2, &s))
		return false;
	if (*i < n && v[*i] == '.') {
		size_t start = ++*i;

		if (!take_num(v, n, i, 6, &frac))
			return false;
		for (size_t k = *i - start; k < 6; k++)
			frac *= 10;
	}
	*us = ((h * 60 + m) * 60 + s) * 1000000 + frac;
	if (neg)
		*us = -*us;
	return true;
}

/* PostgreSQL's "N day(s)" part of an interval at v[*i] -> microseconds;
 * leaves *i alone and returns false when there is none. */
static bool take_days(const char *v, size_t n, size_t *i, int64_t *us)
{
	size_t j = *i;
	int64_t d;
	bool neg = false;

	if (j < n && v[j] == '-')
		neg = v[j++] == '-';
	if (!take_num(v, n, &j, 7, &d))
		return false;
	if (n - j >= 5 && memcmp(v + j, " days", 5) == 0)
		j += 5;
	else if (n - j >= 4 && memcmp(v + j, " day", 4) == 0)
		j += 4;
	else
		return false;
	if (j < n && v[j] == ' ')
		j++;
	*us = (neg ? -d : d) * 86400 * INT64_C(1000000);
	*i = j;
	return true;
}

/* TIME (source) and interval (destination) -> signed microseconds. */
static int canon_time(const char *v, size_t n, struct buf *out)
{
	int64_t total = 0, part;
	size_t i = 0;

	if (take_days(v, n, &i, &part))
		total = part;
	if (i < n || i == 0) {
		if (!take_hms(v, n, &i, &part))
			return C_RAW;
		total += part;
	}
	if (i != n)
		return C_RAW;
	return buf_printf(out, "%lld", (long long)total) < 0 ? C_FULL : C_OK;
}

/* ---- JSON ----------------------------------------------------------------- */

/* cJSON loses a number's text and cuts strings at \u0000. So the text is
 * first rewritten: every string becomes the string "s<string>" and every
 * number the string "n<number>"; structure, whitespace and literals stay.
 * C_RAW for an unterminated string or a \u0000 escape. */
static int json_mark(const char *v, size_t n, struct buf *o)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i + 1;

		if (v[i] == '"') {
			for (; j < n && v[j] != '"'; j++) {
				if (v[j] != '\\')
					continue;
				if (n - j >= 6 && memcmp(v + j + 1, "u0000", 5) == 0)
					return C_RAW;
				j++;
			}
			if (j >= n)
				return C_RAW;
			if (put(o, "\"s", 2) < 0 || put(o, v + i + 1, j - i) < 0)
				return C_FULL;
			i = j + 1;
		} else if (v[i] == '-' || is_digit(v[i])) {
			while (j < n && v[j] && strchr("+-.eE0123456789", v[j]))
				j++;
			if (put(o, "\"n", 2) < 0 || put(o, v + i, j - i) < 0 || put(o, "\"", 1) < 0)
				return C_FULL;
			i = j;
		} else {
			if (put(o, v + i, 1) < 0)
				return C_FULL;
			i++;
		}
	}
	return C_OK;
}

/* A JSON number as an exact decimal: "[-]<digits>e<exp>" with no leading
 * or trailing zeros in digits, "0" for zero. C_RAW when s is not a JSON
 * number. */
static int json_number(const char *s, struct buf *out)
{
	size_t start = out->len, digits = 0, frac = 0, trail = 0;
	long long exp = 0, e = 0;
	bool neg = *s == '-', eneg = false;

	s += neg;
	if (!is_digit(*s) || (s[0] == '0' && is_digit(s[1])))
		return C_RAW;
	if (neg && put(out, "-", 1) < 0)
		return C_FULL;
	for (bool in_frac = false;; s++) {
		if (*s == '.' && !in_frac && is_digit(s[1])) {
			in_frac = true;
			continue;
		}
		if (!is_digit(*s))
			break;
		frac += in_frac;
		if ((*s != '0' || digits) && put(out, s, 1) < 0)
			return C_FULL;
		digits += *s != '0' || digits;
		trail = *s == '0' ? trail + 1 : 0;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			eneg = *s++ == '-';
		if (!is_digit(*s))
			return C_RAW;
		for (int k = 0; is_digit(*s); s++) {
			if (++k > 9)
				return C_RAW;
			e = e * 10 + (*s - '0');
		}
	}
	if (*s)
		return C_RAW;
	if (!digits) {
		cut(out, start);
		return put(out, "0", 1);
	}
	cut(out, out->len - trail);
	exp = (eneg ? -e : e) - (long long)frac + (long long)trail;
	return buf_printf(out, "e%lld", exp) < 0 ? C_FULL : C_OK;
}

/* A JSON string, escaped minimally: '"', '\\' and control characters. */
static int json_string(const char *s, struct buf *out)
{
	if (put(out, "\"", 1) < 0)
		return C_FULL;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		int rc;

		if (ch == '"' || ch == '\\')
			rc = buf_printf(out, "\\%c", ch);
		else if (ch < 0x20)
			rc = buf_printf(out, "\\u%04x", ch);
		else
			rc = buf_putc(out, (char)ch);
		if (rc < 0)
			return C_FULL;
	}
	return put(out, "\"", 1);
}

static int json_print(const cJSON *j, struct buf *out);

struct json_member {
	const cJSON *item;
	size_t pos;
};

static int member_cmp(const void *a, const void *b)
{
	const struct json_member *x = a, *y = b;
	int c = strcmp(x->item->string, y->item->string);

	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* An object with its keys sorted; of duplicate keys the last one is kept. */
static int json_object(const cJSON *j, struct buf *out)
{
	struct json_member *m;
	size_t n = 0, k = 0;
	bool first = true;
	int rc = put(out, "{", 1);

	for (const cJSON *c = j->child; c; c = c->next)
		n++;
	m = xcalloc(n ? n : 1, sizeof(*m));
	for (const cJSON *c = j->child; c; c = c->next, k++)
		m[k] = (struct json_member){ c, k };
	qsort(m, n, sizeof(*m), member_cmp);
	for (size_t i = 0; rc == C_OK && i < n; i++) {
		const char *key = m[i].item->string;

		if (i + 1 < n && strcmp(key, m[i + 1].item->string) == 0)
			continue;       /* a later duplicate wins */
		if (key[0] != 's')
			rc = C_RAW;
		else if ((!first && put(out, ",", 1) < 0) || json_string(key + 1, out) < 0 ||
			 put(out, ":", 1) < 0)
			rc = C_FULL;
		else
			rc = json_print(m[i].item, out);
		first = false;
	}
	free(m);
	return rc == C_OK ? put(out, "}", 1) : rc;
}

static int json_print(const cJSON *j, struct buf *out)
{
	int rc = C_OK;

	if (cJSON_IsNull(j))
		return put(out, "null", 4);
	if (cJSON_IsTrue(j))
		return put(out, "true", 4);
	if (cJSON_IsFalse(j))
		return put(out, "false", 5);
	if (cJSON_IsObject(j))
		return json_object(j, out);
	if (cJSON_IsArray(j)) {
		if (put(out, "[", 1) < 0)
			return C_FULL;
		for (const cJSON *c = j->child; c && rc == C_OK; c = c->next)
			if (c != j->child && put(out, ",", 1) < 0)
				rc = C_FULL;
			else
				rc = json_print(c, out);
		return rc == C_OK ? put(out, "]", 1) : rc;
	}
	if (cJSON_IsString(j) && j->valuestring[0] == 's')
		return json_string(j->valuestring + 1, out);
	if (cJSON_IsString(j) && j->valuestring[0] == 'n')
		return json_number(j->valuestring + 1, out);
	return C_RAW;
}

static int canon_json(const char *v, size_t n, struct buf *out)
{
	struct buf marked;
	cJSON *j = NULL;
	int rc;

	buf_init(&marked, BUF_UNLIMITED);
	rc = json_mark(v, n, &marked);
	if (rc == C_OK) {
		const char *end = NULL, *stop = buf_cstr(&marked) + marked.len;

		j = cJSON_ParseWithLengthOpts(buf_cstr(&marked), marked.len, &end, false);
		while (j && end && end < stop && isspace((unsigned char)*end))
			end++;
		rc = j && end == stop ? json_print(j, out) : C_RAW;
	}
	cJSON_Delete(j);
	buf_release(&marked);
	return rc;
}

/* ---- dispatch ------------------------------------------------------------- */

static int canon_pg(const struct full_col *c, enum full_side side, const char *v, size_t n,
		    struct buf *out)
{
	const struct schema_column *col = c->src;

	if (c->map.risk == SCHEMA_RISK_UNSUPPORTED)
		return C_RAW;
	if (strcmp(c->map.dst_type, "bytea") == 0)
		return side == FULL_SIDE_SRC ? put(out, v, n) : canon_bytea_dst(v, n, out);
	switch (col->type) {
	case SCHEMA_T_TINYINT: case SCHEMA_T_SMALLINT: case SCHEMA_T_MEDIUMINT:
	case SCHEMA_T_INT: case SCHEMA_T_BIGINT: case SCHEMA_T_YEAR:
		return canon_decimal(v, n, false, out);
	case SCHEMA_T_DECIMAL:
		return canon_decimal(v, n, true, out);
	case SCHEMA_T_FLOAT: case SCHEMA_T_DOUBLE:
		return canon_float(v, n, col->type == SCHEMA_T_FLOAT, out);
	case SCHEMA_T_BIT:
		return side == FULL_SIDE_SRC
		       ? canon_bit_src(col, (const unsigned char *)v, n, out)
		       : canon_bit_dst(v, n, out);
	case SCHEMA_T_CHAR:
		return canon_char(v, n, out);
	case SCHEMA_T_DATE: case SCHEMA_T_DATETIME: case SCHEMA_T_TIMESTAMP:
		return canon_date(col, side, v, n, out);
	case SCHEMA_T_TIME:
		return canon_time(v, n, out);
	case SCHEMA_T_JSON:
		return canon_json(v, n, out);
	case SCHEMA_T_UUID:
		return canon_uuid(v, n, out);
	case SCHEMA_T_INET4: case SCHEMA_T_INET6:
		return canon_inet(v, n, out);
	default:
		return put(out, v, n);
	}
}

int full__canon_value(const struct full_col *c, bool pg, enum full_side side,
		      const char *val, size_t len, bool is_null, struct buf *out)
{
	unsigned char head[HEADER_LEN] = { TAG_VALUE };
	size_t start = out->len, n;
	int rc;

	if (is_null)
		return buf_putc(out, (char)CANON_NULL);
	if (!val)
		val = "";
	if (buf_append(out, head, sizeof(head)) < 0)
		return -1;
	if (pg)
		rc = canon_pg(c, side, val, len, out);
	else if (c->src->type == SCHEMA_T_FLOAT)
		rc = canon_float(val, len, true, out);
	else
		rc = put(out, val, len);
	if (rc == C_RAW) {
		cut(out, start + HEADER_LEN);
		out->data[start] = TAG_RAW;
		rc = put(out, val, len);
	}
	if (rc == C_NULL) {
		cut(out, start);
		return buf_putc(out, (char)CANON_NULL);
	}
	if (rc == C_FULL) {
		cut(out, start);
		return -1;
	}
	n = out->len - start - HEADER_LEN;
	for (int i = 0; i < 8; i++)
		out->data[start + 8 - i] = (char)(n >> (8 * i) & 0xFF);
	return 0;
}
