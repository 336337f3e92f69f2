/*
 * client.c - signs and sends DTS API requests over libcurl, the way the
 * official SDKs do (../shared/api/PROTOCOL.md sec. 2-4), and turns replies
 * into a cJSON tree or a struct err.
 *
 * Threads: libcurl's global state is set up once through pthread_once; after
 * that a client (its easy handle, buffers and fixed test clock) belongs to
 * one thread at a time. The client owns copies of every configuration string
 * and frees them in dts_client_free. Requests and replies are built in
 * request-scoped buffers and freed before dts_client_call returns, except the
 * reply tree, which the caller owns.
 */
#include "client/client.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "sign/sign.h"
#include "util/codec.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define FORM_TYPE "application/x-www-form-urlencoded"
#define USER_AGENT "opendts-dts/0.1"
#define REQUEST_MAX (16u << 20)   /* URL or body of one request */
#define REPLY_MAX (64u << 20)     /* one reply body */

struct dts_client {
	char *base;          /* "http://host:port" */
	char *host;          /* "host:port" exactly as in the endpoint: Host header */
	char *key_id;
	char *secret;
	char *region;        /* NULL: send no RegionId */
	long timeout_ms;
	enum dts_signature signature;
	CURL *curl;          /* kept between calls so the connection is reused */
	time_t fixed_time;   /* testing hook; 0 = the clock */
	char *fixed_nonce;   /* testing hook; NULL = random */
};

