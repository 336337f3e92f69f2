/*
 * timefmt.c - formatting and parsing the API's UTC time strings.
 */
#include "util/timefmt.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

int64_t time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int split(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms / 1000);

	return gmtime_r(&t, tm) ? 0 : -1;
}

char *time_iso_z(char out[TIME_ISO_LEN], int64_t ms)
{
	struct tm tm;

	out[0] = '\0';
	if (ms <= 0 || split(ms, &tm) < 0)
		return out;
	snprintf(out, TIME_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	return out;
}

char *time_iso_ms(char out[TIME_ISO_LEN], int64_t ms)
{
	struct tm tm;

	out[0] = '\0';
	if (ms <= 0 || split(ms, &tm) < 0)
		return out;
	snprintf(out, TIME_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000));
	return out;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int time_parse_iso_z(const char *s, time_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, se;

	if (!s || strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return -1;
	if (digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
	    digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	time_t t = timegm(&tm);
	struct tm back;
	/* Reject dates that do not exist (2024-02-31) instead of normalising. */
	if (!gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1 ||
	    back.tm_sec != se)
		return -1;
	*out = t;
	return 0;
}
