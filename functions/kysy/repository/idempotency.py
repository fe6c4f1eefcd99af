"""Powertools idempotency records, kept in the same table under their own partition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

IDEMPOTENCY_PK = "IDEMPOTENCY#submit"


def persistence_layer(client: DynamoDBClient, table_name: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=IDEMPOTENCY_PK,
        expiry_attr="ttl",
        boto3_client=client,
    )
