/*
 * precheck_dstcat.c - shared by the destination-side precheck items (see
 * precheck_dstcat.h): destination names, the destination catalog read in
 * bulk, the MySQL user's grants, capped lists.
 *
 * Threads: called from the precheck's destination thread (and the
 * comparison stage after it); each function uses only its arguments.
 */
#include "steps/precheck_dstcat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/typemap.h"
#include "util/str.h"
#include "util/xalloc.h"

#define LIST_SHOWN_MAX 4000      /* bytes of items shown before "and N more" */
#define IDENT_MAX 320            /* a MySQL name is 64 characters, up to 256 bytes */

/* ---- lists ----------------------------------------------------------------- */

void precheck__list_init(struct precheck_list *l)
{
	memset(l, 0, sizeof(*l));
	buf_init(&l->b, BUF_UNLIMITED);
}

void precheck__list_add(struct precheck_list *l, const char *fmt, ...)
{
	char item[1200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	l->n++;
	free(l->text);          /* the cached text is stale now */
	l->text = NULL;
	if (l->hidden || l->b.len + strlen(item) > LIST_SHOWN_MAX) {
		l->hidden++;
		return;
	}
	buf_printf(&l->b, "%s%s", l->b.len ? ", " : "", item);
}

const char *precheck__list_cstr(struct precheck_list *l)
{
	if (l->text)
		return l->text;
	if (l->hidden)
		l->text = xasprintf("%s and %zu more", buf_cstr(&l->b), l->hidden);
	else
		l->text = xstrdup(buf_cstr(&l->b));
	return l->text;
}

void precheck__list_release(struct precheck_list *l)
{
	buf_release(&l->b);
	free(l->text);
	memset(l, 0, sizeof(*l));
}

/* ---- names ----------------------------------------------------------------- */

char *precheck__dst_ident(const struct precheck_dst_names *names, const char *raw)
{
	char folded[IDENT_MAX], fit[IDENT_MAX];

	precheck__case_apply(names->case_mode, raw, folded, sizeof(folded));
	if (!names->pg)
		return xstrdup(folded);
	schema_ident_fit(SCHEMA_DIALECT_PG, folded, fit, sizeof(fit));
	return xstrdup(fit);
}

static void add_schema(struct precheck_dst_names *names, char *schema)
{
	for (size_t i = 0; i < names->n_schemas; i++)
		if (strcmp(names->schemas[i], schema) == 0) {
			free(schema);
			return;
		}
	names->schemas = xrealloc(names->schemas, (names->n_schemas + 1) * sizeof(char *));
	names->schemas[names->n_schemas++] = schema;
}

void precheck__dst_names_build(const struct precheck_env *env, struct precheck_dst_names *out)
{
	memset(out, 0, sizeof(*out));
	out->pg = env->dst_engine == PRECHECK_DST_PG;
	out->case_mode = precheck__case_mode(env->job->reserve);
	for (size_t i = 0; env->have_selection && i < env->sel.n_dbs; i++)
		add_schema(out, precheck__dst_ident(out, env->sel.dbs[i].dst));
	out->t = xcalloc(env->n_tables ? env->n_tables : 1, sizeof(*out->t));
	out->n = env->n_tables;
	for (size_t i = 0; i < env->n_tables; i++) {
		out->t[i].r = &env->tables[i];
		out->t[i].schema = precheck__dst_ident(out, env->tables[i].dst_schema);
		out->t[i].name = precheck__dst_ident(out, env->tables[i].dst_name);
		add_schema(out, xstrdup(out->t[i].schema));
	}
}

void precheck__dst_names_release(struct precheck_dst_names *names)
{
	for (size_t i = 0; i < names->n; i++) {
		free(names->t[i].schema);
		free(names->t[i].name);
	}
	free(names->t);
	for (size_t i = 0; i < names->n_schemas; i++)
		free(names->schemas[i]);
	free(names->schemas);
	memset(names, 0, sizeof(*names));
}

const char *precheck__dst_schema_of_db(const struct precheck_env *env, const char *src_db)
{
	for (size_t i = 0; env->have_selection && i < env->sel.n_dbs; i++)
		if (strcmp(env->sel.dbs[i].src, src_db) == 0)
			return env->sel.dbs[i].all ? env->sel.dbs[i].dst : NULL;
	return NULL;
}

/* True when the destination schema of source database db (whole-database
 * selection) is schema. */
static bool db_lands_in(const struct precheck_env *env, const struct precheck_dst_names *names,
			const char *db, const char *schema)
{
	const char *dst = precheck__dst_schema_of_db(env, db);
	char *id;
	bool same;

	if (!dst)
		return false;
	id = precheck__dst_ident(names, dst);
	same = strcmp(id, schema) == 0;
	free(id);
	return same;
}

/* The destination schema of a selected source table, or NULL. */
static const char *table_lands_in(const struct precheck_dst_names *names, const char *db,
				  const char *table)
{
	for (size_t i = 0; i < names->n; i++)
		if (strcmp(names->t[i].r->table->schema, db) == 0 &&
		    strcmp(names->t[i].r->table->name, table) == 0)
			return names->t[i].schema;
	return NULL;
}

unsigned precheck__dst_names_object_privs(const struct precheck_env *env,
					  const struct precheck_dst_names *names,
					  const char *schema)
{
	const struct schema_catalog *c = &env->catalog;
	unsigned privs = 0;

	for (size_t i = 0; i < names->n; i++)
		if (names->t[i].r->table->n_fks && strcmp(names->t[i].schema, schema) == 0)
			privs |= PRECHECK_PRIV_REFERENCES;
	for (size_t i = 0; i < c->n_views && !(privs & PRECHECK_PRIV_CREATE_VIEW); i++)
		if (db_lands_in(env, names, c->views[i].schema, schema))
			privs |= PRECHECK_PRIV_CREATE_VIEW;
	for (size_t i = 0; i < c->n_routines && !(privs & PRECHECK_PRIV_CREATE_ROUTINE); i++)
		if (db_lands_in(env, names, c->routines[i].schema, schema))
			privs |= PRECHECK_PRIV_CREATE_ROUTINE;
	for (size_t i = 0; i < c->n_triggers && !(privs & PRECHECK_PRIV_TRIGGER); i++) {
		const char *dst = table_lands_in(names, c->triggers[i].schema, c->triggers[i].table);
		if (dst && strcmp(dst, schema) == 0)
			privs |= PRECHECK_PRIV_TRIGGER;
	}
	return privs;
}

/* ---- destination catalog ------------------------------------------------------ */

/* qsort/bsearch need the case rule without a context argument; the catalog
 * of one check is sorted and searched on one thread, so a thread-local
 * flag carries it. */
static _Thread_local bool sort_ci;

static int name_cmp(const char *a, const char *b)
{
	return sort_ci ? strcasecmp(a, b) : strcmp(a, b);
}

static int rel_cmp(const void *pa, const void *pb)
{
	const struct precheck_dstcat_rel *a = pa, *b = pb;
	int c = name_cmp(a->schema, b->schema);

	return c ? c : name_cmp(a->name, b->name);
}

static void rel_add(struct precheck_dstcat *cat, const char *schema, const char *name,
		    char kind, const char *missing)
{
	struct precheck_dstcat_rel *r;

	cat->rels = xrealloc(cat->rels, (cat->n_rels + 1) * sizeof(*cat->rels));
	r = &cat->rels[cat->n_rels++];
	r->schema = xstrdup(schema ? schema : "");
	r->name = xstrdup(name ? name : "");
	r->kind = kind;
	r->missing = missing && *missing ? xstrdup(missing) : NULL;
}

static void schema_add(struct precheck_dstcat *cat, const char *name, bool usage, bool create)
{
	struct precheck_dstcat_schema *s;

	cat->schemas = xrealloc(cat->schemas, (cat->n_schemas + 1) * sizeof(*cat->schemas));
	s = &cat->schemas[cat->n_schemas++];
	s->name = xstrdup(name ? name : "");
	s->usage = usage;
	s->create = create;
}

static char my_kind(const char *table_type)
{
	if (!table_type)
		return 'O';
	if (strcmp(table_type, "BASE TABLE") == 0 || strcmp(table_type, "SYSTEM VERSIONED") == 0)
		return 'T';
	return strcmp(table_type, "VIEW") == 0 ? 'V' : 'O';
}

static int my_read_rels(struct my_conn *c, const struct precheck_dst_names *names,
			struct precheck_dstcat *cat, struct err *err)
{
	struct my_rows *r;
	struct buf q;

	if (names->n_schemas == 0)
		return 0;
	buf_init(&q, BUF_UNLIMITED);
	buf_puts(&q, "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
		 "WHERE TABLE_SCHEMA IN (");
	for (size_t i = 0; i < names->n_schemas; i++) {
		if (i)
			buf_putc(&q, ',');
		my_quote_literal(c, &q, names->schemas[i]);
	}
	buf_putc(&q, ')');
	r = my_query_rows(c, buf_cstr(&q), err);
	buf_release(&q);
	if (!r)
		return -1;
	while (my_rows_next(r))
		rel_add(cat, my_rows_get(r, 0), my_rows_get(r, 1), my_kind(my_rows_get(r, 2)), NULL);
	my_rows_free(r);
	return 0;
}

static int my_read(struct my_conn *c, const struct precheck_dst_names *names,
		   struct precheck_dstcat *cat, struct err *err)
{
	struct my_rows *r;
	char *lctn = NULL;

	if (my_query_value(c, "SELECT @@lower_case_table_names", &lctn, err) < 0)
		return -1;
	cat->lower_case_table_names = lctn ? atoi(lctn) : 0;
	cat->ci = cat->lower_case_table_names != 0;
	free(lctn);
	r = my_query_rows(c, "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA", err);
	if (!r)
		return -1;
	while (my_rows_next(r))
		schema_add(cat, my_rows_get(r, 0), true, true);
	my_rows_free(r);
	return my_read_rels(c, names, cat, err);
}

/* "$1,$2,..." for n parameters. */
static void pg_params(struct buf *q, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(q, "%s$%zu", i ? "," : "", i + 1);
}

static char pg_kind(const char *relkind)
{
	if (!relkind)
		return 'O';
	if (*relkind == 'r' || *relkind == 'p')
		return 'T';
	return *relkind == 'v' || *relkind == 'm' ? 'V' : 'O';
}

/* The data privileges lacking on one table, from four t/f columns. */
static void pg_missing(const struct pg_rows *r, size_t row, int col0, char *out, size_t n)
{
	static const char *const privs[] = { "SELECT", "INSERT", "UPDATE", "DELETE" };
	size_t len = 0;

	out[0] = '\0';
	for (int k = 0; k < 4; k++) {
		const char *v = pg_rows_get(r, row, col0 + k);
		if (v && strcmp(v, "f") == 0)
			len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "", privs[k]);
	}
}

