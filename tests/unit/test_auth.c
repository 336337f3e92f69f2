/*
 * test_auth.c - request authentication (api/auth.c) and its parts: the
 * nonce cache (nonce.c), the per-key throttle (throttle.c) and the access
 * keys (creds.c). Every error path of PROTOCOL.md sec. 5 and 7 is driven
 * with requests signed the way the clients sign them (sign/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/internal.h"
#include "sign/sign.h"
#include "util/codec.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define VEC_NOW   1705307400          /* 2024-01-15T08:30:00Z */
#define VEC_TIME  "2024-01-15T08:30:00Z"
#define VEC_NONCE "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"

#define MSG_SIGNATURE  "Specified signature is not matched with our calculation."
#define MSG_INCOMPLETE "The request signature does not conform to Aliyun standards."

/* ---- fixtures ---- */

struct fixture {
	struct api_creds *creds;
	struct api_nonce_cache *nonces;
	struct api_auth auth;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct err err;

	setenv("DTS_ACCESS_KEY_ID", "testid", 1);
	setenv("DTS_ACCESS_KEY_SECRET", "testsecret", 1);
	f->creds = api_creds_load(NULL, NULL, &err);
	unsetenv("DTS_ACCESS_KEY_ID");
	unsetenv("DTS_ACCESS_KEY_SECRET");
	assert_non_null(f->creds);
	api_creds_add(f->creds, "otherid", "othersecret");
	f->nonces = api_nonce_new(1000);
	f->auth.creds = f->creds;
	f->auth.nonces = f->nonces;
	f->auth.time_window_s = 900;
	f->auth.now_s_override = VEC_NOW;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	api_nonce_free(f->nonces);
	api_creds_free(f->creds);
	free(f);
	return 0;
}

static void req_init(struct api_request *r, const char *method, const char *query,
		     const char *body)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->raw_query = xstrdup(query ? query : "");
	kvlist_init(&r->headers);
	kvlist_init(&r->query);
	kvlist_init(&r->params);
	buf_init(&r->body, API_MAX_BODY);
	if (body) {
		kvlist_add(&r->headers, "content-type", "application/x-www-form-urlencoded");
		assert_int_equal(buf_puts(&r->body, body), 0);
	}
}

static void req_release(struct api_request *r)
{
	free(r->raw_query);
	kvlist_release(&r->headers);
	kvlist_release(&r->query);
	kvlist_release(&r->params);
	buf_release(&r->body);
}

/* Verifies r and expects code (ERR_OK: success). Returns err for more checks. */
static struct err expect(struct fixture *f, struct api_request *r, enum err_code code)
{
	struct err err;
	int rc;

	err_clear(&err);
	rc = api_auth_verify(&f->auth, r, &err);
	if (code == ERR_OK && rc != 0)
		fail_msg("expected success, got %s: %s (%s)", err_code_name(err.code),
			 err.msg, err.detail);
	assert_int_equal(rc, code == ERR_OK ? 0 : -1);
	if (code != ERR_OK) {
		assert_string_equal(err_code_name(err.code), err_code_name(code));
		assert_null(r->access_key_id);
		assert_null(strstr(err.detail, "testsecret"));   /* never a secret */
		assert_null(strstr(err.msg, "testsecret"));
	}
	return err;
}

/* ---- V1 ---- */

/* A V1 request with the vector's parameters (Timestamp/nonce as given). */
static void v1_build(struct api_request *r, const char *method, const char *key_id,
		     const char *ts, const char *nonce)
{
	req_init(r, method, NULL, NULL);
	kvlist_add(&r->params, "AccessKeyId", key_id);
	kvlist_add(&r->params, "Action", "DescribeDtsJobs");
	kvlist_add(&r->params, "Format", "JSON");
	kvlist_add(&r->params, "JobType", "MIGRATION");
	kvlist_add(&r->params, "PageNumber", "1");
	kvlist_add(&r->params, "PageSize", "20");
	kvlist_add(&r->params, "Params", "{\"name\":\"a b*(c)~!'\"}");
	kvlist_add(&r->params, "RegionId", "cn-hangzhou");
	kvlist_add(&r->params, "SignatureMethod", "HMAC-SHA1");
	kvlist_add(&r->params, "SignatureNonce", nonce);
	kvlist_add(&r->params, "SignatureVersion", "1.0");
	kvlist_add(&r->params, "Timestamp", ts);
	kvlist_add(&r->params, "Version", "2020-01-01");
}

/* Signs r's params as the client would (over `method`) and adds Signature. */
static void v1_sign_as(struct api_request *r, const char *method, const char *secret)
{
	char sig[64];

	kvlist_del(&r->params, "Signature");
	assert_int_equal(sign_v1(method, &r->params, secret, sig), 0);
	kvlist_add(&r->params, "Signature", sig);
}

static void v1_sign(struct api_request *r, const char *secret)
{
	v1_sign_as(r, r->method, secret);
}

static void test_v1_vectors(void **state)
{
	struct fixture *f = *state;
	struct api_request r;
	struct err err;

	v1_build(&r, "GET", "testid", VEC_TIME, VEC_NONCE);
	kvlist_add(&r.params, "Signature", "kggfhqEyyVnYasm0yMZo/oxlEGI=");
	expect(f, &r, ERR_OK);
	assert_string_equal(r.access_key_id, "testid");
	req_release(&r);

	/* The POST vector carries the same nonce: a replay now. */
	v1_build(&r, "POST", "testid", VEC_TIME, VEC_NONCE);
	kvlist_add(&r.params, "Signature", "klmj+ZGWN/sjLpWphUgxgGKK10o=");
	err = expect(f, &r, ERR_AUTH_NONCE);
	assert_string_equal(err.msg, "Specified signature nonce was used already.");
	req_release(&r);
}

