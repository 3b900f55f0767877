#!/usr/bin/env python3
"""Turns the JSON lines of `nip log bench --json` into the BENCHMARKS.md tables.

    .build/release/nip log bench --json | tee log-bench.json | scripts/log-bench-table.py
"""
import json
import sys

rows = {r["name"]: r for r in (json.loads(line) for line in sys.stdin if line.strip())}
a, s, p = rows["log-append-durable"], rows["log-append-single"], rows["log-proof-size"]


def n(value, digits=0):
    return f"{value:,.{digits}f}"


print("| measurement | result | goal | setup |")
print("|---|---:|---:|---|")
print(f"| durable appends | {n(a['entries_per_s'])} entries/s | ≥ 3,000/s | {n(a['entries'])} entries of {a['entry_bytes']} B, "
      f"{a['batch']} per checkpoint ({n(a['checkpoints_per_s'], 1)} checkpoints/s) |")
print(f"| append → published checkpoint, batch of {a['batch']} | p50 {n(a['latency_p50_ms'], 1)} ms, p99 {n(a['latency_p99_ms'], 1)} ms, "
      f"max {n(a['latency_max_ms'], 1)} ms | ≤ 1 s | same run: from handing the batch to the log until its checkpoint is on disk |")
print(f"| append → published checkpoint, one entry | p50 {n(s['latency_p50_ms'], 1)} ms, p99 {n(s['latency_p99_ms'], 1)} ms, "
      f"max {n(s['latency_max_ms'], 1)} ms | ≤ 1 s | {s['appends']} single-entry appends, each its own checkpoint |")
print(f"| inclusion proof at {n(p['entries'])} entries | {p['inclusion_bytes']} B ({p['inclusion_hashes']} hashes) | < 1 KB | "
      f"longest of entries 0, n/2, n−1; built from the tiles in ≤ {n(p['prove_ms_max'], 2)} ms |")
print(f"| consistency proof {n(p['entries'] // 2 + 1)} → {n(p['entries'])} | {p['consistency_bytes']} B ({p['consistency_hashes']} hashes) | — | |")
print(f"| building the {n(p['entries'])}-entry log | {n(p['build_seconds'], 1)} s ({n(p['build_entries_per_s'])} entries/s) | — | "
      f"batches of 65,536, durable |")
