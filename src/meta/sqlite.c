/*
 * sqlite.c - the SQLite metastore driver: opening a connection (WAL, foreign
 * keys, busy timeout, migrations), the per-connection cache of prepared
 * statements, error conversion, transactions and the record <-> row tables.
 * The record operations live in sqlite_jobs.c and sqlite_items.c.
 *
 * Threads: a connection (struct sq) is used only by the thread that opened
 * it, so it is opened with SQLITE_OPEN_NOMUTEX and needs no lock of its own.
 * Several threads and processes share the database file through WAL; writers
 * wait for each other up to BUSY_TIMEOUT_MS instead of failing at once.
 *
 * Ownership: struct sq and its statements belong to the struct meta that
 * holds it (m->conn) and are released by sq_close().
 */
#include "meta/sqlite_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "util/log.h"
#include "util/xalloc.h"

#define BUSY_TIMEOUT_MS 5000

/* ---- record tables ------------------------------------------------------- */

#define COL(T, name, type, field, dflt, keep) \
	{ name, type, offsetof(T, field), sizeof(((T *)0)->field), dflt, keep }
#define TXT(T, name, field)  COL(T, name, SQ_TEXT, field, NULL, false)
#define FIX(T, name, field)  COL(T, name, SQ_FIXED, field, NULL, false)
#define I64(T, name, field)  COL(T, name, SQ_I64, field, NULL, false)
#define BOOL(T, name, field) COL(T, name, SQ_BOOL, field, NULL, false)
#define ENDPOINT(p, f)                                                   \
	TXT(struct meta_job, p "_instance_type", f.instance_type),        \
	TXT(struct meta_job, p "_engine", f.engine),                      \
	TXT(struct meta_job, p "_ip", f.ip),                              \
	COL(struct meta_job, p "_port", SQ_INT, f.port, NULL, false),     \
	TXT(struct meta_job, p "_user", f.user),                          \
	TXT(struct meta_job, p "_password", f.password),                  \
	TXT(struct meta_job, p "_database", f.database),                  \
	TXT(struct meta_job, p "_region", f.region),                      \
	TXT(struct meta_job, p "_instance_id", f.instance_id)

/* id stays (it is the key) and so does create_ms: meta_job_update never
 * rewrites when the job was created. */
static const struct sq_col job_cols[] = {
	COL(struct meta_job, "id", SQ_FIXED, id, NULL, true),
	FIX(struct meta_job, "instance_id", instance_id),
	TXT(struct meta_job, "name", name),
	TXT(struct meta_job, "job_type", job_type),
	TXT(struct meta_job, "status", status),
	TXT(struct meta_job, "region", region),
	TXT(struct meta_job, "instance_class", instance_class),
	TXT(struct meta_job, "pay_type", pay_type),
	BOOL(struct meta_job, "configured", configured),
	BOOL(struct meta_job, "structure_init", structure_init),
	BOOL(struct meta_job, "data_init", data_init),
	BOOL(struct meta_job, "data_sync", data_sync),
	ENDPOINT("src", src),
	ENDPOINT("dst", dst),
	TXT(struct meta_job, "db_list", db_list),
	TXT(struct meta_job, "reserve", reserve),
	TXT(struct meta_job, "error_message", error_message),
	I64(struct meta_job, "checkpoint", checkpoint),
	COL(struct meta_job, "create_ms", SQ_I64, create_ms, NULL, true),
	I64(struct meta_job, "update_ms", update_ms),
	I64(struct meta_job, "boot_ms", boot_ms),
	I64(struct meta_job, "finish_ms", finish_ms),
	TXT(struct meta_job, "desired", desired),
	I64(struct meta_job, "generation", generation),
};

