#!/usr/bin/env bash
# Reads an XCTest log: prints every skipped test, and fails when a test listed in
# .ci/must-run was skipped or never ran (a claim must not rest on a check that vanished).
set -uo pipefail
log=$1
cd "$(dirname "$0")/.."
skipped=$(grep -E "^Test Case '[^']+' skipped" "$log" | sed -E "s/^Test Case '([^']+)' skipped.*/\1/" | sort -u)
echo "== skipped tests: $(printf '%s' "$skipped" | grep -c . || true)"
[ -n "$skipped" ] && printf '  %s\n' $skipped
status=0
while read -r name; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    if printf '%s\n' "$skipped" | grep -qE "^${name}(\.|$)"; then
        echo "must-run test skipped: $name"; status=1
    elif ! grep -qE "^Test Case '${name}[.']" "$log"; then
        echo "must-run test did not run: $name"; status=1
    fi
done < .ci/must-run
exit $status
