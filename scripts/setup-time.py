#!/usr/bin/env python3
"""Times `nip emulate`'s setup (parse: reading, YAML, building and checking the topology;
setup: routing tables and the emulator) with two release builds of nip, taking turns, and
writes the runs as JSON (rendered by scripts/setup-time-table.py):

    scripts/setup-time.py BEFORE_COMMIT=BEFORE/nip AFTER_COMMIT=AFTER/nip TOPOLOGY.yaml RUNS "scenario" \
        > docs/setup-time.json

Each build's folder must hold the shared libraries it was built with (copy .build/release/nip
and .build/release/*.so). Every run's results.json must be byte-identical, or it stops.
"""
import filecmp
import json
import os
import subprocess
import sys
import tempfile

if len(sys.argv) != 6:
    sys.exit(__doc__)
builds = {name: argument.split("=", 1) for name, argument in [("before", sys.argv[1]), ("after", sys.argv[2])]}
topology, runs, scenario = sys.argv[3], int(sys.argv[4]), sys.argv[5]


record = {"scenario": scenario, "topology_bytes": os.path.getsize(topology),
          "machine": f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start"}
times = {name: {"commit": label, "parse_seconds": [], "setup_seconds": []} for name, (label, _) in builds.items()}
with tempfile.TemporaryDirectory() as scratch:
    first = None
    for run in range(runs):
        for name, (_, nip) in builds.items():
            out, stats = f"{scratch}/{name}-{run}", f"{scratch}/{name}-{run}.json"
            environment = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(os.path.abspath(nip)))
            # No flow plots: they are written after the setup and would only lengthen the runs.
            subprocess.run([nip, "emulate", "--quiet", "--flow-plots", "none", "--stats", stats, "--out", out, topology],
                           check=True, env=environment)
            result = json.load(open(stats))
            times[name]["parse_seconds"].append(result["parse_seconds"])
            times[name]["setup_seconds"].append(result["setup_seconds"])
            first = first or f"{out}/results.json"
            if not filecmp.cmp(first, f"{out}/results.json", shallow=False):
                sys.exit(f"{out}/results.json differs from {first}")
record["runs"] = times
record["results_identical"] = True
record["machine"] += f" and {os.getloadavg()[0]:.2f} at the end"
print(json.dumps(record, indent=1))
