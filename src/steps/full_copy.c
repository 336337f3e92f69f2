/*
 * full_copy.c - copies one chunk of a table: the chunk's rows stream from
 * the source (one row in memory) into the destination's bulk writer, LOAD
 * DATA LOCAL INFILE fed from memory (engines/mysql/my_load.h) or COPY FROM
 * STDIN with values converted per the type mapping (engines/pg/pg_copy.h).
 *
 * A chunk an earlier attempt may have written ("in doubt") is cleared
 * first: the key range is deleted on the destination when the range means
 * the same rows there (always on MySQL; on PostgreSQL when the key is made
 * of numbers and dates); otherwise the rows go through a temporary table
 * and replace the rows with the same keys, in one transaction.
 *
 * A refused row is found again by its number (the writers report the row
 * or line) with a second read of the chunk, so the error names its key.
 *
 * Threads: everything runs on the worker's thread with its connections.
 */
#include "steps/full_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/mysql/my_load.h"
#include "engines/pg/pg_copy.h"
#include "util/xalloc.h"

#define ACCOUNT_ROWS 1024              /* rows between progress/throttle updates */
#define STAGE "opendts_stage"          /* temporary table of an in-doubt chunk */
#define BATCH_BYTES (256u << 10)       /* rows handed to the writer at once */
#define BATCH_ROWS 2048
#define PIPE_DEPTH 4                   /* batches queued between reader and writer */

struct copy {
	struct full_worker *w;
	struct full_table *t;
	struct my_load *load;          /* MySQL destination */
	struct pg_copy *cp;            /* PostgreSQL destination */
	/* reader (the worker's thread) */
	struct full_pipe *pipe;
	struct buf *batch;             /* rows not yet handed over */
	size_t batch_rows;
	int64_t rows;                  /* rows read */
	int64_t counted_rows;          /* already added to the table's counters */
	int64_t counted_bytes;
	int64_t pend_rows, pend_bytes; /* not yet added */
	bool cancelled;
	/* writer thread (until joined) */
	char **vals;                   /* n_cols, pointing into a batch */
	unsigned long *lengths;
	size_t *lens;                  /* the same lengths, for my_load_row */
	int64_t written;               /* rows handed to the bulk writer */
	struct err err;                /* why the writer stopped */
	bool failed;
};

/* ---- SQL pieces ------------------------------------------------------------------ */

bool full__float_as_double(const struct schema_column *c)
{
	/* The text protocol prints FLOAT with 6 digits; as a double it prints
	 * the float's exact value, which both destinations read back into the
	 * same float. FLOAT(M,D) prints its D decimals, which is exact. */
	return c->type == SCHEMA_T_FLOAT && !strchr(c->column_type, ',');
}

int full__src_select(const struct full_table *t, struct buf *out)
{
	int rc = buf_puts(out, "SELECT ");

	for (size_t i = 0; rc == 0 && i < t->n_cols; i++) {
		const struct schema_column *c = t->cols[i].src;
		/* PostgreSQL gets WKB (bytea); MySQL gets the internal value as is. */
		bool wkb = t->cols[i].map.dst_type[0] && c->type >= SCHEMA_T_GEOMETRY &&
			   c->type <= SCHEMA_T_GEOMETRYCOLLECTION &&
			   strstr(t->cols[i].map.dst_type, "bytea");

		bool as_double = full__float_as_double(c);

		rc = (i && buf_putc(out, ',') < 0) || (wkb && buf_puts(out, "ST_AsWKB(") < 0) ||
		     (as_double && buf_putc(out, '(') < 0) ||
		     my_quote_ident(out, c->name) < 0 || (wkb && buf_putc(out, ')') < 0) ||
		     (as_double && buf_puts(out, " + 0e0)") < 0) ? -1 : 0;
	}
	if (rc == 0)
		rc = buf_puts(out, " FROM ") < 0 || my_quote_ident(out, t->t->schema) < 0 ||
		     buf_putc(out, '.') < 0 || my_quote_ident(out, t->t->name) < 0 ? -1 : 0;
	return rc;
}

