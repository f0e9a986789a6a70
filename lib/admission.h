/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_ADMISSION_H
#define HM_ADMISSION_H

#include <stdint.h>

#include "err.h"

struct db;
struct json;
struct pool;

/*
 * Admissions (SPEC section 5): a patient on a heart monitor.  An
 * admission is open while it is not discharged.  "One open admission
 * per patient" and "one open admission per device" are the partial
 * unique indexes of sql/003-clinical.sql, so an insert or a change of
 * device that would break either fails with ERR_CONFLICT inside the
 * writer's transaction: two workers racing can never both win.
 *
 * Strings are pool-owned, or borrowed from the caller when it fills
 * one in; NULL where the column is NULL.
 */
struct	admission {
	const char	*id;
	const char	*patient_id;
	const char	*device_id;
	const char	*admitted_by;	/* user id; NULL once deleted */
	const char	*admission_date;/* RFC 3339 */
	const char	*discharge_date;/* NULL while open */
	int		 is_discharged;
	const char	*ward;
	const char	*bed;

	/* What the detail embeds (SPEC 7.16), read with the row. */
	const char	*patient_first_name;
	const char	*patient_last_name;
	const char	*patient_date_of_birth;
	const char	*device_serial_number;
	const char	*device_model_name;
	const char	*user_first_name;	/* NULL with admitted_by */
	const char	*user_last_name;
	const char	*user_role;
};

/* The filters of the list (SPEC section 5); NULL or -1: any. */
struct	admission_filter {
	const char	*patient_id;
	const char	*device_id;
	int		 is_discharged;	/* 0, 1, or -1 */
	const char	*ward;		/* exact */
};

/* The orderings of the list; ties are broken by id the same way. */
enum	admission_order {
	ADMISSION_DATE,		/* ?ordering=admission_date */
	ADMISSION_DATE_DESC,	/* ?ordering=-admission_date (default) */
	ADMISSION__MAX
};

/* Why a device cannot take an admission. */
enum	admission_device {
	ADMISSION_DEVICE_OK,		/* exists and is active */
	ADMISSION_DEVICE_UNKNOWN,
	ADMISSION_DEVICE_MAINTENANCE,
	ADMISSION_DEVICE_RETIRED
};

/*
 * Writes "a" as an object member "key" (NULL at the top or in an
 * array): the fields of SPEC section 5 with patient_detail,
 * device_detail and admitted_by_detail (null once the user is gone).
 */
void		 admission_json(struct json *, const char *key,
		    const struct admission *);

/*
 * Loads the admission "id" with what it embeds.  ERR_NOTFOUND.
 * Reads only; inside a transaction when the caller is about to write.
 */
enum err	 admission_by_id(struct db *, struct pool *, const char *id,
		    struct admission *);

/* Stores the number of admissions that match "f" in "*n". */
enum err	 admission_count(struct db *, const struct admission_filter *,
		    long *n);

/*
 * Calls "fn" for the admissions that match "f", in order "o", skipping
 * "offset" and at most "limit" of them.  The admission passed is valid
 * only during the call.
 */
enum err	 admission_list(struct db *, struct pool *,
		    const struct admission_filter *, enum admission_order o,
		    long limit, long offset,
		    void (*fn)(const struct admission *, void *), void *arg);

/*
 * The functions below run inside the caller's write transaction
 * (db_begin()), so that the checks and the write see one state.
 */

/* ERR_OK if patient "id" exists, ERR_NOTFOUND if not. */
enum err	 admission_patient_exists(struct db *, const char *id);

/* Whether device "id" can be assigned, in "*why". */
enum err	 admission_device_check(struct db *, const char *id,
		    enum admission_device *why);

/*
 * Sets "*open" to 1 if patient "patient_id" (or device "device_id", when
 * patient_id is NULL) has an open admission other than "except_id" (may
 * be NULL), else to 0.
 */
enum err	 admission_open(struct db *, const char *patient_id,
		    const char *device_id, const char *except_id, int *open);

/*
 * Stores a new open admission from a->patient_id, a->device_id,
 * a->admitted_by, a->ward and a->bed; fills a->id and a->admission_date
 * from "pool" with the time "now_ms".  ERR_CONFLICT when the patient or
 * the device has an open admission already.
 */
enum err	 admission_insert(struct db *, struct pool *,
		    struct admission *a, int64_t now_ms);

/*
 * Stores a->device_id, a->ward and a->bed on the open admission a->id.
 * ERR_CONFLICT when the device is in another open admission,
 * ERR_NOTFOUND when the admission is not open.
 */
enum err	 admission_update(struct db *, const struct admission *a);

/*
 * Closes the open admission "id" at "now" (RFC 3339), which frees its
 * device.  ERR_NOTFOUND when it is not open.
 */
enum err	 admission_discharge(struct db *, const char *id,
		    const char *now);

#endif /* !HM_ADMISSION_H */
