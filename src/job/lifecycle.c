/*
 * lifecycle.c - the job operations behind the API actions: create,
 * configure, start, suspend, stop, reset, delete, skip precheck items.
 *
 * Each operation is one metastore transaction that reads the job, checks
 * that the operation is allowed in its state (ACTIONS.md sec. 3), writes the
 * new state and bumps the job's generation (so a runner still working on
 * the old run cannot overwrite it), then tells the scheduler. Called on API
 * threads with that thread's metastore handle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/internal.h"
#include "util/codec.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

static bool status_in(const char *status, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(status, list[i]) == 0)
			return true;
	return false;
}

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v ? v : "");
}

static int denied(struct err *err, const struct meta_job *j, const char *op, const char *hint)
{
	err_set(err, ERR_WRONG_STATE, "job \"%s\" is %s: %s is not allowed in this state",
		j->id, j->status, op);
	if (hint)
		err_detail(err, "%s", hint);
	return -1;
}

int job_lookup(struct meta *m, const char *job_id, const char *instance_id,
	       struct meta_job *out, struct err *err)
{
	if (job_id && *job_id) {
		if (meta_job_get(m, job_id, out, err) < 0) {
			if (err->code == ERR_NOT_FOUND)
				err_param(err, ERR_NOT_FOUND, "DtsJobId",
					  "job \"%s\" does not exist", job_id);
			return -1;
		}
		return 0;
	}
	if (instance_id && *instance_id) {
		if (meta_job_get_by_instance(m, instance_id, out, err) < 0) {
			if (err->code == ERR_NOT_FOUND)
				err_param(err, ERR_NOT_FOUND, "DtsInstanceId",
					  "instance \"%s\" does not exist", instance_id);
			return -1;
		}
		return 0;
	}
	err_param(err, ERR_MISSING, "DtsJobId", "DtsJobId (or DtsInstanceId) is required");
	return -1;
}

/* A new, unconfigured job record with fresh ids. */
static void job_new(struct meta_job *j, const char *region, const char *type)
{
	memset(j, 0, sizeof(*j));
	codec_random_id(j->id, 16);
	snprintf(j->instance_id, sizeof(j->instance_id), "dts%s", j->id);
	j->name = xstrdup("");
	j->job_type = xstrdup(type && *type ? type : "MIGRATION");
	j->status = xstrdup(JOB_NOT_CONFIGURED);
	j->region = xstrdup(region ? region : "");
	j->instance_class = xstrdup("");
	j->pay_type = xstrdup("PostPaid");
	j->db_list = xstrdup("");
	j->reserve = xstrdup("");
	j->error_message = xstrdup("");
	j->desired = xstrdup(JOB_WANT_NONE);
	j->create_ms = time_now_ms();
	struct meta_endpoint *eps[2] = { &j->src, &j->dst };
	for (int i = 0; i < 2; i++) {
		eps[i]->instance_type = xstrdup("");
		eps[i]->engine = xstrdup("");
		eps[i]->ip = xstrdup("");
		eps[i]->user = xstrdup("");
		eps[i]->password = xstrdup("");
		eps[i]->database = xstrdup("");
		eps[i]->region = xstrdup("");
		eps[i]->instance_id = xstrdup("");
	}
}

/* Puts the job into the precheck (or resumes it), wanting to run. */
static void want_run(struct meta_job *j, const char *status)
{
	set_str(&j->status, status);
	set_str(&j->desired, JOB_WANT_RUN);
	set_str(&j->error_message, "");
	j->boot_ms = time_now_ms();
	j->finish_ms = 0;
}

static int finish_tx(struct job_service *s, struct meta *m, struct meta_job *j,
		     const char *op, struct err *err)
{
	if (meta_job_update(m, j, err) < 0 || meta_commit(m, err) < 0) {
		meta_rollback(m);
		return -1;
	}
	log_info("job.op", "op=%s job_id=%s status=%s", op, j->id, j->status);
	job_service_kick(s);
	return 0;
}

