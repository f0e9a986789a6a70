/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "b64.h"
#include "buf.h"
#include "cursor.h"
#include "pool.h"
#include "query.h"
#include "testutil.h"

/*
 * Cursor pagination (SPEC section 2 "Lists", 7.11, 7.12, 7.25):
 * lib/cursor.c directly, and the heart-rate lists through http_handle()
 * on a real database file.  Readings are inserted on a side connection
 * with known ids, seqs and times, and a model here says which of them
 * each page must hold.
 */

static struct testdb	 tdb;
static struct pool	*pool;
static struct req	 r;
static struct resp	 w;
static cJSON		*doc;		/* the last answer, parsed */

#define	PUBLIC		"https://hm.test"	/* testutil.c's */
#define	U_NURSE		"00000000-0000-7000-8000-00000000000d"
#define	U_DOCTOR	"00000000-0000-7000-8000-00000000000c"
#define	P1	"10000000-0000-7000-8000-000000000001"
#define	P2	"10000000-0000-7000-8000-000000000002"
#define	A1	"30000000-0000-7000-8000-000000000001"
#define	A2	"30000000-0000-7000-8000-000000000002"

#define	NROWS		237	/* readings of fill() */
#define	ROWS_MAX	1200
#define	PAGES_MAX	64
#define	PAGE_TEXT	8192	/* result_ns() of 1000 readings */
#define	WALK_TEXT	1024	/* one page of a walk */
#define	LINK_LEN	1024

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
	    "('" P2 "', 'Pia', 'Two', '1980-03-04', '+222222222', "
	    "'2019-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z')");
	testdb_exec(&tdb, "INSERT INTO devices (id, serial_number, model_name, "
	    "status, created_at) VALUES "
	    "('20000000-0000-7000-8000-000000000001', 'SN-1', 'M', 'active', "
	    "'2019-01-01T00:00:00Z'), "
	    "('20000000-0000-7000-8000-000000000002', 'SN-2', 'M', 'active', "
	    "'2019-01-01T00:00:00Z')");
	testdb_exec(&tdb, "INSERT INTO admissions (id, patient_id, device_id, "
	    "admitted_by, admission_date, is_discharged) VALUES "
	    "('" A1 "', '" P1 "', '20000000-0000-7000-8000-000000000001', "
	    "'" U_NURSE "', '2020-01-01T00:00:00.000Z', 0), "
	    "('" A2 "', '" P2 "', '20000000-0000-7000-8000-000000000002', "
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

/* Sends GET "uri" as a doctor and parses the answer into "doc". */
static void
get(const char *uri)
{
	static struct principal	 who;

	cJSON_Delete(doc);
	doc = NULL;
	resp_reset(&w);
	req_fake(&r, pool, METHOD_GET, uri);
	r.remote_addr = "10.1.2.3";
	who.user_id = U_DOCTOR;
	who.sid = "s";
	who.role = ROLE_DOCTOR;
	r.who = &who;
	http_handle(&tdb.app, &r, &w);
	doc = cJSON_ParseWithLength(w.body.p != NULL ? w.body.p : "",
	    w.body.len);
}

/* Sends POST "uri" with "json" as a nurse. */
static void
post(const char *uri, const char *json)
{
	static struct principal	 who;

	cJSON_Delete(doc);
	doc = NULL;
	resp_reset(&w);
	req_fake(&r, pool, METHOD_POST, uri);
	r.remote_addr = "10.1.2.3";
	r.hdrs[HDR_CONTENT_TYPE] = "application/json";
	r.body = json;
	r.bodysz = strlen(json);
	who.user_id = U_NURSE;
	who.sid = "s";
	who.role = ROLE_NURSE;
	r.who = &who;
	http_handle(&tdb.app, &r, &w);
	doc = cJSON_ParseWithLength(w.body.p != NULL ? w.body.p : "",
	    w.body.len);
}

/*
 * Readings 1 to "n" (seq and id number n): patient P2 when n is a
 * multiple of 3, else P1, measured at second KEY(n) of 2026-01-01, so
 * that about five share each time and time order is not seq order.
 */
#define	KEY(n)		((n) * 7 % 50)
#define	PATIENT(n)	((n) % 3 == 0 ? 2 : 1)

static void
fill(int n)
{
	char	 sql[1024];

	snprintf(sql, sizeof(sql), "WITH RECURSIVE c(n) AS (SELECT 1 UNION "
	    "ALL SELECT n + 1 FROM c WHERE n < %d) INSERT INTO readings "
	    "(seq, id, patient_id, admission_id, bpm, status, notes, "
	    "handled_by, measured_at, recorded_at) SELECT n, "
	    "printf('40000000-0000-7000-8000-%%012d', n), "
	    "CASE n %% 3 WHEN 0 THEN '" P2 "' ELSE '" P1 "' END, "
	    "CASE n %% 3 WHEN 0 THEN '" A2 "' ELSE '" A1 "' END, "
	    "70, 'normal', NULL, '" U_NURSE "', "
	    "printf('2026-01-01T00:00:%%02d.000Z', n * 7 %% 50), "
	    "printf('2026-01-01T00:00:%%02d.000Z', n * 7 %% 50) FROM c", n);
	testdb_exec(&tdb, sql);
	ck_assert_int_eq(testdb_count(&tdb, "SELECT count(*) FROM readings"),
	    n);
}

/* What a list may be filtered by in the model; -1: any. */
struct	filt {
	int	 patient;	/* 1 or 2 */
	int	 since;		/* a second of 2026-01-01T00:00 */
	int	 until;
};

static const struct filt	 ANY = { -1, -1, -1 };

static int
matches(const struct filt *f, int n)
{

	return (f->patient < 0 || PATIENT(n) == f->patient) &&
	    (f->since < 0 || KEY(n) >= f->since) &&
	    (f->until < 0 || KEY(n) <= f->until);
}

/* Newest first: the later time, then the larger seq. */
static int
newest_first(const void *a, const void *b)
{
	int	 x = *(const int *)a, y = *(const int *)b;

	if (KEY(x) != KEY(y))
		return KEY(y) - KEY(x);
	return y - x;
}

/* The readings of fill("rows") matching "f", newest first, into "out". */
static size_t
model(const struct filt *f, int rows, int *out)
{
	size_t	 n = 0;
	int	 i;

	for (i = 1; i <= rows; i++)
		if (matches(f, i))
			out[n++] = i;
	qsort(out, n, sizeof(*out), newest_first);
	return n;
}

/* Reading numbers "v[0..n)" joined by spaces, into "out". */
static void
join(const int *v, size_t n, char *out, size_t outsz)
{
	size_t	 i, len = 0;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		len += snprintf(out + len, outsz - len, "%s%d", i ? " " : "",
		    v[i]);
		ck_assert_uint_lt(len, outsz);
	}
}

