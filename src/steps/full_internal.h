/*
 * full_internal.h - shared by the files of the full-data step (03) only:
 *   full_opts.c     the step's options from the job's Reserve
 *   full_plan.c     the tables to copy, their columns with destination names
 *                   and mappings, their chunk plans (stored as checkpoints)
 *   full_worker.c   a worker's connections (source, destination), opened and
 *                   re-opened with backoff after a lost connection
 *   full_copy.c     copies one chunk: source rows streamed into LOAD DATA
 *                   LOCAL (MySQL/MariaDB) or COPY FROM STDIN (PostgreSQL)
 *   full_pipe.c     the row batches between a chunk's reader and writer threads
 *   full_checksum.c server-side chunk checksums (MySQL to MySQL verification)
 *   full_canon.c    the canonical form of a value on either side, so rows
 *                   can be compared across dialects (verification)
 *   full_verify.c   compares one chunk on both sides, lists rows that differ,
 *                   repairs them
 *   full_throttle.c the job's rows/s and bytes/s limit, shared by workers
 *   full_step.c     drives the phases, the worker threads and the checkpoints
 *   full_record.c   the items, the subtask's progress and the rate
 * Never included outside src/steps/.
 *
 * Threads: the plan (tables, columns, chunk bounds) is built on the step's
 * thread and read-only while workers run, except the fields marked
 * "worker": a worker owns a chunk's outcome from the moment it takes the
 * chunk (under the step's pool mutex) until it hands it back; the table
 * counters are atomics.
 */
#ifndef OPENDTS_STEPS_FULL_INTERNAL_H
#define OPENDTS_STEPS_FULL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engines/mysql/my.h"
#include "engines/mysql/my_read.h"
#include "engines/pg/pg.h"
#include "schema/ddl.h"
#include "schema/schema.h"
#include "schema/typemap.h"
#include "steps/step.h"
#include "util/buf.h"
#include "util/err.h"

/* Checkpoint keys (meta_checkpoint_*), all under FULL_CK. <t> is the
 * table's tkey, <i> the chunk's index in its plan. */
#define FULL_CK           "full."
#define FULL_CK_BINLOG    "full.binlog"      /* "file\tposition\tgtid" before the copy */
#define FULL_CK_PLAN      "full.plan."       /* + <t>: the chunk bounds (full__plan_encode) */
#define FULL_CK_RUN       "full.run."        /* + <t>#<i>: a copy of the chunk started */
#define FULL_CK_DONE      "full.done."       /* + <t>#<i>: rows copied, the chunk is done */
#define FULL_CK_VERIFIED  "full.verified."   /* + <t>#<i>: rows that differ after verification */
#define FULL_CK_RATE      "full.rate"        /* "rows/s\tMB/s" while copying */

/* ---- options (full_opts.c) -------------------------------------------------- */

struct full_opts {
	bool pg;                      /* PostgreSQL destination */
	struct schema_render_opts ro; /* destination dialect and name folding */
	int64_t chunk_rows;           /* rows per chunk (default 50,000) */
	unsigned workers;             /* worker threads (ctx->workers, at least 1) */
	int64_t max_rows_s;           /* throttle, 0 = none */
	int64_t max_bytes_s;          /* throttle, 0 = none */
	bool verify;                  /* compare both sides after the copy (default on) */
	bool repair;                  /* re-copy the rows that differ (default off) */
	bool dst_binlog;              /* MySQL destination logs the copy (default on) */
	int retry_s;                  /* how long a lost connection is retried */
	int connect_timeout_s;
};

/* Reads the options from the job's Reserve (the keys are listed in
 * full_opts.c, the one place that names them) and ctx. ERR_INVALID with
 * param "Reserve" naming the key for a malformed value. */
int full__opts_read(const struct step_ctx *ctx, struct full_opts *o, struct err *err);

/* ---- plan (full_plan.c) ------------------------------------------------------- */

