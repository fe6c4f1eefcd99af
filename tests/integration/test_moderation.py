"""Flood tools for editors: spam flags (the questions stay in the queue), filters by flag and client
hash, bulk reject by client, post or ids with an undo window, the rejected list and restore."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kysy.models import Status
from kysy.service.moderation import ModerationService, Selection
from kysy.service.questions import Editor
from kysy.settings import Settings
from tests.integration.checks import assert_counts_match
from tests.lambda_events import http_event, invoke


def ask(reader: Any, post_id: str, question: str, ip: str = "198.51.100.60", **extra: Any) -> str:
    response = invoke(
        reader.handler,
        http_event("POST", f"/v1/posts/{post_id}/questions", body={"question": question, **extra}, source_ip=ip),
    )
    assert response.status == 202, response.body
    return str(response.json()["id"])


def call(editor: Any, token: str, method: str, path: str, body: Any = None, query: dict[str, str] | None = None) -> Any:
    return invoke(
        editor.handler,
        http_event(method, path, body=body, query=query, headers={"Authorization": f"Bearer {token}"}),
    )


def queue(editor: Any, token: str, **query: str) -> dict[str, Any]:
    response = call(editor, token, "GET", "/v1/admin/queue", query={"limit": "100", **query})
    assert response.status == 200, response.body
    body: dict[str, Any] = response.json()
    return body


def test_spam_is_flagged_and_stays_in_the_queue(reader, editor, editor_token, post_id):
    spam = ask(reader, post_id, "BEST CASINO BONUS!!! VISIT http://spam.example AND http://more.example")
    fine = ask(reader, post_id, "Miten mittaatte somen vaikutusta myyntiin?")
    items = {i["id"]: i for i in queue(editor, editor_token, post_id=post_id)["items"]}
    assert set(items) == {spam, fine}  # nothing dropped
    assert {"links", "spam_phrase", "caps"} <= set(items[spam]["flags"])
    assert items[fine]["flags"] == []
    flagged = queue(editor, editor_token, post_id=post_id, flag="*")
    assert [i["id"] for i in flagged["items"]] == [spam]
    assert [i["id"] for i in queue(editor, editor_token, post_id=post_id, flag="links")["items"]] == [spam]
    assert flagged["flagged"][post_id] == 1


def test_queue_filters_by_client_hash_which_only_editors_see(reader, editor, editor_token, post_id):
    first = ask(reader, post_id, "Ensimmäinen lukija kysyy?", ip="198.51.100.61")
    second = ask(reader, post_id, "Toinen lukija kysyy?", ip="198.51.100.62")
    items = {i["id"]: i for i in queue(editor, editor_token, post_id=post_id)["items"]}
    client = items[first]["client"]
    assert len(client) == 32
    assert client != items[second]["client"]
    assert "198.51.100.61" not in str(items)
    assert [i["id"] for i in queue(editor, editor_token, client=client)["items"]] == [first]
    public = invoke(reader.handler, http_event("GET", f"/v1/posts/{post_id}/questions")).json()
    assert "client" not in str(public)
    bad = call(editor, editor_token, "GET", "/v1/admin/queue", query={"client": "not-a-hash"})
    assert (bad.status, bad.json()["error"]["code"]) == (422, "invalid_client")


def test_bulk_reject_a_clients_flood_then_undo(reader, editor, editor_token, store, post_id):
    flood = [
        ask(reader, post_id, f"Roskaa numero {n}?", ip="198.51.100.70", email=f"x{n}@example.com", notify=True)
        for n in range(4)
    ]
    keeper = ask(reader, post_id, "Aito kysymys?", ip="198.51.100.71")
    client = next(i["client"] for i in queue(editor, editor_token, post_id=post_id)["items"] if i["id"] == flood[0])

    result = call(editor, editor_token, "POST", "/v1/admin/bulk/reject", {"client": client, "reason": "tulva"})
    assert result.status == 200, result.body
    body = result.json()
    assert sorted(body["rejected"]) == sorted(flood)
    assert (body["skipped"], body["more"]) == ([], False)
    assert body["batch_id"]
    assert body["undo_until"]
    assert [i["id"] for i in queue(editor, editor_token, post_id=post_id)["items"]] == [keeper]
    rejected = call(editor, editor_token, "GET", "/v1/admin/rejected", query={"post_id": post_id}).json()
    assert sorted(i["id"] for i in rejected["items"]) == sorted(flood)
    assert all(store.asker_email(qa_id) is None for qa_id in flood)  # rejected: never emailed
    assert assert_counts_match(store, post_id).rejected == 4

    # Someone restores one by hand before the undo: the undo leaves it alone.
    call(editor, editor_token, "POST", f"/v1/admin/posts/{post_id}/questions/{flood[0]}/restore", {"version": 2})
    undo = call(editor, editor_token, "POST", f"/v1/admin/bulk/{body['batch_id']}/undo")
    assert undo.status == 200, undo.body
    assert sorted(undo.json()["restored"]) == sorted(flood[1:])
    assert undo.json()["skipped"] == [flood[0]]
    assert len(queue(editor, editor_token, post_id=post_id)["items"]) == 5
    assert assert_counts_match(store, post_id).pending == 5
    again = call(editor, editor_token, "POST", f"/v1/admin/bulk/{body['batch_id']}/undo")
    assert (again.status, again.json()["error"]["code"]) == (409, "already_undone")


def test_bulk_reject_by_post_and_by_ids(reader, editor, editor_token, store, publish):
    post_a, post_b = (f"bulk-{uuid.uuid4().hex[:8]}" for _ in range(2))
    in_a = [ask(reader, post_a, f"Kysymys A{n}?") for n in range(3)]
    in_b = [ask(reader, post_b, f"Kysymys B{n}?") for n in range(2)]
    done = publish(post_b, "Jo julkaistu?", "Kyllä.")

    by_post = call(editor, editor_token, "POST", "/v1/admin/bulk/reject", {"post_id": post_a}).json()
    assert sorted(by_post["rejected"]) == sorted(in_a)
    refs = [{"post_id": post_b, "id": i} for i in [*in_b, done.id]]
    by_ids = call(editor, editor_token, "POST", "/v1/admin/bulk/reject", {"ids": refs}).json()
    assert sorted(by_ids["rejected"]) == sorted(in_b)
    assert by_ids["skipped"] == [done.id]  # only pending questions are bulk-rejected
    assert store.get_qa(post_b, done.id).status is Status.PUBLISHED
    for post in (post_a, post_b):
        assert_counts_match(store, post)


@pytest.mark.parametrize(
    "body",
    [{}, {"post_id": "a", "client": "0" * 32}, {"ids": []}, {"client": "short"}, {"post_id": "a#b"}],
    ids=["nothing", "two", "empty-ids", "bad-client", "bad-post"],
)
def test_bulk_reject_needs_exactly_one_valid_selection(editor, editor_token, body):
    response = call(editor, editor_token, "POST", "/v1/admin/bulk/reject", body)
    assert response.status == 422, response.body


def test_undo_window_closes(env, store, reader, post_id):
    """Service level with a controlled clock (no waiting): past the window the batch is gone."""
    settings = Settings(bulk_undo_seconds=60)
    now = [1_000_000_000.0]
    service = ModerationService(store, settings, clock=lambda: now[0])
    ask(reader, post_id, "Vanheneeko kumoaminen?")
    editor = Editor(id="e", email="editor@example.com")
    result = service.bulk_reject(Selection(post_id=post_id), reason="", editor=editor)
    assert len(result["rejected"]) == 1
    # The batch's ttl is far in the past in real time (the clock above): DynamoDB may not have
    # deleted it yet (moto never does), and the service must treat it as gone.
    now[0] += 61
    from kysy.errors import NotFound

    with pytest.raises(NotFound):
        service.undo(result["batch_id"], editor=editor)


def test_a_restored_question_is_pending_again(reader, editor, editor_token, store, post_id):
    qa_id = ask(reader, post_id, "Palautetaanko?")
    base = f"/v1/admin/posts/{post_id}/questions/{qa_id}"
    call(editor, editor_token, "POST", f"{base}/reject", {"version": 1, "reason": "vahinko"})
    restored = call(editor, editor_token, "POST", f"{base}/restore", {"version": 2})
    assert restored.status == 200, restored.body
    assert (restored.json()["status"], restored.json()["reject_reason"]) == ("pending", "")
    not_rejected = call(editor, editor_token, "POST", f"{base}/restore", {"version": 3})
    assert (not_rejected.status, not_rejected.json()["error"]["code"]) == (409, "not_rejected")
    assert_counts_match(store, post_id)
