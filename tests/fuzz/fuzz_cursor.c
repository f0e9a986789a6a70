/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <inttypes.h>

#include "b64.h"
#include "cursor.h"
#include "fuzz.h"
#include "pool.h"

/*
 * cursor_parse() on a request whose query string is the input, as a
 * list of readings or of the audit trail reads it.  A cursor that it
 * takes is one this service wrote: it encodes back to the same text.
 * Any refusal is a well-formed 400 or 404.
 */
static struct pool	*pool;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	struct resp	 w;
	struct cursor	 c;
	struct buf	 text, b;
	char		*s;

	if (pool == NULL && (pool = pool_new()) == NULL)
		abort();
	s = fuzz_str(data, size);
	memset(&r, 0, sizeof(r));
	r.pool = pool;
	r.method = METHOD_GET;
	r.request_id = "fuzz";
	resp_init(&w);
	if (query_parse(pool, s, &r.query, NULL) != ERR_OK)
		goto out;
	if (!cursor_parse(&r, &w, &c)) {
		FUZZ_CHECK(w.status == 400 || w.status == 404);
		goto out;
	}
	FUZZ_CHECK(c.size >= 1 && c.size <= CURSOR_SIZE_MAX);
	if (!c.set)
		goto out;
	FUZZ_CHECK(c.seq >= 1 && strlen(c.time) == RFC3339_STRLEN);
	buf_init(&text);
	buf_init(&b);
	FUZZ_CHECK(buf_printf(&text, "%c%s%" PRId64, c.back ? 'p' : 'n',
	    c.time, c.seq) == ERR_OK);
	FUZZ_CHECK(b64url_encode(&b, text.p, text.len) == ERR_OK);
	FUZZ_CHECK(strcmp(buf_str(&b), query_get(&r.query, "cursor")) == 0);
	buf_clear(&text);
	buf_clear(&b);
out:
	resp_clear(&w);
	free(s);
	pool_reset(pool);
	return 0;
}
