/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "pool.h"
#include "testutil.h"
#include "jwt.h"
#include "user.h"

/*
 * The account handlers through http_handle(), on a real database:
 * what a browser or script sees, without FastCGI.
 */

static struct testdb	 tdb;
static struct pool	*pool;
static struct req	 r;
static struct resp	 w;

#define	PW	"correct horse battery"

static void
setup(void)
{

	testdb_open(&tdb);
	ck_assert_ptr_nonnull(pool = pool_new());
	resp_init(&w);
}

static void
teardown(void)
{

	resp_clear(&w);
	pool_free(pool);
	testdb_close(&tdb);
}

/* POSTs "json" to "uri" with the headers given (NULL: none). */
static void
post(const char *uri, const char *json, const char *cookie,
    const char *csrf)
{

	resp_reset(&w);
	req_fake(&r, pool, METHOD_POST, uri);
	r.remote_addr = "10.1.2.3";
	if (json != NULL) {
		r.hdrs[HDR_CONTENT_TYPE] = "application/json";
		r.body = json;
		r.bodysz = strlen(json);
	}
	r.hdrs[HDR_COOKIE] = cookie;
	r.hdrs[HDR_X_CSRFTOKEN] = csrf;
	http_handle(&tdb.app, &r, &w);
}

static void
register_nurse(const char *email)
{
	char	 body[512];

	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"" PW
	    "\",\"confirm_password\":\"" PW "\",\"first_name\":\"Ann\","
	    "\"last_name\":\"Lee\",\"user_role\":\"nurse\","
	    "\"phone_number\":\"+4915112345678\"}", email);
	post("/api/auth/register/", body, NULL, NULL);
	ck_assert_int_eq(w.status, 201);
}

/* Copies the value of header "name" into "out". */
static int
header(const char *name, char *out, size_t outsz)
{
	const char	*h = buf_str(&w.headers), *p, *e;
	size_t		 n = strlen(name);

	for (p = h; (p = strstr(p, name)) != NULL; p += n)
		if ((p == h || p[-1] == '\n') && p[n] == ':' && p[n + 1] == ' ') {
			p += n + 2;
			e = strstr(p, "\r\n");
			snprintf(out, outsz, "%.*s", (int)(e - p), p);
			return 1;
		}
	return 0;
}

/* Copies cookie "name" of the answer's Set-Cookie lines into "out". */
static int
set_cookie(const char *name, char *out, size_t outsz)
{
	char		 pat[32];
	const char	*p, *e;

	snprintf(pat, sizeof(pat), "Set-Cookie: %s=", name);
	if ((p = strstr(buf_str(&w.headers), pat)) == NULL)
		return 0;
	p += strlen(pat);
	e = strchr(p, ';');
	snprintf(out, outsz, "%.*s", (int)(e - p), p);
	return 1;
}

START_TEST(test_register_queues_mail)
{

	register_nurse("ann@ward.test");
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM users WHERE "
	    "email = 'ann@ward.test' AND is_active = 0 AND "
	    "user_role = 'nurse'"), 1);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM outbox WHERE "
	    "recipient = 'ann@ward.test' AND body_text LIKE "
	    "'%https://hm.test/api/auth/activate/%'"), 1);
}
END_TEST

START_TEST(test_register_again_same_answer)
{
	struct buf	 first;

	register_nurse("ann@ward.test");
	buf_init(&first);
	buf_puts(&first, buf_str(&w.body));
	/* Inactive: a fresh activation mail, nothing else changes. */
	register_nurse("ANN@ward.test");
	ck_assert_str_eq(buf_str(&w.body), first.p);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM users"), 1);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM outbox WHERE body_text "
	    "LIKE '%/activate/%'"), 2);
	/* Active: a notice without a link. */
	testdb_exec(&tdb, "UPDATE users SET is_active = 1");
	register_nurse("ann@ward.test");
	ck_assert_str_eq(buf_str(&w.body), first.p);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM outbox"), 3);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM outbox WHERE body_text "
	    "LIKE '%http%'"), 2);
	buf_clear(&first);
}
END_TEST

