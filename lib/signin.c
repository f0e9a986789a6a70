/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "app.h"
#include "audit.h"
#include "auth.h"
#include "conf.h"
#include "cookie.h"
#include "db.h"
#include "extern.h"
#include "json.h"
#include "jwt.h"
#include "password.h"
#include "pool.h"
#include "problem.h"
#include "rfc3339.h"
#include "session.h"
#include "throttle.h"
#include "user.h"
#include "valid.h"

/* The two tokens of a session, as strings. */
struct	tokens {
	struct buf	 access;
	struct buf	 refresh;
};

static void
tokens_clear(struct tokens *t)
{

	buf_clear(&t->access);
	buf_clear(&t->refresh);
}

/*
 * Makes an access token (with a new jti) and a refresh token (with the
 * jti the session expects next) for "user_id" in session "sid".
 */
static enum err
tokens_make(struct app *app, const char *user_id, const char *sid,
    const char *refresh_jti, int64_t now, struct tokens *t)
{
	struct jwt_claims	 c;
	enum err		 e;

	buf_init(&t->access);
	buf_init(&t->refresh);
	memset(&c, 0, sizeof(c));
	snprintf(c.user_id, sizeof(c.user_id), "%s", user_id);
	snprintf(c.sid, sizeof(c.sid), "%s", sid);
	c.iat = now / 1000;
	c.type = JWT_ACCESS;
	c.exp = c.iat + app->conf->access_token_lifetime;
	if ((e = uuid_v7(now, c.jti)) != ERR_OK ||
	    (e = jwt_encode(&app->jwt, &c, &t->access)) != ERR_OK)
		return e;
	c.type = JWT_REFRESH;
	c.exp = c.iat + app->conf->refresh_token_lifetime;
	snprintf(c.jti, sizeof(c.jti), "%s", refresh_jti);
	return jwt_encode(&app->jwt, &c, &t->refresh);
}

/* {"access": …, "refresh": …} for scripts and gateways. */
static enum err
tokens_answer(struct resp *w, const struct tokens *t, int with_refresh)
{
	struct json	 j;

	json_init(&j, &w->body);
	json_obj_open(&j, NULL);
	json_str(&j, "access", t->access.p);
	if (with_refresh)
		json_str(&j, "refresh", t->refresh.p);
	json_obj_close(&j);
	w->status = 200;
	w->content_type = "application/json";
	return json_err(&j);
}

/*
 * A hash to verify against when the email is unknown, so that both
 * answers cost one PBKDF2 (SPEC section 4, Django #20760).  Made once
 * per worker with the configured iterations.
 */
static const char *
dummy_hash(const struct conf *conf)
{
	static char	 hash[128];
	struct buf	 b;

	if (hash[0] != '\0')
		return hash;
	buf_init(&b);
	if (password_hash("no password matches this", conf->password_iterations,
	    &b) == ERR_OK && b.len < sizeof(hash))
		memcpy(hash, b.p, b.len + 1);
	buf_clear(&b);
	return hash;
}

static enum err
signin_throttled(struct req *r, struct resp *w, long retry_after)
{
	char	 secs[24];

	snprintf(secs, sizeof(secs), "%ld", retry_after);
	problem_write(w, r, 429, "throttled", "Too many failed sign-ins: "
	    "try again later.", NULL);
	return resp_header(w, "Retry-After", secs);
}

/*
 * Checks email and password against the throttle and the database.
 * Returns ERR_OK with "u" filled for an active account; otherwise the
 * answer is written (400, 401, 403, 429) and "*done" is set.
 */
static enum err
signin_check(struct app *app, struct req *r, struct resp *w, struct user *u,
    int *upgrade, int *done)
{
	struct valid	 v;
	const char	*email, *pw, *addr = r->remote_addr ? r->remote_addr : "-";
	long		 retry;
	int		 ok, found;
	enum err	 e;

	*done = 1;
	if (!valid_begin(&v, r, w))
		return ERR_OK;
	valid_text(&v, "email", 1, 1, 254, &email);
	valid_password(&v, "password", &pw);
	if (!valid_end(&v, r, w))
		return ERR_OK;
	e = throttle_check(app->db, app->conf, email, addr, time_now_ms(),
	    &retry);
	if (e == ERR_DENIED) {
		audit_add_as(r, NULL, NULL, "signin_failed", "user", NULL,
		    NULL);
		return signin_throttled(r, w, retry);
	}
	if (e != ERR_OK)
		return e;
	e = user_by_email(app->db, r->pool, email, u);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e;
	found = e == ERR_OK;
	ok = password_verify(pw, found ? u->password :
	    dummy_hash(app->conf), app->conf->password_iterations, upgrade);
	if (!ok || !found) {
		if ((e = throttle_fail(app->db, app->conf, email, addr,
		    time_now_ms())) != ERR_OK)
			return e;
		/* After the throttle's commit: written with the 401. */
		audit_add_as(r, found ? u->id : NULL,
		    found ? http_role_str(u->role) : NULL, "signin_failed",
		    "user", found ? u->id : NULL, NULL);
		problem_write(w, r, 401, "invalid_credentials", "No active "
		    "account was found with this email and password.", NULL);
		return ERR_OK;
	}
	if (!u->is_active) {
		audit_add_as(r, u->id, http_role_str(u->role),
		    "signin_failed", "user", u->id, NULL);
		problem_write(w, r, 403, "account_inactive", "This account is "
		    "not activated yet: use the link in the activation mail.",
		    NULL);
		return ERR_OK;
	}
	*done = 0;
	/* Keep the password for the rehash; the pool frees it. */
	u->password = pw;
	return ERR_OK;
}

