#!/bin/sh
# Config load at scale: naut-supervisor -t on a generated 100,000-device
# fleet (groups, tags, inheritance).  Target: < 1 s and < 200 MiB peak RSS.
set -eu
BUILD=$1
OUT=$2
N=${NAUT_BENCH_DEVICES:-100000}
RUNS=${NAUT_BENCH_RUNS:-5}
F=$OUT/fleet-$N.yaml
sh bench/gen-fleet.sh "$N" > "$F"
: > "$OUT/conf.times"
i=0
while [ $i -lt "$RUNS" ]; do
	/usr/bin/time -f "%e %M" -a -o "$OUT/conf.times" \
	    "$BUILD/naut-supervisor" -t -c "$F" >/dev/null
	i=$((i + 1))
done
sort -n "$OUT/conf.times" | awk -v n="$N" -v f="$F" -v out="$OUT/conf.json" '
	{ t[NR] = $1; m[NR] = $2 }
	END {
		mid = int((NR + 1) / 2)
		# RSS is nearly constant; report the median of the sorted run.
		printf "devices %d  load median %.2f s  peak RSS %.0f MiB (%d runs)\n",
		    n, t[mid], m[mid] / 1024, NR
		printf "{\"bench\":\"conf_load\",\"devices\":%d,\"runs\":%d," \
		    "\"median_s\":%.3f,\"peak_rss_kib\":%d}\n", n, NR, t[mid],
		    m[mid] > out
	}'
ls -l "$F" | awk '{ printf "fleet file: %.1f MB\n", $5 / 1048576 }'
