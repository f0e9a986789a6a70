/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_TESTUTIL_H
#define HM_TESTUTIL_H

#include <check.h>
#include <cjson/cJSON.h>

#include "app.h"
#include "conf.h"
#include "http.h"

/*
 * Runs "s" with a CK_NORMAL report and returns the process exit status
 * (0 when every test passed).  Every check_<module>.c main() is just
 * "return test_run(module_suite());".
 */
int		 test_run(Suite *s);

/*
 * A fresh, migrated database file in a new temporary folder, and an
 * app serving it.  testdb_open() fails the test on any error;
 * testdb_close() removes the folder.
 */
#define	TEST_SECRET	"test-secret-0123456789abcdefghijklmnopqrstuvwxyz"

struct	testdb {
	char		 dir[64];
	char		 path[128];
	struct conf	 conf;
	struct app	 app;
};

void		 testdb_open(struct testdb *);
void		 testdb_close(struct testdb *);

/*
 * Runs "sql" on a second connection to the test database, as another
 * process would; fails the test (naming the error) if it fails.
 */
void		 testdb_exec(const struct testdb *, const char *sql);

/* The integer of the first row of "sql" on a second connection, or -1. */
long		 testdb_count(const struct testdb *, const char *sql);

/*
 * Fills "r" as the FastCGI layer would for "method" and "uri", with no
 * headers and no body.  Strings are borrowed, not copied.
 */
void		 req_fake(struct req *r, struct pool *, enum method,
		    const char *uri);

/* Member "key" of the JSON object "o", or NULL. */
const cJSON	*cj_member(const cJSON *o, const char *key);

/* Member "key" of "o" as a string, or NULL if absent or not a string. */
const char	*cj_str(const cJSON *o, const char *key);

#endif /* !HM_TESTUTIL_H */
