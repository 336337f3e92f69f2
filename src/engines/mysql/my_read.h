/*
 * my_read.h - the source side of the full-data step on MySQL/MariaDB: a
 * consistent snapshot with the binlog position it corresponds to, the
 * split of a table into contiguous row-key ranges ("chunks"), and a
 * streaming reader for one chunk.
 *
 * Typical use (one thread, one connection):
 *
 *     my_snapshot_begin(c, &pos, err);          // pos = where step 04 starts
 *     my_chunks_plan(c, t, schema_row_key(t), 10000, &ch, &n, err);
 *     for each chunk: my_chunk_select_sql(c, t, cols, ncols, key, &ch[i], &sql, err);
 *                     my_chunk_stream(c, buf_cstr(&sql), on_row, arg, err);
 *     my_query(c, "COMMIT", err);
 *     my_chunks_free(ch, n);
 *
 * Chunks form a partition of the key space: (-inf, b1], (b1, b2], ...,
 * (bk, +inf), so every row is in exactly one chunk, including rows whose
 * key lies beyond the last boundary seen at planning time. Planning on the
 * snapshot connection makes the plan match the snapshot exactly; planning
 * elsewhere only makes chunk sizes approximate, never loses a row.
 *
 * Threads: like my.h, everything here uses one connection on the thread
 * that owns it. Chunks are plain data and may be handed to other threads.
 */
#ifndef OPENDTS_ENGINES_MYSQL_MY_READ_H
#define OPENDTS_ENGINES_MYSQL_MY_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engines/mysql/my.h"
#include "schema/schema.h"
#include "util/buf.h"
#include "util/err.h"

/* ---- snapshot ------------------------------------------------------------- */

/* Where in the binlog a snapshot stands. Empty strings and position 0 when
 * the server writes no binlog. */
struct my_binlog_pos {
	char file[256];           /* e.g. "binlog.000003" */
	uint64_t position;        /* byte offset in file */
	char gtid[1024];          /* @@gtid_binlog_pos (MariaDB) or
				   * @@gtid_executed (MySQL); "" when none */
};

/* Starts a consistent snapshot on c: sets time_zone '+00:00' (TIMESTAMP
 * values and bounds read in UTC) and REPEATABLE READ for the session, runs
 * START TRANSACTION WITH CONSISTENT SNAPSHOT, then reads the binlog
 * position that matches the snapshot: MariaDB's Binlog_snapshot_file /
 * Binlog_snapshot_position status (no global lock needed) and the GTID
 * position. Every later read on c sees the data as of that position, until
 * the caller ends the transaction (COMMIT or ROLLBACK through my_query).
 * A server without binlog leaves *pos empty and is not an error; so does a
 * server that does not expose the snapshot status (MySQL: there the
 * position is not consistent and pos stays empty, see the report of the
 * precheck). Errors: those of my_query() (ERR_DB, ERR_TIMEOUT,
 * ERR_CONNECT); on error no transaction is left open when the connection
 * is still usable. */
int my_snapshot_begin(struct my_conn *c, struct my_binlog_pos *pos, struct err *err);

/* ---- chunks --------------------------------------------------------------- */

#define MY_KEY_PARTS_MAX 64   /* more than MySQL (16) and MariaDB (32) allow */

/* The values of one key, one per key column in key order, as the server
 * prints them in text (binary-safe: v[i] has len[i] bytes and a trailing
 * NUL not counted). Row keys are NOT NULL, so there is no NULL value. */
struct my_key_values {
	size_t n;
	char **v;
	size_t *len;
};

/* One contiguous key range: lo < key <= hi. lo NULL = from the start, hi
 * NULL = to the end. whole_table: the table has no usable key; read it in
 * one go (lo and hi are NULL). */
struct my_chunk {
	struct my_key_values *lo;
	struct my_key_values *hi;
	bool whole_table;
};

