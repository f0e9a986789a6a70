/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_EXTERN_H
#define HM_EXTERN_H

/*
 * Private prototypes shared between the library's modules; nothing
 * outside lib/ includes this file.
 */

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "token.h"

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

struct app;
struct buf;
struct db;
struct pool;
struct req;
struct resp;

/* A compiled-in schema migration (lib/migrations.c, from sql/). */
struct	migration {
	int		 number;	/* 1, 2, …: PRAGMA user_version after it */
	const char	*name;		/* "001-initial" */
	const char	*sql;
};
extern const struct migration	 migrations[];
extern const size_t		 migrationsz;

/* Every SQL statement of the service, indexing the table of stmt.c. */
enum	stmt {
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_HEALTH,
	STMT_USER_INSERT,
	STMT_USER_LIST,
	STMT_USER_SET_ACTIVE,
	STMT_USER_SET_ROLE,
	STMT_DEVICE_INSERT,
	STMT_DEVICE_LIST,
	/* accounts: sessions, throttle, tokens (lib/session.c, …) */
	STMT_USER_BY_EMAIL,
	STMT_USER_BY_ID,
	STMT_USER_ACTIVATE,
	STMT_USER_SET_PASSWORD,
	STMT_USER_SIGNED_IN,
	STMT_USER_UPDATE_PROFILE,
	STMT_SESSION_INSERT,
	STMT_SESSION_PRINCIPAL,
	STMT_SESSION_ROTATE,
	STMT_SESSION_GET,
	STMT_SESSION_END,
	STMT_SESSION_END_USER,
	STMT_THROTTLE_EMAIL,
	STMT_THROTTLE_ADDRESS,
	STMT_THROTTLE_INSERT,
	STMT_THROTTLE_PRUNE,
	/* outbox: the mail queue (lib/outbox.c) */
	STMT_OUTBOX_INSERT,
	STMT_OUTBOX_TAKE,
	STMT_OUTBOX_LEASE,
	STMT_OUTBOX_SENT,
	STMT_OUTBOX_LATER,
	STMT_OUTBOX_FAILED,
	STMT_OUTBOX_LIST,
	STMT_OUTBOX_LIST_STATUS,
	STMT_OUTBOX_STATUS,
	STMT_OUTBOX_REVIVE,
	STMT_OUTBOX_REVIVE_FAILED,
	/* admissions (lib/admission.c) */
	STMT_ADMISSION_GET,
	STMT_ADMISSION_COUNT,
	STMT_ADMISSION_LIST_DATE,
	STMT_ADMISSION_LIST_DATE_DESC,
	STMT_ADMISSION_INSERT,
	STMT_ADMISSION_UPDATE,
	STMT_ADMISSION_DISCHARGE,
	STMT_ADMISSION_OPEN_PATIENT,
	STMT_ADMISSION_OPEN_DEVICE,
	STMT_ADMISSION_PATIENT_EXISTS,
	STMT_ADMISSION_DEVICE_STATUS,
	/* readings (lib/reading.c) */
	STMT_READING_INSERT,
	STMT_READING_GET,
	STMT_READING_OPEN_ADMISSION,
	STMT_READING_OLDER_ALL,
	STMT_READING_NEWER_ALL,
	STMT_READING_OLDER_PATIENT,
	STMT_READING_NEWER_PATIENT,
	STMT_READING_OLDER_ADMISSION,
	STMT_READING_NEWER_ADMISSION,
	STMT_READING_OLDER_USER,
	STMT_READING_NEWER_USER,
	STMT_MONITOR,
	STMT_STREAM_SINCE,
	STMT_STREAM_NEWEST,
	STMT_DATA_VERSION,
	STMT_AUTH_EPOCH,
	/* the audit trail (lib/audit.c) */
	STMT_AUDIT_INSERT,
	STMT_AUDIT_OLDER_ALL,
	STMT_AUDIT_NEWER_ALL,
	STMT_AUDIT_OLDER_PATIENT,
	STMT_AUDIT_NEWER_PATIENT,
	STMT_AUDIT_OLDER_USER,
	STMT_AUDIT_NEWER_USER,
	STMT_AUDIT_OLDER_ACTION,
	STMT_AUDIT_NEWER_ACTION,
	STMT_AUDIT_PRUNE,
	/* idempotency keys (lib/idem.c) */
	STMT_IDEM_GET,
	STMT_IDEM_INSERT,
	STMT_IDEM_PRUNE,
	/* patients (lib/patient.c) */
	STMT_PATIENT_INSERT,
	STMT_PATIENT_GET,
	STMT_PATIENT_UPDATE,
	STMT_PATIENT_DELETE,
	STMT_PATIENT_ADMITTED,
	STMT_PATIENT_TAKEN,
	STMT_PATIENT_COUNT,
	STMT_PATIENT_LIST_FIRST_NAME,
	STMT_PATIENT_LIST_FIRST_NAME_DESC,
	STMT_PATIENT_LIST_LAST_NAME,
	STMT_PATIENT_LIST_LAST_NAME_DESC,
	STMT_PATIENT_LIST_DATE_OF_BIRTH,
	STMT_PATIENT_LIST_DATE_OF_BIRTH_DESC,
	STMT_PATIENT_LIST_CREATED_AT,
	STMT_PATIENT_LIST_CREATED_AT_DESC,
	STMT_PATIENT_SEARCH_COUNT,
	STMT_PATIENT_SEARCH_COUNT_FILTERED,
	STMT_PATIENT_SEARCH_SIZE,
	STMT_PATIENT_SEARCH_FIRST_NAME,
	STMT_PATIENT_SEARCH_FIRST_NAME_DESC,
	STMT_PATIENT_SEARCH_LAST_NAME,
	STMT_PATIENT_SEARCH_LAST_NAME_DESC,
	STMT_PATIENT_SEARCH_DATE_OF_BIRTH,
	STMT_PATIENT_SEARCH_DATE_OF_BIRTH_DESC,
	STMT_PATIENT_SEARCH_CREATED_AT,
	STMT_PATIENT_SEARCH_CREATED_AT_DESC,
	/* devices (lib/device.c) */
	STMT_DEVICE_GET,
	STMT_DEVICE_BY_SERIAL,
	STMT_DEVICE_TAKEN,
	STMT_DEVICE_IN_USE,
	STMT_DEVICE_UPDATE,
	STMT_DEVICE_USED,
	STMT_DEVICE_DELETE,
	STMT_DEVICE_COUNT,
	STMT_DEVICE_LIST_SERIAL_NUMBER,
	STMT_DEVICE_LIST_SERIAL_NUMBER_DESC,
	STMT_DEVICE_LIST_MODEL_NAME,
	STMT_DEVICE_LIST_MODEL_NAME_DESC,
	STMT_DEVICE_LIST_CREATED_AT,
	STMT_DEVICE_LIST_CREATED_AT_DESC,
	STMT__MAX
};
extern const char *const	 stmt_sql[STMT__MAX];

