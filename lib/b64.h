/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_B64_H
#define HM_B64_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct pool;

/* Appends base64url of "src" (RFC 4648 section 5), without padding. */
enum err	 b64url_encode(struct buf *, const void *src, size_t srcsz);

/*
 * Decodes base64url strictly: only A-Z a-z 0-9 - _, no padding, no
 * whitespace, no length of 1 mod 4, and unused trailing bits zero (so
 * every value has exactly one spelling).  The result, NUL-terminated,
 * comes from "pool".  Returns ERR_INVAL for anything else.
 */
enum err	 b64url_decode(struct pool *, const char *s, size_t n,
		    unsigned char **out, size_t *outsz);

#endif /* !HM_B64_H */
