/*
 * test_ddl_pg.c - the PostgreSQL DDL renderer (src/schema/render_pg.c)
 * end to end on the real servers of scripts/harness.sh:
 *
 *     scripts/harness.sh run build/tests/integration/test_ddl_pg
 *
 * The group setup builds a schema corpus in MariaDB (a "type zoo" table
 * with every column type and option, composite keys, prefix/FULLTEXT/
 * SPATIAL/descending indexes, foreign keys with actions, generated columns,
 * CHECK constraints, odd identifiers, 64-byte names, a partitioned and a
 * MyISAM table, views, a procedure, a function, a trigger), reads it with
 * my_schema_read(), renders every object for PostgreSQL twice (names as
 * they are, and with fold_lower) and applies the statements with libpq in
 * fresh schemas. The tests then compare the PostgreSQL catalog with the
 * mapping (format_type() is exactly what docs/type-mapping.md lists),
 * write the edge values of every type into both servers (each accepted
 * value is accepted by both, each value just outside the source range is
 * refused by both), and run the ON UPDATE CURRENT_TIMESTAMP trigger
 * against MariaDB's own behaviour. Without MY_* and PG_* every test is
 * skipped (and says why).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/mysql/my.h"
#include "engines/mysql/my_schema.h"
#include "engines/pg/pg.h"
#include "schema/ddl.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define SRC "opendts_ddlpg"
#define DST "DdlPg_Zoo"             /* case kept: created quoted */
#define DST_LOWER "ddlpg_zoo"       /* the same with fold_lower */

#define NAME64 "t234567890123456789012345678901234567890123456789012345678901234"
#define E64 "éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"
#define ODD "odd name `q` \"dq\" 'sq' ☃"
#define ODD_MY "`odd name ``q`` \"dq\" 'sq' ☃`"

static const char *const corpus[] = {
	"SET time_zone = '+00:00'",
	"DROP DATABASE IF EXISTS " SRC,
	"CREATE DATABASE " SRC " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
	"CREATE TABLE " SRC ".types ("
	" id INT NOT NULL AUTO_INCREMENT COMMENT 'row id',"
	" k2 VARCHAR(20) NOT NULL,"
	" ti TINYINT, tiu TINYINT UNSIGNED, tiz TINYINT(3) UNSIGNED ZEROFILL,"
	" si SMALLINT DEFAULT -5, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,"
	" i INT(11), iu INT UNSIGNED, iz INT(10) ZEROFILL,"
	" bi BIGINT, biu BIGINT UNSIGNED NOT NULL DEFAULT 18446744073709551615,"
	" d DECIMAL(65,30), d2 DECIMAL(10,2) UNSIGNED DEFAULT 1.50,"
	" f FLOAT, f2 FLOAT(7,3), db DOUBLE, db2 DOUBLE(20,5) UNSIGNED,"
	" b1 BIT(1) DEFAULT b'1', b64 BIT(64), b8 BIT(8) DEFAULT 5,"
	" c CHAR(10) CHARACTER SET latin1 DEFAULT 'it''s', c255 CHAR(255), c0 CHAR(0),"
	" vc VARCHAR(255) COLLATE utf8mb4_bin DEFAULT 'a\\\\b' COMMENT 'a \\'quoted\\' comment',"
	" vnl VARCHAR(20) DEFAULT 'x\\ny\\tz',"
	" bn BINARY(4) DEFAULT 'ab', vb VARBINARY(300),"
	" tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT,"
	" tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,"
	" e ENUM('a','b''c','d\\\\e','x,y','') DEFAULT 'b''c',"
	" s SET('r','w','x''q') DEFAULT 'r,w',"
	" dt DATE DEFAULT '2000-01-01', dz DATE NOT NULL DEFAULT '0000-00-00',"
	" dtm DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6),"
	" ts TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),"
	" tsl TIMESTAMP NULL DEFAULT '2000-01-01 10:00:00',"
	" dtu DATETIME NULL ON UPDATE CURRENT_TIMESTAMP,"
	" tm TIME(2), yr YEAR,"
	" js JSON,"
	" g GEOMETRY, pt POINT NOT NULL, ls LINESTRING, pg POLYGON, mpt MULTIPOINT,"
	" mls MULTILINESTRING, mpg MULTIPOLYGON, gc GEOMETRYCOLLECTION,"
	" u UUID, i4 INET4, i6 INET6,"
	" gv INT AS (ti + 1) VIRTUAL,"
	" gs VARCHAR(30) AS (concat(k2, '-x')) STORED,"
	" dexpr INT DEFAULT (1 + 2),"
	" hid INT INVISIBLE DEFAULT 7,"
	" pos INT CHECK (pos >= 0),"
	" PRIMARY KEY (id, k2),"
	" UNIQUE KEY uk_vc (vc(10), k2),"
	" KEY idx_desc (i DESC, bi) COMMENT 'two parts',"
	" KEY k_blob (bl(8)),"
	" FULLTEXT KEY ft (tx, mt),"
	" SPATIAL KEY sp (pt),"
	" CONSTRAINT chk_si CHECK (si > -100),"
	" CHECK (ti <> 7)"
	") ENGINE=InnoDB ROW_FORMAT=DYNAMIC COMMENT='the zoo' AUTO_INCREMENT=42",
	/* The longest utf8mb4 VARCHAR next to an INT key (65,535-byte rows). */
	"CREATE TABLE " SRC ".longest (id INT NOT NULL PRIMARY KEY, v VARCHAR(16382) NOT NULL)",
	"CREATE TABLE " SRC ".parent (a INT NOT NULL, b VARCHAR(10) NOT NULL,"
	" PRIMARY KEY (a, b), UNIQUE KEY uk_b (b), KEY k_ba (b, a))",
	"CREATE TABLE " SRC ".child (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" pa INT, pb VARCHAR(10), other INT, KEY k_p (pb, pa),"
	" CONSTRAINT fk_child_parent FOREIGN KEY (pb, pa) REFERENCES parent (b, a)"
	"  ON DELETE CASCADE ON UPDATE CASCADE,"
	" CONSTRAINT fk_child_b FOREIGN KEY (pb) REFERENCES parent (b)"
	"  ON DELETE SET NULL ON UPDATE RESTRICT,"
	" CONSTRAINT fk_child_noact FOREIGN KEY (pb) REFERENCES parent (b)"
	"  ON DELETE NO ACTION ON UPDATE NO ACTION)",
	/* InnoDB lets a foreign key reference a non-unique index. */
	"CREATE TABLE " SRC ".ref_nonuniq (x INT, KEY k_x (x))",
	"CREATE TABLE " SRC ".fk_nonuniq (y INT,"
	" CONSTRAINT fk_nonuniq_x FOREIGN KEY (y) REFERENCES ref_nonuniq (x))",
	"CREATE TABLE " SRC ".legacy (n INT, body TEXT, FULLTEXT KEY ft_body (body))"
	" ENGINE=MyISAM DEFAULT CHARSET=latin1",
	"CREATE TABLE " SRC ".events (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id, d))"
	" PARTITION BY RANGE (YEAR(d))"
	" (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE)",
	"CREATE TABLE " SRC ".gen_bad (a INT, h INT AS (a / 2) STORED)",
	"CREATE TABLE " SRC "." ODD_MY " (`col with space` INT, `a``b` INT, `select` INT,"
	" `表` VARCHAR(5), `order` INT DEFAULT 3 CHECK (`order` > 0),"
	" KEY `idx with space` (`col with space`))",
	"CREATE TABLE " SRC ".`" NAME64 "` (`" NAME64 "` INT, KEY `" NAME64 "` (`" NAME64 "`))",
	"CREATE TABLE " SRC ".`" E64 "` (`" E64 "` INT)",
	"CREATE TABLE " SRC ".`MixedCase` (`Id` INT NOT NULL PRIMARY KEY, `Val` INT,"
	" `Ts` TIMESTAMP NULL DEFAULT NULL ON UPDATE CURRENT_TIMESTAMP,"
	" `Twice` INT AS (`Val` * 2) STORED, CONSTRAINT `Chk_Val` CHECK (`Val` <> 13),"
	" KEY `Idx_Val` (`Val`))",
	"CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW " SRC ".v_parent AS"
	" SELECT a, b FROM " SRC ".parent WHERE a > 0 WITH CASCADED CHECK OPTION",
	"CREATE VIEW " SRC ".v_ifnull AS SELECT IFNULL(pa, 0) AS pa FROM " SRC ".child",
	"CREATE PROCEDURE " SRC ".p_touch(IN x INT) MODIFIES SQL DATA"
	" BEGIN UPDATE parent SET a = a WHERE a = x; END",
	"CREATE FUNCTION " SRC ".f_add(a INT, b INT) RETURNS INT DETERMINISTIC RETURN a + b",
	"CREATE TRIGGER " SRC ".trg_z BEFORE INSERT ON " SRC ".child FOR EACH ROW"
	" SET NEW.other = COALESCE(NEW.other, 0)",
	NULL,
};

