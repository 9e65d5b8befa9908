#!/bin/sh
# The fault suite: misbehaving devices, a wedged port, dead devices behind
# shared breakers, workers killed with SIGKILL mid-batch, the lab's sshd
# killed and restarted mid-batch, SIGTERM mid-batch.  Each time: nothing
# lost (one record per device and command, none twice), every healthy
# device ok, and the budget invariant read from the segment all along.
set -u
LAB_PORT_BASE=22380
. tests/integration/lablib.inc
F=$T/fleet.yaml
STAT=$B/naut-stat
sh tests/lab/lab.sh known-hosts 0 240 >/dev/null

# Budget watcher: in_use <= limit always; in_use == sum(held) whenever
# the segment says the view is consistent.  Each sample naut-stat read is
# counted (budget.n), so "held" needs samples, not merely no complaint:
# before the segment exists naut-stat fails, and those attempts count
# nothing.
watch_budget() {	# segment name
	: >"$T/budget.bad"
	: >"$T/budget.n"
	(
		while [ ! -f "$T/stop" ]; do
			if "$STAT" -n "$1" -1 -j >"$T/budget.snap" 2>"$T/budget.err"; then
				echo >>"$T/budget.n"
				jq -r '.budget | select(.in_use > .limit or
				    (.consistent and .in_use != .held_sum)) |
				    tostring' "$T/budget.snap" >>"$T/budget.bad" ||
				    echo "unreadable sample" >>"$T/budget.bad"
			fi
			sleep 0.05
		done
	) &
	watcher=$!
	rm -f "$T/stop"
}
# budget_held: the watcher read at least 5 samples and none broke the
# invariant.
budget_held() {
	bn=$(wc -l <"$T/budget.n")
	[ "$bn" -ge 5 ] && [ ! -s "$T/budget.bad" ]
}
unwatch() {
	touch "$T/stop"
	wait $watcher 2>/dev/null
	rm -f "$T/stop"
}

# exactly DEVICES x COMMANDS records, no (device, command) twice
records_exact() {	# devices commands
	[ "$(jq -s 'length' "$T/out/results.jsonl")" -eq $(($1 * $2)) ] &&
	    [ "$(jq -r '.device + " " + .command' "$T/out/results.jsonl" |
	    sort | uniq -d | wc -l)" -eq 0 ]
}

# 1. Misbehaving devices and a port that accepts and never speaks.
"$B/tests/silent_listener" 127.0.0.1 $((LAB_PORT_BASE + 9)) 60 &
silent=$!
cat >"$LAB_DEVICES_CONF" <<CONF
10 behaviour=hang_login
11 behaviour=hang_mid
12 behaviour=slow
13 behaviour=endless
14 behaviour=garbage
15 behaviour=disconnect_mid
CONF
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE" "retries: 1" \
    "timeout: { connect: 2s, auth: 2s, command: 4s }" "output_limit: 256KiB"
fleet_devs "$F" 0 30
echo "  - { name: silent, host: 127.0.0.1, port: $((LAB_PORT_BASE + 9)), platform: linux }" >>"$F"
echo "jobs: [ { name: j, mode: shell, commands: [show version, show running-config] } ]" >>"$F"
watch_budget "itest$LAB_PORT_BASE"
naut "$F"
unwatch
kill $silent 2>/dev/null
: >"$LAB_DEVICES_CONF"
records_exact 31 2
ok $? "misbehaving devices: one record per device and command, none twice"
[ "$(status dev10)" = timeout ] && [ "$(status dev11 "show version")" = timeout ]
ok $? "hang after login and hang mid-output end as timeout"
[ "$(status dev12 "show version")" = ok ]
ok $? "a slow, trickling device completes what fits in its command timeout"
[ "$(status dev13 "show version")" = output_too_large ]
ok $? "endless output ends as output_too_large"
# The emulator sends 4 KiB of seeded junk, then its prompt: the session
# is fine and the junk (what survives as text, 903 bytes for its seed) is
# the output: data, not a protocol error.
g=$(wc -c <"$T/out/dev14/show_version.txt" 2>/dev/null || echo 0)
[ "$(status dev14 "show version")" = ok ] && [ "$g" -ge 512 ] &&
    [ "$(status dev14 "show running-config")" = ok ]
