/*
 * app.h - the one context object of dtsd, built in main.c and passed down.
 * Everything that is not the log sink/level or the shutdown flag hangs off it.
 * Fields are set before any thread starts and read-only afterwards, except
 * where a comment names the lock that guards them.
 */
#ifndef OPENDTS_APP_H
#define OPENDTS_APP_H

#include <stddef.h>

struct api_creds;
struct job_service;

struct app {
	const char *data_dir;        /* --data-dir */
	const char *meta_url;        /* SQLite path inside data_dir (or --meta) */
	const char *listen;          /* --listen host:port */
	const char *region;          /* --region: node region and RegionId default */
	unsigned http_threads;       /* libmicrohttpd thread pool size */
	unsigned job_workers;        /* concurrent jobs */
	unsigned step_workers;       /* parallelism inside a step (0 = cores) */
	double rate_limit;           /* requests/s per access key; 0 = off */
	unsigned rate_burst;         /* token bucket size */
	size_t nonce_capacity;       /* remembered (key, nonce) pairs */
	int time_window_s;           /* accepted clock skew, seconds (900) */
	int connect_timeout_s;       /* database connect/read timeout for checks */
	struct api_creds *creds;     /* access keys (api/creds.c) */
	struct job_service *jobs;    /* scheduler + workers (job/) */
};

#endif
