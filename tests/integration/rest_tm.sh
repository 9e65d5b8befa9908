#!/bin/sh
# Telemetry over REST against a private nginx (tests/lab/rest-lab.sh): a
# telemetry-only fleet polled every 200 ms over kept-alive TLS.  Values on
# /metrics are the numbers the JSON files hold, and follow a file the test
# rewrites; several pointers give one series each; nginx accepts about one
# connection per device for many polls; a device answering 503 opens its
# breaker while the others keep polling; a pointer that leads nowhere is
# a parse error, a body past output_limit output_too_large, a server
# signed by another CA tls_error; connections nginx closes on reload are
# made again without a failed poll; the scrape passes promtool; SIGTERM
# ends it with status 0.
# Ports 23000-23002.
set -u
B=${1:-${NAUT_BUILD:-build}}
ROOT=$(pwd)
case $B in /*) ;; *) B=$ROOT/$B ;; esac
S=$B/naut-supervisor
PORT=23000
SPORT=23001
MPORT=23002
URL=http://127.0.0.1:$MPORT
D=$B/rest-lab-$PORT
T=$(mktemp -d /tmp/naut-resttm.XXXXXX)
NDEV=6
spid=
n=0

cleanup() {
	if [ -n "$spid" ]; then
		kill -TERM "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
	fi
	[ -n "${KEEP:-}" ] && return
	sh tests/lab/rest-lab.sh stop "$D" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

ok() {		# status description
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
	fi
}

if ! sh tests/lab/rest-lab.sh start "$D" $PORT $SPORT $NDEV \
    >"$T/lab.out" 2>&1; then
	echo "not ok 1 - nginx starts"
	tail -5 "$T/lab.out" | sed 's/^/#   /'
	exit 1
fi

addr() {
	sh tests/lab/rest-lab.sh addr "$1"
}

stub() {	# accepts and requests so far
	curl -s "http://127.0.0.1:$SPORT/" | awk 'NR == 3 { print $1, $3 }'
}

scrape() {	# file
	curl -fsS "$URL/metrics" >"$1"
}

val() {		# file series: the sample's value
	awk -v s="$2" 'index($0, s " ") == 1 { print $2 }' "$1"
}

# Timeouts are generous: a TLS handshake on a loaded machine can be slow.
F=$T/fleet.yaml
cat >"$F" <<EOT
supervisor: { workers: 2, max_concurrent: 4, metrics_listen: 127.0.0.1:$MPORT, name: itestresttm }
defaults:
  transport: rest
  port: $PORT
  username: naut
  password_file: $D/password
  ca_file: $D/ca.crt
  timeout: { connect: 10s, command: 10s }
  backoff: { base: 100ms, max: 400ms }
  breaker: { failure_threshold: 3, open_for: 1m }
devices:
EOT
k=0
while [ $k -lt $NDEV ]; do
	echo "  - { name: r$k, host: $(addr $k) }"
	k=$((k + 1))
done >>"$F"
# r6 serves a 200 KiB body: past its output_limit.
echo "  - { name: r6, host: 127.78.0.1, output_limit: 64K }" >>"$F"
# r7 trusts another CA: its TLS handshakes fail.
echo "  - { name: r7, host: 127.78.0.2, ca_file: $D/other-ca.crt }" >>"$F"
cat >>"$F" <<'EOT'
telemetry:
  - name: cpu
    select: { names: [r0, r1, r2, r3, r4] }
    interval: 200ms
    rest: { path: /api/cpu.json, pointer: /cpu }
  - name: ifin
    select: { names: [r2] }
    interval: 200ms
    metric: naut_if_in_octets
    rest:
      path: /api/interfaces.json
      pointers: { eth0: /interfaces/0/in_octets, eth1: /interfaces/1/in_octets }
  - name: badptr
    select: { names: [r3] }
    interval: 500ms
    rest: { path: /api/cpu.json, pointer: /no/such/value }
  - name: down
    select: { names: [r5] }
    interval: 200ms
    rest: { path: /down, pointer: /x }
  - name: big
    select: { names: [r6] }
    interval: 500ms
    rest: { path: /big, pointer: /pad }
  - name: tls
    select: { names: [r7] }
    interval: 500ms
    rest: { path: /api/system.json, pointer: /x }
EOT

before=$(stub)
"$S" -q -c "$F" >"$T/stdout" 2>"$T/log" &
spid=$!
i=0
until curl -fsS "$URL/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
sleep 3
scrape "$T/m1"
ok $? "/metrics answers in daemon mode"

# --- values ---
bad=0
for k in 0 1 2 3 4; do
	want=$(jq -r .cpu "$D/www/$(addr $k)/api/cpu.json")
	got=$(val "$T/m1" "naut_telemetry_value{device=\"r$k\",metric=\"cpu\"}")
	if [ "$got" != "$want" ]; then
		echo "# r$k: /metrics says '$got', the file says $want"
		bad=1
	fi
done
ok $bad "each device's value on /metrics is the number its JSON file holds"
a2=$(addr 2)
[ "$(val "$T/m1" 'naut_if_in_octets{device="r2",field="eth0"}')" = \
    "$(jq -r '.interfaces[0].in_octets' "$D/www/$a2/api/interfaces.json")" ] &&
    [ "$(val "$T/m1" 'naut_if_in_octets{device="r2",field="eth1"}')" = \
    "$(jq -r '.interfaces[1].in_octets' "$D/www/$a2/api/interfaces.json")" ]
ok $? "pointers: one series per pointer, labelled field=<name>, under metric:"

# The device's file changes (atomically, as a device's counters would):
# the new number is on /metrics within a few polls.
a1=$(addr 1)
printf '{"cpu":77.5,"other":[1,2]}\n' >"$D/www/$a1/api/cpu.json.new"
mv "$D/www/$a1/api/cpu.json.new" "$D/www/$a1/api/cpu.json"
i=0
got=
while [ $i -lt 50 ]; do
	scrape "$T/m2"
	got=$(val "$T/m2" 'naut_telemetry_value{device="r1",metric="cpu"}')
	[ "$got" = 77.5 ] && break
	i=$((i + 1))
	sleep 0.2
done
[ "$got" = 77.5 ]
ok $? "a value the device changes shows up on /metrics ($got)"

# --- errors ---
sleep 1
scrape "$T/m3"
p=$(val "$T/m3" 'telemetry_collection_errors_total{device="r3",error_type="parse"}')
[ "${p:-0}" -ge 2 ] && [ "$(val "$T/m3" 'naut_telemetry_value{device="r3",metric="cpu"}')" = \
    "$(jq -r .cpu "$D/www/$(addr 3)/api/cpu.json")" ]
ok $? "a pointer that leads nowhere: error_type parse ($p), the device's other entry still polls"
h=$(val "$T/m3" 'telemetry_collection_errors_total{device="r5",error_type="http_5xx"}')
o=$(val "$T/m3" 'telemetry_collection_errors_total{device="r5",error_type="breaker_open"}')
[ "${h:-0}" -eq 3 ] && [ "${o:-0}" -ge 5 ]
ok $? "a device answering 503: three http_5xx, then its breaker is open (breaker_open $o)"
b=$(val "$T/m3" 'telemetry_collection_errors_total{device="r6",error_type="output_too_large"}')
[ "${b:-0}" -ge 1 ]
ok $? "a body past output_limit: output_too_large ($b)"
b=$(val "$T/m3" 'telemetry_collection_errors_total{device="r7",error_type="tls_error"}')
[ "${b:-0}" -ge 1 ]
ok $? "a server the device's CA did not sign: tls_error ($b)"
c0=$(val "$T/m1" 'telemetry_points_collected_total{device="r0"}')
c1=$(val "$T/m3" 'telemetry_points_collected_total{device="r0"}')
[ "${c1:-0}" -ge $((${c0:-0} + 5)) ]
ok $? "the others keep polling meanwhile (r0: $c0 -> $c1 points)"
! grep -q 'telemetry_collection_errors_total{device="r[0124]"' "$T/m3"
ok $? "no errors on the healthy devices"

# --- keep-alive ---
after=$(stub)
set -- $before $after
acc=$(($3 - $1 - 1))
req=$(($4 - $2 - 1))
echo "# nginx: $acc connections accepted for $req requests"
# One per device, and one per failed TLS handshake of r7 (3 before its
# breaker opens).
[ $req -ge 100 ] && [ $acc -ge 1 ] && [ $acc -le $((NDEV + 2 + 3 + 2)) ]
ok $? "keep-alive: about one connection per device ($acc) for $req polls"
h2=$(awk '$6 == "/api/cpu.json" { print $7 }' "$D/access.log" | sort -u)
[ "$h2" = HTTP/2.0 ]
ok $? "polls run over HTTP/2 ($h2)"

# nginx reloads: its old workers close their idle kept-alive connections.
# The next polls make new ones, and no poll fails for it.
kill -HUP "$(cat "$D/nginx.pid")"
sleep 2
scrape "$T/m4"
after2=$(stub)
set -- $after $after2
acc2=$(($3 - $1 - 1))
c2=$(val "$T/m4" 'telemetry_points_collected_total{device="r0"}')
c3=$(val "$T/m3" 'telemetry_points_collected_total{device="r0"}')
! grep -q 'telemetry_collection_errors_total{device="r[0124]"' "$T/m4" &&
    [ "$acc2" -ge 5 ] && [ "${c2:-0}" -ge $((${c3:-0} + 5)) ]
ok $? "connections closed by the server while idle are made again, no poll fails ($acc2 new, r0: $c3 -> $c2 points)"

# --- promtool ---
promtool check metrics <"$T/m3" >"$T/promtool" 2>&1
r=$?
[ $r -eq 0 ] && [ ! -s "$T/promtool" ]
ok $? "promtool check metrics: no errors, no warnings"
sed 's/^/#   /' "$T/promtool" | head -5
grep -qx 'active_telemetry_tasks 10' "$T/m3"
ok $? "active_telemetry_tasks counts the REST tasks (10)"

# --- SIGTERM ---
kill -TERM $spid
i=0
while kill -0 $spid 2>/dev/null && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
wait $spid
rc=$?
spid=
[ $rc -eq 0 ] && [ $i -lt 100 ]
ok $? "SIGTERM: the daemon stops with status 0 (status $rc)"
! grep -q 'transport without telemetry support' "$T/log"
ok $? "no device is skipped for its transport"
PW=$(cat "$D/password")
! grep -qF "$PW" "$T/log" "$T/stdout"
ok $? "the password appears in no log"
pat="killed by signal\|exited with status\|runtime error\|Sanitizer"
! grep -q "$pat" "$T/log" "$T/stdout"
ok $? "no worker crashed and no sanitizer reported"
if [ -n "${NAUT_TEST_DEBUG:-}" ]; then
	sed 's/^/#   /' "$T/log" | tail -20
fi
echo "1..$n"
