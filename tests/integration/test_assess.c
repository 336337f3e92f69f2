/*
 * test_assess.c - the migration assessment of the precheck (ANALYSIS_*
 * items in AnalysisJobProgress), end to end: a real dtsd, the harness
 * MariaDB as the source with a schema holding every problem the assessment
 * knows, migrated to PostgreSQL and to MariaDB.
 *
 *     scripts/harness.sh run build/tests/integration/test_assess
 *
 * The source database is created here (unique name per run) and dropped at
 * the end, with the destination database/schema. One test changes the
 * source's GLOBAL sql_mode and restores it in its teardown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engines/mysql/my.h"
#include "engines/pg/pg.h"
#include "lib/itest.h"
#include "meta/meta.h"
#include "steps/precheck.h"

static struct itest_dtsd D;
static struct itest_db MY, PG;
static char SRC[64], DST[64];          /* source database, destination db/schema */
static char LONG_COL[65];              /* a 64-character column name */
static char *saved_sql_mode;           /* the GLOBAL sql_mode to restore */

/* ---- the servers ------------------------------------------------------------ */

static struct my_conn *my_open(void)
{
	struct my_conn_opts o = { .host = MY.host, .port = MY.port, .user = MY.user,
				  .password = MY.password, .connect_timeout_s = 5 };
	struct err e = { 0 };
	struct my_conn *c = my_connect(&o, &e);

	if (!c)
		fail_msg("my_connect: %s", e.msg);
	return c;
}

