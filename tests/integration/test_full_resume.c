/*
 * test_full_resume.c - step 03 (full data) interrupted in the middle of the
 * copy and resumed: the destination must end with exactly the source's rows,
 * none missing and none twice. 210,000 rows in three tables (a keyless one
 * with duplicate rows, a composite-key one, a 150,000-row one), chunks of
 * 2,000 rows, 4 workers, the copy throttled to 50,000 rows/s so that it
 * lasts seconds. Interruptions, each on a job of its own:
 *   - dtsd killed with SIGKILL while the keyless table is being copied
 *     (and chunks of the others), then started again on the same data dir
 *     (MariaDB destination); the module's Progress then counts each row
 *     once;
 *   - SIGKILL during the 150,000-row table into a pre-created destination
 *     whose trigger logs every committed insert: after the resume at most
 *     the chunks in flight (4 x 2,000 rows) were inserted twice;
 *   - SuspendDtsJob while copying, then StartDtsJob (the step must stop
 *     within a few seconds and the destination stay still while suspended);
 *   - every connection of dtsd killed on the server (KILL CONNECTION), twice,
 *     while copying: the step reconnects, retries and goes on;
 *   - SIGKILL with a PostgreSQL destination while the composite-key table is
 *     copied (its key is a varchar under a _ci collation, whose order
 *     PostgreSQL does not share), throttled through Reserve's
 *     "fullDynamicConfig";
 *   - the PostgreSQL backends of dtsd terminated (pg_terminate_backend),
 *     twice, during COPY: the step reconnects, retries and goes on.
 * Exactness on MariaDB: per table, count, count of distinct keys, SUM and
 * BIT_XOR of the CRC32 of every row, and the MD5 of the sorted row digests,
 * on both sides. On PostgreSQL: counts, distinct keys and the MD5 of all
 * rows in one order computed by both servers.
 *
 *     scripts/harness.sh run build/tests/integration/test_full_resume
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engines/mysql/my.h"
#include "engines/pg/pg.h"
#include "lib/itest.h"
#include "lib/itest_job.h"
#include "util/buf.h"

#define SRC "itfr_src"
#define ROWS_TOTAL 210000
#define RESERVE "{\"targetTableMode\":\"0\",\"autoStartModulesAfterConfig\":\"none\"," \
		"\"opendts.full.chunkRows\":\"2000\",\"opendts.full.workers\":\"4\"," \
		"\"dts.datamove.source.rps.max\":\"50000\"}"

/* The tables, the key (NULL: none) and one row as text on MariaDB. */
static const struct rtable {
	const char *name;
	const char *key;
	const char *row;
	long long rows;
} TABLES[] = {
	{ "a_nokey", NULL, "CONCAT_WS('|', a, s)", 30000 },
	{ "b_comp", "a, b", "CONCAT_WS('|', a, b, v)", 30000 },
	{ "c_big", "id", "CONCAT_WS('|', id, k, s, d)", 150000 },
};
#define N_TABLES 3

static struct itest_dtsd D;
static struct itest_db MY, PG;
static struct my_conn *MYC;
static struct pg_conn *PGC;

/* ---- helpers ------------------------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L },
		  NULL);
}

static char *my_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *my_text(const char *fmt, ...)
{
	struct err e = { 0 };
	struct my_rows *r;
	char sql[4096], *v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	r = my_query_rows(MYC, sql, &e);
	if (!r)
		fail_msg("%s: %s", sql, e.msg);
	v = strdup(!my_rows_next(r) ? "" : my_rows_get(r, 0) ? my_rows_get(r, 0) : "NULL");
	my_rows_free(r);
	return v;
}

static long long my_num(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long my_num(const char *fmt, ...)
{
	char sql[4096], *v;
	long long n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	v = my_text("%s", sql);
	n = atoll(v);
	free(v);
	return n;
}

static char *pg_text(const char *sql)
{
	struct err e = { 0 };
	char *v = NULL;

	if (pg_query_value(PGC, sql, &v, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	return v ? v : strdup("NULL");
}

/* Rows in the destination tables of a MariaDB schema (0 before the tables exist). */
static long long my_dst_rows(const char *schema)
{
	if (my_num("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='%s'",
		   schema) < N_TABLES)
		return 0;
	char *v = my_text("SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM `%s`.a_nokey), (SELECT "
			  "COUNT(*) FROM `%s`.b_comp), (SELECT COUNT(*) FROM `%s`.c_big))", schema,
			  schema, schema);
	long long a = 0, b = 0, c = 0;

	if (sscanf(v, "%lld %lld %lld", &a, &b, &c) != 3)
		fail_msg("%s: %s", schema, v);
	print_message("%s holds a_nokey %lld, b_comp %lld, c_big %lld rows\n", schema, a, b, c);
	free(v);
	return a + b + c;
}