static int pg_read_rels(struct pg_conn *c, const struct precheck_dst_names *names,
			struct precheck_dstcat *cat, struct err *err)
{
	struct pg_rows *r;
	struct buf q;
	char miss[64];

	if (names->n_schemas == 0)
		return 0;
	buf_init(&q, BUF_UNLIMITED);
	buf_puts(&q, "SELECT n.nspname, c.relname, c.relkind, "
		 "has_table_privilege(c.oid, 'SELECT'), has_table_privilege(c.oid, 'INSERT'), "
		 "has_table_privilege(c.oid, 'UPDATE'), has_table_privilege(c.oid, 'DELETE') "
		 "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
		 "WHERE n.nspname IN (");
	pg_params(&q, names->n_schemas);
	buf_putc(&q, ')');
	r = pg_query_rows(c, buf_cstr(&q), (int)names->n_schemas,
			  (const char *const *)names->schemas, err);
	buf_release(&q);
	if (!r)
		return -1;
	for (size_t i = 0; i < pg_rows_count(r); i++) {
		char kind = pg_kind(pg_rows_get(r, i, 2));

		pg_missing(r, i, 3, miss, sizeof(miss));
		rel_add(cat, pg_rows_get(r, i, 0), pg_rows_get(r, i, 1), kind,
			kind == 'T' ? miss : NULL);
	}
	pg_rows_free(r);
	return 0;
}

