#!/bin/sh
# Measures revocation on real nodes (RegistrarTests.testRevocationToFirstDropTimes: registrar,
# enrolled h1 — registered first hop r1 — h2 on loopback, checkpoint interval 1 s): the time from
# the revoke call to r1's first `revoked` drop, RUNS times. Writes docs/revocation-times.json and
# renders BENCHMARKS.md's "Revocation on real nodes" table from it, between the revocation markers
# (scripts/revocation-table.py).
#   scripts/revocation-bench.sh [RUNS]   (default 10; needs `swift build --build-tests` first)
set -eu
runs=${1:-10}
json=docs/revocation-times.json
NIP_REVOCATION_RUNS=$runs NIP_REVOCATION_JSON=$PWD/$json \
    swift test --skip-build --filter RegistrarTests.testRevocationToFirstDropTimes > /dev/null
"$(dirname "$0")/revocation-table.py" "$json"
