/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "app.h"
#include "conf.h"
#include "db.h"

enum err
app_open(struct app *app, const struct conf *conf, struct buf *errmsg)
{

	enum err	 e;

	memset(app, 0, sizeof(*app));
	app->conf = conf;
	if (conf->secret_key != NULL && (e = jwt_key_init(&app->jwt,
	    conf->secret_key, conf->jwt_issuer, conf->jwt_audience)) != ERR_OK)
		return e;
	return db_open(conf, DB_SERVE, &app->db, errmsg);
}

void
app_close(struct app *app)
{

	db_close(app->db);
	app->db = NULL;
	explicit_bzero(&app->jwt, sizeof(app->jwt));
}