/* Parameters the SDK sends in the form body under V3 (PROTOCOL.md sec. 2). */
static const struct {
	const char *action;
	const char *param;
} body_params[] = {
	{ "ConfigureDtsJob", "DbList" },
	{ "ConfigureDtsJob", "Reserve" },
	{ "ModifyDtsJob", "DbList" },
	{ "ModifyDtsJob", "Reserved" },
	{ "ModifyDtsJob", "ModifyTypeEnum" },
	{ "ModifyDtsJob", "FilterTableName" },
	{ "ModifyDtsJob", "EtlOperatorColumnReference" },
	{ "ConfigureMigrationJob", "MigrationObject" },
	{ "ConfigureSynchronizationJob", "SynchronizationObjects" },
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- endpoint ---- */

static bool valid_port(const char *p)
{
	long long port;

	return str_to_ll(p, 1, 65535, &port) == 0;
}

/* Checks host[:port] (IPv6 in brackets). */
static bool valid_hostport(const char *h)
{
	const char *colon;

	if (h[0] == '[') {
		const char *close = strchr(h, ']');
		if (!close || close == h + 1)
			return false;
		if (close[1] == '\0')
			return true;
		return close[1] == ':' && valid_port(close + 2);
	}
	for (const char *p = h; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-_:", *p))
			return false;
	colon = strchr(h, ':');
	if (!colon)
		return h[0] != '\0';
	if (colon == h || strchr(colon + 1, ':'))
		return false;
	return valid_port(colon + 1);
}

static int parse_endpoint(const char *ep, char **base, char **host, struct err *err)
{
	const char *scheme = "http", *rest = ep, *sep;
	size_t n;

	sep = strstr(ep, "://");
	if (sep) {
		size_t slen = (size_t)(sep - ep);
		if (slen == 5 && strncasecmp(ep, "https", 5) == 0)
			scheme = "https";
		else if (!(slen == 4 && strncasecmp(ep, "http", 4) == 0))
			goto invalid;
		rest = sep + 3;
	}
	n = strlen(rest);
	while (n > 0 && rest[n - 1] == '/')
		n--;
	*host = xstrndup(rest, n);
	if (!valid_hostport(*host)) {
		free(*host);
		*host = NULL;
		goto invalid;
	}
	*base = xasprintf("%s://%s", scheme, *host);
	return 0;
invalid:
	err_param(err, ERR_INVALID, "endpoint", "invalid endpoint \"%s\"", ep);
	err_detail(err, "expected [http://]HOST[:PORT] without a path, "
		   "e.g. http://127.0.0.1:8420");
	return -1;
}

/* ---- life cycle ---- */

struct dts_client *dts_client_new(const struct dts_client_config *cfg,
				  struct err *err)
{
	struct dts_client *c;
	const char *ep = cfg->endpoint && *cfg->endpoint ? cfg->endpoint
							  : DTS_DEFAULT_ENDPOINT;

	if (!cfg->access_key_id || !*cfg->access_key_id) {
		err_param(err, ERR_MISSING, "access_key_id", "no access key id given");
		return NULL;
	}
	if (!cfg->access_key_secret || !*cfg->access_key_secret) {
		err_param(err, ERR_MISSING, "access_key_secret",
			  "no access key secret given");
		return NULL;
	}
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		err_set(err, ERR_INTERNAL, "cannot initialise libcurl: %s",
			curl_easy_strerror(curl_init_rc));
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	if (parse_endpoint(ep, &c->base, &c->host, err) < 0)
		goto fail;
	c->curl = curl_easy_init();
	if (!c->curl) {
		err_set(err, ERR_INTERNAL, "cannot create a libcurl handle");
		goto fail;
	}
	c->key_id = xstrdup(cfg->access_key_id);
	c->secret = xstrdup(cfg->access_key_secret);
	c->region = cfg->region && *cfg->region ? xstrdup(cfg->region) : NULL;
	c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : DTS_DEFAULT_TIMEOUT_MS;
	c->signature = cfg->signature;
	return c;
fail:
	dts_client_free(c);
	return NULL;
}

void dts_client_free(struct dts_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->base);
	free(c->host);
	free(c->key_id);
	if (c->secret) {
		memset(c->secret, 0, strlen(c->secret));
		free(c->secret);
	}
	free(c->region);
	free(c->fixed_nonce);
	free(c);
}

void dts_client_set_fixed(struct dts_client *c, time_t when, const char *nonce)
{
	c->fixed_time = when;
	free(c->fixed_nonce);
	c->fixed_nonce = xstrdup(nonce);
}

const char *dts_client_endpoint(const struct dts_client *c)
{
	return c->base;
}

/* ---- request building ---- */

static void request_init(struct dts_request *req)
{
	req->url = NULL;
	kvlist_init(&req->headers);
	buf_init(&req->body, REQUEST_MAX);
}

void dts_request_release(struct dts_request *req)
{
	if (!req)
		return;
	free(req->url);
	req->url = NULL;
	kvlist_release(&req->headers);
	buf_release(&req->body);
}

/* The request time and nonce: the fixed ones in tests, else now and random. */
static void stamp(const struct dts_client *c, char date[TIME_ISO_LEN], char nonce[65])
{
	int64_t ms = c->fixed_time ? (int64_t)c->fixed_time * 1000 : time_now_ms();

	time_iso_z(date, ms);
	if (c->fixed_nonce) {
		str_copy(nonce, 65, c->fixed_nonce);
	} else {
		unsigned char raw[16];
		codec_random(raw, sizeof(raw));
		str_hex(nonce, raw, sizeof(raw));
	}
}

/* Appends k=v&k=v with both sides percent-encoded per RFC 3986. */
static int form_encode(const struct kvlist *l, struct buf *out)
{
	for (size_t i = 0; i < l->len; i++) {
		const char *k = l->items[i].key, *v = l->items[i].val;
		if ((i > 0 && buf_putc(out, '&') < 0) ||
		    str_pct_encode(out, k, strlen(k)) < 0 || buf_putc(out, '=') < 0 ||
		    str_pct_encode(out, v, strlen(v)) < 0)
			return -1;
	}
	return 0;
}

static bool is_body_param(const char *action, const char *param)
{
	for (size_t i = 0; i < sizeof(body_params) / sizeof(body_params[0]); i++)
		if (strcmp(body_params[i].action, action) == 0 &&
		    strcmp(body_params[i].param, param) == 0)
			return true;
	return false;
}

/* Signs the sorted V3 headers already in req->headers and adds
 * Authorization plus the unsigned user-agent and accept headers. */
static int sign_v3_headers(const struct dts_client *c, const struct kvlist *query,
			   const char *payload_hash, struct dts_request *req)
{
	struct buf names, creq;
	char sig[65];
	char *auth = NULL;
	int rc = -1;

	buf_init(&names, 4096);
	buf_init(&creq, REQUEST_MAX * 2);
	for (size_t i = 0; i < req->headers.len; i++)
		if ((i > 0 && buf_putc(&names, ';') < 0) ||
		    buf_puts(&names, req->headers.items[i].key) < 0)
			goto cleanup;
	if (sign_v3_canonical_request("POST", query, &req->headers, buf_cstr(&names),
				      payload_hash, &creq) < 0)
		goto cleanup;
	sign_v3_signature(c->secret, buf_cstr(&creq), sig);
	auth = xasprintf(SIGN_V3_ALGORITHM " Credential=%s,SignedHeaders=%s,Signature=%s",
			 c->key_id, buf_cstr(&names), sig);
	kvlist_add(&req->headers, "authorization", auth);
	kvlist_add(&req->headers, "user-agent", USER_AGENT);
	kvlist_add(&req->headers, "accept", "application/json");
	rc = 0;
cleanup:
	free(auth);
	buf_release(&creq);
	buf_release(&names);
	return rc;
}

int dts_client_build_v3_raw(struct dts_client *c, const char *action,
			    const struct kvlist *query, const char *body,
			    size_t body_len, struct dts_request *req,
			    struct err *err)
{
	char date[TIME_ISO_LEN], nonce[65], hash[65];
	struct kvlist none;
	struct buf qs;
	int rc = -1;

	request_init(req);
	kvlist_init(&none);
	buf_init(&qs, REQUEST_MAX);
	if (!query)
		query = &none;
	stamp(c, date, nonce);
	codec_sha256_hex(body_len ? body : "", body_len, hash);
	if (form_encode(query, &qs) < 0 || buf_append(&req->body, body, body_len) < 0)
		goto too_large;
	req->url = xasprintf("%s/%s%s", c->base, qs.len ? "?" : "", buf_cstr(&qs));
	/* In the order the client sorts them: the signed list must be sorted. */
	if (body_len)
		kvlist_add(&req->headers, "content-type", FORM_TYPE);
	kvlist_add(&req->headers, "host", c->host);
	kvlist_add(&req->headers, "x-acs-action", action);
	kvlist_add(&req->headers, "x-acs-content-sha256", hash);
	kvlist_add(&req->headers, "x-acs-credentials-provider", "static_ak");
	kvlist_add(&req->headers, "x-acs-date", date);
	kvlist_add(&req->headers, "x-acs-signature-nonce", nonce);
	kvlist_add(&req->headers, "x-acs-version", DTS_API_VERSION);
	if (sign_v3_headers(c, query, hash, req) < 0)
		goto too_large;
	rc = 0;
	goto cleanup;
too_large:
	err_set(err, ERR_TOO_LARGE, "request %s is too large", action);
	dts_request_release(req);
cleanup:
	buf_release(&qs);
	return rc;
}

/* V1: common parameters + business parameters, Signature last, all in the
 * form body; the URL is "/". */
static int build_v1(struct dts_client *c, const char *action,
		    const struct kvlist *biz, struct dts_request *req, struct err *err)
{
	char date[TIME_ISO_LEN], nonce[65], sig[64];
	struct kvlist all;
	int rc = -1;

	request_init(req);
	kvlist_init(&all);
	stamp(c, date, nonce);
	kvlist_add(&all, "Action", action);
	kvlist_add(&all, "Version", DTS_API_VERSION);
	kvlist_add(&all, "Format", "JSON");
	kvlist_add(&all, "Timestamp", date);
	kvlist_add(&all, "SignatureMethod", "HMAC-SHA1");
	kvlist_add(&all, "SignatureVersion", "1.0");
	kvlist_add(&all, "SignatureNonce", nonce);
	kvlist_add(&all, "AccessKeyId", c->key_id);
	for (size_t i = 0; i < biz->len; i++)
		kvlist_set(&all, biz->items[i].key, biz->items[i].val);
	if (sign_v1("POST", &all, c->secret, sig) < 0 || form_encode(&all, &req->body) < 0 ||
	    buf_puts(&req->body, "&Signature=") < 0 ||
	    str_pct_encode(&req->body, sig, strlen(sig)) < 0) {
		err_set(err, ERR_TOO_LARGE, "request %s is too large", action);
		dts_request_release(req);
		goto cleanup;
	}
	req->url = xasprintf("%s/", c->base);
	kvlist_add(&req->headers, "host", c->host);
	kvlist_add(&req->headers, "content-type", FORM_TYPE);
	kvlist_add(&req->headers, "user-agent", USER_AGENT);
	kvlist_add(&req->headers, "accept", "application/json");
	rc = 0;
cleanup:
	kvlist_release(&all);
	return rc;
}

int dts_client_build(struct dts_client *c, const char *action,
		     const struct kvlist *params, struct dts_request *req,
		     struct err *err)
{
	struct kvlist biz, query, form;
	struct buf body;
	int rc = -1;

	kvlist_init(&biz);
	kvlist_init(&query);
	kvlist_init(&form);
	buf_init(&body, REQUEST_MAX);
	for (size_t i = 0; params && i < params->len; i++)
		kvlist_add(&biz, params->items[i].key, params->items[i].val);
	if (c->region && !kvlist_get(&biz, "RegionId"))
		kvlist_add(&biz, "RegionId", c->region);
	if (c->signature == DTS_SIG_V1) {
		rc = build_v1(c, action, &biz, req, err);
		goto cleanup;
	}
	for (size_t i = 0; i < biz.len; i++)
		kvlist_add(is_body_param(action, biz.items[i].key) ? &form : &query,
			   biz.items[i].key, biz.items[i].val);
	if (form_encode(&form, &body) < 0) {
		request_init(req);
		err_set(err, ERR_TOO_LARGE, "request %s is too large", action);
		goto cleanup;
	}
	rc = dts_client_build_v3_raw(c, action, &query, body.data, body.len, req, err);
cleanup:
	buf_release(&body);
	kvlist_release(&form);
	kvlist_release(&query);
	kvlist_release(&biz);
	return rc;
}

/* ---- error codes ---- */

static const struct {
	const char *code;
	bool prefix;            /* match code as a prefix */
	bool param_rest;        /* the rest of the code names the parameter */
	enum err_code ec;
} code_map[] = {
	{ "SignatureDoesNotMatch", false, false, ERR_AUTH_SIGNATURE },
	{ "IncompleteSignature", false, false, ERR_AUTH_INCOMPLETE },
	{ "InvalidSignatureMethod", false, false, ERR_AUTH_METHOD },
	{ "InvalidAccessKeyId", true, false, ERR_AUTH_KEY },
	{ "InvalidTimeStamp.Expired", false, false, ERR_AUTH_TIME_EXPIRED },
	{ "InvalidTimeStamp", true, false, ERR_AUTH_TIME_FORMAT },
	{ "SignatureNonceUsed", false, false, ERR_AUTH_NONCE },
	{ "InvalidAction", true, false, ERR_ACTION },
	{ "InvalidApi", true, false, ERR_ACTION },
	{ "InvalidVersion", false, false, ERR_VERSION },
	{ "NoSuchVersion", false, false, ERR_VERSION },
	{ "UnsupportedHTTPMethod", false, false, ERR_METHOD },
	{ "InvalidJobId", false, false, ERR_NOT_FOUND },
	{ "Forbidden.InstanceNotFound", false, false, ERR_NOT_FOUND },
	{ "OperationDenied", true, false, ERR_WRONG_STATE },
	{ "DTS.Msg.OperationDenied", true, false, ERR_WRONG_STATE },
	{ "Throttling", true, false, ERR_THROTTLED },
	{ "ServiceUnavailable", false, false, ERR_UNAVAILABLE },
	{ "InternalError", false, false, ERR_INTERNAL },
	{ "MissingParameter", false, false, ERR_MISSING },
	{ "InvalidParameter", true, false, ERR_INVALID },
	{ "Missing", true, true, ERR_MISSING },
	{ "Invalid", true, true, ERR_INVALID },
};

static enum err_code map_status(int http_status)
{
	switch (http_status) {
	case 401: return ERR_AUTH_SIGNATURE;
	case 403: return ERR_WRONG_STATE;
	case 404: return ERR_NOT_FOUND;
	case 409: return ERR_CONFLICT;
	case 413: return ERR_TOO_LARGE;
	case 429: return ERR_THROTTLED;
	case 503: return ERR_UNAVAILABLE;
	default: break;
	}
	if (http_status >= 400 && http_status < 500)
		return ERR_INVALID;
	return ERR_INTERNAL;
}

enum err_code dts_client_map_code(const char *code, int http_status, char *param)
{
	if (param)
		param[0] = '\0';
	for (size_t i = 0; code && i < sizeof(code_map) / sizeof(code_map[0]); i++) {
		size_t n = strlen(code_map[i].code);
		if (code_map[i].prefix ? strncmp(code, code_map[i].code, n) != 0
				       : strcmp(code, code_map[i].code) != 0)
			continue;
		if (code_map[i].param_rest && code[n] == '\0')
			continue;
		if (code_map[i].param_rest && param)
			str_copy(param, 64, code + n);
		return code_map[i].ec;
	}
	return map_status(http_status);
}

/* ---- replies ---- */

/* A string member (name or its lower-camel twin), or NULL. Borrowed. */
static const char *json_str(const cJSON *o, const char *name, const char *alt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsString(v) && alt)
		v = cJSON_GetObjectItemCaseSensitive(o, alt);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool success_false(const cJSON *o)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "Success");

	return cJSON_IsFalse(s) || (cJSON_IsString(s) && str_ieq(s->valuestring, "false"));
}

