/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "extern.h"
#include "mailq.h"
#include "pool.h"
#include "rfc3339.h"

/*
 * Runs the bound write "st" in its own transaction; "*changes" (if not
 * NULL) gets the number of rows it changed.
 */
static enum err
write_one(struct db *db, sqlite3_stmt *st, const char *op, long *changes)
{
	enum err	 e;

	if ((e = db_begin(db)) != ERR_OK) {
		sqlite3_reset(st);
		return e;
	}
	e = db_rc(db, sqlite3_step(st), op);
	if (changes != NULL)
		*changes = sqlite3_changes(sqlite3_db_handle(st));
	sqlite3_reset(st);
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

/* Reads the row of STMT_OUTBOX_TAKE into "m". */
static enum err
take_row(struct pool *pool, sqlite3_stmt *st, struct mailq_mail *m)
{

	m->id = db_col_text(pool, st, 0);
	m->recipient = db_col_text(pool, st, 1);
	m->subject = db_col_text(pool, st, 2);
	m->text = db_col_text(pool, st, 3);
	m->html = db_col_text(pool, st, 4);
	m->attempts = (long)sqlite3_column_int64(st, 5);
	if (m->id == NULL || m->recipient == NULL || m->subject == NULL ||
	    m->text == NULL || m->html == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}

/*
 * The read and the lease share one write transaction; the lease's own
 * condition (still pending, still due) would keep a second worker off
 * the mail even without it.
 */
enum err
mailq_take(struct db *db, struct pool *pool, int64_t now, int64_t lease_ms,
    struct mailq_mail *m)
{
	sqlite3_stmt	*st;
	enum err	 e;
	int		 rc;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_OUTBOX_TAKE);
	sqlite3_bind_int64(st, 1, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		e = take_row(pool, st, m);
	else
		e = rc == SQLITE_DONE ? ERR_NOTFOUND :
		    db_rc(db, rc, "mailq_take");
	sqlite3_reset(st);
	if (e == ERR_OK) {
		st = db_stmt(db, STMT_OUTBOX_LEASE);
		sqlite3_bind_int64(st, 1, now + lease_ms);
		sqlite3_bind_text(st, 2, m->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		e = db_rc(db, sqlite3_step(st), "mailq_take");
		if (e == ERR_OK && sqlite3_changes(sqlite3_db_handle(st)) != 1)
			e = ERR_NOTFOUND;
		sqlite3_reset(st);
	}
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
mailq_sent(struct db *db, const char *id, int64_t now)
{
	char		 at[RFC3339_STRLEN + 1];
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = time_format(now, at)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_OUTBOX_SENT);
	sqlite3_bind_text(st, 1, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	return write_one(db, st, "mailq_sent", NULL);
}

enum err
mailq_later(struct db *db, const char *id, int64_t when, const char *error)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_OUTBOX_LATER);

	sqlite3_bind_int64(st, 1, when);
	sqlite3_bind_text(st, 2, error, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
	return write_one(db, st, "mailq_later", NULL);
}

enum err
mailq_failed(struct db *db, const char *id, const char *error)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_OUTBOX_FAILED);

	sqlite3_bind_text(st, 1, error, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	return write_one(db, st, "mailq_failed", NULL);
}

enum err
mailq_list(struct db *db, struct pool *pool, const char *status,
    void (*fn)(const struct mailq_row *, void *), void *arg)
{
	sqlite3_stmt		*st;
	struct mailq_row	 r;
	int			 rc;

	if (status == NULL)
		st = db_stmt(db, STMT_OUTBOX_LIST);
	else {
		st = db_stmt(db, STMT_OUTBOX_LIST_STATUS);
		sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.id = db_col_text(pool, st, 0);
		r.status = db_col_text(pool, st, 1);
		r.attempts = (long)sqlite3_column_int64(st, 2);
		r.recipient = db_col_text(pool, st, 3);
		r.subject = db_col_text(pool, st, 4);
		r.last_error = db_col_text(pool, st, 5);
		r.created_at = db_col_text(pool, st, 6);
		if (r.id == NULL || r.status == NULL || r.recipient == NULL ||
		    r.subject == NULL || r.created_at == NULL) {
			sqlite3_reset(st);
			return ERR_NOMEM;
		}
		fn(&r, arg);
	}
	sqlite3_reset(st);
	return db_rc(db, rc, "mailq_list");
}

/* Why mail "id" could not be revived: missing, or already sent. */
static enum err
retry_refused(struct db *db, const char *id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_OUTBOX_STATUS);
	enum err	 e;
	int		 rc;

	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		e = ERR_CONFLICT;
	else
		e = rc == SQLITE_DONE ? ERR_NOTFOUND :
		    db_rc(db, rc, "mailq_retry");
	sqlite3_reset(st);
	return e;
}

enum err
mailq_retry(struct db *db, const char *id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_OUTBOX_REVIVE);
	long		 n = 0;
	enum err	 e;

	sqlite3_bind_int64(st, 1, time_now_ms());
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	if ((e = write_one(db, st, "mailq_retry", &n)) != ERR_OK)
		return e;
	return n == 1 ? ERR_OK : retry_refused(db, id);
}

enum err
mailq_retry_failed(struct db *db, long *count)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_OUTBOX_REVIVE_FAILED);

	sqlite3_bind_int64(st, 1, time_now_ms());
	return write_one(db, st, "mailq_retry_failed", count);
}

enum err
mailq_test(struct db *db, const char *to)
{
	enum err	 e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	if ((e = outbox_test(db, to)) != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}
