/*
 * schema.h - the dialect-neutral schema model of opendts (public interface
 * of schema/): what a source database contains, read once from its catalog
 * (engines/mysql/my_schema.c fills it), then used by the precheck, the
 * migration assessment, the schema step (DDL renderers) and the data steps.
 *
 * Ownership: a struct schema_catalog owns every string and array inside it;
 * schema_catalog_release() frees them all. Arrays are (ptr, len) pairs.
 * Not thread-safe to modify; read-only sharing across threads is fine.
 */
#ifndef OPENDTS_SCHEMA_SCHEMA_H
#define OPENDTS_SCHEMA_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Column types of the source, by family. MySQL and MariaDB spellings. */
enum schema_type {
	SCHEMA_T_UNKNOWN = 0,
	SCHEMA_T_TINYINT, SCHEMA_T_SMALLINT, SCHEMA_T_MEDIUMINT, SCHEMA_T_INT, SCHEMA_T_BIGINT,
	SCHEMA_T_DECIMAL, SCHEMA_T_FLOAT, SCHEMA_T_DOUBLE, SCHEMA_T_BIT,
	SCHEMA_T_CHAR, SCHEMA_T_VARCHAR, SCHEMA_T_BINARY, SCHEMA_T_VARBINARY,
	SCHEMA_T_TINYTEXT, SCHEMA_T_TEXT, SCHEMA_T_MEDIUMTEXT, SCHEMA_T_LONGTEXT,
	SCHEMA_T_TINYBLOB, SCHEMA_T_BLOB, SCHEMA_T_MEDIUMBLOB, SCHEMA_T_LONGBLOB,
	SCHEMA_T_ENUM, SCHEMA_T_SET,
	SCHEMA_T_DATE, SCHEMA_T_DATETIME, SCHEMA_T_TIMESTAMP, SCHEMA_T_TIME, SCHEMA_T_YEAR,
	SCHEMA_T_JSON,            /* MySQL's JSON, and MariaDB's (LONGTEXT + json_valid()
				   * check: column_type stays "longtext") */
	SCHEMA_T_GEOMETRY, SCHEMA_T_POINT, SCHEMA_T_LINESTRING, SCHEMA_T_POLYGON,
	SCHEMA_T_MULTIPOINT, SCHEMA_T_MULTILINESTRING, SCHEMA_T_MULTIPOLYGON,
	SCHEMA_T_GEOMETRYCOLLECTION,
	SCHEMA_T_UUID, SCHEMA_T_INET4, SCHEMA_T_INET6,     /* MariaDB 10.5+ */
	SCHEMA_T__COUNT
};

struct schema_column {
	char *name;
	int ordinal;              /* 1-based position */
	enum schema_type type;
	char *column_type;        /* as the source spells it: "int(10) unsigned zerofill" */
	bool is_unsigned;
	bool zerofill;
	bool nullable;
	int64_t char_length;      /* CHARACTER_MAXIMUM_LENGTH (chars), -1 if n/a */
	int64_t octet_length;     /* CHARACTER_OCTET_LENGTH, -1 if n/a */
	int precision;            /* NUMERIC_PRECISION or BIT width, -1 if n/a */
	int scale;                /* NUMERIC_SCALE, -1 if n/a */
	int fsp;                  /* DATETIME_PRECISION (fractional seconds), -1 if n/a */
	char *charset;            /* "" for non-character columns */
	char *collation;
	bool has_default;         /* false: no DEFAULT clause at all */
	char *default_value;      /* literal text, or the expression when default_is_expr */
	bool default_is_expr;     /* CURRENT_TIMESTAMP(n), expressions (MariaDB 10.2+ syntax) */
	/* How defaults read (my_schema.c normalises both servers' spellings):
	 *   DEFAULT 'it''s'         value "it's" (unquoted, unescaped), is_expr false
	 *   DEFAULT -5 / 1.50       value "-5" / "1.50", is_expr false
	 *   DEFAULT NULL            value "NULL", is_expr true
	 *   DEFAULT CURRENT_TIMESTAMP(3) / NOW()
	 *                           value "current_timestamp(3)" / "current_timestamp()",
	 *                           is_expr true (MariaDB's spelling, also for MySQL)
	 *   DEFAULT b'101'          value "b'101'", is_expr true (BIT literal)
	 *   DEFAULT (1 + 2)         value "(1 + 2)", is_expr true (as the server prints it)
	 *   DEFAULT 'ab\0\0'        a literal holding a NUL byte (BINARY padding) stays
	 *                           quoted and escaped, value "'ab\0\0'", is_expr true
	 * TIMESTAMP literals are in UTC (the reader sets time_zone '+00:00'). */
	char *on_update;          /* "current_timestamp(3)" or "" (same normalisation) */
	bool auto_increment;
	char *generation_expr;    /* "" when not generated */
	bool generated_stored;    /* STORED (true) or VIRTUAL (false) */
	char *comment;
	char **enum_values;       /* ENUM/SET members, unquoted, in order */
	size_t n_enum_values;
	bool invisible;           /* MariaDB INVISIBLE / MySQL 8.0.23+ INVISIBLE column */
};