static const struct sq_col subtask_cols[] = {
	COL(struct meta_subtask, "job_id", SQ_FIXED, job_id, NULL, true),
	COL(struct meta_subtask, "code", SQ_FIXED, code, NULL, true),
	FIX(struct meta_subtask, "step_id", step_id),
	TXT(struct meta_subtask, "job_name", job_name),
	TXT(struct meta_subtask, "state", state),
	TXT(struct meta_subtask, "error_message", error_message),
	I64(struct meta_subtask, "boot_ms", boot_ms),
	I64(struct meta_subtask, "finish_ms", finish_ms),
	I64(struct meta_subtask, "progress", progress),
	I64(struct meta_subtask, "total", total),
	I64(struct meta_subtask, "generation", generation),
};

/* The conflict key stays, and so do skip and ignore_flag: they belong to the
 * user (SkipPreCheck), not to the step that re-writes the item. */
static const struct sq_col item_cols[] = {
	COL(struct meta_item, "job_id", SQ_FIXED, job_id, NULL, true),
	COL(struct meta_item, "code", SQ_FIXED, code, NULL, true),
	COL(struct meta_item, "kind", SQ_KIND, kind, NULL, true),
	TXT(struct meta_item, "struct_type", struct_type),
	COL(struct meta_item, "key", SQ_TEXT, key, NULL, true),
	TXT(struct meta_item, "phase", phase),
	COL(struct meta_item, "order_num", SQ_INT, order_num, NULL, false),
	TXT(struct meta_item, "item", item),
	TXT(struct meta_item, "names", names),
	TXT(struct meta_item, "state", state),
	BOOL(struct meta_item, "can_skip", can_skip),
	COL(struct meta_item, "skip", SQ_BOOL, skip, NULL, true),
	COL(struct meta_item, "ignore_flag", SQ_TEXT, ignore_flag, "N", true),
	TXT(struct meta_item, "err_msg", err_msg),
	TXT(struct meta_item, "err_detail", err_detail),
	TXT(struct meta_item, "repair_method", repair_method),
	I64(struct meta_item, "boot_ms", boot_ms),
	I64(struct meta_item, "finish_ms", finish_ms),
	TXT(struct meta_item, "source_schema", source_schema),
	TXT(struct meta_item, "dest_schema", dest_schema),
	TXT(struct meta_item, "target_names", target_names),
	TXT(struct meta_item, "parent_obj", parent_obj),
	TXT(struct meta_item, "ddl_sql", ddl_sql),
	I64(struct meta_item, "delay_seconds", delay_seconds),
	I64(struct meta_item, "current", current),
	I64(struct meta_item, "total", total),
	COL(struct meta_item, "sub", SQ_TEXT, sub, "[]", false),
	I64(struct meta_item, "diff_row", diff_row),
};

#define TABLE(name, cols) { name, cols, sizeof(cols) / sizeof(cols[0]) }
const struct sq_table meta__sq_jobs = TABLE("jobs", job_cols);
const struct sq_table meta__sq_subtasks = TABLE("subtasks", subtask_cols);
const struct sq_table meta__sq_items = TABLE("items", item_cols);

/* ---- binding and reading records ---------------------------------------- */

void meta__sq_bind_str(sqlite3_stmt *st, int idx, const char *s)
{
	sqlite3_bind_text(st, idx, s ? s : "", -1, SQLITE_STATIC);
}

static void bind_col(sqlite3_stmt *st, int idx, const struct sq_col *c, const char *p)
{
	const char *s;

	switch (c->type) {
	case SQ_TEXT:
		s = *(char *const *)p;
		if (c->dflt && (!s || !*s))
			s = c->dflt;
		meta__sq_bind_str(st, idx, s);
		break;
	case SQ_FIXED:
		sqlite3_bind_text(st, idx, p, (int)strnlen(p, c->size), SQLITE_STATIC);
		break;
	case SQ_INT:
		sqlite3_bind_int(st, idx, *(const int *)p);
		break;
	case SQ_I64:
		sqlite3_bind_int64(st, idx, *(const int64_t *)p);
		break;
	case SQ_BOOL:
		sqlite3_bind_int(st, idx, *(const bool *)p ? 1 : 0);
		break;
	case SQ_KIND:
		sqlite3_bind_int(st, idx, (int)*(const enum meta_item_kind *)p);
		break;
	}
}

