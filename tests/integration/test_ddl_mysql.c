/*
 * test_ddl_mysql.c - the MySQL/MariaDB DDL renderer (schema/render_mysql.c)
 * proven faithful on the real MariaDB of scripts/harness.sh:
 *
 *     scripts/harness.sh run build/tests/integration/test_ddl_mysql
 *
 * The group setup creates a schema corpus in two source databases: a type
 * zoo with every column type and option, composite and prefix keys,
 * FULLTEXT/SPATIAL/descending/long-hash keys created in a scrambled order,
 * an AUTO_INCREMENT column that needs a secondary key, foreign keys with
 * every action (one across databases, one on its own table), CHECK
 * constraints, generated columns, odd identifiers, MyISAM/Aria/MEMORY
 * tables with table options, a partitioned table, views, procedures,
 * functions and triggers (one created under ANSI_QUOTES). Each test reads
 * it with my_schema_read(), renders it into other database names, applies
 * it on the same server in the session SCHEMA_MY_SESSION_SETUP, and
 * compares SHOW CREATE of every object with the source's byte for byte
 * (after substituting the renamed names), printing a line diff on failure.
 * Without the harness variables every test is skipped (and says why).
 * DDL_TEST=<pattern> runs only the matching tests, DDL_KEEP=1 keeps the
 * databases afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/mysql/my_schema.h"
#include "schema/ddl.h"
#include "schema/schema.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define SRC "opendts_ddl_src"
#define SRC2 "opendts_ddl_src2"
#define DST "opendts_ddl_dst"
#define DST2 "opendts_ddl_dst2"
#define REN "opendts_ddl_ren"
#define SUB "opendts_ddl_sub"

#define NAME64 "t234567890123456789012345678901234567890123456789012345678901234"
#define E64 "éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"
#define ODD "odd name `q` \"dq\" 'sq' ☃"
#define ODD_Q "`odd name ``q`` \"dq\" 'sq' ☃`"

static struct my_conn *conn;       /* NULL when the harness is absent */

