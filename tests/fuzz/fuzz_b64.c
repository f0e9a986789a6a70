/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "b64.h"
#include "buf.h"
#include "fuzz.h"
#include "pool.h"

/*
 * b64url_decode() is strict, so every value has one spelling: what
 * decodes must encode back to the same text.  And whatever is encoded
 * decodes back to itself.
 */
static struct pool	*pool;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 b;
	unsigned char	*out;
	size_t		 outsz;

	if (pool == NULL && (pool = pool_new()) == NULL)
		abort();
	buf_init(&b);
	if (b64url_decode(pool, (const char *)data, size, &out,
	    &outsz) == ERR_OK) {
		FUZZ_CHECK(out[outsz] == '\0');
		FUZZ_CHECK(b64url_encode(&b, out, outsz) == ERR_OK);
		FUZZ_CHECK(b.len == size &&
		    memcmp(buf_str(&b), data, size) == 0);
	}
	buf_reset(&b);
	FUZZ_CHECK(b64url_encode(&b, data, size) == ERR_OK);
	FUZZ_CHECK(b.len == (size * 4 + 2) / 3);
	FUZZ_CHECK(b64url_decode(pool, buf_str(&b), b.len, &out,
	    &outsz) == ERR_OK);
	FUZZ_CHECK(outsz == size && memcmp(out, data, size) == 0);
	buf_clear(&b);
	pool_reset(pool);
	return 0;
}
