/*
 * precheck_dst.c - precheck items of the destination side (OrderNum 50-79):
 * CHECK_DEST_VERSION (supported server), CHECK_AUTH_DEST (privileges for
 * what the job's steps will do), CHECK_SAME_OBJ (selected tables whose
 * destination names are taken), CHECK_DEST_TABLE_EMPTY (existing
 * destination tables that hold rows) and CHECK_PG_IDENTIFIER (PostgreSQL
 * identifier length and case collisions).
 *
 * Threads: the checks run one after another on the precheck's destination
 * thread and use only env->dst_my or env->dst_pg, plus the source catalog in
 * env, which nobody modifies while they run. Each check reads what it needs
 * from the destination with a constant number of bulk catalog queries
 * (CHECK_DEST_TABLE_EMPTY: one UNION query per 100 existing tables) and
 * owns everything it allocates until it returns.
 *
 * Destination names are the ones the schema step will create: the DbList
 * renames (env->tables[i].dst_schema/dst_name), then the Reserve
 * dbListCaseChangeMode, then on PostgreSQL the 63-byte limit
 * (schema_ident_fit); precheck_dstcat.c computes them, reads the destination
 * catalog and the MySQL grants for these items and precheck_both.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/job.h"
#include "steps/precheck_dstcat.h"
#include "steps/precheck_internal.h"
#include "steps/precheck_rules.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/xalloc.h"

#define EMPTY_BATCH 100          /* tables per UNION query of CHECK_DEST_TABLE_EMPTY */

static bool stop(const struct precheck_env *env, struct precheck_result *res)
{
	if (!step_cancelled(env->ctx))
		return false;
	res->cancelled = true;
	return true;
}

/* A check that could not read what it needs fails with the server's text;
 * it is skippable when its item is. */
static void query_failed(struct precheck_result *res, const char *what, const struct err *e)
{
	res->state = PRECHECK_FAILED;
	precheck__log(res, "ERROR", "query", e->msg, "cannot check %s on the destination: %s%s%s",
		      what, e->msg, e->detail[0] ? "; " : "", e->detail);
}

static bool no_catalog(const struct precheck_env *env, struct precheck_result *res)
{
	if (env->have_catalog)
		return false;
	res->state = PRECHECK_NOT_STARTED;
	precheck__log(res, "INFO", "skipped", NULL, "not checked: %s", env->catalog_error);
	return true;
}

/* ---- CHECK_DEST_VERSION --------------------------------------------------- */

static void check_dest_version(const struct precheck_env *env, struct precheck_result *res)
{
	bool pg = env->dst_engine == PRECHECK_DST_PG;
	struct precheck_version v;
	struct err e = { 0 };
	char *text = NULL, data[300];
	int rc;

	rc = pg ? pg_query_value(env->dst_pg, "SHOW server_version", &text, &e)
		: my_query_value(env->dst_my, "SELECT VERSION()", &text, &e);
	if (rc < 0) {
		query_failed(res, "the server version", &e);
		return;
	}
	if (!text)
		text = xstrdup(pg ? pg_server_version(env->dst_pg) : my_server_version(env->dst_my));
	snprintf(data, sizeof(data), "version=%s", text);
	if (!precheck__version_parse(text, pg, &v) || !precheck__version_supported(&v)) {
		res->state = PRECHECK_FAILED;
		precheck__log(res, "ERROR", "version", data,
			      "destination %s server version %s is not supported: opendts writes "
			      "to MySQL 5.7 or later, MariaDB 10.2 or later and PostgreSQL 10 or "
			      "later; upgrade the destination or choose another one",
			      pg ? "PostgreSQL" : "MySQL", text);
	} else {
		char num[48];

		if (pg)
			snprintf(num, sizeof(num), "%d.%d", v.major, v.minor);
		else
			snprintf(num, sizeof(num), "%d.%d.%d", v.major, v.minor, v.patch);
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "version", data,
			      "destination server is %s %s (%s), a supported version",
			      precheck__product_name(v.product), num, text);
	}
	free(text);
}

/* ---- CHECK_AUTH_DEST ------------------------------------------------------ */

#define DATA_PRIVS (PRECHECK_PRIV_SELECT | PRECHECK_PRIV_INSERT | PRECHECK_PRIV_UPDATE | \
		    PRECHECK_PRIV_DELETE)

/* What the job needs in one destination schema (database on MySQL). */
struct need {
	const char *schema;      /* borrowed from the name set */
	unsigned privs;
	bool exists;
};

