/*
 * api.h - the DTS-compatible HTTP API server (public interface of api/).
 *
 * api_server_start() listens on app->listen with a libmicrohttpd thread pool
 * and serves RPC-style requests at "/" (GET query + POST form, merged) and an
 * unauthenticated GET /healthz. Requests are authenticated with Signature V1
 * or V3 (../shared/api/PROTOCOL.md), then dispatched to the action table.
 */
#ifndef OPENDTS_API_API_H
#define OPENDTS_API_API_H

#include "app.h"
#include "util/err.h"

struct api_server;

/* Starts serving; returns NULL with err set if the address cannot be bound. */
struct api_server *api_server_start(struct app *app, struct err *err);
/* The port actually bound (useful with --listen 127.0.0.1:0). */
int api_server_port(const struct api_server *s);
/* Stops accepting, finishes in-flight requests, frees. NULL is a no-op. */
void api_server_stop(struct api_server *s);

/* ---- access keys (api/creds.c) ---- */
struct api_creds;

/* Loads keys: from the file (lines "KEY_ID SECRET", '#' comments), else from
 * DTS_ACCESS_KEY_ID/DTS_ACCESS_KEY_SECRET, else from data_dir/credentials;
 * if none exist, generates a pair, writes data_dir/credentials with mode
 * 0600 and prints it once on stdout. Refuses a credentials file readable by
 * group/others with a clear error. */
struct api_creds *api_creds_load(const char *file, const char *data_dir, struct err *err);
/* Adds a key (tests). */
void api_creds_add(struct api_creds *c, const char *key_id, const char *secret);
/* The secret for key_id, or NULL. Borrowed; valid while c lives. */
const char *api_creds_secret(const struct api_creds *c, const char *key_id);
void api_creds_free(struct api_creds *c);

#endif