static const char *const corpus[] = {
	"SET time_zone = '+00:00'",
	"DROP DATABASE IF EXISTS " SRC, "DROP DATABASE IF EXISTS " SRC2,
	"CREATE DATABASE " SRC " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
	"CREATE DATABASE " SRC2 " CHARACTER SET latin1",
	"CREATE TABLE " SRC ".types ("
	" id INT NOT NULL AUTO_INCREMENT COMMENT 'row id',"
	" k2 VARCHAR(20) NOT NULL,"
	" ti TINYINT, t1 TINYINT(1) NOT NULL DEFAULT 0, tiu TINYINT UNSIGNED,"
	" tiz TINYINT(3) UNSIGNED ZEROFILL,"
	" si SMALLINT DEFAULT -5, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,"
	" i INT(11), iu INT UNSIGNED, iz INT(10) ZEROFILL,"
	" bi BIGINT, biu BIGINT UNSIGNED NOT NULL DEFAULT 18446744073709551615,"
	" d DECIMAL(65,30), d2 DECIMAL(10,2) UNSIGNED DEFAULT 1.50,"
	" dz DECIMAL(8,3) UNSIGNED ZEROFILL DEFAULT 7,"
	" f FLOAT, f2 FLOAT(7,3), db DOUBLE DEFAULT 1e10, db2 DOUBLE(20,5) DEFAULT -0.5,"
	" b1 BIT(1) DEFAULT b'1', b64 BIT(64), b8 BIT(8) DEFAULT 5,"
	" c CHAR(10) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT 'it''s',"
	" c0 CHAR(0),"
	" cgen VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,"
	" vc VARCHAR(255) COLLATE utf8mb4_bin DEFAULT 'a\\\\b' COMMENT 'a \\'quoted\\' comment\\\\',"
	" vc2 VARCHAR(100) CHARACTER SET ascii DEFAULT NULL,"
	" vcn VARCHAR(10) NOT NULL DEFAULT '', vnull VARCHAR(10) DEFAULT 'NULL',"
	" vnl VARCHAR(20) DEFAULT 'x\\ny\\tz\\r', vu VARCHAR(20) DEFAULT 'é ☃ \"dq\"',"
	" vuuid VARCHAR(36) DEFAULT uuid(),"
	" bn BINARY(4) DEFAULT 'ab', vb VARBINARY(300) DEFAULT 'x\\0y',"
	" tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT, txd TEXT DEFAULT 'txt',"
	" tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB,"
	" e ENUM('a','b''c','d\\\\e','x,y','','é') NOT NULL DEFAULT 'b''c',"
	" s SET('r','w','x''q') DEFAULT 'r,w',"
	" dt DATE DEFAULT '2000-01-01', dzero DATE NOT NULL DEFAULT '0000-00-00',"
	" dtm DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6),"
	" dtu DATETIME ON UPDATE CURRENT_TIMESTAMP,"
	" ts TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),"
	" tsl TIMESTAMP NULL DEFAULT '2000-01-01 10:00:00',"
	" tsn TIMESTAMP NOT NULL DEFAULT '2001-02-03 04:05:06.000',"
	" tsz TIMESTAMP NULL,"
	" tm TIME(2) DEFAULT '-838:59:59', yr YEAR DEFAULT 1999,"
	" js JSON,"
	" g GEOMETRY, pt POINT NOT NULL, ls LINESTRING, pg POLYGON, mpt MULTIPOINT,"
	" mls MULTILINESTRING, mpg MULTIPOLYGON, gc GEOMETRYCOLLECTION,"
	" u UUID, i4 INET4, i6 INET6 DEFAULT '::1',"
	" cz VARCHAR(100) COMPRESSED CHARACTER SET latin1 DEFAULT 'z', bz BLOB COMPRESSED,"
	" gv INT AS (i + 1) VIRTUAL,"
	" gs VARCHAR(30) AS (concat(k2, '-x')) STORED,"
	" gvi INT AS (i * 2) VIRTUAL INVISIBLE COMMENT 'hidden generated',"
	" dexpr INT DEFAULT (1 + 2), dcol INT DEFAULT (i + 1),"
	" dnow DATETIME DEFAULT (now() + INTERVAL 1 DAY),"
	" hid INT INVISIBLE DEFAULT 7,"
	" pos INT CHECK (pos >= 0),"
	" PRIMARY KEY (id, k2),"
	" KEY idx_desc (i DESC, bi) COMMENT 'two ''parts''',"
	" FULLTEXT KEY ft (tx, mt),"
	" UNIQUE KEY uk_vc (vc(10), k2),"
	" SPATIAL KEY sp (pt),"
	" UNIQUE KEY uk_lt (lt),"
	" KEY k_gv (gv),"
	" UNIQUE KEY uk_nn (k2, t1),"
	" CONSTRAINT chk_si CHECK (si > -100),"
	" CHECK (ti <> 7),"
	" CONSTRAINT `chk 'odd' \"x\"` CHECK (vc <> 'it''s')"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
	" ROW_FORMAT=DYNAMIC COMMENT='the zoo \\'q\\' \\\\' AUTO_INCREMENT=42",
	/* Keys in a scrambled order, every class of the server's sort. */
	"CREATE TABLE " SRC ".keyorder (a INT NOT NULL, b INT, c VARCHAR(20), d VARCHAR(20) NOT NULL,"
	" t TEXT, KEY kb (b), FULLTEXT KEY ft1 (t), UNIQUE KEY uc (c), KEY kc3 (c(3)),"
	" UNIQUE KEY ucp (c(5), a), UNIQUE KEY ua (a), UNIQUE KEY ut (t), KEY kbd (b DESC),"
	" FULLTEXT KEY ft2 (c, t), UNIQUE KEY ud (d), KEY kab (a, b))",
	/* The AUTO_INCREMENT column is first in a secondary key only. */
	"CREATE TABLE " SRC ".ai_key (a INT NOT NULL, x INT, id INT NOT NULL AUTO_INCREMENT,"
	" KEY kx (x), KEY kid (id), KEY kz (x, a), PRIMARY KEY (a, id)) AUTO_INCREMENT=100",
	"CREATE TABLE " SRC ".ai_nopk (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,"
	" v INT, UNIQUE KEY kv (v), KEY kid (id))",
	/* MyISAM numbers rows per group: AUTO_INCREMENT as a second key part. */
	"CREATE TABLE " SRC ".grp (g INT NOT NULL, id INT NOT NULL AUTO_INCREMENT, v INT,"
	" KEY kv (v), PRIMARY KEY (g, id)) ENGINE=MyISAM AUTO_INCREMENT=5",
	"CREATE TABLE " SRC ".parent (a INT NOT NULL, b VARCHAR(10) NOT NULL,"
	" PRIMARY KEY (a, b), UNIQUE KEY uk_b (b), KEY k_ba (b, a))",
	"CREATE TABLE " SRC ".child (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
	" pa INT, pb VARCHAR(10), other INT, KEY k_p (pb, pa),"
	" CONSTRAINT fk_child_parent FOREIGN KEY (pb, pa) REFERENCES parent (b, a)"
	"  ON DELETE CASCADE ON UPDATE CASCADE,"
	" CONSTRAINT fk_child_b FOREIGN KEY (pb) REFERENCES parent (b)"
	"  ON DELETE SET NULL ON UPDATE RESTRICT) AUTO_INCREMENT=7",
	"CREATE TABLE " SRC ".tree (id INT NOT NULL PRIMARY KEY, up INT,"
	" CONSTRAINT tree_up FOREIGN KEY (up) REFERENCES tree (id) ON DELETE NO ACTION)",
	/* FK without an index of its own: InnoDB made one (named after it). */
	"CREATE TABLE " SRC ".implicit (id INT PRIMARY KEY, pb VARCHAR(10),"
	" FOREIGN KEY (pb) REFERENCES parent (b))",
	"CREATE TABLE " SRC2 ".xchild (id INT PRIMARY KEY, pa INT,"
	" pb VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,"
	" CONSTRAINT x_parent FOREIGN KEY (pa, pb) REFERENCES " SRC ".parent (a, b)"
	"  ON UPDATE CASCADE)",
	"CREATE TABLE " SRC ".legacy (n INT, body TEXT, FULLTEXT KEY ft_body (body))"
	" ENGINE=MyISAM DEFAULT CHARSET=latin1 CHECKSUM=1 DELAY_KEY_WRITE=1 PACK_KEYS=1"
	" MAX_ROWS=1000 MIN_ROWS=10 AVG_ROW_LENGTH=100",
	"CREATE TABLE " SRC ".fixedrow (n INT NOT NULL, c CHAR(3)) ENGINE=MyISAM ROW_FORMAT=FIXED",
	"CREATE TABLE " SRC ".aria (id INT PRIMARY KEY, g POINT NOT NULL, SPATIAL KEY (g))"
	" ENGINE=Aria TRANSACTIONAL=1 PAGE_CHECKSUM=1",
	"CREATE TABLE " SRC ".mem (id INT NOT NULL, v INT, UNIQUE KEY h (id), KEY hv (v),"
	" KEY bt (v, id) USING BTREE, PRIMARY KEY (v, id) USING BTREE) ENGINE=MEMORY",
	"CREATE TABLE " SRC ".opts (a INT PRIMARY KEY, b VARCHAR(10)) ENGINE=InnoDB"
	" ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8 STATS_PERSISTENT=1 STATS_AUTO_RECALC=0"
	" STATS_SAMPLE_PAGES=20 COMMENT='x''y'",
	"CREATE TABLE " SRC ".pcomp (a INT PRIMARY KEY) ENGINE=InnoDB PAGE_COMPRESSED=1"
	" PAGE_COMPRESSION_LEVEL=5",
	"CREATE TABLE " SRC ".events (id INT NOT NULL, d DATE NOT NULL, PRIMARY KEY (id, d))"
	" PARTITION BY RANGE (YEAR(d))"
	" (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE)",
	"CREATE TABLE " SRC ".nokey (a INT NOT NULL, b INT, UNIQUE KEY u_b (b), UNIQUE KEY u_a (a))",
	"CREATE TABLE " SRC "." ODD_Q " ("
	" `col with space` INT NOT NULL DEFAULT 0, `a``b` INT, `select` INT, `表` VARCHAR(5),"
	" `\"dq\"` INT, `'sq'` INT, `back\\slash` VARCHAR(20) DEFAULT 'it''s \"x\" \\\\ y',"
	" PRIMARY KEY (`col with space`), KEY `idx ``odd`` ☃` (`a``b`, `表`),"
	" CONSTRAINT `fk \"odd\" ☃` FOREIGN KEY (`select`) REFERENCES tree (id)"
	"  ON DELETE SET NULL ON UPDATE CASCADE,"
	" CONSTRAINT `chk odd` CHECK (`a``b` > `\"dq\"`)) COMMENT='odd ☃'",
	"CREATE TABLE " SRC ".`" NAME64 "` (`" NAME64 "` INT PRIMARY KEY, v INT,"
	" KEY `" NAME64 "` (v))",
	"CREATE TABLE " SRC ".`" E64 "` (`" E64 "` INT, KEY `" E64 "` (`" E64 "`))",
	"CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW " SRC ".v_parent AS"
	" SELECT a, b FROM " SRC ".parent WHERE a > 0 WITH CASCADED CHECK OPTION",
	"CREATE ALGORITHM=TEMPTABLE VIEW " SRC ".`v join ``odd``` (x, y, z) AS"
	" SELECT p.a, c.other, 'it''s \\\\ \"q\"' FROM " SRC ".v_parent p"
	" JOIN " SRC ".child c ON c.pa = p.a",
	"CREATE VIEW " SRC ".v_local AS SELECT * FROM " SRC ".v_parent WHERE b <> ''"
	" WITH LOCAL CHECK OPTION",
	"CREATE PROCEDURE " SRC ".p_touch(IN x INT) MODIFIES SQL DATA COMMENT 'touch ''it'''"
	" BEGIN UPDATE parent SET a = a WHERE a = x;"
	" UPDATE `" SRC "`.parent SET b = b WHERE a = x; END",
	"CREATE PROCEDURE " SRC ".`p ``odd`` ☃`() SQL SECURITY INVOKER SELECT 1",
	"CREATE FUNCTION " SRC ".f_add(a INT, b INT) RETURNS INT DETERMINISTIC RETURN a + b",
	"CREATE FUNCTION " SRC ".f_count() RETURNS BIGINT READS SQL DATA"
	" RETURN (SELECT COUNT(*) FROM `" SRC "`.`parent`)",
	"SET sql_mode = 'PIPES_AS_CONCAT'",
	"CREATE FUNCTION " SRC ".f_pipes(s VARCHAR(10)) RETURNS VARCHAR(20) DETERMINISTIC"
	" RETURN s || '!'",
	"SET sql_mode = 'ANSI_QUOTES'",
	"CREATE TRIGGER " SRC ".trg_ansi BEFORE UPDATE ON " SRC ".child FOR EACH ROW"
	" SET NEW.\"other\" = 5",
	"SET sql_mode = DEFAULT",
	/* Alphabetical order differs from firing order on purpose. */
	"CREATE TRIGGER " SRC ".trg_z BEFORE INSERT ON " SRC ".child FOR EACH ROW"
	" SET NEW.other = COALESCE(NEW.other, 0)",
	"CREATE TRIGGER " SRC ".trg_a BEFORE INSERT ON " SRC ".child FOR EACH ROW"
	" FOLLOWS trg_z SET NEW.other = NEW.other + 1",
	"CREATE TRIGGER " SRC ".trg_upd AFTER UPDATE ON " SRC ".parent FOR EACH ROW"
	" BEGIN UPDATE `" SRC "`.child SET other = other + 1 WHERE pa = NEW.a; END",
	"SET time_zone = DEFAULT",
	NULL,
};

