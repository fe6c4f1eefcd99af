"""Baseline for bench/cold_start.py: the plainest useful DynamoDB Lambda handler.

A boto3 client created at import (as every Lambda should) and a handler doing one Query, with
no framework, no validation and no observability. Kysy's handlers are measured against it.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

TABLE = os.environ.get("KYSY_TABLE_NAME", "kysy")
client = boto3.client("dynamodb")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    post_id = (event.get("pathParameters") or {}).get("post_id", "")
    result = client.query(
        TableName=TABLE,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"POST#{post_id}"}},
    )
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"items": result.get("Items", [])}),
    }
