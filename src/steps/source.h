/*
 * source.h - what several steps need from a job's endpoints (shared inside
 * src/steps/ only): connections opened with the job's timeouts, and the
 * selected source objects (DbList parsed, the source catalog of the selected
 * databases read and resolved into tables with destination names).
 *
 * Threads: each function works on its arguments only; a connection belongs
 * to the thread that opened it (engines/mysql/my.h, engines/pg/pg.h).
 */
#ifndef OPENDTS_STEPS_SOURCE_H
#define OPENDTS_STEPS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "engines/mysql/my.h"
#include "engines/pg/pg.h"
#include "schema/schema.h"
#include "steps/step.h"

/* The connect timeout a step uses: ctx->connect_timeout_s, or 10 s. */
int step__timeout_s(const struct step_ctx *ctx);
/* True when the job's destination engine is PostgreSQL (any case). */
bool step__dst_is_pg(const struct meta_job *job);

/* Connects to a MySQL-family or PostgreSQL endpoint with connect timeout
 * timeout_s and read/write timeouts of 6 * timeout_s; the caller closes the
 * result. Errors as my_connect() / pg_connect(). */
struct my_conn *step__connect_my(const struct meta_endpoint *ep, int timeout_s, struct err *err);
struct pg_conn *step__connect_pg(const struct meta_endpoint *ep, int timeout_s, struct err *err);

/* Parses the job's DbList into sel (schema_selection_parse); ERR_INVALID
 * naming the job when it selects nothing. */
int step__selection_read(const struct meta_job *job, struct schema_selection *sel,
			 struct err *err);

/* Reads the catalog of every database sel names from src (my_schema_read)
 * and resolves sel against it (schema_selection_resolve). On success the
 * caller owns *catalog (schema_catalog_release), the *tables array (free;
 * it borrows from sel and *catalog) and *missing (free each, then the
 * array). On error every output is empty and err says which stage failed. */
int step__catalog_read(struct my_conn *src, const struct schema_selection *sel,
		       struct schema_catalog *catalog, struct schema_resolved **tables,
		       size_t *n_tables, char ***missing, size_t *n_missing, struct err *err);

#endif