/* ---- fixture ------------------------------------------------------------- */

static const char *const all_dbs[] = { SRC, SRC2, DST, DST2, REN, SUB };

static void drop_all(void)
{
	struct err e = { 0 };
	char sql[128];

	for (size_t i = 0; i < sizeof(all_dbs) / sizeof(all_dbs[0]); i++) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", all_dbs[i]);
		my_query(conn, sql, &e);
	}
}

static int group_setup(void **state)
{
	struct my_conn_opts o = { 0 };
	struct err e = { 0 };

	(void)state;
	if (!getenv("MY_HOST") || !getenv("MY_PORT"))
		return 0;
	o.host = getenv("MY_HOST");
	o.port = atoi(getenv("MY_PORT"));
	o.user = getenv("MY_USER");
	o.password = getenv("MY_PASSWORD");
	conn = my_connect(&o, &e);
	if (!conn) {
		fprintf(stderr, "cannot connect to the harness MariaDB: %s\n", e.msg);
		return -1;
	}
	drop_all();
	for (size_t i = 0; corpus[i]; i++) {
		if (my_query(conn, corpus[i], &e) < 0) {
			fprintf(stderr, "corpus statement %zu failed: %s\n", i, e.msg);
			return -1;
		}
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (!conn)
		return 0;
	if (!getenv("DDL_KEEP"))
		drop_all();
	my_close(conn);
	return 0;
}

static void need_server(void)
{
	if (!conn) {
		print_message("skipping: MY_HOST/MY_PORT not set; run this test under "
			      "scripts/harness.sh run\n");
		skip();
	}
}

/* ---- helpers ------------------------------------------------------------- */

static void read_src(struct schema_catalog *cat)
{
	static const char *const dbs[] = { SRC, SRC2 };
	struct err e = { 0 };

	if (my_schema_read(conn, dbs, 2, cat, &e) < 0)
		fail_msg("my_schema_read: %s", e.msg);
}

static void exec(const char *sql)
{
	struct err e = { 0 };

	if (my_query(conn, sql, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
}

static void recreate(const char *db)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
	exec(sql);
}

/* Runs the statements of d in the schema step's session; -1 with the
 * server's message in e on the first failure (the session is set back). */
static int apply(const struct schema_ddl *d, struct err *e)
{
	for (size_t i = 0; i < d->n_stmts; i++) {
		if (my_query(conn, d->stmts[i], e) < 0) {
			struct err e2 = { 0 };
			my_query(conn, SCHEMA_MY_SESSION_SETUP, &e2);
			return -1;
		}
	}
	return 0;
}

static void apply_ok(const struct schema_ddl *d, const char *what)
{
	struct err e = { 0 };
	char *text;

	if (d->unsupported)
		fail_msg("%s: unsupported: %s", what, d->reason);
	if (apply(d, &e) == 0)
		return;
	text = schema_ddl_text(d);
	print_message("%s failed:\n%s\n", what, text);
	free(text);
	fail_msg("%s: %s", what, e.msg);
}

static bool has_note(const struct schema_ddl *d, const char *needle)
{
	for (size_t i = 0; i < d->n_notes; i++)
		if (strstr(d->notes[i], needle))
			return true;
	return false;
}

/* Column `col` of the first row of `sql` (heap), or fails. */
static char *show(const char *sql, unsigned col)
{
	struct err e = { 0 };
	struct my_rows *rows = my_query_rows(conn, sql, &e);
	char *v;

	if (!rows)
		fail_msg("%s: %s", sql, e.msg);
	if (!my_rows_next(rows) || !my_rows_get(rows, col))
		fail_msg("%s: no row", sql);
	v = xstrdup(my_rows_get(rows, col));
	my_rows_free(rows);
	return v;
}

static char *show_create(const char *kind, const char *db, const char *name, unsigned col)
{
	struct buf b;
	char *v;

	buf_init(&b, BUF_UNLIMITED);
	buf_printf(&b, "SHOW CREATE %s ", kind);
	my_quote_ident(&b, db);
	buf_putc(&b, '.');
	my_quote_ident(&b, name);
	v = show(buf_cstr(&b), col);
	buf_release(&b);
	return v;
}

/* Every occurrence of `from` in s replaced by `to` (s is freed). */
static char *replace(char *s, const char *from, const char *to)
{
	struct buf b;
	size_t n = strlen(from);

	buf_init(&b, BUF_UNLIMITED);
	for (const char *p = s; *p;) {
		const char *hit = strstr(p, from);
		if (!hit) {
			buf_puts(&b, p);
			break;
		}
		buf_append(&b, p, (size_t)(hit - p));
		buf_puts(&b, to);
		p = hit + n;
	}
	free(s);
	return b.data ? buf_take(&b) : xstrdup("");
}

/* "`name`" as SHOW CREATE prints it. */
static char *bq(const char *name)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	my_quote_ident(&b, name);
	return buf_take(&b);
}

static char *replace_ident(char *s, const char *from, const char *to)
{
	char *f = bq(from), *t = bq(to);

	s = replace(s, f, t);
	free(f);
	free(t);
	return s;
}

/* Splits text into lines (pointers into a copy). */
static size_t split_lines(char *s, char ***out)
{
	size_t n = 0;
	char **v = NULL;

	for (char *p = s;; ) {
		char *nl = strchr(p, '\n');
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = p;
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	*out = v;
	return n;
}

/* A line diff (longest common subsequence), "-" expected, "+" actual. */
static void print_diff(const char *expected, const char *actual)
{
	char *a = xstrdup(expected), *b = xstrdup(actual), **la, **lb;
	size_t na = split_lines(a, &la), nb = split_lines(b, &lb);
	size_t *lcs = xcalloc((na + 1) * (nb + 1), sizeof(size_t));
	size_t i = 0, j = 0;

#define L(x, y) lcs[(x) * (nb + 1) + (y)]
	for (size_t x = na; x-- > 0;)
		for (size_t y = nb; y-- > 0;)
			L(x, y) = strcmp(la[x], lb[y]) == 0 ? L(x + 1, y + 1) + 1
				  : (L(x + 1, y) > L(x, y + 1) ? L(x + 1, y) : L(x, y + 1));
	while (i < na || j < nb) {
		if (i < na && j < nb && strcmp(la[i], lb[j]) == 0) {
			print_message("  %s\n", la[i]);
			i++, j++;
		} else if (i < na && (j == nb || L(i + 1, j) >= L(i, j + 1))) {
			print_message("- %s\n", la[i++]);
		} else {
			print_message("+ %s\n", lb[j++]);
		}
	}
#undef L
	free(lcs);
	free(la);
	free(lb);
	free(a);
	free(b);
}

static void expect_same(const char *what, const char *expected, const char *actual)
{
	if (strcmp(expected, actual) == 0)
		return;
	print_message("%s differs (- source, + destination):\n", what);
	print_diff(expected, actual);
	fail_msg("%s: SHOW CREATE differs", what);
}

/* expect_same() that frees both texts. */
static void expect_same_free(const char *what, char *expected, char *actual)
{
	expect_same(what, expected, actual);
	free(expected);
	free(actual);
}

/* Every table of the catalog resolved to dst names: src -> dst, src2 -> dst2. */
static struct schema_resolved *resolve_all(const struct schema_catalog *cat)
{
	struct schema_resolved *r = xcalloc(cat->n_tables, sizeof(*r));

	for (size_t i = 0; i < cat->n_tables; i++) {
		r[i].table = &cat->tables[i];
		r[i].dst_schema = strcmp(cat->tables[i].schema, SRC) == 0 ? DST : DST2;
		r[i].dst_name = cat->tables[i].name;
	}
	return r;
}

static void render_db(const char *db, const char *cs, const char *coll)
{
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_MYSQL };
	struct schema_ddl d;
	struct err e = { 0 };

	assert_int_equal(schema_render_database(&o, db, cs, coll, &d, &e), 0);
	apply_ok(&d, db);
	schema_ddl_release(&d);
}

/* Tables, then every index, then every foreign key, as the schema step
 * orders them; the notes of each table go to *notes (one line each). */
static void migrate_tables(const struct schema_render_opts *o, const struct schema_resolved *r,
			   size_t n, struct buf *notes)
{
	struct schema_ddl d;
	struct err e = { 0 };

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(schema_render_table(o, &r[i], &d, &e), 0);
		apply_ok(&d, r[i].table->name);
		for (size_t k = 0; k < d.n_notes; k++)
			buf_printf(notes, "%s\n", d.notes[k]);
		schema_ddl_release(&d);
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t x = 0; x < r[i].table->n_indexes; x++) {
			assert_int_equal(schema_render_index(o, &r[i], &r[i].table->indexes[x], &d,
							     &e), 0);
			apply_ok(&d, r[i].table->indexes[x].name);
			schema_ddl_release(&d);
		}
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t f = 0; f < r[i].table->n_fks; f++) {
			assert_int_equal(schema_render_fk(o, &r[i], &r[i].table->fks[f], r, n, &d,
							  &e), 0);
			apply_ok(&d, r[i].table->fks[f].name);
			schema_ddl_release(&d);
		}
	}
}

