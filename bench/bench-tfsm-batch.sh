#!/bin/sh
# What parse: costs in a big batch: 10,000 devices (the scale simulator,
# five platforms, show version and show interfaces counters over exec,
# concurrency 1,000, outputs on tmpfs), the same fleet without and with
# parse: true (tests/tfsm/lab's index), alternating, RUNS (3) each.  CPU
# is user+sys of naut's whole process tree (bench/measure.py), per
# device; the figure is the median with parse: over the median without.
# Target: at most +10%.  NAUT_BENCH_QUICK=1: 1,000 devices.
set -eu
. bench/simd.inc
S=${NAUT_BENCH_SCALE_DEVICES:-10000}
[ "${NAUT_BENCH_QUICK:-0}" = 1 ] && S=$((S / 10))
PY=/usr/bin/python3
O=/dev/shm/naut-bench-tfsm-out
IX=$(pwd)/tests/tfsm/lab
R=$OUT/tfsm-batch.runs
: >"$R"
: >"$LAB_DIR/devices.conf"
for v in plain parse; do
	f=$OUT/tfsm-$v.yaml
	sh tests/lab/gen-fleet.sh "$S" -s simd -k ed25519 -o "$f" -m exec \
	    -C "show version" -C "show interfaces counters" -n "bt$v" -d "$O" \
	    -w 2 -c 1000 -M 127.0.0.1:22652 >/dev/null 2>&1
	sed -i 's|command: 60s|command: 300s|' "$f"
done
# parse: true on the job, the index on the supervisor (gen-fleet writes
# block YAML).
sed -i "s|^supervisor:\$|&\\n  templates: [\"$IX\"]|; s|^    mode: exec\$|&\\n    parse: true|" \
    "$OUT/tfsm-parse.yaml"
grep -q "parse: true" "$OUT/tfsm-parse.yaml" && grep -q "templates:" "$OUT/tfsm-parse.yaml" ||
    { echo "bench-tfsm-batch: could not add parse: to the fleet" >&2; exit 1; }
i=0
while [ $i -lt "$RUNS" ]; do
	for v in plain parse; do
		rm -rf "$O"
		$PY bench/measure.py -- "$BUILD/naut-supervisor" -q \
		    -c "$OUT/tfsm-$v.yaml" >"$OUT/tfsm-$v.out" 2>"$OUT/tfsm-$v.log"
		ok=$(grep -c '"status":"ok"' "$O/results.jsonl") || ok=0
		js=$(ls "$O"/*/*.json 2>/dev/null | wc -l)
		echo "$v $ok $js $(tail -1 "$OUT/tfsm-$v.out")" >>"$R"
		echo "  $v: ok records $ok, .json files $js: $(tail -1 "$OUT/tfsm-$v.out")" >&2
	done
	i=$((i + 1))
done
rm -rf "$O"
$PY - "$R" "$S" "$OUT/tfsm-batch.json" <<'PYEOF'
import json, statistics, sys
runs, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cpu = {"plain": [], "parse": []}
for line in open(runs):
    v, ok, js, m = line.split(" ", 3)
    if int(ok) != 2 * n:
        sys.exit("bench-tfsm-batch: %s run has %s ok records of %d" % (v, ok, 2 * n))
    if v == "parse" and int(js) != 2 * n:
        sys.exit("bench-tfsm-batch: parse run wrote %s .json files of %d" % (js, 2 * n))
    cpu[v].append(json.loads(m)["cpu_s"])
a, b = statistics.median(cpu["plain"]), statistics.median(cpu["parse"])
print("%-36s %10.1f us/device" % ("naut CPU without parse:", a / n * 1e6))
print("%-36s %10.1f us/device" % ("naut CPU with parse: true", b / n * 1e6))
print("%-36s %+9.1f %%  (target <= +10 %%)" % ("parse: overhead", (b / a - 1) * 100))
json.dump({"devices": n, "cpu_plain_s": cpu["plain"], "cpu_parse_s": cpu["parse"],
           "overhead_pct": (b / a - 1) * 100}, open(out, "w"))
PYEOF
