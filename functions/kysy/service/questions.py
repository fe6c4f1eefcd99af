"""Reader and editor use cases for Q&A records: submit, list, answer, publish, reject, ..."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from kysy.errors import (
    QUESTION_CHANGED,
    Conflict,
    NotFound,
    OriginNotAllowed,
    PostClosed,
    ValidationFailed,
    VersionConflict,
)
from kysy.ids import new_id
from kysy.models import QA, AuditEntry, Post, Status, now_iso
from kysy.repository.submit import Consent, SubmitLimits
from kysy.service import validation
from kysy.service.cursor import decode_cursor, decode_key_cursor, encode_cursor, encode_key_cursor
from kysy.service.ordering import KEY_FIELDS, in_reading_order, reading_key, shown_before
from kysy.service.spam import spam_flags

if TYPE_CHECKING:
    from collections.abc import Callable

    from kysy.repository import Store
    from kysy.repository.idempotency import Runner
    from kysy.settings import Settings

MAX_PAGE = validation.PAGE_MAX
_FLAG = re.compile(validation.FLAG_PATTERN)
_CLIENT = re.compile(validation.CLIENT_PATTERN)


def client_key(secret: str, ip: str) -> str:
    """A keyed hash of the client's IP: enough to rate-limit and group a flood, useless to anyone reading
    the table without the deployment's secret."""
    return hmac.new(secret.encode(), ip.encode(), hashlib.sha256).hexdigest()[:32]


def subject_key(secret: str, email: str) -> str:
    """A keyed hash of a normalised address: finds one asker's records for a data-subject request."""
    message = f"subject:{email.strip().casefold()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def check_origin(settings: Settings, origin: str | None) -> None:
    """Reader writes come from the blog's own pages when the deployment names its origins."""
    allowed = settings.origins
    if allowed and origin is not None and origin.rstrip("/") not in allowed:
        raise OriginNotAllowed("Questions can only be sent from the blog's own pages.")


def validate_flag(value: str) -> str:
    if not _FLAG.fullmatch(value):
        raise ValidationFailed("flag must be a flag code such as 'links', or '*' for any flag.", code="invalid_flag")
    return value


def validate_client(value: str) -> str:
    if not _CLIENT.fullmatch(value):
        raise ValidationFailed("client must be a client hash as shown on a queued question.", code="invalid_client")
    return value


@dataclass(frozen=True)
class Submission:
    question: str
    name: str | None = None
    email: str | None = None
    website: str | None = None  # honeypot: people never see it, bots fill it
    notify: bool | None = None


@dataclass(frozen=True)
class Client:
    ip: str
    origin: str | None


@dataclass(frozen=True)
class Editor:
    id: str
    email: str = ""
    name: str = ""

    @property
    def label(self) -> str:
        return self.email or self.name or self.id


def _limit(value: int | None, default: int) -> int:
    if value is None:
        return default
    if not 1 <= value <= validation.PAGE_MAX:
        raise ValidationFailed(f"limit must be between 1 and {validation.PAGE_MAX}.", code="invalid_limit")
    return value


