/*
 * test_meta.c - the SQLite metastore: opening and migrations, jobs, subtasks,
 * progress items and logs, skip flags, checkpoints, settings, per-thread
 * handles under concurrent writes, and the error paths (conflict, not found,
 * unsupported scheme, missing directory).
 *
 * Every test gets a fresh database file in a private temporary directory;
 * some checks read the file directly with sqlite3 to see what the API hides
 * (schema_version rows, orphaned logs, pragmas).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include "meta/meta.h"
#include "util/xalloc.h"

static char tmp_dir[] = "/tmp/test_meta.XXXXXX";

struct fx {
	char path[256];
	struct meta *m;
};

/* ---- fixtures ------------------------------------------------------------- */

static void unlink_db(const char *path)
{
	char p[600];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(tmp_dir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return rmdir(tmp_dir);
}

static int setup(void **state)
{
	static int counter;
	struct fx *fx = xcalloc(1, sizeof(*fx));
	struct err err = { 0 };

	snprintf(fx->path, sizeof(fx->path), "%s/meta%d.db", tmp_dir, ++counter);
	fx->m = meta_open(fx->path, &err);
	if (!fx->m) {
		fprintf(stderr, "meta_open: %s\n", err.msg);
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	meta_free(fx->m);
	unlink_db(fx->path);
	free(fx);
	return 0;
}

/* One integer from a query run on a separate raw connection. */
static int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void make_job(struct meta_job *j, const char *id, const char *name,
		     const char *type, const char *status, int64_t create_ms)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->id, sizeof(j->id), "%s", id);
	snprintf(j->instance_id, sizeof(j->instance_id), "dts%s", id);
	j->name = xstrdup(name);
	j->job_type = xstrdup(type);
	j->status = xstrdup(status);
	j->region = xstrdup("cn-hangzhou");
	j->instance_class = xstrdup("small");
	j->pay_type = xstrdup("PostPaid");
	j->src.engine = xstrdup("MySQL");
	j->src.ip = xstrdup("10.0.0.1");
	j->src.port = 3306;
	j->src.user = xstrdup("root");
	j->src.password = xstrdup("s3cret");
	j->dst.engine = xstrdup("PostgreSQL");
	j->dst.port = 5432;
	j->db_list = xstrdup("{\"shop\":{\"name\":\"shop\",\"all\":true}}");
	j->create_ms = create_ms;
	j->desired = xstrdup("");
	/* name, src.instance_type ... stay NULL: stored as "" */
}

static void insert_job(struct meta *m, const char *id, const char *name,
		       const char *type, const char *status, int64_t create_ms)
{
	struct meta_job j;
	struct err err = { 0 };

	make_job(&j, id, name, type, status, create_ms);
	assert_int_equal(meta_job_insert(m, &j, &err), 0);
	meta_job_release(&j);
}

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

/* Puts a PROGRESS item of step "01"; returns its id. */
static int64_t put_item(struct meta *m, const char *job_id, const char *key,
			const char *item, const char *names, int order_num)
{
	struct meta_item it;
	struct err err = { 0 };
	int64_t id;

	meta_item_init(&it);
	snprintf(it.job_id, sizeof(it.job_id), "%s", job_id);
	snprintf(it.code, sizeof(it.code), "01");
	set_str(&it.key, key);
	set_str(&it.item, item);
	set_str(&it.names, names);
	set_str(&it.state, "Success");
	it.can_skip = true;
	it.order_num = order_num;
	assert_int_equal(meta_item_put(m, &it, &err), 0);
	id = it.id;
	assert_true(id > 0);
	meta_item_release(&it);
	return id;
}

static struct meta_item_filter filter01(const char *job_id)
{
	struct meta_item_filter f = { .job_id = job_id, .code = "01", .kind = -1 };

	return f;
}

static size_t list_count(struct meta *m, const struct meta_item_filter *f, int64_t *total)
{
	struct meta_item *items = NULL;
	size_t n = 0;
	struct err err = { 0 };

	assert_int_equal(meta_item_list(m, f, &items, &n, total, &err), 0);
	for (size_t i = 0; i < n; i++)
		meta_item_release(&items[i]);
	free(items);
	return n;
}

/* ---- opening and migrations ---------------------------------------------- */

static void test_open_migrate_twice(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta *again;
	int v = meta_schema_version(fx->m);

	assert_true(v >= 1);
	meta_free(fx->m);
	fx->m = NULL;
	again = meta_open(fx->path, &err);
	assert_non_null(again);
	assert_int_equal(meta_schema_version(again), v);
	fx->m = meta_open(fx->path, &err);   /* a second live handle, too */
	assert_non_null(fx->m);
	assert_int_equal(meta_schema_version(fx->m), v);
	meta_free(again);
	/* each step recorded exactly once */
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM schema_version"), v);
	assert_int_equal(raw_int(fx->path, "SELECT max(version) FROM schema_version"), v);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM sqlite_schema"
				 " WHERE type = 'table' AND name = 'jobs'"), 1);
	/* WAL is a property of the file; STRICT of the tables */
	assert_int_equal(raw_int(fx->path, "SELECT journal_mode = 'wal'"
				 " FROM pragma_journal_mode"), 1);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pragma_table_list"
				 " WHERE schema = 'main' AND name IN ('jobs', 'subtasks', 'items',"
				 " 'item_logs', 'checkpoints', 'settings') AND strict = 1"), 6);
}