/* count / distinct keys / SUM(CRC32) / BIT_XOR(CRC32) / MD5 of the sorted row MD5s. */
static char *my_signature(const char *schema, const struct rtable *t)
{
	return my_text("SELECT CONCAT_WS('/', COUNT(*), COUNT(DISTINCT %s), SUM(CRC32(r)), "
		       "BIT_XOR(CRC32(r)), MD5(GROUP_CONCAT(MD5(r) ORDER BY MD5(r) SEPARATOR ''))) "
		       "FROM (SELECT %s AS r, t.* FROM `%s`.`%s` t) x", t->key ? t->key : "r",
		       t->row, schema, t->name);
}

static void assert_exact_mysql(const char *schema)
{
	for (int i = 0; i < N_TABLES; i++) {
		char *a = my_signature(SRC, &TABLES[i]), *b = my_signature(schema, &TABLES[i]);
		if (strcmp(a, b) != 0)
			fail_msg("%s.%s differs from the source: source %s, destination %s", schema,
				 TABLES[i].name, a, b);
		free(a);
		free(b);
		if (TABLES[i].key)
			assert_int_equal(my_num("SELECT COUNT(DISTINCT %s) FROM `%s`.`%s`", TABLES[i].key,
						schema, TABLES[i].name), TABLES[i].rows);
		assert_int_equal(my_num("SELECT COUNT(*) FROM `%s`.`%s`", schema, TABLES[i].name),
				 TABLES[i].rows);
	}
}

/* ---- jobs ----------------------------------------------------------------------------------------- */

/* A job copying SRC (every table, or the tables listed in DbList `tables`
 * JSON) into dst_name, with the Reserve given. */
static void configure(char *id, const char *dst_name, const char *tables, const char *reserve,
		      bool pg, bool structure)
{
	char dblist[512];

	if (tables)
		snprintf(dblist, sizeof(dblist), "{\"" SRC "\":{\"name\":\"%s\",\"all\":false,"
			 "\"Table\":%s}}", dst_name, tables);
	else
		snprintf(dblist, sizeof(dblist), "{\"" SRC "\":{\"name\":\"%s\",\"all\":true}}",
			 dst_name);
	itest_job_configure(&D, id, &(struct itest_job_spec){
		.name = "full resume test", .dblist = dblist, .reserve = reserve,
		.structure = structure, .src = &MY, .dst = pg ? &PG : &MY,
		.dst_engine = pg ? "PostgreSQL" : "MySQL" });
}

/* Rows copied so far by the items' Current (of one table, or of all when
 * table is NULL), -1 before the step has items; the step's State in state. */
static long long copied(const char *id, const char *table, char *state, size_t n)
{
	cJSON *r = itest_job_items(&D, id, "03");
	const cJSON *it;
	long long sum = -1;

	if (state)
		snprintf(state, n, "%s", itest_str(r, "State"));
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "JobProgress"))
		if (!table || strcmp(itest_str(it, "Item"), table) == 0)
			sum = (sum < 0 ? 0 : sum) + atoll(itest_str(it, "Current"));
	cJSON_Delete(r);
	return sum;
}

/* Waits until `table` is being copied (at least lo but not all of its rows), so
 * that an interruption finds it in flight, and chunks of the other tables
 * around it; fails when it was copied before it could be caught. Returns
 * all rows copied. */
static long long wait_copying(const char *id, const char *table, long long lo, long long rows)
{
	long long n = -1;

	for (int i = 0; i < 1500; i++) {
		n = copied(id, table, NULL, 0);
		if (n >= lo && n > 0 && n < rows)
			return copied(id, NULL, NULL, 0);
		if (n >= rows)
			fail_msg("%s was copied before it could be interrupted", table);
		sleep_ms(20);
	}
	fail_msg("%s was not being copied within 30 s (%lld)", table, n);
	return n;
}

/* DataInitializationStatus of DescribeDtsJobDetail: Status, Percent and
 * Progress (rows) into the buffers. */
