#!/usr/bin/env bash
# The allocation-regression check of the forwarding path (issue: the claims lab): in the
# optimised build, forwarding a packet (compact; framework with an LBF clause; a first hop that
# verifies sources, and one that does not) must not allocate on the heap. `nip bench` counts
# mallocs per operation by interposing malloc during one extra round; any non-zero count fails,
# naming the benchmark. Debug builds allocate where generics are not specialised, so this runs
# on the release binary:  .ci/check-allocations.sh [.build/release/nip]
set -euo pipefail
cd "$(dirname "$0")/.."
nip=${1:-.build/release/nip}
out=$("$nip" bench --filter forward --rounds 1 --json)
status=0
count=0
while IFS= read -r line; do
    [ -z "$line" ] && continue
    count=$((count + 1))
    name=$(printf '%s' "$line" | sed -E 's/.*"name": "([^"]+)".*/\1/')
    mallocs=$(printf '%s' "$line" | sed -E 's/.*"mallocs_per_op": ([0-9.]+).*/\1/')
    if [ "$mallocs" != "0.000" ]; then
        echo "allocation regression: $name allocates $mallocs times per packet (expected 0)"
        status=1
    else
        echo "no allocation per packet: $name"
    fi
done <<< "$out"
if [ "$count" -lt 4 ]; then echo "allocation check: expected 4 forwarding benchmarks, found $count" >&2; exit 1; fi
exit $status
