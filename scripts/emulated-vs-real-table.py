#!/usr/bin/env python3
"""Renders BENCHMARKS.md's "Emulated vs real" tables (between the emulated-vs-real markers) from
the `nip compare` rows scripts/emulated-vs-real.sh records, through scripts/benchtable.py
(`--check`: fails instead when the tables differ):

    scripts/emulated-vs-real.sh .build/debug/nip docs/emulated-vs-real.json
    scripts/emulated-vs-real-table.py docs/emulated-vs-real.json
"""

from benchtable import one_json, publishing

source, data = one_json("emulated-vs-real-table.py [--check] docs/emulated-vs-real.json")
with publishing("emulated-vs-real", script="scripts/emulated-vs-real-table.py", sources=source):
    for example in data["examples"]:
        print(f"{example['topology']}, {example['duration']}:\n")
        print("| flow | field | A | B | B − A |\n|---|---|---|---|---|")
        for row in example["rows"]:
            print(f"| {row['flow']} | {row['field']} | {row['a']} | {row['b']} | {row['difference']} |")
        print()
    provenance = f"transcribed from {data['transcribed_from']}" if "transcribed_from" in data else \
        f"commit {data['commit'][:7]}, {data['date'][:10]}, load average {data['load_average_1min_at_end']:g} at the end"
    print(f"A: emulated; B: real nodes; {provenance}.")
