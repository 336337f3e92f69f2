/*
 * watch.c - `dts watch`: polls DescribeDtsJobDetail and DescribePreCheckStatus
 * (steps 01..04) and shows progress until the job reaches a rest state. On a
 * terminal the view is redrawn in place with progress bars; otherwise one
 * plain line is printed per change, for logs and scripts.
 *
 * Single-threaded. A view is rebuilt from scratch every round; all memory is
 * released before the next one. Transport failures are retried a few times
 * (a restarting dtsd should not end a long watch); API errors end it.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define POLL_PAGE_SIZE "100"
#define MAX_PAGES 10          /* per step and round: 1000 items */
#define RETRIES 5             /* consecutive transport failures tolerated */
#define BAR_WIDTH 30

static const char *const step_code[CLI_WATCH_STEPS] = { "01", "02", "03", "04" };
static const char *const step_title[CLI_WATCH_STEPS] = {
	"precheck", "schema", "full data", "incremental"
};
static const char *const step_key[CLI_WATCH_STEPS] = { "precheck", "schema", "full", "incr" };

bool cli_watch_is_rest(const char *status)
{
	static const char *const rest[] = {
		"Finished", "PrecheckFailed", "MigrationFailed", "Failed", "Suspending",
		"NotStarted",
	};

	for (size_t i = 0; i < sizeof(rest) / sizeof(rest[0]); i++)
		if (str_ieq(status, rest[i]))
			return true;
	return false;
}

static bool item_done(const char *state)
{
	return str_ieq(state, "Success") || str_ieq(state, "Failed") ||
	       str_ieq(state, "Warning") || str_ieq(state, "Finished") ||
	       str_ieq(state, "Catched");
}

/* A number given as a JSON number or as decimal text; 0 otherwise. */
static long long json_ll(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsNumber(v))
		return (long long)v->valuedouble;
	if (cJSON_IsString(v))
		return strtoll(v->valuestring, NULL, 10);
	return 0;
}

static const char *json_s(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static void add_item(struct cli_watch_view *v, int idx, const cJSON *item)
{
	struct cli_step *s = &v->step[idx];
	const char *state = json_s(item, "State");

	s->items_seen++;
	if (item_done(state))
		s->items_done++;
	if (str_ieq(state, "Failed")) {
		s->items_failed++;
		if (v->nfailed < CLI_WATCH_FAILED_MAX)
			snprintf(v->failed[v->nfailed++], sizeof(v->failed[0]), "%s %s: %s",
				 step_code[idx], json_s(item, "Item"), cli_item_message(item));
	}
	if (idx == 2) {
		s->rows += json_ll(item, "Total");
		s->rows_done += json_ll(item, "Current");
	}
	if (idx == 3 && json_ll(item, "DelaySeconds") > s->delay_s)
		s->delay_s = json_ll(item, "DelaySeconds");
}

void cli_watch_add_page(struct cli_watch_view *v, int idx, const cJSON *reply)
{
	struct cli_step *s = &v->step[idx];
	const cJSON *item;
	long long total = json_ll(reply, "TotalRecordCount");

	s->ok = true;
	if (!total)
		total = json_ll(reply, "Total");
	if (total > s->items)
		s->items = total;
	if (json_s(reply, "State")[0])
		str_copy(s->state, sizeof(s->state), json_s(reply, "State"));
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(reply, "JobProgress"))
		add_item(v, idx, item);
	if (s->items < s->items_seen)
		s->items = s->items_seen;
}

static int clamp_pct(long long done, long long total)
{
	long long p = done * 100 / total;

	return p < 0 ? 0 : p > 100 ? 100 : (int)p;
}

int cli_watch_percent(const struct cli_step *s, int idx)
{
	if (!s->ok || !s->state[0])
		return -1;
	if (str_ieq(s->state, "Finished") || str_ieq(s->state, "Catched"))
		return 100;
	if (idx == 3)
		return -1;   /* incremental has no end to measure against */
	if (idx == 2 && s->rows > 0)
		return clamp_pct(s->rows_done, s->rows);
	if (s->items > 0)
		return clamp_pct(s->items_done, s->items);
	return 0;
}

