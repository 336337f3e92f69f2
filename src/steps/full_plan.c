/*
 * full_plan.c - what the full-data step copies: the selected tables of the
 * source catalog, each with the columns that move (selected, not generated)
 * under their destination names, the row key that splits it into chunks,
 * and the chunk plan itself, which is stored as a checkpoint so that a
 * restarted step copies the same ranges.
 *
 * Threads: built on the step's thread; read-only while workers run.
 */
#include "steps/full_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steps/source.h"
#include "util/str.h"
#include "util/xalloc.h"

#define PLAN_VERSION "opendts-chunks-1"
#define DESCRIBE_VALUE_MAX 64

/* ---- tables and columns ------------------------------------------------------- */

/* Key types whose order and equality are the same in MySQL and PostgreSQL
 * (and whose text form means the same value in both). */
static bool order_safe_type(enum schema_type t)
{
	switch (t) {
	case SCHEMA_T_TINYINT: case SCHEMA_T_SMALLINT: case SCHEMA_T_MEDIUMINT:
	case SCHEMA_T_INT: case SCHEMA_T_BIGINT: case SCHEMA_T_DECIMAL:
	case SCHEMA_T_DATE: case SCHEMA_T_DATETIME: case SCHEMA_T_TIMESTAMP:
	case SCHEMA_T_TIME: case SCHEMA_T_YEAR:
		return true;
	default:
		return false;
	}
}

static size_t col_index(const struct full_table *t, const char *name)
{
	for (size_t i = 0; i < t->n_cols; i++)
		if (strcmp(t->cols[i].src->name, name) == 0)
			return i;
	return (size_t)-1;
}

/* The row key, if every part is a whole column that moves. */
static void pick_key(struct full_table *t, const struct full_opts *o)
{
	const struct schema_index *key = schema_row_key(t->t);

	if (!key || key->n_parts == 0)
		return;
	t->key_col = xcalloc(key->n_parts, sizeof(*t->key_col));
	t->key_ordered = true;
	for (size_t i = 0; i < key->n_parts; i++) {
		size_t c = col_index(t, key->parts[i].column);

		if (c == (size_t)-1 || key->parts[i].prefix_len > 0) {
			free(t->key_col);
			t->key_col = NULL;
			t->key_ordered = false;
			return;
		}
		t->key_col[i] = c;
		if (o->pg && !order_safe_type(t->cols[c].src->type))
			t->key_ordered = false;
	}
	t->key = key;
}

static void add_columns(struct full_table *t, const struct full_opts *o)
{
	const struct schema_table *st = t->t;

	t->cols = xcalloc(st->n_columns ? st->n_columns : 1, sizeof(*t->cols));
	for (size_t i = 0; i < st->n_columns; i++) {
		const struct schema_column *c = &st->columns[i];
		struct full_col *fc;

		if (*c->generation_expr || !schema_resolved_column_selected(t->r, c->name))
			continue;
		fc = &t->cols[t->n_cols++];
		fc->src = c;
		fc->dst = schema_dst_ident(&o->ro, schema_resolved_column_name(t->r, c->name));
		schema_map_column(c, o->ro.dialect, &fc->map);
		if (o->pg && fc->map.risk == SCHEMA_RISK_UNSUPPORTED && !t->unsupported)
			t->unsupported = xasprintf("column \"%s\" (%s) has no PostgreSQL type: %s",
						   c->name, c->column_type, fc->map.note);
	}
	if (t->n_cols == 0 && !t->unsupported)
		t->unsupported = xstrdup("no column to copy (every column is generated or "
					 "left out by DbList)");
}

/* "db.table", or "`d.b`.`t`" (MySQL quoting) when a name holds a dot or a
 * backtick: checkpoint and item keys must not collide ("a.b"."c" and
 * "a"."b.c" would both read "a.b.c"). */
static char *table_key(const struct schema_table *t)
{
	struct buf b;

	if (!strpbrk(t->schema, ".`") && !strpbrk(t->name, ".`"))
		return xasprintf("%s.%s", t->schema, t->name);
	buf_init(&b, BUF_UNLIMITED);
	my_quote_ident(&b, t->schema);
	buf_putc(&b, '.');
	my_quote_ident(&b, t->name);
	return buf_take(&b);
}

