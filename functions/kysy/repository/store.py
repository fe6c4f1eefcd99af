"""Single-table DynamoDB store for posts, Q&A records, counters and limits.

The key layout is in :mod:`kysy.repository.keys` (and docs/ARCHITECTURE.md). Published records
live in their own ``POST#`` partitions so that the reader function's IAM role, which may write only
``ASK#``, ``EMAIL#``, ``SUBJECT#``, ``RATE#``, ``COUNTS`` and idempotency items, cannot touch a
published answer even if its code were wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from kysy.errors import QUESTION_CHANGED, VersionConflict
from kysy.models import QA, Post, Status
from kysy.repository import keys
from kysy.repository.base import (
    TRANSACTION_MAX_ITEMS,
    StoreBase,
    merge_deltas,
    status_delta,
)
from kysy.repository.bulk import BulkMixin
from kysy.repository.dynamo import is_conditional_failure, translate_errors
from kysy.repository.gaps import GapsMixin
from kysy.repository.idempotency import IdempotencyMixin
from kysy.repository.keys import post_to_item, qa_from_item, qa_key, qa_to_item
from kysy.repository.privacy import PrivacyMixin
from kysy.repository.submit import SubmitMixin

__all__ = ["Counts", "Page", "PostRow", "Store", "post_to_item", "qa_from_item", "qa_key", "qa_to_item"]


@dataclass(frozen=True)
class Page:
    post: Post | None
    items: list[QA]
    last_id: str | None  # id of the last item when more may follow, else None


@dataclass(frozen=True)
class Counts:
    pending: int = 0
    flagged: int = 0
    published: int = 0
    rejected: int = 0


@dataclass(frozen=True)
class PostRow:
    """One entry of the editors' post list: the saved post (or a stand-in at version 0) and its counters."""

    post: Post
    counts: Counts


def _counts(item: dict[str, Any]) -> Counts:
    data = keys.plain(item)
    return Counts(**{name: int(data.get(name, 0)) for name in ("pending", "flagged", "published", "rejected")})


