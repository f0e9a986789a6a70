/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_SUPERVISE_H
#define HM_SUPERVISE_H

#define	WORKERS_MAX	256

/*
 * Forks "workers" children, each running "child(arg)" and exiting with
 * its return value, and keeps that many alive: a child that dies is
 * replaced (after a second's pause if it died within a second of its
 * start, so that a broken database does not make a fork loop; at once
 * if it was killed with SIGKILL, which comes from outside).  A child
 * gets SIGTERM if the supervisor dies, even by SIGKILL (Linux).  On
 * SIGTERM or SIGINT, passes SIGTERM on, waits for every child to
 * finish its request and exit, and returns 0.
 */
int		 supervise(int workers, int (*child)(void *), void *arg);

#endif /* !HM_SUPERVISE_H */
