/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rfc3339.h"
#include "testutil.h"

#define	MS_DAY		INT64_C(86400000)
#define	MS_YEAR0	(INT64_C(-719528) * MS_DAY)	/* 0000-01-01 */
#define	MS_YEAR10000	(INT64_C(2932897) * MS_DAY)	/* 10000-01-01 */

struct	civil {
	int64_t		 y;
	unsigned	 m, d;
	int64_t		 days;
};

/* Reference values from Python's datetime.date.toordinal(). */
static const struct civil civils[] = {
	{ 1970, 1, 1, 0 },
	{ 1969, 12, 31, -1 },
	{ 1970, 3, 1, 59 },
	{ 2000, 2, 29, 11016 },
	{ 2000, 3, 1, 11017 },
	{ 2024, 2, 29, 19782 },
	{ 2026, 11, 26, 20783 },
	{ 1900, 3, 1, -25508 },
	{ 1, 1, 1, -719162 },
	{ 0, 1, 1, -719528 },
	{ 0, 2, 29, -719469 },		/* year 0 is a leap year */
	{ 9999, 12, 31, 2932896 },
	{ 10000, 1, 1, 2932897 },
	{ -1, 12, 31, -719529 },
};

START_TEST(test_days_from_civil)
{
	const struct civil	*t = &civils[_i];

	ck_assert_int_eq(days_from_civil(t->y, t->m, t->d), t->days);
}
END_TEST

struct	parsed {
	const char	*s;
	int64_t		 ms;
};

static const struct parsed valids[] = {
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1970-01-01T00:00:00.001Z", 1 },
	{ "1969-12-31T23:59:59.999Z", -1 },
	{ "2026-11-26T09:30:00Z", INT64_C(1795685400000) },
	{ "2026-11-26T09:30:00.123Z", INT64_C(1795685400123) },
	{ "2026-11-26T09:30:00.1Z", INT64_C(1795685400100) },
	{ "2026-11-26T09:30:00.12Z", INT64_C(1795685400120) },
	{ "2026-11-26T09:30:00.1239Z", INT64_C(1795685400123) },
	{ "2026-11-26T09:30:00.123999999Z", INT64_C(1795685400123) },
	{ "2026-11-26T09:30:00.000000000Z", INT64_C(1795685400000) },
	{ "2026-11-26T15:00:00+05:30", INT64_C(1795685400000) },
	{ "2026-11-26T15:00:00.123+05:30", INT64_C(1795685400123) },
	{ "2026-11-26T01:30:00-08:00", INT64_C(1795685400000) },
	{ "2026-11-26T09:30:00+00:00", INT64_C(1795685400000) },
	{ "2026-11-26T09:30:00-00:00", INT64_C(1795685400000) },
	{ "2026-11-27T09:29:00+23:59", INT64_C(1795685400000) },
	{ "2026-01-01T00:30:00+01:00", INT64_C(1767223800000) },
	{ "2025-12-31T16:00:00-08:00", INT64_C(1767225600000) },
	{ "2024-02-29T00:00:00Z", INT64_C(1709164800000) },
	{ "2000-02-29T12:00:00Z", INT64_C(951825600000) },
	{ "2026-04-30T00:00:00Z", INT64_C(1777507200000) },
	{ "2026-12-31T23:59:59Z", INT64_C(1798761599000) },
	{ "0000-01-01T00:00:00Z", MS_YEAR0 },
	{ "0001-01-01T00:00:00Z", INT64_C(-62135596800000) },
	{ "9999-12-31T23:59:59.999Z", MS_YEAR10000 - 1 },
};

START_TEST(test_parse_valid)
{
	const struct parsed	*t = &valids[_i];
	int64_t			 ms = 42;

	ck_assert_msg(time_parse(t->s, &ms) == ERR_OK, "%s", t->s);
	ck_assert_int_eq(ms, t->ms);
}
END_TEST

