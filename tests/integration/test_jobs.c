/*
 * test_jobs.c - the job lifecycle end to end: a real dtsd, called through the
 * C client, running prechecks against the harness MariaDB and PostgreSQL.
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
#include <unistd.h>

#include "lib/itest.h"

static struct itest_dtsd D;
static struct itest_db MY, PG;

static int setup(void **state)
{
	(void)state;
	if (!itest_mysql(&MY) || !itest_pg(&PG)) {
		fprintf(stderr, "test_jobs: MY_* / PG_* not set; run under scripts/harness.sh\n");
		return -1;
	}
	memset(&D, 0, sizeof(D));
	/* The objects the jobs select must exist: the precheck looks. */
	if (itest_mysql_exec("CREATE DATABASE IF NOT EXISTS itest; "
			     "CREATE TABLE IF NOT EXISTS itest.t (id INT PRIMARY KEY, v VARCHAR(10))") < 0)
		return -1;
	return itest_dtsd_start(&D, NULL, NULL);
}

static int teardown(void **state)
{
	(void)state;
	itest_dtsd_destroy(&D);
	return 0;
}

/* Configures a precheck-only job; returns its id (static buffer). */
static const char *configure(const char *dst_engine, const char *src_pw, int dst_port,
			     const char *mode, bool incremental)
{
	static char id[64];
	struct itest_db dst = strcmp(dst_engine, "PostgreSQL") == 0 ? PG : MY;
	struct kvlist p;
	cJSON *r = NULL;
	int status;

	if (dst_port)
		dst.port = dst_port;
	kvlist_init(&p);
	kvlist_add(&p, "DtsJobName", "itest job");
	kvlist_add(&p, "JobType", "MIGRATION");
	kvlist_add(&p, "StructureInitialization", "false");
	kvlist_add(&p, "DataInitialization", "false");
	kvlist_add(&p, "DataSynchronization", incremental ? "true" : "false");
	kvlist_add(&p, "DbList", "{\"itest\":{\"name\":\"itest_copy\",\"all\":true}}");
	if (mode)
		kvlist_add(&p, "Reserve", mode);
	itest_src_params(&p, &MY, src_pw);
	itest_dst_params(&p, &dst, dst_engine, NULL);
	status = itest_callv(&D, &r, "ConfigureDtsJob", &p);
	kvlist_release(&p);
	assert_int_equal(status, 200);
	snprintf(id, sizeof(id), "%s", itest_str(r, "DtsJobId"));
	assert_true(strlen(id) > 8);
	assert_string_equal(itest_str(r, "DtsInstanceId") + 3, id);
	cJSON_Delete(r);
	return id;
}

static void start(const char *id)
{
	cJSON *r = NULL;

	assert_int_equal(itest_call(&D, &r, "StartDtsJob", "DtsJobId", id, NULL), 200);
	cJSON_Delete(r);
}

/* The precheck item named `item` of the job (caller frees the reply). */
static const cJSON *precheck_item(const char *id, const char *item, cJSON **reply)
{
	const cJSON *it;

	assert_int_equal(itest_call(&D, reply, "DescribePreCheckStatus", "DtsJobId", id,
				    "JobCode", "01", NULL), 200);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(*reply, "JobProgress"))
		if (strcmp(itest_str(it, "Item"), item) == 0)
			return it;
	fail_msg("no precheck item %s", item);
	return NULL;
}

static const char *first_log(const cJSON *it, const char *field)
{
	const cJSON *logs = cJSON_GetObjectItem(it, "Logs");

	return cJSON_GetArraySize(logs) ? itest_str(cJSON_GetArrayItem(logs, 0), field) : "";
}

static void expect_status(const char *id, const char *want)
{
	char *got = itest_wait_status(&D, id, 30000, want, NULL);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_precheck_to_mariadb_passes(void **state)
{
	const char *id = configure("MySQL", NULL, 0, "{\"autoStartModulesAfterConfig\":\"none\"}", false);
	cJSON *r = NULL;

	expect_status(id, "NotStarted");
	start(id);
	expect_status(id, "Finished");
	const cJSON *src = precheck_item(id, "CHECK_CONN_SRC", &r);
	assert_string_equal(itest_str(src, "State"), "Success");
	assert_string_equal(itest_str(src, "Names"), "CHECK_CONN_SRC_DETAIL");
	assert_non_null(strstr(first_log(src, "ErrMsg"), "MariaDB"));
	assert_string_equal(itest_str(r, "State"), "Finished");
	assert_int_equal((int)itest_num(r, "ErrorItem"), 0);
	const cJSON *dst = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "JobProgress"), 1);
	assert_string_equal(itest_str(dst, "Item"), "CHECK_CONN_DEST");
	assert_string_equal(itest_str(dst, "State"), "Success");
	cJSON_Delete(r);
}

