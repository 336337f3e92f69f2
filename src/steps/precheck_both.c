/*
 * precheck_both.c - precheck items that compare the two servers (OrderNum
 * 80-99): CHECK_CHARSET (character sets and collations the destination
 * cannot hold), CHECK_LOWER_CASE_TABLE_NAMES, CHECK_SQL_MODE (modes that
 * change stored data), CHECK_TIME_ZONE and CHECK_MAX_CONN (connection
 * headroom for the configured parallelism).
 *
 * Threads: run one after another on the precheck's calling thread after the
 * source and destination checks finished, so each may use env->src and the
 * destination connection; nothing else is shared. Each item reads a few
 * server variables (one query per server) and the source catalog in env.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/typemap.h"
#include "steps/precheck_dstcat.h"
#include "steps/precheck_internal.h"
#include "steps/precheck_rules.h"
#include "util/str.h"
#include "util/xalloc.h"

#define MAX_VALS 6

static bool dst_pg(const struct precheck_env *env)
{
	return env->dst_engine == PRECHECK_DST_PG;
}

static void query_failed(struct precheck_result *res, const char *what, const struct err *e)
{
	res->state = PRECHECK_FAILED;
	precheck__log(res, "ERROR", "query", e->msg, "cannot compare %s of the two servers: %s",
		      what, e->msg);
}

/* The first row of a query, n columns, each a heap string or NULL. */
struct vals {
	char *v[MAX_VALS];
};

static void vals_release(struct vals *v)
{
	for (int i = 0; i < MAX_VALS; i++)
		free(v->v[i]);
	memset(v, 0, sizeof(*v));
}

static const char *val(const struct vals *v, int i)
{
	return v->v[i] ? v->v[i] : "";
}

static int my_vals(struct my_conn *c, const char *sql, struct vals *out, struct err *err)
{
	struct my_rows *r = my_query_rows(c, sql, err);

	memset(out, 0, sizeof(*out));
	if (!r)
		return -1;
	if (my_rows_next(r))
		for (unsigned i = 0; i < MAX_VALS; i++)
			out->v[i] = xstrdup(my_rows_get(r, i));
	my_rows_free(r);
	return 0;
}

static int pg_vals(struct pg_conn *c, const char *sql, struct vals *out, struct err *err)
{
	struct pg_rows *r = pg_query_rows(c, sql, 0, NULL, err);

	memset(out, 0, sizeof(*out));
	if (!r)
		return -1;
	for (int i = 0; i < MAX_VALS; i++)
		out->v[i] = xstrdup(pg_rows_get(r, 0, i));
	pg_rows_free(r);
	return 0;
}

/* Reads the same variables from both servers (dst_sql for PostgreSQL). */
static int both_vals(const struct precheck_env *env, const char *my_sql, const char *pg_sql,
		     struct vals *src, struct vals *dst, struct err *err)
{
	memset(dst, 0, sizeof(*dst));
	if (my_vals(env->src, my_sql, src, err) < 0)
		return -1;
	if (dst_pg(env) ? pg_vals(env->dst_pg, pg_sql, dst, err)
			: my_vals(env->dst_my, my_sql, dst, err)) {
		vals_release(src);
		return -1;
	}
	return 0;
}

static bool no_catalog(const struct precheck_env *env, struct precheck_result *res)
{
	if (env->have_catalog)
		return false;
	res->state = PRECHECK_NOT_STARTED;
	precheck__log(res, "INFO", "skipped", NULL, "not checked: %s", env->catalog_error);
	return true;
}

static bool dst_is_mysql(const struct meta_job *job)
{
	return !str_ieq(job->dst.engine, "PostgreSQL");
}

/* ---- CHECK_CHARSET --------------------------------------------------------- */

/* The destination's collations (MySQL family). */
struct collations {
	char **name, **charset;
	bool *is_default;
	size_t n;
};

static bool coll_has(void *ctx, const char *name)
{
	const struct collations *c = ctx;

	for (size_t i = 0; i < c->n; i++)
		if (str_ieq(c->name[i], name))
			return true;
	return false;
}

static const char *coll_default_of(void *ctx, const char *charset)
{
	const struct collations *c = ctx;

	for (size_t i = 0; i < c->n; i++)
		if (c->is_default[i] && str_ieq(c->charset[i], charset))
			return c->name[i];
	return NULL;
}

