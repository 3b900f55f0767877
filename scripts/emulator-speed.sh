#!/usr/bin/env bash
# Events/s of two release builds of `nip emulate`, run alternately so both see the same load,
# and the CPU time (user + system) of each whole run, setup included, which time-sharing with
# other work on the machine disturbs far less than wall-clock rates,
# on the 1,000-router scale-free run of BENCHMARKS.md and on the 32 × 32 grid (1,000 flows,
# 0.3 s: 0.2 s of traffic). The two builds must give the same results (results.json compared
# as JSON, ignoring fields only one of them writes); the script fails otherwise. Appends one
# entry per scenario to the JSON file; scripts/emulator-speed-table.py renders the table.
#
#   scripts/emulator-speed.sh "STEP" BEFORE_DIR AFTER_DIR [runs] [OUT.json]
#
# A DIR holds a `nip` and the .so files beside it (copy them out of .build/release before
# rebuilding). Default: 3 runs, docs/emulator-speed.json.
set -euo pipefail
cd "$(dirname "$0")/.."
step=$1 before=$2 after=$3 runs=${4:-3} out=${5:-docs/emulator-speed.json}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nip() { local dir=$1; shift; LD_LIBRARY_PATH="$dir" "$dir/nip" "$@"; }

nip "$after" topology generate scale-free --size 1000 --hosts 100 --flow-rate 2000pps --output "$work/scale-free.yaml" 2>/dev/null
nip "$after" topology generate grid --side 32 --flows 1000 --duration 0.3s --output "$work/grid.yaml" 2>/dev/null
for scenario in scale-free grid; do
    for i in $(seq "$runs"); do
        for side in before after; do
            dir=$([ $side = before ] && echo "$before" || echo "$after")
            rm -rf "$work/out-$side"
            LD_LIBRARY_PATH="$dir" /usr/bin/time -f "%U %S" -o "$work/cpu" "$dir/nip" emulate "$work/$scenario.yaml" --out "$work/out-$side" > "$work/stdout"
            echo "$(sed -nE 's/.* ([0-9]+) events \(([0-9.]+) M events\/s.*/\1 \2/p' "$work/stdout") $(awk '{print $1 + $2}' "$work/cpu")" >> "$work/$scenario-$side.txt"
        done
        scripts/same-results.py "$work/out-before/results.json" "$work/out-after/results.json"
    done
done

python3 - "$work" "$out" "$step" "$(git rev-parse --short HEAD)" <<'PY'
import json, os, statistics, sys
work, out, step, commit = sys.argv[1:]
names = {"scale-free": "scale-free, 1,000 routers + 100 hosts, 2,000 pps per flow, 1 s",
         "grid": "32×32 grid, 1,000 flows, 0.3 s (0.2 s of traffic)"}
entries = json.load(open(out)) if os.path.exists(out) else []
for scenario, name in names.items():
    runs = {side: [line.split() for line in open(f"{work}/{scenario}-{side}.txt")] for side in ("before", "after")}
    entries.append({"step": step, "commit": commit, "scenario": name, "events": int(runs["after"][0][0]),
                    "before_m_events_per_s": [float(r[1]) for r in runs["before"]],
                    "after_m_events_per_s": [float(r[1]) for r in runs["after"]],
                    "before_cpu_s": [float(r[2]) for r in runs["before"]], "after_cpu_s": [float(r[2]) for r in runs["after"]]})
    b = statistics.median(entries[-1]["before_m_events_per_s"]); a = statistics.median(entries[-1]["after_m_events_per_s"])
    cb = statistics.median(entries[-1]["before_cpu_s"]); ca = statistics.median(entries[-1]["after_cpu_s"])
    print(f"{name}: {b:.2f} → {a:.2f} M events/s ({a / b:.2f}×); CPU {cb:.2f} → {ca:.2f} s ({ca / cb:.2f}×)")
json.dump(entries, open(out, "w"), indent=1)
PY
