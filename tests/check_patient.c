/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "db.h"
#include "patient.h"
#include "pool.h"
#include "rfc3339.h"
#include "testutil.h"
#include "user.h"

/*
 * The patients resource through http_handle(), on a real database:
 * validation of every field, each handler, the roles of SPEC section 3,
 * uniqueness, the delete refused while admissions exist, filters,
 * search, ordering and pagination.
 */

#define	ANON		ROLE__MAX	/* no principal: anonymous */
#define	PATIENTS	"/api/patients/"

static struct testdb	 tdb;
static struct pool	*pool;
static struct req	 r;
static struct resp	 w;
static struct principal	 who[ROLE__MAX];
static char		 who_id[ROLE__MAX][40];
static cJSON		*doc;		/* the last answer, parsed */
static int		 phones;	/* makes phone numbers unique */

/* Inserts a user of each role, to sign requests in as. */
static void
users(void)
{
	struct user	 u;
	enum role	 role;

	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	for (role = 0; role < ROLE__MAX; role++) {
		memset(&u, 0, sizeof(u));
		u.email = pool_printf(pool, "%s@ward.test",
		    http_role_str(role));
		u.password = "pbkdf2_sha256$1$salt$hash";
		u.first_name = "Test";
		u.last_name = http_role_str(role);
		u.role = role;
		u.gender = "other";
		u.phone_number = "+4915100000000";
		u.is_active = 1;
		ck_assert_int_eq(user_insert(tdb.app.db, pool, &u), ERR_OK);
		snprintf(who_id[role], sizeof(who_id[role]), "%s", u.id);
		who[role].user_id = who_id[role];
		who[role].sid = "no-session";
		who[role].role = role;
		who[role].by_cookie = 0;
	}
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
}

static void
setup(void)
{

	testdb_open(&tdb);
	ck_assert_ptr_nonnull(pool = pool_new());
	resp_init(&w);
	doc = NULL;
	phones = 0;
	users();
}

static void
teardown(void)
{

	cJSON_Delete(doc);
	doc = NULL;
	resp_clear(&w);
	pool_free(pool);
	testdb_close(&tdb);
}

/*
 * Sends "method" "uri" with the JSON "body" (NULL: none) as "role"
 * (ANON: nobody signed in); parses the answer into "doc" and returns
 * the status.
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
	doc = w.body.len > 0 ? cJSON_ParseWithLength(w.body.p, w.body.len) :
	    NULL;
	return w.status;
}

/* Member "key" of "o" as a string; NULL if absent, null or no string. */
static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
jnull(const cJSON *o, const char *key)
{

	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* Whether the last answer is a 400 whose errors name "field". */
static int
names_field(const char *field)
{
	const cJSON	*errs;

	errs = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	return w.status == 400 && cJSON_IsObject(errs) &&
	    cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(errs, field)) &&
	    strcmp(jstr(doc, "code"), "invalid") == 0;
}

static int
has_header(const char *line)
{

	return strstr(buf_str(&w.headers), line) != NULL;
}

/* The fields every valid body has unless a test says otherwise. */
static const struct {
	const char	*key;
	const char	*val;	/* raw JSON */
} base[] = {
	{ "first_name", "\"Ann\"" },
	{ "last_name", "\"Lee\"" },
	{ "date_of_birth", "\"1980-05-17\"" },
	{ "phone_number", "\"+4915112345678\"" },
};

/*
 * A body of the base fields with "field" set to the raw JSON "raw"
 * (added if it is not a base field), or left out if "raw" is NULL.
 * Pool-owned.
 */
static const char *
body_with(const char *field, const char *raw)
{
	struct buf	 b;
	const char	*out;
	size_t		 i;
	int		 seen = 0;

	buf_init(&b);
	buf_putc(&b, '{');
	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		if (strcmp(base[i].key, field) == 0) {
			seen = 1;
			if (raw == NULL)
				continue;
		}
		buf_printf(&b, "%s\"%s\":%s", b.len > 1 ? "," : "",
		    base[i].key, strcmp(base[i].key, field) == 0 ? raw :
		    base[i].val);
	}
	if (!seen && raw != NULL)
		buf_printf(&b, ",\"%s\":%s", field, raw);
	buf_putc(&b, '}');
	out = pool_strdup(pool, b.p);
	buf_clear(&b);
	return out;
}

/* A base body with a phone number no other patient of the test has. */
static const char *
fresh_body(const char *extra)
{

	phones++;
	return pool_printf(pool, "{\"first_name\":\"Ann\",\"last_name\":"
	    "\"Lee\",\"date_of_birth\":\"1980-05-17\",\"phone_number\":"
	    "\"+4930%07d\"%s%s}", phones, extra != NULL ? "," : "",
	    extra != NULL ? extra : "");
}

/* POSTs "body" as staff (201 asserted); returns the new id. */
static const char *
create(const char *body)
{

	ck_assert_msg(call(METHOD_POST, PATIENTS, body, ROLE_STAFF) == 201,
	    "%d %s", w.status, buf_str(&w.body));
	return pool_strdup(pool, jstr(doc, "id"));
}

static const char *
url(const char *id)
{

	return pool_printf(pool, PATIENTS "%s/", id);
}

/* ------------------------------------------------------ validation */

