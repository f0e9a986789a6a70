/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "err.h"

static const char *const errs[ERR__MAX] = {
	"success",				/* ERR_OK */
	"out of memory",			/* ERR_NOMEM */
	"invalid input",			/* ERR_INVAL */
	"input too large",			/* ERR_TOOBIG */
	"not found",				/* ERR_NOTFOUND */
	"conflict with current state",		/* ERR_CONFLICT */
	"permission denied",			/* ERR_DENIED */
	"database busy",			/* ERR_BUSY */
	"database error",			/* ERR_DB */
	"system error",				/* ERR_SYS */
};

const char *
err_str(enum err e)
{

	if ((unsigned)e >= ERR__MAX)
		return "unknown error";
	return errs[e];
}
