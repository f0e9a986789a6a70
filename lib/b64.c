/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "b64.h"
#include "pool.h"

/* The base64url alphabet (RFC 4648 section 5, table 2). */
static const char	 alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/*
 * Appends the "n" (1 to 3) bytes at "s" as n + 1 base64url characters:
 * a full quantum, or a final one without its "=" padding.
 */
static enum err
put_quantum(struct buf *out, const unsigned char *s, size_t n)
{
	char		 q[4];
	uint32_t	 v;

	v = (uint32_t)s[0] << 16;
	if (n >= 2)
		v |= (uint32_t)s[1] << 8;
	if (n >= 3)
		v |= s[2];
	q[0] = alphabet[v >> 18 & 0x3f];
	q[1] = alphabet[v >> 12 & 0x3f];
	q[2] = alphabet[v >> 6 & 0x3f];
	q[3] = alphabet[v & 0x3f];
	return buf_putn(out, q, n + 1);
}

/*
 * Appends the base64url of "src" ("srcsz" bytes) to "out", without the
 * "=" padding (RFC 4648 section 3.2 allows leaving it off where the
 * length is known, as JWS does: RFC 7515 section 2).  Returns
 * ERR_NOMEM if the output would not fit in memory.
 */
enum err
b64url_encode(struct buf *out, const void *src, size_t srcsz)
{
	const unsigned char	*s = src;
	size_t			 i;
	enum err		 e;

	if (srcsz > SIZE_MAX / 4 * 3 - 3)
		return ERR_NOMEM;
	if ((e = buf_reserve(out, (srcsz + 2) / 3 * 4)) != ERR_OK)
		return e;
	for (i = 0; srcsz - i >= 3; i += 3)
		if ((e = put_quantum(out, s + i, 3)) != ERR_OK)
			return e;
	if (i < srcsz)
		return put_quantum(out, s + i, srcsz - i);
	return buf_putn(out, "", 0);
}

/* The 6-bit value of base64url character "c", or -1 for any other. */
static int
sextet(unsigned char c)
{

	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * Decodes the "n" (1 to 4) characters at "s" into "dst" (n - 1 bytes,
 * or 3 for a full quantum).  Returns 0 for a character outside the
 * alphabet or for set bits past the last whole byte of a short final
 * quantum: those bits are discarded by decoders, so without this check
 * one value would have several spellings (RFC 4648 section 3.5).
 */
static int
quantum(const char *s, size_t n, unsigned char *dst)
{
	uint32_t	 v = 0;
	size_t		 i;
	int		 x;

	for (i = 0; i < 4; i++) {
		x = i < n ? sextet((unsigned char)s[i]) : 0;
		if (x < 0)
			return 0;
		v = v << 6 | (uint32_t)x;
	}
	if ((n == 2 && (v & 0xffff) != 0) || (n == 3 && (v & 0xff) != 0))
		return 0;
	dst[0] = (unsigned char)(v >> 16);
	if (n > 2)
		dst[1] = (unsigned char)(v >> 8);
	if (n > 3)
		dst[2] = (unsigned char)v;
	return 1;
}

/*
 * Decodes "n" bytes of base64url at "s" strictly (see b64.h) into a
 * NUL-terminated buffer from "pool", stored in "out" with its length
 * (without the NUL) in "outsz".  Nothing is stored on failure.
 * Returns ERR_INVAL for malformed input and ERR_NOMEM if the pool
 * fails.
 */
enum err
b64url_decode(struct pool *pool, const char *s, size_t n,
    unsigned char **out, size_t *outsz)
{
	unsigned char	*p;
	size_t		 i, len, k;

	if (s == NULL || n % 4 == 1)
		return ERR_INVAL;
	len = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
	if ((p = pool_alloc(pool, len + 1)) == NULL)
		return ERR_NOMEM;
	for (i = 0, k = 0; i < n; i += 4, k += 3)
		if (!quantum(s + i, n - i < 4 ? n - i : 4, p + k))
			return ERR_INVAL;
	p[len] = '\0';
	*out = p;
	*outsz = len;
	return ERR_OK;
}
