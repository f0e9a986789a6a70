/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_LOG_H
#define HM_LOG_H

#include <stdint.h>

struct req;
struct resp;

/*
 * Log lines go to stderr, one line each, prefixed with the UTC time,
 * the program name and pid, and the request id when there is one.
 * Never pass a password, a token, a cookie or patient data.
 */
void		 log_init(const char *progname);
/* Microseconds on the monotonic clock, for request durations. */
int64_t		 log_clock_us(void);
void		 log_warnx(const char *request_id, const char *fmt, ...)
			__attribute__((format(printf, 2, 3)));
/* As log_warnx, with ": strerror(errno)" appended. */
void		 log_warn(const char *request_id, const char *fmt, ...)
			__attribute__((format(printf, 2, 3)));
/*
 * The access-log line: time, request id, method, path (never the query,
 * which may hold a patient's name), status, duration and user id.
 */
void		 log_access(const struct req *, const struct resp *);

#endif /* !HM_LOG_H */
