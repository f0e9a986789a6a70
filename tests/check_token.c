/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "pool.h"
#include "token.h"
#include "testutil.h"

#define	SECRET	"test-secret-key-0123456789abcdef-0123456789"
#define	NOW	INT64_C(1767225600)	/* 2026-01-01T00:00:00Z */
#define	EPOCH	INT64_C(978307200)	/* 2001-01-01T00:00:00Z */
#define	DAY	86400L
#define	UID	"0190f1e2-0000-7000-8000-0000000000aa"
#define	UIDB64	"MDE5MGYxZTItMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMGFh"
#define	PWHASH	"pbkdf2_sha256$600000$abcdefghijklmnopqrstuv$" \
		"c2FsdGVkaGFzaGVkcGFzc3dvcmQxMjM0NTY3ODkwYWI="

/*
 * Made independently (Python hashlib and hmac, Django's algorithm) for
 * the state of setup() at NOW.
 */
static const char *const kat[TOKEN__MAX] = {
	"d1p9c0-a87488443cc81bd9d9320640d9a4b3dd",	/* TOKEN_ACTIVATE */
	"d1p9c0-471b538811c788d5592647ed5750356e",	/* TOKEN_RESET */
};

static struct pool		*pool;
static struct token_state	 st;
static struct buf		 tok;

static void
setup(void)
{

	ck_assert_ptr_nonnull(pool = pool_new());
	st.user_id = UID;
	st.password_hash = PWHASH;
	st.last_login = NULL;
	st.email = "nurse@example.org";
	st.is_active = 0;
	buf_init(&tok);
}

static void
teardown(void)
{

	buf_clear(&tok);
	pool_free(pool);
	pool = NULL;
}

/* Makes the token of "p" for "st" at "now" into "tok". */
static const char *
make(enum token_purpose p, int64_t now)
{

	buf_reset(&tok);
	ck_assert_int_eq(token_make(SECRET, p, &st, now, &tok), ERR_OK);
	return buf_str(&tok);
}

START_TEST(test_kat)
{

	ck_assert_str_eq(make((enum token_purpose)_i, NOW), kat[_i]);
	ck_assert_int_eq(token_check(SECRET, (enum token_purpose)_i, &st,
	    kat[_i], NOW, DAY), 1);
}
END_TEST

START_TEST(test_roundtrip)
{
	enum token_purpose	 p = (enum token_purpose)_i;
	const char		*t;

	t = make(p, NOW);
	ck_assert_int_eq(token_check(SECRET, p, &st, t, NOW, 3 * DAY), 1);
	ck_assert_int_eq(token_check(SECRET, p, &st, t, NOW + 3 * DAY,
	    3 * DAY), 1);
	st.last_login = "2026-01-01 10:00:00";
	st.is_active = 1;
	t = make(p, NOW + 5);
	ck_assert_int_eq(token_check(SECRET, p, &st, t, NOW + 3600, 3600),
	    1);
	/* The earliest time there is. */
	t = make(p, EPOCH);
	ck_assert_int_eq(t[0], '0');
	ck_assert_int_eq(t[1], '-');
	ck_assert_int_eq(token_check(SECRET, p, &st, t, EPOCH, 0), 1);
}
END_TEST

START_TEST(test_make_invalid)
{
	struct token_state	 s = st;

	ck_assert_int_eq(token_make(SECRET, TOKEN_RESET, &st, EPOCH - 1,
	    &tok), ERR_INVAL);
	ck_assert_int_eq(token_make(SECRET, TOKEN_RESET, &st, -1, &tok),
	    ERR_INVAL);
	ck_assert_int_eq(token_make(SECRET, TOKEN__MAX, &st, NOW, &tok),
	    ERR_INVAL);
	ck_assert_int_eq(token_make("", TOKEN_RESET, &st, NOW, &tok),
	    ERR_INVAL);
	ck_assert_int_eq(token_make(NULL, TOKEN_RESET, &st, NOW, &tok),
	    ERR_INVAL);
	s.email = NULL;
	ck_assert_int_eq(token_make(SECRET, TOKEN_RESET, &s, NOW, &tok),
	    ERR_INVAL);
	s = st;
	s.password_hash = NULL;
	ck_assert_int_eq(token_make(SECRET, TOKEN_RESET, &s, NOW, &tok),
	    ERR_INVAL);
	s = st;
	s.user_id = NULL;
	ck_assert_int_eq(token_make(SECRET, TOKEN_RESET, &s, NOW, &tok),
	    ERR_INVAL);
	ck_assert_uint_eq(tok.len, 0);
}
END_TEST

