/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "rfc3339.h"

#define	MS_PER_DAY	INT64_C(86400000)
#define	MS_PER_MIN	INT64_C(60000)
/* "YYYY-MM-DDTHH:MM:SS" ".fffffffff" "+HH:MM" */
#define	PARSE_MAX	(19 + 10 + 6)

/*
 * Reads CLOCK_REALTIME in milliseconds.  The call cannot fail with a
 * valid clock id and pointer; should it anyway, 0 (the epoch) is
 * returned rather than garbage.
 */
int64_t
time_now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Days since 1970-01-01 of the proleptic Gregorian date "y"-"m"-"d",
 * after Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms"
 * (eras of 400 years, the year starting in March so that the leap day
 * comes last).  No range checks; correct for any date whose day count
 * fits in int64_t.
 */
int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t	 era, yoe, doy, doe, mm = m, dd = d;

	y -= mm <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (mm > 2 ? mm - 3 : mm + 9) + 2) / 5 + dd - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * The inverse of days_from_civil(): stores the date of "z" (days since
 * 1970-01-01) in "*y", "*m" and "*d".  Same algorithm and source.
 */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t	 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/*
 * Formats "ms" as "YYYY-MM-DDTHH:MM:SS.sssZ".  Times before the epoch
 * round towards the past, so -1 is 1969-12-31T23:59:59.999Z.
 */
