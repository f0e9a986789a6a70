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
#include "idem.h"
#include "pool.h"
#include "rfc3339.h"
#include "testutil.h"

/*
 * Idempotency-Key (SPEC 5 "Heart rates", 7.19, 7.31) on POST
 * /api/heartrates/, through http_handle() on a real database file: the
 * first completed answer, 2xx or 4xx, is replayed to the same user for
 * 24 hours, and the reading is stored once.
 */

static struct testdb	 tdb;
static struct pool	*pool;
static struct req	 r;
static struct resp	 w;
static cJSON		*doc;		/* the last answer, parsed */

#define	U_DOCTOR	"00000000-0000-7000-8000-00000000000c"
#define	U_NURSE		"00000000-0000-7000-8000-00000000000d"
#define	P1	"10000000-0000-7000-8000-000000000001"
#define	P3	"10000000-0000-7000-8000-000000000003"
#define	A1	"30000000-0000-7000-8000-000000000001"

#define	ONE(p, bpm)	"{\"patient\":\"" p "\",\"bpm\":" bpm "}"
#define	REPLAYED	"Idempotent-Replayed: true\r\n"

static void
setup(void)
{

	testdb_open(&tdb);
	ck_assert_ptr_nonnull(pool = pool_new());
	resp_init(&w);
	doc = NULL;
	testdb_exec(&tdb, "INSERT INTO users (id, email, password, first_name, "
	    "last_name, user_role, is_active, date_joined) VALUES "
	    "('" U_DOCTOR "', 'd@x.test', 'x', 'Dan', "
	    "'Doctor', 'doctor', 1, '2026-01-01T00:00:00.000Z'), "
	    "('" U_NURSE "', 'n@x.test', 'x', 'Nia', "
	    "'Nurse', 'nurse', 1, '2026-01-01T00:00:00.000Z')");
	testdb_exec(&tdb, "INSERT INTO patients (id, first_name, last_name, "
	    "date_of_birth, phone_number, created_at, updated_at) VALUES "
	    "('" P1 "', 'Pat', 'One', '1970-01-02', '+111111111', "
	    "'2019-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z'), "
	    "('" P3 "', 'Per', 'Three', '1990-05-06', '+333333333', "
	    "'2019-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z')");
	testdb_exec(&tdb, "INSERT INTO devices (id, serial_number, model_name, "
	    "status, created_at) VALUES "
	    "('20000000-0000-7000-8000-000000000001', 'SN-1', 'M', 'active', "
	    "'2019-01-01T00:00:00Z')");
	testdb_exec(&tdb, "INSERT INTO admissions (id, patient_id, device_id, "
	    "admitted_by, admission_date, is_discharged) VALUES "
	    "('" A1 "', '" P1 "', '20000000-0000-7000-8000-000000000001', "
	    "'" U_NURSE "', '2020-01-01T00:00:00.000Z', 0)");
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
 * POSTs "json" to /api/heartrates/ as "user" (a nurse, or a doctor when
 * it is U_DOCTOR) with Idempotency-Key "key" (NULL: none), and parses
 * the answer into "doc".
 */
static void
post_as(const char *user, const char *key, const char *json)
{
	static struct principal	 who;

	cJSON_Delete(doc);
	doc = NULL;
	resp_reset(&w);
	req_fake(&r, pool, METHOD_POST, "/api/heartrates/");
	r.remote_addr = "10.1.2.3";
	r.hdrs[HDR_CONTENT_TYPE] = "application/json";
	r.hdrs[HDR_IDEMPOTENCY_KEY] = key;
	r.body = json;
	r.bodysz = json != NULL ? strlen(json) : 0;
	who.user_id = user;
	who.sid = "s";
	who.role = strcmp(user, U_DOCTOR) == 0 ? ROLE_DOCTOR : ROLE_NURSE;
	who.by_cookie = 0;
	r.who = &who;
	http_handle(&tdb.app, &r, &w);
	doc = cJSON_ParseWithLength(w.body.p != NULL ? w.body.p : "",
	    w.body.len);
}

static void
post(const char *key, const char *json)
{

	post_as(U_NURSE, key, json);
}

static long
readings(void)
{

	return testdb_count(&tdb, "SELECT count(*) FROM readings");
}

static long
keys(void)
{

	return testdb_count(&tdb, "SELECT count(*) FROM idempotency_keys");
}

static int
replayed(void)
{

	return strstr(buf_str(&w.headers), REPLAYED) != NULL;
}

/* How often "name" ("Name: ") appears in the header lines. */
static int
header_count(const char *name)
{
	const char	*p = buf_str(&w.headers);
	int		 n = 0;

	while ((p = strstr(p, name)) != NULL) {
		n++;
		p += strlen(name);
	}
	return n;
}

/* The answer as it was, to compare a replay with. */
struct	answer {
	int	 status;
	char	 type[64];
	char	 body[4096];
	char	 location[128];
};

static void
keep(struct answer *a)
{
	const char	*l;

	a->status = w.status;
	snprintf(a->type, sizeof(a->type), "%s",
	    w.content_type != NULL ? w.content_type : "");
	ck_assert_uint_lt(w.body.len, sizeof(a->body));
	snprintf(a->body, sizeof(a->body), "%s", buf_str(&w.body));
	a->location[0] = '\0';
	if ((l = strstr(buf_str(&w.headers), "Location: ")) != NULL)
		snprintf(a->location, sizeof(a->location), "%.*s",
		    (int)strcspn(l, "\r"), l);
}

/* Asserts that the last answer replays "a". */
static void
assert_replay(const struct answer *a)
{
	const char	*l;

	ck_assert_msg(w.status == a->status, "want %d, got %d: %s",
	    a->status, w.status, buf_str(&w.body));
	ck_assert_msg(replayed(), "not replayed: %s", buf_str(&w.headers));
	ck_assert_str_eq(w.content_type != NULL ? w.content_type : "",
	    a->type);
	ck_assert_str_eq(buf_str(&w.body), a->body);
	if (a->location[0] != '\0') {
		ck_assert_ptr_nonnull(l = strstr(buf_str(&w.headers),
		    a->location));
		ck_assert_int_eq(header_count("Location: "), 1);
	} else
		ck_assert_int_eq(header_count("Location: "), 0);
	ck_assert_int_eq(header_count("Idempotent-Replayed: "), 1);
	/* The transport's own headers are this request's, once each. */
	ck_assert_int_eq(header_count("X-Request-Id: "), 1);
	ck_assert_int_eq(header_count("Cache-Control: "), 1);
}

START_TEST(test_replay)
{
	struct answer	 a;

	post("k-1", ONE(P1, "72"));
	ck_assert_msg(w.status == 201, "%d: %s", w.status, buf_str(&w.body));
	ck_assert(!replayed());
	ck_assert_int_eq(header_count("Location: "), 1);
	keep(&a);
	ck_assert_str_eq(a.type, "application/json");
	ck_assert_int_eq(readings(), 1);
	ck_assert_int_eq(keys(), 1);
	post("k-1", ONE(P1, "72"));
	assert_replay(&a);
	post("k-1", ONE(P1, "72"));
	assert_replay(&a);
	ck_assert_int_eq(readings(), 1);
	ck_assert_int_eq(keys(), 1);
	/* Another key is another request. */
	post("k-2", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	ck_assert(!replayed());
	ck_assert_str_ne(buf_str(&w.body), a.body);
	ck_assert_int_eq(readings(), 2);
	/* No key: no replay, ever. */
	post(NULL, ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	ck_assert(!replayed());
	ck_assert_int_eq(readings(), 3);
	ck_assert_int_eq(keys(), 2);
}
END_TEST

/* A batch is replayed whole, and stored once. */
START_TEST(test_replay_batch)
{
	struct answer	 a;
	static const char	 body[] = "[" ONE(P1, "50") "," ONE(P1, "150")
	    "," ONE(P1, "72") "]";

	post("batch", body);
	ck_assert_int_eq(w.status, 201);
	ck_assert_int_eq(cJSON_GetArraySize(doc), 3);
	keep(&a);
	post("batch", body);
	assert_replay(&a);
	ck_assert_int_eq(readings(), 3);
}
END_TEST

/* Same key, another body: 422 idempotency_mismatch, nothing stored. */
START_TEST(test_mismatch)
{
	struct answer	 a;

	post("k", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	keep(&a);
	post("k", ONE(P1, "73"));
	ck_assert_int_eq(w.status, 422);
	ck_assert_str_eq(cj_str(doc, "code"), "idempotency_mismatch");
	ck_assert_str_eq(w.content_type, "application/problem+json");
	ck_assert(!replayed());
	/* One byte more is another body too. */
	post("k", "{\"patient\":\"" P1 "\",\"bpm\":72} ");
	ck_assert_int_eq(w.status, 422);
	post("k", "[" ONE(P1, "72") "]");
	ck_assert_int_eq(w.status, 422);
	ck_assert_int_eq(readings(), 1);
	/* The mismatch stored nothing: the key still replays the first. */
	post("k", ONE(P1, "72"));
	assert_replay(&a);
	ck_assert_int_eq(readings(), 1);
	ck_assert_int_eq(keys(), 1);
}
END_TEST

/* Keys are per user (SPEC 7.19 "to the same user"). */
START_TEST(test_per_user)
{

	post_as(U_NURSE, "shared", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	ck_assert_str_eq(cj_str(doc, "handled_by"), U_NURSE);
	post_as(U_DOCTOR, "shared", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	ck_assert(!replayed());
	ck_assert_str_eq(cj_str(doc, "handled_by"), U_DOCTOR);
	ck_assert_int_eq(readings(), 2);
	/* Each replays its own. */
	post_as(U_DOCTOR, "shared", ONE(P1, "72"));
	ck_assert(replayed());
	ck_assert_str_eq(cj_str(doc, "handled_by"), U_DOCTOR);
	post_as(U_NURSE, "shared", ONE(P1, "72"));
	ck_assert(replayed());
	ck_assert_str_eq(cj_str(doc, "handled_by"), U_NURSE);
	/* And another user's other body is no mismatch of mine. */
	post_as(U_DOCTOR, "mine", ONE(P1, "80"));
	ck_assert_int_eq(w.status, 201);
	post_as(U_NURSE, "mine", ONE(P1, "81"));
	ck_assert_int_eq(w.status, 201);
	ck_assert_int_eq(readings(), 4);
	ck_assert_int_eq(keys(), 4);
}
END_TEST

/* A 4xx is a completed answer: replayed, and nothing stored. */
START_TEST(test_400_replayed)
{
	struct answer	 a;
	static const char	 bad[] = "[" ONE(P1, "70") ","
	    ONE(P1, "71") "," ONE(P3, "72") "]";

	post("bad", ONE(P1, "19"));
	ck_assert_int_eq(w.status, 400);
	ck_assert_ptr_nonnull(cj_member(cj_member(doc, "errors"), "bpm"));
	keep(&a);
	ck_assert_str_eq(a.type, "application/problem+json");
	post("bad", ONE(P1, "19"));
	assert_replay(&a);
	ck_assert_int_eq(readings(), 0);
	ck_assert_int_eq(keys(), 1);
	/* Mended, the body differs: a mismatch, not a new request. */
	post("bad", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 422);
	ck_assert_int_eq(readings(), 0);
	/*
	 * A batch found bad inside the transaction: its first items were
	 * written in the handler's savepoint, which is rolled back while
	 * the key's answer is kept.
	 */
	post("batch", bad);
	ck_assert_int_eq(w.status, 400);
	ck_assert_ptr_nonnull(cj_member(cj_member(doc, "errors"), "2.patient"));
	keep(&a);
	ck_assert_int_eq(readings(), 0);
	ck_assert_int_eq(keys(), 2);
	post("batch", bad);
	assert_replay(&a);
	ck_assert_int_eq(readings(), 0);
	/* Even once the patient is admitted, the key keeps its answer. */
	testdb_exec(&tdb, "INSERT INTO devices (id, serial_number, model_name, "
	    "status, created_at) VALUES ('20000000-0000-7000-8000-"
	    "000000000003', 'SN-3', 'M', 'active', '2019-01-01T00:00:00Z')");
	testdb_exec(&tdb, "INSERT INTO admissions (id, patient_id, device_id, "
	    "admitted_by, admission_date, is_discharged) VALUES "
	    "('30000000-0000-7000-8000-000000000003', '" P3 "', "
	    "'20000000-0000-7000-8000-000000000003', '" U_NURSE "', "
	    "'2020-01-01T00:00:00.000Z', 0)");
	post("batch", bad);
	assert_replay(&a);
	ck_assert_int_eq(readings(), 0);
	/* A fresh key runs, and the whole batch is stored. */
	post("batch-2", bad);
	ck_assert_int_eq(w.status, 201);
	ck_assert_int_eq(readings(), 3);
	/* The transactions all ended: a plain POST commits on its own. */
	post(NULL, ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	ck_assert_int_eq(readings(), 4);
}
END_TEST

/* SPEC 7.19, 7.31: 1 to 255 printable ASCII characters, else 400. */
START_TEST(test_bad_keys)
{
	static const char *const bad[] = {
		"", "a\tb", "a\x01" "b", "a\x7f" "b", "caf\xc3\xa9", "\xff",
		"\x1b[2J", "k\r\nX-Evil: 1",
	};
	char	 big[300];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		post(bad[i], ONE(P1, "72"));
		ck_assert_msg(w.status == 400, "key %zu: %d", i, w.status);
		ck_assert_str_eq(cj_str(doc, "code"), "invalid");
		ck_assert_ptr_nonnull(cj_member(cj_member(doc, "errors"),
		    "Idempotency-Key"));
	}
	memset(big, 'k', 256);
	big[256] = '\0';
	post(big, ONE(P1, "72"));
	ck_assert_int_eq(w.status, 400);
	ck_assert_ptr_nonnull(cj_member(cj_member(doc, "errors"), "Idempotency-Key"));
	/* A bad key is refused before the body is looked at. */
	post("", ONE(P1, "19"));
	ck_assert_int_eq(w.status, 400);
	ck_assert_ptr_nonnull(cj_member(cj_member(doc, "errors"), "Idempotency-Key"));
	ck_assert_ptr_null(cj_member(cj_member(doc, "errors"), "bpm"));
	ck_assert_int_eq(readings(), 0);
	ck_assert_int_eq(keys(), 0);
	/* 255 characters, and every printable one, are good. */
	big[255] = '\0';
	post(big, ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	post("~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./ 0aZ", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	post("x", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	ck_assert_int_eq(readings(), 3);
	ck_assert_int_eq(keys(), 3);
	ck_assert(idem_key_valid(big));
	ck_assert(!idem_key_valid(""));
	ck_assert(!idem_key_valid("\x80"));
	big[255] = 'k';
	ck_assert(!idem_key_valid(big));
}
END_TEST

/* Older than 24 hours, a key is forgotten: the request runs again. */
START_TEST(test_expired)
{
	char	 sql[256], t[RFC3339_STRLEN + 1];

	post("old", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	/* 23 hours on: still replayed. */
	ck_assert_int_eq(time_format(time_now_ms() - 23 * 3600 * 1000LL, t),
	    ERR_OK);
	snprintf(sql, sizeof(sql), "UPDATE idempotency_keys SET created_at = "
	    "'%s'", t);
	testdb_exec(&tdb, sql);
	post("old", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	ck_assert(replayed());
	ck_assert_int_eq(readings(), 1);
	/* 25 hours on: forgotten. */
	ck_assert_int_eq(time_format(time_now_ms() - 25 * 3600 * 1000LL, t),
	    ERR_OK);
	snprintf(sql, sizeof(sql), "UPDATE idempotency_keys SET created_at = "
	    "'%s'", t);
	testdb_exec(&tdb, sql);
	post("old", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	ck_assert(!replayed());
	ck_assert_int_eq(readings(), 2);
	/* The old answer is gone, the new one kept. */
	ck_assert_int_eq(keys(), 1);
	post("old", ONE(P1, "72"));
	ck_assert(replayed());
	ck_assert_int_eq(readings(), 2);
	/* Forgotten, a key may carry another body too. */
	testdb_exec(&tdb, sql);
	post("old", ONE(P1, "99"));
	ck_assert_int_eq(w.status, 201);
	ck_assert(!replayed());
	ck_assert_int_eq(readings(), 3);
}
END_TEST

/* A 5xx is no answer to keep: the database busy, a retry runs. */
START_TEST(test_busy_not_kept)
{
	sqlite3		*conn;
	struct buf	 msg;

	buf_init(&msg);
	tdb.conf.db_busy_timeout_ms = 50;
	app_close(&tdb.app);
	ck_assert_int_eq(app_open(&tdb.app, &tdb.conf, &msg), ERR_OK);
	buf_clear(&msg);
	ck_assert_int_eq(sqlite3_open(tdb.path, &conn), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(conn, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	post("busy", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 503);
	ck_assert_str_eq(cj_str(doc, "code"), "unavailable");
	sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(conn);
	post("busy", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	ck_assert(!replayed());
	post("busy", ONE(P1, "72"));
	ck_assert(replayed());
	ck_assert_int_eq(readings(), 1);
}
END_TEST

/* Only the flagged route reads the header; credentials come first. */
START_TEST(test_where)
{
	static struct principal	 who;

	/* Anonymous: 401, nothing kept. */
	resp_reset(&w);
	req_fake(&r, pool, METHOD_POST, "/api/heartrates/");
	r.hdrs[HDR_CONTENT_TYPE] = "application/json";
	r.hdrs[HDR_IDEMPOTENCY_KEY] = "k";
	r.body = ONE(P1, "72");
	r.bodysz = strlen(r.body);
	http_handle(&tdb.app, &r, &w);
	ck_assert_int_eq(w.status, 401);
	ck_assert_int_eq(keys(), 0);
	/* A GET ignores the header, even a malformed one. */
	resp_reset(&w);
	req_fake(&r, pool, METHOD_GET, "/api/heartrates/");
	r.hdrs[HDR_IDEMPOTENCY_KEY] = "";
	who.user_id = U_NURSE;
	who.sid = "s";
	who.role = ROLE_NURSE;
	r.who = &who;
	http_handle(&tdb.app, &r, &w);
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(keys(), 0);
	/* A body that is not JSON is answered before the key is read. */
	post("k", "{");
	ck_assert_int_eq(w.status, 400);
	ck_assert_int_eq(keys(), 0);
	post("k", ONE(P1, "72"));
	ck_assert_int_eq(w.status, 201);
	ck_assert(!replayed());
}
END_TEST

static Suite *
idem_suite(void)
{
	Suite	*s = suite_create("idem");
	TCase	*tc;

	tc = tcase_create("replay");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_replay);
	tcase_add_test(tc, test_replay_batch);
	tcase_add_test(tc, test_mismatch);
	tcase_add_test(tc, test_per_user);
	tcase_add_test(tc, test_400_replayed);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bad_keys);
	tcase_add_test(tc, test_expired);
	tcase_add_test(tc, test_busy_not_kept);
	tcase_add_test(tc, test_where);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(idem_suite());
}
