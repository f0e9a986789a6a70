/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "extern.h"
#include "route.h"

/*
 * The service's routes (SPEC sections 4 to 6).  Dispatch checks the
 * roles before it calls a handler.
 */
const struct route routes[] = {
	{ METHOD_GET, "/api/health/", health_get, ROLES_PUBLIC, 0 },
};
const size_t routesz = sizeof(routes) / sizeof(routes[0]);
