/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "fuzz.h"
#include "pool.h"
#include "query.h"
#include "utf8.h"

/*
 * query_parse() on a query string as REQUEST_URI brings it (after the
 * "?"), then the look-ups handlers make.  Every pair it keeps must be
 * decoded UTF-8 without control bytes, each value as long as it says.
 */
static struct pool	*pool;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query	 q;
	const char	*bad = NULL, *v;
	char		*s;
	size_t		 i;
	enum err	 e;

	if (pool == NULL && (pool = pool_new()) == NULL)
		abort();
	s = fuzz_str(data, size);
	e = query_parse(pool, s, &q, &bad);
	if (e == ERR_OK) {
		FUZZ_CHECK(q.paramsz <= QUERY_PARAMS_MAX && bad == NULL);
		for (i = 0; i < q.paramsz; i++) {
			FUZZ_CHECK(strlen(q.params[i].val) ==
			    q.params[i].valsz);
			FUZZ_CHECK(utf8_valid(q.params[i].key,
			    strlen(q.params[i].key)));
			FUZZ_CHECK(utf8_valid(q.params[i].val,
			    q.params[i].valsz));
			FUZZ_CHECK(!fuzz_has_ctl(q.params[i].key,
			    strlen(q.params[i].key)));
			FUZZ_CHECK(!fuzz_has_ctl(q.params[i].val,
			    q.params[i].valsz));
			v = query_get(&q, q.params[i].key);
			FUZZ_CHECK(v != NULL);
			FUZZ_CHECK(query_count(&q, q.params[i].key) > 0);
		}
		(void)query_get(&q, "cursor");
		(void)query_count(&q, "page");
	} else
		FUZZ_CHECK(e == ERR_INVAL || e == ERR_TOOBIG);
	free(s);
	pool_reset(pool);
	return 0;
}
