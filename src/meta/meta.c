/*
 * meta.c - the public metastore API: picks a driver by the URL scheme, checks
 * and normalises arguments, fills defaults (timestamps), then dispatches
 * through the handle's driver table (driver.h). Also the record lifecycle
 * functions (init/release), which do not depend on the driver.
 *
 * Threads: a struct meta belongs to one thread. meta_thread() keeps one
 * handle per thread in thread-specific data; the key is created once
 * (pthread_once) and its destructor closes the handle when the thread exits.
 *
 * Ownership: records filled by reads belong to the caller and are released
 * with the matching *_release(); output records are zeroed before every read
 * so that releasing them is safe whatever the outcome.
 */
#include "meta/meta.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "meta/driver.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

/* Schemes a URL may name; a plain path means SQLite. A PostgreSQL driver
 * adds its line here ("postgresql", "postgres"). */
static const struct {
	const char *scheme;
	const struct meta_driver *drv;
} schemes[] = {
	{ "sqlite", &meta__sqlite_driver },
};

#define N_SCHEMES (sizeof(schemes) / sizeof(schemes[0]))

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* Length of a leading "scheme:" (RFC 3986 letters), 0 when there is none. */
static size_t scheme_len(const char *url)
{
	size_t i = 0;

	if (!isalpha((unsigned char)url[0]))
		return 0;
	while (isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-' ||
	       url[i] == '.')
		i++;
	return url[i] == ':' ? i : 0;
}

static const struct meta_driver *pick_driver(const char *url, struct err *err)
{
	size_t n = scheme_len(url);

	for (size_t i = 0; n && i < N_SCHEMES; i++) {
		if (strlen(schemes[i].scheme) == n && strncasecmp(url, schemes[i].scheme, n) == 0)
			return schemes[i].drv;
	}
	/* "x://..." is a URL of a metastore we do not have; anything else
	 * (even "a:b.db") is a file name. */
	if (n && strncmp(url + n, "://", 3) == 0) {
		err_set(err, ERR_UNSUPPORTED, "metastore scheme \"%.*s\" not supported in this build",
			(int)n, url);
		err_detail(err, "use a file path or sqlite:PATH");
		return NULL;
	}
	return &meta__sqlite_driver;
}

struct meta *meta_open(const char *url, struct err *err)
{
	const struct meta_driver *drv;
	struct meta *m;

	if (!url || !*url) {
		err_set(err, ERR_INVALID, "metastore url is empty");
		return NULL;
	}
	drv = pick_driver(url, err);
	if (!drv)
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->drv = drv;
	m->url = xstrdup(url);
	if (drv->open(m, url, err) < 0) {
		free(m->url);
		free(m);
		return NULL;
	}
	return m;
}

void meta_free(struct meta *m)
{
	if (!m)
		return;
	m->drv->close(m);
	free(m->url);
	free(m);
}

/* ---- per-thread handles --------------------------------------------------- */

static pthread_key_t thread_key;
static pthread_once_t thread_once = PTHREAD_ONCE_INIT;

static void thread_handle_free(void *p)
{
	meta_free(p);
}

static void thread_key_init(void)
{
	if (pthread_key_create(&thread_key, thread_handle_free) != 0)
		BUG("pthread_key_create failed for the metastore handles");
}

struct meta *meta_thread(const char *url, struct err *err)
{
	struct meta *m;

	pthread_once(&thread_once, thread_key_init);
	m = pthread_getspecific(thread_key);
	if (m && url && strcmp(m->url, url) == 0)
		return m;
	meta_thread_close();
	m = meta_open(url, err);
	if (!m)
		return NULL;
	if (pthread_setspecific(thread_key, m) != 0) {
		meta_free(m);
		err_set(err, ERR_INTERNAL, "cannot keep the metastore handle of this thread");
		return NULL;
	}
	return m;
}

void meta_thread_close(void)
{
	struct meta *m;

	pthread_once(&thread_once, thread_key_init);
	m = pthread_getspecific(thread_key);
	if (!m)
		return;
	pthread_setspecific(thread_key, NULL);
	meta_free(m);
}

int meta_schema_version(struct meta *m)
{
	return m->drv->schema_version(m);
}

int meta_begin(struct meta *m, struct err *err)
{
	return m->drv->begin(m, err);
}

int meta_commit(struct meta *m, struct err *err)
{
	return m->drv->commit(m, err);
}

