/*
 * precheck_netcheck.c - the full network check of the precheck
 * (FullNetCheckJobStatus, JobName "dts.step.fullnetcheck") and the network
 * diagnosis (NetworkDiagnosisResult).
 *
 * For the source and for the destination endpoint, four stages, each one
 * row (a META_ITEM_NETCHECK item, key NET_<SRC|DEST>_<STAGE>, Item
 * CHECK_NET_<SRC|DEST>_<STAGE>):
 *   DNS   resolve the host, every address (they become Src/DestRegionCidr);
 *   TCP   connect NC_SAMPLES times to the first address that accepts, timed;
 *   TLS   when Reserve srcSSL/destSSL asks for it (any value but "0"), a
 *         login with TLS required through the engine's client library; when
 *         it does not, Success with "not configured";
 *   AUTH  log in through the engine client (my_connect / pg_connect), as the
 *         later steps will.
 * A stage after a failed one is NotStarted with an INFO log saying why.
 * Every stage is bounded by ctx->connect_timeout_s: the name lookup runs on
 * a helper thread that is abandoned at the deadline (getaddrinfo has no
 * timeout), the TCP samples share one deadline, and the logins are given
 * the numeric address TCP reached (one address, one bound) with that
 * timeout. So a host that accepts TCP and never answers costs one timeout.
 *
 * From the rows comes one diagnosis per endpoint: a stable code
 * (dns_unresolved, tcp_refused, tcp_timeout, tcp_unreachable, tls_failed,
 * auth_failed, slow_link, ok), one sentence for the operator and the
 * troubleshooting page shipped in the repository, docs/network/<code>.md,
 * given as that repository-relative path (docs/network/README.md says why).
 *
 * Threads: precheck__netcheck_probe() runs on a thread of precheck.c during
 * the connectivity stage and never touches the metastore; it starts one
 * thread per endpoint, each owning its struct nc_endpoint and connections,
 * and joins them. precheck__netcheck_record() runs on the step's thread: it
 * writes the rows, their logs and two checkpoints ("precheck.netcheck": the
 * header fields, "precheck.netdiag": the diagnosis; both read by
 * api/act_netcheck.c) in one transaction, then frees the result. The check
 * is informational: it never fails the precheck (CHECK_CONN_* do that).
 *
 * The TLS probe calls Connector/C and libpq directly because my_connect()
 * and pg_connect() have no TLS option yet; it belongs there once they do.
 */
#include <cjson/cJSON.h>
#include <errmsg.h>
#include <errno.h>
#include <mysqld_error.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "engines/net.h"
#include "job/job.h"
#include "steps/precheck_internal.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define NC_SAMPLES 3                 /* TCP connects per endpoint */
#define NC_SLOW_LINK_MS 100.0        /* average TCP connect time for slow_link */
#define NC_DEFAULT_TIMEOUT_S 10
#define NC_ADDRS_MAX 16
#define NC_ADDR_LEN 64               /* a numeric IPv6 address with a scope */
#define NC_MODEL_VERSION "opendts-network-v1"   /* also in api/act_netcheck.c */
#define NC_DOC_DIR "docs/network/"
#define NC_CKPT_HEADER "precheck.netcheck"      /* also in api/act_netcheck.c */
#define NC_CKPT_DIAG "precheck.netdiag"

enum nc_stage { NC_DNS = 0, NC_TCP, NC_TLS, NC_AUTH, NC_STAGES };

static const char *const stage_name[NC_STAGES] = { "DNS", "TCP", "TLS", "AUTH" };
static const char *const stage_type[NC_STAGES] = { "dns", "tcp", "tls", "auth" };
static const char *const stage_what[NC_STAGES] = {
	"name resolution", "the TCP connection", "the TLS handshake", "the login",
};

/* Which endpoint, and how the API names its parameters. */
struct nc_side {
	const char *role;       /* "source" | "destination" (also EndpointType) */
	const char *tag;        /* "SRC" | "DEST", in keys and Item names */
	const char *prefix;     /* ConfigureDtsJob parameter prefix */
	const char *db_param;   /* the database parameter (spelled differently) */
	const char *ssl_key;    /* the Reserve key that asks for TLS */
};

static const struct nc_side side_src = {
	"source", "SRC", "SourceEndpoint", "SourceEndpointDatabaseName", "srcSSL",
};
static const struct nc_side side_dst = {
	"destination", "DEST", "DestinationEndpoint", "DestinationEndpointDataBaseName",
	"destSSL",
};

struct nc_endpoint;

/* One client library: a login with TLS required, a plain login. */
struct nc_engine {
	const char *name;
	int default_port;
	/* 0 when the TLS handshake completed (info says with what), else -1. */
	int (*tls)(const struct nc_endpoint *e, char *info, size_t n, struct err *err);
	/* Logs in; the server version into version. */
	int (*login)(const struct nc_endpoint *e, char *version, size_t n, struct err *err);
};

struct nc_row {
	struct precheck_result res;   /* state and Logs */
	int64_t boot_ms, finish_ms;
};

struct nc_endpoint {
	const struct nc_side *side;
	const struct step_ctx *ctx;
	const struct meta_endpoint *ep;   /* borrowed from ctx->job */
	const struct nc_engine *engine;   /* NULL: not supported */
	int index;                        /* 0 source, 1 destination */
	int port;
	int timeout_s;
	char tls_mode[16];                /* Reserve value; "" or "0" = off */
	char addrs[NC_ADDRS_MAX][NC_ADDR_LEN];
	size_t n_addrs;
	char addr_list[NET_ADDRS_MAX];    /* "a,b" */
	char cidr[NET_ADDRS_MAX];         /* "a/32,b/128" */
	char addr[NC_ADDR_LEN];           /* the address TCP reached */
	int n_samples;
	double lat_min_ms, lat_avg_ms, lat_max_ms;
	struct nc_row rows[NC_STAGES];
	bool failed;                      /* a stage failed: fail_stage, fail */
	bool cancelled;
	enum nc_stage fail_stage;
	struct err fail;
	const char *code;                 /* diagnosis code (static) */
	char *result;                     /* diagnosis sentence */
	pthread_t thread;
	bool started;
};

