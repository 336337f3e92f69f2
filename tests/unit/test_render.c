/*
 * test_render.c - api/render.c (JSON and XML from one tree), api/errors.c
 * (err code -> HTTP status + Alibaba Code, error body) and api/call.c
 * (parameter helpers of the action handlers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <limits.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "api/internal.h"

/* ---- render ------------------------------------------------------------- */

static cJSON *sample_tree(void)
{
	cJSON *t = cJSON_CreateObject();
	cJSON *nested = cJSON_AddObjectToObject(t, "Nested");
	cJSON *items, *it, *tags;

	cJSON_AddStringToObject(t, "Name", "a<b>&\"'");
	cJSON_AddStringToObject(t, "Emoji", "\xF0\x9F\x98\x80 caf\xC3\xA9");
	cJSON_AddStringToObject(t, "Multi", "line1\nline2\ttab");
	cJSON_AddStringToObject(t, "Empty", "");
	cJSON_AddNumberToObject(t, "Big", 9007199254740991.0);
	cJSON_AddNumberToObject(t, "Big2", 4294967296.0);
	cJSON_AddNumberToObject(t, "Quadrillion", 1e15);
	cJSON_AddNumberToObject(t, "Neg", -42);
	cJSON_AddNumberToObject(t, "Frac", 0.5);
	cJSON_AddBoolToObject(t, "Yes", 1);
	cJSON_AddBoolToObject(t, "No", 0);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(nested, "Inner"), "X", 1);
	items = cJSON_AddArrayToObject(t, "Items");
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "Id", "1");
	cJSON_AddBoolToObject(it, "Ok", 1);
	cJSON_AddItemToArray(items, it);
	it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "Id", "2");
	cJSON_AddBoolToObject(it, "Ok", 0);
	cJSON_AddItemToArray(items, it);
	tags = cJSON_AddArrayToObject(t, "Tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString("a"));
	cJSON_AddItemToArray(tags, cJSON_CreateString("b"));
	cJSON_AddArrayToObject(t, "None");
	return t;
}

static const char sample_json[] =
	"{\"Nested\":{\"Inner\":{\"X\":1}},\"Name\":\"a<b>&\\\"'\","
	"\"Emoji\":\"\xF0\x9F\x98\x80 caf\xC3\xA9\",\"Multi\":\"line1\\nline2\\ttab\","
	"\"Empty\":\"\",\"Big\":9007199254740991,\"Big2\":4294967296,"
	"\"Quadrillion\":1000000000000000,\"Neg\":-42,\"Frac\":0.5,\"Yes\":true,"
	"\"No\":false,\"Items\":[{\"Id\":\"1\",\"Ok\":true},{\"Id\":\"2\",\"Ok\":false}],"
	"\"Tags\":[\"a\",\"b\"],\"None\":[]}";

static const char sample_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<TestResponse><Nested><Inner><X>1</X></Inner></Nested>"
	"<Name>a&lt;b&gt;&amp;&quot;'</Name><Emoji>\xF0\x9F\x98\x80 caf\xC3\xA9</Emoji>"
	"<Multi>line1\nline2\ttab</Multi><Empty></Empty><Big>9007199254740991</Big>"
	"<Big2>4294967296</Big2><Quadrillion>1000000000000000</Quadrillion>"
	"<Neg>-42</Neg><Frac>0.5</Frac><Yes>true</Yes><No>false</No>"
	"<Items><Id>1</Id><Ok>true</Ok></Items><Items><Id>2</Id><Ok>false</Ok></Items>"
	"<Tags>a</Tags><Tags>b</Tags></TestResponse>\n";

static void test_render_json(void **state)
{
	cJSON *t = sample_tree(), *back;
	struct err err = { 0 };
	struct buf out;

	(void)state;
	buf_init(&out, BUF_UNLIMITED);
	assert_int_equal(api_render(t, API_FORMAT_JSON, "TestResponse", &out, &err), 0);
	assert_string_equal(buf_cstr(&out), sample_json);
	/* what we print parses back to the same tree */
	back = cJSON_Parse(buf_cstr(&out));
	assert_non_null(back);
	assert_true(cJSON_Compare(t, back, 1));
	cJSON_Delete(back);
	buf_release(&out);
	cJSON_Delete(t);
}

static void assert_xml_child(xmlDocPtr doc, const char *name, const char *text)
{
	xmlNodePtr n = xmlDocGetRootElement(doc)->children;
	xmlChar *content;

	while (n && !(n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0))
		n = n->next;
	assert_non_null(n);
	content = xmlNodeGetContent(n);
	assert_string_equal((const char *)content, text);
	xmlFree(content);
}

