/*
 * schema_plan.c - the plan of the schema step (02): every object the job
 * creates in the destination, in creation order, each with its DDL rendered
 * for the destination dialect (schema/ddl.h) and the names it gets there.
 *
 * What is selected (DbList, ACTIONS.md sec. 4): the tables schema_selection_
 * resolve() gives, with their secondary indexes and foreign keys; triggers
 * of selected tables; views of a database selected as a whole ("all") or
 * listed by name; functions and procedures of a database selected as a
 * whole (as the precheck assumes, precheck__dst_schema_of_db()).
 *
 * Threads: built on the step's thread; read-only for the workers afterwards
 * except the outcome fields (schema_internal.h). Owns every string; the
 * catalog and selection stay alive as long as the plan (the resolved tables
 * borrow from them).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "job/job.h"
#include "steps/schema_internal.h"
#include "steps/source.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

#define IDENT_MAX 320    /* a MySQL name is 64 characters of up to 4 bytes */

/* Default charset and collation of a source database. */
struct db_charset {
	char *db, *charset, *collation;
};

/* What the destination has now: sorted "schema\x1fname" keys (relations)
 * and schema names, lower-cased when the destination ignores case. */
struct dst_names {
	char **schemas;
	size_t n_schemas;
	char **rels;
	size_t n_rels;
};

const char *schema__kind_phase(enum schema_kind k)
{
	static const char *const phases[] = {
		"Database", "Table", "View", "Function", "Procedure", "Trigger", "Index",
		"ForeignKey",
	};

	return (size_t)k < sizeof(phases) / sizeof(phases[0]) ? phases[k] : "Object";
}

const char *schema__state_name(enum schema_state s)
{
	static const char *const names[] = { "NotStarted", "NotStarted", "Migrating", "Success",
					     "Failed" };

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "NotStarted";
}

/* ---- object outcome helpers ----------------------------------------------- */

