#!/bin/sh
# TextFSM parse throughput, naut's engine against python3-textfsm 1.1.0 on
# the same templates and inputs, in the same run: each side parses in one
# process with its template compiled once (median of 5 rounds).  Inputs:
# the lab emulator's outputs for the five platforms (tests/tfsm/lab
# templates) and a 48-port "show interfaces counters" repeated to 5,000
# lines.  Target: at least 20x faster per parsed output.
set -eu
BUILD=${1:-build}
OUT=${2:-$BUILD/bench}
PY=/usr/bin/python3
IX=tests/tfsm/lab
T=$(mktemp -d /tmp/bench-tfsm.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$OUT"

set -- \
    "ios_show_version 0 show version" \
    "nxos_show_version 1 show version" \
    "junos_show_version 2 show version" \
    "eos_show_version 3 show version" \
    "linux_show_version 4 show version" \
    "show_interfaces_counters 0 show interfaces counters"
printf '%-28s %12s %12s %8s %6s\n' case naut_us python_us speedup rows
: >"$OUT/tfsm.json.tmp"
for c in "$@"; do
	tpl=${c%% *}
	rest=${c#* }
	idx=${rest%% *}
	cmd=${rest#* }
	in=$T/$tpl.txt
	"$BUILD/lab/emu" --index "$idx" -c "$cmd" >"$in"
	nr=$("$BUILD/tests/tfsm_bench" "$IX/$tpl.textfsm" "$in" 2000)
	pr=$($PY bench/tfsm_baseline.py "$IX/$tpl.textfsm" "$in" 200)
	[ "${nr#* }" = "${pr#* }" ] || { echo "rows differ: $nr / $pr" >&2; exit 1; }
	awk -v c="$tpl" -v n="${nr%% *}" -v p="${pr%% *}" -v r="${nr#* }" \
	    'BEGIN { printf "%-28s %12.1f %12.1f %7.1fx %6d\n", c, n / 1000, p / 1000, p / n, r }'
	echo "{\"case\":\"$tpl\",\"naut_ns\":${nr%% *},\"python_ns\":${pr%% *},\"rows\":${nr#* }}" >>"$OUT/tfsm.json.tmp"
done
# A large output: the counters 100 times over (about 5,000 lines).
in=$T/big.txt
"$BUILD/lab/emu" --index 0 -c "show interfaces counters" | sed -n '/InOctets/,/^$/p' | sed '1d;/^$/d' >"$T/ports"
{ echo "Port                InOctets  InUcastPkts  InMcastPkts  InBcastPkts"
  i=0; while [ $i -lt 100 ]; do cat "$T/ports"; i=$((i + 1)); done; } >"$in"
nr=$("$BUILD/tests/tfsm_bench" "$IX/show_interfaces_counters.textfsm" "$in" 20)
pr=$($PY bench/tfsm_baseline.py "$IX/show_interfaces_counters.textfsm" "$in" 2)
[ "${nr#* }" = "${pr#* }" ] || { echo "rows differ: $nr / $pr" >&2; exit 1; }
awk -v c="counters_x100 ($(wc -l <"$in") lines)" -v n="${nr%% *}" -v p="${pr%% *}" -v r="${nr#* }" \
    'BEGIN { printf "%-28s %12.1f %12.1f %7.1fx %6d\n", c, n / 1000, p / 1000, p / n, r }'
echo "{\"case\":\"counters_x100\",\"naut_ns\":${nr%% *},\"python_ns\":${pr%% *},\"rows\":${nr#* }}" >>"$OUT/tfsm.json.tmp"
mv "$OUT/tfsm.json.tmp" "$OUT/tfsm.json"
