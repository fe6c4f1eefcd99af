"""Publication dates and metadata lines: "Julkaistu 3.5.2026", "Published 2026-04-14", "By Jane · 1 July 2026".

Numeric dates are read here; dates with month names (any inflection dateparser knows, in Finnish
and English) are read by dateparser, which comes with the ``import`` extra. Only lines that are
dates (or say "published"/"julkaistu" before one) count: a date mentioned inside an answer never
becomes the post's date, and with no date found the caller says so instead of inventing one.
"""

from __future__ import annotations

import re
from datetime import date

from kysy.importer.optional import needs

_LABEL = (
    r"(?:date|dated|published(?: on)?|posted(?: on)?|written(?: on)?|julkaistu|julkaisupäivä|julkaisu|"
    r"päivämäärä|päiväys|pvm|kirjoitettu)"
)
_UPDATED = r"(?:last updated|last modified|updated|modified|edited|viimeksi päivitetty|päivitetty|muokattu)"
_MONTH_WORD = r"[^\W\d_]{3,}\.?"
_DATE = (
    r"(?P<iso>\d{4}-\d{1,2}(?:-\d{1,2})?)(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|(?P<dmy>\d{1,2})\.\s?(?P<dm>\d{1,2})\.\s?(?P<dy>\d{4})"
    rf"|(?P<named>\d{{1,2}}\.?\s+{_MONTH_WORD},?\s+\d{{4}}|{_MONTH_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
DATE = re.compile(_DATE, re.IGNORECASE)
_WEEKDAY = r"(?:[^\W\d_]+(?:na|day),?\s+)?"
# "date 2021-12 text..." / "Julkaistu 3.12.2021" at the start of a paragraph.
_KEYED = re.compile(rf"^\s*{_LABEL}\s*:?\s*{_WEEKDAY}(?:{_DATE})(?=[\s,;.·|]|$)[\s,;.·|]*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,;:.·|•/–—\-()]+")
_BYLINE = re.compile(
    r"^(?:by|written by|posted by|author|text|words|kirjoittaja|kirjoittanut|kirjoittajat|teksti|tekijä|laatija)"
    r"\b\s*:?\s*\S",
    re.IGNORECASE,
)
_BY_INSIDE = re.compile(r"\b(?:by|kirjoittanut|kirjoittaja|teksti)\b\s*:?\s*[A-ZÅÄÖ]", re.IGNORECASE)
_READING = re.compile(r"\b\d+\s*(?:min(?:ute)?s?|minuutin?)\b(?:\s*(?:read|lukuaika|luku))?|\blukuaika\b", re.I)


def iso_date(value: str) -> str | None:
    """``yyyy-mm-dd`` (or ``yyyy-mm``) from one date expression; None when it is no valid date."""
    match = DATE.search(value)
    if not match:
        return None
    if match.group("iso"):
        parts = [int(p) for p in match.group("iso").split("-")]
        if not 1 <= parts[1] <= 12:
            return None
        if len(parts) == 2:
            return f"{parts[0]:04d}-{parts[1]:02d}"
        return _valid(parts[0], parts[1], parts[2])
    if match.group("dmy"):
        return _valid(int(match.group("dy")), int(match.group("dm")), int(match.group("dmy")))
    return _named(match.group("named"))


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _named(text: str) -> str | None:
    with needs("dateparser"):
        import dateparser
    parsed = dateparser.parse(
        text,
        languages=["fi", "en", "sv"],
        settings={"REQUIRE_PARTS": ["day", "month", "year"], "DATE_ORDER": "DMY", "PARSERS": ["absolute-time"]},
    )
    return parsed.date().isoformat() if parsed else None


def date_line(text: str) -> tuple[str | None, str]:
    """What a short line says: ``(date, kind)`` with kind "date" (nothing but a date and its label),
    "meta" (a byline or reading time, maybe with a date) or "" (ordinary text)."""
    stripped = text.strip()
    if not stripped or len(stripped) > 160 or "?" in stripped:
        return None, ""
    found: str | None = None
    published: str | None = None
    rest = stripped
    for match in DATE.finditer(stripped):
        value = iso_date(match.group(0))
        if value is None:
            continue
        before = stripped[: match.start()].lower()
        if re.search(rf"{_UPDATED}\s*:?\s*{_WEEKDAY}$", before, re.IGNORECASE) is None:
            published = published or value
        found = found or value
        rest = rest.replace(match.group(0), " ", 1)
    date_value = published or found
    rest = re.sub(rf"{_LABEL}|{_UPDATED}", " ", rest, flags=re.IGNORECASE)
    rest = re.sub(r"\b(?:on|at|klo|kello|[^\W\d_]+(?:na|day))\b", " ", rest, flags=re.IGNORECASE)
    leftover = _SEPARATORS.sub("", rest)
    if date_value and not leftover:
        return date_value, "date"
    keyed = _KEYED.match(stripped)
    tail = stripped[keyed.end() :] if keyed else ""
    if keyed and len(tail) <= 40 and not tail.endswith((".", "!")) and iso_date(keyed.group(0)):
        return iso_date(keyed.group(0)), "meta"  # "Julkaistu 8.10.2025 | Asiakaspalvelu"
    if _BYLINE.match(stripped) or (date_value and _BY_INSIDE.search(stripped)) or _READING.search(stripped):
        return date_value, "meta"
    return None, ""


def date_prefix(text: str) -> tuple[str | None, str]:
    """A labelled date opening a paragraph ("date 2021-12 Our webinar ..."): the date and the rest."""
    match = _KEYED.match(text)
    if not match:
        return None, text
    value = iso_date(match.group(0))
    if value is None:
        return None, text
    return value, text[match.end() :].strip()


def date_in_lines(lines: list[str]) -> str | None:
    """The first date line among ``lines`` (the page text right under the title)."""
    for line in lines:
        value, kind = date_line(line)
        if value and kind:
            return value
    return None
