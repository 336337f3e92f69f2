/*
 * args.c - the option tables of `dts` and everything derived from them:
 * getopt_long parsing, flag -> API parameter mapping, value validation,
 * defaults, required checks and --help. Adding a flag is one table line.
 *
 * Single-threaded (getopt keeps global state). Values taken from argv are
 * borrowed; transformed values (minified JSON, lists) are copied into the
 * cli_args kvlists, which the caller releases with cli_args_release.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/str.h"
#include "util/xalloc.h"

#define JSON_FILE_MAX (4u << 20)

/* ---- the tables ---- */

enum {
	G_ENDPOINT, G_KEY_ID, G_SECRET, G_REGION, G_TIMEOUT, G_SIGNATURE, G_OUTPUT,
	G_CONFIG, G_HELP, G_VERSION, G__COUNT
};

static const struct cli_opt global_opts[G__COUNT] = {
	[G_ENDPOINT] = { "endpoint", NULL, CLI_STR, 0, NULL, "URL",
			 "API endpoint (env DTS_ENDPOINT; default " DTS_DEFAULT_ENDPOINT ")" },
	[G_KEY_ID] = { "access-key-id", NULL, CLI_STR, 0, NULL, "ID",
		       "access key id (env DTS_ACCESS_KEY_ID)" },
	[G_SECRET] = { "access-key-secret", NULL, CLI_STR, CLI_SECRET, NULL, "SECRET",
		       "access key secret (env DTS_ACCESS_KEY_SECRET; prefer env or config)" },
	[G_REGION] = { "region", NULL, CLI_STR, 0, NULL, "REGION",
		       "RegionId sent with every call (env DTS_REGION)" },
	[G_TIMEOUT] = { "timeout", NULL, CLI_INT, 0, NULL, "SECONDS",
			"give up on a call after this long (default 10)" },
	[G_SIGNATURE] = { "signature", NULL, CLI_STR, 0, NULL, "v3|v1",
			  "request signature: v3 ACS3-HMAC-SHA256 (default) or v1 HMAC-SHA1" },
	[G_OUTPUT] = { "output", NULL, CLI_STR, 0, NULL, "json|table",
		       "reply as pretty JSON (default) or a table" },
	[G_CONFIG] = { "config", NULL, CLI_STR, 0, NULL, "FILE",
		       "config file (default ~/.opendts/config)" },
	[G_HELP] = { "help", NULL, CLI_STR, 0, NULL, "", "show help" },
	[G_VERSION] = { "version", NULL, CLI_STR, 0, NULL, "", "print the version" },
};

#define OPT_JOB_ID { "job-id", "DtsJobId", CLI_STR, CLI_REQUIRED, NULL, "ID", "the job" }
#define OPT_INSTANCE_ID { "instance-id", "DtsInstanceId", CLI_STR, 0, NULL, "ID", "the instance (dts + job id)" }
#define OPT_END { NULL, NULL, CLI_STR, 0, NULL, NULL, NULL }

static const struct cli_opt create_opts[] = {
	{ "type", "Type", CLI_STR, 0, NULL, "TYPE", "MIGRATION, SYNC or SUBSCRIBE" },
	{ "source-engine", "SourceEndpointEngineName", CLI_STR, 0, NULL, "ENGINE", "e.g. MySQL" },
	{ "destination-engine", "DestinationEndpointEngineName", CLI_STR, 0, NULL, "ENGINE",
	  "e.g. MySQL, PostgreSQL" },
	{ "source-region", "SourceRegion", CLI_STR, 0, NULL, "REGION", "source region" },
	{ "destination-region", "DestinationRegion", CLI_STR, 0, NULL, "REGION", "destination region" },
	{ "instance-class", "InstanceClass", CLI_STR, 0, NULL, "CLASS", "small, medium, large, ..." },
	{ "pay-type", "PayType", CLI_STR, 0, "PostPaid", "TYPE", "PostPaid or PrePaid" },
	{ "job-id", "JobId", CLI_STR, 0, NULL, "ID", "job from an earlier configure-job (configure first)" },
	{ "auto-start", "AutoStart", CLI_BOOL, 0, NULL, NULL, "start the job (with --job-id)" },
	OPT_END
};

