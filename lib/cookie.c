/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "cookie.h"
#include "pool.h"

/*
 * A byte range of the header; never NUL-terminated.
 */
struct	span {
	const char	*p;
	size_t		 n;
};

/* Returns 1 for the whitespace RFC 6265 section 5.2 trims (SP, HTAB). */
static int
isws(char c)
{

	return c == ' ' || c == '\t';
}

/* Strips leading and trailing SP and HTAB from "s". */
static void
trim(struct span *s)
{

	while (s->n > 0 && isws(s->p[0])) {
		s->p++;
		s->n--;
	}
	while (s->n > 0 && isws(s->p[s->n - 1]))
		s->n--;
}

/*
 * Returns 1 if "s" holds a control byte (C0 or DEL), which a browser
 * never sends in a cookie (RFC 6265 section 4.1.1, "cookie-octet").
 */
static int
hasctl(const struct span *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if ((unsigned char)s->p[i] < 0x20 || s->p[i] == 0x7f)
			return 1;
	return 0;
}

/*
 * Splits the pair "pair" into "name" and "val" at the first "=",
 * trims both (so SP or HTAB around them is allowed), and removes one
 * pair of surrounding double quotes from the value.  Returns 0 when
 * the pair is to be skipped: no "=", a control byte inside the name or
 * value, a stray quote left in the value (a half-quoted or inner-quoted
 * value is not RFC 6265 "cookie-value" syntax), or a value over
 * COOKIE_VALUE_MAX.
 */
static int
splitpair(struct span pair, struct span *name, struct span *val)
{
	const char	*eq;

	if ((eq = memchr(pair.p, '=', pair.n)) == NULL)
		return 0;
	name->p = pair.p;
	name->n = (size_t)(eq - pair.p);
	val->p = eq + 1;
	val->n = pair.n - name->n - 1;
	trim(name);
	trim(val);
	if (hasctl(name) || hasctl(val))
		return 0;
	if (val->n >= 2 && val->p[0] == '"' && val->p[val->n - 1] == '"') {
		val->p++;
		val->n -= 2;
	}
	if (memchr(val->p, '"', val->n) != NULL)
		return 0;
	return val->n <= COOKIE_VALUE_MAX;
}

/*
 * Walks the "; "-separated pairs of "hdr" and returns a pool-owned copy
 * of the value of the first well-formed pair named exactly "name"
 * (names are case-sensitive, RFC 6265 section 5.4).  Returns NULL when
 * there is none, when "hdr" is NULL or over COOKIE_HEADER_MAX, or on
 * allocation failure.
 */
char *
cookie_get(struct pool *pool, const char *hdr, const char *name)
{
	struct span	 pair, k, v;
	const char	*semi;
	size_t		 len, namesz, i;

	if (hdr == NULL || name == NULL || (namesz = strlen(name)) == 0)
		return NULL;
	if ((len = strnlen(hdr, COOKIE_HEADER_MAX + 1)) > COOKIE_HEADER_MAX)
		return NULL;
	for (i = 0; i < len; i += pair.n + 1) {
		pair.p = hdr + i;
		semi = memchr(pair.p, ';', len - i);
		pair.n = semi == NULL ? len - i : (size_t)(semi - pair.p);
		if (!splitpair(pair, &k, &v))
			continue;
		if (k.n == namesz && memcmp(k.p, name, namesz) == 0)
			return pool_strndup(pool, v.p, v.n);
	}
	return NULL;
}
