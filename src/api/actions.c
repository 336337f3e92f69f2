/*
 * actions.c - the table of API actions. Adding an action means writing its
 * handler (act_*.c) and one row here. Immutable; read from any thread.
 */
#include <string.h>

#include "api/actions.h"

const struct api_action api_actions[] = {
	{ "CreateDtsInstance", act_create_dts_instance },
	{ "ConfigureDtsJob", act_configure_dts_job },
	{ "StartDtsJob", act_start_dts_job },
	{ "SuspendDtsJob", act_suspend_dts_job },
	{ "StopDtsJob", act_stop_dts_job },
	{ "ResetDtsJob", act_reset_dts_job },
	{ "DeleteDtsJob", act_delete_dts_job },
	{ "DescribeDtsJobs", act_describe_dts_jobs },
	{ "DescribeDtsJobDetail", act_describe_dts_job_detail },
	{ "DescribePreCheckStatus", act_describe_pre_check_status },
	{ "SkipPreCheck", act_skip_pre_check },
	{ NULL, NULL },
};

const struct api_action *api_action_find(const char *name)
{
	for (const struct api_action *a = api_actions; name && a->name; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}