static void session(void)
{
	exec(SCHEMA_MY_SESSION_SETUP);
}

static void session_end(void)
{
	exec("SET SESSION sql_mode = DEFAULT, time_zone = DEFAULT, "
	     "explicit_defaults_for_timestamp = DEFAULT");
}

/* ---- tests --------------------------------------------------------------- */

/* Every table of both databases, with its keys and foreign keys: the
 * destination's SHOW CREATE TABLE equals the source's (database names
 * substituted), except the partition clause, which is reported. */
static void test_tables_faithful(void **state)
{
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_MYSQL };
	struct schema_catalog cat;
	struct schema_resolved *r;
	struct buf notes;

	need_server();
	read_src(&cat);
	assert_true(cat.n_tables >= 20);
	recreate(DST);
	recreate(DST2);
	session();
	render_db(DST, "utf8mb4", "utf8mb4_general_ci");
	render_db(DST2, "latin1", NULL);
	r = resolve_all(&cat);
	buf_init(&notes, BUF_UNLIMITED);
	migrate_tables(&o, r, cat.n_tables, &notes);
	session_end();
	for (size_t i = 0; i < cat.n_tables; i++) {
		const struct schema_table *t = &cat.tables[i];
		char *src = show_create("TABLE", t->schema, t->name, 1);
		char *dst = show_create("TABLE", r[i].dst_schema, t->name, 1);
		src = replace(src, "`" SRC "`", "`" DST "`");
		if (strcmp(t->name, "events") == 0) {
			char *cut = strstr(src, "\n PARTITION BY");
			assert_non_null(cut);
			*cut = 0;
		}
		expect_same(t->name, src, dst);
		free(src);
		free(dst);
	}
	assert_non_null(strstr(buf_cstr(&notes), "partitioning of " SRC ".events is not carried"));
	free(r);
	buf_release(&notes);
	schema_catalog_release(&cat);
}

