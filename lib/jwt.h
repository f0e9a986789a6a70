/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_JWT_H
#define HM_JWT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "uuid.h"

#define	JWT_MAX		2048	/* a longer token is refused unread */
#define	JWT_KEY_LEN	32

/*
 * HS256 JSON Web Tokens (RFC 7519) as SPEC section 4 uses them, written
 * against RFC 8725: the algorithm is pinned to HS256 whatever the header
 * says, the MAC is compared in constant time, and every claim is
 * required and checked.
 */
enum	jwt_type {
	JWT_ACCESS,	/* token_type "access", header typ "at+jwt" */
	JWT_REFRESH,	/* token_type "refresh", header typ "refresh+jwt" */
	JWT__MAX
};

/* The key and the pinned issuer and audience of one deployment. */
struct	jwt_key {
	unsigned char	 key[JWT_KEY_LEN];	/* jwt_key_init() derives it */
	const char	*iss;
	const char	*aud;
};

struct	jwt_claims {
	enum jwt_type	 type;
	char		 jti[UUID_STRLEN + 1];
	char		 user_id[UUID_STRLEN + 1];
	char		 sid[UUID_STRLEN + 1];	/* the session */
	int64_t		 iat;			/* seconds since the epoch */
	int64_t		 exp;
};

/*
 * Derives the signing key from SECRET_KEY (HMAC-SHA256 of a fixed label,
 * so that no other use of the secret shares this key) and keeps "iss"
 * and "aud" (borrowed).
 */
enum err	 jwt_key_init(struct jwt_key *, const char *secret,
		    const char *iss, const char *aud);

/*
 * Appends the compact serialization of "c" to "out": header
 * {"alg":"HS256","typ":…}, payload with token_type, jti, iat, exp,
 * user_id, sid, iss and aud.
 */
enum err	 jwt_encode(const struct jwt_key *, const struct jwt_claims *c,
		    struct buf *out);

/*
 * Verifies "token" as a token of type "want" at time "now" (seconds)
 * and fills "c".  Refuses (ERR_INVAL) anything over JWT_MAX; anything
 * but exactly three base64url segments; a header or payload that is not
 * a UTF-8 JSON object or repeats a member name; an "alg" other than
 * exactly "HS256"; a "typ" other than the one of "want"; "crit", "cty",
 * "jku", "jwk", "x5u", "x5c" or "kid" in the header; a bad MAC; a
 * missing or malformed claim; token_type, iss or aud other than
 * expected; exp at or before "now" (no leeway); iat more than 60 s in
 * the future.  Returns ERR_OK only when all of it holds.
 */
enum err	 jwt_verify(const struct jwt_key *, const char *token,
		    enum jwt_type want, int64_t now, struct jwt_claims *c);

#endif /* !HM_JWT_H */
