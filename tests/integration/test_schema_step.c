/*
 * test_schema_step.c - step 02 (schema migration) end to end: a real dtsd
 * runs schema-only jobs from the harness MariaDB to the same MariaDB under
 * other database names and to PostgreSQL; the tests read the items through
 * DescribePreCheckStatus (JobCode 02, StructType before) and the created
 * objects from the destination's own catalog. The second phase after the
 * full data (step_schema_finish) and a cancel in the middle are driven by
 * calling the step directly on a private metastore.
 *
 *     scripts/harness.sh run build/tests/integration/test_schema_step
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engines/mysql/my.h"
#include "engines/pg/pg.h"
#include "lib/itest.h"
#include "meta/meta.h"
#include "steps/schema_step.h"
#include "util/buf.h"

#define BIG_TABLES 500
/* itbig: every table, its k_a index; every tenth (from t20 on) a k_p
 * index and a foreign key; plus the database. */
#define BIG_FKS (BIG_TABLES / 10 - 1)
#define BIG_OBJECTS (1 + BIG_TABLES + BIG_TABLES + 2 * BIG_FKS)

static struct itest_dtsd D;
static struct itest_db MY, PG;
static struct my_conn *MYC;
static struct pg_conn *PGC;

/* The source corpus: tables with keys, a table without a primary key, FKs
 * with actions, a view over a view (created after the one it selects from
 * although its name sorts first), a function, a procedure, a trigger. */
static const char CORPUS[] =
	"DROP DATABASE IF EXISTS itsch; "
	"CREATE DATABASE itsch CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; "
	"USE itsch; "
	"CREATE TABLE customer (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
	"  name VARCHAR(100) NOT NULL, email VARCHAR(200) NOT NULL, note TEXT, "
	"  created DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), "
	"  UNIQUE KEY uk_email (email), KEY ix_name (name)) ENGINE=InnoDB COMMENT='customers'; "
	"CREATE TABLE address (id INT NOT NULL PRIMARY KEY, customer_id INT UNSIGNED, "
	"  city VARCHAR(80) NOT NULL DEFAULT '', KEY ix_city (city), KEY ix_customer (customer_id), "
	"  CONSTRAINT fk_address_customer FOREIGN KEY (customer_id) REFERENCES customer (id) "
	"  ON DELETE SET NULL) ENGINE=InnoDB; "
	"CREATE TABLE orders (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
	"  customer_id INT UNSIGNED NOT NULL, amount DECIMAL(12,2) NOT NULL DEFAULT 0.00, "
	"  status ENUM('new','paid','sent') NOT NULL DEFAULT 'new', "
	"  KEY ix_cust_status (customer_id, status), "
	"  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customer (id) "
	"  ON DELETE CASCADE) ENGINE=InnoDB; "
	"CREATE TABLE nopk (code CHAR(8) NOT NULL, label VARCHAR(50), UNIQUE KEY uk_code (code)) "
	"  ENGINE=InnoDB; "
	"CREATE VIEW v_customer AS SELECT id, name, email FROM customer WHERE id > 0; "
	"CREATE VIEW v_totals AS SELECT customer_id, SUM(amount) AS total FROM orders "
	"  GROUP BY customer_id; "
	"CREATE VIEW v_top AS SELECT customer_id FROM v_totals WHERE total > 100; "
	"CREATE FUNCTION f_double(x INT) RETURNS INT DETERMINISTIC RETURN x * 2; "
	"CREATE PROCEDURE p_count(OUT n INT) SELECT COUNT(*) INTO n FROM customer; "
	"CREATE TRIGGER trg_orders_bi BEFORE INSERT ON orders FOR EACH ROW "
	"  SET NEW.amount = ABS(NEW.amount)";

/* Every object of itsch: the database, 4 tables, the row key of nopk,
 * 3 views, 2 routines, 5 secondary indexes, 2 FKs, 1 trigger. */
#define ITSCH_OBJECTS 19

/* ---- set-up ------------------------------------------------------------------ */

static int create_big(void)
{
	struct buf b;
	int rc;

	buf_init(&b, BUF_UNLIMITED);
	buf_puts(&b, "DROP DATABASE IF EXISTS itbig; CREATE DATABASE itbig; USE itbig; ");
	for (int i = 1; i <= BIG_TABLES; i++) {
		if (i % 10 == 0 && i > 10)
			buf_printf(&b, "CREATE TABLE t%d (id INT PRIMARY KEY, a INT, b VARCHAR(40), "
				   "p INT, KEY k_a (a), KEY k_p (p), CONSTRAINT fk_%d FOREIGN KEY (p) "
				   "REFERENCES t%d (id)); ", i, i, i - 10);
		else
			buf_printf(&b, "CREATE TABLE t%d (id INT PRIMARY KEY, a INT, b VARCHAR(40), "
				   "KEY k_a (a)); ", i);
	}
	rc = itest_mysql_exec(buf_cstr(&b));
	buf_release(&b);
	return rc;
}

