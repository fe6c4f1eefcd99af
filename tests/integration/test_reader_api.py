"""Reader API through the Lambda handler: API Gateway HTTP API v2 events in, moto's DynamoDB over HTTP."""

from __future__ import annotations

import io
import json
import logging
import unicodedata
import uuid
from typing import Any

import pytest

from tests.integration.checks import where_is
from tests.lambda_events import http_event, invoke


def get(handler: Any, path: str, **kwargs: Any) -> Any:
    return invoke(handler, http_event("GET", path, **kwargs))


def post(handler: Any, path: str, body: Any = None, **kwargs: Any) -> Any:
    return invoke(handler, http_event("POST", path, body=body, **kwargs))


def pending_of(store: Any, post_id: str) -> list[Any]:
    return [qa for qa in store.records_of_post(post_id) if qa.status == "pending"]


# ------------------------------------------------------------------------------------- viewing


def test_given_unknown_post_when_viewed_then_empty_list_not_error(reader, post_id):
    response = get(reader.handler, f"/v1/posts/{post_id}/questions")
    assert response.status == 200
    body = response.json()
    assert body["items"] == []
    assert body["next_cursor"] is None
    assert body["post"]["id"] == post_id
    assert body["post"]["open"] is True


def test_view_lists_only_published_newest_first_with_public_fields(reader, store, publish, post_id):
    first = publish(post_id, "Ensimmäinen kysymys?", "Ensimmäinen vastaus.", notify=True)
    second = publish(post_id, "Toinen kysymys?", "Toinen vastaus.", asker_name="Maija")
    post(
        reader.handler,
        f"/v1/posts/{post_id}/questions",
        {"question": "Odottava kysymys?", "email": "secret@example.com", "notify": True},
    )

    body = get(reader.handler, f"/v1/posts/{post_id}/questions").json()

    assert [i["id"] for i in body["items"]] == [second.id, first.id]  # newest answers first by default
    assert body["post"]["order"] == "newest"
    assert set(body["items"][0]) == {"id", "question", "answer", "asker_name", "asked_at", "answered_at"}
    assert body["items"][0]["asker_name"] == "Maija"
    assert "secret@example.com" not in json.dumps(body)
    assert "Odottava" not in json.dumps(body)


def test_order_comes_from_the_post_and_the_reader_may_override_it(reader, editor, editor_token, publish, post_id):
    auth = {"Authorization": f"Bearer {editor_token}"}
    created = invoke(
        editor.handler, http_event("POST", "/v1/admin/posts", body={"id": post_id, "order": "oldest"}, headers=auth)
    )
    assert created.status == 201, created.body
    assert created.json()["order"] == "oldest"
    early = publish(post_id, "Aikainen kysymys?")
    late = publish(post_id, "Myöhäinen kysymys?")

    def ids(**query: str) -> list[str]:
        body = get(reader.handler, f"/v1/posts/{post_id}/questions", query=query).json()
        return [i["id"] for i in body["items"]]

    assert ids() == [early.id, late.id]
    assert ids(order="newest") == [late.id, early.id]
    patched = invoke(
        editor.handler,
        http_event("PATCH", f"/v1/admin/posts/{post_id}", body={"version": 1, "order": "newest"}, headers=auth),
    )
    assert patched.status == 200, patched.body
    assert ids() == [late.id, early.id]
    assert ids(order="oldest") == [early.id, late.id]
    assert get(reader.handler, f"/v1/posts/{post_id}/questions", query={"order": "random"}).status == 422
    bad = invoke(
        editor.handler,
        http_event("PATCH", f"/v1/admin/posts/{post_id}", body={"version": 2, "order": "random"}, headers=auth),
    )
    assert bad.status == 422


def test_view_is_exactly_one_dynamodb_query(reader, publish, post_id):
    for n in range(20):
        publish(post_id, f"Kysymys numero {n}?")
    calls: list[str] = []

    def count(event_name: str, **_: Any) -> None:
        calls.append(event_name.rsplit(".", 1)[-1])

    client = reader.store.client
    client.meta.events.register("before-call.dynamodb", count)
    try:
        response = get(reader.handler, f"/v1/posts/{post_id}/questions")
    finally:
        client.meta.events.unregister("before-call.dynamodb", count)
    assert response.status == 200
    assert len(response.json()["items"]) == 20
    assert calls == ["Query"]


