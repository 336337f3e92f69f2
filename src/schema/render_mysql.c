/*
 * render_mysql.c - DDL for a MySQL/MariaDB destination (schema__my_*,
 * render_int.h), written to be faithful: once the table, its indexes and
 * its foreign keys are applied, the destination's SHOW CREATE TABLE equals
 * the source's up to the names the job renames. The statements assume the
 * session of SCHEMA_MY_SESSION_SETUP (ddl.h): no NO_BACKSLASH_ESCAPES (the
 * literals below escape with backslashes), time_zone '+00:00' (TIMESTAMP
 * defaults were read in UTC), explicit_defaults_for_timestamp on.
 *
 * What decides the shape of the output:
 *  - Keys. MariaDB sorts the keys of a table every time it writes its
 *    definition (sql_table.cc, sort_keys()): UNIQUE keys first (long
 *    unique hashes last among them; before that those whose columns are
 *    all NOT NULL, the primary key first, keys without prefix parts before
 *    the others), then the other keys, FULLTEXT last; within a class, in
 *    the order the keys were added, an ALTER TABLE appending its new keys
 *    after the existing ones. The catalog lists keys in that sorted order,
 *    so adding the secondary indexes one ALTER TABLE each, one at a time,
 *    in the catalog's order, rebuilds the same order (two ALTERs of one
 *    table run concurrently would land in either order). The only key
 *    that cannot wait is the one an AUTO_INCREMENT column needs ("there
 *    can be only one auto column and it must be defined as a key"): when
 *    the primary key does not hold that column, the CREATE TABLE carries
 *    every secondary index up to the first one that does, and
 *    schema__my_index() renders those as "created with the table".
 *  - USING HASH/BTREE: information_schema reports the algorithm in use,
 *    not whether it was written, so the renderer writes the clause only
 *    when the engine's default is another one (MEMORY hashes, the others
 *    use B-trees; on InnoDB a HASH key is a long unique hash).
 *  - Foreign keys print sorted by name (InnoDB keeps them in a set), so
 *    their order does not matter; each one needs the indexes of both
 *    tables first, or InnoDB would add one of its own.
 *  - Views, routines and triggers are created without DEFINER (an account
 *    missing on the destination would make them fail) and with the
 *    source database name rewritten where the text qualifies a name with
 *    it (rewrite_db); routines and triggers under their own sql_mode.
 *    Triggers are written without FOLLOWS/PRECEDES: created one at a time
 *    in catalog order (ACTION_ORDER), they fire in the source's order.
 *
 * Pure functions of their arguments: thread-safe, no I/O.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/render_int.h"
#include "util/str.h"
#include "util/xalloc.h"

static const struct schema_render_opts my_opts = { .dialect = SCHEMA_DIALECT_MYSQL };

static void ident(struct buf *b, const char *name)
{
	schema_quote_ident(&my_opts, name, b);
}

static void qualified(struct buf *b, const char *schema, const char *name)
{
	ident(b, schema);
	buf_putc(b, '.');
	ident(b, name);
}

static void literal(struct buf *b, const char *s)
{
	schema_quote_literal(&my_opts, s, s ? strlen(s) : 0, b);
}

static const char *s0(const char *s)
{
	return s ? s : "";
}

/* A server-made word (engine, charset, collation names): written bare when
 * it is one, quoted otherwise (the grammar takes both), never pasted. */
static void word(struct buf *b, const char *w)
{
	bool bare = *w != 0;

	for (const char *p = w; *p && bare; p++)
		bare = isalnum((unsigned char)*p) || *p == '_';
	if (bare)
		buf_puts(b, w);
	else
		ident(b, w);
}

/* ---- a small lexer for MySQL text ------------------------------------------
 * Enough to tell strings, quoted identifiers, words and comments apart in
 * expressions and bodies as the server prints them. The sql_mode an object
 * was created under changes two things: ANSI_QUOTES makes "x" an
 * identifier, NO_BACKSLASH_ESCAPES makes a backslash an ordinary byte. */

enum tok { TK_END, TK_SPACE, TK_COMMENT, TK_STRING, TK_QIDENT, TK_WORD, TK_OTHER };

enum { LX_ANSI_QUOTES = 1, LX_NO_BACKSLASH = 2 };

struct tok_span {
	enum tok type;
	const char *p;
	size_t n;
};

