/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "admission.h"
#include "app.h"
#include "audit.h"
#include "cursor.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "page.h"
#include "param.h"
#include "pool.h"
#include "problem.h"
#include "reading.h"
#include "rfc3339.h"
#include "valid.h"

/*
 * The heart-rate resource (SPEC section 5, 7.17 to 7.20, 7.25), for
 * doctors and nurses (dispatch has checked the role):
 *
 *	GET	/api/heartrates/		newest first, cursor pages
 *	POST	/api/heartrates/		one reading, or an array
 *	GET	/api/heartrates/:id/		one reading
 *	GET	/api/patients/:id/heartrates/	one patient's readings
 *
 * The server decides what a client must not: the status (from the
 * thresholds), handled_by (the signed-in user), the admission (the
 * patient's open one) and, unless given, measured_at.  A batch is one
 * transaction: every item is stored, or none and the 400 names each
 * failed item's fields as "2.bpm".  Idempotency-Key is lib/idem.c's,
 * around the create handler (the route says so).
 */

#define	BATCH_MAX	1000		/* SPEC 7.18 */
#define	NOTES_MAX_LEN	1000
#define	FUTURE_MAX_MS	60000		/* measured_at: 60 s of clock skew */

static const char *const statuses[] = { "low", "normal", "high", NULL };

/* A reading to record, as sent. */
struct	item {
	struct reading	 r;
	const char	*admission_id;	/* sent (must be the open one) */
	int		 index;		/* in the batch; -1 for one reading */
};

/* A field name of item "it": "bpm", or "2.bpm" in a batch. */
static const char *
item_field(struct pool *pool, const struct item *it, const char *field)
{

	return it->index < 0 ? field : pool_printf(pool, "%d.%s", it->index,
	    field);
}

/* Adds the error "msg" about "field" of item "it" to "*errs". */
static enum err
item_fail(struct pool *pool, struct field_error **errs, const struct item *it,
    const char *field, const char *msg)
{
	const char	*name = item_field(pool, it, field);

	if (name == NULL || msg == NULL)
		return ERR_NOMEM;
	return problem_field(pool, errs, name, msg);
}

/*
 * Reads and checks the fields of item "o" (SPEC section 5) into "it",
 * adding errors to "*errs".  Needs no database: the checks that do
 * come in item_store().
 */
static void
item_fields(struct pool *pool, const cJSON *o, int64_t now_ms,
    struct item *it, struct field_error **errs)
{
	struct valid		 v;
	struct field_error	*fe;
	char			 t[RFC3339_STRLEN + 1];
	int64_t			 ms = now_ms;

	if (!cJSON_IsObject(o)) {
		(void)item_fail(pool, errs, it, "non_field_errors",
		    "Expected a JSON object.");
		return;
	}
	v.pool = pool;
	v.o = o;
	v.errs = NULL;
	valid_uuid(&v, "patient", 1, &it->r.patient_id);
	valid_uuid(&v, "admission", 0, &it->admission_id);
	valid_int(&v, "bpm", 1, 20, 300, &it->r.bpm);
	valid_lines(&v, "notes", 0, 0, NOTES_MAX_LEN, &it->r.notes);
	if (valid_time(&v, "measured_at", 0, &ms) && ms > now_ms +
	    FUTURE_MAX_MS)
		(void)problem_field(pool, &v.errs, "measured_at", "Must not "
		    "be more than 60 seconds in the future.");
	if (time_format(ms, t) != ERR_OK ||
	    (it->r.measured_at = pool_strdup(pool, t)) == NULL)
		(void)problem_field(pool, &v.errs, "measured_at",
		    "Out of range.");
	for (fe = v.errs; fe != NULL; fe = fe->next)
		(void)item_fail(pool, errs, it, fe->field, fe->message);
}

/*
 * Reads the body, one object or an array of 1 to BATCH_MAX, into
 * "*items" ("*n" of them).  Returns 1, or writes the 400 and returns 0.
 */
static int
read_items(struct app *app, struct req *r, struct resp *w, int64_t now_ms,
    struct item **items, int *n)
{
	struct field_error	*errs = NULL;
	const cJSON		*o;
	int			 batch = cJSON_IsArray(r->json), i = 0;

