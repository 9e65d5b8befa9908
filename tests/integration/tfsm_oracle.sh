#!/bin/sh
# The TextFSM engine against the reference: for every template and input
# under tests/tfsm/cases, `naut-supervisor --parse` must print the same
# rows as python3-textfsm 1.1.0 (tests/tfsm/oracle.py), compared as JSON
# values; every template under tests/tfsm/bad must be rejected by both,
# with the same kind of failure (78 template, 1 parse) and naut's message
# in file:line form.  A case whose reference output is empty fails unless
# its name says it expects that, so a broken oracle cannot pass.
set -u
ok() {		# status description (lablib.inc's, without the lab)
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
B=${NAUT_BUILD:-build}
SUP=$B/naut-supervisor
PY=/usr/bin/python3
D=tests/tfsm
T=$(mktemp -d /tmp/tfsm_oracle.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0
# Cases whose right answer is no rows at all.
EMPTY=" empty_input eofstate "

same_json() {
	$PY -c 'import json,sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
sys.exit(0 if a == b else 1)' "$1" "$2"
}

for tpl in $D/cases/*.tpl; do
	name=$(basename "$tpl" .tpl)
	in=$D/cases/$name.txt
	$PY $D/oracle.py "$tpl" "$in" >"$T/py.json" 2>"$T/py.err"
	prc=$?
	"$SUP" --parse "$tpl" "$in" >"$T/n.json" 2>"$T/n.err"
	nrc=$?
	rows=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' \
	    "$T/py.json" 2>/dev/null)
	case "$EMPTY" in
	*" $name "*) want_rows=0 ;;
	*) want_rows=1 ;;
	esac
	st=1
	if [ "$prc" -eq 0 ] && [ "$nrc" -eq 0 ] && [ -n "$rows" ] &&
	    [ "$([ "$rows" -gt 0 ] && echo 1 || echo 0)" -eq "$want_rows" ] &&
	    same_json "$T/py.json" "$T/n.json"; then
		st=0
	fi
	ok $st "$name: naut's rows equal python3-textfsm's ($rows rows)"
	if [ $st -ne 0 ]; then
		echo "# python ($prc):"; sed 's/^/#   /' "$T/py.json" "$T/py.err"
		echo "# naut ($nrc):"; sed 's/^/#   /' "$T/n.json" "$T/n.err"
	fi
done

for tpl in $D/bad/*.tpl; do
	name=$(basename "$tpl" .tpl)
	in=$D/bad/$name.txt
	[ -f "$in" ] || in=$D/cases/anchor.txt
	$PY $D/oracle.py "$tpl" "$in" >/dev/null 2>"$T/py.err"
	prc=$?
	"$SUP" --parse "$tpl" "$in" >"$T/n.json" 2>"$T/n.err"
	nrc=$?
	st=1
	# textfsm's own crash (a TypeError) exits 1 like a parse error.
	if [ "$prc" -ne 0 ] && [ "$prc" -eq "$nrc" ] && [ ! -s "$T/n.json" ] &&
	    grep -Eq "^naut-supervisor: $tpl:[0-9]+: ." "$T/n.err"; then
		st=0
	fi
	ok $st "$name: rejected by both (exit $prc), naut says file:line"
	[ $st -ne 0 ] && { sed 's/^/# py: /' "$T/py.err" | tail -3;
	    sed 's/^/# naut: /' "$T/n.err"; }
done

# The command line: usage errors and a missing file are failures too.
"$SUP" --parse $D/cases/anchor.tpl >/dev/null 2>&1
ok $([ $? -eq 64 ] && echo 0 || echo 1) "--parse without FILE is a usage error"
"$SUP" --parse $D/cases/anchor.tpl "$T/missing" >/dev/null 2>"$T/err"
ok $([ $? -eq 1 ] && grep -q missing "$T/err" && echo 0 || echo 1) \
    "--parse of a missing file fails with its name"
"$SUP" --parse $D/cases/anchor.tpl - <$D/cases/anchor.txt >"$T/stdin.json"
ok $([ $? -eq 0 ] && grep -q '"abc"' "$T/stdin.json" && echo 0 || echo 1) \
    "--parse reads - as standard input"
echo "1..$n"
