/*
 * cli.h - internal interface of the `dts` command-line tool (src/cli/).
 *
 * One option table per subcommand (args.c) drives getopt_long parsing, the
 * mapping of flags to API parameters, validation and --help. config.c picks
 * the endpoint and keys (flags, then environment, then ~/.opendts/config),
 * table.c renders replies for `-o table`, watch.c runs `dts watch`, report.c
 * maps errors to the documented exit codes. main.c only wires them together.
 * Single-threaded; strings taken from argv are borrowed for the process life.
 */
#ifndef OPENDTS_CLI_CLI_H
#define OPENDTS_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "client/client.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/kv.h"

/* Exit codes (documented in `dts --help` and docs/cli.md). */
enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_USAGE = 1,        /* bad flags, missing keys, bad config file */
	CLI_EXIT_API = 2,          /* the server answered with an error */
	CLI_EXIT_CONNECT = 3,      /* no answer: cannot connect, timeout */
	CLI_EXIT_WATCH_FAILED = 4, /* watch ended in a state other than Finished */
};

/* How an option's value becomes an API parameter. */
enum cli_kind {
	CLI_STR,          /* as given */
	CLI_INT,          /* a non-negative decimal integer */
	CLI_BOOL,         /* true|false (any case), sent in lower case */
	CLI_JSON,         /* JSON text or @FILE; validated and minified */
	CLI_LIST,         /* "A,B" -> JSON array ["A","B"] */
	CLI_ENV,          /* the name of an environment variable holding the value */
	CLI_JOBCODE,      /* 1..4 or 01..04, sent as 01..04 */
	CLI_NAME_FILTER,  /* sets Type=name and `param`=value (DescribeDtsJobs) */
};

#define CLI_REQUIRED 1u   /* the parameter must end up set (flag, --param or default) */
#define CLI_SECRET 2u     /* the value is never echoed */
#define CLI_LOCAL 4u      /* not sent: kept in cli_args.local under `param` */

struct cli_opt {
	const char *name;      /* long option without "--" */
	const char *param;     /* API parameter (or local key) it fills */
	enum cli_kind kind;
	unsigned flags;
	const char *def;       /* default when the parameter is still unset */
	const char *metavar;   /* NULL: derived from kind */
	const char *help;
};

struct cli_cmd {
	const char *name;      /* "configure-job" */
	const char *action;    /* "ConfigureDtsJob"; NULL for watch */
	const char *summary;
	const struct cli_opt *opts;                 /* ends with name == NULL */
	void (*fixup)(struct kvlist *params);       /* after defaults; may be NULL */
};

enum cli_output { CLI_OUT_JSON = 0, CLI_OUT_TABLE };

struct cli_args {
	const struct cli_cmd *cmd;   /* NULL only with help/version */
	bool help;
	bool version;
	/* global options as given (NULL / 0 / -1: not given) */
	const char *endpoint;
	const char *key_id;
	const char *secret;
	const char *region;
	const char *config;          /* --config FILE */
	long timeout_ms;
	int signature;               /* -1 or enum dts_signature */
	enum cli_output output;
	struct kvlist params;        /* API parameters of the call */
	struct kvlist local;         /* CLI_LOCAL values (watch: "interval") */
};

/* ---- args.c ---- */
void cli_args_init(struct cli_args *a);
void cli_args_release(struct cli_args *a);
/* Parses argv (global options may come before or after the subcommand).
 * Fills a; -1 with err (ERR_INVALID / ERR_MISSING, message names the flag,
 * never a secret value). With --help/--version it returns 0 early and skips
 * the required-parameter checks. Resets getopt's state itself. */
int cli_parse(int argc, char **argv, struct cli_args *a, struct err *err);
const struct cli_cmd *cli_cmd_find(const char *name);
/* Help for the tool (cmd NULL) or one subcommand, from the option tables. */
void cli_usage(FILE *out, const struct cli_cmd *cmd);

