/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "audit.h"
#include "auth.h"
#include "body.h"
#include "conf.h"
#include "db.h"
#include "idem.h"
#include "log.h"
#include "pct.h"
#include "pool.h"
#include "problem.h"
#include "rfc3339.h"
#include "route.h"
#include "uuid.h"

static const char *const methods[METHOD__MAX] = {
	"GET",		/* METHOD_GET */
	"HEAD",		/* METHOD_HEAD */
	"POST",		/* METHOD_POST */
	"PUT",		/* METHOD_PUT */
	"PATCH",	/* METHOD_PATCH */
	"DELETE",	/* METHOD_DELETE */
	"OPTIONS",	/* METHOD_OPTIONS */
};

static const char *const hdr_cgi[HDR__MAX] = {
	"HTTP_AUTHORIZATION",	/* HDR_AUTHORIZATION */
	"CONTENT_TYPE",		/* HDR_CONTENT_TYPE */
	"HTTP_COOKIE",		/* HDR_COOKIE */
	"HTTP_IDEMPOTENCY_KEY",	/* HDR_IDEMPOTENCY_KEY */
	"HTTP_LAST_EVENT_ID",	/* HDR_LAST_EVENT_ID */
	"HTTP_ORIGIN",		/* HDR_ORIGIN */
	"HTTP_X_CSRFTOKEN",	/* HDR_X_CSRFTOKEN */
};

static const char *const roles[ROLE__MAX] = {
	"admin",	/* ROLE_ADMIN */
	"staff",	/* ROLE_STAFF */
	"doctor",	/* ROLE_DOCTOR */
	"nurse",	/* ROLE_NURSE */
};

