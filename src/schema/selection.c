/*
 * selection.c - which source objects a job moves and under which names:
 * the DbList JSON (ACTIONS.md sec. 4) parsed into struct schema_selection,
 * and a selection resolved against a catalog into the list of tables to
 * move, with the names the selection lists but the source lacks.
 *
 * The DbList was validated by job_dblist_validate() when the job was
 * configured; this parser still checks every shape it relies on, so a
 * stored DbList written by an older build fails here with a message rather
 * than being misread. Pattern items (patternType REGEX/FNMATCH) are taken as
 * plain names. Pure functions; results are owned by the caller.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "schema/schema.h"
#include "util/str.h"
#include "util/xalloc.h"

/* Sets the innermost message; each level prefixes its object name. */
static int bad(struct err *err, const char *what)
{
	err_param(err, ERR_INVALID, "DbList", "%s", what);
	return -1;
}

/* "all" as a JSON boolean or the strings "true"/"false"; absent = def. */
static int get_bool(const cJSON *o, const char *key, bool def, bool *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = def;
	if (!v)
		return 0;
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v);
		return 0;
	}
	if (cJSON_IsString(v) && str_to_bool(v->valuestring, out) == 0)
		return 0;
	return -1;
}

/* The "name" rename, or the source name when absent. */
static int get_name(const cJSON *o, const char *src, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "name");

	if (v && (!cJSON_IsString(v) || !*v->valuestring))
		return -1;
	*out = xstrdup(v ? v->valuestring : src);
	return 0;
}

static const cJSON *child(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	return v ? v : cJSON_GetObjectItemCaseSensitive(o, b);
}

static int parse_columns(const cJSON *cols, struct schema_sel_table *t, struct err *err)
{
	const cJSON *c;
	size_t i = 0;

	if (!cJSON_IsObject(cols))
		return bad(err, "\"column\" must be an object keyed by column name");
	t->n_columns = (size_t)cJSON_GetArraySize(cols);
	t->columns = xcalloc(t->n_columns ? t->n_columns : 1, sizeof(*t->columns));
	cJSON_ArrayForEach(c, cols) {
		struct schema_sel_column *sc = &t->columns[i++];
		sc->src = xstrdup(c->string);
		if (!*c->string || !cJSON_IsObject(c) || get_name(c, c->string, &sc->dst) < 0) {
			bad(err, "must be an object with an optional non-empty \"name\"");
			err_prefix(err, "column \"%.200s\"", c->string);
			return -1;
		}
	}
	return 0;
}

static int parse_table(const cJSON *o, const struct schema_sel_db *db,
		       struct schema_sel_table *t, struct err *err)
{
	const cJSON *cols, *filter;
	bool all;

	t->src_schema = xstrdup(db->src);
	t->dst_schema = xstrdup(db->dst);
	t->src_name = xstrdup(o->string);
	if (!*o->string || !cJSON_IsObject(o))
		return bad(err, "must be an object keyed by a non-empty name");
	if (get_name(o, o->string, &t->dst_name) < 0)
		return bad(err, "\"name\" must be a non-empty string");
	cols = child(o, "column", "Column");
	if (cols && parse_columns(cols, t, err) < 0)
		return -1;
	/* No column list means every column, whatever "all" says: a table
	 * with no columns cannot be moved. */
	if (get_bool(o, "all", t->n_columns == 0, &all) < 0)
		return bad(err, "\"all\" must be true or false");
	t->all_columns = all || t->n_columns == 0;
	filter = cJSON_GetObjectItemCaseSensitive(o, "filter");
	if (filter && !cJSON_IsString(filter))
		return bad(err, "\"filter\" must be a string");
	t->filter = xstrdup(filter ? filter->valuestring : "");
	return 0;
}

static int parse_db(const cJSON *o, struct schema_sel_db *db, struct err *err)
{
	const cJSON *tables, *t;
	size_t i = 0;

	db->src = xstrdup(o->string);
	if (!*o->string || !cJSON_IsObject(o))
		return bad(err, "must be an object keyed by a non-empty name");
	if (get_name(o, o->string, &db->dst) < 0)
		return bad(err, "\"name\" must be a non-empty string");
	if (get_bool(o, "all", false, &db->all) < 0)
		return bad(err, "\"all\" must be true or false");
	tables = child(o, "Table", "table");
	if (!tables)
		return 0;
	if (!cJSON_IsObject(tables))
		return bad(err, "\"Table\" must be an object keyed by table name");
	db->n_tables = (size_t)cJSON_GetArraySize(tables);
	db->tables = xcalloc(db->n_tables ? db->n_tables : 1, sizeof(*db->tables));
	cJSON_ArrayForEach(t, tables) {
		if (parse_table(t, db, &db->tables[i++], err) < 0) {
			err_prefix(err, "table \"%.200s\"", t->string);
			return -1;
		}
	}
	return 0;
}

