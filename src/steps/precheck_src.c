/*
 * precheck_src.c - precheck items of the source side (OrderNum 10-49): the
 * server version, the privileges of the job's source account, the binlog
 * settings incremental sync depends on, the existence of the selected
 * objects, and the properties of the selected tables that decide how they
 * can be moved (keys, foreign keys, storage engines).
 *
 * Threads: every check here runs on the precheck's source thread, one after
 * another, on env->src (see precheck_internal.h); env is read-only. A check
 * owns its query results and temporary lists and frees them before it
 * returns; its findings go into res, which owns its logs.
 *
 * Cost: the catalog items read env->catalog / env->tables (read once by
 * precheck_env.c); the others run a constant number of small queries,
 * whatever the number of tables (privileges are read in one UNION query
 * and matched in C). SQL text here holds no user string: variable names are
 * constants, and a role name is escaped by the client library.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steps/precheck_internal.h"
#include "util/buf.h"
#include "util/str.h"
#include "util/xalloc.h"

#define SHOW_NAMES 10        /* names quoted in an ErrMsg before "and N more" */
#define DATA_NAMES 200       /* names listed in an ErrData before "and N more" */
#define PER_TABLE_GRANTS 3   /* more missing tables in one database: grant on db.* */
#define TEXT_MAX (1u << 20)  /* cap of one message or ErrData */
#define DAY_S 86400.0

/* ---- shared helpers -------------------------------------------------------- */

static bool applies_data(const struct meta_job *job)
{
	return job->data_init || job->data_sync;
}

static bool applies_sync(const struct meta_job *job)
{
	return job->data_sync;
}

static bool has_level(const struct precheck_result *res, const char *level)
{
	for (size_t i = 0; i < res->n_logs; i++)
		if (strcmp(res->logs[i].level, level) == 0)
			return true;
	return false;
}

/* Sets res->state from the logs written so far: an ERROR fails the item,
 * else a WARN makes it a warning, else it succeeded. */
static void settle(struct precheck_result *res)
{
	if (has_level(res, "ERROR"))
		res->state = PRECHECK_FAILED;
	else if (has_level(res, "WARN"))
		res->state = PRECHECK_WARNING;
	else
		res->state = PRECHECK_SUCCESS;
}

/* A catalog item when the catalog could not be read: not checked
 * (CHECK_DB_EXIST fails and says why). Returns whether the item can run. */
static bool need_catalog(const struct precheck_env *env, struct precheck_result *res)
{
	if (env->have_catalog)
		return true;
	res->state = PRECHECK_NOT_STARTED;
	precheck__log(res, "INFO", "skipped", NULL, "not checked: %s (see CHECK_DB_EXIST)",
		      env->catalog_error);
	return false;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* Appends name as a MySQL identifier: `name`, with ` doubled. */
static void my_ident(struct buf *b, const char *name)
{
	buf_putc(b, '`');
	for (const char *p = name; *p; p++) {
		if (*p == '`')
			buf_putc(b, '`');
		buf_putc(b, *p);
	}
	buf_putc(b, '`');
}

/* `db`.`name`, or `db`.* when name is NULL. */
static void my_qualified(struct buf *b, const char *db, const char *name)
{
	my_ident(b, db);
	buf_putc(b, '.');
	if (name)
		my_ident(b, name);
	else
		buf_putc(b, '*');
}

/* A list of objects; the names are borrowed (from env or string literals). */
struct obj {
	const char *db;
	const char *name;    /* NULL: the database itself */
	const char *note;    /* shown in parentheses, or NULL */
};

struct objs {
	struct obj *v;
	size_t n;
};

static void objs_add(struct objs *l, const char *db, const char *name, const char *note)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = (struct obj){ db, name, note };
}

