"""Text hygiene for everything a person types: NFC, no control characters, tidy whitespace."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls except tab and newline, plus DEL; also lone surrogates and non-characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")

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
    """Normalise to NFC, strip control characters and collapse runs of spaces.

    Paragraph breaks (blank lines) survive in multi-line text because answers and questions may
    have several paragraphs; single-line fields (names) fold every newline into a space.
    """
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    if not multiline:
        text = text.replace("\n", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()
