/*
 * itest.c - integration test helpers: a real dtsd child process, the C
 * client, the harness servers from the environment. Single-threaded tests.
 */
#include "itest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool env_db(struct itest_db *db, const char *pfx, const char *def_db)
{
	char k[32];
	const char *port;

	snprintf(k, sizeof(k), "%s_HOST", pfx);
	db->host = getenv(k);
	snprintf(k, sizeof(k), "%s_PORT", pfx);
	port = getenv(k);
	snprintf(k, sizeof(k), "%s_USER", pfx);
	db->user = getenv(k);
	snprintf(k, sizeof(k), "%s_PASSWORD", pfx);
	db->password = getenv(k);
	snprintf(k, sizeof(k), "%s_DATABASE", pfx);
	db->database = getenv(k) ? getenv(k) : def_db;
	db->port = port ? atoi(port) : 0;
	return db->host && db->user && db->password && db->port > 0;
}

bool itest_mysql(struct itest_db *db)
{
	return env_db(db, "MY", "");
}

bool itest_pg(struct itest_db *db)
{
	return env_db(db, "PG", "postgres");
}

static const char *dtsd_bin(void)
{
	const char *b = getenv("DTSD_BIN");

	return b && *b ? b : "build/dtsd";
}

static int write_creds(const char *dir)
{
	char path[320];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/itest-credentials", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		return -1;
	fprintf(f, "%s %s\n", ITEST_KEY_ID, ITEST_SECRET);
	return fclose(f);
}

static int read_port(const char *dir)
{
	char path[320];
	FILE *f;
	int port = 0;

	snprintf(path, sizeof(path), "%s/port", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &port) != 1)
		port = 0;
	fclose(f);
	return port;
}

static void spawn(struct itest_dtsd *d, const char *const *extra)
{
	char creds[320], port_file[320];
	const char *argv[32];
	int n = 0;

	snprintf(creds, sizeof(creds), "%s/itest-credentials", d->data_dir);
	snprintf(port_file, sizeof(port_file), "%s/port", d->data_dir);
	unlink(port_file);
	argv[n++] = dtsd_bin();
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--data-dir";
	argv[n++] = d->data_dir;
	argv[n++] = "--credentials";
	argv[n++] = creds;
	argv[n++] = "--port-file";
	argv[n++] = port_file;
	argv[n++] = "--log-level";
	argv[n++] = getenv("ITEST_LOG_LEVEL") ? getenv("ITEST_LOG_LEVEL") : "warn";
	for (int i = 0; extra && extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	d->pid = fork();
	if (d->pid == 0) {
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "itest: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
}

int itest_dtsd_start(struct itest_dtsd *d, const char *data_dir, const char *const *extra)
{
	struct dts_client_config cfg = { 0 };
	struct err err = { 0 };

	if (data_dir) {
		snprintf(d->data_dir, sizeof(d->data_dir), "%s", data_dir);
	} else {
		snprintf(d->data_dir, sizeof(d->data_dir), "/tmp/opendts-itest.XXXXXX");
		if (!mkdtemp(d->data_dir))
			return -1;
	}
	if (write_creds(d->data_dir) < 0)
		return -1;
	spawn(d, extra);
	d->port = 0;
	for (int i = 0; i < 300 && !d->port; i++) {
		int st;
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			fprintf(stderr, "itest: dtsd exited during start-up\n");
			d->pid = 0;
			return -1;
		}
		sleep_ms(50);
		d->port = read_port(d->data_dir);
	}
	if (!d->port) {
		fprintf(stderr, "itest: dtsd did not write its port within 15 s\n");
		return -1;
	}
	snprintf(d->endpoint, sizeof(d->endpoint), "127.0.0.1:%d", d->port);
	cfg.endpoint = d->endpoint;
	cfg.access_key_id = ITEST_KEY_ID;
	cfg.access_key_secret = ITEST_SECRET;
	cfg.timeout_ms = 10000;
	dts_client_free(d->client);
	d->client = dts_client_new(&cfg, &err);
	if (!d->client) {
		fprintf(stderr, "itest: client: %s\n", err.msg);
		return -1;
	}
	return 0;
}

int itest_dtsd_stop(struct itest_dtsd *d, bool hard)
{
	int st = 0;

	dts_client_free(d->client);
	d->client = NULL;
	if (d->pid <= 0)
		return -1;
	kill(d->pid, hard ? SIGKILL : SIGTERM);
	for (int i = 0; i < 300; i++) {
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		sleep_ms(50);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &st, 0);
	d->pid = 0;
	return -1;
}

void itest_dtsd_destroy(struct itest_dtsd *d)
{
	char cmd[320];

	if (d->pid > 0)
		itest_dtsd_stop(d, false);
	dts_client_free(d->client);
	d->client = NULL;
	if (d->data_dir[0] && strncmp(d->data_dir, "/tmp/opendts-itest.", 19) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->data_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "itest: cannot remove %s\n", d->data_dir);
	}
}