ok $? "binary garbage is saved as output, both commands ok ($(status dev14 "show version"), $g bytes)"
[ "$(status dev15 "show version")" = reset ]
ok $? "disconnect mid-output ends as reset"
[ "$(status silent)" = timeout ]
ok $? "a port that accepts and never speaks ends as timeout"
good=0
for k in 0 1 2 3 4 5 6 7 8 9 16 17 18 19 20 21 22 23 24 25 26 27 28 29; do
	[ "$(status dev$k)" = ok ] || good=1
done
ok $good "every healthy device is ok"
budget_held
ok $? "budget invariant held throughout (in_use <= limit, == sum(held); $bn samples)"
jq -se 'map(select(.event == "device_failed" and .device == "dev10")) |
    length == 1 and .[0].status == "timeout" and .[0].transport == "ssh" and
    .[0].duration_ms >= 0' "$T/log" >/dev/null 2>&1
ok $? "a failed device is logged as an event with device, status and duration fields"

# 2. Dead devices behind shared breakers fail fast.
"$B/tests/silent_listener" 127.0.0.1 $((LAB_PORT_BASE + 9)) 60 &
silent=$!
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE" "retries: 3" \
    "timeout: { connect: 1s, auth: 1s, command: 4s }"
sed -i 's/max_concurrent: 20/max_concurrent: 2/' "$F"
k=0
while [ $k -lt 10 ]; do
	echo "  - { name: ctl$k, host: 127.0.0.1, port: $((LAB_PORT_BASE + 9)), breaker: { key: ctrl-a, failure_threshold: 3, open_for: 1m } }" >>"$F"
	k=$((k + 1))
done
fleet_devs "$F" 0 10
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
naut "$F"
kill $silent 2>/dev/null
nopen=$(jq -r 'select(.device | startswith("ctl")) | .status' \
    "$T/out/results.jsonl" | grep -c breaker_open)
tries=$(jq -s '[.[] | select(.device | startswith("ctl")) | .attempts] | add' \
    "$T/out/results.jsonl")
[ "$nopen" -ge 6 ] && [ "$tries" -le 5 ]
ok $? "a shared breaker opens after 3 failures; the rest fail fast ($nopen breaker_open, $tries attempts in all)"
good=0
for k in 0 1 2 3 4 5 6 7 8 9; do
	[ "$(status dev$k)" = ok ] || good=1
done
ok $good "devices outside the open breaker are ok"

# 3. SIGKILL to workers mid-batch, three times: the replacement redoes
#    what was in flight, nothing is lost or duplicated.
echo "* behaviour=slow delay=50" >"$LAB_DEVICES_CONF"
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
sed -i 's/workers: 2/workers: 3/' "$F"
fleet_devs "$F" 0 240
echo "jobs: [ { name: j, mode: shell, commands: [show version] } ]" >>"$F"
rm -rf "$T/out"
watch_budget "itest$LAB_PORT_BASE"
timeout 300 "$S" -q -c "$F" >"$T/stdout" 2>"$T/log" &
tpid=$!
sleep 0.3
sup=$(pgrep -P $tpid)
: >"$T/replace"
for i in 1 2 3; do
	sleep 1.$i
	w=$(pgrep -P $sup | shuf -n 1)
	[ -n "$w" ] || continue
	t0=$(date +%s%N)
	kill -9 "$w"
	# Time until a new worker runs in place of the dead one.
	while pgrep -P $sup | grep -qx "$w" ||
	    [ "$(pgrep -P $sup | wc -l)" -lt 3 ]; do
		sleep 0.005
		[ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 5000 ] && break
	done
	echo $(( ($(date +%s%N) - t0) / 1000000 )) >>"$T/replace"
done
wait $tpid
echo $? >"$T/rc"
unwatch
cat "$T/log" >>"$T/killed.log"
: >"$LAB_DEVICES_CONF"
[ "$(grep -c 'killed by signal 9' "$T/log")" -eq 3 ]
ok $? "three workers were killed mid-batch and reaped"
echo "# worker replaced after $(sort -n "$T/replace" | tr '\n' ' ')ms"
[ "$(rc)" -eq 0 ] && records_exact 240 1 &&
    [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ]
