/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "b64.h"
#include "buf.h"
#include "jwt.h"
#include "testutil.h"

#define	SECRET	"test-secret-key-0123456789abcdef-0123456789"
#define	ISS	"https://heartmonitor.example.org"
#define	AUD	"heartmonitor-api"
#define	NOW	INT64_C(1767225600)	/* 2026-01-01T00:00:00Z */
#define	JTI	"0190f1e2-0000-7000-8000-000000000001"
#define	UID	"0190f1e2-0000-7000-8000-0000000000aa"
#define	SID	"0190f1e2-0000-7000-8000-0000000000bb"

#define	HDR_AT	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}"
#define	HDR_RT	"{\"alg\":\"HS256\",\"typ\":\"refresh+jwt\"}"

/* A whole payload with the given token_type, iat and exp (JSON text). */
#define	PL(tt, iat, exp)	"{\"token_type\":" tt ",\"jti\":\"" JTI \
	"\",\"iat\":" iat ",\"exp\":" exp ",\"user_id\":\"" UID \
	"\",\"sid\":\"" SID "\",\"iss\":\"" ISS "\",\"aud\":\"" AUD "\"}"
#define	PL_AT	PL("\"access\"", "1767225590", "1767226500")
#define	PL_RT	PL("\"refresh\"", "1767225590", "1767312000")

/* Computed independently (Python hmac, base64, json). */
static const char	 kat_key[] =
    "3a511c85adcede7a8a3280fd5d96356589e6e59f3792f7fb2f9209b71a98a68c";
static const char	 kat_token[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9."
    "eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwianRpIjoiMDE5MGYxZTItMDAwMC03MDAwLTgw"
    "MDAtMDAwMDAwMDAwMDAxIiwiaWF0IjoxNzY3MjI1NjAwLCJleHAiOjE3NjcyMjY1MDAs"
    "InVzZXJfaWQiOiIwMTkwZjFlMi0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwYWEiLCJz"
    "aWQiOiIwMTkwZjFlMi0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwYmIiLCJpc3MiOiJo"
    "dHRwczovL2hlYXJ0bW9uaXRvci5leGFtcGxlLm9yZyIsImF1ZCI6ImhlYXJ0bW9uaXRv"
    "ci1hcGkifQ.zRiTdKVPf8LHA984Gg6ksqC93Ar7GzLfkNlGfRxYy-E";

static struct jwt_key	 key;
static struct buf	 tok, pl;

static void
setup(void)
{

	ck_assert_int_eq(jwt_key_init(&key, SECRET, ISS, AUD), ERR_OK);
	buf_init(&tok);
	buf_init(&pl);
}

static void
teardown(void)
{

	buf_clear(&tok);
	buf_clear(&pl);
}

/* Fills "c" with valid claims of type "t" made at NOW. */
static void
claims_fill(struct jwt_claims *c, enum jwt_type t)
{

	memset(c, 0, sizeof(*c));
	c->type = t;
	memcpy(c->jti, JTI, sizeof(JTI));
	memcpy(c->user_id, UID, sizeof(UID));
	memcpy(c->sid, SID, sizeof(SID));
	c->iat = NOW;
	c->exp = NOW + 900;
}

/*
 * Writes to "out" a token of header "h" and payload "p" ("hn" and "pn"
 * bytes, which may hold NUL) signed with HMAC-SHA256 under "k".
 */
static void
sign_n(struct buf *out, const unsigned char *k, const char *h, size_t hn,
    const char *p, size_t pn)
{
	unsigned char	 mac[32];
	unsigned int	 len = 0;

	buf_reset(out);
	ck_assert_int_eq(b64url_encode(out, h, hn), ERR_OK);
	ck_assert_int_eq(buf_putc(out, '.'), ERR_OK);
	ck_assert_int_eq(b64url_encode(out, p, pn), ERR_OK);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), k, JWT_KEY_LEN,
	    (unsigned char *)out->p, out->len, mac, &len));
	ck_assert_uint_eq(len, 32);
	ck_assert_int_eq(buf_putc(out, '.'), ERR_OK);
	ck_assert_int_eq(b64url_encode(out, mac, sizeof(mac)), ERR_OK);
}

/* Signs "h" and "p" under our key and verifies the result as "want". */
static enum err
verify_raw(const char *h, const char *p, enum jwt_type want)
{
	struct jwt_claims	 c;

	sign_n(&tok, key.key, h, strlen(h), p, strlen(p));
	return jwt_verify(&key, buf_str(&tok), want, NOW, &c);
}

/* The claims of PL_AT, each as its name and JSON value. */
static const struct {
	const char	*name;
	const char	*val;
} claims[] = {
	{ "token_type", "\"access\"" },
	{ "jti", "\"" JTI "\"" },
	{ "iat", "1767225590" },
	{ "exp", "1767226500" },
	{ "user_id", "\"" UID "\"" },
	{ "sid", "\"" SID "\"" },
	{ "iss", "\"" ISS "\"" },
	{ "aud", "\"" AUD "\"" },
};
#define	NCLAIMS	(sizeof(claims) / sizeof(claims[0]))

/*
 * Writes to "pl" the access payload with claim "name" set to the JSON
 * text "val", or left out if "val" is NULL; a name not among the claims
 * is added at the end.  NULL "name" gives the plain payload.
 */
