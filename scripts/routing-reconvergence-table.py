#!/usr/bin/env python3
"""Renders BENCHMARKS.md's reconvergence table (between the reconvergence markers) from the JSON
scripts/routing-reconvergence.py writes (`--check`: fails instead when the table differs):

    scripts/routing-reconvergence.py --routers 1000 --out docs/routing-reconvergence.json
    scripts/routing-reconvergence-table.py docs/routing-reconvergence.json
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import arguments, publishing  # noqa: E402

source = arguments()[0]
data = json.load(open(source))
drops = ", ".join(f"{count} {reason}" for reason, count in sorted(data["flow_drops"].items())) or "0"
table = (
    "| routers (hosts) | failed link | routes lost (never back) | every route back after | flow drops | TTL expiries | control bytes/s per link direction (share of 1 Gbps) |\n"
    "|---|---|---|---|---|---|---|\n"
    f"| {data['routers']:,} ({data['hosts']}) | {data['failed_link']} | {data['routes_lost']:,} ({data['routes_never_back']}) "
    f"| {data['reroute_ns'] / 1e6:.2f} ms | {drops} of {data['flow_packets_sent']:,} | {data['ttl_expired']} "
    f"| {data['control_bytes_per_s_per_link_direction']['mean']:,.0f} mean, {data['control_bytes_per_s_per_link_direction']['max']:,} max "
    f"({data['control_share_of_link_rate']['mean'] * 100:.3f} %) |\n"
)
with publishing("reconvergence", script="scripts/routing-reconvergence-table.py", sources=[source]):
    print(table, end="")