/* ErrMessage with its first "%s" replaced by DynamicMessage (DTS envelope). */
static void business_message(const cJSON *o, char *out, size_t n)
{
	const char *msg = json_str(o, "ErrMessage", NULL);
	const char *dyn = json_str(o, "DynamicMessage", NULL);
	const char *hole = msg ? strstr(msg, "%s") : NULL;

	if (!msg)
		msg = "";
	if (hole && dyn && *dyn)
		snprintf(out, n, "%.*s%s%s", (int)(hole - msg), msg, dyn, hole + 2);
	else
		snprintf(out, n, "%s", msg);
}

/* Fills err from an error reply: gateway body (HTTP >= 400) or DTS business
 * envelope (HTTP 2xx with Success false). */
static void reply_error(const cJSON *o, int http_status, struct err *err)
{
	char message[512], param[64], codebuf[32];
	const char *code, *rid = json_str(o, "RequestId", "requestId");
	int status = http_status;

	if (http_status >= 400) {
		const char *m = json_str(o, "Message", "message");
		code = json_str(o, "Code", "code");
		snprintf(message, sizeof(message), "%s", m ? m : "");
	} else {
		const cJSON *hs = cJSON_GetObjectItemCaseSensitive(o, "HttpStatusCode");
		code = json_str(o, "ErrCode", NULL);
		business_message(o, message, sizeof(message));
		if (cJSON_IsNumber(hs))
			status = hs->valueint;
		else if (cJSON_IsString(hs))
			status = atoi(hs->valuestring);
	}
	if (!code || !*code) {
		snprintf(codebuf, sizeof(codebuf), "HTTP%d", http_status);
		code = codebuf;
	}
	err_set(err, dts_client_map_code(code, status, param), "%s: %s", code, message);
	if (param[0])
		str_copy(err->param, sizeof(err->param), param);
	if (rid)
		err_detail(err, "%s", rid);
}

