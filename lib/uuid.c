/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <openssl/rand.h>

#include "uuid.h"

#define	UUID_TS_MAX	((INT64_C(1) << 48) - 1)	/* 48-bit unix_ts_ms */
#define	UUID_SEQ_MAX	0xfff				/* 12-bit rand_a */

/*
 * The last timestamp and rand_a counter handed out by this process.
 * XXX Not thread-safe: the workers are single-threaded processes.
 * After fork() parent and child share a history, but their 62 random
 * rand_b bits keep the ids distinct.
 */
static int64_t		last_ms = -1;
static unsigned int	last_seq;

/*
 * Chooses the timestamp and counter of the next id from "now_ms" and
 * the random "seed" (RFC 9562 section 6.2, method 1, "Fixed Bit-Length
 * Dedicated Counter").  A new millisecond starts the counter at a
 * random value below 0x800, so at least 2048 ids fit in it (the
 * "counter rollover guard").  Inside the same millisecond, or when the
 * clock went back, the counter counts up from the last id; when it
 * would pass 0xfff the timestamp moves one millisecond ahead of the
 * clock instead, as the RFC allows.  Returns 0 if the timestamp would
 * leave 48 bits.
 */
static int
nextstate(int64_t now_ms, unsigned int seed, int64_t *ms,
    unsigned int *seq)
{

	if (now_ms > last_ms) {
		*ms = now_ms;
		*seq = seed & 0x7ff;
	} else if (last_seq < UUID_SEQ_MAX) {
		*ms = last_ms;
		*seq = last_seq + 1;
	} else {
		*ms = last_ms + 1;
		*seq = seed & 0x7ff;
	}
	return *ms <= UUID_TS_MAX;
}

/*
 * Writes the 16 bytes "u" as canonical lower-case text with dashes
 * after the 4th, 6th, 8th and 10th byte (RFC 9562 section 4).
 */
static void
totext(const unsigned char u[16], char out[UUID_STRLEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 0x0f];
	}
	out[o] = '\0';
}

/*
 * Writes a new UUIDv7 for "now_ms" into "out" (RFC 9562 section 5.7):
 * 48 bits unix_ts_ms, version 7, 12 bits counter (rand_a), variant 10,
 * 62 random bits (rand_b).  The state only moves on success.
 * Returns ERR_SYS if RAND_bytes() fails and ERR_INVAL if "now_ms" is
 * negative or the timestamp does not fit in 48 bits.
 */
enum err
uuid_v7(int64_t now_ms, char out[UUID_STRLEN + 1])
{
	unsigned char	 r[10], u[16];
	unsigned int	 seq;
	int64_t		 ms;
	int		 i;

	if (now_ms < 0 || now_ms > UUID_TS_MAX)
		return ERR_INVAL;
	if (RAND_bytes(r, sizeof(r)) != 1)
		return ERR_SYS;
	if (!nextstate(now_ms, (unsigned int)r[0] << 8 | r[1], &ms, &seq))
		return ERR_INVAL;
	for (i = 0; i < 6; i++)
		u[i] = (unsigned char)(ms >> (40 - 8 * i));
	u[6] = (unsigned char)(0x70 | (seq >> 8));
	u[7] = (unsigned char)(seq & 0xff);
	u[8] = (unsigned char)(0x80 | (r[2] & 0x3f));
	for (i = 9; i < 16; i++)
		u[i] = r[i - 6];
	totext(u, out);
	last_ms = ms;
	last_seq = seq;
	return ERR_OK;
}

/* Returns 1 for a lower-case hex digit. */
static int
islowerhex(char c)
{

	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/*
 * Returns 1 if "s" is exactly 36 characters of canonical lower-case
 * UUID text ("8-4-4-4-12" hex digits), any version or variant.  Reads
 * stop at the first byte that does not fit, so a short string is never
 * read past its NUL.
 */
int
uuid_valid(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return 0;
	for (i = 0; i < UUID_STRLEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!islowerhex(s[i]))
			return 0;
	}
	return s[UUID_STRLEN] == '\0';
}
