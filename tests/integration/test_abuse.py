"""Abuse limits that hold across posts, counted in the submit transaction; a failed submit leaves
nothing behind; idempotent retries survive a network change and a submit killed mid-save.

Limits are per UTC day: the tests run in seconds, far from any midnight they could straddle.
moto does not isolate concurrent transactions; these tests submit one question at a time.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kysy.settings import Settings
from tests.integration.checks import assert_counts_match, scan_all, where_is
from tests.lambda_events import LambdaContext, http_event, invoke

LIMITS = (
    "rate_limit_max",
    "rate_limit_window_seconds",
    "daily_question_limit",
    "new_posts_per_client_per_day",
    "new_posts_per_day",
)
DEFAULTS = {name: Settings.model_fields[name].default for name in LIMITS}
UNLIMITED = {
    "rate_limit_max": 1000,
    "daily_question_limit": 1000,
    "new_posts_per_client_per_day": 1000,
    "new_posts_per_day": 1000,
}


def ask(
    handler: Any,
    post_id: str,
    question: str = "Mitä mieltä olet tästä?",
    ip: str = "198.51.100.1",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Any:
    body = {"question": question, **extra}
    return invoke(
        handler, http_event("POST", f"/v1/posts/{post_id}/questions", body=body, source_ip=ip, headers=headers)
    )


def editor_posts(handler: Any, token: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": "50", **({"cursor": cursor} if cursor else {})}
        page = invoke(
            handler, http_event("GET", "/v1/admin/posts", query=query, headers={"Authorization": f"Bearer {token}"})
        ).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


# ----------------------------------------------------------------------------------- the flood
def test_flood_of_new_posts_from_one_client_with_the_default_limits(
    make_reader, make_editor, editor_token, fresh_table
):
    """The issue's attack: one client, 200 questions to 200 invented post ids, default settings."""
    reader = make_reader(table_name=fresh_table, **DEFAULTS)
    editor = make_editor(table_name=fresh_table)
    run = uuid.uuid4().hex[:6]
    responses = [ask(reader, f"flood-{run}-{n}", f"Kysymys numero {n}?") for n in range(200)]

    accepted = [r for r in responses if r.status == 202]
    refused = [r for r in responses if r.status == 429]
    expected = min(
        DEFAULTS["new_posts_per_client_per_day"], DEFAULTS["new_posts_per_day"], DEFAULTS["daily_question_limit"]
    )
    assert len(accepted) == expected
    assert len(refused) == 200 - expected
    assert {r.json()["error"]["code"] for r in refused} == {"new_post_limit"}
    assert all(1 <= int(r.headers["retry-after"]) <= 86_400 for r in refused)
    created = [p for p in editor_posts(editor, editor_token) if p["id"].startswith(f"flood-{run}-")]
    assert len(created) == expected
    assert all(p["version"] == 0 and p["pending"] == 1 for p in created)


def test_many_readers_cannot_create_more_posts_a_day_than_the_total_cap(make_reader, fresh_table):
    reader = make_reader(table_name=fresh_table, **{**UNLIMITED, "new_posts_per_day": 3})
    statuses = [ask(reader, f"new-{uuid.uuid4().hex[:8]}", ip=f"203.0.113.{n}").status for n in range(5)]
    assert statuses == [202, 202, 202, 429, 429]


def test_one_client_has_a_daily_budget_across_posts(make_reader, editor, editor_token, fresh_table):
    reader = make_reader(table_name=fresh_table, **{**UNLIMITED, "daily_question_limit": 3})
    posts = [f"daily-{uuid.uuid4().hex[:8]}" for _ in range(4)]
    statuses = [ask(reader, p, ip="198.51.100.20").status for p in posts]
    assert statuses == [202, 202, 202, 429]
    limited = ask(reader, posts[0], ip="198.51.100.20")
    assert limited.json()["error"]["code"] == "daily_limit"
    assert "tomorrow" in limited.json()["error"]["message"]
    assert ask(reader, posts[0], ip="198.51.100.21").status == 202  # another reader is not affected