static const struct {
	const char	*field;
	const char	*raw;	/* NULL: absent */
} invalids[] = {
	{ "first_name", "42" },
	{ "first_name", "\"\"" },
	{ "first_name", "null" },
	{ "first_name", NULL },
	{ "first_name", "true" },
	{ "first_name", "[\"Ann\"]" },
	{ "first_name", "{}" },
	{ "first_name", "1e999" },
	{ "first_name", "-1e400" },
	{ "first_name", "123456789012345678901234567890" },
	{ "first_name", "\"A\\nB\"" },
	{ "first_name", "\"A\\u0000B\"" },
	{ "last_name", "42" },
	{ "last_name", "\"\"" },
	{ "last_name", NULL },
	{ "gender", "\"unknown\"" },
	{ "gender", "\"Male\"" },
	{ "gender", "null" },
	{ "gender", "1" },
	{ "date_of_birth", "\"2023-02-29\"" },
	{ "date_of_birth", "\"2024-02-30\"" },
	{ "date_of_birth", "\"2999-01-01\"" },
	{ "date_of_birth", "\"2024-1-1\"" },
	{ "date_of_birth", "\"2024-13-01\"" },
	{ "date_of_birth", "\"2024-00-10\"" },
	{ "date_of_birth", "\"17/05/1980\"" },
	{ "date_of_birth", "\"1980-05-17T00:00:00Z\"" },
	{ "date_of_birth", "\" 1980-05-17\"" },
	{ "date_of_birth", "\"\"" },
	{ "date_of_birth", "19800517" },
	{ "date_of_birth", NULL },
	{ "phone_number", "\"12-34\"" },
	{ "phone_number", "\"123456\"" },
	{ "phone_number", "\"1234567890123456\"" },
	{ "phone_number", "\"+\"" },
	{ "phone_number", "\"++1234567\"" },
	{ "phone_number", "\"12 345 678\"" },
	{ "phone_number", "\"'; DROP TABLE patients; --\"" },
	{ "phone_number", "4915112345678" },
	{ "phone_number", NULL },
	{ "email", "\"not-an-email\"" },
	{ "email", "\"a@\"" },
	{ "email", "\"@b.test\"" },
	{ "email", "\"a b@c.test\"" },
	{ "email", "\"\"" },
	{ "email", "42" },
	{ "medical_record_number", "\"\"" },
	{ "medical_record_number", "42" },
	{ "medical_record_number", "\"12345678901234567890123456789012345"
	    "678901234567890123456789012345\"" },
	{ "address_line_1", "42" },
	{ "address_line_2", "false" },
	{ "city", "\"Ber\\rlin\"" },
	{ "state", "[]" },
	{ "country", "0.5" },
};

START_TEST(test_invalid)
{
	const char	*field = invalids[_i].field;

	call(METHOD_POST, PATIENTS, body_with(field, invalids[_i].raw),
	    ROLE_STAFF);
	ck_assert_msg(names_field(field), "%s=%s: %d %s", field,
	    invalids[_i].raw != NULL ? invalids[_i].raw : "(absent)",
	    w.status, buf_str(&w.body));
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 0);
}
END_TEST

static const struct {
	const char	*field;
	const char	*raw;
	const char	*want;	/* as stored and answered; NULL: null */
} valids[] = {
	{ "gender", "\"female\"", "female" },
	{ "gender", "\"male\"", "male" },
	{ "gender", NULL, "other" },
	{ "email", NULL, NULL },
	{ "email", "null", NULL },
	{ "email", "\"ann.lee@clinic.test\"", "ann.lee@clinic.test" },
	{ "medical_record_number", NULL, NULL },
	{ "medical_record_number", "\"MRN-0001\"", "MRN-0001" },
	{ "address_line_2", NULL, NULL },
	{ "address_line_2", "\"\"", "" },
	{ "date_of_birth", "\"2024-02-29\"", "2024-02-29" },
	{ "date_of_birth", "\"1900-01-01\"", "1900-01-01" },
	{ "phone_number", "\"1234567\"", "1234567" },
	{ "phone_number", "\"+123456789012345\"", "+123456789012345" },
	{ "first_name", "\"Zo\\u00eb\"", "Zo\xc3\xab" },
	{ "first_name", "\"'; DROP TABLE patients; --\"",
	    "'; DROP TABLE patients; --" },
	{ "last_name", "\"Robert\\\"); DELETE FROM patients WHERE (\\\"1\"",
	    "Robert\"); DELETE FROM patients WHERE (\"1" },
	{ "city", "\"%_\\\\\"", "%_\\" },
	{ "country", "\"<script>alert(1)</script>\"",
	    "<script>alert(1)</script>" },
	/* Read-only and unknown fields are ignored. */
	{ "id", "\"00000000-0000-7000-8000-000000000000\"", NULL },
	{ "created_at", "\"1999-01-01T00:00:00.000Z\"", NULL },
	{ "updated_at", "42", NULL },
	{ "shoe_size", "44", NULL },
};

START_TEST(test_valid)
{
	const char	*field = valids[_i].field, *id, *got;
	cJSON		*first;

	id = create(body_with(field, valids[_i].raw));
	ck_assert(has_header(pool_printf(pool, "Location: /api/patients/%s/"
	    "\r\n", id)));
	ck_assert_str_eq(w.content_type, "application/json");
	if (strcmp(field, "id") == 0 || strcmp(field, "created_at") == 0 ||
	    strcmp(field, "updated_at") == 0 ||
	    strcmp(field, "shoe_size") == 0) {
		ck_assert_str_ne(id, "00000000-0000-7000-8000-000000000000");
		ck_assert_str_ne(jstr(doc, "created_at"),
		    "1999-01-01T00:00:00.000Z");
		ck_assert_str_eq(jstr(doc, "created_at"),
		    jstr(doc, "updated_at"));
		ck_assert(cJSON_GetObjectItem(doc, "shoe_size") == NULL);
	} else if (valids[_i].want == NULL)
		ck_assert_msg(jnull(doc, field), "%s", buf_str(&w.body));
	else
		ck_assert_str_eq(jstr(doc, field), valids[_i].want);
	/* What was answered is what is stored. */
	first = doc;
	doc = NULL;
	ck_assert_int_eq(call(METHOD_GET, url(id), NULL, ROLE_NURSE), 200);
	ck_assert(cJSON_Compare(first, doc, 1));
	cJSON_Delete(first);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 1);
	got = jstr(doc, "id");
	ck_assert_int_eq(strlen(got), 36);
}
END_TEST

START_TEST(test_answer_fields)
{
	static const char *const fields[] = { "id", "first_name",
	    "last_name", "gender", "date_of_birth", "phone_number", "email",
	    "address_line_1", "address_line_2", "city", "state", "country",
	    "medical_record_number", "created_at", "updated_at" };
	const cJSON	*c;
	size_t		 i, n = 0;

	create(body_with("gender", NULL));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		ck_assert_msg(cJSON_GetObjectItemCaseSensitive(doc,
		    fields[i]) != NULL, "%s", fields[i]);
	cJSON_ArrayForEach(c, doc)
		n++;
	ck_assert_int_eq(n, sizeof(fields) / sizeof(fields[0]));
	/* SPEC 7.13: absent optional fields are null. */
	ck_assert(jnull(doc, "email"));
	ck_assert(jnull(doc, "medical_record_number"));
	ck_assert(jnull(doc, "address_line_2"));
	ck_assert_str_eq(jstr(doc, "gender"), "other");
	ck_assert_int_eq(strlen(jstr(doc, "created_at")), RFC3339_STRLEN);
}
END_TEST

