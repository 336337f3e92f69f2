/*
 * test_sign.c - Signature V1 and V3 against the test vectors of
 * ../shared/api/PROTOCOL.md sec. 3-4 (captured from the official clients),
 * plus the canonicalization rules those vectors do not exercise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sign/sign.h"
#include "util/buf.h"
#include "util/codec.h"
#include "util/kv.h"

static const char V1_CANONICAL[] =
	"AccessKeyId=testid&Action=DescribeDtsJobs&Format=JSON&JobType=MIGRATION"
	"&PageNumber=1&PageSize=20"
	"&Params=%7B%22name%22%3A%22a%20b%2A%28c%29~%21%27%22%7D&RegionId=cn-hangzhou"
	"&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
	"&SignatureVersion=1.0&Timestamp=2024-01-15T08%3A30%3A00Z&Version=2020-01-01";

static const char V1_STS_GET[] =
	"GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeDtsJobs%26Format%3DJSON"
	"%26JobType%3DMIGRATION%26PageNumber%3D1%26PageSize%3D20%26Params%3D%257B"
	"%2522name%2522%253A%2522a%2520b%252A%2528c%2529~%2521%2527%2522%257D"
	"%26RegionId%3Dcn-hangzhou%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce"
	"%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp"
	"%3D2024-01-15T08%253A30%253A00Z%26Version%3D2020-01-01";

/* The vector's parameters, deliberately not in sorted order. */
static void v1_params(struct kvlist *p, const char *format)
{
	kvlist_init(p);
	kvlist_add(p, "Version", "2020-01-01");
	kvlist_add(p, "Timestamp", "2024-01-15T08:30:00Z");
	kvlist_add(p, "Params", "{\"name\":\"a b*(c)~!'\"}");
	kvlist_add(p, "AccessKeyId", "testid");
	kvlist_add(p, "Action", "DescribeDtsJobs");
	kvlist_add(p, "Format", format);
	kvlist_add(p, "JobType", "MIGRATION");
	kvlist_add(p, "PageNumber", "1");
	kvlist_add(p, "PageSize", "20");
	kvlist_add(p, "RegionId", "cn-hangzhou");
	kvlist_add(p, "SignatureMethod", "HMAC-SHA1");
	kvlist_add(p, "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
	kvlist_add(p, "SignatureVersion", "1.0");
}

static void test_v1_canonical_vector(void **state)
{
	struct kvlist p;
	struct buf b;

	(void)state;
	v1_params(&p, "JSON");
	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(sign_v1_canonical(&p, &b), 0);
	assert_string_equal(buf_cstr(&b), V1_CANONICAL);
	buf_release(&b);
	kvlist_release(&p);
}

static void test_v1_sts_vector(void **state)
{
	struct kvlist p;
	struct buf b;

	(void)state;
	v1_params(&p, "JSON");
	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(sign_v1_string_to_sign("GET", &p, &b), 0);
	assert_string_equal(buf_cstr(&b), V1_STS_GET);
	buf_reset(&b);
	assert_int_equal(sign_v1_string_to_sign("POST", &p, &b), 0);
	assert_memory_equal(buf_cstr(&b), "POST&%2F&", 9);
	assert_string_equal(buf_cstr(&b) + 9, V1_STS_GET + 8);
	buf_release(&b);
	kvlist_release(&p);
}

static void test_v1_signature_vectors(void **state)
{
	struct kvlist p;
	char sig[64];

	(void)state;
	v1_params(&p, "JSON");
	assert_int_equal(sign_v1("GET", &p, "testsecret", sig), 0);
	assert_string_equal(sig, "kggfhqEyyVnYasm0yMZo/oxlEGI=");
	assert_int_equal(sign_v1("POST", &p, "testsecret", sig), 0);
	assert_string_equal(sig, "klmj+ZGWN/sjLpWphUgxgGKK10o=");
	/* Another secret gives another signature. */
	assert_int_equal(sign_v1("GET", &p, "testsecreT", sig), 0);
	assert_string_not_equal(sig, "kggfhqEyyVnYasm0yMZo/oxlEGI=");
	kvlist_release(&p);
}

/* The "Signature" pair itself is never signed. */
static void test_v1_skips_signature(void **state)
{
	struct kvlist p;
	char sig[64];

	(void)state;
	v1_params(&p, "JSON");
	kvlist_add(&p, "Signature", "kggfhqEyyVnYasm0yMZo/oxlEGI=");
	assert_int_equal(sign_v1("GET", &p, "testsecret", sig), 0);
	assert_string_equal(sig, "kggfhqEyyVnYasm0yMZo/oxlEGI=");
	kvlist_release(&p);
}

/* openapi-client V1: Format=json in the query, Params in the body, merged;
 * always POST. */
static void test_v1_openapi_vector(void **state)
{
	struct kvlist p;
	char sig[64];

	(void)state;
	v1_params(&p, "json");
	assert_int_equal(sign_v1("POST", &p, "testsecret", sig), 0);
	assert_string_equal(sig, "xvSv1swM73HC71EIvmcMfW/oMhQ=");
	kvlist_release(&p);
}

static void test_v1_encoding_rules(void **state)
{
	struct kvlist p;
	struct buf b;

	(void)state;
	kvlist_init(&p);
	kvlist_add(&p, "b", "\xc3\xa9 /+=&%");
	kvlist_add(&p, "B", "");
	kvlist_add(&p, "a.b", "x_y-z.~*");
	kvlist_add(&p, "Signature", "zzz");
	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(sign_v1_canonical(&p, &b), 0);
	/* Byte order puts upper case first; empty value gives "B=". */
	assert_string_equal(buf_cstr(&b),
			    "B=&a.b=x_y-z.~%2A&b=%C3%A9%20%2F%2B%3D%26%25");
	buf_release(&b);
	kvlist_release(&p);
}

static void test_v1_empty_and_cap(void **state)
{
	struct kvlist p;
	struct buf b;

	(void)state;
	kvlist_init(&p);
	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(sign_v1_canonical(&p, &b), 0);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(sign_v1_string_to_sign("GET", &p, &b), 0);
	assert_string_equal(buf_cstr(&b), "GET&%2F&");
	buf_release(&b);

	v1_params(&p, "JSON");
	buf_init(&b, 100);
	assert_int_equal(sign_v1_canonical(&p, &b), -1);
	buf_release(&b);
	buf_init(&b, strlen(V1_CANONICAL));
	assert_int_equal(sign_v1_canonical(&p, &b), 0);
	buf_release(&b);
	buf_init(&b, strlen(V1_STS_GET) - 1);
	assert_int_equal(sign_v1_string_to_sign("GET", &p, &b), -1);
	buf_release(&b);
	kvlist_release(&p);
}

static const char V3_BODY[] = "Params=%7B%22name%22%3A%22a%20b*(c)~!'%22%7D";
static const char V3_SIGNED[] =
	"content-type;host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;"
	"x-acs-date;x-acs-signature-nonce;x-acs-version";
static const char V3_CREQ[] =
	"POST\n"
	"/\n"
	"JobType=MIGRATION&PageNumber=1&PageSize=20&RegionId=cn-hangzhou\n"
	"content-type:application/x-www-form-urlencoded\n"
	"host:127.0.0.1:8420\n"
	"x-acs-action:DescribeDtsJobs\n"
	"x-acs-content-sha256:ad095176619a8e1d33c5e5f0accac147304abe2152203fbd81a374ab0c99bee6\n"
	"x-acs-credentials-provider:static_ak\n"
	"x-acs-date:2024-01-15T08:30:00Z\n"
	"x-acs-signature-nonce:3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\n"
	"x-acs-version:2020-01-01\n"
	"\n"
	"content-type;host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;"
	"x-acs-date;x-acs-signature-nonce;x-acs-version\n"
	"ad095176619a8e1d33c5e5f0accac147304abe2152203fbd81a374ab0c99bee6";

/* Headers as received: mixed case, unsigned extras, in wire order. */
static void v3_headers(struct kvlist *h)
{
	kvlist_init(h);
	kvlist_add(h, "Host", "127.0.0.1:8420");
	kvlist_add(h, "x-acs-version", "2020-01-01");
	kvlist_add(h, "x-acs-action", "DescribeDtsJobs");
	kvlist_add(h, "user-agent", "AlibabaCloud (linux; x64) Node.js/v20");
	kvlist_add(h, "x-acs-date", "2024-01-15T08:30:00Z");
	kvlist_add(h, "x-acs-signature-nonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf");
	kvlist_add(h, "accept", "application/json");
	kvlist_add(h, "Content-Type", "application/x-www-form-urlencoded");
	kvlist_add(h, "x-acs-content-sha256",
		   "ad095176619a8e1d33c5e5f0accac147304abe2152203fbd81a374ab0c99bee6");
	kvlist_add(h, "x-acs-credentials-provider", "static_ak");
}

static void v3_query(struct kvlist *q)
{
	kvlist_init(q);
	kvlist_add(q, "RegionId", "cn-hangzhou");
	kvlist_add(q, "JobType", "MIGRATION");
	kvlist_add(q, "PageNumber", "1");
	kvlist_add(q, "PageSize", "20");
}

static void test_v3_body_hash(void **state)
{
	char hash[65];

	(void)state;
	codec_sha256_hex(V3_BODY, strlen(V3_BODY), hash);
	assert_string_equal(hash,
			    "ad095176619a8e1d33c5e5f0accac147304abe2152203fbd81a374ab0c99bee6");
	codec_sha256_hex("", 0, hash);
	assert_string_equal(hash, SIGN_EMPTY_SHA256);
}

static void test_v3_vector(void **state)
{
	struct kvlist q, h;
	struct buf b;
	char hash[65], sig[65];

	(void)state;
	v3_query(&q);
	v3_headers(&h);
	buf_init(&b, BUF_UNLIMITED);
	codec_sha256_hex(V3_BODY, strlen(V3_BODY), hash);
	assert_int_equal(sign_v3_canonical_request("POST", &q, &h, V3_SIGNED, hash, &b), 0);
	assert_string_equal(buf_cstr(&b), V3_CREQ);
	codec_sha256_hex(buf_cstr(&b), b.len, hash);
	assert_string_equal(hash,
			    "53ce4989de2315906ef5f7841217739e4630130aa9616502eb53e4a701d30bcd");
	sign_v3_signature("testsecret", buf_cstr(&b), sig);
	assert_string_equal(sig,
			    "8645ffe5170a532a9a7caed3b91fb4e24b6e9859f000b70e6b7d6605e32c9492");
	sign_v3_signature("testsecret&", buf_cstr(&b), sig);   /* no '&' in V3 */
	assert_string_not_equal(sig,
				"8645ffe5170a532a9a7caed3b91fb4e24b6e9859f000b70e6b7d6605e32c9492");
	buf_release(&b);
	kvlist_release(&h);
	kvlist_release(&q);
}

/* Trimming, repeated headers, absent headers, empty query. */
static void test_v3_header_rules(void **state)
{
	struct kvlist q, h;
	struct buf b;

	(void)state;
	kvlist_init(&q);
	kvlist_init(&h);
	kvlist_add(&h, "x-acs-b", "  two\t");
	kvlist_add(&h, "X-Acs-A", "zeta");
	kvlist_add(&h, "x-acs-a", " alpha ");
	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(sign_v3_canonical_request("GET", &q, &h, "x-acs-a;x-acs-b;x-acs-c",
						   SIGN_EMPTY_SHA256, &b), 0);
	assert_string_equal(buf_cstr(&b),
			    "GET\n/\n\nx-acs-a:alpha,zeta\nx-acs-b:two\nx-acs-c:\n\n"
			    "x-acs-a;x-acs-b;x-acs-c\n" SIGN_EMPTY_SHA256);
	buf_reset(&b);
	assert_int_equal(sign_v3_canonical_request("GET", &q, &h, "", "h", &b), 0);
	assert_string_equal(buf_cstr(&b), "GET\n/\n\n\n\nh");
	buf_release(&b);
	buf_init(&b, 20);
	assert_int_equal(sign_v3_canonical_request("GET", &q, &h, "x-acs-a;x-acs-b",
						   SIGN_EMPTY_SHA256, &b), -1);
	buf_release(&b);
	kvlist_release(&h);
	kvlist_release(&q);
}

/* V3 encodes the query like V1 (RFC 3986), and "Signature" is not special. */
static void test_v3_query_encoding(void **state)
{
	struct kvlist q, h;
	struct buf b;

	(void)state;
	kvlist_init(&q);
	kvlist_init(&h);
	kvlist_add(&q, "Signature", "x");
	kvlist_add(&q, "Name", "a b*\xc3\xa9");
	kvlist_add(&q, "Empty", "");
	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(sign_v3_canonical_request("POST", &q, &h, "host", "p", &b), 0);
	assert_string_equal(buf_cstr(&b),
			    "POST\n/\nEmpty=&Name=a%20b%2A%C3%A9&Signature=x\nhost:\n\nhost\np");
	buf_release(&b);
	kvlist_release(&h);
	kvlist_release(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_canonical_vector),
		cmocka_unit_test(test_v1_sts_vector),
		cmocka_unit_test(test_v1_signature_vectors),
		cmocka_unit_test(test_v1_skips_signature),
		cmocka_unit_test(test_v1_openapi_vector),
		cmocka_unit_test(test_v1_encoding_rules),
		cmocka_unit_test(test_v1_empty_and_cap),
		cmocka_unit_test(test_v3_body_hash),
		cmocka_unit_test(test_v3_vector),
		cmocka_unit_test(test_v3_header_rules),
		cmocka_unit_test(test_v3_query_encoding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
