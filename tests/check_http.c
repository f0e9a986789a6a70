/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "pool.h"
#include "route.h"
#include "testutil.h"

static struct testdb	 tdb;
static struct pool	*pool;
static struct req	 r;
static struct resp	 w;

/* A handler for the test table: echoes the capture and the body. */
static enum err
echo(struct app *app, struct req *rq, struct resp *wr)
{
	const cJSON	*name;

	(void)app;
	wr->status = 200;
	wr->content_type = "text/plain";
	buf_printf(&wr->body, "%zu:%s", rq->paramsz,
	    rq->paramsz > 0 ? rq->params[0] : "-");
	if (rq->json != NULL &&
	    (name = cJSON_GetObjectItemCaseSensitive(rq->json, "name")) != NULL &&
	    cJSON_IsString(name))
		buf_printf(&wr->body, ":%s", name->valuestring);
	return ERR_OK;
}

static int	 counted;	/* calls of count() */

static enum err
count(struct app *app, struct req *rq, struct resp *wr)
{

	(void)app; (void)rq;
	counted++;
	wr->status = 201;
	return ERR_OK;
}

static enum err
fails(struct app *app, struct req *rq, struct resp *wr)
{

	(void)app; (void)rq; (void)wr;
	return ERR_BUSY;
}

static const struct route table[] = {
	{ METHOD_GET, "/api/things/", echo, ROLES_PUBLIC, 0, NULL, NULL },
	{ METHOD_POST, "/api/things/", echo, ROLES_PUBLIC, ROUTE_BODY, NULL,
	  NULL },
	{ METHOD_GET, "/api/things/:id/", echo, ROLE_BIT(ROLE_NURSE), 0, NULL,
	  NULL },
	{ METHOD_DELETE, "/api/things/:id/", echo, ROLE_BIT(ROLE_ADMIN), 0,
	  NULL, NULL },
	{ METHOD_GET, "/api/busy/", fails, ROLES_PUBLIC, 0, NULL, NULL },
	{ METHOD_POST, "/api/count/", count, ROLES_PUBLIC, ROUTE_BODY, NULL,
	  NULL },
	{ METHOD_GET, "/api/secret/:token/", echo, ROLES_PUBLIC, ROUTE_SECRET,
	  NULL, NULL },
};
#define	TABLESZ	(sizeof(table) / sizeof(table[0]))

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

static void
run(enum method m, const char *uri)
{

	req_fake(&r, pool, m, uri);
	http_handle_table(&tdb.app, table, TABLESZ, &r, &w);
}

static int
has_header(const char *line)
{

	return strstr(buf_str(&w.headers), line) != NULL;
}

static int
body_has(const char *s)
{

	return strstr(buf_str(&w.body), s) != NULL;
}

START_TEST(test_health)
{

	req_fake(&r, pool, METHOD_GET, "/api/health/");
	http_handle(&tdb.app, &r, &w);
	ck_assert_int_eq(w.status, 200);
	ck_assert_str_eq(w.content_type, "application/json");
	ck_assert(body_has("\"status\":\"ok\""));
	ck_assert(body_has("\"database\":\"ok\""));
	ck_assert(body_has("\"version\":\"" PACKAGE_VERSION "\""));
	ck_assert(has_header("Cache-Control: no-store\r\n"));
	ck_assert(has_header("X-Request-Id: 0123-abcd\r\n"));
}
END_TEST

START_TEST(test_head_has_no_body)
{

	req_fake(&r, pool, METHOD_HEAD, "/api/health/");
	http_handle(&tdb.app, &r, &w);
	ck_assert_int_eq(w.status, 200);
	ck_assert_uint_eq(w.body.len, 0);
}
END_TEST

START_TEST(test_unknown_route)
{

	run(METHOD_GET, "/api/nothing/");
	ck_assert_int_eq(w.status, 404);
	ck_assert_str_eq(w.content_type, "application/problem+json");
	ck_assert(body_has("\"code\":\"not_found\""));
	ck_assert(body_has("\"status\":404"));
}
END_TEST

START_TEST(test_missing_slash_names_route)
{

	run(METHOD_POST, "/api/things");
	ck_assert_int_eq(w.status, 404);
	ck_assert(body_has("/api/things/"));
	run(METHOD_GET, "/api/things/abc");
	ck_assert_int_eq(w.status, 404);
	ck_assert(body_has("/api/things/abc/"));
}
END_TEST

