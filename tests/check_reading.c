/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "buf.h"
#include "pool.h"
#include "rfc3339.h"
#include "testutil.h"
#include "uuid.h"

/*
 * The heart-rate handlers (SPEC section 5 "Heart rates", 7.14, 7.17,
 * 7.18, 7.20, 7.25) through http_handle(), on a real database file:
 * users, patients, devices and admissions are inserted on a side
 * connection, and the signed-in user is set as r.who.  The cursor
 * pages are check_cursor.c's, the Idempotency-Key check_idem.c's.
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
#define	U_DOCTOR	"00000000-0000-7000-8000-00000000000c"
#define	U_NURSE		"00000000-0000-7000-8000-00000000000d"

/*
 * Patients: P1 "Pat One", P2 "Pia Tw_o", P4 "Ann% Four", P5 "Bob Twxo"
 * each have an open admission (A1, A2, A4, A5) since ADMITTED; P3 has
 * only a closed one (A3), P6 none at all; P1 has a closed one too
 * (A6).  The "X" ids do not exist.
 */
#define	P1	"10000000-0000-7000-8000-000000000001"
#define	P2	"10000000-0000-7000-8000-000000000002"
#define	P3	"10000000-0000-7000-8000-000000000003"
#define	P4	"10000000-0000-7000-8000-000000000004"
#define	P5	"10000000-0000-7000-8000-000000000005"
#define	P6	"10000000-0000-7000-8000-000000000006"
#define	PX	"10000000-0000-7000-8000-0000000000ff"
#define	A1	"30000000-0000-7000-8000-000000000001"
#define	A2	"30000000-0000-7000-8000-000000000002"
#define	A3	"30000000-0000-7000-8000-000000000003"
#define	A4	"30000000-0000-7000-8000-000000000004"
#define	A5	"30000000-0000-7000-8000-000000000005"
#define	A6	"30000000-0000-7000-8000-000000000006"
#define	AX	"30000000-0000-7000-8000-0000000000ff"
#define	RX	"40000000-0000-7000-8000-0000000000ff"
#define	ADMITTED	"2020-01-01T00:00:00.000Z"

/* One reading's body. */
#define	ONE(p, bpm)	"{\"patient\":\"" p "\",\"bpm\":" bpm "}"

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
	    "('" U_DOCTOR "', 'd@x.test', 'x', 'Dan', "
	    "'Doctor', 'doctor', 1, '2026-01-01T00:00:00.000Z'), "
	    "('" U_NURSE "', 'n@x.test', 'x', 'Nia', "
	    "'Nurse', 'nurse', 1, '2026-01-01T00:00:00.000Z')");
	testdb_exec(&tdb, "INSERT INTO patients (id, first_name, last_name, "
	    "date_of_birth, phone_number, created_at, updated_at) VALUES "
	    "('" P1 "', 'Pat', 'One', '1970-01-02', '+111111111', "
	    "'2019-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z'), "
	    "('" P2 "', 'Pia', 'Tw_o', '1980-03-04', '+222222222', "
	    "'2019-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z'), "
	    "('" P3 "', 'Per', 'Three', '1990-05-06', '+333333333', "
	    "'2019-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z'), "
	    "('" P4 "', 'Ann%', 'Four', '1990-05-06', '+444444444', "
	    "'2019-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z'), "
	    "('" P5 "', 'Bob', 'Twxo', '1990-05-06', '+555555555', "
	    "'2019-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z'), "
	    "('" P6 "', 'Cy', 'Six', '1990-05-06', '+666666666', "
	    "'2019-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z')");
	testdb_exec(&tdb, "INSERT INTO devices (id, serial_number, model_name, "
	    "status, created_at) VALUES "
	    "('20000000-0000-7000-8000-000000000001', 'SN-1', 'M', 'active', "
	    "'2019-01-01T00:00:00Z'), "
	    "('20000000-0000-7000-8000-000000000002', 'SN-2', 'M', 'active', "
	    "'2019-01-01T00:00:00Z'), "
	    "('20000000-0000-7000-8000-000000000003', 'SN-3', 'M', 'active', "
	    "'2019-01-01T00:00:00Z'), "
	    "('20000000-0000-7000-8000-000000000004', 'SN-4', 'M', 'active', "
	    "'2019-01-01T00:00:00Z'), "
	    "('20000000-0000-7000-8000-000000000005', 'SN-5', 'M', 'active', "
	    "'2019-01-01T00:00:00Z')");
	testdb_exec(&tdb, "INSERT INTO admissions (id, patient_id, device_id, "
	    "admitted_by, admission_date, discharge_date, is_discharged) "
	    "VALUES "
	    "('" A1 "', '" P1 "', '20000000-0000-7000-8000-000000000001', "
	    "'00000000-0000-7000-8000-00000000000b', '" ADMITTED "', NULL, 0), "
	    "('" A2 "', '" P2 "', '20000000-0000-7000-8000-000000000002', "
	    "'00000000-0000-7000-8000-00000000000b', '" ADMITTED "', NULL, 0), "
	    "('" A3 "', '" P3 "', '20000000-0000-7000-8000-000000000003', "
	    "'00000000-0000-7000-8000-00000000000b', "
	    "'2019-01-01T00:00:00.000Z', '2019-02-01T00:00:00.000Z', 1), "
	    "('" A4 "', '" P4 "', '20000000-0000-7000-8000-000000000004', "
	    "'00000000-0000-7000-8000-00000000000b', '" ADMITTED "', NULL, 0), "
	    "('" A5 "', '" P5 "', '20000000-0000-7000-8000-000000000005', "
	    "'00000000-0000-7000-8000-00000000000b', '" ADMITTED "', NULL, 0), "
	    "('" A6 "', '" P1 "', '20000000-0000-7000-8000-000000000003', "
	    "'00000000-0000-7000-8000-00000000000b', "
	    "'2019-03-01T00:00:00.000Z', '2019-04-01T00:00:00.000Z', 1)");
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

static long
num(const cJSON *o, const char *key)
{
	const cJSON	*m = cj_member(o, key);

	return cJSON_IsNumber(m) ? (long)m->valuedouble : -1;
}

/* Asserts a 400 whose errors name "field". */
static void
assert_400(const char *field)
{
	const cJSON	*errs;

	ck_assert_msg(w.status == 400, "want 400 (%s), got %d: %s", field,
	    w.status, buf_str(&w.body));
	ck_assert_str_eq(cj_str(doc, "code"), "invalid");
	errs = cj_member(doc, "errors");
	ck_assert_msg(cj_member(errs, field) != NULL, "want %s named: %s",
	    field, buf_str(&w.body));
}

/* Asserts that the 400's errors do not name "field". */
static void
assert_unnamed(const char *field)
{

	ck_assert_msg(cj_member(cj_member(doc, "errors"), field) == NULL,
	    "%s named: %s", field, buf_str(&w.body));
}

