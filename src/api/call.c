/*
 * call.c - the request record of one call (init/release) and the parameter
 * helpers for action handlers (act_*.c).
 *
 * The helpers read the merged request parameters (query + form body) of one call
 * and turn bad input into ERR_MISSING / ERR_INVALID with err.param set, so
 * errors.c can answer MissingX / InvalidX. Messages name the parameter and
 * what is accepted; they quote at most a short prefix of the received value.
 * An empty value counts as absent for the typed helpers (int, bool, enum):
 * the SDKs send "" for a caller's empty optional field.
 * Run on the HTTP thread of the call; returned strings are borrowed from the
 * request and live as long as it does.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "util/str.h"
#include "util/xalloc.h"

#define QUOTE_MAX 64

void api_request_init(struct api_request *req)
{
	memset(req, 0, sizeof(*req));
	req->raw_query = xstrdup("");
	kvlist_init(&req->headers);
	kvlist_init(&req->query);
	kvlist_init(&req->params);
	buf_init(&req->body, API_MAX_BODY);
	req->format = API_FORMAT_JSON;
}

void api_request_release(struct api_request *req)
{
	free(req->raw_query);
	req->raw_query = NULL;
	kvlist_release(&req->headers);
	kvlist_release(&req->query);
	kvlist_release(&req->params);
	buf_release(&req->body);
}

/* Copies at most QUOTE_MAX bytes of v, never cutting a UTF-8 sequence. */
static const char *short_value(const char *v, char out[QUOTE_MAX + 4])
{
	size_t n = strlen(v);

	if (n <= QUOTE_MAX)
		return str_copy(out, QUOTE_MAX + 4, v);
	n = QUOTE_MAX;
	while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, v, n);
	memcpy(out + n, "...", 4);
	return out;
}

const char *api_param(const struct api_call *call, const char *name)
{
	if (!call || !call->req)
		return NULL;
	return kvlist_get(&call->req->params, name);
}

int api_param_required(const struct api_call *call, const char *name,
		       const char **out, struct err *err)
{
	const char *v = api_param(call, name);

	if (!v || !*v) {
		/* errors.c writes "<name> is mandatory for this action." */
		err_param(err, ERR_MISSING, name, "%s", "");
		return -1;
	}
	*out = v;
	return 0;
}

int api_param_int(const struct api_call *call, const char *name, long long def,
		  long long min, long long max, long long *out, struct err *err)
{
	const char *v = api_param(call, name);
	char q[QUOTE_MAX + 4];

	if (!v || !*v) {
		*out = def;
		return 0;
	}
	if (str_to_ll(v, min, max, out) == 0)
		return 0;
	short_value(v, q);
	if (min == LLONG_MIN && max == LLONG_MAX)
		err_param(err, ERR_INVALID, name, "%s must be an integer, got \"%s\"", name, q);
	else if (max == LLONG_MAX)
		err_param(err, ERR_INVALID, name, "%s must be an integer of at least %lld, got \"%s\"",
			  name, min, q);
	else
		err_param(err, ERR_INVALID, name,
			  "%s must be an integer between %lld and %lld, got \"%s\"", name, min, max, q);
	return -1;
}

int api_param_bool(const struct api_call *call, const char *name, bool def,
		   bool *out, struct err *err)
{
	const char *v = api_param(call, name);
	char q[QUOTE_MAX + 4];

	if (!v || !*v) {
		*out = def;
		return 0;
	}
	if (str_to_bool(v, out) == 0)
		return 0;
	err_param(err, ERR_INVALID, name, "%s must be true or false, got \"%s\"",
		  name, short_value(v, q));
	return -1;
}

int api_param_enum(const struct api_call *call, const char *name,
		   const char *const *allowed, const char *def, const char **out,
		   struct err *err)
{
	const char *v = api_param(call, name);
	char list[400], q[QUOTE_MAX + 4];
	size_t used = 0;

	if (!v || !*v) {
		*out = def;
		return 0;
	}
	for (size_t i = 0; allowed[i]; i++) {
		if (str_ieq(v, allowed[i])) {
			*out = allowed[i];
			return 0;
		}
	}
	list[0] = '\0';
	for (size_t i = 0; allowed[i] && used < sizeof(list); i++) {
		int n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", allowed[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	err_param(err, ERR_INVALID, name, "%s must be one of %s, got \"%s\"",
		  name, list, short_value(v, q));
	return -1;
}
