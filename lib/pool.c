/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

#define	POOL_BLOCK	(16 * 1024)
#define	POOL_ALIGN	(sizeof(max_align_t))

/*
 * Blocks form a list, newest first; the last one (the first allocated)
 * survives pool_reset() so that a worker's steady state allocates
 * nothing per request.  An allocation larger than a block gets a block
 * of its own.
 */
struct	block {
	struct block	*next;
	size_t		 size;	/* usable bytes after the header */
	size_t		 used;
	max_align_t	 data[];
};

struct	pool {
	struct block	*head;
	size_t		 total;	/* bytes handed out since the last reset */
};

static struct block *
block_new(size_t size)
{
	struct block	*b;

	if (size > SIZE_MAX - sizeof(*b))
		return NULL;
	if ((b = malloc(sizeof(*b) + size)) == NULL)
		return NULL;
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct pool *
pool_new(void)
{
	struct pool	*p;

	if ((p = malloc(sizeof(*p))) == NULL)
		return NULL;
	if ((p->head = block_new(POOL_BLOCK)) == NULL) {
		free(p);
		return NULL;
	}
	p->total = 0;
	return p;
}

void
pool_free(struct pool *p)
{
	struct block	*b, *next;

	if (p == NULL)
		return;
	for (b = p->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(p);
}

void
pool_reset(struct pool *p)
{
	struct block	*b;

	while (p->head->next != NULL) {
		b = p->head;
		p->head = b->next;
		free(b);
	}
	p->head->used = 0;
	p->total = 0;
}

void *
pool_alloc(struct pool *p, size_t n)
{
	struct block	*b;
	size_t		 need;
	void		*r;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - POOL_ALIGN)
		return NULL;
	need = (n + POOL_ALIGN - 1) & ~(POOL_ALIGN - 1);
	b = p->head;
	if (b->size - b->used < need) {
		b = block_new(need > POOL_BLOCK ? need : POOL_BLOCK);
		if (b == NULL)
			return NULL;
		b->next = p->head;
		p->head = b;
	}
	r = (char *)b->data + b->used;
	b->used += need;
	p->total += need;
	return r;
}

void *
pool_calloc(struct pool *p, size_t nmemb, size_t size)
{
	void	*r;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	if ((r = pool_alloc(p, nmemb * size)) != NULL)
		memset(r, 0, nmemb * size);
	return r;
}

char *
pool_strndup(struct pool *p, const char *s, size_t n)
{
	char	*r;

	if (n == SIZE_MAX || (r = pool_alloc(p, n + 1)) == NULL)
		return NULL;
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *
pool_strdup(struct pool *p, const char *s)
{

	return pool_strndup(p, s, strlen(s));
}

char *
pool_printf(struct pool *p, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	char	*r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (r = pool_alloc(p, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	(void)vsnprintf(r, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return r;
}

size_t
pool_used(const struct pool *p)
{

	return p->total;
}