START_TEST(test_names_length)
{
	char	 name[152], umlauts[303];
	size_t	 i;

	memset(name, 'a', 150);
	name[150] = '\0';
	create(body_with("first_name", pool_printf(pool, "\"%s\"", name)));
	ck_assert_str_eq(jstr(doc, "first_name"), name);
	memset(name, 'b', 151);
	name[151] = '\0';
	call(METHOD_POST, PATIENTS, body_with("last_name",
	    pool_printf(pool, "\"%s\"", name)), ROLE_STAFF);
	ck_assert(names_field("last_name"));
	/* Characters are counted, not bytes: 150 times "ö" (300 bytes). */
	for (i = 0; i < 151; i++)
		memcpy(umlauts + 2 * i, "\xc3\xb6", 2);
	umlauts[300] = '\0';
	create(fresh_body(pool_printf(pool, "\"city\":\"%s\"", umlauts)));
	ck_assert_str_eq(jstr(doc, "city"), umlauts);
	umlauts[300] = '\xc3';	/* 151 of them are too many */
	umlauts[302] = '\0';
	call(METHOD_POST, PATIENTS, body_with("last_name", pool_printf(pool,
	    "\"%s\"", umlauts)), ROLE_STAFF);
	ck_assert(names_field("last_name"));
}
END_TEST

START_TEST(test_dob_today_and_tomorrow)
{
	char		 today[RFC3339_STRLEN + 1];
	char		 tomorrow[RFC3339_STRLEN + 1];
	int64_t		 now = time_now_ms();

	ck_assert_int_eq(time_format(now, today), ERR_OK);
	ck_assert_int_eq(time_format(now + 24 * 3600 * 1000LL, tomorrow),
	    ERR_OK);
	today[10] = tomorrow[10] = '\0';
	create(body_with("date_of_birth", pool_printf(pool, "\"%s\"",
	    today)));
	ck_assert_str_eq(jstr(doc, "date_of_birth"), today);
	call(METHOD_POST, PATIENTS, body_with("date_of_birth",
	    pool_printf(pool, "\"%s\"", tomorrow)), ROLE_STAFF);
	ck_assert(names_field("date_of_birth"));
}
END_TEST

START_TEST(test_bad_bodies)
{

	/* Not an object, no body, broken JSON, NaN: 400, nothing stored. */
	ck_assert_int_eq(call(METHOD_POST, PATIENTS, "[]", ROLE_STAFF), 400);
	ck_assert(names_field("non_field_errors"));
	ck_assert_int_eq(call(METHOD_POST, PATIENTS, NULL, ROLE_STAFF), 400);
	ck_assert_int_eq(call(METHOD_POST, PATIENTS, "{\"first_name\":",
	    ROLE_STAFF), 400);
	ck_assert_int_eq(call(METHOD_POST, PATIENTS, "{\"first_name\":NaN}",
	    ROLE_STAFF), 400);
	ck_assert_int_eq(call(METHOD_POST, PATIENTS, "{\"first_name\":1,"
	    "\"first_name\":\"Ann\"}", ROLE_STAFF), 400);
	/* Every bad field is named at once. */
	call(METHOD_POST, PATIENTS, "{\"first_name\":42,\"gender\":\"x\"}",
	    ROLE_STAFF);
	ck_assert(names_field("first_name"));
	ck_assert(names_field("last_name"));
	ck_assert(names_field("gender"));
	ck_assert(names_field("date_of_birth"));
	ck_assert(names_field("phone_number"));
	/* A body that is not JSON: 415. */
	resp_reset(&w);
	req_fake(&r, pool, METHOD_POST, PATIENTS);
	r.hdrs[HDR_CONTENT_TYPE] = "text/plain";
	r.body = "first_name=Ann";
	r.bodysz = strlen(r.body);
	r.who = &who[ROLE_STAFF];
	http_handle(&tdb.app, &r, &w);
	ck_assert_int_eq(w.status, 415);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 0);
}
END_TEST

/* -------------------------------------------------------- handlers */

START_TEST(test_read)
{
	const char	*id;

	id = create(fresh_body("\"city\":\"Berlin\""));
	ck_assert_int_eq(call(METHOD_GET, url(id), NULL, ROLE_DOCTOR), 200);
	ck_assert_str_eq(jstr(doc, "id"), id);
	ck_assert_str_eq(jstr(doc, "city"), "Berlin");
	ck_assert(has_header("Cache-Control: no-store\r\n"));
	ck_assert_int_eq(call(METHOD_HEAD, url(id), NULL, ROLE_DOCTOR), 200);
	ck_assert_int_eq(w.body.len, 0);
}
END_TEST

START_TEST(test_not_found)
{
	static const char *const bad[] = { "not-a-uuid",
	    "0190ABCD-0000-7000-8000-000000000000",
	    "0190abcd-0000-7000-8000-00000000000",
	    "0190abcd-0000-7000-8000-000000000000",
	    "'%20OR%201=1%20--", "0190abcd-0000-7000-8000-00000000000%25" };
	static const enum method methods[] = { METHOD_GET, METHOD_PUT,
	    METHOD_PATCH, METHOD_DELETE };
	const char	*body;
	size_t		 i, m;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			body = methods[m] == METHOD_PUT ||
			    methods[m] == METHOD_PATCH ? fresh_body(NULL) :
			    NULL;
			call(methods[m], url(bad[i]), body, ROLE_ADMIN);
			ck_assert_msg(w.status == 404, "%s %s: %d",
			    http_method_str(methods[m]), bad[i], w.status);
			ck_assert_str_eq(jstr(doc, "code"), "not_found");
		}
	/* Without the slash: 404 naming the route; POST on one: 405. */
	ck_assert_int_eq(call(METHOD_GET, "/api/patients", NULL, ROLE_ADMIN),
	    404);
	ck_assert_int_eq(call(METHOD_POST, url(bad[3]), fresh_body(NULL),
	    ROLE_ADMIN), 405);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 0);
}
END_TEST

