/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "json.h"
#include "page.h"
#include "pool.h"
#include "testutil.h"

/*
 * Page-number pagination (lib/page.h): the parameters, the 404s of DRF,
 * and the next and previous links.  No database is needed.
 */

static struct pool	*pool;
static struct req	 r;
static struct resp	 w;
static struct conf	 conf;
static struct page	 pg;

static void
setup(void)
{

	ck_assert_ptr_nonnull(pool = pool_new());
	resp_init(&w);
	memset(&conf, 0, sizeof(conf));
	conf.public_url = (char *)"https://hm.test";
}

static void
teardown(void)
{

	resp_clear(&w);
	pool_free(pool);
}

/* A GET of "path" with the query string "q" (NULL for none), parsed. */
static void
fake(const char *path, const char *q)
{

	resp_reset(&w);
	req_fake(&r, pool, METHOD_GET, path);
	r.path = path;
	ck_assert_int_eq(query_parse(pool, q, &r.query, NULL), ERR_OK);
}

static int
body_has(const char *s)
{

	return strstr(buf_str(&w.body), s) != NULL;
}

/* Parses "q" and starts and ends a page of "count" rows. */
static int
page_of(const char *q, long count)
{
	struct json	 j;

	fake("/api/patients/", q);
	ck_assert(page_parse(&r, &w, &pg));
	if (!page_begin(&r, &w, &conf, &pg, count, &j))
		return 0;
	ck_assert_int_eq(page_end(&w, &j), ERR_OK);
	ck_assert_int_eq(w.status, 200);
	ck_assert_str_eq(w.content_type, "application/json");
	return 1;
}

START_TEST(test_defaults)
{

	fake("/api/patients/", NULL);
	ck_assert(page_parse(&r, &w, &pg));
	ck_assert_int_eq(pg.number, 1);
	ck_assert_int_eq(pg.size, PAGE_SIZE_DEFAULT);
	ck_assert_int_eq(pg.offset, 0);
	fake("/api/patients/", "page=3&page_size=10");
	ck_assert(page_parse(&r, &w, &pg));
	ck_assert_int_eq(pg.number, 3);
	ck_assert_int_eq(pg.size, 10);
	ck_assert_int_eq(pg.offset, 20);
	/* The last value counts, as Django's QueryDict.get(). */
	fake("/api/patients/", "page=1&page=2");
	ck_assert(page_parse(&r, &w, &pg));
	ck_assert_int_eq(pg.number, 2);
}
END_TEST

START_TEST(test_size_clamped)
{
	static const char *const big[] = { "page_size=101",
	    "page_size=1000", "page_size=99999999999999999999999999" };
	size_t	 i;

	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		fake("/api/patients/", big[i]);
		ck_assert(page_parse(&r, &w, &pg));
		ck_assert_int_eq(pg.size, PAGE_SIZE_MAX);
	}
	fake("/api/patients/", "page_size=100");
	ck_assert(page_parse(&r, &w, &pg));
	ck_assert_int_eq(pg.size, 100);
	fake("/api/patients/", "page_size=1");
	ck_assert(page_parse(&r, &w, &pg));
	ck_assert_int_eq(pg.size, 1);
}
END_TEST

static const char *const bad_pages[] = { "page=0", "page=-1", "page=last",
    "page=1.5", "page=", "page=%2B1", "page=%201", "page=1e3", "page=0x1",
    "page=00", "page=10000000", "page=99999999999999999999999999" };

START_TEST(test_bad_page)
{

	fake("/api/patients/", bad_pages[_i]);
	ck_assert_msg(!page_parse(&r, &w, &pg), "%s", bad_pages[_i]);
	ck_assert_int_eq(w.status, 404);
	ck_assert_str_eq(w.content_type, "application/problem+json");
	ck_assert(body_has("\"code\":\"not_found\""));
}
END_TEST

static const char *const bad_sizes[] = { "page_size=0", "page_size=-5",
    "page_size=abc", "page_size=", "page_size=1.5", "page_size=%2B5",
    "page=2&page_size=x" };

