/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cookie.h"
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

struct	found {
	const char	*hdr;
	const char	*name;
	const char	*val;
};

/* Headers in which "name" is found with value "val". */
static const struct found founds[] = {
	{ "a=b", "a", "b" },
	{ "a=b; c=d", "c", "d" },
	{ "a=b; c=d", "a", "b" },
	{ "a=1;b=2", "b", "2" },		/* no space */
	{ "a=1;   b=2", "b", "2" },
	{ "  a = 1 ;\tb\t=\t2\t", "b", "2" },	/* SP and HTAB trimmed */
	{ "a=1;", "a", "1" },
	{ ";;a=1;;", "a", "1" },
	{ "a=", "a", "" },
	{ "a=; b=2", "a", "" },
	{ "a=b=c", "a", "b=c" },		/* first "=" splits */
	{ "a=x y", "a", "x y" },		/* inner space is kept */
	{ "a=\"xyz\"", "a", "xyz" },		/* quotes removed */
	{ "a=\"\"", "a", "" },
	{ "a= \"q\" ", "a", "q" },
	{ "a=\"x y\"", "a", "x y" },
	{ "session2=x; session=y", "session", "y" },
	{ "xsession=1; session=2", "session", "2" },
	{ "session=2; xsession=1", "session", "2" },
	{ "a=1; a=2", "a", "1" },		/* first wins */
	{ "a=\"1\"; a=2", "a", "1" },
	{ "a; b=2", "b", "2" },			/* no "=": skipped */
	{ "a=x\x01; a=ok", "a", "ok" },		/* control: skipped */
	{ "a=\"x; a=ok", "a", "ok" },		/* half-quoted: skipped */
	{ "access=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2ln; csrftoken=abc",
	    "access", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.c2ln" },
	{ "access=eyJ.eyJ.c2ln; csrftoken=abc", "csrftoken", "abc" },
	{ "a=\xc3\xa9", "a", "\xc3\xa9" },
};

START_TEST(test_found)
{
	const struct found	*t = &founds[_i];
	char			*v;

	v = cookie_get(pool, t->hdr, t->name);
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v, t->val);
}
END_TEST

/* Headers in which "name" is absent or only malformed. */
static const struct found absents[] = {
	{ "", "a", NULL },
	{ ";", "a", NULL },
	{ "a", "a", NULL },			/* missing "=" */
	{ "a; b=2", "a", NULL },
	{ "b=2; a", "a", NULL },
	{ "=a", "a", NULL },
	{ "A=1", "a", NULL },			/* names are case-sensitive */
	{ "a=1", "A", NULL },
	{ "ab=1", "a", NULL },
	{ "ba=1", "a", NULL },
	{ "a b=1", "a", NULL },
	{ "a=\"x", "a", NULL },			/* stray quotes */
	{ "a=x\"", "a", NULL },
	{ "a=\"", "a", NULL },
	{ "a=\"x\"y\"", "a", NULL },
	{ "a=x\"y", "a", NULL },
	{ "a=\"\"\"", "a", NULL },
	{ "a=x\x01y", "a", NULL },		/* control bytes */
	{ "a=\x1f", "a", NULL },
	{ "a=x\x7f", "a", NULL },
	{ "a=x\ty", "a", NULL },
	{ "a=x\r\nSet-Cookie: b=1", "a", NULL },
	{ "a=\"x\x01\"", "a", NULL },
	{ "a\x01=x", "a", NULL },
	{ "a=1\n", "a", NULL },
	{ "b=1", "", NULL },
	{ "=1", "", NULL },
	{ "a=1", NULL, NULL },
};

START_TEST(test_absent)
{
	const struct found	*t = &absents[_i];

	ck_assert_ptr_null(cookie_get(pool, t->hdr, t->name));
}
END_TEST

START_TEST(test_null)
{

	ck_assert_ptr_null(cookie_get(pool, NULL, "a"));
}
END_TEST

/* Builds "pre" followed by "n" times "c" followed by "post" in "b". */
static void
build(struct buf *b, const char *pre, size_t n, char c, const char *post)
{
	size_t	 i;

	buf_init(b);
	ck_assert_int_eq(buf_puts(b, pre), ERR_OK);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(buf_putc(b, c), ERR_OK);
	ck_assert_int_eq(buf_puts(b, post), ERR_OK);
}