static const struct cli_opt configure_opts[] = {
	{ "job-id", "DtsJobId", CLI_STR, 0, NULL, "ID", "job to configure (omit to create one)" },
	OPT_INSTANCE_ID,
	{ "name", "DtsJobName", CLI_STR, CLI_REQUIRED, NULL, "NAME", "job name" },
	{ "job-type", "JobType", CLI_STR, CLI_REQUIRED, "MIGRATION", "TYPE", "MIGRATION, SYNC or CHECK" },
	{ "structure-init", "StructureInitialization", CLI_BOOL, CLI_REQUIRED, "true", NULL,
	  "run step 02, schema" },
	{ "data-init", "DataInitialization", CLI_BOOL, CLI_REQUIRED, "true", NULL,
	  "run step 03, full data" },
	{ "data-sync", "DataSynchronization", CLI_BOOL, CLI_REQUIRED, "false", NULL,
	  "run step 04, incremental" },
	{ "db-list", "DbList", CLI_JSON, 0, NULL, NULL, "objects to move (DbList JSON)" },
	{ "reserve", "Reserve", CLI_JSON, 0, NULL, NULL, "extra settings (Reserve JSON)" },
	{ "checkpoint", "Checkpoint", CLI_INT, 0, NULL, "UNIXTIME", "incremental start" },
	{ "src-type", "SourceEndpointInstanceType", CLI_STR, CLI_REQUIRED, "OTHER", "TYPE",
	  "source instance type" },
	{ "src-engine", "SourceEndpointEngineName", CLI_STR, 0, NULL, "ENGINE", "MySQL, PostgreSQL" },
	{ "src-host", "SourceEndpointIP", CLI_STR, 0, NULL, "HOST", "source host" },
	{ "src-port", "SourceEndpointPort", CLI_INT, 0, NULL, "PORT", "source port" },
	{ "src-user", "SourceEndpointUserName", CLI_STR, 0, NULL, "USER", "source user" },
	{ "src-password", "SourceEndpointPassword", CLI_STR, CLI_SECRET, NULL, "PASSWORD",
	  "source password (visible in ps; prefer --src-password-env)" },
	{ "src-password-env", "SourceEndpointPassword", CLI_ENV, 0, NULL, NULL,
	  "read the source password from this environment variable" },
	{ "src-database", "SourceEndpointDatabaseName", CLI_STR, 0, NULL, "DB", "source database" },
	{ "src-region", "SourceEndpointRegion", CLI_STR, 0, NULL, "REGION", "source region" },
	{ "dst-type", "DestinationEndpointInstanceType", CLI_STR, CLI_REQUIRED, "OTHER", "TYPE",
	  "destination instance type" },
	{ "dst-engine", "DestinationEndpointEngineName", CLI_STR, 0, NULL, "ENGINE",
	  "MySQL, PostgreSQL" },
	{ "dst-host", "DestinationEndpointIP", CLI_STR, 0, NULL, "HOST", "destination host" },
	{ "dst-port", "DestinationEndpointPort", CLI_INT, 0, NULL, "PORT", "destination port" },
	{ "dst-user", "DestinationEndpointUserName", CLI_STR, 0, NULL, "USER", "destination user" },
	{ "dst-password", "DestinationEndpointPassword", CLI_STR, CLI_SECRET, NULL, "PASSWORD",
	  "destination password (visible in ps; prefer --dst-password-env)" },
	{ "dst-password-env", "DestinationEndpointPassword", CLI_ENV, 0, NULL, NULL,
	  "read the destination password from this environment variable" },
	/* The API really spells this one with a capital B. */
	{ "dst-database", "DestinationEndpointDataBaseName", CLI_STR, 0, NULL, "DB",
	  "destination database" },
	{ "dst-region", "DestinationEndpointRegion", CLI_STR, 0, NULL, "REGION", "destination region" },
	OPT_END
};

static const struct cli_opt job_opts[] = { OPT_JOB_ID, OPT_INSTANCE_ID, OPT_END };

static const struct cli_opt list_opts[] = {
	{ "job-type", "JobType", CLI_STR, 0, NULL, "TYPE", "MIGRATION (server default), SYNC, SUBSCRIBE" },
	{ "status", "Status", CLI_STR, 0, NULL, "STATUS", "only jobs in this state" },
	{ "page", "PageNumber", CLI_INT, 0, NULL, "N", "page number, from 1" },
	{ "page-size", "PageSize", CLI_INT, 0, NULL, "N", "jobs per page (20, 30, 50, 100)" },
	{ "name", "Params", CLI_NAME_FILTER, 0, NULL, "TEXT", "job name contains TEXT (Type=name)" },
	{ "job-id", "DtsJobId", CLI_STR, 0, NULL, "ID", "only this job" },
	OPT_INSTANCE_ID,
	OPT_END
};

