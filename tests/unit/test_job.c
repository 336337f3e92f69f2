/*
 * test_job.c - unit tests of job/: DbList and Reserve validation, and the
 * ConfigureDtsJob parameter rules (job__config_apply), without a server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "job/internal.h"
#include "job/job.h"

static void expect_dblist_error(const char *json, const char *needle)
{
	struct err err = { 0 };
	char *norm = NULL;

	assert_int_equal(job_dblist_validate(json, &norm, &err), -1);
	assert_null(norm);
	assert_int_equal(err.code, ERR_INVALID);
	assert_string_equal(err.param, "DbList");
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" does not contain \"%s\"", err.msg, needle);
}

static void test_dblist_valid_examples(void **state)
{
	/* The three examples of ACTIONS.md sec. 4, plus lower-case keys. */
	const char *ok[] = {
		"{\"dtstestdata\":{\"name\":\"dtstestdata\",\"all\":true}}",
		"{\"shop\":{\"name\":\"shop_new\",\"all\":false,\"Table\":{"
		"\"order\":{\"name\":\"order_v2\",\"all\":true},"
		"\"customer\":{\"name\":\"customer\",\"all\":true,\"dml_op\":\"I,U\",\"ddl_op\":\"CT,AT\"}}}}",
		"{\"shop\":{\"name\":\"shop\",\"all\":false,\"Table\":{\"order\":{\"name\":\"order\","
		"\"all\":false,\"filter\":\"id>10 and status='PAID'\",\"column\":{\"id\":{\"name\":\"id\","
		"\"type\":\"int(11)\",\"primaryKey\":true},\"amount\":{\"name\":\"amount_cents\",\"type\":\"bigint\"}}}}}}",
		"{\"db\":{\"all\":\"true\",\"state\":\"normal\",\"x-unknown\":{\"kept\":1}}}",
		"{\"db\":{\"all\":false,\"table\":{\"t\":{\"all\":true}}}}",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct err err = { 0 };
		char *norm = NULL;
		if (job_dblist_validate(ok[i], &norm, &err) != 0)
			fail_msg("example %zu rejected: %s", i, err.msg);
		assert_non_null(norm);
		assert_null(strchr(norm, '\n'));
		free(norm);
	}
}

static void test_dblist_unknown_keys_kept(void **state)
{
	struct err err = { 0 };
	char *norm = NULL;

	assert_int_equal(job_dblist_validate("{\"db\":{\"all\":true,\"future\":\"x\"}}", &norm, &err), 0);
	assert_non_null(strstr(norm, "\"future\":\"x\""));
	free(norm);
}

static void test_dblist_errors_name_the_path(void **state)
{
	expect_dblist_error("not json", "not valid JSON");
	expect_dblist_error("{\"db\":{\"all\":true}} trailing }{", "not valid JSON");
	expect_dblist_error("[]", "non-empty object");
	expect_dblist_error("{}", "non-empty object");
	expect_dblist_error("{\"db\":true}", "database \"db\": must be an object");
	expect_dblist_error("{\"db\":{\"all\":\"maybe\"}}", "\"all\" must be true or false");
	expect_dblist_error("{\"db\":{\"all\":false}}", "selects nothing");
	expect_dblist_error("{\"db\":{\"name\":\"\",\"all\":true}}", "\"name\" must be a non-empty string");
	expect_dblist_error("{\"\":{\"all\":true}}", "an object name is empty");
	expect_dblist_error("{\"db\":{\"all\":false,\"Table\":[]}}", "\"Table\" must be an object");
	expect_dblist_error("{\"db\":{\"all\":false,\"Table\":{\"t\":{\"filter\":5}}}}",
			    "database \"db\" table \"t\": \"filter\" must be a string");
	expect_dblist_error("{\"db\":{\"all\":false,\"Table\":{\"t\":{\"column\":{\"c\":{\"name\":7}}}}}}",
			    "table \"t\" column \"c\"");
	expect_dblist_error("{\"db\":{\"all\":false,\"Table\":{\"t\":{\"column\":{\"c\":{\"primaryKey\":\"no\"}}}}}}",
			    "\"primaryKey\" must be true or false");
	/* 65 characters is one too many (MySQL names are up to 64). */
	expect_dblist_error("{\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\":{\"all\":true}}",
			    "longer than 64 characters");
}

