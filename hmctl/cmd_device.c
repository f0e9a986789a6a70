/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "device.h"
#include "hmctl.h"

#define	DEVICE_USAGE	"device add --serial S --model M " \
	"[--manufacturer X] | device list | device retire SERIAL"

static int
field_ok(const char *s, size_t min)
{
	size_t	 i, n = strlen(s);

	if (n < min || n > 100)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
device_add(struct ctx *c, int argc, char *argv[])
{
	static const struct option	 opts[] = {
		{ "serial", required_argument, NULL, 's' },
		{ "model", required_argument, NULL, 'm' },
		{ "manufacturer", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct device	 d;
	enum err	 e;
	int		 ch;

	memset(&d, 0, sizeof(d));
	d.status = DEVICE_ACTIVE;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (ch) {
		case 's':
			d.serial_number = optarg;
			break;
		case 'm':
			d.model_name = optarg;
			break;
		case 'f':
			d.manufacturer = optarg;
			break;
		default:
			return cmd_usage(DEVICE_USAGE);
		}
	if (optind != argc || d.serial_number == NULL || d.model_name == NULL)
		return cmd_usage(DEVICE_USAGE);
	if (!field_ok(d.serial_number, 1) || !field_ok(d.model_name, 1) ||
	    (d.manufacturer != NULL && !field_ok(d.manufacturer, 0)))
		return cmd_fail("device add: serial, model and manufacturer "
		    "are up to 100 characters without control characters");
	/* device_insert()'s transaction nests in the audited one. */
	if ((e = db_begin(c->db)) == ERR_OK) {
		if ((e = device_insert(c->db, c->pool, &d)) == ERR_OK &&
		    (e = audit_system(c->db, "create", "device", d.id)) ==
		    ERR_OK)
			e = db_commit(c->db);
		else
			db_rollback(c->db);
	}
	if (e == ERR_CONFLICT)
		return cmd_fail("device add: serial number %s is already "
		    "taken", d.serial_number);
	if (e != ERR_OK)
		return cmd_fail("device add: %s", err_str(e));
	printf("added device %s (%s)\n", d.serial_number, d.id);
	return EXIT_OK;
}

static void
print_device(const struct device *d, void *arg)
{

	(void)arg;
	printf("%s\t%s\t%s\t%s\t%s\n", d->serial_number, d->model_name,
	    d->manufacturer, device_status_str(d->status), d->id);
}

/*
 * Retires the device "serial" through the library's device_retire(),
 * which the API's PATCH {"status": "retired"} shares: a device in an
 * open admission is refused (discharge the patient first).
 */
static int
device_retire_cmd(struct ctx *c, const char *serial)
{
	struct device	 d;
	enum err	 e;

	if ((e = db_begin(c->db)) == ERR_OK) {
		if ((e = device_retire(c->db, c->pool, serial, &d)) ==
		    ERR_OK && (e = audit_system(c->db, "update", "device",
		    d.id)) == ERR_OK)
			e = db_commit(c->db);
		else
			db_rollback(c->db);
	}
	if (e == ERR_NOTFOUND)
		return cmd_fail("device retire: no device has serial number "
		    "%s", serial);
	if (e == ERR_CONFLICT)
		return cmd_fail("device retire: device %s is in use by open "
		    "admission %s; discharge the patient (or move the "
		    "admission to another device) first", serial,
		    d.current_admission != NULL ? d.current_admission : "-");
	if (e != ERR_OK)
		return cmd_fail("device retire: %s", err_str(e));
	printf("retired device %s (%s)\n", d.serial_number, d.id);
	return EXIT_OK;
}

int
cmd_device(struct ctx *c, int argc, char *argv[])
{
	enum err	 e;

	if (cmd_wants_help(argc, argv, DEVICE_USAGE))
		return EXIT_OK;
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return device_add(c, argc - 1, argv + 1);
	if (argc == 3 && strcmp(argv[1], "retire") == 0)
		return device_retire_cmd(c, argv[2]);
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		if ((e = device_list(c->db, c->pool, print_device, NULL)) !=
		    ERR_OK)
			return cmd_fail("device list: %s", err_str(e));
		return EXIT_OK;
	}
	return cmd_usage(DEVICE_USAGE);
}
