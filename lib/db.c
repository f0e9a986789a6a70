/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "extern.h"
#include "log.h"
#include "pool.h"
#include "rfc3339.h"
#include "uuid.h"

struct	db {
	sqlite3		*conn;
	sqlite3_stmt	*stmts[STMT__MAX];
	int		 depth;		/* db_begin() calls not yet ended */
	enum db_sync	 sync;		/* DB_SYNCHRONOUS */
	int		 unsynced;	/* in db_begin_unsynced()'s transaction */
	int		 restore;	/* synchronous = FULL still to set back */
	int		 flush;		/* committed, not flushed: db_sync() */
	int64_t		 busy_ms;	/* DB_BUSY_TIMEOUT_MS */
	int64_t		 busy_since;	/* log_clock_us() of the first try */
	/* Called before the outermost COMMIT (the audit trail's rows). */
	enum err	(*hook)(struct db *, void *);
	void		*hook_arg;
};

static const char *const syncs[] = {
	"PRAGMA synchronous = OFF",	/* DB_SYNC_OFF */
	"PRAGMA synchronous = NORMAL",	/* DB_SYNC_NORMAL */
	"PRAGMA synchronous = FULL",	/* DB_SYNC_FULL */
	"PRAGMA synchronous = EXTRA",	/* DB_SYNC_EXTRA */
};

int
db_schema_version(void)
{

	return (int)migrationsz;
}

enum err
db_rc(struct db *db, int rc, const char *op)
{

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return ERR_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		log_warnx(NULL, "%s: database busy", op);
		return ERR_BUSY;
	case SQLITE_CONSTRAINT:
		return ERR_CONFLICT;
	case SQLITE_NOMEM:
		return ERR_NOMEM;
	default:
		log_warnx(NULL, "%s: %s", op, sqlite3_errmsg(db->conn));
		return ERR_DB;
	}
}

/*
 * Runs trusted, compiled-in SQL (pragmas, migrations) that takes no
 * values; everything that takes a value goes through the statement
 * table instead.
 */
