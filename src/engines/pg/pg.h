/*
 * pg.h - the PostgreSQL client of opendts (libpq), the only code that
 * includes <libpq-fe.h>. This part is the connection layer: connect and log
 * in with bounded timeouts, read the server version, run a simple query.
 * Later steps (COPY writer, logical decoding) reach the raw handle through
 * pg_raw().
 *
 * Threads: libpq is thread-safe as long as a connection is used by one
 * thread at a time; a `struct pg_conn` belongs to the thread that opened it
 * and is never shared. No per-thread set-up is needed.
 */
#ifndef OPENDTS_ENGINES_PG_PG_H
#define OPENDTS_ENGINES_PG_PG_H

#include <libpq-fe.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

#define PG_DEFAULT_PORT 5432

struct pg_conn;

struct pg_conn_opts {
	const char *host;        /* name or address (a path = Unix socket dir) */
	int port;                /* 0 = 5432 */
	const char *user;
	const char *password;    /* secret: never logged nor put in messages */
	const char *database;    /* NULL or "" = "postgres" */
	int connect_timeout_s;   /* per address, connect + login; 0 = 10, min 2 */
	int read_timeout_s;      /* each wait for a query answer; 0 = 30 */
	int write_timeout_s;     /* unacknowledged sent data (tcp_user_timeout); 0 = 30 */
};

/* Connects and logs in with PQconnectdbParams (keywords host, port, user,
 * password, dbname, connect_timeout, application_name=opendts,
 * client_encoding=UTF8, keepalives, tcp_user_timeout; the values are never
 * pasted into a conninfo string, so no value can inject another keyword).
 * Returns a new connection that the caller releases with pg_close(), or NULL
 * with err set:
 *   ERR_CONNECT  libpq's message (which carries the server's own text) and
 *                the target, e.g. "cannot log in to PostgreSQL server
 *                127.0.0.1:5432 as user \"x\": FATAL:  password
 *                authentication failed for user \"x\""; err->param names the
 *                option at fault when known: "user" (user/password/pg_hba
 *                refused), "database" (no such database);
 *   ERR_TIMEOUT  no complete answer within connect_timeout_s (libpq tries
 *                each address of a name in turn, each with that bound);
 *   ERR_INVALID  missing host or user. */
struct pg_conn *pg_connect(const struct pg_conn_opts *opts, struct err *err);

/* Closes the connection and frees it; pg_close(NULL) is a no-op. */
void pg_close(struct pg_conn *c);

/* The server version in short form, "15.18" (or "9.6.24" before 10).
 * Borrowed; valid until pg_close(). */
const char *pg_server_version(const struct pg_conn *c);

/* "host:port" of the connection, for messages. Borrowed, like above. */
const char *pg_target(const struct pg_conn *c);

/* The underlying handle for the engine code of later steps. Borrowed. */
PGconn *pg_raw(struct pg_conn *c);

/* read_timeout_s of the connection (the default applied), for engine code
 * that waits on pg_raw() itself (the COPY writer). */
int pg_read_timeout_s(const struct pg_conn *c);

/* Runs one statement (no parameters) and returns, in *value, a heap copy of
 * the first column of the first row (the caller frees it; NULL when there
 * is no row or SQL NULL). `value` may be NULL to discard the result.
 * Errors: ERR_DB with the server's message and SQLSTATE; ERR_CONNECT when
 * the connection is lost; ERR_TIMEOUT when no answer came within
 * read_timeout_s (the connection is then unusable: close it). */
int pg_query_value(struct pg_conn *c, const char *sql, char **value,
		   struct err *err);

/* ---- multi-row results and quoting ---------------------------------------
 * For catalog and settings queries whose answer fits in memory. */

struct pg_rows;

/* Runs sql with nparams text parameters ($1, $2... bound by libpq, never
 * pasted; params may be NULL when nparams is 0) and keeps the whole result:
 * returns it (free with pg_rows_free) or NULL with err set as for
 * pg_query_value(). */
struct pg_rows *pg_query_rows(struct pg_conn *c, const char *sql, int nparams,
			      const char *const *params, struct err *err);
size_t pg_rows_count(const struct pg_rows *r);
/* The value at (row, col) as text, or NULL for SQL NULL or out of range.
 * Borrowed; valid until pg_rows_free(). */
const char *pg_rows_get(const struct pg_rows *r, size_t row, int col);
void pg_rows_free(struct pg_rows *r);   /* NULL is a no-op */

/* Appends name as a double-quoted identifier (quotes doubled), so the
 * server keeps its case. -1 when the buffer cap is reached. */
int pg_quote_ident(struct buf *out, const char *name);

#endif