static int setup(void **state)
{
	struct err e = { 0 };

	(void)state;
	if (!itest_mysql(&MY) || !itest_pg(&PG)) {
		fprintf(stderr, "test_schema_step: MY_* / PG_* not set; run under "
			"scripts/harness.sh\n");
		return -1;
	}
	if (itest_mysql_exec(CORPUS) < 0 || create_big() < 0) {
		fprintf(stderr, "test_schema_step: cannot create the source corpus\n");
		return -1;
	}
	MYC = my_connect(&(struct my_conn_opts){ .host = MY.host, .port = MY.port,
						 .user = MY.user, .password = MY.password }, &e);
	PGC = pg_connect(&(struct pg_conn_opts){ .host = PG.host, .port = PG.port,
						 .user = PG.user, .password = PG.password,
						 .database = PG.database }, &e);
	if (!MYC || !PGC || pg_query_value(PGC, "SET client_min_messages = warning", NULL, &e) < 0) {
		fprintf(stderr, "test_schema_step: %s\n", e.msg);
		return -1;
	}
	memset(&D, 0, sizeof(D));
	return itest_dtsd_start(&D, NULL, NULL);
}

static int teardown(void **state)
{
	(void)state;
	itest_dtsd_destroy(&D);
	my_close(MYC);
	pg_close(PGC);
	return 0;
}

/* ---- destination queries ------------------------------------------------------ */

