/*
 * meta.h - the metastore: the only interface through which opendts reads and
 * writes its own state (instances, jobs, subtasks, progress items and their
 * logs, checkpoints).
 *
 * A `struct meta` is one connection. It is NOT shared between threads: every
 * thread opens its own with meta_open() (SQLite handles are cheap; WAL mode
 * lets readers and one writer work at once). Behind the handle is a driver
 * table, so a PostgreSQL metastore can be added without touching callers.
 *
 * Records returned by meta_* are owned by the caller and released with the
 * matching *_release() function. Strings inside records are heap copies and
 * never NULL after a successful read (empty string when unset).
 *
 * Passwords live in the job record because the steps need them; the metastore
 * never logs them, and every API rendering masks them (api/).
 */
#ifndef OPENDTS_META_META_H
#define OPENDTS_META_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct meta;

/* Opens (creating and migrating as needed) the metastore at `url`:
 * a file path, or "sqlite:PATH". Busy waits are handled inside (a write
 * that waits for another writer over 5 s fails with ERR_UNAVAILABLE).
 * The file's directory must exist (ERR_IO naming it otherwise); another
 * scheme ("postgresql://...") is ERR_UNSUPPORTED in this build. */
struct meta *meta_open(const char *url, struct err *err);
/* Closes a handle from meta_open(); NULL is a no-op. Never use it on a
 * handle from meta_thread() (use meta_thread_close()). */
void meta_free(struct meta *m);
/* This thread's own handle for `url`, opened on first use and closed when
 * the thread exits (pthread key destructor). Never pass it to another thread.
 * Returns NULL with err set if the open fails. */
struct meta *meta_thread(const char *url, struct err *err);
/* Closes this thread's meta_thread() handle now, if any: for the main thread,
 * whose key destructors do not run at exit, or to drop a broken handle. */
void meta_thread_close(void);
/* Schema version after migrations (for tests and `dtsd --version`). */
int meta_schema_version(struct meta *m);

/* ---- transactions (optional; every call below is atomic on its own) ---- */
int meta_begin(struct meta *m, struct err *err);
int meta_commit(struct meta *m, struct err *err);
void meta_rollback(struct meta *m);

/* ---- jobs ---------------------------------------------------------------- */

struct meta_endpoint {
	char *instance_type;   /* "OTHER", "ECS", ... */
	char *engine;          /* as given: "MySQL", "MARIADB", "PostgreSQL" */
	char *ip;
	int port;              /* 0 = not set */
	char *user;
	char *password;        /* secret: never log or return */
	char *database;
	char *region;
	char *instance_id;
};

struct meta_job {
	char id[40];           /* DtsJobId, e.g. "l3m1213ye7l5k2a" */
	char instance_id[48];  /* DtsInstanceId, "dts" + id */
	char *name;            /* DtsJobName */
	char *job_type;        /* MIGRATION | SYNC | CHECK */
	char *status;          /* job state (ACTIONS.md 3.1) */
	char *region;
	char *instance_class;
	char *pay_type;
	bool configured;       /* ConfigureDtsJob ran */
	bool structure_init;   /* step 02 */
	bool data_init;        /* step 03 */
	bool data_sync;        /* step 04 */
	struct meta_endpoint src;
	struct meta_endpoint dst;
	char *db_list;         /* DbList JSON as given (normalised) */
	char *reserve;         /* Reserve JSON as given */
	char *error_message;   /* last job-level error, "" when none */
	int64_t checkpoint;    /* Unix seconds, 0 = unset */
	int64_t create_ms;
	int64_t update_ms;
	int64_t boot_ms;       /* last start */
	int64_t finish_ms;
	/* The state the user asked for: "run" (Start), "suspend", "stop", "" (idle).
	 * The scheduler reconciles status with it; survives restarts. */
	char *desired;
	int64_t generation;    /* bumped on every Start/Reset; steps check it */
};

void meta_job_release(struct meta_job *j);

