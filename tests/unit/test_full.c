/*
 * test_full.c - unit tests of the full-data step's pure parts (steps/full_*):
 * the chunk plan as checkpoint text, descriptions of chunks and row keys,
 * the Reserve options, the throttle's rate, and the reader/writer pipe.
 * The copy and the verification are tested on real servers
 * (tests/integration/test_full_*.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "steps/full_internal.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

/* ---- a table with a composite key (id INT, name VARCHAR) ------------------ */

struct fixture {
	struct schema_column cols[3];
	struct schema_index_part parts[2];
	struct schema_index key;
	struct schema_table st;
	struct schema_resolved r;
	struct full_col fcols[3];
	size_t key_col[2];
	struct full_table t;
};

static void fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->cols[0] = (struct schema_column){ .name = (char *)"id", .type = SCHEMA_T_INT };
	f->cols[1] = (struct schema_column){ .name = (char *)"name", .type = SCHEMA_T_VARCHAR };
	f->cols[2] = (struct schema_column){ .name = (char *)"data", .type = SCHEMA_T_BLOB };
	f->parts[0].column = (char *)"id";
	f->parts[1].column = (char *)"name";
	f->key = (struct schema_index){ .name = (char *)"PRIMARY", .primary = true,
					.parts = f->parts, .n_parts = 2 };
	f->st = (struct schema_table){ .schema = (char *)"db", .name = (char *)"t",
				       .columns = f->cols, .n_columns = 3,
				       .indexes = &f->key, .n_indexes = 1 };
	f->r.table = &f->st;
	for (int i = 0; i < 3; i++)
		f->fcols[i].src = &f->cols[i];
	f->key_col[0] = 0;
	f->key_col[1] = 1;
	f->t = (struct full_table){ .r = &f->r, .t = &f->st, .key = &f->key,
				    .tkey = (char *)"db.t", .cols = f->fcols, .n_cols = 3,
				    .key_col = f->key_col };
}

static struct my_key_values *kv2(const char *a, const char *b, size_t blen)
{
	struct my_key_values *kv = xcalloc(1, sizeof(*kv));

	kv->n = 2;
	kv->v = xcalloc(2, sizeof(char *));
	kv->len = xcalloc(2, sizeof(size_t));
	kv->v[0] = xstrdup(a);
	kv->len[0] = strlen(a);
	kv->v[1] = xmalloc(blen + 1);
	memcpy(kv->v[1], b, blen);
	kv->v[1][blen] = '\0';
	kv->len[1] = blen;
	return kv;
}

static void free_chunks(struct full_table *t)
{
	for (size_t i = 0; i < t->n_chunks; i++) {
		my_key_values_free(t->chunks[i].range.lo);
		my_key_values_free(t->chunks[i].range.hi);
	}
	free(t->chunks);
	t->chunks = NULL;
	t->n_chunks = 0;
}

static void test_plan_round_trip(void **state)
{
	struct fixture f;
	struct err err = { 0 };
	char *text, *again;

	(void)state;
	fixture_init(&f);
	f.t.n_chunks = 3;
	f.t.chunks = xcalloc(3, sizeof(*f.t.chunks));
	f.t.chunks[0].range.hi = kv2("10", "a\0b,c", 5);         /* NUL and comma inside */
	f.t.chunks[1].range.lo = kv2("10", "a\0b,c", 5);
	f.t.chunks[1].range.hi = kv2("-7", "", 0);               /* empty string value */
	f.t.chunks[2].range.lo = kv2("-7", "", 0);
	text = full__plan_encode(&f.t);
	free_chunks(&f.t);
	assert_int_equal(full__plan_decode(&f.t, text, &err), 0);
	assert_int_equal(f.t.n_chunks, 3);
	assert_true(f.t.planned);
	assert_null(f.t.chunks[0].range.lo);
	assert_null(f.t.chunks[2].range.hi);
	assert_int_equal(f.t.chunks[0].range.hi->len[1], 5);
	assert_memory_equal(f.t.chunks[0].range.hi->v[1], "a\0b,c", 5);
	assert_int_equal(f.t.chunks[1].range.hi->len[1], 0);
	assert_string_equal(f.t.chunks[2].range.lo->v[0], "-7");
	assert_int_equal(f.t.chunks[1].diff, -1);
	again = full__plan_encode(&f.t);
	assert_string_equal(text, again);
	free(again);
	free(text);
	free_chunks(&f.t);
}