void meta__sq_bind_rec(sqlite3_stmt *st, int first, const struct sq_table *t,
		       const void *rec)
{
	for (size_t i = 0; i < t->n; i++)
		bind_col(st, first + (int)i, &t->cols[i], (const char *)rec + t->cols[i].off);
}

char *meta__sq_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return xstrdup(t ? (const char *)t : "");
}

static void read_col(sqlite3_stmt *st, int col, const struct sq_col *c, char *p)
{
	const unsigned char *t;
	size_t len;

	switch (c->type) {
	case SQ_TEXT:
		free(*(char **)p);
		*(char **)p = meta__sq_text(st, col);
		break;
	case SQ_FIXED:
		t = sqlite3_column_text(st, col);
		len = t ? strnlen((const char *)t, c->size - 1) : 0;
		if (len)
			memcpy(p, t, len);
		p[len] = '\0';
		break;
	case SQ_INT:
		*(int *)p = sqlite3_column_int(st, col);
		break;
	case SQ_I64:
		*(int64_t *)p = sqlite3_column_int64(st, col);
		break;
	case SQ_BOOL:
		*(bool *)p = sqlite3_column_int(st, col) != 0;
		break;
	case SQ_KIND:
		*(enum meta_item_kind *)p = (enum meta_item_kind)sqlite3_column_int(st, col);
		break;
	}
}

void meta__sq_read_rec(sqlite3_stmt *st, int first, const struct sq_table *t, void *rec)
{
	for (size_t i = 0; i < t->n; i++)
		read_col(st, first + (int)i, &t->cols[i], (char *)rec + t->cols[i].off);
}

/* Room for record n in arr (capacity *cap records of elem bytes); new room
 * is zeroed. Returns the (possibly moved) array. */
void *meta__sq_grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 16;
	arr = xrealloc(arr, ncap * elem);
	memset((char *)arr + *cap * elem, 0, (ncap - *cap) * elem);
	*cap = ncap;
	return arr;
}

/* ---- generated SQL -------------------------------------------------------- */

void meta__sq_cols_sql(struct buf *b, const struct sq_table *t, const char *prefix)
{
	for (size_t i = 0; i < t->n; i++)
		buf_printf(b, "%s%s%s", i ? ", " : "", prefix, t->cols[i].name);
}

static void sql_insert(struct buf *b, const struct sq_table *t)
{
	buf_printf(b, "INSERT INTO %s (", t->name);
	meta__sq_cols_sql(b, t, "");
	buf_puts(b, ") VALUES (");
	for (size_t i = 0; i < t->n; i++)
		buf_printf(b, "%s?%zu", i ? ", " : "", i + 1);
	buf_puts(b, ")");
}

/* "a = excluded.a, ..." or "a = ?2, ..." over the columns not kept. */
static void sql_set(struct buf *b, const struct sq_table *t, bool excluded)
{
	bool first = true;

	for (size_t i = 0; i < t->n; i++) {
		if (t->cols[i].keep)
			continue;
		buf_printf(b, "%s%s = ", first ? "" : ", ", t->cols[i].name);
		if (excluded)
			buf_printf(b, "excluded.%s", t->cols[i].name);
		else
			buf_printf(b, "?%zu", i + 1);
		first = false;
	}
}

static void sql_select(struct buf *b, const struct sq_table *t, const char *tail)
{
	buf_puts(b, "SELECT ");
	meta__sq_cols_sql(b, t, "");
	buf_printf(b, " FROM %s %s", t->name, tail);
}