START_TEST(test_put_replaces)
{
	const char	*id, *created;

	id = create(fresh_body("\"gender\":\"female\",\"email\":\"a@b.test\","
	    "\"city\":\"Berlin\",\"medical_record_number\":\"M1\""));
	created = pool_strdup(pool, jstr(doc, "created_at"));
	ck_assert_int_eq(call(METHOD_PUT, url(id), "{\"first_name\":\"Bo\","
	    "\"last_name\":\"Kim\",\"date_of_birth\":\"1990-01-02\","
	    "\"phone_number\":\"7654321\",\"id\":\"x\",\"created_at\":\"y\"}",
	    ROLE_ADMIN), 200);
	ck_assert_str_eq(jstr(doc, "id"), id);
	ck_assert_str_eq(jstr(doc, "first_name"), "Bo");
	ck_assert_str_eq(jstr(doc, "gender"), "other");
	ck_assert(jnull(doc, "email"));
	ck_assert(jnull(doc, "city"));
	ck_assert(jnull(doc, "medical_record_number"));
	ck_assert_str_eq(jstr(doc, "created_at"), created);
	ck_assert(strcmp(jstr(doc, "updated_at"), created) >= 0);
	ck_assert_int_eq(call(METHOD_GET, url(id), NULL, ROLE_NURSE), 200);
	ck_assert_str_eq(jstr(doc, "phone_number"), "7654321");
	ck_assert(jnull(doc, "email"));
	/* Required fields are required; nothing changes on a 400. */
	call(METHOD_PUT, url(id), "{\"first_name\":\"Cy\"}", ROLE_STAFF);
	ck_assert(names_field("last_name"));
	ck_assert(names_field("date_of_birth"));
	ck_assert(names_field("phone_number"));
	ck_assert_int_eq(call(METHOD_GET, url(id), NULL, ROLE_NURSE), 200);
	ck_assert_str_eq(jstr(doc, "first_name"), "Bo");
	/* An unknown id: 404, before the body is looked at. */
	ck_assert_int_eq(call(METHOD_PUT,
	    url("0190abcd-0000-7000-8000-000000000000"), "{}", ROLE_STAFF),
	    404);
}
END_TEST

START_TEST(test_patch_partial)
{
	const char	*id;

	id = create(fresh_body("\"email\":\"a@b.test\",\"city\":\"Berlin\""));
	ck_assert_int_eq(call(METHOD_PATCH, url(id), "{\"city\":\"Paris\"}",
	    ROLE_STAFF), 200);
	ck_assert_str_eq(jstr(doc, "city"), "Paris");
	ck_assert_str_eq(jstr(doc, "email"), "a@b.test");
	ck_assert_str_eq(jstr(doc, "first_name"), "Ann");
	ck_assert_int_eq(call(METHOD_PATCH, url(id), "{\"email\":null,"
	    "\"id\":\"0190abcd-0000-7000-8000-000000000000\"}", ROLE_ADMIN),
	    200);
	ck_assert(jnull(doc, "email"));
	ck_assert_str_eq(jstr(doc, "id"), id);
	ck_assert_int_eq(call(METHOD_PATCH, url(id), "{}", ROLE_ADMIN), 200);
	ck_assert_str_eq(jstr(doc, "city"), "Paris");
	/* A required field may not be emptied; bad values are named. */
	call(METHOD_PATCH, url(id), "{\"first_name\":null}", ROLE_STAFF);
	ck_assert(names_field("first_name"));
	call(METHOD_PATCH, url(id), "{\"gender\":null}", ROLE_STAFF);
	ck_assert(names_field("gender"));
	call(METHOD_PATCH, url(id), "{\"date_of_birth\":\"2023-02-29\","
	    "\"city\":\"Rome\"}", ROLE_STAFF);
	ck_assert(names_field("date_of_birth"));
	ck_assert_int_eq(call(METHOD_GET, url(id), NULL, ROLE_NURSE), 200);
	ck_assert_str_eq(jstr(doc, "city"), "Paris");
	ck_assert_str_eq(jstr(doc, "first_name"), "Ann");
	ck_assert_int_eq(call(METHOD_PATCH, url(id), NULL, ROLE_STAFF), 400);
}
END_TEST

START_TEST(test_delete)
{
	const char	*id;

	id = create(fresh_body(NULL));
	ck_assert_int_eq(call(METHOD_DELETE, url(id), NULL, ROLE_STAFF), 204);
	ck_assert_int_eq(w.body.len, 0);
	ck_assert_int_eq(call(METHOD_GET, url(id), NULL, ROLE_STAFF), 404);
	ck_assert_int_eq(call(METHOD_DELETE, url(id), NULL, ROLE_STAFF), 404);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 0);
}
END_TEST

START_TEST(test_delete_admitted)
{
	const char	*id;

	id = create(fresh_body(NULL));
	testdb_exec(&tdb, "INSERT INTO devices (id, serial_number, model_name, "
	    "created_at) VALUES ('00000000-0000-7000-8000-0000000000d1', "
	    "'SN-1', 'M', '2026-01-01T00:00:00.000Z')");
	testdb_exec(&tdb, pool_printf(pool, "INSERT INTO admissions (id, patient_id, "
	    "device_id, admission_date) VALUES ("
	    "'00000000-0000-7000-8000-0000000000a1', '%s', "
	    "'00000000-0000-7000-8000-0000000000d1', "
	    "'2026-01-01T00:00:00.000Z')", id));
	ck_assert_int_eq(call(METHOD_DELETE, url(id), NULL, ROLE_ADMIN), 409);
	ck_assert_str_eq(jstr(doc, "code"), "conflict");
	ck_assert_str_eq(w.content_type, "application/problem+json");
	/* A closed admission is history too: still kept. */
	testdb_exec(&tdb, "UPDATE admissions SET is_discharged = 1, discharge_date = "
	    "'2026-01-02T00:00:00.000Z'");
	ck_assert_int_eq(call(METHOD_DELETE, url(id), NULL, ROLE_STAFF), 409);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 1);
	ck_assert_int_eq(call(METHOD_GET, url(id), NULL, ROLE_STAFF), 200);
}
END_TEST

/* ---------------------------------------------------------- unique */

