/*
 * test_precheck_dst.c - the destination-side and comparison precheck items
 * (CHECK_DEST_VERSION, CHECK_AUTH_DEST, CHECK_SAME_OBJ,
 * CHECK_DEST_TABLE_EMPTY, CHECK_PG_IDENTIFIER, CHECK_CHARSET,
 * CHECK_LOWER_CASE_TABLE_NAMES, CHECK_SQL_MODE, CHECK_TIME_ZONE,
 * CHECK_MAX_CONN) end to end: a real dtsd, jobs configured and started
 * through the API, the items read back with DescribePreCheckStatus.
 *
 *     scripts/harness.sh run build/tests/integration/test_precheck_dst
 *
 * Destinations: the harness MariaDB and PostgreSQL. MySQL -> MySQL
 * comparisons need two servers that differ, so those tests start a second,
 * private harness (scripts/harness.sh start DIR2, about 5 s) and restart
 * its MariaDB with the options each test needs (lower_case_table_names=1,
 * a character-sets-dir with a collation the harness server lacks); it is
 * stopped at the end. The shared servers get only objects and users named
 * pcdst_*, dropped by each test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/itest.h"
#include "schema/typemap.h"

#define WORKERS "12"             /* dtsd --step-workers: the job needs 14 connections */
#define WAIT_MS 90000

static struct itest_dtsd D;
static struct itest_db MY, PG;

/* The second private harness (MySQL -> MySQL comparisons). */
static struct {
	char dir[128];
	struct itest_db my;
	bool up;
} H2;

/* ---- running SQL -------------------------------------------------------------- */

