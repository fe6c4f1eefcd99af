"""Reader and editor use cases for Q&A records: submit, list, answer, publish, reject, ..."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from kysy.errors import (
    QUESTION_CHANGED,
    Conflict,
    NotFound,
    OriginNotAllowed,
    PostClosed,
    RequestInProgress,
    Unavailable,
    ValidationFailed,
    VersionConflict,
)
from kysy.ids import new_id
from kysy.models import QA, AuditEntry, Post, Status, now_iso
from kysy.service import validation
from kysy.service.cursor import decode_cursor, encode_cursor

if TYPE_CHECKING:
    from collections.abc import Callable

    from kysy.repository import Store
    from kysy.settings import Settings


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
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._create_once: Callable[..., dict[str, Any]] | None = None

    # ================================================================ reader
    def published(self, post_id: str, *, limit: int | None, cursor: str | None) -> dict[str, Any]:
        """The widget's view of a post: its metadata and one page of published Q&A."""
        validation.post_id(post_id)
        size = _limit(limit, self.settings.page_size_default)
        scope = f"pub:{post_id}"
        after = decode_cursor(self.settings.secret, scope, cursor) if cursor else None
        page = self.store.published_page(post_id, limit=size, after_id=after)
        post = page.post
        if post is None:
            if not self.settings.auto_create_posts and not page.items:
                raise NotFound("There is no such post.", code="post_not_found")
            post = Post(id=post_id, title="", created_at="")
        return {
            "post": post.public(),
            "items": [qa.public() for qa in page.items],
            "next_cursor": encode_cursor(self.settings.secret, scope, page.last_id) if page.last_id else None,
        }

    def submit(
        self, post_id: str, submission: Submission, *, client: Client, idempotency_key: str | None
    ) -> dict[str, Any]:
        """Queue a reader's question as pending. Safe to retry with the same idempotency key."""
        validation.post_id(post_id)
        self._check_origin(client.origin)
        clean = {
            "question": validation.question(submission.question),
            "name": validation.name(submission.name),
            "email": validation.email(submission.email),
        }
        notify = bool(clean["email"]) if submission.notify is None else submission.notify and bool(clean["email"])
        if submission.website and submission.website.strip():
            # A bot filled the honeypot: answer like a success so it learns nothing; store nothing.
            return {"id": new_id(), "status": Status.PENDING.value}
        request = {"post_id": post_id, "client": self._client_key(client.ip), **clean, "notify": notify}
        if idempotency_key is None:
            return self._create(request)
        idempotency_key = validation.idempotency_key(idempotency_key)
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        create_once = self._idempotent_create()
        try:
            return create_once(request={"key": f"{post_id}:{idempotency_key}", "payload": request})
        except IdempotencyAlreadyInProgressError as error:
            raise RequestInProgress(
                "This question is being saved already. Please wait a second.", retry_after=1
            ) from error
        except IdempotencyValidationError as error:
            raise Conflict(
                "This Idempotency-Key was already used for a different question.", code="idempotency_key_reused"
            ) from error
        except IdempotencyPersistenceLayerError as error:
            raise Unavailable("The question store is not reachable right now.", retry_after=5) from error

    def _create(self, request: dict[str, Any]) -> dict[str, Any]:
        post_id = request["post_id"]
        post = self.store.get_post(post_id)
        if post is None and not self.settings.auto_create_posts:
            raise NotFound("There is no such post.", code="post_not_found")
        if post is not None and not post.open:
            raise PostClosed("This post is closed for new questions.")
        self.store.hit_rate_limit(
            request["client"],
            post_id,
            limit=self.settings.rate_limit_max,
            window=self.settings.rate_limit_window_seconds,
        )
        qa = QA(
            post_id=post_id,
            id=new_id(),
            question=request["question"],
            asker_name=request["name"],
            asker_email=request["email"],
            notify=request["notify"],
        )
        self.store.create_pending(qa)
        return {"id": qa.id, "status": qa.status.value}

    def _idempotent_create(self) -> Callable[..., dict[str, Any]]:
        """Wrap ``_create`` with Powertools idempotency (imported on first use: only submissions need it)."""
        if self._create_once is None:
            from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

            from kysy.repository.idempotency import persistence_layer

            config = IdempotencyConfig(
                event_key_jmespath="key",
                payload_validation_jmespath="payload",
                expires_after_seconds=self.settings.idempotency_ttl_seconds,
                raise_on_no_idempotency_key=True,
            )
            layer = persistence_layer(self.store.client, self.store.table)

            def create(request: dict[str, Any]) -> dict[str, Any]:
                return self._create(request["payload"])

            self._create_once = idempotent_function(
                data_keyword_argument="request", config=config, persistence_store=layer
            )(create)
        return self._create_once

    def _check_origin(self, origin: str | None) -> None:
        allowed = self.settings.origins
        if allowed and origin is not None and origin.rstrip("/") not in allowed:
            raise OriginNotAllowed("Questions can only be sent from the blog's own pages.")

    def _client_key(self, ip: str) -> str:
        """A keyed hash of the client's IP: enough to rate-limit, useless to anyone reading the table."""
        return hmac.new(self.settings.secret.encode(), ip.encode(), hashlib.sha256).hexdigest()[:32]

    # ================================================================ editor
    def queue(
        self, *, post_id: str | None, limit: int | None, cursor: str | None, newest_first: bool
    ) -> dict[str, Any]:
        if post_id is not None:
            validation.post_id(post_id)
        size = _limit(limit, 25)
        scope = f"queue:{post_id or '*'}:{'desc' if newest_first else 'asc'}"
        after = decode_cursor(self.settings.secret, scope, cursor) if cursor else None
        page = self.store.queue(post_id=post_id, limit=size, after_id=after, newest_first=newest_first)
        return {
            "items": [qa.admin() for qa in page.items],
            "next_cursor": encode_cursor(self.settings.secret, scope, page.last_id) if page.last_id else None,
            "counts": self.store.queue_counts(),
        }

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

    def _change(self, qa: QA, editor: Editor, action: str, note: str = "", **changes: Any) -> QA:
        at = now_iso()
        new = replace(
            qa,
            **changes,
            version=qa.version + 1,
            updated_at=at,
            updated_by=editor.label,
            audit=(*qa.audit, AuditEntry(at=at, by=editor.label, action=action, note=note)),
        )
        return self.store.save_qa(qa, new)

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
            changes |= {"status": Status.PUBLISHED, "reject_reason": ""}
            if qa.status is not Status.PUBLISHED:
                changes |= {"answered_at": now_iso(), "answered_by": editor.label}
        action = (
            "publish"
            if publish and qa.status is not Status.PUBLISHED
            else ("edit" if qa.status is Status.PUBLISHED else "draft")
        )
        return self._change(qa, editor, action, **changes)

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
        return self._change(
            qa, editor, "reject", note=why, status=Status.REJECTED, reject_reason=why, asker_email="", notify=False
        )

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
            status=Status.REJECTED,
            duplicate_of=original.id,
            reject_reason="duplicate",
        )

    def delete(self, post_id: str, qa_id: str, *, version: int, editor: Editor) -> None:
        qa = self._load(post_id, qa_id, version)
        self.store.delete_qa(qa)