void schema__obj_log(struct schema_obj *o, const char *level, const char *data,
		     const char *fmt, ...)
{
	struct schema_log *l;
	va_list ap;
	int n;

	o->logs = xrealloc(o->logs, (o->n_logs + 1) * sizeof(*o->logs));
	l = &o->logs[o->n_logs++];
	l->level = xstrdup(level);
	l->type = xstrdup(schema__kind_phase(o->kind));
	l->data = xstrdup(data ? data : "");
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	l->msg = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(l->msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

void schema__obj_fail(struct schema_obj *o, const char *err_msg, const char *data,
		      const char *log_msg)
{
	o->state = SCHEMA_S_FAILED;
	free(o->err_msg);
	o->err_msg = xstrdup(err_msg);
	schema__obj_log(o, "ERROR", data, "%s", log_msg);
}

void schema__obj_reset(struct schema_obj *o)
{
	for (size_t i = 0; i < o->n_logs; i++) {
		free(o->logs[i].level);
		free(o->logs[i].type);
		free(o->logs[i].msg);
		free(o->logs[i].data);
	}
	free(o->logs);
	o->logs = NULL;
	o->n_logs = 0;
	free(o->err_msg);
	o->err_msg = NULL;
	o->state = SCHEMA_S_NONE;
	o->boot_ms = o->finish_ms = 0;
}

/* ---- names ---------------------------------------------------------------- */

/* A name as the renderers write it in the destination (schema_quote_ident):
 * unchanged on MySQL; on PostgreSQL folded to lower case with
 * dbListCaseChangeMode "dest_lower", then shortened to 63 bytes
 * (schema_ident_fit). */
static char *dst_ident(const struct schema_plan *p, const char *raw)
{
	return schema_dst_ident(&p->opts, raw);
}

static char *rel_key(const char *schema, const char *name, bool ci)
{
	char *k = xasprintf("%s\x1f%s", schema, name);

	for (char *c = k; ci && *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c + 32);
	return k;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool names_has(char **v, size_t n, const char *k)
{
	return n && bsearch(&k, v, n, sizeof(*v), cmp_str) != NULL;
}

static void names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- building objects ----------------------------------------------------- */

static const struct schema_sel_db *sel_db(const struct schema_plan *p, const char *src)
{
	for (size_t i = 0; i < p->sel.n_dbs; i++)
		if (strcmp(p->sel.dbs[i].src, src) == 0)
			return &p->sel.dbs[i];
	return NULL;
}

static const struct schema_sel_table *sel_table(const struct schema_sel_db *db, const char *name)
{
	for (size_t i = 0; db && i < db->n_tables; i++)
		if (strcmp(db->tables[i].src_name, name) == 0)
			return &db->tables[i];
	return NULL;
}

/* Adds an object; its key is "<Phase>:<schema>.[<parent>.]<name>" in
 * destination names. Returns its index (pointers move on the next add). */
static size_t obj_add(struct schema_plan *p, enum schema_kind kind, enum schema_wave wave,
		      const char *src_schema, const char *dst_schema, const char *src_name,
		      const char *dst_name, size_t table)
{
	struct schema_obj *o;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->objs = xrealloc(p->objs, p->cap * sizeof(*p->objs));
	}
	o = &p->objs[p->n];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->wave = wave;
	o->order_num = (int)p->n + 1;
	o->src_schema = xstrdup(src_schema);
	o->dst_schema = dst_ident(p, dst_schema);
	o->src_name = xstrdup(src_name);
	o->name = dst_ident(p, dst_name);
	o->table = table;
	o->unit_next = SCHEMA_NONE;
	o->parent = xstrdup(table == SCHEMA_NONE ? "" : p->objs[table].name);
	if (table == SCHEMA_NONE)
		o->key = xasprintf("%s:%s.%s", schema__kind_phase(kind), o->dst_schema, o->name);
	else
		o->key = xasprintf("%s:%s.%s.%s", schema__kind_phase(kind), o->dst_schema,
				   o->parent, o->name);
	return p->n++;
}

/* The destination name of an index: MySQL keeps it (names are per table);
 * render_pg.c writes "<table>_<index>" (names are per schema there). */
static char *index_name(const struct schema_plan *p, const struct schema_resolved *r,
			const struct schema_index *ix)
{
	return p->pg ? xasprintf("%s_%s", r->dst_name, ix->name) : xstrdup(ix->name);
}

/* Keeps the renderer's answer: DdlSql, or why it could not render. */
static void rendered(struct schema_plan *p, size_t i, int rc, const struct err *e)
{
	struct schema_obj *o = &p->objs[i];

	if (rc < 0)
		o->render_error = xstrdup(e->msg[0] ? e->msg : "the DDL renderer failed");
	o->ddl_text = schema_ddl_text(&o->ddl);
}

static void add_databases(struct schema_plan *p, const struct db_charset *cs, size_t n_cs)
{
	for (size_t i = 0; i < p->sel.n_dbs; i++) {
		const struct schema_sel_db *db = &p->sel.dbs[i];
		const char *charset = "", *collation = "";
		char *name = dst_ident(p, db->dst);
		bool dup = false, present = false;
		struct err e = { 0 };

		for (size_t k = 0; k < p->n && !dup; k++)
			dup = strcmp(p->objs[k].name, name) == 0;
		free(name);
		for (size_t k = 0; k < n_cs; k++)
			if (strcmp(cs[k].db, db->src) == 0) {
				charset = cs[k].charset;
				collation = cs[k].collation;
				present = true;
			}
		if (dup || !present)
			continue;
		size_t o = obj_add(p, SCHEMA_K_DATABASE, SCHEMA_W_DATABASE, db->src, db->dst,
				   db->src, db->dst, SCHEMA_NONE);
		rendered(p, o, schema_render_database(&p->opts, db->dst, charset, collation,
						      &p->objs[o].ddl, &e), &e);
	}
}

/* Tables, then the row keys of tables without a primary key; table_obj[i]
 * gets the object of p->tables[i]. */
static void add_tables(struct schema_plan *p, size_t *table_obj)
{
	for (size_t i = 0; i < p->n_tables; i++) {
		const struct schema_resolved *r = &p->tables[i];
		struct err e = { 0 };
		size_t o = obj_add(p, SCHEMA_K_TABLE, SCHEMA_W_TABLE, r->table->schema,
				   r->dst_schema, r->table->name, r->dst_name, SCHEMA_NONE);

		table_obj[i] = o;
		rendered(p, o, schema_render_table(&p->opts, r, &p->objs[o].ddl, &e), &e);
	}
	for (size_t i = 0; i < p->n_tables; i++) {
		const struct schema_resolved *r = &p->tables[i];
		const struct schema_index *rk = schema_row_key(r->table);
		struct err e = { 0 };

		if (!rk || rk->primary)
			continue;
		char *dst = index_name(p, r, rk);
		size_t o = obj_add(p, SCHEMA_K_INDEX, SCHEMA_W_ROW_KEY, r->table->schema,
				   r->dst_schema, rk->name, dst, table_obj[i]);
		free(dst);
		rendered(p, o, schema_render_index(&p->opts, r, rk, &p->objs[o].ddl, &e), &e);
	}
}

static void add_views(struct schema_plan *p)
{
	for (size_t i = 0; i < p->catalog.n_views; i++) {
		const struct schema_view *v = &p->catalog.views[i];
		const struct schema_sel_db *db = sel_db(p, v->schema);
		const struct schema_sel_table *listed = sel_table(db, v->name);
		struct schema_view renamed;
		struct err e = { 0 };

		if (!db || (!db->all && !listed))
			continue;
		renamed = *v;
		renamed.name = listed ? listed->dst_name : v->name;
		size_t o = obj_add(p, SCHEMA_K_VIEW, SCHEMA_W_VIEW, v->schema, db->dst, v->name,
				   renamed.name, SCHEMA_NONE);
		rendered(p, o, schema_render_view(&p->opts, &renamed, db->dst, &p->objs[o].ddl, &e),
			 &e);
	}
}

static void add_routines(struct schema_plan *p)
{
	for (size_t i = 0; i < p->catalog.n_routines; i++) {
		const struct schema_routine *r = &p->catalog.routines[i];
		const struct schema_sel_db *db = sel_db(p, r->schema);
		struct err e = { 0 };

		if (!db || !db->all)
			continue;
		size_t o = obj_add(p, r->kind == SCHEMA_FUNCTION ? SCHEMA_K_FUNCTION
								 : SCHEMA_K_PROCEDURE,
				   SCHEMA_W_ROUTINE, r->schema, db->dst, r->name, r->name,
				   SCHEMA_NONE);
		rendered(p, o, schema_render_routine(&p->opts, r, db->dst, &p->objs[o].ddl, &e), &e);
	}
}

/* Secondary indexes (without the row key added with the table), then FKs. */
static void add_indexes_fks(struct schema_plan *p, const size_t *table_obj)
{
	for (size_t i = 0; i < p->n_tables; i++) {
		const struct schema_resolved *r = &p->tables[i];
		const struct schema_index *rk = schema_row_key(r->table);

		for (size_t k = 0; k < r->table->n_indexes; k++) {
			const struct schema_index *ix = &r->table->indexes[k];
			struct err e = { 0 };

			if (ix->primary || ix == rk)
				continue;
			char *dst = index_name(p, r, ix);
			size_t o = obj_add(p, SCHEMA_K_INDEX, SCHEMA_W_INDEX, r->table->schema,
					   r->dst_schema, ix->name, dst, table_obj[i]);
			free(dst);
			rendered(p, o, schema_render_index(&p->opts, r, ix, &p->objs[o].ddl, &e), &e);
		}
	}
	for (size_t i = 0; i < p->n_tables; i++) {
		const struct schema_resolved *r = &p->tables[i];

		for (size_t k = 0; k < r->table->n_fks; k++) {
			const struct schema_fk *fk = &r->table->fks[k];
			struct err e = { 0 };
			size_t o = obj_add(p, SCHEMA_K_FK, SCHEMA_W_FK, r->table->schema,
					   r->dst_schema, fk->name, fk->name, table_obj[i]);

			rendered(p, o, schema_render_fk(&p->opts, r, fk, p->tables, p->n_tables,
							&p->objs[o].ddl, &e), &e);
		}
	}
}

static void add_triggers(struct schema_plan *p, const size_t *table_obj)
{
	for (size_t i = 0; i < p->catalog.n_triggers; i++) {
		const struct schema_trigger *tr = &p->catalog.triggers[i];
		size_t t = SCHEMA_NONE;
		struct err e = { 0 };

		for (size_t k = 0; k < p->n_tables && t == SCHEMA_NONE; k++)
			if (strcmp(p->tables[k].table->schema, tr->schema) == 0 &&
			    strcmp(p->tables[k].table->name, tr->table) == 0)
				t = k;
		if (t == SCHEMA_NONE)
			continue;
		const struct schema_resolved *r = &p->tables[t];
		size_t o = obj_add(p, SCHEMA_K_TRIGGER, SCHEMA_W_TRIGGER, tr->schema,
				   r->dst_schema, tr->name, tr->name, table_obj[t]);
		rendered(p, o, schema_render_trigger(&p->opts, tr, r->dst_schema, r->dst_name,
						     &p->objs[o].ddl, &e), &e);
	}
}

/* ---- keys ----------------------------------------------------------------- */

/* qsort has no context argument; each step thread sorts its own plan. */
static _Thread_local const struct schema_plan *sort_plan;

static int cmp_key(const void *a, const void *b)
{
	const struct schema_obj *objs = sort_plan->objs;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(objs[x].key, objs[y].key);

	/* Equal keys in plan order, so the "#2" of index_keys() goes to the
	 * same object on every run (its checkpoints are found again). */
	return c ? c : (x > y) - (x < y);
}

/* Sorts the key index; a key that two objects share (two source databases
 * renamed into one, names equal after folding) gets "#2", "#3"... so every
 * object keeps an item of its own (the second one fails "already exists"). */
static void index_keys(struct schema_plan *p)
{
	p->by_key = xcalloc(p->n ? p->n : 1, sizeof(*p->by_key));
	for (size_t i = 0; i < p->n; i++)
		p->by_key[i] = i;
	sort_plan = p;
	qsort(p->by_key, p->n, sizeof(*p->by_key), cmp_key);
	for (size_t i = 1, dup = 1; i < p->n; i++) {
		struct schema_obj *o = &p->objs[p->by_key[i]];
		char *k;

		if (strcmp(o->key, p->objs[p->by_key[i - 1]].key) != 0) {
			dup = 1;
			continue;
		}
		k = xasprintf("%s#%zu", o->key, ++dup);
		free(o->key);
		o->key = k;
	}
	qsort(p->by_key, p->n, sizeof(*p->by_key), cmp_key);
	sort_plan = NULL;
}

size_t schema__plan_find(const struct schema_plan *p, const char *key)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->objs[p->by_key[mid]].key, key);

		if (c == 0)
			return p->by_key[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SCHEMA_NONE;
}

/* ---- the source ------------------------------------------------------------ */

static int read_charsets(struct my_conn *src, const struct schema_selection *sel,
			 struct db_charset **out, size_t *n, struct err *err)
{
	struct my_rows *r;
	struct buf q;

	buf_init(&q, BUF_UNLIMITED);
	buf_puts(&q, "SELECT SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME "
		 "FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (");
	for (size_t i = 0; i < sel->n_dbs; i++) {
		if (i)
			buf_putc(&q, ',');
		my_quote_literal(src, &q, sel->dbs[i].src);
	}
	buf_putc(&q, ')');
	r = my_query_rows(src, buf_cstr(&q), err);
	buf_release(&q);
	if (!r)
		return -1;
	*out = xcalloc(my_rows_count(r) + 1, sizeof(**out));
	*n = 0;
	while (my_rows_next(r)) {
		struct db_charset *c = &(*out)[(*n)++];
		const char *cs = my_rows_get(r, 1), *co = my_rows_get(r, 2);

		c->db = xstrdup(my_rows_get(r, 0) ? my_rows_get(r, 0) : "");
		c->charset = xstrdup(cs ? cs : "");
		c->collation = xstrdup(co ? co : "");
	}
	my_rows_free(r);
	return 0;
}

static void charsets_free(struct db_charset *cs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(cs[i].db);
		free(cs[i].charset);
		free(cs[i].collation);
	}
	free(cs);
}

