/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "mailq.h"
#include "outbox.h"
#include "pool.h"
#include "rfc3339.h"
#include "testutil.h"

#define	TO	"ada@hospital.test"
#define	LINK	"https://hm.test/api/auth/activate/MDE5/a-1/?a=1&b=2"
#define	LEASE	600000

static struct testdb	 tdb;
static struct pool	*pool;
static struct db	*db;

static void
setup(void)
{

	testdb_open(&tdb);
	tdb.conf.activation_timeout = 259200;
	tdb.conf.reset_timeout = 3600;
	db = tdb.app.db;
	ck_assert_ptr_nonnull(pool = pool_new());
}

static void
teardown(void)
{

	pool_free(pool);
	testdb_close(&tdb);
}

struct	rows {
	int			 n;
	struct mailq_row	 last;
};

static void
count_row(const struct mailq_row *r, void *arg)
{
	struct rows	*rows = arg;

	rows->n++;
	rows->last = *r;
}

static struct rows
rows_of(const char *status)
{
	struct rows	 rows;

	memset(&rows, 0, sizeof(rows));
	ck_assert_int_eq(mailq_list(db, pool, status, count_row, &rows),
	    ERR_OK);
	return rows;
}

START_TEST(test_enqueue_in_transaction)
{
	struct rows		 r;
	struct mailq_mail	 m;

	ck_assert_int_eq(db_begin(db), ERR_OK);
	ck_assert_int_eq(outbox_activation(db, &tdb.conf, TO, "<Ada & Bob>",
	    LINK), ERR_OK);
	ck_assert_int_eq(db_commit(db), ERR_OK);
	r = rows_of(NULL);
	ck_assert_int_eq(r.n, 1);
	ck_assert_str_eq(r.last.recipient, TO);
	ck_assert_str_eq(r.last.status, "pending");
	ck_assert_int_eq(r.last.attempts, 0);
	ck_assert_str_eq(r.last.subject, "Activate your Heart Monitor account");
	ck_assert_ptr_null(r.last.last_error);

	ck_assert_int_eq(mailq_take(db, pool, time_now_ms(), LEASE, &m),
	    ERR_OK);
	ck_assert_ptr_nonnull(strstr(m.text, "Hello <Ada & Bob>,"));
	ck_assert_ptr_nonnull(strstr(m.text, LINK "\n"));
	ck_assert_ptr_nonnull(strstr(m.text, "expires in 3 days"));
	ck_assert_ptr_nonnull(strstr(m.html, "Hello &lt;Ada &amp; Bob&gt;,"));
	ck_assert_ptr_null(strstr(m.html, "<Ada"));
	ck_assert_ptr_nonnull(strstr(m.html, "href=\"https://hm.test/api/auth/"
	    "activate/MDE5/a-1/?a=1&amp;b=2\""));
}
END_TEST

START_TEST(test_rollback_leaves_nothing)
{

	ck_assert_int_eq(db_begin(db), ERR_OK);
	ck_assert_int_eq(outbox_reset(db, &tdb.conf, TO, "Ada", LINK), ERR_OK);
	ck_assert_int_eq(outbox_already_registered(db, &tdb.conf, TO, "Ada"),
	    ERR_OK);
	db_rollback(db);
	ck_assert_int_eq(rows_of(NULL).n, 0);
}
END_TEST

START_TEST(test_outside_transaction_refused)
{

	ck_assert_int_eq(outbox_activation(db, &tdb.conf, TO, "Ada", LINK),
	    ERR_INVAL);
	ck_assert_int_eq(rows_of(NULL).n, 0);
}
END_TEST

/* CR, LF and friends in any value: refused, nothing queued. */
static const struct {
	const char	*to;
	const char	*name;
	const char	*link;
} bad[] = {
	{ TO "\r\nBcc: eve@evil.test", "Ada", LINK },
	{ TO "\nBcc: eve@evil.test", "Ada", LINK },
	{ TO "\r", "Ada", LINK },
	{ "Ada <" TO ">", "Ada", LINK },
	{ TO, "Ada\r\nBcc: eve@evil.test", LINK },
	{ TO, "Ada\n", LINK },
	{ TO, "Ada\r", LINK },
	{ TO, "Ada\t", LINK },
	{ TO, "Ada", LINK "\r\nBcc: eve@evil.test" },
	{ TO, "Ada", LINK "\n" },
	{ TO, "Ada", "" },
	{ TO, "Ada", NULL },
};

START_TEST(test_crlf_refused)
{

	ck_assert_int_eq(db_begin(db), ERR_OK);
	ck_assert_int_eq(outbox_activation(db, &tdb.conf, bad[_i].to,
	    bad[_i].name, bad[_i].link), ERR_INVAL);
	ck_assert_int_eq(outbox_reset(db, &tdb.conf, bad[_i].to,
	    bad[_i].name, bad[_i].link), ERR_INVAL);
	/* The notice has no link: try it when "to" or the name is bad. */
	if (bad[_i].link != NULL && strcmp(bad[_i].link, LINK) == 0)
		ck_assert_int_eq(outbox_already_registered(db, &tdb.conf,
		    bad[_i].to, bad[_i].name), ERR_INVAL);
	ck_assert_int_eq(db_commit(db), ERR_OK);
	ck_assert_int_eq(rows_of(NULL).n, 0);
}
END_TEST

