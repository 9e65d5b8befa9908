#!/bin/sh
# /metrics and /healthz of a running batch: the exposition passes
# `promtool check metrics` with no complaint, carries the figures of the
# run, and a real Prometheus server scrapes it and answers a query.
set -u
LAB_PORT_BASE=22450
. tests/integration/lablib.inc
F=$T/fleet.yaml
MPORT=$((LAB_PORT_BASE + 50))
PPORT=$((LAB_PORT_BASE + 51))
URL=http://127.0.0.1:$MPORT

echo "* behaviour=slow delay=40" >"$LAB_DEVICES_CONF"
fleet_head "$F" "password_file: $LAB_PASSWORD_FILE"
sed -i 's/max_concurrent: 20/max_concurrent: 4/' "$F"
# First in the list, so it runs before the batch is stopped: a device
# that fails at once, which gives its worker an event to log.
echo "  - { name: closed, host: 127.0.0.1, port: 1, retries: 0 }" >>"$F"
fleet_devs "$F" 0 120
printf '%s\n' '  - { name: "odd \"name\" \\ here", host: 127.1.0.200, platform: linux }' >>"$F"
echo "jobs: [ { name: j, commands: [show version] } ]" >>"$F"
rm -rf "$T/out"
timeout 300 "$S" -q -c "$F" >"$T/stdout" 2>"$T/log" &
tpid=$!

# Wait for the listener, then let the batch run a little.
i=0
until curl -fsS "$URL/healthz" >"$T/healthz" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
grep -q "^ok " "$T/healthz"
ok $? "/healthz answers ok while the batch runs"
sleep 2
curl -fsS "$URL/metrics" >"$T/metrics"
ok $? "/metrics answers"
curl -s -o /dev/null -w '%{http_code}' "$URL/nothing" >"$T/code"
[ "$(cat "$T/code")" = 404 ]
ok $? "other paths answer 404"
promtool check metrics <"$T/metrics" >"$T/promtool" 2>&1
r=$?
[ $r -eq 0 ] && [ ! -s "$T/promtool" ]
ok $? "promtool check metrics: no errors, no warnings"
sed 's/^/#   /' "$T/promtool" | head -10
grep -qx "naut_budget_limit 4" "$T/metrics" &&
    grep -qx "naut_batch_devices 122" "$T/metrics" &&
    grep -q '^naut_build_info{version="' "$T/metrics" &&
    [ "$(awk '/^naut_attempts_total / { print $2 }' "$T/metrics")" -gt 0 ] &&
    [ "$(grep -c '^naut_breaker_state{' "$T/metrics")" -eq 122 ] &&
    [ "$(grep -c '^naut_worker_up{.*} 1$' "$T/metrics")" -eq 2 ]
ok $? "the exposition carries the run's figures (budget, devices, attempts, workers)"
grep -qF 'naut_breaker_state{device="odd \"name\" \\ here"}' "$T/metrics"
ok $? "label values are escaped"
[ "$(awk '/^naut_budget_in_use / { print $2 }' "$T/metrics")" -le 4 ]
ok $? "budget in use never above its limit in a scrape"

# A real Prometheus scrapes naut and answers PromQL about it.
cat >"$T/prom.yml" <<YAML
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: naut
    static_configs: [ { targets: ["127.0.0.1:$MPORT"] } ]
YAML
prometheus --config.file="$T/prom.yml" --storage.tsdb.path="$T/prom" \
    --web.listen-address="127.0.0.1:$PPORT" >"$T/prom.log" 2>&1 &
prom=$!
i=0
val=""
while [ $i -lt 40 ]; do
	val=$(curl -fsS "http://127.0.0.1:$PPORT/api/v1/query" \
	    --data-urlencode 'query=sum(naut_budget_limit{job="naut"})' 2>/dev/null |
	    jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
	[ -n "$val" ] && break
	i=$((i + 1))
	sleep 0.5
done
[ "$val" = 4 ]
ok $? "Prometheus scraped naut: sum(naut_budget_limit) = ${val:-nothing}"
up=$(curl -fsS "http://127.0.0.1:$PPORT/api/v1/query" \
    --data-urlencode 'query=up{job="naut"}' | jq -r '.data.result[0].value[1]')
[ "$up" = 1 ]
ok $? "Prometheus sees the target up"
kill $prom 2>/dev/null
wait $prom 2>/dev/null

kill -TERM "$(pgrep -P $tpid)" 2>/dev/null
wait $tpid
: >"$LAB_DEVICES_CONF"
cat "$T/log" >>"$T/all.log"
pw=$(cat "$LAB_PASSWORD_FILE")
! grep -rqF "$pw" "$T/metrics" "$T/log" "$T/out" "$T/healthz"
ok $? "the device password appears in no metric, log line, record or output"
grep -q '"proc":"worker-[0-9]*",.*"device":"closed",.*"event":"device_failed"' "$T/log"
ok $? "a worker's event arrives through the supervisor as one JSON line"
jq -e . "$T/log" >/dev/null 2>&1
ok $? "every log line is valid JSON"
no_crashes
echo "1..$n"
