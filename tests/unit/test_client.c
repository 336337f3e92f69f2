/*
 * test_client.c - unit tests of client/ (request building, V1/V3 signing
 * against the PROTOCOL.md test vectors, error mapping, the transport against
 * a tiny in-process HTTP responder) and of the `dts` CLI pieces that need no
 * server (flag -> parameter mapping, config files, tables, watch views,
 * exit codes).
 *
 * The CLI is not part of libopendts.a, so its files are compiled into this
 * test directly (main.c, which only wires them, stays out).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client/client.h"
#include "sign/sign.h"
#include "util/codec.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#include "cli/args.c"
#include "cli/config.c"
#include "cli/report.c"
#include "cli/table.c"
#include "cli/watch.c"

#define VEC_SECRET "testsecret"
#define VEC_ID "testid"
#define VEC_NONCE "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"
#define VEC_DATE "2024-01-15T08:30:00Z"

/* ---- helpers ---- */

static struct dts_client *client_for(const char *endpoint, enum dts_signature sig,
				     const char *region, long timeout_ms)
{
	struct dts_client_config cfg = {
		.endpoint = endpoint, .access_key_id = VEC_ID,
		.access_key_secret = VEC_SECRET, .timeout_ms = timeout_ms,
		.signature = sig, .region = region,
	};
	struct err err = { 0 };
	struct dts_client *c = dts_client_new(&cfg, &err);

	assert_non_null(c);
	return c;
}

static time_t vec_time(void)
{
	time_t t;

	assert_int_equal(time_parse_iso_z(VEC_DATE, &t), 0);
	return t;
}

static const char *header(const struct dts_request *req, const char *name)
{
	return kvlist_get(&req->headers, name);
}

/* Splits "a=b&c=d" (percent-encoded) into decoded pairs. */
static void parse_form(const char *s, struct kvlist *out)
{
	while (s && *s) {
		const char *amp = strchr(s, '&'), *end = amp ? amp : s + strlen(s);
		const char *eq = memchr(s, '=', (size_t)(end - s));
		size_t kl, vl;
		char *k, *v;
		assert_non_null(eq);
		k = str_pct_decode(s, (size_t)(eq - s), true, &kl);
		v = str_pct_decode(eq + 1, (size_t)(end - eq - 1), true, &vl);
		assert_non_null(k);
		assert_non_null(v);
		kvlist_add(out, k, v);
		free(k);
		free(v);
		s = amp ? amp + 1 : NULL;
	}
}

/* Verifies a V3 request from its wire form the way a server does. */
static void assert_v3_valid(const struct dts_request *req, const char *secret)
{
	const char *auth = header(req, "authorization"), *q = strchr(req->url, '?');
	char hash[65], sig[65], signed_h[512], got[65];
	struct kvlist query;
	struct buf creq;

	assert_non_null(auth);
	assert_int_equal(sscanf(auth, "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=%511[^,],"
				"Signature=%64s", signed_h, got), 2);
	kvlist_init(&query);
	parse_form(q ? q + 1 : NULL, &query);
	codec_sha256_hex(req->body.len ? req->body.data : "", req->body.len, hash);
	assert_string_equal(header(req, "x-acs-content-sha256"), hash);
	buf_init(&creq, BUF_UNLIMITED);
	assert_int_equal(sign_v3_canonical_request("POST", &query, &req->headers, signed_h,
						   hash, &creq), 0);
	sign_v3_signature(secret, buf_cstr(&creq), sig);
	assert_string_equal(got, sig);
	buf_release(&creq);
	kvlist_release(&query);
}

/* Captures what is written to *f; capture_end returns it (caller frees). */
static void capture_begin(FILE **f, char **text, size_t *len)
{
	*f = open_memstream(text, len);
	assert_non_null(*f);
}

static char *capture_end(FILE *f, char **text)
{
	fclose(f);   /* fills in *text */
	return *text;
}

/* strcasestr is a GNU extension; this is the portable one. */
static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* ---- V3 ---- */

static const char vec_canonical[] =
	"POST\n/\nJobType=MIGRATION&PageNumber=1&PageSize=20&RegionId=cn-hangzhou\n"
	"content-type:application/x-www-form-urlencoded\n"
	"host:127.0.0.1:8420\n"
	"x-acs-action:DescribeDtsJobs\n"
	"x-acs-content-sha256:ad095176619a8e1d33c5e5f0accac147304abe2152203fbd81a374ab0c99bee6\n"
	"x-acs-credentials-provider:static_ak\n"
	"x-acs-date:2024-01-15T08:30:00Z\n"
	"x-acs-signature-nonce:3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf\n"
	"x-acs-version:2020-01-01\n\n"
	"content-type;host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;"
	"x-acs-date;x-acs-signature-nonce;x-acs-version\n"
	"ad095176619a8e1d33c5e5f0accac147304abe2152203fbd81a374ab0c99bee6";

static void test_v3_vector(void **state)
{
	static const char body[] = "Params=%7B%22name%22%3A%22a%20b*(c)~!'%22%7D";
	struct dts_client *c = client_for("http://127.0.0.1:8420", DTS_SIG_V3, NULL, 0);
	struct dts_request req;
	struct kvlist q;
	struct buf creq;
	struct err err = { 0 };
	(void)state;

	kvlist_init(&q);
	kvlist_add(&q, "RegionId", "cn-hangzhou");
	kvlist_add(&q, "JobType", "MIGRATION");
	kvlist_add(&q, "PageNumber", "1");
	kvlist_add(&q, "PageSize", "20");
	dts_client_set_fixed(c, vec_time(), VEC_NONCE);
	assert_int_equal(dts_client_build_v3_raw(c, "DescribeDtsJobs", &q, body,
						 strlen(body), &req, &err), 0);
	assert_string_equal(req.url, "http://127.0.0.1:8420/?RegionId=cn-hangzhou&"
			    "JobType=MIGRATION&PageNumber=1&PageSize=20");
	assert_string_equal(buf_cstr(&req.body), body);
	assert_string_equal(header(&req, "x-acs-content-sha256"),
			    "ad095176619a8e1d33c5e5f0accac147304abe2152203fbd81a374ab0c99bee6");
	assert_string_equal(header(&req, "x-acs-date"), VEC_DATE);
	assert_string_equal(header(&req, "host"), "127.0.0.1:8420");
	assert_string_equal(header(&req, "authorization"),
		"ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=content-type;host;"
		"x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;"
		"x-acs-signature-nonce;x-acs-version,Signature="
		"8645ffe5170a532a9a7caed3b91fb4e24b6e9859f000b70e6b7d6605e32c9492");
	/* The canonical request the server rebuilds from our headers is the
	 * vector's, byte for byte. */
	buf_init(&creq, BUF_UNLIMITED);
	assert_int_equal(sign_v3_canonical_request("POST", &q, &req.headers,
		"content-type;host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;"
		"x-acs-date;x-acs-signature-nonce;x-acs-version",
		header(&req, "x-acs-content-sha256"), &creq), 0);
	assert_string_equal(buf_cstr(&creq), vec_canonical);
	assert_v3_valid(&req, VEC_SECRET);
	/* Unsigned extras the openapi-client sends too. */
	assert_string_equal(header(&req, "accept"), "application/json");
	assert_non_null(header(&req, "user-agent"));
	buf_release(&creq);
	dts_request_release(&req);
	kvlist_release(&q);
	dts_client_free(c);
}

static void test_v3_wrong_secret_fails(void **state)
{
	struct dts_client *c = client_for("127.0.0.1:8420", DTS_SIG_V3, NULL, 0);
	struct dts_request req;
	struct err err = { 0 };
	struct kvlist q, p;
	char hash[65], sig[65];
	struct buf creq;
	(void)state;

	kvlist_init(&p);
	kvlist_add(&p, "DtsJobId", "j1");
	assert_int_equal(dts_client_build(c, "StartDtsJob", &p, &req, &err), 0);
	/* Recompute with another secret: the signature must differ. */
	kvlist_init(&q);
	parse_form(strchr(req.url, '?') + 1, &q);
	codec_sha256_hex("", 0, hash);
	buf_init(&creq, BUF_UNLIMITED);
	assert_int_equal(sign_v3_canonical_request("POST", &q, &req.headers,
		"host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;"
		"x-acs-signature-nonce;x-acs-version", hash, &creq), 0);
	sign_v3_signature("othersecret", buf_cstr(&creq), sig);
	assert_null(strstr(header(&req, "authorization"), sig));
	assert_v3_valid(&req, VEC_SECRET);
	buf_release(&creq);
	kvlist_release(&q);
	kvlist_release(&p);
	dts_request_release(&req);
	dts_client_free(c);
}