/* The "n" of the results' ids, joined by spaces (static). */
static const char *
result_ns(void)
{
	static char	 out[PAGE_TEXT];
	const cJSON	*it;
	const char	*id;
	size_t		 n = 0;

	out[0] = '\0';
	ck_assert_msg(w.status == 200 && cJSON_IsArray(cj_member(doc, "results")),
	    "%d: %s", w.status, buf_str(&w.body));
	cJSON_ArrayForEach(it, cj_member(doc, "results")) {
		ck_assert_ptr_nonnull(id = cj_str(it, "id"));
		n += snprintf(out + n, sizeof(out) - n, "%s%d", n ? " " : "",
		    atoi(id + 24));
		ck_assert_uint_lt(n, sizeof(out));
	}
	return out;
}

static int
results(void)
{

	return cJSON_GetArraySize(cj_member(doc, "results"));
}

/* Copies link "key" of the answer, made relative, to "out"; 0 if null. */
static int
link_of(const char *key, char out[LINK_LEN])
{
	const cJSON	*l = cj_member(doc, key);

	ck_assert_msg(l != NULL, "no %s: %s", key, buf_str(&w.body));
	if (cJSON_IsNull(l))
		return 0;
	ck_assert(cJSON_IsString(l));
	ck_assert_msg(strncmp(l->valuestring, PUBLIC "/api/",
	    strlen(PUBLIC "/api/")) == 0, "%s", l->valuestring);
	ck_assert_uint_lt(strlen(l->valuestring), LINK_LEN);
	snprintf(out, LINK_LEN, "%s", l->valuestring + strlen(PUBLIC));
	return 1;
}

/* The pages a walk saw, and whether each had a link the other way. */
struct	walk {
	int	 n;
	char	 page[PAGES_MAX][WALK_TEXT];
	int	 other[PAGES_MAX];
	char	 last_other[LINK_LEN];	/* the last page's, or "" */
};

/*
 * Follows link "dir" ("next" or "previous") from "uri" until it is
 * null, each page holding 1 to "size" readings.
 */
static void
walk(struct walk *wk, const char *uri, const char *dir, int size)
{
	const char	*odir;
	char		 cur[LINK_LEN];

	odir = strcmp(dir, "next") == 0 ? "previous" : "next";
	memset(wk, 0, sizeof(*wk));
	snprintf(cur, sizeof(cur), "%s", uri);
	for (;;) {
		ck_assert_int_lt(wk->n, PAGES_MAX);
		get(cur);
		ck_assert_msg(w.status == 200, "%s: %d: %s", cur, w.status,
		    buf_str(&w.body));
		ck_assert_msg(results() >= 1 && results() <= size, "%s: %d",
		    cur, results());
		ck_assert_uint_lt(strlen(result_ns()), WALK_TEXT);
		snprintf(wk->page[wk->n], WALK_TEXT, "%s", result_ns());
		wk->last_other[0] = '\0';
		wk->other[wk->n] = link_of(odir, wk->last_other);
		wk->n++;
		if (!link_of(dir, cur))
			break;
	}
}

