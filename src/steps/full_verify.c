/*
 * full_verify.c - verification and repair of one chunk of the full-data
 * step (full_internal.h): the chunk's rows are read on both sides, each row
 * reduced to its key and a SHA-256 digest of the canonical values of every
 * copied column (full_canon.c), and the two sides are compared.
 *
 * Keyed tables: the source rows of the chunk are streamed first (the chunk
 * is bounded, about chunk_rows rows: key values, canonical key and digest
 * are kept per row, with a hash index on the canonical key). Then the
 * destination rows are read
 *   - by key range (the same range SQL as the copy) on a MySQL destination,
 *     on PostgreSQL when the key orders alike on both sides (t->key_ordered),
 *     and for a whole_table chunk: every destination row of the range is
 *     looked up, so missing, extra and changed rows are all found;
 *   - otherwise by key list, IN lists of at most KEY_BATCH source keys:
 *     missing and changed rows are found, but rows that exist only on the
 *     destination cannot be (nothing names them); they are counted only if
 *     a row returned does not match its source row's canonical key.
 * PostgreSQL rows are read through a server-side cursor (FETCH_ROWS rows at
 * a time), MySQL rows streamed, so memory stays bounded on that side.
 *
 * Keyless tables (one whole_table chunk): the multisets of row digests are
 * compared (sorted, merged); 32 bytes per row and side. Differences have no
 * key: d->keys holds one NULL entry per differing row, and repair copies
 * the whole table again.
 *
 * The keys of differing rows (struct full_diff) are in the source's text
 * form: missing and changed rows keep the key the source gave; rows extra
 * on a MySQL destination keep the destination's text (the same form); rows
 * extra on PostgreSQL get their key converted back to the source's form
 * (bytea hex decoded to bytes, bit strings to big-endian bytes, "+00"
 * dropped from timestamptz; numbers, dates, text as PostgreSQL prints them).
 *
 * Repair deletes the destination rows of the kept keys in batches and
 * copies the same keys from the source (full__copy_select); both statements
 * are idempotent, so the caller may retry after a lost connection.
 *
 * Threads: everything runs on the worker's thread with its connections.
 * The worker's scratch buffers (w->sql, w->row) belong to full_copy.c and
 * are not used here.
 */
#include "steps/full_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "util/str.h"
#include "util/xalloc.h"

#define DIGEST_LEN 16   /* XXH3 128-bit: accidental collisions only, ~2^-64 per 2^32 rows */
#define KEY_BATCH 1000                     /* keys per IN list */
#define KEY_BATCH_BYTES (1u << 20)         /* key bytes per IN list */
#define FETCH_ROWS 2000                    /* rows per FETCH from the cursor */
#define STR_(x) #x
#define STR(x) STR_(x)
#define ACCOUNT_ROWS 1024                  /* source rows between throttle calls */
#define SQL_MAX (64u << 20)
#define CURSOR "opendts_verify"
#define NOT_FOUND ((size_t)-1)

struct vrow {
	unsigned char digest[DIGEST_LEN];
	unsigned char *ckey;               /* canonical key (owned) */
	size_t ckey_len;
	struct my_key_values *key;         /* source key values (owned until kept in d) */
	bool seen;                         /* found on the destination */
};

typedef unsigned char digest_t[DIGEST_LEN];

struct verify {
	struct full_worker *w;
	struct full_table *t;
	struct full_diff *d;
	bool pg;
	struct vrow *rows;                 /* keyed: the source rows */
	size_t n, cap;
	size_t *slot;                      /* hash index: row + 1, 0 = free */
	size_t n_slots;
	digest_t *dig[2];                  /* keyless: digests per side */
	size_t n_dig[2], cap_dig[2];
	struct buf canon;                  /* scratch: a row's canonical values */
	struct buf ckey;                   /* scratch: a row's canonical key */
	int64_t pend_rows, pend_bytes;     /* source rows not yet throttled */
	struct err err;                    /* why a row callback stopped */
	bool cancelled;
};

void full_diff_release(struct full_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n_keys; i++)
		my_key_values_free(d->keys[i]);
	free(d->keys);
	memset(d, 0, sizeof(*d));
}

/* ---- small pieces ---------------------------------------------------------------- */

static struct my_key_values *kv_new(size_t n)
{
	struct my_key_values *kv = xcalloc(1, sizeof(*kv));