static void test_v3_body_params_and_region(void **state)
{
	struct dts_client *c = client_for("http://127.0.0.1:8420/", DTS_SIG_V3, "local", 0);
	struct dts_request req;
	struct err err = { 0 };
	struct kvlist p, body;
	(void)state;

	kvlist_init(&p);
	kvlist_add(&p, "DtsJobName", "a b*é");
	kvlist_add(&p, "DbList", "{\"shop\":{\"name\":\"shop\",\"all\":true}}");
	kvlist_add(&p, "Reserve", "{\"targetTableMode\":\"2\"}");
	assert_int_equal(dts_client_build(c, "ConfigureDtsJob", &p, &req, &err), 0);
	/* Query: RFC 3986, RegionId from the config; DbList/Reserve in the body. */
	assert_string_equal(req.url, "http://127.0.0.1:8420/?DtsJobName=a%20b%2A%C3%A9&RegionId=local");
	assert_string_equal(buf_cstr(&req.body),
		"DbList=%7B%22shop%22%3A%7B%22name%22%3A%22shop%22%2C%22all%22%3Atrue%7D%7D&"
		"Reserve=%7B%22targetTableMode%22%3A%222%22%7D");
	assert_string_equal(header(&req, "content-type"), "application/x-www-form-urlencoded");
	assert_non_null(strstr(header(&req, "authorization"), "SignedHeaders=content-type;host;"));
	assert_string_equal(header(&req, "x-acs-action"), "ConfigureDtsJob");
	assert_string_equal(header(&req, "x-acs-version"), "2020-01-01");
	kvlist_init(&body);
	parse_form(buf_cstr(&req.body), &body);
	assert_string_equal(kvlist_get(&body, "DbList"), kvlist_get(&p, "DbList"));
	assert_v3_valid(&req, VEC_SECRET);
	kvlist_release(&body);
	dts_request_release(&req);
	/* DbList is a query parameter for other actions; RegionId given wins. */
	kvlist_set(&p, "RegionId", "r2");
	assert_int_equal(dts_client_build(c, "DescribeDtsJobs", &p, &req, &err), 0);
	assert_non_null(strstr(req.url, "DbList="));
	assert_non_null(strstr(req.url, "RegionId=r2"));
	assert_null(strstr(req.url, "RegionId=local"));
	assert_int_equal(req.body.len, 0);
	dts_request_release(&req);
	kvlist_release(&p);
	dts_client_free(c);
}

static void test_v3_no_body(void **state)
{
	struct dts_client *c = client_for("127.0.0.1:8420", DTS_SIG_V3, NULL, 0);
	struct dts_request req, req2;
	struct err err = { 0 };
	const char *n1, *n2;
	(void)state;

	assert_int_equal(dts_client_build(c, "DescribeDtsJobs", NULL, &req, &err), 0);
	assert_string_equal(req.url, "http://127.0.0.1:8420/");
	assert_null(header(&req, "content-type"));
	assert_string_equal(header(&req, "x-acs-content-sha256"), SIGN_EMPTY_SHA256);
	assert_non_null(strstr(header(&req, "authorization"), "SignedHeaders=host;x-acs-action;"));
	assert_v3_valid(&req, VEC_SECRET);
	/* Fresh nonce per request: 32 lower-case hex digits. */
	assert_int_equal(dts_client_build(c, "DescribeDtsJobs", NULL, &req2, &err), 0);
	n1 = header(&req, "x-acs-signature-nonce");
	n2 = header(&req2, "x-acs-signature-nonce");
	assert_int_equal(strlen(n1), 32);
	assert_int_equal(strspn(n1, "0123456789abcdef"), 32);
	assert_string_not_equal(n1, n2);
	/* The date is now, in the API format. */
	{
		time_t t;
		assert_int_equal(time_parse_iso_z(header(&req, "x-acs-date"), &t), 0);
		assert_true(llabs((long long)(t - time(NULL))) < 5);
	}
	dts_request_release(&req);
	dts_request_release(&req2);
	dts_client_free(c);
}

/* ---- V1 ---- */

static void test_v1_vector(void **state)
{
	struct dts_client *c = client_for("http://127.0.0.1:8420", DTS_SIG_V1, "cn-hangzhou", 0);
	struct dts_request req;
	struct err err = { 0 };
	struct kvlist p, got;
	char sig[64];
	(void)state;

	kvlist_init(&p);
	kvlist_add(&p, "JobType", "MIGRATION");
	kvlist_add(&p, "PageNumber", "1");
	kvlist_add(&p, "PageSize", "20");
	kvlist_add(&p, "Params", "{\"name\":\"a b*(c)~!'\"}");
	dts_client_set_fixed(c, vec_time(), VEC_NONCE);
	assert_int_equal(dts_client_build(c, "DescribeDtsJobs", &p, &req, &err), 0);
	assert_string_equal(req.url, "http://127.0.0.1:8420/");
	assert_string_equal(buf_cstr(&req.body),
		"Action=DescribeDtsJobs&Version=2020-01-01&Format=JSON&"
		"Timestamp=2024-01-15T08%3A30%3A00Z&SignatureMethod=HMAC-SHA1&"
		"SignatureVersion=1.0&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&"
		"AccessKeyId=testid&JobType=MIGRATION&PageNumber=1&PageSize=20&"
		"Params=%7B%22name%22%3A%22a%20b%2A%28c%29~%21%27%22%7D&RegionId=cn-hangzhou&"
		"Signature=klmj%2BZGWN%2FsjLpWphUgxgGKK10o%3D");
	assert_string_equal(header(&req, "content-type"), "application/x-www-form-urlencoded");
	assert_null(header(&req, "authorization"));
	/* A server verifying the decoded body gets the same signature. */
	kvlist_init(&got);
	parse_form(buf_cstr(&req.body), &got);
	assert_int_equal(sign_v1("POST", &got, VEC_SECRET, sig), 0);
	assert_string_equal(sig, kvlist_get(&got, "Signature"));
	assert_string_equal(sig, "klmj+ZGWN/sjLpWphUgxgGKK10o=");
	kvlist_release(&got);
	dts_request_release(&req);
	kvlist_release(&p);
	dts_client_free(c);
}

/* ---- endpoints and construction ---- */

