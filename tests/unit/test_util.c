/*
 * test_util.c - the shared helpers of src/util/: percent-encoding and form
 * decoding, UTF-8 validation, the capped buffer, key/value lists, the API
 * time formats, the OpenSSL wrappers, and struct err.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "util/buf.h"
#include "util/codec.h"
#include "util/err.h"
#include "util/kv.h"
#include "util/str.h"
#include "util/timefmt.h"

/* ---- str ---- */

static void expect_encode(const char *in, size_t n, const char *want)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	assert_int_equal(str_pct_encode(&b, in, n), 0);
	assert_string_equal(buf_cstr(&b), want);
	buf_release(&b);
}

static void test_pct_encode(void **state)
{
	struct buf b;

	(void)state;
	expect_encode("AZaz09-_.~", 10, "AZaz09-_.~");
	expect_encode(" *+/=&%!'()", 11, "%20%2A%2B%2F%3D%26%25%21%27%28%29");
	expect_encode("\xc3\xa9\xff", 3, "%C3%A9%FF");           /* upper-case hex */
	expect_encode("a\0b", 3, "a%00b");                       /* length, not NUL */
	expect_encode("", 0, "");
	/* The cap: a failed append leaves what was there. */
	buf_init(&b, 5);
	assert_int_equal(str_pct_encode(&b, "ab", 2), 0);
	assert_int_equal(str_pct_encode(&b, " ", 1), 0);         /* "ab%20": 5 bytes */
	assert_int_equal(str_pct_encode(&b, "c", 1), -1);
	assert_string_equal(buf_cstr(&b), "ab%20");
	buf_reset(&b);
	assert_int_equal(str_pct_encode(&b, "abcd ", 5), -1);    /* escape would not fit */
	buf_release(&b);
}

static void test_pct_decode(void **state)
{
	size_t n = 99;
	char *s;

	(void)state;
	s = str_pct_decode("a+b%20c%2B%2b%C3%a9", 19, true, &n);
	assert_non_null(s);
	assert_string_equal(s, "a b c++\xc3\xa9");
	assert_int_equal(n, 9);
	free(s);
	s = str_pct_decode("a+b", 3, false, &n);
	assert_string_equal(s, "a+b");
	free(s);
	s = str_pct_decode("x%00y", 5, true, &n);                /* NUL kept, length says so */
	assert_int_equal(n, 3);
	assert_memory_equal(s, "x\0y", 3);
	free(s);
	s = str_pct_decode("", 0, true, &n);
	assert_string_equal(s, "");
	assert_int_equal(n, 0);
	free(s);
	s = str_pct_decode("ab%41cd", 4, true, NULL);            /* stops at n: "ab%4" */
	assert_null(s);
	/* Malformed escapes. */
	assert_null(str_pct_decode("%", 1, true, &n));
	assert_null(str_pct_decode("abc%", 4, true, &n));
	assert_null(str_pct_decode("%4", 2, true, &n));
	assert_null(str_pct_decode("%G0", 3, true, &n));
	assert_null(str_pct_decode("%0g", 3, true, &n));
	assert_null(str_pct_decode("%%41", 4, true, &n));
	assert_null(str_pct_decode("% 1", 3, true, &n));
}

struct utf8_case {
	const char *s;
	bool valid;
};