int job_create_instance(struct job_service *s, struct meta *m,
			const struct job_create_req *req, char *out_job_id,
			char *out_instance_id, struct err *err)
{
	struct meta_job j = { 0 };
	int rc = -1;

	if (req->job_id && *req->job_id) {
		/* Configure-first: the job exists; buying activates it. */
		if (meta_begin(m, err) < 0)
			return -1;
		if (job_lookup(m, req->job_id, NULL, &j, err) < 0)
			goto rollback;
		str_copy(out_job_id, 40, j.id);
		str_copy(out_instance_id, 48, j.instance_id);
		if (req->instance_class && *req->instance_class)
			set_str(&j.instance_class, req->instance_class);
		if (req->pay_type && *req->pay_type)
			set_str(&j.pay_type, req->pay_type);
		if (req->auto_start && strcmp(j.status, JOB_NOT_STARTED) == 0) {
			want_run(&j, JOB_PRECHECKING);
			j.generation++;
		}
		rc = finish_tx(s, m, &j, "create_instance", err);
		goto out;
	}
	job_new(&j, req->region, req->type);
	if (req->instance_class)
		set_str(&j.instance_class, req->instance_class);
	if (req->pay_type && *req->pay_type)
		set_str(&j.pay_type, req->pay_type);
	if (meta_job_insert(m, &j, err) < 0)
		goto out;
	str_copy(out_job_id, 40, j.id);
	str_copy(out_instance_id, 48, j.instance_id);
	log_info("job.op", "op=create_instance job_id=%s", j.id);
	rc = 0;
	goto out;
rollback:
	meta_rollback(m);
out:
	meta_job_release(&j);
	return rc;
}

int job_configure(struct job_service *s, struct meta *m, const struct kvlist *params,
		  const char *default_region, char *out_job_id, char *out_instance_id,
		  struct err *err)
{
	static const char *const reconfigurable[] = {
		JOB_NOT_CONFIGURED, JOB_NOT_STARTED, JOB_PRECHECK_FAILED, NULL
	};
	const char *id = kvlist_get(params, "DtsJobId");
	const char *inst = kvlist_get(params, "DtsInstanceId");
	const char *region = kvlist_get(params, "RegionId");
	bool buy_first = (id && *id) || (inst && *inst);
	struct meta_job j = { 0 };
	char mode[16];
	int rc = -1;

	if (meta_begin(m, err) < 0)
		return -1;
	if (buy_first) {
		if (job_lookup(m, id, inst, &j, err) < 0)
			goto rollback;
		if (!status_in(j.status, reconfigurable)) {
			denied(err, &j, "ConfigureDtsJob",
			       "stop or reset the job first (StopDtsJob, ResetDtsJob)");
			goto rollback;
		}
	} else {
		job_new(&j, region && *region ? region : default_region, NULL);
	}
	if (job__config_apply(params, &j, err) < 0)
		goto rollback;
	job_reserve_get(j.reserve, "autoStartModulesAfterConfig", "auto", mode, sizeof(mode));
	if (buy_first && strcmp(mode, "none") != 0)
		want_run(&j, JOB_PRECHECKING);
	else
		set_str(&j.status, JOB_NOT_STARTED);
	j.generation++;
	if (!buy_first && meta_job_insert(m, &j, err) < 0)
		goto rollback;
	str_copy(out_job_id, 40, j.id);
	str_copy(out_instance_id, 48, j.instance_id);
	rc = finish_tx(s, m, &j, "configure", err);
	goto out;
rollback:
	meta_rollback(m);
out:
	meta_job_release(&j);
	return rc;
}

/* Where a resumed job goes: back to the precheck unless it passed. */
static const char *resume_status(struct meta *m, const struct meta_job *j)
{
	struct meta_subtask st = { 0 };
	struct err err = { 0 };
	const char *status = JOB_PRECHECKING;

	if (meta_subtask_get(m, j->id, "01", &st, &err) == 0 &&
	    strcmp(st.state, STEP_STATE_FINISHED) == 0)
		status = JOB_MIGRATING;
	meta_subtask_release(&st);
	return status;
}

/* The change one operation makes to a job that exists: returns 0 after
 * changing j, or -1 with err set to refuse (nothing is written). */
typedef int (*job_change_fn)(struct meta *m, struct meta_job *j, struct err *err);

/* One operation as one transaction: read the job, let `change` decide and
 * modify it, bump the generation, write, tell the scheduler. */
static int change_job(struct job_service *s, struct meta *m, const char *job_id,
		      const char *op, job_change_fn change, struct err *err)
{
	struct meta_job j = { 0 };
	int rc = -1;

	if (meta_begin(m, err) < 0)
		return -1;
	if (job_lookup(m, job_id, NULL, &j, err) < 0 || change(m, &j, err) < 0) {
		meta_rollback(m);
		goto out;
	}
	j.generation++;
	rc = finish_tx(s, m, &j, op, err);
out:
	meta_job_release(&j);
	return rc;
}

