#!/bin/sh
# naut-stat and segment benchmark (not a test; run by hand or from
# `make bench`).  Needs build/naut-stat, build/tests/nstat_writer and
# build/tests/shm_bench.
#
#   sh bench/bench-nstat.sh [BUILD] [OUTDIR]   (NAUT_BENCH_DEVICES, RUNS)
#
# 1. naut-stat -1 -j on a segment of DEVICES (default 100000) devices and
#    16 workers, wall time per run over RUNS runs, process start included.
#    Target: mean under 50 ms (exit 1 if missed).  -1 and -j -d (the full
#    device list as JSON) are reported for information.
# 2. shm_bench: ns per counter increment, histogram observation, budget
#    acquire+release pair (alone and with two processes), seqlock write
#    and read, slot summing.
set -u
B=${1:-${NAUT_BUILD:-build}}
DEVICES=${NAUT_BENCH_DEVICES:-100000}
RUNS=${RUNS:-20}
TARGET_MS=50
STAT=$B/naut-stat
T=$(mktemp -d /tmp/nstat_bench.XXXXXX)
WPID=""
trap '[ -n "$WPID" ] && kill $WPID 2>/dev/null; wait; rm -rf "$T"' EXIT

for f in "$STAT" "$B/tests/nstat_writer" "$B/tests/shm_bench"; do
	[ -x "$f" ] || { echo "nstat_bench: $f missing; build it first" >&2;
	    exit 2; }
done

"$B/tests/nstat_writer" -p "$T/seg" -W 16 -D "$DEVICES" -b 256 \
    > "$T/w.out" 2>&1 &
WPID=$!
i=0
until grep -q '^ready' "$T/w.out"; do
	i=$((i + 1))
	[ $i -gt 400 ] && { echo "nstat_bench: writer did not start" >&2;
	    exit 2; }
	sleep 0.05
done
echo "segment: $DEVICES devices, 16 workers, $(stat -c %s "$T/seg") bytes"

ms_now() { date +%s%N; }

# time_runs LABEL ARGS...: prints mean/min/max ms, sets MEAN_MS
time_runs() {
	label=$1
	shift
	"$STAT" -p "$T/seg" "$@" > "$T/out" 2>&1 || {
	    echo "nstat_bench: naut-stat $* failed:" >&2; cat "$T/out" >&2;
	    exit 2; }
	sum=0 min=999999999 max=0 r=0
	while [ $r -lt "$RUNS" ]; do
		t0=$(ms_now)
		"$STAT" -p "$T/seg" "$@" > /dev/null
		t1=$(ms_now)
		d=$(( (t1 - t0) / 1000 ))	# microseconds
		sum=$((sum + d))
		[ $d -lt $min ] && min=$d
		[ $d -gt $max ] && max=$d
		r=$((r + 1))
	done
	MEAN_US=$((sum / RUNS))
	printf '%-28s mean %6d.%01d ms  min %6d.%01d ms  max %6d.%01d ms  ' \
	    "$label" $((MEAN_US / 1000)) $((MEAN_US % 1000 / 100)) \
	    $((min / 1000)) $((min % 1000 / 100)) $((max / 1000)) \
	    $((max % 1000 / 100))
	printf '(%s bytes out)\n' "$(wc -c < "$T/out" | tr -d ' ')"
}

echo "naut-stat, $RUNS runs each, wall time incl. exec:"
time_runs "naut-stat -1 -j" -1 -j
JMEAN=$MEAN_US
time_runs "naut-stat -1" -1
time_runs "naut-stat -j -d (all devs)" -j -d
echo
echo "segment operations:"
"$B/tests/shm_bench"
echo
if [ $JMEAN -lt $((TARGET_MS * 1000)) ]; then
	echo "PASS: naut-stat -1 -j on $DEVICES devices: mean" \
	    "$((JMEAN / 1000)).$((JMEAN % 1000 / 100)) ms < $TARGET_MS ms"
else
	echo "FAIL: naut-stat -1 -j on $DEVICES devices: mean" \
	    "$((JMEAN / 1000)).$((JMEAN % 1000 / 100)) ms >= $TARGET_MS ms"
	exit 1
fi