enum schema_index_kind { SCHEMA_IDX_BTREE = 0, SCHEMA_IDX_HASH, SCHEMA_IDX_FULLTEXT, SCHEMA_IDX_SPATIAL };

struct schema_index_part {
	char *column;
	int prefix_len;           /* SUB_PART, 0 = whole column */
	bool descending;
};

struct schema_index {
	char *name;               /* "PRIMARY" for the primary key */
	bool primary;
	bool unique;
	enum schema_index_kind kind;
	char *comment;
	struct schema_index_part *parts;
	size_t n_parts;
};

struct schema_fk {
	char *name;
	char **columns;
	size_t n_columns;
	char *ref_schema;
	char *ref_table;
	char **ref_columns;       /* n_columns entries */
	char *on_update;          /* "RESTRICT", "CASCADE", "SET NULL", "NO ACTION", "SET DEFAULT" */
	char *on_delete;
	/* on_update and on_delete are both "" when the rules are unknown: the
	 * source listed the FK (name, columns, referenced table) but the
	 * reading account could not see its rules. The FK is kept so that
	 * the precheck and the schema step can report it, never dropped. */
};

struct schema_check {
	char *name;
	char *expr;               /* CHECK_CLAUSE as the server prints it (MySQL syntax) */
	char *column;             /* MariaDB column-level CHECK (written inside the column
				   * definition): that column; "" for a table constraint */
	bool json_valid;          /* the json_valid(`col`) check MariaDB attaches to a JSON
				   * column (JSON is LONGTEXT + this check there). Kept, so a
				   * MariaDB destination gets the same definition; implied by
				   * jsonb on PostgreSQL. A hand-written identical check on a
				   * LONGTEXT column cannot be told apart (and means the same) */
};

struct schema_table {
	char *schema;             /* source database */
	char *name;
	char *engine;             /* "InnoDB", "MyISAM", ... */
	char *charset;            /* table default charset */
	char *collation;
	char *row_format;
	char *comment;
	char *create_options;     /* CREATE_OPTIONS, e.g. "partitioned" */
	bool partitioned;
	int64_t auto_increment;   /* next AUTO_INCREMENT value, 0 when none */
	int64_t rows_estimate;    /* TABLE_ROWS (an estimate for InnoDB) */
	int64_t data_bytes;       /* DATA_LENGTH + INDEX_LENGTH */
	struct schema_column *columns;
	size_t n_columns;
	struct schema_index *indexes;   /* primary key first when there is one */
	size_t n_indexes;
	struct schema_fk *fks;
	size_t n_fks;
	struct schema_check *checks;
	size_t n_checks;
};

struct schema_view {
	char *schema;
	char *name;
	char *definition;         /* the SELECT, as information_schema.VIEWS gives it */
	char *check_option;
	char *security;           /* DEFINER | INVOKER */
	char *definer;
	char *algorithm;          /* UNDEFINED | MERGE | TEMPTABLE (MariaDB); "" when unknown */
};

enum schema_routine_kind { SCHEMA_PROCEDURE = 0, SCHEMA_FUNCTION };

struct schema_routine {
	char *schema;
	char *name;
	enum schema_routine_kind kind;
	char *create_sql;         /* SHOW CREATE PROCEDURE/FUNCTION text; "" when the
				   * account may not read the body */
	char *definer;
	char *sql_mode;           /* the sql_mode the routine was created under */
};

struct schema_trigger {
	char *schema;
	char *name;
	char *table;
	char *timing;             /* BEFORE | AFTER */
	char *event;              /* INSERT | UPDATE | DELETE */
	char *statement;          /* ACTION_STATEMENT */
	char *definer;
	int action_order;         /* ACTION_ORDER: firing order among the table's triggers
				   * with the same timing and event (1-based) */
	char *sql_mode;
};

/* my_schema_read() returns every array sorted by byte order (strcmp):
 * tables and views by (schema, name), routines by (schema, name, kind),
 * triggers by (schema, table, action_order, name); columns by ordinal,
 * indexes primary first then in the server's order, FK columns in
 * ordinal order. */
struct schema_catalog {
	char **schemas;           /* the databases asked for that exist, sorted */
	size_t n_schemas;
	struct schema_table *tables;
	size_t n_tables;
	struct schema_view *views;
	size_t n_views;
	struct schema_routine *routines;
	size_t n_routines;
	struct schema_trigger *triggers;
	size_t n_triggers;
};

