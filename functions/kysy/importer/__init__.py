"""Import Q&A posts (plain text, Markdown, HTML, WordPress exports, URLs) as question/answer pairs.

Pure Python: no AWS here. The CLI (``kysy import`` / ``kysy export``) wires this to the import
service. The HTML, Markdown and date libraries come with the ``import`` extra and are imported
only when a post needs them; no Lambda function imports this package.
"""

from __future__ import annotations

import hashlib
import unicodedata

from kysy.importer.cues import question_score
from kysy.importer.lang import detect_language
from kysy.importer.model import (
    PUBLISH_CONFIDENCE,
    REASONS,
    ImportFailed,
    Pair,
    ParsedPost,
    RecordMeta,
    Unplaced,
)
from kysy.importer.parse import parse_post
from kysy.importer.records import export_records
from kysy.importer.segment import REASON_TEXT
from kysy.importer.source import MAX_BYTES, decode_bytes, detect_format, read_source


def normalise_question(question: str) -> str:
    """Case, Unicode form and whitespace do not make a question different (as in earlier imports)."""
    return " ".join(unicodedata.normalize("NFKC", question).casefold().split())


def import_key(post_id: str, question: str) -> str:
    """Stable key of (post, question): importing the same post twice creates no duplicates."""
    digest = hashlib.sha256(f"{post_id}\x1f{normalise_question(question)}".encode())
    return f"import:{digest.hexdigest()[:32]}"


__all__ = [
    "MAX_BYTES",
    "PUBLISH_CONFIDENCE",
    "REASONS",
    "REASON_TEXT",
    "ImportFailed",
    "Pair",
    "ParsedPost",
    "RecordMeta",
    "Unplaced",
    "decode_bytes",
    "detect_format",
    "detect_language",
    "export_records",
    "import_key",
    "normalise_question",
    "parse_post",
    "question_score",
    "read_source",
]
