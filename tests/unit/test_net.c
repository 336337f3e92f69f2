/*
 * test_net.c - engines/net.c without database servers: name resolution
 * (localhost, numeric, unresolvable, bad input, a short output buffer) and
 * TCP probes against sockets this test owns on the loopback interface
 * (listening, closed, accepting-but-silent, and a listener whose accept
 * queue is full, which drops SYNs so the probe must time out within its
 * bound).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engines/net.h"
#include "util/timefmt.h"

/* A TCP listener on 127.0.0.1 with the given backlog; returns the fd and
 * the port in *port. */
static int listener(int backlog, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* A loopback port on which nothing listens (bound, then closed). */
static int closed_port(void)
{
	int port, fd = listener(1, &port);

	close(fd);
	return port;
}

static void test_resolve_localhost(void **state)
{
	char addrs[NET_ADDRS_MAX];
	struct err e = { 0 };

	(void)state;
	assert_int_equal(net_resolve("localhost", 3306, addrs, sizeof(addrs), &e), 0);
	assert_non_null(strstr(addrs, "127.0.0.1"));
	/* Each address once, even though getaddrinfo may repeat them. */
	assert_null(strstr(strstr(addrs, "127.0.0.1") + 1, "127.0.0.1"));
}

static void test_resolve_numeric(void **state)
{
	char addrs[NET_ADDRS_MAX];
	struct err e = { 0 };

	(void)state;
	assert_int_equal(net_resolve("127.0.0.1", 0, addrs, sizeof(addrs), &e), 0);
	assert_string_equal(addrs, "127.0.0.1");
	assert_int_equal(net_resolve("::1", 5432, addrs, sizeof(addrs), &e), 0);
	assert_string_equal(addrs, "::1");
}

static void test_resolve_unresolvable(void **state)
{
	char addrs[NET_ADDRS_MAX] = "junk";
	struct err e = { 0 };

	(void)state;
	assert_int_equal(net_resolve("nohost.invalid", 3306, addrs, sizeof(addrs), &e), -1);
	assert_int_equal(e.code, ERR_CONNECT);
	assert_non_null(strstr(e.msg, "cannot resolve host \"nohost.invalid\": "));
	/* gai_strerror text follows the colon, advice goes to detail. */
	assert_true(strlen(e.msg) > strlen("cannot resolve host \"nohost.invalid\": "));
	assert_true(e.detail[0] != '\0');
	assert_string_equal(addrs, "");
}

static void test_resolve_bad_input(void **state)
{
	char addrs[8];
	struct err e = { 0 };

	(void)state;
	assert_int_equal(net_resolve("", 1, addrs, sizeof(addrs), &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(net_resolve(NULL, 1, addrs, sizeof(addrs), &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(net_resolve("localhost", 1, addrs, 0, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
}

static void test_resolve_short_buffer(void **state)
{
	char addrs[16];
	struct err e = { 0 };

	(void)state;
	/* "127.0.0.1" needs 10 bytes: 9 do not hold it, nothing partial is written. */
	memset(addrs, 'X', sizeof(addrs));
	assert_int_equal(net_resolve("127.0.0.1", 0, addrs, 9, &e), 0);
	assert_string_equal(addrs, "");
	assert_int_equal(addrs[9], 'X');
	memset(addrs, 'X', sizeof(addrs));
	assert_int_equal(net_resolve("127.0.0.1", 0, addrs, 10, &e), 0);
	assert_string_equal(addrs, "127.0.0.1");
	assert_int_equal(addrs[10], 'X');
}

static void test_probe_listening(void **state)
{
	struct err e = { 0 };
	int port, latency = -1, fd = listener(16, &port);
	int64_t t0 = time_mono_ms();

	(void)state;
	assert_int_equal(net_tcp_probe("127.0.0.1", port, 2000, &latency, &e), 0);
	assert_true(latency >= 0 && latency < 2000);
	assert_true(time_mono_ms() - t0 < 1000);
	/* "localhost" may list ::1 first; the probe goes on to 127.0.0.1. */
	latency = -1;
	assert_int_equal(net_tcp_probe("localhost", port, 2000, &latency, &e), 0);
	assert_true(latency >= 0);
	/* latency_ms may be NULL */
	assert_int_equal(net_tcp_probe("127.0.0.1", port, 2000, NULL, &e), 0);
	close(fd);
}

static void test_probe_refused(void **state)
{
	struct err e = { 0 };
	int port = closed_port();
	char want[64];
	int64_t t0 = time_mono_ms();

	(void)state;
	assert_int_equal(net_tcp_probe("127.0.0.1", port, 3000, NULL, &e), -1);
	assert_true(time_mono_ms() - t0 < 1000);   /* refused at once, not timed out */
	assert_int_equal(e.code, ERR_CONNECT);
	snprintf(want, sizeof(want), "connection to 127.0.0.1:%d refused", port);
	assert_string_equal(e.msg, want);
	assert_non_null(strstr(e.detail, "nothing listens"));
}

static void test_probe_refused_names_address(void **state)
{
	struct err e = { 0 };
	int port = closed_port();

	(void)state;
	/* A name is followed by the address that was tried. */
	assert_int_equal(net_tcp_probe("localhost", port, 3000, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "localhost:"));
	assert_non_null(strstr(e.msg, "(address "));
	/* IPv6 literals are bracketed; without IPv6 the failure differs, not the form. */
	assert_int_equal(net_tcp_probe("::1", port, 3000, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "[::1]:"));
}

static void test_probe_silent_server_passes(void **state)
{
	struct err e = { 0 };
	int port, fd = listener(16, &port);
	int64_t t0 = time_mono_ms();

	(void)state;
	/* Nobody calls accept() and nothing is ever sent: the TCP handshake
	 * still completes, which is all a probe checks (the engine clients
	 * bound the login). It must not wait for data. */
	assert_int_equal(net_tcp_probe("127.0.0.1", port, 3000, NULL, &e), 0);
	assert_true(time_mono_ms() - t0 < 1000);
	close(fd);
}

static void test_probe_timeout_within_bound(void **state)
{
	struct err e = { 0 };
	int port, fd = listener(0, &port), filled = 0;
	int64_t t0, took;

	(void)state;
	/* Fill the accept queue (nobody accepts): then the kernel drops new
	 * SYNs and a connect can only time out. */
	for (int i = 0; i < 64 && !filled; i++) {
		if (net_tcp_probe("127.0.0.1", port, 300, NULL, &e) < 0) {
			assert_int_equal(e.code, ERR_TIMEOUT);
			filled = 1;
		}
	}
	assert_true(filled);
	t0 = time_mono_ms();
	assert_int_equal(net_tcp_probe("127.0.0.1", port, 800, NULL, &e), -1);
	took = time_mono_ms() - t0;
	assert_int_equal(e.code, ERR_TIMEOUT);
	assert_non_null(strstr(e.msg, "timed out after 800 ms"));
	assert_non_null(strstr(e.msg, "127.0.0.1:"));
	assert_true(took >= 750);
	assert_true(took < 800 + 700);
	close(fd);
}

static void test_probe_bad_input(void **state)
{
	struct err e = { 0 };

	(void)state;
	assert_int_equal(net_tcp_probe("127.0.0.1", 0, 1000, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(net_tcp_probe("127.0.0.1", 65536, 1000, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(net_tcp_probe("127.0.0.1", 80, 0, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(net_tcp_probe("", 80, 1000, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
}

static void test_probe_unresolvable(void **state)
{
	struct err e = { 0 };

	(void)state;
	assert_int_equal(net_tcp_probe("nohost.invalid", 3306, 1000, NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONNECT);
	assert_non_null(strstr(e.msg, "cannot resolve host \"nohost.invalid\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_localhost),
		cmocka_unit_test(test_resolve_numeric),
		cmocka_unit_test(test_resolve_unresolvable),
		cmocka_unit_test(test_resolve_bad_input),
		cmocka_unit_test(test_resolve_short_buffer),
		cmocka_unit_test(test_probe_listening),
		cmocka_unit_test(test_probe_refused),
		cmocka_unit_test(test_probe_refused_names_address),
		cmocka_unit_test(test_probe_silent_server_passes),
		cmocka_unit_test(test_probe_timeout_within_bound),
		cmocka_unit_test(test_probe_bad_input),
		cmocka_unit_test(test_probe_unresolvable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
