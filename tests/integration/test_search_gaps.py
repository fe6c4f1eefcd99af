"""What readers could not find: a fruitless search of a post is counted (per post, ISO week and normalised
text, nothing else), the widget's "nothing opened" report arrives as text/plain, editors list, page and
dismiss the gaps and turn one into a draft question. A scan of the whole table shows nothing that
identifies the reader was stored."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from kysy.service.gaps import GapService, iso_week
from kysy.service.questions import client_key
from kysy.settings import Settings
from tests.integration.checks import assert_counts_match, scan_all, where_is
from tests.lambda_events import http_event, invoke

GAP_ATTRIBUTES = {"PK", "SK", "QPK", "QSK", "type", "post_id", "week", "query", "ttl"}
COUNTS = {"no_results", "not_opened"}


def search(reader: Any, post_id: str | None, q: str, ip: str, **query: str) -> list[dict[str, Any]]:
    params = {"q": q, **({"post_id": post_id} if post_id else {}), **query}
    response = invoke(reader.handler, http_event("GET", "/v1/search", query=params, source_ip=ip))
    assert response.status == 200, response.body
    return list(response.json()["items"])


def report(handler: Any, post_id: str, body: Any, ip: str = "198.51.100.90", **headers: str) -> Any:
    """The widget's beacon: JSON in a text/plain body (a CORS-safelisted type: no preflight)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return invoke(
        handler,
        http_event(
            "POST",
            f"/v1/posts/{post_id}/gaps",
            raw_body=raw,
            headers={"content-type": "text/plain;charset=UTF-8", **headers},
            source_ip=ip,
        ),
    )


def admin(editor: Any, token: str, method: str, path: str, body: Any = None, **query: str) -> Any:
    return invoke(
        editor.handler,
        http_event(
            method, "/v1/admin" + path, body=body, query=query or None, headers={"Authorization": f"Bearer {token}"}
        ),
    )


def gaps(editor: Any, token: str, **query: str) -> dict[str, Any]:
    response = admin(editor, token, "GET", "/gaps", **query)
    assert response.status == 200, response.body
    body: dict[str, Any] = response.json()
    return body


def word() -> str:
    """A word no post has, with no digits (a run of 5+ digits would be stored as [number])."""
    return "zorblat" + letters()


def letters(n: int = 8) -> str:
    return "".join(chr(ord("a") + d % 26) for d in uuid.uuid4().bytes[:n])


def test_a_fruitless_search_appears_in_the_gaps_list_and_nothing_identifying_is_stored(
    reader, editor, editor_token, store, post_id, publish, env, search_indexer
):
    publish(post_id, "Mitä somemainonta maksaa?", "Riippuu budjetista.")
    search_indexer()
    missing = word()
    ips = [f"192.0.2.{n}" for n in random.sample(range(1, 255), 2)]
    person, domain = letters(), letters()  # nothing else in the session's table has them
    phone = "040 " + " ".join(str(random.randrange(1000, 9999)) for _ in range(2))
    typed = f"  {missing.upper()}   Kissanruoka {person}@{domain}.fi {phone} "
    for ip in ips:
        assert search(reader, post_id, typed, ip) == []
    # A search that finds something, a search of all posts and the widget's as-you-type requests count nothing.
    assert search(reader, post_id, "somemainonta", ips[0])
    search(reader, None, word(), ips[0])
    search(reader, post_id, word(), ips[0], live="true")

    listed = gaps(editor, editor_token, post_id=post_id)
    week = iso_week(datetime.now(UTC).timestamp())[0]
    assert listed["items"] == [
        {
            "post_id": post_id,
            "query": f"{missing} kissanruoka [email] [phone]",
            "count": 2,
            "no_results": 2,
            "not_opened": 0,
            "last_week": week,
            "weeks": [{"week": week, "count": 2}],
        }
    ]
    assert listed["next_cursor"] is None

    # The whole table and every index: the gap item holds the normalised text, post, week, counts and ttl.
    items = [i for i in scan_all(store) if i["PK"]["S"] == f"GAPS#{post_id}"]
    assert len(items) == 1
    assert set(items[0]) == GAP_ATTRIBUTES | {"no_results"}
    ttl = int(items[0]["ttl"]["N"])
    assert 83 * 86_400 < ttl - datetime.now(UTC).timestamp() <= 90 * 86_400
    for secret in (person, domain, phone, phone.replace(" ", ""), *ips):
        assert where_is(store, secret) == {}, secret
    # The reader's client hash (as questions carry it) is nowhere; the daily limit counts under a
    # pseudonym of its own that holds nothing but a count and a two-day ttl.
    settings = Settings()
    for ip in ips:
        assert where_is(store, client_key(settings.secret, ip)) == {}
        day = datetime.now(UTC).strftime("%Y%m%d")
        [rate] = [
            i for i in scan_all(store) if i["PK"]["S"] == f"RATE#{client_key(settings.secret, f'gaps:{day}:{ip}')}"
        ]
        assert set(rate) == {"PK", "SK", "count", "ttl"}
        assert int(rate["ttl"]["N"]) - datetime.now(UTC).timestamp() <= 2 * 86_400


