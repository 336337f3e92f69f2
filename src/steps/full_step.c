/*
 * full_step.c - step 03, full data migration (full_step.h): records the
 * binlog position, plans every table into chunks (or reads the stored
 * plans), then runs the copy and the verification on a pool of worker
 * threads while this thread records progress once a second.
 *
 * Threads: the step's thread owns the plan and is the only one writing
 * items and the subtask (ctx->meta). Workers take (table, chunk) tasks under
 * run->mu, own the chunk until they hand it back under run->mu, and write
 * the chunk checkpoints through their own metastore handle (meta_thread).
 */
#include "steps/full_step.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "steps/full_internal.h"
#include "steps/source.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define RECORD_EVERY_MS 1000
#define DIFF_KEYS_LOGGED 10

enum phase { PHASE_COPY = 0, PHASE_VERIFY };

/* A task's result when the metastore failed: the step cannot go on. */
#define TASK_META_FAILED (-2)

struct task {
	size_t table;
	size_t chunk;
};

struct table_rec {            /* what the metastore shows of a table (step thread) */
	int64_t rows;
	const char *state;
	bool final;               /* recorded with its final state and logs */
	char *diff_keys;          /* "(id)=(1), (id)=(9)": first rows that differ */
	int64_t repaired;
};

struct full_run {
	struct step_ctx *ctx;
	struct full_plan plan;
	struct table_rec *rec;
	struct full_throttle *th;
	pthread_mutex_t mu;
	enum phase phase;
	struct task *tasks;       /* the phase's tasks in order */
	size_t n_tasks;
	size_t next;              /* next task to hand out */
	size_t running;           /* workers alive */
	bool fatal;               /* a worker could not go on (metastore) */
	struct err fatal_err;
	int64_t start_ms;
	int64_t start_rows;       /* rows done before this run (resume) */
};

/* ---- checkpoints ------------------------------------------------------------------- */

static char *ck_key(const char *prefix, const struct full_table *t, size_t chunk)
{
	return xasprintf("%s%s#%zu", prefix, t->tkey, chunk);
}

static int ck_put(struct meta *m, const char *job, const char *prefix,
		  const struct full_table *t, size_t chunk, int64_t v, struct err *err)
{
	char *k = ck_key(prefix, t, chunk), val[32];
	int rc;

	snprintf(val, sizeof(val), "%" PRId64, v);
	rc = meta_checkpoint_put(m, job, k, val, err);
	free(k);
	return rc;
}

/* Reads a chunk checkpoint: *has false when absent. */
static int ck_get(struct meta *m, const char *job, const char *prefix,
		  const struct full_table *t, size_t chunk, bool *has, int64_t *v,
		  struct err *err)
{
	char *k = ck_key(prefix, t, chunk), *val = NULL;
	int rc = meta_checkpoint_get(m, job, k, &val, err);

	*has = val != NULL;
	*v = val ? strtoll(val, NULL, 10) : 0;
	free(val);
	free(k);
	return rc;
}

/* ---- the binlog position ------------------------------------------------------------ */

static int record_binlog(struct full_run *r, struct my_conn *src, struct err *err)
{
	struct meta *m = r->ctx->meta;
	struct my_binlog_pos pos;
	char *have = NULL, *v;
	int rc;

	if (meta_checkpoint_get(m, r->ctx->job->id, FULL_CK_BINLOG, &have, err) < 0)
		return -1;
	if (have) {
		free(have);
		return 0;
	}
	if (my_snapshot_begin(src, &pos, err) < 0 || my_query(src, "COMMIT", err) < 0)
		return -1;
	v = xasprintf("%s\t%" PRIu64 "\t%s", pos.file, pos.position, pos.gtid);
	rc = meta_checkpoint_put(m, r->ctx->job->id, FULL_CK_BINLOG, v, err);
	log_info("full.binlog", "job_id=%s file=%s position=%" PRIu64 " gtid=\"%s\"",
		 r->ctx->job->id, pos.file, pos.position, pos.gtid);
	free(v);
	return rc;
}

/* ---- planning -------------------------------------------------------------------------- */

