/*
 * test_params.c - query and form-body decoding and merging (api/params.c,
 * PROTOCOL.md sec. 2): form rules, limits, UTF-8, duplicates, body wins.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/internal.h"
#include "sign/sign.h"
#include "util/xalloc.h"

static void req_init(struct api_request *r, const char *method, const char *query,
		     const char *ctype, const char *body)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->raw_query = query ? xstrdup(query) : NULL;
	kvlist_init(&r->headers);
	kvlist_init(&r->query);
	kvlist_init(&r->params);
	buf_init(&r->body, API_MAX_BODY);
	if (ctype)
		kvlist_add(&r->headers, "content-type", ctype);
	if (body)
		assert_int_equal(buf_puts(&r->body, body), 0);
}

static void req_release(struct api_request *r)
{
	free(r->raw_query);
	kvlist_release(&r->headers);
	kvlist_release(&r->query);
	kvlist_release(&r->params);
	buf_release(&r->body);
}

/* Parses s and expects failure with code and param. */
static void expect_fail(const char *s, enum err_code code, const char *param)
{
	struct kvlist l;
	struct err err;

	kvlist_init(&l);
	err_clear(&err);
	assert_int_equal(api_parse_pairs(s, strlen(s), "query", &l, &err), -1);
	assert_string_equal(err_code_name(err.code), err_code_name(code));
	assert_string_equal(err.param, param);
	assert_true(err.msg[0] != '\0');
	kvlist_release(&l);
}

static void test_form_rules(void **state)
{
	const char s[] = "a=1+2&b=%2B%20x&&c&d=&e=x=y&f=%C3%A9&&";
	struct kvlist l;
	struct err err;

	(void)state;
	kvlist_init(&l);
	assert_int_equal(api_parse_pairs(s, strlen(s), "query", &l, &err), 0);
	assert_int_equal(l.len, 6);
	assert_string_equal(kvlist_get(&l, "a"), "1 2");      /* '+' is a space */
	assert_string_equal(kvlist_get(&l, "b"), "+ x");
	assert_string_equal(kvlist_get(&l, "c"), "");         /* no '=' */
	assert_string_equal(kvlist_get(&l, "d"), "");
	assert_string_equal(kvlist_get(&l, "e"), "x=y");      /* first '=' splits */
	assert_string_equal(kvlist_get(&l, "f"), "\xc3\xa9");
	assert_string_equal(l.items[0].key, "a");             /* wire order kept */
	kvlist_release(&l);

	kvlist_init(&l);
	assert_int_equal(api_parse_pairs("", 0, "query", &l, &err), 0);
	assert_int_equal(api_parse_pairs("&&&", 3, "query", &l, &err), 0);
	assert_int_equal(l.len, 0);
	/* Length, not NUL, ends the input. */
	assert_int_equal(api_parse_pairs("k=v&x=y", 3, "query", &l, &err), 0);
	assert_int_equal(l.len, 1);
	assert_string_equal(kvlist_get(&l, "k"), "v");
	kvlist_release(&l);
}

static void test_bad_escapes(void **state)
{
	(void)state;
	expect_fail("a=%zz", ERR_INVALID, "a");
	expect_fail("a=%4", ERR_INVALID, "a");
	expect_fail("ok=1&a=abc%", ERR_INVALID, "a");
	expect_fail("a%G0=1", ERR_INVALID, "query");
	expect_fail("%=1", ERR_INVALID, "query");
}

static void test_bad_bytes(void **state)
{
	(void)state;
	expect_fail("a=%FF", ERR_INVALID, "a");                 /* not UTF-8 */
	expect_fail("a=%C0%AF", ERR_INVALID, "a");              /* overlong '/' */
	expect_fail("a=%ED%A0%80", ERR_INVALID, "a");           /* surrogate */
	expect_fail("a=%E2%82", ERR_INVALID, "a");              /* truncated */
	expect_fail("a=x\xff", ERR_INVALID, "a");               /* raw byte */
	expect_fail("a=x%00y", ERR_INVALID, "a");               /* NUL */
	expect_fail("a%00b=1", ERR_INVALID, "query");
	expect_fail("%FE=1", ERR_INVALID, "query");
	expect_fail("=1", ERR_INVALID, "query");                /* empty name */
}

