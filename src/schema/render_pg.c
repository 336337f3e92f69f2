/*
 * render_pg.c - the PostgreSQL DDL renderer (render_int.h, schema__pg_*):
 * turns the neutral model into PostgreSQL 15 statements exactly as
 * docs/type-mapping.md describes. Every type, CHECK, default and expression
 * comes from typemap.h (schema_map_column, schema_map_check_sql,
 * schema_map_default, schema_expr_convert); this file only arranges them
 * into statements and says, in notes, what does not arrive unchanged.
 *
 * What it adds of its own: the shape of CREATE TABLE (columns, identity
 * START WITH the source's next AUTO_INCREMENT, generated columns, the
 * primary key, the source's CHECK constraints, then the mapping's), COMMENT
 * ON statements, the ON UPDATE CURRENT_TIMESTAMP trigger, index and foreign
 * key statements, and the conversion of view SELECTs that use only standard
 * SQL. Stored programs are never converted: they come back unsupported with
 * their source text.
 *
 * Identifiers go through schema_quote_ident() (fold_lower and the 63-byte
 * fit happen there); names inside source expressions are rewritten to the
 * destination spelling of the column before conversion, so renamed, folded
 * and shortened columns are referenced by the names they really get.
 * Pure functions of their arguments: no I/O, no globals, thread-safe.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/render_int.h"
#include "util/str.h"
#include "util/xalloc.h"

#define PG_BTREE_MAX 2704          /* largest btree entry PostgreSQL accepts (8 kB pages) */
#define ON_UPDATE_GUC "opendts.on_update"

static const struct schema_render_opts my_opts = { .dialect = SCHEMA_DIALECT_MYSQL };

static bool empty(const char *s)
{
	return !s || !*s;
}

static int bad_args(struct err *err, const char *what)
{
	err_set(err, ERR_INVALID, "rendering %s for PostgreSQL needs every argument", what);
	return -1;
}

/* ---- names ----------------------------------------------------------------- */

static void qid(const struct schema_render_opts *o, const char *name, struct buf *out)
{
	schema_quote_ident(o, name, out);
}

static void qname(const struct schema_render_opts *o, const char *schema, const char *name,
		  struct buf *out)
{
	qid(o, schema, out);
	buf_putc(out, '.');
	qid(o, name, out);
}

/* The name PostgreSQL will store: schema_quote_ident() without the quotes
 * (folded and shortened like every identifier this renderer writes). */
static void pg_name(const struct schema_render_opts *o, const char *name, struct buf *out)
{
	struct buf q;
	const char *s;

	buf_init(&q, BUF_UNLIMITED);
	qid(o, name, &q);
	s = buf_cstr(&q);
	if (q.len < 2 || s[0] != '"' || s[q.len - 1] != '"') {
		buf_append(out, s, q.len);
	} else {
		for (size_t i = 1; i + 1 < q.len; i++) {
			buf_putc(out, s[i]);
			if (s[i] == '"' && s[i + 1] == '"')
				i++;
		}
	}
	buf_release(&q);
}

/* Notes for a name that PostgreSQL shortens or reserves. */
static void name_notes(const struct schema_render_opts *o, struct schema_ddl *d,
		       const char *what, const char *name)
{
	char fit[64];
	struct buf got;

	if (schema_ident_fit(SCHEMA_DIALECT_PG, name, fit, sizeof(fit))) {
		buf_init(&got, BUF_UNLIMITED);
		pg_name(o, name, &got);
		schema__ddl_note(d, "%s name \"%s\" is longer than 63 bytes: created as \"%s\"",
				 what, name, buf_cstr(&got));
		buf_release(&got);
	}
	if (schema_ident_reserved(SCHEMA_DIALECT_PG, name))
		schema__ddl_note(d, "%s name \"%s\" is a reserved word in PostgreSQL: queries "
				 "must quote it", what, name);
}

/* Text inside a SQL comment: "*" followed by "/" would end it early. */
static void put_comment(struct buf *b, const char *text)
{
	buf_puts(b, "/* ");
	for (const char *p = text; *p; p++) {
		buf_putc(b, *p);
		if (*p == '*' && p[1] == '/')
			buf_putc(b, ' ');
	}
	buf_puts(b, " */");
}

/* ---- the table being rendered ---------------------------------------------- */

struct tbl {
	const struct schema_render_opts *o;
	const struct schema_resolved *r;
	const struct schema_table *t;
	struct schema_ddl *out;
	struct buf qt;                      /* "schema"."table" */
};

static bool col_selected(const struct tbl *tb, const struct schema_column *c)
{
	return schema_resolved_column_selected(tb->r, c->name);
}

static const char *col_dst(const struct tbl *tb, const struct schema_column *c)
{
	return schema_resolved_column_name(tb->r, c->name);
}

static void put_col(const struct tbl *tb, const struct schema_column *c, struct buf *b)
{
	qid(tb->o, col_dst(tb, c), b);
}

static bool is_generated(const struct schema_column *c)
{
	return !empty(c->generation_expr);
}

/* Columns an expression refers to that cannot be used there. */
struct refs {
	const struct schema_column *missing;     /* not selected */
	const struct schema_column *generated;   /* a generated column */
};

/* Copies a quoted MySQL literal ('..' or "..", with doubled quotes and
 * backslash escapes) unchanged; returns the byte after it. */
static const char *copy_string(const char *p, struct buf *out)
{
	char q = *p;
	const char *s = p + 1;

	while (*s) {
		if (*s == '\\' && s[1]) {
			s += 2;
		} else if (*s == q && s[1] == q) {
			s += 2;
		} else if (*s == q) {
			s++;
			break;
		} else {
			s++;
		}
	}
	buf_append(out, p, (size_t)(s - p));
	return s;
}

/* Copies one `identifier`; a column of the table becomes the name it has
 * in PostgreSQL (renamed, folded, shortened), still in backticks. */
static const char *copy_ident(const struct tbl *tb, const char *p, struct buf *out,
			      struct refs *refs)
{
	const struct schema_column *c;
	struct buf name, dst;
	const char *s = p + 1;

