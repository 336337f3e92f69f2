/*
 * my_schema.h - reads a MySQL/MariaDB catalog into the neutral schema model
 * (schema/schema.h) with a constant number of bulk information_schema
 * queries, whatever the number of tables.
 */
#ifndef OPENDTS_ENGINES_MYSQL_MY_SCHEMA_H
#define OPENDTS_ENGINES_MYSQL_MY_SCHEMA_H

#include <stddef.h>

#include "engines/mysql/my.h"
#include "schema/schema.h"

/* Reads every table, view, routine and trigger of the databases dbs[0..n)
 * into *out (initialised here; release with schema_catalog_release). A
 * database that does not exist simply contributes nothing (out->schemas
 * lists those that exist). n_dbs == 0 gives an empty catalog and runs no
 * query.
 *
 * Costs at most 13 queries (11 on information_schema, 2 to switch the
 * session time_zone to '+00:00' so TIMESTAMP defaults read in UTC, and
 * back) plus one SHOW CREATE per routine; 1,000 tables read in about
 * 0.1-0.6 s on the harness MariaDB. Foreign keys come from
 * KEY_COLUMN_USAGE; their rules from REFERENTIAL_CONSTRAINTS, which MariaDB
 * shows only to accounts with a privilege other than SELECT at database
 * level: for other accounts the rules are read with one SHOW CREATE TABLE
 * per table that has foreign keys, and an FK whose rules stay unreadable
 * keeps on_update = on_delete = "" (unknown). Only BASE TABLEs become
 * tables (sequences and system-versioned tables are not read); columns of
 * views are ignored.
 * Every field of the model is filled; see schema.h for the spellings.
 * Needs SELECT on information_schema (always granted) and, for routine
 * bodies and view definitions, the privileges that reveal them (SHOW VIEW,
 * or the routine's definer/SELECT on mysql.proc): without them
 * create_sql/definition are "".
 *
 * Errors: those of my_query_rows() prefixed with the information_schema
 * table being read ("reading the catalog (COLUMNS): ...") or the table
 * whose SHOW CREATE TABLE lost the connection; *out is then
 * empty (released). The connection's session time_zone is restored in
 * every case the server still answers. */
int my_schema_read(struct my_conn *c, const char *const *dbs, size_t n_dbs,
		   struct schema_catalog *out, struct err *err);

#endif