struct full_col {
	const struct schema_column *src;  /* the source column (catalog) */
	char *dst;                        /* its destination name as created */
	struct schema_mapping map;        /* schema_map_column(src, destination dialect) */
};

enum full_chunk_state { FULL_C_TODO = 0, FULL_C_RUNNING, FULL_C_DONE };

struct full_chunk {
	struct my_chunk range;        /* lo < key <= hi, or whole_table */
	int state;                    /* enum full_chunk_state (worker while RUNNING) */
	bool in_doubt;                /* an earlier attempt may have written rows:
				       * clear the range before writing (worker) */
	int64_t rows;                 /* rows copied (worker; from the checkpoint) */
	int64_t diff;                 /* rows that differ, -1 = not verified (worker) */
};

struct full_table {
	const struct schema_resolved *r;
	const struct schema_table *t;     /* r->table */
	const struct schema_index *key;   /* the row key, NULL: copied in one pass */
	char *tkey;                       /* "db.table" (source names; "`d.b`.`t`" when a
					   * name holds a dot or backtick): item and
					   * checkpoint key */
	char *dst_schema;                 /* destination names as created */
	char *dst_name;
	struct full_col *cols;            /* the columns copied, in table order
					   * (selected, not generated) */
	size_t n_cols;
	size_t *key_col;                  /* key part i is cols[key_col[i]] */
	bool key_ordered;                 /* the destination orders and compares the key
					   * exactly like the source, so a range of keys
					   * means the same rows on both sides */
	char *unsupported;                /* why the table cannot be copied (a column
					   * without a destination type), or NULL */
	struct full_chunk *chunks;
	size_t n_chunks;
	bool planned;                     /* chunks are set (planned or read back) */
	int64_t total;                    /* rows expected (estimate until copied) */
	atomic_llong rows_done;           /* rows copied (done chunks + in flight) */
	atomic_llong bytes_done;
	atomic_llong diff_rows;           /* rows found different by verification */
	atomic_llong zero_dates;          /* zero dates written as NULL (PostgreSQL) */
	atomic_llong present_rows;        /* verified in this run: source rows found on the
					   * destination (for the count of extra rows) */
	atomic_llong chunks_verified;     /* chunks verified in this run */
	/* outcome (step thread, or the worker holding the pool mutex) */
	bool failed;
	char *err_msg;                    /* ErrMsg: what failed */
	char *err_data;                   /* ErrData: chunk range or row key */
	int64_t boot_ms, finish_ms;
};

struct full_plan {
	struct full_opts opts;
	struct schema_selection sel;
	bool have_sel;
	struct schema_catalog catalog;
	bool have_catalog;
	struct schema_resolved *resolved;
	size_t n_resolved;
	char **missing;
	size_t n_missing;
	struct full_table *tables;
	size_t n_tables;
};

/* Reads the selection and the source catalog (one source connection, which
 * the caller passes and keeps) and builds every table with its columns,
 * destination names (as the schema step creates them) and key. Chunks are
 * not planned yet. */
int full__plan_build(struct full_plan *p, const struct step_ctx *ctx, struct my_conn *src,
		     struct err *err);
void full__plan_release(struct full_plan *p);

/* Plans the chunks of t on src (my_chunks_plan with opts.chunk_rows) and
 * sets t->chunks, t->n_chunks, t->total, t->planned. */
int full__plan_chunks(struct full_table *t, const struct full_opts *o, struct my_conn *src,
		      struct err *err);

/* Chunk bounds <-> checkpoint text (hex-encoded key values). decode sets
 * t->chunks/n_chunks/planned; ERR_INVALID on a text that does not fit t. */
char *full__plan_encode(const struct full_table *t);
int full__plan_decode(struct full_table *t, const char *text, struct err *err);

/* "key > (1,'a') and key <= (7,'b')", "whole table", for messages
 * (values cut, binary shown as hex). Caller frees. */
char *full__chunk_describe(const struct full_table *t, const struct full_chunk *ch);
/* "(id)=(42)" / "(a,b)=(1,'x')": a row's key from the row's values (for
 * messages). row/lengths as the reader gives them, in cols order. */
