#!/usr/bin/env python3
"""Renders BENCHMARKS.md's reconvergence table (between the reconvergence markers) from the JSON
scripts/routing-reconvergence.py writes, one row per LABEL=FILE (`--check`: fails instead when
the table differs); with two rows, a line compares the last with the first:

    scripts/routing-reconvergence.py --routers 1000 --out docs/routing-reconvergence.json
    scripts/routing-reconvergence-table.py "every address=docs/routing-reconvergence-before.json" \\
        "router blocks=docs/routing-reconvergence.json"
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import arguments, publishing  # noqa: E402

sources = arguments()
runs = [(label, json.load(open(path))) for label, _, path in (source.partition("=") for source in sources)]
with publishing("reconvergence", script="scripts/routing-reconvergence-table.py", sources=[f'"{s}"' for s in sources]):
    print("| routes announced | routers (hosts) | failed link | routes lost (never back) | every route back after | flow drops "
          "| TTL expiries | control bytes/s per link direction (share of 1 Gbps) |")
    print("|---|---|---|---|---|---|---|---|")
    for label, data in runs:
        drops = ", ".join(f"{count} {reason}" for reason, count in sorted(data["flow_drops"].items())) or "0"
        control = data["control_bytes_per_s_per_link_direction"]
        print(f"| {label} | {data['routers']:,} ({data['hosts']}) | {data['failed_link']} | {data['routes_lost']:,} ({data['routes_never_back']}) "
              f"| {data['reroute_ns'] / 1e6:.2f} ms | {drops} of {data['flow_packets_sent']:,} | {data['ttl_expired']} "
              f"| {control['mean']:,.0f} mean, {control['max']:,} max ({data['control_share_of_link_rate']['mean'] * 100:.3f} %) |")
    if len(runs) == 2:
        (first, a), (last, b) = runs
        print(f"\n{last} against {first}: {a['routes_lost'] / b['routes_lost']:.1f} × fewer routes lost to the failure, "
              f"{a['control_bytes_per_s_per_link_direction']['mean'] / b['control_bytes_per_s_per_link_direction']['mean']:.1f} × "
              "fewer control bytes per link direction.")
