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
#include "json.h"
#include "outbox.h"
#include "password.h"
#include "pool.h"
#include "problem.h"
#include "rfc3339.h"
#include "token.h"
#include "user.h"
#include "valid.h"

/* The roles registration may ask for: never admin (SPEC section 3). */
static const char *const register_roles[] = { "staff", "doctor", "nurse",
    NULL };

#define	NAME_MAX_LEN	150
#define	ADDRESS_MAX_LEN	255

enum err
account_message(struct resp *w, int status, const char *message)
{
	struct json	 j;

	json_init(&j, &w->body);
	json_obj_open(&j, NULL);
	json_str(&j, "message", message);
	json_obj_close(&j);
	w->status = status;
	w->content_type = "application/json";
	return json_err(&j);
}

/*
 * Builds a mail link from a template of ACTIVATION_URL or RESET_URL,
 * replacing {PUBLIC_URL}, {uid} (the user id, base64url) and {token}.
 * Returns a pool-owned string or NULL.
 */
static char *
link_from(struct pool *pool, const struct conf *conf, const char *tmpl,
    const char *user_id, const char *token)
{
	struct buf	 b, uid;
	const char	*p;
	char		*link = NULL;
	enum err	 e = ERR_OK;

	buf_init(&b);
	buf_init(&uid);
	if (token_uid_encode(&uid, user_id) != ERR_OK)
		goto out;
	for (p = tmpl; *p != '\0' && e == ERR_OK; )
		if (strncmp(p, "{PUBLIC_URL}", 12) == 0) {
			e = buf_puts(&b, conf->public_url);
			p += 12;
		} else if (strncmp(p, "{uid}", 5) == 0) {
			e = buf_puts(&b, uid.p);
			p += 5;
		} else if (strncmp(p, "{token}", 7) == 0) {
			e = buf_puts(&b, token);
			p += 7;
		} else
			e = buf_putc(&b, *p++);
	if (e == ERR_OK)
		link = pool_strdup(pool, buf_str(&b));
out:
	buf_clear(&b);
	buf_clear(&uid);
	return link;
}

/* The state an account token is bound to (lib/token.h). */
static void
token_state_of(const struct user *u, struct token_state *st)
{

	st->user_id = u->id;
	st->password_hash = u->password;
	st->last_login = u->last_login;
	st->email = u->email;
	st->is_active = u->is_active;
}

char *
account_token_link(struct app *app, struct pool *pool, const struct user *u,
    enum token_purpose purpose)
{
	struct token_state	 st;
	struct buf		 token;
	char			*link = NULL;

	buf_init(&token);
	token_state_of(u, &st);
	if (token_make(app->conf->secret_key, purpose, &st,
	    time_now_ms() / 1000, &token) == ERR_OK)
		link = link_from(pool, app->conf, purpose == TOKEN_RESET ?
		    app->conf->reset_url : app->conf->activation_url, u->id,
		    token.p);
	buf_clear(&token);
	return link;
}

/* Queues the activation mail of "u", in the caller's transaction. */
static enum err
queue_activation(struct app *app, struct pool *pool, const struct user *u)
{
	const char	*link;

	if ((link = account_token_link(app, pool, u, TOKEN_ACTIVATE)) == NULL)
		return ERR_NOMEM;
	return outbox_activation(app->db, app->conf, u->email, u->first_name,
	    link);
}

/* Reads and checks the registration fields into "u" and "pw". */
static int
register_fields(struct req *r, struct resp *w, const struct conf *conf,
    struct user *u, const char **pw)
{
	struct valid	 v;
	const char	*again, *role, *why;

