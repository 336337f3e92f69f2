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

/* Every table of checks, in the order they run and are listed. */
static const struct precheck_check *const tables[] = {
	precheck__conn_checks, precheck__src_checks, precheck__dst_checks,
	precheck__both_checks,
};

/* One check in flight: filled by its thread, read after the join. */
struct slot {
	const struct step_ctx *ctx;
	const struct precheck_env *env;
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
	log_at(strcmp(s->res.state, PRECHECK_SUCCESS) == 0 ||
	       strcmp(s->res.state, PRECHECK_NOT_STARTED) == 0 ? LOG_INFO : LOG_WARN,
	       "precheck.item", "job_id=%s item=%s state=%s msg=%s", s->ctx->job->id,
	       s->check->item, s->res.state,
	       log_quote(quoted, sizeof(quoted), s->res.n_logs ? s->res.logs[0].msg : ""));
	return record(s->ctx, s->check, s->res.state, s->boot_ms, s->finish_ms, &s->res, err);
}

/* ---- running ------------------------------------------------------------ */

struct plan {
	struct slot *slots;        /* the checks that apply to this job */
	size_t n;
	struct precheck_env env;
	struct netcheck_run {
		const struct step_ctx *ctx;
		struct precheck_netcheck *result;
	} netcheck;
};

static void *netcheck_main(void *arg)
{
	struct netcheck_run *r = arg;

	r->result = precheck__netcheck_probe(r->ctx);
	return NULL;
}

static void run_slot(struct slot *s)
{
	s->check->run(s->env, &s->res);
	s->finish_ms = time_now_ms();
}

static void *slot_main(void *arg)
{
	run_slot(arg);
	return NULL;
}

/* Why a side's checks cannot run, or NULL when they can. */
static const char *side_blocked(const struct precheck_env *env, enum precheck_side side)
{
	bool src = env->src != NULL, dst = env->dst_my || env->dst_pg;

	if ((side == PRECHECK_SIDE_SRC || side == PRECHECK_SIDE_BOTH) && !src)
		return "not checked: the source database could not be reached (see CHECK_CONN_SRC)";
	if ((side == PRECHECK_SIDE_DST || side == PRECHECK_SIDE_BOTH) && !dst)
		return "not checked: the destination database could not be reached "
		       "(see CHECK_CONN_DEST)";
	return NULL;
}

/* Runs, one after another, the slots of one side (a side's connection is
 * used by one thread only); a cancel stops before the next check. */
struct side_run {
	struct plan *plan;
	enum precheck_side side;
	pthread_t thread;
	bool started;
};

static void *side_main(void *arg)
{
	struct side_run *r = arg;
	const char *why = side_blocked(&r->plan->env, r->side);

	for (size_t i = 0; i < r->plan->n; i++) {
		struct slot *s = &r->plan->slots[i];
		if (s->check->side != r->side)
			continue;
		if (step_cancelled(s->ctx)) {
			s->res.cancelled = true;
			continue;
		}
		if (why) {
			s->res.state = PRECHECK_NOT_STARTED;
			precheck__log(&s->res, "INFO", "skipped", NULL, "%s", why);
			continue;
		}
		run_slot(s);
	}
	return NULL;
}

static void start_side(struct side_run *r)
{
	r->started = pthread_create(&r->thread, NULL, side_main, r) == 0;
	if (!r->started)
		side_main(r);
}

static void join_side(struct side_run *r)
{
	if (r->started)
		pthread_join(r->thread, NULL);
}

static bool passed(const struct plan *p, const char *item)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->slots[i].check->item, item) == 0)
			return p->slots[i].res.state &&
			       strcmp(p->slots[i].res.state, PRECHECK_SUCCESS) == 0;
	return false;
}

/* Stage 1: the connectivity checks, in parallel. Stage 2: gather the env.
 * Stage 3: source and destination checks, one thread per side. Stage 4:
 * the checks that compare both servers. */