/* What the model does not carry: an explicit USING clause that names the
 * engine's default algorithm (information_schema cannot tell), an IGNORED
 * index (MariaDB 10.6+). The only differences are those words. */
static void test_known_losses(void **state)
{
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_MYSQL };
	static const char *const dbs[] = { SRC2 };
	struct schema_catalog cat;
	struct schema_resolved *r;
	struct buf notes;
	struct err e = { 0 };
	char *src, *dst;
	size_t n;

	need_server();
	exec("CREATE TABLE " SRC2 ".algo (a INT NOT NULL, b INT, KEY kb (b) USING BTREE,"
	     " KEY ka (a) IGNORED)");
	exec("CREATE TABLE " SRC2 ".algo_mem (a INT NOT NULL, UNIQUE KEY h (a) USING HASH)"
	     " ENGINE=MEMORY");
	assert_int_equal(my_schema_read(conn, dbs, 1, &cat, &e), 0);
	recreate(DST2);
	session();
	render_db(DST2, NULL, NULL);
	r = resolve_all(&cat);
	n = 0;
	for (size_t i = 0; i < cat.n_tables; i++)
		if (strncmp(cat.tables[i].name, "algo", 4) == 0)
			r[n++] = r[i];
	assert_int_equal(n, 2);
	buf_init(&notes, BUF_UNLIMITED);
	migrate_tables(&o, r, n, &notes);
	session_end();
	src = show_create("TABLE", SRC2, "algo", 1);
	dst = show_create("TABLE", DST2, "algo", 1);
	assert_non_null(strstr(src, " USING BTREE"));
	assert_non_null(strstr(src, " IGNORED"));
	src = replace(src, " USING BTREE", "");
	expect_same_free("algo", replace(src, " IGNORED", ""), dst);
	src = show_create("TABLE", SRC2, "algo_mem", 1);
	dst = show_create("TABLE", DST2, "algo_mem", 1);
	assert_non_null(strstr(src, " USING HASH"));
	expect_same_free("algo_mem", replace(src, " USING HASH", ""), dst);
	exec("DROP TABLE " SRC2 ".algo, " SRC2 ".algo_mem");
	free(r);
	buf_release(&notes);
	schema_catalog_release(&cat);
}