START_TEST(test_value_max)
{
	struct buf	 b;
	char		*v;

	build(&b, "a=", COOKIE_VALUE_MAX, 'v', "");
	ck_assert_ptr_nonnull(v = cookie_get(pool, buf_str(&b), "a"));
	ck_assert_uint_eq(strlen(v), COOKIE_VALUE_MAX);
	buf_clear(&b);
	/* Quotes are not part of the value. */
	build(&b, "a=\"", COOKIE_VALUE_MAX, 'v', "\"");
	ck_assert_ptr_nonnull(v = cookie_get(pool, buf_str(&b), "a"));
	ck_assert_uint_eq(strlen(v), COOKIE_VALUE_MAX);
	buf_clear(&b);
}
END_TEST

START_TEST(test_value_over)
{
	struct buf	 b;

	build(&b, "a=", COOKIE_VALUE_MAX + 1, 'v', "; b=2");
	ck_assert_ptr_null(cookie_get(pool, buf_str(&b), "a"));
	/* The oversized pair is skipped, not the whole header. */
	ck_assert_str_eq(cookie_get(pool, buf_str(&b), "b"), "2");
	buf_clear(&b);
	/* A later well-formed "a" is found. */
	build(&b, "a=", COOKIE_VALUE_MAX + 1, 'v', "; a=ok");
	ck_assert_str_eq(cookie_get(pool, buf_str(&b), "a"), "ok");
	buf_clear(&b);
}
END_TEST

START_TEST(test_header_max)
{
	struct buf	 b;

	build(&b, "a=1; b=", COOKIE_HEADER_MAX - 7, 'v', "");
	ck_assert_uint_eq(b.len, COOKIE_HEADER_MAX);
	ck_assert_str_eq(cookie_get(pool, buf_str(&b), "a"), "1");
	buf_clear(&b);
}
END_TEST

/* One byte over and the whole header is ignored, even its first pair. */
START_TEST(test_header_over)
{
	struct buf	 b;

	build(&b, "a=1; b=", COOKIE_HEADER_MAX - 6, 'v', "");
	ck_assert_uint_eq(b.len, COOKIE_HEADER_MAX + 1);
	ck_assert_ptr_null(cookie_get(pool, buf_str(&b), "a"));
	buf_clear(&b);
	/* Thousands of short pairs. */
	build(&b, "a=1", 100000, ';', "; z=1");
	ck_assert_ptr_null(cookie_get(pool, buf_str(&b), "a"));
	buf_clear(&b);
}
END_TEST

/* Many pairs inside the bound: all are walked, the first match wins. */
START_TEST(test_many_pairs)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < 500; i++)
		ck_assert_int_eq(buf_printf(&b, "c%zu=%zu; ", i, i), ERR_OK);
	ck_assert_int_eq(buf_puts(&b, "c7=late"), ERR_OK);
	ck_assert_str_eq(cookie_get(pool, buf_str(&b), "c499"), "499");
	ck_assert_str_eq(cookie_get(pool, buf_str(&b), "c7"), "7");
	ck_assert_ptr_null(cookie_get(pool, buf_str(&b), "c500"));
	buf_clear(&b);
}
END_TEST

/* The result is a copy in the pool, NUL-terminated at the value end. */
START_TEST(test_copy)
{
	char	 hdr[] = "a=hello; b=x";
	char	*v;

	ck_assert_ptr_nonnull(v = cookie_get(pool, hdr, "a"));
	ck_assert_ptr_ne(v, hdr + 2);
	hdr[2] = 'j';
	ck_assert_str_eq(v, "hello");
}
END_TEST

static Suite *
cookie_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("cookie");

	tc = tcase_create("found");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_found, 0,
	    sizeof(founds) / sizeof(founds[0]));
	tcase_add_test(tc, test_many_pairs);
	tcase_add_test(tc, test_copy);
	suite_add_tcase(s, tc);

	tc = tcase_create("absent");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_absent, 0,
	    sizeof(absents) / sizeof(absents[0]));
	tcase_add_test(tc, test_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("bounds");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_value_max);
	tcase_add_test(tc, test_value_over);
	tcase_add_test(tc, test_header_max);
	tcase_add_test(tc, test_header_over);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(cookie_suite());
}
