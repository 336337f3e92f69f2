/*
 * test_precheck_src.c - the source-side precheck items (precheck_src.c),
 * end to end: a real dtsd, called through the C client, prechecking jobs
 * whose source is the harness MariaDB (destination: the harness
 * PostgreSQL, under a schema name nobody uses):
 *
 *     scripts/harness.sh run build/tests/integration/test_precheck_src
 *
 * Every item is made to fail (or warn) for real: an account without
 * privileges, MariaDB restarted with binlog settings that break incremental
 * sync, a DbList naming objects that do not exist, a table without a key,
 * cascading foreign keys, MyISAM and BLACKHOLE tables. Objects are named
 * after the test's pid and dropped at the end; the MariaDB options and
 * global variables the tests change are restored in the group teardown,
 * even when a test fails (other tests share the server).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engines/mysql/my.h"
#include "lib/itest.h"

static struct itest_dtsd D;
static struct itest_db MY, PG;
static char P[32];               /* prefix of every object made here: "pcs<pid>" */
static bool restarted;           /* MariaDB runs with other options: restore */
static char expire_was[32];      /* binlog_expire_logs_seconds to restore, "" = unchanged */
static bool blackhole_installed; /* we installed ha_blackhole: uninstall */

#define SQL_MAX 8192

/* ---- helpers ------------------------------------------------------------------ */

__attribute__((format(printf, 1, 2)))
static int sql_try(const char *fmt, ...)
{
	char q[SQL_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	return itest_mysql_exec(q);
}

#define sql(...) do { if (sql_try(__VA_ARGS__) != 0) fail_msg("SQL failed"); } while (0)

/* One value from the harness MariaDB (as root), through the engine client. */
static char *sql_value(const char *query)
{
	struct my_conn_opts o = {
		.host = MY.host, .port = MY.port, .user = MY.user, .password = MY.password,
		.connect_timeout_s = 5,
	};
	struct err e = { 0 };
	struct my_conn *c = my_connect(&o, &e);
	char *v = NULL;

	if (!c)
		fail_msg("my_connect: %s", e.msg);
	if (my_query_value(c, query, &v, &e) < 0)
		fail_msg("%s: %s", query, e.msg);
	my_close(c);
	return v;
}

/* scripts/harness.sh restart-mariadb $HARNESS_DIR [options...]. */
static int restart_mariadb(const char *const *opts)
{
	const char *dir = getenv("HARNESS_DIR");
	const char *argv[16] = { "bash", "scripts/harness.sh", "restart-mariadb", dir };
	size_t n = 4;
	pid_t pid;
	int st;

	for (; opts && *opts && n < 15; opts++)
		argv[n++] = *opts;
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		execvp("bash", (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void drop_everything(void)
{
	static const char *const dbs[] = { "ok", "auth", "obj", "pk", "fk", "ext", "eng", NULL };

	for (const char *const *d = dbs; *d; d++)
		sql_try("DROP DATABASE IF EXISTS `%s_%s`", P, *d);
	sql_try("DROP USER IF EXISTS '%s_u1'@'%%', '%s_u2'@'%%'", P, P);
	sql_try("DROP ROLE IF EXISTS %s_r1", P);
}

static int setup(void **state)
{
	(void)state;
	if (!itest_mysql(&MY) || !itest_pg(&PG)) {
		fprintf(stderr, "test_precheck_src: MY_* / PG_* not set; run under "
			"scripts/harness.sh run\n");
		return -1;
	}
	snprintf(P, sizeof(P), "pcs%ld", (long)getpid());
	drop_everything();
	memset(&D, 0, sizeof(D));
	return itest_dtsd_start(&D, NULL, NULL);
}

/* Puts back what a failed test may have left changed on the shared server:
 * the variable first (a restart would reset it anyway), then the options. */
static int restore_server(void)
{
	int rc = 0;

	if (expire_was[0]) {
		rc |= sql_try("SET GLOBAL binlog_expire_logs_seconds = %s", expire_was);
		expire_was[0] = '\0';
	}
	if (restarted) {
		rc |= restart_mariadb(NULL);
		restarted = false;
	}
	if (blackhole_installed && sql_try("UNINSTALL SONAME 'ha_blackhole'") == 0)
		blackhole_installed = false;
	return rc;
}

static int teardown(void **state)
{
	int rc = 0, st;

	(void)state;
	if (restore_server() != 0) {
		fprintf(stderr, "test_precheck_src: could not restore MariaDB's settings\n");
		rc = -1;
	}
	drop_everything();
	/* A sanitizer report (leak, UB) makes dtsd exit non-zero. */
	st = itest_dtsd_stop(&D, false);
	if (st != 0) {
		fprintf(stderr, "test_precheck_src: dtsd exited with status %d\n", st);
		rc = -1;
	}
	itest_dtsd_destroy(&D);
	return rc;
}

struct jobspec {
	const char *dblist;
	bool schema, full, sync;
	const char *user, *password;   /* NULL: the harness root account */
	int src_port;                  /* 0: the harness port */
};

/* Configures a job (destination: PostgreSQL) and starts it; id gets its id. */
static void start_job(const struct jobspec *js, char id[64])
{
	struct itest_db src = MY;
	struct kvlist p;
	cJSON *r = NULL;

	if (js->user)
		src.user = js->user;
	if (js->src_port)
		src.port = js->src_port;
	kvlist_init(&p);
	kvlist_add(&p, "DtsJobName", "precheck src test");
	kvlist_add(&p, "JobType", "MIGRATION");
	kvlist_add(&p, "StructureInitialization", js->schema ? "true" : "false");
	kvlist_add(&p, "DataInitialization", js->full ? "true" : "false");
	kvlist_add(&p, "DataSynchronization", js->sync ? "true" : "false");
	kvlist_add(&p, "DbList", js->dblist);
	itest_src_params(&p, &src, js->password);
	itest_dst_params(&p, &PG, "PostgreSQL", NULL);
	if (itest_callv(&D, &r, "ConfigureDtsJob", &p) != 200)
		fail_msg("ConfigureDtsJob: %s: %s", itest_str(r, "Code"), itest_str(r, "Message"));
	kvlist_release(&p);
	snprintf(id, 64, "%s", itest_str(r, "DtsJobId"));
	assert_true(strlen(id) > 8);
	cJSON_Delete(r);
	assert_int_equal(itest_call(&D, &r, "StartDtsJob", "DtsJobId", id, NULL), 200);
	cJSON_Delete(r);
}

/* Waits until the job is past its precheck; returns its status (heap). */
static char *wait_done(const char *id)
{
	char *s = itest_wait_status(&D, id, 60000, "PrecheckFailed", "MigrationFailed",
				    "Finished", "Migrating", NULL);

	assert_non_null(s);
	if (strcmp(s, "Prechecking") == 0 || strcmp(s, "NotStarted") == 0)
		fail_msg("job %s still %s after 60 s", id, s);
	return s;
}

static void expect_status(const char *id, const char *want)
{
	char *s = wait_done(id);

	if (strcmp(s, want) != 0)
		fail_msg("job %s is %s, expected %s", id, s, want);
	free(s);
}

/* DescribePreCheckStatus JobCode 01 (every item on one page). */
static cJSON *precheck(const char *id)
{
	cJSON *r = NULL;

	assert_int_equal(itest_call(&D, &r, "DescribePreCheckStatus", "DtsJobId", id,
				    "JobCode", "01", "PageSize", "100", NULL), 200);
	return r;
}

static const cJSON *item(const cJSON *r, const char *code)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "JobProgress"))
		if (strcmp(itest_str(it, "Item"), code) == 0)
			return it;
	fail_msg("no precheck item %s", code);
	return NULL;
}

static bool has_item(const cJSON *r, const char *code)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "JobProgress"))
		if (strcmp(itest_str(it, "Item"), code) == 0)
			return true;
	return false;
}

