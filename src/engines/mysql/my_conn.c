/*
 * my_conn.c - connections to MySQL/MariaDB servers through Connector/C
 * (see my.h).
 *
 * Threads: the library is initialised once per process (pthread_once) and
 * once per thread that connects (mysql_thread_init on the first my_connect
 * of a thread; a pthread key destructor runs mysql_thread_end when that
 * thread exits). A struct my_conn is owned by one thread at a time; nothing
 * here is shared except the once-flag and the key.
 *
 * Errors are converted here, at the library boundary, into struct err with
 * the server's own message and error number and the host:port named; the
 * password never appears in any message.
 */
#include "engines/mysql/my.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <pthread.h>
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

struct my_conn {
	MYSQL *mysql;
	char target[300];        /* "host:port" */
	int read_timeout_s;
	int64_t query_start_ms;  /* monotonic, to tell a timeout from a hang-up */
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;
static int lib_rc = -1;      /* written once under lib_once */

static void thread_end(void *unused)
{
	(void)unused;
	mysql_thread_end();
}

static void lib_init(void)
{
	if (mysql_library_init(0, NULL, NULL) != 0)
		return;
	if (pthread_key_create(&thread_key, thread_end) != 0)
		return;
	lib_rc = 0;
}

/* Library once per process, thread state once per thread. */
static int lib_setup(struct err *err)
{
	pthread_once(&lib_once, lib_init);
	if (lib_rc != 0) {
		err_set(err, ERR_INTERNAL, "cannot initialise the MySQL client library");
		return -1;
	}
	if (pthread_getspecific(thread_key))
		return 0;
	if (mysql_thread_init() != 0) {
		err_set(err, ERR_INTERNAL, "cannot initialise the MySQL client library for this thread");
		return -1;
	}
	/* Any non-NULL value makes the destructor run at thread exit. */
	pthread_setspecific(thread_key, &lib_rc);
	return 0;
}

static int set_options(MYSQL *m, const struct my_conn_opts *o, struct err *err)
{
	unsigned int ct = o->connect_timeout_s > 0 ? (unsigned)o->connect_timeout_s
						   : DEFAULT_CONNECT_TIMEOUT_S;
	unsigned int rt = o->read_timeout_s > 0 ? (unsigned)o->read_timeout_s
						: DEFAULT_IO_TIMEOUT_S;
	unsigned int wt = o->write_timeout_s > 0 ? (unsigned)o->write_timeout_s
						 : DEFAULT_IO_TIMEOUT_S;
	unsigned int proto = MYSQL_PROTOCOL_TCP, infile = o->local_infile ? 1 : 0;

	/* TCP even for "localhost": the endpoint is a host and a port, and the
	 * precheck has probed exactly that port. */
	if (mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &proto) ||
	    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &ct) ||
	    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &rt) ||
	    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &wt) ||
	    mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") ||
	    mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &infile)) {
		err_set(err, ERR_INTERNAL, "cannot set MySQL client options: %s",
			mysql_error(m));
		return -1;
	}
	return 0;
}

static bool is_login_refusal(unsigned no)
{
	return no == ER_ACCESS_DENIED_ERROR || no == ER_ACCESS_DENIED_NO_PASSWORD_ERROR ||
	       no == ER_HOST_NOT_PRIVILEGED || no == ER_NOT_SUPPORTED_AUTH_MODE ||
	       no == CR_AUTH_PLUGIN_CANNOT_LOAD;
}

/* Converts a failed mysql_real_connect into err. `waited_ms` tells a
 * timeout from a server that hung up at once. */
