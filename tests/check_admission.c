/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "admission.h"
#include "db.h"
#include "pool.h"
#include "testutil.h"

/*
 * The admission handlers through http_handle(), on a real database
 * file: users, patients and devices are inserted on a side connection,
 * and the signed-in user is set as r.who (no token, as check_http.c
 * does).
 */

static struct testdb	 tdb;
static struct pool	*pool;
static struct req	 r;
static struct resp	 w;
static cJSON		*doc;		/* the last answer, parsed */

#define	ANON	ROLE__MAX	/* run() without a signed-in user */
#define	UUID_LEN	37	/* with the NUL */

/* Users, one per role, in the order of enum role. */
static const char *const uid[ROLE__MAX] = {
	"00000000-0000-7000-8000-00000000000a",	/* ROLE_ADMIN */
	"00000000-0000-7000-8000-00000000000b",	/* ROLE_STAFF */
	"00000000-0000-7000-8000-00000000000c",	/* ROLE_DOCTOR */
	"00000000-0000-7000-8000-00000000000d",	/* ROLE_NURSE */
};

/*
 * Patients, devices and an admission id; the "X" ones do not exist.
 * Devices "D" are active, "DM" in maintenance, "DR" retired.
 */
#define	P1	"10000000-0000-7000-8000-000000000001"
#define	P2	"10000000-0000-7000-8000-000000000002"
#define	P3	"10000000-0000-7000-8000-000000000003"
#define	PX	"10000000-0000-7000-8000-0000000000ff"
#define	D1	"20000000-0000-7000-8000-000000000001"
#define	D2	"20000000-0000-7000-8000-000000000002"
#define	D3	"20000000-0000-7000-8000-000000000003"
#define	DM	"20000000-0000-7000-8000-00000000000e"
#define	DR	"20000000-0000-7000-8000-00000000000f"
#define	DX	"20000000-0000-7000-8000-0000000000ff"
#define	AX	"30000000-0000-7000-8000-0000000000ff"

#define	BODY(p, d) \
	"{\"patient\":\"" p "\",\"assigned_device\":\"" d "\"}"

