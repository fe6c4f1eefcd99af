"""kysy.moto_patch: moto's transactions without copying the table keep moto's all-or-nothing semantics.

Runs against the session's DynamoDB endpoint: the patched in-process moto server, or (with
KYSY_TEST_DYNAMODB_ENDPOINT) a real DynamoDB, where the same assertions hold."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

TABLE = f"moto-patch-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def client(dynamodb_endpoint: str) -> Iterator[Any]:
    import boto3

    ddb = boto3.client("dynamodb", region_name="eu-north-1", endpoint_url=dynamodb_endpoint)
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    ddb.get_waiter("table_exists").wait(TableName=TABLE)
    try:
        yield ddb
    finally:
        ddb.delete_table(TableName=TABLE)


def key(pk: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": "x"}}


def items(ddb: Any) -> dict[str, str]:
    return {i["PK"]["S"]: i["v"]["S"] for i in ddb.scan(TableName=TABLE)["Items"]}


def stream_events(ddb: Any) -> list[tuple[str, str]]:
    import boto3

    streams = boto3.client("dynamodbstreams", region_name="eu-north-1", endpoint_url=ddb.meta.endpoint_url)
    arn = ddb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return [(r["eventName"], r["dynamodb"]["Keys"]["PK"]["S"]) for r in records]


def put(pk: str, value: str, condition: str | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"TableName": TABLE, "Item": {**key(pk), "v": {"S": value}}}
    if condition:
        op["ConditionExpression"] = condition
    return {"Put": op}


def update(pk: str, value: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": key(pk),
            "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"S": value}},
        }
    }


def test_a_committed_transaction_writes_every_item_and_its_stream_records(client):
    client.transact_write_items(TransactItems=[put("a", "1"), put("b", "1")])
    client.transact_write_items(TransactItems=[update("a", "2"), {"Delete": {"TableName": TABLE, "Key": key("b")}}])
    assert items(client) == {"a": "2"}
    assert stream_events(client) == [("INSERT", "a"), ("INSERT", "b"), ("MODIFY", "a"), ("REMOVE", "b")]


def test_a_cancelled_transaction_leaves_items_and_stream_as_they_were(client):
    from botocore.exceptions import ClientError

    client.transact_write_items(TransactItems=[put("a", "1"), put("b", "1")])
    before = stream_events(client)
    # moto applies the writes before and after the failing condition, then cancels: all must be undone.
    attempt = [update("a", "2"), put("b", "2", "attribute_not_exists(PK)"), put("c", "1"), update("d", "1")]
    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(TransactItems=attempt)
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed", "None", "None"]
    assert items(client) == {"a": "1", "b": "1"}
    assert stream_events(client) == before
    client.transact_write_items(TransactItems=[update("a", "3")])  # the stream goes on after the cut
    assert stream_events(client) == [*before, ("MODIFY", "a")]
