/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "db.h"
#include "device.h"
#include "extern.h"
#include "log.h"
#include "pool.h"
#include "stream.h"
#include "testutil.h"
#include "user.h"

static struct testdb	 tdb;
static struct pool	*pool;
static struct buf	 msg;

static void
setup(void)
{

	testdb_open(&tdb);
	ck_assert_ptr_nonnull(pool = pool_new());
	buf_init(&msg);
}

static void
teardown(void)
{

	buf_clear(&msg);
	pool_free(pool);
	testdb_close(&tdb);
}

START_TEST(test_migrated)
{

	ck_assert_int_eq(db_user_version(tdb.app.db), db_schema_version());
	ck_assert_int_ge(db_schema_version(), 1);
	ck_assert_int_eq(db_health(tdb.app.db), ERR_OK);
}
END_TEST

START_TEST(test_migrate_is_idempotent)
{
	struct db	*db;
	int		 from, to;

	ck_assert_int_eq(db_open(&tdb.conf, DB_MIGRATE, &db, &msg), ERR_OK);
	ck_assert_int_eq(db_migrate(db, &from, &to, &msg), ERR_OK);
	ck_assert_int_eq(from, db_schema_version());
	ck_assert_int_eq(to, db_schema_version());
	db_close(db);
}
END_TEST

START_TEST(test_newer_schema_refused)
{
	struct db	*db;
	int		 from, to;

	testdb_exec(&tdb, "PRAGMA user_version = 999");
	ck_assert_int_eq(db_open(&tdb.conf, DB_SERVE, &db, &msg), ERR_INVAL);
	ck_assert_ptr_null(db);
	ck_assert(strstr(buf_str(&msg), "newer") != NULL);
	buf_reset(&msg);
	ck_assert_int_eq(db_open(&tdb.conf, DB_MIGRATE, &db, &msg), ERR_INVAL);
	ck_assert_ptr_null(db);
	(void)from; (void)to;
}
END_TEST

START_TEST(test_older_schema_refused)
{
	struct db	*db;

	testdb_exec(&tdb, "PRAGMA user_version = 0");
	ck_assert_int_eq(db_open(&tdb.conf, DB_SERVE, &db, &msg), ERR_INVAL);
	ck_assert(strstr(buf_str(&msg), "hmctl migrate") != NULL);
}
END_TEST

