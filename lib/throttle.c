/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "extern.h"
#include "throttle.h"

/*
 * Counts the failures of one key in the window.  When they reach "max",
 * "*until" becomes the time the oldest of them leaves the window.
 */
static enum err
count(struct db *db, enum stmt which, const char *key, int64_t since,
    long max, int64_t window, int64_t *until)
{
	sqlite3_stmt	*st = db_stmt(db, which);
	enum err	 e = ERR_OK;
	int		 rc;
	int64_t		 t;

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int64(st, 0) >= max) {
			t = sqlite3_column_int64(st, 1) + window;
			if (t > *until)
				*until = t;
		}
	} else
		e = db_rc(db, rc, "throttle_check");
	sqlite3_reset(st);
	return e;
}

enum err
throttle_check(struct db *db, const struct conf *conf, const char *email,
    const char *address, int64_t now, long *retry_after)
{
	int64_t		 window = conf->signin_failure_window * 1000;
	int64_t		 until = 0;
	enum err	 e;

	*retry_after = 0;
	if ((e = count(db, STMT_THROTTLE_EMAIL, email, now - window,
	    conf->signin_failures_per_account, window, &until)) != ERR_OK ||
	    (e = count(db, STMT_THROTTLE_ADDRESS, address, now - window,
	    conf->signin_failures_per_address, window, &until)) != ERR_OK)
		return e;
	if (until <= now)
		return ERR_OK;
	*retry_after = (long)((until - now + 999) / 1000);
	return ERR_DENIED;
}

enum err
throttle_fail(struct db *db, const struct conf *conf, const char *email,
    const char *address, int64_t now)
{
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_THROTTLE_INSERT);
	sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	e = db_rc(db, sqlite3_step(st), "throttle_fail");
	sqlite3_reset(st);
	if (e == ERR_OK) {
		st = db_stmt(db, STMT_THROTTLE_PRUNE);
		sqlite3_bind_int64(st, 1,
		    now - conf->signin_failure_window * 1000);
		e = db_rc(db, sqlite3_step(st), "throttle_prune");
		sqlite3_reset(st);
	}
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}
