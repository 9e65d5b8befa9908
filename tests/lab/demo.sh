#!/bin/sh
# make demo: the main job against the bundled lab.  Starts the lab (real
# OpenSSH and dropbear servers on loopback running the device emulator),
# backs up 200 devices of five platforms over interactive shells (show
# version, show running-config) with a progress line, shows the summary
# and where everything went, and stops the lab again.
set -eu
B=${NAUT_BUILD:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
export NAUT_BUILD=$B
N=${NAUT_DEMO_DEVICES:-200}
D=$B/demo

# A lab that already runs (someone is using it) is left running.
if sh tests/lab/lab.sh status >/dev/null 2>&1; then
	echo "demo: using the lab that already runs"
else
	sh tests/lab/lab.sh start
	trap 'sh tests/lab/lab.sh stop >/dev/null 2>&1 || true' EXIT INT TERM
fi
eval "$(sh tests/lab/lab.sh env)"
mkdir -p "$D"
rm -rf "$D/output"
sh tests/lab/gen-fleet.sh "$N" -o "$D/fleet.yaml" -m shell -n demo \
    -d "$D/output" -w 2 -c 50
echo
"$B/naut-supervisor" -t -c "$D/fleet.yaml"
echo
echo "Running the job; in another terminal, watch it live with:"
echo "    $B/naut-stat -n demo"
echo
rc=0
"$B/naut-supervisor" -c "$D/fleet.yaml" || rc=$?
first=$(ls "$D/output" | grep '^dev' | head -1)
echo
echo "Outputs:  $D/output/<device>/<command>.txt, e.g."
ls "$D/output/$first" | sed "s|^|    $D/output/$first/|"
echo "Records:  $D/output/results.jsonl ($(wc -l <"$D/output/results.jsonl") lines), e.g."
head -1 "$D/output/results.jsonl" | sed 's/^/    /'
echo "Fleet:    $D/fleet.yaml  (naut-supervisor -T -c ... shows it resolved)"
exit $rc
