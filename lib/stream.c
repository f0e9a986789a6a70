/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "app.h"
#include "audit.h"
#include "buf.h"
#include "extern.h"
#include "json.h"
#include "param.h"
#include "pool.h"
#include "reading.h"
#include "stream.h"

#define	WARD_MAX_LEN	100		/* as admissions.ward */

static enum err	 stream_api_open(struct app *, struct req *, struct resp *);

const struct route stream_routes[] = {
	{ METHOD_GET, "/api/heartrates/stream/", stream_api_open,
	  ROLE_BIT(ROLE_DOCTOR) | ROLE_BIT(ROLE_NURSE), 0, NULL, NULL },
};
const size_t stream_routesz = sizeof(stream_routes) / sizeof(stream_routes[0]);

/* Last-Event-ID: a seq in plain decimal digits, 0 to 10^18. */
static int
last_id_parse(const char *s, int64_t *out)
{
	int64_t	 v = 0;
	size_t	 n = strlen(s);

	if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
		return 0;
	for (; *s != '\0'; s++)
		v = v * 10 + (*s - '0');
	*out = v;
	return 1;
}

int
stream_filter_parse(struct req *r, struct resp *w, struct stream_filter *f)
{
	struct field_error	*errs = NULL;
	const char		*s;

	f->patient_id = param_uuid(r, "patient", &errs);
	f->ward = param_str(r, "ward");
	if (f->ward != NULL && strlen(f->ward) > WARD_MAX_LEN)
		(void)problem_field(r->pool, &errs, "ward", "Ensure this "
		    "field has no more than 100 characters.");
	f->last_id = -1;
	if ((s = r->hdrs[HDR_LAST_EVENT_ID]) != NULL && *s != '\0' &&
	    !last_id_parse(s, &f->last_id))
		(void)problem_field(r->pool, &errs, "Last-Event-ID", "Must be "
		    "the id of an event of this stream.");
	return param_end(r, w, errs);
}

int
stream_match(const struct stream_filter *f, const char *patient_id,
    const char *ward)
{

	if (f->patient_id != NULL &&
	    (patient_id == NULL || strcmp(f->patient_id, patient_id) != 0))
		return 0;
	if (f->ward != NULL && (ward == NULL || strcmp(f->ward, ward) != 0))
		return 0;
	return 1;
}

/* The route's handler: the filter is all there is left to check. */
static enum err
stream_api_open(struct app *app, struct req *r, struct resp *w)
{
	struct stream_filter	 f;

	(void)app;
	if (!stream_filter_parse(r, w, &f))
		return ERR_OK;
	/* One read of the overview per connection (SPEC 7.33). */
	audit_add(r, "read", "ward_overview", NULL, f.patient_id);
	w->status = 200;
	w->content_type = "text/event-stream";
	return ERR_OK;
}

/* Formats the event of reading "rd" into "b". */
static enum err
event_text(struct buf *b, const struct reading *rd)
{
	struct json	 j;
	enum err	 e;

	buf_reset(b);
	if ((e = buf_printf(b, "id: %" PRId64 "\nevent: reading\ndata: ",
	    rd->seq)) != ERR_OK)
		return e;
	json_init(&j, b);
	reading_json(&j, NULL, rd);
	if ((e = json_err(&j)) != ERR_OK)
		return e;
	return buf_puts(b, "\n\n");
}

enum err
stream_since(struct db *db, struct pool *pool, int64_t after, long limit,
    int (*fn)(void *, int64_t, const char *, const char *, const char *,
    size_t), void *arg, int64_t *last, long *count)
{
	sqlite3_stmt	*st = db_stmt(db, STMT_STREAM_SINCE);
	struct reading	 rd;
	struct buf	 text;
	int		 rc;
	enum err	 e = ERR_OK;

	*count = 0;
	buf_init(&text);
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		reading_row(pool, st, 0, &rd);
		if ((e = event_text(&text, &rd)) != ERR_OK)
			break;
		*last = rd.seq;
		(*count)++;
		if (fn(arg, rd.seq, rd.patient_id,
		    (const char *)sqlite3_column_text(st, 10), text.p,
		    text.len) != 0)
			break;
	}
	if (e == ERR_OK && rc != SQLITE_ROW)
		e = db_rc(db, rc, "stream_since");
	sqlite3_reset(st);
	buf_clear(&text);
	return e;
}

/* The one integer that statement "s" answers. */
static enum err
one_int64(struct db *db, enum stmt s, const char *op, int64_t *out)
{
	long		 n = 0;
	enum err	 e;

	e = db_one_int(db, db_stmt(db, s), op, &n);
	*out = n;
	return e;
}

enum err
stream_newest(struct db *db, int64_t *seq)
{

	return one_int64(db, STMT_STREAM_NEWEST, "stream_newest", seq);
}

enum err
stream_data_version(struct db *db, int64_t *version)
{

	return one_int64(db, STMT_DATA_VERSION, "stream_data_version", version);
}

enum err
stream_auth_epoch(struct db *db, int64_t *epoch)
{

	return one_int64(db, STMT_AUTH_EPOCH, "stream_auth_epoch", epoch);
}
