/*
 * sqlite_int.h - shared internals of the SQLite metastore driver
 * (sqlite.c, sqlite_jobs.c, sqlite_items.c, migrations.c). Nothing outside
 * src/meta/ includes this.
 *
 * One `struct sq` is one sqlite3 connection with its cache of prepared
 * statements; it belongs to the thread that opened it, like its `struct meta`.
 */
#ifndef OPENDTS_META_SQLITE_INT_H
#define OPENDTS_META_SQLITE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "meta/driver.h"
#include "util/buf.h"
#include "util/err.h"

/* The cached statements of a connection, prepared on first use. */
enum sq_stmt_id {
	SQ_BEGIN,
	SQ_BEGIN_WRITE,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_JOB_INSERT,
	SQ_JOB_GET,
	SQ_JOB_GET_BY_INSTANCE,
	SQ_JOB_UPDATE,
	SQ_JOB_SET_STATUS,
	SQ_JOB_DELETE,
	SQ_SUB_PUT,
	SQ_SUB_GET,
	SQ_SUB_LIST,
	SQ_ITEM_PUT,
	SQ_LOG_ADD,
	SQ_LOGS_CLEAR,
	SQ_ITEMS_CLEAR,
	SQ_SUBTASKS_CLEAR,
	SQ_SKIP_NAME_ADD,
	SQ_SKIP_APPLY,
	SQ_SKIP_NAMES_CLEAR,
	SQ_CP_PUT,
	SQ_CP_GET,
	SQ_CP_CLEAR,
	SQ_SET_PUT,
	SQ_SET_GET,
	SQ__COUNT
};

struct sq {
	sqlite3 *db;
	int version;                      /* schema version after migrations */
	sqlite3_stmt *stmt[SQ__COUNT];    /* NULL until first use */
};

static inline struct sq *meta__sq(struct meta *m)
{
	return m->conn;
}

/* ---- record <-> row mapping -------------------------------------------
 * A table lists the columns of a record in one order; the same list drives
 * the generated SQL (column lists, placeholders ?1..?n, SET clauses), the
 * binds and the reads, so they cannot drift apart. */

enum sq_col_type {
	SQ_TEXT,    /* char *, bound "" (or dflt) when NULL */
	SQ_FIXED,   /* char[size], NUL-terminated */
	SQ_INT,     /* int */
	SQ_I64,     /* int64_t */
	SQ_BOOL,    /* bool, stored 0/1 */
	SQ_KIND,    /* enum meta_item_kind */
};

struct sq_col {
	const char *name;
	enum sq_col_type type;
	size_t off;
	size_t size;            /* SQ_FIXED: array size */
	const char *dflt;       /* SQ_TEXT: stored when the field is NULL or "" */
	bool keep;              /* not changed by UPDATE / upsert */
};

struct sq_table {
	const char *name;
	const struct sq_col *cols;
	size_t n;
};

extern const struct sq_table meta__sq_jobs;
extern const struct sq_table meta__sq_subtasks;
extern const struct sq_table meta__sq_items;     /* without id */

/* Appends "c1, c2, ..." (with `prefix` before each name, e.g. "i."). */
void meta__sq_cols_sql(struct buf *b, const struct sq_table *t, const char *prefix);
/* Binds the record's fields to ?first .. ?first+n-1. */
void meta__sq_bind_rec(sqlite3_stmt *st, int first, const struct sq_table *t,
		       const void *rec);
/* Reads columns first .. first+n-1 into the record (heap strings). */
void meta__sq_read_rec(sqlite3_stmt *st, int first, const struct sq_table *t, void *rec);
/* Heap copy of a text column, "" for NULL. */
char *meta__sq_text(sqlite3_stmt *st, int col);
/* Binds a C string (NULL binds ""); the text must outlive the step. */
void meta__sq_bind_str(sqlite3_stmt *st, int idx, const char *s);
/* Room for record n in arr (capacity *cap records of elem bytes); new room
 * is zeroed. Returns the (possibly moved) array. */
void *meta__sq_grow(void *arr, size_t *cap, size_t n, size_t elem);

/* ---- statements and errors ---------------------------------------------- */

/* The cached statement `id`, prepared on first use; NULL with err set. */
sqlite3_stmt *meta__sq_stmt(struct sq *s, enum sq_stmt_id id, struct err *err);
/* Prepares a one-off statement (dynamic filters); NULL with err set. */
sqlite3_stmt *meta__sq_prepare(struct sq *s, const char *sql, struct err *err);
/* Resets a cached statement and drops its bindings. */
void meta__sq_done(sqlite3_stmt *st);
/* Sets err from the connection's last error: "<what>: <sqlite message>". */
int meta__sq_fail(struct sq *s, const char *what, struct err *err);
/* Steps a cached statement that returns no row, then meta__sq_done(). */
int meta__sq_run(struct sq *s, sqlite3_stmt *st, const char *what, struct err *err);

