/*
 * server.c - the HTTP front: a libmicrohttpd daemon with its own thread pool
 * (app->http_threads) on a listening socket we bind ourselves (clear bind
 * errors, IPv4 or IPv6, port 0 picks a free port).
 *
 * Per request, MHD calls us in this order on one pool thread:
 *   uri_log     -> allocates struct http_req, keeps the raw query string
 *                  (PROTOCOL.md: we decode it ourselves, not MHD)
 *   on_request  -> first call: method, headers (names lower-cased), peer;
 *                  next calls: body chunks (MHD decodes chunked bodies),
 *                  kept up to API_MAX_BODY and discarded beyond that so
 *                  memory stays bounded and keep-alive survives;
 *                  last call: route (/healthz, /, anything else) and reply
 *   on_completed -> one access log line, then frees struct http_req.
 * struct http_req belongs to one request; struct api_server is read-only
 * after start. Replies never carry Content-Encoding. A request line plus
 * headers over HTTP_CONN_MEMORY is refused by MHD itself (414/431, its own
 * HTML body): large values belong in the POST form body.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/api.h"
#include "api/internal.h"
#include "util/codec.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define HTTP_CONN_TIMEOUT_S   30
#define HTTP_CONN_MEMORY      (256 * 1024)   /* headers + request line per connection */
#define HTTP_CONN_LIMIT       256            /* bounds memory: limit x (memory + body) */
#define HTTP_MAX_RESPONSE     (64u * 1024 * 1024)

struct api_server {
	struct MHD_Daemon *daemon;
	struct api_dispatch *dispatch;
	struct app *app;
	int port;
};

struct http_req {
	struct api_request req;
	char method[16];
	char path[128];          /* decoded path (for the log), truncated */
	char peer[INET6_ADDRSTRLEN];
	bool started;
	int status;              /* 0 until a reply was queued */
};

/* ---- per-request state --------------------------------------------------- */

static struct http_req *http_req_new(const char *uri)
{
	struct http_req *h = xcalloc(1, sizeof(*h));
	const char *q = uri ? strchr(uri, '?') : NULL;

	api_request_init(&h->req);
	if (q) {
		free(h->req.raw_query);
		h->req.raw_query = xstrdup(q + 1);
	}
	h->req.started_ms = time_mono_ms();
	codec_uuid(h->req.request_id);
	return h;
}

static void http_req_free(struct http_req *h)
{
	if (!h)
		return;
	api_request_release(&h->req);
	free(h);
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	return http_req_new(uri);
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind,
				  const char *key, const char *value)
{
	struct http_req *h = cls;
	char name[256];
	size_t i;

	(void)kind;
	for (i = 0; key[i] && i + 1 < sizeof(name); i++)
		name[i] = (char)tolower((unsigned char)key[i]);
	name[i] = '\0';
	kvlist_add(&h->req.headers, name, value ? value : "");
	return MHD_YES;
}

static void peer_address(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	str_copy(out, n, "-");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)n);
}

/* First call of a request: everything but the body. */
static void request_start(struct http_req *h, struct MHD_Connection *c,
			  const char *url, const char *method)
{
	h->started = true;
	str_copy(h->method, sizeof(h->method), method);
	h->req.method = h->method;
	str_copy(h->path, sizeof(h->path), url);
	peer_address(c, h->peer, sizeof(h->peer));
	MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, h);
}

/* ---- replies -------------------------------------------------------------- */

static enum MHD_Result send_reply(struct MHD_Connection *c, struct http_req *h,
				  int status, const char *content_type, struct buf *body)
{
	size_t len = body->len;
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, buf_take(body), MHD_RESPMEM_MUST_FREE);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(r, "x-acs-request-id", h->req.request_id);
	ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	h->status = status;
	return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, struct http_req *h,
				   const struct err *err)
{
	const char *ct;
	struct buf out;
	int status;

	buf_init(&out, HTTP_MAX_RESPONSE);
	h->req.format = API_FORMAT_JSON;
	api_respond_error(&h->req, err, &status, &ct, &out);
	return send_reply(c, h, status, ct, &out);
}

