/*
 * full_checksum.c - the fast path of verification between two MySQL-family
 * servers: each side computes one checksum of a chunk's rows itself, so no
 * row crosses the network. Only a chunk whose checksums differ is compared
 * row by row (full_verify.c). Both sides hold the same types and
 * collations (the schema step copies them faithfully), so the same
 * expression means the same thing on both.
 *
 * Checksum of a chunk: COUNT(*), BIT_XOR and SUM of CRC32 over one text per
 * row: CONCAT_WS('#', OCTET_LENGTH(c1), c1, OCTET_LENGTH(c2), c2, ...,
 * CONCAT(ISNULL(c1), ISNULL(c2), ...)). Each value is preceded by its
 * length, so a '#' inside a value cannot shift text from one column to the
 * next; the key columns are part of the text, so rows that swap values
 * differ; the NULL flags tell NULL from an empty string. A changed row goes
 * unnoticed only if two 32-bit aggregates collide at once.
 *
 * Threads: runs on the worker's thread with its connections.
 */
#include "steps/full_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECKSUM_SQL_MAX (4u << 20)

/* One column's value in the row text: its byte length, then the value
 * (plain FLOAT as a double, see full__float_as_double). */
static int put_value(struct buf *b, const struct full_col *c, bool dst)
{
	const char *name = dst ? c->dst : c->src->name;
	bool dbl = full__float_as_double(c->src);
	int rc = 0;

	for (int pass = 0; rc == 0 && pass < 2; pass++)
		rc = buf_puts(b, pass ? ",(" : ",OCTET_LENGTH((") < 0 ||
		     my_quote_ident(b, name) < 0 || (dbl && buf_puts(b, " + 0e0") < 0) ||
		     buf_puts(b, pass ? ")" : "))") < 0 ? -1 : 0;
	return rc;
}

/* The row text over the source (dst false) or destination column names. */
static int put_row_text(struct buf *b, const struct full_table *t, bool dst)
{
	int rc = buf_puts(b, "CONCAT_WS('#'");

	for (size_t i = 0; rc == 0 && i < t->n_cols; i++)
		rc = put_value(b, &t->cols[i], dst);
	rc = rc < 0 ? -1 : buf_puts(b, ",CONCAT(");
	for (size_t i = 0; rc == 0 && i < t->n_cols; i++)
		rc = (i && buf_putc(b, ',') < 0) || buf_puts(b, "ISNULL(") < 0 ||
		     my_quote_ident(b, dst ? t->cols[i].dst : t->cols[i].src->name) < 0 ||
		     buf_putc(b, ')') < 0 ? -1 : 0;
	return rc < 0 ? -1 : buf_puts(b, "))");
}

/* The checksum query of chunk ch on one side, into q. */
static int checksum_sql(struct full_worker *w, const struct full_table *t,
			const struct full_chunk *ch, bool dst, struct buf *q, struct err *err)
{
	struct buf row;
	int rc;

	buf_init(&row, CHECKSUM_SQL_MAX);
	rc = put_row_text(&row, t, dst);
	if (rc == 0)
		rc = buf_printf(q, "SELECT COUNT(*), COALESCE(BIT_XOR(CRC32(%s)), 0), "
				"COALESCE(SUM(CRC32(%s)), 0) FROM ", row.data, row.data);
	buf_release(&row);
	if (rc < 0) {
		err_set(err, ERR_TOO_LARGE, "table %s: checksum query too long", t->tkey);
		return -1;
	}
	if (!dst) {
		if (my_quote_ident(q, t->t->schema) < 0 || buf_putc(q, '.') < 0 ||
		    my_quote_ident(q, t->t->name) < 0)
			return -1;
		return full__src_where(w->src, t, ch, false, q, err);
	}
	if (full__dst_table_sql(w, t, q) < 0)
		return -1;
	return full__dst_range_sql(w, t, ch, false, q, err);
}

/* "count xor sum" of one side into out (64 bytes). */
static int side_checksum(struct full_worker *w, const struct full_table *t,
			 const struct full_chunk *ch, bool dst, char *out, size_t n,
			 struct err *err)
{
	struct buf q;
	struct my_rows *r = NULL;
	int rc = -1;

	buf_init(&q, 2 * CHECKSUM_SQL_MAX);
	if (checksum_sql(w, t, ch, dst, &q, err) < 0)
		goto out;
	r = my_query_rows(dst ? w->dst_my : w->src, buf_cstr(&q), err);
	if (!r)
		goto out;
	if (!my_rows_next(r)) {
		err_set(err, ERR_DB, "table %s: the checksum query returned no row", t->tkey);
		goto out;
	}
	snprintf(out, n, "%s %s %s", my_rows_get(r, 0) ? my_rows_get(r, 0) : "",
		 my_rows_get(r, 1) ? my_rows_get(r, 1) : "", my_rows_get(r, 2) ? my_rows_get(r, 2) : "");
	rc = 0;
out:
	my_rows_free(r);
	buf_release(&q);
	return rc;
}

int full__checksum_equal(struct full_worker *w, const struct full_table *t,
			 const struct full_chunk *ch, bool *equal, struct err *err)
{
	char src[96], dst[96];

	*equal = false;
	if (w->opts->pg)
		return 0;
	if (side_checksum(w, t, ch, false, src, sizeof(src), err) < 0 ||
	    side_checksum(w, t, ch, true, dst, sizeof(dst), err) < 0)
		return -1;
	*equal = strcmp(src, dst) == 0;
	return 0;
}
