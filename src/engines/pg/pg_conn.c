/*
 * pg_conn.c - connections to PostgreSQL servers through libpq (see pg.h).
 *
 * Threads: stateless apart from each connection, which one thread owns.
 * libpq errors are converted here into struct err with the target named;
 * libpq's own "connection to server at ..., port N failed:" prefix is
 * dropped because our message names the target already. The password never
 * appears in a message.
 *
 * Queries are sent asynchronously and awaited with poll() so that a server
 * that stops answering cannot hold a thread past read_timeout_s (libpq has
 * no read timeout of its own).
 */
#include "engines/pg/pg.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define DEFAULT_CONNECT_TIMEOUT_S 10
#define DEFAULT_IO_TIMEOUT_S 30

struct pg_conn {
	PGconn *pg;
	char target[300];        /* "host:port" */
	char version[32];        /* "15.18" */
	int read_timeout_s;
	bool broken;             /* a query timed out: the protocol state is unknown */
};

/* libpq's message on one line, without its "connection to server at ...
 * failed: " prefix and trailing newline. */
static void clean_message(const char *raw, char *out, size_t n)
{
	const char *p = raw ? raw : "";
	size_t j = 0;

	if (strncmp(p, "connection to server ", 21) == 0 && strstr(p, " failed: "))
		p = strstr(p, " failed: ") + 9;
	for (; *p && j + 3 < n; p++) {
		if (*p == '\n') {
			if (p[1] == '\0')
				break;
			out[j++] = ';';
			out[j++] = ' ';
		} else if (*p == '\t') {
			if (j > 0 && out[j - 1] != ' ')
				out[j++] = ' ';
		} else {
			out[j++] = *p;
		}
	}
	out[j] = '\0';
}

static void connect_error(PGconn *pg, const struct pg_conn_opts *o, const char *db,
			  const char *target, struct err *err)
{
	char msg[400];

	clean_message(pg ? PQerrorMessage(pg) : "out of memory", msg, sizeof(msg));
	/* libpq gives no SQLSTATE for a failed login, so the server's (English)
	 * text is the only clue to which option was wrong. */
	if (strstr(msg, "password authentication failed") || strstr(msg, "pg_hba.conf") ||
	    strstr(msg, "no password supplied") || strstr(msg, "role \"")) {
		err_param(err, ERR_CONNECT, "user",
			  "cannot log in to PostgreSQL server %s as user \"%s\": %s",
			  target, o->user, msg);
		err_detail(err, "check the user name and password, and that pg_hba.conf "
			   "lets this user connect from this server's address");
	} else if (strstr(msg, "database \"") && strstr(msg, "does not exist")) {
		err_param(err, ERR_CONNECT, "database",
			  "cannot open database \"%s\" on PostgreSQL server %s as user "
			  "\"%s\": %s", db, target, o->user, msg);
		err_detail(err, "check the database name");
	} else if (strstr(msg, "timeout expired")) {
		err_set(err, ERR_TIMEOUT, "PostgreSQL server %s did not complete the login "
			"within %d s: %s", target, o->connect_timeout_s > 0 ?
			o->connect_timeout_s : DEFAULT_CONNECT_TIMEOUT_S, msg);
		err_detail(err, "the port accepts TCP connections but no PostgreSQL server "
			   "answered: check that this is the port of a PostgreSQL server "
			   "and that the server is not overloaded");
	} else {
		err_set(err, ERR_CONNECT, "cannot connect to PostgreSQL server %s: %s",
			target, msg);
		err_detail(err, "check that the address and port belong to a PostgreSQL "
			   "server that accepts connections");
	}
}

static void format_version(int v, char *out, size_t n)
{
	if (v >= 100000)
		snprintf(out, n, "%d.%d", v / 10000, v % 10000);
	else
		snprintf(out, n, "%d.%d.%d", v / 10000, v / 100 % 100, v % 100);
}

struct pg_conn *pg_connect(const struct pg_conn_opts *o, struct err *err)
{
	int port = o->port > 0 ? o->port : PG_DEFAULT_PORT;
	int ct = o->connect_timeout_s > 0 ? o->connect_timeout_s : DEFAULT_CONNECT_TIMEOUT_S;
	int wt = o->write_timeout_s > 0 ? o->write_timeout_s : DEFAULT_IO_TIMEOUT_S;
	const char *db = o->database && *o->database ? o->database : "postgres";
	char port_s[16], ct_s[16], wt_s[24], target[300];
	struct pg_conn *c;
	PGconn *pg;

