/*
 * precheck_internal.h - shared by the files of the precheck step only
 * (precheck.c runs the checks and records them; precheck_<x>.c implement
 * them). Never included outside src/steps/.
 *
 * A check is a function that inspects the job's databases and fills a
 * struct precheck_result: the item state and the Logs entries. It runs on
 * a thread of its own, so it must not touch ctx->meta (the runner writes
 * the metastore from the calling thread) and must open its own database
 * connections. It checks step_cancelled(ctx) before each stage and sets
 * res->cancelled when it stops early.
 */
#ifndef OPENDTS_STEPS_PRECHECK_INTERNAL_H
#define OPENDTS_STEPS_PRECHECK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "steps/step.h"

/* Item states (DescribePreCheckStatus ProgressInfo.State). */
#define PRECHECK_NOT_STARTED "NotStarted"
#define PRECHECK_CHECKING    "Checking"
#define PRECHECK_SUCCESS     "Success"
#define PRECHECK_FAILED      "Failed"
#define PRECHECK_WARNING     "Warning"

/* One Logs entry; the strings are owned by the result. */
struct precheck_log {
	char *level;     /* "ERROR", "WARN", "INFO" */
	char *type;      /* ErrType: the stage or kind, e.g. "tcp" */
	char *msg;       /* ErrMsg: a sentence for the operator */
	char *data;      /* ErrData: the object concerned, e.g. the endpoint */
};

struct precheck_result {
	const char *state;          /* PRECHECK_SUCCESS/FAILED/WARNING (static) */
	bool cancelled;             /* stopped by ctx->cancel; state is ignored */
	struct precheck_log *logs;  /* owned, n_logs entries */
	size_t n_logs;
};

struct precheck_check {
	const char *item;      /* Item code, e.g. "CHECK_CONN_SRC"; also the key */
	int order_num;         /* OrderNum */
	bool can_skip;         /* CanSkip: SkipPreCheck may ignore a failure */
	void (*run)(const struct step_ctx *ctx, struct precheck_result *res);
};

/* Appends a log entry to res (msg formatted printf-style; data may be NULL). */
void precheck__log(struct precheck_result *res, const char *level, const char *type,
		   const char *data, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Frees the logs of res and empties it. */
void precheck__result_release(struct precheck_result *res);

/* The connectivity checks (precheck_conn.c). */
void precheck__conn_src(const struct step_ctx *ctx, struct precheck_result *res);
void precheck__conn_dest(const struct step_ctx *ctx, struct precheck_result *res);

#endif
