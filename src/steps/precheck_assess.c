/*
 * precheck_assess.c - the migration assessment of the precheck (step 01):
 * for each selected source object, what will not arrive unchanged in the
 * destination dialect, recorded as ANALYSIS_* items (AnalysisJobProgress of
 * DescribePreCheckStatus, kind META_ITEM_ANALYSIS, one item per object and
 * problem).
 *
 * Every column decision comes from schema/typemap.h (schema_map_column,
 * schema_map_default, schema_map_check_sql, schema_expr_convert,
 * schema_ident_fit, schema_ident_reserved), the functions the schema step
 * renders its DDL with. The mapping joins all the reasons a column changes
 * into one risk and one note, so each item asks it about one aspect through
 * a probe (a copy of the column keeping only that aspect): the item's state
 * is the probe's risk, its text the reasons the aspect adds. What this file
 * decides itself: which findings deserve an item, the wording, the source's
 * sql_mode (read once; a NOT NULL date column "may contain" zero dates when
 * the mode lets them in, since the assessment reads no rows), and a reading
 * of view, routine and trigger SQL for MySQL-only constructs (the mapping
 * converts expressions, not statements).
 *
 * Items: Item ANALYSIS_<X>_ITEM, Names ANALYSIS_<X>_DETAIL (the seed's
 * ANALYSIS_MYSQL_4_ITEM / _DETAIL pattern), ErrMsg ANALYSIS_<X>, ErrDetail
 * ANALYSIS_MYSQL, RepairMethod ANALYSIS_<X>_REPAIR; State Success = nothing
 * changes, Warning = the type or form changes and values are kept, Failed =
 * values may change or the object cannot be converted; CanSkip true.
 *   UNSIGNED_BIGINT, UNSIGNED  unsigned columns
 *   ZERO_DATE                  a zero-date default, or a NOT NULL date column
 *                              under a sql_mode that accepts zero dates
 *   ENUM, SET                  ENUM / SET columns
 *   ON_UPDATE                  ON UPDATE CURRENT_TIMESTAMP (PG: a trigger)
 *   GENERATED_COLUMN           VIRTUAL / STORED columns
 *   DATA_TYPE                  any other column the mapping says may lose
 *                              values, and spatial columns (plain bytes on PG)
 *   COLLATION_CI               per table: its case-insensitive text columns
 *   INDEX_KIND                 FULLTEXT / SPATIAL indexes (PG: not carried)
 *   VIEW_SQL, ROUTINE_SQL, TRIGGER_SQL   with StructureInitialization
 *   RESERVED_WORD, IDENT_LENGTH          destination names of tables,
 *                                        columns, views (indexes: length)
 * To a MySQL-family destination the same findings are listed as Success
 * (the operator sees what was looked at); names are checked against the
 * destination's own rules.
 *
 * Threads: runs on the precheck's calling thread after the check threads
 * were joined, so it may use env->src; it writes the metastore through
 * env->ctx->meta, every item in one transaction. Everything it allocates is
 * freed before it returns.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/typemap.h"
#include "steps/precheck_internal.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

/* ---- item kinds ----------------------------------------------------------- */

enum kind {
	K_UNSIGNED_BIGINT, K_UNSIGNED, K_ZERO_DATE, K_ENUM, K_SET, K_ON_UPDATE,
	K_COLLATION_CI, K_INDEX_KIND, K_GENERATED_COLUMN, K_DATA_TYPE, K_VIEW_SQL,
	K_ROUTINE_SQL, K_TRIGGER_SQL, K_RESERVED_WORD, K_IDENT_LENGTH,
};

static const struct kind_def {
	const char *code;    /* the <X> of the message keys */
	const char *type;    /* ErrType of the log entry */
} kinds[] = {
	[K_UNSIGNED_BIGINT] = { "UNSIGNED_BIGINT", "unsigned_bigint" },
	[K_UNSIGNED] = { "UNSIGNED", "unsigned" },
	[K_ZERO_DATE] = { "ZERO_DATE", "zero_date" },
	[K_ENUM] = { "ENUM", "enum" },
	[K_SET] = { "SET", "set" },
	[K_ON_UPDATE] = { "ON_UPDATE", "on_update" },
	[K_COLLATION_CI] = { "COLLATION_CI", "collation_ci" },
	[K_INDEX_KIND] = { "INDEX_KIND", "index_kind" },
	[K_GENERATED_COLUMN] = { "GENERATED_COLUMN", "generated_column" },
	[K_DATA_TYPE] = { "DATA_TYPE", "data_type" },
	[K_VIEW_SQL] = { "VIEW_SQL", "view_sql" },
	[K_ROUTINE_SQL] = { "ROUTINE_SQL", "routine_sql" },
	[K_TRIGGER_SQL] = { "TRIGGER_SQL", "trigger_sql" },
	[K_RESERVED_WORD] = { "RESERVED_WORD", "reserved_word" },
	[K_IDENT_LENGTH] = { "IDENT_LENGTH", "ident_length" },
};

/* One assessment run. The buffers are scratch space reused per item. */
struct assess {
	const struct precheck_env *env;
	struct meta *meta;
	const char *code;              /* the step code, "01" */
	enum schema_dialect d;
	const char *dst_label;         /* "PostgreSQL" | "MySQL/MariaDB" */
	bool bad_dates_allowed;        /* the source sql_mode lets zero dates in */
	char sql_mode[640];            /* as read, for messages */
	int order;                     /* OrderNum of the last item */
	int64_t now_ms;
	size_t n_items, n_failed, n_warning;
	struct buf def;                /* the source definition: DdlSql and ErrData */
	struct buf msg;                /* ErrMsg of the log entry */
	struct buf key;
	struct buf tmp;
	struct err *err;
};

/* What an item is about. TargetNames is object, or object.sub for a column
 * or an index (then ParentObj is the table). */
struct target {
	const char *phase;             /* StructPhase: Table, View, Procedure, ... */
	const char *src_schema;
	const char *dst_schema;
	const char *object;
	const char *sub;               /* column or index; NULL for the object */
	char sub_kind;                 /* 'c' column, 'i' index (an index may be
					* named like a column) */
	const char *parent;            /* ParentObj when sub is NULL; NULL = "" */
};

static void set_str(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value ? value : "");
}

static const char *level_of(const char *state)
{
	if (strcmp(state, PRECHECK_FAILED) == 0)
		return "ERROR";
	return strcmp(state, PRECHECK_WARNING) == 0 ? "WARN" : "INFO";
}

