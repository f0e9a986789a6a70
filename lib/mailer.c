/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "mail.h"
#include "mailer.h"
#include "mailq.h"
#include "pool.h"
#include "relay.h"
#include "rfc3339.h"

#define	BACKOFF_MAX	3600	/* seconds */

int64_t
mailer_backoff(const struct conf *c, long attempts)
{
	int64_t	 d = c->email_retry_base_seconds;

	while (attempts-- > 0 && d < BACKOFF_MAX)
		d *= 2;
	return d < BACKOFF_MAX ? d : BACKOFF_MAX;
}

/*
 * How long a taken mail stays ours: longer than a session with a
 * working relay can take (EMAIL_TIMEOUT to connect and for each stage),
 * so no second worker takes it while it is with the relay; if this
 * worker dies, the mail is due again after it.
 */
static int64_t
lease_ms(const struct conf *c)
{

	return ((int64_t)c->email_timeout * 7 + 60) * 1000;
}

/* Sends "msg" with SIGTERM and SIGINT held, so a stop waits for it. */
static void
send_held(const struct conf *c, const char *to, const char *msg,
    struct relay_result *res)
{
	sigset_t	 hold, old;

	sigemptyset(&hold);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &hold, &old);
	relay_send(c, to, msg, res);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Records the outcome of one attempt and logs it. */
static enum err
record(struct db *db, const struct conf *c, const struct mailq_mail *m,
    const struct relay_result *res, struct mailer_stats *st)
{
	int64_t		 now = time_now_ms(), wait;
	long		 n = m->attempts + 1;

	if (res->outcome == RELAY_SENT) {
		st->sent++;
		log_warnx(NULL, "outbox %s: sent (SMTP %d)", m->id, res->code);
		return mailq_sent(db, m->id, now);
	}
	if (res->outcome == RELAY_REFUSED || n >= c->email_max_attempts) {
		st->failed++;
		log_warnx(NULL, "outbox %s: attempt %ld failed (SMTP %d%s%s), "
		    "given up", m->id, n, res->code, res->code == 0 ? ": " :
		    "", res->code == 0 ? res->text : "");
		return mailq_failed(db, m->id, res->text);
	}
	st->retry++;
	wait = mailer_backoff(c, m->attempts);
	log_warnx(NULL, "outbox %s: attempt %ld failed (SMTP %d%s%s), next "
	    "in %lld s", m->id, n, res->code, res->code == 0 ? ": " : "",
	    res->code == 0 ? res->text : "", (long long)wait);
	return mailq_later(db, m->id, now + wait * 1000, res->text);
}

/*
 * Takes one due mail and delivers it.  A row that cannot make a
 * message (it cannot happen through outbox.h) fails at once.
 */
static enum err
deliver_one(struct db *db, const struct conf *c, struct pool *pool,
    struct mailer_stats *st)
{
	struct mailq_mail	 m;
	struct relay_result	 res;
	struct mail		 mail;
	struct buf		 msg;
	int64_t			 now = time_now_ms();
	enum err		 e;

	if ((e = mailq_take(db, pool, now, lease_ms(c), &m)) != ERR_OK)
		return e;
	memset(&mail, 0, sizeof(mail));
	mail.id = m.id;
	mail.from = c->email_from;
	mail.to = m.recipient;
	mail.subject = m.subject;
	mail.text = m.text;
	mail.html = m.html;
	mail.date = now / 1000;
	buf_init(&msg);
	if ((e = mail_build(&mail, &msg)) == ERR_INVAL) {
		st->failed++;
		log_warnx(NULL, "outbox %s: not a valid mail, given up", m.id);
		e = mailq_failed(db, m.id, "not a valid mail (address, "
		    "subject or body)");
	} else if (e == ERR_OK) {
		send_held(c, m.recipient, buf_str(&msg), &res);
		e = record(db, c, &m, &res, st);
	}
	/* The message holds a link: clear it before it is freed. */
	if (msg.p != NULL)
		explicit_bzero(msg.p, msg.cap);
	buf_clear(&msg);
	return e;
}

enum err
mailer_run(struct db *db, const struct conf *c, volatile sig_atomic_t *stop,
    struct mailer_stats *st)
{
	struct mailer_stats	 dummy;
	struct pool		*pool;
	enum err		 e = ERR_OK;

	memset(&dummy, 0, sizeof(dummy));
	if (st == NULL)
		st = &dummy;
	/* Else every mail would fail for the configuration's fault. */
	if (!mail_addr_ok(c->email_from)) {
		log_warnx(NULL, "EMAIL_FROM: not a bare address "
		    "(local@domain); nothing sent");
		return ERR_INVAL;
	}
	if ((pool = pool_new()) == NULL)
		return ERR_NOMEM;
	while (!*stop) {
		pool_reset(pool);
		if ((e = deliver_one(db, c, pool, st)) != ERR_OK)
			break;
	}
	pool_free(pool);
	return e == ERR_NOTFOUND ? ERR_OK : e;
}
