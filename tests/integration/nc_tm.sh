#!/bin/sh
# Telemetry over NETCONF in daemon mode: private netconfd (yuma123)
# instances behind the lab sshd's netconf subsystem, polled with <get>
# on kept-open sessions.  Values on /metrics are netconfd's own counters
# (ietf-netconf-monitoring in-rpcs, which counts our polls), one SSH
# login and one netconf session serve many polls, a device whose
# netconfd is killed opens its breaker while the others keep polling, a
# path that matches nothing is error_type parse, the scrape passes
# promtool, and SIGTERM closes every session with <close-session> and
# exits 0.  Ports 23100-23102 (lab) and 23103 (/metrics).
#
#   nc0 nc1 nc4 (bad path)  -> netconfd A
#   nc2                     -> netconfd B (killed mid-run)
#   nc3                     -> netconfd C (cross-checked at the end)
set -u
LAB_PORT_BASE=23100
MPORT=23103
URL=http://127.0.0.1:$MPORT
B0=${NAUT_BUILD:-build}
case $B0 in /*) ;; *) B0=$(pwd)/$B0 ;; esac
NCX=$B0/itest-ncx-$LAB_PORT_BASE
rm -rf "$NCX"
mkdir -p "$NCX/a" "$NCX/b" "$NCX/c"
chmod 755 "$NCX" "$NCX/a" "$NCX/b" "$NCX/c"
: >"$NCX/subsys.log"
chmod 666 "$NCX/subsys.log"
export LAB_NETCONF_SUBSYSTEM="/bin/sh $NCX/subsys.sh"

# Each netconf subsystem start (one per SSH login here) is logged.
cat >"$NCX/subsys.sh" <<EOF
#!/bin/sh
set -- \$SSH_CONNECTION
echo "\$3" >>$NCX/subsys.log
case \$3 in
127.1.0.2) exec /usr/sbin/netconf-subsystem --ncxserver-sockname=\$4@$NCX/b/sock ;;
127.1.0.3) exec /usr/sbin/netconf-subsystem --ncxserver-sockname=\$4@$NCX/c/sock ;;
127.1.0.5) exec /bin/sh $NCX/fake-rpcerror.sh ;;
127.1.0.6) exec /bin/sh $NCX/fake-hang.sh ;;
127.1.0.7) exec /bin/sh $NCX/fake-framing.sh ;;
*) exec /usr/sbin/netconf-subsystem --ncxserver-sockname=\$4@$NCX/a/sock ;;
esac
EOF
# Fake servers: each says hello and answers the first <get> badly.
H='<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities><session-id>7</session-id></hello>]]>]]>'
cat >"$NCX/fake-rpcerror.sh" <<EOF
printf '%s' '$H'
sleep 0.5
printf '<rpc-reply message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><rpc-error><error-type>application</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-message>no can do</error-message></rpc-error></rpc-reply>]]>]]>'
sleep 3
EOF
cat >"$NCX/fake-hang.sh" <<EOF
printf '%s' '$H'
sleep 5
EOF
cat >"$NCX/fake-framing.sh" <<EOF
printf '%s' '$(echo "$H" | sed 's/base:1.0</base:1.1</')'
sleep 0.5
printf '\n#12x\n<rpc-reply/>\n##\n'
sleep 3
EOF

. tests/integration/lablib.inc

. tests/lab/netconfd.inc
ncx_stop() {
	for d in "$NCX/a" "$NCX/b" "$NCX/c"; do
		ncx_kill "$d"
	done
}
spid=
stop_all() {
	[ -n "$spid" ] && kill -TERM "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	ncx_stop
	lab_cleanup
	rm -rf "$NCX"
}
trap stop_all EXIT

ncx_start "$NCX/a" && ncx_start "$NCX/b" && ncx_start "$NCX/c"
ok $? "three private netconfd instances start"

NS='urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring'
F=$T/fleet.yaml
fleet_head "$F" "transport: netconf" "key_file: $LAB_KEY" \
    "timeout: { connect: 2s, auth: 5s, command: 2s }" \
    "breaker: { failure_threshold: 3, open_for: 1m }"
sed -i "s/metrics_listen: 127.0.0.1:[0-9]*/metrics_listen: 127.0.0.1:$MPORT/" "$F"
for k in 0 1 2 3 4 5 6 7; do
	echo "  - { name: nc$k, host: $(lab_addr $k) }" >>"$F"