static int collations_read(struct my_conn *c, struct collations *out, struct err *err)
{
	struct my_rows *r = my_query_rows(c, "SELECT COLLATION_NAME, CHARACTER_SET_NAME, "
					  "IS_DEFAULT FROM information_schema.COLLATIONS", err);
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!r)
		return -1;
	n = my_rows_count(r);
	out->name = xcalloc(n + 1, sizeof(char *));
	out->charset = xcalloc(n + 1, sizeof(char *));
	out->is_default = xcalloc(n + 1, sizeof(bool));
	while (my_rows_next(r) && out->n < n) {
		const char *d = my_rows_get(r, 2);

		out->name[out->n] = xstrdup(my_rows_get(r, 0) ? my_rows_get(r, 0) : "");
		out->charset[out->n] = xstrdup(my_rows_get(r, 1) ? my_rows_get(r, 1) : "");
		out->is_default[out->n++] = d && str_ieq(d, "Yes");
	}
	my_rows_free(r);
	return 0;
}

static void collations_release(struct collations *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->name[i]);
		free(c->charset[i]);
	}
	free(c->name);
	free(c->charset);
	free(c->is_default);
}

/* Collations the selected tables use and the destination lacks, each with
 * the objects that use it. */
struct lacking {
	const char *collation;        /* borrowed from the catalog */
	struct precheck_list users;
};

static void lacking_note(struct lacking **v, size_t *n, const char *collation,
			 const char *object)
{
	size_t i = 0;

	while (i < *n && strcmp((*v)[i].collation, collation) != 0)
		i++;
	if (i == *n) {
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[i].collation = collation;
		precheck__list_init(&(*v)[i].users);
		(*n)++;
	}
	if ((*v)[i].users.n < 5)
		precheck__list_add(&(*v)[i].users, "%s", object);
	else
		(*v)[i].users.n++;
}

static void charset_my_report(struct precheck_result *res, struct lacking *v, size_t n,
			      struct collations *dc)
{
	struct precheck_list data, fix;
	char pick[160];

	precheck__list_init(&data);
	precheck__list_init(&fix);
	for (size_t i = 0; i < n; i++) {
		const char *s = precheck__collation_suggest(v[i].collation, coll_has,
							    coll_default_of, dc, pick, sizeof(pick));

		precheck__list_add(&data, "%s (used by %zu object(s): %s)", v[i].collation,
				   v[i].users.n, precheck__list_cstr(&v[i].users));
		precheck__list_add(&fix, "%s -> %s", v[i].collation, s ? s : "(none found)");
	}
	res->state = PRECHECK_FAILED;
	precheck__log(res, "ERROR", "charset", precheck__list_cstr(&data),
		      "the destination server lacks %zu collation(s) that selected tables use: "
		      "%s; the schema step cannot create these columns and tables as they are. "
		      "Change them in the source (ALTER TABLE ... CONVERT TO CHARACTER SET ... "
		      "COLLATE ..., or MODIFY the column) or use a destination that has them; "
		      "nearest collations the destination has: %s",
		      n, precheck__list_cstr(&data), precheck__list_cstr(&fix));
	precheck__list_release(&data);
	precheck__list_release(&fix);
}

/* Notes one use of a collation; returns 1 to count it. */
static size_t use_collation(struct lacking **v, size_t *n, struct collations *dc,
			    const char *collation, const char *object)
{
	if (!collation || !*collation)
		return 0;
	if (!coll_has(dc, collation))
		lacking_note(v, n, collation, object);
	return 1;
}

static void charset_my(const struct precheck_env *env, struct precheck_result *res)
{
	struct lacking *v = NULL;
	struct collations dc;
	struct err e = { 0 };
	size_t n = 0, used = 0;
	char obj[700];

	if (collations_read(env->dst_my, &dc, &e) < 0) {
		query_failed(res, "the collations", &e);
		return;
	}
	for (size_t i = 0; i < env->n_tables; i++) {
		const struct schema_table *t = env->tables[i].table;

		snprintf(obj, sizeof(obj), "%s.%s", t->schema, t->name);
		used += use_collation(&v, &n, &dc, t->collation, obj);
		for (size_t k = 0; k < t->n_columns; k++) {
			snprintf(obj, sizeof(obj), "%s.%s.%s", t->schema, t->name,
				 t->columns[k].name);
			used += use_collation(&v, &n, &dc, t->columns[k].collation, obj);
		}
	}
	if (n) {
		charset_my_report(res, v, n, &dc);
	} else {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "charset", NULL,
			      "the destination has every collation the %zu selected tables use "
			      "(%zu tables and columns checked)", env->n_tables, used);
	}
	for (size_t i = 0; i < n; i++)
		precheck__list_release(&v[i].users);
	free(v);
	collations_release(&dc);
}

