/*
 * act_describe.c - DescribeDtsJobs and DescribeDtsJobDetail: job records
 * rendered with the DTS field names (ACTIONS.md 2.8, 2.9). Module statuses
 * come from the subtasks; passwords are never rendered. HTTP threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/actions.h"
#include "job/job.h"
#include "meta/meta.h"
#include "util/timefmt.h"

static void add_time(cJSON *o, const char *key, int64_t ms)
{
	char t[TIME_ISO_LEN];

	cJSON_AddStringToObject(o, key, time_iso_z(t, ms));
}

static void add_endpoint(cJSON *o, const char *key, const struct meta_endpoint *ep)
{
	cJSON *e = cJSON_AddObjectToObject(o, key);
	char port[16];

	snprintf(port, sizeof(port), "%d", ep->port);
	cJSON_AddStringToObject(e, "InstanceType", ep->instance_type);
	cJSON_AddStringToObject(e, "InstanceID", ep->instance_id);
	cJSON_AddStringToObject(e, "EngineName", ep->engine);
	cJSON_AddStringToObject(e, "Ip", ep->ip);
	cJSON_AddStringToObject(e, "Port", ep->port ? port : "");
	cJSON_AddStringToObject(e, "UserName", ep->user);
	cJSON_AddStringToObject(e, "DatabaseName", ep->database);
	cJSON_AddStringToObject(e, "OracleSID", "");
	cJSON_AddStringToObject(e, "Region", ep->region);
	cJSON_AddStringToObject(e, "SslSolutionEnum", "DISABLE");
}

static const struct meta_subtask *find_subtask(const struct meta_subtask *st, size_t n,
					       const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(st[i].code, code) == 0)
			return &st[i];
	return NULL;
}

/* {Status, Percent, Progress, ErrorMessage} of one module. */
static cJSON *module_status(cJSON *o, const char *key, const struct meta_subtask *st,
			    bool progress)
{
	cJSON *m = cJSON_AddObjectToObject(o, key);
	char buf[32];
	int pct = 0;

	if (st && st->total > 0)
		pct = (int)(st->progress * 100 / st->total);
	if (st && strcmp(st->state, "Finished") == 0)
		pct = 100;
	snprintf(buf, sizeof(buf), "%d", pct);
	cJSON_AddStringToObject(m, "Status", st ? st->state : "NotStarted");
	cJSON_AddStringToObject(m, "Percent", buf);
	if (progress) {
		snprintf(buf, sizeof(buf), "%lld", st ? (long long)st->progress : 0LL);
		cJSON_AddStringToObject(m, "Progress", buf);
	}
	cJSON_AddStringToObject(m, "ErrorMessage", st ? st->error_message : "");
	return m;
}

/* PrecheckStatus with Detail[] built from the precheck items. */
static int precheck_status(struct api_call *call, cJSON *o, const struct meta_job *j,
			   const struct meta_subtask *st, struct err *err)
{
	struct meta_item_filter f = { .job_id = j->id, .code = "01", .kind = META_ITEM_PROGRESS };
	struct meta_item *items = NULL;
	size_t n = 0, done = 0;
	cJSON *ps = module_status(o, "PrecheckStatus", st, false);
	cJSON *detail;
	char pct[16];

	if (meta_item_list(call->meta, &f, &items, &n, NULL, err) < 0)
		return -1;
	detail = cJSON_AddArrayToObject(ps, "Detail");
	for (size_t i = 0; i < n; i++) {
		cJSON *d = cJSON_CreateObject();
		const char *reason = items[i].n_logs ? items[i].logs[0].err_msg : "";
		bool ok = strcmp(items[i].state, "Failed") != 0;
		if (strcmp(items[i].state, "NotStarted") != 0 && strcmp(items[i].state, "Checking") != 0)
			done++;
		cJSON_AddStringToObject(d, "CheckItem", items[i].item);
		cJSON_AddStringToObject(d, "CheckItemDescription", items[i].names);
		cJSON_AddStringToObject(d, "CheckResult", ok ? "Success" : "Failed");
		cJSON_AddStringToObject(d, "FailedReason", ok ? "" : reason);
		cJSON_AddStringToObject(d, "RepairMethod", items[i].repair_method);
		cJSON_AddItemToArray(detail, d);
		meta_item_release(&items[i]);
	}
	free(items);
	snprintf(pct, sizeof(pct), "%zu", n ? done * 100 / n : (st && !strcmp(st->state, "Finished") ? 100u : 0u));
	cJSON_ReplaceItemInObject(ps, "Percent", cJSON_CreateString(pct));
	return 0;
}

