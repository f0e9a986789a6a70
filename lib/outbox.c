/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>

#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "extern.h"
#include "log.h"
#include "mail.h"
#include "outbox.h"
#include "rfc3339.h"
#include "uuid.h"

/*
 * The mails the service sends, as plain text and an HTML alternative
 * made from the same paragraphs.  Subjects are fixed; only the first
 * name and the link vary, and both are escaped in the HTML.
 */
struct	compose {
	struct buf	 text;
	struct buf	 html;
	enum err	 e;	/* the first failure; then no-ops */
};

static void
compose_init(struct compose *c, const char *subject)
{

	buf_init(&c->text);
	buf_init(&c->html);
	c->e = buf_puts(&c->html, "<!DOCTYPE html>\n<html><head>"
	    "<meta charset=\"utf-8\"><title>");
	if (c->e == ERR_OK)
		c->e = mail_html_escape(&c->html, subject);
	if (c->e == ERR_OK)
		c->e = buf_puts(&c->html, "</title></head>\n<body>\n");
}

static void
compose_clear(struct compose *c)
{

	buf_clear(&c->text);
	buf_clear(&c->html);
}

/* One paragraph of text. */
static void
para(struct compose *c, const char *s)
{

	if (c->e == ERR_OK)
		c->e = buf_printf(&c->text, "%s\n\n", s);
	if (c->e == ERR_OK)
		c->e = buf_puts(&c->html, "<p>");
	if (c->e == ERR_OK)
		c->e = mail_html_escape(&c->html, s);
	if (c->e == ERR_OK)
		c->e = buf_puts(&c->html, "</p>\n");
}

/* The link, alone on its line, and as an anchor in the HTML. */
static void
link_para(struct compose *c, const char *link)
{

	if (c->e == ERR_OK)
		c->e = buf_printf(&c->text, "%s\n\n", link);
	if (c->e == ERR_OK)
		c->e = buf_puts(&c->html, "<p><a href=\"");
	if (c->e == ERR_OK)
		c->e = mail_html_escape(&c->html, link);
	if (c->e == ERR_OK)
		c->e = buf_puts(&c->html, "\">");
	if (c->e == ERR_OK)
		c->e = mail_html_escape(&c->html, link);
	if (c->e == ERR_OK)
		c->e = buf_puts(&c->html, "</a></p>\n");
}

static void
greet(struct compose *c, const char *first_name)
{
	struct buf	 b;

	if (first_name == NULL || first_name[0] == '\0') {
		para(c, "Hello,");
		return;
	}
	buf_init(&b);
	if (c->e == ERR_OK && (c->e = buf_printf(&b, "Hello %s,",
	    first_name)) == ERR_OK)
		para(c, buf_str(&b));
	buf_clear(&b);
}

/* "The link works once and expires in 3 days." */
static void
expiry(struct compose *c, long secs)
{
	struct buf	 b;
	long		 n;
	const char	*unit;

	if (secs % 86400 == 0) {
		n = secs / 86400;
		unit = n == 1 ? "day" : "days";
	} else if (secs % 3600 == 0) {
		n = secs / 3600;
		unit = n == 1 ? "hour" : "hours";
	} else {
		n = (secs + 59) / 60;
		unit = n == 1 ? "minute" : "minutes";
	}
	buf_init(&b);
	if (c->e == ERR_OK && (c->e = buf_printf(&b, "The link works once "
	    "and expires in %ld %s.", n, unit)) == ERR_OK)
		para(c, buf_str(&b));
	buf_clear(&b);
}

static void
sign(struct compose *c)
{

	para(c, "This mail was sent automatically by Heart Monitor; "
	    "replies are not read.");
	if (c->e == ERR_OK)
		c->e = buf_puts(&c->html, "</body></html>\n");
}

/*
 * Writes one row, due now.  The caller's transaction holds it: the
 * mail commits or rolls back with the change that caused it.
 */
