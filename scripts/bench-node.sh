#!/usr/bin/env bash
# BENCHMARKS.md's "Real nodes" table, measured: builds nip (release), runs `nip bench-node`
# RUNS times (one router process on loopback, 64-byte payloads, as fast as the load generator
# sends) and once with --kernel (Linux's own IPv4 forwarding between namespaces; needs root,
# skipped and recorded as such without it), collects the runs with the commit and the machine
# into OUT (docs/bench-node.json), and renders the table with scripts/bench-node-table.py.
# The commit is HEAD's, marked "+uncommitted" when Sources/ has changes; BENCH_COMMIT overrides it.
#
#     scripts/bench-node.sh [RUNS [SECONDS [OUT]]]     # defaults: 3 5 docs/bench-node.json
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
seconds=${2:-5}
out=${3:-docs/bench-node.json}
swift build -c release --product nip >&2
nip=.build/release/nip
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for run in $(seq "$runs"); do
    echo "== bench-node run $run of $runs" >&2
    "$nip" bench-node --duration "$seconds" --json "$work/router-$run.json" >&2
done
echo "== bench-node --kernel" >&2
if ! "$nip" bench-node --kernel --duration "$seconds" --json "$work/kernel.json" >&2; then
    echo "bench-node --kernel failed (network namespaces need root); the table says it was not measured" >&2
fi
python3 - "$work" "$out" "$runs" "$seconds" <<'PY'
import glob, json, os, platform, subprocess, sys
work, out, runs, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()
# BENCH_COMMIT names the source when it is not this checkout's HEAD (a copy of the tree, say).
commit = os.environ.get("BENCH_COMMIT") or subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
dirty = "" if os.environ.get("BENCH_COMMIT") else \
    subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "Sources"], capture_output=True, text=True).stdout.strip()
kernel = os.path.join(work, "kernel.json")
data = {
    "generated_by": "scripts/bench-node.sh",
    "commit": commit + ("+uncommitted" if dirty else ""),
    "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "kernel": platform.release(),
                "load_average_1min_at_end": round(os.getloadavg()[0], 2)},
    "build": "release",
    "seconds_per_run": seconds,
    "router_runs": [json.load(open(os.path.join(work, f"router-{run}.json"))) for run in range(1, runs + 1)],
    "kernel_run": json.load(open(kernel)) if os.path.exists(kernel) else None,
}
json.dump(data, open(out, "w"), indent=2)
open(out, "a").write("\n")
print(f"wrote {out}", file=sys.stderr)
PY
scripts/bench-node-table.py "$out"
