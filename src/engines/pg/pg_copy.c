/*
 * pg_copy.c - the PostgreSQL bulk writer (see pg_copy.h): COPY TEXT
 * encoding of MySQL values per the type mapping, and COPY FROM STDIN.
 *
 * Threads: the encoder is pure. A struct pg_copy is used by the thread that
 * owns its connection; it owns its row buffer (at most PG_COPY_FLUSH_BYTES)
 * and borrows the connection.
 *
 * libpq runs in blocking mode: PQputCopyData() blocks while the socket is
 * full, bounded by the connection's tcp_user_timeout (write_timeout_s).
 * Waits for the server's answer (after the COPY statement, after the end of
 * the data) poll() the socket so that they are bounded by read_timeout_s.
 */
#include "engines/pg/pg_copy.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

struct pg_copy {
	struct pg_conn *conn;
	PGconn *pg;
	struct buf pending;       /* rows not yet handed to libpq */
	int64_t rows;             /* rows queued */
	int64_t bytes;            /* bytes of rows queued */
	char target[400];         /* "\"schema\".\"table\"" for messages */
	bool failed;              /* a send failed: only end/abort remain */
};

/* ---- encoding ------------------------------------------------------------ */

static int full(const struct schema_column *col, struct err *err)
{
	err_set(err, ERR_TOO_LARGE, "column \"%s\": the row is larger than the row buffer",
		col->name);
	return -1;
}

/* Text with COPY's escapes; refuses NUL and invalid UTF-8. */
static int put_text(const struct schema_column *col, const char *s, size_t n,
		    struct buf *out, struct err *err)
{
	size_t run = 0;

	if (memchr(s, '\0', n)) {
		err_set(err, ERR_INVALID, "column \"%s\": the value contains a NUL character, "
			"which PostgreSQL text cannot store", col->name);
		return -1;
	}
	if (!str_utf8_valid(s, n)) {
		err_set(err, ERR_INVALID, "column \"%s\": the value is not valid UTF-8",
			col->name);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char esc;

		switch (s[i]) {
		case '\\': esc = '\\'; break;
		case '\t': esc = 't'; break;
		case '\n': esc = 'n'; break;
		case '\r': esc = 'r'; break;
		default: continue;
		}
		if (buf_append(out, s + run, i - run) < 0 || buf_putc(out, '\\') < 0 ||
		    buf_putc(out, esc) < 0)
			return full(col, err);
		run = i + 1;
	}
	if (buf_append(out, s + run, n - run) < 0)
		return full(col, err);
	return 0;
}

/* bytea in hex form, the backslash doubled for COPY: \\x0aff */
static int put_bytea(const struct schema_column *col, const unsigned char *p, size_t n,
		     struct buf *out, struct err *err)
{
	static const char hex[] = "0123456789abcdef";
	char chunk[4096];

	if (buf_append(out, "\\\\x", 3) < 0)
		return full(col, err);
	while (n > 0) {
		size_t k = n < sizeof(chunk) / 2 ? n : sizeof(chunk) / 2;

		for (size_t i = 0; i < k; i++) {
			chunk[2 * i] = hex[p[i] >> 4];
			chunk[2 * i + 1] = hex[p[i] & 15];
		}
		if (buf_append(out, chunk, 2 * k) < 0)
			return full(col, err);
		p += k;
		n -= k;
	}
	return 0;
}

/* BIT(n): the value's low n bits as 0/1 characters. */
static int put_bit(const struct schema_column *col, const unsigned char *p, size_t n,
		   struct buf *out, struct err *err)
{
	int width = col->precision > 0 ? col->precision : 1;
	char bits[65];

	if (width > 64) {
		err_set(err, ERR_INVALID, "column \"%s\": BIT(%d) is wider than 64 bits",
			col->name, width);
		return -1;
	}
	for (int b = 0; b < width; b++) {
		size_t bit = (size_t)(width - 1 - b);     /* from the most significant */
		size_t byte = bit / 8;

		bits[b] = byte < n && (p[n - 1 - byte] >> (bit % 8) & 1) ? '1' : '0';
	}
	for (size_t bit = (size_t)width; bit < n * 8; bit++)
		if (p[n - 1 - bit / 8] >> (bit % 8) & 1) {
			err_set(err, ERR_INVALID, "column \"%s\": the BIT value has more than %d "
				"bits", col->name, width);
			return -1;
		}
	if (buf_append(out, bits, (size_t)width) < 0)
		return full(col, err);
	return 0;
}

