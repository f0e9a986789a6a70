/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sqlite3.h>

#include "db.h"
#include "extern.h"
#include "pool.h"
#include "rfc3339.h"
#include "user.h"
#include "uuid.h"

enum err
user_insert(struct db *db, struct pool *pool, struct user *u,
    const char *pwhash)
{
	char		 id[UUID_STRLEN + 1], now[RFC3339_STRLEN + 1];
	sqlite3_stmt	*st;
	int64_t		 ms = time_now_ms();
	enum err	 e;

	if ((e = uuid_v7(ms, id)) != ERR_OK ||
	    (e = time_format(ms, now)) != ERR_OK)
		return e;
	if ((u->id = pool_strdup(pool, id)) == NULL ||
	    (u->date_joined = pool_strdup(pool, now)) == NULL)
		return ERR_NOMEM;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_USER_INSERT);
	sqlite3_bind_text(st, 1, u->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, u->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, pwhash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, u->first_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, u->last_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, http_role_str(u->role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, u->phone_number, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, u->is_active ? 1 : 0);
	sqlite3_bind_text(st, 9, u->date_joined, -1, SQLITE_STATIC);
	e = db_rc(db, sqlite3_step(st), "user_insert");
	sqlite3_reset(st);
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
user_list(struct db *db, struct pool *pool,
    void (*fn)(const struct user *, void *), void *arg)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_USER_LIST);
	struct user	 u;
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		u.id = db_col_text(pool, st, 0);
		u.email = db_col_text(pool, st, 1);
		u.first_name = db_col_text(pool, st, 2);
		u.last_name = db_col_text(pool, st, 3);
		u.role = http_role((const char *)sqlite3_column_text(st, 4));
		u.phone_number = db_col_text(pool, st, 5);
		u.is_active = sqlite3_column_int(st, 6);
		u.date_joined = db_col_text(pool, st, 7);
		u.last_login = db_col_text(pool, st, 8);
		fn(&u, arg);
	}
	sqlite3_reset(st);
	return db_rc(db, rc, "user_list");
}

/* Runs an UPDATE of one user by email in a write transaction. */
static enum err
user_update(struct db *db, sqlite3_stmt *st, const char *op)
{
	enum err	 e;

	e = db_rc(db, sqlite3_step(st), op);
	if (e == ERR_OK && sqlite3_changes(sqlite3_db_handle(st)) == 0)
		e = ERR_NOTFOUND;
	sqlite3_reset(st);
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
user_set_active(struct db *db, const char *email, int active)
{
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_USER_SET_ACTIVE);
	sqlite3_bind_int(st, 1, active ? 1 : 0);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	return user_update(db, st, "user_set_active");
}

enum err
user_set_role(struct db *db, const char *email, enum role role)
{
	sqlite3_stmt	*st;
	enum err	 e;

	if (role >= ROLE__MAX)
		return ERR_INVAL;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_USER_SET_ROLE);
	sqlite3_bind_text(st, 1, http_role_str(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	return user_update(db, st, "user_set_role");
}
