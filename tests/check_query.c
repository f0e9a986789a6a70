/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pool.h"
#include "query.h"
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

/* Parses "s", which must succeed with "n" pairs. */
static void
parse_ok(const char *s, struct query *q, size_t n)
{
	const char	*bad = "unset";

	ck_assert_int_eq(query_parse(pool, s, q, &bad), ERR_OK);
	ck_assert_uint_eq(q->paramsz, n);
	ck_assert_ptr_null(bad);
}

START_TEST(test_basic)
{
	struct query	 q;

	parse_ok("a=1&b=two", &q, 2);
	ck_assert_str_eq(q.params[0].key, "a");
	ck_assert_str_eq(q.params[0].val, "1");
	ck_assert_uint_eq(q.params[0].valsz, 1);
	ck_assert_str_eq(q.params[1].key, "b");
	ck_assert_str_eq(q.params[1].val, "two");
	ck_assert_str_eq(query_get(&q, "a"), "1");
	ck_assert_str_eq(query_get(&q, "b"), "two");
	ck_assert_ptr_null(query_get(&q, "c"));
	ck_assert_ptr_null(query_get(&q, "A"));
	ck_assert_ptr_null(query_get(&q, ""));
	ck_assert_uint_eq(query_count(&q, "a"), 1);
	ck_assert_uint_eq(query_count(&q, "c"), 0);
}
END_TEST

START_TEST(test_none)
{
	struct query	 q;

	parse_ok(NULL, &q, 0);
	ck_assert_ptr_null(query_get(&q, "a"));
	ck_assert_uint_eq(query_count(&q, "a"), 0);
	parse_ok("", &q, 0);
	parse_ok("&", &q, 0);
	parse_ok("&&&", &q, 0);
	ck_assert_ptr_null(query_get(&q, ""));
	/* "bad" may be NULL. */
	ck_assert_int_eq(query_parse(pool, "a=1", &q, NULL), ERR_OK);
}
END_TEST

/* The last of repeated keys wins (Django's QueryDict.get()). */
START_TEST(test_repeated)
{
	struct query	 q;

	parse_ok("a=1&b=x&a=2&a=3", &q, 4);
	ck_assert_str_eq(query_get(&q, "a"), "3");
	ck_assert_uint_eq(query_count(&q, "a"), 3);
	ck_assert_uint_eq(query_count(&q, "b"), 1);
	ck_assert_str_eq(q.params[0].val, "1");
	ck_assert_str_eq(q.params[2].val, "2");
	parse_ok("a=1&a=", &q, 2);
	ck_assert_str_eq(query_get(&q, "a"), "");
}
END_TEST

START_TEST(test_empty_pairs)
{
	struct query	 q;

	parse_ok("&&a=1&&&b=2&", &q, 2);
	ck_assert_str_eq(q.params[0].key, "a");
	ck_assert_str_eq(q.params[1].key, "b");
	ck_assert_str_eq(query_get(&q, "b"), "2");
}
END_TEST

START_TEST(test_no_equals)
{
	struct query	 q;

	parse_ok("flag&k=&x=1", &q, 3);
	ck_assert_str_eq(q.params[0].key, "flag");
	ck_assert_str_eq(q.params[0].val, "");
	ck_assert_uint_eq(q.params[0].valsz, 0);
	ck_assert_str_eq(q.params[1].key, "k");
	ck_assert_str_eq(q.params[1].val, "");
	ck_assert_uint_eq(q.params[1].valsz, 0);
	ck_assert_str_eq(query_get(&q, "flag"), "");
	/* An empty key is kept, as WHATWG's urlencoded parser does. */
	parse_ok("=v&=", &q, 2);
	ck_assert_str_eq(query_get(&q, ""), "");
	ck_assert_str_eq(q.params[0].val, "v");
	/* Only the first "=" splits. */
	parse_ok("a=b=c", &q, 1);
	ck_assert_str_eq(query_get(&q, "a"), "b=c");
	parse_ok("a==", &q, 1);
	ck_assert_str_eq(query_get(&q, "a"), "=");
}
END_TEST