/* Runs one statement on the source; fails the test with the server's error. */
static void my_run(struct my_conn *c, const char *sql)
{
	struct err e = { 0 };

	if (my_query(c, sql, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
}

static void my_runf(struct my_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void my_runf(struct my_conn *c, const char *fmt, ...)
{
	char sql[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	my_run(c, sql);
}

static void pg_run(const char *sql)
{
	struct pg_conn_opts o = { .host = PG.host, .port = PG.port, .user = PG.user,
				  .password = PG.password, .database = PG.database,
				  .connect_timeout_s = 5 };
	struct err e = { 0 };
	struct pg_conn *c = pg_connect(&o, &e);

	if (!c)
		fail_msg("pg_connect: %s", e.msg);
	if (pg_query_value(c, sql, NULL, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	pg_close(c);
}

/* The source schema: every problem of the assessment, plus a plain table
 * that has none. The zero-date default needs a session sql_mode without
 * NO_ZERO_DATE. */
static void create_source(void)
{
	struct my_conn *c = my_open();

	my_run(c, "SET SESSION sql_mode = ''");
	my_runf(c, "CREATE DATABASE `%s` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci", SRC);
	my_runf(c, "CREATE TABLE `%s`.`order` ("
		" id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,"
		" `user` VARCHAR(32) COLLATE utf8mb4_general_ci NOT NULL,"
		" status ENUM('new','paid','shipped') NOT NULL DEFAULT 'new',"
		" tags SET('gift','rush','fragile') NOT NULL DEFAULT '',"
		" qty INT UNSIGNED NULL,"
		" price DECIMAL(10,2) NOT NULL DEFAULT 0,"
		" created DATE NOT NULL DEFAULT '0000-00-00',"
		" updated TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"
		"   ON UPDATE CURRENT_TIMESTAMP,"
		" shipped_at DATETIME NULL,"
		" body TEXT COLLATE utf8mb4_bin NULL,"
		" place POINT NOT NULL,"
		" total DECIMAL(20,2) AS (price * qty) VIRTUAL,"
		" label VARCHAR(40) AS (upper(`user`)) STORED,"
		" flag TINYINT AS (IF(qty > 0, 1, 0)) STORED,"
		" `%s` INT NULL,"
		" PRIMARY KEY (id), UNIQUE KEY uk_user (`user`, created),"
		" UNIQUE KEY (`%s`),"
		" FULLTEXT KEY ft_body (body), SPATIAL KEY sp_place (place)"
		") ENGINE=InnoDB", SRC, LONG_COL, LONG_COL);
	my_runf(c, "CREATE TABLE `%s`.plain (id INT NOT NULL PRIMARY KEY,"
		" v VARCHAR(10) COLLATE utf8mb4_bin NULL) ENGINE=InnoDB", SRC);
	my_runf(c, "CREATE VIEW `%s`.v_order AS SELECT id, IFNULL(`user`, 'anon') AS who"
		" FROM `%s`.`order`", SRC, SRC);
	my_runf(c, "CREATE VIEW `%s`.v_plain AS SELECT id, 'IFNULL(x) || y' AS `year`"
		" FROM `%s`.plain", SRC, SRC);
	my_runf(c, "CREATE VIEW `%s`.v_report AS SELECT status,"
		" GROUP_CONCAT(`user` SEPARATOR ',') AS users,"
		" DATE_FORMAT(MAX(created), '%%Y-%%m') AS month FROM `%s`.`order`"
		" GROUP BY status", SRC, SRC);
	my_runf(c, "CREATE PROCEDURE `%s`.p_bump() UPDATE `%s`.`order` SET qty = qty + 1",
		SRC, SRC);
	my_runf(c, "CREATE FUNCTION `%s`.f_double(x INT) RETURNS INT DETERMINISTIC"
		" RETURN x * 2", SRC);
	my_runf(c, "CREATE TRIGGER `%s`.trg_order_bi BEFORE INSERT ON `%s`.`order`"
		" FOR EACH ROW SET NEW.qty = IFNULL(NEW.qty, 0)", SRC, SRC);
	my_close(c);
}

static void drop_all(void)
{
	struct my_conn_opts o = { .host = MY.host, .port = MY.port, .user = MY.user,
				  .password = MY.password, .connect_timeout_s = 5 };
	struct err e = { 0 };
	struct my_conn *c = my_connect(&o, &e);
	char sql[256];

	if (c) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS `%s`", SRC);
		my_query(c, sql, &e);
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS `%s`", DST);
		my_query(c, sql, &e);
		my_close(c);
	}
	snprintf(sql, sizeof(sql), "DROP SCHEMA IF EXISTS \"%s\" CASCADE", DST);
	pg_run(sql);
}

static int setup(void **state)
{
	(void)state;
	if (!itest_mysql(&MY) || !itest_pg(&PG)) {
		fprintf(stderr, "test_assess: MY_* / PG_* not set; run under scripts/harness.sh\n");
		return -1;
	}
	snprintf(SRC, sizeof(SRC), "itassess_src_%ld", (long)getpid());
	snprintf(DST, sizeof(DST), "itassess_dst_%ld", (long)getpid());
	memset(LONG_COL, 'x', 64);
	memcpy(LONG_COL, "col_", 4);
	LONG_COL[64] = 0;
	create_source();
	memset(&D, 0, sizeof(D));
	return itest_dtsd_start(&D, NULL, NULL);
}

static int teardown(void **state)
{
	(void)state;
	itest_dtsd_destroy(&D);
	drop_all();
	return 0;
}

/* ---- jobs ------------------------------------------------------------------- */

/* Configures a schema-only job with this DbList (not started); its id. */
static void configure_dblist(const char *dst_engine, const char *src_password,
			     const char *dblist, char *id, size_t n)
{
	const struct itest_db *dst = strcmp(dst_engine, "PostgreSQL") == 0 ? &PG : &MY;
	struct kvlist p;
	cJSON *r = NULL;

	kvlist_init(&p);
	kvlist_add(&p, "DtsJobName", "assessment test");
	kvlist_add(&p, "JobType", "MIGRATION");
	kvlist_add(&p, "StructureInitialization", "true");
	kvlist_add(&p, "DataInitialization", "false");
	kvlist_add(&p, "DataSynchronization", "false");
	kvlist_add(&p, "DbList", dblist);
	kvlist_add(&p, "Reserve", "{\"autoStartModulesAfterConfig\":\"none\"}");
	itest_src_params(&p, &MY, src_password);
	itest_dst_params(&p, dst, dst_engine, NULL);
	if (itest_callv(&D, &r, "ConfigureDtsJob", &p) != 200)
		fail_msg("ConfigureDtsJob: %s", cJSON_PrintUnformatted(r));
	kvlist_release(&p);
	snprintf(id, n, "%s", itest_str(r, "DtsJobId"));
	assert_true(strlen(id) > 8);
	cJSON_Delete(r);
}

/* The whole source database SRC -> DST. */
static void configure(const char *dst_engine, const char *src_password, char *id, size_t n)
{
	char dblist[256];

	snprintf(dblist, sizeof(dblist), "{\"%s\":{\"name\":\"%s\",\"all\":true}}", SRC, DST);
	configure_dblist(dst_engine, src_password, dblist, id, n);
}

static void start(const char *id)
{
	cJSON *r = NULL;

	assert_int_equal(itest_call(&D, &r, "StartDtsJob", "DtsJobId", id, NULL), 200);
	cJSON_Delete(r);
}

static char *wait_end(const char *id)
{
	char *st = itest_wait_status(&D, id, 90000, "PrecheckFailed", "MigrationFailed",
				     "Finished", NULL);

	assert_non_null(st);
	return st;
}

/* DescribePreCheckStatus JobCode 01 with extra "Key", "Value" pairs. */
static cJSON *describe(const char *id, const char *k1, const char *v1, const char *k2,
		       const char *v2)
{
	cJSON *r = NULL;

	assert_int_equal(itest_call(&D, &r, "DescribePreCheckStatus", "DtsJobId", id,
				    "JobCode", "01", k1, v1, k2, v2, NULL), 200);
	return r;
}

/* Skips the failed JobProgress items (the precheck's, not the assessment's)
 * after checking each can be skipped; returns how many. */
static int skip_failed_checks(const char *id)
{
	cJSON *r = describe(id, "PageSize", "1000", NULL, NULL);
	const cJSON *it;
	char list[2048] = "[";
	int n = 0;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "JobProgress")) {
		if (strcmp(itest_str(it, "State"), "Failed") != 0)
			continue;
		assert_int_equal(strncmp(itest_str(it, "Item"), "CHECK_", 6), 0);
		if (!cJSON_IsTrue(cJSON_GetObjectItem(it, "CanSkip")))
			fail_msg("precheck item %s failed and cannot be skipped: %s",
				 itest_str(it, "Item"), cJSON_PrintUnformatted(it));
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s\"%s\"",
			 n++ ? "," : "", itest_str(it, "Item"));
	}
	cJSON_Delete(r);
	strcat(list, "]");
	if (n) {
		assert_int_equal(itest_call(&D, &r, "SkipPreCheck", "DtsJobId", id,
					    "SkipPreCheckItems", list, NULL), 200);
		cJSON_Delete(r);
	}
	return n;
}

/* Runs the job to its end; the assessment must not hold it in the
 * precheck: a PrecheckFailed is only allowed for skippable CHECK_* items,
 * and after skipping them the job goes past the precheck. */
static void run_past_precheck(const char *id)
{
	char *st;

	start(id);
	st = wait_end(id);
	if (strcmp(st, "PrecheckFailed") == 0) {
		assert_true(skip_failed_checks(id) > 0);
		free(st);
		/* SkipPreCheck lets the job go on by itself once nothing unskipped
		 * failed; StartDtsJob is only needed if it did not. */
		st = wait_end(id);
		if (strcmp(st, "PrecheckFailed") == 0) {
			free(st);
			start(id);
			st = wait_end(id);
		}
	}
	if (strcmp(st, "PrecheckFailed") == 0)
		fail_msg("job %s still PrecheckFailed after skipping its failed checks", id);
	free(st);
	cJSON *r = describe(id, NULL, NULL, NULL, NULL);
	assert_string_equal(itest_str(r, "State"), "Finished");
	cJSON_Delete(r);
}

/* Every analysis item of the job (one page of up to 1000). */
static cJSON *analysis(const char *id, int *failed_reported)
{
	cJSON *r = describe(id, "PageSize", "1000", NULL, NULL);
	cJSON *items = cJSON_DetachItemFromObject(r, "AnalysisJobProgress");

	assert_non_null(items);
	*failed_reported = (int)itest_num(r, "ErrorAnalysisItem");
	cJSON_Delete(r);
	if (getenv("ASSESS_DUMP")) {
		const cJSON *it;
		cJSON_ArrayForEach(it, items) {
			const cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItem(it, "Logs"), 0);
			fprintf(stderr, "%s %s [%s] parent=%s\n  ddl=%s\n  msg=%s\n",
				itest_str(it, "Item"), itest_str(it, "TargetNames"),
				itest_str(it, "State"), itest_str(it, "ParentObj"),
				itest_str(it, "DdlSql"), itest_str(l, "ErrMsg"));
		}
	}
	return items;
}

static const char *first_log(const cJSON *it, const char *field)
{
	const cJSON *logs = cJSON_GetObjectItem(it, "Logs");

	return cJSON_GetArraySize(logs) ? itest_str(cJSON_GetArrayItem(logs, 0), field) : "";
}

static const cJSON *find(const cJSON *items, const char *kind, const char *target)
{
	char item[96];
	const cJSON *it;

	snprintf(item, sizeof(item), "ANALYSIS_%s_ITEM", kind);
	cJSON_ArrayForEach(it, items)
		if (strcmp(itest_str(it, "Item"), item) == 0 &&
		    strcmp(itest_str(it, "TargetNames"), target) == 0)
			return it;
	return NULL;
}

static void assert_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("\"%s\"\n    does not contain \"%s\"", s, needle);
}

