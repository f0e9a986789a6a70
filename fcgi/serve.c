/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "app.h"
#include "http.h"
#include "log.h"
#include "pool.h"
#include "request.h"
#include "serve.h"

static volatile sig_atomic_t	 stopping;

static void
on_stop(int sig)
{

	(void)sig;
	stopping = 1;
}

/*
 * Our handlers replace the ones FCGX_Init installs.  SIGTERM and SIGINT
 * stay blocked except while waiting for a connection (wait_ready), so a
 * request in hand always finishes.  libfcgi is not told of the shutdown
 * (FCGX_ShutdownPending): its accept loop would then spin on a closed
 * descriptor when the signal lands while it waits for a request's data.
 * "waitmask" gets the mask to wait with.
 */
static void
serve_signals(sigset_t *waitmask)
{
	struct sigaction	 sa;
	sigset_t		 stop;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	/* A client gone mid-answer is an error on its stream, not death. */
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &stop, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
}

/*
 * Waits until a connection may be accepted on "fd" (non-blocking, so
 * that a sibling worker taking it first costs an EAGAIN, not a hang),
 * with the stop signals open.  Returns 0 once one has arrived: ppoll()
 * finding the socket ready leaves a signal pending, so look for it.
 */
static int
wait_ready(int fd, const sigset_t *waitmask)
{
	struct pollfd	 pfd;
	sigset_t	 pending;

	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (ppoll(&pfd, 1, NULL, waitmask) == -1 && errno != EINTR)
		log_warn(NULL, "ppoll");
	if (stopping)
		return 0;
	if (sigpending(&pending) == 0 && (sigismember(&pending, SIGTERM) ||
	    sigismember(&pending, SIGINT)))
		return 0;
	return 1;
}

/*
 * Gives the heap's free pages back to the system after a big request
 * (a batch of readings, the ward overview), which would otherwise stay
 * in the worker's resident memory until it exits.
 */
static void
trim(void)
{

#ifdef __GLIBC__
	(void)malloc_trim(0);
#endif
}

int
serve(int listenfd, const struct conf *conf)
{
	struct app	 app;
	struct buf	 errmsg;
	struct pool	*pool;
	struct req	 r;
	struct resp	 w;
	FCGX_Request	 fr;
	sigset_t	 waitmask;
	int		 status = EXIT_FAILURE, big;

	buf_init(&errmsg);
	resp_init(&w);
	if (app_open(&app, conf, &errmsg) != ERR_OK) {
		log_warnx(NULL, "%s", buf_str(&errmsg));
		buf_clear(&errmsg);
		return EXIT_FAILURE;
	}
	if ((pool = pool_new()) == NULL || FCGX_Init() != 0 ||
	    FCGX_InitRequest(&fr, listenfd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_warnx(NULL, "serve: cannot initialise");
		goto out;
	}
	serve_signals(&waitmask);
	(void)fcntl(listenfd, F_SETFL, fcntl(listenfd, F_GETFL) | O_NONBLOCK);
	status = EXIT_SUCCESS;
	while (wait_ready(listenfd, &waitmask)) {
		if (FCGX_Accept_r(&fr) < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			log_warn(NULL, "FCGX_Accept_r");
			status = EXIT_FAILURE;
			break;
		}
		request_read(&fr, pool, &r);
		/* Its client gave up while it queued: drop it, unanswered. */
		r.gone = request_gone(fr.ipcFd);
		http_handle(&app, &r, &w);
		if (!r.gone && !request_write(&fr, &w))
			log_warnx(r.request_id, "client went away mid-answer");
		FCGX_Finish_r(&fr);
		big = pool_used(pool) > RESP_KEEP || w.body.cap > RESP_KEEP;
		resp_reset(&w);
		pool_reset(pool);
		if (big)
			trim();
	}
	FCGX_Free(&fr, 0);
out:
	pool_free(pool);
	resp_clear(&w);
	buf_clear(&errmsg);
	app_close(&app);
	return status;
}
