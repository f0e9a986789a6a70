/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "admission.h"
#include "app.h"
#include "audit.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "page.h"
#include "param.h"
#include "pool.h"
#include "problem.h"
#include "rfc3339.h"
#include "uuid.h"
#include "valid.h"

/*
 * The admissions resource (SPEC section 5, 7.16, 7.28):
 *
 *	GET	/api/admissions/		list (all roles)
 *	POST	/api/admissions/		admit (admin, staff)
 *	GET	/api/admissions/:id/		detail (all roles)
 *	PATCH	/api/admissions/:id/		device, ward, bed
 *	POST	/api/admissions/:id/discharge/	close it
 *
 * Dispatch has checked the role.  Every write runs in one BEGIN
 * IMMEDIATE transaction: the checks (patient exists, device exists and
 * is active) and the write see one state, and the partial unique
 * indexes refuse a second open admission of a patient or a device, so
 * two workers racing can never both win.  The loser's UNIQUE failure
 * is answered as the same 400 that names the reason.
 *
 * Every answer, list items included, carries the embedded details of
 * SPEC 7.16: a front-end listing admissions needs the names anyway.
 */

#define	PLACE_MAX_LEN	100	/* ward, bed */

#define	MSG_PATIENT_OPEN	"This patient already has an open " \
			"admission."
#define	MSG_DEVICE_OPEN	"This device is assigned to an open " \
			"admission."

/* Writes the 409 of a change to a closed admission (SPEC 7.16, 7.28). */
static enum err
closed(struct req *r, struct resp *w)
{

	problem_write(w, r, 409, "conflict", "This admission is discharged: "
	    "it can no longer change.", NULL);
	return ERR_OK;
}

/* Answers admission "a" with "status"; a 201 carries its Location. */
static enum err
answer_with(struct req *r, struct resp *w, int status,
    const struct admission *a)
{
	struct json	 j;
	const char	*loc;
	enum err	 e;

	json_init(&j, &w->body);
	admission_json(&j, NULL, a);
	if ((e = json_err(&j)) != ERR_OK)
		return e;
	w->status = status;
	w->content_type = "application/json";
	if (status != 201)
		return ERR_OK;
	if ((loc = pool_printf(r->pool, "/api/admissions/%s/", a->id)) ==
	    NULL)
		return ERR_NOMEM;
	return resp_header(w, "Location", loc);
}

/* Answers admission "id" as it is stored now, with "status". */
static enum err
answer(struct app *app, struct req *r, struct resp *w, int status,
    const char *id)
{
	struct admission	 a;
	enum err		 e;

	if ((e = admission_by_id(app->db, r->pool, id, &a)) != ERR_OK)
		return e;
	return answer_with(r, w, status, &a);
}

/*
 * Ends the transaction of a write: commits when "e" is ERR_OK and no
 * field failed, then answers the admission "id" with "status"; else
 * rolls back and answers the 400 naming "errs", or returns "e".
 */
static enum err
finish(struct app *app, struct req *r, struct resp *w, enum err e,
    const struct field_error *errs, int status, const char *id)
{

	if (e == ERR_OK && errs == NULL)
		e = db_commit(app->db);
	else
		db_rollback(app->db);
	if (e != ERR_OK)
		return e;
	if (errs != NULL) {
		problem_write(w, r, 400, "invalid", "The request is invalid.",
		    errs);
		return ERR_OK;
	}
	return answer(app, r, w, status, id);
}

/*
 * Adds to "*errs" why device "id" cannot be assigned: unknown, in
 * maintenance or retired.  Whether it is free is the index's to say.
 */
static enum err
check_device(struct db *db, struct pool *pool, const char *id,
    struct field_error **errs)
{
	enum admission_device	 why;
	const char		*msg;
	enum err		 e;

	if ((e = admission_device_check(db, id, &why)) != ERR_OK)
		return e;
	switch (why) {
	case ADMISSION_DEVICE_OK:
		return ERR_OK;
	case ADMISSION_DEVICE_UNKNOWN:
		msg = pool_printf(pool, "Invalid pk \"%s\" - object does not "
		    "exist.", id);
		break;
	case ADMISSION_DEVICE_MAINTENANCE:
		msg = "This device is in maintenance.";
		break;
	default:
		msg = "This device is retired.";
		break;
	}
	return msg == NULL ? ERR_NOMEM :
	    problem_field(pool, errs, "assigned_device", msg);
}

/*
 * After the unique indexes refused a write (ERR_CONFLICT), names the
 * reason in "*errs": patient "patient_id" (NULL: not checked) or device
 * "device_id" already in an open admission other than "except_id".
 * Returns ERR_CONFLICT if neither explains it.
 */
