#!/usr/bin/env python3
"""The routing protocol's overhead (`routing: dynamic`) per authentication mode, in virtual
time; writes one JSON document.

    scripts/routing-reconvergence-overhead.py [--nip PATH] [--routers N] [--hosts H] [--out FILE]
        [--work DIR] [--churn-modes MODE...]

1. The 1,000-router scale-free topology of scripts/routing-reconvergence.py (1 Gbps links),
   without flows. Per mode (`authentication: hmac`, `signature`): runs to 1 s and to 3 s;
   the routing bytes each link direction carried between them, per second, is the steady state.
   The same to 3 s with churn from 1 s on: the CHURN_LINKS busiest-by-degree links each flap
   (down 0.5 s every 1 s, from 1 s), and one router crashes from 1.5 s to 2.5 s.
2. The demo network (Examples/demo.yaml) with `routing: {protocol: dynamic, authentication:
   MODE}`, without flows: routing bytes per second per link direction from 1 s to 2 s, and
   their share of the link's rate (mean and max over directions).
routing-links.csv counts the whole UDP packets (New IP header included), as the link carries them.
--work reuses the runs a previous invocation finished in DIR (the topology is generated the same
from the seed); --churn-modes limits the churn runs, the slowest, to the modes named.
"""
import argparse, csv, json, os, re, subprocess, sys, tempfile
import yaml

parser = argparse.ArgumentParser()
parser.add_argument("--nip", default=".build/release/nip")
parser.add_argument("--routers", type=int, default=1000)
parser.add_argument("--hosts", type=int, default=20)
parser.add_argument("--demo", default="Examples/demo.yaml")
parser.add_argument("--out", default="-")
parser.add_argument("--work")
parser.add_argument("--churn-modes", nargs="*", default=["hmac", "signature"])
args = parser.parse_args()
work = args.work or tempfile.mkdtemp(prefix="routing-overhead-")
MODES = ["hmac", "signature"]
CHURN_LINKS = 10
RATE = 1_000_000_000


def nip(*arguments):
    subprocess.run([args.nip, *arguments], check=True, stdout=subprocess.DEVNULL)


def run(name, text):
    path = os.path.join(work, name + ".yaml")
    if not os.path.exists(os.path.join(work, name, "routing-links.csv")) or open(path).read() != text:
        open(path, "w").write(text)
        nip("emulate", path, "--out", os.path.join(work, name))
    with open(os.path.join(work, name, "routing-links.csv")) as file:
        return {(r["from"], r["to"]): int(r["control_bytes"]) for r in csv.DictReader(file)}


def with_routing(text, mode, duration):
    text = re.sub(r"^routing: .*\n", "", text, count=1, flags=re.M)
    routing = f"routing: {{protocol: dynamic, authentication: {mode}}}"
    text = re.sub(r"^duration: .*$", f"duration: {duration}\n{routing}", text, count=1, flags=re.M)
    return re.sub(r"^flows:\n(  - .*\n(    .*\n)*)*", "flows: []\n", text, flags=re.M)


def per_second(before, after, seconds):
    return {key: (after[key] - before.get(key, 0)) / seconds for key in after}


def summary(rates):
    values = list(rates.values())
    return {"mean": sum(values) / len(values), "max": max(values)}


topology = os.path.join(work, "topology.yaml")
nip("topology", "generate", "scale-free", "--size", str(args.routers), "--hosts", str(args.hosts), "--routing", "dynamic",
    "--duration", "3s", "--output", topology)
text = open(topology).read()
link_lines = list(re.finditer(r"  - \{endpoints: \[(\S+), (\S+)\](.*)\}\n", text))
degree = {}
for m in link_lines:
    for end in (m.group(1), m.group(2)):
        degree[end.split(":")[0]] = degree.get(end.split(":")[0], 0) + 1
# The links between the best-connected routers: their flaps reach the most routes.
flapping = sorted(link_lines, key=lambda m: (-(degree[m.group(1).split(":")[0]] + degree[m.group(2).split(":")[0]]), m.start()))[:CHURN_LINKS]
crashed = max(degree, key=lambda node: (degree[node], node))
churn = text
for m in sorted(flapping, key=lambda m: -m.start()):
    churn = churn[:m.end() - 2] + ", faults: {down: [[1s, 1.5s], [2s, 2.5s]]}}\n" + churn[m.end():]
churn = re.sub(rf"^  {re.escape(crashed)}:\n", lambda m: m.group(0) + "    faults: {crash: [1.5s, 2.5s]}\n", churn, count=1, flags=re.M)
if "crash: [1.5s" not in churn:
    sys.exit(f"could not add a crash to {crashed}'s node line")

demo_text = open(args.demo).read()
demo = yaml.safe_load(demo_text)
units = {"kbps": 1e3, "Mbps": 1e6, "Gbps": 1e9, "bps": 1}
rates = {}
for link in demo["links"]:
    rate = next(float(link["rate"][:-len(u)]) * f for u, f in units.items() if link["rate"].endswith(u))
    a, b = link["endpoints"]
    rates[(a, b)] = rates[(b, a)] = rate

document = {"routers": args.routers, "hosts": args.hosts, "churn": {
    "flapping_links": [f"{m.group(1)}–{m.group(2)}" for m in flapping], "flaps": "down 1–1.5 s and 2–2.5 s",
    "crashed_router": crashed, "crash": "1.5–2.5 s"}, "modes": {}}
for mode in MODES:
    first = run(f"{mode}-1s", with_routing(text, mode, "1s"))
    steady = per_second(first, run(f"{mode}-3s", with_routing(text, mode, "3s")), 2)
    churned = per_second(first, run(f"{mode}-churn", with_routing(churn, mode, "3s")), 2) if mode in args.churn_modes else None
    demo_first = run(f"demo-{mode}-1s", with_routing(demo_text, mode, "1s"))
    demo_rates = per_second(demo_first, run(f"demo-{mode}-2s", with_routing(demo_text, mode, "2s")), 1)
    # Directions that carry routing at all (not the gateway's IPv6 side).
    demo_rates = {key: value for key, value in demo_rates.items() if value > 0}
    shares = {key: value * 8 / rates[key] for key, value in demo_rates.items()}
    document["modes"][mode] = {
        "scale_free_steady_bytes_per_s_per_link_direction": summary(steady),
        "scale_free_churn_bytes_per_s_per_link_direction": churned and summary(churned),
        "scale_free_steady_share_of_link_rate": summary({k: v * 8 / RATE for k, v in steady.items()}),
        "scale_free_churn_share_of_link_rate": churned and summary({k: v * 8 / RATE for k, v in churned.items()}),
        "demo_bytes_per_s_per_link_direction": summary(demo_rates),
        "demo_share_of_link_rate": summary(shares),
        "demo_busiest_share": "–".join(max(shares, key=shares.get)),
    }
output = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
if args.out == "-":
    sys.stdout.write(output)
else:
    open(args.out, "w").write(output)
