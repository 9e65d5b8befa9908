#!/bin/sh
# SSH batches against the real lab (OpenSSH sshd and dropbear running the
# device emulator): every platform in exec and shell mode with byte-exact
# outputs, every authentication method, every host-key policy.
set -u
LAB_PORT_BASE=22310
. tests/integration/lablib.inc

F=$T/fleet.yaml
CMDS='[show version, show running-config]'

# Reference outputs from the real OpenSSH client.
k=0
while [ $k -lt 5 ]; do
	for c in "show version" "show running-config"; do
		ssh -F "$LAB_SSH_CONFIG" "$(lab_addr $k)" "$c" \
		    >"$T/ref-$k-$(echo "$c" | tr ' ' _).txt" 2>/dev/null
	done
	k=$((k + 1))
done

# 1. exec mode, password auth, five platforms.
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
fleet_devs "$F" 0 5
echo "jobs: [ { name: j, mode: exec, scrub: false, commands: $CMDS } ]" >>"$F"
naut "$F"
ok "$(rc)" "exec batch on five platforms exits 0"
[ -f "$T/out/results.jsonl" ] && [ "$(jq -s 'length' "$T/out/results.jsonl")" -eq 10 ] &&
    [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ]
ok $? "ten ok records, one per device and command"
# Uptime lines move with the clock; everything else must be identical.
same() {
	grep -vi uptime "$1" >"$T/same.a"
	grep -vi uptime "$2" >"$T/same.b"
	cmp -s "$T/same.a" "$T/same.b"
}
bad=0
k=0
while [ $k -lt 5 ]; do
	same "$T/out/dev$k/show_version.txt" "$T/ref-$k-show_version.txt" || bad=1
	cmp -s "$T/out/dev$k/show_running-config.txt" \
	    "$T/ref-$k-show_running-config.txt" || bad=1
	k=$((k + 1))
done
ok $bad "exec outputs are byte-identical to the OpenSSH client's"
cp -r "$T/out" "$T/exec"

# 2. shell mode: prompt, paging off, echo and prompt removed.
sed -i 's/mode: exec/mode: shell/' "$F"
naut "$F"
ok "$(rc)" "shell batch on five platforms exits 0"
bad=0
k=0
while [ $k -lt 5 ]; do
	for c in show_version show_running-config; do
		# A PTY turns \n into \r\n; Junos prints a blank line before
		# its prompt.
		tr -d '\r' <"$T/exec/dev$k/$c.txt" >"$T/want"
		[ "$(lab_platform $k)" = juniper_junos ] && echo >>"$T/want"
		if ! same "$T/want" "$T/out/dev$k/$c.txt"; then
			bad=1
			echo "# dev$k $c differs:"
			diff "$T/want" "$T/out/dev$k/$c.txt" | head -5 | sed 's/^/#   /'
		fi
	done
	k=$((k + 1))
done
ok $bad "shell outputs equal the exec outputs, without CR, echo or prompt"

# 3. secrets are scrubbed from configurations by default.
sed -i 's/scrub: false, //' "$F"
naut "$F"
grep -q "<removed>" "$T/out/dev0/show_running-config.txt" &&
    ! grep -q "<removed>" "$T/out/dev0/show_version.txt" &&
    ! grep -qi "community [A-Za-z0-9]* R[OW]" "$T/out/dev0/show_running-config.txt" 2>/dev/null
ok $? "running-config is scrubbed by default, show version is not"

