#!/usr/bin/env python3
"""Renders BENCHMARKS.md's soak table (between the soak markers) from the summary scripts/soak.sh
writes, through scripts/benchtable.py (`--check`: fails instead when the table differs):

    scripts/soak-table.py docs/soak.json
"""

from benchtable import one_json, publishing

source, s = one_json("soak-table.py [--check] docs/soak.json")
with publishing("soak", script="scripts/soak-table.py", sources=source):
    print("| duration | offered | forwarded | router drops | RSS first → last sample | RSS range after the first minute |")
    print("|---|---|---|---|---|---|")
    print(f"| {s['duration_s']:.0f} s | {s['rate_pps']:,.0f} packets/s | {s['forwarded']:,} | {s['drops']:,} | "
          f"{s['rss_kib_first'] / 1024:.1f} → {s['rss_kib_last'] / 1024:.1f} MiB | "
          f"{s['rss_kib_min_after_60s'] / 1024:.1f}–{s['rss_kib_max_after_60s'] / 1024:.1f} MiB |")
