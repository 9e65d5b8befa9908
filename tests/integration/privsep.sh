#!/bin/sh
# Privilege separation and file modes (naut-supervisor(8) SECURITY): as
# root with supervisor.user, workers run as that user with no way back to
# root, key files the user cannot read still work (the supervisor read
# them), the segment and the outputs carry restrictive modes, read_group
# members can use naut-stat and read outputs, and another user can do
# neither.  Accounts used: daemon (workers), nobody (the outsider) and the
# adm group (readers); no account is created.
set -u
LAB_PORT_BASE=22700
. tests/integration/lablib.inc
# fleet_head's metrics port (base + 50) is outside this suite's ports.
MPORT=$((LAB_PORT_BASE + 5))
fleet_head_here() {
	fleet_head "$@"
	sed -i "s/127.0.0.1:$((LAB_PORT_BASE + 50))/127.0.0.1:$MPORT/" "$1"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # SKIP not root"
	echo "1..1"
	exit 0
fi
NAME=itest$LAB_PORT_BASE
SEG=/dev/shm/naut.$NAME
ST=$B/naut-stat
OUTSIDER="setpriv --reuid=nobody --regid=nogroup --clear-groups"
READER="setpriv --reuid=nobody --regid=nogroup --groups=adm"

# Key files only root may read: the workers (daemon) could not open them.
chmod 600 "$LAB_KEY" "$LAB_KEY_PASS" "$LAB_PASSWORD_FILE" \
    "$LAB_PASSPHRASE_FILE"
chmod 644 "$LAB_KNOWN_HOSTS"
sh tests/lab/lab.sh known-hosts 0 12 >/dev/null

F=$T/fleet.yaml
fleet_head_here "$F" "password_file: $LAB_PASSWORD_FILE"
sed -i "s/name: itest$LAB_PORT_BASE }/name: $NAME, user: daemon, group: daemon, read_group: adm }/" "$F"
fleet_devs "$F" 0 8
echo "  - { name: key, host: $(lab_addr 8), platform: $(lab_platform 8), key_file: $LAB_KEY }" >>"$F"
echo "  - { name: keypass, host: $(lab_addr 9), platform: $(lab_platform 9), key_file: $LAB_KEY_PASS, passphrase_file: $LAB_PASSPHRASE_FILE }" >>"$F"
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
# Slow devices keep the batch running while we look at it.
echo "0-7 behaviour=slow delay=150" >"$LAB_DEVICES_CONF"

rm -rf "$T/out"
"$S" -q -P "$T/pid" -c "$F" >"$T/stdout" 2>"$T/log" &
sup=$!
i=0
while [ ! -e "$SEG" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.5
# Workers: the supervisor's children.
wpids=$(ps -o pid= --ppid "$sup" | tr -d ' ')
[ -n "$wpids" ]
ok $? "the batch is running with workers ($(echo $wpids | wc -w))"
bad=0
for p in $wpids; do
	st=/proc/$p/status
	[ -r "$st" ] || continue
	u=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")
	g=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")
	grp=$(awk '/^Groups:/ { print $2 }' "$st")
	nnp=$(awk '/^NoNewPrivs:/ { print $2 }' "$st")
	cap=$(awk '/^CapEff:/ { print $2 }' "$st")
	capp=$(awk '/^CapPrm:/ { print $2 }' "$st")
	if [ "$u" != "1 1 1 1" ] || [ "$g" != "1 1 1 1" ] || [ -n "$grp" ] ||
	    [ "$nnp" != 1 ] || [ "$cap" != 0000000000000000 ] ||
	    [ "$capp" != 0000000000000000 ]; then
		echo "#   worker $p: uid $u gid $g groups '$grp' nnp $nnp cap $cap/$capp"
		bad=1
	fi
done
[ $bad -eq 0 ]
ok $? "workers run as daemon:daemon (real, effective, saved, fs), no groups, no capabilities, no_new_privs"
[ "$(awk '/^Uid:/ { print $3 }' /proc/$sup/status)" = 0 ]
ok $? "the supervisor keeps root (secrets, segment, listener)"

m=$(stat -c '%a %U %G' "$SEG")
[ "$m" = "640 root adm" ]
ok $? "segment mode 0640 root:adm (got $m)"
$READER "$ST" -1 -n "$NAME" >"$T/stat.reader" 2>&1
ok $? "naut-stat works for a read_group member who is not the owner"
$OUTSIDER "$ST" -1 -n "$NAME" >"$T/stat.outsider" 2>&1
[ $? -ne 0 ] && grep -q -i 'permission\|denied\|cannot' "$T/stat.outsider"
ok $? "naut-stat is refused to another user: $(head -1 "$T/stat.outsider")"
$OUTSIDER cat "$SEG" >/dev/null 2>&1
[ $? -ne 0 ]
ok $? "another user cannot read the segment"

wait "$sup"
rc=$?
[ $rc -eq 0 ] && [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ]
ok $? "the batch succeeds as daemon, with root-only key files and passphrase (exit $rc)"
[ $rc -ne 0 ] && show_log 10

m=$(stat -c '%a %U %G' "$T/out")
[ "$m" = "2750 daemon adm" ]
ok $? "output_dir is 2750 daemon:adm (got $m)"
m=$(stat -c '%a %U %G' "$T/out/dev0")
[ "$m" = "2750 daemon adm" ]
ok $? "a device directory is 2750 daemon:adm (got $m)"
m=$(stat -c '%a %U %G' "$T/out/dev0/show_version.txt")
[ "$m" = "640 daemon adm" ]
ok $? "an output file is 0640 daemon:adm (got $m)"
m=$(stat -c '%a %U %G' "$T/out/results.jsonl")
[ "$m" = "640 root adm" ]
ok $? "results.jsonl is 0640 root:adm (got $m)"
bad=$(find "$T/out" -perm /o+rwx | wc -l)
[ "$bad" -eq 0 ]
ok $? "nothing in output_dir is open to others ($bad entries)"
$READER cat "$T/out/dev0/show_version.txt" "$T/out/results.jsonl" >/dev/null
ok $? "a read_group member reads outputs and results.jsonl"
$OUTSIDER cat "$T/out/dev0/show_version.txt" >/dev/null 2>&1
r1=$?
$OUTSIDER cat "$T/out/results.jsonl" >/dev/null 2>&1
r2=$?
$OUTSIDER ls "$T/out" >/dev/null 2>&1
r3=$?
[ $r1 -ne 0 ] && [ $r2 -ne 0 ] && [ $r3 -ne 0 ]
ok $? "another user can neither read outputs or results.jsonl nor list output_dir"

# A second run into the same output_dir: the earlier run's directories
# are the worker's again, and files are replaced.
naut "$F"
[ "$(rc)" -eq 0 ]
ok $? "a second run over the first one's outputs succeeds"

# The worker user owned output_dir: links it left there must not lead the
# root supervisor elsewhere (chown of a device directory, results.jsonl).
mkdir -p "$T/victim"
chmod 700 "$T/victim"
rm -rf "$T/out/dev5"
ln -s "$T/victim" "$T/out/dev5"
timeout 300 "$S" -q -c "$F" >"$T/stdout" 2>"$T/log"
m=$(stat -c '%a %U' "$T/victim")
[ "$m" = "700 root" ] && grep -q 'dev5 is a symbolic link; left alone' "$T/log"
ok $? "a device directory that is a link is left alone (target $m)"
echo untouched >"$T/victim/file"
rm -f "$T/out/results.jsonl"
ln -s "$T/victim/file" "$T/out/results.jsonl"
timeout 300 "$S" -q -c "$F" >"$T/stdout" 2>"$T/log"
rc=$?
[ $rc -ne 0 ] && [ "$(cat "$T/victim/file")" = untouched ]
ok $? "results.jsonl as a link is refused, its target untouched (exit $rc)"
rm -f "$T/out/results.jsonl"

# Without read_group: owner only, the segment 0600.
fleet_head_here "$F" "password_file: $LAB_PASSWORD_FILE"
sed -i "s/name: itest$LAB_PORT_BASE }/name: $NAME, user: daemon }/" "$F"
fleet_devs "$F" 0 4
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
rm -rf "$T/out"
"$S" -q -c "$F" >"$T/stdout" 2>"$T/log" &
sup=$!
i=0
while [ ! -e "$SEG" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
m=$(stat -c '%a %U' "$SEG" 2>/dev/null)
$READER "$ST" -1 -n "$NAME" >/dev/null 2>&1
r1=$?
"$ST" -1 -n "$NAME" >/dev/null 2>&1
r2=$?
wait "$sup"
rc=$?
[ "$m" = "600 root" ] && [ $r1 -ne 0 ] && [ $r2 -eq 0 ]
ok $? "no read_group: segment 0600 (got $m), naut-stat for its owner only"
m=$(stat -c '%a %U' "$T/out/dev0/show_version.txt")
[ $rc -eq 0 ] && [ "$m" = "640 daemon" ] &&
    [ "$(stat -c '%a' "$T/out")" = 750 ]
ok $? "no read_group: outputs 0640, output_dir 0750 (exit $rc, file $m)"

# A user that does not exist is refused before any device is touched.
sed -i "s/user: daemon/user: naut-no-such-user/" "$F"
naut "$F"
[ "$(rc)" -eq 78 ] && [ ! -e "$T/out/results.jsonl" ]
ok $? "an unknown user: is a configuration error (exit $(rc))"

: >"$LAB_DEVICES_CONF"
no_crashes
echo "1..$n"
exit 0
