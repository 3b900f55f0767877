#!/usr/bin/env python3
"""Renders BENCHMARKS.md's "Probe delays over veth" table (between the probe-delay markers)
from the link delays scripts/routing-probe-delay.sh records, through scripts/benchtable.py
(`--check`: fails instead when the table differs):

    scripts/routing-probe-delay-table.py docs/routing-probe-delay.json
"""

from benchtable import one_json, publishing

source, data = one_json("routing-probe-delay-table.py [--check] docs/routing-probe-delay.json")
labels = {"kernel": "the kernel's (`SO_TIMESTAMPNS`)", "loop": "the node's loop, when it reads the frame (`--loop-timestamps`)"}
with publishing("probe-delay", script="scripts/routing-probe-delay-table.py", sources=source):
    print("| receive time taken from | samples | min | median | max |")
    print("|---|---|---|---|---|")
    for mode in ("kernel", "loop"):
        row = data[mode]
        print(f"| {labels[mode]} | {len(row['values_us'])} | {row['min_us']} µs | {row['median_us']} µs | {row['max_us']} µs |")
    print(f"\n{data['topology']}; {data['link_ends']} link ends, {data['samples_per_end']} samples each; commit {data['commit']}.")
