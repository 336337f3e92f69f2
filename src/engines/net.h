/*
 * net.h - name resolution and TCP reachability probes for database endpoints.
 *
 * Used by the precheck before an engine client logs in, so that a failure
 * says which layer broke: the name ("cannot resolve host"), the network
 * (refused, timed out, unreachable) or, later, the database login. Both
 * functions are blocking, thread-safe and keep no state.
 */
#ifndef OPENDTS_ENGINES_NET_H
#define OPENDTS_ENGINES_NET_H

#include <stddef.h>

#include "util/err.h"

/* Room for the address list of a typical host (a few IPv4 + IPv6 addresses). */
#define NET_ADDRS_MAX 512

/* Resolves `host` (a name or a numeric address) for TCP with getaddrinfo and
 * writes every address, numeric and comma-separated, without duplicates,
 * into addrs_out (size n, always NUL-terminated), e.g. "::1,127.0.0.1".
 * Addresses that do not fit are left out. `port` is only passed to the
 * resolver (0 = any).
 * Errors: ERR_CONNECT "cannot resolve host \"x\": <gai_strerror>" (with advice
 * in detail); ERR_INVALID for an empty host. */
int net_resolve(const char *host, int port, char *addrs_out, size_t n,
		struct err *err);

/* Opens a TCP connection to host:port and closes it again: resolves `host`,
 * then tries each address in order with a non-blocking connect + poll until
 * one connects; all attempts together take at most timeout_ms. On success
 * *latency_ms (may be NULL) gets the time the successful connect took.
 * Only the TCP handshake is checked: a server that accepts and never speaks
 * passes (the engine clients bound the login with their own timeouts).
 * Errors (the message names host, port and address; detail gives advice):
 *   ERR_CONNECT  "cannot resolve host ..." / "connection to H:P refused" /
 *                "host H:P is unreachable: ..." / "connection to H:P failed: ..."
 *   ERR_TIMEOUT  "connection to H:P timed out after N ms"
 *   ERR_INVALID  empty host, port outside 1..65535 or timeout_ms <= 0 */
int net_tcp_probe(const char *host, int port, int timeout_ms, int *latency_ms,
		  struct err *err);

#endif
