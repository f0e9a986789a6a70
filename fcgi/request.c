/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "http.h"
#include "pool.h"
#include "request.h"

/*
 * The only place that turns FastCGI into the library's struct req and
 * a struct resp back into FastCGI, for both programs.
 */

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

void
request_read(FCGX_Request *fr, struct pool *pool, struct req *r)
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

/* The head is formatted here: libfcgi's own printf knows no "%zu". */
int
request_write(FCGX_Request *fr, const struct resp *w)
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
request_gone(int fd)
{
	struct pollfd	 pfd = { fd, 0, 0 };	/* POLLHUP comes anyway */

	return poll(&pfd, 1, 0) == 1 &&
	    (pfd.revents & (POLLHUP | POLLERR)) != 0;
}
