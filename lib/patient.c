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

/*
 * The orderings by name, and the statements that list in each: by
 * walking the ordering's index, or from the hits of the search index.
 */
static const struct {
	const char	*name;
	enum stmt	 stmt;
	enum stmt	 hits;
} orders[PATIENT_ORDER__MAX] = {
	{ "first_name", STMT_PATIENT_LIST_FIRST_NAME,
	    STMT_PATIENT_SEARCH_FIRST_NAME },
	    /* PATIENT_ORDER_FIRST_NAME */
	{ "-first_name", STMT_PATIENT_LIST_FIRST_NAME_DESC,
	    STMT_PATIENT_SEARCH_FIRST_NAME_DESC },
	    /* PATIENT_ORDER_FIRST_NAME_DESC */
	{ "last_name", STMT_PATIENT_LIST_LAST_NAME,
	    STMT_PATIENT_SEARCH_LAST_NAME },
	    /* PATIENT_ORDER_LAST_NAME */
	{ "-last_name", STMT_PATIENT_LIST_LAST_NAME_DESC,
	    STMT_PATIENT_SEARCH_LAST_NAME_DESC },
	    /* PATIENT_ORDER_LAST_NAME_DESC */
	{ "date_of_birth", STMT_PATIENT_LIST_DATE_OF_BIRTH,
	    STMT_PATIENT_SEARCH_DATE_OF_BIRTH },
	    /* PATIENT_ORDER_DATE_OF_BIRTH */
	{ "-date_of_birth", STMT_PATIENT_LIST_DATE_OF_BIRTH_DESC,
	    STMT_PATIENT_SEARCH_DATE_OF_BIRTH_DESC },
	    /* PATIENT_ORDER_DATE_OF_BIRTH_DESC */
	{ "created_at", STMT_PATIENT_LIST_CREATED_AT,
	    STMT_PATIENT_SEARCH_CREATED_AT },
	    /* PATIENT_ORDER_CREATED_AT */
	{ "-created_at", STMT_PATIENT_LIST_CREATED_AT_DESC,
	    STMT_PATIENT_SEARCH_CREATED_AT_DESC },
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
 * Makes in "q" the phrase for the trigram index of sql/006 that finds
 * exactly the patients whose fields match the search "term" as the LIKE
 * of PATIENT_WHERE (lib/stmt.c) does: the term lowered as LIKE compares
 * (ASCII letters only; the index holds the fields lowered alike), in
 * double quotes, its own doubled (FTS5's quoting).  Leaves "q" empty
 * for a term the index cannot answer: NULL, shorter than a trigram
 * (three characters), or holding a line feed, which separates the
 * fields in the index.
 */
static enum err
search_phrase(struct buf *q, const char *term)
{
	const unsigned char	*s;
	size_t			 chars = 0;
	enum err		 e;

	if (term == NULL || strchr(term, '\n') != NULL)
		return ERR_OK;
	for (s = (const unsigned char *)term; *s != '\0'; s++)
		if ((*s & 0xc0) != 0x80)
			chars++;
	if (chars < 3)
		return ERR_OK;
	e = buf_putc(q, '"');
	for (s = (const unsigned char *)term; *s != '\0' && e == ERR_OK; s++) {
		if (*s == '"')
			e = buf_putc(q, '"');
		if (e == ERR_OK)
			e = buf_putc(q, *s >= 'A' && *s <= 'Z' ?
			    (char)(*s - 'A' + 'a') : (char)*s);
	}
	if (e == ERR_OK)
		e = buf_putc(q, '"');
	if (e != ERR_OK)
		buf_reset(q);
	return e;
}

/*
 * Binds the filters to ?1 to ?4 of PATIENT_WHERE or PATIENT_SEARCH_WHERE
 * (lib/stmt.c): the search as the index's phrase if "q" holds one (from
 * search_phrase()), else as a LIKE pattern built in "q".  The caller
 * clears "q" after the statement ran.
 */
static enum err
bind_filter(sqlite3_stmt *st, const struct patient_filter *f, struct buf *q)
{
	enum err	 e;

	db_bind_text(st, 1, f->city);
	db_bind_text(st, 2, f->state);
	db_bind_text(st, 3, f->country);
	if (f->search == NULL) {
		sqlite3_bind_null(st, 4);
		return ERR_OK;
	}
	if (q->len == 0 && (e = db_like_pattern(q, f->search)) != ERR_OK)
		return e;
	sqlite3_bind_text(st, 4, q->p, (int)q->len, SQLITE_STATIC);
	return ERR_OK;
}

/*
 * With the search index, the count needs no patient row unless another
 * filter applies.
 */
enum err
patient_count(struct db *db, const struct patient_filter *f, long *count)
{
	sqlite3_stmt	*st;
	struct buf	 q;
	enum err	 e;

	buf_init(&q);
	if ((e = search_phrase(&q, f->search)) != ERR_OK)
		goto out;
	if (q.len == 0)
		st = db_stmt(db, STMT_PATIENT_COUNT);
	else if (f->city == NULL && f->state == NULL && f->country == NULL)
		st = db_stmt(db, STMT_PATIENT_SEARCH_COUNT);
	else
		st = db_stmt(db, STMT_PATIENT_SEARCH_COUNT_FILTERED);
	if ((e = bind_filter(st, f, &q)) == ERR_OK)
		e = db_one_int(db, st, "patient_count", count);
	sqlite3_clear_bindings(st);
out:
	buf_clear(&q);
	return e;
}

/*
 * Sets "*hits" if a page of a search with "count" matches is cheaper
 * from the search index's hits (each patient looked up, then all of
 * them sorted) than from walking the ordering's index and testing each
 * patient with LIKE until the page is full.  The walk passes about
 * (offset + limit) * patients / count patients; a hit costs about 4/3
 * of a patient walked (on the bench's 10,000 patients).  A common term
 * on the first pages walks; a rare one, or a deep page, takes the hits.
 */
static enum err
search_by_hits(struct db *db, long count, long limit, long offset, int *hits)
{
	double		 walk;
	long		 size;
	enum err	 e;

	*hits = 1;
	if (count <= 0)
		return ERR_OK;
	if ((e = db_one_int(db, db_stmt(db, STMT_PATIENT_SEARCH_SIZE),
	    "patient_list", &size)) != ERR_OK)
		return e;
	walk = ((double)offset + (double)limit) * (double)size /
	    (double)count;
	if (walk > (double)size)
		walk = (double)size;
	*hits = 4.0 * (double)count < 3.0 * walk;
	return ERR_OK;
}

enum err
patient_list(struct db *db, struct pool *pool,
    const struct patient_filter *f, long count, long limit, long offset,
    void (*fn)(const struct patient *, void *), void *arg)
{
	sqlite3_stmt	*st;
	struct patient	 p;
	struct buf	 pat;
	int		 rc = SQLITE_DONE, hits = 0;
	enum err	 e;

	if (f->order >= PATIENT_ORDER__MAX)
		return ERR_INVAL;
	if (count >= 0 && offset >= count)
		return ERR_OK;
	buf_init(&pat);
	if ((e = search_phrase(&pat, f->search)) != ERR_OK ||
	    (pat.len > 0 && (e = search_by_hits(db, count, limit, offset,
	    &hits)) != ERR_OK)) {
		buf_clear(&pat);
		return e;
	}
	if (!hits)
		buf_reset(&pat);	/* the walk tests LIKE */
	st = db_stmt(db, hits ? orders[f->order].hits : orders[f->order].stmt);
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
