/*
 * test_ddl_mysql.c - the MySQL/MariaDB DDL renderer (schema/render.c and
 * schema/render_mysql.c) on hand-built models, without a server: quoting
 * of odd identifiers and literals, every column option, keys and their
 * algorithms, foreign keys, table options, column subsets and renames,
 * views, routines, triggers, and every unsupported case with its reason.
 * tests/integration/test_ddl_mysql.c proves the same output faithful on a
 * real MariaDB.
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
#include "schema/schema.h"
#include "util/buf.h"
#include "util/xalloc.h"

static const struct schema_render_opts MY = { .dialect = SCHEMA_DIALECT_MYSQL };

/* ---- building a model by hand -------------------------------------------- */

#define MAX_TABLES 8

static void new_catalog(struct schema_catalog *cat)
{
	memset(cat, 0, sizeof(*cat));
	cat->tables = xcalloc(MAX_TABLES, sizeof(*cat->tables));
}

static struct schema_table *add_table(struct schema_catalog *cat, const char *schema,
				      const char *name, const char *engine, const char *collation)
{
	struct schema_table *t = &cat->tables[cat->n_tables++];

	assert_true(cat->n_tables <= MAX_TABLES);
	t->schema = xstrdup(schema);
	t->name = xstrdup(name);
	t->engine = xstrdup(engine);
	t->collation = xstrdup(collation);
	t->charset = xstrndup(collation, strcspn(collation, "_"));
	t->row_format = xstrdup("Dynamic");
	t->comment = xstrdup("");
	t->create_options = xstrdup("");
	return t;
}

static bool is_text(enum schema_type t)
{
	return (t >= SCHEMA_T_CHAR && t <= SCHEMA_T_VARCHAR) ||
	       (t >= SCHEMA_T_TINYTEXT && t <= SCHEMA_T_LONGTEXT) || t == SCHEMA_T_ENUM ||
	       t == SCHEMA_T_SET;
}

/* A nullable column without default of the given COLUMN_TYPE; text types
 * take the table's charset and collation. Valid until the next add_col. */
static struct schema_column *add_col(struct schema_table *t, const char *name, const char *type)
{
	struct schema_column *c;

	t->columns = xrealloc(t->columns, (t->n_columns + 1) * sizeof(*c));
	c = &t->columns[t->n_columns++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->ordinal = (int)t->n_columns;
	c->column_type = xstrdup(type);
	assert_int_equal(schema_column_type_parse(type, c), 0);
	c->nullable = true;
	c->charset = xstrdup(is_text(c->type) ? t->charset : "");
	c->collation = xstrdup(is_text(c->type) ? t->collation : "");
	c->default_value = xstrdup("");
	c->on_update = xstrdup("");
	c->generation_expr = xstrdup("");
	c->comment = xstrdup("");
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
	c->default_is_expr = is_expr;
	set_str(&c->default_value, v);
}

static struct schema_index *add_index(struct schema_table *t, const char *name, bool unique,
				      enum schema_index_kind kind)
{
	struct schema_index *x;

	t->indexes = xrealloc(t->indexes, (t->n_indexes + 1) * sizeof(*x));
	x = &t->indexes[t->n_indexes++];
	memset(x, 0, sizeof(*x));
	x->name = xstrdup(name);
	x->primary = strcmp(name, "PRIMARY") == 0;
	x->unique = unique || x->primary;
	x->kind = kind;
	x->comment = xstrdup("");
	return x;
}

static void add_part(struct schema_index *x, const char *column, int prefix, bool desc)
{
	struct schema_index_part *p;

	x->parts = xrealloc(x->parts, (x->n_parts + 1) * sizeof(*p));
	p = &x->parts[x->n_parts++];
	p->column = xstrdup(column);
	p->prefix_len = prefix;
	p->descending = desc;
}

static void add_check(struct schema_table *t, const char *name, const char *expr,
		      const char *column)
{
	struct schema_check *k;

	t->checks = xrealloc(t->checks, (t->n_checks + 1) * sizeof(*k));
	k = &t->checks[t->n_checks++];
	memset(k, 0, sizeof(*k));
	k->name = xstrdup(name);
	k->expr = xstrdup(expr);
	k->column = xstrdup(column);
}

static struct schema_fk *add_fk(struct schema_table *t, const char *name, const char *col,
				const char *ref_schema, const char *ref_table, const char *ref_col,
				const char *on_delete, const char *on_update)
{
	struct schema_fk *f;

	t->fks = xrealloc(t->fks, (t->n_fks + 1) * sizeof(*f));
	f = &t->fks[t->n_fks++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(name);
	f->ref_schema = xstrdup(ref_schema);
	f->ref_table = xstrdup(ref_table);
	f->on_delete = xstrdup(on_delete);
	f->on_update = xstrdup(on_update);
	f->columns = xcalloc(4, sizeof(char *));
	f->ref_columns = xcalloc(4, sizeof(char *));
	f->columns[0] = xstrdup(col);
	f->ref_columns[0] = xstrdup(ref_col);
	f->n_columns = 1;
	return f;
}

static void fk_add_column(struct schema_fk *f, const char *col, const char *ref_col)
{
	f->columns[f->n_columns] = xstrdup(col);
	f->ref_columns[f->n_columns++] = xstrdup(ref_col);
}

static struct schema_resolved resolved(const struct schema_table *t, const char *dst_schema,
				       const char *dst_name)
{
	struct schema_resolved r = { .table = t, .dst_schema = dst_schema, .dst_name = dst_name };

	return r;
}

static char *render_table(const struct schema_render_opts *o, const struct schema_resolved *r,
			  struct schema_ddl *d)
{
	struct err e = { 0 };

	assert_int_equal(schema_render_table(o, r, d, &e), 0);
	assert_int_equal(d->n_stmts, 1);
	return d->stmts[0];
}

static bool has_note(const struct schema_ddl *d, const char *needle)
{
	for (size_t i = 0; i < d->n_notes; i++)
		if (strstr(d->notes[i], needle))
			return true;
	return false;
}

/* ---- quoting ------------------------------------------------------------- */

static char *qi(const struct schema_render_opts *o, const char *name)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	schema_quote_ident(o, name, &b);
	return buf_take(&b);
}

static char *ql(const struct schema_render_opts *o, const char *s, size_t n)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	schema_quote_literal(o, s, n, &b);
	return buf_take(&b);
}

