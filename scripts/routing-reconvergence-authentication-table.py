#!/usr/bin/env python3
"""Renders BENCHMARKS.md's routing-authentication tables (between the routing-authentication
markers) from the JSON of signed against HMAC routing (`--check`: fails instead when the
tables differ):

    nip bench --filter routing: --json > docs/routing-authentication-bench.json
    scripts/routing-reconvergence-overhead.py --out docs/routing-authentication.json
    scripts/routing-reconvergence-authentication-table.py docs/routing-authentication-bench.json docs/routing-authentication.json
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import arguments, publishing  # noqa: E402

sources = arguments()
if len(sources) != 2:
    sys.exit("usage: routing-reconvergence-authentication-table.py BENCH.jsonl OVERHEAD.json [--check]")
bench = [json.loads(line) for line in open(sources[0]) if line.strip()]
overhead = json.load(open(sources[1]))


def rate(summary, share=None):
    if summary is None:
        return "not measured"
    text = f"{summary['mean']:,.0f} mean, {summary['max']:,.0f} max"
    return text if share is None else f"{text} ({share['mean'] * 100:.3f} % mean, {share['max'] * 100:.3f} % max)"


with publishing("routing-authentication", script="scripts/routing-reconvergence-authentication-table.py", sources=sources):
    print("| operation | CPU ns/op | ns/op (wall clock) | mallocs/op | inputs |")
    print("|---|---|---|---|---|")
    for row in bench:
        print(f"| {row['name'].removeprefix('routing: ')} | {row['cpu_ns_per_op']:,.0f} | {row['ns_per_op']:,.0f} | {row['mallocs_per_op']:.0f} | {row['inputs']} |")
    churn = overhead["churn"]
    print(f"\nControl-plane bytes per second per link direction (whole UDP packets as the links carry them), "
          f"{overhead['routers']:,}-router scale-free network ({overhead['hosts']} hosts, 1 Gbps links; share of the link rate in brackets) "
          f"from 1 s to 3 s: at steady state, and with churn ({len(churn['flapping_links'])} links {churn['flaps']}, "
          f"router {churn['crashed_router']} crashed {churn['crash']}); on the demo network (Examples/demo.yaml, no flows) from 1 s to 2 s, "
          "over the link directions that carry routing:\n")
    print("| authentication | scale-free, steady | scale-free, churn | demo network | demo's busiest direction |")
    print("|---|---|---|---|---|")
    for mode, data in overhead["modes"].items():
        print(f"| {mode} | {rate(data['scale_free_steady_bytes_per_s_per_link_direction'], data['scale_free_steady_share_of_link_rate'])} "
              f"| {rate(data['scale_free_churn_bytes_per_s_per_link_direction'], data['scale_free_churn_share_of_link_rate'])} "
              f"| {rate(data['demo_bytes_per_s_per_link_direction'], data['demo_share_of_link_rate'])} | {data['demo_busiest_share']} |")
