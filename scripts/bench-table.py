#!/usr/bin/env python3
"""Renders BENCHMARKS.md's "Wire codecs" and "Data plane" tables (between the bench-codecs and
bench-data-plane markers) from the runs scripts/bench.py records, through scripts/benchtable.py;
with --check it changes nothing and fails when a table is not what the JSON gives
(BenchmarkTablesTests runs it so):

    scripts/bench.py --runs 5 --out docs/bench.json     # measures (release build)
    scripts/bench-table.py docs/bench.json
    scripts/bench-table.py --check docs/bench.json
"""
import statistics
import sys

from benchtable import measured_on, median_range, one_json, publishing

CODECS = ["compact-parse", "compact-build", "framework-parse", "framework-build", "address-decode"]
DATA_PLANE = ["lookup-compact-100k", "lookup-compact-100k-hot", "lookup-ipv4-100k", "lookup-ipv4-100k-hot",
              "forward-compact", "forward-framework-lbf", "gateway-compact-to-ipv6", "gateway-ipv6-to-compact"]
# The issues' targets, ns per operation.
TARGETS = {"compact-parse": 20, "compact-build": 8, "framework-parse": 30,
           "lookup-compact-100k": 50, "lookup-compact-100k-hot": 50, "lookup-ipv4-100k": 50, "lookup-ipv4-100k-hot": 50,
           "forward-compact": 100, "forward-framework-lbf": 100}


def series(data, name, key):
    """One benchmark's `key` in every run."""
    values = [result[key] for run in data["runs"] for result in run if result["name"] == name]
    if len(values) != len(data["runs"]):
        sys.exit(f"{name} is missing from {len(data['runs']) - len(values)} of the runs")
    return values


def median(data, name):
    return statistics.median(series(data, name, "ns_per_op"))


def table(data, names):
    print("| benchmark | ns/op (median) | best | CPU ns/op | mallocs/op | target | inputs |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name in names:
        inputs = {result["inputs"] for run in data["runs"] for result in run if result["name"] == name}
        target = f"≤ {TARGETS[name]}" if name in TARGETS else "—"
        print(f"| {name} | {median_range(series(data, name, 'ns_per_op'), 1)} | {min(series(data, name, 'best_ns_per_op')):.1f} "
              f"| {median_range(series(data, name, 'cpu_ns_per_op'), 1)} | {median_range(series(data, name, 'mallocs_per_op'), 3)} "
              f"| {target} | {' / '.join(sorted(inputs))} |")
    print()


def verdicts(data, names):
    """A line per target: met or missed, by the median of the runs."""
    for name in (n for n in names if n in TARGETS):
        ns = median(data, name)
        rate = f", {1000 / ns:.1f} M packets/s per core" if name.startswith("forward") else ""
        print(f"- {name} ≤ {TARGETS[name]} ns: **{'met' if ns <= TARGETS[name] else 'missed'}** ({ns:.1f} ns{rate})")


source, data = one_json("bench-table.py [--check] docs/bench.json")
runs_of = f"{len(data['runs'])} runs of `nip bench --json` (scripts/bench.py)"
note = ("ns/op is each run's median round, the cell the median of the runs with [their range]; "
        "best is the fastest round of all; CPU ns/op is the measuring thread's CPU time.")
with publishing("bench-codecs", script="scripts/bench-table.py", sources=source):
    table(data, CODECS)
    print("Measured: " + measured_on(data, runs_of), note)
    print()
    verdicts(data, CODECS)
with publishing("bench-data-plane", script="scripts/bench-table.py", sources=source):
    table(data, DATA_PLANE)
    print("Measured: " + measured_on(data, runs_of))
    print()
    verdicts(data, DATA_PLANE)