static enum err
conflict_reasons(struct db *db, struct pool *pool, const char *patient_id,
    const char *device_id, const char *except_id, struct field_error **errs)
{
	int		 open = 0;
	enum err	 e;

	if (patient_id != NULL) {
		if ((e = admission_open(db, patient_id, NULL, except_id,
		    &open)) != ERR_OK)
			return e;
		if (open && (e = problem_field(pool, errs, "patient",
		    MSG_PATIENT_OPEN)) != ERR_OK)
			return e;
	}
	if ((e = admission_open(db, NULL, device_id, except_id, &open)) !=
	    ERR_OK)
		return e;
	if (open && (e = problem_field(pool, errs, "assigned_device",
	    MSG_DEVICE_OPEN)) != ERR_OK)
		return e;
	return *errs == NULL ? ERR_CONFLICT : ERR_OK;
}

/* Reads and checks the fields of an admission into "a". */
static int
create_fields(struct req *r, struct resp *w, struct admission *a)
{
	struct valid	 v;

	memset(a, 0, sizeof(*a));
	if (!valid_begin(&v, r, w))
		return 0;
	valid_uuid(&v, "patient", 1, &a->patient_id);
	valid_uuid(&v, "assigned_device", 1, &a->device_id);
	valid_text(&v, "ward", 0, 0, PLACE_MAX_LEN, &a->ward);
	valid_text(&v, "bed", 0, 0, PLACE_MAX_LEN, &a->bed);
	return valid_end(&v, r, w);
}

/*
 * Inside the transaction: checks the patient and the device and stores
 * "a", or fills "*errs".
 */
static enum err
admit(struct db *db, struct pool *pool, struct admission *a,
    struct field_error **errs)
{
	enum err	 e;

	e = admission_patient_exists(db, a->patient_id);
	if (e == ERR_NOTFOUND)
		e = problem_field(pool, errs, "patient", pool_printf(pool,
		    "Invalid pk \"%s\" - object does not exist.",
		    a->patient_id));
	if (e != ERR_OK ||
	    (e = check_device(db, pool, a->device_id, errs)) != ERR_OK ||
	    *errs != NULL)
		return e;
	e = admission_insert(db, pool, a, time_now_ms());
	if (e == ERR_CONFLICT)
		e = conflict_reasons(db, pool, a->patient_id, a->device_id,
		    NULL, errs);
	return e;
}

/* POST /api/admissions/: admitted_by is the signed-in user, always. */
enum err
admission_api_create(struct app *app, struct req *r, struct resp *w)
{
	struct admission	 a;
	struct field_error	*errs = NULL;
	enum err		 e;

	if (!create_fields(r, w, &a))
		return ERR_OK;
	a.admitted_by = r->who->user_id;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	e = admit(app->db, r->pool, &a, &errs);
	if (e == ERR_OK && errs == NULL)
		audit_add(r, "admit", "admission", a.id, a.patient_id);
	return finish(app, r, w, e, errs, 201, a.id);
}

/* GET /api/admissions/:id/ */
enum err
admission_api_get(struct app *app, struct req *r, struct resp *w)
{
	struct admission	 a;
	const char		*id;
	enum err		 e;

	if ((id = param_path_id(r, 0)) == NULL)
		return ERR_NOTFOUND;
	if ((e = admission_by_id(app->db, r->pool, id, &a)) != ERR_OK)
		return e;
	audit_add(r, "read", "admission", a.id, a.patient_id);
	return answer_with(r, w, 200, &a);
}

/*
 * Overlays the members of a PATCH body that may change on "a":
 * assigned_device ("*moved" set when it is another one), ward, bed.
 * patient, is_discharged, discharge_date and the rest are ignored
 * (SPEC 7.16).
 */
static int
patch_fields(struct req *r, struct resp *w, struct admission *a, int *moved)
{
	struct valid	 v;
	const char	*s;

	*moved = 0;
	if (!valid_begin(&v, r, w))
		return 0;
	if (valid_has(&v, "assigned_device") &&
	    valid_uuid(&v, "assigned_device", 1, &s) &&
	    strcmp(s, a->device_id) != 0) {
		a->device_id = s;
		*moved = 1;
	}
	if (valid_has(&v, "ward") &&
	    valid_text(&v, "ward", 0, 0, PLACE_MAX_LEN, &s))
		a->ward = s;
	if (valid_has(&v, "bed") &&
	    valid_text(&v, "bed", 0, 0, PLACE_MAX_LEN, &s))
		a->bed = s;
	return valid_end(&v, r, w);
}

/*
 * Inside the transaction: checks a new device ("moved") as admitting
 * does (SPEC 7.28) and stores "a", or fills "*errs".  The old device is
 * free as soon as the row names another one.
 */
