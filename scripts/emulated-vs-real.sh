#!/bin/sh
# Runs Examples/chain.yaml emulated and on real nodes and writes the `nip compare --markdown`
# table into BENCHMARKS.md, between the emulated-vs-real markers.
#   scripts/emulated-vs-real.sh [NIP]   (default .build/debug/nip)
set -eu
nip=${1:-.build/debug/nip}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$nip" emulate Examples/chain.yaml --out "$out/emulated" --quiet
"$nip" run Examples/chain.yaml --duration 1s --out "$out/real" --state "$out/state" > /dev/null
# The table is wanted even when a field is past the tolerance.
"$nip" compare "$out/emulated" "$out/real" --markdown > "$out/table.md" || true
sed -i "s|$out/||g" "$out/table.md"
python3 - "$out/table.md" <<'PY'
import re, sys
table = open(sys.argv[1]).read()
text = open("BENCHMARKS.md").read()
begin, end = "<!-- emulated-vs-real -->\n", "<!-- /emulated-vs-real -->"
assert begin in text and end in text, "BENCHMARKS.md lacks the emulated-vs-real markers"
head, rest = text.split(begin)
open("BENCHMARKS.md", "w").write(head + begin + table + rest[rest.index(end):])
PY
