/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_REQUEST_H
#define HM_REQUEST_H

#include <fcgiapp.h>

struct pool;
struct req;
struct resp;

/*
 * Fills "r" from the FastCGI request "fr": method, URI, the headers of
 * enum hdr, the client address, nginx's request id, and the body (at
 * most BODY_MAX bytes; a larger Content-Length is left unread and
 * flagged, for the library's 413).  Strings come from "fr" or "pool".
 */
void		 request_read(FCGX_Request *fr, struct pool *, struct req *r);

/*
 * Writes "w" as the CGI answer: Status, Content-Type and Content-Length
 * when there is a type, the handler's header lines, the body; flushes.
 * Returns 0 if the client went away.
 */
int		 request_write(FCGX_Request *fr, const struct resp *w);

/*
 * Whether nginx closed connection "fd" (POLLHUP), which it does when
 * its client went away or its fastcgi_read_timeout ran out; it sends
 * nothing after a request otherwise.  A Unix-domain socket shows the
 * close at once, TCP only after a reset.
 */
int		 request_gone(int fd);

#endif /* !HM_REQUEST_H */