/* Inserts a new job; fails with ERR_CONFLICT if the id exists. */
int meta_job_insert(struct meta *m, const struct meta_job *j, struct err *err);
/* Reads one job; ERR_NOT_FOUND names the id. */
int meta_job_get(struct meta *m, const char *id, struct meta_job *out, struct err *err);
/* Finds a job by its instance id. */
int meta_job_get_by_instance(struct meta *m, const char *instance_id,
			     struct meta_job *out, struct err *err);
/* Replaces every field of the job with this id (update_ms is set by the call;
 * create_ms keeps its stored value). ERR_NOT_FOUND names the id. */
int meta_job_update(struct meta *m, const struct meta_job *j, struct err *err);
/* Sets status (and error_message unless NULL) only. */
int meta_job_set_status(struct meta *m, const char *id, const char *status,
			const char *error_message, struct err *err);
/* Deletes the job and everything under it. ERR_NOT_FOUND if absent. */
int meta_job_delete(struct meta *m, const char *id, struct err *err);

struct meta_job_filter {
	const char *job_type;      /* NULL = any */
	const char *status;        /* NULL = any */
	const char *name_like;     /* fuzzy (substring, case-insensitive), NULL = any */
	const char *job_id;        /* exact, NULL = any */
	const char *instance_id;   /* exact, NULL = any */
	const char *desired;       /* exact, NULL = any */
	bool order_desc;           /* by create time */
	int64_t offset;
	int64_t limit;             /* 0 = no limit */
};

/* Lists jobs; *out is an array of *n records (free each with meta_job_release,
 * then free(*out)); *total = matching rows without paging (may be NULL). */
int meta_job_list(struct meta *m, const struct meta_job_filter *f,
		  struct meta_job **out, size_t *n, int64_t *total, struct err *err);

/* ---- subtasks (one per job and step code) ------------------------------- */

struct meta_subtask {
	char job_id[40];
	char code[4];          /* "01".."04" */
	char step_id[40];      /* the subtask's own JobId in DescribePreCheckStatus */
	char *job_name;        /* "Precheck", "dts.step.struct.load", ... */
	char *state;           /* NotStarted, Checking, Migrating, Failed, Catched, Suspending, Finished */
	char *error_message;
	int64_t boot_ms;
	int64_t finish_ms;
	int64_t progress;      /* step-defined counter: rows, objects ... */
	int64_t total;
	int64_t generation;    /* the job generation this subtask ran under */
};

void meta_subtask_release(struct meta_subtask *s);
/* Inserts or replaces the (job_id, code) row. */
int meta_subtask_put(struct meta *m, const struct meta_subtask *s, struct err *err);
/* ERR_NOT_FOUND when the step never ran. */
int meta_subtask_get(struct meta *m, const char *job_id, const char *code,
		     struct meta_subtask *out, struct err *err);
/* Removes every subtask row of a job (ResetDtsJob). */
int meta_subtasks_clear(struct meta *m, const char *job_id, struct err *err);
int meta_subtask_list(struct meta *m, const char *job_id,
		      struct meta_subtask **out, size_t *n, struct err *err);

/* ---- progress items (the ProgressInfo rows of DescribePreCheckStatus) --- */

/* Which list of the response an item belongs to. */
enum meta_item_kind {
	META_ITEM_PROGRESS = 0,   /* JobProgress */
	META_ITEM_ANALYSIS = 1,   /* AnalysisJobProgress (assessment) */
	META_ITEM_NETCHECK = 2,   /* FullNetCheckJobStatus[].JobProgress */
};

struct meta_log {
	char *err_data;
	char *err_msg;
	char *log_level;        /* ERROR, WARN, INFO */
	char *err_type;
};

