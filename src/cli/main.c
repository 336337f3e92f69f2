/*
 * main.c - `dts`, the opendts command-line client: parses the command line
 * (args.c), finds the endpoint and keys (config.c), makes one API call
 * through client/ and prints the reply, or follows a job (watch.c).
 * Data goes to stdout, diagnostics to stderr; exit codes are in cli.h.
 *
 * Single-threaded. No globals besides getopt's own.
 */
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"

#define DTS_CLI_VERSION "0.1.0"

static void print_reply(const struct cli_args *a, const cJSON *reply)
{
	char *text;

	if (a->output == CLI_OUT_TABLE) {
		cli_table_print(stdout, a->cmd->action, reply);
		return;
	}
	text = cJSON_Print(reply);
	if (text) {
		fputs(text, stdout);
		fputc('\n', stdout);
	}
	cJSON_free(text);
}

static int run_call(struct dts_client *c, const struct cli_args *a)
{
	struct err err = { 0 };
	cJSON *reply = NULL;
	int status = 0, rc = CLI_EXIT_OK;

	if (dts_client_call(c, a->cmd->action, &a->params, &reply, &status, &err) < 0) {
		cli_report(stderr, &err, status);
		rc = cli_exit_code(&err, status);
	} else {
		print_reply(a, reply);
	}
	cJSON_Delete(reply);
	return rc;
}

static int run_watch(struct dts_client *c, const struct cli_args *a)
{
	struct err err = { 0 };
	const char *iv = kvlist_get(&a->local, "interval");
	int interval = iv ? atoi(iv) : 2, status = 0, rc;

	rc = cli_watch_run(c, &a->params, interval > 0 ? interval : 1, stdout,
			   isatty(STDOUT_FILENO), &status, &err);
	if (rc < 0) {
		cli_report(stderr, &err, status);
		rc = cli_exit_code(&err, status);
	}
	return rc;
}

static struct dts_client *open_client(const struct cli_args *a,
				      const struct cli_settings *s, struct err *err)
{
	struct dts_client_config cfg = {
		.endpoint = s->endpoint,
		.access_key_id = s->key_id,
		.access_key_secret = s->secret,
		.timeout_ms = a->timeout_ms,
		.signature = a->signature < 0 ? DTS_SIG_V3 : (enum dts_signature)a->signature,
		.region = s->region,
	};

	return dts_client_new(&cfg, err);
}

int main(int argc, char **argv)
{
	struct cli_args a;
	struct cli_settings s = { 0 };
	struct err err = { 0 };
	struct dts_client *c = NULL;
	int rc = CLI_EXIT_USAGE;

	cli_args_init(&a);
	if (cli_parse(argc, argv, &a, &err) < 0) {
		cli_report(stderr, &err, 0);
		goto cleanup;
	}
	if (a.help || a.version) {
		if (a.help)
			cli_usage(stdout, a.cmd);
		else
			puts("dts (opendts) " DTS_CLI_VERSION);
		rc = CLI_EXIT_OK;
		goto cleanup;
	}
	if (cli_settings_resolve(&a, &s, &err) < 0 || !(c = open_client(&a, &s, &err))) {
		cli_report(stderr, &err, 0);
		goto cleanup;
	}
	rc = a.cmd->action ? run_call(c, &a) : run_watch(c, &a);
cleanup:
	dts_client_free(c);
	cli_settings_release(&s);
	cli_args_release(&a);
	if (fflush(stdout) != 0 && rc == CLI_EXIT_OK)
		rc = CLI_EXIT_USAGE;
	return rc;
}