static void test_endpoints(void **state)
{
	static const struct {
		const char *in, *base, *host;
	} ok[] = {
		{ "http://127.0.0.1:8420", "http://127.0.0.1:8420", "127.0.0.1:8420" },
		{ "127.0.0.1:8420", "http://127.0.0.1:8420", "127.0.0.1:8420" },
		{ "http://127.0.0.1:8420/", "http://127.0.0.1:8420", "127.0.0.1:8420" },
		{ "HTTPS://dts.example.com//", "https://dts.example.com", "dts.example.com" },
		{ "[::1]:8420", "http://[::1]:8420", "[::1]:8420" },
		{ "", DTS_DEFAULT_ENDPOINT, "127.0.0.1:8420" },
	};
	static const char *const bad[] = {
		"ftp://h:1", "http://h:8420/dts", "http://", "h:0", "h:99999", "h:abc",
		"h:1:2", "user@h:1", "h:1?x=1", "[::1", "[]:1", ":8420",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct dts_client *c = client_for(ok[i].in, DTS_SIG_V3, NULL, 0);
		struct dts_request req;
		struct err err = { 0 };
		assert_string_equal(dts_client_endpoint(c), ok[i].base);
		assert_int_equal(dts_client_build(c, "DescribeDtsJobs", NULL, &req, &err), 0);
		assert_string_equal(header(&req, "host"), ok[i].host);
		dts_request_release(&req);
		dts_client_free(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dts_client_config cfg = { .endpoint = bad[i], .access_key_id = "a",
						 .access_key_secret = "b" };
		struct err err = { 0 };
		assert_null(dts_client_new(&cfg, &err));
		assert_int_equal(err.code, ERR_INVALID);
		assert_string_equal(err.param, "endpoint");
		assert_non_null(strstr(err.msg, bad[i]));
	}
}

static void test_new_needs_keys(void **state)
{
	struct dts_client_config cfg = { .access_key_id = "a" };
	struct err err = { 0 };
	(void)state;

	assert_null(dts_client_new(&cfg, &err));
	assert_int_equal(err.code, ERR_MISSING);
	assert_string_equal(err.param, "access_key_secret");
	cfg.access_key_id = "";
	cfg.access_key_secret = "s";
	assert_null(dts_client_new(&cfg, &err));
	assert_string_equal(err.param, "access_key_id");
	dts_client_free(NULL);
}

static void test_map_code(void **state)
{
	char param[64];
	(void)state;

	assert_int_equal(dts_client_map_code("SignatureDoesNotMatch", 400, param), ERR_AUTH_SIGNATURE);
	assert_int_equal(dts_client_map_code("IncompleteSignature", 400, param), ERR_AUTH_INCOMPLETE);
	assert_int_equal(dts_client_map_code("InvalidAccessKeyId.NotFound", 404, param), ERR_AUTH_KEY);
	assert_int_equal(dts_client_map_code("InvalidTimeStamp.Expired", 400, param), ERR_AUTH_TIME_EXPIRED);
	assert_int_equal(dts_client_map_code("InvalidTimeStamp.Format", 400, param), ERR_AUTH_TIME_FORMAT);
	assert_int_equal(dts_client_map_code("SignatureNonceUsed", 400, param), ERR_AUTH_NONCE);
	assert_int_equal(dts_client_map_code("InvalidAction.NotFound", 404, param), ERR_ACTION);
	assert_int_equal(dts_client_map_code("InvalidVersion", 400, param), ERR_VERSION);
	assert_int_equal(dts_client_map_code("InvalidJobId", 404, param), ERR_NOT_FOUND);
	assert_string_equal(param, "");
	assert_int_equal(dts_client_map_code("Forbidden.InstanceNotFound", 403, param), ERR_NOT_FOUND);
	assert_int_equal(dts_client_map_code("OperationDenied.JobStatus", 403, param), ERR_WRONG_STATE);
	assert_int_equal(dts_client_map_code("Throttling.User", 400, param), ERR_THROTTLED);
	assert_int_equal(dts_client_map_code("InternalError", 500, param), ERR_INTERNAL);
	assert_int_equal(dts_client_map_code("ServiceUnavailable", 503, param), ERR_UNAVAILABLE);
	assert_int_equal(dts_client_map_code("MissingDtsJobId", 400, param), ERR_MISSING);
	assert_string_equal(param, "DtsJobId");
	assert_int_equal(dts_client_map_code("InvalidJobCode", 400, param), ERR_INVALID);
	assert_string_equal(param, "JobCode");
	assert_int_equal(dts_client_map_code("MissingParameter", 400, param), ERR_MISSING);
	assert_string_equal(param, "");
	/* Unknown codes fall back on the HTTP status. */
	assert_int_equal(dts_client_map_code("Whatever", 404, param), ERR_NOT_FOUND);
	assert_int_equal(dts_client_map_code("Whatever", 400, param), ERR_INVALID);
	assert_int_equal(dts_client_map_code("Whatever", 502, param), ERR_INTERNAL);
	assert_int_equal(dts_client_map_code(NULL, 429, NULL), ERR_THROTTLED);
	assert_int_equal(dts_client_map_code("Invalid", 400, param), ERR_INVALID);
	assert_string_equal(param, "");
}

/* ---- transport, against an in-process responder ---- */

struct mock {
	int fd;
	int port;
	pthread_t th;
	char *response;         /* the whole HTTP reply; NULL: close without one */
	int delay_ms;
	bool headers_only;      /* answer as soon as the headers are in */
	char request[1 << 16];
	size_t reqlen;
};

static size_t content_length(const char *head)
{
	const char *p = head;

	while ((p = strchr(p, '\n')) != NULL) {
		p++;
		if (strncasecmp(p, "content-length:", 15) == 0)
			return (size_t)strtoul(p + 15, NULL, 10);
	}
	return 0;
}

static void *mock_main(void *arg)
{
	struct mock *m = arg;
	int c = accept(m->fd, NULL, NULL);
	char *end = NULL;

	if (c < 0)
		return NULL;
	while (m->reqlen < sizeof(m->request) - 1) {
		ssize_t n = recv(c, m->request + m->reqlen, sizeof(m->request) - 1 - m->reqlen, 0);
		if (n <= 0)
			break;
		m->reqlen += (size_t)n;
		m->request[m->reqlen] = '\0';
		end = strstr(m->request, "\r\n\r\n");
		if (end && m->headers_only)
			break;
		if (end && m->reqlen >= (size_t)(end + 4 - m->request) + content_length(m->request))
			break;
	}
	if (m->delay_ms) {
		struct timespec ts = { m->delay_ms / 1000, (m->delay_ms % 1000) * 1000000L };
		nanosleep(&ts, NULL);
	}
	if (m->response)
		(void)!send(c, m->response, strlen(m->response), MSG_NOSIGNAL);
	close(c);
	return NULL;
}

static void mock_start(struct mock *m, int status, const char *body, int delay_ms,
		       bool headers_only)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	memset(m, 0, sizeof(*m));
	m->delay_ms = delay_ms;
	m->headers_only = headers_only;
	if (status)
		m->response = xasprintf("HTTP/1.1 %d X\r\nContent-Type: application/json;charset=utf-8"
					"\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
					status, strlen(body), body);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	m->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(m->fd >= 0);
	assert_int_equal(bind(m->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(m->fd, 4), 0);
	assert_int_equal(getsockname(m->fd, (struct sockaddr *)&sa, &len), 0);
	m->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&m->th, NULL, mock_main, m), 0);
}

static void mock_stop(struct mock *m)
{
	pthread_join(m->th, NULL);
	close(m->fd);
	free(m->response);
}

/* One call against a responder answering status/body. */
static int mock_call(struct mock *m, int status, const char *body, enum dts_signature sig,
		     cJSON **reply, int *http, struct err *err)
{
	struct kvlist p;
	struct dts_client *c;
	char ep[64];
	int rc;

	mock_start(m, status, body, 0, false);
	snprintf(ep, sizeof(ep), "127.0.0.1:%d", m->port);
	c = client_for(ep, sig, NULL, 5000);
	kvlist_init(&p);
	kvlist_add(&p, "DtsJobId", "j 1");
	rc = dts_client_call(c, "DescribeDtsJobDetail", &p, reply, http, err);
	kvlist_release(&p);
	dts_client_free(c);
	mock_stop(m);
	return rc;
}

static void test_call_success(void **state)
{
	struct mock *m = xmalloc(sizeof(*m));
	struct err err = { 0 };
	cJSON *reply = NULL;
	int http = 0;
	char host[64];
	(void)state;

	assert_int_equal(mock_call(m, 200, "{\"RequestId\":\"r1\",\"Status\":\"Migrating\"}",
				   DTS_SIG_V3, &reply, &http, &err), 0);
	assert_int_equal(http, 200);
	assert_string_equal(cJSON_GetObjectItem(reply, "Status")->valuestring, "Migrating");
	/* What went on the wire. */
	assert_true(strncmp(m->request, "POST /?DtsJobId=j%201 HTTP/1.1\r\n", 32) == 0);
	snprintf(host, sizeof(host), "\r\nhost: 127.0.0.1:%d\r\n", m->port);
	assert_non_null(find_ci(m->request, host));
	assert_non_null(find_ci(m->request, "\r\nx-acs-action: DescribeDtsJobDetail\r\n"));
	assert_non_null(find_ci(m->request, "\r\nauthorization: ACS3-HMAC-SHA256 Credential=testid,"));
	assert_null(find_ci(m->request, "\r\nexpect:"));
	assert_null(find_ci(m->request, "\r\ncontent-type:"));
	assert_null(find_ci(m->request, VEC_SECRET));
	cJSON_Delete(reply);
	free(m);
}

static void test_call_v1_on_wire(void **state)
{
	struct mock *m = xmalloc(sizeof(*m));
	struct err err = { 0 };
	cJSON *reply = NULL;
	int http = 0;
	const char *body;
	(void)state;

	assert_int_equal(mock_call(m, 200, "{\"RequestId\":\"r1\"}", DTS_SIG_V1, &reply, &http,
				   &err), 0);
	assert_true(strncmp(m->request, "POST / HTTP/1.1\r\n", 17) == 0);
	assert_non_null(find_ci(m->request, "\r\ncontent-type: application/x-www-form-urlencoded\r\n"));
	body = strstr(m->request, "\r\n\r\n") + 4;
	assert_true(strncmp(body, "Action=DescribeDtsJobDetail&Version=2020-01-01&", 47) == 0);
	assert_non_null(strstr(body, "&DtsJobId=j%201&Signature="));
	cJSON_Delete(reply);
	free(m);
}

