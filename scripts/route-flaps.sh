#!/bin/sh
# The delay-metric oscillation experiment: Examples/route-flaps.yaml once per damping variant and
# seed (release build), route flaps per minute into docs/route-flaps.json, the route's delay over
# time into docs/route-flaps.svg, and BENCHMARKS.md's table rendered from the JSON.
#
#     scripts/route-flaps.sh [SEEDS]        # SEEDS: A..B, default 1..5
#
# The results are virtual-time counts, the same in any build: NIP=path/to/nip skips the release build.
set -e
cd "$(dirname "$0")/.."
SEEDS=${1:-1..5}
if [ -z "$NIP" ]; then
    swift build -c release --product nip
    NIP=.build/release/nip
fi
"$NIP" route-flaps Examples/route-flaps.yaml --router a --seeds "$SEEDS" \
    --json docs/route-flaps.json --svg docs/route-flaps.svg --force
python3 scripts/route-flaps-table.py docs/route-flaps.json