/* Asserts a 400 naming "field" with a message holding "words". */
static void
assert_400_says(const char *field, const char *words)
{
	const cJSON	*msgs;

	assert_400(field);
	msgs = cj_member(cj_member(doc, "errors"), field);
	ck_assert_msg(cJSON_IsArray(msgs) && cJSON_GetArraySize(msgs) > 0 &&
	    cJSON_IsString(cJSON_GetArrayItem(msgs, 0)) &&
	    strstr(cJSON_GetArrayItem(msgs, 0)->valuestring, words) != NULL,
	    "want \"%s\" for %s: %s", words, field, buf_str(&w.body));
}

static long
readings(void)
{

	return testdb_count(&tdb, "SELECT count(*) FROM readings");
}

/* Records "body" as "role" (201 asserted); copies the new id to "id". */
static void
record(const char *body, enum role role, char id[UUID_LEN])
{

	run(METHOD_POST, "/api/heartrates/", body, role);
	ck_assert_msg(w.status == 201, "%s: %d: %s", body, w.status,
	    buf_str(&w.body));
	ck_assert_ptr_nonnull(cj_str(doc, "id"));
	if (id != NULL)
		snprintf(id, UUID_LEN, "%s", cj_str(doc, "id"));
}

/* The time "ms" as the service writes it, in a static buffer. */
static const char *
stamp(int64_t ms)
{
	static char	 t[RFC3339_STRLEN + 1];

	ck_assert_int_eq(time_format(ms, t), ERR_OK);
	return t;
}

/*
 * Stores reading "n" on a side connection: its id is RID(n) and its
 * seq "n", so that result_ns() can name it.
 */
#define	RID_FMT	"40000000-0000-7000-8000-%012d"

static void
reading_sql(int n, const char *patient, const char *admission, int bpm,
    const char *status, const char *by, const char *at)
{
	char	 sql[1024];

	snprintf(sql, sizeof(sql), "INSERT INTO readings (seq, id, "
	    "patient_id, admission_id, bpm, status, notes, handled_by, "
	    "measured_at, recorded_at) VALUES (%d, '" RID_FMT "', '%s', "
	    "'%s', %d, '%s', NULL, '%s', '%s', '%s')", n, n, patient,
	    admission, bpm, status, by, at, at);
	testdb_exec(&tdb, sql);
}

/* The "n" of the results' RID(n) ids, joined by spaces (static). */
static const char *
result_ns(void)
{
	static char	 out[8192];
	const cJSON	*it;
	const char	*id;
	size_t		 n = 0;

	out[0] = '\0';
	ck_assert_msg(cJSON_IsArray(cj_member(doc, "results")), "%d: %s",
	    w.status, buf_str(&w.body));
	cJSON_ArrayForEach(it, cj_member(doc, "results")) {
		ck_assert_ptr_nonnull(id = cj_str(it, "id"));
		ck_assert_int_eq(strlen(id), 36);
		n += snprintf(out + n, sizeof(out) - n, "%s%d", n ? " " : "",
		    atoi(id + 24));
		ck_assert_uint_lt(n, sizeof(out));
	}
	return out;
}

/* Lists "uri" as a nurse and asserts 200 with the readings "want". */
static void
assert_list(const char *uri, const char *want)
{

	run(METHOD_GET, uri, NULL, ROLE_NURSE);
	ck_assert_msg(w.status == 200, "%s: %d: %s", uri, w.status,
	    buf_str(&w.body));
	ck_assert_msg(strcmp(result_ns(), want) == 0, "%s: want \"%s\", got "
	    "\"%s\"", uri, want, result_ns());
	ck_assert(cJSON_IsNull(cj_member(doc, "next")));
	ck_assert(cJSON_IsNull(cj_member(doc, "previous")));
	/* Cursor pages carry no count (SPEC section 2). */
	ck_assert_ptr_null(cj_member(doc, "count"));
}

/* Asserts that the header line "line" ("Name: value") was sent. */
static void
assert_header(const char *line)
{
	char	 want[512];

	snprintf(want, sizeof(want), "%s\r\n", line);
	ck_assert_msg(strstr(buf_str(&w.headers), want) != NULL, "want %s: %s",
	    line, buf_str(&w.headers));
}

START_TEST(test_record)
{
	char		 id[UUID_LEN], loc[128], before[RFC3339_STRLEN + 1];
	char		 after[RFC3339_STRLEN + 1];
	char		 body[2048];
	const char	*t;

	snprintf(before, sizeof(before), "%s", stamp(time_now_ms()));
	/* Read-only and server-decided fields sent: all ignored. */
	run(METHOD_POST, "/api/heartrates/", "{\"patient\":\"" P1 "\","
	    "\"bpm\":72,\"notes\":\"Calm, \\\"seated\\\"\",\"status\":\"high\","
	    "\"handled_by\":\"00000000-0000-7000-8000-00000000000a\","
	    "\"id\":\"" RX "\",\"recorded_at\":\"2000-01-01T00:00:00.000Z\","
	    "\"seq\":1,\"colour\":\"blue\"}", ROLE_NURSE);
	snprintf(after, sizeof(after), "%s", stamp(time_now_ms()));
	ck_assert_msg(w.status == 201, "%d: %s", w.status, buf_str(&w.body));
	ck_assert_str_eq(w.content_type, "application/json");
	ck_assert_ptr_nonnull(cj_str(doc, "id"));
	snprintf(id, sizeof(id), "%s", cj_str(doc, "id"));
	ck_assert_str_ne(id, RX);
	ck_assert(uuid_valid(id));
	snprintf(loc, sizeof(loc), "Location: /api/heartrates/%s/", id);
	assert_header(loc);
	ck_assert_str_eq(cj_str(doc, "patient"), P1);
	ck_assert_str_eq(cj_str(doc, "admission"), A1);
	ck_assert_int_eq(num(doc, "bpm"), 72);
	ck_assert_str_eq(cj_str(doc, "status"), "normal");
	ck_assert_str_eq(cj_str(doc, "notes"), "Calm, \"seated\"");
	ck_assert_str_eq(cj_str(doc, "handled_by"), U_NURSE);
	ck_assert_ptr_null(cj_member(doc, "seq"));
	ck_assert_ptr_null(cj_member(doc, "colour"));
	/* measured_at defaults to now; both times in the service's form. */
	ck_assert_ptr_nonnull(t = cj_str(doc, "measured_at"));
	ck_assert_int_eq(strlen(t), RFC3339_STRLEN);
	ck_assert_msg(strcmp(before, t) <= 0 && strcmp(t, after) <= 0,
	    "%s not in [%s, %s]", t, before, after);
	ck_assert_ptr_nonnull(t = cj_str(doc, "recorded_at"));
	ck_assert_int_eq(strlen(t), RFC3339_STRLEN);
	ck_assert_msg(strcmp(before, t) <= 0 && strcmp(t, after) <= 0,
	    "%s not in [%s, %s]", t, before, after);
	snprintf(body, sizeof(body), "SELECT count(*) FROM readings WHERE "
	    "id = '%s' AND patient_id = '" P1 "' AND admission_id = '" A1 "' "
	    "AND bpm = 72 AND status = 'normal' AND handled_by = '" U_NURSE "' "
	    "AND notes = 'Calm, \"seated\"' AND measured_at = '%s' AND "
	    "recorded_at = '%s'", id, cj_str(doc, "measured_at"),
	    cj_str(doc, "recorded_at"));
	ck_assert_int_eq(testdb_count(&tdb, body), 1);
	ck_assert_int_eq(readings(), 1);
	/* GET one answers the same reading, byte for byte. */
	snprintf(body, sizeof(body), "%s", buf_str(&w.body));
	snprintf(loc, sizeof(loc), "/api/heartrates/%s/", id);
	run(METHOD_GET, loc, NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 200);
	ck_assert_str_eq(buf_str(&w.body), body);
	/* Without notes: null; a doctor records as the doctor. */
	record("{\"patient\":\"" P2 "\",\"bpm\":130,\"notes\":null}",
	    ROLE_DOCTOR, NULL);
	ck_assert(cJSON_IsNull(cj_member(doc, "notes")));
	ck_assert_str_eq(cj_str(doc, "admission"), A2);
	ck_assert_str_eq(cj_str(doc, "handled_by"), U_DOCTOR);
	ck_assert_str_eq(cj_str(doc, "status"), "high");
	/* Notes of several lines, as a nurse types them. */
	record("{\"patient\":\"" P2 "\",\"bpm\":90,"
	    "\"notes\":\"Restless.\\r\\nGave water;\\tcalmer.\\n\"}",
	    ROLE_NURSE, NULL);
	ck_assert_str_eq(cj_str(doc, "notes"),
	    "Restless.\r\nGave water;\tcalmer.\n");
	/* The patient's open admission may be named. */
	record("{\"patient\":\"" P1 "\",\"bpm\":40,\"admission\":\"" A1 "\"}",
	    ROLE_NURSE, NULL);
	ck_assert_str_eq(cj_str(doc, "admission"), A1);
	ck_assert_str_eq(cj_str(doc, "status"), "low");
	record("{\"patient\":\"" P1 "\",\"bpm\":41,\"admission\":null}",
	    ROLE_NURSE, NULL);
	ck_assert_str_eq(cj_str(doc, "admission"), A1);
	ck_assert_int_eq(readings(), 5);
}
END_TEST

