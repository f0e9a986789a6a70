/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "device.h"
#include "extern.h"
#include "json.h"
#include "pool.h"
#include "rfc3339.h"
#include "uuid.h"

/*
 * The devices (SPEC section 5): storage for the API (lib/device_api.c)
 * and for hmctl (hmctl/cmd_device.c), which share every rule here.
 */

const char *const device_statuses[DEVICE__MAX + 1] = {
	"active",	/* DEVICE_ACTIVE */
	"maintenance",	/* DEVICE_MAINTENANCE */
	"retired",	/* DEVICE_RETIRED */
	NULL
};

static const struct {
	const char	*name;
	enum stmt	 stmt;
} orders[DEVICE_ORDER__MAX] = {
	{ "serial_number", STMT_DEVICE_LIST_SERIAL_NUMBER },
	{ "-serial_number", STMT_DEVICE_LIST_SERIAL_NUMBER_DESC },
	{ "model_name", STMT_DEVICE_LIST_MODEL_NAME },
	{ "-model_name", STMT_DEVICE_LIST_MODEL_NAME_DESC },
	{ "created_at", STMT_DEVICE_LIST_CREATED_AT },
	{ "-created_at", STMT_DEVICE_LIST_CREATED_AT_DESC },
};

const char *
device_status_str(enum device_status s)
{

	return s < DEVICE__MAX ? device_statuses[s] : "-";
}

enum device_status
device_status(const char *s)
{
	enum device_status	 d;

	for (d = 0; s != NULL && d < DEVICE__MAX; d++)
		if (strcmp(device_statuses[d], s) == 0)
			return d;
	return DEVICE__MAX;
}

enum device_order
device_order(const char *s)
{
	enum device_order	 o;

	for (o = 0; s != NULL && o < DEVICE_ORDER__MAX; o++)
		if (strcmp(orders[o].name, s) == 0)
			return o;
	return DEVICE_ORDER__MAX;
}

void
device_json(struct json *j, const char *key, const struct device *d)
{

	json_obj_open(j, key);
	json_str(j, "id", d->id);
	json_str(j, "serial_number", d->serial_number);
	json_str(j, "model_name", d->model_name);
	json_str(j, "manufacturer", d->manufacturer);
	json_str(j, "status", device_status_str(d->status));
	json_str(j, "created_at", d->created_at);
	json_str(j, "current_admission", d->current_admission);
	json_obj_close(j);
}

/* Reads a row of DEVICE_COLUMNS (lib/stmt.c) into "d". */
static void
device_row(struct pool *pool, sqlite3_stmt *st, struct device *d)
{

	d->id = db_col_text(pool, st, 0);
	d->serial_number = db_col_text(pool, st, 1);
	d->model_name = db_col_text(pool, st, 2);
	d->manufacturer = db_col_text(pool, st, 3);
	d->status = device_status((const char *)sqlite3_column_text(st, 4));
	d->created_at = db_col_text(pool, st, 5);
	d->current_admission = db_col_text(pool, st, 6);
}

enum err
device_insert(struct db *db, struct pool *pool, struct device *d)
{
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = db_new_row(pool, time_now_ms(), &d->id, &d->created_at)) !=
	    ERR_OK)
		return e;
	d->current_admission = NULL;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_DEVICE_INSERT);
	db_bind_text(st, 1, d->id);
	db_bind_text(st, 2, d->serial_number);
	db_bind_text(st, 3, d->model_name);
	db_bind_text(st, 4, d->manufacturer != NULL ? d->manufacturer : "");
	db_bind_text(st, 5, device_status_str(d->status));
	db_bind_text(st, 6, d->created_at);
	e = db_rc(db, sqlite3_step(st), "device_insert");
	sqlite3_reset(st);
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

/* Loads the one device that "st" (bound) finds. */
static enum err
device_one(struct db *db, struct pool *pool, sqlite3_stmt *st,
    struct device *d)
{
	int		 rc;
	enum err	 e = ERR_OK;

	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		device_row(pool, st, d);
	else if ((e = db_rc(db, rc, "device_one")) == ERR_OK)
		e = ERR_NOTFOUND;
	sqlite3_reset(st);
	return e;
}

enum err
device_get(struct db *db, struct pool *pool, const char *id,
    struct device *d)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DEVICE_GET);

	db_bind_text(st, 1, id);
	return device_one(db, pool, st, d);
}

/*
 * Refuses what device_update() must not write: a serial number another
 * device has (checked first: it is the client's mistake, a 400), then
 * a status other than active while an open admission uses the device.
 */
static enum err
update_check(struct db *db, const struct device *d,
    enum device_refusal *why)
{
	sqlite3_stmt	*st;
	long		 n;
	enum err	 e;

