/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "uuid.h"

/*
 * The generator keeps per-process state, and with CK_FORK=no all tests
 * share one process.  So every test uses timestamps above those of the
 * tests before it, in the order they are added below.
 */
#define	MS_TS		INT64_C(0x0123456789ab)
#define	MS_FORMAT	INT64_C(1700000000000)
#define	MS_BURST	INT64_C(1750000000000)
#define	MS_BACK		INT64_C(1800000000000)
#define	MS_MANY		INT64_C(1850000000000)

/* Reads the 48-bit timestamp out of the text of a UUIDv7. */
static int64_t
uuid_ts(const char *s)
{
	char	 hex[13];

	memcpy(hex, s, 8);
	memcpy(hex + 8, s + 9, 4);
	hex[12] = '\0';
	return (int64_t)strtoll(hex, NULL, 16);
}

/* Checks the version nibble (7) and the variant bits (10). */
static void
check_v7(const char *s)
{

	ck_assert_uint_eq(strlen(s), UUID_STRLEN);
	ck_assert_int_eq(uuid_valid(s), 1);
	ck_assert_int_eq(s[14], '7');
	ck_assert_ptr_nonnull(strchr("89ab", s[19]));
}

START_TEST(test_timestamp)
{
	char	 u[UUID_STRLEN + 1];

	ck_assert_int_eq(uuid_v7(MS_TS, u), ERR_OK);
	check_v7(u);
	ck_assert_int_eq(strncmp(u, "01234567-89ab-7", 15), 0);
	ck_assert_int_eq(uuid_ts(u), MS_TS);
}
END_TEST

START_TEST(test_format)
{
	char	 u[UUID_STRLEN + 1];
	int	 i;

	for (i = 0; i < 100; i++) {
		memset(u, 'X', sizeof(u));
		ck_assert_int_eq(uuid_v7(MS_FORMAT + i, u), ERR_OK);
		check_v7(u);
		ck_assert_int_eq(uuid_ts(u), MS_FORMAT + i);
	}
}
END_TEST

/*
 * 10000 ids in one millisecond are strictly increasing, although the
 * 12-bit counter holds fewer: the timestamp runs a little ahead.
 */
START_TEST(test_burst)
{
	char	 prev[UUID_STRLEN + 1], u[UUID_STRLEN + 1];
	int	 i;

	ck_assert_int_eq(uuid_v7(MS_BURST, prev), ERR_OK);
	check_v7(prev);
	for (i = 1; i < 10000; i++) {
		ck_assert_int_eq(uuid_v7(MS_BURST, u), ERR_OK);
		check_v7(u);
		ck_assert_int_lt(strcmp(prev, u), 0);
		memcpy(prev, u, sizeof(u));
	}
	/* At least 2048 ids fit in each millisecond. */
	ck_assert_int_ge(uuid_ts(u), MS_BURST);
	ck_assert_int_le(uuid_ts(u), MS_BURST + 10000 / 2048);
}
END_TEST

/* A clock that steps back does not make ids go back. */
START_TEST(test_clock_back)
{
	char	 a[UUID_STRLEN + 1], b[UUID_STRLEN + 1];

	ck_assert_int_eq(uuid_v7(MS_BACK, a), ERR_OK);
	ck_assert_int_eq(uuid_v7(MS_BACK - 5000, b), ERR_OK);
	check_v7(b);
	ck_assert_int_lt(strcmp(a, b), 0);
	ck_assert_int_eq(uuid_ts(b), MS_BACK);
	ck_assert_int_eq(uuid_v7(0, a), ERR_OK);
	ck_assert_int_lt(strcmp(b, a), 0);
}
END_TEST

/* Across milliseconds: increasing and all distinct. */
START_TEST(test_many)
{
	char	 prev[UUID_STRLEN + 1], u[UUID_STRLEN + 1];
	int	 i;

	ck_assert_int_eq(uuid_v7(MS_MANY, prev), ERR_OK);
	for (i = 1; i < 5000; i++) {
		ck_assert_int_eq(uuid_v7(MS_MANY + i / 3, u), ERR_OK);
		ck_assert_int_lt(strcmp(prev, u), 0);
		memcpy(prev, u, sizeof(u));
	}
}
END_TEST

