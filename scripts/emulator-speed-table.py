#!/usr/bin/env python3
"""Renders the BENCHMARKS.md table of the emulator's speed-ups, one row per step and scenario,
from the JSON scripts/emulator-speed.sh appends to: the median events/s of the alternating runs
of the build before and after the step, the range in brackets, and their ratio; then the median
CPU time of the whole runs (setup included) and its ratio, the steadier measure on a shared machine.

    scripts/emulator-speed-table.py docs/emulator-speed.json    # --check: fail instead when the table differs
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import arguments, publishing  # noqa: E402

source = (arguments() or ["docs/emulator-speed.json"])[0]
entries = json.load(open(source))


def cell(values):
    median = statistics.median(values)
    return f"{median:.2f} M" if len(values) == 1 else f"{median:.2f} M [{min(values):.2f}–{max(values):.2f}]"


with publishing("emulator-speed", script="scripts/emulator-speed-table.py", sources=[source]):
    print("| step | scenario | events | before: events/s | after: events/s | after / before | CPU s before → after (whole run) | CPU after / before |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for e in entries:
        before, after = e["before_m_events_per_s"], e["after_m_events_per_s"]
        ratio = statistics.median(after) / statistics.median(before)
        cpu = ""
        if "before_cpu_s" in e:
            cb, ca = statistics.median(e["before_cpu_s"]), statistics.median(e["after_cpu_s"])
            cpu = f" {cb:.2f} → {ca:.2f} | {ca / cb:.2f} |"
        else:
            cpu = " — | — |"
        print(f"| {e['step']} | {e['scenario']} | {e['events']:,} | {cell(before)} | {cell(after)} | {ratio:.2f} |{cpu}")
    runs = {len(e["before_m_events_per_s"]) for e in entries}
    print(f"\nMedians of {'/'.join(map(str, sorted(runs)))} alternating runs per build [range]; identical results "
          "(results.json) in every pair of runs.")
