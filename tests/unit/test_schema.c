/*
 * test_schema.c - unit tests of src/schema/ without a server: type names
 * and COLUMN_TYPE parsing, the DbList selection (parse and resolve against
 * a hand-built catalog), the type mapping for every type and its options,
 * defaults and expressions, identifier shortening and reserved words, and
 * docs/type-mapping.md checked row by row against schema_map_column().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/schema.h"
#include "schema/typemap.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* ---- helpers ------------------------------------------------------------- */

/* A column from a COLUMN_TYPE, nullable, binary collation for strings. */
static struct schema_column col_of(const char *column_type)
{
	struct schema_column c = { 0 };

	c.name = xstrdup("c");
	c.column_type = xstrdup(column_type);
	if (schema_column_type_parse(column_type, &c) < 0)
		fail_msg("cannot parse \"%s\"", column_type);
	c.nullable = true;
	c.charset = xstrdup("");
	c.collation = xstrdup("");
	c.default_value = xstrdup("");
	c.on_update = xstrdup("");
	c.generation_expr = xstrdup("");
	c.comment = xstrdup("");
	return c;
}

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

static void set_default(struct schema_column *c, const char *v, bool is_expr)
{
	c->has_default = true;
	set_str(&c->default_value, v);
	c->default_is_expr = is_expr;
}

static char *check_of(const struct schema_column *c)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(schema_map_check_sql(c, SCHEMA_DIALECT_PG, "\"c\"", &b), 0);
	return b.data ? buf_take(&b) : xstrdup("");
}

static void expect_pg(const char *column_type, const char *dst, enum schema_risk risk,
		      const char *check)
{
	struct schema_column c = col_of(column_type);
	struct schema_mapping m;
	char *ck;

	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	if (strcmp(m.dst_type, dst) != 0 || m.risk != risk)
		fail_msg("%s: got %s/%s, expected %s/%s (%s)", column_type, m.dst_type,
			 schema_risk_name(m.risk), dst, schema_risk_name(risk), m.note);
	ck = check_of(&c);
	if (strcmp(ck, check) != 0)
		fail_msg("%s: CHECK \"%s\", expected \"%s\"", column_type, ck, check);
	/* A risk always says why; no risk says nothing. */
	assert_int_equal(m.note[0] != 0, risk != SCHEMA_RISK_NONE);
	free(ck);
	schema_column_release(&c);
}

static char *pg_default(const struct schema_column *c, int *rc, char *why, size_t n)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	*rc = schema_map_default(c, SCHEMA_DIALECT_PG, &b, why, n);
	return b.data ? buf_take(&b) : xstrdup("");
}

static void expect_default(const char *column_type, const char *value, bool is_expr,
			   const char *want)
{
	struct schema_column c = col_of(column_type);
	char why[200];
	int rc;
	char *got;

	set_default(&c, value, is_expr);
	got = pg_default(&c, &rc, why, sizeof(why));
	if (rc != 0)
		fail_msg("default %s on %s refused: %s", value, column_type, why);
	if (strcmp(got, want) != 0)
		fail_msg("default %s on %s: \"%s\", expected \"%s\"", value, column_type, got, want);
	free(got);
	schema_column_release(&c);
}

static void expect_default_refused(const char *column_type, const char *value,
				   bool is_expr, const char *why_part)
{
	struct schema_column c = col_of(column_type);
	char why[200];
	int rc;
	char *got;

	set_default(&c, value, is_expr);
	got = pg_default(&c, &rc, why, sizeof(why));
	assert_int_equal(rc, -1);
	assert_string_equal(got, "");
	if (!strstr(why, why_part))
		fail_msg("why \"%s\" lacks \"%s\"", why, why_part);
	free(got);
	schema_column_release(&c);
}

static char *convert(const char *expr, int *rc, char *why, size_t n)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	*rc = schema_expr_convert(SCHEMA_DIALECT_PG, expr, &b, why, n);
	return b.data ? buf_take(&b) : xstrdup("");
}

static void expect_expr(const char *mysql, const char *pg)
{
	char why[200];
	int rc;
	char *got = convert(mysql, &rc, why, sizeof(why));

	if (rc != 0)
		fail_msg("%s refused: %s", mysql, why);
	if (strcmp(got, pg) != 0)
		fail_msg("%s -> \"%s\", expected \"%s\"", mysql, got, pg);
	free(got);
}

static void expect_expr_refused(const char *mysql, const char *why_part)
{
	char why[200];
	int rc;
	char *got = convert(mysql, &rc, why, sizeof(why));

	if (rc != -1)
		fail_msg("%s accepted as \"%s\"", mysql, got);
	if (!strstr(why, why_part))
		fail_msg("%s: why \"%s\" lacks \"%s\"", mysql, why, why_part);
	free(got);
}

/* ---- type names and COLUMN_TYPE ------------------------------------------ */

static void test_type_names_round_trip(void **state)
{
	for (int t = SCHEMA_T_UNKNOWN + 1; t < SCHEMA_T__COUNT; t++) {
		const char *name = schema_type_name((enum schema_type)t);
		assert_string_not_equal(name, "unknown");
		assert_int_equal(schema_type_parse(name), t);
	}
	assert_int_equal(schema_type_parse("INT"), SCHEMA_T_INT);
	assert_int_equal(schema_type_parse("Integer"), SCHEMA_T_INT);
	assert_int_equal(schema_type_parse("numeric"), SCHEMA_T_DECIMAL);
	assert_int_equal(schema_type_parse("boolean"), SCHEMA_T_TINYINT);
	assert_int_equal(schema_type_parse("double precision"), SCHEMA_T_DOUBLE);
	assert_int_equal(schema_type_parse("vector"), SCHEMA_T_UNKNOWN);
	assert_int_equal(schema_type_parse(""), SCHEMA_T_UNKNOWN);
	assert_int_equal(schema_type_parse(NULL), SCHEMA_T_UNKNOWN);
	assert_string_equal(schema_type_name(SCHEMA_T_UNKNOWN), "unknown");
	assert_string_equal(schema_type_name(SCHEMA_T__COUNT), "unknown");
	assert_string_equal(schema_type_name((enum schema_type)-3), "unknown");
}

