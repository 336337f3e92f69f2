/*
 * my_read.c - the source reader of the full-data step: a consistent
 * snapshot and its binlog position, key-range chunk planning, and a
 * streaming SELECT per chunk (my_read.h).
 *
 * Threads: every function works on one connection owned by the calling
 * thread; nothing here is shared or global. Ownership: chunks and key
 * values are heap data owned by whoever holds the array returned by
 * my_chunks_plan() (freed with my_chunks_free); rows handed to a
 * callback belong to the client library and live until the callback
 * returns.
 *
 * Key bounds are kept as the text the server prints and sent back as
 * quoted string literals: MariaDB converts such a literal to the column's
 * type before comparing (exact for BIGINT UNSIGNED and DECIMAL(65)), and a
 * literal takes the column's collation, so the comparisons and ORDER BY
 * agree on one order. Binary keys are handled byte for byte.
 */
#include "engines/mysql/my_read.h"

#include <errmsg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

#define SQL_CAP (64u << 20)

/* ---- errors and small helpers ------------------------------------------- */

/* Converts the connection's last error; what names the statement's object. */
static void read_error(struct my_conn *c, const char *what, struct err *err)
{
	MYSQL *m = my_raw(c);
	unsigned no = mysql_errno(m);

	if (no == CR_SERVER_LOST || no == CR_SERVER_GONE_ERROR)
		err_set(err, ERR_CONNECT, "lost the connection to MySQL server %s while "
			"reading %s: %s (error %u)", my_target(c), what, mysql_error(m), no);
	else
		err_set(err, ERR_DB, "reading %s on MySQL server %s failed: %s (error %u, "
			"sqlstate %s)", what, my_target(c), mysql_error(m), no,
			mysql_sqlstate(m));
}


static int put_table(struct buf *out, const struct schema_table *t)
{
	if (t->schema && *t->schema && (my_quote_ident(out, t->schema) < 0 ||
					buf_putc(out, '.') < 0))
		return -1;
	return my_quote_ident(out, t->name);
}

static struct my_key_values *kv_new(MYSQL_ROW row, unsigned long *lengths, unsigned n)
{
	struct my_key_values *kv = xcalloc(1, sizeof(*kv));

	kv->n = n;
	kv->v = xcalloc(n, sizeof(*kv->v));
	kv->len = xcalloc(n, sizeof(*kv->len));
	for (unsigned i = 0; i < n; i++) {
		size_t len = row[i] ? lengths[i] : 0;

		kv->v[i] = xmalloc(len + 1);
		if (len)
			memcpy(kv->v[i], row[i], len);
		kv->v[i][len] = '\0';
		kv->len[i] = len;
	}
	return kv;
}

void my_key_values_free(struct my_key_values *kv)
{
	if (!kv)
		return;
	for (size_t i = 0; i < kv->n; i++)
		free(kv->v[i]);
	free(kv->v);
	free(kv->len);
	free(kv);
}

void my_chunks_free(struct my_chunk *chunks, size_t n)
{
	if (!chunks)
		return;
	for (size_t i = 0; i < n; i++) {
		my_key_values_free(chunks[i].lo);
		my_key_values_free(chunks[i].hi);
	}
	free(chunks);
}

/* ---- snapshot ------------------------------------------------------------- */

static int read_snapshot_pos(struct my_conn *c, struct my_binlog_pos *pos, struct err *err)
{
	struct my_rows *r = my_query_rows(c, "SHOW STATUS LIKE 'binlog_snapshot_%'", err);
	char *gtid = NULL;
	struct buf q;
	int rc = -1;

	if (!r)
		return -1;
	while (my_rows_next(r)) {
		const char *name = my_rows_get(r, 0), *v = my_rows_get(r, 1);

		if (!name || !v)
			continue;
		if (strcasecmp(name, "Binlog_snapshot_file") == 0)
			snprintf(pos->file, sizeof(pos->file), "%s", v);
		else if (strcasecmp(name, "Binlog_snapshot_position") == 0)
			pos->position = strtoull(v, NULL, 10);
	}
	my_rows_free(r);
	if (!pos->file[0]) {            /* no binlog, or not MariaDB */
		pos->position = 0;
		return 0;
	}
	/* @@gtid_binlog_pos would be read now, not at the snapshot; MariaDB
	 * maps the snapshot's file and offset to its GTID position itself. */
	buf_init(&q, 4096);
	if (buf_puts(&q, "SELECT BINLOG_GTID_POS(") < 0 ||
	    my_quote_literaln(c, &q, pos->file, strlen(pos->file)) < 0 ||
	    buf_printf(&q, ", %" PRIu64 ")", pos->position) < 0) {
		err_set(err, ERR_TOO_LARGE, "binlog file name too long");
		goto cleanup;
	}
	if (my_query_value(c, buf_cstr(&q), &gtid, err) < 0)
		goto cleanup;
	snprintf(pos->gtid, sizeof(pos->gtid), "%s", gtid ? gtid : "");
	rc = 0;
cleanup:
	free(gtid);
	buf_release(&q);
	return rc;
}