static const char *risk_state(enum schema_risk r)
{
	if (r == SCHEMA_RISK_NONE)
		return PRECHECK_SUCCESS;
	return r == SCHEMA_RISK_TYPE ? PRECHECK_WARNING : PRECHECK_FAILED;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* "code/phase/<len>:schema/<len>:object/<c|i><len>:sub": unique per
 * object and problem whatever bytes the names hold. */
static void build_key(struct assess *a, enum kind k, const struct target *t)
{
	const char *sub = t->sub ? t->sub : "";

	buf_reset(&a->key);
	buf_printf(&a->key, "%s/%s/%zu:%s/%zu:%s/%c%zu:%s", kinds[k].code, t->phase,
		   strlen(t->src_schema), t->src_schema, strlen(t->object), t->object,
		   t->sub ? t->sub_kind : '-', strlen(sub), sub);
}

static void fill_item(struct assess *a, struct meta_item *it, enum kind k,
		      const char *state, const struct target *t)
{
	char s[96];

	str_copy(it->job_id, sizeof(it->job_id), a->env->job->id);
	str_copy(it->code, sizeof(it->code), a->code);
	it->kind = META_ITEM_ANALYSIS;
	it->order_num = ++a->order;
	it->can_skip = true;
	it->total = 1;
	it->boot_ms = it->finish_ms = a->now_ms;
	build_key(a, k, t);
	set_str(&it->key, buf_cstr(&a->key));
	set_str(&it->phase, t->phase);
	snprintf(s, sizeof(s), "ANALYSIS_%s_ITEM", kinds[k].code);
	set_str(&it->item, s);
	snprintf(s, sizeof(s), "ANALYSIS_%s_DETAIL", kinds[k].code);
	set_str(&it->names, s);
	set_str(&it->state, state);
	snprintf(s, sizeof(s), "ANALYSIS_%s", kinds[k].code);
	set_str(&it->err_msg, s);
	set_str(&it->err_detail, "ANALYSIS_MYSQL");
	snprintf(s, sizeof(s), "ANALYSIS_%s_REPAIR", kinds[k].code);
	set_str(&it->repair_method, s);
	set_str(&it->source_schema, t->src_schema);
	set_str(&it->dest_schema, t->dst_schema);
	if (t->sub) {
		buf_reset(&a->tmp);
		buf_printf(&a->tmp, "%s.%s", t->object, t->sub);
		set_str(&it->target_names, buf_cstr(&a->tmp));
		set_str(&it->parent_obj, t->object);
	} else {
		set_str(&it->target_names, t->object);
		set_str(&it->parent_obj, t->parent);
	}
	set_str(&it->ddl_sql, buf_cstr(&a->def));
}

/* Writes one item with a->def (DdlSql, ErrData) and a->msg (ErrMsg). */
static int record(struct assess *a, enum kind k, const char *state, const struct target *t)
{
	struct meta_item it;
	struct meta_log lg;
	int rc = -1;

	meta_item_init(&it);
	fill_item(a, &it, k, state, t);
	if (meta_item_put(a->meta, &it, a->err) < 0)
		goto cleanup;
	lg = (struct meta_log){
		.err_data = (char *)buf_cstr(&a->def), .err_msg = (char *)buf_cstr(&a->msg),
		.log_level = (char *)level_of(state), .err_type = (char *)kinds[k].type,
	};
	if (meta_item_log_add(a->meta, it.id, &lg, a->err) < 0)
		goto cleanup;
	a->n_items++;
	a->n_failed += strcmp(state, PRECHECK_FAILED) == 0;
	a->n_warning += strcmp(state, PRECHECK_WARNING) == 0;
	rc = 0;
cleanup:
	meta_item_release(&it);
	return rc;
}

/* ---- quoting and definitions ---------------------------------------------- */

/* Appends name quoted for dialect d. */
static void quote_ident(struct buf *b, enum schema_dialect d, const char *name)
{
	if (d == SCHEMA_DIALECT_MYSQL) {
		my_quote_ident(b, name);
		return;
	}
	buf_putc(b, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

static void quote_literal(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'' || *p == '\\')
			buf_putc(b, *p);
		buf_putc(b, *p);
	}
	buf_putc(b, '\'');
}

/* Ends the sentence in b with a period unless it has one. */
static void end_sentence(struct buf *b)
{
	if (b->len && !strchr(".!?", b->data[b->len - 1]))
		buf_putc(b, '.');
}

/* "`db`.`name`" */
static void qualified(struct buf *b, const char *schema, const char *name)
{
	my_quote_ident(b, schema);
	buf_putc(b, '.');
	my_quote_ident(b, name);
}

/* The column as SHOW CREATE TABLE would show it, named name, into b. */
static void column_def_as(struct buf *b, const struct schema_column *c, const char *name)
{
	buf_reset(b);
	my_quote_ident(b, name);
	buf_printf(b, " %s", c->column_type);
	if (*c->charset && *c->collation)
		buf_printf(b, " CHARACTER SET %s COLLATE %s", c->charset, c->collation);
	if (*c->generation_expr)
		buf_printf(b, " GENERATED ALWAYS AS (%s) %s", c->generation_expr,
			   c->generated_stored ? "STORED" : "VIRTUAL");
	if (!c->nullable)
		buf_puts(b, " NOT NULL");
	if (c->has_default) {
		buf_puts(b, " DEFAULT ");
		if (c->default_is_expr)
			buf_puts(b, c->default_value);
		else
			quote_literal(b, c->default_value);
	}
	if (*c->on_update)
		buf_printf(b, " ON UPDATE %s", c->on_update);
	if (c->auto_increment)
		buf_puts(b, " AUTO_INCREMENT");
}

static void column_def(struct buf *b, const struct schema_column *c)
{
	column_def_as(b, c, c->name);
}

static const char *index_word(const struct schema_index *ix)
{
	if (ix->primary)
		return "PRIMARY KEY";
	if (ix->kind == SCHEMA_IDX_FULLTEXT)
		return "FULLTEXT KEY";
	if (ix->kind == SCHEMA_IDX_SPATIAL)
		return "SPATIAL KEY";
	return ix->unique ? "UNIQUE KEY" : "KEY";
}

static void index_def(struct buf *b, const struct schema_index *ix)
{
	buf_reset(b);
	buf_printf(b, "%s ", index_word(ix));
	if (!ix->primary) {
		my_quote_ident(b, ix->name);
		buf_putc(b, ' ');
	}
	buf_putc(b, '(');
	for (size_t i = 0; i < ix->n_parts; i++) {
		if (i)
			buf_putc(b, ',');
		my_quote_ident(b, ix->parts[i].column);
		if (ix->parts[i].prefix_len > 0)
			buf_printf(b, "(%d)", ix->parts[i].prefix_len);
		if (ix->parts[i].descending)
			buf_puts(b, " DESC");
	}
	buf_putc(b, ')');
}

/* ---- MySQL-only SQL (for a PostgreSQL destination) ------------------------
 * A small lexer walks the SQL text, skipping comments, strings and quoted
 * identifiers, and lists the constructs PostgreSQL does not read the same
 * way, each once, with the PostgreSQL spelling. It is a reading aid for the
 * person who converts the object, not a parser: what it does not list may
 * still need care, which is why views are Failed whenever it lists
 * anything. Backtick quoting alone is a mechanical rewrite (kept apart). */

struct sql_rule {
	const char *word;
	const char *hint;
};

/* Functions that PostgreSQL lacks or reads differently (word + "("). */
static const struct sql_rule sql_functions[] = {
	{ "ADDDATE", "ADDDATE() (PostgreSQL: date + interval)" },
	{ "ADDTIME", "ADDTIME() (PostgreSQL: + interval)" },
	{ "AES_ENCRYPT", "AES_ENCRYPT() (PostgreSQL: pgcrypto encrypt())" },
	{ "AES_DECRYPT", "AES_DECRYPT() (PostgreSQL: pgcrypto decrypt())" },
	{ "ANY_VALUE", "ANY_VALUE() (PostgreSQL: min() or a GROUP BY column)" },
	{ "BIN", "BIN() (PostgreSQL: x::bit(n))" },
	{ "BIT_COUNT", "BIT_COUNT() (PostgreSQL: bit_count() on bit strings)" },
	{ "CHARSET", "CHARSET() (no PostgreSQL equivalent)" },
	{ "CONCAT", "CONCAT() (PostgreSQL ignores NULL arguments, MySQL returns NULL)" },
	{ "CONNECTION_ID", "CONNECTION_ID() (PostgreSQL: pg_backend_pid())" },
	{ "CONV", "CONV() (no PostgreSQL equivalent)" },
	{ "CONVERT", "CONVERT() (PostgreSQL: CAST or convert_to())" },
	{ "CONVERT_TZ", "CONVERT_TZ() (PostgreSQL: AT TIME ZONE)" },
	{ "CRC32", "CRC32() (no PostgreSQL built-in)" },
	{ "CURDATE", "CURDATE() (PostgreSQL: CURRENT_DATE)" },
	{ "CURTIME", "CURTIME() (PostgreSQL: CURRENT_TIME)" },
	{ "DATABASE", "DATABASE() (PostgreSQL: current_schema())" },
	{ "DATEDIFF", "DATEDIFF() (PostgreSQL: date - date)" },
	{ "DATE_ADD", "DATE_ADD() (PostgreSQL: + interval)" },
	{ "DATE_FORMAT", "DATE_FORMAT() (PostgreSQL: to_char())" },
	{ "DATE_SUB", "DATE_SUB() (PostgreSQL: - interval)" },
	{ "DAY", "DAY() (PostgreSQL: extract(day from ...))" },
	{ "DAYNAME", "DAYNAME() (PostgreSQL: to_char(..., 'Day'))" },
	{ "DAYOFMONTH", "DAYOFMONTH() (PostgreSQL: extract(day from ...))" },
	{ "DAYOFWEEK", "DAYOFWEEK() (PostgreSQL: extract(dow from ...) + 1)" },
	{ "DAYOFYEAR", "DAYOFYEAR() (PostgreSQL: extract(doy from ...))" },
	{ "ELT", "ELT() (PostgreSQL: (ARRAY[...])[n])" },
	{ "FIELD", "FIELD() (PostgreSQL: array_position())" },
	{ "FIND_IN_SET", "FIND_IN_SET() (PostgreSQL: array_position(string_to_array(...)))" },
	{ "FORMAT", "FORMAT() (PostgreSQL: to_char(); format() differs)" },
	{ "FOUND_ROWS", "FOUND_ROWS() (no PostgreSQL equivalent)" },
	{ "FROM_DAYS", "FROM_DAYS() (PostgreSQL: date arithmetic)" },
	{ "FROM_UNIXTIME", "FROM_UNIXTIME() (PostgreSQL: to_timestamp())" },
	{ "GET_LOCK", "GET_LOCK() (PostgreSQL: pg_advisory_lock())" },
	{ "GROUP_CONCAT", "GROUP_CONCAT() (PostgreSQL: string_agg())" },
	{ "HEX", "HEX() (PostgreSQL: encode(..., 'hex') or to_hex())" },
	{ "HOUR", "HOUR() (PostgreSQL: extract(hour from ...))" },
	{ "IF", "IF() (PostgreSQL: CASE WHEN ... THEN ... ELSE ... END)" },
	{ "IFNULL", "IFNULL() (PostgreSQL: COALESCE())" },
	{ "INET_ATON", "INET_ATON() (PostgreSQL: inet arithmetic)" },
	{ "INET_NTOA", "INET_NTOA() (PostgreSQL: inet arithmetic)" },
	{ "INSTR", "INSTR() (PostgreSQL: strpos())" },
	{ "ISNULL", "ISNULL() (PostgreSQL: IS NULL)" },
	{ "JSON_CONTAINS", "JSON_CONTAINS() (PostgreSQL: @>)" },
	{ "JSON_EXTRACT", "JSON_EXTRACT() (PostgreSQL: -> / #> / jsonb_path_query())" },
	{ "JSON_LENGTH", "JSON_LENGTH() (PostgreSQL: jsonb_array_length())" },
	{ "JSON_OBJECT", "JSON_OBJECT() (PostgreSQL: json_build_object())" },
	{ "JSON_SET", "JSON_SET() (PostgreSQL: jsonb_set())" },
	{ "JSON_UNQUOTE", "JSON_UNQUOTE() (PostgreSQL: ->>)" },
	{ "LAST_DAY", "LAST_DAY() (PostgreSQL: date_trunc('month', ...) + interval)" },
	{ "LAST_INSERT_ID", "LAST_INSERT_ID() (PostgreSQL: RETURNING or currval())" },
	{ "LCASE", "LCASE() (PostgreSQL: lower())" },
	{ "LENGTH", "LENGTH() (bytes in MySQL, characters in PostgreSQL: octet_length())" },
	{ "LOCATE", "LOCATE() (PostgreSQL: strpos())" },
	{ "MAKEDATE", "MAKEDATE() (PostgreSQL: make_date())" },
	{ "MATCH", "MATCH ... AGAINST (PostgreSQL: to_tsvector() @@ to_tsquery())" },
	{ "MICROSECOND", "MICROSECOND() (PostgreSQL: extract(microseconds from ...))" },
	{ "MID", "MID() (PostgreSQL: substr())" },
	{ "MINUTE", "MINUTE() (PostgreSQL: extract(minute from ...))" },
	{ "MONTH", "MONTH() (PostgreSQL: extract(month from ...))" },
	{ "MONTHNAME", "MONTHNAME() (PostgreSQL: to_char(..., 'Month'))" },
	{ "OCT", "OCT() (no PostgreSQL built-in)" },
	{ "PERIOD_ADD", "PERIOD_ADD() (PostgreSQL: date arithmetic)" },
	{ "PERIOD_DIFF", "PERIOD_DIFF() (PostgreSQL: date arithmetic)" },
	{ "QUARTER", "QUARTER() (PostgreSQL: extract(quarter from ...))" },
	{ "RAND", "RAND() (PostgreSQL: random())" },
	{ "RELEASE_LOCK", "RELEASE_LOCK() (PostgreSQL: pg_advisory_unlock())" },
	{ "ROW_COUNT", "ROW_COUNT() (PostgreSQL: GET DIAGNOSTICS ... ROW_COUNT)" },
	{ "SECOND", "SECOND() (PostgreSQL: extract(second from ...))" },
	{ "SEC_TO_TIME", "SEC_TO_TIME() (PostgreSQL: make_interval(secs => ...))" },
	{ "SHA", "SHA() (PostgreSQL: sha1 via pgcrypto digest())" },
	{ "SHA1", "SHA1() (PostgreSQL: pgcrypto digest(..., 'sha1'))" },
	{ "SHA2", "SHA2() (PostgreSQL: sha256() / sha512())" },
	{ "SLEEP", "SLEEP() (PostgreSQL: pg_sleep())" },
	{ "SPACE", "SPACE() (PostgreSQL: repeat(' ', n))" },
	{ "STD", "STD() (PostgreSQL: stddev_pop())" },
	{ "STRCMP", "STRCMP() (PostgreSQL: CASE over comparisons)" },
	{ "STR_TO_DATE", "STR_TO_DATE() (PostgreSQL: to_date() / to_timestamp())" },
	{ "SUBDATE", "SUBDATE() (PostgreSQL: date - interval)" },
	{ "SUBSTRING_INDEX", "SUBSTRING_INDEX() (PostgreSQL: split_part())" },
	{ "SUBTIME", "SUBTIME() (PostgreSQL: - interval)" },
	{ "SYSDATE", "SYSDATE() (PostgreSQL: clock_timestamp())" },
	{ "TIMEDIFF", "TIMEDIFF() (PostgreSQL: time - time)" },
	{ "TIMESTAMPADD", "TIMESTAMPADD() (PostgreSQL: + interval)" },
	{ "TIMESTAMPDIFF", "TIMESTAMPDIFF() (PostgreSQL: extract(epoch from ...))" },
	{ "TIME_FORMAT", "TIME_FORMAT() (PostgreSQL: to_char())" },
	{ "TIME_TO_SEC", "TIME_TO_SEC() (PostgreSQL: extract(epoch from ...))" },
	{ "TO_DAYS", "TO_DAYS() (PostgreSQL: date arithmetic)" },
	{ "TO_SECONDS", "TO_SECONDS() (PostgreSQL: extract(epoch from ...))" },
	{ "TRUNCATE", "TRUNCATE() (PostgreSQL: trunc())" },
	{ "UCASE", "UCASE() (PostgreSQL: upper())" },
	{ "UNHEX", "UNHEX() (PostgreSQL: decode(..., 'hex'))" },
	{ "UNIX_TIMESTAMP", "UNIX_TIMESTAMP() (PostgreSQL: extract(epoch from ...))" },
	{ "UTC_DATE", "UTC_DATE() (PostgreSQL: (now() AT TIME ZONE 'UTC')::date)" },
	{ "UTC_TIMESTAMP", "UTC_TIMESTAMP() (PostgreSQL: now() AT TIME ZONE 'UTC')" },
	{ "UUID", "UUID() (PostgreSQL: gen_random_uuid())" },
	{ "WEEK", "WEEK() (PostgreSQL: extract(week from ...))" },
	{ "WEEKDAY", "WEEKDAY() (PostgreSQL: extract(isodow from ...) - 1)" },
	{ "YEAR", "YEAR() (PostgreSQL: extract(year from ...))" },
	{ "YEARWEEK", "YEARWEEK() (PostgreSQL: to_char(..., 'IYYYIW'))" },
};

/* Words (not followed by "(") that PostgreSQL lacks or reads differently. */
static const struct sql_rule sql_words[] = {
	{ "DIV", "DIV (PostgreSQL: div(a, b))" },
	{ "XOR", "XOR (PostgreSQL: a <> b on booleans)" },
	{ "REGEXP", "REGEXP (PostgreSQL: ~)" },
	{ "RLIKE", "RLIKE (PostgreSQL: ~)" },
	{ "STRAIGHT_JOIN", "STRAIGHT_JOIN (PostgreSQL: JOIN)" },
	{ "SQL_CALC_FOUND_ROWS", "SQL_CALC_FOUND_ROWS (PostgreSQL: count(*) OVER ())" },
	{ "SQL_NO_CACHE", "SQL_NO_CACHE (no PostgreSQL equivalent)" },
	{ "SIGNED", "CAST(... AS SIGNED) (PostgreSQL: AS bigint)" },
	{ "UNSIGNED", "UNSIGNED types and casts (PostgreSQL has none: numeric or a CHECK)" },
	{ "CHARSET", "character set clauses (PostgreSQL: none in expressions)" },
	{ "DUAL", "FROM DUAL (PostgreSQL: no FROM)" },
	{ "DUPLICATE", "ON DUPLICATE KEY UPDATE (PostgreSQL: ON CONFLICT ... DO UPDATE)" },
	{ "IGNORE", "IGNORE (PostgreSQL: ON CONFLICT DO NOTHING; no index hints)" },
	{ "REPLACE", "REPLACE INTO (PostgreSQL: INSERT ... ON CONFLICT DO UPDATE)" },
	{ "SIGNAL", "SIGNAL (PostgreSQL: RAISE EXCEPTION)" },
	{ "RESIGNAL", "RESIGNAL (PostgreSQL: RAISE)" },
	{ "HANDLER", "DECLARE ... HANDLER (PostgreSQL: EXCEPTION blocks)" },
	{ "LEAVE", "LEAVE (PostgreSQL: EXIT)" },
	{ "ITERATE", "ITERATE (PostgreSQL: CONTINUE)" },
};

/* Constructs recognised by shape rather than by word. */
enum sql_shape {
	S_LIMIT_COMMA, S_INTERVAL, S_NULL_SAFE_EQ, S_ASSIGN, S_PIPES, S_VARIABLE,
	S_HEX, S_DQUOTE, S_BACKSLASH, S_EXEC_COMMENT, S_INTRODUCER, S_HASH_COMMENT,
	S_EMPTY_PARENS, S_DIVIDE, S__COUNT
};

static const char *const sql_shapes[S__COUNT] = {
	[S_LIMIT_COMMA] = "LIMIT offset, count (PostgreSQL: LIMIT count OFFSET offset)",
	[S_INTERVAL] = "INTERVAL n UNIT (PostgreSQL: INTERVAL 'n unit')",
	[S_NULL_SAFE_EQ] = "<=> (PostgreSQL: IS NOT DISTINCT FROM)",
	[S_ASSIGN] = ":= assignments to variables (PostgreSQL: PL/pgSQL variables)",
	[S_PIPES] = "|| (logical OR in MySQL, string concatenation in PostgreSQL)",
	[S_VARIABLE] = "variables @name / @@name (PostgreSQL: PL/pgSQL variables, "
		       "current_setting())",
	[S_HEX] = "hexadecimal literals 0x... (PostgreSQL: '\\x...'::bytea)",
	[S_DQUOTE] = "double-quoted strings (identifiers in PostgreSQL: use single quotes)",
	[S_BACKSLASH] = "backslash escapes in strings (PostgreSQL: E'...' strings)",
	[S_EXEC_COMMENT] = "executable comments /*! ... */",
	[S_INTRODUCER] = "character set introducers such as _utf8mb4'...'",
	[S_HASH_COMMENT] = "# comments (PostgreSQL: --)",
	[S_EMPTY_PARENS] = "CURRENT_TIMESTAMP() and the like with empty parentheses "
			   "(PostgreSQL: without them)",
	[S_DIVIDE] = "/ (integer division in PostgreSQL when both operands are integers; "
		     "MySQL returns a decimal)",
};

#define N_FUNCTIONS (sizeof(sql_functions) / sizeof(sql_functions[0]))
#define N_WORDS (sizeof(sql_words) / sizeof(sql_words[0]))
#define N_RULES (N_FUNCTIONS + N_WORDS + S__COUNT)

struct sql_scan {
	bool program;          /* a stored-program body: IF ... THEN is a statement */
	bool backticks;        /* identifiers quoted with backticks were seen */
	size_t n_found;
	bool seen[N_RULES];
	struct buf *out;       /* the findings, "; "-separated */
};

static void found(struct sql_scan *s, size_t rule, const char *hint)
{
	if (s->seen[rule])
		return;
	s->seen[rule] = true;
	buf_printf(s->out, "%s%s", s->n_found++ ? "; " : "", hint);
}

static void found_shape(struct sql_scan *s, enum sql_shape sh)
{
	found(s, N_FUNCTIONS + N_WORDS + (size_t)sh, sql_shapes[sh]);
}

static bool word_byte(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static const char *skip_space(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

/* Past the closing quote q of a string starting at p (the opening quote). */
static const char *skip_string(struct sql_scan *s, const char *p, char q)
{
	for (p++; *p; p++) {
		if (*p == '\\' && p[1]) {
			found_shape(s, S_BACKSLASH);
			p++;
		} else if (*p == q) {
			if (p[1] != q)
				return p + 1;
			p++;
		}
	}
	return p;
}

static const char *skip_backticks(const char *p)
{
	for (p++; *p; p++)
		if (*p == '`' && *++p != '`')
			return p;
	return p;
}

static const char *skip_comment(struct sql_scan *s, const char *p)
{
	if (p[0] == '/') {
		const char *end = strstr(p + 2, "*/");
		if (p[2] == '!')
			found_shape(s, S_EXEC_COMMENT);
		return end ? end + 2 : p + strlen(p);
	}
	if (p[0] == '#')
		found_shape(s, S_HASH_COMMENT);
	while (*p && *p != '\n')
		p++;
	return p;
}

static bool is_comment(const char *p)
{
	return (p[0] == '/' && p[1] == '*') || p[0] == '#' ||
	       (p[0] == '-' && p[1] == '-' && (!p[2] || isspace((unsigned char)p[2])));
}

static bool word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && strncasecmp(w, lit, n) == 0;
}

/* What follows LIMIT and INTERVAL: "LIMIT 10, 20" and "INTERVAL 1 DAY". */
static void word_context(struct sql_scan *s, const char *w, size_t n, const char *after)
{
	const char *p = skip_space(after);

	if (word_is(w, n, "LIMIT") && isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p))
			p++;
		if (*skip_space(p) == ',')
			found_shape(s, S_LIMIT_COMMA);
	} else if (word_is(w, n, "INTERVAL") && *p && *p != '\'' && *p != '(') {
		found_shape(s, S_INTERVAL);
	}
}