/* Frees everything inside c and zeroes it; an all-zero catalog is fine. */
void schema_catalog_release(struct schema_catalog *c);
/* Frees what a column owns (for columns built by hand, e.g. in tests). */
void schema_column_release(struct schema_column *c);
/* The table schema.name, or NULL. Names compare exactly (as the server
 * stores them). */
const struct schema_table *schema_find_table(const struct schema_catalog *c,
					     const char *schema, const char *name);
const struct schema_column *schema_find_column(const struct schema_table *t, const char *name);
/* The primary key, or else the first UNIQUE index whose columns are all NOT
 * NULL (usable to address a row), or NULL. */
const struct schema_index *schema_row_key(const struct schema_table *t);
/* Parses a MySQL DATA_TYPE ("int", "varchar", "geometry"...) into the enum. */
enum schema_type schema_type_parse(const char *data_type);
/* Lower-case MySQL name of a type ("int", "varchar", "geometrycollection");
 * "unknown" for SCHEMA_T_UNKNOWN or an out-of-range value. */
const char *schema_type_name(enum schema_type t);
/* Decodes a MySQL quoted literal ('..' with '' and backslash escapes, as
 * information_schema prints defaults) into bytes, NULs kept. -1 when v is
 * not exactly one whole literal. */
struct buf;
int schema_unquote_literal(const char *v, struct buf *out);
/* Parses a COLUMN_TYPE as the server spells it ("int(10) unsigned
 * zerofill", "decimal(10,2)", "enum('a','b''c')", "datetime(6)",
 * "varchar(20)") into c: type, is_unsigned, zerofill, enum_values (owned by
 * c; MySQL quoting undone: '' and backslash escapes; members already in c
 * are replaced), and the length, precision, scale or fsp written in
 * parentheses, or the one the type implies without them (decimal 10,0,
 * char/binary 1, bit 1, datetime/timestamp/time fsp 0); the numeric fields
 * a type does not use are -1. Display widths (int(11)) are ignored.
 * Does not touch name, nullability, charset, defaults. Returns -1 for an
 * unknown type word or malformed text (c->type is then SCHEMA_T_UNKNOWN). */
int schema_column_type_parse(const char *column_type, struct schema_column *c);

/* ---- selection: which source objects a job moves, under which names ---- */

struct schema_sel_column {
	char *src;
	char *dst;
};

struct schema_sel_table {
	char *src_schema, *src_name;
	char *dst_schema, *dst_name;
	bool all_columns;
	struct schema_sel_column *columns;   /* when !all_columns (or renames) */
	size_t n_columns;
	char *filter;             /* WHERE text, "" for none */
};

struct schema_sel_db {
	char *src;
	char *dst;
	bool all;                 /* every table of the database */
	struct schema_sel_table *tables;     /* listed tables (renames, subsets) */
	size_t n_tables;
};

struct schema_selection {
	struct schema_sel_db *dbs;
	size_t n_dbs;
};

/* Parses a validated DbList JSON (job_dblist_validate) into a selection. */
int schema_selection_parse(const char *dblist_json, struct schema_selection *out,
			   struct err *err);
void schema_selection_release(struct schema_selection *s);

/* The selected tables of a catalog, resolved: each catalog table that the
 * selection covers, with its destination names. Names the selection lists
 * but the catalog lacks go into *missing ("db.table" strings, or "db" for a
 * missing database; caller frees each and the array). */
struct schema_resolved {
	const struct schema_table *table;      /* borrowed from the catalog */
	const struct schema_sel_table *sel;    /* NULL when selected by "all" */
	const char *dst_schema;                /* borrowed */
	const char *dst_name;                  /* borrowed */
};
/* Order: the catalog's table order. A listed name that is a view of the
 * catalog is not missing (views are not tables; the schema step takes them
 * from the catalog). A listed column the table lacks is missing as
 * "db.table.column". A database is missing when it is neither in
 * c->schemas nor the schema of any catalog table or view. *out (caller
 * frees the array only) borrows from s and c: keep both alive. Fails only
 * on bad arguments (ERR_INVALID); outputs are then NULL/0. */
int schema_selection_resolve(const struct schema_selection *s, const struct schema_catalog *c,
			     struct schema_resolved **out, size_t *n,
			     char ***missing, size_t *n_missing, struct err *err);
/* The destination name of a column of a resolved table (rename or same). */
const char *schema_resolved_column_name(const struct schema_resolved *r, const char *src_column);
/* True when the column moves: every column unless the table lists a subset. */
bool schema_resolved_column_selected(const struct schema_resolved *r, const char *src_column);

#endif
