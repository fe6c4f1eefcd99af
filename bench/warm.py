"""Warm per-request time of the reader handler for the widget's GET of a post with 20 published records.

    .venv/bin/python bench/warm.py                 # 2,000 calls per mode
    .venv/bin/python bench/warm.py --calls 5000

An API Gateway HTTP API (v2) event goes in (tests/lambda_events.http_event), the Lambda response
comes out; only ``handler(event, context)`` is timed (the event is built before the clock starts).
Modes:

* stubbed: the store's DynamoDB client is a fake returning a canned Query response (the exact
  items the repository writes), so only Kysy's code - Powertools wrappers, Mangum, FastAPI,
  the service and the item mapping - is timed. A short run through botocore's Stubber on a real
  client checks the request is valid for the DynamoDB model and counts requests the same way.
* stubbed, browser request: the same with the headers a browser sends from a blog page
  (``Origin``, ``Accept-Encoding: gzip``), so CORS and gzip are on the path.
* naive FastAPI + Mangum: bench/naive_fastapi_handler.py (one route returning the raw Query
  items as a dict, Powertools Logger/Metrics decorators) on the same canned client, for scale.
* moto: a real botocore client over HTTP to moto's server (in this process, as kysy dev runs it).

The stubbed modes run interleaved (a slice of each in turn) so that load from other processes
on the machine falls on all of them alike. DynamoDB requests per view are counted with the
client's ``before-call`` event; it must be 1.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]

os.environ.update(
    {
        "KYSY_TABLE_NAME": f"kysy-bench-{uuid.uuid4().hex[:8]}",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_REGION": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "KysyBench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
warnings.filterwarnings("ignore", message="No application metrics to publish")

from tests.lambda_events import LambdaContext, http_event  # noqa: E402

POST_ID = "bench-post"
RECORDS = 20
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def records() -> tuple[Any, list[Any]]:
    from kysy.ids import new_id
    from kysy.models import QA, Post, Status

    post = Post(id=POST_ID, title="Benchmark post", url="https://blog.example.com/bench", lang="en")
    qas = [
        QA(
            post_id=POST_ID,
            id=new_id(),
            question=f"Question {n}: how does the widget behave when the network is slow and the page is long?",
            answer=f"Answer {n}: " + "It loads the published answers in one request and caches them. " * 6,
            status=Status.PUBLISHED,
            asker_name=f"Reader {n}",
            answered_at="2026-01-01T00:00:00Z",
            source="import",
        )
        for n in range(RECORDS)
    ]
    return post, qas


class CannedQueryClient:
    """Just enough of a DynamoDB client for the widget view: one canned Query response."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.response = {"Items": items, "Count": len(items), "ScannedCount": len(items)}
        self.calls = 0

    def query(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        return self.response


def gsi1_items(post: Any, qas: list[Any]) -> list[dict[str, Any]]:
    """The GSI1 Query result as DynamoDB returns it: the post's META row first, then its records."""
    from kysy.repository.store import post_to_item, qa_to_item

    return [post_to_item(post), *(qa_to_item(qa) for qa in sorted(qas, key=lambda q: q.id))]


def make_handler(client: Any) -> Handler:
    """The reader's Lambda handler exactly as kysy.api.reader builds it, on the given client."""
    from mangum import Mangum

    from kysy.api.observability import lambda_entry
    from kysy.api.reader import build_app
    from kysy.repository import Store
    from kysy.settings import get_settings

    settings = get_settings()
    return lambda_entry(Mangum(build_app(settings, Store(client, settings.table_name)), lifespan="off"))


def count_requests(client: Any, event: str = "before-call") -> list[str]:
    seen: list[str] = []

    def hook(**kwargs: Any) -> None:
        seen.append(str(kwargs.get("model", kwargs.get("event_name"))))

    client.meta.events.register_first(f"{event}.dynamodb.*", hook)
    return seen


@dataclass(frozen=True)
class Result:
    mode: str
    calls: int
    median_us: float
    p99_us: float
    requests_per_view: float


@dataclass
class Mode:
    """One way of calling a handler: what is timed, with which request headers, counting what."""

    name: str
    handler: Handler
    requests: Callable[[], int]
    headers: dict[str, str] | None = None
    samples: list[int] = field(default_factory=list)
    before: int = 0

    def event(self) -> dict[str, Any]:
        return http_event("GET", f"/v1/posts/{POST_ID}/questions", headers=self.headers)


BROWSER = {"origin": "https://blog.example.com", "accept-encoding": "gzip, deflate, br"}


def run(modes: list[Mode], calls: int, *, slice_size: int = 100) -> list[Result]:
    """Time ``calls`` requests per mode, a slice of each mode in turn."""
    context = LambdaContext()
    for mode in modes:
        for _ in range(50):  # warm: first-call caches, lazy imports
            response = mode.handler(mode.event(), context)
        assert response["statusCode"] == 200, response
        mode.before = mode.requests()
    for start in range(0, calls, slice_size):
        for mode in modes:
            for _ in range(min(slice_size, calls - start)):
                event = mode.event()
                began = time.perf_counter_ns()
                response = mode.handler(event, context)
                mode.samples.append(time.perf_counter_ns() - began)
                assert response["statusCode"] == 200
    results = []
    for mode in modes:
        samples = sorted(mode.samples)
        p99 = samples[min(len(samples) - 1, round(0.99 * len(samples)))]
        per_view = (mode.requests() - mode.before) / calls
        results.append(Result(mode.name, calls, statistics.median(samples) / 1000, p99 / 1000, per_view))
    return results


def naive_handler(fake: CannedQueryClient) -> Handler:
    """bench/naive_fastapi_handler.py with its module-level client replaced by the canned one."""
    sys.path.insert(0, str(ROOT / "bench"))
    import naive_fastapi_handler as naive

    naive.client = fake  # type: ignore[assignment]
    handler: Handler = naive.handler
    return handler


def stubbed(calls: int) -> list[Result]:
    post, qas = records()
    fakes = [CannedQueryClient(gsi1_items(post, qas)) for _ in range(3)]  # one per mode: own counts
    handler, browser_handler = make_handler(fakes[0]), make_handler(fakes[1])
    body = handler(http_event("GET", f"/v1/posts/{POST_ID}/questions"), LambdaContext())["body"]
    assert body.count('"question"') == RECORDS, "the canned response must render 20 records"
    event = http_event("GET", f"/v1/posts/{POST_ID}/questions", headers=BROWSER)
    assert browser_handler(event, LambdaContext())["headers"].get("content-encoding") == "gzip"
    modes = [
        Mode("stubbed client (Kysy code only)", handler, lambda: fakes[0].calls),
        Mode("stubbed, browser request (Origin, Accept-Encoding)", browser_handler, lambda: fakes[1].calls, BROWSER),
        Mode("naive FastAPI + Mangum + Powertools, canned client", naive_handler(fakes[2]), lambda: fakes[2].calls),
    ]
    return run(modes, calls)


def stubber_check(views: int = 20) -> float:
    """The same view through botocore's Stubber: the Query is valid for the model; count requests."""
    from botocore.stub import Stubber

    from kysy.repository.dynamo import make_client
    from kysy.settings import get_settings

    post, qas = records()
    client = make_client(get_settings())
    handler = make_handler(client)
    with Stubber(client) as stubber:
        # The Stubber answers in its own before-call hook, which stops that event's emission before
        # any other handler runs; count the request one step earlier instead.
        seen = count_requests(client, "before-parameter-build")
        for _ in range(views):
            stubber.add_response("query", {"Items": gsi1_items(post, qas), "Count": RECORDS + 1})
            response = handler(http_event("GET", f"/v1/posts/{POST_ID}/questions"), LambdaContext())
            assert response["statusCode"] == 200, response
        stubber.assert_no_pending_responses()
    return len(seen) / views


def through_moto(calls: int) -> Result:
    from kysy.devserver import start_local_moto
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client
    from kysy.repository.table import create_table
    from kysy.settings import Settings

    server = start_local_moto()  # as kysy dev and the tests run moto
    try:
        settings = Settings(dynamodb_endpoint=server.url)
        client = make_client(settings)
        create_table(client, settings.table_name)
        post, qas = records()
        Store(client, settings.table_name).write_import(post, qas, [])
        seen = count_requests(client)
        return run([Mode("moto server over HTTP", make_handler(client), lambda: len(seen))], calls)[0]
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000, help="timed calls per mode (at least 1,000)")
    args = parser.parse_args()
    if args.calls < 1000:
        parser.error("--calls must be at least 1000")

    results = [*stubbed(args.calls), through_moto(args.calls)]
    stubber_requests = stubber_check()
    print(f"Python {sys.version.split()[0]}; GET /v1/posts/{{id}}/questions, {RECORDS} published records\n")
    print("| mode | calls | median µs | p99 µs | DynamoDB requests / view |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r.mode} | {r.calls} | {r.median_us:.0f} | {r.p99_us:.0f} | {r.requests_per_view:g} |")
    print(f"\nbotocore Stubber check: {stubber_requests:g} DynamoDB request(s) per view (before-parameter-build)")
    if any(r.requests_per_view != 1 for r in results) or stubber_requests != 1:
        raise SystemExit("the widget view must be exactly one DynamoDB request")


if __name__ == "__main__":
    main()
