/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_PCT_H
#define HM_PCT_H

#include <stddef.h>

#include "err.h"

struct pool;

enum	pct_mode {
	PCT_PATH,	/* "+" stays "+" (RFC 3986 path segment) */
	PCT_FORM	/* "+" is a space (application/x-www-form-urlencoded) */
};

/*
 * Percent-decodes "src" ("srcsz" bytes) into a new NUL-terminated string
 * from "pool", stored in "*dst" with its length in "*dstsz" (may be NULL).
 * Returns ERR_INVAL for a "%" not followed by two hex digits, for any
 * byte (raw or decoded) below 0x20 or equal to 0x7f (so NUL, CR and LF
 * never reach a handler), and for bytes that are not valid UTF-8;
 * ERR_NOMEM when the pool is exhausted.
 */
enum err	 pct_decode(struct pool *, const char *src, size_t srcsz,
		    enum pct_mode, char **dst, size_t *dstsz);

#endif /* !HM_PCT_H */
