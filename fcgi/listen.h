/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_LISTEN_H
#define HM_LISTEN_H

#include <sys/types.h>

#include "buf.h"

/*
 * Opens a listening socket for "spec", "unix:PATH" or "HOST:PORT".  A
 * stale socket file at PATH is replaced; the new one is mode 0660 so
 * that nginx's group can connect; its backlog is 64 until
 * listen_backlog() sets another.  Returns the descriptor, or -1 with the
 * reason in "errmsg".
 */
int		 listen_open(const char *spec, struct buf *errmsg);

/*
 * Sets the backlog of "fd", a socket that listens already: how many
 * connections may wait to be accepted (the kernel caps it at
 * net.core.somaxconn).  Returns 0, or -1 with the reason in "errmsg".
 */
int		 listen_backlog(int fd, int backlog, struct buf *errmsg);

/*
 * For a program started as root that is about to become the account
 * "uid" (lib/priv.h): makes the socket file of a "unix:PATH" spec that
 * account's, as if it had made it: owner "uid", and group "gid" unless
 * the socket's folder is set-group-ID (then the folder's group, which
 * the socket got, stays).  Without that the service would be locked
 * out of its own socket.  Returns 0, or -1 with the reason in "errmsg";
 * a no-op for HOST:PORT.
 */
int		 listen_give(const char *spec, uid_t uid, gid_t gid,
		    struct buf *errmsg);

/*
 * Returns the socket passed by systemd socket activation (LISTEN_PID is
 * us and LISTEN_FDS is 1: descriptor 3), or -1 when there is none.
 * Clears the variables so that children do not see them.
 */
int		 listen_systemd(void);

/* Returns 1 if descriptor "fd" is a listening socket (spawn-fcgi's fd 0). */
int		 listen_is_socket(int fd);

/* Removes the socket file of a "unix:PATH" spec; no-op otherwise. */
void		 listen_close(const char *spec, int fd);

#endif /* !HM_LISTEN_H */
