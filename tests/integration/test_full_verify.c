/*
 * test_full_verify.c - verification and repair of the full-data step on real
 * servers: a job copies a database (MariaDB -> MariaDB and -> PostgreSQL),
 * then rows of the copy are changed, deleted and added behind its back, and
 * the step's verification (step_full_verify, run here on the stopped dtsd's
 * metastore, as a FullDataCheck module would) must count exactly those rows
 * as DiffRow, name them in the item's logs, and repair them so the copy
 * equals the source again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engines/mysql/my.h"
#include "engines/pg/pg.h"
#include "lib/itest.h"
#include "lib/itest_job.h"
#include "meta/meta.h"
#include "steps/full_step.h"
#include "util/xalloc.h"

#define SRC "itfv_src"
#define RESERVE "{\"opendts.full.chunkRows\":\"500\",\"targetTableMode\":\"0\"}"

static struct itest_dtsd D;
static struct itest_db MY, PG;
static struct my_conn *MYC;
static struct pg_conn *PGC;

static long long my_num(const char *sql)
{
	struct err e = { 0 };
	char *v = NULL;
	long long n;

	if (my_query_value(MYC, sql, &v, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	n = v ? atoll(v) : -1;
	free(v);
	return n;
}

static void my_ok(const char *sql)
{
	struct err e = { 0 };

	if (my_query(MYC, sql, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
}

static void pg_ok(const char *sql)
{
	struct err e = { 0 };

	if (pg_query_value(PGC, sql, NULL, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
}

static char *pg_text(const char *sql)
{
	struct err e = { 0 };
	char *v = NULL;

	if (pg_query_value(PGC, sql, &v, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	return v ? v : xstrdup("");
}

static int setup(void **state)
{
	struct err e = { 0 };

	(void)state;
	if (!itest_mysql(&MY) || !itest_pg(&PG)) {
		fprintf(stderr, "test_full_verify: MY_* / PG_* not set; run under scripts/harness.sh\n");
		return -1;
	}
	if (itest_mysql_exec(
		"DROP DATABASE IF EXISTS " SRC "; CREATE DATABASE " SRC " CHARACTER SET utf8mb4; "
		"USE " SRC "; "
		"CREATE TABLE k (id INT NOT NULL PRIMARY KEY, s VARCHAR(40), n DECIMAL(12,3), "
		"  b VARBINARY(16)); "
		"INSERT INTO k SELECT seq, IF(seq % 10 = 0, NULL, CONCAT('row ', seq, ' ', CONVERT(X'F09F9A80' USING utf8mb4))), "
		"  seq / 8, UNHEX(HEX(seq)) FROM seq_1_to_3000; "
		"CREATE TABLE c (a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT, PRIMARY KEY (a, b)); "
		"INSERT INTO c SELECT seq % 7, CONCAT(IF(seq % 2, 'K', 'k'), seq), seq FROM seq_1_to_2000; "
		"CREATE TABLE nk (x INT, y VARCHAR(10)); "
		"INSERT INTO nk SELECT seq % 5, 'dup' FROM seq_1_to_40; "
		"DROP DATABASE IF EXISTS itfv_my") < 0) {
		fprintf(stderr, "test_full_verify: cannot create the source tables\n");
		return -1;
	}
	MYC = my_connect(&(struct my_conn_opts){ .host = MY.host, .port = MY.port,
						 .user = MY.user, .password = MY.password }, &e);
	PGC = pg_connect(&(struct pg_conn_opts){ .host = PG.host, .port = PG.port,
						 .user = PG.user, .password = PG.password,
						 .database = PG.database }, &e);
	if (!MYC || !PGC || pg_query_value(PGC, "SET client_min_messages = warning", NULL, &e) < 0 ||
	    pg_query_value(PGC, "DROP SCHEMA IF EXISTS itfv_pg CASCADE", NULL, &e) < 0) {
		fprintf(stderr, "test_full_verify: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	my_close(MYC);
	pg_close(PGC);
	return 0;
}

/* Runs a copy job to dst_name and leaves dtsd stopped; returns the job id. */
static void copy_job(bool pg, const char *dst_name, char *id)
{
	char dblist[160], *st;

	memset(&D, 0, sizeof(D));
	assert_int_equal(itest_dtsd_start(&D, NULL, NULL), 0);
	snprintf(dblist, sizeof(dblist), "{\"" SRC "\":{\"name\":\"%s\",\"all\":true}}", dst_name);
	itest_job_configure(&D, id, &(struct itest_job_spec){
		.name = "verify test", .dblist = dblist, .reserve = RESERVE, .structure = true,
		.src = &MY, .dst = pg ? &PG : &MY, .dst_engine = pg ? "PostgreSQL" : "MySQL" });
	itest_job_start(&D, id);
	st = itest_wait_status(&D, id, 120000, "Finished", "MigrationFailed", "PrecheckFailed",
			       NULL);
	if (!st || strcmp(st, "Finished") != 0) {
		itest_dtsd_destroy(&D);
		fail_msg("the copy job ended %s", st ? st : "(timeout)");
	}
	free(st);
	assert_int_equal(itest_dtsd_stop(&D, false), 0);
}

