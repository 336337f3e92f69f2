/*
 * test_netcheck.c - the full network check and the network diagnosis of the
 * precheck (FullNetCheckJobStatus, NetworkDiagnosisResult of
 * DescribePreCheckStatus) end to end: a real dtsd (--connect-timeout 2,
 * --region it-region) called through the C client, probing the harness
 * MariaDB and PostgreSQL, an unresolvable host, a closed port, a socket that
 * accepts and never answers, a wrong password and TLS (required without and
 * with server TLS; the latter restarts the harness MariaDB with a
 * certificate and restores it). Field names and types are checked in JSON
 * and in XML.
 *
 *     scripts/harness.sh run build/tests/integration/test_netcheck
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/itest.h"
#include "util/buf.h"
#include "util/timefmt.h"

#define CONNECT_TIMEOUT_S 2
#define NODE_REGION "it-region"

static struct itest_dtsd D;
static struct itest_db MY, PG;

static int setup(void **state)
{
	static const char *const extra[] = { "--connect-timeout", "2", "--region", NODE_REGION,
					      NULL };

	(void)state;
	if (!itest_mysql(&MY) || !itest_pg(&PG)) {
		fprintf(stderr, "test_netcheck: MY_* / PG_* not set; run under scripts/harness.sh\n");
		return -1;
	}
	memset(&D, 0, sizeof(D));
	return itest_dtsd_start(&D, NULL, extra);
}

static int teardown(void **state)
{
	(void)state;
	itest_dtsd_destroy(&D);
	return 0;
}

/* ---- jobs ------------------------------------------------------------------ */

struct job_opts {
	const char *src_host;      /* NULL: the harness MariaDB */
	int src_port;              /* 0: the harness port */
	const char *src_password;  /* NULL: the right one */
	const char *src_region;    /* NULL: none */
	const char *dst_engine;    /* NULL: PostgreSQL */
	int dst_port;
	const char *reserve;       /* NULL: none */
};

static void configure(const struct job_opts *o, char *id, size_t n)
{
	const bool pg = !o->dst_engine || strcmp(o->dst_engine, "PostgreSQL") == 0;
	struct itest_db src = MY, dst = pg ? PG : MY;
	struct kvlist p;
	cJSON *r = NULL;

	if (o->src_host)
		src.host = o->src_host;
	if (o->src_port)
		src.port = o->src_port;
	if (o->dst_port)
		dst.port = o->dst_port;
	kvlist_init(&p);
	kvlist_add(&p, "DtsJobName", "netcheck test");
	kvlist_add(&p, "JobType", "MIGRATION");
	kvlist_add(&p, "StructureInitialization", "false");
	kvlist_add(&p, "DataInitialization", "false");
	kvlist_add(&p, "DataSynchronization", "false");
	kvlist_add(&p, "DbList", "{\"itest\":{\"name\":\"itest\",\"all\":true}}");
	kvlist_add(&p, "Reserve", o->reserve ? o->reserve : "{\"autoStartModulesAfterConfig\":\"none\"}");
	itest_src_params(&p, &src, o->src_password);
	if (o->src_region)
		kvlist_set(&p, "SourceEndpointRegion", o->src_region);
	itest_dst_params(&p, &dst, pg ? "PostgreSQL" : "MySQL", NULL);
	if (itest_callv(&D, &r, "ConfigureDtsJob", &p) != 200)
		fail_msg("ConfigureDtsJob: %s: %s", itest_str(r, "Code"), itest_str(r, "Message"));
	kvlist_release(&p);
	snprintf(id, n, "%s", itest_str(r, "DtsJobId"));
	assert_true(strlen(id) > 8);
	cJSON_Delete(r);
}

/* Starts the job and waits until its precheck is over; returns the
 * milliseconds from StartDtsJob to the end. */