static void test_call_api_error(void **state)
{
	struct mock *m = xmalloc(sizeof(*m));
	struct err err = { 0 };
	cJSON *reply = NULL;
	int http = 0;
	(void)state;

	assert_int_equal(mock_call(m, 404, "{\"RequestId\":\"REQ-9\",\"HostId\":\"h\","
				   "\"Code\":\"InvalidJobId\",\"Message\":\"job \\\"j 1\\\" not found\","
				   "\"Success\":false}", DTS_SIG_V3, &reply, &http, &err), -1);
	assert_int_equal(http, 404);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_string_equal(err.msg, "InvalidJobId: job \"j 1\" not found");
	assert_string_equal(err.detail, "REQ-9");
	assert_non_null(reply);   /* the error body is still handed back */
	assert_string_equal(cJSON_GetObjectItem(reply, "HostId")->valuestring, "h");
	assert_int_equal(cli_exit_code(&err, http), CLI_EXIT_API);
	cJSON_Delete(reply);

	reply = NULL;
	assert_int_equal(mock_call(m, 400, "{\"RequestId\":\"R\",\"Code\":\"MissingDtsJobId\","
				   "\"Message\":\"DtsJobId is mandatory for this action.\"}",
				   DTS_SIG_V3, &reply, &http, &err), -1);
	assert_int_equal(err.code, ERR_MISSING);
	assert_string_equal(err.param, "DtsJobId");
	cJSON_Delete(reply);

	reply = NULL;
	assert_int_equal(mock_call(m, 400, "{\"RequestId\":\"R\",\"Code\":\"SignatureDoesNotMatch\","
				   "\"Message\":\"m\"}", DTS_SIG_V1, &reply, &http, &err), -1);
	assert_int_equal(err.code, ERR_AUTH_SIGNATURE);
	cJSON_Delete(reply);
	free(m);
}

static void test_call_business_error(void **state)
{
	struct mock *m = xmalloc(sizeof(*m));
	struct err err = { 0 };
	cJSON *reply = NULL;
	int http = 0;
	(void)state;

	assert_int_equal(mock_call(m, 200, "{\"RequestId\":\"R2\",\"Success\":false,"
				   "\"ErrCode\":\"InvalidParameter\",\"ErrMessage\":\"The Value of Input "
				   "Parameter %s is not valid.\",\"DynamicMessage\":\"DtsJobId\","
				   "\"HttpStatusCode\":400}", DTS_SIG_V3, &reply, &http, &err), -1);
	assert_int_equal(http, 200);
	assert_int_equal(err.code, ERR_INVALID);
	assert_string_equal(err.msg, "InvalidParameter: The Value of Input Parameter DtsJobId is not valid.");
	assert_string_equal(err.detail, "R2");
	assert_non_null(reply);
	cJSON_Delete(reply);
	/* "Success":"false" as a string counts too; "true" strings do not. */
	reply = NULL;
	assert_int_equal(mock_call(m, 200, "{\"RequestId\":\"R\",\"Success\":\"false\","
				   "\"ErrCode\":\"X\",\"ErrMessage\":\"y\"}", DTS_SIG_V3, &reply, &http,
				   &err), -1);
	assert_string_equal(err.msg, "X: y");
	cJSON_Delete(reply);
	reply = NULL;
	assert_int_equal(mock_call(m, 200, "{\"RequestId\":\"R\",\"Success\":\"true\",\"Code\":\"01\"}",
				   DTS_SIG_V3, &reply, &http, &err), 0);
	cJSON_Delete(reply);
	free(m);
}

