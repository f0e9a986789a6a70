/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "extern.h"

/*
 * Every SQL statement of the service, prepared once at start-up with
 * SQLITE_PREPARE_PERSISTENT (so a typo fails at boot) and only ever
 * bound, never formatted.
 */
const char *const stmt_sql[STMT__MAX] = {
	/* STMT_BEGIN: take the write lock now, where busy_timeout applies */
	"BEGIN IMMEDIATE",
	/* STMT_COMMIT */
	"COMMIT",
	/* STMT_ROLLBACK */
	"ROLLBACK",
	/* STMT_HEALTH */
	"SELECT count(*) FROM (SELECT 1 FROM users LIMIT 1)",
	/* STMT_USER_INSERT */
	"INSERT INTO users (id, email, password, first_name, last_name, "
	"user_role, phone_number, is_active, date_joined) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* STMT_USER_LIST */
	"SELECT id, email, first_name, last_name, user_role, phone_number, "
	"is_active, date_joined, last_login FROM users ORDER BY email, id",
	/* STMT_USER_SET_ACTIVE */
	"UPDATE users SET is_active = ? WHERE email = ?",
	/* STMT_USER_SET_ROLE */
	"UPDATE users SET user_role = ? WHERE email = ?",
	/* STMT_DEVICE_INSERT */
	"INSERT INTO devices (id, serial_number, model_name, manufacturer, "
	"status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	/* STMT_DEVICE_LIST */
	"SELECT id, serial_number, model_name, manufacturer, status, "
	"created_at FROM devices ORDER BY serial_number, id",
};