static void module_status(const char *id, char *status, int *percent, long long *progress)
{
	cJSON *r = itest_job_detail(&D, id);
	const cJSON *m = cJSON_GetObjectItem(r, "DataInitializationStatus");
	snprintf(status, 32, "%s", itest_str(m, "Status"));
	*percent = atoi(itest_str(m, "Percent"));
	*progress = atoll(itest_str(m, "Progress"));
	cJSON_Delete(r);
}

/* Every item Success with Current = the table's rows, DiffRow 0; n items. */
static void assert_items_done(const char *id, int n_items)
{
	cJSON *r = itest_job_items(&D, id, "03");
	const cJSON *it;
	int n = 0;

	assert_string_equal(itest_str(r, "State"), "Finished");
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "JobProgress")) {
		const struct rtable *t = NULL;
		for (int i = 0; i < N_TABLES; i++)
			if (strcmp(itest_str(it, "Item"), TABLES[i].name) == 0)
				t = &TABLES[i];
		if (!t)
			fail_msg("unexpected item %s", itest_str(it, "Names"));
		if (strcmp(itest_str(it, "State"), "Success") != 0)
			fail_msg("item %s is %s: %s", t->name, itest_str(it, "State"),
				 itest_item_logs(it));
		assert_int_equal(atoll(itest_str(it, "Current")), t->rows);
		assert_int_equal((long long)itest_num(it, "Total"), t->rows);
		assert_int_equal((long long)itest_num(it, "DiffRow"), 0);
		n++;
	}
	assert_int_equal(n, n_items);
	cJSON_Delete(r);
}

/* ---- set-up ---------------------------------------------------------------------------------------- */

static int setup(void **state)
{
	struct err e = { 0 };

	(void)state;
	if (!itest_mysql(&MY) || !itest_pg(&PG)) {
		fprintf(stderr, "test_full_resume: MY_* / PG_* not set; run under scripts/harness.sh\n");
		return -1;
	}
	if (itest_mysql_exec(
		"DROP DATABASE IF EXISTS " SRC "; CREATE DATABASE " SRC "; USE " SRC "; "
		"CREATE TABLE a_nokey (a INT NOT NULL, s VARCHAR(20) NOT NULL); "
		"INSERT INTO a_nokey SELECT seq % 1000, CONCAT('v', seq % 7) FROM seq_1_to_30000; "
		"CREATE TABLE b_comp (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT NOT NULL, "
		"  PRIMARY KEY (a, b)); "
		"INSERT INTO b_comp SELECT seq % 50, CONCAT(IF(seq % 2, 'K', 'k'), seq), seq "
		"  FROM seq_1_to_30000; "
		"CREATE TABLE c_big (id INT NOT NULL PRIMARY KEY, k BIGINT NOT NULL, "
		"  s CHAR(32) NOT NULL, d DATETIME(6) NOT NULL); "
		"INSERT INTO c_big SELECT seq, (seq * 7919) % 1000003, MD5(seq), "
		"  '2020-01-01' + INTERVAL seq SECOND + INTERVAL (seq % 1000) MICROSECOND "
		"  FROM seq_1_to_150000; "
		"DROP DATABASE IF EXISTS itfr_kill; DROP DATABASE IF EXISTS itfr_susp; "
		"DROP DATABASE IF EXISTS itfr_giveup; DROP DATABASE IF EXISTS itfr_conn") < 0) {
		fprintf(stderr, "test_full_resume: cannot create the source tables\n");
		return -1;
	}
	MYC = my_connect(&(struct my_conn_opts){ .host = MY.host, .port = MY.port,
						 .user = MY.user, .password = MY.password,
						 .read_timeout_s = 120 }, &e);
	PGC = pg_connect(&(struct pg_conn_opts){ .host = PG.host, .port = PG.port,
						 .user = PG.user, .password = PG.password,
						 .database = PG.database, .read_timeout_s = 120 }, &e);
	if (!MYC || !PGC || my_query(MYC, "SET SESSION group_concat_max_len = 1073741824", &e) < 0 ||
	    pg_query_value(PGC, "SET client_min_messages = warning", NULL, &e) < 0 ||
	    pg_query_value(PGC, "DROP SCHEMA IF EXISTS itfr_pg CASCADE", NULL, &e) < 0 ||
	    pg_query_value(PGC, "DROP SCHEMA IF EXISTS itfr_pgc CASCADE", NULL, &e) < 0) {
		fprintf(stderr, "test_full_resume: %s\n", e.msg);
		return -1;
	}
	memset(&D, 0, sizeof(D));
	return itest_dtsd_start(&D, NULL, NULL);
}

