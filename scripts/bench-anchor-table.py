#!/usr/bin/env python3
"""Renders BENCHMARKS.md's anchor table (between the bench-anchor markers): the codec
benchmarks of an older build and today's, run one after the other in each run by
scripts/bench.py --anchor, so a change of machine is told apart from a change of code; with
--check it changes nothing and fails when the table is not what the JSON gives:

    scripts/bench.py --anchor OLD/.build/release/nip --anchor-commit SHA --runs 3 --out docs/bench-anchor.json
    scripts/bench-anchor-table.py docs/bench-anchor.json
    scripts/bench-anchor-table.py --check docs/bench-anchor.json
"""
import statistics
import sys

from benchtable import measured_on, median_range, one_json, publishing

sources, data = one_json("scripts/bench-anchor-table.py [--check] docs/bench-anchor.json")
anchor = data.get("anchor")
if not anchor:
    sys.exit(f"{sources[0]} has no anchor runs: record it with scripts/bench.py --anchor")


def series(runs, name):
    """One benchmark's ns/op in every run of `runs`."""
    values = [result["ns_per_op"] for run in runs for result in run if result["name"] == name]
    if len(values) != len(runs):
        sys.exit(f"{name} is missing from {len(runs) - len(values)} of the runs in {sources[0]}")
    return values


# The benchmarks both builds have, in the older build's order.
names = [result["name"] for result in anchor["runs"][0] if any(r["name"] == result["name"] for r in data["runs"][0])]
old, new = anchor["commit"][:7], data["commit"][:7]
with publishing("bench-anchor", "scripts/bench-anchor-table.py", sources):
    print(f"| benchmark | {old}: ns/op (median) | {new}: ns/op (median) | {new} / {old} |")
    print("|---|---:|---:|---:|")
    for name in names:
        before, after = series(anchor["runs"], name), series(data["runs"], name)
        ratio = statistics.median(after) / statistics.median(before)
        print(f"| {name} | {median_range(before, 1)} | {median_range(after, 1)} | {ratio:.2f} |")
    print()
    runs_of = f"{len(data['runs'])} runs, each running the {old} build and then the {new} build"
    print(f"Measured: {measured_on(data, runs_of)}")
