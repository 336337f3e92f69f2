/*
 * step.h - the interface between the job runner (job/) and the steps of a
 * migration (precheck 01, schema 02, full data 03, incremental 04).
 *
 * A step is a module with a run() function registered in steps/registry.c;
 * job/ looks steps up by code and never knows what they do. A step records
 * its progress items through meta/ (ctx->meta), checks ctx->cancel often
 * (Suspend/Stop/shutdown must interrupt it within about a second), and
 * writes checkpoints so that a restarted dtsd resumes where it stopped.
 *
 * run() is called on a job worker thread; ctx->meta is that thread's own
 * metastore handle. A step may start threads of its own; each opens its own
 * metastore handle with meta_thread(ctx->meta_url, ...).
 */
#ifndef OPENDTS_STEPS_STEP_H
#define OPENDTS_STEPS_STEP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "meta/meta.h"
#include "util/err.h"

struct step_ctx {
	struct meta *meta;              /* this thread's handle */
	const char *meta_url;           /* to open handles on other threads */
	const struct meta_job *job;     /* snapshot of the job (config, endpoints) */
	const char *code;               /* "01".."04" */
	const char *step_id;            /* the subtask's JobId (DescribePreCheckStatus) */
	const atomic_bool *cancel;      /* true: stop promptly, return STEP_CANCELLED */
	const char *region;             /* node region (dtsd --region) */
	int connect_timeout_s;          /* for database connections and probes */
	unsigned workers;               /* parallelism a step may use */
};

enum step_result {
	STEP_DONE = 0,        /* finished; every item Success/Warning or skipped */
	STEP_FAILED,          /* finished with failures; err says why (job fails) */
	STEP_CANCELLED,       /* interrupted by ctx->cancel; resumable */
};

struct step_def {
	const char *code;      /* "01" */
	const char *title;     /* "precheck", for messages */
	const char *job_name;  /* JobName in DescribePreCheckStatus, e.g. "Precheck" */
	/* NULL: the step is not built yet; a job that needs it fails clearly. */
	enum step_result (*run)(struct step_ctx *ctx, struct err *err);
	/* Optional second phase, run after the full-data step (03) finished:
	 * the schema step creates secondary indexes and foreign keys there so
	 * the load is faster. Must be idempotent (it runs again after a
	 * restart until it returns STEP_DONE). NULL: none. */
	enum step_result (*finish)(struct step_ctx *ctx, struct err *err);
};

/* The registered step for a code, or NULL for an unknown code. */
const struct step_def *step_find(const char *code);

/* True when ctx->cancel is set (convenience for loops). */
static inline bool step_cancelled(const struct step_ctx *ctx)
{
	return atomic_load(ctx->cancel);
}

#endif
