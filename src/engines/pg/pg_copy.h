/*
 * pg_copy.h - the PostgreSQL bulk writer of the data steps: MySQL values
 * (as the text protocol gives them) encoded into COPY TEXT fields per the
 * type mapping (schema/typemap.h, docs/type-mapping.md), and rows streamed
 * with COPY ... FROM STDIN.
 *
 * Usage, per chunk of rows:
 *     cp = pg_copy_begin(conn, "dst_schema", "t", cols, n, &err);
 *     for each source row:
 *         buf_reset(&row);
 *         for each column i:
 *             if (i) buf_putc(&row, '\t');
 *             pg_copy_encode_value(&col[i], &map[i], val, len, is_null, &row, &err);
 *         buf_putc(&row, '\n');
 *         pg_copy_row(cp, &row, &err);
 *     pg_copy_end(cp, &rows, &err);   (or pg_copy_abort(cp) to give up)
 *
 * Threads: a struct pg_copy belongs to the thread that owns its connection;
 * while a COPY is open the connection runs nothing else. The encoder is a
 * pure function, thread-safe.
 */
#ifndef OPENDTS_ENGINES_PG_PG_COPY_H
#define OPENDTS_ENGINES_PG_PG_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engines/pg/pg.h"
#include "schema/schema.h"
#include "schema/typemap.h"
#include "util/buf.h"
#include "util/err.h"

/* Bytes of rows gathered before one CopyData message is sent. */
#define PG_COPY_FLUSH_BYTES (1024 * 1024)

/* Appends one field in COPY TEXT format for the value val[0..len) of
 * column col, whose PostgreSQL mapping is map (schema_map_column(col,
 * SCHEMA_DIALECT_PG)). val is what mysql_fetch_row() gives (text for
 * numbers, dates and strings; raw bytes for binary strings and BIT;
 * the WKB for spatial columns, which the reader selects as ST_AsWKB()).
 * Neither a separator nor a row end is appended.
 *   NULL                 \N (an empty string stays an empty field)
 *   text family, ENUM, SET, JSON, UUID, INET4/6
 *                        the text with \\, tab, newline and CR escaped;
 *                        checked to be UTF-8 without NUL bytes
 *   "bytea" mappings     \\x and lower-case hex (binary strings, BLOBs, spatial)
 *   BIT(n)               n characters 0/1 from the big-endian bytes
 *   integers, DECIMAL, FLOAT/DOUBLE, YEAR
 *                        the text as MySQL prints it (checked to be a number)
 *   TIME                 the text ("-838:59:59.000000" is a valid interval)
 *   DATE, DATETIME       the text; TIMESTAMP gets "+00" (read in UTC)
 *   zero dates           (month or day 00, or 0000-00-00): \N in a nullable
 *                        column; ERR_INVALID naming the column when NOT NULL
 *                        (the caller fails the row with its key). A date in
 *                        year 0000 with a real month and day has no
 *                        PostgreSQL value either: ERR_INVALID.
 * Errors: ERR_INVALID (value cannot be written: NUL or invalid UTF-8 in
 * text, zero date in NOT NULL, malformed number or date, BIT value wider
 * than n), ERR_UNSUPPORTED (the mapping is SCHEMA_RISK_UNSUPPORTED),
 * ERR_TOO_LARGE (out's cap reached). The message names the column; out may
 * then hold part of the field (the caller drops the row). */
int pg_copy_encode_value(const struct schema_column *col, const struct schema_mapping *map,
			 const char *val, size_t len, bool is_null, struct buf *out,
			 struct err *err);

struct pg_copy;

/* Starts COPY "schema"."table" ("c1", ...) FROM STDIN (identifiers quoted
 * by pg_quote_ident()) on c. Returns the open COPY, or NULL with err set:
 * ERR_DB (the server refused: no such table or column, no privilege; its
 * message and SQLSTATE), ERR_CONNECT, ERR_TIMEOUT (no answer within the
 * connection's read timeout: close the connection), ERR_INVALID (no
 * columns). Until pg_copy_end() or pg_copy_abort() the connection may run
 * nothing else. */
struct pg_copy *pg_copy_begin(struct pg_conn *c, const char *schema, const char *table,
			      const char *const *columns, size_t n_columns, struct err *err);

/* Queues one row: row_fields holds the encoded fields joined by tabs and
 * ends with "\n". Rows are gathered into PG_COPY_FLUSH_BYTES messages (a
 * larger row goes alone), so memory stays bounded. Errors: ERR_INVALID (no
 * final newline), ERR_CONNECT (send failed: the server may have ended the
 * COPY with an error; pg_copy_end() reports it), ERR_WRONG_STATE (the COPY
 * already failed). After an error, call pg_copy_end() for the server's
 * reason or pg_copy_abort(). */
int pg_copy_row(struct pg_copy *cp, const struct buf *row_fields, struct err *err);

/* Sends what is queued, ends the COPY and frees cp (whatever happens).
 * Success: 0 and *rows (may be NULL) = the rows PostgreSQL reports copied.
 * A server error: ERR_DB with PostgreSQL's message, its SQLSTATE, the
 * constraint name when PostgreSQL reports one that the message lacks, and
 * its CONTEXT ("COPY t, line 5: ..."), cut to fit; err->detail has
 * PostgreSQL's DETAIL ("Failing row contains ..."). *rows is then the
 * 1-based line PostgreSQL named (= the n-th pg_copy_row() call, since
 * every row is one line), or 0 when it named none, so the caller can find
 * the row's key. Nothing of a failed COPY stays in the table.
 * ERR_CONNECT / ERR_TIMEOUT as for pg_copy_begin(). */
int pg_copy_end(struct pg_copy *cp, int64_t *rows, struct err *err);

/* Cancels the COPY (nothing is kept), waits for the server to acknowledge
 * (bounded by the read timeout) and frees cp. NULL is a no-op. */
void pg_copy_abort(struct pg_copy *cp);

/* Rows queued and bytes of row text queued so far (for progress). */
int64_t pg_copy_rows_queued(const struct pg_copy *cp);
int64_t pg_copy_bytes_queued(const struct pg_copy *cp);

#endif
