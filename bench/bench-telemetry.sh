#!/bin/sh
# Telemetry daemon mode, sustained: N lab devices (300) x 2 metrics (CPU
# and per-interface out octets) every INTERVAL (2 s) over kept-open SSH
# sessions, two workers, max_concurrent 50.  After a warm-up (every
# session logged in) it measures for DURATION (20 s): polls per second
# against the target N*2/INTERVAL, naut's CPU per poll (user+sys of the
# supervisor and its workers from /proc, lab excluded), late and skipped
# polls, and the workers' RSS per kept-open session.
#
# The issue's target is 5,000 devices x 2 metrics at 10 s (1,000 polls/s).
# This lab is OpenSSH on the same two cores: every poll is a new exec
# channel, i.e. a fork of sshd plus the emulator, which costs the lab
# several ms of CPU; the lab, not naut, bounds the rate here.  Raise
# NAUT_BENCH_TM_DEVICES / lower NAUT_BENCH_TM_INTERVAL to find where it
# tops out.  The issue's scale runs on the simulator instead:
#   NAUT_BENCH_TM_LAB=simd NAUT_BENCH_TM_DEVICES=5000 \
#   NAUT_BENCH_TM_INTERVAL=10s NAUT_BENCH_TM_CONCURRENCY=500
# (max_concurrent 50 is too few tokens for 1,000 polls/s: polls queue for
# them and start late).  Uses its own lab on ports 22753-22755 (simd:
# 22656) and /metrics on 22798, so it never meets another lab.
set -eu
N=${NAUT_BENCH_TM_DEVICES:-300}
IV=${NAUT_BENCH_TM_INTERVAL:-2s}
DUR=${NAUT_BENCH_TM_SECONDS:-20}
# NAUT_BENCH_TM_LAB=simd: the scale simulator instead of OpenSSH, for the
# issue's 5,000 devices (e.g. NAUT_BENCH_TM_DEVICES=5000, _INTERVAL=10s).
LABKIND=${NAUT_BENCH_TM_LAB:-openssh}
MPORT=22798
spid=
SIMD_PID=
if [ "$LABKIND" = simd ]; then
	BENCH_SIMD_PORT=22656
	. bench/simd.inc
	GEN_LAB="-s simd"
else
	BUILD=$1
	OUT=$2
	case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
	export NAUT_BUILD=$BUILD
	export LAB_DIR=$BUILD/bench-tm-lab
	export LAB_SSHD_PORT=22753 LAB_KBD_PORT=22754 LAB_DROPBEAR_PORT=22755
	sh tests/lab/lab.sh start >/dev/null
	eval "$(sh tests/lab/lab.sh env)"
	GEN_LAB=
fi
cleanup() {
	[ -n "$spid" ] && kill -TERM "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	: >"$LAB_DIR/devices.conf"
	if [ -n "$SIMD_PID" ]; then
		kill "$SIMD_PID" 2>/dev/null
		wait "$SIMD_PID" 2>/dev/null
	else
		sh tests/lab/lab.sh stop >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT INT TERM
F=$OUT/tm-fleet.yaml
# shellcheck disable=SC2086
sh tests/lab/gen-fleet.sh "$N" -o "$F" -m exec -n benchtm -d "$OUT/tm-output" \
    -w 2 -c "${NAUT_BENCH_TM_CONCURRENCY:-50}" -k ed25519 -M "127.0.0.1:$MPORT" \
    $GEN_LAB >/dev/null
# Keep the inventory; replace what to run by two telemetry entries.
sed -i '/^jobs:/,$d' "$F"
cat >>"$F" <<YAML
telemetry:
  - name: cpu
    interval: $IV
    ssh: { command: show processes cpu, regex: "five seconds: ([0-9]+)%" }
  - name: ifout
    interval: $IV
    metric: naut_if_out_octets
    ssh:
      command: show interfaces counters | begin OutOctets
      regex: "^([A-Za-z][-A-Za-z0-9/.]*[0-9]) +([0-9]+) "
      value: 2
      labels: { interface: 1 }
YAML

. bench/tm.inc

"$BUILD/naut-supervisor" -q -c "$F" >/dev/null 2>"$OUT/tm.log" &
spid=$!
# Warm-up: every device logged in (sessions_open = N) and one more interval.
i=0
while [ "$(metric naut_sessions_open 2>/dev/null || echo 0)" != "$N" ] && [ $i -lt 1200 ]; do
	i=$((i + 1))
	sleep 0.1
done
sleep 3
hz=$(getconf CLK_TCK)
# One scrape at each end, timed where it was taken.
c0=$(cpu_ticks)
sc0=$(cpu_ticks "$spid")
t0=$(date +%s%N)
curl -fsS "http://127.0.0.1:$MPORT/metrics" >"$OUT/tm.m0"
sleep "$DUR"
c1=$(cpu_ticks)
sc1=$(cpu_ticks "$spid")
t1=$(date +%s%N)
curl -fsS "http://127.0.0.1:$MPORT/metrics" >"$OUT/tm.m1"
tm_counters "$OUT/tm.m0" "$OUT/tm.m1"
sess=$(metric naut_sessions_open "$OUT/tm.m1")
logins=$(metric naut_attempts_total "$OUT/tm.m1")
rss=$(rss_kib)
awk -v n="$N" -v iv="$IV" -v p0="$p0" -v p1="$p1" -v s="$((s1 - s0))" \
    -v l="$((l1 - l0))" -v f="$((f1 - f0))" -v c="$((c1 - c0))" -v hz="$hz" \
    -v sc="$((sc1 - sc0))" \
    -v t="$((t1 - t0))" -v sess="$sess" -v logins="$logins" -v rss="$rss" \
    -v lab="$LABKIND" -v out="$OUT/telemetry.json" 'BEGIN {
	secs = t / 1e9
	ivs = iv; sub(/s$/, "", ivs)
	if (iv ~ /ms$/) { ivs = iv; sub(/ms$/, "", ivs); ivs /= 1000 }
	polls = p1 - p0
	rate = polls / secs
	target = n * 2 / ivs
	cpu_ms = c * 1000 / hz
	per = polls > 0 ? cpu_ms / polls : 0
	printf "telemetry: %d devices x 2 metrics every %s over SSH (%s), %.0f s: " \
	    "%.0f polls/s (target %.0f), naut CPU %.3f ms/poll (%.0f%% of a " \
	    "core; supervisor %.0f%% of it), %d late, %d skipped, %d failed; " \
	    "%d kept-open sessions (%d logins), workers RSS %.1f MiB " \
	    "(%.1f KiB/session)\n", n, iv, lab, secs, rate, target, per,
	    cpu_ms / 10 / secs, (c > 0 ? sc * 100 / c : 0), l, s, f, sess,
	    logins, rss / 1024, (sess > 0 ? rss / sess : 0)
	printf "{\"bench\":\"telemetry_ssh\",\"devices\":%d,\"metrics\":2," \
	    "\"interval\":\"%s\",\"seconds\":%.1f,\"polls_per_s\":%.1f," \
	    "\"target_polls_per_s\":%.1f,\"cpu_ms_per_poll\":%.4f," \
	    "\"late\":%d,\"skipped\":%d,\"failed\":%d,\"sessions\":%d," \
	    "\"worker_rss_kib\":%d}\n", n, iv, secs, rate, target, per, l, s,
	    f, sess, rss > out
}'
