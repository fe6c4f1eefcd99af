"""Search gaps: how a reader's search text is normalised and stripped of personal-looking parts before
it is counted, and the ISO week it is counted in."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from kysy.service.gaps import QUERY_MAX, iso_week, normalise_query


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  Somen   MITTAAMINEN\t", "somen mittaaminen"),
        ("Straße", "strasse"),  # casefold, not lower()
        (unicodedata.normalize("NFD", "Mainonnan hinta är?"), "mainonnan hinta är?"),  # NFC
        ("budjetti 2026", "budjetti 2026"),  # a year is not a personal number
        ("lähetä anna.virtanen@example.com", "lähetä [email]"),
        ("soita +358 40 123 4567 kiitos", "soita [phone] kiitos"),
        ("numero 040-1234567", "numero [phone]"),
        ("hetu 131052-308T", "hetu [id]"),
        ("tilaus 98765 tuli", "tilaus [number] tuli"),
        ("a\u202eb markkinointi", "ab markkinointi"),  # format characters go first
    ],
)
def test_queries_are_normalised_and_redacted(typed: str, stored: str) -> None:
    assert normalise_query(typed) == stored


@pytest.mark.parametrize("typed", ["", "   ", "x", "anna@example.com", "040 123 4567", "?!", "[email]"])
def test_nothing_worth_counting_gives_empty(typed: str) -> None:
    assert normalise_query(typed) == ""


def test_nothing_identifying_survives_in_any_typed_mix() -> None:
    typed = "Anna.Virtanen@Example.com puh 0401234567 henkilötunnus 010203A1234 tilinumero FI21 1234 5600 0007 85"
    stored = normalise_query(typed)
    for part in ("anna", "virtanen", "example", "0401234567", "010203", "1234", "5600", "0007"):
        assert part not in stored, (part, stored)
    assert "henkilötunnus" in stored


def test_normalising_twice_changes_nothing() -> None:
    """The editor's dismiss normalises the listed text again: it must find the same item."""
    for typed in ["Mainonta  ÄÄ", "soita 040 1234567", "x@y.fi kysymys", "sana " * 40]:
        once = normalise_query(typed)
        assert normalise_query(once) == once


def test_long_text_is_cut_at_a_word() -> None:
    stored = normalise_query("markkinointi " * 30)
    assert len(stored) <= QUERY_MAX
    assert stored.split(" ")[-1] == "markkinointi"


def test_iso_week_and_its_start() -> None:
    # 2026-01-01 is a Thursday in ISO week 1 of 2026, which began on Monday 2025-12-29.
    moment = datetime(2026, 1, 1, 15, 30, tzinfo=UTC).timestamp()
    week, start = iso_week(moment)
    assert week == "2026-W01"
    assert datetime.fromtimestamp(start, UTC) == datetime(2025, 12, 29, tzinfo=UTC)
    assert iso_week(datetime(2025, 12, 28, 23, 59, tzinfo=UTC).timestamp())[0] == "2025-W52"