/* The privileges the job's steps need in each destination schema. */
static struct need *needs_build(const struct precheck_env *env,
				const struct precheck_dst_names *names,
				const struct precheck_dstcat *cat)
{
	const struct meta_job *job = env->job;
	struct need *needs = xcalloc(names->n_schemas ? names->n_schemas : 1, sizeof(*needs));

	for (size_t i = 0; i < names->n_schemas; i++) {
		needs[i].schema = names->schemas[i];
		needs[i].exists = precheck__dstcat_has_schema(cat, names->schemas[i]);
		if (job->structure_init)
			needs[i].privs |= PRECHECK_PRIV_CREATE | PRECHECK_PRIV_ALTER |
					  PRECHECK_PRIV_INDEX;
		if (job->data_init || job->data_sync)
			needs[i].privs |= DATA_PRIVS;
	}
	if (!job->structure_init)
		return needs;
	for (size_t i = 0; i < names->n_schemas; i++)
		needs[i].privs |= precheck__dst_names_object_privs(env, names, names->schemas[i]);
	return needs;
}

/* The destination's account as GRANT spells it: `user`@`host`. */
static void my_grantee(const char *current_user, struct buf *out)
{
	const char *at = strrchr(current_user, '@');
	char *user = xstrndup(current_user, at ? (size_t)(at - current_user)
					      : strlen(current_user));

	my_quote_ident(out, user);
	buf_putc(out, '@');
	my_quote_ident(out, at ? at + 1 : "%");
	free(user);
}

/* Privileges of the grants that cover schema (global and database level). */
static unsigned my_db_privs(const struct precheck_grant *g, size_t n, const char *schema, bool ci)
{
	unsigned have = 0;

	for (size_t i = 0; i < n; i++) {
		if (g[i].level == PRECHECK_GRANT_GLOBAL ||
		    (g[i].level == PRECHECK_GRANT_DB &&
		     precheck__db_pattern_match(g[i].db, schema, ci)))
			have |= g[i].privs;
	}
	return have;
}

static unsigned my_table_privs(const struct precheck_grant *g, size_t n, const char *schema,
			       const char *table, bool ci)
{
	unsigned have = 0;

	for (size_t i = 0; i < n; i++)
		if (g[i].level == PRECHECK_GRANT_TABLE &&
		    (ci ? str_ieq(g[i].db, schema) : strcmp(g[i].db, schema) == 0) &&
		    (ci ? str_ieq(g[i].table, table) : strcmp(g[i].table, table) == 0))
			have |= g[i].privs;
	return have;
}

/* Collects what is missing for one schema into data (objects) and fix
 * (GRANT statements). Data privileges missing at the database level may
 * still be granted table by table on tables that exist. */
static void my_auth_schema(const struct need *nd, const struct precheck_grants *gr,
			   const struct precheck_dst_names *names,
			   const struct precheck_dstcat *cat, struct precheck_list *data,
			   struct precheck_list *fix)
{
	unsigned missing = nd->privs & ~my_db_privs(gr->g, gr->n, nd->schema, cat->ci);
	struct buf q;
	char p[200];

	buf_init(&q, 1024);
	if ((missing & DATA_PRIVS) && gr->has_table_grants) {
		unsigned db_data = missing & DATA_PRIVS;

		missing &= ~DATA_PRIVS;
		for (size_t i = 0; i < names->n; i++) {
			const struct precheck_dst_name *t = &names->t[i];
			unsigned miss = db_data;

			if (strcmp(t->schema, nd->schema) != 0)
				continue;
			if (precheck__dstcat_kind(cat, t->schema, t->name))
				miss &= ~my_table_privs(gr->g, gr->n, t->schema, t->name, cat->ci);
			if (!miss)
				continue;
			precheck__priv_names(miss, p, sizeof(p));
			precheck__list_add(data, "%s.%s: %s", t->schema, t->name, p);
			buf_reset(&q);
			my_quote_ident(&q, t->schema);
			buf_putc(&q, '.');
			my_quote_ident(&q, t->name);
			precheck__list_add(fix, "GRANT %s ON %s TO %s", p, buf_cstr(&q), gr->grantee);
		}
	}
	if (missing) {
		precheck__priv_names(missing, p, sizeof(p));
		precheck__list_add(data, "%s.*: %s%s", nd->schema, p,
				   nd->exists ? "" : " (database does not exist yet)");
		buf_reset(&q);
		my_quote_ident(&q, nd->schema);
		precheck__list_add(fix, "GRANT %s ON %s.* TO %s", p, buf_cstr(&q), gr->grantee);
	}
	buf_release(&q);
}

