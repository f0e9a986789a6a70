/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "app.h"
#include "db.h"

enum err
app_open(struct app *app, const struct conf *conf, struct buf *errmsg)
{

	memset(app, 0, sizeof(*app));
	app->conf = conf;
	return db_open(conf, DB_SERVE, &app->db, errmsg);
}

void
app_close(struct app *app)
{

	db_close(app->db);
	app->db = NULL;
}
