/*
 * act_precheck.c - DescribePreCheckStatus (the status contract of
 * ../shared/seed/DescribePreCheckStatus.txt, field by field and type by type)
 * and SkipPreCheck. HTTP threads.
 *
 * Decisions kept here, in one place:
 *  - PageRecordCount echoes the page size (the seed documents it exactly as
 *    PageSize: "The number of entries per page").
 *  - Total and TotalRecordCount are the number of items matching the
 *    filters; PageNo 1.., PageSize 1..1000 (default 1 and 20).
 *  - StructType defaults to "before"; it filters items only for codes 02/04.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/actions.h"
#include "job/job.h"
#include "meta/meta.h"
#include "util/str.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define PAGE_SIZE_MAX 1000

static void add_time(cJSON *o, const char *key, int64_t ms)
{
	char t[TIME_ISO_LEN];

	cJSON_AddStringToObject(o, key, time_iso_ms(t, ms));
}

static void add_id(cJSON *o, const char *key, int64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	cJSON_AddStringToObject(o, key, s);
}

/* One ProgressInfo, every field of the seed with its type. */
cJSON *progress_info(const struct meta_item *it, const char *step_id)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *logs;

	cJSON_AddBoolToObject(o, "Skip", it->skip);
	add_time(o, "FinishTime", it->finish_ms);
	cJSON_AddStringToObject(o, "IgnoreFlag", it->ignore_flag);
	cJSON_AddNumberToObject(o, "DelaySeconds", (double)it->delay_seconds);
	cJSON_AddStringToObject(o, "DdlSql", it->ddl_sql);
	cJSON_AddStringToObject(o, "State", it->state);
	add_time(o, "BootTime", it->boot_ms);
	cJSON_AddStringToObject(o, "Item", it->item);
	cJSON_AddStringToObject(o, "Sub", *it->sub ? it->sub : "[]");
	cJSON_AddNumberToObject(o, "Total", (double)it->total);
	cJSON_AddStringToObject(o, "TargetNames", it->target_names);
	cJSON_AddBoolToObject(o, "CanSkip", it->can_skip);
	cJSON_AddStringToObject(o, "Names", it->names);
	cJSON_AddStringToObject(o, "ErrDetail", it->err_detail);
	cJSON_AddNumberToObject(o, "DiffRow", (double)it->diff_row);
	cJSON_AddStringToObject(o, "JobId", step_id);
	cJSON_AddStringToObject(o, "SourceSchema", it->source_schema);
	cJSON_AddStringToObject(o, "DestSchema", it->dest_schema);
	cJSON_AddStringToObject(o, "ParentObj", it->parent_obj);
	cJSON_AddStringToObject(o, "ErrMsg", it->err_msg);
	cJSON_AddNumberToObject(o, "OrderNum", it->order_num);
	cJSON_AddStringToObject(o, "RepairMethod", it->repair_method);
	add_id(o, "Id", it->id);
	logs = cJSON_AddArrayToObject(o, "Logs");
	for (size_t i = 0; i < it->n_logs; i++) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "ErrData", it->logs[i].err_data);
		cJSON_AddStringToObject(l, "ErrMsg", it->logs[i].err_msg);
		cJSON_AddStringToObject(l, "LogLevel", it->logs[i].log_level);
		cJSON_AddStringToObject(l, "ErrType", it->logs[i].err_type);
		cJSON_AddItemToArray(logs, l);
	}
	add_id(o, "Current", it->current);
	return o;
}

struct status_query {
	const char *job_id;
	const char *code;
	const char *struct_type;
	const char *phase;
	const char *name;
	long long page;
	long long size;
};

static int read_query(struct api_call *call, struct status_query *q, struct err *err)
{
	static const char *const codes[] = { "01", "02", "03", "04", NULL };
	static const char *const types[] = { "before", "after", NULL };

	if (api_param_required(call, "DtsJobId", &q->job_id, err) < 0 ||
	    api_param_required(call, "JobCode", &q->code, err) < 0)
		return -1;
	if (api_param_enum(call, "JobCode", codes, NULL, &q->code, err) < 0)
		return -1;
	if (api_param_enum(call, "StructType", types, "before", &q->struct_type, err) < 0 ||
	    api_param_int(call, "PageNo", 1, 1, 1000000, &q->page, err) < 0 ||
	    api_param_int(call, "PageSize", 20, 1, PAGE_SIZE_MAX, &q->size, err) < 0)
		return -1;
	q->phase = api_param(call, "StructPhase");
	q->name = api_param(call, "Name");
	return 0;
}

