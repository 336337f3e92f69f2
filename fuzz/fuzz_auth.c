/*
 * fuzz_auth.c - libFuzzer target for request authentication (api/auth.c:
 * Signature V1 and V3, the Authorization header parser, time and nonce).
 *
 * Input layout: byte 0 holds flags (below); the rest is split at '\n' into
 *   0 raw query            1 Authorization value   2 x-acs-action
 *   3 x-acs-version        4 x-acs-date            5 x-acs-signature-nonce
 *   6 x-acs-content-sha256 7 host                  8 body (the rest, verbatim)
 * A header field that is empty is not sent; a field is cut at a NUL (the
 * HTTP layer hands over C strings). Flags:
 *   0x01 POST (else GET)          0x02 form Content-Type header
 *   0x04 V3 self-signed: field 1 is the SignedHeaders list; the harness
 *        fills an empty x-acs-content-sha256 with the body's hash and signs
 *        the request with the known key, as a client would
 *   0x08 V1 self-signed: the harness adds the right Signature parameter
 *   0x10 send x-acs-date and x-acs-signature-nonce twice
 *   0x20 verify the same request twice (the second must be a replay)
 * Self-signing lets the fuzzer get past the HMAC into the time and nonce
 * checks, which otherwise no random input reaches.
 *
 * As in dispatch.c, the request goes through api_parse_request() first and
 * is verified only if that succeeds. The key is a "fuzzid" pair loaded by
 * api_creds_load() from a temporary file at start-up; a fresh nonce cache is
 * made for every input, so runs are reproducible. The key of the protocol
 * test vectors ("testid") is added with api_creds_add(), so the vectors in
 * the seeds verify as they are. Checked: a failure leaves
 * access_key_id NULL and sets an ERR_AUTH_* (or ERR_TOO_LARGE/THROTTLED)
 * code, no message shows the secret, a success names the key, and a
 * verified request sent again is refused as a replay.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/internal.h"
#include "fuzz.h"
#include "sign/sign.h"
#include "util/codec.h"
#include "util/xalloc.h"

#define KEY_ID  "fuzzid"
#define SECRET  "fuzz-secret-4e1b9c07d2a85f36"
#define VEC_ID  "testid"              /* the PROTOCOL.md test vectors' key */
#define VEC_SECRET "testsecret"
#define NOW_S   1705307400            /* 2024-01-15T08:30:00Z, as in the seeds */
#define NFIELDS 9

enum { F_QUERY, F_AUTHZ, F_ACTION, F_VERSION, F_DATE, F_NONCE, F_SHA256, F_HOST, F_BODY };
static const char *const field_header[NFIELDS] = {
	[F_AUTHZ] = "authorization", [F_ACTION] = "x-acs-action",
	[F_VERSION] = "x-acs-version", [F_DATE] = "x-acs-date",
	[F_NONCE] = "x-acs-signature-nonce", [F_SHA256] = "x-acs-content-sha256",
	[F_HOST] = "host",
};

struct field {
	const char *p;
	size_t n;
};

static struct api_creds *creds;
static bool trace;               /* FUZZ_AUTH_TRACE=1: print each outcome */

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[] = "/tmp/opendts-fuzz-creds.XXXXXX";
	static const char text[] = "# fuzz key\n" KEY_ID " " SECRET "\n";
	struct err err;
	int fd = mkstemp(path);

	(void)argc;
	(void)argv;
	trace = getenv("FUZZ_AUTH_TRACE") != NULL;
	FUZZ_CHECK(fd >= 0, "cannot create %s", path);
	FUZZ_CHECK(fchmod(fd, 0600) == 0 &&
		   write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1),
		   "cannot write %s", path);
	close(fd);
	creds = api_creds_load(path, NULL, &err);
	unlink(path);
	FUZZ_CHECK(creds != NULL, "api_creds_load: %s", err.msg);
	FUZZ_CHECK(api_creds_secret(creds, KEY_ID) != NULL, "key not loaded");
	api_creds_add(creds, VEC_ID, VEC_SECRET);
	return 0;
}

/* Splits data into NFIELDS fields at '\n'; the last takes the rest. */
static void split(const uint8_t *data, size_t size, struct field f[NFIELDS])
{
	size_t i = 0;

	for (size_t k = 0; k < NFIELDS; k++) {
		const uint8_t *nl = k + 1 < NFIELDS ? memchr(data + i, '\n', size - i) : NULL;
		size_t end = nl ? (size_t)(nl - data) : size;
		f[k].p = (const char *)data + i;
		f[k].n = end - i;
		i = nl ? end + 1 : size;
	}
}

static void add_header(struct api_request *req, const char *name, const struct field *f)
{
	char *v = xstrndup(f->p, f->n);

	if (*v)
		kvlist_add(&req->headers, name, v);
	free(v);
}