/* Views may use one another: created in passes until none is left (the
 * schema step needs the same, or a dependency order). */
static void create_views(const struct schema_catalog *cat, const char *dst)
{
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_MYSQL };
	bool *done = xcalloc(cat->n_views + 1, sizeof(bool));
	size_t left = cat->n_views;
	struct schema_ddl d;
	struct err e = { 0 };

	for (int pass = 0; pass < 5 && left; pass++) {
		for (size_t i = 0; i < cat->n_views; i++) {
			if (done[i])
				continue;
			assert_int_equal(schema_render_view(&o, &cat->views[i], dst, &d, &e), 0);
			assert_false(d.unsupported);
			assert_true(has_note(&d, "DEFINER"));
			if (apply(&d, &e) == 0) {
				done[i] = true;
				left--;
			}
			schema_ddl_release(&d);
		}
	}
	if (left)
		fail_msg("%zu views could not be created: %s", left, e.msg);
	free(done);
}

static void test_views_routines_triggers_faithful(void **state)
{
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_MYSQL };
	struct schema_catalog cat;
	struct schema_resolved *r;
	struct schema_ddl d;
	struct buf notes;
	struct err e = { 0 };

	need_server();
	read_src(&cat);
	assert_int_equal(cat.n_views, 3);
	assert_int_equal(cat.n_routines, 5);
	assert_int_equal(cat.n_triggers, 4);
	recreate(DST);
	recreate(DST2);
	session();
	render_db(DST, "utf8mb4", "utf8mb4_general_ci");
	render_db(DST2, "latin1", NULL);
	r = resolve_all(&cat);
	buf_init(&notes, BUF_UNLIMITED);
	migrate_tables(&o, r, cat.n_tables, &notes);
	create_views(&cat, DST);
	for (size_t i = 0; i < cat.n_routines; i++) {
		assert_int_equal(schema_render_routine(&o, &cat.routines[i], DST, &d, &e), 0);
		assert_int_equal(d.n_stmts, 3);            /* sql_mode, CREATE, sql_mode back */
		apply_ok(&d, cat.routines[i].name);
		schema_ddl_release(&d);
	}
	/* In catalog order: the firing order of each table's triggers. */
	for (size_t i = 0; i < cat.n_triggers; i++) {
		const struct schema_trigger *tr = &cat.triggers[i];
		assert_int_equal(schema_render_trigger(&o, tr, DST, tr->table, &d, &e), 0);
		apply_ok(&d, tr->name);
		schema_ddl_release(&d);
	}
	session_end();
	for (size_t i = 0; i < cat.n_views; i++) {
		char *src = show_create("VIEW", SRC, cat.views[i].name, 1);
		char *dst = show_create("VIEW", DST, cat.views[i].name, 1);
		expect_same_free(cat.views[i].name, replace(src, "`" SRC "`", "`" DST "`"), dst);
	}
	for (size_t i = 0; i < cat.n_routines; i++) {
		const struct schema_routine *x = &cat.routines[i];
		const char *kind = x->kind == SCHEMA_FUNCTION ? "FUNCTION" : "PROCEDURE";
		char *src = show_create(kind, SRC, x->name, 2);
		char *dst = show_create(kind, DST, x->name, 2);
		char *src_mode = show_create(kind, SRC, x->name, 1);
		char *dst_mode = show_create(kind, DST, x->name, 1);
		expect_same_free(x->name, replace(src, "`" SRC "`", "`" DST "`"), dst);
		assert_string_equal(src_mode, dst_mode);
		free(src_mode);
		free(dst_mode);
	}
	{
		/* Firing order, timing, event, sql_mode and body of each trigger. */
		const char *q = "SELECT GROUP_CONCAT(CONCAT_WS('|', EVENT_OBJECT_TABLE, "
				"ACTION_ORDER, TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, "
				"SQL_MODE, ACTION_STATEMENT) ORDER BY EVENT_OBJECT_TABLE, "
				"ACTION_ORDER SEPARATOR '\\n') FROM information_schema.TRIGGERS "
				"WHERE TRIGGER_SCHEMA = ";
		struct buf s1, s2;
		char *a, *b;
		buf_init(&s1, BUF_UNLIMITED);
		buf_init(&s2, BUF_UNLIMITED);
		buf_printf(&s1, "%s'%s'", q, SRC);
		buf_printf(&s2, "%s'%s'", q, DST);
		a = show(buf_cstr(&s1), 0);
		b = show(buf_cstr(&s2), 0);
		expect_same_free("triggers", replace(a, "`" SRC "`", "`" DST "`"), b);
		buf_release(&s1);
		buf_release(&s2);
	}
	for (size_t i = 0; i < cat.n_triggers; i++) {
		char *src = show_create("TRIGGER", SRC, cat.triggers[i].name, 2);
		char *dst = show_create("TRIGGER", DST, cat.triggers[i].name, 2);
		char *bs = strstr(src, " FOR EACH ROW "), *bd = strstr(dst, " FOR EACH ROW ");
		assert_non_null(bs);
		assert_non_null(bd);
		/* The statement as typed, FOLLOWS dropped: compare from the body. */
		bs = replace(xstrdup(bs), "`" SRC "`", "`" DST "`");
		expect_same(cat.triggers[i].name, bs, bd);
		free(bs);
		free(src);
		free(dst);
	}
	free(r);
	buf_release(&notes);
	schema_catalog_release(&cat);
}

