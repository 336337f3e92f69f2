/*
 * client.h - a small client for the DTS-compatible API (public interface of
 * client/): builds, signs and sends one RPC request, and returns the parsed
 * JSON reply. It signs exactly as the official SDKs do
 * (../shared/api/PROTOCOL.md sec. 2-4): V3 (ACS3-HMAC-SHA256, the
 * openapi-client default) or V1 (HMAC-SHA1, every parameter in the form body).
 *
 * Threads: a client owns one libcurl handle (and its kept-alive connection),
 * so one client belongs to one thread at a time; separate clients may be used
 * from separate threads. libcurl's global set-up runs once, on first use.
 */
#ifndef OPENDTS_CLIENT_CLIENT_H
#define OPENDTS_CLIENT_CLIENT_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/kv.h"

#define DTS_API_VERSION "2020-01-01"
#define DTS_DEFAULT_ENDPOINT "http://127.0.0.1:8420"
#define DTS_DEFAULT_TIMEOUT_MS 10000L

enum dts_signature {
	DTS_SIG_V3 = 0,   /* ACS3-HMAC-SHA256 in headers (default) */
	DTS_SIG_V1,       /* HMAC-SHA1, all parameters + Signature in the form body */
};

struct dts_client_config {
	/* "http://127.0.0.1:8420", "https://host:port" or bare "127.0.0.1:8420"
	 * (then http); trailing "/" ignored; no path. NULL: DTS_DEFAULT_ENDPOINT. */
	const char *endpoint;
	const char *access_key_id;      /* required */
	const char *access_key_secret;  /* required; never logged or echoed */
	long timeout_ms;                /* whole request; <= 0: DTS_DEFAULT_TIMEOUT_MS */
	enum dts_signature signature;
	/* Sent as RegionId on every call whose parameters have none; NULL or
	 * "" sends nothing (the server then uses its own region). */
	const char *region;
};

struct dts_client;

/* A request as it goes on the wire (built by dts_client_build). */
struct dts_request {
	char *url;               /* "http://host:port/?k=v&..." */
	struct kvlist headers;   /* every header sent, names in lower case */
	struct buf body;         /* form body; empty when there is none */
};

/* Creates a client. The configuration strings are copied. Fails with
 * ERR_INVALID (param "endpoint") for an endpoint that is not [scheme://]host
 * [:port], ERR_MISSING for an absent key, ERR_INTERNAL if libcurl cannot
 * start. */
struct dts_client *dts_client_new(const struct dts_client_config *cfg,
				  struct err *err);
/* Frees the client and closes its connection. NULL is a no-op. */
void dts_client_free(struct dts_client *c);

/* Calls `action` (e.g. "DescribeDtsJobs") with the business parameters
 * `params` (decoded strings; may be NULL) by POST to "/".
 *
 * V3 puts the parameters in the query string, except the large JSON ones
 * the SDK sends in the form body (ConfigureDtsJob DbList and Reserve, and
 * ModifyDtsJob's); V1 puts everything in the form body. Both are encoded
 * with RFC 3986.
 *
 * On success returns 0 and *reply is the parsed JSON object (caller frees
 * with cJSON_Delete), *http_status the HTTP status.
 * On failure returns -1 with err set and *http_status as received (0 when
 * no HTTP reply came):
 *  - no reply: ERR_CONNECT (curl's message and the endpoint), ERR_TIMEOUT,
 *    ERR_TOO_LARGE (reply over 64 MiB);
 *  - HTTP >= 400 with an Alibaba error body, or HTTP 2xx with
 *    "Success": false: err->msg is "Code: Message", err->detail the RequestId,
 *    err->code a coarse mapping of Code (SignatureDoesNotMatch ->
 *    ERR_AUTH_SIGNATURE, InvalidJobId -> ERR_NOT_FOUND, Missing{Name} ->
 *    ERR_MISSING with param Name, Throttling* -> ERR_THROTTLED, ...; see
 *    dts_client_map_code); *reply still holds the parsed body;
 *  - a reply that is not a JSON object: ERR_INTERNAL, *reply NULL.
 * *reply is always set (NULL when there is nothing to return). */
int dts_client_call(struct dts_client *c, const char *action,
		    const struct kvlist *params, cJSON **reply, int *http_status,
		    struct err *err);

/* Maps an Alibaba error Code (and the HTTP status, for unknown codes) to an
 * err code; sets *param for Missing{Name}/Invalid{Name} codes (param must
 * hold 64 bytes; may be NULL). Pure. */
enum err_code dts_client_map_code(const char *code, int http_status, char *param);

/* ---- lower level, for tests and tools ---- */

/* Builds and signs (without sending) the request dts_client_call would send.
 * req is initialised here; release it with dts_request_release. -1 with
 * ERR_TOO_LARGE if the request is over the size cap. */
int dts_client_build(struct dts_client *c, const char *action,
		     const struct kvlist *params, struct dts_request *req,
		     struct err *err);
/* V3 only: signs a request whose URL query (decoded pairs, sent in this
 * order) and raw body bytes are given as they are, whatever the client's
 * signature setting. This is how tests reproduce another client's exact
 * bytes (the PROTOCOL.md V3 test vector has a querystring-encoded body). */
int dts_client_build_v3_raw(struct dts_client *c, const char *action,
			    const struct kvlist *query, const char *body,
			    size_t body_len, struct dts_request *req,
			    struct err *err);
void dts_request_release(struct dts_request *req);

/* Testing hook: sign with this time (seconds since the epoch; 0 = the clock)
 * and this nonce (NULL = 32 fresh random hex digits per request). */
void dts_client_set_fixed(struct dts_client *c, time_t when, const char *nonce);

/* The normalised endpoint ("http://host:port", no trailing "/"). Borrowed,
 * valid while c lives. */
const char *dts_client_endpoint(const struct dts_client *c);

#endif
