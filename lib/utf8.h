/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_UTF8_H
#define HM_UTF8_H

#include <stddef.h>

/*
 * Returns 1 if "s" ("n" bytes) is well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), else 0.
 */
int		 utf8_valid(const char *s, size_t n);

/*
 * Returns the length in bytes of the well-formed UTF-8 sequence at the
 * start of "s" ("n" bytes available), or 0 if there is none.
 */
size_t		 utf8_seqlen(const unsigned char *s, size_t n);

/* Number of code points in well-formed UTF-8 "s" of "n" bytes. */
size_t		 utf8_count(const char *s, size_t n);

#endif /* !HM_UTF8_H */
