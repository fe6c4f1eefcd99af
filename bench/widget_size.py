"""Size of what the widget's first view downloads, next to comparable embeds.

Usage: python bench/widget_size.py [path/to/kysy.js ...]
Exits 1 when the first view is over the 5,120-byte gzip -9 budget.
The first view is one file: functions/kysy/static/widget/kysy.js (JS + inlined CSS + fi and en strings).
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

BUDGET = 5120
ROOT = Path(__file__).resolve().parents[1]
FIRST_VIEW = [ROOT / "functions" / "kysy" / "static" / "widget" / "kysy.js"]
# Approximate gzip size of each peer's first-view widget JS+CSS (public figures, for scale).
PEERS = [
    ("Cusdis", 10_000),
    ("Commento", 14_000),
    ("utterances", 18_000),
    ("Isso", 22_000),
    ("Remark42", 65_000),
    ("giscus", 80_000),
]


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or FIRST_VIEW
    raw = gz = 0
    for f in files:
        data = f.read_bytes()
        size = len(gzip.compress(data, compresslevel=9, mtime=0))
        print(f"{f.relative_to(ROOT) if f.is_relative_to(ROOT) else f}: {len(data):,} B raw, {size:,} B gzip -9")
        raw += len(data)
        gz += size
    rows = [("Kysy (this build)", gz), *PEERS]
    print(f"\n{'widget':<20}{'gzip':>10}")
    for name, size in sorted(rows, key=lambda r: r[1]):
        approx = "" if name.startswith("Kysy") else " ≈"
        print(f"{name:<20}{size:>10,} B{approx}")
    print(f"\nfirst view: {raw:,} B raw, {gz:,} B gzip -9, budget {BUDGET:,} B")
    if gz > BUDGET:
        print(f"OVER BUDGET by {gz - BUDGET} B", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