static void test_nul_in_raw_input(void **state)
{
	const char s[] = "a=x\0y";
	struct kvlist l;
	struct err err;

	(void)state;
	kvlist_init(&l);
	assert_int_equal(api_parse_pairs(s, sizeof(s) - 1, "body", &l, &err), -1);
	assert_int_equal(err.code, ERR_INVALID);
	assert_string_equal(err.param, "a");
	assert_non_null(strstr(err.msg, "NUL"));
	kvlist_release(&l);
}

static void test_limits(void **state)
{
	char key[API_MAX_KEY_LEN + 8];
	struct kvlist l;
	struct buf b;
	struct err err;

	(void)state;
	/* Key: exactly the limit passes, one more fails. */
	memset(key, 'k', sizeof(key));
	key[API_MAX_KEY_LEN] = '\0';
	kvlist_init(&l);
	assert_int_equal(api_parse_pairs(key, strlen(key), "query", &l, &err), 0);
	kvlist_release(&l);
	key[API_MAX_KEY_LEN] = 'k';
	key[API_MAX_KEY_LEN + 1] = '\0';
	expect_fail(key, ERR_TOO_LARGE, "query");

	/* Value: counted after decoding (%41 is one byte). */
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "v=");
	for (int i = 0; i < API_MAX_VALUE_LEN; i++)
		buf_puts(&b, "%41");
	kvlist_init(&l);
	assert_int_equal(api_parse_pairs(buf_cstr(&b), b.len, "body", &l, &err), 0);
	assert_int_equal(strlen(kvlist_get(&l, "v")), API_MAX_VALUE_LEN);
	kvlist_release(&l);
	buf_puts(&b, "A");
	expect_fail(buf_cstr(&b), ERR_TOO_LARGE, "v");
	buf_release(&b);
}

static void test_too_many(void **state)
{
	struct kvlist l;
	struct buf b;
	struct err err;

	(void)state;
	buf_init(&b, BUF_UNLIMITED);
	for (int i = 0; i < API_MAX_PARAMS; i++)
		buf_printf(&b, "p%d=%d&", i, i);
	kvlist_init(&l);
	assert_int_equal(api_parse_pairs(buf_cstr(&b), b.len, "query", &l, &err), 0);
	assert_int_equal(l.len, API_MAX_PARAMS);
	kvlist_release(&l);
	buf_puts(&b, "one=more");
	expect_fail(buf_cstr(&b), ERR_INVALID, "query");
	buf_release(&b);
}

static void test_request_merge(void **state)
{
	struct api_request r;
	struct err err;

	(void)state;
	req_init(&r, "POST", "A=q&Q=only+query&Same=query",
		 "application/x-www-form-urlencoded; charset=UTF-8",
		 "Same=body&B=only%20body");
	assert_int_equal(api_parse_request(&r, &err), 0);
	assert_int_equal(r.query.len, 3);
	assert_string_equal(kvlist_get(&r.query, "Same"), "query");
	assert_null(kvlist_get(&r.query, "B"));
	assert_int_equal(r.params.len, 4);
	assert_string_equal(kvlist_get(&r.params, "Same"), "body");   /* body wins */
	assert_string_equal(kvlist_get(&r.params, "Q"), "only query");
	assert_string_equal(kvlist_get(&r.params, "B"), "only body");
	assert_string_equal(kvlist_get(&r.params, "A"), "q");
	req_release(&r);
}

static void test_request_content_types(void **state)
{
	static const struct {
		const char *ctype;
		int merged;
	} cases[] = {
		{ "application/x-www-form-urlencoded", 1 },
		{ "Application/X-WWW-Form-Urlencoded;charset=utf-8", 1 },
		{ "application/json", 0 },
		{ "application/x-www-form-urlencodedx", 0 },
		{ "text/plain", 0 },
		{ NULL, 0 },
	};
	struct api_request r;
	struct err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req_init(&r, "POST", NULL, cases[i].ctype, "B=1");
		assert_int_equal(api_parse_request(&r, &err), 0);
		assert_int_equal(r.query.len, 0);
		if (cases[i].merged)
			assert_string_equal(kvlist_get(&r.params, "B"), "1");
		else
			assert_null(kvlist_get(&r.params, "B"));
		req_release(&r);
	}
	/* A body that is not a form is not even parsed. */
	req_init(&r, "POST", "", "application/json", "{\"a\":\"%zz\"}");
	assert_int_equal(api_parse_request(&r, &err), 0);
	assert_int_equal(r.params.len, 0);
	req_release(&r);
}