START_TEST(test_method_not_allowed)
{

	run(METHOD_PUT, "/api/things/");
	ck_assert_int_eq(w.status, 405);
	ck_assert(has_header("Allow: GET, HEAD, POST\r\n"));
	ck_assert(body_has("\"code\":\"method_not_allowed\""));
	run(METHOD__MAX, "/api/things/");
	ck_assert_int_eq(w.status, 405);
}
END_TEST

START_TEST(test_capture)
{
	struct principal	 nurse = { "u1", "s1", ROLE_NURSE, 0 };

	req_fake(&r, pool, METHOD_GET, "/api/things/0190-ab/");
	r.who = &nurse;
	http_handle_table(&tdb.app, table, TABLESZ, &r, &w);
	ck_assert_int_eq(w.status, 200);
	ck_assert_str_eq(buf_str(&w.body), "1:0190-ab");
}
END_TEST

START_TEST(test_roles)
{
	struct principal	 doctor = { "u2", "s2", ROLE_DOCTOR, 0 };

	run(METHOD_GET, "/api/things/x/");
	ck_assert_int_eq(w.status, 401);
	ck_assert(body_has("\"code\":\"not_authenticated\""));
	resp_reset(&w);
	req_fake(&r, pool, METHOD_GET, "/api/things/x/");
	r.who = &doctor;
	http_handle_table(&tdb.app, table, TABLESZ, &r, &w);
	ck_assert_int_eq(w.status, 403);
	ck_assert(body_has("\"code\":\"permission_denied\""));
}
END_TEST

START_TEST(test_bad_percent_in_path)
{
	static const char *const bad[] = { "/api/things%zz/", "/api/%00/",
	    "/api/things/%/", "/api/%ff%fe/", "/api/\x01/" };
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		resp_reset(&w);
		run(METHOD_GET, bad[i]);
		ck_assert_msg(w.status == 400, "%s: %d", bad[i], w.status);
		ck_assert(body_has("\"code\":\"invalid\""));
	}
}
END_TEST

START_TEST(test_bad_query)
{
	static const char *const bad[] = { "/api/things/?a=%zz",
	    "/api/things/?a=%", "/api/things/?a=%00", "/api/things/?%ff=1" };
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		resp_reset(&w);
		run(METHOD_GET, bad[i]);
		ck_assert_msg(w.status == 400, "%s: %d", bad[i], w.status);
	}
	resp_reset(&w);
	run(METHOD_GET, "/api/things/?unknown=1&x=%41");
	ck_assert_int_eq(w.status, 200);
}
END_TEST

START_TEST(test_too_many_params)
{
	struct buf	 uri;
	int		 i;

	buf_init(&uri);
	buf_puts(&uri, "/api/things/?");
	for (i = 0; i < QUERY_PARAMS_MAX + 1; i++)
		buf_printf(&uri, "k%d=v&", i);
	run(METHOD_GET, uri.p);
	ck_assert_int_eq(w.status, 400);
	buf_clear(&uri);
}
END_TEST

START_TEST(test_long_path)
{
	char	 path[PATH_MAX_LEN + 20];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	run(METHOD_GET, path);
	ck_assert_int_eq(w.status, 404);
}
END_TEST

START_TEST(test_body_reaches_handler)
{

	req_fake(&r, pool, METHOD_POST, "/api/things/");
	r.hdrs[HDR_CONTENT_TYPE] = "application/json";
	r.body = "{\"name\":\"x\"}";
	r.bodysz = strlen(r.body);
	http_handle_table(&tdb.app, table, TABLESZ, &r, &w);
	ck_assert_int_eq(w.status, 200);
	ck_assert_str_eq(buf_str(&w.body), "0:-:x");
	ck_assert_ptr_null(r.json);	/* freed by http_handle */
}
END_TEST

START_TEST(test_body_errors)
{

	req_fake(&r, pool, METHOD_POST, "/api/things/");
	r.body = "{}";
	r.bodysz = 2;
	http_handle_table(&tdb.app, table, TABLESZ, &r, &w);
	ck_assert_int_eq(w.status, 415);
	resp_reset(&w);
	req_fake(&r, pool, METHOD_POST, "/api/things/");
	r.body_too_large = 1;
	http_handle_table(&tdb.app, table, TABLESZ, &r, &w);
	ck_assert_int_eq(w.status, 413);
	ck_assert(body_has("\"code\":\"payload_too_large\""));
}
END_TEST

START_TEST(test_post_without_body)
{

	run(METHOD_POST, "/api/things/");
	ck_assert_int_eq(w.status, 200);	/* SPEC 7.1: no 415 */
}
END_TEST

