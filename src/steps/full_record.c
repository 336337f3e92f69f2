/*
 * full_record.c - what the full-data step shows: one progress item per
 * table (DescribePreCheckStatus JobCode 03: rows, Total, DiffRow, State,
 * Logs), the subtask's progress and the copy rate, written from the run's
 * state once a second and at the end.
 *
 * Threads: the step's thread only (ctx->meta); a table's outcome is read
 * under run->mu, the metastore is written outside it.
 */
#include "steps/full_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

struct table_view {           /* a table's outcome, taken under run->mu */
	const char *state;
	bool final;
	int64_t rows;
	int64_t diff;
	char *err_msg, *err_data, *diff_keys;   /* copies */
};

static void view_of(struct full_run *r, size_t i, struct table_view *v)
{
	struct full_table *t = &r->plan.tables[i];
	bool all_done = t->planned, started = false, verified = true;

	memset(v, 0, sizeof(*v));
	for (size_t c = 0; c < t->n_chunks; c++) {
		all_done = all_done && t->chunks[c].state == FULL_C_DONE;
		started = started || t->chunks[c].state != FULL_C_TODO || t->chunks[c].in_doubt;
		verified = verified && t->chunks[c].diff >= 0;
	}
	v->rows = atomic_load(&t->rows_done);
	v->diff = atomic_load(&t->diff_rows);
	if (t->failed || t->unsupported) {
		v->state = "Failed";
		v->final = true;
	} else if (all_done && (!r->plan.opts.verify || verified)) {
		v->state = "Success";
		v->final = true;
	} else {
		v->state = started || all_done ? "Migrating" : "NotStarted";
	}
	v->err_msg = xstrdup(t->unsupported ? t->unsupported : t->err_msg ? t->err_msg : "");
	v->err_data = xstrdup(t->err_data ? t->err_data : "");
	v->diff_keys = xstrdup(r->rec[i].diff_keys ? r->rec[i].diff_keys : "");
}

static void view_release(struct table_view *v)
{
	free(v->err_msg);
	free(v->err_data);
	free(v->diff_keys);
}

static int add_log(struct meta *m, int64_t id, const char *level, const char *data,
		   const char *msg, struct err *err)
{
	struct meta_log l = { .err_data = (char *)data, .err_msg = (char *)msg,
			      .log_level = (char *)level, .err_type = (char *)"Data" };

	return meta_item_log_add(m, id, &l, err);
}

static int final_logs(struct full_run *r, size_t i, const struct table_view *v, int64_t id,
		      struct err *err)
{
	const struct full_table *t = &r->plan.tables[i];
	struct meta *m = r->ctx->meta;
	char msg[1024];
	int rc = 0;

	if (!t->key && !t->unsupported)
		rc = add_log(m, id, "INFO", t->tkey, "the table has no primary key and no NOT "
			     "NULL unique key: copied in one consistent pass (a restart copies "
			     "it again from the start)", err);
	if (rc == 0 && *v->err_msg)
		rc = add_log(m, id, "ERROR", v->err_data, v->err_msg, err);
	if (rc == 0 && atomic_load(&t->zero_dates)) {
		snprintf(msg, sizeof(msg), "%lld zero dates (month or day 00) arrived as NULL: "
			 "PostgreSQL has no such date (docs/type-mapping.md, \"Zero dates\")",
			 (long long)atomic_load(&t->zero_dates));
		rc = add_log(m, id, "WARN", t->tkey, msg, err);
	}
	if (rc == 0 && r->plan.opts.verify && !t->failed && !t->unsupported) {
		if (r->rec[i].repaired)
			snprintf(msg, sizeof(msg), "verification: %" PRId64 " rows differed and "
				 "were copied again; the table now matches the source",
				 r->rec[i].repaired);
		else if (v->diff)
			snprintf(msg, sizeof(msg), "verification: %" PRId64 " rows differ from "
				 "the source", v->diff);
		else
			snprintf(msg, sizeof(msg), "verification: all %" PRId64 " rows match the "
				 "source", v->rows);
		rc = add_log(m, id, v->diff ? "WARN" : "INFO", v->diff_keys, msg, err);
	}
	return rc;
}

