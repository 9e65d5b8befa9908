#!/bin/sh
# naut-stat as a real process against real segments written by
# tests/helpers/nstat_writer (whose header comment lists the values it
# fills in): -1, -j (checked with jq), -d and its filters, -l, row
# filters, a missing segment, a corrupted layout version, a live owner
# refused, a stale segment read and replaced, -t, and that naut-stat never
# writes.  The live/restart behaviour is in nstat_live.sh.
set -u
B=${NAUT_BUILD:-build}
STAT=$B/naut-stat
WR=$B/tests/nstat_writer
T=$(mktemp -d /tmp/nstat.XXXXXX)
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
check() {	# description command...
	d=$1
	shift
	if "$@" > /dev/null; then ok "$d"; else nok "$d"; fi
}

# start_writer PATH ARGS...: background writer, WPID set once it is ready.
start_writer() {
	p=$1
	shift
	: > "$T/w.out"
	"$WR" -p "$p" "$@" > "$T/w.out" 2> "$T/w.err" &
	WPID=$!
	pids="$pids $WPID"
	i=0
	until grep -q '^ready' "$T/w.out"; do
		i=$((i + 1))
		[ $i -gt 200 ] && return 1
		sleep 0.05
	done
}

val() {		# row name -> value column of $T/once
	awk -v k="$1" '$1 == k { print $2 }' "$T/once"
}

eq() {		# got want
	[ "$1" = "$2" ] || { echo "# got '$1', want '$2'" >&2; return 1; }
}

SEG=$T/seg
check "writer creates a segment" start_writer "$SEG" -W 4 -D 10 -b 8
W1=$WPID
check "segment mode is 0600" eq "$(stat -c %a "$SEG")" 600

# ---- -1 ----
"$STAT" -p "$SEG" -1 > "$T/once" 2> "$T/err"
check "-1 exits 0" eq $? 0
check "-1 sums attempts over 4 slots" eq "$(val attempts)" 1000
check "-1 successes / failures" eq "$(val successes)/$(val failures)" \
    900/100
check "-1 errors by class" eq \
    "$(val errors.timeout)/$(val errors.auth)/$(val errors.refused)" 40/30/30
check "-1 gauge" eq "$(val sessions_open)" 10
check "-1 budget" eq "$(val budget.in_use)/$(val budget.limit)" 8/8
check "-1 workers alive" eq "$(val workers.alive)/$(val workers.total)" 4/4
check "-1 devices by status" eq "$(val devices.pending) $(val devices.running) \
$(val devices.backoff) $(val devices.done) $(val devices.failed)" "2 2 2 2 2"
check "-1 open breakers" eq "$(val breakers.open)/$(val breakers.half_open)" \
    1/1
check "-1 derived success rate" eq "$(val success_rate)" 90.00
check "-1 derived mean attempt" eq "$(val attempt_avg_ms)" 25.00
check "-1 histogram count and sum" eq \
    "$(val session_duration_ms.count)/$(val session_duration_ms.sum)" \
    1000/55000
check "-1 average column is a rate" awk '$1 == "attempts" {
    exit !($3 + 0 > 0) }' "$T/once"
check "-1 nothing on stderr for a live segment" test ! -s "$T/err"
"$STAT" -p "$SEG" | awk '{ print $1 }' > "$T/names.default"
awk '{ print $1 }' "$T/once" > "$T/names.once"
check "off a terminal the default is -1" cmp -s "$T/names.default" \
    "$T/names.once"

# ---- -l ----
"$STAT" -l | awk 'NR > 1 { print $1 }' > "$T/names.list"
check "-l lists exactly the rows -1 prints" cmp -s "$T/names.list" \
    "$T/names.once"

# ---- -j ----
"$STAT" -p "$SEG" -j > "$T/j" 2>&1
check "-j output is one valid JSON object" jq -e 'type == "object"' "$T/j"
check "-j counters and derived" jq -e '.counters.attempts.value == 1000 and
    .counters.attempts.kind == "counter" and
    .counters.sessions_open.kind == "gauge" and
    .counters["errors.auth"].value == 30 and
    .counters.success_rate.value == 90 and
    (.counters.attempts.avg * .supervisor.uptime_s - 1000 | fabs < 50)' \
    "$T/j"
check "-j budget, workers, devices" jq -e --argjson pid "$W1" '
    .budget == {"limit":8,"in_use":8,"waiters":0,"held_sum":8,"consistent":true} and
    .workers.total == 4 and .workers.alive == 4 and
    ([.workers.slots[].pid] | unique) == [$pid] and
    .devices.total == 10 and .devices.by_status.failed == 2 and
    .devices.breakers == {"closed":8,"open":1,"half_open":1}' "$T/j"
