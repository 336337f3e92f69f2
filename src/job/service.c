/*
 * service.c - the job scheduler and its runner threads.
 *
 * One scheduler thread wakes on job_service_kick() or every second, lists
 * the jobs whose desired state is "run" and starts a runner thread for each
 * that has none here, up to max_running. Runners (runner.c) own nothing
 * shared: each opens its own metastore handle and reads the job from it.
 *
 * Shared state: the `runners` array and `stopping`, guarded by `lock`.
 * Each runner's cancel flag is atomic, so API threads cancel without waiting.
 * No metastore call is made while `lock` is held.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job/internal.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

struct runner {
	struct job_service *svc;
	char job_id[40];
	atomic_bool cancel;
	atomic_bool done;
	pthread_t thread;
};

struct job_service {
	struct job_service_config cfg;  /* strings copied */
	pthread_mutex_t lock;
	pthread_cond_t wake;            /* scheduler sleeps on it */
	pthread_cond_t exited;          /* signalled when a runner ends */
	bool kicked;                    /* guarded by lock */
	bool stopping;                  /* guarded by lock */
	bool started;
	pthread_t scheduler;
	struct runner **runners;        /* guarded by lock */
	size_t n_runners;
};

struct job_service *job_service_new(const struct job_service_config *cfg, struct err *err)
{
	struct job_service *s;

	if (!cfg->meta_url) {
		err_set(err, ERR_INTERNAL, "job service needs a metastore url");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	s->cfg.meta_url = xstrdup(cfg->meta_url);
	s->cfg.region = xstrdup(cfg->region ? cfg->region : "local");
	if (!s->cfg.max_running)
		s->cfg.max_running = 16;
	if (!s->cfg.step_workers)
		s->cfg.step_workers = 2;
	if (s->cfg.connect_timeout_s <= 0)
		s->cfg.connect_timeout_s = 10;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_cond_init(&s->exited, NULL);
	return s;
}

static void *runner_main(void *arg)
{
	struct runner *r = arg;
	struct job_service *s = r->svc;
	struct err err = { 0 };
	struct meta *m = meta_thread(s->cfg.meta_url, &err);

	if (!m)
		log_error("job.runner", "job_id=%s msg=\"cannot open metastore: %s\"",
			  r->job_id, err.msg);
	else
		job__run(&s->cfg, m, r->job_id, &r->cancel);
	pthread_mutex_lock(&s->lock);
	atomic_store(&r->done, true);
	s->kicked = true;
	pthread_cond_broadcast(&s->exited);
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Joins and forgets finished runners. Called with lock held; joining a
 * thread that has already set `done` returns at once. */
static void reap_locked(struct job_service *s)
{
	size_t o = 0;

	for (size_t i = 0; i < s->n_runners; i++) {
		struct runner *r = s->runners[i];
		if (atomic_load(&r->done)) {
			pthread_join(r->thread, NULL);
			free(r);
			continue;
		}
		s->runners[o++] = r;
	}
	s->n_runners = o;
}

static struct runner *find_locked(struct job_service *s, const char *job_id)
{
	for (size_t i = 0; i < s->n_runners; i++)
		if (strcmp(s->runners[i]->job_id, job_id) == 0)
			return s->runners[i];
	return NULL;
}

static void start_runner_locked(struct job_service *s, const char *job_id)
{
	struct runner *r = xcalloc(1, sizeof(*r));

	r->svc = s;
	str_copy(r->job_id, sizeof(r->job_id), job_id);
	atomic_init(&r->cancel, false);
	atomic_init(&r->done, false);
	if (pthread_create(&r->thread, NULL, runner_main, r) != 0) {
		log_error("job.runner", "job_id=%s msg=\"cannot start runner thread\"", job_id);
		free(r);
		return;
	}
	s->runners = xrealloc(s->runners, (s->n_runners + 1) * sizeof(*s->runners));
	s->runners[s->n_runners++] = r;
	log_info("job.runner.start", "job_id=%s", job_id);
}

/* One scheduling pass: start runners for jobs that want to run. */
static void schedule_once(struct job_service *s, struct meta *m)
{
	struct meta_job_filter f = { .desired = JOB_WANT_RUN };
	struct meta_job *jobs = NULL;
	size_t n = 0;
	struct err err = { 0 };

	if (meta_job_list(m, &f, &jobs, &n, NULL, &err) < 0) {
		log_error("job.schedule", "msg=\"cannot list jobs: %s\"", err.msg);
		return;
	}
	pthread_mutex_lock(&s->lock);
	reap_locked(s);
	for (size_t i = 0; i < n && !s->stopping; i++) {
		if (!job__status_runnable(jobs[i].status) || find_locked(s, jobs[i].id))
			continue;
		if (s->n_runners >= s->cfg.max_running)
			break;
		start_runner_locked(s, jobs[i].id);
	}
	pthread_mutex_unlock(&s->lock);
	for (size_t i = 0; i < n; i++)
		meta_job_release(&jobs[i]);
	free(jobs);
}

static void *scheduler_main(void *arg)
{
	struct job_service *s = arg;
	struct err err = { 0 };
	struct meta *m = meta_thread(s->cfg.meta_url, &err);

	if (!m) {
		log_error("job.scheduler", "msg=\"cannot open metastore: %s\"", err.msg);
		return NULL;
	}
	for (;;) {
		struct timespec until;

		schedule_once(s, m);
		pthread_mutex_lock(&s->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		while (!s->kicked && !s->stopping)
			if (pthread_cond_timedwait(&s->wake, &s->lock, &until) != 0)
				break;
		s->kicked = false;
		bool stop = s->stopping;
		pthread_mutex_unlock(&s->lock);
		if (stop)
			break;
	}
	return NULL;
}

int job_service_start(struct job_service *s, struct err *err)
{
	if (pthread_create(&s->scheduler, NULL, scheduler_main, s) != 0) {
		err_set(err, ERR_INTERNAL, "cannot start the job scheduler thread");
		return -1;
	}
	s->started = true;
	log_info("job.scheduler.start", "max_running=%u", s->cfg.max_running);
	return 0;
}

void job_service_kick(struct job_service *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->kicked = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

void job_service_cancel(struct job_service *s, const char *job_id)
{
	struct runner *r;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	r = find_locked(s, job_id);
	if (r)
		atomic_store(&r->cancel, true);
	pthread_mutex_unlock(&s->lock);
}

int job_service_wait_idle(struct job_service *s, const char *job_id, int timeout_ms)
{
	struct timespec until;
	int rc = 0;

	if (!s)
		return 0;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct runner *r = find_locked(s, job_id);
		if (!r || atomic_load(&r->done))
			break;
		if (pthread_cond_timedwait(&s->exited, &s->lock, &until) != 0) {
			rc = -1;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void job_service_free(struct job_service *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	for (size_t i = 0; i < s->n_runners; i++)
		atomic_store(&s->runners[i]->cancel, true);
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
	if (s->started)
		pthread_join(s->scheduler, NULL);
	/* Runners check their cancel flag often; joining waits for them. */
	for (size_t i = 0; i < s->n_runners; i++) {
		pthread_join(s->runners[i]->thread, NULL);
		free(s->runners[i]);
	}
	free(s->runners);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	pthread_cond_destroy(&s->exited);
	free((char *)s->cfg.meta_url);
	free((char *)s->cfg.region);
	free(s);
}
