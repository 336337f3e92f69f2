/*
 * full_step.h - step 03, full data migration: copies every selected table
 * from the source to the destination in parallel key-range chunks, records
 * each finished chunk so that a restart redoes only the chunks in flight,
 * then verifies every chunk on both sides (DescribePreCheckStatus JobCode
 * 03: one item per table).
 */
#ifndef OPENDTS_STEPS_FULL_STEP_H
#define OPENDTS_STEPS_FULL_STEP_H

#include "steps/step.h"

/* The step's run():
 *
 * 1. Records the source binlog position before any row is read (checkpoint
 *    "full.binlog": "file<TAB>position<TAB>gtid", kept from the first run),
 *    from a consistent snapshot (MariaDB: no global lock). Step 04 starts
 *    there and applies changes idempotently, so rows changed during the copy
 *    converge.
 * 2. Plans every table into chunks of about opendts.full.chunkRows rows
 *    along its primary key (or a NOT NULL unique key), single or composite;
 *    a table without one is one chunk read in a single pass (its item says
 *    so). The plan is stored ("full.plan.<db.table>") so a restart reuses it.
 * 3. Copies chunks on opendts.full.workers threads (default ctx->workers),
 *    tables in order and chunks of one table side by side; each thread has
 *    its own source and destination connection. Rows stream from the source
 *    (one row in memory) into LOAD DATA LOCAL INFILE fed from memory
 *    (MySQL/MariaDB, strict: any warning fails the chunk) or COPY FROM STDIN
 *    (PostgreSQL, values converted per docs/type-mapping.md). A finished
 *    chunk gets the checkpoint "full.done.<db.table>#<i>". A chunk that was
 *    started before ("full.run.<db.table>#<i>") but not finished is cleared
 *    on the destination first, so it is never duplicated.
 * 4. Verifies each chunk (opendts.full.verify, default true) right after its
 *    copy, on the same worker (chunks copied by an earlier run at the end): the canonical
 *    values of every row are compared on both sides; DiffRow counts rows
 *    missing, extra or different. With opendts.full.repair "true" those
 *    rows are copied again and verified once more.
 *
 * Faults: a lost connection is retried with backoff (1 s doubling to 30 s)
 * for opendts.full.retrySeconds (default: maxRetryTime minutes, 720); then
 * the table's item fails naming the chunk range and the server's error. A
 * row the destination refuses, or a value without a destination form
 * (a zero date in a NOT NULL column to PostgreSQL), fails the item with the
 * row's key and the reason; other tables go on, and the step fails at the
 * end naming how many tables failed.
 *
 * Throttle (Reserve, top level or inside "fullDynamicConfig"):
 * "dts.datamove.source.rps.max" rows/s and "dts.datamove.source.bps.max"
 * bytes/s for the whole job.
 *
 * Items: kind META_ITEM_PROGRESS, code "03", key and Names "db.table"
 * (source), Item the source table name, TargetNames the destination table,
 * SourceSchema/DestSchema, Total rows (estimate until the table is copied,
 * then exact), Current rows copied (string), DiffRow, State NotStarted,
 * Migrating, Success, Failed; Logs: INFO (keyless table copied in one pass,
 * verification summary), ERROR (ErrType "Data", ErrMsg the reason, ErrData
 * the chunk range or row key). Subtask progress = rows copied, total = rows
 * expected; checkpoint "full.rate" = "rows/s<TAB>MB/s" for the detail's
 * Performance.
 *
 * Returns STEP_DONE, STEP_FAILED (err says which tables failed and the
 * first reason), STEP_CANCELLED (Suspend/Stop/shutdown; resumable). */
enum step_result step_full_run(struct step_ctx *ctx, struct err *err);

/* Verification (and repair) of a job whose copy is done, on its own: what
 * step 4 above does, run again (tests; a future FullDataCheck module).
 * repair overrides opendts.full.repair. Updates DiffRow of the items. */
enum step_result step_full_verify(struct step_ctx *ctx, bool repair, struct err *err);

#endif