check "-j segment and supervisor" jq -e --argjson pid "$W1" \
    --arg path "$SEG" '.segment.layout == 1 and .segment.path == $path and
    .segment.mode == "0600" and .segment.generation == 1 and
    .supervisor.pid == $pid and .supervisor.alive and
    (.supervisor.uptime_s > 0) and (.timestamp | test("Z$"))' "$T/j"
check "-j histogram buckets are cumulative up to +Inf = count" jq -e '
    .histograms.session_duration_ms as $h |
    ([$h.buckets[].count] | . == sort) and $h.buckets[-1].le == "+Inf" and
    $h.buckets[-1].count == $h.count and $h.count == 1000 and
    $h.sum == 55000 and ([$h.buckets[] | select(.le == 10)][0].count == 100)' \
    "$T/j"
check "-j has no device list without -d" jq -e 'has("device_list") | not' \
    "$T/j"
"$STAT" -p "$SEG" -j -I attempts > "$T/j1"
check "-j -I selects counters and histograms" jq -e \
    '(.counters | keys) == ["attempts"] and .histograms == {}' "$T/j1"

# ---- -d ----
"$STAT" -p "$SEG" -j -d > "$T/jd"
check "-j -d lists every device" jq -e '.device_list | length == 10' "$T/jd"
check "-j -d escapes names (quote, backslash, tab)" jq -e \
    '.device_list[1].name == "sw-\"q\"\\1\tx"' "$T/jd"
check "-j -d device fields" jq -e '
    .device_list[0] as $p | .device_list[3] as $d | .device_list[4] as $o |
    .device_list[9] as $h |
    $p.status == "pending" and $p.error == null and $p.code == null and
    $p.last_ok == null and $d.status == "done" and $d.result == "ok" and
    $d.code == 0 and ($d.last_ok | type) == "string" and
    $o.breaker.state == "open" and $o.breaker.failures == 5 and
    ($o.breaker.open_age_ms >= 5000) and $o.error == "auth" and
    $h.breaker.state == "half_open" and $h.breaker.probe and
    ([.device_list[].worker] == [0,1,2,3,0,1,2,3,0,1])' "$T/jd"
"$STAT" -p "$SEG" -d > "$T/d"
check "-d prints a header, 10 devices and a total" eq \
    "$(wc -l < "$T/d" | tr -d ' ')/$(tail -1 "$T/d")" "12/# 10 of 10 devices"
check "-d shows control bytes in names as ?" grep -q '^sw-"q"\\1?x ' "$T/d"
check "-d open breaker with its age" grep -q '^dev00004 .* open/[0-9]*s ' \
    "$T/d"
cnt() { "$STAT" -p "$SEG" "$@" | tail -1 | awk '{ print $2 }'; }
check "-D name glob" eq "$(cnt -D 'dev0000[23]')" 2
check "-s run status" eq "$(cnt -s failed)" 2
check "-s breaker state" eq "$(cnt -s open)" 1
check "-s error class" eq "$(cnt -s auth)" 3
check "-s words add up (or)" eq "$(cnt -s open -s auth)" 3
check "-D and -s both apply (and)" eq "$(cnt -D 'dev*' -s failed -s running)" 3
"$STAT" -p "$SEG" -s bogus > /dev/null 2>&1
check "-s with an unknown word is a usage error" eq $? 64

# ---- row filters ----
"$STAT" -p "$SEG" -1 -I 'errors.*' -X 'errors.h*' > "$T/f"
check "-I/-X filter rows" eq "$(wc -l < "$T/f" | tr -d ' ')/$(grep -c \
    '^errors\.h' "$T/f")/$(grep -vc '^errors\.' "$T/f")" 13/0/0

# ---- errors ----
"$STAT" -p "$T/nope" -1 > /dev/null 2> "$T/err"
check "missing path exits 1" eq $? 1
check "missing path names the path" grep -q "no segment $T/nope" "$T/err"
"$STAT" -n "nosuch-$$" -1 > /dev/null 2> "$T/err"
check "missing name exits 1" eq $? 1
check "missing name names /dev/shm/naut.NAME" grep -q \
    "/dev/shm/naut.nosuch-$$" "$T/err"
"$STAT" -q > /dev/null 2>&1
check "unknown option exits 64" eq $? 64

