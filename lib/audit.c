/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "audit.h"
#include "buf.h"
#include "cursor.h"
#include "extern.h"
#include "http.h"
#include "json.h"
#include "pool.h"
#include "rfc3339.h"

const char *const audit_actions[] = { "create", "update", "delete", "read",
    "admit", "discharge", "record", "signin", "signin_failed", "logout",
    "activate", "password_reset", "role_change", NULL };

void
audit_add_as(struct req *r, const char *user_id, const char *role,
    const char *action, const char *object_type, const char *object_id,
    const char *patient_id)
{
	struct audit_event	*ev, **tail;

	/*
	 * One read per patient per request (SPEC 7.33), however many of
	 * the patient's rows the answer holds.
	 */
	if (strcmp(action, "read") == 0 && patient_id != NULL)
		for (ev = r->audit; ev != NULL; ev = ev->next)
			if (strcmp(ev->action, "read") == 0 &&
			    strcmp(ev->object_type, object_type) == 0 &&
			    ev->patient_id != NULL &&
			    strcmp(ev->patient_id, patient_id) == 0)
				return;
	if ((ev = pool_calloc(r->pool, 1, sizeof(*ev))) == NULL) {
		r->audit_lost = 1;
		return;
	}
	ev->user_id = user_id != NULL ? pool_strdup(r->pool, user_id) : NULL;
	ev->role = role;		/* static strings */
	ev->action = action;
	ev->object_type = object_type;
	ev->object_id = object_id != NULL ?
	    pool_strdup(r->pool, object_id) : NULL;
	ev->patient_id = patient_id != NULL ?
	    pool_strdup(r->pool, patient_id) : NULL;
	if ((user_id != NULL && ev->user_id == NULL) ||
	    (object_id != NULL && ev->object_id == NULL) ||
	    (patient_id != NULL && ev->patient_id == NULL)) {
		r->audit_lost = 1;
		return;
	}
	for (tail = &r->audit; *tail != NULL; tail = &(*tail)->next)
		continue;
	*tail = ev;
}

void
audit_add(struct req *r, const char *action, const char *object_type,
    const char *object_id, const char *patient_id)
{

	audit_add_as(r, r->who != NULL ? r->who->user_id : NULL,
	    r->who != NULL ? http_role_str(r->who->role) : NULL, action,
	    object_type, object_id, patient_id);
}

void
audit_drop(struct req *r)
{

	r->audit = NULL;
}

void
audit_drop_reads(struct req *r)
{
	struct audit_event	**ev;

	for (ev = &r->audit; *ev != NULL; )
		if (strcmp((*ev)->action, "read") == 0)
			*ev = (*ev)->next;
		else
			ev = &(*ev)->next;
}

const char *
audit_outcome(int status)
{

	if (status < 400)
		return "ok";
	switch (status) {
	case 401:
	case 403:
		return "denied";
	case 404:
		return "not_found";
	case 409:
		return "conflict";
	case 429:
		return "throttled";
	default:
		return status < 500 ? "invalid" : NULL;
	}
}

/* Writes one batch; the events become the JSON array of STMT_AUDIT_INSERT. */
static enum err
audit_insert(struct db *db, const struct audit_event *evs, const char *outcome,
    const char *client, const char *request_id)
{
	const struct audit_event	*ev;
	sqlite3_stmt			*st;
	struct buf			 b;
	struct json			 j;
	char				 now[RFC3339_STRLEN + 1];
	enum err			 e;

	if ((e = time_format(time_now_ms(), now)) != ERR_OK)
		return e;
	buf_init(&b);
	json_init(&j, &b);
	json_arr_open(&j, NULL);
	for (ev = evs; ev != NULL; ev = ev->next) {
		json_arr_open(&j, NULL);
		json_str(&j, NULL, ev->user_id);
		json_str(&j, NULL, ev->role);
		json_str(&j, NULL, ev->action);
		json_str(&j, NULL, ev->object_type);
		json_str(&j, NULL, ev->object_id);
		json_str(&j, NULL, ev->patient_id);
		json_arr_close(&j);
	}
	json_arr_close(&j);
	if ((e = json_err(&j)) == ERR_OK) {
		st = db_stmt(db, STMT_AUDIT_INSERT);
		db_bind_text(st, 1, now);
		db_bind_text(st, 2, outcome);
		db_bind_text(st, 3, client);
		db_bind_text(st, 4, request_id);
		sqlite3_bind_text(st, 5, b.p, (int)b.len, SQLITE_STATIC);
		e = db_write(db, st, "audit_insert");
	}
	buf_clear(&b);
	return e;
}

