/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_THROTTLE_H
#define HM_THROTTLE_H

#include <stdint.h>

#include "err.h"

struct conf;
struct db;

/*
 * Sign-in throttling (SPEC 7.10): failures are stored in the database,
 * so every worker sees them, and counted per account and per client
 * address over a sliding window.  Attempts refused while throttled are
 * not counted, so the window always runs out: an account's owner is
 * never locked out for good.  Times are milliseconds since the epoch.
 */

/*
 * Returns ERR_OK if "email" and "address" may try to sign in at "now",
 * else ERR_DENIED with "*retry_after" set to the seconds until they may
 * (1 to the window).  Reads only.
 */
enum err	 throttle_check(struct db *, const struct conf *,
		    const char *email, const char *address, int64_t now,
		    long *retry_after);

/*
 * Records a failed sign-in and forgets failures older than the window.
 * Runs its own write transaction.
 */
enum err	 throttle_fail(struct db *, const struct conf *,
		    const char *email, const char *address, int64_t now);

#endif /* !HM_THROTTLE_H */
