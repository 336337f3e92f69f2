/*
 * schema_exec.c - runs the schema step's DDL on the destination: a pool of
 * worker threads, each with its own destination connection, takes the
 * objects of one wave; the step's thread (schema__pool_run) lets workers
 * take objects only after recording them Migrating, a few at a time, and
 * records the outcomes in batches as they come back (one metastore
 * transaction per batch, on the step's thread only).
 *
 * Session settings of a worker connection:
 *  - MySQL/MariaDB: SCHEMA_MY_SESSION_SETUP of schema/ddl.h, the session
 *    the MySQL renderer writes for (sql_mode STRICT_ALL_TABLES,
 *    NO_ENGINE_SUBSTITUTION: strict so nothing is truncated, zero-date
 *    defaults still accepted, a missing engine fails the table instead of
 *    silently becoming another; time_zone '+00:00' because the catalog
 *    reader gives TIMESTAMP defaults in UTC; explicit_defaults_for_timestamp),
 *    plus NAMES utf8mb4 and foreign_key_checks 0 (a FK may name a table
 *    created by another worker). Routines and triggers carry their own
 *    "SET SESSION sql_mode" around their CREATE (the mode they were created
 *    under on the source); when such an object fails half-way the worker
 *    sets the step's sql_mode back before the next object.
 *  - PostgreSQL: client_min_messages warning (no NOTICE lines on dtsd's
 *    stderr), check_function_bodies off (as pg_dump: a function may call
 *    one created later), TimeZone UTC (timestamptz literals), search_path
 *    = the object's destination schema only (pg_catalog is implied), and
 *    an object of several statements runs in one transaction, so it is
 *    created whole or not at all.
 *
 * Threads: pool fields marked (mu) are guarded by mu. A worker owns its
 * connection and, between taking an object and handing it back under mu,
 * that object's outcome fields.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engines/mysql/my.h"
#include "engines/pg/pg.h"
#include "steps/schema_internal.h"
#include "steps/source.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define BATCH_MAX 64          /* outcomes recorded per metastore transaction */
#define BATCH_WAIT_MS 100     /* ... or after this long */
#define CANCEL_POLL_MS 100    /* how often the step's thread looks at ctx->cancel */

struct worker {
	struct schema_pool *pool;
	pthread_t thread;
	bool started;
	struct my_conn *my;
	struct pg_conn *pg;
	char *search_path;     /* PostgreSQL: the schema set on the session */
};

struct schema_pool {
	const struct step_ctx *ctx;
	struct schema_plan *plan;
	pthread_mutex_t mu;
	pthread_cond_t cv_work;        /* workers: objects released, or quit */
	pthread_cond_t cv_done;        /* step thread: outcomes, idle, or fatal */
	const size_t *queue;           /* (mu) the wave's objects */
	size_t n_queue;                /* (mu) */
	size_t next;                   /* (mu) the next one to take */
	size_t limit;                  /* (mu) workers take only below this */
	size_t *finished;              /* (mu) outcomes not recorded yet */
	size_t n_finished;             /* (mu) */
	size_t running;                /* (mu) objects a worker holds */
	bool stopping;                 /* (mu) cancelled or failed: release nothing more */
	bool quit;                     /* (mu) workers exit */
	bool fatal;                    /* (mu) a worker lost the destination */
	struct err fatal_err;          /* (mu) why */
	struct worker *w;
	size_t n_w;
};

/* ---- destination sessions --------------------------------------------------- */

static int run_sql(struct worker *w, const char *sql, struct err *err)
{
	return w->pg ? pg_query_value(w->pg, sql, NULL, err) : my_query(w->my, sql, err);
}

static void disconnect(struct worker *w)
{
	my_close(w->my);
	pg_close(w->pg);
	w->my = NULL;
	w->pg = NULL;
	free(w->search_path);
	w->search_path = NULL;
}

