/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "pool.h"
#include "rfc3339.h"
#include "utf8.h"
#include "uuid.h"
#include "valid.h"

const char *const valid_genders[] = { "male", "female", "other", NULL };

static int
fail(struct valid *v, const char *name, const char *msg)
{

	(void)problem_field(v->pool, &v->errs, name, msg);
	return 0;
}

/*
 * Finds member "name": returns 1 with "*item" NULL when absent or null
 * (an error if required), 1 with the string when it is one, else 0.
 */
static int
get_string(struct valid *v, const char *name, int required,
    const cJSON **item)
{

	*item = cJSON_GetObjectItemCaseSensitive(v->o, name);
	if (*item == NULL || cJSON_IsNull(*item)) {
		*item = NULL;
		return required ? fail(v, name, "This field is required.") : 1;
	}
	if (!cJSON_IsString(*item) || (*item)->valuestring == NULL)
		return fail(v, name, "Not a valid string.");
	return 1;
}

int
valid_has(const struct valid *v, const char *name)
{

	return cJSON_GetObjectItemCaseSensitive(v->o, name) != NULL;
}

/* Whether "s" holds a control character; "lines" lets LF, CR, TAB by. */
static int
has_control(const char *s, int lines)
{

	for (; *s != '\0'; s++)
		if (((unsigned char)*s < 0x20 || *s == 0x7f) &&
		    !(lines && (*s == '\n' || *s == '\r' || *s == '\t')))
			return 1;
	return 0;
}

/* Copies the string value into the pool. */
static int
keep(struct valid *v, const cJSON *item, const char **out)
{

	if ((*out = pool_strdup(v->pool, item->valuestring)) == NULL)
		return fail(v, item->string, "Out of memory.");
	return 1;
}

static int
text(struct valid *v, const char *name, int required, size_t min,
    size_t max, int lines, const char **out)
{
	const cJSON	*item;
	const char	*s;
	size_t		 n;

	*out = NULL;
	if (!get_string(v, name, required, &item))
		return 0;
	if (item == NULL)
		return !required;
	s = item->valuestring;
	n = utf8_count(s, strlen(s));
	if (n == 0 && min > 0)
		return fail(v, name, "This field may not be blank.");
	if (n < min)
		return fail(v, name, "Ensure this field is long enough.");
	if (n > max)
		return fail(v, name, pool_printf(v->pool, "Ensure this field "
		    "has no more than %zu characters.", max));
	if (has_control(s, lines))
		return fail(v, name, "Control characters are not allowed.");
	return keep(v, item, out);
}

int
valid_text(struct valid *v, const char *name, int required, size_t min,
    size_t max, const char **out)
{

	return text(v, name, required, min, max, 0, out);
}

int
valid_lines(struct valid *v, const char *name, int required, size_t min,
    size_t max, const char **out)
{

	return text(v, name, required, min, max, 1, out);
}

/*
 * ASCII only: the mail relay is spoken to without SMTPUTF8 (libESMTP
 * 1.1 has none), so an address it cannot carry is refused here, naming
 * the field, rather than by the outbox.
 */
int
valid_is_email(const char *s)
{
	const char	*at = strchr(s, '@'), *dot, *p;
	size_t		 n = strlen(s);

	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return 0;

	if (n < 3 || n > 254 || at == NULL || at == s || at[1] == '\0' ||
	    strchr(at + 1, '@') != NULL || has_control(s, 0) ||
	    strpbrk(s, " \t\"(),:;<>[\\]") != NULL)
		return 0;
	/* The domain: labels, no empty one, no leading or trailing dot. */
	dot = at + 1;
	return *dot != '.' && s[n - 1] != '.' && strstr(dot, "..") == NULL &&
	    at[-1] != '.' && s[0] != '.';
}

int
valid_email(struct valid *v, const char *name, int required,
    const char **out)
{
	const cJSON	*item;

	*out = NULL;
	if (!get_string(v, name, required, &item))
		return 0;
	if (item == NULL)
		return !required;
	if (!valid_is_email(item->valuestring))
		return fail(v, name, "Enter a valid email address.");
	return keep(v, item, out);
}

