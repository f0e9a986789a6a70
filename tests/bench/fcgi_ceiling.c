/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
/*
 * fcgi_ceiling: the FastCGI ceiling of the benchmarks (issue #8).
 *
 *	fcgi_ceiling -s PATH [-w N]
 *
 * Listens on the unix socket PATH, forks N worker processes (as many
 * as the real pool has) and answers every request with one fixed small
 * JSON body, doing nothing else: nginx in front of it measures the most
 * a pool of N libfcgi processes can answer.  The parent waits; SIGTERM
 * or SIGINT to it stops the workers and removes the socket.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#define	WORKERS_MAX	64
#define	BACKLOG		1024	/* as fcgi/listen.c */

/* The same as the answer of /bench/return200/ in the bench nginx site. */
static const char	 answer[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Cache-Control: no-store\r\n"
    "\r\n"
    "{\"status\":\"ok\",\"database\":\"ok\",\"version\":\"bench\"}\n";

static volatile sig_atomic_t	 stopping;

static void
on_stop(int sig)
{

	(void)sig;
	stopping = 1;
}

static void
usage(void)
{

	fprintf(stderr, "usage: fcgi_ceiling -s PATH [-w N]\n");
	exit(2);
}

/* One worker: accept, answer, finish, until killed. */
static int
worker(int fd)
{
	FCGX_Request	 req;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_InitRequest(&req, fd, 0) != 0) {
		fprintf(stderr, "fcgi_ceiling: FCGX_InitRequest failed\n");
		return 1;
	}
	while (FCGX_Accept_r(&req) >= 0) {
		(void)FCGX_PutStr(answer, (int)sizeof(answer) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}

/* Kills the "n" workers of "pids" and reaps them. */
static void
stop_workers(const pid_t *pids, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			(void)kill(pids[i], SIGTERM);
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			(void)waitpid(pids[i], NULL, 0);
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	pid_t			 pids[WORKERS_MAX];
	const char		*path = NULL;
	char			*end;
	long			 n = 1;
	int			 c, fd, i, rc = 0;

	while ((c = getopt(argc, argv, "s:w:")) != -1)
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'w':
			errno = 0;
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno != 0 ||
			    n < 1 || n > WORKERS_MAX)
				usage();
			break;
		default:
			usage();
		}
	if (path == NULL || optind != argc)
		usage();
	(void)unlink(path);
	if (FCGX_Init() != 0 || (fd = FCGX_OpenSocket(path, BACKLOG)) < 0) {
		fprintf(stderr, "fcgi_ceiling: %s: cannot listen\n", path);
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);

	memset(pids, 0, sizeof(pids));
	for (i = 0; i < n; i++) {
		if ((pids[i] = fork()) == -1) {
			fprintf(stderr, "fcgi_ceiling: fork: %s\n",
			    strerror(errno));
			rc = 1;
			break;
		}
		if (pids[i] == 0)
			_exit(worker(fd));
	}

	/* Waits for a stop signal or for a worker to die. */
	while (rc == 0 && !stopping)
		if (wait(NULL) != -1 || errno != EINTR) {
			fprintf(stderr, "fcgi_ceiling: a worker died\n");
			rc = 1;
		}
	stop_workers(pids, (int)n);
	(void)close(fd);
	(void)unlink(path);
	return rc;
}
