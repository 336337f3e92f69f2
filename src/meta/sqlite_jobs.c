/*
 * sqlite_jobs.c - jobs, subtasks, checkpoints and settings in the SQLite
 * metastore driver.
 *
 * Threads: every function runs on the thread that owns the connection
 * (m->conn); nothing here is shared. Records filled here are zeroed by meta.c
 * beforehand and hold heap strings afterwards; on failure they are released.
 * Deleting a job relies on ON DELETE CASCADE for everything under it.
 */
#include "meta/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/timefmt.h"
#include "util/xalloc.h"

#define LIMIT_ALL (-1)   /* SQLite: a negative LIMIT means none */

/* ---- jobs ---------------------------------------------------------------- */

/* True when a job with this id is stored (for error reports only). */
static bool job_exists(struct sq *s, const char *id)
{
	struct err ignored;
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_JOB_GET, &ignored);
	bool found;

	if (!st)
		return false;
	meta__sq_bind_str(st, 1, id);
	found = sqlite3_step(st) == SQLITE_ROW;
	meta__sq_done(st);
	return found;
}

/* Reports a failed write of job `j`, naming what collided. SQLite checks the
 * instance_id index before the primary key, so a UNIQUE failure on insert
 * may still be a taken job id. */
static void job_write_fail(struct sq *s, const struct meta_job *j, bool insert,
			   const char *what, struct err *err)
{
	switch (sqlite3_extended_errcode(s->db)) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		err_set(err, ERR_CONFLICT, "job \"%s\" already exists", j->id);
		break;
	case SQLITE_CONSTRAINT_UNIQUE:
		if (insert && job_exists(s, j->id))
			err_set(err, ERR_CONFLICT, "job \"%s\" already exists", j->id);
		else
			err_set(err, ERR_CONFLICT, "instance \"%s\" already exists",
				j->instance_id);
		break;
	default:
		meta__sq_fail(s, what, err);
		break;
	}
}

int meta__sq_job_insert(struct meta *m, const struct meta_job *j, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_JOB_INSERT, err);
	int rc;

	if (!st)
		return -1;
	meta__sq_bind_rec(st, 1, &meta__sq_jobs, j);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		job_write_fail(s, j, true, "inserting a job", err);
	meta__sq_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* One job by a statement with a single key parameter; `label` names the key
 * in the not-found message ("job", "instance"). */
static int job_fetch(struct meta *m, enum sq_stmt_id id, const char *key,
		     const char *label, struct meta_job *out, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, id, err);
	int rc;

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		meta__sq_read_rec(st, 0, &meta__sq_jobs, out);
	else if (rc == SQLITE_DONE)
		err_set(err, ERR_NOT_FOUND, "%s \"%s\" not found", label, key);
	else
		meta__sq_fail(s, "reading a job", err);
	meta__sq_done(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int meta__sq_job_get(struct meta *m, const char *id, struct meta_job *out,
		     struct err *err)
{
	return job_fetch(m, SQ_JOB_GET, id, "job", out, err);
}

int meta__sq_job_get_by_instance(struct meta *m, const char *instance_id,
				 struct meta_job *out, struct err *err)
{
	return job_fetch(m, SQ_JOB_GET_BY_INSTANCE, instance_id, "instance", out, err);
}

/* Steps a statement that changes the row of job `id`; 0 rows is NOT_FOUND. */
static int job_change(struct sq *s, sqlite3_stmt *st, const struct meta_job *j,
		      const char *id, const char *what, struct err *err)
{
	int rc = sqlite3_step(st);
	int ret = -1;

	if (rc != SQLITE_DONE) {
		if (j)
			job_write_fail(s, j, false, what, err);
		else
			meta__sq_fail(s, what, err);
	} else if (sqlite3_changes(s->db) == 0) {
		err_set(err, ERR_NOT_FOUND, "job \"%s\" not found", id);
	} else {
		ret = 0;
	}
	meta__sq_done(st);
	return ret;
}

int meta__sq_job_update(struct meta *m, const struct meta_job *j, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_JOB_UPDATE, err);

	if (!st)
		return -1;
	meta__sq_bind_rec(st, 1, &meta__sq_jobs, j);
	return job_change(s, st, j, j->id, "updating a job", err);
}

