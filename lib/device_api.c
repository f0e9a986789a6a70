/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "audit.h"
#include "db.h"
#include "device.h"
#include "extern.h"
#include "json.h"
#include "page.h"
#include "param.h"
#include "pool.h"
#include "problem.h"
#include "uuid.h"
#include "valid.h"

/*
 * The devices resource (SPEC sections 3, 5 and 7.15): the handlers of
 * /api/devices/ and /api/devices/:id/.  Storage is lib/device.c, which
 * hmctl shares; the roles (admin and staff read, admin writes) are
 * checked by dispatch (lib/routes.c) before any of these runs.
 */

static int
fail(struct valid *v, const char *name, const char *msg)
{

	(void)problem_field(v->pool, &v->errs, name, msg);
	return 0;
}

/*
 * Whether to validate member "name": 1 when it was sent, or when it is
 * absent but "required" (so that the validator names it).  JSON null
 * is refused for every device field, as DRF does for fields that are
 * not nullable.
 */
static int
want(struct valid *v, const char *name, int required)
{
	const cJSON	*item;

	if ((item = cJSON_GetObjectItemCaseSensitive(v->o, name)) == NULL)
		return required;
	if (cJSON_IsNull(item))
		return fail(v, name, "This field may not be null.");
	return 1;
}

/*
 * Reads the body of "r" over "d": the fields sent replace those of
 * "d".  Unless "partial" (PATCH), serial_number and model_name are
 * required; manufacturer and status keep what "d" holds when absent.
 * id, created_at and current_admission are read-only: sent, they are
 * ignored (SPEC section 2).  Writes the 400 naming every bad field and
 * returns 0 when any is bad.
 */
static int
device_fields(struct req *r, struct resp *w, struct device *d, int partial)
{
	struct valid	 v;
	const char	*s;

	if (!valid_begin(&v, r, w))
		return 0;
	if (want(&v, "serial_number", !partial) && valid_text(&v,
	    "serial_number", 1, 1, DEVICE_FIELD_MAX, &s))
		d->serial_number = s;
	if (want(&v, "model_name", !partial) && valid_text(&v,
	    "model_name", 1, 1, DEVICE_FIELD_MAX, &s))
		d->model_name = s;
	if (want(&v, "manufacturer", 0) && valid_text(&v,
	    "manufacturer", 1, 0, DEVICE_FIELD_MAX, &s))
		d->manufacturer = s;
	if (want(&v, "status", 0) && valid_choice(&v, "status", 1,
	    device_statuses, &s))
		d->status = device_status(s);
	return valid_end(&v, r, w);
}

/* Answers "d" with "status"; a 201 carries its Location. */
static enum err
answer(struct req *r, struct resp *w, int status, const struct device *d)
{
	struct json	 j;
	const char	*loc;

	if (status == 201) {
		if ((loc = pool_printf(r->pool, "/api/devices/%s/",
		    d->id)) == NULL)
			return ERR_NOMEM;
		if (resp_header(w, "Location", loc) != ERR_OK)
			return ERR_NOMEM;
	}
	json_init(&j, &w->body);
	device_json(&j, NULL, d);
	w->status = status;
	w->content_type = "application/json";
	return json_err(&j);
}

/* The 400 for a serial number another device has (SPEC section 5). */
static void
serial_taken(struct req *r, struct resp *w)
{
	struct field_error	*errs = NULL;

	(void)problem_field(r->pool, &errs, "serial_number", "A device with "
	    "this serial number already exists.");
	problem_write(w, r, 400, "invalid", "The request is invalid.", errs);
}

/* Answers a refusal of device_update() (ERR_CONFLICT). */
static void
refused(struct req *r, struct resp *w, enum device_refusal why)
{

	if (why == DEVICE_REFUSAL_SERIAL)
		serial_taken(r, w);
	else
		problem_write(w, r, 409, "conflict", "The device is in use "
		    "by an open admission: discharge the patient or move the "
		    "admission to another device before setting its status "
		    "to maintenance or retired.", NULL);
}

/* POST /api/devices/: the status is active unless the body says. */
enum err
device_api_create(struct app *app, struct req *r, struct resp *w)
{
	struct device	 d;
	enum err	 e;

	memset(&d, 0, sizeof(d));
	d.manufacturer = "";
	d.status = DEVICE_ACTIVE;
	if (!device_fields(r, w, &d, 0))
		return ERR_OK;
	/* device_insert()'s own transaction nests in this one. */
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = device_insert(app->db, r->pool, &d)) != ERR_OK) {
		db_rollback(app->db);
		if (e != ERR_CONFLICT)
			return e;
		serial_taken(r, w);
		return ERR_OK;
	}
	audit_add(r, "create", "device", d.id, NULL);
	if ((e = db_commit(app->db)) != ERR_OK)
		return e;
	return answer(r, w, 201, &d);
}

