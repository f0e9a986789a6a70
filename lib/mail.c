/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "mail.h"
#include "utf8.h"

#define	HEADER_MAX	998	/* RFC 5322 section 2.1.1 */
#define	QP_LINE_MAX	76	/* RFC 2045 section 6.7 rule 5 */
#define	SUBJECT_RAW_MAX	64	/* longer: as encoded words */
#define	EW_CHUNK	39	/* bytes an encoded word: 52 in base64 */
#define	ID_MAX		64

int
mail_header_ok(const char *s)
{
	size_t	 i, n;

	if (s == NULL || (n = strlen(s)) > HEADER_MAX || !utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int
mail_addr_ok(const char *s)
{
	const char	*at;
	size_t		 i, n;

	if (s == NULL || (n = strlen(s)) < 3 || n > 254)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 ||
		    (unsigned char)s[i] >= 0x7f ||
		    strchr("()<>[],;:\\\"", s[i]) != NULL)
			return 0;
	if ((at = strchr(s, '@')) == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	return 1;
}

/* The outbox id goes into Message-ID and the boundary: keep it plain. */
static int
id_ok(const char *s)
{
	size_t	 i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* A body: UTF-8 (the parts say charset=utf-8); NUL cannot occur. */
static int
body_ok(const char *s)
{

	return s != NULL && utf8_valid(s, strlen(s));
}

enum err
mail_html_escape(struct buf *b, const char *s)
{
	enum err	 e = ERR_OK;

	for (; *s != '\0' && e == ERR_OK; s++)
		switch (*s) {
		case '&':
			e = buf_puts(b, "&amp;");
			break;
		case '<':
			e = buf_puts(b, "&lt;");
			break;
		case '>':
			e = buf_puts(b, "&gt;");
			break;
		case '"':
			e = buf_puts(b, "&quot;");
			break;
		case '\'':
			e = buf_puts(b, "&#39;");
			break;
		default:
			e = buf_putc(b, *s);
			break;
		}
	return e;
}

/*
 * Whether byte "s[0]" must be written as =XX, given that it would
 * start a line when "col" is 0.  Whitespace before a line end would
 * be lost in transport (RFC 2045 section 6.7 rule 3); a "." opening a
 * line could be taken for the end of the SMTP data by a careless relay.
 */
static int
qp_must_encode(const char *s, size_t col)
{
	unsigned char	 c = (unsigned char)s[0];

	if (c == ' ' || c == '\t')
		return s[1] == '\0' || s[1] == '\n' ||
		    (s[1] == '\r' && s[2] == '\n');
	if (c == '.')
		return col == 0;
	return c == '=' || c < 0x20 || c > 0x7e;
}

enum err
mail_qp_encode(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;
	size_t			 col = 0;
	enum err		 e = ERR_OK;

	for (; *s != '\0' && e == ERR_OK; s++) {
		c = (unsigned char)*s;
		if (c == '\n' || (c == '\r' && s[1] == '\n')) {
			if (c == '\r')
				s++;
			e = buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		/* Room for "=XX" and the soft break's "=". */
		if (col + 3 > QP_LINE_MAX - 1) {
			if ((e = buf_puts(b, "=\r\n")) != ERR_OK)
				break;
			col = 0;
		}
		if (qp_must_encode(s, col)) {
			if ((e = buf_putc(b, '=')) == ERR_OK &&
			    (e = buf_putc(b, hex[c >> 4])) == ERR_OK)
				e = buf_putc(b, hex[c & 0xf]);
			col += 3;
		} else {
			e = buf_putc(b, (char)c);
			col++;
		}
	}
	if (e == ERR_OK && (b->len < 2 || b->p[b->len - 1] != '\n'))
		e = buf_puts(b, "\r\n");
	return e;
}

/* RFC 5322 section 3.3 date-time, in UTC, with English names. */
static enum err
put_date(struct buf *b, int64_t secs)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed",
	    "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	 tm;
	time_t		 t = (time_t)secs;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return ERR_INVAL;
	return buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Whether "s" can go into the Subject header as it is. */
static int
subject_raw(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n > SUBJECT_RAW_MAX || strstr(s, "=?") != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/*
 * The Subject header as RFC 2047 "B" encoded words of at most
 * EW_CHUNK bytes each, never splitting a UTF-8 sequence, one word a
 * folded line, so every line stays under 78 bytes.
 */
static enum err
put_subject_encoded(struct buf *b, const char *s)
{
	unsigned char	 out[4 * ((EW_CHUNK + 2) / 3) + 1];
	size_t		 n, left = strlen(s);
	enum err	 e;

	if ((e = buf_puts(b, "Subject:")) != ERR_OK)
		return e;
	do {
		n = left > EW_CHUNK ? EW_CHUNK : left;
		while (n < left && n > 0 &&
		    ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		(void)EVP_EncodeBlock(out, (const unsigned char *)s, (int)n);
		if ((e = buf_printf(b, "%s=?UTF-8?B?%s?=",
		    b->p[b->len - 1] == ':' ? " " : "\r\n ", out)) != ERR_OK)
			return e;
		s += n;
		left -= n;
	} while (left > 0);
	return buf_puts(b, "\r\n");
}

static enum err
put_subject(struct buf *b, const char *s)
{

	if (subject_raw(s))
		return buf_printf(b, "Subject: %s\r\n", s);
	return put_subject_encoded(b, s);
}

/* The Message-ID's right side: the domain of EMAIL_FROM. */
static const char *
from_domain(const char *from)
{

	return strchr(from, '@') + 1;
}

static enum err
put_headers(struct buf *b, const struct mail *m)
{
	enum err	 e;

	if ((e = put_date(b, m->date)) != ERR_OK ||
	    (e = buf_printf(b, "From: %s\r\nTo: %s\r\n", m->from,
	    m->to)) != ERR_OK ||
	    (e = put_subject(b, m->subject)) != ERR_OK)
		return e;
	return buf_printf(b, "Message-ID: <%s@%s>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"=_hm_%s\"\r\n"
	    "\r\n"
	    "This is a MIME message: a text part and an HTML part.\r\n",
	    m->id, from_domain(m->from), m->id);
}

/*
 * One part of the alternative.  The boundary starts with "=_", which
 * quoted-printable never produces, so no body can end a part early
 * (RFC 2045 section 6.7, RFC 2046 section 5.1.1).
 */
static enum err
put_part(struct buf *b, const char *id, const char *type, const char *body)
{
	enum err	 e;

	if ((e = buf_printf(b, "\r\n--=_hm_%s\r\n"
	    "Content-Type: %s; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n", id,
	    type)) != ERR_OK)
		return e;
	return mail_qp_encode(b, body);
}

enum err
mail_build(const struct mail *m, struct buf *out)
{
	size_t		 start = out->len;
	enum err	 e;

	if (!id_ok(m->id) || !mail_addr_ok(m->from) || !mail_addr_ok(m->to) ||
	    !mail_header_ok(m->subject) || !body_ok(m->text) ||
	    !body_ok(m->html))
		return ERR_INVAL;
	if ((e = put_headers(out, m)) != ERR_OK ||
	    (e = put_part(out, m->id, "text/plain", m->text)) != ERR_OK ||
	    (e = put_part(out, m->id, "text/html", m->html)) != ERR_OK ||
	    (e = buf_printf(out, "\r\n--=_hm_%s--\r\n", m->id)) != ERR_OK) {
		/* Leave "out" as it was. */
		out->len = start;
		if (out->p != NULL)
			out->p[start] = '\0';
	}
	return e;
}