static void table_init(struct full_table *t, const struct schema_resolved *r,
		       const struct full_opts *o)
{
	memset(t, 0, sizeof(*t));
	t->r = r;
	t->t = r->table;
	t->tkey = table_key(r->table);
	t->dst_schema = schema_dst_ident(&o->ro, r->dst_schema);
	t->dst_name = schema_dst_ident(&o->ro, r->dst_name);
	add_columns(t, o);
	pick_key(t, o);
	t->total = r->table->rows_estimate > 0 ? r->table->rows_estimate : 0;
}

int full__plan_build(struct full_plan *p, const struct step_ctx *ctx, struct my_conn *src,
		     struct err *err)
{
	memset(p, 0, sizeof(*p));
	if (full__opts_read(ctx, &p->opts, err) < 0)
		return -1;
	if (step__selection_read(ctx->job, &p->sel, err) < 0)
		return -1;
	p->have_sel = true;
	if (step__catalog_read(src, &p->sel, &p->catalog, &p->resolved, &p->n_resolved,
			       &p->missing, &p->n_missing, err) < 0) {
		err_prefix(err, "reading the source catalog");
		return -1;
	}
	p->have_catalog = true;
	p->tables = xcalloc(p->n_resolved ? p->n_resolved : 1, sizeof(*p->tables));
	for (size_t i = 0; i < p->n_resolved; i++)
		table_init(&p->tables[p->n_tables++], &p->resolved[i], &p->opts);
	return 0;
}

static void chunks_free(struct full_table *t)
{
	for (size_t i = 0; i < t->n_chunks; i++) {
		my_key_values_free(t->chunks[i].range.lo);
		my_key_values_free(t->chunks[i].range.hi);
	}
	free(t->chunks);
	t->chunks = NULL;
	t->n_chunks = 0;
	t->planned = false;
}

void full__plan_release(struct full_plan *p)
{
	for (size_t i = 0; i < p->n_tables; i++) {
		struct full_table *t = &p->tables[i];

		for (size_t c = 0; c < t->n_cols; c++)
			free(t->cols[c].dst);
		free(t->cols);
		free(t->key_col);
		free(t->tkey);
		free(t->dst_schema);
		free(t->dst_name);
		free(t->unsupported);
		free(t->err_msg);
		free(t->err_data);
		chunks_free(t);
	}
	free(p->tables);
	if (p->have_catalog)
		schema_catalog_release(&p->catalog);
	free(p->resolved);
	for (size_t i = 0; i < p->n_missing; i++)
		free(p->missing[i]);
	free(p->missing);
	if (p->have_sel)
		schema_selection_release(&p->sel);
	memset(p, 0, sizeof(*p));
}

/* ---- chunks --------------------------------------------------------------------- */

static void set_chunks(struct full_table *t, struct my_chunk *ranges, size_t n)
{
	t->chunks = xcalloc(n ? n : 1, sizeof(*t->chunks));
	for (size_t i = 0; i < n; i++) {
		t->chunks[i].range = ranges[i];
		t->chunks[i].diff = -1;
	}
	t->n_chunks = n;
	t->planned = true;
}

int full__plan_chunks(struct full_table *t, const struct full_opts *o, struct my_conn *src,
		      struct err *err)
{
	struct my_chunk *ranges = NULL;
	size_t n = 0;

	chunks_free(t);
	if (my_chunks_plan(src, t->t, t->key, o->chunk_rows, &ranges, &n, err) < 0)
		return -1;
	if (n == 0) {
		/* Empty now: one open range, so rows written since are read too. */
		ranges = xcalloc(1, sizeof(*ranges));
		n = 1;
	}
	set_chunks(t, ranges, n);
	free(ranges);
	if (n > 1 && (int64_t)(n - 1) * o->chunk_rows > t->total)
		t->total = (int64_t)(n - 1) * o->chunk_rows;
	return 0;
}

/* ---- the plan as checkpoint text ----------------------------------------------- */

