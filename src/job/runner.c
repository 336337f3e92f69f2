/*
 * runner.c - runs one job's steps in order on a runner thread:
 * precheck (01), then schema (02), full data (03), incremental (04) as the
 * job's configuration asks.
 *
 * The runner owns no shared memory. It reads the job from its own metastore
 * handle and writes every state change through transition(), which re-reads
 * the job inside a transaction and gives up if the user changed it meanwhile
 * (generation bumped, desired state no longer "run"): the API's decision
 * always wins over a runner that has not noticed its cancel flag yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/internal.h"
#include "steps/step.h"
#include "util/codec.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

bool job__status_runnable(const char *status)
{
	return strcmp(status, JOB_PRECHECKING) == 0 ||
	       strcmp(status, JOB_PRECHECK_PASS) == 0 ||
	       strcmp(status, JOB_MIGRATING) == 0;
}

/* Moves the job to `status` if it is still the run this runner serves.
 * Returns 0 when written, -1 when the job changed under us (or on error). */
static int transition(struct meta *m, const char *job_id, int64_t generation,
		      const char *status, const char *desired, const char *error)
{
	struct meta_job j = { 0 };
	struct err err = { 0 };
	int rc = -1;

	if (meta_begin(m, &err) < 0)
		goto out;
	if (meta_job_get(m, job_id, &j, &err) < 0)
		goto rollback;
	if (j.generation != generation || strcmp(j.desired, JOB_WANT_RUN) != 0)
		goto rollback;
	free(j.status);
	j.status = xstrdup(status);
	free(j.desired);
	j.desired = xstrdup(desired);
	if (error) {
		free(j.error_message);
		j.error_message = xstrdup(error);
	}
	if (strcmp(status, JOB_FINISHED) == 0)
		j.finish_ms = time_now_ms();
	if (meta_job_update(m, &j, &err) < 0 || meta_commit(m, &err) < 0)
		goto rollback;
	log_info("job.state", "job_id=%s status=%s", job_id, status);
	rc = 0;
	goto out;
rollback:
	meta_rollback(m);
out:
	if (rc < 0 && err.code)
		log_error("job.state", "job_id=%s msg=\"cannot set status %s: %s\"",
			  job_id, status, err.msg);
	meta_job_release(&j);
	return rc;
}

/* Loads or creates the subtask row of a step. */
static int subtask_load(struct meta *m, const struct meta_job *job, const struct step_def *def,
			struct meta_subtask *st, struct err *err)
{
	if (meta_subtask_get(m, job->id, def->code, st, err) == 0)
		return 0;
	if (err->code != ERR_NOT_FOUND)
		return -1;
	err_clear(err);
	memset(st, 0, sizeof(*st));
	str_copy(st->job_id, sizeof(st->job_id), job->id);
	str_copy(st->code, sizeof(st->code), def->code);
	codec_random_id(st->step_id, 16);
	st->job_name = xstrdup(def->job_name);
	st->state = xstrdup(STEP_STATE_NOT_STARTED);
	st->error_message = xstrdup("");
	return 0;
}

static void subtask_set(struct meta *m, struct meta_subtask *st, const char *state,
			const char *error, bool finished)
{
	struct err err = { 0 };

	free(st->state);
	st->state = xstrdup(state);
	free(st->error_message);
	st->error_message = xstrdup(error ? error : "");
	if (finished)
		st->finish_ms = time_now_ms();
	if (meta_subtask_put(m, st, &err) < 0)
		log_error("job.subtask", "job_id=%s code=%s msg=\"%s\"", st->job_id,
			  st->code, err.msg);
}

/* What the cancelled step's subtask shows: Suspending when the user paused
 * the job; unchanged when dtsd is shutting down (the job resumes later). */
static void subtask_cancelled(struct meta *m, struct meta_subtask *st)
{
	struct meta_job j = { 0 };
	struct err err = { 0 };

	if (meta_job_get(m, st->job_id, &j, &err) == 0 &&
	    (strcmp(j.desired, JOB_WANT_SUSPEND) == 0 || strcmp(j.desired, JOB_WANT_STOP) == 0))
		subtask_set(m, st, STEP_STATE_SUSPENDING,
			    strcmp(j.desired, JOB_WANT_STOP) == 0 ? "stopped by StopDtsJob" : "",
			    false);
	meta_job_release(&j);
}

/* A step may write its subtask's progress/total while it runs (the schema
 * step counts objects); take them before writing the final state. */
static void keep_progress(struct meta *m, struct meta_subtask *st)
{
	struct meta_subtask cur = { 0 };
	struct err err = { 0 };

	if (meta_subtask_get(m, st->job_id, st->code, &cur, &err) == 0) {
		st->progress = cur.progress;
		st->total = cur.total;
	}
	meta_subtask_release(&cur);
}

/* Runs one step (or, with `finish`, its second phase after the full data;
 * a finish phase runs again on every resume: it is idempotent). */
