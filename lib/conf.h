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
	/* Started as root, the programs become this account (lib/priv.h). */
	char		*service_user;
	enum db_sync	 db_synchronous;
	long		 db_busy_timeout_ms;
	long		 password_iterations;
	long		 password_min_length;
	long		 password_max_length;

	/* Links in mail, and the origins allowed to send unsafe requests. */
	char		*public_url;
	char		*allowed_origins;	/* space-separated */
	char		*activation_url;	/* {uid} and {token} replaced */
	char		*reset_url;

	/* Tokens, cookies and sign-in throttling (SPEC section 4). */
	char		*jwt_issuer;
	char		*jwt_audience;
	long		 access_token_lifetime;	/* seconds */
	long		 refresh_token_lifetime;
	int		 cookie_secure;
	long		 activation_timeout;	/* seconds */
	long		 reset_timeout;
	long		 signin_failures_per_account;
	long		 signin_failures_per_address;
	long		 signin_failure_window;	/* seconds */

	/*
	 * A reading is "low" below heart_rate_low, "high" above
	 * heart_rate_high, else "normal" (SPEC 7.17); both in bpm.
	 */
	long		 heart_rate_low;
	long		 heart_rate_high;
	/* The ward overview calls a patient "stale" past this. */
	long		 monitor_stale_seconds;
	/* Event streams one heartmonitor-stream process holds at once. */
	long		 stream_clients;
	/* hmctl audit prune deletes older rows; 0: keep them for ever. */
	long		 audit_retention_days;
	int		 audit_reads;	/* 0: reads are not recorded */

	/* The mail worker's relay. */
	char		*email_host;
	long		 email_port;
	char		*email_from;
	char		*email_user;		/* "" for no AUTH */
	char		*email_password;
	int		 email_starttls;	/* 1: required, else none */
	long		 email_timeout;		/* seconds, every stage */
	long		 email_max_attempts;
	long		 email_retry_base_seconds;	/* retry after base * 2^n s */
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