int full__src_where(struct my_conn *c, const struct full_table *t, const struct full_chunk *ch,
		    bool order_by, struct buf *out, struct err *err)
{
	const char *filter = t->r->sel && t->r->sel->filter ? t->r->sel->filter : "";
	size_t before = out->len;

	bool bits[MY_KEY_PARTS_MAX] = { false };

	full__key_bits(t, bits);
	if (my_chunk_where_sql(c, t->key, bits, &ch->range, false, out, err) < 0)
		return -1;
	if (*filter && buf_printf(out, "%s(%s)", out->len > before ? " AND " : " WHERE ",
				  filter) < 0)
		goto too_long;
	if (order_by && t->key) {
		if (buf_puts(out, " ORDER BY ") < 0)
			goto too_long;
		for (size_t i = 0; i < t->key->n_parts; i++)
			if ((i && buf_putc(out, ',') < 0) ||
			    my_quote_ident(out, t->key->parts[i].column) < 0)
				goto too_long;
	}
	return 0;
too_long:
	err_set(err, ERR_TOO_LARGE, "table %s: SELECT too long", t->tkey);
	return -1;
}

static int quote_dst_ident(const struct full_worker *w, const char *name, struct buf *out)
{
	return w->opts->pg ? pg_quote_ident(out, name) : my_quote_ident(out, name);
}

int full__dst_table_sql(const struct full_worker *w, const struct full_table *t,
			struct buf *out)
{
	if (quote_dst_ident(w, t->dst_schema, out) < 0 || buf_putc(out, '.') < 0)
		return -1;
	return quote_dst_ident(w, t->dst_name, out);
}

/* The key with destination column names, for the range SQL of my_read. */
static void dst_key(const struct full_table *t, struct schema_index *k,
		    struct schema_index_part *parts)
{
	memset(k, 0, sizeof(*k));
	k->n_parts = t->key->n_parts;
	k->parts = parts;
	for (size_t i = 0; i < k->n_parts; i++) {
		memset(&parts[i], 0, sizeof(parts[i]));
		parts[i].column = t->cols[t->key_col[i]].dst;
	}
}

/* PostgreSQL: the same condition as my_chunk_where_sql, "quoted" names and
 * standard literals (the values are numbers and dates: t->key_ordered). */
static int pg_compare(struct buf *out, const struct full_table *t,
		      const struct my_key_values *v, const char *op, const char *last)
{
	int rc = buf_putc(out, '(');

	for (size_t i = 0; rc == 0 && i < t->key->n_parts; i++) {
		rc = buf_puts(out, i ? " OR (" : "(");
		for (size_t j = 0; rc == 0 && j <= i; j++) {
			const char *o = j < i ? "=" : i + 1 == t->key->n_parts ? last : op;

			rc = (j && buf_puts(out, " AND ") < 0) ||
			     pg_quote_ident(out, t->cols[t->key_col[j]].dst) < 0 ||
			     buf_printf(out, " %s '", o) < 0 ||
			     buf_append(out, v->v[j], v->len[j]) < 0 || buf_putc(out, '\'') < 0
			     ? -1 : 0;
		}
		rc = rc == 0 ? buf_putc(out, ')') : -1;
	}
	return rc == 0 ? buf_putc(out, ')') : -1;
}

static int pg_range(struct buf *out, const struct full_table *t, const struct full_chunk *ch,
		    bool order_by)
{
	const struct my_chunk *r = &ch->range;
	int rc = 0;

	if (r->lo || r->hi)
		rc = buf_puts(out, " WHERE ");
	if (rc == 0 && r->lo)
		rc = pg_compare(out, t, r->lo, ">", ">");
	if (rc == 0 && r->lo && r->hi)
		rc = buf_puts(out, " AND ");
	if (rc == 0 && r->hi)
		rc = pg_compare(out, t, r->hi, "<", "<=");
	if (rc == 0 && order_by) {
		rc = buf_puts(out, " ORDER BY ");
		for (size_t i = 0; rc == 0 && i < t->key->n_parts; i++)
			rc = (i && buf_putc(out, ',') < 0) ||
			     pg_quote_ident(out, t->cols[t->key_col[i]].dst) < 0 ? -1 : 0;
	}
	return rc;
}

