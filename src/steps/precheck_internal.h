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

#include "engines/mysql/my.h"
#include "engines/pg/pg.h"
#include "schema/schema.h"
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

/* What the checks look at, gathered once per precheck run (precheck_env.c)
 * after the connectivity checks. A connection is NULL when its endpoint
 * failed CHECK_CONN_*; checks of that side are then not run. Each
 * connection is used by one thread at a time: SRC checks run on one thread,
 * DST checks on another, BOTH checks after both finished. */
enum precheck_dst_engine { PRECHECK_DST_MYSQL = 0, PRECHECK_DST_PG };

struct precheck_env {
	const struct step_ctx *ctx;
	const struct meta_job *job;
	enum precheck_dst_engine dst_engine;
	struct my_conn *src;              /* source (MySQL family) */
	struct my_conn *dst_my;           /* destination when MySQL family */
	struct pg_conn *dst_pg;           /* destination when PostgreSQL */
	bool have_selection;              /* the DbList parsed */
	struct schema_selection sel;
	bool have_catalog;                /* the source catalog was read */
	struct schema_catalog catalog;    /* the selected source databases */
	struct schema_resolved *tables;   /* selected tables with destination names */
	size_t n_tables;
	char **missing;                   /* DbList names absent from the source */
	size_t n_missing;
	char catalog_error[512];          /* why have_catalog is false */
};

/* Which connection a check needs; decides its thread and whether it can run. */
enum precheck_side {
	PRECHECK_SIDE_CONN = 0,   /* the connectivity checks themselves (ctx only) */
	PRECHECK_SIDE_SRC,        /* env->src */
	PRECHECK_SIDE_DST,        /* env->dst_my or env->dst_pg */
	PRECHECK_SIDE_BOTH,       /* both connections */
};

struct precheck_check {
	const char *item;      /* Item code, e.g. "CHECK_CONN_SRC"; also the key */
	int order_num;         /* OrderNum */
	bool can_skip;         /* CanSkip: SkipPreCheck may ignore a failure */
	enum precheck_side side;
	/* NULL = always; else whether the check applies to this job (for
	 * example binlog checks only when DataSynchronization is on). */
	bool (*applies)(const struct meta_job *job);
	void (*run)(const struct precheck_env *env, struct precheck_result *res);
};

/* The checks, one table per file, each ended by a row with item == NULL:
 * precheck_conn.c (OrderNum 1-9), precheck_src.c (10-49, source side),
 * precheck_dst.c (50-79, destination side), precheck_both.c (80-99,
 * comparisons of the two servers). precheck.c runs them all. */
extern const struct precheck_check precheck__conn_checks[];
extern const struct precheck_check precheck__src_checks[];
extern const struct precheck_check precheck__dst_checks[];
extern const struct precheck_check precheck__both_checks[];

/* Opens the env's connections for the endpoints whose connectivity check
 * passed and reads the source catalog of the selected databases. Never
 * fails: what cannot be gathered is recorded in env (NULL connection,
 * have_catalog false with catalog_error). */
void precheck__env_open(struct precheck_env *env, const struct step_ctx *ctx,
			bool src_ok, bool dst_ok);
void precheck__env_close(struct precheck_env *env);

/* The full network check and network diagnosis (precheck_netcheck.c):
 * probe runs on a thread of its own during the connectivity stage and must
 * not touch the metastore; record writes FullNetCheckJobStatus and
 * NetworkDiagnosisResult from the calling thread and frees nc. */
struct precheck_netcheck;
struct precheck_netcheck *precheck__netcheck_probe(const struct step_ctx *ctx);
int precheck__netcheck_record(const struct step_ctx *ctx, struct precheck_netcheck *nc,
			      struct err *err);

/* The migration assessment (precheck_assess.c): ANALYSIS_* items
 * (AnalysisJobProgress) for the selected objects, from env's catalog and the
 * shared type mapping. Runs on the calling thread after the checks; it
 * reports, it never fails the precheck by itself. */
int precheck__assess_record(const struct precheck_env *env, struct err *err);

/* Appends a log entry to res (msg formatted printf-style; data may be NULL). */
void precheck__log(struct precheck_result *res, const char *level, const char *type,
		   const char *data, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Frees the logs of res and empties it. */
void precheck__result_release(struct precheck_result *res);

/* The connectivity checks (precheck_conn.c). */
void precheck__conn_src(const struct precheck_env *env, struct precheck_result *res);
void precheck__conn_dest(const struct precheck_env *env, struct precheck_result *res);

#endif
