/*
 * my_schema.c - reads the catalog of MySQL/MariaDB databases into the
 * neutral schema model (my_schema.h, schema/schema.h).
 *
 * One bulk query per information_schema table, filtered by the database
 * list, whatever the number of tables: SCHEMATA, TABLES,
 * COLLATION_CHARACTER_SET_APPLICABILITY (for the collations those tables
 * use), COLUMNS, STATISTICS, KEY_COLUMN_USAGE, REFERENTIAL_CONSTRAINTS (when
 * there are foreign keys), CHECK_CONSTRAINTS, VIEWS, ROUTINES, TRIGGERS;
 * then one SHOW CREATE per routine (the body with its characteristics
 * exists nowhere else), and one SHOW CREATE TABLE per table with foreign
 * keys whose rules REFERENTIAL_CONSTRAINTS hid (MariaDB hides them from
 * accounts without a database-level privilege; see read_fks()). Rows are
 * attached to their table by binary search over the tables,
 * sorted first; a row of an object that is not a base table (a view's
 * column) finds no table and is skipped.
 *
 * Spellings differ between servers: MariaDB 10.2.7+ prints COLUMN_DEFAULT as
 * an SQL expression ('abc' quoted, NULL for DEFAULT NULL, SQL NULL for no
 * default), MySQL prints the bare literal and marks expressions with
 * DEFAULT_GENERATED in EXTRA. Both are normalised here (schema.h says how).
 *
 * Threads: runs on the caller's thread with the caller's connection; the
 * catalog it fills belongs to the caller.
 */
#include "engines/mysql/my_schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/str.h"
#include "util/xalloc.h"

struct rd {
	struct my_conn *c;
	bool mariadb;
	unsigned long version;    /* major * 10000 + minor * 100 + patch */
	struct buf in;            /* "('db1','db2')", quoted by the client library */
	struct schema_catalog *cat;
	struct err *err;
	char **cs_coll, **cs_name;   /* collation -> charset, read_charsets() */
	size_t n_cs;
};

typedef int (*row_fn)(struct rd *r, struct my_rows *rows);

/* ---- small helpers ------------------------------------------------------- */

static const char *col(struct my_rows *rows, unsigned i)
{
	return my_rows_get(rows, i);
}

static char *dup_col(struct my_rows *rows, unsigned i)
{
	const char *v = my_rows_get(rows, i);

	return xstrdup(v ? v : "");
}

static int64_t num_col(struct my_rows *rows, unsigned i, int64_t def)
{
	const char *v = my_rows_get(rows, i);
	unsigned long long u;

	if (!v || !*v)
		return def;
	if (*v == '-')
		return strtoll(v, NULL, 10);
	u = strtoull(v, NULL, 10);
	return u > (unsigned long long)INT64_MAX ? INT64_MAX : (int64_t)u;
}

/* Makes room for element n of an array that grows by doubling (capacity is
 * implied by n: 4, 8, 16...). The new element is zeroed. */
static void *grow(void *p, size_t n, size_t size)
{
	if (n == 0)
		p = xrealloc(p, 4 * size);
	else if (n >= 4 && (n & (n - 1)) == 0)
		p = xrealloc(p, 2 * n * size);
	memset((char *)p + n * size, 0, size);
	return p;
}

#define APPEND(arr, n) ((arr) = grow((arr), (n), sizeof(*(arr))), &(arr)[(n)++])

/* Runs `head IN (...) mid IN (...) tail` (parts NULL-terminated, the list
 * `in` between each two) and calls fn for every row. */
static int each_row(struct rd *r, const char *what, const struct buf *in,
		    const char *const *parts, row_fn fn)
{
	struct buf sql;
	struct my_rows *rows = NULL;
	int rc = -1;

	buf_init(&sql, BUF_UNLIMITED);
	for (size_t i = 0; parts[i]; i++) {
		if (i)
			buf_append(&sql, in->data, in->len);
		buf_puts(&sql, parts[i]);
	}
	rows = my_query_rows(r->c, buf_cstr(&sql), r->err);
	if (!rows) {
		err_prefix(r->err, "reading the catalog (%s)", what);
		goto cleanup;
	}
	while (my_rows_next(rows))
		if (fn(r, rows) < 0)
			goto cleanup;
	rc = 0;
cleanup:
	my_rows_free(rows);
	buf_release(&sql);
	return rc;
}

/* qsort() that accepts an empty (NULL) array. */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_table(const void *a, const void *b)
{
	const struct schema_table *x = a, *y = b;
	int c = strcmp(x->schema, y->schema);

	return c ? c : strcmp(x->name, y->name);
}

static struct schema_table *find_table(struct rd *r, const char *schema, const char *name)
{
	struct schema_table key = { .schema = (char *)schema, .name = (char *)name };

	if (!schema || !name || r->cat->n_tables == 0)
		return NULL;
	return bsearch(&key, r->cat->tables, r->cat->n_tables, sizeof(key), cmp_table);
}

/* current_timestamp / now / localtimestamp / localtime with "(n)" or
 * "()" or nothing -> MariaDB's spelling "current_timestamp(n)" or
 * "current_timestamp()"; NULL when v is something else. */
static char *norm_clock(const char *v)
{
	static const char *const names[] = { "current_timestamp", "now", "localtimestamp",
					     "localtime" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i]);
		const char *p = v + n;
		int fsp = -1;
		if (strncasecmp(v, names[i], n) != 0)
			continue;
		if (*p == '(') {
			p++;
			if (isdigit((unsigned char)*p))
				fsp = *p++ - '0';
			if (*p++ != ')')
				return NULL;
		}
		if (*p)
			return NULL;
		return fsp >= 0 ? xasprintf("current_timestamp(%d)", fsp)
				: xstrdup("current_timestamp()");
	}
	return NULL;
}

