/*
 * creds.c - the access keys dtsd accepts: loaded once at start-up from
 * --credentials FILE, else DTS_ACCESS_KEY_ID/DTS_ACCESS_KEY_SECRET, else
 * DATA_DIR/credentials, which is generated (and printed once) on a fresh
 * data dir. Files hold lines "KEY_ID SECRET" and '#' comments, and must not
 * be accessible by group or others.
 *
 * Loaded by main.c before any thread starts and read-only afterwards, so the
 * HTTP threads look keys up without a lock. The struct owns every string;
 * secrets are wiped when it is freed and never logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/internal.h"
#include "util/codec.h"
#include "util/xalloc.h"

#define CREDS_FILE     "credentials"
#define CREDS_MAX_FILE (1024 * 1024)
#define CREDS_ID_LEN   24            /* "LTAI" + 20 */
#define CREDS_SECRET_LEN 30

struct api_creds {
	struct kvlist keys;          /* key id -> secret */
};

static struct api_creds *creds_new(void)
{
	struct api_creds *c = xcalloc(1, sizeof(*c));

	kvlist_init(&c->keys);
	return c;
}

void api_creds_free(struct api_creds *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->keys.len; i++)
		memset(c->keys.items[i].val, 0, strlen(c->keys.items[i].val));
	kvlist_release(&c->keys);
	free(c);
}

void api_creds_add(struct api_creds *c, const char *key_id, const char *secret)
{
	kvlist_set(&c->keys, key_id, secret);
}

const char *api__creds_find(const struct api_creds *c, const char *key_id,
			    const char **secret)
{
	for (size_t i = 0; i < c->keys.len; i++) {
		if (strcmp(c->keys.items[i].key, key_id) == 0) {
			*secret = c->keys.items[i].val;
			return c->keys.items[i].key;
		}
	}
	return NULL;
}

const char *api_creds_secret(const struct api_creds *c, const char *key_id)
{
	const char *secret = NULL;

	return api__creds_find(c, key_id, &secret) ? secret : NULL;
}

/* Splits the next whitespace-separated field off *p; NULL at the end. */
static char *next_field(char **p)
{
	char *s = *p, *start;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	start = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return start;
}

/* Parses the text of a credentials file into c. Modifies text. */
static int parse_creds(struct api_creds *c, char *text, const char *path,
		       struct err *err)
{
	int lineno = 0;
	char *line = text, *nl;

	for (; line; line = nl) {
		char *p, *id, *secret;
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		lineno++;
		line[strcspn(line, "\r#")] = '\0';
		p = line;
		id = next_field(&p);
		if (!id)
			continue;
		secret = next_field(&p);
		if (!secret || next_field(&p)) {
			err_set(err, ERR_INVALID, "credentials file \"%s\", line %d: expected \"KEY_ID SECRET\"",
				path, lineno);
			return -1;
		}
		if (api_creds_secret(c, id)) {
			err_set(err, ERR_INVALID, "credentials file \"%s\", line %d: key \"%s\" is listed twice",
				path, lineno, id);
			return -1;
		}
		api_creds_add(c, id, secret);
	}
	if (!c->keys.len) {
		err_set(err, ERR_INVALID, "credentials file \"%s\" holds no key", path);
		err_detail(err, "write one line \"KEY_ID SECRET\" per access key");
		return -1;
	}
	return 0;
}