/*
 * Asserts that "wk" walked forward over the model's readings for "f",
 * "size" per page in order, and that walking back from its last page
 * gives the same pages in reverse.
 */
static void
assert_walks(const char *uri, const struct filt *f, int rows, int size)
{
	static struct walk	 fw, bw;
	static int		 want[ROWS_MAX];
	char			 text[PAGE_TEXT];
	size_t			 n, pages, p, k;

	n = model(f, rows, want);
	ck_assert_uint_gt(n, (size_t)size);
	pages = (n + size - 1) / size;
	walk(&fw, uri, "next", size);
	ck_assert_int_eq(fw.n, (int)pages);
	for (p = 0; p < pages; p++) {
		k = n - p * size < (size_t)size ? n - p * size : (size_t)size;
		join(want + p * size, k, text, sizeof(text));
		ck_assert_msg(strcmp(fw.page[p], text) == 0, "%s page %zu: "
		    "want \"%s\", got \"%s\"", uri, p, text, fw.page[p]);
		/* The first page has no previous; every other one has. */
		ck_assert_int_eq(fw.other[p], p > 0);
	}
	/* Back from the last page to the first. */
	walk(&bw, fw.last_other, "previous", size);
	ck_assert_int_eq(bw.n, (int)pages - 1);
	for (p = 0; p + 1 < pages; p++) {
		ck_assert_msg(strcmp(bw.page[p], fw.page[pages - 2 - p]) == 0,
		    "%s back page %zu: want \"%s\", got \"%s\"", uri, p,
		    fw.page[pages - 2 - p], bw.page[p]);
		ck_assert(bw.other[p]);
	}
}

START_TEST(test_walk)
{

	fill(NROWS);
	assert_walks("/api/heartrates/?page_size=20", &ANY, NROWS, 20);
	/* Page sizes that do and do not divide the count. */
	assert_walks("/api/heartrates/?page_size=79", &ANY, NROWS, 79);
	assert_walks("/api/heartrates/?page_size=50", &ANY, NROWS, 50);
	assert_walks("/api/heartrates/?page_size=4", &ANY, NROWS, 4);
}
END_TEST

/* The links keep the filters; the walk stays inside them. */
START_TEST(test_walk_filtered)
{
	struct filt	 f;

	fill(NROWS);
	f = ANY;
	f.patient = 1;
	assert_walks("/api/heartrates/?patient=" P1 "&page_size=20", &f,
	    NROWS, 20);
	assert_walks("/api/patients/" P1 "/heartrates/?page_size=20", &f,
	    NROWS, 20);
	f.since = 10;
	f.until = 40;
	assert_walks("/api/heartrates/?page_size=7&patient=" P1 "&since="
	    "2026-01-01T00:00:10Z&until=2026-01-01T00:00:40.000Z", &f, NROWS,
	    7);
	f.patient = -1;
	assert_walks("/api/heartrates/?since=2026-01-01T01:00:10%2B01:00&"
	    "until=2025-12-31T23:00:40-01:00&page_size=9", &f, NROWS, 9);
	f.since = -1;
	f.until = 0;
	assert_walks("/api/heartrates/?until=2026-01-01T00:00:00Z&"
	    "page_size=2", &f, NROWS, 2);
	f.since = 49;
	f.until = -1;
	f.patient = 2;
	assert_walks("/api/heartrates/?since=2026-01-01T00:00:49Z&"
	    "page_size=1&admission=" A2, &f, NROWS, 1);
}
END_TEST

/* Equal times: seq breaks the tie, newest (largest) first. */
START_TEST(test_ties)
{
	static struct walk	 fw, bw;
	char			 sql[512];
	int			 i;

	for (i = 1; i <= 5; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO readings (seq, id, "
		    "patient_id, admission_id, bpm, status, handled_by, "
		    "measured_at, recorded_at) VALUES (%d, "
		    "'40000000-0000-7000-8000-%012d', '" P1 "', '" A1 "', 70, "
		    "'normal', '" U_NURSE "', '2026-01-01T00:00:00.000Z', "
		    "'2026-01-01T00:00:00.000Z')", i * 10, i);
		testdb_exec(&tdb, sql);
	}
	walk(&fw, "/api/heartrates/?page_size=2", "next", 2);
	ck_assert_int_eq(fw.n, 3);
	ck_assert_str_eq(fw.page[0], "5 4");
	ck_assert_str_eq(fw.page[1], "3 2");
	ck_assert_str_eq(fw.page[2], "1");
	walk(&bw, fw.last_other, "previous", 2);
	ck_assert_int_eq(bw.n, 2);
	ck_assert_str_eq(bw.page[0], "3 2");
	ck_assert_str_eq(bw.page[1], "5 4");
	ck_assert_int_eq(bw.other[1], 1);
}
END_TEST