static const char *level_of(const char *state)
{
	if (strcmp(state, "Failed") == 0)
		return "ERROR";
	return strcmp(state, "Warning") == 0 ? "WARN" : "INFO";
}

/* The item kind/target exists with this state, the seed's keys, one log
 * whose ErrMsg holds every needle (NULL-terminated). */
static const cJSON *expect(const cJSON *items, const char *kind, const char *target,
			   const char *parent, const char *state, ...)
{
	const cJSON *it = find(items, kind, target);
	char key[96], type[64];
	const char *needle;
	va_list ap;

	if (!it)
		fail_msg("no ANALYSIS_%s_ITEM for %s", kind, target);
	if (strcmp(itest_str(it, "State"), state) != 0)
		fail_msg("ANALYSIS_%s_ITEM %s: state %s, want %s; log: %s", kind, target,
			 itest_str(it, "State"), state, first_log(it, "ErrMsg"));
	snprintf(key, sizeof(key), "ANALYSIS_%s_DETAIL", kind);
	assert_string_equal(itest_str(it, "Names"), key);
	snprintf(key, sizeof(key), "ANALYSIS_%s", kind);
	assert_string_equal(itest_str(it, "ErrMsg"), key);
	assert_string_equal(itest_str(it, "ErrDetail"), "ANALYSIS_MYSQL");
	snprintf(key, sizeof(key), "ANALYSIS_%s_REPAIR", kind);
	assert_string_equal(itest_str(it, "RepairMethod"), key);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(it, "CanSkip")));
	assert_string_equal(itest_str(it, "SourceSchema"), SRC);
	assert_string_equal(itest_str(it, "DestSchema"), DST);
	assert_string_equal(itest_str(it, "ParentObj"), parent);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(it, "Logs")), 1);
	assert_string_equal(first_log(it, "LogLevel"), level_of(state));
	snprintf(type, sizeof(type), "%s", kind);
	for (char *p = type; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	assert_string_equal(first_log(it, "ErrType"), type);
	assert_true(strlen(itest_str(it, "DdlSql")) > 0);
	assert_string_equal(first_log(it, "ErrData"), itest_str(it, "DdlSql"));
	va_start(ap, state);
	while ((needle = va_arg(ap, const char *)) != NULL)
		assert_contains(first_log(it, "ErrMsg"), needle);
	va_end(ap);
	return it;
}

