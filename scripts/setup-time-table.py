#!/usr/bin/env python3
"""Renders BENCHMARKS.md's setup-time table (between the setup-time markers) from the JSON
scripts/setup-time.py writes (`--check`: fails instead when the table differs):

    scripts/setup-time-table.py docs/setup-time.json
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import median_range, one_json, publishing  # noqa: E402

source, data = one_json("scripts/setup-time-table.py docs/setup-time.json")
runs = data["runs"]
with publishing("setup-time", script="scripts/setup-time-table.py", sources=source):
    count = len(runs["before"]["parse_seconds"])
    print(f"{data['scenario']} ({data['topology_bytes'] / 1e6:.1f} MB of YAML); `nip emulate --stats`, release builds "
          f"taking turns, {count} runs each; {data['machine']}.\n")
    print("| nip at | parse (read, YAML, build, checks) | setup (routing, emulator) |")
    print("|---|---:|---:|")
    for name in ("before", "after"):
        run = runs[name]
        print(f"| {run['commit']} | {median_range(run['parse_seconds'], 2, ' s')} "
              f"| {median_range(run['setup_seconds'], 2, ' s')} |")
    before, after = (statistics.median(runs[name]["parse_seconds"]) for name in ("before", "after"))
    identical = "byte-identical" if data["results_identical"] else "DIFFERENT"
    print(f"\nParse {before / after:.2f}× faster (medians); results.json {identical} in every run.")
