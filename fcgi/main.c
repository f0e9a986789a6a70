/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "conf.h"
#include "listen.h"
#include "log.h"
#include "priv.h"
#include "serve.h"
#include "supervise.h"

/*
 * This file is the main of both programs: the REST worker pool and,
 * built with HM_STREAM, heartmonitor-stream (one process by default,
 * since each holds many streams).
 */
/*
 * The listen backlog bounds the queue of requests that wait for a
 * worker: past it, nginx's connect() fails at once and it answers 502,
 * rather than letting requests wait behind ones that cannot finish
 * (heartmonitor-fcgi(8), "Load and faults").  64 lets a burst of 64
 * requests in at once, which two workers drain in well under a second
 * while nothing holds the database.  A stream holds its connection for
 * hours and is accepted at once; its backlog only absorbs a ward's
 * screens reconnecting together.
 */
#ifdef HM_STREAM
#define	PROGRAM		"heartmonitor-stream"
#define	WORKERS_DEFAULT	1
#define	BACKLOG_DEFAULT	1024
#define	SERVE		stream_serve
#else
#define	PROGRAM		"heartmonitor-fcgi"
#define	WORKERS_DEFAULT	2
#define	BACKLOG_DEFAULT	64
#define	SERVE		serve
#endif
#define	BACKLOG_MAX	65535

struct	worker_arg {
	int			 fd;
	const struct conf	*conf;
};

static int
worker(void *p)
{
	const struct worker_arg	*a = p;

	return SERVE(a->fd, a->conf);
}

static void
usage(FILE *f)
{

	fprintf(f, "usage: " PROGRAM " [-c config] "
	    "[--listen unix:PATH|HOST:PORT]\n"
	    "           [--workers N] [--backlog N]\n"
	    "       " PROGRAM " --version | --help\n"
	    "Without --listen the listening socket comes from systemd "
	    "(LISTEN_FDS) or,\nunder spawn-fcgi, on descriptor 0.\n");
}

/*
 * Opens the database once before forking, so that a schema mismatch or
 * a bad path stops start-up with a clear message instead of a loop of
 * dying workers; the connection is closed again, never shared.  By then
 * the program runs as the service user (priv_drop()).
 */
static int
check_database(const struct conf *conf)
{
	struct app	 app;
	struct buf	 errmsg;
	enum err	 e;

	buf_init(&errmsg);
	if ((e = app_open(&app, conf, &errmsg)) != ERR_OK)
		log_warnx(NULL, "database: %s", buf_str(&errmsg));
	app_close(&app);
	buf_clear(&errmsg);
	return e == ERR_OK;
}

/* Parses a number from 1 to "max" into "*n"; returns 0 if it is not. */
static int
parse_count(const char *s, int max, int *n)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 1 || v > max)
		return 0;
	*n = (int)v;
	return 1;
}

int
main(int argc, char *argv[])
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "workers", required_argument, NULL, 'w' },
		{ "backlog", required_argument, NULL, 'b' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct conf		 conf;
	struct buf		 errmsg;
	struct worker_arg	 arg;
	struct priv		 priv;
	const char		*confpath, *spec = NULL;
	int			 c, workers = 0, backlog = 0, status;

	log_init(PROGRAM);
	confpath = getenv("HEARTMONITOR_CONFIG");
	while ((c = getopt_long(argc, argv, "c:l:w:b:Vh", longopts, NULL)) !=
	    -1)
		switch (c) {
		case 'c':
			confpath = optarg;
			break;
		case 'l':
			spec = optarg;
			break;
		case 'w':
			if (!parse_count(optarg, WORKERS_MAX, &workers)) {
				fprintf(stderr, PROGRAM ": --workers "
				    "takes a number from 1 to %d\n",
				    WORKERS_MAX);
				return 2;
			}
			break;
		case 'b':
			if (!parse_count(optarg, BACKLOG_MAX, &backlog)) {
				fprintf(stderr, PROGRAM ": --backlog "
				    "takes a number from 1 to %d\n",
				    BACKLOG_MAX);
				return 2;
			}
			break;
		case 'V':
			puts(PROGRAM " " PACKAGE_VERSION);
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

	buf_init(&errmsg);
	if (conf_load(&conf, confpath, 1, &errmsg) != ERR_OK) {
		log_warnx(NULL, "configuration: %s", buf_str(&errmsg));
		buf_clear(&errmsg);
		return 1;
	}
	/* Started as root: find the account to become before binding. */
	if (priv_init(&priv, conf.service_user, &errmsg) != ERR_OK) {
		log_warnx(NULL, "%s", buf_str(&errmsg));
		buf_clear(&errmsg);
		conf_clear(&conf);
		return 1;
	}
	if (spec != NULL)
		arg.fd = listen_open(spec, &errmsg);
	else if ((arg.fd = listen_systemd()) == -1 && listen_is_socket(0)) {
		/* spawn-fcgi: it forks the processes, unless told here. */
		arg.fd = 0;
		if (workers == 0)
			workers = 1;
	} else if (arg.fd == -1)
		buf_puts(&errmsg, "no listening socket: give --listen, or "
		    "start under spawn-fcgi or systemd socket activation");
	/* A socket handed over keeps its backlog unless one was asked. */
	if (arg.fd != -1 && (spec != NULL || backlog > 0) &&
	    listen_backlog(arg.fd, backlog > 0 ? backlog : BACKLOG_DEFAULT,
	    &errmsg) == -1) {
		listen_close(spec, arg.fd);
		arg.fd = -1;
	}
	/*
	 * Root was needed for the socket only: become the service user for
	 * good, before the database is touched, and check its folder.
	 */
	if (arg.fd != -1 && ((priv.root && spec != NULL &&
	    listen_give(spec, priv.uid, priv.gid, &errmsg) == -1) ||
	    priv_drop(&priv, &errmsg) != ERR_OK ||
	    priv_check_db(conf.database_path, &errmsg) != ERR_OK)) {
		listen_close(spec, arg.fd);
		arg.fd = -1;
	}
	if (arg.fd == -1) {
		log_warnx(NULL, "%s", buf_str(&errmsg));
		buf_clear(&errmsg);
		conf_clear(&conf);
		return 1;
	}
	priv_log(&priv);
	if (!check_database(&conf)) {
		listen_close(spec, arg.fd);
		buf_clear(&errmsg);
		conf_clear(&conf);
		return 1;
	}
	arg.conf = &conf;
	log_warnx(NULL, "version %s, listening", PACKAGE_VERSION);
	if (arg.fd == 0 && workers == 1)
		status = SERVE(arg.fd, &conf);
	else
		status = supervise(workers > 0 ? workers : WORKERS_DEFAULT,
		    worker, &arg);
	listen_close(spec, arg.fd);
	buf_clear(&errmsg);
	conf_clear(&conf);
	return status;
}
