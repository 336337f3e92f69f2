/*
 * expr.c - converts the MySQL expressions information_schema prints
 * (generated columns, CHECK clauses, DEFAULT expressions) to PostgreSQL,
 * token by token (typemap.h, schema_expr_convert).
 *
 * The converter is deliberately small: it keeps what means the same in both
 * dialects and refuses the rest with a reason, because an expression that
 * converts into something with another meaning (integer division, "||" as
 * OR, NULL-skipping GREATEST) would silently change data. Pure and
 * thread-safe.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "schema/typemap.h"
#include "util/str.h"

#define MAX_DEPTH 64

enum frame { F_PAREN, F_CONCAT };

struct conv {
	const char *p;            /* next input byte */
	struct buf *out;
	char *why;
	size_t why_n;
	enum frame stack[MAX_DEPTH];
	int depth;
};

static int refuse(struct conv *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int refuse(struct conv *v, const char *fmt, ...)
{
	va_list ap;

	if (v->why && v->why_n) {
		va_start(ap, fmt);
		vsnprintf(v->why, v->why_n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Functions kept by name (left) or renamed (right). Anything else is
 * refused; concat and the CURRENT_TIMESTAMP family are handled apart. */
static const struct { const char *my, *pg; } funcs[] = {
	{ "abs", "abs" }, { "ceil", "ceil" }, { "ceiling", "ceil" },
	{ "char_length", "char_length" }, { "character_length", "char_length" },
	{ "coalesce", "coalesce" }, { "exp", "exp" }, { "floor", "floor" },
	{ "ifnull", "coalesce" }, { "lcase", "lower" }, { "left", "left" },
	{ "length", "octet_length" }, { "ln", "ln" }, { "log10", "log10" },
	{ "lower", "lower" }, { "ltrim", "ltrim" }, { "md5", "md5" }, { "mod", "mod" },
	{ "nullif", "nullif" }, { "octet_length", "octet_length" }, { "pow", "power" },
	{ "power", "power" }, { "replace", "replace" }, { "reverse", "reverse" },
	{ "right", "right" }, { "round", "round" }, { "rtrim", "rtrim" }, { "sign", "sign" },
	{ "sqrt", "sqrt" }, { "trim", "trim" }, { "truncate", "trunc" },
	{ "ucase", "upper" }, { "upper", "upper" },
};

/* Bare words that mean the same in both dialects. */
static const char *const keywords[] = {
	"and", "between", "case", "else", "end", "false", "in", "is", "like", "not",
	"null", "or", "then", "true", "when",
};

/* Words and functions refused with a specific reason. */
static const struct { const char *word, *why; } refused[] = {
	{ "div", "DIV (integer division) is written differently in PostgreSQL" },
	{ "xor", "XOR has no PostgreSQL operator" },
	{ "regexp", "REGEXP follows the column collation in MySQL, not in PostgreSQL" },
	{ "rlike", "RLIKE follows the column collation in MySQL, not in PostgreSQL" },
	{ "binary", "BINARY casts have no PostgreSQL equivalent" },
	{ "collate", "MySQL collations do not exist in PostgreSQL" },
	{ "interval", "MySQL INTERVAL arithmetic differs from PostgreSQL's" },
	{ "greatest", "greatest() ignores NULLs in PostgreSQL but not in MySQL" },
	{ "least", "least() ignores NULLs in PostgreSQL but not in MySQL" },
	{ "json_valid", "json_valid() does not exist in PostgreSQL (jsonb validates)" },
	{ "if", "IF() has no PostgreSQL function (use CASE)" },
	{ "cast", "CAST target types differ between MySQL and PostgreSQL" },
	{ "convert", "CONVERT() has no PostgreSQL equivalent" },
	{ "log", "log() means ln() in MySQL but log10() in PostgreSQL" },
	{ "substr", "substring positions below 1 mean different things" },
	{ "substring", "substring positions below 1 mean different things" },
};

static bool word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(w, lit, n) == 0;
}

static int push(struct conv *v, enum frame f, const char *text)
{
	if (v->depth == MAX_DEPTH)
		return refuse(v, "expression nests deeper than %d parentheses", MAX_DEPTH);
	v->stack[v->depth++] = f;
	return buf_puts(v->out, text);
}

static int put_pg_string(struct buf *out, const char *s, size_t n)
{
	buf_putc(out, '\'');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			buf_putc(out, '\'');
		buf_putc(out, s[i]);
	}
	return buf_putc(out, '\'');
}

/* A MySQL string literal ('...' or "..."), re-quoted for PostgreSQL. */
static int conv_string(struct conv *v)
{
	char q = *v->p;
	struct buf val;
	const char *s = v->p + 1;
	int rc = -1;

	buf_init(&val, BUF_UNLIMITED);
	for (;;) {
		if (!*s) {
			refuse(v, "unterminated string literal");
			goto cleanup;
		}
		if (*s == q && s[1] == q) {
			buf_putc(&val, q);
			s += 2;
		} else if (*s == q) {
			break;
		} else if (*s == '\\' && s[1]) {
			static const char from[] = "0bnrtZ", to[] = "\0\b\n\r\t\032";
			const char *e = strchr(from, s[1]);
			if (e && *e == '0') {
				refuse(v, "a string holds a NUL character, which PostgreSQL refuses");
				goto cleanup;
			}
			/* \% and \_ keep their backslash in MySQL (LIKE patterns). */
			if (s[1] == '%' || s[1] == '_')
				buf_putc(&val, '\\');
			buf_putc(&val, e ? to[e - from] : s[1]);
			s += 2;
		} else {
			buf_putc(&val, *s++);
		}
	}
	v->p = s + 1;
	rc = put_pg_string(v->out, val.data ? val.data : "", val.len);
cleanup:
	buf_release(&val);
	return rc;
}

static int conv_ident(struct conv *v)
{
	const char *s = v->p + 1;

	buf_putc(v->out, '"');
	for (;;) {
		if (!*s)
			return refuse(v, "unterminated `identifier`");
		if (*s == '`' && s[1] == '`') {
			s++;
		} else if (*s == '`') {
			break;
		} else if (*s == '"') {
			buf_putc(v->out, '"');
		}
		buf_putc(v->out, *s++);
	}
	v->p = s + 1;
	return buf_putc(v->out, '"');
}

static int conv_number(struct conv *v)
{
	const char *s = v->p;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B'))
		return refuse(v, "hexadecimal and bit literals have no typed PostgreSQL form here");
	while (isdigit((unsigned char)*s) || *s == '.')
		s++;
	if ((*s == 'e' || *s == 'E') &&
	    (isdigit((unsigned char)s[1]) || ((s[1] == '+' || s[1] == '-') &&
					      isdigit((unsigned char)s[2])))) {
		s += 2;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (isalpha((unsigned char)*s) || *s == '_')
		return refuse(v, "unexpected text \"%.20s\"", v->p);
	buf_append(v->out, v->p, (size_t)(s - v->p));
	v->p = s;
	return 0;
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* CURRENT_TIMESTAMP, NOW(), LOCALTIMESTAMP, CURDATE()... with an optional
 * "(n)". Returns 1 when the word was one of them, 0 when not, -1 refused. */
static int conv_clock(struct conv *v, const char *w, size_t n, const char *after)
{
	static const struct { const char *my, *pg; bool fsp; } clocks[] = {
		{ "current_timestamp", "CURRENT_TIMESTAMP", true }, { "now", "CURRENT_TIMESTAMP", true },
		{ "localtimestamp", "LOCALTIMESTAMP", true }, { "localtime", "LOCALTIMESTAMP", true },
		{ "current_date", "CURRENT_DATE", false }, { "curdate", "CURRENT_DATE", false },
	};
	const char *p = after;
	int fsp = -1;

	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		if (!word_is(w, n, clocks[i].my))
			continue;
		if (*p == '(') {
			p = skip_space(p + 1);
			if (isdigit((unsigned char)*p) && clocks[i].fsp)
				fsp = *p++ - '0';
			p = skip_space(p);
			if (*p != ')')
				return refuse(v, "unexpected arguments to %s", clocks[i].my);
			p++;
		}
		buf_puts(v->out, clocks[i].pg);
		if (fsp >= 0)
			buf_printf(v->out, "(%d)", fsp);
		v->p = p;
		return 1;
	}
	return 0;
}

static int conv_function(struct conv *v, const char *w, size_t n, const char *paren)
{
	if (word_is(w, n, "concat")) {
		/* (a)::text || (b)::text: NULL in, NULL out, like MySQL's concat. */
		v->p = paren + 1;
		return push(v, F_CONCAT, "((");
	}
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		if (word_is(w, n, funcs[i].my)) {
			buf_puts(v->out, funcs[i].pg);
			v->p = paren + 1;
			return push(v, F_PAREN, "(");
		}
	}
	return refuse(v, "function %.*s() has no PostgreSQL equivalent known to opendts",
		      (int)(n > 64 ? 64 : n), w);
}

static int conv_word(struct conv *v)
{
	const char *w = v->p, *after;
	size_t n;
	int rc;

	while (isalnum((unsigned char)*v->p) || *v->p == '_' || *v->p == '$')
		v->p++;
	n = (size_t)(v->p - w);
	after = skip_space(v->p);
	if (w[0] == '_' && (*v->p == '\'' || *v->p == '"'))
		return 0;                     /* charset introducer: _utf8mb4'x' */
	if ((rc = conv_clock(v, w, n, after)) != 0)
		return rc < 0 ? -1 : 0;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (word_is(w, n, refused[i].word))
			return refuse(v, "%s", refused[i].why);
	/* Keywords first: "IN (" and "NOT (" are not function calls. */
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (word_is(w, n, keywords[i]))
			return buf_append(v->out, w, n);
	if (*after == '(')
		return conv_function(v, w, n, after);
	if (word_is(w, n, "mod"))
		return buf_puts(v->out, "%");
	return refuse(v, "unexpected word \"%.*s\"", (int)(n > 64 ? 64 : n), w);
}

static int conv_close(struct conv *v)
{
	if (v->depth == 0)
		return refuse(v, "unbalanced \")\"");
	v->p++;
	return buf_puts(v->out, v->stack[--v->depth] == F_CONCAT ? ")::text)" : ")");
}

/* Operators: the longest match first. */
static int conv_operator(struct conv *v)
{
	static const struct { const char *my, *pg, *why; } ops[] = {
		{ "<=>", "IS NOT DISTINCT FROM", NULL }, { "<>", "<>", NULL }, { "!=", "<>", NULL },
		{ "<=", "<=", NULL }, { ">=", ">=", NULL }, { "&&", "AND", NULL },
		{ "||", NULL, "\"||\" means OR in MySQL but concatenation in PostgreSQL" },
		{ "<<", NULL, "bit shifts are not converted" }, { ">>", NULL, "bit shifts are not converted" },
		{ ":=", NULL, "assignments are not expressions in PostgreSQL" },
		{ "=", "=", NULL }, { "<", "<", NULL }, { ">", ">", NULL }, { "+", "+", NULL },
		{ "-", "-", NULL }, { "*", "*", NULL }, { "%", "%", NULL }, { "!", "NOT ", NULL },
		{ ".", ".", NULL },
		{ "/", NULL, "\"/\" always gives a decimal in MySQL but truncates integers in PostgreSQL" },
		{ "&", NULL, "bitwise operators are not converted" },
		{ "|", NULL, "bitwise operators are not converted" },
		{ "^", NULL, "bitwise XOR is written # in PostgreSQL and not converted" },
		{ "~", NULL, "bitwise operators are not converted" },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].my);
		if (strncmp(v->p, ops[i].my, n) != 0)
			continue;
		if (!ops[i].pg)
			return refuse(v, "%s", ops[i].why);
		v->p += n;
		return buf_puts(v->out, ops[i].pg);
	}
	return refuse(v, "unexpected character '%c'", *v->p);
}

