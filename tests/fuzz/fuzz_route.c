/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "buf.h"
#include "fuzz.h"
#include "pool.h"
#include "route.h"

/*
 * route_find() over the service's route table: the first byte picks
 * the method (one past the last: an unknown one), the rest is the
 * decoded path.  A match has the method asked for (GET for HEAD) and
 * a non-empty capture without "/" per ":name"; a 405 lists methods.
 */
static struct pool	*pool;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct route	*rt;
	struct req		 r;
	struct buf		 allow;
	enum route_match	 rm;
	enum method		 m;
	char			*path;
	size_t			 i;

	if (size == 0)
		return 0;
	if (pool == NULL && (pool = pool_new()) == NULL)
		abort();
	m = (enum method)(data[0] % (METHOD__MAX + 1));
	path = fuzz_str(data + 1, size - 1);
	memset(&r, 0, sizeof(r));
	r.pool = pool;
	r.method = m;
	buf_init(&allow);
	rm = route_find(routes, routesz, &r, path, m, &rt, &allow);
	if (rm == ROUTE_FOUND) {
		FUZZ_CHECK(rt != NULL && (rt->method == m ||
		    (m == METHOD_HEAD && rt->method == METHOD_GET)));
		FUZZ_CHECK(r.paramsz <= PATH_PARAMS_MAX);
		for (i = 0; i < r.paramsz; i++)
			FUZZ_CHECK(r.params[i][0] != '\0' &&
			    strchr(r.params[i], '/') == NULL);
	} else
		FUZZ_CHECK(rt == NULL);
	if (rm == ROUTE_NO_METHOD)
		FUZZ_CHECK(allow.len > 0);
	buf_clear(&allow);
	free(path);
	pool_reset(pool);
	return 0;
}