static int pg_read(struct pg_conn *c, const struct precheck_dst_names *names,
		   struct precheck_dstcat *cat, struct err *err)
{
	struct pg_rows *r;

	cat->lower_case_table_names = -1;
	r = pg_query_rows(c, "SELECT nspname, has_schema_privilege(oid, 'USAGE'), "
			  "has_schema_privilege(oid, 'CREATE') FROM pg_namespace", 0, NULL, err);
	if (!r)
		return -1;
	for (size_t i = 0; i < pg_rows_count(r); i++) {
		const char *u = pg_rows_get(r, i, 1), *cr = pg_rows_get(r, i, 2);
		schema_add(cat, pg_rows_get(r, i, 0), u && *u == 't', cr && *cr == 't');
	}
	pg_rows_free(r);
	return pg_read_rels(c, names, cat, err);
}

int precheck__dstcat_read(const struct precheck_env *env, const struct precheck_dst_names *names,
			  struct precheck_dstcat *out, struct err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = env->dst_engine == PRECHECK_DST_PG ? pg_read(env->dst_pg, names, out, err)
						: my_read(env->dst_my, names, out, err);
	if (rc < 0) {
		precheck__dstcat_release(out);
		return -1;
	}
	sort_ci = out->ci;
	if (out->n_rels)
		qsort(out->rels, out->n_rels, sizeof(*out->rels), rel_cmp);
	return 0;
}