static int n_logs(const cJSON *it)
{
	return cJSON_GetArraySize(cJSON_GetObjectItem(it, "Logs"));
}

static const cJSON *log_n(const cJSON *it, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(it, "Logs"), i);
}

static void contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("\"%s\" does not contain \"%s\"", s, needle);
}

static void lacks(const char *s, const char *needle)
{
	if (strstr(s, needle))
		fail_msg("\"%s\" contains \"%s\"", s, needle);
}

/* The first log of `level` whose ErrData contains data_part. */
static const cJSON *find_log(const cJSON *it, const char *level, const char *data_part)
{
	for (int i = 0; i < n_logs(it); i++) {
		const cJSON *l = log_n(it, i);

		if (strcmp(itest_str(l, "LogLevel"), level) == 0 &&
		    strstr(itest_str(l, "ErrData"), data_part))
			return l;
	}
	fail_msg("item %s has no %s log with ErrData containing \"%s\"", itest_str(it, "Item"),
		 level, data_part);
	return NULL;
}

/* State, CanSkip, OrderNum and the message keys of a failed/warned item. */
static void expect_item(const cJSON *it, const char *state, bool can_skip, int order)
{
	const char *code = itest_str(it, "Item");
	char key[96];

	if (strcmp(itest_str(it, "State"), state) != 0)
		fail_msg("%s is %s, expected %s (first log: %s)", code, itest_str(it, "State"),
			 state, n_logs(it) ? itest_str(log_n(it, 0), "ErrMsg") : "none");
	assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(it, "CanSkip")), can_skip);
	assert_int_equal((int)itest_num(it, "OrderNum"), order);
	snprintf(key, sizeof(key), "%s_DETAIL", code);
	assert_string_equal(itest_str(it, "Names"), key);
	if (strcmp(state, "Failed") == 0 || strcmp(state, "Warning") == 0) {
		snprintf(key, sizeof(key), "CHECK__ERROR_%s", code + 6);
		assert_string_equal(itest_str(it, "ErrMsg"), key);
		snprintf(key, sizeof(key), "CHECK__ERROR_%s_REPAIR", code + 6);
		assert_string_equal(itest_str(it, "RepairMethod"), key);
	} else {
		assert_string_equal(itest_str(it, "ErrMsg"), "");
	}
	assert_true(n_logs(it) >= 1);
}

/* A job run to the end of its precheck; status NULL: anything past it. */
static cJSON *run_job(const struct jobspec *js, char id[64], const char *status)
{
	char *s;

	start_job(js, id);
	if (status) {
		expect_status(id, status);
	} else {
		s = wait_done(id);
		assert_string_not_equal(s, "PrecheckFailed");
		free(s);
	}
	return precheck(id);
}

