/*
 * auth.c - verifies who sent a request: Signature V1 (HMAC-SHA1 over the
 * merged parameters) or V3 (ACS3-HMAC-SHA256 in the Authorization header),
 * then the request time and the nonce, in the order of PROTOCOL.md sec. 5:
 * detect the version, look up the key, check the signature, the time format
 * and window, and last the nonce, which is recorded only once the signature
 * has verified (so nobody can burn another caller's nonces).
 *
 * Runs on the HTTP thread that owns the request. struct api_auth is shared
 * and read-only; the nonce cache does its own locking. Error messages are the
 * gateway's (sec. 7), because callers match on them; the detail says what to
 * fix and, for a signature mismatch, what the server signed (never a secret).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "sign/sign.h"
#include "util/codec.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define MSG_SIGNATURE   "Specified signature is not matched with our calculation."
#define MSG_INCOMPLETE  "The request signature does not conform to Aliyun standards."
#define MSG_METHOD      "Specified signature method is not valid."
#define MSG_KEY         "Specified access key is not found."
#define MSG_TIME_FORMAT "Specified time stamp or date value is not well formatted."
#define MSG_EXPIRED     "Specified time stamp or date value is expired."

#define AUTH_DEFAULT_WINDOW_S 900
#define AUTH_MAX_NONCE        128              /* bytes of a nonce we remember */
#define AUTH_MAX_CANONICAL    ((size_t)16 << 20)

/* The headers V3 must sign; all but host must also carry a value. */
enum v3_header { H_HOST, H_ACTION, H_VERSION, H_DATE, H_NONCE, H_SHA256, H__COUNT };
static const char *const v3_required[H__COUNT] = {
	[H_HOST] = "host", [H_ACTION] = "x-acs-action", [H_VERSION] = "x-acs-version",
	[H_DATE] = "x-acs-date", [H_NONCE] = "x-acs-signature-nonce",
	[H_SHA256] = "x-acs-content-sha256",
};

/* The parts of "ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..". */
struct v3_authz {
	char *algorithm;
	char *credential;
	char *signed_headers;
	char *signature;
};

/* Sets IncompleteSignature, with the missing or malformed part in detail. */
__attribute__((format(printf, 2, 3)))
static void incomplete(struct err *err, const char *fmt, ...)
{
	va_list ap;

	err_set(err, ERR_AUTH_INCOMPLETE, MSG_INCOMPLETE);
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
}

/* Appends s to out with newlines shown as "\n", for a one-line detail. */
static void put_escaped(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' ? buf_puts(out, "\\n") < 0 : buf_putc(out, *s) < 0)
			return;
	}
}

static int64_t now_s(const struct api_auth *auth)
{
	return auth->now_s_override ? auth->now_s_override : time_now_ms() / 1000;
}

static int window_s(const struct api_auth *auth)
{
	return auth->time_window_s > 0 ? auth->time_window_s : AUTH_DEFAULT_WINDOW_S;
}

/* Time format, window and nonce: the common tail of V1 and V3. */
static int check_time_nonce(const struct api_auth *auth, const char *key_id,
			    const char *when, const char *nonce, struct err *err)
{
	int64_t now = now_s(auth), t, expires;
	int window = window_s(auth);
	char now_txt[TIME_ISO_LEN];
	time_t parsed;

	if (time_parse_iso_z(when, &parsed) < 0) {
		err_set(err, ERR_AUTH_TIME_FORMAT, MSG_TIME_FORMAT);
		err_detail(err, "send the request time in UTC as \"YYYY-MM-DDThh:mm:ssZ\", "
			   "e.g. \"2024-01-15T08:30:00Z\"; got \"%.64s\"", when);
		return -1;
	}
	t = (int64_t)parsed;
	if (t > now + window || t < now - window) {
		err_set(err, ERR_AUTH_TIME_EXPIRED, MSG_EXPIRED);
		err_detail(err, "request time %s differs from the server time %s by %lld s; "
			   "at most %d s are accepted: check the client clock",
			   when, time_iso_z(now_txt, now * 1000),
			   (long long)(t > now ? t - now : now - t), window);
		return -1;
	}
	expires = (t > now ? t : now) + window;
	return api_nonce_use(auth->nonces, key_id, nonce, now, expires, err);
}

