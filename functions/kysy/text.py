"""Text hygiene for everything a person types: NFC, no control or format characters, tidy whitespace."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls except tab and newline, plus DEL; also lone surrogates and non-characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
# Joiners are format characters too, but emoji sequences (ZWJ) and some scripts (ZWNJ) need them
# between two visible characters; anywhere else they go like every other format character.
_JOINERS = {"\u200c", "\u200d"}


def _visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) != "Cf"


def strip_format_characters(text: str) -> str:
    """Remove Unicode format characters (category Cf: bidi overrides such as U+202E, U+2060 WORD
    JOINER, U+FEFF, soft hyphens ...): invisible, they can reorder or hide text and would let an
    empty-looking question pass the length check. A joiner between two visible characters stays."""
    if not any(unicodedata.category(c) == "Cf" for c in text):
        return text
    out: list[str] = []
    for i, char in enumerate(text):
        keep = unicodedata.category(char) != "Cf" or char == "\u200b"  # U+200B is folded as a space below
        joins = char in _JOINERS and bool(out) and _visible(out[-1]) and i + 1 < len(text) and _visible(text[i + 1])
        if keep or joins:
            out.append(char)
    return "".join(out)


# What does not count as a typed character in a length minimum: control characters, spaces and
# line separators, and invisible format characters (soft hyphen, zero-width and bidi controls, word
# joiners, BOM, ...): Unicode categories Cc, Cf, Zs, Zl, Zp in the Basic Multilingual Plane (Unicode
# 15.1; tests/unit/test_contract.py checks it against unicodedata). A regex character-class body with
# explicit ranges only, so ECMA-262 and Python read it alike (the API contract publishes it).
INVISIBLE = (
    "\\x00-\\x20\\x7f-\\xa0\\xad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890-\\u0891\\u08e2\\u1680\\u180e"
    "\\u2000-\\u200f\\u2028-\\u202f\\u205f-\\u2064\\u2066-\\u206f\\u3000\\ufeff\\ufff9-\\ufffb\\ufffe-\\uffff"
)


def clean_text(value: str, *, multiline: bool = True) -> str:
    """Normalise to NFC, strip control and format characters and collapse runs of spaces.

    Paragraph breaks (blank lines) survive in multi-line text because answers and questions may
    have several paragraphs; single-line fields (names) fold every newline into a space.
    """
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = strip_format_characters(_CONTROL.sub("", text))
    if not multiline:
        text = text.replace("\n", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()
