#!/bin/sh
# Checks that the configuration documents follow the keys[] table of
# lib/conf.c: every key of the table has a commented "#KEY=default" line
# in etc/heartmonitor.conf.example, with the table's default, and an
# ".It Ic KEY" entry in man/heartmonitor.conf.5; and neither document
# names a KEY=... (or, in the manual, an entry) that the table lacks.
# Run by "make check" with $srcdir set; exits 1 naming every problem.

srcdir=${srcdir:-.}
conf=$srcdir/lib/conf.c
example=$srcdir/etc/heartmonitor.conf.example
manual=$srcdir/man/heartmonitor.conf.5
status=0
tmp=${TMPDIR:-/tmp}/check_conf_docs.$$
trap 'rm -f "$tmp".*' EXIT
trap 'exit 99' HUP INT TERM

fail() {
	echo "FAIL: $*" >&2
	status=1
}

for f in "$conf" "$example" "$manual"; do
	if [ ! -r "$f" ]; then
		echo "ERROR: cannot read $f" >&2
		exit 99
	fi
done

# The table: from "keys[] = {" to the "};" that closes it.  Each key
# opens with a line '{ "NAME", CONF_TYPE, ...'.
sed -n '/^static const struct conf_key[[:space:]]*keys\[\]/,/^};/p' "$conf" \
    > "$tmp.table"
sed -n 's/^[[:space:]]*{[[:space:]]*"\([A-Z0-9_]*\)",[[:space:]]*CONF_.*/\1/p' \
    "$tmp.table" > "$tmp.keys"
if [ ! -s "$tmp.keys" ]; then
	echo "ERROR: no keys found in the keys[] table of $conf" >&2
	exit 99
fi

# The default of each key, "NAME<tab>DEFAULT" ("NAME<tab>" for NULL),
# read from the table joined into one line, since an entry may span
# lines.  An entry whose default is not one string literal or NULL is
# reported, so that the check never passes by skipping it.
tr '\n\t' '  ' < "$tmp.table" | awk '
{
	s = $0
	while (match(s, /\{ *"[A-Z0-9_]+", *CONF_[A-Z]+, */)) {
		entry = substr(s, RSTART, RLENGTH)
		s = substr(s, RSTART + RLENGTH)
		name = entry
		sub(/^\{ *"/, "", name)
		sub(/".*/, "", name)
		if (match(s, /^NULL *,/))
			printf "%s\t\n", name
		else if (match(s, /^"[^"]*" *,/)) {
			def = substr(s, 2, RLENGTH - 1)
			sub(/" *,$/, "", def)
			printf "%s\t%s\n", name, def
		} else
			printf "%s\t?\n", name
	}
}' > "$tmp.defaults"

# Every key is documented in both files.
while read -r key; do
	if ! grep -Eq "^#? ?$key=" "$example"; then
		fail "$key: no \"#$key=...\" line in $example"
	else
		want=$(awk -F '\t' -v k="$key" '$1 == k { print $2 }' \
		    "$tmp.defaults")
		got=$(sed -n "s/^#\{0,1\} \{0,1\}$key=//p" "$example" | \
		    sed -n 1p)
		if [ "$want" = "?" ]; then
			fail "$key: cannot read its default in $conf"
		elif [ "$got" != "$want" ]; then
			fail "$key: $example gives the default \"$got\"," \
			    "$conf \"$want\""
		fi
	fi
	if ! awk -v k="$key" '
	    /^\.It Ic / { for (i = 3; i <= NF; i++) if ($i == k) f = 1 }
	    END { exit !f }' "$manual"; then
		fail "$key: no \".It Ic $key\" entry in $manual"
	fi
done < "$tmp.keys"

# Neither file names a key the table does not have.  (No pipe into the
# loop: it would run in a subshell and lose "status".)
check_known() {	# file names: the names that "file" uses
	sort -u "$2" > "$2.sorted"
	while read -r name; do
		if ! grep -qx "$name" "$tmp.keys"; then
			fail "$name: in $1 but not in the keys[] table of" \
			    "$conf"
		fi
	done < "$2.sorted"
}
assigned='s/^#\{0,1\} \{0,1\}\([A-Z_][A-Z0-9_]*\)=.*/\1/p'
sed -n "$assigned" "$example" > "$tmp.example"
check_known "$example" "$tmp.example"
{
	sed -n "$assigned" "$manual"
	awk '/^\.It Ic / { for (i = 3; i <= NF; i++)
	    if ($i ~ /^[A-Z_][A-Z0-9_]*$/) print $i }' "$manual"
} > "$tmp.manual"
check_known "$manual" "$tmp.manual"

if [ "$status" -eq 0 ]; then
	echo "$(wc -l < "$tmp.keys" | tr -d ' ') keys documented in" \
	    "$example and $manual"
fi
exit "$status"