class QuestionService:
    def __init__(self, store: Store, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._create_once: Runner | None = None

    # ================================================================ reader
    def published(
        self, post_id: str, *, limit: int | None, cursor: str | None, order: str | None = None
    ) -> dict[str, Any]:
        """The widget's view of a post: its metadata and one page of published Q&A.

        One Query reads the post and its published records; they are sorted by the post's ``order``
        (or the reader's ``order``, rule in ``service.ordering``) and paged here. The cursor is the
        reading key of the page's last record, so answers published meanwhile neither repeat nor
        vanish on later pages.
        """
        validation.post_id(post_id)
        size = _limit(limit, self.settings.page_size_default)
        if order is not None:
            validation.order(order)
        post, records = self.store.published_of_post(post_id)
        if post is None:
            if not self.settings.auto_create_posts and not records:
                raise NotFound("There is no such post.", code="post_not_found")
            post = Post(id=post_id, title="", created_at="")
        chosen = order or post.order
        newest = chosen == "newest"
        records = in_reading_order(records, newest=newest)
        scope = f"pub:{post_id}:{chosen}"
        start = 0
        if cursor:
            after = decode_key_cursor(self.settings.secret, scope, cursor, len(KEY_FIELDS))
            # Skip every record shown up to and including the cursor's (which may be gone by now).
            start = next(
                (i for i, qa in enumerate(records) if shown_before(after, reading_key(qa), newest=newest)),
                len(records),
            )
        page = records[start : start + size]
        more = start + size < len(records)
        return {
            "post": post.public(),
            "items": [qa.public() for qa in page],
            "next_cursor": encode_key_cursor(self.settings.secret, scope, reading_key(page[-1])) if more else None,
        }

    def submit(
        self,
        post_id: str,
        submission: Submission,
        *,
        client: Client,
        idempotency_key: str | None,
        lambda_context: Any = None,
    ) -> dict[str, Any]:
        """Queue a reader's question as pending. Safe to retry with the same idempotency key.

        The address is kept only with consent (``notify``) and only when askers are ever emailed
        (a sender is configured); otherwise it is dropped here and stored nowhere.
        """
        validation.post_id(post_id)
        check_origin(self.settings, client.origin)
        question = validation.question(submission.question)
        name = validation.name(submission.name)
        email = validation.email(submission.email)
        # Consent is explicit: an address sent without ``notify: true`` is not kept (GDPR art. 7).
        notify = bool(submission.notify) and bool(email) and self.settings.asker_emails_on
        if submission.website and submission.website.strip():
            # A bot filled the honeypot: answer like a success so it learns nothing; store nothing.
            return {"id": new_id(), "status": Status.PENDING.value, "notify": notify}
        # The payload is what a retry must repeat exactly; the client's hash is deliberately not in
        # it (a reader whose network changes keeps their question), but it still drives the limits.
        payload = {"post_id": post_id, "question": question, "name": name, "email": email if notify else ""}
        request = {"payload": payload | {"notify": notify}, "client": client_key(self.settings.secret, client.ip)}
        if idempotency_key is None:
            return self._create(request)
        idempotency_key = validation.idempotency_key(idempotency_key)
        if self._create_once is None:
            self._create_once = self.store.idempotent(self._create, ttl_seconds=self.settings.idempotency_ttl_seconds)
        return self._create_once({"key": f"{post_id}:{idempotency_key}", **request}, lambda_context)

    def _create(self, request: dict[str, Any]) -> dict[str, Any]:
        payload = request["payload"]
        post_id = payload["post_id"]
        post = self.store.get_post(post_id)
        if post is None and not self.settings.auto_create_posts:
            raise NotFound("There is no such post.", code="post_not_found")
        if post is not None and not post.open:
            raise PostClosed("This post is closed for new questions.")
        now = self.clock()
        consent = (
            Consent(
                email=payload["email"],
                subject=subject_key(self.settings.secret, payload["email"]),
                expires=int(now) + self.settings.email_retention_seconds,
            )
            if payload["notify"]
            else None
        )
        qa = QA(
            post_id=post_id,
            id=new_id(),
            question=payload["question"],
            asker_name=payload["name"],
            notify=consent is not None,
            email_expires=consent.expires if consent else 0,
            flags=spam_flags(payload["question"], payload["name"]),
            client=request["client"],
        )
        settings = self.settings
        limits = SubmitLimits(
            client=request["client"],
            per_post=settings.rate_limit_max,
            window_seconds=settings.rate_limit_window_seconds,
            per_day=settings.daily_question_limit,
            new_posts_per_client=settings.new_posts_per_client_per_day,
            new_posts_total=settings.new_posts_per_day,
        )
        self.store.submit_question(qa, limits=limits, post_exists=post is not None, consent=consent, now=now)
        return {"id": qa.id, "status": qa.status.value, "notify": qa.notify}

    # ================================================================ editor
    def queue(
        self,
        *,
        post_id: str | None,
        limit: int | None,
        cursor: str | None,
        newest_first: bool,
        flag: str | None = None,
        client: str | None = None,
        rejected: bool = False,
    ) -> dict[str, Any]:
        """Pending (or rejected) questions, filtered by post, flag or client hash, with the counters."""
        if post_id is not None:
            validation.post_id(post_id)
        if flag is not None:  # "" is not a flag: refused, as the contract says
            validate_flag(flag)
        if client is not None:
            validate_client(client)
        size = _limit(limit, 25)
        order = "desc" if newest_first else "asc"
        scope = f"{'rejected' if rejected else 'queue'}:{post_id or '*'}:{order}:{flag or ''}:{client or ''}"
        after = decode_cursor(self.settings.secret, scope, cursor) if cursor else None
        page = self.store.queue(
            post_id=post_id,
            limit=size,
            after_id=after,
            newest_first=newest_first,
            flag=flag,
            client=client,
            rejected=rejected,
        )
        counts = self.store.counts()
        return {
            "items": [qa.admin() for qa in page.items],
            "next_cursor": encode_cursor(self.settings.secret, scope, page.last_id) if page.last_id else None,
            "counts": {p: c.pending for p, c in counts.items() if c.pending > 0},
            "flagged": {p: c.flagged for p, c in counts.items() if c.flagged > 0},
        }

    def recent_pending(self, limit: int = 100) -> list[QA]:
        """The newest pending questions of all posts: candidates for duplicate suggestions."""
        return self.store.queue(post_id=None, limit=limit, after_id=None, newest_first=True).items

    def create(self, post_id: str, *, question: str, editor: Editor, note: str = "") -> QA:
        """A question an editor writes (e.g. from a search that found nothing): pending, ``source=editor``,
        ready to be answered like any reader's question. No asker, no client, no address."""
        validation.post_id(post_id)
        text = validation.question(question)
        why = validation.short_text(note, limit=validation.REASON_MAX, field="note")
        at = now_iso()
        qa = QA(
            post_id=post_id,
            id=new_id(),
            question=text,
            source="editor",
            created_at=at,
            updated_at=at,
            updated_by=editor.label,
            audit=(AuditEntry(at=at, by=editor.label, action="create", note=why),),
        )
        self.store.create_pending(qa)
        return qa

    def records_of_post(self, post_id: str) -> list[QA]:
        """Every record of a post (editor view), in the order its readers see them."""
        post = self.store.get_post(validation.post_id(post_id)) or Post(id=post_id)
        return in_reading_order(self.store.records_of_post(post_id), newest=post.order == "newest")

    def get(self, post_id: str, qa_id: str) -> QA:
        validation.post_id(post_id)
        validation.record_id(qa_id)
        qa = self.store.get_qa(post_id, qa_id)
        if qa is None:
            raise NotFound("There is no such question. It may have been deleted.", code="question_not_found")
        return qa

    def _load(self, post_id: str, qa_id: str, version: int) -> QA:
        """Read a record and check the editor edits the version they saw (409 with it otherwise)."""
        qa = self.get(post_id, qa_id)
        if qa.version != version:
            raise VersionConflict(
                QUESTION_CHANGED,
                current=qa.admin(),
            )
        return qa

    def _change(
        self, qa: QA, editor: Editor, action: str, note: str = "", *, drop_email: bool = False, **changes: Any
    ) -> QA:
        at = now_iso()
        if drop_email:
            changes |= {"notify": False, "email_expires": 0}
        new = replace(
            qa,
            **changes,
            version=qa.version + 1,
            updated_at=at,
            updated_by=editor.label,
            audit=(*qa.audit, AuditEntry(at=at, by=editor.label, action=action, note=note)),
        )
        return self.store.save_qa(qa, new, drop_email=drop_email and qa.notify)

    def _email_done(self, qa: QA) -> bool:
        """Whether this change ends the address's use here: nobody will ever send the email."""
        return qa.notify and not self.settings.asker_emails_on

    def answer(
        self,
        post_id: str,
        qa_id: str,
        *,
        version: int,
        answer: str,
        publish: bool,
        editor: Editor,
        question: str | None = None,
    ) -> QA:
        """Save an answer as a draft (stays pending) or answer-and-publish in one step."""
        qa = self._load(post_id, qa_id, version)
        text = validation.answer(answer)
        changes: dict[str, Any] = {"answer": text}
        if question is not None:
            changes["question"] = validation.question(question)
        if publish:
            if not text:
                raise ValidationFailed("Write an answer before publishing.", code="answer_required")
            changes |= {"status": Status.PUBLISHED, "reject_reason": "", "client": ""}
            if qa.status is not Status.PUBLISHED:
                changes |= {"answered_at": now_iso(precise=True), "answered_by": editor.label}
        action = (
            "publish"
            if publish and qa.status is not Status.PUBLISHED
            else ("edit" if qa.status is Status.PUBLISHED else "draft")
        )
        return self._change(qa, editor, action, drop_email=publish and self._email_done(qa), **changes)

    def edit(
        self,
        post_id: str,
        qa_id: str,
        *,
        version: int,
        editor: Editor,
        question: str | None,
        answer: str | None,
        asker_name: str | None,
    ) -> QA:
        """Fix wording (typos, a private person's name) in any status without changing the status."""
        qa = self._load(post_id, qa_id, version)
        changes: dict[str, Any] = {}
        if question is not None:
            changes["question"] = validation.question(question)
        if answer is not None:
            changes["answer"] = validation.answer(answer)
            if qa.status is Status.PUBLISHED and not changes["answer"]:
                # Depends on the stored status, not on the request alone: a conflict, not invalid input.
                raise Conflict("A published question needs an answer. Unpublish it first.", code="answer_required")
        if asker_name is not None:
            changes["asker_name"] = validation.name(asker_name)
        if not changes:
            raise ValidationFailed("Nothing to change.", code="nothing_to_change")
        return self._change(qa, editor, "edit", **changes)

    def unpublish(self, post_id: str, qa_id: str, *, version: int, editor: Editor) -> QA:
        qa = self._load(post_id, qa_id, version)
        if qa.status is not Status.PUBLISHED:
            raise Conflict("Only a published question can be unpublished.", code="not_published")
        return self._change(qa, editor, "unpublish", status=Status.PENDING)

    def reject(self, post_id: str, qa_id: str, *, version: int, reason: str, editor: Editor) -> QA:
        qa = self._load(post_id, qa_id, version)
        why = validation.short_text(reason, limit=validation.REASON_MAX, field="reason")
        # The asker's address is only kept to tell them about an answer; a rejection ends that.
        return self._change(qa, editor, "reject", note=why, drop_email=True, status=Status.REJECTED, reject_reason=why)

    def mark_duplicate(self, post_id: str, qa_id: str, *, version: int, duplicate_of: str, editor: Editor) -> QA:
        qa = self._load(post_id, qa_id, version)
        original = self.get(post_id, validation.record_id(duplicate_of))
        if original.status is not Status.PUBLISHED or original.id == qa.id:
            raise Conflict(
                "A question can only be marked as a duplicate of another published answer.", code="invalid_duplicate"
            )
        return self._change(
            qa,
            editor,
            "duplicate",
            note=original.id,
            drop_email=self._email_done(qa),
            status=Status.REJECTED,
            duplicate_of=original.id,
            reject_reason="duplicate",
        )

    def restore(self, post_id: str, qa_id: str, *, version: int, editor: Editor) -> QA:
        """A rejected or duplicate question back to the queue (its address, if any, was deleted on rejection)."""
        qa = self._load(post_id, qa_id, version)
        if qa.status is not Status.REJECTED:
            raise Conflict("Only a rejected question can be put back in the queue.", code="not_rejected")
        return self._change(qa, editor, "restore", status=Status.PENDING, reject_reason="", duplicate_of="")

    def delete(self, post_id: str, qa_id: str, *, version: int, editor: Editor) -> None:
        qa = self._load(post_id, qa_id, version)
        self.store.delete_qa(qa)