/* ---- tests ----------------------------------------------------------------------- */

/* Everything right: each item succeeds and says what it saw. */
static void test_all_items_pass(void **state)
{
	char dbl[256], id[64], *version, *s;
	const cJSON *it;
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	sql("CREATE DATABASE `%s_ok`; CREATE TABLE `%s_ok`.`parent` (id INT PRIMARY KEY); "
	    "CREATE TABLE `%s_ok`.`child` (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) "
	    "REFERENCES `%s_ok`.`parent` (id))", P, P, P, P);
	snprintf(dbl, sizeof(dbl), "{\"%s_ok\":{\"name\":\"%s_ok_dst\",\"all\":true}}", P, P);
	start_job(&(struct jobspec){ .dblist = dbl, .sync = true }, id);
	s = wait_done(id);
	/* Past the precheck (step 04 is not built yet: the job then fails clearly). */
	assert_string_not_equal(s, "PrecheckFailed");
	free(s);
	r = precheck(id);
	assert_string_equal(itest_str(r, "State"), "Finished");
	version = sql_value("SELECT VERSION()");

	it = item(r, "CHECK_SRC");
	expect_item(it, "Success", true, 10);
	assert_string_equal(itest_str(log_n(it, 0), "LogLevel"), "INFO");
	contains(itest_str(log_n(it, 0), "ErrMsg"), version);
	contains(itest_str(log_n(it, 0), "ErrMsg"), "MariaDB");
	contains(itest_str(log_n(it, 0), "ErrData"), "version=");
	it = item(r, "CHECK_AUTH_SRC");
	expect_item(it, "Success", false, 11);
	contains(itest_str(log_n(it, 0), "ErrMsg"), "'root'@'");
	contains(itest_str(log_n(it, 0), "ErrMsg"), "REPLICATION SLAVE and REPLICATION CLIENT");
	expect_item(item(r, "CHECK_BINLOG"), "Success", false, 12);
	assert_string_equal(itest_str(log_n(item(r, "CHECK_BINLOG"), 0), "ErrData"), "log_bin=ON");
	expect_item(item(r, "CHECK_BINLOG_FORMAT"), "Success", false, 13);
	expect_item(item(r, "CHECK_BINLOG_ROW_IMAGE"), "Success", false, 14);
	expect_item(item(r, "CHECK_SERVER_ID"), "Success", true, 15);
	assert_string_equal(itest_str(log_n(item(r, "CHECK_SERVER_ID"), 0), "ErrData"),
			    "server_id=1");
	it = item(r, "CHECK_BINLOG_EXPIRE");
	expect_item(it, "Success", true, 16);
	assert_string_equal(itest_str(log_n(it, 0), "LogLevel"), "INFO");
	contains(itest_str(log_n(it, 0), "ErrMsg"), "never expire");
	it = item(r, "CHECK_GTID");
	expect_item(it, "Success", true, 17);
	assert_string_equal(itest_str(log_n(it, 0), "LogLevel"), "INFO");
	contains(itest_str(log_n(it, 0), "ErrData"), "gtid_current_pos=");
	contains(itest_str(log_n(it, 0), "ErrData"), "gtid_binlog_pos=");
	contains(itest_str(log_n(it, 0), "ErrData"), "gtid_strict_mode=");
	contains(itest_str(log_n(it, 0), "ErrMsg"), "GTID state of the source");
	expect_item(item(r, "CHECK_DB_EXIST"), "Success", false, 18);
	expect_item(item(r, "CHECK_PK"), "Success", true, 19);
	it = item(r, "CHECK_FK");
	expect_item(it, "Success", true, 20);
	contains(itest_str(log_n(it, 0), "ErrMsg"), "1 foreign key among");
	expect_item(item(r, "CHECK_SRC_ENGINE"), "Success", true, 21);
	free(version);
	cJSON_Delete(r);
	sql("DROP DATABASE `%s_ok`", P);
}

/* A job without incremental sync has no binlog items and no CHECK_PK /
 * CHECK_SRC_ENGINE when no data moves. */
static void test_items_follow_the_steps(void **state)
{
	char dbl[256], id[64];
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	sql("CREATE DATABASE `%s_ok`; CREATE TABLE `%s_ok`.`t` (id INT PRIMARY KEY)", P, P);
	snprintf(dbl, sizeof(dbl), "{\"%s_ok\":{\"name\":\"%s_ok_dst\",\"all\":true}}", P, P);
	r = run_job(&(struct jobspec){ .dblist = dbl, .schema = true }, id, NULL);
	assert_true(has_item(r, "CHECK_SRC"));
	assert_true(has_item(r, "CHECK_AUTH_SRC"));
	assert_true(has_item(r, "CHECK_DB_EXIST"));
	assert_true(has_item(r, "CHECK_FK"));
	assert_false(has_item(r, "CHECK_BINLOG"));
	assert_false(has_item(r, "CHECK_GTID"));
	assert_false(has_item(r, "CHECK_SERVER_ID"));
	assert_false(has_item(r, "CHECK_PK"));
	assert_false(has_item(r, "CHECK_SRC_ENGINE"));
	cJSON_Delete(r);
	sql("DROP DATABASE `%s_ok`", P);
}