static void test_render_xml(void **state)
{
	cJSON *t = sample_tree();
	struct err err = { 0 };
	struct buf out;
	xmlDocPtr doc;

	(void)state;
	buf_init(&out, BUF_UNLIMITED);
	assert_int_equal(api_render(t, API_FORMAT_XML, "TestResponse", &out, &err), 0);
	assert_string_equal(buf_cstr(&out), sample_xml);
	/* a parser gets the original text back */
	doc = xmlReadMemory(out.data, (int)out.len, "r.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	assert_xml_child(doc, "Name", "a<b>&\"'");
	assert_xml_child(doc, "Multi", "line1\nline2\ttab");
	assert_xml_child(doc, "Emoji", "\xF0\x9F\x98\x80 caf\xC3\xA9");
	xmlFreeDoc(doc);
	buf_release(&out);
	cJSON_Delete(t);
}

static void test_render_numbers(void **state)
{
	static const struct { double v; const char *json; } cases[] = {
		{ 0, "0" }, { -0.0, "0" }, { 1, "1" }, { -1, "-1" },
		{ 2147483648.0, "2147483648" }, { 1e15, "1000000000000000" },
		{ 1e16, "10000000000000000" }, { -9007199254740991.0, "-9007199254740991" },
		{ 0.1, "0.1" }, { 1.5, "1.5" }, { 0.30000000000000004, "0.30000000000000004" },
	};
	struct err err = { 0 };
	struct buf out;

	(void)state;
	buf_init(&out, BUF_UNLIMITED);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *n = cJSON_CreateNumber(cases[i].v);
		buf_reset(&out);
		assert_int_equal(api_render(n, API_FORMAT_JSON, NULL, &out, &err), 0);
		assert_string_equal(buf_cstr(&out), cases[i].json);
		cJSON_Delete(n);
	}
	/* NaN has no JSON spelling: null, and an empty XML element */
	cJSON *t = cJSON_CreateObject();
	cJSON_AddNumberToObject(t, "N", NAN);
	buf_reset(&out);
	assert_int_equal(api_render(t, API_FORMAT_JSON, NULL, &out, &err), 0);
	assert_string_equal(buf_cstr(&out), "{\"N\":null}");
	buf_reset(&out);
	assert_int_equal(api_render(t, API_FORMAT_XML, "R", &out, &err), 0);
	assert_non_null(strstr(buf_cstr(&out), "<R><N></N></R>"));
	cJSON_Delete(t);
	buf_release(&out);
}