static void
payload(const char *name, const char *val)
{
	const char	*v;
	size_t		 i;
	int		 found = 0;

	buf_reset(&pl);
	ck_assert_int_eq(buf_putc(&pl, '{'), ERR_OK);
	for (i = 0; i < NCLAIMS; i++) {
		v = claims[i].val;
		if (name != NULL && strcmp(name, claims[i].name) == 0) {
			found = 1;
			if ((v = val) == NULL)
				continue;
		}
		ck_assert_int_eq(buf_printf(&pl, "%s\"%s\":%s",
		    pl.len > 1 ? "," : "", claims[i].name, v), ERR_OK);
	}
	if (name != NULL && !found && val != NULL)
		ck_assert_int_eq(buf_printf(&pl, ",\"%s\":%s", name, val),
		    ERR_OK);
	ck_assert_int_eq(buf_putc(&pl, '}'), ERR_OK);
}

/*
 * Verifies, as an access token at NOW, the payload() for "name" and
 * "val"; on failure also checks that the claims were left alone.
 */
static enum err
verify_claim(const char *name, const char *val)
{
	struct jwt_claims	 c, orig;
	enum err		 e;

	payload(name, val);
	sign_n(&tok, key.key, HDR_AT, strlen(HDR_AT), pl.p, pl.len);
	memset(&c, 0x5a, sizeof(c));
	memcpy(&orig, &c, sizeof(orig));
	e = jwt_verify(&key, buf_str(&tok), JWT_ACCESS, NOW, &c);
	if (e != ERR_OK)
		ck_assert_int_eq(memcmp(&c, &orig, sizeof(c)), 0);
	return e;
}

/* ------------------------------------------------------------ encode */

START_TEST(test_key_kat)
{
	char		 hex[2 * JWT_KEY_LEN + 1];
	size_t		 i;

	for (i = 0; i < JWT_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key.key[i]);
	ck_assert_str_eq(hex, kat_key);
	ck_assert_str_eq(key.iss, ISS);
	ck_assert_str_eq(key.aud, AUD);
}
END_TEST

START_TEST(test_token_kat)
{
	struct jwt_claims	 c, got;

	claims_fill(&c, JWT_ACCESS);
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_OK);
	ck_assert_str_eq(buf_str(&tok), kat_token);
	ck_assert_int_eq(jwt_verify(&key, kat_token, JWT_ACCESS, NOW, &got),
	    ERR_OK);
	ck_assert_int_eq(got.type, c.type);
	ck_assert_str_eq(got.jti, c.jti);
	ck_assert_str_eq(got.user_id, c.user_id);
	ck_assert_str_eq(got.sid, c.sid);
	ck_assert_int_eq(got.iat, c.iat);
	ck_assert_int_eq(got.exp, c.exp);
}
END_TEST

START_TEST(test_roundtrip)
{
	struct jwt_claims	 c, got;
	enum jwt_type		 t = (enum jwt_type)_i;

	claims_fill(&c, t);
	c.exp = NOW + (t == JWT_ACCESS ? 900 : 86400);
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_OK);
	ck_assert_uint_le(tok.len, JWT_MAX);
	memset(&got, 0, sizeof(got));
	ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), t, NOW + 1, &got),
	    ERR_OK);
	ck_assert_int_eq(got.type, t);
	ck_assert_str_eq(got.jti, JTI);
	ck_assert_str_eq(got.user_id, UID);
	ck_assert_str_eq(got.sid, SID);
	ck_assert_int_eq(got.iat, NOW);
	ck_assert_int_eq(got.exp, c.exp);
	/* Presented as the other type, it fails both ways. */
	ck_assert_int_eq(jwt_verify(&key, buf_str(&tok),
	    t == JWT_ACCESS ? JWT_REFRESH : JWT_ACCESS, NOW + 1, &got),
	    ERR_INVAL);
}
END_TEST

/* Encoding appends, and leaves "out" alone when it fails. */
START_TEST(test_encode_appends)
{
	struct jwt_claims	 c;

	claims_fill(&c, JWT_ACCESS);
	ck_assert_int_eq(buf_puts(&tok, "Bearer "), ERR_OK);
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_OK);
	ck_assert_str_eq(buf_str(&tok) + 7, kat_token);
	buf_reset(&tok);
	ck_assert_int_eq(buf_puts(&tok, "x"), ERR_OK);
	c.exp = c.iat;
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_INVAL);
	ck_assert_str_eq(buf_str(&tok), "x");
}
END_TEST

/* Claims that would not verify are not signed either. */
START_TEST(test_encode_invalid)
{
	struct jwt_claims	 c;
	struct jwt_key		 k = key;

	claims_fill(&c, JWT__MAX);
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_INVAL);
	claims_fill(&c, JWT_ACCESS);
	c.jti[0] = 'x';
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_INVAL);
	claims_fill(&c, JWT_ACCESS);
	c.user_id[0] = 'A';
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_INVAL);
	claims_fill(&c, JWT_ACCESS);
	c.sid[0] = '\0';
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_INVAL);
	claims_fill(&c, JWT_ACCESS);
	c.iat = -1;
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_INVAL);
	claims_fill(&c, JWT_ACCESS);
	c.exp = c.iat - 1;
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_INVAL);
	claims_fill(&c, JWT_ACCESS);
	c.exp = INT64_MAX;
	ck_assert_int_eq(jwt_encode(&key, &c, &tok), ERR_INVAL);
	claims_fill(&c, JWT_ACCESS);
	k.aud = NULL;
	ck_assert_int_eq(jwt_encode(&k, &c, &tok), ERR_INVAL);
	ck_assert_uint_eq(tok.len, 0);
}
END_TEST

