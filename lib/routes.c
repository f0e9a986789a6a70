/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>

#include "extern.h"
#include "route.h"

/*
 * The service's routes (SPEC sections 4 to 6).  Dispatch checks the
 * roles before it calls a handler.
 */
const struct route routes[] = {
	{ METHOD_GET, "/api/health/", health_get, ROLES_PUBLIC, 0 },

	/* Accounts (SPEC section 4). */
	{ METHOD_POST, "/api/auth/register/", account_register, ROLES_PUBLIC,
	  ROUTE_BODY },
	{ METHOD_GET, "/api/auth/activate/:uid/:token/", account_activate,
	  ROLES_PUBLIC, ROUTE_SECRET },
	{ METHOD_POST, "/api/auth/activate/:uid/:token/", account_activate,
	  ROLES_PUBLIC, ROUTE_SECRET },
	{ METHOD_POST, "/api/auth/signin/", signin_cookie, ROLES_PUBLIC,
	  ROUTE_BODY },
	{ METHOD_POST, "/api/auth/token/", signin_token, ROLES_PUBLIC,
	  ROUTE_BODY },
	{ METHOD_POST, "/api/auth/refresh/", signin_refresh, ROLES_PUBLIC,
	  ROUTE_BODY },
	{ METHOD_POST, "/api/auth/logout/", signin_logout, ROLES_ANY, 0 },
	{ METHOD_POST, "/api/auth/reset-password/", reset_request,
	  ROLES_PUBLIC, ROUTE_BODY },
	{ METHOD_POST, "/api/auth/confirm-reset-password/:uid/:token/",
	  reset_confirm, ROLES_PUBLIC, ROUTE_BODY | ROUTE_SECRET },
	{ METHOD_GET, "/api/auth/profile/", account_profile, ROLES_ANY, 0 },
	{ METHOD_PATCH, "/api/auth/profile/", account_profile_patch,
	  ROLES_ANY, ROUTE_BODY },
};
const size_t routesz = sizeof(routes) / sizeof(routes[0]);
