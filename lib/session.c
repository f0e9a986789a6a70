/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sqlite3.h>

#include "db.h"
#include "extern.h"
#include "rfc3339.h"
#include "session.h"

static const char *const reasons[SESSION__MAX] = {
	"logout",		/* SESSION_LOGOUT */
	"reuse",		/* SESSION_REUSE */
	"password_reset",	/* SESSION_PASSWORD_RESET */
	"deactivated",		/* SESSION_DEACTIVATED */
	"role_change",		/* SESSION_ROLE_CHANGE */
};

enum err
session_open(struct db *db, const char *user_id, int64_t now, int64_t expires,
    char sid[UUID_STRLEN + 1], char jti[UUID_STRLEN + 1])
{
	char		 created[RFC3339_STRLEN + 1];
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = uuid_v7(now, sid)) != ERR_OK ||
	    (e = uuid_v7(now, jti)) != ERR_OK ||
	    (e = time_format(now, created)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_SESSION_INSERT);
	sqlite3_bind_text(st, 1, sid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, jti, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, created, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, expires);
	e = db_rc(db, sqlite3_step(st), "session_open");
	sqlite3_reset(st);
	return e;
}

enum err
session_principal(struct db *db, const char *sid, const char *user_id,
    int64_t now, enum role *role)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SESSION_PRINCIPAL);
	enum err	 e = ERR_NOTFOUND;
	int		 rc;

	sqlite3_bind_text(st, 1, sid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*role = http_role((const char *)sqlite3_column_text(st, 0));
		e = *role == ROLE__MAX ? ERR_DB : ERR_OK;
	} else if (rc != SQLITE_DONE)
		e = db_rc(db, rc, "session_principal");
	sqlite3_reset(st);
	return e;
}

/* Returns 1 if session "sid" exists and has not ended, else 0. */
static int
session_exists(struct db *db, const char *sid)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SESSION_GET);
	int		 alive;

	sqlite3_bind_text(st, 1, sid, -1, SQLITE_STATIC);
	alive = sqlite3_step(st) == SQLITE_ROW && !sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return alive;
}

enum err
session_rotate(struct db *db, const char *sid, const char *user_id,
    const char *old_jti, const char *new_jti, int64_t now, int64_t expires)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_SESSION_ROTATE);
	enum err	 e;

	sqlite3_bind_text(st, 1, new_jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_int64(st, 3, expires);
	sqlite3_bind_text(st, 4, sid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, user_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, old_jti, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, now);
	e = db_rc(db, sqlite3_step(st), "session_rotate");
	if (e == ERR_OK && sqlite3_changes(sqlite3_db_handle(st)) == 0)
		e = ERR_NOTFOUND;
	sqlite3_reset(st);
	if (e != ERR_NOTFOUND || !session_exists(db, sid))
		return e;
	/* Reuse detection (RFC 9700 section 4.14.2): end the session. */
	if ((e = session_end(db, sid, SESSION_REUSE, now)) != ERR_OK)
		return e;
	return ERR_DENIED;
}

static enum err
session_end_by(struct db *db, enum stmt which, const char *key,
    enum session_end why, int64_t now)
{
	char		 ended[RFC3339_STRLEN + 1];
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = time_format(now, ended)) != ERR_OK)
		return e;
	st = db_stmt(db, which);
	sqlite3_bind_text(st, 1, ended, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reasons[why], -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	e = db_rc(db, sqlite3_step(st), "session_end");
	sqlite3_reset(st);
	return e;
}

enum err
session_end(struct db *db, const char *sid, enum session_end why, int64_t now)
{

	return session_end_by(db, STMT_SESSION_END, sid, why, now);
}

enum err
session_end_user(struct db *db, const char *user_id, enum session_end why,
    int64_t now)
{

	return session_end_by(db, STMT_SESSION_END_USER, user_id, why, now);
}
