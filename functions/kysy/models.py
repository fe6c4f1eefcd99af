"""Domain records. Plain dataclasses: cheap to import and to copy with ``dataclasses.replace``."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


# How a post lists its published answers: newest answers first (the default) or oldest first.
ORDERS = ("newest", "oldest")


def now_iso(*, precise: bool = False) -> str:
    """UTC now as ``2026-11-29T14:24:50Z``; ``precise`` adds milliseconds (answer times: two answers
    published within one second still read newest first)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds" if precise else "seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Post:
    id: str
    title: str = ""
    url: str = ""
    lang: str = "fi"
    open: bool = True
    order: str = "newest"  # one of ORDERS
    created_at: str = field(default_factory=now_iso)
    updated_at: str = ""
    version: int = 1

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "lang": self.lang,
            "open": self.open,
            "order": self.order,
        }

    def admin(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AuditEntry:
    at: str
    by: str
    action: str
    note: str = ""


@dataclass(frozen=True)
class QA:
    """One reader question and, once an editor answers it, its answer."""

    post_id: str
    id: str
    question: str
    status: Status = Status.PENDING
    answer: str = ""
    asker_name: str = ""
    # The asker consented to one email when answered AND an address is stored for it (in its own
    # item, never in this record). Cleared when the address is removed.
    notify: bool = False
    email_expires: int = 0  # epoch seconds when the stored address expires (retention), 0 = none
    created_at: str = field(default_factory=now_iso)
    answered_at: str = ""
    updated_at: str = ""
    answered_by: str = ""
    updated_by: str = ""
    reject_reason: str = ""
    duplicate_of: str = ""
    source: str = "reader"  # reader | import | editor
    import_key: str = ""
    import_hash: str = ""  # what the importer wrote (see service.imports): an editor's change makes it differ
    version: int = 1
    audit: tuple[AuditEntry, ...] = ()
    # Machine codes for editors (spam heuristics such as ``links``, ``caps``; imports add
    # ``import_check``: a draft the importer was unsure of, with the reason in the audit note).
    flags: tuple[str, ...] = ()
    # Keyed hash of the submitting client (pending/rejected records only): lets editors clear a flood.
    client: str = ""

    @property
    def has_email(self) -> bool:
        """An address is stored for this record and has not passed its retention time."""
        return self.notify and (self.email_expires == 0 or self.email_expires > time.time())

    def public(self) -> dict[str, Any]:
        """What anyone on the internet may see: never the email, never unpublished text."""
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "asker_name": self.asker_name or None,
            "asked_at": self.created_at,
            "answered_at": self.answered_at or None,
        }

    def admin(self) -> dict[str, Any]:
        """What editors see. Never the address: editors only learn whether the asker will be emailed."""
        data = asdict(self)
        data["status"] = self.status.value
        data["has_email"] = self.has_email
        data["flags"] = list(self.flags)
        return data
