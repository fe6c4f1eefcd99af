"""Clients for the AWS services other than the table (SES, SNS, DynamoDB Streams for the local
poller), so that only ``kysy.repository`` imports boto3 or botocore.

Calls go through :func:`call`, which turns every botocore failure into :class:`AwsCallFailed`
carrying only the error code: AWS messages can quote addresses, and callers must never log them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# Short timeouts, few retries: the worst case stays far below the notifier's Lambda timeout.
CLIENT_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 3})


class AwsCallFailed(Exception):
    """An AWS call failed; ``code`` is AWS's error code (or the botocore error's class name)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def aws_client(service: str, *, region: str, endpoint: str | None) -> Any:
    """A client from Kysy's one botocore session (``kysy.repository.dynamo.aws_client``)."""
    from kysy.repository.dynamo import aws_client as session_client

    return session_client(service, region=region, endpoint=endpoint, config=CLIENT_CONFIG)


def call(operation: Callable[..., Any], **kwargs: Any) -> Any:
    """Run one client operation; any failure becomes AwsCallFailed(code), its message dropped."""
    try:
        return operation(**kwargs)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", "ClientError"))
    except BotoCoreError as error:
        code = type(error).__name__
    raise AwsCallFailed(code) from None
