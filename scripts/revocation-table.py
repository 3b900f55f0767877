#!/usr/bin/env python3
"""Renders BENCHMARKS.md's "Revocation on real nodes" table (between the revocation markers)
from the times scripts/revocation-bench.sh records, through scripts/benchtable.py (`--check`:
fails instead when the table differs):

    scripts/revocation-table.py docs/revocation-times.json
"""

from benchtable import one_json, publishing

source, data = one_json("revocation-table.py [--check] docs/revocation-times.json")
with publishing("revocation", script="scripts/revocation-table.py", sources=source):
    print("| checkpoint interval | runs | min | median | max | bound asserted (2 × interval) |")
    print("|---|---|---|---|---|---|")
    print(f"| {data['checkpoint_interval_s']} s | {data['runs']} | {data['min_s']} s | {data['median_s']} s | {data['max_s']} s "
          f"| {data['bound_s']} s |")
    print("\nEach run (s): " + ", ".join(str(t) for t in data["seconds"]))
