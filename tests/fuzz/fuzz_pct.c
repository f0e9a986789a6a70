/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "fuzz.h"
#include "pct.h"
#include "pool.h"
#include "utf8.h"

/*
 * pct_decode() in both modes.  What it returns must be what pct.h
 * promises a handler: NUL-terminated, as long as it says, UTF-8, no
 * control byte, never longer than the input.
 */
static struct pool	*pool;

static void
decode(const uint8_t *data, size_t size, enum pct_mode mode)
{
	char	*out = NULL;
	size_t	 outsz = 0;

	if (pct_decode(pool, (const char *)data, size, mode, &out,
	    &outsz) != ERR_OK)
		return;
	FUZZ_CHECK(out != NULL && outsz <= size);
	FUZZ_CHECK(out[outsz] == '\0' && strlen(out) == outsz);
	FUZZ_CHECK(utf8_valid(out, outsz));
	FUZZ_CHECK(!fuzz_has_ctl(out, outsz));
	if (mode == PCT_FORM)
		FUZZ_CHECK(memchr(out, '+', outsz) == NULL ||
		    memmem(data, size, "%2", 2) != NULL);
	if (memchr(data, '%', size) == NULL && mode == PCT_PATH)
		FUZZ_CHECK(outsz == size && memcmp(out, data, size) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{

	if (pool == NULL && (pool = pool_new()) == NULL)
		abort();
	decode(data, size, PCT_PATH);
	decode(data, size, PCT_FORM);
	pool_reset(pool);
	return 0;
}
