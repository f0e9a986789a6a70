/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "app.h"
#include "auth.h"
#include "conf.h"
#include "cookie.h"
#include "jwt.h"
#include "pool.h"
#include "problem.h"
#include "rfc3339.h"
#include "session.h"

static int
invalid_token(struct req *r, struct resp *w)
{

	problem_write(w, r, 401, "invalid_token", "The token is invalid, "
	    "expired, or of an ended session.", NULL);
	(void)resp_header(w, "WWW-Authenticate", "Bearer");
	return 0;
}

/*
 * The token of the request: from "Authorization: Bearer" or else the
 * access cookie.  "*token" stays NULL when there is none; "*by_cookie"
 * says where it came from.  Returns 0 for a Bearer header without a
 * token.
 */
static int
find_token(struct req *r, const char **token, int *by_cookie)
{
	const char	*h = r->hdrs[HDR_AUTHORIZATION];

	*token = NULL;
	*by_cookie = 0;
	if (h != NULL && strncasecmp(h, "Bearer", 6) == 0 &&
	    (h[6] == ' ' || h[6] == '\0')) {
		h += 6;
		while (*h == ' ')
			h++;
		*token = h;
		return *h != '\0';
	}
	/* Another scheme is not ours to judge: no credentials (7.26). */
	if ((*token = cookie_get(r->pool, r->hdrs[HDR_COOKIE], "access")) !=
	    NULL)
		*by_cookie = 1;
	return 1;
}

int
auth_authenticate(struct app *app, struct req *r, struct resp *w)
{
	struct jwt_claims	 c;
	struct principal	*who;
	const char		*token;
	int64_t			 now = time_now_ms();
	enum role		 role;
	enum err		 e;
	int			 by_cookie;

	if (!find_token(r, &token, &by_cookie))
		return invalid_token(r, w);
	if (token == NULL)
		return 1;
	if (jwt_verify(&app->jwt, token, JWT_ACCESS, now / 1000, &c) != ERR_OK)
		return invalid_token(r, w);
	e = session_principal(app->db, c.sid, c.user_id, now, &role);
	if (e == ERR_NOTFOUND)
		return invalid_token(r, w);
	if (e != ERR_OK) {
		problem_from_err(w, r, e);
		return 0;
	}
	if ((who = pool_alloc(r->pool, sizeof(*who))) == NULL ||
	    (who->user_id = pool_strdup(r->pool, c.user_id)) == NULL ||
	    (who->sid = pool_strdup(r->pool, c.sid)) == NULL) {
		problem_from_err(w, r, ERR_NOMEM);
		return 0;
	}
	who->role = role;
	who->by_cookie = by_cookie;
	r->who = who;
	return 1;
}

int
auth_origin_ok(const struct conf *conf, const char *origin)
{
	const char	*p = conf->allowed_origins, *end;
	size_t		 n;

	if (origin == NULL)
		return 1;
	n = strlen(origin);
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		end = p + strcspn(p, " ,");
		if ((size_t)(end - p) == n && n > 0 &&
		    strncmp(p, origin, n) == 0)
			return 1;
		p = end;
	}
	return 0;
}

/* Returns 1 if "s" is exactly CSRF_LEN letters and digits. */
static int
csrf_well_formed(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return 0;
	for (i = 0; i < CSRF_LEN; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return s[CSRF_LEN] == '\0';
}

int
auth_csrf_ok(const struct req *r)
{
	const char	*hdr = r->hdrs[HDR_X_CSRFTOKEN];
	const char	*cookie;

	cookie = cookie_get(r->pool, r->hdrs[HDR_COOKIE], "csrftoken");
	if (!csrf_well_formed(hdr) || !csrf_well_formed(cookie))
		return 0;
	return CRYPTO_memcmp(hdr, cookie, CSRF_LEN) == 0;
}

enum err
auth_csrf_new(char out[CSRF_LEN + 1])
{
	static const char	 alnum[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char		 rnd[64];
	size_t			 i = 0, j;

	while (i < CSRF_LEN) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return ERR_SYS;
		/* Rejection sampling: 248 = 4 * 62, so no letter is likelier. */
		for (j = 0; j < sizeof(rnd) && i < CSRF_LEN; j++)
			if (rnd[j] < 248)
				out[i++] = alnum[rnd[j] % 62];
	}
	out[CSRF_LEN] = '\0';
	return ERR_OK;
}

static enum err
set_cookie(struct resp *w, const struct conf *conf, const char *name,
    const char *val, long max_age, const char *attrs)
{
	struct buf	 b;
	enum err	 e;

	buf_init(&b);
	e = buf_printf(&b, "%s=%s; Max-Age=%ld; %s%s", name, val, max_age,
	    attrs, conf->cookie_secure ? "; Secure" : "");
	if (e == ERR_OK)
		e = resp_header(w, "Set-Cookie", b.p);
	buf_clear(&b);
	return e;
}

#define	ACCESS_ATTRS	"Path=/; HttpOnly; SameSite=Lax"
#define	REFRESH_ATTRS	"Path=/api/auth/; HttpOnly; SameSite=Strict"
#define	CSRF_ATTRS	"Path=/; SameSite=Lax"

enum err
auth_set_cookies(struct resp *w, const struct conf *conf, const char *access,
    const char *refresh, const char *csrf)
{
	enum err	 e;

	if ((e = set_cookie(w, conf, "access", access,
	    conf->access_token_lifetime, ACCESS_ATTRS)) != ERR_OK ||
	    (e = set_cookie(w, conf, "refresh", refresh,
	    conf->refresh_token_lifetime, REFRESH_ATTRS)) != ERR_OK)
		return e;
	if (csrf == NULL)
		return ERR_OK;
	return set_cookie(w, conf, "csrftoken", csrf,
	    conf->refresh_token_lifetime, CSRF_ATTRS);
}

enum err
auth_clear_cookies(struct resp *w, const struct conf *conf)
{
	enum err	 e;

	if ((e = set_cookie(w, conf, "access", "", 0, ACCESS_ATTRS)) !=
	    ERR_OK ||
	    (e = set_cookie(w, conf, "refresh", "", 0, REFRESH_ATTRS)) !=
	    ERR_OK)
		return e;
	return set_cookie(w, conf, "csrftoken", "", 0, CSRF_ATTRS);
}