/* Bytes that would make the output unparsable are replaced by U+FFFD. */
static void test_render_bad_text(void **state)
{
	cJSON *t = cJSON_CreateObject();
	struct err err = { 0 };
	struct buf out;
	xmlDocPtr doc;

	(void)state;
	cJSON_AddStringToObject(t, "Bad", "a\xFF" "b\x01" "c\xEF\xBF\xBF");
	cJSON_AddStringToObject(t, "bad key!", "v");
	buf_init(&out, BUF_UNLIMITED);
	assert_int_equal(api_render(t, API_FORMAT_JSON, NULL, &out, &err), 0);
	assert_string_equal(buf_cstr(&out),
			    "{\"Bad\":\"a\xEF\xBF\xBD" "b\\u0001c\xEF\xBF\xBF\",\"bad key!\":\"v\"}");
	buf_reset(&out);
	assert_int_equal(api_render(t, API_FORMAT_XML, "R", &out, &err), 0);
	assert_non_null(strstr(buf_cstr(&out),
			       "<Bad>a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD</Bad><bad_key_>v</bad_key_>"));
	doc = xmlReadMemory(out.data, (int)out.len, "r.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlFreeDoc(doc);
	buf_release(&out);
	cJSON_Delete(t);
}

static void test_render_errors(void **state)
{
	cJSON *t = sample_tree(), *arr = cJSON_CreateArray();
	struct err err = { 0 };
	struct buf out;

	(void)state;
	/* output over the buffer cap: -1, err set, buffer content untouched */
	buf_init(&out, 40);
	buf_puts(&out, "keep");
	assert_int_equal(api_render(t, API_FORMAT_JSON, NULL, &out, &err), -1);
	assert_int_equal(err.code, ERR_INTERNAL);
	assert_string_equal(buf_cstr(&out), "keep");
	err_clear(&err);
	assert_int_equal(api_render(t, API_FORMAT_XML, "R", &out, &err), -1);
	assert_int_equal(err.code, ERR_INTERNAL);
	assert_string_equal(buf_cstr(&out), "keep");
	/* XML needs an object at the root */
	err_clear(&err);
	assert_int_equal(api_render(arr, API_FORMAT_XML, "R", &out, &err), -1);
	assert_int_equal(err.code, ERR_INTERNAL);
	assert_int_equal(api_render(NULL, API_FORMAT_JSON, NULL, &out, &err), -1);
	buf_release(&out);
	cJSON_Delete(arr);
	cJSON_Delete(t);
}

static void test_content_type(void **state)
{
	(void)state;
	assert_string_equal(api_content_type(API_FORMAT_JSON, false), "application/json;charset=utf-8");
	assert_string_equal(api_content_type(API_FORMAT_JSON, true), "application/json;charset=utf-8");
	assert_string_equal(api_content_type(API_FORMAT_XML, false), "application/xml;charset=utf-8");
	assert_string_equal(api_content_type(API_FORMAT_XML, true), "text/xml;charset=utf-8");
}

/* ---- errors ------------------------------------------------------------- */

static void test_error_table(void **state)
{
	static const struct { enum err_code code; int status; const char *alibaba; } cases[] = {
		{ ERR_AUTH_SIGNATURE, 400, "SignatureDoesNotMatch" },
		{ ERR_AUTH_INCOMPLETE, 400, "IncompleteSignature" },
		{ ERR_AUTH_METHOD, 400, "InvalidSignatureMethod" },
		{ ERR_AUTH_TIME_EXPIRED, 400, "InvalidTimeStamp.Expired" },
		{ ERR_AUTH_TIME_FORMAT, 400, "InvalidTimeStamp.Format" },
		{ ERR_AUTH_NONCE, 400, "SignatureNonceUsed" },
		{ ERR_AUTH_KEY, 404, "InvalidAccessKeyId.NotFound" },
		{ ERR_ACTION, 404, "InvalidAction.NotFound" },
		{ ERR_VERSION, 400, "InvalidVersion" },
		{ ERR_MISSING, 400, "MissingParameter" },
		{ ERR_INVALID, 400, "InvalidParameter" },
		{ ERR_THROTTLED, 400, "Throttling.User" },
		{ ERR_METHOD, 400, "UnsupportedHTTPMethod" },
		{ ERR_NOT_FOUND, 404, "InvalidJobId" },
		{ ERR_WRONG_STATE, 403, "OperationDenied.JobStatus" },
		{ ERR_TOO_LARGE, 413, "RequestEntityTooLarge" },
		{ ERR_CONFLICT, 400, "InvalidParameter.Conflict" },
		{ ERR_UNAVAILABLE, 503, "ServiceUnavailable" },
		{ ERR_UNSUPPORTED, 400, "OperationDenied.NotSupported" },
		{ ERR_INTERNAL, 500, "InternalError" },
		{ ERR_IO, 500, "InternalError" },
		{ ERR_DB, 500, "InternalError" },
		{ ERR_CONNECT, 500, "InternalError" },
		{ ERR_TIMEOUT, 500, "InternalError" },
		{ ERR_CANCELLED, 500, "InternalError" },
		{ ERR_OK, 500, "InternalError" },
		{ (enum err_code)999, 500, "InternalError" },
	};
	struct api_error_info info;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct err err = { 0 };
		err.code = cases[i].code;
		api_error_map(&err, &info);
		assert_int_equal(info.http_status, cases[i].status);
		assert_string_equal(info.code, cases[i].alibaba);
		assert_true(info.message[0] != '\0');     /* the default message */
		assert_true(info.recommend[0] != '\0');   /* the default hint */
	}
	/* every code there is maps to an error status */
	for (int c = 0; c < ERR__COUNT; c++) {
		struct err err = { .code = (enum err_code)c };
		api_error_map(&err, &info);
		assert_true(info.http_status >= 400);
	}
}

static void test_error_messages(void **state)
{
	struct api_error_info info;
	struct err err = { 0 };

	(void)state;
	/* defaults are the gateway's */
	err_set(&err, ERR_THROTTLED, "%s", "");
	api_error_map(&err, &info);
	assert_string_equal(info.message, "Request was denied due to user flow control.");
	/* a specific message and detail win */
	err_set(&err, ERR_WRONG_STATE, "job \"abc\" is Migrating; StartDtsJob needs NotStarted");
	err_detail(&err, "suspend the job first");
	api_error_map(&err, &info);
	assert_int_equal(info.http_status, 403);
	assert_string_equal(info.message, "job \"abc\" is Migrating; StartDtsJob needs NotStarted");
	assert_string_equal(info.recommend, "suspend the job first");
}

