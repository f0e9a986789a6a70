/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_READING_H
#define HM_READING_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct conf;
struct cursor;
struct db;
struct json;
struct pool;

/*
 * Heart-rate readings (SPEC section 5, 7.17, 7.18): recorded against
 * the patient's open admission, never changed or deleted afterwards.
 * Strings are pool-owned, or borrowed from the caller when it fills one
 * in; NULL where the column is NULL.
 */
struct	reading {
	int64_t		 seq;		/* commit order (sql/004) */
	const char	*id;
	const char	*patient_id;
	const char	*admission_id;
	long		 bpm;
	const char	*status;	/* "low", "normal", "high" */
	const char	*notes;
	const char	*handled_by;	/* user id; NULL once deleted */
	const char	*measured_at;	/* RFC 3339, as time_format() writes */
	const char	*recorded_at;
};

/*
 * The filters of the lists; NULL: any.  since and until are inclusive,
 * in time_format()'s form so that they compare as the stored times.
 */
struct	reading_filter {
	const char	*patient_id;
	const char	*admission_id;
	const char	*status;
	const char	*handled_by;
	const char	*search;	/* in the patient's names */
	const char	*since;
	const char	*until;
};

/* The status of "bpm" under the thresholds of "conf" (SPEC 7.17). */
const char	*reading_status(const struct conf *, long bpm);

/* Writes "r" as an object member "key" (NULL at the top or in an array). */
void		 reading_json(struct json *, const char *key,
		    const struct reading *r);

/* Loads reading "id".  ERR_NOTFOUND. */
enum err	 reading_by_id(struct db *, struct pool *, const char *id,
		    struct reading *);

/*
 * Reads one page of the readings that match "f" at cursor "c" into
 * "rows", which has room for c->size + 1: "*shown" of them, newest
 * first, and "*more" set when rows go on beyond the page in the
 * direction read.  Each page is one index range scan.
 */
enum err	 reading_list(struct db *, struct pool *,
		    const struct reading_filter *f, const struct cursor *c,
		    struct reading *rows, size_t *shown, int *more);

/*
 * Inside the caller's write transaction: the open admission of patient
 * "patient_id" and its admission time.  ERR_NOTFOUND when it has none.
 */
enum err	 reading_open_admission(struct db *, struct pool *,
		    const char *patient_id, const char **admission_id,
		    const char **admitted_at);

/*
 * Inside the caller's write transaction: stores "r" from its patient,
 * admission, bpm, status, notes, handled_by and measured_at, and fills
 * r->seq, r->id and r->recorded_at (the time "now_ms") from "pool".
 */
enum err	 reading_insert(struct db *, struct pool *, struct reading *r,
		    int64_t now_ms);

#endif /* !HM_READING_H */
