/*
 * config.c - ConfigureDtsJob: turns the request parameters into a job
 * configuration, validating each one so the caller learns exactly which
 * parameter is wrong and why. Engines supported by this build are listed
 * here, in one place. Pure functions on caller-owned data.
 */
#include <stdlib.h>
#include <string.h>

#include "job/internal.h"
#include "util/str.h"
#include "util/xalloc.h"

static const char *const src_engines[] = { "MySQL", "MariaDB", NULL };
static const char *const dst_engines[] = { "MySQL", "MariaDB", "PostgreSQL", NULL };
static const char *const instance_types[] = {
	"OTHER", "ECS", "EXPRESS", "CEN", "DG", "RDS", "LocalInstance", NULL
};

/* Canonical spelling of v in list (case-insensitive), or NULL. */
static const char *one_of(const char *const *list, const char *v)
{
	for (size_t i = 0; list[i]; i++)
		if (str_ieq(list[i], v))
			return list[i];
	return NULL;
}

static const char *param(const struct kvlist *p, const char *name)
{
	const char *v = kvlist_get(p, name);

	return v && *v ? v : NULL;
}

static int required(const struct kvlist *p, const char *name, const char **out,
		    struct err *err)
{
	*out = param(p, name);
	if (*out)
		return 0;
	err_param(err, ERR_MISSING, name, "%s is required to configure a job", name);
	return -1;
}

static int bool_param(const struct kvlist *p, const char *name, bool *out, struct err *err)
{
	const char *v;

	if (required(p, name, &v, err) < 0)
		return -1;
	if (str_to_bool(v, out) == 0)
		return 0;
	err_param(err, ERR_INVALID, name, "%s must be true or false, not \"%s\"", name, v);
	return -1;
}

/* The endpoint parameter names differ by side (note DataBaseName). */
struct side {
	const char *label;          /* "source" */
	const char *type, *engine, *ip, *port, *user, *password, *database, *region, *id;
	const char *const *engines;
};

static const struct side src_side = {
	"source", "SourceEndpointInstanceType", "SourceEndpointEngineName",
	"SourceEndpointIP", "SourceEndpointPort", "SourceEndpointUserName",
	"SourceEndpointPassword", "SourceEndpointDatabaseName", "SourceEndpointRegion",
	"SourceEndpointInstanceID", src_engines,
};
static const struct side dst_side = {
	"destination", "DestinationEndpointInstanceType", "DestinationEndpointEngineName",
	"DestinationEndpointIP", "DestinationEndpointPort", "DestinationEndpointUserName",
	"DestinationEndpointPassword", "DestinationEndpointDataBaseName",
	"DestinationEndpointRegion", "DestinationEndpointInstanceID", dst_engines,
};

static int parse_endpoint(const struct kvlist *p, const struct side *sd,
			  struct meta_endpoint *ep, struct err *err)
{
	const char *type, *engine, *ip, *port, *user;
	long long portn;

	if (required(p, sd->type, &type, err) < 0)
		return -1;
	if (!one_of(instance_types, type)) {
		err_param(err, ERR_INVALID, sd->type,
			  "%s instance type \"%s\" is not supported", sd->label, type);
		err_detail(err, "use OTHER (or ECS/EXPRESS/CEN/DG) with %s and %s", sd->ip, sd->port);
		return -1;
	}
	engine = param(p, sd->engine) ? param(p, sd->engine) : "MySQL";
	if (!one_of(sd->engines, engine)) {
		err_param(err, ERR_INVALID, sd->engine,
			  "%s engine \"%s\" is not supported by this build", sd->label, engine);
		err_detail(err, "supported %s engines: %s", sd->label,
			   sd == &src_side ? "MySQL, MariaDB" : "MySQL, MariaDB, PostgreSQL");
		return -1;
	}
	if (required(p, sd->ip, &ip, err) < 0 || required(p, sd->port, &port, err) < 0 ||
	    required(p, sd->user, &user, err) < 0)
		return -1;
	if (str_to_ll(port, 1, 65535, &portn) < 0) {
		err_param(err, ERR_INVALID, sd->port,
			  "%s must be a port number between 1 and 65535, not \"%s\"", sd->port, port);
		return -1;
	}
	if (str_ieq(engine, "PostgreSQL") && !param(p, sd->database)) {
		err_param(err, ERR_MISSING, sd->database,
			  "%s is required for a PostgreSQL %s", sd->database, sd->label);
		return -1;
	}
	ep->instance_type = xstrdup(one_of(instance_types, type));
	ep->engine = xstrdup(one_of(sd->engines, engine));
	ep->ip = xstrdup(ip);
	ep->port = (int)portn;
	ep->user = xstrdup(user);
	ep->password = xstrdup(param(p, sd->password) ? param(p, sd->password) : "");
	ep->database = xstrdup(param(p, sd->database) ? param(p, sd->database) : "");
	ep->region = xstrdup(param(p, sd->region) ? param(p, sd->region) : "");
	ep->instance_id = xstrdup(param(p, sd->id) ? param(p, sd->id) : "");
	return 0;
}

