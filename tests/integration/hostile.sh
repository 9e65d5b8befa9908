#!/bin/sh
# Hostile devices (tests/lab/emu/hostile.c): 10 MB of terminal escape
# sequences, an endless banner, a 1 MB line with no prompt, invalid UTF-8
# and NUL bytes, plus the older garbage and endless behaviours, in shell
# and exec mode.  Each costs only its own session: the other devices
# succeed, output_limit and the command timeout end the hostile ones, the
# workers' memory stays bounded, and nothing a device (or a device name)
# sends reaches the operator's terminal raw: text logs, the summary,
# naut-stat and /metrics hold no escape sequences and only valid UTF-8;
# JSON logs and results.jsonl are valid JSON.
set -u
LAB_PORT_BASE=22720
. tests/integration/lablib.inc
# fleet_head's metrics port (base + 50) is outside this suite's ports.
MPORT=$((LAB_PORT_BASE + 5))
fleet_head_here() {
	fleet_head "$@"
	sed -i "s/127.0.0.1:$((LAB_PORT_BASE + 50))/127.0.0.1:$MPORT/" "$1"
}

NAME=itest$LAB_PORT_BASE
LIMIT_MB=2
# A worker's fixed memory before any session: ASan's shadow and quarantine
# roughly double it, so the sanitizer build gets its own base.
BASE_MB=40
ldd "$S" | grep -q libasan && BASE_MB=80
sh tests/lab/lab.sh known-hosts 0 20 >/dev/null
cat >"$LAB_DEVICES_CONF" <<EOF
10 behaviour=escape_flood
11 behaviour=endless_banner
12 behaviour=long_line
13 behaviour=bad_utf8
14 behaviour=garbage
15 behaviour=endless
16 behaviour=hang_login
EOF

# clean FILE: not empty (a missing or empty log proves nothing), no ESC,
# no C1 control, no NUL, no bidi override, valid UTF-8.
clean() {
	[ -s "$1" ] || { echo "#   $(basename "$1") is empty or missing"; return 1; }
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 || return 1
	! LC_ALL=C grep -q -a -P '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$1"
}

run_mode() {	# mode
	F=$T/fleet-$1.yaml
	fleet_head_here "$F" "password_file: $LAB_PASSWORD_FILE" \
	    "timeout: { connect: 5s, auth: 10s, command: 8s }" \
	    "output_limit: ${LIMIT_MB}MB" "retries: 0"
	sed -i "s/name: $NAME }/name: $NAME, log: { format: text, level: debug } }/" "$F"
	fleet_devs "$F" 0 16
	# A device name holding a bidi override and a C1 CSI (YAML escapes).
	echo "  - { name: \"evil\\u202e\\x9b2Jname\", host: $(lab_addr 16), platform: $(lab_platform 16) }" >>"$F"
	echo "jobs: [ { name: j, mode: $1, commands: [show version] } ]" >>"$F"
	rm -rf "$T/out"
	: >"$T/rss.$1"
	"$S" -c "$F" >"$T/stdout.$1" 2>"$T/log.$1" &
	sup=$!
	t0=$(date +%s)
	while kill -0 "$sup" 2>/dev/null; do
		ps -o rss= --ppid "$sup" >>"$T/rss.$1" 2>/dev/null
		"$B/naut-stat" -1 -d -n "$NAME" >>"$T/stat.$1" 2>/dev/null
		curl -fsS "127.0.0.1:$MPORT/metrics" >>"$T/metrics.$1" 2>/dev/null
		sleep 0.25
	done
	wait "$sup"
	echo $? >"$T/rc.$1"
	echo $(($(date +%s) - t0)) >"$T/secs.$1"
	cp "$T/out/results.jsonl" "$T/results.$1"
	cat "$T/log.$1" >>"$T/all.log"
}

for mode in shell exec; do
	run_mode $mode
	R=$T/results.$mode
	bad=0
	for k in 0 1 2 3 4 5 6 7 8 9; do
		d=dev$k
		s=$(jq -r --arg d "$d" 'select(.device == $d) | .status' "$R")
		[ "$s" = ok ] || { echo "#   $k: '$s'"; bad=1; }
	done
	ok $bad "$mode: every normal device succeeds next to the hostile ones"
	jq -r 'select(.device | test("^dev1[0-5]$")) | "\(.device) \(.status) \(.error // "")"' "$R" | cut -c1-160 | sed 's/^/#   /'
	s10=$(jq -r 'select(.device == "dev10") | .status' "$R")
	[ "$s10" = output_too_large ]
	ok $? "$mode: 10 MB of escape sequences ends at output_limit ($s10)"
	s11=$(jq -r 'select(.device == "dev11") | .status' "$R")
	s12=$(jq -r 'select(.device == "dev12") | .status' "$R")
	case "$s11.$s12" in
	output_too_large.timeout|timeout.timeout) r=0 ;;
	*) r=1 ;;
	esac
	ok $r "$mode: endless banner and 1 MB prompt-less line end by the limit or the timeout ($s11, $s12)"
	s13=$(jq -r 'select(.device == "dev13") | .status' "$R")
	# Exec output is saved byte for byte; a shell's goes through the
	# prompt collector, which drops NULs as a terminal would.
	[ "$s13" = ok ] && [ -s "$T/out/dev13/show_version.txt" ] &&
	    { [ $mode = shell ] || LC_ALL=C grep -q -a -P '\x00\x00nul\x00' \
	    "$T/out/dev13/show_version.txt"; }
	ok $? "$mode: invalid UTF-8 and NULs are data: the session succeeds, output saved ($s13)"
	secs=$(cat "$T/secs.$mode")
	[ "$secs" -le 30 ]
	ok $? "$mode: the batch ends in $secs s (command timeout 8 s)"
	max=$(sort -n "$T/rss.$mode" | tail -1)
	[ -n "$max" ] && [ "$max" -lt $(( (LIMIT_MB * 4 + BASE_MB) * 1024 )) ]
	ok $? "$mode: worker RSS stays bounded: max ${max:-?} KiB (limit $LIMIT_MB MB per session)"
	r=0
	for f in "$T/log.$mode" "$T/stdout.$mode" "$T/stat.$mode" "$T/metrics.$mode"; do
		clean "$f" || { echo "#   raw bytes in $(basename "$f")"; r=1; }
	done
	ok $r "$mode: text log, summary, naut-stat and /metrics: no escape sequences, controls or invalid UTF-8"
	jq -e . "$R" >/dev/null 2>&1 && clean "$R"
	ok $? "$mode: results.jsonl is valid JSON with every control escaped"
	grep -q 'evil\\u{202e}\\u{009b}2Jname' "$T/stdout.$mode"
	ok $? "$mode: the summary lists the failed hostile-named device escaped"
done

# JSON logs too.
sed -i "s/format: text/format: json/" "$T/fleet-shell.yaml"
naut "$T/fleet-shell.yaml"
jq -e . "$T/log" >/dev/null 2>&1 && clean "$T/log"
ok $? "JSON log lines are valid JSON with every control escaped"
: >"$LAB_DEVICES_CONF"
no_crashes
echo "1..$n"
exit 0
