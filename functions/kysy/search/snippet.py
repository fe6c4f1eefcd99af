"""Snippets and highlight ranges for the top hits only (re-tokenising a few records is cheaper than
storing positions for every posting)."""

from __future__ import annotations

from . import analysis
from .types import Highlight, SearchDoc, SearchHit

SNIPPET_CHARS = 240
_LEAD = 60  # characters of context kept before the first match
ELLIPSIS = "…"


def _matches(text: str, terms: set[str], lang: str) -> list[tuple[int, int]]:
    """Spans of tokens whose index terms are among the matched terms.

    Stems keep the first characters of their word, so a 3-character prefix check skips stemming of
    nearly every non-matching token (this made highlighting, not ranking, the largest query cost)."""
    heads = {t[:3] for t in terms}
    spans: list[tuple[int, int]] = []
    for match in analysis.TOKEN_RE.finditer(text):
        word = match.group().casefold()
        if not any(part[:3] in heads or part in heads for part in word.split("-")):
            continue
        if not terms.isdisjoint(analysis.word_terms(word, lang)):
            spans.append((match.start(), match.end()))
    return spans


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """Start/end of the excerpt: the SNIPPET_CHARS window holding the most matches, snapped to spaces."""
    if len(text) <= SNIPPET_CHARS:
        return 0, len(text)
    best_start, best_count = 0, -1
    for s, _ in spans:
        start = max(0, s - _LEAD)
        count = sum(1 for a, b in spans if a >= start and b <= start + SNIPPET_CHARS)
        if count > best_count:
            best_start, best_count = start, count
    start = best_start
    if start > 0:
        space = text.find(" ", start)
        if 0 <= space < start + _LEAD // 2 and (not spans or space < spans[0][0] or space < start + 20):
            start = space + 1
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > start + SNIPPET_CHARS // 2:
            end = space
    return start, end


def make_hit(doc: SearchDoc, score: float, terms: set[str], lang: str) -> SearchHit:
    """Build a hit: question highlights + an answer excerpt with highlights relative to the excerpt."""
    highlights = [Highlight("question", s, e) for s, e in _matches(doc.question, terms, lang)]
    spans = _matches(doc.answer, terms, lang)
    start, end = _window(doc.answer, spans)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(doc.answer) else ""
    snippet = prefix + doc.answer[start:end] + suffix
    shift = len(prefix) - start
    highlights += [Highlight("snippet", s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return SearchHit(doc=doc, score=score, snippet=snippet, highlights=highlights)
