/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "pool.h"
#include "route.h"
#include "testutil.h"

static const struct route table[] = {
	{ METHOD_GET, "/api/a/", NULL, ROLES_PUBLIC, 0, NULL, NULL },
	{ METHOD_GET, "/api/a/:id/", NULL, ROLES_PUBLIC, 0, NULL, NULL },
	{ METHOD_PATCH, "/api/a/:id/", NULL, ROLES_PUBLIC, 0, NULL, NULL },
	{ METHOD_POST, "/api/a/:id/b/:bid/", NULL, ROLES_PUBLIC, 0, NULL,
	  NULL },
};
#define	TABLESZ	(sizeof(table) / sizeof(table[0]))

static struct pool	*pool;
static struct req	 r;
static struct buf	 allow;

static void
setup(void)
{

	ck_assert_ptr_nonnull(pool = pool_new());
	req_fake(&r, pool, METHOD_GET, "/");
	buf_init(&allow);
}

static void
teardown(void)
{

	buf_clear(&allow);
	pool_free(pool);
}

static enum route_match
find(const char *path, enum method m, const struct route **rt)
{

	buf_reset(&allow);
	return route_find(table, TABLESZ, &r, path, m, rt, &allow);
}

START_TEST(test_literal_and_capture)
{
	const struct route	*rt;

	ck_assert_int_eq(find("/api/a/", METHOD_GET, &rt), ROUTE_FOUND);
	ck_assert_ptr_eq(rt, &table[0]);
	ck_assert_uint_eq(r.paramsz, 0);
	ck_assert_int_eq(find("/api/a/42/", METHOD_PATCH, &rt), ROUTE_FOUND);
	ck_assert_ptr_eq(rt, &table[2]);
	ck_assert_uint_eq(r.paramsz, 1);
	ck_assert_str_eq(r.params[0], "42");
	ck_assert_int_eq(find("/api/a/x/b/y/", METHOD_POST, &rt), ROUTE_FOUND);
	ck_assert_uint_eq(r.paramsz, 2);
	ck_assert_str_eq(r.params[0], "x");
	ck_assert_str_eq(r.params[1], "y");
}
END_TEST

START_TEST(test_head_is_get)
{
	const struct route	*rt;

	ck_assert_int_eq(find("/api/a/1/", METHOD_HEAD, &rt), ROUTE_FOUND);
	ck_assert_ptr_eq(rt, &table[1]);
}
END_TEST

START_TEST(test_no_match)
{
	static const char *const paths[] = { "", "/", "/api/", "/api/a//",
	    "/api/a/1/2/", "/api/ab/", "/api/a/1/b//", "/API/a/", "api/a/",
	    "/api/a/1/b/2/c/" };
	const struct route	*rt;

	ck_assert_int_eq(find(paths[_i], METHOD_GET, &rt), ROUTE_NO_PATH);
	ck_assert_ptr_null(rt);
}
END_TEST

START_TEST(test_no_slash)
{
	const struct route	*rt;

	ck_assert_int_eq(find("/api/a", METHOD_GET, &rt), ROUTE_NO_SLASH);
	ck_assert_int_eq(find("/api/a/7", METHOD_DELETE, &rt), ROUTE_NO_SLASH);
	ck_assert_int_eq(find("/api/zz", METHOD_GET, &rt), ROUTE_NO_PATH);
}
END_TEST

START_TEST(test_allow)
{
	const struct route	*rt;

	ck_assert_int_eq(find("/api/a/1/", METHOD_DELETE, &rt),
	    ROUTE_NO_METHOD);
	ck_assert_str_eq(buf_str(&allow), "GET, HEAD, PATCH");
	ck_assert_int_eq(find("/api/a/1/b/2/", METHOD_GET, &rt),
	    ROUTE_NO_METHOD);
	ck_assert_str_eq(buf_str(&allow), "POST");
}
END_TEST

static Suite *
route_suite(void)
{
	Suite	*s = suite_create("route");
	TCase	*tc = tcase_create("find");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_literal_and_capture);
	tcase_add_test(tc, test_head_is_get);
	tcase_add_loop_test(tc, test_no_match, 0, 10);
	tcase_add_test(tc, test_no_slash);
	tcase_add_test(tc, test_allow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(route_suite());
}