static int count_state(const cJSON *items, const char *state)
{
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, items)
		n += strcmp(itest_str(it, "State"), state) == 0;
	return n;
}

/* ---- the tests --------------------------------------------------------------- */

static void expect_pg_columns(const cJSON *items)
{
	expect(items, "UNSIGNED_BIGINT", "order.id", "order", "Warning",
	       "column ", ".order.id: unsigned BIGINT", "Source: `id` bigint(20) unsigned NOT "
	       "NULL AUTO_INCREMENT.", "PostgreSQL gets: \"id\" bigint GENERATED BY DEFAULT AS "
	       "IDENTITY NOT NULL CHECK (\"id\" >= 0).", "Type mapping: BIGINT UNSIGNED "
	       "AUTO_INCREMENT becomes bigint", "Data may change: no.", NULL);
	expect(items, "UNSIGNED", "order.qty", "order", "Warning", "unsigned numeric type",
	       "\"qty\" bigint DEFAULT NULL CHECK (\"qty\" >= 0 AND \"qty\" <= 4294967295)",
	       "Data may change: no.", NULL);
	expect(items, "ENUM", "order.status", "order", "Warning", "ENUM with 3 members",
	       "\"status\" text NOT NULL DEFAULT 'new' CHECK (\"status\" IN ('new', 'paid', "
	       "'shipped'))", "Data may change: no.", NULL);
	expect(items, "SET", "order.tags", "order", "Failed", "SET with 3 members",
	       "\"tags\" text", "MySQL sorts members", "Data may change: yes.", NULL);
	expect(items, "ZERO_DATE", "order.created", "order", "Failed",
	       "zero-date default DEFAULT '0000-00-00'", "\"created\" date NOT NULL.",
	       "Type mapping: zero dates", "the zero-date default is dropped",
	       "Data may change: yes.", NULL);
	expect(items, "ZERO_DATE", "order.updated", "order", "Failed",
	       "NOT NULL timestamp column that may contain zero dates",
	       "the assessment reads no rows", "SELECT COUNT(*) FROM `", "MONTH(`updated`) = 0",
	       "is refused", "Data may change: yes.", NULL);
	expect(items, "ON_UPDATE", "order.updated", "order", "Warning",
	       "ON UPDATE current_timestamp()", "BEFORE UPDATE trigger", "Data may change: no.",
	       NULL);
	expect(items, "GENERATED_COLUMN", "order.total", "order", "Warning",
	       "VIRTUAL generated column AS", "GENERATED ALWAYS AS (", ") STORED",
	       "becomes STORED", "Data may change: no.", NULL);
	expect(items, "GENERATED_COLUMN", "order.label", "order", "Success",
	       "STORED generated column AS", "upper(\"user\")", "Data may change: no.", NULL);
	expect(items, "GENERATED_COLUMN", "order.flag", "order", "Failed",
	       "STORED generated column AS (if(", "cannot be converted", "IF()",
	       "Data may change: no, but the object cannot be converted", NULL);
	expect(items, "DATA_TYPE", "order.place", "order", "Warning", "type point",
	       "\"place\" bytea NOT NULL", "WKB", "Data may change: no.", NULL);
	assert_null(find(items, "ZERO_DATE", "order.shipped_at"));   /* nullable */
}

