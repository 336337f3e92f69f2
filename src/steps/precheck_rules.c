/*
 * precheck_rules.c - pure decisions of the destination and comparison
 * precheck items (see precheck_rules.h): no I/O, no allocation that
 * outlives a call, safe from any thread.
 */
#include "steps/precheck_rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "job/job.h"
#include "util/str.h"

/* ---- versions ------------------------------------------------------------ */

bool precheck__version_parse(const char *s, bool pg, struct precheck_version *out)
{
	int v[3] = { 0, 0, 0 };
	const char *p;
	char *end;

	memset(out, 0, sizeof(*out));
	if (!s)
		return false;
	/* MariaDB behind some proxies announces "5.5.5-10.4.1-MariaDB". */
	if (!pg && strncmp(s, "5.5.5-", 6) == 0 && strstr(s, "MariaDB"))
		s += 6;
	p = s;
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*p))
			break;
		v[i] = (int)strtol(p, &end, 10);
		p = end;
		if (*p != '.')
			break;
		p++;
	}
	if (!isdigit((unsigned char)*s))
		return false;
	out->product = pg ? PRECHECK_POSTGRESQL
			  : str_icontains(s, "mariadb") ? PRECHECK_MARIADB : PRECHECK_MYSQL;
	out->major = v[0];
	out->minor = v[1];
	out->patch = v[2];
	return true;
}

static bool at_least(const struct precheck_version *v, int major, int minor)
{
	return v->major > major || (v->major == major && v->minor >= minor);
}

bool precheck__version_supported(const struct precheck_version *v)
{
	switch (v->product) {
	case PRECHECK_MYSQL:
		return at_least(v, 5, 7);
	case PRECHECK_MARIADB:
		return at_least(v, 10, 2);
	case PRECHECK_POSTGRESQL:
		return v->major >= 10;
	}
	return false;
}

const char *precheck__product_name(enum precheck_product p)
{
	return p == PRECHECK_MARIADB ? "MariaDB" : p == PRECHECK_POSTGRESQL ? "PostgreSQL"
									   : "MySQL";
}

/* ---- privileges ---------------------------------------------------------- */

static const struct {
	unsigned bit;
	const char *name;
} priv_names[] = {
	{ PRECHECK_PRIV_SELECT, "SELECT" },
	{ PRECHECK_PRIV_INSERT, "INSERT" },
	{ PRECHECK_PRIV_UPDATE, "UPDATE" },
	{ PRECHECK_PRIV_DELETE, "DELETE" },
	{ PRECHECK_PRIV_CREATE, "CREATE" },
	{ PRECHECK_PRIV_ALTER, "ALTER" },
	{ PRECHECK_PRIV_INDEX, "INDEX" },
	{ PRECHECK_PRIV_REFERENCES, "REFERENCES" },
	{ PRECHECK_PRIV_CREATE_VIEW, "CREATE VIEW" },
	{ PRECHECK_PRIV_CREATE_ROUTINE, "CREATE ROUTINE" },
	{ PRECHECK_PRIV_TRIGGER, "TRIGGER" },
};

#define N_PRIVS (sizeof(priv_names) / sizeof(priv_names[0]))