#define EXPECT_QI(o, name, want) do { char *q_ = qi(o, name); \
	assert_string_equal(q_, want); free(q_); } while (0)
#define EXPECT_QL(o, s, n, want) do { char *q_ = ql(o, s, n); \
	assert_string_equal(q_, want); free(q_); } while (0)

static void test_quote_ident_mysql(void **state)
{
	const char *n64 = "t234567890123456789012345678901234567890123456789012345678901234";
	char want[80];

	(void)state;
	EXPECT_QI(&MY, "plain", "`plain`");
	EXPECT_QI(&MY, "with space", "`with space`");
	EXPECT_QI(&MY, "a`b", "`a``b`");
	EXPECT_QI(&MY, "``", "``````");
	EXPECT_QI(&MY, "q'\"x", "`q'\"x`");
	EXPECT_QI(&MY, "表 ☃ é", "`表 ☃ é`");
	EXPECT_QI(&MY, "select", "`select`");
	EXPECT_QI(&MY, "", "``");
	EXPECT_QI(&MY, NULL, "``");
	snprintf(want, sizeof(want), "`%s`", n64);
	EXPECT_QI(&MY, n64, want);              /* never shortened */
	/* fold_lower is a PostgreSQL option: MySQL names keep their case. */
	{
		struct schema_render_opts o = MY;
		o.fold_lower = true;
		EXPECT_QI(&o, "MixedCase", "`MixedCase`");
	}
}

static void test_quote_ident_pg(void **state)
{
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_PG };
	const char *long_name = "a23456789012345678901234567890123456789012345678901234567890"
				"1234567890";
	char *q;

	(void)state;
	EXPECT_QI(&o, "a\"b", "\"a\"\"b\"");
	EXPECT_QI(&o, "MixedCase", "\"MixedCase\"");
	o.fold_lower = true;
	EXPECT_QI(&o, "MixedCase É", "\"mixedcase É\"");   /* ASCII only, as PostgreSQL */
	q = qi(&o, long_name);
	assert_int_equal(strlen(q), 63 + 2);
	assert_int_equal(strncmp(q, "\"a2345", 6), 0);
	free(q);
}

static void test_quote_literal_mysql(void **state)
{
	(void)state;
	EXPECT_QL(&MY, "it's", 4, "'it''s'");
	EXPECT_QL(&MY, "a\\b", 3, "'a\\\\b'");
	EXPECT_QL(&MY, "x\ny\r\032", 5, "'x\\ny\\r\\Z'");
	EXPECT_QL(&MY, "a\0b", 3, "'a\\0b'");         /* the length counts, not the NUL */
	EXPECT_QL(&MY, "tab\t\"dq\" é", 11, "'tab\t\"dq\" é'");
	EXPECT_QL(&MY, "", 0, "''");
	EXPECT_QL(&MY, NULL, 5, "''");
}

static void test_quote_literal_pg(void **state)
{
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_PG };

	(void)state;
	EXPECT_QL(&o, "it's a\\b", 8, "'it''s a\\b'");  /* standard_conforming_strings */
	/* A NUL cannot be stored: written so that the server refuses it. */
	EXPECT_QL(&o, "a\0'\\", 4, "E'a\\000''\\\\'");
}

/* ---- struct schema_ddl --------------------------------------------------- */

static void test_ddl_text_and_release(void **state)
{
	struct schema_ddl d;
	struct err e = { 0 };
	char *text;

	(void)state;
	memset(&d, 0, sizeof(d));
	text = schema_ddl_text(&d);
	assert_string_equal(text, "");
	free(text);
	schema_ddl_release(&d);
	schema_ddl_release(NULL);
	assert_int_equal(schema_render_database(&MY, "a`b", "utf8mb4", "utf8mb4_bin", &d, &e), 0);
	text = schema_ddl_text(&d);
	assert_string_equal(text, "CREATE DATABASE IF NOT EXISTS `a``b` CHARACTER SET utf8mb4 "
			    "COLLATE utf8mb4_bin;");
	free(text);
	schema_ddl_release(&d);
	assert_null(d.stmts);
	assert_int_equal(d.n_stmts, 0);
	assert_int_equal(schema_render_database(&MY, "db", NULL, "", &d, &e), 0);
	assert_string_equal(d.stmts[0], "CREATE DATABASE IF NOT EXISTS `db`");
	schema_ddl_release(&d);
	/* A name that is not a plain word is quoted, never pasted. */
	assert_int_equal(schema_render_database(&MY, "db", "x; DROP", NULL, &d, &e), 0);
	assert_string_equal(d.stmts[0], "CREATE DATABASE IF NOT EXISTS `db` CHARACTER SET "
			    "`x; DROP`");
	schema_ddl_release(&d);
}

