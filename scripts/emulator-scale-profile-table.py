#!/usr/bin/env python3
"""Renders BENCHMARKS.md's table of scripts/emulator-scale-profile.py's JSON: per profiled run,
CPU time (samples ÷ sampling rate) in the event loop and in the result files, as shares of the
whole run and per event; then the loop's largest functions per event.

    scripts/emulator-scale-profile-table.py docs/emulator-scale-profile.json    # --check: fail instead when the table differs
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import one_json, publishing  # noqa: E402

sources, data = one_json("emulator-scale-profile-table.py [--check] docs/emulator-scale-profile.json")
runs = data["runs"]


def seconds(run, samples):
    return samples / run["sample_hz"]


def per_event(run, samples):
    """CPU microseconds per event."""
    return f"{seconds(run, samples) / run['events'] * 1e6:.2f}"


def share(run, samples):
    return f"{samples / run['samples'] * 100:.1f} %"


with publishing("emulator-scale-profile", script="scripts/emulator-scale-profile-table.py", sources=sources):
    print("| scenario | nip at | load average | events | CPU sampled (whole run) | event loop | µs per event | "
          "building results | rendering files | writing files |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        phase = run["phases"]
        print(f"| {run['scenario']} | {run['label']} | {run['load_average']} | {run['events']:,} | {seconds(run, run['samples']):.1f} s "
              f"| {share(run, phase['event_loop'])} ({seconds(run, phase['event_loop']):.1f} s) | {per_event(run, phase['event_loop'])} "
              f"| {seconds(run, phase['building_results']):.2f} s | {seconds(run, phase['rendering_files']):.2f} s "
              f"| {seconds(run, phase['writing_files']):.2f} s |")
    names = list(runs[0]["functions"])
    print()
    print("| scenario | nip at | " + " | ".join(names) + " |")
    print("|---|---|" + "---:|" * len(names))
    for run in runs:
        print(f"| {run['scenario']} | {run['label']} | "
              + " | ".join(per_event(run, run["functions"][name]) for name in names) + " |")
    print()
    print("`perf record -F 499 -g` of one `nip emulate --stats --flow-plots none` run each, release builds; CPU time is "
          "samples ÷ 499 Hz, on both threads; the second table's figures are CPU µs per event in the function itself.")
