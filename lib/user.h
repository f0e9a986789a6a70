/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_USER_H
#define HM_USER_H

#include "err.h"
#include "http.h"

struct db;
struct json;
struct pool;

/*
 * A user account (SPEC section 4).  Strings are pool-owned, or borrowed
 * from the caller when it fills one in; NULL where the column is NULL.
 */
struct	user {
	const char	*id;
	const char	*email;
	const char	*password;	/* the Django-format hash */
	const char	*first_name;
	const char	*last_name;
	enum role	 role;
	const char	*gender;
	const char	*phone_number;
	const char	*address_line_1;
	const char	*address_line_2;
	const char	*city;
	const char	*state;
	const char	*country;
	int		 is_active;
	const char	*date_joined;
	const char	*last_login;
};

/*
 * Writes the profile of SPEC section 4 (never the hash) as an object
 * member "key" (NULL at the top or in an array).
 */
void		 user_json(struct json *, const char *key, const struct user *);

/*
 * The functions below that change rows run inside the caller's write
 * transaction (db_begin()), so that a change and what it causes (an
 * outbox mail, ended sessions) commit together; the ones that say
 * otherwise run their own.
 */

/*
 * Stores a new user; u->password is the hash.  Fills u->id and
 * u->date_joined from "pool".  ERR_CONFLICT when the email is taken.
 */
enum err	 user_insert(struct db *, struct pool *, struct user *u);

/* Loads a user by email (without regard to case) or id; ERR_NOTFOUND. */
enum err	 user_by_email(struct db *, struct pool *, const char *email,
		    struct user *);
enum err	 user_by_id(struct db *, struct pool *, const char *id,
		    struct user *);

/* Activates an inactive user; ERR_NOTFOUND if none was inactive. */
enum err	 user_activate(struct db *, const char *id);

/* Replaces the password hash. */
enum err	 user_set_password(struct db *, const char *id,
		    const char *hash);

/* Records a sign-in at "now" (RFC 3339). */
enum err	 user_signed_in(struct db *, const char *id, const char *now);

/* Stores the fields a user may change on their own profile. */
enum err	 user_update_profile(struct db *, const struct user *);

/*
 * Calls "fn" for every user, ordered by email.  The user passed is
 * valid only during the call.  Reads only; no transaction needed.
 */
enum err	 user_list(struct db *, struct pool *,
		    void (*fn)(const struct user *, void *), void *arg);

/*
 * Sets the active flag, or the role, of the user with "email", and ends
 * every session of that user (SPEC 7.27), in a transaction of their
 * own.  ERR_NOTFOUND if there is no such user.
 */
enum err	 user_set_active(struct db *, struct pool *, const char *email,
		    int active);
enum err	 user_set_role(struct db *, struct pool *, const char *email,
		    enum role);

#endif /* !HM_USER_H */
