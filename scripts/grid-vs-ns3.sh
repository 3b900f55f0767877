#!/usr/bin/env bash
# The emulator's standing benchmark against ns-3: the grid scenario of ns3-grid.cc (side × side
# routers, 100 Mbps / 1 ms links, shortest paths, constant-rate 1 Mbps flows of 542-byte
# packets between random router pairs), run by ns-3 and by `nip emulate` one after the other
# on this machine. Records per run the simulator's own run time (without setup), the whole
# process's wall time, CPU time and peak RSS (`/usr/bin/time -v`) and events/s into a JSON file;
# scripts/grid-vs-ns3-table.py renders the BENCHMARKS.md table from it.
#
#   scripts/grid-vs-ns3.sh [OUT.json]        (default docs/grid-vs-ns3.json)
#
# Environment: NIP (a release `nip`; default: builds .build/release/nip), LABEL (what the JSON
# says was measured; default: the commit checked out), NS3_GRID_SOURCE
# (default ../shared/bench/ns3-grid.cc), SCENARIOS (default "16:250:1:1 32:1000:1:0.2":
# side:flows:nip seconds:ns-3 seconds — ns-3 needs about 25 minutes for a whole second of the
# 32 × 32 grid, so it simulates 0.2 s there and the table says so). ns-3 is skipped when its
# libraries are not installed (Debian: `apt-get install ns3 libns3-dev`).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/grid-vs-ns3.json}
source_file=${NS3_GRID_SOURCE:-../shared/bench/ns3-grid.cc}
scenarios=${SCENARIOS:-"16:250:1:1 32:1000:1:0.2"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "${NIP:-}" ]; then
    swift build -c release --product nip >&2
    NIP=.build/release/nip
fi
ns3=""
if ls /usr/lib/x86_64-linux-gnu/libns3-*.so >/dev/null 2>&1 && [ -f "$source_file" ]; then
    ns3="$work/ns3-grid"
    # The build line at the top of ns3-grid.cc.
    g++ -O2 -std=c++17 "$source_file" -o "$ns3" \
        $(ls /usr/lib/x86_64-linux-gnu/libns3-*.so | sed 's#.*/lib\(ns3-[^/]*\)\.so$#-l\1#')
else
    echo "ns-3 or $source_file not found: running nip only" >&2
fi

# One JSON object per run, from the tool's own line and /usr/bin/time -v's report.
record() { # tool side flows seconds stdout timefile
    python3 - "$@" <<'PY' >> "$work/runs.jsonl"
import json, re, sys
tool, side, flows, seconds, stdout, timefile = sys.argv[1:]
text, usage = open(stdout).read(), open(timefile).read()
def field(pattern, source):
    m = re.search(pattern, source)
    if not m: sys.exit(f"{tool}: no match for {pattern!r} in its output")
    return m.group(1)
if tool == "ns-3":
    run_wall, events = float(field(r"wall=([0-9.]+)s", text)), int(field(r"events=(\d+)", text))
else:
    run_wall = float(field(r"in ([0-9.]+) s wall", text))
    events = int(field(r"· (\d+) events \(", text))
elapsed = field(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", usage).split(":")
process_wall = sum(float(p) * 60 ** i for i, p in enumerate(reversed(elapsed)))
print(json.dumps({"tool": tool, "side": int(side), "flows": int(flows), "simulated_s": float(seconds),
                  "run_wall_s": run_wall, "process_wall_s": round(process_wall, 2),
                  "peak_rss_kb": int(field(r"Maximum resident set size \(kbytes\): (\d+)", usage)),
                  "cpu_s": round(float(field(r"User time \(seconds\): ([0-9.]+)", usage))
                                 + float(field(r"System time \(seconds\): ([0-9.]+)", usage)), 2),
                  "events": events, "events_per_s": round(events / run_wall)}))
PY
}

for scenario in $scenarios; do
    IFS=: read -r side flows nip_seconds ns3_seconds <<< "$scenario"
    "$NIP" topology generate grid --side "$side" --flows "$flows" --duration "${nip_seconds}s" --output "$work/grid.yaml" --force
    echo "nip emulate: ${side}×${side}, $flows flows, ${nip_seconds} s" >&2
    /usr/bin/time -v -o "$work/time" "$NIP" emulate "$work/grid.yaml" --out "$work/out" --force > "$work/stdout"
    record nip "$side" "$flows" "$nip_seconds" "$work/stdout" "$work/time"
    if [ -n "$ns3" ]; then
        echo "ns-3: ${side}×${side}, $flows flows, ${ns3_seconds} s" >&2
        /usr/bin/time -v -o "$work/time" "$ns3" --side="$side" --flows="$flows" --time="$ns3_seconds" > "$work/stdout"
        record ns-3 "$side" "$flows" "$ns3_seconds" "$work/stdout" "$work/time"
    fi
done
python3 - "$work/runs.jsonl" "$out" "${LABEL:-$(git rev-parse --short HEAD)}" <<'PY'
import json, platform, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
json.dump({"commit": sys.argv[3], "machine": platform.processor() or platform.machine(), "runs": runs},
          open(sys.argv[2], "w"), indent=1)
PY
echo "wrote $out; render with scripts/grid-vs-ns3-table.py $out" >&2