static unsigned lex_mode(const char *sql_mode)
{
	return (str_icontains(s0(sql_mode), "ANSI_QUOTES") ? LX_ANSI_QUOTES : 0) |
	       (str_icontains(s0(sql_mode), "NO_BACKSLASH_ESCAPES") ? LX_NO_BACKSLASH : 0);
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

/* Length of the quoted token at p (p[0] is the quote), to the end of the
 * text when it is not closed. Identifiers never take backslash escapes. */
static size_t quoted_len(const char *p, bool backslash)
{
	char q = p[0];
	size_t i = 1;

	while (p[i]) {
		if (backslash && p[i] == '\\' && p[i + 1]) {
			i += 2;
		} else if (p[i] == q && p[i + 1] == q) {
			i += 2;
		} else if (p[i] == q) {
			return i + 1;
		} else {
			i++;
		}
	}
	return i;
}

static struct tok_span next_tok_m(const char *p, unsigned mode)
{
	struct tok_span t = { TK_OTHER, p, 1 };
	bool dq_ident = (mode & LX_ANSI_QUOTES) != 0;

	if (!*p)
		t.type = TK_END, t.n = 0;
	else if (isspace((unsigned char)*p)) {
		t.type = TK_SPACE;
		while (isspace((unsigned char)p[t.n]))
			t.n++;
	} else if (*p == '#' || (p[0] == '-' && p[1] == '-' &&
				 (p[2] == 0 || isspace((unsigned char)p[2])))) {
		t.type = TK_COMMENT;
		t.n = strcspn(p, "\n");
	} else if (p[0] == '/' && p[1] == '*') {
		const char *e = strstr(p + 2, "*/");
		t.type = TK_COMMENT;
		t.n = e ? (size_t)(e + 2 - p) : strlen(p);
	} else if (*p == '`' || (*p == '"' && dq_ident)) {
		t.type = TK_QIDENT;
		t.n = quoted_len(p, false);
	} else if (*p == '\'' || *p == '"') {
		t.type = TK_STRING;
		t.n = quoted_len(p, !(mode & LX_NO_BACKSLASH));
	} else if (word_char(*p)) {
		t.type = TK_WORD;
		while (word_char(p[t.n]))
			t.n++;
	}
	return t;
}

static struct tok_span next_tok(const char *p)
{
	return next_tok_m(p, 0);
}

static struct tok_span next_significant(const char *p, unsigned mode)
{
	struct tok_span t = next_tok_m(p, mode);

	while (t.type == TK_SPACE || t.type == TK_COMMENT)
		t = next_tok_m(t.p + t.n, mode);
	return t;
}

/* The name a TK_QIDENT (`x` or "x") or TK_WORD stands for (caller frees). */
static char *tok_name(struct tok_span t)
{
	struct buf b;

	if (t.type != TK_QIDENT)
		return xstrndup(t.p, t.n);
	buf_init(&b, BUF_UNLIMITED);
	for (size_t i = 1; i + 1 < t.n; i++) {
		buf_putc(&b, t.p[i]);
		if (t.p[i] == t.p[0])
			i++;
	}
	return b.data ? buf_take(&b) : xstrdup("");
}

static bool tok_is(struct tok_span t, const char *w)
{
	return t.type == TK_WORD && strlen(w) == t.n && strncasecmp(t.p, w, t.n) == 0;
}

/* ---- rewriting names inside SQL text ------------------------------------- */

/* Copies an expression of table r (generation, CHECK, DEFAULT; the server
 * prints column names `quoted`) with each column named by its destination
 * name. -1 when it uses a column the job does not move; *missing then
 * points at that name (borrowed from the catalog). */
static int rewrite_columns(const struct schema_resolved *r, const char *expr, struct buf *out,
			   const char **missing)
{
	for (struct tok_span t = next_tok(expr); t.type != TK_END; t = next_tok(t.p + t.n)) {
		const struct schema_column *c = NULL;
		char *name;

		if (t.type != TK_QIDENT) {
			buf_append(out, t.p, t.n);
			continue;
		}
		name = tok_name(t);
		c = schema_find_column(r->table, name);
		free(name);
		if (!c) {
			buf_append(out, t.p, t.n);
			continue;
		}
		if (!schema_resolved_column_selected(r, c->name)) {
			*missing = c->name;
			return -1;
		}
		ident(out, schema_resolved_column_name(r, c->name));
	}
	return 0;
}

static bool contains(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);

	for (size_t i = 0; m && i + m <= n; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Copies SQL text with every name qualified by database `from` (`from`.x
 * or from.x, not itself after a dot) qualified by `to` instead. Strings
 * and comments are copied unchanged; *mentioned tells whether one of them
 * holds `from` (dynamic SQL, a comment) so the caller can say so when the
 * name changes. A table
 * alias spelled like the database and used as alias.column would be
 * rewritten too: views print columns as `db`.`table`.`column`, so this
 * only bites hand-written aliases in routine and trigger bodies. */
static void rewrite_db(const char *sql, unsigned mode, const char *from, const char *to,
		       struct buf *out, bool *mentioned)
{
	bool after_dot = false, bare_ok = !all_digits(from), renamed = strcmp(from, to) != 0;

	for (struct tok_span t = next_tok_m(sql, mode); t.type != TK_END;
	     t = next_tok_m(t.p + t.n, mode)) {
		bool hit = false;

		if ((t.type == TK_QIDENT || (t.type == TK_WORD && bare_ok)) && !after_dot &&
		    renamed) {
			char *name = tok_name(t);
			struct tok_span nx = next_significant(t.p + t.n, mode);
			hit = strcmp(name, from) == 0 && nx.type == TK_OTHER && *nx.p == '.';
			free(name);
		}
		if ((t.type == TK_STRING || t.type == TK_COMMENT) && renamed &&
		    contains(t.p, t.n, from))
			*mentioned = true;
		if (hit)
			ident(out, to);
		else
			buf_append(out, t.p, t.n);
		if (t.type != TK_SPACE && t.type != TK_COMMENT)
			after_dot = t.type == TK_OTHER && *t.p == '.';
	}
}

/* ---- CREATE DATABASE ----------------------------------------------------- */

int schema__my_database(const struct schema_render_opts *o, const char *dst_schema,
			const char *charset, const char *collation,
			struct schema_ddl *out, struct err *err)
{
	struct buf b;

	(void)o;
	(void)err;
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "CREATE DATABASE IF NOT EXISTS ");
	ident(&b, dst_schema);
	if (charset && *charset) {
		buf_puts(&b, " CHARACTER SET ");
		word(&b, charset);
	}
	if (collation && *collation) {
		buf_puts(&b, " COLLATE ");
		word(&b, collation);
	}
	schema__ddl_add(out, &b);
	buf_release(&b);
	return 0;
}

/* ---- tables: keys -------------------------------------------------------- */

static bool is_memory(const struct schema_table *t)
{
	return str_ieq(s0(t->engine), "MEMORY") || str_ieq(s0(t->engine), "HEAP");
}

/* " USING ..." when the algorithm is not the engine's default. */
static const char *index_using(const struct schema_table *t, const struct schema_index *ix)
{
	if (ix->kind == SCHEMA_IDX_HASH)
		return is_memory(t) ? "" : " USING HASH";
	if (ix->kind == SCHEMA_IDX_BTREE)
		return is_memory(t) ? " USING BTREE" : "";
	return "";
}

/* "(`a`(10),`b` DESC)"; -1 (out marked unsupported) when a part is not a
 * moved column or not a column at all (MySQL functional key parts). */
static int key_parts(const struct schema_resolved *r, const struct schema_index *ix,
		     struct buf *b, struct schema_ddl *out)
{
	const struct schema_table *t = r->table;
	char label[300];

	if (ix->primary)
		snprintf(label, sizeof(label), "the primary key");
	else
		snprintf(label, sizeof(label), "index %s", ix->name);
	buf_putc(b, '(');
	for (size_t i = 0; i < ix->n_parts; i++) {
		const struct schema_index_part *p = &ix->parts[i];
		if (!p->column || !*p->column) {
			schema__ddl_unsupported(out, "%s of %s.%s has a functional key part, which "
						"the catalog does not describe", label, t->schema,
						t->name);
			return -1;
		}
		if (!schema_resolved_column_selected(r, p->column)) {
			schema__ddl_unsupported(out, "%s of %s.%s uses column %s, which the job "
						"does not migrate", label, t->schema, t->name,
						p->column);
			return -1;
		}
		if (i)
			buf_putc(b, ',');
		ident(b, schema_resolved_column_name(r, p->column));
		if (p->prefix_len > 0)
			buf_printf(b, "(%d)", p->prefix_len);
		if (p->descending)
			buf_puts(b, " DESC");
	}
	buf_putc(b, ')');
	return 0;
}

static const char *key_word(const struct schema_index *ix)
{
	if (ix->kind == SCHEMA_IDX_FULLTEXT)
		return "FULLTEXT KEY ";
	if (ix->kind == SCHEMA_IDX_SPATIAL)
		return "SPATIAL KEY ";
	return ix->unique ? "UNIQUE KEY " : "KEY ";
}

/* A key as CREATE TABLE and ALTER TABLE ... ADD take it; if_not_exists
 * goes between the kind and the name (MariaDB). */
static int key_def(const struct schema_resolved *r, const struct schema_index *ix,
		   bool if_not_exists, struct buf *b, struct schema_ddl *out)
{
	if (ix->primary) {
		buf_puts(b, "PRIMARY KEY ");
	} else {
		buf_puts(b, key_word(ix));
		if (if_not_exists)
			buf_puts(b, "IF NOT EXISTS ");
		ident(b, ix->name);
		buf_putc(b, ' ');
	}
	if (key_parts(r, ix, b, out) < 0)
		return -1;
	buf_puts(b, index_using(r->table, ix));
	if (ix->comment && *ix->comment) {
		buf_puts(b, " COMMENT ");
		literal(b, ix->comment);
	}
	return 0;
}

static bool index_has(const struct schema_index *ix, const char *column, bool first_only)
{
	for (size_t i = 0; i < ix->n_parts && (i == 0 || !first_only); i++)
		if (ix->parts[i].column && strcmp(ix->parts[i].column, column) == 0)
			return true;
	return false;
}

static const struct schema_column *auto_column(const struct schema_resolved *r)
{
	for (size_t i = 0; i < r->table->n_columns; i++) {
		const struct schema_column *c = &r->table->columns[i];
		if (c->auto_increment && schema_resolved_column_selected(r, c->name))
			return c;
	}
	return NULL;
}

/* How many of the table's indexes (in catalog order, the primary key
 * included) the CREATE TABLE carries: the primary key, plus, when an
 * AUTO_INCREMENT column needs a key the primary key is not, every index up
 * to the first one that starts with that column (or else holds it). */
static size_t keys_in_create(const struct schema_resolved *r)
{
	const struct schema_table *t = r->table;
	const struct schema_column *ai = auto_column(r);
	size_t n_pk = t->n_indexes && t->indexes[0].primary ? 1 : 0;

	if (!ai)
		return n_pk;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < t->n_indexes; i++)
			if (index_has(&t->indexes[i], ai->name, pass == 0))
				return i + 1 > n_pk ? i + 1 : n_pk;
	return n_pk;
}

