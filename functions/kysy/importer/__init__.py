"""Import Q&A posts (plain text, Markdown, HTML) as question/answer pairs, and export records.

Pure Python: no AWS here. The CLI (``kysy import`` / ``kysy export``) wires this to the store.
"""

from __future__ import annotations

import hashlib
import unicodedata

from kysy.importer.lang import detect_language
from kysy.importer.model import REASONS, ImportFailed, Pair, ParsedPost, Unplaced
from kysy.importer.parse import parse_post, question_score
from kysy.importer.records import export_records
from kysy.importer.source import MAX_BYTES, decode_bytes, detect_format, read_source


def normalise_question(question: str) -> str:
    """Case, Unicode form and whitespace do not make a question different."""
    return " ".join(unicodedata.normalize("NFKC", question).casefold().split())


def import_key(post_id: str, pair: Pair) -> str:
    """Stable key of (post, question): importing the same post twice creates no duplicates."""
    digest = hashlib.sha256(f"{post_id}\x1f{normalise_question(pair.question)}".encode())
    return f"import:{digest.hexdigest()[:32]}"


__all__ = [
    "MAX_BYTES",
    "REASONS",
    "ImportFailed",
    "Pair",
    "ParsedPost",
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
