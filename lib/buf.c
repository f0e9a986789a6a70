/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b)
{

	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_clear(struct buf *b)
{

	free(b->p);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{

	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

/*
 * Grows the storage so that "n" more bytes and a NUL fit.  Sizes come
 * from input, so overflow is checked rather than asserted.
 */
enum err
buf_reserve(struct buf *b, size_t n)
{
	size_t	 need, cap;
	char	*p;

	if (n > SIZE_MAX - b->len - 1)
		return ERR_NOMEM;
	need = b->len + n + 1;
	if (need <= b->cap)
		return ERR_OK;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return ERR_NOMEM;
	b->p = p;
	b->cap = cap;
	return ERR_OK;
}

enum err
buf_putn(struct buf *b, const void *s, size_t n)
{
	enum err	 e;

	if ((e = buf_reserve(b, n)) != ERR_OK)
		return e;
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return ERR_OK;
}

enum err
buf_putc(struct buf *b, char c)
{

	return buf_putn(b, &c, 1);
}

enum err
buf_puts(struct buf *b, const char *s)
{

	return buf_putn(b, s, strlen(s));
}

enum err
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list		 ap2;
	int		 n;
	enum err	 e;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return ERR_INVAL;
	if ((e = buf_reserve(b, (size_t)n)) != ERR_OK)
		return e;
	(void)vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return ERR_OK;
}

enum err
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list		 ap;
	enum err	 e;

	va_start(ap, fmt);
	e = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return e;
}

const char *
buf_str(const struct buf *b)
{

	return b->p == NULL ? "" : b->p;
}
