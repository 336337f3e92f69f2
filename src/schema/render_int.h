/*
 * render_int.h - shared by the DDL renderer files of schema/ only:
 * render.c (dispatch by dialect, quoting, struct schema_ddl helpers),
 * render_mysql.c (schema__my_*) and render_pg.c (schema__pg_*).
 */
#ifndef OPENDTS_SCHEMA_RENDER_INT_H
#define OPENDTS_SCHEMA_RENDER_INT_H

#include "schema/ddl.h"

/* struct schema_ddl builders (render.c). */
void schema__ddl_add(struct schema_ddl *d, struct buf *stmt);   /* takes the text, resets stmt */
void schema__ddl_note(struct schema_ddl *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void schema__ddl_unsupported(struct schema_ddl *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define SCHEMA_RENDERER(pfx)                                                              \
	int schema__##pfx##_database(const struct schema_render_opts *o, const char *dst_schema, \
				     const char *charset, const char *collation,               \
				     struct schema_ddl *out, struct err *err);                 \
	int schema__##pfx##_table(const struct schema_render_opts *o,                          \
				  const struct schema_resolved *t, struct schema_ddl *out,     \
				  struct err *err);                                            \
	int schema__##pfx##_index(const struct schema_render_opts *o,                          \
				  const struct schema_resolved *t, const struct schema_index *ix, \
				  struct schema_ddl *out, struct err *err);                    \
	int schema__##pfx##_fk(const struct schema_render_opts *o, const struct schema_resolved *t, \
			       const struct schema_fk *fk, const char *ref_schema,             \
			       const char *ref_table, const struct schema_resolved *ref,       \
			       struct schema_ddl *out, struct err *err);                       \
	int schema__##pfx##_view(const struct schema_render_opts *o, const struct schema_view *v, \
				 const char *dst_schema, struct schema_ddl *out, struct err *err); \
	int schema__##pfx##_routine(const struct schema_render_opts *o,                        \
				    const struct schema_routine *r, const char *dst_schema,    \
				    struct schema_ddl *out, struct err *err);                  \
	int schema__##pfx##_trigger(const struct schema_render_opts *o,                        \
				    const struct schema_trigger *tr, const char *dst_schema,   \
				    const char *dst_table, struct schema_ddl *out,             \
				    struct err *err);

SCHEMA_RENDERER(my)
SCHEMA_RENDERER(pg)

#endif