static void connect_error(MYSQL *m, const struct my_conn_opts *o, const char *target,
			  int64_t waited_ms, unsigned timeout_s, struct err *err)
{
	unsigned no = mysql_errno(m);
	const char *msg = mysql_error(m);

	if (is_login_refusal(no)) {
		err_param(err, ERR_CONNECT, "user",
			  "cannot log in to MySQL server %s as user \"%s\": %s (error %u)",
			  target, o->user, msg, no);
		err_detail(err, "check the user name and password, and that this account "
			   "may connect from this server's address");
	} else if (no == ER_BAD_DB_ERROR || no == ER_DBACCESS_DENIED_ERROR) {
		err_param(err, ERR_CONNECT, "database",
			  "cannot open database \"%s\" on MySQL server %s as user \"%s\": "
			  "%s (error %u)", o->database, target, o->user, msg, no);
		err_detail(err, "check the database name, and that the user has "
			   "privileges on it");
	} else if ((no == CR_SERVER_LOST || no == CR_SERVER_GONE_ERROR) &&
		   waited_ms + 250 >= (int64_t)timeout_s * 1000) {
		err_set(err, ERR_TIMEOUT, "MySQL server %s did not complete the login "
			"within %u s: %s (error %u)", target, timeout_s, msg, no);
		err_detail(err, "the port accepts TCP connections but no MySQL server "
			   "answered: check that this is the port of a MySQL/MariaDB "
			   "server and that the server is not overloaded");
	} else if (no < CR_MIN_ERROR || no > CR_MAX_ERROR) {
		err_set(err, ERR_CONNECT, "MySQL server %s refused the connection of "
			"user \"%s\": %s (error %u)", target, o->user, msg, no);
	} else {
		err_set(err, ERR_CONNECT, "cannot connect to MySQL server %s: %s (error %u)",
			target, msg, no);
		err_detail(err, "check that the address and port belong to a "
			   "MySQL/MariaDB server that accepts connections");
	}
}

struct my_conn *my_connect(const struct my_conn_opts *o, struct err *err)
{
	struct my_conn *c = NULL;
	MYSQL *m = NULL;
	int port = o->port > 0 ? o->port : MY_DEFAULT_PORT;
	unsigned ct = o->connect_timeout_s > 0 ? (unsigned)o->connect_timeout_s
					       : DEFAULT_CONNECT_TIMEOUT_S;
	char target[300];
	int64_t start;

	if (!o->host || !*o->host || !o->user || !*o->user) {
		err_set(err, ERR_INVALID, "MySQL connection needs a host and a user");
		return NULL;
	}
	snprintf(target, sizeof(target), "%s%s%s:%d", strchr(o->host, ':') ? "[" : "",
		 o->host, strchr(o->host, ':') ? "]" : "", port);
	if (lib_setup(err) < 0)
		return NULL;
	m = mysql_init(NULL);
	if (!m) {
		err_set(err, ERR_INTERNAL, "cannot allocate a MySQL connection to %s", target);
		return NULL;
	}
	if (set_options(m, o, err) < 0)
		goto fail;
	start = time_mono_ms();
	if (!mysql_real_connect(m, o->host, o->user, o->password ? o->password : "",
				o->database && *o->database ? o->database : NULL,
				(unsigned)port, NULL, 0)) {
		connect_error(m, o, target, time_mono_ms() - start, ct, err);
		goto fail;
	}
	c = xcalloc(1, sizeof(*c));
	c->mysql = m;
	str_copy(c->target, sizeof(c->target), target);
	c->read_timeout_s = o->read_timeout_s > 0 ? o->read_timeout_s : DEFAULT_IO_TIMEOUT_S;
	return c;
fail:
	mysql_close(m);
	return NULL;
}

void my_close(struct my_conn *c)
{
	if (!c)
		return;
	mysql_close(c->mysql);
	free(c);
}

const char *my_server_version(const struct my_conn *c)
{
	return mysql_get_server_info(c->mysql);
}

const char *my_target(const struct my_conn *c)
{
	return c->target;
}

MYSQL *my_raw(struct my_conn *c)
{
	return c->mysql;
}

static void query_error(struct my_conn *c, struct err *err)
{
	unsigned no = mysql_errno(c->mysql);
	int64_t waited_ms = time_mono_ms() - c->query_start_ms;

	if (no == CR_SERVER_LOST && waited_ms + 250 >= (int64_t)c->read_timeout_s * 1000) {
		err_set(err, ERR_TIMEOUT, "MySQL server %s did not answer within %d s: %s "
			"(error %u)", c->target, c->read_timeout_s, mysql_error(c->mysql), no);
		err_detail(err, "the statement ran longer than the read timeout, or the "
			   "server stopped answering; the connection is closed");
	} else if (no == CR_SERVER_LOST || no == CR_SERVER_GONE_ERROR) {
		err_set(err, ERR_CONNECT, "lost the connection to MySQL server %s: %s "
			"(error %u)", c->target, mysql_error(c->mysql), no);
	} else {
		err_set(err, ERR_DB, "query on MySQL server %s failed: %s (error %u, "
			"sqlstate %s)", c->target, mysql_error(c->mysql), no,
			mysql_sqlstate(c->mysql));
	}
}

/* Reads and frees the results after the first one (multi-results from
 * procedures), so the connection is ready for the next statement. */