static const struct cli_opt describe_opts[] = {
	OPT_JOB_ID,
	{ "instance-id", "DtsInstanceID", CLI_STR, 0, NULL, "ID", "the instance (dts + job id)" },
	OPT_END
};

static const struct cli_opt precheck_opts[] = {
	OPT_JOB_ID,
	{ "job-code", "JobCode", CLI_JOBCODE, CLI_REQUIRED, "01", NULL,
	  "step: 01 precheck, 02 schema, 03 full data, 04 incremental" },
	{ "struct-type", "StructType", CLI_STR, 0, NULL, "before|after",
	  "schema step (before) or DDL during incremental (after)" },
	{ "page", "PageNo", CLI_INT, 0, NULL, "N", "page number, from 1" },
	{ "page-size", "PageSize", CLI_INT, 0, NULL, "N", "items per page (default 20)" },
	{ "name", "Name", CLI_STR, 0, NULL, "TEXT", "object name contains TEXT" },
	{ "phase", "StructPhase", CLI_STR, 0, NULL, "PHASE", "schema phase, e.g. View" },
	OPT_END
};

static const struct cli_opt skip_opts[] = {
	OPT_JOB_ID,
	{ "items", "SkipPreCheckItems", CLI_LIST, CLI_REQUIRED, NULL, "ITEM,...",
	  "precheck items, e.g. CHECK_SAME_OBJ" },
	{ "names", "SkipPreCheckNames", CLI_LIST, 0, NULL, "NAME,...",
	  "item names (default: each item + _DETAIL)" },
	{ "skip", "Skip", CLI_BOOL, CLI_REQUIRED, "true", NULL, "true skips, false un-skips" },
	{ "precheck-id", "JobId", CLI_STR, 0, NULL, "ID", "precheck step id (JobId of precheck-status)" },
	OPT_END
};

static const struct cli_opt watch_opts[] = {
	OPT_JOB_ID,
	{ "interval", "interval", CLI_INT, CLI_LOCAL, "2", "SECONDS", "time between polls" },
	OPT_END
};

static void skip_fixup(struct kvlist *params);

static const struct cli_cmd commands[] = {
	{ "create-instance", "CreateDtsInstance", "create an instance (and its job)", create_opts, NULL },
	{ "configure-job", "ConfigureDtsJob", "configure a job: endpoints, objects, steps",
	  configure_opts, NULL },
	{ "start-job", "StartDtsJob", "start or resume a job", job_opts, NULL },
	{ "suspend-job", "SuspendDtsJob", "pause a running job", job_opts, NULL },
	{ "stop-job", "StopDtsJob", "end a job (it becomes Finished)", job_opts, NULL },
	{ "reset-job", "ResetDtsJob", "reset a job to NotConfigured", job_opts, NULL },
	{ "delete-job", "DeleteDtsJob", "delete a job and its instance", job_opts, NULL },
	{ "list-jobs", "DescribeDtsJobs", "list jobs", list_opts, NULL },
	{ "describe-job", "DescribeDtsJobDetail", "show one job", describe_opts, NULL },
	{ "precheck-status", "DescribePreCheckStatus", "show the items of one step",
	  precheck_opts, NULL },
	{ "skip-precheck", "SkipPreCheck", "skip (or un-skip) failed precheck items",
	  skip_opts, skip_fixup },
	{ "watch", NULL, "follow a job's progress until it stops", watch_opts, NULL },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct cli_cmd *cli_cmd_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* The --job-id option of cmd when it is required and fills DtsJobId (the
 * commands that act on one job), else NULL. */
static const struct cli_opt *job_id_opt(const struct cli_cmd *cmd)
{
	for (const struct cli_opt *o = cmd->opts; o->name; o++)
		if (strcmp(o->name, "job-id") == 0 && strcmp(o->param, "DtsJobId") == 0 &&
		    (o->flags & CLI_REQUIRED))
			return o;
	return NULL;
}

/* SkipPreCheckNames defaults to each item + "_DETAIL" (ACTIONS.md sec. 7). */
static void skip_fixup(struct kvlist *params)
{
	const char *items = kvlist_get(params, "SkipPreCheckItems");
	cJSON *list, *names, *it;
	char *text;

	if (!items || kvlist_get(params, "SkipPreCheckNames"))
		return;
	list = cJSON_Parse(items);
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(list);
		return;     /* a --param value the server will judge */
	}
	names = cJSON_CreateArray();
	cJSON_ArrayForEach(it, list) {
		if (!cJSON_IsString(it))
			continue;
		char *n = xasprintf("%s_DETAIL", it->valuestring);
		cJSON_AddItemToArray(names, cJSON_CreateString(n));
		free(n);
	}
	text = cJSON_PrintUnformatted(names);
	if (text)
		kvlist_set(params, "SkipPreCheckNames", text);
	cJSON_free(text);
	cJSON_Delete(names);
	cJSON_Delete(list);
}

