#!/bin/sh
# make fuzz: builds the libFuzzer harnesses of tests/fuzz/ with clang in
# a build folder of their own, then runs each for FUZZ_SECONDS.
#
#   run.sh SRCDIR FUZZDIR NAME...
#
# SRCDIR is the source tree, FUZZDIR the clang build folder (configured
# here on first use: --enable-sanitizers with -fsanitize=fuzzer-no-link,
# so the library is instrumented for coverage and under ASan and UBSan;
# the harnesses are linked with -fsanitize=fuzzer), NAME a harness
# (tests/fuzz/fuzz_NAME.c).  Each runs from its seeds
# (tests/fuzz/corpus/NAME/, never written to) and what earlier runs
# found (FUZZDIR/corpus/NAME/), with tests/fuzz/NAME.dict, FUZZ_JOBS
# (default: the number of processors) at a time.  Any crash, leak,
# undefined behaviour, broken FUZZ_CHECK or input slower than
# FUZZ_TIMEOUT seconds fails the run; the input is kept as
# FUZZDIR/crashes/NAME-*, and FUZZDIR/tests/fuzz/fuzz_NAME FILE
# replays it.
#
# Environment: FUZZ_SECONDS (60), FUZZ_JOBS, FUZZ_TIMEOUT (25), CC (clang).
set -eu

[ $# -ge 3 ] || { echo "usage: $0 SRCDIR FUZZDIR NAME..." >&2; exit 2; }
src=$(cd "$1" && pwd)
mkdir -p "$2"
dir=$(cd "$2" && pwd)
shift 2
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc)}
timeout=${FUZZ_TIMEOUT:-25}
cc=${CC:-clang}
# A make above us must not pass its variables (CFLAGS=...) down.
unset MAKEFLAGS MFLAGS

say() { printf 'fuzz: %s\n' "$*" >&2; }

echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
    "$cc" -fsanitize=fuzzer,address,undefined -x c - -o "$dir/.cc-check" \
    2>/dev/null || {
	say "$cc cannot build libFuzzer programs; on Debian 12, as root:"
	echo "apt-get install -y clang libclang-rt-14-dev" >&2
	exit 1
}
rm -f "$dir/.cc-check"

if [ -f "$src/config.status" ]; then
	say "$src is configured in place, so no other build folder can be"
	say "configured from it: build in a folder of its own (as _build/)"
	exit 1
fi
if [ ! -f "$dir/Makefile" ] || [ "$src/configure" -nt "$dir/Makefile" ]; then
	say "configuring $dir"
	(cd "$dir" && "$src/configure" -q CC="$cc" \
	    CFLAGS="-g -O1 -fsanitize=fuzzer-no-link" \
	    --enable-sanitizers --disable-docs-ui --disable-werror)
fi
bins=
for n in "$@"; do
	bins="$bins tests/fuzz/fuzz_$n"
done
say "building$bins"
# shellcheck disable=SC2086 # one word per program
make -C "$dir" -s -j"$(nproc)" $bins >/dev/null

# Reports name files and lines if a symbolizer is there (llvm-14 has one).
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] &&
    ! command -v llvm-symbolizer >/dev/null; then
	for s in llvm-symbolizer-14 /usr/lib/llvm-14/bin/llvm-symbolizer; do
		if command -v "$s" >/dev/null; then
			ASAN_SYMBOLIZER_PATH=$(command -v "$s")
			export ASAN_SYMBOLIZER_PATH
			break
		fi
	done
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$dir/crashes" "$dir/logs"

# Runs harness "$1"; its log is logs/$1.log, its verdict logs/$1.rc.
run_one() {
	n=$1 dict=
	[ -f "$src/tests/fuzz/$n.dict" ] && dict=-dict=$src/tests/fuzz/$n.dict
	mkdir -p "$dir/corpus/$n"
	rc=0
	(cd "$dir" && "tests/fuzz/fuzz_$n" -max_total_time="$seconds" \
	    -timeout="$timeout" -close_fd_mask=2 -print_final_stats=1 \
	    -artifact_prefix="$dir/crashes/$n-" $dict \
	    "$dir/corpus/$n" "$src/tests/fuzz/corpus/$n") \
	    >"$dir/logs/$n.log" 2>&1 || rc=$?
	echo "$rc" > "$dir/logs/$n.rc"
}

say "running $# harnesses for ${seconds} s each, $jobs at a time"
rm -f "$dir"/logs/*.rc
# "$jobs" lanes, each running every jobs-th harness in turn.
lane=0
while [ "$lane" -lt "$jobs" ]; do
	(
		i=0
		for n in "$@"; do
			[ $((i % jobs)) -ne "$lane" ] || run_one "$n"
			i=$((i + 1))
		done
	) &
	lane=$((lane + 1))
done
wait

failed=0
for n in "$@"; do
	rc=$(cat "$dir/logs/$n.rc" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$dir/logs/$n.log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		printf 'fuzz_%s: ok, %s runs\n' "$n" "${runs:-?}"
		continue
	fi
	failed=$((failed + 1))
	printf 'fuzz_%s: FAILED (exit %s); from its log, %s:\n' "$n" "$rc" \
	    "$dir/logs/$n.log"
	{ sed -n '/FUZZ_CHECK failed\|^fuzz_http: \|ERROR: /,$p' \
	    "$dir/logs/$n.log" | grep . || tail -n 20 "$dir/logs/$n.log"; } |
	    head -n 60 | sed 's/^/    /'
done
if [ "$failed" -gt 0 ]; then
	say "$failed of $# harnesses failed; inputs kept in $dir/crashes/"
	exit 1
fi
say "all $# harnesses passed"