static void test_open_newer_schema_refused(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO schema_version VALUES (999, 0)",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(meta_open(fx->path, &err));
	assert_int_equal(err.code, ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "999"));
}

static void test_open_url_forms(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	char url[300];
	struct meta *m;

	snprintf(url, sizeof(url), "sqlite:%s", fx->path);
	m = meta_open(url, &err);
	assert_non_null(m);
	meta_free(m);
	snprintf(url, sizeof(url), "sqlite://%s", fx->path);
	m = meta_open(url, &err);
	assert_non_null(m);
	insert_job(m, "viaurl", "n", "MIGRATION", "NotStarted", 1);
	meta_free(m);
	/* the same file as the plain path */
	struct meta_job j;
	assert_int_equal(meta_job_get(fx->m, "viaurl", &j, &err), 0);
	meta_job_release(&j);
	meta_free(NULL);
}

static void test_open_errors(void **state)
{
	struct err err = { 0 };
	char path[300];

	(void)state;
	assert_null(meta_open("postgresql://dts@localhost/meta", &err));
	assert_int_equal(err.code, ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "\"postgresql\""));
	assert_non_null(strstr(err.msg, "not supported in this build"));

	memset(&err, 0, sizeof(err));
	assert_null(meta_open("mysql://x/y", &err));
	assert_int_equal(err.code, ERR_UNSUPPORTED);

	memset(&err, 0, sizeof(err));
	snprintf(path, sizeof(path), "%s/no/such/dir/meta.db", tmp_dir);
	assert_null(meta_open(path, &err));
	assert_int_equal(err.code, ERR_IO);
	assert_non_null(strstr(err.msg, "no/such/dir"));
	assert_non_null(strstr(err.msg, "does not exist"));
	assert_true(access(path, F_OK) != 0);

	memset(&err, 0, sizeof(err));
	assert_null(meta_open("", &err));
	assert_int_equal(err.code, ERR_INVALID);
	memset(&err, 0, sizeof(err));
	assert_null(meta_open("sqlite:", &err));
	assert_int_equal(err.code, ERR_INVALID);
}

/* ---- jobs ------------------------------------------------------------------ */

static void test_job_roundtrip(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_job j, got, got2;

	make_job(&j, "job1", "My Job", "MIGRATION", "NotConfigured", 0);
	j.configured = true;
	j.data_init = true;
	j.checkpoint = 1700000000;
	j.generation = 3;
	j.boot_ms = 42;
	assert_int_equal(meta_job_insert(fx->m, &j, &err), 0);

	assert_int_equal(meta_job_get(fx->m, "job1", &got, &err), 0);
	assert_string_equal(got.id, "job1");
	assert_string_equal(got.instance_id, "dtsjob1");
	assert_string_equal(got.name, "My Job");
	assert_string_equal(got.status, "NotConfigured");
	assert_true(got.configured && got.data_init);
	assert_false(got.structure_init || got.data_sync);
	assert_string_equal(got.src.engine, "MySQL");
	assert_string_equal(got.src.password, "s3cret");
	assert_int_equal(got.src.port, 3306);
	assert_int_equal(got.dst.port, 5432);
	assert_string_equal(got.dst.ip, "");          /* NULL in, "" out */
	assert_non_null(got.src.instance_type);
	assert_string_equal(got.error_message, "");
	assert_string_equal(got.db_list, j.db_list);
	assert_int_equal(got.checkpoint, 1700000000);
	assert_int_equal(got.generation, 3);
	assert_int_equal(got.boot_ms, 42);
	assert_true(got.create_ms > 0);               /* filled by insert */
	assert_int_equal(got.update_ms, got.create_ms);

	assert_int_equal(meta_job_get_by_instance(fx->m, "dtsjob1", &got2, &err), 0);
	assert_string_equal(got2.id, "job1");
	meta_job_release(&got2);

	/* update replaces fields, keeps create_ms, sets update_ms */
	set_str(&got.status, "Migrating");
	set_str(&got.dst.ip, "10.0.0.2");
	got.structure_init = true;
	got.create_ms = 1;
	got.update_ms = 0;
	usleep(2000);
	assert_int_equal(meta_job_update(fx->m, &got, &err), 0);
	assert_int_equal(meta_job_get(fx->m, "job1", &got2, &err), 0);
	assert_string_equal(got2.status, "Migrating");
	assert_string_equal(got2.dst.ip, "10.0.0.2");
	assert_true(got2.structure_init);
	assert_int_not_equal(got2.create_ms, 1);
	assert_true(got2.update_ms > got2.create_ms);
	meta_job_release(&got2);

	/* set_status: NULL keeps the error message, a value replaces it */
	assert_int_equal(meta_job_set_status(fx->m, "job1", "Failed", "boom", &err), 0);
	assert_int_equal(meta_job_set_status(fx->m, "job1", "Failed2", NULL, &err), 0);
	assert_int_equal(meta_job_get(fx->m, "job1", &got2, &err), 0);
	assert_string_equal(got2.status, "Failed2");
	assert_string_equal(got2.error_message, "boom");
	meta_job_release(&got2);

	meta_job_release(&got);
	meta_job_release(&j);
	meta_job_release(&j);      /* twice: release zeroes */
}

