/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
/*
 * pbkdf2_rate: the sign-in ceiling of the benchmarks (issue #8).
 *
 *	pbkdf2_rate [-i iterations] [-p processes] [-t seconds]
 *
 * Computes the password hash of lib/password.c (Django's
 * pbkdf2_sha256: PBKDF2-HMAC-SHA256 of the password and a 22-character
 * salt, 32 bytes, base64) in a loop, in "processes" (default 1)
 * processes at once for "seconds" (default 5), and prints one JSON
 * object with the total rate of hashes per second.  A sign-in costs one
 * such hash, so with as many processes as the pool has workers this is
 * the most sign-ins the machine can verify.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define	PROCS_MAX	64
#define	DK_LEN		32

struct	tally {
	long	 hashes;
	double	 seconds;
};

static void
usage(void)
{

	fprintf(stderr, "usage: pbkdf2_rate [-i iterations] [-p processes] "
	    "[-t seconds]\n");
	exit(2);
}

static long
number(const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		usage();
	return v;
}

static double
now(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Hashes for "seconds", then counts the hashes and the time they took,
 * up to the end of the last one.  Returns 0 if OpenSSL fails.
 */
static int
hash_loop(long iterations, long seconds, struct tally *t)
{
	static const char	 password[] = "correct horse battery staple";
	static const char	 salt[] = "AbCdEfGhIjKlMnOpQrStUv";	/* 22 */
	unsigned char		 dk[DK_LEN], b64[4 * ((DK_LEN + 2) / 3) + 1];
	double			 start = now();

	t->hashes = 0;
	do {
		if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password),
		    (const unsigned char *)salt, (int)strlen(salt),
		    (int)iterations, EVP_sha256(), DK_LEN, dk) != 1)
			return 0;
		(void)EVP_EncodeBlock(b64, dk, DK_LEN);
		t->hashes++;
		t->seconds = now() - start;
	} while (t->seconds < (double)seconds);
	return 1;
}

int
main(int argc, char *argv[])
{
	struct tally	 t;
	pid_t		 pid;
	double		 rate = 0, ms = 0;
	long		 iterations = 600000, procs = 1, seconds = 5, hashes = 0;
	long		 i, done = 0;
	int		 c, fds[2], status, rc = 0;

	while ((c = getopt(argc, argv, "i:p:t:")) != -1)
		switch (c) {
		case 'i':
			iterations = number(optarg, 1, 100000000);
			break;
		case 'p':
			procs = number(optarg, 1, PROCS_MAX);
			break;
		case 't':
			seconds = number(optarg, 1, 3600);
			break;
		default:
			usage();
		}
	if (optind != argc)
		usage();
	if (pipe(fds) == -1) {
		fprintf(stderr, "pbkdf2_rate: pipe: %s\n", strerror(errno));
		return 1;
	}

	/* Each child writes its tally (a few bytes: atomic) to the pipe. */
	for (i = 0; i < procs; i++) {
		if ((pid = fork()) == -1) {
			fprintf(stderr, "pbkdf2_rate: fork: %s\n",
			    strerror(errno));
			return 1;
		}
		if (pid == 0) {
			(void)close(fds[0]);
			if (!hash_loop(iterations, seconds, &t) ||
			    write(fds[1], &t, sizeof(t)) != sizeof(t))
				_exit(1);
			_exit(0);
		}
	}
	(void)close(fds[1]);
	while (read(fds[0], &t, sizeof(t)) == sizeof(t)) {
		hashes += t.hashes;
		rate += (double)t.hashes / t.seconds;
		ms += t.seconds * 1000.0 / (double)t.hashes;
		done++;
	}
	while (wait(&status) != -1)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rc = 1;
	if (rc != 0 || done != procs) {
		fprintf(stderr, "pbkdf2_rate: a hashing process failed\n");
		return 1;
	}
	printf("{\"iterations\": %ld, \"processes\": %ld, \"seconds\": %ld, "
	    "\"hashes\": %ld, \"hashes_per_s\": %.2f, \"ms_per_hash\": %.1f}\n",
	    iterations, procs, seconds, hashes, rate, ms / (double)procs);
	return 0;
}
