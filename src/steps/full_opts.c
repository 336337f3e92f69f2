/*
 * full_opts.c - the options of the full-data step (03), read from the job's
 * Reserve JSON. This is the one place that names the Reserve keys of the
 * step; full_step.h documents what they do.
 *
 *   opendts.full.chunkRows      rows per chunk (100 .. 10,000,000; 50,000)
 *   opendts.full.workers        worker threads (1 .. 256; dtsd --step-workers)
 *   opendts.full.verify         "true" | "false" (true)
 *   opendts.full.repair         "true" | "false" (false)
 *   opendts.full.retrySeconds   lost-connection retry window (1 .. 86,400)
 *   opendts.full.destBinlog     "false": a MySQL destination does not write its
 *                               binary log for the copy (SET sql_log_bin = 0;
 *                               needs SUPER or BINLOG ADMIN; replicas of the
 *                               destination then miss the copied rows) (true)
 *   maxRetryTime                the same in minutes (DTS; 10 .. 1,440; 720)
 *   dts.datamove.source.rps.max rows/s  (top level or in "fullDynamicConfig")
 *   dts.datamove.source.bps.max bytes/s (idem)
 *
 * Pure function of its arguments; any thread.
 */
#include "steps/full_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "job/job.h"
#include "steps/source.h"
#include "util/str.h"

#define DEFAULT_CHUNK_ROWS 50000
#define DEFAULT_RETRY_MINUTES 720

/* The value of key at the top level of Reserve or inside
 * "fullDynamicConfig" (an object, or a JSON text in a string), as text in
 * out; false when absent. */
static bool reserve_value(const char *reserve, const char *key, char *out, size_t n)
{
	cJSON *root = reserve && *reserve ? cJSON_Parse(reserve) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
	cJSON *inner = NULL;
	bool found = false;

	if (!v) {
		const cJSON *dyn = cJSON_GetObjectItemCaseSensitive(root, "fullDynamicConfig");
		if (cJSON_IsString(dyn))
			dyn = inner = cJSON_Parse(dyn->valuestring);
		v = cJSON_GetObjectItemCaseSensitive(dyn, key);
	}
	if (cJSON_IsString(v)) {
		str_copy(out, n, v->valuestring);
		found = true;
	} else if (cJSON_IsNumber(v)) {
		snprintf(out, n, "%.0f", v->valuedouble);
		found = true;
	} else if (cJSON_IsBool(v)) {
		str_copy(out, n, cJSON_IsTrue(v) ? "true" : "false");
		found = true;
	}
	cJSON_Delete(inner);
	cJSON_Delete(root);
	return found;
}

static int int_opt(const char *reserve, const char *key, int64_t lo, int64_t hi,
		   int64_t def, int64_t *out, struct err *err)
{
	char v[64], *end = NULL;
	long long x;

	*out = def;
	if (!reserve_value(reserve, key, v, sizeof(v)))
		return 0;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi) {
		err_param(err, ERR_INVALID, "Reserve",
			  "Reserve key \"%s\" must be an integer from %lld to %lld, not \"%s\"",
			  key, (long long)lo, (long long)hi, v);
		return -1;
	}
	*out = x;
	return 0;
}

static int bool_opt(const char *reserve, const char *key, bool def, bool *out,
		    struct err *err)
{
	char v[16];

	*out = def;
	if (!reserve_value(reserve, key, v, sizeof(v)))
		return 0;
	if (str_ieq(v, "true") || strcmp(v, "1") == 0)
		*out = true;
	else if (str_ieq(v, "false") || strcmp(v, "0") == 0)
		*out = false;
	else {
		err_param(err, ERR_INVALID, "Reserve",
			  "Reserve key \"%s\" must be \"true\" or \"false\", not \"%s\"", key, v);
		return -1;
	}
	return 0;
}

int full__opts_read(const struct step_ctx *ctx, struct full_opts *o, struct err *err)
{
	const char *rs = ctx->job->reserve;
	char v[32];
	int64_t workers, minutes, retry;

	memset(o, 0, sizeof(*o));
	o->pg = step__dst_is_pg(ctx->job);
	o->ro.dialect = o->pg ? SCHEMA_DIALECT_PG : SCHEMA_DIALECT_MYSQL;
	job_reserve_get(rs, "dbListCaseChangeMode", "default", v, sizeof(v));
	o->ro.fold_lower = str_ieq(v, "dest_lower");
	o->connect_timeout_s = step__timeout_s(ctx);
	if (int_opt(rs, "opendts.full.chunkRows", 100, 10000000, DEFAULT_CHUNK_ROWS,
		    &o->chunk_rows, err) < 0 ||
	    int_opt(rs, "opendts.full.workers", 1, 256, ctx->workers ? ctx->workers : 1,
		    &workers, err) < 0 ||
	    int_opt(rs, "dts.datamove.source.rps.max", 0, INT64_MAX / 4, 0,
		    &o->max_rows_s, err) < 0 ||
	    int_opt(rs, "dts.datamove.source.bps.max", 0, INT64_MAX / 4, 0,
		    &o->max_bytes_s, err) < 0 ||
	    bool_opt(rs, "opendts.full.verify", true, &o->verify, err) < 0 ||
	    bool_opt(rs, "opendts.full.repair", false, &o->repair, err) < 0 ||
	    bool_opt(rs, "opendts.full.destBinlog", true, &o->dst_binlog, err) < 0 ||
	    int_opt(rs, "maxRetryTime", 10, 1440, DEFAULT_RETRY_MINUTES, &minutes, err) < 0 ||
	    int_opt(rs, "opendts.full.retrySeconds", 1, 86400, minutes * 60, &retry, err) < 0)
		return -1;
	o->workers = (unsigned)workers;
	o->retry_s = (int)retry;
	return 0;
}