/* "Migrating(4/10)", "Migrating(4475/10000 rows)", "Catched(delay=0s)". */
static void step_brief(const struct cli_step *s, int idx, struct buf *out)
{
	if (!s->ok) {
		buf_puts(out, "n/a");
		return;
	}
	buf_puts(out, s->state[0] ? s->state : "-");
	if (idx == 3 && (str_ieq(s->state, "Migrating") || str_ieq(s->state, "Catched")))
		buf_printf(out, "(delay=%llds)", s->delay_s);
	else if (idx == 2 && s->rows > 0)
		buf_printf(out, "(%lld/%lld rows)", s->rows_done, s->rows);
	else if (idx != 3 && s->items > 0)
		buf_printf(out, "(%lld/%lld)", s->items_done, s->items);
}

void cli_watch_plain(const struct cli_watch_view *v, struct buf *out)
{
	buf_printf(out, "job=%s status=%s", v->job_id, v->status[0] ? v->status : "-");
	for (int i = 0; i < CLI_WATCH_STEPS; i++) {
		buf_printf(out, " %s=", step_key[i]);
		step_brief(&v->step[i], i, out);
	}
}

void cli_watch_render(const struct cli_watch_view *v, struct buf *out)
{
	buf_printf(out, "job %s%s%s%s: %s\n", v->job_id, v->name[0] ? " (" : "", v->name,
		   v->name[0] ? ")" : "", v->status[0] ? v->status : "-");
	for (int i = 0; i < CLI_WATCH_STEPS; i++) {
		const struct cli_step *s = &v->step[i];
		int pct = cli_watch_percent(s, i);
		buf_printf(out, "  %s %-12s ", step_code[i], step_title[i]);
		if (pct >= 0 && i != 3) {
			int fill = pct * BAR_WIDTH / 100;
			buf_putc(out, '[');
			for (int b = 0; b < BAR_WIDTH; b++)
				buf_putc(out, b < fill ? '#' : '-');
			buf_printf(out, "] %3d%%  ", pct);
		}
		step_brief(s, i, out);
		buf_putc(out, '\n');
	}
	if (v->error[0])
		buf_printf(out, "  error: %s\n", v->error);
}

/* ---- polling ---- */

/* One step, all pages (up to MAX_PAGES). An API error marks the step n/a;
 * only a transport failure fails the round. */
static int poll_step(struct dts_client *c, const struct kvlist *params,
		     struct cli_watch_view *v, int idx, int *http_status, struct err *err)
{
	struct kvlist p;
	int rc = 0;

	kvlist_init(&p);
	for (size_t i = 0; i < params->len; i++)
		kvlist_add(&p, params->items[i].key, params->items[i].val);
	kvlist_set(&p, "JobCode", step_code[idx]);
	kvlist_set(&p, "PageSize", POLL_PAGE_SIZE);
	if (idx == 1)
		kvlist_set(&p, "StructType", "before");
	for (int page = 1; page <= MAX_PAGES; page++) {
		char no[16];
		cJSON *reply = NULL;
		long long before = v->step[idx].items_seen;
		snprintf(no, sizeof(no), "%d", page);
		kvlist_set(&p, "PageNo", no);
		if (dts_client_call(c, "DescribePreCheckStatus", &p, &reply, http_status, err) < 0) {
			cJSON_Delete(reply);
			if (*http_status == 0) {
				rc = -1;
			} else {
				v->step[idx].ok = false;
				err_clear(err);
			}
			break;
		}
		cli_watch_add_page(v, idx, reply);
		cJSON_Delete(reply);
		if (v->step[idx].items_seen == before ||
		    v->step[idx].items_seen >= v->step[idx].items)
			break;
	}
	kvlist_release(&p);
	return rc;
}

static int poll_once(struct dts_client *c, const struct kvlist *params,
		     struct cli_watch_view *v, int *http_status, struct err *err)
{
	cJSON *reply = NULL;

