/*
 * fuzz_render.c - libFuzzer target for the response renderer (api/render.c).
 *
 * The input is parsed with cJSON_ParseWithLength(); when it is an object, the
 * tree is rendered with api_render() as JSON and as XML (any other value:
 * JSON only; XML must refuse it). Checked:
 *   - JSON rendering fails exactly when the tree nests deeper than the
 *     renderer's limit (64 levels below the root), and then leaves the
 *     output buffer as it was;
 *   - rendered JSON parses again with cJSON, and when every string is valid
 *     UTF-8 and every number finite (nothing for the renderer to replace),
 *     it is the same tree (same keys in the same order, same values);
 *   - a render into a buffer too small for it fails and leaves the
 *     buffer's content as it was;
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

/* Ordered structural equality. cJSON_Compare() is not used: it looks keys
 * up by name, so an object with a repeated key never equals its copy. */
static bool same_tree(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;

	if ((a->type & 0xFF) != (b->type & 0xFF))
		return false;
	if ((a->string || b->string) &&
	    (!a->string || !b->string || strcmp(a->string, b->string) != 0))
		return false;
	if (cJSON_IsNumber(a) && a->valuedouble != b->valuedouble)
		return false;
	if (cJSON_IsString(a) && strcmp(a->valuestring, b->valuestring) != 0)
		return false;
	for (x = a->child, y = b->child; x && y; x = x->next, y = y->next)
		if (!same_tree(x, y))
			return false;
	return !x && !y;
}

/* Renders into a buffer holding "ab" and capped below the `need` bytes the
 * output takes: must fail and leave "ab". */
static void check_capped(const cJSON *tree, enum api_format fmt, size_t need)
{
	struct buf out;
	struct err err;
	int rc;

	buf_init(&out, 2 + need / 2);
	buf_puts(&out, "ab");
	err_clear(&err);
	rc = api_render(tree, fmt, ROOT, &out, &err);
	FUZZ_CHECK(rc == -1 && err.code == ERR_INTERNAL, "%s render over the cap: rc %d",
		   fmt == API_FORMAT_XML ? "XML" : "JSON", rc);
	FUZZ_CHECK(out.len == 2 && strcmp(buf_cstr(&out), "ab") == 0,
		   "failed render changed the buffer (%zu bytes)", out.len);
	buf_release(&out);
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
	FUZZ_CHECK(!renders_verbatim(tree) || same_tree(tree, back),
		   "rendered JSON is another tree: %s", buf_cstr(&out) + 6);
	cJSON_Delete(back);
	check_capped(tree, API_FORMAT_JSON, out.len - 6);
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
		check_capped(tree, API_FORMAT_XML, out.len);
	} else {
		FUZZ_CHECK(out.len == 0, "failed XML render left %zu bytes", out.len);
		FUZZ_CHECK(err.code == ERR_INTERNAL, "code %s", err_code_name(err.code));
	}
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *tree = cJSON_ParseWithLength((const char *)data, size);

	struct buf out;
	struct err err;

	if (cJSON_IsObject(tree)) {
		check_json(tree);
		check_xml(tree);
	} else if (tree) {
		check_json(tree);
		buf_init(&out, BUF_UNLIMITED);
		FUZZ_CHECK(api_render(tree, API_FORMAT_XML, ROOT, &out, &err) == -1 &&
			   out.len == 0, "XML rendered from a value that is not an object");
		buf_release(&out);
	}
	cJSON_Delete(tree);
	return 0;
}
