"""Turn a parsed Q&A post into published records, idempotently; and read them back for export."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ulid import ULID

from kysy.importer import import_key
from kysy.models import QA, Post, Status, now_iso
from kysy.service import validation

if TYPE_CHECKING:
    from kysy.importer import ParsedPost
    from kysy.repository import Store

IMPORTER = "import"


@dataclass
class ImportResult:
    post_id: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    report: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "report": self.report,
        }


def _base_time(date: str | None) -> datetime:
    """The post's date (yyyy-mm or yyyy-mm-dd) as the questions' time, so ids keep the post's order."""
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            return datetime.strptime(date or "", fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return datetime(2000, 1, 1, tzinfo=UTC)


def _record_id(at: datetime, key: str) -> str:
    """A ULID whose time is the pair's position and whose randomness comes from its key: re-imports match."""
    millis = int(at.timestamp() * 1000).to_bytes(6, "big")
    return str(ULID.from_bytes(millis + bytes.fromhex(key.rpartition(":")[2])[:10]))


def plan_records(post_id: str, parsed: ParsedPost) -> list[QA]:
    base = _base_time(parsed.date)
    records = []
    for index, pair in enumerate(parsed.pairs):
        key = import_key(post_id, pair)
        at = base + timedelta(seconds=index)
        stamp = at.isoformat(timespec="seconds").replace("+00:00", "Z")
        records.append(
            QA(
                post_id=post_id,
                id=_record_id(at, key),
                question=validation.question(pair.question),
                answer=validation.answer(pair.answer),
                status=Status.PUBLISHED,
                created_at=stamp,
                answered_at=stamp,
                source=IMPORTER,
                import_key=key,
                answered_by=IMPORTER,
            )
        )
    return records


def import_post(
    store: Store,
    post_id: str,
    parsed: ParsedPost,
    *,
    title: str | None = None,
    url: str | None = None,
    lang: str | None = None,
    replace_existing: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    """Write the parsed pairs as published records of ``post_id``.

    Re-running is idempotent: a pair's id derives from its question, so it updates in place.
    ``replace_existing`` also deletes earlier imported records that are no longer in the source;
    questions readers asked are never touched by an import.
    """
    validation.post_id(post_id)
    result = ImportResult(post_id=post_id, report=[vars(u) for u in parsed.report])
    planned = plan_records(post_id, parsed)
    existing = {qa.id: qa for qa in store.records_of_post(post_id) if qa.source == IMPORTER}
    upserts: list[QA] = []
    for qa in planned:
        old = existing.get(qa.id)
        if old is None:
            result.created += 1
            upserts.append(qa)
        elif old.status is not Status.PUBLISHED or (old.question, old.answer) == (qa.question, qa.answer):
            # Same text, or an editor has unpublished/rejected it since: leave it as it is.
            result.unchanged += 1
        else:
            result.updated += 1
            upserts.append(replace(qa, version=old.version + 1, audit=old.audit))
    planned_ids = {qa.id for qa in planned}
    deletes = [qa for qa_id, qa in existing.items() if qa_id not in planned_ids] if replace_existing else []
    result.deleted = len(deletes)
    current = store.get_post(post_id)
    post = Post(
        id=post_id,
        title=title if title is not None else (current.title if current and current.title else parsed.title or ""),
        url=url if url is not None else (current.url if current else ""),
        lang=lang or (current.lang if current else parsed.lang),
        open=current.open if current else True,
        created_at=current.created_at if current else now_iso(),
        updated_at=now_iso(),
        version=(current.version + 1) if current else 1,
    )
    if not dry_run:
        store.write_import(post, upserts, deletes, replaced=existing)
    return result