int schema_selection_parse(const char *dblist_json, struct schema_selection *out,
			   struct err *err)
{
	cJSON *root = NULL;
	const cJSON *db;
	size_t i = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (dblist_json)
		root = cJSON_ParseWithLength(dblist_json, strlen(dblist_json));
	if (!root || !cJSON_IsObject(root) || !root->child) {
		bad(err, "DbList must be a non-empty JSON object keyed by source database name");
		goto cleanup;
	}
	out->n_dbs = (size_t)cJSON_GetArraySize(root);
	out->dbs = xcalloc(out->n_dbs, sizeof(*out->dbs));
	cJSON_ArrayForEach(db, root) {
		if (parse_db(db, &out->dbs[i++], err) < 0) {
			err_prefix(err, "DbList database \"%.200s\"", db->string);
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	if (rc < 0)
		schema_selection_release(out);
	cJSON_Delete(root);
	return rc;
}

void schema_selection_release(struct schema_selection *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_dbs; i++) {
		struct schema_sel_db *db = &s->dbs[i];
		for (size_t k = 0; k < db->n_tables; k++) {
			struct schema_sel_table *t = &db->tables[k];
			for (size_t c = 0; c < t->n_columns; c++) {
				free(t->columns[c].src);
				free(t->columns[c].dst);
			}
			free(t->columns);
			free(t->src_schema);
			free(t->src_name);
			free(t->dst_schema);
			free(t->dst_name);
			free(t->filter);
		}
		free(db->tables);
		free(db->src);
		free(db->dst);
	}
	free(s->dbs);
	memset(s, 0, sizeof(*s));
}

/* ---- resolving ----------------------------------------------------------- */

static const struct schema_sel_db *find_db(const struct schema_selection *s, const char *name)
{
	for (size_t i = 0; i < s->n_dbs; i++)
		if (strcmp(s->dbs[i].src, name) == 0)
			return &s->dbs[i];
	return NULL;
}

static const struct schema_sel_table *find_sel_table(const struct schema_sel_db *db,
						     const char *name)
{
	for (size_t i = 0; i < db->n_tables; i++)
		if (strcmp(db->tables[i].src_name, name) == 0)
			return &db->tables[i];
	return NULL;
}

static bool db_present(const struct schema_catalog *c, const char *db)
{
	for (size_t i = 0; i < c->n_schemas; i++)
		if (strcmp(c->schemas[i], db) == 0)
			return true;
	for (size_t i = 0; i < c->n_tables; i++)
		if (strcmp(c->tables[i].schema, db) == 0)
			return true;
	for (size_t i = 0; i < c->n_views; i++)
		if (strcmp(c->views[i].schema, db) == 0)
			return true;
	return false;
}

static bool is_view(const struct schema_catalog *c, const char *db, const char *name)
{
	for (size_t i = 0; i < c->n_views; i++)
		if (strcmp(c->views[i].schema, db) == 0 && strcmp(c->views[i].name, name) == 0)
			return true;
	return false;
}

struct missing_list {
	char **v;
	size_t n, cap;
};

static void missing_add(struct missing_list *m, char *s)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
	}
	m->v[m->n++] = s;
}

/* Listed columns the catalog table lacks, as "db.table.column". */
static void missing_columns(const struct schema_sel_table *st, const struct schema_table *t,
			    struct missing_list *m)
{
	for (size_t k = 0; k < st->n_columns; k++)
		if (!schema_find_column(t, st->columns[k].src))
			missing_add(m, xasprintf("%s.%s.%s", st->src_schema, st->src_name,
						 st->columns[k].src));
}

static void collect_missing(const struct schema_selection *s, const struct schema_catalog *c,
			    struct missing_list *m)
{
	for (size_t i = 0; i < s->n_dbs; i++) {
		const struct schema_sel_db *db = &s->dbs[i];
		if (!db_present(c, db->src)) {
			missing_add(m, xstrdup(db->src));
			continue;
		}
		for (size_t k = 0; k < db->n_tables; k++) {
			const struct schema_sel_table *st = &db->tables[k];
			const struct schema_table *t = schema_find_table(c, db->src, st->src_name);
			if (t)
				missing_columns(st, t, m);
			else if (!is_view(c, db->src, st->src_name))
				missing_add(m, xasprintf("%s.%s", db->src, st->src_name));
		}
	}
}

int schema_selection_resolve(const struct schema_selection *s, const struct schema_catalog *c,
			     struct schema_resolved **out, size_t *n,
			     char ***missing, size_t *n_missing, struct err *err)
{
	struct missing_list m = { 0 };
	struct schema_resolved *r;
	size_t k = 0;

	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (missing)
		*missing = NULL;
	if (n_missing)
		*n_missing = 0;
	if (!s || !c || !out || !n || !missing || !n_missing) {
		err_set(err, ERR_INVALID, "resolving a selection needs a selection, a catalog "
			"and every output");
		return -1;
	}
	r = xcalloc(c->n_tables ? c->n_tables : 1, sizeof(*r));
	for (size_t i = 0; i < c->n_tables; i++) {
		const struct schema_table *t = &c->tables[i];
		const struct schema_sel_db *db = find_db(s, t->schema);
		const struct schema_sel_table *st = db ? find_sel_table(db, t->name) : NULL;
		if (!st && !(db && db->all))
			continue;
		r[k].table = t;
		r[k].sel = st;
		r[k].dst_schema = st ? st->dst_schema : db->dst;
		r[k].dst_name = st ? st->dst_name : t->name;
		k++;
	}
	collect_missing(s, c, &m);
	*out = r;
	*n = k;
	*missing = m.v;
	*n_missing = m.n;
	return 0;
}

const char *schema_resolved_column_name(const struct schema_resolved *r, const char *src_column)
{
	if (r->sel)
		for (size_t i = 0; i < r->sel->n_columns; i++)
			if (strcmp(r->sel->columns[i].src, src_column) == 0)
				return r->sel->columns[i].dst;
	return src_column;
}

bool schema_resolved_column_selected(const struct schema_resolved *r, const char *src_column)
{
	if (!r->sel || r->sel->all_columns)
		return true;
	for (size_t i = 0; i < r->sel->n_columns; i++)
		if (strcmp(r->sel->columns[i].src, src_column) == 0)
			return true;
	return false;
}