static void test_precheck_to_postgresql_passes(void **state)
{
	const char *id = configure("PostgreSQL", NULL, 0, "{\"autoStartModulesAfterConfig\":\"none\"}", false);
	cJSON *r = NULL;

	start(id);
	expect_status(id, "Finished");
	const cJSON *dst = precheck_item(id, "CHECK_CONN_DEST", &r);
	assert_string_equal(itest_str(dst, "State"), "Success");
	assert_non_null(strstr(first_log(dst, "ErrMsg"), "15."));
	cJSON_Delete(r);
}

static void test_wrong_password_fails_with_reason(void **state)
{
	const char *id = configure("MySQL", "wrong-password", 0, NULL, false);
	cJSON *r = NULL;

	start(id);
	expect_status(id, "PrecheckFailed");
	const cJSON *src = precheck_item(id, "CHECK_CONN_SRC", &r);
	assert_string_equal(itest_str(src, "State"), "Failed");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(src, "CanSkip")));
	assert_non_null(strstr(first_log(src, "ErrMsg"), "Access denied"));
	assert_string_equal(first_log(src, "LogLevel"), "ERROR");
	assert_null(strstr(first_log(src, "ErrMsg"), "wrong-password"));
	assert_int_equal((int)itest_num(r, "ErrorItem"), 1);
	assert_string_equal(itest_str(r, "State"), "Failed");
	cJSON_Delete(r);

	/* A failed item that cannot be skipped stays failed. */
	assert_int_equal(itest_call(&D, &r, "SkipPreCheck", "DtsJobId", id,
				    "SkipPreCheckItems", "[\"CHECK_CONN_SRC\"]", NULL), 400);
	assert_string_equal(itest_str(r, "Code"), "InvalidSkipPreCheckItems");
	cJSON_Delete(r);
	expect_status(id, "PrecheckFailed");
}

static void test_closed_port_fails_with_reason(void **state)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	cJSON *r = NULL;

	/* Bind a port, note it, close it: nothing listens there now. */
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	const char *id = configure("MySQL", NULL, ntohs(a.sin_port), NULL, false);
	start(id);
	expect_status(id, "PrecheckFailed");
	const cJSON *dst = precheck_item(id, "CHECK_CONN_DEST", &r);
	assert_string_equal(itest_str(dst, "State"), "Failed");
	assert_non_null(strstr(first_log(dst, "ErrMsg"), "refused"));
	cJSON_Delete(r);
}

static void test_unbuilt_step_fails_clearly(void **state)
{
	const char *id = configure("MySQL", NULL, 0, NULL, true);
	cJSON *r = NULL;

	start(id);
	expect_status(id, "MigrationFailed");
	assert_int_equal(itest_call(&D, &r, "DescribeDtsJobDetail", "DtsJobId", id, NULL), 200);
	assert_non_null(strstr(itest_str(r, "ErrorMessage"), "not available"));
	const cJSON *s = cJSON_GetObjectItem(r, "DataSynchronizationStatus");
	assert_string_equal(itest_str(s, "Status"), "Failed");
	cJSON_Delete(r);
}

static void test_state_rules(void **state)
{
	const char *id = configure("MySQL", NULL, 0, "{\"autoStartModulesAfterConfig\":\"none\"}", false);
	char jid[64];
	cJSON *r = NULL;

	snprintf(jid, sizeof(jid), "%s", id);
	assert_int_equal(itest_call(&D, &r, "SuspendDtsJob", "DtsJobId", jid, NULL), 403);
	assert_string_equal(itest_str(r, "Code"), "OperationDenied.JobStatus");
	assert_non_null(strstr(itest_str(r, "Message"), "NotStarted"));
	cJSON_Delete(r);
	assert_int_equal(itest_call(&D, &r, "StopDtsJob", "DtsJobId", jid, NULL), 200);
	cJSON_Delete(r);
	expect_status(jid, "Finished");
	assert_int_equal(itest_call(&D, &r, "StartDtsJob", "DtsJobId", jid, NULL), 403);
	cJSON_Delete(r);
	assert_int_equal(itest_call(&D, &r, "ResetDtsJob", "DtsJobId", jid, NULL), 200);
	cJSON_Delete(r);
	expect_status(jid, "NotConfigured");
	assert_int_equal(itest_call(&D, &r, "DeleteDtsJob", "DtsJobId", jid, NULL), 200);
	cJSON_Delete(r);
	assert_int_equal(itest_call(&D, &r, "DescribeDtsJobDetail", "DtsJobId", jid, NULL), 404);
	assert_string_equal(itest_str(r, "Code"), "InvalidJobId");
	cJSON_Delete(r);
}

