/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "testutil.h"

#define	SECRET	"0123456789abcdef0123456789abcdef-secret"

static char		 path[64];
static struct conf	 c;
static struct buf	 msg;

static const char *const vars[] = { "SECRET_KEY", "DATABASE_PATH",
    "DB_SYNCHRONOUS", "DB_BUSY_TIMEOUT_MS", "PASSWORD_ITERATIONS",
    "SERVICE_USER" };

static void
setup(void)
{
	size_t	 i;
	int	 fd;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	snprintf(path, sizeof(path), "/tmp/hmconf.XXXXXX");
	ck_assert_int_ne(fd = mkstemp(path), -1);
	close(fd);
	buf_init(&msg);
	memset(&c, 0, sizeof(c));
}

static void
teardown(void)
{

	conf_clear(&c);
	buf_clear(&msg);
	unlink(path);
}

static void
put(const char *text)
{
	FILE	*f;

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static enum err
load(const char *text)
{

	put(text);
	buf_reset(&msg);
	conf_clear(&c);
	return conf_load(&c, path, 1, &msg);
}

START_TEST(test_defaults)
{

	ck_assert_int_eq(load("SECRET_KEY=" SECRET "\n"), ERR_OK);
	ck_assert_str_eq(c.secret_key, SECRET);
	ck_assert_str_eq(c.database_path,
	    "/var/lib/heartmonitor/heartmonitor.db");
	ck_assert_int_eq(c.db_synchronous, DB_SYNC_FULL);
	ck_assert_int_eq(c.db_busy_timeout_ms, 5000);
	ck_assert_int_eq(c.password_iterations, 600000);
	ck_assert_str_eq(c.service_user, "heartmonitor");
}
END_TEST

/* SERVICE_USER: an account name, or empty for none (lib/priv.h). */
START_TEST(test_service_user)
{

	ck_assert_int_eq(load("SECRET_KEY=" SECRET "\nSERVICE_USER=_hm\n"),
	    ERR_OK);
	ck_assert_str_eq(c.service_user, "_hm");
	ck_assert_int_eq(load("SECRET_KEY=" SECRET "\nSERVICE_USER=\n"),
	    ERR_OK);
	ck_assert_str_eq(c.service_user, "");
	ck_assert_int_eq(load("SECRET_KEY=" SECRET "\nSERVICE_USER="
	    "abcdefghijklmnopqrstuvwxyz0123456\n"), ERR_INVAL);
	ck_assert(strstr(buf_str(&msg), "SERVICE_USER") != NULL);
}
END_TEST

START_TEST(test_file_values)
{

	ck_assert_int_eq(load("# comment\n\n  SECRET_KEY = \"" SECRET "\"\n"
	    "DATABASE_PATH='/tmp/x.db'\nDB_SYNCHRONOUS=normal\r\n"
	    "DB_BUSY_TIMEOUT_MS=250\nPASSWORD_ITERATIONS=100000\n"), ERR_OK);
	ck_assert_str_eq(c.secret_key, SECRET);
	ck_assert_str_eq(c.database_path, "/tmp/x.db");
	ck_assert_int_eq(c.db_synchronous, DB_SYNC_NORMAL);
	ck_assert_int_eq(c.db_busy_timeout_ms, 250);
	ck_assert_int_eq(c.password_iterations, 100000);
}
END_TEST

START_TEST(test_environment_wins)
{

	setenv("DB_BUSY_TIMEOUT_MS", "42", 1);
	setenv("SECRET_KEY", SECRET "-env", 1);
	ck_assert_int_eq(load("SECRET_KEY=" SECRET "\n"
	    "DB_BUSY_TIMEOUT_MS=250\n"), ERR_OK);
	ck_assert_int_eq(c.db_busy_timeout_ms, 42);
	ck_assert_str_eq(c.secret_key, SECRET "-env");
	setenv("DB_BUSY_TIMEOUT_MS", "forty", 1);
	ck_assert_int_eq(load("SECRET_KEY=" SECRET "\n"), ERR_INVAL);
	ck_assert(strstr(buf_str(&msg), "DB_BUSY_TIMEOUT_MS") != NULL);
	ck_assert(strstr(buf_str(&msg), "environment") != NULL);
}
END_TEST

START_TEST(test_secret_required)
{

	ck_assert_int_eq(load("DB_SYNCHRONOUS=FULL\n"), ERR_INVAL);
	ck_assert(strstr(buf_str(&msg), "SECRET_KEY") != NULL);
	ck_assert_ptr_null(c.database_path);	/* cleared on failure */
	buf_reset(&msg);
	ck_assert_int_eq(conf_load(&c, path, 0, &msg), ERR_OK);
}
END_TEST

START_TEST(test_secret_too_short)
{

	ck_assert_int_eq(load("SECRET_KEY=short-secret\n"), ERR_INVAL);
	ck_assert(strstr(buf_str(&msg), "SECRET_KEY") != NULL);
	/* The message never repeats the value. */
	ck_assert(strstr(buf_str(&msg), "short-secret") == NULL);
}
END_TEST

START_TEST(test_bad_lines)
{
	static const struct {
		const char	*text;
		const char	*names;
	} bad[] = {
		{ "SECRET_KEY=" SECRET "\nSECRETKEY=x\n", "SECRETKEY" },
		{ "SECRET_KEY=" SECRET "\njust words\n", ":2:" },
		{ "SECRET_KEY=" SECRET "\nDB_SYNCHRONOUS=FASTEST\n",
		  "DB_SYNCHRONOUS" },
		{ "SECRET_KEY=" SECRET "\nDB_BUSY_TIMEOUT_MS=-1\n",
		  "DB_BUSY_TIMEOUT_MS" },
		{ "SECRET_KEY=" SECRET "\nDB_BUSY_TIMEOUT_MS=10x\n",
		  "DB_BUSY_TIMEOUT_MS" },
		{ "SECRET_KEY=" SECRET "\nDB_BUSY_TIMEOUT_MS=\n",
		  "DB_BUSY_TIMEOUT_MS" },
		{ "SECRET_KEY=" SECRET "\nPASSWORD_ITERATIONS=1000\n",
		  "PASSWORD_ITERATIONS" },
		{ "SECRET_KEY=" SECRET "\nPASSWORD_ITERATIONS="
		  "99999999999999999999999\n", "PASSWORD_ITERATIONS" },
		{ "SECRET_KEY=" SECRET "\nSECRET_KEY=" SECRET "\n",
		  "set twice" },
		{ "SECRET_KEY=" SECRET "\nDATABASE_PATH=\n", "DATABASE_PATH" },
		{ "SECRET_KEY=" SECRET "\x01\n", "SECRET_KEY" },
	};

	ck_assert_int_eq(load(bad[_i].text), ERR_INVAL);
	ck_assert_msg(strstr(buf_str(&msg), bad[_i].names) != NULL,
	    "\"%s\" does not name %s", buf_str(&msg), bad[_i].names);
}
END_TEST

START_TEST(test_missing_file)
{

	ck_assert_int_ne(conf_load(&c, "/nonexistent/hm.conf", 1, &msg),
	    ERR_OK);
	ck_assert(strstr(buf_str(&msg), "/nonexistent/hm.conf") != NULL);
}
END_TEST

START_TEST(test_long_line)
{
	char	*text = malloc(10000);

	memset(text, 'a', 9998);
	text[9998] = '\n';
	text[9999] = '\0';
	ck_assert_int_eq(load(text), ERR_INVAL);
	ck_assert(strstr(buf_str(&msg), "too long") != NULL);
	free(text);
}
END_TEST

START_TEST(test_dump_hides_secret)
{
	struct buf	 out;

	ck_assert_int_eq(load("SECRET_KEY=" SECRET "\n"), ERR_OK);
	buf_init(&out);
	ck_assert_int_eq(conf_dump(&c, &out), ERR_OK);
	ck_assert(strstr(buf_str(&out), SECRET) == NULL);
	ck_assert(strstr(buf_str(&out), "SECRET_KEY=(set, 39 bytes)") != NULL);
	ck_assert(strstr(buf_str(&out), "DB_SYNCHRONOUS=FULL") != NULL);
	buf_clear(&out);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_service_user);
	tcase_add_test(tc, test_file_values);
	tcase_add_test(tc, test_environment_wins);
	tcase_add_test(tc, test_secret_required);
	tcase_add_test(tc, test_secret_too_short);
	tcase_add_loop_test(tc, test_bad_lines, 0, 11);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_dump_hides_secret);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(conf_suite());
}
