#!/bin/sh
# 5,000 SSH sessions open at once against the lab's OpenSSH (each device
# runs a command whose lines come 30 s apart, so sessions overlap): peak
# simultaneous sessions, naut's fds and memory, and how every device ended.
# Not in `make check`: the lab side needs ~2.5 MB and a forked sshd pair
# plus an emulator per session, and 2 cores take minutes to accept 5,000.
# A guard stops early (and says so) if the host runs low on memory.
# usage: bench-sessions.sh BUILD OUTDIR [N]
set -u
BUILD=$1
OUT=$2
N=${3:-${NAUT_BENCH_SESSIONS:-5000}}
case $BUILD in /*) ;; *) BUILD=$(pwd)/$BUILD ;; esac
export NAUT_BUILD=$BUILD
export LAB_DIR=$BUILD/bench-sessions-lab
export LAB_SSHD_PORT=${BENCH_SESSIONS_PORT:-22745}
export LAB_KBD_PORT=$((LAB_SSHD_PORT + 1))
export LAB_DROPBEAR_PORT=$((LAB_SSHD_PORT + 2))
sh tests/lab/lab.sh start >/dev/null || exit 1
eval "$(sh tests/lab/lab.sh env)"
T=$(mktemp -d /tmp/naut-bench.XXXXXX)
sup=
trap '[ -n "$sup" ] && kill "$sup" 2>/dev/null; : >"$LAB_DEVICES_CONF"; sh tests/lab/lab.sh stop >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
sh tests/lab/lab.sh known-hosts 0 "$N" >/dev/null
echo "* behaviour=slow delay=30000" >"$LAB_DEVICES_CONF"
{
	echo "supervisor: { workers: 2, max_concurrent: $N, output_dir: $T/out, metrics_listen: 127.0.0.1:$((LAB_SSHD_PORT + 3)), name: bench-sessions }"
	echo "defaults: { username: $LAB_USER, port: $LAB_SSHD_PORT, known_hosts: $LAB_KNOWN_HOSTS, password_file: $LAB_PASSWORD_FILE, platform: linux, retries: 5, backoff: { base: 1s, max: 10s }, timeout: { connect: 120s, auth: 120s, command: 600s } }"
	echo "devices:"
	k=0
	while [ "$k" -lt "$N" ]; do
		echo "  - { name: d$k, host: 127.$((1 + k / 65536)).$((k / 256 % 256)).$((k % 256)) }"
		k=$((k + 1))
	done
	echo "jobs: [ { name: j, commands: [cat /etc/os-release] } ]"
} >"$T/fleet.yaml"

avail() {
	awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo
}
t0=$(date +%s)
"$BUILD/naut-supervisor" -q -c "$T/fleet.yaml" >"$T/stdout" 2>"$T/log" &
sup=$!
peak=0 pfd=0 prss=0 low=$(avail) guard=
while kill -0 "$sup" 2>/dev/null; do
	c=$(ss -Htn state established "( dport = :$LAB_SSHD_PORT )" | wc -l)
	[ "$c" -gt "$peak" ] && peak=$c
	for p in $(ps -o pid= --ppid "$sup"); do
		f=$(ls "/proc/$p/fd" 2>/dev/null | wc -l)
		r=$(ps -o rss= -p "$p" 2>/dev/null || echo 0)
		[ "$f" -gt "$pfd" ] && pfd=$f
		[ "${r:-0}" -gt "$prss" ] && prss=$r
	done
	a=$(avail)
	[ "$a" -lt "$low" ] && low=$a
	if [ "$a" -lt 3072 ]; then
		guard="stopped: host memory available fell to $a MiB"
		kill "$sup"
		break
	fi
	sleep 1
done
wait "$sup"
rc=$?
secs=$(($(date +%s) - t0))
sup=
st=$(jq -r .status "$T/out/results.jsonl" 2>/dev/null | sort | uniq -c | tr -s ' ' | tr '\n' ' ')
echo "sessions: $N devices, peak $peak open at once, ${secs} s, exit $rc"
echo "  naut worker peak: $pfd fds, $((prss / 1024)) MiB RSS; host MemAvailable low: $low MiB"
echo "  status:$st"
grep -ci 'too many open files' "$T/log" | sed 's/^/  EMFILE log lines: /'
[ -n "$guard" ] && echo "  $guard"
mkdir -p "$OUT"
printf '{"bench":"sessions","devices":%s,"peak_open":%s,"secs":%s,"worker_peak_fds":%s,"worker_peak_rss_kib":%s,"mem_available_low_mib":%s}\n' \
    "$N" "$peak" "$secs" "$pfd" "$prss" "$low" >"$OUT/sessions.json"