/* ---- V1 ---- */

/* The checks that need no key: method, version, required parameters. */
static int v1_check_params(const struct kvlist *p, struct err *err)
{
	static const char *const required[] = {
		"SignatureMethod", "SignatureVersion", "AccessKeyId", "Timestamp",
		"SignatureNonce", NULL
	};
	const char *method = kvlist_get(p, "SignatureMethod");

	if (method && *method && strcmp(method, "HMAC-SHA1") != 0) {
		err_set(err, ERR_AUTH_METHOD, MSG_METHOD);
		err_detail(err, "SignatureMethod must be HMAC-SHA1, not \"%.64s\"", method);
		return -1;
	}
	for (size_t i = 0; required[i]; i++) {
		const char *v = kvlist_get(p, required[i]);
		if (!v || !*v) {
			incomplete(err, "parameter %s is missing", required[i]);
			return -1;
		}
	}
	if (strcmp(kvlist_get(p, "SignatureVersion"), "1.0") != 0) {
		incomplete(err, "SignatureVersion must be 1.0, not \"%.64s\"",
			   kvlist_get(p, "SignatureVersion"));
		return -1;
	}
	if (strlen(kvlist_get(p, "SignatureNonce")) > AUTH_MAX_NONCE) {
		incomplete(err, "SignatureNonce is longer than %d bytes", AUTH_MAX_NONCE);
		return -1;
	}
	return 0;
}

/* Sets a signature-mismatch error whose detail shows the server's
 * StringToSign, as the gateway does. */
static void v1_mismatch(const struct api_request *req, struct err *err)
{
	struct buf sts, detail;

	buf_init(&sts, AUTH_MAX_CANONICAL);
	buf_init(&detail, sizeof(err->detail) - 1);
	sign_v1_string_to_sign(req->method, &req->params, &sts);
	buf_puts(&detail, "check the AccessKeySecret and the encoding of the parameters "
		 "(RFC 3986, sorted by name); server StringToSign: ");
	buf_append(&detail, buf_cstr(&sts),
		   sts.len < detail.max - detail.len ? sts.len : detail.max - detail.len);
	err_set(err, ERR_AUTH_SIGNATURE, MSG_SIGNATURE);
	err_detail(err, "%s", buf_cstr(&detail));
	buf_release(&detail);
	buf_release(&sts);
}

static int verify_v1(const struct api_auth *auth, struct api_request *req,
		     struct err *err)
{
	const struct kvlist *p = &req->params;
	const char *given = kvlist_get(p, "Signature");
	const char *key_id, *secret = NULL;
	char computed[64];

	if (!*given) {
		incomplete(err, "parameter %s is empty", "Signature");
		return -1;
	}
	if (v1_check_params(p, err) < 0)
		return -1;
	key_id = api__creds_find(auth->creds, kvlist_get(p, "AccessKeyId"), &secret);
	if (!key_id) {
		err_set(err, ERR_AUTH_KEY, MSG_KEY);
		err_detail(err, "check the AccessKeyId");
		return -1;
	}
	if (sign_v1(req->method, p, secret, computed) < 0) {
		err_set(err, ERR_TOO_LARGE, "request too large to verify its signature");
		return -1;
	}
	if (!codec_streq_ct(computed, given)) {
		v1_mismatch(req, err);
		return -1;
	}
	if (check_time_nonce(auth, key_id, kvlist_get(p, "Timestamp"),
			     kvlist_get(p, "SignatureNonce"), err) < 0)
		return -1;
	req->access_key_id = key_id;
	return 0;
}

/* ---- V3 ---- */

static void v3_authz_release(struct v3_authz *a)
{
	free(a->algorithm);
	free(a->credential);
	free(a->signed_headers);
	free(a->signature);
}