int itest_callv(struct itest_dtsd *d, cJSON **reply, const char *action,
		const struct kvlist *params)
{
	struct err err = { 0 };
	int status = 0;

	*reply = NULL;
	if (dts_client_call(d->client, action, params, reply, &status, &err) < 0 && !*reply)
		fprintf(stderr, "itest: %s: %s\n", action, err.msg);
	return status;
}

int itest_call(struct itest_dtsd *d, cJSON **reply, const char *action, ...)
{
	struct kvlist p;
	va_list ap;
	const char *k;
	int status;

	kvlist_init(&p);
	va_start(ap, action);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		kvlist_add(&p, k, v);
	}
	va_end(ap);
	status = itest_callv(d, reply, action, &p);
	kvlist_release(&p);
	return status;
}

const char *itest_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

double itest_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

char *itest_wait_status(struct itest_dtsd *d, const char *job_id, int timeout_ms, ...)
{
	char *last = NULL;

	for (int waited = 0; waited <= timeout_ms; waited += 100) {
		cJSON *r = NULL;
		va_list ap;
		const char *s;

		itest_call(d, &r, "DescribeDtsJobDetail", "DtsJobId", job_id, NULL);
		free(last);
		last = strdup(itest_str(r, "Status"));
		cJSON_Delete(r);
		va_start(ap, timeout_ms);
		while ((s = va_arg(ap, const char *)) != NULL)
			if (strcmp(s, last) == 0) {
				va_end(ap);
				return last;
			}
		va_end(ap);
		sleep_ms(100);
	}
	return last;
}

void itest_src_params(struct kvlist *p, const struct itest_db *db, const char *password)
{
	char port[16];

	snprintf(port, sizeof(port), "%d", db->port);
	kvlist_set(p, "SourceEndpointInstanceType", "OTHER");
	kvlist_set(p, "SourceEndpointEngineName", "MySQL");
	kvlist_set(p, "SourceEndpointIP", db->host);
	kvlist_set(p, "SourceEndpointPort", port);
	kvlist_set(p, "SourceEndpointUserName", db->user);
	kvlist_set(p, "SourceEndpointPassword", password ? password : db->password);
}

void itest_dst_params(struct kvlist *p, const struct itest_db *db, const char *engine,
		      const char *password)
{
	char port[16];

	snprintf(port, sizeof(port), "%d", db->port);
	kvlist_set(p, "DestinationEndpointInstanceType", "OTHER");
	kvlist_set(p, "DestinationEndpointEngineName", engine);
	kvlist_set(p, "DestinationEndpointIP", db->host);
	kvlist_set(p, "DestinationEndpointPort", port);
	kvlist_set(p, "DestinationEndpointUserName", db->user);
	kvlist_set(p, "DestinationEndpointPassword", password ? password : db->password);
	if (db->database && *db->database)
		kvlist_set(p, "DestinationEndpointDataBaseName", db->database);
}

int itest_mysql_exec(const char *sql)
{
	struct itest_db db;
	char port[16];
	pid_t pid;
	int st;

	if (!itest_mysql(&db))
		return -1;
	snprintf(port, sizeof(port), "%d", db.port);
	pid = fork();
	if (pid == 0) {
		setenv("MYSQL_PWD", db.password, 1);
		execlp("mariadb", "mariadb", "-h", db.host, "-P", port, "-u", db.user,
		       "--batch", "-e", sql, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void *silent_main(void *arg)
{
	struct itest_silent *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };

		if (poll(&p, 1, 50) > 0 && s->n < 64) {
			int c = accept(s->fd, NULL, NULL);

			if (c >= 0)
				s->conns[s->n++] = c;   /* held open, never written */
		}
	}
	return NULL;
}

void itest_silent_start(struct itest_silent *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(s->fd, 64) != 0 || getsockname(s->fd, (struct sockaddr *)&a, &len) != 0) {
		fprintf(stderr, "itest: cannot listen on loopback: %s\n", strerror(errno));
		abort();
	}
	s->port = ntohs(a.sin_port);
	atomic_init(&s->stop, false);
	if (pthread_create(&s->thread, NULL, silent_main, s) != 0)
		abort();
}

void itest_silent_stop(struct itest_silent *s)
{
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	for (int i = 0; i < s->n; i++)
		close(s->conns[i]);
	close(s->fd);
}

int itest_closed_port(void)
{
	struct itest_silent s;
	int port;

	itest_silent_start(&s);
	port = s.port;
	itest_silent_stop(&s);
	return port;
}