	kv->n = n;
	kv->v = xcalloc(n ? n : 1, sizeof(*kv->v));
	kv->len = xcalloc(n ? n : 1, sizeof(*kv->len));
	return kv;
}

static void kv_set(struct my_key_values *kv, size_t i, const char *v, size_t len)
{
	kv->v[i] = xmalloc(len + 1);
	if (len)
		memcpy(kv->v[i], v, len);
	kv->v[i][len] = '\0';
	kv->len[i] = len;
}

/* Keeps kv (taken) as the key of a differing row, while there is room. */
static void keep_key(struct full_diff *d, struct my_key_values *kv)
{
	if (d->n_keys >= FULL_DIFF_KEYS) {
		my_key_values_free(kv);
		return;
	}
	if ((d->n_keys & (d->n_keys - 1)) == 0)   /* 0, 1, 2, 4...: grow */
		d->keys = xrealloc(d->keys, (d->n_keys ? 2 * d->n_keys : 1) * sizeof(*d->keys));
	d->keys[d->n_keys++] = kv;
}

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
	return XXH3_64bits(p, n);
}


static void digest_of(const struct buf *b, digest_t out)
{
	XXH128_hash_t h = XXH3_128bits(b->data ? b->data : "", b->len);
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, h);
	memcpy(out, c.digest, DIGEST_LEN);
}

static int digest_cmp(const void *a, const void *b)
{
	return memcmp(a, b, DIGEST_LEN);
}

/* ---- rows: digest, canonical key, source-form key -------------------------------- */

static int row_digest(struct verify *v, enum full_side side, MYSQL_ROW row,
		      const unsigned long *lengths, digest_t out)
{
	buf_reset(&v->canon);
	for (size_t i = 0; i < v->t->n_cols; i++)
		if (full__canon_value(&v->t->cols[i], v->pg, side, row[i], row[i] ? lengths[i] : 0,
				      !row[i], &v->canon) < 0) {
			err_set(&v->err, ERR_TOO_LARGE, "table %s: a row is too large to verify",
				v->t->tkey);
			return -1;
		}
	digest_of(&v->canon, out);
	return 0;
}

static int row_ckey(struct verify *v, enum full_side side, MYSQL_ROW row,
		    const unsigned long *lengths)
{
	buf_reset(&v->ckey);
	for (size_t i = 0; i < v->t->key->n_parts; i++) {
		size_t c = v->t->key_col[i];

		if (full__canon_value(&v->t->cols[c], v->pg, side, row[c], row[c] ? lengths[c] : 0,
				      !row[c], &v->ckey) < 0) {
			err_set(&v->err, ERR_TOO_LARGE, "table %s: a key is too large to verify",
				v->t->tkey);
			return -1;
		}
	}
	return 0;
}

/* PostgreSQL bytea hex output "\\x0aff" decoded into kv->v[i]; false
 * when v is not that form. */
static bool bytea_form(const char *v, size_t n, struct my_key_values *kv, size_t i)
{
	char *b;

	if (n < 2 || n % 2 || v[0] != '\\' || v[1] != 'x')
		return false;
	for (size_t j = 2; j < n; j++)
		if (str_hex_digit(v[j]) < 0)
			return false;
	b = xmalloc(n / 2);
	for (size_t j = 2; j < n; j += 2)
		b[j / 2 - 1] = (char)(str_hex_digit(v[j]) * 16 + str_hex_digit(v[j + 1]));
	kv_set(kv, i, b, n / 2 - 1);
	free(b);
	return true;
}

/* A PostgreSQL key value in the source's text form (see the top). */
static void source_form(const struct full_col *c, const char *v, size_t n,
			struct my_key_values *kv, size_t i)
{
	if (strcmp(c->map.dst_type, "bytea") == 0 && bytea_form(v, n, kv, i))
		return;
	if (c->src->type == SCHEMA_T_BIT && n > 0 && strspn(v, "01") >= n) {
		size_t bytes = (n + 7) / 8;
		char *b = xcalloc(bytes, 1);

		for (size_t j = 0; j < n; j++)
			if (v[n - 1 - j] == '1')
				b[bytes - 1 - j / 8] |= (char)(1 << (j % 8));
		kv_set(kv, i, b, bytes);
		free(b);
	} else if (c->src->type == SCHEMA_T_TIMESTAMP && n >= 3 && !memcmp(v + n - 3, "+00", 3)) {
		kv_set(kv, i, v, n - 3);
	} else {
		kv_set(kv, i, v, n);
	}
}

