/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "buf.h"
#include "fuzz.h"
#include "pool.h"
#include "token.h"
#include "uuid.h"

/*
 * The activation and reset links' two parts: token_check() for both
 * purposes on the input as token, token_uid_decode() on it as uidb64.
 * A token that passes is bound to its purpose and to the state it was
 * made for, and a uid that decodes encodes back to the same text.  The
 * seeds (tests/fuzz/corpus/token) were made for ST with SECRET at NOW.
 */
#define	SECRET	"fuzz-secret-0123456789abcdefghijklmnopqrstuvwxyz"
#define	NOW	INT64_C(1800000000)
#define	TIMEOUT	3600

static const struct token_state	 st = {
	"00000000-0000-7000-8000-00000000000a", "pbkdf2_sha256$x",
	NULL, "a@x.test", 0
};
static struct pool		*pool;

static void
check(const char *s, enum token_purpose p)
{
	struct token_state	 other = st;

	if (!token_check(SECRET, p, &st, s, NOW, TIMEOUT))
		return;
	FUZZ_CHECK(!token_check(SECRET, p == TOKEN_ACTIVATE ? TOKEN_RESET :
	    TOKEN_ACTIVATE, &st, s, NOW, TIMEOUT));
	other.is_active = 1;
	FUZZ_CHECK(!token_check(SECRET, p, &other, s, NOW, TIMEOUT));
	FUZZ_CHECK(!token_check(SECRET, p, &st, s, NOW + TIMEOUT + 1,
	    TIMEOUT));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 b;
	const char	*uid;
	char		*s;

	if (pool == NULL && (pool = pool_new()) == NULL)
		abort();
	s = fuzz_str(data, size);
	check(s, TOKEN_ACTIVATE);
	check(s, TOKEN_RESET);
	if ((uid = token_uid_decode(pool, s)) != NULL) {
		FUZZ_CHECK(uuid_valid(uid));
		buf_init(&b);
		FUZZ_CHECK(token_uid_encode(&b, uid) == ERR_OK);
		FUZZ_CHECK(strcmp(buf_str(&b), s) == 0);
		buf_clear(&b);
	}
	free(s);
	pool_reset(pool);
	return 0;
}
