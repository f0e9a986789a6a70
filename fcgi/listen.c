/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"

/* The program may set another with listen_backlog() (main.c). */
#define	LISTEN_BACKLOG	64
#define	SD_LISTEN_FDS_START 3

static int
listen_unix(const char *path, struct buf *errmsg)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path) >=
	    (int)sizeof(sun.sun_path)) {
		buf_printf(errmsg, "%s: socket path too long", path);
		return -1;
	}
	/* Replace a stale socket, never any other kind of file. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		buf_printf(errmsg, "socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0660) == -1 || listen(fd, LISTEN_BACKLOG) == -1) {
		buf_printf(errmsg, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int
listen_tcp(const char *hostport, struct buf *errmsg)
{
	struct addrinfo	 hints, *res, *ai;
	char		 host[256];
	const char	*colon;
	int		 fd = -1, on = 1, rc;

	if ((colon = strrchr(hostport, ':')) == NULL ||
	    (size_t)(colon - hostport) >= sizeof(host) || colon[1] == '\0') {
		buf_printf(errmsg, "%s: expected unix:PATH or HOST:PORT",
		    hostport);
		return -1;
	}
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] != '\0' ? host : NULL, colon + 1,
	    &hints, &res)) != 0) {
		buf_printf(errmsg, "%s: %s", hostport, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
		if (fd == -1)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, LISTEN_BACKLOG) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd == -1)
		buf_printf(errmsg, "%s: %s", hostport, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

int
listen_open(const char *spec, struct buf *errmsg)
{

	if (strncmp(spec, "unix:", 5) == 0)
		return listen_unix(spec + 5, errmsg);
	return listen_tcp(spec, errmsg);
}

int
listen_give(const char *spec, uid_t uid, gid_t gid, struct buf *errmsg)
{
	struct stat	 st;
	const char	*path, *slash;
	char		 dir[sizeof(((struct sockaddr_un *)NULL)->sun_path)];

	if (strncmp(spec, "unix:", 5) != 0)
		return 0;
	path = spec + 5;
	if ((slash = strrchr(path, '/')) == NULL)
		(void)snprintf(dir, sizeof(dir), ".");
	else
		(void)snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 :
		    (int)(slash - path), path);
	if (stat(dir, &st) == 0 && (st.st_mode & S_ISGID))
		gid = (gid_t)-1;
	if (lchown(path, uid, gid) == -1) {
		buf_printf(errmsg, "%s: chown: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * listen(2) again on a socket that already listens only sets its
 * backlog (Linux; POSIX leaves it open): how a socket handed over by
 * systemd or spawn-fcgi gets the --backlog asked for.
 */
int
listen_backlog(int fd, int backlog, struct buf *errmsg)
{

	if (listen(fd, backlog) == -1) {
		buf_printf(errmsg, "listen: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
listen_systemd(void)
{
	const char	*pid, *fds;
	int		 fd = -1;

	pid = getenv("LISTEN_PID");
	fds = getenv("LISTEN_FDS");
	if (pid != NULL && fds != NULL && strtol(pid, NULL, 10) == getpid() &&
	    strcmp(fds, "1") == 0 && listen_is_socket(SD_LISTEN_FDS_START)) {
		fd = SD_LISTEN_FDS_START;
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	(void)unsetenv("LISTEN_PID");
	(void)unsetenv("LISTEN_FDS");
	(void)unsetenv("LISTEN_FDNAMES");
	return fd;
}

int
listen_is_socket(int fd)
{
	int		 on = 0;
	socklen_t	 len = sizeof(on);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 &&
	    on;
}

void
listen_close(const char *spec, int fd)
{

	if (fd != -1)
		close(fd);
	if (spec != NULL && strncmp(spec, "unix:", 5) == 0)
		(void)unlink(spec + 5);
}
