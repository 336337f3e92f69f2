/*
 * migrations.c - the versioned schema of the SQLite metastore.
 *
 * `migrations[]` is an append-only list: step i brings the schema from
 * version i to version i + 1. Never edit a step that has shipped; add a new
 * one. meta__sqlite_migrate() runs on every open, inside one BEGIN IMMEDIATE
 * transaction, so two processes or threads opening the same fresh file at
 * once apply each step exactly once (the second waits on the write lock, then
 * finds the work done). The table schema_version records each applied step.
 *
 * Called from sqlite.c on the opening thread, on that thread's own handle.
 * The SQL here is fixed DDL text; no value is ever pasted into it.
 */
#include "meta/sqlite_int.h"

#include <stdio.h>

#include "util/log.h"
#include "util/timefmt.h"

/* Version 1: the initial schema. Child tables cascade from jobs. */
static const char schema_v1[] =
	"CREATE TABLE jobs ("
	" id TEXT PRIMARY KEY,"
	" instance_id TEXT NOT NULL,"
	" name TEXT NOT NULL DEFAULT '',"
	" job_type TEXT NOT NULL DEFAULT '',"
	" status TEXT NOT NULL DEFAULT '',"
	" region TEXT NOT NULL DEFAULT '',"
	" instance_class TEXT NOT NULL DEFAULT '',"
	" pay_type TEXT NOT NULL DEFAULT '',"
	" configured INTEGER NOT NULL DEFAULT 0 CHECK (configured IN (0, 1)),"
	" structure_init INTEGER NOT NULL DEFAULT 0 CHECK (structure_init IN (0, 1)),"
	" data_init INTEGER NOT NULL DEFAULT 0 CHECK (data_init IN (0, 1)),"
	" data_sync INTEGER NOT NULL DEFAULT 0 CHECK (data_sync IN (0, 1)),"
	" src_instance_type TEXT NOT NULL DEFAULT '',"
	" src_engine TEXT NOT NULL DEFAULT '',"
	" src_ip TEXT NOT NULL DEFAULT '',"
	" src_port INTEGER NOT NULL DEFAULT 0,"
	" src_user TEXT NOT NULL DEFAULT '',"
	" src_password TEXT NOT NULL DEFAULT '',"
	" src_database TEXT NOT NULL DEFAULT '',"
	" src_region TEXT NOT NULL DEFAULT '',"
	" src_instance_id TEXT NOT NULL DEFAULT '',"
	" dst_instance_type TEXT NOT NULL DEFAULT '',"
	" dst_engine TEXT NOT NULL DEFAULT '',"
	" dst_ip TEXT NOT NULL DEFAULT '',"
	" dst_port INTEGER NOT NULL DEFAULT 0,"
	" dst_user TEXT NOT NULL DEFAULT '',"
	" dst_password TEXT NOT NULL DEFAULT '',"
	" dst_database TEXT NOT NULL DEFAULT '',"
	" dst_region TEXT NOT NULL DEFAULT '',"
	" dst_instance_id TEXT NOT NULL DEFAULT '',"
	" db_list TEXT NOT NULL DEFAULT '',"
	" reserve TEXT NOT NULL DEFAULT '',"
	" error_message TEXT NOT NULL DEFAULT '',"
	" checkpoint INTEGER NOT NULL DEFAULT 0,"
	" create_ms INTEGER NOT NULL DEFAULT 0,"
	" update_ms INTEGER NOT NULL DEFAULT 0,"
	" boot_ms INTEGER NOT NULL DEFAULT 0,"
	" finish_ms INTEGER NOT NULL DEFAULT 0,"
	" desired TEXT NOT NULL DEFAULT '',"
	" generation INTEGER NOT NULL DEFAULT 0"
	") STRICT;"
	/* Every job gets "dts" + id; the partial index tolerates unset ones. */
	"CREATE UNIQUE INDEX jobs_instance_id ON jobs (instance_id) WHERE instance_id <> '';"
	"CREATE INDEX jobs_create ON jobs (create_ms, id);"
	"CREATE INDEX jobs_type ON jobs (job_type, create_ms);"
	"CREATE INDEX jobs_status ON jobs (status);"
	"CREATE INDEX jobs_desired ON jobs (desired);"

	"CREATE TABLE subtasks ("
	" job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
	" code TEXT NOT NULL,"
	" step_id TEXT NOT NULL DEFAULT '',"
	" job_name TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT '',"
	" error_message TEXT NOT NULL DEFAULT '',"
	" boot_ms INTEGER NOT NULL DEFAULT 0,"
	" finish_ms INTEGER NOT NULL DEFAULT 0,"
	" progress INTEGER NOT NULL DEFAULT 0,"
	" total INTEGER NOT NULL DEFAULT 0,"
	" generation INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (job_id, code)"
	") STRICT, WITHOUT ROWID;"

	"CREATE TABLE items ("
	" id INTEGER PRIMARY KEY,"
	" job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
	" code TEXT NOT NULL,"
	" kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),"
	" struct_type TEXT NOT NULL DEFAULT '',"
	" key TEXT NOT NULL,"
	" phase TEXT NOT NULL DEFAULT '',"
	" order_num INTEGER NOT NULL DEFAULT 0,"
	" item TEXT NOT NULL DEFAULT '',"
	" names TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT '',"
	" can_skip INTEGER NOT NULL DEFAULT 0 CHECK (can_skip IN (0, 1)),"
	" skip INTEGER NOT NULL DEFAULT 0 CHECK (skip IN (0, 1)),"
	" ignore_flag TEXT NOT NULL DEFAULT 'N',"
	" err_msg TEXT NOT NULL DEFAULT '',"
	" err_detail TEXT NOT NULL DEFAULT '',"
	" repair_method TEXT NOT NULL DEFAULT '',"
	" boot_ms INTEGER NOT NULL DEFAULT 0,"
	" finish_ms INTEGER NOT NULL DEFAULT 0,"
	" source_schema TEXT NOT NULL DEFAULT '',"
	" dest_schema TEXT NOT NULL DEFAULT '',"
	" target_names TEXT NOT NULL DEFAULT '',"
	" parent_obj TEXT NOT NULL DEFAULT '',"
	" ddl_sql TEXT NOT NULL DEFAULT '',"
	" delay_seconds INTEGER NOT NULL DEFAULT 0,"
	" current INTEGER NOT NULL DEFAULT 0,"
	" total INTEGER NOT NULL DEFAULT 0,"
	" sub TEXT NOT NULL DEFAULT '[]',"
	" diff_row INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (job_id, code, kind, key)"
	") STRICT;"
	/* The list order (order_num, id) inside one step and kind. */
	"CREATE INDEX items_order ON items (job_id, code, kind, order_num);"

	"CREATE TABLE item_logs ("
	" id INTEGER PRIMARY KEY,"
	" item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,"
	" err_data TEXT NOT NULL DEFAULT '',"
	" err_msg TEXT NOT NULL DEFAULT '',"
	" log_level TEXT NOT NULL DEFAULT '',"
	" err_type TEXT NOT NULL DEFAULT ''"
	") STRICT;"
	"CREATE INDEX item_logs_item ON item_logs (item_id, id);"

	"CREATE TABLE checkpoints ("
	" job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,"
	" key TEXT NOT NULL,"
	" value TEXT NOT NULL,"
	" update_ms INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY (job_id, key)"
	") STRICT, WITHOUT ROWID;"

	"CREATE TABLE settings ("
	" key TEXT PRIMARY KEY,"
	" value TEXT NOT NULL,"
	" update_ms INTEGER NOT NULL DEFAULT 0"
	") STRICT, WITHOUT ROWID;";