/* ---- tables: columns ----------------------------------------------------- */

static bool looks_number(const char *v)
{
	const char *p = v;

	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == 'e' || *p == 'E') {
		p += (p[1] == '-' || p[1] == '+') ? 2 : 1;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == 0;
}

static bool numeric_type(enum schema_type t)
{
	return (t >= SCHEMA_T_TINYINT && t <= SCHEMA_T_DOUBLE) || t == SCHEMA_T_YEAR;
}

/* MariaDB 10.3+ prints a COMPRESSED column's type with this suffix. */
#define MY_COMPRESSED " /*M!100301 COMPRESSED*/"

/* COLUMN_TYPE is server text: lower-case words, digits, parentheses,
 * commas and spaces ("decimal(10,2) unsigned zerofill"), perhaps ending in
 * MY_COMPRESSED; anything else is refused rather than pasted. */
static bool type_text_ok(const char *ct)
{
	const char *suffix = strstr(ct, MY_COMPRESSED);
	const char *end = suffix && strcmp(suffix, MY_COMPRESSED) == 0 ? suffix : ct + strlen(ct);

	for (const char *p = ct; p < end; p++)
		if (!isalnum((unsigned char)*p) && !strchr("(), _", *p))
			return false;
	return true;
}

/* The type as the source spells it; ENUM and SET rebuilt from their
 * members, each quoted again. */
