/*
 * schema_step.c - step 02, schema migration: builds the plan (schema_plan.c),
 * reads what earlier runs left (checkpoints, items), lists every object as
 * a progress item, then creates the objects wave by wave on the worker pool
 * (schema_exec.c) and records each outcome with its checkpoint.
 *
 * Waves (schema_internal.h): databases, tables, row keys, views (retried
 * while a round makes progress: a view may select from another view),
 * routines; then the second phase: secondary indexes, foreign keys (after
 * the indexes: MySQL wants an index on the referenced columns) and
 * triggers. The second phase runs in step_schema_finish() after the full
 * data when the job copies data: loading is faster without the indexes, and
 * a trigger active during the load would fire on every copied row (a BEFORE
 * INSERT trigger rewrites the copied values, an AFTER INSERT one writes
 * extra rows), so triggers wait for the data too. On MySQL, objects of one
 * table that are created at the same time run as one statement (a unit,
 * schema_exec.c): the keys inside the CREATE TABLE when no data step
 * follows, otherwise one ALTER TABLE per table and wave.
 *
 * Threads: everything here runs on the job worker thread that called the
 * step, the only one that writes the metastore (ctx->meta).
 */
#include "steps/schema_step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steps/schema_internal.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define CK_DONE "schema.done."          /* + key: the object was created */
#define CK_PRE "schema.pre."            /* + key: the table existed before the step */
#define CK_SNAPSHOT "schema.snapshot"   /* the CK_PRE entries are written */

struct schema_run {
	const struct step_ctx *ctx;
	struct schema_plan plan;
	bool finish;                /* step_schema_finish() */
	int64_t n_success;          /* objects created so far (subtask progress) */
	struct schema_pool *pool;   /* started on the first object to run */
};

/* ---- recording -------------------------------------------------------------- */

static bool is_final(const struct schema_obj *o)
{
	return o->state == SCHEMA_S_SUCCESS || o->state == SCHEMA_S_FAILED;
}

/* The item of an object; every string is borrowed from the object. */
static void item_of(const struct schema_run *r, const struct schema_obj *o,
		    struct meta_item *it)
{
	memset(it, 0, sizeof(*it));
	str_copy(it->job_id, sizeof(it->job_id), r->ctx->job->id);
	str_copy(it->code, sizeof(it->code), r->ctx->code ? r->ctx->code : "02");
	it->kind = META_ITEM_PROGRESS;
	it->struct_type = (char *)"before";
	it->key = o->key;
	it->phase = (char *)schema__kind_phase(o->kind);
	it->order_num = o->order_num;
	it->item = o->name;
	it->names = o->src_name;
	it->state = (char *)schema__state_name(o->state);
	it->ignore_flag = (char *)"N";
	it->err_msg = o->err_msg ? o->err_msg : (char *)"";
	it->err_detail = it->repair_method = (char *)"";
	it->boot_ms = o->state == SCHEMA_S_NOT_STARTED ? 0 : o->boot_ms;
	it->finish_ms = is_final(o) ? (o->finish_ms ? o->finish_ms : time_now_ms()) : 0;
	it->source_schema = o->src_schema;
	it->dest_schema = o->dst_schema;
	it->target_names = o->name;
	it->parent_obj = o->parent;
	it->ddl_sql = o->ddl_text ? o->ddl_text : (char *)"";
	it->current = o->state == SCHEMA_S_MIGRATING ? 1 : 0;
	it->total = 1;
	it->sub = (char *)"[]";
}

static int add_log(struct meta *m, int64_t id, const char *level, const char *type,
		   const char *data, const char *msg, struct err *err)
{
	struct meta_log l = { .err_data = (char *)data, .err_msg = (char *)msg,
			      .log_level = (char *)level, .err_type = (char *)type };

	return meta_item_log_add(m, id, &l, err);
}

/* The final logs: the outcome's own first (the failure, or why nothing
 * ran), then the renderer's notes. */
static int record_logs(struct meta *m, const struct schema_obj *o, int64_t id,
		       struct err *err)
{
	const char *phase = schema__kind_phase(o->kind);