static void test_job_conflict(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_job j;

	insert_job(fx->m, "dup1", "a", "MIGRATION", "NotStarted", 0);
	make_job(&j, "dup1", "b", "SYNC", "NotStarted", 0);
	assert_int_equal(meta_job_insert(fx->m, &j, &err), -1);
	assert_int_equal(err.code, ERR_CONFLICT);
	assert_non_null(strstr(err.msg, "\"dup1\""));
	/* another id with a taken instance id */
	snprintf(j.id, sizeof(j.id), "dup2");
	memset(&err, 0, sizeof(err));
	assert_int_equal(meta_job_insert(fx->m, &j, &err), -1);
	assert_int_equal(err.code, ERR_CONFLICT);
	assert_non_null(strstr(err.msg, "dtsdup1"));
	/* and an update onto a taken instance id */
	insert_job(fx->m, "dup3", "c", "SYNC", "NotStarted", 0);
	snprintf(j.id, sizeof(j.id), "dup3");
	memset(&err, 0, sizeof(err));
	assert_int_equal(meta_job_update(fx->m, &j, &err), -1);
	assert_int_equal(err.code, ERR_CONFLICT);
	/* an empty id is refused */
	j.id[0] = '\0';
	assert_int_equal(meta_job_insert(fx->m, &j, &err), -1);
	assert_int_equal(err.code, ERR_INVALID);
	meta_job_release(&j);
}

static void test_job_not_found(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_job j;

	assert_int_equal(meta_job_get(fx->m, "ghost7", &j, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "\"ghost7\""));
	meta_job_release(&j);      /* zeroed by the failed read */

	memset(&err, 0, sizeof(err));
	assert_int_equal(meta_job_get_by_instance(fx->m, "dtsghost7", &j, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "dtsghost7"));

	memset(&err, 0, sizeof(err));
	assert_int_equal(meta_job_delete(fx->m, "ghost8", &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "\"ghost8\""));

	memset(&err, 0, sizeof(err));
	assert_int_equal(meta_job_set_status(fx->m, "ghost9", "x", NULL, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "\"ghost9\""));

	make_job(&j, "ghost10", "n", "MIGRATION", "x", 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(meta_job_update(fx->m, &j, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "\"ghost10\""));
	meta_job_release(&j);
}

static void job_ids(struct meta *m, const struct meta_job_filter *f, char *out,
		    size_t outlen, int64_t *total)
{
	struct meta_job *jobs = NULL;
	size_t n = 0;
	struct err err = { 0 };

	out[0] = '\0';
	assert_int_equal(meta_job_list(m, f, &jobs, &n, total, &err), 0);
	for (size_t i = 0; i < n; i++) {
		strncat(out, jobs[i].id, outlen - strlen(out) - 1);
		strncat(out, " ", outlen - strlen(out) - 1);
		meta_job_release(&jobs[i]);
	}
	free(jobs);
}

static void test_job_list(void **state)
{
	struct fx *fx = *state;
	struct meta_job_filter f = { 0 };
	struct err err = { 0 };
	char ids[256];
	int64_t total = -1;

	insert_job(fx->m, "a", "Orders 100%", "MIGRATION", "Migrating", 1000);
	insert_job(fx->m, "b", "orders_x", "MIGRATION", "Finished", 2000);
	insert_job(fx->m, "c", "ordersAx", "SYNC", "Migrating", 3000);
	insert_job(fx->m, "d", "users", "MIGRATION", "Migrating", 4000);
	insert_job(fx->m, "e", "USERS copy", "CHECK", "Failed", 4000);
	assert_int_equal(meta_job_set_status(fx->m, "d", "Migrating", NULL, &err), 0);

	job_ids(fx->m, NULL, ids, sizeof(ids), &total);
	assert_string_equal(ids, "a b c d e ");
	assert_int_equal(total, 5);

	f.order_desc = true;
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "e d c b a ");

	f = (struct meta_job_filter){ .job_type = "MIGRATION" };
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "a b d ");
	assert_int_equal(total, 3);

	f = (struct meta_job_filter){ .status = "Migrating", .job_type = "MIGRATION" };
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "a d ");

	f = (struct meta_job_filter){ .name_like = "users" };  /* case-insensitive */
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "d e ");

	f = (struct meta_job_filter){ .name_like = "s_" };     /* '_' is literal */
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "b ");

	f = (struct meta_job_filter){ .name_like = "0%" };     /* '%' is literal */
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "a ");

	f = (struct meta_job_filter){ .job_id = "c" };
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "c ");

	f = (struct meta_job_filter){ .instance_id = "dtse" };
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "e ");

	f = (struct meta_job_filter){ .desired = "run" };
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "");
	assert_int_equal(total, 0);

	/* paging: the total ignores offset and limit */
	f = (struct meta_job_filter){ .offset = 1, .limit = 2 };
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "b c ");
	assert_int_equal(total, 5);
	f = (struct meta_job_filter){ .offset = 4, .limit = 2, .order_desc = true };
	job_ids(fx->m, &f, ids, sizeof(ids), &total);
	assert_string_equal(ids, "a ");
	f = (struct meta_job_filter){ .offset = 10, .limit = 2 };
	job_ids(fx->m, &f, ids, sizeof(ids), NULL);
	assert_string_equal(ids, "");
}