static void test_call_bad_replies(void **state)
{
	struct mock *m = xmalloc(sizeof(*m));
	struct err err = { 0 };
	cJSON *reply = NULL;
	int http = 0;
	(void)state;

	assert_int_equal(mock_call(m, 200, "<html>hi</html>", DTS_SIG_V3, &reply, &http, &err), -1);
	assert_null(reply);
	assert_int_equal(http, 200);
	assert_int_equal(err.code, ERR_INTERNAL);
	assert_non_null(strstr(err.msg, "not a JSON object"));
	assert_int_equal(cli_exit_code(&err, http), CLI_EXIT_API);
	assert_int_equal(mock_call(m, 200, "[1,2]", DTS_SIG_V3, &reply, &http, &err), -1);
	assert_null(reply);
	assert_int_equal(mock_call(m, 503, "", DTS_SIG_V3, &reply, &http, &err), -1);
	assert_int_equal(err.code, ERR_UNAVAILABLE);
	assert_int_equal(http, 503);
	/* Error status without Code: still an error, coded from the status. */
	assert_int_equal(mock_call(m, 404, "{\"RequestId\":\"R\"}", DTS_SIG_V3, &reply, &http,
				   &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_string_equal(err.msg, "HTTP404: ");
	cJSON_Delete(reply);
	free(m);
}

static void test_call_connect_refused(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct dts_client *c;
	struct err err = { 0 };
	cJSON *reply = (cJSON *)1;
	int http = -1, fd = socket(AF_INET, SOCK_STREAM, 0);
	char ep[64];
	(void)state;

	/* A port that was just free: bind, learn it, close. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	snprintf(ep, sizeof(ep), "http://127.0.0.1:%d", ntohs(sa.sin_port));
	c = client_for(ep, DTS_SIG_V3, NULL, 2000);
	assert_int_equal(dts_client_call(c, "DescribeDtsJobs", NULL, &reply, &http, &err), -1);
	assert_null(reply);
	assert_int_equal(http, 0);
	assert_int_equal(err.code, ERR_CONNECT);
	assert_non_null(strstr(err.msg, ep));
	assert_int_equal(cli_exit_code(&err, http), CLI_EXIT_CONNECT);
	dts_client_free(c);
}

/* A large body goes out at once: no "Expect: 100-continue" round trip,
 * which would cost a second against servers that do not answer it. */
static void test_call_large_body_no_expect(void **state)
{
	struct mock *m = xmalloc(sizeof(*m));
	struct dts_client *c;
	struct err err = { 0 };
	cJSON *reply = NULL;
	struct kvlist p;
	size_t n = (2u << 20);
	char ep[64], *big = xmalloc(n + 1);
	int http = 0;
	(void)state;

	memset(big, 'a', n);
	big[n] = '\0';
	mock_start(m, 200, "{\"RequestId\":\"r\"}", 0, true);
	snprintf(ep, sizeof(ep), "127.0.0.1:%d", m->port);
	c = client_for(ep, DTS_SIG_V3, NULL, 5000);
	kvlist_init(&p);
	kvlist_add(&p, "DbList", big);
	(void)dts_client_call(c, "ConfigureDtsJob", &p, &reply, &http, &err);
	mock_stop(m);
	assert_non_null(find_ci(m->request, "\r\ncontent-length: 2097159\r\n"));
	assert_null(find_ci(m->request, "\r\nexpect:"));
	assert_non_null(find_ci(m->request, "\r\ncontent-type: application/x-www-form-urlencoded\r\n"));
	cJSON_Delete(reply);
	kvlist_release(&p);
	dts_client_free(c);
	free(big);
	free(m);
}

static void test_call_timeout(void **state)
{
	struct mock *m = xmalloc(sizeof(*m));
	struct dts_client *c;
	struct err err = { 0 };
	cJSON *reply = NULL;
	int http = -1;
	char ep[64];
	(void)state;

	mock_start(m, 200, "{}", 1200, false);
	snprintf(ep, sizeof(ep), "127.0.0.1:%d", m->port);
	c = client_for(ep, DTS_SIG_V3, NULL, 300);
	assert_int_equal(dts_client_call(c, "DescribeDtsJobs", NULL, &reply, &http, &err), -1);
	assert_int_equal(err.code, ERR_TIMEOUT);
	assert_int_equal(http, 0);
	assert_int_equal(cli_exit_code(&err, http), CLI_EXIT_CONNECT);
	dts_client_free(c);
	mock_stop(m);
	free(m);
}

/* ---- CLI: flags -> parameters ---- */

/* Parses a NULL-terminated list of string literals. getopt permutes the
 * pointer array, never the strings, which a borrows (literals live on). */
static int parse(struct cli_args *a, struct err *err, ...)
{
	char *argv[64];
	int argc = 0;
	va_list ap;

	va_start(ap, err);
	argv[argc++] = (char *)"dts";
	for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
		argv[argc++] = (char *)s;
	va_end(ap);
	argv[argc] = NULL;
	cli_args_init(a);
	memset(err, 0, sizeof(*err));
	return cli_parse(argc, argv, a, err);
}

static void test_cli_configure_mapping(void **state)
{
	struct cli_args a;
	struct err err;
	const struct kvlist *p = &a.params;
	(void)state;

	setenv("TEST_DTS_PW", "s3cr3t pw", 1);
	assert_int_equal(parse(&a, &err, "--endpoint", "h:1", "configure-job", "--name", "m1",
			       "--src-host", "10.0.0.1", "--src-port", "3306", "--src-user", "root",
			       "--src-password-env", "TEST_DTS_PW", "--src-engine", "MySQL",
			       "--dst-database", "target", "--dst-password", "pw2",
			       "--data-sync", "TRUE", "--db-list", "{ \"shop\" : { \"all\" : true } }",
			       "-o", "table", "--region", "r1", NULL), 0);
	assert_string_equal(a.cmd->action, "ConfigureDtsJob");
	assert_string_equal(a.endpoint, "h:1");
	assert_string_equal(a.region, "r1");
	assert_int_equal(a.output, CLI_OUT_TABLE);
	assert_string_equal(kvlist_get(p, "DtsJobName"), "m1");
	assert_string_equal(kvlist_get(p, "SourceEndpointIP"), "10.0.0.1");
	assert_string_equal(kvlist_get(p, "SourceEndpointPort"), "3306");
	assert_string_equal(kvlist_get(p, "SourceEndpointUserName"), "root");
	assert_string_equal(kvlist_get(p, "SourceEndpointPassword"), "s3cr3t pw");
	assert_string_equal(kvlist_get(p, "SourceEndpointEngineName"), "MySQL");
	assert_string_equal(kvlist_get(p, "DestinationEndpointDataBaseName"), "target");
	assert_null(kvlist_get(p, "DestinationEndpointDatabaseName"));
	assert_string_equal(kvlist_get(p, "DestinationEndpointPassword"), "pw2");
	assert_string_equal(kvlist_get(p, "DataSynchronization"), "true");
	assert_string_equal(kvlist_get(p, "DbList"), "{\"shop\":{\"all\":true}}");
	/* Defaults fill what was not given. */
	assert_string_equal(kvlist_get(p, "JobType"), "MIGRATION");
	assert_string_equal(kvlist_get(p, "StructureInitialization"), "true");
	assert_string_equal(kvlist_get(p, "DataInitialization"), "true");
	assert_string_equal(kvlist_get(p, "SourceEndpointInstanceType"), "OTHER");
	assert_string_equal(kvlist_get(p, "DestinationEndpointInstanceType"), "OTHER");
	assert_null(kvlist_get(p, "Reserve"));
	assert_null(kvlist_get(p, "DtsJobId"));
	cli_args_release(&a);
	unsetenv("TEST_DTS_PW");
}

static void test_cli_passthrough_and_globals(void **state)
{
	struct cli_args a;
	struct err err;
	(void)state;

	/* --param wins over a flag and over a default; globals after the command. */
	assert_int_equal(parse(&a, &err, "configure-job", "--name", "a", "--param",
			       "DtsJobName=b", "--param", "JobType=SYNC", "--param", "Extra.1=x=y",
			       "--param", "Empty=", "--signature", "V1", "--timeout", "5",
			       "--access-key-secret", "zz", NULL), 0);
	assert_string_equal(kvlist_get(&a.params, "DtsJobName"), "b");
	assert_string_equal(kvlist_get(&a.params, "JobType"), "SYNC");
	assert_string_equal(kvlist_get(&a.params, "Extra.1"), "x=y");
	assert_string_equal(kvlist_get(&a.params, "Empty"), "");
	assert_int_equal(a.signature, DTS_SIG_V1);
	assert_int_equal(a.timeout_ms, 5000);
	assert_string_equal(a.secret, "zz");
	cli_args_release(&a);
	/* A required parameter may come from --param alone. */
	assert_int_equal(parse(&a, &err, "start-job", "--param", "DtsJobId=j9", NULL), 0);
	assert_string_equal(kvlist_get(&a.params, "DtsJobId"), "j9");
	cli_args_release(&a);
}

static void test_cli_other_commands(void **state)
{
	struct cli_args a;
	struct err err;
	(void)state;

	assert_int_equal(parse(&a, &err, "list-jobs", "--name", "shop", "--page", "2",
			       "--page-size", "50", "--status", "Migrating", NULL), 0);
	assert_string_equal(a.cmd->action, "DescribeDtsJobs");
	assert_string_equal(kvlist_get(&a.params, "Type"), "name");
	assert_string_equal(kvlist_get(&a.params, "Params"), "shop");
	assert_string_equal(kvlist_get(&a.params, "PageNumber"), "2");
	assert_string_equal(kvlist_get(&a.params, "PageSize"), "50");
	assert_string_equal(kvlist_get(&a.params, "Status"), "Migrating");
	cli_args_release(&a);

	assert_int_equal(parse(&a, &err, "precheck-status", "--job-id", "j", "--job-code", "3",
			       "--page", "1", "--phase", "View", NULL), 0);
	assert_string_equal(kvlist_get(&a.params, "JobCode"), "03");
	assert_string_equal(kvlist_get(&a.params, "PageNo"), "1");
	assert_string_equal(kvlist_get(&a.params, "StructPhase"), "View");
	cli_args_release(&a);
	assert_int_equal(parse(&a, &err, "precheck-status", "j", NULL), 0);
	assert_string_equal(kvlist_get(&a.params, "DtsJobId"), "j");
	assert_string_equal(kvlist_get(&a.params, "JobCode"), "01");
	cli_args_release(&a);

	assert_int_equal(parse(&a, &err, "skip-precheck", "--job-id", "j", "--items",
			       " CHECK_SAME_OBJ, CHECK_SRC ,", NULL), 0);
	assert_string_equal(kvlist_get(&a.params, "SkipPreCheckItems"), "[\"CHECK_SAME_OBJ\",\"CHECK_SRC\"]");
	assert_string_equal(kvlist_get(&a.params, "SkipPreCheckNames"),
			    "[\"CHECK_SAME_OBJ_DETAIL\",\"CHECK_SRC_DETAIL\"]");
	assert_string_equal(kvlist_get(&a.params, "Skip"), "true");
	cli_args_release(&a);
	assert_int_equal(parse(&a, &err, "skip-precheck", "--job-id", "j", "--items", "A",
			       "--names", "N", "--skip", "false", NULL), 0);
	assert_string_equal(kvlist_get(&a.params, "SkipPreCheckNames"), "[\"N\"]");
	assert_string_equal(kvlist_get(&a.params, "Skip"), "false");
	cli_args_release(&a);

	assert_int_equal(parse(&a, &err, "describe-job", "--job-id", "j", "--instance-id", "dtsj",
			       NULL), 0);
	assert_string_equal(kvlist_get(&a.params, "DtsInstanceID"), "dtsj");
	cli_args_release(&a);
	assert_int_equal(parse(&a, &err, "create-instance", "--type", "MIGRATION", "--job-id",
			       "j", "--auto-start", "true", NULL), 0);
	assert_string_equal(kvlist_get(&a.params, "JobId"), "j");
	assert_string_equal(kvlist_get(&a.params, "AutoStart"), "true");
	assert_string_equal(kvlist_get(&a.params, "PayType"), "PostPaid");
	assert_null(kvlist_get(&a.params, "DtsJobId"));
	cli_args_release(&a);

	assert_int_equal(parse(&a, &err, "watch", "job7", NULL), 0);
	assert_null(a.cmd->action);
	assert_string_equal(kvlist_get(&a.params, "DtsJobId"), "job7");
	assert_string_equal(kvlist_get(&a.local, "interval"), "2");
	assert_null(kvlist_get(&a.params, "interval"));
	cli_args_release(&a);
	assert_int_equal(parse(&a, &err, "watch", "--job-id", "j", "--interval", "7", NULL), 0);
	assert_string_equal(kvlist_get(&a.local, "interval"), "7");
	cli_args_release(&a);
}

static void test_cli_json_file(void **state)
{
	char path[] = "/tmp/test_client_XXXXXX";
	int fd = mkstemp(path);
	struct cli_args a;
	struct err err;
	char *arg;
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\n  \"targetTableMode\": \"2\"\n}\n", 30), 30);
	close(fd);
	arg = xasprintf("@%s", path);
	assert_int_equal(parse(&a, &err, "configure-job", "--name", "n", "--reserve", arg, NULL), 0);
	assert_string_equal(kvlist_get(&a.params, "Reserve"), "{\"targetTableMode\":\"2\"}");
	cli_args_release(&a);
	unlink(path);
	assert_int_equal(parse(&a, &err, "configure-job", "--name", "n", "--reserve", arg, NULL), -1);
	assert_int_equal(err.code, ERR_IO);
	assert_non_null(strstr(err.msg, path));
	cli_args_release(&a);
	free(arg);
}

static void test_cli_usage_errors(void **state)
{
	static const struct {
		const char *argv[8];
		enum err_code code;
		const char *msg;
	} cases[] = {
		{ { NULL }, ERR_MISSING, "no command given" },
		{ { "frobnicate", NULL }, ERR_INVALID, "unknown command \"frobnicate\"" },
		{ { "start-job", "--nope", "x", NULL }, ERR_INVALID, "unknown option \"--nope\"" },
		{ { "--nope", "start-job", NULL }, ERR_INVALID, "unknown option \"--nope\"" },
		{ { "start-job", "--job-id", NULL }, ERR_MISSING, "needs a value" },
		{ { "start-job", NULL }, ERR_MISSING, "start-job needs --job-id (DtsJobId)" },
		{ { "start-job", "a", "b", NULL }, ERR_INVALID, "unexpected argument" },
		{ { "start-job", "--job-id", "a", "b", NULL }, ERR_INVALID, "unexpected argument \"b\"" },
		{ { "list-jobs", "x", NULL }, ERR_INVALID, "unexpected argument \"x\"" },
		{ { "configure-job", "--name", "n", "--data-sync", "yes", NULL }, ERR_INVALID,
		  "invalid value \"yes\" for --data-sync" },
		{ { "configure-job", "--name", "n", "--src-port", "-1", NULL }, ERR_INVALID,
		  "--src-port" },
		{ { "configure-job", "--name", "n", "--db-list", "{oops", NULL }, ERR_INVALID,
		  "--db-list is not valid JSON" },
		{ { "configure-job", "--name", "n", "--src-password-env", "TEST_DTS_UNSET_VAR", NULL },
		  ERR_MISSING, "\"TEST_DTS_UNSET_VAR\"" },
		{ { "configure-job", NULL }, ERR_MISSING, "--name" },
		{ { "precheck-status", "j", "--job-code", "05", NULL }, ERR_INVALID, "--job-code" },
		{ { "precheck-status", "j", "--job-code", "001", NULL }, ERR_INVALID, "--job-code" },
		{ { "skip-precheck", "j", "--items", " , ", NULL }, ERR_INVALID, "at least one item" },
		{ { "start-job", "j", "--param", "NoEquals", NULL }, ERR_INVALID, "NAME=VALUE" },
		{ { "start-job", "j", "--param", "=v", NULL }, ERR_INVALID, "NAME=VALUE" },
		{ { "start-job", "j", "--timeout", "0", NULL }, ERR_INVALID, "--timeout" },
		{ { "start-job", "j", "--signature", "v2", NULL }, ERR_INVALID, "--signature" },
		{ { "start-job", "j", "-o", "xml", NULL }, ERR_INVALID, "--output" },
	};
	(void)state;

	unsetenv("TEST_DTS_UNSET_VAR");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[10] = { (char *)"dts" };
		int argc = 1;
		struct cli_args a;
		struct err err = { 0 };
		for (int k = 0; cases[i].argv[k]; k++)
			argv[argc++] = (char *)cases[i].argv[k];
		cli_args_init(&a);
		if (cli_parse(argc, argv, &a, &err) != -1)
			fail_msg("case %zu parsed", i);
		if (err.code != cases[i].code || !strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: code %d msg \"%s\"", i, err.code, err.msg);
		cli_args_release(&a);
	}
}

