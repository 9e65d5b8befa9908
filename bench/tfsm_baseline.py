#!/usr/bin/python3
"""python3-textfsm's side of bench-tfsm.sh: parse FILE with TEMPLATE N
times in one process (template compiled once), from the bytes a device
sent to rows, as naut does: decode (errors="replace") and ParseText;
median of 5 rounds, printed as "ns_per_parse ROWS"."""
import sys
import time

import textfsm

def main():
    tpl, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(tpl, encoding="utf-8") as f:
        fsm = textfsm.TextFSM(f)
    with open(path, "rb") as f:
        raw = f.read()
    rounds = []
    rows = 0
    for _ in range(5):
        t0 = time.perf_counter_ns()
        for _ in range(n):
            fsm.Reset()
            rows = len(fsm.ParseText(raw.decode("utf-8", errors="replace")))
        rounds.append((time.perf_counter_ns() - t0) / n)
    rounds.sort()
    print("%.0f %d" % (rounds[2], rows))

main()
