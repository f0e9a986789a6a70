/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "route.h"
#include "stream.h"
#include "testutil.h"

/*
 * The route tables (lib/routes.c, and lib/stream.c's for the stream
 * program) against the OpenAPI document that nginx serves at
 * /api/schema/ (www/api/schema/openapi.json), both ways: every route is
 * documented with its method, every documented operation is routed, and
 * what the table says of a route (its roles, whether it reads a body,
 * whether it honours Idempotency-Key) is what the document says.  A
 * pattern's ":id" segment is "{id}" there.  Each test names every
 * mismatch it finds, not only the first.
 */

#ifndef OPENAPI_JSON
#define	OPENAPI_JSON	"www/api/schema/openapi.json"
#endif

/* Every route table of the service, and the file that holds it. */
static const struct {
	const char		*file;
	const struct route	*table;
	const size_t		*size;
} tables[] = {
	{ "lib/routes.c", routes, &routesz },
	{ "lib/stream.c", stream_routes, &stream_routesz },
};

/* The HTTP methods an OpenAPI path item may hold, in lower case. */
static const char *const oas_methods[] = { "get", "put", "post", "delete",
    "options", "head", "patch", "trace", NULL };

static cJSON		*doc;
static struct buf	 fails;		/* one line per mismatch */

/* Reads the whole file "path" into a NUL-terminated buffer, or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*p = NULL, *np;
	size_t	 cap = 0, n;

	*len = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (cap - *len < 4096) {
			cap = cap * 2 + 8192;
			if ((np = realloc(p, cap + 1)) == NULL) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = np;
		}
		if ((n = fread(p + *len, 1, cap - *len, f)) == 0)
			break;
		*len += n;
	}
	fclose(f);
	p[*len] = '\0';
	return p;
}

static void
setup(void)
{
	char	*text;
	size_t	 len;

	text = slurp(OPENAPI_JSON, &len);
	ck_assert_msg(text != NULL, "cannot read %s", OPENAPI_JSON);
	doc = cJSON_ParseWithLength(text, len);
	free(text);
	ck_assert_msg(doc != NULL, "%s is not JSON", OPENAPI_JSON);
	buf_init(&fails);
}

static void
teardown(void)
{

	cJSON_Delete(doc);
	doc = NULL;
	buf_clear(&fails);
}

/* Records one mismatch, printf-style, on a line of its own. */
static void __attribute__((format(printf, 1, 2)))
mismatch(const char *fmt, ...)
{
	va_list		 ap;
	enum err	 e;

	ck_assert_int_eq(buf_puts(&fails, "\n  "), ERR_OK);
	va_start(ap, fmt);
	e = buf_vprintf(&fails, fmt, ap);
	va_end(ap);
	ck_assert_int_eq(e, ERR_OK);
}

/* Fails the test with every mismatch recorded, if any. */
static void
report(const char *what)
{

	ck_assert_msg(fails.len == 0, "%s (%s):%s", what, OPENAPI_JSON,
	    buf_str(&fails));
}

/* The document's path template of a route pattern: ":id" is "{id}". */
static void
template_of(const char *pattern, char *out, size_t outsz)
{
	struct buf	 b;
	const char	*p;
	size_t		 n;

	buf_init(&b);
	for (p = pattern; *p != '\0'; p += n) {
		if (*p == ':') {
			n = strcspn(p, "/");
			ck_assert_int_eq(buf_printf(&b, "{%.*s}", (int)n - 1,
			    p + 1), ERR_OK);
		} else {
			n = 1;
			ck_assert_int_eq(buf_putc(&b, *p), ERR_OK);
		}
	}
	ck_assert_uint_lt(b.len, outsz);
	memcpy(out, buf_str(&b), b.len + 1);
	buf_clear(&b);
}

/*
 * The "k"th route of all the tables, or NULL past the last; "*file"
 * gets the file of its table.
 */
static const struct route *
route_at(size_t k, const char **file)
{
	size_t	 t;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		if (k < *tables[t].size) {
			*file = tables[t].file;
			return &tables[t].table[k];
		}
		k -= *tables[t].size;
	}
	return NULL;
}

static const char *
method_lower(enum method m)
{

	switch (m) {
	case METHOD_GET:
		return "get";
	case METHOD_HEAD:
		return "head";
	case METHOD_POST:
		return "post";
	case METHOD_PUT:
		return "put";
	case METHOD_PATCH:
		return "patch";
	case METHOD_DELETE:
		return "delete";
	case METHOD_OPTIONS:
		return "options";
	default:
		return "?";
	}
}