	*n = batch ? cJSON_GetArraySize(r->json) : 1;
	if (batch && (*n < 1 || *n > BATCH_MAX)) {
		(void)problem_field(r->pool, &errs, "non_field_errors",
		    "Send one reading, or an array of 1 to 1000.");
		return param_end(r, w, errs);
	}
	if ((*items = pool_calloc(r->pool, (size_t)*n, sizeof(**items))) ==
	    NULL) {
		problem_from_err(w, r, ERR_NOMEM);
		return 0;
	}
	if (!batch) {
		(*items)[0].index = -1;
		item_fields(r->pool, r->json, now_ms, &(*items)[0], &errs);
	} else
		cJSON_ArrayForEach(o, r->json) {
			(*items)[i].index = i;
			item_fields(r->pool, o, now_ms, &(*items)[i++], &errs);
		}
	for (i = 0; i < *n; i++) {
		(*items)[i].r.handled_by = r->who->user_id;
		(*items)[i].r.status = reading_status(app->conf,
		    (*items)[i].r.bpm);
	}
	return param_end(r, w, errs);
}

/*
 * Inside the transaction: finds the patient's open admission, checks
 * "it" against it and stores it, or adds to "*errs" why not.  Once any
 * item failed the rest are only checked, for the 400 to name them all.
 */
static enum err
item_store(struct db *db, struct pool *pool, struct item *it,
    int64_t now_ms, struct field_error **errs)
{
	const char	*admitted_at;
	enum err	 e;

	e = reading_open_admission(db, pool, it->r.patient_id,
	    &it->r.admission_id, &admitted_at);
	if (e == ERR_NOTFOUND) {
		if ((e = admission_patient_exists(db, it->r.patient_id)) ==
		    ERR_NOTFOUND)
			return item_fail(pool, errs, it, "patient",
			    pool_printf(pool, "Invalid pk \"%s\" - object "
			    "does not exist.", it->r.patient_id));
		return e != ERR_OK ? e : item_fail(pool, errs, it, "patient",
		    "This patient has no open admission.");
	}
	if (e != ERR_OK)
		return e;
	if (it->admission_id != NULL &&
	    strcmp(it->admission_id, it->r.admission_id) != 0)
		return item_fail(pool, errs, it, "admission",
		    "This is not the patient's open admission.");
	if (strcmp(it->r.measured_at, admitted_at) < 0)
		return item_fail(pool, errs, it, "measured_at",
		    "Must not be before the patient's admission.");
	if (*errs != NULL)
		return ERR_OK;
	return reading_insert(db, pool, &it->r, now_ms);
}

/*
 * Notes a read of the readings of each patient of "rows" (SPEC 7.23: a
 * list read records the patients returned), each patient once.
 */
static void
audit_patients(struct req *r, const struct reading *rows, size_t n)
{
	size_t	 i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++)
			if (strcmp(rows[k].patient_id, rows[i].patient_id) == 0)
				break;
		if (k == i)
			audit_add(r, "read", "reading", NULL,
			    rows[i].patient_id);
	}
}

/* Answers the stored readings: one with its Location, or an array. */
static enum err
created(struct req *r, struct resp *w, const struct item *items, int n)
{
	struct json	 j;
	const char	*loc;
	int		 i;
	enum err	 e;

	json_init(&j, &w->body);
	if (items[0].index >= 0)
		json_arr_open(&j, NULL);
	for (i = 0; i < n; i++)
		reading_json(&j, NULL, &items[i].r);
	if (items[0].index >= 0)
		json_arr_close(&j);
	if ((e = json_err(&j)) != ERR_OK)
		return e;
	w->status = 201;
	w->content_type = "application/json";
	if (items[0].index >= 0)
		return ERR_OK;
	if ((loc = pool_printf(r->pool, "/api/heartrates/%s/",
	    items[0].r.id)) == NULL)
		return ERR_NOMEM;
	return resp_header(w, "Location", loc);
}

/* POST /api/heartrates/ */
enum err
reading_api_create(struct app *app, struct req *r, struct resp *w)
{
	struct field_error	*errs = NULL;
	struct item		*items = NULL;
	int64_t			 now_ms = time_now_ms();
	int			 n, i;
	enum err		 e = ERR_OK;

	if (!read_items(app, r, w, now_ms, &items, &n))
		return ERR_OK;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	for (i = 0; i < n && e == ERR_OK; i++)
		e = item_store(app->db, r->pool, &items[i], now_ms, &errs);
	for (i = 0; i < n && e == ERR_OK && errs == NULL; i++)
		audit_add(r, "record", "reading", items[i].r.id,
		    items[i].r.patient_id);
	if (e != ERR_OK || errs != NULL) {
		db_rollback(app->db);
		return e != ERR_OK ? e : (param_end(r, w, errs), ERR_OK);
	}
	if ((e = db_commit(app->db)) != ERR_OK)
		return e;
	return created(r, w, items, n);
}