/* A batch without times: one measured_at, so request order decides. */
START_TEST(test_ties_from_batch)
{
	char		 ids[5][40], want[256], got[256], uri[LINK_LEN];
	const cJSON	*it;
	size_t		 n = 0, len = 0;
	int		 i, pages = 0, more;

	post("/api/heartrates/", "[{\"patient\":\"" P1 "\",\"bpm\":61},"
	    "{\"patient\":\"" P2 "\",\"bpm\":62},"
	    "{\"patient\":\"" P1 "\",\"bpm\":63},"
	    "{\"patient\":\"" P1 "\",\"bpm\":64},"
	    "{\"patient\":\"" P2 "\",\"bpm\":65}]");
	ck_assert_msg(w.status == 201, "%d: %s", w.status, buf_str(&w.body));
	cJSON_ArrayForEach(it, doc) {
		ck_assert_uint_lt(n, 5);
		ck_assert_str_eq(cj_str(it, "measured_at"),
		    cj_str(cJSON_GetArrayItem(doc, 0), "measured_at"));
		snprintf(ids[n++], sizeof(ids[0]), "%s", cj_str(it, "id"));
	}
	ck_assert_uint_eq(n, 5);
	/* Newest first: the reverse of the request. */
	want[0] = '\0';
	for (i = 4; i >= 0; i--)
		len += snprintf(want + len, sizeof(want) - len, "%s%s",
		    i < 4 ? " " : "", ids[i]);
	len = 0;
	got[0] = '\0';
	snprintf(uri, sizeof(uri), "/api/heartrates/?page_size=2");
	do {
		get(uri);
		ck_assert_int_eq(w.status, 200);
		ck_assert_int_le(results(), 2);
		cJSON_ArrayForEach(it, cj_member(doc, "results"))
			len += snprintf(got + len, sizeof(got) - len, "%s%s",
			    len ? " " : "", cj_str(it, "id"));
		pages++;
		more = link_of("next", uri);
	} while (more && pages < 10);
	ck_assert_int_eq(pages, 3);
	ck_assert_str_eq(got, want);
}
END_TEST

/* SPEC 7.11, 7.25: page_size defaults to 50, clamped to 1000. */
START_TEST(test_page_size)
{
	char	 uri[LINK_LEN];

	get("/api/heartrates/");
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(results(), 0);
	ck_assert(cJSON_IsNull(cj_member(doc, "next")));
	ck_assert(cJSON_IsNull(cj_member(doc, "previous")));
	ck_assert_ptr_null(cj_member(doc, "count"));
	fill(1001);
	get("/api/heartrates/");
	ck_assert_int_eq(results(), 50);
	ck_assert(cJSON_IsNull(cj_member(doc, "previous")));
	ck_assert(link_of("next", uri));
	ck_assert(strstr(uri, "page_size") == NULL);
	get(uri);
	ck_assert_int_eq(results(), 50);
	ck_assert(link_of("previous", uri));
	get("/api/heartrates/?page_size=1");
	ck_assert_int_eq(results(), 1);
	get("/api/heartrates/?page_size=1000");
	ck_assert_int_eq(results(), 1000);
	get("/api/heartrates/?page_size=1001");
	ck_assert_int_eq(results(), 1000);
	get("/api/heartrates/?page_size=99999999999999999999999");
	ck_assert_int_eq(results(), 1000);
	get("/api/heartrates/?page_size=5000");
	ck_assert_int_eq(w.status, 200);
	ck_assert_int_eq(results(), 1000);
	ck_assert(link_of("next", uri));
	ck_assert(strstr(uri, "page_size=5000") != NULL);
	get(uri);
	ck_assert_int_eq(results(), 1);
	ck_assert(cJSON_IsNull(cj_member(doc, "next")));
	ck_assert(link_of("previous", uri));
	get(uri);
	ck_assert_int_eq(results(), 1000);
	ck_assert(cJSON_IsNull(cj_member(doc, "previous")));
}
END_TEST

START_TEST(test_page_size_bad)
{
	static const char *const bad[] = { "0", "-1", "abc", "1.5", "1e3",
	    "%2B5", "%205", "5x", "0x10", "00", "-0" };
	char	 uri[128];
	size_t	 i;

	fill(3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(uri, sizeof(uri), "/api/heartrates/?page_size=%s",
		    bad[i]);
		get(uri);
		ck_assert_msg(w.status == 400, "%s: %d", bad[i], w.status);
		ck_assert_str_eq(cj_str(doc, "code"), "invalid");
		ck_assert_ptr_nonnull(cj_member(cj_member(doc, "errors"),
		    "page_size"));
		snprintf(uri, sizeof(uri), "/api/patients/" P1 "/heartrates/"
		    "?page_size=%s", bad[i]);
		get(uri);
		ck_assert_msg(w.status == 400, "%s: %d", bad[i], w.status);
	}
}
END_TEST