static struct my_key_values *row_key(const struct verify *v, enum full_side side,
				     MYSQL_ROW row, const unsigned long *lengths)
{
	const struct full_table *t = v->t;
	struct my_key_values *kv = kv_new(t->key->n_parts);

	for (size_t i = 0; i < t->key->n_parts; i++) {
		size_t c = t->key_col[i];
		const char *val = row[c] ? row[c] : "";
		size_t len = row[c] ? lengths[c] : 0;

		if (side == FULL_SIDE_DST && v->pg)
			source_form(&t->cols[c], val, len, kv, i);
		else
			kv_set(kv, i, val, len);
	}
	return kv;
}

/* ---- the hash index on canonical keys ---------------------------------------------- */

static void index_build(struct verify *v)
{
	v->n_slots = 16;
	while (v->n_slots < 2 * v->n)
		v->n_slots *= 2;
	v->slot = xcalloc(v->n_slots, sizeof(*v->slot));
	for (size_t r = 0; r < v->n; r++) {
		size_t s = hash_bytes(v->rows[r].ckey, v->rows[r].ckey_len) & (v->n_slots - 1);

		while (v->slot[s])
			s = (s + 1) & (v->n_slots - 1);
		v->slot[s] = r + 1;
	}
}

/* The first source row with canonical key k not seen yet, else the first
 * one seen, else NOT_FOUND. */
static size_t index_find(const struct verify *v, const unsigned char *k, size_t n)
{
	size_t s = hash_bytes(k, n) & (v->n_slots - 1), seen = NOT_FOUND;

	for (; v->slot[s]; s = (s + 1) & (v->n_slots - 1)) {
		const struct vrow *r = &v->rows[v->slot[s] - 1];

		if (r->ckey_len != n || memcmp(r->ckey, k, n) != 0)
			continue;
		if (!r->seen)
			return v->slot[s] - 1;
		if (seen == NOT_FOUND)
			seen = v->slot[s] - 1;
	}
	return seen;
}

/* ---- row callbacks ---------------------------------------------------------------- */

static void push_digest(struct verify *v, int side, const digest_t dg)
{
	if (v->n_dig[side] == v->cap_dig[side]) {
		v->cap_dig[side] = v->cap_dig[side] ? 2 * v->cap_dig[side] : 1024;
		v->dig[side] = xrealloc(v->dig[side], v->cap_dig[side] * sizeof(digest_t));
	}
	memcpy(v->dig[side][v->n_dig[side]++], dg, DIGEST_LEN);
}

static int push_source_row(struct verify *v, MYSQL_ROW row, unsigned long *lengths,
			   const digest_t dg)
{
	struct vrow *r;

	if (row_ckey(v, FULL_SIDE_SRC, row, lengths) < 0)
		return -1;
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 1024;
		v->rows = xrealloc(v->rows, v->cap * sizeof(*v->rows));
	}
	r = &v->rows[v->n++];
	memcpy(r->digest, dg, DIGEST_LEN);
	r->ckey_len = v->ckey.len;
	r->ckey = xmalloc(r->ckey_len ? r->ckey_len : 1);
	memcpy(r->ckey, v->ckey.data, r->ckey_len);
	r->key = row_key(v, FULL_SIDE_SRC, row, lengths);
	r->seen = false;
	return 0;
}

/* Throttles the source read (every ACCOUNT_ROWS rows) and notices a
 * cancel; false to stop. */
static bool keep_going(struct verify *v, const unsigned long *lengths, unsigned n, bool src)
{
	if (src) {
		for (unsigned i = 0; i < n; i++)
			v->pend_bytes += (int64_t)lengths[i];
		if (++v->pend_rows >= ACCOUNT_ROWS) {
			full__throttle_take(v->w->throttle, v->pend_rows, v->pend_bytes,
					    v->w->ctx->cancel);
			v->pend_rows = v->pend_bytes = 0;
		}
	}
	if (step_cancelled(v->w->ctx)) {
		v->cancelled = true;
		return false;
	}
	return true;
}

