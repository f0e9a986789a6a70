/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_AUTH_H
#define HM_AUTH_H

#include "http.h"

struct conf;

#define	CSRF_LEN	32	/* Django's secret: [A-Za-z0-9]{32} */

/*
 * Who is asking (SPEC section 4): an "Authorization: Bearer" token or,
 * without one, the "access" cookie.  The token must verify and its
 * session be alive; the role is read from the database.  Returns 1 with
 * req->who set, or left NULL when no credentials came at all (another
 * scheme than Bearer counts as none); returns 0 with a 401
 * invalid_token answer written otherwise.
 */
int		 auth_authenticate(struct app *, struct req *, struct resp *);

/*
 * Returns 1 if "origin" is absent or one of ALLOWED_ORIGINS (exact
 * match; "null" never is), else 0.
 */
int		 auth_origin_ok(const struct conf *, const char *origin);

/*
 * Returns 1 if the X-CSRFToken header equals the csrftoken cookie
 * (compared in constant time, after checking both are CSRF_LEN
 * letters and digits), else 0.
 */
int		 auth_csrf_ok(const struct req *);

/* Makes a new CSRF secret of CSRF_LEN letters and digits. */
enum err	 auth_csrf_new(char out[CSRF_LEN + 1]);

/*
 * Adds Set-Cookie lines for a signed-in browser: "access" (Path=/),
 * "refresh" (Path=/api/auth/, SameSite=Strict) and, when "csrf" is not
 * NULL, "csrftoken" (readable by scripts), each with the lifetime of
 * its token and Secure unless COOKIE_SECURE is off.
 */
enum err	 auth_set_cookies(struct resp *, const struct conf *,
		    const char *access, const char *refresh, const char *csrf);

/* Adds Set-Cookie lines that clear all three cookies (Max-Age=0). */
enum err	 auth_clear_cookies(struct resp *, const struct conf *);

#endif /* !HM_AUTH_H */
