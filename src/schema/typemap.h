/*
 * typemap.h - how each source column type arrives in a destination dialect:
 * the ONE source of truth shared by the migration assessment (precheck,
 * ANALYSIS_* items), the schema step's DDL renderers and the data steps'
 * value converters. docs/type-mapping.md documents the same table for people;
 * tests/unit/test_schema.c checks they agree. Pure functions, thread-safe.
 */
#ifndef OPENDTS_SCHEMA_TYPEMAP_H
#define OPENDTS_SCHEMA_TYPEMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "schema/schema.h"
#include "util/buf.h"

enum schema_dialect { SCHEMA_DIALECT_MYSQL = 0, SCHEMA_DIALECT_PG };

/* How much a value may change on the way (worst case first). */
enum schema_risk {
	SCHEMA_RISK_NONE = 0,      /* same type, same values */
	SCHEMA_RISK_TYPE,          /* another type, every value arrives unchanged */
	SCHEMA_RISK_DATA,          /* some values change or are refused (zero dates, SET order...) */
	SCHEMA_RISK_UNSUPPORTED,   /* no faithful mapping; the object fails */
};

struct schema_mapping {
	char dst_type[160];        /* e.g. "numeric(20,0)", "bytea", "timestamp(3) without time zone" */
	enum schema_risk risk;
	char note[320];            /* one sentence: what changes and why ("" when RISK_NONE) */
	char check_expr[512];      /* extra CHECK constraint the renderer adds ("" none), with
				    * "%s" standing for the quoted column name (ENUM/SET/unsigned);
				    * it may occur more than once, and a literal % is never
				    * doubled. For display: cut (ending "...") when longer than
				    * the field; renderers use schema_map_check_sql() */
	bool needs_on_update_trigger;  /* ON UPDATE CURRENT_TIMESTAMP on PostgreSQL */
	bool identity;             /* AUTO_INCREMENT becomes an identity column */
};

/* Maps one column to dialect d. Never fails: an unknown type maps to
 * SCHEMA_RISK_UNSUPPORTED with a note. When several things change, risk is
 * the worst and note joins the reasons with "; ". */
void schema_map_column(const struct schema_column *c, enum schema_dialect d,
		       struct schema_mapping *out);

/* "none", "type", "data", "unsupported" (docs/type-mapping.md uses these). */
const char *schema_risk_name(enum schema_risk r);

/* Appends the CHECK expression of schema_map_column(c, d) for the column
 * spelled quoted_column (already quoted for the dialect), without the
 * length limit of check_expr; appends nothing when there is none. -1 when
 * the buffer cap is reached. */
int schema_map_check_sql(const struct schema_column *c, enum schema_dialect d,
			 const char *quoted_column, struct buf *out);

/* Appends the DEFAULT expression (without the word DEFAULT) column c gets
 * in dialect d, or nothing when it gets none (no default, AUTO_INCREMENT,
 * generated). MySQL: the source default re-quoted. PostgreSQL: literals
 * quoted for the target type (BIT b'1' -> B'...' padded to the width,
 * binary -> '\x..' bytea, numbers bare), CURRENT_TIMESTAMP(n) ->
 * LOCALTIMESTAMP(n) on DATETIME (timestamp without time zone) and
 * CURRENT_TIMESTAMP(n) on TIMESTAMP, expressions through
 * schema_expr_convert(). Returns -1 with a sentence in why (why_n bytes)
 * when the default has no destination form (zero dates, an expression
 * that does not convert); out is then unchanged and the renderer creates
 * the column without a default and reports why. */
int schema_map_default(const struct schema_column *c, enum schema_dialect d,
		       struct buf *out, char *why, size_t why_n);

/* Converts a MySQL expression as information_schema prints it (generated
 * columns, CHECK clauses, DEFAULT expressions) to dialect d and appends
 * it to out. MySQL: copied. PostgreSQL: `ident` -> "ident", string
 * literals re-quoted (charset introducers dropped), operators, CASE, IN,
 * BETWEEN, IS [NOT] NULL, LIKE kept; concat(a,b) -> (a || b) (NULL
 * propagates like MySQL's), ifnull -> coalesce, length -> octet_length,
 * log -> ln, lcase/ucase, current_timestamp(n)/now(); functions or
 * operators whose PostgreSQL meaning differs ('/', DIV, '||', XOR,
 * greatest/least, REGEXP, CAST, IF...) are refused. Returns -1 with the
 * reason in why (why_n bytes) when the expression cannot be converted
 * faithfully; out may then hold a partial text (discard it). */
int schema_expr_convert(enum schema_dialect d, const char *expr, struct buf *out,
			char *why, size_t why_n);

/* Identifier rules of the destination. PostgreSQL keeps 63 bytes: longer
 * names are shortened deterministically (a prefix plus a short hash of the
 * full name, cut on a UTF-8 boundary) into out (n bytes); returns true when
 * it had to shorten. MySQL names are never shortened (64 characters).
 * Precisely: a PostgreSQL name over 63 bytes becomes its first bytes (at
 * most 54, cut back to a UTF-8 character boundary) + "_" + the first 8 hex
 * digits of the SHA-256 of the whole name. out needs 64 bytes for
 * PostgreSQL and 257 for MySQL (64 characters of up to 4 bytes); a smaller
 * n cuts the result on a character boundary. */
bool schema_ident_fit(enum schema_dialect d, const char *name, char *out, size_t n);
/* True when name is a reserved word of the destination dialect (needs
 * quoting; reported by the assessment). ASCII case-insensitive. PostgreSQL:
 * the words PostgreSQL 15 lists as reserved, including "reserved (can be
 * function or type)" (pg_get_keywords() catcode R and T). MySQL: the
 * reserved words of MariaDB 10.11 and of MySQL 8.0, together. */
bool schema_ident_reserved(enum schema_dialect d, const char *name);

#endif