/* base64url of "n" bytes of "text", in a static buffer. */
static const char *
b64(const char *text, size_t n)
{
	static char	 out[LINK_LEN * 8];
	struct buf	 b;

	buf_init(&b);
	ck_assert_int_eq(b64url_encode(&b, text, n), ERR_OK);
	ck_assert_uint_lt(b.len, sizeof(out));
	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_clear(&b);
	return out;
}

/* The cursor at second "key" of 2026-01-01T00:00, "seq", ("p": back). */
static const char *
cursor_at(int back, int key, long long seq)
{
	char	 text[64];
	int	 n;

	n = snprintf(text, sizeof(text), "%c2026-01-01T00:00:%02d.000Z%lld",
	    back ? 'p' : 'n', key, seq);
	return b64(text, (size_t)n);
}

/*
 * The model's page at cursor ("back", "key", "seq") of "size" for "f"
 * over fill("rows"), newest first, into "out"; "*more" when readings
 * go on beyond it in the direction read.
 */
static size_t
model_at(const struct filt *f, int rows, int back, int key, long long seq,
    int size, int *out, int *more)
{
	static int	 all[ROWS_MAX];
	size_t		 n, i, m = 0, first;

	n = model(f, rows, all);
	if (!back) {
		for (i = 0; i < n; i++)
			if (KEY(all[i]) < key ||
			    (KEY(all[i]) == key && all[i] < seq)) {
				if (m < (size_t)size)
					out[m] = all[i];
				m++;
			}
		*more = m > (size_t)size;
		return *more ? (size_t)size : m;
	}
	/* Newer than the position: a prefix of "all"; the page ends it. */
	for (i = 0; i < n; i++)
		if (KEY(all[i]) < key || (KEY(all[i]) == key && all[i] <= seq))
			break;
	*more = i > (size_t)size;
	first = *more ? i - size : 0;
	for (m = 0; first + m < i; m++)
		out[m] = all[first + m];
	return m;
}

/*
 * Lists at a cursor built here, with "query" added, and asserts the
 * model's page and the links of SPEC section 2: towards older rows
 * "next", towards newer ones "previous", null where there is none.
 */
static void
assert_at(const char *query, const struct filt *f, int back, int key,
    long long seq, int size)
{
	static int	 want[ROWS_MAX];
	char		 uri[LINK_LEN], text[PAGE_TEXT], l[LINK_LEN];
	size_t		 n;
	int		 more, has_next, has_prev;

	n = model_at(f, NROWS, back, key, seq, size, want, &more);
	join(want, n, text, sizeof(text));
	snprintf(uri, sizeof(uri), "/api/heartrates/?cursor=%s&page_size=%d%s",
	    cursor_at(back, key, seq), size, query);
	get(uri);
	ck_assert_msg(w.status == 200, "%s: %d: %s", uri, w.status,
	    buf_str(&w.body));
	ck_assert_msg(strcmp(result_ns(), text) == 0, "%c %d %lld%s: want "
	    "\"%s\", got \"%s\"", back ? 'p' : 'n', key, seq, query, text,
	    result_ns());
	has_next = link_of("next", l);
	has_prev = link_of("previous", l);
	if (n == 0) {
		ck_assert_int_eq(has_next, back);
		ck_assert_int_eq(has_prev, !back);
	} else if (!back) {
		ck_assert_int_eq(has_next, more);
		ck_assert_int_eq(has_prev, 1);
	} else {
		ck_assert_int_eq(has_next, 1);
		ck_assert_int_eq(has_prev, more);
	}
}

