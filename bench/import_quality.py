"""Import quality on hand-written posts: pairs exact / expected per file and in total, invented pairs.

    .venv/bin/python bench/import_quality.py                     # tests/fixtures/posts vs tests/fixtures/expected
    .venv/bin/python bench/import_quality.py POSTS_DIR EXPECTED_DIR   # any other (e.g. held-out) set

An expectation is ``<post file name>.json`` with title, date, language, intro, outro, pairs
(question, answer, asker) and report. A pair is exact when question, answer and asker all match;
an invented pair is one whose question is none of the expected questions (must be 0).
"""

from __future__ import annotations

import sys
from pathlib import Path

from kysy.importer.quality import score_dir

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    posts = Path(argv[0]) if argv else ROOT / "tests" / "fixtures" / "posts"
    expected = Path(argv[1]) if len(argv) > 1 else ROOT / "tests" / "fixtures" / "expected"
    scores = score_dir(posts, expected)
    width = max((len(s.name) for s in scores), default=10)
    print(f"{'post':<{width}}  exact/expected  found  invented  drafts  other fields that differ")
    for s in scores:
        other = ", ".join(s.mismatches) or "-"
        print(f"{s.name:<{width}}  {s.exact:>5}/{s.expected:<8}  {s.found:>5}  {s.invented:>8}  {s.drafts:>6}  {other}")
    exact = sum(s.exact for s in scores)
    total = sum(s.expected for s in scores)
    invented = sum(s.invented for s in scores)
    perfect = sum(s.perfect for s in scores)
    share = exact / total if total else 0.0
    print(
        f"\nTotal: {exact}/{total} pairs exact ({share:.1%}), invented pairs {invented}, "
        f"drafts {sum(s.drafts for s in scores)}, files fully right {perfect}/{len(scores)}"
    )
    return 0 if exact == total and invented == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
