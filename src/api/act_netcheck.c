/*
 * act_netcheck.c - the FullNetCheckJobStatus and NetworkDiagnosisResult
 * fields of DescribePreCheckStatus (act_precheck.c calls this for every
 * JobCode). HTTP threads; reads only.
 *
 * The network check of the precheck (steps/precheck_netcheck.c) stores its
 * rows as META_ITEM_NETCHECK items of step 01 and two checkpoints of the
 * job: "precheck.netcheck" (the header fields) and "precheck.netdiag" (the
 * diagnosis), written in one transaction and cleared by ResetDtsJob. This
 * file renders them with the seed's field names and types; it takes from
 * the stored JSON only values of the expected type, so an old or damaged
 * checkpoint can never change the shape of the response.
 *
 * Never ran (or JobCode other than 01): FullNetCheckJobStatus is [] and
 * NetworkDiagnosisResult is {ModelVersion, Diagnosis: []}.
 */
#include <stdlib.h>
#include <string.h>

#include "api/actions.h"
#include "meta/meta.h"
#include "util/log.h"

#define NETCHECK_JOB_NAME "dts.step.fullnetcheck"
#define NETCHECK_MODEL_VERSION "opendts-network-v1"   /* as steps/precheck_netcheck.c */
#define CKPT_HEADER "precheck.netcheck"
#define CKPT_DIAG "precheck.netdiag"

/* The string at key, or "" when absent or not a string. */
static const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

static double json_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* Parses a checkpoint; NULL when absent, or damaged (logged). */
static cJSON *parse_object(const char *job_id, const char *key, const char *text)
{
	cJSON *o;

	if (!text)
		return NULL;
	o = cJSON_ParseWithLength(text, strlen(text));
	if (!cJSON_IsObject(o)) {
		log_warn("api.netcheck", "job_id=%s checkpoint=%s msg=\"not a JSON object; "
			 "rendered as not run\"", job_id, key);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The NETCHECK items of step 01 as ProgressInfo objects, all of them. */
static int add_rows(struct api_call *call, cJSON *status, const char *job_id,
		    const char *step_id, struct err *err)
{
	struct meta_item_filter f = { .job_id = job_id, .code = "01",
				      .kind = META_ITEM_NETCHECK };
	struct meta_item *items = NULL;
	size_t n = 0;
	cJSON *arr = cJSON_AddArrayToObject(status, "JobProgress");

	if (meta_item_list(call->meta, &f, &items, &n, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cJSON_AddItemToArray(arr, progress_info(&items[i], step_id));
		meta_item_release(&items[i]);
	}
	free(items);
	return 0;
}

/* One FullNetCheckJobStatus object, fields in the seed's order. */
static int add_status(struct api_call *call, cJSON *arr, const cJSON *h,
		      const char *job_id, const char *step_id, struct err *err)
{
	static const char *const regions[] = {
		"HostRegion", "SrcRegion", "DestRegion", "SrcRegionCidr", "DestRegionCidr",
		"SourceEndpointType", "DestinationEndpointType",
	};
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToArray(arr, o);
	cJSON_AddStringToObject(o, "JobName", NETCHECK_JOB_NAME);
	cJSON_AddStringToObject(o, "State", json_str(h, "State"));
	cJSON_AddStringToObject(o, "JobId", step_id);
	cJSON_AddNumberToObject(o, "ErrorItem", json_num(h, "ErrorItem"));
	cJSON_AddStringToObject(o, "Code", "01");
	cJSON_AddNumberToObject(o, "Total", json_num(h, "Total"));
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		cJSON_AddStringToObject(o, regions[i], json_str(h, regions[i]));
	return add_rows(call, o, job_id, step_id, err);
}

static void add_diagnosis(cJSON *resp, const cJSON *d)
{
	static const char *const fields[] = {
		"EndpointType", "Code", "CnDocUrl", "InternationalDocUrl", "Result",
	};
	cJSON *nd = cJSON_AddObjectToObject(resp, "NetworkDiagnosisResult");
	const char *model = json_str(d, "ModelVersion");
	cJSON *arr;
	const cJSON *e;

	cJSON_AddStringToObject(nd, "ModelVersion", *model ? model : NETCHECK_MODEL_VERSION);
	arr = cJSON_AddArrayToObject(nd, "Diagnosis");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(d, "Diagnosis")) {
		cJSON *o;

		if (!cJSON_IsObject(e))
			continue;
		o = cJSON_CreateObject();
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			cJSON_AddStringToObject(o, fields[i], json_str(e, fields[i]));
		cJSON_AddItemToArray(arr, o);
	}
}

int act__netcheck_fields(struct api_call *call, const char *job_id, const char *code,
			 const char *step_id, struct err *err)
{
	cJSON *arr = cJSON_AddArrayToObject(call->resp, "FullNetCheckJobStatus");
	char *header = NULL, *diag = NULL;
	cJSON *h = NULL, *d = NULL;
	int rc = -1;

	if (strcmp(code, "01") == 0) {
		if (meta_checkpoint_get(call->meta, job_id, CKPT_HEADER, &header, err) < 0 ||
		    meta_checkpoint_get(call->meta, job_id, CKPT_DIAG, &diag, err) < 0)
			goto cleanup;
		h = parse_object(job_id, CKPT_HEADER, header);
		d = parse_object(job_id, CKPT_DIAG, diag);
	}
	if (h && add_status(call, arr, h, job_id, step_id, err) < 0)
		goto cleanup;
	add_diagnosis(call->resp, d);
	rc = 0;
cleanup:
	cJSON_Delete(h);
	cJSON_Delete(d);
	free(header);
	free(diag);
	return rc;
}
