/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "listen.h"
#include "testutil.h"

/*
 * fcgi/listen.c: the --listen socket, and listen_give(), which hands a
 * socket root made to the service user.  Giving it to another account
 * needs root (CI is root); giving it to oneself works for anyone.
 */

static char		 top[64];
static char		 spec[128];	/* unix:top/s.sock */
static struct buf	 msg;
static int		 fd = -1;

static void
setup(void)
{

	snprintf(top, sizeof(top), "/tmp/hmlisten.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	snprintf(spec, sizeof(spec), "unix:%s/s.sock", top);
	buf_init(&msg);
}

static void
teardown(void)
{

	listen_close(spec, fd);
	fd = -1;
	buf_clear(&msg);
	(void)rmdir(top);
}

static struct stat
sock_stat(void)
{
	struct stat	 st;

	ck_assert_int_eq(lstat(spec + 5, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	return st;
}

START_TEST(test_open_mode)
{

	(void)umask(077);
	ck_assert_int_ne(fd = listen_open(spec, &msg), -1);
	ck_assert_uint_eq(sock_stat().st_mode & 07777, 0660);
	ck_assert(listen_is_socket(fd));
}
END_TEST

/* To oneself: allowed to anyone; owner and group as asked. */
START_TEST(test_give_self)
{
	struct stat	 st;

	ck_assert_int_ne(fd = listen_open(spec, &msg), -1);
	ck_assert_int_eq(listen_give(spec, geteuid(), getegid(), &msg), 0);
	st = sock_stat();
	ck_assert_uint_eq(st.st_uid, geteuid());
	ck_assert_uint_eq(st.st_gid, getegid());
}
END_TEST

START_TEST(test_give_tcp_noop)
{

	ck_assert_int_eq(listen_give("127.0.0.1:1", 1, 1, &msg), 0);
	ck_assert_int_eq(listen_give("unix:/nonexistent/x.sock", geteuid(),
	    getegid(), &msg), -1);
	ck_assert(strstr(buf_str(&msg), "/nonexistent/x.sock") != NULL);
}
END_TEST

/* As root: the socket becomes nobody's, with nobody's group... */
START_TEST(test_give_root)
{
	struct passwd	*pw;
	struct stat	 st;

	if (geteuid() != 0)
		return;
	ck_assert_ptr_nonnull(pw = getpwnam("nobody"));
	ck_assert_int_ne(fd = listen_open(spec, &msg), -1);
	ck_assert_int_eq(listen_give(spec, pw->pw_uid, pw->pw_gid, &msg), 0);
	st = sock_stat();
	ck_assert_uint_eq(st.st_uid, pw->pw_uid);
	ck_assert_uint_eq(st.st_gid, pw->pw_gid);
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
}
END_TEST

/* ...except in a set-group-ID folder, whose group the socket keeps. */
START_TEST(test_give_root_setgid)
{
	struct passwd	*pw;
	struct group	*gr;
	struct stat	 st;

	if (geteuid() != 0)
		return;
	ck_assert_ptr_nonnull(pw = getpwnam("nobody"));
	ck_assert_ptr_nonnull(gr = getgrnam("daemon"));
	ck_assert_int_ne(gr->gr_gid, pw->pw_gid);
	ck_assert_int_eq(chown(top, 0, gr->gr_gid), 0);
	ck_assert_int_eq(chmod(top, 02750), 0);
	ck_assert_int_ne(fd = listen_open(spec, &msg), -1);
	ck_assert_int_eq(listen_give(spec, pw->pw_uid, pw->pw_gid, &msg), 0);
	st = sock_stat();
	ck_assert_uint_eq(st.st_uid, pw->pw_uid);
	ck_assert_uint_eq(st.st_gid, gr->gr_gid);
}
END_TEST

static Suite *
listen_suite(void)
{
	Suite	*s = suite_create("listen");
	TCase	*tc = tcase_create("give");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_mode);
	tcase_add_test(tc, test_give_self);
	tcase_add_test(tc, test_give_tcp_noop);
	tcase_add_test(tc, test_give_root);
	tcase_add_test(tc, test_give_root_setgid);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(listen_suite());
}
