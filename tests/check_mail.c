/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "mail.h"
#include "testutil.h"

#define	ID	"0192f0a4-7b7c-7def-8a00-0123456789ab"
#define	BOUNDARY "=_hm_" ID

static struct buf	 out;

static void
setup(void)
{

	buf_init(&out);
}

static void
teardown(void)
{

	buf_clear(&out);
}

static void
mail_fake(struct mail *m)
{

	memset(m, 0, sizeof(*m));
	m->id = ID;
	m->from = "heartmonitor@hospital.test";
	m->to = "ada@hospital.test";
	m->subject = "Activate your Heart Monitor account";
	m->text = "Hello Ada,\n\nopen https://hm.test/a/b/\n";
	m->html = "<p>Hello Ada,</p>\n";
	m->date = 1795685400;	/* 2026-11-26T09:30:00Z */
}

/* The header section: everything before the first empty line. */
static char *
headers(const char *msg)
{
	const char	*end = strstr(msg, "\r\n\r\n");

	ck_assert_ptr_nonnull(end);
	return strndup(msg, (size_t)(end - msg) + 2);
}

/* Every line ends in CRLF, and no line is longer than "max" bytes. */
static void
assert_lines(const char *s, size_t max)
{
	const char	*p, *nl;

	for (p = s; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		ck_assert_msg(nl != NULL, "last line has no line end");
		ck_assert_msg(nl > p && nl[-1] == '\r', "bare LF");
		ck_assert_msg(memchr(p, '\r', (size_t)(nl - p - 1)) == NULL,
		    "bare CR");
		ck_assert_msg((size_t)(nl - 1 - p) <= max, "line of %zu bytes",
		    (size_t)(nl - 1 - p));
	}
}

static int
hexval(char c)
{

	return c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10;
}