static void objs_release(struct objs *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Appends "db.name (note)" for the first cap objects (0 = all), then
 * " and N more". */
static void objs_join(struct buf *b, const struct objs *l, size_t cap)
{
	size_t shown = cap && l->n > cap ? cap : l->n;

	for (size_t i = 0; i < shown; i++) {
		const struct obj *o = &l->v[i];

		buf_printf(b, "%s%s%s%s", i ? ", " : "", o->db, o->name ? "." : "",
			   o->name ? o->name : "");
		if (o->note)
			buf_printf(b, " (%s)", o->note);
	}
	if (shown < l->n)
		buf_printf(b, " and %zu more", l->n - shown);
}

/* The same as a new string (the caller frees it). */
static char *objs_text(const struct objs *l, size_t cap)
{
	struct buf b;

	buf_init(&b, TEXT_MAX);
	objs_join(&b, l, cap);
	return buf_take(&b);
}

/* A list of heap strings, for entries composed of several names. */
struct names {
	char **v;
	size_t n;
};

__attribute__((format(printf, 2, 3)))
static void names_add(struct names *l, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	s = xmalloc((size_t)(n < 0 ? 0 : n) + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	va_end(ap);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = s;
}

static void names_release(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* "a, b and 12 more" (cap 0 = all), as a new string. */
static char *names_text(const struct names *l, size_t cap)
{
	size_t shown = cap && l->n > cap ? cap : l->n;
	struct buf b;

	buf_init(&b, TEXT_MAX);
	for (size_t i = 0; i < shown; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
	if (shown < l->n)
		buf_printf(&b, " and %zu more", l->n - shown);
	return buf_take(&b);
}

/* Runs sql on the source; returns its stored result (the caller frees it
 * with mysql_free_result) or NULL with err set. */
static MYSQL_RES *src_query(const struct precheck_env *env, const char *sql, struct err *err)
{
	MYSQL *m = my_raw(env->src);
	MYSQL_RES *r = NULL;

	if (mysql_real_query(m, sql, strlen(sql)) != 0 || !(r = mysql_store_result(m))) {
		err_set(err, ERR_DB, "query on the source %s failed: %s (error %u)",
			my_target(env->src), mysql_error(m), mysql_errno(m));
		return NULL;
	}
	return r;
}

/* ---- server variables and version -------------------------------------------- */

#define VARS_MAX 16

struct vars {
	size_t n;
	char *name[VARS_MAX];
	char *value[VARS_MAX];
};

/* Reads the global variables `names` (NULL-terminated constants) with one
 * query; a variable the server does not have stays absent. */
static int vars_read(const struct precheck_env *env, const char *const *names,
		     struct vars *v, struct err *err)
{
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	struct buf sql;

	memset(v, 0, sizeof(*v));
	buf_init(&sql, 4096);
	buf_puts(&sql, "SHOW GLOBAL VARIABLES WHERE Variable_name IN (");
	for (size_t i = 0; names[i]; i++) {
		if (strspn(names[i], "abcdefghijklmnopqrstuvwxyz_") != strlen(names[i]))
			BUG("variable name \"%s\" is not a constant identifier", names[i]);
		buf_printf(&sql, "%s'%s'", i ? ", " : "", names[i]);
	}
	buf_putc(&sql, ')');
	r = src_query(env, buf_cstr(&sql), err);
	buf_release(&sql);
	if (!r)
		return -1;
	while ((row = mysql_fetch_row(r)) && v->n < VARS_MAX) {
		v->name[v->n] = xstrdup(row[0] ? row[0] : "");
		v->value[v->n] = xstrdup(row[1] ? row[1] : "");
		v->n++;
	}
	mysql_free_result(r);
	return 0;
}

/* The value of a variable read by vars_read, or NULL when the server lacks it. */
static const char *var(const struct vars *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (str_ieq(v->name[i], name))
			return v->value[i];
	return NULL;
}

static void vars_release(struct vars *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->name[i]);
		free(v->value[i]);
	}
	memset(v, 0, sizeof(*v));
}

/* vars_read for a settings item: on failure the item fails with the reason. */
static bool item_vars(const struct precheck_env *env, const char *const *names, struct vars *v,
		      struct precheck_result *res)
{
	struct err err = { 0 };

	if (vars_read(env, names, v, &err) == 0)
		return true;
	precheck__log(res, "ERROR", "query", NULL, "cannot read the settings of the source: %s",
		      err.msg);
	res->state = PRECHECK_FAILED;
	return false;
}

static bool is_on(const char *value)
{
	return value && (str_ieq(value, "ON") || strcmp(value, "1") == 0);
}

struct src_version {
	bool mariadb;
	bool tidb;
	int major, minor, patch;
};

static void version_parse(struct src_version *v, const char *text, const char *comment)
{
	const char *p = text ? text : "";

	memset(v, 0, sizeof(*v));
	v->mariadb = str_icontains(p, "mariadb") || (comment && str_icontains(comment, "mariadb"));
	v->tidb = str_icontains(p, "tidb");
	/* MariaDB 10 announces itself to old clients as "5.5.5-10.x.y-MariaDB". */
	if (v->mariadb && strncmp(p, "5.5.5-", 6) == 0)
		p += 6;
	if (sscanf(p, "%d.%d.%d", &v->major, &v->minor, &v->patch) < 2)
		v->major = v->minor = v->patch = 0;
}

static bool version_ge(const struct src_version *v, int major, int minor, int patch)
{
	if (v->major != major)
		return v->major > major;
	if (v->minor != minor)
		return v->minor > minor;
	return v->patch >= patch;
}

static const char *flavor(const struct src_version *v)
{
	return v->tidb ? "TiDB" : v->mariadb ? "MariaDB" : "MySQL";
}

/* ---- CHECK_SRC: the source version ------------------------------------------- */

static bool version_supported(const struct src_version *v)
{
	if (v->tidb)
		return false;
	if (v->mariadb)
		return v->major > 10 || (v->major == 10 && v->minor >= 1);
	return (v->major == 5 && (v->minor == 6 || v->minor == 7)) || v->major == 8;
}

static void check_src(const struct precheck_env *env, struct precheck_result *res)
{
	struct err err = { 0 };
	struct src_version v;
	char text[160], comment[160], data[400];
	MYSQL_RES *r = src_query(env, "SELECT VERSION(), @@version_comment", &err);
	MYSQL_ROW row;

	if (!r) {
		precheck__log(res, "ERROR", "query", NULL,
			      "cannot read the version of the source: %s", err.msg);
		settle(res);
		return;
	}
	row = mysql_fetch_row(r);
	str_copy(text, sizeof(text), row && row[0] ? row[0] : my_server_version(env->src));
	str_copy(comment, sizeof(comment), row && row[1] ? row[1] : "");
	mysql_free_result(r);
	version_parse(&v, text, comment);
	snprintf(data, sizeof(data), "version=%s, version_comment=%s", text, comment);
	if (version_supported(&v))
		precheck__log(res, "INFO", "version", data,
			      "the source runs %s %d.%d.%d (%s, %s), a supported version",
			      flavor(&v), v.major, v.minor, v.patch, text, comment);
	else
		precheck__log(res, "ERROR", "version", data,
			      "the source runs %s %s (%s), which opendts does not support%s: "
			      "supported sources are MySQL 5.6, 5.7 and 8.x and MariaDB 10.1 "
			      "and later; upgrade the source server, or skip CHECK_SRC "
			      "(SkipPreCheck) to try anyway at your own risk", flavor(&v), text,
			      comment, v.tidb ? " (TiDB speaks the MySQL protocol but has no "
			      "MySQL binlog)" : "");
	settle(res);
}

/* ---- the privileges of the source account ------------------------------------- */

/* One privilege of the account (or of one of its enabled roles). */
struct grant {
	char *db;       /* NULL: global (*.*); else a database name or LIKE pattern */
	char *table;    /* NULL: every table of db */
	char *priv;     /* "SELECT", "BINLOG MONITOR", "ALL PRIVILEGES", ... */
};

struct grants {
	char *current_user;     /* CURRENT_USER(): "user@host" (as DEFINER shows it) */
	char *account;          /* the same for a GRANT statement: 'user'@'host' */
	struct src_version ver;
	struct grant *v;
	size_t n;
};

static const char *const P_SELECT[] = { "SELECT", NULL };
static const char *const P_REPL_SLAVE[] = { "REPLICATION SLAVE", "REPLICATION REPLICA", NULL };
/* MariaDB 10.5 renamed REPLICATION CLIENT to BINLOG MONITOR (the old name
 * is an alias; information_schema shows the new one). */
static const char *const P_REPL_CLIENT[] = { "REPLICATION CLIENT", "BINLOG MONITOR", NULL };
static const char *const P_SUPER[] = { "SUPER", NULL };
static const char *const P_SHOW_VIEW[] = { "SHOW VIEW", NULL };
static const char *const P_TRIGGER[] = { "TRIGGER", NULL };
/* Reading any routine body: MySQL 8.0.20+ SHOW_ROUTINE, MariaDB 11.3+
 * SHOW CREATE ROUTINE (SELECT on mysql.proc is checked apart). */
static const char *const P_SHOW_ROUTINE[] = { "SHOW_ROUTINE", "SHOW CREATE ROUTINE", NULL };

static void grants_add(struct grants *g, const char *db, const char *table, const char *priv)
{
	g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
	g->v[g->n++] = (struct grant){ xstrdup(db), xstrdup(table), xstrdup(priv) };
}

static void grants_release(struct grants *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].db);
		free(g->v[i].table);
		free(g->v[i].priv);
	}
	free(g->v);
	free(g->current_user);
	free(g->account);
	memset(g, 0, sizeof(*g));
}

/* LIKE as the server applies it to the database names of grants: % any run,
 * _ one byte, backslash escapes. */
static bool like_match(const char *pat, const char *s)
{
	for (; *pat; pat++, s++) {
		if (*pat == '%') {
			for (;; s++) {
				if (like_match(pat + 1, s))
					return true;
				if (!*s)
					return false;
			}
		}
		if (*pat == '\\' && pat[1]) {
			pat++;
		} else if (*pat == '_') {
			if (!*s)
				return false;
			continue;
		}
		if (*s != *pat)
			return false;
	}
	return *s == '\0';
}

static bool priv_in(const char *priv, const char *const *privs)
{
	for (; *privs; privs++)
		if (str_ieq(priv, *privs))
			return true;
	return str_ieq(priv, "ALL PRIVILEGES");
}

/* True when the account holds one of privs on db.table: globally, on a
 * database pattern that matches db, or on the table itself. db NULL: only a
 * global grant counts; table NULL: a global or database-level one. */
static bool grants_has(const struct grants *g, const char *const *privs, const char *db,
		       const char *table)
{
	for (size_t i = 0; i < g->n; i++) {
		const struct grant *x = &g->v[i];

		if (!priv_in(x->priv, privs))
			continue;
		if (!x->db)
			return true;
		if (!db)
			continue;
		if (!x->table ? like_match(x->db, db)
			      : table && strcmp(x->db, db) == 0 && strcmp(x->table, table) == 0)
			return true;
	}
	return false;
}

/* Where needle starts in s (up to end, NULL = the NUL) outside quotes and
 * parentheses, or NULL. */
static const char *find_top(const char *s, const char *end, const char *needle)
{
	size_t k = strlen(needle);
	char quote = 0;
	int depth = 0;

	for (const char *p = s; *p && (!end || p < end); p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '`' || *p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')' && depth > 0) {
			depth--;
		} else if (depth == 0 && strncmp(p, needle, k) == 0) {
			return p;
		}
	}
	return NULL;
}