/* The stored plan of t, or a new one (stored). */
static int plan_table(struct full_run *r, struct full_table *t, struct my_conn *src,
		      struct err *err)
{
	struct meta *m = r->ctx->meta;
	char *ck = xasprintf(FULL_CK_PLAN "%s", t->tkey), *text = NULL;
	int rc = -1;

	if (meta_checkpoint_get(m, r->ctx->job->id, ck, &text, err) < 0)
		goto out;
	if (text) {
		rc = full__plan_decode(t, text, err);
		goto out;
	}
	if (full__plan_chunks(t, &r->plan.opts, src, err) < 0)
		goto out;
	text = full__plan_encode(t);
	rc = meta_checkpoint_put(m, r->ctx->job->id, ck, text, err);
out:
	free(text);
	free(ck);
	return rc;
}

/* What earlier runs left: done chunks, started chunks, verified chunks. */
static int load_chunks(struct full_run *r, struct full_table *t, struct err *err)
{
	struct meta *m = r->ctx->meta;
	const char *job = r->ctx->job->id;
	int64_t rows_done = 0;

	for (size_t i = 0; i < t->n_chunks; i++) {
		struct full_chunk *ch = &t->chunks[i];
		bool has;
		int64_t v;

		if (ck_get(m, job, FULL_CK_DONE, t, i, &has, &v, err) < 0)
			return -1;
		if (has) {
			ch->state = FULL_C_DONE;
			ch->rows = v;
			rows_done += v;
			if (ck_get(m, job, FULL_CK_VERIFIED, t, i, &has, &v, err) < 0)
				return -1;
			ch->diff = has ? v : -1;
			continue;
		}
		if (ck_get(m, job, FULL_CK_RUN, t, i, &has, &v, err) < 0)
			return -1;
		ch->in_doubt = has;
	}
	atomic_store(&t->rows_done, rows_done);
	return 0;
}

static int plan_all(struct full_run *r, struct my_conn *src, struct err *err)
{
	for (size_t i = 0; i < r->plan.n_tables; i++) {
		struct full_table *t = &r->plan.tables[i];

		if (step_cancelled(r->ctx))
			return 1;
		if (t->unsupported)
			continue;
		if (plan_table(r, t, src, err) < 0 || load_chunks(r, t, err) < 0) {
			err_prefix(err, "planning the copy of table %s", t->tkey);
			return -1;
		}
		r->start_rows += atomic_load(&t->rows_done);
	}
	return 0;
}

