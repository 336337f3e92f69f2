/*
 * codec.c - OpenSSL wrappers (EVP digests, HMAC(), EVP_EncodeBlock,
 * CRYPTO_memcmp, RAND_bytes). Stateless and thread-safe.
 */
#include "util/codec.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"
#include "util/str.h"

void codec_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;

	if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) || len != 32)
		BUG("EVP_Digest(sha256) failed");
	str_hex(out, md, 32);
}

void codec_hmac_sha1(const void *key, size_t klen, const void *msg, size_t n,
		     unsigned char out[20])
{
	unsigned int len = 0;

	if (!HMAC(EVP_sha1(), key, (int)klen, msg, n, out, &len) || len != 20)
		BUG("HMAC(sha1) failed");
}

void codec_hmac_sha256(const void *key, size_t klen, const void *msg, size_t n,
		       unsigned char out[32])
{
	unsigned int len = 0;

	if (!HMAC(EVP_sha256(), key, (int)klen, msg, n, out, &len) || len != 32)
		BUG("HMAC(sha256) failed");
}

void codec_base64(const unsigned char *p, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
}

bool codec_streq_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return false;
	return CRYPTO_memcmp(a, b, la) == 0;
}

void codec_random(void *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		BUG("RAND_bytes failed");
}

void codec_uuid(char out[37])
{
	unsigned char b[16];

	codec_random(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
	snprintf(out, 37,
		 "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
}

void codec_random_id(char *out, size_t n)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[64];

	if (!n)
		return;
	if (n - 1 > sizeof(r))
		BUG("random id too long");
	/* Rejection sampling: bytes >= 252 would favour the first characters. */
	for (size_t i = 0; i + 1 < n;) {
		codec_random(r, n - 1 - i);
		for (size_t k = 0; k < n - 1 - i && i + 1 < n; k++)
			if (r[k] < 252)
				out[i++] = alpha[r[k] % 36];
	}
	out[n - 1] = '\0';
}
