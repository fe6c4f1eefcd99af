"""Clearing a flood: reject many pending questions at once (chosen ids, one client hash, or one post),
with an undo window in which the whole batch goes back to the queue - record by record, only where
nobody changed the record since."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kysy.errors import NotFound, ValidationFailed
from kysy.ids import new_id
from kysy.models import QA, AuditEntry, Status, now_iso
from kysy.repository.bulk import Batch, BatchEntry
from kysy.service import validation
from kysy.service.questions import validate_client

if TYPE_CHECKING:
    from collections.abc import Callable

    from kysy.repository import Store
    from kysy.service.questions import Editor
    from kysy.settings import Settings

MAX_BULK = 500  # records per bulk call: a bigger flood takes another click ("more": true)
MAX_IDS = 100
REJECT = "reject"


@dataclass(frozen=True)
class RecordRef:
    post_id: str
    id: str


@dataclass(frozen=True)
class Selection:
    """Exactly one of: chosen records, every pending question of one client hash, or of one post."""

    ids: tuple[RecordRef, ...] = ()
    client: str | None = None
    post_id: str | None = None


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class ModerationService:
    def __init__(self, store: Store, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock

    def _selected(self, selection: Selection) -> tuple[list[QA], list[str], bool]:
        """(pending records to change, ids skipped because they are not pending, more may follow)."""
        chosen = [bool(selection.ids), selection.client is not None, selection.post_id is not None]
        if sum(chosen) != 1:
            raise ValidationFailed("Choose exactly one of: ids, client or post_id.", code="invalid_selection")
        if selection.ids:
            if len(selection.ids) > MAX_IDS:
                raise ValidationFailed(f"At most {MAX_IDS} ids at a time.", code="too_many_ids")
            records: list[QA] = []
            skipped: list[str] = []
            for ref in dict.fromkeys(selection.ids):
                validation.post_id(ref.post_id)
                validation.record_id(ref.id)
                qa = self.store.get_qa(ref.post_id, ref.id)
                if qa is not None and qa.status is Status.PENDING:
                    records.append(qa)
                else:
                    skipped.append(ref.id)
            return records, skipped, False
        if selection.client is not None:
            validate_client(selection.client)
        if selection.post_id is not None:
            validation.post_id(selection.post_id)
        page = self.store.queue(
            post_id=selection.post_id,
            client=selection.client,
            limit=MAX_BULK,
            after_id=None,
            newest_first=False,
        )
        return page.items, [], page.last_id is not None

    def bulk_reject(self, selection: Selection, *, reason: str, editor: Editor) -> dict[str, Any]:
        """Reject the selected pending questions; returns the batch id to undo it within the window."""
        why = validation.short_text(reason, limit=validation.REASON_MAX, field="reason") or "bulk"
        records, skipped, more = self._selected(selection)
        batch_id = new_id()
        at = now_iso()
        entry = AuditEntry(at=at, by=editor.label, action=REJECT, note=f"{why} (bulk {batch_id})")
        changes = [
            (
                qa,
                replace(
                    qa,
                    status=Status.REJECTED,
                    reject_reason=why,
                    notify=False,
                    email_expires=0,
                    version=qa.version + 1,
                    updated_at=at,
                    updated_by=editor.label,
                    audit=(*qa.audit, entry),
                ),
            )
            for qa in records
        ]
        # Rejected questions are never emailed: their addresses go in the same transactions.
        done, changed = self.store.save_many(changes, drop_emails=True)
        expires = int(self.clock()) + self.settings.bulk_undo_seconds
        if done:
            self.store.save_batch(
                Batch(
                    id=batch_id,
                    action=REJECT,
                    by=editor.label,
                    created_at=at,
                    expires=expires,
                    entries=tuple(BatchEntry(post_id=qa.post_id, id=qa.id, version=qa.version) for qa in done),
                )
            )
        return {
            "batch_id": batch_id if done else None,
            "rejected": [qa.id for qa in done],
            "skipped": skipped + [qa.id for qa in changed],
            "undo_until": _iso(expires) if done else None,
            "more": more,
        }

    def undo(self, batch_id: str, *, editor: Editor) -> dict[str, Any]:
        """Put a bulk rejection's questions back in the queue where nobody changed them since."""
        validation.record_id(batch_id)
        batch = self.store.get_batch(batch_id, now=self.clock())
        if batch is None:
            raise NotFound("There is no such bulk action, or its undo window has passed.", code="batch_not_found")
        at = now_iso()
        self.store.mark_batch_undone(batch_id, at)
        entry = AuditEntry(at=at, by=editor.label, action="restore", note=f"undo bulk {batch_id}")
        changes: list[tuple[QA, QA]] = []
        skipped: list[str] = []
        for ref in batch.entries:
            qa = self.store.get_qa(ref.post_id, ref.id)
            if qa is None or qa.version != ref.version or qa.status is not Status.REJECTED:
                skipped.append(ref.id)
                continue
            changes.append(
                (
                    qa,
                    replace(
                        qa,
                        status=Status.PENDING,
                        reject_reason="",
                        duplicate_of="",
                        version=qa.version + 1,
                        updated_at=at,
                        updated_by=editor.label,
                        audit=(*qa.audit, entry),
                    ),
                )
            )
        done, changed = self.store.save_many(changes, drop_emails=False)
        return {"restored": [qa.id for qa in done], "skipped": skipped + [qa.id for qa in changed]}
