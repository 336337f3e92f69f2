/*
 * report.c - the only place where errors become exit codes and stderr lines
 * (STYLE.md: only the CLI maps error codes to exit codes). Pure apart from
 * writing to the given stream.
 */
#include "cli/cli.h"

int cli_exit_code(const struct err *err, int http_status)
{
	if (http_status > 0)
		return CLI_EXIT_API;
	switch (err->code) {
	case ERR_CONNECT:
	case ERR_TIMEOUT:
	case ERR_IO:
		return CLI_EXIT_CONNECT;
	default:
		return CLI_EXIT_USAGE;
	}
}

void cli_report(FILE *out, const struct err *err, int http_status)
{
	/* For API errors the client keeps the RequestId in detail. */
	if (http_status > 0 && err->detail[0]) {
		fprintf(out, "error: %s (RequestId %s)\n", err->msg, err->detail);
		return;
	}
	fprintf(out, "error: %s\n", err->msg);
	if (err->detail[0])
		fprintf(out, "hint: %s\n", err->detail);
}
