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
* Kysy's own time per request: handler wall time minus the time spent inside DynamoDB calls.
* Response bytes (as sent, gzip where the client accepts it) and application log bytes.

Assumed (printed with the table; change them with flags): the traffic mix per view / question /
answer, DynamoDB's in-region latency, how much slower Lambda's arm64 share of a core at 1,024 MB
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
import sys
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
    """What template.yaml deploys that the bill depends on: memory, SnapStart, alarm metrics."""
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
    }


DEPLOYED = deployment()
MEMORY_GB = float(DEPLOYED["memory_gb"])

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


@dataclass
class Meter:
    """botocore hooks on the app's DynamoDB client: every call, its capacity and its time."""

    client: Any
    raw: Any  # a second client without hooks, to size items before and after a write
    table: str
    indexes: dict[str, tuple[str, str]]  # GSI name -> (hash attribute, range attribute)
    sizing: bool = True
    calls: list[Call] = field(default_factory=list)
    _prepared: list[tuple[Call, list[dict[str, Any]]]] = field(default_factory=list)
    _open: list[tuple[Call, float, list[dict[str, Any]]]] = field(default_factory=list)

    def install(self) -> None:
        # Parameters (and the items a write will change) before they are serialised; the clock
        # runs from just before the request is sent until its response is parsed.
        self.client.meta.events.register("before-parameter-build.dynamodb", self._prepare)
        self.client.meta.events.register("before-call.dynamodb", self._before)
        self.client.meta.events.register("after-call.dynamodb", self._after)

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
@dataclass
class Stack:
    reader: Handler
    editor: Handler
    meter: Meter
    token: str
    store: Any


@contextlib.contextmanager
def local_stack() -> Iterator[Stack]:
    from mangum import Mangum
    from moto.server import ThreadedMotoServer

    from kysy.api import editor as editor_api
    from kysy.api import reader as reader_api
    from kysy.api.observability import lambda_entry
    from kysy.devserver import SEED_DIR, free_port
    from kysy.importer import parse_post, read_source
    from kysy.localauth import LocalSigner
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.repository.table import create_table, table_definition
    from kysy.service.imports import import_post
    from kysy.settings import Settings

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    from kysy import moto_patch

    moto_patch.install()  # as kysy dev and the tests run moto (see kysy.moto_patch)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        signer = LocalSigner.ephemeral(issuer="http://127.0.0.1/local-idp")
        settings = Settings(
            dynamodb_endpoint=f"http://127.0.0.1:{port}",
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
            import_post(
                Store(raw, settings.table_name), post_id, parsed, title=meta.get("title"), lang=meta.get("lang")
            )
        indexes = {
            gsi["IndexName"]: (gsi["KeySchema"][0]["AttributeName"], gsi["KeySchema"][1]["AttributeName"])
            for gsi in table_definition().get("GlobalSecondaryIndexes", [])
        }
        meter = Meter(client=client, raw=raw, table=settings.table_name, indexes=indexes)
        meter.install()
        reader = lambda_entry(Mangum(reader_api.build_app(settings, store), lifespan="off"))
        editor = lambda_entry(Mangum(editor_api.build_app(settings, store), lifespan="off"))
        yield Stack(reader, editor, meter, signer.token(email="editor@example.com"), store)
    finally:
        server.stop()


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
    code_ms: float  # median handler time minus time inside DynamoDB calls
    response_bytes: float
    log_bytes: float

    @property
    def ddb_requests(self) -> float:
        return sum(self.requests.values())


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
    with captured_logs() as logs:
        for n in range(samples):
            result = handler(make_event(n), context)
            assert int(result["statusCode"]) < 400, (route, result)
            sizes.append(response_size(result))
            calls += stack.meter.take()
    log_bytes = len(logs.getvalue().encode()) / samples
    # Pass 2: time only (no sizing reads), Kysy's share = wall time - time in DynamoDB calls.
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
    for call in calls:
        name = call.operation + (f"({call.index})" if call.index else "")
        requests[name] = requests.get(name, 0) + 1 / samples
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
    )


def run_measurements(samples: int) -> dict[str, Measured]:
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
        out["search"] = measure(
            stack,
            "GET /v1/search (warm index)",
            stack.reader,
            lambda _: http_event("GET", "/v1/search", headers=gzip, query={"q": word, "post_id": SEED_POST}),
            samples,
        )
        out["similar"] = measure(
            stack,
            "GET /v1/similar",
            stack.reader,
            lambda n: http_event("GET", "/v1/similar", headers=gzip, query={"q": f"{word} kysymys {n}"}),
            samples,
        )

        def submit(n: int) -> dict[str, Any]:
            body = {"question": f"Miten {word} toimii tapauksessa {n} ja mitä se maksaa?", "name": "Lukija"}
            headers = {**gzip, "idempotency-key": uuid.uuid4().hex}
            return http_event("POST", f"/v1/posts/{SEED_POST}/questions", body=body, headers=headers)

        out["submit"] = measure(stack, "POST /v1/posts/{id}/questions", stack.reader, submit, samples)
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
        # The first search after a publish in a warm environment (the index catches up).
        out["search_after_publish"] = measure_search_after_publish(stack, word, gzip, auth, fresh_question, samples)
        return out


