/*
 * sign.c - Alibaba Cloud request signatures V1 (HMAC-SHA1) and V3
 * (ACS3-HMAC-SHA256), as ../shared/api/PROTOCOL.md sec. 3-4 specifies them.
 *
 * The server (api/auth.c) recomputes signatures with these functions and the
 * client (client/) creates them, so both sides share one canonicalization.
 * Parameters arrive decoded and are re-encoded here (never raw wire bytes).
 * Pure functions on caller-owned memory; safe from any thread.
 */
#include "sign/sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/codec.h"
#include "util/str.h"
#include "util/xalloc.h"

/* Cap of the internal StringToSign buffer of sign_v1(). Double
 * percent-encoding turns one byte into at most five, and requests are capped
 * far below this (API_MAX_BODY plus the URL). */
#define SIGN_V1_MAX_STS ((size_t)64 << 20)

struct ref {
	const struct kv *kv;
	size_t pos;
};

/* Sorts by key as bytes; equal keys keep their order (stable). */
static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = strcmp(x->kv->key, y->kv->key);

	if (c)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Appends the pairs of params, except those keyed `skip` (NULL: none), sorted
 * and encoded as pct(k)=pct(v) joined by '&'. Shared by V1 and V3. */
static int canonical_pairs(const struct kvlist *params, const char *skip,
			   struct buf *out)
{
	struct ref *refs = xmalloc((params->len ? params->len : 1) * sizeof(*refs));
	size_t n = 0;
	int rc = -1;

	for (size_t i = 0; i < params->len; i++) {
		if (skip && strcmp(params->items[i].key, skip) == 0)
			continue;
		refs[n].kv = &params->items[i];
		refs[n].pos = i;
		n++;
	}
	qsort(refs, n, sizeof(*refs), ref_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct kv *kv = refs[i].kv;
		if ((i && buf_putc(out, '&') < 0) ||
		    str_pct_encode(out, kv->key, strlen(kv->key)) < 0 ||
		    buf_putc(out, '=') < 0 ||
		    str_pct_encode(out, kv->val, strlen(kv->val)) < 0)
			goto cleanup;
	}
	rc = 0;
cleanup:
	free(refs);
	return rc;
}

int sign_v1_canonical(const struct kvlist *params, struct buf *out)
{
	return canonical_pairs(params, "Signature", out);
}

int sign_v1_string_to_sign(const char *method, const struct kvlist *params,
			   struct buf *out)
{
	struct buf canon;
	int rc = -1;

	/* The canonical string is never longer than its own encoding. */
	buf_init(&canon, out->max);
	if (sign_v1_canonical(params, &canon) < 0)
		goto cleanup;
	if (buf_puts(out, method) < 0 || buf_puts(out, "&%2F&") < 0 ||
	    str_pct_encode(out, canon.data ? canon.data : "", canon.len) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	buf_release(&canon);
	return rc;
}

int sign_v1(const char *method, const struct kvlist *params, const char *secret,
	    char out[64])
{
	struct buf sts, key;
	unsigned char mac[20];
	int rc = -1;

	out[0] = '\0';
	buf_init(&sts, SIGN_V1_MAX_STS);
	buf_init(&key, BUF_UNLIMITED);
	if (sign_v1_string_to_sign(method, params, &sts) < 0)
		goto cleanup;
	if (buf_puts(&key, secret) < 0 || buf_putc(&key, '&') < 0)
		goto cleanup;
	codec_hmac_sha1(key.data, key.len, buf_cstr(&sts), sts.len, mac);
	codec_base64(mac, sizeof(mac), out);
	rc = 0;
cleanup:
	/* The key buffer holds the secret: wipe it before freeing. */
	if (key.data)
		memset(key.data, 0, key.cap);
	buf_release(&key);
	buf_release(&sts);
	return rc;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends "name:value\n" for one signed header. Values of a header that was
 * received more than once are trimmed, sorted and joined with ','. */
static int canonical_header(const struct kvlist *headers, const char *name,
			    size_t nlen, struct buf *out)
{
	char **vals = xmalloc((headers->len ? headers->len : 1) * sizeof(*vals));
	size_t n = 0;
	int rc = -1;

	for (size_t i = 0; i < headers->len; i++) {
		const char *k = headers->items[i].key, *v = headers->items[i].val;
		size_t vlen = strlen(v);
		if (strlen(k) != nlen || strncasecmp(k, name, nlen) != 0)
			continue;
		trim(&v, &vlen);
		vals[n++] = xstrndup(v, vlen);
	}
	qsort(vals, n, sizeof(*vals), cmp_str);
	if (buf_append(out, name, nlen) < 0 || buf_putc(out, ':') < 0)
		goto cleanup;
	for (size_t i = 0; i < n; i++)
		if ((i && buf_putc(out, ',') < 0) || buf_puts(out, vals[i]) < 0)
			goto cleanup;
	if (buf_putc(out, '\n') < 0)
		goto cleanup;
	rc = 0;
cleanup:
	for (size_t i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
	return rc;
}

/* Appends one canonical header line per name of the SignedHeaders list, in
 * the list's order. The list is taken as given: the client sorted and
 * lower-cased it. An empty list signs no header; an empty name (";;")
 * matches no header and is signed with an empty value. */
static int canonical_headers(const struct kvlist *headers, const char *list,
			     struct buf *out)
{
	const char *p = list;

	if (!*list)
		return 0;
	for (;;) {
		const char *semi = strchr(p, ';');
		size_t nlen = semi ? (size_t)(semi - p) : strlen(p);
		if (canonical_header(headers, p, nlen, out) < 0)
			return -1;
		if (!semi)
			return 0;
		p = semi + 1;
	}
}

int sign_v3_canonical_request(const char *method, const struct kvlist *query,
			      const struct kvlist *headers, const char *signed_headers,
			      const char *payload_hash, struct buf *out)
{
	if (buf_puts(out, method) < 0 || buf_puts(out, "\n/\n") < 0 ||
	    canonical_pairs(query, NULL, out) < 0 || buf_putc(out, '\n') < 0 ||
	    canonical_headers(headers, signed_headers, out) < 0 ||
	    buf_putc(out, '\n') < 0 || buf_puts(out, signed_headers) < 0 ||
	    buf_putc(out, '\n') < 0 || buf_puts(out, payload_hash) < 0)
		return -1;
	return 0;
}

void sign_v3_signature(const char *secret, const char *canonical_request,
		       char out[65])
{
	char sts[sizeof(SIGN_V3_ALGORITHM) + 65];
	char hash[65];
	unsigned char mac[32];

	codec_sha256_hex(canonical_request, strlen(canonical_request), hash);
	snprintf(sts, sizeof(sts), "%s\n%s", SIGN_V3_ALGORITHM, hash);
	codec_hmac_sha256(secret, strlen(secret), sts, strlen(sts), mac);
	str_hex(out, mac, sizeof(mac));
}
