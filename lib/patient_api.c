/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "audit.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "page.h"
#include "param.h"
#include "patient.h"
#include "pool.h"
#include "problem.h"
#include "rfc3339.h"
#include "uuid.h"
#include "valid.h"

/*
 * The patients resource (SPEC section 5, 7.13, 7.14): the handlers of
 * /api/patients/ and /api/patients/:id/.  Storage is lib/patient.c;
 * the roles are checked by dispatch (lib/routes.c) before any of these
 * runs.
 */

#define	NAME_MAX_LEN	150
#define	ADDRESS_MAX_LEN	255
#define	MRN_MAX_LEN	64
#define	DATE_MAX_LEN	64	/* longer is no date; named as too long */
#define	MS_PER_DAY	(24 * 60 * 60 * 1000LL)

enum	pkind {
	PK_TEXT,
	PK_EMAIL,
	PK_PHONE,
	PK_GENDER,
	PK_DATE
};

/*
 * The fields a client writes.  "required" holds for a create and a
 * replace; a partial update checks only what was sent.  id, created_at
 * and updated_at are read-only: sent, they are ignored (SPEC section 2).
 */
static const struct pfield {
	const char	*name;
	enum pkind	 kind;
	int		 required;
	size_t		 min;
	size_t		 max;
	size_t		 off;	/* of the member of struct patient */
} pfields[] = {
	{ "first_name", PK_TEXT, 1, 1, NAME_MAX_LEN,
	  offsetof(struct patient, first_name) },
	{ "last_name", PK_TEXT, 1, 1, NAME_MAX_LEN,
	  offsetof(struct patient, last_name) },
	{ "gender", PK_GENDER, 0, 0, 0,
	  offsetof(struct patient, gender) },
	{ "date_of_birth", PK_DATE, 1, 1, DATE_MAX_LEN,
	  offsetof(struct patient, date_of_birth) },
	{ "phone_number", PK_PHONE, 1, 0, 0,
	  offsetof(struct patient, phone_number) },
	{ "email", PK_EMAIL, 0, 0, 0,
	  offsetof(struct patient, email) },
	{ "address_line_1", PK_TEXT, 0, 0, ADDRESS_MAX_LEN,
	  offsetof(struct patient, address_line_1) },
	{ "address_line_2", PK_TEXT, 0, 0, ADDRESS_MAX_LEN,
	  offsetof(struct patient, address_line_2) },
	{ "city", PK_TEXT, 0, 0, ADDRESS_MAX_LEN,
	  offsetof(struct patient, city) },
	{ "state", PK_TEXT, 0, 0, ADDRESS_MAX_LEN,
	  offsetof(struct patient, state) },
	{ "country", PK_TEXT, 0, 0, ADDRESS_MAX_LEN,
	  offsetof(struct patient, country) },
	{ "medical_record_number", PK_TEXT, 0, 1, MRN_MAX_LEN,
	  offsetof(struct patient, medical_record_number) },
};

#define	PFIELDSZ	(sizeof(pfields) / sizeof(pfields[0]))

static int
fail(struct valid *v, const char *name, const char *msg)
{

	(void)problem_field(v->pool, &v->errs, name, msg);
	return 0;
}

/*
 * A date of birth: a real calendar date as YYYY-MM-DD (2023-02-29 is
 * none), not after today (UTC).
 */
static int
valid_dob(struct valid *v, const struct pfield *f, const char **out)
{
	int64_t	 days;

	if (!valid_text(v, f->name, f->required, f->min, f->max, out))
		return 0;
	if (*out == NULL)
		return 1;
	if (date_parse(*out, &days) != ERR_OK)
		return fail(v, f->name, "Enter a real date in the format "
		    "YYYY-MM-DD.");
	if (days > time_now_ms() / MS_PER_DAY)
		return fail(v, f->name, "The date of birth cannot be in the "
		    "future.");
	return 1;
}

/* Gender: absent is "other"; JSON null is refused, as DRF does. */
static int
valid_gender(struct valid *v, const struct pfield *f, const char **out)
{

	if (valid_has(v, f->name) &&
	    cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(v->o, f->name)))
		return fail(v, f->name, "This field may not be null.");
	if (!valid_choice(v, f->name, 0, valid_genders, out))
		return 0;
	if (*out == NULL)
		*out = "other";
	return 1;
}