static enum MHD_Result reply_health(struct MHD_Connection *c, struct http_req *h)
{
	struct buf out;

	buf_init(&out, BUF_UNLIMITED);
	buf_puts(&out, "{\"Status\":\"ok\"}");
	return send_reply(c, h, 200, api_content_type(API_FORMAT_JSON, false), &out);
}

/* Last call of a request: the body is complete. */
static enum MHD_Result request_finish(struct api_server *s, struct MHD_Connection *c,
				      struct http_req *h)
{
	bool get = strcmp(h->method, "GET") == 0, post = strcmp(h->method, "POST") == 0;
	struct err err = { 0 };
	const char *ct;
	struct buf out;
	int status;

	if (strcmp(h->path, "/healthz") == 0) {
		if (get || strcmp(h->method, "HEAD") == 0)
			return reply_health(c, h);
		err_set(&err, ERR_METHOD, "HTTP method %s is not supported on /healthz", h->method);
		err_detail(&err, "use GET or HEAD");
		return reply_error(c, h, &err);
	}
	if (strcmp(h->path, "/") != 0) {
		err_set(&err, ERR_ACTION, "no API at path \"%.64s\"", h->path);
		err_detail(&err, "send API requests to path \"/\"");
		return reply_error(c, h, &err);
	}
	if (!get && !post) {
		err_set(&err, ERR_METHOD, "HTTP method %s is not supported", h->method);
		err_detail(&err, "use GET or POST");
		return reply_error(c, h, &err);
	}
	if (h->req.body_too_large) {
		err_set(&err, ERR_TOO_LARGE, "request body is larger than %d bytes", API_MAX_BODY);
		err_detail(&err, "send smaller values; the body limit is %d bytes", API_MAX_BODY);
		return reply_error(c, h, &err);
	}
	buf_init(&out, HTTP_MAX_RESPONSE);
	api_dispatch_handle(s->dispatch, &h->req, &status, &ct, &out);
	return send_reply(c, h, status, ct, &out);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct api_server *s = cls;
	struct http_req *h = *con_cls;

	(void)version;
	if (!h) {   /* no URI log call (should not happen): no raw query */
		h = http_req_new(NULL);
		*con_cls = h;
	}
	if (!h->started) {
		request_start(h, c, url, method);
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!h->req.body_too_large &&
		    buf_append(&h->req.body, upload_data, *upload_data_size) < 0) {
			h->req.body_too_large = true;
			buf_release(&h->req.body);   /* keep reading, keep nothing */
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (h->status)
		return MHD_YES;
	return request_finish(s, c, h);
}

/* One access line per request. The action is the resolved one, else what
 * the request asked for (quoted: it may be any client text). Never the
 * signature or a secret. */
static void log_access(const struct http_req *h, bool aborted)
{
	const char *action = h->req.action ? h->req.action : kvlist_get(&h->req.params, "Action");
	const char *key = h->req.access_key_id;
	char qa[100], qk[100], qp[160];

	log_info("http.access",
		 "req_id=%s remote=%s method=%s path=%s action=%s status=%d code=%s "
		 "dur_ms=%lld key_id=%s%s",
		 h->req.request_id, h->peer[0] ? h->peer : "-", h->method[0] ? h->method : "-",
		 log_quote(qp, sizeof(qp), h->path),
		 action ? log_quote(qa, sizeof(qa), action) : "-",
		 h->status, h->req.error_code[0] ? h->req.error_code : "-",
		 (long long)(time_mono_ms() - h->req.started_ms),
		 key ? log_quote(qk, sizeof(qk), key) : "-",
		 aborted ? " aborted=true" : "");
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_req *h = *con_cls;

	(void)cls;
	(void)c;
	if (!h)
		return;
	*con_cls = NULL;
	log_access(h, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
	http_req_free(h);
}

/* ---- listening ------------------------------------------------------------ */

__attribute__((format(printf, 2, 0)))
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512], q[600];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	log_warn("http.mhd", "msg=%s", log_quote(q, sizeof(q), msg));
}