/* "-" for no bound, else the values hex-encoded, joined by ','. */
static void encode_bound(struct buf *b, const struct my_key_values *kv)
{
	if (!kv) {
		buf_putc(b, '-');
		return;
	}
	for (size_t i = 0; i < kv->n; i++) {
		char *hex = xmalloc(2 * kv->len[i] + 1);

		str_hex(hex, (const unsigned char *)kv->v[i], kv->len[i]);
		buf_printf(b, "%s%s", i ? "," : "", kv->len[i] ? hex : "=");
		free(hex);
	}
}

char *full__plan_encode(const struct full_table *t)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	buf_printf(&b, "%s %zu %zu\n", PLAN_VERSION, t->n_chunks, t->key ? t->key->n_parts : 0);
	for (size_t i = 0; i < t->n_chunks; i++) {
		const struct my_chunk *r = &t->chunks[i].range;

		if (r->whole_table) {
			buf_puts(&b, "W\n");
			continue;
		}
		buf_puts(&b, "R ");
		encode_bound(&b, r->lo);
		buf_putc(&b, ' ');
		encode_bound(&b, r->hi);
		buf_putc(&b, '\n');
	}
	return buf_take(&b);
}


/* Decodes one bound of n values from s[0..len); NULL in *out for "-". */
static int decode_bound(const char *s, size_t len, size_t n, struct my_key_values **out)
{
	struct my_key_values *kv;
	size_t k = 0;

	*out = NULL;
	if (len == 1 && s[0] == '-')
		return 0;
	kv = xcalloc(1, sizeof(*kv));
	kv->n = n;
	kv->v = xcalloc(n, sizeof(*kv->v));
	kv->len = xcalloc(n, sizeof(*kv->len));
	*out = kv;
	for (size_t pos = 0; k < n; k++) {
		size_t end = pos;

		while (end < len && s[end] != ',')
			end++;
		bool empty = end - pos == 1 && s[pos] == '=';
		if ((end - pos) % 2 && !empty)
			return -1;
		kv->len[k] = empty ? 0 : (end - pos) / 2;
		kv->v[k] = xmalloc(kv->len[k] + 1);
		for (size_t j = 0; j < kv->len[k]; j++) {
			int hi = str_hex_digit(s[pos + 2 * j]), lo = str_hex_digit(s[pos + 2 * j + 1]);
			if (hi < 0 || lo < 0)
				return -1;
			kv->v[k][j] = (char)(hi * 16 + lo);
		}
		kv->v[k][kv->len[k]] = '\0';
		if ((end == len) != (k + 1 == n))
			return -1;
		pos = end + 1;
	}
	return 0;
}

static int decode_line(const char *line, size_t len, size_t parts, struct my_chunk *c)
{
	const char *sp;

	memset(c, 0, sizeof(*c));
	if (len == 1 && line[0] == 'W') {
		c->whole_table = true;
		return 0;
	}
	if (len < 5 || line[0] != 'R' || line[1] != ' ')
		return -1;
	sp = memchr(line + 2, ' ', len - 2);
	if (!sp)
		return -1;
	if (decode_bound(line + 2, (size_t)(sp - line - 2), parts, &c->lo) < 0 ||
	    decode_bound(sp + 1, (size_t)(line + len - sp - 1), parts, &c->hi) < 0)
		return -1;
	return 0;
}

int full__plan_decode(struct full_table *t, const char *text, struct err *err)
{
	size_t n = 0, parts = 0, i = 0;
	struct my_chunk *ranges = NULL;
	const char *p = strchr(text, '\n');
	char head[64];

	chunks_free(t);
	if (sscanf(text, "%63s %zu %zu", head, &n, &parts) != 3 || strcmp(head, PLAN_VERSION) ||
	    !p || n == 0 || n > 100000000 || parts != (t->key ? t->key->n_parts : 0))
		goto bad;
	ranges = xcalloc(n, sizeof(*ranges));
	for (p++; i < n && *p; i++) {
		const char *e = strchr(p, '\n');
		if (!e || decode_line(p, (size_t)(e - p), parts, &ranges[i]) < 0) {
			i++;
			goto bad;
		}
		p = e + 1;
	}
	if (i != n)
		goto bad;
	set_chunks(t, ranges, n);
	free(ranges);
	return 0;
bad:
	for (size_t k = 0; ranges && k < i; k++) {
		my_key_values_free(ranges[k].lo);
		my_key_values_free(ranges[k].hi);
	}
	free(ranges);
	err_set(err, ERR_INVALID, "the stored chunk plan of table %s does not fit the table",
		t->tkey);
	err_detail(err, "the table's key changed since the copy started; reset the job "
		   "(ResetDtsJob) to copy it again from the start");
	return -1;
}

