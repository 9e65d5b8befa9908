#!/bin/sh
# One /metrics scrape with 100,000 devices in the segment.  The supervisor
# runs a batch whose devices are all unreachable (a closed port on
# loopback) with a budget of 1 and long backoffs, so it stays up while
# curl scrapes it.  Target: under 100 ms per scrape.  Median of 9.
set -eu
BUILD=$1
OUT=$2
N=${NAUT_BENCH_DEVICES:-100000}
PORT=22490
awk -v n="$N" -v out="$OUT/metrics-output" -v port="$PORT" 'BEGIN {
	printf "supervisor: { workers: 2, max_concurrent: 1, name: benchmetrics,"
	printf " output_dir: %s, metrics_listen: \"127.0.0.1:%d\" }\n", out, port
	print "defaults:"
	print "  { username: x, password: x, port: 9, retries: 10,"
	print "    backoff: { base: 1h, max: 1h }, host_key_checking: off }"
	print "devices:"
	for (i = 0; i < n; i++)
		printf "  - { name: d%06d, host: 127.3.%d.%d }\n", i,
		    int(i / 256) % 256, i % 256
	print "jobs: [ { name: j, commands: [show version] } ]"
}' >"$OUT/metrics-fleet.yaml"
"$BUILD/naut-supervisor" -q -c "$OUT/metrics-fleet.yaml" >/dev/null 2>&1 &
sup=$!
trap 'kill -INT $sup 2>/dev/null; kill -INT $sup 2>/dev/null; wait $sup 2>/dev/null || true' EXIT
i=0
until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || { echo "bench-metrics: no listener" >&2; exit 1; }
	sleep 0.1
done
: >"$OUT/metrics.times"
i=0
while [ $i -lt 9 ]; do
	curl -fsS -o "$OUT/metrics.txt" -w '%{time_total}\n' \
	    "http://127.0.0.1:$PORT/metrics" >>"$OUT/metrics.times"
	i=$((i + 1))
done
sort -n "$OUT/metrics.times" | awk -v n="$N" -v sz="$(wc -c <"$OUT/metrics.txt")" \
    -v out="$OUT/metrics.json" '{ t[NR] = $1 } END {
	m = t[int((NR + 1) / 2)] * 1000
	printf "/metrics with %d devices: %.1f ms per scrape (median of %d), " \
	    "%.1f MB\n", n, m, NR, sz / 1e6
	printf "{\"bench\":\"metrics_scrape\",\"devices\":%d,\"median_ms\":%.2f," \
	    "\"bytes\":%d}\n", n, m, sz > out
}'
