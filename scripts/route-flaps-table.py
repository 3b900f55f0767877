#!/usr/bin/env python3
"""Renders BENCHMARKS.md's route-flap table (between the route-flaps markers) from the JSON
`nip route-flaps` writes (scripts/route-flaps.sh runs both; `--check`: fails instead when the
table differs):

    scripts/route-flaps-table.py docs/route-flaps.json
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import arguments, publishing  # noqa: E402

source = arguments()[0]
data = json.load(open(source))


def setting(value, unit):
    """A damping setting as the table shows it: `none` (unbounded), `off` (a hold of 0), ms, or a weight."""
    if value == "none":
        return "none"
    if unit == "hold" and value == 0:
        return "off"
    if unit == "per mille":
        return f"{value / 1000:g}"
    return f"{value / 1e9:g} s" if value >= 1e9 else f"{value / 1e6:g} ms"


window = (data["window_ns"][1] - data["window_ns"][0]) / 1e9
rows = []
for variant in data["variants"]:
    runs = variant["runs"]
    sent = sum(run["sent"] for run in runs)
    dropped = sum(run["dropped"] for run in runs)
    medians = sorted(run["p50_ns"] for run in runs if run["p50_ns"] is not None)
    flaps = variant["flaps_per_minute"]
    rows.append(
        f"| {variant['name']} | {setting(variant['hysteresis_ns'], 'ns')} | {setting(variant['smoothing_retain_per_mille'], 'per mille')} "
        f"| {setting(variant['max_delay_step_ns'], 'ns')} | {setting(variant['route_hold_ns'], 'hold')} | {flaps['mean']:.1f} ({flaps['min']:.1f}–{flaps['max']:.1f}) "
        f"| {dropped / sent * 100:.2f} % | {medians[len(medians) // 2] / 1e6:.1f} ms |"
    )
table = (
    f"| damping | hysteresis | smoothing (weight kept) | max delay step | route hold | route flaps per minute, mean over {len(data['variants'][0]['runs'])} seeds (least–most) "
    f"| load dropped | median one-way delay (median seed) |\n"
    "|---|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
)
with publishing("route-flaps", script="scripts/route-flaps-table.py", sources=[source]):
    print(table, end="")
if "--check" not in sys.argv:
    print(f"{window:g} s of load per run")
