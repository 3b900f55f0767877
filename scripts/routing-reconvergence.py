#!/usr/bin/env python3
"""Reconvergence of `routing: dynamic` after a link failure on a scale-free topology, in
virtual time, and the routing protocol's overhead; writes one JSON document.

    scripts/routing-reconvergence.py [--nip PATH] [--routers N] [--hosts H] [--out FILE]

1. `nip topology generate scale-free` with `--routing dynamic` (1 Gbps, 1 ms links), the hosts'
   flows (100 packets/s each) from 1.5 s on.
2. A baseline run to 2 s picks the link that carried the most flow packets (links.csv packets
   minus routing-links.csv control packets; the first in file order at a tie).
3. The same topology with that link down from 2 s to the end, run to 4 s: from
   routing-events.csv, every (node, prefix) that lost its route after the failure and the time
   it had one again; "reroute" is the latest such time after the failure (the carrier loss is
   seen at once, so detection takes no time); flow drops (the flows start after the initial
   convergence, so they are the failure's), and TTL expiries (transient loops) from results.json.
4. Control-plane overhead in the baseline's last second (1 s to 2 s, after the initial
   convergence): routing bytes per second per link direction (mean, max) and their share of
   the link rate.
"""
import argparse, csv, json, os, re, subprocess, sys, tempfile

parser = argparse.ArgumentParser()
parser.add_argument("--nip", default=".build/release/nip")
parser.add_argument("--routers", type=int, default=1000)
parser.add_argument("--hosts", type=int, default=20)
parser.add_argument("--out", default="-")
args = parser.parse_args()
work = tempfile.mkdtemp(prefix="reconvergence-")
FAIL_AT = 2_000_000_000
RATE = 1_000_000_000


def nip(*arguments):
    subprocess.run([args.nip, *arguments], check=True, stdout=subprocess.DEVNULL)


def rows(path):
    with open(path) as file:
        return list(csv.DictReader(file))


topology = os.path.join(work, "topology.yaml")
nip("topology", "generate", "scale-free", "--size", str(args.routers), "--hosts", str(args.hosts), "--routing", "dynamic",
    "--flow-rate", "100pps", "--flow-start", "1.5s", "--duration", "4s", "--output", topology)
text = open(topology).read()


def run(name, yaml):
    open(os.path.join(work, name + ".yaml"), "w").write(yaml)
    nip("emulate", os.path.join(work, name + ".yaml"), "--out", os.path.join(work, name))
    return os.path.join(work, name)


baseline = run("baseline", text.replace("duration: 4s", "duration: 2s", 1).replace("stop: 4s", "stop: 2s"))
control = {(r["from"], r["to"]): int(r["control_packets"]) for r in rows(os.path.join(baseline, "routing-links.csv"))}
flow_packets = {}
for r in rows(os.path.join(baseline, "links.csv")):
    key = tuple(sorted((r["from"], r["to"])))
    flow_packets[key] = flow_packets.get(key, 0) + int(r["packets"]) - control[(r["from"], r["to"])]
# The first link line whose two endpoints carried the most flow packets.
link_lines = [m for m in re.finditer(r"  - \{endpoints: \[(\S+), (\S+)\](.*)\}\n", text)]
best = max(link_lines, key=lambda m: (flow_packets.get(tuple(sorted((m.group(1), m.group(2)))), 0), -m.start()))
failed = f"{best.group(1)}–{best.group(2)}"
failure = run("failure", text[:best.end() - 2] + ", faults: {down: [2s, 4s]}}\n" + text[best.end():])

# Routes lost after the failure, and when each came back.
lost, back = {}, {}
for r in rows(os.path.join(failure, "routing-events.csv")):
    time, key = int(r["time_ns"]), (r["node"], r["prefix"])
    if time < FAIL_AT:
        continue
    if r["new_next_hop"] == "-":
        lost.setdefault(key, time)
        back.pop(key, None)
    elif key in lost and key not in back:
        back[key] = time
never = sorted(set(lost) - set(back))
results = json.load(open(os.path.join(failure, "results.json")))
drops = {}
for flow in results["flows"]:
    for reason, count in flow["drops"].items():
        drops[reason] = drops.get(reason, 0) + count
ttl = sum(node["drops"].get("ttl-expired", 0) for node in results["nodes"])

# Steady-state overhead: the files do not split routing bytes by time, so a run to 1 s (without
# the flows, which start later) gives the first second's bytes.
early = run("early", re.sub(r"flows:\n(  - .*\n)*", "flows: []\n", text.replace("duration: 4s", "duration: 1s", 1)))
first = {(r["from"], r["to"]): int(r["control_bytes"]) for r in rows(os.path.join(early, "routing-links.csv"))}
steady = [int(r["control_bytes"]) - first[(r["from"], r["to"])] for r in rows(os.path.join(baseline, "routing-links.csv"))]

document = {
    "routers": args.routers,
    "hosts": args.hosts,
    "link_directions": len(steady),
    "failed_link": failed,
    "failure_at_ns": FAIL_AT,
    "routes_lost": len(lost),
    "routes_never_back": len(never),
    "reroute_ns": (max(back.values()) - FAIL_AT) if back else None,
    "flow_drops": drops,
    "flow_packets_sent": sum(flow["sent"] for flow in results["flows"]),
    "ttl_expired": ttl,
    "control_bytes_per_s_per_link_direction": {"mean": sum(steady) / len(steady), "max": max(steady)},
    "control_share_of_link_rate": {"mean": sum(steady) * 8 / len(steady) / RATE, "max": max(steady) * 8 / RATE},
}
output = json.dumps(document, indent=2, sort_keys=True) + "\n"
if args.out == "-":
    sys.stdout.write(output)
else:
    open(args.out, "w").write(output)
