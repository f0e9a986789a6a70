/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_PATIENT_H
#define HM_PATIENT_H

#include "err.h"

struct db;
struct json;
struct pool;

/*
 * A patient (SPEC section 5).  Strings are pool-owned, or borrowed from
 * the caller when it fills one in; NULL where the column is NULL.
 * Patients hold no accounts.
 */
struct	patient {
	const char	*id;
	const char	*first_name;
	const char	*last_name;
	const char	*gender;		/* male, female or other */
	const char	*date_of_birth;		/* YYYY-MM-DD */
	const char	*phone_number;
	const char	*email;
	const char	*address_line_1;
	const char	*address_line_2;
	const char	*city;
	const char	*state;
	const char	*country;
	const char	*medical_record_number;
	const char	*created_at;		/* RFC 3339 */
	const char	*updated_at;
};

/* The orderings of the list (SPEC section 5); ties are broken by id. */
enum	patient_order {
	PATIENT_ORDER_FIRST_NAME,
	PATIENT_ORDER_FIRST_NAME_DESC,
	PATIENT_ORDER_LAST_NAME,
	PATIENT_ORDER_LAST_NAME_DESC,
	PATIENT_ORDER_DATE_OF_BIRTH,
	PATIENT_ORDER_DATE_OF_BIRTH_DESC,
	PATIENT_ORDER_CREATED_AT,
	PATIENT_ORDER_CREATED_AT_DESC,
	PATIENT_ORDER__MAX
};

/*
 * What the list is filtered by; NULL means any.  "city", "state" and
 * "country" match exactly without regard to (ASCII) case; "search" is
 * a substring of a name, the email, the phone number or the record
 * number, also without regard to case, taken literally ("%" and "_"
 * are no wildcards).
 */
struct	patient_filter {
	const char		*city;
	const char		*state;
	const char		*country;
	const char		*search;
	enum patient_order	 order;
};

/* The fields that must be unique, as patient_taken() reports them. */
#define	PATIENT_TAKEN_PHONE	0x01
#define	PATIENT_TAKEN_EMAIL	0x02
#define	PATIENT_TAKEN_MRN	0x04

/*
 * The ordering named "s" ("first_name", "-first_name", …), or
 * PATIENT_ORDER__MAX if there is none of that name.
 */
enum patient_order patient_order(const char *s);

/* Writes "p" as an object member "key" (NULL at the top or in an array). */
void		 patient_json(struct json *, const char *key,
		    const struct patient *p);

/*
 * The functions below that change rows run inside the caller's write
 * transaction (db_begin()), so that the checks a handler makes first
 * (uniqueness, admissions) still hold when the change is written.
 */

/*
 * Stores a new patient; fills p->id, p->created_at and p->updated_at
 * from "pool".  ERR_CONFLICT when a unique field is taken.
 */
enum err	 patient_insert(struct db *, struct pool *, struct patient *p);

/* Loads the patient "id"; ERR_NOTFOUND if there is none. */
enum err	 patient_get(struct db *, struct pool *, const char *id,
		    struct patient *p);

/*
 * Stores every field of "p" but its id and created_at, and sets
 * p->updated_at (from "pool") to now.  ERR_NOTFOUND if there is no
 * such patient, ERR_CONFLICT when a unique field is taken.
 */
enum err	 patient_update(struct db *, struct pool *, struct patient *p);

/*
 * Deletes the patient "id": ERR_NOTFOUND if there is none, ERR_CONFLICT
 * if the patient has an admission (open or not; history is kept).
 */
enum err	 patient_delete(struct db *, const char *id);

/*
 * Stores in "*taken" the PATIENT_TAKEN_* bits of the unique fields of
 * "p" (phone number, email without regard to case, record number) that
 * another patient (any but p->id, which may be NULL) already holds.
 */
enum err	 patient_taken(struct db *, const struct patient *p,
		    unsigned int *taken);

/*
 * Stores in "*count" how many patients match "f".  A search of three
 * characters or more is answered by the trigram index of sql/006.
 */
enum err	 patient_count(struct db *, const struct patient_filter *f,
		    long *count);

/*
 * Calls "fn" for each of at most "limit" patients matching "f" after
 * the first "offset", in the order of f->order.  "count" is what
 * patient_count() said for "f" (-1: unknown): it picks how a search is
 * run, and no statement runs for a page past it.  The patient passed is
 * valid only during the call; its strings come from "pool".
 */
enum err	 patient_list(struct db *, struct pool *,
		    const struct patient_filter *f, long count, long limit,
		    long offset, void (*fn)(const struct patient *, void *),
		    void *arg);

#endif /* !HM_PATIENT_H */