static bool empty_parens_word(const char *w, size_t n)
{
	static const char *const words[] = {
		"CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIME",
		"LOCALTIMESTAMP", "CURRENT_USER",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (word_is(w, n, words[i]))
			return true;
	return false;
}

/* A word at p: a function call, a keyword, or an identifier. */
static const char *scan_word(struct sql_scan *s, const char *p)
{
	const char *w = p, *after;
	size_t n;

	while (word_byte((unsigned char)*p))
		p++;
	n = (size_t)(p - w);
	if (w[0] == '_' && n > 1 && *p == '\'') {
		found_shape(s, S_INTRODUCER);
		return p;
	}
	after = skip_space(p);
	if (*after == '(') {
		if (empty_parens_word(w, n) && *skip_space(after + 1) == ')')
			found_shape(s, S_EMPTY_PARENS);
		for (size_t i = 0; i < N_FUNCTIONS; i++)
			if (word_is(w, n, sql_functions[i].word) &&
			    !(s->program && word_is(w, n, "IF")))
				found(s, i, sql_functions[i].hint);
		return p;
	}
	for (size_t i = 0; i < N_WORDS; i++)
		if (word_is(w, n, sql_words[i].word))
			found(s, N_FUNCTIONS + i, sql_words[i].hint);
	word_context(s, w, n, p);
	return p;
}

/* Numbers, with 0x... hexadecimal literals. */
static const char *scan_number(struct sql_scan *s, const char *p)
{
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2]))
		found_shape(s, S_HEX);
	while (word_byte((unsigned char)*p) || *p == '.')
		p++;
	return p;
}

