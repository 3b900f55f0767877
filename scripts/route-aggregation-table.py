#!/usr/bin/env python3
"""Renders the BENCHMARKS.md tables of scripts/route-aggregation.sh's JSON: per scenario, routes
and their memory with a route per address and with a route per node prefix (computed from the
forwarding tables' capacities by `nip emulate --stats`), the whole process's peak RSS, setup
time and CPU time; then bytes per flow and per queued packet; then, from a second file
(docs/emulator-scale.json, the same records for single large runs), one row per run.

    scripts/route-aggregation-table.py docs/route-aggregation.json [docs/emulator-scale.json]    # --check: fail instead when the table differs
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import arguments, publishing  # noqa: E402

sources = arguments() or ["docs/route-aggregation.json"]
data = json.load(open(sources[0]))
runs = data["runs"]


def mb(value):
    return f"{value / 1e6:,.1f} MB" if value < 1e9 else f"{value / 1e9:,.2f} GB"


def nodes(run):
    return f"{run['memory_computed']['nodes']:,}"


def queued_packet(memory):
    """Bytes per queued packet and the packet's length; runs before storage was sized per
    packet computed a default 2,048-byte buffer, which no emulated packet had: not shown."""
    if "queued_packet_length" not in memory:
        return "—"
    return f"{memory['bytes_per_queued_packet']:,} ({memory['queued_packet_length']:,}-byte packet)"


with publishing("route-aggregation", script="scripts/route-aggregation-table.py", sources=sources):
    print(f"Measured: nip at {data['label']}, release build; one run each.\n")
    print("| scenario | routing | nodes | routes | route memory (computed) | bytes per route | route bytes per node "
          "| parse | setup (checks, routing) | run and result files | events/s | peak RSS (process) | CPU (process) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    names = {"per-address": "a route per address", "prefixes": "a route per node prefix"}
    for run in sorted(runs, key=lambda r: (r["memory_computed"]["nodes"], r["scenario"], r["variant"] != "per-address")):
        m = run["memory_computed"]
        print(f"| {run['scenario']} | {names.get(run['variant'], run['variant'])} | {nodes(run)} | {m['routes']:,} | {mb(m['route_bytes'])} "
              f"| {m['bytes_per_route']:.1f} | {m['route_bytes_per_node']:,.0f} | {run['parse_seconds']:.2f} s | {run['setup_seconds']:.2f} s | {run['run_seconds']:.2f} s "
              f"| {run['events_per_second'] / 1e6:.2f} M | {mb(run['process_peak_rss_kb'] * 1024)} | {run['cpu_s']:.1f} s |")
    pairs = {}
    for run in runs:
        pairs.setdefault(run["scenario"], {})[run["variant"]] = run
    print()
    for scenario, pair in pairs.items():
        if len(pair) == 2:
            a, b = pair["per-address"], pair["prefixes"]
            print(f"- {scenario}: routes {a['memory_computed']['routes'] / b['memory_computed']['routes']:.1f} × fewer, "
                  f"route memory {a['memory_computed']['route_bytes'] / b['memory_computed']['route_bytes']:.1f} × less, "
                  f"peak RSS {mb(a['process_peak_rss_kb'] * 1024)} → {mb(b['process_peak_rss_kb'] * 1024)}; "
                  "results.json and flows.csv identical.")
    print()
    print("| scenario | routing | flows | flow statistics (computed) | bytes per flow | bytes per queued packet (computed) |")
    print("|---|---|---:|---:|---:|---:|")
    for run in runs:
        m = run["memory_computed"]
        print(f"| {run['scenario']} | {names.get(run['variant'], run['variant'])} | {m['flows']:,} | {mb(m['flow_bytes'])} "
              f"| {m['bytes_per_flow']:,.0f} | {queued_packet(m)} |")
    print()
    print("Bytes per queued packet (here and below): the largest packet any flow sends, in the storage the packet pool "
          "gives it (`PacketPool.queuedBytes`); runs before storage was sized per packet priced a default 2,048-byte buffer, "
          "which no emulated packet had (—).")

    # The scale runs (docs/emulator-scale.json), when given: one row each.
    if len(sources) > 1:
        scale = json.load(open(sources[1]))
        print()
        print("| scenario | nip at | nodes | flows | routes | route memory (computed) | route bytes per node | bytes per route "
              "| bytes per flow (computed) | bytes per queued packet (computed) "
              "| parse (read, YAML, build, checks) | setup (routing, emulator) | run and result files | events | events/s | peak RSS (process) "
              "| CPU (process) | load average at the end |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for run in scale["runs"]:
            m = run["memory_computed"]
            load = f"{run['load_average_at_end']:.1f}" if "load_average_at_end" in run else "—"
            print(f"| {run['scenario']} | {run['label']} | {m['nodes']:,} | {m['flows']:,} | {m['routes']:,} | {mb(m['route_bytes'])} "
                  f"| {m['route_bytes_per_node']:,.0f} | {m['bytes_per_route']:.1f} | {m['bytes_per_flow']:,.0f} | {queued_packet(m)} "
                  f"| {run['parse_seconds']:.0f} s | {run['setup_seconds']:.0f} s "
                  f"| {run['run_seconds']:.0f} s | {run['events']:,} | {run['events_per_second'] / 1e6:.3f} M | {mb(run['process_peak_rss_kb'] * 1024)} "
                  f"| {run['cpu_s']:.0f} s | {load} |")