static int run_cmd(const char *const *argv, const char *pw_env, const char *pw)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (pw_env)
			setenv(pw_env, pw, 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Runs SQL (several statements allowed) on a MariaDB server through the
 * mariadb client. */
static void my_at(const struct itest_db *db, const char *sql)
{
	char port[16];
	const char *argv[] = { "mariadb", "--no-defaults", "--protocol=tcp", "-h", db->host,
			       "-P", port, "-u", db->user, "--batch", "-e", sql, NULL };

	snprintf(port, sizeof(port), "%d", db->port);
	if (run_cmd(argv, "MYSQL_PWD", db->password) < 0)
		fail_msg("mariadb on port %d failed: %s", db->port, sql);
}

/* Runs SQL on the harness PostgreSQL through psql (each string is one
 * implicit transaction; CREATE DATABASE needs a string of its own). */
static void pg_at(const char *database, const char *sql)
{
	char port[16];
	const char *argv[] = { "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", PG.host,
			       "-p", port, "-U", PG.user, "-d", database, "-c", sql, NULL };

	snprintf(port, sizeof(port), "%d", PG.port);
	if (run_cmd(argv, "PGPASSWORD", PG.password) < 0)
		fail_msg("psql failed: %s", sql);
}

/* ---- the second harness ----------------------------------------------------------- */

static const char *harness_sh(void)
{
	const char *h = getenv("HARNESS_SH");

	return h && *h ? h : "scripts/harness.sh";
}

static void h2_read_env(void)
{
	char path[200], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/env", H2.dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "MY_PORT=", 8) == 0)
			H2.my.port = atoi(line + 8);
	fclose(f);
	assert_true(H2.my.port > 0);
}

/* Starts the second harness once; restarts its MariaDB with opts (NULL-
 * terminated; none = the defaults), so every test gets fresh globals. */
static void h2_restart(const char *const *opts)
{
	const char *argv[16] = { "bash", harness_sh(), NULL };
	int n = 2;

	if (!H2.up) {
		const char *start[] = { "bash", harness_sh(), "start", H2.dir, NULL };
		snprintf(H2.dir, sizeof(H2.dir), "/tmp/opendts-pcdst-h2.%ld", (long)getpid());
		if (run_cmd(start, NULL, NULL) < 0)
			fail_msg("cannot start a second harness in %s", H2.dir);
		H2.up = true;
		h2_read_env();
		H2.my.host = "127.0.0.1";
		H2.my.user = "root";
		H2.my.password = "rootpw";
		H2.my.database = "";
	}
	argv[n++] = "restart-mariadb";
	argv[n++] = H2.dir;
	for (int i = 0; opts && opts[i] && n < 15; i++)
		argv[n++] = opts[i];
	argv[n] = NULL;
	if (run_cmd(argv, NULL, NULL) < 0)
		fail_msg("cannot restart the second harness MariaDB");
}

static void h2_stop(void)
{
	const char *argv[] = { "bash", harness_sh(), "stop", H2.dir, NULL };

	if (H2.up && run_cmd(argv, NULL, NULL) < 0)
		fprintf(stderr, "test_precheck_dst: cannot stop %s\n", H2.dir);
	H2.up = false;
}

/* A copy of the server's character sets with one extra collation,
 * utf8mb4_opendts_test_ci, that no stock server has. Returns the folder. */
static const char *charsets_with_extra_collation(void)
{
	static char dir[160];
	char path[200], *xml;
	const char *cp[] = { "cp", "-r", "/usr/share/mysql/charsets", dir, NULL };
	const char *anchor = "<charset name=\"utf8mb3\">";
	const char *extra = "<charset name=\"utf8mb4\">\n<family>Unicode</family>\n"
			    "<collation name=\"utf8mb4_opendts_test_ci\" id=\"2000\">\n"
			    "<rules><reset>a</reset><s>b</s></rules>\n</collation>\n</charset>\n\n";
	FILE *f;
	long len;
	char *at;

	snprintf(dir, sizeof(dir), "%s/charsets", H2.dir);
	assert_int_equal(run_cmd(cp, NULL, NULL), 0);
	snprintf(path, sizeof(path), "%s/Index.xml", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	xml = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(xml, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	at = strstr(xml, anchor);
	assert_non_null(at);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(xml, 1, (size_t)(at - xml), f);
	fputs(extra, f);
	fputs(at, f);
	fclose(f);
	free(xml);
	return dir;
}

/* ---- jobs ------------------------------------------------------------------------- */

struct job {
	const char *dst_engine;          /* "MySQL" (default) or "PostgreSQL" */
	const struct itest_db *src;      /* NULL = the harness MariaDB */
	const struct itest_db *dst;      /* NULL = the harness server of dst_engine */
	const char *dst_user, *dst_password, *dst_database;
	const char *dblist, *reserve;
	bool schema, data;
	char id[64];
};

static void configure(struct job *j)
{
	bool pg = j->dst_engine && strcmp(j->dst_engine, "PostgreSQL") == 0;
	struct itest_db src = j->src ? *j->src : MY;
	struct itest_db dst = j->dst ? *j->dst : pg ? PG : MY;
	struct kvlist p;
	cJSON *r = NULL;
	int status;

	if (j->dst_user)
		dst.user = j->dst_user;
	if (j->dst_database)
		dst.database = j->dst_database;
	kvlist_init(&p);
	kvlist_add(&p, "DtsJobName", "pcdst job");
	kvlist_add(&p, "JobType", "MIGRATION");
	kvlist_add(&p, "StructureInitialization", j->schema ? "true" : "false");
	kvlist_add(&p, "DataInitialization", j->data ? "true" : "false");
	kvlist_add(&p, "DataSynchronization", "false");
	kvlist_add(&p, "DbList", j->dblist);
	if (j->reserve)
		kvlist_add(&p, "Reserve", j->reserve);
	itest_src_params(&p, &src, NULL);
	itest_dst_params(&p, &dst, pg ? "PostgreSQL" : "MySQL", j->dst_password);
	status = itest_callv(&D, &r, "ConfigureDtsJob", &p);
	kvlist_release(&p);
	if (status != 200)
		fail_msg("ConfigureDtsJob: %d %s", status, r ? itest_str(r, "Message") : "");
	snprintf(j->id, sizeof(j->id), "%s", itest_str(r, "DtsJobId"));
	cJSON_Delete(r);
}

static char *wait_after_precheck(const char *id)
{
	char *s = itest_wait_status(&D, id, WAIT_MS, "PrecheckFailed", "PreCheckPass",
				    "Migrating", "MigrationFailed", "Finished", NULL);

	assert_non_null(s);
	return s;
}

/* Configures, starts and waits for the precheck; returns the job status. */
static char *run(struct job *j)
{
	cJSON *r = NULL;

	configure(j);
	assert_int_equal(itest_call(&D, &r, "StartDtsJob", "DtsJobId", j->id, NULL), 200);
	cJSON_Delete(r);
	return wait_after_precheck(j->id);
}

static void job_delete(struct job *j)
{
	cJSON *r = NULL;

	if (!j->id[0])
		return;
	itest_call(&D, &r, "DeleteDtsJob", "DtsJobId", j->id, NULL);
	cJSON_Delete(r);
	j->id[0] = '\0';
}

/* The precheck items of the job (caller deletes the reply). */
static cJSON *items(const struct job *j)
{
	cJSON *r = NULL;

	assert_int_equal(itest_call(&D, &r, "DescribePreCheckStatus", "DtsJobId", j->id,
				    "JobCode", "01", "PageSize", "200", NULL), 200);
	return r;
}

static const cJSON *find_item(const cJSON *reply, const char *code)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(reply, "JobProgress"))
		if (strcmp(itest_str(it, "Item"), code) == 0)
			return it;
	return NULL;
}

/* The item `code`, asserted to be in `state` with the given CanSkip. */
static const cJSON *item(const cJSON *reply, const char *code, const char *state, bool can_skip)
{
	const cJSON *it = find_item(reply, code);

	if (!it)
		fail_msg("no precheck item %s", code);
	if (strcmp(itest_str(it, "State"), state) != 0) {
		char *text = cJSON_PrintUnformatted(it);
		fail_msg("%s is %s, expected %s: %s", code, itest_str(it, "State"), state, text);
	}
	assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(it, "CanSkip")), can_skip);
	return it;
}