/*
 * The prepared statement "s", reset and with its bindings cleared, ready
 * to bind.  Owned by the db; don't finalize.
 */
sqlite3_stmt	*db_stmt(struct db *, enum stmt s);

/*
 * Maps a SQLite result code to an enum err, logging anything that is not
 * a plain constraint or busy answer with "op" as prefix.
 */
enum err	 db_rc(struct db *, int rc, const char *op);

/*
 * The id (UUIDv7) and creation time (RFC 3339) of a new row made at
 * "now" (ms), both copied into "pool".
 */
enum err	 db_new_row(struct pool *, int64_t now, const char **id,
		    const char **stamp);

/*
 * Appends to "pat" the LIKE pattern "%term%" with backslash, "%" and
 * "_" escaped by a backslash (the statements say ESCAPE '\\'), so that
 * the term is matched literally.
 */
enum err	 db_like_pattern(struct buf *pat, const char *term);

/* Binds text, or SQL NULL when "s" is NULL (static: "s" must outlive the step). */
void		 db_bind_text(sqlite3_stmt *, int i, const char *s);

/*
 * Steps a statement that writes, and resets it: ERR_NOTFOUND when it
 * changed no row, else what db_rc() says.
 */
enum err	 db_write(struct db *, sqlite3_stmt *, const char *op);

/* How many rows the last statement of this connection changed. */
long		 db_changes(struct db *);

/* The rowid of the last row this connection inserted. */
int64_t		 db_last_rowid(struct db *);

/*
 * Steps a statement that returns one integer (a count), into "*n", and
 * resets it.  ERR_DB if it returned no row.
 */
enum err	 db_one_int(struct db *, sqlite3_stmt *, const char *op,
		    long *n);

