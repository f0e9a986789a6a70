#!/bin/sh
# Checks every manual page with mandoc's linter: a WARNING or worse (a
# broken macro, a missing section, bad markup) fails; STYLE notes do not.
# Run by "make check" with $srcdir set.

srcdir=${srcdir:-.}
if ! command -v mandoc >/dev/null 2>&1; then
	echo "ERROR: mandoc is missing (apt-get install mandoc)" >&2
	exit 99
fi
status=0
for page in "$srcdir"/man/*.[0-9]; do
	if ! mandoc -T lint -W warning "$page"; then
		echo "FAIL: $page" >&2
		status=1
	fi
done
exit $status