static void expect_pg_objects(const cJSON *items)
{
	const cJSON *it;
	char target[96], shortened[96];

	expect(items, "COLLATION_CI", "order", "", "Failed",
	       "2 columns compare case-insensitively", "user utf8mb4_general_ci",
	       "label utf8mb4_general_ci", "Unique keys holding them: uk_user",
	       "Type mapping: collation utf8mb4_general_ci is case-insensitive",
	       "case-sensitive", "Data may change: yes.", NULL);
	expect(items, "INDEX_KIND", "order.ft_body", "order", "Failed",
	       "FULLTEXT index", "FULLTEXT KEY `ft_body` (`body`)", "to_tsvector",
	       "Data may change: no.", NULL);
	expect(items, "INDEX_KIND", "order.sp_place", "order", "Failed", "SPATIAL index",
	       "PostGIS", NULL);
	expect(items, "RESERVED_WORD", "order", "", "Warning",
	       "\"order\" is a reserved word in PostgreSQL", "opendts quotes it in the DDL it "
	       "runs (\"order\"); queries on the destination must quote it too.", NULL);
	expect(items, "RESERVED_WORD", "order.user", "order", "Warning",
	       "\"user\" is a reserved word in PostgreSQL", NULL);
	/* The column and the unique key named after it: two items. */
	snprintf(target, sizeof(target), "order.%s", LONG_COL);
	snprintf(shortened, sizeof(shortened), "shortened name \"%.54s_", LONG_COL);
	expect(items, "IDENT_LENGTH", target, "order", "Warning", "column ",
	       "is 64 bytes, over the PostgreSQL limit", shortened, NULL);
	int n_long = 0;
	cJSON_ArrayForEach(it, items) {
		if (strcmp(itest_str(it, "Item"), "ANALYSIS_IDENT_LENGTH_ITEM") != 0 ||
		    strcmp(itest_str(it, "TargetNames"), target) != 0)
			continue;
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(it, "Logs")), 1);
		assert_true(strncmp(first_log(it, "ErrMsg"), n_long ? "index " : "column ", 6) == 0);
		n_long++;
	}
	assert_int_equal(n_long, 2);
	expect(items, "VIEW_SQL", "v_order", "", "Failed", ".v_order will need manual "
	       "conversion to PostgreSQL: it uses IFNULL() (PostgreSQL: COALESCE()).",
	       "backtick-quoted identifiers", "Data may change: no", NULL);
	expect(items, "VIEW_SQL", "v_report", "", "Failed", "GROUP_CONCAT() (PostgreSQL: "
	       "string_agg())", "DATE_FORMAT() (PostgreSQL: to_char())", NULL);
	/* A string literal and a quoted alias are not constructs. */
	it = expect(items, "VIEW_SQL", "v_plain", "", "Warning", ".v_plain is portable to "
		    "PostgreSQL once its backtick-quoted identifiers are requoted",
		    "no MySQL-only function or syntax found", NULL);
	assert_null(strstr(first_log(it, "ErrMsg"), "IFNULL"));
	assert_null(strstr(first_log(it, "ErrMsg"), "YEAR()"));
	expect(items, "ROUTINE_SQL", "p_bump", "", "Failed", "procedure ",
	       ".p_bump will need manual conversion to PostgreSQL: MySQL stored programs",
	       "PL/pgSQL", NULL);
	expect(items, "ROUTINE_SQL", "f_double", "", "Failed", "function ", "PL/pgSQL", NULL);
	expect(items, "TRIGGER_SQL", "trg_order_bi", "order", "Failed",
	       "BEFORE INSERT ON order", "RETURNS trigger", "IFNULL()", NULL);
	/* Nothing to say about the plain table. */
	cJSON_ArrayForEach(it, items)
		if (strstr(itest_str(it, "TargetNames"), "plain") &&
		    strcmp(itest_str(it, "TargetNames"), "v_plain") != 0)
			fail_msg("unexpected item about plain: %s", first_log(it, "ErrMsg"));
}

