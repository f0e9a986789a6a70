/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "db.h"
#include "testutil.h"

int
test_run(Suite *s)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * The configuration comes from a file, as the workers' does, so that
 * every key has its real default; only what a test needs is set.
 */
void
testdb_open(struct testdb *t)
{
	struct db	*db;
	struct buf	 errmsg;
	FILE		*f;
	char		 confpath[96];
	int		 from, to;

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/hmtest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/test.db", t->dir);
	snprintf(confpath, sizeof(confpath), "%s/test.conf", t->dir);
	ck_assert_ptr_nonnull(f = fopen(confpath, "w"));
	fprintf(f, "SECRET_KEY=%s\nDATABASE_PATH=%s\nDB_SYNCHRONOUS=NORMAL\n"
	    "PASSWORD_ITERATIONS=100000\nPUBLIC_URL=https://hm.test\n",
	    TEST_SECRET, t->path);
	fclose(f);
	buf_init(&errmsg);
	ck_assert_msg(conf_load(&t->conf, confpath, 1, &errmsg) == ERR_OK,
	    "%s", buf_str(&errmsg));
	(void)unlink(confpath);
	ck_assert_int_eq(db_open(&t->conf, DB_MIGRATE, &db, &errmsg), ERR_OK);
	ck_assert_int_eq(db_migrate(db, &from, &to, &errmsg), ERR_OK);
	db_close(db);
	ck_assert_msg(app_open(&t->app, &t->conf, &errmsg) == ERR_OK, "%s",
	    buf_str(&errmsg));
	buf_clear(&errmsg);
}

void
testdb_close(struct testdb *t)
{
	char	 p[160];

	app_close(&t->app);
	conf_clear(&t->conf);
	(void)unlink(t->path);
	snprintf(p, sizeof(p), "%s-wal", t->path);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s-shm", t->path);
	(void)unlink(p);
	(void)rmdir(t->dir);
}

void
testdb_exec(const struct testdb *t, const char *sql)
{
	sqlite3	*conn;
	char	*msg = NULL;

	ck_assert_int_eq(sqlite3_open(t->path, &conn), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(conn, sql, NULL, NULL, &msg) == SQLITE_OK,
	    "%s: %s", sql, msg != NULL ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(conn);
}

long
testdb_count(const struct testdb *t, const char *sql)
{
	sqlite3		*conn;
	sqlite3_stmt	*st;
	long		 n = -1;

	ck_assert_int_eq(sqlite3_open(t->path, &conn), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(conn, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(conn);
	return n;
}

void
req_fake(struct req *r, struct pool *pool, enum method m, const char *uri)
{

	memset(r, 0, sizeof(*r));
	r->pool = pool;
	r->method = m;
	r->method_name = http_method_str(m);
	r->uri = uri;
	r->request_id = "0123-abcd";
}

const cJSON *
cj_member(const cJSON *o, const char *key)
{

	return cJSON_GetObjectItemCaseSensitive(o, key);
}

const char *
cj_str(const cJSON *o, const char *key)
{
	const cJSON	*m = cj_member(o, key);

	return cJSON_IsString(m) ? m->valuestring : NULL;
}
