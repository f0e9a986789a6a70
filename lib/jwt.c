/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cjson/cJSON.h>

#include "b64.h"
#include "body.h"
#include "json.h"
#include "jwt.h"
#include "pool.h"
#include "utf8.h"
#include "uuid.h"

#define	KEY_LABEL	"heartmonitor.jwt.v1"
#define	MAC_LEN		32		/* HMAC-SHA256 output */
#define	MAC_B64_LEN	43		/* its base64url, unpadded */
#define	TIME_MAX	INT64_C(9007199254740992)	/* 2^53 */
#define	IAT_SKEW	60		/* seconds iat may lie ahead */

/* The header "typ" of each type (RFC 8725 section 3.11). */
static const char *const typs[JWT__MAX] = {
	"at+jwt",	/* JWT_ACCESS (RFC 9068 section 2.1) */
	"refresh+jwt",	/* JWT_REFRESH */
};

/* The payload "token_type" of each type (simplejwt's claim). */
static const char *const types[JWT__MAX] = {
	"access",	/* JWT_ACCESS */
	"refresh",	/* JWT_REFRESH */
};

/*
 * Derives the HS256 key as HMAC-SHA256(SECRET_KEY, KEY_LABEL), so that
 * the key is always 256 bits (RFC 7518 section 3.2) and no other use of
 * the secret (account tokens: token.c) shares it.  Returns ERR_INVAL
 * for an empty secret or a missing issuer or audience, ERR_SYS if
 * OpenSSL fails.
 */
enum err
jwt_key_init(struct jwt_key *k, const char *secret, const char *iss,
    const char *aud)
{
	unsigned int	 len = 0;

	if (secret == NULL || *secret == '\0' || iss == NULL || aud == NULL)
		return ERR_INVAL;
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)KEY_LABEL, sizeof(KEY_LABEL) - 1,
	    k->key, &len) == NULL || len != JWT_KEY_LEN) {
		OPENSSL_cleanse(k->key, sizeof(k->key));
		return ERR_SYS;
	}
	k->iss = iss;
	k->aud = aud;
	return ERR_OK;
}

/* Writes HMAC-SHA256 of "n" bytes at "s" under "k" to "mac". */
static enum err
mac(const struct jwt_key *k, const char *s, size_t n,
    unsigned char mac[MAC_LEN])
{
	unsigned int	 len = 0;

	if (HMAC(EVP_sha256(), k->key, JWT_KEY_LEN, (const unsigned char *)s,
	    n, mac, &len) == NULL || len != MAC_LEN)
		return ERR_SYS;
	return ERR_OK;
}

/* Returns 1 if "v" is a NumericDate we accept: 0 to 2^53 seconds. */
static int
time_ok(int64_t v)
{

	return v >= 0 && v <= TIME_MAX;
}

/* Returns 1 if "c" holds what jwt_verify() would accept as claims. */
static int
claims_ok(const struct jwt_claims *c)
{

	return (unsigned int)c->type < JWT__MAX && uuid_valid(c->jti) &&
	    uuid_valid(c->user_id) && uuid_valid(c->sid) &&
	    time_ok(c->iat) && time_ok(c->exp) && c->exp > c->iat;
}

/* Appends "{…}" of the header and the payload, base64url, dot between. */
static enum err
put_body(const struct jwt_key *k, const struct jwt_claims *c,
    struct buf *out)
{
	struct buf	 b;
	struct json	 j;
	enum err	 e;

	buf_init(&b);
	json_init(&j, &b);
	json_obj_open(&j, NULL);
	json_str(&j, "alg", "HS256");
	json_str(&j, "typ", typs[c->type]);
	json_obj_close(&j);
	if ((e = json_err(&j)) != ERR_OK ||
	    (e = b64url_encode(out, b.p, b.len)) != ERR_OK ||
	    (e = buf_putc(out, '.')) != ERR_OK)
		goto out;
	buf_reset(&b);
	json_init(&j, &b);
	json_obj_open(&j, NULL);
	json_str(&j, "token_type", types[c->type]);
	json_str(&j, "jti", c->jti);
	json_int(&j, "iat", c->iat);
	json_int(&j, "exp", c->exp);
	json_str(&j, "user_id", c->user_id);
	json_str(&j, "sid", c->sid);
	json_str(&j, "iss", k->iss);
	json_str(&j, "aud", k->aud);
	json_obj_close(&j);
	if ((e = json_err(&j)) == ERR_OK)
		e = b64url_encode(out, b.p, b.len);
out:
	buf_clear(&b);
	return e;
}

/*
 * Appends the compact serialization (RFC 7515 section 7.1) of "c"
 * signed under "k" to "out".  Returns ERR_INVAL for claims that
 * jwt_verify() would refuse (a non-canonical id, a time outside 0 to
 * 2^53, exp not after iat) or a key without issuer or audience; on any
 * error "out" is left as it was.
 */
enum err
jwt_encode(const struct jwt_key *k, const struct jwt_claims *c,
    struct buf *out)
{
	unsigned char	 sig[MAC_LEN];
	size_t		 start = out->len;
	enum err	 e;

