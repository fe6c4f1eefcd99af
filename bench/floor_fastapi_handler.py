"""Reference for bench/cold_start.py: the least a FastAPI handler can import - the floor under Kysy.

One route, one DynamoDB client, Mangum; none of Powertools, settings, models or Kysy's own code.
It uses what Kysy does to import FastAPI lean (botocore's client instead of boto3's, FastAPI
without the optional ``email_validator``/``pydantic.v1`` probes: kysy.api.lean), so the distance
from here to the plain boto3 handler is FastAPI's own import, which no handler using it can avoid.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import botocore.session

for _name in ("email_validator", "pydantic.v1"):  # as kysy.api.lean does while FastAPI is imported
    sys.modules.setdefault(_name, None)  # type: ignore[arg-type]
from fastapi import FastAPI  # noqa: E402
from mangum import Mangum  # noqa: E402

TABLE = os.environ.get("KYSY_TABLE_NAME", "kysy")
client: Any = botocore.session.get_session().create_client("dynamodb")
app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/v1/posts/{post_id}/questions")
async def questions(post_id: str) -> dict[str, Any]:
    result = client.query(
        TableName=TABLE,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"POST#{post_id}"}},
    )
    return {"items": result.get("Items", [])}


handler = Mangum(app, lifespan="off")
