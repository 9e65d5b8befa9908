#!/bin/sh
# naut against the scale simulator (tests/lab/simd) with a few hundred
# devices, checked against the OpenSSH lab running the emulator on the
# same devices: exec and shell outputs byte for byte, pagers answered,
# and the same status for each misbehaviour.
set -u
LAB_PORT_BASE=22600
. tests/integration/lablib.inc
SIMD_PORT=22610
N=300
F=$T/fleet.yaml
G=$T/ref.yaml

"$B/lab/simd" --lab "$LAB_DIR" --port $SIMD_PORT --max-time 300 \
    --pidfile "$T/simd.pid" 2>"$T/simd.log" &
simd_pid=$!
simd_stop() {
	kill "$simd_pid" 2>/dev/null
	wait "$simd_pid" 2>/dev/null
}
trap 'simd_stop; lab_cleanup' EXIT
i=0
while [ ! -s "$T/simd.pid" ] && [ $i -lt 50 ] && kill -0 "$simd_pid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$T/simd.pid" ]
ok $? "simd starts and listens on port $SIMD_PORT"
LAB_HOSTKEY_TYPES=ed25519 sh tests/lab/lab.sh known-hosts 0 $((N + 10)) \
    $SIMD_PORT >/dev/null
sh tests/lab/lab.sh known-hosts $N 10 "$LAB_SSHD_PORT" >/dev/null

# Uptime lines move with the clock; everything else must be identical.
same() {
	grep -vi uptime "$1" >"$T/same.a"
	grep -vi uptime "$2" >"$T/same.b"
	cmp -s "$T/same.a" "$T/same.b"
}
# cmpdir A B FIRST COUNT: every output of those devices the same in both.
cmpdir() {
	bad=0
	k=$3
	while [ "$k" -lt $(($3 + $4)) ]; do
		for c in show_version show_running-config; do
			[ -f "$2/dev$k/$c.txt" ] || continue
			if ! same "$1/dev$k/$c.txt" "$2/dev$k/$c.txt"; then
				bad=1
				echo "# dev$k $c differs:"
				diff "$2/dev$k/$c.txt" "$1/dev$k/$c.txt" | head -4 |
				    sed 's/^/#   /'
			fi
		done
		k=$((k + 1))
	done
	return $bad
}
# fleets SIMD-DEFAULTS... : $F for simd and $G for the OpenSSH lab.
fleets() {
	fleet_head "$F" "port: $SIMD_PORT" "$@"
	fleet_head "$G" "$@"
}

# 1. exec, password, 300 devices at once; then the first 30 on sshd.
fleets "password_file: $LAB_PASSWORD_FILE"
sed -i 's/max_concurrent: 20/max_concurrent: 150/' "$F"
fleet_devs "$F" 0 $N
fleet_devs "$G" 0 30
J="jobs: [ { name: j, mode: exec, scrub: false, commands: [show version, show running-config] } ]"
echo "$J" >>"$F"
echo "$J" >>"$G"
naut "$F"
[ "$(rc)" -eq 0 ] && [ "$(jq -s 'length' "$T/out/results.jsonl")" -eq $((N * 2)) ] &&
    [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ]
ok $? "exec batch of $N devices on simd: $((N * 2)) ok records, exit 0"
mv "$T/out" "$T/simd-exec"
naut "$G"
mv "$T/out" "$T/lab-exec"
cmpdir "$T/simd-exec" "$T/lab-exec" 0 30
ok $? "exec outputs of devices 0-29 are byte-identical to the OpenSSH lab's"
bad=0
k=30
while [ $k -lt $N ]; do
	runuser -u "$LAB_USER" -- "$LAB_EMU" --lab "$LAB_DIR" --index $k \
	    -c "show running-config" >"$T/want" 2>&1
	cmp -s "$T/want" "$T/simd-exec/dev$k/show_running-config.txt" || bad=1
	k=$((k + 1))
done
ok $bad "running-config of devices 30-$((N - 1)) equals the emulator's"

