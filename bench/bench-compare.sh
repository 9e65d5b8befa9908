#!/bin/sh
# naut against the asyncio baseline network teams write today (asyncssh +
# uvloop, bench/asyncssh_baseline.py) on the same lab devices, alternating
# runs: N devices (1,000), show version over exec, key auth, concurrency
# 50.  Client CPU is user+sys of the client process tree (wait4 rusage);
# peak RSS is the largest process of the tree.  Medians of RUNS (3).
# The lab's sshd shares the two cores, so wall time measures the lab too.
set -eu
N=${NAUT_BENCH_SSH_DEVICES:-1000}
C=50
. bench/lab.inc
F=$OUT/cmp-fleet.yaml
sh tests/lab/gen-fleet.sh "$N" -o "$F" -m exec -C "show version" -n cmp \
    -d "$OUT/cmp-output" -w 2 -c $C -k ed25519 >/dev/null 2>&1
: >"$OUT/cmp-naut.times"
: >"$OUT/cmp-py.times"
i=0
while [ $i -lt "$RUNS" ]; do
	rm -rf "$OUT/cmp-output"
	/usr/bin/time -f "%e %U %S %M" -a -o "$OUT/cmp-naut.times" \
	    "$BUILD/naut-supervisor" -q -c "$F" >/dev/null 2>&1 || true
	echo "naut ok=$(grep -c '"status":"ok"' "$OUT/cmp-output/results.jsonl")" \
	    >>"$OUT/cmp-naut.ok"
	/usr/bin/time -f "%e %U %S %M" -a -o "$OUT/cmp-py.times" \
	    /usr/bin/python3 bench/asyncssh_baseline.py "$F" $C "show version" \
	    >>"$OUT/cmp-py.ok" 2>/dev/null || true
	i=$((i + 1))
done
row() {	# name times-file ok-count
	grep -E '^[0-9.]+ ' "$2" | awk -v name="$1" -v n="$N" -v okn="$3" '
	function med(a, k,    i, j, t) {
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return a[int((k + 1) / 2)]
	}
	{ w[NR] = $1; c[NR] = ($2 + $3) * 1000 / n; r[NR] = $4 / 1024 }
	END {
		printf "%-22s %6d %5d %8.1f %9.1f %12.2f %10.1f %8s\n", name, n,
		    50, med(w, NR), n / med(w, NR), med(c, NR), med(r, NR), okn
	}'
}
printf "%-22s %6s %5s %8s %9s %12s %10s %8s\n" client devices conc "wall s" \
    devices/s "CPU ms/dev" "RSS MiB" ok
row naut "$OUT/cmp-naut.times" "$(tail -1 "$OUT/cmp-naut.ok" | cut -d= -f2)" |
    tee "$OUT/cmp.txt"
row "asyncssh+uvloop" "$OUT/cmp-py.times" \
    "$(tail -1 "$OUT/cmp-py.ok" | sed 's/ok=\([0-9]*\).*/\1/')" |
    tee -a "$OUT/cmp.txt"
awk 'NR == 1 { n = $6 } NR == 2 { p = $6 } END {
	if (n > 0) printf "asyncssh uses %.1fx the CPU per device that naut uses\n", p / n
}' "$OUT/cmp.txt"