static void test_error_params(void **state)
{
	struct api_error_info info;
	struct err err = { 0 };

	(void)state;
	err_param(&err, ERR_MISSING, "DtsJobId", "%s", "");
	api_error_map(&err, &info);
	assert_int_equal(info.http_status, 400);
	assert_string_equal(info.code, "MissingDtsJobId");
	assert_string_equal(info.message, "DtsJobId is mandatory for this action.");

	err_param(&err, ERR_MISSING, "DbList", "needed when StructureInitialization is true");
	api_error_map(&err, &info);
	assert_string_equal(info.code, "MissingDbList");
	assert_string_equal(info.message,
			    "DbList is mandatory for this action. needed when StructureInitialization is true");

	err_param(&err, ERR_INVALID, "PageSize", "PageSize must be an integer between 1 and 100");
	api_error_map(&err, &info);
	assert_int_equal(info.http_status, 400);
	assert_string_equal(info.code, "InvalidPageSize");
	assert_string_equal(info.message, "PageSize must be an integer between 1 and 100");

	err_param(&err, ERR_INVALID, "JobType", "%s", "");
	api_error_map(&err, &info);
	assert_string_equal(info.message, "Specified parameter JobType is not valid.");

	/* a name that is not an identifier never reaches the Code */
	err_param(&err, ERR_INVALID, "a b\"<x>", "bad key");
	api_error_map(&err, &info);
	assert_string_equal(info.code, "InvalidParameter");
	err_param(&err, ERR_MISSING, "x/y", "%s", "");
	api_error_map(&err, &info);
	assert_string_equal(info.code, "MissingParameter");
	/* request-wide errors of params.c name "query" / "body" */
	err_param(&err, ERR_INVALID, "query", "parameter with an empty name in query");
	api_error_map(&err, &info);
	assert_int_equal(info.http_status, 400);
	assert_string_equal(info.code, "InvalidParameter");
	assert_string_equal(info.message, "parameter with an empty name in query");
	err_param(&err, ERR_TOO_LARGE, "body", "too many parameters in body (at most 256)");
	api_error_map(&err, &info);
	assert_int_equal(info.http_status, 413);
	assert_string_equal(info.code, "RequestEntityTooLarge");

	err_param(&err, ERR_NOT_FOUND, "DtsJobId", "job \"x\" not found");
	api_error_map(&err, &info);
	assert_int_equal(info.http_status, 404);
	assert_string_equal(info.code, "InvalidJobId");
	assert_string_equal(info.message, "job \"x\" not found");
	err_param(&err, ERR_NOT_FOUND, "DtsInstanceId", "instance \"x\" not found");
	api_error_map(&err, &info);
	assert_int_equal(info.http_status, 404);
	assert_string_equal(info.code, "InvalidDtsInstanceId");

	err_param(&err, ERR_TOO_LARGE, "DbList", "DbList is longer than 524288 bytes");
	api_error_map(&err, &info);
	assert_int_equal(info.http_status, 400);
	assert_string_equal(info.code, "InvalidDbList");
	err_set(&err, ERR_TOO_LARGE, "request body is larger than 1048576 bytes");
	api_error_map(&err, &info);
	assert_int_equal(info.http_status, 413);
	assert_string_equal(info.code, "RequestEntityTooLarge");
}