static void
setup(void)
{

	testdb_open(&tdb);
	ck_assert_ptr_nonnull(pool = pool_new());
	resp_init(&w);
	doc = NULL;
	testdb_exec(&tdb, "INSERT INTO users (id, email, password, first_name, "
	    "last_name, user_role, is_active, date_joined) VALUES "
	    "('00000000-0000-7000-8000-00000000000a', 'a@x.test', 'x', 'Ada', "
	    "'Admin', 'admin', 1, '2026-01-01T00:00:00.000Z'), "
	    "('00000000-0000-7000-8000-00000000000b', 's@x.test', 'x', 'Sam', "
	    "'Staff', 'staff', 1, '2026-01-01T00:00:00.000Z'), "
	    "('00000000-0000-7000-8000-00000000000c', 'd@x.test', 'x', 'Dan', "
	    "'Doctor', 'doctor', 1, '2026-01-01T00:00:00.000Z'), "
	    "('00000000-0000-7000-8000-00000000000d', 'n@x.test', 'x', 'Nia', "
	    "'Nurse', 'nurse', 1, '2026-01-01T00:00:00.000Z')");
	testdb_exec(&tdb, "INSERT INTO patients (id, first_name, last_name, "
	    "date_of_birth, phone_number, created_at, updated_at) VALUES "
	    "('" P1 "', 'Pat', 'One', '1970-01-02', '+111111111', "
	    "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'), "
	    "('" P2 "', 'Pia', 'Two', '1980-03-04', '+222222222', "
	    "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'), "
	    "('" P3 "', 'Per', 'Three', '1990-05-06', '+333333333', "
	    "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')");
	testdb_exec(&tdb, "INSERT INTO devices (id, serial_number, model_name, "
	    "status, created_at) VALUES "
	    "('" D1 "', 'SN-1', 'Model A', 'active', '2026-01-01T00:00:00Z'), "
	    "('" D2 "', 'SN-2', 'Model B', 'active', '2026-01-01T00:00:00Z'), "
	    "('" D3 "', 'SN-3', 'Model C', 'active', '2026-01-01T00:00:00Z'), "
	    "('" DM "', 'SN-M', 'Model M', 'maintenance', "
	    "'2026-01-01T00:00:00Z'), "
	    "('" DR "', 'SN-R', 'Model R', 'retired', '2026-01-01T00:00:00Z')");
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
 * Sends "m" "uri" as the user of "role" (ANON: nobody) with "json" as
 * body (NULL: none), and parses the answer into "doc".
 */
static void
run(enum method m, const char *uri, const char *json, enum role role)
{
	static struct principal	 who;

	cJSON_Delete(doc);
	doc = NULL;
	resp_reset(&w);
	req_fake(&r, pool, m, uri);
	r.remote_addr = "10.1.2.3";
	if (json != NULL) {
		r.hdrs[HDR_CONTENT_TYPE] = "application/json";
		r.body = json;
		r.bodysz = strlen(json);
	}
	if (role != ANON) {
		who.user_id = uid[role];
		who.sid = "s";
		who.role = role;
		who.by_cookie = 0;
		r.who = &who;
	}
	http_handle(&tdb.app, &r, &w);
	doc = cJSON_ParseWithLength(w.body.p != NULL ? w.body.p : "",
	    w.body.len);
}

/* Asserts a 400 whose errors name "field". */
static void
assert_400(const char *field)
{
	const cJSON	*errs;

	ck_assert_msg(w.status == 400, "want 400, got %d: %s", w.status,
	    buf_str(&w.body));
	ck_assert_str_eq(cj_str(doc, "code"), "invalid");
	errs = cj_member(doc, "errors");
	ck_assert_msg(cj_member(errs, field) != NULL, "want %s named: %s",
	    field, buf_str(&w.body));
}

/* Asserts a 400 naming "field" with a message holding "words". */
static void
assert_400_says(const char *field, const char *words)
{
	const cJSON	*msgs;

	assert_400(field);
	msgs = cj_member(cj_member(doc, "errors"), field);
	ck_assert_msg(cJSON_IsArray(msgs) && cJSON_GetArraySize(msgs) > 0 &&
	    strstr(cJSON_GetArrayItem(msgs, 0)->valuestring, words) != NULL,
	    "want \"%s\" for %s: %s", words, field, buf_str(&w.body));
}

/* Admits "body" as staff (201 asserted); copies the new id to "id". */
static void
admit(const char *body, char id[UUID_LEN])
{

	run(METHOD_POST, "/api/admissions/", body, ROLE_STAFF);
	ck_assert_msg(w.status == 201, "%d: %s", w.status, buf_str(&w.body));
	ck_assert_ptr_nonnull(cj_str(doc, "id"));
	snprintf(id, UUID_LEN, "%s", cj_str(doc, "id"));
}

/* The path "/api/admissions/<id>/<rest>" in a static buffer. */
static const char *
path(const char *id, const char *rest)
{
	static char	 p[256];

	snprintf(p, sizeof(p), "/api/admissions/%s/%s", id, rest);
	return p;
}

static long
open_count(void)
{

	return testdb_count(&tdb,
	    "SELECT count(*) FROM admissions WHERE is_discharged = 0");
}

START_TEST(test_admit)
{
	const cJSON	*d;
	char		 loc[160];

	run(METHOD_POST, "/api/admissions/", "{\"patient\":\"" P1 "\","
	    "\"assigned_device\":\"" D1 "\",\"ward\":\"Cardio\",\"bed\":\"3\","
	    "\"admitted_by\":\"00000000-0000-7000-8000-00000000000d\","
	    "\"is_discharged\":true,\"discharge_date\":\"2026-01-01\","
	    "\"id\":\"" AX "\",\"admission_date\":\"2000-01-01T00:00:00Z\"}",
	    ROLE_STAFF);
	ck_assert_msg(w.status == 201, "%d: %s", w.status, buf_str(&w.body));
	ck_assert_str_eq(w.content_type, "application/json");
	ck_assert_ptr_nonnull(cj_str(doc, "id"));
	ck_assert_str_ne(cj_str(doc, "id"), AX);
	snprintf(loc, sizeof(loc), "Location: /api/admissions/%s/\r\n",
	    cj_str(doc, "id"));
	ck_assert_msg(strstr(buf_str(&w.headers), loc) != NULL, "%s",
	    buf_str(&w.headers));
	ck_assert_str_eq(cj_str(doc, "patient"), P1);
	ck_assert_str_eq(cj_str(doc, "assigned_device"), D1);
	/* From the session, never from the body. */
	ck_assert_str_eq(cj_str(doc, "admitted_by"), uid[ROLE_STAFF]);
	ck_assert_ptr_nonnull(cj_str(doc, "admission_date"));
	ck_assert_int_eq(strlen(cj_str(doc, "admission_date")), 24);
	ck_assert_str_ne(cj_str(doc, "admission_date"), "2000-01-01T00:00:00Z");
	ck_assert(cJSON_IsNull(cj_member(doc, "discharge_date")));
	ck_assert(cJSON_IsFalse(cj_member(doc, "is_discharged")));
	ck_assert_str_eq(cj_str(doc, "ward"), "Cardio");
	ck_assert_str_eq(cj_str(doc, "bed"), "3");
	d = cj_member(doc, "patient_detail");
	ck_assert_str_eq(cj_str(d, "id"), P1);
	ck_assert_str_eq(cj_str(d, "first_name"), "Pat");
	ck_assert_str_eq(cj_str(d, "last_name"), "One");
	ck_assert_str_eq(cj_str(d, "date_of_birth"), "1970-01-02");
	d = cj_member(doc, "device_detail");
	ck_assert_str_eq(cj_str(d, "id"), D1);
	ck_assert_str_eq(cj_str(d, "serial_number"), "SN-1");
	ck_assert_str_eq(cj_str(d, "model_name"), "Model A");
	d = cj_member(doc, "admitted_by_detail");
	ck_assert_str_eq(cj_str(d, "id"), uid[ROLE_STAFF]);
	ck_assert_str_eq(cj_str(d, "first_name"), "Sam");
	ck_assert_str_eq(cj_str(d, "last_name"), "Staff");
	ck_assert_str_eq(cj_str(d, "user_role"), "staff");
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions WHERE "
	    "patient_id = '" P1 "' AND device_id = '" D1 "' AND "
	    "admitted_by = '00000000-0000-7000-8000-00000000000b' AND "
	    "is_discharged = 0 AND discharge_date IS NULL"), 1);
	/* Admin may admit too; ward and bed are optional. */
	run(METHOD_POST, "/api/admissions/", BODY(P2, D2), ROLE_ADMIN);
	ck_assert_int_eq(w.status, 201);
	ck_assert(cJSON_IsNull(cj_member(doc, "ward")));
	ck_assert(cJSON_IsNull(cj_member(doc, "bed")));
	ck_assert_str_eq(cj_str(cj_member(doc, "admitted_by_detail"),
	    "user_role"), "admin");
}
END_TEST