ok $? "after the kills: 240 of 240 devices ok, no record lost or doubled"
budget_held
ok $? "budget invariant held through the kills and reclaims ($bn samples)"
ls "$T/out"/dev*/*.tmp.* >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "no half-written output file is left behind"

# 4. The lab's sshd killed and restarted mid-batch: retries carry over.
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE" "retries: 8" \
    "backoff: { base: 300ms, max: 1s }" "breaker: { failure_threshold: 20 }"
fleet_devs "$F" 0 60
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
echo "* behaviour=slow delay=10" >"$LAB_DEVICES_CONF"
rm -rf "$T/out"
timeout 300 "$S" -q -c "$F" >"$T/stdout" 2>"$T/log" &
tpid=$!
sleep 1
kill "$(cat "$LAB_DIR/sshd.pid")"
sleep 1
sh tests/lab/lab.sh start >/dev/null 2>&1
wait $tpid
echo $? >"$T/rc"
: >"$LAB_DEVICES_CONF"
[ "$(rc)" -eq 0 ] && records_exact 60 1 &&
    [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ]
ok $? "sshd killed and restarted mid-batch: every device ends ok"
[ "$(jq -s '[.[].attempts] | max' "$T/out/results.jsonl")" -ge 2 ]
ok $? "devices hit by the outage were retried"

# 5. SIGTERM mid-batch: drained, results intact, exit non-zero.
echo "* behaviour=slow delay=30" >"$LAB_DEVICES_CONF"
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
sed -i 's/name: itest/drain_timeout: 10s, name: itest/' "$F"
fleet_devs "$F" 0 200
echo "jobs: [ { name: j, commands: [show version, show running-config] } ]" >>"$F"
rm -rf "$T/out"
timeout 300 "$S" -q -c "$F" >"$T/stdout" 2>"$T/log" &
tpid=$!
sleep 2
kill -TERM "$(pgrep -P $tpid)"
wait $tpid
echo $? >"$T/rc"
: >"$LAB_DEVICES_CONF"
nok=$(jq -r 'select(.status == "ok") | .device' "$T/out/results.jsonl" | sort -u | wc -l)
ncan=$(jq -r 'select(.status == "cancelled") | .device' "$T/out/results.jsonl" | sort -u | wc -l)
[ "$(rc)" -eq 1 ] && records_exact 200 2 && [ "$nok" -gt 0 ] && [ "$ncan" -gt 0 ]
ok $? "SIGTERM: drained; $nok devices ok, $ncan cancelled, every record written once"
ls "$T/out"/dev*/*.tmp.* >/dev/null 2>&1
[ $? -ne 0 ] && [ ! -e "/dev/shm/naut.itest$LAB_PORT_BASE" ]
ok $? "SIGTERM: no half-written file, the segment is removed"
# 6. SIGHUP with a broken file: logged, the batch goes on; with a valid
#    one: accepted.  -P writes the pid file and removes it at exit.
echo "* behaviour=slow delay=30" >"$LAB_DEVICES_CONF"
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
fleet_devs "$F" 0 60
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
cp "$F" "$T/good.yaml"
rm -rf "$T/out"
timeout 300 "$S" -q -P "$T/naut.pid" -c "$F" >"$T/stdout" 2>"$T/log" &
tpid=$!
sleep 0.5
sup=$(pgrep -P $tpid)
[ "$(cat "$T/naut.pid" 2>/dev/null)" = "$sup" ]
ok $? "-P writes the supervisor's pid"
echo "bogus_key: 1" >>"$F"
kill -HUP "$sup"
sleep 0.5
cp "$T/good.yaml" "$F"
kill -HUP "$sup"
wait $tpid
echo $? >"$T/rc"
: >"$LAB_DEVICES_CONF"
grep -q "is invalid; the batch goes on" "$T/log" &&
    grep -q "fleet.yaml:[0-9]*:[0-9]*: unknown key" "$T/log" &&
    grep -q "SIGHUP: .* is valid" "$T/log"
ok $? "SIGHUP: a broken file is reported with file:line:col, a valid one accepted"
[ "$(rc)" -eq 0 ] && records_exact 60 1 && [ ! -e "$T/naut.pid" ]
ok $? "the batch finished unharmed by both reloads; the pid file is gone"
cat "$T/log" >>"$T/all.log"

