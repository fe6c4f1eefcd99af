"""What the widget's first view and the whole widget download, gzip -9, per language, next to peers.

Usage: python bench/widget_size.py
The first view is kysy.js (list, styles, JSON-LD, loader) plus ONE language's strings file; the second
chunk (search and the ask form, with that language's strings) loads when the reader reaches or touches
them, or when the browser is idle. Files per language come from functions/kysy/static/widget/manifest.json
(written by widget/build.mjs). Exits 1 when any language is over either budget.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDGET = ROOT / "functions" / "kysy" / "static" / "widget"
# Approximate gzip size of each peer's first-view widget JS+CSS (public figures, for scale).
PEERS = [
    ("Cusdis", 10_000),
    ("Commento", 14_000),
    ("utterances", 18_000),
    ("Isso", 22_000),
    ("Remark42", 65_000),
    ("giscus", 80_000),
]


def gz(name: str) -> tuple[int, int]:
    data = (WIDGET / name).read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=9, mtime=0))


def main() -> int:
    manifest = json.loads((WIDGET / "manifest.json").read_text(encoding="utf-8"))
    first_budget, total_budget = manifest["budgets"]["first_view"], manifest["budgets"]["total"]
    print(f"{'lang':<5}{'first view raw':>15}{'gzip':>8}{'2nd chunk gzip':>16}{'total gzip':>12}")
    worst_first = worst_total = 0
    for lang, files in manifest["languages"].items():
        first = [gz(f) for f in files["first_view"]]
        second = [gz(f) for f in files["second_chunk"]]
        first_gz = sum(g for _, g in first)
        total_gz = first_gz + sum(g for _, g in second)
        print(
            f"{lang:<5}{sum(r for r, _ in first):>13,} B{first_gz:>6,} B{total_gz - first_gz:>14,} B{total_gz:>10,} B"
        )
        worst_first, worst_total = max(worst_first, first_gz), max(worst_total, total_gz)
    print(f"\nlargest first view {worst_first:,} B gzip -9 (budget {first_budget:,}); ", end="")
    print(f"largest total {worst_total:,} B (budget {total_budget:,})")
    rows = [("Kysy first view", worst_first), ("Kysy total", worst_total), *PEERS]
    print(f"\n{'widget':<20}{'gzip':>10}")
    for name, size in sorted(rows, key=lambda r: r[1]):
        approx = "" if name.startswith("Kysy") else " ≈"
        print(f"{name:<20}{size:>10,} B{approx}")
    if worst_first > first_budget or worst_total > total_budget:
        print("OVER BUDGET", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