START_TEST(test_admit_device_refused)
{

	run(METHOD_POST, "/api/admissions/", BODY(P1, DM), ROLE_STAFF);
	assert_400_says("assigned_device", "maintenance");
	run(METHOD_POST, "/api/admissions/", BODY(P1, DR), ROLE_STAFF);
	assert_400_says("assigned_device", "retired");
	run(METHOD_POST, "/api/admissions/", BODY(P1, DX), ROLE_STAFF);
	assert_400_says("assigned_device", "does not exist");
	ck_assert(cj_member(cj_member(doc, "errors"), "patient") == NULL);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions"), 0);
}
END_TEST

START_TEST(test_admit_patient_refused)
{

	run(METHOD_POST, "/api/admissions/", BODY(PX, D1), ROLE_STAFF);
	assert_400_says("patient", "does not exist");
	ck_assert(cj_member(cj_member(doc, "errors"),
	    "assigned_device") == NULL);
	/* Both wrong: both named. */
	run(METHOD_POST, "/api/admissions/", BODY(PX, DR), ROLE_STAFF);
	assert_400("patient");
	assert_400("assigned_device");
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions"), 0);
}
END_TEST

/* One open admission per device: the unique index, answered 400. */
START_TEST(test_admit_busy_device)
{
	char	 id[UUID_LEN];

	admit(BODY(P1, D1), id);
	run(METHOD_POST, "/api/admissions/", BODY(P2, D1), ROLE_STAFF);
	assert_400_says("assigned_device", "open admission");
	ck_assert(cj_member(cj_member(doc, "errors"), "patient") == NULL);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions"), 1);
	/* Discharged, the device is free again. */
	run(METHOD_POST, path(id, "discharge/"), NULL, ROLE_STAFF);
	ck_assert_int_eq(w.status, 200);
	admit(BODY(P2, D1), id);
}
END_TEST

/* One open admission per patient. */
START_TEST(test_admit_patient_already_admitted)
{
	char	 id[UUID_LEN];

	admit(BODY(P1, D1), id);
	run(METHOD_POST, "/api/admissions/", BODY(P1, D2), ROLE_STAFF);
	assert_400_says("patient", "open admission");
	ck_assert(cj_member(cj_member(doc, "errors"),
	    "assigned_device") == NULL);
	/* The same pair again: both reasons. */
	run(METHOD_POST, "/api/admissions/", BODY(P1, D1), ROLE_STAFF);
	assert_400("patient");
	assert_400("assigned_device");
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions"), 1);
	run(METHOD_POST, path(id, "discharge/"), NULL, ROLE_ADMIN);
	ck_assert_int_eq(w.status, 200);
	admit(BODY(P1, D2), id);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions WHERE "
	    "patient_id = '" P1 "'"), 2);
}
END_TEST

/*
 * The storage layer alone: the partial unique indexes refuse a second
 * open admission even without any check before the insert.
 */
START_TEST(test_index_is_the_guard)
{
	struct admission	 a;

	memset(&a, 0, sizeof(a));
	a.patient_id = P1;
	a.device_id = D1;
	a.admitted_by = uid[ROLE_STAFF];
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(admission_insert(tdb.app.db, pool, &a,
	    1767225600000), ERR_OK);
	a.patient_id = P2;
	ck_assert_int_eq(admission_insert(tdb.app.db, pool, &a,
	    1767225600001), ERR_CONFLICT);
	a.patient_id = P1;
	a.device_id = D2;
	ck_assert_int_eq(admission_insert(tdb.app.db, pool, &a,
	    1767225600002), ERR_CONFLICT);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert_int_eq(open_count(), 1);
}
END_TEST

