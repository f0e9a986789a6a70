/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

/* The files SQLite keeps for a database, besides the database. */
static const char *const db_suffixes[] = { "", "-wal", "-shm", "-journal" };

/* "uid N (name)", or "uid N" for an id without an account. */
static void
who(char *s, size_t sz, uid_t uid)
{
	struct passwd	*pw;

	if ((pw = getpwuid(uid)) != NULL)
		(void)snprintf(s, sz, "uid %ld (%s)", (long)uid, pw->pw_name);
	else
		(void)snprintf(s, sz, "uid %ld", (long)uid);
}

enum err
priv_lookup(struct priv *p, const char *user, struct buf *errmsg)
{
	struct passwd	*pw;

	memset(p, 0, sizeof(*p));
	p->root = 1;
	if (user == NULL || *user == '\0') {
		buf_puts(errmsg, "started as root, and SERVICE_USER is empty: "
		    "set it to the account to run as (never root), or start "
		    "the program as that account");
		return ERR_INVAL;
	}
	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		if (errno != 0 && errno != ENOENT && errno != ESRCH &&
		    errno != EBADF && errno != EPERM)
			buf_printf(errmsg, "SERVICE_USER %s: cannot look the "
			    "account up: %s", user, strerror(errno));
		else
			buf_printf(errmsg, "started as root, and SERVICE_USER "
			    "%s names no account: create it (the Debian package "
			    "creates heartmonitor), or name another", user);
		return ERR_INVAL;
	}
	if (pw->pw_uid == 0) {
		buf_printf(errmsg, "SERVICE_USER %s is root (uid 0): name an "
		    "unprivileged account", user);
		return ERR_INVAL;
	}
	if (pw->pw_gid == 0) {
		buf_printf(errmsg, "SERVICE_USER %s has root's group (gid 0) "
		    "as its own: give it a group of its own", user);
		return ERR_INVAL;
	}
	if (snprintf(p->home, sizeof(p->home), "%s", pw->pw_dir) >=
	    (int)sizeof(p->home)) {
		buf_printf(errmsg, "SERVICE_USER %s: home folder name too long",
		    user);
		return ERR_INVAL;
	}
	p->name = user;
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	return ERR_OK;
}

enum err
priv_init(struct priv *p, const char *user, struct buf *errmsg)
{
	uid_t	 r, e, s;

	(void)umask(077);
	memset(p, 0, sizeof(*p));
	if (getresuid(&r, &e, &s) == -1) {
		buf_printf(errmsg, "getresuid: %s", strerror(errno));
		return ERR_SYS;
	}
	if (r != 0 && e != 0 && s != 0)
		return ERR_OK;
	return priv_lookup(p, user, errmsg);
}

enum err
priv_drop(const struct priv *p, struct buf *errmsg)
{
	gid_t	*groups, rg, eg, sg;
	uid_t	 ru, eu, su;
	int	 i, n, in_root = 0;

	if (!p->root)
		return ERR_OK;
	if (initgroups(p->name, p->gid) == -1) {
		buf_printf(errmsg, "cannot become SERVICE_USER %s: "
		    "initgroups: %s", p->name, strerror(errno));
		return ERR_SYS;
	}
	if (setresgid(p->gid, p->gid, p->gid) == -1 ||
	    setresuid(p->uid, p->uid, p->uid) == -1) {
		buf_printf(errmsg, "cannot become SERVICE_USER %s: %s",
		    p->name, strerror(errno));
		return ERR_SYS;
	}
	/* Then make sure: every id is the account's, and root is gone. */
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != p->uid || eu != p->uid || su != p->uid ||
	    rg != p->gid || eg != p->gid || sg != p->gid) {
		buf_printf(errmsg, "SERVICE_USER %s: the user and group ids "
		    "did not all change", p->name);
		return ERR_SYS;
	}
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1 ||
	    setegid(0) != -1) {
		buf_printf(errmsg, "SERVICE_USER %s: could become root again "
		    "after dropping root", p->name);
		return ERR_SYS;
	}
	if ((n = getgroups(0, NULL)) == -1 ||
	    (groups = calloc((size_t)n + 1, sizeof(*groups))) == NULL) {
		buf_printf(errmsg, "getgroups: %s", strerror(errno));
		return ERR_SYS;
	}
	if ((n = getgroups(n + 1, groups)) == -1) {
		buf_printf(errmsg, "getgroups: %s", strerror(errno));
		free(groups);
		return ERR_SYS;
	}
	for (i = 0; i < n; i++)
		in_root |= groups[i] == 0;
	free(groups);
	if (in_root) {
		buf_printf(errmsg, "SERVICE_USER %s is a member of root's "
		    "group (gid 0): take it out", p->name);
		return ERR_INVAL;
	}
	if (setenv("HOME", p->home, 1) == -1 ||
	    setenv("USER", p->name, 1) == -1 ||
	    setenv("LOGNAME", p->name, 1) == -1) {
		buf_printf(errmsg, "setenv: %s", strerror(errno));
		return ERR_SYS;
	}
	return ERR_OK;
}