static void endpoint_release(struct meta_endpoint *ep)
{
	free(ep->instance_type);
	free(ep->engine);
	free(ep->ip);
	free(ep->user);
	free(ep->password);
	free(ep->database);
	free(ep->region);
	free(ep->instance_id);
	memset(ep, 0, sizeof(*ep));
}

static int parse_modes(const struct kvlist *p, struct meta_job *j, struct err *err)
{
	static const char *const types[] = { "MIGRATION", "SYNC", "CHECK", NULL };
	const char *type;

	if (required(p, "JobType", &type, err) < 0)
		return -1;
	if (!one_of(types, type)) {
		err_param(err, ERR_INVALID, "JobType",
			  "JobType must be MIGRATION, SYNC or CHECK, not \"%s\"", type);
		return -1;
	}
	if (bool_param(p, "StructureInitialization", &j->structure_init, err) < 0 ||
	    bool_param(p, "DataInitialization", &j->data_init, err) < 0 ||
	    bool_param(p, "DataSynchronization", &j->data_sync, err) < 0)
		return -1;
	if (str_ieq(type, "CHECK") && (j->structure_init || j->data_init || j->data_sync)) {
		err_param(err, ERR_INVALID, "JobType",
			  "a CHECK job needs StructureInitialization, DataInitialization and "
			  "DataSynchronization all false");
		return -1;
	}
	free(j->job_type);
	j->job_type = xstrdup(one_of(types, type));
	return 0;
}

/* Fills the configurable fields of j from the parameters. On error j keeps
 * its old configuration. */
int job__config_apply(const struct kvlist *p, struct meta_job *j, struct err *err)
{
	struct meta_endpoint src = { 0 }, dst = { 0 };
	struct meta_job modes = { 0 };
	const char *name, *v;
	char *dblist = NULL, *reserve = NULL;

	if (required(p, "DtsJobName", &name, err) < 0 || parse_modes(p, &modes, err) < 0 ||
	    parse_endpoint(p, &src_side, &src, err) < 0 ||
	    parse_endpoint(p, &dst_side, &dst, err) < 0)
		goto fail;
	v = param(p, "DbList");
	if (!v && (modes.structure_init || modes.data_init || modes.data_sync)) {
		err_param(err, ERR_MISSING, "DbList",
			  "DbList is required when the job migrates schema or data");
		err_detail(err, "for example DbList={\"mydb\":{\"name\":\"mydb\",\"all\":true}}");
		goto fail;
	}
	if (v && job_dblist_validate(v, &dblist, err) < 0)
		goto fail;
	v = param(p, "Reserve");
	if (v && job_reserve_validate(v, &reserve, err) < 0)
		goto fail;
	v = param(p, "Checkpoint");
	long long cp = 0;
	if (v && str_to_ll(v, 0, 4102444800LL, &cp) < 0) {
		err_param(err, ERR_INVALID, "Checkpoint",
			  "Checkpoint must be Unix seconds, not \"%s\"", v);
		goto fail;
	}
	free(j->name);
	j->name = xstrdup(name);
	free(j->job_type);
	j->job_type = modes.job_type;
	j->structure_init = modes.structure_init;
	j->data_init = modes.data_init;
	j->data_sync = modes.data_sync;
	endpoint_release(&j->src);
	endpoint_release(&j->dst);
	j->src = src;
	j->dst = dst;
	free(j->db_list);
	j->db_list = dblist ? dblist : xstrdup("");
	free(j->reserve);
	j->reserve = reserve ? reserve : xstrdup("");
	j->checkpoint = cp;
	j->configured = true;
	return 0;
fail:
	endpoint_release(&src);
	endpoint_release(&dst);
	free(modes.job_type);
	free(dblist);
	free(reserve);
	return -1;
}
