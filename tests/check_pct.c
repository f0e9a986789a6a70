/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pct.h"
#include "pool.h"
#include "testutil.h"

static struct pool	*pool;

static void
setup(void)
{

	pool = pool_new();
	ck_assert_ptr_nonnull(pool);
}

static void
teardown(void)
{

	pool_free(pool);
	pool = NULL;
}

struct	valid {
	const char	*in;
	enum pct_mode	 mode;
	const char	*out;
	size_t		 outsz;
};

static const struct valid valids[] = {
	{ "", PCT_PATH, "", 0 },
	{ "abc", PCT_PATH, "abc", 3 },
	{ "a%20b", PCT_PATH, "a b", 3 },
	{ "a+b", PCT_PATH, "a+b", 3 },
	{ "a+b", PCT_FORM, "a b", 3 },
	{ "%2B", PCT_FORM, "+", 1 },
	{ "%2b", PCT_PATH, "+", 1 },
	{ "%41%42%43", PCT_PATH, "ABC", 3 },
	{ "%25", PCT_PATH, "%", 1 },
	{ "%2525", PCT_PATH, "%25", 3 },	/* decoded once only */
	{ "%c3%a9", PCT_PATH, "\xc3\xa9", 2 },
	{ "%C3%A9", PCT_FORM, "\xc3\xa9", 2 },
	{ "\xc3\xa9", PCT_PATH, "\xc3\xa9", 2 },	/* raw UTF-8 */
	{ "%E2%82%AC", PCT_PATH, "\xe2\x82\xac", 3 },
	{ "%F0%9D%84%9E", PCT_PATH, "\xf0\x9d\x84\x9e", 4 },
	{ "%F4%8F%BF%BF", PCT_PATH, "\xf4\x8f\xbf\xbf", 4 },
	{ "%e2\x82%ac", PCT_PATH, "\xe2\x82\xac", 3 },	/* mixed */
	{ "a=b&c", PCT_FORM, "a=b&c", 5 },
	{ "%7E~", PCT_PATH, "~~", 2 },
	{ "++", PCT_FORM, "  ", 2 },
};

/* Broken escapes, control bytes raw or encoded, ill-formed UTF-8. */
static const char *const invalids[] = {
	"%",
	"%4",
	"%zz",
	"%%",
	"%%41",
	"a%",
	"a%4",
	"%4g",
	"%g4",
	"% 41",
	"%-1",
	"%+1",
	"%0x41",
	"%00",
	"a%00b",
	"%01",
	"%09",
	"%0a",
	"%0D%0A",
	"%1f",
	"%7f",
	"%7F",
	"\x01",
	"a\tb",
	"a\nb",
	"\r",
	"\x1f",
	"\x7f",
	"%C0%AF",		/* overlong "/" */
	"\xc0\xaf",
	"%C1%BF",
	"%E0%80%AF",
	"%F0%80%80%AF",
	"%ED%A0%80",		/* surrogate */
	"\xed\xa0\x80",
	"%ED%BF%BF",
	"%F4%90%80%80",		/* above U+10FFFF */
	"%F5%80%80%80",
	"%FF",
	"\xff",
	"%80",			/* stray continuation */
	"%C3",			/* truncated */
	"%E2%82",
	"%F0%9D%84",
	"abc%C3",
	"%C3%41",
	"..%2F..%2F%00",
};

START_TEST(test_valid)
{
	const struct valid	*t = &valids[_i];
	char			*out = NULL;
	size_t			 outsz = SIZE_MAX;

	ck_assert_int_eq(pct_decode(pool, t->in, strlen(t->in), t->mode,
	    &out, &outsz), ERR_OK);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(outsz, t->outsz);
	ck_assert_mem_eq(out, t->out, t->outsz);
	ck_assert_int_eq(out[outsz], '\0');
}
END_TEST

START_TEST(test_invalid)
{
	const char	*in = invalids[_i];
	char		*out = NULL;
	size_t		 outsz = 42;

	ck_assert_int_eq(pct_decode(pool, in, strlen(in), PCT_PATH, &out,
	    &outsz), ERR_INVAL);
	ck_assert_int_eq(pct_decode(pool, in, strlen(in), PCT_FORM, &out,
	    NULL), ERR_INVAL);
	/* Nothing is stored on failure. */
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(outsz, 42);
}
END_TEST