/* ---- recording --------------------------------------------------------------------------- */

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
static int record(struct full_run *r, struct err *err)
{
	struct meta *m = r->ctx->meta;
	int64_t rows = 0, total = 0;

	if (meta_begin(m, err) < 0)
		return -1;
	for (size_t i = 0; i < r->plan.n_tables; i++) {
		struct table_rec *rec = &r->rec[i];
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

/* ---- tasks ------------------------------------------------------------------------------- */

/* Fails table t (first failure wins). Called with run->mu held. */
static void table_fail(struct full_run *r, struct full_table *t, const struct full_chunk *ch,
		       const struct err *e)
{
	if (t->failed)
		return;
	t->failed = true;
	t->err_msg = xasprintf("%s%s%s", e->msg, *e->detail ? " — " : "", e->detail);
	t->err_data = ch ? full__chunk_describe(t, ch) : xstrdup("");
	t->finish_ms = time_now_ms();
	log_warn("full.table", "job_id=%s table=%s state=Failed msg=\"%.300s\"",
		 r->ctx->job->id, t->tkey, e->msg);
}

struct op {
	struct full_table *t;
	struct full_chunk *ch;
	struct full_diff *diff;
	bool repair;
	int64_t fixed;
};

static int op_copy(struct full_worker *w, void *arg, struct err *err)
{
	struct op *o = arg;
	int rc = full__copy_chunk(w, o->t, o->ch, err);

	if (rc < 0)
		o->ch->in_doubt = true;   /* rows of this attempt may be committed */
	return rc;
}

static int op_verify(struct full_worker *w, void *arg, struct err *err)
{
	struct op *o = arg;

	full_diff_release(o->diff);
	if (full__verify_chunk(w, o->t, o->ch, o->diff, err) < 0)
		return -1;
	if (!o->repair || o->ch->diff == 0)
		return 0;
	if (full__repair_rows(w, o->t, o->diff, &o->fixed, err) < 0)
		return -1;
	full_diff_release(o->diff);
	return full__verify_chunk(w, o->t, o->ch, o->diff, err);
}

/* Copies chunk c of t into ch, the worker's copy of the chunk. */
static int copy_task(struct full_run *r, struct full_worker *w, struct meta *m,
		     struct full_table *t, size_t c, struct full_chunk *ch, struct err *err)
{
	struct op o = { .t = t, .ch = ch };

	if (!o.ch->in_doubt &&
	    ck_put(m, r->ctx->job->id, FULL_CK_RUN, t, c, 1, err) < 0)
		return TASK_META_FAILED;
	if (full__with_retry(w, op_copy, &o, t->tkey, err) < 0)
		return -1;
	if (ck_put(m, r->ctx->job->id, FULL_CK_DONE, t, c, o.ch->rows, err) < 0)
		return TASK_META_FAILED;
	return 0;
}

/* Appends the first differing keys of d to the table's list (run->mu held). */
static void note_diff_keys(struct full_run *r, size_t ti, const struct full_diff *d)
{
	struct table_rec *rec = &r->rec[ti];
	struct buf b;
	size_t have = 0;

	for (const char *p = rec->diff_keys; p && *p; p++)
		have += *p == ';';
	buf_init(&b, 8192);
	buf_puts(&b, rec->diff_keys ? rec->diff_keys : "");
	for (size_t i = 0; i < d->n_keys && have < DIFF_KEYS_LOGGED; i++, have++) {
		char *k = full__key_describe(&r->plan.tables[ti], d->keys[i]);
		buf_printf(&b, "%s;", k);
		free(k);
	}
	free(rec->diff_keys);
	rec->diff_keys = buf_take(&b);
}

/* Verifies chunk c of table ti into ch, the worker's copy of the chunk. */
static int verify_task(struct full_run *r, struct full_worker *w, struct meta *m,
		       size_t ti, size_t c, struct full_chunk *ch, struct err *err)
{
	struct full_table *t = &r->plan.tables[ti];
	struct full_diff d = { 0 };
	struct op o = { .t = t, .ch = ch, .diff = &d, .repair = r->plan.opts.repair };
	int rc = full__with_retry(w, op_verify, &o, t->tkey, err);

	if (rc == 0) {
		atomic_fetch_add(&t->present_rows, d.src_rows - d.missing);
		atomic_fetch_add(&t->chunks_verified, 1);
		pthread_mutex_lock(&r->mu);
		atomic_fetch_add(&t->diff_rows, o.ch->diff);
		r->rec[ti].repaired += o.fixed;
		if (o.ch->diff)
			note_diff_keys(r, ti, &d);
		pthread_mutex_unlock(&r->mu);
		if (ck_put(m, r->ctx->job->id, FULL_CK_VERIFIED, t, c, o.ch->diff, err) < 0)
			rc = TASK_META_FAILED;
	}
	full_diff_release(&d);
	return rc;
}

/* ---- the worker pool ---------------------------------------------------------------------- */

/* The next task a worker may run, marked running and copied into *ch;
 * false when none is left. run->mu held. */
static bool take_task(struct full_run *r, struct task *out, struct full_chunk *ch)
{
	while (r->next < r->n_tasks && !r->fatal && !step_cancelled(r->ctx)) {
		struct task tk = r->tasks[r->next++];
		struct full_table *t = &r->plan.tables[tk.table];
		struct full_chunk *c = &t->chunks[tk.chunk];

		if (t->failed)
			continue;
		if (r->phase == PHASE_COPY && c->state == FULL_C_DONE)
			continue;
		if (r->phase == PHASE_VERIFY && c->diff >= 0)
			continue;
		if (!t->boot_ms)
			t->boot_ms = time_now_ms();
		c->state = r->phase == PHASE_COPY ? FULL_C_RUNNING : c->state;
		*out = tk;
		*ch = *c;
		return true;
	}
	return false;
}

/* Hands a finished task back. run->mu held. */
static void give_back(struct full_run *r, const struct task *tk, const struct full_chunk *ch,
		      bool copied, int rc, const struct err *e)
{
	struct full_table *t = &r->plan.tables[tk->table];
	struct full_chunk *c = &t->chunks[tk->chunk];

	c->in_doubt = ch->in_doubt;
	c->diff = ch->diff;
	if (r->phase == PHASE_COPY) {
		c->rows = ch->rows;
		c->state = copied ? FULL_C_DONE : FULL_C_TODO;
	}
	if (rc == -1 && e->code != ERR_CANCELLED && !step_cancelled(r->ctx))
		table_fail(r, t, c, e);
	if (copied && r->phase == PHASE_COPY) {
		bool all = true;
		for (size_t i = 0; i < t->n_chunks && all; i++)
			all = t->chunks[i].state == FULL_C_DONE;
		if (all && !r->plan.opts.verify)
			t->finish_ms = time_now_ms();
	}
}

static void run_tasks(struct full_run *r, struct full_worker *w, struct meta *m)
{
	struct task tk;
	struct full_chunk ch;

	for (;;) {
		struct err e = { 0 };
		int rc;

		pthread_mutex_lock(&r->mu);
		bool have = take_task(r, &tk, &ch);
		pthread_mutex_unlock(&r->mu);
		if (!have)
			return;
		bool copied = false;
		if (r->phase == PHASE_COPY) {
			rc = copy_task(r, w, m, &r->plan.tables[tk.table], tk.chunk, &ch, &e);
			copied = rc == 0;
			/* Verified at once, while both sides still have the chunk's
			 * pages in memory; the verify phase then only sees chunks
			 * copied by an earlier run. */
			if (copied && r->plan.opts.verify)
				rc = verify_task(r, w, m, tk.table, tk.chunk, &ch, &e);
		} else {
			rc = verify_task(r, w, m, tk.table, tk.chunk, &ch, &e);
		}
		pthread_mutex_lock(&r->mu);
		give_back(r, &tk, &ch, copied, rc, &e);
		if (rc == TASK_META_FAILED) {
			r->fatal = true;
			r->fatal_err = e;
		}
		pthread_mutex_unlock(&r->mu);
	}
}

static void *worker_main(void *arg)
{
	struct full_run *r = arg;
	struct full_worker w;
	struct err e = { 0 };
	struct meta *m = meta_thread(r->ctx->meta_url, &e);

	if (!m) {
		pthread_mutex_lock(&r->mu);
		r->fatal = true;
		r->fatal_err = e;
		pthread_mutex_unlock(&r->mu);
	} else {
		full__worker_init(&w, r->ctx, &r->plan.opts, r->th);
		run_tasks(r, &w, m);
		full__worker_release(&w);
	}
	pthread_mutex_lock(&r->mu);
	r->running--;
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Runs the phase's tasks on the workers; records progress meanwhile. */
static int run_phase(struct full_run *r, enum phase phase, struct err *err)
{
	size_t n = r->plan.opts.workers, started = 0;
	pthread_t *tids = xcalloc(n, sizeof(*tids));
	int rc = 0;

	r->phase = phase;
	r->next = 0;
	r->running = n;
	for (; started < n; started++)
		if (pthread_create(&tids[started], NULL, worker_main, r) != 0)
			break;
	pthread_mutex_lock(&r->mu);
	r->running -= n - started;
	pthread_mutex_unlock(&r->mu);
	for (;;) {
		pthread_mutex_lock(&r->mu);
		bool busy = r->running > 0;
		pthread_mutex_unlock(&r->mu);
		if (!busy)
			break;
		for (int i = 0; i < RECORD_EVERY_MS / 50 && busy; i++) {
			sleep_ms(50);
			pthread_mutex_lock(&r->mu);
			busy = r->running > 0;
			pthread_mutex_unlock(&r->mu);
		}
		if (rc == 0 && record(r, err) < 0)
			rc = -1;
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	if (started == 0) {
		err_set(err, ERR_INTERNAL, "cannot start the workers of the full-data step");
		return -1;
	}
	if (r->fatal) {
		*err = r->fatal_err;
		return -1;
	}
	return rc;
}

/* ---- the step ------------------------------------------------------------------------------ */

static void build_tasks(struct full_run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->plan.n_tables; i++)
		n += r->plan.tables[i].n_chunks;
	free(r->tasks);
	r->tasks = xcalloc(n ? n : 1, sizeof(*r->tasks));
	/* Chunk 0 of every table, then chunk 1 of every table, ...: workers
	 * running at the same time mostly load different tables, which InnoDB
	 * does faster than two ranges of one B-tree. */
	r->n_tasks = 0;
	for (size_t c = 0; r->n_tasks < n; c++)
		for (size_t i = 0; i < r->plan.n_tables; i++)
			if (c < r->plan.tables[i].n_chunks)
				r->tasks[r->n_tasks++] = (struct task){ .table = i, .chunk = c };
}

/* A key whose order differs between the dialects (PostgreSQL, text or
 * binary parts) is verified by key lists, which cannot see rows that exist
 * only on the destination: a table verified entirely in this run compares
 * its destination count with the source rows found there. */
static int count_extra_rows(struct full_run *r, struct err *err)
{
	struct full_worker w;
	int rc = 0;

	full__worker_init(&w, r->ctx, &r->plan.opts, NULL);
	for (size_t i = 0; rc == 0 && i < r->plan.n_tables; i++) {
		struct full_table *t = &r->plan.tables[i];
		char *count = NULL;
		int64_t extra;

		if (!r->plan.opts.pg || !t->key || t->key_ordered || t->failed ||
		    atomic_load(&t->chunks_verified) != (int)t->n_chunks)
			continue;
		buf_reset(&w.sql);
		buf_puts(&w.sql, "SELECT count(*) FROM ");
		full__dst_table_sql(&w, t, &w.sql);
		if (full__worker_connect(&w, err) < 0 ||
		    pg_query_value(w.dst_pg, buf_cstr(&w.sql), &count, err) < 0) {
			rc = -1;
			break;
		}
		extra = (count ? strtoll(count, NULL, 10) : 0) - atomic_load(&t->present_rows);
		free(count);
		if (extra <= 0)
			continue;
		atomic_fetch_add(&t->diff_rows, extra);
		char *note = xasprintf("%s%" PRId64 " rows exist only on the destination (not "
				       "named: the key orders differently there);",
				       r->rec[i].diff_keys ? r->rec[i].diff_keys : "", extra);
		free(r->rec[i].diff_keys);
		r->rec[i].diff_keys = note;
		r->rec[i].final = false;
	}
	full__worker_release(&w);
	if (rc < 0)
		err_prefix(err, "counting the destination rows");
	return rc;
}

/* Rows that still differ after verification: the table fails unless the
 * incremental step follows (it applies the changes made during the copy,
 * which is what a live source's differences are). */
static void judge_diffs(struct full_run *r)
{
	for (size_t i = 0; i < r->plan.n_tables; i++) {
		struct full_table *t = &r->plan.tables[i];
		int64_t diff = atomic_load(&t->diff_rows);
		struct err e = { 0 };

		if (t->failed || diff == 0 || r->ctx->job->data_sync)
			continue;
		err_set(&e, ERR_DB, "verification: %" PRId64 " rows of table %s differ from the "
			"source after the copy", diff, t->tkey);
		err_detail(&e, "the rows are listed in this item's logs; set Reserve "
			   "\"opendts.full.repair\": \"true\" to copy them again, or check "
			   "what else writes to the destination table");
		table_fail(r, t, NULL, &e);
		free(t->err_data);
		t->err_data = xstrdup(r->rec[i].diff_keys ? r->rec[i].diff_keys : "");
		r->rec[i].final = false;   /* recorded Success already: write it again */
	}
}

static enum step_result outcome(struct full_run *r, struct err *err)
{
	size_t failed = 0, first = 0;

	if (step_cancelled(r->ctx))
		return STEP_CANCELLED;
	for (size_t i = r->plan.n_tables; i-- > 0;)
		if (r->plan.tables[i].failed || r->plan.tables[i].unsupported) {
			failed++;
			first = i;
		}
	if (!failed)
		return STEP_DONE;
	const struct full_table *t = &r->plan.tables[first];
	err_set(err, ERR_DB, "full data migration failed for %zu of %zu tables; first: %s: %s",
		failed, r->plan.n_tables, t->tkey, t->unsupported ? t->unsupported : t->err_msg);
	return STEP_FAILED;
}

static void run_release(struct full_run *r)
{
	for (size_t i = 0; r->rec && i < r->plan.n_tables; i++)
		free(r->rec[i].diff_keys);
	free(r->rec);
	free(r->tasks);
	full__throttle_free(r->th);
	full__plan_release(&r->plan);
	pthread_mutex_destroy(&r->mu);
}

/* Connects, records the binlog position, builds and plans. 1 = cancelled. */
static int prepare(struct full_run *r, struct err *err)
{
	struct my_conn *src = step__connect_my(&r->ctx->job->src, step__timeout_s(r->ctx), err);
	int rc = -1;

	if (!src) {
		err_prefix(err, "source");
		return -1;
	}
	if (my_query(src, "SET SESSION time_zone = '+00:00'", err) < 0 ||
	    record_binlog(r, src, err) < 0 || full__plan_build(&r->plan, r->ctx, src, err) < 0)
		goto out;
	r->rec = xcalloc(r->plan.n_tables ? r->plan.n_tables : 1, sizeof(*r->rec));
	r->th = full__throttle_new(r->plan.opts.max_rows_s, r->plan.opts.max_bytes_s);
	rc = plan_all(r, src, err);
out:
	my_close(src);
	return rc;
}

static enum step_result run(struct step_ctx *ctx, bool copy, int repair, struct err *err)
{
	struct full_run r = { .ctx = ctx, .start_ms = time_now_ms() };
	enum step_result res = STEP_FAILED;
	int rc;

	pthread_mutex_init(&r.mu, NULL);
	rc = prepare(&r, err);
	if (rc != 0) {
		res = rc > 0 ? STEP_CANCELLED : STEP_FAILED;
		goto out;
	}
	if (repair >= 0)
		r.plan.opts.repair = repair;
	if (!copy)
		r.plan.opts.verify = true;   /* step_full_verify: whatever Reserve says */
	build_tasks(&r);
	if (record(&r, err) < 0)
		goto out;
	if (copy && run_phase(&r, PHASE_COPY, err) < 0)
		goto out;
	if (copy)
		log_info("full.copied", "job_id=%s tables=%zu ms=%" PRId64, ctx->job->id,
			 r.plan.n_tables, time_now_ms() - r.start_ms);
	if (r.plan.opts.verify && !step_cancelled(ctx) && run_phase(&r, PHASE_VERIFY, err) < 0)
		goto out;
	if (r.plan.opts.verify && !step_cancelled(ctx) && count_extra_rows(&r, err) < 0)
		goto out;
	if (!step_cancelled(ctx))
		judge_diffs(&r);
	if (record(&r, err) < 0)
		goto out;
	res = outcome(&r, err);
	log_info("full.end", "job_id=%s tables=%zu ms=%" PRId64 " result=%d", ctx->job->id,
		 r.plan.n_tables, time_now_ms() - r.start_ms, (int)res);
out:
	run_release(&r);
	return res;
}

enum step_result step_full_run(struct step_ctx *ctx, struct err *err)
{
	return run(ctx, true, -1, err);
}

enum step_result step_full_verify(struct step_ctx *ctx, bool repair, struct err *err)
{
	struct err e = { 0 };

	/* Forget earlier verification results: this run compares again. */
	if (meta_checkpoint_clear(ctx->meta, ctx->job->id, FULL_CK_VERIFIED, &e) < 0) {
		*err = e;
		return STEP_FAILED;
	}
	return run(ctx, false, repair, err);
}