static enum err
db_exec(struct db *db, const char *sql, const char *op, struct buf *errmsg)
{
	char		*msg = NULL;
	int		 rc;
	enum err	 e;

	rc = sqlite3_exec(db->conn, sql, NULL, NULL, &msg);
	e = db_rc(db, rc, op);
	if (e != ERR_OK && errmsg != NULL)
		buf_printf(errmsg, "%s: %s", op,
		    msg != NULL ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return e;
}

int
db_user_version(struct db *db)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(db->conn, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static enum err
db_prepare(struct db *db, struct buf *errmsg)
{
	size_t	 i;
	int	 rc;

	for (i = 0; i < STMT__MAX; i++) {
		if (db->stmts[i] != NULL)
			continue;
		if (stmt_sql[i] == NULL) {
			buf_printf(errmsg, "db_prepare: statement %zu has no "
			    "SQL in lib/stmt.c", i);
			return ERR_DB;
		}
		rc = sqlite3_prepare_v3(db->conn, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmts[i], NULL);
		if (rc != SQLITE_OK) {
			buf_printf(errmsg, "db_prepare: statement %zu: %s",
			    i, sqlite3_errmsg(db->conn));
			return ERR_DB;
		}
	}
	return ERR_OK;
}

/*
 * Refuses a schema this program was not built for: an older one needs
 * hmctl migrate; a newer one needs a newer program, and running against
 * it could corrupt data the newer code relies on.
 */
static enum err
db_check_version(struct db *db, enum db_mode mode, struct buf *errmsg)
{
	int	 v, want = db_schema_version();

	if ((v = db_user_version(db)) < 0) {
		buf_printf(errmsg, "cannot read the schema version: %s",
		    sqlite3_errmsg(db->conn));
		return ERR_DB;
	}
	if (v > want) {
		buf_printf(errmsg, "the database schema (version %d) is "
		    "newer than this program's (version %d): upgrade the "
		    "program", v, want);
		return ERR_INVAL;
	}
	if (v < want && mode == DB_SERVE) {
		buf_printf(errmsg, "the database schema (version %d) is "
		    "older than this program's (version %d): run "
		    "\"hmctl migrate\"", v, want);
		return ERR_INVAL;
	}
	return ERR_OK;
}

/*
 * SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25… ms between
 * tries, while a commit holds the write lock for well under a
 * millisecond here (fsync included): a worker that found the lock
 * taken slept through many commits, and the pool's writers spent most
 * of their time asleep.  This one tries again after 50 us, doubling up
 * to 1 ms, until DB_BUSY_TIMEOUT_MS has passed since the first try.
 */
static int
db_busy(void *arg, int tries)
{
	struct db	*db = arg;
	struct timespec	 nap;
	int64_t		 now = log_clock_us();

	if (tries == 0)
		db->busy_since = now;
	if (now - db->busy_since >= db->busy_ms * 1000)
		return 0;
	nap.tv_sec = 0;
	nap.tv_nsec = (tries < 5 ? 50000L << tries : 1000000L);
	(void)nanosleep(&nap, NULL);
	return 1;
}

static enum err
db_configure(struct db *db, const struct conf *conf, struct buf *errmsg)
{
	enum err	 e;

	/*
	 * Plans never depend on bound values.  Otherwise every statement
	 * with "LIKE ?" (the searches) is compiled again at each use: a
	 * parameter that could feed the LIKE optimization marks it expired
	 * when rebound, and db_stmt() clears the bindings.  Our patterns
	 * start with "%", which that optimization cannot use anyway.
	 */
	if (sqlite3_db_config(db->conn, SQLITE_DBCONFIG_ENABLE_QPSG, 1,
	    (int *)NULL) != SQLITE_OK) {
		buf_printf(errmsg, "enable_qpsg: %s", sqlite3_errmsg(db->conn));
		return ERR_DB;
	}
	db->busy_ms = conf->db_busy_timeout_ms;
	if (sqlite3_busy_handler(db->conn, db_busy, db) != SQLITE_OK) {
		buf_printf(errmsg, "busy_handler: %s",
		    sqlite3_errmsg(db->conn));
		return ERR_DB;
	}
	if ((e = db_exec(db, "PRAGMA journal_mode = WAL", "journal_mode",
	    errmsg)) != ERR_OK)
		return e;
	if ((e = db_exec(db, "PRAGMA foreign_keys = ON", "foreign_keys",
	    errmsg)) != ERR_OK)
		return e;
	/*
	 * 512 KiB of page cache, not SQLite's 2 MiB, for a worker's memory:
	 * another worker's commit empties it at the next read anyway (WAL),
	 * and within one request (a batch of 1000 readings, the ward
	 * overview) the larger cache saved no instructions (callgrind).
	 * tests/bench/sqlite_ceiling.c uses the same.
	 */
	if ((e = db_exec(db, "PRAGMA cache_size = -512", "cache_size",
	    errmsg)) != ERR_OK)
		return e;
	db->sync = conf->db_synchronous;
	return db_exec(db, syncs[conf->db_synchronous], "synchronous",
	    errmsg);
}

enum err
db_open(const struct conf *conf, enum db_mode mode, struct db **out,
    struct buf *errmsg)
{
	struct db	*db;
	enum err	 e;
	int		 rc;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return ERR_NOMEM;
	rc = sqlite3_open_v2(conf->database_path, &db->conn,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, NULL);
	if (rc != SQLITE_OK) {
		buf_printf(errmsg, "%s: %s", conf->database_path,
		    db->conn != NULL ? sqlite3_errmsg(db->conn) :
		    sqlite3_errstr(rc));
		e = ERR_DB;
		goto fail;
	}
	if ((e = db_configure(db, conf, errmsg)) != ERR_OK ||
	    (e = db_check_version(db, mode, errmsg)) != ERR_OK)
		goto fail;
	if (mode == DB_SERVE && (e = db_prepare(db, errmsg)) != ERR_OK)
		goto fail;
	*out = db;
	return ERR_OK;
fail:
	db_close(db);
	return e;
}

void
db_close(struct db *db)
{
	size_t	 i;

	if (db == NULL)
		return;
	for (i = 0; i < STMT__MAX; i++)
		sqlite3_finalize(db->stmts[i]);
	sqlite3_close(db->conn);
	free(db);
}

/*
 * Applies one migration in its own write transaction.  The version is
 * read again under the write lock so that two hmctl runs racing apply
 * each migration once.
 */
static enum err
db_migrate_one(struct db *db, const struct migration *m, struct buf *errmsg)
{
	char		 sql[64];
	enum err	 e;

	if ((e = db_exec(db, "BEGIN IMMEDIATE", "begin", errmsg)) != ERR_OK)
		return e;
	if (db_user_version(db) >= m->number) {
		(void)db_exec(db, "ROLLBACK", "rollback", NULL);
		return ERR_OK;
	}
	/* PRAGMA takes no bound values; the number is our own constant. */
	(void)snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    m->number);
	if ((e = db_exec(db, m->sql, m->name, errmsg)) != ERR_OK ||
	    (e = db_exec(db, sql, m->name, errmsg)) != ERR_OK ||
	    (e = db_exec(db, "COMMIT", "commit", errmsg)) != ERR_OK) {
		(void)db_exec(db, "ROLLBACK", "rollback", NULL);
		return e;
	}
	return ERR_OK;
}

enum err
db_migrate(struct db *db, int *from, int *to, struct buf *errmsg)
{
	size_t		 i;
	enum err	 e;

	if ((e = db_check_version(db, DB_MIGRATE, errmsg)) != ERR_OK)
		return e;
	*from = *to = db_user_version(db);
	for (i = 0; i < migrationsz; i++) {
		if (migrations[i].number != (int)i + 1) {
			buf_printf(errmsg, "migration %s is out of sequence",
			    migrations[i].name);
			return ERR_INVAL;
		}
		if ((e = db_migrate_one(db, &migrations[i], errmsg)) != ERR_OK)
			return e;
	}
	*to = db_user_version(db);
	return db_prepare(db, errmsg);
}

sqlite3_stmt *
db_stmt(struct db *db, enum stmt s)
{
	sqlite3_stmt	*st = db->stmts[s];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

const char *
db_col_text(struct pool *pool, sqlite3_stmt *st, int col)
{
	const unsigned char	*s;

	if ((s = sqlite3_column_text(st, col)) == NULL)
		return NULL;
	return pool_strndup(pool, (const char *)s,
	    (size_t)sqlite3_column_bytes(st, col));
}

/* Steps a statement that returns no rows and resets it. */
static enum err
db_run(struct db *db, enum stmt s, const char *op)
{
	sqlite3_stmt	*st = db_stmt(db, s);
	enum err	 e;

	e = db_rc(db, sqlite3_step(st), op);
	sqlite3_reset(st);
	return e;
}

/*
 * A db_begin() inside another is a savepoint, so that a caller can wrap
 * a handler's own transaction (the idempotency keys of lib/idem.c): the
 * inner rollback undoes only the inner writes.
 */
enum err
db_begin(struct db *db)
{
	enum err	 e;

	/* No write waits for a flush while synchronous is still NORMAL. */
	if (db->depth == 0 && db->restore && !db->unsynced) {
		if ((e = db_exec(db, syncs[DB_SYNC_FULL], "db_begin", NULL)) !=
		    ERR_OK)
			return e;
		db->restore = 0;
	}
	e = db_run(db, db->depth == 0 ? STMT_BEGIN : STMT_SAVEPOINT,
	    "db_begin");
	if (e == ERR_OK)
		db->depth++;
	return e;
}

/*
 * After db_begin_unsynced()'s transaction: synchronous back to FULL.
 * The pragma acts when it is compiled, so it cannot be a prepared
 * statement of the table.
 */
static void
db_end_unsynced(struct db *db)
{

	if (!db->unsynced)
		return;
	db->unsynced = 0;
	db->restore = db_exec(db, syncs[DB_SYNC_FULL], "db_commit", NULL) !=
	    ERR_OK;
}

enum err
db_begin_unsynced(struct db *db)
{
	enum err	 e;

	if (db->depth > 0 || db->sync != DB_SYNC_FULL)
		return db_begin(db);
	/* SQLite refuses the change inside a transaction. */
	if ((e = db_exec(db, syncs[DB_SYNC_NORMAL], "db_begin_unsynced",
	    NULL)) != ERR_OK)
		return e;
	db->unsynced = 1;
	if ((e = db_begin(db)) != ERR_OK)
		db_end_unsynced(db);
	return e;
}

/*
 * Flushes the log through SQLite's own handle of it, as its COMMIT
 * would have with synchronous = FULL; the kernel flushes whatever
 * other workers wrote to it meanwhile with it.
 */
enum err
db_sync(struct db *db)
{
	sqlite3_file	*f = NULL;
	int		 rc;

	if (!db->flush)
		return ERR_OK;
	rc = sqlite3_file_control(db->conn, "main",
	    SQLITE_FCNTL_JOURNAL_POINTER, &f);
	if (rc == SQLITE_OK && (f == NULL || f->pMethods == NULL))
		rc = SQLITE_IOERR;
	if (rc == SQLITE_OK)
		rc = f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
	if (rc != SQLITE_OK) {
		log_warnx(NULL, "db_sync: %s", sqlite3_errstr(rc));
		return ERR_DB;
	}
	db->flush = 0;
	return ERR_OK;
}

enum err
db_commit(struct db *db)
{
	enum err	 e;

	if (db->depth == 0) {
		log_warnx(NULL, "db_commit: no transaction is open");
		return ERR_DB;
	}
	if (db->depth == 1 && db->hook != NULL &&
	    (e = db->hook(db, db->hook_arg)) != ERR_OK) {
		db_rollback(db);
		return e;
	}
	e = db_run(db, db->depth > 1 ? STMT_RELEASE : STMT_COMMIT,
	    "db_commit");
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	if (--db->depth == 0 && db->unsynced) {
		db->flush = 1;
		db_end_unsynced(db);
	}
	return ERR_OK;
}

void
db_rollback(struct db *db)
{

	if (db->depth > 1 && !sqlite3_get_autocommit(db->conn)) {
		(void)db_run(db, STMT_ROLLBACK_TO, "db_rollback");
		(void)db_run(db, STMT_RELEASE, "db_rollback");
		db->depth--;
		return;
	}
	/* The outermost, or SQLite has already rolled everything back. */
	if (!sqlite3_get_autocommit(db->conn))
		(void)db_run(db, STMT_ROLLBACK, "db_rollback");
	db->depth = 0;
	db_end_unsynced(db);
}

enum err
db_like_pattern(struct buf *pat, const char *term)
{
	const char	*s;
	enum err	 e;

	e = buf_putc(pat, '%');
	for (s = term; *s != '\0' && e == ERR_OK; s++) {
		if (strchr("\\%_", *s) != NULL)
			e = buf_putc(pat, '\\');
		if (e == ERR_OK)
			e = buf_putc(pat, *s);
	}
	if (e == ERR_OK)
		e = buf_putc(pat, '%');
	return e;
}

enum err
db_health(struct db *db)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_HEALTH);
	int		 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? ERR_OK : db_rc(db, rc, "db_health");
}

