/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "device.h"
#include "pool.h"
#include "testutil.h"
#include "user.h"

/*
 * The devices resource (SPEC sections 3, 5 and 7.15) through
 * http_handle(), on a real database file: roles, validation,
 * uniqueness, retiring, deleting, the list's filters and pages.
 */

static struct testdb	 tdb;
static struct pool	*pool;
static struct req	 r;
static struct resp	 w;
static struct principal	 who[ROLE__MAX];
static cJSON		*doc;	/* the parsed answer, or NULL */

#define	ANON		ROLE__MAX
#define	PATIENT_ID	"00000000-0000-7000-8000-000000000001"
#define	PATIENT2_ID	"00000000-0000-7000-8000-000000000002"
#define	NO_SUCH_ID	"01900000-0000-7000-8000-000000000000"
#define	C10		"0123456789"
#define	C100		C10 C10 C10 C10 C10 C10 C10 C10 C10 C10
#define	C101		C100 "x"

static void
add_user(enum role role, const char *email)
{
	struct user	 u;

	memset(&u, 0, sizeof(u));
	u.email = email;
	u.password = "x";
	u.first_name = "Test";
	u.last_name = "User";
	u.role = role;
	u.is_active = 1;
	ck_assert_int_eq(user_insert(tdb.app.db, pool, &u), ERR_OK);
	who[role].user_id = u.id;
	who[role].sid = "no-session";
	who[role].role = role;
	who[role].by_cookie = 0;
}

static void
setup(void)
{

	testdb_open(&tdb);
	ck_assert_ptr_nonnull(pool = pool_new());
	resp_init(&w);
	doc = NULL;
	add_user(ROLE_ADMIN, "admin@ward.test");
	add_user(ROLE_STAFF, "staff@ward.test");
	add_user(ROLE_DOCTOR, "doctor@ward.test");
	add_user(ROLE_NURSE, "nurse@ward.test");
}

static void
teardown(void)
{

	cJSON_Delete(doc);
	resp_clear(&w);
	pool_free(pool);
	testdb_close(&tdb);
}

/*
 * Sends "method" "uri" as "role" (ANON: nobody signed in) with the JSON
 * "body" (NULL: none); parses the answer into "doc".  Returns the
 * status.
 */
static int
call(enum method m, const char *uri, const char *body, enum role role)
{

	resp_reset(&w);
	req_fake(&r, pool, m, uri);
	r.remote_addr = "10.1.2.3";
	if (body != NULL) {
		r.hdrs[HDR_CONTENT_TYPE] = "application/json";
		r.body = body;
		r.bodysz = strlen(body);
	}
	r.who = role < ROLE__MAX ? &who[role] : NULL;
	http_handle(&tdb.app, &r, &w);
	cJSON_Delete(doc);
	doc = cJSON_Parse(buf_str(&w.body));
	return w.status;
}

