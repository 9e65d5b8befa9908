#!/bin/sh
# SSH batch throughput against the lab: N devices (1,000), show version
# over exec, key auth, max_concurrent 50, two workers.  Reports median wall
# time, devices/s and naut's CPU per device (user+sys of the supervisor and
# its workers, from wait4 rusage via time(1)).  The lab's sshd pays tens of
# ms of CPU per login on the same two cores, so wall time measures the lab
# more than naut; CPU per device is naut's own figure.
set -eu
N=${NAUT_BENCH_SSH_DEVICES:-1000}
. bench/lab.inc
F=$OUT/ssh-fleet.yaml
sh tests/lab/gen-fleet.sh "$N" -o "$F" -m exec -C "show version" -n bench \
    -d "$OUT/ssh-output" -w 2 -c 50 -k ed25519 >/dev/null
: >"$OUT/ssh.times"
i=0
while [ $i -lt "$RUNS" ]; do
	rm -rf "$OUT/ssh-output"
	/usr/bin/time -f "%e %U %S %M" -a -o "$OUT/ssh.times" \
	    "$BUILD/naut-supervisor" -q -c "$F" >/dev/null 2>"$OUT/ssh.log" || {
		echo "bench-ssh: run $i failed; see $OUT/ssh.log" >&2
		exit 1
	}
	ok=$(grep -c '"status":"ok"' "$OUT/ssh-output/results.jsonl")
	[ "$ok" -eq "$N" ] || echo "bench-ssh: only $ok of $N ok in run $i" >&2
	i=$((i + 1))
done
sort -n "$OUT/ssh.times" | awk -v n="$N" -v out="$OUT/ssh.json" '
	{ wall[NR] = $1; cpu[NR] = ($2 + $3) * 1000 / n; rss[NR] = $4 }
	END {
		m = int((NR + 1) / 2)
		# CPU is reported as the median of its own sorted column.
		for (i = 1; i <= NR; i++) c[i] = cpu[i]
		for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++)
			if (c[j] < c[i]) { t = c[i]; c[i] = c[j]; c[j] = t }
		printf "ssh exec batch: %d devices, concurrency 50, %d runs: " \
		    "wall %.1f s, %.0f devices/s, naut CPU %.2f ms/device, " \
		    "supervisor max RSS %.1f MiB\n", n, NR, wall[m],
		    n / wall[m], c[m], rss[m] / 1024
		printf "{\"bench\":\"ssh_exec\",\"devices\":%d,\"runs\":%d," \
		    "\"wall_s\":%.2f,\"devices_per_s\":%.1f," \
		    "\"cpu_ms_per_device\":%.3f}\n", n, NR, wall[m],
		    n / wall[m], c[m] > out
	}'
