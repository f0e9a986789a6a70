/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cursor.h"
#include "db.h"
#include "hmctl.h"
#include "json.h"
#include "pool.h"
#include "rfc3339.h"
#include "uuid.h"

#define	AUDIT_USAGE	"audit [--user ID] [--patient ID] [--action ACTION] " \
	"[--since TIME] [--until TIME] [--json] | audit prune"
#define	BATCH	1000

/* A time argument in the stored form; NULL if it is no RFC 3339 time. */
static const char *
time_arg(struct pool *pool, const char *s, int lower)
{
	char	 t[RFC3339_STRLEN + 1];
	int64_t	 ms;

	if ((lower ? time_parse_ceil(s, &ms) : time_parse(s, &ms)) != ERR_OK ||
	    time_format(ms, t) != ERR_OK)
		return NULL;
	return pool_strdup(pool, t);
}

static void
print_row(const struct audit_row *a, int as_json)
{
	struct buf	 b;
	struct json	 j;

	if (!as_json) {
		printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a->time,
		    a->user_id ? a->user_id : "-", a->role ? a->role : "-",
		    a->action, a->object_type, a->object_id ? a->object_id :
		    "-", a->patient_id ? a->patient_id : "-", a->outcome,
		    a->client_address ? a->client_address : "-",
		    a->request_id ? a->request_id : "-");
		return;
	}
	buf_init(&b);
	json_init(&j, &b);
	audit_json(&j, NULL, a);
	if (json_err(&j) == ERR_OK)
		printf("%s\n", buf_str(&b));
	buf_clear(&b);
}

/* Prints every row that matches, newest first, a page at a time. */
static int
audit_print(struct ctx *c, const struct audit_filter *f, int as_json)
{
	struct audit_row	*rows;
	struct cursor		 cur;
	size_t			 shown, i;
	int			 more = 1;
	enum err		 e;

	memset(&cur, 0, sizeof(cur));
	cur.size = BATCH;
	if ((rows = calloc(BATCH + 1, sizeof(*rows))) == NULL)
		return cmd_fail("audit: out of memory");
	while (more) {
		e = audit_list(c->db, c->pool, f, &cur, rows, &shown, &more);
		if (e != ERR_OK) {
			free(rows);
			return cmd_fail("audit: %s", err_str(e));
		}
		for (i = 0; i < shown; i++)
			print_row(&rows[i], as_json);
		if (shown > 0) {
			cur.set = 1;
			(void)snprintf(cur.time, sizeof(cur.time), "%s",
			    rows[shown - 1].time);
			cur.seq = rows[shown - 1].id;
		}
		pool_reset(c->pool);
	}
	free(rows);
	return EXIT_OK;
}

/* Deletes what is older than AUDIT_RETENTION_DAYS and says how much. */
static int
audit_prune_cmd(struct ctx *c)
{
	char		 before[RFC3339_STRLEN + 1];
	long		 n = 0;
	enum err	 e;

	if (c->conf.audit_retention_days == 0)
		return cmd_fail("audit prune: AUDIT_RETENTION_DAYS is 0: the "
		    "trail is kept for ever");
	if ((e = time_format(time_now_ms() - c->conf.audit_retention_days *
	    86400000LL, before)) != ERR_OK)
		return cmd_fail("audit prune: %s", err_str(e));
	if ((e = db_begin(c->db)) == ERR_OK) {
		if ((e = audit_prune(c->db, before, &n)) == ERR_OK)
			e = db_commit(c->db);
		else
			db_rollback(c->db);
	}
	if (e != ERR_OK)
		return cmd_fail("audit prune: %s", err_str(e));
	printf("audit prune: %ld row(s) older than %s deleted\n", n, before);
	return EXIT_OK;
}

int
cmd_audit(struct ctx *c, int argc, char *argv[])
{
	static const struct option	 longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "patient", required_argument, NULL, 'p' },
		{ "action", required_argument, NULL, 'a' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct audit_filter	 f;
	size_t			 i;
	int			 ch, as_json = 0;

	if (cmd_wants_help(argc, argv, AUDIT_USAGE))
		return EXIT_OK;
	if (argc == 2 && strcmp(argv[1], "prune") == 0)
		return audit_prune_cmd(c);
	memset(&f, 0, sizeof(f));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case 'u':
		case 'p':
			if (!uuid_valid(optarg))
				return cmd_fail("audit: %s is not an id",
				    optarg);
			*(ch == 'u' ? &f.user_id : &f.patient_id) = optarg;
			break;
		case 'a':
			for (i = 0; audit_actions[i] != NULL; i++)
				if (strcmp(optarg, audit_actions[i]) == 0)
					f.action = audit_actions[i];
			if (f.action == NULL)
				return cmd_fail("audit: unknown action %s",
				    optarg);
			break;
		case 's':
		case 't':
			if ((*(ch == 's' ? &f.since : &f.until) =
			    time_arg(c->pool, optarg, ch == 's')) == NULL)
				return cmd_fail("audit: %s is not an RFC 3339 "
				    "time", optarg);
			break;
		case 'j':
			as_json = 1;
			break;
		default:
			return cmd_usage(AUDIT_USAGE);
		}
	if (optind != argc)
		return cmd_usage(AUDIT_USAGE);
	return audit_print(c, &f, as_json);
}
