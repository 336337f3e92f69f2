/*
 * sqlite_items.c - progress items and their logs in the SQLite metastore
 * driver (the ProgressInfo rows of DescribePreCheckStatus).
 *
 * Steps write thousands of items per job, so meta_item_put is one cached
 * upsert statement with RETURNING (no extra SELECT). Lists read a page of
 * items and then the logs of that page in a single query, all inside one read
 * transaction so the total, the page and the logs agree.
 *
 * Threads: every function runs on the thread that owns the connection.
 * Records filled here were zeroed by meta.c and hold heap strings afterwards.
 */
#include "meta/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define LIMIT_ALL (-1)   /* SQLite: a negative LIMIT means none */
#define LIKE_ITEM "(item LIKE ? ESCAPE '\\' OR target_names LIKE ? ESCAPE '\\')"

int meta__sq_item_put(struct meta *m, struct meta_item *it, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_ITEM_PUT, err);
	int rc;

	if (!st)
		return -1;
	meta__sq_bind_rec(st, 1, &meta__sq_items, it);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		it->id = sqlite3_column_int64(st, 0);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			err_set(err, ERR_NOT_FOUND, "job \"%s\" not found", it->job_id);
		else
			meta__sq_fail(s, "writing a progress item", err);
	}
	meta__sq_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int meta__sq_item_log_add(struct meta *m, int64_t item_id, const struct meta_log *log,
			  struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_LOG_ADD, err);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, item_id);
	meta__sq_bind_str(st, 2, log->err_data);
	meta__sq_bind_str(st, 3, log->err_msg);
	meta__sq_bind_str(st, 4, log->log_level);
	meta__sq_bind_str(st, 5, log->err_type);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			err_set(err, ERR_NOT_FOUND, "item %lld not found", (long long)item_id);
		else
			meta__sq_fail(s, "writing an item log", err);
	}
	meta__sq_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int meta__sq_item_logs_clear(struct meta *m, int64_t item_id, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_LOGS_CLEAR, err);

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, item_id);
	return meta__sq_run(s, st, "clearing item logs", err);
}

int meta__sq_items_clear(struct meta *m, const char *job_id, const char *code,
			 int kind, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_ITEMS_CLEAR, err);

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, job_id);
	meta__sq_bind_str(st, 2, code);
	sqlite3_bind_int(st, 3, kind < 0 ? -1 : kind);
	return meta__sq_run(s, st, "clearing progress items", err);
}

int meta__sq_subtasks_clear(struct meta *m, const char *job_id, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_SUBTASKS_CLEAR, err);

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, job_id);
	return meta__sq_run(s, st, "clearing subtasks", err);
}

static void item_filter(struct sq_query *q, const struct meta_item_filter *f)
{
	meta__sq_query_text(q, "job_id = ?", f->job_id);
	meta__sq_query_text(q, "code = ?", f->code);
	if (f->kind >= 0)
		meta__sq_query_int(q, "kind = ?", f->kind);
	if (f->struct_type)
		meta__sq_query_text(q, "struct_type = ?", f->struct_type);
	if (f->phase)
		meta__sq_query_text(q, "phase = ? COLLATE NOCASE", f->phase);
	if (f->name_like && *f->name_like)
		meta__sq_query_like(q, LIKE_ITEM, f->name_like);
	if (f->state)
		meta__sq_query_text(q, "state = ?", f->state);
}

/* head + "SELECT <what> FROM items WHERE <filter> ORDER BY ... LIMIT ?
 * OFFSET ?" + tail, prepared and bound: the page, alone or inside a query. */
static sqlite3_stmt *page_stmt(struct sq *s, const struct meta_item_filter *f,
			       const struct sq_query *q, const char *what,
			       const char *head, const char *tail, struct err *err)
{
	struct buf sql;
	sqlite3_stmt *st;
	int k;

	buf_init(&sql, BUF_UNLIMITED);
	buf_printf(&sql, "%sSELECT %s FROM items WHERE %s ORDER BY order_num, id"
		   " LIMIT ? OFFSET ?%s", head, what, meta__sq_query_where(q), tail);
	st = meta__sq_prepare(s, buf_cstr(&sql), err);
	buf_release(&sql);
	if (!st)
		return NULL;
	k = meta__sq_query_bind(st, q);
	sqlite3_bind_int64(st, k + 1, f->limit > 0 ? f->limit : LIMIT_ALL);
	sqlite3_bind_int64(st, k + 2, f->offset > 0 ? f->offset : 0);
	return st;
}

