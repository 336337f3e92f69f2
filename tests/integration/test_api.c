/*
 * test_api.c - the HTTP API of a real dtsd under bad and edge input: routing,
 * every authentication failure, the input limits, throttling, XML replies,
 * request ids, keep-alive and SIGTERM. Each case checks the HTTP status and
 * the Alibaba error Code (PROTOCOL.md sec. 6-7), and that dtsd still serves.
 *
 * Requests go out through libcurl directly, so odd bytes reach the server
 * exactly as written here: V3 requests are built and signed by the C client
 * (dts_client_build), V1 requests are signed here with sign_v1. Needs no
 * database, so it runs with or without the harness environment (MY_*, PG_*).
 * Single-threaded; one dtsd (D) for the whole group, plus short-lived ones
 * for throttling and shutdown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/internal.h"   /* API_MAX_* */
#include "lib/itest.h"
#include "sign/sign.h"
#include "util/buf.h"
#include "util/codec.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define JSON_TYPE     "application/json;charset=utf-8"
#define XML_TYPE      "application/xml;charset=utf-8"
#define XML_ERR_TYPE  "text/xml;charset=utf-8"
#define THROTTLE_MSG  "Request was denied due to user flow control."
#define FORM_HEADER   "Content-Type: application/x-www-form-urlencoded"
#define REPLY_CAP     ((size_t)8 << 20)

static struct itest_dtsd D;

/* One HTTP reply as received. */
struct reply {
	long status;
	long connects;          /* CURLINFO_NUM_CONNECTS: connections opened for it */
	char ctype[128];
	char id_header[64];     /* value of x-acs-request-id */
	int id_headers;         /* how many x-acs-request-id headers came */
	struct buf body;
	cJSON *json;            /* the body parsed, when it is JSON */
};

static void reply_release(struct reply *r)
{
	buf_release(&r->body);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof(*r));
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- raw HTTP ------------------------------------------------------------ */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct reply *r = ud;

	return buf_append(&r->body, p, size * n) < 0 ? 0 : size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	static const char name[] = "x-acs-request-id:";
	struct reply *r = ud;
	size_t len = size * n, k = sizeof(name) - 1;

	if (len > k && strncasecmp(p, name, k) == 0) {
		const char *v = p + k;
		size_t vn = len - k;

		while (vn && (*v == ' ' || *v == '\t')) {
			v++;
			vn--;
		}
		while (vn && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' '))
			vn--;
		snprintf(r->id_header, sizeof(r->id_header), "%.*s", (int)vn, v);
		r->id_headers++;
	}
	return len;
}

/* The request headers for curl: hdrs as given, no 100-continue wait, and a
 * form Content-Type on a body unless hdrs has one (none without a body, as
 * a V3 request must not carry a header it did not sign). */
static struct curl_slist *header_list(const struct kvlist *hdrs, bool has_body)
{
	struct curl_slist *hl = curl_slist_append(NULL, "Expect:");

	for (size_t i = 0; hdrs && i < hdrs->len; i++) {
		char *line = xasprintf("%s: %s", hdrs->items[i].key, hdrs->items[i].val);
		hl = curl_slist_append(hl, line);
		free(line);
	}
	if (!hdrs || !kvlist_get_ci(hdrs, "content-type"))
		hl = curl_slist_append(hl, has_body ? FORM_HEADER : "Content-Type:");
	if (!hl)
		BUG("out of memory building curl headers");
	return hl;
}

static void set_method(CURL *h, const char *method, const char *body, size_t len)
{
	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		return;
	}
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(h, CURLOPT_POST, 1L);
	else
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (body || strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
	}
}

/* Sends one request to d on handle h, or on a new connection when h is NULL.
 * target is "/path?query" or a whole URL. Fails the test if no reply came. */
