/*
 * codec.h - thin wrappers over OpenSSL 3 for hashes, HMACs, base64 and
 * random bytes, so the rest of the code has one way to do each. Thread-safe.
 */
#ifndef OPENDTS_UTIL_CODEC_H
#define OPENDTS_UTIL_CODEC_H

#include <stdbool.h>
#include <stddef.h>

/* Lower-case hex SHA-256 of p[0..n) into out (65 bytes). */
void codec_sha256_hex(const void *p, size_t n, char out[65]);
/* HMAC-SHA1 (20 bytes) and HMAC-SHA256 (32 bytes) of msg under key. */
void codec_hmac_sha1(const void *key, size_t klen, const void *msg, size_t n,
		     unsigned char out[20]);
void codec_hmac_sha256(const void *key, size_t klen, const void *msg, size_t n,
		       unsigned char out[32]);
/* Standard base64 with '=' padding of p[0..n) into out (4*ceil(n/3)+1 bytes). */
void codec_base64(const unsigned char *p, size_t n, char *out);
/* Constant-time comparison of two NUL-terminated strings. */
bool codec_streq_ct(const char *a, const char *b);
/* Cryptographically random bytes; aborts if the RNG fails. */
void codec_random(void *p, size_t n);
/* Random UUID v4 in upper case ("C096FA97-B6BA-4575-899D-61E12B59A1B2"). */
void codec_uuid(char out[37]);
/* Random identifier of n-1 characters from [a-z0-9] into out (size n). */
void codec_random_id(char *out, size_t n);

#endif