	buf_init(&name, BUF_UNLIMITED);
	buf_init(&dst, BUF_UNLIMITED);
	for (; *s && !(*s == '`' && s[1] != '`'); s++) {
		buf_putc(&name, *s);
		if (*s == '`')
			s++;
	}
	c = *s ? schema_find_column(tb->t, buf_cstr(&name)) : NULL;
	if (!c) {
		buf_append(out, p, (size_t)(s - p) + (*s ? 1 : 0));
		goto cleanup;
	}
	if (!col_selected(tb, c) && !refs->missing)
		refs->missing = c;
	if (is_generated(c) && !refs->generated)
		refs->generated = c;
	pg_name(tb->o, col_dst(tb, c), &dst);
	buf_putc(out, '`');
	for (const char *d = buf_cstr(&dst); *d; d++) {
		if (*d == '`')
			buf_putc(out, '`');
		buf_putc(out, *d);
	}
	buf_putc(out, '`');
cleanup:
	buf_release(&name);
	buf_release(&dst);
	return *s ? s + 1 : s;
}

/* A MySQL expression of the table with its column names rewritten to their
 * destination spelling, ready for schema_expr_convert(). */
static void rename_columns(const struct tbl *tb, const char *expr, struct buf *out,
			   struct refs *refs)
{
	const char *p = expr;

	memset(refs, 0, sizeof(*refs));
	while (*p) {
		if (*p == '\'' || *p == '"')
			p = copy_string(p, out);
		else if (*p == '`')
			p = copy_ident(tb, p, out, refs);
		else
			buf_putc(out, *p++);
	}
}

/* Converts an expression of the table to PostgreSQL into out; -1 with a
 * sentence in why when it cannot be used. */
static int table_expr(const struct tbl *tb, const char *expr, bool in_generated,
		      struct buf *out, char *why, size_t why_n)
{
	struct buf src;
	struct refs refs;
	int rc = -1;

	buf_init(&src, BUF_UNLIMITED);
	rename_columns(tb, expr, &src, &refs);
	if (refs.missing) {
		snprintf(why, why_n, "it uses column \"%s\", which is not selected",
			 refs.missing->name);
	} else if (in_generated && refs.generated) {
		snprintf(why, why_n, "it uses generated column \"%s\" (a PostgreSQL "
			 "generation expression cannot)", refs.generated->name);
	} else if (schema_expr_convert(SCHEMA_DIALECT_PG, buf_cstr(&src), out, why,
				       why_n) == 0) {
		rc = 0;
	}
	buf_release(&src);
	return rc;
}

/* ---- columns ---------------------------------------------------------------- */

static long long pg_int_max(const char *pg_type)
{
	if (strcmp(pg_type, "smallint") == 0)
		return 32767;
	if (strcmp(pg_type, "integer") == 0)
		return 2147483647;
	return INT64_MAX;
}

/* GENERATED BY DEFAULT AS IDENTITY, starting at the source's next value. */
static void put_identity(struct tbl *tb, const struct schema_column *c,
			 const struct schema_mapping *m, struct buf *b)
{
	long long start = tb->t->auto_increment, max = pg_int_max(m->dst_type);

	buf_puts(b, " GENERATED BY DEFAULT AS IDENTITY");
	if (start <= 0)
		return;
	if (start > max) {
		schema__ddl_note(tb->out, "column \"%s\": the next AUTO_INCREMENT value %lld is "
				 "beyond %s; the identity starts at its maximum %lld", c->name,
				 start, m->dst_type, max);
		start = max;
	}
	buf_printf(b, " (START WITH %lld)", start);
}

static void put_generated(struct tbl *tb, const struct schema_column *c, struct buf *b)
{
	char why[256];
	struct buf e;

	buf_init(&e, BUF_UNLIMITED);
	if (table_expr(tb, c->generation_expr, true, &e, why, sizeof(why)) == 0) {
		buf_printf(b, " GENERATED ALWAYS AS (%s) STORED", buf_cstr(&e));
	} else {
		/* The mapping already refuses expressions that do not convert;
		 * this also covers what only the table knows (selection,
		 * generated columns used by another). */
		schema__ddl_unsupported(tb->out, "column \"%s\": the generation expression %s "
					"cannot be created: %s", c->name, c->generation_expr, why);
		buf_putc(b, ' ');
		put_comment(b, c->generation_expr);
	}
	buf_release(&e);
}

static void put_default(const struct schema_column *c, struct buf *b)
{
	char why[256];
	struct buf d;

	/* A default with no PostgreSQL form is dropped; the mapping's note
	 * (added to the table's notes) says why. */
	buf_init(&d, BUF_UNLIMITED);
	if (schema_map_default(c, SCHEMA_DIALECT_PG, &d, why, sizeof(why)) == 0 && d.len)
		buf_printf(b, " DEFAULT %s", buf_cstr(&d));
	buf_release(&d);
}

static void put_column(struct tbl *tb, const struct schema_column *c, struct buf *b)
{
	struct schema_mapping m;

	schema_map_column(c, SCHEMA_DIALECT_PG, &m);
	put_col(tb, c, b);
	buf_putc(b, ' ');
	if (m.dst_type[0]) {
		buf_puts(b, m.dst_type);
	} else {
		buf_puts(b, "unknown ");
		put_comment(b, c->column_type ? c->column_type : "");
	}
	if (m.identity)
		put_identity(tb, c, &m, b);
	else if (is_generated(c))
		put_generated(tb, c, b);
	else
		put_default(c, b);
	if (!c->nullable)
		buf_puts(b, " NOT NULL");
	if (m.risk == SCHEMA_RISK_UNSUPPORTED)
		schema__ddl_unsupported(tb->out, "column \"%s\": %s", c->name, m.note);
	else if (m.risk != SCHEMA_RISK_NONE)
		schema__ddl_note(tb->out, "column \"%s\": %s", c->name, m.note);
	name_notes(tb->o, tb->out, "column", col_dst(tb, c));
}

/* ---- constraints inside CREATE TABLE ----------------------------------------- */

static const struct schema_index *primary_key(const struct schema_table *t)
{
	for (size_t i = 0; i < t->n_indexes; i++)
		if (t->indexes[i].primary)
			return &t->indexes[i];
	return NULL;
}

static void put_primary_key(struct tbl *tb, struct buf *b)
{
	const struct schema_index *pk = primary_key(tb->t);
	const struct schema_column *c;

	if (!pk)
		return;
	for (size_t i = 0; i < pk->n_parts; i++) {
		c = schema_find_column(tb->t, pk->parts[i].column);
		if (!c || !col_selected(tb, c)) {
			schema__ddl_note(tb->out, "the primary key is not created: its column "
					 "\"%s\" is not selected", pk->parts[i].column);
			return;
		}
	}
	buf_puts(b, ",\n\tPRIMARY KEY (");
	for (size_t i = 0; i < pk->n_parts; i++) {
		c = schema_find_column(tb->t, pk->parts[i].column);
		if (i)
			buf_puts(b, ", ");
		put_col(tb, c, b);
		if (pk->parts[i].prefix_len > 0)
			schema__ddl_note(tb->out, "the primary key uses only the first %d "
					 "characters of \"%s\" in the source; PostgreSQL keys on the "
					 "whole value", pk->parts[i].prefix_len, c->name);
	}
	buf_putc(b, ')');
}