def test_etag_and_cache_control_with_304_on_match(reader, publish, post_id):
    publish(post_id, "Onko välimuisti käytössä?")
    first = get(reader.handler, f"/v1/posts/{post_id}/questions")
    etag = first.headers["etag"]
    # Browsers revalidate every view (a publish shows on the next reload); a CDN may keep it a while.
    directives = {d.strip() for d in first.headers["cache-control"].split(",")}
    assert {"public", "max-age=0"} <= directives
    assert any(d.startswith("s-maxage=") for d in directives)
    assert any(d.startswith("stale-while-revalidate=") for d in directives)

    again = get(reader.handler, f"/v1/posts/{post_id}/questions", headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == ""

    publish(post_id, "Uusi kysymys muuttaa ETagin?")
    changed = get(reader.handler, f"/v1/posts/{post_id}/questions", headers={"If-None-Match": etag})
    assert changed.status == 200
    assert changed.headers["etag"] != etag


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_pagination_walks_every_record_once_in_order(reader, publish, post_id, order):
    ids = [publish(post_id, f"Sivutettu kysymys {n}?").id for n in range(7)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": "3", "order": order, **({"cursor": cursor} if cursor else {})}
        body = get(reader.handler, f"/v1/posts/{post_id}/questions", query=query).json()
        assert body["post"]["id"] == post_id
        seen += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        if pages == 1:  # published meanwhile: nothing repeats or goes missing on later pages
            ids.append(publish(post_id, "Julkaistu kesken sivutuksen?").id)
    # Newest first, the new answer sorts before the pages already read; oldest first, it comes last.
    assert seen == (ids if order == "oldest" else ids[-2::-1])
    assert pages == 3


def test_cursor_is_bound_to_its_order(reader, publish, post_id):
    for n in range(3):
        publish(post_id, f"Järjestetty kysymys {n}?")
    cursor = get(reader.handler, f"/v1/posts/{post_id}/questions", query={"limit": "1"}).json()["next_cursor"]
    response = get(reader.handler, f"/v1/posts/{post_id}/questions", query={"cursor": cursor, "order": "oldest"})
    assert response.status == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


def test_cursor_of_another_post_or_forged_is_400(reader, publish, post_id):
    for n in range(3):
        publish(post_id, f"Kysymys {n}?")
    cursor = get(reader.handler, f"/v1/posts/{post_id}/questions", query={"limit": "1"}).json()["next_cursor"]
    assert cursor
    other = f"other-{uuid.uuid4().hex[:6]}"
    forged = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for path, bad in (
        (f"/v1/posts/{other}/questions", cursor),
        (f"/v1/posts/{post_id}/questions", forged),
        (f"/v1/posts/{post_id}/questions", "not-a-cursor"),
    ):
        response = get(reader.handler, path, query={"cursor": bad})
        assert response.status == 400, response.body
        assert response.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("limit", ["0", "101", "abc"])
def test_bad_limit_is_422(reader, post_id, limit):
    response = get(reader.handler, f"/v1/posts/{post_id}/questions", query={"limit": limit})
    assert response.status == 422
    assert response.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("bad_id", ["a%23b", "x" * 200, "-leading", "%F0%9F%98%80"])
def test_bad_post_id_is_422(reader, bad_id):
    response = get(reader.handler, f"/v1/posts/{bad_id}/questions")
    assert response.status == 422, response.body
    assert response.json()["error"]["code"] == "invalid_post_id"


def test_html_fragment_escapes_text_and_keeps_safe_links(reader, publish, post_id):
    publish(post_id, "<script>alert(1)</script> toimiiko?", "Katso [ohje](https://example.com/a?b=1) <b>x</b>")
    response = get(reader.handler, f"/v1/posts/{post_id}/questions.html")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<script>" not in response.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt; toimiiko?" in response.body
    assert '<a href="https://example.com/a?b=1" rel="nofollow noopener ugc">ohje</a>' in response.body
    assert "&#60;b&#62;x&#60;/b&#62;" in response.body  # the answer's markup is text (render.py)


# ----------------------------------------------------------------------------------- submitting


def test_submit_is_pending_and_not_public(reader, store, post_id):
    response = post(
        reader.handler, f"/v1/posts/{post_id}/questions", {"question": "  Kuinka usein kannattaa postata?  "}
    )
    assert response.status == 202
    assert response.json()["status"] == "pending"
    [pending] = pending_of(store, post_id)
    assert pending.question == "Kuinka usein kannattaa postata?"
    assert get(reader.handler, f"/v1/posts/{post_id}/questions").json()["items"] == []


def test_text_is_nfc_and_control_characters_are_stripped(reader, store, post_id):
    decomposed = unicodedata.normalize("NFD", "Mitä äänestäjät\x00 ajattelevat\x07?")
    assert (
        post(reader.handler, f"/v1/posts/{post_id}/questions", {"question": decomposed, "name": "Ä\u0308li\x1b"}).status
        == 202
    )
    [pending] = pending_of(store, post_id)
    assert pending.question == "Mitä äänestäjät ajattelevat?"
    assert unicodedata.is_normalized("NFC", pending.question)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"question": " a  "}, 422, "question_too_short"),
        ({"question": "x" * 2001}, 422, "question_too_long"),
        ({"question": "Kelpo kysymys?", "name": "n" * 81}, 422, "name_too_long"),
        ({"question": "Kelpo kysymys?", "email": "not-an-email"}, 422, "invalid_email"),
        ({"name": "Ei kysymystä"}, 422, "invalid_input"),
        ({"question": 42}, 422, "invalid_input"),
        ([1, 2, 3], 422, "invalid_input"),
    ],
)
def test_invalid_submissions_get_clear_4xx(reader, store, post_id, body, status, code):
    response = post(reader.handler, f"/v1/posts/{post_id}/questions", body)
    assert response.status == status, response.body
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert pending_of(store, post_id) == []