int meta__sq_job_set_status(struct meta *m, const char *id, const char *status,
			    const char *error_message, int64_t now_ms, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_JOB_SET_STATUS, err);

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, id);
	meta__sq_bind_str(st, 2, status);
	if (error_message)
		meta__sq_bind_str(st, 3, error_message);
	else
		sqlite3_bind_null(st, 3);       /* coalesce keeps the stored one */
	sqlite3_bind_int64(st, 4, now_ms);
	return job_change(s, st, NULL, id, "setting a job status", err);
}

int meta__sq_job_delete(struct meta *m, const char *id, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_JOB_DELETE, err);

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, id);
	return job_change(s, st, NULL, id, "deleting a job", err);
}

static void job_filter(struct sq_query *q, const struct meta_job_filter *f)
{
	if (f->job_type)
		meta__sq_query_text(q, "job_type = ?", f->job_type);
	if (f->status)
		meta__sq_query_text(q, "status = ?", f->status);
	if (f->name_like && *f->name_like)
		meta__sq_query_like(q, "name LIKE ? ESCAPE '\\'", f->name_like);
	if (f->job_id)
		meta__sq_query_text(q, "id = ?", f->job_id);
	if (f->instance_id)
		meta__sq_query_text(q, "instance_id = ?", f->instance_id);
	if (f->desired)
		meta__sq_query_text(q, "desired = ?", f->desired);
}

static int job_page(struct sq *s, const struct meta_job_filter *f,
		    const struct sq_query *q, struct meta_job **out, size_t *n,
		    struct err *err)
{
	const char *dir = f->order_desc ? "DESC" : "ASC";
	struct buf sql;
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc, k;

