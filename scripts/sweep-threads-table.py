#!/usr/bin/env python3
"""Renders BENCHMARKS.md's multi-seed sweep table (between the sweep-threads markers) from the
JSON scripts/sweep-threads.sh writes (`--check`: fails instead when the table differs):

    scripts/sweep-threads-table.py docs/sweep-threads.json
"""
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(__file__))
from benchtable import arguments, publishing  # noqa: E402

source = arguments()[0]
data = json.load(open(source))
one, many = statistics.median(data["wall_s_one_thread"]), statistics.median(data["wall_s_all_cores"])
cores = data["threads"][1]
with publishing("sweep-threads", script="scripts/sweep-threads-table.py", sources=[source]):
    print(f"| scenario | seeds | 1 thread: wall (median of {len(data['wall_s_one_thread'])}) "
          f"| {cores} threads: wall (median of {len(data['wall_s_all_cores'])}) | speed-up | output |")
    print("|---|---:|---:|---:|---:|---|")
    print(f"| {data['scenario']} | {data['seeds']} | {one:.2f} s | {many:.2f} s | {one / many:.2f}× "
          f"| {'byte-identical' if data['identical_outputs'] else 'DIFFERENT'} |")
    print(f"\n{data['machine']}; commit {data['commit']}.")
