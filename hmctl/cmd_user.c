/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "db.h"
#include "hmctl.h"
#include "password.h"
#include "pool.h"
#include "user.h"
#include "utf8.h"

#define	PW_BUF	1024	/* 128 code points of up to 4 bytes, and slack */

#define	SUPERUSER_USAGE	"createsuperuser --email E --first-name F " \
	"--last-name L\n(the password is read from standard input, or " \
	"prompted for on a terminal)"

/*
 * Returns 1 if "s" is 1 to "max" bytes of UTF-8 without control
 * characters, so nothing typed here can end up as a mail header.
 */
static int
text_ok(const char *s, size_t max)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > max || !utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* A plausible address: one "@" with text on both sides, no spaces. */
static int
email_ok(const char *s)
{
	const char	*at = strchr(s, '@');

	return text_ok(s, 254) && at != NULL && at != s && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL && strchr(s, ' ') == NULL;
}

/* Reads one line into "buf" with the terminal's echo off if it is one. */
static int
read_line(const char *prompt, char *buf, size_t bufsz)
{
	struct termios	 old, quiet;
	int		 tty = isatty(STDIN_FILENO), ok;
	size_t		 n;

	if (tty) {
		fputs(prompt, stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			quiet = old;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		}
	}
	ok = fgets(buf, (int)bufsz, stdin) != NULL;
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!ok)
		return 0;
	n = strcspn(buf, "\r\n");
	if (buf[n] == '\0' && n == bufsz - 1)
		return 0;	/* longer than any allowed password */
	buf[n] = '\0';
	return 1;
}

/* Gets the password from stdin (a pipe) or a twice-asked prompt. */
static int
read_password(char *pw, char *again, size_t sz)
{

	if (!read_line("Password: ", pw, sz))
		return cmd_fail("createsuperuser: no password on standard "
		    "input (or it is too long)");
	if (isatty(STDIN_FILENO) &&
	    (!read_line("Password (again): ", again, sz) ||
	    strcmp(pw, again) != 0))
		return cmd_fail("createsuperuser: the passwords differ");
	return EXIT_OK;
}

/* Stores "u" in a transaction of its own. */
static enum err
store(struct ctx *c, struct user *u)
{
	enum err	 e;

	if ((e = db_begin(c->db)) != ERR_OK)
		return e;
	if ((e = user_insert(c->db, c->pool, u)) != ERR_OK ||
	    (e = audit_system(c->db, "create", "user", u->id)) != ERR_OK) {
		db_rollback(c->db);
		return e;
	}
	return db_commit(c->db);
}

static int
create(struct ctx *c, struct user *u, const char *pw)
{
	struct buf	 hash;
	const char	*why;
	enum err	 e;
	int		 rc = EXIT_OK;

	if ((why = password_policy(pw, c->conf.password_min_length,
	    c->conf.password_max_length, u->email, u->first_name,
	    u->last_name)) != NULL)
		return cmd_fail("createsuperuser: %s", why);
	buf_init(&hash);
	if ((e = password_hash(pw, c->conf.password_iterations, &hash)) !=
	    ERR_OK)
		rc = cmd_fail("createsuperuser: hashing: %s", err_str(e));
	else if (u->password = hash.p, (e = store(c, u)) == ERR_CONFLICT)
		rc = cmd_fail("createsuperuser: %s is already registered",
		    u->email);
	else if (e != ERR_OK)
		rc = cmd_fail("createsuperuser: %s", err_str(e));
	else
		printf("created admin %s (%s)\n", u->email, u->id);
	if (hash.p != NULL)
		OPENSSL_cleanse(hash.p, hash.len);
	buf_clear(&hash);
	return rc;
}