/* True when every byte of s[0..n) is one of allowed (s need not end in NUL). */
static bool only(const char *s, size_t n, const char *allowed)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || !strchr(allowed, s[i]))
			return false;
	return true;
}

/* Numbers and TIME as MySQL prints them: only the characters allowed. */
static int put_plain(const struct schema_column *col, const char *s, size_t n,
		     const char *allowed, struct buf *out, struct err *err)
{
	if (n == 0 || !only(s, n, allowed)) {
		err_set(err, ERR_INVALID, "column \"%s\": \"%.*s\" is not a valid %s value",
			col->name, (int)(n > 40 ? 40 : n), s, schema_type_name(col->type));
		return -1;
	}
	if (buf_append(out, s, n) < 0)
		return full(col, err);
	return 0;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* DATE "YYYY-MM-DD", DATETIME/TIMESTAMP "YYYY-MM-DD HH:MM:SS[.f]". */
static int put_date(const struct schema_column *col, const char *s, size_t n,
		    struct buf *out, struct err *err)
{
	bool with_time = col->type != SCHEMA_T_DATE;
	bool zero_md;

	if (n < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2) || (!with_time && n != 10) ||
	    (with_time && (n < 19 || s[10] != ' ' || !only(s + 11, n - 11, "0123456789:.")))) {
		err_set(err, ERR_INVALID, "column \"%s\": \"%.*s\" is not a valid %s value",
			col->name, (int)(n > 40 ? 40 : n), s, schema_type_name(col->type));
		return -1;
	}
	zero_md = memcmp(s + 5, "00", 2) == 0 || memcmp(s + 8, "00", 2) == 0;
	if (zero_md && col->nullable)
		return buf_append(out, "\\N", 2) < 0 ? full(col, err) : 0;
	if (zero_md) {
		err_set(err, ERR_INVALID, "column \"%s\": zero date \"%.*s\" in a NOT NULL "
			"column has no PostgreSQL value", col->name, (int)(n > 40 ? 40 : n), s);
		err_detail(err, "docs/type-mapping.md (zero dates): the row is refused rather "
			   "than given an invented date; fix the value at the source or make "
			   "the column nullable");
		return -1;
	}
	if (memcmp(s, "0000", 4) == 0) {
		err_set(err, ERR_INVALID, "column \"%s\": \"%.*s\" is in year 0, which "
			"PostgreSQL does not have", col->name, (int)(n > 40 ? 40 : n), s);
		return -1;
	}
	if (buf_append(out, s, n) < 0 ||
	    (col->type == SCHEMA_T_TIMESTAMP && buf_append(out, "+00", 3) < 0))
		return full(col, err);
	return 0;
}

#define INT_CHARS "-0123456789"
#define NUM_CHARS "-+.eE0123456789"

int pg_copy_encode_value(const struct schema_column *col, const struct schema_mapping *map,
			 const char *val, size_t len, bool is_null, struct buf *out,
			 struct err *err)
{
	if (map->risk == SCHEMA_RISK_UNSUPPORTED) {
		err_set(err, ERR_UNSUPPORTED, "column \"%s\": %s has no PostgreSQL mapping",
			col->name, col->column_type ? col->column_type : "its type");
		return -1;
	}
	if (is_null)
		return buf_append(out, "\\N", 2) < 0 ? full(col, err) : 0;
	if (!val && len > 0)
		BUG("pg_copy_encode_value: NULL value pointer with length %zu", len);
	if (!val)
		val = "";
	if (strcmp(map->dst_type, "bytea") == 0)
		return put_bytea(col, (const unsigned char *)val, len, out, err);
	switch (col->type) {
	case SCHEMA_T_TINYINT: case SCHEMA_T_SMALLINT: case SCHEMA_T_MEDIUMINT:
	case SCHEMA_T_INT: case SCHEMA_T_BIGINT: case SCHEMA_T_YEAR:
		return put_plain(col, val, len, INT_CHARS, out, err);
	case SCHEMA_T_DECIMAL: case SCHEMA_T_FLOAT: case SCHEMA_T_DOUBLE:
		return put_plain(col, val, len, NUM_CHARS, out, err);
	case SCHEMA_T_TIME:
		return put_plain(col, val, len, "-0123456789:.", out, err);
	case SCHEMA_T_BIT:
		return put_bit(col, (const unsigned char *)val, len, out, err);
	case SCHEMA_T_DATE: case SCHEMA_T_DATETIME: case SCHEMA_T_TIMESTAMP:
		return put_date(col, val, len, out, err);
	default:
		return put_text(col, val, len, out, err);
	}
}

