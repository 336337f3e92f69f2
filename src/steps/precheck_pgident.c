/*
 * precheck_pgident.c - CHECK_PG_IDENTIFIER: the identifiers the schema step
 * will create on a PostgreSQL destination (schemas, tables, columns,
 * indexes, constraints), after the DbList renames and the Reserve
 * dbListCaseChangeMode, checked for PostgreSQL's limits:
 *   - longer than 63 bytes: shortened by schema_ident_fit() (Warning, with
 *     the name the object will get);
 *   - two objects of one namespace under the same final name, after
 *     shortening or case folding (Failed: the second CREATE would fail);
 *   - names of one namespace that differ only in case (Warning: PostgreSQL
 *     keeps them apart only as quoted identifiers).
 * Namespaces: schemas per database, tables per schema, columns per table,
 * constraints per table. Index names are checked for length only (as the
 * assessment does): PostgreSQL wants them unique per schema, and how the
 * schema step names them on PostgreSQL is its decision, not visible here.
 *
 * Threads: runs on the precheck's destination thread; needs no connection
 * (the names come from the source catalog in env). Sorting makes it
 * O(n log n) in the number of identifiers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema/typemap.h"
#include "steps/precheck_dstcat.h"
#include "util/str.h"
#include "util/xalloc.h"

#define IDENT_MAX 320

struct ident {
	const char *kind;     /* "schema", "table", "column", "index", "constraint" */
	char *ns;             /* namespace key: "s:", "r:<schema>", "c:<schema>.<table>" */
	char *display;        /* the object as the operator knows it: "shop.Order" */
	char *name;           /* the identifier PostgreSQL gets */
	bool shortened;
};

struct idents {
	struct ident *v;
	size_t n;
	enum precheck_case mode;
};

/* Adds one identifier: folds and fits raw as the schema step will. */
static const char *add(struct idents *l, const char *kind, const char *ns,
		       const char *parent, const char *raw)
{
	char folded[IDENT_MAX], fit[IDENT_MAX];
	struct ident *id;

	precheck__case_apply(l->mode, raw, folded, sizeof(folded));
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	id = &l->v[l->n++];
	id->kind = kind;
	id->ns = xstrdup(ns);
	id->display = parent ? xasprintf("%s.%s", parent, raw) : xstrdup(raw);
	id->shortened = schema_ident_fit(SCHEMA_DIALECT_PG, folded, fit, sizeof(fit));
	id->name = xstrdup(fit);
	return id->name;
}

static void idents_release(struct idents *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].ns);
		free(l->v[i].display);
		free(l->v[i].name);
	}
	free(l->v);
}

/* The columns a resolved table carries to the destination, by their
 * destination names. */
static void add_columns(struct idents *l, const struct schema_resolved *r, const char *ns,
			const char *parent)
{
	const struct schema_sel_table *s = r->sel;

	if (s && !s->all_columns && s->n_columns) {
		for (size_t i = 0; i < s->n_columns; i++)
			add(l, "column", ns, parent, s->columns[i].dst);
		return;
	}
	for (size_t i = 0; i < r->table->n_columns; i++) {
		const char *dst = schema_resolved_column_name(r, r->table->columns[i].name);
		add(l, "column", ns, parent, dst ? dst : r->table->columns[i].name);
	}
}

/* One selected table (the idx-th): its name, columns, indexes and
 * constraints. Columns and constraints get namespaces of their own per
 * selected table, so two tables that collide are reported once. */
static void add_table(struct idents *l, const struct schema_resolved *r, const char *schema,
		      size_t idx)
{
	const struct schema_table *t = r->table;
	char *rel_ns = xasprintf("r:%s", schema), *parent, *col_ns, *con_ns;

	add(l, "table", rel_ns, schema, r->dst_name);
	parent = xasprintf("%s.%s", schema, r->dst_name);
	col_ns = xasprintf("c:%zu", idx);
	con_ns = xasprintf("k:%zu", idx);
	add_columns(l, r, col_ns, parent);
	for (size_t i = 0; i < t->n_indexes; i++)
		if (!t->indexes[i].primary)
			add(l, "index", "", parent, t->indexes[i].name);
	for (size_t i = 0; i < t->n_fks; i++)
		add(l, "constraint", con_ns, parent, t->fks[i].name);
	for (size_t i = 0; i < t->n_checks; i++)
		add(l, "constraint", con_ns, parent, t->checks[i].name);
	free(parent);
	free(col_ns);
	free(con_ns);
	free(rel_ns);
}

static void collect(const struct precheck_env *env, struct idents *l)
{
	const char **seen = xcalloc(env->sel.n_dbs + env->n_tables + 1, sizeof(*seen));
	size_t n_seen = 0;

	for (size_t i = 0; i < env->sel.n_dbs + env->n_tables; i++) {
		const char *raw = i < env->sel.n_dbs ? env->sel.dbs[i].dst
						     : env->tables[i - env->sel.n_dbs].dst_schema;
		bool dup = false;

		for (size_t k = 0; k < n_seen && !dup; k++)
			dup = strcmp(seen[k], raw) == 0;
		if (dup)
			continue;
		seen[n_seen++] = raw;
		add(l, "schema", "s:", NULL, raw);
	}
	free(seen);
	for (size_t i = 0; i < env->n_tables; i++) {
		char folded[IDENT_MAX], fit[IDENT_MAX];

		precheck__case_apply(l->mode, env->tables[i].dst_schema, folded, sizeof(folded));
		schema_ident_fit(SCHEMA_DIALECT_PG, folded, fit, sizeof(fit));
		add_table(l, &env->tables[i], fit, i);
	}
}