static int connect_worker(struct worker *w, struct err *err)
{
	static const char *const my_set[] = {
		"SET NAMES utf8mb4", "SET SESSION foreign_key_checks = 0",
		SCHEMA_MY_SESSION_SETUP, NULL,
	};
	static const char *const pg_set[] = {
		"SET client_min_messages = warning", "SET check_function_bodies = off",
		"SET TIME ZONE 'UTC'", "SET search_path = pg_catalog", NULL,
	};
	const struct step_ctx *ctx = w->pool->ctx;
	int t = step__timeout_s(ctx);

	disconnect(w);
	if (w->pool->plan->pg)
		w->pg = step__connect_pg(&ctx->job->dst, t, err);
	else
		w->my = step__connect_my(&ctx->job->dst, t, err);
	if (!w->pg && !w->my)
		return -1;
	for (const char *const *s = w->pg ? pg_set : my_set; *s; s++)
		if (run_sql(w, *s, err) < 0) {
			err_prefix(err, "setting up the destination session");
			disconnect(w);
			return -1;
		}
	w->search_path = xstrdup("");
	return 0;
}

/* PostgreSQL: names resolve in the object's own schema. */
static int session_for(struct worker *w, const struct schema_obj *o, struct err *err)
{
	struct buf q;
	int rc;

	if (!w->pg || strcmp(w->search_path, o->dst_schema) == 0)
		return 0;
	buf_init(&q, BUF_UNLIMITED);
	buf_puts(&q, "SET search_path = ");
	pg_quote_ident(&q, o->dst_schema);
	rc = run_sql(w, buf_cstr(&q), err);
	buf_release(&q);
	if (rc < 0)
		return -1;
	free(w->search_path);
	w->search_path = xstrdup(o->dst_schema);
	return 0;
}

/* ---- running one object ------------------------------------------------------ */

/* The last occurrence of needle in s, or NULL. */
static const char *last_of(const char *s, const char *needle)
{
	const char *hit = NULL;

	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		hit = p;
	return hit;
}

/* The destination's own text in an engines/ error, e.g. "Table 'customer'
 * already exists" out of "query on MySQL server h:p failed: Table
 * 'customer' already exists (error 1050, sqlstate 42S01)"; other errors
 * (lost connection, timeout) whole. */
static void server_text(const struct err *e, char *out, size_t n)
{
	const char *s = strstr(e->msg, " failed: ");
	const char *end;

	if (e->code != ERR_DB || !s) {
		str_copy(out, n, e->msg);
		return;
	}
	s += strlen(" failed: ");
	end = last_of(s, " (error ");
	if (!end)
		end = last_of(s, " (sqlstate ");
	if (!end)
		end = s + strlen(s);
	snprintf(out, n, "%.*s", (int)(end - s), s);
}

/* True when the statement failed because the object already exists. */
static bool exists_error(const struct err *e)
{
	static const char *const marks[] = {
		"(error 1007,", "(error 1050,", "(error 1061,", "(error 1304,", "(error 1359,",
		"(error 1826,", "(sqlstate 42P07)", "(sqlstate 42710)", "(sqlstate 42723)",
		"(sqlstate 42P06)", NULL,
	};

	if (e->code != ERR_DB)
		return false;
	for (const char *const *m = marks; *m; m++)
		if (strstr(e->msg, *m))
			return true;
	/* InnoDB: a FK name in use is "Can't create table ... (errno: 121 ...)". */
	return strstr(e->msg, "(error 1005,") && strstr(e->msg, "errno: 121");
}

static void outcome_error(struct schema_obj *o, const char *stmt, const struct err *e)
{
	char text[sizeof(e->msg)];
	char *msg;

	server_text(e, text, sizeof(text));
	/* Recorded Migrating by an earlier run that stopped before recording
	 * the outcome, and not in the destination before the step first ran:
	 * the earlier run created it. */
	if (exists_error(e) && o->in_doubt && !o->preexisting) {
		o->state = SCHEMA_S_SUCCESS;
		schema__obj_log(o, "INFO", stmt, "already in the destination: created before "
				"dtsd stopped, found when the step resumed (%s)", text);
		return;
	}
	msg = xasprintf("DTS-1020042 Execute sql error sql: %s", text);
	schema__obj_fail(o, text, stmt, msg);
	free(msg);
}

