/*
 * err.h - the one error type of opendts.
 *
 * A fallible function returns 0/-1 (or NULL) and takes `struct err *err` last.
 * The error is set once, where the failure is understood, naming the object:
 *     err_set(err, ERR_NOT_FOUND, "job \"%s\" not found", id);
 * Messages follow the PostgreSQL style: lower case, no final period; advice
 * goes into `detail`. Never put a secret in a message. Only api/ maps codes to
 * HTTP statuses and Alibaba error codes; only the CLI maps them to exit codes.
 */
#ifndef OPENDTS_UTIL_ERR_H
#define OPENDTS_UTIL_ERR_H

#include <stddef.h>

enum err_code {
	ERR_OK = 0,
	ERR_INTERNAL,      /* a bug or an unexpected library failure */
	ERR_MISSING,       /* a required parameter is absent (param names it) */
	ERR_INVALID,       /* a parameter is malformed (param names it) */
	ERR_NOT_FOUND,     /* the named object does not exist */
	ERR_WRONG_STATE,       /* the operation is not allowed in the object's state */
	ERR_CONFLICT,      /* the object already exists */
	ERR_TOO_LARGE,     /* a request or value is over a limit */
	ERR_IO,            /* file or socket I/O failed; sys_errno says why */
	ERR_DB,            /* a database server refused or failed a statement */
	ERR_CONNECT,       /* cannot reach or log in to a database server */
	ERR_TIMEOUT,       /* an operation ran out of time */
	ERR_CANCELLED,     /* the work was interrupted by Suspend/Stop/shutdown */
	ERR_UNSUPPORTED,   /* a feature that is not built (yet) */
	ERR_UNAVAILABLE,   /* a temporary failure; retrying may help */
	ERR_THROTTLED,     /* rate limit reached */
	/* authentication (api/ only) */
	ERR_AUTH_SIGNATURE,    /* signature does not match */
	ERR_AUTH_INCOMPLETE,   /* signature or its parts missing/malformed */
	ERR_AUTH_METHOD,       /* unsupported signature method */
	ERR_AUTH_KEY,          /* unknown access key */
	ERR_AUTH_TIME_EXPIRED, /* timestamp outside the accepted window */
	ERR_AUTH_TIME_FORMAT,  /* timestamp malformed */
	ERR_AUTH_NONCE,        /* nonce already used */
	ERR_VERSION,           /* API Version is not 2020-01-01 */
	ERR_ACTION,            /* unknown action */
	ERR_METHOD,            /* HTTP method not supported */
	ERR__COUNT
};

struct err {
	enum err_code code;
	int sys_errno;
	char param[64];    /* the request parameter at fault, if any */
	char msg[512];
	char detail[512];
};

/* Sets code and message (printf-style); clears param, detail and errno. */
void err_set(struct err *err, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Like err_set, and records the request parameter at fault. */
void err_param(struct err *err, enum err_code code, const char *param,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Like err_set, and records errno (appends ": strerror(errno)"). */
void err_sys(struct err *err, enum err_code code, int sys_errno,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Sets the advice for the operator. */
void err_detail(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prefixes the message with context: "loading job x: <old message>". */
void err_prefix(struct err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void err_clear(struct err *err);
/* Stable lower-case name of a code, e.g. "not_found" (for logs and tests). */
const char *err_code_name(enum err_code code);

/* Broken invariant: logs and aborts. The only abort allowed in modules. */
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void bug_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