static long long my_num(const char *sql)
{
	struct err e = { 0 };
	char *v = NULL;
	long long n;

	if (my_query_value(MYC, sql, &v, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	n = v ? atoll(v) : -1;
	free(v);
	return n;
}

static void my_exec(const char *sql)
{
	struct err e = { 0 };

	if (my_query(MYC, sql, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
}

/* First column of the first row as text (caller frees), "" when none. */
static char *my_text(const char *sql)
{
	struct err e = { 0 };
	char *v = NULL;

	if (my_query_value(MYC, sql, &v, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	return v ? v : strdup("");
}

/* Column 2 of SHOW CREATE TABLE (the definition); caller frees. */
static char *my_show_create(const char *schema, const char *table)
{
	struct err e = { 0 };
	struct my_rows *r;
	char sql[256];
	char *def;

	snprintf(sql, sizeof(sql), "SHOW CREATE TABLE `%s`.`%s`", schema, table);
	r = my_query_rows(MYC, sql, &e);
	if (!r || !my_rows_next(r) || !my_rows_get(r, 1))
		fail_msg("%s: %s", sql, e.msg);
	def = strdup(my_rows_get(r, 1));
	my_rows_free(r);
	return def;
}

static long long pg_num(const char *sql)
{
	struct err e = { 0 };
	char *v = NULL;
	long long n;

	if (pg_query_value(PGC, sql, &v, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	n = v ? atoll(v) : -1;
	free(v);
	return n;
}

/* ---- jobs through dtsd ------------------------------------------------------------ */

/* Configures a schema-only job from itsch (or another source database) and
 * returns its id in id[64]. reserve NULL: targetTableMode "0". */
static void configure(char *id, const char *dblist, bool pg, const char *reserve)
{
	struct kvlist p;
	cJSON *r = NULL;

	kvlist_init(&p);
	kvlist_add(&p, "DtsJobName", "schema test");
	kvlist_add(&p, "JobType", "MIGRATION");
	kvlist_add(&p, "StructureInitialization", "true");
	kvlist_add(&p, "DataInitialization", "false");
	kvlist_add(&p, "DataSynchronization", "false");
	kvlist_add(&p, "DbList", dblist);
	kvlist_add(&p, "Reserve", reserve ? reserve
		   : "{\"targetTableMode\":\"0\",\"autoStartModulesAfterConfig\":\"none\"}");
	itest_src_params(&p, &MY, NULL);
	itest_dst_params(&p, pg ? &PG : &MY, pg ? "PostgreSQL" : "MySQL", NULL);
	if (itest_callv(&D, &r, "ConfigureDtsJob", &p) != 200)
		fail_msg("ConfigureDtsJob: %s", r ? itest_str(r, "Message") : "no reply");
	kvlist_release(&p);
	snprintf(id, 64, "%s", itest_str(r, "DtsJobId"));
	cJSON_Delete(r);
}

static void start(const char *id)
{
	cJSON *r = NULL;

	assert_int_equal(itest_call(&D, &r, "StartDtsJob", "DtsJobId", id, NULL), 200);
	cJSON_Delete(r);
}

static void expect_status(const char *id, const char *want, int timeout_ms)
{
	char *got = itest_wait_status(&D, id, timeout_ms, want, "Finished", "MigrationFailed",
				      "PrecheckFailed", NULL);

	assert_non_null(got);
	if (strcmp(got, want) != 0) {
		cJSON *r = NULL;
		itest_call(&D, &r, "DescribeDtsJobDetail", "DtsJobId", id, NULL);
		fail_msg("job %s is %s, expected %s: %s", id, got, want,
			 r ? itest_str(r, "ErrorMessage") : "");
	}
	free(got);
}

/* DescribePreCheckStatus JobCode 02 (StructType before), one page of 1000,
 * with the StructPhase and Name filters when not NULL. */
static cJSON *schema_items(const char *id, const char *phase, const char *name, int page)
{
	struct kvlist p;
	cJSON *r = NULL;
	char pg[16];

	snprintf(pg, sizeof(pg), "%d", page);
	kvlist_init(&p);
	kvlist_add(&p, "DtsJobId", id);
	kvlist_add(&p, "JobCode", "02");
	kvlist_add(&p, "StructType", "before");
	kvlist_add(&p, "PageSize", "1000");
	kvlist_add(&p, "PageNo", pg);
	if (phase)
		kvlist_add(&p, "StructPhase", phase);
	if (name)
		kvlist_add(&p, "Name", name);
	assert_int_equal(itest_callv(&D, &r, "DescribePreCheckStatus", &p), 200);
	kvlist_release(&p);
	return r;
}

static const cJSON *progress(const cJSON *reply)
{
	return cJSON_GetObjectItem(reply, "JobProgress");
}

static const cJSON *item_named(const cJSON *reply, const char *item)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, progress(reply))
		if (strcmp(itest_str(it, "Item"), item) == 0)
			return it;
	fail_msg("no schema item %s", item);
	return NULL;
}

static const char *log_at(const cJSON *it, int i, const char *field)
{
	const cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItem(it, "Logs"), i);

	return l ? itest_str(l, field) : "";
}

/* True when some log of the item has msg in its ErrMsg. */
static bool logs_mention(const cJSON *it, const char *msg)
{
	const cJSON *l;

	cJSON_ArrayForEach(l, cJSON_GetObjectItem(it, "Logs"))
		if (strstr(itest_str(l, "ErrMsg"), msg))
			return true;
	return false;
}

static void assert_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("\"%s\" does not contain \"%s\"", s, needle);
}

/* Every item Success with its DdlSql, Item == TargetNames, StructType rows
 * in creation order; returns how many. */
static int assert_all_success(const cJSON *reply)
{
	const cJSON *it;
	int n = 0, last = 0;

	cJSON_ArrayForEach(it, progress(reply)) {
		if (strcmp(itest_str(it, "State"), "Success") != 0)
			fail_msg("item %s is %s: %s %s", itest_str(it, "Item"), itest_str(it, "State"),
				 itest_str(it, "ErrMsg"), log_at(it, 0, "ErrMsg"));
		assert_string_equal(itest_str(it, "Item"), itest_str(it, "TargetNames"));
		if (strlen(itest_str(it, "DdlSql")) < 10)
			fail_msg("item %s has no DdlSql", itest_str(it, "Item"));
		assert_true(itest_num(it, "OrderNum") > last);
		last = (int)itest_num(it, "OrderNum");
		n++;
	}
	return n;
}

static int count_phase(const char *id, const char *phase)
{
	cJSON *r = schema_items(id, phase, NULL, 1);
	const cJSON *it;
	int n = 0;

	cJSON_ArrayForEach(it, progress(r)) {
		assert_string_equal(itest_str(it, "State"), "Success");
		n++;
	}
	assert_int_equal((int)itest_num(r, "Total"), n);
	cJSON_Delete(r);
	return n;
}

/* ---- MariaDB -> MariaDB ------------------------------------------------------------- */

static void test_to_mariadb_creates_every_object(void **state)
{
	char id[64];
	cJSON *r;

	(void)state;
	my_exec("DROP DATABASE IF EXISTS itsch_copy");
	configure(id, "{\"itsch\":{\"name\":\"itsch_copy\",\"all\":true}}", false, NULL);
	start(id);
	expect_status(id, "Finished", 60000);

	r = schema_items(id, NULL, NULL, 1);
	assert_string_equal(itest_str(r, "State"), "Finished");
	assert_string_equal(itest_str(r, "JobName"), "dts.step.struct.load");
	assert_int_equal((int)itest_num(r, "ErrorItem"), 0);
	assert_int_equal(assert_all_success(r), ITSCH_OBJECTS);
	const cJSON *t = item_named(r, "customer");
	assert_string_equal(itest_str(t, "SourceSchema"), "itsch");
	assert_string_equal(itest_str(t, "DestSchema"), "itsch_copy");
	assert_string_equal(itest_str(t, "Names"), "customer");
	assert_string_equal(itest_str(t, "ParentObj"), "");
	assert_contains(itest_str(t, "DdlSql"), "CREATE TABLE `itsch_copy`.`customer`");
	const cJSON *ix = item_named(r, "ix_name");
	assert_string_equal(itest_str(ix, "ParentObj"), "customer");
	/* A schema-only job on MySQL creates a table's keys in its CREATE TABLE. */
	assert_contains(itest_str(ix, "DdlSql"), "CREATE TABLE `itsch_copy`.`customer`");
	assert_contains(itest_str(ix, "DdlSql"), "KEY `ix_name` (`name`)");
	assert_true(logs_mention(ix, "created with table customer"));
	assert_true(itest_num(ix, "OrderNum") > itest_num(t, "OrderNum"));
	assert_true(itest_num(item_named(r, "v_top"), "OrderNum") >
		    itest_num(item_named(r, "nopk"), "OrderNum"));
	assert_contains(itest_str(item_named(r, "trg_orders_bi"), "DdlSql"), "TRIGGER");
	cJSON_Delete(r);

	/* The StructPhase and Name filters. */
	assert_int_equal(count_phase(id, "Database"), 1);
	assert_int_equal(count_phase(id, "Table"), 4);
	assert_int_equal(count_phase(id, "View"), 3);
	assert_int_equal(count_phase(id, "Index"), 6);
	assert_int_equal(count_phase(id, "ForeignKey"), 2);
	assert_int_equal(count_phase(id, "Function"), 1);
	assert_int_equal(count_phase(id, "Procedure"), 1);
	assert_int_equal(count_phase(id, "Trigger"), 1);
	r = schema_items(id, NULL, "cust", 1);
	assert_int_equal((int)itest_num(r, "Total"), 6);   /* customer, v_customer, ix_customer,
							       * ix_cust_status, 2 FKs */
	cJSON_Delete(r);
	assert_int_equal(itest_call(&D, &r, "DescribePreCheckStatus", "DtsJobId", id, "JobCode",
				    "02", "StructType", "after", NULL), 200);
	assert_int_equal((int)itest_num(r, "Total"), 0);
	cJSON_Delete(r);
	r = schema_items(id, "View", "top", 1);
	assert_int_equal((int)itest_num(r, "Total"), 1);
	assert_string_equal(itest_str(cJSON_GetArrayItem(progress(r), 0), "Item"), "v_top");
	cJSON_Delete(r);

	/* The destination really has them. */
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.TABLES WHERE "
				"TABLE_SCHEMA='itsch_copy' AND TABLE_TYPE='BASE TABLE'"), 4);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.VIEWS WHERE "
				"TABLE_SCHEMA='itsch_copy'"), 3);
	assert_int_equal(my_num("SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM "
				"information_schema.STATISTICS WHERE TABLE_SCHEMA='itsch_copy' "
				"AND INDEX_NAME <> 'PRIMARY'"), 6);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
				"WHERE CONSTRAINT_SCHEMA='itsch_copy' AND "
				"REFERENCED_TABLE_NAME='customer'"), 2);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.ROUTINES WHERE "
				"ROUTINE_SCHEMA='itsch_copy'"), 2);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE "
				"TRIGGER_SCHEMA='itsch_copy' AND EVENT_OBJECT_TABLE='orders'"), 1);
	assert_int_equal(my_num("SELECT itsch_copy.f_double(21)"), 42);
	/* Faithful: the same definition up to the database name (tables
	 * without foreign keys; keys created with the table keep their order). */
	for (const char *const *tb = (const char *const[]){ "customer", "nopk", NULL }; *tb; tb++) {
		char *src = my_show_create("itsch", *tb);
		char *dst = my_show_create("itsch_copy", *tb);
		assert_non_null(strstr(src, "KEY `"));
		assert_string_equal(src, dst);
		free(src);
		free(dst);
	}

	/* Subtask progress: objects done / objects. */
	assert_int_equal(itest_call(&D, &r, "DescribeDtsJobDetail", "DtsJobId", id, NULL), 200);
	const cJSON *s = cJSON_GetObjectItem(r, "StructureInitializationStatus");
	assert_string_equal(itest_str(s, "Status"), "Finished");
	assert_string_equal(itest_str(s, "Percent"), "100");
	assert_int_equal(atoi(itest_str(s, "Progress")), ITSCH_OBJECTS);
	cJSON_Delete(r);
}