# 6b. SIGHUP with a valid file that changes the fleet mid-batch: a new
#     generation.  Devices removed before they started never run, devices
#     added run, a changed device runs with its new settings, what finished
#     before the reload is not run again, and no record is written twice.
echo "* behaviour=slow delay=150" >"$LAB_DEVICES_CONF"
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
sed -i 's/max_concurrent: 20/max_concurrent: 4/' "$F"
fleet_devs "$F" 0 40
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
fleet_head "$T/new.yaml" "password_file: $LAB_PASSWORD_FILE"
sed -i 's/max_concurrent: 20/max_concurrent: 6/' "$T/new.yaml"
fleet_devs "$T/new.yaml" 0 25
echo "  - { name: dev25, host: $(lab_addr 25), platform: $(lab_platform 25), port: $((LAB_PORT_BASE + 8)) }" >>"$T/new.yaml"
fleet_devs "$T/new.yaml" 26 4
fleet_devs "$T/new.yaml" 40 5
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$T/new.yaml"
rm -rf "$T/out"
timeout 300 "$S" -q -c "$F" >"$T/stdout" 2>"$T/log" &
tpid=$!
i=0
while [ $i -lt 200 ] && [ "$(cat "$T/out/results.jsonl" 2>/dev/null |
    wc -l)" -lt 4 ]; do
	sleep 0.1
	i=$((i + 1))
done
sup=$(pgrep -P $tpid)
# Outputs saved before the reload: a rerun would replace them (new inode).
jq -r '.device' "$T/out/results.jsonl" >"$T/before"
done_before=$(wc -l <"$T/before")
for d in $(cat "$T/before"); do
	stat -c "$d %i" "$T/out/$d/show_version.txt"
done >"$T/inodes.before"
cp "$T/new.yaml" "$F"
kill -HUP "$sup"
wait $tpid
echo $? >"$T/rc"
: >"$LAB_DEVICES_CONF"
grep -q "SIGHUP applied: generation 2" "$T/log"
ok $? "SIGHUP with a valid file: a new generation is applied mid-batch"
kept_ok=1
for k in $(seq 0 24) 26 27 28 29 40 41 42 43 44; do
	[ "$(status dev$k)" = ok ] || { kept_ok=0; echo "# dev$k: $(status dev$k)"; }
done
for d in $(cat "$T/before"); do
	stat -c "$d %i" "$T/out/$d/show_version.txt"
done >"$T/inodes.after"
[ $kept_ok -eq 1 ] && records_exact 35 1 && [ "$done_before" -ge 4 ] &&
    cmp -s "$T/inodes.before" "$T/inodes.after"
ok $? "kept and added devices ran once each; the $done_before finished before the reload were not run again"
[ "$(jq -r 'select(.device | test("^dev3[0-9]$")) | .device' \
    "$T/out/results.jsonl" | wc -l)" -eq 0 ]
ok $? "devices removed before they started never ran"
[ "$(status dev25)" = refused ] && [ "$(jq -r 'select(.device == "dev25") | .port' \
    "$T/out/results.jsonl")" -eq $((LAB_PORT_BASE + 8)) ] && [ "$(rc)" -eq 1 ]
ok $? "a changed device ran with its new settings (port; refused, exit 1)"
cat "$T/log" >>"$T/all.log"

# 7. A worker that keeps crashing is given up after 5 crashes in 60 s:
#    the supervisor says why, every device still gets its records, exit 1.
echo "* behaviour=slow delay=150" >"$LAB_DEVICES_CONF"
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
sed -i 's/workers: 2/workers: 1/' "$F"
fleet_devs "$F" 0 80
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
rm -rf "$T/out"
timeout 300 "$S" -q -c "$F" >"$T/stdout" 2>"$T/log" &
tpid=$!
sleep 0.3
sup=$(pgrep -P $tpid)
kills=0
t_end=$(($(date +%s) + 120))
# Bounded: a batch that ends first (a very slow machine) fails the check.
while [ $kills -lt 5 ] && kill -0 "$sup" 2>/dev/null &&
    [ "$(date +%s)" -lt $t_end ]; do
	w=$(pgrep -P "$sup" | head -1)
	if [ -n "$w" ]; then
		kill -9 "$w" 2>/dev/null && kills=$((kills + 1))
		sleep 0.05
	else
		sleep 0.02
	fi
done
wait $tpid
echo $? >"$T/rc"
: >"$LAB_DEVICES_CONF"
grep -q "crashed 5 times within 60 s" "$T/log" && [ "$(rc)" -eq 1 ] &&
    records_exact 80 1 &&
    [ "$(jq -r 'select(.status == "internal") | .device' "$T/out/results.jsonl" | wc -l)" -gt 0 ]
ok $? "a crash-looping worker is given up; its devices are reported, exit 1"
no_crashes
echo "1..$n"
