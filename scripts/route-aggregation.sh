#!/usr/bin/env bash
# Routes per router prefix against routes per address, and the emulator's memory at scale.
# For each scenario: `nip topology generate` writes it (hierarchical addresses, a prefix per
# router); with COMPARE=1 the same file without its `prefix:` lines (a route per address, as
# before prefixes) runs too, and scripts/same-results.py checks both gave the same results.json.
# Each run records `nip emulate --stats` (setup and run times, routes and their bytes, bytes per
# flow and queued packet, computed from the data structures) and /usr/bin/time -v's peak RSS
# and CPU time into one JSON file; scripts/route-aggregation-table.py renders the tables.
#
#   scripts/route-aggregation.sh [OUT.json]     (default docs/route-aggregation.json)
#
# Environment: NIP (a release `nip`; default: builds .build/release/nip), LABEL (what was
# measured; default the commit), SCENARIOS (lines of `name|generate arguments|compare`;
# default: the 32 × 32 grid with 1,000 flows for 0.3 s and the 1,000-router scale-free run).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/route-aggregation.json}
default_scenarios="32×32 grid, 1,000 flows, 0.3 s|grid --side 32 --flows 1000 --duration 300ms|1
scale-free, 1,000 routers + 100 hosts, 2,000 pps per flow, 1 s|scale-free --size 1000 --hosts 100 --flow-rate 2000pps|1"
scenarios=${SCENARIOS:-$default_scenarios}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "${NIP:-}" ]; then
    swift build -c release --product nip >&2
    NIP=.build/release/nip
fi
label=${LABEL:-$(git rev-parse --short HEAD)}

run() { # name variant file
    local dir="$work/$2-$(echo "$1" | md5sum | cut -c1-8)"
    /usr/bin/time -v "$NIP" emulate "$3" --out "$dir" --stats "$dir.stats.json" --quiet --force 2> "$dir.time" >/dev/null
    python3 - "$1" "$2" "$dir.stats.json" "$dir.time" <<'PY' >> "$work/runs.jsonl"
import json, re, sys
name, variant, stats, timefile = sys.argv[1:]
usage = open(timefile).read()
def field(pattern):
    return re.search(pattern, usage).group(1)
record = {"scenario": name, "variant": variant, **json.load(open(stats)),
          "process_peak_rss_kb": int(field(r"Maximum resident set size \(kbytes\): (\d+)")),
          "cpu_s": round(float(field(r"User time \(seconds\): ([0-9.]+)")) + float(field(r"System time \(seconds\): ([0-9.]+)")), 2)}
print(json.dumps(record))
PY
    echo "$dir"
}

while IFS='|' read -r name arguments compare; do
    [ -n "$name" ] || continue
    # shellcheck disable=SC2086
    "$NIP" topology generate $arguments --output "$work/topology.yaml" --force
    echo "$name: prefixes" >&2
    hierarchical=$(run "$name" prefixes "$work/topology.yaml")
    if [ "$compare" = 1 ]; then
        grep -v '^    prefix: ' "$work/topology.yaml" > "$work/flat.yaml"
        echo "$name: a route per address" >&2
        flat=$(run "$name" per-address "$work/flat.yaml")
        scripts/same-results.py "$hierarchical/results.json" "$flat/results.json"
        cmp "$hierarchical/flows.csv" "$flat/flows.csv"
        echo "$name: identical results" >&2
    fi
done <<< "$scenarios"

python3 - "$work/runs.jsonl" "$out" "$label" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
json.dump({"label": sys.argv[3], "runs": runs}, open(sys.argv[2], "w"), indent=1)
PY
echo "wrote $out" >&2
