"""Notifications end to end over HTTP: the APIs write, moto's DynamoDB stream carries the change, the
local stream poller invokes ``kysy.notify.handler.handler``, SES (moto) sends, SNS (moto) fans out."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import httpx
import pytest

from kysy.notify import handler as notify_handler
from kysy.notify.local import StreamPoller
from tests.lambda_events import http_event, invoke, invoked

SENDER = "kysy@example.com"
ASKER = "lukija.kysyja@example.net"
ACCOUNT = "123456789012"
REGION = "eu-north-1"


@pytest.fixture(scope="module")
def aws() -> Iterator[dict[str, Any]]:
    """SES, SNS and SQS on their own moto server (works whatever DynamoDB the tests use)."""
    from kysy.devserver import start_local_moto

    server = start_local_moto()
    endpoint = server.url
    ses = boto3.client("sesv2", endpoint_url=endpoint, region_name=REGION)
    ses.create_email_identity(EmailIdentity=SENDER)
    sns = boto3.client("sns", endpoint_url=endpoint, region_name=REGION)
    sqs = boto3.client("sqs", endpoint_url=endpoint, region_name=REGION)
    topic = sns.create_topic(Name=f"kysy-new-{uuid.uuid4().hex[:6]}")["TopicArn"]
    queue = sqs.create_queue(QueueName=f"editors-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    yield {"endpoint": endpoint, "topic": topic, "queue": queue, "sqs": sqs}
    server.stop()


def sent_emails() -> list[Any]:
    from moto.ses.models import ses_backends

    return list(ses_backends[ACCOUNT][REGION].sent_messages)


def digests(aws: dict[str, Any]) -> list[str]:
    got = aws["sqs"].receive_message(QueueUrl=aws["queue"], MaxNumberOfMessages=10, WaitTimeSeconds=1)
    messages = got.get("Messages", [])
    for m in messages:
        aws["sqs"].delete_message(QueueUrl=aws["queue"], ReceiptHandle=m["ReceiptHandle"])
    return [json.loads(m["Body"])["Message"] for m in messages]


@pytest.fixture
def notifier_env(env: dict[str, str], aws: dict[str, Any]) -> Iterator[dict[str, str]]:
    values = {
        "KYSY_SENDER_EMAIL": SENDER,
        "KYSY_NEW_QUESTION_TOPIC_ARN": aws["topic"],
        "KYSY_NOTIFY_ENDPOINT": aws["endpoint"],
        "KYSY_PUBLIC_BASE_URL": "https://kysy.example.com",
    }
    from kysy.settings import get_settings

    with mock.patch.dict(os.environ, values):
        get_settings.cache_clear()
        notify_handler.reset()
        yield values
    get_settings.cache_clear()
    notify_handler.reset()


@pytest.fixture
def poller(store: Any, notifier_env: dict[str, str], notifier_handler: Any, tmp_path: Path) -> StreamPoller:
    """The local stand-in for the event source mapping, reading from now on; sleeps are recorded."""
    delays: list[float] = []
    streams = boto3.client("dynamodbstreams", endpoint_url=env_endpoint(), region_name=REGION)
    p = StreamPoller(
        dynamodb=store.client,
        streams=streams,
        table_name=store.table,
        handler=invoked(notifier_handler),  # as Lambda runs it: its AWS calls are checked against its policy
        dead_letter_dir=tmp_path / "dead-letter",
        sleep=delays.append,
    )
    p.delays = delays  # type: ignore[attr-defined]
    return p


def env_endpoint() -> str:
    return os.environ["KYSY_DYNAMODB_ENDPOINT"]


def api(handler: Any, method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return invoke(handler, http_event(method, path, body=body, headers=headers))


def ask(reader: Any, post_id: str, question: str, **extra: Any) -> str:
    response = api(reader, "POST", f"/v1/posts/{post_id}/questions", body={"question": question, **extra})
    assert response.status == 202, response.body
    return str(response.json()["id"])


def test_reader_to_editor_to_asker_email_through_the_stream(
    reader, editor, editor_token, store, poller, aws, post_id, capsys
):
    digests(aws)  # drain anything earlier tests left
    before = len(sent_emails())
    with_email = ask(reader.handler, post_id, "Saako videon upottaa blogiin?", name="Lukija", email=ASKER, notify=True)
    ask(reader.handler, post_id, "Entä podcastit?")
    ask(reader.handler, post_id, "Ei ilmoitusta, kiitos.", email="toinen@example.net", notify=False)

    assert poller.poll_once() >= 3
    [digest] = digests(aws)
    assert digest.startswith("3 new questions waiting for an answer:")
    assert f"[{post_id}] Saako videon upottaa blogiin?" in digest
    assert "https://kysy.example.com/editor/" in digest
    assert ASKER not in digest

    base = f"/v1/admin/posts/{post_id}/questions/{with_email}"
    answered = api(editor.handler, "POST", f"{base}/answer", editor_token, {"version": 1, "answer": "Saa."})
    assert answered.status == 200, answered.body
    poller.poll_once()

    new = sent_emails()[before:]
    assert len(new) == 1
    assert ASKER in new[0].destinations[0]
    assert new[0].source == SENDER
    assert f"https://kysy.example.com/demo#kysy-{with_email}" in new[0].raw_data
    assert digests(aws) == []  # publishing is not a new question

    record = api(editor.handler, "GET", base, editor_token).json()
    assert (record["has_email"], record["notify"]) == (False, False)
    assert store.asker_email(with_email) is None
    assert record["version"] == 3  # 2 after publishing, bumped by the notifier
    assert [a["action"] for a in record["audit"]] == ["publish", "notified"]
    stale = api(editor.handler, "PATCH", base, editor_token, {"version": 2, "answer": "Saa toki."})
    assert stale.status == 409  # a save from before the email cannot restore the address

    # Later stream traffic for the same record (an edit) sends nothing more.
    api(editor.handler, "PATCH", base, editor_token, {"version": 3, "answer": "Saa toki."})
    poller.poll_once()
    assert len(sent_emails()) == before + 1
    assert ASKER not in json.dumps(api(reader.handler, "GET", f"/v1/posts/{post_id}/questions").json())
    assert ASKER not in capsys.readouterr().out


def test_duplicate_and_rejection_through_the_stream(reader, editor, editor_token, store, poller, post_id):
    before = len(sent_emails())
    original = ask(reader.handler, post_id, "Alkuperäinen kysymys?")
    dup = ask(reader.handler, post_id, "Sama kysymys uudestaan?", email=ASKER, notify=True)
    rejected = ask(reader.handler, post_id, "Roskaa?", email="roska@example.net", notify=True)
    base = f"/v1/admin/posts/{post_id}/questions"
    api(editor.handler, "POST", f"{base}/{original}/answer", editor_token, {"version": 1, "answer": "Vastaus."})
    marked = api(
        editor.handler, "POST", f"{base}/{dup}/duplicate", editor_token, {"version": 1, "duplicate_of": original}
    )
    assert marked.status == 200, marked.body
    assert api(editor.handler, "POST", f"{base}/{rejected}/reject", editor_token, {"version": 1}).status == 200
    poller.poll_once()

    [email] = sent_emails()[before:]
    assert f"#kysy-{original}" in email.raw_data
    assert store.asker_email(dup) is None
    assert store.asker_email(rejected) is None  # deleted on rejection, nothing sent


def test_ses_failure_is_retried_then_dead_lettered_while_the_api_answered_normally(
    reader, editor, editor_token, store, poller, notifier_env, post_id
):
    from kysy.settings import get_settings

    with mock.patch.dict(os.environ, {"KYSY_SENDER_EMAIL": "not-verified@example.com"}):
        get_settings.cache_clear()
        notify_handler.reset()
        qa_id = ask(reader.handler, post_id, "Tuleeko tästä sähköposti?", email=ASKER, notify=True)  # 202
        published = api(
            editor.handler,
            "POST",
            f"/v1/admin/posts/{post_id}/questions/{qa_id}/answer",
            editor_token,
            {"version": 1, "answer": "Ei tule: lähettäjää ei ole vahvistettu."},
        )
        assert published.status == 200  # the request never waits for, or fails with, the email
        poller.poll_once()

    assert poller.delays == [0.5, 1.0, 2.0]  # type: ignore[attr-defined]  # 3 retries with back-off
    [dead] = list(poller.dead_letter_dir.glob("*.json"))
    text = dead.read_text()
    document = json.loads(text)
    assert document["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert document["DDBStreamBatchInfo"]["streamArn"] == poller.stream_arn
    assert [r["keys"]["SK"]["S"] for r in document["failedRecords"]] == [f"QA#{qa_id}"]
    assert ASKER not in text
    assert store.asker_email(qa_id) == ASKER  # kept: nothing was sent


def test_kysy_dev_writes_emails_to_its_outbox(kysy_server):
    post_id = f"outbox-{uuid.uuid4().hex[:8]}"
    qa_id = kysy_server.submit(post_id, "Tuleeko vastaus postiin?", email=ASKER, notify=True, name="Lukija")["id"]
    answered = httpx.post(
        f"{kysy_server.base_url}/v1/admin/posts/{post_id}/questions/{qa_id}/answer",
        json={"version": 1, "answer": "Tulee."},
        headers={"Authorization": f"Bearer {kysy_server.editor_token}"},
        timeout=10,
    )
    assert answered.status_code == 200, answered.text
    outbox = kysy_server.state_dir / "outbox"
    deadline = time.monotonic() + 15
    mails: list[str] = []
    while time.monotonic() < deadline:
        mails = [p.read_text() for p in outbox.glob("*.eml") if not p.name.startswith("digest-")]
        if any(qa_id in m for m in mails):
            break
        time.sleep(0.2)
    [mail] = [m for m in mails if qa_id in m]
    assert f"To: {ASKER}" in mail
    assert any(p.name.startswith("digest-") for p in outbox.glob("*.eml"))
    assert "Outbox" in (kysy_server.state_dir / "server.log").read_text()
