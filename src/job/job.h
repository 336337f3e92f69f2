/*
 * job.h - migration jobs: the state machine, the lifecycle operations the
 * API actions call, and the scheduler that runs jobs on worker threads.
 *
 * Every state change is written to the metastore first, inside a
 * transaction that re-reads the job, so the API threads and the runner
 * threads never overwrite each other; then the in-process scheduler is told
 * (job_service_kick, job_service_cancel). The metastore is the truth: a
 * restarted dtsd resumes every job whose desired state is "run".
 *
 * Job states (Status) are the DTS ones: NotConfigured, NotStarted,
 * Prechecking, PrecheckFailed, PreCheckPass, Migrating, Suspending,
 * MigrationFailed, Finished.
 */
#ifndef OPENDTS_JOB_JOB_H
#define OPENDTS_JOB_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "meta/meta.h"
#include "util/err.h"
#include "util/kv.h"

#define JOB_NOT_CONFIGURED   "NotConfigured"
#define JOB_NOT_STARTED      "NotStarted"
#define JOB_PRECHECKING      "Prechecking"
#define JOB_PRECHECK_FAILED  "PrecheckFailed"
#define JOB_PRECHECK_PASS    "PreCheckPass"
#define JOB_MIGRATING        "Migrating"
#define JOB_SUSPENDING       "Suspending"
#define JOB_MIGRATION_FAILED "MigrationFailed"
#define JOB_FINISHED         "Finished"

/* Subtask (module) states, DescribePreCheckStatus State. */
#define STEP_STATE_NOT_STARTED "NotStarted"
#define STEP_STATE_CHECKING    "Checking"
#define STEP_STATE_MIGRATING   "Migrating"
#define STEP_STATE_SUSPENDING  "Suspending"
#define STEP_STATE_FAILED      "Failed"
#define STEP_STATE_CATCHED     "Catched"
#define STEP_STATE_FINISHED    "Finished"

/* Desired states (what the user asked for last). */
#define JOB_WANT_NONE    ""
#define JOB_WANT_RUN     "run"
#define JOB_WANT_SUSPEND "suspend"
#define JOB_WANT_STOP    "stop"

struct job_service;

struct job_service_config {
	const char *meta_url;
	const char *region;
	unsigned max_running;        /* jobs running at once */
	unsigned step_workers;       /* parallelism handed to steps */
	int connect_timeout_s;
};

/* Creates the service (does not start threads). */
struct job_service *job_service_new(const struct job_service_config *cfg, struct err *err);
/* Starts the scheduler thread; it picks up every job that should run. */
int job_service_start(struct job_service *s, struct err *err);
/* Wakes the scheduler after a state change. Thread-safe. */
void job_service_kick(struct job_service *s);
/* Asks the runner of job_id (if any runs here) to stop promptly. Thread-safe. */
void job_service_cancel(struct job_service *s, const char *job_id);
/* Waits up to timeout_ms for job_id's runner to exit; 0 if none runs. */
int job_service_wait_idle(struct job_service *s, const char *job_id, int timeout_ms);
/* Cancels all runners, waits for them, stops the scheduler, frees. */
void job_service_free(struct job_service *s);

/* ---- lifecycle operations (called by the API actions) --------------------
 * Each validates the job's state and returns ERR_NOT_FOUND (param DtsJobId),
 * ERR_WRONG_STATE (message names the current state and what to do) or
 * ERR_INVALID (param set) with nothing changed. */

struct job_create_req {
	const char *region;
	const char *type;            /* MIGRATION (default) | SYNC | SUBSCRIBE */
	const char *job_id;          /* configure-first: existing job, may be NULL */
	bool auto_start;
	const char *src_engine, *dst_engine, *src_region, *dst_region;
	const char *instance_class, *pay_type;
};
/* CreateDtsInstance. out_job_id/out_instance_id receive the ids (40/48 bytes). */
int job_create_instance(struct job_service *s, struct meta *m,
			const struct job_create_req *req, char *out_job_id,
			char *out_instance_id, struct err *err);

/* ConfigureDtsJob. `params` are the request parameters (validated here:
 * names, endpoints, DbList, Reserve). out ids as above. */
int job_configure(struct job_service *s, struct meta *m, const struct kvlist *params,
		  const char *default_region, char *out_job_id, char *out_instance_id,
		  struct err *err);

int job_start(struct job_service *s, struct meta *m, const char *job_id, struct err *err);
int job_suspend(struct job_service *s, struct meta *m, const char *job_id, struct err *err);
int job_stop(struct job_service *s, struct meta *m, const char *job_id, struct err *err);
int job_reset(struct job_service *s, struct meta *m, const char *job_id, struct err *err);
int job_delete(struct job_service *s, struct meta *m, const char *job_id, struct err *err);
/* SkipPreCheck: items are item codes or their *_DETAIL names. Skipping an
 * item that cannot be skipped is ERR_INVALID naming it. When the job is
 * PrecheckFailed and no unskipped failure remains, it goes on. */
int job_skip_precheck(struct job_service *s, struct meta *m, const char *job_id,
		      const char *const *items, size_t n_items, bool skip,
		      struct err *err);

/* Resolves DtsJobId or DtsInstanceId (either may be NULL) to a job. */
int job_lookup(struct meta *m, const char *job_id, const char *instance_id,
	       struct meta_job *out, struct err *err);

/* ---- DbList and Reserve (job/dblist.c, job/reserve.c) -------------------- */

/* Validates a DbList JSON text (ACTIONS.md sec. 4); on error ERR_INVALID with
 * param "DbList" and a message naming the path ("database \"shop\" table
 * \"order\": ..."). *normalized gets a compact copy (caller frees). */
int job_dblist_validate(const char *json, char **normalized, struct err *err);
/* Validates a Reserve JSON text (ACTIONS.md sec. 5). */
int job_reserve_validate(const char *json, char **normalized, struct err *err);
/* A Reserve value as a string (borrowed into out, size n), or def. */
const char *job_reserve_get(const char *reserve_json, const char *key,
			    const char *def, char *out, size_t n);

#endif
