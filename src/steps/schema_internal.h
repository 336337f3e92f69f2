/*
 * schema_internal.h - shared by the files of the schema step (02) only:
 * schema_plan.c builds the list of objects to create (one per progress
 * item) with their rendered DDL, schema_exec.c runs them on parallel
 * destination connections, schema_step.c drives the waves and records every
 * item, log and checkpoint. Never included outside src/steps/.
 *
 * Threads: the plan is built and recorded on the step's thread (the only one
 * that touches the metastore). While a wave runs, a worker thread owns the
 * outcome fields of the object it took (state, err_msg, logs, times) from
 * the moment it takes it until it hands it back under the pool mutex;
 * everything else in the plan is read-only while workers run.
 */
#ifndef OPENDTS_STEPS_SCHEMA_INTERNAL_H
#define OPENDTS_STEPS_SCHEMA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schema/ddl.h"
#include "schema/schema.h"
#include "steps/step.h"

/* Item states of step 02 (DescribePreCheckStatus ProgressInfo.State, named
 * by schema__state_name()); SCHEMA_S_NONE: not decided in this run. */
enum schema_state {
	SCHEMA_S_NONE = 0, SCHEMA_S_NOT_STARTED, SCHEMA_S_MIGRATING, SCHEMA_S_SUCCESS,
	SCHEMA_S_FAILED,
};

#define SCHEMA_NONE ((size_t)-1)      /* "no such object" index */

enum schema_kind {
	SCHEMA_K_DATABASE = 0, SCHEMA_K_TABLE, SCHEMA_K_VIEW, SCHEMA_K_FUNCTION,
	SCHEMA_K_PROCEDURE, SCHEMA_K_TRIGGER, SCHEMA_K_INDEX, SCHEMA_K_FK,
};

/* The order of creation. Objects of one wave do not depend on each other
 * (views excepted: their wave retries what failed while it makes progress).
 * Waves from SCHEMA_W_INDEX on are the second phase: after the full data
 * when the job copies data, else right after the first phase. */
enum schema_wave {
	SCHEMA_W_DATABASE = 0,
	SCHEMA_W_TABLE,
	SCHEMA_W_ROW_KEY,     /* the UNIQUE key that addresses rows of a table without PK */
	SCHEMA_W_VIEW,
	SCHEMA_W_ROUTINE,
	SCHEMA_W_INDEX,       /* phase 2 */
	SCHEMA_W_FK,
	SCHEMA_W_TRIGGER,
	SCHEMA_W__COUNT
};

struct schema_log {
	char *level;      /* ERROR, WARN, INFO */
	char *type;       /* ErrType: the object's phase */
	char *msg;        /* ErrMsg */
	char *data;       /* ErrData: the statement or object concerned */
};

struct schema_obj {
	enum schema_kind kind;
	enum schema_wave wave;
	int order_num;
	char *key;            /* unique per job: "Table:db.t", "Index:db.t.ix" */
	char *name;           /* Item and TargetNames: the destination name */
	char *src_name;       /* Names: the source name */
	char *src_schema;
	char *dst_schema;
	char *parent;         /* ParentObj: the table of an index, FK, trigger ("" none) */
	size_t table;         /* the plan index of that table, or SCHEMA_NONE */
	struct schema_ddl ddl;
	char *ddl_text;       /* DdlSql: schema_ddl_text(&ddl) */
	char *render_error;   /* the renderer failed: why (NULL when it did not) */
	size_t unit_next;     /* the next object run together with this one, or
			       * SCHEMA_NONE; set per wave. A unit (MySQL only) is a
			       * table and its indexes (one CREATE TABLE) or several
			       * indexes or FKs of a table (one ALTER TABLE) */
	bool exists;          /* database: the destination has it; table: a relation
			       * of that name exists in the destination now */
	/* from the metastore at the start of this run (schema_step.c) */
	bool done;            /* checkpoint schema.done.<key>: created by an earlier run */
	bool in_doubt;        /* its item was Migrating: it may exist from before a crash */
	bool preexisting;     /* table that existed before the step first ran */
	/* outcome of this run */
	enum schema_state state;
	char *err_msg;        /* ErrMsg: the destination's error text */
	struct schema_log *logs;
	size_t n_logs;
	int64_t boot_ms;
	int64_t finish_ms;
};