START_TEST(test_key_init_invalid)
{
	struct jwt_key	 k;

	ck_assert_int_eq(jwt_key_init(&k, "", ISS, AUD), ERR_INVAL);
	ck_assert_int_eq(jwt_key_init(&k, NULL, ISS, AUD), ERR_INVAL);
	ck_assert_int_eq(jwt_key_init(&k, SECRET, NULL, AUD), ERR_INVAL);
	ck_assert_int_eq(jwt_key_init(&k, SECRET, ISS, NULL), ERR_INVAL);
}
END_TEST

/* ------------------------------------------------------------ claims */

/* The payload builder itself makes a good token. */
START_TEST(test_baseline)
{

	ck_assert_int_eq(verify_claim(NULL, NULL), ERR_OK);
	ck_assert_int_eq(verify_raw(HDR_AT, PL_AT, JWT_ACCESS), ERR_OK);
	ck_assert_int_eq(verify_raw(HDR_RT, PL_RT, JWT_REFRESH), ERR_OK);
}
END_TEST

START_TEST(test_claim_missing)
{

	ck_assert_int_eq(verify_claim(claims[_i].name, NULL), ERR_INVAL);
}
END_TEST

/* Claim values that must be refused. */
static const struct {
	const char	*name;
	const char	*val;
} wrongs[] = {
	{ "token_type", "\"refresh\"" },
	{ "token_type", "\"Access\"" },
	{ "token_type", "\"ACCESS\"" },
	{ "token_type", "\"access \"" },
	{ "token_type", "\"\"" },
	{ "token_type", "1" },
	{ "token_type", "null" },
	{ "token_type", "true" },
	{ "token_type", "[\"access\"]" },
	{ "token_type", "{}" },
	{ "jti", "1" },
	{ "jti", "null" },
	{ "jti", "\"\"" },
	{ "jti", "\"not-a-uuid\"" },
	{ "jti", "\"0190F1E2-0000-7000-8000-000000000001\"" },
	{ "jti", "\"0190f1e2000070008000000000000001\"" },
	{ "jti", "\"{0190f1e2-0000-7000-8000-000000000001}\"" },
	{ "jti", "\"0190f1e2-0000-7000-8000-000000000001 \"" },
	{ "jti", "\"0190f1e2-0000-7000-8000-00000000000\"" },
	{ "jti", "\"" JTI "\\u0000\"" },
	{ "jti", "[\"" JTI "\"]" },
	{ "user_id", "42" },
	{ "user_id", "\"42\"" },
	{ "user_id", "null" },
	{ "user_id", "\"0190f1e2-0000-7000-8000-0000000000aA\"" },
	{ "user_id", "\"0190f1e2-0000-7000-8000-0000000000ag\"" },
	{ "user_id", "\"" UID "\\u0000junk\"" },
	{ "user_id", "{\"id\":\"" UID "\"}" },
	{ "sid", "\"\"" },
	{ "sid", "false" },
	{ "sid", "\"0190f1e2_0000_7000_8000_0000000000bb\"" },
	{ "sid", "\"urn:uuid:" SID "\"" },
	{ "iat", "\"1767225590\"" },
	{ "iat", "null" },
	{ "iat", "true" },
	{ "iat", "1767225590.5" },
	{ "iat", "-1" },
	{ "iat", "-0.5" },
	{ "iat", "1e400" },
	{ "iat", "-1e400" },
	{ "iat", "9007199254740994" },
	{ "iat", "[1767225590]" },
	{ "iat", "{}" },
	{ "exp", "\"1767226500\"" },
	{ "exp", "null" },
	{ "exp", "false" },
	{ "exp", "1767226500.25" },
	{ "exp", "1767226500.000001" },
	{ "exp", "-1767226500" },
	{ "exp", "1e300" },
	{ "exp", "1e400" },
	{ "exp", "18446744073709551616" },
	{ "exp", "[1767226500]" },
	{ "iss", "\"https://evil.example.org\"" },
	{ "iss", "\"HTTPS://HEARTMONITOR.EXAMPLE.ORG\"" },
	{ "iss", "\"" ISS "/\"" },
	{ "iss", "\" " ISS "\"" },
	{ "iss", "\"" ISS "\\u0000\"" },
	{ "iss", "\"\"" },
	{ "iss", "1" },
	{ "iss", "null" },
	{ "iss", "[\"" ISS "\"]" },
	{ "aud", "\"other\"" },
	{ "aud", "\"HEARTMONITOR-API\"" },
	{ "aud", "\"" AUD "\\u0000x\"" },
	{ "aud", "\"\"" },
	{ "aud", "[]" },
	{ "aud", "[\"other\"]" },
	{ "aud", "[\"other\",\"more\"]" },
	{ "aud", "[1,\"" AUD "\"]" },
	{ "aud", "[\"" AUD "\",null]" },
	{ "aud", "[[\"" AUD "\"]]" },
	{ "aud", "{\"aud\":\"" AUD "\"}" },
	{ "aud", "1" },
	{ "aud", "null" },
	{ "aud", "true" },
	{ "nbf", "1767225601" },	/* not yet valid */
	{ "nbf", "\"0\"" },
	{ "nbf", "-1" },
	{ "nbf", "null" },
	/* Repeated names (RFC 7519 section 4), even nested. */
	{ "exp", "1767226500,\"exp\":1767226500" },
	{ "exp", "1767226500,\"exp\":9999999999" },
	{ "aud", "\"other\",\"aud\":\"" AUD "\"" },
	{ "extra", "{\"a\":1,\"a\":2}" },
	{ "extra", "[{\"a\":1,\"a\":2}]" },
	/* Invalid UTF-8 or an escaped NUL anywhere in the JSON. */
	{ "extra", "\"\xff\"" },
	{ "extra", "\"\xc0\xaf\"" },
	{ "extra", "\"\xed\xa0\x80\"" },
	{ "extra", "\"\xf4\x90\x80\x80\"" },
	{ "extra", "\"\xc3\"" },
	{ "extra", "\"\\ud800\"" },
	{ "extra", "\"\\udc00\"" },
	{ "extra", "\"a\\u0000b\"" },
	{ "iss", "\"" ISS "\xff\"" },
	/* Not JSON once put together. */
	{ "extra", "" },
	{ "extra", "undefined" },
	{ "extra", "NaN" },
	{ "extra", "'x'" },
	{ "extra", "1,}" },
};

