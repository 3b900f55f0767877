#!/usr/bin/env bash
# Wall time of a multi-seed sweep (`nip emulate --seeds`) on 1 thread and on every core, run
# alternately so both see the same load, on the 16 × 16 grid (250 flows, 1 s); the two sweeps
# must write byte-identical folders (the script fails otherwise). Writes the JSON that
# scripts/sweep-threads-table.py renders into BENCHMARKS.md.
#
#   scripts/sweep-threads.sh [NIP_DIR] [seeds] [runs] [OUT.json]
#
# NIP_DIR holds a release `nip` and the .so files beside it (default: .build/release).
# Defaults: 4 seeds, 3 runs, docs/sweep-threads.json.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-.build/release} seeds=${2:-4} runs=${3:-3} out=${4:-docs/sweep-threads.json}
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nip() { LD_LIBRARY_PATH="$dir" "$dir/nip" "$@"; }

nip topology generate grid --side 16 --flows 250 --output "$work/grid.yaml" 2>/dev/null
for i in $(seq "$runs"); do
    for threads in 1 "$cores"; do
        rm -rf "$work/out-$threads"
        start=$(date +%s.%N)
        nip emulate "$work/grid.yaml" --seeds "1..$seeds" --threads "$threads" --out "$work/out-$threads" --quiet
        end=$(date +%s.%N)
        echo "$start $end" | awk '{printf "%.3f\n", $2 - $1}' >> "$work/wall-$threads.txt"
    done
    diff -r "$work/out-1" "$work/out-$cores" > /dev/null || { echo "the sweeps on 1 and $cores threads differ" >&2; exit 1; }
done

python3 - "$work" "$out" "$cores" "$seeds" "$(git rev-parse --short HEAD)" <<'PY'
import json, platform, statistics, sys
work, out, cores, seeds, commit = sys.argv[1:]
wall = {t: [float(line) for line in open(f"{work}/wall-{t}.txt")] for t in ("1", cores)}
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.machine())
load = open("/proc/loadavg").read().split()[0]
entry = {"commit": commit, "machine": f"{cpu}, {cores} cores, load average {load} at the end", "scenario": "16×16 grid, 250 flows, 1 s",
         "seeds": int(seeds), "threads": [1, int(cores)], "identical_outputs": True,
         "wall_s_one_thread": wall["1"], "wall_s_all_cores": wall[cores]}
json.dump(entry, open(out, "w"), indent=1)
one, many = statistics.median(wall["1"]), statistics.median(wall[cores])
print(f"{seeds} seeds: {one:.2f} s on 1 thread, {many:.2f} s on {cores} ({one / many:.2f}×)")
PY