static void test_v1_replay(void **state)
{
	struct fixture *f = *state;
	struct api_request r;

	v1_build(&r, "POST", "testid", VEC_TIME, "n-replay");
	v1_sign(&r, "testsecret");
	expect(f, &r, ERR_OK);
	expect(f, &r, ERR_AUTH_NONCE);
	req_release(&r);
	/* Nonces are per key: the other key may use the same one. */
	v1_build(&r, "POST", "otherid", VEC_TIME, "n-replay");
	v1_sign(&r, "othersecret");
	expect(f, &r, ERR_OK);
	assert_string_equal(r.access_key_id, "otherid");
	req_release(&r);
}

static void test_v1_bad_signature(void **state)
{
	struct fixture *f = *state;
	struct api_request r;
	struct err err;

	v1_build(&r, "GET", "testid", VEC_TIME, "n-bad");
	v1_sign(&r, "wrongsecret");
	err = expect(f, &r, ERR_AUTH_SIGNATURE);
	assert_string_equal(err.msg, MSG_SIGNATURE);
	/* The detail shows what the server signed. */
	assert_non_null(strstr(err.detail, "GET&%2F&AccessKeyId%3Dtestid%26"));
	/* The bad request did not burn the nonce. */
	v1_sign(&r, "testsecret");
	expect(f, &r, ERR_OK);
	req_release(&r);
}

static void test_v1_tampering(void **state)
{
	struct fixture *f = *state;
	struct api_request r;

	/* Signed for GET, sent as POST. */
	v1_build(&r, "POST", "testid", VEC_TIME, "n-method");
	v1_sign_as(&r, "GET", "testsecret");
	expect(f, &r, ERR_AUTH_SIGNATURE);
	req_release(&r);
	/* A parameter changed after signing, or one added. */
	v1_build(&r, "GET", "testid", VEC_TIME, "n-tamper");
	v1_sign(&r, "testsecret");
	kvlist_set(&r.params, "PageSize", "21");
	expect(f, &r, ERR_AUTH_SIGNATURE);
	kvlist_set(&r.params, "PageSize", "20");
	kvlist_add(&r.params, "Extra", "1");
	expect(f, &r, ERR_AUTH_SIGNATURE);
	kvlist_del(&r.params, "Extra");
	expect(f, &r, ERR_OK);
	req_release(&r);
}

static void test_v1_unknown_key(void **state)
{
	struct fixture *f = *state;
	struct api_request r;
	struct err err;

	v1_build(&r, "GET", "nobody", VEC_TIME, "n-key");
	v1_sign(&r, "testsecret");
	err = expect(f, &r, ERR_AUTH_KEY);
	assert_string_equal(err.msg, "Specified access key is not found.");
	req_release(&r);
}

static void test_v1_missing_parts(void **state)
{
	static const char *const parts[] = {
		"AccessKeyId", "Timestamp", "SignatureNonce", "SignatureMethod",
		"SignatureVersion",
	};
	struct fixture *f = *state;
	struct api_request r;
	struct err err;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		v1_build(&r, "GET", "testid", VEC_TIME, "n-missing");
		kvlist_del(&r.params, parts[i]);
		v1_sign(&r, "testsecret");
		err = expect(f, &r, ERR_AUTH_INCOMPLETE);
		assert_string_equal(err.msg, MSG_INCOMPLETE);
		assert_non_null(strstr(err.detail, parts[i]));
		req_release(&r);
		/* Present but empty counts as missing. */
		v1_build(&r, "GET", "testid", VEC_TIME, "n-missing");
		kvlist_set(&r.params, parts[i], "");
		v1_sign(&r, "testsecret");
		expect(f, &r, ERR_AUTH_INCOMPLETE);
		req_release(&r);
	}
	v1_build(&r, "GET", "testid", VEC_TIME, "n-missing");
	kvlist_add(&r.params, "Signature", "");
	expect(f, &r, ERR_AUTH_INCOMPLETE);
	req_release(&r);
	/* None of those failures recorded the nonce. */
	v1_build(&r, "GET", "testid", VEC_TIME, "n-missing");
	v1_sign(&r, "testsecret");
	expect(f, &r, ERR_OK);
	req_release(&r);
}

static void test_v1_method_and_version(void **state)
{
	struct fixture *f = *state;
	struct api_request r;
	struct err err;

	v1_build(&r, "GET", "testid", VEC_TIME, "n-m");
	kvlist_set(&r.params, "SignatureMethod", "HMAC-SHA256");
	v1_sign(&r, "testsecret");
	err = expect(f, &r, ERR_AUTH_METHOD);
	assert_string_equal(err.msg, "Specified signature method is not valid.");
	kvlist_set(&r.params, "SignatureMethod", "hmac-sha1");
	v1_sign(&r, "testsecret");
	expect(f, &r, ERR_AUTH_METHOD);
	req_release(&r);

	v1_build(&r, "GET", "testid", VEC_TIME, "n-m");
	kvlist_set(&r.params, "SignatureVersion", "2.0");
	v1_sign(&r, "testsecret");
	err = expect(f, &r, ERR_AUTH_INCOMPLETE);
	assert_non_null(strstr(err.detail, "SignatureVersion"));
	req_release(&r);
}

static void test_v1_nonce_too_long(void **state)
{
	struct fixture *f = *state;
	struct api_request r;
	char nonce[200];

	memset(nonce, 'n', sizeof(nonce) - 1);
	nonce[sizeof(nonce) - 1] = '\0';
	v1_build(&r, "GET", "testid", VEC_TIME, nonce);
	v1_sign(&r, "testsecret");
	expect(f, &r, ERR_AUTH_INCOMPLETE);
	req_release(&r);
}