static int check_reply(const struct dts_client *c, const char *action, int status,
		       const struct buf *body, cJSON **reply, struct err *err)
{
	cJSON *tree = body->len ? cJSON_ParseWithLength(body->data, body->len) : NULL;

	if (!cJSON_IsObject(tree)) {
		cJSON_Delete(tree);
		err_set(err, status >= 400 ? map_status(status) : ERR_INTERNAL,
			"%s: HTTP %d from %s with a reply that is not a JSON object",
			action, status, c->base);
		return -1;
	}
	*reply = tree;
	if (status >= 400 || success_false(tree)) {
		reply_error(tree, status, err);
		return -1;
	}
	return 0;
}

/* ---- transport ---- */

static size_t on_write(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;

	if (buf_append(b, p, size * n) < 0)
		return 0;   /* makes curl fail with CURLE_WRITE_ERROR */
	return size * n;
}

static struct curl_slist *header_list(const struct dts_request *req)
{
	struct curl_slist *hl = NULL, *next;

	for (size_t i = 0; i <= req->headers.len; i++) {
		char *line = i < req->headers.len
			? xasprintf("%s: %s", req->headers.items[i].key, req->headers.items[i].val)
			: xstrdup("Expect:");   /* never wait for 100-continue */
		next = curl_slist_append(hl, line);
		free(line);
		if (!next)
			goto oom;
		hl = next;
	}
	/* curl adds a form Content-Type to every POST; a V3 request without a
	 * body must not carry one it did not sign. */
	if (!kvlist_get(&req->headers, "content-type")) {
		next = curl_slist_append(hl, "Content-Type:");
		if (!next)
			goto oom;
		hl = next;
	}
	return hl;
oom:
	curl_slist_free_all(hl);
	return NULL;
}

