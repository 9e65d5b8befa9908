#!/usr/bin/python3
"""Run one benchmark client and measure it as a whole process tree.

usage: measure.py [--deadline SEC] [--hold N --server PID --limit SEC]
                  -- command [args...]

Wall time; client CPU = user+sys of the whole tree (wait4 rusage: the
command and every descendant it waited for); peak RSS = the largest sum
of VmRSS over the tree, and peak PSS the largest sum of Pss
(smaps_rollup: pages shared by forked workers counted once in all), both
sampled every 50 ms from /proc.  PSS is what compares a forking daemon
with a single-process client fairly.

--hold N: the sessions are meant to stay open (devices that hang after
login).  Once the server (PID) holds N more descriptors than it did at
the start, or after --limit seconds, and the tree's RSS has stopped
growing, that RSS is recorded as rss_at_hold with the number of
connections open, and the client is stopped (SIGTERM twice: naut drains, then cancels; SIGKILL after 10 s).

--deadline (900 s): a run still going then is killed (SIGKILL), so a
benchmark always ends.

Prints one JSON object: wall_s, cpu_s, peak_rss_kib, peak_pss_kib, exit,
and for --hold
held, rss_at_hold_kib.
"""
import json
import os
import signal
import sys
import time


def tree(root):
    """PIDs of root and its descendants (from /proc/*/stat ppid)."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def proc_sum(pids, name, key):
    """Sum of the kB field key of /proc/PID/name over pids."""
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/%s" % (p, name)) as f:
                for line in f:
                    if line.startswith(key):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def rss_kib(pids):
    return proc_sum(pids, "status", "VmRSS:")


def pss_kib(pids):
    return proc_sum(pids, "smaps_rollup", "Pss:")


def nfds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


def main():
    args = sys.argv[1:]
    hold, server, limit, deadline = 0, 0, 60.0, 900.0
    while args and args[0] != "--":
        opt, val = args[0], args[1]
        args = args[2:]
        if opt == "--hold":
            hold = int(val)
        elif opt == "--server":
            server = int(val)
        elif opt == "--limit":
            limit = float(val)
        elif opt == "--deadline":
            deadline = float(val)
    cmd = args[1:]
    base = nfds(server) if server else 0
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    peak, pss, held, at_hold, stopping, n = 0, 0, 0, 0, 0.0, 0
    while True:
        r, status, ru = os.wait4(pid, os.WNOHANG)
        if r == pid:
            break
        pids = tree(pid)
        peak = max(peak, rss_kib(pids))
        pss = max(pss, pss_kib(pids))
        if hold and not stopping:
            n = nfds(server) - base
            if n >= hold or time.monotonic() - t0 > limit:
                # The last sessions may still be logging in: sample until
                # the tree stops growing (5 s at most).
                at_hold, t1 = rss_kib(tree(pid)), time.monotonic()
                while time.monotonic() - t1 < 5:
                    time.sleep(0.25)
                    r = rss_kib(tree(pid))
                    if r <= at_hold * 1.002:
                        at_hold = max(at_hold, r)
                        break
                    at_hold = r
                held = nfds(server) - base
                peak = max(peak, at_hold)
                os.kill(pid, signal.SIGTERM)
                time.sleep(0.5)
                os.kill(pid, signal.SIGTERM)
                stopping = time.monotonic()
        if (stopping and time.monotonic() - stopping > 10) or \
                time.monotonic() - t0 > deadline:
            for p in tree(pid):
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        time.sleep(0.05)
    wall = time.monotonic() - t0
    res = {"wall_s": round(wall, 3),
           "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
           "peak_rss_kib": peak, "peak_pss_kib": pss, "exit": os.waitstatus_to_exitcode(status)}
    if hold:
        res["held"] = held
        res["rss_at_hold_kib"] = at_hold
    print(json.dumps(res))


if __name__ == "__main__":
    main()