static const char *const invalids[] = {
	"",
	"2026",
	"2026-11-26",				/* date only */
	"2023-02-29T00:00:00Z",			/* not a leap year */
	"1900-02-29T00:00:00Z",			/* century, not leap */
	"2024-02-30T00:00:00Z",
	"2026-04-31T00:00:00Z",
	"2026-01-32T00:00:00Z",
	"2026-01-00T00:00:00Z",
	"2026-13-01T00:00:00Z",			/* month 13 */
	"2026-00-01T00:00:00Z",
	"2026-01-01T24:00:00Z",			/* hour 24 */
	"2026-01-01T23:60:00Z",			/* minute 60 */
	"2026-12-31T23:59:60Z",			/* leap second */
	"2016-12-31T23:59:60Z",
	"2026-01-01T23:59:61Z",
	"2026-01-01t00:00:00Z",			/* lower-case t */
	"2026-01-01T00:00:00z",			/* lower-case z */
	"2026-01-01 00:00:00Z",			/* space for T */
	"2026-01-01T00:00:00",			/* no offset */
	"2026-01-01T00:00Z",			/* no seconds */
	"2026-01-01T00:00:00.Z",		/* empty fraction */
	"2026-01-01T00:00:00.1234567890Z",	/* 10 digits */
	"2026-01-01T00:00:00.123456789012Z",
	"2026-01-01T00:00:00,5Z",		/* comma */
	"2026-01-01T00:00:00.5",
	"2026-01-01T00:00:00Z ",		/* trailing garbage */
	"2026-01-01T00:00:00Zjunk",
	"2026-01-01T00:00:00ZZ",
	"2026-01-01T00:00:00Z\n",
	"2026-01-01T00:00:00+05:30x",
	" 2026-01-01T00:00:00Z",		/* leading space */
	"2026-01-01T00:00:00+0530",		/* offset forms */
	"2026-01-01T00:00:00+05",
	"2026-01-01T00:00:00+5:30",
	"2026-01-01T00:00:00+05:3",
	"2026-01-01T00:00:00+05:30:00",
	"2026-01-01T00:00:00+24:00",
	"2026-01-01T00:00:00+05:60",
	"2026-01-01T00:00:00 +05:30",
	"2026-01-01T00:00:00UTC",
	"2026-01-01T00:00:00GMT",
	"2026-01-01T00:00:00+Z",
	"2026-1-01T00:00:00Z",			/* short fields */
	"2026-01-1T00:00:00Z",
	"2026-01-01T0:00:00Z",
	"26-01-01T00:00:00Z",
	"+2026-01-01T00:00:00Z",
	"-2026-01-01T00:00:00Z",
	"12026-01-01T00:00:00Z",
	"2026/01/01T00:00:00Z",
	"2026-01-01T00-00-00Z",
	"2026-01-01T00:00:0aZ",
	"2026-0a-01T00:00:00Z",
	"2026-01-01T00:00:00.1a3Z",
	"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-01-01T00:00:00Z",
	"2026-01-01T00:00:00\0Z",		/* NUL ends it early */
	"2026-01-01T00:00:00.000000000000000000000000000000000000000Z",
	"now",
};

START_TEST(test_parse_invalid)
{
	int64_t	 ms = 42;

	ck_assert_msg(time_parse(invalids[_i], &ms) == ERR_INVAL, "%s",
	    invalids[_i]);
	ck_assert_int_eq(ms, 42);
}
END_TEST

/* Copied to an exact-size heap block to catch reads past the NUL. */
START_TEST(test_parse_invalid_heap)
{
	size_t	 n = strlen(invalids[_i]) + 1;
	int64_t	 ms;
	char	*p;

	ck_assert_ptr_nonnull(p = malloc(n));
	memcpy(p, invalids[_i], n);
	ck_assert_int_eq(time_parse(p, &ms), ERR_INVAL);
	free(p);
}
END_TEST

START_TEST(test_parse_null)
{
	int64_t	 ms;

	ck_assert_int_eq(time_parse(NULL, &ms), ERR_INVAL);
	ck_assert_int_eq(date_parse(NULL, &ms), ERR_INVAL);
}
END_TEST

static const struct parsed formats[] = {
	{ "1970-01-01T00:00:00.000Z", 0 },
	{ "1969-12-31T23:59:59.999Z", -1 },
	{ "1970-01-01T00:00:00.001Z", 1 },
	{ "2026-11-26T09:30:00.123Z", INT64_C(1795685400123) },
	{ "2024-02-29T00:00:00.000Z", INT64_C(1709164800000) },
	{ "0000-01-01T00:00:00.000Z", MS_YEAR0 },
	{ "0001-01-01T00:00:00.000Z", INT64_C(-62135596800000) },
	{ "9999-12-31T23:59:59.999Z", MS_YEAR10000 - 1 },
};

START_TEST(test_format)
{
	const struct parsed	*t = &formats[_i];
	char			 out[RFC3339_STRLEN + 1];
	int64_t			 ms;

	ck_assert_int_eq(time_format(t->ms, out), ERR_OK);
	ck_assert_str_eq(out, t->s);
	ck_assert_int_eq(time_parse(out, &ms), ERR_OK);
	ck_assert_int_eq(ms, t->ms);
}
END_TEST

