/*
 * typemap.c - how each source column arrives in a destination dialect
 * (typemap.h): the destination type, the CHECK that keeps the source range,
 * the DEFAULT, and what may change on the way, as one risk and one note.
 *
 * docs/type-mapping.md is the same table for people, with the reason for
 * every choice; tests/unit/test_schema.c parses that table and checks each
 * row against schema_map_column(), so the two cannot drift apart. Pure
 * functions, thread-safe.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/typemap.h"
#include "util/str.h"

/* Integer families: source range and PostgreSQL type, signed/unsigned. */
static const struct int_info {
	enum schema_type type;
	const char *min, *max, *umax;
	const char *pg, *pg_unsigned;
	bool widened;             /* the signed PostgreSQL type holds more */
} ints[] = {
	{ SCHEMA_T_TINYINT, "-128", "127", "255", "smallint", "smallint", true },
	{ SCHEMA_T_SMALLINT, "-32768", "32767", "65535", "smallint", "integer", false },
	{ SCHEMA_T_MEDIUMINT, "-8388608", "8388607", "16777215", "integer", "integer", true },
	{ SCHEMA_T_INT, "-2147483648", "2147483647", "4294967295", "integer", "bigint", false },
	{ SCHEMA_T_BIGINT, "-9223372036854775808", "9223372036854775807",
	  "18446744073709551615", "bigint", "numeric(20,0)", false },
};

static const struct int_info *int_info(enum schema_type t)
{
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (ints[i].type == t)
			return &ints[i];
	return NULL;
}

static const char *s_or_empty(const char *s)
{
	return s ? s : "";
}

static bool is_text_type(enum schema_type t)
{
	return t == SCHEMA_T_CHAR || t == SCHEMA_T_VARCHAR || t == SCHEMA_T_TINYTEXT ||
	       t == SCHEMA_T_TEXT || t == SCHEMA_T_MEDIUMTEXT || t == SCHEMA_T_LONGTEXT;
}

static bool is_binary_type(enum schema_type t)
{
	return t == SCHEMA_T_BINARY || t == SCHEMA_T_VARBINARY || t == SCHEMA_T_TINYBLOB ||
	       t == SCHEMA_T_BLOB || t == SCHEMA_T_MEDIUMBLOB || t == SCHEMA_T_LONGBLOB;
}

static bool is_spatial_type(enum schema_type t)
{
	return t >= SCHEMA_T_GEOMETRY && t <= SCHEMA_T_GEOMETRYCOLLECTION;
}

static bool is_date_type(enum schema_type t)
{
	return t == SCHEMA_T_DATE || t == SCHEMA_T_DATETIME || t == SCHEMA_T_TIMESTAMP;
}

/* BIGINT UNSIGNED AUTO_INCREMENT stays bigint: identity needs an integer. */
static bool unsigned_bigint_identity(const struct schema_column *c)
{
	return c->type == SCHEMA_T_BIGINT && c->is_unsigned && c->auto_increment;
}

/* A date literal with a zero year, month or day ('0000-00-00',
 * '2020-00-15'): MySQL stores it, PostgreSQL has no such date. */
static bool is_zero_date(const char *v)
{
	int y, mo, d;

	if (!v || sscanf(v, "%4d-%2d-%2d", &y, &mo, &d) != 3)
		return false;
	return y == 0 || mo == 0 || d == 0;
}

static bool has_zero_default(const struct schema_column *c)
{
	return is_date_type(c->type) && c->has_default && !c->default_is_expr &&
	       is_zero_date(c->default_value);
}

/* Case-insensitive collations: utf8mb4_general_ci, utf8mb4_0900_ai_ci... */
static bool collation_ci(const char *coll)
{
	size_t n = coll ? strlen(coll) : 0;

	return n > 3 && strcmp(coll + n - 3, "_ci") == 0;
}