struct precheck_netcheck {
	struct nc_endpoint ends[2];
};

/* ---- small helpers ------------------------------------------------------- */

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* "host:port" of the endpoint as configured, for messages. */
static const char *target(const struct nc_endpoint *e, char *out, size_t n)
{
	const char *h = nz(e->ep->ip);
	bool v6 = strchr(h, ':') != NULL;

	snprintf(out, n, "%s%s%s:%d", v6 ? "[" : "", h, v6 ? "]" : "", e->port);
	return out;
}

/* ErrData of every row: the endpoint, never the password. */
static void summary(const struct nc_endpoint *e, char *out, size_t n)
{
	snprintf(out, n, "endpoint=%s engine=%s host=%s port=%d user=%s", e->side->role,
		 nz(e->ep->engine), nz(e->ep->ip), e->port, nz(e->ep->user));
}

/* Fails the current stage: one ERROR log "<what>; <advice> (<params>)". */
static void stage_fail(struct nc_endpoint *e, enum nc_stage s, const struct err *err,
		       const char *params)
{
	struct nc_row *r = &e->rows[s];
	char data[700];

	summary(e, data, sizeof(data));
	r->res.state = PRECHECK_FAILED;
	precheck__log(&r->res, "ERROR", stage_type[s], data, "%s%s%s%s%s%s", err->msg,
		      err->detail[0] ? "; " : "", err->detail, params ? " (check " : "",
		      nz(params), params ? ")" : "");
	e->failed = true;
	e->fail_stage = s;
	e->fail = *err;
}

static void stage_ok(struct nc_endpoint *e, enum nc_stage s, const char *level,
		     const char *extra, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The stage passed: one log (INFO, or WARN for a slow link) with the facts. */
static void stage_ok(struct nc_endpoint *e, enum nc_stage s, const char *level,
		     const char *extra, const char *fmt, ...)
{
	struct nc_row *r = &e->rows[s];
	char data[1400], msg[1024];
	va_list ap;

	summary(e, data, sizeof(data));
	if (extra && *extra)
		snprintf(data + strlen(data), sizeof(data) - strlen(data), " %s", extra);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->res.state = PRECHECK_SUCCESS;
	precheck__log(&r->res, level, stage_type[s], data, "%s", msg);
}

static void stage_skip(struct nc_endpoint *e, enum nc_stage s, const char *why)
{
	char data[700];

	summary(e, data, sizeof(data));
	e->rows[s].res.state = PRECHECK_NOT_STARTED;
	precheck__log(&e->rows[s].res, "INFO", "skipped", data, "not checked: %s", why);
}

/* "SourceEndpointIP, SourceEndpointPort" for the advice. */
static const char *params(char *out, size_t n, const struct nc_endpoint *e,
			  const char *a, const char *b)
{
	if (b)
		snprintf(out, n, "%s%s, %s%s", e->side->prefix, a, e->side->prefix, b);
	else
		snprintf(out, n, "%s%s", e->side->prefix, a);
	return out;
}

/* ---- DNS: getaddrinfo on a helper thread, bounded by a deadline ---------- */

/* Shared by the waiting endpoint thread and the resolver thread; the last
 * of the two to let go frees it (refs), so an abandoned lookup is safe. */
struct dns_job {
	pthread_mutex_t mu;
	pthread_cond_t cv;       /* signalled when done (CLOCK_MONOTONIC) */
	int refs;                /* guarded by mu */
	bool done;               /* guarded by mu */
	int rc;                  /* getaddrinfo's result, guarded by mu */
	int sys_errno;
	struct addrinfo *res;    /* guarded by mu; freed with the job if not taken */
	char *host;
	char service[16];
};

static void dns_job_drop(struct dns_job *j)
{
	bool last;

	pthread_mutex_lock(&j->mu);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->mu);
	if (!last)
		return;
	if (j->res)
		freeaddrinfo(j->res);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j->host);
	free(j);
}

static void *dns_main(void *arg)
{
	struct dns_job *j = arg;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_protocol = IPPROTO_TCP };
	struct addrinfo *res = NULL;
	int rc, e;

	rc = getaddrinfo(j->host, j->service, &hints, &res);
	e = errno;
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->sys_errno = e;
	j->res = res;
	j->done = true;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	dns_job_drop(j);
	return NULL;
}

static struct dns_job *dns_job_new(const char *host, int port)
{
	struct dns_job *j = xcalloc(1, sizeof(*j));
	pthread_condattr_t ca;

	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	j->refs = 2;
	j->host = xstrdup(host);
	snprintf(j->service, sizeof(j->service), "%d", port);
	return j;
}

/* Waits until the lookup is done, the deadline passes or the step is
 * cancelled (checked every 200 ms). True when done; *res is then taken. */
static bool dns_wait(struct dns_job *j, const struct step_ctx *ctx, int64_t deadline,
		     struct addrinfo **res, int *rc, int *sys_errno)
{
	bool done;

	pthread_mutex_lock(&j->mu);
	while (!j->done && !step_cancelled(ctx)) {
		int64_t now = time_mono_ms(), until = deadline;
		struct timespec ts;

		if (now >= deadline)
			break;
		if (until > now + 200)
			until = now + 200;
		ts.tv_sec = (time_t)(until / 1000);
		ts.tv_nsec = (long)(until % 1000) * 1000000L;
		pthread_cond_timedwait(&j->cv, &j->mu, &ts);
	}
	done = j->done;
	if (done) {
		*res = j->res;
		j->res = NULL;
		*rc = j->rc;
		*sys_errno = j->sys_errno;
	}
	pthread_mutex_unlock(&j->mu);
	dns_job_drop(j);
	return done;
}

