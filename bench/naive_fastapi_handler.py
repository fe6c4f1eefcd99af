"""Reference for bench/cold_start.py: a naive FastAPI + Mangum + Powertools handler, one route, one Query."""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from fastapi import FastAPI
from mangum import Mangum

TABLE = os.environ.get("KYSY_TABLE_NAME", "kysy")
client = boto3.client("dynamodb")
logger = Logger()
metrics = Metrics(namespace="Bench")
app = FastAPI()


@app.get("/v1/posts/{post_id}/questions")
def questions(post_id: str) -> dict[str, Any]:
    result = client.query(
        TableName=TABLE,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"POST#{post_id}"}},
    )
    return {"items": result.get("Items", [])}


handler = logger.inject_lambda_context(metrics.log_metrics(Mangum(app, lifespan="off")))