static bool plain_value(const struct my_key_values *kv)
{
	for (size_t i = 0; kv && i < kv->n; i++)
		for (size_t j = 0; j < kv->len[i]; j++)
			if (kv->v[i][j] == '\'' || kv->v[i][j] == '\\' || kv->v[i][j] == '\0')
				return false;
	return true;
}

int full__dst_range_sql(struct full_worker *w, const struct full_table *t,
			const struct full_chunk *ch, bool order_by, struct buf *out,
			struct err *err)
{
	struct schema_index k;
	struct schema_index_part parts[MY_KEY_PARTS_MAX];

	if (ch->range.whole_table || !t->key)
		return 0;
	if (t->key->n_parts > MY_KEY_PARTS_MAX || (w->opts->pg && (!t->key_ordered ||
		!plain_value(ch->range.lo) || !plain_value(ch->range.hi)))) {
		err_set(err, ERR_INVALID, "table %s: a key range cannot be expressed on the "
			"destination", t->tkey);
		return -1;
	}
	if (w->opts->pg) {
		if (pg_range(out, t, ch, order_by) < 0) {
			err_set(err, ERR_TOO_LARGE, "table %s: range condition too long", t->tkey);
			return -1;
		}
		return 0;
	}
	bool bits[MY_KEY_PARTS_MAX] = { false };

	full__key_bits(t, bits);
	dst_key(t, &k, parts);
	return my_chunk_where_sql(w->dst_my, &k, bits, &ch->range, order_by, out, err);
}

/* ---- the stream --------------------------------------------------------------------- */

static void account(struct copy *c, bool force)
{
	if (!force && c->pend_rows < ACCOUNT_ROWS)
		return;
	atomic_fetch_add(&c->t->rows_done, c->pend_rows);
	atomic_fetch_add(&c->t->bytes_done, c->pend_bytes);
	full__throttle_take(c->w->throttle, c->pend_rows, c->pend_bytes, c->w->ctx->cancel);
	c->counted_rows += c->pend_rows;
	c->counted_bytes += c->pend_bytes;
	c->pend_rows = c->pend_bytes = 0;
}

/* Takes back what a failed attempt added to the table's counters. */
static void unaccount(struct copy *c)
{
	atomic_fetch_sub(&c->t->rows_done, c->counted_rows);
	atomic_fetch_sub(&c->t->bytes_done, c->counted_bytes);
	c->counted_rows = c->counted_bytes = 0;
	c->pend_rows = c->pend_bytes = 0;
}

static int put_pg_row(struct copy *c, char **row, unsigned long *lengths)
{
	struct buf *b = &c->w->row;

	buf_reset(b);
	for (size_t i = 0; i < c->t->n_cols; i++) {
		const struct full_col *col = &c->t->cols[i];

		size_t at;

		if (i)
			buf_putc(b, '\t');
		at = b->len;
		if (pg_copy_encode_value(col->src, &col->map, row[i], row[i] ? lengths[i] : 0,
					 row[i] == NULL, b, &c->err) < 0) {
			char *key = full__row_key_describe(c->t, row, lengths);

			err_prefix(&c->err, "row %s", key);
			free(key);
			return -1;
		}
		/* A value that became NULL: a zero date (docs/type-mapping.md). */
		if (row[i] && b->len - at == 2 && memcmp(b->data + at, "\\N", 2) == 0)
			atomic_fetch_add(&c->t->zero_dates, 1);
	}
	buf_putc(b, '\n');
	return pg_copy_row(c->cp, b, &c->err);
}

/* The writer thread: unpacks batches into the bulk writer. */
static void *writer_main(void *arg)
{
	struct copy *c = arg;
	unsigned n = (unsigned)c->t->n_cols;
	struct buf *b;

	while ((b = full__pipe_pop(c->pipe))) {
		size_t off = 0;
		int rc = 0;

		while (rc == 0 && off < b->len) {
			off = full__batch_get_row(b, off, n, c->vals, c->lengths);
			for (unsigned i = 0; i < n; i++)
				c->lens[i] = c->lengths[i];
			rc = c->load ? my_load_row(c->load, (const char *const *)c->vals, c->lens,
						   &c->err)
				     : put_pg_row(c, c->vals, c->lengths);
			c->written += rc == 0;
		}
		full__batch_free(b);
		if (rc < 0) {
			c->failed = true;
			full__pipe_abort(c->pipe);
			break;
		}
	}
	return NULL;
}

