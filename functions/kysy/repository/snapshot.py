"""A file copy of a local table, so `kysy dev` keeps its data across restarts.

moto keeps DynamoDB in memory; ``kysy dev`` writes every item of its table to one JSON file when
the table changes and when it stops, and puts them back when it starts. The file is replaced
atomically (a temporary file in the same folder, fsync, rename, fsync of the folder): a crash or
a power cut leaves the previous snapshot or the new one, never half of one.

Items are stored as DynamoDB JSON (``{"S": ...}``), binary values base64-encoded; nothing here
knows Kysy's key layout.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kysy.repository.dynamo import translate_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

FORMAT = 1
BATCH = 25  # BatchWriteItem's limit


@dataclass(frozen=True)
class Snapshot:
    table: str
    saved_at: str
    items: list[dict[str, Any]]


def _to_json(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"$b64": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_to_json(v) for v in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$b64"}:
            return base64.b64decode(value["$b64"])
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def scan_items(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    """Every item of the table, as DynamoDB JSON."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        with translate_errors():
            page = client.scan(**kwargs)
        items.extend(page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def is_empty(client: DynamoDBClient, table: str) -> bool:
    with translate_errors():
        return not client.scan(TableName=table, Limit=1).get("Items")


def encode(table: str, items: list[dict[str, Any]]) -> bytes:
    """Canonical bytes (items sorted, keys sorted) so an unchanged table gives the same bytes."""
    rows = sorted(json.dumps(_to_json(item), sort_keys=True, ensure_ascii=False) for item in items)
    header = json.dumps({"format": FORMAT, "table": table}, sort_keys=True)
    return ("[" + header + (",\n" if rows else "") + ",\n".join(rows) + "]\n").encode()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once: temp file in the same folder, fsync, rename, fsync."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def read(path: Path) -> Snapshot:
    rows = json.loads(path.read_text(encoding="utf-8"))
    header, items = rows[0], rows[1:]
    if header.get("format") != FORMAT:
        raise ValueError(f"{path}: unknown snapshot format {header.get('format')!r}")
    saved = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    return Snapshot(table=str(header["table"]), saved_at=saved, items=[_from_json(item) for item in items])


def restore(client: DynamoDBClient, table: str, items: list[dict[str, Any]]) -> int:
    """Put the items back (BatchWriteItem, retrying what DynamoDB leaves unprocessed)."""
    for start in range(0, len(items), BATCH):
        pending: dict[str, Any] = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH]]}
        while pending:
            with translate_errors():
                result = client.batch_write_item(RequestItems=pending)
            pending = dict(result.get("UnprocessedItems") or {})
    return len(items)


class TableSnapshot:
    """The snapshot file of one table: ``save`` writes only when the table's content changed."""

    def __init__(self, client: DynamoDBClient, table: str, path: Path) -> None:
        self.client = client
        self.table = table
        self.path = path
        self._digest = ""

    def load(self) -> int:
        """Restore the file into the (empty) table; returns the number of items."""
        snapshot = read(self.path)
        count = restore(self.client, self.table, snapshot.items)
        self._digest = hashlib.sha256(encode(self.table, snapshot.items)).hexdigest()
        return count

    def save(self) -> bool:
        data = encode(self.table, scan_items(self.client, self.table))
        digest = hashlib.sha256(data).hexdigest()
        if digest == self._digest and self.path.exists():
            return False
        write_atomically(self.path, data)
        self._digest = digest
        return True
