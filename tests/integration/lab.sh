#!/bin/sh
# The device lab (tests/lab) as the real OpenSSH client sees it: start a lab
# on its own ports, run the emulator through sshd, sshd-kbd and dropbear
# (exec, PTY shell, pager, each auth method, every misbehaviour), generate a
# fleet for it, stop it and check that nothing of it is left.  Needs root,
# openssh-server, openssh-client, dropbear-bin and sshpass; takes ~30 s.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${NAUT_BUILD:-build}
case $B in /*) ;; *) B=$root/$B ;; esac
export NAUT_BUILD="$B"
# Its own lab dir and ports: a lab someone runs on 22222-22224 stays up.
export LAB_DIR="$B/lab-itest"
export LAB_SSHD_PORT="${LAB_TEST_PORT:-22242}"
export LAB_KBD_PORT=$((LAB_SSHD_PORT + 1))
export LAB_DROPBEAR_PORT=$((LAB_SSHD_PORT + 2))
LAB="$root/tests/lab/lab.sh"
T=$(mktemp -d)
n=0

cleanup() {
	sh "$LAB" stop >/dev/null 2>&1 || true
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pass() {
	n=$((n + 1))
	echo "ok $n - $1"
}

fail() {	# description [file to show]
	n=$((n + 1))
	echo "not ok $n - $1"
	if [ $# -ge 2 ] && [ -f "$2" ]; then
		tr -d '\000' <"$2" | cut -c1-160 | head -8 | sed 's/^/#   /'
	fi
}

check() {	# description command...: ok if the command succeeds
	d=$1
	shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}

# run name command...: stdout, stderr and exit status into $T/name.*
run() {
	nm=$1
	shift
	rc=0
	"$@" >"$T/$nm.out" 2>"$T/$nm.err" </dev/null || rc=$?
	echo "$rc" >"$T/$nm.rc"
}

has() {	# name fixed-string: is it in name's output?
	grep -qF -- "$2" "$T/$1.out"
}

expect() {	# description name status string...: status and every string
	d=$1 nm=$2 want=$3
	shift 3
	got=$(cat "$T/$nm.rc")
	if [ "$got" != "$want" ]; then
		fail "$d (exit $got, want $want)" "$T/$nm.err"
		return
	fi
	for s in "$@"; do
		if ! has "$nm" "$s"; then
			fail "$d (no \"$s\")" "$T/$nm.out"
			return
		fi
	done
	pass "$d"
}

ms() {
	echo $(($(date +%s%N) / 1000000))
}

timed() {	# name command...: run, and the milliseconds it took in name.ms
	t=$(ms)
	run "$@"
	echo $(($(ms) - t)) >"$T/$1.ms"
}

missing=""
[ "$(id -u)" -eq 0 ] || missing="$missing root"
for c in ssh ssh-keygen sshpass dropbearconvert runuser ss; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
for f in /usr/sbin/sshd /usr/sbin/dropbear "$B/lab/emu"; do
	[ -x "$f" ] || missing="$missing $f"
done
if [ -n "$missing" ]; then
	fail "prerequisites:$missing (mk/deps.sh, make lab)"
	exit 1
fi

rm -rf "$LAB_DIR"
if sh "$LAB" start >"$T/start.out" 2>&1; then
	pass "lab starts"
else
	fail "lab starts" "$T/start.out"
	exit 1
fi
eval "$(sh "$LAB" env)"
# ssh to a device through sshd (sx) or dropbear (dx), as the lab config says.
sx() {
	ssh -F "$LAB_SSH_CONFIG" "$@"
}
dx() {
	ssh -F "$LAB_SSH_CONFIG" -p "$LAB_DROPBEAR_PORT" "$@"
}
SX="ssh -F $LAB_SSH_CONFIG"	# for sh -c strings

# sshd: one wildcard socket bound to lo; nothing on other interfaces.
check "sshd listens on 0.0.0.0 bound to the loopback device" \
    sh -c "ss -Hltn 'sport = :$LAB_SSHD_PORT' | grep -qF '0.0.0.0%lo:'"
ext=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' |
    cut -d/ -f1 | head -1)
if [ -n "$ext" ]; then
	run ext timeout 5 ssh -F "$LAB_SSH_CONFIG" -o ConnectTimeout=3 "$ext" 'show version'
	if grep -q 'Connection refused' "$T/ext.err"; then
		pass "a non-loopback address ($ext) is refused"
	else
		fail "a non-loopback address ($ext) is refused" "$T/ext.err"
	fi
else
	# Nothing to connect to; the lo-bound listener check above covers it.
	echo "# no non-loopback address on this host to try"
fi

# exec: the address names the device, the index picks the platform.
run ios sx 127.1.0.0 'show version'
expect "sshd exec: 127.1.0.0 is dev000000, cisco_ios" ios 0 \
    "Cisco IOS XE Software" "dev000000 uptime is"
run junos sx 127.1.0.2 'show version'
expect "sshd exec: 127.1.0.2 is dev000002, juniper_junos" junos 0 \
    "Hostname: dev000002" "Junos: 21.4R3"
run linux sx 127.1.0.4 'show version'
expect "sshd exec: 127.1.0.4 is dev000004, linux" linux 0 \
    "Static hostname: dev000004" "Debian GNU/Linux 12"
run labhost sx 127.0.0.1 'uname -a'
expect "sshd exec: 127.0.0.1 is the linux labhost" labhost 0 "Linux labhost"
run dnxos dx 127.1.0.1 'show version'
expect "dropbear exec: 127.1.0.1 is dev000001, cisco_nxos" dnxos 0 \
    "Cisco Nexus Operating System" "Device name: dev000001"
run deos dx 127.1.0.3 'show version'
expect "dropbear exec: 127.1.0.3 is dev000003, arista_eos" deos 0 \
    "Arista DCS-7050SX3" "Serial number: JPE"
run dios dx 127.1.0.5 'sh ver'
expect "dropbear exec: abbreviated command on dev000005" dios 0 \
    "dev000005 uptime is"

# Configurations: per device, stable, with the secrets scrubbing must hide.
run cfg5a sx 127.1.0.5 'show running-config'
run cfg5b sx 127.1.0.5 'show running-config'
run cfg10 sx 127.1.0.10 'show running-config'
expect "IOS config carries secrets" cfg5a 0 "hostname dev000005" \
    "enable secret 9 \$9\$" "snmp-server community SECRETCOMM RO" \
    " privilege 15 secret 9 \$9\$"
sz=$(wc -c <"$T/cfg5a.out")
check "IOS config is ~20 KB ($sz bytes)" \
    test "$sz" -gt 12000 -a "$sz" -lt 60000
check "the same device gives the same config" \
    cmp -s "$T/cfg5a.out" "$T/cfg5b.out"
check "another device gives another config" \
    sh -c "! cmp -s '$T/cfg5a.out' '$T/cfg10.out'"
run jcfg sx 127.1.0.7 'show configuration'
run jrun sx 127.1.0.7 'show running-config'
expect "Junos config carries secrets" jcfg 0 "host-name dev000007;" \
    "encrypted-password \"\$6\$" "community SECRETCOMM {" "secret \"\$9\$"
check "Junos maps show running-config to show configuration" \
    cmp -s "$T/jcfg.out" "$T/jrun.out"

# Errors as each platform words them.
run iosbad sx 127.1.0.0 'show bogus'
expect "IOS rejects an unknown command" iosbad 0 \
    "% Invalid input detected at '^' marker."
run linbad sx 127.1.0.4 'bogus'
if [ "$(cat "$T/linbad.rc")" = 127 ] &&
    grep -qF "bogus: command not found" "$T/linbad.err"; then
	pass "linux: unknown command, exit 127 and a bash message"
else
	fail "linux: unknown command, exit 127 and a bash message" "$T/linbad.err"
fi

# Counters move with the clock.
run c1 sx 127.1.0.0 'show interfaces counters | include Gi1/0/1 '
sleep 1.1
run c2 sx 127.1.0.0 'show interfaces counters | include Gi1/0/1 '
v1=$(awk 'NR == 1 {print $2}' "$T/c1.out")
v2=$(awk 'NR == 1 {print $2}' "$T/c2.out")
check "interface counters grow (${v1:-none} -> ${v2:-none})" \
    test -n "$v1" -a -n "$v2" -a "${v2:-0}" -gt "${v1:-0}"

# Interactive shell on a PTY, as a client that waits for each prompt would.
{
	sleep 1
	printf 'terminal length 0\n'
	sleep 0.3
	printf 'show running-config\n'
	sleep 1
	printf 'exit\n'
} | timeout 15 ssh -F "$LAB_SSH_CONFIG" -tt 127.1.0.5 >"$T/sh.out" 2>"$T/sh.err" || true
tr -d '\r' <"$T/sh.out" >"$T/shn.out"
echo 0 >"$T/shn.rc"
expect "shell: prompt, echo, paging off, whole config, exit" shn 0 \
    "dev000005#terminal length 0" "dev000005#show running-config" \
    "hostname dev000005" "dev000005#exit"
check "shell: no pager marker once paging is off" \
    sh -c "! grep -q -- '--More--' '$T/shn.out'"
{
	sleep 1
	printf 'show running-config\n'
	sleep 1
	printf ' '
	sleep 0.3
	printf 'q'
	sleep 0.3
	printf 'exit\n'
} | timeout 15 ssh -F "$LAB_SSH_CONFIG" -tt 127.1.0.0 >"$T/more.out" 2>&1 || true
echo 0 >"$T/more.rc"
expect "shell: IOS pages with --More--" more 0 " --More-- " "dev000000#exit"
{
	sleep 1
	printf 'show configuration\n'
	sleep 1
	printf 'q'
	sleep 0.3
	printf 'exit\n'
} | timeout 15 ssh -F "$LAB_SSH_CONFIG" -p "$LAB_DROPBEAR_PORT" -tt 127.1.0.2 >"$T/jmore.out" 2>&1 || true
echo 0 >"$T/jmore.rc"
expect "shell over dropbear: Junos prompt and ---(more N%)---" jmore 0 \
    "$LAB_USER@dev000002> show configuration" "---(more "

# Authentication methods.
# pw [ssh options] device command: log in with the lab password only.
pw() {
	sshpass -f "$LAB_PASSWORD_FILE" ssh -F "$LAB_SSH_CONFIG" \
	    -o BatchMode=no -o PubkeyAuthentication=no "$@"
}
run pw pw -o PreferredAuthentications=password 127.1.0.3 'show version'
expect "sshd: password authentication" pw 0 "Arista"
run kbd pw -o PreferredAuthentications=keyboard-interactive \
    -p "$LAB_KBD_PORT" 127.1.0.2 'show version'
expect "sshd-kbd: keyboard-interactive (PAM) authentication" kbd 0 \
    "Hostname: dev000002"
run kbdkey sx -p "$LAB_KBD_PORT" 127.1.0.2 'show version'
expect "sshd-kbd: public keys are refused" kbdkey 255
run dpw pw -o PreferredAuthentications=password \
    -p "$LAB_DROPBEAR_PORT" 127.1.0.4 'hostname'
expect "dropbear: password authentication" dpw 0 "dev000004"
run ecdsa sx -o IdentityFile="$LAB_KEY_ECDSA" 127.1.0.1 'show version'
expect "sshd: ECDSA user key" ecdsa 0 "NX-OS"
run pass ssh-keygen -y -P "$(cat "$LAB_PASSPHRASE_FILE")" -f "$LAB_KEY_PASS"
expect "the passphrase key opens with the passphrase file" pass 0 \
    "ssh-ed25519"
run nc sh -c "printf 'hello netconf\n' | $SX -s 127.1.0.0 netconf"
expect "the netconf subsystem reaches the hook (cat placeholder)" nc 0 \
    "hello netconf"

# Misbehaviours, all at once, each bounded by timeout.
cat >>"$LAB_DEVICES_CONF" <<'EOF'
20 behaviour=slow delay=30
21 behaviour=hang_login
22 behaviour=hang_mid
23 behaviour=endless
24 behaviour=garbage
25 behaviour=disconnect_mid
26 behaviour=exitstatus status=3
EOF
timed slow sx 127.1.0.20 'show version' &
run hangl timeout 3 ssh -F "$LAB_SSH_CONFIG" 127.1.0.21 'show version' &
run hangm timeout 3 ssh -F "$LAB_SSH_CONFIG" 127.1.0.22 'show version' &
run endl sh -c "timeout 8 $SX 127.1.0.23 'show version' | head -c 1000000 |
    wc -c" &
run garb sx 127.1.0.24 'show version' &
run disc sx 127.1.0.25 'show running-config' &
run exst sx 127.1.0.26 'show version' &
run hangsh sh -c "sleep 3 | timeout 3 $SX -tt 127.1.0.21" &
wait
expect "slow: whole output" slow 0 "Configuration register is 0x102"
lines=$(wc -l <"$T/slow.out")
took=$(cat "$T/slow.ms")
check "slow: at least 30 ms per line ($lines lines in $took ms)" \
    test "$took" -ge $((lines * 30))
check "hang_login (exec): nothing, until the client gives up" \
    test "$(cat "$T/hangl.rc")" = 124 -a ! -s "$T/hangl.out"
check "hang_login (shell): no banner, no prompt" \
    sh -c "! grep -q 'dev000021' '$T/hangsh.out'"
check "hang_mid: half the output, then nothing" \
    sh -c "test \"\$(cat '$T/hangm.rc')\" = 124 &&
    grep -q 'Hostname: dev000022' '$T/hangm.out' &&
    ! grep -q 'Web Management' '$T/hangm.out'"
check "endless: a megabyte and more ($(cat "$T/endl.out") bytes)" \
    test "$(cat "$T/endl.out")" = 1000000
nul=$(($(wc -c <"$T/garb.out") - $(tr -d '\000' <"$T/garb.out" | wc -c)))
check "garbage: binary output with $nul NUL bytes and escapes" \
    sh -c "test $nul -gt 0 && grep -q \"\$(printf '\033')\" '$T/garb.out'"
dl=$(wc -l <"$T/disc.out")
check "disconnect_mid: connection drops after $dl lines" \
    sh -c "test \"\$(cat '$T/disc.rc')\" = 255 && test $dl -gt 10 &&
    ! grep -q '^end' '$T/disc.out'"
expect "exitstatus: exec returns the configured status 3" exst 3 \
    "Cisco Nexus Operating System"

# Emulators notice a vanished client even while they "hang".
i=0
while [ $i -lt 40 ]; do
	left=$(pgrep -c -u "$LAB_USER" -f -- "--lab $LAB_DIR" || true)
	[ "$left" -eq 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
check "hung emulators exit when their client is gone ($left left)" \
    test "$left" -eq 0

if [ -x "$B/naut-supervisor" ]; then
	run fleet sh "$root/tests/lab/gen-fleet.sh" 40 -o "$T/fleet.yaml" \
	    -m shell -T 10s
	run fleetck "$B/naut-supervisor" -t -c "$T/fleet.yaml"
	expect "gen-fleet.sh output passes naut-supervisor -t" fleetck 0 \
	    "configuration OK" "devices:     40 (ssh 40"
	check "gen-fleet.sh tags misbehaving devices" \
	    grep -q 'dev000026.*behaviour: exitstatus' "$T/fleet.yaml"
	check "known_hosts covers the fleet" \
	    grep -q "^\[127.1.0.39\]:$LAB_SSHD_PORT ssh-ed25519 " "$LAB_KNOWN_HOSTS"
else
	fail "gen-fleet.sh output passes naut-supervisor -t ($B/naut-supervisor not built)"
fi

run stop sh "$LAB" stop
expect "lab stops" stop 0 "dropbear stopped"
run stop2 sh "$LAB" stop
expect "stopping twice is harmless" stop2 0
run status sh "$LAB" status
expect "status says stopped" status 1 "sshd: stopped"
left=""
for p in "$LAB_SSHD_PORT" "$LAB_KBD_PORT" "$LAB_DROPBEAR_PORT"; do
	[ -n "$(ss -Hltn "sport = :$p")" ] && left="$left port:$p"
done
pgrep -a -f -- "$LAB_DIR/" >"$T/ps.out" || true
[ -s "$T/ps.out" ] && left="$left processes"
if [ -z "$left" ]; then
	pass "nothing of the lab is left"
else
	fail "nothing of the lab is left:$left" "$T/ps.out"
fi
echo "1..$n"
