/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "rfc3339.h"

#define	LOG_LINE_MAX	1024

static const char	*progname = "heartmonitor";

int64_t
log_clock_us(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
log_init(const char *name)
{

	progname = name;
}

/*
 * Writes the line in one write(2), so that lines of workers sharing
 * stderr never interleave (a pipe write of up to PIPE_BUF is atomic).
 */
static void
log_write(char *line, size_t len)
{

	if (len >= LOG_LINE_MAX - 1)
		len = LOG_LINE_MAX - 2;
	line[len++] = '\n';
	(void)write(STDERR_FILENO, line, len);
}

/* Appends "s" to "line", escaping anything but printable ASCII. */
static size_t
log_safe(char *line, size_t len, const char *s, size_t max)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;

	for (; *s != '\0' && max > 0 && len + 4 < LOG_LINE_MAX; s++, max--) {
		c = (unsigned char)*s;
		if (c > 0x20 && c < 0x7f && c != '%') {
			line[len++] = (char)c;
			continue;
		}
		line[len++] = '%';
		line[len++] = hex[c >> 4];
		line[len++] = hex[c & 0xf];
	}
	line[len] = '\0';
	return len;
}

static size_t
log_prefix(char *line, const char *request_id)
{
	char	 now[RFC3339_STRLEN + 1];
	int	 n;

	if (time_format(time_now_ms(), now) != ERR_OK)
		now[0] = '\0';
	n = snprintf(line, LOG_LINE_MAX, "%s %s[%ld]: req=", now, progname,
	    (long)getpid());
	if (n < 0)
		n = 0;
	return log_safe(line, (size_t)n, request_id != NULL ? request_id :
	    "-", REQUEST_ID_MAX);
}

static void	 log_vmsg(const char *, int, const char *, va_list)
			__attribute__((format(printf, 3, 0)));

static void
log_vmsg(const char *request_id, int errnum, const char *fmt, va_list ap)
{
	char	 line[LOG_LINE_MAX];
	size_t	 len;
	int	 n;

	len = log_prefix(line, request_id);
	line[len++] = ' ';
	n = vsnprintf(line + len, LOG_LINE_MAX - len, fmt, ap);
	if (n > 0)
		len += (size_t)n;
	if (len > LOG_LINE_MAX - 2)
		len = LOG_LINE_MAX - 2;
	if (errnum != 0 && len < LOG_LINE_MAX - 2) {
		n = snprintf(line + len, LOG_LINE_MAX - len, ": %s",
		    strerror(errnum));
		if (n > 0)
			len += (size_t)n;
	}
	log_write(line, len > LOG_LINE_MAX - 2 ? LOG_LINE_MAX - 2 : len);
}

void
log_warnx(const char *request_id, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmsg(request_id, 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *request_id, const char *fmt, ...)
{
	va_list	 ap;
	int	 errnum = errno;

	va_start(ap, fmt);
	log_vmsg(request_id, errnum, fmt, ap);
	va_end(ap);
}

void
log_access(const struct req *r, const struct resp *w)
{
	char		 line[LOG_LINE_MAX];
	size_t		 len;
	int		 k;

	len = log_prefix(line, r->request_id);
	line[len++] = ' ';
	len = log_safe(line, len, r->method_name != NULL ? r->method_name :
	    "-", 16);
	line[len++] = ' ';
	/*
	 * The path only, as dispatch cleared it for the log: never the
	 * query (it may hold a patient's name) nor a token in the path.
	 */
	len = log_safe(line, len, r->log_path != NULL ? r->log_path : "-",
	    256);
	k = snprintf(line + len, LOG_LINE_MAX - len, " %d %.3fms user=",
	    w->status, (double)(log_clock_us() - r->start_us) / 1000.0);
	if (k > 0 && (size_t)k < LOG_LINE_MAX - len)
		len += (size_t)k;
	len = log_safe(line, len, r->who != NULL ? r->who->user_id : "-", 64);
	log_write(line, len);
}