static enum err
patch_store(struct db *db, struct pool *pool, const struct admission *a,
    int moved, struct field_error **errs)
{
	enum err	 e;

	if (moved && ((e = check_device(db, pool, a->device_id, errs)) !=
	    ERR_OK || *errs != NULL))
		return e;
	e = admission_update(db, a);
	if (e == ERR_CONFLICT)
		e = conflict_reasons(db, pool, NULL, a->device_id, a->id,
		    errs);
	return e;
}

/* PATCH /api/admissions/:id/: any change to a closed one is 409. */
enum err
admission_api_patch(struct app *app, struct req *r, struct resp *w)
{
	struct admission	 a;
	struct field_error	*errs = NULL;
	const char		*id;
	int			 moved;
	enum err		 e;

	if ((id = param_path_id(r, 0)) == NULL)
		return ERR_NOTFOUND;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = admission_by_id(app->db, r->pool, id, &a)) != ERR_OK) {
		db_rollback(app->db);
		return e;
	}
	/* Written with the change, or with the refusal. */
	audit_add(r, "update", "admission", a.id, a.patient_id);
	if (a.is_discharged) {
		db_rollback(app->db);
		return closed(r, w);
	}
	if (!patch_fields(r, w, &a, &moved)) {
		db_rollback(app->db);
		return ERR_OK;
	}
	e = patch_store(app->db, r->pool, &a, moved, &errs);
	return finish(app, r, w, e, errs, 200, id);
}

/*
 * POST /api/admissions/:id/discharge/ (no body needed, SPEC 7.1):
 * closes it now, which frees its device; 409 if already closed.
 */
enum err
admission_api_discharge(struct app *app, struct req *r, struct resp *w)
{
	struct admission	 a;
	char			 now[RFC3339_STRLEN + 1];
	const char		*id;
	enum err		 e;

	if ((id = param_path_id(r, 0)) == NULL)
		return ERR_NOTFOUND;
	if ((e = time_format(time_now_ms(), now)) != ERR_OK)
		return e;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = admission_by_id(app->db, r->pool, id, &a)) != ERR_OK) {
		db_rollback(app->db);
		return e;
	}
	audit_add(r, "discharge", "admission", a.id, a.patient_id);
	if (a.is_discharged) {
		db_rollback(app->db);
		return closed(r, w);
	}
	e = admission_discharge(app->db, id, now);
	return finish(app, r, w, e, NULL, 200, id);
}

/* Reads the ordering: admission_date, -admission_date (the default). */
static void
order_param(struct req *r, enum admission_order *o,
    struct field_error **errs)
{
	const char	*s;

	*o = ADMISSION_DATE_DESC;
	if ((s = param_str(r, "ordering")) == NULL ||
	    strcmp(s, "-admission_date") == 0)
		return;
	if (strcmp(s, "admission_date") == 0)
		*o = ADMISSION_DATE;
	else
		(void)problem_field(r->pool, errs, "ordering", "Order by "
		    "admission_date or -admission_date.");
}

/*
 * Reads the list's filters and ordering (SPEC section 5, 7.12): an
 * invalid value is a 400 naming it, written here (returns 0).
 */
static int
list_params(struct req *r, struct resp *w, struct admission_filter *f,
    enum admission_order *o)
{
	struct field_error	*errs = NULL;

	memset(f, 0, sizeof(*f));
	f->patient_id = param_uuid(r, "patient", &errs);
	f->device_id = param_uuid(r, "assigned_device", &errs);
	f->is_discharged = param_bool(r, "is_discharged", &errs);
	f->ward = param_str(r, "ward");
	order_param(r, o, &errs);
	return param_end(r, w, errs);
}

/* The list's writer and request: each admission shown is a read. */
struct	listing {
	struct json	*j;
	struct req	*r;
};

static void
list_one(const struct admission *a, void *arg)
{
	struct listing	*l = arg;

	admission_json(l->j, NULL, a);
	audit_add(l->r, "read", "admission", a->id, a->patient_id);
}

/* GET /api/admissions/: filtered, ordered, page-number pages. */
enum err
admission_api_list(struct app *app, struct req *r, struct resp *w)
{
	struct admission_filter	 f;
	enum admission_order	 o;
	struct page		 pg;
	struct json		 j;
	struct listing		 l = { &j, r };
	long			 n;
	enum err		 e;

	if (!list_params(r, w, &f, &o) || !page_parse(r, w, &pg))
		return ERR_OK;
	if ((e = admission_count(app->db, &f, &n)) != ERR_OK)
		return e;
	json_init(&j, &w->body);
	if (!page_begin(r, w, app->conf, &pg, n, &j))
		return ERR_OK;
	if ((e = admission_list(app->db, r->pool, &f, o, pg.size, pg.offset,
	    list_one, &l)) != ERR_OK)
		return e;
	return page_end(w, &j);
}
