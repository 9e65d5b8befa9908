#!/bin/sh
# Telemetry daemon mode over NETCONF, sustained: N devices (100) x 1
# metric (netconfd's ietf-netconf-monitoring in-rpcs, through a subtree
# filter and an element path) every INTERVAL (1 s) on kept-open netconf
# sessions, two workers, max_concurrent 50.  The devices are spread over
# NCXD (2) private netconfd (yuma123) instances behind the lab sshd's
# netconf subsystem.  After a warm-up (every session open) it measures for
# DURATION (20 s): polls per second against the target, naut's CPU per
# poll (user+sys of the supervisor and its workers from /proc; the lab and
# netconfd excluded), late, skipped and failed polls, logins, and the
# workers' RSS per kept-open session.  netconfd is single-threaded and
# shares the two cores: it, not naut, bounds the rate here.
# Ports 23110-23112 (lab) and 23113 (/metrics).
set -eu
N=${NAUT_BENCH_NCTM_DEVICES:-100}
IV=${NAUT_BENCH_NCTM_INTERVAL:-1s}
DUR=${NAUT_BENCH_NCTM_SECONDS:-20}
NCXD=${NAUT_BENCH_NCTM_SERVERS:-2}
BUILD=$1
OUT=$2
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
mkdir -p "$OUT"
. tests/lab/netconfd.inc
export NAUT_BUILD=$BUILD
export LAB_DIR=$BUILD/bench-nctm-lab
export LAB_SSHD_PORT=23110 LAB_KBD_PORT=23111 LAB_DROPBEAR_PORT=23112
MPORT=23113
NCX=$BUILD/bench-nctm-ncx
rm -rf "$NCX"
mkdir -p "$NCX"
chmod 755 "$NCX"
# Device k (127.1.x.y) goes to netconfd k % NCXD.
cat >"$NCX/subsys.sh" <<EOF
#!/bin/sh
set -- \$SSH_CONNECTION
d=\${3##*.}
r=\${3%.*}
c=\${r##*.}
exec /usr/sbin/netconf-subsystem --ncxserver-sockname=\$4@$NCX/s\$(( (c * 256 + d) % $NCXD ))/sock
EOF
export LAB_NETCONF_SUBSYSTEM="/bin/sh $NCX/subsys.sh"
spid=
cleanup() {
	[ -n "$spid" ] && kill -TERM "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	for d in "$NCX"/s*; do
		[ -d "$d" ] && ncx_kill "$d"
	done
	sh tests/lab/lab.sh stop >/dev/null 2>&1 || true
	rm -rf "$NCX"
}
trap cleanup EXIT INT TERM
sh tests/lab/lab.sh start >/dev/null
eval "$(sh tests/lab/lab.sh env)"
i=0
while [ $i -lt "$NCXD" ]; do
	mkdir -p "$NCX/s$i"
	chmod 755 "$NCX/s$i"
	NCX_LOG_LEVEL=warn ncx_start "$NCX/s$i"
	i=$((i + 1))
done
F=$OUT/nctm-fleet.yaml
sh tests/lab/gen-fleet.sh "$N" -o "$F" -m exec -n benchnctm -d "$OUT/nctm-output" \
    -w 2 -c 50 -k ed25519 -M "127.0.0.1:$MPORT" >/dev/null
sed -i '/^jobs:/,$d' "$F"
sed -i 's/^defaults:/defaults:\n  transport: netconf/' "$F"
NS='urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring'
cat >>"$F" <<YAML
telemetry:
  - name: inrpcs
    interval: $IV
    netconf:
      filter: '<netconf-state xmlns="$NS"><statistics/></netconf-state>'
      path: netconf-state/statistics/in-rpcs
YAML

. bench/tm.inc

"$BUILD/naut-supervisor" -q -c "$F" >/dev/null 2>"$OUT/nctm.log" &
spid=$!
i=0
while [ "$(metric naut_sessions_open 2>/dev/null || echo 0)" != "$N" ] && [ $i -lt 600 ]; do
	i=$((i + 1))
	sleep 0.1
done
sleep 3
hz=$(getconf CLK_TCK)
c0=$(cpu_ticks)
t0=$(date +%s%N)
curl -fsS "http://127.0.0.1:$MPORT/metrics" >"$OUT/nctm.m0"
sleep "$DUR"
c1=$(cpu_ticks)
t1=$(date +%s%N)
curl -fsS "http://127.0.0.1:$MPORT/metrics" >"$OUT/nctm.m1"
tm_counters "$OUT/nctm.m0" "$OUT/nctm.m1"
sess=$(metric naut_sessions_open "$OUT/nctm.m1")
logins=$(metric naut_attempts_total "$OUT/nctm.m1")
rss=$(rss_kib)
awk -v n="$N" -v iv="$IV" -v p0="$p0" -v p1="$p1" -v s="$((s1 - s0))" \
    -v l="$((l1 - l0))" -v f="$((f1 - f0))" -v c="$((c1 - c0))" -v hz="$hz" \
    -v t="$((t1 - t0))" -v sess="$sess" -v logins="$logins" -v rss="$rss" \
    -v ncxd="$NCXD" -v out="$OUT/nc-telemetry.json" 'BEGIN {
	secs = t / 1e9
	ivs = iv; sub(/s$/, "", ivs)
	if (iv ~ /ms$/) { ivs = iv; sub(/ms$/, "", ivs); ivs /= 1000 }
	polls = p1 - p0
	rate = polls / secs
	target = n / ivs
	cpu_ms = c * 1000 / hz
	per = polls > 0 ? cpu_ms / polls : 0
	printf "telemetry: %d devices x 1 metric every %s over NETCONF " \
	    "(%d netconfd), %.0f s: %.0f polls/s (target %.0f), naut CPU " \
	    "%.3f ms/poll, %d late, %d skipped, %d failed; %d kept-open " \
	    "sessions (%d logins), workers RSS %.1f MiB (%.1f KiB/session)\n",
	    n, iv, ncxd, secs, rate, target, per, l, s, f, sess, logins,
	    rss / 1024, (sess > 0 ? rss / sess : 0)
	printf "{\"bench\":\"telemetry_netconf\",\"devices\":%d,\"metrics\":1," \
	    "\"interval\":\"%s\",\"seconds\":%.1f,\"polls_per_s\":%.1f," \
	    "\"target_polls_per_s\":%.1f,\"cpu_ms_per_poll\":%.4f," \
	    "\"late\":%d,\"skipped\":%d,\"failed\":%d,\"sessions\":%d," \
	    "\"worker_rss_kib\":%d}\n", n, iv, secs, rate, target, per, l, s,
	    f, sess, rss > out
}'
