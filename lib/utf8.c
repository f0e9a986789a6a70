/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>

#include "utf8.h"

/*
 * Returns 1 if "c" is a continuation byte (10xxxxxx) within the range
 * "lo" to "hi", else 0.  The narrowed ranges on the second byte are
 * what rule out overlong forms, surrogates and code points above
 * U+10FFFF (RFC 3629 section 4, "UTF8-2" to "UTF8-4").
 */
static int
cont(unsigned char c, unsigned char lo, unsigned char hi)
{

	return c >= lo && c <= hi;
}

/*
 * Returns the length in bytes of the well-formed UTF-8 sequence at the
 * start of "s" ("n" bytes available), or 0 if there is none: a stray
 * continuation byte, C0, C1 or F5 to FF, an overlong form, a surrogate
 * (ED A0 to ED BF), a code point above U+10FFFF, or a sequence cut
 * short by "n".  NUL is a well-formed one-byte sequence.
 */
size_t
utf8_seqlen(const unsigned char *s, size_t n)
{
	unsigned char	 lo = 0x80, hi = 0xbf;
	size_t		 len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;		/* overlong below U+0800 */
	else if (s[0] == 0xed)
		hi = 0x9f;		/* surrogates U+D800 to U+DFFF */
	else if (s[0] == 0xf0)
		lo = 0x90;		/* overlong below U+10000 */
	else if (s[0] == 0xf4)
		hi = 0x8f;		/* above U+10FFFF */
	if (n < len || !cont(s[1], lo, hi))
		return 0;
	for (i = 2; i < len; i++)
		if (!cont(s[i], 0x80, 0xbf))
			return 0;
	return len;
}

int
utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len;

	while (n > 0) {
		if ((len = utf8_seqlen(p, n)) == 0)
			return 0;
		p += len;
		n -= len;
	}
	return 1;
}

/*
 * Counts the code points in "s" ("n" bytes).  The input should be
 * well-formed; if it is not, each byte that starts no well-formed
 * sequence counts as one (as if replaced by U+FFFD), so the result is
 * never more than "n".
 */
size_t
utf8_count(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 len, count = 0;

	while (n > 0) {
		if ((len = utf8_seqlen(p, n)) == 0)
			len = 1;
		p += len;
		n -= len;
		count++;
	}
	return count;
}
