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
 * The columns patient.c reads, in the order of its patient_row(); the
 * insert binds them as ?1 to ?15 in this order.
 */
#define	PATIENT_COLUMNS	"id, first_name, last_name, gender, date_of_birth, " \
		"phone_number, email, address_line_1, address_line_2, city, " \
		"state, country, medical_record_number, created_at, updated_at"
/*
 * The list's filters (lib/patient.h), NULL: any.  city, state and
 * country are COLLATE NOCASE columns, so "=" ignores case; ?4 is a LIKE
 * pattern made by db_like_pattern().
 */
#define	PATIENT_WHERE	"WHERE (?1 IS NULL OR city = ?1) " \
		"AND (?2 IS NULL OR state = ?2) " \
		"AND (?3 IS NULL OR country = ?3) " \
		"AND (?4 IS NULL OR first_name LIKE ?4 ESCAPE '\\' " \
		"OR last_name LIKE ?4 ESCAPE '\\' OR email LIKE ?4 ESCAPE '\\' " \
		"OR phone_number LIKE ?4 ESCAPE '\\' " \
		"OR medical_record_number LIKE ?4 ESCAPE '\\') "
/* One page of the list in "order", ties broken by id (SPEC 7.12, 7.32). */
#define	PATIENT_LIST(order) "SELECT " PATIENT_COLUMNS " FROM patients " \
		PATIENT_WHERE "ORDER BY " order " LIMIT ?5 OFFSET ?6"
/*
 * The same filters with the search found by the trigram index of
 * sql/006 (?4 an FTS5 phrase made by lib/patient.c), for terms of three
 * characters or more: the patients are looked up by the index's hits.
 */
#define	PATIENT_SEARCH_WHERE "WHERE id IN (SELECT s.patient_id " \
		"FROM patient_search_fts JOIN patient_search s " \
		"ON s.seq = patient_search_fts.rowid " \
		"WHERE patient_search_fts MATCH ?4) " \
		"AND (?1 IS NULL OR city = ?1) " \
		"AND (?2 IS NULL OR state = ?2) " \
		"AND (?3 IS NULL OR country = ?3) "
#define	PATIENT_SEARCH_LIST(order) "SELECT " PATIENT_COLUMNS \
		" FROM patients " PATIENT_SEARCH_WHERE "ORDER BY " order \
		" LIMIT ?5 OFFSET ?6"

/*
 * The columns reading.c reads, in the order of its reading_row(); the
 * insert binds them (from id on) as ?1 to ?9.
 */
#define	READING_COLUMNS_OF(t) t "seq, " t "id, " t "patient_id, " \
		t "admission_id, " t "bpm, " t "status, " t "notes, " \
		t "handled_by, " t "measured_at, " t "recorded_at"
#define	READING_COLUMNS	READING_COLUMNS_OF("")
/*
 * A page of readings (lib/reading.c).  The scope (all, one patient,
 * one admission, one user: ?1) picks the index of sql/004 whose keyset
 * is the range: OLDER reads down from the position (?8, ?9) to the
 * lower bound ?7, NEWER up from it to the upper bound ?7; reading.c
 * folds since/until and the cursor into those bounds.  The filters ?2
 * to ?6 are checked on the rows of the range.  ?6 is a LIKE pattern
 * over the patient's names.
 */
#define	READING_FILTER	"(?2 IS NULL OR patient_id = ?2) " \
		"AND (?3 IS NULL OR admission_id = ?3) " \
		"AND (?4 IS NULL OR status = ?4) " \
		"AND (?5 IS NULL OR handled_by = ?5) " \
		"AND (?6 IS NULL OR patient_id IN (SELECT id FROM patients " \
		"WHERE first_name LIKE ?6 ESCAPE '\\' " \
		"OR last_name LIKE ?6 ESCAPE '\\')) "
#define	READING_OLDER(scope) "SELECT " READING_COLUMNS " FROM readings " \
		"WHERE " scope READING_FILTER "AND measured_at >= ?7 " \
		"AND (measured_at, seq) < (?8, ?9) " \
		"ORDER BY measured_at DESC, seq DESC LIMIT ?10"
#define	READING_NEWER(scope) "SELECT " READING_COLUMNS " FROM readings " \
		"WHERE " scope READING_FILTER "AND measured_at <= ?7 " \
		"AND (measured_at, seq) > (?8, ?9) " \
		"ORDER BY measured_at, seq LIMIT ?10"

