"""Local DynamoDB only (``kysy dev``, the tests, the benches): moto transactions at the cost of their items.

moto backs up a transaction by deep-copying every table it touches, with the table's whole stream
history, on every ``TransactWriteItems``: time and memory grow with everything written so far
(measured with moto 5.2: 500 transactions on a streamed table took 30 s and 1.5 GB, 1,500 took
290 s and 13 GB). Every Kysy status change is a transaction, so a long ``kysy dev`` session or the
test suite slowed down until requests timed out, were retried, and the retries of committed
transactions looked like conflicts.

``install()`` keeps moto's transaction code and its semantics (conditions checked item by item,
all-or-nothing, ``TransactionCanceledException`` with one reason per item) but backs up only the
items the transaction names, and the stream's length: on a cancellation the items are put back as
they were and the stream records of the cancelled writes are dropped, so stream consumers never
see a write that did not happen. Like moto itself, this does not isolate concurrent transactions.

Never imported by the Lambda handlers (moto is not in the Lambda package).
"""

from __future__ import annotations

import copy
from typing import Any

_installed = False


def install() -> None:
    """Patch moto's DynamoDB backend in this process (idempotent)."""
    global _installed
    if _installed:
        return
    from moto.dynamodb.exceptions import (
        MockValidationException,
        MultipleTransactionsException,
        TransactionCanceledException,
    )
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    original = DynamoDBBackend.transact_write_items

    def table_not_copied(self: Table, memo: dict[int, Any]) -> Table:
        # moto deep-copies tables only to back up a transaction; the patched method below backs up
        # the named items instead, so the table itself is "copied" as itself.
        return self

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        backups: list[tuple[Table, Any, Any, Any]] = []
        streams: dict[int, tuple[Any, int]] = {}
        for entry in transact_items:
            if len(entry) != 1:
                continue  # moto refuses it before writing anything
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName", ""))
            if table is None:
                continue
            key = op.get("Key") or {
                name: op.get("Item", {}).get(name)
                for name in (table.hash_key_attr, table.range_key_attr)
                if name is not None
            }
            try:
                hash_key, range_key = self.get_keys_value(table, key)
            except MockValidationException:
                continue  # moto refuses it before writing anything
            backups.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
            if table.stream_shard is not None:
                streams.setdefault(id(table), (table.stream_shard, len(table.stream_shard.items)))
        try:
            original(self, transact_items)
        except (TransactionCanceledException, MultipleTransactionsException, MockValidationException):
            for table, hash_key, range_key, item in reversed(backups):
                _restore(table, hash_key, range_key, item)
            for shard, length in streams.values():
                del shard.items[length:]
            raise

    Table.__deepcopy__ = table_not_copied  # type: ignore[attr-defined]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _installed = True


def _restore(table: Any, hash_key: Any, range_key: Any, item: Any) -> None:
    """Put one item back as it was (``None``: it did not exist), without a stream record."""
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    if item is None:
        table.items.get(hash_key, {}).pop(range_key, None)
    else:
        table.items[hash_key][range_key] = item