static void auth_report(struct precheck_result *res, const char *who, struct precheck_list *data,
			struct precheck_list *fix, size_t n_schemas)
{
	if (data->n == 0) {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "privilege", who,
			      "destination user %s has the privileges the job needs in %zu "
			      "destination schema(s)", who, n_schemas);
		return;
	}
	res->state = PRECHECK_FAILED;
	precheck__log(res, "ERROR", "privilege", precheck__list_cstr(data),
		      "destination user %s lacks privileges the job needs: %s; grant them "
		      "as an administrator: %s", who, precheck__list_cstr(data),
		      precheck__list_cstr(fix));
}

static void auth_my(const struct precheck_env *env, struct precheck_result *res,
		    const struct precheck_dst_names *names, const struct precheck_dstcat *cat)
{
	struct precheck_list data, fix;
	struct precheck_grants gr;
	struct need *needs = NULL;
	struct err e = { 0 };
	struct buf who;

	precheck__list_init(&data);
	precheck__list_init(&fix);
	buf_init(&who, 1024);
	if (precheck__grants_read(env->dst_my, &gr, &e) < 0) {
		query_failed(res, "the privileges (SHOW GRANTS)", &e);
		goto cleanup;
	}
	my_grantee(gr.current_user, &who);
	gr.grantee = buf_cstr(&who);
	needs = needs_build(env, names, cat);
	for (size_t i = 0; i < names->n_schemas; i++)
		my_auth_schema(&needs[i], &gr, names, cat, &data, &fix);
	auth_report(res, gr.current_user, &data, &fix, names->n_schemas);
	precheck__grants_release(&gr);
cleanup:
	free(needs);
	buf_release(&who);
	precheck__list_release(&data);
	precheck__list_release(&fix);
}

/* ---- PostgreSQL privileges ---- */

struct pg_who {
	char *user;
	char *database;
	bool db_create;
};

static int pg_who_read(struct pg_conn *c, struct pg_who *w, struct err *err)
{
	struct pg_rows *r = pg_query_rows(c, "SELECT current_user, current_database(), "
					  "has_database_privilege(current_database(), 'CREATE')",
					  0, NULL, err);

	if (!r)
		return -1;
	w->user = xstrdup(pg_rows_get(r, 0, 0) ? pg_rows_get(r, 0, 0) : "");
	w->database = xstrdup(pg_rows_get(r, 0, 1) ? pg_rows_get(r, 0, 1) : "");
	w->db_create = pg_rows_get(r, 0, 2) && strcmp(pg_rows_get(r, 0, 2), "t") == 0;
	pg_rows_free(r);
	return 0;
}

/* "a" or "a"."b", quoted for PostgreSQL (heap string). */
static char *pg_ident(const char *a, const char *b)
{
	struct buf q;

	buf_init(&q, BUF_UNLIMITED);
	pg_quote_ident(&q, a);
	if (b) {
		buf_putc(&q, '.');
		pg_quote_ident(&q, b);
	}
	return buf_take(&q);
}

/* The schema privileges lacking on an existing schema, or NULL. */
static const char *pg_schema_missing(const struct precheck_dstcat *cat, const char *schema,
				     bool structure)
{
	bool usage = precheck__dstcat_schema_priv(cat, schema, "USAGE");
	bool create = !structure || precheck__dstcat_schema_priv(cat, schema, "CREATE");

	if (!usage)
		return create ? "USAGE" : "USAGE, CREATE";
	return create ? NULL : "CREATE";
}

/* Schema privileges: CREATE in the database for a schema the schema step
 * creates, USAGE (and CREATE with the schema step) on an existing one. */
static void pg_auth_schema(const struct need *nd, const struct precheck_dstcat *cat,
			   const struct pg_who *w, bool structure, struct precheck_list *data,
			   struct precheck_list *fix)
{
	char *role = pg_ident(w->user, NULL), *obj = NULL;
	const char *miss;