/* String member "key" of the answer (or of "o"), NULL if none. */
static const char *
str_of(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *
str(const char *key)
{

	return str_of(doc, key);
}

/* Whether the answer is a 400 whose "errors" names "field". */
static int
names_field(const char *field)
{
	const cJSON	*errs;

	errs = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	return w.status == 400 && cJSON_IsObject(errs) &&
	    cJSON_GetObjectItemCaseSensitive(errs, field) != NULL;
}

/* Whether the answer's "code" is "code". */
static int
code_is(const char *code)
{
	const char	*c = str("code");

	return c != NULL && strcmp(c, code) == 0;
}

/* Creates a device as admin (201 asserted); returns its pool-owned id. */
static const char *
make_device(const char *serial, const char *model, const char *maker,
    const char *status)
{
	char	 body[512];

	snprintf(body, sizeof(body), "{\"serial_number\":\"%s\","
	    "\"model_name\":\"%s\",\"manufacturer\":\"%s\",\"status\":\"%s\"}",
	    serial, model, maker, status);
	ck_assert_int_eq(call(METHOD_POST, "/api/devices/", body, ROLE_ADMIN),
	    201);
	return pool_strdup(pool, str("id"));
}

static const char *
device_uri(const char *id)
{

	return pool_printf(pool, "/api/devices/%s/", id);
}

/* A patient (with id "patient") in an admission on "device". */
static void
admit(const char *patient, const char *phone, const char *device,
    int discharged)
{
	char	 sql[1024];

	snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO patients (id, "
	    "first_name, last_name, date_of_birth, phone_number, created_at, "
	    "updated_at) VALUES ('%s', 'Pat', 'Ient', '1970-01-01', '%s', "
	    "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');"
	    "INSERT INTO admissions (id, patient_id, device_id, "
	    "admission_date, discharge_date, is_discharged) VALUES ("
	    "'0190%.4s-0000-7000-8000-%.12s', '%s', '%s', "
	    "'2026-01-01T00:00:00.000Z', %s, %d)", patient, phone,
	    device + 4, device + 24, patient, device,
	    discharged ? "'2026-01-02T00:00:00.000Z'" : "NULL", discharged);
	testdb_exec(&tdb, sql);
}

/* The id of the open admission of "device", as admit() made it. */
static const char *
admission_of(const char *device)
{

	return pool_printf(pool, "0190%.4s-0000-7000-8000-%.12s", device + 4,
	    device + 24);
}

/* ------------------------------------------------------------ roles */

/* Who may do what (SPEC section 3): each role × each action. */
START_TEST(test_roles)
{
	static const struct {
		enum role	 role;
		int		 read, write;
	} rows[] = {
		{ ROLE_ADMIN, 200, 0 },
		{ ROLE_STAFF, 200, 403 },
		{ ROLE_DOCTOR, 403, 403 },
		{ ROLE_NURSE, 403, 403 },
		{ ANON, 401, 401 },
	};
	const char	*id, *uri;
	size_t		 i;

	id = make_device("SN-ROLES", "M", "", "active");
	uri = device_uri(id);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		ck_assert_int_eq(call(METHOD_GET, "/api/devices/", NULL,
		    rows[i].role), rows[i].read);
		ck_assert_int_eq(call(METHOD_GET, uri, NULL, rows[i].role),
		    rows[i].read);
		if (rows[i].role == ROLE_ADMIN)
			continue;
		ck_assert_int_eq(call(METHOD_POST, "/api/devices/",
		    "{\"serial_number\":\"SN-X\",\"model_name\":\"M\"}",
		    rows[i].role), rows[i].write);
		ck_assert(code_is(rows[i].write == 401 ? "not_authenticated" :
		    "permission_denied"));
		ck_assert_int_eq(call(METHOD_PUT, uri, "{\"serial_number\":"
		    "\"SN-X\",\"model_name\":\"M\"}", rows[i].role),
		    rows[i].write);
		ck_assert_int_eq(call(METHOD_PATCH, uri,
		    "{\"status\":\"retired\"}", rows[i].role), rows[i].write);
		ck_assert_int_eq(call(METHOD_DELETE, uri, NULL, rows[i].role),
		    rows[i].write);
	}
	/* Nothing a refused request sent was stored. */
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices"), 1);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices WHERE "
	    "serial_number = 'SN-ROLES' AND status = 'active'"), 1);
}
END_TEST

/* ----------------------------------------------------------- create */

START_TEST(test_create)
{
	const char	*id;
	char		 loc[128];

	ck_assert_int_eq(call(METHOD_POST, "/api/devices/",
	    "{\"serial_number\":\"HM-0001\",\"model_name\":\"Pulse 3\","
	    "\"manufacturer\":\"Acme\","
	    "\"id\":\"" NO_SUCH_ID "\",\"created_at\":\"2000-01-01T00:00:00Z\","
	    "\"current_admission\":\"" NO_SUCH_ID "\",\"colour\":\"red\"}",
	    ROLE_ADMIN), 201);
	ck_assert_ptr_nonnull(id = str("id"));
	ck_assert_str_ne(id, NO_SUCH_ID);
	ck_assert_uint_eq(strlen(id), 36);
	ck_assert_str_eq(str("serial_number"), "HM-0001");
	ck_assert_str_eq(str("model_name"), "Pulse 3");
	ck_assert_str_eq(str("manufacturer"), "Acme");
	ck_assert_str_eq(str("status"), "active");
	ck_assert_str_ne(str("created_at"), "2000-01-01T00:00:00Z");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc,
	    "current_admission")));
	snprintf(loc, sizeof(loc), "Location: /api/devices/%s/\r\n", id);
	ck_assert(strstr(buf_str(&w.headers), loc) != NULL);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices WHERE "
	    "serial_number = 'HM-0001' AND model_name = 'Pulse 3'"), 1);
}
END_TEST

START_TEST(test_create_defaults)
{

	ck_assert_int_eq(call(METHOD_POST, "/api/devices/",
	    "{\"serial_number\":\"HM-2\",\"model_name\":\"M\"}", ROLE_ADMIN),
	    201);
	ck_assert_str_eq(str("manufacturer"), "");
	ck_assert_str_eq(str("status"), "active");
	ck_assert_int_eq(call(METHOD_POST, "/api/devices/",
	    "{\"serial_number\":\"HM-3\",\"model_name\":\"M\","
	    "\"status\":\"maintenance\"}",
	    ROLE_ADMIN), 201);
	ck_assert_str_eq(str("status"), "maintenance");
}
END_TEST

/* Hostile text that is still valid is stored as it came, never run. */
START_TEST(test_create_hostile_text)
{
	static const char *const serials[] = {
		"'; DROP TABLE devices; --",
		"\\\" OR 1=1 --",
		"%_\\\\%",
		"<script>alert(1)</script>",
		"\\u00e9\\u4e2d\\ud83d\\ude00",
		C100,
	};
	char	 body[512];
	size_t	 i;

	for (i = 0; i < sizeof(serials) / sizeof(serials[0]); i++) {
		snprintf(body, sizeof(body), "{\"serial_number\":\"%s\","
		    "\"model_name\":\"%s\"}", serials[i], serials[i]);
		ck_assert_msg(call(METHOD_POST, "/api/devices/", body,
		    ROLE_ADMIN) == 201, "%s: %d %s", serials[i], w.status,
		    buf_str(&w.body));
	}
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices"), i);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices WHERE "
	    "serial_number = '''; DROP TABLE devices; --'"), 1);
}
END_TEST

