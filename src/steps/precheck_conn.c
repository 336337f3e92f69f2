/*
 * precheck_conn.c - the connectivity checks CHECK_CONN_SRC and
 * CHECK_CONN_DEST: for one endpoint, resolve the host, open a TCP
 * connection (timed), log in with the engine's client and read the server
 * version. The first stage that fails decides the item; its Logs entry
 * names the stage (ErrType "config", "engine", "dns", "tcp", "auth",
 * "version"), the endpoint (never the password), the server's own message
 * and the ConfigureDtsJob parameters to look at.
 *
 * Each check runs on its own thread (see precheck_internal.h) and owns the
 * connection it opens; the engine clients handle their per-thread set-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/mysql/my.h"
#include "engines/net.h"
#include "engines/pg/pg.h"
#include "steps/precheck_internal.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/xalloc.h"

#define DEFAULT_TIMEOUT_S 10

/* Which endpoint a check looks at, and how the API names its fields. */
struct side {
	const char *role;       /* "source" | "destination" */
	const char *dts_code;   /* prefix of the operator message */
	const char *prefix;     /* ConfigureDtsJob parameter prefix */
	const char *db_param;   /* the database parameter (spelled differently) */
};

static const struct side side_src = {
	"source", "DTS-070211", "SourceEndpoint", "SourceEndpointDatabaseName",
};
static const struct side side_dst = {
	"destination", "DTS-070212", "DestinationEndpoint", "DestinationEndpointDataBaseName",
};

/* ---- engines: one small adapter per client library ---------------------- */

struct conn_params {
	const struct meta_endpoint *ep;
	int port;
	int timeout_s;
};

struct engine {
	const char *name;       /* for messages */
	int default_port;
	void *(*connect)(const struct conn_params *p, struct err *err);
	int (*version)(void *conn, char **out, struct err *err);
	void (*close)(void *conn);
};

static void *my_open(const struct conn_params *p, struct err *err)
{
	struct my_conn_opts o = {
		.host = p->ep->ip, .port = p->port, .user = p->ep->user,
		.password = p->ep->password, .database = p->ep->database,
		.connect_timeout_s = p->timeout_s, .read_timeout_s = p->timeout_s,
		.write_timeout_s = p->timeout_s,
	};

	return my_connect(&o, err);
}

static int my_version(void *conn, char **out, struct err *err)
{
	if (my_query_value(conn, "SELECT VERSION()", out, err) < 0)
		return -1;
	if (!*out)
		*out = xstrdup(my_server_version(conn));
	return 0;
}

static void my_free(void *conn)
{
	my_close(conn);
}

static void *pg_open(const struct conn_params *p, struct err *err)
{
	struct pg_conn_opts o = {
		.host = p->ep->ip, .port = p->port, .user = p->ep->user,
		.password = p->ep->password, .database = p->ep->database,
		.connect_timeout_s = p->timeout_s, .read_timeout_s = p->timeout_s,
		.write_timeout_s = p->timeout_s,
	};

	return pg_connect(&o, err);
}

static int pg_version(void *conn, char **out, struct err *err)
{
	if (pg_query_value(conn, "SHOW server_version", out, err) < 0)
		return -1;
	if (!*out)
		*out = xstrdup(pg_server_version(conn));
	return 0;
}

static void pg_free(void *conn)
{
	pg_close(conn);
}

static const struct engine engine_my = {
	"MySQL", MY_DEFAULT_PORT, my_open, my_version, my_free,
};
static const struct engine engine_pg = {
	"PostgreSQL", PG_DEFAULT_PORT, pg_open, pg_version, pg_free,
};

/* Engine names as ConfigureDtsJob accepts them, matched without case. */
static const struct {
	const char *name;
	const struct engine *engine;
} engine_names[] = {
	{ "MySQL", &engine_my },
	{ "MariaDB", &engine_my },
	{ "PolarDB", &engine_my },
	{ "PostgreSQL", &engine_pg },
};

