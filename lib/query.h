/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_QUERY_H
#define HM_QUERY_H

#include <stddef.h>

#include "err.h"

struct pool;

#define	QUERY_PARAMS_MAX	64	/* more pairs than this: ERR_TOOBIG */
#define	QUERY_LEN_MAX		8192	/* a longer query string: ERR_TOOBIG */

struct	query_param {
	const char	*key;	/* decoded, NUL-terminated; pool-owned */
	const char	*val;	/* decoded, "" for "k" or "k="; pool-owned */
	size_t		 valsz;
};

/* The decoded pairs of a query string, in the order they came. */
struct	query {
	struct query_param	*params;
	size_t			 paramsz;
};

/*
 * Parses the query string "s" (without the "?"; NULL or "" for none)
 * with form decoding ("+" is a space).  Empty pairs ("a=1&&b=2") are
 * skipped.  On error "*bad" (if not NULL) points to the raw key of the
 * offending pair (pool-owned) for the problem message.
 * Returns ERR_INVAL for broken percent-encoding, control bytes or bad
 * UTF-8, ERR_TOOBIG past QUERY_PARAMS_MAX or QUERY_LEN_MAX, ERR_NOMEM.
 */
enum err	 query_parse(struct pool *, const char *s, struct query *,
		    const char **bad);

/*
 * The value of the last pair named "key" (as Django's QueryDict.get()
 * does), or NULL if there is none.  Don't free().
 */
const char	*query_get(const struct query *, const char *key);

/* How many pairs are named "key". */
size_t		 query_count(const struct query *, const char *key);

#endif /* !HM_QUERY_H */
