/*
 * act_lifecycle.c - CreateDtsInstance, ConfigureDtsJob, Start/Suspend/Stop/
 * Reset/DeleteDtsJob: parameter handling and response fields around the job/
 * lifecycle operations. Runs on HTTP threads.
 */
#include "api/actions.h"
#include "job/job.h"
#include "meta/meta.h"

static const char *region_of(const struct api_call *call)
{
	const char *r = api_param(call, "RegionId");

	return r && *r ? r : call->app->region;
}

int act_create_dts_instance(struct api_call *call, struct err *err)
{
	static const char *const types[] = { "MIGRATION", "SYNC", "SUBSCRIBE", NULL };
	static const char *const pay[] = { "PrePaid", "PostPaid", NULL };
	struct job_create_req req = { 0 };
	char job_id[40], inst[48];
	long long qty;

	if (api_param_enum(call, "Type", types, "MIGRATION", &req.type, err) < 0 ||
	    api_param_enum(call, "PayType", pay, "PostPaid", &req.pay_type, err) < 0 ||
	    api_param_bool(call, "AutoStart", false, &req.auto_start, err) < 0 ||
	    api_param_int(call, "Quantity", 1, 1, 1, &qty, err) < 0)
		return -1;
	req.region = region_of(call);
	req.job_id = api_param(call, "JobId");
	req.instance_class = api_param(call, "InstanceClass");
	req.src_engine = api_param(call, "SourceEndpointEngineName");
	req.dst_engine = api_param(call, "DestinationEndpointEngineName");
	req.src_region = api_param(call, "SourceRegion");
	req.dst_region = api_param(call, "DestinationRegion");
	if (job_create_instance(call->app->jobs, call->meta, &req, job_id, inst, err) < 0)
		return -1;
	cJSON_AddStringToObject(call->resp, "InstanceId", inst);
	cJSON_AddStringToObject(call->resp, "JobId", job_id);
	return 0;
}

int act_configure_dts_job(struct api_call *call, struct err *err)
{
	char job_id[40], inst[48];

	if (job_configure(call->app->jobs, call->meta, &call->req->params, call->app->region,
			  job_id, inst, err) < 0)
		return -1;
	cJSON_AddStringToObject(call->resp, "DtsJobId", job_id);
	cJSON_AddStringToObject(call->resp, "DtsInstanceId", inst);
	return 0;
}

typedef int (*job_op_fn)(struct job_service *, struct meta *, const char *, struct err *);

/* The common shape of Start/Suspend/Stop/Reset/Delete: a job named by
 * DtsJobId (or DtsInstanceId), one operation, the standard envelope. */
static int job_op(struct api_call *call, job_op_fn op, struct err *err)
{
	const char *id = api_param(call, "DtsJobId");
	const char *inst = api_param(call, "DtsInstanceId");
	struct meta_job j = { 0 };
	int rc;

	if (job_lookup(call->meta, id, inst, &j, err) < 0)
		return -1;
	rc = op(call->app->jobs, call->meta, j.id, err);
	meta_job_release(&j);
	return rc;
}

int act_start_dts_job(struct api_call *call, struct err *err)
{
	return job_op(call, job_start, err);
}

int act_suspend_dts_job(struct api_call *call, struct err *err)
{
	return job_op(call, job_suspend, err);
}

int act_stop_dts_job(struct api_call *call, struct err *err)
{
	return job_op(call, job_stop, err);
}

int act_reset_dts_job(struct api_call *call, struct err *err)
{
	return job_op(call, job_reset, err);
}

int act_delete_dts_job(struct api_call *call, struct err *err)
{
	return job_op(call, job_delete, err);
}