def test_new_post_cap_per_client_spares_existing_posts(make_reader, make_editor, editor_token, fresh_table):
    reader = make_reader(table_name=fresh_table, **{**UNLIMITED, "new_posts_per_client_per_day": 2})
    editor = make_editor(table_name=fresh_table)
    saved = f"saved-{uuid.uuid4().hex[:8]}"
    auth = {"Authorization": f"Bearer {editor_token}"}
    assert invoke(editor, http_event("POST", "/v1/admin/posts", body={"id": saved}, headers=auth)).status == 201
    first, second, third = (f"auto-{uuid.uuid4().hex[:8]}" for _ in range(3))
    assert [ask(reader, p).status for p in (first, second, third)] == [202, 202, 429]
    assert ask(reader, first).status == 202  # a post readers created earlier is not new any more
    assert ask(reader, saved).status == 202  # nor is a post an editor created


def test_per_post_window_still_applies(make_reader, fresh_table, post_id):
    reader = make_reader(table_name=fresh_table, **{**UNLIMITED, "rate_limit_max": 2})
    statuses = [ask(reader, post_id, ip="198.51.100.30").status for _ in range(3)]
    assert statuses == [202, 202, 429]
    limited = ask(reader, post_id, ip="198.51.100.30")
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= DEFAULTS["rate_limit_window_seconds"]


def test_a_refused_submit_leaves_nothing_behind(make_reader, store, fresh_table):
    from kysy.repository import Store
    from kysy.repository.dynamo import make_client

    own = Store(make_client(Settings(table_name=fresh_table)), fresh_table)
    reader = make_reader(table_name=fresh_table, **{**UNLIMITED, "new_posts_per_client_per_day": 1})
    assert ask(reader, f"ok-{uuid.uuid4().hex[:8]}", email="first@example.com", notify=True).status == 202
    before = scan_all(own)
    refused_post = f"refused-{uuid.uuid4().hex[:8]}"
    refused = ask(reader, refused_post, "Jääkö tästä jotain?", email="refused@example.com", notify=True)
    assert refused.status == 429
    assert scan_all(own) == before  # no record, counter, limit, address or look-up item
    assert where_is(own, "refused@example.com") == {}
    assert where_is(own, refused_post) == {}


# --------------------------------------------------------------------------------- idempotency
def test_a_retry_from_another_network_gets_the_same_question(reader, store, post_id):
    key = str(uuid.uuid4())
    headers = {"Idempotency-Key": key}
    first = ask(reader.handler, post_id, "Vaihtuuko verkko?", ip="198.51.100.40", headers=headers)
    again = ask(reader.handler, post_id, "Vaihtuuko verkko?", ip="192.0.2.99", headers=headers)
    assert (first.status, again.status) == (202, 202), again.body
    assert first.json()["id"] == again.json()["id"]
    assert len([qa for qa in store.records_of_post(post_id) if qa.status == "pending"]) == 1


def test_the_lambda_context_bounds_an_in_progress_submit(reader, store, post_id):
    """Powertools gets the Lambda context (from Mangum's ASGI scope), so the in-progress lock of a
    submit expires with the invocation, not after the whole idempotency TTL."""
    key = str(uuid.uuid4())
    event = http_event("POST", f"/v1/posts/{post_id}/questions", body={"question": "Lukitus?"})
    event["headers"]["idempotency-key"] = key
    response = invoke(reader.handler, event, LambdaContext(aws_request_id=str(uuid.uuid4())))
    assert response.status == 202
    qa_id = response.json()["id"]
    [record] = [
        i for i in scan_all(store) if i["PK"]["S"] == "IDEMPOTENCY#submit" and qa_id in i.get("data", {}).get("S", "")
    ]
    assert int(record["in_progress_expiration"]["N"]) > 0  # set only when a Lambda context is registered
    assert "198.51.100" not in str(record)
    assert "203.0.113" not in str(record)


def test_a_submit_killed_mid_save_does_not_block_its_retry(reader, post_id, monkeypatch):
    """The Lambda is killed (timeout) while saving: the in-progress record stays behind. With the
    context registered it expires with that invocation; the widget's retry with the same key works."""
    from kysy.service.questions import Client, QuestionService, Submission

    store = reader.store
    original = store.submit_question

    class Killed(BaseException):
        """Stands in for Lambda freezing the process: no exception handler runs."""

    def killed(*args: Any, **kwargs: Any) -> None:
        raise Killed

    class ShortContext(LambdaContext):
        def get_remaining_time_in_millis(self) -> int:
            return 1  # the invocation is (almost) out of time

    service = QuestionService(store, Settings())
    monkeypatch.setattr(store, "submit_question", killed)
    key = str(uuid.uuid4())
    with pytest.raises(Killed):
        service.submit(
            post_id,
            Submission(question="Katkeaako tallennus?"),
            client=Client(ip="198.51.100.50", origin=None),
            idempotency_key=key,
            lambda_context=ShortContext(),
        )
    monkeypatch.setattr(store, "submit_question", original)
    retry = ask(reader.handler, post_id, "Katkeaako tallennus?", ip="198.51.100.50", headers={"Idempotency-Key": key})
    assert retry.status == 202, retry.body


