/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "hmctl.h"
#include "mailer.h"
#include "mailq.h"

#define	MAIL_USAGE	"mail list [--status pending|sent|failed] | " \
	"mail retry ID | mail retry --all-failed | mail run | " \
	"mail test --to ADDRESS"

static volatile sig_atomic_t	 stop;

static void
on_stop(int sig)
{

	(void)sig;
	stop = 1;
}

static void
print_mail(const struct mailq_row *r, void *arg)
{

	(void)arg;
	printf("%s\t%s\t%ld\t%s\t%s\t%s\t%s\n", r->id, r->status, r->attempts,
	    r->recipient, r->subject, r->last_error != NULL ?
	    r->last_error : "-", r->created_at);
}

static int
mail_list(struct ctx *c, int argc, char *argv[])
{
	const char	*status = NULL;
	enum err	 e;

	if (argc == 3 && strcmp(argv[1], "--status") == 0)
		status = argv[2];
	else if (argc != 1)
		return cmd_usage(MAIL_USAGE);
	if (status != NULL && strcmp(status, "pending") != 0 &&
	    strcmp(status, "sent") != 0 && strcmp(status, "failed") != 0)
		return cmd_usage(MAIL_USAGE);
	if ((e = mailq_list(c->db, c->pool, status, print_mail, NULL)) !=
	    ERR_OK)
		return cmd_fail("mail list: %s", err_str(e));
	return EXIT_OK;
}

static int
mail_retry(struct ctx *c, int argc, char *argv[])
{
	long		 n = 0;
	enum err	 e;

	if (argc != 2)
		return cmd_usage(MAIL_USAGE);
	if (strcmp(argv[1], "--all-failed") == 0) {
		if ((e = mailq_retry_failed(c->db, &n)) != ERR_OK)
			return cmd_fail("mail retry: %s", err_str(e));
		printf("%ld failed mail(s) pending again\n", n);
		return EXIT_OK;
	}
	if (argv[1][0] == '-')
		return cmd_usage(MAIL_USAGE);
	if ((e = mailq_retry(c->db, argv[1])) == ERR_NOTFOUND)
		return cmd_fail("mail retry: no mail %s", argv[1]);
	if (e == ERR_CONFLICT)
		return cmd_fail("mail retry: mail %s was sent already",
		    argv[1]);
	if (e != ERR_OK)
		return cmd_fail("mail retry: %s", err_str(e));
	printf("mail %s pending again, due now\n", argv[1]);
	return EXIT_OK;
}

/*
 * As "heartmonitor-mailer --once".  A stop signal waits for the mail
 * in hand, which is then recorded, so it is never sent twice.
 */
static int
mail_run(struct ctx *c, int argc, char *argv[])
{
	struct sigaction	 sa;
	struct mailer_stats	 st;
	enum err		 e;

	(void)argv;
	if (argc != 1)
		return cmd_usage(MAIL_USAGE);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	memset(&st, 0, sizeof(st));
	if ((e = mailer_run(c->db, &c->conf, &stop, &st)) == ERR_INVAL)
		return cmd_fail("mail run: EMAIL_FROM is not a bare address "
		    "(local@domain)");
	printf("%zu sent, %zu to retry later, %zu failed\n", st.sent,
	    st.retry, st.failed);
	if (e != ERR_OK)
		return cmd_fail("mail run: %s", err_str(e));
	return EXIT_OK;
}

static int
mail_test(struct ctx *c, int argc, char *argv[])
{
	enum err	 e;

	if (argc != 3 || strcmp(argv[1], "--to") != 0)
		return cmd_usage(MAIL_USAGE);
	if ((e = mailq_test(c->db, argv[2])) == ERR_INVAL)
		return cmd_fail("mail test: not a plain address: %s", argv[2]);
	if (e != ERR_OK)
		return cmd_fail("mail test: %s", err_str(e));
	printf("queued a test mail to %s\n", argv[2]);
	return EXIT_OK;
}

int
cmd_mail(struct ctx *c, int argc, char *argv[])
{

	if (cmd_wants_help(argc, argv, MAIL_USAGE))
		return EXIT_OK;
	if (argc < 2)
		return cmd_usage(MAIL_USAGE);
	if (strcmp(argv[1], "list") == 0)
		return mail_list(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "retry") == 0)
		return mail_retry(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return mail_run(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "test") == 0)
		return mail_test(c, argc - 1, argv + 1);
	return cmd_usage(MAIL_USAGE);
}