	buf_init(&sql, BUF_UNLIMITED);
	buf_puts(&sql, "SELECT ");
	meta__sq_cols_sql(&sql, &meta__sq_jobs, "");
	buf_printf(&sql, " FROM jobs WHERE %s ORDER BY create_ms %s, id %s LIMIT ? OFFSET ?",
		   meta__sq_query_where(q), dir, dir);
	st = meta__sq_prepare(s, buf_cstr(&sql), err);
	buf_release(&sql);
	if (!st)
		return -1;
	k = meta__sq_query_bind(st, q);
	sqlite3_bind_int64(st, k + 1, f->limit > 0 ? f->limit : LIMIT_ALL);
	sqlite3_bind_int64(st, k + 2, f->offset > 0 ? f->offset : 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = meta__sq_grow(*out, &cap, *n, sizeof(**out));
		meta__sq_read_rec(st, 0, &meta__sq_jobs, &(*out)[*n]);
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		meta__sq_fail(s, "listing jobs", err);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int meta__sq_job_list(struct meta *m, const struct meta_job_filter *f,
		      struct meta_job **out, size_t *n, int64_t *total, struct err *err)
{
	struct sq *s = meta__sq(m);
	struct sq_query q;
	bool owned;
	int rc = -1;

	meta__sq_query_init(&q);
	job_filter(&q, f);
	/* One read transaction: the total and the page see the same rows. */
	if (meta__sq_tx_begin(s, false, &owned, err) < 0)
		goto cleanup;
	rc = 0;
	if (total && meta__sq_count(s, "jobs", &q, total, err) < 0)
		rc = -1;
	if (rc == 0)
		rc = job_page(s, f, &q, out, n, err);
	rc = meta__sq_tx_end(s, owned, rc, err);
cleanup:
	meta__sq_query_release(&q);
	if (rc < 0) {
		for (size_t i = 0; i < *n; i++)
			meta_job_release(&(*out)[i]);
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- subtasks ------------------------------------------------------------ */

int meta__sq_subtask_put(struct meta *m, const struct meta_subtask *sub, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_SUB_PUT, err);
	int rc;

	if (!st)
		return -1;
	meta__sq_bind_rec(st, 1, &meta__sq_subtasks, sub);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			err_set(err, ERR_NOT_FOUND, "job \"%s\" not found", sub->job_id);
		else
			meta__sq_fail(s, "writing a subtask", err);
	}
	meta__sq_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int meta__sq_subtask_get(struct meta *m, const char *job_id, const char *code,
			 struct meta_subtask *out, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_SUB_GET, err);
	int rc;

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, job_id);
	meta__sq_bind_str(st, 2, code);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		meta__sq_read_rec(st, 0, &meta__sq_subtasks, out);
	else if (rc == SQLITE_DONE)
		err_set(err, ERR_NOT_FOUND, "step %s of job \"%s\" not found", code, job_id);
	else
		meta__sq_fail(s, "reading a subtask", err);
	meta__sq_done(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int meta__sq_subtask_list(struct meta *m, const char *job_id,
			  struct meta_subtask **out, size_t *n, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_SUB_LIST, err);
	size_t cap = 0;
	int rc;

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, job_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = meta__sq_grow(*out, &cap, *n, sizeof(**out));
		meta__sq_read_rec(st, 0, &meta__sq_subtasks, &(*out)[*n]);
		(*n)++;
	}
	if (rc != SQLITE_DONE)
		meta__sq_fail(s, "listing subtasks", err);
	meta__sq_done(st);
	if (rc == SQLITE_DONE)
		return 0;
	for (size_t i = 0; i < *n; i++)
		meta_subtask_release(&(*out)[i]);
	free(*out);
	*out = NULL;
	*n = 0;
	return -1;
}

/* ---- checkpoints and settings ------------------------------------------- */

/* Steps a single-text-column lookup: *value = copy, or NULL when no row. */
static int text_lookup(struct sq *s, sqlite3_stmt *st, char **value, const char *what,
		       struct err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*value = meta__sq_text(st, 0);
	else if (rc != SQLITE_DONE)
		meta__sq_fail(s, what, err);
	meta__sq_done(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int meta__sq_checkpoint_put(struct meta *m, const char *job_id, const char *key,
			    const char *value, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_CP_PUT, err);
	int rc;

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, job_id);
	meta__sq_bind_str(st, 2, key);
	meta__sq_bind_str(st, 3, value);
	sqlite3_bind_int64(st, 4, time_now_ms());
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(s->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
			err_set(err, ERR_NOT_FOUND, "job \"%s\" not found", job_id);
		else
			meta__sq_fail(s, "writing a checkpoint", err);
	}
	meta__sq_done(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int meta__sq_checkpoint_get(struct meta *m, const char *job_id, const char *key,
			    char **value, struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_CP_GET, err);

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, job_id);
	meta__sq_bind_str(st, 2, key);
	return text_lookup(s, st, value, "reading a checkpoint", err);
}

int meta__sq_checkpoint_clear(struct meta *m, const char *job_id, const char *prefix,
			      struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_CP_CLEAR, err);

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, job_id);
	meta__sq_bind_str(st, 2, prefix);
	return meta__sq_run(s, st, "clearing checkpoints", err);
}

int meta__sq_setting_put(struct meta *m, const char *key, const char *value,
			 struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_SET_PUT, err);

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, key);
	meta__sq_bind_str(st, 2, value);
	sqlite3_bind_int64(st, 3, time_now_ms());
	return meta__sq_run(s, st, "writing a setting", err);
}

int meta__sq_setting_get(struct meta *m, const char *key, char **value,
			 struct err *err)
{
	struct sq *s = meta__sq(m);
	sqlite3_stmt *st = meta__sq_stmt(s, SQ_SET_GET, err);

	if (!st)
		return -1;
	meta__sq_bind_str(st, 1, key);
	return text_lookup(s, st, value, "reading a setting", err);
}