START_TEST(test_claim_wrong)
{

	ck_assert_msg(verify_claim(wrongs[_i].name, wrongs[_i].val) ==
	    ERR_INVAL, "accepted %s: %s", wrongs[_i].name, wrongs[_i].val);
}
END_TEST

/* Claim variants that must still be accepted. */
static const struct {
	const char	*name;
	const char	*val;
} goods[] = {
	{ "aud", "[\"" AUD "\"]" },
	{ "aud", "[\"other\",\"" AUD "\"]" },
	{ "exp", "1767226500.0" },
	{ "exp", "1.7672265e9" },
	{ "exp", "9007199254740992" },
	{ "iat", "0" },
	{ "nbf", "1767225600" },
	{ "nbf", "0" },
	{ "extra", "\"caf\xc3\xa9 \xf0\x9f\x92\x93\"" },
	{ "extra", "{\"nested\":[1,2,{\"a\":null,\"b\":true}]}" },
	{ "extra", "\"a\\\\u0000b\"" },	/* a backslash, then text */
	{ "extra", "\"\\u00e9\\ud83d\\udc93\"" },
};

START_TEST(test_claim_good)
{

	ck_assert_msg(verify_claim(goods[_i].name, goods[_i].val) == ERR_OK,
	    "refused %s: %s", goods[_i].name, goods[_i].val);
}
END_TEST

/* exp == now is expired; iat may lead "now" by 60 s, not 61. */
START_TEST(test_time)
{
	struct jwt_claims	 c;
	const char		*t;

	sign_n(&tok, key.key, HDR_AT, strlen(HDR_AT), PL_AT,
	    strlen(PL_AT));
	t = buf_str(&tok);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, 1767226499, &c),
	    ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, 1767226500, &c),
	    ERR_INVAL);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, 1767226501, &c),
	    ERR_INVAL);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, INT64_MAX, &c),
	    ERR_INVAL);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, 1767225530, &c),
	    ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, 1767225529, &c),
	    ERR_INVAL);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, 0, &c), ERR_INVAL);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, INT64_MIN, &c),
	    ERR_INVAL);
}
END_TEST

/* Payloads with their own iat and exp. */
START_TEST(test_time_payload)
{

	/* Expired a second ago, and exactly now. */
	ck_assert_int_eq(verify_raw(HDR_AT, PL("\"access\"", "1767224700",
	    "1767225599"), JWT_ACCESS), ERR_INVAL);
	ck_assert_int_eq(verify_raw(HDR_AT, PL("\"access\"", "1767224700",
	    "1767225600"), JWT_ACCESS), ERR_INVAL);
	ck_assert_int_eq(verify_raw(HDR_AT, PL("\"access\"", "1767224700",
	    "1767225601"), JWT_ACCESS), ERR_OK);
	/* Issued an hour from now. */
	ck_assert_int_eq(verify_raw(HDR_AT, PL("\"access\"", "1767229200",
	    "1767230100"), JWT_ACCESS), ERR_INVAL);
	/* Issued 60 s and 61 s ahead. */
	ck_assert_int_eq(verify_raw(HDR_AT, PL("\"access\"", "1767225660",
	    "1767226500"), JWT_ACCESS), ERR_OK);
	ck_assert_int_eq(verify_raw(HDR_AT, PL("\"access\"", "1767225661",
	    "1767226500"), JWT_ACCESS), ERR_INVAL);
	/* Expiring when or before it was issued. */
	ck_assert_int_eq(verify_raw(HDR_AT, PL("\"access\"", "1767225630",
	    "1767225630"), JWT_ACCESS), ERR_INVAL);
	ck_assert_int_eq(verify_raw(HDR_AT, PL("\"access\"", "1767225650",
	    "1767225640"), JWT_ACCESS), ERR_INVAL);
}
END_TEST

/* Member names are case-sensitive (RFC 7519 section 4). */
START_TEST(test_case_sensitive_names)
{
	static const char *const names[] = {
		"\"token_type\"", "\"jti\"", "\"iat\"", "\"exp\"",
		"\"user_id\"", "\"sid\"", "\"iss\"", "\"aud\"",
	};
	char	 p[sizeof(PL_AT)], *at;
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memcpy(p, PL_AT, sizeof(p));
		ck_assert_ptr_nonnull(at = strstr(p, names[i]));
		at[1] = (char)(at[1] - 'a' + 'A');
		ck_assert_msg(verify_raw(HDR_AT, p, JWT_ACCESS) == ERR_INVAL,
		    "accepted %s", p);
	}
}
END_TEST

