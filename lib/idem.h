/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_IDEM_H
#define HM_IDEM_H

#include "route.h"

#define	IDEM_KEY_MAX	255
#define	IDEM_TTL_MS	(24 * 3600 * 1000LL)	/* SPEC 7.19: 24 hours */

/* Returns 1 if "key" is 1 to IDEM_KEY_MAX printable ASCII characters. */
int		 idem_key_valid(const char *key);

/*
 * Runs handler "fn" for a request that carries an Idempotency-Key
 * (SPEC 7.19), inside one write transaction that also holds the key:
 *
 *  - a key seen from this user within IDEM_TTL_MS with the same method,
 *    path and body replays the first answer (with Idempotent-Replayed),
 *    and "fn" does not run;
 *  - with another method, path or body it is 422 idempotency_mismatch;
 *  - otherwise "fn" runs (its own db_begin() nests as a savepoint) and
 *    its answer, 2xx or 4xx, is stored with the key in the same commit.
 *
 * A retry that races the first request waits for the write lock, then
 * finds the stored answer: exactly one of them runs "fn".  A 5xx or an
 * error is not stored, so a retry runs "fn" again.  A malformed key is
 * 400 naming the header.
 */
enum err	 idem_run(struct app *, handler_fn fn, struct req *,
		    struct resp *);

#endif /* !HM_IDEM_H */
