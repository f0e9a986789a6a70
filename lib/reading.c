/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "cursor.h"
#include "extern.h"
#include "json.h"
#include "pool.h"
#include "reading.h"

/*
 * The storage of readings: every statement is in lib/stmt.c, every
 * index in sql/004-readings.sql.
 */

const char *
reading_status(const struct conf *conf, long bpm)
{

	if (bpm < conf->heart_rate_low)
		return "low";
	if (bpm > conf->heart_rate_high)
		return "high";
	return "normal";
}

void
reading_json(struct json *j, const char *key, const struct reading *r)
{

	json_obj_open(j, key);
	json_str(j, "id", r->id);
	json_str(j, "patient", r->patient_id);
	json_str(j, "admission", r->admission_id);
	json_int(j, "bpm", r->bpm);
	json_str(j, "status", r->status);
	json_str(j, "notes", r->notes);
	json_str(j, "handled_by", r->handled_by);
	json_str(j, "measured_at", r->measured_at);
	json_str(j, "recorded_at", r->recorded_at);
	json_obj_close(j);
}

void
reading_row(struct pool *pool, sqlite3_stmt *st, int col, struct reading *r)
{

	r->seq = sqlite3_column_int64(st, col);
	r->id = db_col_text(pool, st, col + 1);
	r->patient_id = db_col_text(pool, st, col + 2);
	r->admission_id = db_col_text(pool, st, col + 3);
	r->bpm = (long)sqlite3_column_int64(st, col + 4);
	r->status = db_col_text(pool, st, col + 5);
	r->notes = db_col_text(pool, st, col + 6);
	r->handled_by = db_col_text(pool, st, col + 7);
	r->measured_at = db_col_text(pool, st, col + 8);
	r->recorded_at = db_col_text(pool, st, col + 9);
}

enum err
reading_by_id(struct db *db, struct pool *pool, const char *id,
    struct reading *r)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_READING_GET);
	int		 rc;
	enum err	 e = ERR_OK;

	db_bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		reading_row(pool, st, 0, r);
	else if ((e = db_rc(db, rc, "reading_by_id")) == ERR_OK)
		e = ERR_NOTFOUND;
	sqlite3_reset(st);
	return e;
}

/*
 * The statement of the narrowest scope the filter names (an admission
 * holds fewer readings than its patient), reading "older" or newer
 * rows; its ?1 is bound to the scope's id.
 */
static sqlite3_stmt *
list_stmt(struct db *db, const struct reading_filter *f, int older)
{
	sqlite3_stmt	*st;
	const char	*scope;

	if ((scope = f->admission_id) != NULL)
		st = db_stmt(db, older ? STMT_READING_OLDER_ADMISSION :
		    STMT_READING_NEWER_ADMISSION);
	else if ((scope = f->patient_id) != NULL)
		st = db_stmt(db, older ? STMT_READING_OLDER_PATIENT :
		    STMT_READING_NEWER_PATIENT);
	else if ((scope = f->handled_by) != NULL)
		st = db_stmt(db, older ? STMT_READING_OLDER_USER :
		    STMT_READING_NEWER_USER);
	else
		return db_stmt(db, older ? STMT_READING_OLDER_ALL :
		    STMT_READING_NEWER_ALL);
	db_bind_text(st, 1, scope);
	return st;
}

/* Binds the range (?7 to ?9) of READING_OLDER or READING_NEWER. */
static void
bind_range(sqlite3_stmt *st, const struct reading_filter *f,
    const struct cursor *c)
{
	struct cursor_range	 rg;

	cursor_range(c, f->since, f->until, &rg);
	db_bind_text(st, 7, rg.limit);
	db_bind_text(st, 8, rg.time);
	sqlite3_bind_int64(st, 9, rg.seq);
}

enum err
reading_list(struct db *db, struct pool *pool, const struct reading_filter *f,
    const struct cursor *c, struct reading *rows, size_t *shown, int *more)
{
	sqlite3_stmt	*st;
	struct buf	 pat;
	size_t		 n = 0;
	int		 rc = SQLITE_DONE;
	enum err	 e = ERR_OK;

	st = list_stmt(db, f, !c->back);
	db_bind_text(st, 2, f->patient_id);
	db_bind_text(st, 3, f->admission_id);
	db_bind_text(st, 4, f->status);
	db_bind_text(st, 5, f->handled_by);
	buf_init(&pat);
	if (f->search != NULL && (e = db_like_pattern(&pat, f->search)) ==
	    ERR_OK)
		sqlite3_bind_text(st, 6, pat.p, (int)pat.len, SQLITE_STATIC);
	bind_range(st, f, c);
	sqlite3_bind_int64(st, 10, c->size + 1);
	while (e == ERR_OK && (size_t)c->size >= n &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW)
		reading_row(pool, st, 0, &rows[n++]);
	if (e == ERR_OK)
		e = db_rc(db, rc, "reading_list");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	buf_clear(&pat);
	if (e != ERR_OK)
		return e;
	*more = n > (size_t)c->size;
	*shown = *more ? n - 1 : n;
	cursor_order(c, rows, *shown, sizeof(*rows));
	return ERR_OK;
}

enum err
reading_open_admission(struct db *db, struct pool *pool,
    const char *patient_id, const char **admission_id,
    const char **admitted_at)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_READING_OPEN_ADMISSION);
	int		 rc;
	enum err	 e = ERR_OK;

	db_bind_text(st, 1, patient_id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*admission_id = db_col_text(pool, st, 0);
		*admitted_at = db_col_text(pool, st, 1);
		if (*admission_id == NULL || *admitted_at == NULL)
			e = ERR_NOMEM;
	} else if ((e = db_rc(db, rc, "reading_open_admission")) == ERR_OK)
		e = ERR_NOTFOUND;
	sqlite3_reset(st);
	return e;
}

enum err
reading_insert(struct db *db, struct pool *pool, struct reading *r,
    int64_t now_ms)
{
	sqlite3_stmt	*st;
	enum err	 e;

	if ((e = db_new_row(pool, now_ms, &r->id, &r->recorded_at)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_READING_INSERT);
	db_bind_text(st, 1, r->id);
	db_bind_text(st, 2, r->patient_id);
	db_bind_text(st, 3, r->admission_id);
	sqlite3_bind_int64(st, 4, r->bpm);
	db_bind_text(st, 5, r->status);
	db_bind_text(st, 6, r->notes);
	db_bind_text(st, 7, r->handled_by);
	db_bind_text(st, 8, r->measured_at);
	db_bind_text(st, 9, r->recorded_at);
	if ((e = db_write(db, st, "reading_insert")) == ERR_OK)
		r->seq = db_last_rowid(db);
	return e;
}
