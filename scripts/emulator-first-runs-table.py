#!/usr/bin/env python3
"""Renders BENCHMARKS.md's first emulator table (between the emulator-first-runs markers) from
docs/emulator-first-runs.json, runs transcribed from the document's first measurements, through
scripts/benchtable.py (`--check`: fails instead when the table differs):

    scripts/emulator-first-runs-table.py docs/emulator-first-runs.json
"""

from benchtable import one_json, publishing

source, data = one_json("emulator-first-runs-table.py [--check] docs/emulator-first-runs.json")
with publishing("emulator-first-runs", script="scripts/emulator-first-runs-table.py", sources=source):
    print("| run | nodes / links / flows | events | wall | events/s | peak RSS | commit |")
    print("|---|---|---:|---:|---:|---:|---|")
    for run in data["runs"]:
        wall = f"{run['wall_seconds']:g} s" + (f" (+{run['setup_seconds']:g} s setup)" if run["setup_seconds"] else "")
        # As the run reported it (the wall time is rounded); the demo's run is too short for a rate.
        rate = f"{run['events_per_second_millions']:g} M" if run["events_per_second_millions"] else "—"
        rss = f"{run['peak_rss_gb']:g} GB" if run["peak_rss_gb"] else "—"
        print(f"| {run['run']} | {run['nodes']:,} / {run['links']:,} / {run['flows']:,} | {run['events']:,} | {wall} | {rate} "
              f"| {rss} | {run['commit']} |")
    print()
    print(f"Transcribed from {data['transcribed_from']}.")