/* Stores one "Name=value" part of the Authorization header. */
static int v3_authz_part(struct v3_authz *a, const char *s, size_t n, struct err *err)
{
	const char *eq = memchr(s, '=', n);
	size_t nlen = eq ? (size_t)(eq - s) : n;
	char **slot = NULL;

	if (eq && nlen == 10 && strncmp(s, "Credential", 10) == 0)
		slot = &a->credential;
	else if (eq && nlen == 13 && strncmp(s, "SignedHeaders", 13) == 0)
		slot = &a->signed_headers;
	else if (eq && nlen == 9 && strncmp(s, "Signature", 9) == 0)
		slot = &a->signature;
	if (!slot || *slot || eq + 1 == s + n) {
		incomplete(err, "Authorization: unexpected, repeated or empty part \"%.*s\"",
			   (int)(n < 64 ? n : 64), s);
		return -1;
	}
	*slot = xstrndup(eq + 1, n - nlen - 1);
	return 0;
}

/* Parses "ALGORITHM Credential=ID,SignedHeaders=a;b,Signature=HEX". The
 * parts may come in any order, with spaces after the commas. */
static int v3_authz_parse(const char *v, struct v3_authz *a, struct err *err)
{
	const char *sp = strchr(v, ' '), *p;

	if (!sp) {
		incomplete(err, "Authorization must be \"%s Credential=...,SignedHeaders=...,"
			   "Signature=...\"", SIGN_V3_ALGORITHM);
		return -1;
	}
	a->algorithm = xstrndup(v, (size_t)(sp - v));
	for (p = sp; *p; ) {
		const char *end;
		size_t n;
		while (*p == ' ')
			p++;
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		while (n && p[n - 1] == ' ')
			n--;
		if (v3_authz_part(a, p, n, err) < 0)
			return -1;
		p = end ? end + 1 : p + strlen(p);
	}
	if (!a->credential || !a->signed_headers || !a->signature) {
		incomplete(err, "Authorization lacks %s", !a->credential ? "Credential" :
			   !a->signed_headers ? "SignedHeaders" : "Signature");
		return -1;
	}
	return 0;
}

/* True when name is one of the ';'-separated names of list. */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; ; p++) {
		if (strncmp(p, name, n) == 0 && (p[n] == ';' || p[n] == '\0'))
			return true;
		p = strchr(p, ';');
		if (!p)
			return false;
	}
}

/* The received value of a header with surrounding blanks trimmed (new
 * string), or NULL when it is absent, empty or received more than once. */
static char *header_once(const struct kvlist *h, const char *name)
{
	const char *v = NULL;
	size_t n;

	for (size_t i = 0; i < h->len; i++) {
		if (strcmp(h->items[i].key, name) != 0)
			continue;
		if (v)
			return NULL;
		v = h->items[i].val;
	}
	if (!v)
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	return n ? xstrndup(v, n) : NULL;
}

/* Checks SignedHeaders and fetches the values of the required headers
 * (vals[H_*], host excluded) into new strings. */
static int v3_check_headers(const struct api_request *req, const char *signed_headers,
			    char *vals[], struct err *err)
{
	const char *p = signed_headers;

	if (!*p || strstr(p, ";;") || *p == ';' || p[strlen(p) - 1] == ';') {
		incomplete(err, "SignedHeaders has an empty name: \"%.64s\"", p);
		return -1;
	}
	for (size_t i = 0; i < H__COUNT; i++) {
		if (!list_has(signed_headers, v3_required[i])) {
			incomplete(err, "header %s must be signed (listed in SignedHeaders)",
				   v3_required[i]);
			return -1;
		}
		if (i == H_HOST)
			continue;   /* signed as received, even if empty */
		vals[i] = header_once(&req->headers, v3_required[i]);
		if (!vals[i]) {
			incomplete(err, "header %s is missing, empty or repeated", v3_required[i]);
			return -1;
		}
		if (i == H_NONCE && strlen(vals[i]) > AUTH_MAX_NONCE) {
			incomplete(err, "header %s is longer than %d bytes", v3_required[i],
				   AUTH_MAX_NONCE);
			return -1;
		}
	}
	return 0;
}

/* Sets a signature-mismatch error whose detail shows the server's
 * CanonicalRequest on one line. */
