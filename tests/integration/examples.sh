#!/bin/sh
# Every fleet a user is told to run loads (issue 15): each file in
# examples/ and each ```yaml block of the README that is a whole fleet
# (one with a top-level devices:) passes naut-supervisor -t.  Secrets they
# name by password_env get a dummy value; files they name under /etc/naut/
# are created in a scratch directory and the paths rewritten there, so the
# check never needs the system's /etc.
set -u
B=${NAUT_BUILD:-build}
S=$B/naut-supervisor
. tests/integration/tap.inc

check() {	# file what
	envs=$(grep -o 'password_env: *[A-Za-z_][A-Za-z0-9_]*' "$1" |
	    awk '{print $2 "=dummy"}' | sort -u)
	mkdir -p "$T/etc/naut"
	for p in $(grep -o '/etc/naut/[A-Za-z0-9._-]*' "$1" | sort -u); do
		f=$T$p
		echo dummy >"$f"
		chmod 600 "$f"
	done
	sed "s|/etc/naut/|$T/etc/naut/|g" "$1" >"$T/fleet.yaml"
	# shellcheck disable=SC2086
	env $envs timeout 10 "$S" -t -c "$T/fleet.yaml" >"$T/out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && grep -q 'configuration OK' "$T/out"
	ok $? "$2 passes -t"
	[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/out" | head -5
}

found=0
for y in examples/*.yaml; do
	[ -f "$y" ] || continue
	found=$((found + 1))
	check "$y" "$y"
done
[ "$found" -ge 2 ]
ok $? "examples/ holds the fleets the README names ($found)"

awk -v dir="$T" '/^```yaml/ { f = 1; c++; out = dir "/readme-" c ".yaml"; next }
    /^```/ { f = 0 } f { print > out }' README.md
whole=0
for y in "$T"/readme-*.yaml; do
	[ -f "$y" ] || continue
	grep -q '^devices:' "$y" || continue
	whole=$((whole + 1))
	check "$y" "README fleet block $(basename "$y" .yaml | sed 's/readme-//')"
done
[ "$whole" -ge 1 ]
ok $? "the README has whole fleet blocks to check ($whole)"
echo "1..$n"