/* ---- the writer ------------------------------------------------------------ */

static void clean_line(const char *raw, char *out, size_t n)
{
	size_t j = 0;

	for (const char *p = raw ? raw : ""; *p && j + 1 < n; p++)
		out[j++] = (*p == '\n' || *p == '\t' || *p == '\r') ? ' ' : *p;
	while (j > 0 && out[j - 1] == ' ')
		j--;
	out[j] = '\0';
}

static void lost(struct pg_copy *cp, const char *doing, struct err *err)
{
	char msg[300];

	clean_line(PQerrorMessage(cp->pg), msg, sizeof(msg));
	err_set(err, ERR_CONNECT, "%s %s on PostgreSQL server %s: %s", doing, cp->target,
		pg_target(cp->conn), msg);
}

/* The next result of the connection, waiting at most the read timeout
 * between two pieces of input. *r = NULL when there are no more. */
static int next_result(struct pg_copy *cp, PGresult **r, struct err *err)
{
	int timeout_ms = pg_read_timeout_s(cp->conn) * 1000;
	int64_t deadline = time_mono_ms() + timeout_ms;

	while (PQisBusy(cp->pg)) {
		struct pollfd pfd = { .fd = PQsocket(cp->pg), .events = POLLIN };
		int64_t left = deadline - time_mono_ms();
		int rc;

		if (left <= 0) {
			err_set(err, ERR_TIMEOUT, "PostgreSQL server %s did not answer within "
				"%d s during the COPY into %s", pg_target(cp->conn),
				timeout_ms / 1000, cp->target);
			err_detail(err, "close this connection: its protocol state is unknown");
			return -1;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno != EINTR) {
			err_sys(err, ERR_IO, errno, "waiting for PostgreSQL server %s",
				pg_target(cp->conn));
			return -1;
		}
		if (rc > 0) {
			if (!PQconsumeInput(cp->pg)) {
				lost(cp, "lost the connection during the COPY into", err);
				return -1;
			}
			deadline = time_mono_ms() + timeout_ms;
		}
	}
	*r = PQgetResult(cp->pg);
	return 0;
}

/* The line number in a CONTEXT such as "COPY t, line 5, column c: ...". */
static int64_t context_line(const char *ctx)
{
	const char *p = ctx ? strstr(ctx, ", line ") : NULL;

	return p ? strtoll(p + 7, NULL, 10) : 0;
}

static void server_error(struct pg_copy *cp, const PGresult *r, int64_t *line,
			 struct err *err)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	const char *cons = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
	const char *ctx = PQresultErrorField(r, PG_DIAG_CONTEXT);
	const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
	char c1[200] = "", c2[200] = "";

	if (!primary)
		primary = PQresStatus(PQresultStatus(r));
	if (cons && !strstr(primary, cons))
		snprintf(c1, sizeof(c1), " (constraint \"%s\")", cons);
	clean_line(ctx, c2, sizeof(c2));
	err_set(err, ERR_DB, "COPY into %s on PostgreSQL server %s failed: %s%s "
		"(sqlstate %s)%s%s", cp->target, pg_target(cp->conn), primary, c1,
		state ? state : "none", *c2 ? "; " : "", c2);
	if (detail) {
		char d[400];

		clean_line(detail, d, sizeof(d));
		err_detail(err, "%s", d);
	}
	if (line)
		*line = context_line(ctx);
}

/* Reads the results up to the end; the first error (or the COPY's own
 * result) decides. want is the status that means success. */
static int finish(struct pg_copy *cp, ExecStatusType want, int64_t *rows, struct err *err)
{
	PGresult *r = NULL;
	bool ok = false, seen = false;

	for (;;) {
		if (next_result(cp, &r, err) < 0)
			return -1;
		if (!r)
			break;
		if (!seen) {
			seen = true;
			if (PQresultStatus(r) == want) {
				ok = true;
				if (rows)
					*rows = strtoll(PQcmdTuples(r), NULL, 10);
			} else {
				server_error(cp, r, rows, err);
			}
		}
		if (want == PGRES_COPY_IN && PQresultStatus(r) == PGRES_COPY_IN) {
			PQclear(r);
			break;          /* the data comes next; more results after it */
		}
		PQclear(r);
	}
	if (!seen) {
		lost(cp, "no answer to the COPY into", err);
		return -1;
	}
	return ok ? 0 : -1;
}