static void test_bad_arguments(void **state)
{
	struct schema_catalog cat;
	struct schema_table *t;
	struct schema_resolved r;
	struct schema_render_opts bad = { .dialect = (enum schema_dialect)7 };
	struct schema_ddl d;
	struct err e = { 0 };

	(void)state;
	new_catalog(&cat);
	t = add_table(&cat, "s", "t", "InnoDB", "utf8mb4_general_ci");
	add_col(t, "a", "int(11)");
	r = resolved(t, "d", "t");
	memset(&d, 0x5A, sizeof(d));
	assert_int_equal(schema_render_table(&MY, NULL, &d, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_non_null(strstr(e.msg, "table"));
	assert_null(d.stmts);                   /* zeroed even on failure */
	assert_int_equal(schema_render_table(NULL, &r, &d, &e), -1);
	assert_int_equal(schema_render_table(&bad, &r, &d, &e), -1);
	assert_non_null(strstr(e.msg, "unknown dialect"));
	assert_int_equal(schema_render_table(&MY, &r, NULL, &e), -1);
	r.dst_name = NULL;
	assert_int_equal(schema_render_table(&MY, &r, &d, &e), -1);
	r.dst_name = "t";
	assert_int_equal(schema_render_index(&MY, &r, NULL, &d, &e), -1);
	assert_int_equal(schema_render_fk(&MY, &r, NULL, &r, 1, &d, &e), -1);
	assert_int_equal(schema_render_view(&MY, NULL, "d", &d, &e), -1);
	assert_int_equal(schema_render_routine(&MY, NULL, "d", &d, &e), -1);
	assert_int_equal(schema_render_trigger(&MY, NULL, "d", "t", &d, &e), -1);
	assert_int_equal(schema_render_database(&MY, NULL, NULL, NULL, &d, &e), -1);
	assert_null(d.stmts);
	schema_catalog_release(&cat);
}

/* ---- tables -------------------------------------------------------------- */

static void build_zoo(struct schema_catalog *cat)
{
	struct schema_table *t = add_table(cat, "src", "zoo", "InnoDB", "utf8mb4_unicode_ci");
	struct schema_column *c;
	struct schema_index *x;

	c = add_col(t, "id", "int(10) unsigned zerofill");
	c->nullable = false;
	c->auto_increment = true;
	set_str(&c->comment, "row 'id'");
	c = add_col(t, "name", "varchar(20)");
	c->nullable = false;
	c = add_col(t, "latin", "char(3)");
	set_str(&c->charset, "latin1");
	set_str(&c->collation, "latin1_swedish_ci");
	set_default(c, "it's \\ \"x\"\n", false);
	c = add_col(t, "bin", "varchar(5)");
	set_str(&c->collation, "utf8mb4_bin");
	set_default(c, "NULL", true);
	add_col(t, "n", "smallint(6)");
	set_default(&t->columns[4], "-5", false);
	c = add_col(t, "dec", "decimal(10,2)");
	set_default(c, "1e5x", false);          /* not a number: quoted */
	c = add_col(t, "dbl", "double");
	set_default(c, "-1.5e+10", false);
	c = add_col(t, "dbl2", "double");
	set_default(c, "1e-", false);
	c = add_col(t, "ts", "timestamp(3)");
	c->nullable = false;
	set_default(c, "current_timestamp(3)", true);
	set_str(&c->on_update, "current_timestamp(3)");
	c = add_col(t, "tsn", "timestamp");
	c = add_col(t, "b", "bit(3)");
	set_default(c, "b'101'", true);
	c = add_col(t, "bn", "binary(3)");
	set_default(c, "'a\\0\\0'", true);
	c = add_col(t, "e", "enum('a','b''c','d\\\\e','x,y','')");
	c->nullable = false;
	set_default(c, "b'c", false);
	c = add_col(t, "s", "set('r','w')");
	set_default(c, "r,w", false);
	c = add_col(t, "js", "longtext");
	c->type = SCHEMA_T_JSON;
	set_str(&c->collation, "utf8mb4_bin");
	add_check(t, "js", "json_valid(`js`)", "js");
	t->checks[0].json_valid = true;
	c = add_col(t, "gv", "int(11)");
	set_str(&c->generation_expr, "`n` + 1");
	c = add_col(t, "gs", "varchar(30)");
	set_str(&c->generation_expr, "concat(`name`,'-x')");
	c->generated_stored = true;
	c->invisible = true;
	c = add_col(t, "hid", "int(11)");
	c->invisible = true;
	set_default(c, "(`n` * 2)", true);
	c = add_col(t, "pos", "int(11)");
	set_default(c, "NULL", true);
	add_check(t, "pos", "`pos` >= 0", "pos");
	add_check(t, "chk `odd`", "`n` > -100 and `name` <> 'it''s'", "");
	x = add_index(t, "PRIMARY", true, SCHEMA_IDX_BTREE);
	add_part(x, "id", 0, false);
	add_part(x, "name", 4, true);
	x = add_index(t, "uk", true, SCHEMA_IDX_BTREE);
	add_part(x, "bin", 3, false);
	set_str(&x->comment, "it's");
	t->auto_increment = 42;
	set_str(&t->comment, "the 'zoo'");
	set_str(&t->create_options, "row_format=DYNAMIC stats_persistent=1 "
		"`page_compressed`='ON' partitioned weird");
	t->partitioned = true;
}

static const char zoo_sql[] =
	"CREATE TABLE `dst`.`zoo 2` (\n"
	"  `id` int(10) unsigned zerofill NOT NULL AUTO_INCREMENT COMMENT 'row ''id''',\n"
	"  `name` varchar(20) NOT NULL,\n"
	"  `latin` char(3) CHARACTER SET latin1 COLLATE latin1_swedish_ci"
	" DEFAULT 'it''s \\\\ \"x\"\\n',\n"
	"  `bin` varchar(5) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL,\n"
	"  `n` smallint(6) DEFAULT -5,\n"
	"  `dec` decimal(10,2) DEFAULT '1e5x',\n"
	"  `dbl` double DEFAULT -1.5e+10,\n"
	"  `dbl2` double DEFAULT '1e-',\n"
	"  `ts` timestamp(3) NOT NULL DEFAULT current_timestamp(3)"
	" ON UPDATE current_timestamp(3),\n"
	"  `tsn` timestamp NULL,\n"
	"  `b` bit(3) DEFAULT b'101',\n"
	"  `bn` binary(3) DEFAULT 'a\\0\\0',\n"
	"  `e` enum('a','b''c','d\\\\e','x,y','') NOT NULL DEFAULT 'b''c',\n"
	"  `s` set('r','w') DEFAULT 'r,w',\n"
	"  `js` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin CHECK (json_valid(`js`)),\n"
	"  `gv` int(11) GENERATED ALWAYS AS (`n` + 1) VIRTUAL,\n"
	"  `gs` varchar(30) GENERATED ALWAYS AS (concat(`name`,'-x')) STORED INVISIBLE,\n"
	"  `hid` int(11) INVISIBLE DEFAULT (`n` * 2),\n"
	"  `pos` int(11) DEFAULT NULL CHECK (`pos` >= 0),\n"
	"  PRIMARY KEY (`id`,`name`(4) DESC),\n"
	"  CONSTRAINT `chk ``odd``` CHECK (`n` > -100 and `name` <> 'it''s')\n"
	") ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
	" ROW_FORMAT=DYNAMIC STATS_PERSISTENT=1 `page_compressed`='ON' COMMENT='the ''zoo'''";

static void test_table_every_option(void **state)
{
	struct schema_catalog cat;
	struct schema_resolved r;
	struct schema_ddl d;
	char *text;

	(void)state;
	new_catalog(&cat);
	build_zoo(&cat);
	r = resolved(&cat.tables[0], "dst", "zoo 2");
	assert_string_equal(render_table(&MY, &r, &d), zoo_sql);
	assert_false(d.unsupported);
	assert_true(has_note(&d, "partitioning of src.zoo is not carried over"));
	assert_true(has_note(&d, "table option weird of src.zoo is not carried over"));
	assert_int_equal(d.n_notes, 2);          /* "partitioned" twice: one note */
	text = schema_ddl_text(&d);
	assert_int_equal(text[strlen(text) - 1], ';');
	free(text);
	schema_ddl_release(&d);
	/* Keep mode. */
	{
		struct schema_render_opts o = MY;
		o.if_not_exists = true;
		assert_int_equal(strncmp(render_table(&o, &r, &d),
					 "CREATE TABLE IF NOT EXISTS `dst`.`zoo 2` (", 42), 0);
		schema_ddl_release(&d);
	}
	schema_catalog_release(&cat);
}

/* What the catalog spells oddly still comes out quoted, or the object is
 * refused: COLUMN_TYPE that is not type text, ON UPDATE that is not a
 * clock, a type opendts does not know. */
static void test_table_refuses_odd_text(void **state)
{
	struct schema_catalog cat;
	struct schema_table *t;
	struct schema_column *c;
	struct schema_resolved r;
	struct schema_ddl d;

	(void)state;
	new_catalog(&cat);
	t = add_table(&cat, "s", "t", "Inno`DB", "utf8mb4_general_ci");
	c = add_col(t, "a", "int(11)");
	set_str(&c->column_type, "int(11); DROP TABLE x");
	r = resolved(t, "d", "t");
	render_table(&MY, &r, &d);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "unexpected type text"));
	assert_non_null(strstr(d.stmts[0], "ENGINE=`Inno``DB`"));
	schema_ddl_release(&d);
	/* MariaDB's COMPRESSED suffix is the one comment a type may carry. */
	set_str(&c->column_type, "int(11) /*M!100301 COMPRESSED*/");
	assert_non_null(strstr(render_table(&MY, &r, &d), "`a` int(11) /*M!100301 COMPRESSED*/\n"));
	assert_false(d.unsupported);
	schema_ddl_release(&d);
	set_str(&c->column_type, "int(11) /*M!100301 COMPRESSED*/ /* x */");
	render_table(&MY, &r, &d);
	assert_true(d.unsupported);
	schema_ddl_release(&d);
	set_str(&c->column_type, "int(11)");
	set_str(&c->on_update, "now() + 1");
	render_table(&MY, &r, &d);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "ON UPDATE now() + 1"));
	schema_ddl_release(&d);
	set_str(&c->on_update, "");
	c->type = SCHEMA_T_UNKNOWN;
	render_table(&MY, &r, &d);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "column a of s.t"));
	schema_ddl_release(&d);
	schema_catalog_release(&cat);
}