/* SPEC 7.17: 60 and 100 inclusive are normal; the client's is ignored. */
START_TEST(test_status)
{
	static const struct {
		const char	*bpm;
		const char	*status;
	} want[] = {
		{ "20", "low" }, { "59", "low" }, { "60", "normal" },
		{ "61", "normal" }, { "99", "normal" }, { "100", "normal" },
		{ "101", "high" }, { "300", "high" }, { "72.0", "normal" },
	};
	char	 body[256];
	size_t	 i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(body, sizeof(body), "{\"patient\":\"" P1 "\","
		    "\"bpm\":%s,\"status\":\"%s\"}", want[i].bpm,
		    strcmp(want[i].status, "low") == 0 ? "high" : "low");
		record(body, ROLE_DOCTOR, NULL);
		ck_assert_msg(strcmp(cj_str(doc, "status"),
		    want[i].status) == 0,
		    "bpm %s: %s", want[i].bpm, cj_str(doc, "status"));
		ck_assert_int_eq(num(doc, "bpm"), atol(want[i].bpm));
	}
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM readings "
	    "WHERE status = CASE WHEN bpm < 60 THEN 'low' WHEN bpm > 100 "
	    "THEN 'high' ELSE 'normal' END"), (long)i);
	/* The thresholds come from the configuration. */
	tdb.conf.heart_rate_low = 50;
	tdb.conf.heart_rate_high = 120;
	record(ONE(P1, "49"), ROLE_NURSE, NULL);
	ck_assert_str_eq(cj_str(doc, "status"), "low");
	record(ONE(P1, "50"), ROLE_NURSE, NULL);
	ck_assert_str_eq(cj_str(doc, "status"), "normal");
	record(ONE(P1, "120"), ROLE_NURSE, NULL);
	ck_assert_str_eq(cj_str(doc, "status"), "normal");
	record(ONE(P1, "121"), ROLE_NURSE, NULL);
	ck_assert_str_eq(cj_str(doc, "status"), "high");
}
END_TEST

/* Given times are stored and answered in UTC with milliseconds. */
START_TEST(test_measured_at)
{
	static const struct {
		const char	*sent;
		const char	*stored;
	} want[] = {
		{ "2020-06-01T10:00:00+02:00", "2020-06-01T08:00:00.000Z" },
		{ "2020-06-01T00:30:00-01:00", "2020-06-01T01:30:00.000Z" },
		{ "2020-06-01T08:00:00.5Z", "2020-06-01T08:00:00.500Z" },
		{ "2020-06-01T08:00:00.123456789Z",
		  "2020-06-01T08:00:00.123Z" },
		{ "2020-03-01T01:30:00+05:30", "2020-02-29T20:00:00.000Z" },
		/* Exactly the admission time, in two spellings. */
		{ "2020-01-01T00:00:00Z", ADMITTED },
		{ "2020-01-01T01:00:00+01:00", ADMITTED },
	};
	char	 body[256], q[256];
	size_t	 i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(body, sizeof(body), "{\"patient\":\"" P1 "\","
		    "\"bpm\":70,\"measured_at\":\"%s\"}", want[i].sent);
		record(body, ROLE_NURSE, NULL);
		ck_assert_str_eq(cj_str(doc, "measured_at"), want[i].stored);
		/* recorded_at is the server's time, not the given one. */
		ck_assert_str_ne(cj_str(doc, "recorded_at"), want[i].stored);
		snprintf(q, sizeof(q), "SELECT count(*) FROM readings WHERE "
		    "id = '%s' AND measured_at = '%s'", cj_str(doc, "id"),
		    want[i].stored);
		ck_assert_int_eq(testdb_count(&tdb, q), 1);
	}
	ck_assert_int_eq(readings(), (long)i);
}
END_TEST

