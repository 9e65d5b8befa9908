#!/bin/sh
# Resource limits: 5,000 sessions open at once (against a listener that
# accepts and never speaks, so the peer costs nothing) started with a soft
# open-file limit of 1024: naut raises it, no session fails for want of a
# file descriptor, and worker memory per session stays small.  Then the
# per-worker session cap, derived from a low hard limit and set with
# supervisor.max_sessions_per_worker, and the error when the limit cannot
# hold the setting.
set -u
PORT=22740
B=${NAUT_BUILD:-build}
S=$B/naut-supervisor
T=$(mktemp -d /tmp/naut-itest.XXXXXX)
n=0
lpid=
cleanup() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
ok() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# fleet FILE COUNT SUPERVISOR-EXTRA
fleet() {
	{
		echo "supervisor: { workers: $4, max_concurrent: $2, output_dir: $T/out, metrics_listen: 127.0.0.1:$((PORT + 1)), name: itest$PORT$3 }"
		echo "defaults: { username: u, password: p, port: $PORT, host_key_checking: off, retries: 0, timeout: { connect: $5, auth: $5, command: $5 } }"
		echo "devices:"
		k=0
		while [ $k -lt "$2" ]; do
			echo "  - { name: s$k, host: 127.0.0.1 }"
			k=$((k + 1))
		done
		echo "jobs: [ { name: j, commands: [show version] } ]"
	} >"$1"
	rm -rf "$T/out"	# results.jsonl is appended to
}

# watch SUPPID TAG: peak connections, worker fds and RSS while it runs.
watch() {
	: >"$T/conns.$2"
	: >"$T/fds.$2"
	: >"$T/rss.$2"
	while kill -0 "$1" 2>/dev/null; do
		ss -Htn state established "( dport = :$PORT )" | wc -l >>"$T/conns.$2"
		for p in $(ps -o pid= --ppid "$1"); do
			ls "/proc/$p/fd" 2>/dev/null | wc -l >>"$T/fds.$2"
			ps -o rss= -p "$p" >>"$T/rss.$2"
		done
		sleep 0.2
	done
}
peak() {
	sort -n "$1" | tail -1
}

"$B/tests/silent_listener" 127.0.0.1 $PORT 300 &
lpid=$!
sleep 0.3

N=5000
fleet "$T/f.yaml" $N "" 2 10s
(ulimit -Sn 1024; exec "$S" -q -c "$T/f.yaml" >"$T/out.5k" 2>"$T/log.5k") &
sup=$!
t0=$(date +%s)
watch $sup 5k
wait $sup
rc=$?
secs=$(($(date +%s) - t0))
c=$(peak "$T/conns.5k")
f=$(peak "$T/fds.5k")
r=$(peak "$T/rss.5k")
echo "# $N sessions: peak $c connections at once, worker peak $f fds and $r KiB RSS, $secs s"
# All of them, as the README says: a session that never opened is a miss.
[ "$c" -eq "$N" ]
ok $? "5,000 sessions open at once (peak $c) from a soft open-file limit of 1024"
st=$(jq -r .status "$T/out/results.jsonl" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
[ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = timeout ] &&
    [ "$(wc -l <"$T/out/results.jsonl")" -eq $N ]
ok $? "every session ends by its timeout, none for want of a resource:$st"
! grep -qi 'too many open files\|EMFILE\|cannot allocate' "$T/log.5k"
ok $? "no fd or memory exhaustion in the log"
# Per session: the libssh2 session, the socket, the run: under 32 KiB
# (the README quotes the measured figure, about 20 KiB).
[ "$r" -lt $((N / 2 * 32)) ]
ok $? "worker memory bounded: peak $r KiB RSS for $((N / 2)) sessions per worker"
[ "$rc" -eq 1 ]
ok $? "the batch exits 1 (devices failed), not with an internal error (exit $rc)"

# A hard limit of 200 fits (200 - 64) / 2 = 68 sessions in a worker.
fleet "$T/f.yaml" 150 "" 1 2s
(ulimit -n 200; exec "$S" -q -c "$T/f.yaml" >"$T/out.cap" 2>"$T/log.cap") &
sup=$!
watch $sup cap
wait $sup
rc=$?
c=$(peak "$T/conns.cap")
[ "$c" -le 68 ] && [ "$c" -ge 50 ] &&
    [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = timeout ]
ok $? "hard limit 200: at most 68 sessions at once in one worker (peak $c), all ended by timeout"
grep -q 'open file limit 200 holds 68 sessions per worker' "$T/log.cap"
ok $? "the log says the open file limit caps sessions"

fleet "$T/f.yaml" 40 ", max_sessions_per_worker: 10" 1 2s
"$S" -q -c "$T/f.yaml" >"$T/out.set" 2>"$T/log.set" &
sup=$!
watch $sup set
wait $sup
c=$(peak "$T/conns.set")
[ "$c" -le 10 ] && [ "$c" -ge 8 ] && [ "$(wc -l <"$T/out/results.jsonl")" -eq 40 ]
ok $? "max_sessions_per_worker: 10 holds a worker to 10 sessions (peak $c)"

fleet "$T/f.yaml" 40 ", max_sessions_per_worker: 5000" 1 2s
(ulimit -n 1024; exec "$S" -q -c "$T/f.yaml" >"$T/out.err" 2>"$T/log.err")
rc=$?
[ $rc -eq 78 ] && grep -q 'max_sessions_per_worker 5000 needs 10064 open files, but the limit is 1024' "$T/log.err"
ok $? "a cap the hard limit cannot hold is a configuration error (exit $rc)"
echo "1..$n"
exit 0