static int on_src_row(void *arg, MYSQL_ROW row, unsigned long *lengths, unsigned n)
{
	struct verify *v = arg;
	digest_t dg;

	if (n != v->t->n_cols) {
		err_set(&v->err, ERR_INTERNAL, "table %s: %u columns read on the source, %zu "
			"expected", v->t->tkey, n, v->t->n_cols);
		return 1;
	}
	if (row_digest(v, FULL_SIDE_SRC, row, lengths, dg) < 0)
		return 1;
	if (!v->t->key)
		push_digest(v, 0, dg);
	else if (push_source_row(v, row, lengths, dg) < 0)
		return 1;
	return keep_going(v, lengths, n, true) ? 0 : 1;
}

static int on_dst_row(void *arg, MYSQL_ROW row, unsigned long *lengths, unsigned n)
{
	struct verify *v = arg;
	struct vrow *r;
	digest_t dg;
	size_t i;

	if (n != v->t->n_cols) {
		err_set(&v->err, ERR_INTERNAL, "table %s: %u columns read on the destination, "
			"%zu expected", v->t->tkey, n, v->t->n_cols);
		return 1;
	}
	if (row_digest(v, FULL_SIDE_DST, row, lengths, dg) < 0)
		return 1;
	if (!v->t->key) {
		push_digest(v, 1, dg);
	} else if (row_ckey(v, FULL_SIDE_DST, row, lengths) < 0) {
		return 1;
	} else if ((i = index_find(v, (unsigned char *)v->ckey.data, v->ckey.len)) == NOT_FOUND ||
		   v->rows[i].seen) {
		v->d->extra++;
		keep_key(v->d, row_key(v, FULL_SIDE_DST, row, lengths));
	} else {
		r = &v->rows[i];
		r->seen = true;
		if (memcmp(r->digest, dg, DIGEST_LEN) != 0) {
			v->d->changed++;
			keep_key(v->d, r->key);
			r->key = NULL;
		}
	}
	return keep_going(v, lengths, n, false) ? 0 : 1;
}

/* ---- reading ---------------------------------------------------------------------- */

/* After a stream that on_row stopped (rc 1): the reason into err. */
static int stopped(struct verify *v, const char *side, struct err *err)
{
	if (v->cancelled)
		err_set(err, ERR_CANCELLED, "verification of table %s cancelled", v->t->tkey);
	else if (v->err.code)
		*err = v->err;
	else
		err_set(err, ERR_INTERNAL, "table %s: the %s read stopped", v->t->tkey, side);
	return -1;
}

static int read_source(struct verify *v, const struct full_chunk *ch, struct err *err)
{
	struct buf q;
	int rc;

	buf_init(&q, SQL_MAX);
	if (full__src_select(v->t, &q) < 0 ||
	    full__src_where(v->w->src, v->t, ch, true, &q, err) < 0) {
		if (!err->code)
			err_set(err, ERR_TOO_LARGE, "table %s: SELECT too long", v->t->tkey);
		buf_release(&q);
		return -1;
	}
	rc = my_chunk_stream(v->w->src, buf_cstr(&q), on_src_row, v, err);
	buf_release(&q);
	if (rc == 1)
		return stopped(v, "source", err);
	if (rc == 0 && v->pend_rows)
		full__throttle_take(v->w->throttle, v->pend_rows, v->pend_bytes,
				    v->w->ctx->cancel);
	return rc;
}

/* Hands the rows of one FETCH to on_dst_row; 1 when it stopped. */
static int pg_rows_feed(struct verify *v, const struct pg_rows *res, size_t *count)
{
	size_t nc = v->t->n_cols;
	char **vals = xcalloc(nc ? nc : 1, sizeof(*vals));
	unsigned long *lens = xcalloc(nc ? nc : 1, sizeof(*lens));
	int rc = 0;

	*count = pg_rows_count(res);
	for (size_t r = 0; rc == 0 && r < *count; r++) {
		for (size_t c = 0; c < nc; c++) {
			vals[c] = (char *)pg_rows_get(res, r, (int)c);
			lens[c] = vals[c] ? strlen(vals[c]) : 0;
		}
		rc = on_dst_row(v, vals, lens, (unsigned)nc);
	}
	free(vals);
	free(lens);
	return rc;
}

