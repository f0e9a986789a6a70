/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_POOL_H
#define HM_POOL_H

#include <stddef.h>

/*
 * A per-request arena.  Everything a request allocates comes from its
 * pool and is released at once by pool_reset() (keeping the first
 * block for the next request) or pool_free().  Allocations are aligned
 * for any type.  Functions return NULL on allocation failure or size
 * overflow.
 */
struct	pool;

struct pool	*pool_new(void);
void		 pool_free(struct pool *);
void		 pool_reset(struct pool *);
void		*pool_alloc(struct pool *, size_t);
void		*pool_calloc(struct pool *, size_t nmemb, size_t size);
char		*pool_strdup(struct pool *, const char *);
/* Copies "n" bytes and adds a NUL. */
char		*pool_strndup(struct pool *, const char *, size_t n);
char		*pool_printf(struct pool *, const char *, ...)
			__attribute__((format(printf, 2, 3)));
/* Bytes handed out since the last reset; for tests and limits. */
size_t		 pool_used(const struct pool *);

#endif /* !HM_POOL_H */