static void test_v1_time_format(void **state)
{
	static const char *const bad[] = {
		"2024-01-15 08:30:00", "2024-01-15T08:30:00.000Z", "2024-01-15T08:30:00+00:00",
		"1705307400", "2024-13-15T08:30:00Z", "tomorrow",
	};
	struct fixture *f = *state;
	struct api_request r;
	struct err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v1_build(&r, "GET", "testid", bad[i], "n-time");
		v1_sign(&r, "testsecret");
		err = expect(f, &r, ERR_AUTH_TIME_FORMAT);
		assert_string_equal(err.msg,
				    "Specified time stamp or date value is not well formatted.");
		/* The signature is checked first. */
		v1_sign(&r, "wrongsecret");
		expect(f, &r, ERR_AUTH_SIGNATURE);
		req_release(&r);
	}
	v1_build(&r, "GET", "testid", VEC_TIME, "n-time");
	v1_sign(&r, "testsecret");
	expect(f, &r, ERR_OK);
	req_release(&r);
}

/* Signs a V1 request made at time t, verified at `now`. */
static struct err v1_at(struct fixture *f, int64_t t, int64_t now, const char *nonce,
			enum err_code code)
{
	struct api_request r;
	char ts[TIME_ISO_LEN];
	struct err err;

	f->auth.now_s_override = now;
	v1_build(&r, "GET", "testid", time_iso_z(ts, t * 1000), nonce);
	v1_sign(&r, "testsecret");
	err = expect(f, &r, code);
	req_release(&r);
	return err;
}

static void test_v1_time_window(void **state)
{
	struct fixture *f = *state;
	struct err err;

	v1_at(f, VEC_NOW, VEC_NOW + 900, "w1", ERR_OK);
	err = v1_at(f, VEC_NOW, VEC_NOW + 901, "w2", ERR_AUTH_TIME_EXPIRED);
	assert_string_equal(err.msg, "Specified time stamp or date value is expired.");
	v1_at(f, VEC_NOW, VEC_NOW - 900, "w3", ERR_OK);
	v1_at(f, VEC_NOW, VEC_NOW - 901, "w4", ERR_AUTH_TIME_EXPIRED);
	v1_at(f, VEC_NOW, VEC_NOW + 86400, "w5", ERR_AUTH_TIME_EXPIRED);
	/* An expired request does not record its nonce. */
	v1_at(f, VEC_NOW, VEC_NOW, "w2", ERR_OK);

	/* A smaller window from the configuration. */
	f->auth.time_window_s = 60;
	v1_at(f, VEC_NOW, VEC_NOW + 61, "w6", ERR_AUTH_TIME_EXPIRED);
	v1_at(f, VEC_NOW, VEC_NOW + 60, "w6", ERR_OK);
}

/* A nonce is remembered until max(now, request time) + window. */
static void test_v1_nonce_lifetime(void **state)
{
	struct fixture *f = *state;

	/* Sent at now: remembered until now + 900. */
	v1_at(f, VEC_NOW, VEC_NOW, "life1", ERR_OK);
	v1_at(f, VEC_NOW + 800, VEC_NOW + 899, "life1", ERR_AUTH_NONCE);
	v1_at(f, VEC_NOW + 800, VEC_NOW + 900, "life1", ERR_OK);
	/* Sent with a clock 600 s ahead: remembered until t + 900, so the same
	 * request replayed 1000 s later (still inside its window) fails. */
	v1_at(f, VEC_NOW + 600, VEC_NOW, "life2", ERR_OK);
	v1_at(f, VEC_NOW + 600, VEC_NOW + 1000, "life2", ERR_AUTH_NONCE);
	v1_at(f, VEC_NOW + 600, VEC_NOW + 1499, "life2", ERR_AUTH_NONCE);
}

static void test_unsigned(void **state)
{
	struct fixture *f = *state;
	struct api_request r;
	struct err err;

	v1_build(&r, "GET", "testid", VEC_TIME, "n-unsigned");
	err = expect(f, &r, ERR_AUTH_INCOMPLETE);
	assert_string_equal(err.msg, MSG_INCOMPLETE);
	kvlist_add(&r.headers, "authorization", "Basic dGVzdGlkOnRlc3RzZWNyZXQ=");
	expect(f, &r, ERR_AUTH_INCOMPLETE);
	req_release(&r);
}

/* ---- V3 ---- */

static const char V3_QUERY[] = "RegionId=cn-hangzhou&JobType=MIGRATION&PageNumber=1&PageSize=20";
static const char V3_BODY[] = "Params=%7B%22name%22%3A%22a%20b*(c)~!'%22%7D";
static const char V3_SIGNED[] =
	"content-type;host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;"
	"x-acs-date;x-acs-signature-nonce;x-acs-version";
static const char V3_AUTHZ[] =
	"ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=content-type;host;x-acs-action;"
	"x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;x-acs-signature-nonce;"
	"x-acs-version,Signature=8645ffe5170a532a9a7caed3b91fb4e24b6e9859f000b70e6b7d6605e32c9492";

/* The vector's request as the server receives it (names lower-cased). */
static void v3_build(struct api_request *r, const char *date, const char *nonce)
{
	char hash[65];
	struct err err;

	req_init(r, "POST", V3_QUERY, V3_BODY);
	codec_sha256_hex(V3_BODY, strlen(V3_BODY), hash);
	kvlist_add(&r->headers, "host", "127.0.0.1:8420");
	kvlist_add(&r->headers, "x-acs-version", "2020-01-01");
	kvlist_add(&r->headers, "x-acs-action", "DescribeDtsJobs");
	kvlist_add(&r->headers, "user-agent", "AlibabaCloud (linux; x64) Node.js");
	kvlist_add(&r->headers, "x-acs-date", date);
	kvlist_add(&r->headers, "x-acs-signature-nonce", nonce);
	kvlist_add(&r->headers, "accept", "application/json");
	kvlist_add(&r->headers, "x-acs-content-sha256", hash);
	kvlist_add(&r->headers, "x-acs-credentials-provider", "static_ak");
	assert_int_equal(api_parse_request(r, &err), 0);
}

