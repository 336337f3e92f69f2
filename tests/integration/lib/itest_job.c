/*
 * itest_job.c - job helpers for integration tests: ConfigureDtsJob and the
 * job actions through the C client of a test's dtsd, the items of a step, and
 * waiting for a status with the items printed when it is not the one
 * expected. Failures end the running cmocka test (fail_msg, assert_*), so
 * every function here runs on the test's own thread, inside a test. Replies
 * handed out belong to the caller; strings read from them are borrowed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/itest_job.h"
#include "util/kv.h"

void itest_job_configure(struct itest_dtsd *d, char id[64], const struct itest_job_spec *spec)
{
	struct kvlist p;
	cJSON *r = NULL;

	kvlist_init(&p);
	kvlist_add(&p, "DtsJobName", spec->name);
	kvlist_add(&p, "JobType", "MIGRATION");
	kvlist_add(&p, "StructureInitialization", spec->structure ? "true" : "false");
	kvlist_add(&p, "DataInitialization", "true");
	kvlist_add(&p, "DataSynchronization", "false");
	kvlist_add(&p, "DbList", spec->dblist);
	kvlist_add(&p, "Reserve", spec->reserve);
	itest_src_params(&p, spec->src, NULL);
	itest_dst_params(&p, spec->dst, spec->dst_engine, NULL);
	if (itest_callv(d, &r, "ConfigureDtsJob", &p) != 200)
		fail_msg("ConfigureDtsJob: %s", r ? itest_str(r, "Message") : "no reply");
	kvlist_release(&p);
	snprintf(id, 64, "%s", itest_str(r, "DtsJobId"));
	cJSON_Delete(r);
	assert_true(strlen(id) > 8);
}

void itest_job_call(struct itest_dtsd *d, const char *action, const char *id)
{
	cJSON *r = NULL;
	int st = itest_call(d, &r, action, "DtsJobId", id, NULL);

	if (st != 200)
		itest_fail_free(r, "%s: HTTP %d %s", action, st, r ? itest_str(r, "Message") : "");
	cJSON_Delete(r);
}

void itest_job_start(struct itest_dtsd *d, const char *id)
{
	itest_job_call(d, "StartDtsJob", id);
}

cJSON *itest_job_detail(struct itest_dtsd *d, const char *id)
{
	cJSON *r = NULL;

	assert_int_equal(itest_call(d, &r, "DescribeDtsJobDetail", "DtsJobId", id, NULL), 200);
	return r;
}

cJSON *itest_job_items(struct itest_dtsd *d, const char *id, const char *code)
{
	cJSON *r = NULL;

	assert_int_equal(itest_call(d, &r, "DescribePreCheckStatus", "DtsJobId", id, "JobCode",
				    code, "PageSize", "1000", NULL), 200);
	return r;
}

/* Every full-data item on one line; the Logs of those that did not succeed. */
static void print_items(struct itest_dtsd *d, const char *id)
{
	cJSON *items = itest_job_items(d, id, "03");
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(items, "JobProgress")) {
		bool ok = strcmp(itest_str(it, "State"), "Success") == 0;
		print_message("item %s: %s Current %s%s%s\n", itest_str(it, "Names"),
			      itest_str(it, "State"), itest_str(it, "Current"), ok ? "" : " ",
			      ok ? "" : itest_item_logs(it));
	}
	cJSON_Delete(items);
}

void itest_job_expect_status(struct itest_dtsd *d, const char *id, const char *want,
			     int timeout_ms)
{
	char *got = itest_wait_status(d, id, timeout_ms, want, "Finished", "MigrationFailed",
				      "PrecheckFailed", NULL);
	char status[64];
	cJSON *r = NULL;

	assert_non_null(got);
	snprintf(status, sizeof(status), "%s", got);
	free(got);
	if (strcmp(status, want) == 0)
		return;
	print_items(d, id);
	/* No assert here: the job's error is worth showing, not required. */
	itest_call(d, &r, "DescribeDtsJobDetail", "DtsJobId", id, NULL);
	itest_fail_free(r, "job %s is %s, expected %s: %s", id, status, want,
			r ? itest_str(r, "ErrorMessage") : "");
}

const cJSON *itest_item_find(const cJSON *reply, const char *db, const char *table)
{
	char names[160];
	const cJSON *it;

	snprintf(names, sizeof(names), "%s.%s", db, table);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(reply, "JobProgress"))
		if (strcmp(itest_str(it, "Names"), names) == 0)
			return it;
	fail_msg("no full-data item %s", names);
	return NULL;
}

const char *itest_item_logs(const cJSON *item)
{
	static char text[2048];
	const cJSON *l;
	size_t n = 0;

	text[0] = 0;
	cJSON_ArrayForEach(l, cJSON_GetObjectItem(item, "Logs")) {
		int k = snprintf(text + n, sizeof(text) - n, "[%s %s %s] ",
				 itest_str(l, "LogLevel"), itest_str(l, "ErrMsg"),
				 itest_str(l, "ErrData"));
		if (k < 0 || (size_t)k >= sizeof(text) - n)
			break;   /* cut: enough to read */
		n += (size_t)k;
	}
	return text;
}

bool itest_item_logs_mention(const cJSON *item, const char *level, const char *text)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(item, "Logs"))
		if ((!level || strcmp(itest_str(l, "LogLevel"), level) == 0) &&
		    (strstr(itest_str(l, "ErrMsg"), text) || strstr(itest_str(l, "ErrData"), text)))
			return true;
	return false;
}

void itest_fail_free(cJSON *reply, const char *fmt, ...)
{
	static char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_Delete(reply);
	fail_msg("%s", msg);
}
