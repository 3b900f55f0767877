#!/usr/bin/env python3
"""Renders BENCHMARKS.md's one-run-on-every-core table (between the single-run-threads markers)
from the JSON scripts/single-run-threads.sh writes (`--check`: fails instead when the table differs):

    scripts/single-run-threads-table.py docs/single-run-threads.json
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import one_json, publishing  # noqa: E402

sources, data = one_json("scripts/single-run-threads-table.py docs/single-run-threads.json")
cores = data["threads"][1]


def median(samples, key):
    return statistics.median(s[key] for s in samples)


with publishing("single-run-threads", script="scripts/single-run-threads-table.py", sources=sources):
    print(f"| scenario | events | partitions, cut links, lookahead | run: 1 thread | run: {cores} threads | speed-up "
          f"| process wall: 1 / {cores} | process CPU: 1 / {cores} | output |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---|")
    for e in data["scenarios"]:
        one, many = e["one_thread"], e["all_cores"]
        lookahead = "none" if e["lookahead_ns"] is None else f"{e['lookahead_ns'] / 1e6:g} ms"
        print(f"| {e['scenario']} | {e['events']:,} | {e['partitions']}, {e['cut_links']}, {lookahead} "
              f"| {median(one, 'run_s'):.2f} s | {median(many, 'run_s'):.2f} s "
              f"| {median(one, 'run_s') / median(many, 'run_s'):.2f}× "
              f"| {median(one, 'process_wall_s'):.2f} / {median(many, 'process_wall_s'):.2f} s "
              f"| {median(one, 'process_cpu_s'):.2f} / {median(many, 'process_cpu_s'):.2f} s "
              f"| {'byte-identical' if e['identical_outputs'] else 'DIFFERENT'} |")
    print(f"\nMedians of {data['runs']} alternating runs each; run = the event loop and writing the files "
          f"(`--stats` run_seconds). {data['machine']}; commit {data['commit']}.")