/* Parses `name`, name or * at *p into *out (heap; NULL for *). */
static int parse_obj(const char **p, char **out)
{
	const char *s = *p;
	struct buf b;
	size_t n;

	*out = NULL;
	if (*s == '*') {
		*p = s + 1;
		return 0;
	}
	if (*s != '`') {
		n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$");
		if (!n)
			return -1;
		*out = xstrndup(s, n);
		*p = s + n;
		return 0;
	}
	buf_init(&b, 4096);
	for (s++; *s && !(*s == '`' && s[1] != '`'); s++) {
		if (*s == '`')
			s++;     /* `` is one backtick */
		buf_putc(&b, *s);
	}
	if (*s == '`') {
		*out = buf_take(&b);
		*p = s + 1;
	}
	buf_release(&b);
	return *out ? 0 : -1;
}

/* Adds each privilege of the list [s, end) ("SELECT, INSERT, ALL
 * PRIVILEGES"); column privileges ("SELECT (`a`)") and USAGE say nothing
 * about whole tables and are left out. */
static void grants_add_list(struct grants *g, const char *s, const char *end,
			    const char *db, const char *table)
{
	while (s < end) {
		const char *comma = find_top(s, end, ",");
		const char *e = comma ? comma : end;
		char *priv;

		while (s < e && *s == ' ')
			s++;
		while (e > s && e[-1] == ' ')
			e--;
		priv = xstrndup(s, (size_t)(e - s));
		if (*priv && !strchr(priv, '(') && !str_ieq(priv, "USAGE"))
			grants_add(g, db, table, str_ieq(priv, "ALL") ? "ALL PRIVILEGES" : priv);
		free(priv);
		s = comma ? comma + 1 : end;
	}
}

/* Adds the privileges of one SHOW GRANTS line ("GRANT SELECT, INSERT ON
 * `db`.`t` TO `role`"); skips role memberships, routine grants and lines
 * it does not understand. */
static void grants_parse_line(struct grants *g, const char *line)
{
	const char *on, *p;
	char *db = NULL, *table = NULL;

	if (strncmp(line, "GRANT ", 6) != 0 || !(on = find_top(line + 6, NULL, " ON ")))
		return;
	p = on + 4;
	if (strncmp(p, "PROCEDURE ", 10) == 0 || strncmp(p, "FUNCTION ", 9) == 0 ||
	    strncmp(p, "PACKAGE ", 8) == 0)
		return;
	if (parse_obj(&p, &db) < 0 || *p != '.')
		goto cleanup;
	p++;
	if (parse_obj(&p, &table) < 0 || strncmp(p, " TO ", 4) != 0 || (!db && table))
		goto cleanup;
	grants_add_list(g, line + 6, on, db, table);
cleanup:
	free(db);
	free(table);
}

static void grants_show(const struct precheck_env *env, struct grants *g, const char *sql)
{
	struct err err = { 0 };
	MYSQL_RES *r = src_query(env, sql, &err);
	MYSQL_ROW row;

	if (!r)
		return;    /* not granted to us after all: its privileges stay unknown */
	while ((row = mysql_fetch_row(r)))
		if (row[0])
			grants_parse_line(g, row[0]);
	mysql_free_result(r);
}

/* 'text' escaped by the client library for a SQL string literal (heap). */
static char *sql_literal(const struct precheck_env *env, const char *text)
{
	size_t n = strlen(text);
	char *out = xmalloc(2 * n + 3);
	/* Connector/C doubles quotes instead of backslashing them when the
	 * server runs with NO_BACKSLASH_ESCAPES. */
	unsigned long k = mysql_real_escape_string(my_raw(env->src), out + 1, text,
						   (unsigned long)n);

	if (k == (unsigned long)-1) {
		free(out);
		return NULL;
	}
	out[0] = '\'';
	out[k + 1] = '\'';
	out[k + 2] = '\0';
	return out;
}

/* The privileges of the enabled roles (the default role is enabled at
 * login): information_schema shows an account only its own grants, so each
 * role's come from SHOW GRANTS FOR it, which a role's grantee may run. */
static void grants_read_roles(const struct precheck_env *env, struct grants *g)
{
	const char *sql = g->ver.mariadb
		? "SELECT ROLE_NAME, NULL FROM information_schema.ENABLED_ROLES"
		: "SELECT ROLE_NAME, ROLE_HOST FROM information_schema.ENABLED_ROLES";
	struct names stmts = { 0 };
	struct err err = { 0 };
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;

	if (g->ver.mariadb || version_ge(&g->ver, 8, 0, 0))
		r = src_query(env, sql, &err);
	while (r && (row = mysql_fetch_row(r))) {
		char *name = row[0] ? sql_literal(env, row[0]) : NULL;
		char *host = row[1] ? sql_literal(env, row[1]) : NULL;

		if (name)
			names_add(&stmts, "SHOW GRANTS FOR %s%s%s", name, host ? "@" : "",
				  host ? host : "");
		free(name);
		free(host);
	}
	if (r)
		mysql_free_result(r);
	/* MariaDB 10.11: privileges granted TO PUBLIC apply to every account. */
	if (g->ver.mariadb && version_ge(&g->ver, 10, 11, 0))
		names_add(&stmts, "SHOW GRANTS FOR PUBLIC");
	for (size_t i = 0; i < stmts.n; i++)
		grants_show(env, g, stmts.v[i]);
	names_release(&stmts);
}

/* CURRENT_USER() in the GRANTEE form of information_schema: 'user'@'host'. */
#define GRANTEE_SQL                                                                     \
	"CONCAT('''', LEFT(CURRENT_USER(), CHAR_LENGTH(CURRENT_USER()) - "               \
	"CHAR_LENGTH(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)) - 1), '''@''', "          \
	"SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')"

/* Global, database and table privileges of the account, in one query. */
static const char grants_sql[] =
	"SELECT NULL, NULL, PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES "
	"WHERE GRANTEE = " GRANTEE_SQL
	" UNION ALL SELECT TABLE_SCHEMA, NULL, PRIVILEGE_TYPE FROM "
	"information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = " GRANTEE_SQL
	" UNION ALL SELECT TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE FROM "
	"information_schema.TABLE_PRIVILEGES WHERE GRANTEE = " GRANTEE_SQL;

static int grants_read(const struct precheck_env *env, struct grants *g, struct err *err)
{
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	const char *at;

	memset(g, 0, sizeof(*g));
	version_parse(&g->ver, my_server_version(env->src), NULL);
	if (my_query_value(env->src, "SELECT CURRENT_USER()", &g->current_user, err) < 0)
		return -1;
	if (!g->current_user || !(at = strrchr(g->current_user, '@'))) {
		err_set(err, ERR_DB, "the source %s returned no CURRENT_USER()",
			my_target(env->src));
		return -1;
	}
	g->account = xasprintf("'%.*s'@'%s'", (int)(at - g->current_user), g->current_user,
			       at + 1);
	if (!(r = src_query(env, grants_sql, err)))
		return -1;
	while ((row = mysql_fetch_row(r)))
		if (row[2] && !str_ieq(row[2], "USAGE"))
			grants_add(g, row[0], row[0] ? row[1] : NULL, row[2]);
	mysql_free_result(r);
	grants_read_roles(env, g);
	return 0;
}

/* Appends GRANT statements for priv on the objects of l ("db", "table" or
 * "db", "*"), "; "-separated: per object, or per database when one has many. */
static void grant_stmts(struct buf *b, const char *priv, const struct objs *l,
			const char *account)
{
	size_t stmts = 0;

	for (size_t i = 0; i < l->n; i++) {
		size_t in_db = 0, first = i;

		for (size_t j = 0; j < l->n; j++)
			if (strcmp(l->v[j].db, l->v[i].db) == 0) {
				in_db++;
				first = j < first ? j : first;
			}
		if (in_db > PER_TABLE_GRANTS && first != i)
			continue;    /* its database got one statement already */
		if (stmts++ == 2 * SHOW_NAMES) {
			buf_puts(b, "; ...");
			return;
		}
		buf_printf(b, "%sGRANT %s ON ", stmts > 1 ? "; " : "", priv);
		my_qualified(b, l->v[i].db, in_db > PER_TABLE_GRANTS ||
			     strcmp(l->v[i].name, "*") == 0 ? NULL : l->v[i].name);
		buf_printf(b, " TO %s", account);
	}
}

