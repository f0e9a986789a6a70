/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#ifndef HM_FUZZ_H
#define HM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/common_interface_defs.h>

/*
 * What every libFuzzer harness of tests/fuzz/ shares.  A harness is one
 * LLVMFuzzerTestOneInput() that feeds the bytes to one parser and checks
 * what the parser promises (its header comment) on top of what ASan and
 * UBSan check; tests/fuzz/run.sh builds and runs them ("make fuzz").
 */
int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int		 LLVMFuzzerInitialize(int *, char ***);

/*
 * A broken promise: say which, and crash so that libFuzzer keeps the
 * input.  The message goes where the sanitizers report, which stays
 * open when run.sh has libFuzzer close stderr (the access log).
 */
#define	FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		__sanitizer_report_error_summary("FUZZ_CHECK failed: " \
		    __FILE__ ":" FUZZ_STR(__LINE__) ": " #cond);	\
		abort();						\
	}								\
} while (0)
#define	FUZZ_STR(x)	FUZZ_STR_(x)
#define	FUZZ_STR_(x)	#x

/*
 * A NUL-terminated copy of the input, for parsers of C strings: ASan
 * sees a read past its NUL.  Free with free().
 */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Returns 1 if "s" ("n" bytes) has a byte below 0x20 or 0x7f, else 0. */
static inline int
fuzz_has_ctl(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

#endif /* !HM_FUZZ_H */