static const char *const fixed_sql[SQ__COUNT] = {
	[SQ_BEGIN] = "BEGIN",
	[SQ_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_JOB_SET_STATUS] = "UPDATE jobs SET status = ?2,"
		" error_message = coalesce(?3, error_message), update_ms = ?4 WHERE id = ?1",
	[SQ_JOB_DELETE] = "DELETE FROM jobs WHERE id = ?1",
	[SQ_LOG_ADD] = "INSERT INTO item_logs (item_id, err_data, err_msg, log_level, err_type)"
		" VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQ_LOGS_CLEAR] = "DELETE FROM item_logs WHERE item_id = ?1",
	[SQ_SUBTASKS_CLEAR] = "DELETE FROM subtasks WHERE job_id = ?1",
	[SQ_ITEMS_CLEAR] = "DELETE FROM items WHERE job_id = ?1 AND (?2 = '' OR code = ?2)"
		" AND (?3 < 0 OR kind = ?3)",
	[SQ_SKIP_NAME_ADD] = "INSERT OR IGNORE INTO temp.skip_names (name) VALUES (?1)",
	[SQ_SKIP_APPLY] = "UPDATE items SET skip = ?3, ignore_flag = ?4"
		" WHERE job_id = ?1 AND code = ?2 AND kind = 0"
		" AND (item IN (SELECT name FROM temp.skip_names)"
		" OR names IN (SELECT name FROM temp.skip_names))",
	[SQ_SKIP_NAMES_CLEAR] = "DELETE FROM temp.skip_names",
	[SQ_CP_PUT] = "INSERT INTO checkpoints (job_id, key, value, update_ms)"
		" VALUES (?1, ?2, ?3, ?4) ON CONFLICT (job_id, key)"
		" DO UPDATE SET value = excluded.value, update_ms = excluded.update_ms",
	[SQ_CP_GET] = "SELECT value FROM checkpoints WHERE job_id = ?1 AND key = ?2",
	[SQ_CP_CLEAR] = "DELETE FROM checkpoints WHERE job_id = ?1"
		" AND substr(key, 1, length(?2)) = ?2",
	[SQ_SET_PUT] = "INSERT INTO settings (key, value, update_ms) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
		" update_ms = excluded.update_ms",
	[SQ_SET_GET] = "SELECT value FROM settings WHERE key = ?1",
};

/* The statements whose text follows the record tables. */
static void generated_sql(enum sq_stmt_id id, struct buf *b)
{
	switch (id) {
	case SQ_JOB_INSERT:
		sql_insert(b, &meta__sq_jobs);
		break;
	case SQ_JOB_GET:
		sql_select(b, &meta__sq_jobs, "WHERE id = ?1");
		break;
	case SQ_JOB_GET_BY_INSTANCE:
		/* "<> ''" lets the planner use the partial unique index. */
		sql_select(b, &meta__sq_jobs, "WHERE instance_id = ?1 AND instance_id <> ''");
		break;
	case SQ_JOB_UPDATE:
		buf_puts(b, "UPDATE jobs SET ");
		sql_set(b, &meta__sq_jobs, false);
		buf_puts(b, " WHERE id = ?1");
		break;
	case SQ_SUB_PUT:
		sql_insert(b, &meta__sq_subtasks);
		buf_puts(b, " ON CONFLICT (job_id, code) DO UPDATE SET ");
		sql_set(b, &meta__sq_subtasks, true);
		break;
	case SQ_SUB_GET:
		sql_select(b, &meta__sq_subtasks, "WHERE job_id = ?1 AND code = ?2");
		break;
	case SQ_SUB_LIST:
		sql_select(b, &meta__sq_subtasks, "WHERE job_id = ?1 ORDER BY code");
		break;
	case SQ_ITEM_PUT:
		/* RETURNING gives the id on both paths (last_insert_rowid does
		 * not on update) and the stored skip flags. */
		sql_insert(b, &meta__sq_items);
		buf_puts(b, " ON CONFLICT (job_id, code, kind, key) DO UPDATE SET ");
		sql_set(b, &meta__sq_items, true);
		buf_puts(b, " RETURNING id, skip, ignore_flag");
		break;
	default:
		BUG("no SQL for metastore statement %d", (int)id);
	}
}

/* ---- statements and errors ---------------------------------------------- */