/* Reads select_sql on PostgreSQL through a cursor, FETCH_ROWS at a time. */
static int pg_read(struct verify *v, const char *select_sql, struct err *err)
{
	struct pg_conn *c = v->w->dst_pg;
	struct err ignored = { 0 };
	char *declare = xasprintf("DECLARE " CURSOR " NO SCROLL CURSOR FOR %s", select_sql);
	size_t count = FETCH_ROWS;
	int rc = 0;

	if (pg_query_value(c, "BEGIN READ ONLY", NULL, err) < 0) {
		free(declare);
		return -1;
	}
	rc = pg_query_value(c, declare, NULL, err);
	free(declare);
	while (rc == 0 && count == FETCH_ROWS) {
		struct pg_rows *res = pg_query_rows(c, "FETCH " STR(FETCH_ROWS) " FROM " CURSOR,
						    0, NULL, err);

		if (!res) {
			rc = -1;
			break;
		}
		if (pg_rows_feed(v, res, &count) != 0)
			rc = stopped(v, "destination", err);
		pg_rows_free(res);
	}
	if (rc == 0)
		return pg_query_value(c, "COMMIT", NULL, err);
	pg_query_value(c, "ROLLBACK", NULL, &ignored);
	return -1;
}

static int read_dst_sql(struct verify *v, const char *sql, struct err *err)
{
	int rc;

	if (v->pg)
		return pg_read(v, sql, err);
	rc = my_chunk_stream(v->w->dst_my, sql, on_dst_row, v, err);
	return rc == 1 ? stopped(v, "destination", err) : rc;
}

/* "SELECT <destination columns> FROM <destination table>". */
static int dst_select(const struct verify *v, struct buf *q)
{
	int rc = buf_puts(q, "SELECT ");

	for (size_t i = 0; rc == 0 && i < v->t->n_cols; i++) {
		bool as_double = !v->pg && full__float_as_double(v->t->cols[i].src);

		rc = (i && buf_putc(q, ',') < 0) || (as_double && buf_putc(q, '(') < 0) ||
		     (v->pg ? pg_quote_ident(q, v->t->cols[i].dst)
			    : my_quote_ident(q, v->t->cols[i].dst)) < 0 ||
		     (as_double && buf_puts(q, " + 0e0)") < 0) ? -1 : 0;
	}
	if (rc == 0)
		rc = buf_puts(q, " FROM ") < 0 || full__dst_table_sql(v->w, v->t, q) < 0 ? -1 : 0;
	return rc;
}

static int read_dst_range(struct verify *v, const struct full_chunk *ch, struct err *err)
{
	struct buf q;
	int rc = -1;

	buf_init(&q, SQL_MAX);
	if (dst_select(v, &q) < 0)
		err_set(err, ERR_TOO_LARGE, "table %s: SELECT too long", v->t->tkey);
	else if (!v->t->key || ch->range.whole_table ||
		 full__dst_range_sql(v->w, v->t, ch, false, &q, err) == 0)
		rc = read_dst_sql(v, buf_cstr(&q), err);
	buf_release(&q);
	return rc;
}

/* ---- literals and key lists ------------------------------------------------------- */

static bool is_binary(const struct full_col *c)
{
	enum schema_type t = c->src->type;

	return t == SCHEMA_T_BINARY || t == SCHEMA_T_VARBINARY || t == SCHEMA_T_TINYBLOB ||
	       t == SCHEMA_T_BLOB || t == SCHEMA_T_MEDIUMBLOB || t == SCHEMA_T_LONGBLOB ||
	       (t >= SCHEMA_T_GEOMETRY && t <= SCHEMA_T_GEOMETRYCOLLECTION);
}

static int put_hex(struct buf *q, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++)
		if (buf_putc(q, hex[(unsigned char)v[i] >> 4]) < 0 ||
		    buf_putc(q, hex[(unsigned char)v[i] & 15]) < 0)
			return -1;
	return 0;
}

/* MySQL literal of a source-form key value: BIT as a number (0x..: a
 * quoted string would compare as text), binary strings as X'..', the rest
 * quoted by the client library for conn. */
static int my_literal(struct my_conn *conn, const struct full_col *c, const char *v,
		      size_t n, struct buf *q)
{
	if (c->src->type == SCHEMA_T_BIT)
		return n == 0 ? buf_putc(q, '0') : buf_puts(q, "0x") < 0 ? -1 : put_hex(q, v, n);
	if (is_binary(c))
		return buf_puts(q, "X'") < 0 || put_hex(q, v, n) < 0 ? -1 : buf_putc(q, '\'');
	return my_quote_literaln(conn, q, v, n);
}

