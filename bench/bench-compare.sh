#!/bin/sh
# naut against the asyncio baseline network teams write today (asyncssh +
# uvloop, bench/asyncssh_baseline.py) on the same lab devices, alternating
# runs: N devices (1,000), show version over exec, key auth, concurrency
# 50.  Each client runs under bench/measure.py: CPU is user+sys of its
# whole process tree, memory the peak of the tree's summed PSS (naut's
# supervisor and workers against python's one process).  A client that
# exits non-zero or leaves a device not ok fails the benchmark.  Medians
# of RUNS (3).
# The lab's sshd shares the two cores, so wall time measures the lab too.
set -eu
N=${NAUT_BENCH_SSH_DEVICES:-1000}
C=50
. bench/lab.inc
F=$OUT/cmp-fleet.yaml
sh tests/lab/gen-fleet.sh "$N" -o "$F" -m exec -C "show version" -n cmp \
    -d "$OUT/cmp-output" -w 2 -c $C -k ed25519 >/dev/null 2>&1
: >"$OUT/cmp-naut.json"
: >"$OUT/cmp-py.json"
i=0
while [ $i -lt "$RUNS" ]; do
	rm -rf "$OUT/cmp-output"
	/usr/bin/python3 bench/measure.py -- "$BUILD/naut-supervisor" -q \
	    -c "$F" >>"$OUT/cmp-naut.json" 2>/dev/null
	nok=$(grep -c '"status":"ok"' "$OUT/cmp-output/results.jsonl")
	/usr/bin/python3 bench/measure.py -- /usr/bin/python3 \
	    bench/asyncssh_baseline.py "$F" $C "show version" \
	    >>"$OUT/cmp-py.json" 2>"$OUT/cmp-py.err"
	pok=$(grep -o '^ok=[0-9]*' "$OUT/cmp-py.err" "$OUT/cmp-py.json" |
	    tail -1 | sed 's/.*ok=//')
	[ "$(tail -1 "$OUT/cmp-naut.json" | jq .exit)" -eq 0 ] &&
	    [ "$nok" -eq "$N" ] || {
		echo "bench-compare: naut run $i: exit $(tail -1 "$OUT/cmp-naut.json" | jq .exit), $nok of $N ok" >&2
		exit 1
	}
	[ "$(tail -1 "$OUT/cmp-py.json" | jq .exit)" -eq 0 ] &&
	    [ "${pok:-0}" -eq "$N" ] || {
		echo "bench-compare: baseline run $i: exit $(tail -1 "$OUT/cmp-py.json" | jq .exit), ${pok:-0} of $N ok" >&2
		exit 1
	}
	i=$((i + 1))
done
row() {	# name measure.py-json ok-count
	grep '^{' "$2" | jq -r '"\(.wall_s) \(.cpu_s) \(.peak_pss_kib)"' |
	    awk -v name="$1" -v n="$N" -v okn="$3" '
	function med(a, k,    i, j, t) {
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((k + 1) / 2)]
	}
	{ w[NR] = $1; c[NR] = $2 * 1000 / n; r[NR] = $3 / 1024 }
	END {
		printf "%-22s %6d %5d %8.1f %9.1f %12.2f %10.1f %8s\n", name, n,
		    50, med(w, NR), n / med(w, NR), med(c, NR), med(r, NR), okn
	}'
}
printf "%-22s %6s %5s %8s %9s %12s %10s %8s\n" client devices conc "wall s" \
    devices/s "CPU ms/dev" "PSS MiB" ok
row naut "$OUT/cmp-naut.json" "$nok" | tee "$OUT/cmp.txt"
row "asyncssh+uvloop" "$OUT/cmp-py.json" "$pok" | tee -a "$OUT/cmp.txt"
awk 'NR == 1 { n = $6 } NR == 2 { p = $6 } END {
	if (n > 0) printf "asyncssh uses %.1fx the CPU per device that naut uses\n", p / n
}' "$OUT/cmp.txt"