/* An account with SELECT on two of three listed tables and no replication
 * privilege: exactly those are reported, with the GRANTs to run; once a
 * default role and the grants supply them, the item passes. */
static void test_auth_missing_privileges(void **state)
{
	char dbl[512], user[64], acct[96], pw[64], want[256], id[64];
	const cJSON *it, *l;
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	snprintf(user, sizeof(user), "%s_u1", P);
	snprintf(pw, sizeof(pw), "pw-%s", P);
	snprintf(acct, sizeof(acct), "'%s'@'%%'", user);
	sql("CREATE DATABASE `%s_auth`; CREATE TABLE `%s_auth`.`a` (id INT PRIMARY KEY); "
	    "CREATE TABLE `%s_auth`.`b` (id INT PRIMARY KEY); "
	    "CREATE TABLE `%s_auth`.`c` (id INT PRIMARY KEY); "
	    "CREATE USER %s IDENTIFIED BY '%s'; GRANT SELECT ON `%s_auth`.`a` TO %s; "
	    "GRANT SELECT ON `%s_auth`.`b` TO %s", P, P, P, P, acct, pw, P, acct, P, acct);
	snprintf(dbl, sizeof(dbl), "{\"%s_auth\":{\"name\":\"%s_auth_dst\",\"all\":false,"
		 "\"Table\":{\"a\":{\"name\":\"a\",\"all\":true},\"b\":{\"name\":\"b\",\"all\":true},"
		 "\"c\":{\"name\":\"c\",\"all\":true}}}}", P, P);
	r = run_job(&(struct jobspec){ .dblist = dbl, .sync = true, .user = user, .password = pw },
		    id, "PrecheckFailed");
	it = item(r, "CHECK_AUTH_SRC");
	expect_item(it, "Failed", false, 11);
	assert_int_equal(n_logs(it), 2);
	/* SELECT: only c, with its GRANT. */
	snprintf(want, sizeof(want), "SELECT ON %s_auth.c", P);
	l = find_log(it, "ERROR", want);
	assert_string_equal(itest_str(l, "ErrData"), want);
	assert_string_equal(itest_str(l, "ErrType"), "privilege");
	snprintf(want, sizeof(want), "GRANT SELECT ON `%s_auth`.`c` TO %s", P, acct);
	contains(itest_str(l, "ErrMsg"), want);
	snprintf(want, sizeof(want), "%s_auth.a", P);
	lacks(itest_str(l, "ErrMsg"), want);
	/* Replication: both. */
	l = find_log(it, "ERROR", "REPLICATION");
	assert_string_equal(itest_str(l, "ErrData"), "REPLICATION SLAVE, REPLICATION CLIENT ON *.*");
	snprintf(want, sizeof(want), "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO %s",
		 acct);
	contains(itest_str(l, "ErrMsg"), want);
	lacks(itest_str(l, "ErrMsg"), pw);
	/* The hidden table also looks missing, and the message says why. */
	l = log_n(item(r, "CHECK_DB_EXIST"), 0);
	contains(itest_str(l, "ErrData"), "_auth.c");
	contains(itest_str(l, "ErrMsg"), "holds no privilege on");
	cJSON_Delete(r);
	/* Not skippable. */
	assert_int_equal(itest_call(&D, &r, "SkipPreCheck", "DtsJobId", id,
				    "SkipPreCheckItems", "[\"CHECK_AUTH_SRC\"]", NULL), 400);
	cJSON_Delete(r);

	/* SELECT on c through the default role, replication granted: passes. */
	sql("CREATE ROLE %s_r1; GRANT SELECT ON `%s_auth`.`c` TO %s_r1; GRANT %s_r1 TO %s; "
	    "SET DEFAULT ROLE %s_r1 FOR %s; GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* "
	    "TO %s", P, P, P, P, acct, P, acct, acct);
	start_job(&(struct jobspec){ .dblist = dbl, .sync = true, .user = user, .password = pw },
		  id);
	free(wait_done(id));
	r = precheck(id);
	it = item(r, "CHECK_AUTH_SRC");
	expect_item(it, "Success", false, 11);
	contains(itest_str(log_n(it, 0), "ErrMsg"), acct);
	expect_item(item(r, "CHECK_DB_EXIST"), "Success", false, 18);
	cJSON_Delete(r);
	drop_everything();
}

/* A database-level grant through a LIKE pattern (`x\_au%`.*) covers every
 * table of the matching database, including one created after the grant. */
static void test_auth_pattern_grant(void **state)
{
	char dbl[256], user[64], acct[96], pw[64], id[64];
	const cJSON *it;
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	snprintf(user, sizeof(user), "%s_u1", P);
	snprintf(acct, sizeof(acct), "'%s'@'%%'", user);
	snprintf(pw, sizeof(pw), "pw3-%s", P);
	sql("CREATE DATABASE `%s_auth`; CREATE USER %s IDENTIFIED BY '%s'; "
	    "GRANT SELECT ON `%s\\_au%%`.* TO %s; "
	    "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO %s; "
	    "CREATE TABLE `%s_auth`.`late` (id INT PRIMARY KEY)", P, acct, pw, P, acct, acct, P);
	snprintf(dbl, sizeof(dbl), "{\"%s_auth\":{\"name\":\"%s_auth_dst\",\"all\":true}}", P, P);
	r = run_job(&(struct jobspec){ .dblist = dbl, .sync = true, .user = user, .password = pw },
		    id, NULL);
	it = item(r, "CHECK_AUTH_SRC");
	expect_item(it, "Success", false, 11);
	contains(itest_str(log_n(it, 0), "ErrMsg"), "SELECT on the 1 selected table,");
	cJSON_Delete(r);
	drop_everything();
}