/* The Logs entry of an item with this level and ErrType. */
static const cJSON *log_of(const cJSON *it, const char *level, const char *type)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(it, "Logs"))
		if (strcmp(itest_str(l, "LogLevel"), level) == 0 &&
		    strcmp(itest_str(l, "ErrType"), type) == 0)
			return l;
	fail_msg("%s has no %s log of type %s: %s", itest_str(it, "Item"), level, type,
		 cJSON_PrintUnformatted(it));
	return NULL;
}

static bool has_log(const cJSON *it, const char *level)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(it, "Logs"))
		if (strcmp(itest_str(l, "LogLevel"), level) == 0)
			return true;
	return false;
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

/* SkipPreCheck on one item, then the job must leave PrecheckFailed. */
static void skip_and_go_on(struct job *j, const char *code)
{
	char list[96], *s;
	cJSON *r = NULL;

	snprintf(list, sizeof(list), "[\"%s\"]", code);
	assert_int_equal(itest_call(&D, &r, "SkipPreCheck", "DtsJobId", j->id,
				    "SkipPreCheckItems", list, NULL), 200);
	cJSON_Delete(r);
	s = itest_wait_status(&D, j->id, WAIT_MS, "PreCheckPass", "Migrating", "MigrationFailed",
			      "Finished", NULL);
	assert_non_null(s);
	assert_string_not_equal(s, "PrecheckFailed");
	free(s);
	r = items(j);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(find_item(r, code), "Skip")));
	cJSON_Delete(r);
}

/* ---- fixture ------------------------------------------------------------------------ */

static int setup(void **state)
{
	const char *const extra[] = { "--step-workers", WORKERS, NULL };

	(void)state;
	if (!itest_mysql(&MY) || !itest_pg(&PG)) {
		fprintf(stderr, "test_precheck_dst: MY_* / PG_* not set; run under "
			"scripts/harness.sh\n");
		return -1;
	}
	memset(&D, 0, sizeof(D));
	return itest_dtsd_start(&D, NULL, extra);
}

static int teardown(void **state)
{
	(void)state;
	itest_dtsd_destroy(&D);
	h2_stop();
	return 0;
}

/* ---- MariaDB destination ------------------------------------------------------------- */

static void same_obj_mariadb_cleanup(void)
{
	my_at(&MY, "DROP DATABASE IF EXISTS pcdst_s1; DROP DATABASE IF EXISTS pcdst_d1");
}

static void test_same_obj_and_rows_mariadb(void **state)
{
	struct job a = { .dblist = "{\"pcdst_s1\":{\"name\":\"pcdst_d1\",\"all\":true}}",
			 .schema = true, .data = true };
	struct job b = a;
	const cJSON *it, *l;
	cJSON *r;
	char *s;

	(void)state;
	same_obj_mariadb_cleanup();
	my_at(&MY, "CREATE DATABASE pcdst_s1;"
	      "CREATE TABLE pcdst_s1.orders (id INT PRIMARY KEY, note VARCHAR(20));"
	      "CREATE TABLE pcdst_s1.items (id INT PRIMARY KEY);"
	      "CREATE TABLE pcdst_s1.fresh (id INT PRIMARY KEY);"
	      "CREATE TABLE pcdst_s1.v_target (id INT PRIMARY KEY);"
	      "CREATE DATABASE pcdst_d1;"
	      "CREATE TABLE pcdst_d1.orders (id INT PRIMARY KEY, note VARCHAR(20));"
	      "INSERT INTO pcdst_d1.orders VALUES (1, 'old');"
	      "CREATE TABLE pcdst_d1.items (id INT PRIMARY KEY);"
	      "CREATE VIEW pcdst_d1.v_target AS SELECT 1 AS id");

	s = run(&a);
	assert_string_equal(s, "PrecheckFailed");
	free(s);
	r = items(&a);
	it = item(r, "CHECK_DEST_VERSION", "Success", true);
	contains(itest_str(log_of(it, "INFO", "version"), "ErrMsg"), "MariaDB 10.");
	item(r, "CHECK_AUTH_DEST", "Success", false);
	it = item(r, "CHECK_SAME_OBJ", "Failed", true);
	assert_string_equal(itest_str(it, "ErrMsg"), "CHECK__ERROR_SAME_OBJ");
	l = log_of(it, "ERROR", "same_obj");
	contains(itest_str(l, "ErrData"), "pcdst_d1.orders");
	contains(itest_str(l, "ErrData"), "pcdst_d1.items");
	lacks(itest_str(l, "ErrData"), "fresh");
	contains(itest_str(l, "ErrMsg"), "{\"targetTableMode\":\"2\"}");
	l = log_of(it, "ERROR", "same_obj_kind");
	contains(itest_str(l, "ErrData"), "pcdst_d1.v_target (view)");
	it = item(r, "CHECK_DEST_TABLE_EMPTY", "Failed", true);
	l = log_of(it, "ERROR", "dest_table_not_empty");
	assert_string_equal(itest_str(l, "ErrData"), "pcdst_d1.orders");   /* items is empty */
	contains(itest_str(l, "ErrMsg"), "TRUNCATE TABLE");
	assert_null(find_item(r, "CHECK_PG_IDENTIFIER"));
	item(r, "CHECK_CHARSET", "Success", true);
	item(r, "CHECK_LOWER_CASE_TABLE_NAMES", "Success", true);
	item(r, "CHECK_SQL_MODE", "Success", true);
	item(r, "CHECK_TIME_ZONE", "Success", true);
	/* Source and destination are the same server: 2 x (12 + 2) of 500. */
	it = item(r, "CHECK_MAX_CONN", "Success", true);
	contains(itest_str(log_of(it, "INFO", "max_connections"), "ErrMsg"), "12 workers + 2");
	cJSON_Delete(r);
	job_delete(&a);

	/* targetTableMode "2": existing tables are kept and written into. */
	my_at(&MY, "DROP VIEW pcdst_d1.v_target");
	b.reserve = "{\"targetTableMode\":\"2\"}";
	s = run(&b);
	assert_string_equal(s, "PrecheckFailed");      /* the rows are still there */
	free(s);
	r = items(&b);
	it = item(r, "CHECK_SAME_OBJ", "Success", true);
	l = log_of(it, "INFO", "same_obj");
	contains(itest_str(l, "ErrMsg"), "will be kept");
	contains(itest_str(l, "ErrData"), "pcdst_d1.orders");
	assert_false(has_log(it, "ERROR"));
	assert_string_equal(itest_str(it, "ErrMsg"), "");
	item(r, "CHECK_DEST_TABLE_EMPTY", "Failed", true);
	cJSON_Delete(r);
	skip_and_go_on(&b, "CHECK_DEST_TABLE_EMPTY");
	job_delete(&b);
	same_obj_mariadb_cleanup();
}

