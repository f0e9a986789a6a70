/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_PASSWORD_H
#define HM_PASSWORD_H

#include "buf.h"
#include "err.h"

#define	PASSWORD_ITERATIONS_MIN	100000	/* ASVS 2.4.3 */

/*
 * Hashes "password" in Django's format
 * "pbkdf2_sha256$<iterations>$<salt>$<base64 of 32 bytes>" with a new
 * random 22-character salt, appending it to "out".
 */
enum err	 password_hash(const char *password, long iterations,
		    struct buf *out);

/*
 * Returns 1 if "password" matches the Django-format hash "encoded"
 * (compared in constant time), else 0, also for a malformed hash.
 * When it matches and "iterations" is more than the hash used,
 * "*upgrade" (if not NULL) is set to 1.
 */
int		 password_verify(const char *password, const char *encoded,
		    long iterations, int *upgrade);

/*
 * Checks a new password against the rules of SPEC section 4 and 7.7:
 * "min" to "max" code points (12 and 128 by default: ASVS 2.1.1 and
 * 2.1.3) of valid UTF-8, never truncated, not all digits, and not the
 * email or a name, compared without regard to case.  "email", "first"
 * and "last" may be NULL.  Returns NULL if it passes, else a static
 * message saying why.
 */
const char	*password_policy(const char *password, long min, long max,
		    const char *email, const char *first, const char *last);

#endif /* !HM_PASSWORD_H */
