/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_EXTERN_H
#define HM_EXTERN_H

/*
 * Private prototypes shared between the library's modules; nothing
 * outside lib/ includes this file.
 */

#include <stddef.h>

#include "err.h"

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

struct app;
struct db;
struct pool;
struct req;
struct resp;

/* A compiled-in schema migration (lib/migrations.c, from sql/). */
struct	migration {
	int		 number;	/* 1, 2, …: PRAGMA user_version after it */
	const char	*name;		/* "001-initial" */
	const char	*sql;
};
extern const struct migration	 migrations[];
extern const size_t		 migrationsz;

/* Every SQL statement of the service, indexing the table of stmt.c. */
enum	stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_HEALTH,
	STMT_USER_INSERT,
	STMT_USER_LIST,
	STMT_USER_SET_ACTIVE,
	STMT_USER_SET_ROLE,
	STMT_DEVICE_INSERT,
	STMT_DEVICE_LIST,
	/* accounts: sessions, throttle, tokens (lib/session.c, …) */
	/* outbox: the mail queue (lib/outbox.c) */
	STMT__MAX
};
extern const char *const	 stmt_sql[STMT__MAX];

/*
 * The prepared statement "s", reset and with its bindings cleared, ready
 * to bind.  Owned by the db; don't finalize.
 */
sqlite3_stmt	*db_stmt(struct db *, enum stmt s);

/*
 * Maps a SQLite result code to an enum err, logging anything that is not
 * a plain constraint or busy answer with "op" as prefix.
 */
enum err	 db_rc(struct db *, int rc, const char *op);

/*
 * Copies column "col" of the current row of "st" into "pool" (NULL for
 * SQL NULL), since SQLite's own copy dies at the next step or reset.
 */
const char	*db_col_text(struct pool *, sqlite3_stmt *st, int col);

/* Handlers. */
enum err	 health_get(struct app *, struct req *, struct resp *);

#endif /* !HM_EXTERN_H */