/* Not more than 60 s in the future; within that is clock skew. */
START_TEST(test_measured_at_future)
{
	char	 body[256];
	int64_t	 t0, t1;

	t0 = time_now_ms();
	snprintf(body, sizeof(body), "{\"patient\":\"" P1 "\",\"bpm\":70,"
	    "\"measured_at\":\"%s\"}", stamp(t0 + 61000));
	run(METHOD_POST, "/api/heartrates/", body, ROLE_NURSE);
	t1 = time_now_ms();
	/* The server's "now" is in [t0, t1]: 61 s ahead if t1 - t0 < 1 s. */
	if (t1 - t0 < 1000)
		assert_400_says("measured_at", "future");
	snprintf(body, sizeof(body), "{\"patient\":\"" P1 "\",\"bpm\":70,"
	    "\"measured_at\":\"%s\"}", stamp(time_now_ms() + 3600 * 1000));
	run(METHOD_POST, "/api/heartrates/", body, ROLE_NURSE);
	assert_400_says("measured_at", "future");
	ck_assert_int_eq(readings(), 0);
	snprintf(body, sizeof(body), "{\"patient\":\"" P1 "\",\"bpm\":70,"
	    "\"measured_at\":\"%s\"}", stamp(time_now_ms() + 30000));
	record(body, ROLE_NURSE, NULL);
	snprintf(body, sizeof(body), "{\"patient\":\"" P1 "\",\"bpm\":70,"
	    "\"measured_at\":\"%s\"}", stamp(time_now_ms() + 59000));
	record(body, ROLE_NURSE, NULL);
	ck_assert_int_eq(readings(), 2);
}
END_TEST

/* Hostile bodies: each a 400 naming the field, and nothing stored. */
START_TEST(test_bad_bodies)
{
	static const struct {
		const char	*body;
		const char	*field;
	} bad[] = {
		/* bpm: an integer 20-300, never converted (SPEC 7.14). */
		{ "{\"patient\":\"" P1 "\"}", "bpm" },
		{ ONE(P1, "\"72\""), "bpm" },
		{ ONE(P1, "true"), "bpm" },
		{ ONE(P1, "null"), "bpm" },
		{ ONE(P1, "72.5"), "bpm" },
		{ ONE(P1, "19"), "bpm" },
		{ ONE(P1, "301"), "bpm" },
		{ ONE(P1, "1e400"), "bpm" },
		{ ONE(P1, "-1e400"), "bpm" },
		{ ONE(P1, "-1"), "bpm" },
		{ ONE(P1, "0"), "bpm" },
		{ ONE(P1, "[]"), "bpm" },
		{ ONE(P1, "[72]"), "bpm" },
		{ ONE(P1, "{}"), "bpm" },
		{ ONE(P1, "9223372036854775808"), "bpm" },
		{ ONE(P1, "72.000001"), "bpm" },
		/* patient: a UUID of a patient with an open admission. */
		{ "{\"bpm\":72}", "patient" },
		{ "{\"patient\":null,\"bpm\":72}", "patient" },
		{ "{\"patient\":42,\"bpm\":72}", "patient" },
		{ "{\"patient\":[\"" P1 "\"],\"bpm\":72}", "patient" },
		{ ONE("xyz", "72"), "patient" },
		{ ONE("10000000-0000-7000-8000-00000000000", "72"), "patient" },
		{ ONE("10000000-0000-7000-8000-00000000000A", "72"),
		  "patient" },
		{ ONE("' OR 1=1 --", "72"), "patient" },
		{ ONE(PX, "72"), "patient" },
		{ ONE(P6, "72"), "patient" },
		{ ONE(P3, "72"), "patient" },
		/* admission: the patient's open one or nothing. */
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,"
		  "\"admission\":\"" A2 "\"}", "admission" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,"
		  "\"admission\":\"" A6 "\"}", "admission" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,"
		  "\"admission\":\"" AX "\"}", "admission" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"admission\":\"x\"}",
		  "admission" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"admission\":7}",
		  "admission" },
		/* measured_at: strict RFC 3339, inside the admission. */
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"yesterday\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2026-01-01\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2026-01-01T00:00:00\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2026-01-01 00:00:00Z\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2026-02-30T00:00:00Z\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2026-01-01T24:00:00Z\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2026-01-01T00:00:60Z\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2026-01-01T00:00:00.Z\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2026-01-01T00:00:00+24:00\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "1767225600}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2019-12-31T23:59:59.999Z\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2020-01-01T00:59:59+01:00\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"0000-01-01T00:00:00+00:01\"}", "measured_at" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"9999-12-31T23:59:59-01:00\"}", "measured_at" },
		/* notes: text, no control characters but line breaks. */
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":42}", "notes" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":true}",
		  "notes" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":\"a\\u0007b\"}",
		  "notes" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":\"a\\u000bb\"}",
		  "notes" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":\"a\\u0000b\"}",
		  "notes" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":\"a\\u007fb\"}",
		  "notes" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,"
		  "\"notes\":\"\\u001b[2J\"}", "notes" },
		/* The body: an object, or an array of objects. */
		{ "42", "non_field_errors" },
		{ "\"x\"", "non_field_errors" },
		{ "null", "non_field_errors" },
		{ "true", "non_field_errors" },
		{ "[]", "non_field_errors" },
		{ "[42]", "0.non_field_errors" },
		{ "[[]]", "0.non_field_errors" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run(METHOD_POST, "/api/heartrates/", bad[i].body, ROLE_NURSE);
		ck_assert_msg(w.status == 400, "%s: %d: %s", bad[i].body,
		    w.status, buf_str(&w.body));
		ck_assert_msg(cj_member(cj_member(doc, "errors"),
		    bad[i].field) !=
		    NULL, "%s: want %s named: %s", bad[i].body, bad[i].field,
		    buf_str(&w.body));
		ck_assert_str_eq(cj_str(doc, "code"), "invalid");
		ck_assert_str_eq(w.content_type, "application/problem+json");
		ck_assert_int_eq(readings(), 0);
	}
	/* No body at all. */
	run(METHOD_POST, "/api/heartrates/", NULL, ROLE_NURSE);
	assert_400("non_field_errors");
	ck_assert_int_eq(readings(), 0);
}
END_TEST

/* The messages say why, and only the offending fields are named. */
START_TEST(test_bad_messages)
{

	run(METHOD_POST, "/api/heartrates/", ONE(PX, "72"), ROLE_NURSE);
	assert_400_says("patient", "does not exist");
	assert_unnamed("bpm");
	run(METHOD_POST, "/api/heartrates/", ONE(P3, "72"), ROLE_NURSE);
	assert_400_says("patient", "open admission");
	run(METHOD_POST, "/api/heartrates/", ONE(P6, "72"), ROLE_NURSE);
	assert_400_says("patient", "open admission");
	run(METHOD_POST, "/api/heartrates/", "{\"patient\":\"" P1 "\","
	    "\"bpm\":72,\"measured_at\":\"2019-12-31T23:59:59Z\"}", ROLE_NURSE);
	assert_400_says("measured_at", "admission");
	assert_unnamed("patient");
	run(METHOD_POST, "/api/heartrates/", ONE(P1, "19"), ROLE_NURSE);
	assert_400_says("bpm", "greater than or equal to 20");
	run(METHOD_POST, "/api/heartrates/", ONE(P1, "301"), ROLE_NURSE);
	assert_400_says("bpm", "less than or equal to 300");
	/* Every bad field at once. */
	run(METHOD_POST, "/api/heartrates/", "{\"patient\":\"x\",\"bpm\":\"1\","
	    "\"notes\":1,\"measured_at\":\"now\",\"admission\":2}", ROLE_NURSE);
	assert_400("patient");
	assert_400("bpm");
	assert_400("notes");
	assert_400("measured_at");
	assert_400("admission");
	ck_assert_int_eq(readings(), 0);
}
END_TEST

