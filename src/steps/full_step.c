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
		return FULL_TASK_META_FAILED;
	if (full__with_retry(w, op_copy, &o, t->tkey, err) < 0)
		return -1;
	if (ck_put(m, r->ctx->job->id, FULL_CK_DONE, t, c, o.ch->rows, err) < 0)
		return FULL_TASK_META_FAILED;
	return 0;
}

/* Appends the first differing keys of d to the table's list (run->mu held). */
static void note_diff_keys(struct full_run *r, size_t ti, const struct full_diff *d)
{
	struct full_table_rec *rec = &r->rec[ti];
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
			rc = FULL_TASK_META_FAILED;
	}
	full_diff_release(&d);
	return rc;
}

/* ---- the worker pool ---------------------------------------------------------------------- */

/* The next task a worker may run, marked running and copied into *ch;
 * false when none is left. run->mu held. */
static bool take_task(struct full_run *r, struct full_task *out, struct full_chunk *ch)
{
	while (r->next < r->n_tasks && !r->fatal && !step_cancelled(r->ctx)) {
		struct full_task tk = r->tasks[r->next++];
		struct full_table *t = &r->plan.tables[tk.table];
		struct full_chunk *c = &t->chunks[tk.chunk];

		if (t->failed)
			continue;
		if (r->phase == FULL_PHASE_COPY && c->state == FULL_C_DONE)
			continue;
		if (r->phase == FULL_PHASE_VERIFY && c->diff >= 0)
			continue;
		if (!t->boot_ms)
			t->boot_ms = time_now_ms();
		c->state = r->phase == FULL_PHASE_COPY ? FULL_C_RUNNING : c->state;
		*out = tk;
		*ch = *c;
		return true;
	}
	return false;
}

/* Hands a finished task back. run->mu held. */
static void give_back(struct full_run *r, const struct full_task *tk, const struct full_chunk *ch,
		      bool copied, int rc, const struct err *e)
{
	struct full_table *t = &r->plan.tables[tk->table];
	struct full_chunk *c = &t->chunks[tk->chunk];

	c->in_doubt = ch->in_doubt;
	c->diff = ch->diff;
	if (r->phase == FULL_PHASE_COPY) {
		c->rows = ch->rows;
		c->state = copied ? FULL_C_DONE : FULL_C_TODO;
	}
	if (rc == -1 && e->code != ERR_CANCELLED && !step_cancelled(r->ctx))
		table_fail(r, t, c, e);
	if (copied && r->phase == FULL_PHASE_COPY) {
		bool all = true;
		for (size_t i = 0; i < t->n_chunks && all; i++)
			all = t->chunks[i].state == FULL_C_DONE;
		if (all && !r->plan.opts.verify)
			t->finish_ms = time_now_ms();
	}
}

static void run_tasks(struct full_run *r, struct full_worker *w, struct meta *m)
{
	struct full_task tk;
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
		if (r->phase == FULL_PHASE_COPY) {
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
		if (rc == FULL_TASK_META_FAILED) {
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
static int run_phase(struct full_run *r, enum full_phase phase, struct err *err)
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
		if (rc == 0 && full__record(r, err) < 0)
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
				r->tasks[r->n_tasks++] = (struct full_task){ .table = i, .chunk = c };
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
	if (full__record(&r, err) < 0)
		goto out;
	if (copy && run_phase(&r, FULL_PHASE_COPY, err) < 0)
		goto out;
	if (copy)
		log_info("full.copied", "job_id=%s tables=%zu ms=%" PRId64, ctx->job->id,
			 r.plan.n_tables, time_now_ms() - r.start_ms);
	if (r.plan.opts.verify && !step_cancelled(ctx) && run_phase(&r, FULL_PHASE_VERIFY, err) < 0)
		goto out;
	if (r.plan.opts.verify && !step_cancelled(ctx) && count_extra_rows(&r, err) < 0)
		goto out;
	if (!step_cancelled(ctx))
		judge_diffs(&r);
	if (full__record(&r, err) < 0)
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