static int change_start(struct meta *m, struct meta_job *j, struct err *err)
{
	if (strcmp(j->status, JOB_NOT_STARTED) == 0 || strcmp(j->status, JOB_PRECHECK_FAILED) == 0)
		want_run(j, JOB_PRECHECKING);
	else if (strcmp(j->status, JOB_SUSPENDING) == 0)
		want_run(j, resume_status(m, j));
	else if (strcmp(j->status, JOB_MIGRATION_FAILED) == 0)
		want_run(j, JOB_MIGRATING);
	else if (strcmp(j->status, JOB_NOT_CONFIGURED) == 0)
		return denied(err, j, "StartDtsJob", "configure it first with ConfigureDtsJob");
	else if (strcmp(j->status, JOB_FINISHED) == 0)
		return denied(err, j, "StartDtsJob",
			      "a finished job cannot be started again; ResetDtsJob and configure it anew");
	else
		return denied(err, j, "StartDtsJob", "the job is already running");
	return 0;
}

static int change_suspend(struct meta *m, struct meta_job *j, struct err *err)
{
	static const char *const running[] = {
		JOB_PRECHECKING, JOB_PRECHECK_PASS, JOB_MIGRATING, NULL
	};

	(void)m;
	if (!status_in(j->status, running))
		return denied(err, j, "SuspendDtsJob",
			      "only a prechecking or migrating job can be suspended");
	set_str(&j->status, JOB_SUSPENDING);
	set_str(&j->desired, JOB_WANT_SUSPEND);
	return 0;
}

static int change_stop(struct meta *m, struct meta_job *j, struct err *err)
{
	(void)m;
	if (strcmp(j->status, JOB_FINISHED) == 0)
		return denied(err, j, "StopDtsJob", "the job has already ended");
	if (strcmp(j->status, JOB_NOT_CONFIGURED) == 0)
		return denied(err, j, "StopDtsJob", "the job was never configured");
	set_str(&j->status, JOB_FINISHED);
	set_str(&j->desired, JOB_WANT_STOP);
	j->finish_ms = time_now_ms();
	return 0;
}

/* Before a delete: make sure no runner (re)starts the job. */
static int change_forget(struct meta *m, struct meta_job *j, struct err *err)
{
	(void)m;
	(void)err;
	set_str(&j->desired, JOB_WANT_STOP);
	return 0;
}

int job_start(struct job_service *s, struct meta *m, const char *job_id, struct err *err)
{
	return change_job(s, m, job_id, "start", change_start, err);
}

int job_suspend(struct job_service *s, struct meta *m, const char *job_id, struct err *err)
{
	if (change_job(s, m, job_id, "suspend", change_suspend, err) < 0)
		return -1;
	job_service_cancel(s, job_id);
	return 0;
}

int job_stop(struct job_service *s, struct meta *m, const char *job_id, struct err *err)
{
	if (change_job(s, m, job_id, "stop", change_stop, err) < 0)
		return -1;
	job_service_cancel(s, job_id);
	return 0;
}

/* Cancels the runner and waits briefly, so it stops writing before the
 * job's rows are cleared; a runner that outlives the wait finds the job
 * changed (generation) and writes nothing more. */
static void quiesce(struct job_service *s, const char *job_id)
{
	job_service_cancel(s, job_id);
	if (job_service_wait_idle(s, job_id, 2000) < 0)
		log_warn("job.quiesce", "job_id=%s msg=\"runner still busy after 2 s\"", job_id);
}

int job_reset(struct job_service *s, struct meta *m, const char *job_id, struct err *err)
{
	struct meta_job j = { 0 }, fresh;
	int rc = -1;

	if (job_lookup(m, job_id, NULL, &j, err) < 0)
		return -1;
	quiesce(s, j.id);
	meta_job_release(&j);
	if (meta_begin(m, err) < 0)
		return -1;
	if (job_lookup(m, job_id, NULL, &j, err) < 0)
		goto rollback;
	/* Keep identity, name and billing; drop configuration and progress. */
	job_new(&fresh, j.region, j.job_type);
	memcpy(fresh.id, j.id, sizeof(fresh.id));
	memcpy(fresh.instance_id, j.instance_id, sizeof(fresh.instance_id));
	set_str(&fresh.instance_class, j.instance_class);
	set_str(&fresh.pay_type, j.pay_type);
	fresh.create_ms = j.create_ms;
	fresh.generation = j.generation + 1;
	if (meta_items_clear(m, j.id, "", -1, err) < 0 ||
	    meta_subtasks_clear(m, j.id, err) < 0 ||
	    meta_checkpoint_clear(m, j.id, "", err) < 0)
		goto rollback_fresh;
	rc = finish_tx(s, m, &fresh, "reset", err);
	meta_job_release(&fresh);
	goto out;
rollback_fresh:
	meta_job_release(&fresh);
rollback:
	meta_rollback(m);
out:
	meta_job_release(&j);
	return rc;
}