static void test_error_tree(void **state)
{
	struct api_error_info info;
	struct err err = { 0 };
	struct buf out;
	cJSON *t, *f;
	static const char *const order[] = { "RequestId", "HostId", "Code", "Message",
		"Recommend", "Success", "ErrCode", "ErrMessage", "HttpStatusCode" };
	size_t i = 0;

	(void)state;
	err_set(&err, ERR_AUTH_KEY, "access key \"nokey\" not found");
	api_error_map(&err, &info);
	t = api_error_tree(&info, "C096FA97-B6BA-4575-899D-61E12B590000");
	for (f = t->child; f; f = f->next, i++) {
		assert_true(i < 9);
		assert_string_equal(f->string, order[i]);
	}
	assert_int_equal(i, 9);
	assert_string_equal(cJSON_GetObjectItem(t, "RequestId")->valuestring,
			    "C096FA97-B6BA-4575-899D-61E12B590000");
	assert_string_equal(cJSON_GetObjectItem(t, "HostId")->valuestring, "dts.aliyuncs.com");
	assert_string_equal(cJSON_GetObjectItem(t, "Code")->valuestring, "InvalidAccessKeyId.NotFound");
	assert_string_equal(cJSON_GetObjectItem(t, "ErrCode")->valuestring, "InvalidAccessKeyId.NotFound");
	assert_string_equal(cJSON_GetObjectItem(t, "Message")->valuestring, "access key \"nokey\" not found");
	assert_string_equal(cJSON_GetObjectItem(t, "ErrMessage")->valuestring, "access key \"nokey\" not found");
	assert_true(cJSON_IsString(cJSON_GetObjectItem(t, "Recommend")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(t, "Success")));
	f = cJSON_GetObjectItem(t, "HttpStatusCode");
	assert_true(cJSON_IsNumber(f));
	assert_int_equal(f->valueint, 404);

	buf_init(&out, BUF_UNLIMITED);
	assert_int_equal(api_render(t, API_FORMAT_XML, "Error", &out, &err), 0);
	assert_non_null(strstr(buf_cstr(&out), "<Error><RequestId>C096FA97-B6BA-4575-899D-61E12B590000"
			       "</RequestId><HostId>dts.aliyuncs.com</HostId>"
			       "<Code>InvalidAccessKeyId.NotFound</Code>"));
	assert_non_null(strstr(buf_cstr(&out), "<Success>false</Success>"));
	assert_non_null(strstr(buf_cstr(&out), "<HttpStatusCode>404</HttpStatusCode></Error>"));
	buf_reset(&out);
	assert_int_equal(api_render(t, API_FORMAT_JSON, NULL, &out, &err), 0);
	assert_non_null(strstr(buf_cstr(&out), ",\"Success\":false,"));
	assert_non_null(strstr(buf_cstr(&out), ",\"HttpStatusCode\":404}"));
	buf_release(&out);
	cJSON_Delete(t);
}

/* ---- parameter helpers --------------------------------------------------- */

struct fixture {
	struct api_request req;
	struct api_call call;
};

static int setup_call(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	api_request_init(&f->req);
	kvlist_add(&f->req.params, "DtsJobId", "abc123");
	kvlist_add(&f->req.params, "Empty", "");
	kvlist_add(&f->req.params, "PageSize", "50");
	kvlist_add(&f->req.params, "Big", "101");
	kvlist_add(&f->req.params, "Word", "ten");
	kvlist_add(&f->req.params, "Spaced", " 5");
	kvlist_add(&f->req.params, "Flag", "TRUE");
	kvlist_add(&f->req.params, "Flag2", "yes");
	kvlist_add(&f->req.params, "JobType", "migration");
	kvlist_add(&f->req.params, "Sort", "sideways");
	f->call.req = &f->req;
	*state = f;
	return 0;
}

static int teardown_call(void **state)
{
	struct fixture *f = *state;

	api_request_release(&f->req);
	free(f);
	return 0;
}

static void test_param_required(void **state)
{
	struct fixture *f = *state;
	struct err err = { 0 };
	const char *v = NULL;

	assert_string_equal(api_param(&f->call, "DtsJobId"), "abc123");
	assert_null(api_param(&f->call, "dtsjobid"));   /* names are case-sensitive */
	assert_null(api_param(&f->call, "Nope"));
	assert_int_equal(api_param_required(&f->call, "DtsJobId", &v, &err), 0);
	assert_string_equal(v, "abc123");
	assert_int_equal(api_param_required(&f->call, "Nope", &v, &err), -1);
	assert_int_equal(err.code, ERR_MISSING);
	assert_string_equal(err.param, "Nope");
	err_clear(&err);
	assert_int_equal(api_param_required(&f->call, "Empty", &v, &err), -1);
	assert_int_equal(err.code, ERR_MISSING);
	assert_string_equal(err.param, "Empty");
}

