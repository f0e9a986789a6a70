/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "fuzz.h"
#include "rfc3339.h"

#define	MS_PER_DAY	INT64_C(86400000)

/*
 * time_parse(), time_parse_ceil() and date_parse() on one string, held
 * to time_format(): what parses formats back to itself when it is
 * already in the canonical form, and every formatted time parses back
 * to the same millisecond.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, out[RFC3339_STRLEN + 1], date[DATE_STRLEN + 1];
	int64_t		 ms, ceil, back, days;
	size_t		 n;

	s = fuzz_str(data, size);
	n = strlen(s);
	if (time_parse(s, &ms) == ERR_OK) {
		FUZZ_CHECK(time_parse_ceil(s, &ceil) == ERR_OK);
		FUZZ_CHECK(ceil == ms || ceil == ms + 1);
		memcpy(date, s, DATE_STRLEN);
		date[DATE_STRLEN] = '\0';
		FUZZ_CHECK(date_parse(date, &days) == ERR_OK);
		if (time_format(ms, out) == ERR_OK) {
			FUZZ_CHECK(time_parse(out, &back) == ERR_OK);
			FUZZ_CHECK(back == ms);
			if (n == RFC3339_STRLEN && s[19] == '.' && s[23] == 'Z')
				FUZZ_CHECK(strcmp(out, s) == 0);
		}
	} else
		FUZZ_CHECK(time_parse_ceil(s, &ceil) != ERR_OK);
	if (date_parse(s, &days) == ERR_OK) {
		FUZZ_CHECK(time_format(days * MS_PER_DAY, out) == ERR_OK);
		FUZZ_CHECK(strncmp(out, s, DATE_STRLEN) == 0);
	}
	free(s);
	return 0;
}