/* ---- values ---- */

void cli_args_init(struct cli_args *a)
{
	memset(a, 0, sizeof(*a));
	a->signature = -1;
	kvlist_init(&a->params);
	kvlist_init(&a->local);
}

void cli_args_release(struct cli_args *a)
{
	kvlist_release(&a->params);
	kvlist_release(&a->local);
}

/* Reads a whole file of at most JSON_FILE_MAX bytes. */
static char *read_file(const char *path, size_t *len, struct err *err)
{
	struct buf b;
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		err_sys(err, ERR_IO, errno, "cannot open \"%s\"", path);
		return NULL;
	}
	buf_init(&b, JSON_FILE_MAX);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys(err, ERR_IO, errno, "cannot read \"%s\"", path);
			goto fail;
		}
		if (buf_append(&b, chunk, (size_t)n) < 0) {
			err_set(err, ERR_TOO_LARGE, "\"%s\" is larger than %u bytes", path,
				JSON_FILE_MAX);
			goto fail;
		}
	}
	close(fd);
	*len = b.len;
	return b.data ? buf_take(&b) : xstrdup("");
fail:
	close(fd);
	buf_release(&b);
	return NULL;
}

/* JSON text or @FILE -> minified JSON text (caller frees). */
static char *json_value(const char *flag, const char *v, struct err *err)
{
	size_t len = strlen(v);
	char *text = v[0] == '@' ? read_file(v + 1, &len, err) : xstrdup(v);
	cJSON *tree;

	if (!text)
		return NULL;
	tree = cJSON_ParseWithLength(text, len);
	if (!tree) {
		err_param(err, ERR_INVALID, flag, "--%s is not valid JSON", flag);
		err_detail(err, "near: %.40s", cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
		free(text);
		return NULL;
	}
	cJSON_Delete(tree);
	cJSON_Minify(text);
	return text;
}

/* "A, B" -> ["A","B"] (caller frees). */
static char *list_value(const char *flag, const char *v, struct err *err)
{
	cJSON *arr = cJSON_CreateArray();
	char *copy = xstrdup(v), *save = NULL, *text = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end = tok + strlen(tok);
		while (*tok == ' ' || *tok == '\t')
			tok++;
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*tok)
			cJSON_AddItemToArray(arr, cJSON_CreateString(tok));
	}
	if (cJSON_GetArraySize(arr) > 0) {
		char *p = cJSON_PrintUnformatted(arr);
		text = xstrdup(p);
		cJSON_free(p);
	} else {
		err_param(err, ERR_INVALID, flag, "--%s needs at least one item", flag);
	}
	free(copy);
	cJSON_Delete(arr);
	return text;
}

/* Validates and converts one value; returns a new string or NULL with err. */
static char *convert(const struct cli_opt *o, const char *v, struct err *err)
{
	long long n;
	bool b;

	switch (o->kind) {
	case CLI_INT:
		if (str_to_ll(v, 0, 9223372036854775807LL, &n) < 0)
			break;
		return xasprintf("%lld", n);
	case CLI_BOOL:
		if (str_to_bool(v, &b) < 0)
			break;
		return xstrdup(b ? "true" : "false");
	case CLI_JOBCODE:
		if (str_to_ll(v, 1, 4, &n) < 0 || strlen(v) > 2)
			break;
		return xasprintf("%02lld", n);
	case CLI_JSON:
		return json_value(o->name, v, err);
	case CLI_LIST:
		return list_value(o->name, v, err);
	case CLI_ENV: {
		const char *e = getenv(v);
		if (!e) {
			err_param(err, ERR_MISSING, o->name,
				  "environment variable \"%s\" (--%s) is not set", v, o->name);
			return NULL;
		}
		return xstrdup(e);
	}
	case CLI_STR:
	case CLI_NAME_FILTER:
		return xstrdup(v);
	}
	if (o->flags & CLI_SECRET)
		err_param(err, ERR_INVALID, o->name, "invalid value for --%s", o->name);
	else
		err_param(err, ERR_INVALID, o->name, "invalid value \"%s\" for --%s", v, o->name);
	if (o->kind == CLI_BOOL)
		err_detail(err, "use true or false");
	else if (o->kind == CLI_JOBCODE)
		err_detail(err, "use 01 (precheck), 02 (schema), 03 (full data) or 04 (incremental)");
	else
		err_detail(err, "expected a non-negative integer");
	return NULL;
}