/* Each change of the bound state kills the token. */
START_TEST(test_state_change)
{
	struct token_state	 s;
	enum token_purpose	 p;
	char			*t;

	for (p = 0; p < TOKEN__MAX; p++) {
		st.last_login = NULL;
		ck_assert_ptr_nonnull(t = strdup(make(p, NOW)));
		s = st;
		s.password_hash = "pbkdf2_sha256$600000$other$AAAA";
		ck_assert_int_eq(token_check(SECRET, p, &s, t, NOW, DAY), 0);
		s = st;
		s.last_login = "2026-01-01 00:00:01";
		ck_assert_int_eq(token_check(SECRET, p, &s, t, NOW, DAY), 0);
		s.last_login = "";	/* NULL and "" are the same to Django */
		ck_assert_int_eq(token_check(SECRET, p, &s, t, NOW, DAY), 1);
		s = st;
		s.is_active = 1;
		ck_assert_int_eq(token_check(SECRET, p, &s, t, NOW, DAY), 0);
		s.is_active = 0;
		ck_assert_int_eq(token_check(SECRET, p, &s, t, NOW, DAY), 1);
		s.email = "Nurse@example.org";
		ck_assert_int_eq(token_check(SECRET, p, &s, t, NOW, DAY), 0);
		s.email = "other@example.org";
		ck_assert_int_eq(token_check(SECRET, p, &s, t, NOW, DAY), 0);
		s = st;
		s.user_id = "0190f1e2-0000-7000-8000-0000000000ab";
		ck_assert_int_eq(token_check(SECRET, p, &s, t, NOW, DAY), 0);
		ck_assert_int_eq(token_check(SECRET "x", p, &st, t, NOW, DAY),
		    0);
		ck_assert_int_eq(token_check(SECRET, p, &st, t, NOW, DAY), 1);
		free(t);
	}
}
END_TEST

/* A changed last sign-in kills a token made after an earlier one. */
START_TEST(test_last_login_change)
{
	char	*t;

	st.last_login = "2025-12-31 08:00:00";
	ck_assert_ptr_nonnull(t = strdup(make(TOKEN_RESET, NOW)));
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW, DAY),
	    1);
	st.last_login = "2026-01-01 00:00:05";
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW, DAY),
	    0);
	st.last_login = NULL;
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW, DAY),
	    0);
	free(t);
}
END_TEST

/* An activation token is no reset token, and the reverse. */
START_TEST(test_purpose)
{
	const char	*t;

	t = make(TOKEN_ACTIVATE, NOW);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW, DAY),
	    0);
	ck_assert_int_eq(token_check(SECRET, TOKEN__MAX, &st, t, NOW, DAY),
	    0);
	t = make(TOKEN_RESET, NOW);
	ck_assert_int_eq(token_check(SECRET, TOKEN_ACTIVATE, &st, t, NOW,
	    DAY), 0);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW, DAY),
	    1);
}
END_TEST

/* "timeout" seconds old is fine, one more is not; nor the future. */
START_TEST(test_age)
{
	const char	*t;

	t = make(TOKEN_RESET, NOW);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW + 3600,
	    3600), 1);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW + 3601,
	    3600), 0);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, INT64_MAX,
	    3600), 0);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW, 0), 1);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW + 1, 0),
	    0);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW, -1),
	    0);
	/* From the future: made a second after "now". */
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW - 1,
	    3600), 0);
	t = make(TOKEN_RESET, NOW + 86400);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, NOW, DAY),
	    0);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, 0, DAY), 0);
	ck_assert_int_eq(token_check(SECRET, TOKEN_RESET, &st, t, INT64_MIN,
	    DAY), 0);
}
END_TEST

