#!/usr/bin/env bash
# Compares two release builds of nip on this machine, run alternately so both see the same
# load: the codec and data-plane micro-benchmarks (`nip bench --json`) and the 1,000-router
# scale-free emulation. Prints a Markdown table (medians of the runs) for BENCHMARKS.md.
#
#   scripts/side-by-side.sh BEFORE_DIR AFTER_DIR [runs]
#
# A DIR holds a `nip` and the .so files beside it (copy them out of .build/release before
# rebuilding). Emulation results must agree between the two builds on every field both write
# (scripts/same-results.py); the script fails otherwise.
set -euo pipefail
before=$1 after=$2 runs=${3:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nip() { local dir=$1; shift; LD_LIBRARY_PATH="$dir" "$dir/nip" "$@"; }

nip "$before" topology generate scale-free --size 1000 --hosts 100 --flow-rate 2000pps --output "$work/sf.yaml" >/dev/null
for i in $(seq "$runs"); do
    for side in before after; do
        dir=$([ $side = before ] && echo "$before" || echo "$after")
        nip "$dir" bench --rounds 5 --json >> "$work/bench-$side.jsonl"
        rm -rf "$work/out-$side"
        nip "$dir" emulate "$work/sf.yaml" --out "$work/out-$side" | grep -oE '[0-9.]+ M events/s' | cut -d' ' -f1 >> "$work/emulate-$side.txt"
    done
    "$(dirname "$0")/same-results.py" "$work/out-before/results.json" "$work/out-after/results.json"
done

python3 - "$work" <<'PY'
import json, statistics, sys
work = sys.argv[1]
def bench(side):
    runs = {}
    for line in open(f"{work}/bench-{side}.jsonl"):
        if line.startswith("{"):
            o = json.loads(line)
            runs.setdefault(o["name"], []).append((float(o["ns_per_op"]), float(o["mallocs_per_op"])))
    return runs
b, a = bench("before"), bench("after")
print("| benchmark | before | after | after / before | mallocs/op after |")
print("|---|---:|---:|---:|---:|")
for name in b:
    if name not in a: continue
    x = statistics.median(v[0] for v in b[name]); y = statistics.median(v[0] for v in a[name])
    print(f"| {name} | {x:.1f} ns | {y:.1f} ns | {y / x:.2f} | {max(v[1] for v in a[name]):.3f} |")
e = {side: [float(l) for l in open(f"{work}/emulate-{side}.txt")] for side in ("before", "after")}
x, y = statistics.median(e["before"]), statistics.median(e["after"])
print(f"| emulate, scale-free 1,000 routers + 100 hosts, 1 s | {x:.2f} M events/s | {y:.2f} M events/s | {y / x:.2f} | — |")
print()
print(f"Medians of {len(e['before'])} alternating runs; identical results.json every run.")
PY
