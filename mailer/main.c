/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "mailer.h"
#include "priv.h"

/*
 * heartmonitor-mailer: delivers the outbox (SPEC section 1).  Requests
 * only queue mail; this program sends it, polling the outbox once a
 * second, so an SMTP outage delays mail but loses none.  Any number may
 * run on one database: each mail is leased to one of them.
 */

static volatile sig_atomic_t	 stop;

static void
on_stop(int sig)
{

	(void)sig;
	stop = 1;
}

static void
usage(FILE *f)
{

	fprintf(f, "usage: heartmonitor-mailer [-c config] [--once]\n"
	    "       heartmonitor-mailer --version | --help\n"
	    "--once delivers what is due now, then exits.\n");
}

/*
 * SIGTERM and SIGINT end the loop after the mail in hand (without
 * SA_RESTART, so the idle sleep ends at once); a relay that hangs up
 * must not kill us with SIGPIPE.
 */
static int
signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		return 0;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL) != -1;
}

/* Delivers until stopped (or once); 0 on success, 1 on failure. */
static int
loop(struct db *db, const struct conf *conf, int once)
{
	struct timespec	 idle = { 1, 0 };
	enum err	 e;

	for (;;) {
		e = mailer_run(db, conf, &stop, NULL);
		if (once)
			return e == ERR_OK ? 0 : 1;
		if (e != ERR_OK)
			log_warnx(NULL, "outbox: %s; trying again",
			    err_str(e));
		if (stop)
			return 0;
		/* Cheap: one indexed query a second (index outbox_due). */
		(void)nanosleep(&idle, NULL);
		if (stop)
			return 0;
	}
}

static int
parse(int argc, char *argv[], const char **confpath, int *once)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int				 c;

	while ((c = getopt_long(argc, argv, "c:Vh", longopts, NULL)) != -1)
		switch (c) {
		case 'c':
			*confpath = optarg;
			break;
		case 'o':
			*once = 1;
			break;
		case 'V':
			puts("heartmonitor-mailer " PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	return -1;
}

int
main(int argc, char *argv[])
{
	struct conf	 conf;
	struct buf	 errmsg;
	struct db	*db = NULL;
	struct priv	 priv;
	const char	*confpath = getenv("HEARTMONITOR_CONFIG");
	int		 once = 0, rc;

	log_init("heartmonitor-mailer");
	if ((rc = parse(argc, argv, &confpath, &once)) >= 0)
		return rc;
	buf_init(&errmsg);
	/* The mailer signs nothing: SECRET_KEY is not needed. */
	if (conf_load(&conf, confpath, 0, &errmsg) != ERR_OK) {
		log_warnx(NULL, "configuration: %s", buf_str(&errmsg));
		buf_clear(&errmsg);
		return 1;
	}
	rc = 1;
	if (!mail_addr_ok(conf.email_from))
		log_warnx(NULL, "configuration: EMAIL_FROM: not a bare "
		    "address (local@domain)");
	/* Started as root: become the service user, for good. */
	else if (priv_init(&priv, conf.service_user, &errmsg) != ERR_OK ||
	    priv_drop(&priv, &errmsg) != ERR_OK ||
	    priv_check_db(conf.database_path, &errmsg) != ERR_OK)
		log_warnx(NULL, "%s", buf_str(&errmsg));
	else if (!signals())
		log_warn(NULL, "sigaction");
	else if (db_open(&conf, DB_SERVE, &db, &errmsg) != ERR_OK)
		log_warnx(NULL, "database: %s", buf_str(&errmsg));
	else {
		priv_log(&priv);
		log_warnx(NULL, "version %s, relay %s:%ld%s%s", PACKAGE_VERSION,
		    conf.email_host, conf.email_port, conf.email_starttls ?
		    ", STARTTLS required" : "", once ? ", once" : "");
		rc = loop(db, &conf, once);
		log_warnx(NULL, "stopped");
	}
	db_close(db);
	buf_clear(&errmsg);
	conf_clear(&conf);
	return rc;
}