static void test_dblist_name_length_counts_characters(void **state)
{
	/* 64 two-byte characters (128 bytes) are a valid MySQL name. */
	char json[512] = "{\"";
	struct err err = { 0 };
	char *norm = NULL;

	for (int i = 0; i < 64; i++)
		strcat(json, "\xC3\xA9");
	strcat(json, "\":{\"all\":true}}");
	assert_int_equal(job_dblist_validate(json, &norm, &err), 0);
	free(norm);
}

static void test_reserve_rules(void **state)
{
	struct err err = { 0 };
	char *norm = NULL, out[32];

	assert_int_equal(job_reserve_validate("{\"targetTableMode\":\"2\",\"maxRetryTime\":\"43200\","
					      "\"fullDynamicConfig\":{\"dts.datamove.source.bps.max\":\"1000\"}}",
					      &norm, &err), 0);
	assert_string_equal(job_reserve_get(norm, "targetTableMode", "0", out, sizeof(out)), "2");
	assert_string_equal(job_reserve_get(norm, "absent", "dflt", out, sizeof(out)), "dflt");
	assert_string_equal(job_reserve_get("", "targetTableMode", "0", out, sizeof(out)), "0");
	free(norm);
	norm = NULL;
	assert_int_equal(job_reserve_validate("{\"targetTableMode\":\"1\"}", &norm, &err), -1);
	assert_string_equal(err.param, "Reserve");
	assert_non_null(strstr(err.msg, "targetTableMode"));
	assert_int_equal(job_reserve_validate("{\"autoStartModulesAfterConfig\":\"later\"}", &norm, &err), -1);
	assert_int_equal(job_reserve_validate("[1]", &norm, &err), -1);
	assert_int_equal(job_reserve_validate("{\"targetTableMode\":\"2\"}xyz", &norm, &err), -1);
	assert_int_equal(job_reserve_validate("{", &norm, &err), -1);
	assert_null(norm);
}

/* ConfigureDtsJob parameters: a complete, valid set. */
static void base_params(struct kvlist *p)
{
	kvlist_init(p);
	kvlist_add(p, "DtsJobName", "j");
	kvlist_add(p, "JobType", "migration");
	kvlist_add(p, "StructureInitialization", "false");
	kvlist_add(p, "DataInitialization", "TRUE");
	kvlist_add(p, "DataSynchronization", "false");
	kvlist_add(p, "DbList", "{\"db\":{\"all\":true}}");
	kvlist_add(p, "SourceEndpointInstanceType", "other");
	kvlist_add(p, "SourceEndpointEngineName", "mariadb");
	kvlist_add(p, "SourceEndpointIP", "127.0.0.1");
	kvlist_add(p, "SourceEndpointPort", "3306");
	kvlist_add(p, "SourceEndpointUserName", "root");
	kvlist_add(p, "SourceEndpointPassword", "s3cret");
	kvlist_add(p, "DestinationEndpointInstanceType", "OTHER");
	kvlist_add(p, "DestinationEndpointEngineName", "POSTGRESQL");
	kvlist_add(p, "DestinationEndpointIP", "db.example");
	kvlist_add(p, "DestinationEndpointPort", "5432");
	kvlist_add(p, "DestinationEndpointUserName", "postgres");
	kvlist_add(p, "DestinationEndpointDataBaseName", "target");
}