/* Hands the rows read so far to the writer; -1 when the writer stopped. */
static int hand_over(struct copy *c)
{
	struct buf *b = c->batch;

	c->batch = NULL;
	c->batch_rows = 0;
	return b ? full__pipe_push(c->pipe, b) : 0;
}

static int on_row(void *arg, MYSQL_ROW row, unsigned long *lengths, unsigned n)
{
	struct copy *c = arg;
	int64_t bytes = 0;

	if (n != c->t->n_cols)
		BUG("table %s: %u columns read, %zu selected", c->t->tkey, n, c->t->n_cols);
	if (!c->batch)
		c->batch = full__batch_new();
	full__batch_put_row(c->batch, row, lengths, n);
	for (unsigned i = 0; i < n; i++)
		bytes += row[i] ? (int64_t)lengths[i] : 0;
	c->rows++;
	c->pend_rows++;
	c->pend_bytes += bytes;
	account(c, false);
	if ((c->batch->len >= BATCH_BYTES || ++c->batch_rows >= BATCH_ROWS) && hand_over(c) < 0)
		return 1;
	if ((c->rows & 255) == 0 && step_cancelled(c->w->ctx)) {
		c->cancelled = true;
		return 1;
	}
	return 0;
}

/* ---- finding a refused row ------------------------------------------------------------ */

struct find {
	const struct full_table *t;
	int64_t want, seen;
	char *key;
};

static int find_row(void *arg, MYSQL_ROW row, unsigned long *lengths, unsigned n)
{
	struct find *f = arg;

	(void)n;
	if (++f->seen < f->want)
		return 0;
	f->key = full__row_key_describe(f->t, row, lengths);
	return 1;
}

/* The row number a writer's error names: MySQL "row N refused", PostgreSQL
 * the COPY line (pg_copy_end's *rows). 0 when none. */
static int64_t refused_row(const struct copy *c, int64_t pg_line)
{
	const char *p;
	long long n;

	if (c->cp || pg_line > 0)
		return pg_line;
	p = strstr(c->err.msg, ": row ");
	if (!p || sscanf(p + 6, "%lld refused", &n) != 1 || n < 1)
		return 0;
	return n;
}

/* Rewrites c->err as "row (id)=(7) refused: <writer's message>". */
static void name_refused_row(struct copy *c, const char *select_sql, int64_t row_no)
{
	struct find f = { .t = c->t, .want = row_no };
	struct err e = { 0 };

	if (row_no <= 0 || !select_sql)
		return;
	my_chunk_stream(c->w->src, select_sql, find_row, &f, &e);
	if (f.key) {
		err_prefix(&c->err, "row %s refused", f.key);
		free(f.key);
	}
}

/* ---- writers ---------------------------------------------------------------------- */

static int writer_begin(struct copy *c, bool stage, struct err *err)
{
	const struct full_table *t = c->t;
	const char **cols = xcalloc(t->n_cols, sizeof(*cols));

	for (size_t i = 0; i < t->n_cols; i++)
		cols[i] = t->cols[i].dst;
	if (c->w->opts->pg)
		c->cp = pg_copy_begin(c->w->dst_pg, stage ? "pg_temp" : t->dst_schema,
				      stage ? STAGE : t->dst_name, cols, t->n_cols, err);
	else
		c->load = my_load_begin(c->w->dst_my, t->dst_schema, t->dst_name, cols,
					t->n_cols, err);
	free(cols);
	return c->cp || c->load ? 0 : -1;
}

static void writer_abort(struct copy *c)
{
	struct err ignored = { 0 };

	if (c->load)
		my_load_end(c->load, NULL, NULL, &ignored);
	pg_copy_abort(c->cp);
	c->load = NULL;
	c->cp = NULL;
}

