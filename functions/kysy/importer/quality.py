"""Score parsed posts against hand-written expectations: pairs exact / expected, invented pairs.

Shared by ``bench/import_quality.py`` (prints the figures) and the test that requires every
fixture to be exact. An expectation is a JSON file with title, date, language, intro, outro,
pairs (question, answer, asker) and report (reason, text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kysy.importer import normalise_question, parse_post, read_source


@dataclass
class FileScore:
    name: str
    expected: int
    exact: int
    invented: int
    found: int
    drafts: int
    mismatches: list[str] = field(default_factory=list)  # fields other than pairs that differ

    @property
    def perfect(self) -> bool:
        return self.exact == self.expected == self.found and not self.invented and not self.mismatches


def _pair_key(pair: dict[str, Any]) -> tuple[str, str, str]:
    return (pair["question"], pair["answer"], pair.get("asker") or "")


def compare(got: dict[str, Any], expected: dict[str, Any], name: str = "") -> FileScore:
    """``got`` is ``ParsedPost.as_dict()``; a pair is exact when question, answer and asker all match."""
    got_pairs = [_pair_key(p) for p in got["pairs"]]
    expected_pairs = [_pair_key(p) for p in expected["pairs"]]
    exact = sum(1 for pair in expected_pairs if pair in got_pairs)
    known = {normalise_question(q) for q, _, _ in expected_pairs}
    invented = sum(1 for q, _, _ in got_pairs if normalise_question(q) not in known)
    mismatches = [key for key in ("title", "date", "language", "intro", "outro") if got.get(key) != expected.get(key)]
    got_report = [(r["reason"], r["text"]) for r in got["report"]]
    if got_report != [(r["reason"], r["text"]) for r in expected.get("report", [])]:
        mismatches.append("report")
    drafts = sum(1 for p in got["pairs"] if p.get("needs_check"))
    return FileScore(name, len(expected_pairs), exact, invented, len(got_pairs), drafts, mismatches)


def score_dir(posts: Path, expected: Path) -> list[FileScore]:
    """Every post in ``posts`` that has ``<name>.json`` in ``expected``."""
    scores = []
    for path in sorted(posts.iterdir()):
        wanted = expected / f"{path.name}.json"
        if not path.is_file() or not wanted.exists():
            continue
        text, fmt = read_source(path)
        parsed = parse_post(text, fmt=fmt).as_dict()
        scores.append(compare(parsed, json.loads(wanted.read_text(encoding="utf-8")), path.name))
    return scores
