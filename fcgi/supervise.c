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
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "supervise.h"

#define	FAST_DEATH_US	1000000	/* died sooner than this: pause */
#define	STOP_GRACE_S	30	/* then SIGKILL whoever is left */

struct	slot {
	pid_t	 pid;		/* 0: not running */
	int64_t	 started;	/* log_clock_us() */
	int64_t	 restart_at;	/* when a dead slot may be refilled */
};

static int
spawn(struct slot *s, sigset_t *old, int (*child)(void *), void *arg)
{
	pid_t	 pid;

	if ((pid = fork()) == -1) {
		log_warn(NULL, "fork");
		s->restart_at = log_clock_us() + FAST_DEATH_US;
		return -1;
	}
	if (pid == 0) {
#ifdef __linux__
		/* Never outlive the supervisor, even after a SIGKILL. */
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(EXIT_FAILURE);
#endif
		(void)sigprocmask(SIG_SETMASK, old, NULL);
		_exit(child(arg));
	}
	s->pid = pid;
	s->started = log_clock_us();
	return 0;
}

/*
 * Whether a child that ended with status "st" after "lived" us must
 * wait before it is replaced: one that failed within FAST_DEATH_US of
 * its start may be failing at start-up (a broken database) and would
 * make a fork loop.  SIGKILL comes from outside (an operator, the OOM
 * killer), never from a failing start: that worker is replaced at
 * once, or a run of kills would leave the pool empty for a second at
 * each (issue 9's crash test).
 */
static int
fast_death(int st, int64_t lived)
{

	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		return 0;
	return lived < FAST_DEATH_US;
}

/* Collects dead children and schedules their replacement. */
static void
reap(struct slot *slots, int n)
{
	pid_t	 pid;
	int	 st, i;
	int64_t	 now;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < n && slots[i].pid != pid; i++)
			continue;
		if (i == n)
			continue;
		now = log_clock_us();
		if (WIFSIGNALED(st))
			log_warnx(NULL, "worker %ld killed by signal %d",
			    (long)pid, WTERMSIG(st));
		else
			log_warnx(NULL, "worker %ld exited with status %d",
			    (long)pid, WEXITSTATUS(st));
		slots[i].pid = 0;
		slots[i].restart_at = fast_death(st, now - slots[i].started) ?
		    now + FAST_DEATH_US : now;
	}
}

/*
 * Sends SIGTERM to every child and waits for them; whoever is left
 * after STOP_GRACE_S gets SIGKILL.  SIGCHLD is blocked here, so wait
 * for it with a timeout rather than in waitpid(), which could block
 * past the deadline on a hung worker.
 */
static void
stop_all(struct slot *slots, int n)
{
	time_t		 deadline = time(NULL) + STOP_GRACE_S;
	struct timespec	 tick = { 1, 0 };
	sigset_t	 chld;
	int		 i, left, st;
	pid_t		 pid;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (i = 0; i < n; i++)
		if (slots[i].pid > 0)
			(void)kill(slots[i].pid, SIGTERM);
	for (;;) {
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			for (i = 0; i < n; i++)
				if (slots[i].pid == pid)
					slots[i].pid = 0;
		for (left = 0, i = 0; i < n; i++)
			left += slots[i].pid > 0;
		if (left == 0 || (pid == -1 && errno == ECHILD))
			break;
		if (time(NULL) > deadline)
			for (i = 0; i < n; i++)
				if (slots[i].pid > 0)
					(void)kill(slots[i].pid, SIGKILL);
		(void)sigtimedwait(&chld, NULL, &tick);
	}
}

int
supervise(int workers, int (*child)(void *), void *arg)
{
	struct slot	 slots[WORKERS_MAX];
	sigset_t	 set, old;
	struct timespec	 tick = { 0, 200 * 1000 * 1000 };
	int		 i, sig;

	memset(slots, 0, sizeof(slots));
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	(void)sigprocmask(SIG_BLOCK, &set, &old);
	for (;;) {
		for (i = 0; i < workers; i++)
			if (slots[i].pid == 0 &&
			    log_clock_us() >= slots[i].restart_at)
				(void)spawn(&slots[i], &old, child, arg);
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		reap(slots, workers);
	}
	log_warnx(NULL, "stopping: waiting for %d workers", workers);
	stop_all(slots, workers);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return EXIT_SUCCESS;
}
