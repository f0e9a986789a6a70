/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "jwt.h"
#include "pool.h"
#include "rfc3339.h"
#include "session.h"
#include "testutil.h"
#include "user.h"

static struct testdb	 tdb;
static struct pool	*pool;
static struct req	 r;
static struct resp	 w;
static struct user	 u;
static char		 sid[UUID_STRLEN + 1], jti[UUID_STRLEN + 1];
static struct buf	 token, cookie;

#define	CSRF	"abcdefghijklmnopqrstuvwxyzABCDEF"

static void
setup(void)
{
	struct jwt_claims	 c;
	int64_t			 now = time_now_ms();

	testdb_open(&tdb);
	ck_assert_ptr_nonnull(pool = pool_new());
	resp_init(&w);
	buf_init(&token);
	buf_init(&cookie);
	memset(&u, 0, sizeof(u));
	u.email = "nurse@ward.test";
	u.password = "x";
	u.first_name = "Ann";
	u.last_name = "Lee";
	u.role = ROLE_NURSE;
	u.is_active = 1;
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(user_insert(tdb.app.db, pool, &u), ERR_OK);
	ck_assert_int_eq(session_open(tdb.app.db, u.id, now, now + 3600000,
	    sid, jti), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	memset(&c, 0, sizeof(c));
	c.type = JWT_ACCESS;
	snprintf(c.user_id, sizeof(c.user_id), "%s", u.id);
	snprintf(c.sid, sizeof(c.sid), "%s", sid);
	ck_assert_int_eq(uuid_v7(now, c.jti), ERR_OK);
	c.iat = now / 1000;
	c.exp = c.iat + 900;
	ck_assert_int_eq(jwt_encode(&tdb.app.jwt, &c, &token), ERR_OK);
	buf_printf(&cookie, "csrftoken=" CSRF "; access=%s", token.p);
}

static void
teardown(void)
{

	buf_clear(&token);
	buf_clear(&cookie);
	resp_clear(&w);
	pool_free(pool);
	testdb_close(&tdb);
}

static void
run(void)
{

	resp_reset(&w);
	http_handle(&tdb.app, &r, &w);
}

static void
prepare(enum method m, const char *uri)
{

	req_fake(&r, pool, m, uri);
}

static int
body_has(const char *s)
{

	return strstr(buf_str(&w.body), s) != NULL;
}

START_TEST(test_profile_by_cookie)
{

	prepare(METHOD_GET, "/api/auth/profile/");
	r.hdrs[HDR_COOKIE] = cookie.p;
	run();
	ck_assert_int_eq(w.status, 200);
	ck_assert(body_has("\"email\":\"nurse@ward.test\""));
	ck_assert(body_has("\"user_role\":\"nurse\""));
	ck_assert(!body_has("password"));
	ck_assert_str_eq(r.who->user_id, u.id);
}
END_TEST

START_TEST(test_profile_by_bearer)
{
	char	 hdr[JWT_MAX + 16];

	prepare(METHOD_GET, "/api/auth/profile/");
	snprintf(hdr, sizeof(hdr), "Bearer %s", token.p);
	r.hdrs[HDR_AUTHORIZATION] = hdr;
	run();
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(r.who->by_cookie, 0);
}
END_TEST

START_TEST(test_no_credentials)
{
	static const char *const auth[] = { NULL, "Basic dXNlcjpwYXNz",
	    "Token abc", "Bearerx abc" };

	prepare(METHOD_GET, "/api/auth/profile/");
	r.hdrs[HDR_AUTHORIZATION] = auth[_i];
	run();
	ck_assert_int_eq(w.status, 401);
	ck_assert(body_has("\"code\":\"not_authenticated\""));
}
END_TEST

START_TEST(test_invalid_token)
{
	static const char *const auth[] = { "Bearer", "Bearer ",
	    "Bearer abc.def.ghi", "Bearer eyJhbGciOiJub25lIn0.e30." };

	prepare(METHOD_GET, "/api/auth/profile/");
	r.hdrs[HDR_AUTHORIZATION] = auth[_i];
	run();
	ck_assert_int_eq(w.status, 401);
	ck_assert(body_has("\"code\":\"invalid_token\""));
}
END_TEST

START_TEST(test_ended_session)
{

	ck_assert_int_eq(session_end(tdb.app.db, sid, SESSION_LOGOUT,
	    time_now_ms()), ERR_OK);
	prepare(METHOD_GET, "/api/auth/profile/");
	r.hdrs[HDR_COOKIE] = cookie.p;
	run();
	ck_assert_int_eq(w.status, 401);
	ck_assert(body_has("\"code\":\"invalid_token\""));
}
END_TEST

START_TEST(test_csrf_needed_with_cookie)
{

	prepare(METHOD_POST, "/api/auth/logout/");
	r.hdrs[HDR_COOKIE] = cookie.p;
	run();
	ck_assert_int_eq(w.status, 403);
	ck_assert(body_has("\"code\":\"csrf_failed\""));
	prepare(METHOD_POST, "/api/auth/logout/");
	r.hdrs[HDR_COOKIE] = cookie.p;
	r.hdrs[HDR_X_CSRFTOKEN] = "abcdefghijklmnopqrstuvwxyzABCDEG";
	run();
	ck_assert_int_eq(w.status, 403);
	prepare(METHOD_POST, "/api/auth/logout/");
	r.hdrs[HDR_COOKIE] = cookie.p;
	r.hdrs[HDR_X_CSRFTOKEN] = CSRF;
	run();
	ck_assert_int_eq(w.status, 200);
	ck_assert(strstr(buf_str(&w.headers), "Set-Cookie: access=; Max-Age=0")
	    != NULL);
	/* Logged out: the same cookie is refused at once. */
	prepare(METHOD_GET, "/api/auth/profile/");
	r.hdrs[HDR_COOKIE] = cookie.p;
	run();
	ck_assert_int_eq(w.status, 401);
}
END_TEST

START_TEST(test_bearer_needs_no_csrf)
{
	char	 hdr[JWT_MAX + 16];

	prepare(METHOD_POST, "/api/auth/logout/");
	snprintf(hdr, sizeof(hdr), "Bearer %s", token.p);
	r.hdrs[HDR_AUTHORIZATION] = hdr;
	run();
	ck_assert_int_eq(w.status, 200);
}
END_TEST

START_TEST(test_foreign_origin)
{
	static const char *const origins[] = { "https://evil.test", "null",
	    "https://hm.test.evil.test", "http://hm.test", "https://hm.tes",
	    "" };

	prepare(METHOD_POST, "/api/auth/signin/");
	r.hdrs[HDR_ORIGIN] = origins[_i];
	run();
	ck_assert_int_eq(w.status, 403);
	ck_assert(body_has("\"code\":\"csrf_failed\""));
}
END_TEST

START_TEST(test_origin_ok)
{

	ck_assert(auth_origin_ok(&tdb.conf, NULL));
	ck_assert(auth_origin_ok(&tdb.conf, "https://hm.test"));
	ck_assert(!auth_origin_ok(&tdb.conf, "https://hm.test/"));
	ck_assert(!auth_origin_ok(&tdb.conf, "null"));
}
END_TEST

START_TEST(test_csrf_format)
{
	static const struct {
		const char	*hdr, *cookie;
		int		 ok;
	} cases[] = {
		{ CSRF, "csrftoken=" CSRF, 1 },
		{ NULL, "csrftoken=" CSRF, 0 },
		{ CSRF, NULL, 0 },
		{ CSRF, "csrftoken=", 0 },
		{ "", "csrftoken=", 0 },
		{ CSRF "x", "csrftoken=" CSRF "x", 0 },
		{ "abcdefghijklmnopqrstuvwxyzABCD-_", "csrftoken="
		  "abcdefghijklmnopqrstuvwxyzABCD-_", 0 },
	};

	prepare(METHOD_POST, "/");
	r.hdrs[HDR_X_CSRFTOKEN] = cases[_i].hdr;
	r.hdrs[HDR_COOKIE] = cases[_i].cookie;
	ck_assert_int_eq(auth_csrf_ok(&r), cases[_i].ok);
}
END_TEST

START_TEST(test_csrf_new)
{
	char	 a[CSRF_LEN + 1], b[CSRF_LEN + 1];

	ck_assert_int_eq(auth_csrf_new(a), ERR_OK);
	ck_assert_int_eq(auth_csrf_new(b), ERR_OK);
	ck_assert_uint_eq(strlen(a), CSRF_LEN);
	ck_assert_uint_eq(strspn(a, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), CSRF_LEN);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_cookies)
{
	const char	*h;

	ck_assert_int_eq(auth_set_cookies(&w, &tdb.conf, "A", "R", CSRF),
	    ERR_OK);
	h = buf_str(&w.headers);
	ck_assert(strstr(h, "Set-Cookie: access=A; Max-Age=900; Path=/; "
	    "HttpOnly; SameSite=Lax; Secure\r\n") != NULL);
	ck_assert(strstr(h, "Set-Cookie: refresh=R; Max-Age=86400; "
	    "Path=/api/auth/; HttpOnly; SameSite=Strict; Secure\r\n") != NULL);
	ck_assert(strstr(h, "Set-Cookie: csrftoken=" CSRF "; Max-Age=86400; "
	    "Path=/; SameSite=Lax; Secure\r\n") != NULL);
	resp_reset(&w);
	tdb.conf.cookie_secure = 0;
	ck_assert_int_eq(auth_clear_cookies(&w, &tdb.conf), ERR_OK);
	h = buf_str(&w.headers);
	ck_assert(strstr(h, "Secure") == NULL);
	ck_assert(strstr(h, "csrftoken=; Max-Age=0;") != NULL);
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite	*s = suite_create("auth");
	TCase	*tc = tcase_create("auth");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_profile_by_cookie);
	tcase_add_test(tc, test_profile_by_bearer);
	tcase_add_loop_test(tc, test_no_credentials, 0, 4);
	tcase_add_loop_test(tc, test_invalid_token, 0, 4);
	tcase_add_test(tc, test_ended_session);
	tcase_add_test(tc, test_csrf_needed_with_cookie);
	tcase_add_test(tc, test_bearer_needs_no_csrf);
	tcase_add_loop_test(tc, test_foreign_origin, 0, 6);
	tcase_add_test(tc, test_origin_ok);
	tcase_add_loop_test(tc, test_csrf_format, 0, 7);
	tcase_add_test(tc, test_csrf_new);
	tcase_add_test(tc, test_cookies);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(auth_suite());
}
