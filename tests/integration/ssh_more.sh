#!/bin/sh
# More of a batch's contract, against the lab: pagers answered when paging
# stays on, the output cap, the global deadline with everything already
# collected kept, and --shard splitting a fleet between hosts.
set -u
LAB_PORT_BASE=22360
. tests/integration/lablib.inc
F=$T/fleet.yaml

# 1. Paging left on: the collector answers --More-- / ---(more)---.
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
fleet_devs "$F" 0 5
cat >>"$F" <<YAML
platforms:
  cisco_ios: { paging_off: [] }
  cisco_nxos: { paging_off: [] }
  juniper_junos: { paging_off: [] }
  arista_eos: { paging_off: [] }
jobs:
  - { name: paged, mode: shell, scrub: false, commands: [show running-config] }
  - { name: exec, mode: exec, scrub: false, commands: [show running-config] }
YAML
naut "$F" --job exec
cp -r "$T/out" "$T/exec"
naut "$F" --job paged
bad=0
for k in 0 1 2 3; do
	tr -d '\r' <"$T/exec/dev$k/show_running-config.txt" >"$T/want"
	[ "$(lab_platform $k)" = juniper_junos ] && echo >>"$T/want"
	cmp -s "$T/want" "$T/out/dev$k/show_running-config.txt" || bad=1
done
[ "$(rc)" -eq 0 ] && [ $bad -eq 0 ]
ok $? "with paging on, pagers are answered and outputs are complete and clean"

# 2. The output cap: output_too_large, not retried.
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE" "retries: 2"
fleet_devs "$F" 0 1 "output_limit: 2048"
fleet_devs "$F" 1 1
echo "jobs: [ { name: j, mode: shell, commands: [show version, show running-config] } ]" >>"$F"
naut "$F"
[ "$(status dev0 "show running-config")" = output_too_large ] &&
    [ "$(attempts dev0)" = 1 ] && [ "$(status dev0 "show version")" = ok ] &&
    [ "$(status dev1)" = ok ]
ok $? "output past output_limit fails as output_too_large, not retried; earlier output kept"

# 3. The global deadline: hanging devices are cancelled as "deadline",
#    finished ones keep their results, and the batch ends on time.
echo "2-3 behaviour=hang_mid" >"$LAB_DEVICES_CONF"
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
sed -i 's/name: itest/global_timeout: 3s, name: itest/' "$F"
fleet_devs "$F" 0 5 "timeout: { connect: 5s, auth: 10s, command: 5m }"
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
t0=$(date +%s)
naut "$F"
el=$(($(date +%s) - t0))
: >"$LAB_DEVICES_CONF"
[ "$(rc)" -eq 1 ] && [ "$(status dev2)" = deadline ] &&
    [ "$(status dev3)" = deadline ] && [ "$(status dev0)" = ok ] &&
    [ "$(status dev4)" = ok ] && [ "$el" -le 8 ]
ok $? "global_timeout: hung devices end as deadline after ${el}s, the others ok"
[ "$(jq -s 'length' "$T/out/results.jsonl")" -eq 5 ]
ok $? "every device has its record after the deadline"

# 4. --shard K/N: hosts split a fleet, each device on exactly one.
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
fleet_devs "$F" 0 30
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
: >"$T/devs"
for k in 0 1 2; do
	naut "$F" --shard $k/3
	jq -r .device "$T/out/results.jsonl" >>"$T/devs"
done
[ "$(sort "$T/devs" | uniq | wc -l)" -eq 30 ] && [ "$(wc -l <"$T/devs")" -eq 30 ]
ok $? "--shard 0/3, 1/3, 2/3 run every device exactly once"
# 5. Two commands with one file name do not overwrite each other.
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
fleet_devs "$F" 0 1
echo "jobs: [ { name: j, commands: [show version, show  version, 'show version |'] } ]" >>"$F"
naut "$F"
[ -s "$T/out/dev0/show_version.txt" ] && [ -s "$T/out/dev0/show_version_2.txt" ] &&
    [ -e "$T/out/dev0/show_version_3.txt" ] &&
    [ "$(ls "$T/out/dev0" | wc -l)" -eq 3 ]
ok $? "commands that map to one file name are saved side by side (_2, _3)"
no_crashes
echo "1..$n"