/* The source's own CHECK constraints, converted; those that do not convert
 * are left out with a note (the table is still created). */
static void put_source_checks(struct tbl *tb, struct buf *b)
{
	char why[256];
	struct buf e;

	buf_init(&e, BUF_UNLIMITED);
	for (size_t i = 0; i < tb->t->n_checks; i++) {
		const struct schema_check *k = &tb->t->checks[i];
		if (k->json_valid)
			continue;             /* jsonb validates by itself */
		buf_reset(&e);
		if (table_expr(tb, k->expr, false, &e, why, sizeof(why)) < 0) {
			schema__ddl_note(tb->out, "CHECK constraint \"%s\" (%s) is not created: %s",
					 k->name ? k->name : "", k->expr, why);
			continue;
		}
		buf_puts(b, ",\n\t");
		if (!empty(k->name)) {
			buf_puts(b, "CONSTRAINT ");
			qid(tb->o, k->name, b);
			buf_putc(b, ' ');
			name_notes(tb->o, tb->out, "constraint", k->name);
		}
		buf_printf(b, "CHECK (%s)", buf_cstr(&e));
	}
	buf_release(&e);
}

/* The CHECKs of the mapping that keep each column's source range. They come
 * last and unnamed, so PostgreSQL's generated names avoid the source's. */
static void put_mapping_checks(struct tbl *tb, struct buf *b)
{
	struct buf q, ck;

	buf_init(&q, BUF_UNLIMITED);
	buf_init(&ck, BUF_UNLIMITED);
	for (size_t i = 0; i < tb->t->n_columns; i++) {
		const struct schema_column *c = &tb->t->columns[i];
		if (!col_selected(tb, c))
			continue;
		buf_reset(&q);
		buf_reset(&ck);
		put_col(tb, c, &q);
		schema_map_check_sql(c, SCHEMA_DIALECT_PG, buf_cstr(&q), &ck);
		if (ck.len)
			buf_printf(b, ",\n\tCHECK (%s)", buf_cstr(&ck));
	}
	buf_release(&q);
	buf_release(&ck);
}

static void create_table(struct tbl *tb, struct buf *b)
{
	bool first = true;

	buf_printf(b, "CREATE TABLE %s%s (", tb->o->if_not_exists ? "IF NOT EXISTS " : "",
		   buf_cstr(&tb->qt));
	for (size_t i = 0; i < tb->t->n_columns; i++) {
		const struct schema_column *c = &tb->t->columns[i];
		if (!col_selected(tb, c))
			continue;
		buf_puts(b, first ? "\n\t" : ",\n\t");
		first = false;
		put_column(tb, c, b);
	}
	put_primary_key(tb, b);
	put_source_checks(tb, b);
	put_mapping_checks(tb, b);
	buf_puts(b, "\n)");
}

/* ---- comments and table options ---------------------------------------------- */

static void comments(struct tbl *tb, struct buf *b)
{
	const struct schema_table *t = tb->t;

	if (!empty(t->comment)) {
		buf_printf(b, "COMMENT ON TABLE %s IS ", buf_cstr(&tb->qt));
		schema_quote_literal(tb->o, t->comment, strlen(t->comment), b);
		schema__ddl_add(tb->out, b);
	}
	for (size_t i = 0; i < t->n_columns; i++) {
		const struct schema_column *c = &t->columns[i];
		if (!col_selected(tb, c) || empty(c->comment))
			continue;
		buf_printf(b, "COMMENT ON COLUMN %s.", buf_cstr(&tb->qt));
		put_col(tb, c, b);
		buf_puts(b, " IS ");
		schema_quote_literal(tb->o, c->comment, strlen(c->comment), b);
		schema__ddl_add(tb->out, b);
	}
}

/* CREATE_OPTIONS without the "partitioned" word, which has its own note. */
static void option_notes(struct tbl *tb)
{
	const struct schema_table *t = tb->t;
	struct buf opts;
	const char *p = t->create_options ? t->create_options : "";

	if (!empty(t->engine) && !str_ieq(t->engine, "InnoDB"))
		schema__ddl_note(tb->out, "ENGINE=%s is not carried: the table becomes an "
				 "ordinary transactional PostgreSQL table", t->engine);
	if (t->partitioned)
		schema__ddl_note(tb->out, "the source table is partitioned; it is created "
				 "unpartitioned (partitioning is not converted)");
	buf_init(&opts, BUF_UNLIMITED);
	while (*p) {
		size_t n = strcspn(p, " ");
		if (n && !(n == 11 && strncasecmp(p, "partitioned", 11) == 0))
			buf_printf(&opts, "%s%.*s", opts.len ? " " : "", (int)n, p);
		p += n;
		p += strspn(p, " ");
	}
	if (opts.len)
		schema__ddl_note(tb->out, "table options %s are not carried (PostgreSQL has no "
				 "such storage options)", buf_cstr(&opts));
	buf_release(&opts);
}

/* ---- ON UPDATE CURRENT_TIMESTAMP --------------------------------------------- */

/* The value the column gets, as schema_map_default() writes that same
 * CURRENT_TIMESTAMP(n) as a default (LOCALTIMESTAMP(n) for DATETIME). */
static int on_update_value(const struct schema_column *c, struct buf *out)
{
	static char none[] = "";
	struct schema_column tmp = *c;      /* shallow: only the default fields change */
	char why[200];

	tmp.has_default = true;
	tmp.default_value = c->on_update;
	tmp.default_is_expr = true;
	tmp.auto_increment = false;
	tmp.generation_expr = none;
	return schema_map_default(&tmp, SCHEMA_DIALECT_PG, out, why, sizeof(why));
}

/* The row comparison: every stored column (generated ones are not computed
 * yet in a BEFORE trigger), the ON UPDATE columns included, as MySQL
 * compares the whole record. */
static void changed_condition(struct tbl *tb, struct buf *b)
{
	for (int pass = 0; pass < 2; pass++) {
		bool first = true;
		buf_puts(b, pass ? " IS DISTINCT FROM ROW(" : "ROW(");
		for (size_t i = 0; i < tb->t->n_columns; i++) {
			const struct schema_column *c = &tb->t->columns[i];
			if (!col_selected(tb, c) || is_generated(c))
				continue;
			buf_printf(b, "%s%s.", first ? "" : ", ", pass ? "OLD" : "NEW");
			put_col(tb, c, b);
			first = false;
		}
		buf_putc(b, ')');
	}
}

