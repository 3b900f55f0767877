#!/usr/bin/env python3
"""Renders BENCHMARKS.md's setup-time tables (between the setup-time markers), one per JSON file
scripts/setup-time.py wrote, in the order given (`--check`: fails instead when the tables differ):

    scripts/setup-time-table.py docs/setup-time.json docs/setup-time-routing.json
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import arguments, median_range, publishing  # noqa: E402

sources = arguments()
if not sources:
    sys.exit("usage: scripts/setup-time-table.py docs/setup-time.json [more.json ...]")
with publishing("setup-time", script="scripts/setup-time-table.py", sources=sources):
    for index, source in enumerate(sources):
        data = json.load(open(source))
        runs = data["runs"]
        count = len(runs["before"]["parse_seconds"])
        print(("\n" if index else "") + f"{data['scenario']} ({data['topology_bytes'] / 1e6:.1f} MB of YAML); `nip emulate --stats`, "
              f"release builds taking turns, {count} runs each; {data['machine']}.\n")
        print("| nip at | parse (read, YAML, build, checks) | setup (routing, emulator) |")
        print("|---|---:|---:|")
        for name in ("before", "after"):
            run = runs[name]
            print(f"| {run['commit']} | {median_range(run['parse_seconds'], 2, ' s')} "
                  f"| {median_range(run['setup_seconds'], 2, ' s')} |")
        medians = {part: [statistics.median(runs[name][f"{part}_seconds"]) for name in ("before", "after")]
                   for part in ("parse", "setup")}
        identical = "byte-identical" if data["results_identical"] else "DIFFERENT"
        print("\nSpeed-up (before's median ÷ after's): " + ", ".join(f"{part} {before / after:.2f}×" for part, (before, after) in medians.items())
              + f"; results.json {identical} in every run.")