/* notes: at most 1000 characters (not bytes). */
START_TEST(test_notes_length)
{
	struct buf	 b;
	int		 i;

	buf_init(&b);
	buf_puts(&b, "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":\"");
	for (i = 0; i < 1000; i++)
		buf_puts(&b, "\xc3\xa9");
	buf_puts(&b, "\"}");
	record(buf_str(&b), ROLE_NURSE, NULL);
	ck_assert_int_eq(strlen(cj_str(doc, "notes")), 2000);
	buf_reset(&b);
	buf_puts(&b, "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":\"");
	for (i = 0; i < 1001; i++)
		buf_puts(&b, "n");
	buf_puts(&b, "\"}");
	run(METHOD_POST, "/api/heartrates/", buf_str(&b), ROLE_NURSE);
	assert_400_says("notes", "1000");
	buf_reset(&b);
	buf_puts(&b, "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":\"");
	for (i = 0; i < 1001; i++)
		buf_puts(&b, "\xc3\xa9");
	buf_puts(&b, "\"}");
	run(METHOD_POST, "/api/heartrates/", buf_str(&b), ROLE_NURSE);
	assert_400("notes");
	buf_clear(&b);
	ck_assert_int_eq(readings(), 1);
	/* Quotes and SQL are text like any other. */
	record("{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":\"'); DROP TABLE "
	    "readings; --\"}", ROLE_NURSE, NULL);
	ck_assert_str_eq(cj_str(doc, "notes"), "'); DROP TABLE readings; --");
	record("{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":\"\"}",
	    ROLE_NURSE, NULL);
	ck_assert_int_eq(readings(), 3);
}
END_TEST

/*
 * A batch of "n" readings: item i for P1 (even) or P2 (odd) with bpm
 * 20 + 7i mod 281, except that item "bad" (if not -1) carries "item"
 * instead.  Appended to "b".
 */
static void
batch(struct buf *b, int n, int bad, const char *item)
{
	int	 i;

	buf_reset(b);
	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		if (i == bad)
			buf_puts(b, item);
		else
			buf_printf(b, "{\"patient\":\"%s\",\"bpm\":%d}",
			    i % 2 ? P2 : P1, 20 + (i * 7) % 281);
	}
	buf_putc(b, ']');
}

/* SPEC 7.18: 1 to 1000 items, in one transaction, answered in order. */
START_TEST(test_batch)
{
	const cJSON	*it;
	struct buf	 b;
	int		 i = 0;

	buf_init(&b);
	batch(&b, 1000, -1, NULL);
	run(METHOD_POST, "/api/heartrates/", buf_str(&b), ROLE_DOCTOR);
	ck_assert_msg(w.status == 201, "%d: %s", w.status, buf_str(&w.body));
	ck_assert(cJSON_IsArray(doc));
	ck_assert_int_eq(cJSON_GetArraySize(doc), 1000);
	cJSON_ArrayForEach(it, doc) {
		ck_assert_int_eq(num(it, "bpm"), 20 + (i * 7) % 281);
		ck_assert_str_eq(cj_str(it, "patient"), i % 2 ? P2 : P1);
		ck_assert_str_eq(cj_str(it, "admission"), i % 2 ? A2 : A1);
		ck_assert_str_eq(cj_str(it, "handled_by"), U_DOCTOR);
		ck_assert(uuid_valid(cj_str(it, "id")));
		i++;
	}
	ck_assert_int_eq(readings(), 1000);
	/* Stored in request order (seq), each as answered. */
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM (SELECT "
	    "bpm, patient_id, row_number() OVER (ORDER BY seq) - 1 AS i "
	    "FROM readings) WHERE bpm = 20 + (i * 7) % 281 AND patient_id = "
	    "CASE i % 2 WHEN 1 THEN '" P2 "' ELSE '" P1 "' END"), 1000);
	/* One item is still an array, and has no Location. */
	batch(&b, 1, -1, NULL);
	run(METHOD_POST, "/api/heartrates/", buf_str(&b), ROLE_NURSE);
	ck_assert_int_eq(w.status, 201);
	ck_assert(cJSON_IsArray(doc));
	ck_assert_int_eq(cJSON_GetArraySize(doc), 1);
	ck_assert_int_eq(readings(), 1001);
	buf_clear(&b);
}
END_TEST

START_TEST(test_batch_sizes)
{
	struct buf	 b;

	buf_init(&b);
	run(METHOD_POST, "/api/heartrates/", "[]", ROLE_NURSE);
	assert_400("non_field_errors");
	batch(&b, 1001, -1, NULL);
	run(METHOD_POST, "/api/heartrates/", buf_str(&b), ROLE_NURSE);
	assert_400("non_field_errors");
	assert_unnamed("1000.bpm");
	ck_assert_int_eq(readings(), 0);
	buf_clear(&b);
}
END_TEST

/* All or none: a bad item stores nothing, and is named by its index. */
START_TEST(test_batch_all_or_none)
{
	static const struct {
		const char	*item;
		const char	*field;
	} bad[] = {
		{ ONE(P1, "19"), "2.bpm" },
		{ ONE(P1, "\"72\""), "2.bpm" },
		{ "{\"patient\":\"" P1 "\"}", "2.bpm" },
		{ ONE("xyz", "72"), "2.patient" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":7}",
		  "2.notes" },
		{ "7", "2.non_field_errors" },
		/* Found wrong only inside the transaction, after 0 and 1. */
		{ ONE(PX, "72"), "2.patient" },
		{ ONE(P3, "72"), "2.patient" },
		{ ONE(P6, "72"), "2.patient" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,"
		  "\"admission\":\"" A2 "\"}", "2.admission" },
		{ "{\"patient\":\"" P1 "\",\"bpm\":72,\"measured_at\":"
		  "\"2019-06-01T00:00:00Z\"}", "2.measured_at" },
	};
	struct buf	 b;
	size_t		 i;

	buf_init(&b);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		batch(&b, 5, 2, bad[i].item);
		run(METHOD_POST, "/api/heartrates/", buf_str(&b), ROLE_NURSE);
		assert_400(bad[i].field);
		assert_unnamed(bad[i].field + 2);
		assert_unnamed("0.bpm");
		assert_unnamed("0.patient");
		assert_unnamed("1.patient");
		assert_unnamed("3.patient");
		ck_assert_int_eq(readings(), 0);
	}
	/* The last item bad, in a full batch. */
	batch(&b, 1000, 999, ONE(P3, "72"));
	run(METHOD_POST, "/api/heartrates/", buf_str(&b), ROLE_NURSE);
	assert_400("999.patient");
	ck_assert_int_eq(readings(), 0);
	/* And the transaction ended: a good one is stored. */
	batch(&b, 3, -1, NULL);
	run(METHOD_POST, "/api/heartrates/", buf_str(&b), ROLE_NURSE);
	ck_assert_int_eq(w.status, 201);
	ck_assert_int_eq(readings(), 3);
	buf_clear(&b);
}
END_TEST