static int conv_token(struct conv *v)
{
	char ch = *v->p;

	if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
		v->p = skip_space(v->p);
		return buf_putc(v->out, ' ');
	}
	if (ch == '`')
		return conv_ident(v);
	if (ch == '\'' || ch == '"')
		return conv_string(v);
	if (isdigit((unsigned char)ch))
		return conv_number(v);
	if (isalpha((unsigned char)ch) || ch == '_')
		return conv_word(v);
	if (ch == '(') {
		v->p++;
		return push(v, F_PAREN, "(");
	}
	if (ch == ')')
		return conv_close(v);
	if (ch == ',') {
		v->p++;
		if (v->depth > 0 && v->stack[v->depth - 1] == F_CONCAT)
			return buf_puts(v->out, ")::text || (");
		return buf_putc(v->out, ',');
	}
	if (ch == '@' || ch == '?')
		return refuse(v, "variables and parameters are not expressions of a table");
	return conv_operator(v);
}

int schema_expr_convert(enum schema_dialect d, const char *expr, struct buf *out,
			char *why, size_t why_n)
{
	struct conv v = { .p = expr ? expr : "", .out = out, .why = why, .why_n = why_n };

	if (why && why_n)
		why[0] = 0;
	if (d == SCHEMA_DIALECT_MYSQL)
		return buf_puts(out, v.p);
	if (!*skip_space(v.p))
		return refuse(&v, "the expression is empty");
	while (*v.p)
		if (conv_token(&v) < 0)
			return -1;
	if (v.depth != 0)
		return refuse(&v, "unbalanced \"(\"");
	return 0;
}