/* ---- subtasks ------------------------------------------------------------- */

static void test_subtasks(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_subtask s = { 0 }, got;
	struct meta_subtask *list;
	size_t n;

	insert_job(fx->m, "s1", "n", "MIGRATION", "NotStarted", 0);
	snprintf(s.job_id, sizeof(s.job_id), "s1");
	snprintf(s.code, sizeof(s.code), "02");
	snprintf(s.step_id, sizeof(s.step_id), "step02id");
	s.job_name = "dts.step.struct.load";
	s.state = "Migrating";
	s.progress = 5;
	s.total = 10;
	assert_int_equal(meta_subtask_put(fx->m, &s, &err), 0);
	snprintf(s.code, sizeof(s.code), "01");
	s.job_name = "Precheck";
	s.state = "Finished";
	assert_int_equal(meta_subtask_put(fx->m, &s, &err), 0);
	/* replace 02 */
	snprintf(s.code, sizeof(s.code), "02");
	s.job_name = "dts.step.struct.load";
	s.state = "Finished";
	s.error_message = NULL;
	s.progress = 10;
	s.generation = 2;
	assert_int_equal(meta_subtask_put(fx->m, &s, &err), 0);

	assert_int_equal(meta_subtask_get(fx->m, "s1", "02", &got, &err), 0);
	assert_string_equal(got.state, "Finished");
	assert_string_equal(got.step_id, "step02id");
	assert_string_equal(got.error_message, "");
	assert_int_equal(got.progress, 10);
	assert_int_equal(got.generation, 2);
	meta_subtask_release(&got);

	assert_int_equal(meta_subtask_list(fx->m, "s1", &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].code, "01");
	assert_string_equal(list[1].code, "02");
	for (size_t i = 0; i < n; i++)
		meta_subtask_release(&list[i]);
	free(list);

	assert_int_equal(meta_subtask_get(fx->m, "s1", "03", &got, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "03"));
	meta_subtask_release(&got);

	snprintf(s.job_id, sizeof(s.job_id), "nojob");
	assert_int_equal(meta_subtask_put(fx->m, &s, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "\"nojob\""));
}

/* ---- items ------------------------------------------------------------------ */

static void test_item_init_release(void **state)
{
	struct meta_item it;
	struct meta_job j;
	struct meta_subtask s;

	(void)state;
	meta_item_init(&it);
	assert_string_equal(it.sub, "[]");
	assert_string_equal(it.ignore_flag, "N");
	assert_string_equal(it.state, "NotStarted");
	assert_string_equal(it.struct_type, "");
	assert_string_equal(it.ddl_sql, "");
	assert_int_equal(it.kind, META_ITEM_PROGRESS);
	assert_false(it.skip);
	meta_item_release(&it);
	meta_item_release(&it);
	memset(&j, 0, sizeof(j));
	memset(&s, 0, sizeof(s));
	meta_job_release(&j);
	meta_subtask_release(&s);
	meta_item_release(NULL);
}

