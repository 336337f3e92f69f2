/*
 * kv.h - an ordered list of string key/value pairs: request parameters,
 * headers, job settings. Keys and values are owned by the list.
 * Not thread-safe; a list belongs to one request or one job.
 */
#ifndef OPENDTS_UTIL_KV_H
#define OPENDTS_UTIL_KV_H

#include <stddef.h>

struct kv {
	char *key;
	char *val;
};

struct kvlist {
	struct kv *items;
	size_t len;
	size_t cap;
};

void kvlist_init(struct kvlist *l);
void kvlist_release(struct kvlist *l);
/* Appends copies of key and val (val NULL means ""). */
void kvlist_add(struct kvlist *l, const char *key, const char *val);
void kvlist_addn(struct kvlist *l, const char *key, size_t klen,
		 const char *val, size_t vlen);
/* Replaces the value of the first pair with this key, or appends. */
void kvlist_set(struct kvlist *l, const char *key, const char *val);
/* First value for key (exact match), or NULL. Borrowed. */
const char *kvlist_get(const struct kvlist *l, const char *key);
/* Same, comparing keys without case (HTTP header names). */
const char *kvlist_get_ci(const struct kvlist *l, const char *key);
/* Removes every pair with this key; returns how many. */
size_t kvlist_del(struct kvlist *l, const char *key);
/* Sorts by key as bytes (strcmp), stable for equal keys. */
void kvlist_sort(struct kvlist *l);

#endif