static void add_mode(cJSON *o, const struct meta_job *j, bool detail)
{
	cJSON *m = cJSON_AddObjectToObject(o, "MigrationMode");

	cJSON_AddBoolToObject(m, "StructureInitialization", j->structure_init);
	cJSON_AddBoolToObject(m, "DataInitialization", j->data_init);
	cJSON_AddBoolToObject(m, "DataSynchronization", j->data_sync);
	cJSON_AddBoolToObject(m, "FullDataCheck", false);
	cJSON_AddBoolToObject(m, "IncDataCheck", false);
	cJSON_AddBoolToObject(m, "StructureDataCheck", false);
	if (detail)
		cJSON_AddBoolToObject(m, "DataExtractTransformLoad", false);
}

static void add_identity(cJSON *o, const struct meta_job *j, bool detail)
{
	char cp[32];

	cJSON_AddStringToObject(o, "DtsJobId", j->id);
	cJSON_AddStringToObject(o, "DtsInstanceID", j->instance_id);
	cJSON_AddStringToObject(o, "DtsJobName", j->name);
	cJSON_AddStringToObject(o, "JobType", j->job_type);
	cJSON_AddStringToObject(o, "Status", j->status);
	cJSON_AddStringToObject(o, "DtsJobClass", j->instance_class);
	cJSON_AddStringToObject(o, "PayType", j->pay_type);
	cJSON_AddStringToObject(o, "DtsJobDirection", "Forward");
	add_time(o, "CreateTime", j->create_ms);
	cJSON_AddStringToObject(o, "ExpireTime", "");
	if (detail) {
		cJSON_AddNumberToObject(o, "Checkpoint", (double)j->checkpoint);
	} else {
		snprintf(cp, sizeof(cp), "%lld", (long long)j->checkpoint);
		cJSON_AddStringToObject(o, "Checkpoint", cp);
	}
	cJSON_AddNumberToObject(o, "Delay", 0);
	cJSON_AddStringToObject(o, "ErrorMessage", j->error_message);
}

/* Performance {Rps, Flow (MB/s)}: the full-data step's current rate while it
 * copies (its checkpoint "full.rate", steps/full_step.h), else "0". */
static void add_performance(struct api_call *call, cJSON *o, const struct meta_job *j,
			    const struct meta_subtask *full)
{
	cJSON *perf = cJSON_AddObjectToObject(o, "Performance");
	char rps[32] = "0", flow[32] = "0", *rate = NULL;
	struct err e = { 0 };

	if (full && strcmp(full->state, "Migrating") == 0 &&
	    meta_checkpoint_get(call->meta, j->id, "full.rate", &rate, &e) == 0 && rate &&
	    sscanf(rate, "%31[0-9]\t%31[0-9.]", rps, flow) != 2) {
		strcpy(rps, "0");
		strcpy(flow, "0");
	}
	free(rate);
	cJSON_AddStringToObject(perf, "Rps", rps);
	cJSON_AddStringToObject(perf, "Flow", flow);
}