static void test_config_apply_valid(void **state)
{
	struct meta_job j = { 0 };
	struct kvlist p;
	struct err err = { 0 };

	base_params(&p);
	assert_int_equal(job__config_apply(&p, &j, &err), 0);
	assert_string_equal(j.job_type, "MIGRATION");
	assert_string_equal(j.src.engine, "MariaDB");
	assert_string_equal(j.dst.engine, "PostgreSQL");
	assert_string_equal(j.dst.database, "target");
	assert_int_equal(j.src.port, 3306);
	assert_string_equal(j.src.password, "s3cret");
	assert_string_equal(j.dst.password, "");
	assert_true(j.data_init);
	assert_false(j.structure_init);
	assert_true(j.configured);
	meta_job_release(&j);
	kvlist_release(&p);
}

/* Changes one parameter of the valid set and expects err code + param. */
static void expect_config_error(const char *name, const char *value, enum err_code code,
				const char *param)
{
	struct meta_job j = { 0 };
	struct kvlist p;
	struct err err = { 0 };

	base_params(&p);
	if (value)
		kvlist_set(&p, name, value);
	else
		kvlist_del(&p, name);
	assert_int_equal(job__config_apply(&p, &j, &err), -1);
	assert_int_equal(err.code, code);
	assert_string_equal(err.param, param);
	assert_null(j.name);   /* nothing applied on error */
	meta_job_release(&j);
	kvlist_release(&p);
}

static void test_config_apply_errors(void **state)
{
	expect_config_error("DtsJobName", NULL, ERR_MISSING, "DtsJobName");
	expect_config_error("JobType", "COPY", ERR_INVALID, "JobType");
	expect_config_error("DataInitialization", "yes", ERR_INVALID, "DataInitialization");
	expect_config_error("SourceEndpointEngineName", "Oracle", ERR_INVALID, "SourceEndpointEngineName");
	expect_config_error("DestinationEndpointEngineName", "MongoDB", ERR_INVALID,
			    "DestinationEndpointEngineName");
	expect_config_error("SourceEndpointInstanceType", "WAT", ERR_INVALID, "SourceEndpointInstanceType");
	expect_config_error("SourceEndpointIP", NULL, ERR_MISSING, "SourceEndpointIP");
	expect_config_error("SourceEndpointPort", "70000", ERR_INVALID, "SourceEndpointPort");
	expect_config_error("SourceEndpointPort", "33o6", ERR_INVALID, "SourceEndpointPort");
	expect_config_error("DestinationEndpointDataBaseName", NULL, ERR_MISSING,
			    "DestinationEndpointDataBaseName");
	expect_config_error("DbList", NULL, ERR_MISSING, "DbList");
	expect_config_error("DbList", "{\"db\":{}}", ERR_INVALID, "DbList");
	expect_config_error("Reserve", "{\"targetTableMode\":\"9\"}", ERR_INVALID, "Reserve");
	expect_config_error("Checkpoint", "yesterday", ERR_INVALID, "Checkpoint");
}

static void test_config_check_job_needs_no_steps(void **state)
{
	struct meta_job j = { 0 };
	struct kvlist p;
	struct err err = { 0 };

	base_params(&p);
	kvlist_set(&p, "JobType", "CHECK");
	assert_int_equal(job__config_apply(&p, &j, &err), -1);
	assert_string_equal(err.param, "JobType");
	kvlist_set(&p, "DataInitialization", "false");
	kvlist_del(&p, "DbList");
	assert_int_equal(job__config_apply(&p, &j, &err), 0);
	assert_string_equal(j.job_type, "CHECK");
	meta_job_release(&j);
	kvlist_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dblist_valid_examples),
		cmocka_unit_test(test_dblist_unknown_keys_kept),
		cmocka_unit_test(test_dblist_errors_name_the_path),
		cmocka_unit_test(test_dblist_name_length_counts_characters),
		cmocka_unit_test(test_reserve_rules),
		cmocka_unit_test(test_config_apply_valid),
		cmocka_unit_test(test_config_apply_errors),
		cmocka_unit_test(test_config_check_job_needs_no_steps),
	};

	return cmocka_run_group_tests_name("job", tests, NULL, NULL);
}
