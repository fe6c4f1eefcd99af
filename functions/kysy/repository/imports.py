"""Import writes: conditional creates/updates/moves of imported records, and editors' tombstones.

Key strings of the import layout (``IMPORT#<post>`` / ``TOMB#<import key>``) live here and in
nowhere else. Every write is conditional on what the import service read: a create only where
nothing exists, an update or a move only on the version it saw. So a concurrent editor save is
never overwritten: the whole transaction fails, and the service reads again and re-plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from kysy.errors import Conflict
from kysy.models import QA, Post, Status, now_iso
from kysy.repository.dynamo import is_conditional_failure, translate_errors
from kysy.repository.store import TRANSACTION_MAX_ITEMS, post_to_item, qa_key, qa_to_item

if TYPE_CHECKING:
    from kysy.repository.store import Store

TOMB = "TOMB#"


class ImportConflict(Conflict):
    """Someone changed a record (or the post) between the import's read and its write."""

    code = "import_conflict"


@dataclass(frozen=True)
class Write:
    """One record change: ``old`` as read (None = create), ``new`` as it should be (None = delete)."""

    old: QA | None
    new: QA | None


def _import_pk(post_id: str) -> str:
    return f"IMPORT#{post_id}"


def tombstone_put(table: str, qa: QA) -> dict[str, Any]:
    """The transaction item an editor's delete of an imported record adds: the import remembers it."""
    item = {
        "PK": {"S": _import_pk(qa.post_id)},
        "SK": {"S": f"{TOMB}{qa.import_key}"},
        "type": {"S": "tombstone"},
        "qa_id": {"S": qa.id},
        "question": {"S": qa.question[:500]},
        "deleted_at": {"S": now_iso()},
    }
    return {"Put": {"TableName": table, "Item": item}}


class ImportStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.client = store.client
        self.table = store.table

    def records(self, post_id: str) -> list[QA]:
        return self.store.records_of_post(post_id)

    def post(self, post_id: str) -> Post | None:
        return self.store.get_post(post_id)

    def tombstones(self, post_id: str) -> set[str]:
        """Import keys of the imported records an editor deleted from this post."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :t)",
            "ExpressionAttributeValues": {":pk": {"S": _import_pk(post_id)}, ":t": {"S": TOMB}},
            "ProjectionExpression": "SK",
            "ConsistentRead": True,
        }
        keys: set[str] = set()
        while True:
            with translate_errors():
                page = self.client.query(**kwargs)
            keys.update(item["SK"]["S"][len(TOMB) :] for item in page.get("Items", []))
            last = page.get("LastEvaluatedKey")
            if not last:
                return keys
            kwargs["ExclusiveStartKey"] = last

    def apply(self, post: Post, post_version: int | None, writes: list[Write], revived: list[QA]) -> None:
        """Write the post and the record changes, in transactions of at most 100 items.

        ``post_version`` is the post's version as read (None = it did not exist). ``revived`` are
        records re-imported on purpose (``--force``) whose tombstones go. A post of up to ~45
        changed pairs is one all-or-nothing transaction; a larger one is written in chunks, each
        atomic, and re-running the import completes a chunked run that stopped midway.
        """
        post_condition = (
            {"ConditionExpression": "attribute_not_exists(PK)"}
            if post_version is None
            else {"ConditionExpression": "version = :v", "ExpressionAttributeValues": {":v": {"N": str(post_version)}}}
        )
        first = [{"Put": {"TableName": self.table, "Item": post_to_item(post), **post_condition}}]
        groups: list[list[dict[str, Any]]] = [first]
        for write in writes:
            groups.append(self._ops(write))
        for qa in revived:
            key = {"PK": {"S": _import_pk(qa.post_id)}, "SK": {"S": f"{TOMB}{qa.import_key}"}}
            groups.append([{"Delete": {"TableName": self.table, "Key": key}}])
        chunk: list[dict[str, Any]] = []
        published = False
        for group in groups:
            if len(chunk) + len(group) > TRANSACTION_MAX_ITEMS - 1:
                self._transact(chunk, published)
                chunk, published = [], False
            chunk.extend(group)
            published = published or any(_touches_published(op) for op in group)
        if chunk:
            self._transact(chunk, published)

    def _ops(self, write: Write) -> list[dict[str, Any]]:
        old, new = write.old, write.new
        version = {":v": {"N": str(old.version)}} if old is not None else {}
        if new is None:
            assert old is not None
            return [
                {
                    "Delete": {
                        "TableName": self.table,
                        "Key": qa_key(old),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": version,
                    }
                }
            ]
        put: dict[str, Any] = {"TableName": self.table, "Item": qa_to_item(new)}
        if old is None or qa_key(old) != qa_key(new):
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put |= {"ConditionExpression": "version = :v", "ExpressionAttributeValues": version}
        ops: list[dict[str, Any]] = [{"Put": put}]
        if old is not None and qa_key(old) != qa_key(new):  # publish/unpublish moves it between partitions
            ops.insert(
                0,
                {
                    "Delete": {
                        "TableName": self.table,
                        "Key": qa_key(old),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": version,
                    }
                },
            )
        return ops

    def _transact(self, ops: list[dict[str, Any]], published: bool) -> None:
        if published:
            ops = [*ops, self._bump_search_version()]
        try:
            with translate_errors():
                self.client.transact_write_items(TransactItems=ops)  # type: ignore[arg-type]
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            raise ImportConflict(
                "A record of this post changed while importing (an editor saved it). Run the import again."
            ) from error

    def _bump_search_version(self) -> dict[str, Any]:
        op: dict[str, Any] = self.store._bump_search_version()
        return op


def _touches_published(op: dict[str, Any]) -> bool:
    """Whether a transaction item writes or removes a published record (the search index must know)."""
    body = op.get("Put") or op.get("Delete") or {}
    key = body.get("Item") or body.get("Key") or {}
    pk: str = key.get("PK", {}).get("S", "")
    return pk.startswith("POST#") and key.get("SK", {}).get("S", "").startswith("QA#")


__all__ = ["ImportConflict", "ImportStore", "Status", "Write", "tombstone_put"]
