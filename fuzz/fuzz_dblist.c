/*
 * fuzz_dblist.c - libFuzzer target for the DbList and Reserve validators
 * (job/dblist.c, ACTIONS.md sec. 4 and 5).
 *
 * The input, copied and NUL-terminated (the validators take C strings, as
 * the decoded request parameters are), goes to job_dblist_validate() and
 * job_reserve_validate(), each with and without asking for the normalized
 * text. Checked: a failure is ERR_INVALID naming DbList / Reserve and leaves
 * *normalized alone; a success returns normalized JSON that validates again
 * to the same text (normalizing is idempotent) and job_reserve_get() reads
 * it without trouble. job_reserve_get() also reads the raw text.
 *
 * Single-threaded; everything is freed before returning.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "job/job.h"
#include "util/xalloc.h"

typedef int (*validate_fn)(const char *json, char **normalized, struct err *err);

static void run(validate_fn fn, const char *param, const char *text)
{
	char *norm = NULL, *again = NULL, val[64];
	struct err err;
	int rc, rc2;

	err_clear(&err);
	rc = fn(text, NULL, &err);
	err_clear(&err);
	rc2 = fn(text, &norm, &err);
	FUZZ_CHECK(rc == rc2, "%s: result depends on normalized (%d vs %d)", param, rc, rc2);
	if (rc2 < 0) {
		FUZZ_CHECK(rc2 == -1 && err.code == ERR_INVALID, "%s: rc %d code %s", param,
			   rc2, err_code_name(err.code));
		FUZZ_CHECK(strcmp(err.param, param) == 0, "param \"%s\", not %s", err.param,
			   param);
		FUZZ_CHECK(norm == NULL, "%s: normalized set on failure", param);
		return;
	}
	FUZZ_CHECK(rc2 == 0 && norm != NULL, "%s: success without normalized text", param);
	err_clear(&err);
	FUZZ_CHECK(fn(norm, &again, &err) == 0, "%s: normalized text refused: %s (%s)",
		   param, err.msg, norm);
	FUZZ_CHECK(again && strcmp(norm, again) == 0, "%s: normalizing is not idempotent",
		   param);
	job_reserve_get(norm, "targetTableMode", "0", val, sizeof(val));
	free(again);
	free(norm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1), val[32];

	memcpy(text, data, size);
	text[size] = '\0';
	run(job_dblist_validate, "DbList", text);
	run(job_reserve_validate, "Reserve", text);
	/* job_reserve_get() reads stored Reserve text; feed it anything too. */
	job_reserve_get(text, "maxRetryTime", "720", val, sizeof(val));
	FUZZ_CHECK(strlen(val) < sizeof(val), "job_reserve_get overran");
	free(text);
	return 0;
}
