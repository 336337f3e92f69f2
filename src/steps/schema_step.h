/*
 * schema_step.h - step 02, schema migration (StructType "before"): reads the
 * source schema of the objects the job selects, renders DDL for the
 * destination (schema/ddl.h) and creates the objects, one progress item per
 * object (DescribePreCheckStatus JobCode 02).
 */
#ifndef OPENDTS_STEPS_SCHEMA_STEP_H
#define OPENDTS_STEPS_SCHEMA_STEP_H

#include "steps/step.h"

/* The step's run(): creates the destination databases (schemas on
 * PostgreSQL), tables with their primary keys, the UNIQUE key of tables
 * without one, views, functions and procedures; then secondary indexes,
 * foreign keys and triggers too when the job has no full-data step
 * (otherwise they stay NotStarted for step_schema_finish). Objects of one
 * kind are created in parallel on ctx->workers destination connections.
 * On MySQL, keys created right away go into their table's CREATE TABLE,
 * and several indexes or FKs of one table into one ALTER TABLE; each
 * object keeps its own item (DdlSql: the statement that ran).
 *
 * Items: kind META_ITEM_PROGRESS, code ctx->code, struct_type "before",
 * key "<Phase>:<schema>.[<table>.]<name>" in destination names, phase (the
 * StructPhase filter) Database, Table, View, Function, Procedure, Index,
 * ForeignKey or Trigger; Item and TargetNames the destination name, Names
 * the source name, DdlSql the statements run, ErrMsg the destination's own
 * error, Logs the renderer's notes (INFO) and the failure (ERROR,
 * "DTS-1020042 Execute sql error sql: <error>", ErrData the statement).
 *
 * Resumable: each created object gets the checkpoint "schema.done.<key>"
 * in the transaction that records it Success; a later run skips it. An
 * object recorded Migrating whose creation "already exists" after a
 * restart was created by the interrupted run and counts as Success
 * (unless it is a table that existed before the step first ran: the
 * checkpoint "schema.pre.<key>" remembers those, "schema.snapshot" that
 * the snapshot was taken). A cancel stops between objects: STEP_CANCELLED.
 *
 * Reserve: targetTableMode "0" (default) lets CREATE TABLE fail on an
 * existing table with the destination's error; "2" keeps a table that
 * existed before the step (not changed; its indexes, FKs and triggers are
 * not created either). dbListCaseChangeMode "dest_lower" folds names.
 *
 * Returns STEP_DONE, STEP_FAILED (err: how many objects failed and the
 * first one; or why the step could not run at all), STEP_CANCELLED. Runs
 * on a job worker thread; writes the metastore through ctx->meta only. */
enum step_result step_schema_run(struct step_ctx *ctx, struct err *err);

/* The finish phase, run after the full-data step (03): creates the
 * secondary indexes, foreign keys and triggers that step_schema_run left
 * NotStarted. Idempotent (objects already created are skipped); results
 * and errors as step_schema_run(). */
enum step_result step_schema_finish(struct step_ctx *ctx, struct err *err);

#endif
