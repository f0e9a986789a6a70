/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_TOKEN_H
#define HM_TOKEN_H

#include <stdint.h>

#include "buf.h"
#include "err.h"

struct pool;

/*
 * Activation and password-reset tokens after Django's
 * PasswordResetTokenGenerator (SPEC section 4): "<ts>-<hash>", where ts
 * is base36 seconds since 2001-01-01 and hash is every other hex digit
 * of HMAC-SHA256 (key: SHA-256 of a per-purpose salt and SECRET_KEY)
 * over the user's id, password hash, last sign-in, ts, email and active
 * flag.  So a token dies as soon as the state it was made for changes:
 * activation flips the flag, a reset changes the hash.
 */
enum	token_purpose {
	TOKEN_ACTIVATE,
	TOKEN_RESET,
	TOKEN__MAX
};

/* The state a token is bound to; strings borrowed, last_login may be NULL. */
struct	token_state {
	const char	*user_id;
	const char	*password_hash;
	const char	*last_login;
	const char	*email;
	int		 is_active;
};

/* Appends a token for "st" made at "now" (seconds since the epoch). */
enum err	 token_make(const char *secret, enum token_purpose,
		    const struct token_state *st, int64_t now, struct buf *out);

/*
 * Returns 1 if "token" was made for "st" and purpose, is not from the
 * future, and is at most "timeout" seconds old at "now"; else 0.
 * Strict syntax ("[0-9a-z]{1,13}-[0-9a-f]{32}"), compared in constant
 * time.
 */
int		 token_check(const char *secret, enum token_purpose,
		    const struct token_state *st, const char *token,
		    int64_t now, long timeout);

/* Appends the URL-safe base64 of the user id (the link's "uidb64"). */
enum err	 token_uid_encode(struct buf *, const char *user_id);

/*
 * Decodes a uidb64 into a pool-owned user id; NULL unless it decodes
 * strictly to a canonical UUID.
 */
char		*token_uid_decode(struct pool *, const char *uidb64);

#endif /* !HM_TOKEN_H */