START_TEST(test_wal_and_foreign_keys)
{
	sqlite3		*conn;
	sqlite3_stmt	*st;

	ck_assert_int_eq(sqlite3_open(tdb.path, &conn), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(conn, "PRAGMA journal_mode", -1,
	    &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	sqlite3_close(conn);
}
END_TEST

START_TEST(test_busy_is_err_busy)
{
	sqlite3		*conn;

	tdb.conf.db_busy_timeout_ms = 50;
	app_close(&tdb.app);
	ck_assert_int_eq(app_open(&tdb.app, &tdb.conf, &msg), ERR_OK);
	ck_assert_int_eq(sqlite3_open(tdb.path, &conn), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_BUSY);
	/* Readers still read while the writer holds the lock (WAL). */
	ck_assert_int_eq(db_health(tdb.app.db), ERR_OK);
	sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(conn);
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
}
END_TEST

/* Holds the write lock on a connection of its own for "hold_ms". */
struct	holder {
	const char	*path;
	int		 hold_ms;
	int		 locked;	/* set once BEGIN IMMEDIATE succeeded */
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
};

static void *
hold_write_lock(void *arg)
{
	struct holder	*h = arg;
	struct timespec	 nap = { h->hold_ms / 1000,
			    (h->hold_ms % 1000) * 1000000L };
	sqlite3		*conn;

	ck_assert_int_eq(sqlite3_open(h->path, &conn), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	pthread_mutex_lock(&h->lock);
	h->locked = 1;
	pthread_cond_signal(&h->cond);
	pthread_mutex_unlock(&h->lock);
	(void)nanosleep(&nap, NULL);
	sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(conn);
	return NULL;
}

/* Starts a holder and returns once it holds the lock. */
static pthread_t
start_holder(struct holder *h)
{
	pthread_t	 t;

	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	h->locked = 0;
	ck_assert_int_eq(pthread_create(&t, NULL, hold_write_lock, h), 0);
	pthread_mutex_lock(&h->lock);
	while (!h->locked)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	return t;
}

/* A lock released within the busy timeout is waited for, not failed. */
START_TEST(test_busy_waits_for_a_short_lock)
{
	struct holder	 h = { .path = tdb.path, .hold_ms = 30 };
	pthread_t	 t;
	int64_t		 t0;

	t = start_holder(&h);
	t0 = log_clock_us();
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_ge(log_clock_us() - t0, 20 * 1000);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	pthread_join(t, NULL);
}
END_TEST

/* A lock held past the busy timeout fails, but not before it. */
START_TEST(test_busy_gives_up_after_the_timeout)
{
	struct holder	 h = { .path = tdb.path, .hold_ms = 600 };
	pthread_t	 t;
	int64_t		 t0;

	tdb.conf.db_busy_timeout_ms = 200;
	app_close(&tdb.app);
	ck_assert_int_eq(app_open(&tdb.app, &tdb.conf, &msg), ERR_OK);
	t = start_holder(&h);
	t0 = log_clock_us();
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_BUSY);
	ck_assert_int_ge(log_clock_us() - t0, 200 * 1000);
	pthread_join(t, NULL);
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
}
END_TEST

/* The epoch moves with what can end a sign-in, and only with that. */
START_TEST(test_auth_epoch_counts_what_ends_a_sign_in)
{
	static const struct {
		const char	*sql;
		int		 moves;
	} steps[] = {
		{ "INSERT INTO users (id, email, password, first_name, "
		  "last_name, user_role, is_active, date_joined) VALUES "
		  "('00000000-0000-7000-8000-0000000000e1', 'e@x.test', 'x', "
		  "'Eve', 'Nurse', 'nurse', 1, '2026-01-01T00:00:00.000Z')", 0 },
		{ "INSERT INTO sessions (id, user_id, refresh_jti, created_at, "
		  "expires_at) VALUES ('00000000-0000-7000-8000-0000000000f1', "
		  "'00000000-0000-7000-8000-0000000000e1', 'j1', "
		  "'2026-01-01T00:00:00.000Z', 9999999999999)", 0 },
		{ "UPDATE users SET last_login = 'x', first_name = 'Eva'", 0 },
		{ "UPDATE sessions SET refresh_jti = 'j2', rotated_at = 1", 0 },
		{ "UPDATE users SET user_role = 'doctor'", 1 },
		{ "UPDATE users SET is_active = 0", 1 },
		{ "UPDATE users SET password = 'y'", 1 },
		{ "UPDATE sessions SET ended_at = 'now', end_reason = 'logout'",
		  1 },
		{ "DELETE FROM sessions", 1 },
		{ "DELETE FROM users", 1 },
	};
	int64_t		 before, after;
	size_t		 i;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		ck_assert_int_eq(stream_auth_epoch(tdb.app.db, &before),
		    ERR_OK);
		testdb_exec(&tdb, steps[i].sql);
		ck_assert_int_eq(stream_auth_epoch(tdb.app.db, &after),
		    ERR_OK);
		ck_assert_msg(after - before == steps[i].moves,
		    "%s: moved by %lld", steps[i].sql,
		    (long long)(after - before));
	}
}
END_TEST

static void
count_user(const struct user *u, void *arg)
{
	int	*n = arg;

	ck_assert_str_eq(u->email, "nurse@ward.test");
	ck_assert_int_eq(u->role, ROLE_DOCTOR);
	ck_assert_int_eq(u->is_active, 0);
	ck_assert_ptr_null(u->last_login);
	(*n)++;
}

START_TEST(test_users)
{
	struct user	 u;
	int		 n = 0;

	memset(&u, 0, sizeof(u));
	u.email = "nurse@ward.test";
	u.first_name = "Ann";
	u.last_name = "Lee";
	u.role = ROLE_NURSE;
	u.is_active = 1;
	u.password = "x";
	ck_assert_int_eq(user_insert(tdb.app.db, pool, &u), ERR_OK);
	ck_assert_uint_eq(strlen(u.id), 36);
	u.email = "NURSE@ward.test";	/* emails are unique without case */
	ck_assert_int_eq(user_insert(tdb.app.db, pool, &u), ERR_CONFLICT);
	ck_assert_int_eq(user_set_role(tdb.app.db, pool, "nurse@ward.test",
	    ROLE_DOCTOR), ERR_OK);
	ck_assert_int_eq(user_set_active(tdb.app.db, pool, "Nurse@Ward.test",
	    0), ERR_OK);
	ck_assert_int_eq(user_set_active(tdb.app.db, pool, "nobody@x.test",
	    0), ERR_NOTFOUND);
	ck_assert_int_eq(user_set_role(tdb.app.db, pool, "nobody@x.test",
	    ROLE_ADMIN), ERR_NOTFOUND);
	ck_assert_int_eq(user_set_role(tdb.app.db, pool, "nurse@ward.test",
	    ROLE__MAX), ERR_INVAL);
	ck_assert_int_eq(user_list(tdb.app.db, pool, count_user, &n), ERR_OK);
	ck_assert_int_eq(n, 1);
}
END_TEST

static void
list_device(const struct device *d, void *arg)
{
	struct buf	*b = arg;

	buf_printf(b, "%s/%s/%s/%s;", d->serial_number, d->model_name,
	    d->manufacturer, device_status_str(d->status));
}

START_TEST(test_devices)
{
	struct device	 d;
	struct buf	 b;

	memset(&d, 0, sizeof(d));
	d.serial_number = "SN-2";
	d.model_name = "M";
	ck_assert_int_eq(device_insert(tdb.app.db, pool, &d), ERR_OK);
	d.serial_number = "SN-1";
	d.manufacturer = "Acme";
	d.status = DEVICE_MAINTENANCE;
	ck_assert_int_eq(device_insert(tdb.app.db, pool, &d), ERR_OK);
	ck_assert_int_eq(device_insert(tdb.app.db, pool, &d), ERR_CONFLICT);
	buf_init(&b);
	ck_assert_int_eq(device_list(tdb.app.db, pool, list_device, &b),
	    ERR_OK);
	ck_assert_str_eq(buf_str(&b), "SN-1/M/Acme/maintenance;SN-2/M//active;");
	buf_clear(&b);
	ck_assert_int_eq(device_status("retired"), DEVICE_RETIRED);
	ck_assert_int_eq(device_status("broken"), DEVICE__MAX);
}
END_TEST

START_TEST(test_unopenable)
{
	struct db	*db;
	char		*saved = tdb.conf.database_path;
	char		 bad[] = "/nonexistent/dir/x.db";

	tdb.conf.database_path = bad;
	ck_assert_int_eq(db_open(&tdb.conf, DB_SERVE, &db, &msg), ERR_DB);
	ck_assert(strstr(buf_str(&msg), "/nonexistent/dir/x.db") != NULL);
	tdb.conf.database_path = saved;
}
END_TEST

/* 1 if another connection can take the write lock right now. */
static int
lock_free(void)
{
	sqlite3	*conn;
	int	 rc;

	ck_assert_int_eq(sqlite3_open(tdb.path, &conn), SQLITE_OK);
	if ((rc = sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL, NULL)) ==
	    SQLITE_OK)
		sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(conn);
	return rc == SQLITE_OK;
}

