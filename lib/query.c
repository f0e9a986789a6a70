/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "pct.h"
#include "pool.h"
#include "query.h"

/*
 * Length of the pair at "p" ("n" bytes left): up to the next "&" or
 * the end.  Only "&" separates pairs (WHATWG URL, "urlencoded parser");
 * ";" is an ordinary byte.
 */
static size_t
pairlen(const char *p, size_t n)
{
	const char	*amp;

	amp = memchr(p, '&', n);
	return amp == NULL ? n : (size_t)(amp - p);
}

/* Length of the raw key of the pair "p" ("n" bytes): up to the "=". */
static size_t
keylen(const char *p, size_t n)
{
	const char	*eq;

	eq = memchr(p, '=', n);
	return eq == NULL ? n : (size_t)(eq - p);
}

/*
 * Points "*bad" (when not NULL) at a pool-owned copy of the raw key of
 * the pair "p" ("n" bytes), for the caller's problem message.  On
 * allocation failure "*bad" is NULL.
 */
static void
setbad(struct pool *pool, const char *p, size_t n, const char **bad)
{

	if (bad != NULL)
		*bad = pool_strndup(pool, p, keylen(p, n));
}

/*
 * Counts the non-empty pairs of "s" ("len" bytes).  If there are more
 * than QUERY_PARAMS_MAX, "*extra" is set to the offset of the first
 * pair past the bound.
 */
static size_t
countpairs(const char *s, size_t len, size_t *extra)
{
	size_t	 i, n, count = 0;

	for (i = 0; i < len; i += n + 1) {
		if ((n = pairlen(s + i, len - i)) == 0)
			continue;
		if (++count == QUERY_PARAMS_MAX + 1)
			*extra = i;
	}
	return count;
}

/*
 * Decodes the pair "p" ("n" bytes, at least one) into "qp": the key is
 * everything up to the first "=", the value everything after it ("" if
 * there is no "=").  Returns the error of pct_decode().
 */
static enum err
parsepair(struct pool *pool, const char *p, size_t n,
    struct query_param *qp)
{
	size_t		 ksz;
	char		*key, *val;
	enum err	 e;

	ksz = keylen(p, n);
	if ((e = pct_decode(pool, p, ksz, PCT_FORM, &key, NULL)) != ERR_OK)
		return e;
	if (ksz == n)
		e = pct_decode(pool, "", 0, PCT_FORM, &val, &qp->valsz);
	else
		e = pct_decode(pool, p + ksz + 1, n - ksz - 1, PCT_FORM,
		    &val, &qp->valsz);
	if (e != ERR_OK)
		return e;
	qp->key = key;
	qp->val = val;
	return ERR_OK;
}

/*
 * Parses the query string "s" into "q", whose arrays come from "pool".
 * "q" is empty unless the whole string parsed, so a caller never sees
 * half a result.  See query.h for the errors.
 */
enum err
query_parse(struct pool *pool, const char *s, struct query *q,
    const char **bad)
{
	struct query_param	*params;
	size_t			 len, count, extra = 0, i, n, k = 0;
	enum err		 e;

	q->params = NULL;
	q->paramsz = 0;
	if (bad != NULL)
		*bad = NULL;
	if (s == NULL)
		return ERR_OK;
	if ((len = strnlen(s, QUERY_LEN_MAX + 1)) > QUERY_LEN_MAX)
		return ERR_TOOBIG;
	if ((count = countpairs(s, len, &extra)) > QUERY_PARAMS_MAX) {
		setbad(pool, s + extra, pairlen(s + extra, len - extra), bad);
		return ERR_TOOBIG;
	}
	if (count == 0)
		return ERR_OK;
	if ((params = pool_calloc(pool, count, sizeof(*params))) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < len && k < count; i += n + 1) {
		if ((n = pairlen(s + i, len - i)) == 0)
			continue;
		if ((e = parsepair(pool, s + i, n, &params[k])) != ERR_OK) {
			setbad(pool, s + i, n, bad);
			return e;
		}
		k++;
	}
	q->params = params;
	q->paramsz = k;
	return ERR_OK;
}

const char *
query_get(const struct query *q, const char *key)
{
	size_t	 i;

	for (i = q->paramsz; i > 0; i--)
		if (strcmp(q->params[i - 1].key, key) == 0)
			return q->params[i - 1].val;
	return NULL;
}

size_t
query_count(const struct query *q, const char *key)
{
	size_t	 i, count = 0;

	for (i = 0; i < q->paramsz; i++)
		if (strcmp(q->params[i].key, key) == 0)
			count++;
	return count;
}
