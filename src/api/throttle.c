/*
 * throttle.c - per-key request rate limit (token buckets), answered with
 * Throttling.User like the real gateway (PROTOCOL.md sec. 7).
 *
 * Each key (an AccessKeyId) has a bucket of `burst` tokens refilled at `rate`
 * tokens per second; a request takes one. Buckets live in a chained hash map
 * with a random seed. A bucket that is full again carries no state (a new
 * bucket starts full), so when the map grows past THROTTLE_MAX_KEYS such
 * buckets are evicted; if every bucket is still in use, a new key is refused
 * rather than letting the map grow. Every HTTP thread calls
 * api_throttle_take(); one mutex guards the map (no I/O under it).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "util/codec.h"
#include "util/xalloc.h"

#define THROTTLE_MAX_KEYS  10000
#define THROTTLE_NBUCKETS  16384          /* power of two > THROTTLE_MAX_KEYS */
#define THROTTLE_RESCAN_MS 1000           /* at most one eviction pass per second */
#define THROTTLE_EPSILON   1e-9           /* absorbs rounding in refills */

struct bucket {
	struct bucket *next;
	uint64_t hash;
	double tokens;
	int64_t last_ms;             /* when tokens was last brought up to date */
	char key[];
};

struct api_throttle {
	pthread_mutex_t lock;
	double rate;                 /* tokens per second; read-only */
	double burst;                /* read-only */
	uint64_t seed;               /* read-only */
	/* Guarded by lock: */
	struct bucket **map;
	size_t count;
	int64_t last_scan_ms;
	int scanned;                 /* last_scan_ms is valid */
};

struct api_throttle *api_throttle_new(double rate, unsigned burst)
{
	struct api_throttle *t = xcalloc(1, sizeof(*t));

	if (pthread_mutex_init(&t->lock, NULL) != 0)
		BUG("pthread_mutex_init failed");
	t->rate = rate;
	t->burst = burst ? burst : 1;
	codec_random(&t->seed, sizeof(t->seed));
	t->map = xcalloc(THROTTLE_NBUCKETS, sizeof(*t->map));
	return t;
}

void api_throttle_free(struct api_throttle *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < THROTTLE_NBUCKETS; i++) {
		struct bucket *b = t->map[i], *next;
		for (; b; b = next) {
			next = b->next;
			free(b);
		}
	}
	free(t->map);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static uint64_t key_hash(const struct api_throttle *t, const char *key)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ t->seed;

	for (; *key; key++) {
		h ^= (unsigned char)*key;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Adds the tokens earned since last_ms, up to burst. */
static void refill(const struct api_throttle *t, struct bucket *b, int64_t now_ms)
{
	if (now_ms <= b->last_ms)
		return;   /* the clock did not move (or went back): nothing earned */
	b->tokens += (double)(now_ms - b->last_ms) * t->rate / 1000.0;
	if (b->tokens > t->burst)
		b->tokens = t->burst;
	b->last_ms = now_ms;
}

/* Evicts the buckets that are full again. Lock held. */
static void evict_full(struct api_throttle *t, int64_t now_ms)
{
	for (size_t i = 0; i < THROTTLE_NBUCKETS; i++) {
		struct bucket **pp = &t->map[i];
		while (*pp) {
			struct bucket *b = *pp;
			refill(t, b, now_ms);
			if (b->tokens >= t->burst - THROTTLE_EPSILON) {
				*pp = b->next;
				free(b);
				t->count--;
				continue;
			}
			pp = &b->next;
		}
	}
	t->last_scan_ms = now_ms;
	t->scanned = 1;
}

/* The bucket for key, created full if absent; NULL if the map is full of
 * buckets in use. Lock held. */
static struct bucket *lookup(struct api_throttle *t, const char *key, int64_t now_ms)
{
	uint64_t h = key_hash(t, key);
	size_t i = h & (THROTTLE_NBUCKETS - 1);
	struct bucket *b;
	size_t klen;

	for (b = t->map[i]; b; b = b->next)
		if (b->hash == h && strcmp(b->key, key) == 0)
			return b;
	if (t->count >= THROTTLE_MAX_KEYS &&
	    (!t->scanned || now_ms - t->last_scan_ms >= THROTTLE_RESCAN_MS ||
	     now_ms < t->last_scan_ms))
		evict_full(t, now_ms);
	if (t->count >= THROTTLE_MAX_KEYS)
		return NULL;
	klen = strlen(key);
	b = xmalloc(sizeof(*b) + klen + 1);
	memcpy(b->key, key, klen + 1);
	b->hash = h;
	b->tokens = t->burst;
	b->last_ms = now_ms;
	b->next = t->map[i];
	t->map[i] = b;
	t->count++;
	return b;
}

int api_throttle_take(struct api_throttle *t, const char *key, int64_t now_ms,
		      struct err *err)
{
	struct bucket *b;
	int rc = -1;

	if (!t || t->rate <= 0)
		return 0;
	pthread_mutex_lock(&t->lock);
	b = lookup(t, key, now_ms);
	if (!b) {
		err_set(err, ERR_THROTTLED, "Request was denied due to user flow control.");
		err_detail(err, "more than %d access keys are sending requests at once; retry later",
			   THROTTLE_MAX_KEYS);
		goto cleanup;
	}
	refill(t, b, now_ms);
	if (b->tokens < 1.0 - THROTTLE_EPSILON) {
		err_set(err, ERR_THROTTLED, "Request was denied due to user flow control.");
		err_detail(err, "access key \"%s\" is limited to %g requests/s (burst %g); retry later",
			   key, t->rate, t->burst);
		goto cleanup;
	}
	b->tokens -= 1.0;
	rc = 0;
cleanup:
	pthread_mutex_unlock(&t->lock);
	return rc;
}
