/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "pool.h"
#include "session.h"
#include "testutil.h"
#include "throttle.h"
#include "user.h"

static struct testdb	 tdb;
static struct pool	*pool;
static struct user	 u;
static char		 sid[UUID_STRLEN + 1], jti[UUID_STRLEN + 1];

#define	NOW	1800000000000LL		/* ms: 2027-01-15 */
#define	DAY_MS	86400000LL

static void
setup(void)
{

	testdb_open(&tdb);
	ck_assert_ptr_nonnull(pool = pool_new());
	memset(&u, 0, sizeof(u));
	u.email = "doc@ward.test";
	u.password = "x";
	u.first_name = "Doc";
	u.last_name = "Tor";
	u.role = ROLE_DOCTOR;
	u.is_active = 1;
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(user_insert(tdb.app.db, pool, &u), ERR_OK);
	ck_assert_int_eq(session_open(tdb.app.db, u.id, NOW, NOW + DAY_MS,
	    sid, jti), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
}

static void
teardown(void)
{

	pool_free(pool);
	testdb_close(&tdb);
}

static enum err
principal(int64_t now, enum role *role)
{

	return session_principal(tdb.app.db, sid, u.id, now, role);
}

START_TEST(test_alive)
{
	enum role	 role;

	ck_assert_int_eq(principal(NOW + 1, &role), ERR_OK);
	ck_assert_int_eq(role, ROLE_DOCTOR);
	ck_assert_int_eq(session_principal(tdb.app.db, sid,
	    "00000000-0000-7000-8000-000000000000", NOW, &role), ERR_NOTFOUND);
	/* Expired. */
	ck_assert_int_eq(principal(NOW + DAY_MS, &role), ERR_NOTFOUND);
}
END_TEST

START_TEST(test_role_read_now)
{
	enum role	 role;

	ck_assert_int_eq(user_set_role(tdb.app.db, pool, u.email, ROLE_NURSE),
	    ERR_OK);
	/* A role change ends the session (SPEC 7.27). */
	ck_assert_int_eq(principal(NOW + 1, &role), ERR_NOTFOUND);
}
END_TEST

START_TEST(test_deactivation_ends)
{
	enum role	 role;

	ck_assert_int_eq(user_set_active(tdb.app.db, pool, u.email, 0),
	    ERR_OK);
	ck_assert_int_eq(principal(NOW + 1, &role), ERR_NOTFOUND);
}
END_TEST

START_TEST(test_logout_ends_one)
{
	char		 sid2[UUID_STRLEN + 1], jti2[UUID_STRLEN + 1];
	enum role	 role;

	ck_assert_int_eq(session_open(tdb.app.db, u.id, NOW, NOW + DAY_MS,
	    sid2, jti2), ERR_OK);
	ck_assert_int_eq(session_end(tdb.app.db, sid, SESSION_LOGOUT, NOW),
	    ERR_OK);
	ck_assert_int_eq(principal(NOW + 1, &role), ERR_NOTFOUND);
	ck_assert_int_eq(session_principal(tdb.app.db, sid2, u.id, NOW + 1,
	    &role), ERR_OK);
	ck_assert_int_eq(session_end_user(tdb.app.db, u.id,
	    SESSION_PASSWORD_RESET, NOW), ERR_OK);
	ck_assert_int_eq(session_principal(tdb.app.db, sid2, u.id, NOW + 1,
	    &role), ERR_NOTFOUND);
}
END_TEST

static const char	 j2[] = "01900000-0000-7000-8000-000000000002";
static const char	 j3[] = "01900000-0000-7000-8000-000000000003";

START_TEST(test_rotate)
{
	enum role	 role;

	ck_assert_int_eq(session_rotate(tdb.app.db, sid, u.id, jti, j2,
	    NOW + 1000, NOW + 2 * DAY_MS), ERR_OK);
	/* The session was extended. */
	ck_assert_int_eq(principal(NOW + DAY_MS, &role), ERR_OK);
	ck_assert_int_eq(session_rotate(tdb.app.db, sid, u.id, j2, j3,
	    NOW + 2000, NOW + 2 * DAY_MS), ERR_OK);
}
END_TEST

START_TEST(test_reuse_ends_session)
{
	enum role	 role;

	ck_assert_int_eq(session_rotate(tdb.app.db, sid, u.id, jti, j2,
	    NOW + 1000, NOW + DAY_MS), ERR_OK);
	/* The rotated token again, however soon: reuse. */
	ck_assert_int_eq(session_rotate(tdb.app.db, sid, u.id, jti, j3,
	    NOW + 1001, NOW + DAY_MS), ERR_DENIED);
	ck_assert_int_eq(principal(NOW + 2000, &role), ERR_NOTFOUND);
	/* Even the newest token is dead now. */
	ck_assert_int_eq(session_rotate(tdb.app.db, sid, u.id, j2, j3,
	    NOW + 3000, NOW + DAY_MS), ERR_NOTFOUND);
}
END_TEST

START_TEST(test_older_token_is_reuse)
{

	ck_assert_int_eq(session_rotate(tdb.app.db, sid, u.id, jti, j2,
	    NOW + 1000, NOW + DAY_MS), ERR_OK);
	ck_assert_int_eq(session_rotate(tdb.app.db, sid, u.id, j2, j3,
	    NOW + 2000, NOW + DAY_MS), ERR_OK);
	/* Two rotations back is never a race. */
	ck_assert_int_eq(session_rotate(tdb.app.db, sid, u.id, jti,
	    "01900000-0000-7000-8000-000000000009", NOW + 2500, NOW + DAY_MS),
	    ERR_DENIED);
}
END_TEST

START_TEST(test_throttle_window)
{
	long	 retry;
	int	 i;
	int64_t	 window = tdb.conf.signin_failure_window * 1000;

	for (i = 0; i < tdb.conf.signin_failures_per_account; i++) {
		ck_assert_int_eq(throttle_check(tdb.app.db, &tdb.conf,
		    "a@b.test", "10.0.0.1", NOW + i, &retry), ERR_OK);
		ck_assert_int_eq(throttle_fail(tdb.app.db, &tdb.conf,
		    "A@B.test", "10.0.0.1", NOW + i), ERR_OK);
	}
	ck_assert_int_eq(throttle_check(tdb.app.db, &tdb.conf, "a@b.test",
	    "10.0.0.2", NOW + 1000, &retry), ERR_DENIED);
	ck_assert_int_ge(retry, 1);
	ck_assert_int_le(retry, tdb.conf.signin_failure_window);
	/* Another account from the same address is not blocked yet. */
	ck_assert_int_eq(throttle_check(tdb.app.db, &tdb.conf, "c@d.test",
	    "10.0.0.1", NOW + 1000, &retry), ERR_OK);
	/* The window runs out: never locked out for good. */
	ck_assert_int_eq(throttle_check(tdb.app.db, &tdb.conf, "a@b.test",
	    "10.0.0.1", NOW + window + 1, &retry), ERR_OK);
}
END_TEST

START_TEST(test_throttle_address)
{
	long	 retry;
	int	 i;
	char	 email[32];

	for (i = 0; i < tdb.conf.signin_failures_per_address; i++) {
		snprintf(email, sizeof(email), "u%d@b.test", i);
		ck_assert_int_eq(throttle_fail(tdb.app.db, &tdb.conf, email,
		    "10.9.9.9", NOW + i), ERR_OK);
	}
	ck_assert_int_eq(throttle_check(tdb.app.db, &tdb.conf, "new@b.test",
	    "10.9.9.9", NOW + 100, &retry), ERR_DENIED);
	ck_assert_int_eq(throttle_check(tdb.app.db, &tdb.conf, "new@b.test",
	    "10.9.9.8", NOW + 100, &retry), ERR_OK);
}
END_TEST

static Suite *
session_suite(void)
{
	Suite	*s = suite_create("session");
	TCase	*tc = tcase_create("session");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_alive);
	tcase_add_test(tc, test_role_read_now);
	tcase_add_test(tc, test_deactivation_ends);
	tcase_add_test(tc, test_logout_ends_one);
	tcase_add_test(tc, test_rotate);
	tcase_add_test(tc, test_reuse_ends_session);
	tcase_add_test(tc, test_older_token_is_reuse);
	tcase_add_test(tc, test_throttle_window);
	tcase_add_test(tc, test_throttle_address);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(session_suite());
}