static int ident_cmp(const void *pa, const void *pb)
{
	const struct ident *a = pa, *b = pb;
	int c = strcmp(a->ns, b->ns);

	if (c)
		return c;
	c = strcasecmp(a->name, b->name);
	return c ? c : strcmp(a->name, b->name);
}

struct findings {
	struct precheck_list longs, clashes, cases;
};

/* One run [from, to) of identifiers of one namespace equal without case:
 * each set of exactly equal names is one clash, and a run that holds
 * several spellings is one case finding. Linear in the run. */
static void scan_group(const struct ident *v, size_t from, size_t to, struct findings *f)
{
	struct precheck_list spellings;
	size_t n_spellings = 0;

	precheck__list_init(&spellings);
	for (size_t i = from; i < to;) {
		size_t k = i + 1;

		while (k < to && strcmp(v[k].name, v[i].name) == 0)
			k++;
		if (k - i > 1) {
			struct precheck_list same;

			precheck__list_init(&same);
			for (size_t m = i; m < k; m++)
				precheck__list_add(&same, "%s %s", v[m].kind, v[m].display);
			precheck__list_add(&f->clashes, "%s all become \"%s\"",
					   precheck__list_cstr(&same), v[i].name);
			precheck__list_release(&same);
		}
		precheck__list_add(&spellings, "%s %s", v[i].kind, v[i].display);
		n_spellings++;
		i = k;
	}
	if (n_spellings > 1)
		precheck__list_add(&f->cases, "%s", precheck__list_cstr(&spellings));
	precheck__list_release(&spellings);
}

static void scan(struct idents *l, struct findings *f)
{
	size_t from = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].shortened)
			precheck__list_add(&f->longs, "%s %s -> \"%s\"", l->v[i].kind,
					   l->v[i].display, l->v[i].name);
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), ident_cmp);
	for (size_t i = 1; i <= l->n; i++) {
		if (i < l->n && strcmp(l->v[i].ns, l->v[from].ns) == 0 &&
		    strcasecmp(l->v[i].name, l->v[from].name) == 0)
			continue;
		/* Index names ("" namespace) are checked for length only. */
		if (i - from > 1 && l->v[from].ns[0])
			scan_group(l->v, from, i, f);
		from = i;
	}
}

static void report(struct precheck_result *res, struct findings *f, size_t n, bool folds)
{
	if (f->clashes.n) {
		res->state = PRECHECK_FAILED;
		precheck__log(res, "ERROR", "identifier_collision", precheck__list_cstr(&f->clashes),
			      "%zu set(s) of objects would get the same PostgreSQL name%s: %s; "
			      "the schema step cannot create the second one of a set: rename them "
			      "in DbList%s", f->clashes.n,
			      folds ? " after case folding (Reserve dbListCaseChangeMode)" : "",
			      precheck__list_cstr(&f->clashes),
			      folds ? " or keep the source case (dbListCaseChangeMode \"default\")" : "");
	}
	if (f->longs.n) {
		if (!res->state)
			res->state = PRECHECK_WARNING;
		precheck__log(res, "WARN", "identifier_length", precheck__list_cstr(&f->longs),
			      "%zu identifier(s) are longer than PostgreSQL's 63 bytes and will be "
			      "created under shortened names (a prefix and a hash of the full "
			      "name): %s; rename them in DbList to choose the names yourself",
			      f->longs.n, precheck__list_cstr(&f->longs));
	}
	if (f->cases.n) {
		if (!res->state)
			res->state = PRECHECK_WARNING;
		precheck__log(res, "WARN", "identifier_case", precheck__list_cstr(&f->cases),
			      "%zu set(s) of names differ only in case: %s; PostgreSQL keeps them "
			      "apart only because opendts creates quoted, case-preserving "
			      "identifiers: SQL that does not quote them reaches the lower-case one "
			      "or none; rename them in DbList to avoid this",
			      f->cases.n, precheck__list_cstr(&f->cases));
	}
	if (!res->state) {
		res->state = PRECHECK_SUCCESS;
		precheck__log(res, "INFO", "identifier", NULL,
			      "%zu identifiers fit PostgreSQL's 63-byte limit and none collide", n);
	}
}

void precheck__pg_identifiers(const struct precheck_env *env, struct precheck_result *res)
{
	struct idents l = { .mode = precheck__case_mode(env->job->reserve) };
	struct findings f;

	precheck__list_init(&f.longs);
	precheck__list_init(&f.clashes);
	precheck__list_init(&f.cases);
	collect(env, &l);
	scan(&l, &f);
	report(res, &f, l.n, l.mode != PRECHECK_CASE_KEEP);
	precheck__list_release(&f.longs);
	precheck__list_release(&f.clashes);
	precheck__list_release(&f.cases);
	idents_release(&l);
}
