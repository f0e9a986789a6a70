/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "pool.h"
#include "testutil.h"

static struct pool	*pool;

static void
setup(void)
{

	ck_assert_ptr_nonnull(pool = pool_new());
}

static void
teardown(void)
{

	pool_free(pool);
	pool = NULL;
}

/* RFC 4648 section 10, without the padding. */
static const struct {
	const char	*plain;
	const char	*enc;
} vectors[] = {
	{ "", "" },
	{ "f", "Zg" },
	{ "fo", "Zm8" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg" },
	{ "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
};

START_TEST(test_vector_encode)
{
	struct buf	 b;

	buf_init(&b);
	ck_assert_int_eq(b64url_encode(&b, vectors[_i].plain,
	    strlen(vectors[_i].plain)), ERR_OK);
	ck_assert_str_eq(buf_str(&b), vectors[_i].enc);
	ck_assert_uint_eq(b.len, strlen(vectors[_i].enc));
	buf_clear(&b);
}
END_TEST

START_TEST(test_vector_decode)
{
	unsigned char	*out = NULL;
	size_t		 sz = 99;

	ck_assert_int_eq(b64url_decode(pool, vectors[_i].enc,
	    strlen(vectors[_i].enc), &out, &sz), ERR_OK);
	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(sz, strlen(vectors[_i].plain));
	ck_assert_str_eq((char *)out, vectors[_i].plain);
	ck_assert_int_eq(out[sz], '\0');
}
END_TEST

/* The two characters where base64url differs from base64 (table 2). */
START_TEST(test_url_alphabet)
{
	static const unsigned char	 a[] = { 0xfb, 0xff }, c[] =
	    { 0xfb, 0xef, 0xbe, 0xff, 0xff, 0xff };
	unsigned char			*out;
	size_t				 sz;
	struct buf			 b;

	buf_init(&b);
	ck_assert_int_eq(b64url_encode(&b, a, sizeof(a)), ERR_OK);
	ck_assert_str_eq(buf_str(&b), "-_8");
	buf_reset(&b);
	ck_assert_int_eq(b64url_encode(&b, c, sizeof(c)), ERR_OK);
	ck_assert_str_eq(buf_str(&b), "----____");
	buf_clear(&b);
	ck_assert_int_eq(b64url_decode(pool, "-_8", 3, &out, &sz), ERR_OK);
	ck_assert_uint_eq(sz, 2);
	ck_assert_mem_eq(out, a, 2);
	ck_assert_int_eq(b64url_decode(pool, "----____", 8, &out, &sz),
	    ERR_OK);
	ck_assert_uint_eq(sz, 6);
	ck_assert_mem_eq(out, c, 6);
}
END_TEST

/* Encoding appends to what the buffer holds. */
START_TEST(test_encode_appends)
{
	struct buf	 b;

	buf_init(&b);
	ck_assert_int_eq(buf_puts(&b, "x."), ERR_OK);
	ck_assert_int_eq(b64url_encode(&b, "foo", 3), ERR_OK);
	ck_assert_int_eq(b64url_encode(&b, "", 0), ERR_OK);
	ck_assert_str_eq(buf_str(&b), "x.Zm9v");
	buf_clear(&b);
	/* An empty encoding still leaves a NUL-terminated buffer. */
	ck_assert_int_eq(b64url_encode(&b, "", 0), ERR_OK);
	ck_assert_ptr_nonnull(b.p);
	ck_assert_str_eq(b.p, "");
	buf_clear(&b);
}
END_TEST

/* Every byte value and every length class survive a round trip. */
START_TEST(test_roundtrip)
{
	unsigned char	 in[300], *out;
	size_t		 n, sz, i;
	struct buf	 b;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + 3);
	buf_init(&b);
	for (n = 0; n <= sizeof(in); n++) {
		buf_reset(&b);
		ck_assert_int_eq(b64url_encode(&b, in, n), ERR_OK);
		ck_assert_uint_eq(b.len, (n * 4 + 2) / 3);
		ck_assert_uint_eq(strspn(buf_str(&b), "ABCDEFGHIJKLMNOPQRSTUVWX"
		    "YZabcdefghijklmnopqrstuvwxyz0123456789-_"), b.len);
		ck_assert_int_eq(b64url_decode(pool, b.p, b.len, &out, &sz),
		    ERR_OK);
		ck_assert_uint_eq(sz, n);
		ck_assert_int_eq(memcmp(out, in, n), 0);
	}
	buf_clear(&b);
}
END_TEST

/* Each must be refused; lengths are strlen() unless listed. */
static const char *const invalids[] = {
	"Z",			/* 1 mod 4 */
	"Zm9vY",
	"Zm9vYmFyZ",
	"Zg==",			/* padding */
	"Zg=",
	"Zm8=",
	"=",
	"====",
	"Zm9v====",
	"Zh",			/* trailing bits set */
	"Zi",
	"Z_",
	"Zm9",
	"Zm-",
	"Zm9vYh",
	"Zm9vYmF",
	"Zm+v",			/* standard base64 */
	"Zm/v",
	"+/8",
	" Zm9v",		/* whitespace */
	"Zm9v ",
	"Zm 9v",
	"Zm9v\n",
	"Zm\r\n9v",
	"Zm\t9v",
	"Zm.v",
	"Zm9v!",
	"Zm*v",
	"Zm%3D",
	"Zm9\xc3\xa9",		/* non-ASCII */
	"\xff\xff\xff\xff",
	"Zm9\x7f",
};

START_TEST(test_invalid)
{
	unsigned char	*out = NULL;
	size_t		 sz = 42;

	ck_assert_int_eq(b64url_decode(pool, invalids[_i],
	    strlen(invalids[_i]), &out, &sz), ERR_INVAL);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(sz, 42);
}
END_TEST

/* A NUL is a bad character like any other, not an end. */
START_TEST(test_nul)
{
	unsigned char	*out;
	size_t		 sz;

	ck_assert_int_eq(b64url_decode(pool, "Zm9v\0Zm9", 8, &out, &sz),
	    ERR_INVAL);
	ck_assert_int_eq(b64url_decode(pool, "Zm\0v", 4, &out, &sz),
	    ERR_INVAL);
	ck_assert_int_eq(b64url_decode(pool, "\0\0\0\0", 4, &out, &sz),
	    ERR_INVAL);
	/* Only "n" bytes are read. */
	ck_assert_int_eq(b64url_decode(pool, "Zm9v====", 4, &out, &sz),
	    ERR_OK);
	ck_assert_str_eq((char *)out, "foo");
	ck_assert_int_eq(b64url_decode(pool, NULL, 0, &out, &sz), ERR_INVAL);
}
END_TEST

/* A bad character in any position of a long input is found. */
START_TEST(test_bad_anywhere)
{
	char		 s[65];
	unsigned char	*out;
	size_t		 sz, i;

	for (i = 0; i < 64; i++) {
		memset(s, 'A', 64);
		s[64] = '\0';
		s[i] = '=';
		ck_assert_int_eq(b64url_decode(pool, s, 64, &out, &sz),
		    ERR_INVAL);
		s[i] = '+';
		ck_assert_int_eq(b64url_decode(pool, s, 64, &out, &sz),
		    ERR_INVAL);
	}
}
END_TEST

static Suite *
b64_suite(void)
{
	Suite	*s;
	TCase	*tc;
	size_t	 nv = sizeof(vectors) / sizeof(vectors[0]);

	s = suite_create("b64");

	tc = tcase_create("vectors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_vector_encode, 0, nv);
	tcase_add_loop_test(tc, test_vector_decode, 0, nv);
	tcase_add_test(tc, test_url_alphabet);
	tcase_add_test(tc, test_encode_appends);
	tcase_add_test(tc, test_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_invalid, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_bad_anywhere);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(b64_suite());
}
