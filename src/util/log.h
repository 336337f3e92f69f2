/*
 * log.h - one logfmt line per event on stderr:
 *     ts=2024-01-15T08:30:00.123Z level=info event=job.start job_id=abc
 * The level is checked before the arguments are evaluated. Values that may
 * hold spaces or quotes go through log_quote(). Never log a secret.
 */
#ifndef OPENDTS_UTIL_LOG_H
#define OPENDTS_UTIL_LOG_H

#include <stddef.h>

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_level_current;   /* global: set once at start-up */

/* Parses "error|warn|info|debug"; -1 when unknown. */
int log_level_parse(const char *s);

#define log_at(lvl, event, ...) \
	do { if ((lvl) <= log_level_current) log_write((lvl), (event), __VA_ARGS__); } while (0)
#define log_error(event, ...) log_at(LOG_ERROR, event, __VA_ARGS__)
#define log_warn(event, ...)  log_at(LOG_WARN, event, __VA_ARGS__)
#define log_info(event, ...)  log_at(LOG_INFO, event, __VA_ARGS__)
#define log_debug(event, ...) log_at(LOG_DEBUG, event, __VA_ARGS__)

/* Writes one line; `fmt` formats the key=value pairs after the event. */
void log_write(enum log_level lvl, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Quotes s for a logfmt value into out ("..." with \" and \\ escaped,
 * control bytes as \xNN), truncating to fit; returns out. */
const char *log_quote(char *out, size_t n, const char *s);

#endif
