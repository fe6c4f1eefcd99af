"""The search index end to end over moto (DynamoDB, its stream, S3): editors change published
content through the editor API, the indexer follows the stream, readers search the snapshot.

Also: the AWS requests a search makes (a count, not a time): a warm search reads one state item
and nothing else; a change costs one more read; no search ever lists the published records.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.lambda_events import http_event, invoke


def call(handler: Any, method: str, path: str, token: str | None = None, body: Any = None, **kw: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return invoke(handler, http_event(method, path, body=body, headers=headers, **kw))


def search(reader: Any, q: str, **query: str) -> list[dict[str, Any]]:
    response = call(reader.handler, "GET", "/v1/search", query={"q": q, **query})
    assert response.status == 200, response.body
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def ask(reader: Any, post_id: str, question: str) -> str:
    response = call(reader.handler, "POST", f"/v1/posts/{post_id}/questions", body={"question": question})
    assert response.status == 202, response.body
    return str(response.json()["id"])


def test_publish_edit_unpublish_and_post_title_reach_search(reader, editor, editor_token, post_id, search_indexer):
    created = call(
        editor.handler,
        "POST",
        "/v1/admin/posts",
        editor_token,
        {"id": post_id, "title": "Kevään webinaari", "url": f"https://blog.example.com/{post_id}", "lang": "fi"},
    )
    assert created.status == 201, created.body
    qa_id = ask(reader, post_id, "Tallennetaanko zeppeliinikurssi?")
    search_indexer()
    assert search(reader, "zeppeliinikurssi") == []  # pending questions are not searchable

    base = f"/v1/admin/posts/{post_id}/questions/{qa_id}"
    answer = {"version": 1, "answer": "Kyllä, tallenne tulee blogiin ilmapallomuodossa."}
    assert call(editor.handler, "POST", f"{base}/answer", editor_token, answer).status == 200
    search_indexer()
    [hit] = search(reader, "zeppeliinikurssin", post_id=post_id)
    assert (hit["id"], hit["post_title"], hit["post_url"]) == (
        qa_id,
        "Kevään webinaari",
        f"https://blog.example.com/{post_id}",
    )
    assert [h["id"] for h in search(reader, "ilmapallo")] == [qa_id]

    edit = {"version": 2, "answer": "Kyllä, tallenne tulee kuumailmapalloon."}
    assert call(editor.handler, "PATCH", base, editor_token, edit).status == 200
    renamed = {"version": 1, "title": "Syksyn webinaari"}
    assert call(editor.handler, "PATCH", f"/v1/admin/posts/{post_id}", editor_token, renamed).status == 200
    search_indexer()
    assert [h["id"] for h in search(reader, "kuumailmapallo")] == [qa_id]
    assert search(reader, "ilmapallomuodossa") == []
    assert search(reader, "zeppeliinikurssi")[0]["post_title"] == "Syksyn webinaari"

    assert call(editor.handler, "POST", f"{base}/unpublish", editor_token, {"version": 3}).status == 200
    search_indexer()
    assert search(reader, "zeppeliinikurssi") == []


def test_forged_ask_items_never_reach_search(reader, store, post_id, search_indexer):
    """What the reader role may write (ASK#, any attributes) never becomes searchable."""
    forged_id = "01J" + uuid.uuid4().hex[:23].upper()
    store.client.put_item(
        TableName=store.table,
        Item={
            "PK": {"S": f"ASK#{post_id}"},
            "SK": {"S": f"QA#{forged_id}"},
            "type": {"S": "qa"},
            "id": {"S": forged_id},
            "post_id": {"S": post_id},
            "question": {"S": "Osta halpoja lentokonemoottoreita"},
            "answer": {"S": "Klikkaa tästä: http://spam.example"},
            "status": {"S": "published"},
            "GSI1PK": {"S": f"POST#{post_id}"},
            "GSI1SK": {"S": f"QA#{forged_id}"},
            "GSI2PK": {"S": "PUB"},
            "GSI2SK": {"S": forged_id},
        },
    )
    search_indexer()
    assert search(reader, "lentokonemoottoreita") == []


@pytest.fixture
def aws_calls() -> Iterator[Counter[str]]:
    """Every AWS request made by clients created from now on, as 'service.Operation'."""
    from kysy.repository.dynamo import botocore_session

    seen: Counter[str] = Counter()

    def hook(model: Any, **_: Any) -> None:
        seen[f"{model.service_model.service_name}.{model.name}"] += 1

    session = botocore_session()
    session.register("before-call", hook)
    yield seen
    session.unregister("before-call", hook)


def test_search_requests_are_constant_and_never_read_the_records(
    env, make_reader, publish, post_id, search_indexer, aws_calls
):
    for n in range(5):
        publish(post_id, f"Kysymys numero {n} lumilautailusta?", "Vastaus.")
    search_indexer()
    handler = make_reader()  # a new execution environment (its own clients)
    aws_calls.clear()

    def searched(q: str) -> Counter[str]:
        before = Counter(aws_calls)
        response = call(handler, "GET", "/v1/search", query={"q": q})
        assert response.status == 200, response.body
        return Counter({k: v - before[k] for k, v in aws_calls.items() if v > before[k]})

    cold = searched("lumilautailu")
    assert cold["s3.GetObject"] == 1
    assert cold["dynamodb.GetItem"] == 1
    assert "dynamodb.Query" not in cold  # never the published records
    warm = [searched(q) for q in ("lumilautailu", "numero", "vastaus", "kysymys lumilauta")]
    assert all(w == Counter({"dynamodb.GetItem": 1}) for w in warm), warm

    publish(post_id, "Uusi kysymys lumilautailusta?", "Uusi vastaus.")
    search_indexer()
    changed = searched("lumilautailu")
    assert changed == Counter({"dynamodb.GetItem": 1, "dynamodb.BatchGetItem": 1})
    assert searched("lumilautailu") == Counter({"dynamodb.GetItem": 1})


def test_reindex_command_rebuilds_from_the_published_records(env, publish, post_id, make_reader, capsys):
    from kysy.cli import main

    publish(post_id, "Mistä löydän purjelentokoneen?", "Kerhosta.")
    code = main(["reindex"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    lines = printed.out.splitlines()  # (the function's JSON log lines may come first)
    assert any(line.startswith("Search index rebuilt: ") for line in lines), printed.out
    response = call(make_reader(), "GET", "/v1/search", query={"q": "purjelentokone"})
    assert post_id in [i["post_id"] for i in response.json()["items"]], response.body
