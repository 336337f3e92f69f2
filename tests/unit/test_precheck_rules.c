/*
 * test_precheck_rules.c - the pure decisions of the destination and
 * comparison precheck items (src/steps/precheck_rules.c): versions,
 * SHOW GRANTS lines and grant patterns, collation replacements (including
 * the MySQL 8 -> MariaDB case the harness cannot produce with one server
 * version), sql_mode flags, time zone spellings, the name case policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "steps/precheck_dstcat.h"
#include "steps/precheck_rules.h"

/* ---- versions ------------------------------------------------------------- */

static void test_versions(void **state)
{
	struct precheck_version v;

	(void)state;
	assert_true(precheck__version_parse("10.11.6-MariaDB-0+deb12u1-log", false, &v));
	assert_int_equal(v.product, PRECHECK_MARIADB);
	assert_int_equal(v.major, 10);
	assert_int_equal(v.minor, 11);
	assert_int_equal(v.patch, 6);
	assert_true(precheck__version_supported(&v));

	assert_true(precheck__version_parse("5.5.5-10.1.48-MariaDB", false, &v));
	assert_int_equal(v.product, PRECHECK_MARIADB);
	assert_int_equal(v.major, 10);
	assert_int_equal(v.minor, 1);
	assert_false(precheck__version_supported(&v));     /* MariaDB 10.1 */
	assert_true(precheck__version_parse("10.2.0-MariaDB", false, &v));
	assert_true(precheck__version_supported(&v));

	assert_true(precheck__version_parse("8.0.36", false, &v));
	assert_int_equal(v.product, PRECHECK_MYSQL);
	assert_true(precheck__version_supported(&v));
	assert_true(precheck__version_parse("5.7.44-log", false, &v));
	assert_true(precheck__version_supported(&v));
	assert_true(precheck__version_parse("5.6.51", false, &v));
	assert_false(precheck__version_supported(&v));
	assert_string_equal(precheck__product_name(v.product), "MySQL");

	assert_true(precheck__version_parse("15.18 (Debian 15.18-0+deb12u1)", true, &v));
	assert_int_equal(v.product, PRECHECK_POSTGRESQL);
	assert_int_equal(v.major, 15);
	assert_true(precheck__version_supported(&v));
	assert_true(precheck__version_parse("9.6.24", true, &v));
	assert_false(precheck__version_supported(&v));
	assert_true(precheck__version_parse("16beta1", true, &v));
	assert_int_equal(v.major, 16);

	assert_false(precheck__version_parse("MariaDB", false, &v));
	assert_false(precheck__version_parse("", true, &v));
	assert_false(precheck__version_parse(NULL, true, &v));
}

/* ---- grants ---------------------------------------------------------------- */

