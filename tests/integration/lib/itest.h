/*
 * itest.h - helpers for integration tests: start a real dtsd (the binary in
 * $DTSD_BIN) on a free loopback port with a fresh data dir and a known access
 * key, call it through the C client, and read the harness database servers
 * from the environment (scripts/harness.sh exports MY_* and PG_*).
 */
#ifndef OPENDTS_ITEST_H
#define OPENDTS_ITEST_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

#include "client/client.h"
#include "util/kv.h"

#define ITEST_KEY_ID "LTAIitestkey000000001"
#define ITEST_SECRET "itest-secret-0123456789abcdef"

struct itest_dtsd {
	pid_t pid;
	int port;
	char data_dir[256];
	char endpoint[64];
	struct dts_client *client;
};

/* Database endpoints of the harness; NULL host when the env is absent. */
struct itest_db {
	const char *host, *user, *password, *database;
	int port;
};
bool itest_mysql(struct itest_db *db);
bool itest_pg(struct itest_db *db);

/* Starts dtsd with extra arguments (NULL-terminated list, may be NULL) and
 * an existing data dir (NULL = a fresh temp one); waits until /healthz
 * answers. Returns 0, or -1 with a message on stderr. */
int itest_dtsd_start(struct itest_dtsd *d, const char *data_dir, const char *const *extra);
/* SIGTERM (or SIGKILL when hard) and wait; returns the exit status (-1 on timeout). */
int itest_dtsd_stop(struct itest_dtsd *d, bool hard);
/* Stops and removes the data dir. */
void itest_dtsd_destroy(struct itest_dtsd *d);

/* Calls an action with "Key", "Value", ..., NULL pairs; returns the HTTP
 * status (0 if no reply) and the reply in *reply (caller frees). */
int itest_call(struct itest_dtsd *d, cJSON **reply, const char *action, ...);
int itest_callv(struct itest_dtsd *d, cJSON **reply, const char *action,
		const struct kvlist *params);

/* Polls DescribeDtsJobDetail until Status is one of the NULL-terminated
 * states or timeout_ms passes; returns the last status (heap) or NULL. */
char *itest_wait_status(struct itest_dtsd *d, const char *job_id, int timeout_ms, ...);

/* Adds the ConfigureDtsJob endpoint parameters for a MySQL source / a
 * destination of either engine to params. */
void itest_src_params(struct kvlist *p, const struct itest_db *db, const char *password);
void itest_dst_params(struct kvlist *p, const struct itest_db *db, const char *engine,
		      const char *password);

/* Runs SQL on the harness MariaDB through the mariadb client; 0 on success. */
int itest_mysql_exec(const char *sql);

/* A loopback server that accepts TCP connections and never answers (a
 * hung database), on a thread of its own; silent_start fails the calling
 * test (cmocka) if it cannot listen. */
struct itest_silent {
	int fd;
	int port;
	int conns[64];
	int n;
	atomic_bool stop;
	pthread_t thread;
};
void itest_silent_start(struct itest_silent *s);
void itest_silent_stop(struct itest_silent *s);
/* A loopback port nothing listens on (bound, noted, closed). */
int itest_closed_port(void);

/* Helpers to read reply fields: string or "" / number or -1. */
const char *itest_str(const cJSON *o, const char *key);
double itest_num(const cJSON *o, const char *key);

#endif