static void test_table_memory_and_myisam_keys(void **state)
{
	struct schema_catalog cat;
	struct schema_table *t;
	struct schema_index *x;
	struct schema_resolved r;
	struct schema_ddl d;
	struct err e = { 0 };

	(void)state;
	new_catalog(&cat);
	t = add_table(&cat, "s", "mem", "MEMORY", "latin1_swedish_ci");
	add_col(t, "a", "int(11)")->nullable = false;
	add_col(t, "b", "int(11)");
	x = add_index(t, "PRIMARY", true, SCHEMA_IDX_BTREE);
	add_part(x, "a", 0, false);
	x = add_index(t, "h", false, SCHEMA_IDX_HASH);
	add_part(x, "b", 0, false);
	r = resolved(t, "d", "mem");
	assert_string_equal(render_table(&MY, &r, &d),
			    "CREATE TABLE `d`.`mem` (\n"
			    "  `a` int(11) NOT NULL,\n"
			    "  `b` int(11),\n"
			    "  PRIMARY KEY (`a`) USING BTREE\n"
			    ") ENGINE=MEMORY DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci");
	schema_ddl_release(&d);
	/* MEMORY hashes by default: no USING for HASH. */
	assert_int_equal(schema_render_index(&MY, &r, x, &d, &e), 0);
	assert_string_equal(d.stmts[0], "ALTER TABLE `d`.`mem` ADD KEY `h` (`b`)");
	schema_ddl_release(&d);
	/* InnoDB: HASH is a long unique hash and must be said. */
	set_str(&t->engine, "InnoDB");
	x->unique = true;
	assert_int_equal(schema_render_index(&MY, &r, x, &d, &e), 0);
	assert_string_equal(d.stmts[0], "ALTER TABLE `d`.`mem` ADD UNIQUE KEY `h` (`b`) USING HASH");
	schema_ddl_release(&d);
	schema_catalog_release(&cat);
}

/* ---- keys ---------------------------------------------------------------- */

static void test_indexes(void **state)
{
	struct schema_catalog cat;
	struct schema_table *t;
	struct schema_index *pk, *uk, *ft, *sp, *fn;
	struct schema_resolved r;
	struct schema_render_opts keep = MY;
	struct schema_ddl d;
	struct err e = { 0 };

	(void)state;
	new_catalog(&cat);
	t = add_table(&cat, "s", "t", "InnoDB", "utf8mb4_general_ci");
	add_col(t, "a", "int(11)")->nullable = false;
	add_col(t, "v b", "varchar(100)");
	add_col(t, "tx", "text");
	add_col(t, "g", "point")->nullable = false;
	/* Pointers taken once the array stops growing. */
	add_part(add_index(t, "PRIMARY", true, SCHEMA_IDX_BTREE), "a", 0, false);
	add_index(t, "uk `1`", true, SCHEMA_IDX_BTREE);
	add_index(t, "ft", false, SCHEMA_IDX_FULLTEXT);
	add_index(t, "sp", false, SCHEMA_IDX_SPATIAL);
	add_index(t, "fn", false, SCHEMA_IDX_BTREE);
	pk = &t->indexes[0];
	uk = &t->indexes[1];
	ft = &t->indexes[2];
	sp = &t->indexes[3];
	fn = &t->indexes[4];
	add_part(uk, "v b", 10, true);
	add_part(uk, "a", 0, false);
	set_str(&uk->comment, "it's");
	add_part(ft, "tx", 0, false);
	add_part(ft, "v b", 0, false);
	add_part(sp, "g", 0, false);
	add_part(fn, "", 0, false);            /* a MySQL functional key part */
	r = resolved(t, "d", "t2");
	assert_int_equal(schema_render_index(&MY, &r, uk, &d, &e), 0);
	assert_string_equal(d.stmts[0], "ALTER TABLE `d`.`t2` ADD UNIQUE KEY `uk ``1``` "
			    "(`v b`(10) DESC,`a`) COMMENT 'it''s'");
	schema_ddl_release(&d);
	assert_int_equal(schema_render_index(&MY, &r, ft, &d, &e), 0);
	assert_string_equal(d.stmts[0], "ALTER TABLE `d`.`t2` ADD FULLTEXT KEY `ft` (`tx`,`v b`)");
	schema_ddl_release(&d);
	keep.if_not_exists = true;
	assert_int_equal(schema_render_index(&keep, &r, sp, &d, &e), 0);
	assert_string_equal(d.stmts[0], "ALTER TABLE `d`.`t2` ADD SPATIAL KEY IF NOT EXISTS `sp` "
			    "(`g`)");
	schema_ddl_release(&d);
	/* The primary key belongs to the table. */
	assert_int_equal(schema_render_index(&MY, &r, pk, &d, &e), 0);
	assert_int_equal(d.n_stmts, 0);
	assert_false(d.unsupported);
	assert_true(has_note(&d, "the primary key of s.t is created with the table"));
	schema_ddl_release(&d);
	assert_int_equal(schema_render_index(&MY, &r, fn, &d, &e), 0);
	assert_true(d.unsupported);
	assert_string_equal(d.reason, "index fn of s.t has a functional key part, which the "
			    "catalog does not describe");
	schema_ddl_release(&d);
	schema_catalog_release(&cat);
}

