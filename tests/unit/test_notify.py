"""Notifier: hand-built DynamoDB stream events (the real Lambda event shape) -> asker emails and digests.

Records live in the session's moto table (the notifier re-reads them before sending); SES is either
a recording mailer or a real sesv2 client under botocore's Stubber; SNS is a recording client and
the webhook a real local HTTP server.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import threading
import time
from dataclasses import replace
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from kysy.errors import VersionConflict
from kysy.ids import new_id
from kysy.models import QA, AuditEntry, Post, Status
from kysy.notify.channels import DeliveryFailed, SesMailer, SnsDigest, WebhookDigest, valid_webhook_url
from kysy.notify.events import AskerEvent, asker_event, is_new_question, parse_change
from kysy.notify.messages import digest_text, excerpt
from kysy.notify.notifier import Notifier, build_notifier
from kysy.repository.keys import email_key, qa_key, qa_to_item
from kysy.repository.submit import Consent, SubmitLimits
from kysy.settings import Settings

EMAIL = "asker.person@example.org"
STREAM_ARN = "arn:aws:dynamodb:eu-north-1:123456789012:table/kysy/stream/2026-01-01T00:00:00.000"
_seq = itertools.count(100_000_000_000_000_000_000)


# ------------------------------------------------------------------------------ event builders
def stream_record(event_name: str, *, new: QA | None = None, old: QA | None = None) -> dict[str, Any]:
    """One ``Records[i]`` exactly as Lambda delivers a DynamoDB stream record (NEW_AND_OLD_IMAGES)."""
    some = new or old
    assert some is not None
    ddb: dict[str, Any] = {
        "ApproximateCreationDateTime": 1767225600,
        "Keys": qa_key(some),
        "SequenceNumber": str(next(_seq)),
        "SizeBytes": 512,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if new is not None:
        ddb["NewImage"] = qa_to_item(new)
    if old is not None:
        ddb["OldImage"] = qa_to_item(old)
    return {
        "eventID": f"{next(_seq):x}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-north-1",
        "dynamodb": ddb,
        "eventSourceARN": STREAM_ARN,
    }


def stream_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}


def seq(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


# --------------------------------------------------------------------------------- test doubles
class RecordingMailer:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


class FailingMailer:
    def __init__(self) -> None:
        self.calls = 0

    def send(self, message: EmailMessage) -> None:
        self.calls += 1
        raise DeliveryFailed("SES did not accept the email (Throttling)")


class RecordingSns:
    def __init__(self, fail: bool = False) -> None:
        self.published: list[dict[str, Any]] = []
        self.fail = fail

    def publish(self, **kwargs: Any) -> dict[str, Any]:
        if self.fail:
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "InternalError", "Message": "boom"}}, "Publish")
        self.published.append(kwargs)
        return {"MessageId": "1"}


@pytest.fixture
def webhook() -> Any:
    """A local incoming-webhook endpoint that records every POST body."""
    bodies: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", bodies
    server.shutdown()


@pytest.fixture
def logs() -> Any:
    """What Kysy's logger (after its masking filter) and Powertools' batch utility log, at DEBUG.

    (botocore's own DEBUG wire logs are left out: they print request bodies and are never on.)
    """
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("kysy", "aws_lambda_powertools")]
    saved = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield buffer
    for lg, level in zip(loggers, saved, strict=True):
        lg.removeHandler(handler)
        lg.setLevel(level)


# ------------------------------------------------------------------------------------- records
_ADDRESSES: dict[str, str] = {}  # qa id -> the address its asker gave (stored only with consent)
_NO_LIMITS = SubmitLimits(
    client="0" * 32, per_post=10**6, window_seconds=60, per_day=10**6, new_posts_per_client=10**6, new_posts_total=10**6
)


def pending(post_id: str, *, email: str = EMAIL, notify: bool = True, question: str = "Miten tämä toimii?") -> QA:
    """A reader's question; ``notify`` is the consent (an address is stored only with consent)."""
    qa = QA(post_id=post_id, id=new_id(), question=question, asker_name="Anna", notify=notify)
    _ADDRESSES[qa.id] = email
    return qa


def create(store: Any, qa: QA) -> QA:
    """Write a pending question as the reader API does: with its address item when consented."""
    email = _ADDRESSES.get(qa.id, "")
    consent = Consent(email=email, subject=f"test-{qa.id}", expires=int(time.time()) + 3600) if email else None
    if not qa.notify:
        consent = None
    store.submit_question(qa, limits=_NO_LIMITS, post_exists=True, consent=consent, now=time.time())
    return qa


def published_from(qa: QA, answer: str = "Näin se toimii.") -> QA:
    return replace(
        qa,
        status=Status.PUBLISHED,
        answer=answer,
        answered_at="2026-01-02T00:00:00Z",
        answered_by="editor@example.com",
        version=qa.version + 1,
        audit=(*qa.audit, AuditEntry(at="2026-01-02T00:00:00Z", by="editor@example.com", action="publish")),
    )


def publish_in_store(store: Any, qa: QA) -> tuple[QA, list[dict[str, Any]]]:
    """Write the record as the editor API would and return the stream records that change makes."""
    create(store, qa)
    done = published_from(qa)
    store.save_qa(qa, done)
    return done, [stream_record("REMOVE", old=qa), stream_record("INSERT", new=done)]


@pytest.fixture
def post(store: Any, post_id: str) -> Post:
    value = Post(id=post_id, title="Videot\nblogissa", url="https://blog.example.com/videot", lang="fi")
    store.save_post(value, expected_version=None)
    return value


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def notifier(store: Any, mailer: RecordingMailer) -> Notifier:
    return Notifier(
        store=store, mailer=mailer, digest_channels=[], public_base_url="http://kysy.test", sender="kysy@example.com"
    )


# ======================================================================================== askers
def test_answered_question_with_consent_gets_exactly_one_email_and_the_address_is_deleted(
    store, notifier, mailer, post, logs
):
    qa, records = publish_in_store(store, pending(post.id))

    assert notifier.handle(stream_event(*records)) == {"batchItemFailures": []}

    [message] = mailer.sent
    assert message["To"] == EMAIL
    assert message["From"] == "kysy@example.com"
    assert message["Subject"] == "Kysymykseesi on vastattu: Videot blogissa"  # no header injection via title
    body = message.get_content()
    assert f"https://blog.example.com/videot#kysy-{qa.id}" in body
    assert "Hei Anna" in body
    after = store.get_qa(post.id, qa.id)
    assert store.asker_email(qa.id) is None
    assert "Item" not in store.client.get_item(TableName=store.table, Key=email_key(qa.id), ConsistentRead=True)
    assert after.notify is False
    assert after.version == qa.version + 1  # bumped: a stale editor save cannot write the address back
    assert after.audit[-1].action == "notified"
    assert after.audit[-1].note == "answered"
    assert after.audit[-1].by == "kysy-notifier"
    raw = store.client.get_item(TableName=store.table, Key=qa_key(after), ConsistentRead=True)["Item"]
    assert EMAIL not in json.dumps(raw)
    assert raw["notified_at"]["S"]

    # The same records again (a Lambda retry after a later failure): nothing more is sent.
    assert notifier.handle(stream_event(*records)) == {"batchItemFailures": []}
    assert len(mailer.sent) == 1
    assert EMAIL not in logs.getvalue()


@pytest.mark.parametrize(
    ("email", "notify"),
    [(EMAIL, False), ("", False), ("", True)],
    ids=["email-without-consent", "no-email", "consent-without-email"],
)
def test_no_email_without_consent_or_address(store, notifier, mailer, post, email, notify):
    qa, records = publish_in_store(store, pending(post.id, email=email, notify=notify))
    assert notifier.handle(stream_event(*records)) == {"batchItemFailures": []}
    assert mailer.sent == []
    assert store.asker_email(qa.id) is None  # nothing stored without consent, nothing to send without an address


def test_plain_rejection_sends_nothing(store, notifier, mailer, post):
    qa = create(store, pending(post.id))
    # What QuestionService.reject writes: status rejected, consent cleared, address item deleted.
    rejected = replace(qa, status=Status.REJECTED, reject_reason="spam", notify=False, version=2)
    store.save_qa(qa, rejected, drop_email=True)
    assert store.asker_email(qa.id) is None
    # Even an image that still said "notify" is no reason to email on a plain rejection.
    still_addressed = replace(rejected, notify=True)
    event = stream_event(
        stream_record("MODIFY", old=qa, new=rejected), stream_record("MODIFY", old=qa, new=still_addressed)
    )
    assert notifier.handle(event) == {"batchItemFailures": []}
    assert mailer.sent == []


def test_duplicate_links_the_original_in_the_posts_language(store, notifier, mailer, post_id):
    store.save_post(Post(id=post_id, title="", url="", lang="en"), expected_version=None)
    original, _ = publish_in_store(store, pending(post_id, email="", notify=False))
    dup = create(store, pending(post_id))
    marked = replace(dup, status=Status.REJECTED, duplicate_of=original.id, reject_reason="duplicate", version=2)
    store.save_qa(dup, marked)

    assert notifier.handle(stream_event(stream_record("MODIFY", old=dup, new=marked))) == {"batchItemFailures": []}

    [message] = mailer.sent
    assert message["Subject"] == "Your question already has an answer"
    body = message.get_content()
    assert f"http://kysy.test/demo#kysy-{original.id}" in body  # no post url: the demo page
    assert f"#kysy-{dup.id}" not in body
    after = store.get_qa(post_id, dup.id)
    assert (store.asker_email(dup.id), after.notify, after.audit[-1].note) == (None, False, "duplicate")


def test_a_record_unpublished_before_the_email_is_not_emailed_yet(store, notifier, mailer, post):
    qa, records = publish_in_store(store, pending(post.id))
    store.save_qa(qa, replace(qa, status=Status.PENDING, version=qa.version + 1))
    assert notifier.handle(stream_event(*records)) == {"batchItemFailures": []}
    assert mailer.sent == []
    assert store.asker_email(qa.id) == EMAIL  # kept for when it is published again


def test_failing_ses_is_a_batch_item_failure_and_keeps_the_address(store, post, logs):
    ses = boto3.client("sesv2", region_name="eu-north-1")
    stubber = Stubber(ses)
    stubber.add_client_error(
        "send_email",
        service_error_code="MessageRejected",
        service_message=f"Email address is not verified: {EMAIL}",  # SES can quote addresses
        http_status_code=400,
    )
    notifier = Notifier(store=store, mailer=SesMailer(ses), digest_channels=[], sender="kysy@example.com")
    ok_before = create(store, pending(post.id, email="", notify=False))
    qa, records = publish_in_store(store, pending(post.id))
    first = stream_record("INSERT", new=ok_before)

    with stubber:
        response = notifier.handle(stream_event(first, *records))

    assert response == {"batchItemFailures": [{"itemIdentifier": seq(records[1])}]}
    assert store.asker_email(qa.id) == EMAIL
    assert EMAIL not in logs.getvalue()
    assert "MessageRejected" in logs.getvalue()


def test_ses_mailer_sends_the_raw_message(store):
    ses = boto3.client("sesv2", region_name="eu-north-1")
    stubber = Stubber(ses)
    stubber.add_response("send_email", {"MessageId": "m-1"})
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "kysy@example.com", EMAIL, "Hei"
    message.set_content("Vastaus on valmis.")
    with stubber:
        SesMailer(ses).send(message)
    stubber.assert_no_pending_responses()


def test_no_sender_means_no_emails_logged_once(store, post, logs):
    notifier = build_notifier(Settings(sender_email="", mail_dir=""), store)
    assert notifier.mailer is None
    _, first = publish_in_store(store, pending(post.id))
    _, second = publish_in_store(store, pending(post.id))
    assert notifier.handle(stream_event(*first, *second)) == {"batchItemFailures": []}
    assert logs.getvalue().count("No sender address configured") == 1


def test_address_removal_never_creates_a_ghost_item(store, notifier, post):
    qa = create(store, pending(post.id))
    done = published_from(qa)
    store.save_qa(qa, done)
    store.delete_qa(done)
    notifier.forget_address(done, AskerEvent.ANSWERED)
    assert store.get_qa(post.id, qa.id) is None


def test_address_removal_follows_a_record_that_moved_partition(store, notifier, post):
    qa = create(store, pending(post.id))
    done = published_from(qa)
    store.save_qa(qa, done)
    back = replace(done, status=Status.PENDING, version=done.version + 1)
    store.save_qa(done, back)  # unpublished between the email and the clean-up
    notifier.forget_address(done, AskerEvent.ANSWERED)
    after = store.get_qa(post.id, qa.id)
    assert (after.status, after.notify, after.version) == (Status.PENDING, False, back.version + 1)
    assert store.asker_email(qa.id) is None


def test_a_stale_editor_save_cannot_bring_the_address_back(store, notifier, mailer, post):
    qa, records = publish_in_store(store, pending(post.id))
    editor_copy = store.get_qa(post.id, qa.id)  # an editor read the record (address still there) ...
    notifier.handle(stream_event(*records))  # ... the notifier emails and forgets the address ...
    with pytest.raises(VersionConflict):  # ... and the editor's save based on the old read is refused
        store.save_qa(editor_copy, replace(editor_copy, answer="Korjattu.", version=editor_copy.version + 1))
    assert store.get_qa(post.id, qa.id).notify is False
    assert store.asker_email(qa.id) is None


# ======================================================================================= editors
def test_fifty_new_questions_in_one_batch_make_one_digest_per_channel(store, webhook, logs):
    url, bodies = webhook
    sns = RecordingSns()
    notifier = Notifier(
        store=store,
        mailer=RecordingMailer(),
        digest_channels=[SnsDigest(sns, "arn:aws:sns:eu-north-1:123456789012:kysy-new"), WebhookDigest(url)],
        public_base_url="https://kysy.example.com",
    )
    questions = [
        pending(f"post-{i % 3}", question=f"Kysymys numero {i}: kirjoita minulle osoitteeseen x{i}@example.com?")
        for i in range(50)
    ]
    response = notifier.handle(stream_event(*(stream_record("INSERT", new=q) for q in questions)))

    assert response == {"batchItemFailures": []}
    [published] = sns.published
    assert len(bodies) == 1
    assert published["Subject"] == "Kysy: 50 new questions"
    assert published["Subject"].isascii()
    text = published["Message"]
    assert text.startswith("50 new questions waiting for an answer:")
    assert "[post-0] Kysymys numero 0" in text
    assert "… and 30 more" in text
    assert "https://kysy.example.com/editor/" in text
    assert "x***@example.com" in text  # addresses typed into questions are masked
    assert "x0@example.com" not in text
    assert "50 new questions" in bodies[0]["text"]
    assert EMAIL not in logs.getvalue()


def test_only_new_reader_questions_are_in_the_digest(store):
    sns = RecordingSns()
    notifier = Notifier(store=store, mailer=None, digest_channels=[SnsDigest(sns, "arn:t")])
    new = pending("post-a", email="", notify=False)
    unpublished = replace(published_from(new), status=Status.PENDING, version=3)  # back to the queue
    imported = replace(pending("post-a", email="", notify=False), source="import")
    notifier.handle(
        stream_event(
            stream_record("INSERT", new=new),
            stream_record("INSERT", new=unpublished),
            stream_record("INSERT", new=imported),
            stream_record("MODIFY", old=new, new=replace(new, answer="luonnos", version=2)),
        )
    )
    [published] = sns.published
    assert published["Subject"] == "Kysy: 1 new question"


def test_digest_failure_does_not_block_asker_emails_and_is_retried(store, mailer, post):
    notifier = Notifier(store=store, mailer=mailer, digest_channels=[SnsDigest(RecordingSns(fail=True), "arn:t")])
    new_question = stream_record("INSERT", new=pending(post.id, email="", notify=False))
    qa, records = publish_in_store(store, pending(post.id))

    response = notifier.handle(stream_event(new_question, *records))

    assert len(mailer.sent) == 1  # the asker email went out regardless
    assert store.asker_email(qa.id) is None
    assert response == {"batchItemFailures": [{"itemIdentifier": seq(new_question)}]}  # digest retried


def test_a_digest_that_reached_one_channel_is_not_retried(store, webhook):
    url, bodies = webhook
    notifier = Notifier(
        store=store, mailer=None, digest_channels=[SnsDigest(RecordingSns(fail=True), "arn:t"), WebhookDigest(url)]
    )
    response = notifier.handle(stream_event(stream_record("INSERT", new=pending("p", email="", notify=False))))
    assert response == {"batchItemFailures": []}
    assert len(bodies) == 1


def test_webhook_errors_and_urls():
    assert valid_webhook_url("https://hooks.slack.com/services/x")
    for bad in ("ftp://example.com/x", "file:///etc/passwd", "hooks.slack.com/x", ""):
        assert not valid_webhook_url(bad)
        with pytest.raises(ValueError, match="http"):
            WebhookDigest(bad)
    unreachable = WebhookDigest("http://127.0.0.1:9/nothing", timeout=1)
    with pytest.raises(DeliveryFailed, match="Webhook"):
        unreachable.publish(digest_text([pending("p")], ""))


def test_build_notifier_from_settings(store, tmp_path):
    local = build_notifier(Settings(mail_dir=str(tmp_path), sender_email=""), store)
    assert local.sender == "kysy@localhost"
    assert [c.name for c in local.digest_channels] == ["outbox"]
    aws = build_notifier(
        Settings(
            sender_email="noreply@example.com",
            new_question_topic_arn="arn:aws:sns:eu-north-1:123456789012:t",
            webhook_url="ftp://nope",
        ),
        store,
    )
    assert isinstance(aws.mailer, SesMailer)
    assert [c.name for c in aws.digest_channels] == ["sns"]  # the invalid webhook is left out


# ======================================================================================== parsing
def test_parse_and_classify():
    qa = pending("p")
    assert parse_change({"eventName": "INSERT", "dynamodb": {"NewImage": {"PK": {"S": "RATE#x"}}}}) is None
    change = parse_change(stream_record("INSERT", new=qa))
    assert change is not None
    assert is_new_question(change)
    assert asker_event(change) is None
    done = parse_change(stream_record("INSERT", new=published_from(qa)))
    assert done is not None
    assert asker_event(done) is AskerEvent.ANSWERED
    edit = parse_change(stream_record("MODIFY", old=published_from(qa), new=published_from(published_from(qa))))
    assert edit is not None
    assert asker_event(edit) is None
    assert excerpt("a  b\n c " + "x" * 100, 10) == "a b c xxx…"
