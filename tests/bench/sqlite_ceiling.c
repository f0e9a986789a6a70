/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
/*
 * sqlite_ceiling: the SQLite ceiling of the benchmarks (issue #8).
 *
 *	sqlite_ceiling [-b rows] [-s synchronous] [-t seconds] DBFILE
 *
 * Opens (creating) DBFILE with the workers' pragmas (lib/db.c: WAL,
 * foreign keys, a busy timeout, synchronous FULL unless -s says
 * otherwise) and, for "seconds" (default 10), commits transactions of
 * "rows" (default 1) single-row inserts into a table shaped like the
 * readings, each one BEGIN IMMEDIATE ... COMMIT as the workers write.
 * Prints one JSON object: commits and rows per second and the p50/p99
 * latency of a commit, in milliseconds.  Nothing else runs: this is the
 * most the disk and SQLite allow one writer, which is all a WAL
 * database ever has at a time.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define	ROWS_MAX	100000

static const char *const	 schema =
    "CREATE TABLE IF NOT EXISTS ceiling ("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " patient_id TEXT NOT NULL,"
    " bpm INTEGER NOT NULL CHECK (bpm BETWEEN 20 AND 300),"
    " status TEXT NOT NULL,"
    " measured_at TEXT NOT NULL,"
    " recorded_at TEXT NOT NULL) STRICT;"
    "CREATE INDEX IF NOT EXISTS ceiling_patient"
    " ON ceiling (patient_id, measured_at, seq);";

static const char *const	 insert =
    "INSERT INTO ceiling (id, patient_id, bpm, status, measured_at,"
    " recorded_at) VALUES (?, ?, ?, ?, ?, ?5)";

static void
usage(void)
{

	fprintf(stderr, "usage: sqlite_ceiling [-b rows] [-s synchronous] "
	    "[-t seconds] DBFILE\n");
	exit(2);
}

static double
now(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
number(const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		usage();
	return v;
}

/* Runs trusted, compiled-in SQL; returns 0 after printing any error. */
static int
exec(sqlite3 *db, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 1;
	fprintf(stderr, "sqlite_ceiling: %s: %s\n", sql,
	    msg != NULL ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return 0;
}

/* The current UTC time as RFC 3339 with milliseconds, as rows carry. */
static void
stamp(char out[32])
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 day[24];

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	(void)gmtime_r(&ts.tv_sec, &tm);
	if (strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		day[0] = '\0';
	(void)snprintf(out, 32, "%.19s.%03dZ", day,
	    (int)(ts.tv_nsec / 1000000) % 1000);
}

/* Binds and inserts row number "n"; returns 0 after printing any error. */
static int
insert_row(sqlite3 *db, sqlite3_stmt *st, uint64_t n)
{
	char	 id[40], patient[40], at[32];
	int	 bpm = 40 + (int)(n % 120), rc;

	(void)snprintf(id, sizeof(id), "00000000-0000-7000-8000-%012llx",
	    (unsigned long long)(n & 0xffffffffffffULL));
	(void)snprintf(patient, sizeof(patient),
	    "00000000-0000-7000-9000-%012llx", (unsigned long long)(n % 500));
	stamp(at);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, patient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, bpm);
	sqlite3_bind_text(st, 4, bpm < 60 ? "low" : bpm > 100 ? "high" :
	    "normal", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, at, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == SQLITE_DONE)
		return 1;
	fprintf(stderr, "sqlite_ceiling: insert: %s\n", sqlite3_errmsg(db));
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The "p" percentile of the "n" sorted values of "v". */
static double
percentile(const double *v, size_t n, double p)
{
	size_t	 i;

	if (n == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

int
main(int argc, char *argv[])
{
	const char	*sync = "FULL";
	char		 sql[64];
	sqlite3		*db = NULL;
	sqlite3_stmt	*st = NULL;
	double		*lat = NULL, *tmp, start, t0, elapsed;
	size_t		 nlat = 0, cap = 0;
	uint64_t	 n;
	long		 rows = 1, seconds = 10, i;
	int		 c, rc = 1;

	while ((c = getopt(argc, argv, "b:s:t:")) != -1)
		switch (c) {
		case 'b':
			rows = number(optarg, 1, ROWS_MAX);
			break;
		case 's':
			sync = optarg;
			if (strcasecmp(sync, "OFF") != 0 &&
			    strcasecmp(sync, "NORMAL") != 0 &&
			    strcasecmp(sync, "FULL") != 0 &&
			    strcasecmp(sync, "EXTRA") != 0)
				usage();
			break;
		case 't':
			seconds = number(optarg, 1, 3600);
			break;
		default:
			usage();
		}
	if (optind + 1 != argc)
		usage();

	/* The pragmas of lib/db.c's db_open(), in its order. */
	(void)snprintf(sql, sizeof(sql), "PRAGMA synchronous = %s", sync);
	if (sqlite3_open(argv[optind], &db) != SQLITE_OK) {
		fprintf(stderr, "sqlite_ceiling: %s: %s\n", argv[optind],
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
	    !exec(db, "PRAGMA journal_mode = WAL") ||
	    !exec(db, "PRAGMA foreign_keys = ON") ||
	    !exec(db, "PRAGMA cache_size = -512") || !exec(db, sql) ||
	    !exec(db, schema))
		goto out;
	if (sqlite3_prepare_v3(db, insert, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlite_ceiling: prepare: %s\n",
		    sqlite3_errmsg(db));
		goto out;
	}

	/* New ids at every run on the same file: 28 bits of seconds. */
	n = ((uint64_t)time(NULL) & 0xfffffff) << 20;
	start = now();
	while ((elapsed = now() - start) < (double)seconds) {
		t0 = now();
		if (!exec(db, "BEGIN IMMEDIATE"))
			goto out;
		for (i = 0; i < rows; i++)
			if (!insert_row(db, st, n++)) {
				(void)exec(db, "ROLLBACK");
				goto out;
			}
		if (!exec(db, "COMMIT"))
			goto out;
		if (nlat == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			if ((tmp = reallocarray(lat, cap, sizeof(*lat))) ==
			    NULL) {
				fprintf(stderr, "sqlite_ceiling: out of "
				    "memory\n");
				goto out;
			}
			lat = tmp;
		}
		lat[nlat++] = (now() - t0) * 1000.0;
	}
	qsort(lat, nlat, sizeof(*lat), cmp_double);
	printf("{\"synchronous\": \"%s\", \"rows_per_commit\": %ld, "
	    "\"seconds\": %.3f, \"commits\": %zu, \"commits_per_s\": %.1f, "
	    "\"rows_per_s\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f}\n",
	    sync, rows, elapsed, nlat, (double)nlat / elapsed,
	    (double)nlat * (double)rows / elapsed,
	    percentile(lat, nlat, 50), percentile(lat, nlat, 99));
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(lat);
	return rc;
}
