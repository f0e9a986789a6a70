/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_VALID_H
#define HM_VALID_H

#include <stddef.h>
#include <stdint.h>

#include "problem.h"

typedef struct cJSON cJSON;
struct pool;

/*
 * Validators of JSON body fields.  Each reads member "name" of object
 * "o" and either stores the value in "*out" and returns 1, or adds a
 * field error (DRF's wording) to "*errs" and returns 0.  An absent
 * member or JSON null stores NULL and passes unless "required".  Types
 * are strict (SPEC 7.14): a number is never a string.  Strings are
 * copied into "pool"; they are valid UTF-8 (body_parse saw to that) and
 * never hold control characters, so nothing can reach a mail header;
 * only valid_lines() lets line breaks and tabs through.
 */
struct	valid {
	struct pool		*pool;
	const cJSON		*o;
	struct field_error	*errs;
};

/* Returns 1 if the body has member "name" (null included). */
int		 valid_has(const struct valid *, const char *name);

/* Text of "min" to "max" code points. */
int		 valid_text(struct valid *, const char *name, int required,
		    size_t min, size_t max, const char **out);

/* The same, of several lines: LF, CR and TAB allowed. */
int		 valid_lines(struct valid *, const char *name, int required,
		    size_t min, size_t max, const char **out);

/* An email address: local@domain, at most 254 bytes. */
int		 valid_email(struct valid *, const char *name, int required,
		    const char **out);

/* A phone number: 7 to 15 digits with an optional leading "+". */
int		 valid_phone(struct valid *, const char *name, int required,
		    const char **out);

/* One of the NULL-terminated "choices". */
int		 valid_choice(struct valid *, const char *name, int required,
		    const char *const *choices, const char **out);

/* An id: a string holding a UUID in canonical lower-case text. */
int		 valid_uuid(struct valid *, const char *name, int required,
		    const char **out);

/*
 * An integer from "min" to "max": a JSON number without a fraction
 * (72.0 is 72), never a string.  "*out" is left alone when absent.
 */
int		 valid_int(struct valid *, const char *name, int required,
		    long min, long max, long *out);

/*
 * An RFC 3339 date-time, stored as milliseconds since the epoch; "*out"
 * is left alone when absent.
 */
int		 valid_time(struct valid *, const char *name, int required,
		    int64_t *out);

/*
 * A password: any string without control characters (the policy is
 * checked by its caller).
 */
int		 valid_password(struct valid *, const char *name,
		    const char **out);

/*
 * Starts validating the body of "r": returns 1 with "v" ready when it
 * is a JSON object, else writes a 400 and returns 0.
 */
int		 valid_begin(struct valid *, struct req *, struct resp *);

/*
 * Ends validation: returns 1 if no field failed, else writes the 400
 * naming every failed field and returns 0.
 */
int		 valid_end(struct valid *, struct req *, struct resp *);

/* Returns 1 if "s" is a plausible email address, else 0. */
int		 valid_is_email(const char *s);

/* The genders of SPEC sections 4 and 5, NULL-terminated. */
extern const char *const valid_genders[];

#endif /* !HM_VALID_H */
