#!/usr/bin/env python3
"""Renders README.md's "Performance, measured" block (between the performance markers) from the
committed runs BENCHMARKS.md's tables come from, through scripts/benchtable.py; with --check it
changes nothing and fails when the block is not what the JSON gives (BenchmarkTablesTests runs
it so, and fails on a run figure typed anywhere else in README.md):

    scripts/performance-table.py docs/bench.json docs/route-aggregation.json docs/bench-node.json
"""
import json
import statistics
import sys

from benchtable import arguments, measured_on, median_range, publishing

EMULATED = "scale-free, 1,000 routers + 100 hosts, 2,000 pps per flow, 1 s"

source = arguments()
if len(source) != 3:
    sys.exit("usage: performance-table.py [--check] docs/bench.json docs/route-aggregation.json docs/bench-node.json")
bench, aggregation, node = (json.load(open(path)) for path in source)


def ns(name):
    """A micro-benchmark's median over the runs, with their range."""
    return median_range([r["ns_per_op"] for run in bench["runs"] for r in run if r["name"] == name], 1, " ns")


def allocations(names):
    counts = {r["mallocs_per_op"] for run in bench["runs"] for r in run if r["name"] in names}
    return "0 allocations" if counts == {0} else f"{', '.join(f'{c:g}' for c in sorted(counts))} allocations per operation"


emulated = [run for run in aggregation["runs"] if run["scenario"] == EMULATED and run["variant"] == "prefixes"]
if len(emulated) != 1:
    sys.exit(f"{source[1]} has {len(emulated)} runs of '{EMULATED}' with router prefixes, not 1")
rates = [run["packets_per_second"] for run in node["router_runs"]]
with publishing("performance", script="scripts/performance-table.py", sources=source, path="README.md"):
    print("| what | measured | table |")
    print("|---|---|---|")
    print(f"| compact header: parse, build | {ns('compact-parse')}, {ns('compact-build')}; "
          f"{allocations({'compact-parse', 'compact-build'})} | BENCHMARKS.md, Wire codecs |")
    print(f"| framework header: parse, build | {ns('framework-parse')}, {ns('framework-build')}; "
          f"{allocations({'framework-parse', 'framework-build'})} | BENCHMARKS.md, Wire codecs |")
    print(f"| a router's whole per-packet pipeline: compact, framework with LBF | {ns('forward-compact')}, "
          f"{ns('forward-framework-lbf')}; {allocations({'forward-compact', 'forward-framework-lbf'})} | BENCHMARKS.md, Data plane |")
    print(f"| route lookup at 100,000 compact routes: hot, cold | {ns('lookup-compact-100k-hot')}, {ns('lookup-compact-100k')} "
          f"| BENCHMARKS.md, Data plane |")
    print(f"| emulator: {EMULATED} (routes per node prefix) | {emulated[0]['events_per_second'] / 1e6:.2f} M events/s, "
          f"one run at {aggregation['label']} | BENCHMARKS.md, Routes per node prefix |")
    print(f"| one router process, UDP on loopback, 64-byte payloads | {statistics.median(rates):,.0f} packets/s, median of "
          f"{len(rates)} runs at {node['commit'][:7]} (load {node['machine']['load_average_1min_at_end']:g} at the end) "
          f"| BENCHMARKS.md, Real nodes |")
    print()
    print("Micro-benchmarks, median [range] of the runs: " + measured_on(bench, f"{len(bench['runs'])} runs of `nip bench --json`"))
