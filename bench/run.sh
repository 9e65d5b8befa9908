#!/bin/sh
# make bench: every benchmark, bounded in time; prints a table and writes
# JSON under $BUILD/bench/.  Timings are medians of several runs.
set -eu
BUILD=${1:-build}
OUT=$BUILD/bench
mkdir -p "$OUT"
export NAUT_BUILD="$BUILD"
for b in bench/bench-*.sh; do
	[ -f "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	sh "$b" "$BUILD" "$OUT"
done