START_TEST(test_decoding)
{
	struct query	 q;

	parse_ok("search=John+Smith%21&first%20name=%C3%A9&p%2Bq=a%26b%3Dc",
	    &q, 3);
	ck_assert_str_eq(query_get(&q, "search"), "John Smith!");
	ck_assert_str_eq(query_get(&q, "first name"), "\xc3\xa9");
	ck_assert_uint_eq(q.params[1].valsz, 2);
	/* Encoded "&" and "=" do not split. */
	ck_assert_str_eq(query_get(&q, "p+q"), "a&b=c");
	/* ";" is not a separator. */
	parse_ok("a=1;b=2", &q, 1);
	ck_assert_str_eq(query_get(&q, "a"), "1;b=2");
	/* "+" in a key is a space too. */
	parse_ok("a+b=1", &q, 1);
	ck_assert_str_eq(query_get(&q, "a b"), "1");
}
END_TEST

/* Hostile values: each fails, names its raw key, and leaves "q" empty. */
static const char *const invalids[] = {
	"%",
	"%4",
	"%zz",
	"%%",
	"%%41",
	"1%",
	"%00",
	"a%00b",
	"%0d%0a",
	"%0A",
	"%09",
	"%1b[31m",
	"%7f",
	"\x01",
	"\x7f",
	"a\tb",
	"a\r\nSet-Cookie:x",
	"%C0%AF",		/* overlong */
	"\xc0\xaf",
	"%E0%80%AF",
	"%ED%A0%80",		/* surrogate */
	"\xed\xa0\x80",
	"%F4%90%80%80",		/* above U+10FFFF */
	"%F8%88%80%80%80",
	"%E2%82",		/* truncated */
	"\xc3",
	"%FF",
};

START_TEST(test_invalid_value)
{
	struct query	 q;
	const char	*bad = NULL;
	char		 s[64];
	int		 n;

	n = snprintf(s, sizeof(s), "ok=1&key=%s&z=2", invalids[_i]);
	ck_assert(n > 0 && (size_t)n < sizeof(s));
	ck_assert_int_eq(query_parse(pool, s, &q, &bad), ERR_INVAL);
	ck_assert_ptr_nonnull(bad);
	ck_assert_str_eq(bad, "key");
	ck_assert_ptr_null(q.params);
	ck_assert_uint_eq(q.paramsz, 0);
	ck_assert_ptr_null(query_get(&q, "ok"));
}
END_TEST

START_TEST(test_invalid_key)
{
	struct query	 q;
	const char	*bad = NULL;
	char		 s[64];
	int		 n;

	n = snprintf(s, sizeof(s), "ok=1&k%s=v", invalids[_i]);
	ck_assert(n > 0 && (size_t)n < sizeof(s));
	ck_assert_int_eq(query_parse(pool, s, &q, &bad), ERR_INVAL);
	ck_assert_ptr_nonnull(bad);
	ck_assert_int_eq(strncmp(bad, "k", 1), 0);
	ck_assert_uint_eq(strlen(bad), 1 + strlen(invalids[_i]));
	ck_assert_uint_eq(q.paramsz, 0);
	/* The same without "=". */
	n = snprintf(s, sizeof(s), "k%s", invalids[_i]);
	ck_assert(n > 0 && (size_t)n < sizeof(s));
	ck_assert_int_eq(query_parse(pool, s, &q, &bad), ERR_INVAL);
	ck_assert_str_eq(bad, s);
}
END_TEST

/* Builds "a=xxx…" of exactly "len" bytes in "b". */
static void
longquery(struct buf *b, size_t len)
{
	size_t	 i;

	buf_init(b);
	ck_assert_int_eq(buf_puts(b, "a="), ERR_OK);
	for (i = 2; i < len; i++)
		ck_assert_int_eq(buf_putc(b, 'x'), ERR_OK);
	ck_assert_uint_eq(b->len, len);
}