static const struct engine *engine_find(const char *name)
{
	for (size_t i = 0; i < sizeof(engine_names) / sizeof(engine_names[0]); i++)
		if (str_ieq(name, engine_names[i].name))
			return engine_names[i].engine;
	return NULL;
}

/* ---- one check ---------------------------------------------------------- */

struct conn_check {
	const struct step_ctx *ctx;
	const struct side *side;
	const struct meta_endpoint *ep;
	const struct engine *engine;
	struct precheck_result *res;
	int port;
	int timeout_s;
	char summary[512];      /* ErrData: the endpoint, without the password */
};

/* Fails the item: one ERROR log in the form
 * "<DTS code>: connect <role> database failed: <what>; <advice> (<params>)". */
static void fail(struct conn_check *c, const char *stage, const struct err *e,
		 const char *params)
{
	struct buf b;

	buf_init(&b, 4096);
	buf_printf(&b, "%s: connect %s database failed: %s", c->side->dts_code,
		   c->side->role, e->msg);
	if (e->detail[0])
		buf_printf(&b, "; %s", e->detail);
	if (params && *params)
		buf_printf(&b, " (%s)", params);
	c->res->state = PRECHECK_FAILED;
	precheck__log(c->res, "ERROR", stage, c->summary, "%s", buf_cstr(&b));
	buf_release(&b);
}

/* "SourceEndpointIP, SourceEndpointPort"-style list for the advice. */
static const char *params2(char *out, size_t n, const struct side *s,
			   const char *a, const char *b)
{
	if (b)
		snprintf(out, n, "%s%s, %s%s", s->prefix, a, s->prefix, b);
	else
		snprintf(out, n, "%s%s", s->prefix, a);
	return out;
}

static bool cancelled(struct conn_check *c)
{
	if (!step_cancelled(c->ctx))
		return false;
	c->res->cancelled = true;
	return true;
}

/* Stage "config" and "engine": what can be judged without the network. */
static int check_config(struct conn_check *c)
{
	struct err e = { 0 };
	char p[160];

	if (!c->ep->ip[0]) {
		err_set(&e, ERR_MISSING, "the %s endpoint has no IP address or host name",
			c->side->role);
		fail(c, "config", &e, params2(p, sizeof(p), c->side, "IP", NULL));
		return -1;
	}
	if (!c->ep->user[0]) {
		err_set(&e, ERR_MISSING, "the %s endpoint has no user name", c->side->role);
		fail(c, "config", &e, params2(p, sizeof(p), c->side, "UserName", NULL));
		return -1;
	}
	if (!c->engine) {
		err_set(&e, ERR_UNSUPPORTED, "database engine \"%s\" is not supported",
			c->ep->engine);
		err_detail(&e, "opendts connects to MySQL, MariaDB, PolarDB (MySQL protocol) "
			   "and PostgreSQL");
		fail(c, "engine", &e, params2(p, sizeof(p), c->side, "EngineName", NULL));
		return -1;
	}
	return 0;
}

/* Records from the metastore never hold NULL strings; a job built by hand
 * might, and an empty field then fails the "config" stage cleanly. */
static void endpoint_copy(struct meta_endpoint *out, const struct meta_endpoint *in)
{
	*out = *in;
	out->engine = in->engine ? in->engine : (char *)"";
	out->ip = in->ip ? in->ip : (char *)"";
	out->user = in->user ? in->user : (char *)"";
	out->password = in->password ? in->password : (char *)"";
	out->database = in->database ? in->database : (char *)"";
}

/* Parameters to name after a failed login, from the option the client blamed. */
static const char *auth_params(char *out, size_t n, const struct conn_check *c,
			       const struct err *e)
{
	if (strcmp(e->param, "user") == 0)
		return params2(out, n, c->side, "UserName", "Password");
	if (strcmp(e->param, "database") == 0) {
		snprintf(out, n, "%s", c->side->db_param);
		return out;
	}
	return params2(out, n, c->side, "Port", "EngineName");
}