/* Decodes quoted-printable "s" up to "end" (CRLF back to LF). */
static char *
qp_decode(const char *s, const char *end)
{
	char	*d = malloc((size_t)(end - s) + 1), *o = d;

	ck_assert_ptr_nonnull(d);
	while (s < end) {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n')
			s += 3;
		else if (s[0] == '=') {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else if (s[0] == '\r' && s[1] == '\n') {
			*o++ = '\n';
			s += 2;
		} else
			*o++ = *s++;
	}
	*o = '\0';
	return d;
}

/* The decoded body of the part after the "n"th (0, 1) boundary. */
static char *
part_body(const char *msg, int n, char **head)
{
	const char	*p = msg, *body, *end;

	while (n-- >= 0) {
		p = strstr(p, "\r\n--" BOUNDARY "\r\n");
		ck_assert_ptr_nonnull(p);
		p += strlen("\r\n--" BOUNDARY "\r\n");
	}
	body = strstr(p, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	*head = strndup(p, (size_t)(body - p) + 2);
	body += 4;
	end = strstr(body, "\r\n--" BOUNDARY);
	ck_assert_ptr_nonnull(end);
	return qp_decode(body, end);
}

START_TEST(test_crlf_everywhere)
{
	struct mail	 m;

	mail_fake(&m);
	m.text = "one\ntwo\r\nthree\n\nfour";
	ck_assert_int_eq(mail_build(&m, &out), ERR_OK);
	assert_lines(buf_str(&out), 998);
}
END_TEST

START_TEST(test_headers_present)
{
	struct mail	 m;
	char		*h;

	mail_fake(&m);
	ck_assert_int_eq(mail_build(&m, &out), ERR_OK);
	h = headers(buf_str(&out));
	ck_assert_ptr_nonnull(strstr(h,
	    "Date: Thu, 26 Nov 2026 09:30:00 +0000\r\n"));
	ck_assert_ptr_nonnull(strstr(h,
	    "From: heartmonitor@hospital.test\r\n"));
	ck_assert_ptr_nonnull(strstr(h, "To: ada@hospital.test\r\n"));
	ck_assert_ptr_nonnull(strstr(h,
	    "Subject: Activate your Heart Monitor account\r\n"));
	ck_assert_ptr_nonnull(strstr(h,
	    "Message-ID: <" ID "@hospital.test>\r\n"));
	ck_assert_ptr_nonnull(strstr(h, "MIME-Version: 1.0\r\n"));
	ck_assert_ptr_nonnull(strstr(h, "Content-Type: multipart/alternative;"
	    "\r\n boundary=\"" BOUNDARY "\"\r\n"));
	ck_assert_int_eq(strncmp(h, "Date: ", 6), 0);
	free(h);
}
END_TEST

START_TEST(test_date_epoch)
{
	struct mail	 m;

	mail_fake(&m);
	m.date = 0;
	ck_assert_int_eq(mail_build(&m, &out), ERR_OK);
	ck_assert_ptr_nonnull(strstr(buf_str(&out),
	    "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
}
END_TEST

/* Values that would add a header, another recipient or a part. */
static const struct {
	const char	*to;
	const char	*subject;
} injections[] = {
	{ "ada@hospital.test\r\nBcc: eve@evil.test", NULL },
	{ "ada@hospital.test\nBcc: eve@evil.test", NULL },
	{ "ada@hospital.test\rBcc: eve@evil.test", NULL },
	{ "ada@hospital.test, eve@evil.test", NULL },
	{ "Ada <ada@hospital.test>", NULL },
	{ "ada@hospital.test>,<eve@evil.test", NULL },
	{ "ada@hospital.test;eve@evil.test", NULL },
	{ "ada@hospital.test\t", NULL },
	{ "no-at-sign", NULL },
	{ "@hospital.test", NULL },
	{ "ada@", NULL },
	{ "a@b@c", NULL },
	{ NULL, "Hello\r\nBcc: eve@evil.test" },
	{ NULL, "Hello\nBcc: eve@evil.test" },
	{ NULL, "Hello\rBcc: eve@evil.test" },
	{ NULL, "Hello\tthere" },
	{ NULL, "Hello\x7f" },
	{ NULL, "bad \xff utf-8" },
};

START_TEST(test_injection_refused)
{
	struct mail	 m;

	mail_fake(&m);
	if (injections[_i].to != NULL)
		m.to = injections[_i].to;
	if (injections[_i].subject != NULL)
		m.subject = injections[_i].subject;
	buf_puts(&out, "untouched");
	ck_assert_int_eq(mail_build(&m, &out), ERR_INVAL);
	ck_assert_str_eq(buf_str(&out), "untouched");
	if (injections[_i].to != NULL)
		ck_assert_int_eq(mail_addr_ok(injections[_i].to), 0);
	else
		ck_assert_int_eq(mail_header_ok(injections[_i].subject), 0);
}
END_TEST

START_TEST(test_names_checked)
{

	ck_assert_int_eq(mail_header_ok("Ada"), 1);
	ck_assert_int_eq(mail_header_ok("Zoë Ångström-Łukasz"), 1);
	ck_assert_int_eq(mail_header_ok(""), 1);
	ck_assert_int_eq(mail_header_ok("Ada\r\nBcc: eve@evil.test"), 0);
	ck_assert_int_eq(mail_header_ok("Ada\n"), 0);
	ck_assert_int_eq(mail_header_ok("Ada\r"), 0);
	ck_assert_int_eq(mail_header_ok(NULL), 0);
	ck_assert_int_eq(mail_addr_ok("ada.lovelace+hm@ward-7.hospital.test"),
	    1);
}
END_TEST

START_TEST(test_bad_id_and_body_refused)
{
	struct mail	 m;

	mail_fake(&m);
	m.id = "x>\r\nBcc: eve@evil.test";
	ck_assert_int_eq(mail_build(&m, &out), ERR_INVAL);
	mail_fake(&m);
	m.text = "bad \xc3\x28 utf-8";
	ck_assert_int_eq(mail_build(&m, &out), ERR_INVAL);
	mail_fake(&m);
	m.from = "Heart Monitor <hm@hospital.test>";
	ck_assert_int_eq(mail_build(&m, &out), ERR_INVAL);
	ck_assert_uint_eq(out.len, 0);
}
END_TEST

START_TEST(test_html_escape)
{

	ck_assert_int_eq(mail_html_escape(&out,
	    "<script>\"Tom\" & 'Jerry'</script>"), ERR_OK);
	ck_assert_str_eq(buf_str(&out), "&lt;script&gt;&quot;Tom&quot; &amp; "
	    "&#39;Jerry&#39;&lt;/script&gt;");
}
END_TEST

START_TEST(test_long_lines_encoded)
{
	struct mail	 m;
	char		*text, *html, *got, *head;

	text = malloc(5002);
	html = malloc(3002);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(html);
	memset(text, 'a', 5000);
	memcpy(text + 100, "= é .x \t", 9);
	text[5000] = '\n';
	text[5001] = '\0';
	memset(html, 'b', 3000);
	html[3000] = '\n';
	html[3001] = '\0';
	mail_fake(&m);
	m.text = text;
	m.html = html;
	ck_assert_int_eq(mail_build(&m, &out), ERR_OK);
	assert_lines(buf_str(&out), 76);
	got = part_body(buf_str(&out), 0, &head);
	ck_assert_str_eq(got, text);
	free(got);
	free(head);
	got = part_body(buf_str(&out), 1, &head);
	ck_assert_str_eq(got, html);
	free(got);
	free(head);
	free(text);
	free(html);
}
END_TEST

START_TEST(test_multipart_structure)
{
	struct mail	 m;
	const char	*s, *p;
	char		*body, *head;
	int		 opens = 0;

	mail_fake(&m);
	ck_assert_int_eq(mail_build(&m, &out), ERR_OK);
	s = buf_str(&out);
	for (p = s; (p = strstr(p, "\r\n--" BOUNDARY "\r\n")) != NULL; p++)
		opens++;
	ck_assert_int_eq(opens, 2);
	p = strstr(s, "\r\n--" BOUNDARY "--\r\n");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "\r\n--" BOUNDARY "--\r\n");
	body = part_body(s, 0, &head);
	ck_assert_str_eq(head, "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n");
	ck_assert_str_eq(body, m.text);
	free(body);
	free(head);
	body = part_body(s, 1, &head);
	ck_assert_str_eq(head, "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n");
	ck_assert_str_eq(body, m.html);
	free(body);
	free(head);
}
END_TEST

/* A body can never produce its own boundary line. */
START_TEST(test_boundary_in_body)
{
	struct mail	 m;
	const char	*p;
	int		 n = 0;

	mail_fake(&m);
	m.text = "--" BOUNDARY "--\n--" BOUNDARY "\n";
	ck_assert_int_eq(mail_build(&m, &out), ERR_OK);
	for (p = buf_str(&out); (p = strstr(p, "\n--" BOUNDARY)) != NULL; p++)
		n++;
	ck_assert_int_eq(n, 3);
}
END_TEST

static const struct {
	const char	*in;
	const char	*out;
} qps[] = {
	{ "plain", "plain\r\n" },
	{ "a=b", "a=3Db\r\n" },
	{ "caf\xc3\xa9", "caf=C3=A9\r\n" },
	{ "trailing \nspace", "trailing=20\r\nspace\r\n" },
	{ "tab\t", "tab=09\r\n" },
	{ ".dot\n.x", "=2Edot\r\n=2Ex\r\n" },
	{ "a.b", "a.b\r\n" },
	{ "lone\rcr", "lone=0Dcr\r\n" },
	{ "crlf\r\n", "crlf\r\n" },
	{ "", "\r\n" },
};

START_TEST(test_qp)
{

	ck_assert_int_eq(mail_qp_encode(&out, qps[_i].in), ERR_OK);
	ck_assert_str_eq(buf_str(&out), qps[_i].out);
}
END_TEST

/* Decodes the encoded words of a Subject header back to UTF-8. */
static char *
subject_decode(const char *h)
{
	unsigned char	 dec[128];
	char		*d = calloc(1, 2048), *p, *q, *s = strdup(h);
	size_t		 len;
	int		 n;

	ck_assert_ptr_nonnull(d);
	for (p = s; (p = strstr(p, "=?UTF-8?B?")) != NULL; p = q + 2) {
		p += 10;
		q = strstr(p, "?=");
		ck_assert_ptr_nonnull(q);
		*q = '\0';
		len = strlen(p);
		n = EVP_DecodeBlock(dec, (unsigned char *)p, (int)len);
		ck_assert_int_ge(n, 0);
		/* EVP_DecodeBlock() counts the padding as bytes. */
		if (len >= 1 && p[len - 1] == '=')
			n--;
		if (len >= 2 && p[len - 2] == '=')
			n--;
		strncat(d, (char *)dec, (size_t)n);
	}
	free(s);
	return d;
}

START_TEST(test_subject_encoded)
{
	static const char	 subj[] = "Réinitialisez votre mot de passe "
	    "Heart Monitor — ça expire bientôt, très bientôt, vraiment";
	struct mail		 m;
	char			*h, *line, *got;

	mail_fake(&m);
	m.subject = subj;
	ck_assert_int_eq(mail_build(&m, &out), ERR_OK);
	h = headers(buf_str(&out));
	line = strstr(h, "Subject: =?UTF-8?B?");
	ck_assert_ptr_nonnull(line);
	assert_lines(h, 78);
	got = subject_decode(line);
	ck_assert_str_eq(got, subj);
	free(got);
	free(h);
}
END_TEST

static Suite *
mail_suite(void)
{
	Suite	*s = suite_create("mail");
	TCase	*tc;

	tc = tcase_create("lines");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_crlf_everywhere);
	tcase_add_test(tc, test_long_lines_encoded);
	tcase_add_loop_test(tc, test_qp, 0, sizeof(qps) / sizeof(qps[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("headers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_headers_present);
	tcase_add_test(tc, test_date_epoch);
	tcase_add_test(tc, test_subject_encoded);
	suite_add_tcase(s, tc);

	tc = tcase_create("injection");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_injection_refused, 0,
	    sizeof(injections) / sizeof(injections[0]));
	tcase_add_test(tc, test_names_checked);
	tcase_add_test(tc, test_bad_id_and_body_refused);
	tcase_add_test(tc, test_html_escape);
	suite_add_tcase(s, tc);

	tc = tcase_create("multipart");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_multipart_structure);
	tcase_add_test(tc, test_boundary_in_body);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(mail_suite());
}