/* getaddrinfo(host) within timeout_ms; errors worded like engines/net.c. */
static int resolve(const struct nc_endpoint *e, struct addrinfo **res, struct err *err)
{
	const char *host = nz(e->ep->ip);
	struct dns_job *j;
	pthread_attr_t attr;
	pthread_t th;
	int rc = 0, sys_errno = 0;

	*res = NULL;
	if (!*host) {
		err_set(err, ERR_INVALID, "the %s endpoint has no IP address or host name",
			e->side->role);
		return -1;
	}
	j = dns_job_new(host, e->port);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, dns_main, j) != 0)
		dns_main(j);      /* no thread: resolve here, unbounded */
	pthread_attr_destroy(&attr);
	if (!dns_wait(j, e->ctx, time_mono_ms() + (int64_t)e->timeout_s * 1000, res, &rc,
		      &sys_errno)) {
		err_set(err, ERR_TIMEOUT, "resolving host \"%s\" took longer than %d s", host,
			e->timeout_s);
		err_detail(err, "the DNS servers of this node do not answer in time: check "
			   "/etc/resolv.conf, or give the IP address");
		return -1;
	}
	if (rc == 0)
		return 0;
	if (rc == EAI_SYSTEM)
		err_sys(err, ERR_CONNECT, sys_errno, "cannot resolve host \"%s\"", host);
	else
		err_set(err, ERR_CONNECT, "cannot resolve host \"%s\": %s", host,
			gai_strerror(rc));
	err_detail(err, "check the host name, or give the IP address; name resolution "
		   "uses this node's /etc/hosts and DNS");
	return -1;
}

/* Keeps the distinct numeric addresses of res, in order, and their CIDRs. */
static void keep_addresses(struct nc_endpoint *e, const struct addrinfo *res)
{
	for (const struct addrinfo *ai = res; ai && e->n_addrs < NC_ADDRS_MAX; ai = ai->ai_next) {
		char a[NC_ADDR_LEN];   /* too small for an address: EAI_OVERFLOW, skipped */
		bool seen = false;
		size_t len = strlen(e->addr_list), clen = strlen(e->cidr);

		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, a, sizeof(a), NULL, 0,
				NI_NUMERICHOST) != 0)
			continue;
		for (size_t i = 0; i < e->n_addrs; i++)
			seen = seen || strcmp(e->addrs[i], a) == 0;
		if (seen || len + strlen(a) + 2 > sizeof(e->addr_list) ||
		    clen + strlen(a) + 6 > sizeof(e->cidr))
			continue;
		str_copy(e->addrs[e->n_addrs++], NC_ADDR_LEN, a);
		snprintf(e->addr_list + len, sizeof(e->addr_list) - len, "%s%s",
			 len ? "," : "", a);
		snprintf(e->cidr + clen, sizeof(e->cidr) - clen, "%s%s/%d", clen ? "," : "",
			 a, ai->ai_family == AF_INET6 ? 128 : 32);
	}
}

static void stage_dns(struct nc_endpoint *e)
{
	struct addrinfo *res = NULL;
	struct err err = { 0 };
	char p[160], extra[NET_ADDRS_MAX + 32];
	double t0 = mono_ms(), took;

	if (resolve(e, &res, &err) < 0) {
		stage_fail(e, NC_DNS, &err, params(p, sizeof(p), e, "IP", NULL));
		return;
	}
	took = mono_ms() - t0;
	keep_addresses(e, res);
	freeaddrinfo(res);
	if (e->n_addrs == 0) {
		err_set(&err, ERR_CONNECT, "host \"%s\" has no usable address", e->ep->ip);
		stage_fail(e, NC_DNS, &err, params(p, sizeof(p), e, "IP", NULL));
		return;
	}
	snprintf(extra, sizeof(extra), "addresses=%s", e->addr_list);
	stage_ok(e, NC_DNS, "INFO", extra, "%s host \"%s\" resolves to %s (lookup %.2f ms)",
		 e->side->role, e->ep->ip, e->addr_list, took);
}

/* ---- TCP: connect samples, one deadline for the stage --------------------- */

/* One timed connect to `addr` within the time left; -1 with err. */
static int tcp_sample(const struct nc_endpoint *e, const char *addr, int64_t deadline,
		      double *ms, struct err *err)
{
	int64_t left = deadline - time_mono_ms();
	double t0;

	if (left <= 0) {
		err_set(err, ERR_TIMEOUT, "connection to %s:%d timed out after %d ms", addr,
			e->port, e->timeout_s * 1000);
		return -1;
	}
	t0 = mono_ms();
	if (net_tcp_probe(addr, e->port, (int)left, NULL, err) < 0)
		return -1;
	*ms = mono_ms() - t0;
	return 0;
}

/* The first sample: the addresses in order until one accepts. */
static int tcp_first(struct nc_endpoint *e, int64_t deadline, double *ms, struct err *err)
{
	for (size_t i = 0; i < e->n_addrs; i++) {
		if (tcp_sample(e, e->addrs[i], deadline, ms, err) == 0) {
			str_copy(e->addr, sizeof(e->addr), e->addrs[i]);
			return 0;
		}
		if (err->code == ERR_TIMEOUT)
			break;
	}
	return -1;
}

