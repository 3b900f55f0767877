#!/usr/bin/env python3
"""Exits non-zero when two results.json files disagree on any field both of them have: builds
of different ages may add fields (`by_deadline`), which says nothing about whether their
emulations agree.

    scripts/same-results.py BEFORE/results.json AFTER/results.json
"""
import json
import sys


def common(a, b):
    """The parts of a and b that both have (keys present in both, lists of equal length)."""
    if isinstance(a, dict) and isinstance(b, dict):
        pairs = {k: common(a[k], b[k]) for k in a.keys() & b.keys()}
        return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = [common(x, y) for x, y in zip(a, b)]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    return a, b


x, y = common(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
if x != y:
    sys.exit(f"{sys.argv[1]} and {sys.argv[2]} differ in fields both have")