static void test_renames_and_column_subset(void **state)
{
	char id[64];
	cJSON *r;

	(void)state;
	my_exec("DROP DATABASE IF EXISTS itsch_ren");
	configure(id, "{\"itsch\":{\"name\":\"itsch_ren\",\"all\":false,\"Table\":{"
		  "\"customer\":{\"name\":\"client\",\"all\":false,\"column\":{"
		  "\"id\":{\"name\":\"id\"},\"name\":{\"name\":\"full_name\"},"
		  "\"email\":{\"name\":\"email\"}}},"
		  "\"address\":{\"name\":\"addr\",\"all\":true}}}}", false, NULL);
	start(id);
	expect_status(id, "Finished", 60000);
	r = schema_items(id, NULL, NULL, 1);
	/* database, 2 tables, 4 indexes, 1 FK; no view or routine: the
	 * database is not selected as a whole. */
	assert_int_equal(assert_all_success(r), 8);
	const cJSON *t = item_named(r, "client");
	assert_string_equal(itest_str(t, "Names"), "customer");
	assert_string_equal(itest_str(t, "DestSchema"), "itsch_ren");
	assert_contains(itest_str(t, "DdlSql"), "`full_name`");
	assert_null(strstr(itest_str(t, "DdlSql"), "`note`"));
	assert_string_equal(itest_str(item_named(r, "fk_address_customer"), "ParentObj"), "addr");
	cJSON_Delete(r);

	char *cols = my_text("SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION) FROM "
			     "information_schema.COLUMNS WHERE TABLE_SCHEMA='itsch_ren' AND "
			     "TABLE_NAME='client'");
	assert_string_equal(cols, "id,full_name,email");
	free(cols);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE "
				"TABLE_SCHEMA='itsch_ren' AND TABLE_NAME='client' AND "
				"INDEX_NAME='ix_name' AND COLUMN_NAME='full_name'"), 1);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
				"WHERE CONSTRAINT_SCHEMA='itsch_ren' AND TABLE_NAME='addr' AND "
				"REFERENCED_TABLE_NAME='client'"), 1);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.TABLES WHERE "
				"TABLE_SCHEMA='itsch_ren'"), 2);
}

/* Mode "0": an existing destination table fails its item with the
 * destination's own error; its indexes are not created; the job fails. */
