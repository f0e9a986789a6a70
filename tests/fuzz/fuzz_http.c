/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "app.h"
#include "conf.h"
#include "db.h"
#include "fuzz.h"
#include "http.h"
#include "pool.h"

/*
 * A whole request through http_handle(), as the FastCGI layer hands it
 * over, on a migrated database in a temporary folder holding one user
 * of each role, two patients, two monitors, an admission and a reading
 * (the ids below, which the dictionary knows).  The input reads like
 * HTTP:
 *
 *	ROLE[+cookie]\n			who is signed in: admin, staff,
 *					doctor, nurse; anything else: nobody
 *	METHOD URI\n
 *	Name: value\n ...		Authorization, Content-Type, Cookie,
 *					Idempotency-Key, Last-Event-ID,
 *					Origin, X-CSRFToken
 *	\n
 *	BODY				(absent without the blank line)
 *
 * "+cookie" marks the sign-in as made by cookie, so that CSRF applies.
 * Every input starts from the same database (restored from a copy
 * after any input that changed it), so that a crash reproduces.  The
 * answer must be a status the service gives, never 500, with a JSON
 * body whenever it has one and header lines that no input split.
 */
#define	SECRET	"fuzz-secret-0123456789abcdefghijklmnopqrstuvwxyz"
#define	T0	"'2026-01-01T00:00:00.000Z'"

static const char	*const uid[ROLE__MAX] = {
	"00000000-0000-7000-8000-00000000000a",	/* ROLE_ADMIN */
	"00000000-0000-7000-8000-00000000000b",	/* ROLE_STAFF */
	"00000000-0000-7000-8000-00000000000c",	/* ROLE_DOCTOR */
	"00000000-0000-7000-8000-00000000000d",	/* ROLE_NURSE */
};
static const char	*const sid[ROLE__MAX] = {
	"50000000-0000-7000-8000-00000000000a",	/* ROLE_ADMIN */
	"50000000-0000-7000-8000-00000000000b",	/* ROLE_STAFF */
	"50000000-0000-7000-8000-00000000000c",	/* ROLE_DOCTOR */
	"50000000-0000-7000-8000-00000000000d",	/* ROLE_NURSE */
};

static const char	 fixture[] =
    "INSERT INTO users (id, email, password, first_name, last_name, "
    "user_role, is_active, date_joined) VALUES "
    "('00000000-0000-7000-8000-00000000000a', 'a@x.test', 'x', 'Ada', "
    "'Admin', 'admin', 1, " T0 "), "
    "('00000000-0000-7000-8000-00000000000b', 's@x.test', 'x', 'Sam', "
    "'Staff', 'staff', 1, " T0 "), "
    "('00000000-0000-7000-8000-00000000000c', 'd@x.test', 'x', 'Dan', "
    "'Doctor', 'doctor', 1, " T0 "), "
    "('00000000-0000-7000-8000-00000000000d', 'n@x.test', 'x', 'Nia', "
    "'Nurse', 'nurse', 1, " T0 ");"
    "INSERT INTO sessions (id, user_id, refresh_jti, created_at, "
    "expires_at) SELECT '5' || substr(id, 2), id, "
    "'60000000-0000-7000-8000-000000000001', " T0 ", 4102444800000 "
    "FROM users;"
    "INSERT INTO patients (id, first_name, last_name, date_of_birth, "
    "phone_number, created_at, updated_at) VALUES "
    "('10000000-0000-7000-8000-000000000001', 'Pat', 'One', '1970-01-02', "
    "'+111111111', " T0 ", " T0 "), "
    "('10000000-0000-7000-8000-000000000002', 'Pia', 'Two', '1980-03-04', "
    "'+222222222', " T0 ", " T0 ");"
    "INSERT INTO devices (id, serial_number, model_name, status, "
    "created_at) VALUES "
    "('20000000-0000-7000-8000-000000000001', 'SN-1', 'M', 'active', " T0
    "), ('20000000-0000-7000-8000-000000000002', 'SN-2', 'M', 'active', "
    T0 ");"
    "INSERT INTO admissions (id, patient_id, device_id, admitted_by, "
    "admission_date, discharge_date, is_discharged) VALUES "
    "('30000000-0000-7000-8000-000000000001', "
    "'10000000-0000-7000-8000-000000000001', "
    "'20000000-0000-7000-8000-000000000001', "
    "'00000000-0000-7000-8000-00000000000b', " T0 ", NULL, 0);"
    "INSERT INTO readings (seq, id, patient_id, admission_id, bpm, status, "
    "handled_by, measured_at, recorded_at) VALUES (1, "
    "'40000000-0000-7000-8000-000000000001', "
    "'10000000-0000-7000-8000-000000000001', "
    "'30000000-0000-7000-8000-000000000001', 72, 'normal', "
    "'00000000-0000-7000-8000-00000000000d', " T0 ", " T0 ");";

