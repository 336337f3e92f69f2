/*
 * full_pipe.c - the hand-over between the two threads that copy one chunk:
 * the reader (rows streamed from the source) packs rows into batches and
 * pushes them; the writer pops them and feeds the destination's bulk
 * writer. Source and destination then work at the same time instead of in
 * turn. The queue holds at most `depth` batches, so memory stays bounded.
 *
 * A batch is a struct buf of rows packed as, per column, a 4-byte length
 * (native order; FULL_PIPE_NULL for SQL NULL) followed by the bytes.
 *
 * Threads: one producer and one consumer per pipe, under the pipe's mutex.
 */
#include "steps/full_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define FULL_PIPE_NULL 0xffffffffu

struct full_pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct buf **q;
	size_t depth, head, count;
	bool finished;            /* producer: no more batches */
	bool aborted;             /* consumer: stop producing */
};

struct full_pipe *full__pipe_new(size_t depth)
{
	struct full_pipe *p = xcalloc(1, sizeof(*p));

	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->depth = depth ? depth : 1;
	p->q = xcalloc(p->depth, sizeof(*p->q));
	return p;
}

void full__pipe_free(struct full_pipe *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->count; i++)
		full__batch_free(p->q[(p->head + i) % p->depth]);
	free(p->q);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

int full__pipe_push(struct full_pipe *p, struct buf *batch)
{
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	while (p->count == p->depth && !p->aborted)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->aborted) {
		rc = -1;
		full__batch_free(batch);
	} else {
		p->q[(p->head + p->count++) % p->depth] = batch;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

struct buf *full__pipe_pop(struct full_pipe *p)
{
	struct buf *b = NULL;

	pthread_mutex_lock(&p->mu);
	while (p->count == 0 && !p->finished && !p->aborted)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->count > 0 && !p->aborted) {
		b = p->q[p->head];
		p->head = (p->head + 1) % p->depth;
		p->count--;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return b;
}

void full__pipe_finish(struct full_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->finished = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void full__pipe_abort(struct full_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->aborted = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

bool full__pipe_aborted(struct full_pipe *p)
{
	bool a;

	pthread_mutex_lock(&p->mu);
	a = p->aborted;
	pthread_mutex_unlock(&p->mu);
	return a;
}

/* ---- batches ------------------------------------------------------------------ */

struct buf *full__batch_new(void)
{
	struct buf *b = xmalloc(sizeof(*b));

	buf_init(b, BUF_UNLIMITED);
	return b;
}

void full__batch_free(struct buf *b)
{
	if (!b)
		return;
	buf_release(b);
	free(b);
}

void full__batch_put_row(struct buf *b, char **row, const unsigned long *lengths, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t len = row[i] ? (uint32_t)lengths[i] : FULL_PIPE_NULL;

		buf_append(b, &len, sizeof(len));
		if (row[i])
			buf_append(b, row[i], lengths[i]);
	}
}

size_t full__batch_get_row(const struct buf *b, size_t off, unsigned n, char **vals,
			   unsigned long *lens)
{
	for (unsigned i = 0; i < n; i++) {
		uint32_t len;

		if (off + sizeof(len) > b->len)
			BUG("truncated row batch");
		memcpy(&len, b->data + off, sizeof(len));
		off += sizeof(len);
		if (len == FULL_PIPE_NULL) {
			vals[i] = NULL;
			lens[i] = 0;
			continue;
		}
		vals[i] = b->data + off;
		lens[i] = len;
		off += len;
	}
	return off;
}
