/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "app.h"
#include "audit.h"
#include "conf.h"
#include "extern.h"
#include "json.h"
#include "param.h"
#include "pool.h"
#include "reading.h"
#include "rfc3339.h"

/*
 * GET /api/monitor/ (SPEC section 5, 7.21), for doctors and nurses: the
 * ward overview a nurse station shows, one row per open admission with
 * its newest reading and whether that is stale.  One statement: the
 * newest reading of each admission is one probe of the index
 * readings_admission, so the cost grows with the open admissions, not
 * with the readings.
 */

/* Writes the row of STMT_MONITOR (lib/stmt.c) that "st" is on. */
static void
monitor_row(struct json *j, struct pool *pool, sqlite3_stmt *st,
    const char *stale_before)
{
	struct reading	 r;
	const char	*since;

	reading_row(pool, st, 9, &r);
	json_obj_open(j, NULL);
	json_str(j, "admission", (const char *)sqlite3_column_text(st, 0));
	json_obj_open(j, "patient");
	json_str(j, "id", (const char *)sqlite3_column_text(st, 4));
	json_str(j, "first_name", (const char *)sqlite3_column_text(st, 5));
	json_str(j, "last_name", (const char *)sqlite3_column_text(st, 6));
	json_obj_close(j);
	json_obj_open(j, "device");
	json_str(j, "id", (const char *)sqlite3_column_text(st, 7));
	json_str(j, "serial_number",
	    (const char *)sqlite3_column_text(st, 8));
	json_obj_close(j);
	json_str(j, "ward", (const char *)sqlite3_column_text(st, 1));
	json_str(j, "bed", (const char *)sqlite3_column_text(st, 2));
	if (r.id != NULL) {
		reading_json(j, "latest_reading", &r);
		since = r.measured_at;
	} else {
		json_null(j, "latest_reading");
		since = (const char *)sqlite3_column_text(st, 3);
	}
	json_bool(j, "stale", since == NULL || strcmp(since, stale_before) < 0);
	json_obj_close(j);
}

enum err
monitor_api_get(struct app *app, struct req *r, struct resp *w)
{
	sqlite3_stmt	*st = db_stmt(app->db, STMT_MONITOR);
	struct json	 j;
	char		 stale_before[RFC3339_STRLEN + 1];
	int		 rc;
	enum err	 e;

	if ((e = time_format(time_now_ms() -
	    app->conf->monitor_stale_seconds * 1000, stale_before)) != ERR_OK)
		return e;
	/* One read of the overview, not one per patient (SPEC 7.33). */
	audit_add(r, "read", "ward_overview", NULL, NULL);
	db_bind_text(st, 1, param_str(r, "ward"));
	json_init(&j, &w->body);
	json_arr_open(&j, NULL);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		monitor_row(&j, r->pool, st, stale_before);
	sqlite3_reset(st);
	if ((e = db_rc(app->db, rc, "monitor_api_get")) != ERR_OK)
		return e;
	json_arr_close(&j);
	w->status = 200;
	w->content_type = "application/json";
	return json_err(&j);
}