	if (dts_client_call(c, "DescribeDtsJobDetail", params, &reply, http_status, err) < 0) {
		cJSON_Delete(reply);
		return -1;
	}
	str_copy(v->status, sizeof(v->status), json_s(reply, "Status"));
	str_copy(v->name, sizeof(v->name), json_s(reply, "DtsJobName"));
	str_copy(v->error, sizeof(v->error), json_s(reply, "ErrorMessage"));
	cJSON_Delete(reply);
	for (int i = 0; i < CLI_WATCH_STEPS; i++)
		if (poll_step(c, params, v, i, http_status, err) < 0)
			return -1;
	return 0;
}

static void sleep_s(int s)
{
	struct timespec ts = { .tv_sec = s, .tv_nsec = 0 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Shows v: redraws the terminal view, or prints a line when it changed. */
static void show(const struct cli_watch_view *v, FILE *out, bool tty, int *drawn,
		 struct buf *last)
{
	struct buf now;

	buf_init(&now, BUF_UNLIMITED);
	if (tty) {
		cli_watch_render(v, &now);
		if (*drawn)
			fprintf(out, "\033[%dA\033[J", *drawn);
		fputs(buf_cstr(&now), out);
		*drawn = 0;
		for (const char *p = buf_cstr(&now); *p; p++)
			*drawn += *p == '\n';
	} else {
		cli_watch_plain(v, &now);
		if (strcmp(buf_cstr(&now), buf_cstr(last)) != 0) {
			char ts[TIME_ISO_LEN];
			fprintf(out, "%s %s\n", time_iso_z(ts, time_now_ms()), buf_cstr(&now));
			buf_reset(last);
			buf_puts(last, buf_cstr(&now));
		}
	}
	fflush(out);
	buf_release(&now);
}

static int watch_end(const struct cli_watch_view *v, FILE *out, bool tty)
{
	fprintf(out, "job %s: %s\n", v->job_id, v->status);
	fflush(out);
	if (str_ieq(v->status, "Finished"))
		return CLI_EXIT_OK;
	fprintf(stderr, "dts: job %s stopped in state %s\n", v->job_id, v->status);
	if (v->error[0] && !tty)   /* the terminal view already shows it */
		fprintf(stderr, "  error: %s\n", v->error);
	for (int i = 0; i < v->nfailed; i++)
		fprintf(stderr, "  failed: %s\n", v->failed[i]);
	if (str_ieq(v->status, "PrecheckFailed"))
		fprintf(stderr, "hint: fix the cause and run \"dts start-job --job-id %s\", or skip "
			"skippable items with \"dts skip-precheck --job-id %s --items ...\"\n",
			v->job_id, v->job_id);
	return CLI_EXIT_WATCH_FAILED;
}

int cli_watch_run(struct dts_client *c, const struct kvlist *params,
		  int interval_s, FILE *out, bool tty, int *http_status,
		  struct err *err)
{
	struct cli_watch_view *v = xmalloc(sizeof(*v));
	struct buf last;
	int drawn = 0, failures = 0, rc = -1;
	bool answered = false;   /* retry only once the endpoint has worked */
	const char *job = kvlist_get(params, "DtsJobId");

	buf_init(&last, BUF_UNLIMITED);
	for (;;) {
		memset(v, 0, sizeof(*v));
		str_copy(v->job_id, sizeof(v->job_id), job ? job : "");
		if (poll_once(c, params, v, http_status, err) < 0) {
			if (*http_status != 0 || !answered || ++failures > RETRIES)
				goto cleanup;
			fprintf(stderr, "dts: watch: %s; retrying\n", err->msg);
			sleep_s(interval_s);
			continue;
		}
		failures = 0;
		answered = true;
		show(v, out, tty, &drawn, &last);
		if (cli_watch_is_rest(v->status))
			break;
		sleep_s(interval_s);
	}
	rc = watch_end(v, out, tty);
cleanup:
	buf_release(&last);
	free(v);
	return rc;
}
