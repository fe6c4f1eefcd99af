"""The language registry: reader widget, editor view and email texts, and the date format, per language.

``languages.json`` lists the languages (one line each) and the default; each language has one strings
file ``<code>.json`` beside it with the sections ``widget``, ``editor``, ``email`` and ``date``. The widget
build (``widget/build.mjs``) reads the same files, so adding a language is one file plus one line.
A key a language lacks falls back to the default language (``missing`` says which ones do).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Literal

HERE = Path(__file__).resolve().parent
Section = Literal["widget", "editor", "email"]
SECTIONS: tuple[Section, ...] = ("widget", "editor", "email")


@cache
def _registry() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / "languages.json").read_text(encoding="utf-8"))
    return data


@cache
def _file(code: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HERE / f"{code}.json").read_text(encoding="utf-8"))
    return data


def codes() -> tuple[str, ...]:
    """Language codes in registry order (what a post's ``lang`` may be)."""
    return tuple(_registry()["languages"])


def default() -> str:
    return str(_registry()["default"])


def name(code: str) -> str:
    """The language's own name (``Suomi``, ``Svenska``)."""
    return str(_registry()["languages"][code])


def resolve(lang: str | None) -> str:
    """The registered language for a tag: ``fi`` and ``fi-FI`` give ``fi``; an unknown tag gives the default."""
    tag = (lang or "").strip().lower().replace("_", "-")
    known = codes()
    if tag in known:
        return tag
    base = tag.split("-", 1)[0]
    return base if base in known else default()


def strings(lang: str | None, section: Section) -> dict[str, str]:
    """A section's texts in ``lang``, with the default language's text for every key it lacks."""
    code = resolve(lang)
    merged = dict(_file(default()).get(section, {}))
    merged.update(_file(code).get(section, {}))
    return merged


def missing(lang: str, section: Section) -> list[str]:
    """Keys of ``section`` that ``lang`` does not translate (they are shown in the default language)."""
    own = _file(resolve(lang)).get(section, {})
    return sorted(set(_file(default()).get(section, {})) - set(own))


def date_format(lang: str | None) -> dict[str, Any]:
    """``{"pattern": "{d}.{m}.{y}"}`` or ``{"pattern": "{month} {d}, {y}", "months": [...]}``."""
    fmt: dict[str, Any] = _file(resolve(lang))["date"]
    return fmt