static int
is_unsafe(enum method m)
{

	return m == METHOD_POST || m == METHOD_PUT || m == METHOD_PATCH ||
	    m == METHOD_DELETE;
}

/*
 * The node at JSON pointer "ref" ("#/components/schemas/Patient") of
 * the document, or NULL.
 */
static const cJSON *
resolve(const char *ref)
{
	const cJSON	*node = doc;
	char		 part[256];
	const char	*p;
	size_t		 n, i, j;

	if (strncmp(ref, "#", 1) != 0)
		return NULL;
	for (p = ref + 1; *p == '/' && node != NULL; p += n) {
		p++;
		n = strcspn(p, "/");
		if (n >= sizeof(part))
			return NULL;
		/* Unescape ~1 ("/") and ~0 ("~"). */
		for (i = j = 0; i < n; i++, j++) {
			if (p[i] == '~' && i + 1 < n && (p[i + 1] == '0' ||
			    p[i + 1] == '1')) {
				part[j] = p[i + 1] == '1' ? '/' : '~';
				i++;
			} else
				part[j] = p[i];
		}
		part[j] = '\0';
		if (cJSON_IsArray(node))
			node = cJSON_GetArrayItem(node, atoi(part));
		else
			node = cJSON_GetObjectItemCaseSensitive(node, part);
	}
	return *p == '\0' ? node : NULL;
}

/* "node", or what its "$ref" points at (one level; NULL if broken). */
static const cJSON *
deref(const cJSON *node)
{
	const cJSON	*ref;

	ref = cJSON_GetObjectItemCaseSensitive(node, "$ref");
	if (!cJSON_IsString(ref))
		return node;
	return resolve(ref->valuestring);
}

static const cJSON *
paths(void)
{
	const cJSON	*p = cJSON_GetObjectItemCaseSensitive(doc, "paths");

	ck_assert_msg(cJSON_IsObject(p), "the document has no paths");
	return p;
}

/* The operation documenting route "rt", or NULL. */
static const cJSON *
operation_of(const struct route *rt)
{
	char	 t[512];

	template_of(rt->pattern, t, sizeof(t));
	return cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(paths(), t),
	    method_lower(rt->method));
}

static int
has_member(const cJSON *o, const char *name)
{

	return cJSON_GetObjectItemCaseSensitive(o, name) != NULL;
}

/* Whether the operation documents response "status" ("401"). */
static int
has_response(const cJSON *op, const char *status)
{

	return has_member(cJSON_GetObjectItemCaseSensitive(op, "responses"),
	    status);
}

START_TEST(test_every_route_documented)
{
	const struct route	*rt;
	const char		*file;
	char			 t[512];
	size_t			 k;

	for (k = 0; (rt = route_at(k, &file)) != NULL; k++)
		if (operation_of(rt) == NULL) {
			template_of(rt->pattern, t, sizeof(t));
			mismatch("%s %s (%s) is not documented: add \"%s\" "
			    "under paths.\"%s\"", http_method_str(rt->method),
			    rt->pattern, file, method_lower(rt->method), t);
		}
	report("routes missing from the document");
}
END_TEST

/* Whether a table routes "method" (lower case) on template "t". */
static int
routed(const char *t, const char *method)
{
	const struct route	*rt;
	const char		*file;
	char			 pt[512];
	size_t			 k;

	for (k = 0; (rt = route_at(k, &file)) != NULL; k++) {
		if (strcmp(method_lower(rt->method), method) != 0)
			continue;
		template_of(rt->pattern, pt, sizeof(pt));
		if (strcmp(pt, t) == 0)
			return 1;
	}
	return 0;
}

START_TEST(test_every_operation_routed)
{
	const cJSON	*item;
	size_t		 i;

	cJSON_ArrayForEach(item, paths()) {
		for (i = 0; oas_methods[i] != NULL; i++) {
			if (!has_member(item, oas_methods[i]))
				continue;
			if (strcmp(oas_methods[i], "head") == 0)
				mismatch("%s: head is not documented apart (every "
				    "GET route answers HEAD)", item->string);
			else if (!routed(item->string, oas_methods[i]))
				mismatch("%s %s is documented but no route "
				    "table (lib/routes.c, lib/stream.c) has "
				    "it", oas_methods[i], item->string);
		}
	}
	report("documented operations that are not routed");
}
END_TEST

/*
 * The roles of a route as the document writes them: "public", or the
 * role names in the order of enum role, joined by ", ".
 */
