/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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
 * Reads the body of at most BODY_MAX bytes into the pool.  A larger
 * Content-Length is not read at all: the library answers 413.
 */
static void
read_body(FCGX_Request *fr, struct req *r)
{
	const char	*cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	char		*end, *p;
	unsigned long	 n;
	int		 got;
	size_t		 have = 0;

	if (cl == NULL || *cl == '\0')
		return;
	errno = 0;
	n = strtoul(cl, &end, 10);
	if (*end != '\0' || errno != 0 || cl[0] < '0' || cl[0] > '9' ||
	    n > BODY_MAX) {
		r->body_too_large = 1;
		return;
	}
	if (n == 0 || (p = pool_alloc(r->pool, n + 1)) == NULL)
		return;
	while (have < n) {
		got = FCGX_GetStr(p + have, (int)(n - have), fr->in);
		if (got <= 0)
			break;
		have += (size_t)got;
	}
	/* A short body (client gone) is parsed as is and fails there. */
	p[have] = '\0';
	r->body = p;
	r->bodysz = have;
}

static void
read_req(FCGX_Request *fr, struct pool *pool, struct req *r)
{
	enum hdr	 h;

	memset(r, 0, sizeof(*r));
	r->pool = pool;
	r->method_name = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	r->method = http_method(r->method_name);
	r->uri = FCGX_GetParam("REQUEST_URI", fr->envp);
	r->remote_addr = FCGX_GetParam("REMOTE_ADDR", fr->envp);
	r->request_id = FCGX_GetParam("REQUEST_ID", fr->envp);
	for (h = 0; h < HDR__MAX; h++)
		r->hdrs[h] = FCGX_GetParam(http_hdr_cgi(h), fr->envp);
	read_body(fr, r);
}

/*
 * Writes the CGI response; returns 0 if the client went away.  The
 * head is formatted here: libfcgi's own printf knows no "%zu".
 */
static int
write_resp(FCGX_Request *fr, const struct resp *w)
{
	FCGX_Stream	*out = fr->out;
	char		 head[256];
	int		 n;

	if (w->content_type != NULL)
		n = snprintf(head, sizeof(head), "Status: %d %s\r\n"
		    "Content-Type: %s\r\nContent-Length: %zu\r\n", w->status,
		    http_reason(w->status), w->content_type, w->body.len);
	else
		n = snprintf(head, sizeof(head), "Status: %d %s\r\n",
		    w->status, http_reason(w->status));
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    FCGX_PutStr(head, n, out) < 0)
		return 0;
	if (w->headers.len > 0 &&
	    FCGX_PutStr(w->headers.p, (int)w->headers.len, out) < 0)
		return 0;
	if (FCGX_PutStr("\r\n", 2, out) < 0)
		return 0;
	if (w->body.len > 0 &&
	    FCGX_PutStr(w->body.p, (int)w->body.len, out) < 0)
		return 0;
	return FCGX_FFlush(out) == 0;
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
	int		 status = EXIT_FAILURE;

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
		read_req(&fr, pool, &r);
		http_handle(&app, &r, &w);
		if (!write_resp(&fr, &w))
			log_warnx(r.request_id, "client went away mid-answer");
		FCGX_Finish_r(&fr);
		resp_reset(&w);
		pool_reset(pool);
	}
	FCGX_Free(&fr, 0);
out:
	pool_free(pool);
	resp_clear(&w);
	buf_clear(&errmsg);
	app_close(&app);
	return status;
}
