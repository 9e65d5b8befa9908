#!/bin/sh
# naut side by side with the asyncio baseline network teams write today
# (bench/asyncssh_baseline.py: asyncssh + uvloop, Debian's python3) on
# the scale simulator (tests/lab/simd), so that the lab costs little and
# the figures are the clients'.  show version over exec, key auth.
#
#   batch   N devices (1,000) at concurrency C (100), both clients,
#           alternating, RUNS (3) each
#   tmpfs   the same, naut, outputs on tmpfs: what the output files cost
#           on the build's disk (create, fsync, rename) shows apart
#   scale   10,000 devices in one batch at concurrency 1,000 (naut),
#           outputs on tmpfs
#   hold    sessions held open at once on devices that hang after login:
#           naut 10,000 devices at concurrency 10,000 and 1,000, the
#           baseline 1,000 at 1,000 and 100; memory per session =
#           difference of the client tree's RSS / difference of sessions
#           held, so what the process and the fleet cost drops out
#
# Client CPU is user+sys of the whole client process tree, peak RSS the
# largest sum of RSS over the tree (bench/measure.py).  Medians.  The two
# cores are shared with whatever else runs: wall times are noisy.
# NAUT_BENCH_QUICK=1 shrinks every size tenfold.  Table on stdout, JSON
# in $OUT/baseline.json.
set -eu
. bench/simd.inc
N=${NAUT_BENCH_BASE_DEVICES:-1000}
C=${NAUT_BENCH_BASE_CONC:-100}
S=${NAUT_BENCH_SCALE_DEVICES:-10000}
SC=1000
H=${NAUT_BENCH_HOLD:-10000}
HB=1000
if [ "${NAUT_BENCH_QUICK:-0}" = 1 ]; then
	N=$((N / 10)) S=$((S / 10)) H=$((H / 10)) HB=$((HB / 10))
fi
HOLD_FIRST=100000
PY=/usr/bin/python3
R=$OUT/baseline.runs
: >"$R"
echo "$HOLD_FIRST-$((HOLD_FIRST + 99999)) behaviour=hang_login" \
    >"$LAB_DIR/devices.conf"

# Where fleet NAME saves outputs: tmpfs for the one that shows what the
# files cost on the build's disk.
outdir() {
	case $1 in
	tmpfs|scale) echo "/dev/shm/naut-bench-$1-out" ;;
	*) echo "$OUT/$1-out" ;;
	esac
}

# fleet NAME COUNT FIRST CONC: $OUT/NAME.yaml with a known_hosts of its
# own devices only (asyncssh parses the whole file at every connect).
fleet() {
	f=$OUT/$1.yaml
	sh tests/lab/gen-fleet.sh "$2" -f "$3" -s simd -k ed25519 -o "$f" \
	    -m exec -C "show version" -n "b$1" -d "$(outdir "$1")" -w 2 \
	    -c "$4" -M 127.0.0.1:22651 >/dev/null 2>&1
	awk -v port="$LAB_SIMD_PORT" 'NR == FNR {
		if (match($0, /host: [0-9.]+/))
			want["[" substr($0, RSTART + 6, RLENGTH - 6) "]:" port] = 1
		next
	} $1 in want' "$f" "$LAB_KNOWN_HOSTS" >"$OUT/$1.known_hosts"
	sed -i "s|known_hosts: .*|known_hosts: \"$OUT/$1.known_hosts\"|;
	    s|command: 60s|command: 300s|" "$f"
}

# Until the sessions of the run before have left simd (30 s at most).
settle() {
	w=0
	while [ "$(ls /proc/"$SIMD_PID"/fd | wc -l)" -gt 20 ] && [ $w -lt 300 ]; do
		sleep 0.1
		w=$((w + 1))
	done
}

# run CLIENT TEST FLEET COUNT CONC [HOLD]: one measured run, appended to $R.
run() {
	f=$OUT/$3.yaml
	o=$(outdir "$3")
	rm -rf "$o"
	settle
	hold=""
	[ $# -ge 6 ] && hold="--hold $6 --server $SIMD_PID --limit 120"
	l0=$(simd_cpu_ms)
	if [ "$1" = naut ]; then
		# shellcheck disable=SC2086
		$PY bench/measure.py $hold -- "$BUILD/naut-supervisor" -q \
		    -c "$f" >"$OUT/$3.out" 2>"$OUT/$3.log"
		ok=0
		[ -f "$o/results.jsonl" ] &&
		    ok=$(grep -c '"status":"ok"' "$o/results.jsonl" || true)
	else
		# shellcheck disable=SC2086
		$PY bench/measure.py $hold -- $PY bench/asyncssh_baseline.py \
		    "$f" "$5" "show version" >"$OUT/$3.out" 2>"$OUT/$3.log"
		ok=$(sed -n 's/^ok=\([0-9]*\).*/\1/p' "$OUT/$3.out")
	fi
	l1=$(simd_cpu_ms)
	m=$(tail -1 "$OUT/$3.out")
	echo "$1 $2 $4 $5 ${ok:-0} $(awk -v a="$l0" -v b="$l1" 'BEGIN { print b - a }') $m" >>"$R"
	echo "  $1 $2 $4 devices: $m" >&2
}

fleet batch "$N" 0 "$C"
i=0
while [ $i -lt "$RUNS" ]; do
	run naut batch batch "$N" "$C"
	run asyncssh batch batch "$N" "$C"
	i=$((i + 1))
done
fleet tmpfs "$N" 0 "$C"
i=0
while [ $i -lt "$RUNS" ]; do
	run naut tmpfs tmpfs "$N" "$C"
	i=$((i + 1))
done
rm -rf "$(outdir tmpfs)"
fleet scale "$S" 0 "$SC"
i=0
while [ $i -lt "$RUNS" ]; do
	run naut scale scale "$S" "$SC"
	i=$((i + 1))
done
rm -rf "$(outdir scale)"
# The same devices both times, only the concurrency differs: what grows
# with the fleet (configuration, known_hosts, segment) drops out too.
fleet hold "$H" "$HOLD_FIRST" "$H"
fleet hold0 "$H" "$HOLD_FIRST" "$((H / 10))"
fleet holdb "$HB" "$HOLD_FIRST" "$HB"
run naut hold0 hold0 "$H" "$((H / 10))" "$((H / 10))"
run naut hold hold "$H" "$H" "$H"
run asyncssh hold0 holdb "$HB" "$((HB / 10))" "$((HB / 10))"
run asyncssh hold holdb "$HB" "$HB" "$HB"
: >"$LAB_DIR/devices.conf"
$PY bench/summary.py "$R" "$OUT/baseline.json"