/* Operators: <=>, :=, ||, /, @variables. Returns p past what it read. */
static const char *scan_operator(struct sql_scan *s, const char *p)
{
	if (strncmp(p, "<=>", 3) == 0) {
		found_shape(s, S_NULL_SAFE_EQ);
		return p + 3;
	}
	if (strncmp(p, ":=", 2) == 0) {
		found_shape(s, S_ASSIGN);
		return p + 2;
	}
	if (strncmp(p, "||", 2) == 0) {
		found_shape(s, S_PIPES);
		return p + 2;
	}
	if (p[0] == '/')
		found_shape(s, S_DIVIDE);
	if (p[0] == '@' && (p[1] == '@' || word_byte((unsigned char)p[1])))
		found_shape(s, S_VARIABLE);
	return p + 1;
}

/* Lists the MySQL-only constructs of sql into s->out. */
static void sql_scan(struct sql_scan *s, const char *sql)
{
	const char *p = sql;

	while (*p) {
		unsigned char c = (unsigned char)*p;

		if (isspace(c))
			p++;
		else if (is_comment(p))
			p = skip_comment(s, p);
		else if (c == '\'')
			p = skip_string(s, p, '\'');
		else if (c == '"') {
			found_shape(s, S_DQUOTE);
			p = skip_string(s, p, '"');
		} else if (c == '`') {
			s->backticks = true;
			p = skip_backticks(p);
		} else if (isdigit(c))
			p = scan_number(s, p);
		else if (word_byte(c))
			p = scan_word(s, p);
		else
			p = scan_operator(s, p);
	}
}

/* ---- the source's sql_mode -------------------------------------------------- */

