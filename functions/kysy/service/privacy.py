"""Data-subject requests: erase everything tied to one email address.

What "everything" means (docs/PRIVACY.md explains why):

* the stored address items (``EMAIL#``) and the look-up items (``SUBJECT#``) of that address;
* questions the person asked with that address that are NOT public (pending, rejected, duplicate):
  deleted, because they are the person's own unpublished words;
* questions of theirs that editors PUBLISHED: kept (they are part of the article now, and the
  answer is the company's text), but the asker's name is removed and the record is reported so an
  editor can also edit or unpublish the question's wording if it identifies the person.

Questions asked without consent to an email left no address and no look-up item: nothing links
them to the address, so nothing can be found by it (by design: nothing was stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kysy.errors import ValidationFailed, VersionConflict
from kysy.models import AuditEntry, Status, now_iso
from kysy.service import validation
from kysy.service.questions import subject_key

if TYPE_CHECKING:
    from kysy.repository import Store
    from kysy.settings import Settings

_ATTEMPTS = 3


@dataclass
class ForgetReport:
    records_found: int = 0
    email_items_deleted: int = 0
    lookup_items_deleted: int = 0
    questions_deleted: list[str] = field(default_factory=list)
    published_anonymised: list[dict[str, str]] = field(default_factory=list)
    already_gone: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "records_found": self.records_found,
            "email_items_deleted": self.email_items_deleted,
            "lookup_items_deleted": self.lookup_items_deleted,
            "questions_deleted": self.questions_deleted,
            "published_anonymised": self.published_anonymised,
            "already_gone": self.already_gone,
        }


class PrivacyService:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def forget(self, email: str, *, by: str) -> ForgetReport:
        address = validation.email(email)
        if not address:
            raise ValidationFailed("Give the email address to erase.", code="invalid_email")
        subject = subject_key(self.settings.secret, address)
        report = ForgetReport()
        for ref in self.store.subject_records(subject):
            report.records_found += 1
            if self.store.delete_email(ref.qa_id):
                report.email_items_deleted += 1
            self._forget_record(ref.post_id, ref.qa_id, by=by, report=report)
            self.store.delete_subject(subject, ref)
            report.lookup_items_deleted += 1
        return report

    def _forget_record(self, post_id: str, qa_id: str, *, by: str, report: ForgetReport) -> None:
        for _ in range(_ATTEMPTS):
            qa = self.store.get_qa(post_id, qa_id)
            if qa is None:
                report.already_gone.append(qa_id)
                return
            try:
                if qa.status is Status.PUBLISHED:
                    at = now_iso()
                    self.store.save_qa(
                        qa,
                        replace(
                            qa,
                            asker_name="",
                            notify=False,
                            email_expires=0,
                            version=qa.version + 1,
                            updated_at=at,
                            updated_by=by,
                            audit=(*qa.audit, AuditEntry(at=at, by=by, action="forget", note="asker erased")),
                        ),
                    )
                    report.published_anonymised.append({"post_id": post_id, "id": qa_id})
                else:
                    self.store.delete_qa(qa)
                    report.questions_deleted.append(qa_id)
                return
            except VersionConflict:
                continue  # changed meanwhile: read it again
        raise VersionConflict("The question kept changing; run the erasure again.", current=None)