int
cmd_createsuperuser(struct ctx *c, int argc, char *argv[])
{
	static const struct option	 opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "first-name", required_argument, NULL, 'f' },
		{ "last-name", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct user	 u;
	char		 pw[PW_BUF], again[PW_BUF];
	int		 ch, rc;

	if (cmd_wants_help(argc, argv, SUPERUSER_USAGE))
		return EXIT_OK;
	memset(&u, 0, sizeof(u));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 'e':
			u.email = optarg;
			break;
		case 'f':
			u.first_name = optarg;
			break;
		case 'l':
			u.last_name = optarg;
			break;
		default:
			fprintf(stderr, "hmctl: passwords are never taken "
			    "from the command line\n");
			return cmd_usage(SUPERUSER_USAGE);
		}
	if (optind != argc || u.email == NULL || u.first_name == NULL ||
	    u.last_name == NULL)
		return cmd_usage(SUPERUSER_USAGE);
	if (!email_ok(u.email))
		return cmd_fail("createsuperuser: not a valid email address");
	if (!text_ok(u.first_name, 150) || !text_ok(u.last_name, 150))
		return cmd_fail("createsuperuser: names are 1 to 150 "
		    "characters without control characters");
	u.role = ROLE_ADMIN;
	u.is_active = 1;
	if ((rc = read_password(pw, again, sizeof(pw))) == EXIT_OK)
		rc = create(c, &u, pw);
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(again, sizeof(again));
	return rc;
}

static void
print_user(const struct user *u, void *arg)
{

	(void)arg;
	printf("%s\t%s\t%s\t%s %s\t%s\n", u->email, http_role_str(u->role),
	    u->is_active ? "active" : "inactive", u->first_name,
	    u->last_name, u->id);
}

#define	USER_USAGE	"user list | activate EMAIL | deactivate EMAIL | " \
	"set-role EMAIL admin|staff|doctor|nurse"

/* Deactivation and role changes end the user's sessions (SPEC 7.27). */
/*
 * Activates, deactivates or sets the role of the user "email" and
 * audits it (no user: the sysadmin), inside the caller's transaction.
 */
static enum err
change(struct ctx *c, const char *what, const char *email, enum role role)
{
	struct user	 u;
	const char	*action = "update";
	enum err	 e;

	if (strcmp(what, "activate") == 0) {
		e = user_set_active(c->db, c->pool, email, 1);
		action = "activate";
	} else if (strcmp(what, "deactivate") == 0)
		e = user_set_active(c->db, c->pool, email, 0);
	else {
		e = user_set_role(c->db, c->pool, email, role);
		action = "role_change";
	}
	if (e == ERR_OK &&
	    (e = user_by_email(c->db, c->pool, email, &u)) == ERR_OK)
		e = audit_system(c->db, action, "user", u.id);
	return e;
}

int
cmd_user(struct ctx *c, int argc, char *argv[])
{
	enum role	 role = ROLE__MAX;
	enum err	 e;

	if (cmd_wants_help(argc, argv, USER_USAGE))
		return EXIT_OK;
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		if ((e = user_list(c->db, c->pool, print_user, NULL)) != ERR_OK)
			return cmd_fail("user list: %s", err_str(e));
		return EXIT_OK;
	}
	if (argc == 4 && strcmp(argv[1], "set-role") == 0 &&
	    (role = http_role(argv[3])) == ROLE__MAX) {
		fprintf(stderr, "hmctl: unknown role \"%s\"\n", argv[3]);
		return cmd_usage(USER_USAGE);
	}
	if (!(argc == 3 && (strcmp(argv[1], "activate") == 0 ||
	    strcmp(argv[1], "deactivate") == 0)) &&
	    !(argc == 4 && strcmp(argv[1], "set-role") == 0))
		return cmd_usage(USER_USAGE);
	/* The change and its audit row, in one transaction. */
	if ((e = db_begin(c->db)) == ERR_OK) {
		e = change(c, argv[1], argv[2], role);
		if (e == ERR_OK)
			e = db_commit(c->db);
		else
			db_rollback(c->db);
	}
	if (e == ERR_NOTFOUND)
		return cmd_fail("user %s: no user with email %s", argv[1],
		    argv[2]);
	if (e != ERR_OK)
		return cmd_fail("user %s: %s", argv[1], err_str(e));
	printf("user %s: %s done\n", argv[2], argv[1]);
	return EXIT_OK;
}