/* ---- SCHEMATA and TABLES ------------------------------------------------- */

static int on_schema(struct rd *r, struct my_rows *rows)
{
	char **s = APPEND(r->cat->schemas, r->cat->n_schemas);

	*s = dup_col(rows, 0);
	return 0;
}

static int on_table(struct rd *r, struct my_rows *rows)
{
	struct schema_table *t = APPEND(r->cat->tables, r->cat->n_tables);

	t->schema = dup_col(rows, 0);
	t->name = dup_col(rows, 1);
	t->engine = dup_col(rows, 2);
	t->collation = dup_col(rows, 3);
	t->charset = NULL;                     /* set by read_charsets() */
	t->row_format = dup_col(rows, 4);
	t->comment = dup_col(rows, 5);
	t->create_options = dup_col(rows, 6);
	t->partitioned = str_icontains(t->create_options, "partitioned");
	t->auto_increment = num_col(rows, 7, 0);
	t->rows_estimate = num_col(rows, 8, 0);
	t->data_bytes = num_col(rows, 9, 0) + num_col(rows, 10, 0);
	return 0;
}

static int on_charset(struct rd *r, struct my_rows *rows)
{
	size_t n = r->n_cs;

	r->cs_name = grow(r->cs_name, n, sizeof(char *));
	r->cs_name[n] = dup_col(rows, 1);
	*APPEND(r->cs_coll, r->n_cs) = dup_col(rows, 0);
	return 0;
}

/* The table charsets, from COLLATION_CHARACTER_SET_APPLICABILITY for the
 * collations the tables use (MariaDB 10.10+ keys full names such as
 * utf8mb4_uca1400_ai_ci by FULL_COLLATION_NAME). A separate query: joined
 * to TABLES it makes MariaDB scan TABLES several times slower. */
static int read_charsets(struct rd *r)
{
	const char *const q[] = {
		r->mariadb && r->version >= 101000
		? "SELECT FULL_COLLATION_NAME, CHARACTER_SET_NAME FROM "
		  "information_schema.COLLATION_CHARACTER_SET_APPLICABILITY "
		  "WHERE FULL_COLLATION_NAME IN "
		: "SELECT COLLATION_NAME, CHARACTER_SET_NAME FROM "
		  "information_schema.COLLATION_CHARACTER_SET_APPLICABILITY "
		  "WHERE COLLATION_NAME IN ", "", NULL };
	struct buf in;
	int rc = 0;

	buf_init(&in, BUF_UNLIMITED);
	buf_putc(&in, '(');
	for (size_t i = 0; i < r->cat->n_tables; i++) {
		const char *coll = r->cat->tables[i].collation;
		char needle[140];
		snprintf(needle, sizeof(needle), "'%.128s'", coll);
		if (!*coll || strstr(buf_cstr(&in), needle))
			continue;            /* few distinct collations: a scan is fine */
		if (in.len > 1)
			buf_putc(&in, ',');
		my_quote_literal(r->c, &in, coll);
	}
	buf_putc(&in, ')');
	if (in.len > 2)
		rc = each_row(r, "COLLATION_CHARACTER_SET_APPLICABILITY", &in, q, on_charset);
	for (size_t i = 0; i < r->cat->n_tables && rc == 0; i++) {
		struct schema_table *t = &r->cat->tables[i];
		for (size_t k = 0; k < r->n_cs && !t->charset; k++)
			if (strcmp(r->cs_coll[k], t->collation) == 0)
				t->charset = xstrdup(r->cs_name[k]);
		if (!t->charset)      /* charset names hold no "_": the first word */
			t->charset = xstrndup(t->collation, strcspn(t->collation, "_"));
	}
	buf_release(&in);
	return rc;
}

static int read_tables(struct rd *r)
{
	static const char *const schemata[] = {
		"SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ", "",
		NULL };
	static const char *const tables[] = {
		"SELECT TABLE_SCHEMA, TABLE_NAME, ENGINE, TABLE_COLLATION, ROW_FORMAT, "
		"TABLE_COMMENT, CREATE_OPTIONS, AUTO_INCREMENT, TABLE_ROWS, DATA_LENGTH, "
		"INDEX_LENGTH FROM information_schema.TABLES "
		"WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA IN ", "", NULL };

	if (each_row(r, "SCHEMATA", &r->in, schemata, on_schema) < 0 ||
	    each_row(r, "TABLES", &r->in, tables, on_table) < 0)
		return -1;
	sort(r->cat->schemas, r->cat->n_schemas, sizeof(char *), cmp_str);
	sort(r->cat->tables, r->cat->n_tables, sizeof(struct schema_table), cmp_table);
	return read_charsets(r);
}

/* ---- COLUMNS ------------------------------------------------------------- */

enum {
	C_SCHEMA, C_TABLE, C_NAME, C_ORDINAL, C_DEFAULT, C_NULLABLE, C_DATA_TYPE,
	C_CHAR_LEN, C_OCTET_LEN, C_PRECISION, C_SCALE, C_FSP, C_CHARSET, C_COLLATION,
	C_COLUMN_TYPE, C_EXTRA, C_COMMENT, C_GENERATION,
};


static bool looks_numeric(const char *v)
{
	char *end;

	if (!*v || isspace((unsigned char)*v))
		return false;
	strtod(v, &end);
	return *end == 0;
}

static void set_default(struct schema_column *c, char *value, bool is_expr)
{
	c->has_default = true;
	c->default_value = value;
	c->default_is_expr = is_expr;
}