static int drain_rest(struct my_conn *c, struct err *err)
{
	for (;;) {
		int rc = mysql_next_result(c->mysql);
		MYSQL_RES *r;

		if (rc < 0)
			return 0;
		if (rc > 0)
			goto fail;
		r = mysql_store_result(c->mysql);
		if (r)
			mysql_free_result(r);
		else if (mysql_errno(c->mysql))
			goto fail;
	}
fail:
	query_error(c, err);
	return -1;
}

int my_query(struct my_conn *c, const char *sql, struct err *err)
{
	char *unused = NULL;
	int rc = my_query_value(c, sql, &unused, err);

	free(unused);
	return rc;
}

int my_query_value(struct my_conn *c, const char *sql, char **value, struct err *err)
{
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	int rc = -1;

	*value = NULL;
	c->query_start_ms = time_mono_ms();
	if (mysql_real_query(c->mysql, sql, strlen(sql)) != 0) {
		query_error(c, err);
		return -1;
	}
	r = mysql_store_result(c->mysql);
	if (!r) {
		if (mysql_errno(c->mysql)) {
			query_error(c, err);
			return -1;
		}
		return drain_rest(c, err);   /* a statement without a result set */
	}
	row = mysql_fetch_row(r);
	if (row && mysql_num_fields(r) > 0 && row[0]) {
		unsigned long *lens = mysql_fetch_lengths(r);

		*value = xstrndup(row[0], lens[0]);
	}
	mysql_free_result(r);
	rc = drain_rest(c, err);
	if (rc < 0) {
		free(*value);
		*value = NULL;
	}
	return rc;
}

/* ---- multi-row results, quoting ------------------------------------------ */

struct my_rows {
	MYSQL_RES *res;
	MYSQL_ROW row;           /* the current row, NULL before the first next() */
	unsigned ncols;
};

struct my_rows *my_query_rows(struct my_conn *c, const char *sql, struct err *err)
{
	struct my_rows *rows;
	MYSQL_RES *r;

	c->query_start_ms = time_mono_ms();
	if (mysql_real_query(c->mysql, sql, strlen(sql)) != 0) {
		query_error(c, err);
		return NULL;
	}
	r = mysql_store_result(c->mysql);
	if (!r && mysql_errno(c->mysql)) {
		query_error(c, err);
		return NULL;
	}
	if (drain_rest(c, err) < 0) {
		if (r)
			mysql_free_result(r);
		return NULL;
	}
	rows = xcalloc(1, sizeof(*rows));
	rows->res = r;            /* NULL: a statement without a result set */
	rows->ncols = r ? mysql_num_fields(r) : 0;
	return rows;
}

bool my_rows_next(struct my_rows *r)
{
	if (!r->res)
		return false;
	r->row = mysql_fetch_row(r->res);
	return r->row != NULL;
}

const char *my_rows_get(const struct my_rows *r, unsigned col)
{
	if (!r->row || col >= r->ncols)
		return NULL;
	return r->row[col];
}

size_t my_rows_count(const struct my_rows *r)
{
	return r->res ? (size_t)mysql_num_rows(r->res) : 0;
}

void my_rows_free(struct my_rows *r)
{
	if (!r)
		return;
	if (r->res)
		mysql_free_result(r->res);
	free(r);
}

int my_quote_literal(struct my_conn *c, struct buf *out, const char *s)
{
	return my_quote_literaln(c, out, s, strlen(s));
}

int my_quote_literaln(struct my_conn *c, struct buf *out, const char *s, size_t n)
{
	char *tmp = xmalloc(2 * n + 1);
	unsigned long len;
	int rc;

	/* Connector/C escapes for the connection's character set and, when the
	 * server reports NO_BACKSLASH_ESCAPES, by doubling quotes instead. */
	len = mysql_real_escape_string(c->mysql, tmp, s, (unsigned long)n);
	rc = len == (unsigned long)-1 ? -1 : 0;
	if (rc == 0)
		rc = buf_putc(out, '\'') < 0 || buf_append(out, tmp, len) < 0 ||
		     buf_putc(out, '\'') < 0 ? -1 : 0;
	free(tmp);
	return rc;
}

int my_quote_ident(struct buf *out, const char *name)
{
	if (buf_putc(out, '`') < 0)
		return -1;
	for (const char *p = name; *p; p++)
		if ((*p == '`' && buf_putc(out, '`') < 0) || buf_putc(out, *p) < 0)
			return -1;
	return buf_putc(out, '`');
}