static int apply_opt(struct cli_args *a, const struct cli_opt *o, const char *v,
		     struct err *err)
{
	char *val = convert(o, v, err);

	if (!val)
		return -1;
	if (o->flags & CLI_LOCAL)
		kvlist_set(&a->local, o->param, val);
	else
		kvlist_set(&a->params, o->param, val);
	if (o->kind == CLI_NAME_FILTER)
		kvlist_set(&a->params, "Type", "name");
	free(val);
	return 0;
}

static int apply_global(struct cli_args *a, int id, const char *v, struct err *err)
{
	long long n;

	switch (id) {
	case G_ENDPOINT: a->endpoint = v; break;
	case G_KEY_ID: a->key_id = v; break;
	case G_SECRET: a->secret = v; break;
	case G_REGION: a->region = v; break;
	case G_CONFIG: a->config = v; break;
	case G_HELP: a->help = true; break;
	case G_VERSION: a->version = true; break;
	case G_TIMEOUT:
		if (str_to_ll(v, 1, 86400, &n) < 0) {
			err_param(err, ERR_INVALID, "timeout", "invalid value \"%s\" for --timeout", v);
			err_detail(err, "expected whole seconds, 1 to 86400");
			return -1;
		}
		a->timeout_ms = (long)n * 1000;
		break;
	case G_SIGNATURE:
		if (!str_ieq(v, "v3") && !str_ieq(v, "v1")) {
			err_param(err, ERR_INVALID, "signature", "invalid value \"%s\" for --signature", v);
			err_detail(err, "use v3 or v1");
			return -1;
		}
		a->signature = str_ieq(v, "v1") ? DTS_SIG_V1 : DTS_SIG_V3;
		break;
	case G_OUTPUT:
		if (!str_ieq(v, "json") && !str_ieq(v, "table")) {
			err_param(err, ERR_INVALID, "output", "invalid value \"%s\" for --output", v);
			err_detail(err, "use json or table");
			return -1;
		}
		a->output = str_ieq(v, "table") ? CLI_OUT_TABLE : CLI_OUT_JSON;
		break;
	default:
		BUG("global option %d", id);
	}
	return 0;
}

/* ---- getopt ---- */

#define ID_BASE 1000
#define ID_PARAM (ID_BASE - 1)

/* getopt_long table: global options, then the command's, then --param. */
static struct option *long_options(const struct cli_cmd *cmd)
{
	size_t n = 0, k = 0;
	struct option *lo;

	for (const struct cli_opt *o = cmd ? cmd->opts : NULL; o && o->name; o++)
		n++;
	lo = xcalloc(G__COUNT + n + 2, sizeof(*lo));
	for (int i = 0; i < G__COUNT; i++, k++) {
		bool arg = i != G_HELP && i != G_VERSION;
		lo[k] = (struct option){ global_opts[i].name, arg ? required_argument : no_argument,
					 NULL, ID_BASE + i };
	}
	for (size_t i = 0; i < n; i++, k++)
		lo[k] = (struct option){ cmd->opts[i].name, required_argument, NULL,
					 ID_BASE + G__COUNT + (int)i };
	if (cmd)
		lo[k++] = (struct option){ "param", required_argument, NULL, ID_PARAM };
	return lo;
}

static void getopt_error(int c, int argc, char **argv, const struct cli_cmd *cmd,
			 struct err *err)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	if (c == ':')
		err_set(err, ERR_MISSING, "option \"%s\" needs a value", arg);
	else
		err_set(err, ERR_INVALID, "unknown option \"%s\"", arg);
	err_detail(err, "run \"dts %s%s--help\"", cmd ? cmd->name : "", cmd ? " " : "");
}

