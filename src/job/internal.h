/*
 * internal.h - shared between the files of job/ only.
 */
#ifndef OPENDTS_JOB_INTERNAL_H
#define OPENDTS_JOB_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>

#include "job/job.h"

/* Runs the job until it finishes, fails, or *cancel is set. Called on a
 * runner thread with that thread's metastore handle. */
void job__run(const struct job_service_config *cfg, struct meta *m,
	      const char *job_id, const atomic_bool *cancel);

/* True when `status` is one a runner works on (desired "run"). */
bool job__status_runnable(const char *status);

/* Fills the configurable fields of j from ConfigureDtsJob parameters
 * (config.c). On error j is unchanged. */
int job__config_apply(const struct kvlist *params, struct meta_job *j, struct err *err);

#endif
