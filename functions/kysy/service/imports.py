"""Turn a parsed post into records safely: stable ids, drafts for what is unsure, editors' work kept.

Rules (issue 10):

* A record's id derives from the post and the normalised question only, so re-ordering or
  inserting pairs changes no id. Order within a post comes from ``answered_at``/``created_at``.
* A pair the parser is unsure of is imported as a pending draft flagged ``import_check``, with
  the reasons in its audit note; it waits in the editors' queue like any other question.
* A re-import updates only records still as imported (``import_hash`` is what the import wrote;
  an editor's change makes the record differ from it). A changed record is left alone and
  reported; ``force`` overwrites it. A record an editor deleted stays deleted (its tombstone);
  ``force`` brings it back.
* An export imported again keeps each record's status (a draft stays a draft, a rejected
  question stays rejected and unpublished) and, into the same post, its id.
* Every write is conditional on the version read; a concurrent editor save makes the import
  read again and re-plan (see ``repository.imports``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ulid import ULID

from kysy import i18n
from kysy.errors import ValidationFailed
from kysy.importer import REASON_TEXT, REASONS, import_key, normalise_question
from kysy.models import QA, AuditEntry, Post, Status, now_iso
from kysy.service import validation

if TYPE_CHECKING:
    from kysy.importer import Pair, ParsedPost
    from kysy.repository.imports import ImportStore

IMPORTER = "import"
IMPORT_CHECK = "import_check"
ATTEMPTS = 3  # plan + write again after a concurrent change, at most this many times
REVIVED = "deleted by an editor; brought back (--force)"


def record_id(post_id: str, question: str, occurrence: int = 0) -> str:
    """A ULID from (post, normalised question) alone: the same question always gets the same id.

    Its time part is zero, so imported ids never pretend to be reader questions' submission times
    (and sort first in a queue ordered by id); ``occurrence`` tells apart the same question asked
    twice in one post (an export may hold both the original and its duplicate).
    """
    salt = f"#{occurrence}" if occurrence else ""
    digest = hashlib.sha256(f"{post_id}\x1f{normalise_question(question)}{salt}".encode()).digest()
    return str(ULID.from_bytes(bytes(6) + digest[:10]))


def content_hash(qa: QA) -> str:
    """What an editor can change about a record: text, asker and status."""
    raw = "\x1f".join((qa.question, qa.answer, qa.asker_name, qa.status.value))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def changed_by_editor(qa: QA) -> bool:
    if qa.import_hash:
        return content_hash(qa) != qa.import_hash
    return any(entry.by != IMPORTER for entry in qa.audit)  # imported before hashes existed


@dataclass
class Planned:
    """What the import does with one record: ``action`` is create, update, unchanged, kept
    (an editor changed it), skipped (an editor deleted it) or delete (``replace``)."""

    action: str
    qa: QA
    old: QA | None = None
    note: str = ""
    confidence: float | None = None
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        qa = self.qa
        return {
            "id": qa.id,
            "question": qa.question,
            "answer": qa.answer,
            "asker": qa.asker_name or None,
            "status": "draft" if qa.status is Status.PENDING else qa.status.value,
            "confidence": self.confidence,
            "reasons": [REASON_TEXT.get(r, r) for r in self.reasons],
            "action": self.action,
            "note": self.note or None,
            "flags": list(qa.flags),
            "answered_at": qa.answered_at or None,
        }


@dataclass
class ImportPlan:
    post_id: str
    post: Post
    post_version: int | None
    parsed: ParsedPost
    records: list[Planned] = field(default_factory=list)
    date_used: str = ""
    invalid: list[dict[str, Any]] = field(default_factory=list)  # pairs that break a record limit

    def count(self, action: str) -> int:
        return sum(1 for r in self.records if r.action == action)

    @property
    def live(self) -> list[Planned]:
        """Records as they will stand after the import (deleted ones left out)."""
        return [r for r in self.records if r.action != "delete"]

    def status_count(self, status: Status) -> int:
        return sum(1 for r in self.live if r.qa.status is status and r.action != "skipped")

    def report(self) -> list[dict[str, Any]]:
        out = [
            {"reason": u.reason, "text": u.text, "position": u.position, "why": REASONS.get(u.reason, u.reason)}
            for u in self.parsed.report
        ]
        out.extend(self.invalid)
        for record in self.records:
            if record.action in ("kept", "skipped"):
                out.append({"reason": f"record_{record.action}", "text": record.qa.question, "why": record.note})
        return out

    def as_dict(self) -> dict[str, Any]:
        parsed = self.parsed
        return {
            "post_id": self.post_id,
            "title": self.post.title or parsed.title,
            "date": parsed.date,
            "date_used": self.date_used,
            "language": self.post.lang,
            "format": parsed.format,
            "intro": parsed.intro,
            "outro": parsed.outro,
            "pairs": [r.as_dict() for r in self.records],
            "report": self.report(),
            "removed": parsed.removed,
            "summary": {
                "published": self.status_count(Status.PUBLISHED),
                "drafts": self.status_count(Status.PENDING),
                "rejected": self.status_count(Status.REJECTED),
                **{a: self.count(a) for a in ("create", "update", "unchanged", "kept", "skipped", "delete")},
            },
        }


def _base_time(date: str | None, now: datetime) -> datetime:
    """The post's date (yyyy-mm-dd or yyyy-mm) as the answers' time; the import time if it has none."""
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            return datetime.strptime(date or "", fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return now.replace(microsecond=0)


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _status(pair: Pair) -> Status:
    if pair.record and pair.record.status:
        return Status(pair.record.status)
    return Status.PENDING if pair.needs_check else Status.PUBLISHED


@dataclass(frozen=True)
class ImportOptions:
    """What the person importing decided: post metadata to set, and how far a re-import may go."""

    title: str | None = None
    url: str | None = None
    lang: str | None = None
    replace_existing: bool = False  # also remove imported records no longer in the source
    force: bool = False  # overwrite editors' changes, bring back what editors deleted


def plan_import(
    store: ImportStore | None,
    post_id: str,
    parsed: ParsedPost,
    options: ImportOptions = ImportOptions(),
    *,
    now: datetime | None = None,
) -> ImportPlan:
    """Everything the import would write, without writing (``store=None``: as into an empty post)."""
    validation.post_id(post_id)
    title, url, lang, force = options.title, options.url, options.lang, options.force
    now = now or datetime.now(UTC)
    at = _stamp(now)
    existing = store.records(post_id) if store else []
    tombstones = store.tombstones(post_id) if store else set()
    current = store.post(post_id) if store else None
    by_id = {qa.id: qa for qa in existing}
    by_key = {qa.import_key: qa for qa in existing if qa.import_key}
    base = _base_time(parsed.date, now)
    same_post = (parsed.slug or "") == post_id
    ids: dict[str, str] = {}  # id in the export -> id here (rewrites duplicate_of)
    planned: list[Planned] = []
    invalid: list[dict[str, Any]] = []
    used: set[str] = set()
    for index, pair in enumerate(parsed.pairs):
        key = import_key(post_id, pair.question)
        occurrence = 0
        exported = pair.record.id if pair.record else ""
        qa_id = exported if exported and (same_post or exported in by_id) else ""
        if not qa_id or not _valid_id(qa_id):
            qa_id = record_id(post_id, pair.question)
            while qa_id in used:
                occurrence += 1
                qa_id = record_id(post_id, pair.question, occurrence)
        if occurrence:
            key = f"{key}#{occurrence}"
        used.add(qa_id)
        if pair.record and pair.record.id:
            ids[pair.record.id] = qa_id
        old = by_id.get(qa_id) or by_key.get(key)
        if old is not None:
            qa_id = old.id
        try:
            new = _record(post_id, qa_id, key, pair, base + timedelta(seconds=index), at, old, parsed.date is None)
        except ValidationFailed as error:
            invalid.append({"reason": "invalid_pair", "text": pair.question[:200], "why": error.message})
            continue
        planned.append(_decide(new, old, key in tombstones, force, pair))
    for record in planned:  # duplicate_of points at ids in the export: map them to this post's ids
        dup = record.qa.duplicate_of
        if dup and dup in ids and ids[dup] != dup:
            record.qa = replace(record.qa, duplicate_of=ids[dup])
            record.qa = replace(record.qa, import_hash=content_hash(record.qa))
    if options.replace_existing:
        keep = {r.qa.id for r in planned}
        for qa in existing:
            if qa.source == IMPORTER and qa.id not in keep:
                if changed_by_editor(qa) and not force:
                    planned.append(Planned("kept", qa, qa, "changed by an editor; not removed (use --force)"))
                else:
                    planned.append(Planned("delete", qa, qa, "no longer in the source"))
    wanted_lang = lang or (current.lang if current else parsed.lang)
    if wanted_lang not in i18n.codes():  # a post speaks a language the widget and emails know
        if lang:
            raise ValidationFailed(f"Language must be one of: {', '.join(i18n.codes())}.", code="invalid_lang")
        wanted_lang = i18n.default()
    new_title = title if title is not None else (current.title if current and current.title else parsed.title or "")
    new_url = url if url is not None else (current.url if current and current.url else parsed.url)
    if current is not None:  # everything else about the post (open, order, ...) stays as the editors set it
        post = replace(
            current, title=new_title, url=new_url, lang=wanted_lang, updated_at=at, version=current.version + 1
        )
    else:
        post = Post(id=post_id, title=new_title, url=new_url, lang=wanted_lang, created_at=at, updated_at=at)
    return ImportPlan(post_id, post, current.version if current else None, parsed, planned, _stamp(base)[:10], invalid)


def _valid_id(value: str) -> bool:
    try:
        validation.record_id(value)
    except ValidationFailed:
        return False
    return True


def _record(
    post_id: str, qa_id: str, key: str, pair: Pair, at: datetime, now: str, old: QA | None, undated: bool
) -> QA:
    status = _status(pair)
    meta = pair.record
    stamp = _stamp(at)
    if undated and old is not None:  # no date in the post: keep the times the first import gave
        stamp = old.answered_at or old.created_at or stamp
    created = meta.asked_at if meta and meta.asked_at else (old.created_at if old and undated else stamp)
    answered = meta.answered_at if meta and meta.answered_at else (stamp if pair.answer else "")
    flags = tuple(meta.flags) if meta else ()
    note = ""
    if status is Status.PENDING and not meta:
        flags = (*flags, IMPORT_CHECK)
        note = "; ".join(REASON_TEXT.get(r, r) for r in pair.reasons) or "the parser was unsure of this pair"
    elif meta and status is Status.PENDING and IMPORT_CHECK in flags:
        note = "imported again from an export, still to be checked"
    qa = QA(
        post_id=post_id,
        id=qa_id,
        question=validation.question(pair.question),
        answer=validation.answer(pair.answer),
        status=status,
        asker_name=validation.name(pair.asker) or "",
        created_at=created,
        answered_at=answered if status is not Status.PENDING or meta else "",
        updated_at=now,
        answered_by=IMPORTER if status is Status.PUBLISHED else "",
        updated_by=IMPORTER,
        reject_reason=(meta.reject_reason if meta else "") if status is Status.REJECTED else "",
        duplicate_of=(meta.duplicate_of if meta else "") if status is Status.REJECTED else "",
        source=IMPORTER,
        import_key=key,
        flags=tuple(dict.fromkeys(flags)),
        version=(old.version + 1) if old else 1,
        audit=(*(old.audit if old else ()), AuditEntry(at=now, by=IMPORTER, action="import", note=note)),
    )
    return replace(qa, import_hash=content_hash(qa))


def _same(a: QA, b: QA) -> bool:
    fields = ("question", "answer", "asker_name", "status", "flags", "created_at", "answered_at", "reject_reason")
    return all(getattr(a, f) == getattr(b, f) for f in fields) and a.duplicate_of == b.duplicate_of


def _decide(new: QA, old: QA | None, tombstoned: bool, force: bool, pair: Pair) -> Planned:
    confidence = None if pair.record else pair.confidence

    def planned(action: str, qa: QA, note: str = "") -> Planned:
        return Planned(action, qa, old, note, confidence, pair.reasons)

    if old is None:
        if tombstoned and not force:
            return planned("skipped", new, "deleted by an editor after an earlier import (use --force)")
        return planned("create", new, REVIVED if tombstoned else "")
    if changed_by_editor(old) and not force:
        return planned("kept", old, "changed by an editor since it was imported (use --force)")
    if _same(old, new):
        return planned("unchanged", old)
    return planned("update", new)


def apply_plan(store: ImportStore, plan: ImportPlan) -> None:
    from kysy.repository.imports import Write

    writes = [
        Write(r.old, None if r.action == "delete" else r.qa)
        for r in plan.records
        if r.action in ("create", "update", "delete")
    ]
    revived = [r.qa for r in plan.records if r.action == "create" and r.note == REVIVED]
    current = store.post(plan.post_id) if not writes else None
    same_post = current is not None and replace(current, updated_at="", version=0) == replace(
        plan.post, updated_at="", version=0
    )
    if not writes and not revived and same_post:
        return  # nothing changed: the post (and the widget's ETag) stays as it is
    store.apply(plan.post, plan.post_version, writes, revived)


def import_post(
    store: ImportStore,
    post_id: str,
    parsed: ParsedPost,
    options: ImportOptions = ImportOptions(),
    *,
    dry_run: bool = False,
) -> ImportPlan:
    """Plan and write. A concurrent change (a failed condition) makes it read again and re-plan."""
    from kysy.repository.imports import ImportConflict

    for attempt in range(ATTEMPTS):
        plan = plan_import(store, post_id, parsed, options)
        if dry_run:
            return plan
        try:
            apply_plan(store, plan)
        except ImportConflict:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        return plan
    raise AssertionError("unreachable")  # pragma: no cover


__all__ = [
    "IMPORTER",
    "IMPORT_CHECK",
    "ImportOptions",
    "ImportPlan",
    "Planned",
    "import_post",
    "now_iso",
    "plan_import",
    "record_id",
]