/*
 * Copies column "col" of the current row of "st" into "pool" (NULL for
 * SQL NULL), since SQLite's own copy dies at the next step or reset.
 */
const char	*db_col_text(struct pool *, sqlite3_stmt *st, int col);

struct user;

/*
 * Queues the mail of "hmctl mail test" to "to" (lib/outbox.c); inside a
 * write transaction, as the functions of outbox.h.
 */
enum err	 outbox_test(struct db *, const char *to);

/* Handlers. */
enum err	 health_get(struct app *, struct req *, struct resp *);
enum err	 account_register(struct app *, struct req *, struct resp *);
enum err	 account_activate(struct app *, struct req *, struct resp *);
enum err	 account_profile(struct app *, struct req *, struct resp *);
enum err	 account_profile_patch(struct app *, struct req *,
		    struct resp *);
enum err	 signin_cookie(struct app *, struct req *, struct resp *);
enum err	 signin_token(struct app *, struct req *, struct resp *);
enum err	 signin_refresh(struct app *, struct req *, struct resp *);
enum err	 signin_logout(struct app *, struct req *, struct resp *);
enum err	 reset_request(struct app *, struct req *, struct resp *);
enum err	 reset_confirm(struct app *, struct req *, struct resp *);
/* Devices (lib/device_api.c). */
enum err	 device_api_list(struct app *, struct req *, struct resp *);
enum err	 device_api_create(struct app *, struct req *, struct resp *);
enum err	 device_api_get(struct app *, struct req *, struct resp *);
enum err	 device_api_replace(struct app *, struct req *, struct resp *);
enum err	 device_api_update(struct app *, struct req *, struct resp *);
enum err	 device_api_delete(struct app *, struct req *, struct resp *);
/* Patients (lib/patient_api.c). */
enum err	 patient_api_list(struct app *, struct req *, struct resp *);
enum err	 patient_api_create(struct app *, struct req *, struct resp *);
enum err	 patient_api_read(struct app *, struct req *, struct resp *);
enum err	 patient_api_replace(struct app *, struct req *, struct resp *);
enum err	 patient_api_update(struct app *, struct req *, struct resp *);
enum err	 patient_api_delete(struct app *, struct req *, struct resp *);
/* Admissions (lib/admission_api.c). */
enum err	 admission_api_list(struct app *, struct req *, struct resp *);
enum err	 admission_api_create(struct app *, struct req *, struct resp *);
enum err	 admission_api_get(struct app *, struct req *, struct resp *);
enum err	 admission_api_patch(struct app *, struct req *, struct resp *);
enum err	 admission_api_discharge(struct app *, struct req *,
		    struct resp *);
/*
 * Reads the reading in the columns READING_COLUMNS_OF() of lib/stmt.c
 * from column "col" on (lib/reading.c).  "r->id" is NULL when they are
 * NULL (a LEFT JOIN found none).
 */
struct reading;
void		 reading_row(struct pool *, sqlite3_stmt *, int col,
		    struct reading *r);

/* The audit trail (lib/audit_api.c). */
enum err	 audit_api_list(struct app *, struct req *, struct resp *);
/* The ward overview (lib/monitor.c). */
enum err	 monitor_api_get(struct app *, struct req *, struct resp *);
/* Heart rates (lib/reading_api.c). */
enum err	 reading_api_list(struct app *, struct req *, struct resp *);
enum err	 reading_api_create(struct app *, struct req *, struct resp *);
enum err	 reading_api_get(struct app *, struct req *, struct resp *);
enum err	 reading_api_patient_list(struct app *, struct req *,
		    struct resp *);

/* Helpers the account handlers share (lib/account.c). */
/* Answers {"message": …} with "status". */
enum err	 account_message(struct resp *, int status, const char *);
/*
 * The activation or reset link of "u": a new token for its present
 * state, put into ACTIVATION_URL or RESET_URL.  Pool-owned; NULL on
 * failure.
 */
char		*account_token_link(struct app *, struct pool *,
		    const struct user *, enum token_purpose);
/*
 * Loads the user of the link in req->params (uidb64, token) and checks
 * the token; 400 invalid_token written and 0 returned when it fails.
 */
int		 account_check_link(struct app *, struct req *, struct resp *,
		    enum token_purpose, long timeout, struct user *);

#endif /* !HM_EXTERN_H */
