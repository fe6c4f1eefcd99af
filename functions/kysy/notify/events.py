"""DynamoDB stream records -> domain changes, and which changes notify whom."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kysy.models import QA, Status
from kysy.repository.keys import qa_from_item


class AskerEvent(StrEnum):
    ANSWERED = "answered"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Change:
    """One stream record about a Q&A record (other item types are not changes of interest)."""

    event_name: str  # INSERT | MODIFY | REMOVE
    sequence_number: str
    old: QA | None
    new: QA | None


def _qa(image: dict[str, Any] | None) -> QA | None:
    if not image or image.get("type", {}).get("S") != "qa":
        return None
    return qa_from_item(image)


def parse_change(raw: dict[str, Any]) -> Change | None:
    """A raw Lambda stream record (``Records[i]``) as a Change, or None for non-Q&A items."""
    ddb = raw.get("dynamodb") or {}
    old, new = _qa(ddb.get("OldImage")), _qa(ddb.get("NewImage"))
    if old is None and new is None:
        return None
    return Change(
        event_name=str(raw.get("eventName", "")),
        sequence_number=str(ddb.get("SequenceNumber", "")),
        old=old,
        new=new,
    )


def is_new_question(change: Change) -> bool:
    """A reader's question just created: INSERT of a pending record at version 1.

    A record unpublished back to pending is also an INSERT (it moves partition) but at a later
    version, so it is not reported as new.
    """
    new = change.new
    return (
        change.event_name == "INSERT"
        and new is not None
        and new.status is Status.PENDING
        and new.version == 1
        and new.source == "reader"
    )


def asker_event(change: Change) -> AskerEvent | None:
    """Whether this change is one the asker asked to hear about (consent given, address stored).

    Publishing moves a record from ``ASK#`` to ``POST#``: the stream shows a REMOVE of the pending
    item and an INSERT of the published one, so "became published" is a new image that is
    published while the old image (if any) was not.
    """
    new, old = change.new, change.old
    if new is None or not new.notify:
        return None
    if new.duplicate_of and not (old and old.duplicate_of):
        return AskerEvent.DUPLICATE
    if new.status is Status.PUBLISHED and not (old and old.status is Status.PUBLISHED):
        return AskerEvent.ANSWERED
    return None
