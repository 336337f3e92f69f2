/*
 * test_precheck_step.c - step 01 (CHECK_CONN_SRC / CHECK_CONN_DEST) against
 * the real MariaDB and PostgreSQL servers of scripts/harness.sh:
 *
 *     scripts/harness.sh run build/tests/integration/test_precheck_step
 *
 * Each test gets a fresh SQLite metastore in a temporary folder, inserts a
 * job, calls step_precheck_run() directly and reads the items back with
 * meta_item_list(). Without the harness variables every test is skipped
 * (and says why).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engines/mysql/my.h"
#include "engines/pg/pg.h"
#include "lib/itest.h"
#include "meta/meta.h"
#include "steps/precheck.h"
#include "util/timefmt.h"

static const char *const env_names[] = {
	"MY_HOST", "MY_PORT", "MY_USER", "MY_PASSWORD",
	"PG_HOST", "PG_PORT", "PG_USER", "PG_PASSWORD", "PG_DATABASE",
};

struct fixture {
	char dir[64];
	char url[128];
	struct meta *m;
	struct meta_job job;      /* as read back from the metastore */
	atomic_bool cancel;
	struct err err;
	int64_t took_ms;          /* duration of the last run */
};

/* ---- environment and fixture --------------------------------------------- */

static const char *missing_env(void)
{
	for (size_t i = 0; i < sizeof(env_names) / sizeof(env_names[0]); i++)
		if (!getenv(env_names[i]) || !*getenv(env_names[i]))
			return env_names[i];
	return NULL;
}

static int env_port(const char *name)
{
	return atoi(getenv(name));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct err e = { 0 };

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/opendts-precheck.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->url, sizeof(f->url), "%s/meta.db", f->dir);
	f->m = meta_open(f->url, &e);
	if (!f->m)
		fail_msg("meta_open %s: %s", f->url, e.msg);
	atomic_init(&f->cancel, false);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[192];

	meta_job_release(&f->job);
	meta_free(f->m);
	for (const char *const *sfx = (const char *const[]){ "", "-wal", "-shm", NULL };
	     *sfx; sfx++) {
		snprintf(path, sizeof(path), "%s%s", f->url, *sfx);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Skips the calling test when the harness did not export its variables. */
static void need_servers(void)
{
	const char *missing = missing_env();

	if (missing) {
		print_message("skipping: %s is not set; run this test under "
			      "scripts/harness.sh run\n", missing);
		skip();
	}
}

static void ep_mariadb(struct meta_endpoint *ep, const char *engine)
{
	ep->instance_type = "OTHER";
	ep->engine = (char *)engine;
	ep->ip = getenv("MY_HOST");
	ep->port = env_port("MY_PORT");
	ep->user = getenv("MY_USER");
	ep->password = getenv("MY_PASSWORD");
	ep->database = "";
}

static void ep_pg(struct meta_endpoint *ep, const char *engine)
{
	ep->instance_type = "OTHER";
	ep->engine = (char *)engine;
	ep->ip = getenv("PG_HOST");
	ep->port = env_port("PG_PORT");
	ep->user = getenv("PG_USER");
	ep->password = getenv("PG_PASSWORD");
	ep->database = getenv("PG_DATABASE");
}

/* Inserts the job (endpoints as given) and reads it back into f->job. */
static void insert_job(struct fixture *f, const struct meta_endpoint *src,
		       const struct meta_endpoint *dst)
{
	struct meta_job j = { 0 };
	struct err e = { 0 };

	snprintf(j.id, sizeof(j.id), "itprecheck%ld", (long)getpid());
	snprintf(j.instance_id, sizeof(j.instance_id), "dts%s", j.id);
	j.name = "precheck test";
	j.job_type = "MIGRATION";
	j.status = "Prechecking";
	j.configured = true;
	j.src = *src;
	j.dst = *dst;
	j.desired = "run";
	j.generation = 1;
	/* Select an object that exists, so only connectivity decides. */
	j.db_list = "{\"itprecheck\":{\"name\":\"itprecheck_copy\",\"all\":true}}";
	if (itest_mysql_exec("CREATE DATABASE IF NOT EXISTS itprecheck; CREATE TABLE IF NOT EXISTS "
			     "itprecheck.t (id INT PRIMARY KEY)") < 0)
		fail_msg("cannot create the itprecheck database");
	if (meta_job_insert(f->m, &j, &e) < 0)
		fail_msg("meta_job_insert: %s", e.msg);
	if (meta_job_get(f->m, j.id, &f->job, &e) < 0)
		fail_msg("meta_job_get: %s", e.msg);
}

static enum step_result run(struct fixture *f, int connect_timeout_s)
{
	struct step_ctx ctx = {
		.meta = f->m, .meta_url = f->url, .job = &f->job, .code = "01",
		.step_id = "itstep01", .cancel = &f->cancel, .region = "local",
		.connect_timeout_s = connect_timeout_s, .workers = 2,
	};
	int64_t t0 = time_mono_ms();
	enum step_result r;

	memset(&f->err, 0, sizeof(f->err));
	r = step_precheck_run(&ctx, &f->err);
	f->took_ms = time_mono_ms() - t0;
	return r;
}

/* The items of step 01, ordered by OrderNum; the caller frees with items_free. */
static struct meta_item *items(struct fixture *f, size_t *n)
{
	struct meta_item_filter flt = { .job_id = f->job.id, .code = "01",
					.kind = META_ITEM_PROGRESS };
	struct meta_item *out = NULL;
	struct err e = { 0 };

	if (meta_item_list(f->m, &flt, &out, n, NULL, &e) < 0)
		fail_msg("meta_item_list: %s", e.msg);
	return out;
}

static void items_free(struct meta_item *it, size_t n)
{
	for (size_t i = 0; i < n; i++)
		meta_item_release(&it[i]);
	free(it);
}

static const struct meta_item *find(const struct meta_item *it, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(it[i].item, code) == 0)
			return &it[i];
	fail_msg("no item %s", code);
	return NULL;
}

