/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "json.h"
#include "testutil.h"

static struct buf	 out;
static struct json	 j;

static void
setup(void)
{

	buf_init(&out);
	json_init(&j, &out);
}

static void
teardown(void)
{

	buf_clear(&out);
}

/* The writer is error-free and has produced exactly "want". */
static void
expect(const char *want)
{

	ck_assert_int_eq(json_err(&j), ERR_OK);
	ck_assert_int_eq(j.depth, 0);
	ck_assert_str_eq(buf_str(&out), want);
}

START_TEST(test_empty)
{

	json_obj_open(&j, NULL);
	json_obj_close(&j);
	expect("{}");
	buf_reset(&out);
	json_init(&j, &out);
	json_arr_open(&j, NULL);
	json_arr_close(&j);
	expect("[]");
}
END_TEST

START_TEST(test_scalars)
{

	json_int(&j, NULL, 42);
	expect("42");
}
END_TEST

START_TEST(test_object)
{

	json_obj_open(&j, NULL);
	json_str(&j, "id", "0189");
	json_int(&j, "bpm", 72);
	json_bool(&j, "stale", 0);
	json_bool(&j, "ok", 7);
	json_null(&j, "notes");
	json_str(&j, "email", NULL);
	json_strn(&j, "mrn", "abcdef", 3);
	json_strn(&j, "n", NULL, 5);
	json_obj_close(&j);
	expect("{\"id\":\"0189\",\"bpm\":72,\"stale\":false,\"ok\":true,"
	    "\"notes\":null,\"email\":null,\"mrn\":\"abc\",\"n\":null}");
}
END_TEST

START_TEST(test_nesting)
{

	json_obj_open(&j, NULL);
	json_int(&j, "count", 2);
	json_null(&j, "next");
	json_arr_open(&j, "results");
	json_obj_open(&j, NULL);
	json_int(&j, "a", 1);
	json_obj_open(&j, "patient");
	json_str(&j, "id", "x");
	json_obj_close(&j);
	json_obj_close(&j);
	json_obj_open(&j, NULL);
	json_obj_close(&j);
	json_arr_open(&j, NULL);
	json_arr_close(&j);
	json_arr_open(&j, NULL);
	json_int(&j, NULL, 1);
	json_int(&j, NULL, 2);
	json_arr_close(&j);
	json_arr_close(&j);
	json_obj_open(&j, "empty");
	json_obj_close(&j);
	json_obj_close(&j);
	expect("{\"count\":2,\"next\":null,\"results\":[{\"a\":1,"
	    "\"patient\":{\"id\":\"x\"}},{},[],[1,2]],\"empty\":{}}");
}
END_TEST

START_TEST(test_ints)
{

	json_arr_open(&j, NULL);
	json_int(&j, NULL, 0);
	json_int(&j, NULL, -1);
	json_int(&j, NULL, INT64_MAX);
	json_int(&j, NULL, INT64_MIN);
	json_arr_close(&j);
	expect("[0,-1,9223372036854775807,-9223372036854775808]");
}
END_TEST

struct	esc {
	const char	*in;
	size_t		 n;
	const char	*want;
};

#define	E(s, w)	{ (s), sizeof(s) - 1, (w) }