	if (!nd->exists && structure && !w->db_create) {
		obj = pg_ident(w->database, NULL);
		precheck__list_add(data, "database %s: CREATE (to create schema %s)",
				   w->database, nd->schema);
		precheck__list_add(fix, "GRANT CREATE ON DATABASE %s TO %s", obj, role);
	} else if (nd->exists && (miss = pg_schema_missing(cat, nd->schema, structure))) {
		obj = pg_ident(nd->schema, NULL);
		precheck__list_add(data, "schema %s: %s", nd->schema, miss);
		precheck__list_add(fix, "GRANT %s ON SCHEMA %s TO %s", miss, obj, role);
	}
	free(obj);
	free(role);
}

/* Table privileges on the target tables that exist already. */
static void pg_auth_tables(const struct precheck_dst_names *names,
			   const struct precheck_dstcat *cat, const struct pg_who *w,
			   struct precheck_list *data, struct precheck_list *fix)
{
	char *role = pg_ident(w->user, NULL);

	for (size_t i = 0; i < names->n; i++) {
		const struct precheck_dst_name *t = &names->t[i];
		const char *miss = precheck__dstcat_table_missing(cat, t->schema, t->name);
		char *obj;

		if (!miss)
			continue;
		obj = pg_ident(t->schema, t->name);
		precheck__list_add(data, "table %s.%s: %s", t->schema, t->name, miss);
		precheck__list_add(fix, "GRANT %s ON %s TO %s", miss, obj, role);
		free(obj);
	}
	free(role);
}

static void auth_pg(const struct precheck_env *env, struct precheck_result *res,
		    const struct precheck_dst_names *names, const struct precheck_dstcat *cat)
{
	const struct meta_job *job = env->job;
	struct precheck_list data, fix;
	struct pg_who w = { 0 };
	struct need *needs = NULL;
	struct err e = { 0 };

	precheck__list_init(&data);
	precheck__list_init(&fix);
	if (pg_who_read(env->dst_pg, &w, &e) < 0) {
		query_failed(res, "the privileges", &e);
		goto cleanup;
	}
	needs = needs_build(env, names, cat);
	for (size_t i = 0; i < names->n_schemas; i++)
		if (job->structure_init || needs[i].exists)
			pg_auth_schema(&needs[i], cat, &w, job->structure_init, &data, &fix);
	if (job->data_init || job->data_sync)
		pg_auth_tables(names, cat, &w, &data, &fix);
	auth_report(res, w.user, &data, &fix, names->n_schemas);
cleanup:
	free(needs);
	free(w.user);
	free(w.database);
	precheck__list_release(&data);
	precheck__list_release(&fix);
}

static void check_auth_dest(const struct precheck_env *env, struct precheck_result *res)
{
	struct precheck_dst_names names;
	struct precheck_dstcat cat;
	struct err e = { 0 };

	if (no_catalog(env, res))
		return;
	precheck__dst_names_build(env, &names);
	if (precheck__dstcat_read(env, &names, &cat, &e) < 0) {
		query_failed(res, "the destination catalog", &e);
		precheck__dst_names_release(&names);
		return;
	}
	if (!stop(env, res)) {
		if (env->dst_engine == PRECHECK_DST_PG)
			auth_pg(env, res, &names, &cat);
		else
			auth_my(env, res, &names, &cat);
	}
	precheck__dstcat_release(&cat);
	precheck__dst_names_release(&names);
}

/* ---- CHECK_SAME_OBJ ------------------------------------------------------- */

static bool has_schema_step(const struct meta_job *job)
{
	return job->structure_init;
}

static const char *kind_name(char kind)
{
	return kind == 'V' ? "view" : kind == 'O' ? "non-table object" : "table";
}

static void same_obj_report(const struct precheck_env *env, struct precheck_result *res,
			    struct precheck_list *tables, struct precheck_list *others,
			    size_t n_checked)
{
	char mode[8];

	job_reserve_get(env->job->reserve, "targetTableMode", "0", mode, sizeof(mode));
	if (others->n) {
		res->state = PRECHECK_FAILED;
		precheck__log(res, "ERROR", "same_obj_kind", precheck__list_cstr(others),
			      "destination objects that are not tables have the names of selected "
			      "tables: %s; the job can neither create these tables nor write into "
			      "them: drop or rename the destination objects, or rename the tables "
			      "in DbList", precheck__list_cstr(others));
	}
	if (tables->n && strcmp(mode, "2") == 0) {
		if (!res->state)
			res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "same_obj", precheck__list_cstr(tables),
			      "%zu destination table(s) already exist and will be kept (Reserve "
			      "targetTableMode \"2\"): the schema step does not create them and the "
			      "data steps write into them: %s", tables->n, precheck__list_cstr(tables));
	} else if (tables->n) {
		res->state = PRECHECK_FAILED;
		precheck__log(res, "ERROR", "same_obj", precheck__list_cstr(tables),
			      "%zu destination table(s) already exist with the names of selected "
			      "tables: %s; drop or rename them in the destination, rename the tables "
			      "in DbList, or set Reserve {\"targetTableMode\":\"2\"} to keep them and "
			      "write into them", tables->n, precheck__list_cstr(tables));
	}
	if (!res->state) {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "same_obj", NULL,
			      "none of the %zu selected tables exists in the destination",
			      n_checked);
	}
}