int meta__sq_fail(struct sq *s, const char *what, struct err *err)
{
	int rc = sqlite3_extended_errcode(s->db);
	enum err_code code = ERR_DB;

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = ERR_UNAVAILABLE;
		break;
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		code = ERR_IO;
		break;
	default:
		break;
	}
	err_set(err, code, "%s: %s", what, sqlite3_errmsg(s->db));
	if (code == ERR_UNAVAILABLE)
		err_detail(err, "another writer held the metastore for over %d ms; retry",
			   BUSY_TIMEOUT_MS);
	return -1;
}

sqlite3_stmt *meta__sq_prepare(struct sq *s, const char *sql, struct err *err)
{
	sqlite3_stmt *st = NULL;

	/* A statement that does not prepare is a bug or a schema mismatch. */
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		err_set(err, ERR_INTERNAL, "preparing a metastore statement: %s",
			sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

int meta__sq_count(struct sq *s, const char *table, const struct sq_query *q,
		   int64_t *count, struct err *err)
{
	struct buf sql;
	sqlite3_stmt *st;
	int rc;

	buf_init(&sql, BUF_UNLIMITED);
	buf_printf(&sql, "SELECT count(*) FROM %s WHERE %s", table, meta__sq_query_where(q));
	st = meta__sq_prepare(s, buf_cstr(&sql), err);
	buf_release(&sql);
	if (!st)
		return -1;
	meta__sq_query_bind(st, q);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	else
		meta__sq_fail(s, "counting metastore rows", err);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

sqlite3_stmt *meta__sq_stmt(struct sq *s, enum sq_stmt_id id, struct err *err)
{
	struct buf b;

	if (s->stmt[id])
		return s->stmt[id];
	if (fixed_sql[id]) {
		s->stmt[id] = meta__sq_prepare(s, fixed_sql[id], err);
		return s->stmt[id];
	}
	buf_init(&b, BUF_UNLIMITED);
	generated_sql(id, &b);
	s->stmt[id] = meta__sq_prepare(s, buf_cstr(&b), err);
	buf_release(&b);
	return s->stmt[id];
}

void meta__sq_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int meta__sq_run(struct sq *s, sqlite3_stmt *st, const char *what, struct err *err)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		meta__sq_fail(s, what, err);
		meta__sq_done(st);
		return -1;
	}
	meta__sq_done(st);
	return 0;
}

/* ---- transactions ------------------------------------------------------- */

static int run_id(struct sq *s, enum sq_stmt_id id, const char *what, struct err *err)
{
	sqlite3_stmt *st = meta__sq_stmt(s, id, err);

	return st ? meta__sq_run(s, st, what, err) : -1;
}

int meta__sq_tx_begin(struct sq *s, bool write, bool *owned, struct err *err)
{
	*owned = false;
	if (!sqlite3_get_autocommit(s->db))
		return 0;
	if (run_id(s, write ? SQ_BEGIN_WRITE : SQ_BEGIN,
		   "starting a metastore transaction", err) < 0)
		return -1;
	*owned = true;
	return 0;
}

static void rollback(struct sq *s)
{
	struct err ignored;

	if (!sqlite3_get_autocommit(s->db))
		run_id(s, SQ_ROLLBACK, "rolling back", &ignored);
}

int meta__sq_tx_end(struct sq *s, bool owned, int rc, struct err *err)
{
	if (!owned)
		return rc;
	if (rc == 0 && run_id(s, SQ_COMMIT, "committing to the metastore", err) == 0)
		return 0;
	rollback(s);
	return -1;
}

static int sq_begin(struct meta *m, struct err *err)
{
	/* IMMEDIATE: a caller's transaction is for writing; taking the lock up
	 * front means a later write cannot fail on a stale snapshot. */
	return run_id(meta__sq(m), SQ_BEGIN_WRITE, "starting a metastore transaction", err);
}

static int sq_commit(struct meta *m, struct err *err)
{
	struct sq *s = meta__sq(m);

	if (run_id(s, SQ_COMMIT, "committing to the metastore", err) == 0)
		return 0;
	rollback(s);
	return -1;
}

static void sq_rollback(struct meta *m)
{
	rollback(meta__sq(m));
}

/* ---- dynamic WHERE clauses ------------------------------------------------ */

void meta__sq_query_init(struct sq_query *q)
{
	memset(q, 0, sizeof(*q));
	buf_init(&q->where, BUF_UNLIMITED);
}

void meta__sq_query_release(struct sq_query *q)
{
	buf_release(&q->where);
	for (int i = 0; i < q->n_owned; i++)
		free(q->owned[i]);
	q->n_owned = 0;
}

static void query_add(struct sq_query *q, const char *frag, const char *s, int64_t i)
{
	buf_printf(&q->where, "%s%s", q->where.len ? " AND " : "", frag);
	for (const char *p = strchr(frag, '?'); p; p = strchr(p + 1, '?')) {
		if (q->n >= SQ_QUERY_MAX_ARGS)
			BUG("metastore query has more than %d arguments", SQ_QUERY_MAX_ARGS);
		q->arg[q->n].s = s;
		q->arg[q->n].i = i;
		q->n++;
	}
}

void meta__sq_query_text(struct sq_query *q, const char *frag, const char *s)
{
	query_add(q, frag, s ? s : "", 0);
}

void meta__sq_query_int(struct sq_query *q, const char *frag, int64_t i)
{
	query_add(q, frag, NULL, i);
}

void meta__sq_query_like(struct sq_query *q, const char *frag, const char *needle)
{
	size_t len = strlen(needle);
	char *pat = xmalloc(2 * len + 3);
	char *o = pat;

	if ((size_t)q->n_owned >= sizeof(q->owned) / sizeof(q->owned[0]))
		BUG("metastore query has too many LIKE patterns");
	*o++ = '%';
	for (const char *p = needle; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '%';
	*o = '\0';
	q->owned[q->n_owned++] = pat;
	query_add(q, frag, pat, 0);
}

const char *meta__sq_query_where(const struct sq_query *q)
{
	return q->where.len ? buf_cstr(&q->where) : "1";
}

int meta__sq_query_bind(sqlite3_stmt *st, const struct sq_query *q)
{
	for (int i = 0; i < q->n; i++) {
		if (q->arg[i].s)
			meta__sq_bind_str(st, i + 1, q->arg[i].s);
		else
			sqlite3_bind_int64(st, i + 1, q->arg[i].i);
	}
	return q->n;
}

/* ---- opening and closing -------------------------------------------------- */

/* "sqlite:PATH", "sqlite://PATH" or PATH -> PATH. */
static const char *sqlite_path(const char *url)
{
	if (strncasecmp(url, "sqlite:", 7) != 0)
		return url;
	url += 7;
	return strncmp(url, "//", 2) == 0 ? url + 2 : url;
}

/* The caller (dtsd) creates the data directory; a missing one is a setup
 * mistake worth a clear message rather than SQLite's "unable to open". */
static int check_dir(const char *path, struct err *err)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	struct stat sb;
	int rc = 0;

	if (!slash)
		dir = xstrdup(".");
	else
		dir = xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	if (stat(dir, &sb) < 0) {
		if (errno == ENOENT) {
			err_set(err, ERR_IO, "metastore directory \"%s\" does not exist", dir);
			err_detail(err, "create it first (dtsd creates its --data-dir at start-up)");
		} else {
			err_sys(err, ERR_IO, errno, "cannot access metastore directory \"%s\"", dir);
		}
		rc = -1;
	} else if (!S_ISDIR(sb.st_mode)) {
		err_set(err, ERR_IO, "metastore directory \"%s\" is not a directory", dir);
		rc = -1;
	}
	free(dir);
	return rc;
}

/* Runs a PRAGMA and copies its first result column (if any) into out. */
static int pragma(struct sq *s, const char *sql, char *out, size_t n, struct err *err)
{
	sqlite3_stmt *st = meta__sq_prepare(s, sql, err);
	const unsigned char *t;
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		meta__sq_fail(s, sql, err);
		sqlite3_finalize(st);
		return -1;
	}
	if (out) {
		t = rc == SQLITE_ROW ? sqlite3_column_text(st, 0) : NULL;
		snprintf(out, n, "%s", t ? (const char *)t : "");
	}
	sqlite3_finalize(st);
	return 0;
}