/* MariaDB 10.2.7+: COLUMN_DEFAULT is an SQL expression (schema.h). */
static void default_mariadb(struct schema_column *c, const char *v)
{
	struct buf b;
	char *clock;

	if (!v)
		return;                                   /* no DEFAULT at all */
	if (strcmp(v, "NULL") == 0) {
		set_default(c, xstrdup("NULL"), true);
		return;
	}
	if (v[0] == '\'') {
		buf_init(&b, BUF_UNLIMITED);
		if (schema_unquote_literal(v, &b) == 0 && strlen(buf_cstr(&b)) == b.len)
			set_default(c, xstrdup(buf_cstr(&b)), false);
		else                          /* a NUL inside, or not one literal */
			set_default(c, xstrdup(v), true);
		buf_release(&b);
		return;
	}
	if (looks_numeric(v) && c->type != SCHEMA_T_BIT) {
		set_default(c, xstrdup(v), false);
		return;
	}
	clock = norm_clock(v);
	set_default(c, clock ? clock : xstrdup(v), true);
}

static bool may_default_null(const struct schema_column *c)
{
	switch (c->type) {
	case SCHEMA_T_TINYTEXT: case SCHEMA_T_TEXT: case SCHEMA_T_MEDIUMTEXT:
	case SCHEMA_T_LONGTEXT: case SCHEMA_T_TINYBLOB: case SCHEMA_T_BLOB:
	case SCHEMA_T_MEDIUMBLOB: case SCHEMA_T_LONGBLOB: case SCHEMA_T_JSON:
		return false;
	default:
		return !(c->type >= SCHEMA_T_GEOMETRY && c->type <= SCHEMA_T_GEOMETRYCOLLECTION);
	}
}

/* MySQL: the bare literal; expressions flagged DEFAULT_GENERATED; NULL for
 * both "no default" and DEFAULT NULL (SHOW CREATE prints DEFAULT NULL for
 * nullable columns that can have one). */
static void default_mysql(struct schema_column *c, const char *v, const char *extra)
{
	char *clock;

	if (!v) {
		if (c->nullable && !c->auto_increment && !*c->generation_expr &&
		    may_default_null(c))
			set_default(c, xstrdup("NULL"), true);
		return;
	}
	clock = norm_clock(v);
	if (clock)
		set_default(c, clock, true);
	else if (str_icontains(extra, "DEFAULT_GENERATED") ||
		 (c->type == SCHEMA_T_BIT && (v[0] == 'b' || v[0] == 'B') && v[1] == '\''))
		set_default(c, xstrdup(v), true);
	else
		set_default(c, xstrdup(v), false);
}

/* Case-insensitive strstr (ASCII). */
static const char *find_ci(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (strncasecmp(s, needle, n) == 0)
			return s;
	return NULL;
}

/* EXTRA: auto_increment, on update ..., VIRTUAL/STORED/PERSISTENT
 * GENERATED, INVISIBLE, DEFAULT_GENERATED, in any combination. */
static void parse_extra(struct schema_column *c, const char *extra)
{
	const char *on = find_ci(extra, "on update ");

	c->auto_increment = str_icontains(extra, "auto_increment");
	c->generated_stored = str_icontains(extra, "STORED GENERATED") ||
			      str_icontains(extra, "PERSISTENT GENERATED");
	c->invisible = str_icontains(extra, "INVISIBLE");
	c->on_update = NULL;
	if (on) {
		char *word = xstrndup(on + 10, strcspn(on + 10, " "));
		c->on_update = norm_clock(word);
		if (!c->on_update)
			c->on_update = word;
		else
			free(word);
	}
	if (!c->on_update)
		c->on_update = xstrdup("");
}

static int on_column(struct rd *r, struct my_rows *rows)
{
	struct schema_table *t = find_table(r, col(rows, C_SCHEMA), col(rows, C_TABLE));
	const char *extra = col(rows, C_EXTRA) ? col(rows, C_EXTRA) : "";
	struct schema_column *c;
	enum schema_type dt;

	if (!t)
		return 0;                         /* a column of a view */
	c = APPEND(t->columns, t->n_columns);
	c->name = dup_col(rows, C_NAME);
	c->ordinal = (int)num_col(rows, C_ORDINAL, 0);
	c->column_type = dup_col(rows, C_COLUMN_TYPE);
	schema_column_type_parse(c->column_type, c);   /* unsigned, zerofill, members */
	dt = schema_type_parse(col(rows, C_DATA_TYPE));
	if (dt != SCHEMA_T_UNKNOWN)
		c->type = dt;
	c->nullable = str_ieq(col(rows, C_NULLABLE), "YES");
	c->char_length = num_col(rows, C_CHAR_LEN, -1);
	c->octet_length = num_col(rows, C_OCTET_LEN, -1);
	c->precision = (int)num_col(rows, C_PRECISION, -1);
	c->scale = (int)num_col(rows, C_SCALE, -1);
	c->fsp = (int)num_col(rows, C_FSP, -1);
	c->charset = dup_col(rows, C_CHARSET);
	c->collation = dup_col(rows, C_COLLATION);
	c->comment = dup_col(rows, C_COMMENT);
	c->generation_expr = dup_col(rows, C_GENERATION);
	parse_extra(c, extra);
	/* A generated column has no default (MariaDB prints "NULL" for it). */
	if (!*c->generation_expr && r->mariadb)
		default_mariadb(c, col(rows, C_DEFAULT));
	else if (!*c->generation_expr)
		default_mysql(c, col(rows, C_DEFAULT), extra);
	if (!c->has_default)
		c->default_value = xstrdup("");
	return 0;
}

static int cmp_column(const void *a, const void *b)
{
	const struct schema_column *x = a, *y = b;

	return (x->ordinal > y->ordinal) - (x->ordinal < y->ordinal);
}