/* Reads a whole credentials file after checking its type and mode. */
static char *read_creds_file(const char *path, struct err *err)
{
	char *text = NULL;
	struct stat st;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		err_sys(err, ERR_IO, errno, "cannot open credentials file \"%s\"", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		err_sys(err, ERR_IO, errno, "cannot stat credentials file \"%s\"", path);
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CREDS_MAX_FILE) {
		err_set(err, ERR_INVALID, "credentials file \"%s\" is not a regular file of at most %d bytes",
			path, CREDS_MAX_FILE);
		goto cleanup;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		err_set(err, ERR_INVALID, "credentials file \"%s\" is accessible by group or others (mode %04o)",
			path, (unsigned)(st.st_mode & 07777));
		err_detail(err, "run: chmod 600 %s", path);
		goto cleanup;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, text + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_sys(err, ERR_IO, errno, "cannot read credentials file \"%s\"", path);
			free(text);
			text = NULL;
			goto cleanup;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	text[len] = '\0';
cleanup:
	close(fd);
	return text;
}

static struct api_creds *load_file(const char *path, struct err *err)
{
	struct api_creds *c = NULL;
	char *text = read_creds_file(path, err);

	if (!text)
		return NULL;
	c = creds_new();
	if (parse_creds(c, text, path, err) < 0) {
		api_creds_free(c);
		c = NULL;
	}
	memset(text, 0, strlen(text));
	free(text);
	return c;
}

/* Creates dir and its missing parents, mode 0700. */
static int make_dirs(const char *dir, struct err *err)
{
	char *path = xstrdup(dir);
	int rc = -1;

	for (char *p = path + 1; ; p++) {
		char saved = *p;
		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			err_sys(err, ERR_IO, errno, "cannot create data directory \"%s\"", path);
			goto cleanup;
		}
		*p = saved;
		if (!saved)
			break;
	}
	rc = 0;
cleanup:
	free(path);
	return rc;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static void print_generated(const char *path, const char *id, const char *secret)
{
	printf("==================================================================\n"
	       "dtsd generated an access key for this data directory.\n"
	       "It is shown only this once; it is stored in %s (mode 0600).\n"
	       "\n"
	       "  AccessKeyId:     %s\n"
	       "  AccessKeySecret: %s\n"
	       "==================================================================\n",
	       path, id, secret);
	fflush(stdout);
}

/* Writes text to a new file next to path and links it into place, so path
 * either does not exist or holds the whole text, even after a crash. Sets
 * *exists when another process created path first. */
static int write_new_file(const char *path, const char *text, int *exists,
			  struct err *err)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp), rc = -1;

	if (fd < 0) {
		err_sys(err, ERR_IO, errno, "cannot create a file next to \"%s\"", path);
		goto cleanup;
	}
	/* fchmod: the mode must be exactly 0600 whatever the umask is. */
	if (fchmod(fd, 0600) < 0 || write_all(fd, text, strlen(text)) < 0 ||
	    fsync(fd) < 0) {
		err_sys(err, ERR_IO, errno, "cannot write credentials file \"%s\"", tmp);
		close(fd);
		goto cleanup;
	}
	if (close(fd) < 0) {
		err_sys(err, ERR_IO, errno, "cannot write credentials file \"%s\"", tmp);
		goto cleanup;
	}
	if (link(tmp, path) < 0) {
		*exists = errno == EEXIST;
		err_sys(err, ERR_IO, errno, "cannot create credentials file \"%s\"", path);
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (fd >= 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Generates a key pair, stores it at path (which must not exist yet) and
 * prints it once. NULL with err set, and *exists set when another process
 * created the file first. */
static struct api_creds *generate(const char *path, int *exists, struct err *err)
{
	char id[CREDS_ID_LEN + 1] = "LTAI", secret[CREDS_SECRET_LEN + 1];
	struct api_creds *c = NULL;
	char *text;

	codec_random_id(id + 4, sizeof(id) - 4);
	codec_random_id(secret, sizeof(secret));
	text = xasprintf("# dtsd access keys: one \"KEY_ID SECRET\" per line\n%s %s\n",
			 id, secret);
	if (write_new_file(path, text, exists, err) == 0) {
		c = creds_new();
		api_creds_add(c, id, secret);
		print_generated(path, id, secret);
	}
	memset(text, 0, strlen(text));
	free(text);
	memset(secret, 0, sizeof(secret));
	return c;
}

static struct api_creds *load_data_dir(const char *data_dir, struct err *err)
{
	char *path = xasprintf("%s/%s", data_dir, CREDS_FILE);
	struct api_creds *c = NULL;
	int exists = 0;
	struct stat st;

	if (stat(path, &st) == 0 || errno != ENOENT) {
		c = load_file(path, err);
		goto cleanup;
	}
	if (make_dirs(data_dir, err) < 0)
		goto cleanup;
	c = generate(path, &exists, err);
	if (!c && exists)
		c = load_file(path, err);
cleanup:
	free(path);
	return c;
}

struct api_creds *api_creds_load(const char *file, const char *data_dir, struct err *err)
{
	const char *id = getenv("DTS_ACCESS_KEY_ID");
	const char *secret = getenv("DTS_ACCESS_KEY_SECRET");
	struct api_creds *c;

	if (file && *file)
		return load_file(file, err);
	if ((id && *id) || (secret && *secret)) {
		if (!id || !*id || !secret || !*secret) {
			err_set(err, ERR_INVALID, "%s is set but %s is not",
				id && *id ? "DTS_ACCESS_KEY_ID" : "DTS_ACCESS_KEY_SECRET",
				id && *id ? "DTS_ACCESS_KEY_SECRET" : "DTS_ACCESS_KEY_ID");
			err_detail(err, "set both variables, or neither");
			return NULL;
		}
		c = creds_new();
		api_creds_add(c, id, secret);
		return c;
	}
	if (!data_dir || !*data_dir) {
		err_set(err, ERR_INVALID, "no access keys configured");
		err_detail(err, "pass --credentials FILE, set DTS_ACCESS_KEY_ID and "
			   "DTS_ACCESS_KEY_SECRET, or give a data directory");
		return NULL;
	}
	return load_data_dir(data_dir, err);
}