START_TEST(test_bad_size)
{

	fake("/api/patients/", bad_sizes[_i]);
	ck_assert_msg(!page_parse(&r, &w, &pg), "%s", bad_sizes[_i]);
	ck_assert_int_eq(w.status, 400);
	ck_assert(body_has("\"code\":\"invalid\""));
	ck_assert(body_has("\"errors\":{\"page_size\":["));
}
END_TEST

START_TEST(test_empty_list)
{

	ck_assert(page_of(NULL, 0));
	ck_assert_str_eq(buf_str(&w.body), "{\"count\":0,\"next\":null,"
	    "\"previous\":null,\"results\":[]}");
	/* Any page but the first of an empty list is past the end. */
	ck_assert(!page_of("page=2", 0));
	ck_assert_int_eq(w.status, 404);
}
END_TEST

START_TEST(test_links)
{

	ck_assert(page_of(NULL, 45));
	ck_assert_str_eq(buf_str(&w.body), "{\"count\":45,\"next\":"
	    "\"https://hm.test/api/patients/?page=2\",\"previous\":null,"
	    "\"results\":[]}");
	ck_assert(page_of("page=2", 45));
	ck_assert(body_has("\"next\":\"https://hm.test/api/patients/"
	    "?page=3\""));
	/* As DRF, the link to the first page carries no page. */
	ck_assert(body_has("\"previous\":\"https://hm.test/api/patients/\""));
	ck_assert(page_of("page=3", 45));
	ck_assert(body_has("\"next\":null"));
	ck_assert(body_has("\"previous\":\"https://hm.test/api/patients/"
	    "?page=2\""));
	ck_assert(!page_of("page=4", 45));
	ck_assert_int_eq(w.status, 404);
	/* Exactly full pages: no next after the last. */
	ck_assert(page_of("page=2", 40));
	ck_assert(body_has("\"next\":null"));
	ck_assert(!page_of("page=3", 40));
}
END_TEST

START_TEST(test_links_keep_query)
{

	/* Other parameters keep their place; page stays where it was. */
	ck_assert(page_of("search=a+b&page=2&city=X%26Y&page_size=5", 100));
	ck_assert(body_has("\"next\":\"https://hm.test/api/patients/"
	    "?search=a%20b&page=3&city=X%26Y&page_size=5\""));
	ck_assert(body_has("\"previous\":\"https://hm.test/api/patients/"
	    "?search=a%20b&city=X%26Y&page_size=5\""));
	/* A page absent is added at the end; repeated pages become one. */
	ck_assert(page_of("city=K%C3%B6ln", 100));
	ck_assert(body_has("\"next\":\"https://hm.test/api/patients/"
	    "?city=K%C3%B6ln&page=2\""));
	ck_assert(page_of("page=9&x=1&page=2", 100));
	ck_assert(body_has("\"next\":\"https://hm.test/api/patients/"
	    "?page=3&x=1\""));
	ck_assert(body_has("\"previous\":\"https://hm.test/api/patients/"
	    "?x=1\""));
	/* Nothing a client sent reaches the link unencoded. */
	ck_assert(page_of("q=%22%3Cb%3E%5C", 100));
	ck_assert(body_has("\"next\":\"https://hm.test/api/patients/"
	    "?q=%22%3Cb%3E%5C&page=2\""));
}
END_TEST

static Suite *
page_suite(void)
{
	Suite	*s = suite_create("page");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_size_clamped);
	tcase_add_loop_test(tc, test_bad_page, 0,
	    sizeof(bad_pages) / sizeof(bad_pages[0]));
	tcase_add_loop_test(tc, test_bad_size, 0,
	    sizeof(bad_sizes) / sizeof(bad_sizes[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("links");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_empty_list);
	tcase_add_test(tc, test_links);
	tcase_add_test(tc, test_links_keep_query);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(page_suite());
}