int act__job_fields(struct api_call *call, const struct meta_job *j, bool detail,
		    bool with_dblist, cJSON *o, struct err *err)
{
	struct meta_subtask *st = NULL;
	size_t n = 0;
	int rc = -1;

	if (meta_subtask_list(call->meta, j->id, &st, &n, err) < 0)
		return -1;
	add_identity(o, j, detail);
	if (with_dblist)
		cJSON_AddStringToObject(o, "DbObject", j->db_list);
	cJSON_AddStringToObject(o, "Reserved", j->reserve);
	add_mode(o, j, detail);
	if (precheck_status(call, o, j, find_subtask(st, n, "01"), err) < 0)
		goto out;
	module_status(o, "StructureInitializationStatus", find_subtask(st, n, "02"), true);
	module_status(o, "DataInitializationStatus", find_subtask(st, n, "03"), true);
	cJSON *sync = module_status(o, "DataSynchronizationStatus", find_subtask(st, n, "04"), true);
	cJSON_AddBoolToObject(sync, "NeedUpgrade", false);
	add_endpoint(o, "SourceEndpoint", &j->src);
	add_endpoint(o, "DestinationEndpoint", &j->dst);
	add_performance(call, o, j, find_subtask(st, n, "03"));
	cJSON_AddArrayToObject(o, "ErrorDetails");
	cJSON_AddArrayToObject(o, "TagList");
	if (detail) {
		add_time(o, "BootTime", j->boot_ms);
		add_time(o, "FinishTime", j->finish_ms);
		add_time(o, "LastUpdateTime", j->update_ms);
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		meta_subtask_release(&st[i]);
	free(st);
	return rc;
}

/* Type+Params query condition of DescribeDtsJobs: Type "instance" (id) or
 * "name" (fuzzy). */
static int query_condition(struct api_call *call, struct meta_job_filter *f, struct err *err)
{
	static const char *const types[] = { "instance", "name", "srcRds", "rds", NULL };
	const char *type, *value = api_param(call, "Params");

	if (api_param_enum(call, "Type", types, NULL, &type, err) < 0)
		return -1;
	if (!type || !value || !*value)
		return 0;
	if (strcmp(type, "instance") == 0)
		f->instance_id = value;
	else if (strcmp(type, "name") == 0)
		f->name_like = value;
	return 0;
}

int act_describe_dts_jobs(struct api_call *call, struct err *err)
{
	static const char *const types[] = { "MIGRATION", "SYNC", "SUBSCRIBE", "CHECK", NULL };
	static const char *const dirs[] = { "ASC", "DESC", NULL };
	struct meta_job_filter f = { 0 };
	struct meta_job *jobs = NULL;
	size_t n = 0;
	int64_t total = 0;
	long long page, size;
	bool without_dblist;
	const char *dir;
	int rc = -1;

	if (api_param_enum(call, "JobType", types, "MIGRATION", &f.job_type, err) < 0 ||
	    api_param_int(call, "PageNumber", 1, 1, 1000000, &page, err) < 0 ||
	    api_param_int(call, "PageSize", 20, 1, 100, &size, err) < 0 ||
	    api_param_enum(call, "OrderDirection", dirs, "ASC", &dir, err) < 0 ||
	    api_param_bool(call, "WithoutDbList", false, &without_dblist, err) < 0 ||
	    query_condition(call, &f, err) < 0)
		return -1;
	f.status = api_param(call, "Status");
	if (f.status && !*f.status)
		f.status = NULL;
	f.job_id = api_param(call, "DtsJobId");
	if (f.job_id && !*f.job_id)
		f.job_id = NULL;
	if (!f.instance_id && api_param(call, "DtsInstanceId") && *api_param(call, "DtsInstanceId"))
		f.instance_id = api_param(call, "DtsInstanceId");
	f.order_desc = strcmp(dir, "DESC") == 0;
	f.offset = (page - 1) * size;
	f.limit = size;
	if (meta_job_list(call->meta, &f, &jobs, &n, &total, err) < 0)
		return -1;
	cJSON_AddNumberToObject(call->resp, "PageNumber", (double)page);
	cJSON_AddNumberToObject(call->resp, "PageRecordCount", (double)n);
	cJSON_AddNumberToObject(call->resp, "TotalRecordCount", (double)total);
	cJSON *list = cJSON_AddArrayToObject(call->resp, "DtsJobList");
	cJSON_AddArrayToObject(call->resp, "EtlDemoList");
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToArray(list, o);
		if (act__job_fields(call, &jobs[i], false, !without_dblist, o, err) < 0)
			goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		meta_job_release(&jobs[i]);
	free(jobs);
	return rc;
}

int act_describe_dts_job_detail(struct api_call *call, struct err *err)
{
	struct meta_job j = { 0 };
	const char *inst = api_param(call, "DtsInstanceID");
	int rc;

	if (!inst || !*inst)
		inst = api_param(call, "DtsInstanceId");
	if (job_lookup(call->meta, api_param(call, "DtsJobId"), inst, &j, err) < 0)
		return -1;
	rc = act__job_fields(call, &j, true, true, call->resp, err);
	meta_job_release(&j);
	return rc;
}
