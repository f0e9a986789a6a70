/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_DB_H
#define HM_DB_H

#include "buf.h"
#include "err.h"

struct conf;

/*
 * The one owner of the SQLite connection and of every SQL statement.
 * Handlers and hmctl call the functions of user.h, device.h and so on,
 * never SQLite itself, so that a second engine can be added later.
 */
struct	db;

enum	db_mode {
	DB_SERVE,	/* schema must be exactly this program's version */
	DB_MIGRATE	/* any older schema: for hmctl migrate */
};

/*
 * Opens (creating if needed) the database of "conf" in WAL mode with
 * foreign keys on, the configured busy timeout and synchronous level.
 * With DB_SERVE, refuses a schema older (run hmctl migrate) or newer
 * (upgrade the program) than this program's, and prepares every
 * statement, so a typo in SQL fails at start-up.  Open it after fork(),
 * never before.  On failure "errmsg" says why.  Free with db_close().
 */
enum err	 db_open(const struct conf *, enum db_mode, struct db **,
		    struct buf *errmsg);
void		 db_close(struct db *);

/*
 * Applies the compiled-in migrations newer than the database, each in
 * its own BEGIN IMMEDIATE transaction that also sets user_version.
 * "*from" and "*to" get the versions before and after.  Refuses a
 * database newer than the program.  Afterwards the statements are
 * prepared, as for DB_SERVE.
 */
enum err	 db_migrate(struct db *, int *from, int *to, struct buf *errmsg);

/* The schema version this program expects (its newest migration). */
int		 db_schema_version(void);

/* The database's PRAGMA user_version, or -1 on failure. */
int		 db_user_version(struct db *);

/* Reads a row to prove the database answers: ERR_OK, ERR_BUSY, ERR_DB. */
enum err	 db_health(struct db *);

/*
 * BEGIN IMMEDIATE / COMMIT / ROLLBACK.  Writes always go inside one.  A
 * db_begin() inside another is a savepoint.
 */
enum err	 db_begin(struct db *);
enum err	 db_commit(struct db *);
void		 db_rollback(struct db *);

/*
 * db_begin() for a transaction whose durability may wait for db_sync():
 * with DB_SYNCHRONOUS=FULL its COMMIT writes the log (WAL) without
 * waiting for the disk, so it releases the write lock at once, and
 * db_sync() then waits for the disk outside the lock, where the waits
 * of several workers overlap (one flush of the log serves all the
 * commits before it) instead of queueing behind the lock.  Only for
 * rows nothing relies on before db_sync() returns, since other
 * connections see them from COMMIT on: the audit rows of a read, whose
 * answer waits for db_sync().  Inside another transaction, or with
 * another DB_SYNCHRONOUS, it is db_begin().
 */
enum err	 db_begin_unsynced(struct db *);

/*
 * Returns once what this connection committed is on disk: after a
 * db_begin_unsynced() transaction, flushes the log (ERR_DB if that
 * fails); otherwise ERR_OK at once, COMMIT having waited already.
 */
enum err	 db_sync(struct db *);

/*
 * Has db_commit() call "fn" inside the outermost transaction, just
 * before COMMIT; when "fn" fails the transaction is rolled back and
 * db_commit() returns its error.  NULL: no hook.  Dispatch uses it to
 * write a request's audit rows with the change they record.
 */
void		 db_commit_hook(struct db *, enum err (*fn)(struct db *,
		    void *), void *arg);

#endif /* !HM_DB_H */
