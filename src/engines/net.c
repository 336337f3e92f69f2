/*
 * net.c - name resolution and TCP probes (see net.h).
 *
 * Stateless: every call resolves with getaddrinfo and owns the sockets it
 * opens until it returns, so any thread may call at any time. A probe uses a
 * non-blocking connect and poll() against one deadline on the monotonic
 * clock, so no address list can make it exceed the caller's bound.
 */
#include "engines/net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "util/str.h"
#include "util/timefmt.h"

/* Our own marker for "poll ran out of time" (not a system errno). */
#define PROBE_TIMEDOUT (-1)

static int lookup(const char *host, int port, struct addrinfo **res, struct err *err)
{
	struct addrinfo hints;
	char service[16];
	int rc;

	if (!host || !*host) {
		err_set(err, ERR_INVALID, "host is empty");
		err_detail(err, "set the endpoint's IP address or host name");
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	/* No AI_ADDRCONFIG: it hides "localhost" on hosts that only have a
	 * loopback interface; an unusable family just fails fast in connect. */
	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, port > 0 ? service : NULL, &hints, res);
	if (rc != 0) {
		if (rc == EAI_SYSTEM)
			err_sys(err, ERR_CONNECT, errno, "cannot resolve host \"%s\"", host);
		else
			err_set(err, ERR_CONNECT, "cannot resolve host \"%s\": %s", host,
				gai_strerror(rc));
		err_detail(err, "check the host name, or give the IP address; "
			   "name resolution uses this server's /etc/hosts and DNS");
		*res = NULL;
		return -1;
	}
	return 0;
}

/* Numeric form of one address, without port. */
static void addr_text(const struct addrinfo *ai, char *out, size_t n)
{
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, out, (socklen_t)n, NULL, 0,
			NI_NUMERICHOST) != 0)
		str_copy(out, n, "?");
}

/* True when `a` is already an element of the comma-separated `list`. */
static bool listed(const char *list, const char *a)
{
	size_t alen = strlen(a);

	for (const char *p = list; *p; ) {
		const char *end = strchr(p, ',');
		size_t plen = end ? (size_t)(end - p) : strlen(p);

		if (plen == alen && memcmp(p, a, alen) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

int net_resolve(const char *host, int port, char *addrs_out, size_t n,
		struct err *err)
{
	struct addrinfo *res = NULL;
	size_t len = 0;

	if (!addrs_out || n == 0) {
		err_set(err, ERR_INVALID, "no room for the addresses of \"%s\"", host ? host : "");
		return -1;
	}
	addrs_out[0] = '\0';
	if (lookup(host, port, &res, err) < 0)
		return -1;
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		char a[NI_MAXHOST];
		size_t alen;

		addr_text(ai, a, sizeof(a));
		if (listed(addrs_out, a))
			continue;
		alen = strlen(a);
		if (len + (len > 0) + alen + 1 > n)
			break;
		if (len > 0)
			addrs_out[len++] = ',';
		memcpy(addrs_out + len, a, alen + 1);
		len += alen;
	}
	freeaddrinfo(res);
	return 0;
}

/* One non-blocking connect bounded by `deadline` (monotonic ms). Returns 0
 * when connected; otherwise the errno of the failure, or PROBE_TIMEDOUT. */
static int connect_one(const struct addrinfo *ai, int64_t deadline)
{
	struct pollfd pfd;
	socklen_t sl = sizeof(int);
	int fd, rc, soerr = 0;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    ai->ai_protocol);
	if (fd < 0)
		return errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto cleanup;
	if (errno != EINPROGRESS) {
		soerr = errno;
		goto cleanup;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	for (;;) {
		int64_t left = deadline - time_mono_ms();

		if (left <= 0) {
			soerr = PROBE_TIMEDOUT;
			goto cleanup;
		}
		rc = poll(&pfd, 1, (int)left);
		if (rc > 0)
			break;
		if (rc < 0 && errno != EINTR) {
			soerr = errno;
			goto cleanup;
		}
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
cleanup:
	close(fd);
	return soerr;
}

/* "host:port", "[v6]:port", plus " (address A)" when the host is a name. */
static void target_text(char *out, size_t n, const char *host, int port,
			const char *addr)
{
	bool v6 = strchr(host, ':') != NULL;

	if (strcmp(host, addr) == 0)
		snprintf(out, n, "%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", port);
	else
		snprintf(out, n, "%s%s%s:%d (address %s)", v6 ? "[" : "", host,
			 v6 ? "]" : "", port, addr);
}

static void probe_error(struct err *err, int soerr, const char *target, int timeout_ms)
{
	switch (soerr) {
	case PROBE_TIMEDOUT:
	case ETIMEDOUT:
		err_set(err, ERR_TIMEOUT, "connection to %s timed out after %d ms",
			target, timeout_ms);
		err_detail(err, "the host did not answer: check that it is up and that no "
			   "firewall or security group drops traffic to this port");
		break;
	case ECONNREFUSED:
		err_set(err, ERR_CONNECT, "connection to %s refused", target);
		err_detail(err, "nothing listens on that port: check the port and that the "
			   "database server is running and listens on this address");
		break;
	case ENETUNREACH:
	case EHOSTUNREACH:
	case ENETDOWN:
	case EHOSTDOWN:
		err_set(err, ERR_CONNECT, "host %s is unreachable: %s", target,
			strerror(soerr));
		err_detail(err, "there is no network route from this server to the host: "
			   "check the address, routing and VPN/VPC settings");
		break;
	default:
		err_sys(err, ERR_CONNECT, soerr, "connection to %s failed", target);
		break;
	}
}

int net_tcp_probe(const char *host, int port, int timeout_ms, int *latency_ms,
		  struct err *err)
{
	struct addrinfo *res = NULL;
	char addr[NI_MAXHOST], target[NI_MAXHOST * 2 + 32];
	int64_t deadline, start;
	int soerr = PROBE_TIMEDOUT, rc = -1;

	if (port < 1 || port > 65535 || timeout_ms <= 0) {
		err_set(err, ERR_INVALID, "invalid probe of \"%s\" port %d, timeout %d ms",
			host ? host : "", port, timeout_ms);
		return -1;
	}
	deadline = time_mono_ms() + timeout_ms;
	if (lookup(host, port, &res, err) < 0)
		return -1;
	addr[0] = '\0';
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		addr_text(ai, addr, sizeof(addr));
		start = time_mono_ms();
		soerr = connect_one(ai, deadline);
		if (soerr == 0) {
			if (latency_ms)
				*latency_ms = (int)(time_mono_ms() - start);
			rc = 0;
			goto cleanup;
		}
		if (soerr == PROBE_TIMEDOUT)
			break;
	}
	target_text(target, sizeof(target), host, port, addr);
	probe_error(err, soerr, target, timeout_ms);
cleanup:
	freeaddrinfo(res);
	return rc;
}
