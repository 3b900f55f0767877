#!/usr/bin/env bash
# Instructions per event of a release build of `nip emulate`, counted by callgrind: a count that
# does not depend on the load of the machine, unlike events/s. Two short runs: the 16 × 16 grid
# (250 flows, 0.3 s: 0.2 s of traffic) and the 1,000-router scale-free network (0.2 s). For each,
# the instructions of the whole run and of the event loop alone (PartitionedRun.run, inclusive,
# on one thread: every partition's loop), the
# events, and the wall time of a run outside valgrind with the load average beside it.
# The build's results.json must equal the BEFORE build's (scripts/same-results.py); the script
# fails otherwise, unless RESULTS_DIFFER says why a step changes results (recorded in the JSON).
# Appends one entry per scenario to the JSON; scripts/emulator-instructions-table.py
# renders the table.
#
#   scripts/emulator-instructions.sh "STEP" BEFORE_DIR AFTER_DIR [OUT.json]
#
# A DIR holds a `nip` and the .so files beside it (copy them out of .build/release before
# rebuilding). Default OUT: docs/emulator-instructions.json.
set -euo pipefail
cd "$(dirname "$0")/.."
step=$1 before=$2 after=$3 out=${4:-docs/emulator-instructions.json}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nip() { local dir=$1; shift; LD_LIBRARY_PATH="$dir" "$dir/nip" "$@"; }

nip "$after" topology generate grid --side 16 --flows 250 --duration 0.3s --output "$work/grid.yaml" >/dev/null 2>&1
nip "$after" topology generate scale-free --size 1000 --hosts 100 --flow-rate 2000pps --duration 0.2s \
    --output "$work/scale-free.yaml" >/dev/null 2>&1
# valgrind cannot read the DWARF Swift writes; the symbol table is enough to name functions.
objcopy --strip-debug "$after/nip" "$work/nip"
for scenario in grid scale-free; do
    for side in before after; do
        dir=$([ $side = before ] && echo "$before" || echo "$after")
        nip "$dir" emulate "$work/$scenario.yaml" --out "$work/out-$side" > "$work/stdout-$side"
    done
    if ! scripts/same-results.py "$work/out-before/results.json" "$work/out-after/results.json"; then
        [ -n "${RESULTS_DIFFER:-}" ] || exit 1
        echo "$scenario" >> "$work/differ"
    fi
    load=$(cut -d' ' -f1 /proc/loadavg)
    LD_LIBRARY_PATH="$after" valgrind --tool=callgrind --callgrind-out-file="$work/$scenario.callgrind" \
        "$work/nip" emulate "$work/$scenario.yaml" --threads 1 --out "$work/out-callgrind" > /dev/null 2>&1
    total=$(callgrind_annotate "$work/$scenario.callgrind" | sed -nE 's/^ *([0-9,]+) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
    loop=$(callgrind_annotate --inclusive=yes "$work/$scenario.callgrind" \
        | sed -nE 's/^ *([0-9,]+) .*NewIPEmulator14PartitionedRunC3run8progress.*/\1/p' | head -1 | tr -d ,)
    sed -nE "s/.* in ([0-9.]+) s wall · ([0-9]+) events .*/$scenario \2 $total $loop \1 $load/p" "$work/stdout-after" >> "$work/rows"
done

touch "$work/differ"
python3 - "$work/rows" "$out" "$step" "$(git rev-parse --short HEAD)" "$work/differ" "${RESULTS_DIFFER:-}" <<'PY'
import json, os, sys
rows, out, step, commit, differ, why = sys.argv[1:]
differ = set(open(differ).read().split())
names = {"grid": "16×16 grid, 250 flows, 0.3 s (0.2 s of traffic)",
         "scale-free": "scale-free, 1,000 routers + 100 hosts, 2,000 pps per flow, 0.2 s"}
entries = json.load(open(out)) if os.path.exists(out) else []
for line in open(rows):
    scenario, events, total, loop, wall, load = line.split()
    entries.append({"step": step, "commit": commit, "scenario": names[scenario], "events": int(events),
                    "instructions": int(total), "event_loop_instructions": int(loop),
                    "instructions_per_event": round(int(loop) / int(events)), "wall_s": float(wall), "load": float(load)})
    if scenario in differ:
        entries[-1]["results_differ"] = why
    e = entries[-1]
    print(f"{e['scenario']}: {e['events']} events, {e['instructions']:,} instructions, "
          f"{e['instructions_per_event']:,} per event in the loop; {e['wall_s']} s wall at load {e['load']}")
json.dump(entries, open(out, "w"), indent=1, ensure_ascii=False)
open(out, "a").write("\n")
PY
