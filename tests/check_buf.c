/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "testutil.h"

START_TEST(test_empty)
{
	struct buf	 b;
	struct buf	 z = { NULL, 0, 0 };

	buf_init(&b);
	ck_assert_str_eq(buf_str(&b), "");
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_str(&z), "");
	buf_reset(&b);			/* nothing to reset */
	buf_clear(&b);
	buf_clear(&b);			/* twice is fine */
	buf_clear(&z);
}
END_TEST

START_TEST(test_put)
{
	struct buf	 b;

	buf_init(&b);
	ck_assert_int_eq(buf_putc(&b, 'a'), ERR_OK);
	ck_assert_int_eq(buf_puts(&b, "bc"), ERR_OK);
	ck_assert_int_eq(buf_putn(&b, "defgh", 2), ERR_OK);
	ck_assert_int_eq(buf_puts(&b, ""), ERR_OK);
	ck_assert_int_eq(buf_putn(&b, NULL, 0), ERR_OK);
	ck_assert_str_eq(buf_str(&b), "abcde");
	ck_assert_uint_eq(b.len, 5);
	ck_assert_uint_ge(b.cap, b.len + 1);
	buf_clear(&b);
	ck_assert_ptr_null(b.p);
}
END_TEST

/* NUL is data: "len" counts it, and a NUL still ends the storage. */
START_TEST(test_binary)
{
	struct buf	 b;

	buf_init(&b);
	ck_assert_int_eq(buf_putn(&b, "a\0b", 3), ERR_OK);
	ck_assert_int_eq(buf_putc(&b, '\0'), ERR_OK);
	ck_assert_uint_eq(b.len, 4);
	ck_assert_mem_eq(b.p, "a\0b\0", 5);
	buf_clear(&b);
}
END_TEST

START_TEST(test_printf)
{
	struct buf	 b;

	buf_init(&b);
	ck_assert_int_eq(buf_printf(&b, "%d-%s", 42, "x"), ERR_OK);
	ck_assert_int_eq(buf_printf(&b, "%s", ""), ERR_OK);
	ck_assert_int_eq(buf_printf(&b, "/%05.1f", 2.5), ERR_OK);
	ck_assert_str_eq(buf_str(&b), "42-x/002.5");
	ck_assert_uint_eq(b.len, strlen(b.p));
	buf_clear(&b);
}
END_TEST

/* Output far longer than the first block, in one call. */
START_TEST(test_printf_long)
{
	struct buf	 b;
	char		 big[5000];

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	buf_init(&b);
	ck_assert_int_eq(buf_puts(&b, "<"), ERR_OK);
	ck_assert_int_eq(buf_printf(&b, "%s>", big), ERR_OK);
	ck_assert_uint_eq(b.len, sizeof(big) + 1);
	ck_assert_int_eq(b.p[b.len - 1], '>');
	ck_assert_int_eq(b.p[b.len], '\0');
	buf_clear(&b);
}
END_TEST

START_TEST(test_grow)
{
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(buf_putc(&b, (char)('a' + i % 26)), ERR_OK);
	ck_assert_uint_eq(b.len, 100000);
	ck_assert_uint_eq(strlen(b.p), 100000);
	ck_assert_int_eq(b.p[26], 'a');
	ck_assert_int_eq(b.p[99999], 'a' + 99999 % 26);
	buf_clear(&b);
}
END_TEST

/* Reset empties the contents but keeps the storage. */
START_TEST(test_reset)
{
	struct buf	 b;
	char		*p;
	size_t		 cap;

	buf_init(&b);
	ck_assert_int_eq(buf_puts(&b, "hello"), ERR_OK);
	p = b.p;
	cap = b.cap;
	buf_reset(&b);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(buf_str(&b), "");
	ck_assert_ptr_eq(b.p, p);
	ck_assert_uint_eq(b.cap, cap);
	ck_assert_int_eq(buf_puts(&b, "x"), ERR_OK);
	ck_assert_str_eq(buf_str(&b), "x");
	buf_clear(&b);
}
END_TEST

START_TEST(test_reserve)
{
	struct buf	 b;

	buf_init(&b);
	ck_assert_int_eq(buf_reserve(&b, 1000), ERR_OK);
	ck_assert_uint_ge(b.cap, 1001);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(buf_reserve(&b, 0), ERR_OK);
	buf_clear(&b);
}
END_TEST

/*
 * Sizes whose sum with the length and NUL would wrap fail before any
 * allocation.  (A size that fits but cannot be allocated is left out:
 * ASan aborts on such a request instead of returning NULL.)
 */
START_TEST(test_overflow)
{
	struct buf	 b;

	buf_init(&b);
	ck_assert_int_eq(buf_reserve(&b, SIZE_MAX), ERR_NOMEM);
	ck_assert_int_eq(buf_puts(&b, "abc"), ERR_OK);
	ck_assert_int_eq(buf_reserve(&b, SIZE_MAX - 3), ERR_NOMEM);
	ck_assert_int_eq(buf_putn(&b, "", SIZE_MAX - 2), ERR_NOMEM);
	/* The buffer is unchanged. */
	ck_assert_str_eq(buf_str(&b), "abc");
	ck_assert_uint_eq(b.len, 3);
	buf_clear(&b);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("buf");

	tc = tcase_create("put");
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_put);
	tcase_add_test(tc, test_binary);
	tcase_add_test(tc, test_printf);
	tcase_add_test(tc, test_printf_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("storage");
	tcase_add_test(tc, test_grow);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_reserve);
	tcase_add_test(tc, test_overflow);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(buf_suite());
}
