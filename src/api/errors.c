/*
 * errors.c - the one place where an opendts error (struct err) becomes an
 * HTTP status plus an Alibaba gateway error body (PROTOCOL.md sec. 6, 7).
 *
 * The table below is indexed by err code. A few codes derive their Alibaba
 * Code from the parameter at fault (MissingDtsJobId, InvalidPageSize, ...);
 * the parameter name only reaches the Code when it looks like an API
 * parameter name, so client bytes can never shape the Code string. Everything not in the
 * table is a 500 InternalError, and no mapping ever yields a status below
 * 400. Pure functions on caller memory: any thread may call them.
 */
#include <stdio.h>
#include <string.h>

#include "api/internal.h"
#include "util/str.h"

struct error_row {
	int status;
	const char *code;       /* Alibaba Code */
	const char *message;    /* default Message */
	const char *recommend;  /* default Recommend (short hint) */
};

static const struct error_row internal_row = {
	500, "InternalError",
	"The request processing has failed due to some unknown error, exception or failure.",
	"Retry the request; if the error persists, check the dtsd log for this RequestId."
};

static const struct error_row error_table[ERR__COUNT] = {
	[ERR_AUTH_SIGNATURE] = { 400, "SignatureDoesNotMatch",
		"Specified signature is not matched with our calculation.",
		"Check the AccessKeySecret and how the string to sign is built." },
	[ERR_AUTH_INCOMPLETE] = { 400, "IncompleteSignature",
		"The request signature does not conform to Aliyun standards.",
		"Sign the request with Signature V1 (HMAC-SHA1) or V3 (ACS3-HMAC-SHA256)." },
	[ERR_AUTH_METHOD] = { 400, "InvalidSignatureMethod",
		"Specified signature method is not valid.",
		"Use SignatureMethod=HMAC-SHA1 or ACS3-HMAC-SHA256." },
	[ERR_AUTH_TIME_EXPIRED] = { 400, "InvalidTimeStamp.Expired",
		"Specified time stamp or date value is expired.",
		"Synchronise the client clock; requests must be within 15 minutes of the server time." },
	[ERR_AUTH_TIME_FORMAT] = { 400, "InvalidTimeStamp.Format",
		"Specified time stamp or date value is not well formatted.",
		"Send the time in UTC as YYYY-MM-DDThh:mm:ssZ." },
	[ERR_AUTH_NONCE] = { 400, "SignatureNonceUsed",
		"Specified signature nonce was used already.",
		"Send a fresh SignatureNonce with every request." },
	[ERR_AUTH_KEY] = { 404, "InvalidAccessKeyId.NotFound",
		"Specified access key is not found.",
		"Check the AccessKeyId against the keys configured for dtsd." },
	[ERR_ACTION] = { 404, "InvalidAction.NotFound",
		"Specified api is not found, please check your url and method.",
		"Check the Action name; requests go to path \"/\" with GET or POST." },
	[ERR_VERSION] = { 400, "InvalidVersion",
		"Specified parameter Version is not valid.",
		"Use Version=" API_VERSION "." },
	[ERR_MISSING] = { 400, "MissingParameter",
		"A mandatory parameter is missing.",
		"Add the missing parameter to the request." },
	[ERR_INVALID] = { 400, "InvalidParameter",
		"Specified parameter is not valid.",
		"Check the parameter value against the API reference." },
	[ERR_THROTTLED] = { 400, "Throttling.User",
		"Request was denied due to user flow control.",
		"Send fewer requests per second with this AccessKeyId, or try again later." },
	[ERR_METHOD] = { 400, "UnsupportedHTTPMethod",
		"This http method is not supported.",
		"Use GET or POST." },
	[ERR_NOT_FOUND] = { 404, "InvalidJobId",
		"The specified job does not exist.",
		"Check the id; DescribeDtsJobs lists the existing jobs." },
	[ERR_WRONG_STATE] = { 403, "OperationDenied.JobStatus",
		"The operation is not allowed in the current status of the job.",
		"Check the job status with DescribeDtsJobDetail and retry when it allows the operation." },
	[ERR_TOO_LARGE] = { 413, "RequestEntityTooLarge",
		"The request is too large.",
		"Send a smaller request; large values belong in a POST form body." },
	[ERR_CONFLICT] = { 400, "InvalidParameter.Conflict",
		"The object already exists or conflicts with another one.",
		"Use another name or id, or remove the existing object first." },
	[ERR_UNAVAILABLE] = { 503, "ServiceUnavailable",
		"The request has failed due to a temporary failure of the server.",
		"Try again later." },
	[ERR_UNSUPPORTED] = { 400, "OperationDenied.NotSupported",
		"The operation is not supported.",
		"Check the API reference for what this server supports." },
};