static int teardown(void **state)
{
	(void)state;
	itest_dtsd_destroy(&D);
	my_close(MYC);
	pg_close(PGC);
	return 0;
}

/* ---- kill -9 ------------------------------------------------------------------------------------- */

/* Kills dtsd with SIGKILL in the middle of the copy and starts it again on
 * the same data dir; returns the rows the items reported copied, and in
 * *in_dst the rows in the MariaDB destination my_schema at the kill. */
static long long kill9_and_restart(const char *id, const char *table, long long lo,
				   long long rows, const char *my_schema, long long *in_dst)
{
	char dir[256];
	long long at;

	at = wait_copying(id, table, lo, rows);
	snprintf(dir, sizeof(dir), "%s", D.data_dir);
	assert_int_equal(itest_dtsd_stop(&D, true), 128 + 9);
	if (my_schema)
		*in_dst = my_dst_rows(my_schema);
	assert_int_equal(itest_dtsd_start(&D, dir, NULL), 0);
	return at;
}

static void test_kill9_resumes_exact(void **state)
{
	char id[64];
	double t0 = now_s();
	long long at, in_dst = -1;

	(void)state;
	configure(id, "itfr_kill", NULL, RESERVE, false, true);
	itest_job_start(&D, id);
	/* a_nokey in flight: a keyless table is cleared and copied again */
	at = kill9_and_restart(id, "a_nokey", 1, 30000, "itfr_kill", &in_dst);
	/* Killed in the middle: part of the rows are there, not all. */
	assert_true(in_dst > 0 && in_dst < ROWS_TOTAL);
	itest_job_expect_status(&D, id, "Finished", 60000);
	print_message("killed at %lld rows reported, %lld in the destination; finished %.1f s "
		      "after the start\n", at, in_dst, now_s() - t0);
	assert_exact_mysql("itfr_kill");
	assert_items_done(id, N_TABLES);
	/* Rows copied twice after the restart are not counted twice. */
	char ms[32];
	int pct;
	long long progress;
	module_status(id, ms, &pct, &progress);
	assert_string_equal(ms, "Finished");
	assert_int_equal(pct, 100);
	assert_int_equal(progress, ROWS_TOTAL);
}

/* A restart copies again only the chunks that were in flight: a trigger on
 * the (pre-created) destination logs every insert that commits; after the
 * kill and the resume, at most the 4 workers' chunks in flight at the kill
 * (4 x 2,000 rows) were inserted twice, not everything copied before. */