static void test_existing_table_mode0_fails(void **state)
{
	char id[64];
	cJSON *r = NULL;

	(void)state;
	my_exec("DROP DATABASE IF EXISTS itsch_m0");
	my_exec("CREATE DATABASE itsch_m0");
	my_exec("CREATE TABLE itsch_m0.customer (id INT UNSIGNED NOT NULL PRIMARY KEY, marker INT)");
	configure(id, "{\"itsch\":{\"name\":\"itsch_m0\",\"all\":true}}", false, NULL);
	start(id);
	/* The precheck sees the table; skipping CHECK_SAME_OBJ lets the job on. */
	expect_status(id, "PrecheckFailed", 60000);
	assert_int_equal(itest_call(&D, &r, "SkipPreCheck", "DtsJobId", id, "SkipPreCheckItems",
				    "[\"CHECK_SAME_OBJ\"]", NULL), 200);
	cJSON_Delete(r);
	expect_status(id, "MigrationFailed", 60000);

	r = schema_items(id, NULL, NULL, 1);
	assert_string_equal(itest_str(r, "State"), "Failed");
	assert_true(itest_num(r, "ErrorItem") >= 3);
	const cJSON *t = item_named(r, "customer");
	assert_string_equal(itest_str(t, "State"), "Failed");
	assert_contains(itest_str(t, "ErrMsg"), "Table 'customer' already exists");
	assert_contains(itest_str(t, "DdlSql"), "CREATE TABLE `itsch_m0`.`customer`");
	assert_string_equal(log_at(t, 0, "LogLevel"), "ERROR");
	assert_string_equal(log_at(t, 0, "ErrType"), "Table");
	assert_string_equal(log_at(t, 0, "ErrMsg"),
			    "DTS-1020042 Execute sql error sql: Table 'customer' already exists");
	assert_contains(log_at(t, 0, "ErrData"), "CREATE TABLE");
	const cJSON *ix = item_named(r, "uk_email");
	assert_string_equal(itest_str(ix, "State"), "Failed");
	assert_true(logs_mention(ix, "was not created"));
	assert_string_equal(itest_str(item_named(r, "orders"), "State"), "Success");
	cJSON_Delete(r);
	/* The existing table is untouched. */
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE "
				"TABLE_SCHEMA='itsch_m0' AND TABLE_NAME='customer' AND "
				"COLUMN_NAME='marker'"), 1);
	assert_int_equal(itest_call(&D, &r, "DescribeDtsJobDetail", "DtsJobId", id, NULL), 200);
	assert_contains(itest_str(r, "ErrorMessage"), "schema migration failed for");
	assert_contains(itest_str(r, "ErrorMessage"), "customer");
	assert_string_equal(itest_str(cJSON_GetObjectItem(r, "StructureInitializationStatus"),
				      "Status"), "Failed");
	cJSON_Delete(r);
}

/* Mode "2": the existing table is kept as it is, the job finishes. */
static void test_existing_table_mode2_kept(void **state)
{
	char id[64];
	cJSON *r;

	(void)state;
	my_exec("DROP DATABASE IF EXISTS itsch_m2");
	my_exec("CREATE DATABASE itsch_m2");
	my_exec("CREATE TABLE itsch_m2.customer (id INT UNSIGNED NOT NULL AUTO_INCREMENT "
		"PRIMARY KEY, name VARCHAR(100), marker INT)");
	configure(id, "{\"itsch\":{\"name\":\"itsch_m2\",\"all\":false,\"Table\":{"
		  "\"customer\":{\"all\":true},\"orders\":{\"all\":true}}}}", false,
		  "{\"targetTableMode\":\"2\",\"autoStartModulesAfterConfig\":\"none\"}");
	start(id);
	expect_status(id, "Finished", 60000);
	r = schema_items(id, NULL, NULL, 1);
	assert_all_success(r);
	const cJSON *t = item_named(r, "customer");
	assert_true(logs_mention(t, "kept the existing table"));
	assert_string_equal(log_at(t, 0, "LogLevel"), "INFO");
	assert_true(logs_mention(item_named(r, "ix_name"), "kept as it is"));
	assert_false(logs_mention(item_named(r, "orders"), "kept"));
	cJSON_Delete(r);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE "
				"TABLE_SCHEMA='itsch_m2' AND TABLE_NAME='customer'"), 3);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE "
				"TABLE_SCHEMA='itsch_m2' AND TABLE_NAME='customer' AND "
				"INDEX_NAME <> 'PRIMARY'"), 0);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE "
				"TRIGGER_SCHEMA='itsch_m2'"), 1);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
				"WHERE CONSTRAINT_SCHEMA='itsch_m2' AND TABLE_NAME='orders'"), 1);
}

/* A view over a column the subset leaves out: the destination refuses it. */
static void test_rejected_view_fails_with_reason(void **state)
{
	char id[64];
	cJSON *r;

	(void)state;
	my_exec("DROP DATABASE IF EXISTS itsch_bad");
	configure(id, "{\"itsch\":{\"name\":\"itsch_bad\",\"all\":false,\"Table\":{"
		  "\"customer\":{\"all\":false,\"column\":{\"id\":{},\"name\":{},\"note\":{}}},"
		  "\"v_customer\":{\"all\":true}}}}", false, NULL);
	start(id);
	expect_status(id, "MigrationFailed", 60000);
	r = schema_items(id, "View", NULL, 1);
	assert_int_equal((int)itest_num(r, "Total"), 1);
	const cJSON *v = item_named(r, "v_customer");
	assert_string_equal(itest_str(v, "State"), "Failed");
	assert_contains(itest_str(v, "DdlSql"), "VIEW `itsch_bad`.`v_customer`");
	assert_contains(itest_str(v, "ErrMsg"), "email");
	assert_string_equal(log_at(v, 0, "LogLevel"), "ERROR");
	assert_string_equal(log_at(v, 0, "ErrType"), "View");
	assert_contains(log_at(v, 0, "ErrMsg"), "DTS-1020042 Execute sql error sql: ");
	cJSON_Delete(r);
	r = schema_items(id, "Table", NULL, 1);
	assert_string_equal(itest_str(item_named(r, "customer"), "State"), "Success");
	cJSON_Delete(r);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.VIEWS WHERE "
				"TABLE_SCHEMA='itsch_bad'"), 0);
}

/* ---- MariaDB -> PostgreSQL ------------------------------------------------------------ */

