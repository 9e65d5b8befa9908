#!/bin/sh
# Breakers against dead devices: 100 lab devices, 20 of them hanging after
# login (dead), retries 3, auth timeout 2 s, concurrency 10.  Wall time of
# the batch with breakers (failure_threshold 2, per device; then one
# breaker shared by the 20, as behind one controller) and without
# (threshold 1000).  Median of NAUT_BENCH_RUNS (3) runs each.
set -eu
. bench/lab.inc
echo "0-19 behaviour=hang_login" >"$LAB_DEVICES_CONF"
sh tests/lab/gen-fleet.sh 100 -o "$OUT/brk-base.yaml" -m exec \
    -C "show version" -n benchbrk -d "$OUT/brk-output" -w 2 -c 10 \
    -k ed25519 >/dev/null 2>&1

variant() {	# name, breaker line for the dead devices
	awk -v brk="$2" '
		/^  timeout:/ { print "  timeout: { connect: 2s, auth: 2s, command: 5s }"; next }
		/^  retries:/ { print "  retries: 3"; print "  backoff: { base: 200ms, max: 1s }"; next }
		/name: dev0000(0[0-9]|1[0-9]),/ { sub(/ }$/, ", breaker: " brk " }") }
		{ print }' "$OUT/brk-base.yaml" >"$OUT/brk-$1.yaml"
	: >"$OUT/brk-$1.times"
	i=0
	while [ $i -lt "$RUNS" ]; do
		rm -rf "$OUT/brk-output"
		/usr/bin/time -f "%e" -a -o "$OUT/brk-$1.times" \
		    "$BUILD/naut-supervisor" -q -c "$OUT/brk-$1.yaml" \
		    >/dev/null 2>&1 || true
		i=$((i + 1))
	done
	printf "  %-22s wall %s s (median of %d)\n" "$1" \
	    "$(grep -E "^[0-9.]+$" "$OUT/brk-$1.times" | sort -n | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')" \
	    "$RUNS"
}
echo "20% dead devices (hang after login), 100 devices, retries 3:"
variant without "{ failure_threshold: 1000 }"
variant per-device "{ failure_threshold: 2 }"
variant shared-key "{ failure_threshold: 2, key: ctrl }"