/* Logs the objects of l that lack priv: ErrData "PRIV ON a.b, a.c", ErrMsg
 * with what it is needed for and the GRANT statements to run. */
static void log_missing(struct precheck_result *res, const char *level, const struct grants *g,
			const char *priv, const struct objs *l, const char *what, const char *why)
{
	char *shown = objs_text(l, SHOW_NAMES), *all = objs_text(l, DATA_NAMES);
	struct buf data, fix;

	buf_init(&data, TEXT_MAX);
	buf_init(&fix, TEXT_MAX);
	buf_printf(&data, "%s ON %s", priv, all);
	grant_stmts(&fix, priv, l, g->account);
	precheck__log(res, level, "privilege", buf_cstr(&data),
		      "the source account %s lacks %s on %zu %s%s: %s; %s. Run: %s", g->account,
		      priv, l->n, what, plural(l->n), shown, why, buf_cstr(&fix));
	buf_release(&fix);
	buf_release(&data);
	free(all);
	free(shown);
}

static bool catalog_has_db(const struct schema_catalog *c, const char *db)
{
	for (size_t i = 0; i < c->n_schemas; i++)
		if (strcmp(c->schemas[i], db) == 0)
			return true;
	return false;
}

static bool catalog_has_view(const struct schema_catalog *c, const char *db, const char *name)
{
	for (size_t i = 0; i < c->n_views; i++)
		if (strcmp(c->views[i].schema, db) == 0 && strcmp(c->views[i].name, name) == 0)
			return true;
	return false;
}

/* Databases selected whole on which the account holds SELECT only table by
 * table: the tables it holds nothing on are invisible to it. */
static void warn_partial(const struct grants *g, const struct objs *l,
			 struct precheck_result *res)
{
	char *dbs = objs_text(l, DATA_NAMES);
	struct buf fix;

	buf_init(&fix, TEXT_MAX);
	grant_stmts(&fix, "SELECT", l, g->account);
	precheck__log(res, "WARN", "privilege", dbs, "the source account %s holds SELECT on "
		      "single tables only in %s, which the DbList selects whole: the server "
		      "hides the tables the account holds no privilege on, so they will not be "
		      "migrated. Run: %s", g->account, dbs, buf_cstr(&fix));
	buf_release(&fix);
	free(dbs);
}

/* SELECT on the selected tables. Tables the account holds no privilege on
 * are not in the catalog (information_schema hides them): listed ones show
 * up as missing, and are checked here by name. */
static void auth_select(const struct precheck_env *env, const struct grants *g,
			struct precheck_result *res)
{
	struct objs miss = { 0 }, partial = { 0 };
	size_t hidden = 0;

	if (!env->have_catalog) {
		precheck__log(res, "INFO", "privilege", NULL, "SELECT on the selected tables "
			      "was not checked: %s (see CHECK_DB_EXIST)", env->catalog_error);
		return;
	}
	for (size_t i = 0; i < env->n_tables; i++) {
		const struct schema_table *t = env->tables[i].table;

		if (!grants_has(g, P_SELECT, t->schema, t->name))
			objs_add(&miss, t->schema, t->name, NULL);
	}
	for (size_t i = 0; i < env->sel.n_dbs; i++) {
		const struct schema_sel_db *d = &env->sel.dbs[i];
		bool db_wide = grants_has(g, P_SELECT, d->src, NULL);

		if (!catalog_has_db(&env->catalog, d->src)) {
			if (!db_wide) {
				objs_add(&miss, d->src, "*", NULL);
				hidden++;
			}
			continue;
		}
		if (d->all && !db_wide)
			objs_add(&partial, d->src, "*", NULL);
		for (size_t j = 0; j < d->n_tables; j++) {
			const char *t = d->tables[j].src_name;

			if (schema_find_table(&env->catalog, d->src, t) ||
			    catalog_has_view(&env->catalog, d->src, t) ||
			    grants_has(g, P_SELECT, d->src, t))
				continue;
			objs_add(&miss, d->src, t, NULL);
			hidden++;
		}
	}
	if (miss.n)
		log_missing(res, "ERROR", g, "SELECT", &miss, "selected table", hidden
			    ? "the schema and data steps read them (the server hides what the "
			      "account holds no privilege on, so CHECK_DB_EXIST reports such "
			      "objects as missing)"
			    : "the schema and data steps read them");
	if (partial.n)
		warn_partial(g, &partial, res);
	objs_release(&partial);
	objs_release(&miss);
}

static void auth_replication(const struct grants *g, struct precheck_result *res)
{
	bool renamed = g->ver.mariadb && version_ge(&g->ver, 10, 5, 2);
	bool slave = grants_has(g, P_REPL_SLAVE, NULL, NULL);
	/* SUPER also allows SHOW MASTER STATUS, except on MariaDB 10.5+. */
	bool client = grants_has(g, P_REPL_CLIENT, NULL, NULL) ||
		      (!renamed && grants_has(g, P_SUPER, NULL, NULL));
	const char *privs = !slave && !client ? "REPLICATION SLAVE, REPLICATION CLIENT"
			    : !slave ? "REPLICATION SLAVE" : "REPLICATION CLIENT";
	char data[128];

	if (slave && client)
		return;
	snprintf(data, sizeof(data), "%s ON *.*", privs);
	precheck__log(res, "ERROR", "privilege", data,
		      "the source account %s lacks %s on *.*: incremental sync reads the binlog "
		      "as a replica does (REPLICATION SLAVE) and reads the binlog position "
		      "(REPLICATION CLIENT%s). Run: GRANT %s ON *.* TO %s", g->account, privs,
		      renamed ? ", shown as BINLOG MONITOR since MariaDB 10.5" : "", privs,
		      g->account);
}

/* A view is selected when its database is selected whole or the DbList
 * names it. */
static bool view_selected(const struct precheck_env *env, const struct schema_view *v)
{
	for (size_t i = 0; i < env->sel.n_dbs; i++) {
		const struct schema_sel_db *d = &env->sel.dbs[i];

		if (strcmp(d->src, v->schema) != 0)
			continue;
		if (d->all)
			return true;
		for (size_t j = 0; j < d->n_tables; j++)
			if (strcmp(d->tables[j].src_name, v->name) == 0)
				return true;
	}
	return false;
}

/* Routines move with a database selected whole. */
static bool db_selected_whole(const struct precheck_env *env, const char *db)
{
	for (size_t i = 0; i < env->sel.n_dbs; i++)
		if (env->sel.dbs[i].all && strcmp(env->sel.dbs[i].src, db) == 0)
			return true;
	return false;
}

static void auth_views(const struct precheck_env *env, const struct grants *g,
		       struct precheck_result *res)
{
	struct objs miss = { 0 };

	for (size_t i = 0; i < env->catalog.n_views; i++) {
		const struct schema_view *v = &env->catalog.views[i];

		if (view_selected(env, v) && !grants_has(g, P_SHOW_VIEW, v->schema, v->name))
			objs_add(&miss, v->schema, v->name, NULL);
	}
	if (miss.n)
		log_missing(res, "ERROR", g, "SHOW VIEW", &miss, "selected view",
			    "the schema step reads view definitions with SHOW CREATE VIEW");
	objs_release(&miss);
}

/* information_schema shows a table's triggers only to an account with
 * TRIGGER on it, so without that privilege nobody can tell whether the
 * table has triggers: a warning, since they would be left behind. */
static void auth_triggers(const struct precheck_env *env, const struct grants *g,
			  struct precheck_result *res)
{
	struct objs hidden = { 0 };