static const struct {
	int		 status;
	const char	*reason;
} reasons[] = {
	{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" },
	{ 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 409, "Conflict" },
	{ 413, "Content Too Large" }, { 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" }, { 429, "Too Many Requests" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
};

enum method
http_method(const char *s)
{
	enum method	 m;

	for (m = 0; s != NULL && m < METHOD__MAX; m++)
		if (strcmp(methods[m], s) == 0)
			return m;
	return METHOD__MAX;
}

const char *
http_method_str(enum method m)
{

	return m < METHOD__MAX ? methods[m] : "-";
}

const char *
http_hdr_cgi(enum hdr h)
{

	return hdr_cgi[h];
}

const char *
http_role_str(enum role r)
{

	return r < ROLE__MAX ? roles[r] : "-";
}

enum role
http_role(const char *s)
{
	enum role	 r;

	for (r = 0; s != NULL && r < ROLE__MAX; r++)
		if (strcmp(roles[r], s) == 0)
			return r;
	return ROLE__MAX;
}

const char *
http_reason(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

void
resp_init(struct resp *w)
{

	w->status = 500;
	w->content_type = NULL;
	buf_init(&w->headers);
	buf_init(&w->body);
}

void
resp_clear(struct resp *w)
{

	buf_clear(&w->headers);
	buf_clear(&w->body);
}

void
resp_reset(struct resp *w)
{

	w->status = 500;
	w->content_type = NULL;
	buf_reset(&w->headers);
	if (w->body.cap > RESP_KEEP)
		buf_clear(&w->body);	/* the worker keeps no big answer */
	else
		buf_reset(&w->body);
}

enum err
resp_header(struct resp *w, const char *name, const char *val)
{

	if (strpbrk(name, "\r\n:") != NULL || strpbrk(val, "\r\n") != NULL)
		return ERR_INVAL;
	return buf_printf(&w->headers, "%s: %s\r\n", name, val);
}

/*
 * Keeps a request id from nginx only if it is short and plain (it ends
 * up in logs and headers); otherwise makes one.
 */
static void
http_request_id(struct req *r)
{
	const char	*s = r->request_id;
	char		 id[UUID_STRLEN + 1];
	size_t		 n;

	if (s != NULL && (n = strlen(s)) > 0 && n <= REQUEST_ID_MAX &&
	    strspn(s, "0123456789abcdefABCDEF-") == n)
		return;
	if (uuid_v7(time_now_ms(), id) == ERR_OK)
		r->request_id = pool_strdup(r->pool, id);
	else
		r->request_id = NULL;
}

/* Decodes the path and query of the request URI; 400 if broken. */
static int
http_parse_uri(struct req *r, struct resp *w)
{
	const char	*uri = r->uri != NULL ? r->uri : "", *q, *bad = NULL;
	char		*path;
	size_t		 n;
	enum err	 e;

	q = strchr(uri, '?');
	n = q != NULL ? (size_t)(q - uri) : strlen(uri);
	if (n > PATH_MAX_LEN) {
		problem_write(w, r, 404, "not_found", "Not found.", NULL);
		return 0;
	}
	if (pct_decode(r->pool, uri, n, PCT_PATH, &path, NULL) != ERR_OK) {
		problem_write(w, r, 400, "invalid", "The path is not valid "
		    "percent-encoded UTF-8.", NULL);
		return 0;
	}
	r->path = path;
	e = query_parse(r->pool, q != NULL ? q + 1 : NULL, &r->query, &bad);
	if (e == ERR_TOOBIG) {
		problem_write(w, r, 400, "invalid", "The query string has too "
		    "many parameters or is too long.", NULL);
		return 0;
	} else if (e != ERR_OK) {
		problem_write(w, r, 400, "invalid", "The query string is not "
		    "valid percent-encoded UTF-8.", NULL);
		return 0;
	}
	return 1;
}

/*
 * What the access log may show of the path: a path under a route whose
 * captures are secrets (activation and reset tokens) shows only the
 * route's literal prefix, whether or not the rest matched.
 */
static void
http_log_path(const struct route *table, size_t tablesz, struct req *r)
{
	size_t	 i, n;

	r->log_path = r->path;
	for (i = 0; i < tablesz; i++) {
		if (!(table[i].flags & ROUTE_SECRET))
			continue;
		n = strcspn(table[i].pattern, ":");
		if (strncmp(r->path, table[i].pattern, n) == 0) {
			r->log_path = pool_printf(r->pool, "%.*s-/", (int)n,
			    table[i].pattern);
			return;
		}
	}
}

/* Answers 404 or 405 for what the router did not find. */
static void
http_no_route(struct req *r, struct resp *w, enum route_match rm,
    struct buf *allow)
{
	const char	*detail;

	switch (rm) {
	case ROUTE_NO_METHOD:
		detail = pool_printf(r->pool, "Method \"%s\" not allowed.",
		    http_method_str(r->method));
		problem_write(w, r, 405, "method_not_allowed", detail, NULL);
		(void)resp_header(w, "Allow", buf_str(allow));
		break;
	case ROUTE_NO_SLASH:
		/* Never a redirect: a redirect loses a POST body. */
		detail = pool_printf(r->pool, "Not found. Every route ends "
		    "with \"/\": did you mean %s/ ?", r->path);
		problem_write(w, r, 404, "not_found", detail, NULL);
		break;
	default:
		problem_write(w, r, 404, "not_found", "Not found.", NULL);
		break;
	}
}

static int
is_unsafe(enum method m)
{

	return m == METHOD_POST || m == METHOD_PUT || m == METHOD_PATCH ||
	    m == METHOD_DELETE;
}

/*
 * The checks of SPEC sections 3 and 4 before any handler runs: a
 * foreign Origin on an unsafe request, then (unless the route is
 * public) credentials, role, and the CSRF token of a cookie-signed
 * unsafe request.  Writes the answer and returns 0 when one fails.
 */
static int
http_allowed(struct app *app, const struct route *rt, struct req *r,
    struct resp *w)
{
	int	 unsafe = is_unsafe(r->method);

	if (unsafe && !auth_origin_ok(app->conf, r->hdrs[HDR_ORIGIN])) {
		problem_write(w, r, 403, "csrf_failed", "Origin checking "
		    "failed: the Origin is not trusted.", NULL);
		return 0;
	}
	if (rt->roles == ROLES_PUBLIC)
		return 1;
	if (!auth_authenticate(app, r, w))
		return 0;
	if (r->who == NULL) {
		problem_write(w, r, 401, "not_authenticated", "Authentication "
		    "credentials were not provided.", NULL);
		(void)resp_header(w, "WWW-Authenticate", "Bearer");
		return 0;
	}
	if (!(rt->roles & ROLE_BIT(r->who->role))) {
		problem_from_err(w, r, ERR_DENIED);
		return 0;
	}
	if (unsafe && r->who->by_cookie && !auth_csrf_ok(r)) {
		problem_write(w, r, 403, "csrf_failed", "CSRF token missing "
		    "or incorrect.", NULL);
		return 0;
	}
	return 1;
}

/* The commit hook: a change's audit rows go into its transaction. */
static enum err
http_audit_commit(struct db *db, void *arg)
{

	return audit_flush(db, arg, "ok");
}

/*
 * Notes a refused attempt on an audited route (SPEC 5 "Audit trail"):
 * a signed-in user's 4xx where the handler noted nothing itself.  The
 * object is the route's first capture; a body's "patient", when it is
 * an id, says whose record the attempt touched.
 */
static void
http_audit_attempt(const struct route *rt, struct req *r,
    const struct resp *w)
{
	const char	*action = rt->audit_action, *id, *patient = NULL;
	const cJSON	*p, *body;
	cJSON		*own = NULL;

	if (rt->audit_type == NULL || r->who == NULL || r->audit != NULL ||
	    w->status < 400 || w->status >= 500)
		return;
	if (action == NULL)
		action = r->method == METHOD_GET ? "read" :
		    r->method == METHOD_POST ? "create" :
		    r->method == METHOD_DELETE ? "delete" : "update";
	id = r->paramsz > 0 && uuid_valid(r->params[0]) ? r->params[0] : NULL;
	/* Refused before its body was read (403): read it for this. */
	body = r->json;
	if (body == NULL && r->body != NULL && (rt->flags & ROUTE_BODY))
		body = own = cJSON_ParseWithLength(r->body, r->bodysz);
	if (strcmp(rt->audit_type, "patient") == 0)
		patient = id;
	else if ((p = cJSON_GetObjectItemCaseSensitive(body, "patient")) !=
	    NULL && cJSON_IsString(p) && uuid_valid(p->valuestring))
		patient = p->valuestring;
	audit_add(r, action, rt->audit_type, id, patient);
	cJSON_Delete(own);
}

/*
 * Writes what no commit took: the reads of the answer and refused
 * attempts, in a transaction of their own.  A read that cannot be
 * recorded is not shown: the answer becomes the error.  The answer
 * waits until the rows are on disk (db_sync()), but not under the
 * write lock, so that the workers' reads share the flushes.
 */
static void
http_audit_rest(struct app *app, struct req *r, struct resp *w)
{
	const char	*outcome;
	enum err	 e;

	if (!app->conf->audit_reads)
		audit_drop_reads(r);
	if (r->audit == NULL && !r->audit_lost)
		return;
	if ((outcome = audit_outcome(w->status)) == NULL) {
		audit_drop(r);		/* a 5xx changed nothing */
		return;
	}
	if ((e = db_begin_unsynced(app->db)) == ERR_OK &&
	    (e = audit_flush(app->db, r, outcome)) == ERR_OK) {
		if ((e = db_commit(app->db)) == ERR_OK)
			e = db_sync(app->db);
	} else
		db_rollback(app->db);
	if (e != ERR_OK)
		problem_from_err(w, r, e);
}

/* Answers the request; "*found" gets its route, or NULL. */
static void
http_dispatch(struct app *app, const struct route *table, size_t tablesz,
    struct req *r, struct resp *w, const struct route **found)
{
	const struct route	*rt;
	struct buf		 allow;
	enum route_match	 rm;
	enum err		 e;

	*found = NULL;
	if (!http_parse_uri(r, w))
		return;
	http_log_path(table, tablesz, r);
	buf_init(&allow);
	rm = route_find(table, tablesz, r, r->path, r->method, &rt, &allow);
	if (rm != ROUTE_FOUND) {
		http_no_route(r, w, rm, &allow);
		buf_clear(&allow);
		return;
	}
	*found = rt;
	if (!http_allowed(app, rt, r, w))
		return;
	if ((rt->flags & ROUTE_BODY) && !body_parse(r, w))
		return;
	db_commit_hook(app->db, http_audit_commit, r);
	if ((rt->flags & ROUTE_IDEMPOTENT) && r->who != NULL &&
	    r->hdrs[HDR_IDEMPOTENCY_KEY] != NULL)
		e = idem_run(app, rt->handler, r, w);
	else
		e = rt->handler(app, r, w);
	db_commit_hook(app->db, NULL, NULL);
	if (e != ERR_OK)
		problem_from_err(w, r, e);
}

/*
 * A request whose client left while it waited for a worker (the
 * transport set "gone"): nobody would read an answer, so nothing is
 * done, neither a change nor an audit row, and the log line says 499
 * (nginx's "client closed request").
 */
static void
http_gone(const struct route *table, size_t tablesz, struct req *r,
    struct resp *w)
{

	if (http_parse_uri(r, w))
		http_log_path(table, tablesz, r);
	resp_reset(w);
	w->status = 499;
	log_access(r, w);
	body_free(r);
}

void
http_handle_table(struct app *app, const struct route *table, size_t tablesz,
    struct req *r, struct resp *w)
{

	const struct route	*rt;

	r->start_us = log_clock_us();
	http_request_id(r);
	if (r->gone) {
		http_gone(table, tablesz, r, w);
		return;
	}
	http_dispatch(app, table, tablesz, r, w, &rt);
	if (rt != NULL)
		http_audit_attempt(rt, r, w);
	http_audit_rest(app, r, w);
	if (r->request_id != NULL)
		(void)resp_header(w, "X-Request-Id", r->request_id);
	/* Answers of this API are never cached (SPEC 7.5). */
	(void)resp_header(w, "Cache-Control", "no-store");
	if (r->method == METHOD_HEAD)
		buf_reset(&w->body);
	log_access(r, w);
	body_free(r);
}

void
http_handle(struct app *app, struct req *r, struct resp *w)
{

	http_handle_table(app, routes, routesz, r, w);
}