/* With the schema step: a view without SHOW VIEW and a procedure whose body
 * the account cannot read fail; tables without TRIGGER and a database
 * granted table by table warn. */
static void test_auth_schema_objects(void **state)
{
	char dbl[256], user[64], acct[96], pw[64], want[256], id[64];
	const cJSON *it, *l;
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	snprintf(user, sizeof(user), "%s_u2", P);
	snprintf(acct, sizeof(acct), "'%s'@'%%'", user);
	snprintf(pw, sizeof(pw), "pw2-%s", P);
	sql("CREATE DATABASE `%s_auth`; CREATE TABLE `%s_auth`.`a` (id INT PRIMARY KEY); "
	    "CREATE VIEW `%s_auth`.`v` AS SELECT id FROM `%s_auth`.`a`; "
	    "CREATE PROCEDURE `%s_auth`.`p`() SELECT 1; "
	    "CREATE USER %s IDENTIFIED BY '%s'; GRANT SELECT ON `%s_auth`.`a` TO %s; "
	    "GRANT SELECT ON `%s_auth`.`v` TO %s; GRANT EXECUTE ON PROCEDURE `%s_auth`.`p` TO %s",
	    P, P, P, P, P, acct, pw, P, acct, P, acct, P, acct);
	snprintf(dbl, sizeof(dbl), "{\"%s_auth\":{\"name\":\"%s_auth_dst\",\"all\":true}}", P, P);
	r = run_job(&(struct jobspec){ .dblist = dbl, .schema = true, .user = user, .password = pw },
		    id, "PrecheckFailed");
	it = item(r, "CHECK_AUTH_SRC");
	expect_item(it, "Failed", false, 11);
	snprintf(want, sizeof(want), "SHOW VIEW ON %s_auth.v", P);
	l = find_log(it, "ERROR", want);
	snprintf(want, sizeof(want), "GRANT SHOW VIEW ON `%s_auth`.`v` TO %s", P, acct);
	contains(itest_str(l, "ErrMsg"), want);
	snprintf(want, sizeof(want), "%s_auth.p (PROCEDURE)", P);
	l = find_log(it, "ERROR", want);
	snprintf(want, sizeof(want), "GRANT SELECT ON `mysql`.`proc` TO %s", acct);
	contains(itest_str(l, "ErrMsg"), want);
	snprintf(want, sizeof(want), "TRIGGER ON %s_auth.a", P);
	l = find_log(it, "WARN", want);
	contains(itest_str(l, "ErrMsg"), "cannot see or migrate them");
	snprintf(want, sizeof(want), "%s_auth.*", P);
	l = find_log(it, "WARN", want);
	snprintf(want, sizeof(want), "GRANT SELECT ON `%s_auth`.* TO %s", P, acct);
	contains(itest_str(l, "ErrMsg"), want);
	/* No replication privilege is asked for without incremental sync. */
	for (int i = 0; i < n_logs(it); i++)
		lacks(itest_str(log_n(it, i), "ErrData"), "REPLICATION");
	cJSON_Delete(r);
	drop_everything();
}

/* MariaDB restarted without binlog, STATEMENT format, MINIMAL images and a
 * 2.4 h retention: each binlog item says so (server_id cannot be 0 on
 * MariaDB: it clamps it to 1). */