/* A cursor with since/until: each bound, inside or outside the page. */
START_TEST(test_cursor_and_times)
{
	struct filt	 f;

	fill(NROWS);
	f = ANY;
	assert_at("", &f, 0, 20, 100, 5);
	assert_at("", &f, 1, 20, 100, 5);
	assert_at("", &f, 0, 20, 9223372036854775807LL, 5);
	assert_at("", &f, 1, 20, 9223372036854775807LL, 5);
	assert_at("", &f, 0, 0, 1, 5);
	assert_at("", &f, 1, 49, 300, 5);
	/* until below the position: the page starts at until. */
	f.until = 10;
	assert_at("&until=2026-01-01T00:00:10Z", &f, 0, 20, 100, 5);
	assert_at("&until=2026-01-01T00:00:10Z", &f, 1, 20, 100, 5);
	/* until above the position; or at its very time. */
	f.until = 30;
	assert_at("&until=2026-01-01T00:00:30Z", &f, 0, 20, 100, 5);
	assert_at("&until=2026-01-01T00:00:30Z", &f, 1, 20, 100, 5);
	f.until = 25;
	assert_at("&until=2026-01-01T00:00:25.000Z", &f, 1, 20, 100, 50);
	f.until = 20;
	assert_at("&until=2026-01-01T00:00:20Z", &f, 0, 20, 100, 5);
	assert_at("&until=2026-01-01T00:00:20Z", &f, 1, 20, 100, 5);
	assert_at("&until=2026-01-01T00:00:20Z", &f, 1, 20, 10, 5);
	/* since below or at the position. */
	f = ANY;
	f.since = 20;
	assert_at("&since=2026-01-01T00:00:20Z", &f, 0, 20, 100, 5);
	assert_at("&since=2026-01-01T00:00:20Z", &f, 1, 20, 100, 5);
	f.since = 10;
	assert_at("&since=2026-01-01T00:00:10Z", &f, 0, 20, 100, 50);
	/* since above the position: nothing older; the oldest newer. */
	f.since = 30;
	assert_at("&since=2026-01-01T00:00:30Z", &f, 0, 20, 100, 5);
	assert_at("&since=2026-01-01T00:00:30Z", &f, 1, 20, 100, 5);
	/* Both, around the position and beside it; with a patient. */
	f.since = 10;
	f.until = 30;
	assert_at("&since=2026-01-01T00:00:10Z&until=2026-01-01T00:00:30Z",
	    &f, 0, 20, 100, 5);
	assert_at("&since=2026-01-01T00:00:10Z&until=2026-01-01T00:00:30Z",
	    &f, 1, 20, 100, 5);
	assert_at("&since=2026-01-01T00:00:10Z&until=2026-01-01T00:00:30Z",
	    &f, 0, 45, 1, 5);
	assert_at("&since=2026-01-01T00:00:10Z&until=2026-01-01T00:00:30Z",
	    &f, 1, 5, 1, 5);
	f.patient = 2;
	assert_at("&since=2026-01-01T00:00:10Z&until=2026-01-01T00:00:30Z&"
	    "patient=" P2, &f, 0, 20, 100, 3);
	assert_at("&since=2026-01-01T00:00:10Z&until=2026-01-01T00:00:30Z&"
	    "patient=" P2, &f, 1, 20, 100, 3);
}
END_TEST

/* Cursors this service did not write: 404 "Invalid cursor." (DRF). */
START_TEST(test_cursor_invalid)
{
	static const char *const texts[] = {
		"n2026-13-01T00:00:00.000Z5",		/* month 13 */
		"n2026-02-30T00:00:00.000Z5",
		"n2026-01-01T24:00:00.000Z5",
		"n2026-01-01 00:00:00.000Z5",
		"n2026-01-01T00:00:00.000z5",
		"n2026-01-01T00:00:00.00Z15",		/* 23-byte time */
		"n2026-01-01T00:00:00+00:0015",
		"n2026-01-01T00:00:00.000Z05",		/* leading zero */
		"n2026-01-01T00:00:00.000Z0",
		"n2026-01-01T00:00:00.000Z-5",
		"n2026-01-01T00:00:00.000Z+5",
		"n2026-01-01T00:00:00.000Z 5",
		"n2026-01-01T00:00:00.000Z5 ",
		"n2026-01-01T00:00:00.000Z5x",
		"n2026-01-01T00:00:00.000Z0x5",
		"n2026-01-01T00:00:00.000Z",		/* no seq */
		"n2026-01-01T00:00:00.000Z9223372036854775808",
		"n2026-01-01T00:00:00.000Z99999999999999999999",
		"x2026-01-01T00:00:00.000Z5",
		"N2026-01-01T00:00:00.000Z5",
		"2026-01-01T00:00:00.000Z5",
		"pn2026-01-01T00:00:00.000Z5",
		"n",
		"hello",
		"' OR 1=1 --",
	};
	static const char *const raw[] = {
		"!!!!", "aGVsbG8", "aGVsbG8=", "A", "AAAA", "%2F%2F%2F%2F",
		"bjIwMjYtMDEtMDFUMDA6MDA6MDAuMDAwWjU=",	/* padded */
		"bjIwMjYtMDEtMDFUMDA6MDA6MDAuMDAwWjU%3D",
		"bjIwMjYtMDEtMDFUMDA6MDA6MDAuMDAwWjV",	/* bits set */
		"bjIwMjYtMDEtMDFUMDA6MDA6MDAuMDAwWjU%20",
	};
	char		 uri[LINK_LEN * 8], big[5001];
	size_t		 i;

	fill(10);
	/* The one good spelling, to know the bad ones are only that. */
	snprintf(uri, sizeof(uri), "/api/heartrates/?cursor=%s",
	    b64("n2026-01-01T00:00:00.000Z5", 26));
	ck_assert_str_eq(uri + strlen("/api/heartrates/?cursor="),
	    "bjIwMjYtMDEtMDFUMDA6MDA6MDAuMDAwWjU");
	get(uri);
	ck_assert_msg(w.status == 200, "%d: %s", w.status, buf_str(&w.body));
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		snprintf(uri, sizeof(uri), "/api/heartrates/?cursor=%s",
		    b64(texts[i], strlen(texts[i])));
		get(uri);
		ck_assert_msg(w.status == 404, "%s: %d", texts[i], w.status);
		ck_assert_str_eq(cj_str(doc, "code"), "not_found");
		ck_assert_str_eq(cj_str(doc, "detail"), "Invalid cursor.");
	}
	/* An embedded NUL. */
	snprintf(uri, sizeof(uri), "/api/heartrates/?cursor=%s",
	    b64("n2026-01-01T00:00:00.000Z5\0", 27));
	get(uri);
	ck_assert_int_eq(w.status, 404);
	snprintf(uri, sizeof(uri), "/api/heartrates/?cursor=%s",
	    b64("n2026-01-01T00:00:00.000Z\0" "5", 27));
	get(uri);
	ck_assert_int_eq(w.status, 404);
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		snprintf(uri, sizeof(uri), "/api/heartrates/?cursor=%s",
		    raw[i]);
		get(uri);
		ck_assert_msg(w.status == 404, "%s: %d", raw[i], w.status);
		ck_assert_str_eq(cj_str(doc, "code"), "not_found");
	}
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(uri, sizeof(uri), "/api/heartrates/?cursor=%s", big);
	get(uri);
	ck_assert_int_eq(w.status, 404);
	/* The patient's list reads cursors the same way. */
	snprintf(uri, sizeof(uri), "/api/patients/" P1 "/heartrates/?cursor="
	    "%s", b64(texts[0], strlen(texts[0])));
	get(uri);
	ck_assert_int_eq(w.status, 404);
	ck_assert_str_eq(cj_str(doc, "code"), "not_found");
}
END_TEST