# 4. public key, key with passphrase, keyboard-interactive, dropbear.
fleet_head "$F"
echo "  - { name: key, host: $(lab_addr 0), key_file: $LAB_KEY }" >>"$F"
echo "  - { name: keypass, host: $(lab_addr 1), key_file: $LAB_KEY_PASS, passphrase_file: $LAB_PASSPHRASE_FILE }" >>"$F"
echo "  - { name: ecdsa, host: $(lab_addr 2), key_file: $LAB_KEY_ECDSA }" >>"$F"
echo "  - { name: kbd, host: $(lab_addr 3), port: $LAB_KBD_PORT, password_file: $LAB_PASSWORD_FILE }" >>"$F"
echo "  - { name: db-pw, host: $(lab_addr 4), port: $LAB_DROPBEAR_PORT, password_file: $LAB_PASSWORD_FILE }" >>"$F"
echo "  - { name: db-key, host: $(lab_addr 5), port: $LAB_DROPBEAR_PORT, key_file: $LAB_KEY }" >>"$F"
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
naut "$F"
for d in key keypass ecdsa kbd db-pw db-key; do
	[ "$(status $d)" = ok ]
	ok $? "auth: $d"
done
same "$T/out/db-pw/show_version.txt" "$T/ref-4-show_version.txt"
ok $? "dropbear serves the same device output as sshd"

# 5. wrong password: auth, not retried.
printf 'not-the-password\n' >"$T/wrongpw"
fleet_head "$F" "retries: 3"
echo "  - { name: wrongpw, host: $(lab_addr 0), password_file: $T/wrongpw }" >>"$F"
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
naut "$F"
[ "$(rc)" -eq 1 ] && [ "$(status wrongpw)" = auth ] && [ "$(attempts wrongpw)" = 1 ]
ok $? "wrong password: status auth after 1 attempt, exit 1"
! grep -q "not-the-password" "$T/log" "$T/out/results.jsonl"
ok $? "the password appears in no log and no record"

# 6. host keys: strict unknown, accept-new, mismatch, off.
: >"$T/empty_kh"
cp "$LAB_DIR/id_ed25519.pub" "$T/x"
awk -v a="[$(lab_addr 2)]:$LAB_SSHD_PORT" '{ print a, $1, $2 }' \
    "$LAB_DIR/id_ed25519.pub" >"$T/wrong_kh"
: >"$T/new_kh"
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE" "retries: 2"
echo "  - { name: unknown, host: $(lab_addr 0), known_hosts: $T/empty_kh }" >>"$F"
echo "  - { name: acceptnew, host: $(lab_addr 1), known_hosts: $T/new_kh, host_key_checking: accept-new }" >>"$F"
echo "  - { name: mismatch, host: $(lab_addr 2), known_hosts: $T/wrong_kh, host_key_checking: accept-new }" >>"$F"
echo "  - { name: off, host: $(lab_addr 3), known_hosts: $T/empty_kh, host_key_checking: off }" >>"$F"
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
naut "$F"
[ "$(status unknown)" = hostkey_unknown ] && [ "$(attempts unknown)" = 1 ]
ok $? "strict: an unknown host key fails as hostkey_unknown, not retried"
[ "$(status acceptnew)" = ok ] && grep -q "^\[$(lab_addr 1)\]:$LAB_SSHD_PORT " "$T/new_kh"
ok $? "accept-new: the new key is accepted and recorded"
[ "$(status mismatch)" = hostkey_mismatch ] && [ "$(attempts mismatch)" = 1 ]
ok $? "a changed host key fails as hostkey_mismatch, even with accept-new"
[ "$(status off)" = ok ]
ok $? "host_key_checking off connects without known_hosts"
sed -i 's/host_key_checking: accept-new/host_key_checking: strict/' "$F"
naut "$F"
[ "$(status acceptnew)" = ok ]
ok $? "a key recorded by accept-new passes strict checking later"

# 7. closed port: refused, retried.
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE" "retries: 2"
echo "  - { name: closed, host: 127.0.0.1, port: 1 }" >>"$F"
fleet_devs "$F" 0 1
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
naut "$F"
[ "$(rc)" -eq 1 ] && [ "$(status closed)" = refused ] && [ "$(attempts closed)" = 3 ] &&
    [ "$(status dev0)" = ok ]
ok $? "closed port: refused after 3 attempts; the other device is ok"

no_crashes
echo "1..$n"
