/*
 * fuzz_params.c - libFuzzer target for the query/form decoder of api/params.c.
 *
 * One input is used three ways:
 *   1. api_parse_pairs() on all its bytes (NULs included), as the query;
 *   2. api_parse_pairs() on the same bytes as a form body;
 *   3. api_parse_request() on a request built from the input split at '\n':
 *      the raw query (cut at a NUL, as a C string from the HTTP layer is),
 *      then the Content-Type header value (not sent when empty), then the
 *      body (the rest, verbatim). Without a '\n' the input is the query.
 * Besides crashes, leaks and UB, it checks what params.c promises: decoded
 * keys are non-empty, within API_MAX_KEY_LEN, and every key and value is
 * UTF-8 without NUL; at most API_MAX_PARAMS pairs; an error carries a code
 * of ERR_INVALID/ERR_TOO_LARGE and names a parameter; the merged list has
 * no repeated key, holds every query key and, when the Content-Type is the
 * form type, every body pair, with the body winning over the query.
 *
 * Single-threaded; every list is freed before returning.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/internal.h"
#include "fuzz.h"
#include "util/str.h"
#include "util/xalloc.h"

static void check_list(const struct kvlist *l)
{
	FUZZ_CHECK(l->len <= API_MAX_PARAMS, "%zu pairs", l->len);
	for (size_t i = 0; i < l->len; i++) {
		size_t kl = strlen(l->items[i].key), vl = strlen(l->items[i].val);
		FUZZ_CHECK(kl > 0 && kl <= API_MAX_KEY_LEN, "key length %zu", kl);
		FUZZ_CHECK(vl <= API_MAX_VALUE_LEN, "value length %zu", vl);
		FUZZ_CHECK(str_utf8_valid(l->items[i].key, kl), "key not UTF-8");
		FUZZ_CHECK(str_utf8_valid(l->items[i].val, vl), "value not UTF-8");
	}
}

static void check_err(int rc, const struct err *err)
{
	if (rc == 0)
		return;
	FUZZ_CHECK(rc == -1, "rc %d", rc);
	FUZZ_CHECK(err->code == ERR_INVALID || err->code == ERR_TOO_LARGE,
		   "code %s", err_code_name(err->code));
	FUZZ_CHECK(err->param[0] != '\0', "no param for \"%s\"", err->msg);
	FUZZ_CHECK(err->msg[0] != '\0', "empty message");
}

static void fuzz_pairs(const uint8_t *data, size_t size, const char *where)
{
	struct kvlist l;
	struct err err;
	int rc;

	kvlist_init(&l);
	err_clear(&err);
	rc = api_parse_pairs((const char *)data, size, where, &l, &err);
	check_err(rc, &err);
	if (rc == 0)
		check_list(&l);
	kvlist_release(&l);
}

/* The oracle's own reading of PROTOCOL.md sec. 2 rule 1: the body is
 * decoded when the media type is application/x-www-form-urlencoded (any
 * case, leading blanks, any parameters after ';' or a blank). */
static bool form_body(const char *ctype)
{
	static const char form[] = "application/x-www-form-urlencoded";
	size_t n = sizeof(form) - 1;

	if (!ctype)
		return false;
	ctype += strspn(ctype, " \t");
	if (strncasecmp(ctype, form, n) != 0)
		return false;
	return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ' || ctype[n] == '\t';
}

/* After a successful api_parse_request: one entry per key, every query
 * and body key present, and the body's value wins. */
static void check_merged(const struct api_request *req)
{
	const struct kvlist *p = &req->params;
	struct kvlist body;
	struct err err;

	check_list(&req->query);
	check_list(p);
	for (size_t i = 1; i < p->len; i++)
		for (size_t j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(p->items[i].key, p->items[j].key) != 0,
				   "key \"%s\" twice in params", p->items[i].key);
	kvlist_init(&body);
	if (!form_body(kvlist_get(&req->headers, "content-type")))
		FUZZ_CHECK(p->len == req->query.len, "a body that is not a form was decoded");
	else if (req->body.len > 0)
		FUZZ_CHECK(api_parse_pairs(buf_cstr(&req->body), req->body.len, "body",
					   &body, &err) == 0, "body parsed once, not twice");
	for (size_t i = 0; i < body.len; i++) {
		const char *v = kvlist_get(p, body.items[i].key);
		FUZZ_CHECK(v && strcmp(v, body.items[i].val) == 0,
			   "body value of \"%s\" lost", body.items[i].key);
	}
	for (size_t i = 0; i < req->query.len; i++) {
		const char *v = kvlist_get(p, req->query.items[i].key);
		FUZZ_CHECK(v != NULL, "query key \"%s\" lost", req->query.items[i].key);
		if (!kvlist_get(&body, req->query.items[i].key))
			FUZZ_CHECK(strcmp(v, req->query.items[i].val) == 0,
				   "query value of \"%s\" changed", req->query.items[i].key);
	}
	kvlist_release(&body);
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size), *nl2 = NULL;
	size_t qlen = nl ? (size_t)(nl - data) : size, off;
	struct api_request req;
	struct err err;
	char *ctype;
	int rc;

	api_request_init(&req);
	req.method = "POST";
	free(req.raw_query);
	req.raw_query = xstrndup((const char *)data, qlen);   /* stops at a NUL */
	if (nl) {
		off = qlen + 1;
		nl2 = memchr(data + off, '\n', size - off);
		ctype = xstrndup((const char *)data + off,
				 nl2 ? (size_t)(nl2 - data) - off : size - off);
		if (*ctype)
			kvlist_add(&req.headers, "content-type", ctype);
		free(ctype);
	}
	if (nl2) {
		off = (size_t)(nl2 - data) + 1;
		if (buf_append(&req.body, data + off, size - off) < 0)
			req.body_too_large = true;
	}
	err_clear(&err);
	rc = api_parse_request(&req, &err);
	check_err(rc, &err);
	if (rc == 0)
		check_merged(&req);
	api_request_release(&req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pairs(data, size, "query");
	fuzz_pairs(data, size, "body");
	fuzz_request(data, size);
	return 0;
}