static void exec_object(struct worker *w, struct schema_obj *o)
{
	bool tx = w->pg && o->ddl.n_stmts > 1, began = false;
	const char *failed = NULL;
	struct err e = { 0 }, ignored = { 0 };

	o->boot_ms = time_now_ms();
	if (!w->my && !w->pg && connect_worker(w, &e) < 0)
		failed = "(connecting)";
	else if (session_for(w, o, &e) < 0)
		failed = "(session settings)";
	else if (tx && !(began = run_sql(w, "BEGIN", &e) == 0))
		failed = "BEGIN";
	for (size_t i = 0; !failed && i < o->ddl.n_stmts; i++)
		if (run_sql(w, o->ddl.stmts[i], &e) < 0)
			failed = o->ddl.stmts[i];
	if (began && failed && e.code == ERR_DB)
		run_sql(w, "ROLLBACK", &ignored);
	else if (w->my && failed && e.code == ERR_DB && o->ddl.n_stmts > 1)
		run_sql(w, "SET SESSION sql_mode = '" SCHEMA_MY_SQL_MODE "'", &ignored);
	else if (began && !failed && run_sql(w, "COMMIT", &e) < 0)
		failed = "COMMIT";
	o->finish_ms = time_now_ms();
	if (failed)
		outcome_error(o, failed, &e);
	else
		o->state = SCHEMA_S_SUCCESS;
	/* A lost or timed-out connection is unusable: open a new one. */
	if (failed && e.code != ERR_DB)
		disconnect(w);
}

/* ---- units: one statement for several objects of a MySQL table -------------- *
 *
 * A unit is either a table with its indexes (schema-only jobs: the keys go
 * into the CREATE TABLE) or several indexes or FKs of one table (one ALTER
 * TABLE ... ADD a, ADD b). InnoDB builds several indexes in one pass (after
 * the full data it scans or rebuilds the table once instead of once per
 * index), and one DDL instead of three is what makes 2,000 tables fit in
 * the 30 s on MariaDB. Keys keep their catalog order, which is the
 * order MariaDB gives them in both forms. */

/* Appends to out what follows the "ALTER TABLE `db`.`t` ADD " head of each
 * object from first on, each after sep (the first one too with
 * sep_first); false when an object is not one statement with that head. */
static bool append_adds(const struct schema_obj *objs, size_t first, const char *sep,
			bool sep_first, struct buf *out)
{
	const struct schema_obj *f = &objs[first];
	struct buf pre;
	bool ok = true;

	buf_init(&pre, BUF_UNLIMITED);
	buf_puts(&pre, "ALTER TABLE ");
	my_quote_ident(&pre, f->dst_schema);
	buf_putc(&pre, '.');
	my_quote_ident(&pre, objs[f->table].name);
	buf_puts(&pre, " ADD ");
	for (size_t i = first; ok && i != SCHEMA_NONE; i = objs[i].unit_next) {
		const struct schema_obj *o = &objs[i];

		ok = o->ddl.n_stmts == 1 && strncmp(o->ddl.stmts[0], buf_cstr(&pre), pre.len) == 0;
		if (!ok)
			break;
		if (i != first || sep_first)
			buf_puts(out, sep);
		buf_puts(out, o->ddl.stmts[0] + pre.len);
	}
	buf_release(&pre);
	return ok;
}

