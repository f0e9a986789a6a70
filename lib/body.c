/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "body.h"
#include "pool.h"
#include "problem.h"
#include "utf8.h"

int
body_is_json_type(const char *ct)
{
	static const char	 want[] = "application/json";
	const char		*p;

	if (ct == NULL || strncasecmp(ct, want, sizeof(want) - 1) != 0)
		return 0;
	for (p = ct + sizeof(want) - 1; *p == ' ' || *p == '\t'; p++)
		continue;
	return *p == '\0' || *p == ';';
}

static int
name_cmp(const void *a, const void *b)
{

	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Names are sorted rather than compared pairwise, so a hostile body of
 * many members costs n log n, not n squared.
 */
int
body_has_duplicate(struct pool *pool, const cJSON *item)
{
	const cJSON	*c;
	const char	**names;
	size_t		 n = 0, i;

	if (!cJSON_IsObject(item) && !cJSON_IsArray(item))
		return 0;
	for (c = item->child; c != NULL; c = c->next) {
		if (body_has_duplicate(pool, c))
			return 1;
		n++;
	}
	if (!cJSON_IsObject(item) || n < 2)
		return 0;
	if ((names = pool_calloc(pool, n, sizeof(*names))) == NULL)
		return 1;
	for (i = 0, c = item->child; c != NULL; c = c->next)
		names[i++] = c->string;
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			return 1;
	return 0;
}

/*
 * cJSON decodes the escape \u0000 into C strings that end there, so
 * "Lo\u0000ve" would reach a handler as "Lo".  Rewrite it (in a pool
 * copy) as \u0001, a control character that every text validator
 * refuses naming its field, as it should refuse the NUL (SPEC section
 * 4).  Every backslash escapes exactly the next character, so
 * "\\u0000" (a backslash, then text) is left alone.
 */
static const char *
body_unnul(struct pool *pool, const char *s, size_t n)
{
	char	*copy = NULL;
	size_t	 i;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 5 < n &&
		    strncmp(s + i + 2, "0000", 4) == 0) {
			if (copy == NULL) {
				if ((copy = pool_strndup(pool, s, n)) == NULL)
					return NULL;
				s = copy;
			}
			copy[i + 5] = '1';
		}
		i++;
	}
	return s;
}

static int
body_invalid(struct req *r, struct resp *w, const char *detail)
{

	problem_write(w, r, 400, "invalid", detail, NULL);
	return 0;
}

int
body_parse(struct req *r, struct resp *w)
{
	const char	*end = NULL;

	r->json = NULL;
	if (r->body_too_large || r->bodysz > BODY_MAX) {
		problem_from_err(w, r, ERR_TOOBIG);
		return 0;
	}
	if (r->body == NULL || r->bodysz == 0)
		return 1;
	if (!body_is_json_type(r->hdrs[HDR_CONTENT_TYPE])) {
		problem_write(w, r, 415, "unsupported_media_type", "The body "
		    "must be JSON, sent as Content-Type: application/json.",
		    NULL);
		return 0;
	}
	if (memchr(r->body, '\0', r->bodysz) != NULL)
		return body_invalid(r, w, "JSON parse error: the body "
		    "contains a NUL byte.");
	if ((r->body = body_unnul(r->pool, r->body, r->bodysz)) == NULL) {
		problem_from_err(w, r, ERR_NOMEM);
		return 0;
	}
	if (!utf8_valid(r->body, r->bodysz))
		return body_invalid(r, w, "JSON parse error: the body is not "
		    "valid UTF-8.");
	/* The length includes the NUL, or cJSON calls the end an error. */
	r->json = cJSON_ParseWithLengthOpts(r->body, r->bodysz + 1, &end, 1);
	if (r->json == NULL)
		return body_invalid(r, w, pool_printf(r->pool, "JSON parse "
		    "error at byte %zu.", end != NULL && end >= r->body ?
		    (size_t)(end - r->body) : (size_t)0));
	if (body_has_duplicate(r->pool, r->json)) {
		body_free(r);
		return body_invalid(r, w, "JSON parse error: a member name "
		    "is repeated in one object.");
	}
	return 1;
}

void
body_free(struct req *r)
{

	cJSON_Delete(r->json);
	r->json = NULL;
}