/* Several bad items: every one named. */
START_TEST(test_batch_several_bad)
{

	run(METHOD_POST, "/api/heartrates/", "[" ONE(P1, "70") ","
	    ONE(P1, "\"72\"") "," ONE(P2, "80") "," ONE("x", "90") ","
	    "{\"patient\":\"" P1 "\",\"bpm\":72,\"notes\":7}," ONE(P1, "301")
	    "]", ROLE_NURSE);
	assert_400("1.bpm");
	assert_400("3.patient");
	assert_400("4.notes");
	assert_400("5.bpm");
	assert_unnamed("0.bpm");
	assert_unnamed("2.bpm");
	assert_unnamed("bpm");
	/* The checks inside the transaction name them all too. */
	run(METHOD_POST, "/api/heartrates/", "[" ONE(P1, "70") ","
	    ONE(P3, "72") "," ONE(P2, "80") "," ONE(PX, "90") ","
	    "{\"patient\":\"" P1 "\",\"bpm\":72,\"admission\":\"" A6 "\"}]",
	    ROLE_NURSE);
	assert_400("1.patient");
	assert_400("3.patient");
	assert_400("4.admission");
	assert_unnamed("0.patient");
	assert_unnamed("2.patient");
	ck_assert_int_eq(readings(), 0);
}
END_TEST

/* SPEC section 3, 7.20: doctors and nurses only, on every route. */
START_TEST(test_roles)
{
	static const char *const gets[] = { "/api/heartrates/",
	    "/api/heartrates/40000000-0000-7000-8000-000000000001/",
	    "/api/patients/" P1 "/heartrates/" };
	enum role	 role;
	size_t		 i;

	reading_sql(1, P1, A1, 70, "normal", U_NURSE,
	    "2026-01-01T00:00:00.000Z");
	for (role = ROLE_ADMIN; role <= ROLE_STAFF; role++) {
		for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
			run(METHOD_GET, gets[i], NULL, role);
			ck_assert_msg(w.status == 403, "%s as %d: %d", gets[i],
			    role, w.status);
			ck_assert_str_eq(cj_str(doc, "code"),
			    "permission_denied");
		}
		run(METHOD_POST, "/api/heartrates/", ONE(P1, "70"), role);
		ck_assert_int_eq(w.status, 403);
		ck_assert_str_eq(cj_str(doc, "code"), "permission_denied");
	}
	for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		run(METHOD_GET, gets[i], NULL, ANON);
		ck_assert_int_eq(w.status, 401);
		ck_assert_str_eq(cj_str(doc, "code"), "not_authenticated");
	}
	run(METHOD_POST, "/api/heartrates/", ONE(P1, "70"), ANON);
	ck_assert_int_eq(w.status, 401);
	ck_assert_str_eq(cj_str(doc, "code"), "not_authenticated");
	ck_assert_int_eq(readings(), 1);
	for (role = ROLE_DOCTOR; role <= ROLE_NURSE; role++) {
		for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
			run(METHOD_GET, gets[i], NULL, role);
			ck_assert_msg(w.status == 200, "%s as %d: %d", gets[i],
			    role, w.status);
		}
		run(METHOD_POST, "/api/heartrates/", ONE(P1, "70"), role);
		ck_assert_int_eq(w.status, 201);
		ck_assert_str_eq(cj_str(doc, "handled_by"), uid[role]);
	}
	ck_assert_int_eq(readings(), 3);
}
END_TEST

/* Readings are never updated or deleted; routes end with "/". */
START_TEST(test_methods)
{
	static const char	 one[] =
	    "/api/heartrates/40000000-0000-7000-8000-000000000001/";

	reading_sql(1, P1, A1, 70, "normal", U_NURSE,
	    "2026-01-01T00:00:00.000Z");
	run(METHOD_PUT, one, ONE(P1, "80"), ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 405);
	ck_assert(strstr(buf_str(&w.headers), "Allow: ") != NULL);
	run(METHOD_PATCH, one, "{\"bpm\":80}", ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 405);
	run(METHOD_DELETE, one, NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 405);
	run(METHOD_DELETE, "/api/heartrates/", NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 405);
	run(METHOD_POST, "/api/patients/" P1 "/heartrates/", ONE(P1, "80"),
	    ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 405);
	run(METHOD_POST, "/api/heartrates", ONE(P1, "80"), ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 404);
	ck_assert(strstr(cj_str(doc, "detail"), "/api/heartrates/") != NULL);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM readings "
	    "WHERE bpm = 70"), 1);
	ck_assert_int_eq(readings(), 1);
}
END_TEST

START_TEST(test_get)
{
	char	 id[UUID_LEN], upper[UUID_LEN], uri[128];
	size_t	 i;

	record(ONE(P1, "88"), ROLE_NURSE, id);
	snprintf(uri, sizeof(uri), "/api/heartrates/%s/", id);
	run(METHOD_GET, uri, NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 200);
	ck_assert_str_eq(cj_str(doc, "id"), id);
	ck_assert_int_eq(num(doc, "bpm"), 88);
	ck_assert_str_eq(cj_str(doc, "patient"), P1);
	ck_assert_str_eq(cj_str(doc, "admission"), A1);
	ck_assert_str_eq(cj_str(doc, "handled_by"), U_NURSE);
	ck_assert_str_eq(cj_str(doc, "status"), "normal");
	ck_assert(cJSON_IsNull(cj_member(doc, "notes")));
	ck_assert_ptr_nonnull(cj_str(doc, "measured_at"));
	ck_assert_ptr_nonnull(cj_str(doc, "recorded_at"));
	run(METHOD_GET, "/api/heartrates/" RX "/", NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 404);
	ck_assert_str_eq(cj_str(doc, "code"), "not_found");
	run(METHOD_GET, "/api/heartrates/not-a-uuid/", NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 404);
	ck_assert_str_eq(cj_str(doc, "code"), "not_found");
	run(METHOD_GET, "/api/heartrates/1%27%20OR%201=1/", NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 404);
	/* A patient's or an admission's id is no reading's. */
	run(METHOD_GET, "/api/heartrates/" P1 "/", NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 404);
	for (i = 0; id[i] != '\0'; i++)
		upper[i] = id[i] >= 'a' && id[i] <= 'f' ? id[i] - 32 : id[i];
	upper[i] = '\0';
	snprintf(uri, sizeof(uri), "/api/heartrates/%s/", upper);
	run(METHOD_GET, uri, NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 404);
	snprintf(uri, sizeof(uri), "/api/heartrates/%s", id);
	run(METHOD_GET, uri, NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 404);
}
END_TEST

