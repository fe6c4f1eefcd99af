"""A reader's question as ONE transaction: the record, its post's counters, every rate limit and the
asker's address (with consent). Either all of it is written or none of it.

Rate limits are O(1) counter items with a TTL, each guarded by a condition in the same transaction:
per client and post per window, per client per UTC day across all posts, and - when the question
would create a post (no post META and no COUNTS item yet) - new posts per client per day and in
total per day. The transaction's cancellation reasons say which limit was hit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from kysy.errors import Conflict, RateLimited
from kysy.models import QA
from kysy.repository import keys
from kysy.repository.base import StoreBase, status_delta
from kysy.repository.dynamo import cancellation_codes

DAY = 86_400
_ATTEMPTS = 3


@dataclass(frozen=True)
class SubmitLimits:
    client: str  # keyed hash of the client (never the address itself)
    per_post: int  # questions per client and post per window
    window_seconds: int
    per_day: int  # questions per client per UTC day, all posts together
    new_posts_per_client: int  # posts one client's questions may create per UTC day
    new_posts_total: int  # posts everyone's questions may create per UTC day


@dataclass(frozen=True)
class Consent:
    """An address the asker gave with ``notify=true``, kept in its own item until ``expires``."""

    email: str
    subject: str  # keyed hash of the normalised address: finds the asker's records for erasure
    expires: int  # epoch seconds: the items' ``ttl``


@dataclass(frozen=True)
class _Limit:
    name: str
    message: str
    code: str
    retry_after: int


def _utc_day(now: float) -> str:
    return time.strftime("%Y%m%d", time.gmtime(now))


class SubmitMixin(StoreBase):
    def submit_question(
        self, qa: QA, *, limits: SubmitLimits, post_exists: bool, consent: Consent | None, now: float
    ) -> None:
        """Write a reader's pending question with everything it implies, atomically.

        ``post_exists`` says whether the post has a META item. Without one, the question is first
        tried as one more question to a post readers created earlier (its COUNTS item exists); if
        that condition fails the post is new and the new-post caps are added. Raises RateLimited
        (with the limit's own message and Retry-After) and leaves nothing behind.
        """
        new_post = False
        for _ in range(_ATTEMPTS):
            ops, labels, limit_by_label = self._submit_ops(qa, limits, post_exists, new_post, consent, now)
            try:
                self.transact(ops)
                return
            except ClientError as error:
                codes = cancellation_codes(error)
                failed = {labels[i] for i, code in enumerate(codes) if code == "ConditionalCheckFailed"}
                if not failed:
                    raise
            hit = [limit_by_label[name] for name in failed if name in limit_by_label]
            if hit:
                worst = max(hit, key=lambda limit: limit.retry_after)
                raise RateLimited(worst.message, code=worst.code, retry_after=worst.retry_after)
            if failed == {"counts"}:
                new_post = not new_post  # the post's COUNTS item (dis)appeared: try the other case
                continue
            raise Conflict("This question could not be saved. Please send it again.", code="submit_conflict")
        raise Conflict("This question could not be saved. Please send it again.", code="submit_conflict")

    def _submit_ops(
        self,
        qa: QA,
        limits: SubmitLimits,
        post_exists: bool,
        new_post: bool,
        consent: Consent | None,
        now: float,
    ) -> tuple[list[dict[str, Any]], list[str], dict[str, _Limit]]:
        now_s = int(now)
        day = _utc_day(now)
        tomorrow = DAY - now_s % DAY
        start = now_s - now_s % limits.window_seconds
        counts_condition = None if post_exists else ("attribute_not_exists(PK)" if new_post else "attribute_exists(PK)")
        put: dict[str, Any] = {
            "TableName": self.table,
            "Item": keys.qa_to_item(qa),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
        ops: list[dict[str, Any]] = [
            {"Put": put},
            self.counts_op(qa.post_id, status_delta(None, qa), condition=counts_condition),
        ]
        labels = ["record", "counts"]
        limit_by_label: dict[str, _Limit] = {}

        def rate(label: str, key: keys.Key, maximum: int, ttl: int, limit: _Limit) -> None:
            if maximum <= 0:
                raise RateLimited(limit.message, code=limit.code, retry_after=limit.retry_after)
            ops.append(self.rate_op(key, maximum, ttl))
            labels.append(label)
            limit_by_label[label] = limit

        rate(
            "window",
            keys.window_key(limits.client, qa.post_id, start),
            limits.per_post,
            start + 2 * limits.window_seconds,
            _Limit(
                "window",
                "You have sent several questions in a short time. Please wait a moment and try again.",
                "rate_limited",
                start + limits.window_seconds - now_s,
            ),
        )
        rate(
            "day",
            keys.day_key(limits.client, day),
            limits.per_day,
            now_s + tomorrow + DAY,
            _Limit(
                "day",
                "You have sent many questions today. Please try again tomorrow.",
                "daily_limit",
                tomorrow,
            ),
        )
        if new_post:
            rate(
                "new_post_client",
                keys.new_post_key(limits.client, day),
                limits.new_posts_per_client,
                now_s + tomorrow + DAY,
                _Limit(
                    "new_post_client",
                    "This page has no questions yet, and questions that start a new page are limited per "
                    "reader and day. Please try again tomorrow.",
                    "new_post_limit",
                    tomorrow,
                ),
            )
            rate(
                "new_posts_total",
                keys.new_post_key(None, day),
                limits.new_posts_total,
                now_s + tomorrow + DAY,
                _Limit(
                    "new_posts_total",
                    "This page is not open for questions yet today. Please try again tomorrow.",
                    "new_post_limit",
                    tomorrow,
                ),
            )
        if consent is not None:
            ops.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": keys.to_attrs(
                            {
                                **self._plain_key(keys.email_key(qa.id)),
                                "email": consent.email,
                                "post_id": qa.post_id,
                                "qa_id": qa.id,
                                "ttl": consent.expires,
                            }
                        ),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
            ops.append(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": keys.to_attrs(
                            {
                                **self._plain_key(keys.subject_key(consent.subject, qa.post_id, qa.id)),
                                "post_id": qa.post_id,
                                "qa_id": qa.id,
                                "ttl": consent.expires,
                            }
                        ),
                    }
                }
            )
            labels += ["email", "subject"]
        return ops, labels, limit_by_label

    @staticmethod
    def _plain_key(key: keys.Key) -> dict[str, str]:
        return {name: str(value["S"]) for name, value in key.items()}