static void http(const struct itest_dtsd *d, CURL *h, const char *method, const char *target,
		 const struct kvlist *hdrs, const char *body, size_t len, struct reply *r)
{
	CURL *own = h ? NULL : curl_easy_init();
	char *url = strncmp(target, "http", 4) == 0 ? xstrdup(target)
		    : xasprintf("http://%s%s", d->endpoint, target);
	struct curl_slist *hl = header_list(hdrs, body != NULL);
	char *ct = NULL;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body, REPLY_CAP);
	h = h ? h : own;
	assert_non_null(h);
	curl_easy_reset(h);   /* keeps the handle's live connections */
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	set_method(h, method, body, len);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &r->connects);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		snprintf(r->ctype, sizeof(r->ctype), "%s", ct);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	if (own)
		curl_easy_cleanup(own);
	free(url);
	if (rc != CURLE_OK)
		fail_msg("%s %.80s: no reply: %s", method, target, curl_easy_strerror(rc));
	r->json = cJSON_Parse(buf_cstr(&r->body));
}

/* ---- reply checks ---------------------------------------------------------- */

static bool is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* The body's RequestId is a UUID and the x-acs-request-id header equals it. */
static void expect_request_id(const struct reply *r, const char *id)
{
	if (!is_uuid(id))
		fail_msg("RequestId \"%s\" is not a UUID; body: %.400s", id, buf_cstr(&r->body));
	assert_int_equal(r->id_headers, 1);
	assert_string_equal(r->id_header, id);
}

/* A JSON reply with this status; code is the error Code, or NULL for a
 * success (Success true, no Code). */
static void expect_json(const struct reply *r, long status, const char *code)
{
	const char *body = buf_cstr(&r->body);
	const cJSON *j = r->json;

	if (r->status != status)
		fail_msg("HTTP %ld, expected %ld; body: %.600s", r->status, status, body);
	assert_string_equal(r->ctype, JSON_TYPE);
	if (!cJSON_IsObject(j))
		fail_msg("reply is not a JSON object: %.600s", body);
	expect_request_id(r, itest_str(j, "RequestId"));
	if (!code) {
		assert_null(cJSON_GetObjectItemCaseSensitive(j, "Code"));
		assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "Success")));
		return;
	}
	if (strcmp(itest_str(j, "Code"), code) != 0)
		fail_msg("Code \"%s\", expected \"%s\"; body: %.600s", itest_str(j, "Code"), code, body);
	assert_true(strlen(itest_str(j, "Message")) > 0);
	assert_string_equal(itest_str(j, "HostId"), "dts.aliyuncs.com");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "Success")));
	assert_int_equal((long)itest_num(j, "HttpStatusCode"), status);
}

/* The error Message contains needle. */
static void expect_message(const struct reply *r, const char *needle)
{
	const char *msg = itest_str(r->json, "Message");

	if (!strstr(msg, needle))
		fail_msg("Message \"%s\" does not contain \"%s\"", msg, needle);
}

/* ---- signed requests --------------------------------------------------------- */

/* The common V1 parameters of a call: the current time, a fresh nonce. */
static void v1_params(struct kvlist *p, const char *action)
{
	char now[TIME_ISO_LEN], nonce[37];

	codec_uuid(nonce);
	kvlist_init(p);
	kvlist_add(p, "AccessKeyId", ITEST_KEY_ID);
	kvlist_add(p, "Action", action);
	kvlist_add(p, "Format", "JSON");
	kvlist_add(p, "SignatureMethod", "HMAC-SHA1");
	kvlist_add(p, "SignatureNonce", nonce);
	kvlist_add(p, "SignatureVersion", "1.0");
	kvlist_add(p, "Timestamp", time_iso_z(now, time_now_ms()));
	kvlist_add(p, "Version", "2020-01-01");
}

/* Signs p as a V1 request with this method and secret (sets Signature) and
 * encodes every pair into out (RFC 3986), as the SDKs send it. */
static void v1_sign_encode(struct kvlist *p, const char *method, const char *secret,
			   struct buf *out)
{
	char sig[64];

	kvlist_del(p, "Signature");
	assert_int_equal(sign_v1(method, p, secret, sig), 0);
	kvlist_add(p, "Signature", sig);
	buf_init(out, BUF_UNLIMITED);
	for (size_t i = 0; i < p->len; i++) {
		if (i)
			buf_putc(out, '&');
		str_pct_encode(out, p->items[i].key, strlen(p->items[i].key));
		buf_putc(out, '=');
		str_pct_encode(out, p->items[i].val, strlen(p->items[i].val));
	}
}

