/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_PROBLEM_H
#define HM_PROBLEM_H

#include "http.h"

/*
 * RFC 9457 problem details (SPEC section 2), built here and nowhere
 * else.  "code" is the stable machine word.
 */

/* One field error of a 400, kept in a list built from the pool. */
struct	field_error {
	const char		*field;		/* or "non_field_errors" */
	const char		*message;
	struct field_error	*next;
};

/*
 * Appends a field error to "*list" (allocated from "pool"; the list
 * keeps the order of the calls).  Returns ERR_NOMEM on failure.
 */
enum err	 problem_field(struct pool *, struct field_error **list,
		    const char *field, const char *message);

/*
 * Writes a problem answer with "status", "code" and "detail" (may be
 * NULL), and the "errors" member when "errs" is not NULL.  The request
 * id is included on 5xx answers.  Replaces any body already written.
 */
void		 problem_write(struct resp *, const struct req *, int status,
		    const char *code, const char *detail,
		    const struct field_error *errs);

/* The HTTP status that "e" means when a handler returns it. */
int		 problem_status(enum err);

/* Writes the answer that "e" means (404, 409, 503 with Retry-After…). */
void		 problem_from_err(struct resp *, const struct req *, enum err);

#endif /* !HM_PROBLEM_H */