static void auth_mariadb_cleanup(void)
{
	my_at(&MY, "DROP USER IF EXISTS pcdst_u3@'%'; DROP ROLE IF EXISTS pcdst_r3;"
	      "DROP DATABASE IF EXISTS pcdst_s3; DROP DATABASE IF EXISTS pcdst_d3");
}

static void test_auth_mariadb(void **state)
{
	struct job j = { .dblist = "{\"pcdst_s3\":{\"name\":\"pcdst_d3\",\"all\":true}}",
			 .schema = true, .data = true, .dst_user = "pcdst_u3",
			 .dst_password = "Pw-3x-secret" };
	const cJSON *it, *l;
	cJSON *r = NULL;
	char *s;

	(void)state;
	auth_mariadb_cleanup();
	my_at(&MY, "CREATE DATABASE pcdst_s3;"
	      "CREATE TABLE pcdst_s3.parent (id INT PRIMARY KEY);"
	      "CREATE TABLE pcdst_s3.child (id INT PRIMARY KEY, pid INT,"
	      " FOREIGN KEY (pid) REFERENCES pcdst_s3.parent (id));"
	      "CREATE USER pcdst_u3@'%' IDENTIFIED BY 'Pw-3x-secret';"
	      "GRANT CREATE, ALTER, INDEX, SELECT, UPDATE, DELETE ON `pcdst\\_d3`.* "
	      "TO pcdst_u3@'%'");
	s = run(&j);
	assert_string_equal(s, "PrecheckFailed");
	free(s);
	r = items(&j);
	it = item(r, "CHECK_AUTH_DEST", "Failed", false);
	l = log_of(it, "ERROR", "privilege");
	/* No INSERT; REFERENCES because a selected table has a foreign key. */
	assert_string_equal(itest_str(l, "ErrData"),
			    "pcdst_d3.*: INSERT, REFERENCES (database does not exist yet)");
	contains(itest_str(l, "ErrMsg"), "pcdst_u3@%");
	contains(itest_str(l, "ErrMsg"),
		 "GRANT INSERT, REFERENCES ON `pcdst_d3`.* TO `pcdst_u3`@`%`");
	lacks(itest_str(l, "ErrMsg"), "Pw-3x-secret");
	cJSON_Delete(r);
	/* Not skippable. */
	assert_int_equal(itest_call(&D, &r, "SkipPreCheck", "DtsJobId", j.id,
				    "SkipPreCheckItems", "[\"CHECK_AUTH_DEST\"]", NULL), 400);
	cJSON_Delete(r);
	job_delete(&j);

	/* The missing privileges through a default role count too. */
	my_at(&MY, "CREATE ROLE pcdst_r3;"
	      "GRANT INSERT, REFERENCES ON `pcdst\\_d3`.* TO pcdst_r3;"
	      "GRANT pcdst_r3 TO pcdst_u3@'%';"
	      "SET DEFAULT ROLE pcdst_r3 FOR pcdst_u3@'%'");
	s = run(&j);
	free(s);
	r = items(&j);
	it = item(r, "CHECK_AUTH_DEST", "Success", false);
	contains(itest_str(log_of(it, "INFO", "privilege"), "ErrMsg"), "pcdst_u3@%");
	cJSON_Delete(r);
	job_delete(&j);
	auth_mariadb_cleanup();
}

