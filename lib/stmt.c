/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "extern.h"

/* The columns user.c reads, in the order of its user_row(). */
#define	USER_COLUMNS	"id, email, password, first_name, last_name, " \
		"user_role, gender, phone_number, address_line_1, address_line_2, " \
		"city, state, country, is_active, date_joined, last_login"

/*
 * Every SQL statement of the service, prepared once at start-up with
 * SQLITE_PREPARE_PERSISTENT (so a typo fails at boot) and only ever
 * bound, never formatted.  Designated initializers, so that the order
 * here need not follow enum stmt; db_prepare() fails on a hole.
 */
const char *const stmt_sql[STMT__MAX] = {
	/* take the write lock now, where busy_timeout applies */
	[STMT_BEGIN] =
		"BEGIN IMMEDIATE",
	[STMT_COMMIT] =
		"COMMIT",
	[STMT_ROLLBACK] =
		"ROLLBACK",
	[STMT_HEALTH] =
		"SELECT count(*) FROM (SELECT 1 FROM users LIMIT 1)",
	[STMT_USER_INSERT] =
		"INSERT INTO users (id, email, password, first_name, last_name, "
		"user_role, gender, phone_number, address_line_1, address_line_2, "
		"city, state, country, is_active, date_joined) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_USER_LIST] =
		"SELECT " USER_COLUMNS " FROM users ORDER BY email, id",
	[STMT_USER_SET_ACTIVE] =
		"UPDATE users SET is_active = ? WHERE id = ?",
	[STMT_USER_SET_ROLE] =
		"UPDATE users SET user_role = ? WHERE id = ?",
	[STMT_DEVICE_INSERT] =
		"INSERT INTO devices (id, serial_number, model_name, manufacturer, "
		"status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	[STMT_DEVICE_LIST] =
		"SELECT id, serial_number, model_name, manufacturer, status, "
		"created_at FROM devices ORDER BY serial_number, id",
	[STMT_USER_BY_EMAIL] =
		"SELECT " USER_COLUMNS " FROM users WHERE email = ?",
	[STMT_USER_BY_ID] =
		"SELECT " USER_COLUMNS " FROM users WHERE id = ?",
	[STMT_USER_ACTIVATE] =
		"UPDATE users SET is_active = 1 WHERE id = ? AND is_active = 0",
	[STMT_USER_SET_PASSWORD] =
		"UPDATE users SET password = ? WHERE id = ?",
	[STMT_USER_SIGNED_IN] =
		"UPDATE users SET last_login = ? WHERE id = ?",
	[STMT_USER_UPDATE_PROFILE] =
		"UPDATE users SET first_name = ?, last_name = ?, phone_number = ?, "
		"gender = ?, address_line_1 = ?, address_line_2 = ?, city = ?, "
		"state = ?, country = ? WHERE id = ?",
	[STMT_SESSION_INSERT] =
		"INSERT INTO sessions (id, user_id, refresh_jti, created_at, "
		"expires_at) VALUES (?, ?, ?, ?, ?)",
	/* the role as it is now, if all is alive */
	[STMT_SESSION_PRINCIPAL] =
		"SELECT u.user_role FROM sessions s JOIN users u ON u.id = s.user_id "
		"WHERE s.id = ? AND s.user_id = ? AND s.ended_at IS NULL "
		"AND s.expires_at > ? AND u.is_active = 1",
	[STMT_SESSION_ROTATE] =
		"UPDATE sessions SET refresh_jti = ?, rotated_at = ?, expires_at = ? "
		"WHERE id = ? AND user_id = ? AND refresh_jti = ? "
		"AND ended_at IS NULL AND expires_at > ?",
	[STMT_SESSION_GET] =
		"SELECT ended_at IS NOT NULL FROM sessions WHERE id = ?",
	[STMT_SESSION_END] =
		"UPDATE sessions SET ended_at = ?, end_reason = ? "
		"WHERE id = ? AND ended_at IS NULL",
	[STMT_SESSION_END_USER] =
		"UPDATE sessions SET ended_at = ?, end_reason = ? "
		"WHERE user_id = ? AND ended_at IS NULL",
	[STMT_THROTTLE_EMAIL] =
		"SELECT count(*), min(at) FROM signin_failures "
		"WHERE email = ? AND at > ?",
	[STMT_THROTTLE_ADDRESS] =
		"SELECT count(*), min(at) FROM signin_failures "
		"WHERE client_address = ? AND at > ?",
	[STMT_THROTTLE_INSERT] =
		"INSERT INTO signin_failures (email, client_address, at) "
		"VALUES (?, ?, ?)",
	[STMT_THROTTLE_PRUNE] =
		"DELETE FROM signin_failures WHERE at <= ?",
	[STMT_OUTBOX_INSERT] =
		"INSERT INTO outbox (id, recipient, subject, body_text, body_html, "
		"next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	/* the next due mail (index outbox_due) */
	[STMT_OUTBOX_TAKE] =
		"SELECT id, recipient, subject, body_text, body_html, attempts "
		"FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
		"ORDER BY next_attempt_at, id LIMIT 1",
	/* one change means the mail is ours */
	[STMT_OUTBOX_LEASE] =
		"UPDATE outbox SET next_attempt_at = ? WHERE id = ? "
		"AND status = 'pending' AND next_attempt_at <= ?",
	/* links do not outlive their mail */
	[STMT_OUTBOX_SENT] =
		"UPDATE outbox SET status = 'sent', attempts = attempts + 1, "
		"sent_at = ?, body_text = '', body_html = '', last_error = NULL "
		"WHERE id = ? AND status = 'pending'",
	[STMT_OUTBOX_LATER] =
		"UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, "
		"last_error = ? WHERE id = ? AND status = 'pending'",
	[STMT_OUTBOX_FAILED] =
		"UPDATE outbox SET status = 'failed', attempts = attempts + 1, "
		"last_error = ? WHERE id = ? AND status = 'pending'",
	[STMT_OUTBOX_LIST] =
		"SELECT id, status, attempts, recipient, subject, last_error, "
		"created_at FROM outbox ORDER BY created_at, id",
	[STMT_OUTBOX_LIST_STATUS] =
		"SELECT id, status, attempts, recipient, subject, last_error, "
		"created_at FROM outbox WHERE status = ? ORDER BY created_at, id",
	[STMT_OUTBOX_STATUS] =
		"SELECT status FROM outbox WHERE id = ?",
	[STMT_OUTBOX_REVIVE] =
		"UPDATE outbox SET status = 'pending', attempts = 0, "
		"next_attempt_at = ?, last_error = NULL WHERE id = ? "
		"AND status IN ('pending', 'failed')",
	[STMT_OUTBOX_REVIVE_FAILED] =
		"UPDATE outbox SET status = 'pending', attempts = 0, "
		"next_attempt_at = ?, last_error = NULL WHERE status = 'failed'",
};