int my_snapshot_begin(struct my_conn *c, struct my_binlog_pos *pos, struct err *err)
{
	struct err ignored = { 0 };

	memset(pos, 0, sizeof(*pos));
	if (my_query(c, "SET SESSION time_zone = '+00:00'", err) < 0 ||
	    my_query(c, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", err) < 0)
		goto fail;
	if (my_query(c, "START TRANSACTION WITH CONSISTENT SNAPSHOT", err) < 0)
		goto fail;
	if (read_snapshot_pos(c, pos, err) < 0) {
		my_query(c, "ROLLBACK", &ignored);
		goto fail;
	}
	return 0;
fail:
	memset(pos, 0, sizeof(*pos));
	err_prefix(err, "cannot start a consistent snapshot");
	return -1;
}

/* ---- SQL building ----------------------------------------------------------- */

static int put_key_list(struct buf *out, const struct schema_index *key)
{
	for (size_t i = 0; i < key->n_parts; i++)
		if ((i && buf_putc(out, ',') < 0) || my_quote_ident(out, key->parts[i].column) < 0)
			return -1;
	return 0;
}

/* A key value: a string literal, or for a BIT column a hex number (0x0063):
 * MariaDB compares a BIT column with a string literal inconsistently, so a
 * range written with strings would lose rows. */
static int put_value(struct my_conn *c, struct buf *out, bool bit, const char *v, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	if (!bit)
		return my_quote_literaln(c, out, v, len);
	if (len == 0)
		return buf_puts(out, "0");
	if (buf_puts(out, "0x") < 0)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (buf_putc(out, hex[(unsigned char)v[i] >> 4]) < 0 ||
		    buf_putc(out, hex[(unsigned char)v[i] & 15]) < 0)
			return -1;
	return 0;
}

/* Which key parts are BIT columns of t (at most MY_KEY_PARTS_MAX parts). */
static void key_bits(const struct schema_table *t, const struct schema_index *key, bool *bits)
{
	for (size_t i = 0; i < key->n_parts && i < MY_KEY_PARTS_MAX; i++) {
		const struct schema_column *col = schema_find_column(t, key->parts[i].column);
		bits[i] = col && col->type == SCHEMA_T_BIT;
	}
}

/* (k1 OP v1 OR (k1 = v1 AND k2 OP v2) OR ...); the last term uses last_op.
 * For "key > v": op ">", last_op ">"; for "key <= v": op "<", last_op "<=". */
static int put_compare(struct my_conn *c, struct buf *out, const struct schema_index *key,
		       const bool *bits, const struct my_key_values *v, const char *op,
		       const char *last_op)
{
	if (key->n_parts > MY_KEY_PARTS_MAX || buf_putc(out, '(') < 0)
		return -1;
	for (size_t i = 0; i < key->n_parts; i++) {
		if (i && buf_puts(out, " OR ") < 0)
			return -1;
		if (buf_putc(out, '(') < 0)
			return -1;
		for (size_t j = 0; j <= i; j++) {
			const char *o = j < i ? "=" : i + 1 == key->n_parts ? last_op : op;

			if ((j && buf_puts(out, " AND ") < 0) ||
			    my_quote_ident(out, key->parts[j].column) < 0 ||
			    buf_printf(out, " %s ", o) < 0 ||
			    put_value(c, out, bits && bits[j], v->v[j], v->len[j]) < 0)
				return -1;
		}
		if (buf_putc(out, ')') < 0)
			return -1;
	}
	return buf_putc(out, ')');
}

/* " WHERE ... ORDER BY ..." for a ranged chunk (nothing for whole_table). */
static int put_range(struct my_conn *c, struct buf *out, const struct schema_index *key,
		     const bool *bits, const struct my_key_values *lo,
		     const struct my_key_values *hi)
{
	if (lo || hi) {
		if (buf_puts(out, " WHERE ") < 0)
			return -1;
		if (lo && put_compare(c, out, key, bits, lo, ">", ">") < 0)
			return -1;
		if (lo && hi && buf_puts(out, " AND ") < 0)
			return -1;
		if (hi && put_compare(c, out, key, bits, hi, "<", "<=") < 0)
			return -1;
	}
	if (buf_puts(out, " ORDER BY ") < 0)
		return -1;
	return put_key_list(out, key);
}

static bool bounds_fit(const struct schema_index *key, const struct my_chunk *ch)
{
	if (!key || key->n_parts == 0)
		return false;
	return (!ch->lo || ch->lo->n == key->n_parts) && (!ch->hi || ch->hi->n == key->n_parts);
}

static bool is_spatial(enum schema_type type)
{
	return type >= SCHEMA_T_GEOMETRY && type <= SCHEMA_T_GEOMETRYCOLLECTION;
}

int my_chunk_where_sql(struct my_conn *c, const struct schema_index *key, const bool *bits,
		       const struct my_chunk *ch, bool order_by, struct buf *sql,
		       struct err *err)
{
	int rc = 0;

	if (ch->whole_table)
		return 0;
	if (!bounds_fit(key, ch)) {
		err_set(err, ERR_INVALID, "chunk does not match its key");
		return -1;
	}
	if (order_by)
		rc = put_range(c, sql, key, bits, ch->lo, ch->hi);
	else if (ch->lo || ch->hi) {
		rc = buf_puts(sql, " WHERE ");
		if (rc == 0 && ch->lo)
			rc = put_compare(c, sql, key, bits, ch->lo, ">", ">");
		if (rc == 0 && ch->lo && ch->hi)
			rc = buf_puts(sql, " AND ");
		if (rc == 0 && ch->hi)
			rc = put_compare(c, sql, key, bits, ch->hi, "<", "<=");
	}
	if (rc < 0) {
		err_set(err, ERR_TOO_LARGE, "range condition of a chunk is too long");
		return -1;
	}
	return 0;
}


int my_chunk_select_sql(struct my_conn *c, const struct schema_table *t,
			const char *const *columns, size_t n_columns,
			const struct schema_index *key, const struct my_chunk *ch,
			struct buf *sql, struct err *err)
{
	int rc = 0;

	if (!ch->whole_table && !bounds_fit(key, ch)) {
		err_set(err, ERR_INVALID, "chunk of table \"%s\" does not match its key",
			t->name);
		err_detail(err, "a ranged chunk needs the key it was planned with");
		return -1;
	}
	if (n_columns == 0 && t->n_columns == 0) {
		err_set(err, ERR_INVALID, "no column to read from table \"%s\"", t->name);
		return -1;
	}
	buf_reset(sql);
	rc = buf_puts(sql, "SELECT ");
	for (size_t i = 0; rc == 0 && i < (n_columns ? n_columns : t->n_columns); i++) {
		const char *name = n_columns ? columns[i] : t->columns[i].name;
		const struct schema_column *col = schema_find_column(t, name);
		bool wkb = col && is_spatial(col->type);

		rc = (i && buf_putc(sql, ',') < 0) || (wkb && buf_puts(sql, "ST_AsWKB(") < 0) ||
		     my_quote_ident(sql, name) < 0 || (wkb && buf_putc(sql, ')') < 0) ? -1 : 0;
	}
	if (rc == 0)
		rc = buf_puts(sql, " FROM ") < 0 || put_table(sql, t) < 0 ? -1 : 0;
	if (rc == 0 && !ch->whole_table) {
		bool bits[MY_KEY_PARTS_MAX] = { false };
		key_bits(t, key, bits);
		rc = put_range(c, sql, key, bits, ch->lo, ch->hi);
	}
	if (rc < 0) {
		err_set(err, ERR_TOO_LARGE, "SELECT of table \"%s\" is too long", t->name);
		return -1;
	}
	return 0;
}

/* ---- streaming -------------------------------------------------------------- */

int my_chunk_stream(struct my_conn *c, const char *sql, my_row_fn on_row, void *arg,
		    struct err *err)
{
	MYSQL *m = my_raw(c);
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	int rc = -1;

	if (mysql_real_query(m, sql, (unsigned long)strlen(sql)) != 0)
		goto fail;
	res = mysql_use_result(m);
	if (!res) {
		if (mysql_errno(m))
			goto fail;
		return 0;               /* a statement without a result set */
	}
	while ((row = mysql_fetch_row(res))) {
		unsigned long *lengths = mysql_fetch_lengths(res);

		if (on_row(arg, row, lengths, mysql_num_fields(res)) != 0) {
			rc = 1;
			goto cleanup;
		}
	}
	if (mysql_errno(m))             /* broke in the middle of the result */
		goto fail;
	rc = 0;
	goto cleanup;
fail:
	read_error(c, "a chunk", err);
cleanup:
	if (res)
		mysql_free_result(res); /* reads and drops what is left */
	return rc;
}

/* ---- planning ----------------------------------------------------------------- */

struct boundary {
	struct my_key_values *kv;
};

static int take_boundary(void *arg, MYSQL_ROW row, unsigned long *lengths, unsigned n)
{
	struct boundary *b = arg;

	b->kv = kv_new(row, lengths, n);
	return 1;
}

/* The key of the (offset+1)-th row after `after` (NULL = from the start),
 * or *found NULL when there are not that many. */
static int next_boundary(struct my_conn *c, const struct schema_table *t,
			 const struct schema_index *key, const struct my_key_values *after,
			 int64_t offset, struct my_key_values **found, struct err *err)
{
	struct boundary b = { NULL };
	struct buf q;
	int rc = -1;

	bool bits[MY_KEY_PARTS_MAX] = { false };

	*found = NULL;
	key_bits(t, key, bits);
	buf_init(&q, SQL_CAP);
	if (buf_puts(&q, "SELECT ") < 0 || put_key_list(&q, key) < 0 ||
	    buf_puts(&q, " FROM ") < 0 || put_table(&q, t) < 0 ||
	    put_range(c, &q, key, bits, after, NULL) < 0 ||
	    buf_printf(&q, " LIMIT 1 OFFSET %" PRId64, offset) < 0) {
		err_set(err, ERR_TOO_LARGE, "key query of table \"%s\" is too long", t->name);
		goto cleanup;
	}
	if (my_chunk_stream(c, buf_cstr(&q), take_boundary, &b, err) < 0)
		goto cleanup;
	*found = b.kv;
	rc = 0;
cleanup:
	buf_release(&q);
	return rc;
}

static void add_chunk(struct my_chunk **a, size_t *n, size_t *cap, struct my_key_values *lo,
		      struct my_key_values *hi, bool whole)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*a = xrealloc(*a, *cap * sizeof(**a));
	}
	(*a)[*n].lo = lo;
	(*a)[*n].hi = hi;
	(*a)[*n].whole_table = whole;
	(*n)++;
}