static int column_type(const struct schema_column *c, struct buf *b, struct schema_ddl *out,
		       const struct schema_table *t)
{
	struct schema_mapping m;

	schema_map_column(c, SCHEMA_DIALECT_MYSQL, &m);
	if (m.risk == SCHEMA_RISK_UNSUPPORTED) {
		schema__ddl_unsupported(out, "column %s of %s.%s: %s", c->name, t->schema, t->name,
					m.note);
		return -1;
	}
	if (c->type == SCHEMA_T_ENUM || c->type == SCHEMA_T_SET) {
		buf_puts(b, c->type == SCHEMA_T_ENUM ? "enum(" : "set(");
		for (size_t i = 0; i < c->n_enum_values; i++) {
			if (i)
				buf_putc(b, ',');
			literal(b, c->enum_values[i]);
		}
		buf_putc(b, ')');
		return 0;
	}
	if (!type_text_ok(c->column_type)) {
		schema__ddl_unsupported(out, "column %s of %s.%s has an unexpected type text %.80s",
					c->name, t->schema, t->name, c->column_type);
		return -1;
	}
	buf_puts(b, c->column_type);
	return 0;
}

static bool clock_expr(const char *v)
{
	const char *p = v + strlen("current_timestamp(");

	if (strncmp(v, "current_timestamp(", strlen("current_timestamp(")) != 0)
		return false;
	if (isdigit((unsigned char)*p))
		p++;
	return strcmp(p, ")") == 0;
}

/* An expression of the table (generation, CHECK, DEFAULT) with renamed
 * columns; -1 with out marked unsupported when it needs a column the job
 * leaves out. */
static int table_expr(const struct schema_resolved *r, const char *what, const char *expr,
		      struct buf *b, struct schema_ddl *out)
{
	const char *missing = NULL;

	if (rewrite_columns(r, expr, b, &missing) == 0)
		return 0;
	schema__ddl_unsupported(out, "%s of %s.%s uses column %s, which the job does not "
				"migrate", what, r->table->schema, r->table->name, missing);
	return -1;
}

/* NOT NULL / NULL, INVISIBLE, DEFAULT, ON UPDATE, AUTO_INCREMENT, in the
 * order SHOW CREATE TABLE prints them. */
static int column_plain(const struct schema_resolved *r, const struct schema_column *c,
			struct buf *b, struct schema_ddl *out)
{
	char what[300];

	if (!c->nullable)
		buf_puts(b, " NOT NULL");
	else if (c->type == SCHEMA_T_TIMESTAMP)
		buf_puts(b, " NULL");
	if (c->invisible)
		buf_puts(b, " INVISIBLE");
	if (c->has_default && !c->auto_increment) {
		buf_puts(b, " DEFAULT ");
		snprintf(what, sizeof(what), "the default of column %s", c->name);
		if (c->default_is_expr && table_expr(r, what, c->default_value, b, out) < 0)
			return -1;
		else if (!c->default_is_expr && numeric_type(c->type) &&
			 looks_number(c->default_value))
			buf_puts(b, c->default_value);
		else if (!c->default_is_expr)
			literal(b, c->default_value);
	}
	if (c->on_update && *c->on_update) {
		if (!clock_expr(c->on_update)) {
			schema__ddl_unsupported(out, "column %s of %s.%s has ON UPDATE %.80s, which "
						"is not a CURRENT_TIMESTAMP", c->name,
						r->table->schema, r->table->name, c->on_update);
			return -1;
		}
		buf_printf(b, " ON UPDATE %s", c->on_update);
	}
	if (c->auto_increment)
		buf_puts(b, " AUTO_INCREMENT");
	return 0;
}

static int column_generated(const struct schema_resolved *r, const struct schema_column *c,
			    struct buf *b, struct schema_ddl *out)
{
	char what[300];

