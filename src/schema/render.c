/*
 * render.c - the dialect-independent half of the DDL renderers (ddl.h):
 * argument checks and dispatch by dialect to render_mysql.c (schema__my_*)
 * and render_pg.c (schema__pg_*), the one identifier and the one literal
 * quoting function per dialect, and the struct schema_ddl builders the
 * dialect files share (render_int.h).
 *
 * Every public renderer starts from an empty *out and, when it fails
 * (bad arguments only: a construct the destination cannot take is an
 * "unsupported" result, not an error), leaves it empty again. A foreign
 * key whose referenced table is not among the job's tables is decided
 * here, for both dialects, without calling the dialect.
 *
 * Pure functions without shared state: thread-safe. The caller owns *out
 * and frees it with schema_ddl_release().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/render_int.h"
#include "util/str.h"
#include "util/xalloc.h"

/* ---- struct schema_ddl --------------------------------------------------- */

void schema_ddl_release(struct schema_ddl *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_stmts; i++)
		free(d->stmts[i]);
	for (size_t i = 0; i < d->n_notes; i++)
		free(d->notes[i]);
	free(d->stmts);
	free(d->notes);
	memset(d, 0, sizeof(*d));
}

char *schema_ddl_text(const struct schema_ddl *d)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	for (size_t i = 0; d && i < d->n_stmts; i++) {
		buf_puts(&b, d->stmts[i]);
		buf_puts(&b, i + 1 < d->n_stmts ? ";\n" : ";");
	}
	if (!b.data)
		return xstrdup("");
	return buf_take(&b);
}

static void push(char ***arr, size_t *n, char *s)
{
	*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[(*n)++] = s;
}

void schema__ddl_add(struct schema_ddl *d, struct buf *stmt)
{
	char *s = stmt->data ? buf_take(stmt) : xstrdup("");

	push(&d->stmts, &d->n_stmts, s);
	buf_reset(stmt);
}

void schema__ddl_note(struct schema_ddl *d, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < d->n_notes; i++)
		if (strcmp(d->notes[i], line) == 0)
			return;                 /* one sentence once */
	push(&d->notes, &d->n_notes, xstrdup(line));
}

/* The first reason stays in front; later ones are appended while there is
 * room, so the report names every problem it can. */
void schema__ddl_unsupported(struct schema_ddl *d, const char *fmt, ...)
{
	char line[sizeof(d->reason)];
	size_t len = strlen(d->reason);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (d->unsupported && strstr(d->reason, line))
		return;
	if (!d->unsupported || len == 0) {
		memcpy(d->reason, line, sizeof(d->reason));
	} else if (len + 3 < sizeof(d->reason)) {
		memcpy(d->reason + len, "; ", 2);
		str_copy(d->reason + len + 2, sizeof(d->reason) - len - 2, line);
	}
	d->unsupported = true;
}

/* ---- quoting ------------------------------------------------------------- */

static void quote_ident_my(const char *name, struct buf *out)
{
	buf_putc(out, '`');
	for (const char *p = name; *p; p++) {
		if (*p == '`')
			buf_putc(out, '`');
		buf_putc(out, *p);
	}
	buf_putc(out, '`');
}

/* fold_lower folds ASCII only, as PostgreSQL folds unquoted names in a
 * multi-byte encoding; then the 63-byte fit. */
char *schema_dst_ident(const struct schema_render_opts *o, const char *name)
{
	char fit[64];
	char *folded = xstrdup(name ? name : "");

	if (!o || o->dialect != SCHEMA_DIALECT_PG)
		return folded;
	if (o->fold_lower)
		for (char *p = folded; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	schema_ident_fit(SCHEMA_DIALECT_PG, folded, fit, sizeof(fit));
	free(folded);
	return xstrdup(fit);
}

static void quote_ident_pg(const struct schema_render_opts *o, const char *name,
			   struct buf *out)
{
	char *fit = schema_dst_ident(o, name);

	buf_putc(out, '"');
	for (const char *p = fit; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
	free(fit);
}

void schema_quote_ident(const struct schema_render_opts *o, const char *name, struct buf *out)
{
	if (!name)
		name = "";
	if (o && o->dialect == SCHEMA_DIALECT_PG)
		quote_ident_pg(o, name, out);
	else
		quote_ident_my(name, out);
}

/* MySQL/MariaDB without NO_BACKSLASH_ESCAPES (the schema step's session,
 * SCHEMA_MY_SQL_MODE): quotes doubled, backslash and the bytes
 * mysql_real_escape_string() escapes written as backslash escapes, so a
 * statement stays on one line and a NUL survives. */
static void quote_literal_my(const char *s, size_t n, struct buf *out)
{
	buf_putc(out, '\'');
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\'': buf_puts(out, "''"); break;
		case '\\': buf_puts(out, "\\\\"); break;
		case '\0': buf_puts(out, "\\0"); break;
		case '\n': buf_puts(out, "\\n"); break;
		case '\r': buf_puts(out, "\\r"); break;
		case '\032': buf_puts(out, "\\Z"); break;
		default: buf_putc(out, s[i]); break;
		}
	}
	buf_putc(out, '\'');
}

/* PostgreSQL with standard_conforming_strings on: 'it''s', backslashes
 * literal. A NUL cannot be in a PostgreSQL string at all: such a value is
 * written as an E'' literal with \000, which the server refuses loudly
 * rather than the renderer dropping a byte in silence. */
static void quote_literal_pg(const char *s, size_t n, struct buf *out)
{
	bool nul = memchr(s, 0, n) != NULL;

	if (nul)
		buf_putc(out, 'E');
	buf_putc(out, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			buf_puts(out, "''");
		else if (nul && s[i] == '\\')
			buf_puts(out, "\\\\");
		else if (s[i] == '\0')
			buf_puts(out, "\\000");
		else
			buf_putc(out, s[i]);
	}
	buf_putc(out, '\'');
}

