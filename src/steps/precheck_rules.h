/*
 * precheck_rules.h - the pure decisions behind the destination and
 * comparison precheck items (precheck_dst.c, precheck_both.c), kept apart
 * from the SQL so that tests/unit/test_precheck_rules.c can check them
 * without servers: supported versions, SHOW GRANTS lines, grant patterns,
 * collation replacements, sql_mode flags, time zone names, the name case
 * policy of the job. Never included outside src/steps/ (and that test).
 * Pure functions over their arguments; thread-safe.
 */
#ifndef OPENDTS_STEPS_PRECHECK_RULES_H
#define OPENDTS_STEPS_PRECHECK_RULES_H

#include <stdbool.h>
#include <stddef.h>

/* ---- server versions ----------------------------------------------------- */

enum precheck_product { PRECHECK_MYSQL = 0, PRECHECK_MARIADB, PRECHECK_POSTGRESQL };

struct precheck_version {
	enum precheck_product product;
	int major, minor, patch;
};

/* Parses a version string: MySQL family as SELECT VERSION() gives it
 * ("10.11.6-MariaDB-log", "8.0.36", "5.5.5-10.4.1-MariaDB" from a proxy),
 * PostgreSQL as server_version ("15.18", "9.6.24", "16beta1"). pg selects
 * the family. False when no leading number is found. */
bool precheck__version_parse(const char *s, bool pg, struct precheck_version *out);
/* True for the destinations opendts writes to: MySQL 5.7 and later,
 * MariaDB 10.2 and later, PostgreSQL 10 and later. */
bool precheck__version_supported(const struct precheck_version *v);
/* "MySQL", "MariaDB" or "PostgreSQL". */
const char *precheck__product_name(enum precheck_product p);

/* ---- MySQL privileges ---------------------------------------------------- */

/* Privilege bits, in the order GRANT statements list them. */
enum {
	PRECHECK_PRIV_SELECT = 1u << 0,
	PRECHECK_PRIV_INSERT = 1u << 1,
	PRECHECK_PRIV_UPDATE = 1u << 2,
	PRECHECK_PRIV_DELETE = 1u << 3,
	PRECHECK_PRIV_CREATE = 1u << 4,
	PRECHECK_PRIV_ALTER = 1u << 5,
	PRECHECK_PRIV_INDEX = 1u << 6,
	PRECHECK_PRIV_REFERENCES = 1u << 7,
	PRECHECK_PRIV_CREATE_VIEW = 1u << 8,
	PRECHECK_PRIV_CREATE_ROUTINE = 1u << 9,
	PRECHECK_PRIV_TRIGGER = 1u << 10,
	PRECHECK_PRIV_ALL = (1u << 11) - 1,
};

/* Writes the names of the bits in privs, ", "-separated in GRANT order
 * ("INSERT, CREATE VIEW"), into out (n bytes); returns out. */
const char *precheck__priv_names(unsigned privs, char *out, size_t n);

enum precheck_grant_level { PRECHECK_GRANT_GLOBAL = 0, PRECHECK_GRANT_DB, PRECHECK_GRANT_TABLE };

struct precheck_grant {
	enum precheck_grant_level level;
	unsigned privs;          /* table-level privileges granted (column grants ignored) */
	char db[256];            /* DB and TABLE level: the name or pattern, unquoted */
	char table[256];         /* TABLE level */
};

/* Parses one line of SHOW GRANTS ("GRANT SELECT, INSERT ON `shop`.* TO
 * `u`@`%`"). Returns 1 and fills g for a privilege grant on *.*, a
 * database or a table; 0 for lines that grant no such privilege (roles,
 * PROXY, routines, USAGE only is still 1 with privs 0); -1 when the line is
 * not understood. */
int precheck__grant_parse(const char *line, struct precheck_grant *g);

/* True when a database-level grant pattern (MySQL LIKE syntax: % and _
 * wildcards, backslash escapes) covers name; ci compares without ASCII
 * case (lower_case_table_names 1 or 2). */
bool precheck__db_pattern_match(const char *pattern, const char *name, bool ci);

/* ---- collations ---------------------------------------------------------- */

/* A collation of the destination that can replace `missing`, chosen from
 * what the destination has (has(ctx, name) says whether it has a
 * collation): MySQL 8 utf8mb4_0900_* and MariaDB uca1400 names map to the
 * nearest Unicode collation of the other server, utf8mb3_/utf8_ spellings
 * to each other, anything else to the default collation of its character
 * set (default_of(ctx, charset), may return NULL) or utf8mb4's. Writes the
 * name into out; returns out, or NULL when nothing fits. */
const char *precheck__collation_suggest(const char *missing,
					bool (*has)(void *ctx, const char *collation),
					const char *(*default_of)(void *ctx, const char *charset),
					void *ctx, char *out, size_t n);

/* The character set part of a collation name ("utf8mb4" of
 * "utf8mb4_0900_ai_ci"), into out. */
const char *precheck__collation_charset(const char *collation, char *out, size_t n);

/* True when values of this MySQL character set can hold text other than
 * ASCII (everything except ascii and binary), i.e. a PostgreSQL database
 * must be UTF8 to receive them unchanged. */
bool precheck__charset_needs_utf8(const char *charset);

/* ---- sql_mode ------------------------------------------------------------ */

/* True when the comma-separated sql_mode value lists mode (exact name,
 * without case). */
bool precheck__sql_mode_has(const char *modes, const char *mode);

struct precheck_sql_mode_rule {
	const char *mode;
	bool changes_data;       /* what is stored or read back differs */
	const char *effect;      /* one clause for the operator */
};
/* The sql_mode flags opendts looks at, ended by a NULL mode. */
extern const struct precheck_sql_mode_rule precheck__sql_mode_rules[];

/* ---- time zones ---------------------------------------------------------- */

/* A comparable spelling of a server time zone: "SYSTEM" becomes the system
 * zone, UTC spellings ("+00:00", "Etc/UTC", "GMT", "UTC", "Z", "Universal",
 * "Zulu") become "UTC", offsets "+8:00" become "+08:00". */
const char *precheck__tz_normalize(const char *tz, const char *system_tz, char *out, size_t n);

/* ---- name case policy ---------------------------------------------------- */

enum precheck_case { PRECHECK_CASE_KEEP = 0, PRECHECK_CASE_LOWER, PRECHECK_CASE_UPPER };

/* The job's Reserve dbListCaseChangeMode: "dest_lower", "dest_upper", else
 * keep ("default", "source", absent). */
enum precheck_case precheck__case_mode(const char *reserve_json);
/* name with ASCII letters folded as mode says, into out. */
const char *precheck__case_apply(enum precheck_case mode, const char *name, char *out, size_t n);
/* True when a and b differ and are equal without ASCII case. */
bool precheck__case_only_differ(const char *a, const char *b);

#endif
