/*
 * driver.h - the metastore driver interface (internal to meta/).
 *
 * meta.c owns `struct meta` and every public meta_* function; it checks and
 * normalises arguments, then calls the driver of the handle through this
 * table. A driver (sqlite.c today, a PostgreSQL one later) implements the
 * storage and keeps its connection state in m->conn. Callers outside meta/
 * never include this header.
 *
 * Contract for every operation, so meta.c can stay thin:
 *  - arguments are non-NULL (meta.c turns NULL strings into "") and output
 *    records were zeroed by meta.c before the call;
 *  - on failure the driver sets err, releases whatever it put into the output
 *    records (they are left zeroed) and returns -1;
 *  - strings in records it fills are heap copies, never NULL.
 */
#ifndef OPENDTS_META_DRIVER_H
#define OPENDTS_META_DRIVER_H

#include "meta/meta.h"

struct meta_driver;

struct meta {
	const struct meta_driver *drv;
	char *url;              /* as given to meta_open(), for meta_thread() */
	void *conn;             /* the driver's connection state */
};

struct meta_driver {
	const char *name;       /* "sqlite" */
	/* Opens the metastore at `url` (meta.c chose this driver by its scheme),
	 * applies the migrations and stores the connection in m->conn. */
	int (*open)(struct meta *m, const char *url, struct err *err);
	void (*close)(struct meta *m);
	int (*schema_version)(struct meta *m);

	int (*begin)(struct meta *m, struct err *err);
	int (*commit)(struct meta *m, struct err *err);
	void (*rollback)(struct meta *m);

	int (*job_insert)(struct meta *m, const struct meta_job *j, struct err *err);
	int (*job_get)(struct meta *m, const char *id, struct meta_job *out,
		       struct err *err);
	int (*job_get_by_instance)(struct meta *m, const char *instance_id,
				   struct meta_job *out, struct err *err);
	int (*job_update)(struct meta *m, const struct meta_job *j, struct err *err);
	int (*job_set_status)(struct meta *m, const char *id, const char *status,
			      const char *error_message, int64_t now_ms,
			      struct err *err);
	int (*job_delete)(struct meta *m, const char *id, struct err *err);
	int (*job_list)(struct meta *m, const struct meta_job_filter *f,
			struct meta_job **out, size_t *n, int64_t *total,
			struct err *err);

	int (*subtask_put)(struct meta *m, const struct meta_subtask *s, struct err *err);
	int (*subtask_get)(struct meta *m, const char *job_id, const char *code,
			   struct meta_subtask *out, struct err *err);
	int (*subtask_list)(struct meta *m, const char *job_id,
			    struct meta_subtask **out, size_t *n, struct err *err);

	int (*item_put)(struct meta *m, struct meta_item *it, struct err *err);
	int (*item_log_add)(struct meta *m, int64_t item_id, const struct meta_log *log,
			    struct err *err);
	int (*item_logs_clear)(struct meta *m, int64_t item_id, struct err *err);
	int (*items_clear)(struct meta *m, const char *job_id, const char *code,
			   int kind, struct err *err);
	int (*item_list)(struct meta *m, const struct meta_item_filter *f,
			 struct meta_item **out, size_t *n, int64_t *total,
			 struct err *err);
	int (*item_count)(struct meta *m, const struct meta_item_filter *f,
			  bool only_unskipped, int64_t *count, struct err *err);
	int (*item_set_skip)(struct meta *m, const char *job_id, const char *code,
			     const char *const *items, size_t n_items, bool skip,
			     int64_t *changed, struct err *err);

	int (*checkpoint_put)(struct meta *m, const char *job_id, const char *key,
			      const char *value, struct err *err);
	int (*checkpoint_get)(struct meta *m, const char *job_id, const char *key,
			      char **value, struct err *err);
	int (*subtasks_clear)(struct meta *m, const char *job_id, struct err *err);
	int (*checkpoint_clear)(struct meta *m, const char *job_id, const char *prefix,
				struct err *err);

	int (*setting_put)(struct meta *m, const char *key, const char *value,
			   struct err *err);
	int (*setting_get)(struct meta *m, const char *key, char **value,
			   struct err *err);
};

/* The SQLite driver (sqlite.c). */
extern const struct meta_driver meta__sqlite_driver;

#endif