static void test_to_postgresql(void **state)
{
	char id[64];
	int failed;

	configure("PostgreSQL", NULL, id, sizeof(id));
	run_past_precheck(id);
	cJSON *items = analysis(id, &failed);
	expect_pg_columns(items);
	expect_pg_objects(items);
	assert_true(failed > 0);
	assert_int_equal(failed, count_state(items, "Failed"));
	print_message("postgresql: %d items, %d failed, %d warning\n",
		      cJSON_GetArraySize(items), failed, count_state(items, "Warning"));
	cJSON_Delete(items);
}

/* To MariaDB everything arrives as it is: the same findings, all Success. */
static void test_to_mariadb(void **state)
{
	const char *kinds[][2] = {
		{ "UNSIGNED_BIGINT", "order.id" }, { "UNSIGNED", "order.qty" },
		{ "ENUM", "order.status" }, { "SET", "order.tags" },
		{ "ZERO_DATE", "order.created" }, { "ZERO_DATE", "order.updated" },
		{ "ON_UPDATE", "order.updated" }, { "GENERATED_COLUMN", "order.total" },
		{ "GENERATED_COLUMN", "order.flag" }, { "COLLATION_CI", "order" },
		{ "INDEX_KIND", "order.ft_body" }, { "INDEX_KIND", "order.sp_place" },
		{ "RESERVED_WORD", "order" }, { "VIEW_SQL", "v_order" },
		{ "VIEW_SQL", "v_report" }, { "VIEW_SQL", "v_plain" },
		{ "ROUTINE_SQL", "p_bump" }, { "ROUTINE_SQL", "f_double" },
		{ "TRIGGER_SQL", "trg_order_bi" },
	};
	const cJSON *it;
	char id[64];
	int failed;

	configure("MySQL", NULL, id, sizeof(id));
	run_past_precheck(id);
	cJSON *items = analysis(id, &failed);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		expect(items, kinds[i][0], kinds[i][1],
		       strchr(kinds[i][1], '.') || strcmp(kinds[i][0], "TRIGGER_SQL") == 0 ?
		       "order" : "", "Success", NULL);
	expect(items, "UNSIGNED_BIGINT", "order.id", "order", "Success",
	       "MySQL/MariaDB gets: `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT.",
	       "Carried unchanged", "Data may change: no.", NULL);
	expect(items, "ZERO_DATE", "order.created", "order", "Success",
	       "provided the destination's sql_mode accepts zero dates", NULL);
	expect(items, "RESERVED_WORD", "order", "", "Success", "queries quote it on the source already",
	       NULL);
	expect(items, "VIEW_SQL", "v_order", "", "Success", "is carried as it is", NULL);
	/* USER is not reserved in MySQL; 64 characters fit. */
	assert_null(find(items, "RESERVED_WORD", "order.user"));
	cJSON_ArrayForEach(it, items)
		if (strcmp(itest_str(it, "Item"), "ANALYSIS_IDENT_LENGTH_ITEM") == 0 ||
		    strcmp(itest_str(it, "State"), "Success") != 0)
			fail_msg("to MariaDB, unexpected %s %s %s: %s", itest_str(it, "Item"),
				 itest_str(it, "TargetNames"), itest_str(it, "State"),
				 first_log(it, "ErrMsg"));
	assert_int_equal(failed, 0);
	cJSON_Delete(items);
}

/* AnalysisJobProgress pages like JobProgress; Name filters it. */
static void test_paging_and_name_filter(void **state)
{
	char id[64], page[16];
	int failed, seen = 0;

	configure("PostgreSQL", NULL, id, sizeof(id));
	run_past_precheck(id);
	cJSON *all = analysis(id, &failed);
	int total = cJSON_GetArraySize(all);
	assert_true(total > 10);
	for (int p = 1; p <= total / 5 + 2; p++) {
		snprintf(page, sizeof(page), "%d", p);
		cJSON *r = describe(id, "PageSize", "5", "PageNo", page);
		const cJSON *arr = cJSON_GetObjectItem(r, "AnalysisJobProgress");
		int n = cJSON_GetArraySize(arr);
		assert_int_equal(n, total - seen < 5 ? total - seen : 5);
		for (int i = 0; i < n; i++) {
			const cJSON *a = cJSON_GetArrayItem(arr, i);
			const cJSON *b = cJSON_GetArrayItem(all, seen + i);
			assert_string_equal(itest_str(a, "Id"), itest_str(b, "Id"));
		}
		seen += n;
		assert_int_equal((int)itest_num(r, "ErrorAnalysisItem"), failed);
		cJSON_Delete(r);
	}
	assert_int_equal(seen, total);

	cJSON *r = describe(id, "Name", "v_order", "PageSize", "100");
	const cJSON *arr = cJSON_GetObjectItem(r, "AnalysisJobProgress");
	assert_int_equal(cJSON_GetArraySize(arr), 1);
	assert_string_equal(itest_str(cJSON_GetArrayItem(arr, 0), "TargetNames"), "v_order");
	cJSON_Delete(r);
	r = describe(id, "Name", "ORDER.", "PageSize", "100");
	arr = cJSON_GetObjectItem(r, "AnalysisJobProgress");
	assert_true(cJSON_GetArraySize(arr) > 10);
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
		assert_non_null(strstr(itest_str(it, "TargetNames"), "order."));
	cJSON_Delete(r);
	cJSON_Delete(all);
}

