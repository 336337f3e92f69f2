/*
 * precheck.c - step 01, the precheck: runs every check of the table below,
 * in parallel, and records one progress item per check (JobProgress of
 * DescribePreCheckStatus, kind META_ITEM_PROGRESS, key = the item code).
 *
 * Threads: step_precheck_run() is called on a job worker thread and is the
 * only one that touches the metastore (ctx->meta). It marks every item
 * Checking, starts one thread per check, joins them all, then writes each
 * result (state, message keys, Logs). A check thread only reads ctx and its
 * own endpoint and fills its own struct precheck_result, so nothing is
 * shared between threads while they run.
 *
 * A new check plugs in by adding a row to `checks` and a function in a
 * precheck_<x>.c file (see precheck_internal.h).
 */
#include "steps/precheck.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steps/precheck_internal.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

static const struct precheck_check checks[] = {
	{ "CHECK_CONN_SRC", 1, false, precheck__conn_src },
	{ "CHECK_CONN_DEST", 2, false, precheck__conn_dest },
};

#define N_CHECKS (sizeof(checks) / sizeof(checks[0]))

/* One check in flight: filled by its thread, read after the join. */
struct slot {
	const struct step_ctx *ctx;
	const struct precheck_check *check;
	struct precheck_result res;
	int64_t boot_ms;
	int64_t finish_ms;
	pthread_t thread;
	bool started;
};

