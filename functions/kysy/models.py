"""Domain records. Plain dataclasses: cheap to import and to copy with ``dataclasses.replace``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Post:
    id: str
    title: str = ""
    url: str = ""
    lang: str = "fi"
    open: bool = True
    created_at: str = field(default_factory=now_iso)
    updated_at: str = ""
    version: int = 1

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "url": self.url, "lang": self.lang, "open": self.open}

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
    asker_email: str = ""
    notify: bool = False  # the asker consented to one email when answered
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
    flags: tuple[str, ...] = ()  # machine codes shown to editors, e.g. "import_check" (see docs/ARCHITECTURE.md)
    version: int = 1
    audit: tuple[AuditEntry, ...] = ()

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
        """What editors see. The email is shown masked; the full address is only used to notify."""
        data = asdict(self)
        data["status"] = self.status.value
        data["asker_email"] = mask_email(self.asker_email)
        data["has_email"] = bool(self.asker_email)
        return data


def mask_email(email: str) -> str:
    if not email or "@" not in email:
        return ""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