static int read_page(struct sq *s, const struct meta_item_filter *f,
		     const struct sq_query *q, struct meta_item **out, size_t *n,
		     struct err *err)
{
	struct buf cols;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	buf_init(&cols, BUF_UNLIMITED);
	buf_puts(&cols, "id, ");
	meta__sq_cols_sql(&cols, &meta__sq_items, "");
	st = page_stmt(s, f, q, buf_cstr(&cols), "", "", err);
	buf_release(&cols);
	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = meta__sq_grow(*out, &cap, *n, sizeof(**out));
		(*out)[*n].id = sqlite3_column_int64(st, 0);
		meta__sq_read_rec(st, 1, &meta__sq_items, &(*out)[*n]);
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		meta__sq_fail(s, "listing progress items", err);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

struct id_pos {
	int64_t id;
	size_t pos;
};

static int id_pos_cmp(const void *a, const void *b)
{
	const struct id_pos *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static void log_append(struct meta_item *it, sqlite3_stmt *st)
{
	size_t n = it->n_logs;
	struct meta_log *l;

	/* Capacity doubles at powers of two, so it needs no field of its own. */
	if ((n & (n - 1)) == 0)
		it->logs = xrealloc(it->logs, (n ? 2 * n : 1) * sizeof(*it->logs));
	l = &it->logs[n];
	l->err_data = meta__sq_text(st, 1);
	l->err_msg = meta__sq_text(st, 2);
	l->log_level = meta__sq_text(st, 3);
	l->err_type = meta__sq_text(st, 4);
	it->n_logs = n + 1;
}

/* Attaches the logs of the page's items with one query over the same page. */
static int read_logs(struct sq *s, const struct meta_item_filter *f,
		     const struct sq_query *q, struct meta_item *items, size_t n,
		     struct err *err)
{
	struct id_pos *map = xmalloc(n * sizeof(*map));
	struct id_pos key, *hit;
	sqlite3_stmt *st;
	int rc;

	for (size_t i = 0; i < n; i++)
		map[i] = (struct id_pos){ items[i].id, i };
	qsort(map, n, sizeof(*map), id_pos_cmp);
	st = page_stmt(s, f, q, "id",
		       "SELECT item_id, err_data, err_msg, log_level, err_type"
		       " FROM item_logs WHERE item_id IN (",
		       ") ORDER BY item_id, id", err);
	if (!st) {
		free(map);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		key.id = sqlite3_column_int64(st, 0);
		hit = bsearch(&key, map, n, sizeof(*map), id_pos_cmp);
		if (hit)
			log_append(&items[hit->pos], st);
	}
	if (rc != SQLITE_DONE)
		meta__sq_fail(s, "listing item logs", err);
	sqlite3_finalize(st);
	free(map);
	return rc == SQLITE_DONE ? 0 : -1;
}

int meta__sq_item_list(struct meta *m, const struct meta_item_filter *f,
		       struct meta_item **out, size_t *n, int64_t *total, struct err *err)
{
	struct sq *s = meta__sq(m);
	struct sq_query q;
	bool owned;
	int rc = -1;

	meta__sq_query_init(&q);
	item_filter(&q, f);
	if (meta__sq_tx_begin(s, false, &owned, err) < 0)
		goto cleanup;
	rc = 0;
	if (total && meta__sq_count(s, "items", &q, total, err) < 0)
		rc = -1;
	if (rc == 0)
		rc = read_page(s, f, &q, out, n, err);
	if (rc == 0 && *n > 0)
		rc = read_logs(s, f, &q, *out, *n, err);
	rc = meta__sq_tx_end(s, owned, rc, err);
cleanup:
	meta__sq_query_release(&q);
	if (rc < 0) {
		for (size_t i = 0; i < *n; i++)
			meta_item_release(&(*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int meta__sq_item_count(struct meta *m, const struct meta_item_filter *f,
			bool only_unskipped, int64_t *count, struct err *err)
{
	struct sq_query q;
	int rc;

	meta__sq_query_init(&q);
	item_filter(&q, f);
	if (only_unskipped)
		meta__sq_query_int(&q, "skip = ?", 0);
	rc = meta__sq_count(meta__sq(m), "items", &q, count, err);
	meta__sq_query_release(&q);
	return rc;
}

/* Fills the connection's temp.skip_names with the requested names. */
static int skip_names_load(struct sq *s, const char *const *items, size_t n,
			   struct err *err)
{
	sqlite3_stmt *clear = meta__sq_stmt(s, SQ_SKIP_NAMES_CLEAR, err);
	sqlite3_stmt *add = clear ? meta__sq_stmt(s, SQ_SKIP_NAME_ADD, err) : NULL;

	if (!add || meta__sq_run(s, clear, "preparing the skip list", err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!items[i])
			continue;
		meta__sq_bind_str(add, 1, items[i]);
		if (meta__sq_run(s, add, "preparing the skip list", err) < 0)
			return -1;
	}
	return 0;
}

/* The names go through a temporary table so that a row matching several of
 * them (by Item and by Names) is changed, and counted, once. */
int meta__sq_item_set_skip(struct meta *m, const char *job_id, const char *code,
			   const char *const *items, size_t n_items, bool skip,
			   int64_t *changed, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *apply;
	bool owned;
	int rc = -1;

	*changed = 0;
	if (n_items == 0)
		return 0;
	if (meta__sq_tx_begin(s, true, &owned, err) < 0)
		return -1;
	if (skip_names_load(s, items, n_items, err) < 0)
		goto cleanup;
	apply = meta__sq_stmt(s, SQ_SKIP_APPLY, err);
	if (!apply)
		goto cleanup;
	meta__sq_bind_str(apply, 1, job_id);
	meta__sq_bind_str(apply, 2, code);
	sqlite3_bind_int(apply, 3, skip ? 1 : 0);
	meta__sq_bind_str(apply, 4, skip ? "Y" : "N");
	if (meta__sq_run(s, apply, "setting item skip flags", err) < 0)
		goto cleanup;
	*changed = sqlite3_changes64(s->db);
	rc = skip_names_load(s, NULL, 0, err);
cleanup:
	return meta__sq_tx_end(s, owned, rc, err);
}