static void build(struct api_request *req, unsigned flags, const struct field f[NFIELDS])
{
	api_request_init(req);
	req->method = flags & 0x01 ? "POST" : "GET";
	free(req->raw_query);
	req->raw_query = xstrndup(f[F_QUERY].p, f[F_QUERY].n);
	for (size_t k = F_AUTHZ; k <= F_HOST; k++) {
		if (k == F_AUTHZ && (flags & 0x04))
			continue;             /* written by sign_v3() */
		add_header(req, field_header[k], &f[k]);
	}
	if (flags & 0x10) {
		add_header(req, "x-acs-date", &f[F_DATE]);
		add_header(req, "x-acs-signature-nonce", &f[F_NONCE]);
	}
	/* Sent by openapi-client (PROTOCOL.md sec. 2), signed in the V3 vector. */
	kvlist_add(&req->headers, "user-agent", "AlibabaCloud (fuzz) Node.js");
	kvlist_add(&req->headers, "x-acs-credentials-provider", "static_ak");
	if (flags & 0x02)
		kvlist_add(&req->headers, "content-type", "application/x-www-form-urlencoded");
	if (buf_append(&req->body, f[F_BODY].p, f[F_BODY].n) < 0)
		req->body_too_large = true;
}

/* Signs req as openapi-client does, SignedHeaders taken from the input. */
static void sign_v3(struct api_request *req, const struct field *signed_field)
{
	char hash[65], sig[65], *list = xstrndup(signed_field->p, signed_field->n), *authz;
	struct buf creq;

	codec_sha256_hex(buf_cstr(&req->body), req->body.len, hash);
	if (!kvlist_get(&req->headers, "x-acs-content-sha256"))
		kvlist_add(&req->headers, "x-acs-content-sha256", hash);
	buf_init(&creq, BUF_UNLIMITED);
	if (sign_v3_canonical_request(req->method, &req->query, &req->headers, list,
				      hash, &creq) == 0) {
		sign_v3_signature(SECRET, buf_cstr(&creq), sig);
		authz = xasprintf("%s Credential=%s,SignedHeaders=%s,Signature=%s",
				  SIGN_V3_ALGORITHM, KEY_ID, list, sig);
		kvlist_add(&req->headers, "authorization", authz);
		free(authz);
	}
	buf_release(&creq);
	free(list);
}

static void sign_v1_params(struct api_request *req)
{
	char sig[64];

	if (sign_v1(req->method, &req->params, SECRET, sig) == 0)
		kvlist_set(&req->params, "Signature", sig);
}

static bool is_auth_error(enum err_code c)
{
	return (c >= ERR_AUTH_SIGNATURE && c <= ERR_AUTH_NONCE) || c == ERR_TOO_LARGE ||
	       c == ERR_THROTTLED;
}

static bool contains(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(p + i, s, n) == 0)
			return true;
	return false;
}

static bool list_contains(const struct kvlist *l, const char *s)
{
	for (size_t i = 0; i < l->len; i++)
		if (strstr(l->items[i].key, s) || strstr(l->items[i].val, s))
			return true;
	return false;
}

/* A secret in a message is a leak unless the request itself carried it, raw
 * or decoded (libFuzzer learns the harness's own strstr() arguments, so it
 * does send them). */
static void check_no_secret(const struct err *err, const char *secret,
			    const struct api_request *req, const struct field *in)
{
	if (!strstr(err->msg, secret) && !strstr(err->detail, secret))
		return;
	FUZZ_CHECK(contains(in->p, in->n, secret) || list_contains(&req->params, secret) ||
		   list_contains(&req->headers, secret),
		   "secret in \"%s\" / \"%s\"", err->msg, err->detail);
}

/* Verifies once and checks the outcome; returns api_auth_verify's rc. */
static int verify(const struct api_auth *auth, struct api_request *req,
		  const struct field *in, struct err *err)
{
	int rc;

	err_clear(err);
	rc = api_auth_verify(auth, req, err);
	if (trace)
		fprintf(stderr, "auth: %s %s (%s)\n", rc == 0 ? "ok" : err_code_name(err->code),
			err->msg, err->detail);
	check_no_secret(err, SECRET, req, in);
	check_no_secret(err, VEC_SECRET, req, in);
	if (rc == 0) {
		FUZZ_CHECK(req->access_key_id && (strcmp(req->access_key_id, KEY_ID) == 0 ||
						  strcmp(req->access_key_id, VEC_ID) == 0),
			   "success without a key id");
		return 0;
	}
	FUZZ_CHECK(rc == -1, "rc %d", rc);
	FUZZ_CHECK(req->access_key_id == NULL, "failure with a key id");
	FUZZ_CHECK(is_auth_error(err->code), "code %s: %s", err_code_name(err->code),
		   err->msg);
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_auth auth = { 0 };
	struct field f[NFIELDS], in;
	struct api_request req;
	struct err err;
	unsigned flags;

	if (size < 1)
		return 0;
	flags = data[0];
	in.p = (const char *)data;
	in.n = size;
	split(data + 1, size - 1, f);
	build(&req, flags, f);
	auth.creds = creds;
	auth.nonces = api_nonce_new(8);
	auth.time_window_s = 900;
	auth.now_s_override = NOW_S;
	if (api_parse_request(&req, &err) < 0) {
		if (trace)
			fprintf(stderr, "parse: %s\n", err.msg);
		goto cleanup;
	}
	if (flags & 0x04)
		sign_v3(&req, &f[F_AUTHZ]);
	if (flags & 0x08)
		sign_v1_params(&req);
	if (verify(&auth, &req, &in, &err) == 0 && (flags & 0x20)) {
		FUZZ_CHECK(verify(&auth, &req, &in, &err) == -1 && err.code == ERR_AUTH_NONCE,
			   "replay accepted or refused as %s", err_code_name(err.code));
	}
cleanup:
	api_nonce_free(auth.nonces);
	api_request_release(&req);
	return 0;
}