/* ---- descriptions for messages -------------------------------------------------- */

static bool printable(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	return true;
}

static void describe_value(struct buf *b, const struct full_col *c, const char *v, size_t len)
{
	size_t n = len > DESCRIBE_VALUE_MAX ? DESCRIBE_VALUE_MAX : len;
	bool number = c && c->src->type >= SCHEMA_T_TINYINT && c->src->type <= SCHEMA_T_DOUBLE;

	if (!v) {
		buf_puts(&*b, "NULL");
	} else if (!printable(v, n)) {
		char *hex = xmalloc(2 * n + 1);
		str_hex(hex, (const unsigned char *)v, n);
		buf_printf(b, "0x%s%s", hex, n < len ? "..." : "");
		free(hex);
	} else if (number) {
		buf_append(b, v, n);
	} else {
		buf_putc(b, '\'');
		buf_append(b, v, n);
		buf_puts(b, n < len ? "...'" : "'");
	}
}

static void describe_key_names(struct buf *b, const struct full_table *t)
{
	buf_putc(b, '(');
	for (size_t i = 0; t->key && i < t->key->n_parts; i++)
		buf_printf(b, "%s%s", i ? "," : "", t->key->parts[i].column);
	buf_putc(b, ')');
}

static void describe_bound(struct buf *b, const struct full_table *t,
			   const struct my_key_values *kv)
{
	buf_putc(b, '(');
	for (size_t i = 0; i < kv->n; i++) {
		if (i)
			buf_putc(b, ',');
		describe_value(b, &t->cols[t->key_col[i]], kv->v[i], kv->len[i]);
	}
	buf_putc(b, ')');
}

char *full__chunk_describe(const struct full_table *t, const struct full_chunk *ch)
{
	struct buf b;

	buf_init(&b, 4096);
	if (ch->range.whole_table || !t->key) {
		buf_puts(&b, "whole table (no primary or unique key)");
		return buf_take(&b);
	}
	buf_puts(&b, "key ");
	describe_key_names(&b, t);
	if (!ch->range.lo && !ch->range.hi)
		buf_puts(&b, " any value");
	if (ch->range.lo) {
		buf_puts(&b, " > ");
		describe_bound(&b, t, ch->range.lo);
	}
	if (ch->range.hi) {
		buf_puts(&b, ch->range.lo ? " and <= " : " <= ");
		describe_bound(&b, t, ch->range.hi);
	}
	return buf_take(&b);
}

char *full__row_key_describe(const struct full_table *t, char **row,
			     const unsigned long *lengths)
{
	struct buf b;
	bool keyless = !t->key;
	size_t n = keyless ? t->n_cols : t->key->n_parts;

	buf_init(&b, 4096);
	buf_putc(&b, '(');
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "," : "",
			   keyless ? t->cols[i].src->name : t->key->parts[i].column);
	buf_puts(&b, ")=(");
	for (size_t i = 0; i < n; i++) {
		size_t c = keyless ? i : t->key_col[i];

		if (i)
			buf_putc(&b, ',');
		describe_value(&b, &t->cols[c], row[c], row[c] ? lengths[c] : 0);
	}
	buf_putc(&b, ')');
	return buf_take(&b);
}

char *full__key_describe(const struct full_table *t, const struct my_key_values *kv)
{
	struct buf b;

	buf_init(&b, 4096);
	if (!t->key || !kv) {
		buf_puts(&b, "(a row of a table without key)");
		return buf_take(&b);
	}
	describe_key_names(&b, t);
	buf_putc(&b, '=');
	describe_bound(&b, t, kv);
	return buf_take(&b);
}

void full__key_bits(const struct full_table *t, bool *bits)
{
	for (size_t i = 0; t->key && i < t->key->n_parts && i < MY_KEY_PARTS_MAX; i++)
		bits[i] = t->cols[t->key_col[i]].src->type == SCHEMA_T_BIT;
}