static void
roles_text(unsigned int roles, char *out, size_t outsz)
{
	enum role	 r;

	if (roles == ROLES_PUBLIC) {
		snprintf(out, outsz, "public");
		return;
	}
	out[0] = '\0';
	for (r = 0; r < ROLE__MAX; r++)
		if (roles & ROLE_BIT(r)) {
			if (out[0] != '\0')
				strncat(out, ", ", outsz - strlen(out) - 1);
			strncat(out, http_role_str(r), outsz - strlen(out) - 1);
		}
}

/* The x-roles of "op" as ROLE_BIT()s; ~0u when malformed. */
static unsigned int
x_roles(const cJSON *op)
{
	const cJSON	*a, *e;
	unsigned int	 bits = 0;
	enum role	 r;

	if ((a = cJSON_GetObjectItemCaseSensitive(op, "x-roles")) == NULL)
		return ROLES_PUBLIC;
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) == 0)
		return ~0u;
	cJSON_ArrayForEach(e, a) {
		if (!cJSON_IsString(e) ||
		    (r = http_role(e->valuestring)) == ROLE__MAX)
			return ~0u;
		bits |= ROLE_BIT(r);
	}
	return bits;
}

START_TEST(test_roles)
{
	const struct route	*rt;
	const cJSON		*op, *d;
	const char		*file;
	char			 want[128], line[160];
	size_t			 k;

	for (k = 0; (rt = route_at(k, &file)) != NULL; k++) {
		if ((op = operation_of(rt)) == NULL)
			continue;
		roles_text(rt->roles, want, sizeof(want));
		if (x_roles(op) != rt->roles)
			mismatch("%s %s: x-roles must list exactly the roles of "
			    "%s (%s; none when public)",
			    http_method_str(rt->method), rt->pattern, file,
			    want);
		snprintf(line, sizeof(line), "**Roles:** %s", want);
		d = cJSON_GetObjectItemCaseSensitive(op, "description");
		if (!cJSON_IsString(d) || strstr(d->valuestring, line) == NULL)
			mismatch("%s %s: the description must say \"%s.\"",
			    http_method_str(rt->method), rt->pattern, line);
		if (rt->roles != ROLES_PUBLIC && !has_response(op, "401"))
			mismatch("%s %s: signed-in only, but no 401",
			    http_method_str(rt->method), rt->pattern);
		if (((rt->roles != ROLES_PUBLIC && rt->roles != ROLES_ANY) ||
		    is_unsafe(rt->method)) && !has_response(op, "403"))
			mismatch("%s %s: a role or the CSRF and Origin checks "
			    "can refuse it, but no 403",
			    http_method_str(rt->method), rt->pattern);
	}
	report("roles that differ from the route tables");
}
END_TEST

/*
 * Checks the security requirements of "op" for route "rt": none for a
 * public route; otherwise bearerAuth alone and cookieAuth (with
 * csrfToken exactly on unsafe methods), each scheme defined.
 */
static void
check_security(const struct route *rt, const cJSON *op)
{
	const cJSON	*sec, *req, *schemes;
	int		 bearer = 0, cookie = 0, bad = 0, csrf, has_cookie;

	sec = cJSON_GetObjectItemCaseSensitive(op, "security");
	if (!cJSON_IsArray(sec)) {
		mismatch("%s %s: no \"security\" of its own",
		    http_method_str(rt->method), rt->pattern);
		return;
	}
	if (rt->roles == ROLES_PUBLIC) {
		if (cJSON_GetArraySize(sec) != 0)
			mismatch("%s %s: public, so \"security\" must be []",
			    http_method_str(rt->method), rt->pattern);
		return;
	}
	schemes = resolve("#/components/securitySchemes");
	cJSON_ArrayForEach(req, sec) {
		has_cookie = has_member(req, "cookieAuth");
		csrf = has_member(req, "csrfToken");
		if (has_member(req, "bearerAuth") &&
		    cJSON_GetArraySize(req) == 1)
			bearer = 1;
		else if (has_cookie && csrf == is_unsafe(rt->method) &&
		    cJSON_GetArraySize(req) == 1 + csrf)
			cookie = 1;
		else
			bad = 1;
	}
	if (!bearer || !cookie || bad)
		mismatch("%s %s: security must be [{bearerAuth}, {cookieAuth%s}]",
		    http_method_str(rt->method), rt->pattern,
		    is_unsafe(rt->method) ? ", csrfToken" : "");
	if (!has_member(schemes, "bearerAuth") ||
	    !has_member(schemes, "cookieAuth") ||
	    !has_member(schemes, "csrfToken"))
		mismatch("components.securitySchemes lacks bearerAuth, "
		    "cookieAuth or csrfToken");
}