/* The one statement of a unit, or NULL when it cannot be merged. */
static char *merged_sql(const struct schema_obj *objs, size_t head)
{
	const struct schema_obj *h = &objs[head];
	const char *sql = h->ddl.n_stmts == 1 ? h->ddl.stmts[0] : NULL;
	const char *end;
	struct buf out;

	buf_init(&out, BUF_UNLIMITED);
	if (h->kind != SCHEMA_K_TABLE && h->table != SCHEMA_NONE) {
		buf_puts(&out, "ALTER TABLE ");
		my_quote_ident(&out, h->dst_schema);
		buf_putc(&out, '.');
		my_quote_ident(&out, objs[h->table].name);
		buf_puts(&out, " ADD ");
		if (append_adds(objs, head, ", ADD ", false, &out))
			return buf_take(&out);
	} else if (sql && (end = last_of(sql, "\n) ENGINE="))) {
		/* The keys go after the columns, before the table options
		 * (literals there never hold a raw newline). */
		buf_append(&out, sql, (size_t)(end - sql));
		if (append_adds(objs, h->unit_next, ",\n  ", true, &out)) {
			buf_puts(&out, end);
			return buf_take(&out);
		}
	}
	buf_release(&out);
	return NULL;
}

/* Runs a MySQL unit as one statement; false when it could not (the caller
 * then runs each object alone, so each gets its own outcome). */
static bool exec_merged(struct worker *w, struct schema_obj *objs, size_t head)
{
	char *sql = merged_sql(objs, head);
	int64_t t0 = time_now_ms();
	struct err e = { 0 };
	size_t n = 0;

	if (!sql)
		return false;
	if (run_sql(w, sql, &e) < 0) {
		if (e.code != ERR_DB)
			disconnect(w);
		free(sql);
		return false;
	}
	for (size_t i = head; i != SCHEMA_NONE; i = objs[i].unit_next)
		n++;
	for (size_t i = head; i != SCHEMA_NONE; i = objs[i].unit_next) {
		struct schema_obj *o = &objs[i];

		o->boot_ms = t0;
		o->finish_ms = time_now_ms();
		o->state = SCHEMA_S_SUCCESS;
		free(o->ddl_text);
		o->ddl_text = xasprintf("%s;", sql);
		if (o->kind == SCHEMA_K_TABLE)
			schema__obj_log(o, "INFO", o->name, "created with its %zu index(es) in one "
					"CREATE TABLE", n - 1);
		else if (objs[head].kind == SCHEMA_K_TABLE)
			schema__obj_log(o, "INFO", o->parent, "created with table %s in its CREATE "
					"TABLE", o->parent);
		else
			schema__obj_log(o, "INFO", o->parent, "created in one ALTER TABLE with %zu "
					"other object(s) of table %s", n - 1, o->parent);
	}
	free(sql);
	return true;
}

static void exec_unit(struct worker *w, struct schema_obj *objs, size_t head)
{
	const struct schema_obj *h = &objs[head];

	if (h->unit_next != SCHEMA_NONE && w->my && exec_merged(w, objs, head))
		return;
	for (size_t i = head; i != SCHEMA_NONE; i = objs[i].unit_next) {
		/* Never an index on a table that this unit failed to create (it
		 * may be someone else's table of the same name). */
		if (i != head && h->kind == SCHEMA_K_TABLE && h->state != SCHEMA_S_SUCCESS) {
			char *msg = xasprintf("not created: its table %s.%s was not created (see "
					      "that item)", h->dst_schema, h->name);
			objs[i].boot_ms = objs[i].finish_ms = time_now_ms();
			schema__obj_fail(&objs[i], "its table was not created", NULL, msg);
			free(msg);
			continue;
		}
		exec_object(w, &objs[i]);
	}
}

/* ---- workers ------------------------------------------------------------------ */

