#!/usr/bin/env python3
"""Renders the BENCHMARKS.md table of the emulator's instructions per event, one row per step
and scenario, from the JSON scripts/emulator-instructions.sh appends to: the instructions of the
whole run and of the event loop, the loop's instructions per event and their ratio to the same
scenario's previous step (a step marked `reverted` was measured and then taken out again, so the
next step is compared with the one before it), and the wall time of a run outside valgrind with the machine's load.

    scripts/emulator-instructions-table.py docs/emulator-instructions.json    # --check: fail instead when the table differs
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import arguments, publishing  # noqa: E402

source = (arguments() or ["docs/emulator-instructions.json"])[0]
entries = json.load(open(source))

with publishing("emulator-instructions", script="scripts/emulator-instructions-table.py", sources=[source]):
    print("| step | scenario | events | instructions (whole run) | event loop | per event | × previous step | wall s (load) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    previous = {}
    for e in entries:
        per_event = e["instructions_per_event"]
        ratio = f"{per_event / previous[e['scenario']]:.2f}" if e["scenario"] in previous else "—"
        if not e.get("reverted"):
            previous[e["scenario"]] = per_event
        step = f"{e['step']} ({e['commit']})" + (f"; results differ: {e['results_differ']}" if e.get("results_differ") else "")
        print(f"| {step} | {e['scenario']} | {e['events']:,} | {e['instructions'] / 1e6:,.0f} M "
              f"| {e['event_loop_instructions'] / 1e6:,.0f} M | {per_event:,} | {ratio} | {e['wall_s']:.2f} ({e['load']:.1f}) |")
    print("\nInstructions counted by callgrind (release build, debug info stripped); the event loop is "
          "`Simulator.run` and all it calls (from the partitioned engine on, `PartitionedRun.run` on one thread).")