static void charset_pg(const struct precheck_env *env, struct precheck_result *res)
{
	struct precheck_list cols;
	struct err e = { 0 };
	char *enc = NULL, data[200];

	if (pg_query_value(env->dst_pg, "SHOW server_encoding", &enc, &e) < 0) {
		query_failed(res, "the character sets", &e);
		return;
	}
	precheck__list_init(&cols);
	for (size_t i = 0; enc && !str_ieq(enc, "UTF8") && i < env->n_tables; i++) {
		const struct schema_table *t = env->tables[i].table;

		for (size_t k = 0; k < t->n_columns; k++)
			if (precheck__charset_needs_utf8(t->columns[k].charset))
				precheck__list_add(&cols, "%s.%s.%s (%s)", t->schema, t->name,
						   t->columns[k].name, t->columns[k].charset);
	}
	snprintf(data, sizeof(data), "server_encoding=%s", enc ? enc : "");
	if (cols.n) {
		res->state = PRECHECK_FAILED;
		precheck__log(res, "ERROR", "charset", precheck__list_cstr(&cols),
			      "the destination database is encoded %s, not UTF8, and %zu selected "
			      "column(s) hold text that may not fit it: %s; create the destination "
			      "database with CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0 "
			      "and point DestinationEndpointDataBaseName at it", enc, cols.n,
			      precheck__list_cstr(&cols));
	} else {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "charset", data,
			      "the destination database is encoded %s; the selected text columns "
			      "fit it", enc ? enc : "?");
	}
	precheck__list_release(&cols);
	free(enc);
}

static void check_charset(const struct precheck_env *env, struct precheck_result *res)
{
	if (no_catalog(env, res))
		return;
	if (dst_pg(env))
		charset_pg(env, res);
	else
		charset_my(env, res);
}

/* ---- CHECK_LOWER_CASE_TABLE_NAMES ------------------------------------------ */

static bool has_upper(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return true;
	return false;
}

/* Adds name once when it holds an upper-case letter. */
static void note_upper(struct precheck_list *l, char ***seen, size_t *n, const char *name)
{
	if (!has_upper(name))
		return;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*seen)[i], name) == 0)
			return;
	*seen = xrealloc(*seen, (*n + 1) * sizeof(char *));
	(*seen)[(*n)++] = xstrdup(name);
	precheck__list_add(l, "%s", name);
}

/* The selected names, source and destination, that are not lower case. */
static void mixed_case_names(const struct precheck_env *env, struct precheck_list *l)
{
	struct precheck_dst_names names;
	char **seen = NULL, full[700];
	size_t n = 0;

	precheck__dst_names_build(env, &names);
	for (size_t i = 0; i < env->sel.n_dbs; i++)
		note_upper(l, &seen, &n, env->sel.dbs[i].src);
	for (size_t i = 0; i < names.n_schemas; i++)
		note_upper(l, &seen, &n, names.schemas[i]);
	for (size_t i = 0; i < names.n; i++) {
		const struct schema_table *t = names.t[i].r->table;

		snprintf(full, sizeof(full), "%s.%s", t->schema, t->name);
		if (has_upper(t->name))
			note_upper(l, &seen, &n, full);
		snprintf(full, sizeof(full), "%s.%s", names.t[i].schema, names.t[i].name);
		if (has_upper(names.t[i].name))
			note_upper(l, &seen, &n, full);
	}
	for (size_t i = 0; i < n; i++)
		free(seen[i]);
	free(seen);
	precheck__dst_names_release(&names);
}

static void check_lower_case_table_names(const struct precheck_env *env,
					 struct precheck_result *res)
{
	const char *sql = "SELECT @@lower_case_table_names";
	struct vals s, d;
	struct err e = { 0 };
	struct precheck_list names;
	char data[120];