def test_malformed_json_is_400(reader, post_id):
    response = invoke(
        reader.handler,
        http_event(
            "POST",
            f"/v1/posts/{post_id}/questions",
            raw_body=b'{"question": "x',
            headers={"content-type": "application/json"},
        ),
    )
    assert response.status == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_body_over_16_kb_is_413(reader, store, post_id):
    raw = json.dumps({"question": "x" * 17_000}).encode()
    response = invoke(
        reader.handler,
        http_event(
            "POST", f"/v1/posts/{post_id}/questions", raw_body=raw, headers={"content-type": "application/json"}
        ),
    )
    assert response.status == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert pending_of(store, post_id) == []


def test_honeypot_gets_202_and_stores_nothing(reader, store, post_id):
    response = post(
        reader.handler, f"/v1/posts/{post_id}/questions", {"question": "Buy cheap pills?", "website": "http://spam"}
    )
    assert response.status == 202
    assert store.records_of_post(post_id) == []


def test_idempotent_retries_create_one_record(reader, store, post_id):
    key = str(uuid.uuid4())
    body = {"question": "Toistuuko tämä kysymys?", "email": "lukija@example.com"}
    ids = {
        post(reader.handler, f"/v1/posts/{post_id}/questions", body, headers={"Idempotency-Key": key}).json()["id"]
        for _ in range(5)
    }
    assert len(ids) == 1
    assert len(pending_of(store, post_id)) == 1

    reused = post(
        reader.handler, f"/v1/posts/{post_id}/questions", {"question": "Eri kysymys?"}, headers={"Idempotency-Key": key}
    )
    assert reused.status == 409  # a valid request that conflicts with what the key already stands for
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
    assert len(pending_of(store, post_id)) == 1


def test_closed_post_refuses_with_403(reader, editor, editor_token, post_id, store):
    auth = {"Authorization": f"Bearer {editor_token}"}
    created = invoke(
        editor.handler, http_event("POST", "/v1/admin/posts", body={"id": post_id, "open": False}, headers=auth)
    )
    assert created.status == 201, created.body
    response = post(reader.handler, f"/v1/posts/{post_id}/questions", {"question": "Vieläkö ehtii kysyä?"})
    assert response.status == 403
    assert response.json()["error"]["code"] == "post_closed"
    assert store.records_of_post(post_id) == []


def test_unknown_post_refused_when_auto_create_is_off(make_reader, post_id):
    handler = make_reader(auto_create_posts=False)
    assert post(handler, f"/v1/posts/{post_id}/questions", {"question": "Onko tätä olemassa?"}).status == 404
    assert get(handler, f"/v1/posts/{post_id}/questions").status == 404


def test_foreign_origin_refused_when_origins_configured(make_reader, store, post_id):
    handler = make_reader(allowed_origins="https://blog.example.com")
    path = f"/v1/posts/{post_id}/questions"
    bad = post(handler, path, {"question": "Saako kysyä?"}, headers={"Origin": "https://evil.example"})
    assert bad.status == 403
    assert bad.json()["error"]["code"] == "origin_not_allowed"
    good = post(handler, path, {"question": "Saako kysyä?"}, headers={"Origin": "https://blog.example.com"})
    assert good.status == 202
    assert len(pending_of(store, post_id)) == 1


def test_rate_limit_per_client_and_post_gives_429_with_retry_after(make_reader, store, post_id):
    # Fixed windows: a long one, so that the three posts below never straddle a window boundary.
    handler = make_reader(rate_limit_max=2, rate_limit_window_seconds=3600)
    path = f"/v1/posts/{post_id}/questions"
    statuses = [post(handler, path, {"question": f"Kysymys {n}?"}, source_ip="198.51.100.7").status for n in range(3)]
    assert statuses == [202, 202, 429]
    limited = post(handler, path, {"question": "Vielä yksi?"}, source_ip="198.51.100.7")
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 3600
    assert post(handler, path, {"question": "Toiselta lukijalta?"}, source_ip="198.51.100.8").status == 202
    assert where_is(store, "198.51.100.7") == {}  # not in the table or any index