/* Sends p signed with secret as a V1 POST form body. */
static void v1_post(const struct itest_dtsd *d, CURL *h, struct kvlist *p,
		    const char *secret, struct reply *r)
{
	struct buf body;

	v1_sign_encode(p, "POST", secret, &body);
	http(d, h, "POST", "/", NULL, buf_cstr(&body), body.len, r);
	buf_release(&body);
}

/* Sends p signed with secret as a V1 GET query. */
static void v1_get(const struct itest_dtsd *d, CURL *h, struct kvlist *p,
		   const char *secret, struct reply *r)
{
	struct buf q;
	char *target;

	v1_sign_encode(p, "GET", secret, &q);
	target = xasprintf("/?%s", buf_cstr(&q));
	http(d, h, "GET", target, NULL, NULL, 0, r);
	free(target);
	buf_release(&q);
}

/* Builds with client c (V3, ACS3-HMAC-SHA256) and sends action. */
static void v3_send(const struct itest_dtsd *d, CURL *h, struct dts_client *c,
		    const char *action, const struct kvlist *params, struct reply *r)
{
	struct dts_request req;
	struct err err = { 0 };

	if (dts_client_build(c, action, params, &req, &err) < 0)
		fail_msg("cannot build %s: %s", action, err.msg);
	http(d, h, "POST", req.url, &req.headers, req.body.len ? buf_cstr(&req.body) : NULL,
	     req.body.len, r);
	dts_request_release(&req);
}

/* A client of d with another key or secret (caller frees). */
static struct dts_client *client_as(const struct itest_dtsd *d, const char *key,
				    const char *secret)
{
	struct dts_client_config cfg = { .endpoint = d->endpoint, .access_key_id = key,
					 .access_key_secret = secret, .timeout_ms = 20000 };
	struct err err = { 0 };
	struct dts_client *c = dts_client_new(&cfg, &err);

	if (!c)
		fail_msg("client: %s", err.msg);
	return c;
}