	for (size_t i = 0; i < o->n_logs; i++) {
		const struct schema_log *l = &o->logs[i];
		if (add_log(m, id, l->level, l->type, l->data, l->msg, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < o->ddl.n_notes; i++)
		if (add_log(m, id, "INFO", phase, o->name, o->ddl.notes[i], err) < 0)
			return -1;
	return 0;
}

static int record_one(struct schema_run *r, struct schema_obj *o, struct err *err)
{
	struct meta *m = r->ctx->meta;
	struct meta_item it;
	char *ck;
	int rc;

	item_of(r, o, &it);
	if (meta_item_put(m, &it, err) < 0)
		return -1;
	if (o->state != SCHEMA_S_MIGRATING && meta_item_logs_clear(m, it.id, err) < 0)
		return -1;
	if (is_final(o) && record_logs(m, o, it.id, err) < 0)
		return -1;
	if (o->state == SCHEMA_S_FAILED)
		log_warn("schema.object", "job_id=%s key=\"%s\" state=Failed msg=\"%.300s\"",
			 r->ctx->job->id, o->key, o->err_msg ? o->err_msg : "");
	if (o->state != SCHEMA_S_SUCCESS)
		return 0;
	ck = xasprintf(CK_DONE "%s", o->key);
	rc = meta_checkpoint_put(m, r->ctx->job->id, ck, "1", err);
	free(ck);
	r->n_success += rc == 0;
	return rc;
}

/* The subtask's progress: objects created / objects of the step. */
static int record_progress(struct schema_run *r, struct err *err)
{
	struct meta_subtask st = { 0 };
	int rc = 0;

	if (meta_subtask_get(r->ctx->meta, r->ctx->job->id, r->ctx->code ? r->ctx->code : "02",
			     &st, err) < 0) {
		if (err->code != ERR_NOT_FOUND)
			return -1;
		err_clear(err);   /* called outside the runner (tests): no subtask */
		return 0;
	}
	if (st.progress != r->n_success || st.total != (int64_t)r->plan.n) {
		st.progress = r->n_success;
		st.total = (int64_t)r->plan.n;
		rc = meta_subtask_put(r->ctx->meta, &st, err);
	}
	meta_subtask_release(&st);
	return rc;
}

int schema__record(struct schema_run *r, const size_t *idx, size_t n, struct err *err)
{
	struct meta *m = r->ctx->meta;

	if (meta_begin(m, err) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (record_one(r, &r->plan.objs[idx[i]], err) < 0)
			goto rollback;
	if (record_progress(r, err) < 0 || meta_commit(m, err) < 0)
		goto rollback;
	return 0;
rollback:
	meta_rollback(m);
fail:
	err_prefix(err, "recording the schema migration of job %s", r->ctx->job->id);
	return -1;
}

/* ---- what earlier runs left ------------------------------------------------- */

static int checkpoint_has(const struct schema_run *r, const char *prefix, const char *key,
			  bool *has, struct err *err)
{
	char *ck = xasprintf("%s%s", prefix, key), *v = NULL;
	int rc = meta_checkpoint_get(r->ctx->meta, r->ctx->job->id, ck, &v, err);

	*has = v != NULL;
	free(v);
	free(ck);
	return rc;
}

/* The tables that existed in the destination before the step first ran:
 * read back, or (first run) taken from the plan's probe and stored. */
static int load_snapshot(struct schema_run *r, struct err *err)
{
	struct meta *m = r->ctx->meta;
	const char *job = r->ctx->job->id;
	char *taken = NULL;

	if (meta_checkpoint_get(m, job, CK_SNAPSHOT, &taken, err) < 0)
		return -1;
	for (size_t i = 0; taken && i < r->plan.n; i++) {
		struct schema_obj *o = &r->plan.objs[i];
		if (o->kind == SCHEMA_K_TABLE &&
		    checkpoint_has(r, CK_PRE, o->key, &o->preexisting, err) < 0)
			goto fail;
	}
	if (taken || r->finish) {
		free(taken);
		return 0;
	}
	if (meta_begin(m, err) < 0)
		return -1;
	for (size_t i = 0; i < r->plan.n; i++) {
		struct schema_obj *o = &r->plan.objs[i];
		char *ck;
		int rc;

		if (o->kind != SCHEMA_K_TABLE || !o->exists)
			continue;
		o->preexisting = true;
		ck = xasprintf(CK_PRE "%s", o->key);
		rc = meta_checkpoint_put(m, job, ck, "1", err);
		free(ck);
		if (rc < 0)
			goto rollback;
	}
	if (meta_checkpoint_put(m, job, CK_SNAPSHOT, "1", err) < 0 || meta_commit(m, err) < 0)
		goto rollback;
	return 0;
rollback:
	meta_rollback(m);
fail:
	free(taken);
	return -1;
}

/* Objects an interrupted run recorded Migrating (maybe created since). */
static int load_in_doubt(struct schema_run *r, struct err *err)
{
	struct meta_item_filter f = {
		.job_id = r->ctx->job->id, .code = r->ctx->code ? r->ctx->code : "02",
		.kind = META_ITEM_PROGRESS, .state = "Migrating",
	};
	struct meta_item *items = NULL;
	size_t n = 0;

	if (meta_item_list(r->ctx->meta, &f, &items, &n, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t k = schema__plan_find(&r->plan, items[i].key);
		if (k != SCHEMA_NONE && !r->plan.objs[k].done)
			r->plan.objs[k].in_doubt = true;
		meta_item_release(&items[i]);
	}
	free(items);
	return 0;
}

static int load_state(struct schema_run *r, struct err *err)
{
	for (size_t i = 0; i < r->plan.n; i++) {
		struct schema_obj *o = &r->plan.objs[i];
		if (checkpoint_has(r, CK_DONE, o->key, &o->done, err) < 0)
			return -1;
		r->n_success += o->done;
	}
	if (load_in_doubt(r, err) < 0 || load_snapshot(r, err) < 0) {
		err_prefix(err, "reading the schema migration state of job %s", r->ctx->job->id);
		return -1;
	}
	return 0;
}

/* ---- waves ------------------------------------------------------------------- */

static bool second_phase(enum schema_wave w)
{
	return w >= SCHEMA_W_INDEX;
}

/* Whether this call creates the objects of wave w. */
static bool wave_now(const struct schema_run *r, enum schema_wave w)
{
	if (r->finish)
		return second_phase(w);
	return !second_phase(w) || !r->ctx->job->data_init;
}

/* Lists every object of this call that is not created yet as NotStarted
 * (run: all of them, so the second phase shows too; finish: the second
 * phase). Items an interrupted run left Migrating stay so until they run:
 * another crash must not lose that they may exist. */
static int list_objects(struct schema_run *r, struct err *err)
{
	size_t *idx = xcalloc(r->plan.n + 1, sizeof(*idx)), n = 0;
	int rc;

	for (size_t i = 0; i < r->plan.n; i++) {
		struct schema_obj *o = &r->plan.objs[i];
		if (o->done || o->in_doubt || (r->finish && !second_phase(o->wave)))
			continue;
		o->state = SCHEMA_S_NOT_STARTED;
		idx[n++] = i;
	}
	rc = n ? schema__record(r, idx, n, err) : 0;
	free(idx);
	return rc;
}

/* "table", "foreign key"...: a kind in a sentence. */
static const char *kind_word(enum schema_kind k)
{
	static const char *const words[] = {
		"database", "table", "view", "function", "procedure", "trigger", "index",
		"foreign key",
	};

	return (size_t)k < sizeof(words) / sizeof(words[0]) ? words[k] : "object";
}

static bool table_ok(const struct schema_obj *t)
{
	return t->done || t->state == SCHEMA_S_SUCCESS;
}

static void settle_success(struct schema_obj *o, const char *log_msg)
{
	o->state = SCHEMA_S_SUCCESS;
	o->boot_ms = o->finish_ms = time_now_ms();
	schema__obj_log(o, "INFO", o->name, "%s", log_msg);
}

static void settle_failed(struct schema_obj *o, const char *err_msg, const char *data,
			  const char *log_msg)
{
	o->boot_ms = o->finish_ms = time_now_ms();
	schema__obj_fail(o, err_msg, data, log_msg);
}

/* Decides an object that needs no statement on the destination; returns
 * false when it has to run. */
static bool settle(const struct schema_run *r, struct schema_obj *o)
{
	const struct schema_plan *p = &r->plan;
	const struct schema_obj *t = o->table == SCHEMA_NONE ? NULL : &p->objs[o->table];
	char msg[1200];

	schema__obj_reset(o);
	if (o->render_error) {
		snprintf(msg, sizeof(msg), "cannot render the DDL: %s", o->render_error);
		settle_failed(o, o->render_error, o->ddl_text, msg);
	} else if (o->ddl.unsupported) {
		snprintf(msg, sizeof(msg), "not created: %s cannot take this %s: %s",
			 p->pg ? "PostgreSQL" : "the destination", kind_word(o->kind),
			 o->ddl.reason);
		settle_failed(o, o->ddl.reason, o->ddl_text, msg);
	} else if (o->kind == SCHEMA_K_TABLE && o->preexisting && p->keep_existing) {
		snprintf(msg, sizeof(msg), "kept the existing table %s.%s (Reserve targetTableMode "
			 "\"2\"): the statement was not run; the data steps write into the table",
			 o->dst_schema, o->name);
		settle_success(o, msg);
	} else if (t && t->preexisting && p->keep_existing) {
		snprintf(msg, sizeof(msg), "not created: table %s.%s existed in the destination and "
			 "was kept as it is (Reserve targetTableMode \"2\")", t->dst_schema, t->name);
		settle_success(o, msg);
	} else if (t && !table_ok(t)) {
		snprintf(msg, sizeof(msg), "not created: its table %s.%s was not created (see "
			 "that item)", t->dst_schema, t->name);
		settle_failed(o, "its table was not created", NULL, msg);
	} else if (o->kind == SCHEMA_K_DATABASE && o->exists) {
		snprintf(msg, sizeof(msg), "the destination already has %s %s: kept as it is, the "
			 "statement was not run", p->pg ? "schema" : "database", o->name);
		settle_success(o, msg);
	} else if (o->ddl.n_stmts == 0) {
		/* MySQL: an index the AUTO_INCREMENT column needs comes with the
		 * table; the renderer's note says so. */
		o->state = SCHEMA_S_SUCCESS;
		o->boot_ms = o->finish_ms = time_now_ms();
		if (!o->ddl.n_notes)
			schema__obj_log(o, "INFO", o->name, "nothing to run for this object");
	} else {
		return false;
	}
	return true;
}

/* Views: rounds while some view that failed can be retried. */
static int run_views(struct schema_run *r, size_t *todo, size_t n, struct err *err)
{
	size_t *cur = todo, *def = NULL, n_def = 0;
	int rc;

	for (;;) {
		rc = schema__pool_run(r->pool, r, cur, n, true, &def, &n_def, err);
		if (rc == 0 && n_def && n_def < n) {
			for (size_t i = 0; i < n_def; i++)
				schema__obj_reset(&r->plan.objs[def[i]]);
			if (cur != todo)
				free(cur);
			cur = def;
			n = n_def;
			continue;
		}
		for (size_t i = 0; rc == 1 && i < n_def; i++)
			r->plan.objs[def[i]].state = SCHEMA_S_NOT_STARTED;
		if (rc >= 0 && n_def && schema__record(r, def, n_def, err) < 0)
			rc = -1;
		break;
	}
	if (cur != todo)
		free(cur);
	free(def);
	return rc;
}

/* Objects this call still has to create (sizes the worker pool). */
static size_t pending(const struct schema_run *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->plan.n; i++)
		n += !r->plan.objs[i].done && wave_now(r, r->plan.objs[i].wave);
	return n;
}

/* MySQL: chains the objects of todo that alter the same table into units
 * (schema_exec.c merges each unit into one ALTER TABLE) and keeps only the
 * first object of each unit in todo. Indexes keep their catalog order in a
 * unit: MariaDB orders the keys of one ALTER the way it orders keys added
 * one by one. */
static void make_units(struct schema_run *r, enum schema_wave w, size_t *todo, size_t *n)
{
	struct schema_obj *objs = r->plan.objs;
	size_t k = 0;

	if (r->plan.pg || (w != SCHEMA_W_INDEX && w != SCHEMA_W_FK))
		return;
	for (size_t i = 0; i < *n; i++) {
		struct schema_obj *o = &objs[todo[i]];
		size_t head = k ? todo[k - 1] : SCHEMA_NONE, last = head;

		o->unit_next = SCHEMA_NONE;
		if (head != SCHEMA_NONE && objs[head].table == o->table) {
			while (objs[last].unit_next != SCHEMA_NONE)
				last = objs[last].unit_next;
			objs[last].unit_next = todo[i];
			continue;
		}
		todo[k++] = todo[i];
	}
	*n = k;
}

/* MySQL, when the indexes are created in this call (no full-data step):
 * each table of todo heads a unit with its indexes, so one CREATE TABLE
 * carries them (schema_exec.c); their own waves find them done. */
static void join_indexes(struct schema_run *r, const size_t *todo, size_t n)
{
	struct schema_obj *objs = r->plan.objs;
	size_t *last = xcalloc(r->plan.n + 1, sizeof(*last));   /* unit's last member + 1 */

	for (size_t k = 0; k < n; k++) {
		objs[todo[k]].unit_next = SCHEMA_NONE;
		last[todo[k]] = todo[k] + 1;
	}
	for (size_t i = 0; i < r->plan.n; i++) {
		struct schema_obj *o = &objs[i];

		if (o->kind != SCHEMA_K_INDEX || o->table == SCHEMA_NONE || !last[o->table] ||
		    o->done || o->render_error || o->ddl.unsupported || o->ddl.n_stmts != 1)
			continue;
		o->unit_next = SCHEMA_NONE;
		objs[last[o->table] - 1].unit_next = i;
		last[o->table] = i + 1;
	}
	free(last);
}

/* Runs one wave: 0 done, 1 cancelled, -1 failed (err). */
static int run_wave(struct schema_run *r, enum schema_wave w, struct err *err)
{
	size_t *todo = xcalloc(r->plan.n + 1, sizeof(*todo)), n_todo = 0;
	size_t *now = xcalloc(r->plan.n + 1, sizeof(*now)), n_now = 0;
	size_t *def = NULL, n_def = 0;
	int rc = 0;

	for (size_t i = 0; i < r->plan.n; i++) {
		struct schema_obj *o = &r->plan.objs[i];
		if (o->wave != w || o->done || is_final(o))   /* final: ran with its table */
			continue;
		if (settle(r, o))
			now[n_now++] = i;
		else
			todo[n_todo++] = i;
	}
	make_units(r, w, todo, &n_todo);
	if (w == SCHEMA_W_TABLE && !r->plan.pg && wave_now(r, SCHEMA_W_INDEX))
		join_indexes(r, todo, n_todo);
	if (n_now && schema__record(r, now, n_now, err) < 0) {
		rc = -1;
	} else if (n_todo) {
		if (!r->pool)
			r->pool = schema__pool_start(r->ctx, &r->plan, pending(r));
		if (w == SCHEMA_W_VIEW)
			rc = run_views(r, todo, n_todo, err);
		else
			rc = schema__pool_run(r->pool, r, todo, n_todo, false, &def, &n_def, err);
	}
	free(def);
	free(todo);
	free(now);
	return rc;
}

/* ---- the step ------------------------------------------------------------------ */

/* STEP_DONE, or STEP_FAILED naming how many objects failed and the first. */
static enum step_result summarize(const struct schema_run *r, struct err *err)
{
	const struct schema_obj *first = NULL;
	size_t failed = 0, total = 0;

	for (size_t i = 0; i < r->plan.n; i++) {
		const struct schema_obj *o = &r->plan.objs[i];
		if (!wave_now(r, o->wave))
			continue;
		total++;
		if (o->state == SCHEMA_S_FAILED && !failed++)
			first = o;
	}
	if (!failed)
		return STEP_DONE;
	err_set(err, ERR_DB, "schema migration failed for %zu of %zu objects; first: %s %s.%s: "
		"%.200s", failed, total, schema__kind_phase(first->kind), first->dst_schema,
		first->name, first->err_msg ? first->err_msg : "");
	err_detail(err, "DescribePreCheckStatus with JobCode 02 lists each object with its "
		   "DdlSql and the destination's error; fix the cause and start the job again");
	return STEP_FAILED;
}

static enum step_result schema_step(struct step_ctx *ctx, bool finish, struct err *err)
{
	struct schema_run r = { .ctx = ctx, .finish = finish };
	enum step_result res = STEP_FAILED;
	int64_t t0 = time_mono_ms();
	int rc = 0;

	if (step_cancelled(ctx)) {
		err_set(err, ERR_CANCELLED, "schema migration of job %s cancelled", ctx->job->id);
		return STEP_CANCELLED;
	}
	if (schema__plan_build(&r.plan, ctx, err) < 0 || load_state(&r, err) < 0 ||
	    list_objects(&r, err) < 0)
		goto cleanup;
	log_info("schema.start", "job_id=%s phase=%s objects=%zu done=%lld", ctx->job->id,
		 finish ? "finish" : "run", r.plan.n, (long long)r.n_success);
	for (int w = 0; w < SCHEMA_W__COUNT && rc == 0; w++)
		if (wave_now(&r, (enum schema_wave)w))
			rc = run_wave(&r, (enum schema_wave)w, err);
	if (rc == 1)
		res = STEP_CANCELLED;
	else if (rc == 0)
		res = summarize(&r, err);
	log_info("schema.end", "job_id=%s phase=%s result=%s took_ms=%lld", ctx->job->id,
		 finish ? "finish" : "run",
		 res == STEP_DONE ? "done" : res == STEP_CANCELLED ? "cancelled" : "failed",
		 (long long)(time_mono_ms() - t0));
cleanup:
	schema__pool_stop(r.pool);
	schema__plan_release(&r.plan);
	return res;
}

enum step_result step_schema_run(struct step_ctx *ctx, struct err *err)
{
	return schema_step(ctx, false, err);
}

enum step_result step_schema_finish(struct step_ctx *ctx, struct err *err)
{
	return schema_step(ctx, true, err);
}
