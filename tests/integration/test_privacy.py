"""Privacy by design: an address is stored only with consent, in its own item no index projects,
removed once it has served (or can no longer serve) its purpose, and erasable on request.

moto never expires TTL items; the tests that involve retention set a ``ttl`` in the past and check
that readers treat the item as gone, exactly as they must between expiry and DynamoDB's lazy delete.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from typing import Any

from kysy.repository.keys import email_key
from tests.integration.checks import assert_counts_match, where_is
from tests.lambda_events import http_event, invoke

RETENTION = 180 * 86_400


def address() -> str:
    return f"lukija.{uuid.uuid4().hex[:8]}@example.net"


def ask(handler: Any, post_id: str, question: str = "Saako kysyä?", **extra: Any) -> Any:
    response = invoke(
        handler, http_event("POST", f"/v1/posts/{post_id}/questions", body={"question": question, **extra})
    )
    assert response.status == 202, response.body
    return response.json()


def act(handler: Any, token: str, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    response = invoke(handler, http_event(method, path, body=body, headers={"Authorization": f"Bearer {token}"}))
    assert response.status == status, response.body
    return response.json()


def test_an_address_given_without_consent_is_stored_nowhere(reader, store, post_id):
    email = address()
    accepted = ask(reader.handler, post_id, "Kiitos, ei ilmoitusta?", email=email, notify=False, name="Anna")
    assert accepted["notify"] is False
    assert where_is(store, email) == {}  # table, GSI1, GSI2 and GSI3 scanned
    assert where_is(store, email.split("@")[0]) == {}
    record = store.get_qa(post_id, accepted["id"])
    assert (record.notify, record.has_email) == (False, False)


def test_an_address_sent_without_notify_is_not_consent(reader, store, post_id):
    """An API client that leaves ``notify`` out has not asked to be emailed: the address is not kept."""
    email = address()
    accepted = ask(reader.handler, post_id, "Saako osoitteen antaa?", email=email)
    assert accepted["notify"] is False
    assert where_is(store, email) == {}


def test_with_consent_the_address_lives_only_in_its_own_item_with_the_retention_ttl(reader, store, post_id):
    email = address()
    before = int(time.time())
    accepted = ask(reader.handler, post_id, "Ilmoitatteko?", email=email, notify=True)
    after = int(time.time())
    assert accepted["notify"] is True
    assert where_is(store, email) == {"table": [f"EMAIL#{accepted['id']}/EMAIL"]}  # no index, no record
    item = store.client.get_item(TableName=store.table, Key=email_key(accepted["id"]))["Item"]
    assert before + RETENTION <= int(item["ttl"]["N"]) <= after + RETENTION
    record = store.get_qa(post_id, accepted["id"])
    assert record.has_email
    assert record.email_expires == int(item["ttl"]["N"])
    lookups = where_is(store, f"QA#{post_id}#{accepted['id']}")
    assert [k.split("/")[0][:8] for k in lookups["table"]] == ["SUBJECT#"]


def test_without_a_sender_the_reader_stores_no_address_at_all(make_reader, store, post_id):
    reader = make_reader(sender_email="", mail_dir="")
    email = address()
    accepted = ask(reader, post_id, email=email, notify=True)
    assert accepted["notify"] is False  # nobody would ever send the email: the address is not kept
    assert where_is(store, email) == {}


def test_publishing_without_a_sender_deletes_the_address(reader, make_editor, editor_token, store, post_id):
    editor = make_editor(sender_email="", mail_dir="")
    email = address()
    qa_id = ask(reader.handler, post_id, email=email, notify=True)["id"]
    published = act(
        editor,
        editor_token,
        "POST",
        f"/v1/admin/posts/{post_id}/questions/{qa_id}/answer",
        {"version": 1, "answer": "Ok"},
    )
    assert (published["notify"], published["has_email"]) == (False, False)
    assert where_is(store, email) == {}


def test_with_a_sender_publishing_keeps_the_address_for_the_notifier(reader, editor, editor_token, store, post_id):
    email = address()
    qa_id = ask(reader.handler, post_id, email=email, notify=True)["id"]
    act(
        editor.handler,
        editor_token,
        "POST",
        f"/v1/admin/posts/{post_id}/questions/{qa_id}/answer",
        {"version": 1, "answer": "Ok"},
    )
    assert store.asker_email(qa_id) == email  # the notifier sends, then deletes it (test_notify_flow)
    assert where_is(store, email) == {"table": [f"EMAIL#{qa_id}/EMAIL"]}  # still in no index once published


def test_rejection_deletes_the_address_and_duplicate_without_sender_too(
    reader, editor, make_editor, editor_token, store, publish, post_id
):
    original = publish(post_id, "Alkuperäinen?", "Vastaus.")
    rejected_email, duplicate_email = address(), address()
    rejected = ask(reader.handler, post_id, email=rejected_email, notify=True)["id"]
    duplicate = ask(reader.handler, post_id, email=duplicate_email, notify=True)["id"]
    base = f"/v1/admin/posts/{post_id}/questions"
    act(editor.handler, editor_token, "POST", f"{base}/{rejected}/reject", {"version": 1, "reason": "ei"})
    act(
        make_editor(sender_email=""),
        editor_token,
        "POST",
        f"{base}/{duplicate}/duplicate",
        {"version": 1, "duplicate_of": original.id},
    )
    assert where_is(store, rejected_email) == {}
    assert where_is(store, duplicate_email) == {}


def test_an_address_past_its_retention_is_treated_as_gone(reader, store, post_id):
    """DynamoDB deletes expired items up to days later (moto never does): readers check the ttl."""
    qa_id = ask(reader.handler, post_id, email=address(), notify=True)["id"]
    past = str(int(time.time()) - 1)
    store.client.update_item(
        TableName=store.table,
        Key=email_key(qa_id),
        UpdateExpression="SET #t = :past",
        ExpressionAttributeNames={"#t": "ttl"},
        ExpressionAttributeValues={":past": {"N": past}},
    )
    assert store.asker_email(qa_id) is None


def test_forget_erases_everything_tied_to_one_address(reader, editor, editor_token, store, post_id):
    email, other = address(), address()
    pending = ask(reader.handler, post_id, "Odottava?", email=email, notify=True, name="Anna Asiakas")["id"]
    rejected = ask(reader.handler, post_id, "Hylätty?", email=email, notify=True, name="Anna Asiakas")["id"]
    published = ask(reader.handler, post_id, "Julkaistu?", email=email.upper(), notify=True, name="Anna Asiakas")["id"]
    kept = ask(reader.handler, post_id, "Toisen kysymys?", email=other, notify=True, name="Olli")["id"]
    base = f"/v1/admin/posts/{post_id}/questions"
    act(editor.handler, editor_token, "POST", f"{base}/{rejected}/reject", {"version": 1})
    act(editor.handler, editor_token, "POST", f"{base}/{published}/answer", {"version": 1, "answer": "Vastaus."})

    # The address's case does not matter (one asker, one subject); spaces are refused like any
    # malformed address (the contract: format email), `kysy forget` trims a pasted one.
    forget = "/v1/admin/privacy/forget"
    spaced = act(editor.handler, editor_token, "POST", forget, {"email": f"  {email} "}, status=422)
    assert spaced["error"]["code"] == "invalid_email"
    report = act(editor.handler, editor_token, "POST", "/v1/admin/privacy/forget", {"email": email})

    assert report["records_found"] == 3
    assert sorted(report["questions_deleted"]) == sorted([pending, rejected])
    assert report["published_anonymised"] == [{"post_id": post_id, "id": published}]
    assert report["email_items_deleted"] == 2  # the rejected question's address was deleted on rejection
    assert report["lookup_items_deleted"] == 3
    assert where_is(store, email) == {}
    assert where_is(store, "Anna Asiakas") == {}
    assert store.get_qa(post_id, pending) is None
    survivor = store.get_qa(post_id, published)
    assert (survivor.status, survivor.asker_name, survivor.audit[-1].action) == ("published", "", "forget")
    assert store.asker_email(kept) == other  # someone else's data is untouched
    assert store.get_qa(post_id, kept).asker_name == "Olli"
    assert_counts_match(store, post_id)
    again = act(editor.handler, editor_token, "POST", "/v1/admin/privacy/forget", {"email": email})
    assert again["records_found"] == 0


def test_kysy_forget_command(reader, store, post_id):
    email = address()
    qa_id = ask(reader.handler, post_id, "Komentorivi?", email=email, notify=True)["id"]
    result = subprocess.run(
        [sys.executable, "-m", "kysy.cli", "forget", f" {email} ", "--table", store.table],  # pasted, with spaces
        env={**os.environ},  # the same KYSY_SECRET and endpoint as the deployment under test
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "1 question(s) were linked to it" in result.stdout
    assert f"unpublished questions deleted: 1 ({qa_id})" in result.stdout
    assert email not in result.stdout
    assert where_is(store, email) == {}
    as_json = subprocess.run(
        [sys.executable, "-m", "kysy.cli", "forget", email, "--table", store.table, "--json"],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert json.loads(as_json.stdout)["records_found"] == 0