/* Stages "auth" and "version" on a live connection; fills *version. */
static int check_login(struct conn_check *c, char **version)
{
	struct conn_params cp = { c->ep, c->port, c->timeout_s };
	struct err e = { 0 };
	char p[160];
	void *conn;
	int rc = -1;

	conn = c->engine->connect(&cp, &e);
	if (!conn) {
		fail(c, "auth", &e, auth_params(p, sizeof(p), c, &e));
		return -1;
	}
	if (cancelled(c))
		goto cleanup;
	if (c->engine->version(conn, version, &e) < 0) {
		fail(c, "version", &e, NULL);
		goto cleanup;
	}
	rc = 0;
cleanup:
	c->engine->close(conn);
	return rc;
}

static void conn_check_run(const struct step_ctx *ctx, const struct side *side,
			   const struct meta_endpoint *endpoint, struct precheck_result *res)
{
	struct meta_endpoint epc;
	const struct meta_endpoint *ep = &epc;
	struct conn_check c = { .ctx = ctx, .side = side, .res = res };
	char addrs[NET_ADDRS_MAX], p[160], data[1200];
	char *version = NULL;
	struct err e = { 0 };
	int latency_ms = 0;

	endpoint_copy(&epc, endpoint);
	c.ep = ep;
	c.engine = engine_find(ep->engine);
	c.port = ep->port > 0 ? ep->port : c.engine ? c.engine->default_port : 0;
	c.timeout_s = ctx->connect_timeout_s > 0 ? ctx->connect_timeout_s : DEFAULT_TIMEOUT_S;
	snprintf(c.summary, sizeof(c.summary), "endpoint=%s engine=%s host=%s port=%d "
		 "user=%s database=%s", side->role, ep->engine, ep->ip, c.port, ep->user,
		 ep->database);
	if (cancelled(&c) || check_config(&c) < 0)
		return;
	if (net_resolve(ep->ip, c.port, addrs, sizeof(addrs), &e) < 0) {
		fail(&c, "dns", &e, params2(p, sizeof(p), side, "IP", NULL));
		return;
	}
	if (cancelled(&c))
		return;
	if (net_tcp_probe(ep->ip, c.port, c.timeout_s * 1000, &latency_ms, &e) < 0) {
		fail(&c, "tcp", &e, params2(p, sizeof(p), side, "IP", "Port"));
		return;
	}
	if (cancelled(&c) || check_login(&c, &version) < 0)
		goto cleanup;
	snprintf(data, sizeof(data), "%s addresses=%s version=\"%s\" latency_ms=%d",
		 c.summary, addrs, version, latency_ms);
	res->state = PRECHECK_SUCCESS;
	precheck__log(res, "INFO", "conn", data,
		      "%s database %s:%d is reachable (TCP connect %d ms) and user \"%s\" "
		      "logged in; server version %s", side->role, ep->ip, c.port,
		      latency_ms, ep->user, version);
cleanup:
	free(version);
}

void precheck__conn_src(const struct precheck_env *env, struct precheck_result *res)
{
	conn_check_run(env->ctx, &side_src, &env->job->src, res);
}

void precheck__conn_dest(const struct precheck_env *env, struct precheck_result *res)
{
	conn_check_run(env->ctx, &side_dst, &env->job->dst, res);
}

const struct precheck_check precheck__conn_checks[] = {
	{ "CHECK_CONN_SRC", 1, false, PRECHECK_SIDE_CONN, NULL, precheck__conn_src },
	{ "CHECK_CONN_DEST", 2, false, PRECHECK_SIDE_CONN, NULL, precheck__conn_dest },
	{ NULL, 0, false, PRECHECK_SIDE_CONN, NULL, NULL },
};