START_TEST(test_admit_bad_bodies)
{
	static const struct {
		const char	*body;
		const char	*field;
	} bad[] = {
		{ "{\"assigned_device\":\"" D1 "\"}", "patient" },
		{ "{\"patient\":null,\"assigned_device\":\"" D1 "\"}",
		  "patient" },
		{ "{\"patient\":42,\"assigned_device\":\"" D1 "\"}",
		  "patient" },
		{ "{\"patient\":1e999,\"assigned_device\":\"" D1 "\"}",
		  "patient" },
		{ "{\"patient\":[\"" P1 "\"],\"assigned_device\":\"" D1 "\"}",
		  "patient" },
		{ "{\"patient\":\"xyz\",\"assigned_device\":\"" D1 "\"}",
		  "patient" },
		{ "{\"patient\":\"10000000-0000-7000-8000-00000000000\","
		  "\"assigned_device\":\"" D1 "\"}", "patient" },
		{ "{\"patient\":\"10000000-0000-7000-8000-00000000000A\","
		  "\"assigned_device\":\"" D1 "\"}", "patient" },
		{ "{\"patient\":\"' OR 1=1 --\",\"assigned_device\":\"" D1
		  "\"}", "patient" },
		{ "{\"patient\":\"" P1 "\"}", "assigned_device" },
		{ "{\"patient\":\"" P1 "\",\"assigned_device\":true}",
		  "assigned_device" },
		{ "{\"patient\":\"" P1 "\",\"assigned_device\":{}}",
		  "assigned_device" },
		{ "{\"patient\":\"" P1 "\",\"assigned_device\":\"" D1 "\","
		  "\"ward\":7}", "ward" },
		{ "{\"patient\":\"" P1 "\",\"assigned_device\":\"" D1 "\","
		  "\"ward\":\"a\\nb\"}", "ward" },
		{ "{\"patient\":\"" P1 "\",\"assigned_device\":\"" D1 "\","
		  "\"bed\":\"x\\u0000y\"}", "bed" },
		{ "{\"patient\":\"" P1 "\",\"assigned_device\":\"" D1 "\","
		  "\"bed\":false}", "bed" },
		{ "[]", "non_field_errors" },
		{ "\"x\"", "non_field_errors" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run(METHOD_POST, "/api/admissions/", bad[i].body, ROLE_STAFF);
		assert_400(bad[i].field);
	}
	/* No body at all. */
	run(METHOD_POST, "/api/admissions/", NULL, ROLE_STAFF);
	assert_400("non_field_errors");
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions"), 0);
}
END_TEST

START_TEST(test_admit_ward_bed_lengths)
{
	char	 body[512], ward[102];
	char	 id[UUID_LEN];

	memset(ward, 'w', 101);
	ward[101] = '\0';
	snprintf(body, sizeof(body), "{\"patient\":\"" P1 "\","
	    "\"assigned_device\":\"" D1 "\",\"ward\":\"%s\"}", ward);
	run(METHOD_POST, "/api/admissions/", body, ROLE_STAFF);
	assert_400("ward");
	ward[100] = '\0';
	snprintf(body, sizeof(body), "{\"patient\":\"" P1 "\","
	    "\"assigned_device\":\"" D1 "\",\"ward\":\"%s\","
	    "\"bed\":\"' OR 1=1; DROP TABLE admissions; --\"}", ward);
	admit(body, id);
	ck_assert_str_eq(cj_str(doc, "ward"), ward);
	ck_assert_str_eq(cj_str(doc, "bed"),
	    "' OR 1=1; DROP TABLE admissions; --");
	/* 100 characters, not bytes. */
	run(METHOD_PATCH, path(id, ""), "{\"ward\":\"\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\"}", ROLE_STAFF);
	ck_assert_msg(w.status == 200, "%d: %s", w.status, buf_str(&w.body));
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions"), 1);
}
END_TEST

START_TEST(test_roles)
{
	static const enum role	 readers[] = { ROLE_ADMIN, ROLE_STAFF,
	    ROLE_DOCTOR, ROLE_NURSE };
	char			 id[UUID_LEN];
	size_t			 i;

	admit(BODY(P1, D1), id);
	for (i = 0; i < 4; i++) {
		run(METHOD_GET, "/api/admissions/", NULL, readers[i]);
		ck_assert_int_eq(w.status, 200);
		run(METHOD_GET, path(id, ""), NULL, readers[i]);
		ck_assert_int_eq(w.status, 200);
	}
	for (i = ROLE_DOCTOR; i <= ROLE_NURSE; i++) {
		run(METHOD_POST, "/api/admissions/", BODY(P2, D2), i);
		ck_assert_int_eq(w.status, 403);
		ck_assert_str_eq(cj_str(doc, "code"), "permission_denied");
		run(METHOD_PATCH, path(id, ""), "{\"assigned_device\":\"" D2
		    "\"}", i);
		ck_assert_int_eq(w.status, 403);
		run(METHOD_POST, path(id, "discharge/"), NULL, i);
		ck_assert_int_eq(w.status, 403);
	}
	run(METHOD_GET, "/api/admissions/", NULL, ANON);
	ck_assert_int_eq(w.status, 401);
	ck_assert_str_eq(cj_str(doc, "code"), "not_authenticated");
	run(METHOD_GET, path(id, ""), NULL, ANON);
	ck_assert_int_eq(w.status, 401);
	run(METHOD_POST, "/api/admissions/", BODY(P2, D2), ANON);
	ck_assert_int_eq(w.status, 401);
	run(METHOD_PATCH, path(id, ""), "{}", ANON);
	ck_assert_int_eq(w.status, 401);
	run(METHOD_POST, path(id, "discharge/"), NULL, ANON);
	ck_assert_int_eq(w.status, 401);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions"), 1);
	ck_assert_int_eq(open_count(), 1);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions WHERE "
	    "device_id = '" D1 "'"), 1);
}
END_TEST

START_TEST(test_methods)
{
	char	 id[UUID_LEN];

	admit(BODY(P1, D1), id);
	run(METHOD_PUT, path(id, ""), BODY(P1, D2), ROLE_ADMIN);
	ck_assert_int_eq(w.status, 405);
	ck_assert(strstr(buf_str(&w.headers), "Allow: GET, HEAD, PATCH\r\n")
	    != NULL);
	run(METHOD_DELETE, path(id, ""), NULL, ROLE_ADMIN);
	ck_assert_int_eq(w.status, 405);
	run(METHOD_GET, path(id, "discharge/"), NULL, ROLE_ADMIN);
	ck_assert_int_eq(w.status, 405);
	run(METHOD_GET, "/api/admissions", NULL, ROLE_ADMIN);
	ck_assert_int_eq(w.status, 404);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions"), 1);
}
END_TEST

