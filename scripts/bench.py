#!/usr/bin/env python3
"""Records `nip bench --json` (the codec, data-plane and source-verification micro-benchmarks),
or another command's `--json` lines (`--command "log bench"`), RUNS times into one JSON file stamped with what the numbers depend on: the commit, the build,
the machine (CPU model, cores, kernel) and its load average when the runs started and ended
(other work on the machine inflates wall-clock ns/op; the load says how much there was).
scripts/bench-table.py renders BENCHMARKS.md's tables from it, scripts/performance-table.py
README.md's "Performance, measured" block, scripts/log-bench-table.py the transparency log's.

    swift build -c release --product nip
    scripts/bench.py [--nip .build/release/nip] [--runs 5] [--out docs/bench.json]
    scripts/bench.py --command "log bench" --runs 4 --out docs/log-bench.json
    scripts/bench.py --anchor OLD/.build/release/nip --anchor-commit SHA --runs 3 --out docs/bench-anchor.json

With --anchor, each run first runs another build (an older commit's) the same way, so the two
share the machine's state of the moment; scripts/bench-anchor-table.py sets them side by side.

The commit is HEAD's, marked "+uncommitted" when Sources/ has changes; BENCH_COMMIT overrides
it (a binary copied out of .build before others changed the tree, or built from another tree).
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def commit():
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "Sources"],
                           capture_output=True, text=True, check=True).stdout.strip()
    return head + ("+uncommitted" if dirty else "")


parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--nip", default=".build/release/nip", help="the release-built nip (its .so files beside it)")
parser.add_argument("--command", default="bench", help="the nip command whose --json lines are recorded")
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--out", default="docs/bench.json")
parser.add_argument("--anchor", help="another build of nip to run before each run (its .so files beside it)")
parser.add_argument("--anchor-commit", help="the commit the --anchor build is of")
args = parser.parse_args()
if args.runs < 1:
    sys.exit("--runs must be at least 1")
if bool(args.anchor) != bool(args.anchor_commit):
    sys.exit("--anchor and --anchor-commit go together: the build and the commit it was built from")



def results(nip):
    """One run of `nip COMMAND --json`: its JSON lines."""
    environment = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(os.path.abspath(nip)))
    output = subprocess.run([nip, *args.command.split(), "--json"], capture_output=True, text=True, env=environment)
    if output.returncode != 0:
        sys.exit(f"{nip} {args.command} --json failed (exit {output.returncode}): {output.stderr.strip()}")
    return [json.loads(line) for line in output.stdout.splitlines() if line.startswith("{")]


record = {
    "generated_by": f"scripts/bench.py: nip {args.command} --json",
    "commit": commit(),
    "build": "release",
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "kernel": platform.release(),
                "load_average_1min_at_start": round(os.getloadavg()[0], 2)},
    "runs": [],
}
if args.anchor:
    record["anchor"] = {"commit": args.anchor_commit, "runs": []}
for run in range(args.runs):
    print(f"== nip {args.command} --json, run {run + 1} of {args.runs}", file=sys.stderr)
    if args.anchor:
        record["anchor"]["runs"].append(results(args.anchor))
    record["runs"].append(results(args.nip))
record["machine"]["load_average_1min_at_end"] = round(os.getloadavg()[0], 2)
with open(args.out, "w") as f:
    json.dump(record, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"wrote {args.out}", file=sys.stderr)
