#!/usr/bin/env python3
"""Renders BENCHMARKS.md's reconvergence table (between the reconvergence markers) from the JSON
scripts/routing-reconvergence.py writes:

    scripts/routing-reconvergence.py --routers 1000 --out docs/routing-reconvergence.json
    scripts/routing-reconvergence-table.py docs/routing-reconvergence.json
"""
import json
import sys

data = json.load(open(sys.argv[1]))
drops = ", ".join(f"{count} {reason}" for reason, count in sorted(data["flow_drops"].items())) or "0"
table = (
    "| routers (hosts) | failed link | routes lost (never back) | every route back after | flow drops | TTL expiries | control bytes/s per link direction (share of 1 Gbps) |\n"
    "|---|---|---|---|---|---|---|\n"
    f"| {data['routers']:,} ({data['hosts']}) | {data['failed_link']} | {data['routes_lost']:,} ({data['routes_never_back']}) "
    f"| {data['reroute_ns'] / 1e6:.2f} ms | {drops} of {data['flow_packets_sent']:,} | {data['ttl_expired']} "
    f"| {data['control_bytes_per_s_per_link_direction']['mean']:,.0f} mean, {data['control_bytes_per_s_per_link_direction']['max']:,} max "
    f"({data['control_share_of_link_rate']['mean'] * 100:.3f} %) |\n"
)
text = open("BENCHMARKS.md").read()
begin, end = "<!-- reconvergence -->\n", "<!-- /reconvergence -->"
assert begin in text and end in text, "BENCHMARKS.md lacks the reconvergence markers"
head, rest = text.split(begin)
open("BENCHMARKS.md", "w").write(head + begin + table + rest[rest.index(end):])
print(table, end="")