def measure_search_after_publish(
    stack: Stack,
    word: str,
    gzip: dict[str, str],
    auth: dict[str, str],
    fresh_question: Callable[[], str],
    samples: int,
) -> Measured:
    ids = [fresh_question() for _ in range(2 * samples + 3)]
    queue = iter(ids)

    def event(_: int) -> dict[str, Any]:
        qa_id = next(queue)
        stack.editor(
            http_event(
                "POST",
                f"/v1/admin/posts/{SEED_POST}/questions/{qa_id}/answer",
                body={"version": 1, "answer": "Julkaistu vastaus.", "publish": True},
                headers={**gzip, **auth},
            ),
            LambdaContext(),
        )
        stack.meter.take()  # the publish itself is measured above
        return http_event("GET", "/v1/search", headers=gzip, query={"q": word, "post_id": SEED_POST})

    return measure(stack, "GET /v1/search (first after a publish)", stack.reader, event, samples)


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
    cpu_factor: float  # Lambda arm64 at 1,024 MB (~0.58 vCPU) vs this machine's core
    cold_share: float  # invocations that restore a SnapStart snapshot
    cdn_data_hit: float  # with a CDN: share of list/304 requests answered at the edge
    cdn_js_hit: float  # with a CDN: share of widget script requests answered at the edge
    restore_ms: float  # billed duration of a SnapStart restore (not measurable here)


def billed_ms(m: Measured, traffic: Traffic) -> float:
    return float(math.ceil(m.code_ms * traffic.cpu_factor + m.ddb_requests * traffic.ddb_latency_ms))


@dataclass
class Line:
    what: str
    quantity: float
    unit: str
    usd: float
    usd_cdn: float


def cost_lines(m: dict[str, Measured], t: Traffic) -> list[Line]:
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

    def total(counter: dict[str, float], per: Callable[[Measured], float]) -> float:
        return sum(n * per(m[k]) for k, n in counter.items())

    api_requests, api_origin = sum(counts.values()), sum(origin.values())
    gb_s = total(counts, lambda x: billed_ms(x, t) / 1000 * MEMORY_GB)
    gb_s_cdn = total(origin, lambda x: billed_ms(x, t) / 1000 * MEMORY_GB)
    rru, rru_cdn = total(counts, lambda x: x.rru), total(origin, lambda x: x.rru)
    wru = total(counts, lambda x: x.wru)
    out_gb = total(counts, lambda x: x.response_bytes) / 1e9
    out_gb_cdn = total(origin, lambda x: x.response_bytes) / 1e9
    notifier = t.questions + t.answers  # stream batches (at most one per record at this volume)
    restores = api_requests * t.cold_share  # the notifier has no SnapStart (template.yaml)
    restores_cdn = api_origin * t.cold_share
    log_gb = (total(counts, lambda x: x.log_bytes) + api_requests * (PLATFORM_LOG_BYTES + ACCESS_LOG_BYTES)) / 1e9
    log_gb_cdn = (total(origin, lambda x: x.log_bytes) + api_origin * (PLATFORM_LOG_BYTES + ACCESS_LOG_BYTES)) / 1e9
    stored = BLOG_POSTS * 15 * STORED_ITEM_BYTES + (t.questions * 12) * STORED_ITEM_BYTES  # a year of questions
    snapstart_gb_s = DEPLOYED["snapstart_functions"] * SECONDS_PER_MONTH * MEMORY_GB

    def restore_cost(n: float) -> float:
        return n * MEMORY_GB * (price("snapstart_restore_gb") + t.restore_ms / 1000 * price("lambda_gb_s_arm"))

    fixed = (
        DEPLOYED["alarm_metrics"] * price("cw_alarm_metric")
        + DEPLOYED["dashboards"] * price("cw_dashboard")
        + DEPLOYED["custom_metrics"] * price("cw_custom_metric")
    )
    lines = [
        Line("API Gateway HTTP API requests", api_requests, "requests", api_requests * price("api_request"), 0),
        Line(
            "Lambda requests",
            api_requests + notifier,
            "invocations",
            (api_requests + notifier) * price("lambda_request"),
            0,
        ),
        Line("Lambda duration (arm64, 1 GB)", gb_s, "GB-s", gb_s * price("lambda_gb_s_arm"), 0),
        Line("SnapStart restores (charge + restore time)", restores, "restores", restore_cost(restores), 0),
        Line(
            f"SnapStart snapshot cache ({DEPLOYED['snapstart_functions']} functions)",
            snapstart_gb_s,
            "GB-s",
            snapstart_gb_s * price("snapstart_cache_gb_s"),
            0,
        ),
        Line("DynamoDB reads", rru, "RRU", rru * price("ddb_rru"), 0),
        Line("DynamoDB writes (table + indexes)", wru, "WRU", wru * price("ddb_wru"), 0),
        Line(
            "DynamoDB storage + PITR (a year of questions)",
            stored / 1e9,
            "GB",
            stored / 1e9 * (price("ddb_storage_gb") + price("ddb_pitr_gb")),
            0,
        ),
        Line("Data out to the internet", out_gb, "GB", out_gb * price("data_out_gb"), 0),
        Line("CloudWatch Logs ingestion", log_gb, "GB", log_gb * price("logs_ingest_gb"), 0),
        Line(
            "X-Ray traces (Tracing=Active: about every request)",
            api_requests,
            "traces",
            api_requests * price("xray_trace"),
            0,
        ),
        Line(
            f"CloudWatch: {DEPLOYED['alarm_metrics']} alarm metrics, {DEPLOYED['dashboards']} dashboard, "
            f"{DEPLOYED['custom_metrics']} custom metrics",
            1,
            "month",
            fixed,
            0,
        ),
        Line(
            "KMS key + secret",
            1,
            "month",
            DEPLOYED["kms_keys"] * price("kms_key") + DEPLOYED["secrets"] * price("secret"),
            0,
        ),
    ]
    # With a CDN: the same lines for the origin's share, plus CloudFront itself.
    cdn_values = [
        api_origin * price("api_request"),
        (api_origin + notifier) * price("lambda_request"),
        gb_s_cdn * price("lambda_gb_s_arm"),
        restore_cost(restores_cdn),
        lines[4].usd,
        rru_cdn * price("ddb_rru"),
        lines[6].usd,
        lines[7].usd,
        out_gb_cdn * price("data_out_gb"),
        log_gb_cdn * price("logs_ingest_gb"),
        api_origin * price("xray_trace"),
        lines[11].usd,
        lines[12].usd,
    ]
    for line, value in zip(lines, cdn_values, strict=True):
        line.usd_cdn = value
    edge_requests, edge_gb = api_requests, out_gb  # every API request passes the CDN
    lines.append(
        Line(
            "CloudFront requests + data out",
            edge_requests,
            "requests",
            0,
            edge_requests * price("cloudfront_request") + edge_gb * price("cloudfront_gb"),
        )
    )
    return lines