/*
 * The audit trail (lib/audit.c), its lists built as the readings'
 * (scope ?1 picks the index; ?2 to ?4 filter; ?5 to ?7 the range).
 */
#define	AUDIT_COLUMNS	"id, time, user_id, role, action, object_type, " \
		"object_id, patient_id, outcome, client_address, request_id"
#define	AUDIT_FILTER	"(?2 IS NULL OR user_id = ?2) " \
		"AND (?3 IS NULL OR patient_id = ?3) " \
		"AND (?4 IS NULL OR action = ?4) "
#define	AUDIT_OLDER(scope) "SELECT " AUDIT_COLUMNS " FROM audit " \
		"WHERE " scope AUDIT_FILTER "AND time >= ?5 " \
		"AND (time, id) < (?6, ?7) ORDER BY time DESC, id DESC LIMIT ?8"
#define	AUDIT_NEWER(scope) "SELECT " AUDIT_COLUMNS " FROM audit " \
		"WHERE " scope AUDIT_FILTER "AND time <= ?5 " \
		"AND (time, id) > (?6, ?7) ORDER BY time, id LIMIT ?8"

/*
 * The columns admission.c reads, in the order of its admission_row():
 * the admission and what its detail embeds (SPEC 7.16).  The user may
 * be gone (admitted_by is SET NULL), hence the LEFT JOIN.
 */
#define	ADMISSION_SELECT	"SELECT a.id, a.patient_id, " \
		"a.device_id, a.admitted_by, a.admission_date, " \
		"a.discharge_date, a.is_discharged, a.ward, a.bed, " \
		"p.first_name, p.last_name, p.date_of_birth, " \
		"d.serial_number, d.model_name, " \
		"u.first_name, u.last_name, u.user_role FROM admissions a " \
		"JOIN patients p ON p.id = a.patient_id " \
		"JOIN devices d ON d.id = a.device_id " \
		"LEFT JOIN users u ON u.id = a.admitted_by "
/* The list's filters: patient, device, is_discharged, ward; NULL: any. */
#define	ADMISSION_WHERE	"WHERE " \
		"(?1 IS NULL OR a.patient_id = ?1) " \
		"AND (?2 IS NULL OR a.device_id = ?2) " \
		"AND (?3 IS NULL OR a.is_discharged = ?3) " \
		"AND (?4 IS NULL OR a.ward = ?4) "

/*
 * The columns device.c reads, in the order of its device_row(): the
 * device and the id of the open admission using it, if any (the
 * partial unique index admissions_open_device finds it).
 */
#define	DEVICE_COLUMNS	"d.id, d.serial_number, d.model_name, " \
		"d.manufacturer, d.status, d.created_at, (SELECT a.id " \
		"FROM admissions a WHERE a.device_id = d.id " \
		"AND a.is_discharged = 0) "
/*
 * The list's filters (lib/device.h), NULL: any.  ?1 a status; ?2 is 1
 * for the available devices (active, in no open admission), 0 for the
 * others; ?3 a LIKE pattern whose "\", "%" and "_" device.c escaped.
 */
#define	DEVICE_WHERE	"WHERE (?1 IS NULL OR d.status = ?1) " \
		"AND (?2 IS NULL OR ?2 = (d.status = 'active' AND NOT EXISTS " \
		"(SELECT 1 FROM admissions a WHERE a.device_id = d.id " \
		"AND a.is_discharged = 0))) " \
		"AND (?3 IS NULL OR d.serial_number LIKE ?3 ESCAPE '\\' " \
		"OR d.model_name LIKE ?3 ESCAPE '\\' " \
		"OR d.manufacturer LIKE ?3 ESCAPE '\\') "