/* ---- PostgreSQL destination ------------------------------------------------------------ */

static void same_obj_pg_cleanup(void)
{
	my_at(&MY, "DROP DATABASE IF EXISTS pcdst_s2");
	pg_at(PG.database, "DROP SCHEMA IF EXISTS pcdst_d2 CASCADE");
}

static void test_same_obj_and_rows_pg(void **state)
{
	struct job a = { .dst_engine = "PostgreSQL",
			 .dblist = "{\"pcdst_s2\":{\"name\":\"pcdst_d2\",\"all\":true}}",
			 .schema = true, .data = true };
	struct job b = a;
	const cJSON *it, *l;
	cJSON *r;
	char *s;

	(void)state;
	same_obj_pg_cleanup();
	my_at(&MY, "CREATE DATABASE pcdst_s2;"
	      "CREATE TABLE pcdst_s2.orders (id INT PRIMARY KEY, created DATE NOT NULL,"
	      " shipped DATETIME NULL);"
	      "CREATE TABLE pcdst_s2.items (id INT PRIMARY KEY)");
	/* "Items" is another table than items for PostgreSQL (quoted names). */
	pg_at(PG.database, "CREATE SCHEMA pcdst_d2;"
	      "CREATE TABLE pcdst_d2.orders (id int PRIMARY KEY);"
	      "INSERT INTO pcdst_d2.orders VALUES (1);"
	      "CREATE TABLE pcdst_d2.\"Items\" (id int)");
	s = run(&a);
	assert_string_equal(s, "PrecheckFailed");
	free(s);
	r = items(&a);
	it = item(r, "CHECK_DEST_VERSION", "Success", true);
	contains(itest_str(log_of(it, "INFO", "version"), "ErrMsg"), "PostgreSQL 15.");
	item(r, "CHECK_AUTH_DEST", "Success", false);
	l = log_of(item(r, "CHECK_SAME_OBJ", "Failed", true), "ERROR", "same_obj");
	assert_string_equal(itest_str(l, "ErrData"), "pcdst_d2.orders");
	l = log_of(item(r, "CHECK_DEST_TABLE_EMPTY", "Failed", true), "ERROR",
		   "dest_table_not_empty");
	assert_string_equal(itest_str(l, "ErrData"), "pcdst_d2.orders");
	item(r, "CHECK_PG_IDENTIFIER", "Success", true);
	l = log_of(item(r, "CHECK_CHARSET", "Success", true), "INFO", "charset");
	contains(itest_str(l, "ErrData"), "server_encoding=UTF8");
	assert_null(find_item(r, "CHECK_LOWER_CASE_TABLE_NAMES"));
	/* The harness MariaDB's sql_mode has no NO_ZERO_DATE: zero dates may
	 * exist, and the shared type mapping says what becomes of them. */
	l = log_of(item(r, "CHECK_SQL_MODE", "Warning", true), "WARN", "zero_date");
	contains(itest_str(l, "ErrMsg"), "pcdst_s2.orders.created");
	contains(itest_str(l, "ErrMsg"), "pcdst_s2.orders.shipped");
	contains(itest_str(l, "ErrMsg"), "refused");
	item(r, "CHECK_MAX_CONN", "Success", true);
	cJSON_Delete(r);
	job_delete(&a);

	b.reserve = "{\"targetTableMode\":\"2\"}";
	s = run(&b);
	free(s);
	r = items(&b);
	l = log_of(item(r, "CHECK_SAME_OBJ", "Success", true), "INFO", "same_obj");
	contains(itest_str(l, "ErrData"), "pcdst_d2.orders");
	cJSON_Delete(r);
	job_delete(&b);
	same_obj_pg_cleanup();
}

static void auth_pg_cleanup(void)
{
	my_at(&MY, "DROP DATABASE IF EXISTS pcdst_s4; DROP DATABASE IF EXISTS pcdst_s4x");
	pg_at(PG.database, "DROP SCHEMA IF EXISTS pcdst_d4x CASCADE");
	pg_at(PG.database, "DROP SCHEMA IF EXISTS pcdst_d4 CASCADE");
	/* DROP OWNED also revokes what was granted to the role. */
	pg_at(PG.database, "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
	      "'pcdst_u4') THEN EXECUTE 'DROP OWNED BY pcdst_u4'; END IF; END $$");
	pg_at(PG.database, "DROP ROLE IF EXISTS pcdst_u4");
}

