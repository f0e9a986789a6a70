/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "admission.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "pool.h"
#include "rfc3339.h"
#include "uuid.h"

/*
 * The storage of admissions: every statement is in lib/stmt.c.  The
 * patients and devices it reads (existence, status, the names the
 * detail embeds) are read here with statements of its own, so that
 * this file depends on nothing but the schema.
 */

void
admission_json(struct json *j, const char *key, const struct admission *a)
{

	json_obj_open(j, key);
	json_str(j, "id", a->id);
	json_str(j, "patient", a->patient_id);
	json_str(j, "assigned_device", a->device_id);
	json_str(j, "admitted_by", a->admitted_by);
	json_str(j, "admission_date", a->admission_date);
	json_str(j, "discharge_date", a->discharge_date);
	json_bool(j, "is_discharged", a->is_discharged);
	json_str(j, "ward", a->ward);
	json_str(j, "bed", a->bed);
	json_obj_open(j, "patient_detail");
	json_str(j, "id", a->patient_id);
	json_str(j, "first_name", a->patient_first_name);
	json_str(j, "last_name", a->patient_last_name);
	json_str(j, "date_of_birth", a->patient_date_of_birth);
	json_obj_close(j);
	json_obj_open(j, "device_detail");
	json_str(j, "id", a->device_id);
	json_str(j, "serial_number", a->device_serial_number);
	json_str(j, "model_name", a->device_model_name);
	json_obj_close(j);
	if (a->admitted_by == NULL || a->user_role == NULL)
		json_null(j, "admitted_by_detail");
	else {
		json_obj_open(j, "admitted_by_detail");
		json_str(j, "id", a->admitted_by);
		json_str(j, "first_name", a->user_first_name);
		json_str(j, "last_name", a->user_last_name);
		json_str(j, "user_role", a->user_role);
		json_obj_close(j);
	}
	json_obj_close(j);
}

/* Reads a row of ADMISSION_SELECT (lib/stmt.c) into "a". */
static void
admission_row(struct pool *pool, sqlite3_stmt *st, struct admission *a)
{

	a->id = db_col_text(pool, st, 0);
	a->patient_id = db_col_text(pool, st, 1);
	a->device_id = db_col_text(pool, st, 2);
	a->admitted_by = db_col_text(pool, st, 3);
	a->admission_date = db_col_text(pool, st, 4);
	a->discharge_date = db_col_text(pool, st, 5);
	a->is_discharged = sqlite3_column_int(st, 6);
	a->ward = db_col_text(pool, st, 7);
	a->bed = db_col_text(pool, st, 8);
	a->patient_first_name = db_col_text(pool, st, 9);
	a->patient_last_name = db_col_text(pool, st, 10);
	a->patient_date_of_birth = db_col_text(pool, st, 11);
	a->device_serial_number = db_col_text(pool, st, 12);
	a->device_model_name = db_col_text(pool, st, 13);
	a->user_first_name = db_col_text(pool, st, 14);
	a->user_last_name = db_col_text(pool, st, 15);
	a->user_role = db_col_text(pool, st, 16);
}

enum err
admission_by_id(struct db *db, struct pool *pool, const char *id,
    struct admission *a)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ADMISSION_GET);
	int		 rc;
	enum err	 e = ERR_OK;

	db_bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		admission_row(pool, st, a);
	else if ((e = db_rc(db, rc, "admission_by_id")) == ERR_OK)
		e = ERR_NOTFOUND;
	sqlite3_reset(st);
	return e;
}

/* Binds the filters ?1 to ?4 of ADMISSION_WHERE (lib/stmt.c). */
static void
bind_filter(sqlite3_stmt *st, const struct admission_filter *f)
{

	db_bind_text(st, 1, f->patient_id);
	db_bind_text(st, 2, f->device_id);
	if (f->is_discharged >= 0)
		sqlite3_bind_int(st, 3, f->is_discharged ? 1 : 0);
	db_bind_text(st, 4, f->ward);
}

enum err
admission_count(struct db *db, const struct admission_filter *f, long *n)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ADMISSION_COUNT);

	bind_filter(st, f);
	return db_one_int(db, st, "admission_count", n);
}

