/*
 * test_ddl_pg.c - the PostgreSQL DDL renderer (src/schema/render_pg.c)
 * through the public renderers of ddl.h, on hand-built models: the
 * statement for every source type (checked against docs/type-mapping.md's
 * table, written out here by hand), identity START WITH, the ON UPDATE
 * trigger, comments, 63-byte names, fold_lower, reserved words, CHECK
 * texts, indexes, foreign keys, views, and every unsupported case with its
 * reason and source text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/ddl.h"
#include "util/xalloc.h"

/* 64 characters: the longest MySQL name; and 64 two-byte characters. */
#define NAME64 "t234567890123456789012345678901234567890123456789012345678901234"
#define NAME63 "234567890123456789012345678901234567890123456789012345678901234"
#define E64 "éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"

static const struct schema_render_opts pg = { .dialect = SCHEMA_DIALECT_PG };
static const struct schema_render_opts pg_lower = { .dialect = SCHEMA_DIALECT_PG,
						    .fold_lower = true };

/* ---- model helpers --------------------------------------------------------- */

/* A nullable column from a COLUMN_TYPE, binary collation, no default. */
static struct schema_column mkcol(const char *name, const char *column_type)
{
	struct schema_column c = { 0 };

	c.name = xstrdup(name);
	c.column_type = xstrdup(column_type);
	if (schema_column_type_parse(column_type, &c) < 0)
		fail_msg("cannot parse \"%s\"", column_type);
	if (strcmp(column_type, "json") == 0)
		c.type = SCHEMA_T_JSON;
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

/* A table of the source database "src" named name, moved to "dst" under the
 * same name; strings of the table itself are literals, columns are owned. */
struct model {
	struct schema_table t;
	struct schema_column cols[16];
	struct schema_resolved r;
};

static void model_init(struct model *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	m->t.schema = "src";
	m->t.name = (char *)name;
	m->t.engine = "InnoDB";
	m->t.create_options = "";
	m->t.comment = "";
	m->t.columns = m->cols;
	m->r.table = &m->t;
	m->r.dst_schema = "dst";
	m->r.dst_name = name;
}

static struct schema_column *add_col(struct model *m, const char *name, const char *type)
{
	if (m->t.n_columns == sizeof(m->cols) / sizeof(m->cols[0]))
		fail_msg("too many columns in a test model");
	m->cols[m->t.n_columns] = mkcol(name, type);
	m->cols[m->t.n_columns].ordinal = (int)m->t.n_columns + 1;
	return &m->cols[m->t.n_columns++];
}

static void model_release(struct model *m)
{
	for (size_t i = 0; i < m->t.n_columns; i++)
		schema_column_release(&m->cols[i]);
}

static void render_table(const struct schema_render_opts *o, const struct model *m,
			 struct schema_ddl *d)
{
	struct err e = { 0 };

