#!/usr/bin/env python3
"""Renders BENCHMARKS.md's transparency-log table (between the log-bench markers) from runs of
`nip log bench --json` that scripts/bench.py records, through scripts/benchtable.py: the median
of the runs, with the range in brackets, and the goals' verdicts; with --check it changes nothing
and fails when the table is not what the JSON gives (BenchmarkTablesTests runs it so):

    scripts/bench.py --command "log bench" --runs 4 --out docs/log-bench.json
    scripts/log-bench-table.py docs/log-bench.json
    scripts/log-bench-table.py docs/log-bench-earlier.json log-bench-earlier   # another block
"""
import json
import sys

from benchtable import arguments, measured_on, median_range, publishing

source = arguments()
if len(source) not in (1, 2):
    sys.exit("usage: log-bench-table.py [--check] docs/log-bench.json [BLOCK]")
block = source[1] if len(source) == 2 else "log-bench"
data = json.load(open(source[0]))
runs = [{r["name"]: r for r in run} for run in data["runs"]]
GOAL_APPENDS_PER_S, GOAL_LATENCY_MS, GOAL_PROOF_BYTES = 3000, 1000, 1024


def values(name, key):
    return [run[name][key] for run in runs]


def cell(name, key, digits=0, unit=""):
    return median_range(values(name, key), digits, unit)


def same(name, key):
    v = set(values(name, key))
    assert len(v) == 1, f"{name}.{key} differs between runs: {v}"
    return v.pop()


def verdict(met):
    return "met" if met else "missed"


a, s, p = "log-append-durable", "log-append-single", "log-proof-size"
with publishing(block, script="scripts/log-bench-table.py", sources=source):
    print(f"Median [range] of {len(runs)} runs: " + measured_on(data, "`nip log bench --json`"))
    print()
    print("| measurement | result | goal | setup |")
    print("|---|---:|---:|---|")
    print(f"| durable appends | {cell(a, 'entries_per_s')} entries/s | ≥ {GOAL_APPENDS_PER_S:,}/s | {same(a, 'entries'):,} entries of "
          f"{same(a, 'entry_bytes')} B, {same(a, 'batch')} per checkpoint; {cell(a, 'checkpoints_per_s', 1)} checkpoints/s |")
    for q in ("p50", "p99", "max"):
        print(f"| append → published checkpoint, batch of {same(a, 'batch')}, {q} | {cell(a, f'latency_{q}_ms', 1, ' ms')} | ≤ 1 s | "
              f"same run: from handing the batch to the log until its checkpoint is on disk |")
    for q in ("p50", "p99", "max"):
        print(f"| append → published checkpoint, one entry, {q} | {cell(s, f'latency_{q}_ms', 1, ' ms')} | ≤ 1 s | "
              f"{same(s, 'appends')} single-entry appends, each its own checkpoint |")
    print(f"| inclusion proof at {same(p, 'entries'):,} entries | {same(p, 'inclusion_bytes')} B ({same(p, 'inclusion_hashes')} hashes) "
          f"| < 1 KB | longest of entries 0, n/2, n−1, built from the tiles in {cell(p, 'prove_ms_max', 2, ' ms')} at most |")
    print(f"| consistency proof {same(p, 'entries') // 2 + 1:,} → {same(p, 'entries'):,} | {same(p, 'consistency_bytes')} B "
          f"({same(p, 'consistency_hashes')} hashes) | — | |")
    print(f"| building the {same(p, 'entries'):,}-entry log | {cell(p, 'build_seconds', 1, ' s')} ({cell(p, 'build_entries_per_s')} "
          f"entries/s) | — | batches of 65,536, durable |")
    print()
    slowest = min(values(a, "entries_per_s"))
    worst = max(values(a, "latency_max_ms") + values(s, "latency_max_ms"))
    proof = max(same(p, "inclusion_bytes"), same(p, "consistency_bytes"))
    print(f"- Appends per second ≥ {GOAL_APPENDS_PER_S:,}: **{verdict(slowest >= GOAL_APPENDS_PER_S)}** in every run "
          f"(slowest {slowest:,.0f}/s) at {same(a, 'batch')} entries per checkpoint; unbatched, one append every "
          f"{median_range(values(s, 'latency_p50_ms'), 1, ' ms')} (p50).")
    print(f"- Append to published checkpoint ≤ 1 s: **{verdict(worst <= GOAL_LATENCY_MS)}** (slowest of all runs "
          f"{worst:,.1f} ms).")
    print(f"- Proof size < 1 KB at {same(p, 'entries'):,} entries: **{verdict(proof < GOAL_PROOF_BYTES)}** (largest {proof} B).")