static void assert_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("\"%s\" does not contain \"%s\"", s, needle);
}

/* A failed item with the message keys, one ERROR log of the given stage. */
static void assert_failed(const struct meta_item *it, const char *tail, const char *stage)
{
	char key[96];

	assert_string_equal(it->state, "Failed");
	snprintf(key, sizeof(key), "CHECK__ERROR_%s", tail);
	assert_string_equal(it->err_msg, key);
	snprintf(key, sizeof(key), "CHECK__ERROR_%s_DETAIL", tail);
	assert_string_equal(it->err_detail, key);
	snprintf(key, sizeof(key), "CHECK__ERROR_%s_REPAIR", tail);
	assert_string_equal(it->repair_method, key);
	assert_int_equal(it->n_logs, 1);
	assert_string_equal(it->logs[0].log_level, "ERROR");
	assert_string_equal(it->logs[0].err_type, stage);
	assert_true(it->finish_ms >= it->boot_ms && it->boot_ms > 0);
}

/* A successful item: no message keys, one INFO log with version and latency. */
static void assert_success(const struct meta_item *it, const char *version)
{
	assert_string_equal(it->state, "Success");
	assert_string_equal(it->err_msg, "");
	assert_string_equal(it->err_detail, "");
	assert_string_equal(it->repair_method, "");
	assert_int_equal(it->n_logs, 1);
	assert_string_equal(it->logs[0].log_level, "INFO");
	assert_contains(it->logs[0].err_msg, version);
	assert_contains(it->logs[0].err_msg, "TCP connect ");
	assert_contains(it->logs[0].err_data, "latency_ms=");
	assert_contains(it->logs[0].err_data, version);
	assert_true(it->finish_ms >= it->boot_ms && it->boot_ms > 0);
}

/* The servers' versions as the engine clients see them. */
static char *mariadb_version(void)
{
	struct my_conn_opts o = {
		.host = getenv("MY_HOST"), .port = env_port("MY_PORT"),
		.user = getenv("MY_USER"), .password = getenv("MY_PASSWORD"),
		.connect_timeout_s = 5,
	};
	struct err e = { 0 };
	struct my_conn *c = my_connect(&o, &e);
	char *v = NULL;

	if (!c)
		fail_msg("my_connect: %s", e.msg);
	assert_int_equal(my_query_value(c, "SELECT VERSION()", &v, &e), 0);
	assert_string_equal(v, my_server_version(c));
	my_close(c);
	return v;
}

