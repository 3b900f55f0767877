#!/bin/sh
# Measures the link delays real nodes learn over veth pairs (no netem: the true delay is a few
# microseconds, so what they learn is the measurement's own error), with the kernel's receive
# times and with the loop's (RoutingNetnsTests.testLinkDelaysOverVethWithKernelAndLoopReceiveTimes,
# as root). Writes docs/routing-probe-delay.json and renders BENCHMARKS.md's "Probe delays over
# veth" table from it, between the probe-delay markers (scripts/routing-probe-delay-table.py).
#   scripts/routing-probe-delay.sh   (needs `swift build --build-tests` first)
set -eu
json=docs/routing-probe-delay.json
NIP_PROBE_DELAY_JSON=$PWD/$json NIP_PROBE_DELAY_COMMIT=$(git rev-parse --short HEAD) \
    swift test --skip-build --filter RoutingNetnsTests.testLinkDelaysOverVethWithKernelAndLoopReceiveTimes > /dev/null
"$(dirname "$0")/routing-probe-delay-table.py" "$json"
