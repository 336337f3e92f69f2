/*
 * actions.h - the action handlers (act_*.c), one per DTS action. Each reads
 * its parameters through the api_param_* helpers, calls job/ or meta/, and
 * adds its response fields to call->resp. RequestId, Success and
 * HttpStatusCode are added by the dispatcher.
 */
#ifndef OPENDTS_API_ACTIONS_H
#define OPENDTS_API_ACTIONS_H

#include "api/internal.h"
#include "meta/meta.h"

int act_create_dts_instance(struct api_call *call, struct err *err);
int act_configure_dts_job(struct api_call *call, struct err *err);
int act_start_dts_job(struct api_call *call, struct err *err);
int act_suspend_dts_job(struct api_call *call, struct err *err);
int act_stop_dts_job(struct api_call *call, struct err *err);
int act_reset_dts_job(struct api_call *call, struct err *err);
int act_delete_dts_job(struct api_call *call, struct err *err);
int act_describe_dts_jobs(struct api_call *call, struct err *err);
int act_describe_dts_job_detail(struct api_call *call, struct err *err);
int act_describe_pre_check_status(struct api_call *call, struct err *err);
int act_skip_pre_check(struct api_call *call, struct err *err);

/* Adds the job's DtsJobList-item fields to obj (act_describe.c); detail
 * adds the DescribeDtsJobDetail extras. Never adds a password. */
int act__job_fields(struct api_call *call, const struct meta_job *j, bool detail,
		    bool with_dblist, cJSON *obj, struct err *err);

/* One ProgressInfo object of DescribePreCheckStatus (act_precheck.c): every
 * field of the seed with its type; JobId is step_id. The caller owns it. */
cJSON *progress_info(const struct meta_item *it, const char *step_id);

/* Adds FullNetCheckJobStatus and NetworkDiagnosisResult of the job to
 * call->resp (act_netcheck.c): the network check of the precheck for JobCode
 * "01", else (and when it never ran) [] and {ModelVersion, Diagnosis: []}.
 * step_id is the precheck subtask's JobId ("" when none). Errors: the
 * metastore's. */
int act__netcheck_fields(struct api_call *call, const char *job_id, const char *code,
			 const char *step_id, struct err *err);

#endif