static void raise(struct schema_mapping *m, enum schema_risk r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Raises the risk to r and appends one reason to the note. */
static void raise(struct schema_mapping *m, enum schema_risk r, const char *fmt, ...)
{
	char tmp[sizeof(m->note)];
	size_t len = strlen(m->note);
	va_list ap;

	if (r > m->risk)
		m->risk = r;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	snprintf(m->note + len, sizeof(m->note) - len, "%s%s", len ? "; " : "", tmp);
}

/* ---- CHECK expressions --------------------------------------------------- */

static void put_pg_string(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_putc(b, '\'');
		buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

static void check_range(struct buf *b, const char *col, const char *min, const char *max)
{
	buf_printf(b, "%s >= %s", col, min);
	if (max)
		buf_printf(b, " AND %s <= %s", col, max);
}

static void check_int(const struct schema_column *c, const char *col, struct buf *b)
{
	const struct int_info *ii = int_info(c->type);

	if (unsigned_bigint_identity(c))
		check_range(b, col, "0", NULL);
	else if (c->is_unsigned)
		check_range(b, col, "0", ii->umax);
	else if (ii->widened)
		check_range(b, col, ii->min, ii->max);
}

static void check_members(const struct schema_column *c, const char *col, struct buf *b)
{
	if (c->type == SCHEMA_T_ENUM)
		buf_printf(b, "%s IN (", col);
	else
		buf_printf(b, "string_to_array(%s, ',') <@ ARRAY[", col);
	for (size_t i = 0; i < c->n_enum_values; i++) {
		if (i)
			buf_puts(b, ", ");
		put_pg_string(b, c->enum_values[i]);
	}
	buf_puts(b, c->type == SCHEMA_T_ENUM ? ")" : "]::text[]");
}

/* The PostgreSQL CHECK that keeps the source range, with col as written. */
static void build_check(const struct schema_column *c, const char *col, struct buf *b)
{
	enum schema_type t = c->type;

	if (int_info(t))
		check_int(c, col, b);
	else if ((t == SCHEMA_T_DECIMAL || t == SCHEMA_T_FLOAT || t == SCHEMA_T_DOUBLE) &&
		 c->is_unsigned)
		check_range(b, col, "0", NULL);
	else if ((t == SCHEMA_T_CHAR || t == SCHEMA_T_VARCHAR) && c->char_length == 0)
		buf_printf(b, "%s = ''", col);
	else if ((t == SCHEMA_T_BINARY || t == SCHEMA_T_VARBINARY) && c->char_length >= 0)
		buf_printf(b, "octet_length(%s) <= %lld", col, (long long)c->char_length);
	else if ((t == SCHEMA_T_ENUM || t == SCHEMA_T_SET) && c->n_enum_values > 0)
		check_members(c, col, b);
	else if (t == SCHEMA_T_TIME)
		buf_printf(b, "%s >= interval '-838:59:59.999999' AND %s <= interval "
			   "'838:59:59.999999'", col, col);
	else if (t == SCHEMA_T_YEAR)
		buf_printf(b, "%s = 0 OR %s BETWEEN 1901 AND 2155", col, col);
	else if (t == SCHEMA_T_INET4)
		buf_printf(b, "family(%s) = 4 AND masklen(%s) = 32", col, col);
	else if (t == SCHEMA_T_INET6)
		buf_printf(b, "family(%s) = 6 AND masklen(%s) = 128", col, col);
}

int schema_map_check_sql(const struct schema_column *c, enum schema_dialect d,
			 const char *quoted_column, struct buf *out)
{
	struct buf b;
	int rc = 0;

	if (d != SCHEMA_DIALECT_PG)
		return 0;
	buf_init(&b, BUF_UNLIMITED);
	build_check(c, quoted_column, &b);
	if (b.len)
		rc = buf_append(out, b.data, b.len);
	buf_release(&b);
	return rc;
}

static void fill_check_expr(const struct schema_column *c, struct schema_mapping *m)
{
	struct buf b;
	size_t cap = sizeof(m->check_expr);

	buf_init(&b, BUF_UNLIMITED);
	build_check(c, "%s", &b);
	if (b.len < cap) {
		str_copy(m->check_expr, cap, buf_cstr(&b));
	} else {
		memcpy(m->check_expr, b.data, cap - 4);
		memcpy(m->check_expr + cap - 4, "...", 4);
	}
	buf_release(&b);
}

/* ---- PostgreSQL types ---------------------------------------------------- */

static void map_pg_int(const struct schema_column *c, struct schema_mapping *m)
{
	const struct int_info *ii = int_info(c->type);
	const char *name = schema_type_name(c->type);

	if (unsigned_bigint_identity(c)) {
		str_copy(m->dst_type, sizeof(m->dst_type), "bigint");
		raise(m, SCHEMA_RISK_TYPE, "BIGINT UNSIGNED AUTO_INCREMENT becomes bigint (an "
		      "identity needs an integer type) with a CHECK >= 0; values above "
		      "9223372036854775807 would be refused");
		return;
	}
	str_copy(m->dst_type, sizeof(m->dst_type), c->is_unsigned ? ii->pg_unsigned : ii->pg);
	if (c->is_unsigned)
		raise(m, SCHEMA_RISK_TYPE, "%s UNSIGNED becomes %s with a CHECK keeping 0..%s",
		      name, m->dst_type, ii->umax);
	else if (ii->widened)
		raise(m, SCHEMA_RISK_TYPE, "%s becomes %s with a CHECK keeping %s..%s",
		      name, m->dst_type, ii->min, ii->max);
}

static void map_pg_number(const struct schema_column *c, struct schema_mapping *m)
{
	const char *name = schema_type_name(c->type);

	if (c->type == SCHEMA_T_DECIMAL) {
		int p = c->precision > 0 ? c->precision : 10, s = c->scale >= 0 ? c->scale : 0;
		snprintf(m->dst_type, sizeof(m->dst_type), "numeric(%d,%d)", p, s);
	} else {
		str_copy(m->dst_type, sizeof(m->dst_type),
			 c->type == SCHEMA_T_FLOAT ? "real" : "double precision");
		if (c->scale >= 0)
			raise(m, SCHEMA_RISK_TYPE, "the rounding of %s to %d decimals is not "
			      "enforced by %s", s_or_empty(c->column_type), c->scale, m->dst_type);
	}
	if (c->is_unsigned)
		raise(m, SCHEMA_RISK_TYPE, "%s UNSIGNED becomes %s with a CHECK >= 0", name,
		      m->dst_type);
}

static void map_pg_string(const struct schema_column *c, struct schema_mapping *m)
{
	enum schema_type t = c->type;

	if ((t == SCHEMA_T_CHAR || t == SCHEMA_T_VARCHAR) && c->char_length == 0) {
		str_copy(m->dst_type, sizeof(m->dst_type), "text");
		raise(m, SCHEMA_RISK_TYPE, "%s(0) becomes text with a CHECK that it is empty "
		      "(PostgreSQL lengths start at 1)", t == SCHEMA_T_CHAR ? "CHAR" : "VARCHAR");
	} else if (t == SCHEMA_T_CHAR) {
		snprintf(m->dst_type, sizeof(m->dst_type), "character(%lld)",
			 (long long)(c->char_length > 0 ? c->char_length : 1));
	} else if (t == SCHEMA_T_VARCHAR) {
		snprintf(m->dst_type, sizeof(m->dst_type), "character varying(%lld)",
			 (long long)c->char_length);
	} else {
		str_copy(m->dst_type, sizeof(m->dst_type), "text");
		if (t != SCHEMA_T_TEXT)
			raise(m, SCHEMA_RISK_TYPE, "%s becomes text: its length limit is not kept",
			      schema_type_name(t));
	}
	if (collation_ci(c->collation))
		raise(m, SCHEMA_RISK_DATA, "collation %s is case-insensitive: comparisons, "
		      "sorting and unique keys become case-sensitive", c->collation);
}

static void map_pg_binary(const struct schema_column *c, struct schema_mapping *m)
{
	str_copy(m->dst_type, sizeof(m->dst_type), "bytea");
	if (c->type == SCHEMA_T_BINARY)
		raise(m, SCHEMA_RISK_TYPE, "BINARY(%lld) becomes bytea with a CHECK on the length; "
		      "values keep the zero padding MySQL stored, new shorter values are not "
		      "padded", (long long)c->char_length);
	else if (c->type == SCHEMA_T_VARBINARY)
		raise(m, SCHEMA_RISK_TYPE, "VARBINARY(%lld) becomes bytea with a CHECK on the "
		      "length", (long long)c->char_length);
	else
		raise(m, SCHEMA_RISK_TYPE, "%s becomes bytea", schema_type_name(c->type));
}

static void map_pg_members(const struct schema_column *c, struct schema_mapping *m)
{
	str_copy(m->dst_type, sizeof(m->dst_type), "text");
	if (c->type == SCHEMA_T_ENUM)
		raise(m, SCHEMA_RISK_TYPE, "ENUM becomes text with a CHECK listing its members; "
		      "ORDER BY sorts by text, not by member position");
	else
		raise(m, SCHEMA_RISK_DATA, "SET becomes text with a CHECK on its members; MySQL "
		      "sorts members and drops duplicates on write, PostgreSQL keeps the text as "
		      "written and FIND_IN_SET queries need rewriting");
}

static void map_pg_zero_dates(const struct schema_column *c, struct schema_mapping *m)
{
	bool zero_default = has_zero_default(c);

	if (c->nullable && !zero_default)
		return;
	if (!c->nullable)
		raise(m, SCHEMA_RISK_DATA, "zero dates have no PostgreSQL value: a row "
		      "holding one in this NOT NULL column is refused");
	else
		raise(m, SCHEMA_RISK_DATA, "zero dates have no PostgreSQL value: they arrive "
		      "as NULL");
	if (zero_default)
		raise(m, SCHEMA_RISK_DATA, "the zero-date default is dropped");
}

static void map_pg_temporal(const struct schema_column *c, struct schema_mapping *m)
{
	int fsp = c->fsp > 0 ? c->fsp : 0;

	switch (c->type) {
	case SCHEMA_T_DATE:
		str_copy(m->dst_type, sizeof(m->dst_type), "date");
		break;
	case SCHEMA_T_DATETIME:
		snprintf(m->dst_type, sizeof(m->dst_type), "timestamp(%d) without time zone", fsp);
		break;
	case SCHEMA_T_TIMESTAMP:
		snprintf(m->dst_type, sizeof(m->dst_type), "timestamp(%d) with time zone", fsp);
		raise(m, SCHEMA_RISK_TYPE, "TIMESTAMP becomes timestamptz: the UTC instant "
		      "MySQL stores is kept, the 1970-2038 range widens");
		break;
	case SCHEMA_T_TIME:
		snprintf(m->dst_type, sizeof(m->dst_type), "interval(%d)", fsp);
		raise(m, SCHEMA_RISK_TYPE, "TIME becomes interval with a CHECK keeping "
		      "-838:59:59..838:59:59 (PostgreSQL time only spans one day)");
		break;
	default:                  /* YEAR */
		str_copy(m->dst_type, sizeof(m->dst_type), "smallint");
		raise(m, SCHEMA_RISK_TYPE, "YEAR becomes smallint with a CHECK keeping 0 and "
		      "1901..2155");
		break;
	}
	if (is_date_type(c->type))
		map_pg_zero_dates(c, m);
}

static void map_pg_other(const struct schema_column *c, struct schema_mapping *m)
{
	enum schema_type t = c->type;

	if (t == SCHEMA_T_BIT) {
		snprintf(m->dst_type, sizeof(m->dst_type), "bit(%d)",
			 c->precision > 0 ? c->precision : 1);
		raise(m, SCHEMA_RISK_TYPE, "BIT becomes a bit string of the same width; MySQL "
		      "also reads BIT as a number, PostgreSQL does not");
	} else if (t == SCHEMA_T_JSON) {
		str_copy(m->dst_type, sizeof(m->dst_type), "jsonb");
		raise(m, SCHEMA_RISK_TYPE, "JSON becomes jsonb: key order, whitespace and "
		      "duplicate keys (the last one wins) are normalised, values stay equal as "
		      "JSON");
	} else if (is_spatial_type(t)) {
		str_copy(m->dst_type, sizeof(m->dst_type), "bytea");
		raise(m, SCHEMA_RISK_TYPE, "%s becomes bytea holding the WKB of each value (no "
		      "spatial type without PostGIS; the SRID is not kept)", schema_type_name(t));
	} else if (t == SCHEMA_T_UUID) {
		str_copy(m->dst_type, sizeof(m->dst_type), "uuid");
	} else if (t == SCHEMA_T_INET4 || t == SCHEMA_T_INET6) {
		str_copy(m->dst_type, sizeof(m->dst_type), "inet");
		raise(m, SCHEMA_RISK_TYPE, "%s becomes inet with a CHECK that it is a single "
		      "IPv%c address", t == SCHEMA_T_INET4 ? "INET4" : "INET6",
		      t == SCHEMA_T_INET4 ? '4' : '6');
	} else {
		m->dst_type[0] = 0;
		raise(m, SCHEMA_RISK_UNSUPPORTED, "type %s has no PostgreSQL mapping",
		      c->column_type && *c->column_type ? c->column_type : schema_type_name(t));
	}
}

static void map_pg_type(const struct schema_column *c, struct schema_mapping *m)
{
	enum schema_type t = c->type;

	if (int_info(t))
		map_pg_int(c, m);
	else if (t == SCHEMA_T_DECIMAL || t == SCHEMA_T_FLOAT || t == SCHEMA_T_DOUBLE)
		map_pg_number(c, m);
	else if (is_text_type(t))
		map_pg_string(c, m);
	else if (is_binary_type(t))
		map_pg_binary(c, m);
	else if (t == SCHEMA_T_ENUM || t == SCHEMA_T_SET)
		map_pg_members(c, m);
	else if (is_date_type(t) || t == SCHEMA_T_TIME || t == SCHEMA_T_YEAR)
		map_pg_temporal(c, m);
	else
		map_pg_other(c, m);
	if (c->zerofill)
		raise(m, SCHEMA_RISK_TYPE, "ZEROFILL only pads the display with zeros and is not "
		      "kept");
}

/* ---- column options on PostgreSQL -------------------------------------- */

static void map_pg_identity(const struct schema_column *c, struct schema_mapping *m)
{
	if (!c->auto_increment)
		return;
	if (!int_info(c->type)) {
		raise(m, SCHEMA_RISK_TYPE, "AUTO_INCREMENT on a %s column is not kept (a "
		      "PostgreSQL identity needs an integer type)", schema_type_name(c->type));
		return;
	}
	m->identity = true;
	raise(m, SCHEMA_RISK_TYPE, "AUTO_INCREMENT becomes an identity (BY DEFAULT) restarted "
	      "at the source's next value, as copied rows carry their ids");
}

static void map_pg_generated(const struct schema_column *c, struct schema_mapping *m)
{
	char why[200];
	struct buf b;

	if (!c->generation_expr || !*c->generation_expr)
		return;
	buf_init(&b, BUF_UNLIMITED);
	if (schema_expr_convert(SCHEMA_DIALECT_PG, c->generation_expr, &b, why, sizeof(why)) < 0)
		raise(m, SCHEMA_RISK_UNSUPPORTED, "the generation expression %.120s cannot be "
		      "converted: %s", c->generation_expr, why);
	else if (!c->generated_stored)
		raise(m, SCHEMA_RISK_TYPE, "VIRTUAL becomes STORED (PostgreSQL 15 has no virtual "
		      "columns)");
	buf_release(&b);
}

static void map_pg_options(const struct schema_column *c, struct schema_mapping *m)
{
	char why[200];
	struct buf b;

	map_pg_identity(c, m);
	map_pg_generated(c, m);
	if (c->on_update && *c->on_update) {
		m->needs_on_update_trigger = true;
		raise(m, SCHEMA_RISK_TYPE, "ON UPDATE %s becomes a BEFORE UPDATE trigger",
		      c->on_update);
	}
	if (c->invisible)
		raise(m, SCHEMA_RISK_TYPE, "INVISIBLE is not kept: SELECT * returns the column");
	buf_init(&b, BUF_UNLIMITED);
	if (!has_zero_default(c) &&
	    schema_map_default(c, SCHEMA_DIALECT_PG, &b, why, sizeof(why)) < 0)
		raise(m, SCHEMA_RISK_TYPE, "the default is dropped: %s", why);
	buf_release(&b);
}

void schema_map_column(const struct schema_column *c, enum schema_dialect d,
		       struct schema_mapping *out)
{
	memset(out, 0, sizeof(*out));
	if (d == SCHEMA_DIALECT_MYSQL) {
		str_copy(out->dst_type, sizeof(out->dst_type), s_or_empty(c->column_type));
		if (c->type == SCHEMA_T_UNKNOWN || !*out->dst_type)
			raise(out, SCHEMA_RISK_UNSUPPORTED, "type %s is not known to opendts",
			      *out->dst_type ? out->dst_type : "(none)");
		return;
	}
	map_pg_type(c, out);
	map_pg_options(c, out);
	fill_check_expr(c, out);
}

const char *schema_risk_name(enum schema_risk r)
{
	switch (r) {
	case SCHEMA_RISK_NONE: return "none";
	case SCHEMA_RISK_TYPE: return "type";
	case SCHEMA_RISK_DATA: return "data";
	case SCHEMA_RISK_UNSUPPORTED: return "unsupported";
	}
	return "unknown";
}
