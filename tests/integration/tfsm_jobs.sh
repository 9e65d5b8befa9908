#!/bin/sh
# parse: in jobs, end to end against the lab emulator on its five
# platforms: each command's template comes from an ntc-templates index
# (tests/tfsm/lab, with sh[[ow]] abbreviations), its rows are saved as
# <command>.json beside the text and equal python3-textfsm's rows for
# that same saved text, and the record counts them.  A broken template
# fails its step with file:line, a Required-values template that yields
# nothing is reported, a bad parse: or index is a fleet error.
set -u
LAB_PORT_BASE=22790
. tests/integration/lablib.inc

F=$T/fleet.yaml
IX=$(pwd)/tests/tfsm/lab
PY=/usr/bin/python3
ORACLE=tests/tfsm/oracle.py

fleet() {	# fleet FILE TEMPLATE-DIR PARSE COMMANDS
	fleet_head "$1" "password_file: $LAB_PASSWORD_FILE"
	sed -i "s|name: itest$LAB_PORT_BASE }|name: itest$LAB_PORT_BASE, templates: [$2] }|" "$1"
	fleet_devs "$1" 0 5
	echo "jobs: [ { name: j, mode: exec, scrub: false, parse: $3, commands: $4 } ]" >>"$1"
}

# 1. parse: true on five platforms, two commands (the index matches them
# through its sh[[ow]] completions; test_tfsm checks abbreviations).
fleet "$F" "$IX" true '[show version, show interfaces counters]'
naut "$F"
ok "$(rc)" "a parse: true batch on five platforms exits 0"
[ "$(jq -s 'length' "$T/out/results.jsonl" 2>/dev/null)" = 10 ] &&
    [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ]
ok $? "ten ok records"
bad=0
k=0
while [ $k -lt 5 ]; do
	pl=$(lab_platform $k)
	case $pl in
	cisco_ios) v=ios ;; cisco_nxos) v=nxos ;; juniper_junos) v=junos ;;
	arista_eos) v=eos ;; *) v=linux ;;
	esac
	for c in show_version:${v}_show_version show_interfaces_counters:show_interfaces_counters; do
		step=${c%%:*}
		tpl=$IX/${c#*:}.textfsm
		d=$T/out/dev$k
		if [ ! -s "$d/$step.json" ] || [ ! -s "$d/$step.txt" ]; then
			echo "# dev$k: no $step.json or $step.txt"; bad=1; continue
		fi
		$PY $ORACLE "$tpl" "$d/$step.txt" >"$T/py.json" 2>"$T/py.err"
		nrows=$(jq 'length' "$d/$step.json")
		if ! $PY -c 'import json,sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
sys.exit(0 if a == b and len(a) > 0 else 1)' "$T/py.json" "$d/$step.json"; then
			echo "# dev$k $step: rows differ from python3-textfsm's"
			head -c 300 "$d/$step.json" | sed 's/^/#   naut: /'
			head -c 300 "$T/py.json" "$T/py.err" | sed 's/^/#   py: /'
			bad=1
		fi
		cmd=$(echo "$step" | tr _ ' ')
		r=$(jq -r --arg d dev$k --arg c "$cmd" \
		    'select(.device == $d and .command == $c) | .rows' \
		    "$T/out/results.jsonl")
		[ "$r" = "$nrows" ] || { echo "# dev$k $step: record rows $r, file $nrows"; bad=1; }
	done
	k=$((k + 1))
done
ok $bad "each step's .json equals python3-textfsm's rows for its text, and the record counts them"
[ "$(jq -r '.[0].HOSTNAME' "$T/out/dev0/show_version.json")" = dev000000 ] &&
    [ "$(jq -r '.[0].VERSION' "$T/out/dev2/show_version.json")" = 21.4R3-S4.9 ] &&
    [ "$(jq -r '.[0].PACKAGES | length' "$T/out/dev2/show_version.json")" -gt 3 ] &&
    [ "$(jq -r '.[0].PORT' "$T/out/dev3/show_interfaces_counters.json")" = Et1 ]
ok $? "rows hold what the device said (IOS hostname, Junos version and packages, EOS ports)"
ls "$T/out"/dev*/ | grep -q '\.tmp' && bad=1 || bad=0
ok $bad "no temporary file left beside the outputs"

# 2. A template the index names is broken: that step fails with file:line.
mkdir -p "$T/ix2"
cp "$IX/broken.textfsm" "$T/ix2/"
printf 'Template, Platform, Command\nbroken.textfsm, , sh[[ow]] ver[[sion]]\n' >"$T/ix2/index"
fleet "$F" "$T/ix2" true '[show version]'
naut "$F"
[ "$(status dev0)" = parse ] &&
    jq -r .error "$T/out/results.jsonl" | grep -q "broken.textfsm:4: State 'Nowhere' not found" &&
    [ -s "$T/out/dev0/show_version.txt" ] && [ ! -e "$T/out/dev0/show_version.json" ]
ok $? "a broken template fails its step as parse with file:line; the text is still saved"

# 3. Required values and no row: reported on the record.
fleet "$F" "$IX" "$IX/required_miss.textfsm" '[show version]'
naut "$F"
[ "$(status dev1)" = ok ] && [ "$(jq -r 'select(.device == "dev1") | .rows' "$T/out/results.jsonl")" = 0 ] &&
    jq -r 'select(.device == "dev1") | .error' "$T/out/results.jsonl" | grep -q "no rows" &&
    [ "$(cat "$T/out/dev1/show_version.json")" = "[]" ] &&
    grep -q parse_empty "$T/log"
ok $? "a Required-values parse that yields nothing is reported (record and log), with an empty .json"

# 4. Fleet errors at load: a broken parse: template, a missing index.
fleet "$F" "$IX" "$IX/broken.textfsm" '[show version]'
"$S" -t -c "$F" >"$T/t.out" 2>&1
[ $? -eq 78 ] && grep -q "fleet.yaml:[0-9]*:[0-9]*: parse: .*broken.textfsm:4: State 'Nowhere'" "$T/t.out"
ok $? "parse: with a broken template is a fleet error naming both file:line"
fleet "$F" "$T/nowhere" true '[show version]'
"$S" -t -c "$F" >"$T/t.out" 2>&1
[ $? -eq 78 ] && grep -q "templates: .*nowhere/index" "$T/t.out"
ok $? "a template directory without an index is a fleet error"
# 5. -T prints parse: and templates:, and what it prints loads again.
fleet "$F" "$IX" true '[show version]'
"$S" -T -c "$F" >"$T/T.yaml" 2>&1 && grep -q '^    parse: true$' "$T/T.yaml" &&
    grep -q "^  templates:" "$T/T.yaml" && "$S" -t -c "$T/T.yaml" >/dev/null 2>&1
ok $? "-T shows parse: and templates:, and its output loads again"
no_crashes
echo "1..$n"