enum err
audit_flush(struct db *db, struct req *r, const char *outcome)
{
	enum err	 e;

	if (r->audit_lost)
		return ERR_NOMEM;
	if (r->audit == NULL)
		return ERR_OK;
	e = audit_insert(db, r->audit, outcome, r->remote_addr,
	    r->request_id);
	if (e == ERR_OK)
		r->audit = NULL;
	/* Not the caller's conflict or missing row: the trail failed. */
	return e == ERR_OK || e == ERR_BUSY || e == ERR_NOMEM ? e : ERR_DB;
}

enum err
audit_system(struct db *db, const char *action, const char *object_type,
    const char *object_id)
{
	struct audit_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.action = action;
	ev.object_type = object_type;
	ev.object_id = object_id;
	return audit_insert(db, &ev, "ok", "hmctl", NULL);
}

static void
audit_row(struct pool *pool, sqlite3_stmt *st, struct audit_row *a)
{

	a->id = sqlite3_column_int64(st, 0);
	a->time = db_col_text(pool, st, 1);
	a->user_id = db_col_text(pool, st, 2);
	a->role = db_col_text(pool, st, 3);
	a->action = db_col_text(pool, st, 4);
	a->object_type = db_col_text(pool, st, 5);
	a->object_id = db_col_text(pool, st, 6);
	a->patient_id = db_col_text(pool, st, 7);
	a->outcome = db_col_text(pool, st, 8);
	a->client_address = db_col_text(pool, st, 9);
	a->request_id = db_col_text(pool, st, 10);
}

/* The statement of the narrowest scope, as reading.c's list_stmt(). */
static sqlite3_stmt *
list_stmt(struct db *db, const struct audit_filter *f, int older)
{
	sqlite3_stmt	*st;
	const char	*scope;

	if ((scope = f->patient_id) != NULL)
		st = db_stmt(db, older ? STMT_AUDIT_OLDER_PATIENT :
		    STMT_AUDIT_NEWER_PATIENT);
	else if ((scope = f->user_id) != NULL)
		st = db_stmt(db, older ? STMT_AUDIT_OLDER_USER :
		    STMT_AUDIT_NEWER_USER);
	else if ((scope = f->action) != NULL)
		st = db_stmt(db, older ? STMT_AUDIT_OLDER_ACTION :
		    STMT_AUDIT_NEWER_ACTION);
	else
		return db_stmt(db, older ? STMT_AUDIT_OLDER_ALL :
		    STMT_AUDIT_NEWER_ALL);
	db_bind_text(st, 1, scope);
	return st;
}

enum err
audit_list(struct db *db, struct pool *pool, const struct audit_filter *f,
    const struct cursor *c, struct audit_row *rows, size_t *shown,
    int *more)
{
	struct cursor_range	 rg;
	sqlite3_stmt		*st;
	size_t			 n = 0;
	int			 rc = SQLITE_DONE;
	enum err		 e;

	st = list_stmt(db, f, !c->back);
	db_bind_text(st, 2, f->user_id);
	db_bind_text(st, 3, f->patient_id);
	db_bind_text(st, 4, f->action);
	cursor_range(c, f->since, f->until, &rg);
	db_bind_text(st, 5, rg.limit);
	db_bind_text(st, 6, rg.time);
	sqlite3_bind_int64(st, 7, rg.seq);
	sqlite3_bind_int64(st, 8, c->size + 1);
	while ((size_t)c->size >= n && (rc = sqlite3_step(st)) == SQLITE_ROW)
		audit_row(pool, st, &rows[n++]);
	e = db_rc(db, rc, "audit_list");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (e != ERR_OK)
		return e;
	*more = n > (size_t)c->size;
	*shown = *more ? n - 1 : n;
	cursor_order(c, rows, *shown, sizeof(*rows));
	return ERR_OK;
}

void
audit_json(struct json *j, const char *key, const struct audit_row *a)
{

	json_obj_open(j, key);
	json_int(j, "id", a->id);
	json_str(j, "time", a->time);
	json_str(j, "user", a->user_id);
	json_str(j, "role", a->role);
	json_str(j, "action", a->action);
	json_str(j, "object_type", a->object_type);
	json_str(j, "object_id", a->object_id);
	json_str(j, "patient", a->patient_id);
	json_str(j, "outcome", a->outcome);
	json_str(j, "client_address", a->client_address);
	json_str(j, "request_id", a->request_id);
	json_obj_close(j);
}

enum err
audit_prune(struct db *db, const char *before, long *n)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_AUDIT_PRUNE);
	enum err	 e;

	db_bind_text(st, 1, before);
	e = db_write(db, st, "audit_prune");
	*n = e == ERR_OK ? (long)db_changes(db) : 0;
	return e == ERR_NOTFOUND ? ERR_OK : e;
}
