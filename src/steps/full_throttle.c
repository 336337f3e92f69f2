/*
 * full_throttle.c - the rows/s and bytes/s limit of a full-data job: one
 * token bucket per limit, shared by the step's workers under a mutex. A
 * worker accounts what it read and sleeps off any debt, in slices of at
 * most 100 ms so a cancel is noticed promptly. The bucket holds at most one
 * second of credit, so a pause is never followed by a long burst.
 */
#include "steps/full_internal.h"

#include <stdlib.h>
#include <time.h>

#include "util/xalloc.h"

struct full_throttle {
	pthread_mutex_t mu;
	double rate[2];        /* rows/s, bytes/s; 0 = no limit */
	double credit[2];      /* tokens available (negative: debt) */
	double last;           /* monotonic seconds of the last refill */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct full_throttle *full__throttle_new(int64_t max_rows_s, int64_t max_bytes_s)
{
	struct full_throttle *th;

	if (max_rows_s <= 0 && max_bytes_s <= 0)
		return NULL;
	th = xcalloc(1, sizeof(*th));
	pthread_mutex_init(&th->mu, NULL);
	th->rate[0] = max_rows_s > 0 ? (double)max_rows_s : 0;
	th->rate[1] = max_bytes_s > 0 ? (double)max_bytes_s : 0;
	th->last = now_s();
	return th;
}

void full__throttle_free(struct full_throttle *th)
{
	if (!th)
		return;
	pthread_mutex_destroy(&th->mu);
	free(th);
}

/* Refills, takes, and returns how long the caller must wait (seconds). */
static double take(struct full_throttle *th, int64_t rows, int64_t bytes)
{
	double t = now_s(), wait = 0;
	const double amount[2] = { (double)rows, (double)bytes };

	pthread_mutex_lock(&th->mu);
	for (int i = 0; i < 2; i++) {
		if (th->rate[i] <= 0)
			continue;
		th->credit[i] += (t - th->last) * th->rate[i];
		if (th->credit[i] > th->rate[i])
			th->credit[i] = th->rate[i];
		th->credit[i] -= amount[i];
		if (th->credit[i] < 0 && -th->credit[i] / th->rate[i] > wait)
			wait = -th->credit[i] / th->rate[i];
	}
	th->last = t;
	pthread_mutex_unlock(&th->mu);
	return wait;
}

void full__throttle_take(struct full_throttle *th, int64_t rows, int64_t bytes,
			 const atomic_bool *cancel)
{
	double wait;

	if (!th)
		return;
	wait = take(th, rows, bytes);
	while (wait > 0 && !(cancel && atomic_load(cancel))) {
		double slice = wait < 0.1 ? wait : 0.1;
		struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)(slice * 1e9) };

		nanosleep(&ts, NULL);
		wait -= slice;
	}
}