static void test_param_int(void **state)
{
	struct fixture *f = *state;
	struct err err = { 0 };
	long long v = 0;

	assert_int_equal(api_param_int(&f->call, "PageSize", 20, 1, 100, &v, &err), 0);
	assert_int_equal(v, 50);
	assert_int_equal(api_param_int(&f->call, "Nope", 20, 1, 100, &v, &err), 0);
	assert_int_equal(v, 20);
	assert_int_equal(api_param_int(&f->call, "Empty", 7, 1, 100, &v, &err), 0);
	assert_int_equal(v, 7);

	v = 0;
	assert_int_equal(api_param_int(&f->call, "Big", 20, 1, 100, &v, &err), -1);
	assert_int_equal(v, 0);
	assert_int_equal(err.code, ERR_INVALID);
	assert_string_equal(err.param, "Big");
	assert_non_null(strstr(err.msg, "Big must be an integer between 1 and 100"));
	assert_non_null(strstr(err.msg, "\"101\""));

	err_clear(&err);
	assert_int_equal(api_param_int(&f->call, "Word", 20, 1, 100, &v, &err), -1);
	assert_int_equal(err.code, ERR_INVALID);
	assert_string_equal(err.param, "Word");
	err_clear(&err);
	assert_int_equal(api_param_int(&f->call, "Spaced", 20, 1, 100, &v, &err), -1);
	assert_int_equal(err.code, ERR_INVALID);
	err_clear(&err);
	assert_int_equal(api_param_int(&f->call, "Word", 0, 0, LLONG_MAX, &v, &err), -1);
	assert_non_null(strstr(err.msg, "at least 0"));
}

static void test_param_bool(void **state)
{
	struct fixture *f = *state;
	struct err err = { 0 };
	bool b = false;

	assert_int_equal(api_param_bool(&f->call, "Flag", false, &b, &err), 0);
	assert_true(b);
	assert_int_equal(api_param_bool(&f->call, "Nope", true, &b, &err), 0);
	assert_true(b);
	assert_int_equal(api_param_bool(&f->call, "Nope", false, &b, &err), 0);
	assert_false(b);
	assert_int_equal(api_param_bool(&f->call, "Flag2", false, &b, &err), -1);
	assert_int_equal(err.code, ERR_INVALID);
	assert_string_equal(err.param, "Flag2");
	assert_non_null(strstr(err.msg, "Flag2 must be true or false"));
}

static void test_param_enum(void **state)
{
	static const char *const types[] = { "MIGRATION", "SYNC", "CHECK", NULL };
	struct fixture *f = *state;
	struct err err = { 0 };
	const char *v = NULL;

	assert_int_equal(api_param_enum(&f->call, "JobType", types, "SYNC", &v, &err), 0);
	assert_ptr_equal(v, types[0]);   /* the canonical spelling, not the input */
	assert_int_equal(api_param_enum(&f->call, "Nope", types, "SYNC", &v, &err), 0);
	assert_string_equal(v, "SYNC");
	assert_int_equal(api_param_enum(&f->call, "Nope", types, NULL, &v, &err), 0);
	assert_null(v);
	assert_int_equal(api_param_enum(&f->call, "Sort", types, "SYNC", &v, &err), -1);
	assert_int_equal(err.code, ERR_INVALID);
	assert_string_equal(err.param, "Sort");
	assert_non_null(strstr(err.msg, "Sort must be one of MIGRATION, SYNC, CHECK"));
	assert_non_null(strstr(err.msg, "\"sideways\""));
}

/* A long bad value is quoted short, and not cut inside a UTF-8 sequence. */
static void test_param_long_value(void **state)
{
	struct fixture *f = *state;
	struct err err = { 0 };
	char val[300];
	long long v;

	(void)state;
	memset(val, 'x', sizeof(val));
	memcpy(val + 63, "\xC3\xA9", 2);   /* é across the cut at 64 bytes */
	val[sizeof(val) - 1] = '\0';
	kvlist_add(&f->req.params, "Long", val);
	assert_int_equal(api_param_int(&f->call, "Long", 0, 0, 10, &v, &err), -1);
	assert_true(strlen(err.msg) < 200);
	assert_non_null(strstr(err.msg, "xxx...\""));
	assert_null(strstr(err.msg, "\xC3..."));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_json),
		cmocka_unit_test(test_render_xml),
		cmocka_unit_test(test_render_numbers),
		cmocka_unit_test(test_render_bad_text),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_error_table),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_error_params),
		cmocka_unit_test(test_error_tree),
		cmocka_unit_test_setup_teardown(test_param_required, setup_call, teardown_call),
		cmocka_unit_test_setup_teardown(test_param_int, setup_call, teardown_call),
		cmocka_unit_test_setup_teardown(test_param_bool, setup_call, teardown_call),
		cmocka_unit_test_setup_teardown(test_param_enum, setup_call, teardown_call),
		cmocka_unit_test_setup_teardown(test_param_long_value, setup_call, teardown_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
