#!/bin/sh
# Runs Examples/chain.yaml and Examples/lbf-dumbbell-loopback.yaml emulated and on real nodes
# (UDP on loopback, each sending node emulating its links: rate, delay, loss), records
# `nip compare`'s rows with the commit, the date and the load into OUT, and renders BENCHMARKS.md's
# tables between the emulated-vs-real markers with scripts/emulated-vs-real-table.py.
#   scripts/emulated-vs-real.sh [NIP [OUT]]   (default .build/debug/nip docs/emulated-vs-real.json)
set -eu
nip=${1:-.build/debug/nip}
json=${2:-docs/emulated-vs-real.json}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for example in chain:1s lbf-dumbbell-loopback:3s; do
    name=${example%%:*}
    duration=${example#*:}
    "$nip" emulate "Examples/$name.yaml" --out "$out/$name-emulated" --quiet
    "$nip" run "Examples/$name.yaml" --duration "$duration" --out "$out/$name-real" --state "$out/$name-state" > /dev/null
    printf 'Examples/%s.yaml\t%s\n' "$name" "$duration" >> "$out/examples.tsv"
    # The rows are wanted even when a field is past the tolerance.
    "$nip" compare "$out/$name-emulated" "$out/$name-real" --markdown > "$out/$name.md" || true
done
python3 - "$out" "$json" <<'PY'
import datetime, json, os, subprocess, sys
out, path = sys.argv[1:]
examples = []
for line in open(f"{out}/examples.tsv"):
    topology, duration = line.rstrip("\n").split("\t")
    table = open(f"{out}/{os.path.basename(topology)[:-len('.yaml')]}.md").read().splitlines()[2:]
    # Cells name the results folders (an unmatched flow's row); they are temporary.
    rows = [dict(zip(["flow", "field", "a", "b", "difference"], (c.strip().replace(out + "/", "") for c in row.strip().strip("|").split("|"))))
            for row in table]
    examples.append({"topology": topology, "duration": duration, "rows": rows})
commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
data = {"commit": commit, "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2), "examples": examples}
with open(path, "w") as f:
    json.dump(data, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
"$(dirname "$0")/emulated-vs-real-table.py" "$json"
