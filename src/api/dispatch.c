/*
 * dispatch.c - one fully-read HTTP request in, one rendered reply out:
 * parse (params.c) -> authenticate (auth.c) -> throttle per access key ->
 * Version -> Action -> handler (act_*.c) -> render (render.c), and every
 * failure on the way through errors.c.
 *
 * struct api_dispatch is created once by the server and then read-only; its
 * nonce cache and throttle are thread-safe, so the HTTP pool threads call
 * api_dispatch_handle concurrently. Each call gets this thread's metastore
 * handle (meta_thread). The request is owned by the server; the response
 * tree of a call is created and freed here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/internal.h"
#include "meta/meta.h"
#include "util/codec.h"
#include "util/log.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

struct api_dispatch {
	struct app *app;
	struct api_nonce_cache *nonces;
	struct api_throttle *throttle;   /* NULL when rate limiting is off */
	struct api_auth auth;
};

struct api_dispatch *api_dispatch_new(struct app *app, struct err *err)
{
	struct api_dispatch *d = xcalloc(1, sizeof(*d));

	d->app = app;
	d->nonces = api_nonce_new(app->nonce_capacity);
	if (!d->nonces) {
		err_set(err, ERR_INTERNAL, "cannot create the nonce cache (capacity %zu)",
			app->nonce_capacity);
		goto fail;
	}
	if (app->rate_limit > 0) {
		d->throttle = api_throttle_new(app->rate_limit, app->rate_burst);
		if (!d->throttle) {
			err_set(err, ERR_INTERNAL, "cannot create the request throttle");
			goto fail;
		}
	}
	d->auth.creds = app->creds;
	d->auth.nonces = d->nonces;
	d->auth.time_window_s = app->time_window_s;
	return d;
fail:
	api_dispatch_free(d);
	return NULL;
}

void api_dispatch_free(struct api_dispatch *d)
{
	if (!d)
		return;
	api_throttle_free(d->throttle);
	api_nonce_free(d->nonces);
	free(d);
}

void api_respond_error(struct api_request *req, const struct err *err,
		       int *status, const char **content_type, struct buf *out)
{
	struct api_error_info info;
	struct err rerr = { 0 };
	char q[600];
	cJSON *tree;

	if (!req->request_id[0])
		codec_uuid(req->request_id);
	api_error_map(err, &info);
	str_copy(req->error_code, sizeof(req->error_code), info.code);
	if (info.http_status >= 500)
		log_warn("api.error", "req_id=%s code=%s err=%s msg=%s", req->request_id,
			 info.code, err_code_name(err->code), log_quote(q, sizeof(q), err->msg));
	else
		log_debug("api.error", "req_id=%s code=%s msg=%s", req->request_id, info.code,
			  log_quote(q, sizeof(q), info.message));
	tree = api_error_tree(&info, req->request_id);
	buf_reset(out);
	if (api_render(tree, req->format, "Error", out, &rerr) < 0) {
		/* Only a full output buffer gets here; answer something fixed. */
		req->format = API_FORMAT_JSON;
		buf_reset(out);
		buf_printf(out, "{\"RequestId\":\"%s\",\"HostId\":\"%s\",\"Code\":\"InternalError\","
			   "\"Message\":\"cannot render the error response\",\"Success\":false,"
			   "\"HttpStatusCode\":500}", req->request_id, API_HOST_ID);
		info.http_status = 500;
	}
	cJSON_Delete(tree);
	*status = info.http_status;
	*content_type = api_content_type(req->format, true);
}

/* V3 carries Action and Version in signed x-acs-* headers; V1 in the signed
 * parameters. Never take them from the unsigned headers pop-core adds. */
static const char *common_param(const struct api_request *req, const char *name,
				const char *header)
{
	const char *auth = kvlist_get(&req->headers, "authorization");
	const char *v = NULL;

	if (auth && strncmp(auth, "ACS3-", 5) == 0)
		v = kvlist_get(&req->headers, header);
	if (!v)
		v = kvlist_get(&req->params, name);
	return v;
}

static int check_version(const struct api_request *req, struct err *err)
{
	const char *v = common_param(req, "Version", "x-acs-version");

	if (!v || !*v) {
		err_param(err, ERR_MISSING, "Version", "%s", "");
		return -1;
	}
	if (strcmp(v, API_VERSION) != 0) {
		err_param(err, ERR_VERSION, "Version", "API version \"%.64s\" is not supported", v);
		err_detail(err, "use Version=%s", API_VERSION);
		return -1;
	}
	return 0;
}