static const struct esc escs[] = {
	E("", ""),
	E("plain text", "plain text"),
	E("\"", "\\\""),
	E("\\", "\\\\"),
	E("a\"b\\c", "a\\\"b\\\\c"),
	E("\"\\\"\\", "\\\"\\\\\\\"\\\\"),
	E("/", "/"),
	E("</script>", "</script>"),
	E("\b\f\n\r\t", "\\b\\f\\n\\r\\t"),
	E("\x01", "\\u0001"),
	E("\x1f", "\\u001f"),
	E("\x1b[31m", "\\u001b[31m"),
	E("\x7f", "\\u007f"),
	E("\0", "\\u0000"),
	E("a\0b", "a\\u0000b"),
	E("\xc3\xa9", "\xc3\xa9"),
	E("\xe2\x82\xac", "\xe2\x82\xac"),
	E("\xf0\x9d\x84\x9e", "\xf0\x9d\x84\x9e"),
	E("\xe2\x80\xa8\xe2\x80\xa9", "\\u2028\\u2029"),
	E("\xef\xbf\xbd", "\xef\xbf\xbd"),
	E("\xff", "\xef\xbf\xbd"),
	E("\x80", "\xef\xbf\xbd"),
	E("\xc3", "\xef\xbf\xbd"),			/* truncated */
	E("a\xc3", "a\xef\xbf\xbd"),
	E("\xc3(", "\xef\xbf\xbd("),
	E("\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd"),
	E("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"),	/* overlong */
	E("\xed\xa0\x80",				/* surrogate */
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
	E("\xf4\x90\x80\x80",				/* > U+10FFFF */
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
	E("ok\xff\"\n", "ok\xef\xbf\xbd\\\"\\n"),
};

START_TEST(test_escape)
{
	const struct esc	*t = &escs[_i];
	struct buf		 b;

	buf_init(&b);
	ck_assert_int_eq(json_escape(&b, t->in, t->n), ERR_OK);
	ck_assert_str_eq(buf_str(&b), t->want);
	ck_assert_uint_eq(b.len, strlen(t->want));
	buf_clear(&b);
}
END_TEST

/* The same through json_strn(), quoted, as a value and as a key. */
START_TEST(test_escape_strn)
{
	const struct esc	*t = &escs[_i];
	struct buf		 want;

	json_obj_open(&j, NULL);
	json_strn(&j, "k", t->in, t->n);
	json_obj_close(&j);
	buf_init(&want);
	ck_assert_int_eq(buf_printf(&want, "{\"k\":\"%s\"}", t->want),
	    ERR_OK);
	expect(buf_str(&want));
	buf_clear(&want);
}
END_TEST

START_TEST(test_escape_key)
{

	json_obj_open(&j, NULL);
	json_int(&j, "a\"b\n", 1);
	json_obj_close(&j);
	expect("{\"a\\\"b\\n\":1}");
}
END_TEST

/*
 * Every string of one or two bytes, escaped, is valid JSON that cJSON
 * reads back; when the input was well-formed UTF-8 without NUL it
 * reads back unchanged.
 */
START_TEST(test_escape_parses)
{
	unsigned char	 in[2];
	struct buf	 b;
	cJSON		*v;
	int		 c;

	for (c = 0; c < 256; c++) {
		in[0] = (unsigned char)_i;
		in[1] = (unsigned char)c;
		buf_init(&b);
		json_init(&j, &b);
		json_strn(&j, NULL, (const char *)in, 2);
		ck_assert_int_eq(json_err(&j), ERR_OK);
		v = cJSON_ParseWithLength(b.p, b.len);
		ck_assert_ptr_nonnull(v);
		ck_assert(cJSON_IsString(v));
		if (_i > 0 && _i < 0x80 && c > 0 && c < 0x80)
			ck_assert_mem_eq(v->valuestring, in, 2);
		cJSON_Delete(v);
		buf_clear(&b);
	}
}
END_TEST

/*
 * json_strn() copies plain bytes itself and hands json_escape() the
 * rest: for every byte, between plain ones and at either end, as key
 * and as value, it writes what json_escape() does, quoted.
 */
START_TEST(test_escape_same)
{
	static const char *const fmts[] = { "ab?cd", "?cd", "ab?" };
	char		 s[8];
	struct buf	 want, esc;
	size_t		 f, n;
	int		 c;

	for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
		for (c = 0; c < 256; c++) {
			n = strlen(fmts[f]);
			memcpy(s, fmts[f], n + 1);
			s[strcspn(s, "?")] = (char)c;
			buf_init(&esc);
			buf_init(&want);
			ck_assert_int_eq(json_escape(&esc, s, n), ERR_OK);
			/* As a value. */
			ck_assert_int_eq(buf_printf(&want, "{\"k\":\"%s\"}",
			    buf_str(&esc)), ERR_OK);
			buf_reset(&out);
			json_init(&j, &out);
			json_obj_open(&j, NULL);
			json_strn(&j, "k", s, n);
			json_obj_close(&j);
			ck_assert_int_eq(json_err(&j), ERR_OK);
			ck_assert_uint_eq(out.len, want.len);
			ck_assert_mem_eq(out.p, want.p, want.len);
			/* As a key, a C string. */
			if (c != 0) {
				buf_reset(&want);
				ck_assert_int_eq(buf_printf(&want,
				    "{\"%s\":1}", buf_str(&esc)), ERR_OK);
				buf_reset(&out);
				json_init(&j, &out);
				json_obj_open(&j, NULL);
				json_int(&j, s, 1);
				json_obj_close(&j);
				ck_assert_str_eq(buf_str(&out), buf_str(&want));
			}
			buf_clear(&esc);
			buf_clear(&want);
		}
}
END_TEST

/* JSON_DEPTH_MAX containers may nest; one more is ERR_TOOBIG. */
START_TEST(test_depth_max)
{
	int	 i;

	for (i = 0; i < JSON_DEPTH_MAX; i++)
		json_arr_open(&j, NULL);
	json_int(&j, NULL, 1);
	for (i = 0; i < JSON_DEPTH_MAX; i++)
		json_arr_close(&j);
	ck_assert_int_eq(json_err(&j), ERR_OK);
	ck_assert_uint_eq(out.len, 2 * JSON_DEPTH_MAX + 1);
}
END_TEST

START_TEST(test_depth_over)
{
	int	 i;

	for (i = 0; i < JSON_DEPTH_MAX; i++)
		json_obj_open(&j, i == 0 ? NULL : "k");
	ck_assert_int_eq(json_err(&j), ERR_OK);
	json_obj_open(&j, "k");
	ck_assert_int_eq(json_err(&j), ERR_TOOBIG);
	/* Sticky: later calls write nothing and keep the first error. */
	json_obj_close(&j);
	json_obj_close(&j);
	json_str(&j, "k", "v");
	ck_assert_int_eq(json_err(&j), ERR_TOOBIG);
	ck_assert_int_eq(j.depth, JSON_DEPTH_MAX);
	for (i = 0; i < 1000; i++)
		json_arr_open(&j, NULL);
	ck_assert_int_eq(json_err(&j), ERR_TOOBIG);
	ck_assert_uint_eq(out.len, strlen(buf_str(&out)));
	ck_assert_ptr_null(strstr(buf_str(&out), "\"v\""));
}
END_TEST

/* Keys where none belong, none where one is needed, bad closes. */
START_TEST(test_misuse_key_in_array)
{

	json_arr_open(&j, NULL);
	json_int(&j, "k", 1);
	ck_assert_int_eq(json_err(&j), ERR_INVAL);
}
END_TEST

START_TEST(test_misuse_no_key)
{

	json_obj_open(&j, NULL);
	json_int(&j, NULL, 1);
	ck_assert_int_eq(json_err(&j), ERR_INVAL);
}
END_TEST

START_TEST(test_misuse_key_at_top)
{

	json_obj_open(&j, "k");
	ck_assert_int_eq(json_err(&j), ERR_INVAL);
	ck_assert_uint_eq(out.len, 0);
}
END_TEST

START_TEST(test_misuse_close)
{

	json_obj_close(&j);
	ck_assert_int_eq(json_err(&j), ERR_INVAL);
	json_init(&j, &out);
	json_arr_open(&j, NULL);
	json_obj_close(&j);
	ck_assert_int_eq(json_err(&j), ERR_INVAL);
	json_init(&j, &out);
	json_obj_open(&j, NULL);
	json_arr_close(&j);
	ck_assert_int_eq(json_err(&j), ERR_INVAL);
}
END_TEST

/* A long string with every kind of byte goes out as valid JSON. */
START_TEST(test_long)
{
	char	 s[4096];
	cJSON	*v;
	size_t	 i;

	for (i = 0; i < sizeof(s); i++)
		s[i] = (char)(i * 7);
	json_arr_open(&j, NULL);
	json_strn(&j, NULL, s, sizeof(s));
	json_str(&j, NULL, "tail");
	json_arr_close(&j);
	ck_assert_int_eq(json_err(&j), ERR_OK);
	ck_assert_ptr_nonnull(v = cJSON_ParseWithLength(out.p, out.len));
	ck_assert_int_eq(cJSON_GetArraySize(v), 2);
	ck_assert_str_eq(cJSON_GetArrayItem(v, 1)->valuestring, "tail");
	cJSON_Delete(v);
}
END_TEST

#define	NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static Suite *
json_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("json");

	tc = tcase_create("write");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_scalars);
	tcase_add_test(tc, test_object);
	tcase_add_test(tc, test_nesting);
	tcase_add_test(tc, test_ints);
	tcase_add_test(tc, test_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("escape");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_escape, 0, NELEM(escs));
	tcase_add_loop_test(tc, test_escape_strn, 0, NELEM(escs));
	tcase_add_test(tc, test_escape_key);
	tcase_add_loop_test(tc, test_escape_parses, 0, 256);
	tcase_add_test(tc, test_escape_same);
	suite_add_tcase(s, tc);

	tc = tcase_create("depth");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_depth_max);
	tcase_add_test(tc, test_depth_over);
	suite_add_tcase(s, tc);

	tc = tcase_create("misuse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_misuse_key_in_array);
	tcase_add_test(tc, test_misuse_no_key);
	tcase_add_test(tc, test_misuse_key_at_top);
	tcase_add_test(tc, test_misuse_close);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(json_suite());
}
