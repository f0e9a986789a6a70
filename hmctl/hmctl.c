/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "hmctl.h"
#include "log.h"
#include "pool.h"
#include "priv.h"

static int	cmd_migrate(struct ctx *, int, char *[]);
static int	cmd_check_config(struct ctx *, int, char *[]);

static const struct cmd cmds[] = {
	{ "migrate", "", cmd_migrate, 0 },
	{ "check-config", "", cmd_check_config, 0 },
	{ "createsuperuser", "--email E --first-name F --last-name L",
	  cmd_createsuperuser, 1 },
	{ "user", "list | activate EMAIL | deactivate EMAIL | "
	  "set-role EMAIL ROLE", cmd_user, 1 },
	{ "device", "add --serial S --model M [--manufacturer X] | list | "
	  "retire SERIAL", cmd_device, 1 },
	{ "mail", "list [--status pending|sent|failed] | retry ID | "
	  "retry --all-failed | run | test --to ADDRESS", cmd_mail, 1 },
	{ "audit", "[--user ID] [--patient ID] [--action ACTION] "
	  "[--since TIME] [--until TIME] [--json] | prune", cmd_audit, 1 },
};
#define	CMDS_MAX	(sizeof(cmds) / sizeof(cmds[0]))

int
cmd_fail(const char *fmt, ...)
{
	va_list	 ap;

	fputs("hmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int
cmd_usage(const char *usage)
{

	fprintf(stderr, "usage: hmctl %s\n", usage);
	return EXIT_USAGE;
}

/* Returns 1 if argv holds -h or --help. */
static int
wants_help(int argc, char *argv[])
{
	int	 i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return 1;
	return 0;
}

int
cmd_wants_help(int argc, char *argv[], const char *usage)
{

	if (!wants_help(argc, argv))
		return 0;
	printf("usage: hmctl %s\n", usage);
	return 1;
}

static void
usage(FILE *f)
{
	size_t	 i;

	fprintf(f, "usage: hmctl [-c config] command [arguments]\n"
	    "       hmctl --version | --help\ncommands:\n");
	for (i = 0; i < CMDS_MAX; i++)
		fprintf(f, "  %s %s\n", cmds[i].name, cmds[i].args);
}

/* Applies the schema migrations this program carries (SPEC 6). */
static int
cmd_migrate(struct ctx *c, int argc, char *argv[])
{
	struct buf	 errmsg;
	int		 from, to, rc = EXIT_OK;

	if (cmd_wants_help(argc, argv, "migrate"))
		return EXIT_OK;
	if (argc != 1)
		return cmd_usage("migrate");
	buf_init(&errmsg);
	if (priv_check_db(c->conf.database_path, &errmsg) != ERR_OK ||
	    db_open(&c->conf, DB_MIGRATE, &c->db, &errmsg) != ERR_OK ||
	    db_migrate(c->db, &from, &to, &errmsg) != ERR_OK)
		rc = cmd_fail("migrate: %s", buf_str(&errmsg));
	else if (from == to)
		printf("database is up to date (schema version %d)\n", to);
	else
		printf("migrated the database from schema version %d to %d\n",
		    from, to);
	buf_clear(&errmsg);
	return rc;
}

/* Validates the configuration the workers would load, secret included. */
static int
cmd_check_config(struct ctx *c, int argc, char *argv[])
{
	struct buf	 out;
	int		 rc = EXIT_OK;

	if (cmd_wants_help(argc, argv, "check-config"))
		return EXIT_OK;
	if (argc != 1)
		return cmd_usage("check-config");
	if (c->conf.secret_key == NULL)
		return cmd_fail("check-config: SECRET_KEY is not set: it is "
		    "required (at least %d bytes)", SECRET_KEY_MIN);
	buf_init(&out);
	if (conf_dump(&c->conf, &out) != ERR_OK)
		rc = cmd_fail("check-config: out of memory");
	else
		printf("%sconfiguration is valid\n", buf_str(&out));
	buf_clear(&out);
	return rc;
}

static const struct cmd *
cmd_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < CMDS_MAX; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static int
run(const struct cmd *cmd, const char *confpath, int argc, char *argv[])
{
	struct ctx	 c;
	struct buf	 errmsg;
	struct priv	 priv;
	int		 rc;

	memset(&c, 0, sizeof(c));
	buf_init(&errmsg);
	/* Only check-config insists on the secret: nothing else signs. */
	if (conf_load(&c.conf, confpath, 0, &errmsg) != ERR_OK) {
		rc = cmd_fail("configuration: %s", buf_str(&errmsg));
		buf_clear(&errmsg);
		return rc;
	}
	/*
	 * Started as root, hmctl becomes the service user too, whatever the
	 * command: the database, and the -wal and -shm files SQLite makes
	 * beside it, must never belong to root (lib/priv.h).
	 */
	if (priv_init(&priv, c.conf.service_user, &errmsg) != ERR_OK ||
	    priv_drop(&priv, &errmsg) != ERR_OK)
		rc = cmd_fail("%s", buf_str(&errmsg));
	else if ((c.pool = pool_new()) == NULL)
		rc = cmd_fail("out of memory");
	/* --help needs no database; the command prints its usage. */
	else if (cmd->need_db && !wants_help(argc, argv) &&
	    (priv_check_db(c.conf.database_path, &errmsg) != ERR_OK ||
	    db_open(&c.conf, DB_SERVE, &c.db, &errmsg) != ERR_OK))
		rc = cmd_fail("database: %s", buf_str(&errmsg));
	else
		rc = cmd->fn(&c, argc, argv);
	db_close(c.db);
	pool_free(c.pool);
	conf_clear(&c.conf);
	buf_clear(&errmsg);
	return rc;
}

int
main(int argc, char *argv[])
{
	const struct cmd	*cmd;
	const char		*confpath = getenv("HEARTMONITOR_CONFIG");
	int			 i = 1;

	log_init("hmctl");
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			puts("hmctl " PACKAGE_VERSION);
			return EXIT_OK;
		} else if ((strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) && i + 1 < argc)
			confpath = argv[++i];
		else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i == argc || (cmd = cmd_find(argv[i])) == NULL) {
		if (i < argc)
			fprintf(stderr, "hmctl: unknown command \"%s\"\n",
			    argv[i]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return run(cmd, confpath, argc - i, argv + i);
}