	for (size_t i = 0; i < env->n_tables; i++) {
		const struct schema_table *t = env->tables[i].table;

		if (!grants_has(g, P_TRIGGER, t->schema, t->name))
			objs_add(&hidden, t->schema, t->name, NULL);
	}
	if (hidden.n)
		log_missing(res, "WARN", g, "TRIGGER", &hidden, "selected table",
			    "the server hides the triggers of these tables from it, so the "
			    "schema step cannot see or migrate them, if they have any");
	objs_release(&hidden);
}

/* Whether the account can read the bodies of the routines of db. */
static bool routines_readable(const struct grants *g, const char *db)
{
	return grants_has(g, P_SELECT, "mysql", "proc") ||
	       grants_has(g, P_SHOW_ROUTINE, db, NULL);
}

/* The statement that lets the account read the routines of db. */
static char *routine_grant(const struct grants *g, const char *db)
{
	struct buf b;

	buf_init(&b, 4096);
	if (g->ver.mariadb && version_ge(&g->ver, 11, 3, 0)) {
		buf_puts(&b, "GRANT SHOW CREATE ROUTINE ON ");
		my_qualified(&b, db, NULL);
	} else if (!g->ver.mariadb && version_ge(&g->ver, 8, 0, 20)) {
		buf_puts(&b, "GRANT SHOW_ROUTINE ON *.*");
	} else if (!g->ver.mariadb && g->ver.major >= 8) {
		buf_puts(&b, "GRANT SELECT ON *.*");
	} else {
		buf_puts(&b, "GRANT SELECT ON `mysql`.`proc`");
	}
	buf_printf(&b, " TO %s", g->account);
	return buf_take(&b);
}

static void auth_routines(const struct precheck_env *env, const struct grants *g,
			  struct precheck_result *res)
{
	struct objs miss = { 0 }, blind = { 0 };

	for (size_t i = 0; i < env->catalog.n_routines; i++) {
		const struct schema_routine *r = &env->catalog.routines[i];

		if (db_selected_whole(env, r->schema) && !routines_readable(g, r->schema) &&
		    !str_ieq(r->definer, g->current_user))
			objs_add(&miss, r->schema, r->name,
				 r->kind == SCHEMA_FUNCTION ? "FUNCTION" : "PROCEDURE");
	}
	for (size_t i = 0; i < env->sel.n_dbs; i++)
		if (env->sel.dbs[i].all && !routines_readable(g, env->sel.dbs[i].src))
			objs_add(&blind, env->sel.dbs[i].src, NULL, NULL);
	if (miss.n) {
		char *shown = objs_text(&miss, SHOW_NAMES), *all = objs_text(&miss, DATA_NAMES);
		char *fix = routine_grant(g, miss.v[0].db);

		precheck__log(res, "ERROR", "privilege", all, "the source account %s cannot read "
			      "the body of %zu selected routine%s: %s; the schema step copies "
			      "them with SHOW CREATE PROCEDURE/FUNCTION, which shows the body "
			      "only to the definer or an account allowed to read every routine. "
			      "Run: %s", g->account, miss.n, plural(miss.n), shown, fix);
		free(fix);
		free(all);
		free(shown);
	} else if (blind.n) {
		char *dbs = objs_text(&blind, DATA_NAMES), *fix = routine_grant(g, blind.v[0].db);

		precheck__log(res, "WARN", "privilege", dbs, "the source account %s cannot read "
			      "routine bodies in %s: procedures and functions it has no privilege "
			      "on are invisible to it and will not be migrated. Run: %s",
			      g->account, dbs, fix);
		free(fix);
		free(dbs);
	}
	objs_release(&blind);
	objs_release(&miss);
}

static void check_auth_src(const struct precheck_env *env, struct precheck_result *res)
{
	const struct meta_job *job = env->job;
	struct err err = { 0 };
	struct grants g;

	if (grants_read(env, &g, &err) < 0) {
		precheck__log(res, "ERROR", "privilege", NULL,
			      "cannot read the privileges of the source account: %s", err.msg);
		goto out;
	}
	if (step_cancelled(env->ctx)) {
		res->cancelled = true;
		goto out;
	}
	auth_select(env, &g, res);
	if (job->data_sync)
		auth_replication(&g, res);
	if (job->structure_init && env->have_catalog) {
		auth_views(env, &g, res);
		auth_triggers(env, &g, res);
		auth_routines(env, &g, res);
	}
	if (!has_level(res, "ERROR") && !has_level(res, "WARN"))
		precheck__log(res, "INFO", "privilege", g.account, "the source account %s holds "
			      "every privilege this job needs: SELECT on the %zu selected table%s%s%s",
			      g.account, env->n_tables, plural(env->n_tables),
			      job->data_sync ? ", REPLICATION SLAVE and REPLICATION CLIENT" : "",
			      job->structure_init ? ", SHOW VIEW, TRIGGER and routine bodies" : "");
out:
	grants_release(&g);
	settle(res);
}

/* ---- binlog settings (incremental sync only) ---------------------------------- */

static void check_binlog(const struct precheck_env *env, struct precheck_result *res)
{
	static const char *const names[] = { "log_bin", "log_bin_basename", NULL };
	struct vars v;
	const char *on, *base;
	char data[64];

	if (!item_vars(env, names, &v, res))
		return;
	on = var(&v, "log_bin");
	base = var(&v, "log_bin_basename");
	snprintf(data, sizeof(data), "log_bin=%s", on ? on : "(absent)");
	if (is_on(on))
		precheck__log(res, "INFO", "binlog", data, "binary logging is on (log_bin=ON%s%s)",
			      base && *base ? ", files " : "", base && *base ? base : "");
	else
		precheck__log(res, "ERROR", "binlog", data, "binary logging is off on the source "
			      "(log_bin=%s): incremental sync reads every change from the binlog. "
			      "log_bin cannot be changed while the server runs: add log_bin = "
			      "mysql-bin and server_id = 1 under [mysqld] in my.cnf (and remove "
			      "skip-log-bin or disable-log-bin if present), then restart the source "
			      "server", on ? on : "absent");
	vars_release(&v);
	settle(res);
}

static void check_binlog_format(const struct precheck_env *env, struct precheck_result *res)
{
	static const char *const names[] = { "binlog_format", NULL };
	struct vars v;
	const char *f;
	char data[64];

	if (!item_vars(env, names, &v, res))
		return;
	f = var(&v, "binlog_format");
	snprintf(data, sizeof(data), "binlog_format=%s", f ? f : "(absent)");
	if (str_ieq(f, "ROW"))
		precheck__log(res, "INFO", "binlog", data, "the source logs row images "
			      "(binlog_format=ROW)");
	else
		precheck__log(res, "ERROR", "binlog", data, "the source logs changes as %s "
			      "(binlog_format=%s): incremental sync applies row events only, and "
			      "a logged statement cannot be replayed faithfully on another "
			      "server. Run: SET GLOBAL binlog_format = 'ROW' (connections already "
			      "open keep their format until they reconnect) and add "
			      "binlog_format = ROW under [mysqld] in my.cnf so that it survives a "
			      "restart (on MySQL 8, SET PERSIST binlog_format = 'ROW' does both)",
			      f ? f : "statements", f ? f : "absent");
	vars_release(&v);
	settle(res);
}

static void check_binlog_row_image(const struct precheck_env *env, struct precheck_result *res)
{
	static const char *const names[] = { "binlog_row_image", NULL };
	struct vars v;
	const char *img;
	char data[64];

	if (!item_vars(env, names, &v, res))
		return;
	img = var(&v, "binlog_row_image");
	snprintf(data, sizeof(data), "binlog_row_image=%s", img ? img : "(absent)");
	if (!img)
		precheck__log(res, "INFO", "binlog", data, "this server version has no "
			      "binlog_row_image: it always logs full row images");
	else if (str_ieq(img, "FULL"))
		precheck__log(res, "INFO", "binlog", data, "the source logs full row images "
			      "(binlog_row_image=FULL)");
	else
		precheck__log(res, "ERROR", "binlog", data, "the source logs partial row images "
			      "(binlog_row_image=%s): incremental sync needs every column of the "
			      "row before and after each change to apply it by key on the "
			      "destination. Run: SET GLOBAL binlog_row_image = 'FULL' (connections "
			      "already open keep their setting until they reconnect) and add "
			      "binlog_row_image = FULL under [mysqld] in my.cnf", img);
	vars_release(&v);
	settle(res);
}