/* True when the parameter name may become part of an Alibaba Code: API
 * parameter names are UpperCamelCase ("DtsJobId", "SourceEndpoint.Port").
 * Request-wide errors name "query" or "body" and get the generic Code. */
static bool param_usable(const char *p)
{
	if (!(p[0] >= 'A' && p[0] <= 'Z'))
		return false;
	for (; *p; p++) {
		char c = *p;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_'))
			return false;
	}
	return true;
}

static void set_code(struct api_error_info *out, const char *prefix, const char *param)
{
	snprintf(out->code, sizeof(out->code), "%s%s", prefix, param);
}

/* The codes whose Alibaba Code or status depends on err->param. */
static void map_param(const struct err *err, struct api_error_info *out)
{
	bool usable = param_usable(err->param);
	const char *p = err->param;

	switch (err->code) {
	case ERR_MISSING:
		if (!usable)
			return;
		set_code(out, "Missing", p);
		if (err->msg[0] && strstr(err->msg, p))
			snprintf(out->message, sizeof(out->message), "%s", err->msg);
		else if (err->msg[0])
			snprintf(out->message, sizeof(out->message),
				 "%s is mandatory for this action. %s", p, err->msg);
		else
			snprintf(out->message, sizeof(out->message),
				 "%s is mandatory for this action.", p);
		return;
	case ERR_INVALID:
		if (!usable)
			return;
		set_code(out, "Invalid", p);
		if (!err->msg[0])
			snprintf(out->message, sizeof(out->message),
				 "Specified parameter %s is not valid.", p);
		return;
	case ERR_NOT_FOUND:
		if (usable && strcmp(p, "DtsJobId") != 0)
			set_code(out, "Invalid", p);
		return;
	case ERR_TOO_LARGE:
		if (!usable)
			return;
		out->http_status = 400;
		set_code(out, "Invalid", p);
		return;
	default:
		return;
	}
}

void api_error_map(const struct err *err, struct api_error_info *out)
{
	const struct error_row *row = &internal_row;
	unsigned code = (unsigned)err->code;

	if (code < ERR__COUNT && error_table[code].code)
		row = &error_table[code];
	out->http_status = row->status;
	str_copy(out->code, sizeof(out->code), row->code);
	str_copy(out->message, sizeof(out->message),
		 err->msg[0] ? err->msg : row->message);
	str_copy(out->recommend, sizeof(out->recommend),
		 err->detail[0] ? err->detail : row->recommend);
	if (row != &internal_row)
		map_param(err, out);
	/* Never an error Code in a 2xx (or 3xx) reply. */
	if (out->http_status < 400)
		out->http_status = 500;
}

cJSON *api_error_tree(const struct api_error_info *info, const char *request_id)
{
	cJSON *t = cJSON_CreateObject();

	if (!t)
		BUG("out of memory building an error body");
	cJSON_AddStringToObject(t, "RequestId", request_id ? request_id : "");
	cJSON_AddStringToObject(t, "HostId", API_HOST_ID);
	cJSON_AddStringToObject(t, "Code", info->code);
	cJSON_AddStringToObject(t, "Message", info->message);
	cJSON_AddStringToObject(t, "Recommend", info->recommend);
	cJSON_AddBoolToObject(t, "Success", 0);
	cJSON_AddStringToObject(t, "ErrCode", info->code);
	cJSON_AddStringToObject(t, "ErrMessage", info->message);
	cJSON_AddNumberToObject(t, "HttpStatusCode", info->http_status);
	return t;
}