static void test_cli_help(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	struct cli_args a;
	struct err err;
	(void)state;

	capture_begin(&f, &text, &len);
	cli_usage(f, NULL);
	text = capture_end(f, &text);
	for (size_t i = 0; i < NCOMMANDS; i++)
		assert_non_null(strstr(text, commands[i].name));
	assert_non_null(strstr(text, "Exit codes:"));
	assert_non_null(strstr(text, "  3  no answer"));
	assert_non_null(strstr(text, "--access-key-secret SECRET"));
	free(text);
	/* Each subcommand's help lists every option with its API parameter. */
	for (size_t i = 0; i < NCOMMANDS; i++) {
		capture_begin(&f, &text, &len);
		cli_usage(f, &commands[i]);
		text = capture_end(f, &text);
		for (const struct cli_opt *o = commands[i].opts; o->name; o++) {
			char *flag = xasprintf("--%s ", o->name);
			assert_non_null(strstr(text, flag));
			if (!(o->flags & CLI_LOCAL))
				assert_non_null(strstr(text, o->param));
			free(flag);
		}
		assert_non_null(strstr(text, "--param NAME=VALUE"));
		assert_non_null(strstr(text, "Exit codes:"));
		free(text);
	}
	/* --help stops before the required checks, and never shows values. */
	assert_int_equal(parse(&a, &err, "configure-job", "--src-password", "hunter2", "--help",
			       NULL), 0);
	assert_true(a.help);
	assert_ptr_equal(a.cmd, cli_cmd_find("configure-job"));
	capture_begin(&f, &text, &len);
	cli_usage(f, a.cmd);
	text = capture_end(f, &text);
	assert_null(strstr(text, "hunter2"));
	assert_non_null(strstr(text, "DestinationEndpointDataBaseName"));
	free(text);
	cli_args_release(&a);
	assert_int_equal(parse(&a, &err, "-h", NULL), 0);
	assert_true(a.help);
	assert_null(a.cmd);
	cli_args_release(&a);
}

/* ---- CLI: configuration ---- */

static void test_config_parse(void **state)
{
	static const char good[] =
		"# opendts\n\n  endpoint = http://10.0.0.5:8420  \r\n"
		"access_key_id=AK1\naccess_key_secret = \"s e=c#ret\"\nregion = local\n";
	struct cli_settings s = { 0 };
	struct err err = { 0 };
	(void)state;

	assert_int_equal(cli_config_parse(good, strlen(good), "f", &s, &err), 0);
	assert_string_equal(s.endpoint, "http://10.0.0.5:8420");
	assert_string_equal(s.key_id, "AK1");
	assert_string_equal(s.secret, "s e=c#ret");
	assert_string_equal(s.region, "local");
	cli_settings_release(&s);
	assert_null(s.secret);

	assert_int_equal(cli_config_parse("endpoint = a\nsecret = topsecret\n", 33, "cfg", &s, &err), -1);
	assert_int_equal(err.code, ERR_INVALID);
	assert_string_equal(err.msg, "config file \"cfg\" line 2: unknown key \"secret\"");
	assert_null(strstr(err.msg, "topsecret"));
	cli_settings_release(&s);
	assert_int_equal(cli_config_parse("access_key_secret topsecret\n", 28, "cfg", &s, &err), -1);
	assert_string_equal(err.msg, "config file \"cfg\" line 1: expected key = value");
	cli_settings_release(&s);
	assert_int_equal(cli_config_parse("region = a\0b\n", 13, "cfg", &s, &err), -1);
	cli_settings_release(&s);
}