static void test_column_type_parse(void **state)
{
	struct schema_column c = { 0 };

	assert_int_equal(schema_column_type_parse("int(10) unsigned zerofill", &c), 0);
	assert_int_equal(c.type, SCHEMA_T_INT);
	assert_true(c.is_unsigned && c.zerofill);
	assert_int_equal(schema_column_type_parse("bigint(20)", &c), 0);
	assert_false(c.is_unsigned || c.zerofill);
	assert_int_equal(schema_column_type_parse("decimal(10,2) unsigned", &c), 0);
	assert_int_equal(c.precision, 10);
	assert_int_equal(c.scale, 2);
	assert_true(c.is_unsigned);
	assert_int_equal(schema_column_type_parse("decimal", &c), 0);
	assert_int_equal(c.precision, 10);
	assert_int_equal(c.scale, 0);
	assert_int_equal(schema_column_type_parse("float", &c), 0);
	assert_int_equal(c.scale, -1);
	assert_int_equal(schema_column_type_parse("double precision", &c), 0);
	assert_int_equal(c.type, SCHEMA_T_DOUBLE);
	assert_int_equal(schema_column_type_parse("varchar(255)", &c), 0);
	assert_int_equal(c.char_length, 255);
	assert_int_equal(schema_column_type_parse("char", &c), 0);
	assert_int_equal(c.char_length, 1);
	assert_int_equal(schema_column_type_parse("datetime(6)", &c), 0);
	assert_int_equal(c.fsp, 6);
	assert_int_equal(schema_column_type_parse("timestamp", &c), 0);
	assert_int_equal(c.fsp, 0);
	assert_int_equal(schema_column_type_parse("bit(64)", &c), 0);
	assert_int_equal(c.precision, 64);
	assert_int_equal(schema_column_type_parse("BIT", &c), 0);
	assert_int_equal(c.precision, 1);
	assert_int_equal(schema_column_type_parse("year(4)", &c), 0);
	assert_int_equal(c.type, SCHEMA_T_YEAR);
	/* Malformed or unknown: -1 and SCHEMA_T_UNKNOWN. */
	static const char *const bad[] = {
		"", "   ", "int(", "int(10", "int(x)", "int(-1)", "int(10) unsigned bogus",
		"vector(3)", "decimal(10,)", "enum('a", "enum('a',", "enum(a)", "set()",
		"averyveryveryverylongtypenamethatisnotatype",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (schema_column_type_parse(bad[i], &c) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(c.type, SCHEMA_T_UNKNOWN);
	}
	schema_column_release(&c);
}

static void test_enum_members_unquoted(void **state)
{
	struct schema_column c = { 0 };

	assert_int_equal(schema_column_type_parse(
		"enum('a','b''c','d\\\\e','x,y','','q\\'r','tab\\tx')", &c), 0);
	assert_int_equal(c.type, SCHEMA_T_ENUM);
	assert_int_equal(c.n_enum_values, 7);
	assert_string_equal(c.enum_values[0], "a");
	assert_string_equal(c.enum_values[1], "b'c");
	assert_string_equal(c.enum_values[2], "d\\e");
	assert_string_equal(c.enum_values[3], "x,y");
	assert_string_equal(c.enum_values[4], "");
	assert_string_equal(c.enum_values[5], "q'r");
	assert_string_equal(c.enum_values[6], "tab\tx");
	/* Re-parsing replaces the members (no leak, no append). */
	assert_int_equal(schema_column_type_parse("set('r','w')", &c), 0);
	assert_int_equal(c.type, SCHEMA_T_SET);
	assert_int_equal(c.n_enum_values, 2);
	assert_string_equal(c.enum_values[1], "w");
	/* A member with a multibyte character. */
	assert_int_equal(schema_column_type_parse("enum('☃','é')", &c), 0);
	assert_string_equal(c.enum_values[0], "☃");
	schema_column_release(&c);
	assert_null(c.enum_values);
	schema_column_release(NULL);
}

/* ---- catalog helpers ----------------------------------------------------- */

/* Builds a small catalog by hand: shop.{customer,order,audit}, shop.v_x
 * (view), crm.lead. */
static struct schema_column mkcol(const char *name, const char *type, bool nullable)
{
	struct schema_column c = col_of(type);

	set_str(&c.name, name);
	c.nullable = nullable;
	return c;
}

static void mktable(struct schema_table *t, const char *schema, const char *name,
		    const char *const *cols, size_t n)
{
	memset(t, 0, sizeof(*t));
	t->schema = xstrdup(schema);
	t->name = xstrdup(name);
	t->columns = xcalloc(n, sizeof(*t->columns));
	t->n_columns = n;
	for (size_t i = 0; i < n; i++)
		t->columns[i] = mkcol(cols[i], "int", i > 0);
}

static void mkindex(struct schema_index *x, const char *name, bool primary, bool unique,
		    const char *column)
{
	memset(x, 0, sizeof(*x));
	x->name = xstrdup(name);
	x->primary = primary;
	x->unique = unique;
	x->comment = xstrdup("");
	x->parts = xcalloc(1, sizeof(*x->parts));
	x->parts[0].column = xstrdup(column);
	x->n_parts = 1;
}

static void build_catalog(struct schema_catalog *c)
{
	static const char *const cust[] = { "id", "name", "email" };
	static const char *const order[] = { "id", "amount", "status" };
	static const char *const audit[] = { "at", "what" };
	static const char *const lead[] = { "id" };

	memset(c, 0, sizeof(*c));
	c->n_schemas = 3;
	c->schemas = xcalloc(3, sizeof(char *));
	c->schemas[0] = xstrdup("crm");
	c->schemas[1] = xstrdup("empty");            /* exists, no tables */
	c->schemas[2] = xstrdup("shop");
	c->n_tables = 4;
	c->tables = xcalloc(4, sizeof(*c->tables));
	mktable(&c->tables[0], "crm", "lead", lead, 1);
	mktable(&c->tables[1], "shop", "audit", audit, 2);
	mktable(&c->tables[2], "shop", "customer", cust, 3);
	mktable(&c->tables[3], "shop", "order", order, 3);
	c->tables[2].indexes = xcalloc(2, sizeof(struct schema_index));
	c->tables[2].n_indexes = 2;
	mkindex(&c->tables[2].indexes[0], "uk_email", false, true, "email");
	mkindex(&c->tables[2].indexes[1], "uk_id", false, true, "id");
	c->tables[3].indexes = xcalloc(2, sizeof(struct schema_index));
	c->tables[3].n_indexes = 2;
	mkindex(&c->tables[3].indexes[0], "k_status", false, false, "status");
	mkindex(&c->tables[3].indexes[1], "PRIMARY", true, true, "id");
	c->n_views = 1;
	c->views = xcalloc(1, sizeof(*c->views));
	c->views[0].schema = xstrdup("shop");
	c->views[0].name = xstrdup("v_x");
	c->views[0].definition = xstrdup("select 1");
}

static void test_catalog_lookups_and_row_key(void **state)
{
	struct schema_catalog c;
	const struct schema_table *t;

	build_catalog(&c);
	t = schema_find_table(&c, "shop", "order");
	assert_non_null(t);
	assert_null(schema_find_table(&c, "shop", "Order"));     /* exact names */
	assert_null(schema_find_table(&c, "crm", "order"));
	assert_non_null(schema_find_column(t, "amount"));
	assert_null(schema_find_column(t, "AMOUNT"));
	/* The primary key wins even when listed later. */
	assert_string_equal(schema_row_key(t)->name, "PRIMARY");
	/* No primary key: a UNIQUE on a nullable column does not address a row. */
	t = schema_find_table(&c, "shop", "customer");
	assert_string_equal(schema_row_key(t)->name, "uk_id");
	assert_null(schema_row_key(schema_find_table(&c, "shop", "audit")));
	schema_catalog_release(&c);
	assert_int_equal(c.n_tables, 0);
	schema_catalog_release(&c);                /* twice is fine */
	schema_catalog_release(NULL);
}

/* ---- selection ----------------------------------------------------------- */

static void test_selection_parse_shapes(void **state)
{
	struct schema_selection s;
	struct err e = { 0 };

	/* ACTIONS.md example 2: renames at db and table level. */
	assert_int_equal(schema_selection_parse(
		"{\"shop\":{\"name\":\"shop_new\",\"all\":false,\"Table\":{"
		"\"order\":{\"name\":\"order_v2\",\"all\":true},"
		"\"customer\":{\"name\":\"customer\",\"all\":true,\"dml_op\":\"I,U\"}}}}", &s, &e), 0);
	assert_int_equal(s.n_dbs, 1);
	assert_string_equal(s.dbs[0].src, "shop");
	assert_string_equal(s.dbs[0].dst, "shop_new");
	assert_false(s.dbs[0].all);
	assert_int_equal(s.dbs[0].n_tables, 2);
	assert_string_equal(s.dbs[0].tables[0].src_name, "order");
	assert_string_equal(s.dbs[0].tables[0].dst_name, "order_v2");
	assert_string_equal(s.dbs[0].tables[0].src_schema, "shop");
	assert_string_equal(s.dbs[0].tables[0].dst_schema, "shop_new");
	assert_true(s.dbs[0].tables[0].all_columns);
	assert_string_equal(s.dbs[0].tables[0].filter, "");
	schema_selection_release(&s);
	assert_null(s.dbs);

	/* Example 3: column subset with renames and a filter. */
	assert_int_equal(schema_selection_parse(
		"{\"shop\":{\"name\":\"shop\",\"all\":false,\"Table\":{\"order\":{\"name\":\"order\","
		"\"all\":false,\"filter\":\"id>10 and status='PAID'\",\"column\":{"
		"\"id\":{\"name\":\"id\",\"type\":\"int(11)\",\"primaryKey\":true},"
		"\"amount\":{\"name\":\"amount_cents\",\"type\":\"bigint\"}}}}}}", &s, &e), 0);
	assert_false(s.dbs[0].tables[0].all_columns);
	assert_string_equal(s.dbs[0].tables[0].filter, "id>10 and status='PAID'");
	assert_int_equal(s.dbs[0].tables[0].n_columns, 2);
	assert_string_equal(s.dbs[0].tables[0].columns[1].src, "amount");
	assert_string_equal(s.dbs[0].tables[0].columns[1].dst, "amount_cents");
	schema_selection_release(&s);

	/* Lower-case "table", capital "Column", "all" as strings, no names. */
	assert_int_equal(schema_selection_parse(
		"{\"db\":{\"all\":\"true\",\"table\":{\"t\":{\"all\":\"false\",\"Column\":{"
		"\"a\":{}}}}},\"db2\":{\"all\":\"TRUE\"}}", &s, &e), 0);
	assert_int_equal(s.n_dbs, 2);
	assert_true(s.dbs[0].all);
	assert_string_equal(s.dbs[0].dst, "db");
	assert_false(s.dbs[0].tables[0].all_columns);
	assert_string_equal(s.dbs[0].tables[0].columns[0].dst, "a");
	assert_true(s.dbs[1].all);
	schema_selection_release(&s);

	/* A table listed without columns moves whole, even with "all":false. */
	assert_int_equal(schema_selection_parse(
		"{\"db\":{\"Table\":{\"t\":{\"all\":false}}}}", &s, &e), 0);
	assert_true(s.dbs[0].tables[0].all_columns);
	assert_false(s.dbs[0].all);
	schema_selection_release(&s);
}

static void expect_parse_error(const char *json, const char *needle)
{
	struct schema_selection s;
	struct err e = { 0 };

	memset(&s, 0x5A, sizeof(s));
	if (schema_selection_parse(json, &s, &e) != -1)
		fail_msg("accepted: %s", json);
	assert_int_equal(e.code, ERR_INVALID);
	assert_string_equal(e.param, "DbList");
	assert_null(s.dbs);
	assert_int_equal(s.n_dbs, 0);
	if (!strstr(e.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", e.msg, needle);
}

static void test_selection_parse_errors(void **state)
{
	struct schema_selection s;
	struct err e = { 0 };

	expect_parse_error("not json", "non-empty JSON object");
	expect_parse_error("[]", "non-empty JSON object");
	expect_parse_error("{}", "non-empty JSON object");
	expect_parse_error("{\"db\":3}", "database \"db\": must be an object");
	expect_parse_error("{\"db\":{\"all\":\"maybe\"}}", "\"all\" must be true or false");
	expect_parse_error("{\"db\":{\"name\":\"\"}}", "\"name\" must be a non-empty string");
	expect_parse_error("{\"db\":{\"Table\":[]}}", "\"Table\" must be an object");
	expect_parse_error("{\"db\":{\"Table\":{\"t\":1}}}", "table \"t\": must be an object");
	expect_parse_error("{\"db\":{\"Table\":{\"t\":{\"filter\":1}}}}", "\"filter\" must be a string");
	expect_parse_error("{\"db\":{\"Table\":{\"t\":{\"column\":{\"c\":[]}}}}}",
			   "table \"t\": column \"c\": must be an object");
	expect_parse_error("{\"db\":{\"Table\":{\"t\":{\"column\":{\"c\":{\"name\":7}}}}}}",
			   "column \"c\"");
	expect_parse_error("{\"ok\":{\"all\":true},\"db\":{\"Table\":{\"t\":{\"name\":\"\"}}}}",
			   "database \"db\": table \"t\"");
	assert_int_equal(schema_selection_parse(NULL, &s, &e), -1);
}

static void free_missing(char **m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i]);
	free(m);
}

static void test_selection_resolve(void **state)
{
	struct schema_catalog c;
	struct schema_selection s;
	struct schema_resolved *r = NULL;
	char **missing = NULL;
	size_t n = 0, n_missing = 0;
	struct err e = { 0 };

	build_catalog(&c);
	/* JSON order differs from catalog order on purpose. */
	assert_int_equal(schema_selection_parse(
		"{\"shop\":{\"name\":\"shop2\",\"all\":true,\"Table\":{"
		"\"order\":{\"name\":\"orders\",\"all\":false,\"column\":{"
		"\"amount\":{\"name\":\"amount_cents\"},\"id\":{},\"ghost_col\":{}}},"
		"\"v_x\":{},\"ghost\":{}}},"
		"\"crm\":{\"all\":false,\"Table\":{\"lead\":{\"name\":\"leads\"}}},"
		"\"empty\":{\"all\":true},"
		"\"nope\":{\"all\":true,\"Table\":{\"x\":{}}}}", &s, &e), 0);
	assert_int_equal(schema_selection_resolve(&s, &c, &r, &n, &missing, &n_missing, &e), 0);
	assert_int_equal(n, 4);
	assert_string_equal(r[0].table->name, "lead");
	assert_string_equal(r[0].dst_schema, "crm");
	assert_string_equal(r[0].dst_name, "leads");
	assert_non_null(r[0].sel);
	assert_string_equal(r[1].table->name, "audit");     /* by "all" */
	assert_null(r[1].sel);
	assert_string_equal(r[1].dst_schema, "shop2");
	assert_string_equal(r[1].dst_name, "audit");
	assert_string_equal(r[2].table->name, "customer");
	assert_string_equal(r[3].table->name, "order");
	assert_string_equal(r[3].dst_schema, "shop2");
	assert_string_equal(r[3].dst_name, "orders");
	/* Column subset with a rename. */
	assert_string_equal(schema_resolved_column_name(&r[3], "amount"), "amount_cents");
	assert_string_equal(schema_resolved_column_name(&r[3], "id"), "id");
	assert_string_equal(schema_resolved_column_name(&r[3], "status"), "status");
	assert_true(schema_resolved_column_selected(&r[3], "amount"));
	assert_true(schema_resolved_column_selected(&r[3], "id"));
	assert_false(schema_resolved_column_selected(&r[3], "status"));
	assert_true(schema_resolved_column_selected(&r[1], "what"));
	assert_true(schema_resolved_column_selected(&r[0], "id"));
	/* Missing: selection order; the view is present; "empty" exists. */
	assert_int_equal(n_missing, 3);
	assert_string_equal(missing[0], "shop.order.ghost_col");
	assert_string_equal(missing[1], "shop.ghost");
	assert_string_equal(missing[2], "nope");
	free_missing(missing, n_missing);
	free(r);
	schema_selection_release(&s);

	/* Not "all" and nothing listed that exists: nothing resolved. */
	assert_int_equal(schema_selection_parse("{\"shop\":{\"Table\":{\"ghost\":{}}}}", &s, &e), 0);
	assert_int_equal(schema_selection_resolve(&s, &c, &r, &n, &missing, &n_missing, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(n_missing, 1);
	free_missing(missing, n_missing);
	free(r);
	/* Bad arguments: an error, outputs cleared. */
	r = (void *)&c;
	assert_int_equal(schema_selection_resolve(&s, NULL, &r, &n, &missing, &n_missing, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_null(r);
	assert_int_equal(n, 0);
	schema_selection_release(&s);
	schema_catalog_release(&c);
}

/* ---- type mapping -------------------------------------------------------- */

static void test_map_integers(void **state)
{
	expect_pg("tinyint(4)", "smallint", SCHEMA_RISK_TYPE, "\"c\" >= -128 AND \"c\" <= 127");
	expect_pg("tinyint(3) unsigned", "smallint", SCHEMA_RISK_TYPE, "\"c\" >= 0 AND \"c\" <= 255");
	expect_pg("smallint(6)", "smallint", SCHEMA_RISK_NONE, "");
	expect_pg("smallint(5) unsigned", "integer", SCHEMA_RISK_TYPE,
		  "\"c\" >= 0 AND \"c\" <= 65535");
	expect_pg("mediumint(9)", "integer", SCHEMA_RISK_TYPE,
		  "\"c\" >= -8388608 AND \"c\" <= 8388607");
	expect_pg("mediumint(8) unsigned", "integer", SCHEMA_RISK_TYPE,
		  "\"c\" >= 0 AND \"c\" <= 16777215");
	expect_pg("int(11)", "integer", SCHEMA_RISK_NONE, "");
	expect_pg("int(10) unsigned", "bigint", SCHEMA_RISK_TYPE,
		  "\"c\" >= 0 AND \"c\" <= 4294967295");
	expect_pg("bigint(20)", "bigint", SCHEMA_RISK_NONE, "");
	expect_pg("bigint(20) unsigned", "numeric(20,0)", SCHEMA_RISK_TYPE,
		  "\"c\" >= 0 AND \"c\" <= 18446744073709551615");
}

static void test_map_integer_options(void **state)
{
	struct schema_column c = col_of("int(10) unsigned zerofill");
	struct schema_mapping m;

	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_string_equal(m.dst_type, "bigint");
	assert_non_null(strstr(m.note, "ZEROFILL"));
	assert_non_null(strstr(m.note, "; "));            /* two reasons joined */
	assert_string_equal(m.check_expr, "%s >= 0 AND %s <= 4294967295");
	assert_false(m.identity);
	schema_column_release(&c);

	c = col_of("bigint(20) unsigned");
	c.auto_increment = true;
	c.nullable = false;
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_string_equal(m.dst_type, "bigint");
	assert_true(m.identity);
	assert_string_equal(m.check_expr, "%s >= 0");
	assert_int_equal(m.risk, SCHEMA_RISK_TYPE);
	schema_column_release(&c);

	c = col_of("tinyint(4)");
	c.auto_increment = true;
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_true(m.identity);
	assert_string_equal(m.dst_type, "smallint");
	schema_column_release(&c);

	/* AUTO_INCREMENT on a DOUBLE: no identity, said so. */
	c = col_of("double");
	c.auto_increment = true;
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_false(m.identity);
	assert_int_equal(m.risk, SCHEMA_RISK_TYPE);
	assert_non_null(strstr(m.note, "AUTO_INCREMENT"));
	schema_column_release(&c);
}

static void test_map_numbers_and_bits(void **state)
{
	expect_pg("decimal(65,30)", "numeric(65,30)", SCHEMA_RISK_NONE, "");
	expect_pg("decimal(10,0)", "numeric(10,0)", SCHEMA_RISK_NONE, "");
	expect_pg("decimal(10,2) unsigned", "numeric(10,2)", SCHEMA_RISK_TYPE, "\"c\" >= 0");
	expect_pg("float", "real", SCHEMA_RISK_NONE, "");
	expect_pg("float(7,3)", "real", SCHEMA_RISK_TYPE, "");
	expect_pg("float unsigned", "real", SCHEMA_RISK_TYPE, "\"c\" >= 0");
	expect_pg("double", "double precision", SCHEMA_RISK_NONE, "");
	expect_pg("double(20,5)", "double precision", SCHEMA_RISK_TYPE, "");
	expect_pg("bit(1)", "bit(1)", SCHEMA_RISK_TYPE, "");
	expect_pg("bit(64)", "bit(64)", SCHEMA_RISK_TYPE, "");
}

static void test_map_strings(void **state)
{
	struct schema_column c;
	struct schema_mapping m;

	expect_pg("char(10)", "character(10)", SCHEMA_RISK_NONE, "");
	expect_pg("char(0)", "text", SCHEMA_RISK_TYPE, "\"c\" = ''");
	expect_pg("varchar(0)", "text", SCHEMA_RISK_TYPE, "\"c\" = ''");
	expect_pg("varchar(21845)", "character varying(21845)", SCHEMA_RISK_NONE, "");
	expect_pg("tinytext", "text", SCHEMA_RISK_TYPE, "");
	expect_pg("text", "text", SCHEMA_RISK_NONE, "");
	expect_pg("mediumtext", "text", SCHEMA_RISK_TYPE, "");
	expect_pg("longtext", "text", SCHEMA_RISK_TYPE, "");
	expect_pg("binary(16)", "bytea", SCHEMA_RISK_TYPE, "octet_length(\"c\") <= 16");
	expect_pg("varbinary(300)", "bytea", SCHEMA_RISK_TYPE, "octet_length(\"c\") <= 300");
	expect_pg("tinyblob", "bytea", SCHEMA_RISK_TYPE, "");
	expect_pg("blob", "bytea", SCHEMA_RISK_TYPE, "");
	expect_pg("mediumblob", "bytea", SCHEMA_RISK_TYPE, "");
	expect_pg("longblob", "bytea", SCHEMA_RISK_TYPE, "");
	/* Case-insensitive collations are a data risk; _bin and _cs are not. */
	static const char *const ci[] = { "utf8mb4_general_ci", "utf8mb4_0900_ai_ci",
					  "latin1_swedish_ci", "utf8mb4_uca1400_ai_ci" };
	static const char *const cs[] = { "utf8mb4_bin", "utf8mb4_0900_as_cs", "", "binary" };
	for (size_t i = 0; i < 4; i++) {
		c = col_of("varchar(20)");
		set_str(&c.collation, ci[i]);
		schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
		assert_int_equal(m.risk, SCHEMA_RISK_DATA);
		assert_non_null(strstr(m.note, ci[i]));
		set_str(&c.collation, cs[i]);
		schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
		assert_int_equal(m.risk, SCHEMA_RISK_NONE);
		schema_column_release(&c);
	}
	/* A ci TEXT keeps both reasons. */
	c = col_of("mediumtext");
	set_str(&c.collation, "utf8mb4_general_ci");
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_int_equal(m.risk, SCHEMA_RISK_DATA);
	assert_non_null(strstr(m.note, "length limit"));
	assert_non_null(strstr(m.note, "case-insensitive"));
	schema_column_release(&c);
}

static void test_map_enum_set(void **state)
{
	struct schema_column c;
	struct schema_mapping m;
	struct buf b;

	expect_pg("enum('a','b''c','d\\\\e','x,y','')", "text", SCHEMA_RISK_TYPE,
		  "\"c\" IN ('a', 'b''c', 'd\\e', 'x,y', '')");
	expect_pg("enum('100%')", "text", SCHEMA_RISK_TYPE, "\"c\" IN ('100%')");
	expect_pg("set('r','w','x''q')", "text", SCHEMA_RISK_DATA,
		  "string_to_array(\"c\", ',') <@ ARRAY['r', 'w', 'x''q']::text[]");
	/* A long ENUM: check_expr is cut for display, the SQL is whole. */
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "enum(");
	for (int i = 0; i < 200; i++)
		buf_printf(&b, "%s'member_%03d'", i ? "," : "", i);
	buf_puts(&b, ")");
	c = col_of(buf_cstr(&b));
	buf_release(&b);
	assert_int_equal(c.n_enum_values, 200);
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_int_equal(strlen(m.check_expr), sizeof(m.check_expr) - 1);
	assert_string_equal(m.check_expr + sizeof(m.check_expr) - 4, "...");
	char *ck = check_of(&c);
	assert_true(strlen(ck) > 2700);
	assert_non_null(strstr(ck, "'member_199')"));
	free(ck);
	schema_column_release(&c);
}

static void test_map_temporal(void **state)
{
	struct schema_column c;
	struct schema_mapping m;

	expect_pg("date", "date", SCHEMA_RISK_NONE, "");
	expect_pg("datetime", "timestamp(0) without time zone", SCHEMA_RISK_NONE, "");
	expect_pg("datetime(6)", "timestamp(6) without time zone", SCHEMA_RISK_NONE, "");
	expect_pg("timestamp", "timestamp(0) with time zone", SCHEMA_RISK_TYPE, "");
	expect_pg("timestamp(3)", "timestamp(3) with time zone", SCHEMA_RISK_TYPE, "");
	expect_pg("time", "interval(0)", SCHEMA_RISK_TYPE,
		  "\"c\" >= interval '-838:59:59.999999' AND \"c\" <= interval '838:59:59.999999'");
	expect_pg("time(2)", "interval(2)", SCHEMA_RISK_TYPE,
		  "\"c\" >= interval '-838:59:59.999999' AND \"c\" <= interval '838:59:59.999999'");
	expect_pg("year(4)", "smallint", SCHEMA_RISK_TYPE, "\"c\" = 0 OR \"c\" BETWEEN 1901 AND 2155");
	/* Zero dates: NOT NULL refuses them, a zero default is dropped. */
	static const char *const types[] = { "date", "datetime(3)", "timestamp" };
	for (size_t i = 0; i < 3; i++) {
		c = col_of(types[i]);
		c.nullable = false;
		schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
		assert_int_equal(m.risk, SCHEMA_RISK_DATA);
		assert_non_null(strstr(m.note, "refused"));
		c.nullable = true;
		set_default(&c, i ? "0000-00-00 00:00:00" : "0000-00-00", false);
		schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
		assert_int_equal(m.risk, SCHEMA_RISK_DATA);
		assert_non_null(strstr(m.note, "arrive as NULL"));
		assert_non_null(strstr(m.note, "default is dropped"));
		set_default(&c, "2020-00-15", false);            /* zero month */
		schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
		assert_int_equal(m.risk, SCHEMA_RISK_DATA);
		set_default(&c, "2020-01-15", false);
		schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
		assert_true(m.risk < SCHEMA_RISK_DATA);
		schema_column_release(&c);
	}
	/* ON UPDATE CURRENT_TIMESTAMP needs a trigger. */
	c = col_of("timestamp(3)");
	set_str(&c.on_update, "current_timestamp(3)");
	set_default(&c, "current_timestamp(3)", true);
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_true(m.needs_on_update_trigger);
	assert_non_null(strstr(m.note, "trigger"));
	schema_column_release(&c);
}

static void test_map_other_types(void **state)
{
	struct schema_column c;
	struct schema_mapping m;

	expect_pg("json", "jsonb", SCHEMA_RISK_TYPE, "");
	static const char *const geo[] = { "geometry", "point", "linestring", "polygon", "multipoint",
					   "multilinestring", "multipolygon", "geometrycollection" };
	for (size_t i = 0; i < 8; i++)
		expect_pg(geo[i], "bytea", SCHEMA_RISK_TYPE, "");
	expect_pg("uuid", "uuid", SCHEMA_RISK_NONE, "");
	expect_pg("inet4", "inet", SCHEMA_RISK_TYPE, "family(\"c\") = 4 AND masklen(\"c\") = 32");
	expect_pg("inet6", "inet", SCHEMA_RISK_TYPE, "family(\"c\") = 6 AND masklen(\"c\") = 128");
	/* Unknown type: unsupported, never a crash, on both dialects. */
	memset(&c, 0, sizeof(c));
	c.column_type = "vector(3)";
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_int_equal(m.risk, SCHEMA_RISK_UNSUPPORTED);
	assert_string_equal(m.dst_type, "");
	assert_non_null(strstr(m.note, "vector(3)"));
	schema_map_column(&c, SCHEMA_DIALECT_MYSQL, &m);
	assert_int_equal(m.risk, SCHEMA_RISK_UNSUPPORTED);
	/* Every known type maps to something on PostgreSQL. */
	for (int t = SCHEMA_T_UNKNOWN + 1; t < SCHEMA_T__COUNT; t++) {
		struct schema_column k = col_of(schema_type_name((enum schema_type)t));
		schema_map_column(&k, SCHEMA_DIALECT_PG, &m);
		if (!m.dst_type[0] || m.risk == SCHEMA_RISK_UNSUPPORTED)
			fail_msg("type %s has no PostgreSQL mapping", schema_type_name(k.type));
		schema_column_release(&k);
	}
}

static void test_map_mysql_is_faithful(void **state)
{
	static const char *const types[] = {
		"int(10) unsigned zerofill", "bigint(20) unsigned", "enum('a','b''c')",
		"set('x')", "datetime(6)", "timestamp(3)", "time(2)", "year(4)", "json",
		"bit(64)", "decimal(65,30)", "geometry", "uuid", "inet6", "varchar(0)",
	};
	struct schema_mapping m;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct schema_column c = col_of(types[i]);
		c.nullable = false;
		c.auto_increment = i == 0;
		set_str(&c.on_update, i == 5 ? "current_timestamp(3)" : "");
		set_str(&c.collation, "utf8mb4_general_ci");
		schema_map_column(&c, SCHEMA_DIALECT_MYSQL, &m);
		assert_string_equal(m.dst_type, types[i]);
		assert_int_equal(m.risk, SCHEMA_RISK_NONE);
		assert_string_equal(m.note, "");
		assert_string_equal(m.check_expr, "");
		assert_false(m.identity || m.needs_on_update_trigger);
		schema_column_release(&c);
	}
}

static void test_map_generated_and_invisible(void **state)
{
	struct schema_column c = col_of("int(11)");
	struct schema_mapping m;

	set_str(&c.generation_expr, "`a` + 1");
	c.generated_stored = true;
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_int_equal(m.risk, SCHEMA_RISK_NONE);
	c.generated_stored = false;
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_int_equal(m.risk, SCHEMA_RISK_TYPE);
	assert_non_null(strstr(m.note, "STORED"));
	set_str(&c.generation_expr, "`a` / 2");
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_int_equal(m.risk, SCHEMA_RISK_UNSUPPORTED);
	assert_non_null(strstr(m.note, "`a` / 2"));
	assert_non_null(strstr(m.note, "truncates"));
	set_str(&c.generation_expr, "");
	c.invisible = true;
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_int_equal(m.risk, SCHEMA_RISK_TYPE);
	assert_non_null(strstr(m.note, "INVISIBLE"));
	schema_column_release(&c);
}

/* ---- defaults ------------------------------------------------------------ */

static void test_defaults_pg(void **state)
{
	struct schema_column c;
	struct buf b;
	char why[100];

	expect_default("int(11)", "-5", false, "-5");
	expect_default("bigint(20) unsigned", "18446744073709551615", false, "18446744073709551615");
	expect_default("decimal(10,2)", "1.50", false, "1.50");
	expect_default("float", "1.5e3", false, "1.5e3");
	expect_default("year(4)", "2001", false, "2001");
	expect_default("varchar(20)", "it's", false, "'it''s'");
	expect_default("varchar(20)", "a\\b", false, "'a\\b'");
	expect_default("varchar(20)", "", false, "''");
	expect_default("varchar(20)", "NULL", false, "'NULL'");          /* the string */
	expect_default("varchar(20)", "NULL", true, "NULL");             /* DEFAULT NULL */
	expect_default("int(11)", "abc", false, "'abc'");
	expect_default("enum('a','b''c')", "b'c", false, "'b''c'");
	expect_default("bit(8)", "b'101'", true, "B'00000101'");
	expect_default("bit(1)", "b'1'", true, "B'1'");
	expect_default("bit(8)", "5", false, "B'00000101'");
	expect_default("bit(64)", "b'0'", true,
		       "B'0000000000000000000000000000000000000000000000000000000000000000'");
	expect_default("binary(4)", "'ab\\0\\0'", true, "'\\x61620000'");
	expect_default("binary(4)", "ab", false, "'\\x61620000'");
	expect_default("blob", "ab", false, "'\\x6162'");
	expect_default("datetime(6)", "current_timestamp(6)", true, "LOCALTIMESTAMP(6)");
	expect_default("timestamp(3)", "current_timestamp(3)", true, "CURRENT_TIMESTAMP(3)");
	expect_default("timestamp", "current_timestamp()", true, "CURRENT_TIMESTAMP");
	expect_default("date", "curdate()", true, "CURRENT_DATE");
	expect_default("timestamp", "2000-01-01 10:00:00", false, "'2000-01-01 10:00:00+00'");
	expect_default("datetime", "2000-01-01 10:00:00", false, "'2000-01-01 10:00:00'");
	expect_default("time", "-10:00:00", false, "'-10:00:00'");
	expect_default("int(11)", "(1 + 2)", true, "(1 + 2)");
	expect_default("varchar(10)", "concat('a','b')", true, "(('a')::text || ('b')::text)");
	expect_default_refused("date", "0000-00-00", false, "zero date");
	expect_default_refused("datetime", "2020-00-01 00:00:00", false, "zero date");
	expect_default_refused("double", "rand()", true, "rand()");
	expect_default_refused("bit(2)", "b'101'", true, "wider");
	expect_default_refused("bit(2)", "b'12'", true, "not a bit literal");
	expect_default_refused("point", "x", false, "spatial");

	/* No default, AUTO_INCREMENT and generated columns get none. */
	c = col_of("int(11)");
	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(schema_map_default(&c, SCHEMA_DIALECT_PG, &b, why, sizeof(why)), 0);
	set_default(&c, "5", false);
	c.auto_increment = true;
	assert_int_equal(schema_map_default(&c, SCHEMA_DIALECT_PG, &b, why, sizeof(why)), 0);
	c.auto_increment = false;
	set_str(&c.generation_expr, "`a` + 1");
	assert_int_equal(schema_map_default(&c, SCHEMA_DIALECT_PG, &b, why, sizeof(why)), 0);
	assert_int_equal(b.len, 0);
	/* MySQL: re-quoted literals, expressions verbatim. */
	set_str(&c.generation_expr, "");
	set_default(&c, "it's a\\b", false);
	assert_int_equal(schema_map_default(&c, SCHEMA_DIALECT_MYSQL, &b, why, sizeof(why)), 0);
	assert_string_equal(buf_cstr(&b), "'it''s a\\\\b'");
	buf_reset(&b);
	set_default(&c, "current_timestamp(3)", true);
	assert_int_equal(schema_map_default(&c, SCHEMA_DIALECT_MYSQL, &b, why, sizeof(why)), 0);
	assert_string_equal(buf_cstr(&b), "current_timestamp(3)");
	buf_release(&b);
	schema_column_release(&c);

	/* The mapping reports a dropped (non-zero-date) default. */
	struct schema_mapping m;
	c = col_of("double");
	set_default(&c, "rand()", true);
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	assert_int_equal(m.risk, SCHEMA_RISK_TYPE);
	assert_non_null(strstr(m.note, "default is dropped"));
	schema_column_release(&c);
}

/* ---- expressions --------------------------------------------------------- */

static void test_expr_convert(void **state)
{
	struct buf b;
	char why[200];

	expect_expr("`i` + 1", "\"i\" + 1");
	expect_expr("`si` > -100", "\"si\" > -100");
	expect_expr("`a``b` = 'x''y'", "\"a`b\" = 'x''y'");
	expect_expr("`q\"` <> 2", "\"q\"\"\" <> 2");
	expect_expr("concat(`k2`,'-x')", "((\"k2\")::text || ('-x')::text)");
	expect_expr("concat(`a`,concat(`b`,'c'))",
		    "((\"a\")::text || (((\"b\")::text || ('c')::text))::text)");
	expect_expr("`s` in ('a','b') and `n` between 1 and 10",
		    "\"s\" in ('a','b') and \"n\" between 1 and 10");
	expect_expr("`x` is not null or `y` is null", "\"x\" is not null or \"y\" is null");
	expect_expr("ifnull(`a`,0) * 2", "coalesce(\"a\",0) * 2");
	expect_expr("lcase(`n`) like 'a\\_%'", "lower(\"n\") like 'a\\_%'");
	expect_expr("length(`b`) <= 10", "octet_length(\"b\") <= 10");
	expect_expr("`a` <=> `b`", "\"a\" IS NOT DISTINCT FROM \"b\"");
	expect_expr("`a` != 1 && `b` = 2", "\"a\" <> 1 AND \"b\" = 2");
	expect_expr("`a` MOD 3 = 0", "\"a\" % 3 = 0");
	expect_expr("mod(`a`,3)", "mod(\"a\",3)");
	expect_expr("_utf8mb4'abc' = `x`", "'abc' = \"x\"");
	expect_expr("'new\\nline'", "'new\nline'");
	expect_expr("case when `a` > 0 then 'p' else 'n' end",
		    "case when \"a\" > 0 then 'p' else 'n' end");
	expect_expr("current_timestamp()", "CURRENT_TIMESTAMP");
	expect_expr("now(3)", "CURRENT_TIMESTAMP(3)");
	expect_expr("1.5e-3 + .5", "1.5e-3 + .5");
	expect_expr("`t`.`c` > 0", "\"t\".\"c\" > 0");
	expect_expr_refused("`a` / 2", "truncates");
	expect_expr_refused("`a` DIV 2", "DIV");
	expect_expr_refused("`a` || `b`", "OR in MySQL");
	expect_expr_refused("`a` XOR `b`", "XOR");
	expect_expr_refused("greatest(`a`,`b`)", "NULLs");
	expect_expr_refused("if(`a`,1,2)", "CASE");
	expect_expr_refused("json_valid(`js`)", "jsonb");
	expect_expr_refused("rand()", "rand()");
	expect_expr_refused("`a` & 1", "bitwise");
	expect_expr_refused("@x + 1", "variables");
	expect_expr_refused("0x41", "hexadecimal");
	expect_expr_refused("'\\0'", "NUL");
	expect_expr_refused("'open", "unterminated");
	expect_expr_refused("`open", "unterminated");
	expect_expr_refused("(1 + 2", "unbalanced");
	expect_expr_refused("1 + 2)", "unbalanced");
	expect_expr_refused("bare_word = 1", "unexpected word");
	expect_expr_refused("   ", "empty");
	expect_expr_refused("`a` REGEXP 'x'", "REGEXP");
	/* MySQL dialect: the text as it is. */
	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(schema_expr_convert(SCHEMA_DIALECT_MYSQL, "`a` / 2", &b, why,
					     sizeof(why)), 0);
	assert_string_equal(buf_cstr(&b), "`a` / 2");
	buf_release(&b);
}

/* ---- identifiers --------------------------------------------------------- */

static void test_ident_fit(void **state)
{
	char out[64], out2[64], name[300];
	size_t len;

	/* 63 bytes fit; 64 do not. */
	memset(name, 'a', 63);
	name[63] = 0;
	assert_false(schema_ident_fit(SCHEMA_DIALECT_PG, name, out, sizeof(out)));
	assert_string_equal(out, name);
	name[63] = 'b';
	name[64] = 0;
	assert_true(schema_ident_fit(SCHEMA_DIALECT_PG, name, out, sizeof(out)));
	len = strlen(out);
	assert_int_equal(len, 63);
	assert_int_equal(out[54], '_');
	for (size_t i = 55; i < 63; i++)
		assert_true(isxdigit((unsigned char)out[i]));
	assert_memory_equal(out, name, 54);
	/* Deterministic. */
	assert_true(schema_ident_fit(SCHEMA_DIALECT_PG, name, out2, sizeof(out2)));
	assert_string_equal(out, out2);
	/* Same first 64 bytes, different tails: distinct names. */
	name[64] = 'x';
	name[65] = 0;
	assert_true(schema_ident_fit(SCHEMA_DIALECT_PG, name, out2, sizeof(out2)));
	assert_string_not_equal(out, out2);
	assert_memory_equal(out, out2, 55);
	/* Multibyte: 64 x "é" (128 bytes) is cut on a character boundary. */
	name[0] = 0;
	for (int i = 0; i < 64; i++)
		strcat(name, "é");
	assert_true(schema_ident_fit(SCHEMA_DIALECT_PG, name, out, sizeof(out)));
	assert_true(strlen(out) <= 63);
	assert_int_equal(strlen(out), 54 + 9);             /* 27 characters + _ + 8 */
	assert_memory_equal(out, name, 54);
	/* 3-byte characters: 54 is not a boundary (18 x 3 = 54 is; use an offset). */
	strcpy(name, "x");
	for (int i = 0; i < 30; i++)
		strcat(name, "☃");
	assert_true(schema_ident_fit(SCHEMA_DIALECT_PG, name, out, sizeof(out)));
	assert_int_equal(strlen(out), 1 + 17 * 3 + 9);     /* 52 bytes of prefix */
	assert_int_equal((unsigned char)out[52], '_');
	/* MySQL never shortens. */
	for (int i = 0; i < 64; i++)
		name[i] = 'm';
	name[64] = 0;
	{
		char big[257];
		assert_false(schema_ident_fit(SCHEMA_DIALECT_MYSQL, name, big, sizeof(big)));
		assert_string_equal(big, name);
	}
	/* A small buffer still gives a terminated string, cut on a boundary. */
	{
		char small[4];
		assert_false(schema_ident_fit(SCHEMA_DIALECT_MYSQL, "éé", small, sizeof(small)));
		assert_string_equal(small, "é");
		assert_true(schema_ident_fit(SCHEMA_DIALECT_PG, name, small, sizeof(small)));
		assert_string_equal(small, "mmm");
	}
}

static void test_reserved_words(void **state)
{
	/* Every PostgreSQL 15 reserved word (R and T): a misplaced entry in the
	 * sorted table makes bsearch miss some of them. */
	static const char *const pg[] = {
		"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
		"authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
		"column", "concurrently", "constraint", "create", "cross", "current_catalog",
		"current_date", "current_role", "current_schema", "current_time",
		"current_timestamp", "current_user", "default", "deferrable", "desc", "distinct",
		"do", "else", "end", "except", "false", "fetch", "for", "foreign", "freeze", "from",
		"full", "grant", "group", "having", "ilike", "in", "initially", "inner", "intersect",
		"into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit",
		"localtime", "localtimestamp", "natural", "not", "notnull", "null", "offset", "on",
		"only", "or", "order", "outer", "overlaps", "placing", "primary", "references",
		"returning", "right", "select", "session_user", "similar", "some", "symmetric",
		"table", "tablesample", "then", "to", "trailing", "true", "union", "unique", "user",
		"using", "variadic", "verbose", "when", "where", "window", "with",
	};
	static const char *const my[] = {
		"accessible", "add", "all", "database", "databases", "div", "dual", "key", "keys",
		"lead", "limit", "order", "over", "rank", "recursive", "returning", "row_number",
		"select", "table", "trigger", "window", "with", "write", "xor", "year_month",
		"zerofill", "usage", "utc_timestamp", "values", "varbinary", "varcharacter",
	};
	static const char *const not_reserved[] = {
		"id", "name", "status", "amount", "data", "text", "timestamp", "value", "x", "",
		"orders", "users", "a_very_long_identifier_that_is_not_a_keyword_at_all",
	};

	for (size_t i = 0; i < sizeof(pg) / sizeof(pg[0]); i++)
		if (!schema_ident_reserved(SCHEMA_DIALECT_PG, pg[i]))
			fail_msg("\"%s\" not reserved for PostgreSQL", pg[i]);
	for (size_t i = 0; i < sizeof(my) / sizeof(my[0]); i++)
		if (!schema_ident_reserved(SCHEMA_DIALECT_MYSQL, my[i]))
			fail_msg("\"%s\" not reserved for MySQL", my[i]);
	for (size_t i = 0; i < sizeof(not_reserved) / sizeof(not_reserved[0]); i++) {
		assert_false(schema_ident_reserved(SCHEMA_DIALECT_PG, not_reserved[i]));
		assert_false(schema_ident_reserved(SCHEMA_DIALECT_MYSQL, not_reserved[i]));
	}
	assert_true(schema_ident_reserved(SCHEMA_DIALECT_PG, "User"));
	assert_true(schema_ident_reserved(SCHEMA_DIALECT_PG, "ORDER"));
	assert_false(schema_ident_reserved(SCHEMA_DIALECT_PG, "database"));
	assert_false(schema_ident_reserved(SCHEMA_DIALECT_MYSQL, "user"));
	assert_false(schema_ident_reserved(SCHEMA_DIALECT_PG, "order "));
}

/* ---- docs/type-mapping.md against the code -------------------------------- */

static char *read_doc(void)
{
	static const char *const paths[] = {
		"docs/type-mapping.md", "../docs/type-mapping.md", "../../docs/type-mapping.md",
		"../../../docs/type-mapping.md",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *f = fopen(paths[i], "rb");
		struct buf b;
		char chunk[4096];
		size_t n;
		if (!f)
			continue;
		buf_init(&b, BUF_UNLIMITED);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			buf_append(&b, chunk, n);
		fclose(f);
		return buf_take(&b);
	}
	fail_msg("docs/type-mapping.md not found (run from the repository root)");
	return NULL;
}

/* Splits a table row on unescaped "|" into at most max trimmed cells. */
static size_t split_row(char *line, char **cells, size_t max)
{
	size_t n = 0;
	char *p = line;

	if (*p == '|')
		p++;
	while (*p && n < max) {
		char *start = p, *end;
		while (*p && !(*p == '|' && (p == start || p[-1] != '\\')))
			p++;
		end = p;
		if (*p)
			*p++ = 0;
		while (*start == ' ')
			start++;
		while (end > start && (end[-1] == ' ' || end[-1] == '\r'))
			*--end = 0;
		cells[n++] = start;
		if (!*p)
			break;
	}
	return n;
}

/* `x` or ``x`` -> x (in place); NULL when the cell is no code span. */
static char *code_span(char *cell)
{
	size_t ticks = 0, len = strlen(cell);

	while (cell[ticks] == '`')
		ticks++;
	if (ticks == 0 || len < 2 * ticks)
		return NULL;
	for (size_t i = 0; i < ticks; i++)
		if (cell[len - 1 - i] != '`')
			return NULL;
	cell[len - ticks] = 0;
	cell += ticks;
	if (ticks > 1 && *cell == ' ')
		cell++;
	len = strlen(cell);
	if (ticks > 1 && len && cell[len - 1] == ' ')
		cell[len - 1] = 0;
	return cell;
}

static const char *attr_keywords[] = {
	" NOT NULL", " AUTO_INCREMENT", " DEFAULT ", " ON UPDATE ", " COLLATE ", " AS (",
	" INVISIBLE",
};

/* The end of the value that starts at p: a quoted literal, a parenthesised
 * expression, or a word. */
static const char *value_end(const char *p)
{
	if (*p == '\'') {
		for (p++; *p; p++)
			if (*p == '\'' && p[1] == '\'')
				p++;
			else if (*p == '\'')
				return p + 1;
		return p;
	}
	if (*p == '(') {
		int depth = 0;
		for (; *p; p++) {
			depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
			if (depth == 0)
				return p + 1;
		}
		return p;
	}
	while (*p && *p != ' ')
		p++;
	return p;
}

static char *lower_dup(const char *s, size_t n)
{
	char *d = xstrndup(s, n);

	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* The DEFAULT of a doc row, spelled like my_schema.c normalises it. */
static void doc_default(struct schema_column *c, const char *v, size_t n)
{
	if (v[0] == '\'') {
		char *lit = xstrndup(v + 1, n - 2);
		set_default(c, lit, false);
		free(lit);
	} else {
		char *e = lower_dup(v, n);
		if (strcmp(e, "current_timestamp") == 0)
			set_default(c, "current_timestamp()", true);
		else
			set_default(c, e, !isdigit((unsigned char)e[0]) && e[0] != '-');
		free(e);
	}
}

static void doc_attr(struct schema_column *c, const char *a)
{
	if (strncmp(a, " NOT NULL", 9) == 0) {
		c->nullable = false;
	} else if (strncmp(a, " AUTO_INCREMENT", 15) == 0) {
		c->auto_increment = true;
	} else if (strncmp(a, " INVISIBLE", 10) == 0) {
		c->invisible = true;
	} else if (strncmp(a, " DEFAULT ", 9) == 0) {
		doc_default(c, a + 9, (size_t)(value_end(a + 9) - (a + 9)));
	} else if (strncmp(a, " ON UPDATE ", 11) == 0) {
		char *v = lower_dup(a + 11, (size_t)(value_end(a + 11) - (a + 11)));
		set_str(&c->on_update, strchr(v, '(') ? v : "current_timestamp()");
		free(v);
	} else if (strncmp(a, " COLLATE ", 9) == 0) {
		char *v = xstrndup(a + 9, (size_t)(value_end(a + 9) - (a + 9)));
		set_str(&c->collation, v);
		free(v);
	} else if (strncmp(a, " AS (", 5) == 0) {
		const char *e = value_end(a + 4);
		char *v = xstrndup(a + 5, (size_t)(e - (a + 5) - 1));
		set_str(&c->generation_expr, v);
		c->generated_stored = strncmp(e, " STORED", 7) == 0;
		free(v);
	}
}

/* "INT(10) UNSIGNED NOT NULL DEFAULT '0'" -> a column. */
static struct schema_column doc_column(const char *src)
{
	const char *first = src + strlen(src);
	struct schema_column c;
	char *type;

	for (size_t i = 0; i < sizeof(attr_keywords) / sizeof(attr_keywords[0]); i++) {
		const char *p = strstr(src, attr_keywords[i]);
		if (p && p < first)
			first = p;
	}
	type = xstrndup(src, (size_t)(first - src));
	c = col_of(type);
	free(type);
	for (const char *p = first; *p; p++)
		for (size_t i = 0; i < sizeof(attr_keywords) / sizeof(attr_keywords[0]); i++)
			if (strncmp(p, attr_keywords[i], strlen(attr_keywords[i])) == 0)
				doc_attr(&c, p);
	return c;
}

static void check_doc_row(char **cells, bool *seen)
{
	char *src = code_span(cells[0]), *dst = code_span(cells[1]);
	char *check = cells[3][0] ? code_span(cells[3]) : cells[3];
	struct schema_column c;
	struct schema_mapping m;
	char *ck;

	if (!src || !dst || !check)
		fail_msg("doc row \"%s\": source, PostgreSQL and CHECK must be code spans", cells[0]);
	c = doc_column(src);
	seen[c.type] = true;
	schema_map_column(&c, SCHEMA_DIALECT_PG, &m);
	if (strcmp(m.dst_type, dst) != 0)
		fail_msg("doc row %s: the code maps to \"%s\", the doc says \"%s\"", src,
			 m.dst_type, dst);
	if (strcmp(schema_risk_name(m.risk), cells[2]) != 0)
		fail_msg("doc row %s: the code says risk %s (%s), the doc says %s", src,
			 schema_risk_name(m.risk), m.note, cells[2]);
	ck = check_of(&c);
	if (strcmp(ck, check) != 0)
		fail_msg("doc row %s: the code's CHECK is \"%s\", the doc says \"%s\"", src, ck,
			 check);
	free(ck);
	schema_column_release(&c);
}

static void test_doc_matches_code(void **state)
{
	char *doc = read_doc(), *save = NULL, *line;
	bool seen[SCHEMA_T__COUNT] = { false };
	size_t rows = 0;

	for (line = strtok_r(doc, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *cells[6];
		if (strncmp(line, "| `", 3) != 0)
			continue;                          /* only rows with a code-span source */
		if (split_row(line, cells, 6) != 5)
			fail_msg("doc row without 5 cells: %s", line);
		check_doc_row(cells, seen);
		rows++;
	}
	print_message("docs/type-mapping.md: %zu rows checked against the code\n", rows);
	assert_true(rows >= 60);
	for (int t = SCHEMA_T_UNKNOWN + 1; t < SCHEMA_T__COUNT; t++)
		if (!seen[t])
			fail_msg("docs/type-mapping.md has no row for %s",
				 schema_type_name((enum schema_type)t));
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names_round_trip),
		cmocka_unit_test(test_column_type_parse),
		cmocka_unit_test(test_enum_members_unquoted),
		cmocka_unit_test(test_catalog_lookups_and_row_key),
		cmocka_unit_test(test_selection_parse_shapes),
		cmocka_unit_test(test_selection_parse_errors),
		cmocka_unit_test(test_selection_resolve),
		cmocka_unit_test(test_map_integers),
		cmocka_unit_test(test_map_integer_options),
		cmocka_unit_test(test_map_numbers_and_bits),
		cmocka_unit_test(test_map_strings),
		cmocka_unit_test(test_map_enum_set),
		cmocka_unit_test(test_map_temporal),
		cmocka_unit_test(test_map_other_types),
		cmocka_unit_test(test_map_mysql_is_faithful),
		cmocka_unit_test(test_map_generated_and_invisible),
		cmocka_unit_test(test_defaults_pg),
		cmocka_unit_test(test_expr_convert),
		cmocka_unit_test(test_ident_fit),
		cmocka_unit_test(test_reserved_words),
		cmocka_unit_test(test_doc_matches_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