static const struct api_action *find_action(struct api_request *req, struct err *err)
{
	const struct api_action *act;

	if (!req->action)
		req->action = common_param(req, "Action", "x-acs-action");
	if (!req->action || !*req->action) {
		err_param(err, ERR_MISSING, "Action", "%s", "");
		return NULL;
	}
	act = api_action_find(req->action);
	if (!act) {
		err_set(err, ERR_ACTION, "action \"%.64s\" is not supported", req->action);
		err_detail(err, "check the Action name (case matters) and the API version %s",
			   API_VERSION);
		return NULL;
	}
	return act;
}

/* Runs the handler; returns its response object, or NULL with err set. */
static cJSON *run_action(struct api_dispatch *d, struct api_request *req,
			 const struct api_action *act, struct err *err)
{
	struct api_call call = { .app = d->app, .req = req };
	int rc;

	if (d->app->meta_url) {
		call.meta = meta_thread(d->app->meta_url, err);
		if (!call.meta) {
			if (err->code == ERR_OK)
				err_set(err, ERR_INTERNAL, "cannot open the metastore");
			return NULL;
		}
	}
	call.resp = cJSON_CreateObject();
	if (!call.resp)
		BUG("out of memory creating a response");
	err_clear(err);
	rc = act->fn(&call, err);
	if (rc != 0 || !cJSON_IsObject(call.resp)) {
		if (rc == 0 || err->code == ERR_OK)
			err_set(err, ERR_INTERNAL, "action %s failed without an error message",
				act->name);
		cJSON_Delete(call.resp);
		return NULL;
	}
	return call.resp;
}

/* RequestId first (ours, whatever the handler wrote), then the handler's
 * fields, then Success/HttpStatusCode unless the handler set them. */
static void add_envelope(cJSON *resp, const char *request_id)
{
	cJSON *id;

	cJSON_DeleteItemFromObjectCaseSensitive(resp, "RequestId");
	id = cJSON_AddStringToObject(resp, "RequestId", request_id);
	if (!id)
		BUG("out of memory adding RequestId");
	cJSON_DetachItemViaPointer(resp, id);
	cJSON_InsertItemInArray(resp, 0, id);
	if (!cJSON_GetObjectItemCaseSensitive(resp, "Success"))
		cJSON_AddBoolToObject(resp, "Success", 1);
	if (!cJSON_GetObjectItemCaseSensitive(resp, "HttpStatusCode"))
		cJSON_AddNumberToObject(resp, "HttpStatusCode", 200);
}

static int handle(struct api_dispatch *d, struct api_request *req, struct buf *out,
		  const struct api_action **act_out, struct err *err)
{
	const struct api_action *act;
	char root[192];
	cJSON *resp;
	int rc;

	if (!req->method || (strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0)) {
		err_set(err, ERR_METHOD, "HTTP method %.16s is not supported",
			req->method ? req->method : "(none)");
		return -1;
	}
	if (api_parse_request(req, err) < 0)
		return -1;
	req->format = str_ieq(kvlist_get(&req->params, "Format"), "XML") ?
		      API_FORMAT_XML : API_FORMAT_JSON;
	if (api_auth_verify(&d->auth, req, err) < 0)
		return -1;
	if (d->throttle && api_throttle_take(d->throttle, req->access_key_id ? req->access_key_id : "",
					     time_mono_ms(), err) < 0)
		return -1;
	if (check_version(req, err) < 0)
		return -1;
	act = find_action(req, err);
	if (!act)
		return -1;
	*act_out = act;
	resp = run_action(d, req, act, err);
	if (!resp)
		return -1;
	add_envelope(resp, req->request_id);
	snprintf(root, sizeof(root), "%sResponse", act->name);
	buf_reset(out);
	rc = api_render(resp, req->format, root, out, err);
	cJSON_Delete(resp);
	return rc;
}

void api_dispatch_handle(struct api_dispatch *d, struct api_request *req,
			 int *status, const char **content_type, struct buf *out)
{
	const struct api_action *act = NULL;
	struct err err = { 0 };

	if (!req->request_id[0])
		codec_uuid(req->request_id);
	req->format = API_FORMAT_JSON;
	req->error_code[0] = '\0';
	if (handle(d, req, out, &act, &err) < 0) {
		if (err.code == ERR_OK)
			err_set(&err, ERR_INTERNAL, "request failed without an error message");
		api_respond_error(req, &err, status, content_type, out);
		return;
	}
	if (act)
		req->action = act->name;
	*status = 200;
	*content_type = api_content_type(req->format, false);
}
