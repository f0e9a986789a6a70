/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "password.h"
#include "testutil.h"

/* Made by Python's hashlib.pbkdf2_hmac, which is Django's algorithm. */
static const char	 django1[] = "pbkdf2_sha256$100000$Qz8lVvDn1X0a7bJYkR2mTe"
    "$UALekwTQq4KCfAfbXZ5x2sork6bmV/DYlRilF2YbcIk=";
static const char	 django2[] = "pbkdf2_sha256$120000$abcdefghijklmnopqrstuv"
    "$V2HESCZ43wWnDLcqKwKJciYDyb6IfVxSh9UL/ojY+dY=";

START_TEST(test_django_hashes)
{
	int	 up = -1;

	ck_assert_int_eq(password_verify("correct horse battery staple",
	    django1, 100000, &up), 1);
	ck_assert_int_eq(up, 0);
	ck_assert_int_eq(password_verify("p\xc3\xa4sssw\xc3\xb6rd", django2,
	    100000, NULL), 0);
	ck_assert_int_eq(password_verify("p\xc3\xa4ssw\xc3\xb6rd-\xc3\xbcn\xc3\xaf"
	    "code", django2, 600000, &up), 1);
	ck_assert_int_eq(up, 1);	/* fewer iterations than configured */
}
END_TEST

START_TEST(test_wrong_password)
{

	ck_assert_int_eq(password_verify("correct horse battery stapl",
	    django1, 100000, NULL), 0);
	ck_assert_int_eq(password_verify("", django1, 100000, NULL), 0);
}
END_TEST

START_TEST(test_malformed_hashes)
{
	static const char *const bad[] = { "", "pbkdf2_sha256",
	    "pbkdf2_sha256$", "pbkdf2_sha256$100000$salt",
	    "pbkdf2_sha256$100000$$UALekwTQq4KCfAfbXZ5x2sork6bmV/DYlRilF2YbcIk=",
	    "pbkdf2_sha256$0$Qz8lVvDn1X0a7bJYkR2mTe$UALekwTQq4KCfAfbXZ5x2sork6bmV/DYlRilF2YbcIk=",
	    "pbkdf2_sha256$-5$Qz8lVvDn1X0a7bJYkR2mTe$UALekwTQq4KCfAfbXZ5x2sork6bmV/DYlRilF2YbcIk=",
	    "pbkdf2_sha256$999999999999$Qz8lVvDn1X0a7bJYkR2mTe$UALekwTQq4KCfAfbXZ5x2sork6bmV/DYlRilF2YbcIk=",
	    "pbkdf2_sha1$100000$Qz8lVvDn1X0a7bJYkR2mTe$UALekwTQq4KCfAfbXZ5x2sork6bmV/DYlRilF2YbcIk=",
	    "pbkdf2_sha256$100000$Qz8lVvDn1X0a7bJYkR2mTe$UALekwTQq4KCfAfbXZ5x2sork6bmV/DYlRilF2YbcI",
	    "bcrypt$$2b$12$abc", "!unusable" };

	ck_assert_int_eq(password_verify("correct horse battery staple",
	    bad[_i], 100000, NULL), 0);
}
END_TEST

START_TEST(test_hash_round_trip)
{
	struct buf	 a, b;
	int		 up;

	buf_init(&a);
	buf_init(&b);
	ck_assert_int_eq(password_hash("a long passphrase", 100000, &a), ERR_OK);
	ck_assert_int_eq(password_hash("a long passphrase", 100000, &b), ERR_OK);
	ck_assert_int_eq(strncmp(a.p, "pbkdf2_sha256$100000$", 21), 0);
	ck_assert_uint_eq(a.len, 21 + 22 + 1 + 44);
	ck_assert_str_ne(a.p, b.p);	/* fresh salt each time */
	ck_assert_int_eq(password_verify("a long passphrase", a.p, 100000,
	    &up), 1);
	ck_assert_int_eq(up, 0);
	ck_assert_int_eq(password_verify("a long passphrasE", a.p, 100000,
	    NULL), 0);
	ck_assert_int_eq(password_hash("x", 0, &a), ERR_INVAL);
	buf_clear(&a);
	buf_clear(&b);
}
END_TEST

/* The policy with the default bounds. */
static const char *
password_policy_d(const char *pw, const char *email, const char *first,
    const char *last)
{

	return password_policy(pw, 12, 128, email, first, last);
}

START_TEST(test_policy)
{

	ck_assert_ptr_null(password_policy_d("twelve chars", NULL, NULL, NULL));
	ck_assert_ptr_nonnull(password_policy_d("eleven char", NULL, NULL, NULL));
	/* 12 code points in 24 bytes: long enough. */
	ck_assert_ptr_null(password_policy_d("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	    NULL, NULL, NULL));
	ck_assert_ptr_nonnull(password_policy_d("123456789012345", NULL, NULL,
	    NULL));
	ck_assert_ptr_nonnull(password_policy_d("Nurse@Ward.test", "nurse@ward.test",
	    NULL, NULL));
	ck_assert_ptr_nonnull(password_policy_d("Bartholomewxx", NULL,
	    "bartholomewXX", NULL));
	ck_assert_ptr_nonnull(password_policy_d("bad utf8 \xc0\xaf here", NULL,
	    NULL, NULL));
}
END_TEST

START_TEST(test_policy_max)
{
	char	 pw[200];

	memset(pw, 'a', 128);
	pw[128] = '\0';
	ck_assert_ptr_null(password_policy_d(pw, NULL, NULL, NULL));
	pw[128] = 'a';
	pw[129] = '\0';
	ck_assert_ptr_nonnull(password_policy_d(pw, NULL, NULL, NULL));
}
END_TEST

static Suite *
password_suite(void)
{
	Suite	*s = suite_create("password");
	TCase	*tc = tcase_create("pbkdf2");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_django_hashes);
	tcase_add_test(tc, test_wrong_password);
	tcase_add_loop_test(tc, test_malformed_hashes, 0, 12);
	tcase_add_test(tc, test_hash_round_trip);
	tcase_add_test(tc, test_policy);
	tcase_add_test(tc, test_policy_max);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(password_suite());
}
