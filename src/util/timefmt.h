/*
 * timefmt.h - the time formats of the API. Pure, thread-safe.
 *  - ISO Z, seconds:   "2024-01-15T08:30:00Z"  (Timestamp, x-acs-date, job times)
 *  - ISO ms + offset:  "2022-03-16T08:01:34.000+00:00" (DescribePreCheckStatus)
 * Times are kept as int64 milliseconds since the epoch (0 = not set).
 */
#ifndef OPENDTS_UTIL_TIMEFMT_H
#define OPENDTS_UTIL_TIMEFMT_H

#include <stdint.h>
#include <time.h>

#define TIME_ISO_LEN 96

int64_t time_now_ms(void);
/* Monotonic milliseconds, for timeouts and rates. */
int64_t time_mono_ms(void);
/* "2024-01-15T08:30:00Z"; "" for ms == 0. Returns out. */
char *time_iso_z(char out[TIME_ISO_LEN], int64_t ms);
/* "2022-03-16T08:01:34.000+00:00"; "" for ms == 0. Returns out. */
char *time_iso_ms(char out[TIME_ISO_LEN], int64_t ms);
/* Parses exactly "YYYY-MM-DDThh:mm:ssZ" (UTC) into seconds; -1 if malformed. */
int time_parse_iso_z(const char *s, time_t *out);

#endif