/* InnoDB needs a key for the AUTO_INCREMENT column at CREATE TABLE: the
 * keys up to the first one that starts with it come with the table (so the
 * server's key order is kept), the later ones separately. */
static void test_auto_increment_key_in_create(void **state)
{
	struct schema_catalog cat;
	struct schema_table *t;
	struct schema_index *x;
	struct schema_resolved r;
	struct schema_ddl d;
	struct err e = { 0 };

	(void)state;
	new_catalog(&cat);
	t = add_table(&cat, "s", "ai", "InnoDB", "utf8mb4_general_ci");
	add_col(t, "a", "int(11)")->nullable = false;
	add_col(t, "x", "int(11)");
	add_col(t, "id", "int(11)")->auto_increment = true;
	t->columns[2].nullable = false;
	t->auto_increment = 100;
	x = add_index(t, "PRIMARY", true, SCHEMA_IDX_BTREE);
	add_part(x, "a", 0, false);
	add_part(x, "id", 0, false);
	add_part(add_index(t, "kx", false, SCHEMA_IDX_BTREE), "x", 0, false);
	add_part(add_index(t, "kid", false, SCHEMA_IDX_BTREE), "id", 0, false);
	add_part(add_index(t, "kz", false, SCHEMA_IDX_BTREE), "x", 0, false);
	r = resolved(t, "d", "ai");
	assert_string_equal(render_table(&MY, &r, &d),
			    "CREATE TABLE `d`.`ai` (\n"
			    "  `a` int(11) NOT NULL,\n"
			    "  `x` int(11),\n"
			    "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
			    "  PRIMARY KEY (`a`,`id`),\n"
			    "  KEY `kx` (`x`),\n"
			    "  KEY `kid` (`id`)\n"
			    ") ENGINE=InnoDB AUTO_INCREMENT=100 DEFAULT CHARSET=utf8mb4 "
			    "COLLATE=utf8mb4_general_ci");
	schema_ddl_release(&d);
	for (size_t i = 1; i <= 2; i++) {
		assert_int_equal(schema_render_index(&MY, &r, &t->indexes[i], &d, &e), 0);
		assert_int_equal(d.n_stmts, 0);
		assert_true(has_note(&d, "created with the table (the AUTO_INCREMENT column "
				     "needs a key)"));
		schema_ddl_release(&d);
	}
	assert_int_equal(schema_render_index(&MY, &r, &t->indexes[3], &d, &e), 0);
	assert_string_equal(d.stmts[0], "ALTER TABLE `d`.`ai` ADD KEY `kz` (`x`)");
	schema_ddl_release(&d);
	/* Starting the primary key, the column needs nothing more. */
	x = &t->indexes[0];
	free(x->parts[0].column);
	x->parts[0].column = xstrdup("id");
	free(x->parts[1].column);
	x->parts[1].column = xstrdup("a");
	assert_null(strstr(render_table(&MY, &r, &d), "KEY `kx`"));
	schema_ddl_release(&d);
	schema_catalog_release(&cat);
}

/* ---- foreign keys -------------------------------------------------------- */

static void test_foreign_keys(void **state)
{
	struct schema_catalog cat;
	struct schema_table *p, *c;
	struct schema_fk *f, *self, *outside, *unknown;
	struct schema_resolved all[2];
	struct schema_render_opts keep = MY;
	struct schema_sel_column pcols[] = { { (char *)"a", (char *)"a 2" },
					     { (char *)"b", (char *)"b" } };
	struct schema_sel_table psel = { .all_columns = true, .columns = pcols, .n_columns = 2 };
	struct schema_ddl d;
	struct err e = { 0 };

	(void)state;
	new_catalog(&cat);
	p = add_table(&cat, "s", "parent", "InnoDB", "utf8mb4_general_ci");
	add_col(p, "a", "int(11)");
	add_col(p, "b", "int(11)");
	c = add_table(&cat, "s", "child", "InnoDB", "utf8mb4_general_ci");
	add_col(c, "pa", "int(11)");
	add_col(c, "pb", "int(11)");
	add_fk(c, "fk `1`", "pb", "s", "parent", "b", "CASCADE", "SET NULL");
	add_fk(c, "self", "pa", "s", "child", "pb", "NO ACTION", "RESTRICT");
	add_fk(c, "out", "pa", "other", "t", "x", "RESTRICT", "RESTRICT");
	add_fk(c, "unk", "pa", "s", "parent", "a", "", "");
	f = &c->fks[0];
	self = &c->fks[1];
	outside = &c->fks[2];
	unknown = &c->fks[3];
	fk_add_column(f, "pa", "a");
	all[0] = resolved(p, "d", "parent_v2");
	all[0].sel = &psel;
	all[1] = resolved(c, "d2", "child");
	assert_int_equal(schema_render_fk(&MY, &all[1], f, all, 2, &d, &e), 0);
	assert_false(d.unsupported);
	assert_string_equal(d.stmts[0], "ALTER TABLE `d2`.`child` ADD CONSTRAINT `fk ``1``` "
			    "FOREIGN KEY (`pb`, `pa`) REFERENCES `d`.`parent_v2` (`b`, `a 2`) "
			    "ON DELETE CASCADE ON UPDATE SET NULL");
	schema_ddl_release(&d);
	keep.if_not_exists = true;
	assert_int_equal(schema_render_fk(&keep, &all[1], self, all, 2, &d, &e), 0);
	assert_string_equal(d.stmts[0], "ALTER TABLE `d2`.`child` ADD CONSTRAINT `self` "
			    "FOREIGN KEY IF NOT EXISTS (`pa`) REFERENCES `d2`.`child` (`pb`) "
			    "ON DELETE NO ACTION");
	schema_ddl_release(&d);
	/* Referenced table not in the job. */
	assert_int_equal(schema_render_fk(&MY, &all[1], outside, all, 2, &d, &e), 0);
	assert_true(d.unsupported);
	assert_string_equal(d.reason, "foreign key out of s.child references other.t, which the "
			    "job does not migrate");
	schema_ddl_release(&d);
	/* Rules the source account could not read: no guess. */
	assert_int_equal(schema_render_fk(&MY, &all[1], unknown, all, 2, &d, &e), 0);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "rules of foreign key unk of s.child are unknown"));
	assert_int_equal(d.n_stmts, 1);         /* the best attempt, for DdlSql */
	schema_ddl_release(&d);
	/* A referenced column the job leaves out. */
	psel.all_columns = false;
	psel.n_columns = 1;
	assert_int_equal(schema_render_fk(&MY, &all[1], f, all, 2, &d, &e), 0);
	assert_true(d.unsupported);
	assert_string_equal(d.reason, "foreign key fk `1` of s.child references column s.parent.b, "
			    "which the job does not migrate");
	schema_ddl_release(&d);
	/* Invalid rule text is refused, not pasted. */
	psel.all_columns = true;
	psel.n_columns = 2;
	set_str(&f->on_delete, "CASCADE; DROP");
	assert_int_equal(schema_render_fk(&MY, &all[1], f, all, 1, &d, &e), 0);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "has unknown rules CASCADE; DROP/SET NULL"));
	assert_null(strstr(d.stmts[0], "DROP"));
	schema_ddl_release(&d);
	schema_catalog_release(&cat);
}

