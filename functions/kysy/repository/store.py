"""Single-table DynamoDB store for posts, Q&A records, rate-limit counters and the search version.

Key layout (see docs/ARCHITECTURE.md):

* ``POST#<post>/META``          post metadata (also in GSI1 under the post, and GSI2 ``POSTS``)
* ``POST#<post>/QA#<id>``       a *published* record (GSI1 under the post, GSI2 ``PUB``)
* ``ASK#<post>/QA#<id>``        a pending (GSI2 ``QUEUE``) or rejected record
* ``RATE#<client>#<post>/W#..`` a rate-limit window counter with a TTL
* ``SEARCH/...``                the search index's state and change log (``search_index.py``)

Published records live in their own partitions so that the reader function's IAM role can be
limited (``dynamodb:LeadingKeys``) to writing ``ASK#``, ``RATE#`` and idempotency items: it cannot
touch a published answer even if its code were wrong.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import MISSING, dataclass, fields
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from kysy.errors import QUESTION_CHANGED, RateLimited, VersionConflict
from kysy.models import QA, AuditEntry, Post, Status
from kysy.repository.attrs import from_item, to_item
from kysy.repository.dynamo import is_conditional_failure, translate_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

PUBLIC_INDEX = "GSI1"
LIST_INDEX = "GSI2"
META_SK = "META"
META_GSI1SK = "#META"  # sorts before every "QA#..." so the post comes first in the widget's Query
QUEUE = "QUEUE"
PUBLISHED = "PUB"
POSTS = "POSTS"
TRANSACTION_MAX_ITEMS = 100

_QA_FIELDS = {f.name for f in fields(QA)}
_QA_DEFAULTS = {f.name: f.default for f in fields(QA) if f.default is not MISSING}
_QA_FACTORIES = {f.name: f.default_factory for f in fields(QA) if f.default_factory is not MISSING}
_POST_FIELDS = {f.name for f in fields(Post)}


@dataclass(frozen=True)
class Page:
    post: Post | None
    items: list[QA]
    last_id: str | None  # id of the last item when more may follow, else None


def _to_attrs(values: dict[str, Any]) -> dict[str, Any]:
    return to_item(values)


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return from_item(item)


def _post_pk(post_id: str) -> str:
    return f"POST#{post_id}"


def _qa_pk(post_id: str, status: Status) -> str:
    return _post_pk(post_id) if status is Status.PUBLISHED else f"ASK#{post_id}"


def qa_key(qa: QA) -> dict[str, Any]:
    return {"PK": {"S": _qa_pk(qa.post_id, qa.status)}, "SK": {"S": f"QA#{qa.id}"}}


def qa_to_item(qa: QA) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(qa, name) for name in _QA_FIELDS}
    values["status"] = qa.status.value
    values["audit"] = [vars(entry) for entry in qa.audit[-50:]]
    item = {"PK": _qa_pk(qa.post_id, qa.status), "SK": f"QA#{qa.id}", "type": "qa", **values}
    if qa.status is Status.PUBLISHED:
        item |= {"GSI1PK": _post_pk(qa.post_id), "GSI1SK": f"QA#{qa.id}", "GSI2PK": PUBLISHED, "GSI2SK": qa.id}
    elif qa.status is Status.PENDING:
        item |= {"GSI2PK": QUEUE, "GSI2SK": qa.id}
    return _to_attrs(item)


def qa_from_item(item: dict[str, Any]) -> QA:
    # Only the record's own fields are converted (not keys or index attributes): this runs for
    # every record of every widget view.
    values = from_item({k: v for k, v in item.items() if k in _QA_FIELDS})
    values["status"] = Status(values["status"])
    values["notify"] = bool(values.get("notify", False))
    values["audit"] = tuple(AuditEntry(**entry) for entry in values.get("audit", []))
    return _stored_qa(values)


def _stored_qa(values: dict[str, Any]) -> QA:
    """A QA from stored values, without the frozen dataclass's ``__init__``.

    That ``__init__`` sets its ~20 fields one ``object.__setattr__`` at a time, which was half the
    cost of reading a record (a widget view reads up to a hundred). Stored values were validated
    when written, so the instance dict is filled in one step. A model that gains ``__post_init__``
    (validation) is built normally again.
    """
    if hasattr(QA, "__post_init__"):
        return QA(**values)
    state = {**_QA_DEFAULTS, **values}
    for name, factory in _QA_FACTORIES.items():
        if name not in state:
            state[name] = factory()
    qa = object.__new__(QA)
    object.__setattr__(qa, "__dict__", state)
    return qa


def post_to_item(post: Post) -> dict[str, Any]:
    values = {name: getattr(post, name) for name in _POST_FIELDS}
    return _to_attrs(
        {
            "PK": _post_pk(post.id),
            "SK": META_SK,
            "type": "post",
            "GSI1PK": _post_pk(post.id),
            "GSI1SK": META_GSI1SK,
            "GSI2PK": POSTS,
            "GSI2SK": post.id,
            **values,
        }
    )


def post_from_item(item: dict[str, Any]) -> Post:
    data = _plain(item)
    values = {k: v for k, v in data.items() if k in _POST_FIELDS}
    values["open"] = bool(values.get("open", True))
    return Post(**values)


class Store:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table = table_name

    # ----------------------------------------------------------------- posts
    def get_post(self, post_id: str) -> Post | None:
        with translate_errors():
            got = self.client.get_item(TableName=self.table, Key={"PK": {"S": _post_pk(post_id)}, "SK": {"S": META_SK}})
        item = got.get("Item")
        return post_from_item(item) if item else None

    def save_post(self, post: Post, *, expected_version: int | None) -> Post:
        """Create (``expected_version=None``) or update a post under optimistic locking."""
        if expected_version is None:
            condition, values = "attribute_not_exists(PK)", {}
        else:
            condition, values = "version = :v", {":v": {"N": str(expected_version)}}
        try:
            with translate_errors():
                self._put(post_to_item(post), condition, values)
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
        return [post_from_item(i) for i in self._query_all(LIST_INDEX, "GSI2PK", POSTS)]

    # ----------------------------------------------------------- reader view
    def published_page(self, post_id: str, *, limit: int, after_id: str | None) -> Page:
        """A post's published records in order, in as few Query calls as DynamoDB allows.

        The first page is exactly one Query on GSI1 returning the post's META row and its records;
        more calls happen only when DynamoDB stops at its 1 MB page size before ``limit`` items.
        A later page (``after_id``) adds one GetItem for the post's metadata.
        """
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": PUBLIC_INDEX,
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": _post_pk(post_id)}},
        }
        post: Post | None = None
        if after_id is not None:
            post = self.get_post(post_id)
            kwargs["ExclusiveStartKey"] = {
                "PK": {"S": _post_pk(post_id)},
                "SK": {"S": f"QA#{after_id}"},
                "GSI1PK": {"S": _post_pk(post_id)},
                "GSI1SK": {"S": f"QA#{after_id}"},
            }
        items: list[QA] = []
        more = False
        while True:
            # One extra row tells whether more follow; on the first page the META row comes too.
            kwargs["Limit"] = limit + 1 - len(items) + (1 if after_id is None else 0)
            with translate_errors():
                result = self.client.query(**kwargs)
            for raw in result.get("Items", []):
                if raw["SK"]["S"] == META_SK:
                    post = post_from_item(raw)
                else:
                    items.append(qa_from_item(raw))
            last = result.get("LastEvaluatedKey")
            if len(items) > limit:
                more = True
                items = items[:limit]
                break
            if not last:
                break
            kwargs["ExclusiveStartKey"] = last
        return Page(post=post, items=items, last_id=items[-1].id if more and items else None)

    def all_published(self) -> Iterator[QA]:
        """Every published record, page by page (for building the first search index, or one of a
        new format: the indexer never re-reads them otherwise)."""
        for raw in self._query_all(LIST_INDEX, "GSI2PK", PUBLISHED):
            yield qa_from_item(raw)

    # ---------------------------------------------------------------- records
    def get_qa(self, post_id: str, qa_id: str) -> QA | None:
        # A publish/unpublish moves the item between partitions in one transaction; two reads may
        # straddle that commit, so the first partition is read again before saying "not found".
        for status in (Status.PUBLISHED, Status.PENDING, Status.PUBLISHED):
            key = {"PK": {"S": _qa_pk(post_id, status)}, "SK": {"S": f"QA#{qa_id}"}}
            with translate_errors():
                got = self.client.get_item(TableName=self.table, Key=key, ConsistentRead=True)
            if "Item" in got:
                return qa_from_item(got["Item"])
        return None

    def create_pending(self, qa: QA) -> None:
        with translate_errors():
            self._put(qa_to_item(qa), "attribute_not_exists(PK)", {})

    def save_qa(self, old: QA, new: QA) -> QA:
        """Replace ``old`` by ``new`` if nobody changed it since it was read (``old.version``).

        A record moves between the ``ASK#`` and ``POST#`` partitions when it is published or
        unpublished; that move is one transaction, so no half-moved record can ever exist.
        """
        condition = {":v": {"N": str(old.version)}}
        ops: list[dict[str, Any]] = []
        if qa_key(old) == qa_key(new):
            ops.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": qa_to_item(new),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": condition,
                    }
                }
            )
        else:
            ops.append(
                {
                    "Delete": {
                        "TableName": self.table,
                        "Key": qa_key(old),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": condition,
                    }
                }
            )
            ops.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": qa_to_item(new),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
        self._transact(ops, old)
        return new

    def delete_qa(self, qa: QA) -> None:
        ops: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": self.table,
                    "Key": qa_key(qa),
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": {"N": str(qa.version)}},
                }
            }
        ]
        self._transact(ops, qa)

    def queue(self, *, post_id: str | None, limit: int, after_id: str | None, newest_first: bool) -> Page:
        """Pending records across posts from the sparse queue index (never a table scan)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": LIST_INDEX,
            "KeyConditionExpression": "GSI2PK = :q",
            "ExpressionAttributeValues": {":q": {"S": QUEUE}},
            "ScanIndexForward": not newest_first,
        }
        if post_id:
            kwargs["FilterExpression"] = "post_id = :p"
            kwargs["ExpressionAttributeValues"][":p"] = {"S": post_id}
        if after_id:
            kwargs["KeyConditionExpression"] += " AND GSI2SK " + ("< :a" if newest_first else "> :a")
            kwargs["ExpressionAttributeValues"][":a"] = {"S": after_id}
        items: list[QA] = []
        for raw in self._paged(kwargs):
            items.append(qa_from_item(raw))
            if len(items) > limit:
                return Page(post=None, items=items[:limit], last_id=items[limit - 1].id)
        return Page(post=None, items=items, last_id=None)

    def queue_counts(self) -> dict[str, int]:
        """Pending questions per post (projects only ``post_id``)."""
        counts: dict[str, int] = {}
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": LIST_INDEX,
            "KeyConditionExpression": "GSI2PK = :q",
            "ExpressionAttributeValues": {":q": {"S": QUEUE}},
            "ProjectionExpression": "post_id",
        }
        for raw in self._paged(kwargs):
            post_id = raw["post_id"]["S"]
            counts[post_id] = counts.get(post_id, 0) + 1
        return counts

    def records_of_post(self, post_id: str) -> list[QA]:
        """Every record of a post in every status (export, import --replace)."""
        out: list[QA] = []
        for pk in (_post_pk(post_id), f"ASK#{post_id}"):
            kwargs: dict[str, Any] = {
                "TableName": self.table,
                "KeyConditionExpression": "PK = :pk AND begins_with(SK, :qa)",
                "ExpressionAttributeValues": {":pk": {"S": pk}, ":qa": {"S": "QA#"}},
                "ConsistentRead": True,
            }
            out.extend(qa_from_item(raw) for raw in self._paged(kwargs))
        return sorted(out, key=lambda qa: qa.id)

    def write_import(self, post: Post, upserts: Iterable[QA], deletes: Iterable[QA]) -> None:
        """Write an imported post in transactions of at most 100 items.

        A post of up to ~99 pairs is written all-or-nothing; a larger one in chunks, each atomic,
        and a re-run (same deterministic ids) completes a chunked import that stopped midway.
        """
        ops: list[Any] = [{"Put": {"TableName": self.table, "Item": post_to_item(post)}}]
        ops += [{"Delete": {"TableName": self.table, "Key": qa_key(qa)}} for qa in deletes]
        ops += [{"Put": {"TableName": self.table, "Item": qa_to_item(qa)}} for qa in upserts]
        chunk = TRANSACTION_MAX_ITEMS
        for start in range(0, len(ops), chunk):
            with translate_errors():
                self.client.transact_write_items(TransactItems=ops[start : start + chunk])

    # ------------------------------------------------------------ rate limit
    def hit_rate_limit(self, client_key: str, post_id: str, *, limit: int, window: int) -> None:
        """Count one submission in the current fixed window; raise RateLimited over ``limit``."""
        now = int(time.time())
        start = now - now % window
        try:
            with translate_errors():
                self.client.update_item(
                    TableName=self.table,
                    Key={"PK": {"S": f"RATE#{client_key}#{post_id}"}, "SK": {"S": f"W#{start}"}},
                    UpdateExpression="ADD #c :one SET #ttl = if_not_exists(#ttl, :ttl)",
                    ConditionExpression="attribute_not_exists(#c) OR #c < :max",
                    ExpressionAttributeNames={"#c": "count", "#ttl": "ttl"},
                    ExpressionAttributeValues={
                        ":one": {"N": "1"},
                        ":max": {"N": str(limit)},
                        ":ttl": {"N": str(start + window * 2)},
                    },
                )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            raise RateLimited(
                "You have sent several questions in a short time. Please wait a moment and try again.",
                retry_after=start + window - now,
            ) from error

    # --------------------------------------------------------------- helpers
    def _put(self, item: dict[str, Any], condition: str, values: dict[str, Any]) -> None:
        kwargs: dict[str, Any] = {"TableName": self.table, "Item": item, "ConditionExpression": condition}
        if values:
            kwargs["ExpressionAttributeValues"] = values
        self.client.put_item(**kwargs)

    def _transact(self, ops: list[dict[str, Any]], read: QA) -> None:
        try:
            with translate_errors():
                self.client.transact_write_items(TransactItems=ops)  # type: ignore[arg-type]
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            current = self.get_qa(read.post_id, read.id)
            raise VersionConflict(
                QUESTION_CHANGED,
                current=current.admin() if current else None,
            ) from error

    def _paged(self, kwargs: dict[str, Any]) -> Iterator[dict[str, Any]]:
        while True:
            with translate_errors():
                result = self.client.query(**kwargs)
            yield from result.get("Items", [])
            last = result.get("LastEvaluatedKey")
            if not last:
                return
            kwargs = {**kwargs, "ExclusiveStartKey": last}

    def _query_all(self, index: str, key_name: str, key_value: str) -> Iterator[dict[str, Any]]:
        return self._paged(
            {
                "TableName": self.table,
                "IndexName": index,
                "KeyConditionExpression": f"{key_name} = :v",
                "ExpressionAttributeValues": {":v": {"S": key_value}},
            }
        )
