"""Export records to json/csv/md and parse them back to the same pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kysy.importer import ImportFailed, export_records, parse_post, read_source

SEED = Path(__file__).resolve().parents[2] / "seed"

POST: dict[str, Any] = {"id": "p1", "title": "Usein kysyttyä", "lang": "fi", "date": "2021-12"}


def records_from(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"01H{i:04d}",
            "question": q,
            "answer": a,
            "status": "published",
            "asker_name": "",
            "asked_at": "2021-12-01T10:00:00Z",
            "answered_at": "2021-12-02T10:00:00Z",
        }
        for i, (q, a) in enumerate(pairs)
    ]


TRICKY = [
    ("Kertokaa lisää.", "Yksi kappale.\n\nToinen kappale, jossa [linkki](https://example.com/a_(b))."),
    ("=SUM(A1) is this a formula?", "-5 degrees, no.\n\n# not a heading\n\n- item one\n- item two"),
    ("Q: prefixed text?", "**Bold** answer? Yes."),
    ("Miksi?", "Koska."),
]


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_round_trip_tricky_records(fmt: str) -> None:
    exported = export_records(POST, records_from(TRICKY), fmt)  # type: ignore[arg-type]
    post = parse_post(exported, fmt=fmt)
    assert [(p.question, p.answer) for p in post.pairs] == TRICKY
    assert post.report == []
    if fmt != "csv":
        assert (post.title, post.date, post.lang) == ("Usein kysyttyä", "2021-12", "fi")


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_round_trip_seed(fmt: str) -> None:
    text, source_fmt = read_source(SEED / "sosiaalinen-media-2021.fi.txt")
    seed = parse_post(text, fmt=source_fmt)
    records = records_from([(p.question, p.answer) for p in seed.pairs])
    meta = {**POST, "title": seed.title, "date": seed.date, "intro": seed.intro}
    exported = export_records(meta, records, fmt)  # type: ignore[arg-type]
    again = parse_post(exported, fmt=fmt)
    assert again.pairs == seed.pairs
    if fmt == "md":
        assert (again.title, again.date, again.intro) == (seed.title, seed.date, seed.intro)


def test_single_record_with_period_question_round_trips_through_md() -> None:
    exported = export_records(POST, records_from([("Kerro hinnoittelusta.", "Se on ilmainen.")]), "md")
    assert [(p.question, p.answer) for p in parse_post(exported, fmt="md").pairs] == [
        ("Kerro hinnoittelusta.", "Se on ilmainen.")
    ]


def test_csv_neutralises_formulas() -> None:
    exported = export_records(POST, records_from(TRICKY), "csv")
    assert "'=SUM(A1)" in exported
    assert "\"'-5 degrees" in exported


def test_unanswered_record_is_reported_on_reimport() -> None:
    records = records_from([("Odottaa vastausta?", "")])
    post = parse_post(export_records(POST, records, "json"), fmt="json")
    assert post.pairs == []
    assert [(u.text, u.reason) for u in post.report] == [("Odottaa vastausta?", "question_without_answer")]


def test_bad_json_and_unknown_format() -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_post("{not json", fmt="json")
    assert caught.value.code == "invalid_json"
    with pytest.raises(ImportFailed):
        export_records(POST, [], "xml")  # type: ignore[arg-type]
