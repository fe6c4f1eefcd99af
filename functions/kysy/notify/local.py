"""Local stand-in for Lambda's DynamoDB stream event source mapping (``kysy dev``, tests).

Reads the table's stream shards (moto's server and DynamoDB Local both serve the
``dynamodbstreams`` API) with GetRecords about once a second, wraps the records in the exact
Lambda DynamoDB stream event shape and calls the same handler the notifier function runs.
Like the event source mapping it retries from the first failed record with exponential back-off
and, when retries are exhausted, writes the batch's metadata (never its images, which hold
addresses) to a dead-letter folder, shaped like Lambda's OnFailure record.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kysy.api.observability import logger

if TYPE_CHECKING:
    from kysy.settings import Settings

StreamHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class LocalContext:
    """The parts of a Lambda context that Powertools reads."""

    function_name: str = "kysy-notifier-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:kysy-notifier-local"
    aws_request_id: str = ""
    log_group_name: str = "local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def _plain_attr(value: Any) -> Any:
    """An AttributeValue as JSON, the way Lambda delivers it (binary as base64 text)."""
    if isinstance(value, dict):
        return {k: _plain_attr(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_attr(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return value


def lambda_record(record: dict[str, Any], *, stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record -> a Lambda ``Records[i]`` of a DynamoDB stream event."""
    ddb = dict(record["dynamodb"])
    created = ddb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        ddb["ApproximateCreationDateTime"] = int(created.timestamp())
    for key in ("Keys", "NewImage", "OldImage"):
        if key in ddb:
            ddb[key] = _plain_attr(ddb[key])
    out = {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": ddb,
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in record:
        out["userIdentity"] = record["userIdentity"]
    return out


class StreamPoller:
    """Polls every shard of one table's stream and feeds batches to ``handler``."""

    def __init__(
        self,
        *,
        dynamodb: Any,
        streams: Any,
        table_name: str,
        handler: StreamHandler,
        dead_letter_dir: Path,
        interval: float = 1.0,
        batch_size: int = 100,
        max_retries: int = 3,
        base_delay: float = 0.5,
        start_at: str = "LATEST",
        sleep: Callable[[float], None] = time.sleep,
        function_name: str = "kysy-notifier-local",
    ) -> None:
        self.dynamodb = dynamodb
        self.streams = streams
        self.table_name = table_name
        self.handler = handler
        self.dead_letter_dir = dead_letter_dir
        self.interval = interval
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.start_at = start_at
        self.sleep = sleep
        self.function_name = function_name  # what the handler's logs name (notifier or indexer)
        self.region = str(streams.meta.region_name)
        self.stream_arn = self._stream_arn()
        self._iterators: dict[str, str | None] = {}
        self._last_sequence: dict[str, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._refresh_shards(initial=True)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, handler: StreamHandler, dead_letter_dir: Path, **options: Any
    ) -> StreamPoller:
        """A poller of the configured table's stream (``kysy dev``, tests)."""
        from kysy.notify.channels import aws_client
        from kysy.repository.dynamo import make_client

        return cls(
            dynamodb=make_client(settings),
            streams=aws_client("dynamodbstreams", region=settings.region, endpoint=settings.dynamodb_endpoint),
            table_name=settings.table_name,
            handler=handler,
            dead_letter_dir=dead_letter_dir,
            **options,
        )

    # ------------------------------------------------------------------------------- shards
    def _stream_arn(self) -> str:
        table = self.dynamodb.describe_table(TableName=self.table_name)["Table"]
        arn = table.get("LatestStreamArn")
        if not arn:
            raise RuntimeError(f"Table {self.table_name} has no stream; notifications need NEW_AND_OLD_IMAGES.")
        return str(arn)

    def _refresh_shards(self, *, initial: bool = False) -> None:
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                # A shard appearing after start (a split) is read from its beginning.
                got = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )
                self._iterators[shard_id] = got["ShardIterator"]
                if initial and self.start_at == "LATEST":
                    self._skip_existing(shard_id)

    def _skip_existing(self, shard_id: str) -> None:
        """Start after the last record already in the shard (LATEST, remembered as a sequence number)."""
        iterator = self._iterators[shard_id]
        while iterator:
            got = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            if not got["Records"]:
                break
            self._last_sequence[shard_id] = str(got["Records"][-1]["dynamodb"]["SequenceNumber"])
            iterator = got.get("NextShardIterator")

    # -------------------------------------------------------------------------------- polling
    def poll_once(self) -> int:
        """Read each open shard once and deliver what arrived. Returns the number of records."""
        total = 0
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:
                continue  # closed shard, fully read
            # A fresh iterator every poll, after the last record seen: moto restores a table from a
            # copy when it rolls back a cancelled transaction, and an iterator taken before then
            # keeps reading the discarded copy's stream. Harmless against DynamoDB Streams itself.
            last = self._last_sequence.get(shard_id)
            anchor: dict[str, str] = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last}
                if last is not None
                else {"ShardIteratorType": "TRIM_HORIZON"}
            )
            iterator = self.streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **anchor)[
                "ShardIterator"
            ]
            got = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            self._iterators[shard_id] = got.get("NextShardIterator")
            if got["Records"]:
                self._last_sequence[shard_id] = str(got["Records"][-1]["dynamodb"]["SequenceNumber"])
            records = [lambda_record(r, stream_arn=self.stream_arn, region=self.region) for r in got["Records"]]
            for start in range(0, len(records), self.batch_size):
                self.deliver(shard_id, records[start : start + self.batch_size])
            total += len(records)
        return total

    def deliver(self, shard_id: str, records: list[dict[str, Any]]) -> None:
        """Invoke the handler; on partial failure retry from the first failed record (as Lambda does)."""
        pending = records
        attempt = 0
        while pending:
            failed = self._invoke(pending)
            if not failed:
                return
            first = next((i for i, r in enumerate(pending) if r["dynamodb"]["SequenceNumber"] in failed), 0)
            pending = pending[first:]
            attempt += 1
            if attempt > self.max_retries:
                self._dead_letter(shard_id, pending, failed, attempt)
                return
            delay = self.base_delay * 2 ** (attempt - 1)
            logger.warning(
                "Stream batch had failures; retrying",
                extra={"attempt": attempt, "failed": len(failed), "delay_seconds": delay},
            )
            self.sleep(delay)

    def _invoke(self, records: list[dict[str, Any]]) -> set[str]:
        event = {"Records": records}
        try:
            result = self.handler(
                event,
                LocalContext(
                    function_name=self.function_name,
                    invoked_function_arn=f"arn:aws:lambda:local:000000000000:function:{self.function_name}",
                    aws_request_id=str(uuid.uuid4()),
                ),
            )
        except Exception as error:  # a function error: the whole batch failed
            logger.error("Notifier handler raised", extra={"error": type(error).__name__})
            return {r["dynamodb"]["SequenceNumber"] for r in records}
        return {str(f["itemIdentifier"]) for f in (result or {}).get("batchItemFailures", [])}

    def _dead_letter(self, shard_id: str, records: list[dict[str, Any]], failed: set[str], attempts: int) -> None:
        """Lambda's OnFailure record shape (metadata only), plus the failed records' keys."""
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        document = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": LocalContext.invoked_function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": ""},
            "version": "1.0",
            "timestamp": now,
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
            # Local extra: which records failed, by key (ids only: no images, so no addresses).
            "failedRecords": [
                {
                    "sequenceNumber": r["dynamodb"]["SequenceNumber"],
                    "eventName": r["eventName"],
                    "keys": r["dynamodb"]["Keys"],
                }
                for r in records
                if r["dynamodb"]["SequenceNumber"] in failed
            ],
        }
        self.dead_letter_dir.mkdir(parents=True, exist_ok=True)
        path = self.dead_letter_dir / f"{time.strftime('%Y%m%dT%H%M%S')}-{first['SequenceNumber']}.json"
        path.write_text(json.dumps(document, indent=2), encoding="utf-8")
        logger.error(
            "Stream records moved to the dead-letter folder", extra={"file": str(path), "records": len(failed)}
        )

    # ------------------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kysy-stream-poller", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        polls = 0
        while not self._stop.is_set():
            try:
                self.poll_once()
                polls += 1
                if polls % 60 == 0:
                    self._refresh_shards()
            except Exception as error:  # keep polling: the local server may be restarting
                logger.warning("Stream poll failed", extra={"error": type(error).__name__})
            self._stop.wait(self.interval)


