#!/bin/sh
# Telemetry daemon mode over REST, sustained: N devices (500) of a private
# nginx (tests/lab/rest-lab.sh, TLS + HTTP/2, one nginx worker) x 2
# metrics (a JSON number, and two pointers into another document) every
# INTERVAL (2 s), two workers, max_concurrent 50.  After a warm-up (every
# device polled) it measures for DURATION (15 s): polls per second against
# the target N*2/INTERVAL, naut's CPU per poll (user+sys of the supervisor
# and its workers from /proc; nginx excluded), late, skipped and failed
# polls, the connections nginx accepted meanwhile (kept-alive: none), and
# the workers' RSS per device.  nginx shares the two cores, so at high
# rates the lab's TLS costs bound the figure as much as naut does.
# Ports 23010-23012.
set -eu
N=${NAUT_BENCH_TM_DEVICES:-500}
IV=${NAUT_BENCH_TM_INTERVAL:-2s}
DUR=${NAUT_BENCH_TM_SECONDS:-15}
BUILD=$1
OUT=$2
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
case $OUT in /*) ;; *) OUT=$(pwd)/$OUT ;; esac
mkdir -p "$OUT"
PORT=23010
SPORT=23011
MPORT=23012
D=$BUILD/bench-tmrest-lab
sh tests/lab/rest-lab.sh start "$D" $PORT $SPORT "$N" 1 >/dev/null
spid=
cleanup() {
	[ -n "$spid" ] && kill -TERM "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	sh tests/lab/rest-lab.sh stop "$D" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM
F=$OUT/tmrest-fleet.yaml
{
	echo "supervisor: { workers: 2, max_concurrent: 50, metrics_listen: 127.0.0.1:$MPORT, name: benchtmrest }"
	echo "defaults: { transport: rest, port: $PORT, username: naut, password_file: $D/password, ca_file: $D/ca.crt, timeout: { connect: 10s, command: 10s } }"
	echo "devices:"
	k=0
	while [ $k -lt "$N" ]; do
		echo "  - { name: r$k, host: $(sh tests/lab/rest-lab.sh addr $k) }"
		k=$((k + 1))
	done
	cat <<YAML
telemetry:
  - name: cpu
    interval: $IV
    rest: { path: /api/cpu.json, pointer: /cpu }
  - name: ifin
    interval: $IV
    metric: naut_if_in_octets
    rest:
      path: /api/interfaces.json
      pointers: { eth0: /interfaces/0/in_octets, eth1: /interfaces/1/in_octets }
YAML
} >"$F"

. bench/tm.inc
accepts() {
	curl -s "http://127.0.0.1:$SPORT/" | awk 'NR == 3 { print $1 }'
}

"$BUILD/naut-supervisor" -q -c "$F" >/dev/null 2>"$OUT/tmrest.log" &
spid=$!
# Warm-up: every device's connection open, then one more interval.
i=0
while [ $i -lt 600 ]; do
	o=$(metric naut_sessions_open 2>/dev/null || true)
	[ "${o:-0}" -ge "$N" ] && break
	i=$((i + 1))
	sleep 0.1
done
sleep 3
hz=$(getconf CLK_TCK)
a0=$(accepts)
c0=$(cpu_ticks)
t0=$(date +%s%N)
curl -fsS "http://127.0.0.1:$MPORT/metrics" >"$OUT/tmrest.m0"
sleep "$DUR"
c1=$(cpu_ticks)
t1=$(date +%s%N)
curl -fsS "http://127.0.0.1:$MPORT/metrics" >"$OUT/tmrest.m1"
a1=$(accepts)
tm_counters "$OUT/tmrest.m0" "$OUT/tmrest.m1"
sess=$(metric naut_sessions_open "$OUT/tmrest.m1")
rss=$(rss_kib)
# Two accepts are the stub_status requests themselves.
awk -v n="$N" -v iv="$IV" -v p0="$p0" -v p1="$p1" -v s="$((s1 - s0))" \
    -v l="$((l1 - l0))" -v f="$((f1 - f0))" -v c="$((c1 - c0))" -v hz="$hz" \
    -v t="$((t1 - t0))" -v sess="$sess" -v rss="$rss" \
    -v acc="$((a1 - a0 - 1))" -v out="$OUT/telemetry-rest.json" 'BEGIN {
	secs = t / 1e9
	ivs = iv; sub(/s$/, "", ivs)
	if (iv ~ /ms$/) { ivs = iv; sub(/ms$/, "", ivs); ivs /= 1000 }
	polls = p1 - p0
	rate = polls / secs
	target = n * 2 / ivs
	cpu_ms = c * 1000 / hz
	per = polls > 0 ? cpu_ms / polls : 0
	printf "telemetry: %d devices x 2 metrics every %s over kept-alive " \
	    "TLS (REST), %.0f s: %.0f polls/s (target %.0f), naut CPU %.0f " \
	    "us/poll (%.0f%% of a core), %d late, %d skipped, %d failed; %d " \
	    "connections open, %d accepted meanwhile; workers RSS %.1f MiB " \
	    "(%.1f KiB/device)\n", n, iv, secs, rate, target, per * 1000,
	    cpu_ms / 10 / secs, l, s, f, sess, acc, rss / 1024, rss / n
	printf "{\"bench\":\"telemetry_rest\",\"devices\":%d,\"metrics\":2," \
	    "\"interval\":\"%s\",\"seconds\":%.1f,\"polls_per_s\":%.1f," \
	    "\"target_polls_per_s\":%.1f,\"cpu_ms_per_poll\":%.4f," \
	    "\"late\":%d,\"skipped\":%d,\"failed\":%d,\"connections\":%d," \
	    "\"accepted\":%d,\"worker_rss_kib\":%d}\n", n, iv, secs, rate,
	    target, per, l, s, f, sess, acc, rss > out
}'
