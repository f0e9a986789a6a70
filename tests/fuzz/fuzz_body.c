/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "body.h"
#include "fuzz.h"
#include "pool.h"

/*
 * body_parse() on the input as an application/json body, as the
 * FastCGI layer hands it over (NUL-terminated, its length apart).
 * Either a tree comes back, or a problem answer that is itself JSON.
 */
static struct pool	*pool;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	struct resp	 w;
	cJSON		*doc;
	char		*body;

	if (pool == NULL && (pool = pool_new()) == NULL)
		abort();
	memset(&r, 0, sizeof(r));
	r.pool = pool;
	r.method = METHOD_POST;
	r.request_id = "fuzz";
	r.hdrs[HDR_CONTENT_TYPE] = "application/json";
	r.body = body = fuzz_str(data, size);
	r.bodysz = size;
	resp_init(&w);
	if (body_parse(&r, &w)) {
		FUZZ_CHECK((r.json != NULL) == (size > 0));
		FUZZ_CHECK(r.json == NULL || !body_has_duplicate(pool, r.json));
	} else {
		FUZZ_CHECK(r.json == NULL &&
		    (w.status == 400 || w.status == 413));
		doc = cJSON_ParseWithLength(w.body.p, w.body.len);
		FUZZ_CHECK(doc != NULL);
		cJSON_Delete(doc);
	}
	body_free(&r);
	resp_clear(&w);
	free(body);
	pool_reset(pool);
	return 0;
}