/*
 * The same hostile inputs in a heap block of exactly their length,
 * without a NUL, so that ASan and valgrind catch a read past "srcsz".
 */
START_TEST(test_invalid_unterminated)
{
	const char	*in = invalids[_i];
	size_t		 n = strlen(in);
	char		*p, *out;

	ck_assert_ptr_nonnull(p = malloc(n));
	memcpy(p, in, n);
	ck_assert_int_eq(pct_decode(pool, p, n, PCT_FORM, &out, NULL),
	    ERR_INVAL);
	free(p);
}
END_TEST

/* A NUL inside "srcsz" is a control byte like any other. */
START_TEST(test_raw_nul)
{
	char	*out;

	ck_assert_int_eq(pct_decode(pool, "a\0b", 3, PCT_PATH, &out, NULL),
	    ERR_INVAL);
}
END_TEST

/* Only "srcsz" bytes are decoded; the rest is not looked at. */
START_TEST(test_prefix)
{
	char	*out;
	size_t	 outsz;

	ck_assert_int_eq(pct_decode(pool, "abc%41def", 3, PCT_PATH, &out,
	    &outsz), ERR_OK);
	ck_assert_str_eq(out, "abc");
	ck_assert_uint_eq(outsz, 3);
	/* An escape cut by "srcsz" is broken even if the bytes follow. */
	ck_assert_int_eq(pct_decode(pool, "a%41", 3, PCT_PATH, &out, NULL),
	    ERR_INVAL);
	ck_assert_int_eq(pct_decode(pool, "a%41", 2, PCT_PATH, &out, NULL),
	    ERR_INVAL);
	ck_assert_int_eq(pct_decode(pool, NULL, 0, PCT_PATH, &out, &outsz),
	    ERR_OK);
	ck_assert_str_eq(out, "");
}
END_TEST

/* Every byte value round-trips through "%XX" unless it is refused. */
START_TEST(test_all_bytes)
{
	char	 in[4], *out;
	size_t	 outsz;
	enum err e;

	(void)snprintf(in, sizeof(in), "%%%02X", (unsigned)_i);
	e = pct_decode(pool, in, 3, PCT_PATH, &out, &outsz);
	if (_i < 0x20 || _i >= 0x7f)
		ck_assert_int_eq(e, ERR_INVAL);
	else {
		ck_assert_int_eq(e, ERR_OK);
		ck_assert_uint_eq(outsz, 1);
		ck_assert_int_eq((unsigned char)out[0], _i);
	}
}
END_TEST

START_TEST(test_long)
{
	size_t	 n = 3 * 10000, i, outsz;
	char	*in, *out;

	ck_assert_ptr_nonnull(in = malloc(n));
	for (i = 0; i < n; i += 3)
		memcpy(in + i, "%41", 3);
	ck_assert_int_eq(pct_decode(pool, in, n, PCT_PATH, &out, &outsz),
	    ERR_OK);
	ck_assert_uint_eq(outsz, 10000);
	ck_assert_uint_eq(strlen(out), 10000);
	free(in);
}
END_TEST

/* A size that cannot be allocated fails before anything is read. */
START_TEST(test_nomem)
{
	char	*out = NULL;

	ck_assert_int_eq(pct_decode(pool, "", SIZE_MAX, PCT_PATH, &out,
	    NULL), ERR_NOMEM);
	ck_assert_ptr_null(out);
}
END_TEST

static Suite *
pct_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("pct");

	tc = tcase_create("valid");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_valid, 0,
	    sizeof(valids) / sizeof(valids[0]));
	tcase_add_test(tc, test_prefix);
	tcase_add_test(tc, test_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_invalid, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	tcase_add_loop_test(tc, test_invalid_unterminated, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	tcase_add_test(tc, test_raw_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("bytes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_all_bytes, 0, 256);
	suite_add_tcase(s, tc);

	tc = tcase_create("nomem");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_nomem);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(pct_suite());
}