static int read_source(struct schema_plan *p, const struct step_ctx *ctx,
		       struct db_charset **cs, size_t *n_cs, struct err *err)
{
	struct my_conn *src = step__connect_my(&ctx->job->src, step__timeout_s(ctx), err);
	int rc = -1;

	if (!src)
		return -1;
	if (step__catalog_read(src, &p->sel, &p->catalog, &p->tables, &p->n_tables,
			       &p->missing, &p->n_missing, err) < 0)
		goto cleanup;
	p->have_catalog = true;
	if (read_charsets(src, &p->sel, cs, n_cs, err) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	if (rc < 0)
		err_prefix(err, "reading the source schema");
	my_close(src);
	return rc;
}

/* ---- the destination ------------------------------------------------------- */

static void names_add(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* The plan's destination schemas, quoted as literals for an IN list. */
static void my_schema_list(const struct schema_plan *p, struct my_conn *c, struct buf *q)
{
	size_t k = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->objs[i].kind == SCHEMA_K_DATABASE) {
			if (k++)
				buf_putc(q, ',');
			my_quote_literal(c, q, p->objs[i].dst_schema);
		}
	if (!k)
		buf_puts(q, "NULL");
}

static int my_probe(struct schema_plan *p, struct my_conn *c, struct dst_names *d,
		    struct err *err)
{
	struct my_rows *r = NULL;
	char *lctn = NULL;
	struct buf q;
	int rc = -1;

