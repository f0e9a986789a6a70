/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_PARAM_H
#define HM_PARAM_H

#include "problem.h"

/*
 * The filters of the lists, read from the query string (SPEC 7.12): an
 * absent or empty filter is no filter (as django-filter skips it); a
 * known filter with an invalid value adds a field error naming it to
 * "*errs", and param_end() answers them all at once as a 400.
 */

/* The value of "key", or NULL when it is absent or empty. */
const char	*param_str(const struct req *, const char *key);

/* An id: NULL when absent, or when not a UUID (an error). */
const char	*param_uuid(struct req *, const char *key,
		    struct field_error **errs);

/*
 * One of the NULL-terminated "choices" (the static string returned):
 * NULL when absent, or when none (an error saying "msg").
 */
const char	*param_choice(struct req *, const char *key,
		    const char *const *choices, const char *msg,
		    struct field_error **errs);

/* "true" 1, "false" 0, absent -1; anything else is an error (-1). */
int		 param_bool(struct req *, const char *key,
		    struct field_error **errs);

/*
 * An RFC 3339 date-time, returned in time_format()'s form (UTC, with
 * milliseconds) so that it compares as the stored times do; NULL when
 * absent or invalid (an error).  Stored times have milliseconds, so a
 * finer "lower" bound rounds up and an upper one down: both stay
 * inclusive of exactly the stored times they should.
 */
const char	*param_time(struct req *, const char *key, int lower,
		    struct field_error **errs);

/*
 * Returns 1 when "errs" is empty; else writes the 400 naming them and
 * returns 0.
 */
int		 param_end(struct req *, struct resp *,
		    const struct field_error *errs);

/*
 * Path capture "i" (":id") when it is a UUID, else NULL: a malformed id
 * is a 404 like an unknown one.
 */
const char	*param_path_id(const struct req *, size_t i);

#endif /* !HM_PARAM_H */
