/*
 * dblist.c - validation of the DbList (object selection and renames) and
 * Reserve (extra settings) JSON parameters, ACTIONS.md sections 4 and 5.
 * Unknown keys are kept verbatim (DTS adds its own); known keys must have
 * the right types, so a mistake is reported with its path before a job runs.
 * Pure functions.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/job.h"
#include "util/str.h"
#include "util/xalloc.h"

#define NAME_MAX_CHARS 64   /* MySQL identifier limit, in characters */

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static int bad(struct err *err, const char *path, const char *what)
{
	err_param(err, ERR_INVALID, "DbList", "DbList %s: %s", path, what);
	return -1;
}

/* "all" may be a JSON boolean or the strings "true"/"false". */
static int check_bool(const cJSON *o, const char *key, const char *path, struct err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	bool b;

	if (!v || cJSON_IsBool(v))
		return 0;
	if (cJSON_IsString(v) && str_to_bool(v->valuestring, &b) == 0)
		return 0;
	char what[128];
	snprintf(what, sizeof(what), "\"%s\" must be true or false", key);
	return bad(err, path, what);
}

static int check_name(const cJSON *o, const char *path, struct err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "name");

	if (!v)
		return 0;
	if (!cJSON_IsString(v) || !*v->valuestring)
		return bad(err, path, "\"name\" must be a non-empty string");
	if (utf8_chars(v->valuestring) > NAME_MAX_CHARS)
		return bad(err, path, "\"name\" is longer than 64 characters");
	return 0;
}