/* Ends the writer; on a refused row, *line is its number (PostgreSQL). */
static int writer_end(struct copy *c, int64_t *written, int64_t *line, struct err *err)
{
	int rc;

	*line = 0;
	if (c->load) {
		rc = my_load_end(c->load, written, NULL, err);
	} else {
		rc = pg_copy_end(c->cp, written, err);
		if (rc < 0 && err->code == ERR_DB)
			*line = *written;
	}
	c->load = NULL;
	c->cp = NULL;
	return rc;
}

/* ---- one pass: a SELECT on the source into the destination ------------------------ */

/* Reads select_sql on this thread while a writer thread loads the rows.
 * Returns like my_chunk_stream: 0, 1 (stopped early) or -1 (source error,
 * in err). The writer's outcome is in c->failed / c->err. */
static int read_and_write(struct copy *c, const char *select_sql, struct err *err)
{
	size_t n = c->t->n_cols ? c->t->n_cols : 1;
	pthread_t tid;
	int rc;

	c->vals = xcalloc(n, sizeof(*c->vals));
	c->lengths = xcalloc(n, sizeof(*c->lengths));
	c->lens = xcalloc(n, sizeof(*c->lens));
	c->pipe = full__pipe_new(PIPE_DEPTH);
	if (pthread_create(&tid, NULL, writer_main, c) != 0)
		BUG("cannot start a writer thread");
	rc = my_chunk_stream(c->w->src, select_sql, on_row, c, err);
	if (rc == 0 && hand_over(c) < 0)
		rc = 1;
	full__batch_free(c->batch);
	c->batch = NULL;
	if (rc != 0)
		full__pipe_abort(c->pipe);
	full__pipe_finish(c->pipe);
	pthread_join(tid, NULL);
	full__pipe_free(c->pipe);
	c->pipe = NULL;
	free(c->vals);
	free(c->lengths);
	free(c->lens);
	return rc;
}

static int stream_into(struct copy *c, const char *select_sql, bool stage, struct err *err)
{
	int64_t written = 0, line = 0;
	int rc;

	if (writer_begin(c, stage, err) < 0)
		return -1;
	rc = read_and_write(c, select_sql, err);
	if (c->failed && !(c->cp && c->err.code == ERR_CONNECT)) {
		writer_abort(c);
		*err = c->err;
		return -1;
	}
	if (!c->failed && (rc != 0 || c->cancelled)) {
		writer_abort(c);
		if (c->cancelled)
			err_set(err, ERR_CANCELLED, "copy of table %s cancelled", c->t->tkey);
		else if (rc > 0)
			err_set(err, ERR_INTERNAL, "copy of table %s stopped early", c->t->tkey);
		return -1;
	}
	/* Done, or a failed pg_copy_row: the server may have ended the COPY
	 * with its reason, which pg_copy_end() reports. */
	if (writer_end(c, &written, &line, err) < 0) {
		c->err = *err;
		name_refused_row(c, select_sql, refused_row(c, line));
		*err = c->err;
		return -1;
	}
	if (written != c->rows) {
		err_set(err, ERR_DB, "table %s: the destination stored %" PRId64 " of %" PRId64
			" rows", c->t->tkey, written, c->rows);
		return -1;
	}
	return 0;
}

static int pg_exec(struct full_worker *w, const char *sql, struct err *err)
{
	return pg_query_value(w->dst_pg, sql, NULL, err);
}

/* BEGIN and a temporary table shaped like the destination table. */
static int stage_begin(struct full_worker *w, const struct full_table *t, struct err *err)
{
	struct buf *q = &w->sql;

	buf_reset(q);
	buf_puts(q, "CREATE TEMP TABLE " STAGE " (LIKE ");
	full__dst_table_sql(w, t, q);
	buf_puts(q, " INCLUDING DEFAULTS) ON COMMIT DROP");
	if (pg_exec(w, "BEGIN", err) < 0 || pg_exec(w, buf_cstr(q), err) < 0)
		return -1;
	return 0;
}