static void check_same_obj(const struct precheck_env *env, struct precheck_result *res)
{
	struct precheck_list tables, others;
	struct precheck_dst_names names;
	struct precheck_dstcat cat;
	struct err e = { 0 };

	if (no_catalog(env, res))
		return;
	precheck__dst_names_build(env, &names);
	if (precheck__dstcat_read(env, &names, &cat, &e) < 0) {
		query_failed(res, "the destination tables", &e);
		precheck__dst_names_release(&names);
		return;
	}
	precheck__list_init(&tables);
	precheck__list_init(&others);
	for (size_t i = 0; i < names.n; i++) {
		const struct precheck_dst_name *t = &names.t[i];
		char kind = precheck__dstcat_kind(&cat, t->schema, t->name);

		if (kind == 'T')
			precheck__list_add(&tables, "%s.%s", t->schema, t->name);
		else if (kind)
			precheck__list_add(&others, "%s.%s (%s)", t->schema, t->name,
					   kind_name(kind));
	}
	same_obj_report(env, res, &tables, &others, names.n);
	precheck__list_release(&tables);
	precheck__list_release(&others);
	precheck__dstcat_release(&cat);
	precheck__dst_names_release(&names);
}

/* ---- CHECK_DEST_TABLE_EMPTY ----------------------------------------------- */

static bool data_init(const struct meta_job *job)
{
	return job->data_init;
}

/* "(SELECT <i> FROM <table> LIMIT 1)" for one table, in the destination's dialect. */
static void probe_sql(const struct precheck_env *env, struct buf *q, size_t i,
		      const struct precheck_dst_name *t)
{
	bool pg = env->dst_engine == PRECHECK_DST_PG;

	buf_printf(q, "%s(SELECT %zu FROM ", q->len ? " UNION ALL " : "", i);
	if (pg) {
		pg_quote_ident(q, t->schema);
		buf_putc(q, '.');
		pg_quote_ident(q, t->name);
	} else {
		my_quote_ident(q, t->schema);
		buf_putc(q, '.');
		my_quote_ident(q, t->name);
	}
	buf_puts(q, " LIMIT 1)");
}

/* Runs one probe query; calls back for every table index that has a row. */
static int probe_run(const struct precheck_env *env, const char *sql, bool *nonempty,
		     size_t n, struct err *err)
{
	if (env->dst_engine == PRECHECK_DST_PG) {
		struct pg_rows *r = pg_query_rows(env->dst_pg, sql, 0, NULL, err);

		if (!r)
			return -1;
		for (size_t i = 0; i < pg_rows_count(r); i++) {
			size_t k = (size_t)strtoull(pg_rows_get(r, i, 0), NULL, 10);
			if (k < n)
				nonempty[k] = true;
		}
		pg_rows_free(r);
	} else {
		struct my_rows *r = my_query_rows(env->dst_my, sql, err);

		if (!r)
			return -1;
		while (my_rows_next(r)) {
			size_t k = (size_t)strtoull(my_rows_get(r, 0), NULL, 10);
			if (k < n)
				nonempty[k] = true;
		}
		my_rows_free(r);
	}
	return 0;
}

/* Probes tables [from, to) of list; a batch the server refuses is retried
 * table by table so that one unreadable table does not hide the others. */
static void probe_batch(const struct precheck_env *env, const struct precheck_dst_name **list,
			size_t from, size_t to, bool *nonempty, struct precheck_list *errors)
{
	struct err e = { 0 };
	struct buf q;

	buf_init(&q, BUF_UNLIMITED);
	for (size_t i = from; i < to; i++)
		probe_sql(env, &q, i, list[i]);
	if (probe_run(env, buf_cstr(&q), nonempty, to, &e) == 0 || to - from == 1) {
		if (e.msg[0])
			precheck__list_add(errors, "%s.%s: %s", list[from]->schema,
					   list[from]->name, e.msg);
		buf_release(&q);
		return;
	}
	buf_release(&q);
	for (size_t i = from; i < to; i++)
		probe_batch(env, list, i, i + 1, nonempty, errors);
}

