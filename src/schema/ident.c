/*
 * ident.c - identifier rules of the destination dialects (typemap.h):
 * PostgreSQL's 63-byte limit with deterministic shortening, and the
 * reserved words of each dialect.
 *
 * The word lists are sorted (strcmp order, lower case) static arrays
 * searched with bsearch (tests/unit/test_schema.c looks up every PostgreSQL
 * word and words from both ends of the MySQL list, so a misplaced entry
 * fails).
 * Sources: PostgreSQL 15 pg_get_keywords() with catcode R or T (the
 * "reserved" column of the keyword appendix, "can be function or type"
 * included); MariaDB 10.11 words refused as an unquoted column name (each
 * word of information_schema.KEYWORDS tried on a real server) together
 * with the words MySQL 8.0 documents as reserved. Pure and thread-safe.
 */
#include <stdlib.h>
#include <string.h>

#include "schema/typemap.h"
#include "util/codec.h"

#define PG_NAME_MAX 63          /* NAMEDATALEN - 1 */
#define PG_HASH_HEX 8
#define PG_PREFIX_MAX (PG_NAME_MAX - 1 - PG_HASH_HEX)

static const char *const pg_reserved[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
	"authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
	"column", "concurrently", "constraint", "create", "cross", "current_catalog",
	"current_date", "current_role", "current_schema", "current_time", "current_timestamp",
	"current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
	"except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant", "group",
	"having", "ilike", "in", "initially", "inner", "intersect", "into", "is", "isnull",
	"join", "lateral", "leading", "left", "like", "limit", "localtime", "localtimestamp",
	"natural", "not", "notnull", "null", "offset", "on", "only", "or", "order", "outer",
	"overlaps", "placing", "primary", "references", "returning", "right", "select",
	"session_user", "similar", "some", "symmetric", "table", "tablesample", "then", "to",
	"trailing", "true", "union", "unique", "user", "using", "variadic", "verbose", "when",
	"where", "window", "with",
};

static const char *const my_reserved[] = {
	"accessible", "add", "all", "alter", "analyze", "and", "as", "asc", "asensitive",
	"before", "between", "bigint", "binary", "blob", "both", "by", "call", "cascade", "case",
	"change", "char", "character", "check", "collate", "column", "condition", "constraint",
	"continue", "convert", "create", "cross", "cube", "cume_dist", "current_date",
	"current_role", "current_time", "current_timestamp", "current_user", "cursor", "database",
	"databases", "day_hour", "day_microsecond", "day_minute", "day_second", "dec", "decimal",
	"declare", "default", "delayed", "delete", "delete_domain_id", "dense_rank", "desc",
	"describe", "deterministic", "distinct", "distinctrow", "div", "do_domain_ids", "double",
	"drop", "dual", "each", "else", "elseif", "empty", "enclosed", "escaped", "except",
	"exists", "exit", "explain", "false", "fetch", "first_value", "float", "float4", "float8",
	"for", "force", "foreign", "from", "fulltext", "function", "generated", "get", "grant",
	"group", "grouping", "groups", "having", "high_priority", "hour_microsecond",
	"hour_minute", "hour_second", "if", "ignore", "ignore_domain_ids", "in", "index",
	"infile", "inner", "inout", "insensitive", "insert", "int", "int1", "int2", "int3",
	"int4", "int8", "integer", "intersect", "interval", "into", "io_after_gtids",
	"io_before_gtids", "is", "iterate", "join", "json_table", "key", "keys", "kill", "lag",
	"last_value", "lateral", "lead", "leading", "leave", "left", "like", "limit", "linear",
	"lines", "load", "localtime", "localtimestamp", "lock", "long", "longblob", "longtext",
	"loop", "low_priority", "master_bind", "master_demote_to_replica",
	"master_demote_to_slave", "master_ssl_verify_server_cert", "match", "maxvalue",
	"mediumblob", "mediumint", "mediumtext", "middleint", "minute_microsecond",
	"minute_second", "mod", "modifies", "natural", "no_write_to_binlog", "not", "nth_value",
	"ntile", "null", "numeric", "of", "offset", "on", "optimize", "optimizer_costs", "option",
	"optionally", "or", "order", "out", "outer", "outfile", "over", "page_checksum",
	"parse_vcol_expr", "partition", "percent_rank", "portion", "precision", "primary",
	"procedure", "purge", "range", "rank", "read", "read_write", "reads", "real", "recursive",
	"ref_system_id", "references", "regexp", "release", "rename", "repeat", "replace",
	"require", "resignal", "restrict", "return", "returning", "revoke", "right", "rlike",
	"row", "row_number", "rows", "schema", "schemas", "second_microsecond", "select",
	"sensitive", "separator", "set", "show", "signal", "smallint", "spatial", "specific",
	"sql", "sql_big_result", "sql_calc_found_rows", "sql_small_result", "sqlexception",
	"sqlstate", "sqlwarning", "ssl", "starting", "stats_auto_recalc", "stats_persistent",
	"stats_sample_pages", "stored", "straight_join", "system", "table", "terminated", "then",
	"tinyblob", "tinyint", "tinytext", "to", "trailing", "trigger", "true", "undo", "union",
	"unique", "unlock", "unsigned", "update", "usage", "use", "using", "utc_date", "utc_time",
	"utc_timestamp", "values", "varbinary", "varchar", "varcharacter", "varying", "virtual",
	"when", "where", "while", "window", "with", "write", "xor", "year_month", "zerofill",
};

/* Largest length <= max that does not end inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static void copy_cut(const char *name, char *out, size_t n)
{
	size_t len;

	if (n == 0)
		return;
	len = utf8_cut(name, strlen(name), n - 1);
	memcpy(out, name, len);
	out[len] = 0;
}

bool schema_ident_fit(enum schema_dialect d, const char *name, char *out, size_t n)
{
	char hex[65];
	size_t len = strlen(name), keep;

	if (d != SCHEMA_DIALECT_PG || len <= PG_NAME_MAX) {
		copy_cut(name, out, n);
		return false;
	}
	codec_sha256_hex(name, len, hex);
	keep = utf8_cut(name, len, PG_PREFIX_MAX);
	if (n > 0) {
		char tmp[PG_NAME_MAX + 1];
		memcpy(tmp, name, keep);
		tmp[keep] = '_';
		memcpy(tmp + keep + 1, hex, PG_HASH_HEX);
		tmp[keep + 1 + PG_HASH_HEX] = 0;
		copy_cut(tmp, out, n);
	}
	return true;
}

static int cmp_word(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

bool schema_ident_reserved(enum schema_dialect d, const char *name)
{
	char lower[40];
	size_t len = strlen(name);

	if (len == 0 || len >= sizeof(lower))
		return false;       /* every reserved word is shorter */
	for (size_t i = 0; i <= len; i++)
		lower[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] + 32) : name[i];
	if (d == SCHEMA_DIALECT_PG)
		return bsearch(lower, pg_reserved, sizeof(pg_reserved) / sizeof(pg_reserved[0]),
			       sizeof(pg_reserved[0]), cmp_word) != NULL;
	return bsearch(lower, my_reserved, sizeof(my_reserved) / sizeof(my_reserved[0]),
		       sizeof(my_reserved[0]), cmp_word) != NULL;
}
