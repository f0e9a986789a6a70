/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_SERVE_H
#define HM_SERVE_H

struct conf;

/*
 * The worker: opens the database (after any fork), then accepts
 * FastCGI requests on "listenfd" one at a time until SIGTERM or SIGINT,
 * letting the request in hand finish.  Returns the exit status.
 */
/*
 * Answers requests on "listenfd" until SIGTERM or SIGINT: one at a time
 * (fcgi/serve.c, the REST worker), or as heartmonitor-stream, holding
 * STREAM_CLIENTS event streams at once (fcgi/stream.c).  Returns the
 * process's exit status.
 */
int		 serve(int listenfd, const struct conf *);
int		 stream_serve(int listenfd, const struct conf *);

#endif /* !HM_SERVE_H */
