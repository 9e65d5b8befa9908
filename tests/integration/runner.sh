#!/bin/sh
# tests/run.sh counts honestly (issue 15): it runs a scratch tree of small
# scripts and must report a skip as skipped, a script that stops before
# its trailing plan, a plan that disagrees and a script that prints nothing
# as failed, and end with "N passed, N failed, N skipped".
set -u
ROOT=$(pwd)
. tests/integration/tap.inc

mkdir -p "$T/tests/integration"
I=$T/tests/integration
printf 'echo "ok 1 - a"\necho "ok 2 - b"\necho "1..2"\n' >"$I/good.sh"
printf 'echo "ok 1 - a"\necho "ok 2 - b # SKIP why"\necho "1..2"\n' >"$I/skip.sh"
printf 'echo "ok 1 - a"\nexit 0\necho "ok 2 - b"\necho "1..2"\n' >"$I/early.sh"
printf 'echo "ok 1 - a"\necho "1..3"\n' >"$I/plan.sh"
printf 'true\n' >"$I/empty.sh"
(cd "$T" && env -u NAUT_INTEGRATION NAUT_SUITES=integration \
    sh "$ROOT/tests/run.sh" "$T/b") \
    >"$T/out" 2>&1
rc=$?

line() { grep -q "^$1: *$2\$" "$T/out"; }
line good "2 passed, 0 failed, 0 skipped"
ok $? "a passing script: 2 passed"
line skip "1 passed, 0 failed, 1 skipped"
ok $? "a skipped test counts as skipped, not passed"
line early "1 passed, 1 failed, 0 skipped"
ok $? "a script that stops before its plan has failed"
line plan "1 passed, 1 failed, 0 skipped"
ok $? "a plan that disagrees with the tests run has failed"
line empty "0 passed, 1 failed, 0 skipped"
ok $? "a script that prints nothing has failed"
[ "$(tail -1 "$T/out")" = "5 passed, 3 failed, 1 skipped" ]
ok $? "the last line sums them: $(tail -1 "$T/out")"
[ "$rc" -ne 0 ]
ok $? "the runner exits non-zero when something failed"
echo "1..$n"