/* ---- subsets and renames ------------------------------------------------- */

static void test_renamed_columns_everywhere(void **state)
{
	struct schema_catalog cat;
	struct schema_sel_column cols[] = {
		{ (char *)"id", (char *)"ID`x" }, { (char *)"n", (char *)"n 2" },
		{ (char *)"name", (char *)"name" }, { (char *)"pos", (char *)"p" },
		{ (char *)"gv", (char *)"gv" }, { (char *)"hid", (char *)"hid" },
	};
	struct schema_sel_table sel = { .all_columns = true, .columns = cols, .n_columns = 6 };
	struct schema_resolved r;
	struct schema_ddl d;
	const char *sql;

	(void)state;
	new_catalog(&cat);
	build_zoo(&cat);
	r = resolved(&cat.tables[0], "dst", "zoo");
	r.sel = &sel;
	sql = render_table(&MY, &r, &d);
	assert_false(d.unsupported);
	assert_non_null(strstr(sql, "\n  `ID``x` int(10) unsigned zerofill NOT NULL AUTO_INCREMENT"));
	assert_non_null(strstr(sql, "`gv` int(11) GENERATED ALWAYS AS (`n 2` + 1) VIRTUAL"));
	assert_non_null(strstr(sql, "`hid` int(11) INVISIBLE DEFAULT (`n 2` * 2)"));
	assert_non_null(strstr(sql, "`p` int(11) DEFAULT NULL CHECK (`p` >= 0)"));
	assert_non_null(strstr(sql, "CHECK (`n 2` > -100 and `name` <> 'it''s')"));
	assert_non_null(strstr(sql, "PRIMARY KEY (`ID``x`,`name`(4) DESC)"));
	/* a string that looks like a column name is left alone */
	assert_non_null(strstr(sql, "concat(`name`,'-x')"));
	schema_ddl_release(&d);
	schema_catalog_release(&cat);
}

static void test_column_subset(void **state)
{
	struct schema_catalog cat;
	struct schema_sel_column cols[] = {
		{ (char *)"id", (char *)"id" }, { (char *)"name", (char *)"name" },
		{ (char *)"gs", (char *)"gs" }, { (char *)"latin", (char *)"latin" },
	};
	struct schema_sel_table sel = { .all_columns = false, .columns = cols, .n_columns = 4 };
	struct schema_resolved r;
	struct schema_ddl d;
	struct err e = { 0 };
	const char *sql;

	(void)state;
	new_catalog(&cat);
	build_zoo(&cat);
	r = resolved(&cat.tables[0], "dst", "zoo");
	r.sel = &sel;
	sql = render_table(&MY, &r, &d);
	assert_false(d.unsupported);
	assert_null(strstr(sql, "`n`"));
	assert_null(strstr(sql, "CONSTRAINT"));       /* the table check uses n */
	assert_null(strstr(sql, "`pos`"));
	assert_true(has_note(&d, "CHECK constraint chk `odd` of src.zoo is not created: it uses "
			     "column n, which the job does not migrate"));
	assert_non_null(strstr(sql, "AUTO_INCREMENT=42"));
	schema_ddl_release(&d);
	/* The unique key on `bin`, left out: that index is refused. */
	assert_int_equal(schema_render_index(&MY, &r, &cat.tables[0].indexes[1], &d, &e), 0);
	assert_true(d.unsupported);
	assert_string_equal(d.reason, "index uk of src.zoo uses column bin, which the job does "
			    "not migrate");
	schema_ddl_release(&d);
	/* Without the AUTO_INCREMENT column, no AUTO_INCREMENT= either. */
	cols[0].src = (char *)"latin";
	sel.n_columns = 2;                       /* latin, name */
	sql = render_table(&MY, &r, &d);
	assert_null(strstr(sql, "AUTO_INCREMENT"));
	assert_true(d.unsupported);              /* the primary key needs id */
	assert_string_equal(d.reason, "the primary key of src.zoo uses column id, which the job "
			    "does not migrate");
	schema_ddl_release(&d);
	/* A generated column whose base column is left out. */
	cols[0].src = (char *)"gv";
	sel.n_columns = 1;
	render_table(&MY, &r, &d);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "generated column gv of src.zoo uses column n, which the "
			       "job does not migrate"));
	schema_ddl_release(&d);
	/* A default expression likewise. */
	cols[0].src = (char *)"hid";
	render_table(&MY, &r, &d);
	assert_non_null(strstr(d.reason, "the default of column hid of src.zoo uses column n"));
	schema_ddl_release(&d);
	/* No column at all. */
	cols[0].src = (char *)"nope";
	render_table(&MY, &r, &d);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "no column of src.zoo is selected"));
	schema_ddl_release(&d);
	schema_catalog_release(&cat);
}