/* Spellings of the ACTIVATE token at NOW that must be refused. */
static const char *const malformed[] = {
	"",
	"-",
	"d1p9c0",
	"d1p9c0-",
	"-a87488443cc81bd9d9320640d9a4b3dd",
	"d1p9c0a87488443cc81bd9d9320640d9a4b3dd",
	"d1p9c0_a87488443cc81bd9d9320640d9a4b3dd",
	"D1P9C0-a87488443cc81bd9d9320640d9a4b3dd",
	"d1p9c0-A87488443CC81BD9D9320640D9A4B3DD",
	"d1p9c0-A87488443cc81bd9d9320640d9a4b3dd",
	"d1p9c0-a87488443cc81bd9d9320640d9a4b3d",
	"d1p9c0-a87488443cc81bd9d9320640d9a4b3dd0",
	"d1p9c0-a87488443cc81bd9d9320640d9a4b3dda87488443cc81bd9d93206",
	"d1p9c0-g87488443cc81bd9d9320640d9a4b3dd",
	"d1p9c0-a87488443cc81bd9d9320640d9a4b3dd ",
	" d1p9c0-a87488443cc81bd9d9320640d9a4b3dd",
	"d1p9c0-a87488443cc81bd9d9320640d9a4b3dd\n",
	"d1p9c0--a87488443cc81bd9d9320640d9a4b3dd",
	"d1p9c0-a8748844-3cc81bd9d9320640d9a4b3dd",
	"0d1p9c0-a87488443cc81bd9d9320640d9a4b3dd",	/* leading zero */
	"00000000d1p9c0-a87488443cc81bd9d9320640d9a4b3dd",
	"0000000d1p9c0-a87488443cc81bd9d9320640d9a4b3dd",	/* 13 */
	"+d1p9c0-a87488443cc81bd9d9320640d9a4b3dd",
	"d1p9c0-+a87488443cc81bd9d9320640d9a4b3d",
	"d1p9c0.a87488443cc81bd9d9320640d9a4b3dd",
	"zzzzzzzzzzzzz-a87488443cc81bd9d9320640d9a4b3dd",	/* overflow */
	"zzzzzzzzzzzzzz-a87488443cc81bd9d9320640d9a4b3dd",	/* 14 */
	"1y2p0ij32e8e7-a87488443cc81bd9d9320640d9a4b3dd",	/* INT64_MAX */
	"1y2p0ij32e8e8-a87488443cc81bd9d9320640d9a4b3dd",	/* 2^63 */
	"d1p9c0-a87488443cc81bd9d9320640d9a4b3d\xc3\xa9",
	"d1p9c0-a87488443cc81bd9d9320640d9a4b3d\xdd",
	"d1p9c1-a87488443cc81bd9d9320640d9a4b3dd",	/* other ts */
	"d1p9c0-a87488443cc81bd9d9320640d9a4b3de",	/* other hash */
	"d1p9c0-471b538811c788d5592647ed5750356e",	/* the reset one */
};

START_TEST(test_malformed)
{

	/* The table is about this token. */
	ck_assert_int_eq(token_check(SECRET, TOKEN_ACTIVATE, &st, kat[0],
	    NOW, DAY), 1);
	ck_assert_msg(token_check(SECRET, TOKEN_ACTIVATE, &st, malformed[_i],
	    NOW, DAY) == 0, "accepted \"%s\"", malformed[_i]);
}
END_TEST

START_TEST(test_check_null)
{

	ck_assert_int_eq(token_check(SECRET, TOKEN_ACTIVATE, &st, NULL, NOW,
	    DAY), 0);
	ck_assert_int_eq(token_check(NULL, TOKEN_ACTIVATE, &st, kat[0], NOW,
	    DAY), 0);
	ck_assert_int_eq(token_check("", TOKEN_ACTIVATE, &st, kat[0], NOW,
	    DAY), 0);
	ck_assert_int_eq(token_check(SECRET, TOKEN_ACTIVATE, NULL, kat[0],
	    NOW, DAY), 0);
}
END_TEST

/* A long token is refused without being walked to its end. */
START_TEST(test_check_long)
{
	char	*s;
	size_t	 n = 1024 * 1024;

	ck_assert_ptr_nonnull(s = malloc(n + 1));
	memset(s, 'a', n);
	s[n] = '\0';
	memcpy(s, kat[0], strlen(kat[0]));
	ck_assert_int_eq(token_check(SECRET, TOKEN_ACTIVATE, &st, s, NOW,
	    DAY), 0);
	free(s);
}
END_TEST

/* ------------------------------------------------------------ uidb64 */

START_TEST(test_uid_roundtrip)
{
	static const char	*ids[] = {
		UID,
		"00000000-0000-0000-0000-000000000000",
		"ffffffff-ffff-ffff-ffff-ffffffffffff",
		"0190f1e2-7a3b-7c4d-8e5f-60718293a4b5",
	};
	const char		*id;
	size_t			 i;

	ck_assert_int_eq(token_uid_encode(&tok, UID), ERR_OK);
	ck_assert_str_eq(buf_str(&tok), UIDB64);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		buf_reset(&tok);
		ck_assert_int_eq(token_uid_encode(&tok, ids[i]), ERR_OK);
		ck_assert_uint_eq(tok.len, 48);
		ck_assert_ptr_nonnull(id = token_uid_decode(pool, tok.p));
		ck_assert_str_eq(id, ids[i]);
	}
}
END_TEST

