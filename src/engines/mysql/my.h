/*
 * my.h - the MySQL/MariaDB client of opendts (MariaDB Connector/C), the only
 * code that includes <mysql.h>. This part is the connection layer: connect
 * and log in with bounded timeouts, read the server version, run a simple
 * statement. Later steps reach the raw MYSQL handle through my_raw().
 *
 * Threads: a `struct my_conn` belongs to the thread that opened it and is
 * never shared. The library set-up is done inside: the first my_connect()
 * in the process runs mysql_library_init() once (pthread_once), and the
 * first my_connect() on each thread runs mysql_thread_init(); the matching
 * mysql_thread_end() runs automatically when that thread exits (a pthread
 * key destructor). Callers therefore need no per-thread calls.
 */
#ifndef OPENDTS_ENGINES_MYSQL_MY_H
#define OPENDTS_ENGINES_MYSQL_MY_H

#include <mysql.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

#define MY_DEFAULT_PORT 3306

struct my_conn;

struct my_conn_opts {
	const char *host;        /* name or address; always reached over TCP */
	int port;                /* 0 = 3306 */
	const char *user;
	const char *password;    /* secret: never logged nor put in messages */
	const char *database;    /* default schema; NULL or "" = none */
	int connect_timeout_s;   /* TCP connect and login handshake; 0 = 10 */
	int read_timeout_s;      /* each wait for a server answer; 0 = 30 */
	int write_timeout_s;     /* each write to the server; 0 = 30 */
	bool local_infile;       /* allow LOAD DATA LOCAL (bulk writer, my_load.h);
				  * off by default */
};

/* Connects and logs in with charset utf8mb4, LOCAL INFILE disabled (unless
 * opts->local_infile) and the
 * three timeouts set, so a server that accepts TCP and never answers fails
 * after connect_timeout_s instead of hanging. Returns a new connection that
 * the caller releases with my_close(), or NULL with err set:
 *   ERR_CONNECT  the server's own message, its error number and the target,
 *                e.g. "cannot log in to MySQL server 127.0.0.1:3306 as user
 *                \"x\": Access denied for user 'x'@'127.0.0.1' (using
 *                password: YES) (error 1045)"; err->param names the option
 *                at fault when it is known: "user" (user/password/host
 *                refused), "database" (unknown or forbidden database);
 *   ERR_TIMEOUT  no complete answer within connect_timeout_s;
 *   ERR_INVALID  missing host or user. */
struct my_conn *my_connect(const struct my_conn_opts *opts, struct err *err);

/* Closes the connection and frees it; my_close(NULL) is a no-op. */
void my_close(struct my_conn *c);

/* The version the server announced at login, e.g. "10.11.6-MariaDB-log".
 * Borrowed; valid until my_close(). */
const char *my_server_version(const struct my_conn *c);

/* "host:port" of the connection, for messages. Borrowed, like above. */
const char *my_target(const struct my_conn *c);

/* The underlying handle, for the engine code of later steps (reader, binlog,
 * writer). Borrowed; the connection still owns it. */
MYSQL *my_raw(struct my_conn *c);

/* Runs one statement and discards any result. Errors: ERR_DB with the
 * server's message, error number and SQLSTATE; ERR_TIMEOUT when no answer
 * came within read_timeout_s; ERR_CONNECT when the server hung up. After
 * ERR_TIMEOUT or ERR_CONNECT the connection is unusable: close it. */
int my_query(struct my_conn *c, const char *sql, struct err *err);

/* Runs a query and returns, in *value, a heap copy of the first column of
 * the first row (the caller frees it); *value is NULL when the query
 * returned no row or SQL NULL. Errors as for my_query(). */
int my_query_value(struct my_conn *c, const char *sql, char **value,
		   struct err *err);

/* ---- multi-row results and quoting ---------------------------------------
 * For catalog and settings queries whose answer fits in memory. */

struct my_rows;

/* Runs a query and keeps its whole result; returns it (free with
 * my_rows_free) or NULL with err set as for my_query(). A statement without
 * a result set gives an empty result. */
struct my_rows *my_query_rows(struct my_conn *c, const char *sql, struct err *err);
/* Moves to the next row (the first on the first call); false at the end. */
bool my_rows_next(struct my_rows *r);
/* Column `col` of the current row as text, or NULL for SQL NULL (or no such
 * column). Borrowed; valid until the next my_rows_next() or my_rows_free(). */
const char *my_rows_get(const struct my_rows *r, unsigned col);
size_t my_rows_count(const struct my_rows *r);
void my_rows_free(struct my_rows *r);   /* NULL is a no-op */

/* Appends s as a single-quoted SQL string literal, escaped by the client
 * library for the connection's character set and sql_mode. -1 when the
 * buffer cap is reached. */
int my_quote_literal(struct my_conn *c, struct buf *out, const char *s);
/* The same for s[0..n), binary-safe (NUL bytes are escaped). */
int my_quote_literaln(struct my_conn *c, struct buf *out, const char *s, size_t n);
/* Appends name as a backtick-quoted identifier (backticks doubled). */
int my_quote_ident(struct buf *out, const char *name);

#endif
