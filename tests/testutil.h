/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_TESTUTIL_H
#define HM_TESTUTIL_H

#include <check.h>

/*
 * Runs "s" with a CK_NORMAL report and returns the process exit status
 * (0 when every test passed).  Every check_<module>.c main() is just
 * "return test_run(module_suite());".
 */
int		 test_run(Suite *s);

#endif /* !HM_TESTUTIL_H */
