#!/bin/sh
# The real-node soak: one router process (`nip bench-node`'s configuration) forwarding a constant
# load for DURATION seconds, sampled every INTERVAL seconds: its resident memory (/proc) and its
# counters (GET /counters: received, forwarded, dropped). Writes OUT/soak.csv, OUT/soak.svg (RSS
# and drops over time) and OUT/soak.json (the summary), and renders BENCHMARKS.md's soak table
# between the soak markers from the JSON (scripts/soak-table.py).
#   scripts/soak.sh [DURATION=600] [RATE=50000] [INTERVAL=10] [OUT=results/soak]
# Needs a release build (`swift build -c release`); uses loopback ports 48300-48304.
set -eu
duration=${1:-600}
rate=${2:-50000}
interval=${3:-10}
out=${4:-results/soak}
nip=${NIP:-.build/release/nip}
port=48300
mkdir -p "$out"
config="$out/router.yaml"
rm -f "$config"
"$nip" bench-node --port $port --write-config "$config" > /dev/null
"$nip" node --config "$config" 2> "$out/router.log" &
router=$!
trap 'kill $router 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$((port + 4))/status" > /dev/null && break; sleep 0.1; done
"$nip" bench-node --attach --port $port --duration "$duration" --rate "$rate" > "$out/bench-node.txt" &
load=$!
sample() {
    rss=$(awk '/^VmRSS/ {print $2}' /proc/$router/status)
    counters=$(curl -sf "http://127.0.0.1:$((port + 4))/counters" | python3 -c '
import json, sys
c = json.load(sys.stdin)
print("%d,%d,%d" % (c["rx_packets"], c["tx_packets"], c["drops"]))')
    echo "$(( $(date +%s) - start )),$rss,$counters" >> "$out/soak.csv"
}
echo "seconds,rss_kib,rx_packets,tx_packets,drops" > "$out/soak.csv"
start=$(date +%s)
while kill -0 $load 2>/dev/null; do
    sample
    sleep "$interval"
done
wait $load
sample
python3 - "$out" "$duration" "$rate" <<'PY'
import csv, json, sys
out, duration, rate = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = [{k: int(v) for k, v in row.items()} for row in csv.DictReader(open(f"{out}/soak.csv"))]
first, last = rows[0], rows[-1]
after_warmup = [r for r in rows if r["seconds"] >= 60] or rows
summary = {
    "duration_s": duration, "rate_pps": rate, "samples": len(rows),
    "forwarded": last["tx_packets"], "received": last["rx_packets"], "drops": last["drops"],
    "rss_kib_first": first["rss_kib"], "rss_kib_last": last["rss_kib"],
    "rss_kib_min_after_60s": min(r["rss_kib"] for r in after_warmup),
    "rss_kib_max_after_60s": max(r["rss_kib"] for r in after_warmup),
}
json.dump(summary, open(f"{out}/soak.json", "w"), indent=2)
# The plot: RSS (MiB) and cumulative drops over time, one SVG, no dependencies.
w, h, left, right, top, bottom = 640, 320, 60, 60, 20, 40
xmax = max(r["seconds"] for r in rows) or 1
rmax = max(r["rss_kib"] for r in rows) / 1024 * 1.2 or 1
dmax = max(max(r["drops"] for r in rows), 1) * 1.2
def x(s): return left + (w - left - right) * s / xmax
def yr(v): return h - bottom - (h - top - bottom) * v / rmax
def yd(v): return h - bottom - (h - top - bottom) * v / dmax
rss_path = " ".join(f"{'M' if i == 0 else 'L'}{x(r['seconds']):.1f},{yr(r['rss_kib'] / 1024):.1f}" for i, r in enumerate(rows))
drop_path = " ".join(f"{'M' if i == 0 else 'L'}{x(r['seconds']):.1f},{yd(r['drops']):.1f}" for i, r in enumerate(rows))
svg = f"""<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">
<rect width="{w}" height="{h}" fill="white"/>
<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>
<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>
<line x1="{w - right}" y1="{top}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>
<text x="{w / 2}" y="{h - 8}" text-anchor="middle">seconds (load {rate:.0f} packets/s)</text>
<text x="{left - 8}" y="{top + 4}" text-anchor="end">{rmax:.0f} MiB</text>
<text x="{left - 8}" y="{h - bottom}" text-anchor="end">0</text>
<text x="{w - right + 8}" y="{top + 4}">{dmax:.0f} drops</text>
<text x="{w - right}" y="{h - bottom + 14}" text-anchor="middle">{xmax}</text>
<path d="{rss_path}" fill="none" stroke="#1f77b4" stroke-width="2"/>
<path d="{drop_path}" fill="none" stroke="#d62728" stroke-width="2" stroke-dasharray="6 3"/>
<text x="{left + 10}" y="{top + 14}" fill="#1f77b4">router resident memory (MiB, left)</text>
<text x="{left + 10}" y="{top + 28}" fill="#d62728">router drops so far (right)</text>
</svg>
"""
open(f"{out}/soak.svg", "w").write(svg)
PY
"$(dirname "$0")/soak-table.py" "$out/soak.json"