/* The user who recorded may be deleted: handled_by says null. */
START_TEST(test_handled_by_gone)
{
	char	 id[UUID_LEN], uri[128];

	record(ONE(P1, "88"), ROLE_NURSE, id);
	testdb_exec(&tdb, "PRAGMA foreign_keys = ON; DELETE FROM users WHERE "
	    "id = '" U_NURSE "'");
	ck_assert_int_eq(readings(), 1);
	snprintf(uri, sizeof(uri), "/api/heartrates/%s/", id);
	run(METHOD_GET, uri, NULL, ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 200);
	ck_assert(cJSON_IsNull(cj_member(doc, "handled_by")));
	ck_assert_int_eq(num(doc, "bpm"), 88);
	run(METHOD_GET, "/api/heartrates/?handled_by=" U_NURSE, NULL,
	    ROLE_DOCTOR);
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(cJSON_GetArraySize(cj_member(doc, "results")), 0);
	run(METHOD_GET, "/api/heartrates/", NULL, ROLE_DOCTOR);
	ck_assert_int_eq(cJSON_GetArraySize(cj_member(doc, "results")), 1);
}
END_TEST

/*
 * Six readings at known times, newest first "5 4 3 2 1 6":
 * 1 P1/A1 50 low (doctor) 00:00, 2 P1/A1 70 normal (nurse) 01:00,
 * 3 P2/A2 120 high (doctor) 02:00, 4 P4/A4 80 normal (nurse) 03:00,
 * 5 P5/A5 90 normal (doctor) 04:00 on 2026-01-01; 6 P1/A6 65 normal
 * (doctor) in 2019.
 */
static void
six(void)
{

	reading_sql(1, P1, A1, 50, "low", U_DOCTOR, "2026-01-01T00:00:00.000Z");
	reading_sql(2, P1, A1, 70, "normal", U_NURSE,
	    "2026-01-01T01:00:00.000Z");
	reading_sql(3, P2, A2, 120, "high", U_DOCTOR,
	    "2026-01-01T02:00:00.000Z");
	reading_sql(4, P4, A4, 80, "normal", U_NURSE,
	    "2026-01-01T03:00:00.000Z");
	reading_sql(5, P5, A5, 90, "normal", U_DOCTOR,
	    "2026-01-01T04:00:00.000Z");
	reading_sql(6, P1, A6, 65, "normal", U_DOCTOR,
	    "2019-03-15T00:00:00.000Z");
}

START_TEST(test_list)
{
	const cJSON	*first;

	assert_list("/api/heartrates/", "");
	six();
	assert_list("/api/heartrates/", "5 4 3 2 1 6");
	first = cJSON_GetArrayItem(cj_member(doc, "results"), 0);
	ck_assert_str_eq(cj_str(first, "id"),
	    "40000000-0000-7000-8000-000000000005");
	ck_assert_str_eq(cj_str(first, "patient"), P5);
	ck_assert_str_eq(cj_str(first, "admission"), A5);
	ck_assert_int_eq(num(first, "bpm"), 90);
	ck_assert_str_eq(cj_str(first, "status"), "normal");
	ck_assert_str_eq(cj_str(first, "handled_by"), U_DOCTOR);
	ck_assert_str_eq(cj_str(first, "measured_at"),
	    "2026-01-01T04:00:00.000Z");
	/* Empty filters filter nothing; unknown keys are ignored. */
	assert_list("/api/heartrates/?patient=&admission=&status=&"
	    "handled_by=&since=&until=&search=&colour=blue", "5 4 3 2 1 6");
}
END_TEST

START_TEST(test_list_filters)
{

	six();
	assert_list("/api/heartrates/?patient=" P1, "2 1 6");
	assert_list("/api/heartrates/?patient=" P3, "");
	assert_list("/api/heartrates/?patient=" PX, "");
	assert_list("/api/heartrates/?admission=" A1, "2 1");
	assert_list("/api/heartrates/?admission=" A6, "6");
	assert_list("/api/heartrates/?status=normal", "5 4 2 6");
	assert_list("/api/heartrates/?status=low", "1");
	assert_list("/api/heartrates/?status=high", "3");
	assert_list("/api/heartrates/?handled_by=" U_DOCTOR, "5 3 1 6");
	assert_list("/api/heartrates/?handled_by=" U_NURSE, "4 2");
	/* Combined: all must hold. */
	assert_list("/api/heartrates/?patient=" P1 "&status=normal", "2 6");
	assert_list("/api/heartrates/?patient=" P1 "&admission=" A2, "");
	assert_list("/api/heartrates/?admission=" A1 "&handled_by=" U_DOCTOR,
	    "1");
	assert_list("/api/heartrates/?handled_by=" U_DOCTOR "&status=normal"
	    "&since=2026-01-01T00:00:00Z", "5");
	/* Hostile values match nothing: they are bound, never formatted. */
	assert_list("/api/heartrates/?search=%27%20OR%201%3D1%20--", "");
	ck_assert_int_eq(readings(), 6);
}
END_TEST

/* since/until: RFC 3339 at any offset, both inclusive (SPEC 7.12). */
START_TEST(test_list_times)
{

	six();
	assert_list("/api/heartrates/?since=2026-01-01T01:00:00Z", "5 4 3 2");
	assert_list("/api/heartrates/?since=2026-01-01T01:00:00.000Z",
	    "5 4 3 2");
	assert_list("/api/heartrates/?since=2026-01-01T01:00:00.001Z",
	    "5 4 3");
	assert_list("/api/heartrates/?until=2026-01-01T01:00:00Z", "2 1 6");
	assert_list("/api/heartrates/?until=2026-01-01T00:59:59.999Z", "1 6");
	assert_list("/api/heartrates/?since=2026-01-01T01:00:00Z&"
	    "until=2026-01-01T03:00:00Z", "4 3 2");
	assert_list("/api/heartrates/?since=2026-01-01T02:00:00Z&"
	    "until=2026-01-01T02:00:00Z", "3");
	assert_list("/api/heartrates/?since=2026-01-01T03:00:00Z&"
	    "until=2026-01-01T01:00:00Z", "");
	/* Offsets: "+" must come percent-encoded in a query. */
	assert_list("/api/heartrates/?since=2026-01-01T03:00:00%2B02:00",
	    "5 4 3 2");
	assert_list("/api/heartrates/?until=2025-12-31T21:00:00-04:00",
	    "2 1 6");
	assert_list("/api/heartrates/?since=2026-01-01T06:30:00%2B05:30&"
	    "until=2026-01-01T01:00:00.5-02:00", "4 3 2");
	assert_list("/api/heartrates/?since=2020-01-01T00:00:00Z&"
	    "patient=" P1, "2 1");
	assert_list("/api/heartrates/?until=2020-01-01T00:00:00Z", "6");
}
END_TEST