	if (schema_render_table(o, &m->r, d, &e) < 0)
		fail_msg("render table: %s", e.msg);
}

/* True when some note contains every one of the NULL-terminated parts. */
static bool has_note(const struct schema_ddl *d, ...)
{
	for (size_t i = 0; i < d->n_notes; i++) {
		va_list ap;
		const char *part;
		bool all = true;
		va_start(ap, d);
		while ((part = va_arg(ap, const char *)) != NULL)
			all = all && strstr(d->notes[i], part) != NULL;
		va_end(ap);
		if (all)
			return true;
	}
	return false;
}

static void dump(const struct schema_ddl *d)
{
	for (size_t i = 0; i < d->n_stmts; i++)
		print_message("stmt %zu: %s\n", i, d->stmts[i]);
	for (size_t i = 0; i < d->n_notes; i++)
		print_message("note: %s\n", d->notes[i]);
	if (d->unsupported)
		print_message("unsupported: %s\n", d->reason);
}

static void expect_stmt(const struct schema_ddl *d, size_t i, const char *want)
{
	if (i >= d->n_stmts || strcmp(d->stmts[i], want) != 0) {
		dump(d);
		fail_msg("statement %zu differs; expected:\n%s", i, want);
	}
}

static void expect_note(const struct schema_ddl *d, const char *part)
{
	if (!has_note(d, part, (const char *)NULL)) {
		dump(d);
		fail_msg("no note contains \"%s\"", part);
	}
}

static void expect_unsupported(const struct schema_ddl *d, const char *part)
{
	if (!d->unsupported || !strstr(d->reason, part)) {
		dump(d);
		fail_msg("expected unsupported with \"%s\"", part);
	}
}

/* ---- every type: docs/type-mapping.md, column by column ---------------------- */

static const struct {
	const char *type;
	const char *def;          /* the column definition after "c" */
	const char *check;        /* the mapping's CHECK, NULL for none */
} types[] = {
	{ "tinyint(4)", "smallint", "\"c\" >= -128 AND \"c\" <= 127" },
	{ "tinyint(3) unsigned", "smallint", "\"c\" >= 0 AND \"c\" <= 255" },
	{ "smallint(6)", "smallint", NULL },
	{ "smallint(5) unsigned", "integer", "\"c\" >= 0 AND \"c\" <= 65535" },
	{ "mediumint(9)", "integer", "\"c\" >= -8388608 AND \"c\" <= 8388607" },
	{ "mediumint(8) unsigned", "integer", "\"c\" >= 0 AND \"c\" <= 16777215" },
	{ "int(11)", "integer", NULL },
	{ "int(10) unsigned", "bigint", "\"c\" >= 0 AND \"c\" <= 4294967295" },
	{ "int(10) unsigned zerofill", "bigint", "\"c\" >= 0 AND \"c\" <= 4294967295" },
	{ "bigint(20)", "bigint", NULL },
	{ "bigint(20) unsigned", "numeric(20,0)",
	  "\"c\" >= 0 AND \"c\" <= 18446744073709551615" },
	{ "decimal(65,30)", "numeric(65,30)", NULL },
	{ "decimal(10,2) unsigned", "numeric(10,2)", "\"c\" >= 0" },
	{ "float", "real", NULL },
	{ "float(7,3)", "real", NULL },
	{ "double", "double precision", NULL },
	{ "double(20,5) unsigned", "double precision", "\"c\" >= 0" },
	{ "bit(1)", "bit(1)", NULL },
	{ "bit(64)", "bit(64)", NULL },
	{ "char(10)", "character(10)", NULL },
	{ "char(0)", "text", "\"c\" = ''" },
	{ "varchar(255)", "character varying(255)", NULL },
	{ "tinytext", "text", NULL },
	{ "text", "text", NULL },
	{ "mediumtext", "text", NULL },
	{ "longtext", "text", NULL },
	{ "binary(16)", "bytea", "octet_length(\"c\") <= 16" },
	{ "varbinary(300)", "bytea", "octet_length(\"c\") <= 300" },
	{ "tinyblob", "bytea", NULL },
	{ "blob", "bytea", NULL },
	{ "mediumblob", "bytea", NULL },
	{ "longblob", "bytea", NULL },
	{ "enum('a','b''c','d\\\\e')", "text", "\"c\" IN ('a', 'b''c', 'd\\e')" },
	{ "set('r','w','x''q')", "text",
	  "string_to_array(\"c\", ',') <@ ARRAY['r', 'w', 'x''q']::text[]" },
	{ "date", "date", NULL },
	{ "datetime", "timestamp(0) without time zone", NULL },
	{ "datetime(6)", "timestamp(6) without time zone", NULL },
	{ "timestamp(3)", "timestamp(3) with time zone", NULL },
	{ "time", "interval(0)", "\"c\" >= interval '-838:59:59.999999' AND \"c\" <= "
	  "interval '838:59:59.999999'" },
	{ "time(2)", "interval(2)", "\"c\" >= interval '-838:59:59.999999' AND \"c\" <= "
	  "interval '838:59:59.999999'" },
	{ "year(4)", "smallint", "\"c\" = 0 OR \"c\" BETWEEN 1901 AND 2155" },
	{ "json", "jsonb", NULL },
	{ "geometry", "bytea", NULL },
	{ "point", "bytea", NULL },
	{ "linestring", "bytea", NULL },
	{ "polygon", "bytea", NULL },
	{ "multipoint", "bytea", NULL },
	{ "multilinestring", "bytea", NULL },
	{ "multipolygon", "bytea", NULL },
	{ "geometrycollection", "bytea", NULL },
	{ "uuid", "uuid", NULL },
	{ "inet4", "inet", "family(\"c\") = 4 AND masklen(\"c\") = 32" },
	{ "inet6", "inet", "family(\"c\") = 6 AND masklen(\"c\") = 128" },
};

static void test_every_type(void **state)
{
	char want[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct model m;
		struct schema_ddl d;
		model_init(&m, "t");
		add_col(&m, "c", types[i].type);
		render_table(&pg, &m, &d);
		if (types[i].check)
			snprintf(want, sizeof(want), "CREATE TABLE \"dst\".\"t\" (\n\t\"c\" %s,\n"
				 "\tCHECK (%s)\n)", types[i].def, types[i].check);
		else
			snprintf(want, sizeof(want), "CREATE TABLE \"dst\".\"t\" (\n\t\"c\" %s\n)",
				 types[i].def);
		print_message("%s\n", types[i].type);
		expect_stmt(&d, 0, want);
		assert_int_equal(d.n_stmts, 1);
		assert_false(d.unsupported);
		schema_ddl_release(&d);
		model_release(&m);
	}
}

static void test_unknown_type_is_unsupported(void **state)
{
	struct model m;
	struct schema_ddl d;
	struct schema_column *c;

	(void)state;
	model_init(&m, "t");
	c = add_col(&m, "c", "int(11)");
	c->type = SCHEMA_T_UNKNOWN;
	set_str(&c->column_type, "vector(3)");
	render_table(&pg, &m, &d);
	expect_unsupported(&d, "column \"c\": type vector(3) has no PostgreSQL mapping");
	/* The best attempt stays visible for DdlSql. */
	assert_non_null(strstr(d.stmts[0], "\"c\" unknown /* vector(3) */"));
	schema_ddl_release(&d);
	model_release(&m);
}

/* ---- column options ---------------------------------------------------------- */

static void test_not_null_and_defaults(void **state)
{
	struct model m;
	struct schema_ddl d;
	struct schema_column *c;

	(void)state;
	model_init(&m, "t");
	c = add_col(&m, "si", "smallint(6)");
	set_default(c, "-5", false);
	c->nullable = false;
	set_default(add_col(&m, "vc", "varchar(10)"), "it's", false);
	set_default(add_col(&m, "b8", "bit(8)"), "b'101'", true);
	set_default(add_col(&m, "bn", "binary(4)"), "'ab\\0\\0'", true);
	set_default(add_col(&m, "dtm", "datetime(6)"), "current_timestamp(6)", true);
	set_default(add_col(&m, "ts", "timestamp"), "2000-01-01 10:00:00", false);
	c = add_col(&m, "dz", "date");
	set_default(c, "0000-00-00", false);
	c->nullable = false;
	set_default(add_col(&m, "r", "double"), "rand()", true);
	set_default(add_col(&m, "e", "int(11)"), "(1 + 2)", true);
	set_default(add_col(&m, "n", "varchar(4)"), "NULL", true);
	render_table(&pg, &m, &d);
	expect_stmt(&d, 0, "CREATE TABLE \"dst\".\"t\" (\n"
		    "\t\"si\" smallint DEFAULT -5 NOT NULL,\n"
		    "\t\"vc\" character varying(10) DEFAULT 'it''s',\n"
		    "\t\"b8\" bit(8) DEFAULT B'00000101',\n"
		    "\t\"bn\" bytea DEFAULT '\\x61620000',\n"
		    "\t\"dtm\" timestamp(6) without time zone DEFAULT LOCALTIMESTAMP(6),\n"
		    "\t\"ts\" timestamp(0) with time zone DEFAULT '2000-01-01 10:00:00+00',\n"
		    "\t\"dz\" date NOT NULL,\n"
		    "\t\"r\" double precision,\n"
		    "\t\"e\" integer DEFAULT (1 + 2),\n"
		    "\t\"n\" character varying(4) DEFAULT NULL,\n"
		    "\tCHECK (octet_length(\"bn\") <= 4)\n)");
	/* Dropped defaults are reported, each with its reason. */
	expect_note(&d, "column \"dz\": ");
	expect_note(&d, "the zero-date default is dropped");
	expect_note(&d, "column \"r\": the default is dropped: function rand()");
	assert_false(d.unsupported);
	schema_ddl_release(&d);
	model_release(&m);
}

static void test_identity_start(void **state)
{
	struct model m;
	struct schema_ddl d;
	struct schema_column *c;

	(void)state;
	model_init(&m, "t");
	c = add_col(&m, "id", "int(11)");
	c->auto_increment = true;
	c->nullable = false;
	m.t.auto_increment = 42;
	render_table(&pg, &m, &d);
	expect_stmt(&d, 0, "CREATE TABLE \"dst\".\"t\" (\n\t\"id\" integer GENERATED BY DEFAULT "
		    "AS IDENTITY (START WITH 42) NOT NULL\n)");
	expect_note(&d, "AUTO_INCREMENT becomes an identity");
	schema_ddl_release(&d);

	/* No next value known: PostgreSQL's default start. */
	m.t.auto_increment = 0;
	render_table(&pg, &m, &d);
	expect_stmt(&d, 0, "CREATE TABLE \"dst\".\"t\" (\n\t\"id\" integer GENERATED BY DEFAULT "
		    "AS IDENTITY NOT NULL\n)");
	schema_ddl_release(&d);
	model_release(&m);

	/* BIGINT UNSIGNED identity: bigint with >= 0, start beyond int kept. */
	model_init(&m, "t");
	c = add_col(&m, "id", "bigint(20) unsigned");
	c->auto_increment = true;
	c->nullable = false;
	m.t.auto_increment = 5000000000LL;
	render_table(&pg, &m, &d);
	expect_stmt(&d, 0, "CREATE TABLE \"dst\".\"t\" (\n\t\"id\" bigint GENERATED BY DEFAULT "
		    "AS IDENTITY (START WITH 5000000000) NOT NULL,\n\tCHECK (\"id\" >= 0)\n)");
	schema_ddl_release(&d);
	model_release(&m);

	/* A next value past the PostgreSQL type: clamped, with a note. */
	model_init(&m, "t");
	c = add_col(&m, "id", "tinyint(4)");
	c->auto_increment = true;
	m.t.auto_increment = 40000;
	render_table(&pg, &m, &d);
	assert_non_null(strstr(d.stmts[0], "AS IDENTITY (START WITH 32767)"));
	expect_note(&d, "the next AUTO_INCREMENT value 40000 is beyond smallint");
	schema_ddl_release(&d);
	model_release(&m);
}

static void test_generated_columns(void **state)
{
	struct model m;
	struct schema_ddl d;
	struct schema_column *c;

	(void)state;
	model_init(&m, "t");
	add_col(&m, "a", "int(11)");
	add_col(&m, "k2", "varchar(20)");
	c = add_col(&m, "gv", "int(11)");
	set_str(&c->generation_expr, "`a` + 1");
	c = add_col(&m, "gs", "varchar(30)");
	set_str(&c->generation_expr, "concat(`k2`,'-x')");
	c->generated_stored = true;
	render_table(&pg, &m, &d);
	expect_stmt(&d, 0, "CREATE TABLE \"dst\".\"t\" (\n"
		    "\t\"a\" integer,\n"
		    "\t\"k2\" character varying(20),\n"
		    "\t\"gv\" integer GENERATED ALWAYS AS (\"a\" + 1) STORED,\n"
		    "\t\"gs\" character varying(30) GENERATED ALWAYS AS "
		    "(((\"k2\")::text || ('-x')::text)) STORED\n)");
	expect_note(&d, "column \"gv\": VIRTUAL becomes STORED");
	assert_false(d.unsupported);
	schema_ddl_release(&d);

	/* Not convertible: the table fails with the reason. */
	set_str(&m.cols[2].generation_expr, "`a` / 2");
	render_table(&pg, &m, &d);
	expect_unsupported(&d, "column \"gv\"");
	expect_unsupported(&d, "\"/\" always gives a decimal in MySQL");
	assert_non_null(strstr(d.stmts[0], "\"gv\" integer /* `a` / 2 */"));
	schema_ddl_release(&d);

	/* A generated column over another generated column: PostgreSQL refuses. */
	set_str(&m.cols[2].generation_expr, "`a` + 1");
	set_str(&m.cols[3].generation_expr, "concat(`gv`,'-x')");
	render_table(&pg, &m, &d);
	expect_unsupported(&d, "it uses generated column \"gv\"");
	schema_ddl_release(&d);
	model_release(&m);
}

/* ---- ON UPDATE CURRENT_TIMESTAMP ----------------------------------------------- */

static const char on_update_fn[] =
	"CREATE OR REPLACE FUNCTION \"dst\".\"t_on_update\"() RETURNS trigger LANGUAGE plpgsql "
	"AS $opendts$\n"
	"DECLARE\n"
	"\tv_set text := coalesce(current_setting('opendts.on_update', true), '');\n"
	"BEGIN\n"
	"\t/* MySQL sets an ON UPDATE CURRENT_TIMESTAMP column when the row changed\n"
	"\t   and the statement did not set the column itself. */\n"
	"\tIF TG_NARGS > 0 THEN\n"
	"\t\tPERFORM set_config('opendts.on_update', v_set || TG_ARGV[0] || ',', true);\n"
	"\t\tRETURN NEW;\n"
	"\tEND IF;\n"
	"\tIF v_set <> '' THEN\n"
	"\t\tPERFORM set_config('opendts.on_update', '', true);\n"
	"\tEND IF;\n"
	"\tIF ROW(NEW.\"id\", NEW.\"v\", NEW.\"ts\", NEW.\"dtm\") IS DISTINCT FROM "
	"ROW(OLD.\"id\", OLD.\"v\", OLD.\"ts\", OLD.\"dtm\") THEN\n"
	"\t\tIF strpos(',' || v_set, ',1,') = 0 THEN\n"
	"\t\t\tNEW.\"ts\" := CURRENT_TIMESTAMP(3);\n"
	"\t\tEND IF;\n"
	"\t\tIF strpos(',' || v_set, ',2,') = 0 THEN\n"
	"\t\t\tNEW.\"dtm\" := LOCALTIMESTAMP;\n"
	"\t\tEND IF;\n"
	"\tEND IF;\n"
	"\tRETURN NEW;\n"
	"END\n"
	"$opendts$";

static void on_update_model(struct model *m)
{
	struct schema_column *c;

	model_init(m, "t");
	c = add_col(m, "id", "int(11)");
	c->nullable = false;
	add_col(m, "v", "varchar(10)");
	c = add_col(m, "ts", "timestamp(3)");
	c->nullable = false;
	set_default(c, "current_timestamp(3)", true);
	set_str(&c->on_update, "current_timestamp(3)");
	c = add_col(m, "dtm", "datetime");
	set_str(&c->on_update, "current_timestamp()");
	c = add_col(m, "g", "int(11)");
	set_str(&c->generation_expr, "`id` + 1");
	c->generated_stored = true;
}

static void test_on_update_trigger(void **state)
{
	struct model m;
	struct schema_ddl d;

	(void)state;
	on_update_model(&m);
	render_table(&pg, &m, &d);
	assert_int_equal(d.n_stmts, 5);
	assert_non_null(strstr(d.stmts[0], "\"ts\" timestamp(3) with time zone DEFAULT "
			       "CURRENT_TIMESTAMP(3) NOT NULL"));
	expect_stmt(&d, 1, on_update_fn);
	/* The "explicit" triggers sort before "set", so they fire first. */
	expect_stmt(&d, 2, "CREATE TRIGGER \"opendts_on_update_explicit_1\" BEFORE UPDATE OF "
		    "\"ts\" ON \"dst\".\"t\" FOR EACH ROW EXECUTE FUNCTION "
		    "\"dst\".\"t_on_update\"('1')");
	expect_stmt(&d, 3, "CREATE TRIGGER \"opendts_on_update_explicit_2\" BEFORE UPDATE OF "
		    "\"dtm\" ON \"dst\".\"t\" FOR EACH ROW EXECUTE FUNCTION "
		    "\"dst\".\"t_on_update\"('2')");
	expect_stmt(&d, 4, "CREATE TRIGGER \"opendts_on_update_set\" BEFORE UPDATE ON "
		    "\"dst\".\"t\" FOR EACH ROW EXECUTE FUNCTION \"dst\".\"t_on_update\"()");
	assert_true(strcmp("opendts_on_update_explicit_2", "opendts_on_update_set") < 0);
	expect_note(&d, "column \"ts\": ");
	expect_note(&d, "ON UPDATE current_timestamp(3) becomes a BEFORE UPDATE trigger");
	schema_ddl_release(&d);

	/* Keeping existing tables: the statements may run again. */
	{
		struct schema_render_opts keep = pg;
		keep.if_not_exists = true;
		render_table(&keep, &m, &d);
		assert_true(strncmp(d.stmts[0], "CREATE TABLE IF NOT EXISTS \"dst\".\"t\" (", 38)
			    == 0);
		assert_true(strncmp(d.stmts[1], "CREATE OR REPLACE FUNCTION", 26) == 0);
		assert_true(strncmp(d.stmts[4], "CREATE OR REPLACE TRIGGER \"opendts_on_update_set\"",
				    49) == 0);
		schema_ddl_release(&d);
	}

	/* A column that is not selected gets no trigger and is not compared. */
	{
		struct schema_sel_column sc[3] = { { "id", "id" }, { "v", "v" }, { "ts", "ts" } };
		struct schema_sel_table st = { .src_schema = "src", .src_name = "t",
					       .dst_schema = "dst", .dst_name = "t",
					       .all_columns = false, .columns = sc, .n_columns = 3,
					       .filter = "" };
		m.r.sel = &st;
		render_table(&pg, &m, &d);
		assert_int_equal(d.n_stmts, 4);
		assert_null(strstr(d.stmts[1], "dtm"));
		assert_non_null(strstr(d.stmts[1], "IF ROW(NEW.\"id\", NEW.\"v\", NEW.\"ts\") IS "
				       "DISTINCT FROM ROW(OLD.\"id\", OLD.\"v\", OLD.\"ts\")"));
		schema_ddl_release(&d);
	}
	model_release(&m);
}

/* A column name holding the dollar-quote tag gets another tag. */
static void test_on_update_dollar_tag(void **state)
{
	struct model m;
	struct schema_ddl d;
	struct schema_column *c;

	(void)state;
	model_init(&m, "t");
	add_col(&m, "$opendts$", "int(11)");
	c = add_col(&m, "ts", "timestamp");
	set_str(&c->on_update, "current_timestamp()");
	render_table(&pg, &m, &d);
	assert_non_null(strstr(d.stmts[1], "LANGUAGE plpgsql AS $opendts1$\n"));
	assert_non_null(strstr(d.stmts[1], "END\n$opendts1$"));
	assert_non_null(strstr(d.stmts[1], "NEW.\"ts\" := CURRENT_TIMESTAMP;"));
	schema_ddl_release(&d);
	model_release(&m);
}

/* ---- comments, names, options ---------------------------------------------------- */

static void test_comments(void **state)
{
	struct model m;
	struct schema_ddl d;

	(void)state;
	model_init(&m, "t");
	m.t.comment = "the zoo's table";
	set_str(&add_col(&m, "id", "int(11)")->comment, "row id");
	add_col(&m, "x", "int(11)");
	set_str(&add_col(&m, "q", "int(11)")->comment, "a 'quoted' \\ comment");
	render_table(&pg, &m, &d);
	assert_int_equal(d.n_stmts, 4);
	expect_stmt(&d, 1, "COMMENT ON TABLE \"dst\".\"t\" IS 'the zoo''s table'");
	expect_stmt(&d, 2, "COMMENT ON COLUMN \"dst\".\"t\".\"id\" IS 'row id'");
	schema_ddl_release(&d);
	/* Renamed column: the comment follows the destination name. */
	{
		struct schema_sel_column sc[2] = { { "id", "ident" }, { "q", "q2" } };
		struct schema_sel_table st = { .src_schema = "src", .src_name = "t",
					       .dst_schema = "dst", .dst_name = "t2",
					       .all_columns = false, .columns = sc, .n_columns = 2,
					       .filter = "" };
		m.r.sel = &st;
		m.r.dst_name = "t2";
		render_table(&pg, &m, &d);
		expect_stmt(&d, 0, "CREATE TABLE \"dst\".\"t2\" (\n\t\"ident\" integer,\n"
			    "\t\"q2\" integer\n)");
		expect_stmt(&d, 2, "COMMENT ON COLUMN \"dst\".\"t2\".\"ident\" IS 'row id'");
		expect_stmt(&d, 3, "COMMENT ON COLUMN \"dst\".\"t2\".\"q2\" IS "
			    "'a ''quoted'' \\ comment'");
		schema_ddl_release(&d);
	}
	model_release(&m);
}

static void test_long_names_shortened(void **state)
{
	struct model m;
	struct schema_ddl d;
	char fit[64], want[300];

	(void)state;
	model_init(&m, NAME64);
	add_col(&m, NAME64, "int(11)");
	add_col(&m, E64, "tinyint(4)");
	render_table(&pg, &m, &d);
	assert_true(schema_ident_fit(SCHEMA_DIALECT_PG, NAME64, fit, sizeof(fit)));
	assert_int_equal(strlen(fit), 63);
	assert_int_equal(strncmp(fit, NAME64, 54), 0);
	assert_int_equal(fit[54], '_');
	snprintf(want, sizeof(want), "CREATE TABLE \"dst\".\"%s\" (\n\t\"%s\" integer,", fit, fit);
	assert_true(strncmp(d.stmts[0], want, strlen(want)) == 0);
	snprintf(want, sizeof(want), "table name \"%s\" is longer than 63 bytes: created as "
		 "\"%s\"", NAME64, fit);
	expect_note(&d, want);
	snprintf(want, sizeof(want), "column name \"%s\" is longer than 63 bytes", NAME64);
	expect_note(&d, want);
	/* 128 bytes of two-byte characters: cut on a character boundary, and
	 * the CHECK names the shortened column too. */
	assert_true(schema_ident_fit(SCHEMA_DIALECT_PG, E64, fit, sizeof(fit)));
	assert_int_equal(strlen(fit), 54 + 9);
	snprintf(want, sizeof(want), "\t\"%s\" smallint,\n\tCHECK (\"%s\" >= -128", fit, fit);
	assert_non_null(strstr(d.stmts[0], want));
	snprintf(want, sizeof(want), "column name \"%s\" is longer than 63 bytes: created as "
		 "\"%s\"", E64, fit);
	expect_note(&d, want);
	schema_ddl_release(&d);
	model_release(&m);
	/* 63 bytes is fine. */
	model_init(&m, NAME63);
	add_col(&m, "id", "int(11)");
	render_table(&pg, &m, &d);
	expect_stmt(&d, 0, "CREATE TABLE \"dst\".\"" NAME63 "\" (\n\t\"id\" integer\n)");
	assert_int_equal(d.n_notes, 0);
	schema_ddl_release(&d);
	model_release(&m);
}

static void test_fold_lower(void **state)
{
	struct model m;
	struct schema_ddl d;
	struct schema_column *c;
	struct schema_check k[1] = { { .name = "Chk_Pos", .expr = "`Pos` >= 0", .column = "" } };

	(void)state;
	model_init(&m, "MyTable");
	m.r.dst_schema = "MyDb";
	add_col(&m, "Pos", "int(11)");
	c = add_col(&m, "Twice", "int(11)");
	set_str(&c->generation_expr, "`Pos` * 2");
	c->generated_stored = true;
	add_col(&m, "Émile", "tinyint(4)");
	m.t.checks = k;
	m.t.n_checks = 1;
	render_table(&pg_lower, &m, &d);
	/* ASCII folds, like PostgreSQL folds unquoted names; É stays. */
	expect_stmt(&d, 0, "CREATE TABLE \"mydb\".\"mytable\" (\n"
		    "\t\"pos\" integer,\n"
		    "\t\"twice\" integer GENERATED ALWAYS AS (\"pos\" * 2) STORED,\n"
		    "\t\"Émile\" smallint,\n"
		    "\tCONSTRAINT \"chk_pos\" CHECK (\"pos\" >= 0),\n"
		    "\tCHECK (\"Émile\" >= -128 AND \"Émile\" <= 127)\n)");
	schema_ddl_release(&d);
	/* Without the option, case is kept. */
	render_table(&pg, &m, &d);
	assert_non_null(strstr(d.stmts[0], "CREATE TABLE \"MyDb\".\"MyTable\""));
	assert_non_null(strstr(d.stmts[0], "GENERATED ALWAYS AS (\"Pos\" * 2)"));
	schema_ddl_release(&d);
	model_release(&m);
}

static void test_reserved_and_odd_names(void **state)
{
	struct model m;
	struct schema_ddl d;

	(void)state;
	model_init(&m, "order");
	add_col(&m, "select", "int(11)");
	add_col(&m, "col with space", "int(11)");
	add_col(&m, "a\"b", "int(11)");
	add_col(&m, "a`b", "int(11)");
	add_col(&m, "表", "varchar(5)");
	render_table(&pg, &m, &d);
	expect_stmt(&d, 0, "CREATE TABLE \"dst\".\"order\" (\n"
		    "\t\"select\" integer,\n"
		    "\t\"col with space\" integer,\n"
		    "\t\"a\"\"b\" integer,\n"
		    "\t\"a`b\" integer,\n"
		    "\t\"表\" character varying(5)\n)");
	expect_note(&d, "table name \"order\" is a reserved word in PostgreSQL");
	expect_note(&d, "column name \"select\" is a reserved word in PostgreSQL");
	assert_false(has_note(&d, "\"col with space\" is a reserved", (const char *)NULL));
	schema_ddl_release(&d);
	model_release(&m);
}

static void test_table_option_notes(void **state)
{
	struct model m;
	struct schema_ddl d;

	(void)state;
	model_init(&m, "t");
	add_col(&m, "id", "int(11)");
	m.t.engine = "MyISAM";
	m.t.partitioned = true;
	m.t.create_options = "row_format=DYNAMIC partitioned checksum=1";
	render_table(&pg, &m, &d);
	expect_note(&d, "ENGINE=MyISAM is not carried");
	expect_note(&d, "the source table is partitioned; it is created unpartitioned");
	expect_note(&d, "table options row_format=DYNAMIC checksum=1 are not carried");
	schema_ddl_release(&d);
	m.t.engine = "InnoDB";
	m.t.partitioned = false;
	m.t.create_options = "";
	render_table(&pg, &m, &d);
	assert_int_equal(d.n_notes, 0);
	schema_ddl_release(&d);
	model_release(&m);
}

/* ---- keys and CHECK constraints inside CREATE TABLE -------------------------------- */

static void test_primary_key_and_checks(void **state)
{
	struct model m;
	struct schema_ddl d;
	struct schema_index_part pk_parts[2] = { { .column = "id" }, { .column = "k2" } };
	struct schema_index pk = { .name = "PRIMARY", .primary = true, .unique = true,
				   .parts = pk_parts, .n_parts = 2 };
	struct schema_check k[5] = {
		{ .name = "js", .expr = "json_valid(`js`)", .column = "js", .json_valid = true },
		{ .name = "chk_si", .expr = "`si` > -100", .column = "" },
		{ .name = "CONSTRAINT_1", .expr = "`si` <> 7 and `k2` like 'a\\_%'", .column = "" },
		{ .name = "bad", .expr = "`si` / 2 > 1", .column = "" },
		{ .name = "pos", .expr = "`pos` >= 0", .column = "pos" },
	};

	(void)state;
	model_init(&m, "t");
	add_col(&m, "id", "int(11)")->nullable = false;
	add_col(&m, "k2", "varchar(20)")->nullable = false;
	add_col(&m, "si", "smallint(6)");
	add_col(&m, "js", "json");
	add_col(&m, "pos", "int(11)");
	m.t.indexes = &pk;
	m.t.n_indexes = 1;
	m.t.checks = k;
	m.t.n_checks = 5;
	render_table(&pg, &m, &d);
	expect_stmt(&d, 0, "CREATE TABLE \"dst\".\"t\" (\n"
		    "\t\"id\" integer NOT NULL,\n"
		    "\t\"k2\" character varying(20) NOT NULL,\n"
		    "\t\"si\" smallint,\n"
		    "\t\"js\" jsonb,\n"
		    "\t\"pos\" integer,\n"
		    "\tPRIMARY KEY (\"id\", \"k2\"),\n"
		    "\tCONSTRAINT \"chk_si\" CHECK (\"si\" > -100),\n"
		    "\tCONSTRAINT \"CONSTRAINT_1\" CHECK (\"si\" <> 7 and \"k2\" like 'a\\_%'),\n"
		    "\tCONSTRAINT \"pos\" CHECK (\"pos\" >= 0)\n)");
	expect_note(&d, "CHECK constraint \"bad\" (`si` / 2 > 1) is not created: \"/\" always "
		    "gives a decimal");
	assert_false(has_note(&d, "json_valid", (const char *)NULL));
	assert_false(d.unsupported);
	schema_ddl_release(&d);

	/* A subset without "pos" and "k2": the CHECKs and the key that need
	 * them are left out, each with a note. */
	{
		struct schema_sel_column sc[3] = { { "id", "id" }, { "si", "small" }, { "js", "js" } };
		struct schema_sel_table st = { .src_schema = "src", .src_name = "t",
					       .dst_schema = "dst", .dst_name = "t",
					       .all_columns = false, .columns = sc, .n_columns = 3,
					       .filter = "" };
		m.r.sel = &st;
		render_table(&pg, &m, &d);
		expect_stmt(&d, 0, "CREATE TABLE \"dst\".\"t\" (\n"
			    "\t\"id\" integer NOT NULL,\n"
			    "\t\"small\" smallint,\n"
			    "\t\"js\" jsonb,\n"
			    "\tCONSTRAINT \"chk_si\" CHECK (\"small\" > -100)\n)");
		expect_note(&d, "the primary key is not created: its column \"k2\" is not selected");
		expect_note(&d, "CHECK constraint \"pos\" (`pos` >= 0) is not created: it uses "
			    "column \"pos\", which is not selected");
		expect_note(&d, "CHECK constraint \"CONSTRAINT_1\"");
		schema_ddl_release(&d);
	}
	model_release(&m);
}

/* ---- secondary indexes -------------------------------------------------------------- */

static void render_index(const struct schema_render_opts *o, const struct model *m,
			 const struct schema_index *ix, struct schema_ddl *d)
{
	struct err e = { 0 };

	if (schema_render_index(o, &m->r, ix, d, &e) < 0)
		fail_msg("render index: %s", e.msg);
}

static void index_model(struct model *m)
{
	model_init(m, "t");
	add_col(m, "id", "int(11)");
	add_col(m, "vc", "varchar(255)");
	add_col(m, "bl", "blob");
	add_col(m, "tx", "text");
	add_col(m, "mt", "mediumtext");
	add_col(m, "pt", "point")->nullable = false;
	add_col(m, "big", "varchar(1000)")->octet_length = 4000;
}

static void test_indexes(void **state)
{
	struct model m;
	struct schema_ddl d;
	struct schema_index_part p1[2] = { { .column = "vc", .prefix_len = 10 },
					   { .column = "id" } };
	struct schema_index uk = { .name = "uk_vc", .unique = true, .parts = p1, .n_parts = 2 };
	struct schema_index_part p2[2] = { { .column = "id", .descending = true },
					   { .column = "bl", .prefix_len = 8 } };
	struct schema_index kd = { .name = "idx_desc", .comment = "two parts", .parts = p2,
				   .n_parts = 2 };
	struct schema_index_part p3[2] = { { .column = "tx" }, { .column = "mt" } };
	struct schema_index ft = { .name = "ft", .kind = SCHEMA_IDX_FULLTEXT, .parts = p3,
				   .n_parts = 2 };
	struct schema_index ft1 = { .name = "ft1", .kind = SCHEMA_IDX_FULLTEXT, .parts = p3,
				    .n_parts = 1 };
	struct schema_index_part p4[1] = { { .column = "id" } };
	struct schema_index h = { .name = "h", .unique = true, .kind = SCHEMA_IDX_HASH,
				  .parts = p4, .n_parts = 1 };
	struct schema_index_part p5[1] = { { .column = "big" } };
	struct schema_index kbig = { .name = "k_big", .parts = p5, .n_parts = 1 };

	(void)state;
	index_model(&m);
	render_index(&pg, &m, &uk, &d);
	expect_stmt(&d, 0, "CREATE UNIQUE INDEX \"t_uk_vc\" ON \"dst\".\"t\" "
		    "((left(\"vc\", 10)), \"id\")");
	expect_note(&d, "index \"uk_vc\": the prefix part \"vc\"(10) becomes the expression "
		    "left(\"vc\", 10)");
	assert_int_equal(d.n_stmts, 1);
	schema_ddl_release(&d);

	render_index(&pg, &m, &kd, &d);
	expect_stmt(&d, 0, "CREATE INDEX \"t_idx_desc\" ON \"dst\".\"t\" (\"id\" DESC, "
		    "(substring(\"bl\" FROM 1 FOR 8)))");
	expect_stmt(&d, 1, "COMMENT ON INDEX \"dst\".\"t_idx_desc\" IS 'two parts'");
	expect_note(&d, "substring(\"bl\", 8)");
	schema_ddl_release(&d);

	render_index(&pg, &m, &ft, &d);
	expect_stmt(&d, 0, "CREATE INDEX \"t_ft\" ON \"dst\".\"t\" USING gin "
		    "(to_tsvector('simple', coalesce(\"tx\", '') || ' ' || coalesce(\"mt\", '')))");
	expect_note(&d, "FULLTEXT index \"ft\" becomes a GIN index");
	assert_false(d.unsupported);
	schema_ddl_release(&d);
	render_index(&pg, &m, &ft1, &d);
	expect_stmt(&d, 0, "CREATE INDEX \"t_ft1\" ON \"dst\".\"t\" USING gin "
		    "(to_tsvector('simple', \"tx\"))");
	schema_ddl_release(&d);

	render_index(&pg, &m, &h, &d);
	expect_stmt(&d, 0, "CREATE UNIQUE INDEX \"t_h\" ON \"dst\".\"t\" (\"id\")");
	expect_note(&d, "HASH index \"h\" becomes a btree index");
	schema_ddl_release(&d);

	render_index(&pg, &m, &kbig, &d);
	expect_stmt(&d, 0, "CREATE INDEX \"t_k_big\" ON \"dst\".\"t\" (\"big\")");
	expect_note(&d, "values of \"big\" longer than 2704 bytes cannot be indexed");
	schema_ddl_release(&d);

	/* Keep-existing mode. */
	{
		struct schema_render_opts keep = pg;
		keep.if_not_exists = true;
		render_index(&keep, &m, &h, &d);
		expect_stmt(&d, 0, "CREATE UNIQUE INDEX IF NOT EXISTS \"t_h\" ON \"dst\".\"t\" "
			    "(\"id\")");
		schema_ddl_release(&d);
	}
	model_release(&m);
}

static void test_index_unsupported_and_errors(void **state)
{
	struct model m;
	struct schema_ddl d;
	struct schema_index_part p1[1] = { { .column = "pt" } };
	struct schema_index sp = { .name = "sp", .kind = SCHEMA_IDX_SPATIAL, .parts = p1,
				   .n_parts = 1 };
	struct schema_index_part p2[2] = { { .column = "id" }, { .column = "vc", .prefix_len = 4 } };
	struct schema_index k = { .name = "k", .parts = p2, .n_parts = 2 };
	struct schema_index pk = { .name = "PRIMARY", .primary = true, .unique = true,
				   .parts = p2, .n_parts = 1 };
	struct schema_sel_column sc[1] = { { "id", "id" } };
	struct schema_sel_table st = { .src_schema = "src", .src_name = "t", .dst_schema = "dst",
				       .dst_name = "t", .columns = sc, .n_columns = 1, .filter = "" };
	struct err e = { 0 };

	(void)state;
	index_model(&m);
	render_index(&pg, &m, &sp, &d);
	expect_unsupported(&d, "SPATIAL index \"sp\" is not created: without PostGIS");
	/* DdlSql shows the source form. */
	expect_stmt(&d, 0, "CREATE SPATIAL INDEX `sp` ON `src`.`t` (`pt`)");
	schema_ddl_release(&d);

	m.r.sel = &st;
	render_index(&pg, &m, &k, &d);
	expect_unsupported(&d, "index \"k\" uses column \"vc\", which is not selected");
	expect_stmt(&d, 0, "CREATE INDEX `k` ON `src`.`t` (`id`, `vc`(4))");
	schema_ddl_release(&d);
	m.r.sel = NULL;

	/* The primary key belongs to the table. */
	assert_int_equal(schema_render_index(&pg, &m.r, &pk, &d, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_non_null(strstr(e.msg, "primary key"));
	assert_int_equal(d.n_stmts, 0);
	model_release(&m);

	/* The index name joins table and index names, shortened when long. */
	{
		char fit[64], want[200];
		struct schema_index_part p3[1] = { { .column = "id" } };
		struct schema_index kl = { .name = "k_" NAME64, .parts = p3, .n_parts = 1 };
		index_model(&m);
		render_index(&pg, &m, &kl, &d);
		schema_ident_fit(SCHEMA_DIALECT_PG, "t_k_" NAME64, fit, sizeof(fit));
		snprintf(want, sizeof(want), "CREATE INDEX \"%s\" ON \"dst\".\"t\" (\"id\")", fit);
		expect_stmt(&d, 0, want);
		expect_note(&d, "index name \"t_k_" NAME64 "\" is longer than 63 bytes");
		schema_ddl_release(&d);
		model_release(&m);
	}
}

/* ---- foreign keys ----------------------------------------------------------------- */

struct fk_models {
	struct model parent, child;
	struct schema_index_part pk_parts[2], uk_parts[1], k_parts[1];
	struct schema_index idx[3];
	struct schema_resolved all[2];
};

static void fk_models_init(struct fk_models *f)
{
	memset(f, 0, sizeof(*f));
	model_init(&f->parent, "parent");
	add_col(&f->parent, "a", "int(11)");
	add_col(&f->parent, "b", "varchar(10)");
	add_col(&f->parent, "c", "int(11)");
	f->pk_parts[0].column = "a";
	f->pk_parts[1].column = "b";
	f->uk_parts[0].column = "b";
	f->k_parts[0].column = "c";
	f->idx[0] = (struct schema_index){ .name = "PRIMARY", .primary = true, .unique = true,
					   .parts = f->pk_parts, .n_parts = 2 };
	f->idx[1] = (struct schema_index){ .name = "uk_b", .unique = true, .parts = f->uk_parts,
					   .n_parts = 1 };
	f->idx[2] = (struct schema_index){ .name = "k_c", .parts = f->k_parts, .n_parts = 1 };
	f->parent.t.indexes = f->idx;
	f->parent.t.n_indexes = 3;
	model_init(&f->child, "child");
	add_col(&f->child, "pa", "int(11)");
	add_col(&f->child, "pb", "varchar(10)");
	add_col(&f->child, "pc", "int(11)");
	f->all[0] = f->child.r;
	f->all[1] = f->parent.r;
	f->all[0].table = &f->child.t;
	f->all[1].table = &f->parent.t;
}

static void fk_models_release(struct fk_models *f)
{
	model_release(&f->parent);
	model_release(&f->child);
}

static void render_fk(const struct fk_models *f, const struct schema_fk *fk,
		      struct schema_ddl *d)
{
	struct err e = { 0 };

	if (schema_render_fk(&pg, &f->all[0], fk, f->all, 2, d, &e) < 0)
		fail_msg("render fk: %s", e.msg);
}

static void test_foreign_keys(void **state)
{
	static const char *const rules[] = { "RESTRICT", "CASCADE", "SET NULL", "NO ACTION",
					     "SET DEFAULT" };
	struct fk_models f;
	struct schema_ddl d;
	char *cols[2] = { "pb", "pa" }, *refs[2] = { "b", "a" };
	struct schema_fk fk = { .name = "fk_child_parent", .columns = cols, .n_columns = 2,
				.ref_schema = "src", .ref_table = "parent", .ref_columns = refs,
				.on_update = "CASCADE", .on_delete = "CASCADE" };
	char want[400];

	(void)state;
	fk_models_init(&f);
	render_fk(&f, &fk, &d);
	/* Referenced columns in any order of the key. */
	expect_stmt(&d, 0, "ALTER TABLE \"dst\".\"child\" ADD CONSTRAINT \"fk_child_parent\" "
		    "FOREIGN KEY (\"pb\", \"pa\") REFERENCES \"dst\".\"parent\" (\"b\", \"a\") "
		    "ON DELETE CASCADE ON UPDATE CASCADE");
	assert_false(d.unsupported);
	assert_int_equal(d.n_notes, 0);
	schema_ddl_release(&d);

	/* Every action, one key column on the unique key. */
	fk.n_columns = 1;
	for (size_t i = 0; i < 5; i++) {
		fk.on_delete = (char *)rules[i];
		fk.on_update = (char *)rules[(i + 1) % 5];
		render_fk(&f, &fk, &d);
		snprintf(want, sizeof(want), "ALTER TABLE \"dst\".\"child\" ADD CONSTRAINT "
			 "\"fk_child_parent\" FOREIGN KEY (\"pb\") REFERENCES \"dst\".\"parent\" "
			 "(\"b\") ON DELETE %s ON UPDATE %s", rules[i], rules[(i + 1) % 5]);
		expect_stmt(&d, 0, want);
		schema_ddl_release(&d);
	}

	/* Unknown rules (unreadable to the account): PostgreSQL's default, noted. */
	fk.on_delete = "";
	fk.on_update = "";
	render_fk(&f, &fk, &d);
	expect_stmt(&d, 0, "ALTER TABLE \"dst\".\"child\" ADD CONSTRAINT \"fk_child_parent\" "
		    "FOREIGN KEY (\"pb\") REFERENCES \"dst\".\"parent\" (\"b\")");
	expect_note(&d, "the ON DELETE rule could not be read from the source");
	expect_note(&d, "the ON UPDATE rule could not be read from the source");
	assert_false(d.unsupported);
	schema_ddl_release(&d);

	/* A rule PostgreSQL does not know. */
	fk.on_delete = "SET WHATEVER";
	render_fk(&f, &fk, &d);
	expect_unsupported(&d, "ON DELETE SET WHATEVER has no PostgreSQL form");
	schema_ddl_release(&d);
	fk_models_release(&f);
}

static void test_foreign_key_problems(void **state)
{
	struct fk_models f;
	struct schema_ddl d;
	char *cols[1] = { "pc" }, *refs[1] = { "c" };
	struct schema_fk fk = { .name = "fk_c", .columns = cols, .n_columns = 1,
				.ref_schema = "src", .ref_table = "parent", .ref_columns = refs,
				.on_update = "RESTRICT", .on_delete = "SET NULL" };
	struct schema_sel_column sc[2] = { { "a", "a" }, { "b", "bee" } };
	struct schema_sel_table st = { .src_schema = "src", .src_name = "parent",
				       .dst_schema = "dst2", .dst_name = "mother",
				       .columns = sc, .n_columns = 2, .filter = "" };

	(void)state;
	fk_models_init(&f);
	/* MySQL accepts a non-unique referenced index; PostgreSQL does not. */
	render_fk(&f, &fk, &d);
	expect_unsupported(&d, "PostgreSQL needs a primary key or unique index on exactly the "
			   "referenced columns");
	assert_non_null(strstr(d.stmts[0], "REFERENCES \"dst\".\"parent\" (\"c\")"));
	schema_ddl_release(&d);

	/* Renamed referenced table and column; the unrenamed child column. */
	cols[0] = "pb";
	refs[0] = "b";
	f.all[1].sel = &st;
	f.all[1].dst_schema = "dst2";
	f.all[1].dst_name = "mother";
	render_fk(&f, &fk, &d);
	expect_stmt(&d, 0, "ALTER TABLE \"dst\".\"child\" ADD CONSTRAINT \"fk_c\" FOREIGN KEY "
		    "(\"pb\") REFERENCES \"dst2\".\"mother\" (\"bee\") ON DELETE SET NULL "
		    "ON UPDATE RESTRICT");
	assert_false(d.unsupported);
	schema_ddl_release(&d);

	/* A referenced column that is not selected. */
	refs[0] = "c";
	render_fk(&f, &fk, &d);
	expect_unsupported(&d, "referenced column \"c\" is not selected");
	schema_ddl_release(&d);

	/* Referenced table not migrated (decided by render.c for both dialects). */
	fk.ref_table = "elsewhere";
	render_fk(&f, &fk, &d);
	assert_true(d.unsupported);
	schema_ddl_release(&d);
	fk_models_release(&f);
}

/* ---- views -------------------------------------------------------------------------- */

static void render_view(const struct schema_view *v, struct schema_ddl *d)
{
	struct err e = { 0 };

	if (schema_render_view(&pg, v, "dst", d, &e) < 0)
		fail_msg("render view: %s", e.msg);
}

static void test_view_converted(void **state)
{
	struct schema_view v = {
		.schema = "zoo", .name = "v_parent",
		.definition = "select `zoo`.`parent`.`a` AS `a`,`zoo`.`parent`.`b` AS `b`,"
			      "count(0) AS `n`,coalesce(`p`.`c`,_utf8mb4'it''s') AS `c` "
			      "from `zoo`.`parent` join `other`.`p` on(`p`.`a` = "
			      "`zoo`.`parent`.`a`) where `zoo`.`parent`.`a` > 0 and "
			      "`zoo`.`parent`.`b` <> 'x' group by 1,2 order by `a` desc limit 10",
		.check_option = "CASCADED", .security = "INVOKER", .definer = "root@localhost",
		.algorithm = "MERGE",
	};
	struct schema_ddl d;

	(void)state;
	render_view(&v, &d);
	expect_stmt(&d, 0, "CREATE VIEW \"dst\".\"v_parent\" WITH (security_invoker = true) AS "
		    "select \"dst\".\"parent\".\"a\" AS \"a\",\"dst\".\"parent\".\"b\" AS \"b\","
		    "count(0) AS \"n\",coalesce(\"p\".\"c\",'it''s') AS \"c\" "
		    "from \"dst\".\"parent\" join \"other\".\"p\" on(\"p\".\"a\" = "
		    "\"dst\".\"parent\".\"a\") where \"dst\".\"parent\".\"a\" > 0 and "
		    "\"dst\".\"parent\".\"b\" <> 'x' group by 1,2 order by \"a\" desc limit 10 "
		    "WITH CASCADED CHECK OPTION");
	assert_false(d.unsupported);
	assert_int_equal(d.n_notes, 0);
	schema_ddl_release(&d);

	/* A table named like the database: only the database part maps. */
	v.definition = "select `zoo`.`zoo`.`a` AS `a`,`zoo`.`b` AS `b` from `zoo`.`zoo` join "
		       "`zoo` `z2`";
	v.check_option = "NONE";
	render_view(&v, &d);
	expect_stmt(&d, 0, "CREATE VIEW \"dst\".\"v_parent\" WITH (security_invoker = true) AS "
		    "select \"dst\".\"zoo\".\"a\" AS \"a\",\"zoo\".\"b\" AS \"b\" from "
		    "\"dst\".\"zoo\" join \"zoo\" \"z2\"");
	schema_ddl_release(&d);

	v.security = "DEFINER";
	v.algorithm = "TEMPTABLE";
	v.definition = "select 1 AS `x` limit 5 offset 2";
	render_view(&v, &d);
	expect_stmt(&d, 0, "CREATE VIEW \"dst\".\"v_parent\" AS select 1 AS \"x\" limit 5 offset 2");
	expect_note(&d, "SQL SECURITY DEFINER: the view runs with the privileges of its "
		    "PostgreSQL owner");
	expect_note(&d, "root@localhost");
	expect_note(&d, "ALGORITHM=TEMPTABLE is not carried");
	schema_ddl_release(&d);
}

static void test_view_unsupported(void **state)
{
	static const struct { const char *def, *why; } cases[] = {
		{ "select ifnull(`t`.`a`,0) AS `a` from `zoo`.`t`", "function ifnull()" },
		{ "select date_format(`t`.`d`,'%Y') AS `y` from `zoo`.`t`", "function date_format()" },
		{ "select group_concat(`t`.`a` separator ',') AS `g` from `zoo`.`t`",
		  "function group_concat()" },
		{ "select `t`.`a` AS `a` from `zoo`.`t` limit 1,2", "LIMIT offset,count" },
		{ "select 'it\\'s' AS `a`", "backslash escapes" },
		{ "select `t`.`a AS a from t", "not terminated" },
		{ "select \"x\" AS `a`", "double-quoted" },
		{ "select `t`.`a` / 2 AS `h` from `zoo`.`t`", "\"/ 2\"" },
		{ "select `t`.`a` || `t`.`b` AS `h` from `zoo`.`t`", "\"|| \"" },
		{ "select 0x41 AS `h`", "hexadecimal" },
		{ "select `a` AS `a` from `t` where `a` regexp 'x'", "\"regexp\"" },
		{ "select `a` AS `a` from `t` where `a` <=> 1", "\"<=>\"" },
		{ "select 1 AS `a`; drop table `t`", "\"; d\"" },
	};
	struct schema_view v = { .schema = "zoo", .name = "v", .check_option = "NONE",
				 .security = "INVOKER", .definer = "", .algorithm = "" };
	struct schema_ddl d;
	char want[600];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v.definition = (char *)cases[i].def;
		render_view(&v, &d);
		print_message("%s\n", cases[i].def);
		expect_unsupported(&d, "view \"v\" is not converted: ");
		expect_unsupported(&d, cases[i].why);
		/* The source text, for DdlSql. */
		assert_int_equal(d.n_stmts, 1);
		snprintf(want, sizeof(want), "CREATE VIEW `v` AS %s", cases[i].def);
		expect_stmt(&d, 0, want);
		schema_ddl_release(&d);
	}
	v.definition = "";
	render_view(&v, &d);
	expect_unsupported(&d, "its definition could not be read");
	expect_stmt(&d, 0, "CREATE VIEW `v` AS ");
	schema_ddl_release(&d);
}

/* ---- stored programs --------------------------------------------------------------- */

static void test_routines_and_triggers_unsupported(void **state)
{
	struct schema_routine p = { .schema = "zoo", .name = "p_touch", .kind = SCHEMA_PROCEDURE,
				    .create_sql = "CREATE DEFINER=`root`@`localhost` PROCEDURE "
						  "`p_touch`(IN x INT)\nBEGIN UPDATE parent SET a = a "
						  "WHERE a = x; END",
				    .definer = "root@localhost", .sql_mode = "" };
	struct schema_routine f = { .schema = "zoo", .name = "f_add", .kind = SCHEMA_FUNCTION,
				    .create_sql = "", .definer = "", .sql_mode = "" };
	struct schema_trigger t = { .schema = "zoo", .name = "trg_z", .table = "child",
				    .timing = "BEFORE", .event = "INSERT",
				    .statement = "SET NEW.other = COALESCE(NEW.other, 0)",
				    .definer = "", .action_order = 1, .sql_mode = "" };
	struct schema_ddl d;
	struct err e = { 0 };
	char *text;

	(void)state;
	assert_int_equal(schema_render_routine(&pg, &p, "dst", &d, &e), 0);
	assert_true(d.unsupported);
	assert_string_equal(d.reason, "MySQL stored program syntax is not converted; rewrite it "
			    "in PL/pgSQL");
	expect_stmt(&d, 0, p.create_sql);
	text = schema_ddl_text(&d);
	assert_non_null(strstr(text, "BEGIN UPDATE parent SET a = a WHERE a = x; END;"));
	free(text);
	schema_ddl_release(&d);

	assert_int_equal(schema_render_routine(&pg, &f, "dst", &d, &e), 0);
	expect_unsupported(&d, "its source text could not be read");
	expect_stmt(&d, 0, "-- the source text of function `f_add` could not be read");
	schema_ddl_release(&d);

	assert_int_equal(schema_render_trigger(&pg, &t, "dst", "child", &d, &e), 0);
	expect_unsupported(&d, "rewrite it in PL/pgSQL");
	expect_stmt(&d, 0, "CREATE TRIGGER `trg_z` BEFORE INSERT ON `child` FOR EACH ROW "
		    "SET NEW.other = COALESCE(NEW.other, 0)");
	schema_ddl_release(&d);
}

/* ---- database and arguments --------------------------------------------------------- */

static void test_database(void **state)
{
	struct schema_ddl d;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(schema_render_database(&pg, "Zoo2", "utf8mb4", "utf8mb4_general_ci", &d,
						&e), 0);
	expect_stmt(&d, 0, "CREATE SCHEMA IF NOT EXISTS \"Zoo2\"");
	assert_int_equal(d.n_stmts, 1);
	expect_note(&d, "character set utf8mb4 and collation utf8mb4_general_ci are not carried");
	schema_ddl_release(&d);
	assert_int_equal(schema_render_database(&pg_lower, "Zoo2", "", "", &d, &e), 0);
	expect_stmt(&d, 0, "CREATE SCHEMA IF NOT EXISTS \"zoo2\"");
	assert_int_equal(d.n_notes, 0);
	schema_ddl_release(&d);
	assert_int_equal(schema_render_database(&pg, "user", NULL, NULL, &d, &e), 0);
	expect_note(&d, "schema name \"user\" is a reserved word");
	schema_ddl_release(&d);
}

static void test_bad_arguments(void **state)
{
	struct model m;
	struct schema_ddl d;
	struct err e = { 0 };
	struct schema_view v = { .schema = "zoo", .name = "", .definition = "select 1" };

	(void)state;
	model_init(&m, "t");
	m.r.dst_name = NULL;
	assert_int_equal(schema_render_table(&pg, &m.r, &d, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(d.n_stmts, 0);
	m.r.dst_name = "";
	err_clear(&e);
	assert_int_equal(schema_render_table(&pg, &m.r, &d, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(d.n_stmts, 0);
	err_clear(&e);
	assert_int_equal(schema_render_database(&pg, "", "", "", &d, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	err_clear(&e);
	assert_int_equal(schema_render_view(&pg, &v, "dst", &d, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(d.n_stmts, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_unknown_type_is_unsupported),
		cmocka_unit_test(test_not_null_and_defaults),
		cmocka_unit_test(test_identity_start),
		cmocka_unit_test(test_generated_columns),
		cmocka_unit_test(test_on_update_trigger),
		cmocka_unit_test(test_on_update_dollar_tag),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_long_names_shortened),
		cmocka_unit_test(test_fold_lower),
		cmocka_unit_test(test_reserved_and_odd_names),
		cmocka_unit_test(test_table_option_notes),
		cmocka_unit_test(test_primary_key_and_checks),
		cmocka_unit_test(test_indexes),
		cmocka_unit_test(test_index_unsupported_and_errors),
		cmocka_unit_test(test_foreign_keys),
		cmocka_unit_test(test_foreign_key_problems),
		cmocka_unit_test(test_view_converted),
		cmocka_unit_test(test_view_unsupported),
		cmocka_unit_test(test_routines_and_triggers_unsupported),
		cmocka_unit_test(test_database),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
