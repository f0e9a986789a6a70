/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "body.h"
#include "pool.h"
#include "testutil.h"

static struct pool	*pool;
static struct req	 r;
static struct resp	 w;

static void
setup(void)
{

	ck_assert_ptr_nonnull(pool = pool_new());
	resp_init(&w);
}

static void
teardown(void)
{

	body_free(&r);
	resp_clear(&w);
	pool_free(pool);
}

/* Parses "n" bytes of "s" sent as "ct"; returns what body_parse did. */
static int
parse(const char *ct, const char *s, size_t n)
{
	char	*copy;

	req_fake(&r, pool, METHOD_POST, "/");
	r.hdrs[HDR_CONTENT_TYPE] = ct;
	copy = pool_alloc(pool, n + 1);
	memcpy(copy, s, n);
	copy[n] = '\0';
	r.body = copy;
	r.bodysz = n;
	resp_reset(&w);
	return body_parse(&r, &w);
}

#define	PARSE(ct, s)	parse((ct), (s), sizeof(s) - 1)

START_TEST(test_ok)
{

	ck_assert_int_eq(PARSE("application/json", "{\"a\":[1,2,{\"b\":null}]}"),
	    1);
	ck_assert_ptr_nonnull(r.json);
	ck_assert(cJSON_IsArray(cJSON_GetObjectItem(r.json, "a")));
}
END_TEST

START_TEST(test_no_body)
{

	req_fake(&r, pool, METHOD_POST, "/");
	ck_assert_int_eq(body_parse(&r, &w), 1);
	ck_assert_ptr_null(r.json);
}
END_TEST

START_TEST(test_content_types)
{
	static const struct {
		const char	*ct;
		int		 ok;
	} cts[] = {
		{ "application/json", 1 },
		{ "application/json; charset=utf-8", 1 },
		{ "Application/JSON", 1 },
		{ "application/json ;charset=utf-8", 1 },
		{ NULL, 0 },
		{ "", 0 },
		{ "text/plain", 0 },
		{ "application/jsonx", 0 },
		{ "application/json-patch+json", 0 },
		{ "application/x-www-form-urlencoded", 0 },
	};

	ck_assert_int_eq(PARSE(cts[_i].ct, "{}"), cts[_i].ok);
	if (!cts[_i].ok) {
		ck_assert_int_eq(w.status, 415);
		ck_assert(strstr(buf_str(&w.body),
		    "\"code\":\"unsupported_media_type\"") != NULL);
	}
}
END_TEST

START_TEST(test_too_large)
{

	req_fake(&r, pool, METHOD_POST, "/");
	r.body_too_large = 1;
	ck_assert_int_eq(body_parse(&r, &w), 0);
	ck_assert_int_eq(w.status, 413);
}
END_TEST

START_TEST(test_malformed)
{
	/* cJSON accepts a leading BOM and "01"; both harmless, not here. */
	static const char *const bad[] = { "{", "}", "{\"a\":}", "[1,]",
	    "{\"a\":1} x", "{'a':1}", "nul", "{\"a\":1,}", "\"\\u12\"",
	    "[1 2]", "{\"a\" 1}", " ", "[\"\\x\"]" };

	ck_assert_int_eq(parse("application/json", bad[_i],
	    strlen(bad[_i])), 0);
	ck_assert_int_eq(w.status, 400);
	ck_assert(strstr(buf_str(&w.body), "JSON parse error") != NULL);
	ck_assert_ptr_null(r.json);
}
END_TEST

START_TEST(test_nul_and_utf8)
{

	ck_assert_int_eq(PARSE("application/json", "{\"a\":\"x\0y\"}"), 0);
	ck_assert_int_eq(w.status, 400);
	ck_assert(strstr(buf_str(&w.body), "NUL") != NULL);
	ck_assert_int_eq(PARSE("application/json", "{\"a\":\"\xc0\xaf\"}"), 0);
	ck_assert(strstr(buf_str(&w.body), "UTF-8") != NULL);
	ck_assert_int_eq(PARSE("application/json", "{\"a\":\"\xed\xa0\x80\"}"),
	    0);
	ck_assert_int_eq(PARSE("application/json", "{\"a\":\"\xc3\xa9\"}"), 1);
}
END_TEST

START_TEST(test_nul_escape)
{

	/* The NUL arrives as a control character the validators refuse. */
	ck_assert_int_eq(PARSE("application/json", "{\"a\":\"Lo\\u0000ve\"}"),
	    1);
	ck_assert_str_eq(cJSON_GetObjectItem(r.json, "a")->valuestring,
	    "Lo\001ve");
	body_free(&r);
	/* A backslash, then the text u0000: left alone. */
	ck_assert_int_eq(PARSE("application/json",
	    "{\"a\":\"x\\\\u0000\"}"), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(r.json, "a")->valuestring,
	    "x\\u0000");
}
END_TEST

START_TEST(test_duplicate_keys)
{

	ck_assert_int_eq(PARSE("application/json", "{\"a\":1,\"a\":2}"), 0);
	ck_assert(strstr(buf_str(&w.body), "repeated") != NULL);
	ck_assert_int_eq(PARSE("application/json",
	    "[{\"x\":{\"b\":1,\"c\":2,\"b\":3}}]"), 0);
	ck_assert_int_eq(PARSE("application/json",
	    "{\"a\":{\"a\":1},\"b\":[{\"a\":1},{\"a\":2}]}"), 1);
}
END_TEST

START_TEST(test_deep_nesting)
{
	char	*s;
	size_t	 n = 5000, i;

	s = malloc(2 * n + 1);
	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[2 * n - 1 - i] = ']';
	}
	s[2 * n] = '\0';
	ck_assert_int_eq(parse("application/json", s, 2 * n), 0);
	ck_assert_int_eq(w.status, 400);
	free(s);
}
END_TEST

START_TEST(test_many_keys)
{
	struct buf	 b;
	int		 i;

	buf_init(&b);
	buf_putc(&b, '{');
	for (i = 0; i < 50000; i++)
		buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
	buf_printf(&b, ",\"k%d\":0}", 49999);
	ck_assert_int_eq(parse("application/json", b.p, b.len), 0);
	ck_assert(strstr(buf_str(&w.body), "repeated") != NULL);
	buf_clear(&b);
}
END_TEST

static Suite *
body_suite(void)
{
	Suite	*s = suite_create("body");
	TCase	*tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ok);
	tcase_add_test(tc, test_no_body);
	tcase_add_loop_test(tc, test_content_types, 0, 10);
	tcase_add_test(tc, test_too_large);
	tcase_add_loop_test(tc, test_malformed, 0, 13);
	tcase_add_test(tc, test_nul_and_utf8);
	tcase_add_test(tc, test_nul_escape);
	tcase_add_test(tc, test_duplicate_keys);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_many_keys);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(body_suite());
}
