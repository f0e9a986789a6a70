/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "supervise.h"
#include "testutil.h"

/*
 * fcgi/supervise.c: a supervisor runs in a child of the test; each of
 * its workers writes its pid into a pipe, then waits to be killed
 * (STAY) or exits with status 1 at once (FAIL).
 */
enum	mode { STAY, FAIL };

static int	 pfd[2] = { -1, -1 };

static int
child(void *arg)
{
	pid_t	 me = getpid();

	/* Check's own SIGTERM handler, inherited, would kill the test. */
	(void)signal(SIGTERM, SIG_DFL);
	if (write(pfd[1], &me, sizeof(me)) != (ssize_t)sizeof(me))
		return 2;
	if (*(enum mode *)arg == FAIL)
		return 1;
	for (;;)
		pause();
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next worker's pid, within "ms"; 0 if none came. */
static pid_t
next_worker(int ms)
{
	struct pollfd	 p = { .fd = -1, .events = POLLIN };
	pid_t		 pid;

	p.fd = pfd[0];
	if (poll(&p, 1, ms) != 1 ||
	    read(pfd[0], &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		return 0;
	return pid;
}

static pid_t
start(enum mode *mode)
{
	pid_t	 sup;

	ck_assert_int_eq(pipe(pfd), 0);
	if ((sup = fork()) == 0) {
		close(pfd[0]);
		_exit(supervise(1, child, mode));
	}
	ck_assert_int_gt(sup, 0);
	close(pfd[1]);
	return sup;
}

static void
stop(pid_t sup)
{
	int	 st;

	ck_assert_int_eq(kill(sup, SIGTERM), 0);
	ck_assert_int_eq(waitpid(sup, &st, 0), sup);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	close(pfd[0]);
}

/* A worker killed from outside is replaced at once, however young. */
START_TEST(test_sigkill_replaced_at_once)
{
	enum mode	 mode = STAY;
	pid_t		 sup, w, w2;
	int64_t		 t;
	int		 i;

	sup = start(&mode);
	ck_assert_int_gt(w = next_worker(5000), 0);
	for (i = 0; i < 5; i++) {
		t = now_ms();
		ck_assert_int_eq(kill(w, SIGKILL), 0);
		ck_assert_int_gt(w2 = next_worker(5000), 0);
		ck_assert_int_ne(w2, w);
		ck_assert_msg(now_ms() - t < 500, "replaced after %lld ms",
		    (long long)(now_ms() - t));
		w = w2;
	}
	stop(sup);
}
END_TEST

/* One that fails at start waits a second: no fork loop. */
START_TEST(test_fast_failure_pauses)
{
	enum mode	 mode = FAIL;
	pid_t		 sup;
	int64_t		 t;

	sup = start(&mode);
	ck_assert_int_gt(next_worker(5000), 0);
	t = now_ms();
	ck_assert_int_gt(next_worker(5000), 0);
	ck_assert_msg(now_ms() - t >= 900, "replaced after %lld ms",
	    (long long)(now_ms() - t));
	stop(sup);
}
END_TEST

#ifdef __linux__
/*
 * The workers of a supervisor killed with SIGKILL get SIGTERM and end:
 * no orphans.  This process is their subreaper, so it sees how.
 */
START_TEST(test_no_orphans)
{
	enum mode	 mode = STAY;
	pid_t		 sup, w;
	int		 st;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	sup = start(&mode);
	ck_assert_int_gt(w = next_worker(5000), 0);
	ck_assert_int_eq(kill(sup, SIGKILL), 0);
	ck_assert_int_eq(waitpid(sup, &st, 0), sup);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	ck_assert_int_eq(waitpid(w, &st, 0), w);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGTERM);
	close(pfd[0]);
}
END_TEST
#endif

static Suite *
supervise_suite(void)
{
	Suite	*s = suite_create("supervise");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_sigkill_replaced_at_once);
	tcase_add_test(tc, test_fast_failure_pauses);
#ifdef __linux__
	tcase_add_test(tc, test_no_orphans);
#endif
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(supervise_suite());
}