static void test_binlog_settings(void **state)
{
	static const char *const opts[] = {
		"--skip-log-bin", "--binlog-format=STATEMENT", "--binlog-row-image=MINIMAL",
		"--expire-logs-days=0.1", NULL,
	};
	char dbl[256], id[64];
	const cJSON *it, *l;
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	if (!getenv("HARNESS_DIR"))
		skip();
	sql("CREATE DATABASE `%s_ok`; CREATE TABLE `%s_ok`.`t` (id INT PRIMARY KEY)", P, P);
	snprintf(dbl, sizeof(dbl), "{\"%s_ok\":{\"name\":\"%s_ok_dst\",\"all\":true}}", P, P);
	restarted = true;
	assert_int_equal(restart_mariadb(opts), 0);
	r = run_job(&(struct jobspec){ .dblist = dbl, .sync = true }, id, "PrecheckFailed");

	it = item(r, "CHECK_BINLOG");
	expect_item(it, "Failed", false, 12);
	l = find_log(it, "ERROR", "log_bin=OFF");
	assert_string_equal(itest_str(l, "ErrType"), "binlog");
	contains(itest_str(l, "ErrMsg"), "log_bin = mysql-bin");
	contains(itest_str(l, "ErrMsg"), "restart");
	it = item(r, "CHECK_BINLOG_FORMAT");
	expect_item(it, "Failed", false, 13);
	l = find_log(it, "ERROR", "binlog_format=STATEMENT");
	contains(itest_str(l, "ErrMsg"), "SET GLOBAL binlog_format = 'ROW'");
	contains(itest_str(l, "ErrMsg"), "binlog_format = ROW under [mysqld] in my.cnf");
	it = item(r, "CHECK_BINLOG_ROW_IMAGE");
	expect_item(it, "Failed", false, 14);
	l = find_log(it, "ERROR", "binlog_row_image=MINIMAL");
	contains(itest_str(l, "ErrMsg"), "SET GLOBAL binlog_row_image = 'FULL'");
	it = item(r, "CHECK_BINLOG_EXPIRE");
	expect_item(it, "Warning", true, 16);
	l = find_log(it, "WARN", "binlog_expire_logs_seconds=8640");
	contains(itest_str(l, "ErrMsg"), "after 2.4 h");
	contains(itest_str(l, "ErrMsg"), "the full-data phase may last at most 2.4 h");
	contains(itest_str(l, "ErrMsg"), "SET GLOBAL binlog_expire_logs_seconds = 604800");
	expect_item(item(r, "CHECK_SERVER_ID"), "Success", true, 15);
	expect_item(item(r, "CHECK_GTID"), "Success", true, 17);
	cJSON_Delete(r);

	/* Back to the harness defaults: the same job passes its binlog items. */
	assert_int_equal(restart_mariadb(NULL), 0);
	restarted = false;
	start_job(&(struct jobspec){ .dblist = dbl, .sync = true }, id);
	free(wait_done(id));
	r = precheck(id);
	expect_item(item(r, "CHECK_BINLOG"), "Success", false, 12);
	expect_item(item(r, "CHECK_BINLOG_FORMAT"), "Success", false, 13);
	expect_item(item(r, "CHECK_BINLOG_ROW_IMAGE"), "Success", false, 14);
	expect_item(item(r, "CHECK_BINLOG_EXPIRE"), "Success", true, 16);
	cJSON_Delete(r);
	sql("DROP DATABASE `%s_ok`", P);
}

/* A retention set at run time (no restart), one hour. */
static void test_binlog_expire_set_global(void **state)
{
	char dbl[256], id[64], *was;
	const cJSON *it, *l;
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	sql("CREATE DATABASE `%s_ok`; CREATE TABLE `%s_ok`.`t` (id INT PRIMARY KEY)", P, P);
	snprintf(dbl, sizeof(dbl), "{\"%s_ok\":{\"name\":\"%s_ok_dst\",\"all\":true}}", P, P);
	was = sql_value("SELECT @@global.binlog_expire_logs_seconds");
	assert_true(strspn(was, "0123456789") == strlen(was) && strlen(was) < sizeof(expire_was));
	snprintf(expire_was, sizeof(expire_was), "%s", was);
	free(was);
	sql("SET GLOBAL binlog_expire_logs_seconds = 3600");
	start_job(&(struct jobspec){ .dblist = dbl, .sync = true }, id);
	free(wait_done(id));
	r = precheck(id);
	sql("SET GLOBAL binlog_expire_logs_seconds = %s", expire_was);
	expire_was[0] = '\0';
	it = item(r, "CHECK_BINLOG_EXPIRE");
	expect_item(it, "Warning", true, 16);
	l = find_log(it, "WARN", "binlog_expire_logs_seconds=3600");
	contains(itest_str(l, "ErrMsg"), "after 1.0 h");
	cJSON_Delete(r);
	sql("DROP DATABASE `%s_ok`", P);
}

/* A DbList naming a table and a database that do not exist. */
static void test_missing_objects(void **state)
{
	char dbl[512], want[128], id[64];
	const cJSON *it, *l;
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	sql("CREATE DATABASE `%s_obj`; CREATE TABLE `%s_obj`.`t` (id INT PRIMARY KEY)", P, P);
	snprintf(dbl, sizeof(dbl), "{\"%s_obj\":{\"name\":\"%s_obj_dst\",\"all\":false,"
		 "\"Table\":{\"t\":{\"name\":\"t\",\"all\":true},\"nosuch\":{\"name\":\"nosuch\","
		 "\"all\":true}}},\"%s_nodb\":{\"name\":\"%s_nodb\",\"all\":true}}", P, P, P, P);
	r = run_job(&(struct jobspec){ .dblist = dbl, .schema = true }, id, "PrecheckFailed");
	it = item(r, "CHECK_DB_EXIST");
	expect_item(it, "Failed", false, 18);
	assert_int_equal(n_logs(it), 1);
	l = log_n(it, 0);
	assert_string_equal(itest_str(l, "LogLevel"), "ERROR");
	assert_string_equal(itest_str(l, "ErrType"), "missing_object");
	snprintf(want, sizeof(want), "%s_obj.nosuch", P);
	contains(itest_str(l, "ErrData"), want);
	snprintf(want, sizeof(want), "table %s_obj.nosuch", P);
	contains(itest_str(l, "ErrMsg"), want);
	snprintf(want, sizeof(want), "database %s_nodb", P);
	contains(itest_str(l, "ErrMsg"), want);
	snprintf(want, sizeof(want), "%s_nodb", P);
	contains(itest_str(l, "ErrData"), want);
	contains(itest_str(l, "ErrMsg"), "the DbList names 2 objects");
	snprintf(want, sizeof(want), "%s_obj.t,", P);
	lacks(itest_str(l, "ErrData"), want);
	cJSON_Delete(r);
	sql("DROP DATABASE `%s_obj`", P);
}

/* A table without any key: a warning for full data only, a failure with
 * incremental sync; skipping it lets the job go on past its precheck. */