	memset(u, 0, sizeof(*u));
	if (!valid_begin(&v, r, w))
		return 0;
	valid_email(&v, "email", 1, &u->email);
	valid_password(&v, "password", pw);
	valid_password(&v, "confirm_password", &again);
	valid_text(&v, "first_name", 1, 1, NAME_MAX_LEN, &u->first_name);
	valid_text(&v, "last_name", 1, 1, NAME_MAX_LEN, &u->last_name);
	valid_choice(&v, "user_role", 1, register_roles, &role);
	valid_phone(&v, "phone_number", 1, &u->phone_number);
	valid_choice(&v, "gender", 0, valid_genders, &u->gender);
	valid_text(&v, "address_line_1", 0, 0, ADDRESS_MAX_LEN,
	    &u->address_line_1);
	valid_text(&v, "address_line_2", 0, 0, ADDRESS_MAX_LEN,
	    &u->address_line_2);
	valid_text(&v, "city", 0, 0, ADDRESS_MAX_LEN, &u->city);
	valid_text(&v, "state", 0, 0, ADDRESS_MAX_LEN, &u->state);
	valid_text(&v, "country", 0, 0, ADDRESS_MAX_LEN, &u->country);
	if (*pw != NULL && again != NULL && strcmp(*pw, again) != 0)
		(void)problem_field(r->pool, &v.errs, "confirm_password",
		    "The two passwords do not match.");
	if (*pw != NULL && (why = password_policy(*pw,
	    conf->password_min_length, conf->password_max_length, u->email,
	    u->first_name, u->last_name)) != NULL)
		(void)problem_field(r->pool, &v.errs, "password", why);
	if (role != NULL)
		u->role = http_role(role);
	return valid_end(&v, r, w);
}

/*
 * Stores the account, or for an email already registered queues a
 * fresh activation mail (inactive) or a notice without a link (active);
 * nothing else changes (SPEC 7.8, 7.29).  A new account is audited
 * (created by nobody, unless someone signed in registers it), in the
 * same transaction.
 */
static enum err
register_store(struct app *app, struct req *r, struct user *u)
{
	struct pool	*pool = r->pool;
	struct user	 old;
	enum err	 e;

	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	e = user_by_email(app->db, pool, u->email, &old);
	if (e == ERR_OK && !old.is_active)
		e = queue_activation(app, pool, &old);
	else if (e == ERR_OK)
		e = outbox_already_registered(app->db, app->conf, old.email,
		    old.first_name);
	else if (e == ERR_NOTFOUND &&
	    (e = user_insert(app->db, pool, u)) == ERR_OK) {
		audit_add(r, "create", "user", u->id, NULL);
		e = queue_activation(app, pool, u);
	}
	if (e != ERR_OK) {
		db_rollback(app->db);
		/* Lost a race with the same email: the same answer. */
		return e == ERR_CONFLICT ? ERR_OK : e;
	}
	return db_commit(app->db);
}

/*
 * POST /api/auth/register/.  The answer is the same whether or not the
 * email was known, and so is the work: a password is hashed either way.
 */
enum err
account_register(struct app *app, struct req *r, struct resp *w)
{
	struct user	 u;
	struct buf	 hash;
	const char	*pw;
	enum err	 e;

	if (!register_fields(r, w, app->conf, &u, &pw))
		return ERR_OK;
	buf_init(&hash);
	if ((e = password_hash(pw, app->conf->password_iterations, &hash)) ==
	    ERR_OK) {
		u.password = hash.p;
		u.is_active = 0;
		e = register_store(app, r, &u);
	}
	if (hash.p != NULL)
		OPENSSL_cleanse(hash.p, hash.len);
	buf_clear(&hash);
	if (e != ERR_OK)
		return e;
	return account_message(w, 201, "Account created. Check your email "
	    "for the link that activates it.");
}

/*
 * Loads the user of a link's uidb64 and checks its token for "purpose";
 * writes 400 invalid_token and returns 0 when either fails.
 */
int
account_check_link(struct app *app, struct req *r, struct resp *w,
    enum token_purpose purpose, long timeout, struct user *u)
{
	struct token_state	 st;
	const char		*id;
	enum err		 e;

	if ((id = token_uid_decode(r->pool, r->params[0])) == NULL ||
	    (e = user_by_id(app->db, r->pool, id, u)) == ERR_NOTFOUND) {
		problem_write(w, r, 400, "invalid_token", "The link is "
		    "invalid or has expired.", NULL);
		return 0;
	}
	if (e != ERR_OK) {
		problem_from_err(w, r, e);
		return 0;
	}
	token_state_of(u, &st);
	if (!token_check(app->conf->secret_key, purpose, &st, r->params[1],
	    time_now_ms() / 1000, timeout)) {
		problem_write(w, r, 400, "invalid_token", "The link is "
		    "invalid or has expired.", NULL);
		return 0;
	}
	return 1;
}