static void expect_request_fail(const char *query, const char *body, enum err_code code,
				const char *param)
{
	struct api_request r;
	struct err err;

	req_init(&r, "POST", query, "application/x-www-form-urlencoded", body);
	err_clear(&err);
	assert_int_equal(api_parse_request(&r, &err), -1);
	assert_string_equal(err_code_name(err.code), err_code_name(code));
	assert_string_equal(err.param, param);
	req_release(&r);
}

static void test_request_errors(void **state)
{
	struct api_request r;
	struct buf q, b;
	struct err err;

	(void)state;
	expect_request_fail("A=1&A=2", "", ERR_INVALID, "A");          /* dup in query */
	expect_request_fail("A=1", "B=1&B=1", ERR_INVALID, "B");       /* dup in body */
	expect_request_fail("A=%zz", "", ERR_INVALID, "A");
	expect_request_fail("", "Params=%FF", ERR_INVALID, "Params");
	expect_request_fail("", "%FF=1", ERR_INVALID, "body");

	/* The parameter limit counts query and body together. */
	buf_init(&q, BUF_UNLIMITED);
	buf_init(&b, BUF_UNLIMITED);
	for (int i = 0; i < API_MAX_PARAMS / 2; i++) {
		buf_printf(&q, "q%d=1&", i);
		buf_printf(&b, "b%d=1&", i);
	}
	req_init(&r, "POST", buf_cstr(&q), "application/x-www-form-urlencoded", buf_cstr(&b));
	assert_int_equal(api_parse_request(&r, &err), 0);
	assert_int_equal(r.params.len, API_MAX_PARAMS);
	req_release(&r);
	buf_puts(&b, "one=more");
	expect_request_fail(buf_cstr(&q), buf_cstr(&b), ERR_INVALID, "body");
	buf_release(&b);
	buf_release(&q);

	req_init(&r, "POST", "", "application/x-www-form-urlencoded", "");
	r.body_too_large = true;
	assert_int_equal(api_parse_request(&r, &err), -1);
	assert_int_equal(err.code, ERR_TOO_LARGE);
	req_release(&r);
}

/* The openapi V1 layout (Format=json in the query, Params in the body)
 * decodes and merges into the map its signature covers (PROTOCOL.md sec. 3). */
static void test_request_openapi_v1_vector(void **state)
{
	struct api_request r;
	struct err err;
	char sig[64];

	(void)state;
	req_init(&r, "POST",
		 "AccessKeyId=testid&Action=DescribeDtsJobs&Format=json&JobType=MIGRATION"
		 "&PageNumber=1&PageSize=20&RegionId=cn-hangzhou&SignatureMethod=HMAC-SHA1"
		 "&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0"
		 "&Timestamp=2024-01-15T08%3A30%3A00Z&Version=2020-01-01"
		 "&Signature=xvSv1swM73HC71EIvmcMfW%2FoMhQ%3D",
		 "application/x-www-form-urlencoded",
		 "Params=%7B%22name%22%3A%22a%20b*(c)~!'%22%7D");
	assert_int_equal(api_parse_request(&r, &err), 0);
	assert_string_equal(kvlist_get(&r.params, "Params"), "{\"name\":\"a b*(c)~!'\"}");
	assert_int_equal(sign_v1("POST", &r.params, "testsecret", sig), 0);
	assert_string_equal(sig, kvlist_get(&r.params, "Signature"));
	assert_string_equal(sig, "xvSv1swM73HC71EIvmcMfW/oMhQ=");
	req_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_rules),
		cmocka_unit_test(test_bad_escapes),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_nul_in_raw_input),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_request_merge),
		cmocka_unit_test(test_request_content_types),
		cmocka_unit_test(test_request_errors),
		cmocka_unit_test(test_request_openapi_v1_vector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