/* Splits "host:port" / "[v6]:port" / ":port"; host "" or "*" = the wildcard
 * address getaddrinfo lists first (usually 0.0.0.0). */
static int split_listen(const char *listen, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon, *h = listen, *hend;
	long long p;

	if (!listen)
		return -1;
	if (listen[0] == '[') {
		hend = strchr(listen, ']');
		if (!hend || hend[1] != ':')
			return -1;
		h = listen + 1;
		colon = hend + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || memchr(listen, ':', (size_t)(colon - listen)))
			return -1;   /* bare IPv6 needs brackets */
		hend = colon;
	}
	if ((size_t)(hend - h) >= hn || str_to_ll(colon + 1, 0, 65535, &p) < 0)
		return -1;
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	if (strcmp(host, "*") == 0)
		host[0] = '\0';
	snprintf(port, pn, "%lld", p);
	return 0;
}

static int bind_one(const struct addrinfo *ai)
{
	int fd, one = 1;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Returns a listening socket for app->listen and its port, or -1. */
static int open_listener(const char *listen, int *port, struct err *err)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], portstr[16];
	int fd = -1, rc, e = 0;

	if (split_listen(listen, host, sizeof(host), portstr, sizeof(portstr)) < 0) {
		err_set(err, ERR_INVALID, "invalid listen address \"%s\"", listen ? listen : "");
		err_detail(err, "use host:port, e.g. 127.0.0.1:8420, [::1]:8420 or 0.0.0.0:0");
		return -1;
	}
	rc = getaddrinfo(host[0] ? host : NULL, portstr, &hints, &res);
	if (rc != 0) {
		err_set(err, ERR_INVALID, "cannot resolve listen address \"%s\": %s",
			listen, gai_strerror(rc));
		return -1;
	}
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = bind_one(ai);
		if (fd < 0)
			e = errno;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		err_sys(err, ERR_IO, e, "cannot listen on %s", listen);
		err_detail(err, "pick a free port with --listen, or stop the process using it");
		return -1;
	}
	*port = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		*port = ntohs(ss.ss_family == AF_INET6 ?
			      ((struct sockaddr_in6 *)&ss)->sin6_port :
			      ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* ---- public ----------------------------------------------------------------- */

struct api_server *api_server_start(struct app *app, struct err *err)
{
	struct api_server *s = xcalloc(1, sizeof(*s));
	unsigned threads = app->http_threads ? app->http_threads : 1;
	int fd;

	s->app = app;
	s->dispatch = api_dispatch_new(app, err);
	if (!s->dispatch)
		goto fail;
	fd = open_listener(app->listen, &s->port, err);
	if (fd < 0)
		goto fail;
	s->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)s,   /* first, says MHD */
		MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_LIMIT,
		MHD_OPTION_URI_LOG_CALLBACK, uri_log, (void *)s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)s,
		MHD_OPTION_END);
	if (!s->daemon) {
		/* Not closing fd: some MHD failure paths already closed it, and a
		 * second close could hit a reused descriptor. dtsd exits anyway. */
		err_set(err, ERR_INTERNAL, "cannot start the HTTP server on %s", app->listen);
		err_detail(err, "see the http.mhd log lines above");
		goto fail;
	}
	log_info("http.listen", "addr=%s port=%d threads=%u", app->listen, s->port, threads);
	return s;
fail:
	api_dispatch_free(s->dispatch);
	free(s);
	return NULL;
}

int api_server_port(const struct api_server *s)
{
	return s ? s->port : 0;
}

void api_server_stop(struct api_server *s)
{
	if (!s)
		return;
	/* Joins the pool threads; a callback in progress finishes first.
	 * MHD closes the listening socket it was given. */
	MHD_stop_daemon(s->daemon);
	api_dispatch_free(s->dispatch);
	free(s);
}
