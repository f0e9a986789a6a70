/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_PAGE_H
#define HM_PAGE_H

#include "http.h"

struct conf;
struct json;

#define	PAGE_SIZE_DEFAULT	20
#define	PAGE_SIZE_MAX		100

/*
 * Page-number pagination in DRF's shape (SPEC section 2, 7.11, 7.32),
 * for patients, devices and admissions.
 */
struct	page {
	long	 number;	/* from 1 */
	long	 size;		/* rows per page, clamped to PAGE_SIZE_MAX */
	long	 offset;	/* (number - 1) * size */
};

/*
 * Reads ?page_size= of "r" into "*size": "def" when absent, clamped to
 * "max"; anything but a positive integer is 400 naming it, written to
 * "w" (returns 0).
 */
int		 page_size_parse(struct req *, struct resp *, long def,
		    long max, long *size);

/*
 * Reads ?page= and ?page_size= of "r".  A page that is not a positive
 * integer ("0", "-1", "last", "1.5") is 404 as in DRF; a page_size that
 * is not a positive integer is 400 naming it; a larger one is clamped.
 * Returns 1, or writes the answer and returns 0.
 */
int		 page_parse(struct req *, struct resp *, struct page *);

/*
 * Starts the answer {"count": …, "next": …, "previous": …, "results": [
 * after "count" rows were counted: returns 0 with a 404 written when the
 * page is past the end (any page but the first of an empty list).  The
 * next and previous links are absolute (PUBLIC_URL, the request's path,
 * its query with "page" replaced), or null.  The caller writes the
 * results, then calls page_end().
 */
int		 page_begin(struct req *, struct resp *, const struct conf *,
		    const struct page *, long count, struct json *);

/*
 * The absolute link to this list with query parameter "key" set to
 * "val" (NULL: removed): PUBLIC_URL, the request's path, and its query
 * in order with "key" where it first was (or added at the end).
 * Pool-owned; NULL when memory runs out.
 */
const char	*page_url(const struct req *, const struct conf *,
		    const char *key, const char *val);

/* Closes what page_begin() opened and sets status 200 and the type. */
enum err	 page_end(struct resp *, struct json *);

#endif /* !HM_PAGE_H */
