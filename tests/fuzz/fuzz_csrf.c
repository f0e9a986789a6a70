/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "auth.h"
#include "cookie.h"
#include "fuzz.h"
#include "pool.h"

/*
 * auth_csrf_ok() on "COOKIE\nX-CSRFTOKEN" (the Cookie header, then the
 * X-CSRFToken header; no newline: no header).  It may pass only when
 * the header is CSRF_LEN letters and digits and equals the csrftoken
 * cookie.
 */
static struct pool	*pool;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req	 r;
	const char	*cookie, *hdr;
	char		*s, *nl;
	size_t		 i;

	if (pool == NULL && (pool = pool_new()) == NULL)
		abort();
	s = fuzz_str(data, size);
	memset(&r, 0, sizeof(r));
	r.pool = pool;
	r.method = METHOD_POST;
	r.hdrs[HDR_COOKIE] = s;
	if ((nl = strchr(s, '\n')) != NULL) {
		*nl = '\0';
		r.hdrs[HDR_X_CSRFTOKEN] = nl + 1;
	}
	if (auth_csrf_ok(&r)) {
		hdr = r.hdrs[HDR_X_CSRFTOKEN];
		cookie = cookie_get(pool, s, "csrftoken");
		FUZZ_CHECK(hdr != NULL && cookie != NULL);
		FUZZ_CHECK(strlen(hdr) == CSRF_LEN && strcmp(hdr, cookie) == 0);
		for (i = 0; i < CSRF_LEN; i++)
			FUZZ_CHECK((hdr[i] >= 'a' && hdr[i] <= 'z') ||
			    (hdr[i] >= 'A' && hdr[i] <= 'Z') ||
			    (hdr[i] >= '0' && hdr[i] <= '9'));
	}
	free(s);
	pool_reset(pool);
	return 0;
}
