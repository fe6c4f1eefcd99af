"""Export records to json/csv/md and parse them back: same text, statuses, askers, dates, flags, ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kysy.importer import ImportFailed, export_records, parse_post, read_source

SEED = Path(__file__).resolve().parents[2] / "seed"

POST: dict[str, Any] = {"id": "p1", "title": "Usein kysyttyä", "lang": "fi", "date": "2021-12"}
STATUSES = ("published", "pending", "rejected")


def records_from(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"01J{i:023d}",
            "question": q,
            "answer": a,
            "status": STATUSES[i % 3],
            "asker_name": f"Asker {i}" if i % 2 else None,
            "asker_email": "never@example.com",
            "asked_at": "2021-12-01T10:00:00Z",
            "answered_at": "2021-12-02T10:00:00Z",
            "flags": ["import_check"] if i % 3 == 1 else [],
            "reject_reason": "off topic" if i % 3 == 2 else None,
        }
        for i, (q, a) in enumerate(pairs)
    ]


TRICKY = [
    ("Kertokaa lisää.", "Yksi kappale.\n\nToinen kappale, jossa [linkki](https://example.com/a_(b))."),
    ("=SUM(A1) is this a formula?", "-5 degrees, no.\n\n# not a heading\n\n- item one\n- item two"),
    ("Q: prefixed text?", "**Bold** answer? Yes.\n\n<!-- kysy {} -->\n\\ backslash"),
    ("Miksi?", "Koska."),
]


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_round_trip_keeps_text_status_asker_dates_flags_and_ids(fmt: str) -> None:
    records = records_from(TRICKY)
    exported = export_records(POST, records, fmt)  # type: ignore[arg-type]
    assert "never@example.com" not in exported
    post = parse_post(exported, fmt=fmt)
    assert [(p.question, p.answer) for p in post.pairs] == TRICKY
    assert [p.asker for p in post.pairs] == [r["asker_name"] or "" for r in records]
    got = [(p.record.id, p.record.status, p.record.asked_at, p.record.answered_at, p.record.flags) for p in post.pairs]  # type: ignore[union-attr]
    assert got == [(r["id"], r["status"], r["asked_at"], r["answered_at"], tuple(r["flags"])) for r in records]
    assert [p.record.reject_reason for p in post.pairs] == [r["reject_reason"] or "" for r in records]  # type: ignore[union-attr]
    assert post.report == []
    if fmt != "csv":
        assert (post.title, post.date, post.lang, post.slug) == ("Usein kysyttyä", "2021-12", "fi", "p1")


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_round_trip_seed(fmt: str) -> None:
    text, source_fmt = read_source(SEED / "sosiaalinen-media-2021.fi.txt")
    seed = parse_post(text, fmt=source_fmt)
    records = records_from([(p.question, p.answer) for p in seed.pairs])
    meta = {**POST, "title": seed.title, "date": seed.date, "intro": seed.intro}
    again = parse_post(export_records(meta, records, fmt), fmt=fmt)  # type: ignore[arg-type]
    assert [(p.question, p.answer) for p in again.pairs] == [(p.question, p.answer) for p in seed.pairs]
    if fmt == "md":
        assert (again.title, again.date, again.intro) == (seed.title, seed.date, seed.intro)


def test_markdown_export_is_readable_and_says_what_each_record_is() -> None:
    exported = export_records(POST, records_from(TRICKY[:2]), "md")
    assert exported.startswith("---\nkysy-export: 1\n")
    assert "## Kertokaa lisää.\n<!-- kysy {" in exported
    assert '"status": "pending"' in exported
    assert "\\# not a heading" in exported


def test_csv_neutralises_formulas() -> None:
    exported = export_records(POST, records_from(TRICKY), "csv")
    assert "'=SUM(A1)" in exported
    assert "\"'-5 degrees" in exported


def test_a_published_record_without_answer_is_reported_but_a_pending_one_is_kept() -> None:
    records = records_from([("Julkaistu ilman vastausta?", ""), ("Odottaa vastausta?", "")])
    post = parse_post(export_records(POST, records, "json"), fmt="json")
    assert [(p.question, p.record.status) for p in post.pairs] == [("Odottaa vastausta?", "pending")]  # type: ignore[union-attr]
    assert [(u.text, u.reason) for u in post.report] == [("Julkaistu ilman vastausta?", "question_without_answer")]


def test_bad_json_unknown_status_and_unknown_format() -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_post("{not json", fmt="json")
    assert caught.value.code == "invalid_json"
    with pytest.raises(ImportFailed) as caught:
        parse_post('[{"question": "Q?", "answer": "A.", "status": "live"}]', fmt="json")
    assert caught.value.code == "invalid_records"
    with pytest.raises(ImportFailed):
        export_records(POST, [], "xml")  # type: ignore[arg-type]