static void test_grant_lines(void **state)
{
	struct precheck_grant g;
	char names[200];

	(void)state;
	assert_int_equal(precheck__grant_parse("GRANT ALL PRIVILEGES ON *.* TO `root`@`%` "
					       "WITH GRANT OPTION", &g), 1);
	assert_int_equal(g.level, PRECHECK_GRANT_GLOBAL);
	assert_int_equal(g.privs, PRECHECK_PRIV_ALL);

	assert_int_equal(precheck__grant_parse("GRANT USAGE ON *.* TO `u1`@`%` IDENTIFIED BY "
					       "PASSWORD '*B6'", &g), 1);
	assert_int_equal(g.privs, 0);

	assert_int_equal(precheck__grant_parse("GRANT SELECT, INSERT, CREATE VIEW ON "
					       "`pcd\\_a`.* TO `r_test`", &g), 1);
	assert_int_equal(g.level, PRECHECK_GRANT_DB);
	assert_string_equal(g.db, "pcd\\_a");
	assert_int_equal(g.privs, PRECHECK_PRIV_SELECT | PRECHECK_PRIV_INSERT |
				  PRECHECK_PRIV_CREATE_VIEW);
	assert_string_equal(precheck__priv_names(g.privs, names, sizeof(names)),
			    "SELECT, INSERT, CREATE VIEW");

	/* Column privileges are not table privileges; backticks inside names. */
	assert_int_equal(precheck__grant_parse("GRANT SELECT (`a`, `b ON c`), UPDATE ON "
					       "`shop`.`or``ders` TO `u`@`%`", &g), 1);
	assert_int_equal(g.level, PRECHECK_GRANT_TABLE);
	assert_string_equal(g.db, "shop");
	assert_string_equal(g.table, "or`ders");
	assert_int_equal(g.privs, PRECHECK_PRIV_UPDATE);

	/* MySQL 8: unquoted dynamic privileges, role grants, routines, PROXY. */
	assert_int_equal(precheck__grant_parse("GRANT BACKUP_ADMIN,INSERT ON *.* TO `u`@`%`",
					       &g), 1);
	assert_int_equal(g.privs, PRECHECK_PRIV_INSERT);
	assert_int_equal(precheck__grant_parse("GRANT `r_test` TO `u1`@`%`", &g), 0);
	assert_int_equal(precheck__grant_parse("GRANT `r1`@`%`,`r2`@`%` TO `u1`@`%`", &g), 0);
	assert_int_equal(precheck__grant_parse("GRANT EXECUTE ON PROCEDURE `db`.`p` TO `u`@`%`",
					       &g), 0);
	assert_int_equal(precheck__grant_parse("GRANT PROXY ON ''@'%' TO 'root'@'localhost'",
					       &g), 0);
	assert_int_equal(precheck__grant_parse("REVOKE ALL", &g), -1);
	assert_int_equal(precheck__grant_parse("GRANT SELECT ON `unterminated TO x", &g), -1);
}

static void test_db_patterns(void **state)
{
	(void)state;
	assert_true(precheck__db_pattern_match("shop", "shop", false));
	assert_false(precheck__db_pattern_match("shop", "Shop", false));
	assert_true(precheck__db_pattern_match("shop", "Shop", true));
	assert_true(precheck__db_pattern_match("pcd_%", "pcd_a", false));
	assert_true(precheck__db_pattern_match("pcd_%", "pcdXa", false));   /* _ is a wildcard */
	assert_false(precheck__db_pattern_match("pcd\\_%", "pcdXa", false)); /* escaped */
	assert_true(precheck__db_pattern_match("pcd\\_%", "pcd_a", false));
	assert_true(precheck__db_pattern_match("%", "anything", false));
	assert_true(precheck__db_pattern_match("a%b%c", "aXXbYYc", false));
	assert_false(precheck__db_pattern_match("a%b%c", "aXXbYY", false));
	assert_false(precheck__db_pattern_match("shop", "shop2", false));
	assert_false(precheck__db_pattern_match("shop_", "shop", false));
}

/* ---- collations -------------------------------------------------------------- */

/* A fake destination: a NULL-terminated list of collations; the first of a
 * character set is its default. */
