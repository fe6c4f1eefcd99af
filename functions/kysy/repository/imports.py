"""Import writes: conditional creates/updates/moves of imported records, and editors' tombstones.

Every write is conditional on what the import service read (the store's ``record_ops``): a
create only where nothing exists, an update, move or delete only on the version it saw, the post
META only on its version. The post's counters move in the same transaction (one COUNTS update
per transaction, the deltas merged; the search index follows the stream). So a concurrent editor save is
never overwritten: the whole transaction fails, and the service reads again and re-plans.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from kysy.errors import Conflict
from kysy.models import QA, Post, now_iso
from kysy.repository import keys
from kysy.repository.base import TRANSACTION_MAX_ITEMS, merge_deltas, status_delta
from kysy.repository.dynamo import is_conditional_failure

if TYPE_CHECKING:
    from kysy.repository.store import Store


class ImportConflict(Conflict):
    """Someone changed a record (or the post) between the import's read and its write."""

    code = "import_conflict"


@dataclass(frozen=True)
class Write:
    """One record change: ``old`` as read (None = create), ``new`` as it should be (None = delete)."""

    old: QA | None
    new: QA | None


def tombstone_put(table: str, qa: QA) -> dict[str, Any]:
    """The transaction item an editor's delete of an imported record adds: the import remembers it."""
    item = {
        **keys.tombstone_key(qa.post_id, qa.import_key),
        "type": {"S": "tombstone"},
        "qa_id": {"S": qa.id},
        "question": {"S": qa.question[:500]},
        "deleted_at": {"S": now_iso()},
    }
    return {"Put": {"TableName": table, "Item": item}}


class ImportStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.table = store.table

    def records(self, post_id: str) -> list[QA]:
        return self.store.records_of_post(post_id)

    def post(self, post_id: str) -> Post | None:
        return self.store.get_post(post_id)

    def tombstones(self, post_id: str) -> set[str]:
        """Import keys of the imported records an editor deleted from this post."""
        query: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :t)",
            "ExpressionAttributeValues": {":pk": {"S": keys.import_pk(post_id)}, ":t": {"S": keys.TOMB_PREFIX}},
            "ProjectionExpression": "SK",
            "ConsistentRead": True,
        }
        return {item["SK"]["S"][len(keys.TOMB_PREFIX) :] for item in self.store.paged(query)}

    def apply(self, post: Post, post_version: int | None, writes: list[Write], revived: list[QA]) -> None:
        """Write the post and the record changes, in transactions of at most 100 items.

        ``post_version`` is the post's version as read (None = it did not exist). ``revived`` are
        records re-imported on purpose (``--force``) whose tombstones go. A post of up to ~45
        changed pairs is one all-or-nothing transaction; a larger one is written in chunks, each
        atomic with its share of the counters, and re-running the import completes a chunked run.
        """
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(PK)"}
            if post_version is None
            else {"ConditionExpression": "version = :v", "ExpressionAttributeValues": {":v": {"N": str(post_version)}}}
        )
        groups: list[tuple[list[dict[str, Any]], Write | None]] = [
            ([{"Put": {"TableName": self.table, "Item": keys.post_to_item(post), **condition}}], None)
        ]
        for change in writes:
            ops = self.store.record_ops(change.old, change.new)
            if change.new is None and change.old is not None:
                ops.append(self.store.delete_email_op(change.old.id))  # --replace: no address outlives its record
            groups.append((ops, change))
        for qa in revived:
            key = keys.tombstone_key(qa.post_id, qa.import_key)
            groups.append(([{"Delete": {"TableName": self.table, "Key": key}}], None))
        room = TRANSACTION_MAX_ITEMS - 1  # + the post's COUNTS update (the search index follows the stream)
        batch: list[dict[str, Any]] = []
        batch_writes: list[Write] = []
        for ops, grouped in groups:
            if batch and len(batch) + len(ops) > room:
                self._transact(post.id, batch, batch_writes)
                batch, batch_writes = [], []
            batch += ops
            if grouped is not None:
                batch_writes.append(grouped)
        if batch:
            self._transact(post.id, batch, batch_writes)

    def _transact(self, post_id: str, ops: list[dict[str, Any]], writes: list[Write]) -> None:
        deltas: dict[str, dict[str, int]] = {}
        for write in writes:
            merge_deltas(deltas, post_id, status_delta(write.old, write.new))
        delta = {name: value for name, value in deltas.get(post_id, {}).items() if value}
        extra = [self.store.counts_op(post_id, delta)] if delta else []
        try:
            self.store.transact([*ops, *extra])
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            raise ImportConflict(
                "A record of this post changed while importing (an editor saved it). Run the import again."
            ) from error


__all__ = ["ImportConflict", "ImportStore", "Write", "tombstone_put"]