START_TEST(test_unique)
{
	const char	*a, *b;

	a = create("{\"first_name\":\"A\",\"last_name\":\"A\","
	    "\"date_of_birth\":\"1980-01-01\",\"phone_number\":\"1111111\","
	    "\"email\":\"ann@x.test\",\"medical_record_number\":\"M-1\"}");
	call(METHOD_POST, PATIENTS, "{\"first_name\":\"B\",\"last_name\":\"B\","
	    "\"date_of_birth\":\"1980-01-01\",\"phone_number\":\"1111111\"}",
	    ROLE_STAFF);
	ck_assert(names_field("phone_number"));
	ck_assert(!names_field("email"));
	call(METHOD_POST, PATIENTS, "{\"first_name\":\"B\",\"last_name\":\"B\","
	    "\"date_of_birth\":\"1980-01-01\",\"phone_number\":\"2222222\","
	    "\"email\":\"ANN@X.test\"}", ROLE_STAFF);
	ck_assert(names_field("email"));
	ck_assert(!names_field("phone_number"));
	call(METHOD_POST, PATIENTS, "{\"first_name\":\"B\",\"last_name\":\"B\","
	    "\"date_of_birth\":\"1980-01-01\",\"phone_number\":\"1111111\","
	    "\"email\":\"ann@x.test\",\"medical_record_number\":\"M-1\"}",
	    ROLE_STAFF);
	ck_assert(names_field("phone_number"));
	ck_assert(names_field("email"));
	ck_assert(names_field("medical_record_number"));
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 1);
	/* Updates: another's value is taken, one's own is not. */
	b = create("{\"first_name\":\"B\",\"last_name\":\"B\","
	    "\"date_of_birth\":\"1980-01-01\",\"phone_number\":\"2222222\"}");
	call(METHOD_PATCH, url(b), "{\"medical_record_number\":\"M-1\"}",
	    ROLE_STAFF);
	ck_assert(names_field("medical_record_number"));
	ck_assert_int_eq(call(METHOD_PATCH, url(a), "{\"phone_number\":"
	    "\"1111111\",\"email\":\"Ann@x.test\"}", ROLE_STAFF), 200);
	ck_assert_int_eq(call(METHOD_PUT, url(b), "{\"first_name\":\"B\","
	    "\"last_name\":\"B\",\"date_of_birth\":\"1980-01-01\","
	    "\"phone_number\":\"1111111\"}", ROLE_STAFF), 400);
	ck_assert(names_field("phone_number"));
	/* Nulls are never duplicates of each other. */
	ck_assert_int_eq(call(METHOD_PATCH, url(a), "{\"email\":null,"
	    "\"medical_record_number\":null}", ROLE_STAFF), 200);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients WHERE "
	    "email IS NULL AND medical_record_number IS NULL"), 2);
}
END_TEST

/* The storage refuses a duplicate even without the handler's check. */
START_TEST(test_unique_storage)
{
	struct patient	 p, q;
	unsigned int	 taken;

	memset(&p, 0, sizeof(p));
	p.first_name = p.last_name = "X";
	p.gender = "other";
	p.date_of_birth = "1980-01-01";
	p.phone_number = "5555555";
	p.email = "x@y.test";
	q = p;
	ck_assert_int_eq(db_begin(tdb.app.db), ERR_OK);
	ck_assert_int_eq(patient_insert(tdb.app.db, pool, &p), ERR_OK);
	ck_assert_int_eq(patient_insert(tdb.app.db, pool, &q), ERR_CONFLICT);
	q.id = NULL;
	ck_assert_int_eq(patient_taken(tdb.app.db, &q, &taken), ERR_OK);
	ck_assert_uint_eq(taken, PATIENT_TAKEN_PHONE | PATIENT_TAKEN_EMAIL);
	ck_assert_int_eq(patient_taken(tdb.app.db, &p, &taken), ERR_OK);
	ck_assert_uint_eq(taken, 0);
	ck_assert_int_eq(db_commit(tdb.app.db), ERR_OK);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 1);
}
END_TEST

/* ----------------------------------------------------------- roles */

enum	action { A_LIST, A_READ, A_CREATE, A_PUT, A_PATCH, A_DELETE, A__MAX };

/* SPEC section 3: admin, staff, doctor, nurse, anonymous. */
static const int matrix[ROLE__MAX + 1][A__MAX] = {
	{ 200, 200, 201, 200, 200, 204 },	/* ROLE_ADMIN */
	{ 200, 200, 201, 200, 200, 204 },	/* ROLE_STAFF */
	{ 200, 200, 403, 403, 403, 403 },	/* ROLE_DOCTOR */
	{ 200, 200, 403, 403, 403, 403 },	/* ROLE_NURSE */
	{ 401, 401, 401, 401, 401, 401 },	/* anonymous */
};

START_TEST(test_roles)
{
	enum role	 role = (enum role)_i;
	const char	*id;
	enum action	 a;
	int		 got = 0;

	for (a = 0; a < A__MAX; a++) {
		id = create(fresh_body(NULL));
		switch (a) {
		case A_LIST:
			got = call(METHOD_GET, PATIENTS, NULL, role);
			break;
		case A_READ:
			got = call(METHOD_GET, url(id), NULL, role);
			break;
		case A_CREATE:
			got = call(METHOD_POST, PATIENTS, fresh_body(NULL),
			    role);
			break;
		case A_PUT:
			got = call(METHOD_PUT, url(id), fresh_body(NULL), role);
			break;
		case A_PATCH:
			got = call(METHOD_PATCH, url(id), "{\"city\":\"X\"}",
			    role);
			break;
		default:
			got = call(METHOD_DELETE, url(id), NULL, role);
			break;
		}
		ck_assert_msg(got == matrix[role][a], "role %d action %d: %d",
		    role, a, got);
		if (got == 403)
			ck_assert_str_eq(jstr(doc, "code"),
			    "permission_denied");
		if (got == 401)
			ck_assert_str_eq(jstr(doc, "code"),
			    "not_authenticated");
	}
	if (matrix[role][A_CREATE] != 201)
		ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients WHERE "
		    "city IS NOT NULL"), 0);
}
END_TEST

START_TEST(test_csrf)
{
	struct principal	 cookie = who[ROLE_STAFF];

	cookie.by_cookie = 1;
	resp_reset(&w);
	req_fake(&r, pool, METHOD_POST, PATIENTS);
	r.hdrs[HDR_CONTENT_TYPE] = "application/json";
	r.body = fresh_body(NULL);
	r.bodysz = strlen(r.body);
	r.who = &cookie;
	http_handle(&tdb.app, &r, &w);
	ck_assert_int_eq(w.status, 403);
	ck_assert(strstr(buf_str(&w.body), "\"code\":\"csrf_failed\"") != NULL);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 0);
	/* Reading needs none. */
	resp_reset(&w);
	req_fake(&r, pool, METHOD_GET, PATIENTS);
	r.who = &cookie;
	http_handle(&tdb.app, &r, &w);
	ck_assert_int_eq(w.status, 200);
}
END_TEST

/* ------------------------------------------------------------ list */