static void tcp_report(struct nc_endpoint *e, const double *ms)
{
	char extra[512], tgt[300];
	size_t len;

	e->lat_min_ms = e->lat_max_ms = ms[0];
	e->lat_avg_ms = 0;
	len = (size_t)snprintf(extra, sizeof(extra), "address=%s samples_ms=", e->addr);
	for (int i = 0; i < e->n_samples; i++) {
		e->lat_min_ms = ms[i] < e->lat_min_ms ? ms[i] : e->lat_min_ms;
		e->lat_max_ms = ms[i] > e->lat_max_ms ? ms[i] : e->lat_max_ms;
		e->lat_avg_ms += ms[i] / e->n_samples;
		len += (size_t)snprintf(extra + len, sizeof(extra) - len, "%s%.3f",
					i ? "," : "", ms[i]);
	}
	snprintf(extra + len, sizeof(extra) - len, " min_ms=%.3f avg_ms=%.3f max_ms=%.3f",
		 e->lat_min_ms, e->lat_avg_ms, e->lat_max_ms);
	stage_ok(e, NC_TCP, e->lat_avg_ms > NC_SLOW_LINK_MS ? "WARN" : "INFO", extra,
		 "TCP connect to %s %s (address %s) succeeded %d of %d times: latency "
		 "min %.2f ms, avg %.2f ms, max %.2f ms%s", e->side->role,
		 target(e, tgt, sizeof(tgt)), e->addr, e->n_samples, NC_SAMPLES,
		 e->lat_min_ms, e->lat_avg_ms, e->lat_max_ms,
		 e->lat_avg_ms > NC_SLOW_LINK_MS ? " (slow link: over 100 ms on average)" : "");
}

static void stage_tcp(struct nc_endpoint *e)
{
	int64_t deadline = time_mono_ms() + (int64_t)e->timeout_s * 1000;
	double ms[NC_SAMPLES];
	struct err err = { 0 };
	char p[160];

	if (tcp_first(e, deadline, &ms[0], &err) < 0) {
		stage_fail(e, NC_TCP, &err, params(p, sizeof(p), e, "IP", "Port"));
		return;
	}
	e->n_samples = 1;
	while (e->n_samples < NC_SAMPLES && time_mono_ms() < deadline &&
	       !step_cancelled(e->ctx)) {
		if (tcp_sample(e, e->addr, deadline, &ms[e->n_samples], &err) < 0) {
			err_prefix(&err, "TCP connect %d of %d", e->n_samples + 1, NC_SAMPLES);
			stage_fail(e, NC_TCP, &err, params(p, sizeof(p), e, "IP", "Port"));
			return;
		}
		e->n_samples++;
	}
	tcp_report(e, ms);
}

/* ---- engines -------------------------------------------------------------- */

static const char *db_or(const struct nc_endpoint *e, const char *def)
{
	return e->ep->database && *e->ep->database ? e->ep->database : def;
}

static bool my_after_tls(unsigned no)
{
	/* Errors the server sends only after the TLS handshake (login refused);
	 * "host not allowed" or "too many connections" come before it. */
	return no == ER_ACCESS_DENIED_ERROR || no == ER_ACCESS_DENIED_NO_PASSWORD_ERROR ||
	       no == ER_NOT_SUPPORTED_AUTH_MODE;
}

static int my_tls_options(MYSQL *m, unsigned timeout_s)
{
	unsigned proto = MYSQL_PROTOCOL_TCP, no_infile = 0;
	my_bool on = 1, off = 0;   /* the options below take a my_bool */

	return mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &proto) ||
	       mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout_s) ||
	       mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &timeout_s) ||
	       mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout_s) ||
	       mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on) ||
	       mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off) ||
	       mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &no_infile) ? -1 : 0;
}

static void my_tls_error(const struct nc_endpoint *e, MYSQL *m, double waited_ms,
			 struct err *err)
{
	unsigned no = mysql_errno(m);

	if ((no == CR_SERVER_LOST || no == CR_SERVER_GONE_ERROR) &&
	    waited_ms + 250 >= e->timeout_s * 1000.0) {
		err_set(err, ERR_TIMEOUT, "MySQL server %s:%d did not complete the TLS "
			"handshake within %d s: %s (error %u)", e->addr, e->port, e->timeout_s,
			mysql_error(m), no);
		err_detail(err, "the port accepts TCP connections but no MySQL server "
			   "answered: check that this is the port of a MySQL/MariaDB server");
		return;
	}
	err_set(err, ERR_CONNECT, "TLS connection to MySQL server %s:%d failed: %s "
		"(error %u)", e->addr, e->port, mysql_error(m), no);
	err_detail(err, "enable TLS on the server (ssl_cert and ssl_key in my.cnf; "
		   "SHOW VARIABLES LIKE 'have_ssl' must say YES) or set Reserve %s to \"0\"",
		   e->side->ssl_key);
}

static void my_no_tls(const struct nc_endpoint *e, struct err *err)
{
	err_set(err, ERR_CONNECT, "MySQL server %s:%d does not offer TLS", e->addr, e->port);
	err_detail(err, "enable TLS on the server (ssl_cert and ssl_key in my.cnf; "
		   "SHOW VARIABLES LIKE 'have_ssl' must say YES) or set Reserve %s to \"0\"",
		   e->side->ssl_key);
}

/* Connector/C 3.3 quietly goes on without TLS when the server offers none,
 * even with MYSQL_OPT_SSL_ENFORCE; so a login proves TLS only with a cipher,
 * and a refused login only when the server's greeting offered TLS. */
static int my_tls(const struct nc_endpoint *e, char *info, size_t n, struct err *err)
{
	MYSQL *m = mysql_init(NULL);
	const char *version = NULL, *cipher;
	double t0;
	int rc = -1;

	if (!m || my_tls_options(m, (unsigned)e->timeout_s) < 0) {
		err_set(err, ERR_INTERNAL, "cannot set up a MySQL TLS connection to %s:%d",
			e->addr, e->port);
		goto cleanup;
	}
	t0 = mono_ms();
	if (mysql_real_connect(m, e->addr, nz(e->ep->user), nz(e->ep->password), NULL,
			       (unsigned)e->port, NULL, 0)) {
		cipher = mysql_get_ssl_cipher(m);
		if (!cipher) {
			my_no_tls(e, err);
			goto cleanup;
		}
		if (mariadb_get_infov(m, MARIADB_CONNECTION_TLS_VERSION, &version) != 0)
			version = NULL;
		snprintf(info, n, "%s, cipher %s", version ? version : "TLS", cipher);
		rc = 0;
	} else if (my_after_tls(mysql_errno(m))) {
		if (!(m->server_capabilities & CLIENT_SSL)) {
			my_no_tls(e, err);
			goto cleanup;
		}
		snprintf(info, n, "the server then refused the login over TLS (error %u, "
			 "see the AUTH row)", mysql_errno(m));
		rc = 0;
	} else {
		my_tls_error(e, m, mono_ms() - t0, err);
	}
cleanup:
	mysql_close(m);
	return rc;
}