/* Signs r as openapi-client does and sets its Authorization header. */
static void v3_sign(struct api_request *r, const char *key_id, const char *secret,
		    const char *signed_headers)
{
	struct buf creq;
	char sig[65], *authz;
	const char *hash = kvlist_get(&r->headers, "x-acs-content-sha256");

	buf_init(&creq, BUF_UNLIMITED);
	assert_int_equal(sign_v3_canonical_request(r->method, &r->query, &r->headers,
						   signed_headers, hash ? hash : "", &creq), 0);
	sign_v3_signature(secret, buf_cstr(&creq), sig);
	authz = xasprintf("%s Credential=%s,SignedHeaders=%s,Signature=%s",
			  SIGN_V3_ALGORITHM, key_id, signed_headers, sig);
	kvlist_set(&r->headers, "authorization", authz);
	free(authz);
	buf_release(&creq);
}

static void test_v3_vector(void **state)
{
	struct fixture *f = *state;
	struct api_request r;

	v3_build(&r, VEC_TIME, VEC_NONCE);
	kvlist_add(&r.headers, "authorization", V3_AUTHZ);
	assert_null(kvlist_get(&r.params, "Action"));
	expect(f, &r, ERR_OK);
	assert_string_equal(r.access_key_id, "testid");
	/* Action and Version come from the signed headers. */
	assert_string_equal(kvlist_get(&r.params, "Action"), "DescribeDtsJobs");
	assert_string_equal(kvlist_get(&r.params, "Version"), "2020-01-01");
	expect(f, &r, ERR_AUTH_NONCE);
	req_release(&r);
}

/* The headers' signed values win over a forged Action in the query. */
static void test_v3_action_from_headers(void **state)
{
	struct fixture *f = *state;
	struct api_request r;

	v3_build(&r, VEC_TIME, "n-action");
	kvlist_add(&r.params, "Action", "DeleteDtsJob");
	v3_sign(&r, "testid", "testsecret", V3_SIGNED);
	expect(f, &r, ERR_OK);
	assert_string_equal(kvlist_get(&r.params, "Action"), "DescribeDtsJobs");
	req_release(&r);
}

static void test_v3_malformed_authorization(void **state)
{
	static const char *const bad[] = {
		"ACS3-HMAC-SHA256",
		"ACS3-HMAC-SHA256 ",
		"ACS3-HMAC-SHA256 Credential=testid",
		"ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host",
		"ACS3-HMAC-SHA256 SignedHeaders=host,Signature=00",
		"ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=00",
		"ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host,Signature=",
		"ACS3-HMAC-SHA256 Credential=testid,Credential=testid,SignedHeaders=host,Signature=00",
		"ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host,Signature=00,Foo=bar",
		"ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host,Signature",
		"ACS3-HMAC-SHA256 Credential=testid,,SignedHeaders=host,Signature=00",
		"ACS3-HMAC-SHA256 credential=testid,SignedHeaders=host,Signature=00",
	};
	struct fixture *f = *state;
	struct api_request r;
	struct err err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v3_build(&r, VEC_TIME, "n-malformed");
		kvlist_add(&r.headers, "authorization", bad[i]);
		err = expect(f, &r, ERR_AUTH_INCOMPLETE);
		assert_string_equal(err.msg, MSG_INCOMPLETE);
		req_release(&r);
	}
	/* Spaces after the commas and another order are accepted. */
	v3_build(&r, VEC_TIME, VEC_NONCE);
	kvlist_add(&r.headers, "authorization",
		   "ACS3-HMAC-SHA256 Signature=8645ffe5170a532a9a7caed3b91fb4e24b6e9859f000b70e"
		   "6b7d6605e32c9492, Credential=testid, SignedHeaders=content-type;host;"
		   "x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;"
		   "x-acs-signature-nonce;x-acs-version");
	expect(f, &r, ERR_OK);
	req_release(&r);
}

static void test_v3_algorithm(void **state)
{
	struct fixture *f = *state;
	struct api_request r;
	struct err err;

	v3_build(&r, VEC_TIME, VEC_NONCE);
	kvlist_add(&r.headers, "authorization", V3_AUTHZ);
	memcpy(r.headers.items[r.headers.len - 1].val, "ACS3-HMAC-SM3   ", 16);
	err = expect(f, &r, ERR_AUTH_SIGNATURE);
	assert_string_equal(err.msg, MSG_SIGNATURE);
	assert_non_null(strstr(err.detail, "ACS3-HMAC-SM3"));
	req_release(&r);
}

static void test_v3_required_headers(void **state)
{
	static const char *const lists[] = {
		/* each lacks one required name */
		"content-type;x-acs-action;x-acs-content-sha256;x-acs-date;"
		"x-acs-signature-nonce;x-acs-version",
		"host;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
		"host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce",
		"host;x-acs-action;x-acs-content-sha256;x-acs-signature-nonce;x-acs-version",
		"host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-version",
		"host;x-acs-action;x-acs-date;x-acs-signature-nonce;x-acs-version",
		/* a prefix is not the name */
		"host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonc;"
		"x-acs-version",
		/* empty names */
		"host;;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
		"x-acs-version",
		"host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
		"x-acs-version;",
	};
	struct fixture *f = *state;
	struct api_request r;

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		v3_build(&r, VEC_TIME, "n-req");
		v3_sign(&r, "testid", "testsecret", lists[i]);
		expect(f, &r, ERR_AUTH_INCOMPLETE);
		req_release(&r);
	}
	/* The minimal list passes. */
	v3_build(&r, VEC_TIME, "n-req");
	v3_sign(&r, "testid", "testsecret",
		"host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;"
		"x-acs-version");
	expect(f, &r, ERR_OK);
	req_release(&r);
}