/* PostgreSQL bit string B'...' of BIT(width) big-endian bytes. */
static int pg_bits(const struct full_col *c, const unsigned char *p, size_t n, struct buf *q)
{
	int width = c->src->precision > 0 ? c->src->precision : 1;

	for (size_t bit = (size_t)width; bit < n * 8; bit++)
		if (p[n - 1 - bit / 8] >> (bit % 8) & 1)
			return 1;                  /* wider than the column */
	if (buf_puts(q, "B'") < 0)
		return -1;
	for (int b = width - 1; b >= 0; b--) {
		size_t byte = (size_t)b / 8;

		if (buf_putc(q, byte < n && (p[n - 1 - byte] >> (b % 8) & 1) ? '1' : '0') < 0)
			return -1;
	}
	return buf_putc(q, '\'');
}

/* True for a value no PostgreSQL column of c's type can hold, so no row
 * with it exists there (the copy refused it). */
static bool pg_impossible(const struct full_col *c, const char *v, size_t n)
{
	enum schema_type t = c->src->type;

	if (t == SCHEMA_T_DATE || t == SCHEMA_T_DATETIME || t == SCHEMA_T_TIMESTAMP)
		return n < 10 || !memcmp(v, "0000", 4) || !memcmp(v + 5, "00", 2) ||
		       !memcmp(v + 8, "00", 2);
	return memchr(v, '\0', n) || !str_utf8_valid(v, n);
}

/* PostgreSQL literal of a source-form key value, cast by the server to the
 * column's type: E'..' with quotes doubled and backslashes escaped, bytea
 * as E'\\x..', BIT as B'..', TIMESTAMP with "+00". 1 (nothing appended)
 * when the value cannot exist on PostgreSQL. */
static int pg_literal(const struct full_col *c, const char *v, size_t n, struct buf *q)
{
	if (strcmp(c->map.dst_type, "bytea") == 0)
		return buf_puts(q, "E'\\\\x") < 0 || put_hex(q, v, n) < 0 ? -1 : buf_putc(q, '\'');
	if (c->src->type == SCHEMA_T_BIT)
		return pg_bits(c, (const unsigned char *)v, n, q);
	if (pg_impossible(c, v, n))
		return 1;
	if (buf_puts(q, "E'") < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bool twice = v[i] == '\'' || v[i] == '\\';

		if ((twice && buf_putc(q, v[i]) < 0) || buf_putc(q, v[i]) < 0)
			return -1;
	}
	if (c->src->type == SCHEMA_T_TIMESTAMP && buf_puts(q, "+00") < 0)
		return -1;
	return buf_putc(q, '\'');
}

enum key_side { KEY_SRC, KEY_DST };

/* Appends "(k1,k2)" with the side's names. */
static int put_key_cols(const struct full_worker *w, const struct full_table *t,
			enum key_side side, struct buf *q)
{
	bool pg = side == KEY_DST && w->opts->pg;
	int rc = buf_putc(q, '(');

	for (size_t i = 0; rc == 0 && i < t->key->n_parts; i++) {
		const char *name = side == KEY_SRC ? t->key->parts[i].column
						   : t->cols[t->key_col[i]].dst;

		rc = (i && buf_putc(q, ',') < 0) ||
		     (pg ? pg_quote_ident(q, name) : my_quote_ident(q, name)) < 0 ? -1 : 0;
	}
	return rc == 0 ? buf_putc(q, ')') : -1;
}

/* Appends one key's "(v1,v2)"; 1 (q unchanged) when it cannot exist there. */
static int put_key_tuple(struct full_worker *w, const struct full_table *t,
			 enum key_side side, const struct my_key_values *kv, struct buf *q)
{
	size_t start = q->len;
	int rc = buf_putc(q, '(');

	for (size_t i = 0; rc == 0 && i < kv->n; i++) {
		const struct full_col *c = &t->cols[t->key_col[i]];

		if (i && buf_putc(q, ',') < 0)
			return -1;
		if (side == KEY_DST && w->opts->pg)
			rc = pg_literal(c, kv->v[i], kv->len[i], q);
		else
			rc = my_literal(side == KEY_SRC ? w->src : w->dst_my, c, kv->v[i],
					kv->len[i], q);
	}
	if (rc == 1) {
		q->len = start;
		q->data[start] = '\0';
		return 1;
	}
	return rc < 0 ? -1 : buf_putc(q, ')');
}

/* The end of the batch of keys starting at from: at most KEY_BATCH keys
 * and about KEY_BATCH_BYTES of key text. */