/* Splits t into chunks of about target_rows rows along key (usually
 * schema_row_key(t); any key whose columns are unique and NOT NULL works,
 * single or composite) without reading every row: it walks the index with
 * "WHERE key > last ORDER BY key LIMIT 1 OFFSET target_rows-1", one query
 * per chunk. The last chunk is always open-ended. Results:
 *   key NULL (or without parts): exactly 1 chunk, whole_table;
 *   empty table: *out NULL, *n 0;
 *   otherwise the chunks in key order.
 * The caller frees *out with my_chunks_free(). Errors: ERR_INVALID when
 * target_rows < 1 or the table has no name; query errors as for
 * my_query() (the object named in err->msg). */
int my_chunks_plan(struct my_conn *c, const struct schema_table *t,
		   const struct schema_index *key, int64_t target_rows,
		   struct my_chunk **out, size_t *n, struct err *err);

/* Frees n chunks and the array; NULL is a no-op. */
void my_chunks_free(struct my_chunk *chunks, size_t n);

/* Frees one set of key values; NULL is a no-op. */
void my_key_values_free(struct my_key_values *kv);

/* Appends to sql (after buf_reset) the SELECT of one chunk:
 *   SELECT `c1`,`c2` FROM `db`.`t` WHERE <key > lo> AND <key <= hi>
 *   ORDER BY `k1`,`k2`
 * Identifiers are quoted with my_quote_ident, bound values as string
 * literals escaped by the client library for c (character set and the
 * server's NO_BACKSLASH_ESCAPES), so c must be the connection, or one
 * set up like it, that will run the statement. A composite comparison is
 * spelled out as (k1 > v1 OR (k1 = v1 AND k2 > v2)) rather than the row
 * constructor (k1,k2) > (v1,v2), which MariaDB cannot turn into an index
 * range. A whole_table chunk has no WHERE and no ORDER BY. columns NULL or
 * n_columns 0 selects every column of t in table order. Spatial columns
 * (GEOMETRY ... GEOMETRYCOLLECTION) are selected as ST_AsWKB(`c`).
 * Errors: ERR_INVALID (key missing for a ranged chunk, bound with the
 * wrong number of values), ERR_TOO_LARGE (the buffer cap). */
int my_chunk_select_sql(struct my_conn *c, const struct schema_table *t,
			const char *const *columns, size_t n_columns,
			const struct schema_index *key, const struct my_chunk *ch,
			struct buf *sql, struct err *err);

/* Appends to sql (without resetting it) the range condition of chunk ch:
 * " WHERE <key > lo> AND <key <= hi>" and, with order_by, " ORDER BY key"
 * (a whole_table chunk appends nothing). Spelled and escaped as in
 * my_chunk_select_sql() with key's column names, so a caller may pass a
 * key whose parts carry other (destination) names. bits (NULL: none)
 * flags the key parts that are BIT columns: their values are written as
 * hex numbers (0x0063), as my_chunk_select_sql() and my_chunks_plan() do
 * by themselves, because MariaDB compares BIT with a string literal
 * inconsistently. Errors as there. */
int my_chunk_where_sql(struct my_conn *c, const struct schema_index *key, const bool *bits,
		       const struct my_chunk *ch, bool order_by, struct buf *sql,
		       struct err *err);

/* Callback for my_chunk_stream: one row of n columns, row[i] NULL for SQL
 * NULL, lengths[i] its length in bytes (values may hold NUL bytes). Both
 * are borrowed until the callback returns. Return 0 to go on, non-zero to
 * stop. */
typedef int (*my_row_fn)(void *arg, MYSQL_ROW row, unsigned long *lengths, unsigned n);

/* Runs sql and hands every row to on_row as it arrives from the server
 * (mysql_use_result: memory stays at one row, however big the result).
 * Returns 0 when all rows were read, 1 when on_row stopped the read (the
 * rest of the result is then read and discarded by the client library so
 * the connection stays usable), -1 with err set: errors of my_query(),
 * also when the connection breaks in the middle of the result.
 * While it runs, the server holds the result open: do not take long in
 * on_row (net_write_timeout on the server, 60 s by default). */
int my_chunk_stream(struct my_conn *c, const char *sql, my_row_fn on_row, void *arg,
		    struct err *err);

#endif
