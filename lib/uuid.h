/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_UUID_H
#define HM_UUID_H

#include <stdint.h>

#include "err.h"

#define	UUID_STRLEN	36	/* "xxxxxxxx-xxxx-7xxx-yxxx-xxxxxxxxxxxx" */

/*
 * Writes a new UUID version 7 (RFC 9562 section 5.7) in canonical
 * lower-case text to "out" (UUID_STRLEN + 1 bytes).  The 48-bit Unix
 * millisecond timestamp comes from "now_ms"; the rest from OpenSSL's
 * CSPRNG.  Within one process ids are strictly increasing (the 12-bit
 * rand_a field counts up inside a millisecond, RFC 9562 section
 * 6.2 method 1; on overflow the timestamp moves on by one).
 * Returns ERR_SYS if the random generator fails.
 */
enum err	 uuid_v7(int64_t now_ms, char out[UUID_STRLEN + 1]);

/*
 * Returns 1 if "s" is a UUID in canonical lower-case text (any
 * version), else 0.
 */
int		 uuid_valid(const char *s);

#endif /* !HM_UUID_H */