static int my_login(const struct nc_endpoint *e, char *version, size_t n, struct err *err)
{
	struct my_conn_opts o = {
		.host = e->addr, .port = e->port, .user = nz(e->ep->user),
		.password = nz(e->ep->password), .database = db_or(e, NULL),
		.connect_timeout_s = e->timeout_s, .read_timeout_s = e->timeout_s,
		.write_timeout_s = e->timeout_s,
	};
	struct my_conn *c = my_connect(&o, err);

	if (!c)
		return -1;
	str_copy(version, n, my_server_version(c));
	my_close(c);
	return 0;
}

/* libpq's message on one line. */
static void pg_message(PGconn *pg, char *out, size_t n)
{
	size_t j = 0;

	for (const char *p = pg ? PQerrorMessage(pg) : "out of memory"; *p && j + 2 < n; p++)
		out[j++] = *p == '\n' || *p == '\t' ? ' ' : *p;
	while (j > 0 && out[j - 1] == ' ')
		j--;
	out[j] = '\0';
}

static void pg_tls_result(const struct nc_endpoint *e, PGconn *pg, char *info, size_t n,
			  struct err *err)
{
	char msg[400];

	pg_message(pg, msg, sizeof(msg));
	if (strstr(msg, "FATAL:")) {   /* the server spoke, over TLS */
		snprintf(info, n, "the server then refused the login over TLS (see the AUTH row)");
		return;
	}
	if (strstr(msg, "timeout expired")) {
		err_set(err, ERR_TIMEOUT, "PostgreSQL server %s:%d did not complete the TLS "
			"handshake within %d s: %s", e->addr, e->port, e->timeout_s, msg);
		err_detail(err, "the port accepts TCP connections but no PostgreSQL server "
			   "answered: check that this is the port of a PostgreSQL server");
		return;
	}
	err_set(err, ERR_CONNECT, "TLS connection to PostgreSQL server %s:%d failed: %s",
		e->addr, e->port, msg);
	err_detail(err, "enable TLS on the server (ssl = on with ssl_cert_file and "
		   "ssl_key_file in postgresql.conf) or set Reserve %s to \"0\"",
		   e->side->ssl_key);
}

static int pg_tls(const struct nc_endpoint *e, char *info, size_t n, struct err *err)
{
	char port_s[16], ct_s[16];
	const char *const keys[] = { "host", "hostaddr", "port", "user", "password", "dbname",
				     "connect_timeout", "sslmode", "application_name", NULL };
	const char *vals[] = { nz(e->ep->ip), e->addr, port_s, nz(e->ep->user),
			       nz(e->ep->password), db_or(e, "postgres"), ct_s, "require",
			       "opendts-netcheck", NULL };
	PGconn *pg;
	int rc = -1;

	snprintf(port_s, sizeof(port_s), "%d", e->port);
	snprintf(ct_s, sizeof(ct_s), "%d", e->timeout_s < 2 ? 2 : e->timeout_s);
	pg = PQconnectdbParams(keys, vals, 0);
	if (pg && PQstatus(pg) == CONNECTION_OK && PQsslInUse(pg)) {
		snprintf(info, n, "%s, cipher %s", nz(PQsslAttribute(pg, "protocol")),
			 nz(PQsslAttribute(pg, "cipher")));
		rc = 0;
	} else {
		err_clear(err);
		pg_tls_result(e, pg, info, n, err);
		rc = err->code == ERR_OK ? 0 : -1;
	}
	PQfinish(pg);
	return rc;
}

static int pg_login(const struct nc_endpoint *e, char *version, size_t n, struct err *err)
{
	struct pg_conn_opts o = {
		.host = e->addr, .port = e->port, .user = nz(e->ep->user),
		.password = nz(e->ep->password), .database = db_or(e, NULL),
		.connect_timeout_s = e->timeout_s, .read_timeout_s = e->timeout_s,
		.write_timeout_s = e->timeout_s,
	};
	struct pg_conn *c = pg_connect(&o, err);

	if (!c)
		return -1;
	str_copy(version, n, pg_server_version(c));
	pg_close(c);
	return 0;
}

static const struct nc_engine engine_my = { "MySQL", MY_DEFAULT_PORT, my_tls, my_login };
static const struct nc_engine engine_pg = { "PostgreSQL", PG_DEFAULT_PORT, pg_tls, pg_login };

/* Engine names as ConfigureDtsJob accepts them (as in precheck_conn.c). */
static const struct nc_engine *engine_find(const char *name)
{
	static const char *const my_names[] = { "MySQL", "MariaDB", "PolarDB" };

	for (size_t i = 0; i < sizeof(my_names) / sizeof(my_names[0]); i++)
		if (str_ieq(nz(name), my_names[i]))
			return &engine_my;
	return str_ieq(nz(name), "PostgreSQL") ? &engine_pg : NULL;
}

/* ---- TLS and AUTH stages ---------------------------------------------------- */

static bool tls_wanted(const struct nc_endpoint *e)
{
	return e->tls_mode[0] && strcmp(e->tls_mode, "0") != 0;
}

