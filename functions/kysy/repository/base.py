"""What every part of the store shares: the client, the table, paging, transactions, counters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from kysy.models import QA, Status
from kysy.repository import keys
from kysy.repository.dynamo import cancellation_codes, error_code, translate_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TRANSACTION_MAX_ITEMS = 100
COUNT_FIELDS = ("pending", "flagged", "published", "rejected")


def status_delta(old: QA | None, new: QA | None) -> dict[str, int]:
    """How a change from ``old`` to ``new`` (None = absent) moves a post's counters.

    ``flagged`` counts pending records with at least one flag (spam heuristics, import checks).
    Every write that creates, deletes or changes the status of a record carries this delta in the
    same transaction, so the counters never drift from the records.
    """
    delta: Counter[str] = Counter()
    for qa, sign in ((old, -1), (new, 1)):
        if qa is None:
            continue
        delta[qa.status.value] += sign
        if qa.status is Status.PENDING and qa.flags:
            delta["flagged"] += sign
    return {name: value for name, value in delta.items() if value}


def merge_deltas(deltas: dict[str, dict[str, int]], post_id: str, delta: Mapping[str, int]) -> None:
    """Add ``delta`` to ``deltas[post_id]`` (one COUNTS item per post and transaction)."""
    target = deltas.setdefault(post_id, {})
    for name, value in delta.items():
        target[name] = target.get(name, 0) + value


class StoreBase:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self.client = client
        self.table = table_name

    # ------------------------------------------------------------------ operations
    def counts_op(self, post_id: str, delta: Mapping[str, int], *, condition: str | None = None) -> dict[str, Any]:
        """The ``Update`` of a post's COUNTS item for a transaction (``ADD`` each non-zero delta)."""
        names = {"#post": "post_id"}
        values: dict[str, Any] = {":post": {"S": post_id}}
        adds = []
        for i, (name, value) in enumerate(sorted(delta.items())):
            if name not in COUNT_FIELDS:
                raise ValueError(f"unknown counter {name}")
            names[f"#c{i}"] = name
            values[f":c{i}"] = {"N": str(value)}
            adds.append(f"#c{i} :c{i}")
        expression = "SET #post = :post" + (" ADD " + ", ".join(adds) if adds else "")
        update: dict[str, Any] = {
            "TableName": self.table,
            "Key": keys.counts_key(post_id),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if condition:
            update["ConditionExpression"] = condition
        return {"Update": update}

    def rate_op(self, key: keys.Key, maximum: int, ttl: int) -> dict[str, Any]:
        """The ``Update`` of a rate-limit counter for a transaction: +1, refused once it holds ``maximum``."""
        return {
            "Update": {
                "TableName": self.table,
                "Key": key,
                "UpdateExpression": "ADD #c :one SET #ttl = if_not_exists(#ttl, :ttl)",
                "ConditionExpression": "attribute_not_exists(#c) OR #c < :max",
                "ExpressionAttributeNames": {"#c": "count", "#ttl": "ttl"},
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":max": {"N": str(maximum)},
                    ":ttl": {"N": str(ttl)},
                },
            }
        }

    def delete_email_op(self, qa_id: str) -> dict[str, Any]:
        """Delete an asker's address item (a no-op when there is none)."""
        return {"Delete": {"TableName": self.table, "Key": keys.email_key(qa_id)}}

    def record_ops(self, old: QA | None, new: QA | None) -> list[dict[str, Any]]:
        """Replace ``old`` by ``new`` conditionally: ``old`` unchanged since read, ``new`` not there yet.

        A record moves between the ``ASK#`` and ``POST#`` partitions when it is published or
        unpublished; inside one transaction that is a Delete and a Put, never half a move.
        """
        ops: list[dict[str, Any]] = []
        version = {":v": {"N": str(old.version)}} if old is not None else {}
        same_key = old is not None and new is not None and keys.qa_key(old) == keys.qa_key(new)
        if old is not None and not same_key:
            ops.append(
                {
                    "Delete": {
                        "TableName": self.table,
                        "Key": keys.qa_key(old),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": version,
                    }
                }
            )
        if new is not None:
            put: dict[str, Any] = {"TableName": self.table, "Item": keys.qa_to_item(new)}
            if same_key:
                put |= {"ConditionExpression": "version = :v", "ExpressionAttributeValues": version}
            else:
                put["ConditionExpression"] = "attribute_not_exists(PK)"
            ops.append({"Put": put})
        return ops

    def change_ops(self, old: QA | None, new: QA | None, *, drop_email: bool = False) -> list[dict[str, Any]]:
        """Record ops + its post's counters. (The search index follows the table's stream: no
        search item is written here, see kysy.indexer.)"""
        some = new or old
        assert some is not None
        ops = self.record_ops(old, new)
        delta = status_delta(old, new)
        if delta:
            ops.append(self.counts_op(some.post_id, delta))
        if drop_email:
            ops.append(self.delete_email_op(some.id))
        return ops

    # ------------------------------------------------------------------ execution
    def transact(self, ops: list[dict[str, Any]]) -> None:
        """One TransactWriteItems; failed conditions surface as ClientError for the caller to read."""
        with translate_errors():
            self.client.transact_write_items(TransactItems=ops)  # type: ignore[arg-type]

    @staticmethod
    def failed_items(error: ClientError) -> list[int]:
        """Indexes of the transaction items whose condition failed (empty: not a condition failure)."""
        if error_code(error) == "ConditionalCheckFailedException":
            return [0]
        return [i for i, code in enumerate(cancellation_codes(error)) if code == "ConditionalCheckFailed"]

    def paged(self, kwargs: dict[str, Any]) -> Iterator[dict[str, Any]]:
        while True:
            with translate_errors():
                result = self.client.query(**kwargs)
            yield from result.get("Items", [])
            last = result.get("LastEvaluatedKey")
            if not last:
                return
            kwargs = {**kwargs, "ExclusiveStartKey": last}

    def query_all(self, index: str, key_name: str, key_value: str) -> Iterator[dict[str, Any]]:
        return self.paged(
            {
                "TableName": self.table,
                "IndexName": index,
                "KeyConditionExpression": f"{key_name} = :v",
                "ExpressionAttributeValues": {":v": {"S": key_value}},
            }
        )
