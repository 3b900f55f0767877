#!/usr/bin/env python3
"""Renders BENCHMARKS.md's "One node core: before and after" table (between the side-by-side
markers) from the medians scripts/side-by-side.sh writes (or, for the first comparison, from
its table transcribed into JSON), through scripts/benchtable.py (`--check`: fails instead when
the table differs):

    scripts/side-by-side.sh BEFORE_DIR AFTER_DIR 5 docs/side-by-side.json
    scripts/side-by-side-table.py docs/side-by-side.json
"""

from benchtable import one_json, publishing

source, data = one_json("side-by-side-table.py [--check] docs/side-by-side.json")
with publishing("side-by-side", script="scripts/side-by-side-table.py", sources=source):
    print(f"| benchmark | before ({data['before']}) | after ({data['after']}) | after / before | mallocs/op after |")
    print("|---|---:|---:|---:|---:|")
    for b in data["benchmarks"]:
        print(f"| {b['name']} | {b['before_ns_per_op']:.1f} ns | {b['after_ns_per_op']:.1f} ns | {b['after_over_before']:.2f} "
              f"| {b['after_mallocs_per_op']:.3f} |")
    e = data["emulate"]
    print(f"| emulate, {e['scenario']} | {e['before_m_events_per_s']:.2f} M events/s | {e['after_m_events_per_s']:.2f} M events/s "
          f"| {e['after_over_before']:.2f} | — |")
    print()
    provenance = f"transcribed from {data['transcribed_from']}" if "transcribed_from" in data else \
        f"{data['date'][:10]}, load average {data['load_average_1min_at_start']:g} at the start and " \
        f"{data['load_average_1min_at_end']:g} at the end"
    print(f"Medians of {data['runs']} alternating runs of each build; identical results.json every run; {provenance}.")