static void transport_error(const struct dts_client *c, CURLcode rc,
			    const char *ebuf, struct err *err)
{
	const char *why = ebuf[0] ? ebuf : curl_easy_strerror(rc);

	if (rc == CURLE_WRITE_ERROR) {
		err_set(err, ERR_TOO_LARGE, "reply from %s is larger than %u bytes",
			c->base, REPLY_MAX);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		err_set(err, ERR_TIMEOUT, "no reply from %s within %ld ms: %s", c->base,
			c->timeout_ms, why);
		err_detail(err, "raise --timeout, or check that dtsd is healthy");
	} else {
		err_set(err, ERR_CONNECT, "cannot connect to %s: %s", c->base, why);
		err_detail(err, "is dtsd running there? check --endpoint or DTS_ENDPOINT");
	}
}

static int send_request(struct dts_client *c, const struct dts_request *req,
			struct buf *reply, int *status, struct err *err)
{
	char ebuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hl = header_list(req);
	CURLcode rc;
	long code = 0;

	if (!hl) {
		err_set(err, ERR_INTERNAL, "cannot build the request headers");
		return -1;
	}
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, req->url);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body.len);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, req->body.len ? req->body.data : "");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, reply);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, ebuf);
	rc = curl_easy_perform(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);
	curl_slist_free_all(hl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
	*status = (int)code;   /* set even for an oversized reply: it did answer */
	if (rc != CURLE_OK) {
		transport_error(c, rc, ebuf, err);
		return -1;
	}
	return 0;
}

int dts_client_call(struct dts_client *c, const char *action,
		    const struct kvlist *params, cJSON **reply, int *http_status,
		    struct err *err)
{
	struct dts_request req;
	struct buf body;
	int rc = -1;

	*reply = NULL;
	*http_status = 0;
	buf_init(&body, REPLY_MAX);
	if (dts_client_build(c, action, params, &req, err) < 0)
		goto cleanup;
	if (send_request(c, &req, &body, http_status, err) < 0)
		goto cleanup;
	rc = check_reply(c, action, *http_status, &body, reply, err);
cleanup:
	dts_request_release(&req);
	buf_release(&body);
	return rc;
}