static int64_t run_precheck(const char *id)
{
	cJSON *r = NULL;
	int64_t t0 = time_mono_ms();
	char *st;

	assert_int_equal(itest_call(&D, &r, "StartDtsJob", "DtsJobId", id, NULL), 200);
	cJSON_Delete(r);
	st = itest_wait_status(&D, id, 60000, "Finished", "PrecheckFailed", "MigrationFailed",
			       NULL);
	assert_non_null(st);
	if (strcmp(st, "Finished") != 0 && strcmp(st, "PrecheckFailed") != 0 &&
	    strcmp(st, "MigrationFailed") != 0)
		fail_msg("job %s still %s after 60 s", id, st);
	free(st);
	return time_mono_ms() - t0;
}

static cJSON *describe(const char *id, const char *code)
{
	cJSON *r = NULL;

	assert_int_equal(itest_call(&D, &r, "DescribePreCheckStatus", "DtsJobId", id,
				    "JobCode", code, NULL), 200);
	return r;
}

static void configure_and_run(const struct job_opts *o, char *id, size_t n, cJSON **r)
{
	configure(o, id, n);
	run_precheck(id);
	*r = describe(id, "01");
}

/* ---- field checks ------------------------------------------------------------ */

static void assert_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("\"%s\" does not contain \"%s\"", s, needle);
}

static const cJSON *field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		fail_msg("no field %s", key);
	return v;
}

static void expect_str(const cJSON *o, const char *key)
{
	if (!cJSON_IsString(field(o, key)))
		fail_msg("%s is not a string", key);
}

static void expect_num(const cJSON *o, const char *key)
{
	if (!cJSON_IsNumber(field(o, key)))
		fail_msg("%s is not a number", key);
}

static void expect_boolean(const cJSON *o, const char *key)
{
	if (!cJSON_IsBool(field(o, key)))
		fail_msg("%s is not a boolean", key);
}

/* Every ProgressInfo field of the seed, with its type. */
static void expect_progress_info(const cJSON *p)
{
	static const char *const strings[] = {
		"FinishTime", "IgnoreFlag", "DdlSql", "State", "BootTime", "Item", "Sub",
		"TargetNames", "Names", "ErrDetail", "JobId", "SourceSchema", "DestSchema",
		"ParentObj", "ErrMsg", "RepairMethod", "Id", "Current",
	};
	static const char *const numbers[] = { "DelaySeconds", "Total", "DiffRow", "OrderNum" };
	const cJSON *l;

	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		expect_str(p, strings[i]);
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
		expect_num(p, numbers[i]);
	expect_boolean(p, "Skip");
	expect_boolean(p, "CanSkip");
	assert_true(cJSON_IsArray(field(p, "Logs")));
	assert_true(cJSON_GetArraySize(field(p, "Logs")) >= 1);
	cJSON_ArrayForEach(l, field(p, "Logs")) {
		expect_str(l, "ErrData");
		expect_str(l, "ErrMsg");
		expect_str(l, "LogLevel");
		expect_str(l, "ErrType");
	}
}

/* The one FullNetCheckJobStatus object, its fields typed as in the seed. */
static const cJSON *net_status(const cJSON *r)
{
	static const char *const strings[] = {
		"JobName", "State", "JobId", "Code", "HostRegion", "SrcRegion", "DestRegion",
		"SrcRegionCidr", "DestRegionCidr", "SourceEndpointType", "DestinationEndpointType",
	};
	const cJSON *arr = field(r, "FullNetCheckJobStatus"), *s, *p;

	assert_true(cJSON_IsArray(arr));
	assert_int_equal(cJSON_GetArraySize(arr), 1);
	s = cJSON_GetArrayItem(arr, 0);
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		expect_str(s, strings[i]);
	expect_num(s, "ErrorItem");
	expect_num(s, "Total");
	assert_string_equal(itest_str(s, "JobName"), "dts.step.fullnetcheck");
	assert_string_equal(itest_str(s, "Code"), "01");
	assert_string_equal(itest_str(s, "JobId"), itest_str(r, "JobId"));
	assert_true(strlen(itest_str(s, "JobId")) > 0);
	assert_int_equal((int)itest_num(s, "Total"), 8);
	assert_string_equal(itest_str(s, "HostRegion"), NODE_REGION);
	assert_string_equal(itest_str(s, "SourceEndpointType"), "OTHER");
	assert_string_equal(itest_str(s, "DestinationEndpointType"), "OTHER");
	assert_int_equal(cJSON_GetArraySize(field(s, "JobProgress")), 8);
	cJSON_ArrayForEach(p, field(s, "JobProgress"))
		expect_progress_info(p);
	return s;
}

