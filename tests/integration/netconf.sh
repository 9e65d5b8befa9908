#!/bin/sh
# NETCONF over SSH against a real server: Debian's netconfd (yuma123),
# started here as a private instance (its own socket, log and working
# directory; nothing of the system's), behind the lab sshd's netconf
# subsystem.  A dispatcher in the subsystem picks the server by the
# address the client dialled:
#
#   devices 0-99     netconf-subsystem -> netconfd (base:1.0 and 1.1)
#   devices 100-199  netconf-subsystem -> netconfd --protocols=netconf1.0
#   device 200       a fake server: base:1.1 hello, then a bad chunk header
#   device 201       a fake server: a reply with another message-id
#   device 202       a fake server: no hello, the session just ends
#   device 203       a fake server: hello, then silence
#   device 204       a fake server: a 10 MiB reply in 161 chunks
#   device 205       a fake server: a reply that is not well-formed XML
#
# Ports: 22550-22552 (lab), 22553 (metrics).
set -u
LAB_PORT_BASE=22550
B0=${NAUT_BUILD:-build}
case $B0 in /*) ;; *) B0=$(pwd)/$B0 ;; esac
NCX=$B0/itest-ncx-$LAB_PORT_BASE
rm -rf "$NCX"
mkdir -p "$NCX/d11" "$NCX/d10"
chmod 755 "$NCX" "$NCX/d11" "$NCX/d10"
export LAB_NETCONF_SUBSYSTEM="/bin/sh $NCX/subsys.sh"

cat >"$NCX/subsys.sh" <<EOF
#!/bin/sh
# sshd's netconf subsystem for tests/integration/netconf.sh.
set -- \$SSH_CONNECTION
case \$3 in
127.1.0.1[0-9][0-9]) exec /usr/sbin/netconf-subsystem --ncxserver-sockname=\$4@$NCX/d10/sock ;;
127.1.0.200) exec /bin/sh $NCX/fake-framing.sh ;;
127.1.0.201) exec /bin/sh $NCX/fake-msgid.sh ;;
127.1.0.202) exit 0 ;;
127.1.0.203) exec /bin/sh $NCX/fake-hang.sh ;;
127.1.0.204) exec /bin/sh $NCX/fake-big.sh ;;
127.1.0.205) exec /bin/sh $NCX/fake-badxml.sh ;;
*) exec /usr/sbin/netconf-subsystem --ncxserver-sockname=\$4@$NCX/d11/sock ;;
esac
EOF
cat >"$NCX/fake-framing.sh" <<'EOF'
printf '<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.1</capability></capabilities><session-id>7</session-id></hello>]]>]]>'
sleep 0.3
printf '\n#12x\n<rpc-reply/>\n##\n'
sleep 3
EOF
cat >"$NCX/fake-msgid.sh" <<'EOF'
printf '<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities><session-id>8</session-id></hello>]]>]]>'
sleep 0.3
printf '<rpc-reply message-id="999" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data/></rpc-reply>]]>]]>'
sleep 3
EOF
cat >"$NCX/fake-hang.sh" <<'EOF'
printf '<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.1</capability></capabilities><session-id>9</session-id></hello>]]>]]>'
exec sleep 60
EOF
cat >"$NCX/fake-big.sh" <<'EOF'
printf '<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.1</capability></capabilities><session-id>10</session-id></hello>]]>]]>'
sleep 0.3
h='<rpc-reply message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data><x>'
printf '\n#%d\n%s' ${#h} "$h"
i=0
while [ $i -lt 160 ]; do
	printf '\n#65536\n'
	head -c 65536 /dev/zero | tr '\0' a
	i=$((i + 1))
done
t='</x></data></rpc-reply>'
printf '\n#%d\n%s\n##\n' ${#t} "$t"
sleep 3
EOF
cat >"$NCX/fake-badxml.sh" <<'EOF'
printf '<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities><session-id>11</session-id></hello>]]>]]>'
sleep 0.3
printf '<rpc-reply message-id="1" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><data><a></b></data></rpc-reply>]]>]]>'
sleep 3
EOF
chmod 755 "$NCX"/*.sh

. tests/integration/lablib.inc

. tests/lab/netconfd.inc
ncx_stop() {
	for d in "$NCX/d11" "$NCX/d10"; do
		ncx_kill "$d"
	done
}
trap 'ncx_stop; lab_cleanup; rm -rf "$NCX"' EXIT

# Known host keys for every address used here (lablib covers 0-31).
sh tests/lab/lab.sh known-hosts 0 206 "$LAB_SSHD_PORT" >/dev/null

ncx_start "$NCX/d11"
ok $? "netconfd (base:1.0 and 1.1) starts on a private socket"
ncx_start "$NCX/d10" --protocols=netconf1.0
ok $? "a second netconfd (base:1.0 only) starts beside it"
p=$(cat "$NCX/d11/pid" 2>/dev/null)
[ -n "$p" ] && [ -r "/proc/$p/maps" ] && ncx_private "$p" >"$T/sil"
ok $? "netconfd maps no SIL library of the system's (private runpath)"
sed 's/^/# system SIL: /' "$T/sil" 2>/dev/null

F=$T/fleet.yaml
# fleet_head's metrics port is LAB_PORT_BASE + 50; ours is in 22550-22599.
nc_head() {
	fleet_head "$F" "transport: netconf" "key_file: $LAB_KEY" "$@"
	sed -i "s/127.0.0.1:$((LAB_PORT_BASE + 50))/127.0.0.1:$((LAB_PORT_BASE + 3))/" "$F"
}
dev() {		# name k [extra]
	echo "  - { name: $1, host: $(lab_addr "$2")${3:+, $3} }" >>"$F"
}
rec() {		# device field
	jq -r --arg d "$1" "select(.device == \$d) | .$2" "$T/out/results.jsonl"
}

# 1. get-config, get with a subtree filter, get with an XPath filter.
nc_head
dev nc0 0
dev nc10 100
cat >>"$F" <<'EOF'
jobs:
  - name: j
    rpcs:
      - get-config
      - { op: get, filter: '<system-state xmlns="urn:ietf:params:xml:ns:yang:ietf-system"/>' }
      - { op: get-config, source: candidate }
      - { op: rpc, body: '<get-config><source><running/></source><filter type="subtree"><interfaces xmlns="urn:ietf:params:xml:ns:yang:ietf-interfaces"/></filter></get-config>' }
      - { op: rpc, body: '<get-schema xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring"><identifier>ietf-system</identifier></get-schema>' }
      - { op: rpc, body: '<lock><target><candidate/></target></lock>' }
      - { op: rpc, body: '<unlock><target><candidate/></target></unlock>' }
EOF
naut "$F"
ok "$(rc)" "a NETCONF batch (netconfd over the sshd subsystem) exits 0"
[ "$(jq -s 'length' "$T/out/results.jsonl")" -eq 14 ] &&
    [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ] &&
    [ "$(jq -r .transport "$T/out/results.jsonl" | sort -u)" = netconf ]
ok $? "14 ok records with transport netconf, one per device and rpc"
ls "$T/out/nc0" | tr '\n' ' ' | sed 's/^/# nc0: /'
echo
[ -f "$T/out/nc0/get-config_running.xml" ] && [ -f "$T/out/nc0/get.xml" ] &&
    [ -f "$T/out/nc0/get-config_candidate.xml" ] && [ -f "$T/out/nc0/rpc.xml" ]
ok $? "outputs are saved as .xml, one per rpc"
grep -q '<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm"' \
    "$T/out/nc0/get-config_running.xml" &&
    ! grep -q "rpc-reply\|<data" "$T/out/nc0/get-config_running.xml"
ok $? "get-config running: the inside of <data> (ietf-netconf-acm), no envelope"
grep -q "<system-state" "$T/out/nc0/get.xml" &&
    grep -q "<sysNetconfServerId>netconfd" "$T/out/nc0/get.xml" &&
    ! grep -q "<nacm" "$T/out/nc0/get.xml"
ok $? "get with a subtree filter returns ietf-system state only"
grep -q "<nacm" "$T/out/nc0/get-config_candidate.xml"
ok $? "get-config of the candidate datastore"
grep -q "^module ietf-system" "$T/out/nc0/rpc_5.xml" &&
    ! grep -q "<data" "$T/out/nc0/rpc_5.xml"
ok $? "raw rpc get-schema: the YANG text inside <data> is saved"
grep -q "<rpc-reply" "$T/out/nc0/rpc_6.xml" && grep -q "<ok/>" "$T/out/nc0/rpc_6.xml" &&
    grep -q "<ok/>" "$T/out/nc0/rpc_7.xml"
ok $? "raw rpcs lock/unlock answered <ok/>: the whole reply is saved"
cmp -s "$T/out/nc0/get-config_running.xml" "$T/out/nc10/get-config_running.xml"
ok $? "base:1.0-only server: same get-config output (end-of-message framing)"
grep -q "now active (base:1.1)" "$NCX/d11/netconfd.log" &&
    grep -q "now active (base:1.0)" "$NCX/d10/netconfd.log"
ok $? "netconfd saw base:1.1 chunked and base:1.0 sessions, as negotiated"
! grep -q "IO failed\|shut by remote peer" "$NCX/d11/netconfd.log"
ok $? "every session ended with close-session (netconfd logs no dropped peer)"
b=$(rec nc0 bytes | sort -n | tail -1)
[ "$b" -gt 0 ] 2>/dev/null
ok $? "records count output bytes ($b)"

# 2. rpc-error: get-config of a startup datastore netconfd does not keep,
#    and an unknown operation.  Not retried; error-tag in the record.
nc_head "retries: 2"
dev badsrc 1
echo "jobs: [ { name: j, rpcs: [ { op: get-config, source: startup } ] } ]" >>"$F"
naut "$F"
[ "$(rc)" -eq 1 ] && [ "$(rec badsrc status)" = protocol ] &&
    [ "$(rec badsrc attempts | sort -u)" = 1 ]
ok $? "rpc-error: status protocol after 1 attempt, exit 1"
rec badsrc error | head -1 | sed 's/^/# /'
rec badsrc error | head -1 |
    grep -q 'error-type protocol, error-tag invalid-value, error-message "config not found"'
ok $? "the record carries error-type, error-tag and error-message"
nc_head
dev badop 2
echo "jobs: [ { name: j, rpcs: [ { op: rpc, body: '<no-such-operation xmlns=\"urn:example:none\"/>' }, get-config ] } ]" >>"$F"
naut "$F"
rec badop error | head -1 | sed 's/^/# /'
[ "$(rec badop status | sort -u)" = protocol ] &&
    rec badop error | head -1 | grep -q "error-tag \(operation-not-supported\|unknown-element\|unknown-namespace\)"
ok $? "an unknown raw rpc fails with its error-tag; the rpcs after it are not run"

# 3. output_limit: a reply bigger than the cap is refused.
nc_head "output_limit: 1KiB"
dev big 3
echo "jobs: [ { name: j, rpcs: [ get ] } ]" >>"$F"
naut "$F"
[ "$(rec big status)" = output_too_large ]
ok $? "a reply over output_limit fails as output_too_large"

# 4. framing and protocol faults from fake servers.
nc_head "retries: 2"
dev framing 200
dev msgid 201
dev nohello 202
dev badxml 205
# dropbear (the lab's third server) has no netconf subsystem.
echo "  - { name: nosubsys, host: $(lab_addr 1), port: $LAB_DROPBEAR_PORT }" >>"$F"
echo "jobs: [ { name: j, rpcs: [ get-config ] } ]" >>"$F"
naut "$F"
rec framing error | head -1 | sed 's/^/# /'
[ "$(rec framing status)" = netconf_framing ] &&
    [ "$(rec framing attempts | sort -u)" = 1 ] &&
    rec framing error | head -1 | grep -q "chunk size"
ok $? "a malformed chunk header fails as netconf_framing, not retried"
rec msgid error | head -1 | sed 's/^/# /'
[ "$(rec msgid status)" = protocol ] &&
    rec msgid error | head -1 | grep -q 'message-id "999"'
ok $? "a reply with another message-id fails as protocol"
[ "$(rec nohello status)" = reset ] && [ "$(rec nohello attempts | sort -u)" = 3 ]
ok $? "a session that ends before hello is reset, and retried"
rec badxml error | head -1 | sed 's/^/# /'
[ "$(rec badxml status)" = parse ] && [ "$(rec badxml attempts | sort -u)" = 1 ] &&
    rec badxml error | head -1 | grep -q "does not match its start tag"
ok $? "a reply that is not well-formed XML fails as parse, not retried"
[ "$(rec nosubsys status)" = protocol ] && [ "$(rec nosubsys attempts | sort -u)" = 1 ] &&
    rec nosubsys error | grep -q "refused the netconf subsystem"
ok $? "a server without the netconf subsystem: protocol, not retried"

# A 10 MiB reply in many chunks is saved whole; under a 5 MiB
# output_limit it is refused without holding more than the limit.
nc_head
dev big 204
echo "jobs: [ { name: j, rpcs: [ get-config ] } ]" >>"$F"
naut "$F"
[ "$(rec big status)" = ok ] &&
    [ "$(wc -c <"$T/out/big/get-config_running.xml")" -eq $((10485760 + 7)) ] &&
    [ "$(tr -d a <"$T/out/big/get-config_running.xml")" = "<x></x>" ]
ok $? "a 10 MiB reply in 161 chunks is saved byte for byte"
nc_head "output_limit: 5MiB"
dev big 204
echo "jobs: [ { name: j, rpcs: [ get-config ] } ]" >>"$F"
naut "$F"
[ "$(rec big status)" = output_too_large ] && [ ! -e "$T/out/big/get-config_running.xml" ]
ok $? "the same reply under output_limit 5MiB: output_too_large, nothing saved"

# base:1.0 framing cannot carry its own end mark.
nc_head
dev eom 100
echo "jobs: [ { name: j, rpcs: [ { op: rpc, body: '<get-config><source><running/></source><filter type=\"subtree\"><x>]]>]]></x></filter></get-config>' } ] } ]" >>"$F"
naut "$F"
[ "$(rec eom status)" = protocol ] && rec eom error | grep -q 'base:1.0 framing cannot send'
ok $? "an rpc holding ]]>]]> is refused on a base:1.0 session"

# 5. A device that never answers: timeout.command per RPC, then the batch
#    deadline with the others done.
nc_head "timeout: { connect: 5s, auth: 10s, command: 1s }" "retries: 1"
dev hang 203
echo "jobs: [ { name: j, rpcs: [ get-config ] } ]" >>"$F"
naut "$F"
[ "$(rec hang status)" = timeout ] && [ "$(rec hang attempts | sort -u)" = 2 ] &&
    rec hang error | head -1 | grep -q "netconf_read after command timeout"
ok $? "no reply within timeout.command: timeout, retried"
nc_head "timeout: { connect: 5s, auth: 10s, command: 5m }"
sed -i 's/name: itest/global_timeout: 2s, name: itest/' "$F"
dev hang 203
dev nc0 0
echo "jobs: [ { name: j, rpcs: [ get-config ] } ]" >>"$F"
t0=$(date +%s)
naut "$F"
el=$(($(date +%s) - t0))
[ "$(rc)" -eq 1 ] && [ "$(rec hang status)" = deadline ] &&
    [ "$(rec nc0 status)" = ok ] && [ "$el" -le 6 ]
ok $? "global_timeout: the silent device ends as deadline after ${el}s, the other ok"

# 6. 50 sessions at once, against each server.  netconfd 2.13 stalls a
#    chunked <rpc> that reaches it in the same read as the client's <hello>
#    (it switches to base:1.1 framing only for later reads); naut holds its
#    first chunked RPC until 50 ms after its hello (wrk_nc.c, NC_SETTLE_MS).
#    Without that, about half of these sessions timed out and were retried:
#    the count is printed.
par() {		# first label
	nc_head "timeout: { connect: 5s, auth: 10s, command: 3s }" "retries: 3"
	sed -i 's/max_concurrent: 20/max_concurrent: 50/' "$F"
	k=0
	while [ $k -lt 50 ]; do
		dev "p$k" $(($1 + k))
		k=$((k + 1))
	done
	echo "jobs: [ { name: j, rpcs: [ get-config, { op: get, filter: '<system-state xmlns=\"urn:ietf:params:xml:ns:yang:ietf-system\"/>' } ] } ]" >>"$F"
	# naut() with time(1): the supervisor's rusage includes its workers.
	rm -rf "$T/out"
	/usr/bin/time -f "%e %U %S" -o "$T/time" timeout 300 "$S" -q -c "$F" \
	    >"$T/stdout" 2>"$T/log"
	echo $? >"$T/rc"
	cat "$T/log" >>"$T/all.log"
	echo "# 50 sessions, $2: $(awk '{ printf "%.2f s wall, naut CPU %.1f ms per session", $1, ($2 + $3) * 1000 / 50 }' "$T/time"), $(jq -r 'select(.attempts > 1) | .device' "$T/out/results.jsonl" | sort -u | wc -l) device(s) retried"
	[ "$(rc)" -eq 0 ] && [ "$(jq -s 'length' "$T/out/results.jsonl")" -eq 100 ] &&
	    [ "$(jq -r .status "$T/out/results.jsonl" | sort -u)" = ok ] &&
	    [ "$(ls "$T"/out/p*/get.xml | wc -l)" -eq 50 ]
}
par 100 "base:1.0"
ok $? "50 sessions in parallel, base:1.0 server: 100 ok records, 50 outputs"
par 0 "base:1.1"
ok $? "50 sessions in parallel, base:1.1 server: 100 ok records, 50 outputs"

