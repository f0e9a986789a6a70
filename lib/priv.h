/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_PRIV_H
#define HM_PRIV_H

#include <sys/types.h>

#include <limits.h>

#include "buf.h"
#include "err.h"

/*
 * Least privilege, the way OpenBSD's daemons do it (issue #9).  No
 * program ever runs as root.  One started as root (any of its real,
 * effective or saved user ids 0) looks up the account SERVICE_USER
 * names, does what needs root (opens the --listen socket), then becomes
 * that account for good (initgroups, setresgid, setresuid), checks that
 * it cannot become root again, and only then touches the database.
 * Without an account to become it refuses to start.  A program started
 * by any other account stays that account: it cannot switch, and
 * SERVICE_USER is not consulted.
 *
 * Each program calls, in this order: priv_init() once the configuration
 * is loaded, whatever needs root, priv_drop(), then priv_check_db()
 * before it opens the database.
 */
struct	priv {
	int		 root;	/* started as root: priv_drop() switches */
	const char	*name;	/* the account, when root */
	uid_t		 uid;
	gid_t		 gid;
	char		 home[PATH_MAX];	/* the account's home folder */
};

/*
 * Sets the umask to 077, so that the database and its -wal and -shm
 * files are created mode 0600, and decides: started as root, looks up
 * "user" (SERVICE_USER) and fails, saying why, when it is empty, names
 * no account, or names root or an account whose group is root's.  Not
 * root: nothing to look up ("user" is ignored).  "user" must outlive
 * the priv.
 */
enum err	 priv_init(struct priv *, const char *user, struct buf *errmsg);

/* priv_init()'s look-up of the account, as if started as root. */
enum err	 priv_lookup(struct priv *, const char *user,
		    struct buf *errmsg);

/*
 * Started as root, becomes the account of priv_init() for good: its
 * groups, then its group id, then its user id (real, effective and
 * saved), and fails unless all of them are the account's and setuid(0)
 * fails.  Then sets HOME, USER and LOGNAME to the account's, as login,
 * runuser and systemd's User= do (libESMTP looks for certificates under
 * HOME, and root's would be out of reach).  Otherwise does nothing.  Call it before fork() and before
 * any thread is started.
 */
enum err	 priv_drop(const struct priv *, struct buf *errmsg);

/* Logs the switch priv_drop() made, if it made one (the daemons do). */
void		 priv_log(const struct priv *);

/*
 * Checks the database file "path" (DATABASE_PATH) before it is opened,
 * as the account the program now runs as: its folder must be owned by
 * that account and open to nobody else (no group or other permission:
 * mode 0700), or it fails, naming the folder and what to do.  Of the
 * database and its -wal, -shm and -journal files, those that exist must
 * be owned by the account too (a file root made would lock it out
 * later); one open to group or others is made mode 0600 (its owner's
 * bits kept), with a warning in the log.
 */
enum err	 priv_check_db(const char *path, struct buf *errmsg);

#endif /* !HM_PRIV_H */