struct outcome {
	int64_t diff[3];        /* k, c, nk */
	char logs[3][2048];
};

/* Runs step_full_verify on the stopped dtsd's metastore. */
static enum step_result verify(const char *id, bool repair, struct outcome *o)
{
	static const char *const names[3] = { SRC ".k", SRC ".c", SRC ".nk" };
	char url[400];
	struct err e = { 0 };
	struct meta *m;
	struct meta_job job = { 0 };
	atomic_bool cancel = false;
	enum step_result res;
	struct meta_item *items = NULL;
	size_t n = 0;

	snprintf(url, sizeof(url), "sqlite:%s/meta.db", D.data_dir);
	m = meta_open(url, &e);
	assert_non_null(m);
	assert_int_equal(meta_job_get(m, id, &job, &e), 0);
	struct step_ctx ctx = { .meta = m, .meta_url = url, .job = &job, .code = "03",
				.step_id = "verifytest", .cancel = &cancel,
				.connect_timeout_s = 5, .workers = 2 };
	res = step_full_verify(&ctx, repair, &e);
	struct meta_item_filter f = { .job_id = id, .code = "03", .kind = META_ITEM_PROGRESS };
	assert_int_equal(meta_item_list(m, &f, &items, &n, NULL, &e), 0);
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < n; i++) {
		for (int t = 0; t < 3; t++) {
			if (strcmp(items[i].key, names[t]) != 0)
				continue;
			o->diff[t] = items[i].diff_row;
			for (size_t l = 0; l < items[i].n_logs; l++)
				snprintf(o->logs[t] + strlen(o->logs[t]),
					 sizeof(o->logs[t]) - strlen(o->logs[t]), "%s | %s\n",
					 items[i].logs[l].err_msg, items[i].logs[l].err_data);
		}
		meta_item_release(&items[i]);
	}
	free(items);
	meta_job_release(&job);
	meta_free(m);
	meta_thread_close();
	return res;
}

static void expect_log(const char *logs, const char *needle)
{
	if (!strstr(logs, needle))
		fail_msg("logs do not mention \"%s\":\n%s", needle, logs);
}