/* Bodies a create refuses, each naming the field at fault. */
static const struct {
	const char	*body;
	const char	*field;
} invalids[] = {
	{ "{\"model_name\":\"M\"}", "serial_number" },
	{ "{\"serial_number\":null,\"model_name\":\"M\"}", "serial_number" },
	{ "{\"serial_number\":42,\"model_name\":\"M\"}", "serial_number" },
	{ "{\"serial_number\":1e999,\"model_name\":\"M\"}", "serial_number" },
	{ "{\"serial_number\":-0.5,\"model_name\":\"M\"}", "serial_number" },
	{ "{\"serial_number\":true,\"model_name\":\"M\"}", "serial_number" },
	{ "{\"serial_number\":[\"A\"],\"model_name\":\"M\"}", "serial_number" },
	{ "{\"serial_number\":{},\"model_name\":\"M\"}", "serial_number" },
	{ "{\"serial_number\":\"\",\"model_name\":\"M\"}", "serial_number" },
	{ "{\"serial_number\":\"A\\u0000B\",\"model_name\":\"M\"}",
	  "serial_number" },
	{ "{\"serial_number\":\"A\\r\\nB\",\"model_name\":\"M\"}",
	  "serial_number" },
	{ "{\"serial_number\":\"A\\u007f\",\"model_name\":\"M\"}",
	  "serial_number" },
	{ "{\"serial_number\":\"" C101 "\",\"model_name\":\"M\"}",
	  "serial_number" },
	{ "{\"serial_number\":\"A\"}", "model_name" },
	{ "{\"serial_number\":\"A\",\"model_name\":7}", "model_name" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"\"}", "model_name" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"" C101 "\"}",
	  "model_name" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"manufacturer\":"
	  "null}", "manufacturer" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"manufacturer\":"
	  "3.5}", "manufacturer" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"manufacturer\":"
	  "\"" C101 "\"}", "manufacturer" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"manufacturer\":"
	  "\"a\\tb\"}", "manufacturer" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"status\":"
	  "\"broken\"}", "status" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"status\":"
	  "\"Active\"}", "status" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"status\":"
	  "\"active \"}", "status" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"status\":"
	  "\"' OR 1=1 --\"}", "status" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"status\":1}",
	  "status" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"status\":null}",
	  "status" },
	{ "{\"serial_number\":\"A\",\"model_name\":\"M\",\"status\":"
	  "[\"active\"]}", "status" },
	{ "[]", "non_field_errors" },
	{ "\"HM-1\"", "non_field_errors" },
	{ "null", "non_field_errors" },
	{ "42", "non_field_errors" },
};

START_TEST(test_create_invalid)
{

	ck_assert_int_eq(call(METHOD_POST, "/api/devices/", invalids[_i].body,
	    ROLE_ADMIN), 400);
	ck_assert_msg(names_field(invalids[_i].field), "%s: %s",
	    invalids[_i].body, buf_str(&w.body));
	ck_assert(code_is("invalid"));
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices"), 0);
}
END_TEST

/* Every bad field is named at once. */
START_TEST(test_create_invalid_all)
{

	ck_assert_int_eq(call(METHOD_POST, "/api/devices/",
	    "{\"serial_number\":1,\"model_name\":false,\"manufacturer\":[],"
	    "\"status\":\"x\"}",
	    ROLE_ADMIN), 400);
	ck_assert(names_field("serial_number"));
	ck_assert(names_field("model_name"));
	ck_assert(names_field("manufacturer"));
	ck_assert(names_field("status"));
}
END_TEST

/* Bodies that are no JSON at all: 400 (or 415), nothing stored. */
START_TEST(test_create_malformed)
{
	static const char *const bodies[] = {
		"{\"serial_number\": NaN, \"model_name\": \"M\"}",
		"{\"serial_number\": \"A\", \"model_name\": \"M\"",
		("{\"serial_number\": \"A\", \"serial_number\": \"B\", "
		    "\"model_name\": \"M\"}"),
		"",
	};
	size_t	 i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		ck_assert_int_eq(call(METHOD_POST, "/api/devices/", bodies[i],
		    ROLE_ADMIN), 400);
		ck_assert(code_is("invalid"));
	}
	resp_reset(&w);
	req_fake(&r, pool, METHOD_POST, "/api/devices/");
	r.hdrs[HDR_CONTENT_TYPE] = "text/plain";
	r.body = "serial_number=A";
	r.bodysz = strlen(r.body);
	r.who = &who[ROLE_ADMIN];
	http_handle(&tdb.app, &r, &w);
	ck_assert_int_eq(w.status, 415);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices"), 0);
}
END_TEST