void meta_rollback(struct meta *m)
{
	m->drv->rollback(m);
}

/* ---- jobs ------------------------------------------------------------------ */

static void endpoint_release(struct meta_endpoint *e)
{
	free(e->instance_type);
	free(e->engine);
	free(e->ip);
	free(e->user);
	free(e->password);
	free(e->database);
	free(e->region);
	free(e->instance_id);
}

void meta_job_release(struct meta_job *j)
{
	if (!j)
		return;
	free(j->name);
	free(j->job_type);
	free(j->status);
	free(j->region);
	free(j->instance_class);
	free(j->pay_type);
	endpoint_release(&j->src);
	endpoint_release(&j->dst);
	free(j->db_list);
	free(j->reserve);
	free(j->error_message);
	free(j->desired);
	memset(j, 0, sizeof(*j));
}

int meta_job_insert(struct meta *m, const struct meta_job *j, struct err *err)
{
	struct meta_job row = *j;     /* shallow: only the times change */
	int64_t now = time_now_ms();

	if (!row.id[0]) {
		err_set(err, ERR_INVALID, "job has no id");
		return -1;
	}
	if (row.create_ms == 0)
		row.create_ms = now;
	if (row.update_ms == 0)
		row.update_ms = now;
	return m->drv->job_insert(m, &row, err);
}

int meta_job_get(struct meta *m, const char *id, struct meta_job *out, struct err *err)
{
	memset(out, 0, sizeof(*out));
	return m->drv->job_get(m, nz(id), out, err);
}

int meta_job_get_by_instance(struct meta *m, const char *instance_id,
			     struct meta_job *out, struct err *err)
{
	memset(out, 0, sizeof(*out));
	return m->drv->job_get_by_instance(m, nz(instance_id), out, err);
}

int meta_job_update(struct meta *m, const struct meta_job *j, struct err *err)
{
	struct meta_job row = *j;

	row.update_ms = time_now_ms();
	return m->drv->job_update(m, &row, err);
}

int meta_job_set_status(struct meta *m, const char *id, const char *status,
			const char *error_message, struct err *err)
{
	return m->drv->job_set_status(m, nz(id), nz(status), error_message,
				      time_now_ms(), err);
}

int meta_job_delete(struct meta *m, const char *id, struct err *err)
{
	return m->drv->job_delete(m, nz(id), err);
}

int meta_job_list(struct meta *m, const struct meta_job_filter *f,
		  struct meta_job **out, size_t *n, int64_t *total, struct err *err)
{
	static const struct meta_job_filter all;

	*out = NULL;
	*n = 0;
	if (total)
		*total = 0;
	return m->drv->job_list(m, f ? f : &all, out, n, total, err);
}

/* ---- subtasks -------------------------------------------------------------- */

void meta_subtask_release(struct meta_subtask *s)
{
	if (!s)
		return;
	free(s->job_name);
	free(s->state);
	free(s->error_message);
	memset(s, 0, sizeof(*s));
}

int meta_subtask_put(struct meta *m, const struct meta_subtask *s, struct err *err)
{
	return m->drv->subtask_put(m, s, err);
}

int meta_subtask_get(struct meta *m, const char *job_id, const char *code,
		     struct meta_subtask *out, struct err *err)
{
	memset(out, 0, sizeof(*out));
	return m->drv->subtask_get(m, nz(job_id), nz(code), out, err);
}

int meta_subtask_list(struct meta *m, const char *job_id,
		      struct meta_subtask **out, size_t *n, struct err *err)
{
	*out = NULL;
	*n = 0;
	return m->drv->subtask_list(m, nz(job_id), out, n, err);
}

/* ---- progress items ------------------------------------------------------ */

void meta_item_init(struct meta_item *it)
{
	memset(it, 0, sizeof(*it));
	it->kind = META_ITEM_PROGRESS;
	it->struct_type = xstrdup("");
	it->key = xstrdup("");
	it->phase = xstrdup("");
	it->item = xstrdup("");
	it->names = xstrdup("");
	it->state = xstrdup("NotStarted");
	it->ignore_flag = xstrdup("N");
	it->err_msg = xstrdup("");
	it->err_detail = xstrdup("");
	it->repair_method = xstrdup("");
	it->source_schema = xstrdup("");
	it->dest_schema = xstrdup("");
	it->target_names = xstrdup("");
	it->parent_obj = xstrdup("");
	it->ddl_sql = xstrdup("");
	it->sub = xstrdup("[]");
}