struct meta_item {
	int64_t id;             /* rowid; rendered as the string Id */
	char job_id[40];
	char code[4];           /* step code */
	enum meta_item_kind kind;
	char *struct_type;      /* "before" | "after" ("" for steps other than 02/04) */
	char *key;              /* unique per (job, code, kind): the step's own key */
	char *phase;            /* StructPhase filter value: Table, View, ... ("" none) */
	int order_num;
	char *item;             /* Item */
	char *names;            /* Names */
	char *state;            /* item state */
	bool can_skip;
	bool skip;
	char *ignore_flag;      /* "Y" | "N" */
	char *err_msg;
	char *err_detail;
	char *repair_method;
	int64_t boot_ms;
	int64_t finish_ms;
	char *source_schema;
	char *dest_schema;
	char *target_names;
	char *parent_obj;
	char *ddl_sql;
	int64_t delay_seconds;
	int64_t current;        /* rendered as the string Current */
	int64_t total;
	char *sub;              /* JSON text, "[]" when none */
	int64_t diff_row;
	struct meta_log *logs;  /* owned, n_logs entries (filled by reads) */
	size_t n_logs;
};

void meta_item_init(struct meta_item *it);   /* zero + empty strings + defaults */
void meta_item_release(struct meta_item *it);

/* Inserts or updates the item identified by (job_id, code, kind, key);
 * sets it->id. `key` must not be empty. On update, `skip` and `ignore_flag` keep their stored values:
 * they belong to the user (meta_item_set_skip), so a re-run check does not
 * forget a SkipPreCheck. Logs are NOT written by this call (meta_item_log_add). */
int meta_item_put(struct meta *m, struct meta_item *it, struct err *err);
/* Appends a log entry to an item. */
int meta_item_log_add(struct meta *m, int64_t item_id, const struct meta_log *log,
		      struct err *err);
/* Removes every log of an item (before a re-check). */
int meta_item_logs_clear(struct meta *m, int64_t item_id, struct err *err);
/* Removes the items (and logs) of one step of a job; code "" = every step,
 * kind < 0 = all kinds. */
int meta_items_clear(struct meta *m, const char *job_id, const char *code,
		     int kind, struct err *err);

struct meta_item_filter {
	const char *job_id;     /* required */
	const char *code;       /* required */
	int kind;               /* enum meta_item_kind, or -1 = all */
	const char *struct_type;/* NULL = any */
	const char *phase;      /* exact, case-insensitive; NULL = any */
	const char *name_like;  /* substring of item/target_names, case-insensitive */
	const char *state;      /* exact; NULL = any */
	int64_t offset;
	int64_t limit;          /* 0 = no limit */
};

/* Lists items ordered by order_num then id, with their logs. */
int meta_item_list(struct meta *m, const struct meta_item_filter *f,
		   struct meta_item **out, size_t *n, int64_t *total, struct err *err);
/* Counts items in a state (e.g. "Failed") not skipped; used for ErrorItem. */
int meta_item_count(struct meta *m, const struct meta_item_filter *f,
		    bool only_unskipped, int64_t *count, struct err *err);
/* Sets skip/ignore on items whose Item (or Names) is in the list. *changed
 * gets how many rows changed. (Only META_ITEM_PROGRESS items; a row counts
 * once even if several names match it, and also when it already had that
 * flag, so 0 means no item matched.) */
int meta_item_set_skip(struct meta *m, const char *job_id, const char *code,
		       const char *const *items, size_t n_items, bool skip,
		       int64_t *changed, struct err *err);

/* ---- checkpoints (step-defined key/value per job) ----------------------- */

/* Stores value under (job_id, key); replaces. */
int meta_checkpoint_put(struct meta *m, const char *job_id, const char *key,
			const char *value, struct err *err);
/* Returns a heap copy in *value, or NULL (and 0) when absent. */
int meta_checkpoint_get(struct meta *m, const char *job_id, const char *key,
			char **value, struct err *err);
/* Removes every checkpoint of a job whose key starts with prefix ("" = all). */
int meta_checkpoint_clear(struct meta *m, const char *job_id, const char *prefix,
			  struct err *err);

/* ---- settings (server-wide key/value: access keys, node region) --------- */
int meta_setting_put(struct meta *m, const char *key, const char *value, struct err *err);
/* Returns a heap copy in *value, or NULL (and 0) when absent. */
int meta_setting_get(struct meta *m, const char *key, char **value, struct err *err);

#endif