static void stage_tls(struct nc_endpoint *e)
{
	struct err err = { 0 };
	char info[300], extra[400], tgt[300];
	double t0;

	if (!tls_wanted(e)) {
		stage_ok(e, NC_TLS, "INFO", "tls=off", "TLS is not configured for the %s "
			 "endpoint (Reserve %s %s%s%s): the connection is not encrypted",
			 e->side->role, e->side->ssl_key, e->tls_mode[0] ? "is \"" : "is not set",
			 e->tls_mode, e->tls_mode[0] ? "\"" : "");
		return;
	}
	if (!e->engine) {
		stage_skip(e, NC_TLS, "the database engine is not supported (see the AUTH row)");
		return;
	}
	t0 = mono_ms();
	if (e->engine->tls(e, info, sizeof(info), &err) < 0) {
		snprintf(extra, sizeof(extra), "Reserve %s", e->side->ssl_key);
		stage_fail(e, NC_TLS, &err, extra);
		return;
	}
	snprintf(extra, sizeof(extra), "tls=%s address=%s", e->tls_mode, e->addr);
	stage_ok(e, NC_TLS, "INFO", extra, "TLS handshake with %s %s succeeded in %.1f ms "
		 "(Reserve %s \"%s\"; %s; the server certificate is not verified)",
		 e->side->role, target(e, tgt, sizeof(tgt)), mono_ms() - t0, e->side->ssl_key,
		 e->tls_mode, info);
}

/* The parameters to look at after a failed login, from the option blamed. */
static const char *auth_params(char *out, size_t n, const struct nc_endpoint *e,
			       const struct err *err)
{
	if (strcmp(err->param, "user") == 0)
		return params(out, n, e, "UserName", "Password");
	if (strcmp(err->param, "database") == 0) {
		str_copy(out, n, e->side->db_param);
		return out;
	}
	return params(out, n, e, "Port", "EngineName");
}

static void stage_auth(struct nc_endpoint *e)
{
	struct err err = { 0 };
	char version[128], extra[300], p[160], tgt[300];
	double t0;

	if (!e->engine) {
		err_set(&err, ERR_UNSUPPORTED, "database engine \"%s\" is not supported",
			nz(e->ep->engine));
		err_detail(&err, "opendts connects to MySQL, MariaDB, PolarDB (MySQL protocol) "
			   "and PostgreSQL");
		stage_fail(e, NC_AUTH, &err, params(p, sizeof(p), e, "EngineName", NULL));
		return;
	}
	t0 = mono_ms();
	if (e->engine->login(e, version, sizeof(version), &err) < 0) {
		stage_fail(e, NC_AUTH, &err, auth_params(p, sizeof(p), e, &err));
		return;
	}
	snprintf(extra, sizeof(extra), "address=%s login_ms=%.1f version=\"%s\"", e->addr,
		 mono_ms() - t0, version);
	stage_ok(e, NC_AUTH, "INFO", extra, "user \"%s\" logged in to %s %s (%s %s) in "
		 "%.1f ms", nz(e->ep->user), e->side->role, target(e, tgt, sizeof(tgt)),
		 e->engine->name, version, mono_ms() - t0);
}

/* ---- diagnosis ---------------------------------------------------------------- */

static const char *tcp_code(const struct err *err)
{
	if (err->code == ERR_TIMEOUT)
		return "tcp_timeout";
	/* engines/net.h words a refusal "connection to H:P refused". */
	if (strstr(err->msg, " refused"))
		return "tcp_refused";
	return "tcp_unreachable";
}

/* The sentence of a failed endpoint: what, where, what to do. */
static char *failure_result(const struct nc_endpoint *e, const char *tgt)
{
	const char *role = e->side->role, *pfx = e->side->prefix, *msg = e->fail.msg;

	if (strcmp(e->code, "dns_unresolved") == 0)
		return xasprintf("This node cannot resolve the %s host \"%s\" (%s): correct "
				 "%sIP, or publish the name in this node's DNS or /etc/hosts, "
				 "then run the precheck again.", role, nz(e->ep->ip), msg, pfx);
	if (strcmp(e->code, "tcp_refused") == 0)
		return xasprintf("The %s endpoint %s refused the TCP connection (%s): nothing "
				 "listens there; check %sPort and that the database server runs "
				 "and listens on that address.", role, tgt, msg, pfx);
	if (strcmp(e->code, "tcp_timeout") == 0)
		return xasprintf("TCP connections from this node to the %s endpoint %s time "
				 "out (%s): a firewall, security group or route drops the "
				 "traffic; allow this node to reach that port.", role, tgt, msg);
	if (strcmp(e->code, "tcp_unreachable") == 0)
		return xasprintf("This node cannot open a TCP connection to the %s endpoint "
				 "%s (%s): check %sIP, the routing and the VPN/VPC settings.",
				 role, tgt, msg, pfx);
	if (strcmp(e->code, "tls_failed") == 0)
		return xasprintf("The TLS handshake with the %s endpoint %s failed (%s): enable "
				 "TLS on the database server, or set Reserve %s to \"0\".", role,
				 tgt, msg, e->side->ssl_key);
	if (e->fail.code == ERR_TIMEOUT)
		return xasprintf("The %s endpoint %s accepts TCP connections but no database "
				 "server answered the login (%s): check that %sPort is the "
				 "database port and that the server is not overloaded.", role,
				 tgt, msg, pfx);
	return xasprintf("The login to the %s endpoint %s failed (%s): check %sUserName, "
			 "%sPassword, the database name and that the account may connect "
			 "from this node's address.", role, tgt, msg, pfx, pfx);
}