static struct my_key_values *kv_copy(const struct my_key_values *kv)
{
	struct my_key_values *c;

	if (!kv)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->n = kv->n;
	c->v = xcalloc(kv->n, sizeof(*c->v));
	c->len = xcalloc(kv->n, sizeof(*c->len));
	for (size_t i = 0; i < kv->n; i++) {
		c->v[i] = xmalloc(kv->len[i] + 1);
		memcpy(c->v[i], kv->v[i], kv->len[i] + 1);
		c->len[i] = kv->len[i];
	}
	return c;
}

/* Walks the key: each boundary closes one chunk; what is left after the
 * last boundary becomes the open-ended last chunk. Chunk i's hi and chunk
 * i+1's lo are separate copies of the same boundary. */
static int walk_key(struct my_conn *c, const struct schema_table *t,
		    const struct schema_index *key, int64_t target_rows,
		    struct my_chunk **a, size_t *n, size_t *cap, struct err *err)
{
	const struct my_key_values *last = NULL;   /* owned by the array */
	struct my_key_values *b = NULL, *rest = NULL;

	for (;;) {
		if (next_boundary(c, t, key, last, target_rows - 1, &b, err) < 0)
			return -1;
		if (!b)
			break;
		add_chunk(a, n, cap, kv_copy(last), b, false);
		last = b;
	}
	/* No full chunk left: is there any row after the last boundary? */
	if (next_boundary(c, t, key, last, 0, &rest, err) < 0)
		return -1;
	if (rest) {
		my_key_values_free(rest);
		add_chunk(a, n, cap, kv_copy(last), NULL, false);
	} else if (*n) {
		my_key_values_free((*a)[*n - 1].hi);
		(*a)[*n - 1].hi = NULL; /* the last chunk is open-ended */
	}
	return 0;
}

int my_chunks_plan(struct my_conn *c, const struct schema_table *t,
		   const struct schema_index *key, int64_t target_rows,
		   struct my_chunk **out, size_t *n, struct err *err)
{
	struct my_chunk *a = NULL;
	size_t cnt = 0, cap = 0;

	*out = NULL;
	*n = 0;
	if (!t->name || !*t->name) {
		err_set(err, ERR_INVALID, "cannot plan chunks of a table without a name");
		return -1;
	}
	if (target_rows < 1) {
		err_param(err, ERR_INVALID, "target_rows", "chunk size %" PRId64 " of table "
			  "\"%s\" is not positive", target_rows, t->name);
		return -1;
	}
	if (!key || key->n_parts == 0) {
		add_chunk(&a, &cnt, &cap, NULL, NULL, true);
	} else if (walk_key(c, t, key, target_rows, &a, &cnt, &cap, err) < 0) {
		my_chunks_free(a, cnt);
		err_prefix(err, "cannot plan chunks of table \"%s\"", t->name);
		return -1;
	}
	*out = a;
	*n = cnt;
	return 0;
}
