/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_COOKIE_H
#define HM_COOKIE_H

#include <stddef.h>

struct pool;

#define	COOKIE_HEADER_MAX	8192	/* a longer header is ignored whole */
#define	COOKIE_VALUE_MAX	4096	/* a longer value is skipped */

/*
 * Finds cookie "name" in the raw Cookie header "hdr" (RFC 6265 section
 * 5.4 syntax: "a=b; c=d").  Surrounding double quotes are removed.
 * Pairs without "=", with control bytes, or with a value over
 * COOKIE_VALUE_MAX are skipped, as a browser would never send them.
 * When a name occurs twice the first wins (browsers send the most
 * specific path first).  Returns a pool-owned copy, or NULL when the
 * cookie is absent, malformed, or "hdr" is NULL or over the bound.
 */
char		*cookie_get(struct pool *, const char *hdr, const char *name);

#endif /* !HM_COOKIE_H */