START_TEST(test_notice_has_no_link)
{
	struct mailq_mail	 m;

	ck_assert_int_eq(db_begin(db), ERR_OK);
	ck_assert_int_eq(outbox_already_registered(db, &tdb.conf, TO, NULL),
	    ERR_OK);
	ck_assert_int_eq(db_commit(db), ERR_OK);
	ck_assert_int_eq(mailq_take(db, pool, time_now_ms(), LEASE, &m),
	    ERR_OK);
	ck_assert_ptr_null(strstr(m.text, "http"));
	ck_assert_ptr_null(strstr(m.html, "href"));
	ck_assert_ptr_nonnull(strstr(m.text, "Hello,"));
}
END_TEST

static void
queue_test_mail(void)
{

	ck_assert_int_eq(mailq_test(db, TO), ERR_OK);
}

START_TEST(test_lease_is_exclusive)
{
	struct mailq_mail	 m, m2;
	struct buf		 errmsg;
	struct db		*other;
	int64_t			 now;

	queue_test_mail();
	now = time_now_ms();
	buf_init(&errmsg);
	ck_assert_int_eq(db_open(&tdb.conf, DB_SERVE, &other, &errmsg),
	    ERR_OK);
	ck_assert_int_eq(mailq_take(db, pool, now, LEASE, &m), ERR_OK);
	ck_assert_int_eq(mailq_take(other, pool, now, LEASE, &m2),
	    ERR_NOTFOUND);
	ck_assert_int_eq(mailq_take(db, pool, now, LEASE, &m2), ERR_NOTFOUND);
	/* After the lease, it is due again (its worker died). */
	ck_assert_int_eq(mailq_take(other, pool, now + LEASE, LEASE, &m2),
	    ERR_OK);
	ck_assert_str_eq(m.id, m2.id);
	db_close(other);
	buf_clear(&errmsg);
}
END_TEST

START_TEST(test_later_then_sent)
{
	struct mailq_mail	 m;
	struct rows		 r;
	int64_t			 now;

	queue_test_mail();
	now = time_now_ms();
	ck_assert_int_eq(mailq_take(db, pool, now, LEASE, &m), ERR_OK);
	ck_assert_int_eq(m.attempts, 0);
	ck_assert_int_eq(mailq_later(db, m.id, now + 2000, "421 busy"),
	    ERR_OK);
	r = rows_of("pending");
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.last.attempts, 1);
	ck_assert_str_eq(r.last.last_error, "421 busy");
	ck_assert_int_eq(mailq_take(db, pool, now + 1999, LEASE, &m),
	    ERR_NOTFOUND);
	ck_assert_int_eq(mailq_take(db, pool, now + 2000, LEASE, &m), ERR_OK);
	ck_assert_int_eq(m.attempts, 1);
	ck_assert_int_eq(mailq_sent(db, m.id, now + 2000), ERR_OK);
	r = rows_of("sent");
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.last.attempts, 2);
	ck_assert_ptr_null(r.last.last_error);
	ck_assert_int_eq(rows_of("pending").n, 0);
	ck_assert_int_eq(mailq_take(db, pool, now + LEASE * 10, LEASE, &m),
	    ERR_NOTFOUND);
	/* A sent mail cannot be revived. */
	ck_assert_int_eq(mailq_retry(db, r.last.id), ERR_CONFLICT);
}
END_TEST

START_TEST(test_failed_then_retry)
{
	struct mailq_mail	 m;
	struct rows		 r;
	long			 n = -1;
	int64_t			 now;

	queue_test_mail();
	queue_test_mail();
	now = time_now_ms();
	ck_assert_int_eq(mailq_take(db, pool, now, LEASE, &m), ERR_OK);
	ck_assert_int_eq(mailq_failed(db, m.id, "550 no such user"), ERR_OK);
	r = rows_of("failed");
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.last.attempts, 1);
	ck_assert_str_eq(r.last.last_error, "550 no such user");
	ck_assert_int_eq(mailq_retry(db, m.id), ERR_OK);
	r = rows_of("pending");
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(rows_of("failed").n, 0);
	ck_assert_int_eq(mailq_retry(db,
	    "0192f0a4-7b7c-7def-8a00-0123456789ab"), ERR_NOTFOUND);

	ck_assert_int_eq(mailq_take(db, pool, time_now_ms(), LEASE, &m),
	    ERR_OK);
	ck_assert_int_eq(mailq_failed(db, m.id, "550"), ERR_OK);
	ck_assert_int_eq(mailq_take(db, pool, time_now_ms(), LEASE, &m),
	    ERR_OK);
	ck_assert_int_eq(mailq_failed(db, m.id, "550"), ERR_OK);
	ck_assert_int_eq(mailq_retry_failed(db, &n), ERR_OK);
	ck_assert_int_eq(n, 2);
	r = rows_of("pending");
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(r.last.attempts, 0);
}
END_TEST

START_TEST(test_test_mail_refuses_bad_address)
{

	ck_assert_int_eq(mailq_test(db, "eve@evil.test\r\nBcc: x@y.z"),
	    ERR_INVAL);
	ck_assert_int_eq(rows_of(NULL).n, 0);
}
END_TEST

static Suite *
outbox_suite(void)
{
	Suite	*s = suite_create("outbox");
	TCase	*tc;

	tc = tcase_create("enqueue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_enqueue_in_transaction);
	tcase_add_test(tc, test_rollback_leaves_nothing);
	tcase_add_test(tc, test_outside_transaction_refused);
	tcase_add_test(tc, test_notice_has_no_link);
	suite_add_tcase(s, tc);

	tc = tcase_create("injection");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_crlf_refused, 0,
	    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_test_mail_refuses_bad_address);
	suite_add_tcase(s, tc);

	tc = tcase_create("queue");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_lease_is_exclusive);
	tcase_add_test(tc, test_later_then_sent);
	tcase_add_test(tc, test_failed_then_retry);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(outbox_suite());
}