START_TEST(test_get)
{
	char	 id[UUID_LEN], upper[UUID_LEN];
	size_t	 i;

	admit(BODY(P1, D1), id);
	run(METHOD_GET, path(id, ""), NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 200);
	ck_assert_str_eq(cj_str(doc, "id"), id);
	ck_assert_str_eq(cj_str(cj_member(doc, "patient_detail"), "last_name"),
	    "One");
	ck_assert_str_eq(cj_str(cj_member(doc, "device_detail"),
	    "serial_number"), "SN-1");
	ck_assert_str_eq(cj_str(cj_member(doc, "admitted_by_detail"),
	    "user_role"), "staff");
	run(METHOD_GET, path(AX, ""), NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 404);
	ck_assert_str_eq(cj_str(doc, "code"), "not_found");
	run(METHOD_GET, path("not-a-uuid", ""), NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 404);
	run(METHOD_GET, path("1%27%20OR%201=1", ""), NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 404);
	for (i = 0; id[i] != '\0'; i++)
		upper[i] = id[i] >= 'a' && id[i] <= 'f' ? id[i] - 32 : id[i];
	upper[i] = '\0';
	run(METHOD_GET, path(upper, ""), NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 404);
}
END_TEST

/* The user who admitted may be deleted: the detail says null. */
START_TEST(test_admitted_by_gone)
{
	char	 id[UUID_LEN];

	admit(BODY(P1, D1), id);
	testdb_exec(&tdb, "PRAGMA foreign_keys = ON; DELETE FROM users WHERE "
	    "id = '00000000-0000-7000-8000-00000000000b'");
	run(METHOD_GET, path(id, ""), NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 200);
	ck_assert(cJSON_IsNull(cj_member(doc, "admitted_by")));
	ck_assert(cJSON_IsNull(cj_member(doc, "admitted_by_detail")));
}
END_TEST

START_TEST(test_patch_device)
{
	char	 id[UUID_LEN], other[UUID_LEN];

	admit(BODY(P1, D1), id);
	run(METHOD_PATCH, path(id, ""), "{\"assigned_device\":\"" D2 "\","
	    "\"ward\":\"ICU\",\"bed\":\"7b\",\"patient\":\"" P2 "\","
	    "\"is_discharged\":true,\"discharge_date\":"
	    "\"2026-01-01T00:00:00Z\",\"admitted_by\":\"" AX "\"}",
	    ROLE_ADMIN);
	ck_assert_msg(w.status == 200, "%d: %s", w.status, buf_str(&w.body));
	ck_assert_str_eq(cj_str(doc, "assigned_device"), D2);
	ck_assert_str_eq(cj_str(cj_member(doc, "device_detail"),
	    "serial_number"), "SN-2");
	ck_assert_str_eq(cj_str(doc, "ward"), "ICU");
	ck_assert_str_eq(cj_str(doc, "bed"), "7b");
	/* Ignored: patient, is_discharged, discharge_date, admitted_by. */
	ck_assert_str_eq(cj_str(doc, "patient"), P1);
	ck_assert(cJSON_IsFalse(cj_member(doc, "is_discharged")));
	ck_assert(cJSON_IsNull(cj_member(doc, "discharge_date")));
	ck_assert_str_eq(cj_str(doc, "admitted_by"), uid[ROLE_STAFF]);
	/* The old device is free: another patient takes it. */
	admit(BODY(P2, D1), other);
	/* Onto a device in use: 400, nothing changes. */
	run(METHOD_PATCH, path(id, ""), "{\"assigned_device\":\"" D1 "\","
	    "\"ward\":\"X\"}", ROLE_STAFF);
	assert_400_says("assigned_device", "open admission");
	run(METHOD_PATCH, path(id, ""), "{\"assigned_device\":\"" DM "\"}",
	    ROLE_STAFF);
	assert_400_says("assigned_device", "maintenance");
	run(METHOD_PATCH, path(id, ""), "{\"assigned_device\":\"" DR "\"}",
	    ROLE_STAFF);
	assert_400_says("assigned_device", "retired");
	run(METHOD_PATCH, path(id, ""), "{\"assigned_device\":\"" DX "\"}",
	    ROLE_STAFF);
	assert_400_says("assigned_device", "does not exist");
	run(METHOD_PATCH, path(id, ""), "{\"assigned_device\":null}",
	    ROLE_STAFF);
	assert_400("assigned_device");
	run(METHOD_PATCH, path(id, ""), "{\"assigned_device\":\"nope\"}",
	    ROLE_STAFF);
	assert_400("assigned_device");
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions WHERE "
	    "device_id = '" D2 "' AND ward = 'ICU' AND is_discharged = 0"), 1);
	/* Its own device again: no change, no refusal. */
	run(METHOD_PATCH, path(id, ""), "{\"assigned_device\":\"" D2 "\"}",
	    ROLE_STAFF);
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(open_count(), 2);
}
END_TEST

