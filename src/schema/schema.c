/*
 * schema.c - the neutral schema model (schema.h): releasing a catalog,
 * finding tables and columns in it, choosing the key that addresses a row,
 * and reading MySQL type names and COLUMN_TYPE spellings.
 *
 * Pure functions over memory the caller owns; a catalog may be read by any
 * number of threads at once. my_schema.c builds catalogs; the COLUMN_TYPE
 * parser is shared with it so ENUM members are unquoted in one place.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/schema.h"
#include "util/str.h"
#include "util/xalloc.h"

/* ---- release ------------------------------------------------------------- */

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void schema_column_release(struct schema_column *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->column_type);
	free(c->charset);
	free(c->collation);
	free(c->default_value);
	free(c->on_update);
	free(c->generation_expr);
	free(c->comment);
	free_strv(c->enum_values, c->n_enum_values);
	memset(c, 0, sizeof(*c));
}

static void table_release(struct schema_table *t)
{
	for (size_t i = 0; i < t->n_columns; i++)
		schema_column_release(&t->columns[i]);
	for (size_t i = 0; i < t->n_indexes; i++) {
		struct schema_index *x = &t->indexes[i];
		for (size_t k = 0; k < x->n_parts; k++)
			free(x->parts[k].column);
		free(x->parts);
		free(x->name);
		free(x->comment);
	}
	for (size_t i = 0; i < t->n_fks; i++) {
		struct schema_fk *f = &t->fks[i];
		free(f->name);
		free_strv(f->columns, f->n_columns);
		free_strv(f->ref_columns, f->n_columns);
		free(f->ref_schema);
		free(f->ref_table);
		free(f->on_update);
		free(f->on_delete);
	}
	for (size_t i = 0; i < t->n_checks; i++) {
		free(t->checks[i].name);
		free(t->checks[i].expr);
		free(t->checks[i].column);
	}
	free(t->columns);
	free(t->indexes);
	free(t->fks);
	free(t->checks);
	free(t->schema);
	free(t->name);
	free(t->engine);
	free(t->charset);
	free(t->collation);
	free(t->row_format);
	free(t->comment);
	free(t->create_options);
}

void schema_catalog_release(struct schema_catalog *c)
{
	if (!c)
		return;
	free_strv(c->schemas, c->n_schemas);
	for (size_t i = 0; i < c->n_tables; i++)
		table_release(&c->tables[i]);
	free(c->tables);
	for (size_t i = 0; i < c->n_views; i++) {
		struct schema_view *v = &c->views[i];
		free(v->schema);
		free(v->name);
		free(v->definition);
		free(v->check_option);
		free(v->security);
		free(v->definer);
		free(v->algorithm);
	}
	free(c->views);
	for (size_t i = 0; i < c->n_routines; i++) {
		struct schema_routine *r = &c->routines[i];
		free(r->schema);
		free(r->name);
		free(r->create_sql);
		free(r->definer);
		free(r->sql_mode);
	}
	free(c->routines);
	for (size_t i = 0; i < c->n_triggers; i++) {
		struct schema_trigger *t = &c->triggers[i];
		free(t->schema);
		free(t->name);
		free(t->table);
		free(t->timing);
		free(t->event);
		free(t->statement);
		free(t->definer);
		free(t->sql_mode);
	}
	free(c->triggers);
	memset(c, 0, sizeof(*c));
}

/* ---- lookups ------------------------------------------------------------- */

const struct schema_table *schema_find_table(const struct schema_catalog *c,
					     const char *schema, const char *name)
{
	for (size_t i = 0; i < c->n_tables; i++)
		if (strcmp(c->tables[i].schema, schema) == 0 && strcmp(c->tables[i].name, name) == 0)
			return &c->tables[i];
	return NULL;
}