/* The row `item` ("CHECK_NET_SRC_TCP") of the status. */
static const cJSON *row(const cJSON *status, const char *item)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, field(status, "JobProgress"))
		if (strcmp(itest_str(p, "Item"), item) == 0)
			return p;
	fail_msg("no network check row %s", item);
	return NULL;
}

static const char *log_of(const cJSON *row_, const char *key)
{
	return itest_str(cJSON_GetArrayItem(field(row_, "Logs"), 0), key);
}

/* A failed row carries the message keys and one ERROR log of that stage. */
static void expect_failed_row(const cJSON *status, const char *item, const char *type)
{
	const cJSON *p = row(status, item);
	char key[96];

	assert_string_equal(itest_str(p, "State"), "Failed");
	snprintf(key, sizeof(key), "CHECK__ERROR_%s", item + 6);
	assert_string_equal(itest_str(p, "ErrMsg"), key);
	snprintf(key, sizeof(key), "CHECK__ERROR_%s_DETAIL", item + 6);
	assert_string_equal(itest_str(p, "ErrDetail"), key);
	assert_string_equal(log_of(p, "LogLevel"), "ERROR");
	assert_string_equal(log_of(p, "ErrType"), type);
	assert_false(cJSON_IsTrue(field(p, "CanSkip")));
}

static void expect_state(const cJSON *status, const char *item, const char *state)
{
	const cJSON *p = row(status, item);

	if (strcmp(itest_str(p, "State"), state) != 0)
		fail_msg("%s is %s, expected %s (log: %s)", item, itest_str(p, "State"), state,
			 log_of(p, "ErrMsg"));
}

/* The diagnosis of `endpoint`; checks every field's type and the page. */
static const cJSON *diagnosis(const cJSON *r, const char *endpoint, const char *code)
{
	const cJSON *nd = field(r, "NetworkDiagnosisResult"), *d;
	char path[256];

	assert_string_equal(itest_str(nd, "ModelVersion"), "opendts-network-v1");
	assert_int_equal(cJSON_GetArraySize(field(nd, "Diagnosis")), 2);
	cJSON_ArrayForEach(d, field(nd, "Diagnosis")) {
		if (strcmp(itest_str(d, "EndpointType"), endpoint) != 0)
			continue;
		expect_str(d, "Code");
		expect_str(d, "CnDocUrl");
		expect_str(d, "InternationalDocUrl");
		expect_str(d, "Result");
		if (strcmp(itest_str(d, "Code"), code) != 0)
			fail_msg("%s diagnosis is %s, expected %s: %s", endpoint,
				 itest_str(d, "Code"), code, itest_str(d, "Result"));
		snprintf(path, sizeof(path), "docs/network/%s.md", code);
		assert_string_equal(itest_str(d, "CnDocUrl"), path);
		assert_string_equal(itest_str(d, "InternationalDocUrl"), path);
		/* The page is shipped (tests run from the repository root). */
		if (access(path, R_OK) != 0)
			fail_msg("troubleshooting page %s is missing", path);
		assert_true(strlen(itest_str(d, "Result")) > 40);
		assert_contains(itest_str(d, "Result"), endpoint);
		return d;
	}
	fail_msg("no diagnosis for the %s", endpoint);
	return NULL;
}

/* The password appears nowhere in the reply. */
static void expect_no_secret(const cJSON *r, const char *secret)
{
	char *text = cJSON_PrintUnformatted(r);

	assert_null(strstr(text, secret));
	free(text);
}

/* ---- tests ----------------------------------------------------------------------- */