int job_delete(struct job_service *s, struct meta *m, const char *job_id, struct err *err)
{
	if (change_job(s, m, job_id, "delete", change_forget, err) < 0)
		return -1;
	quiesce(s, job_id);
	return meta_job_delete(m, job_id, err);
}

/* Finds the precheck item named by code or *_DETAIL name. */
static const struct meta_item *find_item(const struct meta_item *items, size_t n,
					 const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].item, name) == 0 || strcmp(items[i].names, name) == 0)
			return &items[i];
	return NULL;
}

static int check_skippable(const struct meta_item *items, size_t n, const char *job_id,
			   const char *const *names, size_t n_names, bool skip,
			   struct err *err)
{
	for (size_t i = 0; i < n_names; i++) {
		const struct meta_item *it = find_item(items, n, names[i]);
		if (!it) {
			err_param(err, ERR_INVALID, "SkipPreCheckItems",
				  "job \"%s\" has no precheck item \"%s\"", job_id, names[i]);
			err_detail(err, "item names come from DescribePreCheckStatus JobCode=01");
			return -1;
		}
		if (skip && !it->can_skip) {
			err_param(err, ERR_INVALID, "SkipPreCheckItems",
				  "precheck item %s cannot be skipped", it->item);
			err_detail(err, "fix the cause shown in its Logs, then run StartDtsJob");
			return -1;
		}
	}
	return 0;
}

/* After a skip: a failed precheck with no unskipped failure left goes on. */
static int continue_if_clear(struct job_service *s, struct meta *m, const char *job_id,
			     struct err *err)
{
	struct meta_item_filter f = { .job_id = job_id, .code = "01",
				      .kind = META_ITEM_PROGRESS, .state = "Failed" };
	struct meta_subtask st = { 0 };
	struct meta_job j = { 0 };
	int64_t failed = 0;
	int rc = -1;

	if (meta_begin(m, err) < 0)
		return -1;
	if (job_lookup(m, job_id, NULL, &j, err) < 0 ||
	    meta_item_count(m, &f, true, &failed, err) < 0)
		goto rollback;
	if (strcmp(j.status, JOB_PRECHECK_FAILED) != 0 || failed > 0) {
		meta_rollback(m);
		rc = 0;
		goto out;
	}
	if (meta_subtask_get(m, job_id, "01", &st, err) == 0) {
		set_str(&st.state, STEP_STATE_FINISHED);
		set_str(&st.error_message, "");
		if (meta_subtask_put(m, &st, err) < 0)
			goto rollback;
	}
	want_run(&j, JOB_PRECHECK_PASS);
	j.generation++;
	rc = finish_tx(s, m, &j, "skip_precheck_continue", err);
	goto out;
rollback:
	meta_rollback(m);
out:
	meta_subtask_release(&st);
	meta_job_release(&j);
	return rc;
}

int job_skip_precheck(struct job_service *s, struct meta *m, const char *job_id,
		      const char *const *items, size_t n_items, bool skip,
		      struct err *err)
{
	struct meta_item_filter f = { .job_id = job_id, .code = "01", .kind = META_ITEM_PROGRESS };
	struct meta_item *list = NULL;
	struct meta_job j = { 0 };
	size_t n = 0;
	int64_t changed = 0;
	int rc = -1;

	if (job_lookup(m, job_id, NULL, &j, err) < 0)
		return -1;
	f.job_id = j.id;
	if (meta_item_list(m, &f, &list, &n, NULL, err) < 0 ||
	    check_skippable(list, n, j.id, items, n_items, skip, err) < 0 ||
	    meta_item_set_skip(m, j.id, "01", items, n_items, skip, &changed, err) < 0)
		goto out;
	log_info("job.op", "op=skip_precheck job_id=%s skip=%d changed=%lld", j.id, skip,
		 (long long)changed);
	rc = skip ? continue_if_clear(s, m, j.id, err) : 0;
out:
	for (size_t i = 0; i < n; i++)
		meta_item_release(&list[i]);
	free(list);
	meta_job_release(&j);
	return rc;
}