static void test_kill9_redoes_only_chunks_in_flight(void **state)
{
	char id[64];
	long long at, in_dst = 0, inserts, twice;

	(void)state;
	if (itest_mysql_exec("DROP DATABASE IF EXISTS itfr_redo; CREATE DATABASE itfr_redo; "
			     "CREATE TABLE itfr_redo.c_big LIKE " SRC ".c_big; "
			     "CREATE TABLE itfr_redo.ins (id INT NOT NULL); "
			     "CREATE TRIGGER itfr_redo.c_big_ai AFTER INSERT ON itfr_redo.c_big "
			     "FOR EACH ROW INSERT INTO itfr_redo.ins VALUES (NEW.id)") < 0)
		fail_msg("cannot create itfr_redo");
	configure(id, "itfr_redo", "{\"c_big\":{\"all\":true}}", RESERVE, false, false);
	itest_job_start(&D, id);
	at = wait_copying(id, "c_big", 40000, 150000);
	char dir[256];
	snprintf(dir, sizeof(dir), "%s", D.data_dir);
	assert_int_equal(itest_dtsd_stop(&D, true), 128 + 9);
	in_dst = my_num("SELECT COUNT(*) FROM itfr_redo.c_big");
	assert_int_equal(itest_dtsd_start(&D, dir, NULL), 0);
	itest_job_expect_status(&D, id, "Finished", 60000);
	inserts = my_num("SELECT COUNT(*) FROM itfr_redo.ins");
	twice = my_num("SELECT COUNT(*) FROM (SELECT id FROM itfr_redo.ins GROUP BY id "
		       "HAVING COUNT(*) > 1) x");
	print_message("killed at %lld rows reported, %lld committed; %lld inserts in all, %lld "
		      "rows inserted twice\n", at, in_dst, inserts, twice);
	assert_true(in_dst >= 20000);   /* a full redo would be seen */
	assert_int_equal(inserts - 150000, twice);
	assert_true(twice <= 4 * 2000);
	char *a = my_signature(SRC, &TABLES[2]), *b = my_signature("itfr_redo", &TABLES[2]);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

/* ---- Suspend + Start ------------------------------------------------------------------------------ */

static void test_suspend_start_exact(void **state)
{
	char id[64], st[32] = "";
	double t0, waited;
	long long n1, n2;

	(void)state;
	configure(id, "itfr_susp", NULL, RESERVE, false, true);
	itest_job_start(&D, id);
	wait_copying(id, "a_nokey", 1, 30000);
	/* While copying: the module is Migrating, part of the way. */
	char ms[32];
	int pct;
	long long progress;
	module_status(id, ms, &pct, &progress);
	if (strcmp(ms, "Migrating") != 0 || pct <= 0 || pct >= 100 || progress <= 0 ||
	    progress >= ROWS_TOTAL)
		fail_msg("while copying: DataInitializationStatus %s, Percent %d, Progress %lld", ms,
			 pct, progress);
	itest_job_call(&D, "SuspendDtsJob", id);
	t0 = now_s();
	char *s = itest_wait_status(&D, id, 5000, "Suspending", NULL);
	assert_string_equal(s, "Suspending");
	free(s);
	/* The step itself stops: its subtask reports Suspending once it returned. */
	for (int i = 0; i < 100 && strcmp(st, "Suspending") != 0; i++) {
		copied(id, NULL, st, sizeof(st));
		if (strcmp(st, "Suspending") != 0)
			sleep_ms(100);
	}
	waited = now_s() - t0;
	if (strcmp(st, "Suspending") != 0)
		fail_msg("the full-data step is still %s 10 s after SuspendDtsJob", st);
	n1 = my_dst_rows("itfr_susp");
	sleep_ms(1500);
	n2 = my_dst_rows("itfr_susp");
	print_message("the step stopped %.1f s after SuspendDtsJob with %lld rows copied\n", waited,
		      n1);
	assert_int_equal(n1, n2);
	assert_true(n1 < ROWS_TOTAL);
	itest_job_start(&D, id);
	itest_job_expect_status(&D, id, "Finished", 60000);
	assert_exact_mysql("itfr_susp");
	assert_items_done(id, N_TABLES);
}

/* ---- lost connections --------------------------------------------------------------------------------- */

/* KILLs every connection opened after connection id `after` but the
 * test's own: those of dtsd, whether running a statement (LOAD DATA into
 * the destination, SELECT of a chunk on the source) or idle between chunks
 * (most of the time, with the throttle). Returns how many. */
static int kill_dtsd_connections(long long after)
{
	struct err e = { 0 };
	struct my_rows *r;
	char sql[256];
	int killed = 0;

	snprintf(sql, sizeof(sql), "SELECT ID, COMMAND, LEFT(IFNULL(INFO, ''), 70) FROM "
		 "information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND ID > %lld AND "
		 "COMMAND IN ('Sleep', 'Query')", after);
	r = my_query_rows(MYC, sql, &e);
	if (!r)
		fail_msg("%s: %s", sql, e.msg);
	while (my_rows_next(r)) {
		char kill[64];
		snprintf(kill, sizeof(kill), "KILL CONNECTION %s", my_rows_get(r, 0));
		if (my_query(MYC, kill, &e) == 0) {   /* it may have ended meanwhile */
			print_message("killed connection %s (%s) %s\n", my_rows_get(r, 0),
				      my_rows_get(r, 1), my_rows_get(r, 2));
			killed++;
		}
	}
	my_rows_free(r);
	return killed;
}

static void test_lost_connections_retried_exact(void **state)
{
	char id[64];
	int killed;
	long long first_id;
	double t0 = now_s();

	(void)state;
	first_id = my_num("SELECT MAX(ID) FROM information_schema.PROCESSLIST");
	configure(id, "itfr_conn", NULL, RESERVE, false, true);
	itest_job_start(&D, id);
	wait_copying(id, "a_nokey", 1, 30000);
	killed = kill_dtsd_connections(first_id);
	/* workers between chunks keep their source and destination connections */
	assert_true(killed >= 2);
	sleep_ms(1500);   /* a second round, after the first retry */
	killed += kill_dtsd_connections(first_id);
	itest_job_expect_status(&D, id, "Finished", 60000);
	print_message("%d connection(s) killed; finished %.1f s after the start\n", killed,
		      now_s() - t0);
	assert_exact_mysql("itfr_conn");
	assert_items_done(id, N_TABLES);
}

/* ---- kill -9 with PostgreSQL --------------------------------------------------------------------------- */

static void assert_same_pg(const char *what, const char *my_sql, const char *pg_sql)
{
	char *a = my_text("%s", my_sql), *b = pg_text(pg_sql);

	if (strcmp(a, b) != 0)
		fail_msg("%s: source %s, destination %s", what, a, b);
	free(a);
	free(b);
}

/* a_nokey and b_comp of the PostgreSQL schema equal the source's. */
static void assert_pg_exact(const char *schema)
{
	char pg_sql[512];

	snprintf(pg_sql, sizeof(pg_sql), "SELECT concat_ws('/', count(*), md5(string_agg(a || ':' "
		 "|| s, ',' ORDER BY a, s COLLATE \"C\"))) FROM %s.a_nokey", schema);
	assert_same_pg("a_nokey",
		"SELECT CONCAT_WS('/', COUNT(*), MD5(GROUP_CONCAT(a, ':', s ORDER BY a, "
		"CAST(s AS BINARY) SEPARATOR ','))) FROM " SRC ".a_nokey", pg_sql);
	snprintf(pg_sql, sizeof(pg_sql), "SELECT concat_ws('/', count(*), count(DISTINCT (a, b)), "
		 "sum(v), md5(string_agg(a || ':' || b || ':' || v, ',' ORDER BY a, b COLLATE \"C\"))) "
		 "FROM %s.b_comp", schema);
	assert_same_pg("b_comp",
		"SELECT CONCAT_WS('/', COUNT(*), COUNT(DISTINCT a, b), SUM(v), MD5(GROUP_CONCAT(a, "
		"':', b, ':', v ORDER BY a, CAST(b AS BINARY) SEPARATOR ','))) FROM " SRC ".b_comp",
		pg_sql);
}

/* The keyless and the composite-key tables only, slower (25,000 rows/s,
 * given as DTS does: a JSON text in Reserve's "fullDynamicConfig"; were it
 * ignored, b_comp would be copied before it could be caught),
 * killed while b_comp is being copied: its chunks are in doubt, and their
 * key ranges (MariaDB's _ci order, K and k mixed) are not ranges in
 * PostgreSQL's order, so they cannot be cleared by a range DELETE. */
static void test_kill9_to_postgresql_exact(void **state)
{
	char id[64];
	long long at;
	double t0 = now_s();

	(void)state;
	configure(id, "itfr_pg", "{\"a_nokey\":{\"all\":true},\"b_comp\":{\"all\":true}}",
		  "{\"targetTableMode\":\"0\",\"autoStartModulesAfterConfig\":\"none\","
		  "\"opendts.full.chunkRows\":\"2000\",\"opendts.full.workers\":\"4\","
		  "\"fullDynamicConfig\":\"{\\\"dts.datamove.source.rps.max\\\":25000}\"}", true,
		  true);
	itest_job_start(&D, id);
	at = kill9_and_restart(id, "b_comp", 1, 30000, NULL, NULL);
	char *held = pg_text("SELECT (SELECT count(*) FROM itfr_pg.a_nokey) || ' ' || "
			     "(SELECT count(*) FROM itfr_pg.b_comp)");
	print_message("itfr_pg holds a_nokey, b_comp: %s rows after the kill\n", held);
	free(held);
	itest_job_expect_status(&D, id, "Finished", 60000);
	print_message("killed at %lld rows; finished %.1f s after the start\n", at, now_s() - t0);
	assert_pg_exact("itfr_pg");
	assert_items_done(id, 2);
}

/* Terminates the PostgreSQL backends of dtsd (application_name opendts, all
 * but the test's own); returns how many. */
static int kill_pg_backends(void)
{
	char *n = pg_text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
			  "application_name = 'opendts' AND pid <> pg_backend_pid()");
	int k = atoi(n);

	free(n);
	return k;
}