static char *write_config(const char *dir, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/config", dir);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void test_config_load_permissions(void **state)
{
	char dir[] = "/tmp/test_client_cfg_XXXXXX";
	struct cli_settings s = { 0 };
	struct err err = { 0 };
	char *path;
	(void)state;

	assert_non_null(mkdtemp(dir));
	path = write_config(dir, "access_key_id = a\naccess_key_secret = sec\n", 0644);
	assert_int_equal(cli_config_load(path, true, &s, &err), -1);
	assert_int_equal(err.code, ERR_INVALID);
	assert_non_null(strstr(err.msg, "accessible by group or others"));
	assert_non_null(strstr(err.detail, "chmod 600"));
	assert_null(strstr(err.msg, "sec\""));
	cli_settings_release(&s);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(cli_config_load(path, true, &s, &err), 0);
	assert_string_equal(s.secret, "sec");
	cli_settings_release(&s);
	/* Without a secret, a readable file is fine. */
	free(path);
	path = write_config(dir, "endpoint = h:1\n", 0644);
	assert_int_equal(cli_config_load(path, true, &s, &err), 0);
	assert_string_equal(s.endpoint, "h:1");
	cli_settings_release(&s);
	unlink(path);
	assert_int_equal(cli_config_load(path, false, &s, &err), 0);
	assert_int_equal(cli_config_load(path, true, &s, &err), -1);
	assert_int_equal(err.code, ERR_IO);
	free(path);
	rmdir(dir);
}

static void test_settings_precedence(void **state)
{
	char dir[] = "/tmp/test_client_home_XXXXXX";
	struct cli_settings s;
	struct err err = { 0 };
	struct cli_args a;
	char *sub, *path;
	(void)state;

	assert_non_null(mkdtemp(dir));
	sub = xasprintf("%s/.opendts", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	path = write_config(sub, "endpoint = file:1\naccess_key_id = fileid\n"
			    "access_key_secret = filesecret\nregion = fileregion\n", 0600);
	setenv("HOME", dir, 1);
	unsetenv("DTS_ENDPOINT");
	unsetenv("DTS_ACCESS_KEY_ID");
	unsetenv("DTS_ACCESS_KEY_SECRET");
	unsetenv("DTS_REGION");
	cli_args_init(&a);
	assert_int_equal(cli_settings_resolve(&a, &s, &err), 0);
	assert_string_equal(s.endpoint, "file:1");
	assert_string_equal(s.key_id, "fileid");
	assert_string_equal(s.secret, "filesecret");
	assert_string_equal(s.region, "fileregion");
	cli_settings_release(&s);
	/* The environment beats the file; an empty variable does not count. */
	setenv("DTS_ENDPOINT", "env:2", 1);
	setenv("DTS_ACCESS_KEY_ID", "envid", 1);
	setenv("DTS_ACCESS_KEY_SECRET", "", 1);
	assert_int_equal(cli_settings_resolve(&a, &s, &err), 0);
	assert_string_equal(s.endpoint, "env:2");
	assert_string_equal(s.key_id, "envid");
	assert_string_equal(s.secret, "filesecret");
	cli_settings_release(&s);
	/* Flags beat both. */
	a.endpoint = "flag:3";
	a.secret = "flagsecret";
	assert_int_equal(cli_settings_resolve(&a, &s, &err), 0);
	assert_string_equal(s.endpoint, "flag:3");
	assert_string_equal(s.secret, "flagsecret");
	cli_settings_release(&s);
	/* No file, no env: default endpoint, and a missing key is an error. */
	unlink(path);
	unsetenv("DTS_ENDPOINT");
	unsetenv("DTS_ACCESS_KEY_ID");
	a.endpoint = NULL;
	assert_int_equal(cli_settings_resolve(&a, &s, &err), -1);
	assert_int_equal(err.code, ERR_MISSING);
	assert_string_equal(err.msg, "no access key id");
	assert_int_equal(cli_exit_code(&err, 0), CLI_EXIT_USAGE);
	a.key_id = "k";
	assert_int_equal(cli_settings_resolve(&a, &s, &err), 0);
	assert_string_equal(s.endpoint, DTS_DEFAULT_ENDPOINT);
	cli_settings_release(&s);
	/* An explicit --config must exist. */
	a.config = path;
	assert_int_equal(cli_settings_resolve(&a, &s, &err), -1);
	assert_int_equal(err.code, ERR_IO);
	unsetenv("DTS_ACCESS_KEY_SECRET");
	rmdir(sub);
	rmdir(dir);
	free(path);
	free(sub);
}

/* ---- CLI: tables ---- */

static char *table_of(const char *action, const char *json)
{
	cJSON *tree = cJSON_Parse(json);
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(tree);
	capture_begin(&f, &text, &len);
	cli_table_print(f, action, tree);
	text = capture_end(f, &text);
	cJSON_Delete(tree);
	return text;
}

static void test_table_jobs(void **state)
{
	char *t = table_of("DescribeDtsJobs",
		"{\"RequestId\":\"r\",\"DtsJobList\":[{\"DtsJobId\":\"j1\",\"DtsJobName\":\"first\","
		"\"Status\":\"Migrating\",\"CreateTime\":\"2024-01-15T08:30:00Z\"},"
		"{\"DtsJobId\":\"job22\",\"DtsJobName\":\"x\",\"Status\":\"Finished\","
		"\"CreateTime\":\"2024-01-16T00:00:00Z\"}]}");
	(void)state;

	assert_string_equal(t,
		"DtsJobId  DtsJobName  Status     CreateTime\n"
		"j1        first       Migrating  2024-01-15T08:30:00Z\n"
		"job22     x           Finished   2024-01-16T00:00:00Z\n");
	free(t);
	t = table_of("DescribeDtsJobs", "{\"DtsJobList\":[]}");
	assert_string_equal(t, "DtsJobId  DtsJobName  Status  CreateTime\n");
	free(t);
}

static void test_table_precheck(void **state)
{
	char *t = table_of("DescribePreCheckStatus",
		"{\"Code\":\"01\",\"JobProgress\":["
		"{\"Item\":\"CHECK_CONN_SRC\",\"State\":\"Success\",\"ErrMsg\":\"\"},"
		"{\"Item\":\"CHECK_SAME_OBJ\",\"State\":\"Failed\",\"ErrMsg\":\"\","
		"\"Logs\":[{\"ErrMsg\":\"Table 'customer' already exists\"},{\"ErrMsg\":\"no\"}]},"
		"{\"Item\":\"X\",\"State\":\"Failed\",\"ErrMsg\":\"line1\\nline2\\ttab\"},"
		"{\"Item\":\"CHECK_CONN_DEST\",\"State\":\"Failed\",\"ErrMsg\":\"CHECK__ERROR_CONN_DEST\","
		"\"Logs\":[{\"ErrMsg\":\"DTS-070211: refused\"}]},"
		"{\"Item\":\"Y\",\"State\":\"Failed\",\"ErrMsg\":\"key\",\"Logs\":[{\"ErrMsg\":\"\"}]}]}");
	(void)state;

	/* The first log's text wins over a message key; ErrMsg is the fallback. */
	assert_string_equal(t,
		"Item             State    ErrMsg\n"
		"CHECK_CONN_SRC   Success\n"
		"CHECK_SAME_OBJ   Failed   Table 'customer' already exists\n"
		"X                Failed   line1 line2 tab\n"
		"CHECK_CONN_DEST  Failed   DTS-070211: refused\n"
		"Y                Failed   key\n");
	free(t);
}

static void test_table_kv(void **state)
{
	char *t = table_of("DescribeDtsJobDetail",
		"{\"RequestId\":\"r1\",\"Success\":true,\"HttpStatusCode\":200,"
		"\"Src\":{\"Ip\":\"h\",\"Port\":3306},\"List\":[{\"A\":1.5},\"s\"],\"Empty\":[],"
		"\"Null\":null,\"Name\":\"caf\xc3\xa9\"}");
	(void)state;

	assert_string_equal(t,
		"Key             Value\n"
		"RequestId       r1\n"
		"Success         true\n"
		"HttpStatusCode  200\n"
		"Src.Ip          h\n"
		"Src.Port        3306\n"
		"List[0].A       1.5\n"
		"List[1]         s\n"
		"Empty           []\n"
		"Null\n"
		"Name            caf\xc3\xa9\n");
	free(t);
}

static void test_table_long_cells(void **state)
{
	char json[512], *t, *big;
	char expect[256];
	(void)state;

	/* A padded cell keeps 80 characters, the last column 400, then "...". */
	memset(expect, 0, sizeof(expect));
	snprintf(json, sizeof(json), "{\"%0100d\":\"v\"}", 7);
	t = table_of("StartDtsJob", json);
	memcpy(expect, "Key", 3);
	memset(expect + 3, ' ', 82);
	memcpy(expect + 85, "Value\n", 6);
	memset(expect + 91, '0', 80);
	memcpy(expect + 171, "...  v\n", 8);
	assert_string_equal(t, expect);
	free(t);
	big = xmalloc(1024);
	snprintf(big, 1024, "{\"K\":\"%0500d\"}", 7);
	t = table_of("StartDtsJob", big);
	assert_int_equal(strlen(t), strlen("Key  Value\nK    ") + 400 + 4);
	assert_string_equal(t + strlen(t) - 4, "...\n");
	free(t);
	free(big);
	/* Width counts characters, not bytes: the column lines up after "é". */
	t = table_of("DescribeDtsJobs", "{\"DtsJobList\":[{\"DtsJobId\":\"\xc3\xa9\xc3\xa9\xc3\xa9"
		     "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\",\"DtsJobName\":\"n\"}]}");
	assert_string_equal(t, "DtsJobId   DtsJobName  Status  CreateTime\n"
			    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9  n\n");
	free(t);
}

/* ---- CLI: watch views ---- */

static void add_page(struct cli_watch_view *v, int idx, const char *json)
{
	cJSON *tree = cJSON_Parse(json);

	assert_non_null(tree);
	cli_watch_add_page(v, idx, tree);
	cJSON_Delete(tree);
}

static void test_watch_view(void **state)
{
	struct cli_watch_view v;
	struct buf b;
	(void)state;

	memset(&v, 0, sizeof(v));
	strcpy(v.job_id, "j1");
	strcpy(v.name, "shop");
	strcpy(v.status, "Migrating");
	add_page(&v, 0, "{\"State\":\"Finished\",\"Total\":3,\"JobProgress\":["
		 "{\"Item\":\"A\",\"State\":\"Success\"},{\"Item\":\"B\",\"State\":\"Warning\"},"
		 "{\"Item\":\"C\",\"State\":\"Success\"}]}");
	add_page(&v, 1, "{\"State\":\"Migrating\",\"TotalRecordCount\":4,\"JobProgress\":["
		 "{\"Item\":\"t1\",\"State\":\"Finished\"},{\"Item\":\"t2\",\"State\":\"Failed\","
		 "\"ErrMsg\":\"\",\"Logs\":[{\"ErrMsg\":\"DTS-1020042 boom\"}]}]}");
	add_page(&v, 2, "{\"State\":\"Migrating\",\"JobProgress\":["
		 "{\"Item\":\"t1\",\"State\":\"Migrating\",\"Current\":\"250\",\"Total\":1000},"
		 "{\"Item\":\"t2\",\"State\":\"Finished\",\"Current\":\"750\",\"Total\":\"1000\"}]}");
	add_page(&v, 3, "{\"State\":\"NotStarted\",\"JobProgress\":[]}");
	assert_int_equal(cli_watch_percent(&v.step[0], 0), 100);
	assert_int_equal(cli_watch_percent(&v.step[1], 1), 50);   /* Failed counts as done */
	assert_int_equal(cli_watch_percent(&v.step[2], 2), 50);   /* rows, not items */
	assert_int_equal(cli_watch_percent(&v.step[3], 3), -1);
	assert_int_equal(v.step[1].items_failed, 1);
	assert_int_equal(v.nfailed, 1);
	assert_string_equal(v.failed[0], "02 t2: DTS-1020042 boom");

	buf_init(&b, BUF_UNLIMITED);
	cli_watch_plain(&v, &b);
	assert_string_equal(buf_cstr(&b), "job=j1 status=Migrating precheck=Finished(3/3) "
			    "schema=Migrating(2/4) full=Migrating(1000/2000 rows) incr=NotStarted");
	buf_reset(&b);
	cli_watch_render(&v, &b);
	assert_string_equal(buf_cstr(&b),
		"job j1 (shop): Migrating\n"
		"  01 precheck     [##############################] 100%  Finished(3/3)\n"
		"  02 schema       [###############---------------]  50%  Migrating(2/4)\n"
		"  03 full data    [###############---------------]  50%  Migrating(1000/2000 rows)\n"
		"  04 incremental  NotStarted\n");
	buf_release(&b);
}

static void test_watch_incremental_and_na(void **state)
{
	struct cli_watch_view v;
	struct buf b;
	(void)state;

	memset(&v, 0, sizeof(v));
	strcpy(v.job_id, "j");
	strcpy(v.error, "DTS-070211: Connect Source DB failed");
	add_page(&v, 3, "{\"State\":\"Catched\",\"JobProgress\":[{\"Item\":\"i\",\"State\":"
		 "\"Catched\",\"DelaySeconds\":3},{\"Item\":\"k\",\"DelaySeconds\":9}]}");
	assert_int_equal(cli_watch_percent(&v.step[3], 3), 100);
	assert_int_equal(v.step[3].delay_s, 9);
	assert_int_equal(cli_watch_percent(&v.step[0], 0), -1);
	buf_init(&b, BUF_UNLIMITED);
	cli_watch_plain(&v, &b);
	assert_string_equal(buf_cstr(&b), "job=j status=- precheck=n/a schema=n/a full=n/a "
			    "incr=Catched(delay=9s)");
	buf_reset(&b);
	cli_watch_render(&v, &b);
	assert_non_null(strstr(buf_cstr(&b), "  04 incremental  Catched(delay=9s)\n"));
	assert_non_null(strstr(buf_cstr(&b), "  error: DTS-070211: Connect Source DB failed\n"));
	buf_release(&b);
	/* Rest states end the watch; running ones do not. */
	assert_true(cli_watch_is_rest("Finished"));
	assert_true(cli_watch_is_rest("PrecheckFailed"));
	assert_true(cli_watch_is_rest("MigrationFailed"));
	assert_true(cli_watch_is_rest("Failed"));
	assert_true(cli_watch_is_rest("Suspending"));
	assert_true(cli_watch_is_rest("NotStarted"));
	assert_false(cli_watch_is_rest("Migrating"));
	assert_false(cli_watch_is_rest("Prechecking"));
	assert_false(cli_watch_is_rest("PreCheckPass"));
	assert_false(cli_watch_is_rest(""));
}

/* dts watch against a responder that answers one Finished round. */
static void test_watch_run_transport_failure(void **state)
{
	struct dts_client *c = client_for("127.0.0.1:1", DTS_SIG_V3, NULL, 1000);
	struct kvlist p;
	struct err err = { 0 };
	int http = -1;
	FILE *out = fopen("/dev/null", "w");
	(void)state;

	kvlist_init(&p);
	kvlist_add(&p, "DtsJobId", "j");
	/* Never answered: gives up at once instead of retrying. */
	assert_int_equal(cli_watch_run(c, &p, 1, out, false, &http, &err), -1);
	assert_int_equal(err.code, ERR_CONNECT);
	assert_int_equal(cli_exit_code(&err, http), CLI_EXIT_CONNECT);
	fclose(out);
	kvlist_release(&p);
	dts_client_free(c);
}

/* ---- CLI: reporting ---- */

static void test_report(void **state)
{
	struct err err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	(void)state;

	err_set(&err, ERR_NOT_FOUND, "InvalidJobId: job \"x\" not found");
	err_detail(&err, "REQ-1");
	capture_begin(&f, &text, &len);
	cli_report(f, &err, 404);
	text = capture_end(f, &text);
	assert_string_equal(text, "error: InvalidJobId: job \"x\" not found (RequestId REQ-1)\n");
	free(text);
	err_set(&err, ERR_CONNECT, "cannot connect to http://h:1: refused");
	err_detail(&err, "is dtsd running there?");
	capture_begin(&f, &text, &len);
	cli_report(f, &err, 0);
	text = capture_end(f, &text);
	assert_string_equal(text, "error: cannot connect to http://h:1: refused\n"
			    "hint: is dtsd running there?\n");
	free(text);
	assert_int_equal(cli_exit_code(&err, 0), CLI_EXIT_CONNECT);
	err_set(&err, ERR_TIMEOUT, "t");
	assert_int_equal(cli_exit_code(&err, 0), CLI_EXIT_CONNECT);
	err_set(&err, ERR_INVALID, "bad flag");
	assert_int_equal(cli_exit_code(&err, 0), CLI_EXIT_USAGE);
	assert_int_equal(cli_exit_code(&err, 400), CLI_EXIT_API);
	err_set(&err, ERR_INTERNAL, "InternalError: x");
	assert_int_equal(cli_exit_code(&err, 500), CLI_EXIT_API);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v3_vector),
		cmocka_unit_test(test_v3_wrong_secret_fails),
		cmocka_unit_test(test_v3_body_params_and_region),
		cmocka_unit_test(test_v3_no_body),
		cmocka_unit_test(test_v1_vector),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_new_needs_keys),
		cmocka_unit_test(test_map_code),
		cmocka_unit_test(test_call_success),
		cmocka_unit_test(test_call_v1_on_wire),
		cmocka_unit_test(test_call_api_error),
		cmocka_unit_test(test_call_business_error),
		cmocka_unit_test(test_call_bad_replies),
		cmocka_unit_test(test_call_connect_refused),
		cmocka_unit_test(test_call_large_body_no_expect),
		cmocka_unit_test(test_call_timeout),
		cmocka_unit_test(test_cli_configure_mapping),
		cmocka_unit_test(test_cli_passthrough_and_globals),
		cmocka_unit_test(test_cli_other_commands),
		cmocka_unit_test(test_cli_json_file),
		cmocka_unit_test(test_cli_usage_errors),
		cmocka_unit_test(test_cli_help),
		cmocka_unit_test(test_config_parse),
		cmocka_unit_test(test_config_load_permissions),
		cmocka_unit_test(test_settings_precedence),
		cmocka_unit_test(test_table_jobs),
		cmocka_unit_test(test_table_precheck),
		cmocka_unit_test(test_table_kv),
		cmocka_unit_test(test_table_long_cells),
		cmocka_unit_test(test_watch_view),
		cmocka_unit_test(test_watch_incremental_and_na),
		cmocka_unit_test(test_watch_run_transport_failure),
		cmocka_unit_test(test_report),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
