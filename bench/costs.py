"""What Kysy costs on AWS, from counts measured against the local stack.

    .venv/bin/python bench/costs.py                      # 1 M views, 10 k questions, 1 k answers a month
    .venv/bin/python bench/costs.py --views 200000 --questions 2000 --answers 300
    .venv/bin/python bench/costs.py --markdown           # the tables of docs/COSTS.md

Measured here, per request, by calling the Lambda handlers exactly as deployed (API Gateway v2
events in, Mangum, Powertools, FastAPI) on moto's DynamoDB over HTTP:

* DynamoDB requests, and the read/write request units they use, from the item sizes actually read
  and written (botocore ``before-call``/``after-call`` hooks on the app's client; sizes by
  DynamoDB's rules; each write's item is read before and after on a separate client to size it,
  GSI writes included).
* S3 requests and their bytes (the same hooks on every S3 client the code makes: the search
  index's snapshot, read by a search environment's first search and written by the indexer).
* The search indexer (IndexerFunction) as deployed: the table's stream, filtered by the template's
  pattern, drives ``kysy.indexer.handler.handler`` on moto's stream; its scheduled runs too.
* Kysy's own time per request: handler wall time minus the time spent inside DynamoDB/S3 calls.
* Response bytes (as sent, gzip where the client accepts it) and application log bytes.

Assumed (printed with the table; change them with flags): the traffic mix per view / question /
answer, DynamoDB's and S3's in-region latency, how much slower Lambda's arm64 share of a core at 1,024 MB
is than this machine, the cold-start share, what a CDN would cache, and the prices (PRICES below:
eu-north-1 list prices, with the date and where a figure could not be checked).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import logging
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]
os.environ.update(
    {
        "KYSY_TABLE_NAME": f"kysy-costs-{uuid.uuid4().hex[:8]}",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_REGION": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Kysy",
        "POWERTOOLS_LOG_LEVEL": "INFO",  # as deployed (template.yaml)
        # One bench client asks every question: lift the per-client limits (they cost the same).
        "KYSY_RATE_LIMIT_MAX": "1000000",
        "KYSY_DAILY_QUESTION_LIMIT": "1000000",
        # moto copies the table for each transaction: no client-side retries of committed ones.
        "KYSY_DYNAMODB_TIMEOUT_SECONDS": "60",
    }
)
warnings.filterwarnings("ignore")

from tests.lambda_events import LambdaContext, http_event  # noqa: E402

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
SEED_POST = "sosiaalinen-media-2021"
BLOG_POSTS = 20  # the seed post imported under this many ids: the blog the search index covers


def deployment() -> dict[str, Any]:
    """What template.yaml deploys that the bill depends on: memory, SnapStart, alarm metrics,
    the indexer's memory, schedule and stream filter, how long replaced snapshots are kept."""
    import yaml

    from kysy.repository.table import TEMPLATE, _CfnLoader

    doc = yaml.load(TEMPLATE.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506 - safe subclass
    globals_ = doc["Globals"]["Function"]
    resources = doc["Resources"]
    functions = {n: r["Properties"] for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}

    def snapstart(props: dict[str, Any]) -> bool:
        return (props.get("SnapStart") or globals_.get("SnapStart") or {}).get("ApplyOn") == "PublishedVersions"

    alarm_metrics = 0
    for resource in resources.values():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            metrics = resource["Properties"].get("Metrics")
            alarm_metrics += sum(1 for m in metrics if "MetricStat" in m) if metrics else 1
    indexer = functions["IndexerFunction"]
    events = indexer["Events"].values()
    [stream] = [e["Properties"] for e in events if e["Type"] == "DynamoDB"]
    [schedule] = [e["Properties"]["Schedule"] for e in events if e["Type"] == "Schedule"]
    every, unit = re.fullmatch(r"rate\((\d+) (minute|hour)s?\)", schedule).groups()  # type: ignore[union-attr]
    [pattern] = [f["Pattern"] for f in stream["FilterCriteria"]["Filters"]]
    [rule] = resources["SearchBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    source = (ROOT / "functions" / "kysy").rglob("*.py")
    custom = {m for path in source for m in re.findall(r'add_metric\(name="(\w+)"', path.read_text(encoding="utf-8"))}
    return {
        "memory_gb": int(globals_["MemorySize"]) / 1024,
        "snapstart_functions": sum(snapstart(p) for p in functions.values()),
        "alarm_metrics": alarm_metrics,
        "dashboards": sum(r["Type"] == "AWS::CloudWatch::Dashboard" for r in resources.values()),
        "kms_keys": sum(r["Type"] == "AWS::KMS::Key" for r in resources.values()),
        "secrets": sum(r["Type"] == "AWS::SecretsManager::Secret" for r in resources.values()),
        "custom_metrics": len(custom),
        "indexer_memory_gb": int(indexer.get("MemorySize", globals_["MemorySize"])) / 1024,
        "indexer_snapstart": snapstart(indexer),
        "indexer_schedule_seconds": int(every) * (60 if unit == "minute" else 3600),
        "indexer_filter": json.loads(pattern),
        "snapshot_noncurrent_days": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"]),
    }


DEPLOYED = deployment()
MEMORY_GB = float(DEPLOYED["memory_gb"])
INDEXER_MEMORY_GB = float(DEPLOYED["indexer_memory_gb"])

# ----------------------------------------------------------------------------------- prices
# eu-north-1 (Stockholm) on-demand list prices, USD, from AWS's public price pages as of June 2025
# (not re-checked from this machine, which has no network: update a line here and rerun).
# "us-east-1*" marks a figure whose Stockholm value could not be confirmed and which is the
# N. Virginia list price; "≈" marks a Stockholm figure derived from N. Virginia's (× 1.06, the
# Stockholm ratio of DynamoDB's published prices). The usual regional difference is 0-6 %.
PRICES: dict[str, tuple[float, str]] = {
    "api_request": (1.00 / 1e6, "HTTP API, per request, first 300 M/month (us-east-1*)"),
    "lambda_request": (0.20 / 1e6, "Lambda, per request"),
    "lambda_gb_s_arm": (0.0000133334, "Lambda arm64, per GB-second (first 7.5 G GB-s)"),
    "snapstart_cache_gb_s": (
        0.0000015046,
        "SnapStart (Python) cache, per GB-second of each active version (us-east-1*)",
    ),
    "snapstart_restore_gb": (0.0001397998, "SnapStart (Python) restore, per GB restored (us-east-1*)"),
    "ddb_wru": (0.6625 / 1e6, "DynamoDB on-demand, per write request unit (≈)"),
    "ddb_rru": (0.1325 / 1e6, "DynamoDB on-demand, per read request unit (≈)"),
    "ddb_storage_gb": (0.2625, "DynamoDB Standard storage, per GB-month (≈)"),
    "ddb_pitr_gb": (0.21, "DynamoDB point-in-time recovery, per GB-month (≈)"),
    "data_out_gb": (0.09, "Data transfer out to the internet, per GB (first 10 TB; 100 GB/month free)"),
    "logs_ingest_gb": (0.50, "CloudWatch Logs ingestion, per GB (us-east-1*)"),
    "xray_trace": (5.00 / 1e6, "X-Ray traces recorded (100 k/month free)"),
    "cw_alarm_metric": (0.10, "CloudWatch alarm, per metric per month"),
    "cw_dashboard": (3.00, "CloudWatch dashboard per month (3 per account free)"),
    "cw_custom_metric": (0.30, "CloudWatch custom metric (EMF), per metric per month"),
    "kms_key": (1.00, "KMS customer managed key per month"),
    "secret": (0.40, "Secrets Manager secret per month"),
    "cloudfront_request": (0.012 / 1e4, "CloudFront HTTPS request, Europe (10 M/month free)"),
    "cloudfront_gb": (0.085, "CloudFront data out, Europe, per GB (1 TB/month free)"),
    "s3_get": (0.0004 / 1e3, "S3 Standard GET request, per request ($0.0004 per 1,000) (us-east-1*)"),
    "s3_put": (0.005 / 1e3, "S3 Standard PUT request, per request ($0.005 per 1,000) (us-east-1*)"),
    "s3_storage_gb": (0.023, "S3 Standard storage, per GB-month (first 50 TB) (us-east-1*)"),
}
SECONDS_PER_MONTH = 30 * 24 * 3600


def price(name: str) -> float:
    return PRICES[name][0]


# -------------------------------------------------------------------------- DynamoDB sizes
def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").strip("0") or "0"
    return math.ceil(len(digits) / 2) + 1


def value_size(value: dict[str, Any]) -> int:
    """An AttributeValue's size by DynamoDB's rules (developer guide, "Item sizes and formats")."""
    (kind, raw), *_ = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        return _number_size(raw)
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in raw)
    if kind == "NS":
        return sum(_number_size(n) for n in raw)
    if kind == "BS":
        return sum(len(b) for b in raw)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in raw)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in raw.items())
    raise ValueError(kind)


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(k.encode()) + value_size(v) for k, v in (item or {}).items())