/* The destination connections to PostgreSQL terminated by the server
 * (pg_terminate_backend, SQLSTATE 57P01) while COPY runs, twice: the step
 * reconnects, clears what is in doubt and ends exact. */
static void test_lost_pg_connections_retried_exact(void **state)
{
	char id[64];
	int killed;
	double t0 = now_s();

	(void)state;
	configure(id, "itfr_pgc", "{\"a_nokey\":{\"all\":true},\"b_comp\":{\"all\":true}}",
		  "{\"targetTableMode\":\"0\",\"autoStartModulesAfterConfig\":\"none\","
		  "\"opendts.full.chunkRows\":\"2000\",\"opendts.full.workers\":\"4\","
		  "\"dts.datamove.source.rps.max\":\"25000\"}", true, true);
	itest_job_start(&D, id);
	wait_copying(id, "b_comp", 1, 30000);
	killed = kill_pg_backends();
	assert_true(killed >= 1);
	sleep_ms(1500);
	killed += kill_pg_backends();
	itest_job_expect_status(&D, id, "Finished", 60000);
	print_message("%d PostgreSQL backend(s) terminated; finished %.1f s after the start\n",
		      killed, now_s() - t0);
	assert_pg_exact("itfr_pgc");
	assert_items_done(id, 2);
}