static void test_buy_first_flow_and_listing(void **state)
{
	cJSON *r = NULL;
	char id[64];

	assert_int_equal(itest_call(&D, &r, "CreateDtsInstance", "Type", "MIGRATION",
				    "PayType", "PostPaid", "InstanceClass", "small", NULL), 200);
	snprintf(id, sizeof(id), "%s", itest_str(r, "JobId"));
	assert_string_equal(itest_str(r, "InstanceId") + 3, id);
	cJSON_Delete(r);
	expect_status(id, "NotConfigured");
	assert_int_equal(itest_call(&D, &r, "DescribeDtsJobs", "PageSize", "2", "PageNumber", "1",
				    NULL), 200);
	assert_int_equal((int)itest_num(r, "PageRecordCount"), 2);
	assert_true(itest_num(r, "TotalRecordCount") >= 3);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "DtsJobList")), 2);
	const cJSON *j = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "DtsJobList"), 0);
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "SourceEndpoint"), "Ip"));
	char *text = cJSON_PrintUnformatted(r);
	assert_null(strstr(text, MY.password));
	cJSON_free(text);
	cJSON_Delete(r);
	assert_int_equal(itest_call(&D, &r, "DescribeDtsJobs", "PageSize", "101", NULL), 400);
	assert_string_equal(itest_str(r, "Code"), "InvalidPageSize");
	cJSON_Delete(r);
}

/* A source that accepts TCP and never answers keeps the precheck busy for
 * the connect timeout; dtsd is killed -9 meanwhile and must resume the job. */
static void test_restart_resumes_running_job(void **state)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	struct itest_db silent = MY;
	const char *const slow[] = { "--connect-timeout", "3", NULL };
	struct kvlist p;
	cJSON *r = NULL;
	char id[64], dir[256];

	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &len), 0);
	silent.port = ntohs(a.sin_port);
	snprintf(dir, sizeof(dir), "%s", D.data_dir);
	assert_int_equal(itest_dtsd_stop(&D, false), 0);
	assert_int_equal(itest_dtsd_start(&D, dir, slow), 0);

	kvlist_init(&p);
	kvlist_add(&p, "DtsJobName", "resume me");
	kvlist_add(&p, "JobType", "MIGRATION");
	kvlist_add(&p, "StructureInitialization", "false");
	kvlist_add(&p, "DataInitialization", "false");
	kvlist_add(&p, "DataSynchronization", "false");
	kvlist_add(&p, "DtsJobId", "");
	itest_src_params(&p, &silent, NULL);
	itest_dst_params(&p, &MY, "MySQL", NULL);
	assert_int_equal(itest_callv(&D, &r, "ConfigureDtsJob", &p), 200);
	snprintf(id, sizeof(id), "%s", itest_str(r, "DtsJobId"));
	cJSON_Delete(r);
	kvlist_release(&p);
	start(id);
	expect_status(id, "Prechecking");
	assert_int_equal(itest_dtsd_stop(&D, true), 128 + 9);
	assert_int_equal(itest_dtsd_start(&D, dir, slow), 0);
	/* Resumed: the precheck runs again and ends on the silent source. */
	expect_status(id, "PrecheckFailed");
	const cJSON *src = precheck_item(id, "CHECK_CONN_SRC", &r);
	assert_string_equal(itest_str(src, "State"), "Failed");
	cJSON_Delete(r);
	close(lfd);
	/* SIGTERM is a clean shutdown. */
	assert_int_equal(itest_dtsd_stop(&D, false), 0);
	assert_int_equal(itest_dtsd_start(&D, dir, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precheck_to_mariadb_passes),
		cmocka_unit_test(test_precheck_to_postgresql_passes),
		cmocka_unit_test(test_wrong_password_fails_with_reason),
		cmocka_unit_test(test_closed_port_fails_with_reason),
		cmocka_unit_test(test_unbuilt_step_fails_clearly),
		cmocka_unit_test(test_state_rules),
		cmocka_unit_test(test_buy_first_flow_and_listing),
		cmocka_unit_test(test_restart_resumes_running_job),
	};

	return cmocka_run_group_tests_name("jobs", tests, setup, teardown);
}