START_TEST(test_register_refuses_admin)
{

	post("/api/auth/register/", "{\"email\":\"x@ward.test\",\"password\":"
	    "\"" PW "\",\"confirm_password\":\"" PW "\",\"first_name\":\"A\","
	    "\"last_name\":\"B\",\"user_role\":\"admin\",\"phone_number\":"
	    "\"1234567\"}", NULL, NULL);
	ck_assert_int_eq(w.status, 400);
	ck_assert(strstr(buf_str(&w.body), "\"user_role\"") != NULL);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM users"), 0);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM outbox"), 0);
}
END_TEST

START_TEST(test_register_header_injection)
{

	post("/api/auth/register/", "{\"email\":\"x@ward.test\\r\\nBcc: "
	    "all@x.test\",\"password\":\"" PW "\",\"confirm_password\":\"" PW
	    "\",\"first_name\":\"A\\nB\",\"last_name\":\"B\",\"user_role\":"
	    "\"nurse\",\"phone_number\":\"1234567\"}", NULL, NULL);
	ck_assert_int_eq(w.status, 400);
	ck_assert(strstr(buf_str(&w.body), "\"email\"") != NULL);
	ck_assert(strstr(buf_str(&w.body), "\"first_name\"") != NULL);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM outbox"), 0);
}
END_TEST

START_TEST(test_signin_upgrades_hash)
{

	register_nurse("ann@ward.test");
	testdb_exec(&tdb, "UPDATE users SET is_active = 1");
	tdb.conf.password_iterations = 120000;
	post("/api/auth/signin/", "{\"email\":\"ann@ward.test\",\"password\":"
	    "\"" PW "\"}", NULL, NULL);
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM users WHERE password "
	    "LIKE 'pbkdf2_sha256$120000$%' AND last_login IS NOT NULL"), 1);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM sessions"), 1);
}
END_TEST

START_TEST(test_signin_failures)
{

	register_nurse("ann@ward.test");
	post("/api/auth/signin/", "{\"email\":\"ann@ward.test\",\"password\":"
	    "\"" PW "\"}", NULL, NULL);
	ck_assert_int_eq(w.status, 403);
	ck_assert(strstr(buf_str(&w.body), "account_inactive") != NULL);
	post("/api/auth/signin/", "{\"email\":\"ann@ward.test\",\"password\":"
	    "\"wrong password!\"}", NULL, NULL);
	ck_assert_int_eq(w.status, 401);
	ck_assert(strstr(buf_str(&w.body), "invalid_credentials") != NULL);
	post("/api/auth/signin/", "{\"email\":\"nobody@ward.test\","
	    "\"password\":\"wrong password!\"}", NULL, NULL);
	ck_assert_int_eq(w.status, 401);
	post("/api/auth/signin/", "{\"email\":42,\"password\":[]}", NULL,
	    NULL);
	ck_assert_int_eq(w.status, 400);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM signin_failures"), 2);
}
END_TEST

START_TEST(test_throttle_answers_429)
{
	long	 i;
	char	 retry[16];

	register_nurse("ann@ward.test");
	testdb_exec(&tdb, "UPDATE users SET is_active = 1");
	for (i = 0; i < tdb.conf.signin_failures_per_account; i++) {
		post("/api/auth/signin/", "{\"email\":\"ann@ward.test\","
		    "\"password\":\"wrong password!\"}", NULL, NULL);
		ck_assert_int_eq(w.status, 401);
	}
	post("/api/auth/signin/", "{\"email\":\"ann@ward.test\",\"password\":"
	    "\"" PW "\"}", NULL, NULL);
	ck_assert_int_eq(w.status, 429);
	ck_assert(header("Retry-After", retry, sizeof(retry)));
	ck_assert_int_gt(atol(retry), 0);
	ck_assert_int_le(atol(retry), 900);
}
END_TEST

