/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_OUTBOX_H
#define HM_OUTBOX_H

#include "err.h"

struct conf;
struct db;

/*
 * The mail outbox (SPEC section 1): a request never speaks SMTP; it
 * queues mail in the same transaction as the change that causes it,
 * and the mail worker delivers it.  Each function below must be called
 * inside a write transaction (db_begin()), and commits nothing itself.
 *
 * The recipient and every value put into a header is refused
 * (ERR_INVAL) if it holds CR, LF or NUL, so no input adds a header.
 */

/* Activation mail for a new or still inactive account; "link" is the URL. */
enum err	 outbox_activation(struct db *, const struct conf *,
		    const char *to, const char *first_name, const char *link);

/* Password-reset mail with its link. */
enum err	 outbox_reset(struct db *, const struct conf *, const char *to,
		    const char *first_name, const char *link);

/*
 * Notice to the owner of an active account that someone tried to
 * register it again; no link (SPEC 7.8).
 */
enum err	 outbox_already_registered(struct db *, const struct conf *,
		    const char *to, const char *first_name);

#endif /* !HM_OUTBOX_H */
