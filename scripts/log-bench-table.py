#!/usr/bin/env python3
"""Turns runs of `nip log bench --json` into the BENCHMARKS.md table: the median of the runs,
with the range in brackets.

    for i in 1 2 3 4; do .build/release/nip log bench --json > log-bench-$i.json; done
    scripts/log-bench-table.py log-bench-*.json
"""
import json
import statistics
import sys

runs = []
for path in sys.argv[1:]:
    with open(path) as f:
        runs.append({r["name"]: r for r in (json.loads(line) for line in f if line.strip())})
if not runs:
    sys.exit("usage: log-bench-table.py RUN.json...")


def values(name, key):
    return [run[name][key] for run in runs]


def cell(name, key, digits=0, unit=""):
    v = values(name, key)
    median = f"{statistics.median(v):,.{digits}f}{unit}"
    return median if min(v) == max(v) else f"{median} [{min(v):,.{digits}f}–{max(v):,.{digits}f}]"


def same(name, key):
    v = set(values(name, key))
    assert len(v) == 1, f"{name}.{key} differs between runs: {v}"
    return v.pop()


a, s, p = "log-append-durable", "log-append-single", "log-proof-size"
print(f"Median of {len(runs)} runs, [range] when they differ.\n")
print("| measurement | result | goal | setup |")
print("|---|---:|---:|---|")
print(f"| durable appends | {cell(a, 'entries_per_s')} entries/s | ≥ 3,000/s | {same(a, 'entries'):,} entries of "
      f"{same(a, 'entry_bytes')} B, {same(a, 'batch')} per checkpoint; {cell(a, 'checkpoints_per_s', 1)} checkpoints/s |")
for q in ("p50", "p99", "max"):
    print(f"| append → published checkpoint, batch of {same(a, 'batch')}, {q} | {cell(a, f'latency_{q}_ms', 1, ' ms')} | ≤ 1 s | "
          f"same run: from handing the batch to the log until its checkpoint is on disk |")
for q in ("p50", "p99", "max"):
    print(f"| append → published checkpoint, one entry, {q} | {cell(s, f'latency_{q}_ms', 1, ' ms')} | ≤ 1 s | "
          f"{same(s, 'appends')} single-entry appends, each its own checkpoint |")
print(f"| inclusion proof at {same(p, 'entries'):,} entries | {same(p, 'inclusion_bytes')} B ({same(p, 'inclusion_hashes')} hashes) | < 1 KB | "
      f"longest of entries 0, n/2, n−1, built from the tiles in {cell(p, 'prove_ms_max', 2, ' ms')} at most |")
print(f"| consistency proof {same(p, 'entries') // 2 + 1:,} → {same(p, 'entries'):,} | {same(p, 'consistency_bytes')} B "
      f"({same(p, 'consistency_hashes')} hashes) | — | |")
print(f"| building the {same(p, 'entries'):,}-entry log | {cell(p, 'build_seconds', 1, ' s')} ({cell(p, 'build_entries_per_s')} entries/s) | — | "
      f"batches of 65,536, durable |")
