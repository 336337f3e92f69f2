/*
 * precheck.h - step 01: the precheck. One progress item per check
 * (CHECK_CONN_SRC, CHECK_CONN_DEST, ...), each Success/Failed/Warning with
 * the cause in its Logs. Items already skipped by SkipPreCheck do not fail
 * the step.
 */
#ifndef OPENDTS_STEPS_PRECHECK_H
#define OPENDTS_STEPS_PRECHECK_H

#include "steps/step.h"

/* Runs every check that applies to the job; STEP_FAILED when an item failed
 * and is not skipped (err says which), STEP_DONE otherwise. */
enum step_result step_precheck_run(struct step_ctx *ctx, struct err *err);

#endif