/* Writes "v" as exactly "n" decimal digits, zero-padded, at "s". */
static void
putdigits(char *s, unsigned v, size_t n)
{

	while (n-- > 0) {
		s[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

enum err
time_format(int64_t ms, char out[RFC3339_STRLEN + 1])
{
	int64_t		 days, rem, y;
	unsigned	 m, d;

	if (ms < days_from_civil(0, 1, 1) * MS_PER_DAY ||
	    ms >= days_from_civil(10000, 1, 1) * MS_PER_DAY)
		return ERR_INVAL;
	days = ms / MS_PER_DAY;
	rem = ms % MS_PER_DAY;
	if (rem < 0) {
		days--;
		rem += MS_PER_DAY;
	}
	civil_from_days(days, &y, &m, &d);
	/* By hand: snprintf took 6,000 instructions, every row a request. */
	putdigits(out, (unsigned)y, 4);
	out[4] = '-';
	putdigits(out + 5, m, 2);
	out[7] = '-';
	putdigits(out + 8, d, 2);
	out[10] = 'T';
	putdigits(out + 11, (unsigned)(rem / 3600000), 2);
	out[13] = ':';
	putdigits(out + 14, (unsigned)(rem / 60000 % 60), 2);
	out[16] = ':';
	putdigits(out + 17, (unsigned)(rem / 1000 % 60), 2);
	out[19] = '.';
	putdigits(out + 20, (unsigned)(rem % 1000), 3);
	out[23] = 'Z';
	out[RFC3339_STRLEN] = '\0';
	return ERR_OK;
}

/*
 * Reads exactly "n" ASCII digits at "s" into "*v".  The caller has
 * checked that "n" bytes are there.  Returns 0 on a non-digit.
 */
static int
digits(const char *s, size_t n, unsigned *v)
{
	size_t	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return 1;
}

/* Returns 1 if "y" is a Gregorian leap year. */
static int
isleap(unsigned y)
{

	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * Parses "YYYY-MM-DD" (RFC 3339 "full-date") at "s", which has at least
 * DATE_STRLEN bytes, into days since the epoch.  Checks the month and
 * the day against the month's length.  Returns 0 on failure.
 */
static int
parsedate(const char *s, int64_t *days)
{
	static const unsigned	 mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned		 y, m, d, max;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return 0;
	if (m < 1 || m > 12)
		return 0;
	max = mdays[m - 1] + (m == 2 && isleap(y));
	if (d < 1 || d > max)
		return 0;
	*days = days_from_civil(y, m, d);
	return 1;
}

/*
 * Parses "HH:MM:SS" (RFC 3339 "partial-time" without the fraction) at
 * "s", which has at least 8 bytes, into milliseconds of the day.
 * Second 60 is refused: we take no leap seconds.  Returns 0 on failure.
 */
static int
parseclock(const char *s, int64_t *ms)
{
	unsigned	 h, m, sec;

	if (!digits(s, 2, &h) || s[2] != ':' || !digits(s + 3, 2, &m) ||
	    s[5] != ':' || !digits(s + 6, 2, &sec))
		return 0;
	if (h > 23 || m > 59 || sec > 59)
		return 0;
	*ms = ((int64_t)h * 3600 + m * 60 + sec) * 1000;
	return 1;
}

/*
 * Parses the optional fraction at "s" ("n" bytes left): "." and 1 to 9
 * digits, truncated to milliseconds into "*ms".  Returns the number of
 * bytes used (0 when there is no "."), or -1 on failure.
 */
static int
parsefrac(const char *s, size_t n, int64_t *ms)
{
	size_t	 i;

	*ms = 0;
	if (n == 0 || s[0] != '.')
		return 0;
	for (i = 1; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		if (i <= 3)
			*ms += (s[i] - '0') * (i == 1 ? 100 : i == 2 ? 10 : 1);
	if (i == 1 || i > 10)
		return -1;
	return (int)i;
}

/*
 * Parses the "time-offset" at "s" ("n" bytes left, which must all be
 * used): "Z" or "+HH:MM"/"-HH:MM", into minutes east of UTC.
 * Returns 0 on failure.
 */
static int
parsezone(const char *s, size_t n, int64_t *off)
{
	unsigned	 h, m;

	if (n == 1 && s[0] == 'Z') {
		*off = 0;
		return 1;
	}
	if (n != 6 || (s[0] != '+' && s[0] != '-') ||
	    !digits(s + 1, 2, &h) || s[3] != ':' || !digits(s + 4, 2, &m))
		return 0;
	if (h > 23 || m > 59)
		return 0;
	*off = (int64_t)h * 60 + m;
	if (s[0] == '-')
		*off = -*off;
	return 1;
}

/*
 * Parses an RFC 3339 "date-time" strictly (section 5.6) and converts
 * it to UTC milliseconds: a time at offset +05:30 is 5.5 hours earlier
 * in UTC.  "s" is measured with a bound before any byte is read.
 */
enum err
time_parse(const char *s, int64_t *ms)
{
	int64_t		 days, clock, frac, off;
	size_t		 len;
	int		 n;

	if (s == NULL)
		return ERR_INVAL;
	len = strnlen(s, PARSE_MAX + 1);
	if (len < 20 || len > PARSE_MAX)
		return ERR_INVAL;
	if (!parsedate(s, &days) || s[10] != 'T' ||
	    !parseclock(s + 11, &clock))
		return ERR_INVAL;
	if ((n = parsefrac(s + 19, len - 19, &frac)) < 0)
		return ERR_INVAL;
	if (!parsezone(s + 19 + n, len - 19 - (size_t)n, &off))
		return ERR_INVAL;
	*ms = days * MS_PER_DAY + clock + frac - off * MS_PER_MIN;
	return ERR_OK;
}

enum err
time_parse_ceil(const char *s, int64_t *ms)
{
	size_t		 i;
	enum err	 e;

	if ((e = time_parse(s, ms)) != ERR_OK)
		return e;
	/* time_parse() checked the shape: digits after ".sss" are finer. */
	if (s[19] == '.')
		for (i = 20; s[i] >= '0' && s[i] <= '9'; i++)
			if (i >= 23 && s[i] != '0') {
				(*ms)++;
				break;
			}
	return ERR_OK;
}

enum err
date_parse(const char *s, int64_t *days)
{

	if (s == NULL || strnlen(s, DATE_STRLEN + 1) != DATE_STRLEN)
		return ERR_INVAL;
	return parsedate(s, days) ? ERR_OK : ERR_INVAL;
}