const char *precheck__priv_names(unsigned privs, char *out, size_t n)
{
	size_t len = 0;

	if (n)
		out[0] = '\0';
	for (size_t i = 0; i < N_PRIVS && n; i++) {
		int w;

		if (!(privs & priv_names[i].bit))
			continue;
		w = snprintf(out + len, n - len, "%s%s", len ? ", " : "", priv_names[i].name);
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	return out;
}

/* One privilege of a GRANT list, without a column list; 0 when unknown or
 * when it carries a column list (a column grant is not a table grant). */
static unsigned priv_bit(const char *s, size_t len)
{
	char name[64];

	while (len && s[len - 1] == ' ')
		len--;
	while (len && *s == ' ') {
		s++;
		len--;
	}
	if (len == 0 || len >= sizeof(name) || memchr(s, '(', len))
		return 0;
	memcpy(name, s, len);
	name[len] = '\0';
	if (str_ieq(name, "ALL PRIVILEGES") || str_ieq(name, "ALL"))
		return PRECHECK_PRIV_ALL;
	for (size_t i = 0; i < N_PRIVS; i++)
		if (str_ieq(name, priv_names[i].name))
			return priv_names[i].bit;
	return 0;
}

/* Reads one identifier at *p (backtick-quoted with doubled backticks, or
 * bare up to '.', ' ' or the end) into out; advances *p. */
static int read_ident(const char **p, char *out, size_t n)
{
	const char *s = *p;
	size_t j = 0;

	if (*s == '`') {
		for (s++; *s; s++) {
			if (*s == '`' && s[1] == '`')
				s++;
			else if (*s == '`')
				break;
			if (j + 1 >= n)
				return -1;
			out[j++] = *s;
		}
		if (*s != '`')
			return -1;
		s++;
	} else {
		for (; *s && *s != '.' && *s != ' '; s++) {
			if (j + 1 >= n)
				return -1;
			out[j++] = *s;
		}
	}
	out[j] = '\0';
	*p = s;
	return j || *s ? 0 : -1;
}

/* Splits "GRANT <list> ON <target> TO ..." at the " ON " outside backticks
 * and parentheses: the privilege bits and a pointer to the target. */
static const char *split_privs(const char *s, unsigned *privs)
{
	const char *item = s;
	bool quoted = false;
	int depth = 0;

	*privs = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '`')
			quoted = !quoted;
		if (quoted)
			continue;
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (depth == 0 && *p == ',') {
			*privs |= priv_bit(item, (size_t)(p - item));
			item = p + 1;
		} else if (depth == 0 && strncmp(p, " ON ", 4) == 0) {
			*privs |= priv_bit(item, (size_t)(p - item));
			return p + 4;
		}
	}
	return NULL;
}

int precheck__grant_parse(const char *line, struct precheck_grant *g)
{
	const char *p;

	memset(g, 0, sizeof(*g));
	if (!line || strncmp(line, "GRANT ", 6) != 0)
		return -1;
	p = split_privs(line + 6, &g->privs);
	if (!p)
		return 0;                 /* GRANT role TO user */
	if (strncmp(p, "PROCEDURE ", 10) == 0 || strncmp(p, "FUNCTION ", 9) == 0 ||
	    strncmp(p, "PACKAGE ", 8) == 0 || strncmp(p, "''@", 3) == 0 ||
	    strncmp(p, "'", 1) == 0)
		return 0;                 /* routine grants, PROXY */
	if (strncmp(p, "TABLE ", 6) == 0)
		p += 6;
	if (strncmp(p, "*.* ", 4) == 0 || strcmp(p, "*.*") == 0) {
		g->level = PRECHECK_GRANT_GLOBAL;
		return 1;
	}
	if (read_ident(&p, g->db, sizeof(g->db)) < 0 || *p != '.')
		return -1;
	p++;
	if (*p == '*') {
		g->level = PRECHECK_GRANT_DB;
		return 1;
	}
	if (read_ident(&p, g->table, sizeof(g->table)) < 0)
		return -1;
	g->level = PRECHECK_GRANT_TABLE;
	return 1;
}

static bool chr_eq(char a, char b, bool ci)
{
	return ci ? tolower((unsigned char)a) == tolower((unsigned char)b) : a == b;
}

bool precheck__db_pattern_match(const char *pat, const char *name, bool ci)
{
	/* Iterative LIKE with backtracking on the last %. */
	const char *star = NULL, *resume = NULL;

	while (*name) {
		if (*pat == '\\' && pat[1] && chr_eq(pat[1], *name, ci)) {
			pat += 2;
			name++;
		} else if (*pat == '_') {
			pat++;
			name++;
		} else if (*pat == '%') {
			star = ++pat;
			resume = name;
		} else if (*pat && *pat != '\\' && chr_eq(*pat, *name, ci)) {
			pat++;
			name++;
		} else if (star) {
			pat = star;
			name = ++resume;
		} else {
			return false;
		}
	}
	while (*pat == '%')
		pat++;
	return *pat == '\0';
}

/* ---- collations ---------------------------------------------------------- */