START_TEST(test_busy_is_503)
{

	run(METHOD_GET, "/api/busy/");
	ck_assert_int_eq(w.status, 503);
	ck_assert(has_header("Retry-After: 1\r\n"));
	ck_assert(body_has("\"code\":\"unavailable\""));
}
END_TEST

/* A request whose client left while it queued is logged, not run. */
START_TEST(test_gone_is_not_handled)
{

	counted = 0;
	req_fake(&r, pool, METHOD_POST, "/api/count/");
	r.hdrs[HDR_CONTENT_TYPE] = "application/json";
	r.body = "{}";
	r.bodysz = 2;
	r.gone = 1;
	http_handle_table(&tdb.app, table, TABLESZ, &r, &w);
	ck_assert_int_eq(counted, 0);
	ck_assert_int_eq(w.status, 499);
	ck_assert_uint_eq(w.body.len, 0);
	ck_assert_str_eq(r.log_path, "/api/count/");
	/* The same request, still wanted, runs. */
	resp_reset(&w);
	r.gone = 0;
	http_handle_table(&tdb.app, table, TABLESZ, &r, &w);
	ck_assert_int_eq(counted, 1);
	ck_assert_int_eq(w.status, 201);
}
END_TEST

START_TEST(test_request_id)
{
	static const char *const bad[] = { "", "x\r\nSet-Cookie: a=b",
	    "not hex at all", ("0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0") };
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		resp_reset(&w);
		req_fake(&r, pool, METHOD_GET, "/api/things/");
		r.request_id = bad[i];
		http_handle_table(&tdb.app, table, TABLESZ, &r, &w);
		ck_assert_ptr_nonnull(r.request_id);
		ck_assert_str_ne(r.request_id, bad[i]);
		ck_assert_uint_eq(strlen(r.request_id), 36);
		ck_assert(strstr(buf_str(&w.headers), r.request_id) != NULL);
	}
}
END_TEST

START_TEST(test_secret_paths_not_logged)
{
	static const char *const paths[] = { "/api/secret/tok123/",
	    "/api/secret/tok123", "/api/secret/tok123/more/" };

	run(METHOD_GET, paths[_i]);
	ck_assert_str_eq(r.log_path, "/api/secret/-/");
	resp_reset(&w);
	run(METHOD_GET, "/api/things/");
	ck_assert_str_eq(r.log_path, "/api/things/");
}
END_TEST

START_TEST(test_resp_header_refuses_crlf)
{

	ck_assert_int_eq(resp_header(&w, "X-A", "b\r\nSet-Cookie: c"),
	    ERR_INVAL);
	ck_assert_int_eq(resp_header(&w, "X-A\n", "b"), ERR_INVAL);
	ck_assert_int_eq(resp_header(&w, "X-A", "b"), ERR_OK);
	ck_assert_str_eq(buf_str(&w.headers), "X-A: b\r\n");
}
END_TEST

START_TEST(test_methods_and_roles)
{

	ck_assert_int_eq(http_method("PATCH"), METHOD_PATCH);
	ck_assert_int_eq(http_method("patch"), METHOD__MAX);
	ck_assert_int_eq(http_method(NULL), METHOD__MAX);
	ck_assert_int_eq(http_role("nurse"), ROLE_NURSE);
	ck_assert_int_eq(http_role("root"), ROLE__MAX);
	ck_assert_str_eq(http_reason(413), "Content Too Large");
}
END_TEST

static Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc;

	tc = tcase_create("dispatch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_health);
	tcase_add_test(tc, test_head_has_no_body);
	tcase_add_test(tc, test_unknown_route);
	tcase_add_test(tc, test_missing_slash_names_route);
	tcase_add_test(tc, test_method_not_allowed);
	tcase_add_test(tc, test_capture);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_bad_percent_in_path);
	tcase_add_test(tc, test_bad_query);
	tcase_add_test(tc, test_too_many_params);
	tcase_add_test(tc, test_long_path);
	tcase_add_test(tc, test_body_reaches_handler);
	tcase_add_test(tc, test_body_errors);
	tcase_add_test(tc, test_post_without_body);
	tcase_add_test(tc, test_busy_is_503);
	tcase_add_test(tc, test_gone_is_not_handled);
	tcase_add_test(tc, test_request_id);
	tcase_add_loop_test(tc, test_secret_paths_not_logged, 0, 3);
	tcase_add_test(tc, test_resp_header_refuses_crlf);
	tcase_add_test(tc, test_methods_and_roles);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(http_suite());
}