static void diagnose(struct nc_endpoint *e)
{
	static const char *const stage_code[NC_STAGES] = {
		"dns_unresolved", NULL, "tls_failed", "auth_failed",
	};
	char tgt[300];

	target(e, tgt, sizeof(tgt));
	if (e->failed) {
		e->code = e->fail_stage == NC_TCP ? tcp_code(&e->fail) : stage_code[e->fail_stage];
		e->result = failure_result(e, tgt);
	} else if (e->lat_avg_ms > NC_SLOW_LINK_MS) {
		e->code = "slow_link";
		e->result = xasprintf("The %s endpoint %s works but the link is slow: a TCP "
				      "connect takes %.1f ms on average (over %.0f ms): expect "
				      "slow migration; run opendts closer to the database or use a "
				      "faster link.", e->side->role, tgt, e->lat_avg_ms,
				      NC_SLOW_LINK_MS);
	} else {
		e->code = "ok";
		e->result = xasprintf("The %s endpoint %s is reachable from this node (TCP "
				      "connect %.2f ms on average, TLS %s) and user \"%s\" logged "
				      "in: no network problem found.", e->side->role, tgt,
				      e->lat_avg_ms, tls_wanted(e) ? "on" : "not configured",
				      nz(e->ep->user));
	}
}

/* ---- probe ----------------------------------------------------------------- */

static void *endpoint_main(void *arg)
{
	static void (*const stages[NC_STAGES])(struct nc_endpoint *) = {
		stage_dns, stage_tcp, stage_tls, stage_auth,
	};
	struct nc_endpoint *e = arg;
	char why[160];

	for (int s = 0; s < NC_STAGES; s++) {
		struct nc_row *r = &e->rows[s];

		r->boot_ms = time_now_ms();
		if (step_cancelled(e->ctx)) {
			e->cancelled = true;
			stage_skip(e, (enum nc_stage)s, "the precheck was cancelled");
		} else if (e->failed) {
			snprintf(why, sizeof(why), "%s failed (see CHECK_NET_%s_%s)",
				 stage_what[e->fail_stage], e->side->tag,
				 stage_name[e->fail_stage]);
			stage_skip(e, (enum nc_stage)s, why);
		} else {
			stages[s](e);
		}
		r->finish_ms = time_now_ms();
	}
	diagnose(e);
	return NULL;
}

static void endpoint_init(struct nc_endpoint *e, const struct step_ctx *ctx, int index,
			  const struct nc_side *side, const struct meta_endpoint *ep)
{
	e->side = side;
	e->ctx = ctx;
	e->ep = ep;
	e->index = index;
	e->engine = engine_find(ep->engine);
	e->port = ep->port > 0 ? ep->port : e->engine ? e->engine->default_port : 0;
	e->timeout_s = ctx->connect_timeout_s > 0 ? ctx->connect_timeout_s
						  : NC_DEFAULT_TIMEOUT_S;
	job_reserve_get(ctx->job->reserve, side->ssl_key, "", e->tls_mode, sizeof(e->tls_mode));
}

struct precheck_netcheck *precheck__netcheck_probe(const struct step_ctx *ctx)
{
	struct precheck_netcheck *nc = xcalloc(1, sizeof(*nc));

	endpoint_init(&nc->ends[0], ctx, 0, &side_src, &ctx->job->src);
	endpoint_init(&nc->ends[1], ctx, 1, &side_dst, &ctx->job->dst);
	/* Both endpoints at once, so the check takes the time of the slower. */
	for (int i = 0; i < 2; i++)
		nc->ends[i].started = pthread_create(&nc->ends[i].thread, NULL, endpoint_main,
						     &nc->ends[i]) == 0;
	for (int i = 0; i < 2; i++) {
		if (nc->ends[i].started)
			pthread_join(nc->ends[i].thread, NULL);
		else
			endpoint_main(&nc->ends[i]);
	}
	return nc;
}

/* ---- record ------------------------------------------------------------------ */

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* The row of one stage as a NETCHECK item, in the precheck item style. */
static void row_fill(struct meta_item *it, const struct step_ctx *ctx,
		     const struct nc_endpoint *e, enum nc_stage s)
{
	const struct nc_row *r = &e->rows[s];
	char key[96], tgt[300];

	str_copy(it->job_id, sizeof(it->job_id), ctx->job->id);
	str_copy(it->code, sizeof(it->code), ctx->code ? ctx->code : "01");
	it->kind = META_ITEM_NETCHECK;
	it->order_num = e->index * NC_STAGES + (int)s + 1;
	it->can_skip = false;
	it->total = 1;
	it->current = 0;
	it->boot_ms = r->boot_ms;
	it->finish_ms = r->finish_ms;
	snprintf(key, sizeof(key), "NET_%s_%s", e->side->tag, stage_name[s]);
	set_str(&it->key, key);
	snprintf(key, sizeof(key), "CHECK_NET_%s_%s", e->side->tag, stage_name[s]);
	set_str(&it->item, key);
	snprintf(key, sizeof(key), "CHECK_NET_%s_%s_DETAIL", e->side->tag, stage_name[s]);
	set_str(&it->names, key);
	set_str(&it->state, r->res.state ? r->res.state : PRECHECK_NOT_STARTED);
	set_str(&it->target_names, target(e, tgt, sizeof(tgt)));
	if (r->res.state && strcmp(r->res.state, PRECHECK_FAILED) == 0) {
		snprintf(key, sizeof(key), "CHECK__ERROR_NET_%s_%s", e->side->tag, stage_name[s]);
		set_str(&it->err_msg, key);
		snprintf(key, sizeof(key), "CHECK__ERROR_NET_%s_%s_DETAIL", e->side->tag,
			 stage_name[s]);
		set_str(&it->err_detail, key);
		snprintf(key, sizeof(key), "CHECK__ERROR_NET_%s_%s_REPAIR", e->side->tag,
			 stage_name[s]);
		set_str(&it->repair_method, key);
	}
}

static int put_row(const struct step_ctx *ctx, const struct nc_endpoint *e,
		   enum nc_stage s, struct err *err)
{
	const struct precheck_result *res = &e->rows[s].res;
	struct meta_item it;
	int rc = -1;

