#!/usr/bin/python3
"""The REST job naut's bench-rest.sh runs, written the way a network team
would in Python: aiohttp, one ClientSession (its connector keeps one
kept-alive TLS connection per device), a semaphore for concurrency, basic
auth, the private CA pinned, and each body saved the way naut saves it
(temporary file, fsync, rename, fsync of the directory).

usage: rest_baseline.py DEVICES_FILE PORT CONCURRENCY POLLS CA PWFILE OUTDIR
DEVICES_FILE has one device address per line.  Prints "ok=N failed=M".
"""
import asyncio
import os
import ssl
import sys

import aiohttp

PATHS = ["/api/system.json", "/api/interfaces.json", "/api/cpu.json",
         "/api/mem.json", "/api/routes.json"]


def save(outdir, dev, i, body):
    d = os.path.join(outdir, dev)
    os.makedirs(d, exist_ok=True)
    tmp = os.path.join(d, ".%d.tmp" % i)
    with open(tmp, "wb") as f:
        f.write(body)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(d, "%d.json" % i))
    fd = os.open(d, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)


async def device(session, sem, addr, port, polls, auth, outdir, counts):
    async with sem:
        for i in range(polls):
            url = "https://%s:%d%s" % (addr, port, PATHS[i % len(PATHS)])
            try:
                async with session.get(url, auth=auth) as r:
                    body = await r.read()
                    if r.status != 200:
                        counts["failed"] += 1
                        return
                save(outdir, addr, i, body)
            except (aiohttp.ClientError, asyncio.TimeoutError):
                counts["failed"] += 1
                return
        counts["ok"] += 1


async def main():
    devfile, port, conc, polls, ca, pwfile, outdir = sys.argv[1:8]
    port, conc, polls = int(port), int(conc), int(polls)
    with open(devfile) as f:
        devs = [l.strip() for l in f if l.strip()]
    with open(pwfile) as f:
        auth = aiohttp.BasicAuth("naut", f.read().rstrip("\n"))
    ctx = ssl.create_default_context(cafile=ca)
    conn = aiohttp.TCPConnector(ssl=ctx, limit=0, limit_per_host=1,
                                keepalive_timeout=120)
    counts = {"ok": 0, "failed": 0}
    sem = asyncio.Semaphore(conc)
    timeout = aiohttp.ClientTimeout(total=60, connect=10)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as s:
        await asyncio.gather(*(device(s, sem, a, port, polls, auth, outdir,
                                      counts) for a in devs))
    print("ok=%d failed=%d" % (counts["ok"], counts["failed"]))


asyncio.run(main())