static void test_never_ran(void **state)
{
	const struct job_opts o = { 0 };
	char id[64];
	cJSON *r;
	const cJSON *nd;

	configure(&o, id, sizeof(id));
	r = describe(id, "01");
	assert_true(cJSON_IsArray(field(r, "FullNetCheckJobStatus")));
	assert_int_equal(cJSON_GetArraySize(field(r, "FullNetCheckJobStatus")), 0);
	nd = field(r, "NetworkDiagnosisResult");
	assert_true(cJSON_IsObject(nd));
	assert_string_equal(itest_str(nd, "ModelVersion"), "opendts-network-v1");
	assert_true(cJSON_IsArray(field(nd, "Diagnosis")));
	assert_int_equal(cJSON_GetArraySize(field(nd, "Diagnosis")), 0);
	cJSON_Delete(r);
}

static void expect_good_rows(const cJSON *s, const char *side)
{
	static const char *const stages[] = { "DNS", "TCP", "TLS", "AUTH" };
	char item[64], names[80];

	for (size_t i = 0; i < 4; i++) {
		snprintf(item, sizeof(item), "CHECK_NET_%s_%s", side, stages[i]);
		snprintf(names, sizeof(names), "%s_DETAIL", item);
		expect_state(s, item, "Success");
		assert_string_equal(itest_str(row(s, item), "Names"), names);
		assert_string_equal(log_of(row(s, item), "LogLevel"), "INFO");
		assert_string_equal(itest_str(row(s, item), "ErrMsg"), "");
	}
	snprintf(item, sizeof(item), "CHECK_NET_%s_TCP", side);
	assert_contains(log_of(row(s, item), "ErrMsg"), "succeeded 3 of 3 times: latency min ");
	assert_contains(log_of(row(s, item), "ErrMsg"), " ms, avg ");
	assert_contains(log_of(row(s, item), "ErrData"), "avg_ms=");
	assert_contains(log_of(row(s, item), "ErrData"), "samples_ms=");
	snprintf(item, sizeof(item), "CHECK_NET_%s_TLS", side);
	assert_contains(log_of(row(s, item), "ErrMsg"), "not configured");
	snprintf(item, sizeof(item), "CHECK_NET_%s_DNS", side);
	assert_contains(log_of(row(s, item), "ErrData"), "addresses=127.0.0.1");
}

static void test_good_endpoints(void **state)
{
	const struct job_opts o = { .src_region = "it-src-region" };
	const cJSON *s, *p;
	char id[64];
	cJSON *r;
	int order = 1;

	configure_and_run(&o, id, sizeof(id), &r);
	s = net_status(r);
	assert_string_equal(itest_str(s, "State"), "Success");
	assert_int_equal((int)itest_num(s, "ErrorItem"), 0);
	assert_string_equal(itest_str(s, "SrcRegion"), "it-src-region");
	assert_string_equal(itest_str(s, "DestRegion"), NODE_REGION);
	assert_string_equal(itest_str(s, "SrcRegionCidr"), "127.0.0.1/32");
	assert_string_equal(itest_str(s, "DestRegionCidr"), "127.0.0.1/32");
	/* Ordered source DNS, TCP, TLS, AUTH, then the destination's. */
	cJSON_ArrayForEach(p, field(s, "JobProgress"))
		assert_int_equal((int)itest_num(p, "OrderNum"), order++);
	assert_string_equal(itest_str(cJSON_GetArrayItem(field(s, "JobProgress"), 0), "Item"),
			    "CHECK_NET_SRC_DNS");
	assert_string_equal(itest_str(cJSON_GetArrayItem(field(s, "JobProgress"), 7), "Item"),
			    "CHECK_NET_DEST_AUTH");
	expect_good_rows(s, "SRC");
	expect_good_rows(s, "DEST");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_AUTH"), "ErrMsg"), "MariaDB");
	assert_contains(log_of(row(s, "CHECK_NET_DEST_AUTH"), "ErrMsg"), "PostgreSQL 15.");
	assert_contains(itest_str(diagnosis(r, "source", "ok"), "Result"), "no network problem");
	diagnosis(r, "destination", "ok");
	expect_no_secret(r, MY.password);
	expect_no_secret(r, PG.password);
	cJSON_Delete(r);

	/* Other step codes carry no network check. */
	r = describe(id, "02");
	assert_int_equal(cJSON_GetArraySize(field(r, "FullNetCheckJobStatus")), 0);
	assert_int_equal(cJSON_GetArraySize(field(field(r, "NetworkDiagnosisResult"),
						  "Diagnosis")), 0);
	assert_string_equal(itest_str(field(r, "NetworkDiagnosisResult"), "ModelVersion"),
			    "opendts-network-v1");
	cJSON_Delete(r);
}