static size_t batch_end(struct my_key_values *const *keys, size_t n, size_t from)
{
	size_t to = from, bytes = 0;

	while (to < n && to - from < KEY_BATCH && bytes < KEY_BATCH_BYTES) {
		for (size_t i = 0; keys[to] && i < keys[to]->n; i++)
			bytes += keys[to]->len[i];
		to++;
	}
	return to;
}

/* Appends "(k1,k2) IN ((..),(..))" for keys[from..to); *added = keys
 * written (those that cannot exist on the side are left out). */
static int put_key_in(struct full_worker *w, const struct full_table *t, enum key_side side,
		      struct my_key_values *const *keys, size_t from, size_t to,
		      struct buf *q, size_t *added)
{
	*added = 0;
	if (put_key_cols(w, t, side, q) < 0 || buf_puts(q, " IN (") < 0)
		return -1;
	for (size_t i = from; i < to; i++) {
		size_t at = q->len;
		int rc;

		if (*added && buf_putc(q, ',') < 0)
			return -1;
		rc = put_key_tuple(w, t, side, keys[i], q);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			q->len = at;
			q->data[at] = '\0';
			continue;
		}
		(*added)++;
	}
	return buf_putc(q, ')');
}

/* ---- reading the destination by key list ------------------------------------------ */

static int read_dst_keys(struct verify *v, struct err *err)
{
	struct my_key_values **keys = xcalloc(v->n ? v->n : 1, sizeof(*keys));
	struct buf q;
	int rc = 0;

	for (size_t i = 0; i < v->n; i++)
		keys[i] = v->rows[i].key;
	buf_init(&q, SQL_MAX);
	for (size_t from = 0, to; rc == 0 && from < v->n; from = to) {
		size_t added = 0;

		to = batch_end(keys, v->n, from);
		buf_reset(&q);
		if (dst_select(v, &q) < 0 || buf_puts(&q, " WHERE ") < 0 ||
		    put_key_in(v->w, v->t, KEY_DST, keys, from, to, &q, &added) < 0) {
			err_set(err, ERR_TOO_LARGE, "table %s: key list too long", v->t->tkey);
			rc = -1;
		} else if (added) {
			rc = read_dst_sql(v, buf_cstr(&q), err);
		}
	}
	buf_release(&q);
	free(keys);
	return rc;
}

/* ---- comparing ---------------------------------------------------------------------- */

static void count_missing(struct verify *v)
{
	v->d->src_rows = (int64_t)v->n;
	for (size_t i = 0; i < v->n; i++) {
		if (v->rows[i].seen)
			continue;
		v->d->missing++;
		keep_key(v->d, v->rows[i].key);
		v->rows[i].key = NULL;
	}
}

/* Keyless: the multisets of digests; one NULL key per differing row. */
static void compare_digests(struct verify *v)
{
	size_t i = 0, j = 0, ns = v->n_dig[0], nd = v->n_dig[1];

	if (ns)
		qsort(v->dig[0], ns, DIGEST_LEN, digest_cmp);
	if (nd)
		qsort(v->dig[1], nd, DIGEST_LEN, digest_cmp);
	while (i < ns || j < nd) {
		int c = i == ns ? 1 : j == nd ? -1 : memcmp(v->dig[0][i], v->dig[1][j], DIGEST_LEN);

		if (c == 0) {
			i++;
			j++;
			continue;
		}
		if (c < 0) {
			v->d->missing++;
			i++;
		} else {
			v->d->extra++;
			j++;
		}
		keep_key(v->d, NULL);
	}
}

static void verify_release(struct verify *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->rows[i].ckey);
		my_key_values_free(v->rows[i].key);
	}
	free(v->rows);
	free(v->slot);
	free(v->dig[0]);
	free(v->dig[1]);
	buf_release(&v->canon);
	buf_release(&v->ckey);
}

static int verify_run(struct verify *v, struct full_chunk *ch, struct err *err)
{
	const struct full_table *t = v->t;
	bool equal = false;

	/* Between MySQL servers, equal checksums settle the chunk at once. */
	if (!v->pg && full__checksum_equal(v->w, t, ch, &equal, err) < 0) {
		if (err->code != ERR_DB || full__retryable(err))
			return -1;
		err_clear(err);   /* e.g. a mix of collations: compare rows instead */
	}
	if (equal)
		return 0;
	if (read_source(v, ch, err) < 0)
		return -1;
	if (t->key)
		index_build(v);
	if (!t->key || !v->pg || t->key_ordered || ch->range.whole_table) {
		if (read_dst_range(v, ch, err) < 0)
			return -1;
	} else if (read_dst_keys(v, err) < 0) {
		return -1;
	}
	if (t->key)
		count_missing(v);
	else
		compare_digests(v);
	return 0;
}