/* The body of the trigger function. Called with an argument (the
 * opendts_on_update_explicit_<n> triggers, BEFORE UPDATE OF the column) it
 * records that the statement set column n; called without (the
 * opendts_on_update_set trigger, which sorts after them and so fires last
 * for the row) it consumes that record and sets each column the statement
 * did not set, when the row changed. */
static void on_update_body(struct tbl *tb, const struct schema_column *const *cols,
			   char **values, size_t n, struct buf *b)
{
	buf_puts(b, "\nDECLARE\n\tv_set text := coalesce(current_setting('" ON_UPDATE_GUC
		 "', true), '');\nBEGIN\n"
		 "\t/* MySQL sets an ON UPDATE CURRENT_TIMESTAMP column when the row changed\n"
		 "\t   and the statement did not set the column itself. */\n"
		 "\tIF TG_NARGS > 0 THEN\n"
		 "\t\tPERFORM set_config('" ON_UPDATE_GUC "', v_set || TG_ARGV[0] || ',', true);\n"
		 "\t\tRETURN NEW;\n\tEND IF;\n"
		 "\tIF v_set <> '' THEN\n"
		 "\t\tPERFORM set_config('" ON_UPDATE_GUC "', '', true);\n\tEND IF;\n\tIF ");
	changed_condition(tb, b);
	buf_puts(b, " THEN\n");
	for (size_t i = 0; i < n; i++) {
		buf_printf(b, "\t\tIF strpos(',' || v_set, ',%zu,') = 0 THEN\n\t\t\tNEW.", i + 1);
		put_col(tb, cols[i], b);
		buf_printf(b, " := %s;\n\t\tEND IF;\n", values[i]);
	}
	buf_puts(b, "\tEND IF;\n\tRETURN NEW;\nEND\n");
}

static void on_update_function(struct tbl *tb, const struct buf *qfn,
			       const struct schema_column *const *cols, char **values,
			       size_t n, struct buf *b)
{
	struct buf body;
	char tag[32] = "$opendts$";

	buf_init(&body, BUF_UNLIMITED);
	on_update_body(tb, cols, values, n, &body);
	/* A column name could hold the dollar-quote tag. */
	for (int k = 1; strstr(buf_cstr(&body), tag); k++)
		snprintf(tag, sizeof(tag), "$opendts%d$", k);
	buf_printf(b, "CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %s%s%s",
		   buf_cstr(qfn), tag, buf_cstr(&body), tag);
	schema__ddl_add(tb->out, b);
	buf_release(&body);
}

static void on_update_triggers(struct tbl *tb, const struct buf *qfn,
			       const struct schema_column *const *cols, size_t n, struct buf *b)
{
	const char *create = tb->o->if_not_exists ? "CREATE OR REPLACE TRIGGER" : "CREATE TRIGGER";
	char name[64];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "opendts_on_update_explicit_%zu", i + 1);
		buf_printf(b, "%s ", create);
		qid(tb->o, name, b);
		buf_puts(b, " BEFORE UPDATE OF ");
		put_col(tb, cols[i], b);
		buf_printf(b, " ON %s FOR EACH ROW EXECUTE FUNCTION %s('%zu')", buf_cstr(&tb->qt),
			   buf_cstr(qfn), i + 1);
		schema__ddl_add(tb->out, b);
	}
	buf_printf(b, "%s ", create);
	qid(tb->o, "opendts_on_update_set", b);
	buf_printf(b, " BEFORE UPDATE ON %s FOR EACH ROW EXECUTE FUNCTION %s()", buf_cstr(&tb->qt),
		   buf_cstr(qfn));
	schema__ddl_add(tb->out, b);
}

/* One trigger function per table, "<table>_on_update", for every ON UPDATE
 * CURRENT_TIMESTAMP column the mapping turns into a trigger. */
static void on_update(struct tbl *tb, struct buf *b)
{
	const struct schema_table *t = tb->t;
	const struct schema_column **cols = xcalloc(t->n_columns + 1, sizeof(*cols));
	char **values = xcalloc(t->n_columns + 1, sizeof(*values));
	struct buf v, qfn;
	size_t n = 0;
	char *fn;

	buf_init(&v, BUF_UNLIMITED);
	for (size_t i = 0; i < t->n_columns; i++) {
		const struct schema_column *c = &t->columns[i];
		struct schema_mapping m;
		if (!col_selected(tb, c))
			continue;
		schema_map_column(c, SCHEMA_DIALECT_PG, &m);
		if (!m.needs_on_update_trigger)
			continue;
		buf_reset(&v);
		if (on_update_value(c, &v) < 0 || !v.len) {
			schema__ddl_note(tb->out, "column \"%s\": ON UPDATE %s is not converted",
					 c->name, c->on_update);
			continue;
		}
		cols[n] = c;
		values[n++] = xstrdup(buf_cstr(&v));
	}
	if (n) {
		fn = xasprintf("%s_on_update", tb->r->dst_name);
		buf_init(&qfn, BUF_UNLIMITED);
		qname(tb->o, tb->r->dst_schema, fn, &qfn);
		name_notes(tb->o, tb->out, "function", fn);
		on_update_function(tb, &qfn, cols, values, n, b);
		on_update_triggers(tb, &qfn, cols, n, b);
		buf_release(&qfn);
		free(fn);
	}
	for (size_t i = 0; i < n; i++)
		free(values[i]);
	free(values);
	free(cols);
	buf_release(&v);
}

/* ---- renderer entry points: database and table ------------------------------ */

int schema__pg_database(const struct schema_render_opts *o, const char *dst_schema,
			const char *charset, const char *collation,
			struct schema_ddl *out, struct err *err)
{
	struct buf b;

	if (!o || empty(dst_schema) || !out)
		return bad_args(err, "a schema");
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "CREATE SCHEMA IF NOT EXISTS ");
	qid(o, dst_schema, &b);
	schema__ddl_add(out, &b);
	name_notes(o, out, "schema", dst_schema);
	if (!empty(charset) || !empty(collation))
		schema__ddl_note(out, "character set %s and collation %s are not carried: a "
				 "PostgreSQL schema has neither (text arrives in the database's "
				 "encoding and sorts by its collation)",
				 empty(charset) ? "(none)" : charset,
				 empty(collation) ? "(none)" : collation);
	buf_release(&b);
	return 0;
}

