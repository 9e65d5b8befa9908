#!/bin/sh
# naut-supervisor as a process: options, exit codes (sysexits), -t/-T output.
set -u
B=${NAUT_BUILD:-build}
S=$B/naut-supervisor
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export NAUT_TEST_PW=lab-secret-value
n=0

check() {	# description, expected rc, command...
	d=$1; want=$2; shift 2
	n=$((n + 1))
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d (exit $rc, want $want)"
		sed 's/^/#   /' "$T/err" | head -5
	fi
}

expect_text() {	# description, file, fixed string
	n=$((n + 1))
	if grep -qF -- "$3" "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: no \"$3\" in:"
		sed 's/^/#   /' "$2" | head -5
	fi
}

check "-h exits 0" 0 "$S" -h
expect_text "-h prints usage" "$T/out" "usage: naut-supervisor"
check "--version exits 0" 0 "$S" --version
expect_text "--version prints the version" "$T/out" "naut-supervisor 0."
check "unknown option is a usage error (64)" 64 "$S" -x
expect_text "usage error prints a one-line hint" "$T/err" "usage: naut-supervisor"
check "no -c is a usage error (64)" 64 "$S" -t
check "stray argument is a usage error (64)" 64 "$S" -t -c tests/conf/ok/example.yaml extra
check "missing file is a config error (78)" 78 "$S" -t -c "$T/nonexistent.yaml"
expect_text "missing file names the file" "$T/err" "$T/nonexistent.yaml: cannot open"
check "-t on the example fleet exits 0" 0 "$S" -t -c examples/fleet.yaml
expect_text "-t says configuration OK" "$T/out" "configuration OK"
expect_text "-t counts devices per transport" "$T/out" "4 (ssh 4, netconf 0, rest 0)"
expect_text "-t counts devices per group" "$T/out" "site-ams 2"
check "-t on a broken fleet exits 78" 78 "$S" -t -c tests/conf/bad/46-many-errors.yaml
n=$((n + 1))
if [ "$(wc -l <"$T/err")" -eq 8 ]; then
	echo "ok $n - every error of a broken file is printed"
else
	echo "not ok $n - expected 8 error lines, got $(wc -l <"$T/err")"
fi
check "-T prints the resolved inventory" 0 "$S" -T -c tests/conf/ok/inherit.yaml
cp "$T/out" "$T/resolved.yaml"
check "-T output loads again" 0 "$S" -T -c "$T/resolved.yaml"
n=$((n + 1))
if cmp -s "$T/out" "$T/resolved.yaml"; then
	echo "ok $n - -T output is a fixed point"
else
	echo "not ok $n - -T of the -T output differs"
	diff "$T/resolved.yaml" "$T/out" | head -10 | sed 's/^/#   /'
fi
n=$((n + 1))
if grep -q "lab-secret-value" "$T/resolved.yaml"; then
	echo "not ok $n - the secret appears in -T output"
else
	echo "ok $n - no secret in -T output"
fi
# naut-stat -h, as naut-supervisor -h: help on stdout, exit 0; a mistaken
# option gets it on stderr and 64.  help_on FILE EMPTY: after the last
# check, the help is in FILE and nothing in EMPTY.
help_on() {
	n=$((n + 1))
	if grep -q '^usage: naut-stat' "$T/$1" && [ ! -s "$T/$2" ]; then
		echo "ok $n - ... with the help on std$1 only"
	else
		echo "not ok $n - ... with the help on std$1 only"
	fi
}
check "naut-stat -h exits 0" 0 "$B/naut-stat" -h
help_on out err
check "naut-stat with an unknown option exits 64" 64 "$B/naut-stat" -Z
help_on err out
echo "1..$n"