static void set_fatal(struct schema_pool *p, const struct err *e)
{
	if (!p->fatal) {
		p->fatal = true;
		p->fatal_err = *e;
	}
	pthread_cond_broadcast(&p->cv_done);
	pthread_cond_broadcast(&p->cv_work);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct schema_pool *p = w->pool;
	struct err e = { 0 };
	bool ok = connect_worker(w, &e) == 0;

	pthread_mutex_lock(&p->mu);
	if (!ok)
		set_fatal(p, &e);
	while (ok) {
		while (!p->quit && !p->fatal && p->next >= p->limit)
			pthread_cond_wait(&p->cv_work, &p->mu);
		if (p->quit || p->fatal)
			break;
		size_t i = p->queue[p->next++];
		p->running++;
		pthread_mutex_unlock(&p->mu);
		exec_unit(w, p->plan->objs, i);
		ok = w->my || w->pg || connect_worker(w, &e) == 0;
		pthread_mutex_lock(&p->mu);
		for (; i != SCHEMA_NONE; i = p->plan->objs[i].unit_next)
			p->finished[p->n_finished++] = i;
		p->running--;
		if (!ok)
			set_fatal(p, &e);
		pthread_cond_signal(&p->cv_done);
	}
	pthread_mutex_unlock(&p->mu);
	disconnect(w);
	return NULL;
}

struct schema_pool *schema__pool_start(const struct step_ctx *ctx, struct schema_plan *plan,
				       size_t max_objects)
{
	struct schema_pool *p = xcalloc(1, sizeof(*p));
	pthread_condattr_t ca;
	size_t started = 0;

	p->ctx = ctx;
	p->plan = plan;
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv_done, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&p->cv_work, NULL);
	p->n_w = ctx->workers ? ctx->workers : 1;
	if (max_objects && p->n_w > max_objects)
		p->n_w = max_objects;
	p->w = xcalloc(p->n_w, sizeof(*p->w));
	for (size_t i = 0; i < p->n_w; i++) {
		p->w[i].pool = p;
		p->w[i].started = pthread_create(&p->w[i].thread, NULL, worker_main, &p->w[i]) == 0;
		started += p->w[i].started;
	}
	if (!started) {
		struct err e = { 0 };

		err_set(&e, ERR_INTERNAL, "cannot start a worker thread for the schema step");
		set_fatal(p, &e);
	}
	return p;
}

void schema__pool_stop(struct schema_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->n_w; i++)
		if (p->w[i].started)
			pthread_join(p->w[i].thread, NULL);
	free(p->w);
	free(p->finished);
	pthread_cond_destroy(&p->cv_work);
	pthread_cond_destroy(&p->cv_done);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* ---- the step's side of a wave ------------------------------------------------ */

static bool want_release(const struct schema_pool *p)
{
	return !p->stopping && p->limit < p->n_queue && p->limit - p->next < 2 * p->n_w;
}

static bool idle(const struct schema_pool *p)
{
	return p->next == p->limit && p->running == 0;
}

/* Waits (mu held) until there is something to do for the step's thread. */
static void wait_event(struct schema_pool *p, int64_t deadline)
{
	for (;;) {
		int64_t now = time_mono_ms(), until = now + CANCEL_POLL_MS;
		struct timespec ts;

		if (want_release(p) || idle(p) || p->n_finished >= BATCH_MAX ||
		    (p->n_finished && now >= deadline) ||
		    (!p->stopping && (p->fatal || step_cancelled(p->ctx))))
			return;
		if (p->n_finished && deadline < until)
			until = deadline;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (until - now) / 1000;
		ts.tv_nsec += (long)((until - now) % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->cv_done, &p->mu, &ts);
	}
}

struct wave {
	const size_t *idx;      /* the units' first objects */
	size_t n;
	size_t members;         /* objects in all units */
	bool defer;
	size_t *batch;          /* indexes to record this round */
	size_t nb;
	size_t *deferred;
	size_t n_deferred;
};

/* Under mu: takes the outcomes, and on a stop gives back what no worker
 * took (NotStarted again); returns how many objects to release now. */