	buf_init(&q, BUF_UNLIMITED);
	if (my_query_value(c, "SELECT @@lower_case_table_names", &lctn, err) < 0)
		goto cleanup;
	p->ci = lctn && atoi(lctn) != 0;
	if (!(r = my_query_rows(c, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA", err)))
		goto cleanup;
	while (my_rows_next(r))
		names_add(&d->schemas, &d->n_schemas, rel_key(my_rows_get(r, 0), "", p->ci));
	my_rows_free(r);
	buf_puts(&q, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
		 "WHERE TABLE_SCHEMA IN (");
	my_schema_list(p, c, &q);
	buf_putc(&q, ')');
	if (!(r = my_query_rows(c, buf_cstr(&q), err)))
		goto cleanup;
	while (my_rows_next(r))
		names_add(&d->rels, &d->n_rels,
			  rel_key(my_rows_get(r, 0), my_rows_get(r, 1), p->ci));
	my_rows_free(r);
	rc = 0;
cleanup:
	free(lctn);
	buf_release(&q);
	return rc;
}

/* The plan's destination schemas as a PostgreSQL text[] literal. */
static void pg_schema_array(const struct schema_plan *p, struct buf *a)
{
	size_t k = 0;

	buf_putc(a, '{');
	for (size_t i = 0; i < p->n; i++) {
		if (p->objs[i].kind != SCHEMA_K_DATABASE)
			continue;
		if (k++)
			buf_putc(a, ',');
		buf_putc(a, '"');
		for (const char *s = p->objs[i].dst_schema; *s; s++) {
			if (*s == '"' || *s == '\\')
				buf_putc(a, '\\');
			buf_putc(a, *s);
		}
		buf_putc(a, '"');
	}
	buf_putc(a, '}');
}

static int pg_probe(struct schema_plan *p, struct pg_conn *c, struct dst_names *d,
		    struct err *err)
{
	struct pg_rows *r;
	struct buf a;
	const char *param;

	if (!(r = pg_query_rows(c, "SELECT nspname FROM pg_namespace", 0, NULL, err)))
		return -1;
	for (size_t i = 0; i < pg_rows_count(r); i++)
		names_add(&d->schemas, &d->n_schemas, rel_key(pg_rows_get(r, i, 0), "", false));
	pg_rows_free(r);
	buf_init(&a, BUF_UNLIMITED);
	pg_schema_array(p, &a);
	param = buf_cstr(&a);
	r = pg_query_rows(c, "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
			  "ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','v','m','f') "
			  "AND n.nspname = ANY($1::text[])", 1, &param, err);
	buf_release(&a);
	if (!r)
		return -1;
	for (size_t i = 0; i < pg_rows_count(r); i++)
		names_add(&d->rels, &d->n_rels,
			  rel_key(pg_rows_get(r, i, 0), pg_rows_get(r, i, 1), false));
	pg_rows_free(r);
	return 0;
}

/* Marks the databases and tables that the destination already has. */
static int probe_destination(struct schema_plan *p, const struct step_ctx *ctx,
			     struct err *err)
{
	struct dst_names d = { 0 };
	int t = step__timeout_s(ctx), rc = -1;

	if (p->pg) {
		struct pg_conn *c = step__connect_pg(&ctx->job->dst, t, err);
		rc = c ? pg_probe(p, c, &d, err) : -1;
		pg_close(c);
	} else {
		struct my_conn *c = step__connect_my(&ctx->job->dst, t, err);
		rc = c ? my_probe(p, c, &d, err) : -1;
		my_close(c);
	}
	if (rc < 0) {
		err_prefix(err, "reading the destination catalog");
		goto cleanup;
	}
	if (d.n_schemas)
		qsort(d.schemas, d.n_schemas, sizeof(char *), cmp_str);
	if (d.n_rels)
		qsort(d.rels, d.n_rels, sizeof(char *), cmp_str);
	for (size_t i = 0; i < p->n; i++) {
		struct schema_obj *o = &p->objs[i];
		bool db = o->kind == SCHEMA_K_DATABASE;
		char *k;

		if (!db && o->kind != SCHEMA_K_TABLE)
			continue;
		k = rel_key(o->dst_schema, db ? "" : o->name, p->ci && !db);
		o->exists = db ? names_has(d.schemas, d.n_schemas, k) : names_has(d.rels, d.n_rels, k);
		free(k);
	}
cleanup:
	names_free(d.schemas, d.n_schemas);
	names_free(d.rels, d.n_rels);
	return rc;
}

/* ---- the plan -------------------------------------------------------------- */

static void plan_options(struct schema_plan *p, const struct meta_job *job)
{
	char v[32];

	p->pg = step__dst_is_pg(job);
	p->opts.dialect = p->pg ? SCHEMA_DIALECT_PG : SCHEMA_DIALECT_MYSQL;
	job_reserve_get(job->reserve, "dbListCaseChangeMode", "default", v, sizeof(v));
	p->opts.fold_lower = str_ieq(v, "dest_lower");
	job_reserve_get(job->reserve, "targetTableMode", "0", v, sizeof(v));
	p->keep_existing = strcmp(v, "2") == 0;
	p->opts.if_not_exists = p->keep_existing;
}

static void build_objects(struct schema_plan *p, const struct db_charset *cs, size_t n_cs)
{
	size_t *table_obj = xcalloc(p->n_tables ? p->n_tables : 1, sizeof(*table_obj));

	add_databases(p, cs, n_cs);
	add_tables(p, table_obj);
	add_views(p);
	add_routines(p);
	add_indexes_fks(p, table_obj);
	add_triggers(p, table_obj);
	free(table_obj);
	index_keys(p);
}

int schema__plan_build(struct schema_plan *p, const struct step_ctx *ctx, struct err *err)
{
	struct db_charset *cs = NULL;
	size_t n_cs = 0;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	plan_options(p, ctx->job);
	if (step__selection_read(ctx->job, &p->sel, err) < 0)
		return -1;
	p->have_sel = true;
	if (read_source(p, ctx, &cs, &n_cs, err) < 0)
		goto cleanup;
	for (size_t i = 0; i < p->n_missing; i++)
		log_warn("schema.missing", "job_id=%s object=\"%s\" msg=\"selected in DbList, "
			 "absent from the source\"", ctx->job->id, p->missing[i]);
	build_objects(p, cs, n_cs);
	if (probe_destination(p, ctx, err) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	charsets_free(cs, n_cs);
	return rc;
}

void schema__plan_release(struct schema_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct schema_obj *o = &p->objs[i];

		schema__obj_reset(o);
		free(o->key);
		free(o->name);
		free(o->src_name);
		free(o->src_schema);
		free(o->dst_schema);
		free(o->parent);
		free(o->ddl_text);
		free(o->render_error);
		schema_ddl_release(&o->ddl);
	}
	free(p->objs);
	free(p->by_key);
	for (size_t i = 0; i < p->n_missing; i++)
		free(p->missing[i]);
	free(p->missing);
	free(p->tables);
	if (p->have_catalog)
		schema_catalog_release(&p->catalog);
	if (p->have_sel)
		schema_selection_release(&p->sel);
	memset(p, 0, sizeof(*p));
}