START_TEST(test_patch_ward_bed)
{
	char	 id[UUID_LEN];

	admit("{\"patient\":\"" P1 "\",\"assigned_device\":\"" D1 "\","
	    "\"ward\":\"A\",\"bed\":\"1\"}", id);
	/* Only what is sent changes. */
	run(METHOD_PATCH, path(id, ""), "{\"bed\":\"2\"}", ROLE_STAFF);
	ck_assert_int_eq(w.status, 200);
	ck_assert_str_eq(cj_str(doc, "ward"), "A");
	ck_assert_str_eq(cj_str(doc, "bed"), "2");
	ck_assert_str_eq(cj_str(doc, "assigned_device"), D1);
	run(METHOD_PATCH, path(id, ""), "{\"ward\":null}", ROLE_STAFF);
	ck_assert_int_eq(w.status, 200);
	ck_assert(cJSON_IsNull(cj_member(doc, "ward")));
	run(METHOD_PATCH, path(id, ""), "{}", ROLE_STAFF);
	ck_assert_int_eq(w.status, 200);
	run(METHOD_PATCH, path(id, ""), "{\"ward\":[]}", ROLE_STAFF);
	assert_400("ward");
	run(METHOD_PATCH, path(id, ""), "[1]", ROLE_STAFF);
	assert_400("non_field_errors");
	run(METHOD_PATCH, path(AX, ""), "{}", ROLE_STAFF);
	ck_assert_int_eq(w.status, 404);
	run(METHOD_PATCH, path("x", ""), "{}", ROLE_STAFF);
	ck_assert_int_eq(w.status, 404);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions WHERE "
	    "ward IS NULL AND bed = '2'"), 1);
}
END_TEST

START_TEST(test_discharge)
{
	char	 id[UUID_LEN];

	admit(BODY(P1, D1), id);
	/* A body, even a broken one, is not read. */
	run(METHOD_POST, path(id, "discharge/"), "{nonsense", ROLE_STAFF);
	ck_assert_msg(w.status == 200, "%d: %s", w.status, buf_str(&w.body));
	ck_assert(cJSON_IsTrue(cj_member(doc, "is_discharged")));
	ck_assert_ptr_nonnull(cj_str(doc, "discharge_date"));
	ck_assert_int_eq(strlen(cj_str(doc, "discharge_date")), 24);
	ck_assert(strcmp(cj_str(doc, "discharge_date"),
	    cj_str(doc, "admission_date")) >= 0);
	ck_assert_str_eq(cj_str(cj_member(doc, "device_detail"), "id"), D1);
	ck_assert_int_eq(open_count(), 0);
	/* Twice: 409, nothing changes. */
	run(METHOD_POST, path(id, "discharge/"), NULL, ROLE_ADMIN);
	ck_assert_int_eq(w.status, 409);
	ck_assert_str_eq(cj_str(doc, "code"), "conflict");
	run(METHOD_POST, path(AX, "discharge/"), NULL, ROLE_ADMIN);
	ck_assert_int_eq(w.status, 404);
	run(METHOD_POST, path("zzz", "discharge/"), NULL, ROLE_ADMIN);
	ck_assert_int_eq(w.status, 404);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions WHERE "
	    "is_discharged = 1 AND discharge_date IS NOT NULL"), 1);
}
END_TEST

/* Any PATCH of a closed admission is 409 (SPEC 7.16, 7.28). */
START_TEST(test_patch_closed)
{
	static const char *const bodies[] = { "{}", "{\"ward\":\"B\"}",
	    "{\"assigned_device\":\"" D2 "\"}", "{\"is_discharged\":false}",
	    "{\"ward\":42}" };
	char	 id[UUID_LEN];
	size_t	 i;

	admit(BODY(P1, D1), id);
	run(METHOD_POST, path(id, "discharge/"), NULL, ROLE_STAFF);
	ck_assert_int_eq(w.status, 200);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		run(METHOD_PATCH, path(id, ""), bodies[i], ROLE_STAFF);
		ck_assert_msg(w.status == 409, "%s: %d", bodies[i], w.status);
		ck_assert_str_eq(cj_str(doc, "code"), "conflict");
	}
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions WHERE "
	    "is_discharged = 1 AND device_id = '" D1 "' AND ward IS NULL"), 1);
}
END_TEST

/* The ids of the list's results, joined by spaces, in a static buffer. */
static const char *
result_ids(void)
{
	static char	 out[1024];
	const cJSON	*it;
	size_t		 n = 0;

	out[0] = '\0';
	cJSON_ArrayForEach(it, cj_member(doc, "results"))
		n += snprintf(out + n, sizeof(out) - n, "%s%s", n ? " " : "",
		    cj_str(it, "id"));
	return out;
}

static long
list_count(void)
{
	const cJSON	*c = cj_member(doc, "count");

	return cJSON_IsNumber(c) ? (long)c->valuedouble : -1;
}

/*
 * Three admissions, one of them closed, at known times: a1 (P1, D1,
 * ward A, closed), a2 (P2, D2, ward B), a3 (P1, D3, ward A).
 */
