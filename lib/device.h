/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_DEVICE_H
#define HM_DEVICE_H

#include "err.h"

struct db;
struct json;
struct pool;

/* The longest serial number, model name and manufacturer (characters). */
#define	DEVICE_FIELD_MAX	100

enum	device_status {
	DEVICE_ACTIVE,
	DEVICE_MAINTENANCE,
	DEVICE_RETIRED,
	DEVICE__MAX
};

/* A heart monitor (SPEC section 5); strings pool-owned. */
struct	device {
	const char		*id;
	const char		*serial_number;
	const char		*model_name;
	const char		*manufacturer;
	enum device_status	 status;
	const char		*created_at;
	/* Read-only: the id of the open admission using it, or NULL. */
	const char		*current_admission;
};

/* The orderings of the list (SPEC section 5), ties broken by id. */
enum	device_order {
	DEVICE_ORDER_SERIAL_NUMBER,
	DEVICE_ORDER_SERIAL_NUMBER_DESC,
	DEVICE_ORDER_MODEL_NAME,
	DEVICE_ORDER_MODEL_NAME_DESC,
	DEVICE_ORDER_CREATED_AT,
	DEVICE_ORDER_CREATED_AT_DESC,
	DEVICE_ORDER__MAX
};

/* What the list shows: each member narrows it. */
struct	device_filter {
	enum device_status	 status;	/* DEVICE__MAX: any */
	int			 available;	/* -1 any, 1 free, 0 no */
	const char		*search;	/* substring, or NULL */
	enum device_order	 order;
};

/* Why device_update() answered ERR_CONFLICT. */
enum	device_refusal {
	DEVICE_REFUSAL_NONE,
	DEVICE_REFUSAL_SERIAL,	/* another device has the serial number */
	DEVICE_REFUSAL_IN_USE	/* not active while in an open admission */
};

/* The status names, NULL-terminated, in the order of the enum. */
extern const char *const device_statuses[];

const char	*device_status_str(enum device_status);
/* The status named "s", or DEVICE__MAX. */
enum device_status device_status(const char *s);

/*
 * The ordering named "s" ("serial_number", "-created_at", …), or
 * DEVICE_ORDER__MAX if there is none of that name.
 */
enum device_order device_order(const char *s);

/* Writes "d" as an object member "key" (NULL at the top or in an array). */
void		 device_json(struct json *, const char *key,
		    const struct device *d);

/*
 * Stores a new device in a transaction of its own; fills d->id and
 * d->created_at from "pool".  ERR_CONFLICT when the serial number is
 * taken.
 */
enum err	 device_insert(struct db *, struct pool *, struct device *d);

/* Loads the device "id"; ERR_NOTFOUND if there is none. */
enum err	 device_get(struct db *, struct pool *, const char *id,
		    struct device *d);

/*
 * Inside the caller's write transaction: stores every field of "d" but
 * its id and created_at.  ERR_NOTFOUND if there is no such device;
 * ERR_CONFLICT with "*why" set when another device has the serial
 * number, or when the status is not active while an open admission
 * uses the device (discharge or move the patient first).
 */
enum err	 device_update(struct db *, const struct device *d,
		    enum device_refusal *why);

/*
 * Retires the device with serial number "serial" in a transaction of
 * its own (hmctl device retire), through device_update(): ERR_NOTFOUND,
 * or ERR_CONFLICT while an open admission uses it.  "d" gets the
 * device as it is now.
 */
enum err	 device_retire(struct db *, struct pool *, const char *serial,
		    struct device *d);

/*
 * Deletes the device "id" in a transaction of its own: ERR_NOTFOUND if
 * there is none, ERR_CONFLICT if any admission, open or closed, ever
 * used it (such a device is retired, never deleted: SPEC 7.15).
 */
enum err	 device_delete(struct db *, const char *id);

/*
 * Stores in "*count" how many devices match "f" ("pool" holds the
 * search pattern).
 */
enum err	 device_count(struct db *, struct pool *,
		    const struct device_filter *f, long *count);

/*
 * Calls "fn" for each of at most "limit" devices matching "f" after
 * the first "offset", in the order of f->order.  The device passed is
 * valid only during the call; its strings come from "pool".
 */
enum err	 device_page(struct db *, struct pool *,
		    const struct device_filter *f, long limit, long offset,
		    void (*fn)(const struct device *, void *), void *arg);

/* Calls "fn" for every device, ordered by serial number (hmctl). */
enum err	 device_list(struct db *, struct pool *,
		    void (*fn)(const struct device *, void *), void *arg);

#endif /* !HM_DEVICE_H */
