/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "json.h"
#include "page.h"
#include "pool.h"
#include "problem.h"

/*
 * A page from here on is answered 404 without counting: it would
 * address a row past 10^9 (PAGE_NUMBER_MAX * PAGE_SIZE_MAX), which no
 * table of the service holds, and so (number - 1) * size and
 * offset + size never overflow even a 32-bit long.
 */
#define	PAGE_NUMBER_MAX	10000000L	/* 10^7 */

/*
 * Parses "s" as a positive decimal integer: digits only, no sign, no
 * space.  A value above "max" is stored as "max".  Returns 1 on
 * success, 0 if "s" is not a positive integer.
 */
static int
positive(const char *s, long max, long *out)
{
	long	 v = 0;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (v < max)
			v = v * 10 + (*s - '0');
	}
	if (v == 0)
		return 0;
	*out = v > max ? max : v;
	return 1;
}

int
page_size_parse(struct req *r, struct resp *w, long def, long max,
    long *size)
{
	struct field_error	*errs = NULL;
	const char		*s;

	*size = def;
	if ((s = query_get(&r->query, "page_size")) == NULL ||
	    positive(s, max, size))
		return 1;
	(void)problem_field(r->pool, &errs, "page_size",
	    "A positive integer is required.");
	problem_write(w, r, 400, "invalid", "The request is invalid.", errs);
	return 0;
}

int
page_parse(struct req *r, struct resp *w, struct page *pg)
{
	const char	*s;

	pg->number = 1;
	if (!page_size_parse(r, w, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX,
	    &pg->size))
		return 0;
	/* DRF: "Invalid page." for anything but a page that may exist. */
	if ((s = query_get(&r->query, "page")) != NULL &&
	    (!positive(s, PAGE_NUMBER_MAX, &pg->number) ||
	    pg->number >= PAGE_NUMBER_MAX)) {
		problem_write(w, r, 404, "not_found", "Invalid page.", NULL);
		return 0;
	}
	pg->offset = (pg->number - 1) * pg->size;
	return 1;
}

/* Appends "s" percent-encoded: everything but RFC 3986 unreserved. */
static enum err
pct_put(struct buf *b, const char *s, int keep_slash)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	enum err		 e = ERR_OK;

	for (p = (const unsigned char *)s; *p != '\0' && e == ERR_OK; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL ||
		    (keep_slash && *p == '/'))
			e = buf_putc(b, (char)*p);
		else if ((e = buf_putc(b, '%')) == ERR_OK &&
		    (e = buf_putc(b, hex[*p >> 4])) == ERR_OK)
			e = buf_putc(b, hex[*p & 0xf]);
	return e;
}

/* Appends one "key=value" pair, with "&" unless it is the first. */
static enum err
pair_put(struct buf *b, int *first, const char *key, const char *val)
{
	enum err	 e;

	if ((e = buf_putc(b, *first ? '?' : '&')) != ERR_OK ||
	    (e = pct_put(b, key, 0)) != ERR_OK ||
	    (e = buf_putc(b, '=')) != ERR_OK)
		return e;
	*first = 0;
	return pct_put(b, val, 0);
}

const char *
page_url(const struct req *r, const struct conf *conf, const char *key,
    const char *val)
{
	struct buf	 b;
	const char	*link = NULL;
	size_t		 i;
	int		 first = 1, done = val == NULL;
	enum err	 e;

	buf_init(&b);
	if ((e = buf_puts(&b, conf->public_url)) == ERR_OK)
		e = pct_put(&b, r->path, 1);
	for (i = 0; i < r->query.paramsz && e == ERR_OK; i++) {
		if (strcmp(r->query.params[i].key, key) != 0)
			e = pair_put(&b, &first, r->query.params[i].key,
			    r->query.params[i].val);
		else if (!done) {
			e = pair_put(&b, &first, key, val);
			done = 1;
		}
	}
	if (e == ERR_OK && !done)
		e = pair_put(&b, &first, key, val);
	if (e == ERR_OK)
		link = pool_strdup(r->pool, buf_str(&b));
	buf_clear(&b);
	return link;
}

/* As DRF does, the link to page 1 carries no "page" at all. */
static const char *
page_link(const struct req *r, const struct conf *conf, long number)
{
	char	 num[24];

	(void)snprintf(num, sizeof(num), "%ld", number);
	return page_url(r, conf, "page", number == 1 ? NULL : num);
}

int
page_begin(struct req *r, struct resp *w, const struct conf *conf,
    const struct page *pg, long count, struct json *j)
{
	const char	*next = NULL, *prev = NULL;
	int		 nomem = 0;

	if (pg->number > 1 && pg->offset >= count) {
		problem_write(w, r, 404, "not_found", "Invalid page.", NULL);
		return 0;
	}
	if (pg->offset + pg->size < count &&
	    (next = page_link(r, conf, pg->number + 1)) == NULL)
		nomem = 1;
	if (pg->number > 1 &&
	    (prev = page_link(r, conf, pg->number - 1)) == NULL)
		nomem = 1;
	json_init(j, &w->body);
	if (nomem)
		j->err = ERR_NOMEM;
	json_obj_open(j, NULL);
	json_int(j, "count", count);
	json_str(j, "next", next);
	json_str(j, "previous", prev);
	json_arr_open(j, "results");
	return 1;
}

enum err
page_end(struct resp *w, struct json *j)
{

	json_arr_close(j);
	json_obj_close(j);
	w->status = 200;
	w->content_type = "application/json";
	return json_err(j);
}