int full__verify_chunk(struct full_worker *w, struct full_table *t, struct full_chunk *ch,
		       struct full_diff *d, struct err *err)
{
	struct verify v = { .w = w, .t = t, .d = d, .pg = w->opts->pg };
	int rc;

	memset(d, 0, sizeof(*d));
	buf_init(&v.canon, BUF_UNLIMITED);
	buf_init(&v.ckey, BUF_UNLIMITED);
	rc = verify_run(&v, ch, err);
	verify_release(&v);
	if (rc < 0) {
		full_diff_release(d);
		if (err->code != ERR_CANCELLED) {
			char *range = full__chunk_describe(t, ch);

			err_prefix(err, "verifying table %s, chunk %s", t->tkey, range);
			free(range);
		}
		return -1;
	}
	ch->diff = d->missing + d->extra + d->changed;
	return 0;
}

/* ---- repair --------------------------------------------------------------------------- */

static int dst_exec(struct full_worker *w, const char *sql, struct err *err)
{
	return w->opts->pg ? pg_query_value(w->dst_pg, sql, NULL, err)
			   : my_query(w->dst_my, sql, err);
}

/* Deletes the destination rows of keys[from..to), then copies those keys
 * from the source; *rows = rows written. */
static int repair_batch(struct full_worker *w, struct full_table *t,
			struct my_key_values *const *keys, size_t from, size_t to,
			int64_t *rows, struct err *err)
{
	struct buf q;
	size_t added = 0;
	int rc = -1;

	*rows = 0;
	buf_init(&q, SQL_MAX);
	if (buf_puts(&q, "DELETE FROM ") < 0 || full__dst_table_sql(w, t, &q) < 0 ||
	    buf_puts(&q, " WHERE ") < 0 || put_key_in(w, t, KEY_DST, keys, from, to, &q, &added) < 0)
		goto too_long;
	if (added && dst_exec(w, buf_cstr(&q), err) < 0)
		goto out;
	buf_reset(&q);
	if (full__src_select(t, &q) < 0 || buf_puts(&q, " WHERE ") < 0 ||
	    put_key_in(w, t, KEY_SRC, keys, from, to, &q, &added) < 0)
		goto too_long;
	rc = full__copy_select(w, t, buf_cstr(&q), rows, err);
	goto out;
too_long:
	err_set(err, ERR_TOO_LARGE, "table %s: key list too long", t->tkey);
out:
	buf_release(&q);
	return rc;
}

/* Keyless: empties the destination table and copies the whole table. */
static int repair_whole(struct full_worker *w, struct full_table *t, int64_t *fixed,
			struct err *err)
{
	struct buf q;
	int rc = -1;

	buf_init(&q, SQL_MAX);
	if (buf_puts(&q, "DELETE FROM ") < 0 || full__dst_table_sql(w, t, &q) < 0) {
		err_set(err, ERR_TOO_LARGE, "table %s: name too long", t->tkey);
		goto out;
	}
	if (dst_exec(w, buf_cstr(&q), err) < 0)
		goto out;
	buf_reset(&q);
	if (full__src_select(t, &q) < 0) {
		err_set(err, ERR_TOO_LARGE, "table %s: SELECT too long", t->tkey);
		goto out;
	}
	rc = full__copy_select(w, t, buf_cstr(&q), fixed, err);
out:
	buf_release(&q);
	return rc;
}

int full__repair_rows(struct full_worker *w, struct full_table *t, const struct full_diff *d,
		      int64_t *fixed, struct err *err)
{
	int rc = 0;

	*fixed = 0;
	if (!t->key) {
		if (d->missing + d->extra + d->changed > 0)
			rc = repair_whole(w, t, fixed, err);
	} else {
		for (size_t from = 0, to; rc == 0 && from < d->n_keys; from = to) {
			int64_t rows = 0;

			to = batch_end(d->keys, d->n_keys, from);
			rc = repair_batch(w, t, d->keys, from, to, &rows, err);
			*fixed += rows;
		}
	}
	if (rc < 0 && err->code != ERR_CANCELLED)
		err_prefix(err, "repairing table %s", t->tkey);
	return rc;
}