def test_email_never_in_logs(reader, post_id):
    email = "piilossa.oleva@example.com"
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(reader.logger.registered_formatter)
    reader.logger.addHandler(handler)
    reader.logger.setLevel("DEBUG")
    try:
        response = post(
            reader.handler, f"/v1/posts/{post_id}/questions", {"question": "Näkyykö osoite?", "email": email}
        )
        reader.logger.info("an address that slipped in: %s", email, extra={"contact": email})
    finally:
        reader.logger.setLevel("WARNING")
        reader.logger.removeHandler(handler)
    assert response.status == 202
    logged = sink.getvalue()
    assert "question submitted" in logged
    assert "p***@example.com" in logged
    assert email not in logged


# ---------------------------------------------------------------------------------- failure modes


def test_unreachable_table_is_503_with_retry_after(make_reader, post_id):
    handler = make_reader(dynamodb_endpoint="http://127.0.0.1:9")
    for response in (
        get(handler, f"/v1/posts/{post_id}/questions"),
        post(handler, f"/v1/posts/{post_id}/questions", {"question": "Onko ketään kotona?"}),
    ):
        assert response.status == 503, response.body
        assert response.json()["error"]["code"] == "unavailable"
        assert int(response.headers["retry-after"]) >= 1


def test_missing_table_is_503(make_reader, post_id):
    handler = make_reader(table_name="no-such-table")
    response = get(handler, f"/v1/posts/{post_id}/questions")
    assert response.status == 503
    assert "retry-after" in response.headers


def test_throttling_is_503_with_retry_after(reader, post_id):
    from botocore.stub import Stubber

    with Stubber(reader.store.client) as stub:
        stub.add_client_error(
            "query", service_error_code="ProvisionedThroughputExceededException", http_status_code=400
        )
        response = get(reader.handler, f"/v1/posts/{post_id}/questions")
    assert response.status == 503
    assert response.headers["retry-after"] == "2"


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/nope", 404), ("DELETE", "/v1/posts/x/questions", 405)]
)
def test_unknown_routes_get_json_errors(reader, method, path, status):
    response = invoke(reader.handler, http_event(method, path))
    assert response.status == status
    assert response.json()["error"]["message"]


# ------------------------------------------------------------------------------------------ search


def test_search_finds_published_only(reader, publish, post_id, search_indexer):
    publish(post_id, "Miten vaikuttajamarkkinointi toimii B2B-puolella?", "Pitkäjänteisesti.")
    post(reader.handler, f"/v1/posts/{post_id}/questions", {"question": "Vaikuttajamarkkinointi odottaa vastausta?"})
    search_indexer()
    body = get(reader.handler, "/v1/search", query={"q": "vaikuttajamarkkinointi", "post_id": post_id}).json()
    assert [i["question"] for i in body["items"]] == ["Miten vaikuttajamarkkinointi toimii B2B-puolella?"]
    item = body["items"][0]
    assert item["post_id"] == post_id
    assert item["score"] > 0
    assert item["post_title"] == ""  # a post nobody saved has no title or address


def test_search_hits_name_their_post_for_links_from_other_posts(reader, store, publish, post_id, search_indexer):
    from kysy.models import Post

    store.save_post(
        Post(id=post_id, title="Some ja B2B", url="https://blog.example.com/some-b2b/"), expected_version=None
    )
    publish(post_id, "Toimiiko TikTok-mainonta yritysasiakkaille?", "Joskus toimii.")
    search_indexer()
    body = get(reader.handler, "/v1/search", query={"q": "tiktok-mainonta yritysasiakkaille"}).json()
    item = next(i for i in body["items"] if i["post_id"] == post_id)
    assert item["post_title"] == "Some ja B2B"
    assert item["post_url"] == "https://blog.example.com/some-b2b/"


@pytest.mark.parametrize(("query", "status"), [({"q": ""}, 422), ({"q": "x" * 10_000}, 422), ({}, 422)])
def test_search_bad_queries_are_4xx(reader, query, status):
    response = get(reader.handler, "/v1/search", query=query)
    assert response.status == status
    assert response.json()["error"]["code"] in {"invalid_input", "query_required", "query_too_long"}


def test_search_punctuation_only_is_empty(reader, post_id):
    response = get(reader.handler, "/v1/search", query={"q": "?!?.,;", "post_id": post_id})
    assert response.status == 200
    assert response.json()["items"] == []