static char		 dir[64], path[128];
static struct conf	 conf;
static struct app	 app;
static struct pool	*pool;
static sqlite3		*live, *pristine;	/* side connections */
static long		 version;		/* of "live" as restored */

/* Says "what" went wrong, where the sanitizers report (see fuzz.h). */
static void
say(const char *what, const char *why, size_t whysz)
{
	char	 msg[1024];

	(void)snprintf(msg, sizeof(msg), "fuzz_http: %s: %.*s", what,
	    (int)whysz, why);
	__sanitizer_report_error_summary(msg);
}

static void
die(const char *what, const char *why)
{

	say(what, why, strlen(why));
	abort();
}

static void
cleanup(void)
{
	char	 p[160];

	app_close(&app);
	sqlite3_close(live);
	sqlite3_close(pristine);
	conf_clear(&conf);
	snprintf(p, sizeof(p), "%s/pristine.db", dir);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
	(void)unlink(path);
	(void)rmdir(dir);
}

/* PRAGMA data_version of "live": it changes when the app commits. */
static long
data_version(void)
{
	sqlite3_stmt	*st;
	long		 v = -1;

	if (sqlite3_prepare_v2(live, "PRAGMA data_version", -1, &st, NULL) !=
	    SQLITE_OK)
		die("data_version", sqlite3_errmsg(live));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Copies database "from" over "to", whole (the SQLite backup API). */
static void
copy_db(sqlite3 *to, sqlite3 *from)
{
	sqlite3_backup	*b;

	if ((b = sqlite3_backup_init(to, "main", from, "main")) == NULL)
		die("sqlite3_backup_init", sqlite3_errmsg(to));
	if (sqlite3_backup_step(b, -1) != SQLITE_DONE)
		die("sqlite3_backup_step", sqlite3_errmsg(to));
	if (sqlite3_backup_finish(b) != SQLITE_OK)
		die("sqlite3_backup_finish", sqlite3_errmsg(to));
}

/* The database and app of tests/testutil.c testdb_open(), with the fixture. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct db	*db;
	struct buf	 errmsg;
	FILE		*f;
	char		 confpath[96], pristinepath[96], *msg = NULL;
	int		 from, to;

	snprintf(dir, sizeof(dir), "/tmp/hmfuzz.XXXXXX");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp", "failed");
	snprintf(path, sizeof(path), "%s/fuzz.db", dir);
	snprintf(confpath, sizeof(confpath), "%s/fuzz.conf", dir);
	snprintf(pristinepath, sizeof(pristinepath), "%s/pristine.db", dir);
	if ((f = fopen(confpath, "w")) == NULL)
		die(confpath, "cannot write");
	fprintf(f, "SECRET_KEY=%s\nDATABASE_PATH=%s\nDB_SYNCHRONOUS=OFF\n"
	    "PASSWORD_ITERATIONS=100000\nPUBLIC_URL=https://hm.test\n",
	    SECRET, path);
	fclose(f);
	buf_init(&errmsg);
	if (conf_load(&conf, confpath, 1, &errmsg) != ERR_OK)
		die("conf_load", buf_str(&errmsg));
	(void)unlink(confpath);
	if (db_open(&conf, DB_MIGRATE, &db, &errmsg) != ERR_OK ||
	    db_migrate(db, &from, &to, &errmsg) != ERR_OK)
		die("db_migrate", buf_str(&errmsg));
	db_close(db);
	if (sqlite3_open(path, &live) != SQLITE_OK ||
	    sqlite3_exec(live, "PRAGMA synchronous = OFF", NULL, NULL,
	    &msg) != SQLITE_OK ||
	    sqlite3_exec(live, fixture, NULL, NULL, &msg) != SQLITE_OK)
		die("fixture", msg != NULL ? msg : sqlite3_errmsg(live));
	if (sqlite3_open(pristinepath, &pristine) != SQLITE_OK)
		die(pristinepath, sqlite3_errmsg(pristine));
	copy_db(pristine, live);
	version = data_version();
	if (app_open(&app, &conf, &errmsg) != ERR_OK)
		die("app_open", buf_str(&errmsg));
	buf_clear(&errmsg);
	if ((pool = pool_new()) == NULL)
		die("pool_new", "out of memory");
	atexit(cleanup);
	return 0;
}

/* Cuts the line at "*s" off and moves past it; NULL at the end. */
static char *
line(char **s)
{
	char	*l = *s, *nl;

	if (l == NULL)
		return NULL;
	if ((nl = strchr(l, '\n')) != NULL) {
		*nl = '\0';
		*s = nl + 1;
	} else
		*s = NULL;
	return l;
}

static void
header(struct req *r, char *l)
{
	static const struct {
		const char	*name;
		enum hdr	 h;
	} names[] = {
		{ "Authorization", HDR_AUTHORIZATION },
		{ "Content-Type", HDR_CONTENT_TYPE },
		{ "Cookie", HDR_COOKIE },
		{ "Idempotency-Key", HDR_IDEMPOTENCY_KEY },
		{ "Last-Event-ID", HDR_LAST_EVENT_ID },
		{ "Origin", HDR_ORIGIN },
		{ "X-CSRFToken", HDR_X_CSRFTOKEN },
	};
	char	*v;
	size_t	 i;

	if ((v = strchr(l, ':')) == NULL)
		return;
	*v++ = '\0';
	while (*v == ' ')
		v++;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(l, names[i].name) == 0)
			r->hdrs[names[i].h] = v;
}

