/*
 * my_load.h - the bulk writer of MySQL/MariaDB targets: rows go into a table
 * through LOAD DATA LOCAL INFILE fed from memory (Connector/C's local-infile
 * handler), never through a temporary file.
 *
 * Streaming: rows are escaped into one in-memory chunk (MY_LOAD_CHUNK bytes
 * by default); when the chunk is full, my_load_row() sends it as one
 * LOAD DATA statement whose read callback drains the chunk, on the calling
 * thread. Memory is bounded by the chunk size plus one row (a single row
 * larger than the chunk is sent alone). Each chunk is its own transaction
 * (START TRANSACTION ... COMMIT), rolled back when the server raised any
 * warning, so on a transactional engine a refused chunk leaves nothing
 * behind; chunks sent before stay committed.
 *
 * Strictness: the session runs with sql_mode STRICT_ALL_TABLES (without
 * NO_ZERO_DATE/NO_ZERO_IN_DATE, so zero dates copy). MariaDB nevertheless
 * turns data errors of LOAD DATA LOCAL into warnings (value truncated, out
 * of range, duplicate key skipped) and stores the truncated row, so the
 * writer treats any warning, and any row count that differs from the rows
 * sent, as a failure: ERR_DB naming the row (1-based over the whole load)
 * and the server's message.
 *
 * The connection must be opened with my_conn_opts.local_infile = true and
 * is used only by the writer between begin and end (the writer changes its
 * session sql_mode and issues transaction statements). Not thread-safe.
 */
#ifndef OPENDTS_ENGINES_MYSQL_MY_LOAD_H
#define OPENDTS_ENGINES_MYSQL_MY_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engines/mysql/my.h"
#include "util/buf.h"
#include "util/err.h"

#define MY_LOAD_CHUNK ((size_t)4 << 20)   /* bytes of escaped rows per statement */

struct my_load;

/* Appends one field value in the LOAD DATA text format the writer uses
 * (FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n', no
 * enclosing): SQL NULL as \N; backslash, tab, newline, carriage return and
 * NUL escaped as \\ \t \n \r \0; every other byte as is. -1 when out's cap
 * is reached (out then holds a partial field). */
int my_load_field(struct buf *out, const char *val, size_t len, bool is_null);

/* Starts loading `db`.`table` (identifiers quoted here) with the n named
 * columns, in that order. Sets the session sql_mode. Returns the writer or
 * NULL with err set (ERR_INVALID for no columns; errors of my_query()). */
struct my_load *my_load_begin(struct my_conn *c, const char *db, const char *table,
			      const char *const *columns, size_t n, struct err *err);

/* Sets the chunk size in bytes (default MY_LOAD_CHUNK; tests use small ones). */
void my_load_set_chunk(struct my_load *l, size_t bytes);

/* Adds one row: vals[i] with lens[i] bytes (binary-safe); vals[i] == NULL is
 * SQL NULL. May send a full chunk; then fails like my_load_end(). After a
 * failure the writer only accepts my_load_end(), which repeats the error. */
int my_load_row(struct my_load *l, const char *const *vals, const size_t *lens,
		struct err *err);

/* Sends the rest, frees the writer (always) and reports the rows loaded and
 * the warnings seen (either pointer may be NULL). Errors: ERR_DB with the
 * row number and the server's message for a refused value, a warning or a
 * lost row; errors of my_query() for the connection. */
int my_load_end(struct my_load *l, int64_t *rows, int64_t *warnings, struct err *err);

#endif