const char *precheck__collation_charset(const char *collation, char *out, size_t n)
{
	const char *u = strchr(collation, '_');
	size_t len = u ? (size_t)(u - collation) : strlen(collation);

	if (n == 0)
		return out;
	if (len >= n)
		len = n - 1;
	memcpy(out, collation, len);
	out[len] = '\0';
	return out;
}

bool precheck__charset_needs_utf8(const char *charset)
{
	return charset && *charset && !str_ieq(charset, "ascii") && !str_ieq(charset, "binary");
}

/* The first of a NULL-terminated list of candidates that the destination has. */
static const char *first_had(const char *const *cands, bool (*has)(void *, const char *),
			     void *ctx)
{
	for (; *cands; cands++)
		if (has(ctx, *cands))
			return *cands;
	return NULL;
}

/* Candidates for the MySQL 8 and MariaDB 10.10+ Unicode 9/14 collations,
 * nearest first: same sensitivity, then older UCA, then general. */
static const char *unicode_candidate(const char *missing, bool (*has)(void *, const char *),
				     void *ctx)
{
	static const char *const ai_ci[] = {
		"utf8mb4_uca1400_ai_ci", "utf8mb4_0900_ai_ci", "utf8mb4_unicode_520_ci",
		"utf8mb4_unicode_ci", "utf8mb4_general_ci", NULL };
	static const char *const as_ci[] = {
		"utf8mb4_uca1400_as_ci", "utf8mb4_0900_as_ci", "utf8mb4_unicode_520_ci",
		"utf8mb4_unicode_ci", NULL };
	static const char *const as_cs[] = {
		"utf8mb4_uca1400_as_cs", "utf8mb4_0900_as_cs", "utf8mb4_bin", NULL };
	static const char *const bin[] = { "utf8mb4_0900_bin", "utf8mb4_bin", NULL };

	if (strncmp(missing, "utf8mb4_0900_", 13) != 0 &&
	    strncmp(missing, "utf8mb4_uca1400_", 16) != 0)
		return NULL;
	if (strstr(missing, "_bin"))
		return first_had(bin, has, ctx);
	if (strstr(missing, "_as_cs"))
		return first_had(as_cs, has, ctx);
	if (strstr(missing, "_as_ci"))
		return first_had(as_ci, has, ctx);
	return first_had(ai_ci, has, ctx);
}

/* utf8mb3_x <-> utf8_x: the same collation under its other name. */
static const char *alias_candidate(const char *missing, char *buf, size_t n,
				   bool (*has)(void *, const char *), void *ctx)
{
	if (strncmp(missing, "utf8mb3_", 8) == 0)
		snprintf(buf, n, "utf8_%s", missing + 8);
	else if (strncmp(missing, "utf8_", 5) == 0)
		snprintf(buf, n, "utf8mb3_%s", missing + 5);
	else
		return NULL;
	return has(ctx, buf) ? buf : NULL;
}

const char *precheck__collation_suggest(const char *missing,
					bool (*has)(void *ctx, const char *collation),
					const char *(*default_of)(void *ctx, const char *charset),
					void *ctx, char *out, size_t n)
{
	char alias[160], cs[64];
	const char *pick;

	pick = unicode_candidate(missing, has, ctx);
	if (!pick)
		pick = alias_candidate(missing, alias, sizeof(alias), has, ctx);
	if (!pick && default_of) {
		precheck__collation_charset(missing, cs, sizeof(cs));
		pick = default_of(ctx, cs);
		if (!pick && strcmp(cs, "utf8mb3") == 0)
			pick = default_of(ctx, "utf8");
		if (!pick)
			pick = default_of(ctx, "utf8mb4");
	}
	if (!pick)
		return NULL;
	str_copy(out, n, pick);
	return out;
}

/* ---- sql_mode ------------------------------------------------------------ */

