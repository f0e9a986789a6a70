/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pool.h"
#include "testutil.h"

static struct pool	*pool;

static void
setup(void)
{

	pool = pool_new();
	ck_assert_ptr_nonnull(pool);
	ck_assert_uint_eq(pool_used(pool), 0);
}

static void
teardown(void)
{

	pool_free(pool);
	pool = NULL;
}

START_TEST(test_free_null)
{

	pool_free(NULL);
}
END_TEST

/* Every allocation is aligned for any type, whatever sizes came before. */
START_TEST(test_align)
{
	size_t	 sizes[] = { 1, 3, 8, 17, 31, 100, 4095, 20000, 0, 7 };
	size_t	 i;
	void	*p;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ck_assert_ptr_nonnull(p = pool_alloc(pool, sizes[i]));
		ck_assert_uint_eq((uintptr_t)p % _Alignof(max_align_t), 0);
		memset(p, 0xa5, sizes[i]);
	}
}
END_TEST

/* Allocations do not overlap, within a block and across blocks. */
START_TEST(test_distinct)
{
	unsigned char	*p[300];
	size_t		 i, j;

	for (i = 0; i < 300; i++) {
		ck_assert_ptr_nonnull(p[i] = pool_alloc(pool, 100));
		memset(p[i], (int)(i & 0xff), 100);
	}
	for (i = 0; i < 300; i++)
		for (j = 0; j < 100; j++)
			ck_assert_uint_eq(p[i][j], i & 0xff);
}
END_TEST

/* Larger than a block: gets a block of its own, then small ones go on. */
START_TEST(test_large)
{
	char	*big, *small;

	ck_assert_ptr_nonnull(small = pool_alloc(pool, 10));
	ck_assert_ptr_nonnull(big = pool_alloc(pool, 1024 * 1024));
	memset(big, 'x', 1024 * 1024);
	ck_assert_ptr_nonnull(small = pool_alloc(pool, 10));
	memset(small, 'y', 10);
	ck_assert_int_eq(big[1024 * 1024 - 1], 'x');
	ck_assert_uint_ge(pool_used(pool), 1024 * 1024 + 20);
}
END_TEST

START_TEST(test_zero)
{

	ck_assert_ptr_nonnull(pool_alloc(pool, 0));
	ck_assert_ptr_nonnull(pool_calloc(pool, 0, 8));
	ck_assert_ptr_nonnull(pool_calloc(pool, 8, 0));
	ck_assert_uint_gt(pool_used(pool), 0);
}
END_TEST

START_TEST(test_calloc)
{
	unsigned char	*p;
	size_t		 i;

	/* Dirty some memory, reset, then calloc over it. */
	memset(pool_alloc(pool, 512), 0xff, 512);
	pool_reset(pool);
	ck_assert_ptr_nonnull(p = pool_calloc(pool, 64, 8));
	for (i = 0; i < 512; i++)
		ck_assert_uint_eq(p[i], 0);
}
END_TEST

/* Sizes that would wrap return NULL and allocate nothing. */
START_TEST(test_overflow)
{

	ck_assert_ptr_null(pool_alloc(pool, SIZE_MAX));
	ck_assert_ptr_null(pool_alloc(pool, SIZE_MAX - 1));
	ck_assert_ptr_null(pool_alloc(pool, SIZE_MAX - 16));
	ck_assert_ptr_null(pool_calloc(pool, SIZE_MAX, 2));
	ck_assert_ptr_null(pool_calloc(pool, SIZE_MAX / 2 + 1, 2));
	ck_assert_ptr_null(pool_calloc(pool, 2, SIZE_MAX / 2 + 1));
	ck_assert_ptr_null(pool_strndup(pool, "", SIZE_MAX));
	ck_assert_uint_eq(pool_used(pool), 0);
	/* The pool still works. */
	ck_assert_ptr_nonnull(pool_alloc(pool, 1));
}
END_TEST

START_TEST(test_strdup)
{
	char	 src[] = "hello";
	char	*p;

	ck_assert_ptr_nonnull(p = pool_strdup(pool, src));
	ck_assert_ptr_ne(p, src);
	src[0] = 'j';
	ck_assert_str_eq(p, "hello");
	ck_assert_str_eq(pool_strdup(pool, ""), "");
}
END_TEST

START_TEST(test_strndup)
{
	char	*p;

	ck_assert_str_eq(pool_strndup(pool, "abcdef", 3), "abc");
	ck_assert_str_eq(pool_strndup(pool, "abc", 0), "");
	/* Copies exactly "n" bytes, NUL included, and terminates. */
	ck_assert_ptr_nonnull(p = pool_strndup(pool, "a\0b", 3));
	ck_assert_mem_eq(p, "a\0b\0", 4);
	/* The source need not be terminated. */
	ck_assert_str_eq(pool_strndup(pool, "xy", 1), "x");
}
END_TEST

START_TEST(test_printf)
{
	char	 big[30000];

	ck_assert_str_eq(pool_printf(pool, "%s-%d", "a", 7), "a-7");
	ck_assert_str_eq(pool_printf(pool, "%s", ""), "");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_str_eq(pool_printf(pool, "%s", big), big);
}
END_TEST

/*
 * pool_used() grows with each allocation and drops to zero on reset,
 * after which the pool serves requests again (and the extra blocks
 * were released, which valgrind would report otherwise).
 */
START_TEST(test_reset)
{
	size_t	 used;
	int	 round, i;

	for (round = 0; round < 3; round++) {
		used = 0;
		for (i = 0; i < 100; i++) {
			ck_assert_ptr_nonnull(pool_alloc(pool, 1000));
			ck_assert_uint_gt(pool_used(pool), used);
			used = pool_used(pool);
		}
		ck_assert_uint_ge(used, 100 * 1000);
		pool_reset(pool);
		ck_assert_uint_eq(pool_used(pool), 0);
	}
	ck_assert_str_eq(pool_strdup(pool, "again"), "again");
}
END_TEST

static Suite *
pool_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("pool");

	tc = tcase_create("alloc");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_free_null);
	tcase_add_test(tc, test_align);
	tcase_add_test(tc, test_distinct);
	tcase_add_test(tc, test_large);
	tcase_add_test(tc, test_zero);
	tcase_add_test(tc, test_calloc);
	tcase_add_test(tc, test_overflow);
	suite_add_tcase(s, tc);

	tc = tcase_create("strings");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_strdup);
	tcase_add_test(tc, test_strndup);
	tcase_add_test(tc, test_printf);
	suite_add_tcase(s, tc);

	tc = tcase_create("reset");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_reset);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(pool_suite());
}