/* Adds device "serial" (device_insert() has its own db_begin()). */
static enum err
add_device(const char *serial)
{
	struct device	 d;

	memset(&d, 0, sizeof(d));
	d.serial_number = serial;
	d.model_name = "M";
	return device_insert(tdb.app.db, pool, &d);
}

/* How many devices "serial" another connection sees (committed). */
static long
devices(const char *serial)
{
	char	 sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM devices WHERE "
	    "serial_number = '%s'", serial);
	return testdb_count(&tdb, sql);
}

/* A db_begin() inside another: a savepoint; its rollback is its own. */
START_TEST(test_nested_inner_rollback)
{

	ck_assert(lock_free());
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert(!lock_free());
	ck_assert_int_eq(add_device("OUTER"), ERR_OK);
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(add_device("INNER"), ERR_OK);
	db_rollback(tdb.app.db);
	/* Still inside the outer transaction, nothing committed yet. */
	ck_assert(!lock_free());
	ck_assert_int_eq(devices("OUTER"), 0);
	ck_assert_int_eq(add_device("AFTER"), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert(lock_free());
	ck_assert_int_eq(devices("OUTER"), 1);
	ck_assert_int_eq(devices("INNER"), 0);
	ck_assert_int_eq(devices("AFTER"), 1);
}
END_TEST

/* An inner commit is only a release: the outer rollback drops it. */
START_TEST(test_nested_outer_rollback)
{

	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(add_device("OUTER"), ERR_OK);
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(add_device("INNER"), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert(!lock_free());
	ck_assert_int_eq(devices("INNER"), 0);
	db_rollback(tdb.app.db);
	ck_assert(lock_free());
	ck_assert_int_eq(devices("OUTER"), 0);
	ck_assert_int_eq(devices("INNER"), 0);
	/* A failed inner write rolls back only itself. */
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(add_device("DUP"), ERR_OK);
	ck_assert_int_eq(add_device("DUP"), ERR_CONFLICT);
	ck_assert(!lock_free());
	ck_assert_int_eq(add_device("NEXT"), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert_int_eq(devices("DUP"), 1);
	ck_assert_int_eq(devices("NEXT"), 1);
}
END_TEST

/* Three deep, and back to depth 0: the next db_begin() is a BEGIN. */
START_TEST(test_nested_depth)
{

	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(add_device("X"), ERR_OK);
	db_rollback(tdb.app.db);
	ck_assert_int_eq(add_device("Y"), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert(!lock_free());
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert(lock_free());
	ck_assert_int_eq(devices("X"), 0);
	ck_assert_int_eq(devices("Y"), 1);
	/* Depth 0 again: a real BEGIN IMMEDIATE (a savepoint won't lock). */
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert(!lock_free());
	ck_assert_int_eq(add_device("Z"), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert(lock_free());
	ck_assert_int_eq(devices("Z"), 1);
	/* Ending what was never begun changes nothing. */
	ck_assert_int_ne(db_commit(tdb.app.db), ERR_OK);
	db_rollback(tdb.app.db);
	ck_assert(lock_free());
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert(!lock_free());
	db_rollback(tdb.app.db);
	ck_assert(lock_free());
	/* A plain write after all that commits on its own. */
	ck_assert_int_eq(add_device("W"), ERR_OK);
	ck_assert_int_eq(devices("W"), 1);
}
END_TEST

/* The connection's PRAGMA synchronous (0 OFF, 1 NORMAL, 2 FULL). */
static int
synchronous(void)
{
	sqlite3_stmt	*st;
	int		 v;

	ck_assert_int_eq(sqlite3_prepare_v2(sqlite3_db_handle(db_stmt(
	    tdb.app.db, STMT_HEALTH)), "PRAGMA synchronous", -1, &st, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * db_begin_unsynced(): with FULL, its commit alone is NORMAL, and
 * db_sync() flushes it once; every other transaction stays FULL.
 */
START_TEST(test_unsynced)
{

	tdb.conf.db_synchronous = DB_SYNC_FULL;
	app_close(&tdb.app);
	ck_assert_int_eq(app_open(&tdb.app, &tdb.conf, &msg), ERR_OK);
	ck_assert_int_eq(synchronous(), 2);
	ck_assert_int_eq(db_sync(tdb.app.db), ERR_OK);	/* nothing to do */
	ck_assert_int_eq(db_begin_unsynced(tdb.app.db), ERR_OK);
	ck_assert_int_eq(synchronous(), 1);
	ck_assert(!lock_free());
	ck_assert_int_eq(add_device("U"), ERR_OK);	/* nested: savepoint */
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert(lock_free());
	ck_assert_int_eq(devices("U"), 1);
	ck_assert_int_eq(synchronous(), 2);
	ck_assert_int_eq(db_sync(tdb.app.db), ERR_OK);
	ck_assert_int_eq(db_sync(tdb.app.db), ERR_OK);
	/* A rollback sets it back too, and writes nothing. */
	ck_assert_int_eq(db_begin_unsynced(tdb.app.db), ERR_OK);
	ck_assert_int_eq(add_device("V"), ERR_OK);
	db_rollback(tdb.app.db);
	ck_assert_int_eq(synchronous(), 2);
	ck_assert_int_eq(devices("V"), 0);
	/* Inside a transaction it is a savepoint, synchronous unchanged. */
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(db_begin_unsynced(tdb.app.db), ERR_OK);
	ck_assert_int_eq(synchronous(), 2);
	ck_assert_int_eq(add_device("W"), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert_int_eq(devices("W"), 1);
	ck_assert_int_eq(synchronous(), 2);
}
END_TEST

/* With another DB_SYNCHRONOUS it is db_begin(), and db_sync() a no-op. */
START_TEST(test_unsynced_normal)
{

	ck_assert_int_eq(synchronous(), 1);
	ck_assert_int_eq(db_begin_unsynced(tdb.app.db), ERR_OK);
	ck_assert_int_eq(add_device("N"), ERR_OK);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert_int_eq(db_sync(tdb.app.db), ERR_OK);
	ck_assert_int_eq(synchronous(), 1);
	ck_assert_int_eq(devices("N"), 1);
}
END_TEST

static Suite *
db_suite(void)
{
	Suite	*s = suite_create("db");
	TCase	*tc = tcase_create("db");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_migrated);
	tcase_add_test(tc, test_migrate_is_idempotent);
	tcase_add_test(tc, test_newer_schema_refused);
	tcase_add_test(tc, test_older_schema_refused);
	tcase_add_test(tc, test_wal_and_foreign_keys);
	tcase_add_test(tc, test_busy_is_err_busy);
	tcase_add_test(tc, test_busy_waits_for_a_short_lock);
	tcase_add_test(tc, test_busy_gives_up_after_the_timeout);
	tcase_add_test(tc, test_auth_epoch_counts_what_ends_a_sign_in);
	tcase_add_test(tc, test_users);
	tcase_add_test(tc, test_devices);
	tcase_add_test(tc, test_unopenable);
	tcase_add_test(tc, test_nested_inner_rollback);
	tcase_add_test(tc, test_nested_outer_rollback);
	tcase_add_test(tc, test_nested_depth);
	tcase_add_test(tc, test_unsynced);
	tcase_add_test(tc, test_unsynced_normal);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(db_suite());
}
