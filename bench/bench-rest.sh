#!/bin/sh
# REST polling throughput: N devices (1,000), each polled P times (20) over
# one kept-alive TLS connection (HTTP/2 for naut, HTTP/1.1 for aiohttp,
# each client's best), basic auth, the test CA pinned, against a private
# nginx on loopback (tests/lab/rest-lab.sh, ports 22510-22511).  naut runs
# 2 workers with max_concurrent C (100); the baseline is aiohttp with the
# same concurrency (bench/rest_baseline.py), saving bodies the same way.
# Both save every body atomically (temporary file, fsync, rename); outputs
# go to tmpfs (/dev/shm) when there is one, so that the shared disk's fsync
# latency does not drown the clients' own cost.  Client CPU is user+sys of
# the client's process tree (wait4 rusage via time(1)); nginx's CPU is not
# counted.  Medians of RUNS (3), alternating.
set -eu
BUILD=$1
OUT=$2
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
N=${NAUT_BENCH_REST_DEVICES:-1000}
P=${NAUT_BENCH_REST_POLLS:-20}
C=100
RUNS=${NAUT_BENCH_RUNS:-3}
PORT=22510
D=$BUILD/bench-rest-lab
mkdir -p "$OUT"
sh tests/lab/rest-lab.sh start "$D" $PORT $((PORT + 1)) "$N" 1 >/dev/null
trap 'sh tests/lab/rest-lab.sh stop "$D" >/dev/null 2>&1 || true' EXIT INT TERM

SAVE=$OUT
[ -d /dev/shm ] && [ -w /dev/shm ] && SAVE=$(mktemp -d /dev/shm/naut-bench-rest.XXXXXX)
trap 'sh tests/lab/rest-lab.sh stop "$D" >/dev/null 2>&1 || true
    [ "$SAVE" != "$OUT" ] && rm -rf "$SAVE"' EXIT INT TERM
F=$OUT/rest-fleet.yaml
k=0
: >"$OUT/rest-devices.txt"
{
	echo "supervisor: { workers: 2, max_concurrent: $C, output_dir: $SAVE/rest-output, metrics_listen: 127.0.0.1:$((PORT + 2)), name: benchrest }"
	echo "defaults: { transport: rest, port: $PORT, username: naut, password_file: $D/password, ca_file: $D/ca.crt, timeout: { connect: 10s, command: 60s } }"
	echo "devices:"
	while [ $k -lt "$N" ]; do
		a=$(sh tests/lab/rest-lab.sh addr $k)
		echo "$a" >>"$OUT/rest-devices.txt"
		echo "  - { name: r$k, host: $a }"
		k=$((k + 1))
	done
	echo "jobs:"
	echo "  - name: poll"
	echo "    requests:"
	k=0
	while [ $k -lt "$P" ]; do
		case $((k % 5)) in
		0) p=system ;; 1) p=interfaces ;; 2) p=cpu ;; 3) p=mem ;; 4) p=routes ;;
		esac
		echo "      - /api/$p.json"
		k=$((k + 1))
	done
} >"$F"

: >"$OUT/rest-naut.times"
: >"$OUT/rest-py.times"
: >"$OUT/rest.ok"
i=0
while [ $i -lt "$RUNS" ]; do
	rm -rf "$SAVE/rest-output"
	/usr/bin/time -f "%e %U %S %M" -a -o "$OUT/rest-naut.times" \
	    "$BUILD/naut-supervisor" -q -c "$F" >/dev/null 2>"$OUT/rest.log" ||
	    echo "bench-rest: naut run $i failed; see $OUT/rest.log" >&2
	echo "naut $(grep -c '"status":"ok"' "$SAVE/rest-output/results.jsonl")" \
	    >>"$OUT/rest.ok"
	rm -rf "$SAVE/rest-py-output"
	/usr/bin/time -f "%e %U %S %M" -a -o "$OUT/rest-py.times" \
	    /usr/bin/python3 bench/rest_baseline.py "$OUT/rest-devices.txt" \
	    $PORT $C "$P" "$D/ca.crt" "$D/password" "$SAVE/rest-py-output" \
	    >>"$OUT/rest.ok" 2>"$OUT/rest-py.log" ||
	    echo "bench-rest: python run $i failed; see $OUT/rest-py.log" >&2
	i=$((i + 1))
done
rm -rf "$SAVE/rest-output" "$SAVE/rest-py-output"

row() {	# name times-file
	grep -E '^[0-9.]+ ' "$2" | awk -v name="$1" -v n="$N" -v p="$P" '
	function med(a, k,    i, j, t) {
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((k + 1) / 2)]
	}
	{ w[NR] = $1; c[NR] = ($2 + $3) * 1000000 / (n * p); r[NR] = $4 / 1024 }
	END {
		printf "%-16s %7d %6d %8.2f %10.0f %14.1f %9.1f\n", name, n * p,
		    NR, med(w, NR), n * p / med(w, NR), med(c, NR), med(r, NR)
	}'
}
printf "%-16s %7s %6s %8s %10s %14s %9s\n" client requests runs "wall s" \
    "requests/s" "CPU us/request" "RSS MiB"
row naut "$OUT/rest-naut.times" | tee "$OUT/rest.txt"
row aiohttp "$OUT/rest-py.times" | tee -a "$OUT/rest.txt"
echo "ok devices per run: naut $(awk '$1 == "naut" { printf "%s ", $2 }' "$OUT/rest.ok")(of $((N * P)) records);" \
    "aiohttp $(sed -n 's/^ok=\([0-9]*\).*/\1/p' "$OUT/rest.ok" | tr '\n' ' ')(of $N devices)"
awk -v n="$N" -v p="$P" 'NR == 1 { nr = $5; nc = $6 } NR == 2 { pr = $5; pc = $6 }
    END { printf "{\"bench\":\"rest_poll\",\"devices\":%d,\"polls\":%d,\"naut_rps\":%.0f,\"naut_cpu_us_per_req\":%.1f,\"aiohttp_rps\":%.0f,\"aiohttp_cpu_us_per_req\":%.1f}\n", n, p, nr, nc, pr, pc }' \
    "$OUT/rest.txt" >"$OUT/rest.json"
awk 'NR == 1 { nc = $6 } NR == 2 { pc = $6 }
    END { if (nc > 0) printf "aiohttp uses %.1fx the CPU per request that naut uses\n", pc / nc }' "$OUT/rest.txt"