/* An access token is no refresh token, and the reverse (RFC 8725 3.11). */
START_TEST(test_type_confusion)
{

	ck_assert_int_eq(verify_raw(HDR_AT, PL_AT, JWT_REFRESH), ERR_INVAL);
	ck_assert_int_eq(verify_raw(HDR_RT, PL_RT, JWT_ACCESS), ERR_INVAL);
	/* typ and token_type disagree. */
	ck_assert_int_eq(verify_raw(HDR_RT, PL_AT, JWT_ACCESS), ERR_INVAL);
	ck_assert_int_eq(verify_raw(HDR_RT, PL_AT, JWT_REFRESH), ERR_INVAL);
	ck_assert_int_eq(verify_raw(HDR_AT, PL_RT, JWT_ACCESS), ERR_INVAL);
	ck_assert_int_eq(verify_raw(HDR_AT, PL_RT, JWT_REFRESH), ERR_INVAL);
	ck_assert_int_eq(verify_raw(HDR_AT, PL_AT, JWT__MAX), ERR_INVAL);
	ck_assert_int_eq(verify_raw(HDR_AT, PL_AT, (enum jwt_type)-1),
	    ERR_INVAL);
}
END_TEST

/* ------------------------------------------------------------ header */

/* Headers refused even with a good MAC over a good access payload. */
static const char *const bad_headers[] = {
	"{\"alg\":\"none\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"None\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"NONE\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"nOnE\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"noNE\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"HS384\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"HS512\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"PS256\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"EdDSA\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"hs256\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"Hs256\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"HS256 \",\"typ\":\"at+jwt\"}",
	"{\"alg\":\" HS256\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"HS256\\u0000\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"HS2\\u0035\\u0036x\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"\",\"typ\":\"at+jwt\"}",
	"{\"typ\":\"at+jwt\"}",
	"{\"alg\":256,\"typ\":\"at+jwt\"}",
	"{\"alg\":null,\"typ\":\"at+jwt\"}",
	"{\"alg\":true,\"typ\":\"at+jwt\"}",
	"{\"alg\":[\"HS256\"],\"typ\":\"at+jwt\"}",
	"{\"alg\":{\"alg\":\"HS256\"},\"typ\":\"at+jwt\"}",
	"{\"ALG\":\"HS256\",\"typ\":\"at+jwt\"}",
	"{\"Alg\":\"HS256\",\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
	/* typ */
	"{\"alg\":\"HS256\"}",
	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	"{\"alg\":\"HS256\",\"typ\":\"jwt\"}",
	"{\"alg\":\"HS256\",\"typ\":\"AT+JWT\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+JWT\"}",
	"{\"alg\":\"HS256\",\"typ\":\"application/at+jwt\"}",
	"{\"alg\":\"HS256\",\"typ\":\"refresh+jwt\"}",
	"{\"alg\":\"HS256\",\"typ\":\"\"}",
	"{\"alg\":\"HS256\",\"typ\":1}",
	"{\"alg\":\"HS256\",\"typ\":null}",
	"{\"alg\":\"HS256\",\"typ\":[\"at+jwt\"]}",
	/* parameters we do not understand or that point elsewhere */
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"crit\":[\"exp\"]}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"crit\":[]}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"cty\":\"JWT\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"1\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"../../dev/null\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"jku\":"
	    "\"https://evil.example/jwks.json\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"jwk\":"
	    "{\"kty\":\"oct\",\"k\":\"AAAA\"}}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"x5u\":"
	    "\"https://evil.example/cert.pem\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"x5c\":[\"MIIB\"]}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"enc\":\"A128GCM\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"zip\":\"DEF\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"b64\":false}",
	/* repeated names */
	"{\"alg\":\"HS256\",\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"none\",\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"alg\":\"none\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"typ\":\"at+jwt\"}",
	/* not a JSON object, or not UTF-8 */
	"[\"HS256\",\"at+jwt\"]",
	"\"HS256\"",
	"null",
	"{}",
	"{",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\"",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}x",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}{}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",}",
	"{'alg':'HS256','typ':'at+jwt'}",
	"\xef\xbb\xbf{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"x\":\"\xff\"}",
	"{\"alg\":\"HS256\",\"typ\":\"at+jwt\xc0\"}",
	"eyJhbGciOiJIUzI1NiJ9",
};

START_TEST(test_header_bad)
{

	ck_assert_msg(verify_raw(bad_headers[_i], PL_AT, JWT_ACCESS) ==
	    ERR_INVAL, "accepted header %s", bad_headers[_i]);
}
END_TEST

/* Headers that are fine: whitespace in the JSON, and member order. */
START_TEST(test_header_good)
{

	ck_assert_int_eq(verify_raw("{\"typ\":\"at+jwt\",\"alg\":\"HS256\"}",
	    PL_AT, JWT_ACCESS), ERR_OK);
	ck_assert_int_eq(verify_raw(" {\n\t\"alg\" : \"HS256\",\r\n"
	    "\"typ\":\"at+jwt\" } ", PL_AT, JWT_ACCESS), ERR_OK);
	ck_assert_int_eq(verify_raw("{\"alg\":\"HS\\u0032\\u00356\","
	    "\"typ\":\"at+jwt\"}", PL_AT, JWT_ACCESS), ERR_OK);
}
END_TEST

/* "alg":"none" with no signature at all, or with an empty one. */
START_TEST(test_alg_none_unsigned)
{
	static const char	*h[] = {
		"{\"alg\":\"none\",\"typ\":\"at+jwt\"}",
		"{\"alg\":\"none\"}",
		HDR_AT,
	};
	struct jwt_claims	 c;
	size_t			 i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		buf_reset(&tok);
		ck_assert_int_eq(b64url_encode(&tok, h[i], strlen(h[i])),
		    ERR_OK);
		ck_assert_int_eq(buf_putc(&tok, '.'), ERR_OK);
		ck_assert_int_eq(b64url_encode(&tok, PL_AT, strlen(PL_AT)),
		    ERR_OK);
		ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), JWT_ACCESS,
		    NOW, &c), ERR_INVAL);
		ck_assert_int_eq(buf_putc(&tok, '.'), ERR_OK);
		ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), JWT_ACCESS,
		    NOW, &c), ERR_INVAL);
	}
}
END_TEST