static void empty_report(struct precheck_result *res, struct precheck_list *full,
			 struct precheck_list *errors, size_t n_existing)
{
	if (full->n) {
		res->state = PRECHECK_FAILED;
		precheck__log(res, "ERROR", "dest_table_not_empty", precheck__list_cstr(full),
			      "%zu existing destination table(s) already contain rows: %s; the full "
			      "data step would mix the source rows with them (rows with the same key "
			      "are overwritten, the others stay): empty them (TRUNCATE TABLE) or skip "
			      "this check to keep their rows", full->n, precheck__list_cstr(full));
	}
	if (errors->n) {
		if (!res->state)
			res->state = PRECHECK_WARNING;
		precheck__log(res, "WARN", "query", precheck__list_cstr(errors),
			      "%zu existing destination table(s) could not be read, so whether they "
			      "are empty is unknown: %s", errors->n, precheck__list_cstr(errors));
	}
	if (!res->state) {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "dest_table_not_empty", NULL,
			      "%zu of the selected tables exist in the destination; all are empty",
			      n_existing);
	}
}

static void check_dest_table_empty(const struct precheck_env *env, struct precheck_result *res)
{
	const struct precheck_dst_name **list = NULL;
	struct precheck_list full, errors;
	struct precheck_dst_names names;
	struct precheck_dstcat cat;
	struct err e = { 0 };
	bool *nonempty = NULL;
	size_t n = 0;

	if (no_catalog(env, res))
		return;
	precheck__dst_names_build(env, &names);
	precheck__list_init(&full);
	precheck__list_init(&errors);
	if (precheck__dstcat_read(env, &names, &cat, &e) < 0) {
		query_failed(res, "the destination tables", &e);
		goto cleanup_names;
	}
	list = xcalloc(names.n ? names.n : 1, sizeof(*list));
	for (size_t i = 0; i < names.n; i++)
		if (precheck__dstcat_kind(&cat, names.t[i].schema, names.t[i].name) == 'T')
			list[n++] = &names.t[i];
	nonempty = xcalloc(n ? n : 1, sizeof(*nonempty));
	for (size_t i = 0; i < n; i += EMPTY_BATCH) {
		if (stop(env, res))
			goto cleanup;
		probe_batch(env, list, i, i + EMPTY_BATCH < n ? i + EMPTY_BATCH : n, nonempty,
			    &errors);
	}
	for (size_t i = 0; i < n; i++)
		if (nonempty[i])
			precheck__list_add(&full, "%s.%s", list[i]->schema, list[i]->name);
	empty_report(res, &full, &errors, n);
cleanup:
	free(nonempty);
	free(list);
	precheck__dstcat_release(&cat);
cleanup_names:
	precheck__list_release(&full);
	precheck__list_release(&errors);
	precheck__dst_names_release(&names);
}

/* ---- CHECK_PG_IDENTIFIER -------------------------------------------------- */

static bool dst_is_pg(const struct meta_job *job)
{
	return str_ieq(job->dst.engine, "PostgreSQL");
}

static void check_pg_identifier(const struct precheck_env *env, struct precheck_result *res)
{
	if (no_catalog(env, res))
		return;
	precheck__pg_identifiers(env, res);
}

const struct precheck_check precheck__dst_checks[] = {
	{ "CHECK_DEST_VERSION", 50, true, PRECHECK_SIDE_DST, NULL, check_dest_version },
	{ "CHECK_AUTH_DEST", 51, false, PRECHECK_SIDE_DST, NULL, check_auth_dest },
	{ "CHECK_SAME_OBJ", 52, true, PRECHECK_SIDE_DST, has_schema_step, check_same_obj },
	{ "CHECK_DEST_TABLE_EMPTY", 53, true, PRECHECK_SIDE_DST, data_init,
	  check_dest_table_empty },
	{ "CHECK_PG_IDENTIFIER", 54, true, PRECHECK_SIDE_DST, dst_is_pg, check_pg_identifier },
	{ NULL, 0, false, PRECHECK_SIDE_DST, NULL, NULL },
};