static void test_pk_warn_fail_then_skip(void **state)
{
	char dbl[256], want[256], id[64], *s;
	const cJSON *it, *l;
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	sql("CREATE DATABASE `%s_pk`; CREATE TABLE `%s_pk`.`keyed` (id INT PRIMARY KEY); "
	    "CREATE TABLE `%s_pk`.`nokey` (a INT, b VARCHAR(10))", P, P, P);
	snprintf(dbl, sizeof(dbl), "{\"%s_pk\":{\"name\":\"%s_pk_dst\",\"all\":true}}", P, P);

	start_job(&(struct jobspec){ .dblist = dbl, .full = true }, id);
	s = wait_done(id);
	assert_string_not_equal(s, "PrecheckFailed");
	free(s);
	r = precheck(id);
	it = item(r, "CHECK_PK");
	expect_item(it, "Warning", true, 19);
	snprintf(want, sizeof(want), "%s_pk.nokey", P);
	l = find_log(it, "WARN", want);
	assert_string_equal(itest_str(l, "ErrData"), want);
	assert_string_equal(itest_str(l, "ErrType"), "no_primary_key");
	contains(itest_str(l, "ErrMsg"), "starts it again from the beginning");
	snprintf(want, sizeof(want), "ALTER TABLE `%s_pk`.`nokey` ADD PRIMARY KEY (", P);
	contains(itest_str(l, "ErrMsg"), want);
	cJSON_Delete(r);

	r = run_job(&(struct jobspec){ .dblist = dbl, .sync = true }, id, "PrecheckFailed");
	it = item(r, "CHECK_PK");
	expect_item(it, "Failed", true, 19);
	snprintf(want, sizeof(want), "%s_pk.nokey", P);
	l = find_log(it, "ERROR", want);
	contains(itest_str(l, "ErrMsg"), "incremental sync cannot address their rows");
	assert_string_equal(itest_str(r, "State"), "Failed");
	cJSON_Delete(r);

	assert_int_equal(itest_call(&D, &r, "SkipPreCheck", "DtsJobId", id,
				    "SkipPreCheckItems", "[\"CHECK_PK\"]", NULL), 200);
	cJSON_Delete(r);
	s = itest_wait_status(&D, id, 30000, "MigrationFailed", "Migrating", "Finished", NULL);
	assert_non_null(s);
	assert_string_not_equal(s, "PrecheckFailed");
	free(s);
	r = precheck(id);
	assert_string_equal(itest_str(r, "State"), "Finished");
	it = item(r, "CHECK_PK");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(it, "Skip")));
	cJSON_Delete(r);
	sql("DROP DATABASE `%s_pk`", P);
}

/* Cascading foreign keys and one that references a table outside the
 * selection warn; a MyISAM table warns. */
static void test_fk_and_engine_warnings(void **state)
{
	char dbl[256], want[256], id[64], *s;
	const cJSON *it, *l;
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	sql("CREATE DATABASE `%s_fk`; CREATE DATABASE `%s_ext`; "
	    "CREATE TABLE `%s_ext`.`country` (id INT PRIMARY KEY); "
	    "CREATE TABLE `%s_fk`.`parent` (id INT PRIMARY KEY); "
	    "CREATE TABLE `%s_fk`.`child` (id INT PRIMARY KEY, p INT, c INT, "
	    "CONSTRAINT fk_par FOREIGN KEY (p) REFERENCES `%s_fk`.`parent` (id) ON DELETE CASCADE, "
	    "CONSTRAINT fk_cty FOREIGN KEY (c) REFERENCES `%s_ext`.`country` (id)); "
	    "CREATE TABLE `%s_fk`.`legacy` (id INT PRIMARY KEY) ENGINE=MyISAM", P, P, P, P, P, P,
	    P, P);
	snprintf(dbl, sizeof(dbl), "{\"%s_fk\":{\"name\":\"%s_fk_dst\",\"all\":true}}", P, P);
	start_job(&(struct jobspec){ .dblist = dbl, .full = true }, id);
	s = wait_done(id);
	assert_string_not_equal(s, "PrecheckFailed");
	free(s);
	r = precheck(id);

	it = item(r, "CHECK_FK");
	expect_item(it, "Warning", true, 20);
	assert_int_equal(n_logs(it), 2);
	snprintf(want, sizeof(want), "%s_fk.child.fk_par (ON DELETE CASCADE) references %s_fk.parent",
		 P, P);
	l = find_log(it, "WARN", want);
	assert_string_equal(itest_str(l, "ErrType"), "foreign_key");
	contains(itest_str(l, "ErrMsg"), "records only the change of the parent row");
	snprintf(want, sizeof(want), "%s_fk.child.fk_cty references %s_ext.country", P, P);
	l = find_log(it, "WARN", want);
	contains(itest_str(l, "ErrMsg"), "not selected");
	lacks(itest_str(l, "ErrData"), "fk_par");

	it = item(r, "CHECK_SRC_ENGINE");
	expect_item(it, "Warning", true, 21);
	snprintf(want, sizeof(want), "%s_fk.legacy (MyISAM)", P);
	l = find_log(it, "WARN", want);
	assert_string_equal(itest_str(l, "ErrData"), want);
	contains(itest_str(l, "ErrMsg"), "consistent snapshot");
	snprintf(want, sizeof(want), "ALTER TABLE `%s_fk`.`legacy` ENGINE=InnoDB", P);
	contains(itest_str(l, "ErrMsg"), want);
	cJSON_Delete(r);
	sql("DROP DATABASE `%s_fk`; DROP DATABASE `%s_ext`", P, P);
}