struct schema_plan {
	bool pg;                          /* PostgreSQL destination */
	struct schema_render_opts opts;
	bool keep_existing;               /* Reserve targetTableMode "2" */
	bool ci;                          /* destination names compare without case */
	struct schema_selection sel;
	bool have_sel;
	struct schema_catalog catalog;
	bool have_catalog;
	struct schema_resolved *tables;
	size_t n_tables;
	char **missing;
	size_t n_missing;
	struct schema_obj *objs;          /* in creation (OrderNum) order */
	size_t n;
	size_t cap;
	size_t *by_key;                   /* objs indexes sorted by key */
};

/* ---- schema_plan.c ---------------------------------------------------------- */

/* Reads the source catalog of the selected databases (and their default
 * charsets), looks at which schemas and relations the destination already
 * has, and builds every object with its DDL rendered for the destination.
 * Opens and closes its own source and destination connections. */
int schema__plan_build(struct schema_plan *p, const struct step_ctx *ctx, struct err *err);
void schema__plan_release(struct schema_plan *p);
/* The object with this key, or SCHEMA_NONE (after schema__plan_build). */
size_t schema__plan_find(const struct schema_plan *p, const char *key);
/* "Table", "View", ... : the StructPhase of a kind. */
const char *schema__kind_phase(enum schema_kind k);
/* "NotStarted", "Migrating", "Success", "Failed". */
const char *schema__state_name(enum schema_state s);

/* Appends a log entry to an object (msg printf-style; data may be NULL). */
void schema__obj_log(struct schema_obj *o, const char *level, const char *data,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Sets the object's outcome to Failed with err_msg (copied) and one ERROR
 * log whose text is log_msg (data: the statement, may be NULL). */
void schema__obj_fail(struct schema_obj *o, const char *err_msg, const char *data,
		      const char *log_msg);
/* Forgets the outcome of this run (SCHEMA_S_NONE, no logs, no error). */
void schema__obj_reset(struct schema_obj *o);

/* ---- schema_exec.c ---------------------------------------------------------- */

struct schema_pool;
struct schema_run;

/* Starts ctx->workers worker threads (at least 1, at most max_objects),
 * each with its own destination connection set up for DDL (session
 * settings in schema_exec.c). A worker that cannot connect makes the next
 * schema__pool_run() fail with its error. */
struct schema_pool *schema__pool_start(const struct step_ctx *ctx, struct schema_plan *plan,
				       size_t max_objects);
/* Stops and joins the workers and closes their connections; NULL is fine. */
void schema__pool_stop(struct schema_pool *p);

/* Runs the units whose first objects are idx[0..n) on the workers (a unit
 * is an object and those chained by unit_next; one worker runs a unit).
 * Before a worker may take a unit its objects are recorded Migrating; each
 * finished object is recorded with its outcome, in batches
 * (schema__record). With `defer`, failed objects are not recorded but
 * returned in *deferred (caller frees), for another round. Returns 0 when
 * every object ran; 1 when cancelled (objects not started are recorded
 * NotStarted again); -1 with err when a worker lost the destination or the
 * metastore failed. */
int schema__pool_run(struct schema_pool *p, struct schema_run *run, const size_t *idx,
		     size_t n, bool defer, size_t **deferred, size_t *n_deferred,
		     struct err *err);

/* ---- schema_step.c ---------------------------------------------------------- */

/* Writes the items of objects idx[0..n) in their current state (with logs
 * and the done checkpoint when final) and the subtask's progress, in one
 * metastore transaction. Step thread only. */
int schema__record(struct schema_run *run, const size_t *idx, size_t n, struct err *err);

#endif