/*
 * Records the sign-in (rehashing a password stored with fewer
 * iterations than configured) and opens a session, in one transaction.
 */
static enum err
signin_open(struct app *app, struct req *r, struct user *u, int upgrade,
    int64_t now, char sid[UUID_STRLEN + 1], char jti[UUID_STRLEN + 1])
{
	char		 stamp[RFC3339_STRLEN + 1];
	struct buf	 hash;
	enum err	 e;

	buf_init(&hash);
	if ((e = time_format(now, stamp)) != ERR_OK ||
	    (upgrade && (e = password_hash(u->password,
	    app->conf->password_iterations, &hash)) != ERR_OK) ||
	    (e = db_begin(app->db)) != ERR_OK)
		goto out;
	if ((upgrade && (e = user_set_password(app->db, u->id, hash.p)) !=
	    ERR_OK) ||
	    (e = user_signed_in(app->db, u->id, stamp)) != ERR_OK ||
	    (e = session_open(app->db, u->id, now, now +
	    app->conf->refresh_token_lifetime * 1000, sid, jti)) != ERR_OK)
		db_rollback(app->db);
	else {
		/* The commit writes it, with the session. */
		audit_add_as(r, u->id, http_role_str(u->role), "signin",
		    "session", sid, NULL);
		e = db_commit(app->db);
	}
	if (e == ERR_OK &&
	    (u->last_login = pool_strdup(r->pool, stamp)) == NULL)
		e = ERR_NOMEM;
out:
	if (hash.p != NULL)
		OPENSSL_cleanse(hash.p, hash.len);
	buf_clear(&hash);
	return e;
}

/*
 * The sign-in both endpoints share: on success "t" holds the tokens of
 * a new session; otherwise the answer is written and "*done" set.
 */
static enum err
signin_common(struct app *app, struct req *r, struct resp *w, struct user *u,
    struct tokens *t, int *done)
{
	char		 sid[UUID_STRLEN + 1], jti[UUID_STRLEN + 1];
	int64_t		 now = time_now_ms();
	int		 upgrade = 0;
	enum err	 e;

	if ((e = signin_check(app, r, w, u, &upgrade, done)) != ERR_OK ||
	    *done)
		return e;
	if ((e = signin_open(app, r, u, upgrade, now, sid, jti)) !=
	    ERR_OK)
		return e;
	return tokens_make(app, u->id, sid, jti, now, t);
}

/*
 * POST /api/auth/signin/: the browser's sign-in.  Tokens go into
 * HttpOnly cookies, with a new CSRF secret (Django rotates it at every
 * sign-in); the body holds the profile.
 */
enum err
signin_cookie(struct app *app, struct req *r, struct resp *w)
{
	struct tokens	 t;
	struct user	 u;
	struct json	 j;
	char		 csrf[CSRF_LEN + 1];
	int		 done;
	enum err	 e;

	memset(&t, 0, sizeof(t));
	if ((e = signin_common(app, r, w, &u, &t, &done)) != ERR_OK || done)
		goto out;
	if ((e = auth_csrf_new(csrf)) != ERR_OK ||
	    (e = auth_set_cookies(w, app->conf, t.access.p, t.refresh.p,
	    csrf)) != ERR_OK ||
	    (e = resp_header(w, "X-CSRFToken", csrf)) != ERR_OK)
		goto out;
	json_init(&j, &w->body);
	json_obj_open(&j, NULL);
	json_str(&j, "message", "Signed in.");
	user_json(&j, "user", &u);
	json_obj_close(&j);
	w->status = 200;
	w->content_type = "application/json";
	e = json_err(&j);
out:
	tokens_clear(&t);
	return e;
}

