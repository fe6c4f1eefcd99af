"""Data shapes of the importer: what a parsed post looks like and how an import fails."""

from __future__ import annotations

from dataclasses import dataclass

from kysy.errors import KysyError


class ImportFailed(KysyError, ImportError):
    """The source cannot be imported; ``code`` is machine-readable, ``message`` is for a person.

    It is also an ``ImportError`` (as issue 3 asks) and a ``KysyError`` so the API error mapping
    handles it like every other domain error.
    """

    code = "import_failed"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class Pair:
    """One question and its answer; ``position`` is the 0-based order of the pair in the post."""

    question: str
    answer: str
    position: int


@dataclass(frozen=True)
class Unplaced:
    """Text that is neither intro, metadata, a question nor an answer.

    ``position`` is the 0-based index of the paragraph (block) in the source, so a person can
    find it; ``reason`` is a stable code (see ``REASONS``).
    """

    text: str
    reason: str
    position: int


REASONS: dict[str, str] = {
    "answer_without_question": "an answer whose question is missing",
    "question_without_answer": "a question that has no answer",
    "section_heading": "a heading between the questions and answers",
    "removed_markup": "script, style or embedded content removed (never imported)",
}


@dataclass(frozen=True)
class ParsedPost:
    title: str | None
    date: str | None
    intro: list[str]
    lang: str
    format: str
    pairs: list[Pair]
    report: list[Unplaced]


@dataclass
class Block:
    """A paragraph-level piece of the source before it is classified.

    ``gap`` is the number of blank lines before the block in text formats (0 = it continues the
    previous block, e.g. the next item of the same list); more than one blank line is a layout
    hint that a new question starts. ``lead``/``rest`` split a paragraph that starts with a bold
    span ("**Question?** Answer ...").
    """

    text: str
    kind: str = "para"  # para | heading | item | dt | dd
    level: int = 0  # heading level; 0 = a text line that acts as a heading ("Questions:")
    bold: bool = False
    lead: str | None = None
    rest: str | None = None
    marker: str = ""  # list marker of an item, e.g. "- " or "1. "
    gap: int = 1
    prefix: str = ""  # "q" / "a" when the block starts with Q:/K:/A:/V: (already stripped)
    pos: int = -1  # index of the block in the source, for the report

    def as_content(self) -> str:
        """The block as it goes into an answer or the intro (list items keep their marker)."""
        return f"{self.marker}{self.text}" if self.kind == "item" else self.text