/* Signed headers whose values are missing, empty or repeated. */
static void test_v3_header_values(void **state)
{
	static const char *const names[] = {
		"x-acs-date", "x-acs-signature-nonce", "x-acs-action", "x-acs-version",
		"x-acs-content-sha256",
	};
	struct fixture *f = *state;
	struct api_request r;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v3_build(&r, VEC_TIME, "n-val");
		kvlist_del(&r.headers, names[i]);
		v3_sign(&r, "testid", "testsecret", V3_SIGNED);
		expect(f, &r, ERR_AUTH_INCOMPLETE);
		kvlist_add(&r.headers, names[i], "  ");
		v3_sign(&r, "testid", "testsecret", V3_SIGNED);
		expect(f, &r, ERR_AUTH_INCOMPLETE);
		req_release(&r);
	}
	v3_build(&r, VEC_TIME, "n-val");
	kvlist_add(&r.headers, "x-acs-signature-nonce", "second");
	v3_sign(&r, "testid", "testsecret", V3_SIGNED);
	expect(f, &r, ERR_AUTH_INCOMPLETE);
	req_release(&r);
}

static void test_v3_content_hash(void **state)
{
	struct fixture *f = *state;
	struct api_request r;
	struct err err;

	/* The body changed after signing: the declared hash no longer fits. */
	v3_build(&r, VEC_TIME, "n-body");
	v3_sign(&r, "testid", "testsecret", V3_SIGNED);
	buf_reset(&r.body);
	buf_puts(&r.body, "Params=%7B%7D");
	err = expect(f, &r, ERR_AUTH_SIGNATURE);
	assert_string_equal(err.msg, MSG_SIGNATURE);
	assert_memory_equal(err.detail, "x-acs-content-sha256 is", 23);
	req_release(&r);
	/* An empty body hashes to the well-known value. */
	v3_build(&r, VEC_TIME, "n-body");
	buf_reset(&r.body);
	kvlist_set(&r.headers, "x-acs-content-sha256", SIGN_EMPTY_SHA256);
	v3_sign(&r, "testid", "testsecret", V3_SIGNED);
	expect(f, &r, ERR_OK);
	req_release(&r);
}

static void test_v3_bad_signature(void **state)
{
	struct fixture *f = *state;
	struct api_request r;
	struct err err;
	char *authz;

	v3_build(&r, VEC_TIME, VEC_NONCE);
	kvlist_add(&r.headers, "authorization", V3_AUTHZ);
	authz = r.headers.items[r.headers.len - 1].val;
	authz[strlen(authz) - 1] = '3';                /* last hex digit */
	err = expect(f, &r, ERR_AUTH_SIGNATURE);
	assert_non_null(strstr(err.detail, "POST\\n/\\nJobType=MIGRATION"));
	authz[strlen(authz) - 1] = '2';
	/* A query changed after signing. */
	kvlist_set(&r.query, "PageSize", "21");
	expect(f, &r, ERR_AUTH_SIGNATURE);
	kvlist_set(&r.query, "PageSize", "20");
	/* A signed header changed after signing. */
	kvlist_set(&r.headers, "x-acs-action", "DeleteDtsJob");
	expect(f, &r, ERR_AUTH_SIGNATURE);
	kvlist_set(&r.headers, "x-acs-action", "DescribeDtsJobs");
	/* Signed with another secret, or with V1's "secret&" key. */
	v3_sign(&r, "testid", "wrongsecret", V3_SIGNED);
	expect(f, &r, ERR_AUTH_SIGNATURE);
	v3_sign(&r, "testid", "testsecret&", V3_SIGNED);
	expect(f, &r, ERR_AUTH_SIGNATURE);
	/* None of these recorded the nonce: the genuine request passes. */
	kvlist_set(&r.headers, "authorization", V3_AUTHZ);
	expect(f, &r, ERR_OK);
	req_release(&r);
}

static void test_v3_unknown_key(void **state)
{
	struct fixture *f = *state;
	struct api_request r;

	v3_build(&r, VEC_TIME, "n-key");
	v3_sign(&r, "nobody", "testsecret", V3_SIGNED);
	expect(f, &r, ERR_AUTH_KEY);
	v3_sign(&r, "otherid", "othersecret", V3_SIGNED);
	expect(f, &r, ERR_OK);
	assert_string_equal(r.access_key_id, "otherid");
	req_release(&r);
}

static void test_v3_time(void **state)
{
	struct fixture *f = *state;
	struct api_request r;

	v3_build(&r, "2024-01-15T08:30:00", "n-time");
	v3_sign(&r, "testid", "testsecret", V3_SIGNED);
	expect(f, &r, ERR_AUTH_TIME_FORMAT);
	req_release(&r);
	v3_build(&r, "2024-01-15T08:14:59Z", "n-time");
	v3_sign(&r, "testid", "testsecret", V3_SIGNED);
	expect(f, &r, ERR_AUTH_TIME_EXPIRED);
	req_release(&r);
	v3_build(&r, "2024-01-15T08:15:00Z", "n-time");
	v3_sign(&r, "testid", "testsecret", V3_SIGNED);
	expect(f, &r, ERR_OK);
	req_release(&r);
}

/* ---- nonce cache ---- */

static void test_nonce_basic(void **state)
{
	struct api_nonce_cache *c = api_nonce_new(10);
	struct err err;

	(void)state;
	assert_int_equal(api_nonce_use(c, "k", "n1", 100, 200, &err), 0);
	assert_int_equal(api_nonce_use(c, "k", "n1", 199, 1099, &err), -1);
	assert_int_equal(err.code, ERR_AUTH_NONCE);
	assert_int_equal(api_nonce_use(c, "k2", "n1", 150, 200, &err), 0);
	/* "k"+"n1" and "kn"+"1" are different pairs. */
	assert_int_equal(api_nonce_use(c, "kn", "1", 150, 200, &err), 0);
	/* Expired: usable again, and remembered anew. */
	assert_int_equal(api_nonce_use(c, "k", "n1", 200, 500, &err), 0);
	assert_int_equal(api_nonce_use(c, "k", "n1", 499, 900, &err), -1);
	api_nonce_free(c);
	api_nonce_free(NULL);
}

