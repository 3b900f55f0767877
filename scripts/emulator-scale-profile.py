#!/usr/bin/env python3
"""Adds a `perf record -g` profile of one `nip emulate --stats` run to
docs/emulator-scale-profile.json (rendered by scripts/emulator-scale-profile-table.py): the
samples of the event loop, of building and of writing the result files, and of the loop's
largest functions, with the run's events, so the table divides them per event.

    perf record -F 499 -g -o PERF.data nip emulate FILE --stats STATS.json ...
    scripts/emulator-scale-profile.py PERF.data STATS.json "scenario" LABEL "load average during the run"
"""
import json
import re
import subprocess
import sys

if len(sys.argv) != 6:
    sys.exit(__doc__)
perf_data, stats_file, scenario, label, load = sys.argv[1:]
record_file = "docs/emulator-scale-profile.json"

# Phases: samples in the function and all it calls (perf's "children"); a regular expression
# over the mangled name.
phases = {
    "event_loop": r"SimulatorC3run6before8progress",
    "building_results": r"EmulationResultsVyAcA14PartitionedRunCcfC",
    "rendering_files": r"EmulationResultsV5files9flowPlots",
    "writing_files": r"OutputDirectoryO7StagingV6finish",
}
# The loop's largest functions: samples in the function itself.
functions = {
    "event heap removeMin": r"EventHeapV9removeMin",
    "route lookup": r"ForwardingTableV6lookup",
    "link arrival (Simulator.arrived)": r"SimulatorC7arrived",
    "packet ring popFirst": r"PacketRingV8popFirst",
    "swift_retain": r"^swift_retain$",
    "swift_release": r"^swift_release$",
}


def report(children):
    """perf report's rows: symbol -> samples, its own or (`children`) with all it calls."""
    mode = "--children" if children else "--no-children"
    text = subprocess.run(["perf", "report", "-i", perf_data, mode, "--sort", "symbol", "--stdio", "-g", "none",
                           "--show-nr-samples"], check=True, capture_output=True, text=True).stdout
    # Rows: [children %] own %, own samples, [.] symbol.
    row = re.compile(r"\s*([0-9.]+)%\s+(?:([0-9.]+)%\s+)?(\d+)\s+\[.\]\s+(\S+)")
    rows = [match.groups() for match in map(row.match, text.splitlines()) if match]
    total = sum(int(own) for _, _, own, _ in rows)
    counts = {}
    for first, _, own, symbol in rows:
        # perf prints children as a share only: back to samples of the whole.
        count = round(float(first) * total / 100) if children else int(own)
        counts[symbol] = counts.get(symbol, 0) + count
    return counts, total


def samples(rows, pattern):
    """The largest count among the symbols matching `pattern` (a function's specialisations
    and thunks nest, so the outermost holds the others)."""
    return max((count for symbol, count in rows.items() if re.search(pattern, symbol)), default=0)


header = subprocess.run(["perf", "report", "-i", perf_data, "--stdio", "--header-only"], check=True, capture_output=True,
                        text=True).stdout
stats = json.load(open(stats_file))
(children, total), (own, _) = report(True), report(False)
run = {
    "scenario": scenario, "label": label, "load_average": load, "events": stats["events"],
    "sample_hz": int(re.search(r"sample_freq \} = (\d+)", header).group(1)),
    "samples": total,
    "phases": {name: samples(children, pattern) for name, pattern in phases.items()},
    "functions": {name: samples(own, pattern) for name, pattern in functions.items()},
}
try:
    record = json.load(open(record_file))
except FileNotFoundError:
    record = {"runs": []}
record["runs"].append(run)
open(record_file, "w").write(json.dumps(record, indent=1) + "\n")
print(json.dumps(run, indent=1))