/* Validates one field; on success stores it into "p". */
static int
field_one(struct valid *v, const struct pfield *f, struct patient *p)
{
	const char	*s = NULL;
	int		 ok;

	switch (f->kind) {
	case PK_EMAIL:
		ok = valid_email(v, f->name, f->required, &s);
		break;
	case PK_PHONE:
		ok = valid_phone(v, f->name, f->required, &s);
		break;
	case PK_GENDER:
		ok = valid_gender(v, f, &s);
		break;
	case PK_DATE:
		ok = valid_dob(v, f, &s);
		break;
	default:
		ok = valid_text(v, f->name, f->required, f->min, f->max, &s);
		break;
	}
	if (ok)
		*(const char **)(void *)((char *)p + f->off) = s;
	return ok;
}

/*
 * Reads the body of "r" into "p".  With "partial" (PATCH) only the
 * fields sent change; otherwise every field is set, absent optional
 * ones to null (gender to "other").  Writes the 400 naming every bad
 * field and returns 0 when any is bad.
 */
static int
patient_fields(struct req *r, struct resp *w, struct patient *p,
    int partial)
{
	struct valid	 v;
	size_t		 i;

	if (!valid_begin(&v, r, w))
		return 0;
	for (i = 0; i < PFIELDSZ; i++)
		if (!partial || valid_has(&v, pfields[i].name))
			(void)field_one(&v, &pfields[i], p);
	return valid_end(&v, r, w);
}

static enum err
answer(struct req *r, struct resp *w, int status, const struct patient *p)
{
	struct json	 j;
	const char	*loc;

	if (status == 201) {
		if ((loc = pool_printf(r->pool, "/api/patients/%s/",
		    p->id)) == NULL)
			return ERR_NOMEM;
		if (resp_header(w, "Location", loc) != ERR_OK)
			return ERR_NOMEM;
	}
	json_init(&j, &w->body);
	patient_json(&j, NULL, p);
	w->status = status;
	w->content_type = "application/json";
	return json_err(&j);
}

/* The 400 for unique fields another patient holds (SPEC section 5). */
static void
taken_answer(struct req *r, struct resp *w, unsigned int taken)
{
	struct field_error	*errs = NULL;

	if (taken & PATIENT_TAKEN_PHONE)
		(void)problem_field(r->pool, &errs, "phone_number", "A patient "
		    "with this phone number already exists.");
	if (taken & PATIENT_TAKEN_EMAIL)
		(void)problem_field(r->pool, &errs, "email", "A patient with "
		    "this email already exists.");
	if (taken & PATIENT_TAKEN_MRN)
		(void)problem_field(r->pool, &errs, "medical_record_number",
		    "A patient with this medical record number already "
		    "exists.");
	problem_write(w, r, 400, "invalid", "The request is invalid.", errs);
}

/*
 * Inside the caller's write transaction: checks the unique fields,
 * then inserts or updates "p", and commits.  A UNIQUE constraint that
 * still fires is answered as the check would have.  Rolls back on
 * failure; returns ERR_OK with "*done" 0 when it wrote a 400.
 */
static enum err
store(struct app *app, struct req *r, struct resp *w, struct patient *p,
    int insert, int *done)
{
	unsigned int	 taken = 0;
	enum err	 e;

	*done = 0;
	if ((e = patient_taken(app->db, p, &taken)) == ERR_OK && !taken)
		e = insert ? patient_insert(app->db, r->pool, p) :
		    patient_update(app->db, r->pool, p);
	if (e == ERR_CONFLICT &&
	    patient_taken(app->db, p, &taken) != ERR_OK)
		taken = 0;
	if (e != ERR_OK || taken) {
		db_rollback(app->db);
		if (!taken)
			return e;
		taken_answer(r, w, taken);
		return ERR_OK;
	}
	audit_add(r, insert ? "create" : "update", "patient", p->id, p->id);
	if ((e = db_commit(app->db)) == ERR_OK)
		*done = 1;
	return e;
}

/* POST /api/patients/ */
enum err
patient_api_create(struct app *app, struct req *r, struct resp *w)
{
	struct patient	 p;
	enum err	 e;
	int		 done;

	memset(&p, 0, sizeof(p));
	if (!patient_fields(r, w, &p, 0))
		return ERR_OK;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = store(app, r, w, &p, 1, &done)) != ERR_OK || !done)
		return e;
	return answer(r, w, 201, &p);
}