START_TEST(test_len_max)
{
	struct query	 q;
	struct buf	 b;

	longquery(&b, QUERY_LEN_MAX);
	parse_ok(buf_str(&b), &q, 1);
	ck_assert_uint_eq(q.params[0].valsz, QUERY_LEN_MAX - 2);
	buf_clear(&b);
}
END_TEST

START_TEST(test_len_over)
{
	struct query	 q;
	struct buf	 b;
	const char	*bad = "unset";

	longquery(&b, QUERY_LEN_MAX + 1);
	ck_assert_int_eq(query_parse(pool, buf_str(&b), &q, &bad),
	    ERR_TOOBIG);
	ck_assert_ptr_null(bad);
	ck_assert_uint_eq(q.paramsz, 0);
	buf_clear(&b);
}
END_TEST

/* A megabyte is refused without being walked (and without a crash). */
START_TEST(test_len_huge)
{
	struct query	 q;
	size_t		 n = 1024 * 1024;
	char		*s;

	ck_assert_ptr_nonnull(s = malloc(n + 1));
	memset(s, '&', n);
	s[n] = '\0';
	ck_assert_int_eq(query_parse(pool, s, &q, NULL), ERR_TOOBIG);
	memset(s, '%', n);
	ck_assert_int_eq(query_parse(pool, s, &q, NULL), ERR_TOOBIG);
	free(s);
}
END_TEST

/* Builds "k0=0&k1=1&…" with "n" pairs and "sep" between them. */
static void
manyquery(struct buf *b, size_t n, const char *sep)
{
	size_t	 i;

	buf_init(b);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(buf_printf(b, "%sk%zu=%zu",
		    i > 0 ? sep : "", i, i), ERR_OK);
}

START_TEST(test_params_max)
{
	struct query	 q;
	struct buf	 b;

	manyquery(&b, QUERY_PARAMS_MAX, "&");
	parse_ok(buf_str(&b), &q, QUERY_PARAMS_MAX);
	ck_assert_str_eq(query_get(&q, "k63"), "63");
	buf_clear(&b);
	/* Empty pairs do not count. */
	manyquery(&b, QUERY_PARAMS_MAX, "&&&");
	parse_ok(buf_str(&b), &q, QUERY_PARAMS_MAX);
	buf_clear(&b);
}
END_TEST

START_TEST(test_params_over)
{
	struct query	 q;
	struct buf	 b;
	const char	*bad = NULL;

	manyquery(&b, QUERY_PARAMS_MAX + 1, "&");
	ck_assert_int_eq(query_parse(pool, buf_str(&b), &q, &bad),
	    ERR_TOOBIG);
	ck_assert_ptr_nonnull(bad);
	ck_assert_str_eq(bad, "k64");
	ck_assert_uint_eq(q.paramsz, 0);
	buf_clear(&b);
	/* Thousands of bare keys. */
	manyquery(&b, 2000, "&");
	ck_assert_int_eq(query_parse(pool, buf_str(&b), &q, NULL),
	    ERR_TOOBIG);
	buf_clear(&b);
}
END_TEST

static Suite *
query_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("query");

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_basic);
	tcase_add_test(tc, test_none);
	tcase_add_test(tc, test_repeated);
	tcase_add_test(tc, test_empty_pairs);
	tcase_add_test(tc, test_no_equals);
	tcase_add_test(tc, test_decoding);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_invalid_value, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	tcase_add_loop_test(tc, test_invalid_key, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("bounds");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_len_max);
	tcase_add_test(tc, test_len_over);
	tcase_add_test(tc, test_len_huge);
	tcase_add_test(tc, test_params_max);
	tcase_add_test(tc, test_params_over);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(query_suite());
}
