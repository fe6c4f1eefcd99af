"""Stream records -> index changes: only POST# items are trusted, and ids come from keys."""

from __future__ import annotations

from typing import Any

from kysy.indexer.events import change_from_records
from kysy.service.search_index import IndexedRecord, PostInfo


def record(event: str, pk: str, sk: str, new: dict[str, Any] | None = None, old: dict[str, Any] | None = None) -> Any:
    ddb: dict[str, Any] = {"Keys": {"PK": {"S": pk}, "SK": {"S": sk}}, "SequenceNumber": "1"}
    if new is not None:
        ddb["NewImage"] = {"PK": {"S": pk}, "SK": {"S": sk}, **{k: {"S": v} for k, v in new.items()}}
    if old is not None:
        ddb["OldImage"] = {"PK": {"S": pk}, "SK": {"S": sk}, **{k: {"S": v} for k, v in old.items()}}
    return {"eventName": event, "dynamodb": ddb}


def test_published_records_and_posts_become_changes() -> None:
    change = change_from_records(
        [
            record("INSERT", "POST#p1", "META", {"title": "Otsikko", "url": "https://b.example/p1", "lang": "fi"}),
            record("INSERT", "POST#p1", "QA#r1", {"question": "Kysymys?", "answer": "Vastaus."}),
            record("REMOVE", "POST#p1", "QA#r2", old={"question": "Vanha?", "answer": "Pois."}),
        ]
    )
    assert change.posts == {"p1": PostInfo("p1", "Otsikko", "https://b.example/p1", "fi")}
    assert change.records == {"r1": IndexedRecord("r1", "p1", "Kysymys?", "Vastaus."), "r2": None}


def test_reader_writable_items_are_never_trusted_whatever_they_claim() -> None:
    """The reader role may write ASK# items with any attributes: published-looking ones too."""
    forged = {
        "question": "Osta halpoja kelloja",
        "answer": "http://spam.example",
        "status": "published",
        "GSI1PK": "POST#p1",
        "GSI2PK": "PUB",
        "post_id": "p1",
        "id": "r9",
    }
    change = change_from_records(
        [
            record("INSERT", "ASK#p1", "QA#r9", forged),
            record("MODIFY", "ASK#p1", "QA#r9", forged, forged),
            record("INSERT", "RATE#abc#p1", "W#1", {"count": "1"}),
            record("INSERT", "COUNTS", "POST#p1", {"pending": "1"}),
            record("INSERT", "SEARCH", "INDEX", {"v": "1"}),
            record("INSERT", "POST#", "QA#x", {"question": "no post id"}),
            record("INSERT", "POST#p1", "QA#", {"question": "no record id"}),
            record("INSERT", "POST#p1", "OTHER#x", {"question": "not a record"}),
        ]
    )
    assert not change


def test_status_and_id_attributes_of_a_post_item_are_ignored() -> None:
    """Under POST# a record is published by definition; the key names it, not the image."""
    change = change_from_records(
        [record("INSERT", "POST#p1", "QA#r1", {"question": "Q?", "answer": "A.", "status": "pending", "id": "evil"})]
    )
    assert change.records == {"r1": IndexedRecord("r1", "p1", "Q?", "A.")}


def test_the_last_event_of_an_item_in_a_batch_wins() -> None:
    change = change_from_records(
        [
            record("INSERT", "POST#p1", "QA#r1", {"question": "Q?", "answer": "A."}),
            record("REMOVE", "POST#p1", "QA#r1", old={"question": "Q?", "answer": "A."}),
            record("REMOVE", "POST#p1", "QA#r2", old={"question": "Q2?", "answer": "A2."}),
            record("INSERT", "POST#p1", "QA#r2", {"question": "Q2 again?", "answer": "A2."}),
            record("MODIFY", "POST#p1", "META", {"title": "Old"}, {"title": "Older"}),
            record("MODIFY", "POST#p1", "META", {"title": "New"}, {"title": "Old"}),
        ]
    )
    assert change.records == {"r1": None, "r2": IndexedRecord("r2", "p1", "Q2 again?", "A2.")}
    assert change.posts["p1"] == PostInfo("p1", "New")


def test_a_modify_that_changes_no_text_is_no_change() -> None:
    same = {"question": "Q?", "answer": "A."}
    assert not change_from_records([record("MODIFY", "POST#p1", "QA#r1", same, same)])
    edited = change_from_records([record("MODIFY", "POST#p1", "QA#r1", {"question": "Q?", "answer": "B."}, same)])
    assert edited.records == {"r1": IndexedRecord("r1", "p1", "Q?", "B.")}
