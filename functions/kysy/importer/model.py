"""Data shapes of the importer: what a parsed post looks like and how an import fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kysy.errors import KysyError

# A pair below this confidence is imported as a pending draft flagged for an editor's check.
PUBLISH_CONFIDENCE = 0.7


class ImportFailed(KysyError, ImportError):
    """The source cannot be imported; ``code`` is machine-readable, ``message`` is for a person.

    It is also an ``ImportError`` (as issue 3 asks) and a ``KysyError`` so the API error mapping
    handles it like every other domain error.
    """

    code = "import_failed"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class RecordMeta:
    """What a Kysy export says about a record besides its text: restored on re-import."""

    id: str = ""
    status: str = ""  # published | pending | rejected
    asked_at: str = ""
    answered_at: str = ""
    flags: tuple[str, ...] = ()
    reject_reason: str = ""
    duplicate_of: str = ""
    source: str = ""


@dataclass(frozen=True)
class Pair:
    """One question and its answer; ``position`` is the 0-based order of the pair in the post.

    ``confidence`` (0..1) says how sure the parser is that this is exactly one question with its
    whole answer; ``reasons`` explain a low confidence to the editor who checks the draft.
    """

    question: str
    answer: str
    position: int
    asker: str = ""
    confidence: float = 1.0
    reasons: tuple[str, ...] = ()
    record: RecordMeta | None = None

    @property
    def needs_check(self) -> bool:
        return self.confidence < PUBLISH_CONFIDENCE


@dataclass(frozen=True)
class Unplaced:
    """Text that is neither intro, outro, a question nor an answer (or a note about the post).

    ``position`` is the 0-based index of the paragraph (block) in the post, -1 for notes about
    the whole post; ``reason`` is a stable code (see ``REASONS``).
    """

    text: str
    reason: str
    position: int


REASONS: dict[str, str] = {
    "answer_without_question": "an answer whose question is missing",
    "question_without_answer": "a question that has no answer",
    "section_heading": "a heading between the questions and answers",
    "between_pairs": "text between the questions and answers that belongs to no answer",
    "metadata": "a byline or other metadata line",
    "no_date": "no publication date found in the post: the import time is used",
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
    outro: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # page chrome left out (navigation, comments, ...)
    url: str = ""
    slug: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The post as the CLI's ``--json`` prints it (statuses are decided by the import service)."""
        return {
            "title": self.title,
            "date": self.date,
            "language": self.lang,
            "format": self.format,
            "intro": self.intro,
            "outro": self.outro,
            "pairs": [
                {
                    "question": p.question,
                    "answer": p.answer,
                    "asker": p.asker or None,
                    "confidence": round(p.confidence, 2),
                    "needs_check": p.needs_check,
                    "reasons": list(p.reasons),
                }
                for p in self.pairs
            ],
            "report": [{"reason": u.reason, "text": u.text, "position": u.position} for u in self.report],
            "removed": self.removed,
        }


@dataclass
class Block:
    """A paragraph-level piece of the post before it is classified.

    Readers (txt, Markdown, HTML) fill in what the structure says; the segmenter decides roles.
    ``group`` ties blocks to one container that holds exactly one answer (an accordion's
    ``<details>``, a ``<dd>``): -1 when outside any. ``gap`` is the number of blank lines before
    the block in plain text (0 = the next line of the same list), 1 elsewhere.
    """

    text: str
    kind: str = "para"  # para | heading | item | summary | dt | dd | quote | code
    level: int = 0  # heading level; 0 = a text line that acts as a heading ("Questions:")
    bold: bool = False  # the whole block is bold/strong
    italic: bool = False  # the whole block is emphasised
    lead: str | None = None  # a bold run that opens the block ...
    rest: str | None = None  # ... and the text after it
    marker: str = ""  # list marker of an item as written back into answers: "- " or "1. "
    list_id: int = -1  # items of one list share it
    ordinal: int = 0  # the number of an ordered item, or of a numbered paragraph ("3) ...")
    list_size: int = 0  # items in the block's list
    gap: int = 1
    label: str = ""  # "q" / "a" when the block started with Q:/K:/A:/V: (already stripped)
    speaker: str = ""  # "Name" from "Name:" / "Name kysyi:" (stripped); decided later: asker or host
    speaker_asks: bool = False  # the prefix said so ("kysyi", "asks") rather than a bare "Name:"
    speaker_prefix: str = ""  # the stripped "Name: " as written, to put back if it is no speaker
    host: bool = False  # the speaker prefix named the person who answers (removed from the text)
    numbered_text: str = ""  # the text without its leading number, for a numbered question
    group: int = -1
    links_only: bool = False  # every word of the block is link text
    rule_before: bool = False  # a thematic break (---, <hr>) precedes the block
    pos: int = -1  # index of the block in the post, for the report

    def as_content(self) -> str:
        """The block as it goes into an answer, the intro or the outro (list items keep their marker)."""
        return f"{self.marker}{self.text}" if self.kind == "item" else self.text
