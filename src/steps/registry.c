/*
 * registry.c - the table of migration steps. job/ finds steps here by code;
 * a new step plugs in by filling its row, without touching the scheduler.
 * Immutable after start-up; read from any thread.
 */
#include <string.h>

#include "steps/full_step.h"
#include "steps/precheck.h"
#include "steps/schema_step.h"
#include "steps/step.h"

static const struct step_def steps[] = {
	{ "01", "precheck", "Precheck", step_precheck_run, NULL },
	{ "02", "schema migration", "dts.step.struct.load", step_schema_run,
	  step_schema_finish },
	{ "03", "full data migration", "dts.step.full.load", step_full_run, NULL },
	{ "04", "incremental data migration", "dts.step.incr.load", NULL, NULL },
};

const struct step_def *step_find(const char *code)
{
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (code && strcmp(steps[i].code, code) == 0)
			return &steps[i];
	return NULL;
}