static void test_item_upsert_keeps_skip(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_item_filter f = filter01("i1");
	struct meta_item it, *items;
	const char *names[] = { "CHECK_A" };
	int64_t id1, id2, changed;
	size_t n;

	insert_job(fx->m, "i1", "n", "MIGRATION", "NotStarted", 0);
	id1 = put_item(fx->m, "i1", "k1", "CHECK_A", "CHECK_A_DETAIL", 1);
	assert_int_equal(meta_item_set_skip(fx->m, "i1", "01", names, 1, true, &changed, &err), 0);
	assert_int_equal(changed, 1);

	/* the step writes the item again, with skip false and a new state */
	meta_item_init(&it);
	snprintf(it.job_id, sizeof(it.job_id), "i1");
	snprintf(it.code, sizeof(it.code), "01");
	set_str(&it.key, "k1");
	set_str(&it.item, "CHECK_A");
	set_str(&it.state, "Failed");
	set_str(&it.sub, "");                /* stored as "[]" */
	it.current = 7;
	assert_int_equal(meta_item_put(fx->m, &it, &err), 0);
	id2 = it.id;
	assert_int_equal(id2, id1);
	/* and a third time: the id still comes back on update */
	it.id = 0;
	assert_int_equal(meta_item_put(fx->m, &it, &err), 0);
	assert_int_equal(it.id, id1);
	meta_item_release(&it);

	assert_int_equal(meta_item_list(fx->m, &f, &items, &n, NULL, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, id1);
	assert_true(items[0].skip);
	assert_string_equal(items[0].ignore_flag, "Y");
	assert_string_equal(items[0].state, "Failed");
	assert_string_equal(items[0].names, "");
	assert_string_equal(items[0].sub, "[]");
	assert_int_equal(items[0].current, 7);
	assert_false(items[0].can_skip);
	meta_item_release(&items[0]);
	free(items);
}

static void test_item_put_errors(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_item it;
	struct meta_log log = { "d", "m", "ERROR", "t" };

	meta_item_init(&it);
	snprintf(it.job_id, sizeof(it.job_id), "absent");
	snprintf(it.code, sizeof(it.code), "01");
	assert_int_equal(meta_item_put(fx->m, &it, &err), -1);   /* empty key */
	assert_int_equal(err.code, ERR_INVALID);
	set_str(&it.key, "k");
	assert_int_equal(meta_item_put(fx->m, &it, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "\"absent\""));
	meta_item_release(&it);

	assert_int_equal(meta_item_log_add(fx->m, 424242, &log, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "424242"));

	struct meta_item_filter f = { .job_id = "x", .code = NULL, .kind = -1 };
	struct meta_item *items;
	size_t n;
	assert_int_equal(meta_item_list(fx->m, &f, &items, &n, NULL, &err), -1);
	assert_int_equal(err.code, ERR_INVALID);
	assert_null(items);
}

/* Items of job "L": three kinds, two struct types, several phases. */
static void fill_items(struct meta *m)
{
	static const struct {
		const char *key, *item, *target, *phase, *stype;
		int kind, order;
	} rows[] = {
		{ "t1", "shop.orders", "public.orders", "Table", "before", 0, 2 },
		{ "t2", "shop.order_x", "public.order_x", "table", "before", 0, 1 },
		{ "t3", "shop.orderAx", "public.orderax", "Table", "after", 0, 1 },
		{ "v1", "shop.v_100%", "public.v_100pct", "View", "before", 0, 3 },
		{ "p1", "shop.proc", "public.special_orders", "Procedure", "after", 0, 4 },
		{ "a1", "analysis", "", "", "", 1, 0 },
		{ "n1", "netcheck", "", "", "", 2, 0 },
	};
	struct err err = { 0 };
	struct meta_item it;

	insert_job(m, "L", "n", "MIGRATION", "NotStarted", 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		meta_item_init(&it);
		snprintf(it.job_id, sizeof(it.job_id), "L");
		snprintf(it.code, sizeof(it.code), "01");
		it.kind = (enum meta_item_kind)rows[i].kind;
		it.order_num = rows[i].order;
		set_str(&it.key, rows[i].key);
		set_str(&it.item, rows[i].item);
		set_str(&it.target_names, rows[i].target);
		set_str(&it.phase, rows[i].phase);
		set_str(&it.struct_type, rows[i].stype);
		assert_int_equal(meta_item_put(m, &it, &err), 0);
		meta_item_release(&it);
	}
}

/* Keys of the listed items, space-separated. */
static void item_keys(struct meta *m, const struct meta_item_filter *f, char *out,
		      size_t outlen, int64_t *total)
{
	struct meta_item *items = NULL;
	size_t n = 0;
	struct err err = { 0 };

	out[0] = '\0';
	assert_int_equal(meta_item_list(m, f, &items, &n, total, &err), 0);
	for (size_t i = 0; i < n; i++) {
		strncat(out, items[i].key, outlen - strlen(out) - 1);
		strncat(out, " ", outlen - strlen(out) - 1);
		meta_item_release(&items[i]);
	}
	free(items);
}

static void test_item_list_filters(void **state)
{
	struct fx *fx = *state;
	struct meta_item_filter f;
	struct err err = { 0 };
	char keys[256];
	int64_t total = -1, count = -1;

	fill_items(fx->m);
	f = filter01("L");
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	/* order_num, then id (insertion order) */
	assert_string_equal(keys, "a1 n1 t2 t3 t1 v1 p1 ");
	assert_int_equal(total, 7);

	f.kind = META_ITEM_PROGRESS;
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "t2 t3 t1 v1 p1 ");
	f.kind = META_ITEM_NETCHECK;
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "n1 ");

	f = filter01("L");
	f.phase = "TABLE";                      /* case-insensitive, exact */
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "t2 t3 t1 ");
	f.phase = "Tab";
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "");

	f = filter01("L");
	f.struct_type = "after";
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "t3 p1 ");

	f = filter01("L");
	f.name_like = "ORDER";                  /* item or target_names */
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "t2 t3 t1 p1 ");
	f.name_like = "order_";                 /* '_' literal: not orderA */
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "t2 ");
	f.name_like = "100%";                   /* '%' literal: not 100pct */
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "v1 ");
	f.name_like = "special";                /* only in target_names */
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "p1 ");

	f = filter01("L");
	f.state = "NotStarted";
	f.kind = META_ITEM_PROGRESS;
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_int_equal(total, 5);
	f.state = "Failed";
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_int_equal(total, 0);

	/* paging + total without paging */
	f = filter01("L");
	f.kind = META_ITEM_PROGRESS;
	f.offset = 1;
	f.limit = 2;
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "t3 t1 ");
	assert_int_equal(total, 5);
	f.offset = 4;
	item_keys(fx->m, &f, keys, sizeof(keys), &total);
	assert_string_equal(keys, "p1 ");

	/* another step or job sees nothing */
	f = filter01("L");
	f.code = "02";
	assert_int_equal(list_count(fx->m, &f, &total), 0);
	assert_int_equal(total, 0);

	f = filter01("L");
	f.kind = META_ITEM_PROGRESS;
	assert_int_equal(meta_item_count(fx->m, &f, false, &count, &err), 0);
	assert_int_equal(count, 5);
}