static void test_utf8(void **state)
{
	static const struct utf8_case cases[] = {
		{ "", true },
		{ "plain ascii", true },
		{ "\xc3\xa9", true },                    /* U+00E9 */
		{ "\xe2\x82\xac", true },                /* U+20AC */
		{ "\xf0\x9f\x98\x80", true },            /* U+1F600 */
		{ "\xef\xbf\xbf", true },                /* U+FFFF */
		{ "\xf4\x8f\xbf\xbf", true },            /* U+10FFFF, the last */
		{ "\xed\x9f\xbf", true },                /* U+D7FF, before surrogates */
		{ "\xee\x80\x80", true },                /* U+E000, after them */
		{ "\xc2\x80", true },                    /* smallest 2-byte */
		{ "\xe0\xa0\x80", true },                /* smallest 3-byte */
		{ "\xf0\x90\x80\x80", true },            /* smallest 4-byte */
		{ "\xc0\xaf", false },                   /* overlong '/' */
		{ "\xc1\xbf", false },                   /* overlong */
		{ "\xe0\x80\xaf", false },               /* overlong, 3 bytes */
		{ "\xe0\x9f\xbf", false },               /* overlong U+07FF */
		{ "\xf0\x80\x80\xaf", false },           /* overlong, 4 bytes */
		{ "\xf0\x8f\xbf\xbf", false },           /* overlong U+FFFF */
		{ "\xed\xa0\x80", false },               /* U+D800 */
		{ "\xed\xbf\xbf", false },               /* U+DFFF */
		{ "\xf4\x90\x80\x80", false },           /* U+110000 */
		{ "\xf5\x80\x80\x80", false },
		{ "\xf8\x88\x80\x80\x80", false },       /* 5-byte form */
		{ "\xfe", false },
		{ "\xff", false },
		{ "\x80", false },                       /* lone continuation */
		{ "a\xbf", false },
		{ "\xc3", false },                       /* truncated */
		{ "\xe2\x82", false },
		{ "\xf0\x9f\x98", false },
		{ "\xc3(", false },                      /* bad continuation */
		{ "\xe2\x28\xa1", false },
		{ "\xf0\x9f\x98\x28", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = str_utf8_valid(cases[i].s, strlen(cases[i].s));
		if (got != cases[i].valid)
			fail_msg("case %zu: expected %d", i, cases[i].valid);
	}
	/* Length bounds the check: a sequence cut by n is truncated. */
	assert_false(str_utf8_valid("\xc3\xa9", 1));
	assert_true(str_utf8_valid("a\xff", 1));
	assert_true(str_utf8_valid("a\0b", 3));     /* NUL is valid UTF-8 */
}

static void test_str_misc(void **state)
{
	unsigned char bytes[] = { 0x00, 0x01, 0xab, 0xff };
	char hex[9], dst[4];
	long long v;
	bool b;

	(void)state;
	str_hex(hex, bytes, sizeof(bytes));
	assert_string_equal(hex, "0001abff");
	str_hex(hex, bytes, 0);
	assert_string_equal(hex, "");

	assert_true(str_ieq("Json", "JSON"));
	assert_false(str_ieq("json", "json "));
	assert_false(str_ieq(NULL, "x"));
	assert_false(str_ieq(NULL, NULL));

	assert_string_equal(str_copy(dst, sizeof(dst), "abcdef"), "abc");
	assert_string_equal(str_copy(dst, sizeof(dst), NULL), "");
	assert_string_equal(str_copy(dst, sizeof(dst), "ab"), "ab");

	assert_int_equal(str_to_ll("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(str_to_ll("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	v = 7;
	assert_int_equal(str_to_ll("101", 0, 100, &v), -1);
	assert_int_equal(str_to_ll("-1", 0, 100, &v), -1);
	assert_int_equal(str_to_ll("", 0, 100, &v), -1);
	assert_int_equal(str_to_ll(NULL, 0, 100, &v), -1);
	assert_int_equal(str_to_ll(" 1", 0, 100, &v), -1);
	assert_int_equal(str_to_ll("1 ", 0, 100, &v), -1);
	assert_int_equal(str_to_ll("1x", 0, 100, &v), -1);
	assert_int_equal(str_to_ll("0x10", 0, 100, &v), -1);
	assert_int_equal(str_to_ll("99999999999999999999", 0, INT64_MAX, &v), -1);
	assert_int_equal(v, 7);                    /* untouched on failure */

	assert_int_equal(str_to_bool("TRUE", &b), 0);
	assert_true(b);
	assert_int_equal(str_to_bool("false", &b), 0);
	assert_false(b);
	assert_int_equal(str_to_bool("1", &b), -1);
	assert_int_equal(str_to_bool("", &b), -1);

	assert_true(str_icontains("Access Denied for user", "denied"));
	assert_true(str_icontains("abc", ""));
	assert_false(str_icontains("abc", "abcd"));
	assert_false(str_icontains("", "a"));
}

/* ---- buf ---- */

static void test_buf(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b, 8);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(buf_append(&b, "", 0), 0);
	assert_int_equal(buf_puts(&b, "abcd"), 0);
	assert_int_equal(buf_printf(&b, "%d", 123), 0);
	assert_int_equal(buf_putc(&b, 'x'), 0);               /* exactly at the cap */
	assert_int_equal(b.len, 8);
	assert_int_equal(buf_putc(&b, 'y'), -1);
	assert_int_equal(buf_puts(&b, "zz"), -1);
	assert_int_equal(buf_printf(&b, "%s", "long"), -1);
	assert_int_equal(buf_append(&b, "q", (size_t)-1), -1); /* no overflow */
	assert_string_equal(buf_cstr(&b), "abcd123x");
	assert_int_equal(b.len, 8);
	buf_reset(&b);
	assert_string_equal(buf_cstr(&b), "");
	assert_int_equal(buf_printf(&b, "%s-%s", "a", "b"), 0);
	s = buf_take(&b);
	assert_string_equal(s, "a-b");
	free(s);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	s = buf_take(&b);                                     /* empty: "" */
	assert_string_equal(s, "");
	free(s);
	buf_release(&b);

	/* Growth across many appends keeps the content. */
	buf_init(&b, BUF_UNLIMITED);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(buf_putc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[9999], 'a' + 9999 % 26);
	assert_int_equal(b.data[10000], '\0');
	buf_release(&b);
	buf_init(&b, 0);
	assert_int_equal(buf_putc(&b, 'a'), -1);
	assert_int_equal(buf_append(&b, "", 0), 0);
	buf_release(&b);
}

/* ---- kv ---- */

static void test_kvlist(void **state)
{
	struct kvlist l;

	(void)state;
	kvlist_init(&l);
	assert_null(kvlist_get(&l, "a"));
	kvlist_add(&l, "b", "1");
	kvlist_add(&l, "a", NULL);
	kvlist_addn(&l, "Content-Type", 12, "text/plain;x", 10);
	kvlist_add(&l, "b", "2");
	assert_string_equal(kvlist_get(&l, "a"), "");
	assert_string_equal(kvlist_get(&l, "b"), "1");            /* first one */
	assert_string_equal(kvlist_get(&l, "Content-Type"), "text/plain");
	assert_null(kvlist_get(&l, "content-type"));
	assert_string_equal(kvlist_get_ci(&l, "CONTENT-TYPE"), "text/plain");
	kvlist_set(&l, "a", "x");
	kvlist_set(&l, "new", "y");
	assert_string_equal(kvlist_get(&l, "a"), "x");
	assert_int_equal(l.len, 5);
	assert_int_equal(kvlist_del(&l, "b"), 2);
	assert_int_equal(kvlist_del(&l, "b"), 0);
	assert_null(kvlist_get(&l, "b"));
	assert_int_equal(l.len, 3);
	kvlist_release(&l);
	assert_int_equal(l.len, 0);
	assert_null(l.items);
	kvlist_release(&l);                                     /* twice is fine */

	/* Many pairs: growth keeps them all. */
	for (int i = 0; i < 1000; i++) {
		char k[16];
		snprintf(k, sizeof(k), "k%d", i);
		kvlist_add(&l, k, k);
	}
	assert_string_equal(kvlist_get(&l, "k999"), "k999");
	kvlist_release(&l);
}

static void test_kvlist_sort(void **state)
{
	static const char *const keys[] = { "b", "B", "a.b", "a", "_", "~", "\xc3\xa9", "a", "" };
	static const char *const sorted[] = { "", "B", "_", "a", "a", "a.b", "b", "~", "\xc3\xa9" };
	struct kvlist l;

	(void)state;
	kvlist_init(&l);
	kvlist_sort(&l);                                        /* empty */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char v[4];
		snprintf(v, sizeof(v), "%zu", i);
		kvlist_add(&l, keys[i], v);
	}
	kvlist_sort(&l);
	for (size_t i = 0; i < l.len; i++)
		assert_string_equal(l.items[i].key, sorted[i]);
	/* Stable: the two "a" keep their order (values "3" then "7"). */
	assert_string_equal(l.items[3].val, "3");
	assert_string_equal(l.items[4].val, "7");
	kvlist_release(&l);
}

/* ---- timefmt ---- */

static void test_time_format(void **state)
{
	char out[TIME_ISO_LEN];

	(void)state;
	assert_string_equal(time_iso_z(out, 1705307400000LL), "2024-01-15T08:30:00Z");
	assert_string_equal(time_iso_z(out, 1705307400999LL), "2024-01-15T08:30:00Z");
	assert_string_equal(time_iso_z(out, 0), "");
	assert_string_equal(time_iso_ms(out, 1647417694000LL), "2022-03-16T08:01:34.000+00:00");
	assert_string_equal(time_iso_ms(out, 1647417694042LL), "2022-03-16T08:01:34.042+00:00");
	assert_string_equal(time_iso_ms(out, 0), "");
	assert_string_equal(time_iso_z(out, 951782400000LL), "2000-02-29T00:00:00Z");
	assert_true(time_now_ms() > 1700000000000LL);
	assert_true(time_mono_ms() >= 0);
}

static void test_time_parse(void **state)
{
	static const char *const bad[] = {
		"", "2024-01-15T08:30:00", "2024-01-15T08:30:00z", "2024-01-15 08:30:00Z",
		"2024-01-15T08:30:00.000Z", "2024-01-15T08:30:00+00:00", "2024-1-15T08:30:00Z",
		"2024-00-15T08:30:00Z", "2024-13-15T08:30:00Z", "2024-01-00T08:30:00Z",
		"2024-01-32T08:30:00Z", "2024-01-15T24:00:00Z", "2024-01-15T08:60:00Z",
		"2024-01-15T08:30:61Z", "2024-01-15T08:3a:00Z", "+024-01-15T08:30:00Z",
		" 2024-01-15T08:30:00Z", "2024-01-15T08:30:00Z ", "2024/01/15T08:30:00Z",
	};
	char out[TIME_ISO_LEN];
	time_t t = 12345;

	(void)state;
	assert_int_equal(time_parse_iso_z("2024-01-15T08:30:00Z", &t), 0);
	assert_int_equal((long long)t, 1705307400LL);
	assert_int_equal(time_parse_iso_z("1970-01-01T00:00:01Z", &t), 0);
	assert_int_equal((long long)t, 1LL);
	assert_int_equal(time_parse_iso_z("2000-02-29T23:59:59Z", &t), 0);
	assert_int_equal((long long)t, 951868799LL);
	/* Round trip through the formatter. */
	assert_int_equal(time_parse_iso_z(time_iso_z(out, 1999999999000LL), &t), 0);
	assert_int_equal((long long)t, 1999999999LL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 12345;
		if (time_parse_iso_z(bad[i], &t) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal((long long)t, 12345LL);
	}
	assert_int_equal(time_parse_iso_z(NULL, &t), -1);
}

/* ---- codec ---- */

static void expect_b64(const char *in, const char *want)
{
	char out[64];

	codec_base64((const unsigned char *)in, strlen(in), out);
	assert_string_equal(out, want);
}

static void test_base64(void **state)
{
	unsigned char bin[] = { 0xfb, 0xff, 0xbf };
	char out[16];

	(void)state;
	/* RFC 4648 sec. 10. */
	expect_b64("", "");
	expect_b64("f", "Zg==");
	expect_b64("fo", "Zm8=");
	expect_b64("foo", "Zm9v");
	expect_b64("foob", "Zm9vYg==");
	expect_b64("fooba", "Zm9vYmE=");
	expect_b64("foobar", "Zm9vYmFy");
	codec_base64(bin, sizeof(bin), out);                /* '+' and '/' alphabet */
	assert_string_equal(out, "+/+/");
}

static void test_digests(void **state)
{
	unsigned char mac1[20], mac256[32];
	char hex[65];

	(void)state;
	codec_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	codec_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* RFC 2202 test case 2 and RFC 4231 test case 2. */
	codec_hmac_sha1("Jefe", 4, "what do ya want for nothing?", 28, mac1);
	str_hex(hex, mac1, sizeof(mac1));
	assert_string_equal(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	codec_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac256);
	str_hex(hex, mac256, sizeof(mac256));
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_codec_misc(void **state)
{
	char id[31], id2[31], uuid[37];

	(void)state;
	assert_true(codec_streq_ct("abc", "abc"));
	assert_true(codec_streq_ct("", ""));
	assert_false(codec_streq_ct("abc", "abd"));
	assert_false(codec_streq_ct("abc", "ab"));
	assert_false(codec_streq_ct("", "a"));

	codec_random_id(id, sizeof(id));
	codec_random_id(id2, sizeof(id2));
	assert_int_equal(strlen(id), 30);
	assert_int_equal(strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789"), 30);
	assert_string_not_equal(id, id2);
	codec_random_id(id, 1);
	assert_string_equal(id, "");

	codec_uuid(uuid);
	assert_int_equal(strlen(uuid), 36);
	assert_int_equal(strspn(uuid, "0123456789ABCDEF-"), 36);
	assert_int_equal(uuid[8], '-');
	assert_int_equal(uuid[13], '-');
	assert_int_equal(uuid[14], '4');                        /* version 4 */
	assert_non_null(strchr("89AB", uuid[19]));             /* RFC 4122 variant */
}

/* ---- err ---- */

static void test_err(void **state)
{
	struct err err;

	(void)state;
	err_param(&err, ERR_INVALID, "PageSize", "parameter %s is out of range", "PageSize");
	assert_int_equal(err.code, ERR_INVALID);
	assert_string_equal(err.param, "PageSize");
	err_detail(&err, "use %d..%d", 1, 100);
	assert_string_equal(err.detail, "use 1..100");
	/* err_set clears param and detail. */
	err_set(&err, ERR_NOT_FOUND, "job \"%s\" not found", "j1");
	assert_string_equal(err.msg, "job \"j1\" not found");
	assert_string_equal(err.param, "");
	assert_string_equal(err.detail, "");
	err_prefix(&err, "loading %s", "x");
	assert_string_equal(err.msg, "loading x: job \"j1\" not found");
	err_sys(&err, ERR_IO, ENOENT, "cannot open \"%s\"", "f");
	assert_int_equal(err.sys_errno, ENOENT);
	assert_non_null(strstr(err.msg, "cannot open \"f\": "));
	assert_string_equal(err_code_name(ERR_AUTH_NONCE), "auth_nonce");
	assert_string_equal(err_code_name(ERR__COUNT), "unknown");
	/* Every code has a name. */
	for (int c = 0; c < ERR__COUNT; c++)
		assert_string_not_equal(err_code_name((enum err_code)c), "unknown");
	err_clear(&err);
	assert_int_equal(err.code, ERR_OK);
	err_set(NULL, ERR_INTERNAL, "ignored");                 /* NULL err is allowed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pct_encode),
		cmocka_unit_test(test_pct_decode),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_str_misc),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_kvlist),
		cmocka_unit_test(test_kvlist_sort),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_time_parse),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_codec_misc),
		cmocka_unit_test(test_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
