#!/bin/sh
# naut-stat's repeating views against a writer that keeps counting
# (nstat_writer -r): rates move, and the viewer survives the supervisor
# being killed and replaced, reloading (generation bump) and shutting down
# cleanly.  Then the terminal view, through script(1) for a pty.
set -u
B=${NAUT_BUILD:-build}
STAT=$B/naut-stat
WR=$B/tests/nstat_writer
T=$(mktemp -d /tmp/nstat_live.XXXXXX)
pids=""
n=0

cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() {
	d=$1
	shift
	if "$@" > /dev/null; then ok "$d"; else nok "$d"; fi
}

start_writer() {	# out-file args...; sets WPID once ready
	o=$1
	shift
	: > "$o"
	"$WR" "$@" > "$o" 2>&1 &
	WPID=$!
	pids="$pids $WPID"
	i=0
	until grep -q '^ready' "$o"; do
		i=$((i + 1))
		[ $i -gt 200 ] && return 1
		sleep 0.05
	done
}

SEG=$T/seg
check "a busy writer starts" start_writer "$T/w1" -p "$SEG" -W 2 -D 20 -r
P1=$WPID

# 20 refreshes, 0.25 s apart: ~5 s while the writer is replaced under it.
"$STAT" -p "$SEG" -c 20 -w 0.25 > "$T/live" 2>&1 &
SP=$!
sleep 1
kill -9 "$P1"			# a crash: the stale segment stays
wait "$P1" 2>/dev/null
sleep 0.3
check "a new writer replaces the crashed one" \
    start_writer "$T/w2" -p "$SEG" -W 3 -D 20 -r
P2=$WPID
sleep 1
kill -USR1 "$P2"		# reload in place
sleep 1
kill "$P2"			# clean shutdown: segment removed
wait "$P2" 2>/dev/null
sleep 0.6
check "and one more after the shutdown" \
    start_writer "$T/w3" -p "$SEG" -W 1 -D 20 -r
P3=$WPID
wait "$SP"
rc=$?

check "the viewer ran to its count and exited 0" test "$rc" -eq 0
check "it printed 20 frames" test "$(grep -c '^# ' "$T/live")" -ge 20
check "it noticed the crash and the new supervisor" grep -q \
    "supervisor restarted (was pid $P1, generation 1)" "$T/live"
check "it noticed the reload" grep -q \
    "supervisor reloaded (was generation 2)" "$T/live"
check "it noticed the clean shutdown" grep -q \
    "supervisor pid $P2 shut down; waiting for a new one" "$T/live"
check "it waited while there was no segment" grep -q \
    "^# waiting: no segment $SEG" "$T/live"
check "frames show each supervisor" sh -c "grep -q '^# generation 1 pid $P1' \
'$T/live' && grep -q '^# generation 2 pid $P2' '$T/live' && \
grep -q '^# generation 3 pid $P2' '$T/live' && \
grep -q '^# generation 1 pid $P3' '$T/live'"
check "after the restart it shows the new worker count" sh -c \
    "awk '/^# generation 2 pid $P2/ { s = 1 } s && \$1 == \"workers.total\" \
    { print \$2; exit }' '$T/live' | grep -qx 3"
check "counts move between frames" sh -c "awk '\$1 == \"attempts\" \
    { print \$2 }' '$T/live' | sort -un | wc -l | awk '{ exit !(\$1 > 3) }'"

# ---- the terminal view ----
if command -v script > /dev/null 2>&1; then
	script -qfec "$STAT -p $SEG -c 3 -w 0.3" /dev/null > "$T/tty" 2>&1
	rc=$?
	check "on a terminal it draws a live view and exits 0" test "$rc" -eq 0
	check "... redrawing in place (cursor home, no scrolling)" test \
	    "$(grep -c "$(printf '\033\\[H')" "$T/tty")" -ge 3
	check "... with rate and average columns" grep -q \
	    'NAME  *CURRENT  *CHANGE/s  *AVG/s' "$T/tty"
	check "... and the fleet summary" grep -q \
	    'workers 1/1 alive   budget [0-9]*/8 in use' "$T/tty"
	check "... a rate appears from the second frame" sh -c "grep -a \
	    '^attempts ' '$T/tty' | awk '\$3 != \".\" && \$3 > 0 \
	    { f = 1 } END { exit !f }'"
	check "... and the cursor comes back at exit" grep -q \
	    "$(printf '\033\\[?25h')" "$T/tty"
else
	nok "script(1) (util-linux) is installed, to test the live view"
fi
kill "$P3" 2>/dev/null

echo "1..$n"
