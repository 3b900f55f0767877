#!/bin/sh
# Measures revocation on real nodes (RegistrarTests.testRevocationToFirstDropTimes: registrar,
# enrolled h1 — registered first hop r1 — h2 on loopback, checkpoint interval 1 s): the time from
# the revoke call to r1's first `revoked` drop, RUNS times. Writes docs/revocation-times.json and
# renders BENCHMARKS.md's "Revocation on real nodes" table from it, between the revocation markers.
#   scripts/revocation-bench.sh [RUNS]   (default 10; needs `swift build --build-tests` first)
set -eu
runs=${1:-10}
json=docs/revocation-times.json
NIP_REVOCATION_RUNS=$runs NIP_REVOCATION_JSON=$PWD/$json \
    swift test --skip-build --filter RegistrarTests.testRevocationToFirstDropTimes > /dev/null
python3 - "$json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
times = data["seconds"]
table = (
    "| checkpoint interval | runs | min | median | max | bound asserted (2 × interval) |\n"
    "|---|---|---|---|---|---|\n"
    f"| {data['checkpoint_interval_s']} s | {data['runs']} | {data['min_s']} s | {data['median_s']} s | {data['max_s']} s | {data['bound_s']} s |\n"
    "\nEach run (s): " + ", ".join(str(t) for t in times) + "\n"
)
text = open("BENCHMARKS.md").read()
begin, end = "<!-- revocation -->\n", "<!-- /revocation -->"
assert begin in text and end in text, "BENCHMARKS.md lacks the revocation markers"
head, rest = text.split(begin)
open("BENCHMARKS.md", "w").write(head + begin + table + rest[rest.index(end):])
PY
