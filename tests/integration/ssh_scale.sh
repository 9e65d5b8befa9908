#!/bin/sh
# A 500-device batch with 2 workers against the lab, with the global budget
# checked where it matters: at the server, by counting its established
# connections while the batch runs.  Then a 50-device batch under valgrind.
set -u
LAB_PORT_BASE=22330
. tests/integration/lablib.inc

N=500
LIMIT=12
sh tests/lab/lab.sh known-hosts 0 $N >/dev/null
F=$T/fleet.yaml
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
sed -i "s/max_concurrent: 20/max_concurrent: $LIMIT/" "$F"
fleet_devs "$F" 0 $N
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"

# Sample the lab's established connections every 20 ms, counting only the
# ones a naut process owns.  A netlink dump is no snapshot: a connection
# closed and another opened while it runs can both appear.  But ss -p reads
# the owners from /proc before it dumps, so every owned connection it lists
# was open from the end of that scan to the start of the dump: they were
# open all at once, and the count can never exceed the truth.
: >"$T/samples"
(
	while [ ! -f "$T/stop" ]; do
		ss -Htnp state established "( dport = :$LAB_SSHD_PORT )" |
		    grep -c 'users:(("naut-supervisor"' >>"$T/samples"
		sleep 0.02
	done
) &
sampler=$!
t0=$(date +%s.%N)
naut "$F"
t1=$(date +%s.%N)
touch "$T/stop"
wait $sampler
ok "$(rc)" "$N devices, 2 workers: exit 0"
[ "$(jq -s 'length' "$T/out/results.jsonl")" -eq $N ] &&
    [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ]
ok $? "$N ok records"
[ "$(ls "$T/out" | grep -c '^dev')" -eq $N ]
ok $? "$N output directories"
max=$(sort -n "$T/samples" | tail -1)
nsamp=$(wc -l <"$T/samples")
echo "# $N devices in $(awk -v a="$t0" -v b="$t1" "BEGIN { printf \"%.1f\", b - a }") s; at most $max connections open to the lab at once ($nsamp samples)"
[ "$max" -le $LIMIT ] && [ "$max" -ge 2 ]
ok $? "never more than max_concurrent=$LIMIT connections to the lab (max $max)"
[ "$(grep -c '"level":"warn"\|"level":"error"' "$T/log")" -eq 0 ]
ok $? "no warnings or errors logged"

no_crashes

# valgrind: the supervisor and every worker, 50 devices.
# (Not on a sanitizer build: valgrind cannot run ASan binaries.)
if command -v valgrind >/dev/null 2>&1 && [ -z "${NAUT_NO_VALGRIND:-}" ] &&
    ! ldd "$S" | grep -q libasan; then
	fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
	fleet_devs "$F" 0 50
	echo "jobs: [ { name: j, mode: shell, commands: [show version, show running-config] } ]" >>"$F"
	rm -rf "$T/out"
	timeout 300 valgrind --trace-children=yes --leak-check=full \
	    --show-leak-kinds=definite,indirect,possible \
	    --errors-for-leak-kinds=definite,indirect,possible \
	    --error-exitcode=99 --log-file="$T/vg.%p" "$S" -q -c "$F" \
	    >/dev/null 2>"$T/log"
	vrc=$?
	[ "$vrc" -eq 0 ] && [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ]
	ok $? "valgrind: 50-device shell batch completes (exit $vrc)"
	# One log per process: the supervisor and each worker must each say
	# so, not merely stay quiet (a process valgrind lost says nothing).
	nlog=$(ls "$T"/vg.* 2>/dev/null | wc -l)
	nerr=$(grep -h 'ERROR SUMMARY:' "$T"/vg.* | grep -vc 'ERROR SUMMARY: 0 errors')
	nsum=$(grep -l 'ERROR SUMMARY:' "$T"/vg.* | wc -l)
	[ "$nlog" -ge 3 ] && [ "$nsum" -eq "$nlog" ] && [ "$nerr" -eq 0 ]
	ok $? "valgrind: 0 errors in each of $nlog processes (supervisor and workers)"
	grep -h -B2 -A12 'Invalid\|uninitialised\|Mismatched' "$T"/vg.* | head -30 | sed 's/^/#   /'
	# "All heap blocks were freed" or a leak summary with nothing lost.
	leaks=$(grep -h -E '(definitely|indirectly|possibly) lost: [1-9]' "$T"/vg.* | wc -l)
	nchk=$(grep -l -E 'All heap blocks were freed|LEAK SUMMARY' "$T"/vg.* | wc -l)
	[ "$leaks" -eq 0 ] && [ "$nchk" -eq "$nlog" ]
	ok $? "valgrind: 0 bytes definitely, indirectly or possibly lost"
	grep -h -A15 'blocks are \(definitely\|indirectly\|possibly\) lost' "$T"/vg.* | head -30 | sed 's/^/#   /'
fi
echo "1..$n"
exit 0