	if (no_catalog(env, res))
		return;
	if (both_vals(env, sql, sql, &s, &d, &e) < 0) {
		query_failed(res, "lower_case_table_names", &e);
		return;
	}
	snprintf(data, sizeof(data), "source lower_case_table_names=%s, destination "
		 "lower_case_table_names=%s", val(&s, 0), val(&d, 0));
	precheck__list_init(&names);
	if (strcmp(val(&s, 0), val(&d, 0)) != 0)
		mixed_case_names(env, &names);
	if (names.n) {
		res->state = PRECHECK_FAILED;
		precheck__log(res, "ERROR", "lower_case_table_names", precheck__list_cstr(&names),
			      "%s differ and %zu selected database or table name(s) are not all "
			      "lower case: %s; the destination would store or compare them in "
			      "another case than the source (names that differ only in case "
			      "collide, renamed objects are not found). Rename them to lower case "
			      "in DbList, or give both servers the same lower_case_table_names "
			      "(my.cnf [mysqld] lower_case_table_names=%s; MySQL 8 sets it only "
			      "when the data directory is initialised)", data, names.n,
			      precheck__list_cstr(&names), val(&s, 0));
	} else {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "lower_case_table_names", data,
			      strcmp(val(&s, 0), val(&d, 0)) == 0
			      ? "both servers use the same lower_case_table_names"
			      : "lower_case_table_names differ, but every selected name is lower "
				"case, so both servers store and compare them alike");
	}
	precheck__list_release(&names);
	vals_release(&s);
	vals_release(&d);
}

/* ---- CHECK_SQL_MODE -------------------------------------------------------- */

static bool strict(const char *modes)
{
	return precheck__sql_mode_has(modes, "STRICT_TRANS_TABLES") ||
	       precheck__sql_mode_has(modes, "STRICT_ALL_TABLES");
}

static void sql_mode_my(struct precheck_result *res, const char *src, const char *dst)
{
	struct precheck_list data_modes, syntax;
	char data[2200];

	snprintf(data, sizeof(data), "source sql_mode=%s; destination sql_mode=%s", src, dst);
	precheck__list_init(&data_modes);
	precheck__list_init(&syntax);
	if (!strict(dst)) {
		res->state = PRECHECK_WARNING;
		precheck__log(res, "WARN", "sql_mode_strict", data,
			      "the destination's global sql_mode has neither STRICT_TRANS_TABLES "
			      "nor STRICT_ALL_TABLES: a value that does not fit its column is "
			      "truncated or replaced with a warning instead of failing the write; "
			      "run SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, "
			      "',STRICT_TRANS_TABLES') on the destination and add it to sql_mode "
			      "in my.cnf [mysqld]");
	}
	for (const struct precheck_sql_mode_rule *r = precheck__sql_mode_rules; r->mode; r++) {
		bool in_src = precheck__sql_mode_has(src, r->mode);
		bool in_dst = precheck__sql_mode_has(dst, r->mode);

		if (in_src == in_dst)
			continue;
		precheck__list_add(r->changes_data ? &data_modes : &syntax, "%s (source %s, "
				   "destination %s: %s)", r->mode, in_src ? "on" : "off",
				   in_dst ? "on" : "off", r->effect);
	}
	if (data_modes.n) {
		res->state = PRECHECK_WARNING;
		precheck__log(res, "WARN", "sql_mode", data,
			      "the servers' global sql_mode differ in %zu flag(s) that change what "
			      "is stored or read: %s; sessions that do not set sql_mode get these "
			      "global values; align them with SET GLOBAL sql_mode = '...' on the "
			      "destination (and my.cnf)", data_modes.n,
			      precheck__list_cstr(&data_modes));
	}
	if (syntax.n)
		precheck__log(res, "INFO", "sql_mode", data,
			      "sql_mode flags that differ but change only how SQL text is parsed, "
			      "not the values stored: %s", precheck__list_cstr(&syntax));
	if (!res->state) {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "sql_mode", data,
			      "the destination is strict and no sql_mode flag that changes stored "
			      "data differs between the servers");
	}
	precheck__list_release(&data_modes);
	precheck__list_release(&syntax);
}

static bool is_date(enum schema_type t)
{
	return t == SCHEMA_T_DATE || t == SCHEMA_T_DATETIME || t == SCHEMA_T_TIMESTAMP;
}

/* The selected date columns by what a zero date becomes on PostgreSQL; the
 * words come from the shared type mapping (schema_map_column). */
