/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "device.h"
#include "extern.h"
#include "pool.h"
#include "rfc3339.h"
#include "uuid.h"

static const char *const statuses[DEVICE__MAX] = {
	"active",	/* DEVICE_ACTIVE */
	"maintenance",	/* DEVICE_MAINTENANCE */
	"retired",	/* DEVICE_RETIRED */
};

const char *
device_status_str(enum device_status s)
{

	return s < DEVICE__MAX ? statuses[s] : "-";
}

enum device_status
device_status(const char *s)
{
	enum device_status	 d;

	for (d = 0; s != NULL && d < DEVICE__MAX; d++)
		if (strcmp(statuses[d], s) == 0)
			return d;
	return DEVICE__MAX;
}

enum err
device_insert(struct db *db, struct pool *pool, struct device *d)
{
	char		 id[UUID_STRLEN + 1], now[RFC3339_STRLEN + 1];
	sqlite3_stmt	*st;
	int64_t		 ms = time_now_ms();
	enum err	 e;

	if ((e = uuid_v7(ms, id)) != ERR_OK ||
	    (e = time_format(ms, now)) != ERR_OK)
		return e;
	if ((d->id = pool_strdup(pool, id)) == NULL ||
	    (d->created_at = pool_strdup(pool, now)) == NULL)
		return ERR_NOMEM;
	if ((e = db_begin(db)) != ERR_OK)
		return e;
	st = db_stmt(db, STMT_DEVICE_INSERT);
	sqlite3_bind_text(st, 1, d->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, d->serial_number, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, d->model_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, d->manufacturer != NULL ? d->manufacturer :
	    "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, device_status_str(d->status), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 6, d->created_at, -1, SQLITE_STATIC);
	e = db_rc(db, sqlite3_step(st), "device_insert");
	sqlite3_reset(st);
	if (e != ERR_OK) {
		db_rollback(db);
		return e;
	}
	return db_commit(db);
}

enum err
device_list(struct db *db, struct pool *pool,
    void (*fn)(const struct device *, void *), void *arg)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_DEVICE_LIST);
	struct device	 d;
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d.id = db_col_text(pool, st, 0);
		d.serial_number = db_col_text(pool, st, 1);
		d.model_name = db_col_text(pool, st, 2);
		d.manufacturer = db_col_text(pool, st, 3);
		d.status = device_status((const char *)
		    sqlite3_column_text(st, 4));
		d.created_at = db_col_text(pool, st, 5);
		fn(&d, arg);
	}
	sqlite3_reset(st);
	return db_rc(db, rc, "device_list");
}