/* Signs in by cookie; fills the cookie header a browser would send. */
static void
signin(char *cookies, size_t sz, char *csrf, size_t csrfsz)
{
	char	 access[JWT_MAX], refresh[JWT_MAX];

	post("/api/auth/signin/", "{\"email\":\"ann@ward.test\",\"password\":"
	    "\"" PW "\"}", NULL, NULL);
	ck_assert_int_eq(w.status, 200);
	ck_assert(set_cookie("access", access, sizeof(access)));
	ck_assert(set_cookie("refresh", refresh, sizeof(refresh)));
	ck_assert(set_cookie("csrftoken", csrf, csrfsz));
	snprintf(cookies, sz, "access=%s; refresh=%s; csrftoken=%s", access,
	    refresh, csrf);
}

START_TEST(test_refresh_rotation_and_reuse)
{
	char	 cookies[3 * JWT_MAX], newer[3 * JWT_MAX], csrf[64];
	char	 access[JWT_MAX], refresh[JWT_MAX];

	register_nurse("ann@ward.test");
	testdb_exec(&tdb, "UPDATE users SET is_active = 1");
	signin(cookies, sizeof(cookies), csrf, sizeof(csrf));
	/* The cookie needs the CSRF header. */
	post("/api/auth/refresh/", NULL, cookies, NULL);
	ck_assert_int_eq(w.status, 403);
	post("/api/auth/refresh/", NULL, cookies, csrf);
	ck_assert_int_eq(w.status, 200);
	ck_assert(set_cookie("access", access, sizeof(access)));
	ck_assert(set_cookie("refresh", refresh, sizeof(refresh)));
	snprintf(newer, sizeof(newer), "access=%s; refresh=%s; csrftoken=%s",
	    access, refresh, csrf);
	/* The old token again is reuse: the whole session ends. */
	post("/api/auth/refresh/", NULL, cookies, csrf);
	ck_assert_int_eq(w.status, 401);
	req_fake(&r, pool, METHOD_GET, "/api/auth/profile/");
	r.hdrs[HDR_COOKIE] = newer;
	resp_reset(&w);
	http_handle(&tdb.app, &r, &w);
	ck_assert_int_eq(w.status, 401);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM sessions WHERE "
	    "end_reason = 'reuse'"), 1);
}
END_TEST

START_TEST(test_refresh_by_body)
{
	char	 body[JWT_MAX + 32];
	char	*p, *e;

	register_nurse("ann@ward.test");
	testdb_exec(&tdb, "UPDATE users SET is_active = 1");
	post("/api/auth/token/", "{\"email\":\"ann@ward.test\",\"password\":"
	    "\"" PW "\"}", NULL, NULL);
	ck_assert_int_eq(w.status, 200);
	ck_assert(strstr(buf_str(&w.headers), "Set-Cookie") == NULL);
	p = strstr(w.body.p, "\"refresh\":\"") + 11;
	e = strchr(p, '"');
	snprintf(body, sizeof(body), "{\"refresh\":\"%.*s\"}", (int)(e - p),
	    p);
	post("/api/auth/refresh/", body, NULL, NULL);
	ck_assert_int_eq(w.status, 200);
	ck_assert(strstr(buf_str(&w.body), "\"refresh\":\"") != NULL);
	ck_assert(strstr(buf_str(&w.headers), "Set-Cookie") == NULL);
	post("/api/auth/refresh/", "{\"refresh\":\"x.y.z\"}", NULL, NULL);
	ck_assert_int_eq(w.status, 401);
	post("/api/auth/refresh/", "{\"refresh\":7}", NULL, NULL);
	ck_assert_int_eq(w.status, 401);
}
END_TEST

static Suite *
account_suite(void)
{
	Suite	*s = suite_create("account");
	TCase	*tc = tcase_create("account");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_register_queues_mail);
	tcase_add_test(tc, test_register_again_same_answer);
	tcase_add_test(tc, test_register_refuses_admin);
	tcase_add_test(tc, test_register_header_injection);
	tcase_add_test(tc, test_signin_upgrades_hash);
	tcase_add_test(tc, test_signin_failures);
	tcase_add_test(tc, test_throttle_answers_429);
	tcase_add_test(tc, test_refresh_rotation_and_reuse);
	tcase_add_test(tc, test_refresh_by_body);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(account_suite());
}