/* ---- one rendering, applied ------------------------------------------------- */

struct applied {
	char kind[12];             /* database, table, index, fk, view, routine, trigger */
	char name[400];            /* source name; "table.index" for indexes and FKs */
	struct schema_ddl ddl;
	bool ok;                   /* supported and every statement ran */
	char error[600];           /* the first statement PostgreSQL refused */
};

struct run {
	struct schema_render_opts o;
	const char *dst;
	struct schema_selection sel;
	struct schema_resolved *res;
	size_t n_res;
	struct applied *v;
	size_t n;
};

static struct my_conn *my;          /* NULL when the harness is absent */
static struct pg_conn *pgc;
static struct schema_catalog cat;
static struct run plain = { .o = { .dialect = SCHEMA_DIALECT_PG }, .dst = DST };
static struct run folded = { .o = { .dialect = SCHEMA_DIALECT_PG, .fold_lower = true },
			     .dst = DST };

static struct applied *add_obj(struct run *r, const char *kind, const char *name)
{
	struct applied *a;

	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	a = &r->v[r->n++];
	memset(a, 0, sizeof(*a));
	snprintf(a->kind, sizeof(a->kind), "%s", kind);
	snprintf(a->name, sizeof(a->name), "%s", name);
	return a;
}

static void apply(struct applied *a)
{
	struct err e = { 0 };

	if (a->ddl.unsupported)
		return;
	for (size_t i = 0; i < a->ddl.n_stmts; i++) {
		if (pg_query_value(pgc, a->ddl.stmts[i], NULL, &e) < 0) {
			snprintf(a->error, sizeof(a->error), "%s", e.msg);
			return;
		}
	}
	a->ok = true;
}

static const struct schema_resolved *resolved(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->n_res; i++)
		if (strcmp(r->res[i].table->name, name) == 0)
			return &r->res[i];
	return NULL;
}

static int render_tables(struct run *r, struct err *e)
{
	char name[400];

	for (size_t i = 0; i < r->n_res; i++) {
		const struct schema_resolved *t = &r->res[i];
		struct applied *a = add_obj(r, "table", t->table->name);
		if (schema_render_table(&r->o, t, &a->ddl, e) < 0)
			return -1;
		apply(a);
	}
	for (size_t i = 0; i < r->n_res; i++) {
		const struct schema_resolved *t = &r->res[i];
		for (size_t k = 0; k < t->table->n_indexes; k++) {
			const struct schema_index *ix = &t->table->indexes[k];
			struct applied *a;
			if (ix->primary)
				continue;
			snprintf(name, sizeof(name), "%s.%s", t->table->name, ix->name);
			a = add_obj(r, "index", name);
			if (schema_render_index(&r->o, t, ix, &a->ddl, e) < 0)
				return -1;
			apply(a);
		}
	}
	for (size_t i = 0; i < r->n_res; i++) {
		const struct schema_resolved *t = &r->res[i];
		for (size_t k = 0; k < t->table->n_fks; k++) {
			struct applied *a;
			snprintf(name, sizeof(name), "%s.%s", t->table->name, t->table->fks[k].name);
			a = add_obj(r, "fk", name);
			if (schema_render_fk(&r->o, t, &t->table->fks[k], r->res, r->n_res, &a->ddl,
					     e) < 0)
				return -1;
			apply(a);
		}
	}
	return 0;
}

static int render_programs(struct run *r, struct err *e)
{
	for (size_t i = 0; i < cat.n_views; i++) {
		struct applied *a = add_obj(r, "view", cat.views[i].name);
		if (schema_render_view(&r->o, &cat.views[i], r->dst, &a->ddl, e) < 0)
			return -1;
		apply(a);
	}
	for (size_t i = 0; i < cat.n_routines; i++) {
		struct applied *a = add_obj(r, "routine", cat.routines[i].name);
		if (schema_render_routine(&r->o, &cat.routines[i], r->dst, &a->ddl, e) < 0)
			return -1;
		apply(a);
	}
	for (size_t i = 0; i < cat.n_triggers; i++) {
		const struct schema_resolved *t = resolved(r, cat.triggers[i].table);
		struct applied *a = add_obj(r, "trigger", cat.triggers[i].name);
		if (schema_render_trigger(&r->o, &cat.triggers[i], r->dst,
					  t ? t->dst_name : cat.triggers[i].table, &a->ddl, e) < 0)
			return -1;
		apply(a);
	}
	return 0;
}

/* Renders and applies every object of the corpus for one option set. */
static int render_run(struct run *r)
{
	char json[200], **missing = NULL, drop[200];
	size_t n_missing = 0;
	struct applied *a;
	struct err e = { 0 };

	snprintf(json, sizeof(json), "{\"" SRC "\":{\"name\":\"%s\",\"all\":true}}", r->dst);
	if (schema_selection_parse(json, &r->sel, &e) < 0 ||
	    schema_selection_resolve(&r->sel, &cat, &r->res, &r->n_res, &missing, &n_missing,
				     &e) < 0)
		goto fail;
	for (size_t i = 0; i < n_missing; i++)
		free(missing[i]);
	free(missing);
	snprintf(drop, sizeof(drop), "DROP SCHEMA IF EXISTS \"%s\" CASCADE",
		 r->o.fold_lower ? DST_LOWER : DST);
	if (pg_query_value(pgc, drop, NULL, &e) < 0)
		goto fail;
	a = add_obj(r, "database", r->dst);
	if (schema_render_database(&r->o, r->dst, "utf8mb4", "utf8mb4_general_ci", &a->ddl, &e) < 0)
		goto fail;
	apply(a);
	if (render_tables(r, &e) < 0 || render_programs(r, &e) < 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "rendering for PostgreSQL failed: %s\n", e.msg);
	return -1;
}