/* The ids of the results of the last list answer, in order. */
static size_t
result_ids(const char **ids, size_t max)
{
	const cJSON	*res, *c;
	size_t		 n = 0;

	res = cJSON_GetObjectItemCaseSensitive(doc, "results");
	ck_assert(cJSON_IsArray(res));
	cJSON_ArrayForEach(c, res) {
		ck_assert(n < max);
		ids[n++] = pool_strdup(pool, jstr(c, "id"));
	}
	return n;
}

static long
list_count(void)
{
	const cJSON	*c = cJSON_GetObjectItemCaseSensitive(doc, "count");

	ck_assert(cJSON_IsNumber(c));
	return (long)c->valuedouble;
}

/* The orderings and the order of patients 0 to 3 of test_ordering. */
static const struct {
	const char	*query;
	size_t		 want[4];
} orderings[] = {
	{ "", { 1, 3, 0, 2 } },
	{ "?ordering=first_name", { 1, 3, 0, 2 } },
	{ "?ordering=-first_name", { 2, 0, 3, 1 } },
	{ "?ordering=last_name", { 2, 3, 1, 0 } },
	{ "?ordering=-last_name", { 0, 1, 3, 2 } },
	{ "?ordering=date_of_birth", { 1, 3, 0, 2 } },
	{ "?ordering=-date_of_birth", { 2, 0, 3, 1 } },
	{ "?ordering=created_at", { 0, 1, 2, 3 } },
	{ "?ordering=-created_at", { 3, 2, 1, 0 } },
	{ "?ordering=", { 1, 3, 0, 2 } },
};

START_TEST(test_ordering)
{
	static const char *const people[4] = {
	    "\"first_name\":\"Bea\",\"last_name\":\"Zed\","
	    "\"date_of_birth\":\"1990-01-01\"",
	    "\"first_name\":\"Ann\",\"last_name\":\"Young\","
	    "\"date_of_birth\":\"1970-06-15\"",
	    "\"first_name\":\"Cid\",\"last_name\":\"Abel\","
	    "\"date_of_birth\":\"2000-12-31\"",
	    /* ties with 1 on first_name: broken by id */
	    "\"first_name\":\"Ann\",\"last_name\":\"Xu\","
	    "\"date_of_birth\":\"1985-03-03\"" };
	const char	*ids[4], *got[8];
	size_t		 i, n;

	for (i = 0; i < 4; i++) {
		phones++;
		ids[i] = create(pool_printf(pool, "{%s,\"phone_number\":"
		    "\"+4930%07d\"}", people[i], phones));
	}
	ck_assert_int_eq(call(METHOD_GET, pool_printf(pool, PATIENTS "%s",
	    orderings[_i].query), NULL, ROLE_NURSE), 200);
	ck_assert_int_eq(list_count(), 4);
	n = result_ids(got, 8);
	ck_assert_int_eq(n, 4);
	for (i = 0; i < 4; i++)
		ck_assert_msg(strcmp(got[i], ids[orderings[_i].want[i]]) == 0,
		    "%s: position %zu", orderings[_i].query, i);
}
END_TEST

START_TEST(test_bad_ordering)
{
	static const char *const bad[] = { "age", "id", "FIRST_NAME",
	    "first_name,last_name", "--first_name", "-", "first_name%20",
	    "'; DROP TABLE patients; --", "date_of_birth;" };
	size_t	 i;

	create(fresh_body(NULL));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call(METHOD_GET, pool_printf(pool, PATIENTS "?ordering=%s",
		    bad[i]), NULL, ROLE_DOCTOR);
		ck_assert_msg(names_field("ordering"), "%s: %d", bad[i],
		    w.status);
	}
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 1);
}
END_TEST

/* Patients for the filter tests; "C" has LIKE's wildcards in it. */
static void
filter_people(const char **a, const char **b, const char **c)
{

	*a = create("{\"first_name\":\"Ann\",\"last_name\":\"Lee\","
	    "\"date_of_birth\":\"1980-01-01\",\"phone_number\":\"+491111111\","
	    "\"email\":\"ann@x.test\",\"medical_record_number\":\"MRN-001\","
	    "\"city\":\"Berlin\",\"state\":\"BE\",\"country\":\"Germany\"}");
	*b = create("{\"first_name\":\"Bob\",\"last_name\":\"Ray\","
	    "\"date_of_birth\":\"1980-01-01\",\"phone_number\":\"+492222222\","
	    "\"city\":\"Berlin Mitte\",\"state\":\"BE\",\"country\":"
	    "\"Germany\"}");
	*c = create("{\"first_name\":\"Zo\\u00eb\",\"last_name\":\"O'Brien\","
	    "\"date_of_birth\":\"1980-01-01\",\"phone_number\":\"+333333333\","
	    "\"email\":\"c_d@y.test\",\"medical_record_number\":\"100%\","
	    "\"city\":\"Paris\",\"country\":\"France\"}");
}

/* GETs the list with "query"; asserts 200 and returns the count. */
static long
list(const char *query)
{

	ck_assert_msg(call(METHOD_GET, pool_printf(pool, PATIENTS "?%s",
	    query), NULL, ROLE_NURSE) == 200, "%s: %d %s", query, w.status,
	    buf_str(&w.body));
	return list_count();
}

START_TEST(test_filters)
{
	const char	*a, *b, *c, *got[4];

	filter_people(&a, &b, &c);
	ck_assert_int_eq(list("city=BERLIN"), 1);
	result_ids(got, 4);
	ck_assert_str_eq(got[0], a);
	ck_assert_int_eq(list("city=berlin%20mitte"), 1);
	ck_assert_int_eq(list("city=Berl"), 0);
	ck_assert_int_eq(list("state=be"), 2);
	ck_assert_int_eq(list("country=FRANCE"), 1);
	result_ids(got, 4);
	ck_assert_str_eq(got[0], c);
	ck_assert_int_eq(list("country=germany&city=berlin"), 1);
	ck_assert_int_eq(list("city=Paris&search=ann"), 0);
	/* Empty values and unknown parameters are ignored. */
	ck_assert_int_eq(list("city=&state=&country=&search=&x=1"), 3);
	ck_assert_int_eq(list("city=%27%3B%20DROP%20TABLE%20patients%3B%20--"),
	    0);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 3);
	(void)b;
}
END_TEST

