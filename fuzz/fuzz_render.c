/*
 * fuzz_render.c - libFuzzer target for the response renderer (api/render.c).
 *
 * The input is parsed with cJSON_ParseWithLength(); when it is an object, the
 * tree is rendered with api_render() as JSON and as XML. Checked:
 *   - JSON rendering fails exactly when the tree nests deeper than the
 *     renderer's limit (64 levels below the root), and then leaves the
 *     output buffer as it was;
 *   - rendered JSON parses again with cJSON, and when every string is valid
 *     UTF-8 and every number finite (nothing for the renderer to replace),
 *     it is the same tree (cJSON_Compare);
 *   - rendered XML is well-formed (libxml2, XML_PARSE_HUGE so that only
 *     well-formedness counts, not libxml2's own depth limit) with the root
 *     element asked for.
 *
 * Single-threaded; trees, documents and buffers are freed before returning.
 */
#include <cjson/cJSON.h>
#include <libxml/parser.h>
#include <math.h>
#include <string.h>

#include "api/internal.h"
#include "fuzz.h"
#include "util/str.h"

#define MAX_DEPTH 64     /* RENDER_MAX_DEPTH of render.c */
#define ROOT      "DescribePreCheckStatusResponse"

/* Deepest nesting level below v (v itself at depth `depth`). */
static int tree_depth(const cJSON *v, int depth)
{
	int max = depth;

	for (const cJSON *c = v->child; c; c = c->next) {
		int d = tree_depth(c, depth + 1);
		if (d > max)
			max = d;
	}
	return max;
}

/* True when rendering may not change anything: all keys and strings are
 * valid UTF-8 and all numbers finite. */
static bool renders_verbatim(const cJSON *v)
{
	if (v->string && !str_utf8_valid(v->string, strlen(v->string)))
		return false;
	if (cJSON_IsString(v) && !str_utf8_valid(v->valuestring, strlen(v->valuestring)))
		return false;
	if (cJSON_IsNumber(v) && !isfinite(v->valuedouble))
		return false;
	for (const cJSON *c = v->child; c; c = c->next)
		if (!renders_verbatim(c))
			return false;
	return true;
}

static void check_json(const cJSON *tree)
{
	bool too_deep = tree_depth(tree, 0) > MAX_DEPTH;
	struct buf out;
	struct err err;
	cJSON *back;
	int rc;

	buf_init(&out, BUF_UNLIMITED);
	buf_puts(&out, "prefix");
	err_clear(&err);
	rc = api_render(tree, API_FORMAT_JSON, NULL, &out, &err);
	FUZZ_CHECK(rc == (too_deep ? -1 : 0), "JSON render rc %d, depth %d", rc,
		   tree_depth(tree, 0));
	FUZZ_CHECK(strncmp(buf_cstr(&out), "prefix", 6) == 0, "output prefix overwritten");
	if (rc < 0) {
		FUZZ_CHECK(out.len == 6, "failed render left %zu bytes", out.len - 6);
		FUZZ_CHECK(err.code == ERR_INTERNAL, "code %s", err_code_name(err.code));
		goto cleanup;
	}
	back = cJSON_ParseWithLength(buf_cstr(&out) + 6, out.len - 6);
	FUZZ_CHECK(back != NULL, "rendered JSON does not parse: %s", buf_cstr(&out) + 6);
	FUZZ_CHECK(!renders_verbatim(tree) || cJSON_Compare(tree, back, true),
		   "rendered JSON is another tree: %s", buf_cstr(&out) + 6);
	cJSON_Delete(back);
cleanup:
	buf_release(&out);
}

static void check_xml(const cJSON *tree)
{
	struct buf out;
	struct err err;
	xmlDocPtr doc;
	xmlNodePtr root;
	int rc;

	buf_init(&out, BUF_UNLIMITED);
	err_clear(&err);
	rc = api_render(tree, API_FORMAT_XML, ROOT, &out, &err);
	if (rc == 0) {
		doc = xmlReadMemory(buf_cstr(&out), (int)out.len, "render.xml", "UTF-8",
				    XML_PARSE_NONET | XML_PARSE_HUGE | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
		FUZZ_CHECK(doc != NULL, "rendered XML is not well-formed: %s", buf_cstr(&out));
		root = xmlDocGetRootElement(doc);
		FUZZ_CHECK(root && strcmp((const char *)root->name, ROOT) == 0,
			   "root element is not %s", ROOT);
		xmlFreeDoc(doc);
	} else {
		FUZZ_CHECK(out.len == 0, "failed XML render left %zu bytes", out.len);
		FUZZ_CHECK(err.code == ERR_INTERNAL, "code %s", err_code_name(err.code));
	}
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *tree = cJSON_ParseWithLength((const char *)data, size);

	if (cJSON_IsObject(tree)) {
		check_json(tree);
		check_xml(tree);
	}
	cJSON_Delete(tree);
	return 0;
}