/* ---- views, routines, triggers ------------------------------------------- */

static struct schema_view view(const char *def)
{
	struct schema_view v = {
		.schema = (char *)"src", .name = (char *)"v `1`", .definition = (char *)def,
		.check_option = (char *)"CASCADED", .security = (char *)"INVOKER",
		.definer = (char *)"`root`@`%`", .algorithm = (char *)"MERGE",
	};

	return v;
}

static void test_views(void **state)
{
	struct schema_view v = view("select `src`.`t`.`a` AS `a`,'src.t' AS `s` from `src`.`t` "
				    "join `other`.`src` on `other`.`src`.`x` = `src`.`t`.`a`");
	struct schema_ddl d;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(schema_render_view(&MY, &v, "dst`x", &d, &e), 0);
	assert_false(d.unsupported);
	assert_string_equal(d.stmts[0], "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW "
			    "`dst``x`.`v ``1``` AS select `dst``x`.`t`.`a` AS `a`,'src.t' AS `s` "
			    "from `dst``x`.`t` join `other`.`src` on `other`.`src`.`x` = "
			    "`dst``x`.`t`.`a` WITH CASCADED CHECK OPTION");
	assert_true(has_note(&d, "DEFINER `root`@`%` of view src.v `1` is not carried over"));
	assert_true(has_note(&d, "names its database inside a string or comment"));
	schema_ddl_release(&d);
	/* Unknown algorithm/security words are not pasted; no check option. */
	v.algorithm = (char *)"";
	v.security = (char *)"DEFINER; DROP";
	v.check_option = (char *)"NONE";
	v.definer = (char *)"";
	v.definition = (char *)"select 1 AS `1`";
	assert_int_equal(schema_render_view(&MY, &v, "src", &d, &e), 0);
	assert_string_equal(d.stmts[0], "CREATE VIEW `src`.`v ``1``` AS select 1 AS `1`");
	assert_int_equal(d.n_notes, 0);
	schema_ddl_release(&d);
	/* Same database name: nothing to rewrite, nothing to say. */
	v.definition = (char *)"select 'src.t' AS `s` from `src`.`t`";
	assert_int_equal(schema_render_view(&MY, &v, "src", &d, &e), 0);
	assert_non_null(strstr(d.stmts[0], "AS select 'src.t' AS `s` from `src`.`t`"));
	assert_int_equal(d.n_notes, 0);
	schema_ddl_release(&d);
	v.check_option = (char *)"LOCAL";
	v.definition = (char *)"";
	assert_int_equal(schema_render_view(&MY, &v, "dst", &d, &e), 0);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "definition of view src.v `1` is not readable"));
	schema_ddl_release(&d);
}

static struct schema_routine routine(const char *sql, enum schema_routine_kind kind)
{
	struct schema_routine r = {
		.schema = (char *)"src", .name = (char *)"p`1", .kind = kind,
		.create_sql = (char *)sql, .definer = (char *)"`root`@`localhost`",
		.sql_mode = (char *)"PIPES_AS_CONCAT,NO_BACKSLASH_ESCAPES",
	};

	return r;
}

static void test_routines(void **state)
{
	struct schema_routine r = routine(
		"CREATE DEFINER=`root`@`local host` PROCEDURE `p``1`(IN x INT)\n"
		"    MODIFIES SQL DATA\nBEGIN\n  UPDATE src.t SET a = 1; -- src.t in a comment\n"
		"  UPDATE `src` . `t` SET a = 'src.t';\n  SELECT x.src.y FROM t AS src;\nEND",
		SCHEMA_PROCEDURE);
	struct schema_ddl d;
	struct err e = { 0 };
	char *text;

	(void)state;
	assert_int_equal(schema_render_routine(&MY, &r, "dst", &d, &e), 0);
	assert_false(d.unsupported);
	assert_int_equal(d.n_stmts, 3);
	assert_string_equal(d.stmts[0], "SET SESSION sql_mode = 'PIPES_AS_CONCAT,"
			    "NO_BACKSLASH_ESCAPES'");
	assert_string_equal(d.stmts[1],
			    "CREATE PROCEDURE `dst`.`p``1`(IN x INT)\n"
			    "    MODIFIES SQL DATA\nBEGIN\n"
			    "  UPDATE `dst`.t SET a = 1; -- src.t in a comment\n"
			    "  UPDATE `dst` . `t` SET a = 'src.t';\n"
			    "  SELECT x.src.y FROM t AS src;\nEND");
	assert_string_equal(d.stmts[2], "SET SESSION sql_mode = '" SCHEMA_MY_SQL_MODE "'");
	assert_true(has_note(&d, "DEFINER `root`@`localhost` of procedure src.p`1"));
	assert_true(has_note(&d, "inside a string or comment"));
	text = schema_ddl_text(&d);
	assert_non_null(strstr(text, "NO_BACKSLASH_ESCAPES';\nCREATE PROCEDURE"));
	free(text);
	schema_ddl_release(&d);
	/* A role as definer, an aggregate function, a qualified name. */
	r = routine("CREATE DEFINER=`admin role` AGGREGATE FUNCTION `src`.`p``1`(x INT) "
		    "RETURNS int(11)\nBEGIN RETURN 1; END", SCHEMA_FUNCTION);
	assert_int_equal(schema_render_routine(&MY, &r, "src", &d, &e), 0);
	assert_string_equal(d.stmts[1], "CREATE AGGREGATE FUNCTION `src`.`p``1`(x INT) "
			    "RETURNS int(11)\nBEGIN RETURN 1; END");
	schema_ddl_release(&d);
	/* No DEFINER clause at all. */
	r = routine("CREATE FUNCTION f() RETURNS INT RETURN 1", SCHEMA_FUNCTION);
	assert_int_equal(schema_render_routine(&MY, &r, "dst", &d, &e), 0);
	assert_string_equal(d.stmts[1], "CREATE FUNCTION `dst`.`p``1`() RETURNS INT RETURN 1");
	schema_ddl_release(&d);
	/* Text that does not start as SHOW CREATE prints: refused, text kept. */
	r = routine("CREATE OR REPLACE PROCEDURE p() SELECT 1", SCHEMA_PROCEDURE);
	assert_int_equal(schema_render_routine(&MY, &r, "dst", &d, &e), 0);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "does not start as expected"));
	assert_int_equal(d.n_stmts, 1);
	assert_string_equal(d.stmts[0], r.create_sql);
	schema_ddl_release(&d);
	/* A body the source account may not read. */
	r = routine("", SCHEMA_FUNCTION);
	assert_int_equal(schema_render_routine(&MY, &r, "dst", &d, &e), 0);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "body of function src.p`1 is not readable"));
	assert_int_equal(d.n_stmts, 0);
	schema_ddl_release(&d);
}