START_TEST(test_unique_serial)
{
	const char	*id;

	make_device("HM-1", "M", "", "active");
	id = make_device("HM-2", "M", "", "active");
	ck_assert_int_eq(call(METHOD_POST, "/api/devices/",
	    "{\"serial_number\":\"HM-1\",\"model_name\":\"Other\"}",
	    ROLE_ADMIN), 400);
	ck_assert(names_field("serial_number"));
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id),
	    "{\"serial_number\":\"HM-1\"}", ROLE_ADMIN), 400);
	ck_assert(names_field("serial_number"));
	ck_assert_int_eq(call(METHOD_PUT, device_uri(id), "{\"serial_number\":"
	    "\"HM-1\",\"model_name\":\"M\"}", ROLE_ADMIN), 400);
	ck_assert(names_field("serial_number"));
	/* Its own serial number is no conflict. */
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id),
	    "{\"serial_number\":\"HM-2\",\"model_name\":\"N\"}", ROLE_ADMIN),
	    200);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices"), 2);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices WHERE "
	    "serial_number = 'HM-1' AND model_name = 'M'"), 1);
}
END_TEST

/* ------------------------------------------------------------- read */

START_TEST(test_get)
{
	const char	*id;

	id = make_device("HM-7", "Pulse", "Acme", "maintenance");
	ck_assert_int_eq(call(METHOD_GET, device_uri(id), NULL, ROLE_STAFF),
	    200);
	ck_assert_str_eq(str("id"), id);
	ck_assert_str_eq(str("serial_number"), "HM-7");
	ck_assert_str_eq(str("model_name"), "Pulse");
	ck_assert_str_eq(str("manufacturer"), "Acme");
	ck_assert_str_eq(str("status"), "maintenance");
	ck_assert_ptr_nonnull(str("created_at"));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc,
	    "current_admission")));
	ck_assert_int_eq(call(METHOD_GET, device_uri(NO_SUCH_ID), NULL,
	    ROLE_ADMIN), 404);
	ck_assert(code_is("not_found"));
}
END_TEST

/* Ids that are no UUID: 404 for every method, never 400 or 500. */
static const char *const bad_ids[] = {
	"1", "abc", "0", "-1", "null",
	"01900000-0000-7000-8000-00000000000",
	"01900000-0000-7000-8000-0000000000000",
	"01900000-0000-7000-8000-00000000000G",
	"01900000-0000-7000-8000-00000000000A",
	"01900000000070008000000000000000",
	"%27%20OR%201%3D1%20--",
	"%25",
	"%20",
};

START_TEST(test_bad_id)
{
	const char	*uri = device_uri(bad_ids[_i]);

	make_device("HM-1", "M", "", "active");
	ck_assert_int_eq(call(METHOD_GET, uri, NULL, ROLE_ADMIN), 404);
	ck_assert_int_eq(call(METHOD_PUT, uri, "{\"serial_number\":\"A\","
	    "\"model_name\":\"M\"}", ROLE_ADMIN), 404);
	ck_assert_int_eq(call(METHOD_PATCH, uri, "{\"status\":\"retired\"}",
	    ROLE_ADMIN), 404);
	ck_assert_int_eq(call(METHOD_DELETE, uri, NULL, ROLE_ADMIN), 404);
	ck_assert(code_is("not_found"));
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices WHERE "
	    "status = 'active' AND serial_number = 'HM-1'"), 1);
}
END_TEST

/* ----------------------------------------------------------- update */

START_TEST(test_patch)
{
	const char	*id, *created;

	id = make_device("HM-1", "M", "Acme", "active");
	created = pool_strdup(pool, str("created_at"));
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id), "{\"model_name\":"
	    "\"Pulse 4\",\"id\":\"" NO_SUCH_ID "\",\"created_at\":"
	    "\"2000-01-01T00:00:00Z\",\"current_admission\":\"x\"}",
	    ROLE_ADMIN), 200);
	ck_assert_str_eq(str("id"), id);
	ck_assert_str_eq(str("model_name"), "Pulse 4");
	ck_assert_str_eq(str("serial_number"), "HM-1");
	ck_assert_str_eq(str("manufacturer"), "Acme");
	ck_assert_str_eq(str("created_at"), created);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc,
	    "current_admission")));
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id), "{}", ROLE_ADMIN),
	    200);
	ck_assert_str_eq(str("model_name"), "Pulse 4");
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id),
	    "{\"status\":\"retired\"}", ROLE_ADMIN), 200);
	ck_assert_str_eq(str("status"), "retired");
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id),
	    "{\"status\":\"active\",\"manufacturer\":\"\"}", ROLE_ADMIN), 200);
	ck_assert_str_eq(str("status"), "active");
	ck_assert_str_eq(str("manufacturer"), "");
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices WHERE "
	    "model_name = 'Pulse 4' AND status = 'active' AND "
	    "manufacturer = ''"), 1);
}
END_TEST