int schema__pg_table(const struct schema_render_opts *o, const struct schema_resolved *r,
		     struct schema_ddl *out, struct err *err)
{
	struct tbl tb = { .o = o, .r = r, .out = out };
	struct buf b;

	if (!o || !r || !r->table || empty(r->dst_schema) || empty(r->dst_name) || !out)
		return bad_args(err, "a table");
	tb.t = r->table;
	buf_init(&tb.qt, BUF_UNLIMITED);
	buf_init(&b, BUF_UNLIMITED);
	qname(o, r->dst_schema, r->dst_name, &tb.qt);
	name_notes(o, out, "table", r->dst_name);
	create_table(&tb, &b);
	schema__ddl_add(out, &b);
	comments(&tb, &b);
	on_update(&tb, &b);
	option_notes(&tb);
	buf_release(&b);
	buf_release(&tb.qt);
	return 0;
}

/* ---- secondary indexes --------------------------------------------------------- */

/* The index as MySQL would write it: the DdlSql of an index that is not
 * created. */
static void mysql_index_text(const struct tbl *tb, const struct schema_index *ix, struct buf *b)
{
	static const char *const kinds[] = { "", "", "FULLTEXT ", "SPATIAL " };

	buf_printf(b, "CREATE %s%sINDEX ", ix->unique ? "UNIQUE " : "", kinds[ix->kind]);
	qid(&my_opts, ix->name, b);
	buf_puts(b, " ON ");
	qname(&my_opts, tb->t->schema, tb->t->name, b);
	buf_puts(b, " (");
	for (size_t i = 0; i < ix->n_parts; i++) {
		if (i)
			buf_puts(b, ", ");
		qid(&my_opts, ix->parts[i].column, b);
		if (ix->parts[i].prefix_len > 0)
			buf_printf(b, "(%d)", ix->parts[i].prefix_len);
		if (ix->parts[i].descending)
			buf_puts(b, " DESC");
	}
	buf_putc(b, ')');
}

/* FULLTEXT: one GIN index on the 'simple' text search vector of the
 * columns (joined with spaces, NULL as empty when there are several). */
static void fulltext_parts(const struct tbl *tb, const struct schema_index *ix, struct buf *b)
{
	buf_puts(b, "to_tsvector('simple', ");
	for (size_t i = 0; i < ix->n_parts; i++) {
		const struct schema_column *c = schema_find_column(tb->t, ix->parts[i].column);
		if (ix->n_parts == 1) {
			put_col(tb, c, b);
			break;
		}
		if (i)
			buf_puts(b, " || ' ' || ");
		buf_puts(b, "coalesce(");
		put_col(tb, c, b);
		buf_puts(b, ", '')");
	}
	buf_putc(b, ')');
}

static void btree_part(struct tbl *tb, const struct schema_index *ix,
		       const struct schema_index_part *part, struct buf *b)
{
	const struct schema_column *c = schema_find_column(tb->t, part->column);
	struct schema_mapping m;
	bool bytea;

	schema_map_column(c, SCHEMA_DIALECT_PG, &m);
	bytea = strcmp(m.dst_type, "bytea") == 0;
	if (part->prefix_len > 0) {
		buf_puts(b, bytea ? "(substring(" : "(left(");
		put_col(tb, c, b);
		buf_printf(b, bytea ? " FROM 1 FOR %d))" : ", %d))", part->prefix_len);
		schema__ddl_note(tb->out, "index \"%s\": the prefix part \"%s\"(%d) becomes the "
				 "expression %s(\"%s\", %d); queries must use that expression to "
				 "use the index", ix->name, c->name, part->prefix_len,
				 bytea ? "substring" : "left", col_dst(tb, c), part->prefix_len);
	} else {
		put_col(tb, c, b);
		if (c->octet_length > PG_BTREE_MAX)
			schema__ddl_note(tb->out, "index \"%s\": values of \"%s\" longer than %d "
					 "bytes cannot be indexed by a PostgreSQL btree", ix->name,
					 c->name, PG_BTREE_MAX);
	}
	if (part->descending)
		buf_puts(b, " DESC");
}

/* The first column of the index that the destination lacks, or NULL. */
static const char *index_missing(const struct tbl *tb, const struct schema_index *ix)
{
	for (size_t i = 0; i < ix->n_parts; i++) {
		const struct schema_column *c = schema_find_column(tb->t, ix->parts[i].column);
		if (!c || !col_selected(tb, c))
			return ix->parts[i].column;
	}
	return NULL;
}

static void create_index(struct tbl *tb, const struct schema_index *ix, const char *name,
			 struct buf *b)
{
	bool gin = ix->kind == SCHEMA_IDX_FULLTEXT;

	buf_printf(b, "CREATE %sINDEX %s", ix->unique && !gin ? "UNIQUE " : "",
		   tb->o->if_not_exists ? "IF NOT EXISTS " : "");
	qid(tb->o, name, b);
	buf_printf(b, " ON %s %s(", buf_cstr(&tb->qt), gin ? "USING gin " : "");
	if (gin) {
		fulltext_parts(tb, ix, b);
	} else {
		for (size_t i = 0; i < ix->n_parts; i++) {
			if (i)
				buf_puts(b, ", ");
			btree_part(tb, ix, &ix->parts[i], b);
		}
	}
	buf_putc(b, ')');
}

static void index_kind_notes(struct tbl *tb, const struct schema_index *ix)
{
	if (ix->kind == SCHEMA_IDX_FULLTEXT)
		schema__ddl_note(tb->out, "FULLTEXT index \"%s\" becomes a GIN index on "
				 "to_tsvector('simple', ...) of its columns: MATCH ... AGAINST "
				 "queries must be rewritten to that expression @@ a tsquery; the "
				 "'simple' configuration neither stems nor drops stop words",
				 ix->name);
	else if (ix->kind == SCHEMA_IDX_HASH)
		schema__ddl_note(tb->out, "HASH index \"%s\" becomes a btree index (PostgreSQL "
				 "hash indexes cannot be unique)", ix->name);
}

