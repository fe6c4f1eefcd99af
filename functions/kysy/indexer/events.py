"""DynamoDB stream records -> one ``IndexChange``.

Security: only items whose partition key starts with ``POST#`` are trusted. The reader function
can write ``ASK#`` items with arbitrary attributes (questions), but never ``POST#`` ones, so a
record is published exactly when it lives under ``POST#``: its ``status`` (or any index attribute)
is never read, and its post and record ids come from the key, not from the image.
"""

from __future__ import annotations

from typing import Any

from kysy.service.search_index import IndexChange, IndexedRecord, PostInfo

POST_PREFIX = "POST#"
RECORD_PREFIX = "QA#"
META = "META"


def _text(image: dict[str, Any], name: str) -> str:
    value = image.get(name)
    return value["S"] if isinstance(value, dict) and isinstance(value.get("S"), str) else ""


def change_from_records(records: list[dict[str, Any]]) -> IndexChange:
    """The net effect of a batch on the index (later records of the same item win)."""
    change = IndexChange()
    for raw in records:
        ddb = raw.get("dynamodb") or {}
        keys = ddb.get("Keys") or {}
        pk, sk = _text(keys, "PK"), _text(keys, "SK")
        if not pk.startswith(POST_PREFIX) or len(pk) == len(POST_PREFIX):
            continue
        post_id = pk[len(POST_PREFIX) :]
        removed = raw.get("eventName") == "REMOVE"
        new = ddb.get("NewImage") or {}
        if sk == META:
            change.posts[post_id] = (
                None if removed else PostInfo(post_id, _text(new, "title"), _text(new, "url"), _text(new, "lang"))
            )
        elif sk.startswith(RECORD_PREFIX) and len(sk) > len(RECORD_PREFIX):
            record_id = sk[len(RECORD_PREFIX) :]
            if removed:
                change.records[record_id] = None
                continue
            question, answer = _text(new, "question"), _text(new, "answer")
            old = ddb.get("OldImage") or {}
            unchanged = old and (_text(old, "question"), _text(old, "answer")) == (question, answer)
            if unchanged and record_id not in change.records:
                continue  # e.g. the notifier's audit entry: nothing searchable changed
            change.records[record_id] = IndexedRecord(record_id, post_id, question, answer)
    return change
