/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stddef.h>

#include "extern.h"
#include "route.h"

#define	ROLES_CLINICAL	(ROLE_BIT(ROLE_DOCTOR) | ROLE_BIT(ROLE_NURSE))

/*
 * The service's routes (SPEC sections 4 to 6).  Dispatch checks the
 * roles before it calls a handler.  The last column says what a
 * refused attempt is audited as (lib/audit.h).
 */
const struct route routes[] = {
	{ METHOD_GET, "/api/health/", health_get, ROLES_PUBLIC, 0, NULL, NULL },

	/* Accounts (SPEC section 4). */
	{ METHOD_POST, "/api/auth/register/", account_register, ROLES_PUBLIC,
	  ROUTE_BODY, NULL, NULL },
	{ METHOD_GET, "/api/auth/activate/:uid/:token/", account_activate,
	  ROLES_PUBLIC, ROUTE_SECRET, NULL, NULL },
	{ METHOD_POST, "/api/auth/activate/:uid/:token/", account_activate,
	  ROLES_PUBLIC, ROUTE_SECRET, NULL, NULL },
	{ METHOD_POST, "/api/auth/signin/", signin_cookie, ROLES_PUBLIC,
	  ROUTE_BODY, NULL, NULL },
	{ METHOD_POST, "/api/auth/token/", signin_token, ROLES_PUBLIC,
	  ROUTE_BODY, NULL, NULL },
	{ METHOD_POST, "/api/auth/refresh/", signin_refresh, ROLES_PUBLIC,
	  ROUTE_BODY, NULL, NULL },
	{ METHOD_POST, "/api/auth/logout/", signin_logout, ROLES_ANY, 0,
	  NULL, NULL },
	{ METHOD_POST, "/api/auth/reset-password/", reset_request,
	  ROLES_PUBLIC, ROUTE_BODY, NULL, NULL },
	{ METHOD_POST, "/api/auth/confirm-reset-password/:uid/:token/",
	  reset_confirm, ROLES_PUBLIC, ROUTE_BODY | ROUTE_SECRET, NULL, NULL },
	{ METHOD_GET, "/api/auth/profile/", account_profile, ROLES_ANY, 0,
	  NULL, NULL },
	{ METHOD_PATCH, "/api/auth/profile/", account_profile_patch,
	  ROLES_ANY, ROUTE_BODY, NULL, NULL },

	/* Patients (SPEC sections 3 and 5): writes for admin and staff. */
	{ METHOD_GET, "/api/patients/", patient_api_list, ROLES_ANY, 0,
	  "patient", NULL },
	{ METHOD_POST, "/api/patients/", patient_api_create,
	  ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_STAFF), ROUTE_BODY,
	  "patient", NULL },
	{ METHOD_GET, "/api/patients/:id/", patient_api_read, ROLES_ANY, 0,
	  "patient", NULL },
	{ METHOD_PUT, "/api/patients/:id/", patient_api_replace,
	  ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_STAFF), ROUTE_BODY,
	  "patient", NULL },
	{ METHOD_PATCH, "/api/patients/:id/", patient_api_update,
	  ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_STAFF), ROUTE_BODY,
	  "patient", NULL },
	{ METHOD_DELETE, "/api/patients/:id/", patient_api_delete,
	  ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_STAFF), 0, "patient", NULL },
	{ METHOD_GET, "/api/patients/:id/heartrates/",
	  reading_api_patient_list, ROLES_CLINICAL, 0, "patient", NULL },

	/* Admissions (SPEC sections 3 and 5): writes for admin and staff. */
	{ METHOD_GET, "/api/admissions/", admission_api_list, ROLES_ANY, 0,
	  "admission", NULL },
	{ METHOD_POST, "/api/admissions/", admission_api_create,
	  ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_STAFF), ROUTE_BODY,
	  "admission", "admit" },
	{ METHOD_GET, "/api/admissions/:id/", admission_api_get, ROLES_ANY,
	  0, "admission", NULL },
	{ METHOD_PATCH, "/api/admissions/:id/", admission_api_patch,
	  ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_STAFF), ROUTE_BODY,
	  "admission", NULL },
	{ METHOD_POST, "/api/admissions/:id/discharge/",
	  admission_api_discharge, ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_STAFF),
	  0, "admission", "discharge" },

	/* Devices (SPEC sections 3, 5): admin and staff read, admin writes. */
	{ METHOD_GET, "/api/devices/", device_api_list,
	  ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_STAFF), 0, NULL, NULL },
	{ METHOD_POST, "/api/devices/", device_api_create,
	  ROLE_BIT(ROLE_ADMIN), ROUTE_BODY,
	  "device", NULL },
	{ METHOD_GET, "/api/devices/:id/", device_api_get,
	  ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_STAFF), 0, NULL, NULL },
	{ METHOD_PUT, "/api/devices/:id/", device_api_replace,
	  ROLE_BIT(ROLE_ADMIN), ROUTE_BODY,
	  "device", NULL },
	{ METHOD_PATCH, "/api/devices/:id/", device_api_update,
	  ROLE_BIT(ROLE_ADMIN), ROUTE_BODY,
	  "device", NULL },
	{ METHOD_DELETE, "/api/devices/:id/", device_api_delete,
	  ROLE_BIT(ROLE_ADMIN), 0, "device", NULL },

	/* Heart rates (SPEC sections 3, 5): doctors and nurses only. */
	{ METHOD_GET, "/api/heartrates/", reading_api_list, ROLES_CLINICAL,
	  0, "reading", NULL },
	{ METHOD_POST, "/api/heartrates/", reading_api_create,
	  ROLES_CLINICAL, ROUTE_BODY | ROUTE_IDEMPOTENT,
	  "reading", "record" },
	{ METHOD_GET, "/api/heartrates/:id/", reading_api_get,
	  ROLES_CLINICAL, 0, "reading", NULL },

	/* The ward overview (SPEC 5, "Live monitoring"). */
	{ METHOD_GET, "/api/monitor/", monitor_api_get, ROLES_CLINICAL, 0,
	  "admission", NULL },

	/* The audit trail (SPEC 5): admins read it; nobody changes it. */
	{ METHOD_GET, "/api/audit/", audit_api_list, ROLE_BIT(ROLE_ADMIN), 0,
	  NULL, NULL },
};
const size_t routesz = sizeof(routes) / sizeof(routes[0]);