static int check_strings(const cJSON *o, const char *const *keys, const char *path,
			 struct err *err)
{
	for (size_t i = 0; keys[i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
		char what[128];
		if (!v || cJSON_IsString(v))
			continue;
		snprintf(what, sizeof(what), "\"%s\" must be a string", keys[i]);
		return bad(err, path, what);
	}
	return 0;
}

/* Child object by any of its accepted spellings ("Table"/"table"). */
static const cJSON *child(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	return v ? v : cJSON_GetObjectItemCaseSensitive(o, b);
}

static int check_key(const char *key, const char *path, struct err *err)
{
	if (!*key)
		return bad(err, path, "an object name is empty");
	if (utf8_chars(key) > NAME_MAX_CHARS)
		return bad(err, path, "an object name is longer than 64 characters");
	return 0;
}

static int check_columns(const cJSON *cols, const char *tpath, struct err *err)
{
	static const char *const keys[] = { "name", "type", "defaultValue", "value", "targetType", NULL };
	char path[1024];
	const cJSON *c;

	if (!cJSON_IsObject(cols))
		return bad(err, tpath, "\"column\" must be an object keyed by column name");
	cJSON_ArrayForEach(c, cols) {
		snprintf(path, sizeof(path), "%s column \"%.200s\"", tpath, c->string);
		if (check_key(c->string, path, err) < 0)
			return -1;
		if (!cJSON_IsObject(c))
			return bad(err, path, "must be an object");
		if (check_name(c, path, err) < 0 || check_strings(c, keys, path, err) < 0 ||
		    check_bool(c, "primaryKey", path, err) < 0)
			return -1;
	}
	return 0;
}

static int check_tables(const cJSON *tables, const char *dbpath, struct err *err)
{
	static const char *const keys[] = { "filter", "dml_op", "ddl_op", "srcSchema", "destSchema", NULL };
	char path[640];
	const cJSON *t;

	if (!cJSON_IsObject(tables))
		return bad(err, dbpath, "\"Table\" must be an object keyed by table name");
	cJSON_ArrayForEach(t, tables) {
		snprintf(path, sizeof(path), "%s table \"%.200s\"", dbpath, t->string);
		if (check_key(t->string, path, err) < 0)
			return -1;
		if (!cJSON_IsObject(t))
			return bad(err, path, "must be an object");
		if (check_name(t, path, err) < 0 || check_bool(t, "all", path, err) < 0 ||
		    check_strings(t, keys, path, err) < 0)
			return -1;
		const cJSON *cols = child(t, "column", "Column");
		if (cols && check_columns(cols, path, err) < 0)
			return -1;
	}
	return 0;
}

static bool is_true(const cJSON *v)
{
	bool b = false;

	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	return cJSON_IsString(v) && str_to_bool(v->valuestring, &b) == 0 && b;
}

int job_dblist_validate(const char *json, char **normalized, struct err *err)
{
	static const char *const keys[] = { "dml_op", "ddl_op", "state", NULL };
	cJSON *root = cJSON_ParseWithLengthOpts(json, strlen(json) + 1, NULL, 1);
	const cJSON *db;
	char path[256];
	int rc = -1;

	if (!root) {
		err_param(err, ERR_INVALID, "DbList", "DbList is not valid JSON");
		err_detail(err, "for example {\"mydb\":{\"name\":\"mydb\",\"all\":true}}");
		return -1;
	}
	if (!cJSON_IsObject(root) || !root->child) {
		bad(err, "", "must be a non-empty object keyed by source database name");
		goto out;
	}
	cJSON_ArrayForEach(db, root) {
		snprintf(path, sizeof(path), "database \"%.200s\"", db->string);
		if (check_key(db->string, path, err) < 0)
			goto out;
		if (!cJSON_IsObject(db)) {
			bad(err, path, "must be an object");
			goto out;
		}
		if (check_name(db, path, err) < 0 || check_bool(db, "all", path, err) < 0 ||
		    check_strings(db, keys, path, err) < 0)
			goto out;
		const cJSON *tables = child(db, "Table", "table");
		if (tables && check_tables(tables, path, err) < 0)
			goto out;
		if (!is_true(cJSON_GetObjectItemCaseSensitive(db, "all")) &&
		    (!tables || !tables->child)) {
			bad(err, path, "selects nothing: set \"all\":true or list tables under \"Table\"");
			goto out;
		}
	}
	if (normalized)
		*normalized = cJSON_PrintUnformatted(root);
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

static int reserve_bad(struct err *err, const char *what, const char *key)
{
	err_param(err, ERR_INVALID, "Reserve", "Reserve \"%s\": %s", key, what);
	return -1;
}

int job_reserve_validate(const char *json, char **normalized, struct err *err)
{
	static const struct { const char *key; const char *const allowed[4]; } enums[] = {
		{ "targetTableMode", { "0", "2", NULL } },
		{ "autoStartModulesAfterConfig", { "none", "auto", "all", NULL } },
	};
	cJSON *root = cJSON_ParseWithLengthOpts(json, strlen(json) + 1, NULL, 1);
	int rc = -1;

	if (!root || !cJSON_IsObject(root)) {
		err_param(err, ERR_INVALID, "Reserve", "Reserve must be a JSON object");
		err_detail(err, "for example {\"targetTableMode\":\"0\"}; values are strings");
		goto out;
	}
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, enums[i].key);
		bool ok = false;
		if (!v)
			continue;
		for (size_t k = 0; cJSON_IsString(v) && enums[i].allowed[k]; k++)
			ok = ok || strcmp(v->valuestring, enums[i].allowed[k]) == 0;
		if (!ok) {
			reserve_bad(err, "has a value this build does not accept", enums[i].key);
			err_detail(err, "targetTableMode: \"0\" or \"2\"; "
				   "autoStartModulesAfterConfig: \"none\" or \"auto\"");
			goto out;
		}
	}
	if (normalized)
		*normalized = cJSON_PrintUnformatted(root);
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

const char *job_reserve_get(const char *reserve_json, const char *key,
			    const char *def, char *out, size_t n)
{
	cJSON *root;
	const cJSON *v;

	str_copy(out, n, def);
	if (!reserve_json || !*reserve_json)
		return out;
	root = cJSON_Parse(reserve_json);
	v = cJSON_GetObjectItemCaseSensitive(root, key);
	if (cJSON_IsString(v))
		str_copy(out, n, v->valuestring);
	else if (cJSON_IsNumber(v))
		snprintf(out, n, "%.0f", v->valuedouble);
	cJSON_Delete(root);
	return out;
}
