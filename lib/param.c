/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "param.h"
#include "pool.h"
#include "rfc3339.h"
#include "uuid.h"

const char *
param_str(const struct req *r, const char *key)
{
	const char	*s = query_get(&r->query, key);

	return s != NULL && *s != '\0' ? s : NULL;
}

const char *
param_uuid(struct req *r, const char *key, struct field_error **errs)
{
	const char	*s;

	if ((s = param_str(r, key)) != NULL && !uuid_valid(s)) {
		(void)problem_field(r->pool, errs, key, "Enter a valid UUID.");
		return NULL;
	}
	return s;
}

const char *
param_choice(struct req *r, const char *key, const char *const *choices,
    const char *msg, struct field_error **errs)
{
	const char	*s;
	size_t		 i;

	if ((s = param_str(r, key)) == NULL)
		return NULL;
	for (i = 0; choices[i] != NULL; i++)
		if (strcmp(s, choices[i]) == 0)
			return choices[i];
	(void)problem_field(r->pool, errs, key, msg);
	return NULL;
}

int
param_bool(struct req *r, const char *key, struct field_error **errs)
{
	const char	*s;

	if ((s = param_str(r, key)) == NULL)
		return -1;
	if (strcmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "false") == 0)
		return 0;
	(void)problem_field(r->pool, errs, key, "Enter true or false.");
	return -1;
}

const char *
param_time(struct req *r, const char *key, int lower,
    struct field_error **errs)
{
	const char	*s;
	char		 t[RFC3339_STRLEN + 1];
	int64_t		 ms;
	enum err	 e;

	if ((s = param_str(r, key)) == NULL)
		return NULL;
	e = lower ? time_parse_ceil(s, &ms) : time_parse(s, &ms);
	if (e != ERR_OK || time_format(ms, t) != ERR_OK) {
		(void)problem_field(r->pool, errs, key, "Enter a valid RFC "
		    "3339 date-time, e.g. 2026-11-26T09:30:00Z.");
		return NULL;
	}
	if ((s = pool_strdup(r->pool, t)) == NULL)
		(void)problem_field(r->pool, errs, key, "Out of memory.");
	return s;
}

int
param_end(struct req *r, struct resp *w, const struct field_error *errs)
{

	if (errs == NULL)
		return 1;
	problem_write(w, r, 400, "invalid", "The request is invalid.", errs);
	return 0;
}

const char *
param_path_id(const struct req *r, size_t i)
{

	return i < r->paramsz && uuid_valid(r->params[i]) ? r->params[i] :
	    NULL;
}
