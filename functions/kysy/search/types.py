"""Public value types of the search engine (the API layer maps them to JSON)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SearchDoc:
    """One published Q&A record as the search engine sees it. ``lang`` is the post's language."""

    id: str
    post_id: str
    question: str
    answer: str
    lang: str

    def normalised(self) -> SearchDoc:
        """Same record in NFC, so highlight offsets computed on it are valid for the returned text."""
        q = unicodedata.normalize("NFC", self.question)
        a = unicodedata.normalize("NFC", self.answer)
        if q == self.question and a == self.answer:
            return self
        return replace(self, question=q, answer=a)


@dataclass(frozen=True)
class Highlight:
    """Matched word as a character range ``[start, end)`` into ``hit.doc.question`` (field "question")
    or ``hit.snippet`` (field "snippet"). Ranges, not HTML, so the widget escapes text itself."""

    field: str
    start: int
    end: int


@dataclass(frozen=True)
class SearchHit:
    doc: SearchDoc
    score: float
    snippet: str
    highlights: list[Highlight]
