/*
 * str.h - string and encoding helpers that no Debian library offers in the
 * exact form the wire protocol needs (RFC 3986 percent-encoding as Alibaba
 * signs it, form decoding, UTF-8 validation). Hashes and base64 come from
 * OpenSSL (see codec.h). All functions are pure and thread-safe.
 */
#ifndef OPENDTS_UTIL_STR_H
#define OPENDTS_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends s[0..n) percent-encoded per RFC 3986 (unreserved A-Z a-z 0-9 -_.~
 * kept, every other byte %XX upper-case hex). -1 if the buffer cap is hit. */
int str_pct_encode(struct buf *out, const char *s, size_t n);

/* Decodes application/x-www-form-urlencoded text: "+" is a space when
 * plus_is_space, "%XX" one byte. Returns a new string and its length in
 * *outlen, or NULL for a malformed escape (% not followed by two hex digits). */
char *str_pct_decode(const char *s, size_t n, bool plus_is_space, size_t *outlen);

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool str_utf8_valid(const char *s, size_t n);

/* The value of a hex digit (either case), or -1. */
int str_hex_digit(char c);
/* Lower-case hex of n bytes into out (2n+1 bytes). */
void str_hex(char *out, const unsigned char *p, size_t n);

/* Case-insensitive ASCII equality; NULLs are unequal to everything. */
bool str_ieq(const char *a, const char *b);

/* Copies src into dst (size n), always NUL-terminating; returns dst. */
char *str_copy(char *dst, size_t n, const char *src);

/* Parses a decimal integer that must be the whole string, within [min,max]. */
int str_to_ll(const char *s, long long min, long long max, long long *out);

/* Parses "true"/"false" (any case). */
int str_to_bool(const char *s, bool *out);

/* True when s contains needle without regard to ASCII case. */
bool str_icontains(const char *s, const char *needle);

#endif