static void zero_date_columns(const struct precheck_env *env, struct precheck_list *nullable,
			      struct precheck_list *not_null, char *note_null, char *note_nn,
			      size_t n)
{
	for (size_t i = 0; i < env->n_tables; i++) {
		const struct schema_table *t = env->tables[i].table;

		for (size_t k = 0; k < t->n_columns; k++) {
			const struct schema_column *c = &t->columns[k];
			struct schema_mapping m;

			if (!is_date(c->type))
				continue;
			schema_map_column(c, SCHEMA_DIALECT_PG, &m);
			precheck__list_add(c->nullable ? nullable : not_null, "%s.%s.%s",
					   t->schema, t->name, c->name);
			if (!*(c->nullable ? note_null : note_nn))
				str_copy(c->nullable ? note_null : note_nn, n, m.note);
		}
	}
}

static void sql_mode_pg(const struct precheck_env *env, struct precheck_result *res,
			const char *src)
{
	bool zero_ok = !precheck__sql_mode_has(src, "NO_ZERO_DATE") ||
		       !precheck__sql_mode_has(src, "NO_ZERO_IN_DATE") ||
		       precheck__sql_mode_has(src, "ALLOW_INVALID_DATES") || !strict(src);
	struct precheck_list nullable, not_null;
	char note_null[400] = "", note_nn[400] = "", data[1200];

	precheck__list_init(&nullable);
	precheck__list_init(&not_null);
	zero_date_columns(env, &nullable, &not_null, note_null, note_nn, sizeof(note_null));
	snprintf(data, sizeof(data), "source sql_mode=%s", src);
	if (zero_ok && (nullable.n || not_null.n)) {
		res->state = PRECHECK_WARNING;
		precheck__log(res, "WARN", "zero_date", data,
			      "the source's sql_mode (%s) lets zero dates (0000-00-00, or a zero "
			      "month or day) be stored, so the %zu selected DATE/DATETIME/TIMESTAMP "
			      "column(s) may hold some, and PostgreSQL has no such value. "
			      "Nullable columns: %s%s%s. NOT NULL columns: %s%s%s. Find them with "
			      "SELECT ... WHERE col = '0000-00-00' OR MONTH(col) = 0 OR DAY(col) = 0 "
			      "and fix them in the source first (see docs/type-mapping.md)", src,
			      nullable.n + not_null.n,
			      nullable.n ? precheck__list_cstr(&nullable) : "none",
			      *note_null ? " - " : "", note_null,
			      not_null.n ? precheck__list_cstr(&not_null) : "none",
			      *note_nn ? " - " : "", note_nn);
	} else {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "zero_date", data, zero_ok
			      ? "the source allows zero dates, but no selected column holds dates"
			      : "the source's sql_mode refuses zero dates (rows written before it "
				"was set may still hold some)");
	}
	precheck__list_release(&nullable);
	precheck__list_release(&not_null);
}

static void check_sql_mode(const struct precheck_env *env, struct precheck_result *res)
{
	const char *sql = "SELECT @@GLOBAL.sql_mode";
	struct vals s, d;
	struct err e = { 0 };

	if (dst_pg(env)) {
		if (no_catalog(env, res))
			return;         /* the zero-date warning is about columns */
		if (my_vals(env->src, sql, &s, &e) < 0) {
			query_failed(res, "sql_mode", &e);
			return;
		}
		sql_mode_pg(env, res, val(&s, 0));
		vals_release(&s);
		return;
	}
	if (both_vals(env, sql, sql, &s, &d, &e) < 0) {
		query_failed(res, "sql_mode", &e);
		return;
	}
	sql_mode_my(res, val(&s, 0), val(&d, 0));
	vals_release(&s);
	vals_release(&d);
}

/* ---- CHECK_TIME_ZONE ------------------------------------------------------- */

/* A default or ON UPDATE that reads the server's clock. */
static bool reads_clock(const struct schema_column *c)
{
	return (c->on_update && *c->on_update) ||
	       (c->default_is_expr && c->default_value &&
		(str_icontains(c->default_value, "current_timestamp") ||
		 str_icontains(c->default_value, "now(") ||
		 str_icontains(c->default_value, "curdate")));
}

/* TIMESTAMP columns, and DATETIME/DATE columns filled from the clock. */
static void clock_columns(const struct precheck_env *env, struct precheck_list *ts,
			  struct precheck_list *local)
{
	for (size_t i = 0; i < env->n_tables; i++) {
		const struct schema_table *t = env->tables[i].table;

		for (size_t k = 0; k < t->n_columns; k++) {
			const struct schema_column *c = &t->columns[k];

			if (c->type == SCHEMA_T_TIMESTAMP)
				precheck__list_add(ts, "%s.%s.%s", t->schema, t->name, c->name);
			else if (reads_clock(c))
				precheck__list_add(local, "%s.%s.%s", t->schema, t->name, c->name);
		}
	}
}