/* POST /api/auth/token/: the same for scripts, tokens in the body. */
enum err
signin_token(struct app *app, struct req *r, struct resp *w)
{
	struct tokens	 t;
	struct user	 u;
	int		 done;
	enum err	 e;

	memset(&t, 0, sizeof(t));
	if ((e = signin_common(app, r, w, &u, &t, &done)) == ERR_OK && !done)
		e = tokens_answer(w, &t, 1);
	tokens_clear(&t);
	return e;
}

/*
 * The refresh token of the request: {"refresh": …} in the body (then
 * "*by_cookie" is 0), else the refresh cookie.  NULL when neither.
 */
static const char *
refresh_token(struct req *r, int *by_cookie)
{
	const cJSON	*item;

	*by_cookie = 0;
	if (cJSON_IsObject(r->json) &&
	    (item = cJSON_GetObjectItemCaseSensitive(r->json, "refresh")) !=
	    NULL)
		return cJSON_IsString(item) ? item->valuestring : "";
	*by_cookie = 1;
	return cookie_get(r->pool, r->hdrs[HDR_COOKIE], "refresh");
}

/*
 * Rotates the session's refresh token in a write transaction, so that of
 * two racing refreshes exactly one wins; commits even when it refuses,
 * since reuse detection ends the session.
 */
static enum err
refresh_rotate(struct app *app, const struct jwt_claims *c,
    const char *new_jti, int64_t now)
{
	enum err	 e, rot;

	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	rot = session_rotate(app->db, c->sid, c->user_id, c->jti, new_jti, now,
	    now + app->conf->refresh_token_lifetime * 1000);
	if (rot != ERR_OK && rot != ERR_DENIED && rot != ERR_NOTFOUND) {
		db_rollback(app->db);
		return rot;
	}
	if ((e = db_commit(app->db)) != ERR_OK)
		return e;
	return rot == ERR_OK ? ERR_OK : ERR_NOTFOUND;
}

static enum err
refresh_refused(struct req *r, struct resp *w)
{

	problem_write(w, r, 401, "invalid_token", "The refresh token is "
	    "invalid, expired, or was already used.", NULL);
	return ERR_OK;
}

/*
 * POST /api/auth/refresh/: a new access token and a rotated refresh
 * token.  From the cookie it needs the CSRF header and answers with
 * cookies; from the body it needs neither and answers in the body
 * (SPEC 7.30).
 */
enum err
signin_refresh(struct app *app, struct req *r, struct resp *w)
{
	struct jwt_claims	 c;
	struct tokens		 t;
	char			 jti[UUID_STRLEN + 1];
	const char		*token;
	int64_t			 now = time_now_ms();
	int			 by_cookie;
	enum err		 e;

	if ((token = refresh_token(r, &by_cookie)) == NULL) {
		problem_write(w, r, 401, "not_authenticated", "No refresh "
		    "token was provided.", NULL);
		return ERR_OK;
	}
	if (by_cookie && !auth_csrf_ok(r)) {
		problem_write(w, r, 403, "csrf_failed", "CSRF token missing "
		    "or incorrect.", NULL);
		return ERR_OK;
	}
	if (jwt_verify(&app->jwt, token, JWT_REFRESH, now / 1000, &c) !=
	    ERR_OK)
		return refresh_refused(r, w);
	if ((e = uuid_v7(now, jti)) != ERR_OK)
		return e;
	if ((e = refresh_rotate(app, &c, jti, now)) == ERR_NOTFOUND)
		return refresh_refused(r, w);
	if (e != ERR_OK)
		return e;
	memset(&t, 0, sizeof(t));
	if ((e = tokens_make(app, c.user_id, c.sid, jti, now, &t)) == ERR_OK) {
		if (by_cookie && (e = auth_set_cookies(w, app->conf,
		    t.access.p, t.refresh.p, NULL)) != ERR_OK)
			goto out;
		e = tokens_answer(w, &t, !by_cookie);
	}
out:
	tokens_clear(&t);
	return e;
}

/* POST /api/auth/logout/: ends this session only, clears the cookies. */
enum err
signin_logout(struct app *app, struct req *r, struct resp *w)
{
	enum err	 e;

	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = session_end(app->db, r->who->sid, SESSION_LOGOUT,
	    time_now_ms())) != ERR_OK) {
		db_rollback(app->db);
		return e;
	}
	audit_add(r, "logout", "session", r->who->sid, NULL);
	if ((e = db_commit(app->db)) != ERR_OK ||
	    (e = auth_clear_cookies(w, app->conf)) != ERR_OK)
		return e;
	return account_message(w, 200, "Signed out.");
}