done
cat >>"$F" <<YAML
telemetry:
  - name: inrpcs
    select: { names: [nc0, nc1, nc2, nc3] }
    interval: 200ms
    stale_after: 1s
    metric: naut_nc_in_rpcs
    netconf:
      filter: '<netconf-state xmlns="$NS"><statistics/></netconf-state>'
      path: netconf-state/statistics/in-rpcs
  - name: sessrpcs
    select: { names: [nc0] }
    interval: 1s
    netconf:
      filter: '<netconf-state xmlns="$NS"><sessions/></netconf-state>'
      path: netconf-state/sessions/session[session-id]/in-rpcs
  - name: bad
    select: { names: [nc4] }
    interval: 500ms
    netconf:
      filter: '<netconf-state xmlns="$NS"><statistics/></netconf-state>'
      path: netconf-state/statistics/no-such-leaf
  - name: fakes
    select: { names: [nc5, nc6, nc7] }
    interval: 500ms
    netconf: { path: a/b }
YAML
PTS=$T/points.jsonl

# -d: failed polls are logged at the debug level, with their reasons.
"$S" -d -c "$F" --telemetry-log "$PTS" >"$T/stdout" 2>"$T/log" &
spid=$!
i=0
until curl -fsS "$URL/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
sleep 4

# --- values ---
curl -fsS "$URL/metrics" >"$T/m1"
ok $? "/metrics answers in daemon mode"
[ "$(grep -c '^naut_nc_in_rpcs{device="nc[0-3]"} [0-9]' "$T/m1")" -eq 4 ]
ok $? "each NETCONF device's in-rpcs is a gauge on /metrics"
grep -q '^naut_telemetry_value{device="nc0",metric="sessrpcs",session="[0-9]*"} [0-9]' "$T/m1"
ok $? "a list path gives one point per entry, labelled by its key (session)"
# nc2 and nc3 are alone on their netconfd, so its in-rpcs counts their
# polls; netconfd refreshes these statistics about once a second, so a
# value may repeat, and may trail the polls by a second's worth.
span() {	# device: "points rise-from-first-to-last steps-down"
	jq -r --arg d "$1" 'select(.device == $d and .metric ==
	    "naut_nc_in_rpcs") | .value' "$PTS" | awk 'NR == 1 { f = $1 }
	    NR > 1 && $1 < p { down++ } { p = $1 } END { print NR, p - f,
	    down + 0 }'
}
set -- $(span nc3)
np=$1 rise=$2 down=$3
set -- $(span nc2)
[ "$np" -ge 8 ] && [ "$down" -eq 0 ] && [ "$rise" -le $((np - 1)) ] &&
    [ "$rise" -ge $((np - 1 - 8)) ] && [ "$3" -eq 0 ] && [ "$2" -le $(($1 - 1)) ] &&
    [ "$2" -gt 0 ]
ok $? "netconfd's own in-rpcs counts the polls: never down, up by at most one a poll ($np polls, up $rise on nc3; $1 polls, up $2 on nc2)"
grep -q '^telemetry_collection_errors_total{device="nc4",error_type="parse"} [1-9]' "$T/m1"
ok $? "a path that matches nothing counts as error_type parse"
grep -q 'nc4: telemetry bad: element path .*no-such-leaf.* matches nothing' "$T/log"
ok $? "the parse error names the path"

# --- a failed poll ends the session with its class ---
want() {	# device class
	grep -q "^telemetry_collection_errors_total{device=\"$1\",error_type=\"$2\"} [1-9]" "$T/m3"
}
i=0
while :; do
	curl -fsS "$URL/metrics" >"$T/m3" 2>/dev/null
	{ want nc5 protocol && want nc6 timeout && want nc7 netconf_framing; } && break
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
want nc5 protocol
ok $? "an rpc-error fails the poll as protocol"
want nc6 timeout
ok $? "a device that never answers the <get> fails it as timeout"
want nc7 netconf_framing
ok $? "a bad chunk header fails it as netconf_framing"
grep -q 'operation-failed.*no can do' "$T/log"
r=$?
[ $r -eq 0 ] || grep 'nc5' "$T/log" | head -3 | sed 's/^/#   /'
ok $r "the rpc-error's tag and message reach the log"

# --- netconfd B is killed: nc2's breaker opens, the others keep polling ---
t_kill=$(date +%s%3N)
ncx_kill "$NCX/b" KILL
i=0
until curl -fsS "$URL/metrics" 2>/dev/null |
    grep -q '^naut_breaker_state{device="nc2"} 1$'; do
	i=$((i + 1))
	[ $i -gt 150 ] && break
	sleep 0.1