/* A PATCH refuses what a create refuses, and changes nothing then. */
START_TEST(test_patch_invalid)
{
	static const struct {
		const char	*body, *field;
	} bad[] = {
		{ "{\"serial_number\":null}", "serial_number" },
		{ "{\"serial_number\":\"\"}", "serial_number" },
		{ "{\"serial_number\":17}", "serial_number" },
		{ "{\"model_name\":null}", "model_name" },
		{ "{\"model_name\":\"" C101 "\"}", "model_name" },
		{ "{\"manufacturer\":null}", "manufacturer" },
		{ "{\"status\":\"gone\"}", "status" },
		{ "{\"status\":true}", "status" },
		{ "{\"status\":\"retired\",\"model_name\":[]}", "model_name" },
		{ "[{\"status\":\"retired\"}]", "non_field_errors" },
	};
	const char	*id;
	size_t		 i;

	id = make_device("HM-1", "M", "Acme", "active");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(call(METHOD_PATCH, device_uri(id),
		    bad[i].body, ROLE_ADMIN), 400);
		ck_assert_msg(names_field(bad[i].field), "%s: %s",
		    bad[i].body, buf_str(&w.body));
	}
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices WHERE "
	    "serial_number = 'HM-1' AND model_name = 'M' AND "
	    "manufacturer = 'Acme' AND status = 'active'"), 1);
}
END_TEST

/* PUT needs serial_number and model_name; the others keep their value. */
START_TEST(test_put)
{
	const char	*id;

	id = make_device("HM-1", "M", "Acme", "maintenance");
	ck_assert_int_eq(call(METHOD_PUT, device_uri(id),
	    "{\"model_name\":\"N\"}", ROLE_ADMIN), 400);
	ck_assert(names_field("serial_number"));
	ck_assert_int_eq(call(METHOD_PUT, device_uri(id),
	    "{\"serial_number\":\"HM-9\"}", ROLE_ADMIN), 400);
	ck_assert(names_field("model_name"));
	ck_assert_int_eq(call(METHOD_PUT, device_uri(id), "{\"serial_number\":"
	    "\"HM-9\",\"model_name\":\"N\"}", ROLE_ADMIN), 200);
	ck_assert_str_eq(str("serial_number"), "HM-9");
	ck_assert_str_eq(str("model_name"), "N");
	ck_assert_str_eq(str("manufacturer"), "Acme");
	ck_assert_str_eq(str("status"), "maintenance");
	ck_assert_int_eq(call(METHOD_PUT, device_uri(NO_SUCH_ID),
	    "{\"serial_number\":\"HM-9\",\"model_name\":\"N\"}", ROLE_ADMIN),
	    404);
}
END_TEST

/*
 * A device in an open admission can be neither retired nor sent to
 * maintenance (409); other changes go through, and after the discharge
 * retiring does too.
 */
START_TEST(test_retire_in_use)
{
	const char	*id;
	char		 sql[256];

	id = make_device("HM-1", "M", "", "active");
	admit(PATIENT_ID, "+4915100000001", id, 0);
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id),
	    "{\"status\":\"retired\"}", ROLE_ADMIN), 409);
	ck_assert(code_is("conflict"));
	ck_assert(strstr(str("detail"), "open admission") != NULL);
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id),
	    "{\"status\":\"maintenance\"}", ROLE_ADMIN), 409);
	ck_assert_int_eq(call(METHOD_PUT, device_uri(id), "{\"serial_number\":"
	    "\"HM-1\",\"model_name\":\"M\",\"status\":\"retired\"}",
	    ROLE_ADMIN), 409);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices WHERE "
	    "status = 'active'"), 1);
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id),
	    "{\"status\":\"active\",\"model_name\":\"M2\"}", ROLE_ADMIN), 200);
	ck_assert_str_eq(str("current_admission"), admission_of(id));
	snprintf(sql, sizeof(sql), "UPDATE admissions SET is_discharged = 1, "
	    "discharge_date = '2026-01-02T00:00:00.000Z' WHERE device_id = "
	    "'%s'", id);
	testdb_exec(&tdb, sql);
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id),
	    "{\"status\":\"retired\"}", ROLE_ADMIN), 200);
	ck_assert_str_eq(str("status"), "retired");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc,
	    "current_admission")));
}
END_TEST

/* hmctl device retire goes through device_retire(): the same rules. */
START_TEST(test_retire_library)
{
	struct device	 d;
	const char	*id;

	id = make_device("HM-1", "M", "", "active");
	make_device("HM-2", "M", "", "active");
	admit(PATIENT_ID, "+4915100000001", id, 0);
	ck_assert_int_eq(device_retire(tdb.app.db, pool, "HM-1", &d),
	    ERR_CONFLICT);
	ck_assert_str_eq(d.current_admission, admission_of(id));
	ck_assert_int_eq(device_retire(tdb.app.db, pool, "HM-404", &d),
	    ERR_NOTFOUND);
	ck_assert_int_eq(device_retire(tdb.app.db, pool, "HM-2", &d), ERR_OK);
	ck_assert_int_eq(d.status, DEVICE_RETIRED);
	ck_assert_int_eq(device_retire(tdb.app.db, pool, "HM-2", &d), ERR_OK);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices WHERE "
	    "status = 'retired'"), 1);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices WHERE "
	    "serial_number = 'HM-1' AND status = 'active'"), 1);
}
END_TEST

