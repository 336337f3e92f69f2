/*
 * params.c - decodes the URL query and the form body of one request into
 * key/value pairs and merges them (PROTOCOL.md sec. 2): '+' is a space, %XX
 * one byte, the result must be UTF-8 without NUL bytes, a pair without '='
 * has an empty value, and the body wins over the query.
 *
 * Every byte here comes from outside, so the limits of internal.h (API_MAX_*)
 * are enforced before anything grows. Runs on the HTTP thread that owns the
 * request; the lists it fills belong to that request.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/internal.h"
#include "util/str.h"

#define FORM_TYPE "application/x-www-form-urlencoded"

/* Decodes one key or value. Returns the new string (caller frees) with its
 * length in *len, or NULL with err set. `key` is the decoded key when
 * decoding a value (the parameter to name), NULL when decoding the key. */
static char *decode_part(const char *s, size_t n, size_t max, const char *key,
			 const char *where, size_t *len, struct err *err)
{
	const char *param = key ? key : where;
	const char *what = key ? "value of parameter" : "parameter name in";
	const char *name = key ? key : where;
	char *out = str_pct_decode(s, n, true, len);

	if (!out) {
		err_param(err, ERR_INVALID, param, "%s \"%s\" has a malformed %%-escape",
			  what, name);
		err_detail(err, "'%%' must be followed by two hex digits; send a literal '%%' as %%25");
		return NULL;
	}
	if (*len > max) {
		err_param(err, ERR_TOO_LARGE, param, "%s \"%s\" is too long (%zu bytes, at most %zu)",
			  what, name, *len, max);
		goto fail;
	}
	if (memchr(out, '\0', *len)) {
		err_param(err, ERR_INVALID, param, "%s \"%s\" contains a NUL byte", what, name);
		goto fail;
	}
	if (!str_utf8_valid(out, *len)) {
		err_param(err, ERR_INVALID, param, "%s \"%s\" is not valid UTF-8", what, name);
		err_detail(err, "percent-encode text as UTF-8 bytes");
		goto fail;
	}
	return out;
fail:
	free(out);
	return NULL;
}

/* Decodes one "k=v" (or "k") pair and appends it to out. */
static int parse_pair(const char *s, size_t n, const char *where,
		      struct kvlist *out, struct err *err)
{
	const char *eq = memchr(s, '=', n);
	size_t klen_raw = eq ? (size_t)(eq - s) : n;
	char *key = NULL, *val = NULL;
	size_t klen, vlen = 0;
	int rc = -1;

	key = decode_part(s, klen_raw, API_MAX_KEY_LEN, NULL, where, &klen, err);
	if (!key)
		goto cleanup;
	if (klen == 0) {
		err_param(err, ERR_INVALID, where, "parameter with an empty name in %s", where);
		goto cleanup;
	}
	if (eq) {
		val = decode_part(eq + 1, n - klen_raw - 1, API_MAX_VALUE_LEN, key,
				  where, &vlen, err);
		if (!val)
			goto cleanup;
	}
	kvlist_addn(out, key, klen, val ? val : "", vlen);
	rc = 0;
cleanup:
	free(val);
	free(key);
	return rc;
}

int api_parse_pairs(const char *s, size_t n, const char *where,
		    struct kvlist *out, struct err *err)
{
	size_t i = 0, count = 0;

	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t end = amp ? (size_t)(amp - s) : n;

		if (end > i) {
			if (++count > API_MAX_PARAMS) {
				err_param(err, ERR_INVALID, where,
					  "too many parameters in %s (at most %d)",
					  where, API_MAX_PARAMS);
				return -1;
			}
			if (parse_pair(s + i, end - i, where, out, err) < 0)
				return -1;
		}
		i = end + 1;
	}
	return 0;
}

/* Clients never send a key twice within one source (sec. 2); a repeated key
 * is ambiguous (which one was signed?), so it is refused. The lists are
 * bounded by API_MAX_PARAMS, so the quadratic scan stays small. */
static int check_unique(const struct kvlist *l, const char *where, struct err *err)
{
	for (size_t i = 1; i < l->len; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(l->items[i].key, l->items[j].key) != 0)
				continue;
			err_param(err, ERR_INVALID, l->items[i].key,
				  "parameter \"%s\" appears more than once in %s",
				  l->items[i].key, where);
			err_detail(err, "send each parameter once");
			return -1;
		}
	}
	return 0;
}

/* True for "application/x-www-form-urlencoded", with any parameters
 * ("; charset=UTF-8") and in any case (media types are case-insensitive). */
static bool is_form(const char *ctype)
{
	size_t n = strlen(FORM_TYPE);

	if (!ctype)
		return false;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	if (strncasecmp(ctype, FORM_TYPE, n) != 0)
		return false;
	ctype += n;
	return *ctype == '\0' || *ctype == ';' || *ctype == ' ' || *ctype == '\t';
}

int api_parse_request(struct api_request *req, struct err *err)
{
	const char *q = req->raw_query ? req->raw_query : "";
	struct kvlist body;
	int rc = -1;

	kvlist_init(&body);
	if (req->body_too_large) {
		err_param(err, ERR_TOO_LARGE, "body", "request body is larger than %d bytes",
			  API_MAX_BODY);
		goto cleanup;
	}
	if (api_parse_pairs(q, strlen(q), "query", &req->query, err) < 0 ||
	    check_unique(&req->query, "query", err) < 0)
		goto cleanup;
	if (is_form(kvlist_get(&req->headers, "content-type")) &&
	    (api_parse_pairs(buf_cstr(&req->body), req->body.len, "body", &body, err) < 0 ||
	     check_unique(&body, "body", err) < 0))
		goto cleanup;
	if (req->query.len + body.len > API_MAX_PARAMS) {
		err_param(err, ERR_INVALID, "body",
			  "too many parameters in query and body (%zu, at most %d)",
			  req->query.len + body.len, API_MAX_PARAMS);
		goto cleanup;
	}
	for (size_t i = 0; i < req->query.len; i++)
		kvlist_add(&req->params, req->query.items[i].key, req->query.items[i].val);
	for (size_t i = 0; i < body.len; i++)
		kvlist_set(&req->params, body.items[i].key, body.items[i].val);
	rc = 0;
cleanup:
	kvlist_release(&body);
	return rc;
}