static void test_triggers(void **state)
{
	struct schema_trigger tr = {
		.schema = (char *)"src", .name = (char *)"trg ☃", .table = (char *)"t",
		.timing = (char *)"BEFORE", .event = (char *)"UPDATE",
		.statement = (char *)"BEGIN UPDATE `src`.c SET n = n + 1; SET NEW.\"x\" = 5; END",
		.definer = (char *)"`u`@`%`", .action_order = 2,
		.sql_mode = (char *)"ANSI_QUOTES",
	};
	struct schema_ddl d;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(schema_render_trigger(&MY, &tr, "dst", "t 2", &d, &e), 0);
	assert_false(d.unsupported);
	assert_int_equal(d.n_stmts, 3);
	assert_string_equal(d.stmts[0], "SET SESSION sql_mode = 'ANSI_QUOTES'");
	assert_string_equal(d.stmts[1], "CREATE TRIGGER `dst`.`trg ☃` BEFORE UPDATE ON `dst`.`t 2` "
			    "FOR EACH ROW BEGIN UPDATE `dst`.c SET n = n + 1; "
			    "SET NEW.\"x\" = 5; END");
	assert_true(has_note(&d, "DEFINER `u`@`%` of trigger src.trg ☃"));
	schema_ddl_release(&d);
	/* Under ANSI_QUOTES "src" is a name: qualified by it, it moves. */
	tr.statement = (char *)"UPDATE \"src\".\"c\" SET \"n\" = 'src'";
	assert_int_equal(schema_render_trigger(&MY, &tr, "dst", "t", &d, &e), 0);
	assert_non_null(strstr(d.stmts[1], "FOR EACH ROW UPDATE `dst`.\"c\" SET \"n\" = 'src'"));
	schema_ddl_release(&d);
	tr.sql_mode = (char *)"";
	assert_int_equal(schema_render_trigger(&MY, &tr, "dst", "t", &d, &e), 0);
	assert_non_null(strstr(d.stmts[1], "FOR EACH ROW UPDATE \"src\".\"c\""));
	assert_true(has_note(&d, "inside a string or comment"));
	schema_ddl_release(&d);
	/* NO_BACKSLASH_ESCAPES: 'C:\' ends at its quote. */
	tr.sql_mode = (char *)"NO_BACKSLASH_ESCAPES";
	tr.statement = (char *)"SET NEW.p = 'C:\\'; UPDATE src.c SET p = 'x'";
	assert_int_equal(schema_render_trigger(&MY, &tr, "dst", "t", &d, &e), 0);
	assert_non_null(strstr(d.stmts[1], "'C:\\'; UPDATE `dst`.c SET p = 'x'"));
	assert_false(has_note(&d, "inside a string"));
	schema_ddl_release(&d);
	tr.event = (char *)"INSERT OR DELETE";
	assert_int_equal(schema_render_trigger(&MY, &tr, "dst", "t", &d, &e), 0);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "unexpected timing or event"));
	assert_int_equal(d.n_stmts, 1);
	assert_null(strstr(d.stmts[0], "INSERT OR DELETE"));
	schema_ddl_release(&d);
}

/* Texts the lexer must survive: unterminated strings and comments, "--"
 * that is not a comment, a database named with digits only. */
static void test_lexer_edges(void **state)
{
	struct schema_view v = view("select 1 - -1 AS `x`,`src`.`t`.`a`--1\n from `src`.`t`");
	struct schema_ddl d;
	struct err e = { 0 };

	(void)state;
	assert_int_equal(schema_render_view(&MY, &v, "d", &d, &e), 0);
	assert_string_equal(d.stmts[0], "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW "
			    "`d`.`v ``1``` AS select 1 - -1 AS `x`,`d`.`t`.`a`--1\n from `d`.`t` "
			    "WITH CASCADED CHECK OPTION");
	schema_ddl_release(&d);
	v.definition = (char *)"select 'src.unterminated from `src`.t";
	assert_int_equal(schema_render_view(&MY, &v, "d", &d, &e), 0);
	assert_non_null(strstr(d.stmts[0], "AS select 'src.unterminated from `src`.t"));
	schema_ddl_release(&d);
	v.definition = (char *)"select 1 /* src.t";
	assert_int_equal(schema_render_view(&MY, &v, "d", &d, &e), 0);
	assert_non_null(strstr(d.stmts[0], "AS select 1 /* src.t"));
	schema_ddl_release(&d);
	v.definition = (char *)"select `a``b` from `src`.`t`";
	v.schema = (char *)"123";
	assert_int_equal(schema_render_view(&MY, &v, "d", &d, &e), 0);
	assert_non_null(strstr(d.stmts[0], "AS select `a``b` from `src`.`t`"));
	schema_ddl_release(&d);
	v.definition = (char *)"select 123.5 AS x from `123`.t";
	assert_int_equal(schema_render_view(&MY, &v, "d", &d, &e), 0);
	assert_non_null(strstr(d.stmts[0], "AS select 123.5 AS x from `d`.t"));
	schema_ddl_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_ident_mysql),
		cmocka_unit_test(test_quote_ident_pg),
		cmocka_unit_test(test_quote_literal_mysql),
		cmocka_unit_test(test_quote_literal_pg),
		cmocka_unit_test(test_ddl_text_and_release),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_table_every_option),
		cmocka_unit_test(test_table_refuses_odd_text),
		cmocka_unit_test(test_table_memory_and_myisam_keys),
		cmocka_unit_test(test_indexes),
		cmocka_unit_test(test_auto_increment_key_in_create),
		cmocka_unit_test(test_foreign_keys),
		cmocka_unit_test(test_renamed_columns_everywhere),
		cmocka_unit_test(test_column_subset),
		cmocka_unit_test(test_views),
		cmocka_unit_test(test_routines),
		cmocka_unit_test(test_triggers),
		cmocka_unit_test(test_lexer_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