static void test_to_postgresql(void **state)
{
	char id[64];
	cJSON *r;

	(void)state;
	pg_query_value(PGC, "DROP SCHEMA IF EXISTS itsch_pg CASCADE", NULL, &(struct err){ 0 });
	/* Renamed database and table folded to lower case (dest_lower). */
	configure(id, "{\"itsch\":{\"name\":\"ItSch_PG\",\"all\":false,\"Table\":{"
		  "\"customer\":{\"name\":\"Customer\",\"all\":true},\"address\":{\"all\":true},"
		  "\"nopk\":{\"all\":true},\"v_customer\":{\"all\":true}}}}", true,
		  "{\"targetTableMode\":\"0\",\"dbListCaseChangeMode\":\"dest_lower\","
		  "\"autoStartModulesAfterConfig\":\"none\"}");
	start(id);
	expect_status(id, "Finished", 60000);
	r = schema_items(id, NULL, NULL, 1);
	/* schema, 3 tables, nopk's row key, 1 view, 4 indexes, 1 FK */
	assert_int_equal(assert_all_success(r), 11);
	const cJSON *t = item_named(r, "customer");
	assert_string_equal(itest_str(t, "DestSchema"), "itsch_pg");
	assert_contains(itest_str(t, "DdlSql"), "CREATE TABLE \"itsch_pg\".\"customer\"");
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(t, "Logs")) > 0);   /* the notes */
	assert_string_equal(log_at(t, 0, "LogLevel"), "INFO");
	const cJSON *ix = item_named(r, "customer_ix_name");
	assert_string_equal(itest_str(ix, "ParentObj"), "customer");
	assert_string_equal(itest_str(item_named(r, "itsch_pg"), "Item"), "itsch_pg");
	cJSON_Delete(r);
	assert_int_equal(count_phase(id, "Index"), 5);
	assert_int_equal(count_phase(id, "View"), 1);

	assert_int_equal(pg_num("SELECT count(*) FROM information_schema.tables WHERE "
				"table_schema = 'itsch_pg' AND table_type = 'BASE TABLE'"), 3);
	assert_int_equal(pg_num("SELECT count(*) FROM information_schema.views WHERE "
				"table_schema = 'itsch_pg'"), 1);
	assert_int_equal(pg_num("SELECT count(*) FROM pg_indexes WHERE schemaname = 'itsch_pg' "
				"AND indexname NOT LIKE '%_pkey'"), 5);
	assert_int_equal(pg_num("SELECT count(*) FROM information_schema.table_constraints "
				"WHERE table_schema = 'itsch_pg' AND constraint_type = 'FOREIGN KEY' "
				"AND table_name = 'address'"), 1);
	assert_int_equal(pg_num("SELECT count(*) FROM information_schema.columns WHERE "
				"table_schema = 'itsch_pg' AND table_name = 'customer'"), 5);
}

/* Stored programs do not convert to PostgreSQL: Failed items with their
 * DdlSql and the reason, never skipped silently. */
static void test_postgresql_unsupported_objects_fail(void **state)
{
	char id[64];
	cJSON *r;

	(void)state;
	pg_query_value(PGC, "DROP SCHEMA IF EXISTS itsch_pg2 CASCADE", NULL, &(struct err){ 0 });
	configure(id, "{\"itsch\":{\"name\":\"itsch_pg2\",\"all\":true}}", true, NULL);
	start(id);
	expect_status(id, "MigrationFailed", 60000);
	r = schema_items(id, NULL, NULL, 1);
	assert_int_equal((int)itest_num(r, "Total"), ITSCH_OBJECTS);
	const cJSON *f = item_named(r, "f_double");
	assert_string_equal(itest_str(f, "State"), "Failed");
	assert_contains(itest_str(f, "DdlSql"), "f_double");
	assert_true(strlen(itest_str(f, "ErrMsg")) > 10);
	assert_string_equal(log_at(f, 0, "LogLevel"), "ERROR");
	assert_string_equal(log_at(f, 0, "ErrType"), "Function");
	assert_contains(log_at(f, 0, "ErrMsg"), "not created");
	assert_string_equal(itest_str(item_named(r, "trg_orders_bi"), "State"), "Failed");
	assert_string_equal(itest_str(item_named(r, "p_count"), "State"), "Failed");
	assert_string_equal(itest_str(item_named(r, "orders"), "State"), "Success");
	assert_true(itest_num(r, "ErrorItem") >= 3);
	cJSON_Delete(r);
	assert_int_equal(itest_call(&D, &r, "DescribeDtsJobDetail", "DtsJobId", id, NULL), 200);
	assert_contains(itest_str(r, "ErrorMessage"), "schema migration failed for");
	cJSON_Delete(r);
	assert_int_equal(pg_num("SELECT count(*) FROM information_schema.tables WHERE "
				"table_schema = 'itsch_pg2' AND table_type = 'BASE TABLE'"), 4);
}

/* ---- kill -9 in the middle ------------------------------------------------------------- */

static long long tables_in(struct my_conn *c, const char *schema)
{
	struct err e = { 0 };
	char sql[256], *v = NULL;
	long long n;

	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM information_schema.TABLES WHERE "
		 "TABLE_SCHEMA='%s'", schema);
	if (my_query_value(c, sql, &v, &e) < 0)
		fail_msg("%s: %s", sql, e.msg);
	n = v ? atoll(v) : -1;
	free(v);
	return n;
}

static long long big_tables(const char *schema)
{
	return tables_in(MYC, schema);
}

