/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_ERR_H
#define HM_ERR_H

/*
 * Result of library functions that can fail in more than one way.
 * ERR_OK is zero so that "if (err)" reads naturally.
 */
enum	err {
	ERR_OK = 0,
	ERR_NOMEM,	/* allocation failed or a size overflowed */
	ERR_INVAL,	/* input did not validate */
	ERR_TOOBIG,	/* input is over a configured bound */
	ERR_NOTFOUND,	/* no such row or key */
	ERR_CONFLICT,	/* a constraint of current state refused it */
	ERR_DENIED,	/* not allowed */
	ERR_BUSY,	/* database stayed locked past the busy timeout */
	ERR_DB,		/* any other database failure */
	ERR_SYS,	/* a system call failed; see errno */
	ERR__MAX
};

/* A short, static, English description of "e". */
const char	*err_str(enum err e);

#endif /* !HM_ERR_H */
