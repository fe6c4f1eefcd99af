"""Real API Gateway HTTP API (payload v2.0) events, built from the sample `sam local generate-event
apigateway http-api-proxy` prints (tests/events/http_api_v2.json), a Lambda context, and THE way
tests run a Lambda handler (:func:`call_handler`): it tells the AWS-call recorder which function of
template.yaml is running, so every call the code makes is checked against that function's policy."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.aws_calls import CURRENT_FUNCTION

_SAMPLE = json.loads((Path(__file__).parent / "events" / "http_api_v2.json").read_text())


def http_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: bytes | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    source_ip: str = "203.0.113.10",
    route_key: str = "$default",
) -> dict[str, Any]:
    event = copy.deepcopy(_SAMPLE)
    hdrs = {"host": "api.example.com", "user-agent": "pytest", **{k.lower(): v for k, v in (headers or {}).items()}}
    if body is not None:
        raw_body = json.dumps(body).encode()
        hdrs.setdefault("content-type", "application/json")
    event.update(
        routeKey=route_key,
        rawPath=path,
        rawQueryString=urlencode(query or {}),
        headers=hdrs,
        queryStringParameters=query or None,
        pathParameters=None,
        cookies=[],
    )
    event.pop("stageVariables", None)
    if raw_body is not None:
        hdrs["content-length"] = str(len(raw_body))
        event["body"] = base64.b64encode(raw_body).decode()
        event["isBase64Encoded"] = True
    else:
        event["body"] = None
        event["isBase64Encoded"] = False
    ctx = event["requestContext"]
    ctx["http"] = {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip, "userAgent": "pytest"}
    ctx["requestId"] = uuid.uuid4().hex
    ctx["routeKey"] = route_key
    ctx["authentication"] = None
    ctx.pop("authorizer", None)
    return event


@dataclass
class LambdaContext:
    function_name: str = "kysy-test"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:eu-north-1:123456789012:function:kysy-test"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@dataclass
class LambdaResponse:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


# handler object -> the template.yaml function it runs as (filled by conftest and `as_function`)
FUNCTIONS: dict[int, str] = {}


def as_function(name: str, handler: Any) -> Any:
    """Declare that ``handler`` runs as template.yaml's function ``name`` (e.g. a reader built with
    other settings); returns the handler."""
    FUNCTIONS[id(handler)] = name
    return handler


def call_handler(handler: Any, event: dict[str, Any], context: Any) -> Any:
    """Run a Lambda handler as its function: every AWS call it makes is recorded and checked."""
    name = FUNCTIONS.get(id(handler))
    if name is None:
        raise AssertionError(f"{handler!r} is not declared as a template.yaml function (use as_function)")
    token = CURRENT_FUNCTION.set(name)
    try:
        return handler(event, context)
    finally:
        CURRENT_FUNCTION.reset(token)


def invoked(handler: Any) -> Callable[[dict[str, Any], Any], Any]:
    """``handler`` wrapped by :func:`call_handler`, for callers that invoke it themselves (the stream poller)."""

    def run(event: dict[str, Any], context: Any) -> Any:
        return call_handler(handler, event, context)

    return run


def invoke(handler: Any, event: dict[str, Any], context: Any = None) -> LambdaResponse:
    result = call_handler(handler, event, context or LambdaContext(aws_request_id=str(uuid.uuid4())))
    body = result.get("body") or ""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return LambdaResponse(status=int(result["statusCode"]), headers=headers, body=body)