static void test_nonce_capacity(void **state)
{
	struct api_nonce_cache *c = api_nonce_new(3);
	struct err err;

	(void)state;
	assert_int_equal(api_nonce_use(c, "k", "a", 0, 50, &err), 0);
	assert_int_equal(api_nonce_use(c, "k", "b", 0, 200, &err), 0);
	assert_int_equal(api_nonce_use(c, "k", "c", 0, 200, &err), 0);
	assert_int_equal(api_nonce_use(c, "k", "d", 10, 300, &err), -1);
	assert_int_equal(err.code, ERR_THROTTLED);
	/* A seen nonce is still reported as such when full. */
	assert_int_equal(api_nonce_use(c, "k", "b", 10, 300, &err), -1);
	assert_int_equal(err.code, ERR_AUTH_NONCE);
	/* Once "a" expired, it is purged to make room. */
	assert_int_equal(api_nonce_use(c, "k", "d", 50, 300, &err), 0);
	assert_int_equal(api_nonce_use(c, "k", "e", 60, 300, &err), -1);
	assert_int_equal(err.code, ERR_THROTTLED);
	assert_int_equal(api_nonce_use(c, "k", "c", 60, 300, &err), -1);
	assert_int_equal(err.code, ERR_AUTH_NONCE);
	/* Everything expired: room for three more. */
	assert_int_equal(api_nonce_use(c, "k", "x", 300, 400, &err), 0);
	assert_int_equal(api_nonce_use(c, "k", "y", 300, 400, &err), 0);
	assert_int_equal(api_nonce_use(c, "k", "z", 300, 400, &err), 0);
	assert_int_equal(api_nonce_use(c, "k", "w", 300, 400, &err), -1);
	api_nonce_free(c);

	c = api_nonce_new(0);
	assert_int_equal(api_nonce_use(c, "k", "a", 0, 50, &err), -1);
	assert_int_equal(err.code, ERR_THROTTLED);
	api_nonce_free(c);
}

static void test_nonce_many(void **state)
{
	struct api_nonce_cache *c = api_nonce_new(5000);
	struct err err;
	char n[32];

	(void)state;
	for (int i = 0; i < 5000; i++) {
		snprintf(n, sizeof(n), "nonce-%d", i);
		assert_int_equal(api_nonce_use(c, "k", n, 0, 100, &err), 0);
	}
	for (int i = 0; i < 5000; i += 7) {
		snprintf(n, sizeof(n), "nonce-%d", i);
		assert_int_equal(api_nonce_use(c, "k", n, 1, 100, &err), -1);
		assert_int_equal(err.code, ERR_AUTH_NONCE);
	}
	api_nonce_free(c);
}

#define NONCE_ROUNDS 5000

static pthread_barrier_t start_line;

struct nonce_thread {
	struct api_nonce_cache *c;
	int id;
	int shared_ok;      /* successes on the nonce every thread tries */
	int own_fail;       /* failures on nonces only this thread uses */
};

static void *nonce_worker(void *arg)
{
	struct nonce_thread *t = arg;
	struct err err;
	char n[32];

	pthread_barrier_wait(&start_line);
	for (int i = 0; i < NONCE_ROUNDS; i++) {
		snprintf(n, sizeof(n), "shared-%d", i);
		if (api_nonce_use(t->c, "k", n, 0, 100, &err) == 0)
			t->shared_ok++;
		snprintf(n, sizeof(n), "own-%d-%d", t->id, i);
		if (api_nonce_use(t->c, "k", n, 0, 100, &err) != 0)
			t->own_fail++;
	}
	return NULL;
}

