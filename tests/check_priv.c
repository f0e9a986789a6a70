/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "priv.h"
#include "testutil.h"

/*
 * lib/priv.c.  Everything but the switch of user runs as any account;
 * the tests that need root (priv_drop() itself, folders of another
 * owner) run only as root, which CI is, and pass at once otherwise.
 */

static char		 top[64];	/* the test's folder, mode 0700 */
static char		 dir[128];	/* top/db: the database folder */
static char		 db[160];	/* dir/hm.db */
static struct buf	 msg;

static void
setup(void)
{

	snprintf(top, sizeof(top), "/tmp/hmpriv.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(dir, sizeof(dir), "%s/db", top);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	snprintf(db, sizeof(db), "%s/hm.db", dir);
	buf_init(&msg);
}

static void
teardown(void)
{
	char	 cmd[128];

	buf_clear(&msg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	ck_assert_int_eq(system(cmd), 0);
}

static int
has(const char *s)
{

	return strstr(buf_str(&msg), s) != NULL;
}

static mode_t
mode_of(const char *path)
{
	struct stat	 st;

	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void
touch(const char *path, mode_t mode)
{
	int	 fd;

	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT, 0600), -1);
	close(fd);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* The uid of "nobody", the unprivileged account every Debian has. */
static uid_t
nobody(void)
{
	struct passwd	*pw;

	ck_assert_ptr_nonnull(pw = getpwnam("nobody"));
	return pw->pw_uid;
}

/* ---------------------------------------------------------- priv_init */

/* Started by anyone but root: nothing to look up, nothing to drop. */
START_TEST(test_init_decides)
{
	struct priv	 p;
	uid_t		 r, e, s;

	ck_assert_int_eq(priv_init(&p, "nobody", &msg), ERR_OK);
	ck_assert_int_eq(getresuid(&r, &e, &s), 0);
	if (r != 0 && e != 0 && s != 0) {
		ck_assert_int_eq(p.root, 0);
		/* Even an account that does not exist: it is not used. */
		ck_assert_int_eq(priv_init(&p, "no-such-account-hm", &msg),
		    ERR_OK);
		ck_assert_int_eq(p.root, 0);
		ck_assert_int_eq(priv_drop(&p, &msg), ERR_OK);
		ck_assert_int_eq(geteuid(), e);
	} else {
		ck_assert_int_eq(p.root, 1);
		ck_assert_int_eq(p.uid, nobody());
		ck_assert_str_eq(p.name, "nobody");
	}
}
END_TEST

/* Whatever the account, the umask is 077 afterwards. */
START_TEST(test_init_umask)
{
	struct priv	 p;
	char		 path[200];

	(void)umask(022);
	(void)priv_init(&p, "nobody", &msg);
	ck_assert_uint_eq(umask(077), 077);
	snprintf(path, sizeof(path), "%s/new", dir);
	ck_assert_int_ne(open(path, O_WRONLY | O_CREAT, 0666), -1);
	ck_assert_uint_eq(mode_of(path), 0600);
}
END_TEST

/* SQLite's database, -wal and -shm under that umask: 0600 each. */
START_TEST(test_init_umask_sqlite)
{
	struct priv	 p;
	sqlite3		*conn;
	char		 path[200];

	(void)umask(022);
	(void)priv_init(&p, "nobody", &msg);
	ck_assert_int_eq(sqlite3_open(db, &conn), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(conn, "PRAGMA journal_mode = WAL; "
	    "CREATE TABLE t (x); INSERT INTO t VALUES (1)", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_uint_eq(mode_of(db), 0600);
	snprintf(path, sizeof(path), "%s-wal", db);
	ck_assert_uint_eq(mode_of(path), 0600);
	snprintf(path, sizeof(path), "%s-shm", db);
	ck_assert_uint_eq(mode_of(path), 0600);
	sqlite3_close(conn);
}
END_TEST

/* -------------------------------------------------------- priv_lookup */

START_TEST(test_lookup_nobody)
{
	struct priv	 p;

	ck_assert_int_eq(priv_lookup(&p, "nobody", &msg), ERR_OK);
	ck_assert_int_eq(p.root, 1);
	ck_assert_int_eq(p.uid, nobody());
	ck_assert_int_ne(p.gid, 0);
	ck_assert_str_eq(p.name, "nobody");
	ck_assert_str_eq(p.home, getpwnam("nobody")->pw_dir);
}
END_TEST

START_TEST(test_lookup_refusals)
{
	static const struct {
		const char	*user;
		const char	*says;
	} cases[] = {
		{ "", "SERVICE_USER is empty" },
		{ NULL, "SERVICE_USER is empty" },
		{ "no-such-account-hm", "SERVICE_USER no-such-account-hm "
		  "names no account" },
		{ "root", "SERVICE_USER root is root (uid 0)" },
	};
	struct priv	 p;

	ck_assert_int_eq(priv_lookup(&p, cases[_i].user, &msg), ERR_INVAL);
	ck_assert_msg(has(cases[_i].says), "%s", buf_str(&msg));
	ck_assert_msg(has("started as root") || has("unprivileged"), "%s",
	    buf_str(&msg));
}
END_TEST

/* ---------------------------------------------------------- priv_drop */

/*
 * As root only: a child becomes nobody and checks every id, and that
 * root is gone for good.  It ends with _exit(): a sanitizer's exit-time
 * leak check cannot run in a process that changed its user.
 */
START_TEST(test_drop)
{
	struct priv	 p;
	uid_t		 r, e, s;
	gid_t		 rg, eg, sg;
	pid_t		 pid;
	int		 st;

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(priv_lookup(&p, "nobody", &msg), ERR_OK);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (priv_drop(&p, &msg) != ERR_OK)
			_exit(10);
		if (getresuid(&r, &e, &s) != 0 || r != p.uid || e != p.uid ||
		    s != p.uid)
			_exit(11);
		if (getresgid(&rg, &eg, &sg) != 0 || rg != p.gid ||
		    eg != p.gid || sg != p.gid)
			_exit(12);
		if (setuid(0) != -1 || errno != EPERM)
			_exit(13);
		if (open("/etc/shadow", O_RDONLY) != -1)
			_exit(14);
		if (getenv("HOME") == NULL || strcmp(getenv("HOME"),
		    p.home) != 0 || strcmp(p.home, "") == 0 ||
		    getenv("USER") == NULL || strcmp(getenv("USER"),
		    "nobody") != 0 || getenv("LOGNAME") == NULL ||
		    strcmp(getenv("LOGNAME"), "nobody") != 0)
			_exit(15);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the child failed check %d", WEXITSTATUS(st));
}
END_TEST

/* ------------------------------------------------------ priv_check_db */

START_TEST(test_check_fresh)
{

	ck_assert_int_eq(priv_check_db(db, &msg), ERR_OK);
	ck_assert_str_eq(buf_str(&msg), "");
}
END_TEST

/* Any permission for group or others on the folder is refused. */
START_TEST(test_check_open_folder)
{
	static const mode_t	 modes[] = { 0755, 0750, 0701, 0770, 0707,
	    0710, 01777 };
	char			 want[64];

	ck_assert_int_eq(chmod(dir, modes[_i]), 0);
	ck_assert_int_eq(priv_check_db(db, &msg), ERR_INVAL);
	ck_assert_msg(has(dir), "%s", buf_str(&msg));
	snprintf(want, sizeof(want), "open to group or others (mode %04o)",
	    (unsigned)modes[_i]);
	ck_assert_msg(has(want), "%s", buf_str(&msg));
	ck_assert(has("chmod 0700"));
}
END_TEST

START_TEST(test_check_missing_folder)
{

	ck_assert_int_eq(rmdir(dir), 0);
	ck_assert_int_eq(priv_check_db(db, &msg), ERR_SYS);
	ck_assert_msg(has("database folder") && has(dir) &&
	    has(strerror(ENOENT)), "%s", buf_str(&msg));
}
END_TEST

/* The database and its files, open to others: made 0600, not refused. */
START_TEST(test_check_tightens_files)
{
	char	 wal[200], shm[200], journal[200];

	snprintf(wal, sizeof(wal), "%s-wal", db);
	snprintf(shm, sizeof(shm), "%s-shm", db);
	snprintf(journal, sizeof(journal), "%s-journal", db);
	touch(db, 0644);
	touch(wal, 0664);
	touch(shm, 0600);
	touch(journal, 0706);
	ck_assert_int_eq(priv_check_db(db, &msg), ERR_OK);
	ck_assert_uint_eq(mode_of(db), 0600);
	ck_assert_uint_eq(mode_of(wal), 0600);
	ck_assert_uint_eq(mode_of(shm), 0600);
	ck_assert_uint_eq(mode_of(journal), 0700);
}
END_TEST

START_TEST(test_check_not_a_file)
{

	ck_assert_int_eq(mkdir(db, 0700), 0);
	ck_assert_int_eq(priv_check_db(db, &msg), ERR_INVAL);
	ck_assert_msg(has("not a regular file"), "%s", buf_str(&msg));
}
END_TEST

/* A bare name is in the current folder, "/x" in the root folder. */
START_TEST(test_check_folder_of)
{

	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(priv_check_db("hm.db", &msg), ERR_OK);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(priv_check_db("hm.db", &msg), ERR_INVAL);
	ck_assert_msg(has("database folder . is open"), "%s", buf_str(&msg));
	buf_reset(&msg);
	/* "/" is root's and 0755: refused either way. */
	ck_assert_int_eq(priv_check_db("/hm.db", &msg), ERR_INVAL);
	ck_assert_msg(has("database folder / "), "%s", buf_str(&msg));
}
END_TEST

/* As root only: a folder or file of another account is refused. */
START_TEST(test_check_other_owner)
{
	char	 wal[200];

	if (geteuid() != 0)
		return;
	ck_assert_int_eq(chown(dir, nobody(), (gid_t)-1), 0);
	ck_assert_int_eq(priv_check_db(db, &msg), ERR_INVAL);
	ck_assert_msg(has("database folder") && has(dir) &&
	    has("belongs to uid") && has("(nobody)") &&
	    has("runs as uid 0 (root)") && has("chown"), "%s",
	    buf_str(&msg));
	ck_assert_int_eq(chown(dir, 0, (gid_t)-1), 0);
	buf_reset(&msg);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	touch(db, 0600);
	touch(wal, 0600);
	ck_assert_int_eq(chown(wal, nobody(), (gid_t)-1), 0);
	ck_assert_int_eq(priv_check_db(db, &msg), ERR_INVAL);
	ck_assert_msg(has(wal) && has("belongs to uid") && has("chown"),
	    "%s", buf_str(&msg));
}
END_TEST

static Suite *
priv_suite(void)
{
	Suite	*s = suite_create("priv");
	TCase	*tc;

	tc = tcase_create("init");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_init_decides);
	tcase_add_test(tc, test_init_umask);
	tcase_add_test(tc, test_init_umask_sqlite);
	tcase_add_test(tc, test_lookup_nobody);
	tcase_add_loop_test(tc, test_lookup_refusals, 0, 4);
	tcase_add_test(tc, test_drop);
	suite_add_tcase(s, tc);

	tc = tcase_create("check_db");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_check_fresh);
	tcase_add_loop_test(tc, test_check_open_folder, 0, 7);
	tcase_add_test(tc, test_check_missing_folder);
	tcase_add_test(tc, test_check_tightens_files);
	tcase_add_test(tc, test_check_not_a_file);
	tcase_add_test(tc, test_check_folder_of);
	tcase_add_test(tc, test_check_other_owner);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(priv_suite());
}
