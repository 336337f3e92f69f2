/*
 * internal.h - types and helpers shared by the files of api/ (never included
 * outside api/). Request flow:
 *   server.c  collects one HTTP request into struct api_request
 *   params.c  decodes query and form body into pairs, merges them
 *   auth.c    verifies Signature V1 / V3, time window, nonce (nonce.c)
 *   throttle.c  per-key token bucket
 *   dispatch.c  Version, Action lookup, calls the handler (act_*.c)
 *   render.c  renders the response tree (cJSON) as JSON or XML
 *   errors.c  maps struct err to HTTP status + Alibaba error body
 */
#ifndef OPENDTS_API_INTERNAL_H
#define OPENDTS_API_INTERNAL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/kv.h"

#define API_VERSION "2020-01-01"
#define API_HOST_ID "dts.aliyuncs.com"

/* Limits on outside input (all in one place). */
#define API_MAX_BODY        (1024 * 1024)   /* request body bytes */
#define API_MAX_PARAMS      256             /* pairs in query + body */
#define API_MAX_KEY_LEN     128             /* bytes of one decoded key */
#define API_MAX_VALUE_LEN   (512 * 1024)    /* bytes of one decoded value */

enum api_format { API_FORMAT_JSON = 0, API_FORMAT_XML };

struct api_request {
	const char *method;          /* "GET", "POST", ... (borrowed from MHD) */
	char *raw_query;             /* bytes after '?', raw; "" when none */
	struct kvlist headers;       /* received headers, names lower-cased */
	struct buf body;             /* raw body bytes (cap API_MAX_BODY) */
	bool body_too_large;
	struct kvlist query;         /* decoded URL query */
	struct kvlist params;        /* merged query + form body (body wins) */
	char request_id[37];
	const char *action;          /* resolved Action (borrowed from params/headers) */
	const char *access_key_id;   /* after successful auth */
	enum api_format format;
	int64_t started_ms;
	char error_code[96];         /* Alibaba Code of an error reply, "" on success
				      * (set by api_respond_error; access log) */
};

/* ---- call.c: request lifecycle ---- */

/* Zeroes req, inits its lists, body buffer (cap API_MAX_BODY) and
 * raw_query = "" (heap). Release with api_request_release. */
void api_request_init(struct api_request *req);
/* Frees what req owns (lists, body, raw_query); borrowed fields untouched. */
void api_request_release(struct api_request *req);

/* ---- params.c ---- */

/* Decodes "k=v&k2=v2" (form rules: '+' is a space, %XX a byte, a pair
 * without '=' has an empty value, empty pairs skipped) and appends to out.
 * Enforces API_MAX_* and valid UTF-8 without NUL bytes. `where` ("query" or
 * "body") goes into messages. ERR_INVALID / ERR_TOO_LARGE with param set. */
int api_parse_pairs(const char *s, size_t n, const char *where,
		    struct kvlist *out, struct err *err);
/* Fills req->query from raw_query and req->params from query + body (when
 * Content-Type is application/x-www-form-urlencoded, any ;charset=...).
 * A key repeated inside query or inside body is ERR_INVALID. */
int api_parse_request(struct api_request *req, struct err *err);

/* ---- auth.c ---- */

struct api_nonce_cache;
struct api_auth {
	const struct api_creds *creds;
	struct api_nonce_cache *nonces;
	int time_window_s;
	int64_t now_s_override;      /* tests: "now" in Unix seconds; 0 = real clock */
};

/* Verifies the request, in PROTOCOL.md sec. 5 order: detect V1/V3, key,
 * signature, time format and window, nonce (recorded only after the
 * signature verified). On success sets req->access_key_id (borrowed from
 * creds) and returns 0. On failure: err code ERR_AUTH_* and -1. */
int api_auth_verify(const struct api_auth *auth, struct api_request *req,
		    struct err *err);

/* ---- creds.c (inside api/ only; the public part is in api.h) ---- */

/* Looks key_id up. Returns the stored copy of the key id and sets *secret,
 * both borrowed and valid while c lives; NULL if the key is unknown. */
const char *api__creds_find(const struct api_creds *c, const char *key_id,
			    const char **secret);

/* ---- nonce.c ---- */

/* Remembers (key id, nonce) until an expiry; bounded to `capacity` entries.
 * Thread-safe (one mutex). */