START_TEST(test_uid_encode_invalid)
{

	ck_assert_int_eq(token_uid_encode(&tok, "42"), ERR_INVAL);
	ck_assert_int_eq(token_uid_encode(&tok, ""), ERR_INVAL);
	ck_assert_int_eq(token_uid_encode(&tok, NULL), ERR_INVAL);
	ck_assert_int_eq(token_uid_encode(&tok,
	    "0190F1E2-0000-7000-8000-0000000000AA"), ERR_INVAL);
	ck_assert_int_eq(token_uid_encode(&tok, UID "x"), ERR_INVAL);
	ck_assert_uint_eq(tok.len, 0);
}
END_TEST

/* Writes the base64url of "s" to "tok" and returns it. */
static const char *
enc(const char *s, size_t n)
{

	buf_reset(&tok);
	ck_assert_int_eq(b64url_encode(&tok, s, n), ERR_OK);
	return buf_str(&tok);
}

START_TEST(test_uid_decode_hostile)
{

	ck_assert_ptr_null(token_uid_decode(pool, NULL));
	ck_assert_ptr_null(token_uid_decode(pool, ""));
	ck_assert_ptr_null(token_uid_decode(pool, UIDB64 "="));
	ck_assert_ptr_null(token_uid_decode(pool, UIDB64 "=="));
	ck_assert_ptr_null(token_uid_decode(pool, UIDB64 "A"));
	ck_assert_ptr_null(token_uid_decode(pool, UIDB64 "AAAA"));
	ck_assert_ptr_null(token_uid_decode(pool, UIDB64 UIDB64));
	ck_assert_ptr_null(token_uid_decode(pool, UIDB64 "\n"));
	ck_assert_ptr_null(token_uid_decode(pool, " " UIDB64));
	ck_assert_ptr_null(token_uid_decode(pool,
	    "MDE5MGYxZTItMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMGF"));
	ck_assert_ptr_null(token_uid_decode(pool,
	    "MDE5MGYxZTItMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMGF+"));
	ck_assert_ptr_null(token_uid_decode(pool,
	    "MDE5MGYxZTItMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMGF/"));
	ck_assert_ptr_null(token_uid_decode(pool,
	    "MDE5MGYxZTItMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMGE="));
	/* Well-formed base64url of things that are no canonical UUID. */
	ck_assert_ptr_null(token_uid_decode(pool, enc("42", 2)));
	ck_assert_ptr_null(token_uid_decode(pool, enc("1", 1)));
	ck_assert_ptr_null(token_uid_decode(pool,
	    enc("0190F1E2-0000-7000-8000-0000000000AA", 36)));
	ck_assert_ptr_null(token_uid_decode(pool,
	    enc("0190f1e2x0000-7000-8000-0000000000aa", 36)));
	ck_assert_ptr_null(token_uid_decode(pool,
	    enc("0190f1e2-0000-7000-8000-0000000000a\0", 36)));
	ck_assert_ptr_null(token_uid_decode(pool,
	    enc("0190f1e2-0000-7000-8000-0000000000aa\0", 37)));
	ck_assert_ptr_null(token_uid_decode(pool,
	    enc("{0190f1e2-0000-7000-8000-00000000aa}", 36)));
	ck_assert_ptr_null(token_uid_decode(pool,
	    enc("0190f1e2-0000-7000-8000-0000000000aa0190", 40)));
	ck_assert_ptr_null(token_uid_decode(pool,
	    enc("0190f1e2000070008000000000000000aaaa", 36)));
	ck_assert_ptr_null(token_uid_decode(pool, enc("\xff\xfe\xfd", 3)));
}
END_TEST

static Suite *
token_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("token");

	tc = tcase_create("token");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_kat, 0, TOKEN__MAX);
	tcase_add_loop_test(tc, test_roundtrip, 0, TOKEN__MAX);
	tcase_add_test(tc, test_make_invalid);
	tcase_add_test(tc, test_state_change);
	tcase_add_test(tc, test_last_login_change);
	tcase_add_test(tc, test_purpose);
	tcase_add_test(tc, test_age);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_malformed, 0,
	    sizeof(malformed) / sizeof(malformed[0]));
	tcase_add_test(tc, test_check_null);
	tcase_add_test(tc, test_check_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("uidb64");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_uid_roundtrip);
	tcase_add_test(tc, test_uid_encode_invalid);
	tcase_add_test(tc, test_uid_decode_hostile);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(token_suite());
}