static void test_unresolvable_host(void **state)
{
	const struct job_opts o = { .src_host = "nohost.invalid" };
	const cJSON *s, *d;
	char id[64];
	cJSON *r;

	configure_and_run(&o, id, sizeof(id), &r);
	s = net_status(r);
	assert_string_equal(itest_str(s, "State"), "Failed");
	assert_int_equal((int)itest_num(s, "ErrorItem"), 1);
	assert_string_equal(itest_str(s, "SrcRegionCidr"), "");
	assert_string_equal(itest_str(s, "DestRegionCidr"), "127.0.0.1/32");
	expect_failed_row(s, "CHECK_NET_SRC_DNS", "dns");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_DNS"), "ErrMsg"),
			"cannot resolve host \"nohost.invalid\"");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_DNS"), "ErrMsg"), "SourceEndpointIP");
	expect_state(s, "CHECK_NET_SRC_TCP", "NotStarted");
	expect_state(s, "CHECK_NET_SRC_AUTH", "NotStarted");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_AUTH"), "ErrMsg"),
			"not checked: name resolution failed");
	expect_state(s, "CHECK_NET_DEST_AUTH", "Success");
	d = diagnosis(r, "source", "dns_unresolved");
	assert_contains(itest_str(d, "Result"), "nohost.invalid");
	assert_contains(itest_str(d, "Result"), "SourceEndpointIP");
	diagnosis(r, "destination", "ok");
	/* Informational: the precheck failed on CHECK_CONN_SRC, and the network
	 * check counts in neither ErrorItem nor JobProgress. */
	assert_int_equal((int)itest_num(r, "ErrorItem"), 1);
	cJSON_Delete(r);
}

static void test_closed_port(void **state)
{
	const struct job_opts o = { .dst_engine = "MySQL", .dst_port = itest_closed_port() };
	const cJSON *s;
	char id[64];
	cJSON *r;

	configure_and_run(&o, id, sizeof(id), &r);
	s = net_status(r);
	assert_string_equal(itest_str(s, "State"), "Failed");
	expect_state(s, "CHECK_NET_DEST_DNS", "Success");
	expect_failed_row(s, "CHECK_NET_DEST_TCP", "tcp");
	assert_contains(log_of(row(s, "CHECK_NET_DEST_TCP"), "ErrMsg"), "refused");
	assert_contains(log_of(row(s, "CHECK_NET_DEST_TCP"), "ErrMsg"), "DestinationEndpointPort");
	expect_state(s, "CHECK_NET_DEST_AUTH", "NotStarted");
	assert_contains(itest_str(diagnosis(r, "destination", "tcp_refused"), "Result"),
			"refused");
	diagnosis(r, "source", "ok");
	cJSON_Delete(r);
}

static void test_silent_server_is_bounded(void **state)
{
	struct itest_silent srv;
	struct job_opts o = { .dst_engine = "MySQL" };
	const cJSON *s;
	char id[64];
	int64_t took;
	cJSON *r;

	itest_silent_start(&srv);
	o.dst_port = srv.port;
	configure(&o, id, sizeof(id));
	took = run_precheck(id);
	r = describe(id, "01");
	itest_silent_stop(&srv);
	/* One connect timeout for the login (plus the job's own overhead), not
	 * one per stage and endpoint, and never a hang. */
	if (took >= CONNECT_TIMEOUT_S * 3 * 1000 + 2000)
		fail_msg("precheck took %lld ms with a silent destination", (long long)took);
	s = net_status(r);
	expect_state(s, "CHECK_NET_DEST_TCP", "Success");
	expect_failed_row(s, "CHECK_NET_DEST_AUTH", "auth");
	assert_contains(log_of(row(s, "CHECK_NET_DEST_AUTH"), "ErrMsg"),
			"did not complete the login within 2 s");
	assert_contains(itest_str(diagnosis(r, "destination", "auth_failed"), "Result"),
			"no database server answered");
	diagnosis(r, "source", "ok");
	cJSON_Delete(r);
}