void
db_bind_text(sqlite3_stmt *st, int i, const char *s)
{

	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

enum err
db_write(struct db *db, sqlite3_stmt *st, const char *op)
{
	enum err	 e;

	e = db_rc(db, sqlite3_step(st), op);
	if (e == ERR_OK && sqlite3_changes(db->conn) == 0)
		e = ERR_NOTFOUND;
	sqlite3_reset(st);
	return e;
}

void
db_commit_hook(struct db *db, enum err (*fn)(struct db *, void *),
    void *arg)
{

	db->hook = fn;
	db->hook_arg = arg;
}

long
db_changes(struct db *db)
{

	return (long)sqlite3_changes(db->conn);
}

int64_t
db_last_rowid(struct db *db)
{

	return sqlite3_last_insert_rowid(db->conn);
}

enum err
db_one_int(struct db *db, sqlite3_stmt *st, const char *op, long *n)
{
	enum err	 e = ERR_OK;
	int		 rc;

	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = (long)sqlite3_column_int64(st, 0);
	else if ((e = db_rc(db, rc, op)) == ERR_OK)
		e = ERR_DB;
	sqlite3_reset(st);
	return e;
}

enum err
db_new_row(struct pool *pool, int64_t now, const char **id,
    const char **stamp)
{
	char		 u[UUID_STRLEN + 1], t[RFC3339_STRLEN + 1];
	enum err	 e;

	if ((e = uuid_v7(now, u)) != ERR_OK ||
	    (e = time_format(now, t)) != ERR_OK)
		return e;
	if ((*id = pool_strdup(pool, u)) == NULL ||
	    (*stamp = pool_strdup(pool, t)) == NULL)
		return ERR_NOMEM;
	return ERR_OK;
}
