/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "b64.h"
#include "buf.h"
#include "cursor.h"
#include "json.h"
#include "page.h"
#include "pool.h"
#include "problem.h"

/*
 * The cursor's clear text: "n" (older rows) or "p" (newer rows), the
 * position's time as stored (24 bytes), and its seq in decimal.
 */
#define	CURSOR_TEXT_MAX	(1 + RFC3339_STRLEN + 19)

/* Parses a seq: decimal digits without a leading zero, 1 to INT64_MAX. */
static int
seq_parse(const char *s, int64_t *out)
{
	int64_t	 v = 0;

	if (*s < '1' || *s > '9')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - (*s - '0')) / 10)
			return 0;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 1;
}

/*
 * Decodes "s" into "c": only the exact text this service writes (one
 * spelling per position) passes.
 */
static int
cursor_decode(struct pool *pool, const char *s, struct cursor *c)
{
	unsigned char	*text;
	size_t		 n;
	int64_t		 ms;
	char		 canon[RFC3339_STRLEN + 1];

	if (b64url_decode(pool, s, strlen(s), &text, &n) != ERR_OK ||
	    n <= 1 + RFC3339_STRLEN || n > CURSOR_TEXT_MAX ||
	    memchr(text, '\0', n) != NULL)
		return 0;
	if (text[0] != 'n' && text[0] != 'p')
		return 0;
	c->back = text[0] == 'p';
	memcpy(c->time, text + 1, RFC3339_STRLEN);
	c->time[RFC3339_STRLEN] = '\0';
	if (time_parse(c->time, &ms) != ERR_OK ||
	    time_format(ms, canon) != ERR_OK || strcmp(canon, c->time) != 0)
		return 0;
	return seq_parse((const char *)text + 1 + RFC3339_STRLEN, &c->seq);
}

int
cursor_parse(struct req *r, struct resp *w, struct cursor *c)
{
	const char	*s;

	memset(c, 0, sizeof(*c));
	if (!page_size_parse(r, w, CURSOR_SIZE_DEFAULT, CURSOR_SIZE_MAX,
	    &c->size))
		return 0;
	if ((s = query_get(&r->query, "cursor")) == NULL)
		return 1;
	if (!cursor_decode(r->pool, s, c)) {
		problem_write(w, r, 404, "not_found", "Invalid cursor.", NULL);
		return 0;
	}
	c->set = 1;
	return 1;
}

/* Bounds past any stored time (all are 24 bytes, "0000-…" to "9999-…"). */
#define	TIME_LOWEST	""
#define	TIME_HIGHEST	"~"

void
cursor_range(const struct cursor *c, const char *since, const char *until,
    struct cursor_range *rg)
{

	if (!c->back) {
		/* Down from min(position, (until, any seq)) to since. */
		rg->time = until != NULL ? until : TIME_HIGHEST;
		rg->seq = INT64_MAX;
		if (c->set && strcmp(c->time, rg->time) <= 0) {
			rg->time = c->time;
			rg->seq = c->seq;
		}
		rg->limit = since != NULL ? since : TIME_LOWEST;
	} else {
		/* Up from max(position, (since, before any seq)) to until. */
		rg->time = since != NULL ? since : TIME_LOWEST;
		rg->seq = 0;
		if (strcmp(c->time, rg->time) >= 0) {
			rg->time = c->time;
			rg->seq = c->seq;
		}
		rg->limit = until != NULL ? until : TIME_HIGHEST;
	}
}

void
cursor_order(const struct cursor *c, void *rows, size_t n, size_t size)
{
	unsigned char	*a, *b, t;
	size_t		 i, k;

	for (i = 0; c->back && i < n / 2; i++) {
		a = (unsigned char *)rows + i * size;
		b = (unsigned char *)rows + (n - 1 - i) * size;
		for (k = 0; k < size; k++) {
			t = a[k];
			a[k] = b[k];
			b[k] = t;
		}
	}
}

/* The link to the page beyond (time, seq) in direction "back". */
static const char *
cursor_link(const struct req *r, const struct conf *conf, int back,
    const char *time, int64_t seq)
{
	char		 text[CURSOR_TEXT_MAX + 1];
	struct buf	 b;
	const char	*link = NULL;
	int		 n;

	n = snprintf(text, sizeof(text), "%c%s%" PRId64, back ? 'p' : 'n',
	    time, seq);
	if (n < 0 || (size_t)n >= sizeof(text))
		return NULL;
	buf_init(&b);
	if (b64url_encode(&b, text, (size_t)n) == ERR_OK)
		link = page_url(r, conf, "cursor", buf_str(&b));
	buf_clear(&b);
	return link;
}

enum err
cursor_links(const struct req *r, const struct conf *conf,
    const struct cursor *c, size_t shown, int more, const char *newest_time,
    int64_t newest_seq, const char *oldest_time, int64_t oldest_seq,
    const char **next, const char **previous)
{
	int	 want_next, want_previous;

	if (shown == 0) {
		/* Past either end: only the way back to where rows are. */
		want_next = c->set && c->back;
		want_previous = c->set && !c->back;
		oldest_time = newest_time = c->time;
		oldest_seq = newest_seq = c->seq;
	} else {
		want_next = c->back || more;
		want_previous = c->back ? more : c->set;
	}
	*next = want_next ? cursor_link(r, conf, 0, oldest_time, oldest_seq) :
	    NULL;
	*previous = want_previous ? cursor_link(r, conf, 1, newest_time,
	    newest_seq) : NULL;
	if ((want_next && *next == NULL) ||
	    (want_previous && *previous == NULL))
		return ERR_NOMEM;
	return ERR_OK;
}

void
cursor_page_begin(struct resp *w, struct json *j, const char *next,
    const char *previous)
{

	json_init(j, &w->body);
	json_obj_open(j, NULL);
	json_str(j, "next", next);
	json_str(j, "previous", previous);
	json_arr_open(j, "results");
}