# ------------------------------------------------------------------------------------ counters
def test_counters_follow_every_status_change(reader, editor, editor_token, store, publish, post_id):
    auth = {"Authorization": f"Bearer {editor_token}"}
    base = f"/v1/admin/posts/{post_id}/questions"

    def act(method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        response = invoke(editor.handler, http_event(method, base + path, body=body, headers=auth, **kwargs))
        assert response.status in {200, 204}, response.body
        return response

    ids = [ask(reader.handler, post_id, f"Kysymys {n}?").json()["id"] for n in range(4)]
    spam = ask(reader.handler, post_id, "BUY NOW cheap pills http://a.example http://b.example").json()["id"]
    assert assert_counts_match(store, post_id).flagged == 1
    act("POST", f"/{ids[0]}/answer", {"version": 1, "answer": "Vastaus."})
    act("POST", f"/{ids[1]}/reject", {"version": 1, "reason": "ei"})
    act("POST", f"/{ids[2]}/duplicate", {"version": 1, "duplicate_of": ids[0]})
    act("POST", f"/{ids[0]}/unpublish", {"version": 2})
    act("POST", f"/{ids[0]}/answer", {"version": 3, "answer": "Taas."})
    act("POST", f"/{ids[1]}/restore", {"version": 2})
    act("DELETE", f"/{spam}", query={"version": "1"})
    publish(post_id, "Tuotu kysymys?", "Tuotu vastaus.")
    counts = assert_counts_match(store, post_id)
    assert (counts.pending, counts.flagged, counts.published, counts.rejected) == (2, 0, 2, 1)
    queue = invoke(editor.handler, http_event("GET", "/v1/admin/queue", headers=auth)).json()
    assert queue["counts"][post_id] == 2


def test_queue_counts_read_the_counters_not_the_queue(editor, editor_token, reader, post_id):
    ask(reader.handler, post_id)
    calls: list[tuple[str, str]] = []

    def count(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, str(params.get("IndexName", "") or params.get("KeyConditionExpression", ""))))

    client = editor.store.client
    client.meta.events.register("before-parameter-build.dynamodb.Query", count)
    try:
        invoke(
            editor.handler,
            http_event(
                "GET", "/v1/admin/queue", query={"limit": "1"}, headers={"Authorization": f"Bearer {editor_token}"}
            ),
        )
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb.Query", count)
    assert calls == [("Query", "GSI3"), ("Query", "PK = :pk")]  # one page of the queue, one counters read


# ------------------------------------------------------------------------------------ post list
def test_editor_post_list_pages_and_includes_posts_readers_created(make_reader, make_editor, editor_token, fresh_table):
    reader = make_reader(table_name=fresh_table, **UNLIMITED)
    editor = make_editor(table_name=fresh_table)
    auth = {"Authorization": f"Bearer {editor_token}"}
    saved = ["b-saved", "d-saved"]
    for post in saved:
        assert invoke(editor, http_event("POST", "/v1/admin/posts", body={"id": post}, headers=auth)).status == 201
    asked = ["a-asked", "c-asked", "d-saved"]
    for post in asked:
        assert ask(reader, post).status == 202
    gone = ask(reader, "e-cleared").json()["id"]
    assert (
        invoke(
            editor,
            http_event("POST", f"/v1/admin/posts/e-cleared/questions/{gone}/reject", body={"version": 1}, headers=auth),
        ).status
        == 200
    )
    pages = []
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = invoke(editor, http_event("GET", "/v1/admin/posts", query=query, headers=auth)).json()
        pages.append([p["id"] for p in page["items"]])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert pages == [["a-asked", "b-saved"], ["c-asked", "d-saved"]]
    listed = {p["id"]: p for p in editor_posts(editor, editor_token)}
    assert (listed["a-asked"]["version"], listed["a-asked"]["pending"]) == (0, 1)
    assert (listed["d-saved"]["version"], listed["d-saved"]["pending"]) == (1, 1)
    assert "e-cleared" not in listed  # a reader-created post with nothing left to answer is not a post
