/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_RFC3339_H
#define HM_RFC3339_H

#include <stdint.h>

#include "err.h"

#define	RFC3339_STRLEN	24	/* "2026-11-26T09:30:00.123Z" */
#define	DATE_STRLEN	10	/* "2026-11-26" */

/* Milliseconds since the Unix epoch, from CLOCK_REALTIME. */
int64_t		 time_now_ms(void);

/*
 * Formats "ms" (milliseconds since the epoch, years 0000 to 9999) as
 * RFC 3339 UTC with milliseconds and a "Z" into "out".
 * Returns ERR_INVAL when the year is out of range.
 */
enum err	 time_format(int64_t ms, char out[RFC3339_STRLEN + 1]);

/*
 * Parses an RFC 3339 date-time strictly: "YYYY-MM-DDTHH:MM:SS", an
 * optional fraction of 1 to 9 digits (truncated to milliseconds), and
 * "Z" or a "+HH:MM"/"-HH:MM" offset.  Upper-case "T" and "Z" only, no
 * leap seconds, no surrounding space; calendar checked (Feb 29 only in
 * leap years).  Stores milliseconds since the epoch (UTC) in "*ms".
 * Returns ERR_INVAL for anything else.
 */
enum err	 time_parse(const char *s, int64_t *ms);

/*
 * As time_parse(), but a fraction finer than a millisecond rounds up:
 * the first millisecond not before "s", for lower bounds.
 */
enum err	 time_parse_ceil(const char *s, int64_t *ms);

/*
 * Parses a calendar date "YYYY-MM-DD" strictly and stores the days
 * since 1970-01-01 in "*days".  Returns ERR_INVAL for anything else.
 */
enum err	 date_parse(const char *s, int64_t *days);

/* Days since 1970-01-01 of a proleptic Gregorian date (no checks). */
int64_t		 days_from_civil(int64_t y, unsigned m, unsigned d);

#endif /* !HM_RFC3339_H */