static void test_plan_decode_rejects_other_tables(void **state)
{
	struct fixture f;
	struct err err = { 0 };
	const char *bad[] = {
		"",                                             /* nothing */
		"opendts-chunks-1 1 1\nR - -\n",                /* key has 2 parts */
		"opendts-chunks-9 1 2\nR - -\n",                /* unknown version */
		"opendts-chunks-1 2 2\nR - -\n",                /* a chunk missing */
		"opendts-chunks-1 1 2\nR 3z,41 -\n",            /* not hex */
		"opendts-chunks-1 1 2\nR 31 -\n",               /* one value for two parts */
		"opendts-chunks-1 1 2\nX\n",                    /* unknown line */
	};

	(void)state;
	fixture_init(&f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		if (full__plan_decode(&f.t, bad[i], &err) != -1)
			fail_msg("plan %zu accepted", i);
		assert_int_equal(err.code, ERR_INVALID);
		assert_non_null(strstr(err.msg, "db.t"));
		assert_int_equal(f.t.n_chunks, 0);
	}
	/* A keyless table: one whole-table chunk. */
	f.t.key = NULL;
	assert_int_equal(full__plan_decode(&f.t, "opendts-chunks-1 1 0\nW\n", &err), 0);
	assert_true(f.t.chunks[0].range.whole_table);
	free_chunks(&f.t);
}

static void test_describe(void **state)
{
	struct fixture f;
	struct full_chunk ch = { 0 };
	char *row[3] = { (char *)"42", (char *)"o'k", (char *)"\x01\x02" };
	unsigned long len[3] = { 2, 3, 2 };
	char *s;

	(void)state;
	fixture_init(&f);
	ch.range.lo = kv2("1", "a", 1);
	ch.range.hi = kv2("9", "\x01z", 2);
	s = full__chunk_describe(&f.t, &ch);
	assert_string_equal(s, "key (id,name) > (1,'a') and <= (9,0x017a)");
	free(s);
	s = full__row_key_describe(&f.t, row, len);
	assert_string_equal(s, "(id,name)=(42,'o'k')");
	free(s);
	s = full__key_describe(&f.t, ch.range.hi);
	assert_string_equal(s, "(id,name)=(9,0x017a)");
	free(s);
	my_key_values_free(ch.range.lo);
	my_key_values_free(ch.range.hi);
	/* Keyless: the whole row identifies it. */
	f.t.key = NULL;
	ch = (struct full_chunk){ .range.whole_table = true };
	s = full__chunk_describe(&f.t, &ch);
	assert_non_null(strstr(s, "whole table"));
	free(s);
	row[1] = NULL;
	s = full__row_key_describe(&f.t, row, len);
	assert_string_equal(s, "(id,name,data)=(42,NULL,0x0102)");
	free(s);
}

/* ---- options ---------------------------------------------------------------- */

static int opts_of(const char *reserve, struct full_opts *o, struct err *err)
{
	static atomic_bool cancel;
	struct meta_job job = { 0 };
	struct step_ctx ctx = { .job = &job, .cancel = &cancel, .workers = 3 };

	job.reserve = (char *)reserve;
	job.dst.engine = (char *)"PostgreSQL";
	return full__opts_read(&ctx, o, err);
}

