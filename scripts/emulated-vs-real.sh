#!/bin/sh
# Runs Examples/chain.yaml and Examples/lbf-dumbbell-loopback.yaml emulated and on real nodes
# (UDP on loopback, each sending node emulating its links: rate, delay, loss) and writes the
# `nip compare --markdown` tables into BENCHMARKS.md, between the emulated-vs-real markers.
#   scripts/emulated-vs-real.sh [NIP]   (default .build/debug/nip)
set -eu
nip=${1:-.build/debug/nip}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
: > "$out/tables.md"
for example in chain:1s lbf-dumbbell-loopback:3s; do
    name=${example%%:*}
    duration=${example#*:}
    "$nip" emulate "Examples/$name.yaml" --out "$out/$name-emulated" --quiet
    "$nip" run "Examples/$name.yaml" --duration "$duration" --out "$out/$name-real" --state "$out/$name-state" > /dev/null
    printf '\nExamples/%s.yaml, %s:\n\n' "$name" "$duration" >> "$out/tables.md"
    # The table is wanted even when a field is past the tolerance.
    "$nip" compare "$out/$name-emulated" "$out/$name-real" --markdown >> "$out/tables.md" || true
done
sed -i "s|$out/||g" "$out/tables.md"
python3 - "$out/tables.md" <<'PY'
import sys
table = open(sys.argv[1]).read().lstrip("\n")
text = open("BENCHMARKS.md").read()
begin, end = "<!-- emulated-vs-real -->\n", "<!-- /emulated-vs-real -->"
assert begin in text and end in text, "BENCHMARKS.md lacks the emulated-vs-real markers"
head, rest = text.split(begin)
open("BENCHMARKS.md", "w").write(head + begin + table + rest[rest.index(end):])
PY
