/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_DEVICE_H
#define HM_DEVICE_H

#include "err.h"

struct db;
struct pool;

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
};

const char	*device_status_str(enum device_status);
/* The status named "s", or DEVICE__MAX. */
enum device_status device_status(const char *s);

/*
 * Stores a new device; fills d->id and d->created_at from "pool".
 * ERR_CONFLICT when the serial number is taken.
 */
enum err	 device_insert(struct db *, struct pool *, struct device *d);

/* Calls "fn" for every device, ordered by serial number. */
enum err	 device_list(struct db *, struct pool *,
		    void (*fn)(const struct device *, void *), void *arg);

#endif /* !HM_DEVICE_H */
