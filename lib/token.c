/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "b64.h"
#include "pool.h"
#include "token.h"
#include "uuid.h"

#define	EPOCH_2001	INT64_C(978307200)	/* 2001-01-01T00:00:00Z */
#define	TS_MAX_LEN	13	/* Django's base36_to_int() limit */
#define	HASH_LEN	32	/* every other hex digit of SHA-256 */
#define	TOKEN_MAX_LEN	(TS_MAX_LEN + 1 + HASH_LEN)
#define	UIDB64_LEN	48	/* base64url of 36 bytes */

/* Django's key_salt, one per purpose, so no token serves another. */
static const char *const salts[TOKEN__MAX] = {
	"heartmonitor.token.activate",	/* TOKEN_ACTIVATE */
	"heartmonitor.token.reset",	/* TOKEN_RESET */
};

static const char	 digits36[] = "0123456789abcdefghijklmnopqrstuvwxyz";

/*
 * Writes the key of "purpose" to "key": SHA-256(salt || secret), as
 * Django's salted_hmac() derives its HMAC key.
 */
static enum err
derive_key(const char *secret, enum token_purpose purpose,
    unsigned char key[EVP_MAX_MD_SIZE])
{
	EVP_MD_CTX	*ctx;
	const char	*salt = salts[purpose];
	unsigned int	 len = 0;
	int		 ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return ERR_NOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, salt, strlen(salt)) == 1 &&
	    EVP_DigestUpdate(ctx, secret, strlen(secret)) == 1 &&
	    EVP_DigestFinal_ex(ctx, key, &len) == 1 && len == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? ERR_OK : ERR_SYS;
}

/*
 * Writes to "hash" (HASH_LEN + 1 bytes) Django's
 * salted_hmac(…).hexdigest()[::2] over the user's id, password hash,
 * last sign-in, "ts" in decimal, email and (our addition) active flag.
 * The hex digits taken are the high nibble of each byte.
 */
static enum err
make_hash(const char *secret, enum token_purpose purpose,
    const struct token_state *st, int64_t ts, char hash[HASH_LEN + 1])
{
	unsigned char	 key[EVP_MAX_MD_SIZE], md[EVP_MAX_MD_SIZE];
	unsigned int	 len = 0;
	struct buf	 v;
	size_t		 i;
	enum err	 e;

	buf_init(&v);
	if ((e = derive_key(secret, purpose, key)) != ERR_OK ||
	    (e = buf_printf(&v, "%s%s%s%" PRId64 "%s%c", st->user_id,
	    st->password_hash, st->last_login != NULL ? st->last_login : "",
	    ts, st->email, st->is_active ? '1' : '0')) != ERR_OK)
		goto out;
	if (HMAC(EVP_sha256(), key, 32, (const unsigned char *)v.p, v.len,
	    md, &len) == NULL || len != 32) {
		e = ERR_SYS;
		goto out;
	}
	for (i = 0; i < HASH_LEN; i++)
		hash[i] = digits36[md[i] >> 4];
	hash[HASH_LEN] = '\0';
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(md, sizeof(md));
	if (v.p != NULL)
		OPENSSL_cleanse(v.p, v.cap);
	buf_clear(&v);
	return e;
}