static int read_columns(struct rd *r)
{
	static const char *const q[] = {
		"SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, "
		"IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH, "
		"NUMERIC_PRECISION, NUMERIC_SCALE, DATETIME_PRECISION, CHARACTER_SET_NAME, "
		"COLLATION_NAME, COLUMN_TYPE, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION "
		"FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ", "", NULL };

	if (each_row(r, "COLUMNS", &r->in, q, on_column) < 0)
		return -1;
	for (size_t i = 0; i < r->cat->n_tables; i++) {
		struct schema_table *t = &r->cat->tables[i];
		sort(t->columns, t->n_columns, sizeof(*t->columns), cmp_column);
	}
	return 0;
}

/* ---- STATISTICS ---------------------------------------------------------- */

enum { S_SCHEMA, S_TABLE, S_INDEX, S_NON_UNIQUE, S_SEQ, S_COLUMN, S_SUB_PART,
       S_COLLATION, S_TYPE, S_COMMENT };

static struct schema_index *find_index(struct schema_table *t, const char *name)
{
	for (size_t i = 0; i < t->n_indexes; i++)
		if (strcmp(t->indexes[i].name, name) == 0)
			return &t->indexes[i];
	return NULL;
}

static enum schema_index_kind index_kind(const char *type)
{
	if (str_ieq(type, "FULLTEXT"))
		return SCHEMA_IDX_FULLTEXT;
	if (str_ieq(type, "SPATIAL") || str_ieq(type, "RTREE"))
		return SCHEMA_IDX_SPATIAL;
	if (str_ieq(type, "HASH"))
		return SCHEMA_IDX_HASH;
	return SCHEMA_IDX_BTREE;
}

static int on_index_part(struct rd *r, struct my_rows *rows)
{
	struct schema_table *t = find_table(r, col(rows, S_SCHEMA), col(rows, S_TABLE));
	const char *name = col(rows, S_INDEX) ? col(rows, S_INDEX) : "";
	struct schema_index *x;
	struct schema_index_part *p;

	if (!t)
		return 0;
	x = find_index(t, name);
	if (!x) {
		x = APPEND(t->indexes, t->n_indexes);
		x->name = xstrdup(name);
		x->primary = strcmp(name, "PRIMARY") == 0;
		x->unique = str_ieq(col(rows, S_NON_UNIQUE), "0");
		x->kind = index_kind(col(rows, S_TYPE));
		x->comment = dup_col(rows, S_COMMENT);
	}
	p = APPEND(x->parts, x->n_parts);
	p->column = dup_col(rows, S_COLUMN);   /* "" for a MySQL functional part */
	/* MariaDB reports SUB_PART 32 for SPATIAL keys, which take no prefix. */
	p->prefix_len = x->kind == SCHEMA_IDX_SPATIAL ? 0 : (int)num_col(rows, S_SUB_PART, 0);
	p->descending = str_ieq(col(rows, S_COLLATION), "D");
	return 0;
}

/* The primary key first; the others keep the server's order. */
static void primary_first(struct schema_table *t)
{
	for (size_t i = 1; i < t->n_indexes; i++) {
		if (!t->indexes[i].primary)
			continue;
		struct schema_index pk = t->indexes[i];
		memmove(&t->indexes[1], &t->indexes[0], i * sizeof(pk));
		t->indexes[0] = pk;
		return;
	}
}

static int read_indexes(struct rd *r)
{
	/* No ORDER BY: the server lists keys in their stored order, and parts
	 * by SEQ_IN_INDEX. */
	static const char *const q[] = {
		"SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, "
		"COLUMN_NAME, SUB_PART, COLLATION, INDEX_TYPE, INDEX_COMMENT "
		"FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN ", "", NULL };

	if (each_row(r, "STATISTICS", &r->in, q, on_index_part) < 0)
		return -1;
	for (size_t i = 0; i < r->cat->n_tables; i++)
		primary_first(&r->cat->tables[i]);
	return 0;
}

/* ---- foreign keys -------------------------------------------------------- */

/* The FKs come from KEY_COLUMN_USAGE, which MariaDB shows to any account
 * with a privilege on the table. Their rules come from
 * REFERENTIAL_CONSTRAINTS, which MariaDB (10.11 at least) shows only to
 * accounts holding a privilege other than SELECT at database level: for a
 * least-privilege account it is empty. The rules it did not give are read
 * from SHOW CREATE TABLE of those tables only; an FK whose rules stay
 * unreadable keeps "" (unknown) rather than disappearing. Rules stay NULL
 * while unknown, until finish_fks(). */

enum { F_SCHEMA, F_TABLE, F_NAME, F_COLUMN, F_ORDINAL, F_REF_SCHEMA, F_REF_TABLE,
       F_REF_COLUMN };

static struct schema_fk *find_fk(struct schema_table *t, const char *name)
{
	for (size_t i = 0; i < t->n_fks; i++)
		if (strcmp(t->fks[i].name, name) == 0)
			return &t->fks[i];
	return NULL;
}

static int on_fk_column(struct rd *r, struct my_rows *rows)
{
	struct schema_table *t = find_table(r, col(rows, F_SCHEMA), col(rows, F_TABLE));
	const char *name = col(rows, F_NAME) ? col(rows, F_NAME) : "";
	struct schema_fk *f;
	size_t n;

	if (!t)
		return 0;
	f = find_fk(t, name);
	if (!f) {
		f = APPEND(t->fks, t->n_fks);
		f->name = xstrdup(name);
		f->ref_schema = dup_col(rows, F_REF_SCHEMA);
		f->ref_table = dup_col(rows, F_REF_TABLE);
	}
	n = f->n_columns;
	f->ref_columns = grow(f->ref_columns, n, sizeof(char *));
	f->ref_columns[n] = dup_col(rows, F_REF_COLUMN);
	*APPEND(f->columns, f->n_columns) = dup_col(rows, F_COLUMN);
	return 0;
}