def test_the_widgets_nothing_opened_report_is_counted(reader, editor, editor_token, post_id):
    text = word()
    for ip in ("198.51.100.91", "198.51.100.92", "198.51.100.93"):
        response = report(reader.handler, post_id, {"q": text, "kind": "not_opened"}, ip=ip)
        assert (response.status, response.json()) == (202, {"counted": True})
    response = report(reader.handler, post_id, {"q": text.upper(), "kind": "no_results"})
    assert response.status == 202
    [item] = gaps(editor, editor_token, post_id=post_id)["items"]
    assert (item["query"], item["count"], item["no_results"], item["not_opened"]) == (text, 4, 1, 3)
    # Also as application/json.
    response = invoke(
        reader.handler,
        http_event("POST", f"/v1/posts/{post_id}/gaps", body={"q": text, "kind": "no_results"}),
    )
    assert response.status == 202


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "invalid_json"),
        ({"q": "hinta", "kind": "clicked"}, 422, "invalid_input"),
        ({"q": "hinta"}, 422, "invalid_input"),
        ({"q": "", "kind": "no_results"}, 422, "query_required"),
        ({"q": " \u200b ", "kind": "no_results"}, 422, "query_required"),
        ({"q": 5, "kind": "no_results"}, 422, "invalid_input"),
        ({"q": "hinta", "kind": "no_results", "ip": "1.2.3.4"}, 422, "invalid_input"),
    ],
)
def test_bad_reports_are_refused_with_json_errors(reader, post_id, body, status, code):
    response = report(reader.handler, post_id, body)
    assert response.status == status, response.body
    assert response.json()["error"]["code"] == code


def test_a_report_of_only_personal_data_is_not_counted(reader, editor, editor_token, post_id, store):
    response = report(reader.handler, post_id, {"q": "matti.meikalainen@example.com", "kind": "no_results"})
    assert (response.status, response.json()) == (202, {"counted": False})
    assert gaps(editor, editor_token, post_id=post_id)["items"] == []
    assert where_is(store, "meikalainen") == {}
    bad = report(reader.handler, "not#a-post", {"q": "hinta", "kind": "no_results"})
    assert (bad.status, bad.json()["error"]["code"]) == (422, "invalid_post_id")


def test_reports_are_limited_per_client_and_day(make_reader, editor, editor_token, post_id):
    reader = make_reader(gap_reports_per_day=2)
    ip = f"198.51.100.{uuid.uuid4().int % 200 + 20}"
    for _ in range(2):
        assert report(reader, post_id, {"q": word(), "kind": "not_opened"}, ip=ip).status == 202
    refused = report(reader, post_id, {"q": word(), "kind": "not_opened"}, ip=ip)
    assert refused.status == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) >= 1
    # Past the cap a fruitless search still answers; it is just not counted.
    missing = word()
    response = invoke(reader, http_event("GET", "/v1/search", query={"q": missing, "post_id": post_id}, source_ip=ip))
    assert response.status == 200
    assert len(gaps(editor, editor_token, post_id=post_id)["items"]) == 2
    # Another reader is not affected.
    assert report(reader, post_id, {"q": word(), "kind": "not_opened"}, ip="198.51.100.250").status == 202


