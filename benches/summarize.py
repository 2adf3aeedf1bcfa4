#!/usr/bin/env python3
"""Prints the medians of the last criterion run as a Markdown table, one row per algorithm,
with each entry's ratio to jwt-verify measured in the same group (same process, same run).

    python3 benches/summarize.py [CRITERION_DIR]

CRITERION_DIR defaults to $CARGO_TARGET_DIR/criterion, else target/criterion.
"""

import json
import os
import sys
from pathlib import Path

ALGS = ["HS256", "RS256", "PS256", "ES256"]


def load(root: Path):
    """{group: {function: median_ns}} from every <group>/<function>/new/ directory."""
    groups = {}
    for bench in root.glob("*/*/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        groups.setdefault(meta["group_id"], {})[meta["function_id"]] = est["median"][
            "point_estimate"
        ]
    return groups


def fmt_ns(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} µs"
    return f"{ns:.0f} ns"


def table(groups, suffix: str):
    rows = [(alg, groups.get(alg + suffix)) for alg in ALGS]
    rows = [(alg, g) for alg, g in rows if g]
    if not rows:
        return
    columns = ["raw primitive (floor)"]
    for _, g in rows:
        for name in g:
            if not name.startswith("raw") and name not in columns:
                columns.append(name)
    # The raw primitive first, jwt-verify second, peers after.
    columns.sort(key=lambda c: (not c.startswith("raw"), c != "jwt-verify", c))
    print("| alg | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for alg, g in rows:
        base = g.get("jwt-verify")
        cells = []
        for c in columns:
            label = ""
            if c.startswith("raw"):
                raw = [n for n in g if n.startswith("raw")]
                c = raw[0] if raw else c
                label = " " + c.removeprefix("raw ")
            v = g.get(c)
            if v is None:
                cells.append("")
            elif base and c != "jwt-verify":
                cells.append(f"{fmt_ns(v)} ({v / base:.2f}x){label}")
            else:
                cells.append(fmt_ns(v))
        print(f"| {alg} | " + " | ".join(cells) + " |")
    print()


def main():
    if len(sys.argv) > 1:
        root = Path(sys.argv[1])
    else:
        root = Path(os.environ.get("CARGO_TARGET_DIR", "target")) / "criterion"
    groups = load(root)
    if not groups:
        sys.exit(f"no criterion results under {root}")
    print("Medians; in parentheses, the ratio to jwt-verify in the same group.\n")
    table(groups, "")
    table(groups, "-aws-lc")


if __name__ == "__main__":
    main()
