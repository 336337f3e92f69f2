/*
 * ddl.h - DDL renderers: turn the neutral model (schema.h) into statements
 * for a destination dialect, using the one type mapping (typemap.h).
 * render_mysql.c is faithful (the destination's SHOW CREATE TABLE equals the
 * source's up to renames); render_pg.c applies docs/type-mapping.md.
 *
 * Every renderer is a pure function of its inputs (no I/O), thread-safe,
 * and quotes every identifier with schema_quote_ident() and every literal
 * with schema_quote_literal() for its dialect — never pasted text.
 */
#ifndef OPENDTS_SCHEMA_DDL_H
#define OPENDTS_SCHEMA_DDL_H

#include <stdbool.h>
#include <stddef.h>

#include "schema/schema.h"
#include "schema/typemap.h"
#include "util/buf.h"

/* The statements that create one object, in the order to run them. */
struct schema_ddl {
	char **stmts;            /* complete statements, no trailing ';' */
	size_t n_stmts;
	char **notes;            /* what is not carried over unchanged, one sentence each */
	size_t n_notes;
	bool unsupported;        /* the object cannot be created in this dialect */
	char reason[512];        /* why, when unsupported (stmts then hold the best
				  * attempt or the source text, for DdlSql) */
};

struct schema_render_opts {
	enum schema_dialect dialect;
	bool fold_lower;         /* PostgreSQL: fold identifiers to lower case
				  * (Reserve dbListCaseChangeMode "dest_lower") */
	bool if_not_exists;      /* keep existing tables (targetTableMode "2") */
};

/* The session a MySQL/MariaDB destination connection of the schema step
 * sets once, before running any statement of the renderers (render_mysql.c
 * writes for it): literals escape with backslashes (no
 * NO_BACKSLASH_ESCAPES), no ANSI_QUOTES, zero dates allowed as defaults
 * (no NO_ZERO_DATE), strict so that nothing is silently truncated or
 * converted, NO_ENGINE_SUBSTITUTION so that a missing engine fails instead
 * of becoming the default one; time_zone '+00:00' because TIMESTAMP
 * defaults are read in UTC; explicit_defaults_for_timestamp so that a
 * TIMESTAMP column gets no implicit DEFAULT/ON UPDATE. Routines and
 * triggers switch sql_mode to their own around their CREATE and back to
 * SCHEMA_MY_SQL_MODE (three statements); after a failed statement the
 * step sets SCHEMA_MY_SQL_MODE again before the next object. */
#define SCHEMA_MY_SQL_MODE "STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION"
#define SCHEMA_MY_SESSION_SETUP                                                   \
	"SET SESSION sql_mode = '" SCHEMA_MY_SQL_MODE "', time_zone = '+00:00', " \
	"explicit_defaults_for_timestamp = 1"

/* Every schema_render_* starts by zeroing *out (pass an unused or released
 * one); on -1 (bad arguments only) *out is empty again. An object whose
 * rendering needs no statement (MySQL: an index created with its table)
 * has n_stmts == 0 and a note saying why. */
void schema_ddl_release(struct schema_ddl *d);
/* All statements joined with ";\n" plus a final ";" (DdlSql). Caller frees. */
char *schema_ddl_text(const struct schema_ddl *d);

/* Identifier quoting, one function per dialect: `a``b` for MySQL, "a""b"
 * for PostgreSQL (after fold_lower and the 63-byte fit, schema_ident_fit). */
void schema_quote_ident(const struct schema_render_opts *o, const char *name, struct buf *out);
/* The name an identifier gets in the destination, unquoted: unchanged on
 * MySQL; on PostgreSQL folded to lower case (ASCII, fold_lower) and fitted
 * to 63 bytes (schema_ident_fit). What schema_quote_ident() quotes.
 * Caller frees. */
char *schema_dst_ident(const struct schema_render_opts *o, const char *name);
/* String literal quoting for the dialect ('it''s', with backslashes and
 * NULs handled as the dialect needs). */
void schema_quote_literal(const struct schema_render_opts *o, const char *s, size_t n,
			  struct buf *out);

/* CREATE DATABASE (MySQL, with the source's charset/collation) or CREATE
 * SCHEMA (PostgreSQL) for a destination database name. */
int schema_render_database(const struct schema_render_opts *o, const char *dst_schema,
			   const char *charset, const char *collation,
			   struct schema_ddl *out, struct err *err);
/* The table with its columns, primary key, CHECK constraints, table options,
 * comments, AUTO_INCREMENT/identity start, and (PostgreSQL) the ON UPDATE
 * CURRENT_TIMESTAMP trigger. Secondary indexes and FKs are separate. Uses
 * the resolved table's destination names and column selection/renames. */
int schema_render_table(const struct schema_render_opts *o, const struct schema_resolved *t,
			struct schema_ddl *out, struct err *err);
/* One secondary index (not the primary key) of a resolved table. */
int schema_render_index(const struct schema_render_opts *o, const struct schema_resolved *t,
			const struct schema_index *ix, struct schema_ddl *out, struct err *err);
/* One foreign key; `all` are every resolved table of the job, to name the
 * referenced table by its destination name (unsupported when it is not
 * selected). */
int schema_render_fk(const struct schema_render_opts *o, const struct schema_resolved *t,
		     const struct schema_fk *fk, const struct schema_resolved *all,
		     size_t n_all, struct schema_ddl *out, struct err *err);
/* Views, routines, triggers: MySQL renders them faithfully in dst_schema;
 * PostgreSQL converts what it can and marks the rest unsupported with the
 * reason and the source text as stmts. */
int schema_render_view(const struct schema_render_opts *o, const struct schema_view *v,
		       const char *dst_schema, struct schema_ddl *out, struct err *err);
int schema_render_routine(const struct schema_render_opts *o, const struct schema_routine *r,
			  const char *dst_schema, struct schema_ddl *out, struct err *err);
int schema_render_trigger(const struct schema_render_opts *o, const struct schema_trigger *tr,
			  const char *dst_schema, const char *dst_table, struct schema_ddl *out,
			  struct err *err);

#endif