/* Fills "r" for GET /api/heartrates/?"query" and runs cursor_parse(). */
static int
parse(const char *query, struct cursor *c)
{

	resp_reset(&w);
	req_fake(&r, pool, METHOD_GET, "/api/heartrates/");
	r.path = "/api/heartrates/";
	ck_assert_int_eq(query_parse(pool, query, &r.query, NULL), ERR_OK);
	return cursor_parse(&r, &w, c);
}

START_TEST(test_parse)
{
	struct cursor	 c;
	char		 q[256];

	ck_assert(parse("", &c));
	ck_assert_int_eq(c.set, 0);
	ck_assert_int_eq(c.back, 0);
	ck_assert_int_eq(c.size, CURSOR_SIZE_DEFAULT);
	ck_assert(parse("page_size=7&status=low", &c));
	ck_assert_int_eq(c.size, 7);
	ck_assert(parse("page_size=1001", &c));
	ck_assert_int_eq(c.size, CURSOR_SIZE_MAX);
	snprintf(q, sizeof(q), "cursor=%s", cursor_at(0, 7, 42));
	ck_assert(parse(q, &c));
	ck_assert_int_eq(c.set, 1);
	ck_assert_int_eq(c.back, 0);
	ck_assert_str_eq(c.time, "2026-01-01T00:00:07.000Z");
	ck_assert_int_eq(c.seq, 42);
	snprintf(q, sizeof(q), "cursor=%s&page_size=3", cursor_at(1, 59,
	    9223372036854775807LL));
	ck_assert(parse(q, &c));
	ck_assert_int_eq(c.set, 1);
	ck_assert_int_eq(c.back, 1);
	ck_assert_str_eq(c.time, "2026-01-01T00:00:59.000Z");
	ck_assert(c.seq == 9223372036854775807LL);
	ck_assert_int_eq(c.size, 3);
	/* Refused: written, and nothing set to trust. */
	ck_assert(!parse("cursor=x", &c));
	ck_assert_int_eq(w.status, 404);
	ck_assert(!parse("page_size=0", &c));
	ck_assert_int_eq(w.status, 400);
}
END_TEST

/* The cursor text of link "l" (absolute), decoded, in a static buffer. */
static const char *
link_text(const char *l)
{
	static char	 out[128];
	const char	*p;
	unsigned char	*text;
	size_t		 n;

	ck_assert_ptr_nonnull(l);
	ck_assert_ptr_nonnull(p = strstr(l, "cursor="));
	p += strlen("cursor=");
	ck_assert_int_eq(b64url_decode(pool, p, strcspn(p, "&"), &text, &n),
	    ERR_OK);
	ck_assert_uint_lt(n, sizeof(out));
	memcpy(out, text, n);
	out[n] = '\0';
	return out;
}