static void test_wrong_password(void **state)
{
	const struct job_opts o = { .src_password = "wrong-Netcheck-Pw-7" };
	const cJSON *s, *d;
	char id[64];
	cJSON *r;

	configure_and_run(&o, id, sizeof(id), &r);
	s = net_status(r);
	expect_state(s, "CHECK_NET_SRC_TCP", "Success");
	expect_state(s, "CHECK_NET_SRC_TLS", "Success");
	expect_failed_row(s, "CHECK_NET_SRC_AUTH", "auth");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_AUTH"), "ErrMsg"), "Access denied");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_AUTH"), "ErrMsg"),
			"SourceEndpointUserName, SourceEndpointPassword");
	d = diagnosis(r, "source", "auth_failed");
	assert_contains(itest_str(d, "Result"), "SourceEndpointPassword");
	diagnosis(r, "destination", "ok");
	expect_no_secret(r, "wrong-Netcheck-Pw-7");
	cJSON_Delete(r);
}

/* TLS asked for on both sides; the harness servers have no TLS. The MySQL
 * client would quietly go on without TLS: the check must not believe it,
 * whether the login then succeeds or is refused. */
static void test_tls_required_without_server_tls(void **state)
{
	struct job_opts o = {
		.reserve = "{\"autoStartModulesAfterConfig\":\"none\",\"srcSSL\":\"1\","
			   "\"destSSL\":\"3\"}",
	};
	const cJSON *s;
	char id[64];
	cJSON *r;

	configure_and_run(&o, id, sizeof(id), &r);
	s = net_status(r);
	expect_failed_row(s, "CHECK_NET_SRC_TLS", "tls");
	expect_failed_row(s, "CHECK_NET_DEST_TLS", "tls");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_TLS"), "ErrMsg"), "does not offer TLS");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_TLS"), "ErrMsg"), "Reserve srcSSL");
	assert_contains(log_of(row(s, "CHECK_NET_DEST_TLS"), "ErrMsg"),
			"server does not support SSL");
	expect_state(s, "CHECK_NET_SRC_AUTH", "NotStarted");
	assert_int_equal((int)itest_num(s, "ErrorItem"), 2);
	assert_contains(itest_str(diagnosis(r, "source", "tls_failed"), "Result"),
			"Reserve srcSSL");
	assert_contains(itest_str(diagnosis(r, "destination", "tls_failed"), "Result"),
			"Reserve destSSL");
	cJSON_Delete(r);

	o.src_password = "wrong-Tls-Pw-1";
	configure_and_run(&o, id, sizeof(id), &r);
	s = net_status(r);
	expect_failed_row(s, "CHECK_NET_SRC_TLS", "tls");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_TLS"), "ErrMsg"), "does not offer TLS");
	diagnosis(r, "source", "tls_failed");
	cJSON_Delete(r);
}

/* ---- TLS against a MariaDB with a certificate ---------------------------------- */