def test_reports_come_from_the_blogs_origins_and_known_posts(make_reader, post_id):
    closed = make_reader(allowed_origins="https://blog.example.com", auto_create_posts=False)
    wrong = report(closed, post_id, {"q": word(), "kind": "not_opened"}, origin="https://evil.example")
    assert (wrong.status, wrong.json()["error"]["code"]) == (403, "origin_not_allowed")
    unknown = report(closed, post_id, {"q": word(), "kind": "not_opened"}, origin="https://blog.example.com")
    assert (unknown.status, unknown.json()["error"]["code"]) == (404, "post_not_found")
    # A search from elsewhere is still answered (CORS decides who reads it); it is just not counted.
    found = invoke(
        closed,
        http_event(
            "GET", "/v1/search", query={"q": word(), "post_id": post_id}, headers={"origin": "https://evil.example"}
        ),
    )
    assert found.status == 200


def test_editors_page_dismiss_and_turn_a_gap_into_a_draft(reader, editor, editor_token, store, post_id):
    texts = [word() for _ in range(3)]
    for n, text in enumerate(texts):  # counted 3, 2 and 1 times
        for i in range(3 - n):
            report(reader.handler, post_id, {"q": text, "kind": "no_results"}, ip=f"198.51.100.{100 + i}")
    first = gaps(editor, editor_token, post_id=post_id, limit="2")
    assert [i["query"] for i in first["items"]] == texts[:2]
    rest = gaps(editor, editor_token, post_id=post_id, limit="2", cursor=first["next_cursor"])
    assert [i["query"] for i in rest["items"]] == texts[2:]
    assert rest["next_cursor"] is None
    # The list of every post has them too, most searched first.
    everyone = gaps(editor, editor_token, limit="100")
    ours = [i["query"] for i in everyone["items"] if i["post_id"] == post_id]
    assert ours == texts
    counts = [i["count"] for i in everyone["items"]]
    assert counts == sorted(counts, reverse=True)
    foreign = admin(editor, editor_token, "GET", "/gaps", cursor=first["next_cursor"])
    assert (foreign.status, foreign.json()["error"]["code"]) == (400, "invalid_cursor")

    # One click: a draft question from the gap, then the gap leaves the list.
    created = admin(
        editor,
        editor_token,
        "POST",
        f"/posts/{post_id}/questions",
        {"question": texts[0].capitalize() + "?", "note": "search gap"},
    )
    assert created.status == 201, created.body
    draft = created.json()
    assert (draft["status"], draft["source"], draft["question"]) == ("pending", "editor", texts[0].capitalize() + "?")
    assert (draft["client"], draft["asker_name"], draft["has_email"]) == ("", "", False)
    assert draft["audit"][0]["action"] == "create"
    queued = admin(editor, editor_token, "GET", "/queue", post_id=post_id).json()
    assert [i["id"] for i in queued["items"]] == [draft["id"]]
    assert_counts_match(store, post_id)
    dismissed = admin(editor, editor_token, "POST", "/gaps/dismiss", {"post_id": post_id, "query": texts[0]})
    assert (dismissed.status, dismissed.json()) == (200, {"dismissed": 1})
    assert [i["query"] for i in gaps(editor, editor_token, post_id=post_id)["items"]] == texts[1:]
    again = admin(editor, editor_token, "POST", "/gaps/dismiss", {"post_id": post_id, "query": texts[0]})
    assert again.json() == {"dismissed": 0}
    short = admin(editor, editor_token, "POST", f"/posts/{post_id}/questions", {"question": "x"})
    assert (short.status, short.json()["error"]["code"]) == (422, "question_too_short")


def test_counts_are_per_week_and_expire_after_90_days(store, editor, editor_token, post_id):
    settings = Settings()
    now = datetime.now(UTC).timestamp()
    text = word()
    for days_ago in (0, 8, 8, 100):
        service = GapService(store, settings, clock=lambda d=days_ago: now - d * 86_400)
        assert service.report(post_id, text, kind="no_results", ip="198.51.100.120", origin=None)
    [item] = gaps(editor, editor_token, post_id=post_id)["items"]
    this_week, last_week = iso_week(now)[0], iso_week(now - 8 * 86_400)[0]
    assert item["weeks"] == [{"week": this_week, "count": 1}, {"week": last_week, "count": 2}]
    assert item["count"] == 3  # the search of 100 days ago is past its ttl: gone


def test_gap_routes_need_an_editor(editor, post_id):
    response = invoke(editor.handler, http_event("GET", "/v1/admin/gaps"))
    assert response.status == 401


def test_the_reader_api_offers_the_repository_kinds(reader):
    from kysy.repository.gaps import GAP_KINDS

    assert tuple(reader.GapReportIn.model_json_schema()["properties"]["kind"]["enum"]) == GAP_KINDS
