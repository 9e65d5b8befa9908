#!/bin/sh
# Write a fleet.yaml with N devices spread over groups, sites and platforms
# (the shape of a large real inventory) to stdout.  usage: gen-fleet.sh N
set -eu
N=${1:-100000}
awk -v n="$N" 'BEGIN {
	print "supervisor:\n  workers: 4\n  max_concurrent: 500\n  name: bench"
	print "defaults:\n  username: netops\n  password_env: HOME"
	print "  timeout: { connect: 5s, auth: 10s, command: 2m }"
	print "groups:"
	split("cisco_ios cisco_nxos juniper_junos arista_eos linux", plat, " ")
	for (p = 1; p <= 5; p++)
		printf "  plat-%s:\n    platform: %s\n", plat[p], plat[p]
	for (s = 0; s < 50; s++)
		printf "  site-%02d:\n    tags: { site: s%02d }\n    retries: %d\n", s, s, s % 4
	for (r = 0; r < 4; r++)
		printf "  role-%d:\n    groups: [site-%02d]\n    tags: { role: r%d }\n", r, r, r
	print "devices:"
	for (i = 0; i < n; i++) {
		printf "  - name: dev%06d\n    host: 127.%d.%d.%d\n", i, 1 + int(i / 65536), int(i / 256) % 256, i % 256
		printf "    groups: [plat-%s, site-%02d, role-%d]\n", plat[1 + i % 5], i % 50, i % 4
		if (i % 10 == 0)
			printf "    tags: { rack: r%d }\n    port: 2222\n", i % 97
	}
	print "jobs:\n  - name: backup\n    mode: shell\n    commands: [show version, show running-config]"
	print "telemetry:\n  - name: cpu\n    select: { groups: [role-0] }\n    interval: 10s"
	print "    ssh: { command: show proc cpu, regex: \"([0-9]+)%\" }"
}'