void
priv_log(const struct priv *p)
{

	if (p->root)
		log_warnx(NULL, "started as root: running as %s (uid %ld, "
		    "gid %ld)", p->name, (long)p->uid, (long)p->gid);
}

/* The folder of "path" into "dir": "." for a bare name, "/" for "/x". */
static int
folder_of(const char *path, char *dir, size_t dirsz)
{
	const char	*slash;
	size_t		 n;

	if ((slash = strrchr(path, '/')) == NULL)
		return snprintf(dir, dirsz, ".") < (int)dirsz;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= dirsz)
		return 0;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 1;
}

enum err
priv_check_db(const char *path, struct buf *errmsg)
{
	struct stat	 st;
	char		 dir[PATH_MAX], file[PATH_MAX], owner[64], me[64];
	uid_t		 uid = geteuid();
	size_t		 i;

	if (!folder_of(path, dir, sizeof(dir))) {
		buf_printf(errmsg, "%s: path too long", path);
		return ERR_INVAL;
	}
	if (stat(dir, &st) == -1) {
		buf_printf(errmsg, "database folder %s: %s", dir,
		    strerror(errno));
		return ERR_SYS;
	}
	who(me, sizeof(me), uid);
	if (!S_ISDIR(st.st_mode)) {
		buf_printf(errmsg, "database folder %s: not a folder", dir);
		return ERR_INVAL;
	}
	if (st.st_uid != uid) {
		who(owner, sizeof(owner), st.st_uid);
		buf_printf(errmsg, "database folder %s belongs to %s, but this "
		    "program runs as %s: chown it to the service user, or run "
		    "the program as the folder's owner (or as root, with "
		    "SERVICE_USER naming it)", dir, owner, me);
		return ERR_INVAL;
	}
	if ((st.st_mode & 077) != 0) {
		buf_printf(errmsg, "database folder %s is open to group or "
		    "others (mode %04o): chmod 0700 it, so that only the "
		    "service user can reach the database", dir,
		    (unsigned)(st.st_mode & 07777));
		return ERR_INVAL;
	}
	for (i = 0; i < sizeof(db_suffixes) / sizeof(db_suffixes[0]); i++) {
		if (snprintf(file, sizeof(file), "%s%s", path,
		    db_suffixes[i]) >= (int)sizeof(file)) {
			buf_printf(errmsg, "%s: path too long", path);
			return ERR_INVAL;
		}
		if (stat(file, &st) == -1) {
			if (errno == ENOENT)
				continue;
			buf_printf(errmsg, "%s: %s", file, strerror(errno));
			return ERR_SYS;
		}
		if (!S_ISREG(st.st_mode)) {
			buf_printf(errmsg, "%s: not a regular file", file);
			return ERR_INVAL;
		}
		if (st.st_uid != uid) {
			who(owner, sizeof(owner), st.st_uid);
			buf_printf(errmsg, "%s belongs to %s, but this program "
			    "runs as %s: chown it to the service user (a file "
			    "root made locks the service out)", file, owner,
			    me);
			return ERR_INVAL;
		}
		if ((st.st_mode & 077) == 0)
			continue;
		if (chmod(file, st.st_mode & 0700) == -1) {
			buf_printf(errmsg, "%s is open to group or others "
			    "(mode %04o), and chmod failed: %s", file,
			    (unsigned)(st.st_mode & 07777), strerror(errno));
			return ERR_SYS;
		}
		log_warnx(NULL, "%s was open to group or others (mode %04o): "
		    "made it %04o", file, (unsigned)(st.st_mode & 07777),
		    (unsigned)(st.st_mode & 0700));
	}
	return ERR_OK;
}