/* GET /api/patients/:id/; a malformed id is no patient (404). */
enum err
patient_api_read(struct app *app, struct req *r, struct resp *w)
{
	struct patient	 p;
	enum err	 e;

	if (!uuid_valid(r->params[0]))
		return ERR_NOTFOUND;
	if ((e = patient_get(app->db, r->pool, r->params[0], &p)) != ERR_OK)
		return e;
	audit_add(r, "read", "patient", p.id, p.id);
	return answer(r, w, 200, &p);
}

/*
 * PUT (replace) and PATCH (partial) of /api/patients/:id/: the row is
 * read, changed and written in one transaction, so that two updates
 * racing never undo each other's fields.
 */
static enum err
modify(struct app *app, struct req *r, struct resp *w, int partial)
{
	struct patient	 p, old;
	enum err	 e;
	int		 done;

	if (!uuid_valid(r->params[0]))
		return ERR_NOTFOUND;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = patient_get(app->db, r->pool, r->params[0], &old)) != ERR_OK) {
		db_rollback(app->db);
		return e;
	}
	if (partial)
		p = old;
	else {
		memset(&p, 0, sizeof(p));
		p.id = old.id;
		p.created_at = old.created_at;
	}
	if (!patient_fields(r, w, &p, partial)) {
		db_rollback(app->db);
		return ERR_OK;
	}
	if ((e = store(app, r, w, &p, 0, &done)) != ERR_OK || !done)
		return e;
	return answer(r, w, 200, &p);
}

/* PUT /api/patients/:id/ */
enum err
patient_api_replace(struct app *app, struct req *r, struct resp *w)
{

	return modify(app, r, w, 0);
}

/* PATCH /api/patients/:id/ */
enum err
patient_api_update(struct app *app, struct req *r, struct resp *w)
{

	return modify(app, r, w, 1);
}

/*
 * DELETE /api/patients/:id/: 204, or 409 while the patient has any
 * admission, open or closed (medical history is never lost).
 */
enum err
patient_api_delete(struct app *app, struct req *r, struct resp *w)
{
	enum err	 e;

	if (!uuid_valid(r->params[0]))
		return ERR_NOTFOUND;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = patient_delete(app->db, r->params[0])) != ERR_OK) {
		db_rollback(app->db);
		if (e != ERR_CONFLICT)
			return e;
		problem_write(w, r, 409, "conflict", "The patient has "
		    "admissions and cannot be deleted: medical history is "
		    "kept.", NULL);
		return ERR_OK;
	}
	audit_add(r, "delete", "patient", r->params[0], r->params[0]);
	if ((e = db_commit(app->db)) != ERR_OK)
		return e;
	w->status = 204;
	return ERR_OK;
}

/*
 * Reads the filters of the list; an unknown ordering is 400 naming it
 * (SPEC 7.12).  Returns 1, or writes the answer and returns 0.
 */
static int
list_filter(struct req *r, struct resp *w, struct patient_filter *f)
{
	struct field_error	*errs = NULL;
	const char		*s;

	f->city = param_str(r, "city");
	f->state = param_str(r, "state");
	f->country = param_str(r, "country");
	f->search = param_str(r, "search");
	f->order = PATIENT_ORDER_FIRST_NAME;
	if ((s = param_str(r, "ordering")) != NULL &&
	    (f->order = patient_order(s)) == PATIENT_ORDER__MAX)
		(void)problem_field(r->pool, &errs, "ordering", "Select a "
		    "valid ordering: first_name, last_name, date_of_birth or "
		    "created_at, each with an optional leading \"-\".");
	return param_end(r, w, errs);
}

/* The list's writer and request: each patient shown is a read. */
struct	listing {
	struct json	*j;
	struct req	*r;
};

static void
list_one(const struct patient *p, void *arg)
{
	struct listing	*l = arg;

	patient_json(l->j, NULL, p);
	audit_add(l->r, "read", "patient", p->id, p->id);
}

/* GET /api/patients/ */
enum err
patient_api_list(struct app *app, struct req *r, struct resp *w)
{
	struct patient_filter	 f;
	struct page		 pg;
	struct json		 j;
	struct listing		 l = { &j, r };
	long			 count;
	enum err		 e;

	if (!list_filter(r, w, &f) || !page_parse(r, w, &pg))
		return ERR_OK;
	if ((e = patient_count(app->db, &f, &count)) != ERR_OK)
		return e;
	if (!page_begin(r, w, app->conf, &pg, count, &j))
		return ERR_OK;
	if ((e = patient_list(app->db, r->pool, &f, count, pg.size,
	    pg.offset, list_one, &l)) != ERR_OK)
		return e;
	return page_end(w, &j);
}