void schema_quote_literal(const struct schema_render_opts *o, const char *s, size_t n,
			  struct buf *out)
{
	if (!s) {
		s = "";
		n = 0;
	}
	if (o && o->dialect == SCHEMA_DIALECT_PG)
		quote_literal_pg(s, n, out);
	else
		quote_literal_my(s, n, out);
}

/* ---- dispatch ------------------------------------------------------------ */

static int start(const struct schema_render_opts *o, const void *obj, const char *what,
		 struct schema_ddl *out, struct err *err)
{
	if (out)
		memset(out, 0, sizeof(*out));
	if (!o || !obj || !out) {
		err_set(err, ERR_INVALID, "cannot render the %s: missing argument", what);
		return -1;
	}
	if (o->dialect != SCHEMA_DIALECT_MYSQL && o->dialect != SCHEMA_DIALECT_PG) {
		err_set(err, ERR_INVALID, "cannot render the %s: unknown dialect %d", what,
			(int)o->dialect);
		return -1;
	}
	return 0;
}

static int finish(int rc, struct schema_ddl *out)
{
	if (rc < 0)
		schema_ddl_release(out);
	return rc;
}

static const char *s0(const char *s)
{
	return s ? s : "";
}

static bool my(const struct schema_render_opts *o)
{
	return o->dialect == SCHEMA_DIALECT_MYSQL;
}

int schema_render_database(const struct schema_render_opts *o, const char *dst_schema,
			   const char *charset, const char *collation,
			   struct schema_ddl *out, struct err *err)
{
	if (start(o, dst_schema, "database", out, err) < 0)
		return -1;
	return finish(my(o) ? schema__my_database(o, dst_schema, charset, collation, out, err)
			    : schema__pg_database(o, dst_schema, charset, collation, out, err),
		      out);
}

static bool resolved_ok(const struct schema_resolved *t)
{
	return t && t->table && t->dst_schema && t->dst_name;
}

int schema_render_table(const struct schema_render_opts *o, const struct schema_resolved *t,
			struct schema_ddl *out, struct err *err)
{
	if (start(o, resolved_ok(t) ? t : NULL, "table", out, err) < 0)
		return -1;
	return finish(my(o) ? schema__my_table(o, t, out, err) : schema__pg_table(o, t, out, err),
		      out);
}

int schema_render_index(const struct schema_render_opts *o, const struct schema_resolved *t,
			const struct schema_index *ix, struct schema_ddl *out, struct err *err)
{
	if (start(o, resolved_ok(t) && ix ? t : NULL, "index", out, err) < 0)
		return -1;
	return finish(my(o) ? schema__my_index(o, t, ix, out, err)
			    : schema__pg_index(o, t, ix, out, err), out);
}

static const struct schema_resolved *find_resolved(const struct schema_resolved *all, size_t n,
						   const char *schema, const char *name)
{
	for (size_t i = 0; all && i < n; i++)
		if (resolved_ok(&all[i]) && strcmp(all[i].table->schema, schema) == 0 &&
		    strcmp(all[i].table->name, name) == 0)
			return &all[i];
	return NULL;
}

int schema_render_fk(const struct schema_render_opts *o, const struct schema_resolved *t,
		     const struct schema_fk *fk, const struct schema_resolved *all,
		     size_t n_all, struct schema_ddl *out, struct err *err)
{
	const struct schema_resolved *ref;

	if (start(o, resolved_ok(t) && fk ? t : NULL, "foreign key", out, err) < 0)
		return -1;
	ref = find_resolved(all, n_all, s0(fk->ref_schema), s0(fk->ref_table));
	if (!ref) {
		schema__ddl_unsupported(out, "foreign key %s of %s.%s references %s.%s, which the "
					"job does not migrate", s0(fk->name), s0(t->table->schema),
					s0(t->table->name), s0(fk->ref_schema), s0(fk->ref_table));
		return 0;
	}
	return finish(my(o) ? schema__my_fk(o, t, fk, ref->dst_schema, ref->dst_name, ref, out, err)
			    : schema__pg_fk(o, t, fk, ref->dst_schema, ref->dst_name, ref, out, err),
		      out);
}

int schema_render_view(const struct schema_render_opts *o, const struct schema_view *v,
		       const char *dst_schema, struct schema_ddl *out, struct err *err)
{
	if (start(o, v && dst_schema ? v : NULL, "view", out, err) < 0)
		return -1;
	return finish(my(o) ? schema__my_view(o, v, dst_schema, out, err)
			    : schema__pg_view(o, v, dst_schema, out, err), out);
}

int schema_render_routine(const struct schema_render_opts *o, const struct schema_routine *r,
			  const char *dst_schema, struct schema_ddl *out, struct err *err)
{
	if (start(o, r && dst_schema ? r : NULL, "routine", out, err) < 0)
		return -1;
	return finish(my(o) ? schema__my_routine(o, r, dst_schema, out, err)
			    : schema__pg_routine(o, r, dst_schema, out, err), out);
}

int schema_render_trigger(const struct schema_render_opts *o, const struct schema_trigger *tr,
			  const char *dst_schema, const char *dst_table, struct schema_ddl *out,
			  struct err *err)
{
	if (start(o, tr && dst_schema && dst_table ? tr : NULL, "trigger", out, err) < 0)
		return -1;
	return finish(my(o) ? schema__my_trigger(o, tr, dst_schema, dst_table, out, err)
			    : schema__pg_trigger(o, tr, dst_schema, dst_table, out, err), out);
}