void precheck__dstcat_release(struct precheck_dstcat *cat)
{
	for (size_t i = 0; i < cat->n_schemas; i++)
		free(cat->schemas[i].name);
	free(cat->schemas);
	for (size_t i = 0; i < cat->n_rels; i++) {
		free(cat->rels[i].schema);
		free(cat->rels[i].name);
		free(cat->rels[i].missing);
	}
	free(cat->rels);
	memset(cat, 0, sizeof(*cat));
}

static const struct precheck_dstcat_schema *find_schema(const struct precheck_dstcat *cat,
							const char *schema)
{
	for (size_t i = 0; i < cat->n_schemas; i++)
		if (cat->ci ? str_ieq(cat->schemas[i].name, schema)
			    : strcmp(cat->schemas[i].name, schema) == 0)
			return &cat->schemas[i];
	return NULL;
}

bool precheck__dstcat_has_schema(const struct precheck_dstcat *cat, const char *schema)
{
	return find_schema(cat, schema) != NULL;
}

static const struct precheck_dstcat_rel *find_rel(const struct precheck_dstcat *cat,
						  const char *schema, const char *name)
{
	struct precheck_dstcat_rel key = { .schema = (char *)schema, .name = (char *)name };

	if (!cat->n_rels)
		return NULL;
	sort_ci = cat->ci;
	return bsearch(&key, cat->rels, cat->n_rels, sizeof(*cat->rels), rel_cmp);
}

char precheck__dstcat_kind(const struct precheck_dstcat *cat, const char *schema,
			   const char *name)
{
	const struct precheck_dstcat_rel *r = find_rel(cat, schema, name);

	return r ? r->kind : 0;
}

bool precheck__dstcat_schema_priv(const struct precheck_dstcat *cat, const char *schema,
				  const char *priv)
{
	const struct precheck_dstcat_schema *s = find_schema(cat, schema);

	if (!s)
		return false;
	return strcmp(priv, "CREATE") == 0 ? s->create : s->usage;
}

const char *precheck__dstcat_table_missing(const struct precheck_dstcat *cat,
					   const char *schema, const char *name)
{
	const struct precheck_dstcat_rel *r = find_rel(cat, schema, name);

	return r && r->kind == 'T' ? r->missing : NULL;
}

/* ---- MySQL grants -------------------------------------------------------------- */

static int grants_add_rows(struct my_conn *c, const char *sql, struct precheck_grants *gr,
			   struct err *err)
{
	struct my_rows *r = my_query_rows(c, sql, err);

	if (!r)
		return -1;
	while (my_rows_next(r)) {
		struct precheck_grant g;

		if (precheck__grant_parse(my_rows_get(r, 0), &g) != 1)
			continue;
		gr->g = xrealloc(gr->g, (gr->n + 1) * sizeof(*gr->g));
		gr->g[gr->n++] = g;
		gr->has_table_grants = gr->has_table_grants || g.level == PRECHECK_GRANT_TABLE;
	}
	my_rows_free(r);
	return 0;
}

int precheck__grants_read(struct my_conn *c, struct precheck_grants *gr, struct err *err)
{
	char *version = NULL, *roles = NULL, *sql = NULL;
	int rc = -1;

	memset(gr, 0, sizeof(*gr));
	if (my_query_value(c, "SELECT CURRENT_USER()", &gr->current_user, err) < 0 ||
	    my_query_value(c, "SELECT VERSION()", &version, err) < 0)
		goto cleanup;
	if (!gr->current_user)
		gr->current_user = xstrdup("");
	/* MariaDB's SHOW GRANTS includes the current role's grants; MySQL 8
	 * shows them only with USING and the active roles. */
	if (grants_add_rows(c, "SHOW GRANTS", gr, err) < 0)
		goto cleanup;
	if (version && !str_icontains(version, "mariadb") && version[0] >= '8' &&
	    my_query_value(c, "SELECT CURRENT_ROLE()", &roles, err) == 0 && roles &&
	    strcmp(roles, "NONE") != 0 && roles[0] == '`') {
		/* roles is the server's own quoted list (`r`@`%`,...). */
		sql = xasprintf("SHOW GRANTS FOR CURRENT_USER() USING %s", roles);
		if (grants_add_rows(c, sql, gr, err) < 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	if (rc < 0)
		precheck__grants_release(gr);
	free(version);
	free(roles);
	free(sql);
	return rc;
}

void precheck__grants_release(struct precheck_grants *gr)
{
	free(gr->g);
	free(gr->current_user);
	memset(gr, 0, sizeof(*gr));
}