static void
three(char a1[UUID_LEN], char a2[UUID_LEN], char a3[UUID_LEN])
{

	admit("{\"patient\":\"" P1 "\",\"assigned_device\":\"" D1 "\","
	    "\"ward\":\"A\"}", a1);
	run(METHOD_POST, path(a1, "discharge/"), NULL, ROLE_STAFF);
	ck_assert_int_eq(w.status, 200);
	admit("{\"patient\":\"" P2 "\",\"assigned_device\":\"" D2 "\","
	    "\"ward\":\"B\"}", a2);
	admit("{\"patient\":\"" P1 "\",\"assigned_device\":\"" D3 "\","
	    "\"ward\":\"A\"}", a3);
	testdb_exec(&tdb, "UPDATE admissions SET admission_date = CASE patient_id || "
	    "device_id WHEN '" P1 D1 "' THEN '2026-01-01T00:00:00.000Z' "
	    "WHEN '" P2 D2 "' THEN '2026-01-02T00:00:00.000Z' "
	    "ELSE '2026-01-03T00:00:00.000Z' END");
	testdb_exec(&tdb, "UPDATE admissions SET discharge_date = "
	    "'2026-01-01T12:00:00.000Z' WHERE is_discharged = 1");
}

START_TEST(test_list)
{
	char	 a1[UUID_LEN], a2[UUID_LEN], a3[UUID_LEN], want[256];
	const cJSON	*first;

	run(METHOD_GET, "/api/admissions/", NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(list_count(), 0);
	ck_assert_str_eq(result_ids(), "");
	three(a1, a2, a3);
	/* Newest first by default; list items embed the details too. */
	run(METHOD_GET, "/api/admissions/", NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(list_count(), 3);
	snprintf(want, sizeof(want), "%s %s %s", a3, a2, a1);
	ck_assert_str_eq(result_ids(), want);
	ck_assert(cJSON_IsNull(cj_member(doc, "next")));
	ck_assert(cJSON_IsNull(cj_member(doc, "previous")));
	first = cJSON_GetArrayItem(cj_member(doc, "results"), 0);
	ck_assert_str_eq(cj_str(cj_member(first, "patient_detail"),
	    "first_name"), "Pat");
	ck_assert_str_eq(cj_str(cj_member(first, "device_detail"),
	    "serial_number"), "SN-3");
	ck_assert_str_eq(cj_str(cj_member(first, "admitted_by_detail"),
	    "last_name"), "Staff");
	run(METHOD_GET, "/api/admissions/?ordering=admission_date", NULL,
	    ROLE_NURSE);
	snprintf(want, sizeof(want), "%s %s %s", a1, a2, a3);
	ck_assert_str_eq(result_ids(), want);
	run(METHOD_GET, "/api/admissions/?ordering=-admission_date", NULL,
	    ROLE_NURSE);
	snprintf(want, sizeof(want), "%s %s %s", a3, a2, a1);
	ck_assert_str_eq(result_ids(), want);
}
END_TEST

START_TEST(test_list_filters)
{
	char	 a1[UUID_LEN], a2[UUID_LEN], a3[UUID_LEN], want[256];

	three(a1, a2, a3);
	run(METHOD_GET, "/api/admissions/?patient=" P1, NULL, ROLE_DOCTOR);
	snprintf(want, sizeof(want), "%s %s", a3, a1);
	ck_assert_str_eq(result_ids(), want);
	ck_assert_int_eq(list_count(), 2);
	run(METHOD_GET, "/api/admissions/?assigned_device=" D2, NULL,
	    ROLE_DOCTOR);
	ck_assert_str_eq(result_ids(), a2);
	run(METHOD_GET, "/api/admissions/?is_discharged=true", NULL,
	    ROLE_DOCTOR);
	ck_assert_str_eq(result_ids(), a1);
	run(METHOD_GET, "/api/admissions/?is_discharged=false", NULL,
	    ROLE_DOCTOR);
	snprintf(want, sizeof(want), "%s %s", a3, a2);
	ck_assert_str_eq(result_ids(), want);
	run(METHOD_GET, "/api/admissions/?ward=A&is_discharged=false", NULL,
	    ROLE_DOCTOR);
	ck_assert_str_eq(result_ids(), a3);
	run(METHOD_GET, "/api/admissions/?ward=a", NULL, ROLE_DOCTOR);
	ck_assert_int_eq(list_count(), 0);
	run(METHOD_GET, "/api/admissions/?patient=" P2 "&assigned_device="
	    D1, NULL, ROLE_DOCTOR);
	ck_assert_int_eq(list_count(), 0);
	/* Empty values filter nothing; unknown keys are ignored. */
	run(METHOD_GET, "/api/admissions/?patient=&ward=&is_discharged=&"
	    "ordering=&colour=blue", NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(list_count(), 3);
	/* Hostile values match nothing; they are bound, never formatted. */
	run(METHOD_GET, "/api/admissions/?ward=%27%20OR%201%3D1%20--", NULL,
	    ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(list_count(), 0);
	run(METHOD_GET, "/api/admissions/?ward=A%27%3B%20DROP%20TABLE%20"
	    "admissions%3B--", NULL, ROLE_DOCTOR);
	ck_assert_int_eq(list_count(), 0);
	ck_assert_int_eq(testdb_count(&tdb,
	    "SELECT count(*) FROM admissions"), 3);
}
END_TEST

START_TEST(test_list_bad_filters)
{
	static const struct {
		const char	*query;
		const char	*field;
	} bad[] = {
		{ "patient=xyz", "patient" },
		{ "patient=1%27%20OR%20%271%27=%271", "patient" },
		{ "patient=" P1 "%20", "patient" },
		{ "assigned_device=42", "assigned_device" },
		{ "is_discharged=yes", "is_discharged" },
		{ "is_discharged=1", "is_discharged" },
		{ "is_discharged=TRUE", "is_discharged" },
		{ "ordering=ward", "ordering" },
		{ "ordering=admission_date,id", "ordering" },
		{ "ordering=--admission_date", "ordering" },
		{ "ordering=id", "ordering" },
		{ "page_size=abc", "page_size" },
	};
	char	 uri[256];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(uri, sizeof(uri), "/api/admissions/?%s", bad[i].query);
		run(METHOD_GET, uri, NULL, ROLE_NURSE);
		assert_400(bad[i].field);
	}
	/* Every bad filter named at once. */
	run(METHOD_GET, "/api/admissions/?patient=x&assigned_device=y&"
	    "is_discharged=z&ordering=w", NULL, ROLE_NURSE);
	assert_400("patient");
	assert_400("assigned_device");
	assert_400("is_discharged");
	assert_400("ordering");
}
END_TEST

START_TEST(test_list_pages)
{
	char	 a1[UUID_LEN], a2[UUID_LEN], a3[UUID_LEN];

	three(a1, a2, a3);
	run(METHOD_GET, "/api/admissions/?page_size=2&ordering=admission_date",
	    NULL, ROLE_STAFF);
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(list_count(), 3);
	ck_assert_int_eq(cJSON_GetArraySize(cj_member(doc, "results")), 2);
	ck_assert_ptr_nonnull(cj_str(doc, "next"));
	ck_assert(strstr(cj_str(doc, "next"), "page=2") != NULL);
	ck_assert(cJSON_IsNull(cj_member(doc, "previous")));
	run(METHOD_GET, "/api/admissions/?page_size=2&ordering=admission_date"
	    "&page=2", NULL, ROLE_STAFF);
	ck_assert_int_eq(w.status, 200);
	ck_assert_str_eq(result_ids(), a3);
	ck_assert(cJSON_IsNull(cj_member(doc, "next")));
	ck_assert_ptr_nonnull(cj_str(doc, "previous"));
	run(METHOD_GET, "/api/admissions/?page_size=2&page=3", NULL,
	    ROLE_STAFF);
	ck_assert_int_eq(w.status, 404);
	run(METHOD_GET, "/api/admissions/?page=0", NULL, ROLE_STAFF);
	ck_assert_int_eq(w.status, 404);
	run(METHOD_GET, "/api/admissions/?page=last", NULL, ROLE_STAFF);
	ck_assert_int_eq(w.status, 404);
	run(METHOD_GET, "/api/admissions/?page_size=1000", NULL, ROLE_STAFF);
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(cj_member(doc, "results")), 3);
}
END_TEST

/* Equal admission times: ties break by id, ascending or descending. */
START_TEST(test_list_ties)
{
	char	 a1[UUID_LEN], a2[UUID_LEN], a3[UUID_LEN], want[256];
	char	 lo[UUID_LEN], mid[UUID_LEN], hi[UUID_LEN];

	three(a1, a2, a3);
	testdb_exec(&tdb, "UPDATE admissions SET admission_date = "
	    "'2026-01-01T00:00:00.000Z', discharge_date = CASE is_discharged "
	    "WHEN 1 THEN '2026-01-02T00:00:00.000Z' END");
	/* UUIDv7 ids of one process increase: a1 < a2 < a3. */
	snprintf(lo, sizeof(lo), "%s", a1);
	snprintf(mid, sizeof(mid), "%s", a2);
	snprintf(hi, sizeof(hi), "%s", a3);
	ck_assert(strcmp(lo, mid) < 0 && strcmp(mid, hi) < 0);
	run(METHOD_GET, "/api/admissions/?ordering=admission_date", NULL,
	    ROLE_STAFF);
	snprintf(want, sizeof(want), "%s %s %s", lo, mid, hi);
	ck_assert_str_eq(result_ids(), want);
	run(METHOD_GET, "/api/admissions/", NULL, ROLE_STAFF);
	snprintf(want, sizeof(want), "%s %s %s", hi, mid, lo);
	ck_assert_str_eq(result_ids(), want);
}
END_TEST

static Suite *
admission_suite(void)
{
	Suite	*s = suite_create("admission");
	TCase	*tc;

	tc = tcase_create("admit");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_admit);
	tcase_add_test(tc, test_admit_device_refused);
	tcase_add_test(tc, test_admit_patient_refused);
	tcase_add_test(tc, test_admit_busy_device);
	tcase_add_test(tc, test_admit_patient_already_admitted);
	tcase_add_test(tc, test_index_is_the_guard);
	tcase_add_test(tc, test_admit_bad_bodies);
	tcase_add_test(tc, test_admit_ward_bed_lengths);
	suite_add_tcase(s, tc);

	tc = tcase_create("access");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_methods);
	tcase_add_test(tc, test_get);
	tcase_add_test(tc, test_admitted_by_gone);
	suite_add_tcase(s, tc);

	tc = tcase_create("change");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_patch_device);
	tcase_add_test(tc, test_patch_ward_bed);
	tcase_add_test(tc, test_discharge);
	tcase_add_test(tc, test_patch_closed);
	suite_add_tcase(s, tc);

	tc = tcase_create("list");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_list_filters);
	tcase_add_test(tc, test_list_bad_filters);
	tcase_add_test(tc, test_list_pages);
	tcase_add_test(tc, test_list_ties);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(admission_suite());
}
