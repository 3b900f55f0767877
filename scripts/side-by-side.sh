#!/usr/bin/env bash
# Compares two release builds of nip on this machine, run alternately so both see the same
# load: the codec and data-plane micro-benchmarks (`nip bench --json`) and the 1,000-router
# scale-free emulation. Writes the medians of the runs to OUT (with the date and the load) and
# renders BENCHMARKS.md's table from it with scripts/side-by-side-table.py.
#
#   scripts/side-by-side.sh BEFORE_DIR AFTER_DIR [runs [OUT]]    # OUT: docs/side-by-side.json
#
# A DIR holds a `nip` and the .so files beside it (copy them out of .build/release before
# rebuilding). Emulation results must agree between the two builds on every field both write
# (scripts/same-results.py); the script fails otherwise.
set -euo pipefail
before=$1 after=$2 runs=${3:-5} out=${4:-docs/side-by-side.json}
load_at_start=$(cut -d" " -f1 /proc/loadavg)
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

python3 - "$work" "$before" "$after" "$runs" "$load_at_start" "$out" <<'PY'
import datetime, json, os, statistics, sys
work, before, after, runs, load_at_start, out = sys.argv[1:]
def bench(side):
    runs = {}
    for line in open(f"{work}/bench-{side}.jsonl"):
        if line.startswith("{"):
            o = json.loads(line)
            runs.setdefault(o["name"], []).append((float(o["ns_per_op"]), float(o["mallocs_per_op"])))
    return runs
b, a = bench("before"), bench("after")
rows = []
for name in (n for n in b if n in a):
    x = statistics.median(v[0] for v in b[name]); y = statistics.median(v[0] for v in a[name])
    rows.append({"name": name, "before_ns_per_op": x, "after_ns_per_op": y, "after_over_before": y / x,
                 "after_mallocs_per_op": max(v[1] for v in a[name])})
e = {side: [float(l) for l in open(f"{work}/emulate-{side}.txt")] for side in ("before", "after")}
x, y = statistics.median(e["before"]), statistics.median(e["after"])
data = {"before": os.path.basename(os.path.abspath(before)), "after": os.path.basename(os.path.abspath(after)), "runs": int(runs),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "load_average_1min_at_start": float(load_at_start), "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "benchmarks": rows,
        "emulate": {"scenario": "scale-free 1,000 routers + 100 hosts, 1 s", "before_m_events_per_s": x, "after_m_events_per_s": y,
                    "after_over_before": y / x}}
with open(out, "w") as f:
    json.dump(data, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
"$(dirname "$0")/side-by-side-table.py" "$out"
