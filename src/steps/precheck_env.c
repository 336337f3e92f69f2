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

#include "steps/precheck_internal.h"
#include "steps/source.h"

/* Reads the catalog of every database the selection names, then resolves. */
static void read_catalog(struct precheck_env *env)
{
	struct err err = { 0 };

	if (!env->src || !env->have_selection)
		return;
	if (step__catalog_read(env->src, &env->sel, &env->catalog, &env->tables,
			       &env->n_tables, &env->missing, &env->n_missing, &err) < 0) {
		snprintf(env->catalog_error, sizeof(env->catalog_error),
			 "cannot read the source catalog: %.400s", err.msg);
		return;
	}
	env->have_catalog = true;
}

void precheck__env_open(struct precheck_env *env, const struct step_ctx *ctx,
			bool src_ok, bool dst_ok)
{
	const struct meta_job *job = ctx->job;
	struct err err = { 0 };
	int t = step__timeout_s(ctx);

	memset(env, 0, sizeof(*env));
	env->ctx = ctx;
	env->job = job;
	env->dst_engine = step__dst_is_pg(job) ? PRECHECK_DST_PG : PRECHECK_DST_MYSQL;
	if (src_ok)
		env->src = step__connect_my(&job->src, t, &err);
	if (dst_ok && env->dst_engine == PRECHECK_DST_PG)
		env->dst_pg = step__connect_pg(&job->dst, t, &err);
	else if (dst_ok)
		env->dst_my = step__connect_my(&job->dst, t, &err);
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
