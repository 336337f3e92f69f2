/*
 * table.c - `-o table`: replies rendered as aligned text columns for people.
 * DescribeDtsJobs and DescribePreCheckStatus get a row per job / item; every
 * other reply becomes a Key/Value list of its leaves ("SourceEndpoint.Ip").
 *
 * Single-threaded; each call builds and frees its own table. Cells are
 * cleaned of control characters and cut (CELL_MAX, LAST_MAX characters) so
 * that one long value cannot wreck the layout.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define CELL_MAX 80     /* characters (UTF-8 code points) per padded cell */
#define LAST_MAX 400    /* the last column is not padded: it may run longer */

struct table {
	size_t ncols;
	size_t nrows;       /* the header is row 0 */
	char **cells;       /* nrows * ncols, owned */
};

/* Number of UTF-8 characters (lead bytes) in s. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

/* Copy of s with control bytes as spaces, cut after max characters. */
static char *clean_cell(const char *s, size_t max)
{
	size_t n = strlen(s), w = 0, i;
	char *out = xmalloc(n + 4);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80 && ++w > max) {
			memcpy(out + i, "...", 4);   /* out has room: n + 4 bytes */
			return out;
		}
		out[i] = c < 0x20 || c == 0x7F ? ' ' : (char)c;
	}
	out[i] = '\0';
	return out;
}

static void table_row(struct table *t, const char *const *vals)
{
	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof(*t->cells));
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = clean_cell(vals[c] ? vals[c] : "",
							       c + 1 < t->ncols ? CELL_MAX : LAST_MAX);
	t->nrows++;
}

static void table_print(FILE *out, const struct table *t)
{
	size_t *w = xcalloc(t->ncols, sizeof(*w));

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = width(t->cells[r * t->ncols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		char **row = t->cells + r * t->ncols;
		size_t last = t->ncols;
		while (last > 1 && !row[last - 1][0])
			last--;   /* no trailing blanks for empty last cells */
		for (size_t c = 0; c < last; c++) {
			const char *cell = row[c];
			fputs(cell, out);
			if (c + 1 == last)
				break;
			for (size_t pad = width(cell); pad < w[c] + 2; pad++)
				fputc(' ', out);
		}
		fputc('\n', out);
	}
	free(w);
}

static void table_release(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

/* A member's text: strings as they are, other scalars as JSON. Caller frees. */
static char *member_text(const cJSON *o, const char *name)
{
	const cJSON *v = name ? cJSON_GetObjectItemCaseSensitive(o, name) : o;
	char *p, *s;

	if (!v || cJSON_IsNull(v))
		return xstrdup("");
	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	p = cJSON_PrintUnformatted(v);
	s = xstrdup(p ? p : "");
	cJSON_free(p);
	return s;
}

static void rows_from(struct table *t, const cJSON *list, const char *const *fields)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, list) {
		char *vals[8] = { NULL };
		for (size_t c = 0; c < t->ncols; c++)
			vals[c] = member_text(it, fields[c]);
		table_row(t, (const char *const *)vals);
		for (size_t c = 0; c < t->ncols; c++)
			free(vals[c]);
	}
}

static void jobs_table(FILE *out, const cJSON *reply)
{
	static const char *const cols[] = { "DtsJobId", "DtsJobName", "Status", "CreateTime" };
	struct table t = { 4, 0, NULL };

	table_row(&t, cols);
	rows_from(&t, cJSON_GetObjectItemCaseSensitive(reply, "DtsJobList"), cols);
	table_print(out, &t);
	table_release(&t);
}

/* The ErrMsg of the item's first Logs entry, else the item's ErrMsg. The
 * log text comes first because precheck items carry a message key in ErrMsg
 * ("CHECK__ERROR_CONN_SRC", as Alibaba does) and the readable reason in Logs. */
const char *cli_item_message(const cJSON *item)
{
	const cJSON *logs = cJSON_GetObjectItemCaseSensitive(item, "Logs");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(logs, 0), "ErrMsg");

	if (cJSON_IsString(m) && m->valuestring[0])
		return m->valuestring;
	m = cJSON_GetObjectItemCaseSensitive(item, "ErrMsg");
	return cJSON_IsString(m) ? m->valuestring : "";
}

static void precheck_table(FILE *out, const cJSON *reply)
{
	static const char *const cols[] = { "Item", "State", "ErrMsg" };
	struct table t = { 3, 0, NULL };
	const cJSON *it;

	table_row(&t, cols);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(reply, "JobProgress")) {
		char *item = member_text(it, "Item"), *state = member_text(it, "State");
		const char *vals[3] = { item, state, cli_item_message(it) };
		table_row(&t, vals);
		free(item);
		free(state);
	}
	table_print(out, &t);
	table_release(&t);
}

/* One row per leaf, keyed by its path: "A.B", "List[0].C". */
static void flatten(struct table *t, const cJSON *node, struct buf *path)
{
	size_t mark = path->len;
	const cJSON *child;
	int i = 0;

	if (!cJSON_IsObject(node) && !cJSON_IsArray(node)) {
		char *v = member_text(node, NULL);
		const char *vals[2] = { buf_cstr(path), v };
		table_row(t, vals);
		free(v);
		return;
	}
	if (!node->child && mark > 0) {
		const char *vals[2] = { buf_cstr(path), cJSON_IsArray(node) ? "[]" : "{}" };
		table_row(t, vals);
		return;
	}
	cJSON_ArrayForEach(child, node) {
		if (cJSON_IsArray(node))
			buf_printf(path, "[%d]", i++);
		else
			buf_printf(path, "%s%s", mark ? "." : "", child->string ? child->string : "");
		flatten(t, child, path);
		path->len = mark;
		if (path->data)
			path->data[mark] = '\0';
	}
}

static void kv_table(FILE *out, const cJSON *reply)
{
	static const char *const cols[] = { "Key", "Value" };
	struct table t = { 2, 0, NULL };
	struct buf path;

	buf_init(&path, BUF_UNLIMITED);
	table_row(&t, cols);
	flatten(&t, reply, &path);
	table_print(out, &t);
	table_release(&t);
	buf_release(&path);
}

void cli_table_print(FILE *out, const char *action, const cJSON *reply)
{
	if (strcmp(action, "DescribeDtsJobs") == 0)
		jobs_table(out, reply);
	else if (strcmp(action, "DescribePreCheckStatus") == 0)
		precheck_table(out, reply);
	else
		kv_table(out, reply);
}