bool precheck__sql_mode_has(const char *modes, const char *mode)
{
	size_t m = strlen(mode);

	for (const char *p = modes ? modes : ""; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == m && strncasecmp(p, mode, m) == 0)
			return true;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

const struct precheck_sql_mode_rule precheck__sql_mode_rules[] = {
	{ "NO_ZERO_DATE", true,
	  "decides whether the date 0000-00-00 is accepted (refused in strict mode, stored "
	  "with a warning otherwise)" },
	{ "NO_ZERO_IN_DATE", true,
	  "decides whether dates with a zero month or day (2024-00-15) are accepted" },
	{ "ALLOW_INVALID_DATES", true,
	  "decides whether impossible dates (2024-02-30) are stored as given or refused / "
	  "turned into 0000-00-00" },
	{ "NO_AUTO_VALUE_ON_ZERO", true,
	  "decides whether a 0 written into an AUTO_INCREMENT column is kept or replaced by "
	  "the next sequence value" },
	{ "EMPTY_STRING_IS_NULL", true, "stores empty strings as NULL" },
	{ "PAD_CHAR_TO_FULL_LENGTH", true,
	  "decides whether CHAR values are read back with their trailing spaces (what the "
	  "data steps and the verification read differs)" },
	{ "NO_ENGINE_SUBSTITUTION", true,
	  "decides whether a table whose storage engine the server lacks is refused or "
	  "silently created with the default engine" },
	{ "ANSI_QUOTES", false, "changes only how SQL text is parsed (\"x\" is an identifier)" },
	{ "PIPES_AS_CONCAT", false, "changes only how SQL text is parsed (|| concatenates)" },
	{ "NO_BACKSLASH_ESCAPES", false,
	  "changes only how string literals are parsed (the client library escapes for it)" },
	{ "IGNORE_SPACE", false, "changes only how SQL text is parsed" },
	{ "HIGH_NOT_PRECEDENCE", false, "changes only how SQL text is parsed" },
	{ "ONLY_FULL_GROUP_BY", false, "changes only which queries are accepted" },
	{ NULL, false, NULL },
};

/* ---- time zones ---------------------------------------------------------- */

static bool is_utc_name(const char *tz)
{
	static const char *const names[] = {
		"UTC", "+00:00", "-00:00", "+0:00", "Etc/UTC", "Etc/UCT", "UCT", "GMT", "Etc/GMT",
		"GMT0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Z", "Zulu", "Etc/Zulu",
		"Universal", "Etc/Universal", "Greenwich", "Etc/Greenwich", NULL };

	for (size_t i = 0; names[i]; i++)
		if (str_ieq(tz, names[i]))
			return true;
	return false;
}

const char *precheck__tz_normalize(const char *tz, const char *system_tz, char *out, size_t n)
{
	int h, m;
	char sign;

	if (!tz)
		tz = "";
	if (str_ieq(tz, "SYSTEM") && system_tz && *system_tz)
		tz = system_tz;
	if (is_utc_name(tz)) {
		str_copy(out, n, "UTC");
	} else if (sscanf(tz, "%c%d:%d", &sign, &h, &m) == 3 && (sign == '+' || sign == '-')) {
		if (h == 0 && m == 0)
			str_copy(out, n, "UTC");
		else
			snprintf(out, n, "%c%02d:%02d", sign, h, m);
	} else {
		str_copy(out, n, tz);
	}
	return out;
}

/* ---- name case ----------------------------------------------------------- */

enum precheck_case precheck__case_mode(const char *reserve_json)
{
	char v[32];

	job_reserve_get(reserve_json, "dbListCaseChangeMode", "default", v, sizeof(v));
	if (str_ieq(v, "dest_lower"))
		return PRECHECK_CASE_LOWER;
	if (str_ieq(v, "dest_upper"))
		return PRECHECK_CASE_UPPER;
	return PRECHECK_CASE_KEEP;
}

const char *precheck__case_apply(enum precheck_case mode, const char *name, char *out, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return out;
	for (; name[i] && i + 1 < n; i++) {
		unsigned char c = (unsigned char)name[i];

		/* ASCII only, as PostgreSQL folds unquoted identifiers. */
		if (mode == PRECHECK_CASE_LOWER && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		else if (mode == PRECHECK_CASE_UPPER && c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 32);
		out[i] = (char)c;
	}
	out[i] = '\0';
	return out;
}

bool precheck__case_only_differ(const char *a, const char *b)
{
	return strcmp(a, b) != 0 && str_ieq(a, b);
}