/* REFERENTIAL_CONSTRAINTS: CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME,
 * UPDATE_RULE, DELETE_RULE. */
static int on_fk_rules(struct rd *r, struct my_rows *rows)
{
	struct schema_table *t = find_table(r, col(rows, 0), col(rows, 1));
	struct schema_fk *f = t && col(rows, 2) ? find_fk(t, col(rows, 2)) : NULL;

	if (!f || f->on_update || !col(rows, 3) || !col(rows, 4))
		return 0;
	f->on_update = dup_col(rows, 3);
	f->on_delete = dup_col(rows, 4);
	return 0;
}

/* A lexer for SHOW CREATE TABLE text: words, quoted identifiers (`x` and,
 * under ANSI_QUOTES, "x"; the quote doubled inside), strings (skipped
 * whole: '' and backslash escapes), single punctuation bytes. Comments
 * are skipped. Keywords are only ever matched outside quotes. */
enum tok_kind { TK_END, TK_WORD, TK_IDENT, TK_STRING, TK_PUNCT };

struct lexer {
	const char *s;            /* the next unread byte */
	enum tok_kind kind;       /* the current token... */
	const char *p;            /* ...its text, quotes included */
	size_t len;
};

static bool word_byte(unsigned char ch)
{
	return isalnum(ch) || ch == '_' || ch == '$' || ch >= 0x80;
}

/* The byte after the quoted token at s (s[0] is its quote), or NULL when
 * it is not terminated. */
static const char *quoted_end(const char *s)
{
	char q = *s++;

	for (;;) {
		if (!*s)
			return NULL;
		if (q == '\'' && *s == '\\' && s[1])
			s += 2;
		else if (*s == q && s[1] == q)
			s += 2;
		else if (*s == q)
			return s + 1;
		else
			s++;
	}
}

static void lex_next(struct lexer *lx)
{
	const char *s = lx->s, *e;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (s[0] != '/' || s[1] != '*')
			break;
		e = strstr(s + 2, "*/");
		s = e ? e + 2 : s + strlen(s);
	}
	lx->p = s;
	if (*s == '`' || *s == '"' || *s == '\'') {
		e = quoted_end(s);
		lx->kind = !e ? TK_END : *s == '\'' ? TK_STRING : TK_IDENT;
		e = e ? e : s + strlen(s);
	} else if (word_byte((unsigned char)*s)) {
		for (e = s; word_byte((unsigned char)*e); e++)
			;
		lx->kind = TK_WORD;
	} else {
		lx->kind = *s ? TK_PUNCT : TK_END;
		e = *s ? s + 1 : s;
	}
	lx->len = (size_t)(e - s);
	lx->s = e;
}

static bool is_punct(const struct lexer *lx, char ch)
{
	return lx->kind == TK_PUNCT && *lx->p == ch;
}

/* Consumes the keyword w (any case) when it is the current token. */
static bool take_word(struct lexer *lx, const char *w)
{
	if (lx->kind != TK_WORD || lx->len != strlen(w) || strncasecmp(lx->p, w, lx->len) != 0)
		return false;
	lex_next(lx);
	return true;
}

/* Consumes an identifier (quoted or bare) into out, unquoted. */
static bool take_ident(struct lexer *lx, struct buf *out)
{
	buf_reset(out);
	if (lx->kind == TK_WORD) {
		buf_append(out, lx->p, lx->len);
	} else if (lx->kind == TK_IDENT) {
		for (size_t i = 1; i + 1 < lx->len; i++) {
			buf_putc(out, lx->p[i]);
			i += lx->p[i] == lx->p[0];        /* a doubled quote stands for one */
		}
	} else {
		return false;
	}
	lex_next(lx);
	return true;
}

/* Consumes "(name, ...)" and tells whether it lists exactly names[0..n)
 * (ASCII case-insensitively: column names are, and a quirk of
 * lower_case_table_names must not make a rule unknown). */
static bool take_names(struct lexer *lx, char *const *names, size_t n, struct buf *tmp)
{
	size_t i = 0;

	if (!is_punct(lx, '('))
		return false;
	do {
		lex_next(lx);
		if (!take_ident(lx, tmp) || i == n || strcasecmp(buf_cstr(tmp), names[i++]) != 0)
			return false;
	} while (is_punct(lx, ','));
	if (!is_punct(lx, ')') || i != n)
		return false;
	lex_next(lx);
	return true;
}

/* A referential action: RESTRICT, CASCADE, SET NULL, SET DEFAULT, NO ACTION. */
static const char *take_rule(struct lexer *lx)
{
	if (take_word(lx, "RESTRICT"))
		return "RESTRICT";
	if (take_word(lx, "CASCADE"))
		return "CASCADE";
	if (take_word(lx, "SET"))
		return take_word(lx, "NULL") ? "SET NULL" : take_word(lx, "DEFAULT") ? "SET DEFAULT" : NULL;
	if (take_word(lx, "NO"))
		return take_word(lx, "ACTION") ? "NO ACTION" : NULL;
	return NULL;
}

/* "[ON DELETE rule] [ON UPDATE rule] [MATCH x]" in any order, up to the
 * end of the element. A clause the server left out is the default rule. */
