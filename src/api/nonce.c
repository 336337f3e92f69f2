/*
 * nonce.c - the replay cache: remembers each (AccessKeyId, nonce) pair of a
 * verified request until it expires (PROTOCOL.md sec. 5), so a captured
 * request cannot be sent twice.
 *
 * A chained hash table with a random seed, sized for `capacity` entries and
 * bounded by it. Every HTTP thread calls api_nonce_use(); one mutex guards
 * the whole table (the work under it is a lookup and maybe an insert, no
 * I/O). When the table is full, expired entries are purged in one pass; the
 * earliest expiry seen is tracked so that a table full of live entries
 * answers ERR_THROTTLED without scanning, and a full pass happens at most
 * once per second of the callers' clock: O(1) per call on average.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "util/codec.h"
#include "util/xalloc.h"

#define NONCE_MAX_BUCKETS ((size_t)1 << 22)

struct nonce_entry {
	struct nonce_entry *next;
	uint64_t hash;
	int64_t expires_s;           /* live while now < expires_s */
	size_t klen;                 /* id is "key_id\0nonce\0" */
	char id[];
};

struct api_nonce_cache {
	pthread_mutex_t lock;
	uint64_t seed;               /* set at creation, read-only */
	size_t capacity;             /* read-only */
	size_t nbuckets;             /* power of two, read-only */
	/* Guarded by lock: */
	struct nonce_entry **buckets;
	size_t count;
	int64_t min_expires_s;       /* no entry expires before this */
};

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t pair_hash(const struct api_nonce_cache *c, const char *key_id,
			  const char *nonce)
{
	uint64_t h = fnv1a(0xcbf29ce484222325ULL ^ c->seed, key_id, strlen(key_id) + 1);

	return fnv1a(h, nonce, strlen(nonce));
}

struct api_nonce_cache *api_nonce_new(size_t capacity)
{
	struct api_nonce_cache *c = xcalloc(1, sizeof(*c));

	if (pthread_mutex_init(&c->lock, NULL) != 0)
		BUG("pthread_mutex_init failed");
	codec_random(&c->seed, sizeof(c->seed));
	c->capacity = capacity;
	/* One bucket per entry, up to 4M buckets (32 MiB); past that the
	 * chains grow a little longer instead. */
	c->nbuckets = 16;
	while (c->nbuckets < capacity && c->nbuckets < NONCE_MAX_BUCKETS)
		c->nbuckets <<= 1;
	c->buckets = xcalloc(c->nbuckets, sizeof(*c->buckets));
	c->min_expires_s = INT64_MAX;
	return c;
}

void api_nonce_free(struct api_nonce_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct nonce_entry *e = c->buckets[i], *next;
		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(c->buckets);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Drops every expired entry and recomputes min_expires_s. Lock held. */
static void purge_expired(struct api_nonce_cache *c, int64_t now_s)
{
	int64_t min = INT64_MAX;

	for (size_t i = 0; i < c->nbuckets; i++) {
		struct nonce_entry **pp = &c->buckets[i];
		while (*pp) {
			struct nonce_entry *e = *pp;
			if (e->expires_s <= now_s) {
				*pp = e->next;
				free(e);
				c->count--;
				continue;
			}
			if (e->expires_s < min)
				min = e->expires_s;
			pp = &e->next;
		}
	}
	c->min_expires_s = min;
}

static struct nonce_entry *find(struct api_nonce_cache *c, uint64_t h,
				const char *key_id, const char *nonce)
{
	size_t klen = strlen(key_id);
	struct nonce_entry *e = c->buckets[h & (c->nbuckets - 1)];

	for (; e; e = e->next)
		if (e->hash == h && e->klen == klen && strcmp(e->id, key_id) == 0 &&
		    strcmp(e->id + klen + 1, nonce) == 0)
			return e;
	return NULL;
}

static void insert(struct api_nonce_cache *c, uint64_t h, const char *key_id,
		   const char *nonce, int64_t expires_s)
{
	size_t klen = strlen(key_id), nlen = strlen(nonce);
	struct nonce_entry *e = xmalloc(sizeof(*e) + klen + nlen + 2);
	size_t b = h & (c->nbuckets - 1);

	e->hash = h;
	e->expires_s = expires_s;
	e->klen = klen;
	memcpy(e->id, key_id, klen + 1);
	memcpy(e->id + klen + 1, nonce, nlen + 1);
	e->next = c->buckets[b];
	c->buckets[b] = e;
	c->count++;
	if (expires_s < c->min_expires_s)
		c->min_expires_s = expires_s;
}

int api_nonce_use(struct api_nonce_cache *c, const char *key_id, const char *nonce,
		  int64_t now_s, int64_t expires_s, struct err *err)
{
	uint64_t h = pair_hash(c, key_id, nonce);
	struct nonce_entry *e;
	int rc = -1;

	pthread_mutex_lock(&c->lock);
	e = find(c, h, key_id, nonce);
	if (e && e->expires_s > now_s) {
		err_set(err, ERR_AUTH_NONCE, "Specified signature nonce was used already.");
		err_detail(err, "send a fresh SignatureNonce (x-acs-signature-nonce) with every request");
		goto cleanup;
	}
	if (e) {
		/* Seen before, but long enough ago: remember it again. */
		e->expires_s = expires_s;
		if (expires_s < c->min_expires_s)
			c->min_expires_s = expires_s;
		rc = 0;
		goto cleanup;
	}
	if (c->count >= c->capacity && c->min_expires_s <= now_s)
		purge_expired(c, now_s);
	if (c->count >= c->capacity) {
		err_set(err, ERR_THROTTLED, "Request was denied due to user flow control.");
		err_detail(err, "the nonce cache holds %zu live entries; retry later", c->count);
		goto cleanup;
	}
	insert(c, h, key_id, nonce, expires_s);
	rc = 0;
cleanup:
	pthread_mutex_unlock(&c->lock);
	return rc;
}
