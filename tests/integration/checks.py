"""Checks several integration tests share: the counters agree with the records; where an address is."""

from __future__ import annotations

import contextlib
import json
import zlib
from typing import Any

from kysy.models import Status
from kysy.repository.store import Counts

INDEXES = ("GSI1", "GSI2", "GSI3")


def recount(store: Any, post_id: str) -> Counts:
    """The counters a post should have, counted from its records (what COUNTS must always equal)."""
    records = store.records_of_post(post_id)
    return Counts(
        pending=sum(qa.status is Status.PENDING for qa in records),
        flagged=sum(qa.status is Status.PENDING and bool(qa.flags) for qa in records),
        published=sum(qa.status is Status.PUBLISHED for qa in records),
        rejected=sum(qa.status is Status.REJECTED for qa in records),
    )


def assert_counts_match(store: Any, post_id: str) -> Counts:
    stored = store.counts().get(post_id, Counts())
    assert stored == recount(store, post_id), f"COUNTS drifted for {post_id}"
    return stored


def scan_all(store: Any, index: str | None = None) -> list[dict[str, Any]]:
    """Every item of the table, or of one index (paged)."""
    kwargs: dict[str, Any] = {"TableName": store.table}
    if index:
        kwargs["IndexName"] = index
    items: list[dict[str, Any]] = []
    while True:
        page = store.client.scan(**kwargs)
        items += page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _readable(value: object) -> str:
    """Binary attributes (the search index's compressed changes) as the text they hold."""
    if not isinstance(value, bytes | bytearray):
        raise TypeError(type(value).__name__)
    with contextlib.suppress(zlib.error):
        value = zlib.decompress(value)
    return bytes(value).decode("utf-8", errors="replace")


def where_is(store: Any, text: str) -> dict[str, list[str]]:
    """Where ``text`` occurs (case-insensitively): ``{"table" | index name: [item keys]}``."""
    needle = text.casefold()
    found: dict[str, list[str]] = {}
    for index in (None, *INDEXES):
        hits = [
            f"{item['PK']['S']}/{item['SK']['S']}"
            for item in scan_all(store, index)
            if needle in json.dumps(item, ensure_ascii=False, default=_readable).casefold()
        ]
        if hits:
            found[index or "table"] = hits
    return found