static int take_rules(struct lexer *lx, const char *dflt, const char **del, const char **upd)
{
	*del = *upd = dflt;
	while (!is_punct(lx, ',') && !is_punct(lx, ')')) {
		const char **rule;
		if (take_word(lx, "MATCH")) {             /* MATCH FULL etc.: no rule */
			if (lx->kind != TK_WORD)
				return -1;
			lex_next(lx);
			continue;
		}
		if (!take_word(lx, "ON"))
			return -1;
		rule = take_word(lx, "DELETE") ? del : take_word(lx, "UPDATE") ? upd : NULL;
		if (!rule || !(*rule = take_rule(lx)))
			return -1;
	}
	return 0;
}

/* One element of the CREATE TABLE list, the lexer on its first token:
 * when it is "CONSTRAINT name FOREIGN KEY (cols) REFERENCES [db.]table
 * (cols) rules" for an FK of t whose rules are unknown, with the same
 * columns and referenced table, sets them. Leaves the lexer wherever the
 * element stopped matching. */
static void take_fk_element(struct lexer *lx, struct schema_table *t, const char *dflt,
			    struct buf *tmp)
{
	struct schema_fk *f;
	const char *del, *upd;
	char *ref_schema = t->schema;

	if (!take_word(lx, "CONSTRAINT") || !take_ident(lx, tmp))
		return;
	f = find_fk(t, buf_cstr(tmp));
	if (!f || f->on_update || !take_word(lx, "FOREIGN") || !take_word(lx, "KEY") ||
	    !take_names(lx, f->columns, f->n_columns, tmp) || !take_word(lx, "REFERENCES") ||
	    !take_ident(lx, tmp))
		return;
	if (is_punct(lx, '.')) {                   /* a table of another database */
		ref_schema = xstrdup(buf_cstr(tmp));
		lex_next(lx);
		if (!take_ident(lx, tmp))
			goto cleanup;
	}
	if (strcasecmp(ref_schema, f->ref_schema) != 0 ||
	    strcasecmp(buf_cstr(tmp), f->ref_table) != 0 ||
	    !take_names(lx, f->ref_columns, f->n_columns, tmp) ||
	    take_rules(lx, dflt, &del, &upd) < 0)
		goto cleanup;
	f->on_delete = xstrdup(del);
	f->on_update = xstrdup(upd);
cleanup:
	if (ref_schema != t->schema)
		free(ref_schema);
}

/* Skips to the ',' or ')' that ends the current element of the list. */
static void skip_element(struct lexer *lx)
{
	int depth = 0;

	for (; lx->kind != TK_END; lex_next(lx)) {
		if (depth == 0 && (is_punct(lx, ',') || is_punct(lx, ')')))
			return;
		depth += is_punct(lx, '(') - is_punct(lx, ')');
	}
}

/* The rules of t's FKs still unknown, from the text of SHOW CREATE TABLE
 * ("CREATE TABLE name (element, ...) options"). */
static void rules_from_create(struct rd *r, struct schema_table *t, const char *sql)
{
	/* Clauses the server leaves out: MariaDB and MySQL 5.x print every rule
	 * but RESTRICT, MySQL 8.0 every rule but NO ACTION (its default). */
	const char *dflt = !r->mariadb && r->version >= 80000 ? "NO ACTION" : "RESTRICT";
	struct lexer lx = { .s = sql };
	struct buf tmp;

	buf_init(&tmp, BUF_UNLIMITED);
	lex_next(&lx);
	while (lx.kind != TK_END && !is_punct(&lx, '('))
		lex_next(&lx);
	while (is_punct(&lx, '(') || is_punct(&lx, ',')) {
		lex_next(&lx);
		take_fk_element(&lx, t, dflt, &tmp);
		skip_element(&lx);
	}
	buf_release(&tmp);
}

/* SHOW CREATE TABLE for a table whose FK rules REFERENTIAL_CONSTRAINTS
 * hid. A table dropped meanwhile or not readable leaves them unknown; a
 * lost connection fails the read. */
static int rules_from_show_create(struct rd *r, struct schema_table *t)
{
	struct buf sql;
	struct my_rows *rows;
	struct err e = { 0 };

	buf_init(&sql, BUF_UNLIMITED);
	buf_puts(&sql, "SHOW CREATE TABLE ");
	my_quote_ident(&sql, t->schema);
	buf_putc(&sql, '.');
	my_quote_ident(&sql, t->name);
	rows = my_query_rows(r->c, buf_cstr(&sql), &e);
	buf_release(&sql);
	if (!rows && e.code != ERR_DB) {
		*r->err = e;
		err_prefix(r->err, "reading the foreign keys of table %s.%s", t->schema, t->name);
		return -1;
	}
	if (rows && my_rows_next(rows) && col(rows, 1))
		rules_from_create(r, t, col(rows, 1));
	my_rows_free(rows);
	return 0;
}

static bool rules_missing(const struct schema_table *t)
{
	for (size_t i = 0; i < t->n_fks; i++)
		if (!t->fks[i].on_update)
			return true;
	return false;
}

static int read_fks(struct rd *r)
{
	static const char *const keys[] = {
		"SELECT TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, "
		"REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
		"FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA IN ",
		" AND REFERENCED_TABLE_NAME IS NOT NULL "
		"ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION", NULL };
	static const char *const rules[] = {
		"SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE "
		"FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN ", "",
		NULL };
	struct schema_catalog *cat = r->cat;
	bool any = false;

	if (each_row(r, "KEY_COLUMN_USAGE", &r->in, keys, on_fk_column) < 0)
		return -1;
	for (size_t i = 0; i < cat->n_tables && !any; i++)
		any = cat->tables[i].n_fks > 0;
	if (any && each_row(r, "REFERENTIAL_CONSTRAINTS", &r->in, rules, on_fk_rules) < 0)
		return -1;
	for (size_t i = 0; i < cat->n_tables; i++) {
		struct schema_table *t = &cat->tables[i];
		if (rules_missing(t) && rules_from_show_create(r, t) < 0)
			return -1;
		for (size_t k = 0; k < t->n_fks; k++) {
			struct schema_fk *f = &t->fks[k];
			if (!f->on_update || !f->on_delete) {   /* unknown: kept, rules "" */
				free(f->on_update);
				free(f->on_delete);
				f->on_update = xstrdup("");
				f->on_delete = xstrdup("");
			}
		}
	}
	return 0;
}