/* A DbList naming tables (a view among them) and columns: only what moves
 * is assessed, under its destination names. */
static void test_partial_selection(void **state)
{
	char id[64], dblist[512], target[96];
	int failed;

	snprintf(dblist, sizeof(dblist), "{\"%s\":{\"name\":\"%s\",\"all\":false,\"Table\":{"
		 "\"order\":{\"name\":\"order\",\"all\":false,\"column\":{\"id\":{},"
		 "\"user\":{\"name\":\"customer\"},\"created\":{},\"%s\":{\"name\":\"short_col\"}}},"
		 "\"v_plain\":{}}}}", SRC, DST, LONG_COL);
	configure_dblist("PostgreSQL", NULL, dblist, id, sizeof(id));
	run_past_precheck(id);
	cJSON *items = analysis(id, &failed);
	expect(items, "UNSIGNED_BIGINT", "order.id", "order", "Warning", NULL);
	expect(items, "ZERO_DATE", "order.created", "order", "Failed", NULL);
	expect(items, "RESERVED_WORD", "order", "", "Warning", NULL);
	expect(items, "COLLATION_CI", "order", "", "Failed", "1 column compares", NULL);
	expect(items, "VIEW_SQL", "v_plain", "", "Warning", NULL);
	expect(items, "TRIGGER_SQL", "trg_order_bi", "order", "Failed", NULL);
	/* Renamed to customer: no longer a reserved word; not moved: no item. */
	assert_null(find(items, "RESERVED_WORD", "order.user"));
	assert_null(find(items, "ENUM", "order.status"));
	assert_null(find(items, "GENERATED_COLUMN", "order.flag"));
	assert_null(find(items, "INDEX_KIND", "order.ft_body"));
	assert_null(find(items, "VIEW_SQL", "v_order"));
	assert_null(find(items, "ROUTINE_SQL", "p_bump"));
	/* The long column is renamed; the unique key keeps its long name. */
	snprintf(target, sizeof(target), "order.%s", LONG_COL);
	expect(items, "IDENT_LENGTH", target, "order", "Warning", "index ", NULL);
	assert_int_equal(failed, count_state(items, "Failed"));
	cJSON_Delete(items);
}

/* No catalog (the source refuses the login): nothing is assessed. */
static void test_no_catalog_no_items(void **state)
{
	char id[64];
	int failed;

	configure("PostgreSQL", "wrong-password", id, sizeof(id));
	start(id);
	char *st = wait_end(id);
	assert_string_equal(st, "PrecheckFailed");
	free(st);
	cJSON *items = analysis(id, &failed);
	assert_int_equal(cJSON_GetArraySize(items), 0);
	assert_int_equal(failed, 0);
	cJSON_Delete(items);
}

/* ---- a strict sql_mode: NOT NULL dates can no longer hold zero dates ----- */

static int restore_sql_mode(void **state)
{
	(void)state;
	if (saved_sql_mode) {
		struct my_conn *c = my_open();
		my_runf(c, "SET GLOBAL sql_mode = '%s'", saved_sql_mode);
		my_close(c);
		free(saved_sql_mode);
		saved_sql_mode = NULL;
	}
	return 0;
}

