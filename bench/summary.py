#!/usr/bin/python3
"""Medians of bench-baseline.sh's runs: a table on stdout and JSON.

usage: summary.py RUNS-FILE JSON-FILE
Each line of RUNS-FILE: client test devices concurrency ok lab_cpu_ms
followed by bench/measure.py's JSON.  Tests batch and scale are medians
over runs; hold and hold0 give memory per open session as
(RSS at hold - RSS at hold0) / (sessions held - sessions held at hold0).
"""
import json
import statistics
import sys


def main():
    runs = {}
    for line in open(sys.argv[1]):
        f = line.split(None, 6)
        if len(f) < 7:
            continue
        m = json.loads(f[6])
        m.update(client=f[0], test=f[1], devices=int(f[2]), conc=int(f[3]),
                 ok=int(f[4]), lab_ms=float(f[5]))
        runs.setdefault((f[0], f[1]), []).append(m)
    rows = []
    for (client, test), rs in runs.items():
        if test == "hold0":
            continue
        med = lambda k: statistics.median(r[k] for r in rs)
        n = rs[0]["devices"]
        row = {"client": client, "test": test, "devices": n,
               "concurrency": rs[0]["conc"], "runs": len(rs),
               "wall_s": round(med("wall_s"), 2),
               "devices_per_s": round(n / med("wall_s"), 1),
               "cpu_ms_per_device": round(med("cpu_s") * 1000 / n, 3),
               "peak_rss_mib": round(med("peak_rss_kib") / 1024, 1),
               "kib_per_session": None,
               "ok": int(med("ok")),
               "lab_cpu_ms_per_conn": round(med("lab_ms") / n, 3)}
        if test == "hold":
            h, z = rs[0], runs.get((client, "hold0"), [None])[0]
            row["ok"] = h["held"]
            row["cpu_ms_per_device"] = None
            row["wall_s"] = row["devices_per_s"] = None
            row["lab_cpu_ms_per_conn"] = None
            if z and h["held"] > z["held"]:
                row["kib_per_session"] = round(
                    (h["rss_at_hold_kib"] - z["rss_at_hold_kib"]) /
                    (h["held"] - z["held"]), 1)
        rows.append(row)
    order = {"batch": 0, "tmpfs": 1, "scale": 2, "hold": 3}
    rows.sort(key=lambda r: (order.get(r["test"], 9), r["client"] != "naut"))
    hdr = ("client", "test", "devices", "conc", "wall s", "dev/s",
           "CPU ms/dev", "peak RSS MiB", "KiB/session", "ok", "lab ms/conn")
    fmt = "%-9s %-6s %7s %6s %7s %7s %10s %12s %11s %6s %11s"
    print(fmt % hdr)
    show = lambda v: "-" if v is None else str(v)
    for r in rows:
        print(fmt % (r["client"], r["test"], r["devices"], r["concurrency"],
                     show(r["wall_s"]), show(r["devices_per_s"]),
                     show(r["cpu_ms_per_device"]), show(r["peak_rss_mib"]),
                     show(r["kib_per_session"]), r["ok"],
                     show(r["lab_cpu_ms_per_conn"])))
    ratio = {}
    get = lambda c, t: next((r for r in rows
                             if r["client"] == c and r["test"] == t), None)
    nb, pb = get("naut", "batch"), get("asyncssh", "batch")
    nh, ph = get("naut", "hold"), get("asyncssh", "hold")
    if nb and pb and nb["cpu_ms_per_device"]:
        ratio["cpu_per_device"] = round(
            nb["cpu_ms_per_device"] / pb["cpu_ms_per_device"], 3)
        ratio["wall"] = round(nb["wall_s"] / pb["wall_s"], 3)
        ratio["peak_rss"] = round(nb["peak_rss_mib"] / pb["peak_rss_mib"], 3)
    if nh and ph and nh["kib_per_session"] and ph["kib_per_session"]:
        ratio["memory_per_session"] = round(
            nh["kib_per_session"] / ph["kib_per_session"], 3)
    if ratio:
        print("naut/baseline: " + ", ".join(
            "%s %.3f (%.1fx less)" % (k, v, 1 / v) if v else k
            for k, v in ratio.items()))
    with open(sys.argv[2], "w") as f:
        json.dump({"bench": "baseline", "rows": rows,
                   "naut_over_baseline": ratio}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