struct pg_copy *pg_copy_begin(struct pg_conn *c, const char *schema, const char *table,
			      const char *const *columns, size_t n_columns, struct err *err)
{
	struct pg_copy *cp = xcalloc(1, sizeof(*cp));
	struct buf sql, t;

	buf_init(&sql, BUF_UNLIMITED);
	buf_init(&t, sizeof(cp->target) - 1);
	cp->conn = c;
	cp->pg = pg_raw(c);
	buf_init(&cp->pending, PG_COPY_FLUSH_BYTES);
	if (pg_quote_ident(&t, schema) < 0 || buf_putc(&t, '.') < 0 ||
	    pg_quote_ident(&t, table) < 0)
		t.len = 0;
	snprintf(cp->target, sizeof(cp->target), "%s", t.len ? buf_cstr(&t) : table);
	if (n_columns == 0) {
		err_set(err, ERR_INVALID, "COPY into %s needs at least one column", cp->target);
		goto fail;
	}
	buf_puts(&sql, "COPY ");
	buf_puts(&sql, buf_cstr(&t));
	buf_puts(&sql, " (");
	for (size_t i = 0; i < n_columns; i++) {
		if (i)
			buf_puts(&sql, ", ");
		pg_quote_ident(&sql, columns[i]);
	}
	buf_puts(&sql, ") FROM STDIN");
	if (!PQsendQuery(cp->pg, buf_cstr(&sql))) {
		lost(cp, "cannot start the COPY into", err);
		goto fail;
	}
	if (finish(cp, PGRES_COPY_IN, NULL, err) < 0)
		goto fail;
	buf_release(&sql);
	buf_release(&t);
	return cp;
fail:
	buf_release(&sql);
	buf_release(&t);
	buf_release(&cp->pending);
	free(cp);
	return NULL;
}

static int send_data(struct pg_copy *cp, const char *p, size_t n, struct err *err)
{
	if (n == 0)
		return 0;
	if (PQputCopyData(cp->pg, p, (int)n) != 1) {
		cp->failed = true;
		lost(cp, "cannot send rows for the COPY into", err);
		return -1;
	}
	return 0;
}

static int flush_pending(struct pg_copy *cp, struct err *err)
{
	int rc = send_data(cp, cp->pending.data, cp->pending.len, err);

	buf_reset(&cp->pending);
	return rc;
}

int pg_copy_row(struct pg_copy *cp, const struct buf *row, struct err *err)
{
	if (cp->failed) {
		err_set(err, ERR_WRONG_STATE, "the COPY into %s has already failed", cp->target);
		return -1;
	}
	if (row->len == 0 || row->data[row->len - 1] != '\n') {
		err_set(err, ERR_INVALID, "row %lld for the COPY into %s does not end with a "
			"newline", (long long)cp->rows + 1, cp->target);
		return -1;
	}
	if (cp->pending.len + row->len > PG_COPY_FLUSH_BYTES && flush_pending(cp, err) < 0)
		return -1;
	if (row->len >= PG_COPY_FLUSH_BYTES) {
		if (send_data(cp, row->data, row->len, err) < 0)
			return -1;
	} else if (buf_append(&cp->pending, row->data, row->len) < 0) {
		BUG("pg_copy_row: pending buffer over its cap");
	}
	cp->rows++;
	cp->bytes += (int64_t)row->len;
	return 0;
}

static void release(struct pg_copy *cp)
{
	buf_release(&cp->pending);
	free(cp);
}

int pg_copy_end(struct pg_copy *cp, int64_t *rows, struct err *err)
{
	int64_t n = 0;
	int rc = -1;

	if (rows)
		*rows = 0;
	/* after a failed send the server's own reason is what matters */
	if (!cp->failed && flush_pending(cp, err) < 0)
		cp->failed = true;
	if (PQputCopyEnd(cp->pg, NULL) != 1) {
		lost(cp, "cannot end the COPY into", err);
		goto done;
	}
	if (finish(cp, PGRES_COMMAND_OK, &n, err) < 0)
		goto done;
	if (rows)
		*rows = n;
	rc = 0;
done:
	if (rc < 0 && rows && err->code == ERR_DB)
		*rows = n;
	release(cp);
	return rc;
}

void pg_copy_abort(struct pg_copy *cp)
{
	struct err e = { 0 };

	if (!cp)
		return;
	if (PQputCopyEnd(cp->pg, "cancelled by opendts") == 1)
		(void)finish(cp, PGRES_COMMAND_OK, NULL, &e);
	release(cp);
}

int64_t pg_copy_rows_queued(const struct pg_copy *cp)
{
	return cp->rows;
}

int64_t pg_copy_bytes_queued(const struct pg_copy *cp)
{
	return cp->bytes;
}