static void test_strict_sql_mode(void **state)
{
	struct my_conn *c = my_open();
	struct err e = { 0 };
	char id[64];
	int failed;

	assert_int_equal(my_query_value(c, "SELECT @@GLOBAL.sql_mode", &saved_sql_mode, &e), 0);
	assert_non_null(saved_sql_mode);
	my_run(c, "SET GLOBAL sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
		  "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
	my_close(c);
	configure("PostgreSQL", NULL, id, sizeof(id));
	run_past_precheck(id);
	cJSON *items = analysis(id, &failed);
	assert_null(find(items, "ZERO_DATE", "order.updated"));
	expect(items, "ZERO_DATE", "order.created", "order", "Failed", "zero-date default", NULL);
	assert_int_equal(failed, count_state(items, "Failed"));
	cJSON_Delete(items);
}

/* ---- a second run replaces the first run's items ------------------------- */

struct step_fixture {
	char dir[64], url[128];
	struct meta *m;
	struct meta_job job;
	atomic_bool cancel;
};

static void step_run(struct step_fixture *f)
{
	struct step_ctx ctx = {
		.meta = f->m, .meta_url = f->url, .job = &f->job, .code = "01",
		.step_id = "itassess01", .cancel = &f->cancel, .region = "local",
		.connect_timeout_s = 5, .workers = 2,
	};
	struct err e = { 0 };

	step_precheck_run(&ctx, &e);    /* its outcome belongs to the checks */
}

static int64_t count_items(struct step_fixture *f, const char *state, const char *name)
{
	struct meta_item_filter flt = { .job_id = f->job.id, .code = "01",
					.kind = META_ITEM_ANALYSIS, .state = state,
					.name_like = name };
	struct err e = { 0 };
	int64_t n = -1;

	if (meta_item_count(f->m, &flt, false, &n, &e) < 0)
		fail_msg("meta_item_count: %s", e.msg);
	return n;
}

static void step_job(struct step_fixture *f)
{
	struct meta_job j = { 0 };
	struct err e = { 0 };
	char dblist[256];

	snprintf(dblist, sizeof(dblist), "{\"%s\":{\"name\":\"%s\",\"all\":true}}", SRC, DST);
	snprintf(j.id, sizeof(j.id), "itassess%ld", (long)getpid());
	snprintf(j.instance_id, sizeof(j.instance_id), "dts%s", j.id);
	j.name = "assessment rerun";
	j.job_type = "MIGRATION";
	j.status = "Prechecking";
	j.configured = true;
	j.structure_init = true;
	j.src = (struct meta_endpoint){ .instance_type = "OTHER", .engine = "MySQL",
		.ip = (char *)MY.host, .port = MY.port, .user = (char *)MY.user,
		.password = (char *)MY.password, .database = "" };
	j.dst = (struct meta_endpoint){ .instance_type = "OTHER", .engine = "PostgreSQL",
		.ip = (char *)PG.host, .port = PG.port, .user = (char *)PG.user,
		.password = (char *)PG.password, .database = (char *)PG.database };
	j.db_list = dblist;
	j.desired = "run";
	j.generation = 1;
	if (meta_job_insert(f->m, &j, &e) < 0 || meta_job_get(f->m, j.id, &f->job, &e) < 0)
		fail_msg("job: %s", e.msg);
}

static void test_rerun_replaces_items(void **state)
{
	struct step_fixture f = { 0 };
	struct err e = { 0 };
	int64_t before, after;

	snprintf(f.dir, sizeof(f.dir), "/tmp/opendts-assess.XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.url, sizeof(f.url), "%s/meta.db", f.dir);
	f.m = meta_open(f.url, &e);
	if (!f.m)
		fail_msg("meta_open: %s", e.msg);
	atomic_init(&f.cancel, false);
	step_job(&f);
	step_run(&f);
	before = count_items(&f, NULL, NULL);
	assert_true(before > 10);
	assert_int_equal(count_items(&f, NULL, "v_plain"), 1);
	step_run(&f);
	assert_int_equal(count_items(&f, NULL, NULL), before);   /* replaced, not added */

	struct my_conn *c = my_open();
	my_runf(c, "DROP VIEW `%s`.v_plain", SRC);
	my_close(c);
	step_run(&f);
	after = count_items(&f, NULL, NULL);
	assert_int_equal(after, before - 1);
	assert_int_equal(count_items(&f, NULL, "v_plain"), 0);
	c = my_open();
	my_runf(c, "CREATE VIEW `%s`.v_plain AS SELECT id, 'IFNULL(x) || y' AS `year`"
		" FROM `%s`.plain", SRC, SRC);
	my_close(c);
	step_run(&f);
	assert_int_equal(count_items(&f, NULL, NULL), before);

	meta_job_release(&f.job);
	meta_free(f.m);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f.dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_postgresql),
		cmocka_unit_test(test_to_mariadb),
		cmocka_unit_test(test_paging_and_name_filter),
		cmocka_unit_test(test_partial_selection),
		cmocka_unit_test(test_no_catalog_no_items),
		cmocka_unit_test_teardown(test_strict_sql_mode, restore_sql_mode),
		cmocka_unit_test(test_rerun_replaces_items),
	};

	return cmocka_run_group_tests_name("assess", tests, setup, teardown);
}