static void run_all(struct plan *p, const struct step_ctx *ctx)
{
	struct side_run conn = { p, PRECHECK_SIDE_CONN, 0, false };
	struct side_run src = { p, PRECHECK_SIDE_SRC, 0, false };
	struct side_run dst = { p, PRECHECK_SIDE_DST, 0, false };
	struct side_run both = { p, PRECHECK_SIDE_BOTH, 0, false };
	pthread_t th[8];
	size_t nth = 0;

	for (size_t i = 0; i < p->n && nth < 8; i++) {
		struct slot *s = &p->slots[i];
		if (s->check->side != PRECHECK_SIDE_CONN)
			continue;
		if (pthread_create(&th[nth], NULL, slot_main, s) == 0)
			nth++;
		else
			run_slot(s);
	}
	if (!step_cancelled(ctx) &&
	    pthread_create(&th[nth], NULL, netcheck_main, &p->netcheck) == 0)
		nth++;
	for (size_t i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	(void)conn;
	precheck__env_open(&p->env, ctx, !step_cancelled(ctx) && passed(p, "CHECK_CONN_SRC"),
			   !step_cancelled(ctx) && passed(p, "CHECK_CONN_DEST"));
	start_side(&src);
	start_side(&dst);
	join_side(&src);
	join_side(&dst);
	side_main(&both);
}

/* After the results are written: the names of failed items that are not
 * skipped (SkipPreCheck sets `skip`; meta_item_put keeps it), into `failed`. */
static int collect_failures(const struct plan *p, struct buf *failed, struct err *err)
{
	const struct step_ctx *ctx = p->env.ctx;
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

		for (size_t j = 0; j < p->n; j++)
			ours = ours || strcmp(items[i].key, p->slots[j].check->item) == 0;
		if (ours && !items[i].skip)
			buf_printf(failed, "%s%s", failed->len ? ", " : "", items[i].item);
		meta_item_release(&items[i]);
	}
	free(items);
	return 0;
}

/* Marks every item Checking (with a fresh boot time and no old logs). */
static int mark_checking(struct plan *p, struct err *err)
{
	for (size_t i = 0; i < p->n; i++) {
		p->slots[i].boot_ms = time_now_ms();
		if (record(p->slots[i].ctx, p->slots[i].check, PRECHECK_CHECKING,
			   p->slots[i].boot_ms, 0, NULL, err) < 0)
			return -1;
	}
	return 0;
}

/* The checks that apply to the job, in table order. */
static void plan_init(struct plan *p, const struct step_ctx *ctx)
{
	memset(p, 0, sizeof(*p));
	p->env.ctx = ctx;
	p->env.job = ctx->job;
	p->netcheck.ctx = ctx;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (const struct precheck_check *c = tables[t]; c->item; c++) {
			if (c->applies && !c->applies(ctx->job))
				continue;
			p->slots = xrealloc(p->slots, (p->n + 1) * sizeof(*p->slots));
			p->slots[p->n] = (struct slot){ .ctx = ctx, .env = &p->env, .check = c };
			p->n++;
		}
	}
}

static void plan_release(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		precheck__result_release(&p->slots[i].res);
	free(p->slots);
	if (p->netcheck.result)
		precheck__netcheck_record(NULL, p->netcheck.result, NULL);
	precheck__env_close(&p->env);
}

enum step_result step_precheck_run(struct step_ctx *ctx, struct err *err)
{
	enum step_result result = STEP_FAILED;
	bool cancelled = false;
	struct buf failed;
	struct plan p;

	buf_init(&failed, 4096);
	plan_init(&p, ctx);
	if (step_cancelled(ctx)) {
		err_set(err, ERR_CANCELLED, "precheck of job %s cancelled", ctx->job->id);
		result = STEP_CANCELLED;
		goto cleanup;
	}
	if (mark_checking(&p, err) < 0)
		goto cleanup;
	run_all(&p, ctx);
	for (size_t i = 0; i < p.n; i++) {
		cancelled = cancelled || p.slots[i].res.cancelled;
		if (record_result(&p.slots[i], err) < 0)
			goto cleanup;
	}
	if (cancelled) {
		err_set(err, ERR_CANCELLED, "precheck of job %s cancelled", ctx->job->id);
		result = STEP_CANCELLED;
		goto cleanup;
	}
	if (p.netcheck.result) {
		struct precheck_netcheck *nc = p.netcheck.result;
		p.netcheck.result = NULL;
		if (precheck__netcheck_record(ctx, nc, err) < 0)
			goto cleanup;
	}
	if (precheck__assess_record(&p.env, err) < 0)
		goto cleanup;
	if (collect_failures(&p, &failed, err) < 0)
		goto cleanup;
	if (failed.len) {
		err_set(err, ERR_INVALID, "precheck failed: %s", buf_cstr(&failed));
		err_detail(err, "DescribePreCheckStatus with JobCode 01 shows the cause of each "
			   "failed item; fix it and start the job again");
		goto cleanup;
	}
	result = STEP_DONE;
cleanup:
	plan_release(&p);
	buf_release(&failed);
	return result;
}
