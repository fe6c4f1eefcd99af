"""Reading a source file safely: size limit, binary detection, encodings, format sniffing."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from kysy.importer.model import ImportFailed

MAX_BYTES = 5_000_000

_EXTENSIONS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "json",
    ".csv": "csv",
}

# Magic numbers of formats people may pick by mistake.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (e.g. a Word .docx file)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
)

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def read_source(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[str, str]:
    """Read and decode ``path``; return ``(text, format)``. Never reads more than ``max_bytes`` + 1 bytes."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_large(size, max_bytes)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise ImportFailed("not_found", f"File not found: {path}") from None
    except IsADirectoryError:
        raise ImportFailed("not_a_file", f"{path} is a directory, not a file.") from None
    except PermissionError:
        raise ImportFailed("unreadable", f"No permission to read {path}.") from None
    if len(data) > max_bytes:  # the file grew after stat(), or stat() lied (e.g. a pipe)
        raise _too_large(len(data), max_bytes)
    text = decode_bytes(data)
    return text, detect_format(text, path.suffix)


def _too_large(size: int, max_bytes: int) -> ImportFailed:
    return ImportFailed(
        "too_large",
        f"The file is {size / 1_000_000:.1f} MB; the importer accepts at most {max_bytes / 1_000_000:.1f} MB. "
        "A Q&A post is normally a few kilobytes: check that this is the right file.",
    )


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM) and UTF-16 with a BOM; anything else is refused with a clear message."""
    if not data.strip():
        raise ImportFailed("empty", "The file is empty: there is nothing to import.")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ImportFailed("encoding", "The file is UTF-32 encoded; save it as UTF-8 and try again.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                "encoding", f"The file starts like UTF-16 but is not valid UTF-16 (byte {exc.start})."
            ) from None
    else:
        for magic, what in _MAGIC:
            if data.startswith(magic):
                raise ImportFailed(
                    "binary", f"This looks like {what}, not a text post. Export it as text, Markdown or HTML first."
                )
        if b"\x00" in data:
            raise ImportFailed(
                "binary",
                "The file contains binary data (NUL bytes), not text. UTF-16 files "
                "must start with a byte order mark; otherwise save the post as UTF-8.",
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ImportFailed(
                "encoding",
                f"The file is not valid UTF-8 (first bad byte at line {line}). It is probably in an older "
                "encoding such as Windows-1252 or ISO-8859-1: save it as UTF-8 and try again.",
            ) from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFailed("empty", "The file is empty: there is nothing to import.")
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 100):
        raise ImportFailed("binary", "The file contains many control characters: it is binary data, not text.")
    return text


_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|body|p|div|h[1-6]|article|section)\b", re.IGNORECASE)
_MD_SNIFF = re.compile(r"^(?:#{1,6}\s|\*\*[^*\n]+\*\*|[-*]\s|\d+\.\s)|\[[^\]\n]+\]\([^)\s]+\)", re.MULTILINE)


def detect_format(text: str, suffix: str = "") -> str:
    """Format from the file extension, else from the content."""
    by_suffix = _EXTENSIONS.get(suffix.lower())
    if by_suffix:
        return by_suffix
    head = text.lstrip()[:4000]
    if head.startswith(("{", "[")):
        return "json"
    if _HTML_SNIFF.search(head):
        return "html"
    first = head.split("\n", 1)[0].lower().replace('"', "")
    if "question" in first.split(",") or "kysymys" in first.split(","):
        return "csv"
    if _MD_SNIFF.search(head):
        return "md"
    return "txt"
