/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_USER_H
#define HM_USER_H

#include "err.h"
#include "http.h"

struct db;
struct pool;

/* A user account (SPEC section 4); strings pool-owned or NULL. */
struct	user {
	const char	*id;
	const char	*email;
	const char	*first_name;
	const char	*last_name;
	enum role	 role;
	const char	*phone_number;
	int		 is_active;
	const char	*date_joined;
	const char	*last_login;
};

/*
 * Stores a new user with the password hash "pwhash".  Fills u->id and
 * u->date_joined from "pool".  ERR_CONFLICT when the email is taken.
 */
enum err	 user_insert(struct db *, struct pool *, struct user *u,
		    const char *pwhash);

/*
 * Calls "fn" for every user, ordered by email.  The user passed is
 * valid only during the call.
 */
enum err	 user_list(struct db *, struct pool *,
		    void (*fn)(const struct user *, void *), void *arg);

/* Sets the active flag of the user with "email".  ERR_NOTFOUND if none. */
enum err	 user_set_active(struct db *, const char *email, int active);

/* Sets the role of the user with "email".  ERR_NOTFOUND if none. */
enum err	 user_set_role(struct db *, const char *email, enum role);

#endif /* !HM_USER_H */