void precheck__log(struct precheck_result *res, const char *level, const char *type,
		   const char *data, const char *fmt, ...)
{
	struct precheck_log *l;
	va_list ap;
	int n;

	res->logs = xrealloc(res->logs, (res->n_logs + 1) * sizeof(*res->logs));
	l = &res->logs[res->n_logs++];
	l->level = xstrdup(level);
	l->type = xstrdup(type);
	l->data = xstrdup(data ? data : "");
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	l->msg = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(l->msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
}

void precheck__result_release(struct precheck_result *res)
{
	for (size_t i = 0; i < res->n_logs; i++) {
		free(res->logs[i].level);
		free(res->logs[i].type);
		free(res->logs[i].msg);
		free(res->logs[i].data);
	}
	free(res->logs);
	memset(res, 0, sizeof(*res));
}

/* ---- recording ---------------------------------------------------------- */

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* Fills `it` with the row of one check in `state`; message keys follow the
 * Alibaba pattern CHECK_X -> CHECK__ERROR_X, ..._DETAIL, ..._REPAIR. */
static void item_fill(struct meta_item *it, const struct step_ctx *ctx,
		      const struct precheck_check *chk, const char *state)
{
	const char *tail = strncmp(chk->item, "CHECK_", 6) == 0 ? chk->item + 6 : chk->item;
	char key[128];

	str_copy(it->job_id, sizeof(it->job_id), ctx->job->id);
	str_copy(it->code, sizeof(it->code), ctx->code ? ctx->code : "01");
	it->kind = META_ITEM_PROGRESS;
	it->order_num = chk->order_num;
	it->can_skip = chk->can_skip;
	/* One check is one sub-item; Current counts it while it runs. */
	it->total = 1;
	it->current = strcmp(state, "Checking") == 0 ? 1 : 0;
	set_str(&it->key, chk->item);
	set_str(&it->item, chk->item);
	snprintf(key, sizeof(key), "%s_DETAIL", chk->item);
	set_str(&it->names, key);
	set_str(&it->state, state);
	if (strcmp(state, PRECHECK_FAILED) == 0 || strcmp(state, PRECHECK_WARNING) == 0) {
		snprintf(key, sizeof(key), "CHECK__ERROR_%s", tail);
		set_str(&it->err_msg, key);
		snprintf(key, sizeof(key), "CHECK__ERROR_%s_DETAIL", tail);
		set_str(&it->err_detail, key);
		snprintf(key, sizeof(key), "CHECK__ERROR_%s_REPAIR", tail);
		set_str(&it->repair_method, key);
	}
}

/* Writes one item in `state` and replaces its logs with `res`'s (res may be
 * NULL: the logs are only cleared). One transaction, so a reader never sees
 * a Failed item without its cause. */
static int record(const struct step_ctx *ctx, const struct precheck_check *chk,
		  const char *state, int64_t boot_ms, int64_t finish_ms,
		  const struct precheck_result *res, struct err *err)
{
	struct meta_item it;
	int rc = -1;

	meta_item_init(&it);
	item_fill(&it, ctx, chk, state);
	it.boot_ms = boot_ms;
	it.finish_ms = finish_ms;
	if (meta_begin(ctx->meta, err) < 0)
		goto cleanup;
	if (meta_item_put(ctx->meta, &it, err) < 0 ||
	    meta_item_logs_clear(ctx->meta, it.id, err) < 0)
		goto rollback;
	for (size_t i = 0; res && i < res->n_logs; i++) {
		const struct precheck_log *l = &res->logs[i];
		struct meta_log ml = { .err_data = l->data, .err_msg = l->msg,
				       .log_level = l->level, .err_type = l->type };

		if (meta_item_log_add(ctx->meta, it.id, &ml, err) < 0)
			goto rollback;
	}
	if (meta_commit(ctx->meta, err) < 0)
		goto rollback;
	rc = 0;
	goto cleanup;
rollback:
	meta_rollback(ctx->meta);
cleanup:
	if (rc < 0)
		err_prefix(err, "recording precheck item %s of job %s", chk->item, ctx->job->id);
	meta_item_release(&it);
	return rc;
}

/* Records the outcome of a finished slot; a cancelled check goes back to
 * NotStarted (it will run again when the job resumes). */
static int record_result(const struct slot *s, struct err *err)
{
	char quoted[600];

	if (s->res.cancelled || !s->res.state)
		return record(s->ctx, s->check, PRECHECK_NOT_STARTED, 0, 0, NULL, err);
	log_at(strcmp(s->res.state, PRECHECK_SUCCESS) == 0 ? LOG_INFO : LOG_WARN,
	       "precheck.item", "job_id=%s item=%s state=%s msg=%s", s->ctx->job->id,
	       s->check->item, s->res.state,
	       log_quote(quoted, sizeof(quoted), s->res.n_logs ? s->res.logs[0].msg : ""));
	return record(s->ctx, s->check, s->res.state, s->boot_ms, s->finish_ms, &s->res, err);
}

/* ---- running ------------------------------------------------------------ */

static void *slot_main(void *arg)
{
	struct slot *s = arg;

	s->check->run(s->ctx, &s->res);
	s->finish_ms = time_now_ms();
	return NULL;
}

/* Starts every check on its own thread; runs a check inline when no thread
 * can be created, so a loaded host still gets an answer. */
static void run_all(struct slot *slots)
{
	for (size_t i = 0; i < N_CHECKS; i++) {
		if (pthread_create(&slots[i].thread, NULL, slot_main, &slots[i]) == 0)
			slots[i].started = true;
		else
			slot_main(&slots[i]);
	}
	for (size_t i = 0; i < N_CHECKS; i++)
		if (slots[i].started)
			pthread_join(slots[i].thread, NULL);
}

/* After the results are written: the names of failed items that are not
 * skipped (SkipPreCheck sets `skip`; meta_item_put keeps it), into `failed`. */
static int collect_failures(const struct step_ctx *ctx, struct buf *failed,
			    struct err *err)
{
	struct meta_item_filter f = {
		.job_id = ctx->job->id, .code = ctx->code ? ctx->code : "01",
		.kind = META_ITEM_PROGRESS, .state = PRECHECK_FAILED,
	};
	struct meta_item *items = NULL;
	size_t n = 0;

	if (meta_item_list(ctx->meta, &f, &items, &n, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bool ours = false;

		for (size_t j = 0; j < N_CHECKS; j++)
			ours = ours || strcmp(items[i].key, checks[j].item) == 0;
		if (ours && !items[i].skip)
			buf_printf(failed, "%s%s", failed->len ? ", " : "", items[i].item);
		meta_item_release(&items[i]);
	}
	free(items);
	return 0;
}

/* Marks every item Checking (with a fresh boot time and no old logs). */
static int mark_checking(struct slot *slots, struct err *err)
{
	for (size_t i = 0; i < N_CHECKS; i++) {
		slots[i].boot_ms = time_now_ms();
		if (record(slots[i].ctx, slots[i].check, PRECHECK_CHECKING, slots[i].boot_ms,
			   0, NULL, err) < 0)
			return -1;
	}
	return 0;
}

enum step_result step_precheck_run(struct step_ctx *ctx, struct err *err)
{
	struct slot slots[N_CHECKS];
	enum step_result result = STEP_FAILED;
	bool cancelled = false;
	struct buf failed;

	buf_init(&failed, 4096);
	memset(slots, 0, sizeof(slots));
	for (size_t i = 0; i < N_CHECKS; i++) {
		slots[i].ctx = ctx;
		slots[i].check = &checks[i];
	}
	if (step_cancelled(ctx)) {
		err_set(err, ERR_CANCELLED, "precheck of job %s cancelled", ctx->job->id);
		result = STEP_CANCELLED;
		goto cleanup;
	}
	if (mark_checking(slots, err) < 0)
		goto cleanup;
	run_all(slots);
	for (size_t i = 0; i < N_CHECKS; i++) {
		cancelled = cancelled || slots[i].res.cancelled;
		if (record_result(&slots[i], err) < 0)
			goto cleanup;
	}
	if (cancelled) {
		err_set(err, ERR_CANCELLED, "precheck of job %s cancelled", ctx->job->id);
		result = STEP_CANCELLED;
		goto cleanup;
	}
	if (collect_failures(ctx, &failed, err) < 0)
		goto cleanup;
	if (failed.len) {
		err_set(err, ERR_INVALID, "precheck failed: %s", buf_cstr(&failed));
		err_detail(err, "DescribePreCheckStatus with JobCode 01 shows the cause of each "
			   "failed item; fix it and start the job again");
		goto cleanup;
	}
	result = STEP_DONE;
cleanup:
	for (size_t i = 0; i < N_CHECKS; i++)
		precheck__result_release(&slots[i].res);
	buf_release(&failed);
	return result;
}