	snprintf(what, sizeof(what), "generated column %s", c->name);
	buf_puts(b, " GENERATED ALWAYS AS (");
	if (table_expr(r, what, c->generation_expr, b, out) < 0)
		return -1;
	buf_puts(b, c->generated_stored ? ") STORED" : ") VIRTUAL");
	if (!c->nullable)
		buf_puts(b, " NOT NULL");          /* MySQL only; MariaDB refuses it */
	if (c->invisible)
		buf_puts(b, " INVISIBLE");
	return 0;
}

/* A CHECK that uses a column the job leaves out cannot be created; the
 * rows that arrive satisfied it at the source, so it is left out with a
 * note rather than failing the table. */
static void put_check(const struct schema_resolved *r, const struct schema_check *k,
		      bool table_level, struct buf *b, struct schema_ddl *out)
{
	const char *missing = NULL;
	struct buf e;

	buf_init(&e, BUF_UNLIMITED);
	if (rewrite_columns(r, k->expr, &e, &missing) < 0) {
		schema__ddl_note(out, "CHECK constraint %s of %s.%s is not created: it uses column "
				 "%s, which the job does not migrate", k->name, r->table->schema,
				 r->table->name, missing);
	} else if (table_level) {
		buf_puts(b, ",\n  CONSTRAINT ");
		ident(b, k->name);
		buf_puts(b, " CHECK (");
		buf_append(b, e.data ? e.data : "", e.len);
		buf_putc(b, ')');
	} else {
		buf_puts(b, " CHECK (");
		buf_append(b, e.data ? e.data : "", e.len);
		buf_putc(b, ')');
	}
	buf_release(&e);
}

static int column_def(const struct schema_resolved *r, const struct schema_column *c,
		      struct buf *b, struct schema_ddl *out)
{
	const struct schema_table *t = r->table;

	ident(b, schema_resolved_column_name(r, c->name));
	buf_putc(b, ' ');
	if (column_type(c, b, out, t) < 0)
		return -1;
	if (c->charset && *c->charset && c->collation && *c->collation &&
	    strcmp(c->collation, s0(t->collation)) != 0) {
		buf_puts(b, " CHARACTER SET ");
		word(b, c->charset);
		buf_puts(b, " COLLATE ");
		word(b, c->collation);
	}
	if (c->generation_expr && *c->generation_expr ? column_generated(r, c, b, out) < 0
						       : column_plain(r, c, b, out) < 0)
		return -1;
	if (c->comment && *c->comment) {
		buf_puts(b, " COMMENT ");
		literal(b, c->comment);
	}
	for (size_t i = 0; i < t->n_checks; i++)
		if (t->checks[i].column && strcmp(t->checks[i].column, c->name) == 0)
			put_check(r, &t->checks[i], false, b, out);
	return 0;
}

/* ---- tables: options ----------------------------------------------------- */

static bool option_word(const char *s, size_t n, bool upper_ok)
{
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || s[i] == '_' ||
		      (upper_ok && (isupper((unsigned char)s[i]) || isdigit((unsigned char)s[i])))))
			return false;
	return n > 0;
}

/* One CREATE_OPTIONS entry: key=VALUE (server options, written upper
 * case as SHOW CREATE does) or `name`='value' (engine-defined options).
 * Returns the length consumed; 0 when the entry is something else. */
static size_t create_option(const char *p, struct buf *b)
{
	struct tok_span k = next_tok(p), eq, v;
	char *name, *value;

	eq = next_tok(k.p + k.n);
	v = next_tok(eq.p + eq.n);
	if (eq.type != TK_OTHER || *eq.p != '=')
		return 0;
	if (k.type == TK_WORD && option_word(k.p, k.n, false) && v.type == TK_WORD &&
	    option_word(v.p, v.n, true)) {
		buf_putc(b, ' ');
		for (size_t i = 0; i < k.n; i++)
			buf_putc(b, (char)toupper((unsigned char)k.p[i]));
		buf_putc(b, '=');
		buf_append(b, v.p, v.n);
		return (size_t)(v.p + v.n - p);
	}
	if (k.type != TK_QIDENT || (v.type != TK_STRING && v.type != TK_WORD) || *v.p == '"')
		return 0;
	name = tok_name(k);
	value = v.type == TK_WORD ? xstrndup(v.p, v.n) : NULL;
	buf_putc(b, ' ');
	ident(b, name);
	buf_putc(b, '=');
	if (value)
		word(b, value);
	else
		buf_append(b, v.p, v.n);   /* a server-quoted string: '' and \ escapes */
	free(name);
	free(value);
	return (size_t)(v.p + v.n - p);
}

static void create_options(const struct schema_table *t, struct buf *b, struct schema_ddl *out)
{
	const char *p = s0(t->create_options);

	while (*p) {
		struct tok_span tk = next_tok(p);
		size_t n;
		if (tk.type == TK_SPACE) {
			p += tk.n;
			continue;
		}
		if (tok_is(tk, "partitioned")) {
			schema__ddl_note(out, "the partitioning of %s.%s is not carried over: the "
					 "table is created without partitions", t->schema, t->name);
			p += tk.n;
			continue;
		}
		n = create_option(p, b);
		if (n == 0) {
			n = strcspn(p, " ");
			schema__ddl_note(out, "table option %.*s of %s.%s is not carried over",
					 (int)(n > 100 ? 100 : n), p, t->schema, t->name);
		}
		p += n;
	}
}

