#!/bin/sh
# Run every test suite and sum them up.  A suite is a cmocka binary
# (build/tests/test_*), an integration script (tests/integration/*.sh, which
# prints TAP-style "ok"/"not ok" lines) or the man page lint.  The last line
# is "N passed, N failed"; the exit status is non-zero if anything failed.
# NAUT_SUITES=unit|integration|man (space separated) selects suites.
set -u
BUILD=${1:-build}
SUITES=${NAUT_SUITES:-unit integration man}
export NAUT_BUILD="$BUILD"
LOGDIR="$BUILD/test-logs"
mkdir -p "$LOGDIR"
tp=0
tf=0

report() {	# suite passed failed
	printf '%-28s %d passed, %d failed\n' "$1:" "$2" "$3"
	tp=$((tp + $2))
	tf=$((tf + $3))
}

run_unit() {
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		case "$t" in *.d|*.o) continue ;; esac
		name=$(basename "$t")
		log="$LOGDIR/$name.out"
		CMOCKA_MESSAGE_OUTPUT=stdout timeout 300 "$t" >"$log" 2>&1
		rc=$?
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1	# crashed or aborted before cmocka could count
		fi
		[ "$f" -ne 0 ] && { echo "--- $name (log $log)"; tail -30 "$log"; }
		report "$name" "$p" "$f"
	done
}

run_integration() {
	for s in tests/integration/*.sh; do
		[ -f "$s" ] || continue
		name=$(basename "$s" .sh)
		log="$LOGDIR/$name.out"
		timeout 600 sh "$s" >"$log" 2>&1
		rc=$?
		p=$(grep -c '^ok ' "$log")
		f=$(grep -c '^not ok ' "$log")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
		fi
		[ "$f" -ne 0 ] && { echo "--- $name (log $log)"; grep -v '^ok ' "$log" | tail -40; }
		report "$name" "$p" "$f"
	done
}

run_man() {
	p=0
	f=0
	for m in man/*.[0-9]; do
		[ -f "$m" ] || continue
		if out=$(mandoc -Tlint -Wwarning "$m" 2>&1) && [ -z "$out" ]; then
			p=$((p + 1))
		else
			echo "--- mandoc $m"
			echo "$out"
			f=$((f + 1))
		fi
	done
	report "man-lint" "$p" "$f"
}

for s in $SUITES; do
	case "$s" in
	unit) run_unit ;;
	integration) run_integration ;;
	man) run_man ;;
	*) echo "run.sh: unknown suite $s" >&2; exit 2 ;;
	esac
done
echo "$tp passed, $tf failed"
[ "$tf" -eq 0 ]