/* Payloads that are no JSON object, signed correctly. */
static const char *const bad_payloads[] = {
	"hello",
	"[1,2]",
	"[" PL_AT "]",
	"\"" JTI "\"",
	"1767226500",
	"null",
	"true",
	"{}",
	"{",
	PL_AT "x",
	PL_AT " {}",
	PL_AT PL_AT,
	"\xef\xbb\xbf" PL_AT,
	"{\"token_type\":\"access\",}",
	"{'token_type':'access'}",
};

START_TEST(test_payload_bad)
{

	ck_assert_int_eq(verify_raw(HDR_AT, bad_payloads[_i], JWT_ACCESS),
	    ERR_INVAL);
}
END_TEST

/* A raw NUL byte inside the header or payload JSON. */
START_TEST(test_json_nul)
{
	struct jwt_claims	 c;
	struct buf		 p;

	buf_init(&p);
	ck_assert_int_eq(buf_puts(&p, PL_AT), ERR_OK);
	p.p[p.len - 1] = ',';
	ck_assert_int_eq(buf_putn(&p, "\"x\":\"a\0b\"}", 10), ERR_OK);
	sign_n(&tok, key.key, HDR_AT, strlen(HDR_AT), p.p, p.len);
	ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	/* A trailing NUL after the object. */
	sign_n(&tok, key.key, HDR_AT, strlen(HDR_AT), PL_AT,
	    strlen(PL_AT) + 1);
	ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	sign_n(&tok, key.key, HDR_AT, strlen(HDR_AT) + 1, PL_AT,
	    strlen(PL_AT));
	ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	buf_clear(&p);
}
END_TEST

/* ------------------------------------------------------------ MAC */

/* Another token's payload under this token's signature. */
START_TEST(test_tampered_payload)
{
	struct jwt_claims	 c;
	struct buf		 other, mixed;
	const char		*d1, *d2, *o1, *o2;

	buf_init(&other);
	buf_init(&mixed);
	sign_n(&tok, key.key, HDR_AT, strlen(HDR_AT), PL_AT, strlen(PL_AT));
	payload("user_id", "\"0190f1e2-0000-7000-8000-0000000000cc\"");
	sign_n(&other, key.key, HDR_AT, strlen(HDR_AT), pl.p, pl.len);
	ck_assert_int_eq(jwt_verify(&key, buf_str(&other), JWT_ACCESS, NOW,
	    &c), ERR_OK);
	d1 = strchr(tok.p, '.');
	d2 = strrchr(tok.p, '.');
	o1 = strchr(other.p, '.');
	o2 = strrchr(other.p, '.');
	/* header and signature of "tok", payload of "other" */
	ck_assert_int_eq(buf_putn(&mixed, tok.p, (size_t)(d1 - tok.p)),
	    ERR_OK);
	ck_assert_int_eq(buf_putn(&mixed, o1, (size_t)(o2 - o1)), ERR_OK);
	ck_assert_int_eq(buf_puts(&mixed, d2), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, buf_str(&mixed), JWT_ACCESS, NOW,
	    &c), ERR_INVAL);
	/* and the other way round */
	buf_reset(&mixed);
	ck_assert_int_eq(buf_putn(&mixed, other.p, (size_t)(o2 - other.p)),
	    ERR_OK);
	ck_assert_int_eq(buf_puts(&mixed, d2), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, buf_str(&mixed), JWT_ACCESS, NOW,
	    &c), ERR_INVAL);
	buf_clear(&other);
	buf_clear(&mixed);
}
END_TEST

/* Any one character changed anywhere breaks the token. */
START_TEST(test_tampered_any_char)
{
	struct jwt_claims	 c;
	char			*t;
	size_t			 i, n;

	ck_assert_ptr_nonnull(t = strdup(kat_token));
	n = strlen(t);
	for (i = 0; i < n; i++) {
		if (t[i] == '.')
			continue;
		t[i] = t[i] == 'A' ? 'B' : 'A';
		ck_assert_msg(jwt_verify(&key, t, JWT_ACCESS, NOW, &c) ==
		    ERR_INVAL, "accepted with byte %zu changed", i);
		t[i] = kat_token[i];
	}
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_OK);
	free(t);
}
END_TEST

/* Signed by another secret, or for another issuer or audience. */
START_TEST(test_other_key)
{
	struct jwt_claims	 c, got;
	struct jwt_key		 k;

	claims_fill(&c, JWT_ACCESS);
	ck_assert_int_eq(jwt_key_init(&k, SECRET "x", ISS, AUD), ERR_OK);
	ck_assert_int_eq(jwt_encode(&k, &c, &tok), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), JWT_ACCESS, NOW,
	    &got), ERR_INVAL);
	ck_assert_int_eq(jwt_verify(&k, buf_str(&tok), JWT_ACCESS, NOW,
	    &got), ERR_OK);
	/* Signed with the raw secret instead of the derived key. */
	sign_n(&tok, (const unsigned char *)SECRET, HDR_AT, strlen(HDR_AT),
	    PL_AT, strlen(PL_AT));
	ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), JWT_ACCESS, NOW,
	    &got), ERR_INVAL);
	/* Same secret, other deployment. */
	buf_reset(&tok);
	ck_assert_int_eq(jwt_key_init(&k, SECRET, "https://other.example",
	    AUD), ERR_OK);
	ck_assert_int_eq(jwt_encode(&k, &c, &tok), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), JWT_ACCESS, NOW,
	    &got), ERR_INVAL);
	buf_reset(&tok);
	ck_assert_int_eq(jwt_key_init(&k, SECRET, ISS, "other-api"), ERR_OK);
	ck_assert_int_eq(jwt_encode(&k, &c, &tok), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), JWT_ACCESS, NOW,
	    &got), ERR_INVAL);
}
END_TEST