/* --param NAME=VALUE */
static int add_passthrough(struct kvlist *pass, const char *v, struct err *err)
{
	const char *eq = strchr(v, '=');

	if (!eq || eq == v) {
		err_param(err, ERR_INVALID, "param", "--param needs NAME=VALUE");
		return -1;
	}
	kvlist_addn(pass, v, (size_t)(eq - v), eq + 1, strlen(eq + 1));
	return 0;
}

static int getopt_loop(int argc, char **argv, const char *shorts,
		       const struct cli_cmd *cmd, struct cli_args *a,
		       struct kvlist *pass, struct err *err)
{
	struct option *lo = long_options(cmd);
	int c, rc = -1;

	optind = 0;   /* glibc: full re-initialisation */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		int id = c == 'h' ? ID_BASE + G_HELP : c == 'o' ? ID_BASE + G_OUTPUT : c;
		if (c == '?' || c == ':') {
			getopt_error(c, argc, argv, cmd, err);
			goto cleanup;
		}
		if (id == ID_PARAM) {
			if (add_passthrough(pass, optarg, err) < 0)
				goto cleanup;
		} else if (id < ID_BASE + G__COUNT) {
			if (apply_global(a, id - ID_BASE, optarg, err) < 0)
				goto cleanup;
		} else if (apply_opt(a, &cmd->opts[id - ID_BASE - G__COUNT], optarg, err) < 0) {
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	free(lo);
	return rc;
}

/* --param pairs win over flags; defaults fill the rest; then requirements. */
static int finish(struct cli_args *a, const struct kvlist *pass, struct err *err)
{
	const struct cli_cmd *cmd = a->cmd;

	for (size_t i = 0; i < pass->len; i++)
		kvlist_set(&a->params, pass->items[i].key, pass->items[i].val);
	for (const struct cli_opt *o = cmd->opts; o->name; o++) {
		struct kvlist *l = o->flags & CLI_LOCAL ? &a->local : &a->params;
		if (o->def && !kvlist_get(l, o->param))
			kvlist_add(l, o->param, o->def);
	}
	if (cmd->fixup)
		cmd->fixup(&a->params);
	for (const struct cli_opt *o = cmd->opts; o->name; o++) {
		const struct kvlist *l = o->flags & CLI_LOCAL ? &a->local : &a->params;
		if ((o->flags & CLI_REQUIRED) && !kvlist_get(l, o->param)) {
			err_param(err, ERR_MISSING, o->name, "%s needs --%s (%s)", cmd->name,
				  o->name, o->param);
			err_detail(err, "run \"dts %s --help\"", cmd->name);
			return -1;
		}
	}
	return 0;
}

/* "dts watch JOB": one bare argument is the job id of commands that have
 * --job-id, unless --job-id was given. */
static int positional_job_id(struct cli_args *a, int n, char **rest)
{
	if (n == 0)
		return 0;
	if (n > 1 || !job_id_opt(a->cmd) || kvlist_get(&a->params, "DtsJobId"))
		return -1;
	kvlist_set(&a->params, "DtsJobId", rest[0]);
	return 0;
}

int cli_parse(int argc, char **argv, struct cli_args *a, struct err *err)
{
	struct kvlist pass;
	int rc = -1;

	kvlist_init(&pass);
	/* Pass 1: global options up to the subcommand ('+' stops there). */
	if (getopt_loop(argc, argv, "+:ho:", NULL, a, &pass, err) < 0)
		goto cleanup;
	if (optind >= argc) {
		if (a->help || a->version) {
			rc = 0;
			goto cleanup;
		}
		err_set(err, ERR_MISSING, "no command given");
		err_detail(err, "run \"dts --help\" for the list of commands");
		goto cleanup;
	}
	a->cmd = cli_cmd_find(argv[optind]);
	if (!a->cmd) {
		err_set(err, ERR_INVALID, "unknown command \"%s\"", argv[optind]);
		err_detail(err, "run \"dts --help\" for the list of commands");
		goto cleanup;
	}
	/* Pass 2: the subcommand's options, with the global ones allowed too. */
	argc -= optind;
	argv += optind;
	if (getopt_loop(argc, argv, ":ho:", a->cmd, a, &pass, err) < 0)
		goto cleanup;
	if (positional_job_id(a, argc - optind, argv + optind) < 0) {
		err_set(err, ERR_INVALID, "unexpected argument \"%s\"", argv[optind]);
		err_detail(err, "options take the form --name VALUE; run \"dts %s --help\"",
			   a->cmd->name);
		goto cleanup;
	}
	rc = a->help || a->version ? 0 : finish(a, &pass, err);
cleanup:
	kvlist_release(&pass);
	return rc;
}

/* ---- help ---- */

static const char *metavar(const struct cli_opt *o)
{
	if (o->metavar)
		return o->metavar;
	switch (o->kind) {
	case CLI_INT: return "N";
	case CLI_BOOL: return "true|false";
	case CLI_JSON: return "JSON|@FILE";
	case CLI_LIST: return "A,B,...";
	case CLI_ENV: return "VAR";
	case CLI_JOBCODE: return "01..04";
	case CLI_STR:
	case CLI_NAME_FILTER: break;
	}
	return "VALUE";
}

static void usage_line(FILE *out, const char *shortopt, const struct cli_opt *o)
{
	char left[64];
	const char *mv = metavar(o);

	snprintf(left, sizeof(left), "%s--%s%s%s", shortopt, o->name, *mv ? " " : "", mv);
	fprintf(out, "  %-34s %s", left, o->help);
	if (o->param && !(o->flags & CLI_LOCAL))
		fprintf(out, " [%s]", o->param);
	if (o->def)
		fprintf(out, " (default %s)", o->def);
	else if (o->flags & CLI_REQUIRED)
		fprintf(out, " (required)");
	fputc('\n', out);
}

static void usage_globals(FILE *out)
{
	for (int i = 0; i < G__COUNT; i++) {
		const char *shortopt = i == G_OUTPUT ? "-o, " : i == G_HELP ? "-h, " : "    ";
		usage_line(out, shortopt, &global_opts[i]);
	}
}

static const char exit_codes_text[] =
	"Exit codes:\n"
	"  0  success (watch: the job reached Finished)\n"
	"  1  usage error: bad option, missing access key, unsafe config file\n"
	"  2  API error: the server answered with an error\n"
	"     (\"error: <Code>: <Message> (RequestId ...)\" on stderr)\n"
	"  3  no answer: cannot connect to the endpoint, or timeout\n"
	"  4  watch: the job stopped in a state other than Finished\n";

static void usage_tool(FILE *out)
{
	fputs("usage: dts [global options] COMMAND [options]\n\n"
	      "Client for the opendts API (Alibaba Cloud DTS 2020-01-01 compatible).\n\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-17s %-22s %s\n", commands[i].name,
			commands[i].action ? commands[i].action : "", commands[i].summary);
	fputs("\nGlobal options (before or after the command):\n", out);
	usage_globals(out);
	fputs("\nEndpoint and keys come from the options, else the environment, else\n"
	      "~/.opendts/config (\"key = value\" lines: endpoint, access_key_id,\n"
	      "access_key_secret, region; must be chmod 600 when it holds the secret).\n"
	      "Every command also takes --param NAME=VALUE (any API parameter).\n"
	      "Run \"dts COMMAND --help\" for its options.\n\n", out);
	fputs(exit_codes_text, out);
}

void cli_usage(FILE *out, const struct cli_cmd *cmd)
{
	static const struct cli_opt param_opt = {
		"param", NULL, CLI_STR, 0, NULL, "NAME=VALUE",
		"any API parameter; repeatable; wins over the options above"
	};

	if (!cmd) {
		usage_tool(out);
		return;
	}
	fprintf(out, "usage: dts %s [options]\n\n%s%s%s.\n\nOptions:\n", cmd->name,
		cmd->action ? cmd->action : "", cmd->action ? ": " : "", cmd->summary);
	for (const struct cli_opt *o = cmd->opts; o->name; o++)
		usage_line(out, "    ", o);
	usage_line(out, "    ", &param_opt);
	if (job_id_opt(cmd))
		fputs("\nThe job id may also be given as the only bare argument.\n", out);
	if (!cmd->action)
		fputs("\nPolls DescribeDtsJobDetail and DescribePreCheckStatus (01..04) and shows\n"
		      "progress (bars on a terminal, one line per change otherwise) until the job\n"
		      "is Finished, PrecheckFailed, MigrationFailed, Failed, Suspending or\n"
		      "NotStarted.\n", out);
	fputs("\nGlobal options:\n", out);
	usage_globals(out);
	fputc('\n', out);
	fputs(exit_codes_text, out);
}