START_TEST(test_security)
{
	const struct route	*rt;
	const cJSON		*op;
	const char		*file;
	size_t			 k;

	for (k = 0; (rt = route_at(k, &file)) != NULL; k++)
		if ((op = operation_of(rt)) != NULL)
			check_security(rt, op);
	report("security requirements that differ from the route's roles");
}
END_TEST

START_TEST(test_bodies)
{
	const struct route	*rt;
	const cJSON		*op, *body;
	const char		*file;
	size_t			 k;
	int			 reads;

	for (k = 0; (rt = route_at(k, &file)) != NULL; k++) {
		if ((op = operation_of(rt)) == NULL)
			continue;
		reads = (rt->flags & ROUTE_BODY) != 0;
		body = deref(cJSON_GetObjectItemCaseSensitive(op,
		    "requestBody"));
		if (reads != (body != NULL))
			mismatch("%s %s: %s", http_method_str(rt->method),
			    rt->pattern, reads ? "reads a JSON body "
			    "(ROUTE_BODY) but documents no requestBody" :
			    "documents a requestBody it never reads");
		if (body != NULL && !has_member(cJSON_GetObjectItemCaseSensitive(
		    body, "content"), "application/json"))
			mismatch("%s %s: the requestBody is not application/json",
			    http_method_str(rt->method), rt->pattern);
		if (reads && (!has_response(op, "400") ||
		    !has_response(op, "413") || !has_response(op, "415")))
			mismatch("%s %s: reads a body, so 400, 413 and 415 apply",
			    http_method_str(rt->method), rt->pattern);
	}
	report("request bodies that differ from the routes' ROUTE_BODY");
}
END_TEST

/* Whether "op" documents header parameter "name". */
static int
has_header_param(const cJSON *op, const char *name)
{
	const cJSON	*p, *q, *n, *in;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(op,
	    "parameters")) {
		if ((q = deref(p)) == NULL)
			continue;
		n = cJSON_GetObjectItemCaseSensitive(q, "name");
		in = cJSON_GetObjectItemCaseSensitive(q, "in");
		if (cJSON_IsString(n) && cJSON_IsString(in) &&
		    strcmp(in->valuestring, "header") == 0 &&
		    strcmp(n->valuestring, name) == 0)
			return 1;
	}
	return 0;
}

START_TEST(test_idempotency_key)
{
	const struct route	*rt;
	const cJSON		*op;
	const char		*file;
	size_t			 k;
	int			 idem, doc_idem;

	for (k = 0; (rt = route_at(k, &file)) != NULL; k++) {
		if ((op = operation_of(rt)) == NULL)
			continue;
		idem = (rt->flags & ROUTE_IDEMPOTENT) != 0;
		doc_idem = has_header_param(op, "Idempotency-Key");
		if (idem != doc_idem)
			mismatch("%s %s: %s", http_method_str(rt->method),
			    rt->pattern, idem ? "honours Idempotency-Key "
			    "(ROUTE_IDEMPOTENT) but does not document it" :
			    "documents an Idempotency-Key it ignores");
		if (idem && !has_response(op, "422"))
			mismatch("%s %s: honours Idempotency-Key, so 422 applies",
			    http_method_str(rt->method), rt->pattern);
	}
	report("Idempotency-Key that differs from ROUTE_IDEMPOTENT");
}
END_TEST

/* Whether path item "item" or its operation "op" declares {name}. */
static int
declares_path_param(const cJSON *item, const cJSON *op, const char *name)
{
	const cJSON	*lists[2], *p, *q, *n, *in, *req;
	size_t		 i;

	lists[0] = cJSON_GetObjectItemCaseSensitive(item, "parameters");
	lists[1] = cJSON_GetObjectItemCaseSensitive(op, "parameters");
	for (i = 0; i < 2; i++)
		cJSON_ArrayForEach(p, lists[i]) {
			if ((q = deref(p)) == NULL)
				continue;
			n = cJSON_GetObjectItemCaseSensitive(q, "name");
			in = cJSON_GetObjectItemCaseSensitive(q, "in");
			req = cJSON_GetObjectItemCaseSensitive(q, "required");
			if (cJSON_IsString(n) && cJSON_IsString(in) &&
			    strcmp(n->valuestring, name) == 0 &&
			    strcmp(in->valuestring, "path") == 0 &&
			    cJSON_IsTrue(req))
				return 1;
		}
	return 0;
}

/* Member "key" of operation "method" of path item "item", or NULL. */
static const cJSON *
resolve_in(const cJSON *item, const char *method, const char *key)
{

	return cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(item, method), key);
}