/* The signature cut short, lengthened, or swapped for a longer MAC. */
START_TEST(test_signature_length)
{
	struct jwt_claims	 c;
	char			 t[sizeof(kat_token) + 100];
	size_t			 n = strlen(kat_token);

	memcpy(t, kat_token, n + 1);
	t[n - 1] = '\0';
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
	t[n - 2] = '\0';
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
	t[n - 22] = '\0';
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
	t[n - 43] = '\0';	/* "header.payload." */
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
	t[n - 44] = '\0';	/* "header.payload" */
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
	memcpy(t, kat_token, n + 1);
	memcpy(t + n, "A", 2);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
	memcpy(t + n, "AAAA", 5);
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
	/* The same MAC spelt with set trailing bits ("E" is 000100). */
	memcpy(t, kat_token, n + 1);
	ck_assert_int_eq(t[n - 1], 'E');
	t[n - 1] = 'F';
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
	t[n - 1] = 'G';
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
}
END_TEST

/* ------------------------------------------------------------ syntax */

/* Tokens refused on their shape. */
static const char *const bad_shapes[] = {
	"",
	".",
	"..",
	"...",
	"a",
	"a.b",
	"a..c",
	".b.c",
	"a.b.",
	"a.b.c.d",
	"a.b.c.d.e",
	"eyJhbGciOiJIUzI1NiJ9",
	"{\"payload\":\"e30\",\"protected\":\"e30\",\"signature\":\"AAAA\"}",
	"Bearer a.b.c",
};

START_TEST(test_shape)
{
	struct jwt_claims	 c;

	ck_assert_int_eq(jwt_verify(&key, bad_shapes[_i], JWT_ACCESS, NOW,
	    &c), ERR_INVAL);
}
END_TEST

