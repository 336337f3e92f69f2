/*
 * precheck_dstcat.h - what the destination-side precheck items share
 * (precheck_dst.c, precheck_pgident.c, precheck_both.c): the destination
 * names of the selected objects, a bulk read of the destination catalog,
 * the current MySQL user's grants, and capped lists for Logs text.
 * Never included outside src/steps/.
 *
 * Threads: everything here works on the caller's objects and connection
 * only; the structures belong to the check that built them.
 */
#ifndef OPENDTS_STEPS_PRECHECK_DSTCAT_H
#define OPENDTS_STEPS_PRECHECK_DSTCAT_H

#include <stdbool.h>
#include <stddef.h>

#include "steps/precheck_internal.h"
#include "steps/precheck_rules.h"
#include "util/buf.h"

/* ---- capped lists of objects for ErrData / ErrMsg ------------------------ */

/* "a, b, c and 12 more": items past about 4 KB are counted, not shown. */
struct precheck_list {
	struct buf b;
	size_t n;            /* items added */
	size_t hidden;       /* items counted but not shown */
	char *text;          /* precheck__list_cstr()'s answer, until the next add */
};

void precheck__list_init(struct precheck_list *l);
void precheck__list_add(struct precheck_list *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The list as text; borrowed until the next add or release (so it may be
 * used several times in one call). */
const char *precheck__list_cstr(struct precheck_list *l);
void precheck__list_release(struct precheck_list *l);

/* ---- destination names ----------------------------------------------------- */

/* One selected table under the names the schema step will create: the DbList
 * renames, then Reserve dbListCaseChangeMode, then (PostgreSQL) the 63-byte
 * limit through schema_ident_fit(). */
struct precheck_dst_name {
	const struct schema_resolved *r;     /* borrowed from env */
	char *schema;
	char *name;
};

struct precheck_dst_names {
	bool pg;                             /* PostgreSQL destination */
	enum precheck_case case_mode;
	struct precheck_dst_name *t;         /* one per env->tables[i], same order */
	size_t n;
	char **schemas;                      /* distinct destination schemas, DbList order */
	size_t n_schemas;
};

void precheck__dst_names_build(const struct precheck_env *env, struct precheck_dst_names *out);
void precheck__dst_names_release(struct precheck_dst_names *names);
/* One identifier as the schema step will create it (heap string). */
char *precheck__dst_ident(const struct precheck_dst_names *names, const char *raw);
/* The destination schema of a source database, or NULL when the DbList
 * does not select the database as a whole (views, routines come with it). */
const char *precheck__dst_schema_of_db(const struct precheck_env *env, const char *src_db);
/* MySQL privileges the schema step needs in schema beyond CREATE, ALTER,
 * INDEX: REFERENCES (foreign keys), CREATE VIEW, CREATE ROUTINE, TRIGGER
 * for such selected objects. */
unsigned precheck__dst_names_object_privs(const struct precheck_env *env,
					  const struct precheck_dst_names *names,
					  const char *schema);

/* ---- destination catalog ---------------------------------------------------- */

struct precheck_dstcat_schema {
	char *name;
	bool usage, create;      /* PostgreSQL: has_schema_privilege (MySQL: true) */
};

struct precheck_dstcat_rel {
	char *schema;
	char *name;
	char kind;               /* 'T' table, 'V' view, 'O' other relation */
	char *missing;           /* PostgreSQL tables: "INSERT, DELETE" lacking, or NULL */
};

struct precheck_dstcat {
	bool ci;                 /* names compare without case (lower_case_table_names) */
	int lower_case_table_names;  /* MySQL; -1 on PostgreSQL */
	struct precheck_dstcat_schema *schemas;   /* every schema of the destination */
	size_t n_schemas;
	struct precheck_dstcat_rel *rels;         /* relations of names->schemas, sorted */
	size_t n_rels;
};

/* Reads the destination's schemas and the relations inside the selection's
 * destination schemas, with the current user's privileges on PostgreSQL:
 * three queries whatever the number of tables. */
int precheck__dstcat_read(const struct precheck_env *env, const struct precheck_dst_names *names,
			  struct precheck_dstcat *out, struct err *err);
void precheck__dstcat_release(struct precheck_dstcat *cat);
bool precheck__dstcat_has_schema(const struct precheck_dstcat *cat, const char *schema);
/* The kind of the relation schema.name, or 0 when there is none. */
char precheck__dstcat_kind(const struct precheck_dstcat *cat, const char *schema,
			   const char *name);
/* PostgreSQL: whether the user holds priv ("USAGE", "CREATE") on schema. */
bool precheck__dstcat_schema_priv(const struct precheck_dstcat *cat, const char *schema,
				  const char *priv);
/* PostgreSQL: the data privileges the user lacks on an existing table, or NULL. */
const char *precheck__dstcat_table_missing(const struct precheck_dstcat *cat,
					   const char *schema, const char *name);

/* ---- MySQL grants ------------------------------------------------------------ */

struct precheck_grants {
	struct precheck_grant *g;
	size_t n;
	bool has_table_grants;
	char *current_user;      /* CURRENT_USER(): "user@host" */
	const char *grantee;     /* set by the caller: `user`@`host` for GRANT text */
};

/* Reads SHOW GRANTS of the current user (with the active roles' grants on
 * MySQL 8) and parses the lines. */
int precheck__grants_read(struct my_conn *c, struct precheck_grants *out, struct err *err);
void precheck__grants_release(struct precheck_grants *gr);

/* ---- CHECK_PG_IDENTIFIER (precheck_pgident.c) ------------------------------- */

void precheck__pg_identifiers(const struct precheck_env *env, struct precheck_result *res);

#endif