static void log_release(struct meta_log *l)
{
	free(l->err_data);
	free(l->err_msg);
	free(l->log_level);
	free(l->err_type);
}

void meta_item_release(struct meta_item *it)
{
	if (!it)
		return;
	free(it->struct_type);
	free(it->key);
	free(it->phase);
	free(it->item);
	free(it->names);
	free(it->state);
	free(it->ignore_flag);
	free(it->err_msg);
	free(it->err_detail);
	free(it->repair_method);
	free(it->source_schema);
	free(it->dest_schema);
	free(it->target_names);
	free(it->parent_obj);
	free(it->ddl_sql);
	free(it->sub);
	for (size_t i = 0; i < it->n_logs; i++)
		log_release(&it->logs[i]);
	free(it->logs);
	memset(it, 0, sizeof(*it));
}

int meta_item_put(struct meta *m, struct meta_item *it, struct err *err)
{
	if (!it->key || !*it->key) {
		err_set(err, ERR_INVALID, "progress item of job \"%s\" step %s has no key",
			it->job_id, it->code);
		return -1;
	}
	if ((unsigned)it->kind > META_ITEM_NETCHECK) {
		err_set(err, ERR_INVALID, "progress item \"%s\" has an unknown kind %d",
			it->key, (int)it->kind);
		return -1;
	}
	return m->drv->item_put(m, it, err);
}

int meta_item_log_add(struct meta *m, int64_t item_id, const struct meta_log *log,
		      struct err *err)
{
	return m->drv->item_log_add(m, item_id, log, err);
}

int meta_item_logs_clear(struct meta *m, int64_t item_id, struct err *err)
{
	return m->drv->item_logs_clear(m, item_id, err);
}

int meta_items_clear(struct meta *m, const char *job_id, const char *code,
		     int kind, struct err *err)
{
	return m->drv->items_clear(m, nz(job_id), nz(code), kind, err);
}

static int item_filter_check(const struct meta_item_filter *f, struct err *err)
{
	if (!f || !f->job_id || !f->code) {
		err_set(err, ERR_INVALID, "progress item filter needs a job id and a step code");
		return -1;
	}
	return 0;
}

int meta_item_list(struct meta *m, const struct meta_item_filter *f,
		   struct meta_item **out, size_t *n, int64_t *total, struct err *err)
{
	*out = NULL;
	*n = 0;
	if (total)
		*total = 0;
	if (item_filter_check(f, err) < 0)
		return -1;
	return m->drv->item_list(m, f, out, n, total, err);
}

int meta_item_count(struct meta *m, const struct meta_item_filter *f,
		    bool only_unskipped, int64_t *count, struct err *err)
{
	*count = 0;
	if (item_filter_check(f, err) < 0)
		return -1;
	return m->drv->item_count(m, f, only_unskipped, count, err);
}

int meta_item_set_skip(struct meta *m, const char *job_id, const char *code,
		       const char *const *items, size_t n_items, bool skip,
		       int64_t *changed, struct err *err)
{
	int64_t ignored;

	return m->drv->item_set_skip(m, nz(job_id), nz(code), items, items ? n_items : 0,
				     skip, changed ? changed : &ignored, err);
}

/* ---- checkpoints and settings ------------------------------------------- */

int meta_checkpoint_put(struct meta *m, const char *job_id, const char *key,
			const char *value, struct err *err)
{
	return m->drv->checkpoint_put(m, nz(job_id), nz(key), nz(value), err);
}

int meta_checkpoint_get(struct meta *m, const char *job_id, const char *key,
			char **value, struct err *err)
{
	*value = NULL;
	return m->drv->checkpoint_get(m, nz(job_id), nz(key), value, err);
}

int meta_subtasks_clear(struct meta *m, const char *job_id, struct err *err)
{
	return m->drv->subtasks_clear(m, nz(job_id), err);
}

int meta_checkpoint_clear(struct meta *m, const char *job_id, const char *prefix,
			  struct err *err)
{
	return m->drv->checkpoint_clear(m, nz(job_id), nz(prefix), err);
}

int meta_setting_put(struct meta *m, const char *key, const char *value, struct err *err)
{
	return m->drv->setting_put(m, nz(key), nz(value), err);
}

int meta_setting_get(struct meta *m, const char *key, char **value, struct err *err)
{
	*value = NULL;
	return m->drv->setting_get(m, nz(key), value, err);
}