/* A body that qualifies names without quotes, and mentions the database
 * in a string: qualified names move, the string stays, a note says so. */
static void test_routine_body_db_rewrite(void **state)
{
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_MYSQL };
	static const char *const dbs[] = { SRC2 };
	struct schema_catalog cat;
	struct schema_ddl d;
	struct err e = { 0 };
	char *src, *dst;

	need_server();
	exec("CREATE TABLE " SRC2 ".cnt (n INT)");
	exec("CREATE PROCEDURE " SRC2 ".p_bare() BEGIN"
	     " INSERT INTO " SRC2 ".cnt SELECT COUNT(*) FROM " SRC2 " . cnt;"
	     " SELECT '" SRC2 ".cnt' AS s; END");
	assert_int_equal(my_schema_read(conn, dbs, 1, &cat, &e), 0);
	recreate(DST2);
	session();
	render_db(DST2, NULL, NULL);
	exec("CREATE TABLE " DST2 ".cnt (n INT)");
	assert_int_equal(cat.n_routines, 1);
	assert_int_equal(schema_render_routine(&o, &cat.routines[0], DST2, &d, &e), 0);
	assert_true(has_note(&d, "inside a string or comment"));
	apply_ok(&d, "p_bare");
	schema_ddl_release(&d);
	session_end();
	src = show_create("PROCEDURE", SRC2, "p_bare", 2);
	dst = show_create("PROCEDURE", DST2, "p_bare", 2);
	src = replace(src, "INTO " SRC2 ".cnt", "INTO `" DST2 "`.cnt");
	src = replace(src, "FROM " SRC2 " . cnt", "FROM `" DST2 "` . cnt");
	expect_same("p_bare", src, dst);
	assert_non_null(strstr(dst, "'" SRC2 ".cnt'"));
	free(src);
	free(dst);
	exec("CALL " DST2 ".p_bare()");
	exec("DROP PROCEDURE " SRC2 ".p_bare");
	exec("DROP TABLE " SRC2 ".cnt");
	schema_catalog_release(&cat);
}

/* Database, table and column renames: SHOW CREATE equal once the names
 * are substituted, including FK references, generated columns, CHECK
 * constraints (table and column level) and key parts. */
static void test_renames(void **state)
{
	const char *json = "{\"" SRC "\":{\"name\":\"" REN "\",\"all\":false,\"Table\":{"
		"\"types\":{\"name\":\"types ren\",\"all\":true,\"column\":{"
		"\"i\":{\"name\":\"i new\"},\"si\":{\"name\":\"si2\"},\"pos\":{\"name\":\"pos`2\"},"
		"\"k2\":{\"name\":\"K2\"},\"vc\":{\"name\":\"vc_\\u00e9\"}}},"
		"\"parent\":{\"name\":\"parent_v2\",\"all\":true,\"column\":{\"a\":{\"name\":\"a 2\"}}},"
		"\"child\":{\"name\":\"child`x\",\"all\":true,\"column\":{\"pb\":{\"name\":\"pb2\"}}},"
		"\"ai_key\":{\"name\":\"ai2\",\"all\":true,\"column\":{\"id\":{\"name\":\"id2\"}}}"
		"}}}";
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_MYSQL };
	struct schema_selection sel;
	struct schema_catalog cat;
	struct schema_resolved *r = NULL;
	char **missing = NULL;
	size_t n = 0, n_missing = 0;
	struct buf notes;
	struct err e = { 0 };
	struct { const char *src, *dst; const char *const *cols; } map[] = {
		{ "types", "types ren", (const char *const[]){ "i", "i new", "si", "si2", "pos",
			"pos`2", "k2", "K2", "vc", "vc_é", NULL } },
		{ "parent", "parent_v2", (const char *const[]){ "a", "a 2", NULL } },
		{ "child", "child`x", (const char *const[]){ "pb", "pb2", "parent", "parent_v2",
			"a", "a 2", NULL } },
		{ "ai_key", "ai2", (const char *const[]){ "id", "id2", NULL } },
	};

	need_server();
	assert_int_equal(schema_selection_parse(json, &sel, &e), 0);
	read_src(&cat);
	assert_int_equal(schema_selection_resolve(&sel, &cat, &r, &n, &missing, &n_missing, &e), 0);
	assert_int_equal(n, 4);
	assert_int_equal(n_missing, 0);
	recreate(REN);
	session();
	render_db(REN, "utf8mb4", NULL);
	buf_init(&notes, BUF_UNLIMITED);
	migrate_tables(&o, r, n, &notes);
	session_end();
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		char *src = show_create("TABLE", SRC, map[i].src, 1);
		char *dst = show_create("TABLE", REN, map[i].dst, 1);
		src = replace_ident(src, map[i].src, map[i].dst);
		for (size_t k = 0; map[i].cols[k]; k += 2)
			src = replace_ident(src, map[i].cols[k], map[i].cols[k + 1]);
		expect_same(map[i].dst, src, dst);
		free(src);
		free(dst);
	}
	free(r);
	buf_release(&notes);
	schema_catalog_release(&cat);
	schema_selection_release(&sel);
}

/* A column subset: what can be created is, and matches a table built by
 * hand with the same columns; what cannot is unsupported with a reason. */
