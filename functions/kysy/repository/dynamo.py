"""The DynamoDB client and the translation of its failures into domain errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError

from kysy.errors import Unavailable, ValidationFailed

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from kysy.settings import Settings

_THROTTLED = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "InternalServerError",
    "ServiceUnavailable",
}
_MISSING = {"ResourceNotFoundException", "UnrecognizedClientException", "AccessDeniedException"}

# Short timeouts and few retries: a reader's request must fail fast with 503, not hang for 60 s.
_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "max_attempts": 3},
)


def make_client(settings: Settings) -> DynamoDBClient:
    """A botocore client: the same client boto3 would build, without importing boto3 (s3transfer,
    resources, ...), which nothing in the request path uses; a cold start saves ~20-40 ms."""
    return aws_client("dynamodb", region=settings.region, endpoint=settings.dynamodb_endpoint)  # type: ignore[no-any-return]


_CREATE_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _session() -> botocore.session.Session:
    """One botocore session per process: clients made from it share its loaded service data."""
    return botocore.session.get_session()


def aws_client(service: str, *, region: str, endpoint: str | None = None, config: Config | None = None) -> Any:
    kwargs: dict[str, Any] = {"region_name": region, "config": config or _CLIENT_CONFIG}
    if endpoint:
        kwargs["endpoint_url"] = endpoint
    with _CREATE_LOCK:  # creating clients from one session is not thread-safe; using them is
        return _session().create_client(service, **kwargs)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_conditional_failure(error: ClientError) -> bool:
    """A failed ConditionExpression, alone or inside a cancelled transaction."""
    code = error_code(error)
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons: list[dict[str, Any]] = error.response.get("CancellationReasons", [])  # type: ignore[assignment]
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons)
    return False


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn storage failures a client may meet into 503s with a Retry-After; never a 500.

    Failed conditions pass through unchanged: the caller knows what they mean (a version
    conflict, a full rate-limit window, an existing record).
    """
    try:
        yield
    except ClientError as error:
        if is_conditional_failure(error):
            raise
        code = error_code(error)
        if code in _THROTTLED:
            raise Unavailable("We are busy right now. Please try again in a moment.", retry_after=2) from error
        if code in _MISSING:
            raise Unavailable("The question store is not reachable right now.", retry_after=30) from error
        if code == "ValidationException":
            raise ValidationFailed("The request could not be stored as sent.") from error
        raise Unavailable("The question store failed to answer. Please try again.", retry_after=5) from error
    except (ConnectionError, ReadTimeoutError) as error:
        raise Unavailable("The question store is not reachable right now.", retry_after=10) from error
    except BotoCoreError as error:
        raise Unavailable("The question store failed to answer. Please try again.", retry_after=10) from error