char *full__row_key_describe(const struct full_table *t, char **row,
			     const unsigned long *lengths);

/* bits[i] = key part i is a BIT column (bits has MY_KEY_PARTS_MAX entries);
 * for my_chunk_where_sql(). */
void full__key_bits(const struct full_table *t, bool *bits);
/* "(id)=(42)" for a key's values (diff reports). Caller frees. */
char *full__key_describe(const struct full_table *t, const struct my_key_values *kv);

/* ---- a worker's connections (full_worker.c) --------------------------------- */

struct full_throttle;

struct full_worker {
	const struct step_ctx *ctx;
	const struct full_opts *opts;
	struct full_throttle *throttle;   /* shared, may be NULL */
	struct my_conn *src;              /* session time_zone '+00:00' */
	struct my_conn *dst_my;           /* MySQL destination: local_infile, UTC,
					   * foreign_key_checks 0 */
	struct pg_conn *dst_pg;           /* PostgreSQL destination: TimeZone UTC */
	struct buf sql;                   /* scratch */
	struct buf row;                   /* scratch */
};

void full__worker_init(struct full_worker *w, const struct step_ctx *ctx,
		       const struct full_opts *o, struct full_throttle *th);
/* Opens whatever connection is not open (source and destination). */
int full__worker_connect(struct full_worker *w, struct err *err);
/* Closes both connections (after a lost one, before a retry). */
void full__worker_disconnect(struct full_worker *w);
void full__worker_release(struct full_worker *w);

/* True for an error that a new connection may cure (lost connection,
 * timeout, server gone, too many connections): the caller reconnects and
 * retries within opts.retry_s. */
bool full__retryable(const struct err *err);

/* Runs op(w, arg, err) and, while it fails with a retryable error and
 * opts.retry_s has not passed, reconnects with backoff (1 s doubling to
 * 30 s; cancel checked every 100 ms) and runs it again; *retried tells the
 * caller an attempt was repeated (the chunk is then in doubt). Returns op's
 * last result; ERR_CANCELLED when cancelled while waiting. */
int full__with_retry(struct full_worker *w, int (*op)(struct full_worker *, void *, struct err *),
		     void *arg, const char *what, struct err *err);

/* ---- copy one chunk (full_copy.c) -------------------------------------------- */

/* Copies chunk ch of t from w->src to the destination. When ch->in_doubt,
 * first removes what an earlier attempt may have written: on MySQL, and on
 * PostgreSQL when t->key_ordered, DELETE of the key range (the whole table
 * for whole_table); otherwise the rows go through a temporary table and
 * replace the destination rows with the same keys. Sets ch->rows and adds to
 * t->rows_done/bytes_done as rows go. Errors:
 *   retryable (full__retryable): the connection was lost; the caller
 *     reconnects and calls again with ch->in_doubt set;
 *   ERR_DB / ERR_INVALID: the destination refused a row, or a value has no
 *     destination form; err->msg names the row's key and the reason,
 *     err->detail the server's detail;
 *   ERR_CANCELLED: ctx->cancel was set (the chunk stays in doubt). */
int full__copy_chunk(struct full_worker *w, struct full_table *t, struct full_chunk *ch,
		     struct err *err);

/* Copies the rows that src_sql (on the source; its select list must be
 * full__src_select's) returns into t's destination, like a chunk that is
 * not in doubt (nothing is cleared first). *rows = rows written. Errors as
 * full__copy_chunk (a refused row names its key). Used by repair. */
int full__copy_select(struct full_worker *w, struct full_table *t, const char *src_sql,
		      int64_t *rows, struct err *err);

/* ---- SQL pieces shared by copy and verification (full_copy.c) ------------------ */

/* True for a MySQL FLOAT column that every reader selects as (`c` + 0e0):
 * its plain text has 6 digits, the double's text is the exact value. */