/* ---- CHECK constraints --------------------------------------------------- */

enum { K_SCHEMA, K_TABLE, K_NAME, K_LEVEL, K_CLAUSE };

static int on_check(struct rd *r, struct my_rows *rows)
{
	struct schema_table *t = find_table(r, col(rows, K_SCHEMA), col(rows, K_TABLE));
	struct schema_check *k;

	if (!t)
		return 0;
	k = APPEND(t->checks, t->n_checks);
	k->name = dup_col(rows, K_NAME);
	k->expr = dup_col(rows, K_CLAUSE);
	k->column = xstrdup(str_ieq(col(rows, K_LEVEL), "Column") ? k->name : "");
	return 0;
}

/* MariaDB's JSON is LONGTEXT with a column-level CHECK (json_valid(`c`))
 * named after the column; marks both. Servers without LEVEL (before
 * 10.5.10) name the check the same way, which is how it is found there. */
static void detect_json(struct schema_table *t)
{
	struct buf want;

	buf_init(&want, BUF_UNLIMITED);
	for (size_t i = 0; i < t->n_checks; i++) {
		struct schema_check *k = &t->checks[i];
		struct schema_column *c = NULL;
		for (size_t j = 0; j < t->n_columns && !c; j++)
			if (strcmp(t->columns[j].name, k->name) == 0)
				c = &t->columns[j];
		if (!c || c->type != SCHEMA_T_LONGTEXT || (*k->column && strcmp(k->column, c->name)))
			continue;
		buf_reset(&want);
		buf_puts(&want, "json_valid(");
		my_quote_ident(&want, c->name);
		buf_puts(&want, ")");
		if (strcmp(k->expr, buf_cstr(&want)) != 0)
			continue;
		c->type = SCHEMA_T_JSON;
		k->json_valid = true;
		if (!*k->column) {
			free(k->column);
			k->column = xstrdup(c->name);
		}
	}
	buf_release(&want);
}

static int read_checks(struct rd *r)
{
	const char *const maria[] = {
		r->version >= 100510
		? "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE "
		  "FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN "
		: "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, '', CHECK_CLAUSE "
		  "FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN ",
		"", NULL };
	static const char *const mysql[] = {
		"SELECT tc.TABLE_SCHEMA, tc.TABLE_NAME, cc.CONSTRAINT_NAME, 'Table', "
		"cc.CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS cc "
		"JOIN information_schema.TABLE_CONSTRAINTS tc "
		"ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA "
		"AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK' "
		"WHERE cc.CONSTRAINT_SCHEMA IN ", "", NULL };

	/* CHECK constraints exist from MariaDB 10.2 and MySQL 8.0.16. */
	if (r->mariadb ? r->version < 100201 : r->version < 80016)
		return 0;
	if (each_row(r, "CHECK_CONSTRAINTS", &r->in, r->mariadb ? maria : mysql, on_check) < 0)
		return -1;
	for (size_t i = 0; i < r->cat->n_tables; i++)
		detect_json(&r->cat->tables[i]);
	return 0;
}

/* ---- views, routines, triggers ------------------------------------------- */

static int on_view(struct rd *r, struct my_rows *rows)
{
	struct schema_view *v = APPEND(r->cat->views, r->cat->n_views);

	v->schema = dup_col(rows, 0);
	v->name = dup_col(rows, 1);
	v->definition = dup_col(rows, 2);
	v->check_option = dup_col(rows, 3);
	v->security = dup_col(rows, 4);
	v->definer = dup_col(rows, 5);
	v->algorithm = dup_col(rows, 6);
	return 0;
}

static int on_routine(struct rd *r, struct my_rows *rows)
{
	struct schema_routine *x = APPEND(r->cat->routines, r->cat->n_routines);

	x->schema = dup_col(rows, 0);
	x->name = dup_col(rows, 1);
	x->kind = str_ieq(col(rows, 2), "FUNCTION") ? SCHEMA_FUNCTION : SCHEMA_PROCEDURE;
	x->definer = dup_col(rows, 3);
	x->sql_mode = dup_col(rows, 4);
	return 0;
}

static int on_trigger(struct rd *r, struct my_rows *rows)
{
	struct schema_trigger *t = APPEND(r->cat->triggers, r->cat->n_triggers);

	t->schema = dup_col(rows, 0);
	t->name = dup_col(rows, 1);
	t->table = dup_col(rows, 2);
	t->timing = dup_col(rows, 3);
	t->event = dup_col(rows, 4);
	t->statement = dup_col(rows, 5);
	t->definer = dup_col(rows, 6);
	t->action_order = (int)num_col(rows, 7, 0);
	t->sql_mode = dup_col(rows, 8);
	return 0;
}

static int cmp_view(const void *a, const void *b)
{
	const struct schema_view *x = a, *y = b;
	int c = strcmp(x->schema, y->schema);

	return c ? c : strcmp(x->name, y->name);
}

static int cmp_routine(const void *a, const void *b)
{
	const struct schema_routine *x = a, *y = b;
	int c = strcmp(x->schema, y->schema);

	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : (int)x->kind - (int)y->kind;
}

