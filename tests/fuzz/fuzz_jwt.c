/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "b64.h"
#include "buf.h"
#include "fuzz.h"
#include "jwt.h"
#include "uuid.h"

/*
 * jwt_verify() as access and as refresh token.  An input without a
 * newline is the token itself.  An input "HEADER\nPAYLOAD" is two JSON
 * texts that the harness encodes and signs with the key, so that the
 * fuzzer gets past the MAC (checked before anything else) into the
 * header and claim checks.  Whatever verifies must hold the claims
 * jwt.h promises.  NOW is the time of the seeds (tests/fuzz/corpus/jwt,
 * made with SECRET, issuer and audience "heartmonitor").
 */
#define	SECRET	"fuzz-secret-0123456789abcdefghijklmnopqrstuvwxyz"
#define	NOW	INT64_C(1800000000)

static struct jwt_key	 key;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{

	if (jwt_key_init(&key, SECRET, "heartmonitor", "heartmonitor") !=
	    ERR_OK)
		abort();
	return 0;
}

/* Appends ".<signature>" over the "tok" so far. */
static void
sign(struct buf *tok)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 len = 0;

	if (HMAC(EVP_sha256(), key.key, JWT_KEY_LEN,
	    (const unsigned char *)buf_str(tok), tok->len, mac, &len) ==
	    NULL || buf_putc(tok, '.') != ERR_OK ||
	    b64url_encode(tok, mac, len) != ERR_OK)
		abort();
}

static void
verify(const char *token, enum jwt_type want)
{
	struct jwt_claims	 c;

	if (jwt_verify(&key, token, want, NOW, &c) != ERR_OK)
		return;
	FUZZ_CHECK(strlen(token) <= JWT_MAX && c.type == want);
	FUZZ_CHECK(uuid_valid(c.jti) && uuid_valid(c.user_id) &&
	    uuid_valid(c.sid));
	FUZZ_CHECK(c.exp > NOW && c.iat <= NOW + 60 && c.exp > c.iat);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nl;
	struct buf	 tok;
	char		*s;

	buf_init(&tok);
	if ((nl = memchr(data, '\n', size)) != NULL) {
		if (b64url_encode(&tok, data, (size_t)(nl - data)) !=
		    ERR_OK || buf_putc(&tok, '.') != ERR_OK ||
		    b64url_encode(&tok, nl + 1, size - (size_t)(nl - data) -
		    1) != ERR_OK)
			abort();
		sign(&tok);
		s = fuzz_str((const uint8_t *)buf_str(&tok), tok.len);
	} else
		s = fuzz_str(data, size);
	verify(s, JWT_ACCESS);
	verify(s, JWT_REFRESH);
	free(s);
	buf_clear(&tok);
	return 0;
}