/* GET or POST /api/auth/activate/<uidb64>/<token>/: works once. */
enum err
account_activate(struct app *app, struct req *r, struct resp *w)
{
	struct user	 u;
	enum err	 e;

	if (!account_check_link(app, r, w, TOKEN_ACTIVATE,
	    app->conf->activation_timeout, &u))
		return ERR_OK;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = user_activate(app->db, u.id)) != ERR_OK) {
		db_rollback(app->db);
		return e;
	}
	audit_add_as(r, u.id, http_role_str(u.role), "activate", "user", u.id,
	    NULL);
	if ((e = db_commit(app->db)) != ERR_OK)
		return e;
	return account_message(w, 200, "Your account is active: you can "
	    "sign in.");
}

static enum err
profile_answer(struct resp *w, const struct user *u)
{
	struct json	 j;

	json_init(&j, &w->body);
	user_json(&j, NULL, u);
	w->status = 200;
	w->content_type = "application/json";
	return json_err(&j);
}

/* GET /api/auth/profile/ */
enum err
account_profile(struct app *app, struct req *r, struct resp *w)
{
	struct user	 u;
	enum err	 e;

	if ((e = user_by_id(app->db, r->pool, r->who->user_id, &u)) != ERR_OK)
		return e;
	return profile_answer(w, &u);
}

/*
 * Overlays the members of the PATCH body that a user may change on
 * "u"; email, user_role and flags are ignored (SPEC section 4).
 */
static int
profile_fields(struct req *r, struct resp *w, struct user *u)
{
	struct valid	 v;
	const char	*s;

	if (!valid_begin(&v, r, w))
		return 0;
	if (valid_has(&v, "first_name") &&
	    valid_text(&v, "first_name", 1, 1, NAME_MAX_LEN, &s))
		u->first_name = s;
	if (valid_has(&v, "last_name") &&
	    valid_text(&v, "last_name", 1, 1, NAME_MAX_LEN, &s))
		u->last_name = s;
	if (valid_has(&v, "phone_number") &&
	    valid_phone(&v, "phone_number", 1, &s))
		u->phone_number = s;
	if (valid_has(&v, "gender") &&
	    valid_choice(&v, "gender", 0, valid_genders, &s))
		u->gender = s;
	if (valid_has(&v, "address_line_1") &&
	    valid_text(&v, "address_line_1", 0, 0, ADDRESS_MAX_LEN, &s))
		u->address_line_1 = s;
	if (valid_has(&v, "address_line_2") &&
	    valid_text(&v, "address_line_2", 0, 0, ADDRESS_MAX_LEN, &s))
		u->address_line_2 = s;
	if (valid_has(&v, "city") &&
	    valid_text(&v, "city", 0, 0, ADDRESS_MAX_LEN, &s))
		u->city = s;
	if (valid_has(&v, "state") &&
	    valid_text(&v, "state", 0, 0, ADDRESS_MAX_LEN, &s))
		u->state = s;
	if (valid_has(&v, "country") &&
	    valid_text(&v, "country", 0, 0, ADDRESS_MAX_LEN, &s))
		u->country = s;
	return valid_end(&v, r, w);
}

/* PATCH /api/auth/profile/ */
enum err
account_profile_patch(struct app *app, struct req *r, struct resp *w)
{
	struct user	 u;
	enum err	 e;

	if ((e = user_by_id(app->db, r->pool, r->who->user_id, &u)) != ERR_OK)
		return e;
	if (!profile_fields(r, w, &u))
		return ERR_OK;
	if ((e = db_begin(app->db)) != ERR_OK)
		return e;
	if ((e = user_update_profile(app->db, &u)) != ERR_OK) {
		db_rollback(app->db);
		return e;
	}
	if ((e = db_commit(app->db)) != ERR_OK)
		return e;
	return profile_answer(w, &u);
}