static void time_zone_warn(const struct precheck_env *env, struct precheck_result *res,
			   const char *data)
{
	const char *none = env->have_catalog ? "none" : "unknown (the source catalog was not read)";
	struct precheck_list ts, local;

	precheck__list_init(&ts);
	precheck__list_init(&local);
	clock_columns(env, &ts, &local);
	res->state = PRECHECK_WARNING;
	precheck__log(res, "WARN", "time_zone", data,
		      "the servers use different time zones (%s). TIMESTAMP columns hold "
		      "instants that each session shows in its own zone; opendts copies them in "
		      "UTC (docs/type-mapping.md: the data steps read with time_zone = "
		      "'+00:00'), so the instants are kept. DATETIME, DATE and TIME hold "
		      "wall-clock values, copied as the same digits without conversion; what "
		      "differs is what each server generates: CURRENT_TIMESTAMP/NOW() defaults "
		      "and ON UPDATE on DATETIME columns, and NOW() in triggers, views and "
		      "routines, give the destination's local time, so rows written there "
		      "after the switch-over are off from the copied ones by the difference "
		      "between the zones. DATETIME/DATE columns filled from the clock (%zu): %s. "
		      "TIMESTAMP columns (%zu): %s. Give both servers the same time zone "
		      "(MySQL: SET GLOBAL time_zone = '...' and default-time-zone in my.cnf; "
		      "PostgreSQL: ALTER DATABASE ... SET TimeZone = '...')", data,
		      local.n, local.n ? precheck__list_cstr(&local) : none,
		      ts.n, ts.n ? precheck__list_cstr(&ts) : none);
	precheck__list_release(&ts);
	precheck__list_release(&local);
}

static void check_time_zone(const struct precheck_env *env, struct precheck_result *res)
{
	static const char *my_sql = "SELECT @@GLOBAL.time_zone, @@system_time_zone, "
				    "TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW())";
	static const char *pg_sql = "SELECT current_setting('TimeZone'), '', "
				    "(EXTRACT(TIMEZONE FROM now()) / 60)::int";
	char sn[80], dn[80], data[400];
	struct vals s, d;
	struct err e = { 0 };

	/* Runs without the catalog too: the column lists are then empty. */
	if (both_vals(env, my_sql, pg_sql, &s, &d, &e) < 0) {
		query_failed(res, "the time zones", &e);
		return;
	}
	precheck__tz_normalize(val(&s, 0), val(&s, 1), sn, sizeof(sn));
	precheck__tz_normalize(val(&d, 0), val(&d, 1), dn, sizeof(dn));
	snprintf(data, sizeof(data), "source time_zone=%s (system %s, UTC offset now %s min); "
		 "destination %s=%s (UTC offset now %s min)", val(&s, 0), val(&s, 1), val(&s, 2),
		 dst_pg(env) ? "TimeZone" : "time_zone", val(&d, 0), val(&d, 2));
	if (strcmp(sn, dn) != 0) {
		time_zone_warn(env, res, data);
	} else {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "time_zone", data,
			      "both servers use the time zone %s", sn);
	}
	vals_release(&s);
	vals_release(&d);
}

/* ---- CHECK_MAX_CONN -------------------------------------------------------- */

struct headroom {
	const char *role;        /* "source" | "destination" */
	long max, used, reserved, user_max;
	bool same_server;        /* source and destination are one server */
};

static int my_headroom(struct my_conn *c, struct headroom *h, struct err *err)
{
	struct vals v;
	struct my_rows *r;

	if (my_vals(c, "SELECT @@max_connections, @@max_user_connections", &v, err) < 0)
		return -1;
	h->max = atol(val(&v, 0));
	h->user_max = atol(val(&v, 1));
	vals_release(&v);
	r = my_query_rows(c, "SHOW GLOBAL STATUS LIKE 'Threads_connected'", err);
	if (!r)
		return -1;
	if (my_rows_next(r) && my_rows_get(r, 1))
		h->used = atol(my_rows_get(r, 1));
	my_rows_free(r);
	return 0;
}