	if (k->iss == NULL || k->aud == NULL || !claims_ok(c))
		return ERR_INVAL;
	if ((e = put_body(k, c, out)) != ERR_OK ||
	    (e = mac(k, out->p + start, out->len - start, sig)) != ERR_OK ||
	    (e = buf_putc(out, '.')) != ERR_OK ||
	    (e = b64url_encode(out, sig, sizeof(sig))) != ERR_OK) {
		out->len = start;
		if (out->p != NULL)
			out->p[start] = '\0';
	}
	OPENSSL_cleanse(sig, sizeof(sig));
	return e;
}

/*
 * Splits "token" into its three segments: "dot1" and "dot2" get the
 * offsets of the two dots and "len" the length.  Only base64url
 * characters and exactly two dots may occur (RFC 7519 section 7.2,
 * 8725bis "Check JWT Format Type"), so padding, whitespace, "+" and
 * "/", a JWE's five segments and the JSON serialization all fail
 * here.  No segment may be empty (an empty signature is "alg":"none").
 * The length is bounded before anything else is read.
 */
static int
split(const char *token, size_t *dot1, size_t *dot2, size_t *len)
{
	size_t		 i, n, dots = 0;
	unsigned char	 ch;

	if ((n = strnlen(token, JWT_MAX + 1)) > JWT_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		ch = (unsigned char)token[i];
		if (ch == '.') {
			if (++dots > 2)
				return 0;
			*(dots == 1 ? dot1 : dot2) = i;
		} else if (!((ch >= 'A' && ch <= 'Z') ||
		    (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_'))
			return 0;
	}
	if (dots != 2 || *dot1 == 0 || *dot2 == *dot1 + 1 || *dot2 + 1 == n)
		return 0;
	*len = n;
	return 1;
}

/*
 * Checks the signature "sig" ("n" characters) over the "signed" bytes
 * of "token" under "k", whatever algorithm the header names (RFC 8725
 * section 3.1), comparing in constant time (RFC 7518 section 3.2).
 */
static int
mac_ok(struct pool *pool, const struct jwt_key *k, const char *token,
    size_t signedsz, const char *sig, size_t n)
{
	unsigned char	 want[MAC_LEN], *got;
	size_t		 gotsz;
	int		 ok;

	if (n != MAC_B64_LEN ||
	    b64url_decode(pool, sig, n, &got, &gotsz) != ERR_OK ||
	    gotsz != MAC_LEN || mac(k, token, signedsz, want) != ERR_OK)
		return 0;
	ok = CRYPTO_memcmp(want, got, MAC_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

/*
 * Returns 1 if the JSON text "s" ("n" bytes) has the escape \u0000,
 * which cJSON would turn into a NUL that cuts the string short.
 */
static int
has_nul_escape(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\')
			continue;
		if (n - i > 5 && memcmp(s + i + 1, "u0000", 5) == 0)
			return 1;
		i++;	/* skip the escaped character */
	}
	return 0;
}

/*
 * Decodes the segment "s" ("n" characters) and parses it as a UTF-8
 * JSON object with no repeated member name (RFC 7519 section 4, RFC
 * 8725 section 3.7).  A byte order mark, which cJSON would skip, is
 * refused (RFC 8259 section 8.1 forbids sending one).  Returns the
 * tree (free with cJSON_Delete()) or NULL.
 */
static cJSON *
parse_segment(struct pool *pool, const char *s, size_t n)
{
	unsigned char	*p;
	size_t		 sz;
	const char	*text, *end = NULL;
	cJSON		*obj;

	if (b64url_decode(pool, s, n, &p, &sz) != ERR_OK)
		return NULL;
	text = (const char *)p;
	if (memchr(text, '\0', sz) != NULL || !utf8_valid(text, sz) ||
	    has_nul_escape(text, sz) ||
	    (sz >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0))
		return NULL;
	/* The length includes the NUL, or cJSON calls the end an error. */
	if ((obj = cJSON_ParseWithLengthOpts(text, sz + 1, &end, 1)) == NULL)
		return NULL;
	if (!cJSON_IsObject(obj) || body_has_duplicate(pool, obj)) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

/* The string member "name" of "obj", or NULL if absent or not a string. */
static const char *
get_str(const cJSON *obj, const char *name)
{
	const cJSON	*v;

	v = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * Checks the JOSE header: exactly the members "alg" and "typ", with
 * "alg" exactly "HS256" (case-sensitive: RFC 7515 section 4.1.1) and
 * "typ" the one of "want" (RFC 8725 section 3.11).  Members are
 * allow-listed, so "crit", "cty" (a nested JWT), "jku", "jwk", "x5u",
 * "x5c", "kid" and any other are refused (RFC 8725 sections 3.1, 3.3).
 */
static int
header_ok(const cJSON *h, enum jwt_type want)
{
	const cJSON	*c;
	const char	*alg, *typ;

	for (c = h->child; c != NULL; c = c->next)
		if (strcmp(c->string, "alg") != 0 &&
		    strcmp(c->string, "typ") != 0)
			return 0;
	alg = get_str(h, "alg");
	typ = get_str(h, "typ");
	return alg != NULL && strcmp(alg, "HS256") == 0 &&
	    typ != NULL && strcmp(typ, typs[want]) == 0;
}

/*
 * Reads the NumericDate "name" of "obj" into "v": a JSON number that is
 * whole and from 0 to 2^53 (so exactly representable), RFC 7519
 * section 2.  NaN fails the range test.
 */
static int
get_time(const cJSON *obj, const char *name, int64_t *v)
{
	const cJSON	*n;
	double		 d;

	n = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!cJSON_IsNumber(n))
		return 0;
	d = n->valuedouble;
	if (!(d >= 0 && d <= (double)TIME_MAX))
		return 0;
	*v = (int64_t)d;
	return (double)*v == d;
}

/* Copies the canonical UUID "name" of "obj" to "dst". */
static int
get_uuid(const cJSON *obj, const char *name, char dst[UUID_STRLEN + 1])
{
	const char	*s;

	if ((s = get_str(obj, name)) == NULL || !uuid_valid(s))
		return 0;
	memcpy(dst, s, UUID_STRLEN + 1);
	return 1;
}

/*
 * Returns 1 if "aud" is our audience or an array of strings that holds
 * it (RFC 7519 section 4.1.3).  An empty array, or one with any member
 * that is not a string, fails.
 */
static int
aud_ok(const cJSON *aud, const char *want)
{
	const cJSON	*c;
	int		 found = 0;

	if (cJSON_IsString(aud))
		return strcmp(aud->valuestring, want) == 0;
	if (!cJSON_IsArray(aud))
		return 0;
	for (c = aud->child; c != NULL; c = c->next) {
		if (!cJSON_IsString(c))
			return 0;
		if (strcmp(c->valuestring, want) == 0)
			found = 1;
	}
	return found;
}

/*
 * Checks the optional "nbf" (RFC 7519 section 4.1.5): we never issue
 * it, but if it is there it must be well formed and not after "now".
 */
static int
nbf_ok(const cJSON *p, int64_t now)
{
	int64_t	 nbf;

	if (cJSON_GetObjectItemCaseSensitive(p, "nbf") == NULL)
		return 1;
	return get_time(p, "nbf", &nbf) && nbf <= now;
}

/*
 * Checks and reads the claims of payload "p" into "c" (RFC 7519
 * section 7.2 step 10): all of them are required, exp must be after
 * "now" with no leeway (simplejwt's default), iat no more than
 * IAT_SKEW seconds ahead and before exp.  Claims we do not know are
 * ignored (RFC 7519 section 4).
 */
static int
claims_read(const struct jwt_key *k, const cJSON *p, enum jwt_type want,
    int64_t now, struct jwt_claims *c)
{
	const char	*tt, *iss;

	tt = get_str(p, "token_type");
	iss = get_str(p, "iss");
	if (tt == NULL || strcmp(tt, types[want]) != 0 ||
	    iss == NULL || strcmp(iss, k->iss) != 0 ||
	    !aud_ok(cJSON_GetObjectItemCaseSensitive(p, "aud"), k->aud))
		return 0;
	if (!get_uuid(p, "jti", c->jti) ||
	    !get_uuid(p, "user_id", c->user_id) ||
	    !get_uuid(p, "sid", c->sid) ||
	    !get_time(p, "iat", &c->iat) || !get_time(p, "exp", &c->exp))
		return 0;
	if (c->exp <= now || c->iat - IAT_SKEW > now || c->exp <= c->iat ||
	    !nbf_ok(p, now))
		return 0;
	c->type = want;
	return 1;
}

/*
 * Verifies "token" (see jwt.h) in the order of RFC 7519 section 7.2,
 * except that the MAC is checked before either JSON part is parsed:
 * the algorithm is pinned, so nothing in the header is needed for it,
 * and unauthenticated JSON never reaches the parser.  "c" is written
 * only on success.  Returns ERR_NOMEM if no scratch pool could be had,
 * else ERR_INVAL for any refusal.
 */
enum err
jwt_verify(const struct jwt_key *k, const char *token, enum jwt_type want,
    int64_t now, struct jwt_claims *c)
{
	struct pool		*pool;
	struct jwt_claims	 tmp;
	cJSON			*h = NULL, *p = NULL;
	size_t			 d1 = 0, d2 = 0, n = 0;
	enum err		 e = ERR_INVAL;

	if (token == NULL || (unsigned int)want >= JWT__MAX ||
	    k->iss == NULL || k->aud == NULL || !split(token, &d1, &d2, &n))
		return ERR_INVAL;
	if ((pool = pool_new()) == NULL)
		return ERR_NOMEM;
	if (!mac_ok(pool, k, token, d2, token + d2 + 1, n - d2 - 1))
		goto out;
	if ((h = parse_segment(pool, token, d1)) == NULL ||
	    !header_ok(h, want))
		goto out;
	if ((p = parse_segment(pool, token + d1 + 1, d2 - d1 - 1)) == NULL ||
	    !claims_read(k, p, want, now, &tmp))
		goto out;
	*c = tmp;
	e = ERR_OK;
out:
	cJSON_Delete(h);
	cJSON_Delete(p);
	pool_free(pool);
	return e;
}
