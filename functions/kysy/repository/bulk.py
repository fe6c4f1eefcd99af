"""Many records changed at once (bulk reject, its undo) and the undo batches that remember them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from kysy.errors import Conflict
from kysy.models import QA
from kysy.repository import keys
from kysy.repository.base import TRANSACTION_MAX_ITEMS, StoreBase, merge_deltas, status_delta
from kysy.repository.dynamo import is_conditional_failure, translate_errors

# Each record is one Put (plus an address Delete); each post in the chunk one COUNTS update.
_CHUNK = 30
_ATTEMPTS = 4


@dataclass(frozen=True)
class BatchEntry:
    post_id: str
    id: str
    version: int  # the record's version right after the bulk change: undo only if it is still this


@dataclass(frozen=True)
class Batch:
    id: str
    action: str
    by: str
    created_at: str
    expires: int
    entries: tuple[BatchEntry, ...]
    undone_at: str = ""


class BulkMixin(StoreBase):
    def save_many(self, changes: list[tuple[QA, QA]], *, drop_emails: bool) -> tuple[list[QA], list[QA]]:
        """Apply many ``old -> new`` changes in transactions of up to 30 records.

        Each record is conditioned on its version, so a record someone changed meanwhile is skipped
        (returned second) and never overwritten; the rest of its chunk is retried without it.
        Counters move in the same transactions. Returns (changed new records, skipped old records).
        """
        done: list[QA] = []
        skipped: list[QA] = []
        for start in range(0, len(changes), _CHUNK):
            part = changes[start : start + _CHUNK]
            for _ in range(_ATTEMPTS):
                if not part:
                    break
                ops, owners = self._many_ops(part, drop_emails=drop_emails)
                try:
                    self.transact(ops)
                    done += [new for _, new in part]
                    part = []
                    break
                except ClientError as error:
                    if not is_conditional_failure(error):
                        raise
                    failed = {owners[i] for i in self.failed_items(error) if owners[i] is not None}
                    if not failed:
                        raise
                    skipped += [old for i, (old, _) in enumerate(part) if i in failed]
                    part = [change for i, change in enumerate(part) if i not in failed]
            if part:
                raise Conflict("These questions keep changing. Please try again.", code="bulk_conflict")
        return done, skipped

    def _many_ops(
        self, part: list[tuple[QA, QA]], *, drop_emails: bool
    ) -> tuple[list[dict[str, Any]], list[int | None]]:
        ops: list[dict[str, Any]] = []
        owners: list[int | None] = []  # which change each op belongs to (None: shared counters)
        deltas: dict[str, dict[str, int]] = {}
        for i, (old, new) in enumerate(part):
            record = self.record_ops(old, new)
            ops += record
            owners += [i] * len(record)
            merge_deltas(deltas, new.post_id, status_delta(old, new))
            if drop_emails:
                ops.append(self.delete_email_op(old.id))
                owners.append(i)
        for post_id, delta in deltas.items():
            clean = {k: v for k, v in delta.items() if v}
            if clean:
                ops.append(self.counts_op(post_id, clean))
                owners.append(None)
        assert len(ops) <= TRANSACTION_MAX_ITEMS
        return ops, owners

    # ------------------------------------------------------------------ undo batches
    def save_batch(self, batch: Batch) -> None:
        item = keys.to_attrs(
            {
                "PK": keys.bulk_key(batch.id)["PK"]["S"],
                "SK": keys.META_SK,
                "action": batch.action,
                "by": batch.by,
                "created_at": batch.created_at,
                "ttl": batch.expires,
                "entries": [{"post_id": e.post_id, "id": e.id, "version": e.version} for e in batch.entries],
            }
        )
        with translate_errors():
            self.client.put_item(TableName=self.table, Item=item, ConditionExpression="attribute_not_exists(PK)")

    def get_batch(self, batch_id: str, *, now: float | None = None) -> Batch | None:
        """A bulk action still inside its undo window (an expired batch is gone, whatever DynamoDB says)."""
        with translate_errors():
            got = self.client.get_item(TableName=self.table, Key=keys.bulk_key(batch_id), ConsistentRead=True)
        item = got.get("Item")
        if not item:
            return None
        data = keys.plain(item)
        if int(data["ttl"]) <= (time.time() if now is None else now):
            return None
        return Batch(
            id=batch_id,
            action=str(data["action"]),
            by=str(data["by"]),
            created_at=str(data["created_at"]),
            expires=int(data["ttl"]),
            entries=tuple(
                BatchEntry(post_id=str(e["post_id"]), id=str(e["id"]), version=int(e["version"]))
                for e in data.get("entries", [])
            ),
            undone_at=str(data.get("undone_at", "")),
        )

    def mark_batch_undone(self, batch_id: str, at: str) -> None:
        """Claim the undo once: a second (or concurrent) undo of the same batch gets 409."""
        try:
            with translate_errors():
                self.client.update_item(
                    TableName=self.table,
                    Key=keys.bulk_key(batch_id),
                    UpdateExpression="SET undone_at = :at",
                    ConditionExpression="attribute_exists(PK) AND attribute_not_exists(undone_at)",
                    ExpressionAttributeValues={":at": {"S": at}},
                )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            raise Conflict("This bulk action was undone already.", code="already_undone") from error