static void test_auth_pg(void **state)
{
	struct job j = { .dst_engine = "PostgreSQL", .schema = true, .data = true,
			 .dblist = "{\"pcdst_s4\":{\"name\":\"pcdst_d4\",\"all\":true},"
				   "\"pcdst_s4x\":{\"name\":\"pcdst_d4x\",\"all\":true}}",
			 .dst_user = "pcdst_u4", .dst_password = "Pw-4x-secret" };
	const cJSON *it, *l;
	cJSON *r;
	char *s;

	(void)state;
	auth_pg_cleanup();
	my_at(&MY, "CREATE DATABASE pcdst_s4; CREATE TABLE pcdst_s4.t1 (id INT PRIMARY KEY);"
	      "CREATE DATABASE pcdst_s4x; CREATE TABLE pcdst_s4x.t2 (id INT PRIMARY KEY)");
	pg_at(PG.database, "CREATE ROLE pcdst_u4 LOGIN PASSWORD 'Pw-4x-secret'");
	pg_at(PG.database, "CREATE SCHEMA pcdst_d4x; CREATE TABLE pcdst_d4x.t2 (id int);"
	      "GRANT USAGE ON SCHEMA pcdst_d4x TO pcdst_u4");
	s = run(&j);
	assert_string_equal(s, "PrecheckFailed");
	free(s);
	r = items(&j);
	it = item(r, "CHECK_AUTH_DEST", "Failed", false);
	l = log_of(it, "ERROR", "privilege");
	contains(itest_str(l, "ErrData"), "database postgres: CREATE (to create schema pcdst_d4)");
	contains(itest_str(l, "ErrData"), "schema pcdst_d4x: CREATE");
	contains(itest_str(l, "ErrData"), "table pcdst_d4x.t2: SELECT, INSERT, UPDATE, DELETE");
	contains(itest_str(l, "ErrMsg"), "GRANT CREATE ON DATABASE \"postgres\" TO \"pcdst_u4\"");
	contains(itest_str(l, "ErrMsg"), "GRANT CREATE ON SCHEMA \"pcdst_d4x\" TO \"pcdst_u4\"");
	contains(itest_str(l, "ErrMsg"), "GRANT SELECT, INSERT, UPDATE, DELETE ON "
		 "\"pcdst_d4x\".\"t2\" TO \"pcdst_u4\"");
	lacks(itest_str(l, "ErrMsg"), "Pw-4x-secret");
	cJSON_Delete(r);
	job_delete(&j);

	/* Granted: the same job passes this item. */
	pg_at(PG.database, "GRANT CREATE ON DATABASE postgres TO pcdst_u4;"
	      "GRANT CREATE ON SCHEMA pcdst_d4x TO pcdst_u4;"
	      "GRANT SELECT, INSERT, UPDATE, DELETE ON pcdst_d4x.t2 TO pcdst_u4");
	s = run(&j);
	free(s);
	r = items(&j);
	item(r, "CHECK_AUTH_DEST", "Success", false);
	cJSON_Delete(r);
	job_delete(&j);
	auth_pg_cleanup();
}

/* 64 characters, MySQL's longest name, one byte over PostgreSQL's limit. */
#define LONG_TABLE "long_table_name_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx1"
#define LONG_COLUMN "long_column_name_yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy2"

static void identifiers_cleanup(void)
{
	my_at(&MY, "DROP DATABASE IF EXISTS pcdst_s5");
	pg_at(PG.database, "DROP SCHEMA IF EXISTS pcdst_s5 CASCADE");
}

static void test_pg_identifiers(void **state)
{
	struct job a = { .dst_engine = "PostgreSQL", .schema = true,
			 .dblist = "{\"pcdst_s5\":{\"name\":\"pcdst_s5\",\"all\":true}}" };
	struct job b = a;
	char fit_t[80], fit_c[80], want[400];
	const cJSON *it, *l;
	cJSON *r;
	char *s;

	(void)state;
	assert_int_equal(strlen(LONG_TABLE), 64);
	assert_int_equal(strlen(LONG_COLUMN), 64);
	assert_true(schema_ident_fit(SCHEMA_DIALECT_PG, LONG_TABLE, fit_t, sizeof(fit_t)));
	assert_true(schema_ident_fit(SCHEMA_DIALECT_PG, LONG_COLUMN, fit_c, sizeof(fit_c)));
	identifiers_cleanup();
	/* lower_case_table_names=0 on Linux: "Order" and "order" both exist. */
	my_at(&MY, "CREATE DATABASE pcdst_s5;"
	      "CREATE TABLE pcdst_s5.`Order` (id INT PRIMARY KEY);"
	      "CREATE TABLE pcdst_s5.`order` (id INT PRIMARY KEY);"
	      "CREATE TABLE pcdst_s5." LONG_TABLE " (id INT PRIMARY KEY, " LONG_COLUMN " INT)");
	s = run(&a);
	free(s);
	r = items(&a);
	it = item(r, "CHECK_PG_IDENTIFIER", "Warning", true);
	assert_string_equal(itest_str(it, "ErrMsg"), "CHECK__ERROR_PG_IDENTIFIER");
	assert_false(has_log(it, "ERROR"));
	l = log_of(it, "WARN", "identifier_length");
	snprintf(want, sizeof(want), "table pcdst_s5.%s -> \"%s\"", LONG_TABLE, fit_t);
	contains(itest_str(l, "ErrData"), want);
	snprintf(want, sizeof(want), "column pcdst_s5.%s.%s -> \"%s\"", LONG_TABLE, LONG_COLUMN,
		 fit_c);
	contains(itest_str(l, "ErrData"), want);
	l = log_of(it, "WARN", "identifier_case");
	contains(itest_str(l, "ErrData"), "table pcdst_s5.Order, table pcdst_s5.order");
	cJSON_Delete(r);
	job_delete(&a);

	/* Folding to lower case makes the pair collide. */
	b.reserve = "{\"dbListCaseChangeMode\":\"dest_lower\"}";
	s = run(&b);
	assert_string_equal(s, "PrecheckFailed");
	free(s);
	r = items(&b);
	it = item(r, "CHECK_PG_IDENTIFIER", "Failed", true);
	l = log_of(it, "ERROR", "identifier_collision");
	assert_string_equal(itest_str(l, "ErrData"),
			    "table pcdst_s5.Order, table pcdst_s5.order all become \"order\"");
	contains(itest_str(l, "ErrMsg"), "dbListCaseChangeMode");
	cJSON_Delete(r);
	skip_and_go_on(&b, "CHECK_PG_IDENTIFIER");
	job_delete(&b);
	identifiers_cleanup();
}

