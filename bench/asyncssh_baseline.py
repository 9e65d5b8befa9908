#!/usr/bin/python3
"""The baseline naut is compared with: the asyncio script network teams
write today, the way the typical tutorial does it (asyncssh + uvloop, a
semaphore, one connect per device, gather).  Reads the device list from
a naut fleet file written by tests/lab/gen-fleet.sh (one device per line)
so both clients see the same devices.

usage: asyncssh_baseline.py FLEET CONCURRENCY COMMAND
prints: ok=<n> failed=<n>
"""
import asyncio
import re
import sys

import asyncssh
import uvloop


def read_fleet(path):
    text = open(path).read()
    port = int(re.search(r"^\s*port:\s*(\d+)", text, re.M).group(1))
    user = re.search(r'^\s*username:\s*"?([^"\n]+)"?', text, re.M).group(1)
    key = re.search(r'^\s*key_file:\s*"?([^"\n]+)"?', text, re.M).group(1)
    kh = re.search(r'^\s*known_hosts:\s*"?([^"\n]+)"?', text, re.M).group(1)
    hosts = re.findall(r"host:\s*([0-9.]+)", text)
    return hosts, port, user, key, kh


async def one(sem, host, port, user, key, kh, command):
    async with sem:
        try:
            async with asyncssh.connect(host, port=port, username=user,
                                        client_keys=[key], known_hosts=kh,
                                        connect_timeout=30) as conn:
                result = await conn.run(command, check=False)
                return result.stdout is not None
        except (OSError, asyncssh.Error):
            return False


async def main():
    fleet, conc, command = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    hosts, port, user, key, kh = read_fleet(fleet)
    sem = asyncio.Semaphore(conc)
    res = await asyncio.gather(*(one(sem, h, port, user, key, kh, command)
                                 for h in hosts))
    print("ok=%d failed=%d" % (sum(res), len(res) - sum(res)))


if __name__ == "__main__":
    uvloop.install()
    asyncio.run(main())
