/*
 * Copyright (c) 2026 The Heart Monitor authors.  ISC licence: see COPYING.
 */
#include "config.h"

#include "fuzz.h"
#include "utf8.h"

/*
 * lib/utf8.c against a decoder written from RFC 3629 section 4 the
 * other way round: decode the code point, then refuse overlong forms,
 * surrogates and anything past U+10FFFF by value.
 */
static size_t
ref_seqlen(const unsigned char *s, size_t n)
{
	uint32_t	 cp;
	size_t		 len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	else if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	size_t		 i, len, count = 0;
	int		 valid = 1;

	FUZZ_CHECK(utf8_seqlen(data, size) == ref_seqlen(data, size));
	for (i = 0; i < size; i += len, count++) {
		if ((len = ref_seqlen(data + i, size - i)) == 0) {
			valid = 0;
			break;
		}
	}
	FUZZ_CHECK(utf8_valid(s, size) == valid);
	if (valid)
		FUZZ_CHECK(utf8_count(s, size) == count);
	else
		(void)utf8_count(s, size);
	return 0;
}