static void charset_pg_cleanup(void)
{
	my_at(&MY, "DROP DATABASE IF EXISTS pcdst_s6");
	pg_at(PG.database, "DROP DATABASE IF EXISTS pcdst_latin1");
}

static void test_charset_pg_not_utf8(void **state)
{
	struct job j = { .dst_engine = "PostgreSQL", .schema = true,
			 .dst_database = "pcdst_latin1",
			 .dblist = "{\"pcdst_s6\":{\"name\":\"pcdst_s6\",\"all\":true}}" };
	const cJSON *l;
	cJSON *r;
	char *s;

	(void)state;
	charset_pg_cleanup();
	pg_at(PG.database, "CREATE DATABASE pcdst_latin1 ENCODING 'LATIN1' TEMPLATE template0 "
	      "LC_COLLATE 'C' LC_CTYPE 'C'");
	my_at(&MY, "CREATE DATABASE pcdst_s6;"
	      "CREATE TABLE pcdst_s6.t6 (id INT PRIMARY KEY,"
	      " name VARCHAR(20) CHARACTER SET utf8mb4, code VARCHAR(5) CHARACTER SET ascii)");
	s = run(&j);
	assert_string_equal(s, "PrecheckFailed");
	free(s);
	r = items(&j);
	l = log_of(item(r, "CHECK_CHARSET", "Failed", true), "ERROR", "charset");
	assert_string_equal(itest_str(l, "ErrData"), "pcdst_s6.t6.name (utf8mb4)");
	contains(itest_str(l, "ErrMsg"), "encoded LATIN1, not UTF8");
	contains(itest_str(l, "ErrMsg"), "ENCODING 'UTF8'");
	cJSON_Delete(r);
	job_delete(&j);
	charset_pg_cleanup();
}

/* ---- MySQL -> MySQL comparisons (second server) ---------------------------------- */

static void test_mysql_settings_differ(void **state)
{
	struct job j = { .schema = true, .dst = &H2.my,
			 .dblist = "{\"pcdst_s7\":{\"name\":\"pcdst_s7\",\"all\":true}}" };
	const cJSON *it, *l;
	cJSON *r;
	char *s;

	(void)state;
	h2_restart(NULL);
	my_at(&MY, "DROP DATABASE IF EXISTS pcdst_s7; CREATE DATABASE pcdst_s7;"
	      "CREATE TABLE pcdst_s7.t7 (id INT PRIMARY KEY, at TIMESTAMP NULL, d DATETIME NULL,"
	      " stamped DATETIME DEFAULT CURRENT_TIMESTAMP)");
	my_at(&H2.my, "SET GLOBAL sql_mode = 'ANSI_QUOTES,NO_AUTO_VALUE_ON_ZERO';"
	      "SET GLOBAL time_zone = '+05:00'; SET GLOBAL max_connections = 10");
	s = run(&j);
	free(s);
	r = items(&j);
	it = item(r, "CHECK_SQL_MODE", "Warning", true);
	l = log_of(it, "WARN", "sql_mode_strict");
	contains(itest_str(l, "ErrData"), "destination sql_mode=ANSI_QUOTES,NO_AUTO_VALUE_ON_ZERO");
	contains(itest_str(l, "ErrMsg"), "STRICT_TRANS_TABLES");
	l = log_of(it, "WARN", "sql_mode");
	contains(itest_str(l, "ErrMsg"), "NO_AUTO_VALUE_ON_ZERO (source off, destination on");
	contains(itest_str(l, "ErrMsg"), "NO_ENGINE_SUBSTITUTION (source on, destination off");
	lacks(itest_str(l, "ErrMsg"), "ANSI_QUOTES (");
	l = log_of(it, "INFO", "sql_mode");
	contains(itest_str(l, "ErrMsg"), "ANSI_QUOTES (source off, destination on");

	it = item(r, "CHECK_TIME_ZONE", "Warning", true);
	l = log_of(it, "WARN", "time_zone");
	contains(itest_str(l, "ErrData"), "destination time_zone=+05:00");
	contains(itest_str(l, "ErrMsg"), "filled from the clock (1): pcdst_s7.t7.stamped.");
	contains(itest_str(l, "ErrMsg"), "TIMESTAMP columns (1): pcdst_s7.t7.at.");
	lacks(itest_str(l, "ErrMsg"), "pcdst_s7.t7.d");

	it = item(r, "CHECK_MAX_CONN", "Warning", true);
	l = log_of(it, "WARN", "max_connections");
	contains(itest_str(l, "ErrData"), "destination max_connections=10");
	contains(itest_str(l, "ErrData"), "needed=14");
	contains(itest_str(l, "ErrMsg"), "--step-workers");
	item(r, "CHECK_LOWER_CASE_TABLE_NAMES", "Success", true);
	item(r, "CHECK_CHARSET", "Success", true);
	item(r, "CHECK_DEST_VERSION", "Success", true);
	cJSON_Delete(r);
	job_delete(&j);
	my_at(&MY, "DROP DATABASE IF EXISTS pcdst_s7");
}

