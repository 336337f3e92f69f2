/*
 * config.c - where `dts` finds its endpoint and access key: the command-line
 * flags, else the environment, else ~/.opendts/config ("key = value" lines).
 *
 * Single-threaded. cli_settings owns its strings (cli_settings_release);
 * the secret is wiped before it is freed and never appears in a message.
 */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/str.h"
#include "util/xalloc.h"

#define CONFIG_MAX (64u << 10)

static void wipe_free(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
	free(s);
}

void cli_settings_release(struct cli_settings *s)
{
	free(s->endpoint);
	free(s->key_id);
	wipe_free(s->secret);
	free(s->region);
	memset(s, 0, sizeof(*s));
}

static char **setting_slot(struct cli_settings *s, const char *key, size_t n)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "endpoint", offsetof(struct cli_settings, endpoint) },
		{ "access_key_id", offsetof(struct cli_settings, key_id) },
		{ "access_key_secret", offsetof(struct cli_settings, secret) },
		{ "region", offsetof(struct cli_settings, region) },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strlen(keys[i].key) == n && strncmp(keys[i].key, key, n) == 0)
			return (char **)((char *)s + keys[i].off);
	return NULL;
}

static void trim(const char **p, const char **end)
{
	while (*p < *end && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*end > *p && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
		(*end)--;
}

/* One line: blank, "# comment", or "key = value". */
static int parse_line(const char *p, const char *end, const char *path, int lineno,
		      struct cli_settings *s, struct err *err)
{
	const char *eq, *v;
	char **slot;

	trim(&p, &end);
	if (p == end || *p == '#')
		return 0;
	eq = memchr(p, '=', (size_t)(end - p));
	if (!eq) {
		err_set(err, ERR_INVALID, "config file \"%s\" line %d: expected key = value",
			path, lineno);
		return -1;
	}
	v = eq + 1;
	trim(&v, &end);
	trim(&p, &eq);
	slot = setting_slot(s, p, (size_t)(eq - p));
	if (!slot) {
		err_set(err, ERR_INVALID, "config file \"%s\" line %d: unknown key \"%.*s\"",
			path, lineno, (int)(eq - p), p);
		err_detail(err, "known keys: endpoint, access_key_id, access_key_secret, region");
		return -1;
	}
	if (end - v >= 2 && v[0] == '"' && end[-1] == '"') {
		v++;
		end--;
	}
	wipe_free(*slot);
	*slot = xstrndup(v, (size_t)(end - v));
	return 0;
}

int cli_config_parse(const char *text, size_t len, const char *path,
		     struct cli_settings *s, struct err *err)
{
	const char *p = text, *end = text + len;
	int lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if (memchr(p, '\0', (size_t)(eol - p))) {
			err_set(err, ERR_INVALID, "config file \"%s\" line %d: NUL byte",
				path, lineno + 1);
			return -1;
		}
		if (parse_line(p, eol, path, ++lineno, s, err) < 0)
			return -1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

static int read_all(int fd, const char *path, struct buf *b, struct err *err)
{
	char chunk[4096];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys(err, ERR_IO, errno, "cannot read config file \"%s\"", path);
			return -1;
		}
		if (buf_append(b, chunk, (size_t)n) < 0) {
			err_set(err, ERR_TOO_LARGE, "config file \"%s\" is larger than %u bytes",
				path, CONFIG_MAX);
			return -1;
		}
	}
	return 0;
}

int cli_config_load(const char *path, bool must_exist, struct cli_settings *s,
		    struct err *err)
{
	struct buf b;
	struct stat st;
	int rc = -1, fd = open(path, O_RDONLY | O_CLOEXEC);

	buf_init(&b, CONFIG_MAX);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		err_sys(err, ERR_IO, errno, "cannot open config file \"%s\"", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		err_sys(err, ERR_IO, errno, "cannot stat config file \"%s\"", path);
		goto cleanup;
	}
	if (read_all(fd, path, &b, err) < 0 ||
	    cli_config_parse(b.data ? b.data : "", b.len, path, s, err) < 0)
		goto cleanup;
	if (s->secret && (st.st_mode & 077)) {
		err_set(err, ERR_INVALID, "config file \"%s\" holds a secret and is "
			"accessible by group or others", path);
		err_detail(err, "run: chmod 600 %s", path);
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (b.data)
		memset(b.data, 0, b.len);
	buf_release(&b);
	close(fd);
	return rc;
}

/* The first non-empty of a flag value, an environment variable, a file value. */
static char *pick(const char *flag, const char *env, const char *file)
{
	const char *e = env ? getenv(env) : NULL;

	if (flag && *flag)
		return xstrdup(flag);
	if (e && *e)
		return xstrdup(e);
	if (file && *file)
		return xstrdup(file);
	return NULL;
}

int cli_settings_resolve(const struct cli_args *a, struct cli_settings *out,
			 struct err *err)
{
	struct cli_settings file = { 0 };
	const char *home = getenv("HOME");
	char *path = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (a->config)
		path = xstrdup(a->config);
	else if (home && *home)
		path = xasprintf("%s/.opendts/config", home);
	if (path && cli_config_load(path, a->config != NULL, &file, err) < 0)
		goto cleanup;
	out->endpoint = pick(a->endpoint, "DTS_ENDPOINT", file.endpoint);
	if (!out->endpoint)
		out->endpoint = xstrdup(DTS_DEFAULT_ENDPOINT);
	out->key_id = pick(a->key_id, "DTS_ACCESS_KEY_ID", file.key_id);
	out->secret = pick(a->secret, "DTS_ACCESS_KEY_SECRET", file.secret);
	out->region = pick(a->region, "DTS_REGION", file.region);
	if (!out->key_id || !out->secret) {
		err_set(err, ERR_MISSING, "no access key %s",
			!out->key_id ? "id" : "secret");
		err_detail(err, "give --access-key-id/--access-key-secret, set "
			   "DTS_ACCESS_KEY_ID/DTS_ACCESS_KEY_SECRET, or write them to %s",
			   path ? path : "~/.opendts/config");
		cli_settings_release(out);
		goto cleanup;
	}
	rc = 0;
cleanup:
	cli_settings_release(&file);
	free(path);
	return rc;
}