static bool has(void *ctx, const char *name)
{
	for (const char *const *p = ctx; *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

static const char *default_of(void *ctx, const char *charset)
{
	size_t n = strlen(charset);

	for (const char *const *p = ctx; *p; p++)
		if (strncmp(*p, charset, n) == 0 && (*p)[n] == '_')
			return *p;
	return NULL;
}

static void test_collation_suggestions(void **state)
{
	static const char *const mariadb_104[] = {
		"utf8mb4_general_ci", "utf8mb4_bin", "utf8mb4_unicode_ci", "utf8mb4_unicode_520_ci",
		"utf8_general_ci", "utf8_unicode_ci", "latin1_swedish_ci", NULL };
	static const char *const mariadb_1011[] = {
		"utf8mb4_general_ci", "utf8mb4_bin", "utf8mb4_uca1400_ai_ci",
		"utf8mb4_uca1400_as_cs", "utf8mb3_general_ci", "utf8mb3_unicode_ci", NULL };
	static const char *const mysql_80[] = {
		"utf8mb4_0900_ai_ci", "utf8mb4_0900_as_cs", "utf8mb4_0900_bin",
		"utf8mb4_general_ci", "utf8_general_ci", NULL };
	char out[64];
	void *m104 = (void *)mariadb_104, *m1011 = (void *)mariadb_1011, *my80 = (void *)mysql_80;

	(void)state;
	assert_string_equal(precheck__collation_suggest("utf8mb4_0900_ai_ci", has, default_of,
							m104, out, sizeof(out)),
			    "utf8mb4_unicode_520_ci");
	assert_string_equal(precheck__collation_suggest("utf8mb4_0900_ai_ci", has, default_of,
							m1011, out, sizeof(out)),
			    "utf8mb4_uca1400_ai_ci");
	assert_string_equal(precheck__collation_suggest("utf8mb4_0900_as_cs", has, default_of,
							m104, out, sizeof(out)), "utf8mb4_bin");
	assert_string_equal(precheck__collation_suggest("utf8mb4_0900_bin", has, default_of,
							m1011, out, sizeof(out)), "utf8mb4_bin");
	assert_string_equal(precheck__collation_suggest("utf8mb4_uca1400_ai_ci", has, default_of,
							my80, out, sizeof(out)),
			    "utf8mb4_0900_ai_ci");
	/* The same collation under its other name. */
	assert_string_equal(precheck__collation_suggest("utf8mb3_unicode_ci", has, default_of,
							m104, out, sizeof(out)),
			    "utf8_unicode_ci");
	assert_string_equal(precheck__collation_suggest("utf8_unicode_ci", has, default_of,
							m1011, out, sizeof(out)),
			    "utf8mb3_unicode_ci");
	/* Anything else: the default of its character set, else utf8mb4's. */
	assert_string_equal(precheck__collation_suggest("latin1_opendts_ci", has, default_of,
							m104, out, sizeof(out)),
			    "latin1_swedish_ci");
	assert_string_equal(precheck__collation_suggest("koi8r_general_ci", has, default_of,
							my80, out, sizeof(out)),
			    "utf8mb4_0900_ai_ci");
	assert_null(precheck__collation_suggest("koi8r_general_ci", has, NULL, my80, out,
						sizeof(out)));

	assert_string_equal(precheck__collation_charset("utf8mb4_0900_ai_ci", out, sizeof(out)),
			    "utf8mb4");
	assert_true(precheck__charset_needs_utf8("latin1"));
	assert_true(precheck__charset_needs_utf8("utf8mb4"));
	assert_false(precheck__charset_needs_utf8("ascii"));
	assert_false(precheck__charset_needs_utf8("binary"));
	assert_false(precheck__charset_needs_utf8(""));
}

/* ---- sql_mode, time zones, name case ------------------------------------------- */

static void test_sql_modes(void **state)
{
	const char *m = "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION";
	bool seen_data = false, seen_syntax = false;

	(void)state;
	assert_true(precheck__sql_mode_has(m, "STRICT_TRANS_TABLES"));
	assert_true(precheck__sql_mode_has(m, "no_engine_substitution"));
	assert_false(precheck__sql_mode_has(m, "NO_ZERO_DATE"));      /* not a prefix match */
	assert_false(precheck__sql_mode_has(m, "STRICT"));
	assert_false(precheck__sql_mode_has("", "STRICT_TRANS_TABLES"));
	assert_false(precheck__sql_mode_has(NULL, "STRICT_TRANS_TABLES"));
	for (const struct precheck_sql_mode_rule *r = precheck__sql_mode_rules; r->mode; r++) {
		if (strcmp(r->mode, "NO_ZERO_DATE") == 0 || strcmp(r->mode, "NO_AUTO_VALUE_ON_ZERO") == 0)
			seen_data = r->changes_data;
		if (strcmp(r->mode, "ANSI_QUOTES") == 0)
			seen_syntax = !r->changes_data;
	}
	assert_true(seen_data);
	assert_true(seen_syntax);
}

static void test_time_zones(void **state)
{
	char a[64], b[64];

	(void)state;
	assert_string_equal(precheck__tz_normalize("SYSTEM", "UTC", a, sizeof(a)), "UTC");
	assert_string_equal(precheck__tz_normalize("Etc/UTC", "", b, sizeof(b)), "UTC");
	assert_string_equal(precheck__tz_normalize("+00:00", "", a, sizeof(a)), "UTC");
	assert_string_equal(precheck__tz_normalize("+5:00", "", a, sizeof(a)), "+05:00");
	assert_string_equal(precheck__tz_normalize("SYSTEM", "CET", a, sizeof(a)), "CET");
	assert_string_equal(precheck__tz_normalize("Europe/Paris", "", b, sizeof(b)),
			    "Europe/Paris");
	assert_string_not_equal(precheck__tz_normalize("SYSTEM", "CET", a, sizeof(a)),
				precheck__tz_normalize("UTC", "", b, sizeof(b)));
}

static void test_case_policy(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(precheck__case_mode(NULL), PRECHECK_CASE_KEEP);
	assert_int_equal(precheck__case_mode("{\"dbListCaseChangeMode\":\"default\"}"),
			 PRECHECK_CASE_KEEP);
	assert_int_equal(precheck__case_mode("{\"dbListCaseChangeMode\":\"dest_lower\"}"),
			 PRECHECK_CASE_LOWER);
	assert_int_equal(precheck__case_mode("{\"dbListCaseChangeMode\":\"dest_upper\"}"),
			 PRECHECK_CASE_UPPER);
	assert_string_equal(precheck__case_apply(PRECHECK_CASE_LOWER, "Order_Ä", out, sizeof(out)),
			    "order_Ä");     /* ASCII only, like PostgreSQL */
	assert_string_equal(precheck__case_apply(PRECHECK_CASE_UPPER, "order", out, sizeof(out)),
			    "ORDER");
	assert_string_equal(precheck__case_apply(PRECHECK_CASE_KEEP, "Order", out, sizeof(out)),
			    "Order");
	assert_true(precheck__case_only_differ("Order", "order"));
	assert_false(precheck__case_only_differ("order", "order"));
	assert_false(precheck__case_only_differ("order", "orders"));
}

/* ---- capped lists ----------------------------------------------------------------- */

static void test_lists(void **state)
{
	struct precheck_list l;
	const char *a, *b;
	char item[64];

	(void)state;
	precheck__list_init(&l);
	assert_string_equal(precheck__list_cstr(&l), "");
	precheck__list_add(&l, "shop.%s", "orders");
	precheck__list_add(&l, "shop.%s", "items");
	/* Two answers used in one call must both stay valid (a use-after-free
	 * the sanitizer build found: the second call freed the first text). */
	a = precheck__list_cstr(&l);
	b = precheck__list_cstr(&l);
	assert_string_equal(a, "shop.orders, shop.items");
	assert_string_equal(b, a);
	assert_int_equal(l.n, 2);
	/* Past about 4 KB items are counted, not shown. */
	for (int i = 0; i < 400; i++) {
		snprintf(item, sizeof(item), "db.table_%03d", i);
		precheck__list_add(&l, "%s", item);
	}
	a = precheck__list_cstr(&l);
	assert_int_equal(l.n, 402);
	assert_true(l.hidden > 0);
	assert_true(strlen(a) < 4200);
	assert_non_null(strstr(a, "shop.orders, shop.items, db.table_000"));
	snprintf(item, sizeof(item), " and %zu more", l.hidden);
	assert_string_equal(a + strlen(a) - strlen(item), item);
	assert_null(strstr(a, "db.table_399"));
	precheck__list_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_grant_lines),
		cmocka_unit_test(test_db_patterns),
		cmocka_unit_test(test_collation_suggestions),
		cmocka_unit_test(test_sql_modes),
		cmocka_unit_test(test_time_zones),
		cmocka_unit_test(test_case_policy),
		cmocka_unit_test(test_lists),
	};

	return cmocka_run_group_tests_name("precheck_rules", tests, NULL, NULL);
}