static void table_options(const struct schema_resolved *r, struct buf *b, struct schema_ddl *out)
{
	const struct schema_table *t = r->table;

	buf_puts(b, ") ENGINE=");
	word(b, *s0(t->engine) ? t->engine : "InnoDB");
	if (t->auto_increment > 1 && auto_column(r))
		buf_printf(b, " AUTO_INCREMENT=%lld", (long long)t->auto_increment);
	if (*s0(t->charset)) {
		buf_puts(b, " DEFAULT CHARSET=");
		word(b, t->charset);
	}
	if (*s0(t->collation)) {
		buf_puts(b, " COLLATE=");
		word(b, t->collation);
	}
	create_options(t, b, out);
	if (*s0(t->comment)) {
		buf_puts(b, " COMMENT=");
		literal(b, t->comment);
	}
	if (t->partitioned)
		schema__ddl_note(out, "the partitioning of %s.%s is not carried over: the table is "
				 "created without partitions", t->schema, t->name);
}

/* ---- CREATE TABLE -------------------------------------------------------- */

static int table_columns(const struct schema_resolved *r, struct buf *b, struct schema_ddl *out)
{
	size_t n = 0;

	for (size_t i = 0; i < r->table->n_columns; i++) {
		const struct schema_column *c = &r->table->columns[i];
		if (!schema_resolved_column_selected(r, c->name))
			continue;
		buf_puts(b, n++ ? ",\n  " : "\n  ");
		if (column_def(r, c, b, out) < 0)
			return -1;
	}
	if (n == 0) {
		schema__ddl_unsupported(out, "no column of %s.%s is selected", r->table->schema,
					r->table->name);
		return -1;
	}
	return 0;
}

int schema__my_table(const struct schema_render_opts *o, const struct schema_resolved *t,
		     struct schema_ddl *out, struct err *err)
{
	const struct schema_table *tb = t->table;
	size_t n_keys = keys_in_create(t);
	struct buf b;

	(void)err;
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, o->if_not_exists ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ");
	qualified(&b, t->dst_schema, t->dst_name);
	buf_puts(&b, " (");
	table_columns(t, &b, out);
	for (size_t i = 0; i < n_keys && i < tb->n_indexes; i++) {
		buf_puts(&b, ",\n  ");
		key_def(t, &tb->indexes[i], false, &b, out);
	}
	for (size_t i = 0; i < tb->n_checks; i++)
		if (!tb->checks[i].column || !*tb->checks[i].column)
			put_check(t, &tb->checks[i], true, &b, out);
	buf_puts(&b, "\n");
	table_options(t, &b, out);
	schema__ddl_add(out, &b);
	buf_release(&b);
	return 0;
}

/* ---- ALTER TABLE ... ADD KEY / FOREIGN KEY ------------------------------- */

int schema__my_index(const struct schema_render_opts *o, const struct schema_resolved *t,
		     const struct schema_index *ix, struct schema_ddl *out, struct err *err)
{
	size_t n_keys = keys_in_create(t), pos = t->table->n_indexes;
	struct buf b;

	(void)err;
	for (size_t i = 0; i < t->table->n_indexes; i++)
		if (&t->table->indexes[i] == ix || strcmp(t->table->indexes[i].name, ix->name) == 0)
			pos = i;
	if (ix->primary || pos < n_keys) {
		schema__ddl_note(out, "%s of %s.%s is created with the table%s",
				 ix->primary ? "the primary key" : "the index",
				 t->table->schema, t->table->name,
				 ix->primary ? "" : " (the AUTO_INCREMENT column needs a key)");
		return 0;
	}
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "ALTER TABLE ");
	qualified(&b, t->dst_schema, t->dst_name);
	buf_puts(&b, " ADD ");
	key_def(t, ix, o->if_not_exists, &b, out);
	schema__ddl_add(out, &b);
	buf_release(&b);
	return 0;
}

static bool fk_rule(const char *r)
{
	static const char *const ok[] = { "RESTRICT", "CASCADE", "SET NULL", "NO ACTION",
					  "SET DEFAULT" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(r, ok[i]) == 0)
			return true;
	return false;
}

/* "(`a`, `b`)" with the destination names of table r; false when a column
 * is left out by the job. */
static bool fk_columns(const struct schema_resolved *r, char *const *cols, size_t n,
		       struct buf *b, const char **missing)
{
	buf_puts(b, "(");
	for (size_t i = 0; i < n; i++) {
		if (r && !schema_resolved_column_selected(r, cols[i])) {
			*missing = cols[i];
			return false;
		}
		if (i)
			buf_puts(b, ", ");
		ident(b, r ? schema_resolved_column_name(r, cols[i]) : cols[i]);
	}
	buf_puts(b, ")");
	return true;
}

static void fk_rules(const struct schema_resolved *t, const struct schema_fk *fk,
		     struct buf *b, struct schema_ddl *out)
{
	const char *del = s0(fk->on_delete), *upd = s0(fk->on_update);

