/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_MAILQ_H
#define HM_MAILQ_H

#include <stdint.h>

#include "err.h"

struct db;
struct pool;

/*
 * The outbox seen from the mail worker and from hmctl: taking a due
 * mail, recording what became of it, listing and reviving.  Requests
 * only ever add to it (outbox.h).  Each function runs its own write
 * transaction.  A mail is "pending" (due at next_attempt_at), "sent"
 * (its bodies blanked) or "failed" (given up; hmctl mail retry).
 */

/* One row for "hmctl mail list"; strings from the pool. */
struct	mailq_row {
	const char	*id;
	const char	*status;
	long		 attempts;
	const char	*recipient;
	const char	*subject;
	const char	*last_error;	/* NULL if none */
	const char	*created_at;
};

/* A mail taken for delivery; strings from the pool. */
struct	mailq_mail {
	const char	*id;
	const char	*recipient;
	const char	*subject;
	const char	*text;
	const char	*html;
	long		 attempts;	/* before this one */
};

/*
 * Takes the next pending mail due at "now" (ms since the epoch) and
 * leases it until "now" + "lease_ms": its due time moves there, under
 * a condition that only one process can meet, so two workers never
 * send the same mail, and a worker that dies mid-way only delays it.
 * Returns ERR_NOTFOUND when nothing is due.
 */
enum err	 mailq_take(struct db *, struct pool *, int64_t now,
		    int64_t lease_ms, struct mailq_mail *);

/* Marks mail "id" sent at "now", blanking its bodies. */
enum err	 mailq_sent(struct db *, const char *id, int64_t now);

/* Counts an attempt of "id" that failed with "error"; due again at "when". */
enum err	 mailq_later(struct db *, const char *id, int64_t when,
		    const char *error);

/* Counts the last attempt of "id" and gives it up with "error". */
enum err	 mailq_failed(struct db *, const char *id, const char *error);

/*
 * Calls "fn" for each mail, oldest first; with "status" ("pending",
 * "sent" or "failed") only those.
 */
enum err	 mailq_list(struct db *, struct pool *, const char *status,
		    void (*fn)(const struct mailq_row *, void *), void *arg);

/*
 * Makes mail "id" pending again, due now, with no attempts counted.
 * ERR_NOTFOUND if there is no such mail, ERR_CONFLICT if it was sent.
 */
enum err	 mailq_retry(struct db *, const char *id);

/* Makes every failed mail pending again; "*count" gets how many. */
enum err	 mailq_retry_failed(struct db *, long *count);

/* Queues a test mail to "to"; ERR_INVAL if it is not an address. */
enum err	 mailq_test(struct db *, const char *to);

#endif /* !HM_MAILQ_H */