/* Every object of itbig exactly once, Success, and in the destination. */
static void assert_big_complete(const char *id, const char *schema)
{
	char sql[320];
	int success = 0, total = 0, resumed = 0;

	for (int page = 1; page <= 2; page++) {
		cJSON *r = schema_items(id, NULL, NULL, page);
		const cJSON *it;
		total = (int)itest_num(r, "Total");
		cJSON_ArrayForEach(it, progress(r)) {
			success += strcmp(itest_str(it, "State"), "Success") == 0;
			resumed += logs_mention(it, "found when the step resumed");
		}
		cJSON_Delete(r);
	}
	/* Objects created just before the kill, recorded after the restart. */
	print_message("%d object(s) were found in the destination after the restart\n",
		      resumed);
	assert_int_equal(total, BIG_OBJECTS);
	assert_int_equal(success, BIG_OBJECTS);
	assert_int_equal(big_tables(schema), BIG_TABLES);
	snprintf(sql, sizeof(sql), "SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM "
		 "information_schema.STATISTICS WHERE TABLE_SCHEMA='%s' AND INDEX_NAME <> "
		 "'PRIMARY'", schema);
	assert_int_equal(my_num(sql), BIG_TABLES + BIG_FKS);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM information_schema."
		 "REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA='%s'", schema);
	assert_int_equal(my_num(sql), BIG_FKS);
}

static void sleep_ms(int ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L },
		  NULL);
}

static void test_kill9_during_schema_resumes(void **state)
{
	const char *const one[] = { "--step-workers", "1", NULL };
	char id[64], dir[256];
	long long at_kill = 0;

	(void)state;
	my_exec("DROP DATABASE IF EXISTS itbig_copy");
	snprintf(dir, sizeof(dir), "%s", D.data_dir);
	assert_int_equal(itest_dtsd_stop(&D, false), 0);
	assert_int_equal(itest_dtsd_start(&D, dir, one), 0);
	configure(id, "{\"itbig\":{\"name\":\"itbig_copy\",\"all\":true}}", false, NULL);
	start(id);
	for (int i = 0; i < 6000 && at_kill < 40; i++) {
		sleep_ms(5);
		at_kill = big_tables("itbig_copy");
	}
	assert_int_equal(itest_dtsd_stop(&D, true), 128 + 9);
	at_kill = big_tables("itbig_copy");
	assert_true(at_kill >= 40 && at_kill < BIG_TABLES);
	assert_int_equal(itest_dtsd_start(&D, dir, NULL), 0);
	expect_status(id, "Finished", 120000);
	assert_big_complete(id, "itbig_copy");
}

/* ---- the step called directly: the finish phase, a cancel ---------------------------- */

struct direct {
	char dir[64];
	char url[128];
	struct meta *m;
	struct meta_job job;
	atomic_bool cancel;
	struct err err;
};

static void direct_open(struct direct *d, const char *job_id, const char *dblist,
			bool data_init)
{
	struct meta_endpoint src = { .instance_type = "OTHER", .engine = "MySQL",
				     .ip = (char *)MY.host, .port = MY.port,
				     .user = (char *)MY.user, .password = (char *)MY.password,
				     .database = "" };
	struct meta_job j = { 0 };
	struct err e = { 0 };

	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/opendts-schema.XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->url, sizeof(d->url), "%s/meta.db", d->dir);
	d->m = meta_open(d->url, &e);
	if (!d->m)
		fail_msg("meta_open: %s", e.msg);
	snprintf(j.id, sizeof(j.id), "%s", job_id);
	snprintf(j.instance_id, sizeof(j.instance_id), "dts%s", job_id);
	j.name = "schema direct";
	j.job_type = "MIGRATION";
	j.status = "Migrating";
	j.configured = true;
	j.structure_init = true;
	j.data_init = data_init;
	j.src = src;
	j.dst = src;
	j.desired = "run";
	j.generation = 1;
	j.db_list = (char *)dblist;
	j.reserve = "{\"targetTableMode\":\"0\"}";
	if (meta_job_insert(d->m, &j, &e) < 0 || meta_job_get(d->m, j.id, &d->job, &e) < 0)
		fail_msg("job: %s", e.msg);
	atomic_init(&d->cancel, false);
}

static void direct_close(struct direct *d)
{
	char cmd[128];

	meta_job_release(&d->job);
	meta_free(d->m);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", d->dir);
}

static enum step_result direct_run(struct direct *d, bool finish)
{
	struct step_ctx ctx = {
		.meta = d->m, .meta_url = d->url, .job = &d->job, .code = "02",
		.step_id = "itstep02", .cancel = &d->cancel, .region = "local",
		.connect_timeout_s = 10, .workers = 2,
	};

	memset(&d->err, 0, sizeof(d->err));
	return finish ? step_schema_finish(&ctx, &d->err) : step_schema_run(&ctx, &d->err);
}

/* How many items of the phase (NULL = any) are in the state (NULL = any). */
static int direct_count(struct direct *d, const char *phase, const char *state)
{
	struct meta_item_filter f = { .job_id = d->job.id, .code = "02",
				      .kind = META_ITEM_PROGRESS, .struct_type = "before",
				      .phase = phase, .state = state };
	int64_t n = 0;
	struct err e = { 0 };

	if (meta_item_count(d->m, &f, false, &n, &e) < 0)
		fail_msg("meta_item_count: %s", e.msg);
	return (int)n;
}