/* Append only. Index i holds the step from version i to i + 1. */
static const char *const migrations[] = {
	schema_v1,
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int meta__sqlite_schema_latest(void)
{
	return N_MIGRATIONS;
}

static int mig_fail(sqlite3 *db, const char *what, struct err *err)
{
	err_set(err, ERR_DB, "metastore migration: %s: %s", what, sqlite3_errmsg(db));
	return -1;
}

/* Reads the applied version (0 for a fresh file) into *version. */
static int read_version(sqlite3 *db, int *version, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_version",
			       -1, &st, NULL) != SQLITE_OK)
		return mig_fail(db, "reading schema_version", err);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		mig_fail(db, "reading schema_version", err);
		sqlite3_finalize(st);
		return -1;
	}
	*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return 0;
}

static int record_version(sqlite3 *db, int version, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO schema_version (version, applied_ms)"
			       " VALUES (?1, ?2)", -1, &st, NULL) != SQLITE_OK)
		return mig_fail(db, "recording schema_version", err);
	sqlite3_bind_int(st, 1, version);
	sqlite3_bind_int64(st, 2, time_now_ms());
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		mig_fail(db, "recording schema_version", err);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Applies the missing steps; the caller holds the write transaction. */
static int apply_steps(sqlite3 *db, int *version, struct err *err)
{
	char what[64];
	int v = 0;

	if (read_version(db, &v, err) < 0)
		return -1;
	if (v > N_MIGRATIONS) {
		err_set(err, ERR_UNSUPPORTED,
			"metastore schema version %d is newer than this build knows (%d)",
			v, N_MIGRATIONS);
		err_detail(err, "run a dtsd at least as new as the one that last wrote it");
		return -1;
	}
	for (; v < N_MIGRATIONS; v++) {
		snprintf(what, sizeof(what), "applying step %d", v + 1);
		if (sqlite3_exec(db, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
			return mig_fail(db, what, err);
		if (record_version(db, v + 1, err) < 0)
			return -1;
		log_info("meta.migrate", "version=%d", v + 1);
	}
	*version = v;
	return 0;
}

int meta__sqlite_migrate(sqlite3 *db, int *version, struct err *err)
{
	/* IMMEDIATE: take the write lock before reading the version, so two
	 * openers never both decide to apply the same step. */
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return mig_fail(db, "starting the transaction", err);
	if (sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS schema_version ("
			 " version INTEGER PRIMARY KEY,"
			 " applied_ms INTEGER NOT NULL) STRICT", NULL, NULL, NULL) != SQLITE_OK) {
		mig_fail(db, "creating schema_version", err);
		goto fail;
	}
	if (apply_steps(db, version, err) < 0)
		goto fail;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		mig_fail(db, "committing", err);
		goto fail;
	}
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
