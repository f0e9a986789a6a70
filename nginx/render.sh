#!/bin/sh
# Heart Monitor API: renders an nginx template.
#
#	render.sh TEMPLATE > OUTPUT
#
# Writes TEMPLATE (or standard input when TEMPLATE is "-") to standard
# output with every @HM_NAME@ replaced by the value of the environment
# variable HM_NAME.  Other @...@ words (the Makefile's @sbindir@ and the
# like) are left alone.  If a variable that the template uses is unset or
# empty, nothing is written: each missing one is named on standard error
# and the exit status is 1.  Values are copied literally (no sed or shell
# quoting applies to them).
#
# The Makefile renders the production site with it and the dev/test stack
# renders the same templates with its own values.

set -u

prog=render.sh
if [ "$#" -ne 1 ]; then
	echo "usage: $prog TEMPLATE" >&2
	exit 1
fi
if [ "$1" != "-" ] && [ ! -r "$1" ]; then
	echo "$prog: $1: cannot read the template" >&2
	exit 1
fi

# The output is kept until the end so that a failure writes nothing.
exec awk -v prog="$prog" -v file="$1" '
{
	line = $0
	out = ""
	while (match(line, /@HM_[A-Z0-9_]+@/)) {
		name = substr(line, RSTART + 1, RLENGTH - 2)
		if (!(name in ENVIRON) || ENVIRON[name] == "") {
			if (!(name in reported)) {
				printf "%s: %s:%d: %s is not set (export %s=...)\n", \
				    prog, file, NR, name, name | "cat >&2"
				reported[name] = 1
			}
			failed = 1
			value = ""
		} else
			value = ENVIRON[name]
		out = out substr(line, 1, RSTART - 1) value
		line = substr(line, RSTART + RLENGTH)
	}
	text[NR] = out line
}
END {
	close("cat >&2")
	if (failed)
		exit 1
	for (i = 1; i <= NR; i++)
		print text[i]
}' "$1"