static enum step_result run_step(const struct job_service_config *cfg, struct meta *m,
				 const struct meta_job *job, const char *code, bool finish,
				 const atomic_bool *cancel, struct err *err)
{
	const struct step_def *def = step_find(code);
	enum step_result (*fn)(struct step_ctx *, struct err *);
	struct meta_subtask st = { 0 };
	enum step_result res;

	if (!def)
		BUG("no step registered for code %s", code);
	fn = finish ? def->finish : def->run;
	if (finish && !fn)
		return STEP_DONE;
	if (subtask_load(m, job, def, &st, err) < 0)
		return STEP_FAILED;
	if (!finish && strcmp(code, "01") != 0 && strcmp(st.state, STEP_STATE_FINISHED) == 0) {
		meta_subtask_release(&st);
		return STEP_DONE;
	}
	st.boot_ms = time_now_ms();
	st.finish_ms = 0;
	st.generation = job->generation;
	subtask_set(m, &st, strcmp(code, "01") == 0 ? STEP_STATE_CHECKING : STEP_STATE_MIGRATING,
		    NULL, false);
	if (!fn) {
		err_set(err, ERR_UNSUPPORTED,
			"step %s (%s) is not available in this build of opendts", code, def->title);
		err_detail(err, "configure the job without this step, or use a build that has it");
		res = STEP_FAILED;
	} else {
		struct step_ctx ctx = {
			.meta = m, .meta_url = cfg->meta_url, .job = job, .code = code,
			.step_id = st.step_id, .cancel = cancel, .region = cfg->region,
			.connect_timeout_s = cfg->connect_timeout_s, .workers = cfg->step_workers,
		};
		log_info("job.step.start", "job_id=%s code=%s phase=%s", job->id, code,
			 finish ? "finish" : "run");
		res = fn(&ctx, err);
		if (res == STEP_FAILED && !err->code)
			err_set(err, ERR_INTERNAL, "step %s (%s) failed", code, def->title);
		keep_progress(m, &st);
	}
	if (res == STEP_DONE)
		subtask_set(m, &st, STEP_STATE_FINISHED, NULL, true);
	else if (res == STEP_FAILED)
		subtask_set(m, &st, STEP_STATE_FAILED, err->msg, true);
	else
		subtask_cancelled(m, &st);
	log_info("job.step.end", "job_id=%s code=%s result=%s", job->id, code,
		 res == STEP_DONE ? "done" : res == STEP_FAILED ? "failed" : "cancelled");
	meta_subtask_release(&st);
	return res;
}

/* Runs the migration steps after a passed precheck. */
static void run_migration(const struct job_service_config *cfg, struct meta *m,
			  const struct meta_job *job, const atomic_bool *cancel)
{
	/* Secondary indexes and foreign keys (the schema step's finish phase)
	 * are built after the full data: loading is faster without them. */
	const struct { const char *code; bool finish; bool on; } plan[] = {
		{ "02", false, job->structure_init },
		{ "03", false, job->data_init },
		{ "02", true, job->structure_init && job->data_init },
		{ "04", false, job->data_sync },
	};
	struct err err = { 0 };

	if (strcmp(job->status, JOB_MIGRATING) != 0 &&
	    transition(m, job->id, job->generation, JOB_MIGRATING, JOB_WANT_RUN, "") < 0)
		return;
	for (size_t i = 0; i < sizeof(plan) / sizeof(plan[0]); i++) {
		if (!plan[i].on)
			continue;
		enum step_result res = run_step(cfg, m, job, plan[i].code, plan[i].finish,
						cancel, &err);
		if (res == STEP_CANCELLED)
			return;
		if (res == STEP_FAILED) {
			transition(m, job->id, job->generation, JOB_MIGRATION_FAILED,
				   JOB_WANT_NONE, err.msg);
			return;
		}
	}
	transition(m, job->id, job->generation, JOB_FINISHED, JOB_WANT_NONE, NULL);
}

void job__run(const struct job_service_config *cfg, struct meta *m,
	      const char *job_id, const atomic_bool *cancel)
{
	struct meta_job job = { 0 };
	struct err err = { 0 };

	if (meta_job_get(m, job_id, &job, &err) < 0) {
		log_warn("job.run", "job_id=%s msg=\"%s\"", job_id, err.msg);
		return;
	}
	if (strcmp(job.desired, JOB_WANT_RUN) != 0 || !job__status_runnable(job.status))
		goto out;
	if (strcmp(job.status, JOB_PRECHECKING) == 0) {
		enum step_result res = run_step(cfg, m, &job, "01", false, cancel, &err);
		if (res == STEP_CANCELLED)
			goto out;
		if (res == STEP_FAILED) {
			transition(m, job.id, job.generation, JOB_PRECHECK_FAILED,
				   JOB_WANT_NONE, err.msg);
			goto out;
		}
		if (transition(m, job.id, job.generation, JOB_PRECHECK_PASS, JOB_WANT_RUN, "") < 0)
			goto out;
		free(job.status);
		job.status = xstrdup(JOB_PRECHECK_PASS);
	}
	if (atomic_load(cancel))
		goto out;
	run_migration(cfg, m, &job, cancel);
out:
	meta_job_release(&job);
}