static void release_run(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		schema_ddl_release(&r->v[i].ddl);
	free(r->v);
	free(r->res);
	schema_selection_release(&r->sel);
	r->v = NULL;
	r->res = NULL;
	r->n = r->n_res = 0;
}

static const struct applied *obj(const struct run *r, const char *kind, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].kind, kind) == 0 && strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	fail_msg("no %s %s was rendered", kind, name);
	return NULL;
}

/* ---- fixture ------------------------------------------------------------------- */

static int connect_both(void)
{
	struct my_conn_opts mo = { 0 };
	struct pg_conn_opts po = { 0 };
	struct err e = { 0 };

	mo.host = getenv("MY_HOST");
	mo.port = atoi(getenv("MY_PORT"));
	mo.user = getenv("MY_USER");
	mo.password = getenv("MY_PASSWORD");
	po.host = getenv("PG_HOST");
	po.port = atoi(getenv("PG_PORT"));
	po.user = getenv("PG_USER");
	po.password = getenv("PG_PASSWORD");
	po.database = getenv("PG_DATABASE");
	my = my_connect(&mo, &e);
	if (!my) {
		fprintf(stderr, "cannot connect to the harness MariaDB: %s\n", e.msg);
		return -1;
	}
	pgc = pg_connect(&po, &e);
	if (!pgc) {
		fprintf(stderr, "cannot connect to the harness PostgreSQL: %s\n", e.msg);
		return -1;
	}
	/* Timestamps are compared in UTC on both sides. */
	if (my_query(my, "SET time_zone = '+00:00'", &e) < 0 ||
	    pg_query_value(pgc, "SET TimeZone = 'UTC'", NULL, &e) < 0 ||
	    pg_query_value(pgc, "SET client_min_messages = warning", NULL, &e) < 0) {
		fprintf(stderr, "setting the session time zone: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int group_setup(void **state)
{
	static const char *const dbs[] = { SRC };
	struct err e = { 0 };

	(void)state;
	if (!getenv("MY_HOST") || !getenv("MY_PORT") || !getenv("PG_HOST") || !getenv("PG_PORT"))
		return 0;
	if (connect_both() < 0)
		return -1;
	for (size_t i = 0; corpus[i]; i++) {
		if (my_query(my, corpus[i], &e) < 0) {
			fprintf(stderr, "corpus statement %zu failed: %s\n", i, e.msg);
			return -1;
		}
	}
	if (my_schema_read(my, dbs, 1, &cat, &e) < 0) {
		fprintf(stderr, "my_schema_read: %s\n", e.msg);
		return -1;
	}
	if (render_run(&plain) < 0 || render_run(&folded) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	struct err e = { 0 };

	(void)state;
	release_run(&plain);
	release_run(&folded);
	schema_catalog_release(&cat);
	if (pgc) {
		pg_query_value(pgc, "DROP SCHEMA IF EXISTS \"" DST "\" CASCADE", NULL, &e);
		pg_query_value(pgc, "DROP SCHEMA IF EXISTS \"" DST_LOWER "\" CASCADE", NULL, &e);
		pg_close(pgc);
	}
	if (my) {
		my_query(my, "DROP DATABASE IF EXISTS " SRC, &e);
		my_close(my);
	}
	return 0;
}

static void need_servers(void)
{
	if (!my || !pgc) {
		print_message("skipping: MY_* and PG_* are not set; run this test under "
			      "scripts/harness.sh run\n");
		skip();
	}
}

/* ---- helpers on both servers ------------------------------------------------------ */

/* The first value of a PostgreSQL query with text parameters, "" for no
 * row; fails the test on an error. Caller frees. */
static char *pg_value(const char *sql, int n, const char *const *params)
{
	struct err e = { 0 };
	struct pg_rows *rows = pg_query_rows(pgc, sql, n, params, &e);
	const char *v;
	char *out;

	if (!rows)
		fail_msg("%s: %s", sql, e.msg);
	v = pg_rows_count(rows) ? pg_rows_get(rows, 0, 0) : NULL;
	out = xstrdup(v ? v : "");
	pg_rows_free(rows);
	return out;
}

static void pg_ok(const char *sql)
{
	struct err e = { 0 };

	if (pg_query_value(pgc, sql, NULL, &e) < 0)
		fail_msg("PostgreSQL refused %s: %s", sql, e.msg);
}

static void my_ok(const char *sql)
{
	struct err e = { 0 };

	if (my_query(my, sql, &e) < 0)
		fail_msg("MariaDB refused %s: %s", sql, e.msg);
}

/* The name PostgreSQL stores for name in run r. */
static void pgname(const struct run *r, const char *name, char *out, size_t n)
{
	struct buf q;
	const char *s;
	size_t k = 0;

	buf_init(&q, BUF_UNLIMITED);
	schema_quote_ident(&r->o, name, &q);
	s = buf_cstr(&q);
	for (size_t i = 1; i + 1 < q.len && k + 1 < n; i++) {
		out[k++] = s[i];
		if (s[i] == '"')
			i++;
	}
	out[k] = 0;
	buf_release(&q);
}

/* ---- tests: what was created ---------------------------------------------------------- */

static bool expected_unsupported(const struct applied *a)
{
	static const char *const names[] = {
		"index:types.sp", "table:gen_bad", "fk:fk_nonuniq.fk_nonuniq_x", "view:v_ifnull",
		"routine:p_touch", "routine:f_add", "trigger:trg_z",
	};
	char key[420];

	snprintf(key, sizeof(key), "%s:%s", a->kind, a->name);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(key, names[i]) == 0)
			return true;
	return false;
}

static void check_run_applied(const struct run *r)
{
	size_t unsupported = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct applied *a = &r->v[i];
		char *text = schema_ddl_text(&a->ddl);
		if (a->ddl.unsupported != expected_unsupported(a))
			fail_msg("%s %s: unsupported=%d (%s)\n%s", a->kind, a->name,
				 a->ddl.unsupported, a->ddl.reason, text);
		if (a->ddl.unsupported) {
			/* Never silent: a reason and a DdlSql to show. */
			assert_true(a->ddl.reason[0] != 0);
			assert_true(strlen(text) > 10);
			unsupported++;
		} else if (!a->ok) {
			fail_msg("%s %s was refused by PostgreSQL: %s\n%s", a->kind, a->name,
				 a->error, text);
		}
		free(text);
	}
	assert_int_equal(unsupported, 7);
}

static void test_everything_applies(void **state)
{
	(void)state;
	need_servers();
	assert_int_equal(cat.n_tables, 13);
	check_run_applied(&plain);
	check_run_applied(&folded);
}

static void test_unsupported_reasons(void **state)
{
	const struct applied *a;

	(void)state;
	need_servers();
	a = obj(&plain, "index", "types.sp");
	assert_non_null(strstr(a->ddl.reason, "SPATIAL index \"sp\" is not created"));
	assert_string_equal(a->ddl.stmts[0], "CREATE SPATIAL INDEX `sp` ON `" SRC "`.`types` (`pt`)");
	a = obj(&plain, "table", "gen_bad");
	assert_non_null(strstr(a->ddl.reason, "column \"h\""));
	assert_non_null(strstr(a->ddl.reason, "\"/\" always gives a decimal"));
	a = obj(&plain, "fk", "fk_nonuniq.fk_nonuniq_x");
	assert_non_null(strstr(a->ddl.reason, "PostgreSQL needs a primary key or unique index"));
	a = obj(&plain, "view", "v_ifnull");
	assert_non_null(strstr(a->ddl.reason, "function ifnull()"));
	assert_true(strncmp(a->ddl.stmts[0], "CREATE VIEW `v_ifnull` AS select ifnull(", 39) == 0);
	a = obj(&plain, "routine", "p_touch");
	assert_string_equal(a->ddl.reason, "MySQL stored program syntax is not converted; rewrite "
			    "it in PL/pgSQL");
	assert_non_null(strstr(a->ddl.stmts[0], "PROCEDURE `p_touch`"));
	a = obj(&plain, "routine", "f_add");
	assert_non_null(strstr(a->ddl.stmts[0], "RETURN a + b"));
	a = obj(&plain, "trigger", "trg_z");
	assert_non_null(strstr(a->ddl.reason, "rewrite it in PL/pgSQL"));
	assert_string_equal(a->ddl.stmts[0], "CREATE TRIGGER `trg_z` BEFORE INSERT ON `child` "
			    "FOR EACH ROW SET NEW.other = COALESCE(NEW.other, 0)");
}

/* PostgreSQL itself refuses the foreign key the renderer marks unsupported. */
static void test_nonunique_fk_refused_by_pg(void **state)
{
	const struct applied *a;
	struct err e = { 0 };

	(void)state;
	need_servers();
	a = obj(&plain, "fk", "fk_nonuniq.fk_nonuniq_x");
	assert_int_equal(pg_query_value(pgc, a->ddl.stmts[0], NULL, &e), -1);
	assert_non_null(strstr(e.msg, "sqlstate 42830"));
}

static void test_table_notes(void **state)
{
	const struct applied *a;
	bool myisam = false, part = false, rowfmt = false, zero = false;

	(void)state;
	need_servers();
	a = obj(&plain, "table", "legacy");
	for (size_t i = 0; i < a->ddl.n_notes; i++)
		myisam = myisam || strstr(a->ddl.notes[i], "ENGINE=MyISAM is not carried");
	a = obj(&plain, "table", "events");
	for (size_t i = 0; i < a->ddl.n_notes; i++)
		part = part || strstr(a->ddl.notes[i], "created unpartitioned");
	a = obj(&plain, "table", "types");
	for (size_t i = 0; i < a->ddl.n_notes; i++) {
		rowfmt = rowfmt || strstr(a->ddl.notes[i], "row_format=DYNAMIC");
		zero = zero || strstr(a->ddl.notes[i], "column \"dz\": zero dates");
	}
	assert_true(myisam && part && rowfmt && zero);
}

/* ---- tests: the catalog against the mapping -------------------------------------------- */

/* docs/type-mapping.md's PostgreSQL column for each column of the zoo. */
static const struct { const char *col, *type; } zoo_types[] = {
	{ "id", "integer" }, { "k2", "character varying(20)" }, { "ti", "smallint" },
	{ "tiu", "smallint" }, { "tiz", "smallint" }, { "si", "smallint" }, { "siu", "integer" },
	{ "mi", "integer" }, { "miu", "integer" }, { "i", "integer" }, { "iu", "bigint" },
	{ "iz", "bigint" }, { "bi", "bigint" }, { "biu", "numeric(20,0)" },
	{ "d", "numeric(65,30)" }, { "d2", "numeric(10,2)" }, { "f", "real" }, { "f2", "real" },
	{ "db", "double precision" }, { "db2", "double precision" }, { "b1", "bit(1)" },
	{ "b64", "bit(64)" }, { "b8", "bit(8)" }, { "c", "character(10)" },
	{ "c255", "character(255)" }, { "c0", "text" }, { "vc", "character varying(255)" },
	{ "vnl", "character varying(20)" }, { "bn", "bytea" }, { "vb", "bytea" },
	{ "tt", "text" }, { "tx", "text" }, { "mt", "text" }, { "lt", "text" },
	{ "tb", "bytea" }, { "bl", "bytea" }, { "mb", "bytea" }, { "lb", "bytea" },
	{ "e", "text" }, { "s", "text" }, { "dt", "date" }, { "dz", "date" },
	{ "dtm", "timestamp(6) without time zone" }, { "ts", "timestamp(3) with time zone" },
	{ "tsl", "timestamp(0) with time zone" }, { "dtu", "timestamp(0) without time zone" },
	{ "tm", "interval(2)" }, { "yr", "smallint" }, { "js", "jsonb" }, { "g", "bytea" },
	{ "pt", "bytea" }, { "ls", "bytea" }, { "pg", "bytea" }, { "mpt", "bytea" },
	{ "mls", "bytea" }, { "mpg", "bytea" }, { "gc", "bytea" }, { "u", "uuid" },
	{ "i4", "inet" }, { "i6", "inet" }, { "gv", "integer" },
	{ "gs", "character varying(30)" }, { "dexpr", "integer" }, { "hid", "integer" },
	{ "pos", "integer" },
};

static const char q_columns[] =
	"SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity, "
	"a.attgenerated FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 "
	"AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

/* Every created table: its columns in order, each with the type the
 * mapping names, NOT NULL as the source, identity and generated flags. */
static void check_run_columns(const struct run *r, const char *schema)
{
	for (size_t i = 0; i < r->n_res; i++) {
		const struct schema_table *t = r->res[i].table;
		char tname[256], cname[256];
		const char *params[2] = { schema, tname };
		struct pg_rows *rows;
		struct err e = { 0 };
		if (strcmp(t->name, "gen_bad") == 0)
			continue;
		pgname(r, t->name, tname, sizeof(tname));
		rows = pg_query_rows(pgc, q_columns, 2, params, &e);
		if (!rows)
			fail_msg("columns of %s: %s", tname, e.msg);
		if (pg_rows_count(rows) != t->n_columns)
			fail_msg("%s.%s: %zu columns, expected %zu", schema, tname,
				 pg_rows_count(rows), t->n_columns);
		for (size_t k = 0; k < t->n_columns; k++) {
			const struct schema_column *c = &t->columns[k];
			struct schema_mapping m;
			schema_map_column(c, SCHEMA_DIALECT_PG, &m);
			pgname(r, c->name, cname, sizeof(cname));
			assert_string_equal(pg_rows_get(rows, k, 0), cname);
			if (strcmp(pg_rows_get(rows, k, 1), m.dst_type) != 0)
				fail_msg("%s.%s: format_type %s, mapping %s", tname, cname,
					 pg_rows_get(rows, k, 1), m.dst_type);
			assert_string_equal(pg_rows_get(rows, k, 2), c->nullable && !m.identity ? "f" : "t");
			assert_string_equal(pg_rows_get(rows, k, 3), m.identity ? "d" : "");
			assert_string_equal(pg_rows_get(rows, k, 4), *c->generation_expr ? "s" : "");
		}
		pg_rows_free(rows);
	}
}

static void test_catalog_columns(void **state)
{
	const char *params[2] = { DST, "types" };
	struct pg_rows *rows;
	struct err e = { 0 };

	(void)state;
	need_servers();
	check_run_columns(&plain, DST);
	check_run_columns(&folded, DST_LOWER);
	/* And the zoo against the documented table, written out by hand. */
	rows = pg_query_rows(pgc, q_columns, 2, params, &e);
	assert_non_null(rows);
	assert_int_equal(pg_rows_count(rows), sizeof(zoo_types) / sizeof(zoo_types[0]));
	for (size_t i = 0; i < pg_rows_count(rows); i++) {
		assert_string_equal(pg_rows_get(rows, i, 0), zoo_types[i].col);
		if (strcmp(pg_rows_get(rows, i, 1), zoo_types[i].type) != 0)
			fail_msg("%s: %s, the doc says %s", zoo_types[i].col, pg_rows_get(rows, i, 1),
				 zoo_types[i].type);
	}
	pg_rows_free(rows);
}

static void expect_pg(const char *sql, const char *want)
{
	char *got = pg_value(sql, 0, NULL);

	if (strcmp(got, want) != 0)
		fail_msg("%s\n  got:  %s\n  want: %s", sql, got, want);
	free(got);
}

static void test_catalog_keys_defaults_comments(void **state)
{
	(void)state;
	need_servers();
	/* Identity restarted at the source's next AUTO_INCREMENT. */
	expect_pg("SELECT s.seqstart FROM pg_sequence s WHERE s.seqrelid = "
		  "pg_get_serial_sequence('\"" DST "\".types', 'id')::regclass", "42");
	expect_pg("SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM pg_index x "
		  "CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, i) "
		  "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum "
		  "WHERE x.indrelid = '\"" DST "\".types'::regclass AND x.indisprimary", "id,k2");
	expect_pg("SELECT obj_description('\"" DST "\".types'::regclass, 'pg_class')", "the zoo");
	expect_pg("SELECT col_description('\"" DST "\".types'::regclass, 1)", "row id");
	expect_pg("SELECT col_description(attrelid, attnum) FROM pg_attribute WHERE attrelid = "
		  "'\"" DST "\".types'::regclass AND attname = 'vc'", "a 'quoted' comment");
	/* Defaults: kept ones as the mapping writes them, the zero date dropped. */
	expect_pg("SELECT string_agg(a.attname || '=' || pg_get_expr(d.adbin, d.adrelid), ' | ' "
		  "ORDER BY a.attnum) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = "
		  "d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = '\"" DST "\".types'::regclass "
		  "AND a.attgenerated = ''",
		  "si='-5'::integer | biu='18446744073709551615'::numeric | d=NULL::numeric | "
		  "d2=1.50 | b1='1'::\"bit\" | b64=NULL::\"bit\" | b8='00000101'::\"bit\" | "
		  "c='it''s'::bpchar | c255=NULL::bpchar | vc='a\\b'::character varying | "
		  "vnl='x\ny\tz'::character varying | bn='\\x61620000'::bytea | e='b''c'::text | "
		  "s='r,w'::text | dt='2000-01-01'::date | dtm=LOCALTIMESTAMP(6) | "
		  "ts=CURRENT_TIMESTAMP(3) | tsl='2000-01-01 10:00:00+00'::timestamp with time "
		  "zone | dtu=NULL::timestamp without time zone | dexpr=(1 + 2) | hid=7");
	/* Generated columns, VIRTUAL made STORED. */
	expect_pg("SELECT string_agg(a.attname || '=' || pg_get_expr(d.adbin, d.adrelid), ' | ' "
		  "ORDER BY a.attnum) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = "
		  "d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = '\"" DST "\".types'::regclass "
		  "AND a.attgenerated = 's'",
		  "gv=(ti + 1) | gs=((k2)::text || '-x'::text)");
}

static void test_catalog_checks(void **state)
{
	size_t want = 0;
	char *got, num[16];
	const struct schema_table *t = schema_find_table(&cat, SRC, "types");
	struct buf b;

	(void)state;
	need_servers();
	/* One CHECK per column the mapping gives one, plus the source's own
	 * (the json_valid one is implied by jsonb). */
	buf_init(&b, BUF_UNLIMITED);
	for (size_t i = 0; i < t->n_columns; i++) {
		buf_reset(&b);
		schema_map_check_sql(&t->columns[i], SCHEMA_DIALECT_PG, "c", &b);
		want += b.len ? 1 : 0;
	}
	buf_release(&b);
	for (size_t i = 0; i < t->n_checks; i++)
		want += t->checks[i].json_valid ? 0 : 1;
	assert_int_equal(want, 20 + 3);
	snprintf(num, sizeof(num), "%zu", want);
	got = pg_value("SELECT count(*) FROM pg_constraint WHERE contype = 'c' AND conrelid = "
		       "'\"" DST "\".types'::regclass", 0, NULL);
	assert_string_equal(got, num);
	free(got);
	expect_pg("SELECT string_agg(conname || ': ' || pg_get_constraintdef(oid), ' | ' ORDER BY "
		  "conname) FROM pg_constraint WHERE contype = 'c' AND conrelid = '\"" DST
		  "\".types'::regclass AND conname IN ('chk_si', 'CONSTRAINT_1', 'pos', "
		  "'types_tiu_check', 'types_e_check', 'types_yr_check')",
		  "CONSTRAINT_1: CHECK ((ti <> 7)) | chk_si: CHECK ((si > '-100'::integer)) | "
		  "pos: CHECK ((pos >= 0)) | types_e_check: CHECK ((e = ANY (ARRAY['a'::text, "
		  "'b''c'::text, 'd\\e'::text, 'x,y'::text, ''::text]))) | types_tiu_check: "
		  "CHECK (((tiu >= 0) AND (tiu <= 255))) | types_yr_check: CHECK (((yr = 0) OR "
		  "((yr >= 1901) AND (yr <= 2155))))");
}

static void test_catalog_indexes_and_fks(void **state)
{
	(void)state;
	need_servers();
	expect_pg("SELECT string_agg(indexdef, E'\\n' ORDER BY indexname) FROM pg_indexes WHERE "
		  "schemaname = '" DST "' AND tablename = 'types'",
		  "CREATE INDEX types_ft ON \"DdlPg_Zoo\".types USING gin (to_tsvector('simple'::"
		  "regconfig, ((COALESCE(tx, ''::text) || ' '::text) || COALESCE(mt, ''::text))))\n"
		  "CREATE INDEX types_idx_desc ON \"DdlPg_Zoo\".types USING btree (i DESC, bi)\n"
		  "CREATE INDEX types_k_blob ON \"DdlPg_Zoo\".types USING btree (SUBSTRING(bl FROM 1 "
		  "FOR 8))\n"
		  "CREATE UNIQUE INDEX types_pkey ON \"DdlPg_Zoo\".types USING btree (id, k2)\n"
		  "CREATE UNIQUE INDEX types_uk_vc ON \"DdlPg_Zoo\".types USING btree "
		  "(\"left\"((vc)::text, 10), k2)");
	expect_pg("SELECT obj_description('\"" DST "\".types_idx_desc'::regclass, 'pg_class')",
		  "two parts");
	expect_pg("SELECT indexdef FROM pg_indexes WHERE schemaname = '" DST "' AND tablename = "
		  "'legacy'", "CREATE INDEX legacy_ft_body ON \"DdlPg_Zoo\".legacy USING gin "
		  "(to_tsvector('simple'::regconfig, body))");
	expect_pg("SELECT string_agg(conname || ' ' || confdeltype::text || confupdtype::text || ' ' || "
		  "pg_get_constraintdef(oid), E'\\n' ORDER BY conname) FROM pg_constraint WHERE "
		  "contype = 'f' AND conrelid = '\"" DST "\".child'::regclass",
		  "fk_child_b nr FOREIGN KEY (pb) REFERENCES \"DdlPg_Zoo\".parent(b) ON UPDATE "
		  "RESTRICT ON DELETE SET NULL\n"
		  "fk_child_noact aa FOREIGN KEY (pb) REFERENCES \"DdlPg_Zoo\".parent(b)\n"
		  "fk_child_parent cc FOREIGN KEY (pb, pa) REFERENCES \"DdlPg_Zoo\".parent(b, a) "
		  "ON UPDATE CASCADE ON DELETE CASCADE");
}

static void test_names(void **state)
{
	char fit[64], fit2[64], *got;
	const char *params[2];

	(void)state;
	need_servers();
	schema_ident_fit(SCHEMA_DIALECT_PG, NAME64, fit, sizeof(fit));
	params[0] = DST;
	params[1] = fit;
	got = pg_value("SELECT a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = "
		       "a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
		       "n.nspname = $1 AND c.relname = $2 AND a.attnum = 1", 2, params);
	assert_string_equal(got, fit);            /* table and column shortened alike */
	free(got);
	schema_ident_fit(SCHEMA_DIALECT_PG, NAME64 "_" NAME64, fit2, sizeof(fit2));
	params[1] = fit2;
	got = pg_value("SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND indexname = $2",
		       2, params);
	assert_string_equal(got, "1");
	free(got);
	schema_ident_fit(SCHEMA_DIALECT_PG, E64, fit, sizeof(fit));
	params[1] = fit;
	got = pg_value("SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = $2",
		       2, params);
	assert_string_equal(got, "1");
	free(got);
	params[1] = ODD;
	got = pg_value("SELECT string_agg(a.attname, '|' ORDER BY a.attnum) FROM pg_attribute a "
		       "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = "
		       "c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0",
		       2, params);
	assert_string_equal(got, "col with space|a`b|select|表|order");
	free(got);
	/* fold_lower: every name of MixedCase lower case, expressions included. */
	expect_pg("SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE "
		  "attrelid = '" DST_LOWER ".mixedcase'::regclass AND attnum > 0", "id,val,ts,twice");
	expect_pg("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'chk_val' "
		  "AND conrelid = '" DST_LOWER ".mixedcase'::regclass", "CHECK ((val <> 13))");
	expect_pg("SELECT count(*) FROM pg_indexes WHERE schemaname = '" DST_LOWER "' AND "
		  "indexname = 'mixedcase_idx_val'", "1");
	expect_pg("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
		  "WHERE n.nspname = '" DST_LOWER "' AND p.proname = 'mixedcase_on_update'", "1");
	/* Without it, case is kept. */
	expect_pg("SELECT count(*) FROM pg_indexes WHERE schemaname = '" DST "' AND "
		  "indexname = 'MixedCase_Idx_Val'", "1");
}

/* ---- tests: values -------------------------------------------------------------------- */

#define EMOJI "\xF0\x9F\x98\x80"

/* One value written into the zoo row "edge" on both servers. */
struct edge {
	const char *col;
	const char *my;            /* MariaDB literal */
	const char *pg;            /* PostgreSQL literal (NULL: the same) */
	const char *refused;       /* NULL: both accept; else both refuse, PostgreSQL
				    * with this SQLSTATE (23514: a CHECK) */
	const char *back;          /* PostgreSQL's text of the stored value, or NULL */
};

static const struct edge edges[] = {
	{ "ti", "-128", NULL, NULL, "-128" }, { "ti", "127", NULL, NULL, "127" },
	{ "ti", "-129", NULL, "23514", NULL }, { "ti", "128", NULL, "23514", NULL },
	{ "ti", "7", NULL, "23514", NULL },                     /* the source's CHECK (ti <> 7) */
	{ "tiu", "0", NULL, NULL, "0" }, { "tiu", "255", NULL, NULL, "255" },
	{ "tiu", "-1", NULL, "23514", NULL }, { "tiu", "256", NULL, "23514", NULL },
	{ "tiz", "255", NULL, NULL, "255" }, { "tiz", "256", NULL, "23514", NULL },
	{ "si", "-99", NULL, NULL, "-99" }, { "si", "32767", NULL, NULL, "32767" },
	{ "si", "-100", NULL, "23514", NULL },                  /* CHECK chk_si (si > -100) */
	{ "si", "32768", NULL, "22003", NULL },
	{ "siu", "0", NULL, NULL, "0" }, { "siu", "65535", NULL, NULL, "65535" },
	{ "siu", "-1", NULL, "23514", NULL }, { "siu", "65536", NULL, "23514", NULL },
	{ "mi", "-8388608", NULL, NULL, "-8388608" }, { "mi", "8388607", NULL, NULL, "8388607" },
	{ "mi", "-8388609", NULL, "23514", NULL }, { "mi", "8388608", NULL, "23514", NULL },
	{ "miu", "0", NULL, NULL, "0" }, { "miu", "16777215", NULL, NULL, "16777215" },
	{ "miu", "-1", NULL, "23514", NULL }, { "miu", "16777216", NULL, "23514", NULL },
	{ "i", "-2147483648", NULL, NULL, "-2147483648" },
	{ "i", "2147483647", NULL, NULL, "2147483647" },
	{ "i", "-2147483649", NULL, "22003", NULL }, { "i", "2147483648", NULL, "22003", NULL },
	{ "iu", "0", NULL, NULL, "0" }, { "iu", "4294967295", NULL, NULL, "4294967295" },
	{ "iu", "-1", NULL, "23514", NULL }, { "iu", "4294967296", NULL, "23514", NULL },
	{ "iz", "4294967295", NULL, NULL, "4294967295" }, { "iz", "-1", NULL, "23514", NULL },
	{ "bi", "-9223372036854775808", NULL, NULL, "-9223372036854775808" },
	{ "bi", "9223372036854775807", NULL, NULL, "9223372036854775807" },
	{ "bi", "9223372036854775808", NULL, "22003", NULL },
	{ "biu", "0", NULL, NULL, "0" },
	{ "biu", "18446744073709551615", NULL, NULL, "18446744073709551615" },
	{ "biu", "-1", NULL, "23514", NULL }, { "biu", "18446744073709551616", NULL, "23514", NULL },
	{ "d", "99999999999999999999999999999999999.999999999999999999999999999999", NULL, NULL,
	  "99999999999999999999999999999999999.999999999999999999999999999999" },
	{ "d", "-99999999999999999999999999999999999.999999999999999999999999999999", NULL, NULL,
	  "-99999999999999999999999999999999999.999999999999999999999999999999" },
	{ "d", "0.000000000000000000000000000001", NULL, NULL,
	  "0.000000000000000000000000000001" },
	{ "d", "100000000000000000000000000000000000", NULL, "22003", NULL },
	{ "d2", "99999999.99", NULL, NULL, "99999999.99" }, { "d2", "-0.01", NULL, "23514", NULL },
	{ "f", "3.40282e38", NULL, NULL, "3.40282e+38" },
	{ "f", "-3.40282e38", NULL, NULL, "-3.40282e+38" },
	{ "f", "1.17549e-38", NULL, NULL, "1.17549e-38" },
	{ "db", "1.7976931348623157e308", NULL, NULL, "1.7976931348623157e+308" },
	{ "db", "-1.7976931348623157e308", NULL, NULL, "-1.7976931348623157e+308" },
	{ "db", "2.2250738585072014e-308", NULL, NULL, "2.2250738585072014e-308" },
	{ "db2", "0", NULL, NULL, "0" }, { "db2", "-1", NULL, "23514", NULL },
	{ "b1", "b'1'", NULL, NULL, "1" }, { "b1", "b'11'", NULL, "22026", NULL },
	{ "b64", "b'1111111111111111111111111111111111111111111111111111111111111111'", NULL, NULL,
	  "1111111111111111111111111111111111111111111111111111111111111111" },
	{ "c255", "REPEAT('" EMOJI "', 255)", "repeat('" EMOJI "', 255)", NULL, NULL },
	{ "c255", "REPEAT('" EMOJI "', 256)", "repeat('" EMOJI "', 256)", "22001", NULL },
	{ "c0", "''", NULL, NULL, "" }, { "c0", "'x'", NULL, "23514", NULL },
	{ "vc", "REPEAT('" EMOJI "', 255)", "repeat('" EMOJI "', 255)", NULL, NULL },
	{ "vc", "REPEAT('x', 256)", "repeat('x', 256)", "22001", NULL },
	{ "bn", "x'01020304'", "'\\x01020304'", NULL, "\\x01020304" },
	{ "bn", "x'0102030405'", "'\\x0102030405'", "23514", NULL },
	{ "vb", "REPEAT('a', 300)", "decode(repeat('61', 300), 'hex')", NULL, NULL },
	{ "vb", "REPEAT('a', 301)", "decode(repeat('61', 301), 'hex')", "23514", NULL },
	{ "e", "'a'", NULL, NULL, "a" }, { "e", "'b''c'", NULL, NULL, "b'c" },
	{ "e", "'d\\\\e'", "'d\\e'", NULL, "d\\e" }, { "e", "'x,y'", NULL, NULL, "x,y" },
	{ "e", "''", NULL, NULL, "" }, { "e", "'z'", NULL, "23514", NULL },
	{ "s", "'r,w,x''q'", NULL, NULL, "r,w,x'q" }, { "s", "''", NULL, NULL, "" },
	{ "s", "'r,z'", NULL, "23514", NULL },
	{ "dt", "'1000-01-01'", NULL, NULL, "1000-01-01" },
	{ "dt", "'9999-12-31'", NULL, NULL, "9999-12-31" },
	{ "dtm", "'1000-01-01 00:00:00.000000'", NULL, NULL, "1000-01-01 00:00:00" },
	{ "dtm", "'9999-12-31 23:59:59.999999'", NULL, NULL, "9999-12-31 23:59:59.999999" },
	{ "ts", "'1970-01-01 00:00:01.000'", "'1970-01-01 00:00:01.000+00'", NULL,
	  "1970-01-01 00:00:01+00" },
	{ "ts", "'2038-01-19 03:14:07.999'", "'2038-01-19 03:14:07.999+00'", NULL,
	  "2038-01-19 03:14:07.999+00" },
	{ "tm", "'838:59:59.99'", NULL, NULL, "838:59:59.99" },
	{ "tm", "'-838:59:59.99'", NULL, NULL, "-838:59:59.99" },
	{ "tm", "'839:00:00'", NULL, "23514", NULL }, { "tm", "'-839:00:00'", NULL, "23514", NULL },
	{ "yr", "0", NULL, NULL, "0" }, { "yr", "1901", NULL, NULL, "1901" },
	{ "yr", "2155", NULL, NULL, "2155" },
	{ "yr", "1900", NULL, "23514", NULL }, { "yr", "2156", NULL, "23514", NULL },
	{ "js", "'{\"a\": [1, 2.5, \"x\"], \"b\": null, \"c\": \"\xC3\xA9" EMOJI "\"}'", NULL, NULL,
	  "{\"a\": [1, 2.5, \"x\"], \"b\": null, \"c\": \"\xC3\xA9" EMOJI "\"}" },
	{ "js", "'{bad'", NULL, "22P02", NULL },
	{ "u", "'00000000-0000-0000-0000-000000000000'", NULL, NULL,
	  "00000000-0000-0000-0000-000000000000" },
	{ "u", "'ffffffff-ffff-ffff-ffff-ffffffffffff'", NULL, NULL,
	  "ffffffff-ffff-ffff-ffff-ffffffffffff" },
	{ "u", "'nope'", NULL, "22P02", NULL },
	{ "i4", "'0.0.0.0'", NULL, NULL, "0.0.0.0/32" },
	{ "i4", "'255.255.255.255'", NULL, NULL, "255.255.255.255/32" },
	{ "i4", "'10.0.0.0/8'", NULL, "23514", NULL }, { "i4", "'::1'", NULL, "23514", NULL },
	{ "i6", "'::'", NULL, NULL, "::/128" },
	{ "i6", "'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'", NULL, NULL,
	  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128" },
	{ "i6", "'::ffff:1.2.3.4'", NULL, NULL, "::ffff:1.2.3.4/128" },
	{ "i6", "'1.2.3.4'", NULL, "23514", NULL },
	{ "pos", "0", NULL, NULL, "0" }, { "pos", "-1", NULL, "23514", NULL },
};

static bool edge_on_my(const struct edge *x, char *why, size_t n)
{
	char sql[600];
	struct err e = { 0 };

	snprintf(sql, sizeof(sql), "UPDATE " SRC ".types SET %s = %s WHERE k2 = 'edge'", x->col,
		 x->my);
	if (my_query(my, sql, &e) == 0)
		return true;
	snprintf(why, n, "%s", e.msg);
	return false;
}

static bool edge_on_pg(const struct edge *x, char *why, size_t n)
{
	char sql[600];
	struct err e = { 0 };

	snprintf(sql, sizeof(sql), "UPDATE \"" DST "\".types SET %s = %s WHERE k2 = 'edge'",
		 x->col, x->pg ? x->pg : x->my);
	if (pg_query_value(pgc, sql, NULL, &e) == 0)
		return true;
	snprintf(why, n, "%s", e.msg);
	return false;
}

static void test_edge_values(void **state)
{
	char why[600], sql[300], *got;

	(void)state;
	need_servers();
	my_ok("INSERT INTO " SRC ".types (k2, pt, dz) VALUES ('edge', POINT(1, 1), '2000-01-01')");
	pg_ok("INSERT INTO \"" DST "\".types (k2, pt, dz) VALUES ('edge', '\\x00', '2000-01-01')");
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		const struct edge *x = &edges[i];
		bool ok = !x->refused, on_my = edge_on_my(x, why, sizeof(why));
		char want[32];
		if (on_my != ok)
			fail_msg("MariaDB %s %s = %s: %s", on_my ? "accepted" : "refused", x->col,
				 x->my, on_my ? "" : why);
		if (edge_on_pg(x, why, sizeof(why)) != ok)
			fail_msg("PostgreSQL %s %s = %s: %s", ok ? "refused" : "accepted", x->col,
				 x->pg ? x->pg : x->my, ok ? why : "");
		snprintf(want, sizeof(want), "sqlstate %s)", ok ? "" : x->refused);
		if (!ok && !strstr(why, want))
			fail_msg("%s = %s refused, but not with %s: %s", x->col, x->my, want, why);
		if (ok && x->back) {
			snprintf(sql, sizeof(sql), "SELECT %s::text FROM \"" DST "\".types WHERE "
				 "k2 = 'edge'", x->col);
			got = pg_value(sql, 0, NULL);
			if (strcmp(got, x->back) != 0)
				fail_msg("%s = %s reads back as %s", x->col, x->my, got);
			free(got);
		}
	}
	/* The longest CHAR and VARCHAR, in 4-byte characters. */
	expect_pg("SELECT char_length(c255) || ' ' || octet_length(c255) || ' ' || "
		  "octet_length(vb) FROM \"" DST "\".types WHERE k2 = 'edge'", "255 1020 300");
}

static void test_longest_varchar(void **state)
{
	struct err e = { 0 };

	(void)state;
	need_servers();
	my_ok("INSERT INTO " SRC ".longest VALUES (1, REPEAT('" EMOJI "', 16382))");
	assert_int_equal(my_query(my, "INSERT INTO " SRC ".longest VALUES (2, REPEAT('" EMOJI
				  "', 16383))", &e), -1);
	pg_ok("INSERT INTO \"" DST "\".longest VALUES (1, repeat('" EMOJI "', 16382))");
	assert_int_equal(pg_query_value(pgc, "INSERT INTO \"" DST "\".longest VALUES (2, repeat('"
					EMOJI "', 16383))", NULL, &e), -1);
	assert_non_null(strstr(e.msg, "sqlstate 22001"));
	expect_pg("SELECT char_length(v) FROM \"" DST "\".longest", "16382");
}

/* ---- tests: ON UPDATE CURRENT_TIMESTAMP against MariaDB ------------------------------- */

/* "ts dtu": 1 when the column still holds the 2001 value. */
static void old_flags(char *out, size_t n)
{
	char *v = NULL;
	struct err e = { 0 };
	char *p = pg_value("SELECT (ts < '2002-01-01')::int || ' ' || (dtu < '2002-01-01')::int "
			   "FROM \"" DST "\".types WHERE k2 = 'trg'", 0, NULL);

	if (my_query_value(my, "SELECT CONCAT(ts < '2002-01-01', ' ', dtu < '2002-01-01') FROM "
			   SRC ".types WHERE k2 = 'trg'", &v, &e) < 0)
		fail_msg("reading the MariaDB row: %s", e.msg);
	if (strcmp(v, p) != 0)
		fail_msg("MariaDB says %s, PostgreSQL %s", v, p);
	snprintf(out, n, "%s", p);
	free(v);
	free(p);
}

static void both(const char *set)
{
	char sql[300];

	snprintf(sql, sizeof(sql), "UPDATE " SRC ".types SET %s WHERE k2 = 'trg'", set);
	my_ok(sql);
	snprintf(sql, sizeof(sql), "UPDATE \"" DST "\".types SET %s WHERE k2 = 'trg'", set);
	pg_ok(sql);
}

static void expect_flags(const char *set, const char *want)
{
	char got[16];

	both(set);
	old_flags(got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("after SET %s: ts/dtu old flags %s, expected %s", set, got, want);
}

static void test_on_update_trigger(void **state)
{
	static const char *const reset = "ts = '2001-01-01 00:00:00', dtu = '2001-01-01 00:00:00'";

	(void)state;
	need_servers();
	my_ok("INSERT INTO " SRC ".types (k2, pt, dz, i) VALUES ('trg', POINT(1, 1), "
	      "'2000-01-01', 1)");
	pg_ok("INSERT INTO \"" DST "\".types (k2, pt, dz, i) VALUES ('trg', '\\x00', "
	      "'2000-01-01', 1)");
	/* Both set by the statement: kept. */
	expect_flags(reset, "1 1");
	/* Another column changes: both become the current time. */
	expect_flags("i = 5", "0 0");
	expect_flags(reset, "1 1");
	/* MySQL's documented idiom: assigning the column keeps it. */
	expect_flags("i = 6, ts = ts", "1 0");
	expect_flags(reset, "1 1");
	/* Changing only ts changes the row: dtu, not assigned, follows. */
	expect_flags("ts = '2001-06-01 00:00:00'", "1 0");
	expect_flags(reset, "1 1");
	/* Nothing changes: nothing is touched. */
	expect_flags("i = 6", "1 1");
	expect_flags("i = i, k2 = k2", "1 1");
	/* Several rows in one statement: each row on its own. */
	my_ok("INSERT INTO " SRC ".types (k2, pt, dz, i) VALUES ('trg2', POINT(1, 1), "
	      "'2000-01-01', 1)");
	pg_ok("INSERT INTO \"" DST "\".types (k2, pt, dz, i) VALUES ('trg2', '\\x00', "
	      "'2000-01-01', 1)");
	pg_ok("UPDATE \"" DST "\".types SET ts = '2001-01-01', dtu = '2001-01-01' WHERE k2 "
	      "LIKE 'trg%'");
	pg_ok("UPDATE \"" DST "\".types SET i = CASE k2 WHEN 'trg' THEN i ELSE 9 END, "
	      "ts = CASE k2 WHEN 'trg' THEN ts ELSE ts END WHERE k2 LIKE 'trg%'");
	expect_pg("SELECT string_agg(k2 || ':' || (ts < '2002-01-01')::int || "
		  "(dtu < '2002-01-01')::int, ' ' ORDER BY k2) FROM \"" DST "\".types WHERE k2 "
		  "LIKE 'trg%'", "trg:11 trg2:10");
	/* fold_lower: the same trigger on folded names. */
	pg_ok("INSERT INTO " DST_LOWER ".mixedcase (id, val) VALUES (1, 1)");
	pg_ok("UPDATE " DST_LOWER ".mixedcase SET val = 2");
	expect_pg("SELECT (ts IS NOT NULL)::int || ' ' || twice FROM " DST_LOWER ".mixedcase",
		  "1 4");
}

static void test_view_works(void **state)
{
	struct err e = { 0 };

	(void)state;
	need_servers();
	my_ok("INSERT INTO " SRC ".parent VALUES (1, 'x'), (-1, 'y')");
	pg_ok("INSERT INTO \"" DST "\".parent VALUES (1, 'x'), (-1, 'y')");
	expect_pg("SELECT string_agg(a || b, ',') FROM \"" DST "\".v_parent", "1x");
	/* WITH CASCADED CHECK OPTION kept. */
	assert_int_equal(pg_query_value(pgc, "INSERT INTO \"" DST "\".v_parent VALUES (-5, 'z')",
					NULL, &e), -1);
	assert_non_null(strstr(e.msg, "sqlstate 44000"));
	assert_int_equal(my_query(my, "INSERT INTO " SRC ".v_parent VALUES (-5, 'z')", &e), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_everything_applies),
		cmocka_unit_test(test_unsupported_reasons),
		cmocka_unit_test(test_nonunique_fk_refused_by_pg),
		cmocka_unit_test(test_table_notes),
		cmocka_unit_test(test_catalog_columns),
		cmocka_unit_test(test_catalog_keys_defaults_comments),
		cmocka_unit_test(test_catalog_checks),
		cmocka_unit_test(test_catalog_indexes_and_fks),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_edge_values),
		cmocka_unit_test(test_longest_varchar),
		cmocka_unit_test(test_on_update_trigger),
		cmocka_unit_test(test_view_works),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