START_TEST(test_format_range)
{
	char	 out[RFC3339_STRLEN + 1] = "untouched";

	ck_assert_int_eq(time_format(MS_YEAR0 - 1, out), ERR_INVAL);
	ck_assert_int_eq(time_format(MS_YEAR10000, out), ERR_INVAL);
	ck_assert_int_eq(time_format(INT64_MIN, out), ERR_INVAL);
	ck_assert_int_eq(time_format(INT64_MAX, out), ERR_INVAL);
	ck_assert_str_eq(out, "untouched");
}
END_TEST

/* Format and parse are inverses over the whole range. */
START_TEST(test_roundtrip)
{
	char	 out[RFC3339_STRLEN + 1];
	int64_t	 ms, back, step = INT64_C(99991) * 86399999 + 7;

	for (ms = MS_YEAR0; ms < MS_YEAR10000; ms += step) {
		ck_assert_int_eq(time_format(ms, out), ERR_OK);
		ck_assert_int_eq(time_parse(out, &back), ERR_OK);
		ck_assert_int_eq(back, ms);
	}
}
END_TEST

/* Every day of 1999 to 2001 parses back to its day count. */
START_TEST(test_every_day)
{
	char	 out[RFC3339_STRLEN + 1];
	int64_t	 d, days;

	for (d = days_from_civil(1999, 1, 1);
	    d < days_from_civil(2002, 1, 1); d++) {
		ck_assert_int_eq(time_format(d * MS_DAY, out), ERR_OK);
		out[DATE_STRLEN] = '\0';
		ck_assert_int_eq(date_parse(out, &days), ERR_OK);
		ck_assert_int_eq(days, d);
	}
}
END_TEST

static const struct parsed dates[] = {
	{ "1970-01-01", 0 },
	{ "1969-12-31", -1 },
	{ "2024-02-29", 19782 },
	{ "2000-02-29", 11016 },
	{ "0000-01-01", -719528 },
	{ "9999-12-31", 2932896 },
};

START_TEST(test_date_valid)
{
	int64_t	 days;

	ck_assert_int_eq(date_parse(dates[_i].s, &days), ERR_OK);
	ck_assert_int_eq(days, dates[_i].ms);
}
END_TEST

static const char *const bad_dates[] = {
	"",
	"2023-02-29",
	"1900-02-29",
	"2026-13-01",
	"2026-00-01",
	"2026-01-00",
	"2026-06-31",
	"2026-1-01",
	"2026-01-1",
	"20260101",
	"2026/01/01",
	"2026-01-01 ",
	" 2026-01-01",
	"2026-01-01T00:00:00Z",
	"2026-01-0a",
	"-026-01-01",
	"12026-01-01",
};

START_TEST(test_date_invalid)
{
	int64_t	 days = 42;

	ck_assert_int_eq(date_parse(bad_dates[_i], &days), ERR_INVAL);
	ck_assert_int_eq(days, 42);
}
END_TEST

/* The clock reads as a time after this was written, before 2100. */
START_TEST(test_now)
{
	int64_t	 a, b;

	a = time_now_ms();
	b = time_now_ms();
	ck_assert_int_gt(a, INT64_C(1767225600000));	/* 2026 */
	ck_assert_int_lt(a, INT64_C(4102444800000));	/* 2100 */
	ck_assert_int_ge(b, a - 1000);
}
END_TEST

#define	NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static Suite *
rfc3339_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("rfc3339");

	tc = tcase_create("civil");
	tcase_add_loop_test(tc, test_days_from_civil, 0, NELEM(civils));
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_loop_test(tc, test_parse_valid, 0, NELEM(valids));
	tcase_add_loop_test(tc, test_parse_invalid, 0, NELEM(invalids));
	tcase_add_loop_test(tc, test_parse_invalid_heap, 0, NELEM(invalids));
	tcase_add_test(tc, test_parse_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("format");
	tcase_add_loop_test(tc, test_format, 0, NELEM(formats));
	tcase_add_test(tc, test_format_range);
	tcase_add_test(tc, test_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("date");
	tcase_add_loop_test(tc, test_date_valid, 0, NELEM(dates));
	tcase_add_loop_test(tc, test_date_invalid, 0, NELEM(bad_dates));
	tcase_add_test(tc, test_every_day);
	suite_add_tcase(s, tc);

	tc = tcase_create("now");
	tcase_add_test(tc, test_now);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(rfc3339_suite());
}