static const struct {
	const char	*search;	/* as in the query string */
	int		 a, b, c;	/* whether each patient matches */
} searches[] = {
	{ "ann", 1, 0, 0 },		/* first name, any case */
	{ "LEE", 1, 0, 0 },		/* last name */
	{ "x.test", 1, 0, 0 },		/* email */
	{ "2222", 0, 1, 0 },		/* phone */
	{ "%2B49", 1, 1, 0 },		/* "+49" */
	{ "mrn-0", 1, 0, 0 },		/* record number */
	{ "o%27b", 0, 0, 1 },		/* "o'b" */
	{ "%25", 0, 0, 1 },		/* "%" only where it is */
	{ "_", 0, 0, 1 },		/* "_" only where it is */
	{ "%5C", 0, 0, 0 },		/* a backslash */
	{ "e", 1, 0, 1 },
	{ "Zo%C3%AB", 0, 0, 1 },
	{ "%27%3B%20DROP%20TABLE%20patients%3B%20--", 0, 0, 0 },
	{ "nobody", 0, 0, 0 },
	/* From three characters the trigram index answers (sql/006). */
	{ "ZO%C3%AB", 0, 0, 1 },	/* ASCII letters in any case */
	{ "zo%C3%8B", 0, 0, 0 },	/* others as they are, as LIKE */
	{ "O%27BRIEN", 0, 0, 1 },
	{ "100%25", 0, 0, 1 },
	{ "c_d", 0, 0, 1 },
	{ "c%25d", 0, 0, 0 },
	{ "%22bob", 0, 0, 0 },		/* a double quote, FTS5's quote */
	{ "b%22%22", 0, 0, 0 },
	{ "bob%20OR%20ann", 0, 0, 0 },	/* no FTS5 syntax */
	{ "ann*", 0, 0, 0 },
	{ "mrn-001", 1, 0, 0 },
	{ "%2B4911", 1, 0, 0 },
	{ "ray", 0, 1, 0 },
	{ "@", 1, 0, 1 },
};

START_TEST(test_search)
{
	const char	*a, *b, *c, *got[4];
	size_t		 i, n;
	int		 seen[3] = { 0, 0, 0 };

	filter_people(&a, &b, &c);
	ck_assert_int_eq(list(pool_printf(pool, "search=%s",
	    searches[_i].search)), searches[_i].a + searches[_i].b +
	    searches[_i].c);
	n = result_ids(got, 4);
	for (i = 0; i < n; i++) {
		seen[0] |= strcmp(got[i], a) == 0;
		seen[1] |= strcmp(got[i], b) == 0;
		seen[2] |= strcmp(got[i], c) == 0;
	}
	ck_assert_int_eq(seen[0], searches[_i].a);
	ck_assert_int_eq(seen[1], searches[_i].b);
	ck_assert_int_eq(seen[2], searches[_i].c);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM patients"), 3);
}
END_TEST

/* 105 patients straight into the table, P001 to P105 by first name. */
static void
many(void)
{

	testdb_exec(&tdb, "INSERT INTO patients (id, first_name, last_name, gender, "
	    "date_of_birth, phone_number, city, created_at, updated_at) "
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
	    "WHERE i < 105) SELECT printf('00000000-0000-7000-8000-%012d', i), "
	    "printf('P%03d', i), 'L', 'other', '1980-01-01', "
	    "printf('+49%09d', i), CASE WHEN i % 2 THEN 'Odd' ELSE 'Even' END, "
	    "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n");
}

START_TEST(test_pages)
{
	static const char *const bad[] = { "page=0", "page=-1", "page=last",
	    "page=1.5", "page=7", "page=100" };
	const char	*got[100];
	size_t		 i;

	many();
	ck_assert_int_eq(list(""), 105);
	ck_assert_int_eq(result_ids(got, 100), 20);
	ck_assert_str_eq(jstr(doc, "next"), "https://hm.test/api/patients/"
	    "?page=2");
	ck_assert(jnull(doc, "previous"));
	ck_assert_int_eq(list("page=6"), 105);
	ck_assert_int_eq(result_ids(got, 100), 5);
	ck_assert(jnull(doc, "next"));
	ck_assert_str_eq(jstr(doc, "previous"), "https://hm.test/api/patients/"
	    "?page=5");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		call(METHOD_GET, pool_printf(pool, PATIENTS "?%s", bad[i]),
		    NULL, ROLE_DOCTOR);
		ck_assert_msg(w.status == 404, "%s: %d", bad[i], w.status);
		ck_assert_str_eq(jstr(doc, "code"), "not_found");
	}
	/* page_size over 100 is clamped. */
	ck_assert_int_eq(list("page_size=1000"), 105);
	ck_assert_int_eq(result_ids(got, 100), 100);
	ck_assert_str_eq(got[0], "00000000-0000-7000-8000-000000000001");
	ck_assert_str_eq(got[99], "00000000-0000-7000-8000-000000000100");
	ck_assert_str_eq(jstr(doc, "next"), "https://hm.test/api/patients/"
	    "?page_size=1000&page=2");
	ck_assert_int_eq(list("page_size=1000&page=2"), 105);
	ck_assert_int_eq(result_ids(got, 100), 5);
	call(METHOD_GET, PATIENTS "?page_size=abc", NULL, ROLE_DOCTOR);
	ck_assert(names_field("page_size"));
}
END_TEST

/*
 * A search of many() by the service against the LIKE it stands for:
 * each page in each plan (the search index's hits, the walk of the
 * ordering's index with LIKE, LIKE alone for a short term, with and
 * without another filter) holds what LIKE over the five fields gives.
 */
static const struct {
	const char	*query;		/* after "search=" */
	const char	*like;		/* the term in SQL */
	const char	*city;		/* NULL: any */
	const char	*order;		/* "ordering" and its SQL */
	const char	*order_sql;
	int		 size, page;
} plans[] = {
	{ "p01", "p01", NULL, "first_name", "first_name, id", 4, 2 },
	{ "P01", "p01", NULL, "-created_at", "created_at DESC, id DESC", 4, 3 },
	{ "p01", "p01", "odd", "last_name", "last_name, id", 2, 2 },
	{ "%2B49", "+49", NULL, "first_name", "first_name, id", 20, 1 },
	{ "%2B49", "+49", NULL, "-first_name", "first_name DESC, id DESC",
	    20, 6 },
	{ "%2B49", "+49", "even", "date_of_birth", "date_of_birth, id",
	    10, 3 },
	{ "00000001", "00000001", NULL, "first_name", "first_name, id", 5, 1 },
	{ "P1", "P1", NULL, "first_name", "first_name, id", 3, 2 },
	{ "P1", "P1", "odd", "-last_name", "last_name DESC, id DESC", 3, 1 },
};