	st = db_stmt(db, STMT_DEVICE_TAKEN);
	db_bind_text(st, 1, d->serial_number);
	db_bind_text(st, 2, d->id);
	if ((e = db_one_int(db, st, "device_taken", &n)) != ERR_OK)
		return e;
	if (n) {
		*why = DEVICE_REFUSAL_SERIAL;
		return ERR_CONFLICT;
	}
	if (d->status == DEVICE_ACTIVE)
		return ERR_OK;
	st = db_stmt(db, STMT_DEVICE_IN_USE);
	db_bind_text(st, 1, d->id);
	if ((e = db_one_int(db, st, "device_in_use", &n)) != ERR_OK)
		return e;
	if (n) {
		*why = DEVICE_REFUSAL_IN_USE;
		return ERR_CONFLICT;
	}
	return ERR_OK;
}

enum err
device_update(struct db *db, const struct device *d,
    enum device_refusal *why)
{
	sqlite3_stmt	*st;
	enum err	 e;

	*why = DEVICE_REFUSAL_NONE;
	if (d->status >= DEVICE__MAX)
		return ERR_INVAL;
	if ((e = update_check(db, d, why)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_DEVICE_UPDATE);
	db_bind_text(st, 1, d->id);
	db_bind_text(st, 2, d->serial_number);
	db_bind_text(st, 3, d->model_name);
	db_bind_text(st, 4, d->manufacturer != NULL ? d->manufacturer : "");
	db_bind_text(st, 5, device_status_str(d->status));
	/* A UNIQUE that still fires can only be the serial number. */
	if ((e = db_write(db, st, "device_update")) == ERR_CONFLICT)
		*why = DEVICE_REFUSAL_SERIAL;
	return e;
}

enum err
device_retire(struct db *db, struct pool *pool, const char *serial,
    struct device *d)
{
	enum device_refusal	 why;
	sqlite3_stmt		*st;
	enum err		 e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_DEVICE_BY_SERIAL);
	db_bind_text(st, 1, serial);
	if ((e = device_one(db, pool, st, d)) == ERR_OK) {
		d->status = DEVICE_RETIRED;
		e = device_update(db, d, &why);
	}
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
device_delete(struct db *db, const char *id)
{
	sqlite3_stmt	*st;
	long		 used;
	enum err	 e;

	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_DEVICE_USED);
	db_bind_text(st, 1, id);
	if ((e = db_one_int(db, st, "device_used", &used)) == ERR_OK) {
		if (used)
			e = ERR_CONFLICT;
		else {
			st = db_stmt(db, STMT_DEVICE_DELETE);
			db_bind_text(st, 1, id);
			e = db_write(db, st, "device_delete");
		}
	}
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

/*
 * Binds the filters to ?1 to ?3 of DEVICE_WHERE (lib/stmt.c).  The
 * search becomes a LIKE pattern "%term%" (from "pool") with "\", "%"
 * and "_" escaped by "\" (the statement's ESCAPE clause), so that a
 * term is matched literally.
 */
static enum err
bind_filter(struct pool *pool, sqlite3_stmt *st,
    const struct device_filter *f)
{
	const char	*s;
	char		*pat, *p;

	if (f->status < DEVICE__MAX)
		db_bind_text(st, 1, device_status_str(f->status));
	if (f->available >= 0)
		sqlite3_bind_int(st, 2, f->available ? 1 : 0);
	if (f->search == NULL)
		return ERR_OK;
	if ((pat = pool_alloc(pool, strlen(f->search) * 2 + 3)) == NULL)
		return ERR_NOMEM;
	p = pat;
	*p++ = '%';
	for (s = f->search; *s != '\0'; s++) {
		if (strchr("\\%_", *s) != NULL)
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '%';
	*p = '\0';
	db_bind_text(st, 3, pat);
	return ERR_OK;
}

enum err
device_count(struct db *db, struct pool *pool, const struct device_filter *f,
    long *count)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DEVICE_COUNT);
	enum err	 e;

	if ((e = bind_filter(pool, st, f)) == ERR_OK)
		e = db_one_int(db, st, "device_count", count);
	sqlite3_clear_bindings(st);
	return e;
}

enum err
device_page(struct db *db, struct pool *pool, const struct device_filter *f,
    long limit, long offset, void (*fn)(const struct device *, void *),
    void *arg)
{
	sqlite3_stmt	*st;
	struct device	 d;
	int		 rc;
	enum err	 e;

	if (f->order >= DEVICE_ORDER__MAX)
		return ERR_INVAL;
	st = db_stmt(db, orders[f->order].stmt);
	if ((e = bind_filter(pool, st, f)) == ERR_OK) {
		sqlite3_bind_int64(st, 4, limit);
		sqlite3_bind_int64(st, 5, offset);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			device_row(pool, st, &d);
			fn(&d, arg);
		}
		e = db_rc(db, rc, "device_page");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return e;
}

enum err
device_list(struct db *db, struct pool *pool,
    void (*fn)(const struct device *, void *), void *arg)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DEVICE_LIST);
	struct device	 d;
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		device_row(pool, st, &d);
		fn(&d, arg);
	}
	sqlite3_reset(st);
	return db_rc(db, rc, "device_list");
}