/* GET /api/devices/:id/; a malformed id is no device (404). */
enum err
device_api_get(struct app *app, struct req *r, struct resp *w)
{
	struct device	 d;
	enum err	 e;

	if (!uuid_valid(r->params[0]))
		return ERR_NOTFOUND;
	if ((e = device_get(app->db, r->pool, r->params[0], &d)) != ERR_OK)
		return e;
	return answer(r, w, 200, &d);
}

/*
 * PUT (replace) and PATCH (partial) of /api/devices/:id/: the row is
 * read, changed and written in one transaction, so that the check that
 * no open admission uses a device being retired still holds when the
 * change is written (admitting takes the same write lock).
 */
static enum err
modify(struct app *app, struct req *r, struct resp *w, int partial)
{
	struct device		 d;
	enum device_refusal	 why;
	enum err		 e;

	if (!uuid_valid(r->params[0]))
		return ERR_NOTFOUND;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = device_get(app->db, r->pool, r->params[0], &d)) != ERR_OK) {
		db_rollback(app->db);
		return e;
	}
	if (!device_fields(r, w, &d, partial)) {
		db_rollback(app->db);
		return ERR_OK;
	}
	if ((e = device_update(app->db, &d, &why)) != ERR_OK) {
		db_rollback(app->db);
		if (e != ERR_CONFLICT)
			return e;
		refused(r, w, why);
		return ERR_OK;
	}
	audit_add(r, "update", "device", d.id, NULL);
	if ((e = db_commit(app->db)) != ERR_OK)
		return e;
	return answer(r, w, 200, &d);
}

/* PUT /api/devices/:id/ */
enum err
device_api_replace(struct app *app, struct req *r, struct resp *w)
{

	return modify(app, r, w, 0);
}

/* PATCH /api/devices/:id/: retiring is PATCH {"status": "retired"}. */
enum err
device_api_update(struct app *app, struct req *r, struct resp *w)
{

	return modify(app, r, w, 1);
}

/*
 * DELETE /api/devices/:id/: 204 for a device no admission ever used,
 * else 409 saying to retire it instead (SPEC 7.15).
 */
enum err
device_api_delete(struct app *app, struct req *r, struct resp *w)
{
	enum err	 e;

	if (!uuid_valid(r->params[0]))
		return ERR_NOTFOUND;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = device_delete(app->db, r->params[0])) != ERR_OK) {
		db_rollback(app->db);
		if (e != ERR_CONFLICT)
			return e;
		problem_write(w, r, 409, "conflict", "The device has "
		    "admissions and cannot be deleted: retire it instead with "
		    "PATCH {\"status\": \"retired\"}.", NULL);
		return ERR_OK;
	}
	audit_add(r, "delete", "device", r->params[0], NULL);
	if ((e = db_commit(app->db)) != ERR_OK)
		return e;
	w->status = 204;
	return ERR_OK;
}

/* Reads ?status=, ?available=, ?search=, ?ordering= into "f". */
static void
list_params(struct req *r, struct device_filter *f,
    struct field_error **errs)
{
	const char	*s;

	f->status = DEVICE__MAX;
	f->search = param_str(r, "search");
	f->order = DEVICE_ORDER_SERIAL_NUMBER;
	if ((s = param_str(r, "status")) != NULL &&
	    (f->status = device_status(s)) == DEVICE__MAX)
		(void)problem_field(r->pool, errs, "status", "Select a valid "
		    "choice: active, maintenance or retired.");
	f->available = param_bool(r, "available", errs);
	if ((s = param_str(r, "ordering")) != NULL &&
	    (f->order = device_order(s)) == DEVICE_ORDER__MAX)
		(void)problem_field(r->pool, errs, "ordering", "Select a valid "
		    "ordering: serial_number, model_name or created_at, each "
		    "with an optional leading \"-\".");
}

/*
 * Reads the filters of the list; an unknown value of a known filter is
 * 400 naming it (SPEC 7.12).  Returns 1, or writes the answer and
 * returns 0.
 */
static int
list_filter(struct req *r, struct resp *w, struct device_filter *f)
{
	struct field_error	*errs = NULL;

	list_params(r, f, &errs);
	return param_end(r, w, errs);
}

static void
list_one(const struct device *d, void *arg)
{

	device_json(arg, NULL, d);
}

/*
 * GET /api/devices/: page-number pagination (lib/page.h) over the
 * devices that match the filters; ?available=true lists the active
 * devices no open admission uses, ?available=false all the others.
 */
enum err
device_api_list(struct app *app, struct req *r, struct resp *w)
{
	struct device_filter	 f;
	struct page		 pg;
	struct json		 j;
	long			 count;
	enum err		 e;

	if (!list_filter(r, w, &f) || !page_parse(r, w, &pg))
		return ERR_OK;
	if ((e = device_count(app->db, r->pool, &f, &count)) != ERR_OK)
		return e;
	if (!page_begin(r, w, app->conf, &pg, count, &j))
		return ERR_OK;
	if ((e = device_page(app->db, r->pool, &f, pg.size, pg.offset,
	    list_one, &j)) != ERR_OK)
		return e;
	return page_end(w, &j);
}