SEG2=$T/seg2
start_writer "$SEG2" -W 2 -D 3
W2=$WPID
# Layout version is the uint32_t at byte 8 (SHM_OFF_VERSION): 99 = \143.
printf '\143\000\000\000' | dd of="$SEG2" bs=1 seek=8 count=4 conv=notrunc \
    2> /dev/null
"$STAT" -p "$SEG2" -1 > /dev/null 2> "$T/err"
check "wrong layout version exits 1" eq $? 1
check "wrong layout version says so plainly" grep -q \
    "segment $SEG2 is layout 99, this naut-stat reads layout 1" "$T/err"
printf '\001\000\000\000' | dd of="$SEG2" bs=1 seek=8 count=4 conv=notrunc \
    2> /dev/null
check "the same segment reads again once restored" \
    "$STAT" -p "$SEG2" -1 -I attempts
printf 'NOTNAUT\000' | dd of="$SEG2" bs=1 seek=0 count=8 conv=notrunc \
    2> /dev/null
"$STAT" -p "$SEG2" -j > /dev/null 2> "$T/err"
rc=$?
check "bad magic exits 1" eq $rc 1
check "... with the reason" grep -q 'not a naut segment (bad magic)' "$T/err"
kill "$W2"

# ---- a second supervisor, a stale segment ----
"$WR" -p "$SEG" -W 1 > /dev/null 2> "$T/err"
check "a second writer on a live segment exits 75" eq $? 75
check "... and names the live pid" grep -q "in use by naut-supervisor pid \
$W1" "$T/err"

ST=$T/stale
"$WR" -p "$ST" -W 2 -D 5 -k -s 0.01 > /dev/null 2>&1
"$STAT" -p "$ST" -j > "$T/js" 2> "$T/err"
check "a stale segment is still readable" eq $? 0
check "... and naut-stat says its supervisor is gone" grep -q \
    "is not running: these are the last values it left" "$T/err"
check "... also in JSON" jq -e '.supervisor.alive == false and
    .workers.alive == 0 and .counters.attempts.value == 300' "$T/js"
SPID=$(jq .supervisor.pid "$T/js")
sum1=$(sha256sum < "$ST")
"$STAT" -p "$ST" -1 > /dev/null 2>&1
"$STAT" -p "$ST" -j -d > /dev/null 2>&1
"$STAT" -p "$ST" -d -s open > /dev/null 2>&1
"$STAT" -p "$ST" -c 2 -w 0.05 > /dev/null 2>&1
check "naut-stat never writes to the segment" eq "$(sha256sum < "$ST")" \
    "$sum1"
start_writer "$ST" -W 3
check "a stale segment is replaced" grep -q \
    "replaced stale segment of pid $SPID" "$T/w.err"
check "... by the new one" sh -c "'$STAT' -p '$ST' -j | jq -e \
    '.workers.total == 3 and .supervisor.alive and .segment.generation == 2' \
    > /dev/null"
kill "$WPID"

# ---- -t ----
LATE=$T/late
("$STAT" -p "$LATE" -t 5 -1 > "$T/late.out" 2>&1; echo $? > "$T/late.rc") &
sleep 0.3
start_writer "$LATE" -W 2
wait_rc() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	cat "$1" 2>/dev/null
}
check "-t waits for a segment that appears" eq "$(wait_rc "$T/late.rc")" 0
check "... and reads it" grep -q '^attempts  *300 ' "$T/late.out"
kill "$WPID"
"$STAT" -p "$T/never" -t 0.3 -1 > /dev/null 2> "$T/err"
rc=$?
check "-t gives up with exit 1" eq $rc 1
check "... and says how long it waited" grep -q 'waited 0.3 s' "$T/err"

# ---- a named segment in /dev/shm ----
NAME=nstat-test-$$
"$WR" -n "$NAME" -W 2 > "$T/w.out" 2>&1 &
NPID=$!
pids="$pids $NPID"
i=0
until grep -q '^ready' "$T/w.out" || [ $i -gt 100 ]; do sleep 0.05; i=$((i+1)); done
check "a fleet name maps to /dev/shm/naut.NAME" test -f "/dev/shm/naut.$NAME"
check "-n reads it" sh -c "'$STAT' -n '$NAME' -j | jq -e \
    '.segment.name == \"$NAME\" and .segment.path == \"/dev/shm/naut.$NAME\"' \
    > /dev/null"
kill "$NPID"
wait "$NPID" 2>/dev/null
check "the supervisor removes it when it stops" test ! -e "/dev/shm/naut.$NAME"

echo "1..$n"
