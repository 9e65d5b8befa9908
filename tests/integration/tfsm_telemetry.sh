#!/bin/sh
# Telemetry from a TextFSM template, end to end through /metrics: an ssh
# entry names a template instead of a regex; every numeric field of every
# row becomes a gauge labelled by the row's Key fields and "field".  The
# series on /metrics are exactly the rows naut --parse gives for the
# emulator's output on each of the five platforms, and a value equals the
# emulator's at its time.  Ports 22770-22772 (lab) and 22798 (/metrics).
set -u
LAB_PORT_BASE=22770
. tests/integration/lablib.inc
F=$T/fleet.yaml
MPORT=22798
URL=http://127.0.0.1:$MPORT
PTS=$T/points.jsonl
TPL=$(pwd)/tests/tfsm/lab/show_interfaces_counters.textfsm

fleet_head "$F" "password_file: $LAB_PASSWORD_FILE" \
    "timeout: { connect: 2s, auth: 5s, command: 2s }"
sed -i "s/metrics_listen: 127.0.0.1:[0-9]*/metrics_listen: 127.0.0.1:$MPORT/" "$F"
fleet_devs "$F" 0 5
cat >>"$F" <<YAML
telemetry:
  - name: ifin
    interval: 500ms
    metric: naut_if_in
    ssh: { command: show interfaces counters, template: $TPL }
YAML
: >"$LAB_DEVICES_CONF"

"$S" -q -c "$F" --telemetry-log "$PTS" >"$T/stdout" 2>"$T/log" &
spid=$!
trap 'kill -TERM $spid 2>/dev/null; wait $spid 2>/dev/null; lab_cleanup' EXIT
i=0
until curl -fsS "$URL/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
sleep 2
curl -fsS "$URL/metrics" >"$T/m1"
ok $? "/metrics answers"

# Per device: the ports and fields naut --parse finds in the emulator's
# output must be the series on /metrics, no more and no fewer.
bad=0
k=0
while [ $k -lt 5 ]; do
	"$B/lab/emu" --index $k -c 'show interfaces counters' >"$T/emu$k.txt"
	"$S" --parse "$TPL" "$T/emu$k.txt" >"$T/rows$k.json" || bad=1
	jq -r --arg d dev$k '.[] | . as $r | ("IN_OCTETS", "IN_UCAST",
	    "IN_MCAST", "IN_BCAST") | "naut_if_in{device=\"\($d)\",PORT=\"\($r.PORT)\",field=\"\(.)\"}"' \
	    "$T/rows$k.json" | sort >"$T/want$k"
	grep "^naut_if_in{device=\"dev$k\"," "$T/m1" | sed 's/ [^ ]*$//' |
	    sort >"$T/got$k"
	if [ ! -s "$T/want$k" ] || ! cmp -s "$T/want$k" "$T/got$k"; then
		bad=1
		echo "# dev$k ($(lab_platform $k)): series differ"
		diff "$T/want$k" "$T/got$k" | head -4 | sed 's/^/#   /'
	fi
	k=$((k + 1))
done
ok $bad "every row and numeric field of the template is a series on all five platforms"
grep -q '^# TYPE naut_if_in gauge' "$T/m1"
ok $? "the family is a gauge"

# A value against the emulator at the second it was collected.
last=$(jq -r 'select(.device == "dev3" and .labels.PORT == "Et2" and
    .labels.field == "IN_OCTETS") | "\(.ts_ms) \(.value)"' "$PTS" | tail -1)
ts=${last%% *}
val=${last#* }
emu_at() {
	"$B/lab/emu" --index 3 --time "$1" -c 'show interfaces counters' |
	    awk '$1 == "Et2" { print $2; exit }'
}
s=$((ts / 1000))
[ -n "$val" ] && { [ "$val" = "$(emu_at $s)" ] || [ "$val" = "$(emu_at $((s - 1)))" ]; }
ok $? "a collected field equals the emulator's value at its time ($val)"
! grep -q 'telemetry_collection_errors_total{[^}]*} [1-9]' "$T/m1"
ok $? "no collection errors"

# A template whose Key is not a label name is a fleet error.
printf 'Value Key,Required bad-name (\\S+)\nValue N (\\d+)\n\nStart\n  ^${N} -> Record\n' >"$T/badkey.textfsm"
sed "s|template: .*}|template: $T/badkey.textfsm }|" "$F" >"$T/f2.yaml"
"$S" -t -c "$T/f2.yaml" >"$T/t.out" 2>&1
[ $? -eq 78 ] && grep -q 'Key Value "bad-name" is not a usable Prometheus label' "$T/t.out"
ok $? "a Key Value that is not a label name is a fleet error"
kill -TERM $spid
wait $spid
ok $? "SIGTERM ends the daemon with status 0"
echo "1..$n"