static bool mode_has(const char *modes, const char *mode)
{
	size_t n = strlen(mode);

	for (const char *p = modes; (p = strstr(p, mode)) != NULL; p += n)
		if ((p == modes || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Whether the source accepts dates PostgreSQL cannot hold: zero dates,
 * zero months or days, invalid dates. Unknown counts as yes. */
static void read_sql_mode(struct assess *a)
{
	struct err e = { 0 };
	char *v = NULL;
	bool strict;

	a->bad_dates_allowed = true;
	str_copy(a->sql_mode, sizeof(a->sql_mode), "unknown");
	if (!a->env->src || my_query_value(a->env->src, "SELECT @@GLOBAL.sql_mode", &v, &e) < 0) {
		log_warn("precheck.assess", "job_id=%s msg=\"source sql_mode not read\"",
			 a->env->job->id);
		return;
	}
	str_copy(a->sql_mode, sizeof(a->sql_mode), v ? v : "");
	strict = mode_has(a->sql_mode, "STRICT_TRANS_TABLES") ||
		 mode_has(a->sql_mode, "STRICT_ALL_TABLES");
	a->bad_dates_allowed = !strict || !mode_has(a->sql_mode, "NO_ZERO_DATE") ||
			       !mode_has(a->sql_mode, "NO_ZERO_IN_DATE") ||
			       mode_has(a->sql_mode, "ALLOW_INVALID_DATES");
	free(v);
}

/* ---- columns -------------------------------------------------------------- */

/* The mapping joins every reason a column changes into one risk and one
 * note ("; "-separated). To word one item per problem, a probe maps a copy
 * of the column that keeps only some aspects: an item's state is its
 * probe's risk, and its note the reasons the probe adds to the base probe
 * (which keeps none of them). */
enum {
	P_COLLATION = 1,      /* the column's collation */
	P_ON_UPDATE = 2,
	P_GENERATED = 4,
	P_NOT_NULL_DATE = 8,  /* NOT NULL on a date type: zero dates are refused */
	P_ZERO_DEFAULT = 16,  /* a zero-date default */
};

static bool is_date_type(enum schema_type t)
{
	return t == SCHEMA_T_DATE || t == SCHEMA_T_DATETIME || t == SCHEMA_T_TIMESTAMP;
}

static bool is_text_type(enum schema_type t)
{
	return t == SCHEMA_T_CHAR || t == SCHEMA_T_VARCHAR || t == SCHEMA_T_TINYTEXT ||
	       t == SCHEMA_T_TEXT || t == SCHEMA_T_MEDIUMTEXT || t == SCHEMA_T_LONGTEXT;
}

/* A date literal with a zero year, month or day ('0000-00-00',
 * '2020-00-15'): the type mapping's rule. */
static bool zero_date_text(const char *v)
{
	int y, mo, d;

	return sscanf(v, "%4d-%2d-%2d", &y, &mo, &d) == 3 && (y == 0 || mo == 0 || d == 0);
}

static bool has_zero_default(const struct schema_column *c)
{
	return is_date_type(c->type) && c->has_default && !c->default_is_expr &&
	       zero_date_text(c->default_value);
}

static bool collation_ci(const char *collation)
{
	size_t n = strlen(collation);

	return n > 3 && strcmp(collation + n - 3, "_ci") == 0;
}

static void map_probe(const struct assess *a, const struct schema_column *c, unsigned keep,
		      struct schema_mapping *m)
{
	struct schema_column p = *c;

	if (!(keep & P_COLLATION))
		p.collation = (char *)"";
	if (!(keep & P_ON_UPDATE))
		p.on_update = (char *)"";
	if (!(keep & P_GENERATED))
		p.generation_expr = (char *)"";
	if (!(keep & P_NOT_NULL_DATE) && is_date_type(c->type))
		p.nullable = true;
	if (!(keep & P_ZERO_DEFAULT) && has_zero_default(c))
		p.has_default = false;
	schema_map_column(&p, a->d, m);
}

/* Whether the reason p[0..n) is one of the "; "-separated reasons of note. */
static bool has_reason(const char *note, const char *p, size_t n)
{
	const char *q = note;

	while (*q) {
		const char *end = strstr(q, "; ");
		size_t len = end ? (size_t)(end - q) : strlen(q);

		if (len == n && strncmp(q, p, n) == 0)
			return true;
		q += len;
		if (end)
			q += 2;
	}
	return false;
}

/* Appends to out the reasons of note that base lacks, "; "-separated. */
static void note_minus(struct buf *out, const char *note, const char *base)
{
	const char *p = note;

	while (*p) {
		const char *end = strstr(p, "; ");
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n && !has_reason(base, p, n) && !has_reason(buf_cstr(out), p, n))
			buf_printf(out, "%s%.*s", out->len ? "; " : "", (int)n, p);
		p += n;
		if (end)
			p += 2;
	}
}

/* One column under assessment. */
struct col {
	const struct schema_resolved *r;
	const struct schema_column *c;
	const char *dst_name;          /* its destination name */
	struct schema_mapping base;    /* the base probe */
	struct target t;
};

/* Appends " CHECK (...)" when the mapping adds one for the column. */
static void say_check(struct assess *a, const struct col *k)
{
	struct buf name, chk;

	buf_init(&name, BUF_UNLIMITED);
	buf_init(&chk, BUF_UNLIMITED);
	quote_ident(&name, a->d, k->dst_name);
	if (schema_map_check_sql(k->c, a->d, buf_cstr(&name), &chk) == 0 && chk.len)
		buf_printf(&a->msg, " CHECK (%s)", buf_cstr(&chk));
	buf_release(&chk);
	buf_release(&name);
}

/* Appends " <Dst> gets: <definition>." from the mapping m of the aspect:
 * name, type, generation, identity, NOT NULL, DEFAULT, CHECK. A MySQL
 * destination gets the source definition (the mapping copies it). */
static void say_gets(struct assess *a, const struct col *k, unsigned keep,
		     const struct schema_mapping *m)
{
	const struct schema_column *c = k->c;
	struct buf *b = &a->msg, x;
	char why[200];

	buf_init(&x, BUF_UNLIMITED);
	buf_printf(b, " %s gets: ", a->dst_label);
	if (a->d == SCHEMA_DIALECT_MYSQL) {
		column_def_as(&x, c, k->dst_name);
		buf_printf(b, "%s.", buf_cstr(&x));
		buf_release(&x);
		return;
	}
	quote_ident(b, a->d, k->dst_name);
	buf_printf(b, " %s", *m->dst_type ? m->dst_type : "(no type)");
	if ((keep & P_GENERATED) && *c->generation_expr &&
	    schema_expr_convert(a->d, c->generation_expr, &x, why, sizeof(why)) == 0)
		buf_printf(b, " GENERATED ALWAYS AS (%s) STORED", buf_cstr(&x));
	if (m->identity)
		buf_puts(b, " GENERATED BY DEFAULT AS IDENTITY");
	if (!c->nullable)
		buf_puts(b, " NOT NULL");
	buf_reset(&x);
	if (schema_map_default(c, a->d, &x, why, sizeof(why)) == 0 && x.len)
		buf_printf(b, " DEFAULT %s", buf_cstr(&x));
	buf_release(&x);
	say_check(a, k);
	buf_putc(b, '.');
}

/* " Data may change: yes|no." for a mapping risk. */
static void say_data_change(struct buf *b, enum schema_risk r)
{
	if (r == SCHEMA_RISK_UNSUPPORTED)
		buf_puts(b, " Data may change: no, but the object cannot be converted as it "
			 "is (the type mapping has no faithful form for it).");
	else
		buf_printf(b, " Data may change: %s.", yes_no(r >= SCHEMA_RISK_DATA));
}

/* Records a column item: "column db.t.c: <what>. Source: <def>. <Dst>
 * gets: <definition>. Type mapping: <note>. Data may change: yes|no."
 * with what in a->tmp, the source definition in a->def, m the aspect's
 * mapping and note its reasons (or same, when it has none). */
static int column_item(struct assess *a, const struct col *k, enum kind kd, const char *state,
		       unsigned keep, const struct schema_mapping *m, const char *note,
		       const char *same)
{
	struct buf *b = &a->msg;

	buf_reset(b);
	buf_printf(b, "column %s.%s.%s: %s", k->r->table->schema, k->r->table->name,
		   k->c->name, buf_cstr(&a->tmp));
	end_sentence(b);
	buf_printf(b, " Source: %s.", buf_cstr(&a->def));
	say_gets(a, k, keep, m);
	if (note && *note)
		buf_printf(b, " Type mapping: %s", note);
	else
		buf_printf(b, " %s", same ? same : "Carried unchanged");
	end_sentence(b);
	say_data_change(b, m->risk);
	return record(a, kd, state, &k->t);
}

/* An item for the aspect keep: the probe's risk, the reasons it adds;
 * state NULL = from the risk; same: what to say when nothing changes. */
static int aspect_item(struct assess *a, const struct col *k, enum kind kd, unsigned keep,
		       const char *state, const char *same)
{
	struct schema_mapping m;
	struct buf note;
	int rc;

	map_probe(a, k->c, keep, &m);
	buf_init(&note, BUF_UNLIMITED);
	note_minus(&note, m.note, k->base.note);
	rc = column_item(a, k, kd, state ? state : risk_state(m.risk), keep, &m,
			 buf_cstr(&note), same);
	buf_release(&note);
	return rc;
}

static int check_unsigned(struct assess *a, const struct col *k)
{
	bool big = k->c->type == SCHEMA_T_BIGINT;

	buf_reset(&a->tmp);
	buf_printf(&a->tmp, "%s", big ? "unsigned BIGINT" : "unsigned numeric type");
	return column_item(a, k, big ? K_UNSIGNED_BIGINT : K_UNSIGNED, risk_state(k->base.risk),
			   0, &k->base, k->base.note, NULL);
}

static int check_enum_set(struct assess *a, const struct col *k)
{
	bool is_set = k->c->type == SCHEMA_T_SET;

	buf_reset(&a->tmp);
	buf_printf(&a->tmp, "%s with %zu member%s", is_set ? "SET" : "ENUM",
		   k->c->n_enum_values, k->c->n_enum_values == 1 ? "" : "s");
	return column_item(a, k, is_set ? K_SET : K_ENUM, risk_state(k->base.risk), 0,
			   &k->base, k->base.note, NULL);
}

/* "...; to know, run SELECT COUNT(*) FROM `db`.`t` WHERE MONTH(`c`) = 0 OR ..." */
static void say_zero_date_query(struct buf *b, const struct col *k)
{
	buf_puts(b, "; to know, run SELECT COUNT(*) FROM ");
	qualified(b, k->r->table->schema, k->r->table->name);
	buf_puts(b, " WHERE YEAR(");
	my_quote_ident(b, k->c->name);
	buf_puts(b, ") = 0 OR MONTH(");
	my_quote_ident(b, k->c->name);
	buf_puts(b, ") = 0 OR DAY(");
	my_quote_ident(b, k->c->name);
	buf_puts(b, ") = 0");
}

#define ZERO_DATE_SAME "Carried unchanged, provided the destination's sql_mode accepts " \
	"zero dates (CHECK_SQL_MODE compares the two servers)"

/* Zero dates: a zero-date default (certain), or NOT NULL under a sql_mode
 * that lets them in (possible: the assessment reads no rows). Returns 1
 * when it recorded an item, 0 when there is nothing to say. */
static int check_zero_date(struct assess *a, const struct col *k)
{
	const struct schema_column *c = k->c;

	if (!is_date_type(c->type))
		return 0;
	buf_reset(&a->tmp);
	if (has_zero_default(c)) {
		buf_printf(&a->tmp, "zero-date default DEFAULT '%s'", c->default_value);
		return aspect_item(a, k, K_ZERO_DATE, P_NOT_NULL_DATE | P_ZERO_DEFAULT, NULL,
				   ZERO_DATE_SAME) < 0 ? -1 : 1;
	}
	if (c->nullable || !a->bad_dates_allowed)
		return 0;
	buf_printf(&a->tmp, "NOT NULL %s column that may contain zero dates: the source's "
		   "sql_mode (%s) accepts dates with a zero year, month or day, and the "
		   "assessment reads no rows", schema_type_name(c->type),
		   *a->sql_mode ? a->sql_mode : "empty");
	say_zero_date_query(&a->tmp, k);
	return aspect_item(a, k, K_ZERO_DATE, P_NOT_NULL_DATE, NULL, ZERO_DATE_SAME) < 0 ? -1 : 1;
}

static int check_on_update(struct assess *a, const struct col *k)
{
	struct schema_mapping m;

	map_probe(a, k->c, P_ON_UPDATE, &m);
	buf_reset(&a->tmp);
	buf_printf(&a->tmp, "ON UPDATE %s", k->c->on_update);
	/* Without the trigger the clause would be lost on PostgreSQL. */
	return aspect_item(a, k, K_ON_UPDATE, P_ON_UPDATE,
			   a->d == SCHEMA_DIALECT_PG && !m.needs_on_update_trigger ?
			   PRECHECK_FAILED : NULL, NULL);
}

static int check_generated(struct assess *a, const struct col *k)
{
	buf_reset(&a->tmp);
	buf_printf(&a->tmp, "%s generated column AS (%s)",
		   k->c->generated_stored ? "STORED" : "VIRTUAL", k->c->generation_expr);
	return aspect_item(a, k, K_GENERATED_COLUMN, P_GENERATED, NULL, NULL);
}

static bool is_spatial_type(enum schema_type t)
{
	return t >= SCHEMA_T_GEOMETRY && t <= SCHEMA_T_GEOMETRYCOLLECTION;
}

/* Whatever else the mapping says may change values, and spatial columns
 * (their values become plain bytes), once per column. */
static bool data_type_notable(const struct col *k)
{
	return k->base.risk >= SCHEMA_RISK_DATA ||
	       (k->base.risk == SCHEMA_RISK_TYPE && is_spatial_type(k->c->type));
}

static int check_data_type(struct assess *a, const struct col *k)
{
	buf_reset(&a->tmp);
	buf_printf(&a->tmp, "type %s", k->c->column_type);
	return column_item(a, k, K_DATA_TYPE, risk_state(k->base.risk), 0, &k->base,
			   k->base.note, NULL);
}

/* ---- names ---------------------------------------------------------------- */

/* Reserved words (unless !reserved) and the length limit of the
 * destination, for one name. what: "table", "column", "index", "view";
 * dst_name: the name the object gets. */
static int check_name(struct assess *a, const struct target *t, const char *what,
		      const char *dst_name, bool reserved)
{
	char fit[256];

	if (reserved && schema_ident_reserved(a->d, dst_name)) {
		bool pg = a->d == SCHEMA_DIALECT_PG;
		buf_reset(&a->msg);
		buf_printf(&a->msg, "%s %s.%s%s%s: \"%s\" is a reserved word in %s. Source: %s. ",
			   what, t->src_schema, t->object, t->sub ? "." : "", t->sub ? t->sub : "",
			   dst_name, a->dst_label, buf_cstr(&a->def));
		buf_puts(&a->msg, "opendts quotes it in the DDL it runs (");
		quote_ident(&a->msg, a->d, dst_name);
		buf_puts(&a->msg, pg ? "); queries on the destination must quote it too." :
			 "); queries quote it on the source already, unless only the "
			 "destination's server version reserves it (MariaDB 10.11 and MySQL 8.0 "
			 "words are checked together).");
		buf_puts(&a->msg, " Data may change: no.");
		if (record(a, K_RESERVED_WORD, pg ? PRECHECK_WARNING : PRECHECK_SUCCESS, t) < 0)
			return -1;
	}
	if (!schema_ident_fit(a->d, dst_name, fit, sizeof(fit)))
		return 0;
	buf_reset(&a->msg);
	buf_printf(&a->msg, "%s %s.%s%s%s: the name \"%s\" is %zu bytes, over the %s "
		   "limit. Source: %s. %s gets the shortened name ", what, t->src_schema,
		   t->object, t->sub ? "." : "", t->sub ? t->sub : "", dst_name,
		   strlen(dst_name), a->dst_label, buf_cstr(&a->def), a->dst_label);
	quote_ident(&a->msg, a->d, fit);
	buf_puts(&a->msg, "; queries must use that name. Data may change: no.");
	return record(a, K_IDENT_LENGTH, PRECHECK_WARNING, t);
}

/* ---- tables --------------------------------------------------------------- */

/* The destination name of column c, or NULL when the job does not move it. */
static const char *column_dst(const struct schema_resolved *r, const struct schema_column *c)
{
	if (!schema_resolved_column_selected(r, c->name))
		return NULL;
	return schema_resolved_column_name(r, c->name);
}

static int assess_column(struct assess *a, struct col *k)
{
	const struct schema_column *c = k->c;
	bool covered = false;

	map_probe(a, c, 0, &k->base);
	column_def(&a->def, c);
	if (c->is_unsigned) {
		covered = true;
		if (check_unsigned(a, k) < 0)
			return -1;
	}
	if (c->type == SCHEMA_T_ENUM || c->type == SCHEMA_T_SET) {
		covered = true;
		if (check_enum_set(a, k) < 0)
			return -1;
	}
	if (check_zero_date(a, k) < 0)
		return -1;
	if (*c->on_update && check_on_update(a, k) < 0)
		return -1;
	if (*c->generation_expr && check_generated(a, k) < 0)
		return -1;
	if (!covered && data_type_notable(k) && check_data_type(a, k) < 0)
		return -1;
	return check_name(a, &k->t, "column", k->dst_name, true);
}

/* Whether column c of r is moved and is text under a case-insensitive
 * collation (ENUM and SET members are checked by value instead). */
static bool ci_column(const struct schema_resolved *r, const struct schema_column *c)
{
	return c && is_text_type(c->type) && *c->collation && collation_ci(c->collation) &&
	       column_dst(r, c);
}

/* The unique keys of r holding a case-insensitive column, ", "-joined. */
static void ci_unique_keys(struct buf *b, const struct schema_resolved *r)
{
	for (size_t i = 0; i < r->table->n_indexes; i++) {
		const struct schema_index *ix = &r->table->indexes[i];
		for (size_t j = 0; (ix->primary || ix->unique) && j < ix->n_parts; j++) {
			if (ci_column(r, schema_find_column(r->table, ix->parts[j].column))) {
				buf_printf(b, "%s%s", b->len ? ", " : "", ix->name);
				break;
			}
		}
	}
}

/* The case-insensitive columns of a table, gathered for one item. */
struct ci_cols {
	size_t n;
	enum schema_risk risk;     /* the worst of their collation probes */
	struct buf list;           /* "name collation (Dst gets type)", ... */
	struct buf reasons;        /* what the mapping says about the collations */
};

static void ci_msg(struct assess *a, const struct schema_resolved *r, struct ci_cols *g)
{
	struct buf keys;

	buf_init(&keys, BUF_UNLIMITED);
	ci_unique_keys(&keys, r);
	buf_reset(&a->msg);
	buf_printf(&a->msg, "table %s.%s: %zu column%s compare%s case-insensitively on the "
		   "source: %s.", r->table->schema, r->table->name, g->n, g->n > 1 ? "s" : "",
		   g->n > 1 ? "" : "s", buf_cstr(&g->list));
	if (keys.len)
		buf_printf(&a->msg, " Unique keys holding them: %s.", buf_cstr(&keys));
	if (g->reasons.len)
		buf_printf(&a->msg, " Type mapping: %s", buf_cstr(&g->reasons));
	else
		buf_puts(&a->msg, " Carried unchanged: the destination keeps the same collations");
	end_sentence(&a->msg);
	say_data_change(&a->msg, g->risk);
	buf_release(&keys);
}

/* One item per table for its case-insensitive text columns, rated by what
 * the mapping says of their collation. */
static int check_collation(struct assess *a, const struct schema_resolved *r,
			   const struct target *t)
{
	struct ci_cols g = { .n = 0, .risk = SCHEMA_RISK_NONE };
	struct schema_mapping m, base;
	int rc = 0;

	buf_init(&g.list, BUF_UNLIMITED);
	buf_init(&g.reasons, BUF_UNLIMITED);
	buf_reset(&a->def);
	for (size_t i = 0; i < r->table->n_columns; i++) {
		const struct schema_column *c = &r->table->columns[i];
		if (!ci_column(r, c))
			continue;
		column_def(&a->tmp, c);
		buf_printf(&a->def, "%s%s", g.n++ ? ",\n" : "", buf_cstr(&a->tmp));
		map_probe(a, c, 0, &base);
		map_probe(a, c, P_COLLATION, &m);
		note_minus(&g.reasons, m.note, base.note);
		if (m.risk > g.risk)
			g.risk = m.risk;
		buf_printf(&g.list, "%s%s %s (%s gets %s)", g.n > 1 ? ", " : "", c->name,
			   c->collation, a->dst_label, m.dst_type);
	}
	if (g.n > 0) {
		ci_msg(a, r, &g);
		rc = record(a, K_COLLATION_CI, risk_state(g.risk), t);
	}
	buf_release(&g.list);
	buf_release(&g.reasons);
	return rc;
}

static bool index_moved(const struct schema_resolved *r, const struct schema_index *ix)
{
	for (size_t i = 0; i < ix->n_parts; i++) {
		const struct schema_column *c = schema_find_column(r->table, ix->parts[i].column);
		if (c && !column_dst(r, c))
			return false;
	}
	return true;
}

static int check_index_kind(struct assess *a, const struct schema_index *ix,
			    const struct target *t)
{
	bool ft = ix->kind == SCHEMA_IDX_FULLTEXT, pg = a->d == SCHEMA_DIALECT_PG;

	buf_reset(&a->msg);
	buf_printf(&a->msg, "index %s.%s.%s: %s index. Source: %s.", t->src_schema, t->object,
		   ix->name, ft ? "FULLTEXT" : "SPATIAL", buf_cstr(&a->def));
	if (pg && ft)
		buf_puts(&a->msg, " PostgreSQL has no FULLTEXT index: it is not carried; "
			 "full-text search there uses a GIN index over to_tsvector(...), and "
			 "MATCH ... AGAINST queries must be rewritten.");
	else if (pg)
		buf_puts(&a->msg, " PostgreSQL has no SPATIAL index without PostGIS (a GiST "
			 "index over a geometry column): it is not carried, and spatial queries "
			 "must be rewritten.");
	else
		buf_puts(&a->msg, " Carried unchanged.");
	buf_puts(&a->msg, " Data may change: no.");
	return record(a, K_INDEX_KIND, pg ? PRECHECK_FAILED : PRECHECK_SUCCESS, t);
}

static int assess_indexes(struct assess *a, const struct schema_resolved *r,
			  const struct target *tt)
{
	for (size_t i = 0; i < r->table->n_indexes; i++) {
		const struct schema_index *ix = &r->table->indexes[i];
		struct target t = *tt;

		if (!index_moved(r, ix))
			continue;
		t.sub = ix->name;
		t.sub_kind = 'i';
		index_def(&a->def, ix);
		if ((ix->kind == SCHEMA_IDX_FULLTEXT || ix->kind == SCHEMA_IDX_SPATIAL) &&
		    check_index_kind(a, ix, &t) < 0)
			return -1;
		/* Index names appear only in DDL, which opendts quotes: only
		 * their length matters. PRIMARY is not a name on PostgreSQL. */
		if (!ix->primary && check_name(a, &t, "index", ix->name, false) < 0)
			return -1;
	}
	return 0;
}

static int assess_table(struct assess *a, const struct schema_resolved *r)
{
	struct target t = {
		.phase = "Table", .src_schema = r->table->schema, .dst_schema = r->dst_schema,
		.object = r->table->name,
	};

	for (size_t i = 0; i < r->table->n_columns; i++) {
		struct col k = { .r = r, .c = &r->table->columns[i], .t = t };

		k.dst_name = column_dst(r, k.c);
		if (!k.dst_name)
			continue;
		k.t.sub = k.c->name;
		k.t.sub_kind = 'c';
		if (assess_column(a, &k) < 0)
			return -1;
	}
	if (check_collation(a, r, &t) < 0 || assess_indexes(a, r, &t) < 0)
		return -1;
	buf_reset(&a->def);
	qualified(&a->def, r->table->schema, r->table->name);
	return check_name(a, &t, "table", r->dst_name, true);
}

/* ---- views, routines, triggers -------------------------------------------- */

/* The selected database named schema, or NULL. */
static const struct schema_sel_db *sel_db(const struct precheck_env *env, const char *schema)
{
	for (size_t i = 0; i < env->sel.n_dbs; i++)
		if (strcmp(env->sel.dbs[i].src, schema) == 0)
			return &env->sel.dbs[i];
	return NULL;
}

/* The verdict on a view, routine or trigger's SQL for PostgreSQL, appended
 * to the subject already in a->msg ("view db.v"): " will need manual
 * conversion to PostgreSQL: <always>; it uses ...", or " is portable ...".
 * always: a reason that holds whatever the SQL says (NULL for views).
 * Returns the state. */
static const char *program_verdict(struct assess *a, const char *sql, bool program,
				   const char *always)
{
	struct sql_scan s = { .program = program };
	struct buf found_in;
	const char *state = PRECHECK_FAILED;

	buf_init(&found_in, BUF_UNLIMITED);
	s.out = &found_in;
	sql_scan(&s, sql);
	if (always || s.n_found) {
		buf_printf(&a->msg, " will need manual conversion to PostgreSQL: %s",
			   always ? always : "");
		if (s.n_found)
			buf_printf(&a->msg, "%s uses %s", always ? "; it also" : "it",
				   buf_cstr(&found_in));
		end_sentence(&a->msg);
		if (s.backticks)
			buf_puts(&a->msg, " Its backtick-quoted identifiers must be requoted with "
				 "double quotes.");
	} else if (s.backticks) {
		state = PRECHECK_WARNING;
		buf_puts(&a->msg, " is portable to PostgreSQL once its backtick-quoted "
			 "identifiers are requoted with double quotes: no MySQL-only function or "
			 "syntax found.");
	} else {
		state = PRECHECK_SUCCESS;
		buf_puts(&a->msg, " is portable to PostgreSQL as it is: no MySQL-only function "
			 "or syntax found.");
	}
	buf_release(&found_in);
	return state;
}

static const char *carried(struct assess *a)
{
	buf_puts(&a->msg, " is carried as it is: the destination runs the same SQL.");
	return PRECHECK_SUCCESS;
}

static int assess_view(struct assess *a, const struct schema_view *v, const char *dst_schema,
		       const char *dst_name)
{
	struct target t = { .phase = "View", .src_schema = v->schema,
			    .dst_schema = dst_schema, .object = v->name };
	const char *state;

	buf_reset(&a->def);
	buf_puts(&a->def, "CREATE VIEW ");
	qualified(&a->def, v->schema, v->name);
	buf_printf(&a->def, " AS %s", v->definition);
	if (*v->check_option && strcasecmp(v->check_option, "NONE") != 0)
		buf_printf(&a->def, " WITH %s CHECK OPTION", v->check_option);
	buf_reset(&a->msg);
	buf_printf(&a->msg, "view %s.%s", v->schema, v->name);
	state = a->d == SCHEMA_DIALECT_PG ? program_verdict(a, v->definition, false, NULL)
					  : carried(a);
	if (strcmp(v->schema, dst_schema) != 0 && strstr(v->definition, v->schema)) {
		buf_printf(&a->msg, " Its SQL names the source database `%s`, which is ",
			   v->schema);
		quote_ident(&a->msg, a->d, dst_schema);
		buf_puts(&a->msg, " on the destination.");
	}
	buf_puts(&a->msg, " Data may change: no (a view holds no data).");
	if (record(a, K_VIEW_SQL, state, &t) < 0)
		return -1;
	return check_name(a, &t, "view", dst_name, true);
}

static int assess_routine(struct assess *a, const struct schema_routine *r,
			  const char *dst_schema)
{
	bool fn = r->kind == SCHEMA_FUNCTION;
	struct target t = { .phase = fn ? "Function" : "Procedure", .src_schema = r->schema,
			    .dst_schema = dst_schema, .object = r->name };
	const char *state;

	buf_reset(&a->def);
	buf_puts(&a->def, r->create_sql);
	buf_reset(&a->msg);
	buf_printf(&a->msg, "%s %s.%s", fn ? "function" : "procedure", r->schema, r->name);
	if (a->d == SCHEMA_DIALECT_PG)
		state = program_verdict(a, r->create_sql, true,
					"MySQL stored programs have no automatic translation "
					"to PL/pgSQL (CREATE FUNCTION/PROCEDURE ... LANGUAGE plpgsql)");
	else
		state = carried(a);
	buf_puts(&a->msg, " Data may change: no (migrated rows are copied as they are).");
	return record(a, K_ROUTINE_SQL, state, &t);
}

static int assess_trigger(struct assess *a, const struct schema_trigger *g,
			  const char *dst_schema)
{
	struct target t = { .phase = "Trigger", .src_schema = g->schema, .dst_schema = dst_schema,
			    .object = g->name, .parent = g->table };
	const char *state;

	buf_reset(&a->def);
	buf_puts(&a->def, "CREATE TRIGGER ");
	qualified(&a->def, g->schema, g->name);
	buf_printf(&a->def, " %s %s ON ", g->timing, g->event);
	my_quote_ident(&a->def, g->table);
	buf_printf(&a->def, " FOR EACH ROW %s", g->statement);
	buf_reset(&a->msg);
	buf_printf(&a->msg, "trigger %s.%s (%s %s ON %s)", g->schema, g->name, g->timing,
		   g->event, g->table);
	if (a->d == SCHEMA_DIALECT_PG)
		state = program_verdict(a, g->statement, true,
					"a PostgreSQL trigger calls a trigger function written "
					"in PL/pgSQL (CREATE FUNCTION ... RETURNS trigger), so the "
					"MySQL body must be rewritten");
	else
		state = carried(a);
	buf_puts(&a->msg, " Data may change: no (migrated rows are copied as they are; "
		 "the trigger acts on writes made on the destination).");
	return record(a, K_TRIGGER_SQL, state, &t);
}

/* The resolved table schema.name among the selected ones, or NULL. */
static const struct schema_resolved *selected_table(const struct precheck_env *env,
						    const char *schema, const char *name)
{
	for (size_t i = 0; i < env->n_tables; i++)
		if (strcmp(env->tables[i].table->schema, schema) == 0 &&
		    strcmp(env->tables[i].table->name, name) == 0)
			return &env->tables[i];
	return NULL;
}

/* Whether view v moves: its database is selected whole, or the DbList
 * names it like a table (selection.c resolves such names to views). Sets
 * its destination schema and name. */
static bool view_selected(const struct precheck_env *env, const struct schema_view *v,
			  const char **dst_schema, const char **dst_name)
{
	const struct schema_sel_db *db = sel_db(env, v->schema);

	if (!db)
		return false;
	*dst_schema = db->dst;
	*dst_name = v->name;
	for (size_t i = 0; i < db->n_tables; i++) {
		if (strcmp(db->tables[i].src_name, v->name) == 0) {
			*dst_schema = db->tables[i].dst_schema;
			*dst_name = db->tables[i].dst_name;
			return true;
		}
	}
	return db->all;
}

/* Views selected whole or by name, routines of databases selected whole,
 * triggers of selected tables. */
static int assess_programs(struct assess *a)
{
	const struct schema_catalog *cat = &a->env->catalog;
	const char *dst, *dst_name;

	for (size_t i = 0; i < cat->n_views; i++)
		if (view_selected(a->env, &cat->views[i], &dst, &dst_name) &&
		    assess_view(a, &cat->views[i], dst, dst_name) < 0)
			return -1;
	for (size_t i = 0; i < cat->n_routines; i++) {
		const struct schema_sel_db *db = sel_db(a->env, cat->routines[i].schema);
		if (db && db->all && assess_routine(a, &cat->routines[i], db->dst) < 0)
			return -1;
	}
	for (size_t i = 0; i < cat->n_triggers; i++) {
		const struct schema_trigger *g = &cat->triggers[i];
		const struct schema_resolved *r = selected_table(a->env, g->schema, g->table);
		if (r && assess_trigger(a, g, r->dst_schema) < 0)
			return -1;
	}
	return 0;
}

/* ---- the run -------------------------------------------------------------- */

static int assess_all(struct assess *a)
{
	if (meta_items_clear(a->meta, a->env->job->id, a->code, META_ITEM_ANALYSIS, a->err) < 0)
		return -1;
	if (!a->env->have_catalog)
		return 0;
	for (size_t i = 0; i < a->env->n_tables; i++)
		if (assess_table(a, &a->env->tables[i]) < 0)
			return -1;
	return a->env->job->structure_init ? assess_programs(a) : 0;
}

int precheck__assess_record(const struct precheck_env *env, struct err *err)
{
	const struct step_ctx *ctx = env->ctx;
	struct assess a = {
		.env = env, .meta = ctx->meta, .code = ctx->code ? ctx->code : "01",
		.d = env->dst_engine == PRECHECK_DST_PG ? SCHEMA_DIALECT_PG : SCHEMA_DIALECT_MYSQL,
		.now_ms = time_now_ms(), .err = err,
	};
	int64_t t0 = time_mono_ms();
	int rc = -1;

	a.dst_label = a.d == SCHEMA_DIALECT_PG ? "PostgreSQL" : "MySQL/MariaDB";
	buf_init(&a.def, BUF_UNLIMITED);
	buf_init(&a.msg, BUF_UNLIMITED);
	buf_init(&a.key, BUF_UNLIMITED);
	buf_init(&a.tmp, BUF_UNLIMITED);
	if (env->have_catalog)
		read_sql_mode(&a);
	if (meta_begin(a.meta, err) < 0)
		goto cleanup;
	if (assess_all(&a) < 0 || meta_commit(a.meta, err) < 0) {
		meta_rollback(a.meta);
		goto cleanup;
	}
	log_info("precheck.assess", "job_id=%s items=%zu failed=%zu warning=%zu ms=%lld",
		 env->job->id, a.n_items, a.n_failed, a.n_warning,
		 (long long)(time_mono_ms() - t0));
	rc = 0;
cleanup:
	if (rc < 0)
		err_prefix(err, "recording the migration assessment of job %s", env->job->id);
	buf_release(&a.def);
	buf_release(&a.msg);
	buf_release(&a.key);
	buf_release(&a.tmp);
	return rc;
}
