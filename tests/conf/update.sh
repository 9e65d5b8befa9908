#!/bin/sh
# Regenerate the golden files from the current build (bgpd regress -update):
# bad/*.err from the loader's errors, ok/*.out from -T.  Review the diff
# before committing: a golden file is a claim about behaviour.
set -eu
B=${1:-build}/naut-supervisor
unset NAUT_TEST_DEFINITELY_UNSET
export NAUT_TEST_PW=lab-secret-value
export HOME=/nonexistent/naut-home
for f in tests/conf/bad/*.yaml; do
	"$B" -t -c "$f" 2>"${f%.yaml}.err" >/dev/null || true
done
for f in tests/conf/ok/*.yaml; do
	"$B" -T -c "$f" >"${f%.yaml}.out"
done
