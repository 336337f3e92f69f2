/*
 * err.c - filling `struct err`. Pure functions on caller-owned memory; safe
 * from any thread.
 */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const code_names[ERR__COUNT] = {
	[ERR_OK] = "ok", [ERR_INTERNAL] = "internal", [ERR_MISSING] = "missing",
	[ERR_INVALID] = "invalid", [ERR_NOT_FOUND] = "not_found",
	[ERR_WRONG_STATE] = "wrong_state", [ERR_CONFLICT] = "conflict",
	[ERR_TOO_LARGE] = "too_large", [ERR_IO] = "io", [ERR_DB] = "db",
	[ERR_CONNECT] = "connect", [ERR_TIMEOUT] = "timeout",
	[ERR_CANCELLED] = "cancelled", [ERR_UNSUPPORTED] = "unsupported",
	[ERR_UNAVAILABLE] = "unavailable", [ERR_THROTTLED] = "throttled",
	[ERR_AUTH_SIGNATURE] = "auth_signature",
	[ERR_AUTH_INCOMPLETE] = "auth_incomplete",
	[ERR_AUTH_METHOD] = "auth_method", [ERR_AUTH_KEY] = "auth_key",
	[ERR_AUTH_TIME_EXPIRED] = "auth_time_expired",
	[ERR_AUTH_TIME_FORMAT] = "auth_time_format",
	[ERR_AUTH_NONCE] = "auth_nonce", [ERR_VERSION] = "version",
	[ERR_ACTION] = "action", [ERR_METHOD] = "method",
};

const char *err_code_name(enum err_code code)
{
	if ((unsigned)code >= ERR__COUNT || !code_names[code])
		return "unknown";
	return code_names[code];
}

static void vset(struct err *err, enum err_code code, const char *fmt, va_list ap)
{
	err->code = code;
	err->sys_errno = 0;
	err->param[0] = '\0';
	err->detail[0] = '\0';
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

void err_set(struct err *err, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
}

void err_param(struct err *err, enum err_code code, const char *param,
	       const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	snprintf(err->param, sizeof(err->param), "%s", param);
}

void err_sys(struct err *err, enum err_code code, int sys_errno,
	     const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!err)
		return;
	va_start(ap, fmt);
	vset(err, code, fmt, ap);
	va_end(ap);
	err->sys_errno = sys_errno;
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(sys_errno));
}

void err_detail(struct err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
}

void err_prefix(struct err *err, const char *fmt, ...)
{
	char old[sizeof(err->msg)];
	va_list ap;
	size_t n;

	if (!err)
		return;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", old);
}

void err_clear(struct err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

_Noreturn void bug_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "level=error event=bug file=%s line=%d msg=\"", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\"\n", stderr);
	abort();
}
