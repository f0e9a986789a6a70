/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include "app.h"
#include "audit.h"
#include "cursor.h"
#include "extern.h"
#include "json.h"
#include "page.h"
#include "param.h"
#include "pool.h"
#include "problem.h"

/*
 * GET /api/audit/ (SPEC 5 "Audit trail", 7.23), for admins: the trail,
 * newest first, in cursor pages; ?user=, ?patient= (the patient's
 * record, admissions and readings), ?action=, ?since=, ?until=.  No
 * route writes, changes or deletes a row.
 */

static int
list_params(struct req *r, struct resp *w, struct audit_filter *f)
{
	struct field_error	*errs = NULL;

	memset(f, 0, sizeof(*f));
	f->user_id = param_uuid(r, "user", &errs);
	f->patient_id = param_uuid(r, "patient", &errs);
	f->action = param_choice(r, "action", audit_actions, "Select a valid "
	    "choice: one of the actions of SPEC 7.23.", &errs);
	f->since = param_time(r, "since", 1, &errs);
	f->until = param_time(r, "until", 0, &errs);
	return param_end(r, w, errs);
}

enum err
audit_api_list(struct app *app, struct req *r, struct resp *w)
{
	struct audit_filter	 f;
	struct cursor		 c;
	struct audit_row	*rows;
	struct json		 j;
	const char		*next, *prev;
	size_t			 shown, i;
	int			 more;
	enum err		 e;

	if (!list_params(r, w, &f) || !cursor_parse(r, w, &c))
		return ERR_OK;
	if ((rows = pool_calloc(r->pool, (size_t)c.size + 1,
	    sizeof(*rows))) == NULL)
		return ERR_NOMEM;
	if ((e = audit_list(app->db, r->pool, &f, &c, rows, &shown, &more)) !=
	    ERR_OK)
		return e;
	if ((e = cursor_links(r, app->conf, &c, shown, more, rows[0].time,
	    rows[0].id, shown > 0 ? rows[shown - 1].time : NULL,
	    shown > 0 ? rows[shown - 1].id : 0, &next, &prev)) != ERR_OK)
		return e;
	cursor_page_begin(w, &j, next, prev);
	for (i = 0; i < shown; i++)
		audit_json(&j, NULL, &rows[i]);
	return page_end(w, &j);
}