/* One page of the list in "order", ties broken by id (SPEC 7.12, 7.32). */
#define	DEVICE_LIST(order) "SELECT " DEVICE_COLUMNS "FROM devices d " \
		DEVICE_WHERE "ORDER BY " order " LIMIT ?4 OFFSET ?5"

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
	[STMT_SAVEPOINT] =
		"SAVEPOINT nested",
	[STMT_RELEASE] =
		"RELEASE nested",
	[STMT_ROLLBACK_TO] =
		"ROLLBACK TO nested",
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
		"SELECT " DEVICE_COLUMNS "FROM devices d "
		"ORDER BY d.serial_number, d.id",
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
	[STMT_ADMISSION_GET] =
		ADMISSION_SELECT "WHERE a.id = ?",
	[STMT_ADMISSION_COUNT] =
		"SELECT count(*) FROM admissions a " ADMISSION_WHERE,
	[STMT_ADMISSION_LIST_DATE] =
		ADMISSION_SELECT ADMISSION_WHERE
		"ORDER BY a.admission_date, a.id LIMIT ?5 OFFSET ?6",
	/* SPEC 7.32: a descending ordering breaks ties by descending id */
	[STMT_ADMISSION_LIST_DATE_DESC] =
		ADMISSION_SELECT ADMISSION_WHERE
		"ORDER BY a.admission_date DESC, a.id DESC LIMIT ?5 OFFSET ?6",
	/* the partial unique indexes refuse a second open admission */
	[STMT_ADMISSION_INSERT] =
		"INSERT INTO admissions (id, patient_id, device_id, "
		"admitted_by, admission_date, ward, bed) "
		"VALUES (?, ?, ?, ?, ?, ?, ?)",
	[STMT_ADMISSION_UPDATE] =
		"UPDATE admissions SET device_id = ?, ward = ?, bed = ? "
		"WHERE id = ? AND is_discharged = 0",
	[STMT_ADMISSION_DISCHARGE] =
		"UPDATE admissions SET is_discharged = 1, discharge_date = ? "
		"WHERE id = ? AND is_discharged = 0",
	[STMT_ADMISSION_OPEN_PATIENT] =
		"SELECT count(*) FROM admissions WHERE patient_id = ?1 "
		"AND is_discharged = 0 AND (?2 IS NULL OR id <> ?2)",
	[STMT_ADMISSION_OPEN_DEVICE] =
		"SELECT count(*) FROM admissions WHERE device_id = ?1 "
		"AND is_discharged = 0 AND (?2 IS NULL OR id <> ?2)",
	[STMT_ADMISSION_PATIENT_EXISTS] =
		"SELECT count(*) FROM patients WHERE id = ?",
	[STMT_ADMISSION_DEVICE_STATUS] =
		"SELECT status FROM devices WHERE id = ?",
	[STMT_READING_INSERT] =
		"INSERT INTO readings (id, patient_id, admission_id, bpm, status, "
		"notes, handled_by, measured_at, recorded_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_READING_GET] =
		"SELECT " READING_COLUMNS " FROM readings WHERE id = ?",
	[STMT_READING_OPEN_ADMISSION] =
		"SELECT id, admission_date FROM admissions "
		"WHERE patient_id = ? AND is_discharged = 0",
	[STMT_READING_OLDER_ALL] = READING_OLDER(""),
	[STMT_READING_NEWER_ALL] = READING_NEWER(""),
	[STMT_READING_OLDER_PATIENT] = READING_OLDER("patient_id = ?1 AND "),
	[STMT_READING_NEWER_PATIENT] = READING_NEWER("patient_id = ?1 AND "),
	[STMT_READING_OLDER_ADMISSION] =
		READING_OLDER("admission_id = ?1 AND "),
	[STMT_READING_NEWER_ADMISSION] =
		READING_NEWER("admission_id = ?1 AND "),
	[STMT_READING_OLDER_USER] = READING_OLDER("handled_by = ?1 AND "),
	[STMT_READING_NEWER_USER] = READING_NEWER("handled_by = ?1 AND "),
	/*
	 * The ward overview (lib/monitor.c): each open admission with its
	 * newest reading, found by one probe of readings_admission.
	 */
	[STMT_MONITOR] =
		"SELECT a.id, a.ward, a.bed, a.admission_date, p.id, "
		"p.first_name, p.last_name, d.id, d.serial_number, "
		READING_COLUMNS_OF("r.") " FROM admissions a "
		"JOIN patients p ON p.id = a.patient_id "
		"JOIN devices d ON d.id = a.device_id "
		"LEFT JOIN readings r ON r.seq = (SELECT seq FROM readings "
		"WHERE admission_id = a.id "
		"ORDER BY measured_at DESC, seq DESC LIMIT 1) "
		"WHERE a.is_discharged = 0 AND (?1 IS NULL OR a.ward = ?1) "
		"ORDER BY a.ward, a.bed, a.admission_date, a.id",
	/* The live stream (lib/stream.c): readings in commit order. */
	[STMT_STREAM_SINCE] =
		"SELECT " READING_COLUMNS_OF("r.") ", a.ward FROM readings r "
		"JOIN admissions a ON a.id = r.admission_id "
		"WHERE r.seq > ? ORDER BY r.seq LIMIT ?",
	[STMT_STREAM_NEWEST] =
		"SELECT coalesce(max(seq), 0) FROM readings",
	[STMT_DATA_VERSION] =
		"PRAGMA data_version",
	[STMT_AUTH_EPOCH] =
		"SELECT n FROM auth_epoch WHERE id = 1",
	/* One row per element of the JSON array ?5: a request's events. */
	[STMT_AUDIT_INSERT] =
		"INSERT INTO audit (time, user_id, role, action, object_type, "
		"object_id, patient_id, outcome, client_address, request_id) "
		"SELECT ?1, e.value ->> 0, e.value ->> 1, e.value ->> 2, "
		"e.value ->> 3, e.value ->> 4, e.value ->> 5, ?2, ?3, ?4 "
		"FROM json_each(?5) AS e ORDER BY e.key",
	[STMT_AUDIT_OLDER_ALL] = AUDIT_OLDER(""),
	[STMT_AUDIT_NEWER_ALL] = AUDIT_NEWER(""),
	[STMT_AUDIT_OLDER_PATIENT] = AUDIT_OLDER("patient_id = ?1 AND "),
	[STMT_AUDIT_NEWER_PATIENT] = AUDIT_NEWER("patient_id = ?1 AND "),
	[STMT_AUDIT_OLDER_USER] = AUDIT_OLDER("user_id = ?1 AND "),
	[STMT_AUDIT_NEWER_USER] = AUDIT_NEWER("user_id = ?1 AND "),
	[STMT_AUDIT_OLDER_ACTION] = AUDIT_OLDER("action = ?1 AND "),
	[STMT_AUDIT_NEWER_ACTION] = AUDIT_NEWER("action = ?1 AND "),
	[STMT_AUDIT_PRUNE] =
		"DELETE FROM audit WHERE time < ?",
	[STMT_IDEM_GET] =
		"SELECT digest, status, content_type, headers, body "
		"FROM idempotency_keys "
		"WHERE user_id = ? AND key = ? AND created_at >= ?",
	[STMT_IDEM_INSERT] =
		"INSERT INTO idempotency_keys (user_id, key, digest, status, "
		"content_type, headers, body, created_at) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_IDEM_PRUNE] =
		"DELETE FROM idempotency_keys WHERE created_at < ?",
	[STMT_PATIENT_INSERT] =
		"INSERT INTO patients (" PATIENT_COLUMNS ") VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
	[STMT_PATIENT_GET] =
		"SELECT " PATIENT_COLUMNS " FROM patients WHERE id = ?",
	[STMT_PATIENT_UPDATE] =
		"UPDATE patients SET first_name = ?2, last_name = ?3, gender = ?4, "
		"date_of_birth = ?5, phone_number = ?6, email = ?7, "
		"address_line_1 = ?8, address_line_2 = ?9, city = ?10, "
		"state = ?11, country = ?12, medical_record_number = ?13, "
		"updated_at = ?14 WHERE id = ?1",
	[STMT_PATIENT_DELETE] =
		"DELETE FROM patients WHERE id = ?",
	/* any admission, open or closed, keeps the patient */
	[STMT_PATIENT_ADMITTED] =
		"SELECT EXISTS (SELECT 1 FROM admissions WHERE patient_id = ?)",
	/* which unique fields another patient (not ?4) holds */
	[STMT_PATIENT_TAKEN] =
		"SELECT EXISTS (SELECT 1 FROM patients WHERE phone_number = ?1 "
		"AND id IS NOT ?4), EXISTS (SELECT 1 FROM patients "
		"WHERE email = ?2 AND id IS NOT ?4), EXISTS (SELECT 1 FROM "
		"patients WHERE medical_record_number = ?3 AND id IS NOT ?4)",
	[STMT_PATIENT_COUNT] =
		"SELECT count(*) FROM patients " PATIENT_WHERE,
	[STMT_PATIENT_LIST_FIRST_NAME] =
		PATIENT_LIST("first_name, id"),
	[STMT_PATIENT_LIST_FIRST_NAME_DESC] =
		PATIENT_LIST("first_name DESC, id DESC"),
	[STMT_PATIENT_LIST_LAST_NAME] =
		PATIENT_LIST("last_name, id"),
	[STMT_PATIENT_LIST_LAST_NAME_DESC] =
		PATIENT_LIST("last_name DESC, id DESC"),
	[STMT_PATIENT_LIST_DATE_OF_BIRTH] =
		PATIENT_LIST("date_of_birth, id"),
	[STMT_PATIENT_LIST_DATE_OF_BIRTH_DESC] =
		PATIENT_LIST("date_of_birth DESC, id DESC"),
	[STMT_PATIENT_LIST_CREATED_AT] =
		PATIENT_LIST("created_at, id"),
	[STMT_PATIENT_LIST_CREATED_AT_DESC] =
		PATIENT_LIST("created_at DESC, id DESC"),
	/* the index alone, when no other filter applies (?1 to ?3 unused) */
	[STMT_PATIENT_SEARCH_COUNT] =
		"SELECT count(*) FROM patient_search_fts "
		"WHERE patient_search_fts MATCH ?4",
	[STMT_PATIENT_SEARCH_COUNT_FILTERED] =
		"SELECT count(*) FROM patients " PATIENT_SEARCH_WHERE,
	/* about how many patients there are, in one probe */
	[STMT_PATIENT_SEARCH_SIZE] =
		"SELECT coalesce(max(seq), 0) FROM patient_search",
	[STMT_PATIENT_SEARCH_FIRST_NAME] =
		PATIENT_SEARCH_LIST("first_name, id"),
	[STMT_PATIENT_SEARCH_FIRST_NAME_DESC] =
		PATIENT_SEARCH_LIST("first_name DESC, id DESC"),
	[STMT_PATIENT_SEARCH_LAST_NAME] =
		PATIENT_SEARCH_LIST("last_name, id"),
	[STMT_PATIENT_SEARCH_LAST_NAME_DESC] =
		PATIENT_SEARCH_LIST("last_name DESC, id DESC"),
	[STMT_PATIENT_SEARCH_DATE_OF_BIRTH] =
		PATIENT_SEARCH_LIST("date_of_birth, id"),
	[STMT_PATIENT_SEARCH_DATE_OF_BIRTH_DESC] =
		PATIENT_SEARCH_LIST("date_of_birth DESC, id DESC"),
	[STMT_PATIENT_SEARCH_CREATED_AT] =
		PATIENT_SEARCH_LIST("created_at, id"),
	[STMT_PATIENT_SEARCH_CREATED_AT_DESC] =
		PATIENT_SEARCH_LIST("created_at DESC, id DESC"),
	[STMT_DEVICE_GET] =
		"SELECT " DEVICE_COLUMNS "FROM devices d WHERE d.id = ?",
	[STMT_DEVICE_BY_SERIAL] =
		"SELECT " DEVICE_COLUMNS "FROM devices d "
		"WHERE d.serial_number = ?",
	/* another device (not ?2) has the serial number ?1 */
	[STMT_DEVICE_TAKEN] =
		"SELECT EXISTS (SELECT 1 FROM devices WHERE serial_number = ?1 "
		"AND id IS NOT ?2)",
	[STMT_DEVICE_IN_USE] =
		"SELECT EXISTS (SELECT 1 FROM admissions WHERE device_id = ? "
		"AND is_discharged = 0)",
	[STMT_DEVICE_UPDATE] =
		"UPDATE devices SET serial_number = ?2, model_name = ?3, "
		"manufacturer = ?4, status = ?5 WHERE id = ?1",
	/* any admission, open or closed, keeps the device (SPEC 7.15) */
	[STMT_DEVICE_USED] =
		"SELECT EXISTS (SELECT 1 FROM admissions WHERE device_id = ?)",
	[STMT_DEVICE_DELETE] =
		"DELETE FROM devices WHERE id = ?",
	[STMT_DEVICE_COUNT] =
		"SELECT count(*) FROM devices d " DEVICE_WHERE,
	[STMT_DEVICE_LIST_SERIAL_NUMBER] =
		DEVICE_LIST("d.serial_number, d.id"),
	[STMT_DEVICE_LIST_SERIAL_NUMBER_DESC] =
		DEVICE_LIST("d.serial_number DESC, d.id DESC"),
	[STMT_DEVICE_LIST_MODEL_NAME] =
		DEVICE_LIST("d.model_name, d.id"),
	[STMT_DEVICE_LIST_MODEL_NAME_DESC] =
		DEVICE_LIST("d.model_name DESC, d.id DESC"),
	[STMT_DEVICE_LIST_CREATED_AT] =
		DEVICE_LIST("d.created_at, d.id"),
	[STMT_DEVICE_LIST_CREATED_AT_DESC] =
		DEVICE_LIST("d.created_at DESC, d.id DESC"),
};