/* Items of one kind, a page of them, added as array `key`. */
static int add_items(struct api_call *call, const struct status_query *q,
		     enum meta_item_kind kind, const char *step_id, const char *key,
		     int64_t *total, struct err *err)
{
	struct meta_item_filter f = {
		.job_id = q->job_id, .code = q->code, .kind = kind,
		.phase = q->phase && *q->phase ? q->phase : NULL,
		.name_like = q->name && *q->name ? q->name : NULL,
		.offset = (q->page - 1) * q->size, .limit = q->size,
	};
	struct meta_item *items = NULL;
	size_t n = 0;
	cJSON *arr = cJSON_AddArrayToObject(call->resp, key);

	if (strcmp(q->code, "02") == 0 || strcmp(q->code, "04") == 0)
		f.struct_type = q->struct_type;
	if (meta_item_list(call->meta, &f, &items, &n, total, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cJSON_AddItemToArray(arr, progress_info(&items[i], step_id));
		meta_item_release(&items[i]);
	}
	free(items);
	return 0;
}

static int count_failed(struct api_call *call, const char *job_id, const char *code,
			enum meta_item_kind kind, int64_t *n, struct err *err)
{
	struct meta_item_filter f = { .job_id = job_id, .code = code, .kind = kind,
				      .state = "Failed" };

	return meta_item_count(call->meta, &f, true, n, err);
}

int act_describe_pre_check_status(struct api_call *call, struct err *err)
{
	struct status_query q;
	struct meta_job j = { 0 };
	struct meta_subtask st = { 0 };
	int64_t total = 0, analysis_total = 0, failed = 0, failed_analysis = 0;
	bool have_st;
	int rc = -1;

	if (read_query(call, &q, err) < 0 || job_lookup(call->meta, q.job_id, NULL, &j, err) < 0)
		return -1;
	q.job_id = j.id;
	have_st = meta_subtask_get(call->meta, j.id, q.code, &st, err) == 0;
	if (!have_st && err->code != ERR_NOT_FOUND)
		goto out;
	err_clear(err);
	const char *step_id = have_st ? st.step_id : "";
	cJSON *r = call->resp;
	cJSON_AddStringToObject(r, "State", have_st ? st.state : "NotStarted");
	cJSON_AddNumberToObject(r, "PageRecordCount", (double)q.size);
	cJSON_AddStringToObject(r, "JobName", have_st ? st.job_name : "");
	cJSON_AddStringToObject(r, "JobId", step_id);
	if (add_items(call, &q, META_ITEM_PROGRESS, step_id, "JobProgress", &total, err) < 0 ||
	    add_items(call, &q, META_ITEM_ANALYSIS, step_id, "AnalysisJobProgress",
		      &analysis_total, err) < 0 ||
	    count_failed(call, j.id, q.code, META_ITEM_PROGRESS, &failed, err) < 0 ||
	    count_failed(call, j.id, q.code, META_ITEM_ANALYSIS, &failed_analysis, err) < 0)
		goto out;
	cJSON_AddNumberToObject(r, "Total", (double)total);
	cJSON_AddNumberToObject(r, "ErrorItem", (double)failed);
	cJSON_AddNumberToObject(r, "ErrorAnalysisItem", (double)failed_analysis);
	cJSON_AddNumberToObject(r, "TotalRecordCount", (double)total);
	cJSON_AddStringToObject(r, "Code", q.code);
	cJSON_AddNumberToObject(r, "PageNumber", (double)q.page);
	cJSON_AddArrayToObject(r, "SubDistributedJobStatus");
	if (act__netcheck_fields(call, j.id, q.code, step_id, err) < 0)
		goto out;
	rc = 0;
out:
	meta_subtask_release(&st);
	meta_job_release(&j);
	return rc;
}

/* Parses a JSON array of strings (SkipPreCheckItems / SkipPreCheckNames);
 * a plain comma list is accepted too. */
static int parse_names(const char *param, const char *v, char ***out, size_t *n,
		       struct err *err)
{
	cJSON *arr = cJSON_Parse(v);
	const cJSON *e;

	*out = NULL;
	*n = 0;
	if (!arr) {
		char *copy = xstrdup(v), *save = NULL;
		for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			(*out)[(*n)++] = xstrdup(t);
		}
		free(copy);
	} else if (cJSON_IsArray(arr)) {
		cJSON_ArrayForEach(e, arr) {
			if (!cJSON_IsString(e))
				break;
			*out = xrealloc(*out, (*n + 1) * sizeof(**out));
			(*out)[(*n)++] = xstrdup(e->valuestring);
		}
		if (e) {
			cJSON_Delete(arr);
			err_param(err, ERR_INVALID, param, "%s must be a JSON array of item names", param);
			return -1;
		}
	}
	cJSON_Delete(arr);
	if (*n == 0) {
		err_param(err, ERR_INVALID, param, "%s names no precheck item", param);
		err_detail(err, "for example [\"CHECK_SAME_OBJ\"]");
		return -1;
	}
	return 0;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static char *join(char **names, size_t n)
{
	struct buf b;

	buf_init(&b, BUF_UNLIMITED);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, names[i]);
	}
	return buf_take(&b);
}

int act_skip_pre_check(struct api_call *call, struct err *err)
{
	const char *id, *items = api_param(call, "SkipPreCheckItems");
	const char *names = api_param(call, "SkipPreCheckNames");
	const char *pname = items && *items ? "SkipPreCheckItems" : "SkipPreCheckNames";
	const char *list = items && *items ? items : names;
	struct meta_subtask st = { 0 };
	char **v = NULL;
	size_t n = 0;
	bool skip;
	int rc = -1;

	if (api_param_required(call, "DtsJobId", &id, err) < 0 ||
	    api_param_bool(call, "Skip", true, &skip, err) < 0)
		return -1;
	if (!list || !*list) {
		err_param(err, ERR_MISSING, "SkipPreCheckItems",
			  "SkipPreCheckItems (or SkipPreCheckNames) is required");
		return -1;
	}
	if (parse_names(pname, list, &v, &n, err) < 0)
		goto out;
	if (job_skip_precheck(call->app->jobs, call->meta, id, (const char *const *)v, n,
			      skip, err) < 0)
		goto out;
	if (meta_subtask_get(call->meta, id, "01", &st, err) < 0)
		err_clear(err);
	char *joined = join(v, n);
	cJSON_AddStringToObject(call->resp, "ScheduleJobId", st.step_id);
	cJSON_AddStringToObject(call->resp, "MigrationJobId", st.step_id);
	cJSON_AddStringToObject(call->resp, "SkipItems", joined);
	cJSON_AddStringToObject(call->resp, "SkipNames", joined);
	free(joined);
	rc = 0;
out:
	meta_subtask_release(&st);
	free_names(v, n);
	return rc;
}