/* Starts a transaction unless one is open on the connection (meta_begin);
 * *owned tells whether the matching meta__sq_tx_end() must finish it. Write
 * transactions are IMMEDIATE so they wait for the lock up front instead of
 * failing on a stale snapshot. */
int meta__sq_tx_begin(struct sq *s, bool write, bool *owned, struct err *err);
/* Commits (rc == 0) or rolls back an owned transaction; returns rc, or -1 if
 * the commit failed. */
int meta__sq_tx_end(struct sq *s, bool owned, int rc, struct err *err);

/* ---- dynamic WHERE clauses (list filters) -------------------------------
 * Only fixed SQL fragments go into the text; every value is bound. */

#define SQ_QUERY_MAX_ARGS 16

struct sq_query {
	struct buf where;                 /* "a = ? AND b = ?" ("1" when empty) */
	int n;
	struct {
		const char *s;            /* NULL: integer i */
		int64_t i;
	} arg[SQ_QUERY_MAX_ARGS];
	char *owned[4];                   /* LIKE patterns built here */
	int n_owned;
};

void meta__sq_query_init(struct sq_query *q);
void meta__sq_query_release(struct sq_query *q);
/* Adds "AND <frag>", binding s to every '?' in frag. */
void meta__sq_query_text(struct sq_query *q, const char *frag, const char *s);
void meta__sq_query_int(struct sq_query *q, const char *frag, int64_t i);
/* Adds a case-insensitive substring match: frag uses "LIKE ? ESCAPE '\'" and
 * `needle` has %, _ and \ escaped. */
void meta__sq_query_like(struct sq_query *q, const char *frag, const char *needle);
const char *meta__sq_query_where(const struct sq_query *q);
/* Binds the arguments to ?1..?n; returns n (the next index is n + 1). */
int meta__sq_query_bind(sqlite3_stmt *st, const struct sq_query *q);
/* *count = SELECT count(*) FROM table WHERE <q>. */
int meta__sq_count(struct sq *s, const char *table, const struct sq_query *q,
		   int64_t *count, struct err *err);

/* ---- migrations.c --------------------------------------------------------- */
int meta__sqlite_migrate(sqlite3 *db, int *version, struct err *err);
int meta__sqlite_schema_latest(void);

/* ---- sqlite_jobs.c ------------------------------------------------------- */
int meta__sq_job_insert(struct meta *m, const struct meta_job *j, struct err *err);
int meta__sq_job_get(struct meta *m, const char *id, struct meta_job *out,
		     struct err *err);
int meta__sq_job_get_by_instance(struct meta *m, const char *instance_id,
				 struct meta_job *out, struct err *err);
int meta__sq_job_update(struct meta *m, const struct meta_job *j, struct err *err);
int meta__sq_job_set_status(struct meta *m, const char *id, const char *status,
			    const char *error_message, int64_t now_ms, struct err *err);
int meta__sq_job_delete(struct meta *m, const char *id, struct err *err);
int meta__sq_job_list(struct meta *m, const struct meta_job_filter *f,
		      struct meta_job **out, size_t *n, int64_t *total, struct err *err);
int meta__sq_subtask_put(struct meta *m, const struct meta_subtask *s, struct err *err);
int meta__sq_subtask_get(struct meta *m, const char *job_id, const char *code,
			 struct meta_subtask *out, struct err *err);
int meta__sq_subtask_list(struct meta *m, const char *job_id,
			  struct meta_subtask **out, size_t *n, struct err *err);
int meta__sq_checkpoint_put(struct meta *m, const char *job_id, const char *key,
			    const char *value, struct err *err);
int meta__sq_checkpoint_get(struct meta *m, const char *job_id, const char *key,
			    char **value, struct err *err);
int meta__sq_subtasks_clear(struct meta *m, const char *job_id, struct err *err);
int meta__sq_checkpoint_clear(struct meta *m, const char *job_id, const char *prefix,
			      struct err *err);
int meta__sq_setting_put(struct meta *m, const char *key, const char *value,
			 struct err *err);
int meta__sq_setting_get(struct meta *m, const char *key, char **value,
			 struct err *err);

/* ---- sqlite_items.c ------------------------------------------------------ */
int meta__sq_item_put(struct meta *m, struct meta_item *it, struct err *err);
int meta__sq_item_log_add(struct meta *m, int64_t item_id, const struct meta_log *log,
			  struct err *err);
int meta__sq_item_logs_clear(struct meta *m, int64_t item_id, struct err *err);
int meta__sq_items_clear(struct meta *m, const char *job_id, const char *code,
			 int kind, struct err *err);
int meta__sq_item_list(struct meta *m, const struct meta_item_filter *f,
		       struct meta_item **out, size_t *n, int64_t *total, struct err *err);
int meta__sq_item_count(struct meta *m, const struct meta_item_filter *f,
			bool only_unskipped, int64_t *count, struct err *err);
int meta__sq_item_set_skip(struct meta *m, const char *job_id, const char *code,
			   const char *const *items, size_t n_items, bool skip,
			   int64_t *changed, struct err *err);

#endif