# 2. shell, publickey: prompts, paging off, echo removed.
fleets "key_file: $LAB_KEY"
fleet_devs "$F" 0 $N
fleet_devs "$G" 0 10
J="jobs: [ { name: j, mode: shell, scrub: false, commands: [show version, show running-config] } ]"
echo "$J" >>"$F"
echo "$J" >>"$G"
naut "$F"
[ "$(rc)" -eq 0 ] && [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ]
ok $? "shell batch of $N devices on simd with publickey auth exits 0"
mv "$T/out" "$T/simd-shell"
naut "$G"
mv "$T/out" "$T/lab-shell"
cmpdir "$T/simd-shell" "$T/lab-shell" 0 10
ok $? "shell outputs of devices 0-9 equal the OpenSSH lab's"

# 3. paging left on: simd's pagers are answered as the emulator's are.
PAGED="platforms:
  cisco_ios: { paging_off: [] }
  cisco_nxos: { paging_off: [] }
  juniper_junos: { paging_off: [] }
  arista_eos: { paging_off: [] }
jobs: [ { name: j, mode: shell, scrub: false, commands: [show running-config] } ]"
fleets "password_file: $LAB_PASSWORD_FILE"
fleet_devs "$F" 0 20
fleet_devs "$G" 0 20
echo "$PAGED" >>"$F"
echo "$PAGED" >>"$G"
naut "$F"
mv "$T/out" "$T/simd-paged"
naut "$G"
mv "$T/out" "$T/lab-paged"
cmpdir "$T/simd-paged" "$T/lab-paged" 0 20 &&
    [ "$(jq -r .status "$T/simd-paged/results.jsonl" | sort -u)" = ok ]
r=$?
cmpdir "$T/simd-shell" "$T/simd-paged" 0 20
ok $((r + $?)) "paging on: pagers answered, outputs as the lab's and as with paging off"

# 4. misbehaviours: the same status (and exit code) as on the lab.
cat >"$LAB_DEVICES_CONF" <<CONF
$N behaviour=hang_mid
$((N + 1)) behaviour=garbage
$((N + 2)) behaviour=disconnect_mid
$((N + 3)) behaviour=hang_login
$((N + 4)) behaviour=slow delay=5
$((N + 5)) behaviour=exitstatus status=3
$((N + 6)) behaviour=endless
CONF
for mode in exec shell; do
	fleets "password_file: $LAB_PASSWORD_FILE" "retries: 0" \
	    "timeout: { connect: 5s, auth: 5s, command: 3s }" \
	    "output_limit: 256KiB"
	fleet_devs "$F" $N 8
	fleet_devs "$G" $N 8
	J="jobs: [ { name: j, mode: $mode, scrub: false, commands: [show version] } ]"
	echo "$J" >>"$F"
	echo "$J" >>"$G"
	naut "$F"
	jq -r '[.device, .status, .exit_code] | @tsv' "$T/out/results.jsonl" |
	    sort >"$T/simd-st"
	mv "$T/out" "$T/simd-$mode-mis"
	naut "$G"
	jq -r '[.device, .status, .exit_code] | @tsv' "$T/out/results.jsonl" |
	    sort >"$T/lab-st"
	cmp -s "$T/simd-st" "$T/lab-st" &&
	    [ "$(grep -c ok "$T/simd-st")" -ge 2 ]
	ok $? "$mode: misbehaving devices end as on the lab ($(cut -f2 "$T/simd-st" | tr '\n' ' '))"
	diff "$T/lab-st" "$T/simd-st" | sed 's/^/#   /'
	same "$T/simd-$mode-mis/dev$((N + 4))/show_version.txt" \
	    "$T/out/dev$((N + 4))/show_version.txt"
	ok $? "$mode: a slow device's output is the lab's"
done
: >"$LAB_DEVICES_CONF"

# 5. simd itself: nothing left open, CPU per connection.
sleep 0.5
nfd=$(ls /proc/"$simd_pid"/fd | wc -l)
[ "$nfd" -lt 20 ]
ok $? "simd holds no connection once the clients are gone ($nfd descriptors)"
simd_stop
grep "^simd: " "$T/simd.log" | sed 's/^/# /'
! grep -v "^simd: [0-9]* connections" "$T/simd.log" | grep -q .
ok $? "simd logged no error"
no_crashes
echo "1..$n"