/* ----------------------------------------------------------- delete */

START_TEST(test_delete_unused)
{
	const char	*id;

	id = make_device("HM-1", "M", "", "active");
	ck_assert_int_eq(call(METHOD_DELETE, device_uri(id), NULL, ROLE_ADMIN),
	    204);
	ck_assert_uint_eq(w.body.len, 0);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices"), 0);
	ck_assert_int_eq(call(METHOD_GET, device_uri(id), NULL, ROLE_ADMIN),
	    404);
	ck_assert_int_eq(call(METHOD_DELETE, device_uri(id), NULL, ROLE_ADMIN),
	    404);
}
END_TEST

/* Used once, even long discharged: 409 saying to retire it (7.15). */
START_TEST(test_delete_used)
{
	const char	*id, *open;

	id = make_device("HM-1", "M", "", "active");
	open = make_device("HM-2", "M", "", "active");
	admit(PATIENT_ID, "+4915100000001", id, 1);
	admit(PATIENT2_ID, "+4915100000002", open, 0);
	ck_assert_int_eq(call(METHOD_DELETE, device_uri(id), NULL, ROLE_ADMIN),
	    409);
	ck_assert(code_is("conflict"));
	ck_assert(strstr(str("detail"), "retire") != NULL);
	ck_assert(strstr(str("detail"), "PATCH {\"status\": \"retired\"}") !=
	    NULL);
	ck_assert_int_eq(call(METHOD_DELETE, device_uri(open), NULL,
	    ROLE_ADMIN), 409);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices"), 2);
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(id),
	    "{\"status\":\"retired\"}", ROLE_ADMIN), 200);
}
END_TEST

/* ------------------------------------------------------------- list */

/* The serial numbers of the answer's results, joined by ",". */
static const char *
serials(void)
{
	const cJSON	*res, *it;
	struct buf	 b;
	const char	*s;

	res = cJSON_GetObjectItemCaseSensitive(doc, "results");
	ck_assert(cJSON_IsArray(res));
	buf_init(&b);
	cJSON_ArrayForEach(it, res)
		buf_printf(&b, "%s%s", b.len > 0 ? "," : "",
		    str_of(it, "serial_number"));
	s = pool_strdup(pool, buf_str(&b));
	buf_clear(&b);
	return s;
}

static long
count_of(void)
{
	const cJSON	*c = cJSON_GetObjectItemCaseSensitive(doc, "count");

	return cJSON_IsNumber(c) ? (long)c->valuedouble : -1;
}

/* GETs the list as staff with "query" (200 asserted); the serials. */
static const char *
list(const char *query)
{
	const char	*uri = pool_printf(pool, "/api/devices/%s", query);

	ck_assert_msg(call(METHOD_GET, uri, NULL, ROLE_STAFF) == 200, "%s: %d "
	    "%s", uri, w.status, buf_str(&w.body));
	return serials();
}

/*
 * Four devices: A active and free, B active in an open admission, C in
 * maintenance, D retired (once used, now discharged).
 */
static void
four_devices(void)
{
	const char	*b, *d;

	make_device("A-1", "Zeta", "Acme", "active");
	b = make_device("B-2", "Alpha", "Beta_Corp", "active");
	make_device("C-3", "Mid 100%", "acme medical", "maintenance");
	d = make_device("D-4", "Alpha", "Other", "active");
	admit(PATIENT_ID, "+4915100000001", b, 0);
	admit(PATIENT2_ID, "+4915100000002", d, 1);
	ck_assert_int_eq(call(METHOD_PATCH, device_uri(d),
	    "{\"status\":\"retired\"}", ROLE_ADMIN), 200);
}

START_TEST(test_list)
{
	const cJSON	*res, *it;

	four_devices();
	ck_assert_str_eq(list(""), "A-1,B-2,C-3,D-4");
	ck_assert_int_eq(count_of(), 4);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "next")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc,
	    "previous")));
	res = cJSON_GetObjectItemCaseSensitive(doc, "results");
	it = cJSON_GetArrayItem(res, 1);
	ck_assert_ptr_nonnull(str_of(it, "current_admission"));
	ck_assert_uint_eq(strlen(str_of(it, "current_admission")), 36);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(res, 0), "current_admission")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(res, 3), "current_admission")));
	ck_assert_str_eq(list("?status=retired"), "D-4");
	ck_assert_str_eq(list("?status=active"), "A-1,B-2");
	ck_assert_str_eq(list("?status=maintenance"), "C-3");
	ck_assert_str_eq(list("?status="), "A-1,B-2,C-3,D-4");
	ck_assert_str_eq(list("?unknown=1"), "A-1,B-2,C-3,D-4");
}
END_TEST