int schema__pg_index(const struct schema_render_opts *o, const struct schema_resolved *r,
		     const struct schema_index *ix, struct schema_ddl *out, struct err *err)
{
	struct tbl tb = { .o = o, .r = r, .out = out };
	struct buf b, qix;
	const char *missing;
	char *name;

	if (!o || !r || !r->table || !ix || !out || empty(r->dst_schema) || empty(r->dst_name))
		return bad_args(err, "an index");
	if (ix->primary) {
		err_set(err, ERR_INVALID, "index \"%s\" is the primary key, which is part of "
			"the table", ix->name);
		return -1;
	}
	tb.t = r->table;
	buf_init(&tb.qt, BUF_UNLIMITED);
	buf_init(&b, BUF_UNLIMITED);
	buf_init(&qix, BUF_UNLIMITED);
	qname(o, r->dst_schema, r->dst_name, &tb.qt);
	/* MySQL index names are per table, PostgreSQL's per schema. */
	name = xasprintf("%s_%s", r->dst_name, ix->name);
	missing = index_missing(&tb, ix);
	if (ix->kind == SCHEMA_IDX_SPATIAL || missing) {
		mysql_index_text(&tb, ix, &b);
		schema__ddl_add(out, &b);
		if (missing)
			schema__ddl_unsupported(out, "index \"%s\" uses column \"%s\", which is not "
						"selected", ix->name, missing);
		else
			schema__ddl_unsupported(out, "SPATIAL index \"%s\" is not created: without "
						"PostGIS the values are WKB in bytea, which has no "
						"spatial index", ix->name);
		goto cleanup;
	}
	name_notes(o, out, "index", name);
	create_index(&tb, ix, name, &b);
	schema__ddl_add(out, &b);
	index_kind_notes(&tb, ix);
	if (!empty(ix->comment)) {
		qname(o, r->dst_schema, name, &qix);
		buf_printf(&b, "COMMENT ON INDEX %s IS ", buf_cstr(&qix));
		schema_quote_literal(o, ix->comment, strlen(ix->comment), &b);
		schema__ddl_add(out, &b);
	}
cleanup:
	free(name);
	buf_release(&qix);
	buf_release(&b);
	buf_release(&tb.qt);
	return 0;
}

/* ---- foreign keys ------------------------------------------------------------- */

static const char *const fk_rules[] = { "RESTRICT", "CASCADE", "SET NULL", "NO ACTION",
					"SET DEFAULT" };

/* " ON DELETE CASCADE" for a known rule; nothing (PostgreSQL's default, NO
 * ACTION) with a note for an unknown one. -1 for a rule PostgreSQL lacks. */
static int put_fk_rule(struct schema_ddl *out, const struct schema_fk *fk, const char *event,
		       const char *rule, struct buf *b)
{
	if (empty(rule)) {
		schema__ddl_note(out, "foreign key \"%s\": the ON %s rule could not be read from "
				 "the source; PostgreSQL's default NO ACTION is used", fk->name,
				 event);
		return 0;
	}
	for (size_t i = 0; i < sizeof(fk_rules) / sizeof(fk_rules[0]); i++) {
		if (str_ieq(rule, fk_rules[i])) {
			buf_printf(b, " ON %s %s", event, fk_rules[i]);
			return 0;
		}
	}
	schema__ddl_unsupported(out, "foreign key \"%s\": ON %s %s has no PostgreSQL form",
				fk->name, event, rule);
	return -1;
}

/* True when idx covers exactly the columns (in any order, whole values):
 * what PostgreSQL requires of the key a foreign key references. */
static bool index_matches(const struct schema_index *ix, char *const *cols, size_t n)
{
	if (!ix->unique || ix->n_parts != n || ix->kind == SCHEMA_IDX_FULLTEXT ||
	    ix->kind == SCHEMA_IDX_SPATIAL)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		if (ix->parts[i].prefix_len > 0)
			return false;
		for (size_t j = 0; j < n && !found; j++)
			found = strcmp(ix->parts[i].column, cols[j]) == 0;
		if (!found)
			return false;
	}
	return true;
}

static bool has_unique_key(const struct schema_table *t, char *const *cols, size_t n)
{
	for (size_t i = 0; i < t->n_indexes; i++)
		if (index_matches(&t->indexes[i], cols, n))
			return true;
	return false;
}

/* Why the foreign key cannot be created, or NULL. */
static const char *fk_problem(const struct schema_resolved *r, const struct schema_fk *fk,
			      const struct schema_resolved *ref, char *why, size_t n)
{
	for (size_t i = 0; i < fk->n_columns; i++) {
		if (!schema_resolved_column_selected(r, fk->columns[i])) {
			snprintf(why, n, "column \"%s\" is not selected", fk->columns[i]);
			return why;
		}
		if (ref && !schema_resolved_column_selected(ref, fk->ref_columns[i])) {
			snprintf(why, n, "referenced column \"%s\" is not selected",
				 fk->ref_columns[i]);
			return why;
		}
	}
	if (ref && ref->table && !has_unique_key(ref->table, fk->ref_columns, fk->n_columns)) {
		snprintf(why, n, "PostgreSQL needs a primary key or unique index on exactly the "
			 "referenced columns, and %s.%s has none (MySQL accepts any index)",
			 fk->ref_schema, fk->ref_table);
		return why;
	}
	return NULL;
}

static void fk_columns(const struct schema_render_opts *o, const struct schema_resolved *r,
		       char *const *cols, size_t n, struct buf *b)
{
	buf_putc(b, '(');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_puts(b, ", ");
		qid(o, r ? schema_resolved_column_name(r, cols[i]) : cols[i], b);
	}
	buf_putc(b, ')');
}

int schema__pg_fk(const struct schema_render_opts *o, const struct schema_resolved *r,
		  const struct schema_fk *fk, const char *ref_schema, const char *ref_table,
		  const struct schema_resolved *ref, struct schema_ddl *out, struct err *err)
{
	char why[400];
	const char *problem;
	struct buf b;

	if (!o || !r || !fk || empty(ref_schema) || empty(ref_table) || !out ||
	    empty(r->dst_schema) || empty(r->dst_name))
		return bad_args(err, "a foreign key");
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "ALTER TABLE ");
	qname(o, r->dst_schema, r->dst_name, &b);
	buf_puts(&b, " ADD CONSTRAINT ");
	qid(o, fk->name, &b);
	buf_puts(&b, " FOREIGN KEY ");
	fk_columns(o, r, fk->columns, fk->n_columns, &b);
	buf_puts(&b, " REFERENCES ");
	qname(o, ref_schema, ref_table, &b);
	buf_putc(&b, ' ');
	fk_columns(o, ref, fk->ref_columns, fk->n_columns, &b);
	put_fk_rule(out, fk, "DELETE", fk->on_delete, &b);
	put_fk_rule(out, fk, "UPDATE", fk->on_update, &b);
	schema__ddl_add(out, &b);
	name_notes(o, out, "constraint", fk->name);
	problem = fk_problem(r, fk, ref, why, sizeof(why));
	if (problem)
		schema__ddl_unsupported(out, "foreign key \"%s\": %s", fk->name, problem);
	buf_release(&b);
	return 0;
}