static void check_server_id(const struct precheck_env *env, struct precheck_result *res)
{
	static const char *const names[] = { "server_id", NULL };
	struct vars v;
	const char *id;
	char data[64];

	if (!item_vars(env, names, &v, res))
		return;
	id = var(&v, "server_id");
	snprintf(data, sizeof(data), "server_id=%s", id ? id : "(absent)");
	if (id && *id && strcmp(id, "0") != 0)
		precheck__log(res, "INFO", "binlog", data, "the source has server_id %s", id);
	else
		precheck__log(res, "ERROR", "binlog", data, "the source has no server_id "
			      "(server_id=%s): binlog events carry the id of the server that wrote "
			      "them, and a server with id 0 refuses replication clients such as "
			      "incremental sync. Run: SET GLOBAL server_id = 1 (any value unique "
			      "among the servers that replicate with each other) and add "
			      "server_id = 1 under [mysqld] in my.cnf", id && *id ? id : "0");
	vars_release(&v);
	settle(res);
}

/* "45 min", "2.4 h", "7 days". */
static void fmt_duration(char *out, size_t n, double s)
{
	if (s < 3600)
		snprintf(out, n, "%.0f min", s / 60);
	else if (s < DAY_S)
		snprintf(out, n, "%.1f h", s / 3600);
	else
		snprintf(out, n, "%.1f days", s / DAY_S);
}