/* GET /api/heartrates/:id/ */
enum err
reading_api_get(struct app *app, struct req *r, struct resp *w)
{
	struct reading	 rd;
	struct json	 j;
	const char	*id;
	enum err	 e;

	if ((id = param_path_id(r, 0)) == NULL)
		return ERR_NOTFOUND;
	if ((e = reading_by_id(app->db, r->pool, id, &rd)) != ERR_OK)
		return e;
	audit_add(r, "read", "reading", rd.id, rd.patient_id);
	json_init(&j, &w->body);
	reading_json(&j, NULL, &rd);
	w->status = 200;
	w->content_type = "application/json";
	return json_err(&j);
}

/*
 * Reads the filters of the lists (SPEC section 5, 7.12).  Returns 1, or
 * writes the 400 naming every bad one and returns 0.
 */
static int
list_params(struct req *r, struct resp *w, struct reading_filter *f)
{
	struct field_error	*errs = NULL;

	memset(f, 0, sizeof(*f));
	f->patient_id = param_uuid(r, "patient", &errs);
	f->admission_id = param_uuid(r, "admission", &errs);
	f->handled_by = param_uuid(r, "handled_by", &errs);
	f->status = param_choice(r, "status", statuses, "Select a valid "
	    "choice: low, normal or high.", &errs);
	f->since = param_time(r, "since", 1, &errs);
	f->until = param_time(r, "until", 0, &errs);
	f->search = param_str(r, "search");
	return param_end(r, w, errs);
}

/*
 * Answers a cursor page of the readings that match the query, within
 * patient "patient_id" (the path's) when it is not NULL.
 */
static enum err
list(struct app *app, struct req *r, struct resp *w, const char *patient_id)
{
	struct reading_filter	 f;
	struct cursor		 c;
	struct reading		*rows;
	struct json		 j;
	const char		*next, *prev;
	size_t			 shown = 0, i;
	int			 more = 0;
	enum err		 e = ERR_OK;

	if (!list_params(r, w, &f) || !cursor_parse(r, w, &c))
		return ERR_OK;
	if ((rows = pool_calloc(r->pool, (size_t)c.size + 1,
	    sizeof(*rows))) == NULL)
		return ERR_NOMEM;
	/* Both must hold: another ?patient= than the path's matches none. */
	if (patient_id == NULL || f.patient_id == NULL ||
	    strcmp(f.patient_id, patient_id) == 0) {
		if (patient_id != NULL)
			f.patient_id = patient_id;
		e = reading_list(app->db, r->pool, &f, &c, rows, &shown,
		    &more);
	}
	if (e != ERR_OK || (e = cursor_links(r, app->conf, &c, shown, more,
	    rows[0].measured_at, rows[0].seq,
	    shown > 0 ? rows[shown - 1].measured_at : NULL,
	    shown > 0 ? rows[shown - 1].seq : 0, &next, &prev)) != ERR_OK)
		return e;
	audit_patients(r, rows, shown);
	cursor_page_begin(w, &j, next, prev);
	for (i = 0; i < shown; i++)
		reading_json(&j, NULL, &rows[i]);
	return page_end(w, &j);
}

/* GET /api/heartrates/ */
enum err
reading_api_list(struct app *app, struct req *r, struct resp *w)
{

	return list(app, r, w, NULL);
}

/* GET /api/patients/:id/heartrates/: an unknown patient is 404. */
enum err
reading_api_patient_list(struct app *app, struct req *r, struct resp *w)
{
	const char	*id;
	enum err	 e;

	if ((id = param_path_id(r, 0)) == NULL)
		return ERR_NOTFOUND;
	if ((e = admission_patient_exists(app->db, id)) != ERR_OK)
		return e;
	/* A read of this patient's readings, even when there are none. */
	audit_add(r, "read", "reading", NULL, id);
	return list(app, r, w, id);
}