static char *pg_version(void)
{
	struct pg_conn_opts o = {
		.host = getenv("PG_HOST"), .port = env_port("PG_PORT"),
		.user = getenv("PG_USER"), .password = getenv("PG_PASSWORD"),
		.database = getenv("PG_DATABASE"), .connect_timeout_s = 5,
	};
	struct err e = { 0 };
	struct pg_conn *c = pg_connect(&o, &e);
	char *v = NULL;

	if (!c)
		fail_msg("pg_connect: %s", e.msg);
	assert_int_equal(pg_query_value(c, "SHOW server_version", &v, &e), 0);
	/* "15.18 (Debian ...)" starts with the short form. */
	assert_int_equal(strncmp(v, pg_server_version(c), strlen(pg_server_version(c))), 0);
	pg_close(c);
	return v;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_mariadb_to_pg_success(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	struct meta_item *it;
	char *myv, *pgv;
	size_t n;

	need_servers();
	ep_mariadb(&src, "MySQL");
	ep_pg(&dst, "PostgreSQL");
	insert_job(f, &src, &dst);
	assert_int_equal(run(f, 5), STEP_DONE);
	myv = mariadb_version();
	pgv = pg_version();
	it = items(f, &n);
	assert_true(n >= 2);
	/* ordered by OrderNum */
	assert_string_equal(it[0].item, "CHECK_CONN_SRC");
	assert_string_equal(it[0].names, "CHECK_CONN_SRC_DETAIL");
	assert_string_equal(it[0].key, "CHECK_CONN_SRC");
	assert_int_equal(it[0].order_num, 1);
	assert_int_equal(it[0].kind, META_ITEM_PROGRESS);
	assert_false(it[0].can_skip);
	assert_false(it[0].skip);
	assert_string_equal(it[1].item, "CHECK_CONN_DEST");
	assert_string_equal(it[1].names, "CHECK_CONN_DEST_DETAIL");
	assert_int_equal(it[1].order_num, 2);
	assert_success(&it[0], myv);
	assert_success(&it[1], pgv);
	assert_contains(it[0].logs[0].err_data, "engine=MySQL");
	assert_contains(it[1].logs[0].err_data, "engine=PostgreSQL");
	assert_contains(it[1].logs[0].err_msg, "destination database");
	/* The password appears nowhere. */
	assert_null(strstr(it[0].logs[0].err_data, getenv("MY_PASSWORD")));
	assert_null(strstr(it[1].logs[0].err_msg, getenv("PG_PASSWORD")));
	items_free(it, n);
	free(myv);
	free(pgv);
}

static void test_mariadb_to_mariadb_engine_names(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	struct meta_item *it;
	char *myv;
	size_t n;

	need_servers();
	/* Engine names match without case; MariaDB/PolarDB speak MySQL. */
	ep_mariadb(&src, "MARIADB");
	ep_mariadb(&dst, "polardb");
	insert_job(f, &src, &dst);
	assert_int_equal(run(f, 0), STEP_DONE);   /* 0 = default timeout */
	myv = mariadb_version();
	it = items(f, &n);
	assert_true(n >= 2);
	assert_success(find(it, n, "CHECK_CONN_SRC"), myv);
	assert_success(find(it, n, "CHECK_CONN_DEST"), myv);
	items_free(it, n);
	free(myv);
}

static void test_wrong_source_password(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	const struct meta_item *s;
	struct meta_item *it;
	size_t n;

	need_servers();
	ep_mariadb(&src, "MySQL");
	src.password = "wrong-Secret-42";
	ep_pg(&dst, "POSTGRESQL");
	insert_job(f, &src, &dst);
	assert_int_equal(run(f, 5), STEP_FAILED);
	assert_string_equal(f->err.msg, "precheck failed: CHECK_CONN_SRC");
	it = items(f, &n);
	assert_true(n >= 2);
	s = find(it, n, "CHECK_CONN_SRC");
	assert_failed(s, "CONN_SRC", "auth");
	assert_contains(s->logs[0].err_msg, "DTS-070211: connect source database failed: ");
	assert_contains(s->logs[0].err_msg, "Access denied for user 'root'@'");
	assert_contains(s->logs[0].err_msg, "(using password: YES)");
	assert_contains(s->logs[0].err_msg, "SourceEndpointUserName, SourceEndpointPassword");
	assert_contains(s->logs[0].err_data, "user=root");
	assert_null(strstr(s->logs[0].err_msg, "wrong-Secret-42"));
	assert_null(strstr(s->logs[0].err_data, "wrong-Secret-42"));
	assert_string_equal(find(it, n, "CHECK_CONN_DEST")->state, "Success");
	items_free(it, n);
}

static void test_closed_destination_port(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	const struct meta_item *d;
	struct meta_item *it;
	char where[64];
	size_t n;

	need_servers();
	ep_mariadb(&src, "MySQL");
	ep_mariadb(&dst, "MySQL");
	dst.port = itest_closed_port();
	insert_job(f, &src, &dst);
	assert_int_equal(run(f, 5), STEP_FAILED);
	assert_string_equal(f->err.msg, "precheck failed: CHECK_CONN_DEST");
	assert_true(f->took_ms < 3000);   /* refused is immediate */
	it = items(f, &n);
	d = find(it, n, "CHECK_CONN_DEST");
	assert_failed(d, "CONN_DEST", "tcp");
	assert_contains(d->logs[0].err_msg, "DTS-070212: connect destination database failed: ");
	assert_contains(d->logs[0].err_msg, "refused");
	assert_contains(d->logs[0].err_msg, "DestinationEndpointPort");
	snprintf(where, sizeof(where), "%s:%d", dst.ip, dst.port);
	assert_contains(d->logs[0].err_msg, where);
	assert_string_equal(find(it, n, "CHECK_CONN_SRC")->state, "Success");
	items_free(it, n);
}

static void test_unresolvable_host(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	const struct meta_item *s;
	struct meta_item *it;
	size_t n;

	need_servers();
	ep_mariadb(&src, "MySQL");
	src.ip = "nohost.invalid";
	ep_pg(&dst, "PostgreSQL");
	insert_job(f, &src, &dst);
	assert_int_equal(run(f, 5), STEP_FAILED);
	assert_string_equal(f->err.msg, "precheck failed: CHECK_CONN_SRC");
	it = items(f, &n);
	s = find(it, n, "CHECK_CONN_SRC");
	assert_failed(s, "CONN_SRC", "dns");
	assert_contains(s->logs[0].err_msg, "cannot resolve host \"nohost.invalid\"");
	assert_contains(s->logs[0].err_msg, "SourceEndpointIP");
	assert_contains(s->logs[0].err_data, "host=nohost.invalid");
	items_free(it, n);
}

static void test_silent_servers_time_out_in_parallel(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	const struct meta_item *s, *d;
	struct meta_item *it;
	struct itest_silent srv;
	size_t n;

	need_servers();
	itest_silent_start(&srv);
	ep_mariadb(&src, "MySQL");
	src.ip = "127.0.0.1";
	src.port = srv.port;
	ep_pg(&dst, "PostgreSQL");
	dst.ip = "127.0.0.1";
	dst.port = srv.port;
	insert_job(f, &src, &dst);
	assert_int_equal(run(f, 2), STEP_FAILED);
	itest_silent_stop(&srv);
	/* Bounded by connect_timeout_s; both checks wait at the same time
	 * (one after the other would take 4 s and more). */
	assert_true(f->took_ms < 6000);
	assert_true(f->took_ms < 3900);
	assert_true(f->took_ms >= 1500);
	assert_string_equal(f->err.msg, "precheck failed: CHECK_CONN_SRC, CHECK_CONN_DEST");
	it = items(f, &n);
	s = find(it, n, "CHECK_CONN_SRC");
	d = find(it, n, "CHECK_CONN_DEST");
	assert_failed(s, "CONN_SRC", "auth");
	assert_failed(d, "CONN_DEST", "auth");
	assert_contains(s->logs[0].err_msg, "did not complete the login within 2 s");
	assert_contains(d->logs[0].err_msg, "did not complete the login within 2 s");
	items_free(it, n);
}

static void test_wrong_pg_database(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	const struct meta_item *d;
	struct meta_item *it;
	size_t n;

	need_servers();
	ep_mariadb(&src, "MySQL");
	ep_pg(&dst, "PostgreSQL");
	dst.database = "no_such_db";
	insert_job(f, &src, &dst);
	assert_int_equal(run(f, 5), STEP_FAILED);
	it = items(f, &n);
	d = find(it, n, "CHECK_CONN_DEST");
	assert_failed(d, "CONN_DEST", "auth");
	assert_contains(d->logs[0].err_msg, "database \"no_such_db\" does not exist");
	assert_contains(d->logs[0].err_msg, "DestinationEndpointDataBaseName");
	items_free(it, n);
}

static void test_unsupported_engine(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	const struct meta_item *d;
	struct meta_item *it;
	size_t n;

	need_servers();
	ep_mariadb(&src, "MySQL");
	ep_mariadb(&dst, "Oracle");
	insert_job(f, &src, &dst);
	assert_int_equal(run(f, 5), STEP_FAILED);
	it = items(f, &n);
	d = find(it, n, "CHECK_CONN_DEST");
	assert_failed(d, "CONN_DEST", "engine");
	assert_contains(d->logs[0].err_msg, "database engine \"Oracle\" is not supported");
	assert_contains(d->logs[0].err_msg, "DestinationEndpointEngineName");
	items_free(it, n);
}

/* A skipped failure no longer fails the step; the skip survives re-runs,
 * and a re-run replaces the old logs. */
static void test_skip_then_rerun(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	const char *const names[] = { "CHECK_CONN_DEST" };
	const struct meta_item *d;
	struct meta_item *it;
	int64_t changed = 0;
	struct err e = { 0 };
	size_t n;

	need_servers();
	ep_mariadb(&src, "MySQL");
	ep_mariadb(&dst, "MySQL");
	dst.port = itest_closed_port();
	insert_job(f, &src, &dst);
	assert_int_equal(run(f, 5), STEP_FAILED);
	assert_int_equal(meta_item_set_skip(f->m, f->job.id, "01", names, 1, true, &changed, &e), 0);
	assert_int_equal(changed, 1);

	assert_int_equal(run(f, 5), STEP_DONE);
	it = items(f, &n);
	assert_true(n >= 2);
	d = find(it, n, "CHECK_CONN_DEST");
	assert_true(d->skip);
	assert_failed(d, "CONN_DEST", "tcp");   /* exactly one log: the old one is gone */
	items_free(it, n);

	/* Un-skipped, the same failure fails the step again. */
	assert_int_equal(meta_item_set_skip(f->m, f->job.id, "01", names, 1, false, &changed, &e), 0);
	assert_int_equal(run(f, 5), STEP_FAILED);
	assert_string_equal(f->err.msg, "precheck failed: CHECK_CONN_DEST");
}

/* A fixed configuration turns a failed item into Success with only the new log. */
static void test_rerun_after_fix(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	struct meta_item *it;
	struct err e = { 0 };
	char *myv;
	size_t n;

	need_servers();
	ep_mariadb(&src, "MySQL");
	src.password = "bad";
	ep_mariadb(&dst, "MySQL");
	insert_job(f, &src, &dst);
	assert_int_equal(run(f, 5), STEP_FAILED);
	free(f->job.src.password);
	f->job.src.password = strdup(getenv("MY_PASSWORD"));
	assert_int_equal(meta_job_update(f->m, &f->job, &e), 0);
	assert_int_equal(run(f, 5), STEP_DONE);
	myv = mariadb_version();
	it = items(f, &n);
	assert_true(n >= 2);
	assert_success(find(it, n, "CHECK_CONN_SRC"), myv);
	items_free(it, n);
	free(myv);
}

static void test_cancelled_before_run(void **state)
{
	struct fixture *f = *state;
	struct meta_endpoint src = { 0 }, dst = { 0 };
	struct meta_item *it;
	size_t n;

	need_servers();
	ep_mariadb(&src, "MySQL");
	ep_pg(&dst, "PostgreSQL");
	insert_job(f, &src, &dst);
	atomic_store(&f->cancel, true);
	assert_int_equal(run(f, 5), STEP_CANCELLED);
	assert_true(f->took_ms < 1000);
	it = items(f, &n);
	assert_int_equal(n, 0);   /* nothing was checked, nothing recorded */
	items_free(it, n);
}

/* ---- the engine clients the step relies on --------------------------------- */

static void test_mysql_client_errors(void **state)
{
	struct my_conn_opts o = { 0 };
	struct my_conn *c;
	struct err e = { 0 };
	char *v = (char *)"unset";
	int64_t t0;

	(void)state;
	need_servers();
	o.host = getenv("MY_HOST");
	o.port = env_port("MY_PORT");
	o.user = getenv("MY_USER");
	o.password = getenv("MY_PASSWORD");
	o.connect_timeout_s = 5;
	o.read_timeout_s = 1;
	c = my_connect(&o, &e);
	if (!c)
		fail_msg("my_connect: %s", e.msg);
	/* utf8mb4, LOCAL INFILE off */
	assert_int_equal(my_query_value(c, "SELECT @@character_set_client", &v, &e), 0);
	assert_string_equal(v, "utf8mb4");
	free(v);
	assert_int_equal(my_query_value(c, "SELECT NULL", &v, &e), 0);
	assert_null(v);
	assert_int_equal(my_query(c, "DO 1", &e), 0);
	assert_int_equal(my_query(c, "SELECT no_such_column", &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_contains(e.msg, "Unknown column 'no_such_column'");
	assert_contains(e.msg, "(error 1054, sqlstate 42S22)");
	/* still usable after a statement error */
	assert_int_equal(my_query(c, "DO 1", &e), 0);
	/* the read timeout bounds a statement */
	t0 = time_mono_ms();
	assert_int_equal(my_query(c, "DO SLEEP(5)", &e), -1);
	assert_int_equal(e.code, ERR_TIMEOUT);
	assert_contains(e.msg, "did not answer within 1 s");
	assert_true(time_mono_ms() - t0 < 3000);
	my_close(c);
	my_close(NULL);
	/* a missing database is named as such */
	o.database = "no_such_db";
	assert_null(my_connect(&o, &e));
	assert_int_equal(e.code, ERR_CONNECT);
	assert_string_equal(e.param, "database");
	assert_contains(e.msg, "Unknown database 'no_such_db' (error 1049)");
}

static void test_pg_client_errors(void **state)
{
	struct pg_conn_opts o = { 0 };
	struct pg_conn *c;
	struct err e = { 0 };
	char *v = NULL;
	int64_t t0;

	(void)state;
	need_servers();
	o.host = getenv("PG_HOST");
	o.port = env_port("PG_PORT");
	o.user = getenv("PG_USER");
	o.password = getenv("PG_PASSWORD");
	o.database = NULL;   /* = "postgres" */
	o.connect_timeout_s = 5;
	o.read_timeout_s = 1;
	c = pg_connect(&o, &e);
	if (!c)
		fail_msg("pg_connect: %s", e.msg);
	assert_int_equal(pg_query_value(c, "SELECT current_database()", &v, &e), 0);
	assert_string_equal(v, "postgres");
	free(v);
	assert_int_equal(pg_query_value(c, "SHOW application_name", &v, &e), 0);
	assert_string_equal(v, "opendts");
	free(v);
	assert_int_equal(pg_query_value(c, "SHOW client_encoding", &v, &e), 0);
	assert_string_equal(v, "UTF8");
	free(v);
	assert_int_equal(pg_query_value(c, "SELECT NULL", &v, &e), 0);
	assert_null(v);
	assert_int_equal(pg_query_value(c, "SELECT no_such_column", NULL, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_contains(e.msg, "column \"no_such_column\" does not exist (sqlstate 42703)");
	assert_int_equal(pg_query_value(c, "SELECT 1", NULL, &e), 0);
	t0 = time_mono_ms();
	assert_int_equal(pg_query_value(c, "SELECT pg_sleep(5)", NULL, &e), -1);
	assert_int_equal(e.code, ERR_TIMEOUT);
	assert_true(time_mono_ms() - t0 < 3000);
	assert_int_equal(pg_query_value(c, "SELECT 1", NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONNECT);
	assert_contains(e.msg, "unusable");
	pg_close(c);
	pg_close(NULL);
	/* a refused login names the user option and never the password */
	o.password = "wrong-Secret-43";
	assert_null(pg_connect(&o, &e));
	assert_int_equal(e.code, ERR_CONNECT);
	assert_string_equal(e.param, "user");
	assert_contains(e.msg, "password authentication failed");
	assert_null(strstr(e.msg, "wrong-Secret-43"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mariadb_to_pg_success, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mariadb_to_mariadb_engine_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_source_password, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_destination_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unresolvable_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_servers_time_out_in_parallel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_pg_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_engine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_then_rerun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rerun_after_fix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancelled_before_run, setup, teardown),
		cmocka_unit_test(test_mysql_client_errors),
		cmocka_unit_test(test_pg_client_errors),
	};

	if (missing_env())
		fprintf(stderr, "test_precheck_step: %s is not set, every test will be skipped; "
			"run it as: scripts/harness.sh run %s\n", missing_env(),
			"build/tests/integration/test_precheck_step");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