static void fmt_bytes(char *out, size_t n, double b)
{
	static const char *const unit[] = { "bytes", "KB", "MB", "GB", "TB" };
	size_t u = 0;

	while (b >= 1024 && u < 4) {
		b /= 1024;
		u++;
	}
	snprintf(out, n, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

/* Warns when binlogs are purged within a day; fix in the variable the server has. */
static void expire_short(const struct precheck_env *env, struct precheck_result *res,
			 const char *data, double retention, bool has_seconds)
{
	char ret[32], size[32];
	double bytes = 0;

	for (size_t i = 0; env->have_catalog && i < env->n_tables; i++)
		bytes += (double)env->tables[i].table->data_bytes;
	fmt_duration(ret, sizeof(ret), retention);
	fmt_bytes(size, sizeof(size), bytes);
	precheck__log(res, "WARN", "binlog", data, "the source purges binlog files after %s "
		      "(%s), so the full-data phase may last at most %s: incremental sync "
		      "starts from the binlog position taken before the full-data copy (of "
		      "the %s in the selected tables), and a file purged before it is read, "
		      "or while the job is suspended or behind, stops the job. Run: %s and add "
		      "%s under [mysqld] in my.cnf", ret, data, ret, size,
		      has_seconds ? "SET GLOBAL binlog_expire_logs_seconds = 604800 (7 days)"
				  : "SET GLOBAL expire_logs_days = 7",
		      has_seconds ? "binlog_expire_logs_seconds = 604800" : "expire_logs_days = 7");
}

static void check_binlog_expire(const struct precheck_env *env, struct precheck_result *res)
{
	static const char *const names[] = {
		"expire_logs_days", "binlog_expire_logs_seconds", "binlog_expire_logs_auto_purge",
		NULL,
	};
	const char *days, *secs, *purge;
	double retention;
	char data[160], ret[32];
	struct vars v;

	if (!item_vars(env, names, &v, res))
		return;
	days = var(&v, "expire_logs_days");
	secs = var(&v, "binlog_expire_logs_seconds");
	purge = var(&v, "binlog_expire_logs_auto_purge");
	snprintf(data, sizeof(data), "expire_logs_days=%s, binlog_expire_logs_seconds=%s",
		 days ? days : "(absent)", secs ? secs : "(absent)");
	/* MySQL 8 and MariaDB 10.6+: the seconds win when set (MariaDB keeps the two in step). */
	retention = secs && strtod(secs, NULL) > 0 ? strtod(secs, NULL)
						   : (days ? strtod(days, NULL) : 0) * DAY_S;
	if (purge && !is_on(purge))
		precheck__log(res, "INFO", "binlog", data, "the source never purges binlog files "
			      "by itself (binlog_expire_logs_auto_purge=%s)", purge);
	else if (retention <= 0)
		precheck__log(res, "INFO", "binlog", data, "binlog files never expire on the "
			      "source (%s): they stay until PURGE BINARY LOGS, so incremental sync "
			      "can always resume; keep an eye on the disk space", data);
	else if (retention < DAY_S)
		expire_short(env, res, data, retention, secs != NULL);
	else {
		fmt_duration(ret, sizeof(ret), retention);
		precheck__log(res, "INFO", "binlog", data, "the source keeps binlog files for "
			      "%s (%s)", ret, data);
	}
	vars_release(&v);
	settle(res);
}

static void check_gtid(const struct precheck_env *env, struct precheck_result *res)
{
	static const char *const names[] = {
		"gtid_mode", "enforce_gtid_consistency", "gtid_executed", "gtid_current_pos",
		"gtid_binlog_pos", "gtid_strict_mode", "gtid_domain_id", NULL,
	};
	const char *mode;
	struct vars v;
	char data[700];

	if (!item_vars(env, names, &v, res))
		return;
	mode = var(&v, "gtid_mode");
	if (mode) {
		snprintf(data, sizeof(data), "gtid_mode=%s, enforce_gtid_consistency=%s, "
			 "gtid_executed=%.400s", mode, var(&v, "enforce_gtid_consistency") ?
			 var(&v, "enforce_gtid_consistency") : "", var(&v, "gtid_executed") ?
			 var(&v, "gtid_executed") : "");
	} else {
		snprintf(data, sizeof(data), "gtid_current_pos=%.200s, gtid_binlog_pos=%.200s, "
			 "gtid_strict_mode=%s, gtid_domain_id=%s", var(&v, "gtid_current_pos") ?
			 var(&v, "gtid_current_pos") : "(absent)", var(&v, "gtid_binlog_pos") ?
			 var(&v, "gtid_binlog_pos") : "(absent)", var(&v, "gtid_strict_mode") ?
			 var(&v, "gtid_strict_mode") : "(absent)", var(&v, "gtid_domain_id") ?
			 var(&v, "gtid_domain_id") : "(absent)");
	}
	if (mode && str_icontains(mode, "PERMISSIVE"))
		precheck__log(res, "WARN", "gtid", data, "gtid_mode=%s is a transition state: the "
			      "binlog mixes GTID and anonymous transactions. Finish the transition "
			      "(SET GLOBAL gtid_mode one step at a time to ON, or back to OFF, and "
			      "the same gtid_mode line in my.cnf) before relying on GTID positions",
			      mode);
	else
		precheck__log(res, "INFO", "gtid", data, "GTID state of the source: %s; reported "
			      "for information, incremental sync records its position as binlog "
			      "file and offset", data);
	vars_release(&v);
	settle(res);
}

/* ---- the selected objects ------------------------------------------------------ */

/* What a name of env->missing is ("db", "db.table" or "db.table.column"),
 * told apart through the selection since names may contain dots. */
enum miss_kind { MISS_DB = 0, MISS_TABLE, MISS_COLUMN };

static enum miss_kind miss_kind(const struct precheck_env *env, const char *m)
{
	for (size_t i = 0; i < env->sel.n_dbs; i++) {
		const struct schema_sel_db *d = &env->sel.dbs[i];
		size_t k = strlen(d->src);

		if (strcmp(d->src, m) == 0)
			return MISS_DB;
		if (strncmp(m, d->src, k) != 0 || m[k] != '.')
			continue;
		for (size_t j = 0; j < d->n_tables; j++) {
			const char *t = d->tables[j].src_name, *rest = m + k + 1;
			size_t kt = strlen(t);

			if (strncmp(rest, t, kt) == 0 && rest[kt] == '.')
				return MISS_COLUMN;
		}
	}
	return MISS_TABLE;
}

/* "database a; tables b.c, b.d; column b.c.x" into m. */
static void missing_text(struct buf *m, const struct objs *by_kind)
{
	static const char *const kind[] = { "database", "table", "column" };
	bool any = false;

	for (int k = MISS_DB; k <= MISS_COLUMN; k++) {
		if (!by_kind[k].n)
			continue;
		buf_printf(m, "%s%s%s ", any ? "; " : "", kind[k], plural(by_kind[k].n));
		objs_join(m, &by_kind[k], 0);
		any = true;
	}
}

static void check_db_exist(const struct precheck_env *env, struct precheck_result *res)
{
	struct objs by_kind[3] = { { 0 } }, all = { 0 };
	const char *them;
	char *names;
	struct buf m;

	if (!env->have_catalog) {
		precheck__log(res, "ERROR", "catalog", NULL, "%s; the selected objects cannot be "
			      "checked: fix the cause and run the precheck again", env->catalog_error);
		settle(res);
		return;
	}
	if (!env->n_missing) {
		precheck__log(res, "INFO", "missing_object", NULL, "every object of the DbList "
			      "exists in the source: %zu database%s, %zu selected table%s",
			      env->sel.n_dbs, plural(env->sel.n_dbs), env->n_tables,
			      plural(env->n_tables));
		settle(res);
		return;
	}
	for (size_t i = 0; i < env->n_missing; i++) {
		objs_add(&by_kind[miss_kind(env, env->missing[i])], env->missing[i], NULL, NULL);
		objs_add(&all, env->missing[i], NULL, NULL);
	}
	them = all.n == 1 ? "it" : "them";
	names = objs_text(&all, 0);
	buf_init(&m, TEXT_MAX);
	buf_printf(&m, "the DbList names %zu object%s the source does not have: ", all.n,
		   plural(all.n));
	missing_text(&m, by_kind);
	buf_printf(&m, "; create %s in the source or remove %s from the DbList (ModifyDtsJob), "
		   "then run the precheck again. The server also hides what the source "
		   "account holds no privilege on: if %s exist%s, grant the account SELECT "
		   "(see CHECK_AUTH_SRC)", them, them, all.n == 1 ? "it" : "they",
		   all.n == 1 ? "s" : "");
	precheck__log(res, "ERROR", "missing_object", names, "%s", buf_cstr(&m));
	buf_release(&m);
	free(names);
	for (int k = MISS_DB; k <= MISS_COLUMN; k++)
		objs_release(&by_kind[k]);
	objs_release(&all);
	settle(res);
}

/* ---- keys, foreign keys and engines of the selected tables --------------------- */

/* "ALTER TABLE `db`.`t` ADD PRIMARY KEY (...)" for t, from a unique key with
 * nullable columns when it has one. */
static void pk_hint(struct buf *b, const struct schema_table *t)
{
	const struct schema_index *uk = NULL;

	for (size_t i = 0; i < t->n_indexes && !uk; i++)
		if (t->indexes[i].unique && t->indexes[i].n_parts)
			uk = &t->indexes[i];
	buf_puts(b, "ALTER TABLE ");
	my_qualified(b, t->schema, t->name);
	buf_puts(b, " ADD PRIMARY KEY (");
	for (size_t i = 0; uk && i < uk->n_parts; i++) {
		buf_puts(b, i ? ", " : "");
		my_ident(b, uk->parts[i].column);
	}
	buf_puts(b, uk ? ")" : "<columns that identify a row>)");
	if (uk)
		buf_printf(b, " (the columns of unique key %s, which allows NULL: they must "
			   "hold no NULL first)", uk->name);
	buf_puts(b, "; if no columns identify a row, add a hidden one: ALTER TABLE ");
	my_qualified(b, t->schema, t->name);
	buf_puts(b, " ADD COLUMN `dts_row_id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT "
		 "INVISIBLE PRIMARY KEY (INVISIBLE needs MariaDB 10.3 or MySQL 8.0.23)");
}

static void check_pk(const struct precheck_env *env, struct precheck_result *res)
{
	const struct schema_table *first = NULL;
	struct objs miss = { 0 };
	bool sync = env->job->data_sync;
	struct buf fix;

	if (!need_catalog(env, res))
		return;
	for (size_t i = 0; i < env->n_tables; i++) {
		const struct schema_table *t = env->tables[i].table;

		if (schema_row_key(t))
			continue;
		first = first ? first : t;
		objs_add(&miss, t->schema, t->name, NULL);
	}
	if (!miss.n) {
		precheck__log(res, "INFO", "no_primary_key", NULL, "each of the %zu selected "
			      "table%s has a primary key or a unique key on NOT NULL columns",
			      env->n_tables, plural(env->n_tables));
		goto out;
	}
	buf_init(&fix, TEXT_MAX);
	pk_hint(&fix, first);
	{
		char *shown = objs_text(&miss, SHOW_NAMES), *all = objs_text(&miss, DATA_NAMES);

		precheck__log(res, sync ? "ERROR" : "WARN", "no_primary_key", all, "%zu selected "
			      "table%s ha%s neither a primary key nor a unique key on NOT NULL "
			      "columns: %s; %s Fix: %s%s%s", miss.n, plural(miss.n),
			      miss.n == 1 ? "s" : "ve", shown, sync
			      ? "incremental sync cannot address their rows: an UPDATE or DELETE "
				"read from the binlog matches no single destination row."
			      : "full data copies such a table in one pass, without key ranges "
				"or parallelism, and an interrupted copy starts it again from the "
				"beginning.",
			      buf_cstr(&fix), miss.n > 1 ? " (likewise for the others)" : "",
			      sync ? "; or remove these tables from the DbList, or skip CHECK_PK "
				     "(SkipPreCheck) to accept it" : "");
		free(all);
		free(shown);
	}
	buf_release(&fix);
out:
	objs_release(&miss);
	settle(res);
}

/* The selected tables sorted by (schema, name), for lookups. */
struct tindex {
	const struct schema_table **v;
	size_t n;
};

static int tcmp(const void *a, const void *b)
{
	const struct schema_table *x = *(const struct schema_table *const *)a;
	const struct schema_table *y = *(const struct schema_table *const *)b;
	int c = strcmp(x->schema, y->schema);

	return c ? c : strcmp(x->name, y->name);
}

static void tindex_build(struct tindex *ix, const struct precheck_env *env)
{
	ix->n = env->n_tables;
	ix->v = xcalloc(ix->n ? ix->n : 1, sizeof(*ix->v));
	for (size_t i = 0; i < ix->n; i++)
		ix->v[i] = env->tables[i].table;
	qsort(ix->v, ix->n, sizeof(*ix->v), tcmp);
}

static bool tindex_has(const struct tindex *ix, const char *schema, const char *name)
{
	struct schema_table key = { .schema = (char *)schema, .name = (char *)name };
	const struct schema_table *k = &key;

	return ix->n && bsearch(&k, ix->v, ix->n, sizeof(*ix->v), tcmp) != NULL;
}

static bool cascades(const char *action)
{
	return str_ieq(action, "CASCADE") || str_ieq(action, "SET NULL") ||
	       str_ieq(action, "SET DEFAULT");
}

static void fk_warn_cascades(const struct precheck_env *env, const struct names *l,
			     struct precheck_result *res)
{
	char *shown = names_text(l, SHOW_NAMES), *all = names_text(l, DATA_NAMES);

	precheck__log(res, "WARN", "foreign_key", all, "%zu foreign key%s change%s child rows "
		      "by cascade: %s. The source binlog records only the change of the parent "
		      "row, not the child rows a cascade changes (InnoDB applies cascades "
		      "inside the engine), and opendts creates foreign keys on the destination "
		      "after the full load. %s", l->n, plural(l->n), l->n == 1 ? "s" : "", shown,
		      env->job->data_sync
		      ? "With incremental sync, the destination changes those child rows only "
			"through its own copy of these foreign keys: keep them enabled on the "
			"destination while the sync runs, or the child rows diverge"
		      : "The copy itself is not affected; if incremental sync is added later, "
			"the destination must cascade those changes itself through the same "
			"foreign keys");
	free(all);
	free(shown);
}

static void check_fk(const struct precheck_env *env, struct precheck_result *res)
{
	struct names casc = { 0 }, outside = { 0 };
	struct tindex ix = { 0 };
	size_t n_fk = 0;

	if (!need_catalog(env, res))
		return;
	tindex_build(&ix, env);
	for (size_t i = 0; i < env->n_tables; i++) {
		const struct schema_table *t = env->tables[i].table;

		for (size_t j = 0; j < t->n_fks; j++, n_fk++) {
			const struct schema_fk *f = &t->fks[j];
			bool d = cascades(f->on_delete), u = cascades(f->on_update);

			if (d || u)
				names_add(&casc, "%s.%s.%s (%s%s%s%s%s) references %s.%s", t->schema,
					  t->name, f->name, d ? "ON DELETE " : "", d ? f->on_delete : "",
					  d && u ? ", " : "", u ? "ON UPDATE " : "",
					  u ? f->on_update : "", f->ref_schema, f->ref_table);
			if (!tindex_has(&ix, f->ref_schema, f->ref_table))
				names_add(&outside, "%s.%s.%s references %s.%s", t->schema, t->name,
					  f->name, f->ref_schema, f->ref_table);
		}
	}
	if (casc.n)
		fk_warn_cascades(env, &casc, res);
	if (outside.n) {
		char *shown = names_text(&outside, SHOW_NAMES), *all = names_text(&outside, DATA_NAMES);

		precheck__log(res, "WARN", "foreign_key", all, "%zu foreign key%s reference%s a "
			      "table that is not selected: %s; the destination can create such a "
			      "foreign key only if the referenced table exists there, and its rows "
			      "may reference rows that are not copied. Add the referenced tables to "
			      "the DbList, or create them in the destination first", outside.n,
			      plural(outside.n), outside.n == 1 ? "s" : "", shown);
		free(all);
		free(shown);
	}
	if (!casc.n && !outside.n)
		precheck__log(res, "INFO", "foreign_key", NULL, "%zu foreign key%s among the "
			      "selected tables, none with a cascading action or a reference "
			      "outside the selection", n_fk, plural(n_fk));
	free(ix.v);
	names_release(&outside);
	names_release(&casc);
	settle(res);
}

/* Engines that give opendts a consistent snapshot (MVCC). */
static bool engine_transactional(const char *e)
{
	return str_ieq(e, "InnoDB") || str_ieq(e, "ROCKSDB");
}

static void engine_warn(const struct precheck_env *env, const struct objs *l, bool memory,
			struct precheck_result *res)
{
	char *shown = objs_text(l, SHOW_NAMES), *all = objs_text(l, DATA_NAMES);
	struct buf fix;

	buf_init(&fix, 4096);
	buf_puts(&fix, "ALTER TABLE ");
	my_qualified(&fix, l->v[0].db, l->v[0].name);
	buf_puts(&fix, " ENGINE=InnoDB");
	precheck__log(res, "WARN", "engine", all, "%zu selected table%s use%s a "
		      "non-transactional engine: %s; they cannot be read in a consistent "
		      "snapshot, so concurrent writes during the full-data copy are not "
		      "isolated from it and rows may be copied in a mixed state%s.%s Fix: %s%s",
		      l->n, plural(l->n), l->n == 1 ? "s" : "", shown, env->job->data_sync
		      ? " until incremental sync re-applies those writes from the binlog"
		      : "; stop writes to them during the copy",
		      memory ? " MEMORY tables also lose their rows at every restart of the "
			       "source." : "", buf_cstr(&fix),
		      l->n > 1 ? " (likewise for the others)" : "");
	buf_release(&fix);
	free(all);
	free(shown);
}

static void engine_fail_blackhole(const struct objs *l, struct precheck_result *res)
{
	char *shown = objs_text(l, SHOW_NAMES), *all = objs_text(l, DATA_NAMES);

	precheck__log(res, "ERROR", "engine", all, "%zu selected table%s use%s BLACKHOLE: %s; "
		      "BLACKHOLE stores no rows, but its INSERTs are written to the binlog, so "
		      "incremental sync would add rows to the destination that the source never "
		      "kept, while its UPDATEs and DELETEs match no row and are not logged at "
		      "all. Remove these tables from the DbList, or skip CHECK_SRC_ENGINE "
		      "(SkipPreCheck) if the destination table is meant to collect the inserted "
		      "rows", l->n, plural(l->n), l->n == 1 ? "s" : "", shown);
	free(all);
	free(shown);
}

static void check_src_engine(const struct precheck_env *env, struct precheck_result *res)
{
	struct objs warn = { 0 }, fail = { 0 };
	bool memory = false;

	if (!need_catalog(env, res))
		return;
	for (size_t i = 0; i < env->n_tables; i++) {
		const struct schema_table *t = env->tables[i].table;

		if (!t->engine || !*t->engine || engine_transactional(t->engine))
			continue;
		if (env->job->data_sync && str_ieq(t->engine, "BLACKHOLE")) {
			objs_add(&fail, t->schema, t->name, t->engine);
			continue;
		}
		memory = memory || str_ieq(t->engine, "MEMORY");
		objs_add(&warn, t->schema, t->name, t->engine);
	}
	if (fail.n)
		engine_fail_blackhole(&fail, res);
	if (warn.n)
		engine_warn(env, &warn, memory, res);
	if (!fail.n && !warn.n)
		precheck__log(res, "INFO", "engine", NULL, "each of the %zu selected table%s uses "
			      "a transactional engine (InnoDB)", env->n_tables, plural(env->n_tables));
	objs_release(&fail);
	objs_release(&warn);
	settle(res);
}

/* ---- the table ------------------------------------------------------------------- */

const struct precheck_check precheck__src_checks[] = {
	{ "CHECK_SRC", 10, true, PRECHECK_SIDE_SRC, NULL, check_src },
	{ "CHECK_AUTH_SRC", 11, false, PRECHECK_SIDE_SRC, NULL, check_auth_src },
	{ "CHECK_BINLOG", 12, false, PRECHECK_SIDE_SRC, applies_sync, check_binlog },
	{ "CHECK_BINLOG_FORMAT", 13, false, PRECHECK_SIDE_SRC, applies_sync, check_binlog_format },
	{ "CHECK_BINLOG_ROW_IMAGE", 14, false, PRECHECK_SIDE_SRC, applies_sync,
	  check_binlog_row_image },
	{ "CHECK_SERVER_ID", 15, true, PRECHECK_SIDE_SRC, applies_sync, check_server_id },
	{ "CHECK_BINLOG_EXPIRE", 16, true, PRECHECK_SIDE_SRC, applies_sync, check_binlog_expire },
	{ "CHECK_GTID", 17, true, PRECHECK_SIDE_SRC, applies_sync, check_gtid },
	{ "CHECK_DB_EXIST", 18, false, PRECHECK_SIDE_SRC, NULL, check_db_exist },
	{ "CHECK_PK", 19, true, PRECHECK_SIDE_SRC, applies_data, check_pk },
	{ "CHECK_FK", 20, true, PRECHECK_SIDE_SRC, NULL, check_fk },
	{ "CHECK_SRC_ENGINE", 21, true, PRECHECK_SIDE_SRC, applies_data, check_src_engine },
	{ NULL, 0, false, PRECHECK_SIDE_SRC, NULL, NULL },
};