static void test_nonce_threads(void **state)
{
	struct nonce_thread t[8];
	pthread_t th[8];
	int total = 0;

	(void)state;
	struct api_nonce_cache *c = api_nonce_new(9 * NONCE_ROUNDS);
	pthread_barrier_init(&start_line, NULL, 8);
	for (int i = 0; i < 8; i++) {
		t[i] = (struct nonce_thread){ .c = c, .id = i };
		assert_int_equal(pthread_create(&th[i], NULL, nonce_worker, &t[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		total += t[i].shared_ok;
		assert_int_equal(t[i].own_fail, 0);
	}
	assert_int_equal(total, NONCE_ROUNDS);   /* each shared nonce won exactly once */
	pthread_barrier_destroy(&start_line);
	api_nonce_free(c);
}

/* ---- throttle ---- */

static void test_throttle_bucket(void **state)
{
	struct api_throttle *t = api_throttle_new(1.0, 3);
	struct err err;

	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(api_throttle_take(t, "k", 0, &err), 0);
	assert_int_equal(api_throttle_take(t, "k", 0, &err), -1);
	assert_int_equal(err.code, ERR_THROTTLED);
	assert_string_equal(err.msg, "Request was denied due to user flow control.");
	/* Other keys have their own bucket. */
	assert_int_equal(api_throttle_take(t, "other", 0, &err), 0);
	assert_int_equal(api_throttle_take(t, "k", 999, &err), -1);
	assert_int_equal(api_throttle_take(t, "k", 1000, &err), 0);
	assert_int_equal(api_throttle_take(t, "k", 1000, &err), -1);
	/* A long pause refills at most `burst` tokens. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(api_throttle_take(t, "k", 1000000, &err), 0);
	assert_int_equal(api_throttle_take(t, "k", 1000000, &err), -1);
	/* A clock that goes back earns nothing. */
	assert_int_equal(api_throttle_take(t, "k", 5000, &err), -1);
	api_throttle_free(t);

	t = api_throttle_new(2.0, 1);            /* fractional refill: 500 ms */
	assert_int_equal(api_throttle_take(t, "k", 0, &err), 0);
	assert_int_equal(api_throttle_take(t, "k", 499, &err), -1);
	assert_int_equal(api_throttle_take(t, "k", 500, &err), 0);
	api_throttle_free(t);
	api_throttle_free(NULL);
}

static void test_throttle_disabled(void **state)
{
	struct api_throttle *t = api_throttle_new(0, 1);
	struct err err;

	(void)state;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(api_throttle_take(t, "k", 0, &err), 0);
	api_throttle_free(t);
	assert_int_equal(api_throttle_take(NULL, "k", 0, &err), 0);
}

/* The map is bounded: buckets in use fill it, full buckets are evicted. */
static void test_throttle_bounded(void **state)
{
	struct api_throttle *t = api_throttle_new(1.0, 1);
	struct err err;
	char key[32];

	(void)state;
	for (int i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		assert_int_equal(api_throttle_take(t, key, 0, &err), 0);
	}
	assert_int_equal(api_throttle_take(t, "newcomer", 0, &err), -1);
	assert_int_equal(err.code, ERR_THROTTLED);
	assert_int_equal(api_throttle_take(t, "newcomer", 500, &err), -1);
	/* Known keys keep working meanwhile. */
	assert_int_equal(api_throttle_take(t, "key-7", 999, &err), -1);
	/* After a second every other bucket is full again and can go. */
	assert_int_equal(api_throttle_take(t, "key-7", 1000, &err), 0);
	assert_int_equal(api_throttle_take(t, "newcomer", 1000, &err), 0);
	assert_int_equal(api_throttle_take(t, "newcomer", 1000, &err), -1);
	assert_int_equal(api_throttle_take(t, "key-7", 1000, &err), -1);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "more-%d", i);
		assert_int_equal(api_throttle_take(t, key, 1000, &err), 0);
	}
	api_throttle_free(t);
}

struct throttle_thread {
	struct api_throttle *t;
	int ok;
};

static void *throttle_worker(void *arg)
{
	struct throttle_thread *tt = arg;
	struct err err;

	pthread_barrier_wait(&start_line);
	for (int i = 0; i < 1000; i++)
		if (api_throttle_take(tt->t, "shared", 0, &err) == 0)
			tt->ok++;
	return NULL;
}

static void test_throttle_threads(void **state)
{
	struct throttle_thread tt[8];
	pthread_t th[8];
	int total = 0;

	(void)state;
	struct api_throttle *t = api_throttle_new(0.001, 2500);
	pthread_barrier_init(&start_line, NULL, 8);
	for (int i = 0; i < 8; i++) {
		tt[i] = (struct throttle_thread){ .t = t };
		assert_int_equal(pthread_create(&th[i], NULL, throttle_worker, &tt[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		total += tt[i].ok;
	}
	assert_int_equal(total, 2500);
	pthread_barrier_destroy(&start_line);
	api_throttle_free(t);
}

/* ---- credentials ---- */

static char tmpdir[64];

static int creds_setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/test_auth.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	unsetenv("DTS_ACCESS_KEY_ID");
	unsetenv("DTS_ACCESS_KEY_SECRET");
	return 0;
}

static int creds_teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	(void)state;
	assert_int_equal(system(cmd), 0);
	free(cmd);
	unsetenv("DTS_ACCESS_KEY_ID");
	unsetenv("DTS_ACCESS_KEY_SECRET");
	return 0;
}

/* Writes tmpdir/name with mode; returns the path (caller frees). */
static char *write_file(const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return path;
}

static void test_creds_file(void **state)
{
	char *path = write_file("keys",
				"# opendts keys\n\n  LTAIone   secret-one  # first\r\n"
				"\tid2\tsecret2\n#last line without newline\nid3 s3", 0600);
	struct api_creds *c;
	struct err err;

	(void)state;
	c = api_creds_load(path, NULL, &err);
	assert_non_null(c);
	assert_string_equal(api_creds_secret(c, "LTAIone"), "secret-one");
	assert_string_equal(api_creds_secret(c, "id2"), "secret2");
	assert_string_equal(api_creds_secret(c, "id3"), "s3");
	assert_null(api_creds_secret(c, "LTAIon"));
	assert_null(api_creds_secret(c, "#"));
	api_creds_add(c, "id2", "replaced");
	assert_string_equal(api_creds_secret(c, "id2"), "replaced");
	api_creds_free(c);
	api_creds_free(NULL);
	free(path);
}

static void expect_file_error(const char *text, mode_t mode, enum err_code code,
			      const char *needle)
{
	char *path = write_file("bad", text, mode);
	struct err err;

	err_clear(&err);
	assert_null(api_creds_load(path, NULL, &err));
	assert_string_equal(err_code_name(err.code), err_code_name(code));
	if (!strstr(err.msg, needle) && !strstr(err.detail, needle))
		fail_msg("\"%s\" not in \"%s\" / \"%s\"", needle, err.msg, err.detail);
	assert_null(strstr(err.msg, "S3CR"));         /* no secret echoed */
	assert_null(strstr(err.detail, "S3CR"));
	free(path);
}

static void test_creds_file_errors(void **state)
{
	struct err err;

	(void)state;
	expect_file_error("id S3CR\n", 0640, ERR_INVALID, "chmod 600");
	expect_file_error("id S3CR\n", 0604, ERR_INVALID, "chmod 600");
	expect_file_error("id S3CR\n", 0610, ERR_INVALID, "group or others");
	expect_file_error("id S3CR\nonlyid\n", 0600, ERR_INVALID, "line 2");
	expect_file_error("id S3CR extra\n", 0600, ERR_INVALID, "line 1");
	expect_file_error("id S3CR\nid S3CR2\n", 0600, ERR_INVALID, "twice");
	expect_file_error("# nothing\n\n", 0600, ERR_INVALID, "no key");
	expect_file_error("", 0600, ERR_INVALID, "no key");
	assert_null(api_creds_load("/nonexistent/dtsd/keys", NULL, &err));
	assert_int_equal(err.code, ERR_IO);
	assert_null(api_creds_load(tmpdir, NULL, &err));        /* a directory */
	assert_int_equal(err.code, ERR_INVALID);
}

static void test_creds_precedence(void **state)
{
	char *file = write_file("keys", "fileid filesecret\n", 0600);
	char *dir_file = write_file("credentials", "dirid dirsecret\n", 0600);
	struct api_creds *c;
	struct err err;

	(void)state;
	setenv("DTS_ACCESS_KEY_ID", "envid", 1);
	setenv("DTS_ACCESS_KEY_SECRET", "envsecret", 1);
	c = api_creds_load(file, tmpdir, &err);           /* --credentials wins */
	assert_non_null(c);
	assert_string_equal(api_creds_secret(c, "fileid"), "filesecret");
	assert_null(api_creds_secret(c, "envid"));
	api_creds_free(c);
	c = api_creds_load(NULL, tmpdir, &err);           /* then the environment */
	assert_non_null(c);
	assert_string_equal(api_creds_secret(c, "envid"), "envsecret");
	assert_null(api_creds_secret(c, "dirid"));
	api_creds_free(c);
	unsetenv("DTS_ACCESS_KEY_SECRET");
	assert_null(api_creds_load(NULL, tmpdir, &err));  /* half-set env */
	assert_int_equal(err.code, ERR_INVALID);
	assert_non_null(strstr(err.msg, "DTS_ACCESS_KEY_SECRET"));
	unsetenv("DTS_ACCESS_KEY_ID");
	c = api_creds_load("", tmpdir, &err);             /* then the data dir */
	assert_non_null(c);
	assert_string_equal(api_creds_secret(c, "dirid"), "dirsecret");
	api_creds_free(c);
	assert_null(api_creds_load(NULL, NULL, &err));
	assert_int_equal(err.code, ERR_INVALID);
	free(dir_file);
	free(file);
}

/* Runs api_creds_load with stdout captured into out (size n). */
static struct api_creds *load_capturing(const char *data_dir, char *out, size_t n,
					struct err *err)
{
	char *cap = xasprintf("%s/stdout", tmpdir);
	int saved = dup(1), fd = open(cap, O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct api_creds *c;
	ssize_t got;

	assert_true(saved >= 0 && fd >= 0);
	fflush(stdout);
	dup2(fd, 1);
	c = api_creds_load(NULL, data_dir, err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	got = pread(fd, out, n - 1, 0);
	out[got > 0 ? got : 0] = '\0';
	close(fd);
	free(cap);
	return c;
}

static void test_creds_generate(void **state)
{
	char *dir = xasprintf("%s/new/data", tmpdir), *file = xasprintf("%s/credentials", dir);
	char out[2048], id[64], secret[64];
	struct api_creds *c;
	struct dirent *de;
	struct stat st;
	DIR *dp;
	struct err err;
	FILE *fp;

	(void)state;
	c = load_capturing(dir, out, sizeof(out), &err);
	assert_non_null(c);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* The file holds one "ID SECRET" line after a comment. */
	fp = fopen(file, "r");
	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "#%*[^\n]\n%63s %63s", id, secret), 2);
	fclose(fp);
	assert_int_equal(strlen(id), 24);
	assert_memory_equal(id, "LTAI", 4);
	assert_int_equal(strspn(id + 4, "abcdefghijklmnopqrstuvwxyz0123456789"), 20);
	assert_int_equal(strlen(secret), 30);
	assert_int_equal(strspn(secret, "abcdefghijklmnopqrstuvwxyz0123456789"), 30);
	assert_string_equal(api_creds_secret(c, id), secret);
	/* Nothing else was left behind (the file is written aside, then linked). */
	dp = opendir(dir);
	assert_non_null(dp);
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.')
			assert_string_equal(de->d_name, "credentials");
	closedir(dp);
	/* Printed once, clearly. */
	assert_non_null(strstr(out, id));
	assert_non_null(strstr(out, secret));
	assert_non_null(strstr(out, "AccessKeySecret"));
	api_creds_free(c);
	/* The second start loads the same pair and prints nothing. */
	c = load_capturing(dir, out, sizeof(out), &err);
	assert_non_null(c);
	assert_string_equal(api_creds_secret(c, id), secret);
	assert_string_equal(out, "");
	api_creds_free(c);
	free(file);
	free(dir);
}

static void test_creds_generate_errors(void **state)
{
	char *blocker = write_file("blocker", "x", 0600);
	char *dir = xasprintf("%s/sub", blocker);
	struct err err;

	(void)state;
	/* A file where the data dir should be. */
	assert_null(api_creds_load(NULL, dir, &err));
	assert_int_equal(err.code, ERR_IO);
	free(dir);
	free(blocker);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v1_vectors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_bad_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_tampering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_missing_parts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_method_and_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_nonce_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_time_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_time_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v1_nonce_lifetime, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsigned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_vector, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_action_from_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_malformed_authorization, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_algorithm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_required_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_header_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_content_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_bad_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_unknown_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v3_time, setup, teardown),
		cmocka_unit_test(test_nonce_basic),
		cmocka_unit_test(test_nonce_capacity),
		cmocka_unit_test(test_nonce_many),
		cmocka_unit_test(test_nonce_threads),
		cmocka_unit_test(test_throttle_bucket),
		cmocka_unit_test(test_throttle_disabled),
		cmocka_unit_test(test_throttle_bounded),
		cmocka_unit_test(test_throttle_threads),
		cmocka_unit_test_setup_teardown(test_creds_file, creds_setup, creds_teardown),
		cmocka_unit_test_setup_teardown(test_creds_file_errors, creds_setup, creds_teardown),
		cmocka_unit_test_setup_teardown(test_creds_precedence, creds_setup, creds_teardown),
		cmocka_unit_test_setup_teardown(test_creds_generate, creds_setup, creds_teardown),
		cmocka_unit_test_setup_teardown(test_creds_generate_errors, creds_setup,
						creds_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
