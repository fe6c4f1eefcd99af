"""Where the search index lives between executions: a state item and a change log in the table,
snapshots in S3 (keys in :mod:`kysy.repository.keys`, see docs/ARCHITECTURE.md).

* ``SEARCH / INDEX``: ``v`` (the newest change's version), ``base`` (the version of the newest
  snapshot), ``fmt`` (its format). Read with one consistent GetItem per index refresh.
* ``SEARCH / CHANGE#<v, 12 digits>``: one change (``d``, opaque bytes the service wrote), kept
  ``CHANGE_TTL_DAYS`` so an environment holding an older snapshot can catch up. Appended in a
  transaction with the move of ``v``: versions have no gaps and two indexers cannot both write
  the same one.
* ``s3://<bucket>/search/index-v<fmt>.kysy``: the newest snapshot (the bucket keeps older versions
  briefly, see template.yaml). Its own header says which version it holds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import ClientError

from kysy.errors import IndexVersionMoved
from kysy.repository import keys
from kysy.repository.dynamo import aws_client, error_code, is_conditional_failure, translate_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from kysy.settings import Settings

CHANGE_TTL_DAYS = 7
SNAPSHOT_PREFIX = "search/"
MAX_CHANGE_BYTES = 350_000  # DynamoDB items are at most 400 KB
_BATCH_GET_MAX = 100


@dataclass(frozen=True)
class IndexState:
    version: int  # the newest change in the log
    base: int  # the version of the newest snapshot written (0: none yet)
    format: int  # the snapshot format of ``base``


_STATE_KEY = keys.search_state_key()
_STATE_NAMES = {"#v": "v", "#b": "base", "#f": "fmt"}  # "base" is a reserved word in expressions


class SearchIndexStore:
    """The index's state, change log and snapshots. The S3 client is made on first use: the
    reader's widget view never touches S3, so its cold start does not pay for it."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        bucket: str,
        s3: Callable[[], Any],
        now: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.table = table_name
        self.bucket = bucket
        self._s3_factory = s3
        self._s3: Any = None
        self._s3_lock = threading.Lock()
        self._now = now

    @classmethod
    def from_settings(cls, client: DynamoDBClient, settings: Settings) -> SearchIndexStore:
        def s3() -> Any:
            # Path-style addressing works with every endpoint (moto's server too).
            config = Config(connect_timeout=2, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})
            if settings.s3_endpoint:
                config = config.merge(Config(s3={"addressing_style": "path"}))
            return aws_client("s3", region=settings.region, endpoint=settings.s3_endpoint, config=config)

        return cls(client, settings.table_name, bucket=settings.search_bucket, s3=s3)

    @property
    def s3(self) -> Any:
        with self._s3_lock:
            if self._s3 is None:
                self._s3 = self._s3_factory()
            return self._s3

    # ------------------------------------------------------------------------------- state
    def state(self) -> IndexState | None:
        with translate_errors():
            got = self.client.get_item(TableName=self.table, Key=_STATE_KEY, ConsistentRead=True)
        item = got.get("Item")
        if not item:
            return None
        return IndexState(
            version=int(item.get("v", {}).get("N", "0")),
            base=int(item.get("base", {}).get("N", "0")),
            format=int(item.get("fmt", {}).get("N", "0")),
        )

    # ---------------------------------------------------------------------------- change log
    def changes(self, after: int, upto: int) -> list[bytes] | None:
        """The changes ``after < v <= upto`` in order, or None when any is gone (expired)."""
        if upto <= after:
            return []
        wanted = list(range(after + 1, upto + 1))
        found: dict[int, bytes] = {}
        for start in range(0, len(wanted), _BATCH_GET_MAX):
            batch = [keys.search_change_key(v) for v in wanted[start : start + _BATCH_GET_MAX]]
            request: dict[str, Any] = {self.table: {"Keys": batch, "ConsistentRead": True}}
            while request:
                with translate_errors():
                    got = self.client.batch_get_item(RequestItems=request)
                for item in got.get("Responses", {}).get(self.table, []):
                    found[keys.search_change_version(item["SK"]["S"])] = bytes(item["d"]["B"])
                request = got.get("UnprocessedKeys") or {}
        if len(found) != len(wanted):
            return None
        return [found[v] for v in wanted]

    def append(self, expected: int, changes: list[bytes]) -> int:
        """Write ``changes`` as versions ``expected + 1 ...`` if the log is still at ``expected``.

        Returns the new version; raises ``IndexVersionMoved`` when another writer got there first.
        """
        if not changes:
            return expected
        if any(len(c) > MAX_CHANGE_BYTES for c in changes):
            raise ValueError("a search index change is too large for one item; split it")
        expires = int(self._now()) + CHANGE_TTL_DAYS * 86400
        ops: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": {**keys.search_change_key(expected + n), "d": {"B": data}, "ttl": {"N": str(expires)}},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
            for n, data in enumerate(changes, start=1)
        ]
        new = expected + len(changes)
        ops.append(
            {
                "Update": {
                    "TableName": self.table,
                    "Key": _STATE_KEY,
                    "UpdateExpression": "SET #v = :new, #b = if_not_exists(#b, :zero), #f = if_not_exists(#f, :zero)",
                    "ConditionExpression": "attribute_not_exists(#v) OR #v = :old",
                    "ExpressionAttributeNames": _STATE_NAMES,
                    "ExpressionAttributeValues": {
                        ":new": {"N": str(new)},
                        ":old": {"N": str(expected)},
                        ":zero": {"N": "0"},
                    },
                }
            }
        )
        try:
            with translate_errors():
                self.client.transact_write_items(TransactItems=ops)  # type: ignore[arg-type]
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            raise IndexVersionMoved("The search index moved on; read it again and retry.") from error
        return new

    # ----------------------------------------------------------------------------- snapshots
    @staticmethod
    def snapshot_key(format_version: int) -> str:
        return f"{SNAPSHOT_PREFIX}index-v{format_version}.kysy"

    def read_snapshot(self, format_version: int) -> bytes | None:
        """The newest snapshot of that format, or None when none was written yet."""
        with translate_errors():
            try:
                got = self.s3.get_object(Bucket=self.bucket, Key=self.snapshot_key(format_version))
            except ClientError as error:
                if error_code(error) in {"NoSuchKey", "404"}:
                    return None
                raise
            data: bytes = got["Body"].read()
        return data

    def write_snapshot(self, version: int, format_version: int, data: bytes) -> None:
        """Upload the snapshot, then point the state at it (never backwards)."""
        with translate_errors():
            self.s3.put_object(
                Bucket=self.bucket,
                Key=self.snapshot_key(format_version),
                Body=data,
                ContentType="application/octet-stream",
                Metadata={"version": str(version)},
            )
        try:
            with translate_errors():
                self.client.update_item(
                    TableName=self.table,
                    Key=_STATE_KEY,
                    UpdateExpression="SET #b = :v, #f = :f, #v = if_not_exists(#v, :v)",
                    ConditionExpression="attribute_not_exists(#b) OR #b <= :v",
                    ExpressionAttributeNames=_STATE_NAMES,
                    ExpressionAttributeValues={":v": {"N": str(version)}, ":f": {"N": str(format_version)}},
                )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            # A newer snapshot was recorded meanwhile (a concurrent indexer). Whichever upload
            # landed last, its own header tells readers which version it holds.
            return


def create_bucket(store: SearchIndexStore) -> None:
    """Create the snapshot bucket if missing: for local runs and tests (the template creates it in AWS)."""
    with translate_errors():
        try:
            store.s3.head_bucket(Bucket=store.bucket)
        except ClientError as error:
            if error_code(error) not in {"404", "NoSuchBucket", "NotFound"}:
                raise
            kwargs: dict[str, Any] = {"Bucket": store.bucket}
            region = store.s3.meta.region_name
            if region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            store.s3.create_bucket(**kwargs)