struct api_nonce_cache *api_nonce_new(size_t capacity);
void api_nonce_free(struct api_nonce_cache *c);
/* Returns 0 and records the pair if unseen (or its entry expired),
 * ERR_AUTH_NONCE if seen, ERR_THROTTLED if the cache is full of live entries. */
int api_nonce_use(struct api_nonce_cache *c, const char *key_id, const char *nonce,
		  int64_t now_s, int64_t expires_s, struct err *err);

/* ---- throttle.c ---- */

struct api_throttle;
/* rate tokens/s, burst bucket size; rate <= 0 disables. Thread-safe. */
struct api_throttle *api_throttle_new(double rate, unsigned burst);
void api_throttle_free(struct api_throttle *t);
/* Takes one token for key; 0 if allowed, -1 (ERR_THROTTLED) if not. */
int api_throttle_take(struct api_throttle *t, const char *key, int64_t now_ms,
		      struct err *err);

/* ---- errors.c ---- */

struct api_error_info {
	int http_status;
	char code[96];      /* Alibaba Code, e.g. "MissingDtsJobId" */
	char message[640];  /* Message */
	char recommend[640];
};
/* The single table from err codes to HTTP status + Alibaba code + message. */
void api_error_map(const struct err *err, struct api_error_info *out);
/* Builds the error body tree: RequestId, HostId, Code, Message, Recommend,
 * Success=false, ErrCode, ErrMessage, HttpStatusCode. Caller owns it. */
cJSON *api_error_tree(const struct api_error_info *info, const char *request_id);

/* ---- render.c ---- */

/* Renders tree as JSON (compact) or XML (root element `root`, arrays as
 * repeated elements named after their key, objects nested, booleans
 * true/false, integral numbers without a decimal point). */
int api_render(const cJSON *tree, enum api_format fmt, const char *root,
	       struct buf *out, struct err *err);
const char *api_content_type(enum api_format fmt, bool is_error);

/* ---- dispatch.c / act_*.c ---- */

struct meta;
struct api_call {
	struct app *app;
	struct api_request *req;
	struct meta *meta;           /* this thread's metastore handle */
	cJSON *resp;                 /* the handler adds its fields here */
};

typedef int (*api_action_fn)(struct api_call *call, struct err *err);

struct api_action {
	const char *name;            /* "DescribePreCheckStatus" */
	api_action_fn fn;
};

/* The action table (actions.c); NULL-terminated. */
extern const struct api_action api_actions[];
const struct api_action *api_action_find(const char *name);

/* Parameter helpers for handlers; all set err with the parameter name
 * (ERR_MISSING / ERR_INVALID, err.param = name, message naming the accepted
 * range or values). The typed helpers (int, bool, enum) treat an absent or
 * empty value as "use def". Returned strings are borrowed from the request. */
const char *api_param(const struct api_call *call, const char *name);   /* NULL if absent */
int api_param_required(const struct api_call *call, const char *name,
		       const char **out, struct err *err);            /* absent or "" -> ERR_MISSING */
int api_param_int(const struct api_call *call, const char *name, long long def,
		  long long min, long long max, long long *out, struct err *err);
int api_param_bool(const struct api_call *call, const char *name, bool def,
		   bool *out, struct err *err);
/* Case-insensitive match against allowed (NULL-terminated); *out gets the
 * canonical spelling from `allowed`, or def when absent. */
int api_param_enum(const struct api_call *call, const char *name,
		   const char *const *allowed, const char *def, const char **out,
		   struct err *err);

/* Handles one fully-read request end to end: parse, auth, throttle, version,
 * action, handler, render. Fills *status, *content_type and out body.
 * Never fails: every error becomes an Alibaba error body. */
struct api_dispatch;
struct api_dispatch *api_dispatch_new(struct app *app, struct err *err);
void api_dispatch_free(struct api_dispatch *d);
void api_dispatch_handle(struct api_dispatch *d, struct api_request *req,
			 int *status, const char **content_type, struct buf *out);
/* Renders err as the Alibaba error body in req->format (JSON when the
 * request was never parsed), sets *status and *content_type, replaces out's
 * content, records the Code in req->error_code and logs 5xx at warn.
 * A request_id is generated if req has none. Used by dispatch and server. */
void api_respond_error(struct api_request *req, const struct err *err,
		       int *status, const char **content_type, struct buf *out);

#endif