/* With a full-data step, indexes, FKs and triggers wait for finish(). */
static void test_finish_creates_second_phase(void **state)
{
	struct direct d;

	(void)state;
	my_exec("DROP DATABASE IF EXISTS itsch_fin");
	direct_open(&d, "itschemafin", "{\"itsch\":{\"name\":\"itsch_fin\",\"all\":true}}", true);
	assert_int_equal(direct_run(&d, false), STEP_DONE);
	assert_int_equal(direct_count(&d, "Table", "Success"), 4);
	assert_int_equal(direct_count(&d, "Index", "Success"), 1);      /* nopk's row key */
	assert_int_equal(direct_count(&d, "Index", "NotStarted"), 5);
	assert_int_equal(direct_count(&d, "ForeignKey", "NotStarted"), 2);
	assert_int_equal(direct_count(&d, "Trigger", "NotStarted"), 1);
	assert_int_equal(my_num("SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM "
				"information_schema.STATISTICS WHERE TABLE_SCHEMA='itsch_fin' AND "
				"INDEX_NAME <> 'PRIMARY'"), 1);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE "
				"TRIGGER_SCHEMA='itsch_fin'"), 0);

	assert_int_equal(direct_run(&d, true), STEP_DONE);
	assert_int_equal(direct_count(&d, NULL, "Success"), ITSCH_OBJECTS);
	assert_int_equal(my_num("SELECT COUNT(DISTINCT TABLE_NAME, INDEX_NAME) FROM "
				"information_schema.STATISTICS WHERE TABLE_SCHEMA='itsch_fin' AND "
				"INDEX_NAME <> 'PRIMARY'"), 6);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
				"WHERE CONSTRAINT_SCHEMA='itsch_fin'"), 2);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE "
				"TRIGGER_SCHEMA='itsch_fin'"), 1);
	/* Idempotent: a second finish (after a restart) changes nothing. */
	assert_int_equal(direct_run(&d, true), STEP_DONE);
	assert_int_equal(direct_count(&d, NULL, "Success"), ITSCH_OBJECTS);
	direct_close(&d);
}

struct canceller {
	struct direct *d;
	pthread_t th;
};

/* Sets the cancel flag once 40 tables exist; polls on a connection of
 * its own (a connection belongs to the thread that opened it). */
static void *cancel_later(void *arg)
{
	struct canceller *c = arg;
	struct err e = { 0 };
	struct my_conn *mine = my_connect(&(struct my_conn_opts){ .host = MY.host,
		.port = MY.port, .user = MY.user, .password = MY.password }, &e);

	for (int i = 0; mine && i < 12000 && tables_in(mine, "itbig_cancel") < 40; i++)
		sleep_ms(5);
	atomic_store(&c->d->cancel, true);
	my_close(mine);
	return NULL;
}

/* A cancel stops between objects; the next run finishes the rest. */
static void test_cancel_then_resume(void **state)
{
	struct direct d;
	struct canceller c;

	(void)state;
	my_exec("DROP DATABASE IF EXISTS itbig_cancel");
	direct_open(&d, "itschemacancel", "{\"itbig\":{\"name\":\"itbig_cancel\",\"all\":true}}",
		    false);
	c.d = &d;
	assert_int_equal(pthread_create(&c.th, NULL, cancel_later, &c), 0);
	enum step_result res = direct_run(&d, false);
	pthread_join(c.th, NULL);
	assert_int_equal(res, STEP_CANCELLED);
	assert_int_equal(d.err.code, ERR_CANCELLED);
	assert_int_equal(direct_count(&d, NULL, "Migrating"), 0);
	int done = direct_count(&d, NULL, "Success");
	assert_true(done > 40 && done < BIG_OBJECTS);
	assert_int_equal(direct_count(&d, NULL, "NotStarted"), BIG_OBJECTS - done);

	atomic_store(&d.cancel, false);
	assert_int_equal(direct_run(&d, false), STEP_DONE);
	assert_int_equal(direct_count(&d, NULL, "Success"), BIG_OBJECTS);
	assert_int_equal(big_tables("itbig_cancel"), BIG_TABLES);
	assert_int_equal(my_num("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
				"WHERE CONSTRAINT_SCHEMA='itbig_cancel'"), BIG_FKS);
	direct_close(&d);
}

/* A destination that refuses the login fails the step with the reason. */
static void test_unreachable_destination_fails(void **state)
{
	struct direct d;

	(void)state;
	direct_open(&d, "itschemadown", "{\"itsch\":{\"name\":\"itsch_down\",\"all\":true}}",
		    false);
	free(d.job.dst.password);
	d.job.dst.password = strdup("wrong-password");
	assert_int_equal(direct_run(&d, false), STEP_FAILED);
	assert_contains(d.err.msg, "destination");
	assert_contains(d.err.msg, "Access denied");
	assert_null(strstr(d.err.msg, "wrong-password"));
	assert_int_equal(direct_count(&d, NULL, NULL), 0);
	direct_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_mariadb_creates_every_object),
		cmocka_unit_test(test_renames_and_column_subset),
		cmocka_unit_test(test_existing_table_mode0_fails),
		cmocka_unit_test(test_existing_table_mode2_kept),
		cmocka_unit_test(test_rejected_view_fails_with_reason),
		cmocka_unit_test(test_to_postgresql),
		cmocka_unit_test(test_postgresql_unsupported_objects_fail),
		cmocka_unit_test(test_finish_creates_second_phase),
		cmocka_unit_test(test_cancel_then_resume),
		cmocka_unit_test(test_unreachable_destination_fails),
		cmocka_unit_test(test_kill9_during_schema_resumes),
	};

	return cmocka_run_group_tests_name("schema_step", tests, setup, teardown);
}