/* Timestamps outside 48 bits are refused and leave "out" alone. */
START_TEST(test_range)
{
	char	 u[UUID_STRLEN + 1] = "untouched";

	ck_assert_int_eq(uuid_v7(-1, u), ERR_INVAL);
	ck_assert_int_eq(uuid_v7(INT64_MIN, u), ERR_INVAL);
	ck_assert_int_eq(uuid_v7(INT64_C(1) << 48, u), ERR_INVAL);
	ck_assert_int_eq(uuid_v7(INT64_MAX, u), ERR_INVAL);
	ck_assert_str_eq(u, "untouched");
}
END_TEST

static const char *const valids[] = {
	"01890a5d-ac96-774b-bcce-b302099a8057",
	"f47ac10b-58cc-4372-a567-0e02b2c3d479",	/* version 4 */
	"00000000-0000-0000-0000-000000000000",	/* nil */
	"ffffffff-ffff-ffff-ffff-ffffffffffff",	/* max */
	"0123abcd-4567-89ef-0123-456789abcdef",
};

static const char *const invalids[] = {
	"",
	"F47AC10B-58CC-4372-A567-0E02B2C3D479",	/* upper case */
	"f47ac10b-58cc-4372-A567-0e02b2c3d479",	/* one upper-case digit */
	"01890a5d-ac96-774b-bcce-b302099a805",	/* short */
	"01890a5d-ac96-774b-bcce-b302099a80",
	"01890a5d",
	"01890a5d-ac96-774b-bcce-b302099a80571",	/* long */
	"01890a5d-ac96-774b-bcce-b302099a8057\n",
	"01890a5d-ac96-774b-bcce-b302099a8057 ",
	" 01890a5d-ac96-774b-bcce-b302099a8057",
	"01890a5dac96774bbcceb302099a8057",	/* no dashes */
	"01890a5dac96774bbcceb302099a8057abcd",	/* 36 hex, no dashes */
	"01890a5d-ac96774b-bcce-b302099a8057-",	/* dash misplaced */
	"01890a5-dac96-774b-bcce-b302099a8057",
	"01890a5d_ac96_774b_bcce_b302099a8057",
	"01890a5d-ac96-774b-bcce-b302099a805g",	/* not hex */
	"01890a5d-ac96-774b-bcce-b302099a805z",
	"x1890a5d-ac96-774b-bcce-b302099a8057",
	"01890a5d-ac96-774b-bcce-b302099a80 7",
	"{01890a5d-ac96-774b-bcce-b302099a8057}",
	"urn:uuid:01890a5d-ac96-774b-bcce-b302099a8057",
	"01890a5d-ac96-774b-bcce-b302099a\303\25157",	/* non-ASCII */
	"-1890a5d-ac96-774b-bcce-b302099a8057",
	"01890a5d-+c96-774b-bcce-b302099a8057",
};

START_TEST(test_valid)
{

	ck_assert_int_eq(uuid_valid(valids[_i]), 1);
}
END_TEST

START_TEST(test_invalid)
{

	ck_assert_int_eq(uuid_valid(invalids[_i]), 0);
}
END_TEST

/* A short string in an exact-size heap block is not read past. */
START_TEST(test_invalid_heap)
{
	const char	*s = invalids[_i];
	size_t		 n = strlen(s) + 1;
	char		*p;

	ck_assert_ptr_nonnull(p = malloc(n));
	memcpy(p, s, n);
	ck_assert_int_eq(uuid_valid(p), 0);
	free(p);
}
END_TEST

START_TEST(test_valid_null)
{

	ck_assert_int_eq(uuid_valid(NULL), 0);
}
END_TEST

static Suite *
uuid_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("uuid");

	tc = tcase_create("v7");
	tcase_add_test(tc, test_timestamp);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_burst);
	tcase_add_test(tc, test_clock_back);
	tcase_add_test(tc, test_many);
	tcase_add_test(tc, test_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("valid");
	tcase_add_loop_test(tc, test_valid, 0,
	    sizeof(valids) / sizeof(valids[0]));
	tcase_add_loop_test(tc, test_invalid, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	tcase_add_loop_test(tc, test_invalid_heap, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	tcase_add_test(tc, test_valid_null);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(uuid_suite());
}