/* ---- config.c ---- */
struct cli_settings {
	char *endpoint;
	char *key_id;
	char *secret;
	char *region;
};
void cli_settings_release(struct cli_settings *s);
/* Parses "key = value" lines (keys endpoint, access_key_id,
 * access_key_secret, region; '#' comments; optional double quotes) into s.
 * `path` only names the file in messages. */
int cli_config_parse(const char *text, size_t len, const char *path,
		     struct cli_settings *s, struct err *err);
/* Reads and parses the file. A missing file is fine unless must_exist.
 * Refuses (ERR_INVALID) a file that holds a secret and is accessible by
 * group or others. */
int cli_config_load(const char *path, bool must_exist, struct cli_settings *s,
		    struct err *err);
/* Each setting from the flag, else the environment (DTS_ENDPOINT,
 * DTS_ACCESS_KEY_ID, DTS_ACCESS_KEY_SECRET, DTS_REGION), else the config file
 * (--config, or $HOME/.opendts/config), else the default endpoint.
 * ERR_MISSING if no key id or secret is found anywhere. */
int cli_settings_resolve(const struct cli_args *a, struct cli_settings *out,
			 struct err *err);

/* ---- table.c ---- */
/* Prints reply as a table: DescribeDtsJobs (DtsJobId, DtsJobName, Status,
 * CreateTime), DescribePreCheckStatus (Item, State, cli_item_message);
 * every other action as a Key/Value list of the leaves. */
void cli_table_print(FILE *out, const char *action, const cJSON *reply);
/* A DescribePreCheckStatus item's first Logs[].ErrMsg (the readable reason),
 * else its ErrMsg (often a message key), else "". Borrowed from item. */
const char *cli_item_message(const cJSON *item);

/* ---- watch.c ---- */
#define CLI_WATCH_STEPS 4
#define CLI_WATCH_FAILED_MAX 8

struct cli_step {
	bool ok;                 /* the step answered this round */
	char state[32];          /* module State */
	long long items;         /* total items (TotalRecordCount / Total) */
	long long items_seen;
	long long items_done;
	long long items_failed;
	long long rows;          /* 03: sum of item Total */
	long long rows_done;     /* 03: sum of item Current */
	long long delay_s;       /* 04: largest DelaySeconds */
};

struct cli_watch_view {
	char job_id[128];
	char name[128];
	char status[48];
	char error[512];         /* job ErrorMessage */
	struct cli_step step[CLI_WATCH_STEPS];
	char failed[CLI_WATCH_FAILED_MAX][256];   /* "code Item: message" */
	int nfailed;
};

/* True for the states where watch stops: Finished, PrecheckFailed,
 * MigrationFailed, Failed, Suspending, NotStarted. */
bool cli_watch_is_rest(const char *status);
/* Adds one DescribePreCheckStatus reply page of step idx (0..3 = 01..04). */
void cli_watch_add_page(struct cli_watch_view *v, int idx, const cJSON *reply);
/* Progress of a step in percent, or -1 when unknown. */
int cli_watch_percent(const struct cli_step *s, int idx);
/* One plain line (without time stamp) describing v. */
void cli_watch_plain(const struct cli_watch_view *v, struct buf *out);
/* The multi-line terminal view with progress bars. */
void cli_watch_render(const struct cli_watch_view *v, struct buf *out);
/* Polls the job named by params' DtsJobId every interval_s seconds until it
 * rests, printing to out (redrawn view when tty, else one line per change).
 * `params` (DtsJobId, any --param pairs) go on every call. Returns
 * CLI_EXIT_OK (Finished) or CLI_EXIT_WATCH_FAILED, or -1 with err and
 * *http_status from the failing call. */
int cli_watch_run(struct dts_client *c, const struct kvlist *params,
		  int interval_s, FILE *out, bool tty, int *http_status,
		  struct err *err);

/* ---- report.c ---- */
/* The exit code for a failed call (http_status 0: no HTTP reply). */
int cli_exit_code(const struct err *err, int http_status);
/* Prints "error: Code: Message (RequestId X)" for API errors, else
 * "error: message" and "hint: detail". */
void cli_report(FILE *out, const struct err *err, int http_status);

#endif