/* Fills "r" from the input "s" (see the top), borrowing from it. */
static void
request(struct req *r, struct principal *who, char *s, size_t size)
{
	char	*p = s, *l, *sp;
	enum role	 role;

	memset(r, 0, sizeof(*r));
	r->pool = pool;
	r->remote_addr = "10.1.2.3";
	r->request_id = "0123-abcd";
	if ((l = line(&p)) != NULL) {
		if ((sp = strstr(l, "+cookie")) != NULL) {
			*sp = '\0';
			who->by_cookie = 1;
		}
		if ((role = http_role(l)) != ROLE__MAX) {
			who->user_id = uid[role];
			who->sid = sid[role];
			who->role = role;
			r->who = who;
		}
	}
	r->method_name = "GET";
	r->uri = "/";
	if ((l = line(&p)) != NULL) {
		if ((sp = strchr(l, ' ')) != NULL) {
			*sp = '\0';
			r->uri = sp + 1;
		}
		r->method_name = l;
	}
	r->method = http_method(r->method_name);
	while ((l = line(&p)) != NULL && *l != '\0')
		header(r, l);
	if (l != NULL && p != NULL) {
		r->body = p;
		r->bodysz = size - (size_t)(p - s);
	}
}

/*
 * Returns 1 if "h" ("n" bytes) is header lines "Name: value\r\n" with
 * no other CR or LF and no NUL (so no input split a header), else 0.
 */
static int
headers_ok(const char *h, size_t n)
{
	const char	*end;

	while (n > 0) {
		if ((end = memchr(h, '\n', n)) == NULL || end == h ||
		    end[-1] != '\r' || memchr(h, '\r', (size_t)(end - h)) !=
		    end - 1 || memchr(h, '\0', (size_t)(end - h)) != NULL ||
		    memchr(h, ':', (size_t)(end - h)) == NULL)
			return 0;
		n -= (size_t)(end - h) + 1;
		h = end + 1;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct principal	 who;
	struct req		 r;
	struct resp		 w;
	cJSON			*doc;
	char			*s;

	memset(&who, 0, sizeof(who));
	s = fuzz_str(data, size);
	request(&r, &who, s, size);
	resp_init(&w);
	http_handle(&app, &r, &w);
	if (w.status == 500)
		say("500", buf_str(&w.body), w.body.len);
	FUZZ_CHECK(w.status >= 200 && w.status < 600 && w.status != 500);
	if (w.body.len > 0) {
		FUZZ_CHECK(w.content_type != NULL);
		if (strstr(w.content_type, "json") != NULL) {
			doc = cJSON_ParseWithLength(w.body.p, w.body.len);
			FUZZ_CHECK(doc != NULL);
			cJSON_Delete(doc);
		}
	}
	FUZZ_CHECK(r.method != METHOD_HEAD || w.body.len == 0);
	FUZZ_CHECK(headers_ok(buf_str(&w.headers), w.headers.len));
	resp_clear(&w);
	free(s);
	pool_reset(pool);
	if (data_version() != version) {
		copy_db(live, pristine);
		version = data_version();
	}
	return 0;
}
