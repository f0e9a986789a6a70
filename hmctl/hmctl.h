/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_HMCTL_H
#define HM_HMCTL_H

#include "conf.h"

struct db;
struct pool;

/* Exit statuses of every command. */
#define	EXIT_OK		0
#define	EXIT_FAIL	1
#define	EXIT_USAGE	2

/* What a command gets: the configuration and, opened for it, the db. */
struct	ctx {
	struct conf	 conf;
	struct db	*db;
	struct pool	*pool;
};

/* One command: argv[0] is the command's own name. */
struct	cmd {
	const char	*name;
	const char	*args;		/* for usage lines */
	int		(*fn)(struct ctx *, int argc, char *argv[]);
	int		 need_db;	/* open the database first */
};

int	cmd_createsuperuser(struct ctx *, int, char *[]);
int	cmd_user(struct ctx *, int, char *[]);
int	cmd_device(struct ctx *, int, char *[]);
int	cmd_mail(struct ctx *, int, char *[]);
int	cmd_audit(struct ctx *, int, char *[]);

/*
 * Returns 1 (after printing the command's usage to stdout) if argv holds
 * -h or --help, so that every command answers --help the same way.
 */
int	cmd_wants_help(int argc, char *argv[], const char *usage);
/* Prints "hmctl: " and the message to stderr, returns EXIT_FAIL. */
int	cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the usage line to stderr, returns EXIT_USAGE. */
int	cmd_usage(const char *usage);

#endif /* !HM_HMCTL_H */