	if (!o->host || !*o->host || !o->user || !*o->user) {
		err_set(err, ERR_INVALID, "PostgreSQL connection needs a host and a user");
		return NULL;
	}
	snprintf(target, sizeof(target), "%s%s%s:%d", strchr(o->host, ':') ? "[" : "",
		 o->host, strchr(o->host, ':') ? "]" : "", port);
	snprintf(port_s, sizeof(port_s), "%d", port);
	snprintf(ct_s, sizeof(ct_s), "%d", ct);
	snprintf(wt_s, sizeof(wt_s), "%d", wt * 1000);
	{
		const char *const keys[] = {
			"host", "port", "user", "password", "dbname", "connect_timeout",
			"application_name", "client_encoding", "keepalives",
			"tcp_user_timeout", NULL };
		const char *const vals[] = {
			o->host, port_s, o->user, o->password ? o->password : "", db, ct_s,
			"opendts", "UTF8", "1", wt_s, NULL };

		pg = PQconnectdbParams(keys, vals, 0);
	}
	if (!pg || PQstatus(pg) != CONNECTION_OK) {
		connect_error(pg, o, db, target, err);
		PQfinish(pg);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->pg = pg;
	str_copy(c->target, sizeof(c->target), target);
	format_version(PQserverVersion(pg), c->version, sizeof(c->version));
	c->read_timeout_s = o->read_timeout_s > 0 ? o->read_timeout_s : DEFAULT_IO_TIMEOUT_S;
	return c;
}

void pg_close(struct pg_conn *c)
{
	if (!c)
		return;
	PQfinish(c->pg);
	free(c);
}

const char *pg_server_version(const struct pg_conn *c)
{
	return c->version;
}

const char *pg_target(const struct pg_conn *c)
{
	return c->target;
}

PGconn *pg_raw(struct pg_conn *c)
{
	return c->pg;
}

int pg_read_timeout_s(const struct pg_conn *c)
{
	return c->read_timeout_s;
}

static void lost(struct pg_conn *c, struct err *err)
{
	char msg[400];

	clean_message(PQerrorMessage(c->pg), msg, sizeof(msg));
	err_set(err, ERR_CONNECT, "lost the connection to PostgreSQL server %s: %s",
		c->target, msg);
}

/* Waits for the answer to the statement just sent, keeping the first result
 * in *first and discarding the others. */
static int await(struct pg_conn *c, PGresult **first, struct err *err)
{
	int64_t deadline = time_mono_ms() + (int64_t)c->read_timeout_s * 1000;

	for (;;) {
		struct pollfd pfd = { .fd = PQsocket(c->pg), .events = POLLIN };
		int64_t left;
		int rc;

		while (!PQisBusy(c->pg)) {
			PGresult *r = PQgetResult(c->pg);

			if (!r)
				return 0;
			if (!*first)
				*first = r;
			else
				PQclear(r);
		}
		left = deadline - time_mono_ms();
		if (left <= 0) {
			c->broken = true;
			err_set(err, ERR_TIMEOUT, "PostgreSQL server %s did not answer within "
				"%d s", c->target, c->read_timeout_s);
			return -1;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno != EINTR) {
			err_sys(err, ERR_IO, errno, "waiting for PostgreSQL server %s", c->target);
			return -1;
		}
		if (rc > 0 && !PQconsumeInput(c->pg)) {
			lost(c, err);
			return -1;
		}
	}
}

static void result_error(struct pg_conn *c, const PGresult *r, struct err *err)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);

	err_set(err, ERR_DB, "query on PostgreSQL server %s failed: %s (sqlstate %s)",
		c->target, primary ? primary : PQresStatus(PQresultStatus(r)),
		state ? state : "none");
}

/* Sends sql with text parameters and waits for its result: *out is the
 * successful result (caller PQclear()s it), or NULL with err set. */
static int exec_params(struct pg_conn *c, const char *sql, int nparams,
		       const char *const *params, PGresult **out, struct err *err)
{
	PGresult *r = NULL;
	ExecStatusType st;

	*out = NULL;
	if (c->broken) {
		err_set(err, ERR_CONNECT, "connection to PostgreSQL server %s is unusable "
			"after a timeout", c->target);
		return -1;
	}
	if (!PQsendQueryParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0)) {
		lost(c, err);
		return -1;
	}
	if (await(c, &r, err) < 0)
		goto fail;
	if (!r) {
		lost(c, err);
		goto fail;
	}
	st = PQresultStatus(r);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		result_error(c, r, err);
		goto fail;
	}
	*out = r;
	return 0;
fail:
	PQclear(r);
	return -1;
}

int pg_query_value(struct pg_conn *c, const char *sql, char **value, struct err *err)
{
	PGresult *r = NULL;

	if (value)
		*value = NULL;
	if (exec_params(c, sql, 0, NULL, &r, err) < 0)
		return -1;
	if (value && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
	    PQnfields(r) > 0 && !PQgetisnull(r, 0, 0))
		*value = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

/* ---- multi-row results, quoting ------------------------------------------ */

struct pg_rows {
	PGresult *res;
};

struct pg_rows *pg_query_rows(struct pg_conn *c, const char *sql, int nparams,
			      const char *const *params, struct err *err)
{
	struct pg_rows *rows;
	PGresult *r;

	if (exec_params(c, sql, nparams, params, &r, err) < 0)
		return NULL;
	rows = xcalloc(1, sizeof(*rows));
	rows->res = r;
	return rows;
}

size_t pg_rows_count(const struct pg_rows *r)
{
	return PQresultStatus(r->res) == PGRES_TUPLES_OK ? (size_t)PQntuples(r->res) : 0;
}

const char *pg_rows_get(const struct pg_rows *r, size_t row, int col)
{
	if (row >= pg_rows_count(r) || col < 0 || col >= PQnfields(r->res) ||
	    PQgetisnull(r->res, (int)row, col))
		return NULL;
	return PQgetvalue(r->res, (int)row, col);
}

void pg_rows_free(struct pg_rows *r)
{
	if (!r)
		return;
	PQclear(r->res);
	free(r);
}

int pg_quote_ident(struct buf *out, const char *name)
{
	if (buf_putc(out, '"') < 0)
		return -1;
	for (const char *p = name; *p; p++)
		if ((*p == '"' && buf_putc(out, '"') < 0) || buf_putc(out, *p) < 0)
			return -1;
	return buf_putc(out, '"');
}