static void v3_mismatch(const char *creq, struct err *err)
{
	struct buf detail;

	buf_init(&detail, sizeof(err->detail) - 1);
	buf_puts(&detail, "check the AccessKeySecret and the signed headers and query; "
		 "server CanonicalRequest: ");
	put_escaped(&detail, creq);
	err_set(err, ERR_AUTH_SIGNATURE, MSG_SIGNATURE);
	err_detail(err, "%s", buf_cstr(&detail));
	buf_release(&detail);
}

/* Payload hash and signature; vals as v3_check_headers() filled them. */
static int v3_check_signature(const struct api_request *req, const struct v3_authz *a,
			      const char *secret, char *const vals[], struct err *err)
{
	char payload[65], computed[65];
	struct buf creq;
	int rc = -1;

	buf_init(&creq, AUTH_MAX_CANONICAL);
	codec_sha256_hex(buf_cstr(&req->body), req->body.len, payload);
	if (strcmp(vals[H_SHA256], payload) != 0) {
		err_set(err, ERR_AUTH_SIGNATURE, MSG_SIGNATURE);
		err_detail(err, "x-acs-content-sha256 is \"%.64s\" but the body's SHA-256 is %s",
			   vals[H_SHA256], payload);
		goto cleanup;
	}
	if (sign_v3_canonical_request(req->method, &req->query, &req->headers,
				      a->signed_headers, payload, &creq) < 0) {
		err_set(err, ERR_TOO_LARGE, "request too large to verify its signature");
		goto cleanup;
	}
	sign_v3_signature(secret, buf_cstr(&creq), computed);
	if (!codec_streq_ct(computed, a->signature)) {
		v3_mismatch(buf_cstr(&creq), err);
		goto cleanup;
	}
	rc = 0;
cleanup:
	buf_release(&creq);
	return rc;
}

static int verify_v3(const struct api_auth *auth, struct api_request *req,
		     struct err *err)
{
	struct v3_authz a = { NULL, NULL, NULL, NULL };
	char *vals[H__COUNT] = { NULL };
	const char *key_id, *secret = NULL;
	int rc = -1;

	if (v3_authz_parse(kvlist_get(&req->headers, "authorization"), &a, err) < 0)
		goto cleanup;
	if (strcmp(a.algorithm, SIGN_V3_ALGORITHM) != 0) {
		err_set(err, ERR_AUTH_SIGNATURE, MSG_SIGNATURE);
		err_detail(err, "signature algorithm \"%.64s\" is not supported; use %s",
			   a.algorithm, SIGN_V3_ALGORITHM);
		goto cleanup;
	}
	if (v3_check_headers(req, a.signed_headers, vals, err) < 0)
		goto cleanup;
	key_id = api__creds_find(auth->creds, a.credential, &secret);
	if (!key_id) {
		err_set(err, ERR_AUTH_KEY, MSG_KEY);
		err_detail(err, "check the AccessKeyId");
		goto cleanup;
	}
	if (v3_check_signature(req, &a, secret, vals, err) < 0 ||
	    check_time_nonce(auth, key_id, vals[H_DATE], vals[H_NONCE], err) < 0)
		goto cleanup;
	/* V3 carries Action and Version only in signed headers (sec. 2). */
	kvlist_set(&req->params, "Action", vals[H_ACTION]);
	kvlist_set(&req->params, "Version", vals[H_VERSION]);
	req->access_key_id = key_id;
	rc = 0;
cleanup:
	for (size_t i = 0; i < H__COUNT; i++)
		free(vals[i]);
	v3_authz_release(&a);
	return rc;
}

int api_auth_verify(const struct api_auth *auth, struct api_request *req,
		    struct err *err)
{
	const char *authz = kvlist_get(&req->headers, "authorization");

	if (!auth->creds || !auth->nonces)
		BUG("api_auth_verify without keys or nonce cache");
	req->access_key_id = NULL;
	if (authz && strncmp(authz, "ACS3-", 5) == 0)
		return verify_v3(auth, req, err);
	if (kvlist_get(&req->params, "Signature"))
		return verify_v1(auth, req, err);
	err_set(err, ERR_AUTH_INCOMPLETE, MSG_INCOMPLETE);
	err_detail(err, "sign the request: parameter Signature (V1, HMAC-SHA1) or "
		   "header Authorization: %s ... (V3)", SIGN_V3_ALGORITHM);
	return -1;
}
