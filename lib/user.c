/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sqlite3.h>

#include "db.h"
#include "extern.h"
#include "json.h"
#include "pool.h"
#include "rfc3339.h"
#include "session.h"
#include "user.h"
#include "uuid.h"

void
user_json(struct json *j, const char *key, const struct user *u)
{

	json_obj_open(j, key);
	json_str(j, "id", u->id);
	json_str(j, "email", u->email);
	json_str(j, "first_name", u->first_name);
	json_str(j, "last_name", u->last_name);
	json_str(j, "user_role", http_role_str(u->role));
	json_str(j, "gender", u->gender);
	json_str(j, "phone_number", u->phone_number);
	json_str(j, "address_line_1", u->address_line_1);
	json_str(j, "address_line_2", u->address_line_2);
	json_str(j, "city", u->city);
	json_str(j, "state", u->state);
	json_str(j, "country", u->country);
	json_str(j, "date_joined", u->date_joined);
	json_str(j, "last_login", u->last_login);
	json_obj_close(j);
}

/* Reads a row of USER_COLUMNS (lib/stmt.c) into "u". */
static void
user_row(struct pool *pool, sqlite3_stmt *st, struct user *u)
{

	u->id = db_col_text(pool, st, 0);
	u->email = db_col_text(pool, st, 1);
	u->password = db_col_text(pool, st, 2);
	u->first_name = db_col_text(pool, st, 3);
	u->last_name = db_col_text(pool, st, 4);
	u->role = http_role((const char *)sqlite3_column_text(st, 5));
	u->gender = db_col_text(pool, st, 6);
	u->phone_number = db_col_text(pool, st, 7);
	u->address_line_1 = db_col_text(pool, st, 8);
	u->address_line_2 = db_col_text(pool, st, 9);
	u->city = db_col_text(pool, st, 10);
	u->state = db_col_text(pool, st, 11);
	u->country = db_col_text(pool, st, 12);
	u->is_active = sqlite3_column_int(st, 13);
	u->date_joined = db_col_text(pool, st, 14);
	u->last_login = db_col_text(pool, st, 15);
}

enum err
user_insert(struct db *db, struct pool *pool, struct user *u)
{
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = db_new_row(pool, time_now_ms(), &u->id, &u->date_joined)) !=
	    ERR_OK)
		return e;
	st = db_stmt(db, STMT_USER_INSERT);
	db_bind_text(st, 1, u->id);
	db_bind_text(st, 2, u->email);
	db_bind_text(st, 3, u->password);
	db_bind_text(st, 4, u->first_name);
	db_bind_text(st, 5, u->last_name);
	db_bind_text(st, 6, http_role_str(u->role));
	db_bind_text(st, 7, u->gender);
	db_bind_text(st, 8, u->phone_number);
	db_bind_text(st, 9, u->address_line_1);
	db_bind_text(st, 10, u->address_line_2);
	db_bind_text(st, 11, u->city);
	db_bind_text(st, 12, u->state);
	db_bind_text(st, 13, u->country);
	sqlite3_bind_int(st, 14, u->is_active ? 1 : 0);
	db_bind_text(st, 15, u->date_joined);
	return db_write(db, st, "user_insert");
}

static enum err
user_by(struct db *db, struct pool *pool, enum stmt which, const char *key,
    struct user *u)
{
	sqlite3_stmt	*st = db_stmt(db, which);
	int		 rc;
	enum err	 e = ERR_OK;

	db_bind_text(st, 1, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		user_row(pool, st, u);
	else if ((e = db_rc(db, rc, "user_by")) == ERR_OK)
		e = ERR_NOTFOUND;
	sqlite3_reset(st);
	return e;
}

enum err
user_by_email(struct db *db, struct pool *pool, const char *email,
    struct user *u)
{

	return user_by(db, pool, STMT_USER_BY_EMAIL, email, u);
}

enum err
user_by_id(struct db *db, struct pool *pool, const char *id, struct user *u)
{

	return user_by(db, pool, STMT_USER_BY_ID, id, u);
}

enum err
user_activate(struct db *db, const char *id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_USER_ACTIVATE);

	db_bind_text(st, 1, id);
	return db_write(db, st, "user_activate");
}

enum err
user_set_password(struct db *db, const char *id, const char *hash)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_USER_SET_PASSWORD);

	db_bind_text(st, 1, hash);
	db_bind_text(st, 2, id);
	return db_write(db, st, "user_set_password");
}

enum err
user_signed_in(struct db *db, const char *id, const char *now)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_USER_SIGNED_IN);

	db_bind_text(st, 1, now);
	db_bind_text(st, 2, id);
	return db_write(db, st, "user_signed_in");
}

enum err
user_update_profile(struct db *db, const struct user *u)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_USER_UPDATE_PROFILE);

	db_bind_text(st, 1, u->first_name);
	db_bind_text(st, 2, u->last_name);
	db_bind_text(st, 3, u->phone_number);
	db_bind_text(st, 4, u->gender);
	db_bind_text(st, 5, u->address_line_1);
	db_bind_text(st, 6, u->address_line_2);
	db_bind_text(st, 7, u->city);
	db_bind_text(st, 8, u->state);
	db_bind_text(st, 9, u->country);
	db_bind_text(st, 10, u->id);
	return db_write(db, st, "user_update_profile");
}

enum err
user_list(struct db *db, struct pool *pool,
    void (*fn)(const struct user *, void *), void *arg)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_USER_LIST);
	struct user	 u;
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		user_row(pool, st, &u);
		fn(&u, arg);
	}
	sqlite3_reset(st);
	return db_rc(db, rc, "user_list");
}

/*
 * Runs "st" (bound but for its last parameter, the user id) on the user
 * with "email", then ends that user's sessions for "why" (unless it is
 * SESSION__MAX), all in one transaction.
 */
static enum err
user_change(struct db *db, struct pool *pool, const char *email,
    sqlite3_stmt *st, int last, enum session_end why)
{
	struct user	 u;
	enum err	 e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = user_by_email(db, pool, email, &u)) == ERR_OK) {
		db_bind_text(st, last, u.id);
		e = db_write(db, st, "user_change");
	} else
		sqlite3_reset(st);
	if (e == ERR_OK && why != SESSION__MAX)
		e = session_end_user(db, u.id, why, time_now_ms());
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
user_set_active(struct db *db, struct pool *pool, const char *email,
    int active)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_USER_SET_ACTIVE);

	sqlite3_bind_int(st, 1, active ? 1 : 0);
	return user_change(db, pool, email, st, 2, active ? SESSION__MAX :
	    SESSION_DEACTIVATED);
}

enum err
user_set_role(struct db *db, struct pool *pool, const char *email,
    enum role role)
{
	sqlite3_stmt	*st;

	if (role >= ROLE__MAX)
		return ERR_INVAL;
	st = db_stmt(db, STMT_USER_SET_ROLE);
	db_bind_text(st, 1, http_role_str(role));
	return user_change(db, pool, email, st, 2, SESSION_ROLE_CHANGE);
}
