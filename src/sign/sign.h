/*
 * sign.h - Alibaba Cloud request signatures, shared by the server (api/ auth
 * verifies) and the client (client/ signs). ../shared/api/PROTOCOL.md sec. 3-4
 * is the specification, with test vectors (tests/unit/test_sign.c).
 *
 * Pure functions, thread-safe. Parameters are *decoded* key/value pairs; the
 * functions re-encode them canonically (never sign raw wire bytes).
 */
#ifndef OPENDTS_SIGN_SIGN_H
#define OPENDTS_SIGN_SIGN_H

#include <stddef.h>

#include "util/buf.h"
#include "util/kv.h"

#define SIGN_V3_ALGORITHM "ACS3-HMAC-SHA256"
#define SIGN_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* V1: CanonicalizedQueryString of every pair except "Signature", sorted by
 * key as bytes, each pct(k)=pct(v), joined with '&'. -1 if out's cap is hit. */
int sign_v1_canonical(const struct kvlist *params, struct buf *out);
/* V1: StringToSign = METHOD "&%2F&" pct(canonical). */
int sign_v1_string_to_sign(const char *method, const struct kvlist *params,
			   struct buf *out);
/* V1: base64(HMAC-SHA1(secret + "&", StringToSign)) into out (29 bytes is
 * enough; 64 given for safety). Returns 0, or -1 on a cap overflow. */
int sign_v1(const char *method, const struct kvlist *params, const char *secret,
	    char out[64]);

/* V3 canonical request. `query` is the decoded URL query only; `headers`
 * holds the received headers (any case); `signed_headers` is the
 * SignedHeaders value ("a;b;c", lower case, in the order to sign);
 * `payload_hash` the lower-hex SHA-256 of the raw body. A header named in
 * signed_headers but absent is signed with an empty value. */
int sign_v3_canonical_request(const char *method, const struct kvlist *query,
			      const struct kvlist *headers, const char *signed_headers,
			      const char *payload_hash, struct buf *out);
/* V3: lowerhex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + lowerhex(SHA256(creq)))). */
void sign_v3_signature(const char *secret, const char *canonical_request,
		       char out[65]);

#endif