static void put_dst_columns(struct buf *q, const struct full_table *t)
{
	for (size_t i = 0; i < t->n_cols; i++) {
		if (i)
			buf_putc(q, ',');
		pg_quote_ident(q, t->cols[i].dst);
	}
}

/* Replaces the destination rows with the staged ones (same keys), commits. */
static int stage_merge(struct full_worker *w, const struct full_table *t, struct err *err)
{
	struct buf *q = &w->sql;
	int rc = 0;

	buf_reset(q);
	buf_puts(q, "DELETE FROM ");
	full__dst_table_sql(w, t, q);
	buf_puts(q, " d USING " STAGE " s WHERE ");
	for (size_t i = 0; i < t->key->n_parts; i++) {
		const char *k = t->cols[t->key_col[i]].dst;

		buf_puts(q, i ? " AND d." : "d.");
		pg_quote_ident(q, k);
		buf_puts(q, " = s.");
		pg_quote_ident(q, k);
	}
	rc = pg_exec(w, buf_cstr(q), err);
	buf_reset(q);
	buf_puts(q, "INSERT INTO ");
	full__dst_table_sql(w, t, q);
	buf_putc(q, '(');
	put_dst_columns(q, t);
	buf_puts(q, ") SELECT ");
	put_dst_columns(q, t);
	buf_puts(q, " FROM " STAGE);
	if (rc == 0)
		rc = pg_exec(w, buf_cstr(q), err);
	if (rc == 0)
		rc = pg_exec(w, "COMMIT", err);
	return rc;
}

static int clear_range(struct full_worker *w, const struct full_table *t,
		       const struct full_chunk *ch, struct err *err)
{
	struct buf *q = &w->sql;

	buf_reset(q);
	buf_puts(q, "DELETE FROM ");
	full__dst_table_sql(w, t, q);
	if (full__dst_range_sql(w, t, ch, false, q, err) < 0)
		return -1;
	return w->opts->pg ? pg_exec(w, buf_cstr(q), err) : my_query(w->dst_my, buf_cstr(q), err);
}

static int copy_pass(struct full_worker *w, struct full_table *t, const char *select_sql,
		     bool stage, bool count, int64_t *rows, struct err *err)
{
	struct copy c = { .w = w, .t = t };
	int rc;

	if (stage && stage_begin(w, t, err) < 0)
		return -1;
	rc = stream_into(&c, select_sql, stage, err);
	if (rc == 0 && stage)
		rc = stage_merge(w, t, err);
	if (rc < 0 && stage && w->dst_pg) {
		struct err ignored = { 0 };
		pg_exec(w, "ROLLBACK", &ignored);
	}
	if (rc == 0 && count)
		account(&c, true);
	else
		unaccount(&c);
	*rows = c.rows;
	return rc;
}


int full__copy_chunk(struct full_worker *w, struct full_table *t, struct full_chunk *ch,
		     struct err *err)
{
	char *select_sql = NULL;
	bool stage = false;
	int64_t rows = 0;
	int rc = -1;

	buf_reset(&w->sql);
	if (full__src_select(t, &w->sql) < 0 ||
	    full__src_where(w->src, t, ch, true, &w->sql, err) < 0) {
		if (!err->code)
			err_set(err, ERR_TOO_LARGE, "table %s: SELECT too long", t->tkey);
		goto out;
	}
	select_sql = xstrdup(buf_cstr(&w->sql));
	if (ch->in_doubt) {
		if (!w->opts->pg || !t->key || t->key_ordered) {
			if (clear_range(w, t, ch, err) < 0)
				goto out;
		} else {
			stage = true;
		}
	}
	rc = copy_pass(w, t, select_sql, stage, true, &rows, err);
	if (rc == 0)
		ch->rows = rows;
out:
	if (rc < 0 && err->code != ERR_CANCELLED) {
		char *range = full__chunk_describe(t, ch);
		err_prefix(err, "table %s, chunk %s", t->tkey, range);
		free(range);
	}
	free(select_sql);
	return rc;
}

int full__copy_select(struct full_worker *w, struct full_table *t, const char *src_sql,
		      int64_t *rows, struct err *err)
{
	*rows = 0;
	return copy_pass(w, t, src_sql, false, false, rows, err);
}