bool full__float_as_double(const struct schema_column *c);
/* Appends "SELECT `c1`,ST_AsWKB(`g`),... FROM `db`.`t`": the copied columns
 * in cols order, spatial ones as WKB (PostgreSQL), plain FLOAT as a double
 * (full__float_as_double). -1 when out's cap is reached. */
int full__src_select(const struct full_table *t, struct buf *out);
/* Appends the source condition of chunk ch: its key range (my_chunk_where_sql)
 * and the table's DbList "filter" (a WHERE expression the job gives, run on
 * the source as written), then " ORDER BY key" when order_by and the table
 * has a key. Use it after full__src_select() for every read of a chunk. */
int full__src_where(struct my_conn *c, const struct full_table *t, const struct full_chunk *ch,
		    bool order_by, struct buf *out, struct err *err);
/* Appends the destination table, quoted for its dialect: `db`.`t` or
 * "schema"."t". */
int full__dst_table_sql(const struct full_worker *w, const struct full_table *t,
			struct buf *out);
/* Appends " WHERE <lo < key <= hi>[ ORDER BY key]" for chunk ch in the
 * destination dialect with destination column names (nothing but the ORDER
 * BY for a whole_table chunk). Only for a MySQL destination or
 * t->key_ordered (ERR_INVALID otherwise): then the key values are numbers
 * or dates whose text means the same on both sides. */
int full__dst_range_sql(struct full_worker *w, const struct full_table *t,
			const struct full_chunk *ch, bool order_by, struct buf *out,
			struct err *err);

/* ---- reader/writer hand-over (full_pipe.c) ------------------------------------ */

struct full_pipe;

/* A queue of at most depth row batches between one producer and one
 * consumer thread. */
struct full_pipe *full__pipe_new(size_t depth);
void full__pipe_free(struct full_pipe *p);      /* frees batches still queued */
/* Producer: queues batch (the pipe owns it), waiting while the queue is
 * full; -1 (batch freed) when the consumer aborted. */
int full__pipe_push(struct full_pipe *p, struct buf *batch);
/* Producer: no more batches. */
void full__pipe_finish(struct full_pipe *p);
/* Consumer: the next batch (caller frees it with full__batch_free), waiting
 * while the queue is empty; NULL when finished and drained, or aborted. */
struct buf *full__pipe_pop(struct full_pipe *p);
/* Consumer: stop; the producer's next push fails. */
void full__pipe_abort(struct full_pipe *p);
bool full__pipe_aborted(struct full_pipe *p);

/* Row batches: rows packed as (4-byte length or NULL mark, bytes) per column. */
struct buf *full__batch_new(void);
void full__batch_free(struct buf *b);
void full__batch_put_row(struct buf *b, char **row, const unsigned long *lengths, unsigned n);
/* Unpacks the row at off into vals/lens (pointing into b); returns the
 * offset of the next row. */
size_t full__batch_get_row(const struct buf *b, size_t off, unsigned n, char **vals,
			   unsigned long *lens);

/* ---- canonical values (full_canon.c) ------------------------------------------ */

/* Where a value was read: the source (MySQL text protocol, spatial as WKB)
 * or the destination (MySQL text protocol; or PostgreSQL text output with
 * the session settings of full_worker.c: DateStyle ISO, IntervalStyle
 * postgres, TimeZone UTC, extra_float_digits 1, bytea_output hex). */
enum full_side { FULL_SIDE_SRC = 0, FULL_SIDE_DST };

/* Appends the canonical form of one value of column c so that a source value
 * and the value the copy stored for it on the destination give the same
 * bytes, and different values give different bytes. MySQL destination: the
 * bytes as read (same type both sides). PostgreSQL destination: per mapping
 * (numbers normalised, float/double compared as the value they denote,
 * timestamps with fractional zeros trimmed, TIME as interval text, binary as
 * hex, BIT as 0/1 text, JSON normalised, zero dates as NULL as the copy
 * writes them). NULL appends one marker byte that no value produces.
 * -1 when out's cap is reached. Pure, thread-safe. */
