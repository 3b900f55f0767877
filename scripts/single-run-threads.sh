#!/usr/bin/env bash
# Wall and CPU time of one run (`nip emulate`) on 1 thread and on every core, the run's nodes
# split into partitions (docs/architecture.md, *One run on every core*), alternating so both see
# the same load: the 16 × 16 and 32 × 32 grids (1 s, and the 0.3 s variants: 0.2 s of traffic)
# and the 1,000-router scale-free run. Each pair of output folders must be byte-identical
# (`diff -r`; the script fails otherwise). Writes the JSON that scripts/single-run-threads-table.py
# renders into BENCHMARKS.md.
#
#   scripts/single-run-threads.sh [NIP_DIR] [runs] [OUT.json] [SCENARIO...]
#
# NIP_DIR holds a release `nip` and the .so files beside it (default: .build/release). Defaults:
# 3 runs, docs/single-run-threads.json, every scenario (grid16, grid16-short, grid32,
# grid32-short, scale-free).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-.build/release} runs=${2:-3} out=${3:-docs/single-run-threads.json}
shift $(( $# < 3 ? $# : 3 ))
scenarios=${*:-grid16 grid16-short grid32 grid32-short scale-free}
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nip() { LD_LIBRARY_PATH="$dir" "$dir/nip" "$@"; }

for scenario in $scenarios; do
    case $scenario in
        grid16) nip topology generate grid --side 16 --flows 250 --output "$work/$scenario.yaml" ;;
        grid16-short) nip topology generate grid --side 16 --flows 250 --duration 0.3s --output "$work/$scenario.yaml" ;;
        grid32) nip topology generate grid --side 32 --flows 1000 --output "$work/$scenario.yaml" ;;
        grid32-short) nip topology generate grid --side 32 --flows 1000 --duration 0.3s --output "$work/$scenario.yaml" ;;
        scale-free) nip topology generate scale-free --size 1000 --hosts 100 --flow-rate 2000pps --duration 0.2s \
                        --output "$work/$scenario.yaml" ;;
        *) echo "unknown scenario $scenario" >&2; exit 1 ;;
    esac >/dev/null 2>&1
done

python3 - "$work" "$out" "$cores" "$runs" "$dir" "$(git rev-parse --short HEAD)" $scenarios <<'PY'
import json, os, platform, resource, statistics, subprocess, sys, time
work, out, cores, runs, nip_dir, commit, *scenarios = sys.argv[1:]
cores, runs = int(cores), int(runs)
names = {"grid16": "16×16 grid, 250 flows, 1 s", "grid16-short": "16×16 grid, 250 flows, 0.3 s (0.2 s of traffic)",
         "grid32": "32×32 grid, 1,000 flows, 1 s", "grid32-short": "32×32 grid, 1,000 flows, 0.3 s (0.2 s of traffic)",
         "scale-free": "scale-free, 1,000 routers + 100 hosts, 2,000 pps per flow, 0.2 s"}
env = dict(os.environ, LD_LIBRARY_PATH=nip_dir)

def run(scenario, threads):
    """One run: the process's wall and CPU time, and the run's (event loop and files) from --stats."""
    folder, stats = f"{work}/out-{scenario}-{threads}", f"{work}/stats-{scenario}-{threads}.json"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run([f"{nip_dir}/nip", "emulate", f"{work}/{scenario}.yaml", "--threads", str(threads), "--out", folder,
                    "--stats", stats, "--quiet", "--force"], env=env, check=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    report = json.load(open(stats))
    return {"process_wall_s": round(wall, 3), "process_cpu_s": round(cpu, 3), "run_s": report["run_seconds"],
            "events": report["events"], "partitions": report["partitions"]}

entries = []
for scenario in scenarios:
    samples = {1: [], cores: []}
    for _ in range(runs):
        for threads in (1, cores):
            samples[threads].append(run(scenario, threads))
        if subprocess.run(["diff", "-r", f"{work}/out-{scenario}-1", f"{work}/out-{scenario}-{cores}"],
                          stdout=subprocess.DEVNULL).returncode != 0:
            sys.exit(f"{scenario}: the runs on 1 and {cores} threads wrote different files")
    split = samples[cores][0]["partitions"]
    entries.append({"scenario": names[scenario], "events": samples[1][0]["events"], "partitions": split["count"],
                    "cut_links": split["cut_links"], "lookahead_ns": split["lookahead_ns"], "identical_outputs": True,
                    "one_thread": samples[1], "all_cores": samples[cores]})
    one, many = (statistics.median(s["run_s"] for s in samples[t]) for t in (1, cores))
    print(f"{names[scenario]}: run {one:.2f} s on 1 thread, {many:.2f} s on {cores} ({one / many:.2f}×)")
cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.machine())
load = open("/proc/loadavg").read().split()[0]
json.dump({"commit": commit, "machine": f"{cpu}, {cores} cores, load average {load} at the end", "threads": [1, cores],
           "runs": runs, "scenarios": entries}, open(out, "w"), indent=1, ensure_ascii=False)
open(out, "a").write("\n")
PY