/* Whole good tokens in the wrong number of segments. */
START_TEST(test_segments)
{
	struct jwt_claims	 c;
	const char		*d1, *d2;
	struct buf		 b;

	buf_init(&b);
	d1 = strchr(kat_token, '.');
	d2 = strrchr(kat_token, '.');
	/* JWE-like: five segments. */
	ck_assert_int_eq(buf_printf(&b, "%s.AAAA.AAAA", kat_token), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, b.p, JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	buf_reset(&b);
	ck_assert_int_eq(buf_printf(&b, "%s.", kat_token), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, b.p, JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	buf_reset(&b);
	ck_assert_int_eq(buf_printf(&b, ".%s", kat_token), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, b.p, JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	/* Empty header, empty payload. */
	buf_reset(&b);
	ck_assert_int_eq(buf_puts(&b, d1), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, b.p, JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	buf_reset(&b);
	ck_assert_int_eq(buf_putn(&b, kat_token, (size_t)(d1 - kat_token) +
	    1), ERR_OK);
	ck_assert_int_eq(buf_puts(&b, d2), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, b.p, JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	/* Empty header or payload, yet correctly signed. */
	sign_n(&b, key.key, "", 0, PL_AT, strlen(PL_AT));
	ck_assert_int_eq(b.p[0], '.');
	ck_assert_int_eq(jwt_verify(&key, b.p, JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	sign_n(&b, key.key, HDR_AT, strlen(HDR_AT), "", 0);
	ck_assert_ptr_nonnull(strstr(b.p, ".."));
	ck_assert_int_eq(jwt_verify(&key, b.p, JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	/* Payload dropped: two segments. */
	buf_reset(&b);
	ck_assert_int_eq(buf_putn(&b, kat_token, (size_t)(d1 - kat_token)),
	    ERR_OK);
	ck_assert_int_eq(buf_puts(&b, d2), ERR_OK);
	ck_assert_int_eq(jwt_verify(&key, b.p, JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	buf_clear(&b);
}
END_TEST

/* Characters that are not base64url, put in at various places. */
static const char *const injects[] = {
	"=", "==", " ", "\t", "\n", "\r\n", "+", "/", "*", "%3D", "~",
	"\x7f", "\xc3\xa9", "\"", "\\", ",", ".",
};

START_TEST(test_inject)
{
	struct jwt_claims	 c;
	size_t			 at[6], n = strlen(kat_token), i;
	const char		*d1, *d2;
	struct buf		 b;

	d1 = strchr(kat_token, '.');
	d2 = strrchr(kat_token, '.');
	at[0] = 0;			/* start */
	at[1] = 5;			/* inside the header */
	at[2] = (size_t)(d1 - kat_token);	/* end of the header */
	at[3] = (size_t)(d2 - kat_token);	/* end of the payload */
	at[4] = at[3] + 10;		/* inside the signature */
	at[5] = n;			/* end */
	buf_init(&b);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		buf_reset(&b);
		ck_assert_int_eq(buf_putn(&b, kat_token, at[i]), ERR_OK);
		ck_assert_int_eq(buf_puts(&b, injects[_i]), ERR_OK);
		ck_assert_int_eq(buf_puts(&b, kat_token + at[i]), ERR_OK);
		ck_assert_msg(jwt_verify(&key, b.p, JWT_ACCESS, NOW, &c) ==
		    ERR_INVAL, "accepted \"%s\" at %zu", injects[_i], at[i]);
	}
	buf_clear(&b);
}
END_TEST

/* The token as a C string ends at a NUL: what is before it is cut. */
START_TEST(test_token_nul)
{
	struct jwt_claims	 c;
	char			 t[sizeof(kat_token)];
	size_t			 n = strlen(kat_token);

	memcpy(t, kat_token, sizeof(t));
	t[n - 10] = '\0';
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
	memcpy(t, kat_token, sizeof(t));
	t[20] = '\0';
	ck_assert_int_eq(jwt_verify(&key, t, JWT_ACCESS, NOW, &c), ERR_INVAL);
	ck_assert_int_eq(jwt_verify(&key, NULL, JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
}
END_TEST

/* ------------------------------------------------------------ size */

/* Grows a signed token by an unknown claim until it passes JWT_MAX. */
START_TEST(test_size_limit)
{
	struct jwt_claims	 c;
	struct buf		 pad;
	size_t			 n, last = 0;
	enum err		 e;

	buf_init(&pad);
	for (n = 0;; n++) {
		buf_reset(&pad);
		ck_assert_int_eq(buf_putc(&pad, '"'), ERR_OK);
		while (pad.len < n + 1)
			ck_assert_int_eq(buf_putc(&pad, 'x'), ERR_OK);
		ck_assert_int_eq(buf_putc(&pad, '"'), ERR_OK);
		payload("pad", pad.p);
		sign_n(&tok, key.key, HDR_AT, strlen(HDR_AT), pl.p, pl.len);
		e = jwt_verify(&key, buf_str(&tok), JWT_ACCESS, NOW, &c);
		if (tok.len > JWT_MAX)
			break;
		ck_assert_int_eq(e, ERR_OK);
		last = tok.len;
	}
	ck_assert_int_eq(e, ERR_INVAL);
	ck_assert_uint_ge(last, JWT_MAX - 1);
	ck_assert_uint_le(tok.len, JWT_MAX + 2);
	buf_clear(&pad);
}
END_TEST

/* A 3000-byte signed token, and a megabyte of base64url. */
START_TEST(test_size_huge)
{
	struct jwt_claims	 c;
	char			*big;
	size_t			 n = 1024 * 1024;

	ck_assert_ptr_nonnull(big = malloc(n + 1));
	memset(big, 'x', n);
	big[0] = big[2300] = '"';
	big[2301] = '\0';
	payload("pad", big);
	sign_n(&tok, key.key, HDR_AT, strlen(HDR_AT), pl.p, pl.len);
	ck_assert_uint_ge(tok.len, 3000);
	ck_assert_int_eq(jwt_verify(&key, buf_str(&tok), JWT_ACCESS, NOW,
	    &c), ERR_INVAL);
	memset(big, 'A', n);
	big[n] = '\0';
	big[100] = big[200] = '.';
	ck_assert_int_eq(jwt_verify(&key, big, JWT_ACCESS, NOW, &c),
	    ERR_INVAL);
	free(big);
}
END_TEST

static Suite *
jwt_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("jwt");

	tc = tcase_create("encode");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_key_kat);
	tcase_add_test(tc, test_token_kat);
	tcase_add_loop_test(tc, test_roundtrip, 0, JWT__MAX);
	tcase_add_test(tc, test_encode_appends);
	tcase_add_test(tc, test_encode_invalid);
	tcase_add_test(tc, test_key_init_invalid);
	suite_add_tcase(s, tc);

	tc = tcase_create("claims");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_baseline);
	tcase_add_loop_test(tc, test_claim_missing, 0, NCLAIMS);
	tcase_add_loop_test(tc, test_claim_wrong, 0,
	    sizeof(wrongs) / sizeof(wrongs[0]));
	tcase_add_loop_test(tc, test_claim_good, 0,
	    sizeof(goods) / sizeof(goods[0]));
	tcase_add_test(tc, test_time);
	tcase_add_test(tc, test_time_payload);
	tcase_add_test(tc, test_case_sensitive_names);
	tcase_add_test(tc, test_type_confusion);
	suite_add_tcase(s, tc);

	tc = tcase_create("header");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_header_bad, 0,
	    sizeof(bad_headers) / sizeof(bad_headers[0]));
	tcase_add_test(tc, test_header_good);
	tcase_add_test(tc, test_alg_none_unsigned);
	tcase_add_loop_test(tc, test_payload_bad, 0,
	    sizeof(bad_payloads) / sizeof(bad_payloads[0]));
	tcase_add_test(tc, test_json_nul);
	suite_add_tcase(s, tc);

	tc = tcase_create("mac");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_tampered_payload);
	tcase_add_test(tc, test_tampered_any_char);
	tcase_add_test(tc, test_other_key);
	tcase_add_test(tc, test_signature_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("syntax");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_shape, 0,
	    sizeof(bad_shapes) / sizeof(bad_shapes[0]));
	tcase_add_test(tc, test_segments);
	tcase_add_loop_test(tc, test_inject, 0,
	    sizeof(injects) / sizeof(injects[0]));
	tcase_add_test(tc, test_token_nul);
	tcase_add_test(tc, test_size_limit);
	tcase_add_test(tc, test_size_huge);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{

	return test_run(jwt_suite());
}