int full__canon_value(const struct full_col *c, bool pg, enum full_side side,
		      const char *val, size_t len, bool is_null, struct buf *out);

/* ---- checksums (full_checksum.c) -------------------------------------------------- */

/* MySQL-family destination: compares server-side checksums of chunk ch on
 * both sides (no row is transferred); *equal true when they match. On a
 * PostgreSQL destination *equal stays false (no common checksum). */
int full__checksum_equal(struct full_worker *w, const struct full_table *t,
			 const struct full_chunk *ch, bool *equal, struct err *err);

/* ---- verification (full_verify.c) ---------------------------------------------- */

/* The rows of one chunk that differ: their keys (source values as text). */
struct full_diff {
	struct my_key_values **keys;   /* owned; at most FULL_DIFF_KEYS kept */
	size_t n_keys;
	int64_t missing;               /* on the source, not on the destination */
	int64_t extra;                 /* on the destination, not on the source */
	int64_t changed;               /* on both, with different values */
	int64_t src_rows;              /* rows of the chunk on the source (keyed tables) */
};
#define FULL_DIFF_KEYS 100000

void full_diff_release(struct full_diff *d);

/* Compares chunk ch of t on both sides: streams the source rows (key and a
 * digest of the canonical values of every copied column), then reads the
 * destination rows of the same keys (by range when t->key_ordered, else by
 * key list) and compares. ch->diff = missing + extra + changed. A whole_table
 * chunk of a keyless table compares the multiset of row digests (rows count
 * with multiplicity; keys are then NULL entries). */
int full__verify_chunk(struct full_worker *w, struct full_table *t, struct full_chunk *ch,
		       struct full_diff *d, struct err *err);

/* Makes the destination rows of d's keys equal to the source: deletes them on
 * the destination, then copies those rows from the source (by key). For a
 * keyless table, the whole table is copied again. *fixed = rows written. */
int full__repair_rows(struct full_worker *w, struct full_table *t, const struct full_diff *d,
		      int64_t *fixed, struct err *err);

/* ---- throttle (full_throttle.c) -------------------------------------------------- */

/* NULL when both limits are 0. */
struct full_throttle *full__throttle_new(int64_t max_rows_s, int64_t max_bytes_s);
void full__throttle_free(struct full_throttle *th);
/* Accounts rows and bytes just read and sleeps as long as needed to stay
 * under the limits (token bucket, burst of one second); returns early when
 * *cancel is set. Thread-safe; th NULL is a no-op. */
void full__throttle_take(struct full_throttle *th, int64_t rows, int64_t bytes,
			 const atomic_bool *cancel);

/* ---- one run of the step (full_step.c drives it, full_record.c records it) ---- */

enum full_phase { FULL_PHASE_COPY = 0, FULL_PHASE_VERIFY };

/* A task's result when the metastore failed: the step cannot go on. */
#define FULL_TASK_META_FAILED (-2)

struct full_task {
	size_t table;
	size_t chunk;
};

struct full_table_rec {            /* what the metastore shows of a table (step thread) */
	int64_t rows;
	const char *state;
	bool final;               /* recorded with its final state and logs */
	char *diff_keys;          /* "(id)=(1), (id)=(9)": first rows that differ */
	int64_t repaired;
};

struct full_run {
	struct step_ctx *ctx;
	struct full_plan plan;
	struct full_table_rec *rec;
	struct full_throttle *th;
	pthread_mutex_t mu;
	enum full_phase phase;
	struct full_task *tasks;       /* the phase's tasks in order */
	size_t n_tasks;
	size_t next;              /* next task to hand out */
	size_t running;           /* workers alive */
	bool fatal;               /* a worker could not go on (metastore) */
	struct err fatal_err;
	int64_t start_ms;
	int64_t start_rows;       /* rows done before this run (resume) */
};

/* Writes the items that changed since the last call (with their logs once
 * final), the subtask's progress and the rate, in one metastore
 * transaction. Step thread only. */
int full__record(struct full_run *r, struct err *err);

#endif
