/*
 * xalloc.h - allocation that never returns NULL: on failure it logs one line
 * and aborts (redis, git). Use these everywhere instead of malloc & co.
 */
#ifndef OPENDTS_UTIL_XALLOC_H
#define OPENDTS_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);          /* xstrdup(NULL) returns NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