static int pg_headroom(struct pg_conn *c, struct headroom *h, struct err *err)
{
	struct vals v;

	/* Slots kept for superusers (and, from PostgreSQL 16, for
	 * pg_use_reserved_connections) are not ours unless we are superuser. */
	if (pg_vals(c, "SELECT current_setting('max_connections')::int, "
		    "(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'), "
		    "CASE WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN 0 "
		    "ELSE current_setting('superuser_reserved_connections')::int + "
		    "COALESCE(current_setting('reserved_connections', true), '0')::int END, "
		    "(SELECT rolconnlimit FROM pg_roles WHERE rolname = current_user)",
		    &v, err) < 0)
		return -1;
	h->max = atol(val(&v, 0));
	h->used = atol(val(&v, 1));
	h->reserved = atol(val(&v, 2));
	h->user_max = atol(val(&v, 3));
	if (h->user_max < 0)
		h->user_max = 0;
	vals_release(&v);
	return 0;
}

/* Adds a WARN line for a server without room for need more connections. */
static bool headroom_short(struct precheck_result *res, const struct headroom *h, long need,
			   bool pg)
{
	long free_slots = h->max - h->reserved - h->used;
	char data[300];

	snprintf(data, sizeof(data), "%s max_connections=%ld connected=%ld reserved=%ld "
		 "free=%ld needed=%ld%s", h->role, h->max, h->used, h->reserved, free_slots, need,
		 h->same_server ? " (source and destination are the same server)" : "");
	if (free_slots >= need && (h->user_max <= 0 || h->user_max >= need))
		return false;
	res->state = PRECHECK_WARNING;
	if (free_slots < need)
		precheck__log(res, "WARN", "max_connections", data,
			      "the %s server has %ld free connection(s) (max_connections %ld, %ld "
			      "in use%s) but the job will open about %ld; raise max_connections "
			      "(%s) or lower dtsd --step-workers", h->role, free_slots, h->max,
			      h->used, h->reserved ? ", some reserved for superusers" : "", need,
			      pg ? "ALTER SYSTEM SET max_connections = ... and restart" :
				   "SET GLOBAL max_connections = ... and my.cnf");
	else
		precheck__log(res, "WARN", "max_connections", data,
			      "the %s user may open only %ld connection(s) (%s) but the job will "
			      "open about %ld; raise the limit or lower dtsd --step-workers",
			      h->role, h->user_max, pg ? "ALTER ROLE ... CONNECTION LIMIT" :
							 "max_user_connections", need);
	return true;
}

static void check_max_conn(const struct precheck_env *env, struct precheck_result *res)
{
	long need = (long)(env->ctx->workers ? env->ctx->workers : 1) + 2;
	struct headroom s = { .role = "source" }, d = { .role = "destination" };
	struct err e = { 0 };
	bool short_s, short_d;

	if (my_headroom(env->src, &s, &e) < 0 ||
	    (dst_pg(env) ? pg_headroom(env->dst_pg, &d, &e) : my_headroom(env->dst_my, &d, &e))) {
		query_failed(res, "the connection limits", &e);
		return;
	}
	s.same_server = d.same_server = !dst_pg(env) &&
					strcmp(my_target(env->src), my_target(env->dst_my)) == 0;
	short_s = headroom_short(res, &s, s.same_server ? 2 * need : need, false);
	short_d = !s.same_server && headroom_short(res, &d, need, dst_pg(env));
	if (!short_s && !short_d) {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "max_connections", NULL,
			      "both servers have room for the about %ld connections each the job "
			      "opens (%u workers + 2): source %ld of %ld in use, destination %ld "
			      "of %ld in use", need, env->ctx->workers ? env->ctx->workers : 1,
			      s.used, s.max, d.used, d.max);
	}
}

const struct precheck_check precheck__both_checks[] = {
	{ "CHECK_CHARSET", 80, true, PRECHECK_SIDE_BOTH, NULL, check_charset },
	{ "CHECK_LOWER_CASE_TABLE_NAMES", 81, true, PRECHECK_SIDE_BOTH, dst_is_mysql,
	  check_lower_case_table_names },
	{ "CHECK_SQL_MODE", 82, true, PRECHECK_SIDE_BOTH, NULL, check_sql_mode },
	{ "CHECK_TIME_ZONE", 83, true, PRECHECK_SIDE_BOTH, NULL, check_time_zone },
	{ "CHECK_MAX_CONN", 84, true, PRECHECK_SIDE_BOTH, NULL, check_max_conn },
	{ NULL, 0, false, PRECHECK_SIDE_BOTH, NULL, NULL },
};