	if (!*del && !*upd) {
		schema__ddl_unsupported(out, "the ON DELETE/ON UPDATE rules of foreign key %s of "
					"%s.%s are unknown (the source account could not read "
					"them)", fk->name, t->table->schema, t->table->name);
		return;
	}
	if (!fk_rule(del) || !fk_rule(upd)) {
		schema__ddl_unsupported(out, "foreign key %s of %s.%s has unknown rules %.40s/%.40s",
					fk->name, t->table->schema, t->table->name, del, upd);
		return;
	}
	/* RESTRICT is the default: written out, MariaDB stores it as NO ACTION
	 * when foreign_key_checks=0, and SHOW CREATE would differ. */
	if (strcmp(del, "RESTRICT") != 0)
		buf_printf(b, " ON DELETE %s", del);
	if (strcmp(upd, "RESTRICT") != 0)
		buf_printf(b, " ON UPDATE %s", upd);
}

int schema__my_fk(const struct schema_render_opts *o, const struct schema_resolved *t,
		  const struct schema_fk *fk, const char *ref_schema, const char *ref_table,
		  const struct schema_resolved *ref, struct schema_ddl *out, struct err *err)
{
	const char *missing = NULL;
	struct buf b;

	(void)err;
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "ALTER TABLE ");
	qualified(&b, t->dst_schema, t->dst_name);
	buf_puts(&b, " ADD CONSTRAINT ");
	ident(&b, fk->name);
	buf_puts(&b, o->if_not_exists ? " FOREIGN KEY IF NOT EXISTS " : " FOREIGN KEY ");
	if (!fk_columns(t, fk->columns, fk->n_columns, &b, &missing))
		schema__ddl_unsupported(out, "foreign key %s of %s.%s uses column %s, which the "
					"job does not migrate", fk->name, t->table->schema,
					t->table->name, missing);
	buf_puts(&b, " REFERENCES ");
	qualified(&b, ref_schema, ref_table);
	buf_putc(&b, ' ');
	if (!fk_columns(ref, fk->ref_columns, fk->n_columns, &b, &missing))
		schema__ddl_unsupported(out, "foreign key %s of %s.%s references column %s.%s.%s, "
					"which the job does not migrate", fk->name,
					t->table->schema, t->table->name, fk->ref_schema,
					fk->ref_table, missing);
	if (!out->unsupported)
		fk_rules(t, fk, &b, out);
	schema__ddl_add(out, &b);
	buf_release(&b);
	return 0;
}

/* ---- views, routines, triggers ------------------------------------------- */

static bool one_of(const char *v, const char *const *words)
{
	for (; *words; words++)
		if (str_ieq(v, *words))
			return true;
	return false;
}

static void note_definer(struct schema_ddl *out, const char *what, const char *schema,
			 const char *name, const char *definer)
{
	if (definer && *definer)
		schema__ddl_note(out, "the DEFINER %s of %s %s.%s is not carried over: the "
				 "destination account that creates it becomes its definer",
				 definer, what, schema, name);
}

static void note_mentions(struct schema_ddl *out, bool mentioned, const char *what,
			  const char *schema, const char *name)
{
	if (mentioned)
		schema__ddl_note(out, "%s %s.%s names its database inside a string or comment; "
				 "that text is not rewritten", what, schema, name);
}

int schema__my_view(const struct schema_render_opts *o, const struct schema_view *v,
		    const char *dst_schema, struct schema_ddl *out, struct err *err)
{
	static const char *const algos[] = { "UNDEFINED", "MERGE", "TEMPTABLE", NULL };
	static const char *const secs[] = { "DEFINER", "INVOKER", NULL };
	bool mentioned = false;
	struct buf b;

	(void)o;
	(void)err;
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "CREATE ");
	if (one_of(s0(v->algorithm), algos))
		buf_printf(&b, "ALGORITHM=%s ", v->algorithm);
	if (one_of(s0(v->security), secs))
		buf_printf(&b, "SQL SECURITY %s ", v->security);
	buf_puts(&b, "VIEW ");
	qualified(&b, dst_schema, v->name);
	buf_puts(&b, " AS ");
	rewrite_db(s0(v->definition), 0, v->schema, dst_schema, &b, &mentioned);
	if (str_ieq(s0(v->check_option), "CASCADED") || str_ieq(s0(v->check_option), "LOCAL"))
		buf_printf(&b, " WITH %s CHECK OPTION", v->check_option);
	schema__ddl_add(out, &b);
	buf_release(&b);
	if (!*s0(v->definition))
		schema__ddl_unsupported(out, "the definition of view %s.%s is not readable by the "
					"source account (it needs SHOW VIEW)", v->schema, v->name);
	note_definer(out, "view", v->schema, v->name, v->definer);
	note_mentions(out, mentioned, "view", v->schema, v->name);
	return 0;
}

/* Statement i of three: the object's sql_mode, the CREATE, then the
 * step's mode back. */
static void with_sql_mode(struct schema_ddl *out, const char *mode, struct buf *create)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "SET SESSION sql_mode = ");
	literal(&b, mode);
	schema__ddl_add(out, &b);
	schema__ddl_add(out, create);
	buf_puts(&b, "SET SESSION sql_mode = ");
	literal(&b, SCHEMA_MY_SQL_MODE);
	schema__ddl_add(out, &b);
	buf_release(&b);
}

/* In SHOW CREATE PROCEDURE/FUNCTION text, "CREATE [DEFINER=...]
 * [AGGREGATE] PROCEDURE|FUNCTION name": the spans of the DEFINER clause
 * (with the space after it) and of the (possibly qualified) name. */