class Store(SubmitMixin, PrivacyMixin, BulkMixin, GapsMixin, IdempotencyMixin, StoreBase):
    # ----------------------------------------------------------------- posts
    def get_post(self, post_id: str) -> Post | None:
        with translate_errors():
            got = self.client.get_item(TableName=self.table, Key=keys.post_key(post_id))
        item = got.get("Item")
        return keys.post_from_item(item) if item else None

    def save_post(self, post: Post, *, expected_version: int | None) -> Post:
        """Create (``expected_version=None``) or update a post under optimistic locking."""
        kwargs: dict[str, Any] = {"TableName": self.table, "Item": post_to_item(post)}
        if expected_version is None:
            kwargs["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            kwargs["ConditionExpression"] = "version = :v"
            kwargs["ExpressionAttributeValues"] = {":v": {"N": str(expected_version)}}
        try:
            with translate_errors():
                self.client.put_item(**kwargs)
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            current = self.get_post(post.id)
            raise VersionConflict(
                "This post was changed by someone else. Review the current version and try again.",
                current=current.admin() if current else None,
            ) from error
        return post

    def list_posts(self) -> list[Post]:
        """Every saved post (``POST#`` items only: the search index shows their titles)."""
        items = self.query_all(keys.LIST_INDEX, "GSI2PK", keys.POSTS)
        return [keys.post_from_item(i) for i in items if keys.is_public_item(i)]

    def posts_page(self, *, limit: int, after_id: str | None) -> tuple[list[PostRow], str | None]:
        """The editors' post list in post-id order, ``limit`` at a time.

        Two sorted streams are merged: saved posts (GSI2 ``POSTS``) and the per-post counters
        (``COUNTS``), which also name the posts readers created by asking (no META yet). A post
        without META is listed while it has pending or published records, so a cleared flood
        leaves no ghost entries. Reads stay proportional to the page, not to the queue.
        """
        metas = self._sorted_stream(
            {
                "IndexName": keys.LIST_INDEX,
                "KeyConditionExpression": "GSI2PK = :pk" + (" AND GSI2SK > :after" if after_id else ""),
                "ExpressionAttributeValues": {":pk": {"S": keys.POSTS}}
                | ({":after": {"S": after_id}} if after_id else {}),
            },
            limit,
            lambda item: item["GSI2SK"]["S"],
        )
        counters = self._sorted_stream(
            {
                "KeyConditionExpression": "PK = :pk" + (" AND SK > :after" if after_id else ""),
                "ExpressionAttributeValues": {":pk": {"S": keys.COUNTS_PK}}
                | ({":after": {"S": keys.post_pk(after_id)}} if after_id else {}),
            },
            limit,
            lambda item: item["SK"]["S"].removeprefix(keys.POST_PREFIX),
        )
        rows: list[PostRow] = []
        meta = next(metas, None)
        count = next(counters, None)
        while (meta or count) and len(rows) <= limit:
            meta_id = meta[0] if meta else None
            count_id = count[0] if count else None
            if meta and (count_id is None or (meta_id is not None and meta_id <= count_id)):
                same = count is not None and count_id == meta_id
                rows.append(PostRow(keys.post_from_item(meta[1]), _counts(count[1]) if same and count else Counts()))
                meta = next(metas, None)
                if same:
                    count = next(counters, None)
            elif count:
                counts = _counts(count[1])
                if counts.pending or counts.published:
                    rows.append(PostRow(Post(id=str(count_id), created_at="", version=0), counts))
                count = next(counters, None)
        if len(rows) > limit:
            return rows[:limit], rows[limit - 1].post.id
        return rows, None

    def _sorted_stream(self, query: dict[str, Any], limit: int, sort_key: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        kwargs = {"TableName": self.table, "Limit": limit + 1, **query}
        for item in self.paged(kwargs):
            yield sort_key(item), item

    def counts(self) -> dict[str, Counts]:
        """Every post's counters: one Query of the ``COUNTS`` partition (one item per post)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.COUNTS_PK}},
        }
        return {item["SK"]["S"].removeprefix(keys.POST_PREFIX): _counts(item) for item in self.paged(kwargs)}

    def queue_counts(self) -> dict[str, int]:
        """Pending questions per post, from the counters (never a read of the queue itself)."""
        return {post_id: c.pending for post_id, c in self.counts().items() if c.pending > 0}

    # ----------------------------------------------------------- reader view
    def published_of_post(self, post_id: str) -> tuple[Post | None, list[QA]]:
        """A post's metadata and all its published records, in key order.

        One Query on GSI1 (the public index holds the post's META row and its published records);
        more calls only when the post's records pass DynamoDB's 1 MB page. Ordering and paging are the
        service's job (a post's published answers are few: tens, rarely hundreds).
        """
        post: Post | None = None
        items: list[QA] = []
        for raw in self.query_all(keys.PUBLIC_INDEX, "GSI1PK", keys.post_pk(post_id)):
            if not keys.is_public_item(raw):
                continue  # defence in depth: only POST# items are ever public
            if raw["SK"]["S"] == keys.META_SK:
                post = keys.post_from_item(raw)
            else:
                items.append(qa_from_item(raw))
        return post, items

    def all_published(self) -> Iterator[QA]:
        """Every published record, page by page, ``POST#`` items only: for building the first search
        index (or one of a new format); the indexer never re-reads them otherwise."""
        for raw in self.query_all(keys.LIST_INDEX, "GSI2PK", keys.PUBLISHED):
            if keys.is_public_item(raw):
                yield qa_from_item(raw)

    # ---------------------------------------------------------------- records
    def get_qa(self, post_id: str, qa_id: str) -> QA | None:
        # A publish/unpublish moves the item between partitions in one transaction; two reads may
        # straddle that commit, so the first partition is read again before saying "not found".
        for status in (Status.PUBLISHED, Status.PENDING, Status.PUBLISHED):
            key = keys.key(keys.qa_pk(post_id, status), f"QA#{qa_id}")
            with translate_errors():
                got = self.client.get_item(TableName=self.table, Key=key, ConsistentRead=True)
            if "Item" in got:
                return qa_from_item(got["Item"])
        return None

    def create_pending(self, qa: QA) -> None:
        """A pending record written directly (tests, tools); readers' questions go through ``submit_question``."""
        self._transact_change(self.change_ops(None, qa), qa)

    def save_qa(self, old: QA, new: QA, *, drop_email: bool = False) -> QA:
        """Replace ``old`` by ``new`` if nobody changed it since it was read (``old.version``).

        The post's counters move in the same transaction. ``drop_email`` deletes the asker's address item in it too.
        """
        self._transact_change(self.change_ops(old, new, drop_email=drop_email), old)
        return new

    def delete_qa(self, qa: QA) -> None:
        """Delete a record, its counters' share and its asker's address (if any) together.

        Deleting an imported record also leaves a tombstone, so a re-import does not bring it back.
        """
        ops = self.change_ops(qa, None, drop_email=True)
        if qa.import_key:
            from kysy.repository.imports import tombstone_put

            ops.append(tombstone_put(self.table, qa))
        self._transact_change(ops, qa)

    def _transact_change(self, ops: list[dict[str, Any]], read: QA) -> None:
        try:
            self.transact(ops)
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            current = self.get_qa(read.post_id, read.id)
            raise VersionConflict(QUESTION_CHANGED, current=current.admin() if current else None) from error

    def queue(
        self,
        *,
        post_id: str | None,
        limit: int,
        after_id: str | None,
        newest_first: bool,
        flag: str | None = None,
        client: str | None = None,
        rejected: bool = False,
    ) -> Page:
        """Pending (or rejected) records across posts from the private index (never a table scan).

        Filters (post, flag, client hash) are FilterExpressions on the same index; ``flag="*"``
        means "any flag".
        """
        values: dict[str, Any] = {":q": {"S": keys.REJECTED if rejected else keys.QUEUE}}
        names: dict[str, str] = {}
        filters: list[str] = []
        if post_id:
            filters.append("post_id = :p")
            values[":p"] = {"S": post_id}
        if flag == "*":
            filters.append("size(flags) > :zero")
            values[":zero"] = {"N": "0"}
        elif flag:
            filters.append("contains(flags, :f)")
            values[":f"] = {"S": flag}
        if client:
            filters.append("#client = :c")
            names["#client"] = "client"
            values[":c"] = {"S": client}
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": keys.PRIVATE_INDEX,
            "KeyConditionExpression": "QPK = :q",
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not newest_first,
        }
        if filters:
            kwargs["FilterExpression"] = " AND ".join(filters)
        if names:
            kwargs["ExpressionAttributeNames"] = names
        if after_id:
            kwargs["KeyConditionExpression"] += " AND QSK " + ("< :a" if newest_first else "> :a")
            values[":a"] = {"S": after_id}
        items: list[QA] = []
        for raw in self.paged(kwargs):
            items.append(qa_from_item(raw))
            if len(items) > limit:
                return Page(post=None, items=items[:limit], last_id=items[limit - 1].id)
        return Page(post=None, items=items, last_id=None)

    def records_of_post(self, post_id: str) -> list[QA]:
        """Every record of a post in every status (export, import --replace)."""
        out: list[QA] = []
        for pk in (keys.post_pk(post_id), keys.ask_pk(post_id)):
            kwargs: dict[str, Any] = {
                "TableName": self.table,
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :qa)",
                "ExpressionAttributeValues": {":pk": {"S": pk}, ":qa": {"S": "QA#"}},
                "ConsistentRead": True,
            }
            out.extend(qa_from_item(raw) for raw in self.paged(kwargs))
        return sorted(out, key=lambda qa: qa.id)

    def write_import(
        self,
        post: Post,
        upserts: Iterable[QA],
        deletes: Iterable[QA],
        *,
        replaced: Mapping[str, QA] | None = None,
    ) -> None:
        """Write an imported post in transactions of at most 100 items.

        ``replaced`` names the stored records (by id) that upserts overwrite, so the post's counters
        move by the real status changes. A post of up to ~97 pairs is written all-or-nothing; a
        larger one in chunks, each atomic with its own share of the counters, and a re-run (same
        deterministic ids) completes a chunked import that stopped midway.
        """
        before = replaced or {}
        # One group per record (a status change across partitions is a Delete and a Put that must
        # land in the same transaction), with the counters' delta it causes.
        groups: list[tuple[list[dict[str, Any]], dict[str, int]]] = [
            ([{"Delete": {"TableName": self.table, "Key": qa_key(qa)}}], status_delta(qa, None)) for qa in deletes
        ]
        for qa in upserts:
            old = before.get(qa.id)
            ops: list[dict[str, Any]] = [{"Put": {"TableName": self.table, "Item": qa_to_item(qa)}}]
            if old is not None and qa_key(old) != qa_key(qa):
                ops.insert(0, {"Delete": {"TableName": self.table, "Key": qa_key(old)}})
            groups.append((ops, status_delta(old, qa)))
        room = TRANSACTION_MAX_ITEMS - 2  # + post META (first transaction), COUNTS
        batch: list[dict[str, Any]] = [{"Put": {"TableName": self.table, "Item": post_to_item(post)}}]
        deltas: dict[str, dict[str, int]] = {}
        for ops, delta in groups:
            if len(batch) + len(ops) > room:
                self._write_import_batch(post.id, batch, deltas)
                batch, deltas = [], {}
            batch += ops
            merge_deltas(deltas, post.id, delta)
        self._write_import_batch(post.id, batch, deltas)

    def _write_import_batch(self, post_id: str, ops: list[dict[str, Any]], deltas: dict[str, dict[str, int]]) -> None:
        delta = {k: v for k, v in deltas.get(post_id, {}).items() if v}
        counts = [self.counts_op(post_id, delta)] if delta else []
        self.transact([*ops, *counts])
