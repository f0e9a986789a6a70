/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "cookie.h"
#include "fuzz.h"
#include "pool.h"

/*
 * cookie_get() on a Cookie header, for the names the service reads and
 * one taken from the input (the bytes before its first "=").  A value
 * it returns has no quote, semicolon or control byte, and fits the
 * bound.
 */
static struct pool	*pool;

static void
get(const char *hdr, const char *name)
{
	const char	*v;
	size_t		 n;

	if ((v = cookie_get(pool, hdr, name)) == NULL)
		return;
	n = strlen(v);
	FUZZ_CHECK(n <= COOKIE_VALUE_MAX && n < strlen(hdr));
	FUZZ_CHECK(strpbrk(v, "\";") == NULL && !fuzz_has_ctl(v, n));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*hdr, *name;

	if (pool == NULL && (pool = pool_new()) == NULL)
		abort();
	hdr = fuzz_str(data, size);
	get(hdr, "access");
	get(hdr, "refresh");
	get(hdr, "csrftoken");
	name = fuzz_str(data, strcspn(hdr, "="));
	get(hdr, name);
	free(name);
	free(hdr);
	pool_reset(pool);
	return 0;
}