static int run_cmd(const char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (strcmp(argv[0], "openssl") == 0 && !freopen("/dev/null", "w", stderr))
			_exit(126);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char tls_dir[64];

/* Restores the harness MariaDB's default options (always, even after a
 * failed assertion). */
static int restore_mariadb(void **state)
{
	const char *hdir = getenv("HARNESS_DIR");
	char path[160];

	(void)state;
	if (!tls_dir[0])
		return 0;
	if (hdir && run_cmd((const char *const[]){ "bash", "scripts/harness.sh",
						   "restart-mariadb", hdir, NULL }) != 0)
		fprintf(stderr, "test_netcheck: cannot restore the harness MariaDB\n");
	for (const char *const *f = (const char *const[]){ "key.pem", "cert.pem", NULL }; *f; f++) {
		snprintf(path, sizeof(path), "%s/%s", tls_dir, *f);
		unlink(path);
	}
	rmdir(tls_dir);
	tls_dir[0] = '\0';
	return 0;
}

static void test_tls_with_server_tls(void **state)
{
	const char *hdir = getenv("HARNESS_DIR");
	struct job_opts o = {
		.dst_engine = "MySQL",
		.reserve = "{\"autoStartModulesAfterConfig\":\"none\",\"srcSSL\":\"1\"}",
	};
	char key[128], cert[128], opt_key[160], opt_cert[160], id[64];
	const cJSON *s;
	cJSON *r;

	if (!hdir || !*hdir) {
		print_message("skipping: HARNESS_DIR is not set\n");
		skip();
	}
	snprintf(tls_dir, sizeof(tls_dir), "/tmp/opendts-nctls.XXXXXX");
	assert_non_null(mkdtemp(tls_dir));
	snprintf(key, sizeof(key), "%s/key.pem", tls_dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", tls_dir);
	assert_int_equal(run_cmd((const char *const[]){
		"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
		"-out", cert, "-days", "1", "-subj", "/CN=opendts-itest", NULL }), 0);
	snprintf(opt_key, sizeof(opt_key), "--ssl-key=%s", key);
	snprintf(opt_cert, sizeof(opt_cert), "--ssl-cert=%s", cert);
	assert_int_equal(run_cmd((const char *const[]){ "bash", "scripts/harness.sh",
		"restart-mariadb", hdir, opt_cert, opt_key, NULL }), 0);
	configure_and_run(&o, id, sizeof(id), &r);
	s = net_status(r);
	expect_state(s, "CHECK_NET_SRC_TLS", "Success");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_TLS"), "ErrMsg"), "TLS handshake with source");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_TLS"), "ErrMsg"), "TLSv1.");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_TLS"), "ErrMsg"), "cipher ");
	assert_contains(log_of(row(s, "CHECK_NET_DEST_TLS"), "ErrMsg"), "not configured");
	expect_state(s, "CHECK_NET_SRC_AUTH", "Success");
	assert_contains(itest_str(diagnosis(r, "source", "ok"), "Result"), "TLS on");
	cJSON_Delete(r);

	/* A refused login over TLS: TLS passed, the login did not. */
	o.src_password = "wrong-Tls-Pw-2";
	configure_and_run(&o, id, sizeof(id), &r);
	s = net_status(r);
	expect_state(s, "CHECK_NET_SRC_TLS", "Success");
	assert_contains(log_of(row(s, "CHECK_NET_SRC_TLS"), "ErrMsg"),
			"refused the login over TLS");
	expect_failed_row(s, "CHECK_NET_SRC_AUTH", "auth");
	diagnosis(r, "source", "auth_failed");
	cJSON_Delete(r);
}

/* ---- XML ------------------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) == 0 ? size * n : 0;
}

/* DescribePreCheckStatus of the job as XML, through a V1 request. */
static xmlDocPtr describe_xml(const char *id)
{
	struct dts_client_config cfg = { .endpoint = D.endpoint, .access_key_id = ITEST_KEY_ID,
					 .access_key_secret = ITEST_SECRET,
					 .signature = DTS_SIG_V1 };
	struct dts_client *c;
	struct dts_request req;
	struct kvlist p;
	struct err e = { 0 };
	struct buf body;
	CURL *h = curl_easy_init();
	xmlDocPtr doc;

	c = dts_client_new(&cfg, &e);
	assert_non_null(c);
	kvlist_init(&p);
	kvlist_add(&p, "DtsJobId", id);
	kvlist_add(&p, "JobCode", "01");
	kvlist_add(&p, "Format", "XML");
	assert_int_equal(dts_client_build(c, "DescribePreCheckStatus", &p, &req, &e), 0);
	buf_init(&body, BUF_UNLIMITED);
	curl_easy_setopt(h, CURLOPT_URL, req.url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, buf_cstr(&req.body));
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)req.body.len);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	doc = xmlReadMemory(buf_cstr(&body), (int)body.len, "reply.xml", NULL, XML_PARSE_NONET);
	if (!doc)
		fail_msg("not XML: %.300s", buf_cstr(&body));
	curl_easy_cleanup(h);
	buf_release(&body);
	dts_request_release(&req);
	kvlist_release(&p);
	dts_client_free(c);
	return doc;
}

