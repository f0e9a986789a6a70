/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "json.h"
#include "pool.h"
#include "problem.h"

#define	PROBLEM_TYPE	"application/problem+json"

enum err
problem_field(struct pool *pool, struct field_error **list,
    const char *field, const char *message)
{
	struct field_error	*fe, **tail;

	if ((fe = pool_alloc(pool, sizeof(*fe))) == NULL)
		return ERR_NOMEM;
	fe->field = field;
	fe->message = message;
	fe->next = NULL;
	for (tail = list; *tail != NULL; tail = &(*tail)->next)
		continue;
	*tail = fe;
	return ERR_OK;
}

/*
 * Writes the "errors" member: each field once, in the order it first
 * appears, with all of its messages.
 */
static void
problem_errors(struct json *j, const struct field_error *errs)
{
	const struct field_error	*fe, *prev, *m;

	json_obj_open(j, "errors");
	for (fe = errs; fe != NULL; fe = fe->next) {
		for (prev = errs; prev != fe; prev = prev->next)
			if (strcmp(prev->field, fe->field) == 0)
				break;
		if (prev != fe)
			continue;
		json_arr_open(j, fe->field);
		for (m = fe; m != NULL; m = m->next)
			if (strcmp(m->field, fe->field) == 0)
				json_str(j, NULL, m->message);
		json_arr_close(j);
	}
	json_obj_close(j);
}

void
problem_write(struct resp *w, const struct req *r, int status,
    const char *code, const char *detail, const struct field_error *errs)
{
	struct json	 j;

	w->status = status;
	w->content_type = PROBLEM_TYPE;
	buf_reset(&w->body);
	json_init(&j, &w->body);
	json_obj_open(&j, NULL);
	json_str(&j, "type", "about:blank");
	json_str(&j, "title", http_reason(status));
	json_int(&j, "status", status);
	if (detail != NULL)
		json_str(&j, "detail", detail);
	json_str(&j, "code", code);
	if (errs != NULL)
		problem_errors(&j, errs);
	if (r != NULL && r->request_id != NULL)
		json_str(&j, "request_id", r->request_id);
	json_obj_close(&j);
	if (json_err(&j) != ERR_OK) {
		/* Only memory can fail here: answer without a body. */
		buf_reset(&w->body);
		w->status = 500;
	}
}

int
problem_status(enum err e)
{

	switch (e) {
	case ERR_OK:
		return 200;
	case ERR_INVAL:
		return 400;
	case ERR_DENIED:
		return 403;
	case ERR_NOTFOUND:
		return 404;
	case ERR_CONFLICT:
		return 409;
	case ERR_TOOBIG:
		return 413;
	case ERR_BUSY:
		return 503;
	default:
		return 500;
	}
}

void
problem_from_err(struct resp *w, const struct req *r, enum err e)
{

	switch (problem_status(e)) {
	case 400:
		problem_write(w, r, 400, "invalid", "The request is invalid.",
		    NULL);
		break;
	case 403:
		problem_write(w, r, 403, "permission_denied", "You do not "
		    "have permission to perform this action.", NULL);
		break;
	case 404:
		problem_write(w, r, 404, "not_found", "Not found.", NULL);
		break;
	case 409:
		problem_write(w, r, 409, "conflict", "The request conflicts "
		    "with the current state.", NULL);
		break;
	case 413:
		problem_write(w, r, 413, "payload_too_large", "The request "
		    "body is too large.", NULL);
		break;
	case 503:
		problem_write(w, r, 503, "unavailable", "The database is "
		    "busy; try again shortly.", NULL);
		(void)resp_header(w, "Retry-After", "1");
		break;
	default:
		/* Never show internals: the log line has the cause. */
		problem_write(w, r, 500, "internal", "An internal error "
		    "occurred; quote the request id when reporting it.", NULL);
		break;
	}
}