static void test_column_subset(void **state)
{
	const char *json = "{\"" SRC "\":{\"name\":\"" SUB "\",\"all\":false,\"Table\":{"
		"\"types\":{\"all\":false,\"column\":{\"id\":{},\"k2\":{},\"si\":{},"
		"\"vc\":{},\"gs\":{}}},"
		"\"parent\":{\"all\":false,\"column\":{\"b\":{}}}}}}";
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_MYSQL };
	struct schema_selection sel;
	struct schema_catalog cat;
	struct schema_resolved *r = NULL;
	char **missing = NULL;
	size_t n = 0, n_missing = 0;
	struct schema_ddl d;
	struct err e = { 0 };
	const struct schema_resolved *types = NULL, *parent = NULL;
	char *got, *want;

	need_server();
	assert_int_equal(schema_selection_parse(json, &sel, &e), 0);
	read_src(&cat);
	assert_int_equal(schema_selection_resolve(&sel, &cat, &r, &n, &missing, &n_missing, &e), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(r[i].table->name, "types") == 0)
			types = &r[i];
		else
			parent = &r[i];
	}
	assert_non_null(types);
	assert_non_null(parent);
	recreate(SUB);
	session();
	render_db(SUB, "utf8mb4", NULL);
	/* parent without a: its primary key cannot be made. */
	assert_int_equal(schema_render_table(&o, parent, &d, &e), 0);
	assert_true(d.unsupported);
	assert_non_null(strstr(d.reason, "primary key of " SRC ".parent uses column a"));
	schema_ddl_release(&d);
	/* types: id, k2, si, vc, gs; checks on dropped columns are left out. */
	assert_int_equal(schema_render_table(&o, types, &d, &e), 0);
	assert_true(has_note(&d, "CHECK constraint CONSTRAINT_1 of " SRC ".types is not created"));
	apply_ok(&d, "types subset");
	schema_ddl_release(&d);
	for (size_t x = 0; x < types->table->n_indexes; x++) {
		const struct schema_index *ix = &types->table->indexes[x];
		assert_int_equal(schema_render_index(&o, types, ix, &d, &e), 0);
		if (strcmp(ix->name, "uk_vc") == 0 || ix->primary)
			assert_false(d.unsupported);
		else
			assert_true(d.unsupported);
		if (!d.unsupported)
			apply_ok(&d, ix->name);
		schema_ddl_release(&d);
	}
	exec("CREATE TABLE " SUB ".want (id INT NOT NULL AUTO_INCREMENT COMMENT 'row id',"
	     " k2 VARCHAR(20) NOT NULL, si SMALLINT DEFAULT -5,"
	     " vc VARCHAR(255) COLLATE utf8mb4_bin DEFAULT 'a\\\\b' COMMENT"
	     " 'a \\'quoted\\' comment\\\\',"
	     " gs VARCHAR(30) AS (concat(k2, '-x')) STORED, PRIMARY KEY (id, k2),"
	     " UNIQUE KEY uk_vc (vc(10), k2), CONSTRAINT chk_si CHECK (si > -100),"
	     " CONSTRAINT `chk 'odd' \"x\"` CHECK (vc <> 'it''s'))"
	     " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
	     " ROW_FORMAT=DYNAMIC COMMENT='the zoo \\'q\\' \\\\' AUTO_INCREMENT=42");
	session_end();
	got = show_create("TABLE", SUB, "types", 1);
	want = replace_ident(show_create("TABLE", SUB, "want", 1), "want", "types");
	expect_same("types subset", want, got);
	free(got);
	free(want);
	free(r);
	schema_catalog_release(&cat);
	schema_selection_release(&sel);
}

/* The destination's refusal is the destination's text (the step puts it
 * in Logs); IF NOT EXISTS keeps an existing table. */
static void test_existing_table(void **state)
{
	struct schema_render_opts o = { .dialect = SCHEMA_DIALECT_MYSQL };
	struct schema_catalog cat;
	struct schema_resolved *r;
	struct schema_ddl d;
	struct err e = { 0 };
	const struct schema_resolved *parent = NULL;

	need_server();
	read_src(&cat);
	r = resolve_all(&cat);
	for (size_t i = 0; i < cat.n_tables; i++)
		if (strcmp(cat.tables[i].name, "parent") == 0)
			parent = &r[i];
	assert_non_null(parent);
	recreate(DST);
	session();
	render_db(DST, NULL, NULL);
	exec("CREATE TABLE " DST ".parent (x INT)");
	assert_int_equal(schema_render_table(&o, parent, &d, &e), 0);
	assert_int_equal(apply(&d, &e), -1);
	assert_non_null(strstr(e.msg, "Table 'parent' already exists"));
	schema_ddl_release(&d);
	o.if_not_exists = true;
	assert_int_equal(schema_render_table(&o, parent, &d, &e), 0);
	assert_int_equal(strncmp(d.stmts[0], "CREATE TABLE IF NOT EXISTS ", 27), 0);
	apply_ok(&d, "parent kept");
	schema_ddl_release(&d);
	/* Keys and FKs of a kept table: IF NOT EXISTS makes a rerun harmless. */
	assert_int_equal(schema_render_index(&o, parent, &parent->table->indexes[1], &d, &e), 0);
	exec("ALTER TABLE " DST ".parent ADD b VARCHAR(10)");
	apply_ok(&d, "uk_b");
	apply_ok(&d, "uk_b again");
	schema_ddl_release(&d);
	session_end();
	free(r);
	schema_catalog_release(&cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_faithful),
		cmocka_unit_test(test_known_losses),
		cmocka_unit_test(test_views_routines_triggers_faithful),
		cmocka_unit_test(test_routine_body_db_rewrite),
		cmocka_unit_test(test_renames),
		cmocka_unit_test(test_column_subset),
		cmocka_unit_test(test_existing_table),
	};

	/* DDL_TEST=<pattern> runs matching tests only; DDL_KEEP=1 keeps the
	 * databases for a look afterwards. */
	if (getenv("DDL_TEST"))
		cmocka_set_test_filter(getenv("DDL_TEST"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
