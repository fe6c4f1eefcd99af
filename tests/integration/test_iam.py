"""Least privilege, proven: the policy evaluator behind the suite-wide AWS-call check denies what it
must, a call made from a function's code is checked end to end, and every app route is routed in
template.yaml to the function that serves it (and nothing in the template routes to nowhere).

The suite-wide check itself lives in conftest (every test fails on a denied call) and prints the
per-function counts at the end of the run ("IAM: Lambda code's AWS calls ...").
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

from tests import aws_calls, iam
from tests.lambda_events import as_function, call_handler

REGION = "eu-north-1"
TABLE = "kysy-table"
FUNCTIONS = iam.functions()
READER, EDITOR, NOTIFIER = FUNCTIONS["ReaderFunction"], FUNCTIONS["EditorFunction"], FUNCTIONS["NotifierFunction"]
SENDER = "kysy@example.com"


def decide(function: iam.FunctionSpec, service: str, operation: str, params: dict[str, Any]) -> list[bool]:
    env = {"KYSY_SENDER_EMAIL": SENDER, "KYSY_NEW_QUESTION_TOPIC_ARN": "arn:aws:sns:eu-north-1:123456789012:t"}
    out = []
    for request in iam.requests_for(service, operation, params, REGION):
        out.append(iam.evaluate(function, request, iam.names_for(function, request, REGION, env)).allowed)
    return out


def s(value: str) -> dict[str, str]:
    return {"S": value}


def key(pk: str, sk: str = "x") -> dict[str, Any]:
    return {"PK": s(pk), "SK": s(sk)}


GSI1_QUERY = {"IndexName": "GSI1", "KeyConditionExpression": "GSI1PK = :p"}
GSI3_QUERY = {"IndexName": "GSI3", "KeyConditionExpression": "QPK = :q"}
QUESTION = {**key("ASK#p", "QA#1"), "QPK": s("QUEUE"), "QSK": s("1"), "question": s("q?"), "status": s("pending")}


# ------------------------------------------------------------------------------- the evaluator
@pytest.mark.parametrize(
    ("why", "function", "service", "operation", "params"),
    [
        ("reader writes a published answer", READER, "dynamodb", "PutItem", {"Item": {**QUESTION, **key("POST#p")}}),
        (
            "reader puts its question into the public index",
            READER,
            "dynamodb",
            "PutItem",
            {"Item": {**QUESTION, "GSI1PK": s("POST#p"), "GSI1SK": s("QA#1")}},
        ),
        (
            "reader puts its question into the public list (search)",
            READER,
            "dynamodb",
            "UpdateItem",
            {
                "Key": key("ASK#p", "QA#1"),
                "UpdateExpression": "SET GSI2PK = :pub",
                "ExpressionAttributeValues": {":pub": s("PUB")},
            },
        ),
        (
            "reader sets an index attribute inside a transaction",
            READER,
            "dynamodb",
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"TableName": TABLE, "Item": QUESTION}},
                    {
                        "Update": {
                            "TableName": TABLE,
                            "Key": key("ASK#p", "QA#1"),
                            "UpdateExpression": "SET #g = :v",
                            "ExpressionAttributeNames": {"#g": "GSI1PK"},
                            "ExpressionAttributeValues": {":v": s("POST#p")},
                        }
                    },
                ]
            },
        ),
        ("reader reads an address", READER, "dynamodb", "GetItem", {"Key": key("EMAIL#1", "EMAIL")}),
        ("reader reads a pending question", READER, "dynamodb", "GetItem", {"Key": key("ASK#p", "QA#1")}),
        ("reader reads the queue", READER, "dynamodb", "Query", GSI3_QUERY),
        (
            "reader queries the base table",
            READER,
            "dynamodb",
            "Query",
            {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": s("ASK#p")}},
        ),
        ("reader scans", READER, "dynamodb", "Scan", {}),
        ("reader deletes a question", READER, "dynamodb", "DeleteItem", {"Key": key("ASK#p", "QA#1")}),
        ("editor reads an address", EDITOR, "dynamodb", "GetItem", {"Key": key("EMAIL#1", "EMAIL")}),
        ("editor writes an address", EDITOR, "dynamodb", "PutItem", {"Item": {**key("EMAIL#1", "EMAIL")}}),
        ("editor scans", EDITOR, "dynamodb", "Scan", {}),
        (
            "notifier rewrites the answer",
            NOTIFIER,
            "dynamodb",
            "UpdateItem",
            {"Key": key("POST#p", "QA#1"), "UpdateExpression": "SET answer = :a"},
        ),
        ("notifier writes a published record", NOTIFIER, "dynamodb", "PutItem", {"Item": key("POST#p", "QA#1")}),
        (
            "notifier sends from another address",
            NOTIFIER,
            "sesv2",
            "SendEmail",
            {"FromEmailAddress": "ceo@example.com"},
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_the_evaluator_denies_calls_outside_each_policy(why, function, service, operation, params):
    params = {"TableName": TABLE, **params}
    assert not all(decide(function, service, operation, params)), why


@pytest.mark.parametrize(
    ("why", "function", "service", "operation", "params"),
    [
        ("reader asks a question", READER, "dynamodb", "PutItem", {"Item": QUESTION}),
        ("reader reads a post", READER, "dynamodb", "GetItem", {"Key": key("POST#p", "META")}),
        ("reader views a post", READER, "dynamodb", "Query", GSI1_QUERY),
        ("editor reads the queue", EDITOR, "dynamodb", "Query", GSI3_QUERY),
        ("editor publishes", EDITOR, "dynamodb", "PutItem", {"Item": {**key("POST#p", "QA#1"), "GSI1PK": s("POST#p")}}),
        ("notifier sends from the sender", NOTIFIER, "sesv2", "SendEmail", {"FromEmailAddress": SENDER}),
        (
            "notifier marks a record notified",
            NOTIFIER,
            "dynamodb",
            "UpdateItem",
            {"Key": key("POST#p", "QA#1"), "UpdateExpression": "SET notify = :f", "ConditionExpression": "notify = :t"},
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_the_evaluator_allows_what_each_function_needs(why, function, service, operation, params):
    params = {"TableName": TABLE, **params}
    assert all(decide(function, service, operation, params)), why


def test_a_denied_call_from_function_code_is_caught_end_to_end(reader, store):
    """The attack from the issue, made from the reader's own client: moto has no IAM and accepts it,
    the recorder (the suite-wide check) flags it as denied."""
    post_id = f"forged-{uuid.uuid4().hex[:8]}"
    item = {"PK": s(f"ASK#{post_id}"), "SK": s("QA#01J00000000000000000000000"), "GSI1PK": s(f"POST#{post_id}")}

    def forge(_event: Any, _context: Any) -> None:
        reader.store.client.put_item(TableName=reader.store.table, Item=item)

    before = len(aws_calls.RECORDER.checked)
    call_handler(as_function("ReaderFunction", forge), {}, None)
    [checked] = aws_calls.RECORDER.checked[before:]
    assert not checked.decision.allowed
    assert checked.request.action == "dynamodb:PutItem"
    assert "GSI1PK" in checked.request.context["dynamodb:Attributes"]
    aws_calls.RECORDER.checked.remove(checked)  # shown on purpose; not a failure of this test
    store.client.delete_item(TableName=store.table, Key={"PK": item["PK"], "SK": item["SK"]})


def test_transactions_are_authorised_item_by_item():
    requests = iam.requests_for(
        "dynamodb",
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": TABLE, "Item": QUESTION}},
                {"Update": {"TableName": TABLE, "Key": key("COUNTS", "POST#p"), "UpdateExpression": "ADD pending :n"}},
                {"Delete": {"TableName": TABLE, "Key": key("EMAIL#1", "EMAIL")}},
                {"ConditionCheck": {"TableName": TABLE, "Key": key("POST#p", "META"), "ConditionExpression": "x = :y"}},
            ]
        },
        REGION,
    )
    assert [r.action for r in requests] == [
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ]
    assert [r.context["dynamodb:LeadingKeys"] for r in requests] == [("ASK#p",), ("COUNTS",), ("EMAIL#1",), ("POST#p",)]
    assert set(requests[1].context["dynamodb:Attributes"]) == {"PK", "SK", "pending"}


def test_condition_semantics_follow_aws():
    only_ask = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["ASK#*"]}}
    statement = {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*", "Condition": only_ask}
    spec = iam.FunctionSpec("F", "h", (statement,), {}, ())
    ok = iam.Request("dynamodb:PutItem", "arn", {"dynamodb:LeadingKeys": ("ASK#a",)})
    bad = iam.Request("dynamodb:PutItem", "arn", {"dynamodb:LeadingKeys": ("POST#a",)})
    absent = iam.Request("dynamodb:PutItem", "arn", {})
    assert iam.evaluate(spec, ok, {}).allowed
    assert not iam.evaluate(spec, bad, {}).allowed
    assert iam.evaluate(spec, absent, {}).allowed  # ForAllValues of an absent key holds (AWS semantics)
    deny = {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}
    assert not iam.evaluate(iam.FunctionSpec("F", "h", (statement, deny), {}, ()), ok, {}).allowed
    unknown = {**statement, "Condition": {"NumericLessThan": {"dynamodb:Attributes": ["1"]}}}
    with pytest.raises(ValueError, match="not modelled"):
        iam.evaluate(iam.FunctionSpec("F", "h", (unknown,), {}, ()), ok, {})


# ---------------------------------------------------------------------------------------- routes
def _pattern(template_path: str) -> re.Pattern[str]:
    regex = re.escape(template_path.rstrip("/") or "/")
    regex = re.sub(r"\\\{[^}]+\\\+\\\}", ".+", regex)  # greedy {proxy+}: one or more segments
    regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", regex)  # {name}: one segment
    return re.compile(regex)


def _routed_to(method: str, path: str) -> str | None:
    """The function API Gateway sends ``method path`` to: exact routes before greedy ones, more literal
    segments first. A trailing slash is ignored in matching, as API Gateway does."""
    concrete = path.rstrip("/") or "/"
    best: tuple[int, str] | None = None
    for function in FUNCTIONS.values():
        for t_method, t_path, _ in function.routes:
            if t_method not in {"ANY", method} or not _pattern(t_path).fullmatch(concrete):
                continue
            rank = (0 if "+}" in t_path else 1000) + sum(1 for seg in t_path.split("/") if seg and "{" not in seg)
            if best is None or rank > best[0]:
                best = (rank, function.name)
    return best[1] if best else None


def _flat_routes(app: Any) -> list[tuple[str, set[str]]]:
    """(path, methods) of every route, through included routers (newer FastAPI keeps them as
    lazily combined ``_IncludedRouter`` entries with ``effective_route_contexts()``)."""
    out: list[tuple[str, set[str]]] = []
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            out += [(str(c.path), set(c.methods or ())) for c in contexts()]
        elif isinstance(route, APIRoute | Route) and route.methods:
            out.append((route.path, set(route.methods)))
    return out


def _app_routes(app: Any) -> list[tuple[str, str]]:
    out = []
    for path, methods in _flat_routes(app):
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        out += [(m, concrete) for m in sorted(methods) if m not in {"HEAD", "OPTIONS"}]
    assert out, "no routes found: the app's routing changed shape"
    return out


@pytest.mark.parametrize("which", ["reader", "editor"])
def test_every_app_route_is_routed_to_its_function_in_the_template(which, reader, editor):
    module, function = (reader, "ReaderFunction") if which == "reader" else (editor, "EditorFunction")
    unrouted = [f"{m} {p}" for m, p in _app_routes(module.app) if _routed_to(m, p) != function]
    assert not unrouted, f"routes served by {function} that API Gateway would not send to it: {unrouted}"


def test_every_template_route_reaches_a_route_of_its_app(reader, editor):
    apps = {"ReaderFunction": reader.app, "EditorFunction": editor.app}
    dangling = []
    for name, app in apps.items():
        served = _app_routes(app)
        for method, path, _ in FUNCTIONS[name].routes:
            pattern = _pattern(path)
            if not any(method in {"ANY", m} and pattern.fullmatch(p.rstrip("/") or "/") for m, p in served):
                dangling.append(f"{name}: {method} {path}")
    assert not dangling, f"template routes no app route answers: {dangling}"


def test_admin_routes_need_the_jwt_authorizer_and_nothing_else_is_routed_to_the_editor_api():
    for function in FUNCTIONS.values():
        for method, path, authorizer in function.routes:
            if path.startswith("/v1/admin"):
                assert (function.name, authorizer) == ("EditorFunction", "EditorJwt"), f"{method} {path}"


def test_editors_and_submissions_have_their_own_api_throttles():
    """Per-route throttles exist for the editors' routes and for submissions, and every route key
    they name is a route of the template (CloudFormation refuses a key that names no route)."""
    api = iam.load_template()["Resources"]["HttpApi"]["Properties"]
    settings = api["RouteSettings"]
    routes = {f"{m} {p}" for f in FUNCTIONS.values() for m, p, _ in f.routes}
    assert set(settings) <= routes
    assert {"ANY /v1/admin/{proxy+}", "GET /editor/{proxy+}", "POST /v1/posts/{post_id}/questions"} <= set(settings)
    default = api["DefaultRouteSettings"]
    assert settings["POST /v1/posts/{post_id}/questions"]["ThrottlingRateLimit"] < default["ThrottlingRateLimit"]
