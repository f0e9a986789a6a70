/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_CURSOR_H
#define HM_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "rfc3339.h"

struct conf;
struct json;

#define	CURSOR_SIZE_DEFAULT	50	/* SPEC 7.11 */
#define	CURSOR_SIZE_MAX		1000	/* SPEC 7.25: larger is clamped */

/*
 * Cursor pagination in DRF's shape (SPEC section 2): {"next",
 * "previous", "results"}, newest first, for lists ordered by a time and
 * a sequence number that breaks ties (readings; the audit trail).  A
 * cursor is a position (time, seq) and a direction, opaque to clients
 * (base64url).  The storage reads the rows after the position with an
 * index range, so a page costs the same at any depth (keyset, never
 * OFFSET).
 */
struct	cursor {
	int	 set;		/* 0: the first page, from the newest row */
	int	 back;		/* 1: the rows newer than the position */
	char	 time[RFC3339_STRLEN + 1];
	int64_t	 seq;
	long	 size;		/* rows per page */
};

/*
 * Reads ?cursor= and ?page_size= of "r".  A cursor that is not one this
 * service made is 404 "Invalid cursor." as in DRF; a page_size that is
 * not a positive integer is 400.  Returns 1, or writes the answer and
 * returns 0.
 */
int		 cursor_parse(struct req *, struct resp *, struct cursor *);

/*
 * The index range of a page at "c" within the inclusive bounds "since"
 * and "until" (NULL: none), folded into one keyset bound and one plain
 * bound so that the range starts at the page: read the rows before
 * (time, seq) down to "limit" when !c->back, else the rows after it up
 * to "limit".  Strings are borrowed from "c" and the bounds.
 */
struct	cursor_range {
	const char	*time;
	int64_t		 seq;
	const char	*limit;
};
void		 cursor_range(const struct cursor *c, const char *since,
		    const char *until, struct cursor_range *);

/*
 * Puts the "n" rows (of "size" bytes each) read for "c" newest first:
 * rows read upwards (c->back) come oldest first.
 */
void		 cursor_order(const struct cursor *c, void *rows, size_t n,
		    size_t size);

/*
 * Sets the links of a page read for "c": "shown" rows, the newest at
 * (newest_time, newest_seq) and the oldest at (oldest_time, oldest_seq)
 * (ignored when "shown" is 0), and "more" when the storage found a row
 * beyond the page in the direction read.  "*next" leads to older rows,
 * "*previous" to newer ones; either is NULL when there is none.
 */
enum err	 cursor_links(const struct req *, const struct conf *,
		    const struct cursor *c, size_t shown, int more,
		    const char *newest_time, int64_t newest_seq,
		    const char *oldest_time, int64_t oldest_seq,
		    const char **next, const char **previous);

/*
 * Starts the answer {"next": …, "previous": …, "results": [ in "j" over
 * the body of "w"; the caller writes the rows, then calls page_end().
 */
void		 cursor_page_begin(struct resp *, struct json *,
		    const char *next, const char *previous);

#endif /* !HM_CURSOR_H */
