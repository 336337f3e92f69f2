/*
 * my_load.c - bulk loading into MySQL/MariaDB with LOAD DATA LOCAL INFILE
 * fed from memory (see my_load.h).
 *
 * Threads: everything runs on the caller's thread. my_load_row() escapes a
 * row into l->chunk; a full chunk is sent by send_chunk(): it installs the
 * local-infile handler (whose callbacks read l->chunk through l->pos) and
 * runs the statement, which blocks in mysql_real_query() while the client
 * library pulls the data through read_cb(). The writer owns the chunk and
 * the statement text; the connection stays the caller's.
 *
 * Failures are latched in l->failed/l->err: after the first one only
 * my_load_end() does anything, and it repeats the error.
 */
#include "engines/mysql/my_load.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define SQL_MODE "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO," \
		 "NO_ENGINE_SUBSTITUTION'"

struct my_load {
	struct my_conn *c;
	struct buf sql;          /* the LOAD DATA statement */
	char name[300];          /* `db`.`table` for messages */
	size_t ncols;
	size_t chunk_max;
	struct buf chunk;        /* escaped rows not sent yet */
	size_t pos;              /* read position of read_cb in chunk */
	int64_t chunk_rows;      /* rows in chunk */
	int64_t rows_done;       /* rows sent and committed */
	int64_t warnings;
	bool failed;
	struct err err;          /* the latched failure */
};

int my_load_field(struct buf *out, const char *val, size_t len, bool is_null)
{
	size_t run = 0;

	if (is_null)
		return buf_append(out, "\\N", 2);
	for (size_t i = 0; i < len; i++) {
		char esc;

		switch (val[i]) {
		case '\\': esc = '\\'; break;
		case '\t': esc = 't'; break;
		case '\n': esc = 'n'; break;
		case '\r': esc = 'r'; break;
		case '\0': esc = '0'; break;
		default: continue;
		}
		if (buf_append(out, val + run, i - run) < 0 || buf_putc(out, '\\') < 0 ||
		    buf_putc(out, esc) < 0)
			return -1;
		run = i + 1;
	}
	return buf_append(out, val + run, len - run);
}

/* ---- the local-infile handler: serves l->chunk --------------------------- */

static int init_cb(void **ptr, const char *filename, void *userdata)
{
	struct my_load *l = userdata;

	(void)filename;
	l->pos = 0;
	*ptr = l;
	return 0;
}

static int read_cb(void *ptr, char *dst, unsigned int len)
{
	struct my_load *l = ptr;
	size_t n = l->chunk.len - l->pos;

	if (n > len)
		n = len;
	memcpy(dst, l->chunk.data + l->pos, n);
	l->pos += n;
	return (int)n;
}

static void end_cb(void *ptr)
{
	(void)ptr;
}

static int error_cb(void *ptr, char *msg, unsigned int len)
{
	(void)ptr;
	snprintf(msg, len, "opendts in-memory load stream failed");
	return 2000;   /* CR_UNKNOWN_ERROR */
}

/* ---- statements ---------------------------------------------------------- */

static int build_sql(struct my_load *l, const char *db, const char *table,
		     const char *const *columns)
{
	struct buf name;
	int rc = -1;

	buf_init(&name, sizeof(l->name) - 1);
	if (my_quote_ident(&name, db) < 0 || buf_putc(&name, '.') < 0 ||
	    my_quote_ident(&name, table) < 0)
		goto cleanup;
	memcpy(l->name, name.data, name.len + 1);
	if (buf_puts(&l->sql, "LOAD DATA LOCAL INFILE 'opendts-stream' INTO TABLE ") < 0 ||
	    buf_puts(&l->sql, l->name) < 0 ||
	    buf_puts(&l->sql, " CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' "
		     "ENCLOSED BY '' ESCAPED BY '\\\\' LINES STARTING BY '' "
		     "TERMINATED BY '\\n' (") < 0)
		goto cleanup;
	for (size_t i = 0; i < l->ncols; i++)
		if ((i && buf_putc(&l->sql, ',') < 0) || my_quote_ident(&l->sql, columns[i]) < 0)
			goto cleanup;
	rc = buf_putc(&l->sql, ')');
cleanup:
	buf_release(&name);
	return rc;
}

/* The row number of the whole load for a server message "... at row N". */
static int64_t load_row_of(const struct my_load *l, const char *msg)
{
	const char *p = strstr(msg, " at row ");
	long long n;

	if (!p || sscanf(p + 8, "%lld", &n) != 1 || n < 1)
		return 0;
	return l->rows_done + n;
}

static void fail_row(struct my_load *l, const char *msg, unsigned code, const char *what)
{
	int64_t row = load_row_of(l, msg);

	if (row <= 0) {
		err_set(&l->err, ERR_DB, "loading %s failed (rows %" PRId64 "-%" PRId64
			"): %s (%s %u)", l->name, l->rows_done + 1,
			l->rows_done + l->chunk_rows, msg, what, code);
		return;
	}
	err_set(&l->err, ERR_DB, "loading %s: row %" PRId64 " refused: %s (%s %u)",
		l->name, row, msg, what, code);
	err_detail(&l->err, "the target column cannot hold the value: check the "
		   "column types of the target table; on a transactional engine the "
		   "rows of the refused LOAD DATA statement were rolled back, rows of "
		   "earlier statements of this load stay");
}

