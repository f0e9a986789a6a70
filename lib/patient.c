/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "patient.h"
#include "pool.h"
#include "rfc3339.h"
#include "uuid.h"

/* The orderings by name, and the statement that lists in each. */
static const struct {
	const char	*name;
	enum stmt	 stmt;
} orders[PATIENT_ORDER__MAX] = {
	{ "first_name", STMT_PATIENT_LIST_FIRST_NAME },
	    /* PATIENT_ORDER_FIRST_NAME */
	{ "-first_name", STMT_PATIENT_LIST_FIRST_NAME_DESC },
	    /* PATIENT_ORDER_FIRST_NAME_DESC */
	{ "last_name", STMT_PATIENT_LIST_LAST_NAME },
	    /* PATIENT_ORDER_LAST_NAME */
	{ "-last_name", STMT_PATIENT_LIST_LAST_NAME_DESC },
	    /* PATIENT_ORDER_LAST_NAME_DESC */
	{ "date_of_birth", STMT_PATIENT_LIST_DATE_OF_BIRTH },
	    /* PATIENT_ORDER_DATE_OF_BIRTH */
	{ "-date_of_birth", STMT_PATIENT_LIST_DATE_OF_BIRTH_DESC },
	    /* PATIENT_ORDER_DATE_OF_BIRTH_DESC */
	{ "created_at", STMT_PATIENT_LIST_CREATED_AT },
	    /* PATIENT_ORDER_CREATED_AT */
	{ "-created_at", STMT_PATIENT_LIST_CREATED_AT_DESC },
	    /* PATIENT_ORDER_CREATED_AT_DESC */
};

enum patient_order
patient_order(const char *s)
{
	enum patient_order	 o;

	for (o = 0; s != NULL && o < PATIENT_ORDER__MAX; o++)
		if (strcmp(orders[o].name, s) == 0)
			return o;
	return PATIENT_ORDER__MAX;
}

void
patient_json(struct json *j, const char *key, const struct patient *p)
{

	json_obj_open(j, key);
	json_str(j, "id", p->id);
	json_str(j, "first_name", p->first_name);
	json_str(j, "last_name", p->last_name);
	json_str(j, "gender", p->gender);
	json_str(j, "date_of_birth", p->date_of_birth);
	json_str(j, "phone_number", p->phone_number);
	json_str(j, "email", p->email);
	json_str(j, "address_line_1", p->address_line_1);
	json_str(j, "address_line_2", p->address_line_2);
	json_str(j, "city", p->city);
	json_str(j, "state", p->state);
	json_str(j, "country", p->country);
	json_str(j, "medical_record_number", p->medical_record_number);
	json_str(j, "created_at", p->created_at);
	json_str(j, "updated_at", p->updated_at);
	json_obj_close(j);
}

/* Reads a row of PATIENT_COLUMNS (lib/stmt.c) into "p". */
static void
patient_row(struct pool *pool, sqlite3_stmt *st, struct patient *p)
{

	p->id = db_col_text(pool, st, 0);
	p->first_name = db_col_text(pool, st, 1);
	p->last_name = db_col_text(pool, st, 2);
	p->gender = db_col_text(pool, st, 3);
	p->date_of_birth = db_col_text(pool, st, 4);
	p->phone_number = db_col_text(pool, st, 5);
	p->email = db_col_text(pool, st, 6);
	p->address_line_1 = db_col_text(pool, st, 7);
	p->address_line_2 = db_col_text(pool, st, 8);
	p->city = db_col_text(pool, st, 9);
	p->state = db_col_text(pool, st, 10);
	p->country = db_col_text(pool, st, 11);
	p->medical_record_number = db_col_text(pool, st, 12);
	p->created_at = db_col_text(pool, st, 13);
	p->updated_at = db_col_text(pool, st, 14);
}

/* Binds the fields a client writes to ?2 to ?13 (lib/stmt.c). */
static void
bind_fields(sqlite3_stmt *st, const struct patient *p)
{

	db_bind_text(st, 2, p->first_name);
	db_bind_text(st, 3, p->last_name);
	db_bind_text(st, 4, p->gender);
	db_bind_text(st, 5, p->date_of_birth);
	db_bind_text(st, 6, p->phone_number);
	db_bind_text(st, 7, p->email);
	db_bind_text(st, 8, p->address_line_1);
	db_bind_text(st, 9, p->address_line_2);
	db_bind_text(st, 10, p->city);
	db_bind_text(st, 11, p->state);
	db_bind_text(st, 12, p->country);
	db_bind_text(st, 13, p->medical_record_number);
}

/* Puts the time now into "*out" (from "pool"). */
static enum err
now_text(struct pool *pool, int64_t ms, const char **out)
{
	char		 now[RFC3339_STRLEN + 1];
	enum err	 e;

	if ((e = time_format(ms, now)) != ERR_OK)
		return e;
	return (*out = pool_strdup(pool, now)) == NULL ? ERR_NOMEM : ERR_OK;
}

