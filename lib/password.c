/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "password.h"
#include "utf8.h"

#define	ALGORITHM	"pbkdf2_sha256"
#define	SALT_LEN	22	/* Django's get_random_string(22) */
#define	DK_LEN		32	/* SHA-256 output, Django's dklen */
#define	B64_LEN		44	/* base64 of 32 bytes, padded */
#define	ITER_MAX	100000000L

/* Django's salt alphabet: letters and digits. */
static const char	 alnum[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/*
 * Fills "salt" with SALT_LEN random letters and digits, by rejection
 * sampling so that each of the 62 is equally likely.
 */
static enum err
make_salt(char salt[SALT_LEN + 1])
{
	unsigned char	 rnd[64];
	size_t		 i = 0, j;

	while (i < SALT_LEN) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return ERR_SYS;
		for (j = 0; j < sizeof(rnd) && i < SALT_LEN; j++)
			if (rnd[j] < 248)	/* 248 = 4 * 62 */
				salt[i++] = alnum[rnd[j] % 62];
	}
	salt[SALT_LEN] = '\0';
	return ERR_OK;
}

/* base64(PBKDF2-HMAC-SHA256(password, salt, iterations, 32)). */
static enum err
derive(const char *password, const char *salt, size_t saltsz,
    long iterations, char out[B64_LEN + 1])
{
	unsigned char	 dk[DK_LEN];

	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password),
	    (const unsigned char *)salt, (int)saltsz, (int)iterations,
	    EVP_sha256(), DK_LEN, dk) != 1)
		return ERR_SYS;
	(void)EVP_EncodeBlock((unsigned char *)out, dk, DK_LEN);
	OPENSSL_cleanse(dk, sizeof(dk));
	return ERR_OK;
}

enum err
password_hash(const char *password, long iterations, struct buf *out)
{
	char		 salt[SALT_LEN + 1], b64[B64_LEN + 1];
	enum err	 e;

	if (iterations < 1 || iterations > ITER_MAX)
		return ERR_INVAL;
	if ((e = make_salt(salt)) != ERR_OK ||
	    (e = derive(password, salt, SALT_LEN, iterations, b64)) != ERR_OK)
		return e;
	return buf_printf(out, ALGORITHM "$%ld$%s$%s", iterations, salt, b64);
}

int
password_verify(const char *password, const char *encoded, long iterations,
    int *upgrade)
{
	const char	*p, *salt, *hash;
	char		*end, b64[B64_LEN + 1];
	long		 iter;
	int		 ok;

	if (upgrade != NULL)
		*upgrade = 0;
	if (strncmp(encoded, ALGORITHM "$", sizeof(ALGORITHM)) != 0)
		return 0;
	p = encoded + sizeof(ALGORITHM);
	if (*p < '1' || *p > '9')
		return 0;
	errno = 0;
	iter = strtol(p, &end, 10);
	if (errno != 0 || *end != '$' || iter > ITER_MAX)
		return 0;
	salt = end + 1;
	if ((hash = strchr(salt, '$')) == NULL || hash == salt ||
	    strlen(hash + 1) != B64_LEN)
		return 0;
	if (derive(password, salt, (size_t)(hash - salt), iter, b64) != ERR_OK)
		return 0;
	ok = CRYPTO_memcmp(b64, hash + 1, B64_LEN) == 0;
	if (ok && upgrade != NULL && iter < iterations)
		*upgrade = 1;
	return ok;
}

const char *
password_policy(const char *password, long min, long max, const char *email,
    const char *first, const char *last)
{
	size_t	 len = strlen(password), n;

	if (!utf8_valid(password, len))
		return "The password is not valid UTF-8.";
	n = utf8_count(password, len);
	if ((long)n < min)
		return "This password is too short.";
	if ((long)n > max)
		return "This password is too long.";
	if (strspn(password, "0123456789") == len)
		return "The password is entirely numeric.";
	if ((email != NULL && strcasecmp(password, email) == 0) ||
	    (first != NULL && strcasecmp(password, first) == 0) ||
	    (last != NULL && strcasecmp(password, last) == 0))
		return "The password is too similar to the email or a name.";
	return NULL;
}