/* ---- views ------------------------------------------------------------------- */

/* Converts a view's SELECT as information_schema prints it when it uses
 * only standard SQL: `identifiers` become quoted names (the view's own
 * database becomes dst_schema), '...' literals are re-quoted, and every
 * word must be a standard keyword or one of a few standard functions. */
struct vconv {
	const struct schema_render_opts *o;
	const char *src_schema, *dst_schema;
	const char *p;
	struct buf *out;
	char why[300];
	int limit;                /* 1 after LIMIT, 2 after LIMIT <number> */
	bool in_from;             /* after FROM or JOIN: `a`.`b` names a table */
	bool after_dot;           /* the last token was "." */
};

static const char *const view_keywords[] = {
	"all", "and", "any", "as", "asc", "between", "by", "case", "cross", "desc", "distinct",
	"else", "end", "escape", "except", "exists", "false", "from", "full", "group", "having",
	"in", "inner", "intersect", "is", "join", "left", "like", "limit", "not", "null",
	"offset", "on", "or", "order", "outer", "recursive", "right", "select", "some", "then",
	"true", "union", "using", "when", "where", "with",
};

/* Words after which a table name follows, and those that keep it so. */
static const char *const from_words[] = { "from", "join" };
static const char *const join_words[] = { "as", "cross", "full", "inner", "left", "outer",
					  "right" };

static const char *const view_functions[] = {
	"abs", "avg", "char_length", "coalesce", "count", "left", "lower", "max", "min",
	"nullif", "octet_length", "right", "sum", "upper",
};

static int vrefuse(struct vconv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int vrefuse(struct vconv *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
	return -1;
}

static bool in_list(const char *const *list, size_t n, const char *w, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncasecmp(list[i], w, len) == 0)
			return true;
	return false;
}

/* The byte after a `quoted identifier` starting at p, or NULL. */
static const char *skip_ident(const char *p)
{
	for (p++; *p; p++) {
		if (*p == '`' && p[1] == '`')
			p++;
		else if (*p == '`')
			return p + 1;
	}
	return NULL;
}

/* How many `a`.`b`.`c` parts a chain starting at p has. */
static int chain_parts(const char *p)
{
	int n = 0;

	while (p && *p == '`') {
		p = skip_ident(p);
		if (!p)
			break;
		n++;
		if (*p != '.')
			break;
		p++;
	}
	return n;
}

/* An identifier; the first part of `db`.`table`.`column` (or of
 * `db`.`table` after FROM/JOIN) is a database: the view's own becomes
 * dst_schema. */
static int view_ident(struct vconv *v)
{
	struct buf name;
	const char *s = v->p + 1;
	int parts = v->after_dot ? 0 : chain_parts(v->p);

	buf_init(&name, BUF_UNLIMITED);
	for (; *s && !(*s == '`' && s[1] != '`'); s++) {
		buf_putc(&name, *s);
		if (*s == '`')
			s++;
	}
	if (!*s) {
		buf_release(&name);
		return vrefuse(v, "a `quoted identifier` is not terminated");
	}
	v->p = s + 1;
	if (strcmp(buf_cstr(&name), v->src_schema) == 0 &&
	    (parts == 3 || (parts == 2 && v->in_from)))
		qid(v->o, v->dst_schema, v->out);
	else
		qid(v->o, buf_cstr(&name), v->out);
	buf_release(&name);
	return 0;
}

static int view_string(struct vconv *v)
{
	struct buf val;
	const char *s = v->p + 1;

	if (*v->p == '"')
		return vrefuse(v, "a \"double-quoted\" string is MySQL-specific (an identifier "
			       "in PostgreSQL)");
	buf_init(&val, BUF_UNLIMITED);
	for (;; s++) {
		if (!*s || *s == '\\') {
			buf_release(&val);
			return vrefuse(v, *s ? "backslash escapes in string literals are "
				       "MySQL-specific" : "a string literal is not terminated");
		}
		if (*s == '\'' && s[1] == '\'')
			s++;
		else if (*s == '\'')
			break;
		buf_putc(&val, *s);
	}
	v->p = s + 1;
	schema_quote_literal(v->o, val.data ? val.data : "", val.len, v->out);
	buf_release(&val);
	return 0;
}

static int view_number(struct vconv *v)
{
	const char *s = v->p;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B'))
		return vrefuse(v, "hexadecimal and bit literals are MySQL-specific");
	while ((*s >= '0' && *s <= '9') || *s == '.')
		s++;
	if ((*s == 'e' || *s == 'E') && ((s[1] >= '0' && s[1] <= '9') ||
					 ((s[1] == '+' || s[1] == '-') && s[2] >= '0' && s[2] <= '9')))
		for (s += 2; *s >= '0' && *s <= '9'; s++)
			;
	buf_append(v->out, v->p, (size_t)(s - v->p));
	v->p = s;
	if (v->limit == 1)
		v->limit = 2;
	return 0;
}

static int view_word(struct vconv *v)
{
	const char *w = v->p, *after;
	size_t n;

	while ((*v->p >= 'a' && *v->p <= 'z') || (*v->p >= 'A' && *v->p <= 'Z') ||
	       (*v->p >= '0' && *v->p <= '9') || *v->p == '_' || *v->p == '$')
		v->p++;
	n = (size_t)(v->p - w);
	if (w[0] == '_' && *v->p == '\'')
		return 0;                   /* charset introducer: _utf8mb4'x' */
	after = v->p + strspn(v->p, " \t\r\n");
	if (in_list(view_keywords, sizeof(view_keywords) / sizeof(view_keywords[0]), w, n) ||
	    (*after == '(' &&
	     in_list(view_functions, sizeof(view_functions) / sizeof(view_functions[0]), w, n))) {
		v->limit = n == 5 && strncasecmp(w, "limit", 5) == 0 ? 1 : 0;
		if (in_list(from_words, sizeof(from_words) / sizeof(from_words[0]), w, n))
			v->in_from = true;
		else if (!in_list(join_words, sizeof(join_words) / sizeof(join_words[0]), w, n))
			v->in_from = false;
		return buf_append(v->out, w, n);
	}
	if (*after == '(')
		return vrefuse(v, "function %.*s() is MySQL-specific or not known to mean the "
			       "same in PostgreSQL", (int)(n > 64 ? 64 : n), w);
	return vrefuse(v, "\"%.*s\" is MySQL-specific or not standard SQL",
		       (int)(n > 64 ? 64 : n), w);
}