static int record_table(struct full_run *r, size_t i, const struct table_view *v,
			struct err *err)
{
	const struct full_table *t = &r->plan.tables[i];
	struct meta_item it;

	meta_item_init(&it);
	str_copy(it.job_id, sizeof(it.job_id), r->ctx->job->id);
	str_copy(it.code, sizeof(it.code), r->ctx->code ? r->ctx->code : "03");
	free(it.key);  free(it.phase);  free(it.item);  free(it.names);  free(it.state);
	free(it.source_schema);  free(it.dest_schema);  free(it.target_names);
	free(it.err_msg);
	it.key = xstrdup(t->tkey);
	it.phase = xstrdup("Table");
	it.item = xstrdup(t->t->name);
	it.names = xstrdup(t->tkey);
	it.state = xstrdup(v->state);
	it.source_schema = xstrdup(t->t->schema);
	it.dest_schema = xstrdup(t->dst_schema);
	it.target_names = xstrdup(t->dst_name);
	it.err_msg = xstrdup(v->err_msg);
	it.order_num = (int)i + 1;
	it.current = v->rows;
	it.total = v->final ? v->rows : (t->total > v->rows ? t->total : v->rows);
	it.diff_row = v->diff;
	it.boot_ms = t->boot_ms;
	it.finish_ms = v->final ? (t->finish_ms ? t->finish_ms : time_now_ms()) : 0;
	int rc = meta_item_put(r->ctx->meta, &it, err);
	if (rc == 0 && v->final)
		rc = meta_item_logs_clear(r->ctx->meta, it.id, err) < 0 ||
		     final_logs(r, i, v, it.id, err) < 0 ? -1 : 0;
	meta_item_release(&it);
	return rc;
}

static int record_subtask(struct full_run *r, int64_t rows, int64_t total, struct err *err)
{
	struct meta *m = r->ctx->meta;
	struct meta_subtask st = { 0 };
	int64_t secs = (time_now_ms() - r->start_ms) / 1000;
	int64_t bytes = 0;
	char rate[64];
	int rc;

	for (size_t i = 0; i < r->plan.n_tables; i++)
		bytes += atomic_load(&r->plan.tables[i].bytes_done);
	snprintf(rate, sizeof(rate), "%" PRId64 "\t%.2f",
		 secs > 0 ? (rows - r->start_rows) / secs : 0,
		 secs > 0 ? (double)bytes / 1048576.0 / (double)secs : 0.0);
	if (meta_checkpoint_put(m, r->ctx->job->id, FULL_CK_RATE, rate, err) < 0)
		return -1;
	if (meta_subtask_get(m, r->ctx->job->id, r->ctx->code ? r->ctx->code : "03", &st,
			     err) < 0) {
		if (err->code != ERR_NOT_FOUND)
			return -1;
		err_clear(err);   /* called outside the runner (tests) */
		return 0;
	}
	st.progress = rows;
	st.total = total;
	rc = meta_subtask_put(m, &st, err);
	meta_subtask_release(&st);
	return rc;
}

/* Writes the items that changed, the subtask's progress and the rate. */
int full__record(struct full_run *r, struct err *err)
{
	struct meta *m = r->ctx->meta;
	int64_t rows = 0, total = 0;

	if (meta_begin(m, err) < 0)
		return -1;
	for (size_t i = 0; i < r->plan.n_tables; i++) {
		struct full_table_rec *rec = &r->rec[i];
		struct table_view v;
		int rc = 0;

		pthread_mutex_lock(&r->mu);
		view_of(r, i, &v);
		pthread_mutex_unlock(&r->mu);
		rows += v.rows;
		total += v.final ? v.rows : (r->plan.tables[i].total > v.rows
					     ? r->plan.tables[i].total : v.rows);
		if (!rec->final && (v.rows != rec->rows || v.state != rec->state ||
				    v.final)) {
			rc = record_table(r, i, &v, err);
			rec->rows = v.rows;
			rec->state = v.state;
			rec->final = v.final;
		}
		view_release(&v);
		if (rc < 0)
			goto rollback;
	}
	if (record_subtask(r, rows, total, err) < 0 || meta_commit(m, err) < 0)
		goto rollback;
	return 0;
rollback:
	meta_rollback(m);
	err_prefix(err, "recording the progress of job %s", r->ctx->job->id);
	return -1;
}