/* Writes "ts" (at least 0) in lower-case base36 to "out". */
static void
to_base36(int64_t ts, char out[TS_MAX_LEN + 1])
{
	char	 tmp[TS_MAX_LEN + 1];
	size_t	 n = 0, i;

	do {
		tmp[n++] = digits36[ts % 36];
		ts /= 36;
	} while (ts > 0 && n < TS_MAX_LEN);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/* Returns 1 if the arguments of token_make() and token_check() hold. */
static int
args_ok(const char *secret, enum token_purpose purpose,
    const struct token_state *st)
{

	return secret != NULL && *secret != '\0' &&
	    (unsigned int)purpose < TOKEN__MAX && st != NULL &&
	    st->user_id != NULL && st->password_hash != NULL &&
	    st->email != NULL;
}

/*
 * Writes the token for "st" at "ts" seconds since 2001 to "out"
 * (TOKEN_MAX_LEN + 1 bytes): Django's _make_token_with_timestamp().
 */
static enum err
make_at(const char *secret, enum token_purpose purpose,
    const struct token_state *st, int64_t ts, char out[TOKEN_MAX_LEN + 1])
{
	char		 b36[TS_MAX_LEN + 1], hash[HASH_LEN + 1];
	enum err	 e;

	if ((e = make_hash(secret, purpose, st, ts, hash)) != ERR_OK)
		return e;
	to_base36(ts, b36);
	(void)snprintf(out, TOKEN_MAX_LEN + 1, "%s-%s", b36, hash);
	OPENSSL_cleanse(hash, sizeof(hash));
	return ERR_OK;
}

/*
 * Appends the token of "purpose" for "st" at "now" to "out".  Returns
 * ERR_INVAL for a missing secret or field or a time before 2001.
 */
enum err
token_make(const char *secret, enum token_purpose purpose,
    const struct token_state *st, int64_t now, struct buf *out)
{
	char		 tok[TOKEN_MAX_LEN + 1];
	enum err	 e;

	if (!args_ok(secret, purpose, st) || now < EPOCH_2001)
		return ERR_INVAL;
	if ((e = make_at(secret, purpose, st, now - EPOCH_2001, tok)) != ERR_OK)
		return e;
	return buf_puts(out, tok);
}

/*
 * Parses the "<ts>-" start of "token", strictly "[0-9a-z]{1,13}-"
 * followed by exactly HASH_LEN lower-case hex digits, into "ts".
 * Leading zeros pass here but fail the comparison, as in Django.
 */
static int
parse(const char *token, int64_t *ts)
{
	const char	*p, *d;
	size_t		 n, i;
	int64_t		 v = 0;
	int		 x;

	if ((n = strnlen(token, TOKEN_MAX_LEN + 1)) > TOKEN_MAX_LEN)
		return 0;
	for (i = 0; i < n && token[i] != '-'; i++) {
		if (i >= TS_MAX_LEN || (d = strchr(digits36, token[i])) == NULL)
			return 0;
		x = (int)(d - digits36);
		if (v > (INT64_MAX - x) / 36)
			return 0;
		v = v * 36 + x;
	}
	if (i == 0 || i == n || n - i - 1 != HASH_LEN)
		return 0;
	for (p = token + i + 1; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	*ts = v;
	return 1;
}

/*
 * Checks "token" (see token.h) as Django's check_token() does: parse
 * the timestamp, remake the token for it and compare the whole text in
 * constant time, then check its age.  A negative "timeout" accepts
 * nothing.
 */
int
token_check(const char *secret, enum token_purpose purpose,
    const struct token_state *st, const char *token, int64_t now,
    long timeout)
{
	char	 want[TOKEN_MAX_LEN + 1];
	int64_t	 ts;
	size_t	 n;
	int	 ok;

	if (token == NULL || !args_ok(secret, purpose, st) ||
	    now < EPOCH_2001 || timeout < 0 || !parse(token, &ts))
		return 0;
	if (ts > now - EPOCH_2001 || now - EPOCH_2001 - ts > timeout)
		return 0;
	if (make_at(secret, purpose, st, ts, want) != ERR_OK)
		return 0;
	n = strlen(want);
	ok = strlen(token) == n && CRYPTO_memcmp(want, token, n) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/*
 * Appends the uidb64 of "user_id": base64url of its 36-character text,
 * as Django's urlsafe_base64_encode(force_bytes(pk)).  Returns
 * ERR_INVAL unless "user_id" is a canonical UUID.
 */
enum err
token_uid_encode(struct buf *out, const char *user_id)
{

	if (!uuid_valid(user_id))
		return ERR_INVAL;
	return b64url_encode(out, user_id, UUID_STRLEN);
}

/*
 * Decodes "uidb64" into a user id from "pool": exactly UIDB64_LEN
 * base64url characters that decode to a canonical UUID.  Returns NULL
 * for anything else or if the pool fails.
 */
char *
token_uid_decode(struct pool *pool, const char *uidb64)
{
	unsigned char	*p;
	size_t		 sz;

	if (uidb64 == NULL || strnlen(uidb64, UIDB64_LEN + 1) != UIDB64_LEN)
		return NULL;
	if (b64url_decode(pool, uidb64, UIDB64_LEN, &p, &sz) != ERR_OK ||
	    sz != UUID_STRLEN || !uuid_valid((const char *)p))
		return NULL;
	return (char *)p;
}