/* After a load with warnings: the first warning becomes the error. */
static void fail_warning(struct my_load *l, unsigned nwarn)
{
	struct err e = {0};
	struct my_rows *w = my_query_rows(l->c, "SHOW WARNINGS LIMIT 1", &e);

	if (w && my_rows_next(w) && my_rows_get(w, 2))
		fail_row(l, my_rows_get(w, 2), (unsigned)atoi(my_rows_get(w, 1)
					       ? my_rows_get(w, 1) : "0"), "warning");
	else
		err_set(&l->err, ERR_DB, "loading %s: the server raised %u warnings "
			"while loading rows %" PRId64 "-%" PRId64, l->name, nwarn,
			l->rows_done + 1, l->rows_done + l->chunk_rows);
	my_rows_free(w);
}

/* Runs the LOAD DATA statement over the chunk; 0 when every row went in
 * without a warning. Sets l->err otherwise. */
static int run_load(struct my_load *l)
{
	MYSQL *m = my_raw(l->c);
	unsigned nwarn;
	my_ulonglong got;

	mysql_set_local_infile_handler(m, init_cb, read_cb, end_cb, error_cb, l);
	if (mysql_real_query(m, l->sql.data, l->sql.len) != 0) {
		fail_row(l, mysql_error(m), mysql_errno(m), "error");
		return -1;
	}
	got = mysql_affected_rows(m);
	nwarn = mysql_warning_count(m);
	l->warnings += nwarn;
	if (nwarn > 0) {
		fail_warning(l, nwarn);
		return -1;
	}
	if (got != (my_ulonglong)l->chunk_rows) {
		err_set(&l->err, ERR_DB, "loading %s: the server stored %llu of the %" PRId64
			" rows %" PRId64 "-%" PRId64 " (%s)", l->name, (unsigned long long)got,
			l->chunk_rows, l->rows_done + 1, l->rows_done + l->chunk_rows,
			mysql_info(m) ? mysql_info(m) : "no details");
		return -1;
	}
	return 0;
}

/* Sends the chunk as one transaction; rolls it back on any problem. */
static int send_chunk(struct my_load *l)
{
	struct err e = {0};

	if (l->chunk_rows == 0)
		return 0;
	if (my_query(l->c, "START TRANSACTION", &l->err) < 0)
		goto fail;
	if (run_load(l) < 0) {
		my_query(l->c, "ROLLBACK", &e);
		goto fail;
	}
	if (my_query(l->c, "COMMIT", &l->err) < 0)
		goto fail;
	l->rows_done += l->chunk_rows;
	l->chunk_rows = 0;
	buf_reset(&l->chunk);
	return 0;
fail:
	l->failed = true;
	return -1;
}

/* ---- public -------------------------------------------------------------- */

struct my_load *my_load_begin(struct my_conn *c, const char *db, const char *table,
			      const char *const *columns, size_t n, struct err *err)
{
	struct my_load *l;

	if (n == 0) {
		err_set(err, ERR_INVALID, "loading `%s`.`%s`: no columns", db, table);
		return NULL;
	}
	l = xcalloc(1, sizeof(*l));
	l->c = c;
	l->ncols = n;
	l->chunk_max = MY_LOAD_CHUNK;
	buf_init(&l->sql, BUF_UNLIMITED);
	buf_init(&l->chunk, BUF_UNLIMITED);
	if (build_sql(l, db, table, columns) < 0) {
		err_set(err, ERR_INVALID, "loading `%s`.`%s`: the names are too long", db, table);
		goto fail;
	}
	if (my_query(c, SQL_MODE, err) < 0)
		goto fail;
	return l;
fail:
	buf_release(&l->sql);
	buf_release(&l->chunk);
	free(l);
	return NULL;
}

void my_load_set_chunk(struct my_load *l, size_t bytes)
{
	l->chunk_max = bytes > 0 ? bytes : 1;
}

int my_load_row(struct my_load *l, const char *const *vals, const size_t *lens,
		struct err *err)
{
	if (l->failed) {
		*err = l->err;
		return -1;
	}
	for (size_t i = 0; i < l->ncols; i++)
		if ((i && buf_putc(&l->chunk, '\t') < 0) ||
		    my_load_field(&l->chunk, vals[i], vals[i] ? lens[i] : 0, !vals[i]) < 0)
			BUG("unlimited load buffer refused an append");
	if (buf_putc(&l->chunk, '\n') < 0)
		BUG("unlimited load buffer refused an append");
	l->chunk_rows++;
	if (l->chunk.len >= l->chunk_max && send_chunk(l) < 0) {
		*err = l->err;
		return -1;
	}
	return 0;
}

int my_load_end(struct my_load *l, int64_t *rows, int64_t *warnings, struct err *err)
{
	int rc = 0;

	if (!l->failed)
		send_chunk(l);
	if (l->failed) {
		*err = l->err;
		rc = -1;
	}
	if (rows)
		*rows = l->rows_done;
	if (warnings)
		*warnings = l->warnings;
	buf_release(&l->sql);
	buf_release(&l->chunk);
	free(l);
	return rc;
}
