"""The notifier: one DynamoDB stream batch in, asker emails and one editor digest out.

Each record is processed on its own (Powertools ``BatchProcessor``); a failed asker email is a
batch item failure, so Lambda (or the local poller) retries it. Retries are safe because the
current record is re-read before sending and the address is removed right after: a record whose
address is gone is never emailed again. The digest is sent once per batch, after the records.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType

from kysy.api.observability import logger, metrics
from kysy.models import QA, AuditEntry, Status, now_iso
from kysy.notify.channels import (
    DeliveryFailed,
    DigestChannel,
    Mailer,
    OutboxDigest,
    OutboxMailer,
    SesMailer,
    SnsDigest,
    WebhookDigest,
    aws_client,
    valid_webhook_url,
)
from kysy.notify.events import AskerEvent, asker_event, is_new_question, parse_change
from kysy.notify.messages import asker_email_text, build_email, digest_text

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

    from kysy.repository import Store
    from kysy.settings import Settings

NOTIFIER = "kysy-notifier"  # the audit trail's "by" for notification events
LOCAL_SENDER = "kysy@localhost"


@dataclass
class Notifier:
    store: Store
    mailer: Mailer | None
    digest_channels: list[DigestChannel]
    public_base_url: str = ""
    sender: str = ""
    _said_no_sender: bool = field(default=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ------------------------------------------------------------------------------ the batch
    def handle(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        """Process a Lambda DynamoDB stream event; return the partial batch response."""
        new_questions: dict[str, tuple[str, QA]] = {}  # qa id -> (sequence number, record)

        def record_handler(record: DynamoDBRecord) -> None:
            change = parse_change(record.raw_event)
            if change is None:
                return
            if is_new_question(change) and change.new is not None:
                new_questions.setdefault(change.new.id, (change.sequence_number, change.new))
            kind = asker_event(change)
            if kind is not None and change.new is not None:
                self.notify_asker(change.new, kind)

        # raise_on_entire_batch_failure=False: always answer with the failed items (never raise),
        # so the digest still goes out and retries restart at the first failed record.
        records = event.get("Records", [])
        metrics.add_metric(name="StreamRecords", unit=MetricUnit.Count, value=len(records))
        processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
        with processor(records=records, handler=record_handler, lambda_context=context):
            processor.process()
        failures = list(processor.response().get("batchItemFailures", []))
        for failure in failures:
            logger.warning(
                "Stream record failed; it will be retried", extra={"sequence_number": failure["itemIdentifier"]}
            )
        if new_questions:
            failed_digest = self.send_digest([qa for _, qa in new_questions.values()])
            if failed_digest:
                known = {f["itemIdentifier"] for f in failures}
                failures += [{"itemIdentifier": seq} for seq, _ in new_questions.values() if seq not in known]
        return {"batchItemFailures": failures}

    # ------------------------------------------------------------------------------- askers
    def notify_asker(self, image: QA, kind: AskerEvent) -> bool:
        """Send the one email for ``kind`` unless already sent; then forget the address.

        Returns True when an email went out. Raises DeliveryFailed (a batch item failure) when
        the email could not be sent; the address is then kept so a retry can send it.
        """
        if self.mailer is None:
            with self._lock:
                if not self._said_no_sender:
                    self._said_no_sender = True
                    logger.warning("No sender address configured (KYSY_SENDER_EMAIL): asker emails are off")
            return False
        current = self.store.get_qa(image.post_id, image.id)  # consistent read: the truth now
        address = self.store.asker_email(image.id) if current is not None and current.notify else None
        if current is None or address is None:
            metrics.add_metric(name="AskerEmailSkipped", unit=MetricUnit.Count, value=1)
            logger.info("Asker already notified or record gone", extra={"qa_id": image.id, "event": kind.value})
            return False
        if (kind is AskerEvent.ANSWERED and current.status is not Status.PUBLISHED) or (
            kind is AskerEvent.DUPLICATE and not current.duplicate_of
        ):
            logger.info("Record changed again before notifying; not sending", extra={"qa_id": image.id})
            return False
        post = self.store.get_post(current.post_id)
        text = asker_email_text(current, post, kind, self.public_base_url)
        try:
            self.mailer.send(build_email(self.sender, address, text))
        except DeliveryFailed as error:
            metrics.add_metric(name="AskerEmailFailed", unit=MetricUnit.Count, value=1)
            logger.warning("Asker email failed", extra={"qa_id": current.id, "error": str(error)})
            raise
        metrics.add_metric(name="AskerEmailSent", unit=MetricUnit.Count, value=1)
        logger.info("Asker emailed", extra={"qa_id": current.id, "post_id": current.post_id, "event": kind.value})
        self.forget_address(current, kind)
        return True

    def forget_address(self, qa: QA, kind: AskerEvent) -> None:
        """Delete the address and mark the record notified, in one repository transaction."""
        entry = AuditEntry(at=now_iso(), by=NOTIFIER, action="notified", note=kind.value)
        try:
            self.store.email_sent(qa, entry)
        except RuntimeError:
            raise DeliveryFailed("The record kept changing; the address was not removed yet") from None

    # ------------------------------------------------------------------------------ editors
    def send_digest(self, questions: list[QA]) -> bool:
        """ONE digest for the batch to every channel. Returns True when it must be retried.

        Channels are independent: one failing does not stop the others. The records are retried
        only if no channel delivered, so a retry never duplicates a digest that got through.
        """
        if not self.digest_channels:
            return False
        digest = digest_text(sorted(questions, key=lambda qa: qa.id), self.public_base_url)
        delivered, failed = 0, 0
        for channel in self.digest_channels:
            try:
                channel.publish(digest)
                delivered += 1
            except DeliveryFailed as error:
                failed += 1
                logger.error("Digest failed", extra={"channel": channel.name, "error": str(error)})
                metrics.add_metric(name="DigestFailed", unit=MetricUnit.Count, value=1)
        if delivered:
            metrics.add_metric(name="DigestSent", unit=MetricUnit.Count, value=1)
            metrics.add_metric(name="NewQuestions", unit=MetricUnit.Count, value=digest.count)
        return failed > 0 and delivered == 0


def build_notifier(settings: Settings, store: Store) -> Notifier:
    """Channels from settings: outbox folder (local) > SES for askers; SNS + webhook (+ outbox) for editors."""
    mailer: Mailer | None = None
    sender = settings.sender_email
    channels: list[DigestChannel] = []
    if settings.mail_dir:
        sender = sender or LOCAL_SENDER
        mailer = OutboxMailer(Path(settings.mail_dir))
        if not settings.new_question_topic_arn:
            channels.append(OutboxDigest(Path(settings.mail_dir), sender))
    elif sender:
        mailer = SesMailer(aws_client("sesv2", region=settings.region, endpoint=settings.notify_endpoint))
    if settings.new_question_topic_arn:
        sns = aws_client("sns", region=settings.region, endpoint=settings.notify_endpoint)
        channels.append(SnsDigest(sns, settings.new_question_topic_arn))
    if settings.webhook_url:
        if valid_webhook_url(settings.webhook_url):
            channels.append(WebhookDigest(settings.webhook_url))
        else:
            logger.error("KYSY_WEBHOOK_URL is not an http(s) URL; webhook digests are off")
    return Notifier(
        store=store,
        mailer=mailer,
        digest_channels=channels,
        public_base_url=settings.public_base_url,
        sender=sender,
    )
