/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "pct.h"
#include "pool.h"
#include "utf8.h"

/*
 * Returns the value of the hex digit "c" (either case), or -1.
 */
static int
hexval(unsigned char c)
{

	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Returns 1 for a control byte (C0 or DEL), which must never reach a
 * handler whether it came raw or percent-encoded.
 */
static int
isctl(unsigned char c)
{

	return c < 0x20 || c == 0x7f;
}

/*
 * Decodes "src" ("srcsz" bytes) into "out", which has room for at
 * least "srcsz" bytes, and stores the decoded length in "*outsz".
 * Returns ERR_INVAL for a "%" without two hex digits after it (RFC 3986
 * section 2.1) and for control bytes.  Every read is bounded by
 * "srcsz"; the input need not be NUL-terminated.
 */
static enum err
decode(const char *src, size_t srcsz, enum pct_mode mode, char *out,
    size_t *outsz)
{
	const unsigned char	*s = (const unsigned char *)src;
	size_t			 i, o = 0;
	int			 hi, lo;
	unsigned char		 c;

	for (i = 0; i < srcsz; i++) {
		c = s[i];
		if (c == '%') {
			if (srcsz - i < 3 ||
			    (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0)
				return ERR_INVAL;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && mode == PCT_FORM)
			c = ' ';
		if (isctl(c))
			return ERR_INVAL;
		out[o++] = (char)c;
	}
	*outsz = o;
	return ERR_OK;
}

/*
 * Percent-decodes "src" into a NUL-terminated pool-owned string stored
 * in "*dst", its length in "*dstsz" when that is not NULL.  The result
 * is never longer than the input, so one allocation of "srcsz" + 1
 * bytes is enough.  "*dst" and "*dstsz" are only written on success.
 * Returns ERR_INVAL for broken encoding, control bytes or bytes that
 * are not well-formed UTF-8 after decoding, ERR_NOMEM if the pool is
 * exhausted.
 */
enum err
pct_decode(struct pool *pool, const char *src, size_t srcsz,
    enum pct_mode mode, char **dst, size_t *dstsz)
{
	char		*out;
	size_t		 outsz;
	enum err	 e;

	if (srcsz == SIZE_MAX)
		return ERR_NOMEM;
	if ((out = pool_alloc(pool, srcsz + 1)) == NULL)
		return ERR_NOMEM;
	if ((e = decode(src, srcsz, mode, out, &outsz)) != ERR_OK)
		return e;
	if (!utf8_valid(out, outsz))
		return ERR_INVAL;
	out[outsz] = '\0';
	*dst = out;
	if (dstsz != NULL)
		*dstsz = outsz;
	return ERR_OK;
}
