/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_APP_H
#define HM_APP_H

#include "buf.h"
#include "err.h"
#include "jwt.h"

struct conf;
struct db;

/*
 * What lives as long as a worker: the configuration (borrowed from
 * main) and the database connection with its prepared statements.
 */
struct	app {
	const struct conf	*conf;
	struct db		*db;
	struct jwt_key		 jwt;
};

/*
 * Derives the keys and opens the database for serving.  Call in each
 * worker after fork().
 */
enum err	 app_open(struct app *, const struct conf *, struct buf *errmsg);
void		 app_close(struct app *);

#endif /* !HM_APP_H */
