"""The repository's own AttributeValue mapping (kysy.repository.attrs) against boto3's, and the
fast record constructor against the dataclass's own ``__init__``."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from kysy.models import QA, AuditEntry, Post, Status
from kysy.repository.attrs import from_item, from_value, to_item, to_value
from kysy.repository.keys import post_from_item, post_to_item, qa_from_item, qa_to_item

VALUES: list[Any] = [
    "",
    "Miten pääsen alkuun? ✓",
    0,
    -7,
    12345678901234567890,
    True,
    False,
    [],
    ["a", 1, True, {"k": "v"}],
    {"nested": {"list": [{"at": "2026-01-01T00:00:00Z", "by": "e@x", "action": "publish", "note": ""}]}},
    Decimal("1.5"),
    b"\x00\x01",
    {"a", "b"},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_serialises_like_boto3(value: Any) -> None:
    expected = TypeSerializer().serialize(value)
    got = to_value(value)
    if "SS" in got:
        assert sorted(got["SS"]) == sorted(expected["SS"])
    else:
        assert got == expected


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_round_trip_and_boto3_agree(value: Any) -> None:
    stored = TypeSerializer().serialize(value)
    back = from_value(stored)
    boto = TypeDeserializer().deserialize(stored)
    assert back == boto
    assert from_value(to_value(value)) == value


def test_integers_come_back_as_int_and_none_attributes_are_left_out() -> None:
    item = to_item({"version": 3, "gone": None, "name": "x"})
    assert item == {"version": {"N": "3"}, "name": {"S": "x"}}
    plain = from_item(item)
    assert plain == {"version": 3, "name": "x"}
    assert type(plain["version"]) is int


def test_unsupported_types_are_refused() -> None:
    with pytest.raises(TypeError):
        to_value(1.5)  # floats lose precision in DynamoDB; Kysy never stores one
    with pytest.raises(TypeError):
        from_value({"X": "?"})


def _qa(**extra: Any) -> QA:
    return QA(
        post_id="p-1",
        id="01J0000000000000000000000A",
        question="Kysymys?",
        status=Status.PUBLISHED,
        answer="Vastaus.",
        asker_name="Maija",
        notify=True,
        answered_at="2026-02-01T10:00:00Z",
        version=4,
        audit=(AuditEntry(at="2026-02-01T10:00:00Z", by="editor", action="publish"),),
        **extra,
    )


@pytest.mark.parametrize("status", list(Status))
def test_record_read_back_equals_the_record_written(status: Status) -> None:
    from dataclasses import replace

    qa = replace(_qa(), status=status)
    back = qa_from_item(qa_to_item(qa))
    assert back == qa
    assert back.status is status
    assert {f.name: getattr(back, f.name) for f in fields(QA)} == {f.name: getattr(qa, f.name) for f in fields(QA)}
    # Still a frozen dataclass: no accidental mutation through the fast constructor.
    with pytest.raises(AttributeError):
        back.answer = "changed"  # type: ignore[misc]


def test_record_missing_optional_attributes_gets_the_dataclass_defaults() -> None:
    minimal = {"post_id": {"S": "p"}, "id": {"S": "i"}, "question": {"S": "q?"}, "status": {"S": "pending"}}
    qa = qa_from_item(minimal)
    assert qa == QA(post_id="p", id="i", question="q?", created_at=qa.created_at)
    assert (qa.audit, qa.notify, qa.version) == ((), False, 1)
    assert qa.created_at


def test_post_read_back_equals_the_post_written() -> None:
    post = Post(id="p-1", title="Otsikko", url="https://blog.example.com/p-1", lang="en", open=False, version=2)
    assert post_from_item(post_to_item(post)) == post
