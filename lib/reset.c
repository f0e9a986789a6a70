/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "app.h"
#include "audit.h"
#include "conf.h"
#include "db.h"
#include "extern.h"
#include "outbox.h"
#include "password.h"
#include "pool.h"
#include "problem.h"
#include "rfc3339.h"
#include "session.h"
#include "token.h"
#include "user.h"
#include "valid.h"

/* Queues the reset mail of "u" in a transaction of its own. */
static enum err
queue_reset(struct app *app, struct pool *pool, const struct user *u)
{
	const char	*link;
	enum err	 e;

	if ((link = account_token_link(app, pool, u, TOKEN_RESET)) == NULL)
		return ERR_NOMEM;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = outbox_reset(app->db, app->conf, u->email, u->first_name,
	    link)) != ERR_OK) {
		db_rollback(app->db);
		return e;
	}
	return db_commit(app->db);
}

/*
 * POST /api/auth/reset-password/: always the same answer for a valid
 * email, so nobody learns who has an account; the mail goes only to an
 * active account, as Django's PasswordResetView does.
 */
enum err
reset_request(struct app *app, struct req *r, struct resp *w)
{
	struct valid	 v;
	struct user	 u;
	const char	*email;
	enum err	 e;

	if (!valid_begin(&v, r, w))
		return ERR_OK;
	valid_email(&v, "email", 1, &email);
	if (!valid_end(&v, r, w))
		return ERR_OK;
	e = user_by_email(app->db, r->pool, email, &u);
	if (e == ERR_OK && u.is_active)
		e = queue_reset(app, r->pool, &u);
	if (e != ERR_OK && e != ERR_NOTFOUND)
		return e;
	return account_message(w, 200, "If an account uses this email, a "
	    "link to reset its password is on its way.");
}

/* Checks the new password pair; 400 naming the field when it fails. */
static int
reset_fields(struct req *r, struct resp *w, const struct conf *conf,
    const struct user *u, const char **pw)
{
	struct valid	 v;
	const char	*again, *why;

	if (!valid_begin(&v, r, w))
		return 0;
	valid_password(&v, "password", pw);
	valid_password(&v, "confirm_password", &again);
	if (*pw != NULL && again != NULL && strcmp(*pw, again) != 0)
		(void)problem_field(r->pool, &v.errs, "confirm_password",
		    "The two passwords do not match.");
	if (*pw != NULL && (why = password_policy(*pw,
	    conf->password_min_length, conf->password_max_length, u->email,
	    u->first_name, u->last_name)) != NULL)
		(void)problem_field(r->pool, &v.errs, "password", why);
	return valid_end(&v, r, w);
}

/*
 * POST /api/auth/confirm-reset-password/<uidb64>/<token>/: sets the
 * password and ends every session of the user.  The new hash kills the
 * token; a refused password leaves it usable (SPEC 7.9).
 */
enum err
reset_confirm(struct app *app, struct req *r, struct resp *w)
{
	struct user	 u;
	struct buf	 hash;
	const char	*pw;
	enum err	 e;

	if (!account_check_link(app, r, w, TOKEN_RESET,
	    app->conf->reset_timeout, &u) ||
	    !reset_fields(r, w, app->conf, &u, &pw))
		return ERR_OK;
	buf_init(&hash);
	if ((e = password_hash(pw, app->conf->password_iterations, &hash)) !=
	    ERR_OK || (e = db_begin(app->db)) != ERR_OK)
		goto out;
	audit_add_as(r, u.id, http_role_str(u.role), "password_reset", "user",
	    u.id, NULL);
	if ((e = user_set_password(app->db, u.id, hash.p)) != ERR_OK ||
	    (e = session_end_user(app->db, u.id, SESSION_PASSWORD_RESET,
	    time_now_ms())) != ERR_OK)
		db_rollback(app->db);
	else
		e = db_commit(app->db);
out:
	if (hash.p != NULL)
		OPENSSL_cleanse(hash.p, hash.len);
	buf_clear(&hash);
	if (e != ERR_OK)
		return e;
	return account_message(w, 200, "Your password is changed; every "
	    "session of the account was signed out.");
}