START_TEST(test_search_plans)
{
	const char	*got[20], *sql;
	sqlite3		*db;
	sqlite3_stmt	*st;
	size_t		 n, i = 0;
	long		 want;

	many();
	testdb_exec(&tdb, "UPDATE patients SET email = lower(first_name) || "
	    "'@p.test', medical_record_number = 'MRN' || first_name "
	    "WHERE first_name LIKE '%0%'");
	sql = pool_printf(pool, "FROM patients WHERE (?1 IS NULL OR city = ?1) "
	    "AND (first_name LIKE ?2 OR last_name LIKE ?2 OR email LIKE ?2 "
	    "OR phone_number LIKE ?2 OR medical_record_number LIKE ?2)");
	want = list(pool_printf(pool, "search=%s&page_size=%d&page=%d"
	    "&ordering=%s%s%s", plans[_i].query, plans[_i].size,
	    plans[_i].page, plans[_i].order, plans[_i].city != NULL ?
	    "&city=" : "", plans[_i].city != NULL ? plans[_i].city : ""));
	n = result_ids(got, 20);
	ck_assert_int_eq(sqlite3_open(tdb.path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, pool_printf(pool,
	    "SELECT count(*) %s", sql), -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, plans[_i].city, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pool_printf(pool, "%%%s%%", plans[_i].like),
	    -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int64(st, 0), want);
	ck_assert(want > 0);
	sqlite3_finalize(st);
	ck_assert_int_eq(sqlite3_prepare_v2(db, pool_printf(pool,
	    "SELECT id %s ORDER BY %s LIMIT %d OFFSET %d", sql,
	    plans[_i].order_sql, plans[_i].size, plans[_i].size *
	    (plans[_i].page - 1)), -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, plans[_i].city, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pool_printf(pool, "%%%s%%", plans[_i].like),
	    -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		ck_assert(i < n);
		ck_assert_str_eq(got[i], (const char *)sqlite3_column_text(st,
		    0));
		i++;
	}
	ck_assert_int_eq(i, n);
	ck_assert(n > 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
}
END_TEST

/* The search index follows each create, change and delete. */
START_TEST(test_search_follows)
{
	const char	*a, *b, *c;

	filter_people(&a, &b, &c);
	ck_assert_int_eq(list("search=Lee"), 1);
	ck_assert_int_eq(call(METHOD_PATCH, pool_printf(pool, PATIENTS "%s/",
	    a), "{\"last_name\":\"Lovelace\",\"email\":null}",
	    ROLE_STAFF), 200);
	ck_assert_int_eq(list("search=Lee"), 0);
	ck_assert_int_eq(list("search=x.test"), 0);
	ck_assert_int_eq(list("search=LOVELACE"), 1);
	ck_assert_int_eq(list("search=annlovelace"), 0);
	ck_assert_int_eq(call(METHOD_DELETE, pool_printf(pool, PATIENTS "%s/",
	    a), NULL, ROLE_STAFF), 204);
	ck_assert_int_eq(list("search=lovelace"), 0);
	ck_assert_int_eq(list("search=ray"), 1);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM "
	    "patient_search"), 2);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM "
	    "patient_search_fts"), 2);
}
END_TEST

/* Following "next" visits every row once, in order, filters kept. */
START_TEST(test_walk_pages)
{
	const char	*got[7], *next, *prev = "";
	char		 want[40];
	size_t		 i, n, seen = 0;

	many();
	next = "https://hm.test/api/patients/?city=even&page_size=7"
	    "&ordering=-first_name";
	while (next != NULL) {
		ck_assert(strncmp(next, "https://hm.test", 15) == 0);
		ck_assert_int_eq(call(METHOD_GET, pool_strdup(pool, next + 15),
		    NULL, ROLE_NURSE), 200);
		ck_assert_int_eq(list_count(), 52);
		n = result_ids(got, 7);
		for (i = 0; i < n; i++) {
			snprintf(want, sizeof(want),
			    "00000000-0000-7000-8000-%012zu", 104 - 2 * seen);
			ck_assert_str_eq(got[i], want);
			seen++;
		}
		ck_assert(seen == 52 || n == 7);
		if (seen > 7)
			ck_assert(jstr(doc, "previous") != NULL);
		prev = jstr(doc, "previous");
		next = jstr(doc, "next");
		next = next != NULL ? pool_strdup(pool, next) : NULL;
	}
	ck_assert_int_eq(seen, 52);
	ck_assert(prev != NULL);
}
END_TEST

static Suite *
patient_suite(void)
{
	Suite	*s = suite_create("patient");
	TCase	*tc;

	tc = tcase_create("validation");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_invalid, 0,
	    sizeof(invalids) / sizeof(invalids[0]));
	tcase_add_loop_test(tc, test_valid, 0,
	    sizeof(valids) / sizeof(valids[0]));
	tcase_add_test(tc, test_answer_fields);
	tcase_add_test(tc, test_names_length);
	tcase_add_test(tc, test_dob_today_and_tomorrow);
	tcase_add_test(tc, test_bad_bodies);
	suite_add_tcase(s, tc);

	tc = tcase_create("handlers");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_put_replaces);
	tcase_add_test(tc, test_patch_partial);
	tcase_add_test(tc, test_delete);
	tcase_add_test(tc, test_delete_admitted);
	tcase_add_test(tc, test_unique);
	tcase_add_test(tc, test_unique_storage);
	suite_add_tcase(s, tc);

	tc = tcase_create("roles");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_roles, 0, ROLE__MAX + 1);
	tcase_add_test(tc, test_csrf);
	suite_add_tcase(s, tc);

	tc = tcase_create("list");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_ordering, 0,
	    sizeof(orderings) / sizeof(orderings[0]));
	tcase_add_test(tc, test_bad_ordering);
	tcase_add_test(tc, test_filters);
	tcase_add_loop_test(tc, test_search, 0,
	    sizeof(searches) / sizeof(searches[0]));
	tcase_add_loop_test(tc, test_search_plans, 0,
	    sizeof(plans) / sizeof(plans[0]));
	tcase_add_test(tc, test_search_follows);
	tcase_add_test(tc, test_pages);
	tcase_add_test(tc, test_walk_pages);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(patient_suite());
}
