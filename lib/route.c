/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "pool.h"
#include "route.h"

/* Where a ":name" segment of a pattern matched in the path. */
struct	span {
	const char	*p;
	size_t		 n;
};

/*
 * Matches "path" against "pattern" segment by segment.  Returns 1 and
 * fills "caps" (PATH_PARAMS_MAX) and "*capsz" on a match, else 0.
 */
static int
route_match(const char *pattern, const char *path, struct span *caps,
    size_t *capsz)
{
	const char	*pe, *se;

	*capsz = 0;
	while (*pattern != '\0' && *path != '\0') {
		if (*pattern != ':') {
			if (*pattern++ != *path++)
				return 0;
			continue;
		}
		/* A capture: one non-empty segment. */
		pe = strchr(pattern, '/');
		se = strchr(path, '/');
		if (pe == NULL || se == NULL || se == path ||
		    *capsz == PATH_PARAMS_MAX)
			return 0;
		caps[*capsz].p = path;
		caps[*capsz].n = (size_t)(se - path);
		(*capsz)++;
		pattern = pe;
		path = se;
	}
	return *pattern == '\0' && *path == '\0';
}

/* Writes the methods of "mask" as an Allow value; GET implies HEAD. */
static void
route_allow(unsigned int mask, struct buf *allow)
{
	enum method	 m;

	if (mask & (1u << METHOD_GET))
		mask |= 1u << METHOD_HEAD;
	for (m = 0; m < METHOD__MAX; m++) {
		if (!(mask & (1u << m)))
			continue;
		if (allow->len > 0)
			buf_puts(allow, ", ");
		buf_puts(allow, http_method_str(m));
	}
}

enum route_match
route_find(const struct route *table, size_t tablesz, struct req *r,
    const char *path, enum method m, const struct route **found,
    struct buf *allow)
{
	struct span	 caps[PATH_PARAMS_MAX];
	size_t		 i, j, capsz, len;
	unsigned int	 mask = 0;
	char		*slashed;
	enum method	 want = m == METHOD_HEAD ? METHOD_GET : m;

	*found = NULL;
	for (i = 0; i < tablesz; i++) {
		if (!route_match(table[i].pattern, path, caps, &capsz))
			continue;
		mask |= 1u << table[i].method;
		if (table[i].method != want)
			continue;
		r->paramsz = 0;
		for (j = 0; j < capsz; j++) {
			r->params[j] = pool_strndup(r->pool, caps[j].p,
			    caps[j].n);
			if (r->params[j] == NULL)
				return ROUTE_NO_PATH;
		}
		r->paramsz = capsz;
		*found = &table[i];
		return ROUTE_FOUND;
	}
	if (mask != 0) {
		route_allow(mask, allow);
		return ROUTE_NO_METHOD;
	}
	len = strlen(path);
	if (len == 0 || path[len - 1] == '/')
		return ROUTE_NO_PATH;
	if ((slashed = pool_printf(r->pool, "%s/", path)) == NULL)
		return ROUTE_NO_PATH;
	for (i = 0; i < tablesz; i++)
		if (route_match(table[i].pattern, slashed, caps, &capsz))
			return ROUTE_NO_SLASH;
	return ROUTE_NO_PATH;
}