enum err
patient_insert(struct db *db, struct pool *pool, struct patient *p)
{
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = db_new_row(pool, time_now_ms(), &p->id, &p->created_at)) !=
	    ERR_OK)
		return e;
	p->updated_at = p->created_at;
	st = db_stmt(db, STMT_PATIENT_INSERT);
	db_bind_text(st, 1, p->id);
	bind_fields(st, p);
	db_bind_text(st, 14, p->created_at);
	db_bind_text(st, 15, p->updated_at);
	return db_write(db, st, "patient_insert");
}

enum err
patient_get(struct db *db, struct pool *pool, const char *id,
    struct patient *p)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PATIENT_GET);
	int		 rc;
	enum err	 e = ERR_OK;

	db_bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		patient_row(pool, st, p);
	else if ((e = db_rc(db, rc, "patient_get")) == ERR_OK)
		e = ERR_NOTFOUND;
	sqlite3_reset(st);
	return e;
}

enum err
patient_update(struct db *db, struct pool *pool, struct patient *p)
{
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = now_text(pool, time_now_ms(), &p->updated_at)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_PATIENT_UPDATE);
	db_bind_text(st, 1, p->id);
	bind_fields(st, p);
	db_bind_text(st, 14, p->updated_at);
	return db_write(db, st, "patient_update");
}

/*
 * Checked first, although the foreign key (ON DELETE RESTRICT) refuses
 * the delete anyway: the answer is then the same 409 either way.
 */
enum err
patient_delete(struct db *db, const char *id)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PATIENT_ADMITTED);
	long		 admitted;
	enum err	 e;

	db_bind_text(st, 1, id);
	if ((e = db_one_int(db, st, "patient_delete", &admitted)) != ERR_OK)
		return e;
	if (admitted)
		return ERR_CONFLICT;
	st = db_stmt(db, STMT_PATIENT_DELETE);
	db_bind_text(st, 1, id);
	return db_write(db, st, "patient_delete");
}

enum err
patient_taken(struct db *db, const struct patient *p, unsigned int *taken)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PATIENT_TAKEN);
	int		 rc;
	enum err	 e = ERR_OK;

	*taken = 0;
	db_bind_text(st, 1, p->phone_number);
	db_bind_text(st, 2, p->email);
	db_bind_text(st, 3, p->medical_record_number);
	db_bind_text(st, 4, p->id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_int(st, 0))
			*taken |= PATIENT_TAKEN_PHONE;
		if (sqlite3_column_int(st, 1))
			*taken |= PATIENT_TAKEN_EMAIL;
		if (sqlite3_column_int(st, 2))
			*taken |= PATIENT_TAKEN_MRN;
	} else if ((e = db_rc(db, rc, "patient_taken")) == ERR_OK)
		e = ERR_DB;
	sqlite3_reset(st);
	return e;
}

/*
 * Binds the filters to ?1 to ?4 of PATIENT_WHERE (lib/stmt.c), the
 * search as a LIKE pattern built in "pat", which the caller clears
 * after the statement ran.
 */
static enum err
bind_filter(sqlite3_stmt *st, const struct patient_filter *f,
    struct buf *pat)
{
	enum err	 e;

	db_bind_text(st, 1, f->city);
	db_bind_text(st, 2, f->state);
	db_bind_text(st, 3, f->country);
	if (f->search == NULL) {
		sqlite3_bind_null(st, 4);
		return ERR_OK;
	}
	if ((e = db_like_pattern(pat, f->search)) == ERR_OK)
		sqlite3_bind_text(st, 4, pat->p, (int)pat->len, SQLITE_STATIC);
	return e;
}

enum err
patient_count(struct db *db, const struct patient_filter *f, long *count)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_PATIENT_COUNT);
	struct buf	 pat;
	enum err	 e;

	buf_init(&pat);
	if ((e = bind_filter(st, f, &pat)) == ERR_OK)
		e = db_one_int(db, st, "patient_count", count);
	sqlite3_clear_bindings(st);
	buf_clear(&pat);
	return e;
}

enum err
patient_list(struct db *db, struct pool *pool,
    const struct patient_filter *f, long limit, long offset,
    void (*fn)(const struct patient *, void *), void *arg)
{
	sqlite3_stmt	*st;
	struct patient	 p;
	struct buf	 pat;
	int		 rc = SQLITE_DONE;
	enum err	 e;

	if (f->order >= PATIENT_ORDER__MAX)
		return ERR_INVAL;
	st = db_stmt(db, orders[f->order].stmt);
	buf_init(&pat);
	if ((e = bind_filter(st, f, &pat)) == ERR_OK) {
		sqlite3_bind_int64(st, 5, limit);
		sqlite3_bind_int64(st, 6, offset);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			patient_row(pool, st, &p);
			fn(&p, arg);
		}
		e = db_rc(db, rc, "patient_list");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	buf_clear(&pat);
	return e;
}