@dataclass
class LocalNotifier:
    poller: StreamPoller | None
    mail_dir: Path
    dead_letter_dir: Path

    def stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()


def start_local_notifier(state_dir: Path) -> LocalNotifier:
    """For ``kysy dev``: outbox and dead-letter folders under the state dir, poller running.

    Call after the environment is configured (table, endpoint). Respects KYSY_MAIL_DIR and
    KYSY_DEAD_LETTER_DIR when set.
    """
    os.environ.setdefault("KYSY_MAIL_DIR", str(state_dir / "outbox"))
    os.environ.setdefault("KYSY_DEAD_LETTER_DIR", str(state_dir / "dead-letter"))
    from kysy.notify import handler as notify_handler
    from kysy.settings import get_settings

    get_settings.cache_clear()
    notify_handler.reset()
    settings = get_settings()
    mail_dir, dead_dir = Path(settings.mail_dir), Path(settings.dead_letter_dir)
    try:
        poller = StreamPoller.from_settings(settings, handler=notify_handler.handler, dead_letter_dir=dead_dir)
    except Exception as error:  # no stream support: the app still runs, without notifications
        logger.warning("Local notifications are off: cannot read the table's stream", extra={"error": str(error)})
        return LocalNotifier(None, mail_dir, dead_dir)
    poller.start()
    return LocalNotifier(poller, mail_dir, dead_dir)
