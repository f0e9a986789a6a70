/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "app.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "problem.h"

/*
 * GET /api/health/ (SPEC section 6): reads a row, so that a load
 * balancer learns when this worker cannot reach its database.
 */
enum err
health_get(struct app *app, struct req *r, struct resp *w)
{
	struct json	 j;
	enum err	 e;

	if ((e = db_health(app->db)) != ERR_OK) {
		problem_write(w, r, 503, "unavailable",
		    "The database cannot be read.", NULL);
		(void)resp_header(w, "Retry-After", "1");
		return ERR_OK;
	}
	json_init(&j, &w->body);
	json_obj_open(&j, NULL);
	json_str(&j, "status", "ok");
	json_str(&j, "database", "ok");
	json_str(&j, "version", PACKAGE_VERSION);
	json_obj_close(&j);
	if ((e = json_err(&j)) != ERR_OK)
		return e;
	w->status = 200;
	w->content_type = "application/json";
	return ERR_OK;
}
