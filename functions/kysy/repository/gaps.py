"""Search gaps: what readers searched for and did not find (or found and opened nothing of).

One item per post, ISO week and normalised query (``GAPS#<post>`` / ``W#<week>#<query>``) holding two
counters and a ``ttl``; nothing about who searched. The item is also in the private index (GSI3
``GAPS``, sorted by post and week) so editors list every post's gaps with one Query. A count is one
transaction with the reporting client's daily counter (``RATE#<daily pseudonym>`` / ``G#<day>``: a
count and a ``ttl`` of two days), so one client cannot inflate the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from kysy.errors import RateLimited
from kysy.repository import keys
from kysy.repository.base import StoreBase
from kysy.repository.dynamo import cancellation_codes, translate_errors

GAP_KINDS = ("no_results", "not_opened")


@dataclass(frozen=True)
class GapCount:
    post_id: str
    week: str  # ISO week, "2026-W19"
    query: str  # normalised text
    no_results: int
    not_opened: int


@dataclass(frozen=True)
class GapReport:
    """One counted search: where, when (week), what, how it ended, and until when it is kept."""

    post_id: str
    week: str
    query: str
    kind: str  # one of GAP_KINDS
    expires: int  # epoch seconds: the item's ttl


@dataclass(frozen=True)
class ReporterLimit:
    client: str  # a daily keyed pseudonym of the reporting client; only in the short-lived rate item
    day: str  # UTC day, yyyymmdd
    per_day: int
    expires: int  # the rate item's ttl
    retry_after: int  # seconds until the next UTC day


def _expired(item: dict[str, Any], now: float) -> bool:
    ttl = item.get("ttl", {}).get("N")
    return ttl is not None and int(ttl) <= now


class GapsMixin(StoreBase):
    def count_gap(self, report: GapReport, limit: ReporterLimit) -> None:
        """+1 for the search (and the reporter's daily counter), in one transaction; RateLimited over the cap."""
        if report.kind not in GAP_KINDS:
            raise ValueError(f"unknown gap kind {report.kind}")
        update = {
            "Update": {
                "TableName": self.table,
                "Key": keys.gap_key(report.post_id, report.week, report.query),
                "UpdateExpression": (
                    "ADD #n :one SET #type = :type, post_id = :post, week = :week, #query = :query, "
                    "#ttl = :ttl, QPK = :qpk, QSK = :qsk"
                ),
                "ExpressionAttributeNames": {"#n": report.kind, "#type": "type", "#query": "query", "#ttl": "ttl"},
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":type": {"S": "gap"},
                    ":post": {"S": report.post_id},
                    ":week": {"S": report.week},
                    ":query": {"S": report.query},
                    ":ttl": {"N": str(report.expires)},
                    ":qpk": {"S": keys.GAPS},
                    ":qsk": {"S": keys.gap_list_sk(report.post_id, report.week, report.query)},
                },
            }
        }
        rate = self.rate_op(keys.gap_rate_key(limit.client, limit.day), limit.per_day, limit.expires)
        try:
            self.transact([rate, update])
        except ClientError as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                raise RateLimited(
                    "You have sent many search reports today. Thank you, that is plenty.",
                    retry_after=limit.retry_after,
                ) from error
            raise

    def _gap_items(self, post_id: str | None, query: str | None = None) -> Iterator[dict[str, Any]]:
        condition = "QPK = :gaps"
        values: dict[str, Any] = {":gaps": {"S": keys.GAPS}}
        if post_id is not None:
            condition += " AND begins_with(QSK, :post)"
            values[":post"] = {"S": keys.gap_list_sk(post_id)}
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": keys.PRIVATE_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
        }
        if query is not None:
            kwargs["FilterExpression"] = "#query = :query"
            kwargs["ExpressionAttributeNames"] = {"#query": "query"}
            values[":query"] = {"S": query}
        return self.paged(kwargs)

    def gap_counts(self, *, post_id: str | None, now: float, max_items: int) -> tuple[list[GapCount], bool]:
        """Every post's (or one post's) gaps still inside their retention; True when ``max_items`` cut it short."""
        out: list[GapCount] = []
        for item in self._gap_items(post_id):
            if _expired(item, now):
                continue  # DynamoDB deletes expired items lazily (moto never): past its ttl it is gone
            if len(out) >= max_items:
                return out, True
            data = keys.plain(item)
            out.append(
                GapCount(
                    post_id=str(data["post_id"]),
                    week=str(data["week"]),
                    query=str(data["query"]),
                    no_results=int(data.get("no_results", 0)),
                    not_opened=int(data.get("not_opened", 0)),
                )
            )
        return out, False

    def delete_gaps(self, post_id: str, query: str) -> int:
        """Delete one query's gap items of a post (every week); returns how many there were."""
        found = [{"PK": item["PK"], "SK": item["SK"]} for item in self._gap_items(post_id, query)]
        for key in found:
            with translate_errors():
                self.client.delete_item(TableName=self.table, Key=key)
        return len(found)
