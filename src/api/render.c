/*
 * render.c - one response tree (cJSON) rendered as JSON or as XML.
 *
 * JSON is written by a small printer of our own rather than
 * cJSON_PrintUnformatted, because cJSON prints some integral doubles with an
 * exponent (1e+15) and the clients want plain integers. Both formats share
 * the number printer and the UTF-8 clean-up: invalid UTF-8 (and, for XML,
 * characters XML 1.0 forbids) becomes U+FFFD, so the output always parses.
 * XML goes through libxml2's xmlTextWriter, which does the escaping.
 *
 * Any thread may render; libxml2 is initialised once (pthread_once). The
 * caller owns the tree and the output buffer.
 */
#include <libxml/xmlwriter.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "util/str.h"

#define RENDER_MAX_DEPTH 64
#define REPLACEMENT "\xEF\xBF\xBD"   /* U+FFFD */

/* ---- shared helpers ---------------------------------------------------- */

/* Integral values print as plain integers (no exponent, no ".0"); others
 * as the shortest %g that reads back the same. NaN/Inf: returns -1. */
static int format_number(double d, char *out, size_t n)
{
	if (!isfinite(d))
		return -1;
	if (d == 0) {
		snprintf(out, n, "0");
	} else if (d == trunc(d)) {
		snprintf(out, n, "%.0f", d);
	} else {
		snprintf(out, n, "%.15g", d);
		if (strtod(out, NULL) != d)
			snprintf(out, n, "%.17g", d);
	}
	return 0;
}

/* Length of the well-formed UTF-8 sequence at s[0..n), 0 if there is none. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t want = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 :
		      (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;

	if (!want || want > n || !str_utf8_valid((const char *)s, want))
		return 0;
	return want;
}

/* Code points XML 1.0 does not allow in character data. */
static bool xml_forbidden(const unsigned char *s, size_t len)
{
	if (len == 1)
		return s[0] < 0x20 && s[0] != '\t' && s[0] != '\n' && s[0] != '\r';
	/* U+FFFE and U+FFFF */
	return len == 3 && s[0] == 0xEF && s[1] == 0xBF && (s[2] == 0xBE || s[2] == 0xBF);
}

/* Copies s into out, replacing invalid UTF-8 (and, when for_xml, the
 * characters XML forbids) with U+FFFD. */
static int clean_text(const char *s, size_t n, bool for_xml, struct buf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		size_t l = utf8_seq_len(u + i, n - i);
		int rc;
		if (!l || (for_xml && xml_forbidden(u + i, l))) {
			rc = buf_puts(out, REPLACEMENT);
			i += l ? l : 1;
		} else {
			rc = buf_append(out, s + i, l);
			i += l;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static bool text_is_clean(const char *s, size_t n, bool for_xml)
{
	if (!str_utf8_valid(s, n))
		return false;
	if (!for_xml)
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF &&
		     ((unsigned char)s[i + 2] & 0xFE) == 0xBE))
			return false;
	}
	return true;
}

/* ---- JSON -------------------------------------------------------------- */

static int json_string(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s);
	struct buf clean;
	int rc = -1;

	buf_init(&clean, BUF_UNLIMITED);
	if (!text_is_clean(s, n, false)) {
		if (clean_text(s, n, false, &clean) < 0)
			goto cleanup;
		s = buf_cstr(&clean);
	}
	if (buf_putc(out, '"') < 0)
		goto cleanup;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7] = { '\\', 0 };
		size_t el = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			if (c >= 0x20) {
				esc[0] = (char)c;
				el = 1;
			} else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				el = 6;
			}
		}
		if (buf_append(out, esc, el) < 0)
			goto cleanup;
	}
	rc = buf_putc(out, '"');
cleanup:
	buf_release(&clean);
	return rc;
}

static int json_value(struct buf *out, const cJSON *v, int depth);

static int json_container(struct buf *out, const cJSON *v, int depth)
{
	bool obj = cJSON_IsObject(v);

	if (buf_putc(out, obj ? '{' : '[') < 0)
		return -1;
	for (const cJSON *c = v->child; c; c = c->next) {
		if (c != v->child && buf_putc(out, ',') < 0)
			return -1;
		if (obj && (json_string(out, c->string ? c->string : "") < 0 ||
			    buf_putc(out, ':') < 0))
			return -1;
		if (json_value(out, c, depth + 1) < 0)
			return -1;
	}
	return buf_putc(out, obj ? '}' : ']');
}

static int json_value(struct buf *out, const cJSON *v, int depth)
{
	char num[400];

	if (depth > RENDER_MAX_DEPTH)
		return -1;
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		return json_container(out, v, depth);
	if (cJSON_IsString(v))
		return json_string(out, v->valuestring ? v->valuestring : "");
	if (cJSON_IsNumber(v)) {
		if (format_number(v->valuedouble, num, sizeof(num)) < 0)
			return buf_puts(out, "null");
		return buf_puts(out, num);
	}
	if (cJSON_IsTrue(v))
		return buf_puts(out, "true");
	if (cJSON_IsFalse(v))
		return buf_puts(out, "false");
	if (cJSON_IsRaw(v) && v->valuestring)
		return buf_puts(out, v->valuestring);
	return buf_puts(out, "null");
}

/* ---- XML --------------------------------------------------------------- */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	xmlInitParser();
}