def units(size: int, block: int) -> int:
    return max(1, math.ceil(size / block))


# ------------------------------------------------------------------------------- the meter
@dataclass
class Call:
    operation: str
    index: str | None = None
    rru: float = 0.0
    wru: float = 0.0
    read_bytes: int = 0
    written_bytes: int = 0
    seconds: float = 0.0
    service: str = "dynamodb"
    s3_bytes: int = 0  # object bytes read (GetObject) or written (PutObject)


@dataclass
class Meter:
    """botocore hooks on the app's DynamoDB client: every call, its capacity and its time; and on
    every S3 client made afterwards (``install_s3``): every call, its object bytes and its time."""

    client: Any
    raw: Any  # a second client without hooks, to size items before and after a write
    table: str
    indexes: dict[str, tuple[str, str]]  # GSI name -> (hash attribute, range attribute)
    sizing: bool = True
    calls: list[Call] = field(default_factory=list)
    _prepared: list[tuple[Call, list[dict[str, Any]]]] = field(default_factory=list)
    _open: list[tuple[Call, float, list[dict[str, Any]]]] = field(default_factory=list)
    _s3_prepared: list[Call] = field(default_factory=list)
    _s3_open: list[tuple[Call, float]] = field(default_factory=list)

    def install(self) -> None:
        # Parameters (and the items a write will change) before they are serialised; the clock
        # runs from just before the request is sent until its response is parsed.
        self.client.meta.events.register("before-parameter-build.dynamodb", self._prepare)
        self.client.meta.events.register("before-call.dynamodb", self._before)
        self.client.meta.events.register("after-call.dynamodb", self._after)

    def install_s3(self, session: Any) -> None:
        """On the botocore session: every S3 client made from it afterwards copies these hooks (the
        search index makes its S3 client at first use, in kysy.repository.search_index)."""
        session.register("before-parameter-build.s3", self._s3_prepare)
        session.register("before-call.s3", self._s3_before)
        session.register("after-call.s3", self._s3_after)

    def _s3_prepare(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        body = params.get("Body")  # botocore has made bytes a file object by now
        if isinstance(body, bytes | bytearray):
            size = len(body)
        elif body is not None and hasattr(body, "seek"):
            at = body.tell()
            size = body.seek(0, io.SEEK_END) - at
            body.seek(at)
        else:
            size = 0
        self._s3_prepared.append(Call(operation=model.name, service="s3", s3_bytes=size))

    def _s3_before(self, **_: Any) -> None:
        self._s3_open.append((self._s3_prepared.pop(), time.perf_counter()))

    def _s3_after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        call, started = self._s3_open.pop()
        call.seconds = time.perf_counter() - started
        if model.name == "GetObject":
            call.s3_bytes = int(parsed.get("ContentLength") or 0)
        self.calls.append(call)

    def take(self) -> list[Call]:
        calls, self.calls = self.calls, []
        return calls

    def _keys(self, operation: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        def key_of(spec: dict[str, Any]) -> dict[str, Any]:
            source = spec.get("Key") or spec.get("Item") or {}
            return {"PK": source["PK"], "SK": source["SK"]}

        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            return [key_of(params)]
        if operation == "TransactWriteItems":
            return [key_of(next(iter(op.values()))) for op in params["TransactItems"]]
        if operation == "BatchWriteItem":
            return [key_of(next(iter(r.values()))) for rs in params["RequestItems"].values() for r in rs]
        return []

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.raw.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")
        return found

    def _prepare(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        operation = model.name
        olds = [self._get(k) or {} for k in self._keys(operation, params)] if self.sizing else []
        call = Call(operation=operation, index=params.get("IndexName"))
        self._prepared.append((call, [dict(params), *olds]))

    def _before(self, **_: Any) -> None:
        call, data = self._prepared.pop()
        self._open.append((call, time.perf_counter(), data))

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        call, started, (params, *olds) = self._open.pop()
        call.seconds = time.perf_counter() - started
        if self.sizing:
            self._size(call, params, olds, parsed)
        self.calls.append(call)

    def _size(self, call: Call, params: dict[str, Any], olds: list[dict[str, Any]], parsed: dict[str, Any]) -> None:
        operation = call.operation
        consistent = bool(params.get("ConsistentRead")) and call.index is None
        factor = 1.0 if consistent else 0.5
        if operation == "GetItem":
            call.read_bytes = item_size(parsed.get("Item"))
            call.rru = factor * units(call.read_bytes, 4096)
        elif operation == "BatchGetItem":
            consistent = all(r.get("ConsistentRead") for r in params["RequestItems"].values())
            sizes = [item_size(i) for items in parsed.get("Responses", {}).values() for i in items]
            call.read_bytes = sum(sizes)
            call.rru = (1.0 if consistent else 0.5) * sum(units(size, 4096) for size in sizes)  # per item
        elif operation in ("Query", "Scan"):
            items = parsed.get("Items", [])
            call.read_bytes = sum(item_size(i) for i in items)
            scanned, count = parsed.get("ScannedCount", len(items)), max(1, len(items))
            evaluated = call.read_bytes * scanned / count if items else 0  # filtered-out items are read too
            call.rru = factor * units(int(evaluated), 4096)
        else:
            news = [self._get(k) for k in self._keys(operation, params)]
            transactional = 2 if operation == "TransactWriteItems" else 1
            for old, new in zip(olds, news, strict=True):
                before, after = item_size(old), item_size(new)
                call.written_bytes += after
                call.wru += transactional * units(max(before, after), 1024)
                call.wru += sum(self._index_writes(old, new or {}))

    def _index_writes(self, old: dict[str, Any], new: dict[str, Any]) -> Iterator[int]:
        """GSI writes (projection ALL): put, delete, or both when the index key changes."""
        for hash_key, range_key in self.indexes.values():

            def key(item: dict[str, Any], h: str = hash_key, r: str = range_key) -> tuple[Any, Any] | None:
                return (item[h], item[r]) if h in item and r in item else None

            was, now = key(old), key(new)
            if was is not None and was != now:
                yield units(item_size(old), 1024)  # delete the old index entry
            if now is not None and (was != now or old != new):
                yield units(item_size(new), 1024)


# ------------------------------------------------------------------------------ the stack
SCHEDULED = {"version": "0", "source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


def event_matches(pattern: Any, event: Any) -> bool:
    """Lambda event-filter semantics for the forms template.yaml uses: nested objects, lists of
    allowed literals, and ``{"prefix": ...}``."""
    if isinstance(pattern, dict):
        return isinstance(event, dict) and all(k in event and event_matches(v, event[k]) for k, v in pattern.items())
    return any(
        (isinstance(event, str) and event.startswith(allowed["prefix"]))
        if isinstance(allowed, dict) and "prefix" in allowed
        else event == allowed
        for allowed in pattern
    )


@dataclass
class Stack:
    reader: Handler
    editor: Handler
    meter: Meter
    token: str
    store: Any
    new_reader: Callable[[], Handler]  # a reader environment that has searched nothing yet
    indexer: Handler  # kysy.indexer.handler.handler, on the metered client
    new_indexer: Callable[[], None]  # the indexer's next invocation runs in a fresh environment
    stream: Callable[[], list[dict[str, Any]]]  # new stream records that pass the indexer's filter
    refresh_seconds: float  # a search environment's state check interval (settings default)


@contextlib.contextmanager
def local_stack() -> Iterator[Stack]:
    from mangum import Mangum

    from kysy.api import editor as editor_api
    from kysy.api import reader as reader_api
    from kysy.api.observability import lambda_entry
    from kysy.devserver import SEED_DIR, start_local_moto
    from kysy.importer import parse_post, read_source
    from kysy.indexer import handler as indexer_module
    from kysy.localauth import LocalSigner
    from kysy.notify.local import StreamPoller
    from kysy.repository import Store
    from kysy.repository.dynamo import botocore_session, make_client
    from kysy.repository.imports import ImportStore
    from kysy.repository.search_index import SearchIndexStore, create_bucket
    from kysy.repository.table import create_table, table_definition
    from kysy.service.imports import ImportOptions, import_post
    from kysy.service.search_index import SnapshotIndexWriter
    from kysy.settings import Settings

    server = start_local_moto()  # as kysy dev and the tests run moto
    dead_letters = tempfile.TemporaryDirectory(prefix="kysy-costs-")
    try:
        signer = LocalSigner.ephemeral(issuer="http://127.0.0.1/local-idp")
        settings = Settings(
            dynamodb_endpoint=server.url,
            s3_endpoint=server.url,  # moto's server answers S3 on the same port
            search_bucket=f"kysy-costs-search-{uuid.uuid4().hex[:8]}",
            jwks_json=json.dumps(signer.jwks()),
            jwt_issuer=signer.issuer,
            jwt_audience=signer.audience,
            secret="costs-bench-" + uuid.uuid4().hex,
        )
        client, raw = make_client(settings), make_client(settings)
        create_table(client, settings.table_name)
        store = Store(client, settings.table_name)
        meta = json.loads((SEED_DIR / f"{SEED_POST}.json").read_text(encoding="utf-8"))
        text, fmt = read_source(SEED_DIR / meta["source"])
        parsed = parse_post(text, fmt=meta.get("format", fmt), lang=meta.get("lang"))
        for n in range(BLOG_POSTS):
            post_id = SEED_POST if n == 0 else f"{SEED_POST}-{n}"
            options = ImportOptions(title=meta.get("title"), url=meta.get("url"), lang=meta.get("lang"))
            import_post(ImportStore(Store(raw, settings.table_name)), post_id, parsed, options)
        indexes = {
            gsi["IndexName"]: (gsi["KeySchema"][0]["AttributeName"], gsi["KeySchema"][1]["AttributeName"])
            for gsi in table_definition().get("GlobalSecondaryIndexes", [])
        }
        meter = Meter(client=client, raw=raw, table=settings.table_name, indexes=indexes)
        meter.install()
        meter.install_s3(botocore_session())
        create_bucket(SearchIndexStore.from_settings(raw, settings))

        # The indexer as its event source mapping runs it: every stream record, filtered by the
        # template's pattern (Lambda is invoked only for batches with a matching record).
        seen: list[dict[str, Any]] = []

        def collect(event: dict[str, Any], _context: Any) -> dict[str, Any]:
            seen.extend(event["Records"])
            return {}

        poller = StreamPoller.from_settings(
            settings, handler=collect, dead_letter_dir=Path(dead_letters.name), start_at="TRIM_HORIZON", max_retries=0
        )

        def stream() -> list[dict[str, Any]]:
            while poller.poll_once():
                pass
            matching = [r for r in seen if event_matches(DEPLOYED["indexer_filter"], r)]
            seen.clear()
            return matching

        def new_indexer() -> None:  # what get_writer() builds at a cold start, on the metered client
            indexer_module._writer = SnapshotIndexWriter(
                SearchIndexStore.from_settings(client, settings), Store(client, settings.table_name)
            )

        def indexer(event: dict[str, Any], context: Any) -> dict[str, Any]:
            return indexer_module.handler(event, context)

        # Build the index the imported posts make (the first stream batches build it from the
        # table), then the scheduled run writes its snapshot: the deployed steady state.
        new_indexer()
        with captured_logs():
            records = stream()
            for start in range(0, len(records), 100):  # the event source mapping's BatchSize
                indexer({"Records": records[start : start + 100]}, LambdaContext())
            indexer(SCHEDULED, LambdaContext())
        meter.take()

        def new_reader() -> Handler:
            return lambda_entry(Mangum(reader_api.build_app(settings, store), lifespan="off"))

        editor = lambda_entry(Mangum(editor_api.build_app(settings, store), lifespan="off"))
        yield Stack(
            new_reader(),
            editor,
            meter,
            signer.token(email="editor@example.com"),
            store,
            new_reader=new_reader,
            indexer=indexer,
            new_indexer=new_indexer,
            stream=stream,
            refresh_seconds=settings.search_refresh_seconds,
        )
    finally:
        server.stop()
        dead_letters.cleanup()


# ------------------------------------------------------------------------------- measuring
@dataclass
class Measured:
    route: str
    samples: int
    requests: dict[str, float]  # DynamoDB operation -> per request
    rru: float
    wru: float
    read_bytes: float
    written_bytes: float
    code_ms: float  # median handler time minus time inside DynamoDB and S3 calls
    response_bytes: float
    log_bytes: float
    s3_requests: dict[str, float] = field(default_factory=dict)  # S3 operation -> per request
    s3_bytes: float = 0.0  # object bytes read or written in S3

    @property
    def ddb_requests(self) -> float:
        return sum(self.requests.values())

    def s3(self, operation: str) -> float:
        return self.s3_requests.get(operation, 0.0)


@contextlib.contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Application log and EMF bytes, as they would reach CloudWatch Logs."""
    from kysy.api.observability import logger

    buffer = io.StringIO()
    handler = logger.registered_handler
    stream = handler.stream if isinstance(handler, logging.StreamHandler) else None
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(buffer)
    try:
        with contextlib.redirect_stdout(buffer):
            yield buffer
    finally:
        if isinstance(handler, logging.StreamHandler) and stream is not None:
            handler.setStream(stream)


def response_size(result: dict[str, Any]) -> int:
    if "statusCode" not in result:
        return 0  # a stream or scheduled invocation: nothing goes to the internet
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    headers = sum(len(k) + len(str(v)) + 4 for k, v in (result.get("headers") or {}).items())
    return len(raw) + headers + 17  # + status line


def measure(
    stack: Stack, route: str, handler: Handler, make_event: Callable[[int], dict[str, Any]], samples: int
) -> Measured:
    context = LambdaContext()
    with captured_logs():
        for n in range(3):  # warm: first-call imports and caches
            handler(make_event(-1 - n), context)
    stack.meter.take()
    # Pass 1: capacity, sizes, bytes (items are read around each write to size them).
    stack.meter.sizing = True
    calls: list[Call] = []
    sizes: list[int] = []
    logged = 0
    for n in range(samples):
        with captured_logs():  # what making the event does (a publish, say) is not this route's
            event = make_event(n)
        with captured_logs() as logs:
            result = handler(event, context)
        assert int(result.get("statusCode", 200)) < 400, (route, result)
        logged += len(logs.getvalue().encode())
        sizes.append(response_size(result))
        calls += stack.meter.take()
    log_bytes = logged / samples
    # Pass 2: time only (no sizing reads), Kysy's share = wall time - time in DynamoDB/S3 calls.
    stack.meter.sizing = False
    own: list[float] = []
    with captured_logs():
        for n in range(samples):
            event = make_event(samples + n)
            start = time.perf_counter()
            handler(event, context)
            wall = time.perf_counter() - start
            own.append(wall - sum(c.seconds for c in stack.meter.take()))
    requests: dict[str, float] = {}
    s3_requests: dict[str, float] = {}
    for call in calls:
        name = call.operation + (f"({call.index})" if call.index else "")
        counter = s3_requests if call.service == "s3" else requests
        counter[name] = counter.get(name, 0) + 1 / samples
    return Measured(
        route=route,
        samples=samples,
        requests=requests,
        rru=sum(c.rru for c in calls) / samples,
        wru=sum(c.wru for c in calls) / samples,
        read_bytes=sum(c.read_bytes for c in calls) / samples,
        written_bytes=sum(c.written_bytes for c in calls) / samples,
        code_ms=statistics.median(own) * 1000,
        response_bytes=statistics.mean(sizes),
        log_bytes=log_bytes,
        s3_requests=s3_requests,
        s3_bytes=sum(c.s3_bytes for c in calls) / samples,
    )


def indexer_init_ms(runs: int = 3) -> float:
    """A fresh indexer process on this machine: interpreter start, imports, its clients (what a cold
    start of IndexerFunction, which has no SnapStart, spends in Lambda's INIT phase)."""
    code = (
        "from kysy.indexer import handler\n"
        "writer = handler.get_writer()\n"
        "writer.store.s3\n"  # the S3 client (made at first use; every cold run reads or writes a snapshot)
        "import kysy.search.snapshot\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "functions")}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run_measurements(samples: int) -> tuple[dict[str, Measured], dict[str, float]]:
    """Per route / invocation measurements, and counts that are not per request (``facts``)."""
    facts: dict[str, float] = {}
    with captured_logs(), local_stack() as stack:  # the apps' log lines are counted, not printed
        gzip = {"accept-encoding": "gzip, deflate, br", "origin": "https://blog.example.com"}
        auth = {"authorization": f"Bearer {stack.token}"}
        first = stack.store.records_of_post(SEED_POST)[0]
        word = max(first.question.split(), key=len).strip("?,.!")
        out: dict[str, Measured] = {}

        def view(_: int) -> dict[str, Any]:
            return http_event("GET", f"/v1/posts/{SEED_POST}/questions", headers=gzip)

        out["view"] = measure(stack, "GET /v1/posts/{id}/questions", stack.reader, view, samples)
        headers = stack.reader(view(0), LambdaContext())["headers"]
        etag = {k.lower(): v for k, v in headers.items()}["etag"]
        out["view_304"] = measure(
            stack,
            "GET /v1/posts/{id}/questions (If-None-Match, 304)",
            stack.reader,
            lambda _: http_event("GET", f"/v1/posts/{SEED_POST}/questions", headers={**gzip, "if-none-match": etag}),
            samples,
        )
        manifest = json.loads((ROOT / "functions/kysy/static/widget/manifest.json").read_text(encoding="utf-8"))
        chunks = manifest["languages"]["fi"]
        for key, name in (
            ("widget_js", "kysy.js"),
            ("widget_strings", next(n for n in chunks["first_view"] if n != "kysy.js")),
            ("widget_more", chunks["second_chunk"][0]),
        ):
            out[key] = measure(
                stack,
                f"GET /widget/{name}",
                stack.reader,
                lambda _, name=name: http_event("GET", f"/widget/{name}", headers=gzip),
                samples,
            )

        def searching(path: str, query: Callable[[int], dict[str, str]], *, wait: bool) -> Callable[[int], Any]:
            def event(n: int) -> dict[str, Any]:
                if wait:  # past the refresh interval: this search checks the index state
                    time.sleep(stack.refresh_seconds + 0.01)
                return http_event("GET", path, headers=gzip, query=query(n))

            return event

        refresh = f"{stack.refresh_seconds:g} s"
        search_query: Callable[[int], dict[str, str]] = lambda _: {"q": word, "post_id": SEED_POST}  # noqa: E731
        out["search"] = measure(
            stack,
            f"GET /v1/search (warm, > {refresh} since its last check)",
            stack.reader,
            searching("/v1/search", search_query, wait=True),
            samples,
        )
        out["search_recent"] = measure(
            stack,
            f"GET /v1/search (warm, < {refresh} since its last check)",
            stack.reader,
            searching("/v1/search", search_query, wait=False),
            samples,
        )
        fresh: list[Handler] = [stack.reader]

        def cold_search(n: int) -> dict[str, Any]:
            fresh[0] = stack.new_reader()  # a new environment: its first search loads the snapshot
            return searching("/v1/search", search_query, wait=False)(n)

        out["search_cold"] = measure(
            stack,
            "GET /v1/search (first in a new environment)",
            lambda event, context: fresh[0](event, context),
            cold_search,
            samples,
        )
        out["similar"] = measure(
            stack,
            "GET /v1/similar",
            stack.reader,
            searching("/v1/similar", lambda n: {"q": f"{word} kysymys {n}"}, wait=True),
            samples,
        )

        def submit(n: int) -> dict[str, Any]:
            body = {"question": f"Miten {word} toimii tapauksessa {n} ja mitä se maksaa?", "name": "Lukija"}
            headers = {**gzip, "idempotency-key": uuid.uuid4().hex}
            return http_event("POST", f"/v1/posts/{SEED_POST}/questions", body=body, headers=headers)

        stack.stream()  # what the search rows wrote (nothing the indexer sees)
        out["submit"] = measure(stack, "POST /v1/posts/{id}/questions", stack.reader, submit, samples)
        facts["indexer_records_per_question"] = len(stack.stream()) / (2 * samples + 3)
        out["queue"] = measure(
            stack,
            "GET /v1/admin/queue",
            stack.editor,
            lambda _: http_event("GET", "/v1/admin/queue", headers={**gzip, **auth}),
            samples,
        )
        pending: list[str] = []

        def fresh_question() -> str:
            result = stack.reader(submit(10_000 + len(pending)), LambdaContext())
            qa_id = str(json.loads(result["body"])["id"])
            pending.append(qa_id)
            return qa_id

        opened = [fresh_question() for _ in range(2 * samples + 3)]
        stack.meter.take()
        out["open"] = measure(
            stack,
            "GET /v1/admin/posts/{id}/questions/{qa}",
            stack.editor,
            lambda n: http_event(
                "GET", f"/v1/admin/posts/{SEED_POST}/questions/{opened[n % len(opened)]}", headers={**gzip, **auth}
            ),
            samples,
        )
        stack.stream()
        to_publish = iter(opened)
        out["publish"] = measure(
            stack,
            "POST /v1/admin/.../answer (publish)",
            stack.editor,
            lambda _: http_event(
                "POST",
                f"/v1/admin/posts/{SEED_POST}/questions/{next(to_publish)}/answer",
                body={"version": 1, "answer": "Vastaus: näin se toimii, ja hinta riippuu käytöstä.", "publish": True},
                headers={**gzip, **auth},
            ),
            samples,
        )
        backlog = stack.stream()
        facts["indexer_records_per_publish"] = len(backlog) / (2 * samples + 3)
        with captured_logs():
            stack.indexer({"Records": backlog}, LambdaContext())  # the indexer catches up
        stack.meter.take()

        def publish_one() -> list[dict[str, Any]]:
            """A question answered and published; the stream records the indexer is invoked with."""
            qa_id = fresh_question()
            stack.editor(
                http_event(
                    "POST",
                    f"/v1/admin/posts/{SEED_POST}/questions/{qa_id}/answer",
                    body={"version": 1, "answer": "Julkaistu vastaus.", "publish": True},
                    headers={**gzip, **auth},
                ),
                LambdaContext(),
            )
            stack.meter.take()  # the submission and the publish are measured above
            return stack.stream()

        def indexed_publish() -> None:
            stack.indexer({"Records": publish_one()}, LambdaContext())
            stack.meter.take()  # measured below as the indexer's stream batch

        def search_after_publish(n: int) -> dict[str, Any]:
            indexed_publish()
            return searching("/v1/search", search_query, wait=True)(n)

        # The first search after a publish in a warm environment (it reads the change from the log).
        out["search_after_publish"] = measure(
            stack, "GET /v1/search (first after a publish)", stack.reader, search_after_publish, samples
        )
        out["index_batch"] = measure(
            stack,
            "indexer: stream batch (one publish)",
            stack.indexer,
            lambda _: {"Records": publish_one()},
            samples,
        )

        def scheduled_after_change(_: int) -> dict[str, Any]:
            indexed_publish()
            return SCHEDULED

        every = f"{DEPLOYED['indexer_schedule_seconds'] // 60} min"
        out["index_snapshot"] = measure(
            stack,
            f"indexer: scheduled run ({every}) after changes: snapshot",
            stack.indexer,
            scheduled_after_change,
            samples,
        )
        out["index_idle"] = measure(
            stack, f"indexer: scheduled run ({every}), nothing new", stack.indexer, lambda _: SCHEDULED, samples
        )

        def cold_indexer(_: int) -> dict[str, Any]:
            stack.new_indexer()
            return SCHEDULED

        out["index_cold"] = measure(
            stack,
            f"indexer: scheduled run ({every}), nothing new, new environment",
            stack.indexer,
            cold_indexer,
            samples,
        )
    facts["indexer_init_ms"] = indexer_init_ms()
    return out, facts


# ---------------------------------------------------------------------------------- model
@dataclass(frozen=True)
class Traffic:
    views: int
    questions: int
    answers: int
    js_per_view: float  # kysy.js fetches per view that reach the origin (browsers keep it 5 minutes)
    first_visit_share: float  # views by a browser without the widget's immutable chunks and the list cached
    more_per_view: float  # views that load the second chunk (search and form: reach, touch or idle)
    searches_per_view: float  # /v1/search calls per view (a few readers search, debounced as they type)
    similar_per_question: float  # /v1/similar calls while a question is typed
    editor_reads_per_answer: float  # queue and record reads around each answer
    ddb_latency_ms: float  # per DynamoDB request, in-region (not measurable here)
    s3_latency_ms: float  # per S3 request for a small object, in-region (not measurable here)
    cpu_factor: float  # Lambda arm64 at 1,024 MB (~0.58 vCPU) vs this machine's core
    cold_share: float  # invocations that restore a SnapStart snapshot
    indexer_cold_share: float  # indexer invocations in a new environment (no SnapStart: a full INIT)
    cdn_data_hit: float  # with a CDN: share of list/304 requests answered at the edge
    cdn_js_hit: float  # with a CDN: share of widget script requests answered at the edge
    restore_ms: float  # billed duration of a SnapStart restore (not measurable here)


def cpu_factor(t: Traffic, memory_gb: float) -> float:
    """Lambda's CPU share grows with memory (one vCPU at 1,769 MB); Kysy's code runs in one thread,
    so beyond one vCPU it gets no faster. ``t.cpu_factor`` is the API functions' (MEMORY_GB)."""

    def share(gb: float) -> float:
        return min(1.0, gb * 1024 / 1769)

    return t.cpu_factor * share(MEMORY_GB) / share(memory_gb)


def billed_ms(m: Measured, t: Traffic, memory_gb: float = MEMORY_GB) -> float:
    waiting = m.ddb_requests * t.ddb_latency_ms + sum(m.s3_requests.values()) * t.s3_latency_ms
    return float(math.ceil(m.code_ms * cpu_factor(t, memory_gb) + waiting))


@dataclass
class Line:
    what: str
    quantity: float
    unit: str
    usd: float
    usd_cdn: float


@dataclass(frozen=True)
class Indexer:
    """IndexerFunction's month: stream batches, scheduled runs, the snapshots they write."""

    batches: float  # stream invocations (a batch with at least one POST# record)
    scheduled: float
    snapshots: float  # scheduled runs that found changes (each writes one snapshot)
    cold: float  # invocations in a new environment
    gb_s: float
    rru: float
    wru: float
    s3_get: float
    s3_put: float
    log_bytes: float
    snapshot_bytes: float

    @property
    def invocations(self) -> float:
        return self.batches + self.scheduled


def indexer_month(m: dict[str, Measured], facts: dict[str, float], t: Traffic) -> Indexer:
    scheduled = SECONDS_PER_MONTH / DEPLOYED["indexer_schedule_seconds"]
    # MaximumBatchingWindowInSeconds 0: at this volume each publish is its own batch.
    batches = t.answers * min(1.0, facts["indexer_records_per_publish"]) + t.questions * min(
        1.0, facts["indexer_records_per_question"]
    )
    # A scheduled run writes a snapshot when changes came since the last one (maintain()): the
    # share of intervals with at least one batch, batches arriving at random (Poisson).
    snapshots = scheduled * (1 - math.exp(-batches / scheduled))
    idle = scheduled - snapshots
    cold = (batches + scheduled) * t.indexer_cold_share
    batch, snapshot, nothing, fresh = m["index_batch"], m["index_snapshot"], m["index_idle"], m["index_cold"]

    def month(per: Callable[[Measured], float]) -> float:
        # A cold run does what a warm one does plus loading the snapshot (cold - idle).
        return (
            batches * per(batch) + snapshots * per(snapshot) + idle * per(nothing) + cold * (per(fresh) - per(nothing))
        )

    init_ms = facts["indexer_init_ms"] * cpu_factor(t, INDEXER_MEMORY_GB)  # billed (INIT) since August 2025
    ms = month(lambda x: billed_ms(x, t, INDEXER_MEMORY_GB)) + cold * init_ms
    put = snapshot.s3("PutObject")
    return Indexer(
        batches=batches,
        scheduled=scheduled,
        snapshots=snapshots,
        cold=cold,
        gb_s=ms / 1000 * INDEXER_MEMORY_GB,
        rru=month(lambda x: x.rru),
        wru=month(lambda x: x.wru),
        s3_get=month(lambda x: x.s3("GetObject")),
        s3_put=month(lambda x: x.s3("PutObject")),
        log_bytes=month(lambda x: x.log_bytes) + (batches + scheduled) * PLATFORM_LOG_BYTES,
        snapshot_bytes=snapshot.s3_bytes / put if put else 0.0,
    )


def cost_lines(m: dict[str, Measured], facts: dict[str, float], t: Traffic) -> list[Line]:
    # Browsers always revalidate the list (max-age=0 + ETag): a returning browser gets a 304.
    views_200 = t.views * t.first_visit_share
    views_304 = t.views * (1 - t.first_visit_share)
    counts = {
        "view": views_200,
        "view_304": views_304,
        "widget_js": t.views * t.js_per_view,
        "widget_strings": t.views * t.first_visit_share,  # immutable, content-hashed: once per browser
        "widget_more": t.views * t.first_visit_share * t.more_per_view,
        "search": t.views * t.searches_per_view,
        "similar": t.questions * t.similar_per_question,
        "submit": float(t.questions),
        "queue": t.answers * t.editor_reads_per_answer / 2,
        "open": t.answers * t.editor_reads_per_answer / 2,
        "publish": float(t.answers),
        "search_after_publish": float(min(t.answers, t.views * t.searches_per_view)),
    }
    counts["search"] -= counts["search_after_publish"]
    cdn_share = {
        "view": t.cdn_data_hit,
        "view_304": t.cdn_data_hit,
        "widget_js": t.cdn_js_hit,
        "widget_strings": t.cdn_js_hit,
        "widget_more": t.cdn_js_hit,
    }
    origin = {k: v * (1 - cdn_share.get(k, 0.0)) for k, v in counts.items()}
    api_requests, api_origin = sum(counts.values()), sum(origin.values())
    restores, restores_cdn = api_requests * t.cold_share, api_origin * t.cold_share  # indexer, notifier: no SnapStart
    # A search environment loads the snapshot at its first search, so at most once per restore
    # (an upper bound: it assumes every restored environment serves a search).
    for counter, restored in ((counts, restores), (origin, restores_cdn)):
        counter["search_cold"] = min(restored, counter["search"])
        counter["search"] -= counter["search_cold"]
    ix = indexer_month(m, facts, t)
    notifier = t.questions + t.answers  # stream batches (at most one per record at this volume)
    stream_invocations = notifier + ix.invocations
    stored = BLOG_POSTS * 15 * STORED_ITEM_BYTES + (t.questions * 12) * STORED_ITEM_BYTES  # a year of questions
    snapstart_gb_s = DEPLOYED["snapstart_functions"] * SECONDS_PER_MONTH * MEMORY_GB
    # Replaced snapshots are kept NoncurrentDays (template.yaml) after each new one.
    versions = 1 + ix.snapshots * DEPLOYED["snapshot_noncurrent_days"] / 30
    s3_gb = ix.snapshot_bytes * versions / 1e9

    def total(counter: dict[str, float], per: Callable[[Measured], float]) -> float:
        return sum(n * per(m[k]) for k, n in counter.items())

    def restore_cost(n: float) -> float:
        return n * MEMORY_GB * (price("snapstart_restore_gb") + t.restore_ms / 1000 * price("lambda_gb_s_arm"))

    def side(counter: dict[str, float], requests: float, restored: float) -> dict[str, float]:
        """One column's quantities: every request reaching the origin, plus the stream consumers."""
        s3_get = total(counter, lambda x: x.s3("GetObject")) + ix.s3_get
        logs = total(counter, lambda x: x.log_bytes) + requests * (PLATFORM_LOG_BYTES + ACCESS_LOG_BYTES)
        return {
            "api": requests,
            "lambda": requests + stream_invocations,
            "gb_s": total(counter, lambda x: billed_ms(x, t) / 1000 * MEMORY_GB),
            "restores": restored,
            "rru": total(counter, lambda x: x.rru) + ix.rru,
            "wru": total(counter, lambda x: x.wru) + ix.wru,
            "s3_get": s3_get,
            "out_gb": total(counter, lambda x: x.response_bytes) / 1e9,
            "log_gb": (logs + ix.log_bytes) / 1e9,
            "traces": requests + stream_invocations,
        }

    a, c = side(counts, api_requests, restores), side(origin, api_origin, restores_cdn)

    def line(what: str, key: str, unit: str, cost: Callable[[float], float]) -> Line:
        return Line(what, a[key], unit, cost(a[key]), cost(c[key]))

    def fixed(what: str, quantity: float, unit: str, usd: float) -> Line:
        return Line(what, quantity, unit, usd, usd)

    s3_requests = ix.s3_put * price("s3_put")
    return [
        line("API Gateway HTTP API requests", "api", "requests", lambda n: n * price("api_request")),
        line(
            "Lambda requests (API + notifier + indexer)", "lambda", "invocations", lambda n: n * price("lambda_request")
        ),
        line(
            f"Lambda duration, API (arm64, {MEMORY_GB * 1024:g} MB)",
            "gb_s",
            "GB-s",
            lambda n: n * price("lambda_gb_s_arm"),
        ),
        fixed(
            f"Lambda duration, indexer (arm64, {INDEXER_MEMORY_GB * 1024:g} MB; {ix.batches:,.0f} batches, "
            f"{ix.scheduled:,.0f} scheduled runs, {ix.cold:,.0f} cold starts)",
            ix.gb_s,
            "GB-s",
            ix.gb_s * price("lambda_gb_s_arm"),
        ),
        line("SnapStart restores (charge + restore time)", "restores", "restores", restore_cost),
        fixed(
            f"SnapStart snapshot cache ({DEPLOYED['snapstart_functions']} functions)",
            snapstart_gb_s,
            "GB-s",
            snapstart_gb_s * price("snapstart_cache_gb_s"),
        ),
        line("DynamoDB reads (incl. the indexer's)", "rru", "RRU", lambda n: n * price("ddb_rru")),
        line("DynamoDB writes (table + indexes + search log)", "wru", "WRU", lambda n: n * price("ddb_wru")),
        fixed(
            "DynamoDB storage + PITR (a year of questions)",
            stored / 1e9,
            "GB",
            stored / 1e9 * (price("ddb_storage_gb") + price("ddb_pitr_gb")),
        ),
        line(
            f"S3 GET (snapshot loads; + {ix.s3_put:,.0f} PUT)",
            "s3_get",
            "requests",
            lambda n: n * price("s3_get") + s3_requests,
        ),
        fixed(
            f"S3 storage (snapshot, {ix.snapshot_bytes / 1e3:,.0f} KB × {versions:.1f} versions)",
            s3_gb,
            "GB",
            s3_gb * price("s3_storage_gb"),
        ),
        line("Data out to the internet", "out_gb", "GB", lambda n: n * price("data_out_gb")),
        line("CloudWatch Logs ingestion", "log_gb", "GB", lambda n: n * price("logs_ingest_gb")),
        line(
            "X-Ray traces (Tracing=Active: about every invocation)",
            "traces",
            "traces",
            lambda n: n * price("xray_trace"),
        ),
        fixed(
            f"CloudWatch: {DEPLOYED['alarm_metrics']} alarm metrics, {DEPLOYED['dashboards']} dashboard, "
            f"{DEPLOYED['custom_metrics']} custom metrics",
            1,
            "month",
            DEPLOYED["alarm_metrics"] * price("cw_alarm_metric")
            + DEPLOYED["dashboards"] * price("cw_dashboard")
            + DEPLOYED["custom_metrics"] * price("cw_custom_metric"),
        ),
        fixed(
            "KMS key + secret",
            1,
            "month",
            DEPLOYED["kms_keys"] * price("kms_key") + DEPLOYED["secrets"] * price("secret"),
        ),
        # Every API request passes the CDN; its data out replaces the origin's to the internet.
        Line(
            "CloudFront requests + data out",
            api_requests,
            "requests",
            0,
            api_requests * price("cloudfront_request") + a["out_gb"] * price("cloudfront_gb"),
        ),
    ]


# Not measurable with the handler alone (stated assumptions, bytes per invocation / request):
PLATFORM_LOG_BYTES = 650  # Lambda's JSON platform.start + platform.report lines
ACCESS_LOG_BYTES = 330  # one API access log line (template.yaml AccessLogSettings, typical values)
STORED_ITEM_BYTES = 2500  # a Q&A record with its index copies (GSI1 + GSI2, projection ALL) and overhead


# ---------------------------------------------------------------------------------- output
def money(value: float) -> str:
    return f"${Decimal(value).quantize(Decimal('0.01'))}"


def print_tables(m: dict[str, Measured], facts: dict[str, float], t: Traffic, markdown: bool) -> None:
    print(
        "Measured per request (seed post: 14 published Q&A; search index over "
        f"{BLOG_POSTS} such posts; {next(iter(m.values())).samples} requests each, moto over HTTP)\n"
    )
    print(
        "| route | DynamoDB / S3 requests | RRU | WRU | item bytes read / written | S3 bytes | Kysy code ms (here) | "
        "billed ms (est.) | response bytes | log bytes |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for x in m.values():
        calls = sorted(x.requests.items()) + [(f"S3 {k}", v) for k, v in sorted(x.s3_requests.items())]
        requests = ", ".join(f"{v:.3g} {k}" for k, v in calls) or "none"
        memory = INDEXER_MEMORY_GB if x.route.startswith("indexer") else MEMORY_GB
        print(
            f"| {x.route} | {requests} | {x.rru:.2f} | {x.wru:.2f} | {x.read_bytes:,.0f} / {x.written_bytes:,.0f} | "
            f"{x.s3_bytes:,.0f} | {x.code_ms:.2f} | {billed_ms(x, t, memory):.0f} | {x.response_bytes:,.0f} | "
            f"{x.log_bytes:,.0f} |"
        )
    ix = indexer_month(m, facts, t)
    print(
        f"\nIndexer: {facts['indexer_records_per_publish']:.2f} stream records pass its filter per publish, "
        f"{facts['indexer_records_per_question']:.2f} per question submitted; a new environment's INIT (a fresh "
        f"process importing it and making its clients) takes {facts['indexer_init_ms']:.0f} ms here, "
        f"{facts['indexer_init_ms'] * cpu_factor(t, INDEXER_MEMORY_GB):.0f} ms billed (est.); a snapshot of this "
        f"index is {ix.snapshot_bytes:,.0f} bytes."
    )
    lines = cost_lines(m, facts, t)
    print(
        f"\nA month of {t.views:,} widget views, {t.questions:,} questions and {t.answers:,} answers "
        "(eu-north-1, on-demand list prices of June 2025, USD, before any free tier)\n"
    )
    print("| item | quantity | without CDN | with a CDN in front |")
    print("|---|---:|---:|---:|")
    for line in lines:
        quantity = f"{line.quantity:,.2f}" if line.unit == "GB" else f"{line.quantity:,.0f}"
        print(f"| {line.what} | {quantity} {line.unit} | {money(line.usd)} | {money(line.usd_cdn)} |")
    print(f"| **total** | | **{money(sum(x.usd for x in lines))}** | **{money(sum(x.usd_cdn for x in lines))}** |")
    print("\nAssumptions (flags of this script):")
    for name, value in vars(t).items():
        print(f"- `{name}` = {value:g}")
    if markdown:
        print("\nPrices used:\n")
        print("| price | USD | what |")
        print("|---|---:|---|")
        for name, (value, what) in PRICES.items():
            print(f"| `{name}` | {value:.10g} | {what} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--views", type=int, default=1_000_000)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--answers", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=30, help="requests measured per route")
    parser.add_argument("--js-per-view", type=float, default=1.0)
    parser.add_argument("--first-visit-share", type=float, default=0.5)
    parser.add_argument("--more-per-view", type=float, default=0.3)
    parser.add_argument("--searches-per-view", type=float, default=0.3)
    parser.add_argument("--similar-per-question", type=float, default=3.0)
    parser.add_argument("--editor-reads-per-answer", type=float, default=4.0)
    parser.add_argument("--ddb-latency-ms", type=float, default=5.0)
    parser.add_argument("--s3-latency-ms", type=float, default=25.0)
    parser.add_argument("--cpu-factor", type=float, default=1.7)
    parser.add_argument("--cold-share", type=float, default=0.02)
    parser.add_argument("--indexer-cold-share", type=float, default=1.0)
    parser.add_argument("--cdn-data-hit", type=float, default=0.6)
    parser.add_argument("--cdn-js-hit", type=float, default=0.99)
    parser.add_argument("--restore-ms", type=float, default=400.0)
    parser.add_argument("--markdown", action="store_true", help="also print the price table")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON instead")
    args = parser.parse_args()
    traffic = Traffic(
        views=args.views,
        questions=args.questions,
        answers=args.answers,
        js_per_view=args.js_per_view,
        first_visit_share=args.first_visit_share,
        more_per_view=args.more_per_view,
        searches_per_view=args.searches_per_view,
        similar_per_question=args.similar_per_question,
        editor_reads_per_answer=args.editor_reads_per_answer,
        ddb_latency_ms=args.ddb_latency_ms,
        s3_latency_ms=args.s3_latency_ms,
        cpu_factor=args.cpu_factor,
        cold_share=args.cold_share,
        indexer_cold_share=args.indexer_cold_share,
        cdn_data_hit=args.cdn_data_hit,
        cdn_js_hit=args.cdn_js_hit,
        restore_ms=args.restore_ms,
    )
    measured, facts = run_measurements(args.samples)
    if args.json:
        print(json.dumps({"routes": {k: vars(v) for k, v in measured.items()}, "facts": facts}, indent=2))
        return
    print(f"Python {sys.version.split()[0]} on this machine; figures per request.\n")
    print_tables(measured, facts, traffic, args.markdown)


if __name__ == "__main__":
    main()