static int cmp_trigger(const void *a, const void *b)
{
	const struct schema_trigger *x = a, *y = b;
	int c = strcmp(x->schema, y->schema);

	if (!c)
		c = strcmp(x->table, y->table);
	if (!c)
		c = (x->action_order > y->action_order) - (x->action_order < y->action_order);
	return c ? c : strcmp(x->name, y->name);
}

/* SHOW CREATE PROCEDURE/FUNCTION: the third column is the statement, NULL
 * when the account may not see the body. A routine dropped meanwhile or
 * hidden by privileges keeps "" (the schema step reports it); a lost
 * connection fails the read. */
static int show_create(struct rd *r, struct schema_routine *x)
{
	struct buf sql;
	struct my_rows *rows;
	struct err e = { 0 };

	buf_init(&sql, BUF_UNLIMITED);
	buf_puts(&sql, x->kind == SCHEMA_FUNCTION ? "SHOW CREATE FUNCTION " : "SHOW CREATE PROCEDURE ");
	my_quote_ident(&sql, x->schema);
	buf_putc(&sql, '.');
	my_quote_ident(&sql, x->name);
	rows = my_query_rows(r->c, buf_cstr(&sql), &e);
	buf_release(&sql);
	if (!rows && e.code != ERR_DB) {
		*r->err = e;
		err_prefix(r->err, "reading routine %s.%s", x->schema, x->name);
		return -1;
	}
	x->create_sql = xstrdup(rows && my_rows_next(rows) && col(rows, 2) ? col(rows, 2) : "");
	my_rows_free(rows);
	return 0;
}

static int read_objects(struct rd *r)
{
	const char *const views[] = {
		r->mariadb
		? "SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, "
		  "DEFINER, ALGORITHM FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN "
		: "SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, "
		  "DEFINER, '' FROM information_schema.VIEWS WHERE TABLE_SCHEMA IN ",
		"", NULL };
	static const char *const routines[] = {
		"SELECT ROUTINE_SCHEMA, ROUTINE_NAME, ROUTINE_TYPE, DEFINER, SQL_MODE "
		"FROM information_schema.ROUTINES WHERE ROUTINE_TYPE IN ('PROCEDURE', 'FUNCTION') "
		"AND ROUTINE_SCHEMA IN ", "", NULL };
	static const char *const triggers[] = {
		"SELECT TRIGGER_SCHEMA, TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, "
		"EVENT_MANIPULATION, ACTION_STATEMENT, DEFINER, ACTION_ORDER, SQL_MODE "
		"FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA IN ", "", NULL };
	struct schema_catalog *cat = r->cat;

	if (each_row(r, "VIEWS", &r->in, views, on_view) < 0 ||
	    each_row(r, "ROUTINES", &r->in, routines, on_routine) < 0 ||
	    each_row(r, "TRIGGERS", &r->in, triggers, on_trigger) < 0)
		return -1;
	sort(cat->views, cat->n_views, sizeof(*cat->views), cmp_view);
	sort(cat->routines, cat->n_routines, sizeof(*cat->routines), cmp_routine);
	sort(cat->triggers, cat->n_triggers, sizeof(*cat->triggers), cmp_trigger);
	for (size_t i = 0; i < cat->n_routines; i++)
		if (show_create(r, &cat->routines[i]) < 0)
			return -1;
	return 0;
}

/* ---- entry point --------------------------------------------------------- */

/* "('a','b')": each name quoted by the client library. */
static int build_in_list(struct rd *r, const char *const *dbs, size_t n)
{
	buf_init(&r->in, BUF_UNLIMITED);
	buf_putc(&r->in, '(');
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&r->in, ',');
		if (!dbs[i] || my_quote_literal(r->c, &r->in, dbs[i]) < 0) {
			err_set(r->err, ERR_INVALID, "cannot quote database name #%zu for the "
				"catalog query", i + 1);
			return -1;
		}
	}
	return buf_putc(&r->in, ')');
}

/* TIMESTAMP defaults print in the session time zone: read them in UTC,
 * then give the caller its session back. */
static int set_utc(struct rd *r, bool on)
{
	if (my_query(r->c, on ? "SET @opendts_saved_time_zone = @@session.time_zone, "
				"@@session.time_zone = '+00:00'"
			      : "SET @@session.time_zone = @opendts_saved_time_zone", r->err) == 0)
		return 0;
	err_prefix(r->err, "reading the catalog (session time_zone)");
	return -1;
}

int my_schema_read(struct my_conn *c, const char *const *dbs, size_t n_dbs,
		   struct schema_catalog *out, struct err *err)
{
	struct rd r = { .c = c, .cat = out, .err = err };
	const char *version = my_server_version(c);
	bool utc = false;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (n_dbs == 0)
		return 0;
	r.mariadb = version && strstr(version, "MariaDB") != NULL;
	r.version = mysql_get_server_version(my_raw(c));
	if (build_in_list(&r, dbs, n_dbs) < 0 || set_utc(&r, true) < 0)
		goto cleanup;
	utc = true;
	if (read_tables(&r) < 0 || read_columns(&r) < 0 || read_indexes(&r) < 0 ||
	    read_fks(&r) < 0 || read_checks(&r) < 0 || read_objects(&r) < 0)
		goto cleanup;
	rc = 0;
cleanup:
	if (utc) {
		struct err e2 = { 0 };
		r.err = rc == 0 ? err : &e2;      /* keep the first error */
		if (set_utc(&r, false) < 0)
			rc = -1;
	}
	if (rc < 0)
		schema_catalog_release(out);
	for (size_t i = 0; i < r.n_cs; i++) {
		free(r.cs_coll[i]);
		free(r.cs_name[i]);
	}
	free(r.cs_coll);
	free(r.cs_name);
	buf_release(&r.in);
	return rc;
}