int
valid_phone(struct valid *v, const char *name, int required,
    const char **out)
{
	const cJSON	*item;
	const char	*s, *d;
	size_t		 digits;

	*out = NULL;
	if (!get_string(v, name, required, &item))
		return 0;
	if (item == NULL)
		return !required;
	s = item->valuestring;
	d = *s == '+' ? s + 1 : s;
	digits = strspn(d, "0123456789");
	if (d[digits] != '\0' || digits < 7 || digits > 15)
		return fail(v, name, "Enter a phone number of 7 to 15 digits, "
		    "with an optional leading +.");
	return keep(v, item, out);
}

int
valid_choice(struct valid *v, const char *name, int required,
    const char *const *choices, const char **out)
{
	const cJSON	*item;
	size_t		 i;

	*out = NULL;
	if (!get_string(v, name, required, &item))
		return 0;
	if (item == NULL)
		return !required;
	for (i = 0; choices[i] != NULL; i++)
		if (strcmp(choices[i], item->valuestring) == 0) {
			*out = choices[i];
			return 1;
		}
	return fail(v, name, "This is not a valid choice.");
}

int
valid_uuid(struct valid *v, const char *name, int required,
    const char **out)
{
	const cJSON	*item;

	*out = NULL;
	item = cJSON_GetObjectItemCaseSensitive(v->o, name);
	if (item == NULL || cJSON_IsNull(item))
		return required ? fail(v, name, "This field is required.") : 1;
	if (!cJSON_IsString(item) || item->valuestring == NULL)
		return fail(v, name, "Incorrect type. Expected pk value.");
	if (!uuid_valid(item->valuestring))
		return fail(v, name, "Must be a valid UUID.");
	return keep(v, item, out);
}

int
valid_int(struct valid *v, const char *name, int required, long min,
    long max, long *out)
{
	const cJSON	*item;
	double		 d;

	item = cJSON_GetObjectItemCaseSensitive(v->o, name);
	if (item == NULL || cJSON_IsNull(item))
		return required ? fail(v, name, "This field is required.") : 1;
	/* A string or a bool is refused, never converted. */
	if (!cJSON_IsNumber(item) || !isfinite(d = item->valuedouble))
		return fail(v, name, "A valid integer is required.");
	if (d < (double)min)
		return fail(v, name, pool_printf(v->pool, "Ensure this value "
		    "is greater than or equal to %ld.", min));
	if (d > (double)max)
		return fail(v, name, pool_printf(v->pool, "Ensure this value "
		    "is less than or equal to %ld.", max));
	if (d != (double)(long)d)
		return fail(v, name, "A valid integer is required.");
	*out = (long)d;
	return 1;
}

int
valid_time(struct valid *v, const char *name, int required, int64_t *out)
{
	const cJSON	*item;

	if (!get_string(v, name, required, &item))
		return 0;
	if (item == NULL)
		return !required;
	if (time_parse(item->valuestring, out) != ERR_OK)
		return fail(v, name, "Datetime has wrong format. Use RFC 3339, "
		    "e.g. 2026-11-26T09:30:00Z.");
	return 1;
}

int
valid_password(struct valid *v, const char *name, const char **out)
{
	const cJSON	*item;

	*out = NULL;
	if (!get_string(v, name, 1, &item))
		return 0;
	if (has_control(item->valuestring, 0))
		return fail(v, name, "Control characters are not allowed.");
	return keep(v, item, out);
}

int
valid_begin(struct valid *v, struct req *r, struct resp *w)
{

	v->pool = r->pool;
	v->o = r->json;
	v->errs = NULL;
	if (cJSON_IsObject(r->json))
		return 1;
	(void)problem_field(r->pool, &v->errs, "non_field_errors",
	    "Expected a JSON object.");
	return valid_end(v, r, w);
}

int
valid_end(struct valid *v, struct req *r, struct resp *w)
{

	if (v->errs == NULL)
		return 1;
	problem_write(w, r, 400, "invalid", "The request is invalid.",
	    v->errs);
	return 0;
}