/* XML element names come from our own keys; anything that is not a plain
 * ASCII name is made one ('_' for each bad byte). */
static void xml_name(const char *key, char *out, size_t n)
{
	size_t i = 0;

	if (!key || !*key)
		key = "_";
	if (!((*key >= 'A' && *key <= 'Z') || (*key >= 'a' && *key <= 'z') || *key == '_'))
		out[i++] = '_';
	for (; *key && i + 1 < n; key++) {
		char c = *key;
		bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
		out[i++] = ok ? c : '_';
	}
	out[i] = '\0';
}

static int xml_text(xmlTextWriterPtr w, const char *s)
{
	size_t n = strlen(s);
	struct buf clean;
	int rc;

	if (text_is_clean(s, n, true))
		return xmlTextWriterWriteString(w, (const xmlChar *)s) < 0 ? -1 : 0;
	buf_init(&clean, BUF_UNLIMITED);
	rc = clean_text(s, n, true, &clean);
	if (rc == 0 && xmlTextWriterWriteString(w, (const xmlChar *)buf_cstr(&clean)) < 0)
		rc = -1;
	buf_release(&clean);
	return rc;
}

static int xml_members(xmlTextWriterPtr w, const cJSON *obj, int depth);

/* Writes the content of one element for value v (scalars as text, objects
 * as child elements; an array nested in an array repeats the same name). */
static int xml_content(xmlTextWriterPtr w, const char *name, const cJSON *v, int depth)
{
	char num[400];

	if (depth > RENDER_MAX_DEPTH)
		return -1;
	if (cJSON_IsObject(v))
		return xml_members(w, v, depth + 1);
	if (cJSON_IsArray(v)) {
		for (const cJSON *c = v->child; c; c = c->next) {
			if (xmlTextWriterStartElement(w, (const xmlChar *)name) < 0 ||
			    xml_content(w, name, c, depth + 1) < 0 ||
			    xmlTextWriterFullEndElement(w) < 0)
				return -1;
		}
		return 0;
	}
	if (cJSON_IsString(v) || cJSON_IsRaw(v))
		return xml_text(w, v->valuestring ? v->valuestring : "");
	if (cJSON_IsNumber(v)) {
		if (format_number(v->valuedouble, num, sizeof(num)) < 0)
			return 0;
		return xml_text(w, num);
	}
	if (cJSON_IsBool(v))
		return xml_text(w, cJSON_IsTrue(v) ? "true" : "false");
	return 0;   /* null: an empty element */
}

static int xml_members(xmlTextWriterPtr w, const cJSON *obj, int depth)
{
	char name[160];

	if (depth > RENDER_MAX_DEPTH)
		return -1;
	for (const cJSON *c = obj->child; c; c = c->next) {
		xml_name(c->string, name, sizeof(name));
		if (cJSON_IsArray(c)) {
			/* "K": [a, b] -> <K>a</K><K>b</K>; [] -> nothing */
			if (xml_content(w, name, c, depth) < 0)
				return -1;
			continue;
		}
		if (xmlTextWriterStartElement(w, (const xmlChar *)name) < 0 ||
		    xml_content(w, name, c, depth) < 0 ||
		    xmlTextWriterFullEndElement(w) < 0)
			return -1;
	}
	return 0;
}

static int render_xml(const cJSON *tree, const char *root, struct buf *out)
{
	xmlBufferPtr xb = NULL;
	xmlTextWriterPtr w = NULL;
	char name[160];
	int rc = -1;

	pthread_once(&xml_once, xml_init);
	xb = xmlBufferCreate();
	if (!xb)
		goto cleanup;
	w = xmlNewTextWriterMemory(xb, 0);
	if (!w)
		goto cleanup;
	xml_name(root, name, sizeof(name));
	if (xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElement(w, (const xmlChar *)name) < 0 ||
	    xml_members(w, tree, 0) < 0 ||
	    xmlTextWriterFullEndElement(w) < 0 ||
	    xmlTextWriterEndDocument(w) < 0)
		goto cleanup;
	xmlFreeTextWriter(w);   /* flushes into xb */
	w = NULL;
	rc = buf_append(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
cleanup:
	if (w)
		xmlFreeTextWriter(w);
	if (xb)
		xmlBufferFree(xb);
	return rc;
}

/* ---- public ------------------------------------------------------------ */

int api_render(const cJSON *tree, enum api_format fmt, const char *root,
	       struct buf *out, struct err *err)
{
	size_t start = out->len;
	int rc;

	if (!tree || (fmt == API_FORMAT_XML && !cJSON_IsObject(tree))) {
		err_set(err, ERR_INTERNAL, "response tree is not an object");
		return -1;
	}
	if (fmt == API_FORMAT_XML)
		rc = render_xml(tree, root ? root : "Response", out);
	else
		rc = json_value(out, tree, 0);
	if (rc < 0) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		err_set(err, ERR_INTERNAL, "cannot render the %s response",
			fmt == API_FORMAT_XML ? "XML" : "JSON");
		err_detail(err, "the response is too large or nested deeper than %d levels",
			   RENDER_MAX_DEPTH);
		return -1;
	}
	return 0;
}

const char *api_content_type(enum api_format fmt, bool is_error)
{
	if (fmt != API_FORMAT_XML)
		return "application/json;charset=utf-8";
	return is_error ? "text/xml;charset=utf-8" : "application/xml;charset=utf-8";
}
