/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_ROUTE_H
#define HM_ROUTE_H

#include "http.h"

/*
 * A handler fills "resp" and returns ERR_OK, or returns an error that
 * problem_from_err() turns into the answer.  Handlers that answer a
 * problem of their own (a 400 naming fields, say) do so through the
 * problem_*() functions and return ERR_OK.
 */
typedef enum err (*handler_fn)(struct app *, struct req *, struct resp *);

enum	route_flag {
	ROUTE_BODY = 0x01,	/* reads a JSON body: 415/413/400 apply */
	ROUTE_SECRET = 0x02,	/* the path holds a token: never logged */
	ROUTE_IDEMPOTENT = 0x04	/* honours Idempotency-Key (lib/idem.c) */
};

/*
 * One row of the route table.  "pattern" is an absolute path ending in
 * "/" whose segments are literal or ":name" (one segment captured into
 * req->params in order).  GET routes answer HEAD too.
 */
struct	route {
	enum method	 method;
	const char	*pattern;
	handler_fn	 handler;
	unsigned int	 roles;		/* ROLE_BIT()s; ROLES_PUBLIC for all */
	unsigned int	 flags;
	/*
	 * What a refused attempt is audited as (lib/audit.h), when the
	 * handler did not say: the object type (NULL: not audited) and
	 * the action (NULL: from the method).  The first capture is the
	 * object's id.
	 */
	const char	*audit_type;
	const char	*audit_action;
};

/* What the router found for a path and method. */
enum	route_match {
	ROUTE_FOUND,
	ROUTE_NO_PATH,		/* 404 */
	ROUTE_NO_SLASH,		/* 404 naming the slashed route */
	ROUTE_NO_METHOD		/* 405 with Allow */
};

/*
 * Looks up "path" and "m" in "table" ("tablesz" rows).  On ROUTE_FOUND
 * "*found" is the row and req->params the captures.  On
 * ROUTE_NO_METHOD "allow" gets the allowed methods ("GET, HEAD, POST").
 */
enum route_match route_find(const struct route *table, size_t tablesz,
		    struct req *, const char *path, enum method m,
		    const struct route **found, struct buf *allow);

/* As http_handle(), with the route table "table" of "tablesz" rows. */
void		 http_handle_table(struct app *, const struct route *table,
		    size_t tablesz, struct req *, struct resp *);

/* The service's route table. */
extern const struct route	 routes[];
extern const size_t		 routesz;

#endif /* !HM_ROUTE_H */