/* How many operations have operationId "id". */
static int
uses(const char *id)
{
	const cJSON	*item, *v;
	size_t		 i;
	int		 n = 0;

	cJSON_ArrayForEach(item, paths())
		for (i = 0; oas_methods[i] != NULL; i++) {
			v = resolve_in(item, oas_methods[i], "operationId");
			if (cJSON_IsString(v) && strcmp(v->valuestring, id) == 0)
				n++;
		}
	return n;
}

START_TEST(test_operations_complete)
{
	const cJSON	*item, *op, *resp, *id;
	char		 name[128];
	const char	*p, *e;
	size_t		 i;
	int		 ok2xx;

	cJSON_ArrayForEach(item, paths())
		for (i = 0; oas_methods[i] != NULL; i++) {
			if ((op = cJSON_GetObjectItemCaseSensitive(item,
			    oas_methods[i])) == NULL)
				continue;
			id = cJSON_GetObjectItemCaseSensitive(op,
			    "operationId");
			if (!cJSON_IsString(id))
				mismatch("%s %s: no operationId", oas_methods[i],
				    item->string);
			ok2xx = 0;
			cJSON_ArrayForEach(resp,
			    cJSON_GetObjectItemCaseSensitive(op, "responses"))
				if (resp->string[0] == '2')
					ok2xx = 1;
			if (!ok2xx || !has_response(op, "default"))
				mismatch("%s %s: documents no 2xx or no default "
				    "(problem) response", oas_methods[i],
				    item->string);
			for (p = item->string; (p = strchr(p, '{')) != NULL;
			    p = e) {
				e = strchr(p, '}');
				ck_assert_ptr_nonnull(e);
				snprintf(name, sizeof(name), "%.*s",
				    (int)(e - p - 1), p + 1);
				if (!declares_path_param(item, op, name))
					mismatch("%s %s: no required path parameter "
					    "\"%s\"", oas_methods[i],
					    item->string, name);
			}
		}
	cJSON_ArrayForEach(item, paths())
		for (i = 0; oas_methods[i] != NULL; i++) {
			id = resolve_in(item, oas_methods[i], "operationId");
			if (cJSON_IsString(id) && uses(id->valuestring) > 1)
				mismatch("%s %s: operationId %s is used twice",
				    oas_methods[i], item->string,
				    id->valuestring);
		}
	report("incomplete operations");
}
END_TEST

/* Fails for each "$ref" under "node" that does not resolve. */
static void
check_refs(const cJSON *node)
{
	const cJSON	*c;

	if (cJSON_IsString(node) && node->string != NULL &&
	    strcmp(node->string, "$ref") == 0 &&
	    resolve(node->valuestring) == NULL)
		mismatch("\"$ref\": \"%s\" points at nothing", node->valuestring);
	cJSON_ArrayForEach(c, node)
		check_refs(c);
}

START_TEST(test_refs_resolve)
{
	const cJSON	*v;

	v = cJSON_GetObjectItemCaseSensitive(doc, "openapi");
	ck_assert_msg(cJSON_IsString(v) &&
	    strncmp(v->valuestring, "3.1.", 4) == 0, "not OpenAPI 3.1");
	check_refs(doc);
	report("broken references");
}
END_TEST

START_TEST(test_version)
{
	const cJSON	*v;

	v = resolve("#/info/version");
	ck_assert_msg(cJSON_IsString(v) && strcmp(v->valuestring,
	    PACKAGE_VERSION) == 0, "info.version must be the package's "
	    "version, %s (configure.ac)", PACKAGE_VERSION);
}
END_TEST

START_TEST(test_template_of)
{
	char	 t[64];

	template_of("/api/a/:id/b/:bid/", t, sizeof(t));
	ck_assert_str_eq(t, "/api/a/{id}/b/{bid}/");
	template_of("/api/health/", t, sizeof(t));
	ck_assert_str_eq(t, "/api/health/");
}
END_TEST

static Suite *
openapi_suite(void)
{
	Suite	*s = suite_create("openapi");
	TCase	*tc;

	tc = tcase_create("helpers");
	tcase_add_test(tc, test_template_of);
	suite_add_tcase(s, tc);

	tc = tcase_create("routes both ways");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_route_documented);
	tcase_add_test(tc, test_every_operation_routed);
	suite_add_tcase(s, tc);

	tc = tcase_create("what the table says of a route");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_security);
	tcase_add_test(tc, test_bodies);
	tcase_add_test(tc, test_idempotency_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("document integrity");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_operations_complete);
	tcase_add_test(tc, test_refs_resolve);
	tcase_add_test(tc, test_version);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(openapi_suite());
}
