#!/usr/bin/env python3
"""Renders the BENCHMARKS.md table of the grid scenario, ns-3 against `nip emulate`, from the
JSON scripts/grid-vs-ns3.sh writes. Where ns-3 simulated less time than nip (the 32 × 32
grid), its wall time for nip's duration is extrapolated from its run in proportion to the
time the flows send (they start at 0.1 s and send at a constant rate, so the work per
second of traffic is constant), and the table says so.

    scripts/grid-vs-ns3-table.py docs/grid-vs-ns3.json    # --check: fail instead when the table differs
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import arguments, publishing  # noqa: E402

source = (arguments() or ["docs/grid-vs-ns3.json"])[0]
data = json.load(open(source))
runs = data["runs"]
FLOW_START = 0.1  # ns3-grid.cc's and TopologyGenerator.Options.grid's


def rate(events_per_s):
    return f"{events_per_s / 1e6:.2f} M" if events_per_s >= 1e5 else f"{events_per_s / 1e3:.1f} k"


def mb(kb):
    return f"{kb / 1024:,.0f} MB" if kb < 1024 * 1024 else f"{kb / 1024 / 1024:.2f} GB"


# The marker is named after the JSON file (docs/grid-vs-ns3.json: grid-vs-ns3).
name = os.path.basename(source).removesuffix(".json")
with publishing(name, script="scripts/grid-vs-ns3-table.py", sources=[source]):
    print(f"Measured: {data['commit']}, on this machine ({data.get('conditions', '2 cores, shared with other builds')}); "
          "one run each, one after the other.\n")
    print("| scenario | ns-3: run (process) | ns-3 events/s | ns-3 peak RSS | nip: run (process) | nip events/s "
          "| nip peak RSS | nip speed-up (run) | RSS nip / ns-3 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for nip in (r for r in runs if r["tool"] == "nip"):
        ns3 = next((r for r in runs if r["tool"] == "ns-3" and r["side"] == nip["side"] and r["flows"] == nip["flows"]), None)
        scenario = f"{nip['side']}×{nip['side']} grid, {nip['flows']:,} flows, {nip['simulated_s']:g} s"
        nip_cells = [f"{nip['run_wall_s']:.2f} s ({nip['process_wall_s']:.1f} s)", rate(nip['events_per_s']),
                     mb(nip["peak_rss_kb"])]
        if ns3 is None:
            print(f"| {scenario} | — | — | — | " + " | ".join(nip_cells) + " | — | — |")
            continue
        scale = (nip["simulated_s"] - FLOW_START) / (ns3["simulated_s"] - FLOW_START)
        ns3_run = ns3["run_wall_s"] * scale
        if scale == 1:
            ns3_wall = f"{ns3['run_wall_s']:.1f} s ({ns3['process_wall_s']:.1f} s)"
        else:
            ns3_wall = (f"≈ {ns3_run:.0f} s (a {ns3['simulated_s']:g} s run: {ns3['run_wall_s']:.1f} s, "
                        f"process {ns3['process_wall_s']:.1f} s)")
        print(f"| {scenario} | {ns3_wall} | {rate(ns3['events_per_s'])} | {mb(ns3['peak_rss_kb'])} | "
              + " | ".join(nip_cells) + f" | {ns3_run / nip['run_wall_s']:.0f}× | {nip['peak_rss_kb'] / ns3['peak_rss_kb']:.2f} |")
    cpu = [(r, next((n for n in runs if n["tool"] == "nip" and n["side"] == r["side"]), None))
           for r in runs if r["tool"] == "ns-3" and "cpu_s" in r]
    if cpu:
        print("\nWhole-process CPU time (user + system; time-sharing with other work disturbs it less than wall time): "
              + "; ".join(f"{r['side']}×{r['side']}: ns-3 {r['cpu_s']:.1f} s for {r['simulated_s']:g} s, nip {n['cpu_s']:.1f} s "
                          f"for {n['simulated_s']:g} s" for r, n in cpu if n) + ".")
    print("\n\"run\" is each simulator's own timing of its event loop (ns-3: `Simulator::Run`; nip: "
          "`Emulation.run`, without parsing and routing); \"process\" is the whole command's wall time "
          "and peak RSS is its maximum resident set (`/usr/bin/time -v`). Events are each simulator's "
          "own count (ns-3: `Simulator::GetEventCount`; nip: events its loop ran).")
