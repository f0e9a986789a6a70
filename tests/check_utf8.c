/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "utf8.h"

/* A byte string with its length, so that NUL and raw bytes fit. */
#define	B(s)	{ (s), sizeof(s) - 1 }

struct	bytes {
	const char	*s;
	size_t		 n;
};

/* Well-formed UTF-8, including every boundary of RFC 3629 table 4. */
static const struct bytes valids[] = {
	B(""),
	B("abc"),
	B("\0"),			/* NUL is a code point */
	B("a\0b"),
	B("\x7f"),
	B("\xc2\x80"),			/* U+0080 */
	B("\xc3\xa9"),			/* U+00E9 */
	B("\xdf\xbf"),			/* U+07FF */
	B("\xe0\xa0\x80"),		/* U+0800 */
	B("\xe2\x82\xac"),		/* U+20AC */
	B("\xed\x9f\xbf"),		/* U+D7FF, last before surrogates */
	B("\xee\x80\x80"),		/* U+E000, first after surrogates */
	B("\xef\xbf\xbf"),		/* U+FFFF */
	B("\xf0\x90\x80\x80"),		/* U+10000 */
	B("\xf0\x9d\x84\x9e"),		/* U+1D11E */
	B("\xf4\x8f\xbf\xbf"),		/* U+10FFFF */
	B("h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac"),
};

/* Ill-formed: overlong, surrogates, too big, truncated, stray bytes. */
static const struct bytes invalids[] = {
	B("\xc0\xaf"),			/* overlong "/" */
	B("\xc0\x80"),			/* overlong NUL */
	B("\xc1\xbf"),			/* overlong U+007F */
	B("\xe0\x80\xaf"),		/* overlong "/" in 3 bytes */
	B("\xe0\x9f\xbf"),		/* overlong U+07FF */
	B("\xf0\x80\x80\xaf"),		/* overlong "/" in 4 bytes */
	B("\xf0\x8f\xbf\xbf"),		/* overlong U+FFFF */
	B("\xed\xa0\x80"),		/* U+D800, high surrogate */
	B("\xed\xbf\xbf"),		/* U+DFFF, low surrogate */
	B("\xed\xa0\xbd\xed\xb2\xa9"),	/* CESU-8 surrogate pair */
	B("\xf4\x90\x80\x80"),		/* U+110000 */
	B("\xf5\x80\x80\x80"),		/* lead byte past U+10FFFF */
	B("\xf7\xbf\xbf\xbf"),		/* U+1FFFFF */
	B("\xf8\x88\x80\x80\x80"),	/* 5-byte form */
	B("\xfc\x84\x80\x80\x80\x80"),	/* 6-byte form */
	B("\xfe"),
	B("\xff"),
	B("\x80"),			/* stray continuation */
	B("\xbf"),
	B("a\x80" "b"),
	B("\xc3"),			/* truncated 2-byte */
	B("\xe2\x82"),			/* truncated 3-byte */
	B("\xf0\x9d\x84"),		/* truncated 4-byte */
	B("abc\xc3"),			/* truncated at the end */
	B("\xc3\x41"),			/* bad continuation */
	B("\xe2\x28\xa1"),
	B("\xf0\x9d\x84\x41"),
	B("\xc3\xa9\xc3"),		/* good then truncated */
};

START_TEST(test_valid)
{
	const struct bytes	*t = &valids[_i];

	ck_assert_int_eq(utf8_valid(t->s, t->n), 1);
}
END_TEST

START_TEST(test_invalid)
{
	const struct bytes	*t = &invalids[_i];

	ck_assert_int_eq(utf8_valid(t->s, t->n), 0);
}
END_TEST

/*
 * The reads must stay inside "n": the input is copied into a heap block
 * of exactly "n" bytes so that ASan and valgrind see any overrun.
 */
START_TEST(test_invalid_heap)
{
	const struct bytes	*t = &invalids[_i];
	char			*p;

	ck_assert_ptr_nonnull(p = malloc(t->n));
	memcpy(p, t->s, t->n);
	ck_assert_int_eq(utf8_valid(p, t->n), 0);
	free(p);
}
END_TEST

/* A string literal as the bytes utf8_seqlen() takes. */
#define	U(s)	((const unsigned char *)(s))

START_TEST(test_seqlen)
{

	ck_assert_uint_eq(utf8_seqlen(U("a"), 1), 1);
	ck_assert_uint_eq(utf8_seqlen(U("\0"), 1), 1);
	ck_assert_uint_eq(utf8_seqlen(U("\xc3\xa9"), 2), 2);
	ck_assert_uint_eq(utf8_seqlen(U("\xe2\x82\xac"), 3), 3);
	ck_assert_uint_eq(utf8_seqlen(U("\xf0\x9d\x84\x9e"), 4), 4);
	/* Only the first sequence counts. */
	ck_assert_uint_eq(utf8_seqlen(U("\xf0\x9d\x84\x9e" "abc"), 7), 4);
	ck_assert_uint_eq(utf8_seqlen(U("ab"), 2), 1);
}
END_TEST

/* Cut short by "n", or ill-formed: no sequence. */
START_TEST(test_seqlen_short)
{

	ck_assert_uint_eq(utf8_seqlen(U("a"), 0), 0);
	ck_assert_uint_eq(utf8_seqlen(U("\xc3\xa9"), 1), 0);
	ck_assert_uint_eq(utf8_seqlen(U("\xe2\x82\xac"), 2), 0);
	ck_assert_uint_eq(utf8_seqlen(U("\xf0\x9d\x84\x9e"), 3), 0);
	ck_assert_uint_eq(utf8_seqlen(U("\xc0\xaf"), 2), 0);
	ck_assert_uint_eq(utf8_seqlen(U("\xed\xa0\x80"), 3), 0);
	ck_assert_uint_eq(utf8_seqlen(U("\xf4\x90\x80\x80"), 4), 0);
	ck_assert_uint_eq(utf8_seqlen(U("\x80"), 1), 0);
}
END_TEST

START_TEST(test_count)
{

	ck_assert_uint_eq(utf8_count("", 0), 0);
	ck_assert_uint_eq(utf8_count("abc", 3), 3);
	ck_assert_uint_eq(utf8_count("h\xc3\xa9llo", 6), 5);
	ck_assert_uint_eq(utf8_count("\xe2\x82\xac\xf0\x9d\x84\x9e", 7), 2);
	ck_assert_uint_eq(utf8_count("a\0b", 3), 3);
}
END_TEST

/* Ill-formed bytes count one each, never more than the byte count. */
START_TEST(test_count_invalid)
{
	const struct bytes	*t = &invalids[_i];

	ck_assert_uint_le(utf8_count(t->s, t->n), t->n);
	ck_assert_uint_ge(utf8_count(t->s, t->n), 1);
}
END_TEST

static Suite *
utf8_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("utf8");

	tc = tcase_create("valid");
	tcase_add_loop_test(tc, test_valid, 0,
	    sizeof(valids) / sizeof(valids[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_loop_test(tc, test_invalid, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	tcase_add_loop_test(tc, test_invalid_heap, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("seqlen");
	tcase_add_test(tc, test_seqlen);
	tcase_add_test(tc, test_seqlen_short);
	suite_add_tcase(s, tc);

	tc = tcase_create("count");
	tcase_add_test(tc, test_count);
	tcase_add_loop_test(tc, test_count_invalid, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(utf8_suite());
}
