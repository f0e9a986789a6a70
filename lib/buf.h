/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_BUF_H
#define HM_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

/*
 * A growable byte string, always NUL-terminated once anything was put
 * into it, binary-safe through "len".  Zero-initialise or buf_init(),
 * release with buf_clear().
 */
struct	buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

void		 buf_init(struct buf *);
void		 buf_clear(struct buf *);
/* Empties the buffer but keeps its storage for reuse. */
void		 buf_reset(struct buf *);
/* Makes room for "n" more bytes (plus the NUL). */
enum err	 buf_reserve(struct buf *, size_t n);
enum err	 buf_putc(struct buf *, char);
enum err	 buf_puts(struct buf *, const char *);
enum err	 buf_putn(struct buf *, const void *, size_t);
enum err	 buf_printf(struct buf *, const char *, ...)
			__attribute__((format(printf, 2, 3)));
enum err	 buf_vprintf(struct buf *, const char *, va_list)
			__attribute__((format(printf, 2, 0)));
/* The contents, or "" for a buffer never written to.  Don't free(). */
const char	*buf_str(const struct buf *);

#endif /* !HM_BUF_H */
