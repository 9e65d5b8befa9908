#!/bin/sh
# REST batches against a private nginx (tests/lab/rest-lab.sh): TLS with a
# CA made for the test, HTTP/2, basic auth and bearer tokens, JSON per
# device, and paths that fail on purpose (503 then 200, 429 with
# Retry-After, 403, oversized bodies, redirect loops), a silent server and
# a closed port.  Ports 22500-22504.
set -u
B=${1:-${NAUT_BUILD:-build}}
ROOT=$(pwd)
case $B in /*) ;; *) B=$ROOT/$B ;; esac
S=$B/naut-supervisor
PORT=22500
SPORT=22501
D=$B/rest-lab-$PORT
T=$(mktemp -d /tmp/naut-rest.XXXXXX)
NDEV=200
n=0

cleanup() {
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
PW=$(cat "$D/password")
TOKEN=$(cat "$D/token")
F=$T/fleet.yaml

# Timeouts are generous: under make asan a TLS handshake can take seconds.
# fleet FILE [defaults lines]: supervisor and REST defaults, then devices:;
# a line given replaces the default line with the same key.
fleet() {
	f=$1
	shift
	{
		echo "supervisor: { workers: 2, max_concurrent: 20, output_dir: $T/out, metrics_listen: 127.0.0.1:22502, name: itestrest }"
		echo "defaults:"
		for l in "transport: rest" "port: $PORT" "username: naut" \
		    "password_file: $D/password" "ca_file: $D/ca.crt" \
		    "timeout: { connect: 30s, command: 30s }" \
		    "backoff: { base: 100ms, max: 400ms }" "retries: 3"; do
			given=0
			for x in "$@"; do
				[ "${x%%:*}" = "${l%%:*}" ] && given=1
			done
			[ $given -eq 0 ] && echo "  $l"
		done
		for l in "$@"; do
			echo "  $l"
		done
		echo "devices:"
	} >"$f"
}

naut() {	# fleet [args]
	f=$1
	shift
	rm -rf "$T/out"
	timeout 120 "$S" -q ${NAUT_TEST_DEBUG:+-d} "$@" -c "$f" >"$T/stdout" 2>"$T/log"
	echo $? >"$T/rc"
	cat "$T/stdout" "$T/log" >>"$T/all.log"
	cat "$T/out/results.jsonl" >>"$T/all.log" 2>/dev/null
}

rc() {
	cat "$T/rc"
}

rec() {		# device field: the field of its (first) record
	jq -r --arg d "$1" "select(.device == \$d) | .$2" \
	    "$T/out/results.jsonl" 2>/dev/null | head -1
}

stub() {	# accepts and requests so far
	curl -s "http://127.0.0.1:$SPORT/" | awk 'NR == 3 { print $1, $3 }'
}

# 1. A batch: 200 devices, five requests each, over kept-alive TLS.
fleet "$F"
k=0
while [ $k -lt $NDEV ]; do
	echo "  - { name: r$k, host: $(sh tests/lab/rest-lab.sh addr $k) }"
	k=$((k + 1))
done >>"$F"
cat >>"$F" <<EOT
jobs:
  - name: poll
    requests: [/api/system.json, /api/interfaces.json, /api/cpu.json,
      /api/mem.json, /api/routes.json]
EOT
before=$(stub)
naut "$F"
after=$(stub)
ok "$(rc)" "batch of $NDEV devices exits 0"
[ "$(jq -s 'length' "$T/out/results.jsonl")" -eq $((NDEV * 5)) ] &&
    [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ] &&
    [ "$(jq -r .exit_code "$T/out/results.jsonl" | sort -u)" = 200 ]
ok $? "$((NDEV * 5)) ok records, each with HTTP status 200"
bad=0
k=0
while [ $k -lt $NDEV ]; do
	a=$(sh tests/lab/rest-lab.sh addr $k)
	for p in system interfaces cpu mem routes; do
		f=$(ls "$T/out/r$k/"*"$p.json"* 2>/dev/null | head -1)
		if ! cmp -s "$D/www/$a/api/$p.json" "$f"; then
			[ $bad -eq 0 ] && echo "# r$k $p differs from $D/www/$a/api/$p.json"
			bad=1
		fi
	done
	k=$((k + $(( k < 10 ? 1 : 17 ))))
done
ok $bad "saved outputs are the bodies nginx served, byte for byte"
set -- $before $after
acc=$(($3 - $1 - 1))
req=$(($4 - $2 - 1))
# A failed attempt (a slow machine can time out) closes its connection.
att=$(jq -s 'group_by(.device) | map(map(.attempts) | max) | add' \
    "$T/out/results.jsonl")
echo "# nginx: $acc connections accepted for $req requests, $att attempts"
[ $req -ge $((NDEV * 5)) ] && [ $acc -le $((att + 10)) ]
ok $? "keep-alive: one connection per device attempt ($acc accepted, $req requests)"
conns=$(awk '$6 ~ /^\/api\// { print $3 }' "$D/access.log" | sort -u | wc -l)
[ "$conns" -le $((NDEV + 10)) ]
ok $? "access log: $NDEV devices used $conns connections"
[ "$(awk '$6 ~ /^\/api\// { print $7 }' "$D/access.log" | sort -u)" = HTTP/2.0 ]
ok $? "every request went over HTTP/2"

# 2. TLS: wrong CA, the system CAs, tls_verify: false.
fleet "$F"
cat >>"$F" <<EOT
  - { name: wrongca, host: 127.78.0.1, ca_file: $D/other-ca.crt }
  - { name: systemca, host: 127.78.0.2, ca_file: /etc/ssl/certs/ca-certificates.crt }
  - { name: noverify, host: 127.78.0.3, ca_file: /etc/ssl/certs/ca-certificates.crt, tls_verify: false }
  - { name: wrongpw, host: 127.78.0.4, password_file: $T/wrongpw }
  - { name: good, host: 127.78.0.5 }
jobs: [ { name: j, requests: [/api/system.json] } ]
EOT
printf 'not-the-password\n' >"$T/wrongpw"
naut "$F"
[ "$(rc)" -eq 1 ] && [ "$(rec wrongca status)" = tls_error ] &&
    [ "$(rec wrongca attempts)" = 1 ]
ok $? "wrong CA: tls_error after 1 attempt"
[ "$(rec systemca status)" = tls_error ] && [ "$(rec systemca attempts)" = 1 ]
ok $? "a private CA is not trusted by the system CAs: tls_error, not retried"
[ "$(rec noverify status)" = ok ] &&
    cmp -s "$T/out/noverify/"* "$D/www/127.78.0.3/api/system.json"
ok $? "tls_verify: false reaches the untrusted server"
[ "$(rec wrongpw status)" = auth ] && [ "$(rec wrongpw attempts)" = 1 ] &&
    [ "$(rec wrongpw exit_code)" = 401 ]
ok $? "wrong password: auth with HTTP 401 after 1 attempt"
[ "$(rec good status)" = ok ]
ok $? "the good device in the same batch is ok"

# 3. Retries: 503 then 200; 429 with Retry-After; always 503; 403.
fleet "$F"
cat >>"$F" <<EOT
  - { name: flaky, host: 127.78.0.10 }
  - { name: busy, host: 127.78.0.11 }
  - { name: down, host: 127.78.0.12, retries: 2 }
  - { name: forbidden, host: 127.78.0.13 }
jobs:
  - { name: flaky, select: { names: [flaky] }, requests: [/flaky, /api/system.json] }
  - { name: busy, select: { names: [busy] }, requests: [/busy] }
  - { name: down, select: { names: [down] }, requests: [/down] }
  - { name: forbidden, select: { names: [forbidden] }, requests: [/forbidden] }
EOT
naut "$F" --job flaky
[ "$(rc)" -eq 0 ] && [ "$(rec flaky status)" = ok ] &&
    [ "$(rec flaky attempts)" = 2 ] && [ "$(rec flaky exit_code)" = 200 ] &&
    [ "$(grep -c "127.78.0.10 [0-9]* 503 GET /flaky" "$D/access.log")" = 1 ]
ok $? "503 then 200: retried, ok after 2 attempts"
# (A device's connection closes after its last request; /flaky is not.)
[ "$(awk '$2 == "127.78.0.10" { print $3 }' "$D/access.log" | sort -u |
    wc -l)" -eq 1 ] && [ "$(grep -c "^[0-9.]* 127.78.0.10 " "$D/access.log")" -eq 3 ]
ok $? "the retry and the next request reused the failed attempt's connection"
naut "$F" --job busy
[ "$(rc)" -eq 0 ] && [ "$(rec busy status)" = ok ] &&
    [ "$(rec busy attempts)" = 2 ]
ok $? "429: retried, ok after 2 attempts"
gap=$(awk '$2 == "127.78.0.11" && $6 == "/busy" { t[++k] = $1 }
    END { printf "%.3f", t[2] - t[1] }' "$D/access.log")
echo "# Retry-After: 2; nginx saw the retry after $gap s (backoff max 0.4 s)"
# nginx's $msec is its cached time of the event loop: allow a few ms.
awk -v g="$gap" 'BEGIN { exit !(g >= 1.95 && g < 5) }'
ok $? "Retry-After honoured: $gap s between attempts"
naut "$F" --job down
[ "$(rc)" -eq 1 ] && [ "$(rec down status)" = http_5xx ] &&
    [ "$(rec down attempts)" = 3 ] && [ "$(rec down exit_code)" = 503 ] &&
    [ "$(grep -c "127.78.0.12 [0-9]* 503 GET /down" "$D/access.log")" = 3 ]
ok $? "always 503: http_5xx with status 503 after 1 + retries attempts"
naut "$F" --job forbidden
[ "$(rec forbidden status)" = http_4xx ] &&
    [ "$(rec forbidden attempts)" = 1 ] && [ "$(rec forbidden exit_code)" = 403 ]
ok $? "403: http_4xx, not retried"

# 4. Method, body, headers; bearer token; size cap; redirect loop.
printf '%s\n' "$TOKEN" >"$T/token"
printf 'not-the-token\n' >"$T/badtoken"
fleet "$F"
cat >>"$F" <<EOT
  - { name: post, host: 127.78.0.20 }
  - { name: bearer, host: 127.78.0.21, http_auth: bearer, password_file: $T/token }
  - { name: badbearer, host: 127.78.0.22, http_auth: bearer, password_file: $T/badtoken }
  - { name: big, host: 127.78.0.23, output_limit: 64KiB }
  - { name: loop, host: 127.78.0.24 }
jobs:
  - name: post
    select: { names: [post] }
    requests:
      - { method: POST, path: /echo, body: '{"cmds":["show version"]}', headers: { X-Naut-Test: hello } }
      - { method: PUT, path: /echo, body: 'a=1', headers: { Content-Type: text/plain } }
      - DELETE /echo
  - { name: bearer, select: { names: ["*bearer"] }, requests: [/bearer] }
  - { name: big, select: { names: [big] }, requests: [/big] }
  - { name: loop, select: { names: [loop] }, requests: [/loop] }
EOT
naut "$F" --job post
[ "$(rc)" -eq 0 ] && grep -q '"method":"POST","type":"application/json","test":"hello","length":"25"' "$T/out/post/"*POST* &&
    grep -q '"method":"PUT","type":"text/plain"' "$T/out/post/"*PUT* &&
    grep -q '"method":"DELETE"' "$T/out/post/"*DELETE*
ok $? "POST/PUT/DELETE with body, default JSON content type and custom headers"
naut "$F" --job bearer
[ "$(rec bearer status)" = ok ] && [ "$(rec badbearer status)" = auth ] &&
    [ "$(rec badbearer attempts)" = 1 ]
ok $? "bearer token accepted; a wrong token is auth, not retried"
naut "$F" --job big
[ "$(rec big status)" = output_too_large ] && [ "$(rec big attempts)" = 1 ] &&
    [ ! -e "$T/out/big/"* ]
ok $? "a body over output_limit fails as output_too_large, nothing saved"
naut "$F" --job loop
[ "$(rec loop status)" = protocol ] && [ "$(rec loop attempts)" = 1 ] &&
    [ "$(grep -c "127.78.0.24 [0-9]* 302 GET /loop" "$D/access.log")" = 6 ]
ok $? "a redirect loop stops after 5 redirects (protocol)"

# 5. A silent server times out (retried), a closed port is refused
# (retried), and the batch deadline cancels a request in flight.
"$B/tests/silent_listener" 127.0.0.1 22503 60 &
silent=$!
fleet "$F" "timeout: { connect: 1s, command: 2s }" "retries: 1"
cat >>"$F" <<EOT
  - { name: silent, host: 127.0.0.1, port: 22503 }
  - { name: closed, host: 127.0.0.1, port: 22504 }
  - { name: fine, host: 127.78.0.30 }
jobs: [ { name: j, requests: [/api/system.json] } ]
EOT
naut "$F"
[ "$(rec silent status)" = timeout ] && [ "$(rec silent attempts)" = 2 ] &&
    [ "$(rec closed status)" = refused ] && [ "$(rec closed attempts)" = 2 ] &&
    [ "$(rec fine status)" = ok ]
ok $? "silent server: timeout, closed port: refused, both retried"
sed -i 's/^supervisor: {/supervisor: { global_timeout: 3s,/; s/connect: 1s, command: 2s/connect: 30s, command: 30s/' "$F"
t0=$(date +%s)
naut "$F" &
bg=$!
sleep 1.5
curl -s http://127.0.0.1:22502/metrics >"$T/metrics"
wait $bg
t1=$(date +%s)
[ "$(rec silent status)" = deadline ] && [ $((t1 - t0)) -le 10 ]
ok $? "the batch deadline (3 s) cancels a REST request in flight ($((t1 - t0)) s)"
# Mid-batch: the silent device's connection is open and counted.
awk '$1 == "naut_sessions_open" { o = $2 } $1 == "naut_attempts_total" { a = $2 }
    END { exit !(o >= 1 && a >= 1) }' "$T/metrics"
ok $? "/metrics mid-batch: REST attempts counted, the open connection in sessions_open"
grep -E '^naut_(sessions_open|attempts_total|bytes_(sent|received)_total) ' \
    "$T/metrics" | sed 's/^/#   /'

# valgrind: supervisor and workers; successes, failures, retries and a
# request cancelled by the deadline.  (Not on an ASan build.)
. tests/integration/valgrind.inc
if [ -z "${NAUT_NO_VALGRIND:-}" ] && ! ldd "$S" | grep -q libasan; then
	fleet "$F" "timeout: { connect: 30s, command: 30s }" "retries: 1"
	# Long enough for valgrind on a loaded machine; the silent device
	# still waits for it.
	sed -i 's/^supervisor: {/supervisor: { global_timeout: 20s,/' "$F"
	k=0
	while [ $k -lt 20 ]; do
		echo "  - { name: r$k, host: $(sh tests/lab/rest-lab.sh addr $k) }"
		k=$((k + 1))
	done >>"$F"
	cat >>"$F" <<EOT
  - { name: wrongca, host: 127.78.0.1, ca_file: $D/other-ca.crt }
  - { name: wrongpw, host: 127.78.0.4, password_file: $T/wrongpw }
  - { name: silent, host: 127.0.0.1, port: 22503 }
  - { name: closed, host: 127.0.0.1, port: 22504 }
jobs: [ { name: j, requests: [/api/system.json, /api/cpu.json] } ]
EOT
	rm -rf "$T/out"
	timeout 300 valgrind --trace-children=yes --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    --log-file="$T/vg.%p" "$S" -q -c "$F" >/dev/null 2>"$T/log"
	vrc=$?
	[ "$vrc" -eq 1 ] && [ "$(rec r7 status)" = ok ] &&
	    [ "$(rec silent status)" = deadline ] &&
	    [ "$(rec wrongca status)" = tls_error ]
	ok $? "valgrind: REST batch with failures and a deadline (exit $vrc)"
	vg_clean "$T" 3
	ok $? "valgrind: no errors and no leaks in supervisor and both workers ($(tail -1 "$T/vg.why"))"
	sed 's/^/#   /' "$T/vg.why"
fi
kill $silent 2>/dev/null
wait $silent 2>/dev/null

# 6. Secrets never leave the process.
! grep -rqF -e "$PW" -e "$TOKEN" "$T/all.log" "$T/out" "$F" 2>/dev/null
ok $? "neither the password nor the token appears in any log, record or output"

pat="killed by signal\|exited with status\|runtime error\|Sanitizer"
! grep -q "$pat" "$T/all.log"
ok $? "no worker crashed and no sanitizer reported in any run"
grep "$pat" "$T/all.log" | head -5 | sed 's/^/#   /'
echo "1..$n"