enum err
admission_list(struct db *db, struct pool *pool,
    const struct admission_filter *f, enum admission_order o, long limit,
    long offset, void (*fn)(const struct admission *, void *), void *arg)
{
	sqlite3_stmt	*st;
	struct admission a;
	int		 rc;

	st = db_stmt(db, o == ADMISSION_DATE ? STMT_ADMISSION_LIST_DATE :
	    STMT_ADMISSION_LIST_DATE_DESC);
	bind_filter(st, f);
	sqlite3_bind_int64(st, 5, limit);
	sqlite3_bind_int64(st, 6, offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		admission_row(pool, st, &a);
		fn(&a, arg);
	}
	sqlite3_reset(st);
	return db_rc(db, rc, "admission_list");
}

enum err
admission_patient_exists(struct db *db, const char *id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ADMISSION_PATIENT_EXISTS);
	long		 n = 0;
	enum err	 e;

	db_bind_text(st, 1, id);
	if ((e = db_one_int(db, st, "admission_patient_exists", &n)) != ERR_OK)
		return e;
	return n > 0 ? ERR_OK : ERR_NOTFOUND;
}

enum err
admission_device_check(struct db *db, const char *id,
    enum admission_device *why)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ADMISSION_DEVICE_STATUS);
	const char	*status;
	int		 rc;
	enum err	 e = ERR_OK;

	db_bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		status = (const char *)sqlite3_column_text(st, 0);
		if (status != NULL && strcmp(status, "active") == 0)
			*why = ADMISSION_DEVICE_OK;
		else if (status != NULL && strcmp(status, "maintenance") == 0)
			*why = ADMISSION_DEVICE_MAINTENANCE;
		else
			*why = ADMISSION_DEVICE_RETIRED;
	} else if ((e = db_rc(db, rc, "admission_device_check")) == ERR_OK)
		*why = ADMISSION_DEVICE_UNKNOWN;
	sqlite3_reset(st);
	return e;
}

enum err
admission_open(struct db *db, const char *patient_id, const char *device_id,
    const char *except_id, int *open)
{
	sqlite3_stmt	*st;
	long		 n = 0;
	enum err	 e;

	st = db_stmt(db, patient_id != NULL ? STMT_ADMISSION_OPEN_PATIENT :
	    STMT_ADMISSION_OPEN_DEVICE);
	db_bind_text(st, 1, patient_id != NULL ? patient_id : device_id);
	db_bind_text(st, 2, except_id);
	if ((e = db_one_int(db, st, "admission_open", &n)) != ERR_OK)
		return e;
	*open = n > 0;
	return ERR_OK;
}

enum err
admission_insert(struct db *db, struct pool *pool, struct admission *a,
    int64_t now_ms)
{
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = db_new_row(pool, now_ms, &a->id, &a->admission_date)) !=
	    ERR_OK)
		return e;
	a->discharge_date = NULL;
	a->is_discharged = 0;
	st = db_stmt(db, STMT_ADMISSION_INSERT);
	db_bind_text(st, 1, a->id);
	db_bind_text(st, 2, a->patient_id);
	db_bind_text(st, 3, a->device_id);
	db_bind_text(st, 4, a->admitted_by);
	db_bind_text(st, 5, a->admission_date);
	db_bind_text(st, 6, a->ward);
	db_bind_text(st, 7, a->bed);
	return db_write(db, st, "admission_insert");
}

enum err
admission_update(struct db *db, const struct admission *a)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ADMISSION_UPDATE);

	db_bind_text(st, 1, a->device_id);
	db_bind_text(st, 2, a->ward);
	db_bind_text(st, 3, a->bed);
	db_bind_text(st, 4, a->id);
	return db_write(db, st, "admission_update");
}

enum err
admission_discharge(struct db *db, const char *id, const char *now)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_ADMISSION_DISCHARGE);

	db_bind_text(st, 1, now);
	db_bind_text(st, 2, id);
	return db_write(db, st, "admission_discharge");
}