START_TEST(test_links)
{
	struct cursor	 c;
	const char	*next, *prev;
	char		 q[256], want[512];

	/* The first page: next only when more. */
	ck_assert(parse("page_size=7&status=low", &c));
	ck_assert_int_eq(cursor_links(&r, &tdb.conf, &c, 3, 1,
	    "2026-01-01T00:00:03.000Z", 30, "2026-01-01T00:00:01.000Z", 10,
	    &next, &prev), ERR_OK);
	ck_assert_ptr_null(prev);
	snprintf(want, sizeof(want), PUBLIC "/api/heartrates/?page_size=7&"
	    "status=low&cursor=%s", b64("n2026-01-01T00:00:01.000Z10", 27));
	ck_assert_str_eq(next, want);
	ck_assert_int_eq(cursor_links(&r, &tdb.conf, &c, 3, 0,
	    "2026-01-01T00:00:03.000Z", 30, "2026-01-01T00:00:01.000Z", 10,
	    &next, &prev), ERR_OK);
	ck_assert_ptr_null(next);
	ck_assert_ptr_null(prev);
	ck_assert_int_eq(cursor_links(&r, &tdb.conf, &c, 0, 0, NULL, 0,
	    NULL, 0, &next, &prev), ERR_OK);
	ck_assert_ptr_null(next);
	ck_assert_ptr_null(prev);
	/* Onwards: previous at the newest row; the cursor stays in place. */
	snprintf(q, sizeof(q), "cursor=%s&page_size=2", cursor_at(0, 5, 50));
	ck_assert(parse(q, &c));
	ck_assert_int_eq(cursor_links(&r, &tdb.conf, &c, 2, 1,
	    "2026-01-01T00:00:04.000Z", 40, "2026-01-01T00:00:03.000Z", 31,
	    &next, &prev), ERR_OK);
	ck_assert_str_eq(link_text(next), "n2026-01-01T00:00:03.000Z31");
	ck_assert_str_eq(link_text(prev), "p2026-01-01T00:00:04.000Z40");
	ck_assert(strncmp(next, PUBLIC "/api/heartrates/?cursor=",
	    strlen(PUBLIC "/api/heartrates/?cursor=")) == 0);
	ck_assert(strstr(next, "&page_size=2") != NULL);
	ck_assert_int_eq(cursor_links(&r, &tdb.conf, &c, 2, 0,
	    "2026-01-01T00:00:04.000Z", 40, "2026-01-01T00:00:03.000Z", 31,
	    &next, &prev), ERR_OK);
	ck_assert_ptr_null(next);
	ck_assert_str_eq(link_text(prev), "p2026-01-01T00:00:04.000Z40");
	/* Past the oldest row: only the way back. */
	ck_assert_int_eq(cursor_links(&r, &tdb.conf, &c, 0, 0, NULL, 0,
	    NULL, 0, &next, &prev), ERR_OK);
	ck_assert_ptr_null(next);
	ck_assert_str_eq(link_text(prev), "p2026-01-01T00:00:05.000Z50");
	/* Backwards: next always; previous when more. */
	snprintf(q, sizeof(q), "cursor=%s", cursor_at(1, 5, 50));
	ck_assert(parse(q, &c));
	ck_assert_int_eq(cursor_links(&r, &tdb.conf, &c, 2, 0,
	    "2026-01-01T00:00:07.000Z", 70, "2026-01-01T00:00:06.000Z", 60,
	    &next, &prev), ERR_OK);
	ck_assert_str_eq(link_text(next), "n2026-01-01T00:00:06.000Z60");
	ck_assert_ptr_null(prev);
	ck_assert_int_eq(cursor_links(&r, &tdb.conf, &c, 2, 1,
	    "2026-01-01T00:00:07.000Z", 70, "2026-01-01T00:00:06.000Z", 60,
	    &next, &prev), ERR_OK);
	ck_assert_str_eq(link_text(prev), "p2026-01-01T00:00:07.000Z70");
	ck_assert_int_eq(cursor_links(&r, &tdb.conf, &c, 0, 0, NULL, 0,
	    NULL, 0, &next, &prev), ERR_OK);
	ck_assert_str_eq(link_text(next), "n2026-01-01T00:00:05.000Z50");
	ck_assert_ptr_null(prev);
}
END_TEST

static Suite *
cursor_suite(void)
{
	Suite	*s = suite_create("cursor");
	TCase	*tc;

	tc = tcase_create("walk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_walk);
	tcase_add_test(tc, test_walk_filtered);
	tcase_add_test(tc, test_ties);
	tcase_add_test(tc, test_ties_from_batch);
	tcase_add_test(tc, test_page_size);
	tcase_add_test(tc, test_page_size_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("cursor");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cursor_and_times);
	tcase_add_test(tc, test_cursor_invalid);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_links);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{

	return test_run(cursor_suite());
}
