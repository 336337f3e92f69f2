/*
 * kv.c - ordered string pairs. Single owner, single thread.
 */
#include "util/kv.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

void kvlist_init(struct kvlist *l)
{
	l->items = NULL;
	l->len = l->cap = 0;
}

void kvlist_release(struct kvlist *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->items[i].key);
		free(l->items[i].val);
	}
	free(l->items);
	kvlist_init(l);
}

void kvlist_addn(struct kvlist *l, const char *key, size_t klen,
		 const char *val, size_t vlen)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->items = xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	l->items[l->len].key = xstrndup(key, klen);
	l->items[l->len].val = xstrndup(val ? val : "", val ? vlen : 0);
	l->len++;
}

void kvlist_add(struct kvlist *l, const char *key, const char *val)
{
	kvlist_addn(l, key, strlen(key), val, val ? strlen(val) : 0);
}

void kvlist_set(struct kvlist *l, const char *key, const char *val)
{
	for (size_t i = 0; i < l->len; i++) {
		if (strcmp(l->items[i].key, key) == 0) {
			free(l->items[i].val);
			l->items[i].val = xstrdup(val ? val : "");
			return;
		}
	}
	kvlist_add(l, key, val);
}

const char *kvlist_get(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->len; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].val;
	return NULL;
}

const char *kvlist_get_ci(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->len; i++)
		if (strcasecmp(l->items[i].key, key) == 0)
			return l->items[i].val;
	return NULL;
}

size_t kvlist_del(struct kvlist *l, const char *key)
{
	size_t o = 0, n = 0;

	for (size_t i = 0; i < l->len; i++) {
		if (strcmp(l->items[i].key, key) == 0) {
			free(l->items[i].key);
			free(l->items[i].val);
			n++;
			continue;
		}
		l->items[o++] = l->items[i];
	}
	l->len = o;
	return n;
}

void kvlist_sort(struct kvlist *l)
{
	/* Insertion sort: stable, and parameter lists are short. */
	for (size_t i = 1; i < l->len; i++) {
		struct kv cur = l->items[i];
		size_t j = i;
		while (j > 0 && strcmp(l->items[j - 1].key, cur.key) > 0) {
			l->items[j] = l->items[j - 1];
			j--;
		}
		l->items[j] = cur;
	}
}