	meta_item_init(&it);
	row_fill(&it, ctx, e, s);
	if (meta_item_put(ctx->meta, &it, err) < 0 ||
	    meta_item_logs_clear(ctx->meta, it.id, err) < 0)
		goto cleanup;
	for (size_t i = 0; i < res->n_logs; i++) {
		struct meta_log ml = { .err_data = res->logs[i].data, .err_msg = res->logs[i].msg,
				       .log_level = res->logs[i].level,
				       .err_type = res->logs[i].type };

		if (meta_item_log_add(ctx->meta, it.id, &ml, err) < 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	meta_item_release(&it);
	return rc;
}

static const char *region_of(const struct step_ctx *ctx, const struct meta_endpoint *ep)
{
	return ep->region && *ep->region ? ep->region : nz(ctx->region);
}

/* The header fields of FullNetCheckJobStatus, as JSON text (cJSON_free). */
static char *header_json(const struct step_ctx *ctx, const struct precheck_netcheck *nc)
{
	const struct nc_endpoint *s = &nc->ends[0], *d = &nc->ends[1];
	cJSON *o = cJSON_CreateObject();
	int failed = 0;
	char *text;

	for (int i = 0; i < 2; i++)
		for (int st = 0; st < NC_STAGES; st++)
			failed += nc->ends[i].rows[st].res.state &&
				  strcmp(nc->ends[i].rows[st].res.state, PRECHECK_FAILED) == 0;
	cJSON_AddStringToObject(o, "State", failed ? "Failed" : "Success");
	cJSON_AddNumberToObject(o, "ErrorItem", failed);
	cJSON_AddNumberToObject(o, "Total", 2 * NC_STAGES);
	cJSON_AddStringToObject(o, "HostRegion", nz(ctx->region));
	cJSON_AddStringToObject(o, "SrcRegion", region_of(ctx, s->ep));
	cJSON_AddStringToObject(o, "DestRegion", region_of(ctx, d->ep));
	cJSON_AddStringToObject(o, "SrcRegionCidr", s->cidr);
	cJSON_AddStringToObject(o, "DestRegionCidr", d->cidr);
	cJSON_AddStringToObject(o, "SourceEndpointType", nz(s->ep->instance_type));
	cJSON_AddStringToObject(o, "DestinationEndpointType", nz(d->ep->instance_type));
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		BUG("cannot print the network check header");
	return text;
}

/* NetworkDiagnosisResult as JSON text (cJSON_free). */
static char *diagnosis_json(const struct precheck_netcheck *nc)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	char url[128], *text;

	cJSON_AddStringToObject(o, "ModelVersion", NC_MODEL_VERSION);
	arr = cJSON_AddArrayToObject(o, "Diagnosis");
	for (int i = 0; i < 2; i++) {
		const struct nc_endpoint *e = &nc->ends[i];
		cJSON *d = cJSON_CreateObject();

		snprintf(url, sizeof(url), NC_DOC_DIR "%s.md", e->code);
		cJSON_AddStringToObject(d, "EndpointType", e->side->role);
		cJSON_AddStringToObject(d, "Code", e->code);
		cJSON_AddStringToObject(d, "CnDocUrl", url);
		cJSON_AddStringToObject(d, "InternationalDocUrl", url);
		cJSON_AddStringToObject(d, "Result", e->result);
		cJSON_AddItemToArray(arr, d);
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		BUG("cannot print the network diagnosis");
	return text;
}

static void nc_free(struct precheck_netcheck *nc)
{
	for (int i = 0; i < 2; i++) {
		for (int s = 0; s < NC_STAGES; s++)
			precheck__result_release(&nc->ends[i].rows[s].res);
		free(nc->ends[i].result);
	}
	free(nc);
}

static void log_outcome(const struct step_ctx *ctx, const struct precheck_netcheck *nc)
{
	char quoted[700];

	for (int i = 0; i < 2; i++) {
		const struct nc_endpoint *e = &nc->ends[i];

		log_at(strcmp(e->code, "ok") == 0 ? LOG_INFO : LOG_WARN, "precheck.netcheck",
		       "job_id=%s endpoint=%s code=%s avg_ms=%.2f result=%s", ctx->job->id,
		       e->side->role, e->code, e->lat_avg_ms,
		       log_quote(quoted, sizeof(quoted), e->result));
	}
}

int precheck__netcheck_record(const struct step_ctx *ctx, struct precheck_netcheck *nc,
			      struct err *err)
{
	char *header = NULL, *diag = NULL;
	int rc = -1;

	if (!nc)
		return 0;
	/* Without ctx (precheck.c cleaning up) or after a cancel (the rows are
	 * incomplete; the next run checks again) there is nothing to record. */
	if (!ctx || nc->ends[0].cancelled || nc->ends[1].cancelled) {
		nc_free(nc);
		return 0;
	}
	header = header_json(ctx, nc);
	diag = diagnosis_json(nc);
	if (meta_begin(ctx->meta, err) < 0)
		goto cleanup;
	for (int i = 0; i < 2; i++)
		for (int s = 0; s < NC_STAGES; s++)
			if (put_row(ctx, &nc->ends[i], (enum nc_stage)s, err) < 0)
				goto rollback;
	if (meta_checkpoint_put(ctx->meta, ctx->job->id, NC_CKPT_HEADER, header, err) < 0 ||
	    meta_checkpoint_put(ctx->meta, ctx->job->id, NC_CKPT_DIAG, diag, err) < 0 ||
	    meta_commit(ctx->meta, err) < 0)
		goto rollback;
	log_outcome(ctx, nc);
	rc = 0;
	goto cleanup;
rollback:
	meta_rollback(ctx->meta);
cleanup:
	if (rc < 0)
		err_prefix(err, "recording the network check of job %s", ctx->job->id);
	cJSON_free(header);
	cJSON_free(diag);
	nc_free(nc);
	return rc;
}