# Not measurable with the handler alone (stated assumptions, bytes per invocation / request):
PLATFORM_LOG_BYTES = 650  # Lambda's JSON platform.start + platform.report lines
ACCESS_LOG_BYTES = 330  # one API access log line (template.yaml AccessLogSettings, typical values)
STORED_ITEM_BYTES = 2500  # a Q&A record with its index copies (GSI1 + GSI2, projection ALL) and overhead


# ---------------------------------------------------------------------------------- output
def money(value: float) -> str:
    return f"${Decimal(value).quantize(Decimal('0.01'))}"


def print_tables(m: dict[str, Measured], t: Traffic, markdown: bool) -> None:
    print(
        "Measured per request (seed post: 14 published Q&A; search index over "
        f"{BLOG_POSTS} such posts; {next(iter(m.values())).samples} requests each, moto over HTTP)\n"
    )
    print(
        "| route | DynamoDB requests | RRU | WRU | item bytes read / written | Kysy code ms (here) | "
        "billed ms (est.) | response bytes | log bytes |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for x in m.values():
        requests = ", ".join(f"{v:g} {k}" for k, v in sorted(x.requests.items())) or "none"
        print(
            f"| {x.route} | {requests} | {x.rru:.2f} | {x.wru:.2f} | {x.read_bytes:,.0f} / {x.written_bytes:,.0f} | "
            f"{x.code_ms:.2f} | {billed_ms(x, t):.0f} | {x.response_bytes:,.0f} | {x.log_bytes:,.0f} |"
        )
    lines = cost_lines(m, t)
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
    parser.add_argument("--cpu-factor", type=float, default=1.7)
    parser.add_argument("--cold-share", type=float, default=0.02)
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
        cpu_factor=args.cpu_factor,
        cold_share=args.cold_share,
        cdn_data_hit=args.cdn_data_hit,
        cdn_js_hit=args.cdn_js_hit,
        restore_ms=args.restore_ms,
    )
    measured = run_measurements(args.samples)
    if args.json:
        print(json.dumps({k: vars(v) for k, v in measured.items()}, indent=2))
        return
    print(f"Python {sys.version.split()[0]} on this machine; figures per request.\n")
    print_tables(measured, traffic, args.markdown)


if __name__ == "__main__":
    main()