START_TEST(test_list_available)
{
	const char	*b;

	four_devices();
	ck_assert_str_eq(list("?available=true"), "A-1");
	ck_assert_int_eq(count_of(), 1);
	ck_assert_str_eq(list("?available=false"), "B-2,C-3,D-4");
	ck_assert_str_eq(list("?available=true&status=active"), "A-1");
	ck_assert_str_eq(list("?available=false&status=active"), "B-2");
	ck_assert_str_eq(list("?available=true&status=retired"), "");
	ck_assert_int_eq(count_of(), 0);
	/* Discharged: B is free again. */
	testdb_exec(&tdb, "UPDATE admissions SET is_discharged = 1, discharge_date = "
	    "'2026-01-03T00:00:00.000Z'");
	ck_assert_str_eq(list("?available=true"), "A-1,B-2");
	b = pool_strdup(pool, str_of(cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(doc, "results"), 1), "id"));
	ck_assert_int_eq(call(METHOD_GET, device_uri(b), NULL, ROLE_STAFF),
	    200);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc,
	    "current_admission")));
}
END_TEST

/* search: a case-insensitive substring of serial, model or maker. */
START_TEST(test_list_search)
{

	four_devices();
	ck_assert_str_eq(list("?search=acme"), "A-1,C-3");
	ck_assert_str_eq(list("?search=ACME"), "A-1,C-3");
	ck_assert_str_eq(list("?search=alpha"), "B-2,D-4");
	ck_assert_str_eq(list("?search=-3"), "C-3");
	/* LIKE's wildcards are matched literally. */
	ck_assert_str_eq(list("?search=%25"), "C-3");
	ck_assert_str_eq(list("?search=_"), "B-2");
	ck_assert_str_eq(list("?search=%5C"), "");
	ck_assert_str_eq(list("?search=%27%20OR%20%271%27%3D%271"), "");
	ck_assert_str_eq(list("?search=nothing"), "");
	ck_assert_int_eq(count_of(), 0);
	ck_assert_str_eq(list("?search="), "A-1,B-2,C-3,D-4");
	ck_assert_str_eq(list("?search=a&status=maintenance"), "C-3");
}
END_TEST

START_TEST(test_list_ordering)
{
	const cJSON	*res;
	const char	*first, *second;

	four_devices();
	ck_assert_str_eq(list("?ordering=serial_number"), "A-1,B-2,C-3,D-4");
	ck_assert_str_eq(list("?ordering=-serial_number"), "D-4,C-3,B-2,A-1");
	ck_assert_str_eq(list("?ordering=created_at"), "A-1,B-2,C-3,D-4");
	ck_assert_str_eq(list("?ordering=-created_at"), "D-4,C-3,B-2,A-1");
	/* B and D share a model: their ids (time-ordered) break the tie. */
	ck_assert_str_eq(list("?ordering=model_name"), "B-2,D-4,C-3,A-1");
	res = cJSON_GetObjectItemCaseSensitive(doc, "results");
	first = str_of(cJSON_GetArrayItem(res, 0), "id");
	second = str_of(cJSON_GetArrayItem(res, 1), "id");
	ck_assert_int_lt(strcmp(first, second), 0);
	ck_assert_str_eq(list("?ordering=-model_name"), "A-1,C-3,D-4,B-2");
	ck_assert_str_eq(list("?ordering="), "A-1,B-2,C-3,D-4");
}
END_TEST

/* Known filters with unknown values: 400 naming the filter (7.12). */
static const struct {
	const char	*query;
	const char	*field;
} bad_filters[] = {
	{ "?status=broken", "status" },
	{ "?status=ACTIVE", "status" },
	{ "?status=active%27%20OR%201%3D1%20--", "status" },
	{ "?status=active,retired", "status" },
	{ "?available=yes", "available" },
	{ "?available=1", "available" },
	{ "?available=True", "available" },
	{ "?available=true%00", NULL },	/* refused before any filter */
	{ "?available=%20true", "available" },
	{ "?ordering=id", "ordering" },
	{ "?ordering=status", "ordering" },
	{ "?ordering=manufacturer", "ordering" },
	{ "?ordering=--serial_number", "ordering" },
	{ "?ordering=serial_number,created_at", "ordering" },
	{ "?ordering=serial_number%3B%20DROP%20TABLE%20devices", "ordering" },
	{ "?ordering=SERIAL_NUMBER", "ordering" },
	{ "?page_size=abc", "page_size" },
	{ "?page_size=-1", "page_size" },
	{ "?page_size=0", "page_size" },
};