static void test_opts(void **state)
{
	struct full_opts o;
	struct err err = { 0 };

	(void)state;
	assert_int_equal(opts_of("", &o, &err), 0);
	assert_true(o.pg);
	assert_int_equal(o.chunk_rows, 50000);
	assert_int_equal(o.workers, 3);
	assert_true(o.verify);
	assert_false(o.repair);
	assert_true(o.dst_binlog);
	assert_int_equal(o.retry_s, 720 * 60);
	assert_int_equal(o.max_rows_s, 0);
	assert_int_equal(opts_of("{\"opendts.full.chunkRows\":\"1000\",\"opendts.full.workers\":8,"
				 "\"opendts.full.verify\":false,\"opendts.full.repair\":\"true\","
				 "\"maxRetryTime\":\"15\",\"dts.datamove.source.rps.max\":\"5000\","
				 "\"opendts.full.destBinlog\":\"false\","
				 "\"fullDynamicConfig\":{\"dts.datamove.source.bps.max\":1048576}}",
				 &o, &err), 0);
	assert_int_equal(o.chunk_rows, 1000);
	assert_int_equal(o.workers, 8);
	assert_false(o.verify);
	assert_true(o.repair);
	assert_false(o.dst_binlog);
	assert_int_equal(o.retry_s, 900);
	assert_int_equal(o.max_rows_s, 5000);
	assert_int_equal(o.max_bytes_s, 1048576);
	/* fullDynamicConfig as a JSON text, the retry window in seconds. */
	assert_int_equal(opts_of("{\"fullDynamicConfig\":\"{\\\"dts.datamove.source.rps.max\\\":7}\","
				 "\"opendts.full.retrySeconds\":\"5\"}", &o, &err), 0);
	assert_int_equal(o.max_rows_s, 7);
	assert_int_equal(o.retry_s, 5);
	const char *bad[] = { "{\"opendts.full.chunkRows\":\"0\"}", "{\"opendts.full.chunkRows\":\"1e3\"}",
			      "{\"opendts.full.verify\":\"maybe\"}", "{\"maxRetryTime\":\"5\"}",
			      "{\"dts.datamove.source.rps.max\":\"-1\"}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		if (opts_of(bad[i], &o, &err) != -1)
			fail_msg("Reserve %s accepted", bad[i]);
		assert_string_equal(err.param, "Reserve");
	}
}

/* ---- throttle ------------------------------------------------------------------ */

static void test_throttle_rate(void **state)
{
	struct full_throttle *th = full__throttle_new(2000, 0);
	atomic_bool cancel = false;
	int64_t t0 = time_mono_ms(), took;

	(void)state;
	assert_null(full__throttle_new(0, 0));
	/* 3,000 rows at 2,000 rows/s from an empty bucket: about 1.5 s. */
	for (int i = 0; i < 30; i++)
		full__throttle_take(th, 100, 0, &cancel);
	took = time_mono_ms() - t0;
	if (took < 1300 || took > 2500)
		fail_msg("3000 rows at 2000 rows/s took %lld ms", (long long)took);
	/* A cancel ends the wait at once. */
	atomic_store(&cancel, true);
	t0 = time_mono_ms();
	full__throttle_take(th, 100000, 0, &cancel);
	assert_true(time_mono_ms() - t0 < 300);
	full__throttle_free(th);
}

/* ---- pipe ------------------------------------------------------------------------ */

static void *consume(void *arg)
{
	struct full_pipe *p = arg;
	char *vals[2];
	unsigned long lens[2];
	intptr_t rows = 0;
	struct buf *b;

	while ((b = full__pipe_pop(p))) {
		for (size_t off = 0; off < b->len; rows++) {
			off = full__batch_get_row(b, off, 2, vals, lens);
			if (rows % 2 == 1 && vals[1] != NULL)
				BUG("row %ld: NULL lost", (long)rows);
			if (rows % 2 == 0 && (lens[1] != 3 || memcmp(vals[1], "a\0b", 3)))
				BUG("row %ld: bytes changed", (long)rows);
		}
		full__batch_free(b);
	}
	return (void *)rows;
}

static void test_pipe(void **state)
{
	struct full_pipe *p = full__pipe_new(2);
	pthread_t tid;
	void *got;

	(void)state;
	pthread_create(&tid, NULL, consume, p);
	for (int i = 0; i < 100; i++) {
		struct buf *b = full__batch_new();
		for (int r = 0; r < 10; r++) {
			char *row[2] = { (char *)"1", r % 2 ? NULL : (char *)"a\0b" };
			unsigned long len[2] = { 1, 3 };
			full__batch_put_row(b, row, len, 2);
		}
		assert_int_equal(full__pipe_push(p, b), 0);
	}
	full__pipe_finish(p);
	pthread_join(tid, &got);
	assert_int_equal((intptr_t)got, 1000);
	full__pipe_free(p);
	/* The consumer aborts: the producer's push fails instead of blocking. */
	p = full__pipe_new(1);
	assert_int_equal(full__pipe_push(p, full__batch_new()), 0);
	full__pipe_abort(p);
	assert_true(full__pipe_aborted(p));
	assert_int_equal(full__pipe_push(p, full__batch_new()), -1);
	assert_null(full__pipe_pop(p));
	full__pipe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_round_trip),
		cmocka_unit_test(test_plan_decode_rejects_other_tables),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_throttle_rate),
		cmocka_unit_test(test_pipe),
	};
	return cmocka_run_group_tests_name("full", tests, NULL, NULL);
}
