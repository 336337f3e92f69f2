/*
 * itest_job.h - helpers for integration tests that drive whole jobs through
 * a running dtsd (struct itest_dtsd of itest.h): configure and start a
 * migration job, read its detail and the items of one of its steps, wait for
 * a status, and read an item's Logs. They assert with cmocka: a failed call
 * fails the running test (fail_msg) instead of returning an error, so they
 * may only be called from inside a cmocka test. Single-threaded, like the
 * tests.
 */
#ifndef OPENDTS_ITEST_JOB_H
#define OPENDTS_ITEST_JOB_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "lib/itest.h"

/* A migration job from a MariaDB source, with full data (DataInitialization
 * true) and no synchronization (DataSynchronization false). Every pointer is
 * borrowed for the duration of itest_job_configure only. */
struct itest_job_spec {
	const char *name;               /* DtsJobName */
	const char *dblist;             /* DbList JSON */
	const char *reserve;            /* Reserve JSON */
	bool structure;                 /* StructureInitialization */
	const struct itest_db *src;     /* the MariaDB source */
	const struct itest_db *dst;     /* the destination */
	const char *dst_engine;         /* "MySQL" or "PostgreSQL" */
};

/* ConfigureDtsJob with spec; writes the new job's id into id. Fails the test
 * with the reply's Message unless dtsd answers 200 with an id. */
void itest_job_configure(struct itest_dtsd *d, char id[64], const struct itest_job_spec *spec);

/* Calls action (StartDtsJob, SuspendDtsJob, ...) with DtsJobId id; fails the
 * test with the HTTP status and Message unless dtsd answers 200. */
void itest_job_call(struct itest_dtsd *d, const char *action, const char *id);
/* itest_job_call(d, "StartDtsJob", id). */
void itest_job_start(struct itest_dtsd *d, const char *id);

/* DescribeDtsJobDetail of the job; asserts HTTP 200. Caller frees. */
cJSON *itest_job_detail(struct itest_dtsd *d, const char *id);
/* DescribePreCheckStatus of the step `code` ("03" = full data), one page of
 * up to 1000 items; asserts HTTP 200. Caller frees. */
cJSON *itest_job_items(struct itest_dtsd *d, const char *id, const char *code);

/* Waits up to timeout_ms for the job to reach want or a final status
 * (Finished, MigrationFailed, PrecheckFailed). On any other outcome prints
 * the full-data items (State, Current, and the Logs of those not in Success)
 * and fails the test with the job's ErrorMessage. */
void itest_job_expect_status(struct itest_dtsd *d, const char *id, const char *want,
			     int timeout_ms);

/* The item of a DescribePreCheckStatus reply whose Names is "db.table"
 * (borrowed from reply); fails the test when there is none. */
const cJSON *itest_item_find(const cJSON *reply, const char *db, const char *table);
/* The item's Logs as one line "[LEVEL ErrMsg ErrData] ...", cut at about
 * 2 kB: for messages and strstr. A static buffer, valid until the next call. */
const char *itest_item_logs(const cJSON *item);
/* Whether a log of the item at level (NULL: any) holds text in its ErrMsg
 * or ErrData. */
bool itest_item_logs_mention(const cJSON *item, const char *level, const char *text);

/* Fails the test with the formatted message after freeing reply: the
 * message is formatted first, so it may quote strings of reply. */
void itest_fail_free(cJSON *reply, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