/* dtsd answers /healthz and a signed call on a new connection. */
static void still_serving(const struct itest_dtsd *d)
{
	struct reply r;

	http(d, NULL, "GET", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	reply_release(&r);
	v3_send(d, NULL, d->client, "DescribeDtsJobs", NULL, &r);
	expect_json(&r, 200, NULL);
	reply_release(&r);
}

/* ---- routing ----------------------------------------------------------------- */

static void test_routes_and_methods(void **state)
{
	struct reply r;

	http(&D, NULL, "GET", "/healthz", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, JSON_TYPE);
	assert_string_equal(itest_str(r.json, "Status"), "ok");
	assert_true(is_uuid(r.id_header));
	reply_release(&r);

	http(&D, NULL, "GET", "/other", NULL, NULL, 0, &r);
	expect_json(&r, 404, "InvalidAction.NotFound");
	reply_release(&r);
	http(&D, NULL, "POST", "/other/?Action=DescribeDtsJobs", NULL, "", 0, &r);
	expect_json(&r, 404, "InvalidAction.NotFound");
	reply_release(&r);

	http(&D, NULL, "PUT", "/", NULL, "Action=DescribeDtsJobs", 22, &r);
	expect_json(&r, 400, "UnsupportedHTTPMethod");
	reply_release(&r);
	http(&D, NULL, "DELETE", "/", NULL, NULL, 0, &r);
	expect_json(&r, 400, "UnsupportedHTTPMethod");
	reply_release(&r);
	http(&D, NULL, "DELETE", "/healthz", NULL, NULL, 0, &r);
	expect_json(&r, 400, "UnsupportedHTTPMethod");
	reply_release(&r);
	still_serving(&D);
}

/* ---- authentication ---------------------------------------------------------- */

static void test_unsigned_and_wrong_keys(void **state)
{
	static const char unsigned_body[] = "Action=DescribeDtsJobs&Version=2020-01-01";
	struct dts_client *c;
	struct kvlist p;
	struct reply r;

	http(&D, NULL, "POST", "/", NULL, unsigned_body, strlen(unsigned_body), &r);
	expect_json(&r, 400, "IncompleteSignature");
	reply_release(&r);
	http(&D, NULL, "GET", "/?Action=DescribeDtsJobs&Version=2020-01-01", NULL, NULL, 0, &r);
	expect_json(&r, 400, "IncompleteSignature");
	reply_release(&r);

	/* V1 without a required common parameter. */
	v1_params(&p, "DescribeDtsJobs");
	kvlist_del(&p, "SignatureNonce");
	v1_post(&D, NULL, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	expect_json(&r, 400, "IncompleteSignature");
	reply_release(&r);

	v1_params(&p, "DescribeDtsJobs");
	v1_post(&D, NULL, &p, "not-the-secret", &r);
	kvlist_release(&p);
	expect_json(&r, 400, "SignatureDoesNotMatch");
	reply_release(&r);
	c = client_as(&D, ITEST_KEY_ID, "not-the-secret");
	v3_send(&D, NULL, c, "DescribeDtsJobs", NULL, &r);
	dts_client_free(c);
	expect_json(&r, 400, "SignatureDoesNotMatch");
	reply_release(&r);

	v1_params(&p, "DescribeDtsJobs");
	kvlist_set(&p, "AccessKeyId", "LTAIunknownkey0000000");
	v1_post(&D, NULL, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	expect_json(&r, 404, "InvalidAccessKeyId.NotFound");
	reply_release(&r);
	c = client_as(&D, "LTAIunknownkey0000000", ITEST_SECRET);
	v3_send(&D, NULL, c, "DescribeDtsJobs", NULL, &r);
	dts_client_free(c);
	expect_json(&r, 404, "InvalidAccessKeyId.NotFound");
	reply_release(&r);
	still_serving(&D);
}

static void test_timestamps(void **state)
{
	char when[TIME_ISO_LEN];
	struct dts_client *c;
	struct kvlist p;
	struct reply r;

	v1_params(&p, "DescribeDtsJobs");
	kvlist_set(&p, "Timestamp", time_iso_z(when, time_now_ms() - 20 * 60 * 1000));
	v1_post(&D, NULL, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	expect_json(&r, 400, "InvalidTimeStamp.Expired");
	reply_release(&r);

	/* V3, 20 minutes in the future. */
	c = client_as(&D, ITEST_KEY_ID, ITEST_SECRET);
	dts_client_set_fixed(c, time(NULL) + 20 * 60, NULL);
	v3_send(&D, NULL, c, "DescribeDtsJobs", NULL, &r);
	dts_client_free(c);
	expect_json(&r, 400, "InvalidTimeStamp.Expired");
	reply_release(&r);

	static const char *const bad[] = { "2024-01-15 08:30:00", "yesterday",
					   "2024-13-45T08:30:00Z", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v1_params(&p, "DescribeDtsJobs");
		kvlist_set(&p, "Timestamp", bad[i]);
		v1_post(&D, NULL, &p, ITEST_SECRET, &r);
		kvlist_release(&p);
		/* An empty Timestamp is a missing one: the signature is incomplete. */
		expect_json(&r, 400, *bad[i] ? "InvalidTimeStamp.Format" : "IncompleteSignature");
		reply_release(&r);
	}
	still_serving(&D);
}

static void test_nonce_reuse(void **state)
{
	char nonce[37];
	struct dts_client *c;
	struct kvlist p;
	struct reply r;
	struct buf body;

	/* V1: the same signed bytes twice (a replay). */
	v1_params(&p, "DescribeDtsJobs");
	v1_sign_encode(&p, "POST", ITEST_SECRET, &body);
	kvlist_release(&p);
	http(&D, NULL, "POST", "/", NULL, buf_cstr(&body), body.len, &r);
	expect_json(&r, 200, NULL);
	reply_release(&r);
	http(&D, NULL, "POST", "/", NULL, buf_cstr(&body), body.len, &r);
	buf_release(&body);
	expect_json(&r, 400, "SignatureNonceUsed");
	reply_release(&r);

	/* V3: a nonce first sent with a bad signature is not burnt; the first
	 * good use succeeds and the second is refused. */
	codec_uuid(nonce);
	c = client_as(&D, ITEST_KEY_ID, "not-the-secret");
	dts_client_set_fixed(c, 0, nonce);
	v3_send(&D, NULL, c, "DescribeDtsJobs", NULL, &r);
	dts_client_free(c);
	expect_json(&r, 400, "SignatureDoesNotMatch");
	reply_release(&r);
	c = client_as(&D, ITEST_KEY_ID, ITEST_SECRET);
	dts_client_set_fixed(c, 0, nonce);
	v3_send(&D, NULL, c, "DescribeDtsJobs", NULL, &r);
	expect_json(&r, 200, NULL);
	reply_release(&r);
	v3_send(&D, NULL, c, "DescribeDtsJobs", NULL, &r);
	dts_client_free(c);
	expect_json(&r, 400, "SignatureNonceUsed");
	reply_release(&r);
	still_serving(&D);
}

static void test_version_action_missing(void **state)
{
	struct kvlist p;
	struct reply r;

	v1_params(&p, "DescribeDtsJobs");
	kvlist_set(&p, "Version", "2019-01-01");
	v1_post(&D, NULL, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	expect_json(&r, 400, "InvalidVersion");
	reply_release(&r);

	v3_send(&D, NULL, D.client, "DescribeNoSuchThing", NULL, &r);
	expect_json(&r, 404, "InvalidAction.NotFound");
	reply_release(&r);
	v1_params(&p, "describeDtsJobs");   /* case matters */
	v1_post(&D, NULL, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	expect_json(&r, 404, "InvalidAction.NotFound");
	reply_release(&r);

	v3_send(&D, NULL, D.client, "StartDtsJob", NULL, &r);
	expect_json(&r, 400, "MissingDtsJobId");
	expect_message(&r, "DtsJobId");
	reply_release(&r);
	v1_params(&p, "StartDtsJob");
	kvlist_add(&p, "DtsJobId", "");
	v1_post(&D, NULL, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	expect_json(&r, 400, "MissingDtsJobId");
	expect_message(&r, "DtsJobId");
	reply_release(&r);
	still_serving(&D);
}

/* ---- input limits ------------------------------------------------------------ */

static void test_body_too_large(void **state)
{
	size_t n = 2u << 20;
	char *big = xmalloc(n);
	CURL *h = curl_easy_init();
	struct kvlist p;
	struct reply r;

	memcpy(big, "Pad=", 4);
	memset(big + 4, 'a', n - 4);
	http(&D, h, "POST", "/", NULL, big, n, &r);
	free(big);
	expect_json(&r, 413, "RequestEntityTooLarge");
	reply_release(&r);

	/* Just over the limit is refused too. */
	big = xmalloc(API_MAX_BODY + 1);
	memcpy(big, "Pad=", 4);
	memset(big + 4, 'b', API_MAX_BODY + 1 - 4);
	http(&D, h, "POST", "/", NULL, big, API_MAX_BODY + 1, &r);
	free(big);
	expect_json(&r, 413, "RequestEntityTooLarge");
	reply_release(&r);

	/* The same handle (kept alive or reconnected) and a new connection. */
	v1_params(&p, "DescribeDtsJobs");
	v1_post(&D, h, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	curl_easy_cleanup(h);
	expect_json(&r, 200, NULL);
	reply_release(&r);
	v1_params(&p, "DescribeDtsJobs");
	v1_post(&D, NULL, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	assert_int_equal(r.connects, 1);
	expect_json(&r, 200, NULL);
	reply_release(&r);
	still_serving(&D);
}

/* n pairs "P<i>=1" joined by '&'. */
static void many_pairs(struct buf *out, int first, int n)
{
	buf_init(out, BUF_UNLIMITED);
	for (int i = 0; i < n; i++)
		buf_printf(out, "%sP%d=1", i ? "&" : "", first + i);
}

/* More than API_MAX_PARAMS pairs is refused as a whole request (400
 * InvalidParameter), naming the limit. */
static void test_too_many_parameters(void **state)
{
	char limit[16];
	struct buf body, query;
	struct reply r;
	char *target;

	snprintf(limit, sizeof(limit), "at most %d", API_MAX_PARAMS);
	many_pairs(&body, 0, API_MAX_PARAMS + 1);
	http(&D, NULL, "POST", "/", NULL, buf_cstr(&body), body.len, &r);
	buf_release(&body);
	expect_json(&r, 400, "InvalidParameter");
	expect_message(&r, limit);
	reply_release(&r);
	many_pairs(&query, 0, API_MAX_PARAMS + 1);
	target = xasprintf("/?%s", buf_cstr(&query));
	http(&D, NULL, "GET", target, NULL, NULL, 0, &r);
	free(target);
	buf_release(&query);
	expect_json(&r, 400, "InvalidParameter");
	expect_message(&r, limit);
	reply_release(&r);

	/* Under the limit in each of query and body, over it together. */
	many_pairs(&query, 0, 200);
	many_pairs(&body, 200, 100);
	target = xasprintf("/?%s", buf_cstr(&query));
	http(&D, NULL, "POST", target, NULL, buf_cstr(&body), body.len, &r);
	free(target);
	buf_release(&query);
	buf_release(&body);
	expect_json(&r, 400, "InvalidParameter");
	expect_message(&r, limit);
	reply_release(&r);
	still_serving(&D);
}

/* One value over API_MAX_VALUE_LEN (in a body under API_MAX_BODY) names
 * its parameter; a key sent twice is ambiguous and refused. */
static void test_value_limits(void **state)
{
	char limit[32];
	size_t n = API_MAX_VALUE_LEN + 1;
	struct kvlist p;
	struct buf body;
	struct reply r;

	v1_params(&p, "DescribeDtsJobs");
	v1_sign_encode(&p, "POST", ITEST_SECRET, &body);
	kvlist_release(&p);
	buf_puts(&body, "&JobType=");
	for (size_t i = 0; i < n; i++)
		buf_putc(&body, 'x');
	http(&D, NULL, "POST", "/", NULL, buf_cstr(&body), body.len, &r);
	buf_release(&body);
	expect_json(&r, 400, "InvalidJobType");
	expect_message(&r, "JobType");
	snprintf(limit, sizeof(limit), "at most %d", API_MAX_VALUE_LEN);
	expect_message(&r, limit);
	reply_release(&r);

	v1_params(&p, "DescribeDtsJobs");
	v1_sign_encode(&p, "POST", ITEST_SECRET, &body);
	kvlist_release(&p);
	buf_puts(&body, "&JobType=MIGRATION&JobType=SYNC");
	http(&D, NULL, "POST", "/", NULL, buf_cstr(&body), body.len, &r);
	buf_release(&body);
	expect_json(&r, 400, "InvalidJobType");
	expect_message(&r, "more than once");
	reply_release(&r);
	still_serving(&D);
}

static void test_bad_encoding(void **state)
{
	struct kvlist p;
	struct buf body;
	struct reply r;

	/* Invalid UTF-8 (%FF%FE) in a signed value, in the body and the query. */
	v1_params(&p, "DescribeDtsJobs");
	kvlist_add(&p, "JobType", "\xFF\xFE");
	v1_post(&D, NULL, &p, ITEST_SECRET, &r);
	expect_json(&r, 400, "InvalidJobType");
	expect_message(&r, "JobType");
	expect_message(&r, "UTF-8");
	reply_release(&r);
	v1_get(&D, NULL, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	expect_json(&r, 400, "InvalidJobType");
	expect_message(&r, "JobType");
	reply_release(&r);

	/* Malformed escapes: %G1, and a '%' cut short at the end. */
	v1_params(&p, "DescribeDtsJobs");
	v1_sign_encode(&p, "POST", ITEST_SECRET, &body);
	kvlist_release(&p);
	buf_puts(&body, "&JobType=%G1");
	http(&D, NULL, "POST", "/", NULL, buf_cstr(&body), body.len, &r);
	expect_json(&r, 400, "InvalidJobType");
	expect_message(&r, "JobType");
	reply_release(&r);
	body.len -= 2;   /* "...&JobType=%" */
	http(&D, NULL, "POST", "/", NULL, buf_cstr(&body), body.len, &r);
	buf_release(&body);
	expect_json(&r, 400, "InvalidJobType");
	reply_release(&r);
	/* A NUL byte is no text either. */
	static const char nul[] = "Action=DescribeDtsJobs&JobType=a%00b";
	http(&D, NULL, "POST", "/", NULL, nul, strlen(nul), &r);
	expect_json(&r, 400, "InvalidJobType");
	expect_message(&r, "NUL");
	reply_release(&r);
	http(&D, NULL, "GET", "/?%G1=x&Action=DescribeDtsJobs", NULL, NULL, 0, &r);
	expect_json(&r, 400, "InvalidParameter");
	reply_release(&r);
	still_serving(&D);
}

/* ---- throttling ----------------------------------------------------------------- */

static void test_throttling(void **state)
{
	static const char *const args[] = { "--rate-limit", "1", "--rate-burst", "2", NULL };
	struct itest_dtsd t = { 0 };
	CURL *h = curl_easy_init();
	int ok = 0, throttled = 0;
	struct reply r;

	assert_int_equal(itest_dtsd_start(&t, NULL, args), 0);
	for (int i = 0; i < 6; i++) {
		v3_send(&t, h, t.client, "DescribeDtsJobs", NULL, &r);
		if (r.status == 200) {
			expect_json(&r, 200, NULL);
			ok++;
		} else {
			expect_json(&r, 400, "Throttling.User");
			assert_string_equal(itest_str(r.json, "Message"), THROTTLE_MSG);
			throttled++;
		}
		reply_release(&r);
	}
	assert_true(ok >= 2);   /* the burst */
	assert_true(throttled >= 1);
	sleep_ms(1500);
	v3_send(&t, h, t.client, "DescribeDtsJobs", NULL, &r);
	curl_easy_cleanup(h);
	expect_json(&r, 200, NULL);
	reply_release(&r);
	assert_int_equal(itest_dtsd_stop(&t, false), 0);
	itest_dtsd_destroy(&t);
}

/* ---- XML ------------------------------------------------------------------------- */

/* Parses an XML reply: checks the root element name and that its RequestId
 * child is a UUID equal to the header; returns the text of child `field`
 * (heap, "" when absent) or NULL when field is NULL. */
static char *expect_xml(const struct reply *r, const char *root, const char *field)
{
	xmlDoc *doc = xmlReadMemory(buf_cstr(&r->body), (int)r->body.len, "reply.xml", NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	char id[64] = "", *val = field ? xstrdup("") : NULL;
	xmlNode *top = doc ? xmlDocGetRootElement(doc) : NULL;

	if (!top)
		fail_msg("reply is not XML: %.400s", buf_cstr(&r->body));
	if (strcmp((const char *)top->name, root) != 0)
		fail_msg("root <%s>, expected <%s>", (const char *)top->name, root);
	for (xmlNode *n = top->children; n; n = n->next) {
		xmlChar *text;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		text = xmlNodeGetContent(n);
		if (strcmp((const char *)n->name, "RequestId") == 0)
			snprintf(id, sizeof(id), "%s", text ? (const char *)text : "");
		if (field && strcmp((const char *)n->name, field) == 0) {
			free(val);
			val = xstrdup(text ? (const char *)text : "");
		}
		xmlFree(text);
	}
	xmlFreeDoc(doc);
	expect_request_id(r, id);
	return val;
}

static void test_xml_format(void **state)
{
	struct kvlist p;
	struct reply r;
	char *v;

	v1_params(&p, "DescribeDtsJobs");
	kvlist_set(&p, "Format", "XML");
	v1_post(&D, NULL, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, XML_TYPE);
	assert_int_equal(strncmp(buf_cstr(&r.body), "<?xml", 5), 0);
	v = expect_xml(&r, "DescribeDtsJobsResponse", "Success");
	assert_string_equal(v, "true");
	free(v);
	reply_release(&r);

	/* An XML error: exactly the content type the openapi V3 client parses. */
	v1_params(&p, "DescribeNoSuchThing");
	kvlist_set(&p, "Format", "xml");
	v1_get(&D, NULL, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	assert_int_equal(r.status, 404);
	assert_string_equal(r.ctype, XML_ERR_TYPE);
	assert_int_equal(strncmp(buf_cstr(&r.body), "<?xml", 5), 0);
	v = expect_xml(&r, "Error", "Code");
	assert_string_equal(v, "InvalidAction.NotFound");
	free(v);
	reply_release(&r);

	/* Unsigned: the error still follows the requested format. */
	http(&D, NULL, "GET", "/?Action=DescribeDtsJobs&Format=XML", NULL, NULL, 0, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(r.ctype, XML_ERR_TYPE);
	v = expect_xml(&r, "Error", "Code");
	assert_string_equal(v, "IncompleteSignature");
	free(v);
	reply_release(&r);
	still_serving(&D);
}

/* ---- connections and shutdown ---------------------------------------------------- */

static void test_keep_alive(void **state)
{
	CURL *h = curl_easy_init();
	struct kvlist p;
	struct reply r;

	v1_params(&p, "DescribeDtsJobs");
	v1_post(&D, h, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	expect_json(&r, 200, NULL);
	assert_int_equal(r.connects, 1);
	reply_release(&r);
	v3_send(&D, h, D.client, "DescribeDtsJobs", NULL, &r);
	expect_json(&r, 200, NULL);
	assert_int_equal(r.connects, 0);
	reply_release(&r);

	/* An error reply keeps the connection too. */
	http(&D, h, "POST", "/", NULL, "Action=DescribeDtsJobs", 22, &r);
	expect_json(&r, 400, "IncompleteSignature");
	assert_int_equal(r.connects, 0);
	reply_release(&r);
	v1_params(&p, "DescribeDtsJobs");
	v1_get(&D, h, &p, ITEST_SECRET, &r);
	kvlist_release(&p);
	expect_json(&r, 200, NULL);
	assert_int_equal(r.connects, 0);
	reply_release(&r);
	curl_easy_cleanup(h);
	still_serving(&D);
}

static void test_sigterm_exits_cleanly(void **state)
{
	struct itest_dtsd t = { 0 };
	CURL *h = curl_easy_init();
	struct reply r;
	int64_t t0;
	int rc;

	assert_int_equal(itest_dtsd_start(&t, NULL, NULL), 0);
	v3_send(&t, h, t.client, "DescribeDtsJobs", NULL, &r);
	expect_json(&r, 200, NULL);
	reply_release(&r);
	/* h keeps an idle kept-alive connection open during the shutdown. */
	t0 = mono_ms();
	rc = itest_dtsd_stop(&t, false);
	assert_int_equal(rc, 0);
	assert_true(mono_ms() - t0 < 10000);
	curl_easy_cleanup(h);
	itest_dtsd_destroy(&t);
}

/* ---- group ----------------------------------------------------------------------- */

static int setup(void **state)
{
	memset(&D, 0, sizeof(D));
	return itest_dtsd_start(&D, NULL, NULL);
}

static int teardown(void **state)
{
	int rc = itest_dtsd_stop(&D, false);

	if (rc != 0)
		fprintf(stderr, "test_api: dtsd exited with %d after SIGTERM\n", rc);
	itest_dtsd_destroy(&D);
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_and_methods),
		cmocka_unit_test(test_unsigned_and_wrong_keys),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_nonce_reuse),
		cmocka_unit_test(test_version_action_missing),
		cmocka_unit_test(test_body_too_large),
		cmocka_unit_test(test_too_many_parameters),
		cmocka_unit_test(test_value_limits),
		cmocka_unit_test(test_bad_encoding),
		cmocka_unit_test(test_throttling),
		cmocka_unit_test(test_xml_format),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_sigterm_exits_cleanly),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests_name("api", tests, setup, teardown);
	xmlCleanupParser();
	curl_global_cleanup();
	return rc;
}