static void test_lower_case_table_names_differ(void **state)
{
	const char *const opts[] = { "--lower-case-table-names=1", NULL };
	struct job j = { .schema = true, .dst = &H2.my,
			 .dblist = "{\"pcdst_s8\":{\"name\":\"pcdst_s8\",\"all\":true}}" };
	const cJSON *l;
	cJSON *r;
	char *s;

	(void)state;
	h2_restart(opts);
	my_at(&MY, "DROP DATABASE IF EXISTS pcdst_s8; CREATE DATABASE pcdst_s8;"
	      "CREATE TABLE pcdst_s8.MixedCase (id INT PRIMARY KEY);"
	      "CREATE TABLE pcdst_s8.lower_one (id INT PRIMARY KEY)");
	s = run(&j);
	assert_string_equal(s, "PrecheckFailed");
	free(s);
	r = items(&j);
	l = log_of(item(r, "CHECK_LOWER_CASE_TABLE_NAMES", "Failed", true), "ERROR",
		   "lower_case_table_names");
	assert_string_equal(itest_str(l, "ErrData"), "pcdst_s8.MixedCase");
	contains(itest_str(l, "ErrMsg"), "source lower_case_table_names=0, destination "
		 "lower_case_table_names=1");
	cJSON_Delete(r);
	skip_and_go_on(&j, "CHECK_LOWER_CASE_TABLE_NAMES");
	job_delete(&j);
	my_at(&MY, "DROP DATABASE IF EXISTS pcdst_s8");
}

static void test_collation_missing_in_destination(void **state)
{
	char opt[200];
	const char *opts[] = { opt, NULL };
	struct job j = { .schema = true, .src = &H2.my,
			 .dblist = "{\"pcdst_s9\":{\"name\":\"pcdst_d9\",\"all\":true}}" };
	const cJSON *l;
	cJSON *r;
	char *s;

	(void)state;
	h2_restart(NULL);         /* creates the second harness folder if needed */
	snprintf(opt, sizeof(opt), "--character-sets-dir=%s", charsets_with_extra_collation());
	h2_restart(opts);
	/* The second server is the source here; the harness server lacks the
	 * collation. */
	my_at(&H2.my, "CREATE DATABASE pcdst_s9;"
	      "CREATE TABLE pcdst_s9.t9 (id INT PRIMARY KEY,"
	      " name VARCHAR(20) COLLATE utf8mb4_opendts_test_ci, plain VARCHAR(20))");
	s = run(&j);
	assert_string_equal(s, "PrecheckFailed");
	free(s);
	r = items(&j);
	l = log_of(item(r, "CHECK_CHARSET", "Failed", true), "ERROR", "charset");
	contains(itest_str(l, "ErrData"), "utf8mb4_opendts_test_ci (used by 1 object(s): "
		 "pcdst_s9.t9.name)");
	lacks(itest_str(l, "ErrData"), "plain");
	contains(itest_str(l, "ErrMsg"), "utf8mb4_opendts_test_ci -> utf8mb4_general_ci");
	cJSON_Delete(r);
	job_delete(&j);
	h2_restart(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_obj_and_rows_mariadb),
		cmocka_unit_test(test_auth_mariadb),
		cmocka_unit_test(test_same_obj_and_rows_pg),
		cmocka_unit_test(test_auth_pg),
		cmocka_unit_test(test_pg_identifiers),
		cmocka_unit_test(test_charset_pg_not_utf8),
		cmocka_unit_test(test_mysql_settings_differ),
		cmocka_unit_test(test_lower_case_table_names_differ),
		cmocka_unit_test(test_collation_missing_in_destination),
	};

	return cmocka_run_group_tests_name("precheck_dst", tests, setup, teardown);
}
