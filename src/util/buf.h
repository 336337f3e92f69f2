/*
 * buf.h - the one growable byte buffer (curl dynbuf, git strbuf).
 *
 * A buffer has a size cap set at init; an append that would pass it fails
 * with -1 and leaves the content as it was, so outside input can never grow
 * memory without bound. `data` is always NUL-terminated once anything was
 * appended (buf_cstr() gives "" for an empty buffer). Not thread-safe.
 */
#ifndef OPENDTS_UTIL_BUF_H
#define OPENDTS_UTIL_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;     /* size cap in bytes (content, without the NUL) */
};

#define BUF_UNLIMITED ((size_t)-1)

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);            /* frees; the buffer may be reused after buf_init */
void buf_reset(struct buf *b);              /* empties, keeps the memory */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *buf_cstr(const struct buf *b);  /* borrowed, valid until the next change */
char *buf_take(struct buf *b);              /* caller owns the string; buffer is left empty */

#endif