static void my_ok(const char *sql)
{
	struct err e = { 0 };

	if (my_query(MYC, sql, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
}

/* The job's account is locked and its connections killed: every reconnect
 * fails for longer than the retry window, so the table's item fails naming
 * the chunk's key range and the server's error. */
static void test_lost_connections_give_up(void **state)
{
	struct itest_db gu = MY;
	char id[64];
	const cJSON *it;
	cJSON *items;
	long long first_id;
	bool found = false;

	(void)state;
	gu.user = "itfr_gu";
	gu.password = "itfr-gu-pw-1";
	assert_int_equal(itest_mysql_exec(
		"DROP USER IF EXISTS 'itfr_gu'@'%'; "
		"CREATE USER 'itfr_gu'@'%' IDENTIFIED BY 'itfr-gu-pw-1'; "
		"GRANT ALL PRIVILEGES ON *.* TO 'itfr_gu'@'%'"), 0);
	first_id = my_num("SELECT MAX(ID) FROM information_schema.PROCESSLIST");
	itest_job_configure(&D, id, &(struct itest_job_spec){
		.name = "full give-up test", .structure = true, .src = &gu, .dst = &gu,
		.dst_engine = "MySQL",
		.dblist = "{\"" SRC "\":{\"name\":\"itfr_giveup\",\"all\":false,"
			  "\"Table\":{\"c_big\":{\"all\":true}}}}",
		.reserve = "{\"targetTableMode\":\"0\",\"autoStartModulesAfterConfig\":\"none\","
			   "\"opendts.full.chunkRows\":\"2000\",\"opendts.full.retrySeconds\":\"2\","
			   "\"dts.datamove.source.rps.max\":\"20000\"}" });
	itest_job_start(&D, id);
	wait_copying(id, "c_big", 1, 30000);
	my_ok("ALTER USER 'itfr_gu'@'%' ACCOUNT LOCK");
	kill_dtsd_connections(first_id);
	itest_job_expect_status(&D, id, "MigrationFailed", 30000);
	my_ok("ALTER USER 'itfr_gu'@'%' ACCOUNT UNLOCK");
	items = itest_job_items(&D, id, "03");
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(items, "JobProgress")) {
		const char *logs = itest_item_logs(it);
		if (strcmp(itest_str(it, "Names"), SRC ".c_big") != 0)
			continue;
		found = true;
		assert_string_equal(itest_str(it, "State"), "Failed");
		if (!strstr(logs, "gave up after") || !strstr(logs, "key (id)") ||
		    !strstr(logs, "locked"))
			fail_msg("the failed item's logs lack the retry, the chunk or the server's "
				 "error: %s", logs);
	}
	cJSON_Delete(items);
	assert_true(found);
	my_ok("DROP USER 'itfr_gu'@'%'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill9_resumes_exact),
		cmocka_unit_test(test_kill9_redoes_only_chunks_in_flight),
		cmocka_unit_test(test_suspend_start_exact),
		cmocka_unit_test(test_lost_connections_retried_exact),
		cmocka_unit_test(test_kill9_to_postgresql_exact),
		cmocka_unit_test(test_lost_pg_connections_retried_exact),
		cmocka_unit_test(test_lost_connections_give_up),
	};

	return cmocka_run_group_tests_name("full_resume", tests, setup, teardown);
}