struct routine_head {
	size_t definer_at, definer_end, name_at, name_end;
};

static bool skip_definer(struct tok_span *t)
{
	if (!tok_is(*t, "DEFINER"))
		return true;
	*t = next_tok(t->p + t->n);
	if (t->type != TK_OTHER || *t->p != '=')
		return false;
	*t = next_tok(t->p + t->n);
	while (t->type == TK_QIDENT || t->type == TK_WORD || t->type == TK_STRING ||
	       (t->type == TK_OTHER && (*t->p == '@' || *t->p == '%' || *t->p == '.')))
		*t = next_tok(t->p + t->n);
	return t->type == TK_SPACE;
}

static int parse_head(const char *sql, struct routine_head *h)
{
	struct tok_span t = next_tok(sql);

	if (!tok_is(t, "CREATE") || (t = next_tok(t.p + t.n)).type != TK_SPACE)
		return -1;
	t = next_tok(t.p + t.n);
	h->definer_at = h->definer_end = (size_t)(t.p - sql);
	if (tok_is(t, "DEFINER")) {
		if (!skip_definer(&t))
			return -1;
		t = next_tok(t.p + t.n);
		h->definer_end = (size_t)(t.p - sql);
	}
	if (tok_is(t, "AGGREGATE"))
		t = next_significant(t.p + t.n, 0);
	if (!tok_is(t, "PROCEDURE") && !tok_is(t, "FUNCTION"))
		return -1;
	t = next_significant(t.p + t.n, 0);
	if (t.type != TK_QIDENT && t.type != TK_WORD)
		return -1;
	h->name_at = (size_t)(t.p - sql);
	{
		struct tok_span dot = next_tok(t.p + t.n), second;
		if (dot.type == TK_OTHER && *dot.p == '.') {
			second = next_tok(dot.p + dot.n);
			if (second.type != TK_QIDENT && second.type != TK_WORD)
				return -1;
			t = second;
		}
	}
	h->name_end = (size_t)(t.p + t.n - sql);
	return 0;
}

int schema__my_routine(const struct schema_render_opts *o, const struct schema_routine *r,
		       const char *dst_schema, struct schema_ddl *out, struct err *err)
{
	const char *what = r->kind == SCHEMA_FUNCTION ? "function" : "procedure";
	const char *sql = s0(r->create_sql);
	struct routine_head h;
	bool mentioned = false;
	struct buf b;

	(void)o;
	(void)err;
	buf_init(&b, BUF_UNLIMITED);
	if (!*sql) {
		schema__ddl_unsupported(out, "the body of %s %s.%s is not readable by the source "
					"account (SHOW CREATE %s needs more privileges)", what,
					r->schema, r->name, r->kind == SCHEMA_FUNCTION ?
					"FUNCTION" : "PROCEDURE");
	} else if (parse_head(sql, &h) < 0) {
		buf_puts(&b, sql);
		schema__ddl_add(out, &b);
		schema__ddl_unsupported(out, "the SHOW CREATE text of %s %s.%s does not start as "
					"expected", what, r->schema, r->name);
	} else {
		buf_append(&b, sql, h.definer_at);
		buf_append(&b, sql + h.definer_end, h.name_at - h.definer_end);
		qualified(&b, dst_schema, r->name);
		rewrite_db(sql + h.name_end, lex_mode(r->sql_mode), r->schema, dst_schema, &b,
			   &mentioned);
		with_sql_mode(out, s0(r->sql_mode), &b);
		note_definer(out, what, r->schema, r->name, r->definer);
		note_mentions(out, mentioned, what, r->schema, r->name);
	}
	buf_release(&b);
	return 0;
}

int schema__my_trigger(const struct schema_render_opts *o, const struct schema_trigger *tr,
		       const char *dst_schema, const char *dst_table, struct schema_ddl *out,
		       struct err *err)
{
	static const char *const timings[] = { "BEFORE", "AFTER", NULL };
	static const char *const events[] = { "INSERT", "UPDATE", "DELETE", NULL };
	bool mentioned = false;
	struct buf b;

	(void)o;
	(void)err;
	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "CREATE TRIGGER ");
	qualified(&b, dst_schema, tr->name);
	if (!one_of(s0(tr->timing), timings) || !one_of(s0(tr->event), events)) {
		schema__ddl_unsupported(out, "trigger %s.%s has an unexpected timing or event "
					"(%.20s %.40s)", tr->schema, tr->name, s0(tr->timing),
					s0(tr->event));
		buf_puts(&b, " ? ? ");
	} else {
		buf_printf(&b, " %s %s ", tr->timing, tr->event);
	}
	buf_puts(&b, "ON ");
	qualified(&b, dst_schema, dst_table);
	buf_puts(&b, " FOR EACH ROW ");
	rewrite_db(s0(tr->statement), lex_mode(tr->sql_mode), tr->schema, dst_schema, &b,
		   &mentioned);
	if (out->unsupported)
		schema__ddl_add(out, &b);
	else
		with_sql_mode(out, s0(tr->sql_mode), &b);
	note_definer(out, "trigger", tr->schema, tr->name, tr->definer);
	note_mentions(out, mentioned, "trigger", tr->schema, tr->name);
	buf_release(&b);
	return 0;
}
