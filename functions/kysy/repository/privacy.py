"""Askers' addresses and data-subject look-ups: the only code that reads or deletes them.

An address lives in its own ``EMAIL#<qa id>`` item (no index projects it; the reader role may write
it but never read it), next to a ``SUBJECT#<keyed hash>`` item that lets an erasure request find the
asker's records. Both carry a ``ttl`` (the retention period). DynamoDB deletes expired items lazily
(and moto never does), so every read here treats an item past its ``ttl`` as gone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from kysy.models import QA, AuditEntry
from kysy.repository import keys
from kysy.repository.base import StoreBase
from kysy.repository.dynamo import is_conditional_failure, translate_errors

_ATTEMPTS = 3


def _expired(item: dict[str, Any], now: float) -> bool:
    ttl = item.get("ttl", {}).get("N")
    return ttl is not None and int(ttl) <= now


@dataclass(frozen=True)
class SubjectRecord:
    post_id: str
    qa_id: str


class PrivacyMixin(StoreBase):
    def asker_email(self, qa_id: str, *, now: float | None = None) -> str | None:
        """The address stored for a record, unless none was given or its retention time has passed."""
        with translate_errors():
            got = self.client.get_item(TableName=self.table, Key=keys.email_key(qa_id), ConsistentRead=True)
        item = got.get("Item")
        if not item or _expired(item, time.time() if now is None else now):
            return None
        return str(item["email"]["S"])

    def email_sent(self, qa: QA, entry: AuditEntry) -> bool:
        """After the one email: delete the address, set ``notify=false``, bump the version, audit it.

        One transaction, conditioned on the record existing (an update would otherwise create a ghost
        item holding only the key) and still expecting the email. ``version`` is incremented in
        place, so a concurrent editor save based on an older read fails with 409 instead of
        restoring ``notify``. If the record moved (publish/unpublish change its partition) it is read
        again and the removal retried. Returns False when there was nothing left to do.
        """
        audit = {
            "M": {
                "at": {"S": entry.at},
                "by": {"S": entry.by},
                "action": {"S": entry.action},
                "note": {"S": entry.note},
            }
        }
        current: QA | None = qa
        for _ in range(_ATTEMPTS):
            if current is None or not current.notify:
                self._delete_email(qa.id)
                return False
            update = {
                "TableName": self.table,
                "Key": keys.qa_key(current),
                "UpdateExpression": (
                    "REMOVE email_expires SET notify = :false, notified_at = :at, version = version + :one, "
                    "audit = list_append(if_not_exists(audit, :empty), :entry)"
                ),
                "ConditionExpression": "attribute_exists(PK) AND notify = :true",
                "ExpressionAttributeValues": {
                    ":false": {"BOOL": False},
                    ":true": {"BOOL": True},
                    ":at": {"S": entry.at},
                    ":one": {"N": "1"},
                    ":empty": {"L": []},
                    ":entry": {"L": [audit]},
                },
            }
            try:
                self.transact([self.delete_email_op(qa.id), {"Update": update}])
                return True
            except ClientError as error:
                if not is_conditional_failure(error):
                    raise
            current = self.get_qa(qa.post_id, qa.id)  # type: ignore[attr-defined]
        raise RuntimeError("The record kept changing; the address was not removed yet")

    def _delete_email(self, qa_id: str) -> bool:
        # Conditioned on existing (instead of returning the old item): the caller learns whether
        # there was an address without ever receiving it.
        try:
            with translate_errors():
                self.client.delete_item(
                    TableName=self.table, Key=keys.email_key(qa_id), ConditionExpression="attribute_exists(PK)"
                )
        except ClientError as error:
            if not is_conditional_failure(error):
                raise
            return False
        return True

    def delete_email(self, qa_id: str) -> bool:
        """Delete a record's address item; True when there was one."""
        return self._delete_email(qa_id)

    def subject_records(self, subject: str) -> list[SubjectRecord]:
        """Every record an address was given for (expired look-ups included: erasure removes them too)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.subject_pk(subject)}},
            "ConsistentRead": True,
        }
        return [SubjectRecord(post_id=item["post_id"]["S"], qa_id=item["qa_id"]["S"]) for item in self.paged(kwargs)]

    def delete_subject(self, subject: str, record: SubjectRecord) -> None:
        with translate_errors():
            self.client.delete_item(TableName=self.table, Key=keys.subject_key(subject, record.post_id, record.qa_id))