static int configure(struct sq *s, const char *path, struct err *err)
{
	char mode[16], fk[8];

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (pragma(s, "PRAGMA journal_mode = WAL", mode, sizeof(mode), err) < 0 ||
	    pragma(s, "PRAGMA synchronous = NORMAL", NULL, 0, err) < 0 ||
	    pragma(s, "PRAGMA foreign_keys = ON", NULL, 0, err) < 0 ||
	    pragma(s, "PRAGMA foreign_keys", fk, sizeof(fk), err) < 0)
		return -1;
	if (strcmp(fk, "1") != 0) {
		err_set(err, ERR_UNSUPPORTED, "the SQLite library has no foreign key support");
		return -1;
	}
	if (strcasecmp(mode, "wal") != 0 && strcmp(path, ":memory:") != 0) {
		char q[256];

		log_warn("meta.wal", "path=%s journal_mode=%s",
			 log_quote(q, sizeof(q), path), mode);
	}
	/* Per-connection scratch table for meta_item_set_skip. */
	if (sqlite3_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS skip_names"
			 " (name TEXT PRIMARY KEY) STRICT", NULL, NULL, NULL) != SQLITE_OK)
		return meta__sq_fail(s, "creating a temporary table", err);
	return 0;
}

static void sq_close_conn(struct sq *s)
{
	if (!s)
		return;
	for (int i = 0; i < SQ__COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close_v2(s->db);
	free(s);
}

static int sq_open(struct meta *m, const char *url, struct err *err)
{
	const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	const char *path = sqlite_path(url);
	struct sq *s = NULL;
	int rc;

	if (!*path) {
		err_set(err, ERR_INVALID, "metastore url \"%s\" has no path", url);
		return -1;
	}
	if (strcmp(path, ":memory:") != 0 && check_dir(path, err) < 0)
		return -1;
	s = xcalloc(1, sizeof(*s));
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK) {
		err_set(err, ERR_IO, "cannot open metastore \"%s\": %s", path,
			s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	if (configure(s, path, err) < 0 ||
	    meta__sqlite_migrate(s->db, &s->version, err) < 0) {
		err_prefix(err, "opening metastore \"%s\"", path);
		goto fail;
	}
	m->conn = s;
	return 0;
fail:
	sq_close_conn(s);
	return -1;
}

static void sq_close(struct meta *m)
{
	sq_close_conn(meta__sq(m));
	m->conn = NULL;
}

static int sq_schema_version(struct meta *m)
{
	return meta__sq(m)->version;
}

const struct meta_driver meta__sqlite_driver = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.job_insert = meta__sq_job_insert,
	.job_get = meta__sq_job_get,
	.job_get_by_instance = meta__sq_job_get_by_instance,
	.job_update = meta__sq_job_update,
	.job_set_status = meta__sq_job_set_status,
	.job_delete = meta__sq_job_delete,
	.job_list = meta__sq_job_list,
	.subtask_put = meta__sq_subtask_put,
	.subtask_get = meta__sq_subtask_get,
	.subtask_list = meta__sq_subtask_list,
	.item_put = meta__sq_item_put,
	.item_log_add = meta__sq_item_log_add,
	.item_logs_clear = meta__sq_item_logs_clear,
	.items_clear = meta__sq_items_clear,
	.item_list = meta__sq_item_list,
	.item_count = meta__sq_item_count,
	.item_set_skip = meta__sq_item_set_skip,
	.checkpoint_put = meta__sq_checkpoint_put,
	.checkpoint_get = meta__sq_checkpoint_get,
	.checkpoint_clear = meta__sq_checkpoint_clear,
	.subtasks_clear = meta__sq_subtasks_clear,
	.setting_put = meta__sq_setting_put,
	.setting_get = meta__sq_setting_get,
};