static enum err
outbox_put(struct db *db, const char *to, const char *subject,
    const char *text, const char *html)
{
	char		 id[UUID_STRLEN + 1], now[RFC3339_STRLEN + 1];
	sqlite3_stmt	*st = db_stmt(db, STMT_OUTBOX_INSERT);
	int64_t		 ms = time_now_ms();
	enum err	 e;

	if (sqlite3_get_autocommit(sqlite3_db_handle(st))) {
		/* The mail must commit or roll back with its cause. */
		log_warnx(NULL, "outbox_put: not inside a transaction");
		return ERR_INVAL;
	}
	if (!mail_addr_ok(to) || !mail_header_ok(subject))
		return ERR_INVAL;
	if ((e = uuid_v7(ms, id)) != ERR_OK ||
	    (e = time_format(ms, now)) != ERR_OK)
		return e;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, html, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, ms);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	e = db_rc(db, sqlite3_step(st), "outbox_put");
	sqlite3_reset(st);
	return e;
}

/* Queues what "c" composed, unless composing failed. */
static enum err
compose_put(struct compose *c, struct db *db, const char *to,
    const char *subject)
{
	enum err	 e = c->e;

	if (e == ERR_OK)
		e = outbox_put(db, to, subject, buf_str(&c->text),
		    buf_str(&c->html));
	compose_clear(c);
	return e;
}

/* The values of every mail: no control character, valid UTF-8. */
static int
values_ok(const char *to, const char *first_name, const char *link)
{

	return mail_addr_ok(to) &&
	    (first_name == NULL || mail_header_ok(first_name)) &&
	    (link == NULL || (link[0] != '\0' && mail_header_ok(link)));
}

enum err
outbox_activation(struct db *db, const struct conf *conf, const char *to,
    const char *first_name, const char *link)
{
	static const char	 subject[] =
	    "Activate your Heart Monitor account";
	struct compose		 c;

	if (link == NULL || !values_ok(to, first_name, link))
		return ERR_INVAL;
	compose_init(&c, subject);
	greet(&c, first_name);
	para(&c, "An account on Heart Monitor was registered with this "
	    "address.  To activate it, open this link:");
	link_para(&c, link);
	expiry(&c, conf->activation_timeout);
	para(&c, "If you did not register, ignore this mail: the account "
	    "stays inactive and cannot be used.");
	sign(&c);
	return compose_put(&c, db, to, subject);
}

enum err
outbox_reset(struct db *db, const struct conf *conf, const char *to,
    const char *first_name, const char *link)
{
	static const char	 subject[] =
	    "Reset your Heart Monitor password";
	struct compose		 c;

	if (link == NULL || !values_ok(to, first_name, link))
		return ERR_INVAL;
	compose_init(&c, subject);
	greet(&c, first_name);
	para(&c, "Someone asked to reset the password of your Heart "
	    "Monitor account.  To choose a new password, open this link:");
	link_para(&c, link);
	expiry(&c, conf->reset_timeout);
	para(&c, "If you did not ask for this, ignore this mail: your "
	    "password stays as it is.");
	sign(&c);
	return compose_put(&c, db, to, subject);
}

enum err
outbox_already_registered(struct db *db, const struct conf *conf,
    const char *to, const char *first_name)
{
	static const char	 subject[] = "Your Heart Monitor account";
	struct compose		 c;

	(void)conf;
	if (!values_ok(to, first_name, NULL))
		return ERR_INVAL;
	compose_init(&c, subject);
	greet(&c, first_name);
	para(&c, "Someone tried to register a new Heart Monitor account "
	    "with this address, which already has an active account.  "
	    "Nothing was changed.");
	para(&c, "If it was you, sign in with your password, or reset it "
	    "from the sign-in page if you forgot it.  If it was not you, "
	    "you need not do anything.");
	sign(&c);
	return compose_put(&c, db, to, subject);
}

enum err
outbox_test(struct db *db, const char *to)
{
	static const char	 subject[] = "Heart Monitor test mail";
	struct compose		 c;

	if (!values_ok(to, NULL, NULL))
		return ERR_INVAL;
	compose_init(&c, subject);
	greet(&c, NULL);
	para(&c, "This is a test mail queued with \"hmctl mail test\" to "
	    "check that the Heart Monitor mail worker reaches its relay.");
	sign(&c);
	return compose_put(&c, db, to, subject);
}
