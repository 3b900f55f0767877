#!/usr/bin/env python3
"""Renders BENCHMARKS.md's "Real nodes" table (between the bench-node markers) from the JSON
scripts/bench-node.sh writes, through scripts/benchtable.py; with --check it changes nothing and
fails when the table in BENCHMARKS.md is not what the JSON gives (BenchmarkTablesTests runs it so):

    scripts/bench-node.sh 3 5 docs/bench-node.json     # measures, then renders
    scripts/bench-node-table.py docs/bench-node.json
    scripts/bench-node-table.py --check docs/bench-node.json
"""
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchtable import arguments, publishing  # noqa: E402

TARGET_PPS = 1_000_000


def spread(values, digits=0, unit=""):
    """min–max (median m), or the one value."""
    form = f"{{:,.{digits}f}}"
    low, high, median = min(values), max(values), statistics.median(values)
    if form.format(low) == form.format(high):
        return form.format(low) + unit
    return f"{form.format(low)}–{form.format(high)}{unit} (median {form.format(median)}{unit})"


def render(data):
    runs = data["router_runs"]
    rates = [run["packets_per_second"] for run in runs]
    payload = runs[0]["payload_bytes"]
    packet = runs[0]["packet_bytes"]
    rows = [(f"packets/s forwarded by one router process ({len(runs)} runs of {data['seconds_per_run']:g} s, "
             f"{payload}-byte payload, {packet}-byte packets)", spread(rates))]
    kernel = data.get("kernel_run")
    if kernel:
        offered_all = kernel["sink_received"] >= 0.99 * kernel["generator_sent"]
        note = " (a lower bound: the kernel forwarded at least 99 % of what the load generator sent, so the generator was the limit)" \
            if offered_all else ""
        rows.append(("Linux's own IPv4 forwarding between namespaces on this machine (`nip bench-node --kernel`)",
                     ("≥ " if offered_all else "") + f"{kernel['packets_per_second']:,.0f}{note}"))
    else:
        rows.append(("Linux's own IPv4 forwarding between namespaces (`nip bench-node --kernel`)",
                     "not measured (network namespaces need root)"))
    allocations = [run["allocations_per_packet"] for run in runs if run.get("allocations_per_packet") is not None]
    rows.append(("heap allocations per forwarded packet, whole router process (`nip node --count-allocations`)",
                 spread(allocations, 3) if allocations else "not counted"))
    rows.append(("router drops (its own counters)", spread([run["router_drops"] for run in runs])))
    shares = [100 * run["sink_received"] / run["generator_sent"] for run in runs]
    limit = " (the rest never reached the router's counters: the kernel dropped it at the router's socket, so the router " \
        "was the limit)" if max(shares) < 99 and all(run["router_drops"] == 0 for run in runs) else ""
    rows.append(("share of the load generator's packets that reached the sink", spread(shares, 1, " %") + limit))
    machine = data["machine"]
    commit = re.sub(r"^([0-9a-f]{12})[0-9a-f]{28}", r"\1", data["commit"])
    rows.append(("measured on", f"commit {commit}, {data['build']} build, {machine['cpu']} "
                 f"({machine['cores']} cores, load {machine['load_average_1min_at_end']:g} at the end)"))
    median = statistics.median(rates)
    verdict = "met" if median >= TARGET_PPS else "missed"
    table = "| measurement | result |\n|---|---|\n" + "".join(f"| {name} | {value} |\n" for name, value in rows)
    return table + (f"\n**Target: ≥ {TARGET_PPS / 1e6:g} million packets/s per core — {verdict}** "
                    f"(median {median / 1e6:.2f} M).\n")


source = arguments()
if len(source) != 1:
    sys.exit("usage: bench-node-table.py [--check] docs/bench-node.json")
with publishing("bench-node", script="scripts/bench-node-table.py", sources=source):
    print(render(json.load(open(source[0]))), end="")
