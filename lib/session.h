/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_SESSION_H
#define HM_SESSION_H

#include <stdint.h>

#include "err.h"
#include "http.h"
#include "uuid.h"

struct db;

/*
 * Sign-in sessions (SPEC section 4).  Tokens carry the session id; a
 * request is authenticated only while its session is alive, so ending
 * a session refuses its access token at once, not at its expiry.
 * Writes run inside the caller's transaction.  Times are milliseconds
 * since the epoch.
 */

/* Why a session ended; the names are stored. */
enum	session_end {
	SESSION_LOGOUT,
	SESSION_REUSE,
	SESSION_PASSWORD_RESET,
	SESSION_DEACTIVATED,
	SESSION_ROLE_CHANGE,
	SESSION__MAX
};

/*
 * Opens a session for "user_id" that lives until "expires".  Fills
 * "sid" and "jti", the id of the one refresh token that may be used.
 */
enum err	 session_open(struct db *, const char *user_id, int64_t now,
		    int64_t expires, char sid[UUID_STRLEN + 1],
		    char jti[UUID_STRLEN + 1]);

/*
 * The role, read now, of the user of session "sid" if the session is
 * alive, belongs to "user_id", and the user is active; ERR_NOTFOUND
 * otherwise.  Reads only.
 */
enum err	 session_principal(struct db *, const char *sid,
		    const char *user_id, int64_t now, enum role *);

/*
 * Rotates the refresh token of "sid" from "old_jti" to "new_jti" and
 * extends the session to "expires".  Returns ERR_OK; ERR_DENIED when
 * "old_jti" is not the session's current refresh token, which is reuse
 * of a rotated token (RFC 9700 section 4.14.2): the session is ended,
 * even when the presenter merely lost a race (SPEC section 4 makes no
 * exception); ERR_NOTFOUND when the session is not alive.  Call inside
 * a write transaction, so that of two racing rotations exactly one
 * wins.
 */
enum err	 session_rotate(struct db *, const char *sid,
		    const char *user_id, const char *old_jti,
		    const char *new_jti, int64_t now, int64_t expires);

/* Ends one session; ending an ended one is not an error. */
enum err	 session_end(struct db *, const char *sid, enum session_end,
		    int64_t now);

/* Ends every live session of a user. */
enum err	 session_end_user(struct db *, const char *user_id,
		    enum session_end, int64_t now);

#endif /* !HM_SESSION_H */