static int view_operator(struct vconv *v)
{
	static const struct { const char *my, *pg; } ops[] = {
		{ "<>", "<>" }, { "!=", "<>" }, { "<=", "<=" }, { ">=", ">=" },
		{ "=", "=" }, { "<", "<" }, { ">", ">" }, { "+", "+" }, { "-", "-" }, { "*", "*" },
		{ ".", "." }, { "(", "(" }, { ")", ")" },
	};

	if (*v->p == ',') {
		if (v->limit == 2)
			return vrefuse(v, "LIMIT offset,count is MySQL-specific");
		v->p++;
		return buf_putc(v->out, ',');
	}
	v->limit = 0;
	if (strncmp(v->p, "<=>", 3) != 0 && strncmp(v->p, "--", 2) != 0) {
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			size_t n = strlen(ops[i].my);
			if (strncmp(v->p, ops[i].my, n) == 0) {
				v->p += n;
				return buf_puts(v->out, ops[i].pg);
			}
		}
	}
	return vrefuse(v, "the operator or character \"%.3s\" is MySQL-specific or means "
		       "something else in PostgreSQL", v->p);
}

static int view_token(struct vconv *v)
{
	char ch = *v->p;
	bool dot = ch == '.';
	int rc;

	if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
		v->p++;
		rc = buf_putc(v->out, ch);
	} else if (ch == '`') {
		rc = view_ident(v);
	} else if (ch == '\'' || ch == '"') {
		rc = view_string(v);
	} else if (ch >= '0' && ch <= '9') {
		rc = view_number(v);
	} else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_') {
		rc = view_word(v);
	} else {
		rc = view_operator(v);
	}
	v->after_dot = dot;
	return rc;
}

static int convert_view(struct vconv *v)
{
	while (*v->p)
		if (view_token(v) < 0)
			return -1;
	return 0;
}

static void view_notes(const struct schema_render_opts *o, const struct schema_view *v,
		       struct schema_ddl *out)
{
	name_notes(o, out, "view", v->name);
	if (str_ieq(v->security, "DEFINER"))
		schema__ddl_note(out, "SQL SECURITY DEFINER: the view runs with the privileges "
				 "of its PostgreSQL owner (the account that creates it); definer %s "
				 "is not carried", empty(v->definer) ? "(unknown)" : v->definer);
	if (str_ieq(v->algorithm, "TEMPTABLE"))
		schema__ddl_note(out, "ALGORITHM=TEMPTABLE is not carried (PostgreSQL plans "
				 "views itself)");
}

static void view_source(const struct schema_view *v, struct buf *b)
{
	buf_puts(b, "CREATE VIEW ");
	qid(&my_opts, v->name, b);
	buf_printf(b, " AS %s", empty(v->definition) ? "" : v->definition);
}

int schema__pg_view(const struct schema_render_opts *o, const struct schema_view *v,
		    const char *dst_schema, struct schema_ddl *out, struct err *err)
{
	struct vconv vc = { .o = o, .dst_schema = dst_schema };
	struct buf sel, b;

	if (!o || !v || empty(v->name) || empty(dst_schema) || !out)
		return bad_args(err, "a view");
	buf_init(&sel, BUF_UNLIMITED);
	buf_init(&b, BUF_UNLIMITED);
	vc.src_schema = v->schema ? v->schema : "";
	vc.p = v->definition ? v->definition : "";
	vc.out = &sel;
	if (empty(v->definition) || convert_view(&vc) < 0) {
		view_source(v, &b);
		schema__ddl_add(out, &b);
		schema__ddl_unsupported(out, "view \"%s\" is not converted: %s", v->name,
					empty(v->definition) ? "its definition could not be read "
					"(the reading account lacks SHOW VIEW)" : vc.why);
		goto cleanup;
	}
	buf_puts(&b, "CREATE VIEW ");
	qname(o, dst_schema, v->name, &b);
	if (str_ieq(v->security, "INVOKER"))
		buf_puts(&b, " WITH (security_invoker = true)");
	buf_printf(&b, " AS %s", buf_cstr(&sel));
	if (str_ieq(v->check_option, "CASCADED") || str_ieq(v->check_option, "LOCAL"))
		buf_printf(&b, " WITH %s CHECK OPTION",
			   str_ieq(v->check_option, "LOCAL") ? "LOCAL" : "CASCADED");
	schema__ddl_add(out, &b);
	view_notes(o, v, out);
cleanup:
	buf_release(&sel);
	buf_release(&b);
	return 0;
}

/* ---- stored programs: never converted ---------------------------------------- */

#define NOT_CONVERTED "MySQL stored program syntax is not converted; rewrite it in PL/pgSQL"

int schema__pg_routine(const struct schema_render_opts *o, const struct schema_routine *r,
		       const char *dst_schema, struct schema_ddl *out, struct err *err)
{
	const char *kind;
	struct buf b;

	if (!o || !r || empty(r->name) || empty(dst_schema) || !out)
		return bad_args(err, "a routine");
	kind = r->kind == SCHEMA_FUNCTION ? "function" : "procedure";
	buf_init(&b, BUF_UNLIMITED);
	if (empty(r->create_sql)) {
		buf_printf(&b, "-- the source text of %s ", kind);
		qid(&my_opts, r->name, &b);
		buf_puts(&b, " could not be read");
		schema__ddl_add(out, &b);
		schema__ddl_unsupported(out, NOT_CONVERTED " (and its source text could not be "
					"read: the reading account lacks the privilege to see it)");
	} else {
		buf_puts(&b, r->create_sql);
		schema__ddl_add(out, &b);
		schema__ddl_unsupported(out, NOT_CONVERTED);
	}
	buf_release(&b);
	return 0;
}

int schema__pg_trigger(const struct schema_render_opts *o, const struct schema_trigger *tr,
		       const char *dst_schema, const char *dst_table, struct schema_ddl *out,
		       struct err *err)
{
	struct buf b;

	if (!o || !tr || empty(tr->name) || empty(dst_schema) || empty(dst_table) || !out)
		return bad_args(err, "a trigger");
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "CREATE TRIGGER ");
	qid(&my_opts, tr->name, &b);
	buf_printf(&b, " %s %s ON ", empty(tr->timing) ? "" : tr->timing,
		   empty(tr->event) ? "" : tr->event);
	qid(&my_opts, empty(tr->table) ? dst_table : tr->table, &b);
	buf_printf(&b, " FOR EACH ROW %s", empty(tr->statement) ? "" : tr->statement);
	schema__ddl_add(out, &b);
	schema__ddl_unsupported(out, NOT_CONVERTED);
	buf_release(&b);
	return 0;
}