done
[ $i -le 150 ]
ok $? "the device whose netconfd died opens its breaker"
sleep 2
curl -fsS "$URL/metrics" >"$T/m2"
grep -q '^telemetry_collection_errors_total{device="nc2",error_type="breaker_open"} [1-9]' "$T/m2" &&
    grep -q '^telemetry_collection_errors_total{device="nc2",error_type="reset"} [1-9]' "$T/m2"
ok $? "its polls fail as reset, then are refused as breaker_open"
grep -q '^naut_breaker_state{device="nc0"} 0$' "$T/m2" &&
    grep -q '^naut_breaker_state{device="nc3"} 0$' "$T/m2" &&
    ! grep -q '^telemetry_collection_errors_total{device="nc[013]"' "$T/m2"
ok $? "the other devices' breakers stay closed, their polls without error"
win() {		# device from to: its inrpcs points with ticks in (from, to]
	jq -r --arg d "$1" --argjson a "$2" --argjson b "$3" 'select(.device ==
	    $d and .metric == "naut_nc_in_rpcs" and .tick_ms > $a and .tick_ms <= $b) |
	    .value' "$PTS" | wc -l
}
had=$(win nc3 $((t_kill - 2000)) "$t_kill")
got=$(win nc3 "$t_kill" $((t_kill + 2000)))
[ $((got * 10)) -ge $((had * 7)) ] && [ "$got" -ge 3 ]
ok $? "another device kept polling meanwhile ($got points in the 2 s after, $had before)"

# --- one login, one netconf session, many polls ---
logins=$(grep -c '^127\.1\.0\.0$' "$NCX/subsys.log")
polls=$(jq -r 'select(.device == "nc0" and .metric == "naut_nc_in_rpcs") | .value' "$PTS" | wc -l)
[ "$logins" -eq 1 ] && [ "$polls" -ge 15 ]
ok $? "one SSH login and one netconf session for $polls polls (logins: $logins)"

# --- promtool ---
promtool check metrics <"$T/m2" >"$T/promtool" 2>&1
r=$?
[ $r -eq 0 ] && [ ! -s "$T/promtool" ]
ok $? "promtool check metrics: no errors, no warnings"
sed 's/^/#   /' "$T/promtool" | head -5

# --- SIGTERM: close-session everywhere, status 0 ---
last3=$(jq -r 'select(.device == "nc3" and .metric == "naut_nc_in_rpcs") | .value' "$PTS" | tail -1)
kill -TERM "$spid"
i=0
while kill -0 "$spid" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
wait "$spid"
r=$?
spid=
cat "$T/log" >>"$T/all.log"	# for no_crashes
[ $r -eq 0 ]
ok $? "SIGTERM: the daemon exits 0 (status $r)"
! grep -q "IO failed\|shut by remote peer" "$NCX/a/netconfd.log" "$NCX/c/netconfd.log"
ok $? "every session ended with close-session (netconfd logs no dropped peer)"
grep "IO failed\|shut by remote peer" "$NCX/a/netconfd.log" "$NCX/c/netconfd.log" | head -3 | sed 's/^/#   /'
# Cross-check with a separate get: netconfd C has counted each of the
# daemon's gets of nc3 and one more rpc (measured: of the close-session
# and this get, one is not in the count this get returns).
{
	sed -n '/^supervisor:/,/^devices:/p' "$F"
	echo "  - { name: nc3, host: $(lab_addr 3) }"
	echo "jobs:"
	echo "  - name: j"
	echo "    rpcs:"
	echo "      - { op: get, filter: '<netconf-state xmlns=\"$NS\"><statistics/></netconf-state>' }"
} >"$T/get.yaml"
n3=$(jq -r 'select(.device == "nc3" and .metric == "naut_nc_in_rpcs") | .value' "$PTS" | wc -l)
sleep 1.5	# netconfd's statistics catch up
naut "$T/get.yaml"
v=$(sed -n 's/.*<in-rpcs>\([0-9]*\)<\/in-rpcs>.*/\1/p' "$T/out/nc3/get.xml" 2>/dev/null)
[ "$(rc)" -eq 0 ] && [ -n "$v" ] && [ -n "$last3" ] && [ "$v" -ge "$last3" ] &&
    [ "$v" -eq $((n3 + 1)) ]
ok $? "a separate get: netconfd counted every poll's get ($n3 polls + 1 = $v; the last polled value $last3)"
no_crashes
echo "1..$n"