const struct schema_column *schema_find_column(const struct schema_table *t, const char *name)
{
	for (size_t i = 0; i < t->n_columns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return &t->columns[i];
	return NULL;
}

static bool all_parts_not_null(const struct schema_table *t, const struct schema_index *x)
{
	for (size_t k = 0; k < x->n_parts; k++) {
		const struct schema_column *c = schema_find_column(t, x->parts[k].column);
		if (!c || c->nullable)
			return false;
	}
	return x->n_parts > 0;
}

const struct schema_index *schema_row_key(const struct schema_table *t)
{
	for (size_t i = 0; i < t->n_indexes; i++)
		if (t->indexes[i].primary)
			return &t->indexes[i];
	for (size_t i = 0; i < t->n_indexes; i++) {
		const struct schema_index *x = &t->indexes[i];
		if (x->unique && (x->kind == SCHEMA_IDX_BTREE || x->kind == SCHEMA_IDX_HASH) &&
		    all_parts_not_null(t, x))
			return x;
	}
	return NULL;
}

/* ---- type names ---------------------------------------------------------- */

static const char *const type_names[SCHEMA_T__COUNT] = {
	[SCHEMA_T_UNKNOWN] = "unknown",
	[SCHEMA_T_TINYINT] = "tinyint", [SCHEMA_T_SMALLINT] = "smallint",
	[SCHEMA_T_MEDIUMINT] = "mediumint", [SCHEMA_T_INT] = "int",
	[SCHEMA_T_BIGINT] = "bigint", [SCHEMA_T_DECIMAL] = "decimal",
	[SCHEMA_T_FLOAT] = "float", [SCHEMA_T_DOUBLE] = "double", [SCHEMA_T_BIT] = "bit",
	[SCHEMA_T_CHAR] = "char", [SCHEMA_T_VARCHAR] = "varchar",
	[SCHEMA_T_BINARY] = "binary", [SCHEMA_T_VARBINARY] = "varbinary",
	[SCHEMA_T_TINYTEXT] = "tinytext", [SCHEMA_T_TEXT] = "text",
	[SCHEMA_T_MEDIUMTEXT] = "mediumtext", [SCHEMA_T_LONGTEXT] = "longtext",
	[SCHEMA_T_TINYBLOB] = "tinyblob", [SCHEMA_T_BLOB] = "blob",
	[SCHEMA_T_MEDIUMBLOB] = "mediumblob", [SCHEMA_T_LONGBLOB] = "longblob",
	[SCHEMA_T_ENUM] = "enum", [SCHEMA_T_SET] = "set",
	[SCHEMA_T_DATE] = "date", [SCHEMA_T_DATETIME] = "datetime",
	[SCHEMA_T_TIMESTAMP] = "timestamp", [SCHEMA_T_TIME] = "time", [SCHEMA_T_YEAR] = "year",
	[SCHEMA_T_JSON] = "json",
	[SCHEMA_T_GEOMETRY] = "geometry", [SCHEMA_T_POINT] = "point",
	[SCHEMA_T_LINESTRING] = "linestring", [SCHEMA_T_POLYGON] = "polygon",
	[SCHEMA_T_MULTIPOINT] = "multipoint", [SCHEMA_T_MULTILINESTRING] = "multilinestring",
	[SCHEMA_T_MULTIPOLYGON] = "multipolygon",
	[SCHEMA_T_GEOMETRYCOLLECTION] = "geometrycollection",
	[SCHEMA_T_UUID] = "uuid", [SCHEMA_T_INET4] = "inet4", [SCHEMA_T_INET6] = "inet6",
};

/* Spellings the parser accepts beyond the canonical names. */
static const struct { const char *name; enum schema_type type; } type_aliases[] = {
	{ "integer", SCHEMA_T_INT }, { "int1", SCHEMA_T_TINYINT }, { "int2", SCHEMA_T_SMALLINT },
	{ "int3", SCHEMA_T_MEDIUMINT }, { "int4", SCHEMA_T_INT }, { "int8", SCHEMA_T_BIGINT },
	{ "middleint", SCHEMA_T_MEDIUMINT }, { "bool", SCHEMA_T_TINYINT },
	{ "boolean", SCHEMA_T_TINYINT }, { "numeric", SCHEMA_T_DECIMAL },
	{ "dec", SCHEMA_T_DECIMAL }, { "fixed", SCHEMA_T_DECIMAL }, { "real", SCHEMA_T_DOUBLE },
	{ "double precision", SCHEMA_T_DOUBLE }, { "float4", SCHEMA_T_FLOAT },
	{ "float8", SCHEMA_T_DOUBLE }, { "character", SCHEMA_T_CHAR },
	{ "geomcollection", SCHEMA_T_GEOMETRYCOLLECTION },
};

enum schema_type schema_type_parse(const char *data_type)
{
	if (!data_type)
		return SCHEMA_T_UNKNOWN;
	for (int t = SCHEMA_T_UNKNOWN + 1; t < SCHEMA_T__COUNT; t++)
		if (str_ieq(data_type, type_names[t]))
			return (enum schema_type)t;
	for (size_t i = 0; i < sizeof(type_aliases) / sizeof(type_aliases[0]); i++)
		if (str_ieq(data_type, type_aliases[i].name))
			return type_aliases[i].type;
	return SCHEMA_T_UNKNOWN;
}

const char *schema_type_name(enum schema_type t)
{
	if ((int)t <= SCHEMA_T_UNKNOWN || t >= SCHEMA_T__COUNT)
		return "unknown";
	return type_names[t];
}

/* ---- COLUMN_TYPE --------------------------------------------------------- */

/* Reads one MySQL single-quoted literal starting at *p (on the quote):
 * '' is a quote, backslash escapes as the server writes them. Returns the
 * value (caller frees) and moves *p past the closing quote; NULL when the
 * literal is not closed. */
static char *read_quoted(const char **p)
{
	const char *s = *p + 1;
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	for (;;) {
		char ch = *s;
		if (!ch) {
			buf_release(&b);
			return NULL;
		}
		if (ch == '\'' && s[1] == '\'') {
			buf_putc(&b, '\'');
			s += 2;
			continue;
		}
		if (ch == '\'')
			break;
		if (ch == '\\' && s[1]) {
			static const char from[] = "0bnrtZ", to[] = "\0\b\n\r\t\032";
			const char *e = strchr(from, s[1]);
			buf_putc(&b, e ? to[e - from] : s[1]);
			s += 2;
			continue;
		}
		buf_putc(&b, ch);
		s++;
	}
	*p = s + 1;
	return b.data ? buf_take(&b) : xstrdup("");
}

/* ENUM/SET members from the text after "enum(" up to the closing ")". */
static int parse_members(const char *p, struct schema_column *c)
{
	size_t cap = 0;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p != '\'')
			return -1;
		char *v = read_quoted(&p);
		if (!v)
			return -1;
		if (c->n_enum_values == cap) {
			cap = cap ? 2 * cap : 8;
			c->enum_values = xrealloc(c->enum_values, cap * sizeof(*c->enum_values));
		}
		c->enum_values[c->n_enum_values++] = v;
		while (*p == ' ')
			p++;
		if (*p == ')')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

/* "(a)" or "(a,b)" after the type word: fills the fields the type uses. */
static void apply_params(struct schema_column *c, long a, long b, bool has_b)
{
	switch (c->type) {
	case SCHEMA_T_DECIMAL: case SCHEMA_T_FLOAT: case SCHEMA_T_DOUBLE:
		c->precision = (int)a;
		c->scale = has_b ? (int)b : (c->type == SCHEMA_T_DECIMAL ? 0 : -1);
		break;
	case SCHEMA_T_BIT:
		c->precision = (int)a;
		break;
	case SCHEMA_T_CHAR: case SCHEMA_T_VARCHAR: case SCHEMA_T_BINARY: case SCHEMA_T_VARBINARY:
		c->char_length = a;
		break;
	case SCHEMA_T_DATETIME: case SCHEMA_T_TIMESTAMP: case SCHEMA_T_TIME:
		c->fsp = (int)a;
		break;
	default:                  /* display widths: int(11), year(4) */
		break;
	}
}

/* Defaults a type implies when COLUMN_TYPE gives no parentheses. */
static void implied_params(struct schema_column *c)
{
	switch (c->type) {
	case SCHEMA_T_DECIMAL: c->precision = 10; c->scale = 0; break;
	case SCHEMA_T_BIT: c->precision = 1; break;
	case SCHEMA_T_CHAR: case SCHEMA_T_BINARY: c->char_length = 1; break;
	case SCHEMA_T_DATETIME: case SCHEMA_T_TIMESTAMP: case SCHEMA_T_TIME: c->fsp = 0; break;
	default: break;
	}
}

static int parse_numbers(const char **pp, struct schema_column *c)
{
	const char *p = *pp;
	char *end;
	long a, b = 0;
	bool has_b = false;

	a = strtol(p, &end, 10);
	if (end == p || a < 0)
		return -1;
	p = end;
	if (*p == ',') {
		b = strtol(p + 1, &end, 10);
		if (end == p + 1 || b < 0)
			return -1;
		has_b = true;
		p = end;
	}
	if (*p != ')')
		return -1;
	apply_params(c, a, b, has_b);
	*pp = p + 1;
	return 0;
}

/* The attribute words after the type: unsigned, zerofill, signed. */
static int parse_attributes(const char *p, struct schema_column *c)
{
	while (*p) {
		const char *w;
		size_t n;
		while (*p == ' ')
			p++;
		w = p;
		while (*p && *p != ' ')
			p++;
		n = (size_t)(p - w);
		if (n == 8 && strncasecmp(w, "unsigned", 8) == 0)
			c->is_unsigned = true;
		else if (n == 8 && strncasecmp(w, "zerofill", 8) == 0)
			c->zerofill = c->is_unsigned = true;
		else if (n == 6 && strncasecmp(w, "signed", 6) == 0)
			c->is_unsigned = false;
		else if (n > 0)
			return -1;
	}
	return 0;
}

int schema_column_type_parse(const char *column_type, struct schema_column *c)
{
	const char *p = column_type, *w;
	char word[32];
	size_t n;

	free_strv(c->enum_values, c->n_enum_values);
	c->enum_values = NULL;
	c->n_enum_values = 0;
	c->type = SCHEMA_T_UNKNOWN;
	c->is_unsigned = c->zerofill = false;
	c->char_length = c->octet_length = -1;
	c->precision = c->scale = c->fsp = -1;
	while (*p == ' ')
		p++;
	w = p;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	n = (size_t)(p - w);
	if (n == 0 || n >= sizeof(word))
		return -1;
	memcpy(word, w, n);
	word[n] = 0;
	/* "double precision" is the one two-word spelling. */
	if (str_ieq(word, "double") && strncasecmp(p, " precision", 10) == 0)
		p += 10;
	c->type = schema_type_parse(word);
	if (c->type == SCHEMA_T_UNKNOWN)
		return -1;
	if ((c->type == SCHEMA_T_ENUM || c->type == SCHEMA_T_SET) && *p == '(') {
		if (parse_members(p + 1, c) < 0)
			goto bad;
		return 0;      /* anything after ")" is a charset clause, not ours */
	}
	if (*p == '(') {
		p++;
		if (parse_numbers(&p, c) < 0)
			goto bad;
	} else {
		implied_params(c);
	}
	if (parse_attributes(p, c) < 0)
		goto bad;
	return 0;
bad:
	c->type = SCHEMA_T_UNKNOWN;
	return -1;
}