START_TEST(test_list_bad_filter)
{
	const char	*uri;

	make_device("A-1", "M", "", "active");
	uri = pool_printf(pool, "/api/devices/%s", bad_filters[_i].query);
	ck_assert_msg(call(METHOD_GET, uri, NULL, ROLE_ADMIN) == 400, "%s: %d",
	    uri, w.status);
	ck_assert(code_is("invalid"));
	if (bad_filters[_i].field != NULL)
		ck_assert_msg(names_field(bad_filters[_i].field), "%s: %s",
		    uri, buf_str(&w.body));
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM devices"), 1);
}
END_TEST

START_TEST(test_list_pages)
{
	char		 serial[16];
	const char	*next;
	int		 i;

	for (i = 0; i < 25; i++) {
		snprintf(serial, sizeof(serial), "P-%02d", i);
		make_device(serial, "M", "", "active");
	}
	list("");
	ck_assert_int_eq(count_of(), 25);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
	    doc, "results")), 20);
	ck_assert_ptr_nonnull(next = str("next"));
	ck_assert_str_eq(next, "https://hm.test/api/devices/?page=2");
	ck_assert_str_eq(list("?page=2"), "P-20,P-21,P-22,P-23,P-24");
	ck_assert_str_eq(str("previous"), "https://hm.test/api/devices/");
	ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(doc, "next")));
	ck_assert_str_eq(list("?page_size=2&page=3&ordering=-serial_number"),
	    "P-20,P-19");
	ck_assert_str_eq(list("?page_size=1000"), "P-00,P-01,P-02,P-03,P-04,"
	    "P-05,P-06,P-07,P-08,P-09,P-10,P-11,P-12,P-13,P-14,P-15,P-16,P-17,"
	    "P-18,P-19,P-20,P-21,P-22,P-23,P-24");
	ck_assert_int_eq(call(METHOD_GET, "/api/devices/?page=3", NULL,
	    ROLE_ADMIN), 404);
	ck_assert_int_eq(call(METHOD_GET, "/api/devices/?page=0", NULL,
	    ROLE_ADMIN), 404);
	ck_assert_int_eq(call(METHOD_GET, "/api/devices/?page=last", NULL,
	    ROLE_ADMIN), 404);
	ck_assert_int_eq(call(METHOD_GET, "/api/devices/?page=99999999999999"
	    "999999", NULL, ROLE_ADMIN), 404);
}
END_TEST

/* An empty list is one empty page, not a 404. */
START_TEST(test_list_empty)
{

	ck_assert_str_eq(list(""), "");
	ck_assert_int_eq(count_of(), 0);
	ck_assert_str_eq(list("?page=1"), "");
	ck_assert_int_eq(call(METHOD_GET, "/api/devices/?page=2", NULL,
	    ROLE_ADMIN), 404);
}
END_TEST

START_TEST(test_routes)
{

	ck_assert_int_eq(call(METHOD_GET, "/api/devices", NULL, ROLE_ADMIN),
	    404);
	ck_assert(strstr(str("detail"), "/api/devices/") != NULL);
	ck_assert_int_eq(call(METHOD_DELETE, "/api/devices/", NULL,
	    ROLE_ADMIN), 405);
	ck_assert(strstr(buf_str(&w.headers), "Allow: GET, HEAD, POST\r\n") !=
	    NULL);
	ck_assert_int_eq(call(METHOD_POST, device_uri(NO_SUCH_ID), "{}",
	    ROLE_ADMIN), 405);
	ck_assert_int_eq(call(METHOD_HEAD, "/api/devices/", NULL, ROLE_STAFF),
	    200);
	ck_assert_uint_eq(w.body.len, 0);
}
END_TEST

static Suite *
device_suite(void)
{
	Suite	*s = suite_create("device");
	TCase	*tc;

	tc = tcase_create("roles");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_routes);
	suite_add_tcase(s, tc);

	tc = tcase_create("create");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create);
	tcase_add_test(tc, test_create_defaults);
	tcase_add_test(tc, test_create_hostile_text);
	tcase_add_loop_test(tc, test_create_invalid, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	tcase_add_test(tc, test_create_invalid_all);
	tcase_add_test(tc, test_create_malformed);
	tcase_add_test(tc, test_unique_serial);
	suite_add_tcase(s, tc);

	tc = tcase_create("read");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_get);
	tcase_add_loop_test(tc, test_bad_id, 0,
	    sizeof(bad_ids) / sizeof(bad_ids[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("update");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_patch);
	tcase_add_test(tc, test_patch_invalid);
	tcase_add_test(tc, test_put);
	tcase_add_test(tc, test_retire_in_use);
	tcase_add_test(tc, test_retire_library);
	suite_add_tcase(s, tc);

	tc = tcase_create("delete");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_delete_unused);
	tcase_add_test(tc, test_delete_used);
	suite_add_tcase(s, tc);

	tc = tcase_create("list");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_list_available);
	tcase_add_test(tc, test_list_search);
	tcase_add_test(tc, test_list_ordering);
	tcase_add_loop_test(tc, test_list_bad_filter, 0,
	    sizeof(bad_filters) / sizeof(bad_filters[0]));
	tcase_add_test(tc, test_list_pages);
	tcase_add_test(tc, test_list_empty);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(device_suite());
}