static size_t collect(struct schema_pool *p, struct wave *wv)
{
	size_t chunk = 4 * p->n_w > 8 ? 4 * p->n_w : 8;

	for (size_t k = 0; k < p->n_finished; k++) {
		size_t i = p->finished[k];

		if (wv->defer && p->plan->objs[i].state == SCHEMA_S_FAILED)
			wv->deferred[wv->n_deferred++] = i;
		else
			wv->batch[wv->nb++] = i;
	}
	p->n_finished = 0;
	if (!p->stopping && (p->fatal || step_cancelled(p->ctx)))
		p->stopping = true;
	if (p->stopping) {
		for (size_t k = p->next; k < p->limit; k++)
			for (size_t i = wv->idx[k]; i != SCHEMA_NONE; i = p->plan->objs[i].unit_next) {
				p->plan->objs[i].state = SCHEMA_S_NOT_STARTED;
				wv->batch[wv->nb++] = i;
			}
		p->limit = p->next;
		return 0;
	}
	if (!want_release(p))
		return 0;
	return p->limit + chunk < p->n_queue ? chunk : p->n_queue - p->limit;
}

static void wave_begin(struct schema_pool *p, struct wave *wv)
{
	pthread_mutex_lock(&p->mu);
	p->queue = wv->idx;
	p->n_queue = wv->n;
	p->next = p->limit = 0;
	p->n_finished = 0;
	p->stopping = false;
	free(p->finished);
	p->finished = xcalloc(wv->members + 1, sizeof(*p->finished));
	pthread_mutex_unlock(&p->mu);
}

int schema__pool_run(struct schema_pool *p, struct schema_run *run, const size_t *idx,
		     size_t n, bool defer, size_t **deferred, size_t *n_deferred,
		     struct err *err)
{
	struct wave wv = { .idx = idx, .n = n, .defer = defer };
	int64_t deadline = time_mono_ms() + BATCH_WAIT_MS;
	bool over = false, meta_failed = false;
	int rc;

	for (size_t k = 0; k < n; k++)
		for (size_t i = idx[k]; i != SCHEMA_NONE; i = p->plan->objs[i].unit_next)
			wv.members++;
	wv.batch = xcalloc(2 * wv.members + 1, sizeof(*wv.batch));
	wv.deferred = xcalloc(wv.members + 1, sizeof(*wv.deferred));
	wave_begin(p, &wv);
	while (!over) {
		size_t from, count;

		wv.nb = 0;
		pthread_mutex_lock(&p->mu);
		wait_event(p, deadline);
		if (meta_failed)
			p->stopping = true;
		from = p->limit;
		count = collect(p, &wv);
		over = count == 0 && idle(p) && (p->stopping || p->limit == p->n_queue);
		pthread_mutex_unlock(&p->mu);
		for (size_t k = from; k < from + count; k++)
			for (size_t i = idx[k]; i != SCHEMA_NONE; i = p->plan->objs[i].unit_next) {
				p->plan->objs[i].state = SCHEMA_S_MIGRATING;
				p->plan->objs[i].boot_ms = time_now_ms();
				wv.batch[wv.nb++] = i;
			}
		if (wv.nb && !meta_failed && schema__record(run, wv.batch, wv.nb, err) < 0) {
			meta_failed = true;
			count = 0;
			over = false;
		}
		deadline = time_mono_ms() + BATCH_WAIT_MS;
		pthread_mutex_lock(&p->mu);
		if (count) {
			p->limit = from + count;
			pthread_cond_broadcast(&p->cv_work);
		}
		pthread_mutex_unlock(&p->mu);
	}
	pthread_mutex_lock(&p->mu);
	rc = meta_failed ? -1 : p->fatal ? -1 : p->stopping ? 1 : 0;
	if (!meta_failed && p->fatal)
		*err = p->fatal_err;
	p->queue = NULL;
	pthread_mutex_unlock(&p->mu);
	if (rc == 1)
		err_set(err, ERR_CANCELLED, "schema migration of job %s cancelled",
			p->ctx->job->id);
	free(wv.batch);
	*deferred = wv.deferred;
	*n_deferred = wv.n_deferred;
	return rc;
}
