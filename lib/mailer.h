/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_MAILER_H
#define HM_MAILER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct conf;
struct db;

/*
 * The mail worker's work, shared by heartmonitor-mailer and "hmctl
 * mail run": take each due mail of the outbox, build it (mail.h), hand
 * it to the relay (relay.h) and record the outcome (mailq.h).  Links
 * with libesmtp.
 */

struct	mailer_stats {
	size_t	 sent;
	size_t	 retry;		/* failed for now, due later */
	size_t	 failed;	/* given up */
};

/*
 * Delivers the mails due now, one at a time, until none is due or
 * "*stop" becomes non-zero between two mails.  SIGTERM and SIGINT are
 * held while a mail is with the relay, so a stop never cuts a mail
 * short.  A failure is retried after EMAIL_RETRY_BASE_SECONDS * 2^n
 * (n: attempts before, at most one hour), until EMAIL_MAX_ATTEMPTS
 * attempts; a 5xx refusal of the recipient or message fails at once.
 * Logs one line per attempt: the outbox id and the SMTP status, never
 * the recipient, the body or a link.  Counts into "st" (may be NULL).
 * Returns ERR_OK once nothing is due, ERR_INVAL (sending nothing) if
 * EMAIL_FROM is not an address, or the database's error.
 * Ignore SIGPIPE before calling.
 */
enum err	 mailer_run(struct db *, const struct conf *,
		    volatile sig_atomic_t *stop, struct mailer_stats *st);

/* Seconds to wait after a mail's attempt number "attempts" + 1 failed. */
int64_t		 mailer_backoff(const struct conf *, long attempts);

#endif /* !HM_MAILER_H */
