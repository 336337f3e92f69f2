/*
 * source.c - connections to a job's endpoints and the selected source
 * objects, shared by the precheck (precheck_env.c) and the schema step
 * (schema_step.c). Pure helpers over their arguments; any thread.
 */
#include "steps/source.h"

#include <stdlib.h>
#include <string.h>

#include "engines/mysql/my_schema.h"
#include "util/str.h"
#include "util/xalloc.h"

int step__timeout_s(const struct step_ctx *ctx)
{
	return ctx->connect_timeout_s > 0 ? ctx->connect_timeout_s : 10;
}

bool step__dst_is_pg(const struct meta_job *job)
{
	return job->dst.engine && str_ieq(job->dst.engine, "PostgreSQL");
}

struct my_conn *step__connect_my(const struct meta_endpoint *ep, int timeout_s, struct err *err)
{
	struct my_conn_opts o = {
		.host = ep->ip, .port = ep->port, .user = ep->user, .password = ep->password,
		.connect_timeout_s = timeout_s, .read_timeout_s = 6 * timeout_s,
		.write_timeout_s = 6 * timeout_s,
	};

	return my_connect(&o, err);
}

struct pg_conn *step__connect_pg(const struct meta_endpoint *ep, int timeout_s, struct err *err)
{
	struct pg_conn_opts o = {
		.host = ep->ip, .port = ep->port, .user = ep->user, .password = ep->password,
		.database = ep->database, .connect_timeout_s = timeout_s,
		.read_timeout_s = 6 * timeout_s, .write_timeout_s = 6 * timeout_s,
	};

	return pg_connect(&o, err);
}

int step__selection_read(const struct meta_job *job, struct schema_selection *sel,
			 struct err *err)
{
	if (!job->db_list || !*job->db_list) {
		err_set(err, ERR_INVALID, "job %s selects no objects (DbList is empty)", job->id);
		return -1;
	}
	return schema_selection_parse(job->db_list, sel, err);
}

int step__catalog_read(struct my_conn *src, const struct schema_selection *sel,
		       struct schema_catalog *catalog, struct schema_resolved **tables,
		       size_t *n_tables, char ***missing, size_t *n_missing, struct err *err)
{
	const char **dbs = xcalloc(sel->n_dbs ? sel->n_dbs : 1, sizeof(*dbs));
	int rc = -1;

	memset(catalog, 0, sizeof(*catalog));
	*tables = NULL;
	*n_tables = 0;
	*missing = NULL;
	*n_missing = 0;
	for (size_t i = 0; i < sel->n_dbs; i++)
		dbs[i] = sel->dbs[i].src;
	if (my_schema_read(src, dbs, sel->n_dbs, catalog, err) < 0)
		goto cleanup;
	if (schema_selection_resolve(sel, catalog, tables, n_tables, missing, n_missing,
				     err) < 0) {
		schema_catalog_release(catalog);
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(dbs);
	return rc;
}
