/*
 * full_worker.c - the connections of one worker of the full-data step: a
 * source connection and a destination connection (MySQL/MariaDB with LOCAL
 * INFILE, or PostgreSQL), each with the session the copy and the
 * verification expect, and the retry loop that re-opens them after a lost
 * connection.
 *
 * Threads: a worker and its connections belong to the thread that runs it.
 */
#include "steps/full_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "steps/source.h"
#include "util/log.h"
#include "util/timefmt.h"

/* Source: TIMESTAMP values and key bounds in UTC (as the schema step reads
 * defaults); a generous net_write_timeout because the worker writes a batch
 * to the destination while the source holds the result open. */
#define SRC_SESSION "SET SESSION time_zone = '+00:00', net_write_timeout = 600"
/* MySQL destination: UTC like the source; foreign keys are created after
 * the data (the schema step's finish phase), and a table's rows may arrive
 * before the rows they reference. sql_mode is set by my_load_begin(). */
#define DST_MY_SESSION "SET SESSION time_zone = '+00:00', foreign_key_checks = 0"
/* PostgreSQL destination: the output formats full_canon.c expects. */
#define DST_PG_SESSION                                                            \
	"SELECT set_config('TimeZone', 'UTC', false), "                           \
	"set_config('DateStyle', 'ISO, YMD', false), "                            \
	"set_config('IntervalStyle', 'postgres', false), "                        \
	"set_config('extra_float_digits', '1', false), "                          \
	"set_config('bytea_output', 'hex', false)"

#define BACKOFF_MAX_S 30

void full__worker_init(struct full_worker *w, const struct step_ctx *ctx,
		       const struct full_opts *o, struct full_throttle *th)
{
	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	w->opts = o;
	w->throttle = th;
	buf_init(&w->sql, 64u << 20);
	buf_init(&w->row, BUF_UNLIMITED);
}

static struct my_conn *connect_dst_my(const struct full_worker *w, struct err *err)
{
	const struct meta_endpoint *ep = &w->ctx->job->dst;
	int t = w->opts->connect_timeout_s;
	struct my_conn_opts o = {
		.host = ep->ip, .port = ep->port, .user = ep->user, .password = ep->password,
		.connect_timeout_s = t, .read_timeout_s = 6 * t, .write_timeout_s = 6 * t,
		.local_infile = true,
	};

	return my_connect(&o, err);
}

static int connect_src(struct full_worker *w, struct err *err)
{
	w->src = step__connect_my(&w->ctx->job->src, w->opts->connect_timeout_s, err);
	if (!w->src || my_query(w->src, SRC_SESSION, err) < 0) {
		err_prefix(err, "source");
		return -1;
	}
	return 0;
}

static int connect_dst(struct full_worker *w, struct err *err)
{
	if (w->opts->pg) {
		w->dst_pg = step__connect_pg(&w->ctx->job->dst, w->opts->connect_timeout_s, err);
		if (w->dst_pg && pg_query_value(w->dst_pg, DST_PG_SESSION, NULL, err) == 0)
			return 0;
	} else {
		w->dst_my = connect_dst_my(w, err);
		if (w->dst_my && my_query(w->dst_my, DST_MY_SESSION, err) == 0 &&
		    (w->opts->dst_binlog || my_query(w->dst_my, "SET SESSION sql_log_bin = 0",
						     err) == 0))
			return 0;
		if (w->dst_my && !w->opts->dst_binlog)
			err_detail(err, "Reserve \"opendts.full.destBinlog\": \"false\" needs the "
				   "SUPER or BINLOG ADMIN privilege on the destination; grant it "
				   "or remove the setting");
	}
	err_prefix(err, "destination");
	return -1;
}

int full__worker_connect(struct full_worker *w, struct err *err)
{
	if (!w->src && connect_src(w, err) < 0)
		goto fail;
	if (!w->dst_my && !w->dst_pg && connect_dst(w, err) < 0)
		goto fail;
	return 0;
fail:
	full__worker_disconnect(w);
	return -1;
}

void full__worker_disconnect(struct full_worker *w)
{
	my_close(w->src);
	my_close(w->dst_my);
	pg_close(w->dst_pg);
	w->src = w->dst_my = NULL;
	w->dst_pg = NULL;
}

void full__worker_release(struct full_worker *w)
{
	full__worker_disconnect(w);
	buf_release(&w->sql);
	buf_release(&w->row);
}

bool full__retryable(const struct err *err)
{
	/* Server errors a new attempt may cure: connection killed (1927),
	 * too many connections (1040), lock wait timeout (1205), deadlock
	 * (1213), server shutting down (1053); PostgreSQL connection
	 * exceptions (08...), serialization failures (40001, 40P01),
	 * administrator shutdown / crash / cannot connect now (57P01-03). */
	static const char *const marks[] = {
		"(error 1927", "(error 2013", "(error 2006", "(error 1040", "(error 1205", "(error 1213", "(error 1053",
		"sqlstate 08", "sqlstate 40001", "sqlstate 40P01", "sqlstate 57P0",
	};

	if (err->code == ERR_CONNECT || err->code == ERR_TIMEOUT || err->code == ERR_UNAVAILABLE)
		return true;
	if (err->code != ERR_DB)
		return false;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strstr(err->msg, marks[i]))
			return true;
	return false;
}

/* Sleeps s seconds in 100 ms slices; false when cancelled. */
static bool backoff(const struct full_worker *w, int s)
{
	for (int i = 0; i < s * 10; i++) {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };

		if (step_cancelled(w->ctx))
			return false;
		nanosleep(&ts, NULL);
	}
	return !step_cancelled(w->ctx);
}

int full__with_retry(struct full_worker *w, int (*op)(struct full_worker *, void *, struct err *),
		     void *arg, const char *what, struct err *err)
{
	int64_t deadline = time_mono_ms() + (int64_t)w->opts->retry_s * 1000;
	int delay = 1, attempt = 0;

	for (;;) {
		int rc = full__worker_connect(w, err);

		if (rc == 0)
			rc = op(w, arg, err);
		if (rc == 0 || !full__retryable(err))
			return rc;
		full__worker_disconnect(w);
		if (time_mono_ms() + delay * 1000 > deadline) {
			err_prefix(err, "gave up after %d attempts in %d s", attempt + 1,
				   w->opts->retry_s);
			return -1;
		}
		log_warn("full.retry", "job_id=%s object=\"%s\" attempt=%d wait_s=%d msg=\"%s\"",
			 w->ctx->job->id, what, attempt + 1, delay, err->msg);
		if (!backoff(w, delay)) {
			err_set(err, ERR_CANCELLED, "cancelled while retrying %s", what);
			return -1;
		}
		delay = delay * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : delay * 2;
		attempt++;
		err_clear(err);
	}
}
