#!/usr/bin/env python3
"""Turns runs of `nip bench --filter security: --json` into the BENCHMARKS.md table of source
verification: the median of the runs, with the range in brackets; "before" runs come from a
build without CNewIPAES (BlockCMAC on AES.permute), "after" runs from the current build (which
also measures the swift-crypto path and swift-crypto's own AES.CMAC and AES._CBC).

    for i in 1 2 3; do
        nip-after bench --filter security: --json > after-$i.json
        nip-before bench --filter security: --json > before-$i.json
    done
    scripts/security-bench-table.py --before before-*.json --after after-*.json

With --publish NAME it writes the tables between BENCHMARKS.md's NAME markers (--check: fails
instead when they differ); BENCHMARKS.md's wall-clock tables are `--publish security-aes` of
docs/security-aes/ (runs transcribed from the document), its CPU-time tables
`--publish security-cpu` of docs/security-cpu/.
"""
import argparse
import contextlib
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import publishing  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--before", nargs="+", required=True)
parser.add_argument("--after", nargs="+", required=True)
parser.add_argument("--key", default="ns_per_op", choices=["ns_per_op", "cpu_ns_per_op"],
                    help="wall-clock time per operation, or the measuring thread's CPU time")
parser.add_argument("--labels", nargs=2, default=["before: BlockCMAC on `AES.permute`", "after: CNewIPAES (AES-NI)"],
                    help="the two builds' column headings")
parser.add_argument("--publish", metavar="NAME", help="write the tables between BENCHMARKS.md's NAME markers")
parser.add_argument("--check", action="store_true", help="with --publish: change nothing, fail when the tables differ")
args = parser.parse_args()
unit = "ns/op (wall clock)" if args.key == "ns_per_op" else "CPU ns/op (the measuring thread's)"


def load(paths):
    runs = []
    for path in paths:
        with open(path) as f:
            # A line without a name says where transcribed runs come from.
            runs.append({r["name"]: r for r in (json.loads(line) for line in f if line.strip()) if "name" in r})
    return runs


before, after = load(args.before), load(args.after)


def find(runs, prefix):
    names = [n for n in runs[0] if n.startswith(prefix)]
    assert len(names) == 1, f"{prefix}: {names}"
    return names[0]


def cell(runs, prefix, key=args.key):
    name = find(runs, prefix)
    v = [run[name][key] for run in runs]
    median = f"{statistics.median(v):,.0f}"
    return median if round(min(v)) == round(max(v)) else f"{median} [{min(v):,.0f}–{max(v):,.0f}]"


def mallocs(runs, prefix):
    name = find(runs, prefix)
    v = {run[name]["mallocs_per_op"] for run in runs}
    return "/".join(f"{x:g}" for x in sorted(v))


rows = [
    ("verify: parse, derive K_src, MAC, window, replay", "security: verify (parse", "≤ 200"),
    ("derive K_src (`sourceKey(for:)`, returns a `SymmetricKey`)", "security: derive K_src", "—"),
    ("packet MAC under a given K_src (`PacketMAC.compute(key:)`)", "security: packet MAC", "—"),
]
sources = ["--before", *args.before, "--after", *args.after] + (["--key", args.key] if args.key != "ns_per_op" else [])
output = (publishing(args.publish, script=f"scripts/security-bench-table.py --publish {args.publish}", sources=sources)
          if args.publish else contextlib.nullcontext())
with output:
    print(f"Median of {len(after)} runs of each build, alternated; [range] when they differ; {unit}.\n")
    print(f"| measurement | {args.labels[0]} | {args.labels[1]} | mallocs/op before → after | target |")
    print("|---|---:|---:|---:|---:|")
    for label, prefix, target in rows:
        print(f"| {label} | {cell(before, prefix)} | {cell(after, prefix)} | {mallocs(before, prefix)} → {mallocs(after, prefix)} | {target} |")
    print()
    print("swift-crypto at its best, measured by the after build in the same runs:\n")
    print(f"| measurement | {'ns/op' if args.key == 'ns_per_op' else 'CPU ns/op'} | mallocs/op |")
    print("|---|---:|---:|")
    for label, prefix in [
        ("verify on the swift-crypto path (`allowAESNI: false`: what a CPU without AES-NI runs)", "security: verify, swift-crypto path"),
        ("`AES.CMAC` of the 102-byte packet (context and `Data` per MAC)", "security: swift-crypto AES.CMAC"),
        ("`AES._CBC` of 112 bytes in one call (key expanded once; a CMAC built on it costs at least this)", "security: swift-crypto AES._CBC"),
    ]:
        print(f"| {label} | {cell(after, prefix)} | {mallocs(after, prefix)} |")
