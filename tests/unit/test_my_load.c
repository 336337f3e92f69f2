/*
 * test_my_load.c - the field escaping of the MySQL bulk writer
 * (engines/mysql/my_load.c, my_load_field): the LOAD DATA text format with
 * FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'. The
 * server side of the same rules is checked for real in
 * tests/integration/test_my_load.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engines/mysql/my_load.h"

static void expect_field(const char *val, size_t len, bool is_null, const char *want,
			 size_t want_len)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(my_load_field(&b, val, len, is_null), 0);
	assert_int_equal(b.len, want_len);
	if (want_len)
		assert_memory_equal(b.data, want, want_len);
	buf_release(&b);
}

static void test_null_and_empty(void **state)
{
	(void)state;
	expect_field(NULL, 0, true, "\\N", 2);
	expect_field("", 0, false, "", 0);
	/* The words NULL and N and a literal backslash-N stay values. */
	expect_field("NULL", 4, false, "NULL", 4);
	expect_field("N", 1, false, "N", 1);
	expect_field("\\N", 2, false, "\\\\N", 3);
}

static void test_special_bytes_escaped(void **state)
{
	(void)state;
	expect_field("a\tb", 3, false, "a\\tb", 4);
	expect_field("\n", 1, false, "\\n", 2);
	expect_field("\r\n", 2, false, "\\r\\n", 4);
	expect_field("x\0y", 3, false, "x\\0y", 4);
	expect_field("\\", 1, false, "\\\\", 2);
	expect_field("'\"`,", 4, false, "'\"`,", 4);   /* no enclosing: quotes as is */
	expect_field("\xf0\x9f\x98\x80", 4, false, "\xf0\x9f\x98\x80", 4);
}

static void test_all_bytes_round_trip(void **state)
{
	char all[256];
	struct buf b;
	size_t j = 0;

	(void)state;
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(my_load_field(&b, all, sizeof(all), false), 0);
	assert_int_equal(b.len, 256 + 5);
	/* No raw separator is left, and unescaping gives the input back. */
	assert_null(memchr(b.data, '\t', b.len));
	assert_null(memchr(b.data, '\n', b.len));
	for (size_t i = 0; i < b.len; i++, j++) {
		char c = b.data[i];

		if (c == '\\') {
			c = b.data[++i];
			c = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c == '0' ? '\0' : c;
		}
		assert_int_equal((unsigned char)c, (unsigned char)all[j]);
	}
	assert_int_equal(j, 256);
	buf_release(&b);
}

static void test_cap_reported(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 4);
	assert_int_equal(my_load_field(&b, "ab\tc", 4, false), -1);
	buf_release(&b);
	buf_init(&b, 1);
	assert_int_equal(my_load_field(&b, NULL, 0, true), -1);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_special_bytes_escaped),
		cmocka_unit_test(test_all_bytes_round_trip),
		cmocka_unit_test(test_cap_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
