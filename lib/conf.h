/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_CONF_H
#define HM_CONF_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

#define	SECRET_KEY_MIN	32	/* bytes; RFC 7518 section 3.2 */

enum	db_sync {
	DB_SYNC_OFF,
	DB_SYNC_NORMAL,
	DB_SYNC_FULL,
	DB_SYNC_EXTRA
};

/*
 * The service configuration: a KEY=VALUE file overridden by environment
 * variables of the same names (SPEC section 6).  Every key is listed,
 * with its type, default and bounds, in the table of conf.c and in
 * etc/heartmonitor.conf.example.
 */
struct	conf {
	char		*secret_key;
	char		*database_path;
	enum db_sync	 db_synchronous;
	long		 db_busy_timeout_ms;
	char		*public_url;
	long		 password_iterations;
	int		 cookie_secure;
	char		*email_host;
	long		 email_port;
	char		*email_from;
};

/*
 * Loads the defaults, then the file "path" (NULL for none), then the
 * environment.  On failure "errmsg" holds one line naming the key (and
 * the file and line) and the conf is cleared.  A missing or short
 * SECRET_KEY is an error unless "need_secret" is 0 (for hmctl commands
 * that never sign anything).
 * Free with conf_clear().
 */
enum err	 conf_load(struct conf *, const char *path, int need_secret,
		    struct buf *errmsg);
void		 conf_clear(struct conf *);

/*
 * Writes every key and its effective value to "out", one KEY=VALUE a
 * line, with secrets shown as "(set, N bytes)".
 */
enum err	 conf_dump(const struct conf *, struct buf *out);

#endif /* !HM_CONF_H */