/*
 * BUG (lib/param.c param_time, via lib/rfc3339.c parsefrac): a "since"
 * finer than a millisecond is truncated, so a reading before it is
 * listed; an inclusive lower bound must round up instead.
 */
START_TEST(test_list_since_submillisecond)
{

	reading_sql(1, P1, A1, 70, "normal", U_NURSE,
	    "2026-01-01T00:00:00.000Z");
	reading_sql(2, P1, A1, 70, "normal", U_NURSE,
	    "2026-01-01T00:00:00.001Z");
	assert_list("/api/heartrates/?until=2026-01-01T00:00:00.0009Z", "1");
	assert_list("/api/heartrates/?since=2026-01-01T00:00:00.0005Z", "2");
}
END_TEST

/* search: the patient's names, case-insensitive, "%" "_" literal. */
START_TEST(test_list_search)
{

	six();
	assert_list("/api/heartrates/?search=pat", "2 1 6");
	assert_list("/api/heartrates/?search=PIA", "3");
	assert_list("/api/heartrates/?search=one", "2 1 6");
	assert_list("/api/heartrates/?search=tw", "5 3");
	assert_list("/api/heartrates/?search=TW_O", "3");
	assert_list("/api/heartrates/?search=_", "3");
	assert_list("/api/heartrates/?search=%25", "4");
	assert_list("/api/heartrates/?search=ann%25", "4");
	assert_list("/api/heartrates/?search=p%25t", "");
	assert_list("/api/heartrates/?search=%5C", "");
	assert_list("/api/heartrates/?search=zzz", "");
	assert_list("/api/heartrates/?search=o&status=normal", "5 4 2 6");
	assert_list("/api/heartrates/?search=o&patient=" P2, "3");
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
		{ "patient=10000000-0000-7000-8000-0000000000FF", "patient" },
		{ "admission=42", "admission" },
		{ "handled_by=nurse", "handled_by" },
		{ "status=LOW", "status" },
		{ "status=critical", "status" },
		{ "status=normal,high", "status" },
		{ "since=yesterday", "since" },
		{ "since=2026-01-01", "since" },
		{ "since=2026-01-01T00:00:00", "since" },
		{ "since=2026-13-01T00:00:00Z", "since" },
		{ "since=2026-02-29T00:00:00Z", "since" },
		{ "since=1767225600", "since" },
		/* A raw "+" is a space in a query. */
		{ "since=2026-01-01T00:00:00+02:00", "since" },
		{ "until=2026-01-01T00:00:00ZZ", "until" },
		{ "until=now", "until" },
		{ "page_size=abc", "page_size" },
	};
	char	 uri[256];
	size_t	 i;

	six();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(uri, sizeof(uri), "/api/heartrates/?%s", bad[i].query);
		run(METHOD_GET, uri, NULL, ROLE_NURSE);
		assert_400(bad[i].field);
		snprintf(uri, sizeof(uri), "/api/patients/" P1
		    "/heartrates/?%s", bad[i].query);
		run(METHOD_GET, uri, NULL, ROLE_NURSE);
		assert_400(bad[i].field);
	}
	/* Every bad filter named at once. */
	run(METHOD_GET, "/api/heartrates/?patient=x&admission=y&handled_by=z&"
	    "status=w&since=v&until=u", NULL, ROLE_DOCTOR);
	assert_400("patient");
	assert_400("admission");
	assert_400("handled_by");
	assert_400("status");
	assert_400("since");
	assert_400("until");
}
END_TEST

/* GET /api/patients/:id/heartrates/ (SPEC section 5, 7.20). */
START_TEST(test_patient_list)
{

	six();
	assert_list("/api/patients/" P1 "/heartrates/", "2 1 6");
	assert_list("/api/patients/" P2 "/heartrates/", "3");
	/* A patient without readings, or without admissions: empty. */
	assert_list("/api/patients/" P3 "/heartrates/", "");
	assert_list("/api/patients/" P6 "/heartrates/", "");
	/* The same filters; another ?patient= than the path's: none. */
	assert_list("/api/patients/" P1 "/heartrates/?status=low", "1");
	assert_list("/api/patients/" P1 "/heartrates/?admission=" A6, "6");
	assert_list("/api/patients/" P1 "/heartrates/?admission=" A2, "");
	assert_list("/api/patients/" P1 "/heartrates/?patient=" P1, "2 1 6");
	assert_list("/api/patients/" P1 "/heartrates/?patient=" P2, "");
	assert_list("/api/patients/" P1 "/heartrates/?handled_by=" U_NURSE,
	    "2");
	assert_list("/api/patients/" P1 "/heartrates/?search=pia", "");
	assert_list("/api/patients/" P1 "/heartrates/?since="
	    "2026-01-01T00:00:00Z&until=2026-01-01T00:00:00Z", "1");
	/* Unknown or malformed patients: 404. */
	run(METHOD_GET, "/api/patients/" PX "/heartrates/", NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 404);
	ck_assert_str_eq(cj_str(doc, "code"), "not_found");
	run(METHOD_GET, "/api/patients/xyz/heartrates/", NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 404);
	run(METHOD_GET, "/api/patients/10000000-0000-7000-8000-00000000000A"
	    "/heartrates/", NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 404);
	run(METHOD_GET, "/api/patients/" A1 "/heartrates/", NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 404);
	run(METHOD_GET, "/api/patients/" P1 "/heartrates", NULL, ROLE_NURSE);
	ck_assert_int_eq(w.status, 404);
}
END_TEST

static Suite *
reading_suite(void)
{
	Suite	*s = suite_create("reading");
	TCase	*tc;

	tc = tcase_create("record");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_record);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_measured_at);
	tcase_add_test(tc, test_measured_at_future);
	tcase_add_test(tc, test_bad_bodies);
	tcase_add_test(tc, test_bad_messages);
	tcase_add_test(tc, test_notes_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("batch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_batch);
	tcase_add_test(tc, test_batch_sizes);
	tcase_add_test(tc, test_batch_all_or_none);
	tcase_add_test(tc, test_batch_several_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("access");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_roles);
	tcase_add_test(tc, test_methods);
	tcase_add_test(tc, test_get);
	tcase_add_test(tc, test_handled_by_gone);
	suite_add_tcase(s, tc);

	tc = tcase_create("list");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_list_filters);
	tcase_add_test(tc, test_list_times);
	tcase_add_test(tc, test_list_search);
	tcase_add_test(tc, test_list_bad_filters);
	tcase_add_test(tc, test_patient_list);
	suite_add_tcase(s, tc);

	/* Known bugs in lib/: see each test's comment. */
	tc = tcase_create("bugs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_list_since_submillisecond);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(reading_suite());
}
