/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_AUDIT_H
#define HM_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct cursor;
struct db;
struct json;
struct pool;
struct req;

/*
 * The audit trail (SPEC 5 "Audit trail", 7.23; sql/005-audit.sql).
 *
 * A handler notes what a request did with audit_add() (the patients a
 * list returned, the reading recorded, the admission discharged), just
 * before the commit that makes it true, or before it answers a read;
 * when the change is refused after all, the event is written with the
 * refusal's outcome.  The notes are written in one statement
 * (a JSON array of them, so a page of 100 patients costs one insert,
 * not 100): by the commit of the handler's own transaction, so that a
 * change and its audit row stand or fall together (db_commit() calls
 * the hook that dispatch sets), or, for reads and refused attempts, by
 * dispatch in a transaction of their own once the answer is made.  A
 * read whose audit row cannot be written is answered with the error
 * (503 while the database is busy): nothing is shown that is not
 * recorded.
 */
struct	audit_event {
	const char		*user_id;	/* NULL: nobody signed in */
	const char		*role;
	const char		*action;	/* see sql/005 */
	const char		*object_type;	/* patient, admission, … */
	const char		*object_id;
	const char		*patient_id;
	struct audit_event	*next;
};

/* A row of the trail, as listed. */
struct	audit_row {
	int64_t		 id;
	const char	*time;
	const char	*user_id;
	const char	*role;
	const char	*action;
	const char	*object_type;
	const char	*object_id;
	const char	*patient_id;
	const char	*outcome;
	const char	*client_address;
	const char	*request_id;
};

/* The filters of the list; NULL: any.  since/until as param_time(). */
struct	audit_filter {
	const char	*user_id;
	const char	*patient_id;
	const char	*action;
	const char	*since;
	const char	*until;
};

/* The actions of sql/005, NULL-terminated. */
extern const char *const audit_actions[];

/*
 * Notes an event of request "r" by its signed-in user (or nobody).
 * Strings are copied into the request's pool; "object_id" and
 * "patient_id" may be NULL.
 */
void		 audit_add(struct req *, const char *action,
		    const char *object_type, const char *object_id,
		    const char *patient_id);

/* As audit_add(), for the user "user_id" of "role" (sign-in). */
void		 audit_add_as(struct req *, const char *user_id,
		    const char *role, const char *action,
		    const char *object_type, const char *object_id,
		    const char *patient_id);

/* Drops the events noted so far (their change was rolled back). */
void		 audit_drop(struct req *);

/* Drops the reads noted so far (AUDIT_READS=no). */
void		 audit_drop_reads(struct req *);

/*
 * Writes the events noted for "r" with "outcome" ("ok", "denied", …),
 * inside the caller's write transaction, and forgets them.
 */
enum err	 audit_flush(struct db *, struct req *, const char *outcome);

/* The outcome of an answer with "status"; NULL for a 5xx. */
const char	*audit_outcome(int status);

/*
 * Writes one event done by the sysadmin through hmctl (no user, the
 * client "hmctl"), inside the caller's write transaction.
 */
enum err	 audit_system(struct db *, const char *action,
		    const char *object_type, const char *object_id);

/*
 * Reads one page of the rows that match "f" at cursor "c" into "rows"
 * (room for c->size + 1), newest first; as reading_list().
 */
enum err	 audit_list(struct db *, struct pool *,
		    const struct audit_filter *, const struct cursor *c,
		    struct audit_row *rows, size_t *shown, int *more);

/* Writes "row" as an object member "key" (NULL in an array). */
void		 audit_json(struct json *, const char *key,
		    const struct audit_row *row);

/* Deletes the rows older than "before"; "*n" gets how many. */
enum err	 audit_prune(struct db *, const char *before, long *n);

#endif /* !HM_AUDIT_H */