/* With incremental sync a BLACKHOLE table fails (its inserts would pile up
 * on the destination); a MyISAM one still only warns. */
static void test_blackhole_fails_with_sync(void **state)
{
	char dbl[256], want[256], id[64], *have;
	const cJSON *it, *l;
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	have = sql_value("SELECT COUNT(*) FROM information_schema.ENGINES WHERE "
			 "ENGINE = 'BLACKHOLE' AND SUPPORT IN ('YES', 'DEFAULT')");
	if (strcmp(have, "0") == 0) {
		if (sql_try("INSTALL SONAME 'ha_blackhole'") != 0) {
			free(have);
			skip();
		}
		blackhole_installed = true;
	}
	free(have);
	sql("CREATE DATABASE `%s_eng`; CREATE TABLE `%s_eng`.`sink` (id INT PRIMARY KEY) "
	    "ENGINE=BLACKHOLE; CREATE TABLE `%s_eng`.`old` (id INT PRIMARY KEY) ENGINE=MyISAM",
	    P, P, P);
	snprintf(dbl, sizeof(dbl), "{\"%s_eng\":{\"name\":\"%s_eng_dst\",\"all\":true}}", P, P);
	r = run_job(&(struct jobspec){ .dblist = dbl, .sync = true }, id, "PrecheckFailed");
	it = item(r, "CHECK_SRC_ENGINE");
	expect_item(it, "Failed", true, 21);
	assert_int_equal(n_logs(it), 2);
	snprintf(want, sizeof(want), "%s_eng.sink (BLACKHOLE)", P);
	l = find_log(it, "ERROR", want);
	assert_string_equal(itest_str(l, "ErrData"), want);
	contains(itest_str(l, "ErrMsg"), "stores no rows");
	snprintf(want, sizeof(want), "%s_eng.old (MyISAM)", P);
	l = find_log(it, "WARN", want);
	contains(itest_str(l, "ErrMsg"), "re-applies those writes from the binlog");
	cJSON_Delete(r);
	sql("DROP DATABASE `%s_eng`", P);
	if (blackhole_installed && sql_try("UNINSTALL SONAME 'ha_blackhole'") == 0)
		blackhole_installed = false;
}

/* The source is unreachable: no source item runs or crashes; each is
 * NotStarted with an INFO log that says why. */
static void test_unreachable_source(void **state)
{
	static const char *const mine[] = {
		"CHECK_SRC", "CHECK_AUTH_SRC", "CHECK_BINLOG", "CHECK_BINLOG_FORMAT",
		"CHECK_BINLOG_ROW_IMAGE", "CHECK_SERVER_ID", "CHECK_BINLOG_EXPIRE", "CHECK_GTID",
		"CHECK_DB_EXIST", "CHECK_PK", "CHECK_FK", "CHECK_SRC_ENGINE", NULL,
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char dbl[256], id[64];
	cJSON *r;

	(void)state;
	assert_int_equal(restore_server(), 0);
	drop_everything();
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);   /* nothing listens there now */
	snprintf(dbl, sizeof(dbl), "{\"%s_ok\":{\"name\":\"%s_ok_dst\",\"all\":true}}", P, P);
	r = run_job(&(struct jobspec){ .dblist = dbl, .full = true, .sync = true,
				       .src_port = ntohs(a.sin_port) }, id, "PrecheckFailed");
	assert_string_equal(itest_str(item(r, "CHECK_CONN_SRC"), "State"), "Failed");
	for (const char *const *c = mine; *c; c++) {
		const cJSON *it = item(r, *c);

		assert_string_equal(itest_str(it, "State"), "NotStarted");
		assert_int_equal(n_logs(it), 1);
		assert_string_equal(itest_str(log_n(it, 0), "LogLevel"), "INFO");
		contains(itest_str(log_n(it, 0), "ErrMsg"), "not checked");
		contains(itest_str(log_n(it, 0), "ErrMsg"), "CHECK_CONN_SRC");
	}
	cJSON_Delete(r);
	/* dtsd is still alive and answering. */
	assert_int_equal(itest_call(&D, &r, "DescribeDtsJobDetail", "DtsJobId", id, NULL), 200);
	cJSON_Delete(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_items_pass),
		cmocka_unit_test(test_items_follow_the_steps),
		cmocka_unit_test(test_auth_missing_privileges),
		cmocka_unit_test(test_auth_pattern_grant),
		cmocka_unit_test(test_auth_schema_objects),
		cmocka_unit_test(test_binlog_settings),
		cmocka_unit_test(test_binlog_expire_set_global),
		cmocka_unit_test(test_missing_objects),
		cmocka_unit_test(test_pk_warn_fail_then_skip),
		cmocka_unit_test(test_fk_and_engine_warnings),
		cmocka_unit_test(test_blackhole_fails_with_sync),
		cmocka_unit_test(test_unreachable_source),
	};

	return cmocka_run_group_tests_name("precheck_src", tests, setup, teardown);
}
