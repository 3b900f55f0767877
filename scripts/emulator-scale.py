#!/usr/bin/env python3
"""Runs `nip emulate --stats` once on a large topology under `/usr/bin/time -v` and adds the run
to docs/emulator-scale.json (rendered by scripts/route-aggregation-table.py):

    scripts/emulator-scale.py NIP TOPOLOGY.yaml "scenario" LABEL [nip emulate options ...]

NIP is a release build's binary (its shared libraries beside it); LABEL names the build (a
commit, with the options that matter, e.g. "7d3fddf, --flow-plots none"). Each record holds
what --stats writes, the process's peak resident set (kB) and CPU seconds, and the options.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

if len(sys.argv) < 5:
    sys.exit(__doc__)
nip, topology, scenario, label, options = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
record_file = "docs/emulator-scale.json"
with tempfile.TemporaryDirectory() as scratch:
    stats, timing = f"{scratch}/stats.json", f"{scratch}/time.txt"
    environment = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(os.path.abspath(nip)))
    subprocess.run(["/usr/bin/time", "-v", "-o", timing, nip, "emulate", "--quiet", "--stats", stats, "--out", f"{scratch}/out",
                    topology] + options, check=True, env=environment)
    run = {"scenario": scenario, "variant": "prefixes", "label": label, "options": " ".join(options)}
    run.update(json.load(open(stats)))
    time_text = open(timing).read()
    field = lambda name: float(re.search(rf"{re.escape(name)}: ([0-9.]+)", time_text).group(1))
    run["process_peak_rss_kb"] = int(field("Maximum resident set size (kbytes)"))
    run["cpu_s"] = round(field("User time (seconds)") + field("System time (seconds)"), 2)
    run["load_average_at_end"] = round(os.getloadavg()[0], 2)
record = json.load(open(record_file))
record["runs"].append(run)
open(record_file, "w").write(json.dumps(record, indent=1) + "\n")
print(json.dumps(run, indent=1))