no_crashes

# valgrind: supervisor and workers, ok and failing NETCONF sessions alike.
# (Not on a sanitizer build: valgrind cannot run ASan binaries.)
. tests/integration/valgrind.inc
if [ -z "${NAUT_NO_VALGRIND:-}" ] && ! ldd "$S" | grep -q libasan; then
	nc_head "retries: 0"
	k=0
	while [ $k -lt 10 ]; do
		dev "v$k" $((k * 11))
		k=$((k + 1))
	done
	dev framing 200
	dev badxml 205
	dev big 204
	echo "jobs: [ { name: j, rpcs: [ get-config, { op: get-config, source: startup } ] } ]" >>"$F"
	rm -rf "$T/out"
	timeout 300 valgrind --trace-children=yes --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    --log-file="$T/vg.%p" "$S" -q -c "$F" >/dev/null 2>"$T/log"
	vrc=$?
	[ "$vrc" -eq 1 ] && [ "$(jq -s length "$T/out/results.jsonl")" -eq 26 ] &&
	    [ "$(rec v3 status | sort -u | tr '\n' ' ')" = "ok protocol " ] &&
	    [ "$(rec framing status | sort -u)" = netconf_framing ]
	ok $? "valgrind: 13-device NETCONF batch with rpc-errors and faults completes (exit $vrc)"
	vg_clean "$T" 3
	ok $? "valgrind: no errors and no leaks in supervisor and both workers ($(tail -1 "$T/vg.why"))"
	sed 's/^/#   /' "$T/vg.why"
fi
echo "1..$n"
exit 0
