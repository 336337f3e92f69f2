/*
 * precheck_env.c - gathers what the precheck items look at, once per run:
 * a connection to each endpoint that passed its connectivity check, the
 * parsed DbList, and the source catalog of the selected databases resolved
 * into the selected tables. Runs on the precheck's calling thread before the
 * item threads start; afterwards env is read-only except for the
 * connections, each of which one thread uses at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/mysql/my_schema.h"
#include "steps/precheck_internal.h"
#include "util/str.h"
#include "util/xalloc.h"

static int timeout_of(const struct step_ctx *ctx)
{
	return ctx->connect_timeout_s > 0 ? ctx->connect_timeout_s : 10;
}

static struct my_conn *open_my(const struct meta_endpoint *ep, int timeout_s, struct err *err)
{
	struct my_conn_opts o = {
		.host = ep->ip, .port = ep->port, .user = ep->user, .password = ep->password,
		.connect_timeout_s = timeout_s, .read_timeout_s = 6 * timeout_s,
		.write_timeout_s = 6 * timeout_s,
	};

	return my_connect(&o, err);
}

static struct pg_conn *open_pg(const struct meta_endpoint *ep, int timeout_s, struct err *err)
{
	struct pg_conn_opts o = {
		.host = ep->ip, .port = ep->port, .user = ep->user, .password = ep->password,
		.database = ep->database, .connect_timeout_s = timeout_s,
		.read_timeout_s = 6 * timeout_s, .write_timeout_s = 6 * timeout_s,
	};

	return pg_connect(&o, err);
}

/* Reads the catalog of every database the selection names, then resolves. */
static void read_catalog(struct precheck_env *env)
{
	const char **dbs = NULL;
	struct err err = { 0 };

	if (!env->src || !env->have_selection)
		return;
	dbs = xcalloc(env->sel.n_dbs ? env->sel.n_dbs : 1, sizeof(*dbs));
	for (size_t i = 0; i < env->sel.n_dbs; i++)
		dbs[i] = env->sel.dbs[i].src;
	if (my_schema_read(env->src, dbs, env->sel.n_dbs, &env->catalog, &err) < 0 ||
	    schema_selection_resolve(&env->sel, &env->catalog, &env->tables, &env->n_tables,
				     &env->missing, &env->n_missing, &err) < 0) {
		snprintf(env->catalog_error, sizeof(env->catalog_error),
			 "cannot read the source catalog: %.400s", err.msg);
		free(dbs);
		return;
	}
	env->have_catalog = true;
	free(dbs);
}

void precheck__env_open(struct precheck_env *env, const struct step_ctx *ctx,
			bool src_ok, bool dst_ok)
{
	const struct meta_job *job = ctx->job;
	struct err err = { 0 };
	int t = timeout_of(ctx);

	memset(env, 0, sizeof(*env));
	env->ctx = ctx;
	env->job = job;
	env->dst_engine = str_ieq(job->dst.engine, "PostgreSQL") ? PRECHECK_DST_PG
								 : PRECHECK_DST_MYSQL;
	if (src_ok)
		env->src = open_my(&job->src, t, &err);
	if (dst_ok && env->dst_engine == PRECHECK_DST_PG)
		env->dst_pg = open_pg(&job->dst, t, &err);
	else if (dst_ok)
		env->dst_my = open_my(&job->dst, t, &err);
	if (job->db_list && *job->db_list) {
		if (schema_selection_parse(job->db_list, &env->sel, &err) == 0)
			env->have_selection = true;
		else
			snprintf(env->catalog_error, sizeof(env->catalog_error),
				 "cannot use the job's DbList: %.400s", err.msg);
	} else {
		snprintf(env->catalog_error, sizeof(env->catalog_error),
			 "the job selects no objects (DbList is empty)");
	}
	read_catalog(env);
	if (!env->have_catalog && !env->catalog_error[0])
		snprintf(env->catalog_error, sizeof(env->catalog_error),
			 "the source catalog was not read: the source connection failed");
}

void precheck__env_close(struct precheck_env *env)
{
	my_close(env->src);
	my_close(env->dst_my);
	pg_close(env->dst_pg);
	for (size_t i = 0; i < env->n_missing; i++)
		free(env->missing[i]);
	free(env->missing);
	free(env->tables);
	if (env->have_catalog)
		schema_catalog_release(&env->catalog);
	if (env->have_selection)
		schema_selection_release(&env->sel);
	memset(env, 0, sizeof(*env));
}