static void test_mysql_diffrow_and_repair(void **state)
{
	char id[64];
	struct outcome o;

	(void)state;
	copy_job(false, "itfv_my", id);
	/* A clean copy verifies clean. */
	assert_int_equal(verify(id, false, &o), STEP_DONE);
	assert_int_equal(o.diff[0] + o.diff[1] + o.diff[2], 0);
	/* 3 changed, 2 missing, 1 extra in k; 1 changed in c; 1 changed in nk. */
	my_ok("UPDATE itfv_my.k SET s = 'changed' WHERE id IN (7, 1500, 2999)");
	my_ok("UPDATE itfv_my.k SET n = n + 0.001 WHERE id = 1501");
	my_ok("DELETE FROM itfv_my.k WHERE id IN (1, 3000)");
	my_ok("INSERT INTO itfv_my.k (id, s) VALUES (5000, 'extra')");
	my_ok("UPDATE itfv_my.c SET v = NULL WHERE a = 3 AND b = 'K3'");
	my_ok("UPDATE itfv_my.nk SET y = 'other' WHERE x = 4 LIMIT 1");
	assert_int_equal(verify(id, false, &o), STEP_FAILED);
	assert_int_equal(o.diff[0], 7);
	assert_int_equal(o.diff[1], 1);
	assert_int_equal(o.diff[2], 2);    /* keyless: the changed row is missing + extra */
	expect_log(o.logs[0], "(id)=(7)");
	expect_log(o.logs[0], "(id)=(5000)");
	expect_log(o.logs[1], "(a,b)=(3,'K3')");
	/* Repair: copied again, verified again, equal to the source. */
	assert_int_equal(verify(id, true, &o), STEP_DONE);
	assert_int_equal(o.diff[0] + o.diff[1] + o.diff[2], 0);
	expect_log(o.logs[0], "copied again");
	assert_int_equal(my_num("SELECT COUNT(*) FROM itfv_my.k"), 3000);
	assert_int_equal(my_num("SELECT COUNT(*) FROM itfv_my.k k JOIN " SRC ".k s USING (id) "
				"WHERE k.s <=> s.s AND k.n <=> s.n AND k.b <=> s.b"), 3000);
	assert_int_equal(my_num("SELECT COUNT(*) FROM itfv_my.nk WHERE y = 'other'"), 0);
	assert_int_equal(verify(id, false, &o), STEP_DONE);
	itest_dtsd_destroy(&D);
}

static void test_pg_diffrow_and_repair(void **state)
{
	char id[64], *v;
	struct outcome o;

	(void)state;
	copy_job(true, "itfv_pg", id);
	assert_int_equal(verify(id, false, &o), STEP_DONE);
	assert_int_equal(o.diff[0] + o.diff[1] + o.diff[2], 0);
	pg_ok("UPDATE itfv_pg.k SET s = 'changed' WHERE id IN (7, 1500, 2999)");
	pg_ok("UPDATE itfv_pg.k SET b = '\\x00'::bytea WHERE id = 1501");
	pg_ok("DELETE FROM itfv_pg.k WHERE id IN (1, 3000)");
	pg_ok("INSERT INTO itfv_pg.k (id, s) VALUES (5000, 'extra')");
	pg_ok("UPDATE itfv_pg.c SET v = 0 WHERE a = 3 AND b = 'K3'");
	/* c's key has a varchar part: verified by key lists, which cannot name a
	 * row that exists only on the destination; the count finds it. */
	pg_ok("INSERT INTO itfv_pg.c VALUES (3, 'zz-only-here', 1)");
	pg_ok("UPDATE itfv_pg.nk SET y = 'other' WHERE ctid = (SELECT ctid FROM itfv_pg.nk "
	      "WHERE x = 4 LIMIT 1)");
	assert_int_equal(verify(id, false, &o), STEP_FAILED);
	assert_int_equal(o.diff[0], 7);
	assert_int_equal(o.diff[1], 2);
	assert_int_equal(o.diff[2], 2);
	expect_log(o.logs[0], "(id)=(1501)");
	expect_log(o.logs[1], "(a,b)=(3,'K3')");
	expect_log(o.logs[1], "1 rows exist only on the destination");
	/* repair cannot name that row: it stays, and so does the failure */
	assert_int_equal(verify(id, true, &o), STEP_FAILED);
	assert_int_equal(o.diff[1], 1);
	pg_ok("DELETE FROM itfv_pg.c WHERE b = 'zz-only-here'");
	assert_int_equal(verify(id, true, &o), STEP_DONE);
	assert_int_equal(o.diff[0] + o.diff[1] + o.diff[2], 0);
	v = pg_text("SELECT count(*) FROM itfv_pg.k");
	assert_string_equal(v, "3000");
	free(v);
	v = pg_text("SELECT count(*) FROM itfv_pg.k WHERE s = 'changed' OR id = 5000");
	assert_string_equal(v, "0");
	free(v);
	itest_dtsd_destroy(&D);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mysql_diffrow_and_repair),
		cmocka_unit_test(test_pg_diffrow_and_repair),
	};
	return cmocka_run_group_tests_name("full_verify", tests, setup, teardown);
}