static void test_item_logs(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_item_filter f = filter01("g");
	struct meta_item *items;
	struct meta_log log = { 0 };
	int64_t a, b, c;
	size_t n;
	char buf[16];

	insert_job(fx->m, "g", "n", "MIGRATION", "NotStarted", 0);
	a = put_item(fx->m, "g", "a", "A", "", 1);
	b = put_item(fx->m, "g", "b", "B", "", 2);
	c = put_item(fx->m, "g", "c", "C", "", 3);
	/* interleaved, to check per-item order by insertion */
	for (int i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "b%d", i);
		log.err_msg = buf;
		log.log_level = "ERROR";
		assert_int_equal(meta_item_log_add(fx->m, b, &log, &err), 0);
		snprintf(buf, sizeof(buf), "c%d", i);
		assert_int_equal(meta_item_log_add(fx->m, c, &log, &err), 0);
	}
	log.err_msg = "a0";
	log.log_level = NULL;                   /* stored as "" */
	assert_int_equal(meta_item_log_add(fx->m, a, &log, &err), 0);

	assert_int_equal(meta_item_list(fx->m, &f, &items, &n, NULL, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(items[0].n_logs, 1);
	assert_string_equal(items[0].logs[0].err_msg, "a0");
	assert_string_equal(items[0].logs[0].log_level, "");
	assert_string_equal(items[0].logs[0].err_data, "");
	assert_int_equal(items[1].n_logs, 3);
	assert_int_equal(items[2].n_logs, 3);
	for (int i = 0; i < 3; i++) {
		snprintf(buf, sizeof(buf), "b%d", i);
		assert_string_equal(items[1].logs[i].err_msg, buf);
		snprintf(buf, sizeof(buf), "c%d", i);
		assert_string_equal(items[2].logs[i].err_msg, buf);
		assert_string_equal(items[2].logs[i].log_level, "ERROR");
	}
	for (size_t i = 0; i < n; i++)
		meta_item_release(&items[i]);
	free(items);

	/* a page gets only its own items' logs */
	f.offset = 1;
	f.limit = 1;
	assert_int_equal(meta_item_list(fx->m, &f, &items, &n, NULL, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, b);
	assert_int_equal(items[0].n_logs, 3);
	meta_item_release(&items[0]);
	free(items);

	assert_int_equal(meta_item_logs_clear(fx->m, b, &err), 0);
	assert_int_equal(meta_item_list(fx->m, &f, &items, &n, NULL, &err), 0);
	assert_int_equal(items[0].n_logs, 0);
	assert_null(items[0].logs);
	meta_item_release(&items[0]);
	free(items);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM item_logs"), 4);
}

static void test_item_set_skip(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_item_filter f = filter01("k");
	struct meta_item it;
	const char *by_item[] = { "CHECK_A", "NO_SUCH" };
	const char *by_names[] = { "CHECK_B_DETAIL" };
	const char *both[] = { "CHECK_A", "CHECK_A_DETAIL", "CHECK_B" };
	int64_t changed = -1, count = -1;

	insert_job(fx->m, "k", "n", "MIGRATION", "NotStarted", 0);
	put_item(fx->m, "k", "a", "CHECK_A", "CHECK_A_DETAIL", 1);
	put_item(fx->m, "k", "b", "CHECK_B", "CHECK_B_DETAIL", 2);
	put_item(fx->m, "k", "c", "CHECK_C", "CHECK_C_DETAIL", 3);
	/* an ANALYSIS item with the same Item is never touched */
	meta_item_init(&it);
	snprintf(it.job_id, sizeof(it.job_id), "k");
	snprintf(it.code, sizeof(it.code), "01");
	it.kind = META_ITEM_ANALYSIS;
	set_str(&it.key, "a");
	set_str(&it.item, "CHECK_A");
	set_str(&it.state, "Success");
	assert_int_equal(meta_item_put(fx->m, &it, &err), 0);
	meta_item_release(&it);

	f.kind = META_ITEM_PROGRESS;
	f.state = "Success";
	assert_int_equal(meta_item_count(fx->m, &f, true, &count, &err), 0);
	assert_int_equal(count, 3);

	assert_int_equal(meta_item_set_skip(fx->m, "k", "01", by_item, 2, true, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(meta_item_set_skip(fx->m, "k", "01", by_names, 1, true, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(meta_item_count(fx->m, &f, true, &count, &err), 0);
	assert_int_equal(count, 1);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM items WHERE skip = 1"
				 " AND ignore_flag = 'Y'"), 2);
	assert_int_equal(raw_int(fx->path, "SELECT skip FROM items WHERE kind = 1"), 0);

	/* one row matched by Item and Names is counted once */
	assert_int_equal(meta_item_set_skip(fx->m, "k", "01", both, 3, false, &changed, &err), 0);
	assert_int_equal(changed, 2);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM items WHERE skip = 0"
				 " AND ignore_flag = 'N'"), 4);

	/* other job or step: nothing */
	assert_int_equal(meta_item_set_skip(fx->m, "k", "02", both, 3, true, &changed, &err), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(meta_item_set_skip(fx->m, "zz", "01", both, 3, true, &changed, &err), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(meta_item_set_skip(fx->m, "k", "01", both, 0, true, &changed, &err), 0);
	assert_int_equal(changed, 0);
}

static void test_items_clear(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_item_filter f = filter01("L");
	struct meta_log log = { "d", "m", "ERROR", "t" };
	int64_t total;

	fill_items(fx->m);
	assert_int_equal(meta_item_log_add(fx->m, 1, &log, &err), 0);
	assert_int_equal(meta_items_clear(fx->m, "L", "01", META_ITEM_NETCHECK, &err), 0);
	assert_int_equal(list_count(fx->m, &f, &total), 6);
	assert_int_equal(meta_items_clear(fx->m, "L", "02", -1, &err), 0);
	assert_int_equal(list_count(fx->m, &f, &total), 6);
	assert_int_equal(meta_items_clear(fx->m, "L", "01", -1, &err), 0);
	assert_int_equal(list_count(fx->m, &f, &total), 0);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM item_logs"), 0);
}

/* ---- cascade, checkpoints, settings ----------------------------------------- */

static void test_job_delete_cascades(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_subtask s = { .job_id = "del", .code = "01" };
	struct meta_item_filter f = filter01("del");
	struct meta_log log = { "d", "m", "ERROR", "t" };
	struct meta_subtask *subs;
	struct meta_job j;
	char *v = NULL;
	size_t n;
	int64_t id, total = -1;

	insert_job(fx->m, "del", "n", "MIGRATION", "NotStarted", 0);
	insert_job(fx->m, "keep", "n", "MIGRATION", "NotStarted", 0);
	assert_int_equal(meta_subtask_put(fx->m, &s, &err), 0);
	id = put_item(fx->m, "del", "a", "A", "", 1);
	put_item(fx->m, "keep", "a", "A", "", 1);
	assert_int_equal(meta_item_log_add(fx->m, id, &log, &err), 0);
	assert_int_equal(meta_checkpoint_put(fx->m, "del", "pos", "1", &err), 0);
	assert_int_equal(meta_checkpoint_put(fx->m, "keep", "pos", "2", &err), 0);

	assert_int_equal(meta_job_delete(fx->m, "del", &err), 0);
	assert_int_equal(meta_job_get(fx->m, "del", &j, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_int_equal(meta_subtask_list(fx->m, "del", &subs, &n, &err), 0);
	assert_int_equal(n, 0);
	free(subs);
	assert_int_equal(list_count(fx->m, &f, &total), 0);
	assert_int_equal(total, 0);
	assert_int_equal(meta_checkpoint_get(fx->m, "del", "pos", &v, &err), 0);
	assert_null(v);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM item_logs"), 0);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM items"), 1);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM subtasks"), 0);
	/* the other job is intact */
	assert_int_equal(meta_checkpoint_get(fx->m, "keep", "pos", &v, &err), 0);
	assert_string_equal(v, "2");
	free(v);
}

static void test_checkpoints(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	char *v = NULL;

	insert_job(fx->m, "cp", "n", "MIGRATION", "NotStarted", 0);
	assert_int_equal(meta_checkpoint_put(fx->m, "cp", "03.table.a", "100", &err), 0);
	assert_int_equal(meta_checkpoint_put(fx->m, "cp", "03.table.b", "200", &err), 0);
	assert_int_equal(meta_checkpoint_put(fx->m, "cp", "04.binlog", "mysql-bin.3:4", &err), 0);
	assert_int_equal(meta_checkpoint_put(fx->m, "cp", "03%x", "pct", &err), 0);
	assert_int_equal(meta_checkpoint_put(fx->m, "cp", "03.table.a", "150", &err), 0);
	assert_int_equal(meta_checkpoint_get(fx->m, "cp", "03.table.a", &v, &err), 0);
	assert_string_equal(v, "150");
	free(v);
	assert_int_equal(meta_checkpoint_get(fx->m, "cp", "nope", &v, &err), 0);
	assert_null(v);

	/* prefix is literal ('%' and '.' mean nothing special) */
	assert_int_equal(meta_checkpoint_clear(fx->m, "cp", "03.", &err), 0);
	assert_int_equal(meta_checkpoint_get(fx->m, "cp", "03.table.b", &v, &err), 0);
	assert_null(v);
	assert_int_equal(meta_checkpoint_get(fx->m, "cp", "03%x", &v, &err), 0);
	assert_string_equal(v, "pct");
	free(v);
	assert_int_equal(meta_checkpoint_get(fx->m, "cp", "04.binlog", &v, &err), 0);
	assert_string_equal(v, "mysql-bin.3:4");
	free(v);
	assert_int_equal(meta_checkpoint_clear(fx->m, "cp", "", &err), 0);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM checkpoints"), 0);

	assert_int_equal(meta_checkpoint_put(fx->m, "nojob", "k", "v", &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	assert_non_null(strstr(err.msg, "\"nojob\""));
}

static void test_settings(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	char *v = NULL;

	assert_int_equal(meta_setting_get(fx->m, "access_key_id", &v, &err), 0);
	assert_null(v);
	assert_int_equal(meta_setting_put(fx->m, "access_key_id", "AK1", &err), 0);
	assert_int_equal(meta_setting_put(fx->m, "access_key_id", "AK2", &err), 0);
	assert_int_equal(meta_setting_put(fx->m, "region", "cn-hangzhou", &err), 0);
	assert_int_equal(meta_setting_get(fx->m, "access_key_id", &v, &err), 0);
	assert_string_equal(v, "AK2");
	free(v);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM settings"), 2);
}

static void test_transactions(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	struct meta_job j;
	struct meta_job *jobs;
	size_t n;
	int64_t total;

	assert_int_equal(meta_begin(fx->m, &err), 0);
	insert_job(fx->m, "tx1", "n", "MIGRATION", "NotStarted", 0);
	/* reads inside the caller's transaction see its writes */
	assert_int_equal(meta_job_list(fx->m, NULL, &jobs, &n, &total, &err), 0);
	assert_int_equal(total, 1);
	meta_job_release(&jobs[0]);
	free(jobs);
	meta_rollback(fx->m);
	assert_int_equal(meta_job_get(fx->m, "tx1", &j, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);

	assert_int_equal(meta_begin(fx->m, &err), 0);
	insert_job(fx->m, "tx2", "n", "MIGRATION", "NotStarted", 0);
	put_item(fx->m, "tx2", "a", "A", "", 1);
	assert_int_equal(meta_commit(fx->m, &err), 0);
	assert_int_equal(meta_job_get(fx->m, "tx2", &j, &err), 0);
	meta_job_release(&j);
	meta_rollback(fx->m);            /* no transaction: harmless */
	assert_int_equal(meta_commit(fx->m, &err), -1);
	assert_int_equal(err.code, ERR_DB);
}

/* ---- threads ---------------------------------------------------------------- */

#define THREAD_PUTS 500

struct writer {
	const char *url;
	int no;
	int failures;
	int busy;
	struct meta *seen;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct err err = { 0 };
	struct meta_item it;
	char key[32];

	for (int i = 0; i < THREAD_PUTS; i++) {
		struct meta *m = meta_thread(w->url, &err);

		if (!m) {
			w->failures++;
			continue;
		}
		if (i && m != w->seen)
			w->failures++;      /* the handle must be cached */
		w->seen = m;
		meta_item_init(&it);
		snprintf(it.job_id, sizeof(it.job_id), "thr");
		snprintf(it.code, sizeof(it.code), "03");
		snprintf(key, sizeof(key), "t%d-%d", w->no, i);
		set_str(&it.key, key);
		it.order_num = i;
		if (meta_item_put(m, &it, &err) < 0) {
			w->failures++;
			if (err.code == ERR_UNAVAILABLE)
				w->busy++;
		}
		if (i % 50 == 0) {
			struct meta_log log = { "", key, "INFO", "" };

			if (meta_item_log_add(m, it.id, &log, &err) < 0)
				w->failures++;
		}
		meta_item_release(&it);
	}
	return NULL;
}

static void test_threads_concurrent(void **state)
{
	struct fx *fx = *state;
	struct writer w[2] = { { fx->path, 0, 0, 0, NULL }, { fx->path, 1, 0, 0, NULL } };
	pthread_t t[2];
	struct meta_item_filter f = { .job_id = "thr", .code = "03", .kind = -1 };
	struct err err = { 0 };
	int64_t total = -1;

	insert_job(fx->m, "thr", "n", "MIGRATION", "NotStarted", 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(w[i].busy, 0);
		assert_int_equal(w[i].failures, 0);
	}
	assert_int_equal(meta_item_count(fx->m, &f, false, &total, &err), 0);
	assert_int_equal(total, 2 * THREAD_PUTS);
	assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM item_logs"),
			 2 * THREAD_PUTS / 50);
}

static void test_thread_handle_reopen(void **state)
{
	struct fx *fx = *state;
	struct err err = { 0 };
	char other[300];
	struct meta *a, *b;
	struct meta_job j;

	snprintf(other, sizeof(other), "%s.other", fx->path);
	a = meta_thread(fx->path, &err);
	assert_non_null(a);
	assert_ptr_equal(meta_thread(fx->path, &err), a);
	insert_job(a, "first", "n", "MIGRATION", "NotStarted", 0);
	/* another url: the cached handle is replaced by one on the other file */
	b = meta_thread(other, &err);
	assert_non_null(b);
	assert_int_equal(meta_job_get(b, "first", &j, &err), -1);
	assert_int_equal(err.code, ERR_NOT_FOUND);
	/* a failing open leaves no handle behind */
	assert_null(meta_thread("postgresql://x/y", &err));
	assert_int_equal(err.code, ERR_UNSUPPORTED);
	a = meta_thread(fx->path, &err);
	assert_non_null(a);
	assert_int_equal(meta_job_get(a, "first", &j, &err), 0);
	meta_job_release(&j);
	meta_thread_close();
	meta_thread_close();
	unlink_db(other);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_migrate_twice),
		T(test_open_newer_schema_refused),
		T(test_open_url_forms),
		cmocka_unit_test(test_open_errors),
		T(test_job_roundtrip),
		T(test_job_conflict),
		T(test_job_not_found),
		T(test_job_list),
		T(test_subtasks),
		cmocka_unit_test(test_item_init_release),
		T(test_item_upsert_keeps_skip),
		T(test_item_put_errors),
		T(test_item_list_filters),
		T(test_item_logs),
		T(test_item_set_skip),
		T(test_items_clear),
		T(test_job_delete_cascades),
		T(test_checkpoints),
		T(test_settings),
		T(test_transactions),
		T(test_threads_concurrent),
		T(test_thread_handle_reopen),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
