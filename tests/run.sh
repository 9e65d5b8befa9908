#!/bin/sh
# Run every test suite and sum them up.  A suite is a cmocka binary
# (build/tests/test_*), an integration script (tests/integration/*.sh, which
# prints TAP-style "ok"/"not ok" lines) or the man page lint.  `fuzz` runs
# every libFuzzer harness for FUZZ_SMOKE_SECONDS (5); `asan` runs the unit
# suites and some integration suites again against the ASan+UBSan build
# (make asan) and counts its tests here.  The last line is "N passed,
# N failed, N skipped"; the exit status is non-zero if anything failed.  An
# integration script counts honestly: "ok N # SKIP" is a skip, a script
# whose trailing "1..N" plan is missing or disagrees with its lines (it
# stopped early) has failed, and so has one that prints no test at all.
# NAUT_SUITES=unit|integration|man|fuzz|asan (space separated) selects.
# NAUT_INTEGRATION=names selects integration scripts (default: all).
set -u
BUILD=${1:-build}
SUITES=${NAUT_SUITES:-unit integration man}
export NAUT_BUILD="$BUILD"
LOGDIR="$BUILD/test-logs"
mkdir -p "$LOGDIR"
tp=0
tf=0
ts=0

report() {	# suite passed failed [skipped]
	printf '%-28s %d passed, %d failed, %d skipped\n' "$1:" "$2" "$3" \
	    "${4:-0}"
	tp=$((tp + $2))
	tf=$((tf + $3))
	ts=$((ts + ${4:-0}))
}

# tap_count LOG: sets p, f and sk (passed, failed, skipped) from TAP
# lines; a missing or wrong plan and an empty log each add a failure, said
# in why.
tap_count() {
	why=
	sk=$(grep -cE '^ok [0-9]+ .*# *SKIP' "$1")
	p=$(($(grep -c '^ok ' "$1") - sk))
	f=$(grep -c '^not ok ' "$1")
	all=$((p + f + sk))
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$1" | tail -1)
	if [ "$all" -eq 0 ]; then
		why="# $1: no test ran"
		f=$((f + 1))
	elif [ -z "$plan" ]; then
		why="# $1: no 1..N plan: the script stopped after test $all"
		f=$((f + 1))
	elif [ "$plan" -ne "$all" ]; then
		why="# $1: plan 1..$plan but $all tests ran"
		f=$((f + 1))
	fi
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
		sk=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
		p=${p:-0}
		f=${f:-0}
		sk=${sk:-0}
		if { [ "$rc" -ne 0 ] || [ $((p + sk)) -eq 0 ]; } && [ "$f" -eq 0 ]; then
			f=1	# crashed, aborted before cmocka could count, or ran nothing
		fi
		[ "$f" -ne 0 ] && { echo "--- $name (log $log)"; tail -30 "$log"; }
		report "$name" "$p" "$f" "$sk"
	done
}

# NAUT_INTEGRATION=names (space separated) runs only those scripts.
run_integration() {
	for s in tests/integration/*.sh; do
		[ -f "$s" ] || continue
		name=$(basename "$s" .sh)
		case " ${NAUT_INTEGRATION:-$name} " in
		*" $name "*) ;;
		*) continue ;;
		esac
		log="$LOGDIR/$name.out"
		timeout 600 sh "$s" >"$log" 2>&1
		rc=$?
		tap_count "$log"
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			why="$why exit status $rc"
		fi
		[ "$f" -ne 0 ] && { echo "--- $name (log $log)"; grep -v '^ok ' "$log" | tail -40; echo "$why"; }
		report "$name" "$p" "$f" "$sk"
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

# A short run of each harness catches a harness or parser regression; the
# long runs are `make fuzz`.  Seeds and kept crash inputs are replayed first.
run_fuzz() {
	secs=${FUZZ_SMOKE_SECONDS:-5}
	if ! make --no-print-directory BUILD="$BUILD" fuzz-build \
	    >"$LOGDIR/fuzz-build.out" 2>&1; then
		echo "--- fuzz-build (log $LOGDIR/fuzz-build.out)"
		tail -20 "$LOGDIR/fuzz-build.out"
		report "fuzz-build" 0 1
		return
	fi
	for h in "$BUILD"/fuzz/fuzz_*; do
		[ -x "$h" ] || continue
		case "$h" in *.d|*.o) continue ;; esac
		name=$(basename "$h")
		f=${name#fuzz_}
		log="$LOGDIR/$name.out"
		work="$BUILD/fuzz/smoke-$f"
		rm -rf "$work"
		mkdir -p "$work/corpus"
		cp tests/fuzz/corpus/"$f"/* "$work/corpus/" 2>/dev/null
		timeout $((secs + 120)) "$h" -max_total_time="$secs" \
		    -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
		    -artifact_prefix="$work/" "$work/corpus" >"$log" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ] && ! ls "$work"/crash-* "$work"/leak-* \
		    "$work"/oom-* "$work"/timeout-* >/dev/null 2>&1; then
			report "$name" 1 0
		else
			echo "--- $name (log $log, inputs in $work)"
			grep -E '^(==|SUMMARY|.*runtime error)' "$log" | head -20
			report "$name" 0 1
		fi
	done
}

# The sanitizer build runs the unit suites and, to keep check within its
# 15 minutes on two cores, the integration suites that drive each
# transport, telemetry and hostile devices (NAUT_ASAN_INTEGRATION; `make
# asan` runs them all).  Its own summary line is added to ours.
# NAUT_SUITES is set for the inner run so it cannot recurse.
ASAN_INTEGRATION_CHECK="ssh_basic rest netconf telemetry hostile"
run_asan() {
	log="$LOGDIR/asan.out"
	NAUT_INTEGRATION=${NAUT_ASAN_INTEGRATION:-$ASAN_INTEGRATION_CHECK} \
	NAUT_SUITES="unit integration" make --no-print-directory asan \
	    >"$log" 2>&1
	rc=$?
	# make's own error lines follow the summary when something failed.
	last=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -1)
	p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
	f=$(echo "$last" | sed -n 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/p')
	sk=$(echo "$last" | sed -n 's/.* \([0-9]*\) skipped$/\1/p')
	p=${p:-0}
	f=${f:-0}
	if { [ "$rc" -ne 0 ] || [ "$p" -eq 0 ]; } && [ "$f" -eq 0 ]; then
		f=1	# no summary, nothing passed or make failed
	fi
	[ "$f" -ne 0 ] && { echo "--- asan (log $log)"; grep -E '^(---|not ok)' "$log" | head -40; tail -5 "$log"; }
	report "asan (unit+some integration)" "$p" "$f" "${sk:-0}"
}

for s in $SUITES; do
	case "$s" in
	unit) run_unit ;;
	integration) run_integration ;;
	man) run_man ;;
	fuzz) run_fuzz ;;
	asan) run_asan ;;
	*) echo "run.sh: unknown suite $s" >&2; exit 2 ;;
	esac
done
echo "$tp passed, $tf failed, $ts skipped"
[ "$tf" -eq 0 ]