static xmlNodePtr xml_child(xmlNodePtr n, const char *name, int *count)
{
	xmlNodePtr found = NULL;

	*count = 0;
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, name) != 0)
			continue;
		if (!found)
			found = c;
		(*count)++;
	}
	if (!found)
		fail_msg("<%s> has no <%s>", (const char *)n->name, name);
	return found;
}

static void expect_xml_text(xmlNodePtr n, const char *name, const char *want)
{
	int count;
	xmlChar *text = xmlNodeGetContent(xml_child(n, name, &count));

	assert_int_equal(count, 1);
	if (want)
		assert_string_equal((const char *)text, want);
	xmlFree(text);
}

static void test_xml_fields(void **state)
{
	static const char *const status_fields[] = {
		"JobName", "State", "JobId", "ErrorItem", "Code", "Total", "HostRegion",
		"SrcRegion", "DestRegion", "SrcRegionCidr", "DestRegionCidr",
		"SourceEndpointType", "DestinationEndpointType",
	};
	const struct job_opts o = { 0 };
	xmlNodePtr root, st, nd, d;
	char id[64];
	int count;
	xmlDocPtr doc;
	cJSON *r;

	configure_and_run(&o, id, sizeof(id), &r);
	cJSON_Delete(r);
	doc = describe_xml(id);
	root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "DescribePreCheckStatusResponse");
	st = xml_child(root, "FullNetCheckJobStatus", &count);
	assert_int_equal(count, 1);
	for (size_t i = 0; i < sizeof(status_fields) / sizeof(status_fields[0]); i++)
		expect_xml_text(st, status_fields[i], NULL);
	expect_xml_text(st, "JobName", "dts.step.fullnetcheck");
	expect_xml_text(st, "Total", "8");
	expect_xml_text(st, "ErrorItem", "0");
	expect_xml_text(st, "SrcRegionCidr", "127.0.0.1/32");
	xml_child(st, "JobProgress", &count);
	assert_int_equal(count, 8);
	expect_xml_text(xml_child(st, "JobProgress", &count), "Item", "CHECK_NET_SRC_DNS");
	nd = xml_child(root, "NetworkDiagnosisResult", &count);
	assert_int_equal(count, 1);
	expect_xml_text(nd, "ModelVersion", "opendts-network-v1");
	d = xml_child(nd, "Diagnosis", &count);
	assert_int_equal(count, 2);
	expect_xml_text(d, "EndpointType", "source");
	expect_xml_text(d, "Code", "ok");
	expect_xml_text(d, "CnDocUrl", "docs/network/ok.md");
	expect_xml_text(d, "InternationalDocUrl", "docs/network/ok.md");
	expect_xml_text(d, "Result", NULL);
	xmlFreeDoc(doc);
}

/* ResetDtsJob forgets the network check with the rest of the job's state. */
static void test_reset_clears(void **state)
{
	const struct job_opts o = { 0 };
	char id[64];
	cJSON *r;

	configure_and_run(&o, id, sizeof(id), &r);
	assert_int_equal(cJSON_GetArraySize(field(r, "FullNetCheckJobStatus")), 1);
	cJSON_Delete(r);
	assert_int_equal(itest_call(&D, &r, "ResetDtsJob", "DtsJobId", id, NULL), 200);
	cJSON_Delete(r);
	r = describe(id, "01");
	assert_int_equal(cJSON_GetArraySize(field(r, "FullNetCheckJobStatus")), 0);
	assert_int_equal(cJSON_GetArraySize(field(field(r, "NetworkDiagnosisResult"),
						  "Diagnosis")), 0);
	cJSON_Delete(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_never_ran),
		cmocka_unit_test(test_good_endpoints),
		cmocka_unit_test(test_unresolvable_host),
		cmocka_unit_test(test_closed_port),
		cmocka_unit_test(test_silent_server_is_bounded),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_tls_required_without_server_tls),
		cmocka_unit_test(test_xml_fields),
		cmocka_unit_test(test_reset_clears),
		cmocka_unit_test_teardown(test_tls_with_server_tls, restore_mariadb),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
