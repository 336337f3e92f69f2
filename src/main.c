/*
 * main.c - dtsd, the opendts daemon: parses options, opens the metastore,
 * loads access keys, starts the job scheduler and the HTTP API, and waits
 * for SIGTERM/SIGINT to shut down cleanly (running jobs are interrupted and
 * resume when dtsd starts again).
 *
 * Globals of the whole program (STYLE.md): the log level (util/log.c).
 * Everything else hangs off `struct app`. Signals are blocked in every thread
 * and taken synchronously by sigwait() here, so no handler runs concurrently
 * with anything.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "api/api.h"
#include "app.h"
#include "job/job.h"
#include "meta/meta.h"
#include "util/log.h"
#include "util/str.h"
#include "util/xalloc.h"

#define DTSD_VERSION "0.1.0"

struct options {
	const char *listen, *data_dir, *credentials, *log_level, *region, *meta;
	const char *port_file;
	long long http_threads, job_workers, step_workers, rate_limit, rate_burst;
	long long nonce_capacity, time_window, connect_timeout;
};

/* One table drives parsing, environment overrides, validation and --help. */
enum opt_kind { OPT_STR, OPT_INT };
struct opt {
	const char *name;
	const char *env;
	enum opt_kind kind;
	size_t off;
	long long min, max;
	const char *def;
	const char *help;
};

#define S(f) OPT_STR, offsetof(struct options, f), 0, 0
#define I(f, lo, hi) OPT_INT, offsetof(struct options, f), lo, hi
static const struct opt opts[] = {
	{ "listen", "DTSD_LISTEN", S(listen), "127.0.0.1:8420", "address to serve the API on (host:port; port 0 picks one)" },
	{ "data-dir", "DTSD_DATA_DIR", S(data_dir), "./dtsd-data", "folder for the metastore and generated keys" },
	{ "credentials", "DTSD_CREDENTIALS", S(credentials), NULL, "file of access keys, lines \"KEY_ID SECRET\" (mode 0600)" },
	{ "log-level", "DTSD_LOG_LEVEL", S(log_level), "info", "error, warn, info or debug" },
	{ "region", "DTSD_REGION", S(region), "local", "this node's region (RegionId default, HostRegion)" },
	{ "meta", "DTSD_META", S(meta), NULL, "metastore URL (default: sqlite:DATA_DIR/meta.db)" },
	{ "port-file", NULL, S(port_file), NULL, "write the bound port to this file once listening" },
	{ "http-threads", "DTSD_HTTP_THREADS", I(http_threads, 1, 256), "4", "HTTP worker threads" },
	{ "job-workers", "DTSD_JOB_WORKERS", I(job_workers, 1, 1024), "16", "jobs that run at once" },
	{ "step-workers", "DTSD_STEP_WORKERS", I(step_workers, 0, 256), "0", "parallel workers inside a step (0 = cores)" },
	{ "rate-limit", "DTSD_RATE_LIMIT", I(rate_limit, 0, 1000000), "100", "API requests per second per access key (0 = off)" },
	{ "rate-burst", "DTSD_RATE_BURST", I(rate_burst, 1, 1000000), "200", "API request burst per access key" },
	{ "nonce-capacity", "DTSD_NONCE_CAPACITY", I(nonce_capacity, 1000, 100000000), "200000", "signature nonces remembered" },
	{ "time-window", "DTSD_TIME_WINDOW", I(time_window, 1, 86400), "900", "accepted clock skew of signed requests, seconds" },
	{ "connect-timeout", "DTSD_CONNECT_TIMEOUT", I(connect_timeout, 1, 600), "10", "database connect/read timeout, seconds" },
};
#undef S
#undef I
#define N_OPTS (sizeof(opts) / sizeof(opts[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: dtsd [options]\n\nopendts daemon: DTS-compatible API, job scheduler and workers.\n\n");
	for (size_t i = 0; i < N_OPTS; i++)
		fprintf(f, "  --%-16s %s%s%s%s%s%s\n", opts[i].name, opts[i].help,
			opts[i].def ? " [" : "", opts[i].def ? opts[i].def : "", opts[i].def ? "]" : "",
			opts[i].env ? "; env " : "", opts[i].env ? opts[i].env : "");
	fprintf(f, "  --%-16s %s\n  --%-16s %s\n", "version", "print the version", "help", "this text");
	fprintf(f, "\nAccess keys: --credentials FILE, else DTS_ACCESS_KEY_ID + DTS_ACCESS_KEY_SECRET,\n"
		   "else DATA_DIR/credentials; a first start without any generates a pair.\n");
}

static int set_opt(struct options *o, const struct opt *d, const char *v)
{
	char *base = (char *)o + d->off;

	if (d->kind == OPT_STR) {
		*(const char **)base = v;
		return 0;
	}
	if (str_to_ll(v, d->min, d->max, (long long *)base) < 0) {
		fprintf(stderr, "dtsd: --%s must be an integer between %lld and %lld, not \"%s\"\n",
			d->name, d->min, d->max, v);
		return -1;
	}
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	struct option lo[N_OPTS + 3];
	int c, idx;

	for (size_t i = 0; i < N_OPTS; i++) {
		lo[i] = (struct option){ opts[i].name, required_argument, NULL, (int)i + 256 };
		const char *env = opts[i].env ? getenv(opts[i].env) : NULL;
		if ((opts[i].def && set_opt(o, &opts[i], opts[i].def) < 0) ||
		    (env && *env && set_opt(o, &opts[i], env) < 0))
			return -1;
	}
	lo[N_OPTS] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[N_OPTS + 1] = (struct option){ "version", no_argument, NULL, 'V' };
	lo[N_OPTS + 2] = (struct option){ 0 };
	while ((c = getopt_long(argc, argv, "h", lo, &idx)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == 'V') {
			printf("dtsd %s\n", DTSD_VERSION);
			exit(0);
		}
		if (c < 256) {
			usage(stderr);
			return -1;
		}
		if (set_opt(o, &opts[c - 256], optarg) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "dtsd: unexpected argument \"%s\"\n", argv[optind]);
		return -1;
	}
	if (log_level_parse(o->log_level) < 0) {
		fprintf(stderr, "dtsd: --log-level must be error, warn, info or debug\n");
		return -1;
	}
	return 0;
}

static int make_data_dir(const char *dir)
{
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	fprintf(stderr, "dtsd: cannot create data dir \"%s\": %s\n", dir, strerror(errno));
	return -1;
}

static void write_port_file(const char *path, int port)
{
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0)
		log_error("dtsd.port_file", "path=%s msg=\"cannot write\"", path);
}

static int run(struct app *app, const char *port_file)
{
	struct job_service_config jc = {
		.meta_url = app->meta_url, .region = app->region, .max_running = app->job_workers,
		.step_workers = 0, .connect_timeout_s = app->connect_timeout_s,
	};
	struct api_server *srv = NULL;
	struct err err = { 0 };
	struct meta *m;
	sigset_t sigs;
	int sig = 0, rc = 1;

	m = meta_open(app->meta_url, &err);
	if (!m)
		goto fail;
	log_info("dtsd.meta", "url=%s schema_version=%d", app->meta_url, meta_schema_version(m));
	meta_free(m);
	jc.step_workers = app->step_workers ? app->step_workers
					    : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	app->jobs = job_service_new(&jc, &err);
	if (!app->jobs || job_service_start(app->jobs, &err) < 0)
		goto fail;
	srv = api_server_start(app, &err);
	if (!srv)
		goto fail;
	log_info("dtsd.listen", "addr=%s port=%d version=%s", app->listen, api_server_port(srv),
		 DTSD_VERSION);
	write_port_file(port_file, api_server_port(srv));
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigwait(&sigs, &sig);
	log_info("dtsd.shutdown", "signal=%s", sig == SIGTERM ? "TERM" : "INT");
	rc = 0;
	goto out;
fail:
	log_error("dtsd.start", "msg=\"%s\" detail=\"%s\"", err.msg, err.detail);
	fprintf(stderr, "dtsd: %s\n", err.msg);
out:
	api_server_stop(srv);
	job_service_free(app->jobs);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct app app = { 0 };
	struct err err = { 0 };
	sigset_t sigs;
	char *meta_url = NULL;
	int rc;

	cJSON_Hooks hooks = { .malloc_fn = xmalloc, .free_fn = free };

	/* The data steps allocate and free result sets of a few MB per chunk;
	 * without this, glibc hands the memory back and faults it in again for
	 * every chunk (madvise/page faults were a tenth of dtsd's time). Memory
	 * stays bounded by the largest chunk in flight. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);

	/* cJSON allocates with xmalloc too: out of memory aborts with a log
	 * line instead of silently dropping fields from a reply. */
	cJSON_InitHooks(&hooks);
	signal(SIGPIPE, SIG_IGN);
	/* Block the shutdown signals before any thread exists; run() waits for them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if (parse_options(argc, argv, &o) < 0)
		return 2;
	log_level_current = (enum log_level)log_level_parse(o.log_level);
	if (make_data_dir(o.data_dir) < 0)
		return 1;
	meta_url = o.meta ? xstrdup(o.meta) : xasprintf("sqlite:%s/meta.db", o.data_dir);
	app = (struct app){
		.data_dir = o.data_dir, .meta_url = meta_url, .listen = o.listen,
		.region = o.region, .http_threads = (unsigned)o.http_threads,
		.job_workers = (unsigned)o.job_workers, .step_workers = (unsigned)o.step_workers,
		.rate_limit = (double)o.rate_limit,
		.rate_burst = (unsigned)o.rate_burst, .nonce_capacity = (size_t)o.nonce_capacity,
		.time_window_s = (int)o.time_window, .connect_timeout_s = (int)o.connect_timeout,
	};
	app.creds = api_creds_load(o.credentials, o.data_dir, &err);
	if (!app.creds) {
		fprintf(stderr, "dtsd: %s\n", err.msg);
		if (*err.detail)
			fprintf(stderr, "dtsd: %s\n", err.detail);
		free(meta_url);
		return 1;
	}
	rc = run(&app, o.port_file);
	api_creds_free(app.creds);
	free(meta_url);
	return rc;
}
